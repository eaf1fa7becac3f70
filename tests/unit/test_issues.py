"""Unit tests for registry.issues: the Issue line format and JSON shape, kinds, JSON pointers, and
the filters that sort issues into errors, warnings and unreadable files."""

from __future__ import annotations

import pytest

from registry.issues import (
    ISSUE_KINDS,
    Issue,
    IssueReport,
    JsonPath,
    errors_in,
    format_pointer,
    unreadable_in,
    warnings_in,
)
from registry.values import Frozen


@pytest.mark.parametrize(
    ("path", "pointer"),
    [
        ((), "$"),
        (("providers", "ollama", "efforts", 0), "$.providers.ollama.efforts[0]"),
        (("providers", "openai-compat", "api_base"), "$.providers.openai-compat.api_base"),
        (("aliases", "a.b"), "$.aliases['a.b']"),
        (("headers", "it's"), "$.headers['it\\'s']"),
    ],
)
def test_format_pointer(path: tuple, pointer: str) -> None:
    assert format_pointer(path) == pointer


@pytest.mark.parametrize(("path", "pointer"), [
    (("providers", "1st"), "$.providers['1st']"),
    (("providers", ""), "$.providers['']"),
    (("headers", "a\\b"), "$.headers['a\\\\b']"),
    ((0, 1), "$[0][1]"),
])
def test_format_pointer_quotes_what_is_not_a_plain_name(path: JsonPath, pointer: str) -> None:
    assert format_pointer(path) == pointer


@pytest.mark.parametrize(("issue", "location"), [
    (Issue("m", path="f.yaml", line=3, column=5), "f.yaml:3:5"),
    (Issue("m", path="f.yaml", line=3), "f.yaml:3"),
    (Issue("m", path="f.yaml", column=5), "f.yaml"),
    (Issue("m", path="f.yaml"), "f.yaml"),
    (Issue("m", env_var="HF_TOKEN", path="ignored"), "env HF_TOKEN"),
    (Issue("m"), "<registry>"),
])
def test_location(issue: Issue, location: str) -> None:
    assert issue.location == location


def test_render_puts_the_location_first_and_the_hint_on_its_own_line() -> None:
    issue = Issue("unknown key 'x'", path="f.yaml", line=2, column=1, pointer="$.x", hint="did you mean 'y'?")
    assert issue.render() == "f.yaml:2:1: error: unknown key 'x' [at $.x]\n  hint: did you mean 'y'?"
    assert Issue("m", path="f", pointer="$", severity="warning").render() == "f: warning: m"


def test_defaults_and_json_shape() -> None:
    issue = Issue("m")
    assert (issue.severity, issue.kind, issue.rule) == ("error", "semantic", None)
    assert Issue("m", path="f", line=1, column=2, pointer="$.a", hint="h", kind="syntax", rule="unique-keys").as_dict() == {
        "path": "f", "line": 1, "column": 2, "pointer": "$.a", "env_var": None, "severity": "error",
        "message": "m", "hint": "h", "kind": "syntax", "rule": "unique-keys",
    }


def test_kinds_are_the_documented_vocabulary() -> None:
    assert ISSUE_KINDS == ("unreadable", "syntax", "schema", "url", "semantic")
    for kind in ISSUE_KINDS:
        assert kind in (Issue.__doc__ or "")


ISSUES = (
    Issue("e", path="a"),
    Issue("w", path="a", severity="warning"),
    Issue("gone", path="b", kind="unreadable"),
    Issue("odd", path="c", kind="unreadable", severity="warning"),
)


def test_filters() -> None:
    assert errors_in(ISSUES) == (ISSUES[0], ISSUES[2])
    assert warnings_in(ISSUES) == (ISSUES[1], ISSUES[3])
    assert unreadable_in(ISSUES) == (ISSUES[2],)  # only errors decide an exit status
    assert unreadable_in(iter(ISSUES[:2])) == ()


class _Report(Frozen, IssueReport):
    __slots__ = ("issues",)
    issues: tuple[Issue, ...]


def test_issue_report_mixin() -> None:
    report = _Report(ISSUES)
    assert report.errors == errors_in(ISSUES) and report.warnings == warnings_in(ISSUES)
    assert not report.ok
    assert _Report((ISSUES[1],)).ok


@pytest.mark.parametrize(("path", "pointer"), [
    (("providers", "v", "headers", "Authorization: Bearer sk-live-7Qx2Vb9LmZ4pR8tW"), "$.providers.v.headers[...]"),
    (("providers", "v", "headers", "Bearer sk"), "$.providers.v.headers[...]"),
    (("providers", "v", "headers", "X-Team"), "$.providers.v.headers.X-Team"),
    (("providers", "v", "api_key", "anything"), "$.providers.v.api_key[...]"),
    (("providers", "v", "api_bases", "http://h"), "$.providers.v.api_bases[...]"),
    (("providers", "a\x1b]0;x\x07"), "$.providers['a\\x1b]0;x\\x07']"),
    (("providers", "a" * 200), "$.providers['" + "a" * 80 + "...']"),
    (("providers", "\ud800"), "$.providers['\\ud800']"),
])
def test_format_pointer_never_shows_a_key_a_control_or_a_long_text(path: JsonPath, pointer: str) -> None:
    shown = format_pointer(path)
    assert shown == pointer
    shown.encode("ascii")
