"""Keys from a key file, a key command and a per-session key reach a real server (LiteLLM's proxy,
which refuses any other key), and only the provider they belong to."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import litellm
import pytest

import registry

from .conftest import MOCK_TEXT, Proxy

pytestmark = pytest.mark.e2e

MESSAGES = [{"role": "user", "content": "hi"}]


def complete(kwargs: dict) -> str:  # type: ignore[type-arg]
    response = litellm.completion(**kwargs, messages=MESSAGES, max_tokens=5, num_retries=0)
    return response.choices[0].message.content


def box(user_file: Callable[..., Path], proxy: Proxy, key_lines: str) -> Path:
    return user_file(f"version: 1\nproviders:\n  box:\n    api_base: {proxy.base_url}\n{key_lines}")


def test_a_key_file_key_reaches_the_server(litellm_proxy: Proxy, user_file: Callable[..., Path],
                                           tmp_path: Path) -> None:
    key_file = tmp_path / "box-key"
    key_file.write_text(litellm_proxy.master_key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    reg = registry.load(config_path=box(user_file, litellm_proxy, '    api_key_file: "${BOX_KEYS}/box-key"\n'),
                        environ={"BOX_KEYS": str(tmp_path)})
    assert reg.origin("box", "api_key") == registry.Origin("key-file", str(key_file))
    assert complete(reg.resolve("box/test-model")) == MOCK_TEXT


def test_a_key_command_key_reaches_the_server(litellm_proxy: Proxy, user_file: Callable[..., Path]) -> None:
    argv = [sys.executable, "-c", f"print({litellm_proxy.master_key!r})"]
    reg = registry.load(config_path=box(user_file, litellm_proxy, f"    api_key_command: {json.dumps(argv)}\n"),
                        environ={})
    assert complete(reg.resolve("box/test-model")) == MOCK_TEXT


def test_a_session_key_reaches_its_provider_only(litellm_proxy: Proxy, user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  box:\n    api_base: {litellm_proxy.base_url}\n"
                     f"  other:\n    api_base: {litellm_proxy.base_url}\n    api_key: other-placeholder\n")
    reg = registry.load(config_path=path, environ={})
    assert reg.check_model_id("box/test-model").key_missing
    session = reg.with_keys({"box": litellm_proxy.master_key})
    assert complete(session.resolve("box/test-model")) == MOCK_TEXT
    other = session.resolve("other/test-model")
    assert other["api_key"] == "other-placeholder"  # the session's key stays with its provider
    # the proxy refuses any key but its master key (without a database it says so with a 400)
    with pytest.raises((litellm.AuthenticationError, litellm.BadRequestError)):
        complete(other)
