"""What every command receives: the output streams, the global options, and output helpers.

Commands print data on ``stdout`` and diagnostics on ``stderr`` only through a ``Context``, so
tests can run them with any streams and any environment, and colour is decided in one place.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from ..errors import RegistryError
from ..issues import Issue, unreadable_in
from ..fsio import shown_path
from ..layout import fit_table, render_table, shorten_path, wrap
from ..loader import LoadReport, check_file_settings, inspect
from ..model import Registry
from ..provider import Origin
from ..paths import APP_NAME, builtin_providers_path
from ..text import escape_controls
from ..values import Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TextIO

__all__ = ["EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "Context"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2  # also: a named path that cannot be read
EXIT_INTERNAL = 3

_STYLES = {"error": "31;1", "warning": "33", "ok": "32;1", "bold": "1", "dim": "2"}
# Exactly the codes ``paint`` writes (and its reset): the only escapes human output may carry.
_PAINTED = re.compile("(" + "|".join(re.escape(f"\x1b[{code}m") for code in (*_STYLES.values(), "0")) + ")")


class Context(Frozen):
    """The global options of one ``registry`` invocation, and where its output goes.

    ``environ`` defaults to a snapshot of ``os.environ`` taken when the context is made.
    """

    __slots__ = ("stdout", "stderr", "json", "color", "app_name", "config_path", "environ", "debug", "defaults_path",
                 "width")
    stdout: TextIO
    stderr: TextIO
    json: bool
    color: bool
    app_name: str
    config_path: str | None  # --config as given (fsio.shown_path to print it)
    environ: Mapping[str, str]
    debug: bool
    defaults_path: str | None  # --defaults as given: the host's file, the app layer
    # The terminal's columns, at least layout.MIN_WIDTH (cli sets it); tables and wrapped lines are
    # fitted to it. None (a pipe, a file): never fitted.
    width: int | None
    _defaults = {"json": False, "color": False, "app_name": APP_NAME, "config_path": None, "environ": None,
                 "debug": False, "defaults_path": None, "width": None}

    def __post_init__(self) -> None:
        if self.environ is None:
            object.__setattr__(self, "environ", MappingProxyType(dict(os.environ)))

    def paint(self, text: str, style: str) -> str:
        """``text`` in ANSI colour when colour is on; unchanged otherwise."""
        return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if self.color and text else text

    def out(self, text: str = "") -> None:
        """One line of data on stdout, terminal-safe (see ``_terminal_safe``)."""
        print(self._terminal_safe(text), file=self.stdout)

    def out_wrapped(self, text: str) -> None:
        """One line of data on stdout; on a terminal broken at spaces to fit it (``layout.wrap``),
        nothing left out. In a pipe the line is whole."""
        if self.width is None:
            self.out(text)
            return
        for line in wrap(self._terminal_safe(text), self.width):
            self.out(line)

    def err(self, text: str) -> None:
        """One diagnostic on stderr, terminal-safe (see ``_terminal_safe``)."""
        print(self._terminal_safe(text), file=self.stderr)

    def _terminal_safe(self, text: str) -> str:
        """``text`` with every control character escaped except line breaks and, when colour is
        on, the colour codes ``paint`` wrote: this is the one place human output is written, so a
        description, a name or a server's reply can never drive the terminal (ESC, OSC, BEL)."""
        if text.isascii() and text.isprintable():
            return text
        parts = _PAINTED.split(text) if self.color else [text]
        return "".join(part if self.color and _PAINTED.fullmatch(part)
                       else "\n".join(escape_controls(line) for line in part.split("\n")) for part in parts)

    def emit_json(self, data: Any) -> None:
        """``data`` as indented JSON on stdout: the ``--json`` output of every command."""
        # ASCII-only JSON: every control, invisible or non-ASCII character is a \\u escape, so the
        # output is valid on any stream encoding and holds nothing a terminal would act on.
        print(json.dumps(data, indent=2, ensure_ascii=True), file=self.stdout)

    def render_issue(self, issue: Issue) -> str:
        """``Issue.render()`` with the severity word coloured."""
        text = issue.render()
        word = f": {issue.severity}: "
        return text.replace(word, f": {self.paint(issue.severity, issue.severity)}: ", 1) if self.color else text

    def location(self, origin: Origin) -> str:
        """``SOURCE[:LINE]`` for text output, the source shortened as ``path`` does; the home
        directory is written as ``~`` even in a pipe (it always was)."""
        source = origin.source if origin.layer == "env" else self.path(origin.source, home_always=True)
        return f"{source}:{origin.line}" if origin.line is not None else source

    def path(self, path: str, *, home_always: bool = False) -> str:
        """A path (as ``fsio.shown_path`` shows it) for a table: on a terminal the built-in
        providers file is ``<built-in>`` and the home directory (``HOME``) ``~``
        (``layout.shorten_path``); in a pipe the path is whole, so scripts can use it."""
        home = self.environ.get("HOME", "")
        if self.width is None:
            return shorten_path(path, home=home) if home_always else path
        return shorten_path(path, home=home, builtin=str(builtin_providers_path()))

    def where(self, origin: Origin) -> str:
        """``LAYER  SOURCE[:LINE]``: git --show-origin style."""
        return f"{origin.layer}  {self.location(origin)}"

    def report_error(self, error: RegistryError | str, hint: str | None = None) -> None:
        """``registry: MESSAGE`` and an optional ``  hint: ...`` line on stderr; with ``--json``
        also the failure object on stdout, so a script always gets JSON. For an exception, its
        ``message`` and ``hint``: every error the library raises is printed the same way."""
        if isinstance(error, RegistryError):
            message, hint = error.message, error.hint
        else:
            message = error
        self.err(f"registry: {self.paint('error', 'error')}: {message}")
        if hint:
            self.err(f"  hint: {hint}")
        if self.json:  # the same error shape as `validate --json`
            self.emit_json({"status": "fail", "errors": [Issue(message, hint=hint).as_dict()]})

    def option_is_valid(self, check: Callable[[Any, str], object], value: object, option: str) -> bool:
        """Run the library's own check of an option's value (one home for each rule); a
        ValueError is reported as a usage error and the caller exits EXIT_USAGE."""
        try:
            check(value, option)
        except ValueError as exc:
            self.report_error(str(exc))
            return False
        return True

    def config_setting_is_usable(self) -> bool:
        """False, after printing the located error, when ``--defaults``, ``--config`` (or
        ``PROVIDER_REGISTRY_CONFIG``, ``PROVIDER_REGISTRY_SITE_CONFIG``) is a malformed path: a
        usage error (exit 2) for every command, before it runs, like a bad ``--app``."""
        problem = check_file_settings(self.app_name, self.config_path, self.environ, defaults=self.defaults_path)
        if problem is None:
            return True
        self.report_issue(problem)
        return False

    def report_issue(self, issue: Issue) -> None:
        """One located error on stderr; with ``--json`` also the failure object on stdout."""
        self.err(self.render_issue(issue))
        if self.json:
            self.emit_json({"status": "fail", "errors": [issue.as_dict()]})

    def inspect(self) -> LoadReport:
        """All layers as the global options select them (never raises ConfigError)."""
        return inspect(self.app_name, self.config_path, self.environ, defaults=self.defaults_path)

    def load(self) -> tuple[Registry | None, int]:
        """The registry, or None and the exit status after printing why it cannot be built.

        Warnings go to stderr either way; a configuration with errors exits 1, a file that
        cannot be read at all 2 (the reader's verdict: ``Issue.kind == "unreadable"``).
        """
        report = self.inspect()
        for issue in report.issues:
            self.err(self.render_issue(issue))
        if report.registry is not None:
            return report.registry, EXIT_OK
        if self.json:
            self.emit_json({"status": "fail", "errors": [issue.as_dict() for issue in report.errors]})
        if unreadable_in(report.issues):
            self.err("registry: a configuration file cannot be read; see the path above")
            return None, EXIT_USAGE
        options = "".join(f" {option} {shown_path(value)}" for option, value in
                          (("--defaults", self.defaults_path), ("--config", self.config_path)) if value)
        command = f"registry{options} validate"
        self.err(f"registry: the configuration is invalid; run '{command}' for details")
        return None, EXIT_INVALID

    def table(self, rows: Sequence[Sequence[str]], header: Sequence[str] | None = None, *,
              drop: Sequence[int] = (), cut: Sequence[int] | None = None) -> None:
        """Rows as left-aligned columns separated by two spaces, on stdout. On a terminal
        (``width`` set) the table is fitted to it by ``layout.fit_table``: the command names the
        columns to ``drop`` first and the order in which to ``cut`` cells, least useful first."""
        lines = [list(header)] if header else []
        lines += [list(r) for r in rows]
        if self.width is not None:  # measure what the terminal will show: escapes written first
            lines = fit_table([[self._terminal_safe(cell) for cell in line] for line in lines], self.width,
                              drop=drop, cut=cut, ellipsis=self._ellipsis())
        for number, text in enumerate(render_table(lines)):
            self.out(self.paint(text, "bold") if header and number == 0 else text)

    def _ellipsis(self) -> str:
        """``…`` when stdout can write it, else ``...`` (an escaped ``…`` would take six columns)."""
        try:
            "…".encode(getattr(self.stdout, "encoding", None) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            return "..."
        return "…"
