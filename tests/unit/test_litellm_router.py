"""``registry.router``: an in-process ``litellm.Router`` built from the registry. No network: the
requests themselves are exercised in ``tests/e2e/test_failover.py``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import litellm
import pytest

import registry
from registry.export import ROUTER_SETTINGS

REAL_KEY = "sk-real-key-abcdef123456"
REPLICAS = ("version: 1\naliases:\n  fast: vllm/llama\nproviders:\n  vllm:\n"
            "    api_bases: ['http://10.0.0.2:8000/v1']\n    headers: {X-Team: blue}\n    timeout: 3\n")


@pytest.fixture
def reg(user_file: Callable[..., Path]) -> registry.Registry:
    return registry.load(config_path=user_file(REPLICAS), environ={"VLLM_API_KEY": REAL_KEY, "HF_TOKEN": REAL_KEY})


def _deployments(router: Any, group: str) -> list[dict[str, Any]]:
    return [d["litellm_params"] for d in router.get_model_list() if d["model_name"] == group]


def test_router_is_a_litellm_router_with_the_tuned_defaults(reg: registry.Registry) -> None:
    router = registry.router(reg)
    assert isinstance(router, litellm.Router)
    assert router.enable_weighted_failover is True and ROUTER_SETTINGS["enable_weighted_failover"] is True
    assert router.num_retries == ROUTER_SETTINGS["num_retries"] == 2
    assert router.routing_strategy == "simple-shuffle"


def test_replicas_are_deployments_with_the_real_key_headers_and_timeout(reg: registry.Registry) -> None:
    params = _deployments(registry.router(reg, ["vllm"]), "vllm/*")
    assert [(p["model"], p["api_base"]) for p in params] == [("openai/*", "http://127.0.0.1:8000/v1"),
                                                            ("openai/*", "http://10.0.0.2:8000/v1")]
    for p in params:
        assert p["api_key"] == REAL_KEY and p["extra_headers"] == {"X-Team": "blue"} and p["timeout"] == 3.0


def test_settings_override_the_defaults(reg: registry.Registry) -> None:
    router = registry.router(reg, num_retries=0, enable_weighted_failover=False)
    assert router.num_retries == 0 and router.enable_weighted_failover is False


@pytest.mark.parametrize(("setting", "message"), [
    ("num_retry", "router() setting 'num_retry' is not a litellm.Router setting; did you mean 'num_retries'?"),
    ("model_list", "router() setting 'model_list' comes from the registry"),
])
def test_unknown_setting_fails_clearly(reg: registry.Registry, setting: str, message: str) -> None:
    with pytest.raises(TypeError) as caught:
        registry.router(reg, **{setting: 1})
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("model_id", "group_model"), [
    ("vllm/llama", "vllm/llama"),
    ("fast", "vllm/llama"),  # an alias
    ("moonshotai/Kimi-K2:novita", "huggingface/moonshotai/Kimi-K2:novita"),  # the fallback provider
])
def test_every_id_the_registry_resolves_goes_to_its_providers_group(reg: registry.Registry, model_id: str,
                                                                   group_model: str) -> None:
    router = registry.router(reg)
    name, extra = router.group_request(model_id, {"max_tokens": 5})
    assert (name, extra) == (group_model, {"max_tokens": 5})
    deployment = router.get_available_deployment(model=name)  # the wildcard group of its provider matches
    assert deployment["model_name"] == f"{reg.route(model_id).provider.prefix}*"


def test_an_effort_is_placed_as_resolve_places_it(reg: registry.Registry) -> None:
    router = registry.router(reg)
    _, extra = router.group_request("moonshotai/Kimi-K2", {"reasoning_effort": "minimal", "extra_body": {"top_k": 5}})
    assert reg.resolve("moonshotai/Kimi-K2", reasoning_effort="minimal")["extra_body"] == {"reasoning_effort": "low"}
    assert extra == {"extra_body": {"reasoning_effort": "low", "top_k": 5}}
    _, extra = router.group_request("vllm/llama", {"reasoning_effort": "high"})
    assert extra == {k: v for k, v in reg.resolve("vllm/llama", reasoning_effort="high").items()
                     if k in ("extra_body", "reasoning_effort")}


def test_refusals_are_those_of_resolve(user_file: Callable[..., Path]) -> None:
    router = registry.router(registry.load(config_path=user_file(REPLICAS), environ={}))
    assert any(note.startswith("provider 'huggingface' is left out") for note in router.registry_notes)
    with pytest.raises(registry.MissingApiKeyError, match="huggingface"):  # left out of the router: no key
        router.group_request("moonshotai/Kimi-K2", {})
    with pytest.raises(registry.InvalidModelIdError):
        router.group_request("vllm/", {})
    with pytest.raises(registry.UnsupportedEffortError):
        router.group_request("ollama/x", {"reasoning_effort": "high", "strict": True})


def test_without_litellm_the_error_names_the_extra(reg: registry.Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "litellm", None)  # import litellm now raises ImportError
    with pytest.raises(registry.MissingDependencyError, match=r"^registry\.router needs litellm") as caught:
        registry.router(reg)
    assert caught.value.hint == "pip install 'provider-registry[litellm]'"


def test_a_session_registry_routes_with_its_session_key(reg: registry.Registry) -> None:
    session = reg.with_keys({"vllm": "sk-session-key-0987654321"})
    params = _deployments(registry.router(session, ["vllm"]), "vllm/*")
    assert [p["api_key"] for p in params] == ["sk-session-key-0987654321"] * 2
    assert [p["api_key"] for p in _deployments(registry.router(reg, ["vllm"]), "vllm/*")] == [REAL_KEY] * 2
