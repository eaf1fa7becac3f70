"""``resolve`` -> ``litellm.completion`` / ``acompletion`` against a real OpenAI-compatible server."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Callable

import litellm
import pytest

import registry

from .conftest import MOCK_TEXT

pytestmark = pytest.mark.e2e

MESSAGES = [{"role": "user", "content": "say hello"}]


@pytest.fixture
def efforts_file(user_file: Callable[..., Path]) -> Path:
    """A user file that grants vllm two effort levels, sent as reasoning_effort in the body (the
    built-in entry sends chat_template_kwargs)."""
    return user_file("version: 1\nproviders:\n  vllm:\n    efforts: [low, medium]\n    thinking: extra_body\n")


def _content(response: Any) -> str:
    return response.choices[0].message.content


@pytest.mark.parametrize(("effort", "extra_body"), [
    (None, None),
    ("medium", {"reasoning_effort": "medium"}),
    ("high", None),  # not granted: dropped without strict, and the call still works
])
def test_sync_completion_with_resolved_kwargs(efforts_file: Path, vllm_env: dict[str, str],
                                              effort: str | None, extra_body: dict[str, str] | None) -> None:
    reg = registry.load(config_path=efforts_file, environ=vllm_env)
    kwargs = reg.resolve("vllm/test-model", reasoning_effort=effort)
    assert kwargs.get("extra_body") == extra_body
    assert kwargs["api_base"] == vllm_env["VLLM_BASE_URL"]
    response = litellm.completion(**kwargs, messages=MESSAGES, max_tokens=5, num_retries=0)
    assert _content(response) == MOCK_TEXT


@pytest.mark.parametrize(("effort", "extra_body"), [
    (None, None),
    ("low", {"reasoning_effort": "low"}),
])
def test_async_completion_with_resolved_kwargs(efforts_file: Path, vllm_env: dict[str, str],
                                               effort: str | None, extra_body: dict[str, str] | None) -> None:
    reg = registry.load(config_path=efforts_file, environ=vllm_env)
    kwargs = reg.resolve("vllm/other-model", reasoning_effort=effort)
    assert kwargs.get("extra_body") == extra_body

    async def call() -> Any:
        return await litellm.acompletion(**kwargs, messages=MESSAGES, max_tokens=5, num_retries=0)

    assert _content(asyncio.run(call())) == "hello from mock"


@pytest.mark.parametrize(("effort", "enable_thinking"), [("none", False), ("high", True)])
def test_the_builtin_vllm_turns_thinking_on_and_off_through_the_chat_template(
        vllm_env: dict[str, str], effort: str, enable_thinking: bool) -> None:
    reg = registry.load(environ=vllm_env)
    kwargs = reg.resolve("vllm/test-model", reasoning_effort=effort)
    assert kwargs["extra_body"] == {"chat_template_kwargs": {"enable_thinking": enable_thinking}}
    response = litellm.completion(**kwargs, messages=MESSAGES, max_tokens=5, num_retries=0)
    assert _content(response) == MOCK_TEXT


def test_strict_effort_is_refused_before_any_request(efforts_file: Path, vllm_env: dict[str, str]) -> None:
    reg = registry.load(config_path=efforts_file, environ=vllm_env)
    with pytest.raises(registry.UnsupportedEffortError, match="it accepts: low, medium"):
        reg.resolve("vllm/test-model", reasoning_effort="high", strict=True)


def test_wrong_key_is_rejected_by_the_server(efforts_file: Path, vllm_env: dict[str, str]) -> None:
    reg = registry.load(config_path=efforts_file, environ={**vllm_env, "VLLM_API_KEY": "sk-wrong-key-5678"})
    with pytest.raises(litellm.BadRequestError, match="No connected db"):
        litellm.completion(**reg.resolve("vllm/test-model"), messages=MESSAGES, max_tokens=5, num_retries=0)
