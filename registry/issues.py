"""Where a problem is: ``Issue`` (one problem in one layer, located) and JSON paths into a document.

Every error and warning the loader, the schema check, the YAML reader and the file reader report is
an Issue; ``ConfigError`` carries them, ``registry validate`` prints them (text or ``--json``). A
location inside a document is a ``JsonPath`` (a tuple of keys and indexes) and is shown by
``format_pointer`` the same way whichever layer found the problem.
"""

from __future__ import annotations

from .secrets import is_secret_key
from .text import ECHO_LIMIT, escape_controls
from .values import Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ISSUE_KINDS",
    "Issue",
    "IssueReport",
    "JsonPath",
    "errors_in",
    "format_pointer",
    "unreadable_in",
    "warnings_in",
]

# What an Issue can be about (``Issue.kind``); see Issue.
ISSUE_KINDS = ("unreadable", "syntax", "schema", "url", "semantic")

# A place in a parsed document: ``('providers', 'ollama', 'efforts', 0)``.
JsonPath = tuple[str | int, ...]


def format_pointer(path: JsonPath) -> str:
    """``('providers', 'ollama', 'efforts', 0)`` -> ``$.providers.ollama.efforts[0]``.

    Keys are untrusted text: a long one is cut, controls are escaped (a pointer is printed on the
    terminal), and a key that may itself hold a secret (``secrets.is_secret_key``: a header line
    pasted as a header name) is shown as ``[...]``.
    """
    text = "$"
    for index, part in enumerate(path):
        if isinstance(part, int):
            text += f"[{part}]"
        elif is_secret_key(path[:index], part):
            text += "[...]"
        elif len(part) <= ECHO_LIMIT and part.replace("_", "").replace("-", "").isalnum() and part[:1].isalpha():
            text += f".{part}"
        else:
            text += "[" + _quote(part) + "]"
    return text


def _quote(text: str) -> str:
    cut = len(text) > ECHO_LIMIT
    body = escape_controls(text[:ECHO_LIMIT].replace("\\", "\\\\").replace("'", "\\'"))
    return "'" + body + ("...'" if cut else "'")


class Issue(Frozen):
    """One problem found in one layer, located as precisely as the layer allows.

    ``path`` is a file path for file layers; ``env_var`` names the variable for the environment
    layer. ``pointer`` is a JSON path such as ``$.providers.ollama.api_base``. Messages never
    contain secret values: they are built from the path and the rule that was broken.

    ``kind`` is what went wrong, so callers can branch without reading the message: ``unreadable``
    (the file cannot be read at all: the CLI exits 2), ``syntax`` (not valid strict YAML),
    ``schema`` (the JSON Schema refused it; as a warning, the editor's schema comment names a missing
    or stale schema: rule ``schema-comment``), ``url`` (a base URL broke a rule of the URL policy),
    ``semantic`` (anything the merged configuration gets wrong). ``rule`` names the broken rule
    where there is one (the URL rule, the schema keyword).
    """

    __slots__ = ("message", "path", "line", "column", "pointer", "hint", "env_var", "severity", "kind", "rule")
    message: str
    path: str | None
    line: int | None
    column: int | None
    pointer: str | None
    hint: str | None
    env_var: str | None
    severity: str  # "error" or "warning"
    kind: str
    rule: str | None
    _defaults = {
        "path": None, "line": None, "column": None, "pointer": None, "hint": None, "env_var": None,
        "severity": "error", "kind": "semantic", "rule": None,
    }

    @property
    def location(self) -> str:
        """``PATH:LINE:COL``, ``PATH``, ``env VAR`` or ``<registry>``: where to look first."""
        if self.env_var is not None:
            return f"env {self.env_var}"
        if self.path is None:
            return "<registry>"
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def render(self) -> str:
        """The text form: ``LOCATION: severity: message [at $.pointer]`` then ``hint: ...``."""
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.pointer and self.pointer != "$":
            text += f" [at {self.pointer}]"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def one_line(self) -> str:
        """``LOCATION: message; hint: ...`` on one line: the reason a provider is unavailable."""
        hint = f"; hint: {self.hint}" if self.hint else ""
        return f"{self.location}: {self.message}{hint}"

    def as_dict(self) -> dict[str, object]:
        """The stable JSON shape used by ``--json`` output."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "env_var": self.env_var,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "kind": self.kind,
            "rule": self.rule,
        }


def errors_in(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """The issues that make a configuration invalid."""
    return tuple(issue for issue in issues if issue.severity == "error")


def warnings_in(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """The issues that are reported but let the configuration load."""
    return tuple(issue for issue in issues if issue.severity == "warning")


def unreadable_in(issues: Iterable[Issue]) -> tuple[Issue, ...]:
    """The errors that say a file could not be read at all (the CLI exits 2 for them, not 1)."""
    return tuple(issue for issue in issues if issue.kind == "unreadable" and issue.severity == "error")


class IssueReport:
    """Mixin for results that carry ``issues``: their errors and warnings, and whether any error."""

    __slots__ = ()
    issues: tuple[Issue, ...]

    @property
    def errors(self) -> tuple[Issue, ...]:
        return errors_in(self.issues)

    @property
    def warnings(self) -> tuple[Issue, ...]:
        return warnings_in(self.issues)

    @property
    def ok(self) -> bool:
        return not self.errors
