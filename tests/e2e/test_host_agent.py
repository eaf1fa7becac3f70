"""The embedding example, ``examples/host_agent.py``, against the real proxy."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

import registry

from .conftest import MOCK_TEXT

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "host_agent.py"


@pytest.fixture(scope="module")
def host_agent() -> ModuleType:
    spec = importlib.util.spec_from_file_location("host_agent_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _efforts(user_file: Callable[..., Path], levels: str) -> Path:
    return user_file(f"version: 1\nproviders:\n  vllm:\n    efforts: {levels}\n    thinking: extra_body\n")


def test_completion_through_the_agent(host_agent: ModuleType, user_file: Callable[..., Path],
                                      vllm_env: dict[str, str]) -> None:
    agent = host_agent.HostAgent("vllm/test-model", config_path=_efforts(user_file, "[]"), environ=vllm_env)
    assert agent.complete([{"role": "user", "content": "hi"}]) == MOCK_TEXT


@pytest.mark.parametrize(("levels", "expected"), [
    ("[low, medium, high]", "high"),
    ("[low, medium]", "medium"),
    ("[low]", "low"),
    ("[]", None),
])
def test_effort_cascade_stops_at_the_first_accepted_level(host_agent: ModuleType, user_file: Callable[..., Path],
                                                          vllm_env: dict[str, str], levels: str,
                                                          expected: str | None) -> None:
    sent: list[dict[str, Any]] = []
    import litellm

    def recording(**kwargs: Any) -> Any:
        sent.append(kwargs.get("extra_body") or {})
        return litellm.completion(**kwargs)

    agent = host_agent.HostAgent("vllm/test-model", config_path=_efforts(user_file, levels), environ=vllm_env,
                                 completion=recording)
    assert agent.probe_effort() == expected
    # strict=True skipped the refused levels without a request; only the accepted one was sent
    assert sent == ([{"reasoning_effort": expected}] if expected else [])
    assert agent.complete([{"role": "user", "content": "hi"}]) == MOCK_TEXT
    assert sent[-1] == ({"reasoning_effort": expected} if expected else {})


def test_model_command_checks_the_id(host_agent: ModuleType, user_file: Callable[..., Path],
                                     vllm_env: dict[str, str]) -> None:
    agent = host_agent.HostAgent("vllm/test-model", config_path=_efforts(user_file, "[]"), environ=vllm_env)
    assert agent.handle_command("/model vllm/other-model") == "model: vllm/other-model via vllm"
    assert agent.complete([{"role": "user", "content": "hi"}]) == MOCK_TEXT
    reply = agent.handle_command("/model olama/")
    assert reply.startswith("cannot use 'olama/'") and agent.model_id == "vllm/other-model"
    reply = agent.handle_command("/model olama/llama3")
    assert "did you mean 'ollama/llama3'?" in reply  # valid for the fallback, but most likely a typo
    assert "no key yet: provider 'huggingface' needs an API key" in reply  # accepted: the token may come later
    assert agent.handle_command("/model moonshotai/Kimi-K2.6").startswith("model: moonshotai/Kimi-K2.6 via huggingface")


def test_bad_start_up_model_is_refused(host_agent: ModuleType, user_file: Callable[..., Path]) -> None:
    with pytest.raises(registry.InvalidModelIdError, match="nothing follows the prefix"):
        host_agent.HostAgent("vllm/", config_path=_efforts(user_file, "[]"), environ={})


def test_reload_swaps_the_registry_while_other_threads_resolve(host_agent: ModuleType, user_file: Callable[..., Path],
                                                               vllm_env: dict[str, str]) -> None:
    path = _efforts(user_file, "[]")
    agent = host_agent.HostAgent("vllm/test-model", config_path=path, environ=vllm_env)
    before = agent.registry
    errors: list[BaseException] = []

    def resolve_many() -> None:
        try:
            for _ in range(200):
                assert agent.registry.resolve("vllm/test-model")["api_base"] == vllm_env["VLLM_BASE_URL"]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=resolve_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    path.write_text("version: 1\nproviders:\n  vllm:\n    efforts: [low]\n", encoding="utf-8")
    agent.reload()
    for thread in threads:
        thread.join()
    assert not errors
    assert agent.registry is not before and agent.registry.providers["vllm"].efforts == ("low",)
    assert before.providers["vllm"].efforts == ()  # the old registry is untouched
    assert agent.probe_effort() == "low"


def test_the_agent_ships_defaults_the_user_file_still_overrides(host_agent: ModuleType, user_file: Callable[..., Path],
                                                                vllm_env: dict[str, str]) -> None:
    agent = host_agent.HostAgent("vllm/test-model", config_path=_efforts(user_file, "[]"), environ=vllm_env)
    assert "openai-compat" not in agent.registry.providers  # the agent's defaults switch it off
    assert agent.registry.origin("vllm", "description").layer == "app"
    assert agent.handle_command("/model openai-compat/x").startswith("cannot use 'openai-compat/x'")
    path = user_file("version: 1\nproviders:\n  openai-compat:\n    enabled: true\n")
    agent = host_agent.HostAgent("openai-compat/test-model", config_path=path, environ=vllm_env)
    assert agent.registry.check_model_id("openai-compat/test-model").ok


def test_a_session_token_reaches_its_provider_only(host_agent: ModuleType, user_file: Callable[..., Path],
                                                   vllm_env: dict[str, str]) -> None:
    """The proxy requires its master key: as a session key of 'gpu-box' it works, and 'vllm'
    (whose key comes from the environment) never gets it."""
    path = user_file(f"version: 1\nproviders:\n  gpu-box:\n    api_base: {vllm_env['VLLM_BASE_URL']}\n")
    agent = host_agent.HostAgent("gpu-box/test-model", config_path=path, environ=vllm_env)
    with pytest.raises(registry.MissingApiKeyError):
        agent.complete([{"role": "user", "content": "hi"}])
    master = vllm_env["VLLM_API_KEY"]
    session = {"gpu-box": master}
    assert agent.complete([{"role": "user", "content": "hi"}], session_keys=session) == MOCK_TEXT
    assert agent.registry.with_keys(session).resolve("ollama/x")["api_key"] == "ollama"


def test_an_edit_is_followed_and_a_broken_one_keeps_the_last_good_registry(
        host_agent: ModuleType, user_file: Callable[..., Path], vllm_env: dict[str, str]) -> None:
    path = _efforts(user_file, "[]")
    agent = host_agent.HostAgent("vllm/test-model", config_path=path, environ=vllm_env, interval=0.01)
    path.write_text("version: 1\nproviders:\n  vllm:\n    efforts: [low, high]\n", encoding="utf-8")
    assert agent.reload() and agent.registry.provider("vllm").efforts == ("low", "high")
    path.write_text("version: 1\nproviders:\n  vllm:\n    eforts: [low]\n", encoding="utf-8")
    assert not agent.reload()
    assert agent.config_error is not None and "did you mean 'efforts'" in str(agent.config_error)
    assert agent.complete([{"role": "user", "content": "hi"}]) == MOCK_TEXT  # still served
    path.write_text("version: 1\nproviders:\n  vllm:\n    efforts: [low]\n", encoding="utf-8")
    assert agent.reload() and agent.config_error is None
