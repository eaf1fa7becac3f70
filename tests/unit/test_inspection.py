"""Pure helpers of the inspection modules: masking and value formatting (display), layer ranking
(views), validation summaries (inspection)."""

from __future__ import annotations

import pytest

from registry.display import format_value, mask_kwargs
from registry.inspection import ValidationResult
from registry.issues import Issue
from registry.provider import Origin
from registry.secrets import Secret
from registry.views import highest_layer


def test_mask_kwargs_masks_key_and_every_header_and_copies() -> None:
    kwargs = {"model": "openai/x", "api_key": "sk-0123456789abcdefWXYZ",
              "extra_headers": {"Authorization": "Bearer 0123456789abcdef", "X-Short": "ab"},
              "extra_body": {"reasoning_effort": "low"}}
    shown = mask_kwargs(kwargs)
    assert shown == {"model": "openai/x", "api_key": "****WXYZ",
                     "extra_headers": {"Authorization": "****cdef", "X-Short": "****"},
                     "extra_body": {"reasoning_effort": "low"}}
    assert kwargs["api_key"] == "sk-0123456789abcdefWXYZ"  # the input is untouched


def test_mask_kwargs_accepts_secrets() -> None:
    assert mask_kwargs({"api_key": Secret("sk-0123456789abcdefWXYZ")}) == {"api_key": "****WXYZ"}


@pytest.mark.parametrize(("value", "text"), [
    ("x", "x"), (("A", "B"), "[A, B]"), ((), "[]"), ({"minimal": "low"}, "{minimal: low}"),
    ({"H": Secret("0123456789abcdefWXYZ")}, "{H: ****WXYZ}"), (True, "true"), (None, "null"), (30.0, "30.0"),
])
def test_format_value(value: object, text: str) -> None:
    assert format_value(value) == text


def test_highest_layer_follows_precedence_not_order() -> None:
    origins = [Origin("env", "X"), Origin("default", "f", 1), Origin("user", "u", 2)]
    assert highest_layer(origins) == "env"
    assert highest_layer(origins[1:]) == "user"
    assert highest_layer([]) == "default"


def _issue(path: str | None, env: str | None = None, severity: str = "error") -> Issue:
    return Issue("m", path=path, env_var=env, severity=severity)


@pytest.mark.parametrize(("issues", "files", "providers", "summary"), [
    ((), ("a",), ("p",), "OK: 1 file, 1 provider"),
    ((), ("a", "b"), ("p", "q", "r"), "OK: 2 files, 3 providers"),
    ((_issue("a", severity="warning"),), ("a",), ("p",), "OK: 1 file, 1 provider (1 warning)"),
    ((_issue("a"),), ("a",), (), "1 error in 1 file"),
    ((_issue("a"), _issue("a"), _issue("b")), ("a", "b"), (), "3 errors in 2 files"),
    ((_issue(None, "HF_TOKEN"),), (), (), "1 error in the environment"),
    ((_issue("a"), _issue(None, "X"), _issue("a", severity="warning"), _issue("a", severity="warning")), ("a",), (),
     "2 errors in 1 file and the environment (2 warnings)"),
])
def test_validation_summary(issues: tuple[Issue, ...], files: tuple[str, ...], providers: tuple[str, ...],
                            summary: str) -> None:
    assert ValidationResult(issues, files, providers).summary() == summary


def test_unreadable_makes_result_not_ok() -> None:
    result = ValidationResult((), ("a",), (), unreadable=("a",))
    assert not result.ok and result.as_dict()["status"] == "fail"
