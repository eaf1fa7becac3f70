"""What ``registry validate`` reports: every issue in every layer, the files checked and the
providers found, and which named files could not be read at all; and, as warnings, editor schema
comments that name a missing or stale schema (``modeline.py``).

``validate_*`` look at the file system but never write. The tables of ``list``, ``show`` and
``paths`` live in ``views.py``, the explanation of ``resolve`` in ``explain.py``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence

from .errors import ConfigError
from .fsio import read_regular_file, shown_path
from .issues import Issue, IssueReport, unreadable_in
from .loader import ENV_LAYER, inspect, locate_layers
from .modeline import check_schema_comment
from .paths import APP_NAME
from .values import Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any


__all__ = [
    "ValidationResult",
    "github_annotation",
    "validate_files",
    "validate_layers",
]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _unreadable_files(issues: Iterable[Issue]) -> tuple[str, ...]:
    """The files that could not be read at all (the reader's verdict, ``Issue.kind``): exit 2."""
    return tuple(dict.fromkeys(issue.path or "" for issue in unreadable_in(issues)))


class ValidationResult(Frozen, IssueReport):
    """The verdict of ``registry validate``: every issue, the files checked, the providers found."""

    __slots__ = ("issues", "files", "providers", "unreadable", "unavailable")
    issues: tuple[Issue, ...]
    files: tuple[str, ...]
    providers: tuple[str, ...]
    unreadable: tuple[str, ...]
    unavailable: tuple[str, ...]  # providers a bad environment value makes unusable (the rest work)
    _defaults = {"unreadable": (), "unavailable": ()}

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unreadable

    def summary(self) -> str:
        """One line: ``OK: 2 files, 7 providers`` or ``3 errors in 1 file``."""
        if self.ok:
            text = f"OK: {_plural(len(self.files), 'file')}, {_plural(len(self.providers), 'provider')}"
            if self.warnings:
                text += f" ({_plural(len(self.warnings), 'warning')})"
            return text
        places = []
        files = {i.path for i in self.errors if i.env_var is None and i.path is not None}
        if files:
            places.append(_plural(len(files), "file"))
        if any(i.env_var is not None for i in self.errors):
            places.append("the environment")
        if any(i.env_var is None and i.path is None for i in self.errors):
            places.append("the settings")
        text = _plural(len(self.errors), "error")
        if places:
            text += " in " + " and ".join(places)
        if self.unavailable:
            text += f"; unavailable until fixed: {', '.join(self.unavailable)} (every other provider works)"
        if self.warnings:
            text += f" ({_plural(len(self.warnings), 'warning')})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape of ``registry validate``."""
        return {
            "status": "ok" if self.ok else "fail",
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
            "files": list(self.files),
            "providers": list(self.providers),
            "unavailable": list(self.unavailable),
        }


def github_annotation(issue: Issue) -> str:
    """``issue`` as a GitHub Actions workflow command (``::error file=F,line=L,col=C::message``), so a
    CI run marks the line in the pull request. Values are escaped as GitHub's toolkit escapes them
    (``%``, CR and LF everywhere; ``:`` and ``,`` in properties)."""
    properties = []
    if issue.path is not None and issue.env_var is None:
        properties.append(f"file={_escape_property(issue.path)}")
        if issue.line is not None:
            properties.append(f"line={issue.line}")
            if issue.column is not None:
                properties.append(f"col={issue.column}")
    elif issue.env_var is not None:
        properties.append(f"title={_escape_property('env ' + issue.env_var)}")
    text = issue.message + (f" [at {issue.pointer}]" if issue.pointer and issue.pointer != "$" else "")
    if issue.hint:
        text += f" (hint: {issue.hint})"
    command = "error" if issue.severity == "error" else "warning"
    return f"::{command} {','.join(properties)}::{_escape_data(text)}" if properties else f"::{command}::{_escape_data(text)}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _schema_comment_warnings(app_name: str, config_path: str | os.PathLike[str] | None,
                             environ: Mapping[str, str] | None,
                             defaults: str | os.PathLike[str] | None) -> list[Issue]:
    """A warning for each file layer whose editor schema comment names a missing or stale
    schema. The built-in file is the package's own (the wheel test checks it); a file that
    cannot be read was reported by its layer already."""
    found = []
    for location in locate_layers(app_name, config_path, environ, defaults=defaults):
        if location.path is None or location.layer in ("default", ENV_LAYER):
            continue
        try:
            data = read_regular_file(location.path)
        except ConfigError:
            continue
        issue = check_schema_comment(data, location.path)
        if issue is not None:
            found.append(issue)
    return found


def validate_layers(app_name: str = APP_NAME, config_path: str | os.PathLike[str] | None = None,
                    environ: Mapping[str, str] | None = None, *,
                    defaults: str | os.PathLike[str] | None = None) -> ValidationResult:
    """Check every layer that applies: the built-in, app, site and user files, and the environment."""
    report = inspect(app_name, config_path, environ, defaults=defaults)
    issues = report.issues + tuple(_schema_comment_warnings(app_name, config_path, environ, defaults))
    files = tuple(layer.source for layer in report.layers if layer.layer != ENV_LAYER and layer.exists)
    providers = tuple(sorted(report.registry.providers)) if report.registry is not None else ()
    unavailable = tuple(sorted(report.registry.unavailable)) if report.registry is not None else ()
    return ValidationResult(issues, files, providers, _unreadable_files(issues), unavailable)


def validate_files(paths: Sequence[str | os.PathLike[str]], app_name: str = APP_NAME,
                   environ: Mapping[str, str] | None = None, *,
                   defaults: str | os.PathLike[str] | None = None) -> ValidationResult:
    """Check each file as a user file over the built-in, app and site files, without the
    environment layer.

    Issues shared by several runs (a broken built-in file) are reported once.
    """
    issues: dict[tuple[Any, ...], Issue] = {}
    providers: set[str] = set()
    for path in paths:
        report = inspect(app_name, path, environ, apply_environment=False, defaults=defaults)
        for issue in report.issues + tuple(_schema_comment_warnings(app_name, path, environ, defaults)):
            issues.setdefault((issue.path, issue.line, issue.column, issue.env_var, issue.message), issue)
        if report.registry is not None:
            providers.update(report.registry.providers)
    return ValidationResult(tuple(issues.values()), tuple(shown_path(p) for p in paths), tuple(sorted(providers)),
                            _unreadable_files(issues.values()))
