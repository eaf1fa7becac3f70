"""``registry.export``: the LiteLLM proxy config built from a registry. No network."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable

import pytest
import yaml

import registry
from registry.export import (
    ROUTER_SETTINGS,
    check_num_retries,
    export_litellm_proxy,
    export_litellm_proxy_text,
    plan_litellm_proxy,
    router_model_list,
)

REAL_KEY = "sk-real-key-abcdef123456"


def _params(config: dict, model_name: str) -> list[dict]:
    return [e["litellm_params"] for e in config["model_list"] if e["model_name"] == model_name]


def test_every_enabled_provider_becomes_a_wildcard_group() -> None:
    reg = registry.load(environ={})
    config = export_litellm_proxy(reg)
    assert [e["model_name"] for e in config["model_list"]] == [f"{p.prefix}*" for p in reg.providers.values()]
    assert _params(config, "ollama/*") == [{"model": "openai/*", "api_base": "http://localhost:11434/v1",
                                            "api_key": "ollama"}]


def test_key_from_the_environment_is_a_reference_to_that_variable() -> None:
    reg = registry.load(environ={"LOCAL_LLM_API_KEY": REAL_KEY})
    plan = plan_litellm_proxy(reg, ["vllm"])
    assert _params(plan.config, "vllm/*")[0]["api_key"] == "os.environ/LOCAL_LLM_API_KEY"
    assert plan.env_vars == ("LOCAL_LLM_API_KEY",)
    assert REAL_KEY not in plan.yaml()


def test_missing_key_references_the_first_variable() -> None:
    config = export_litellm_proxy(registry.load(environ={}), ["huggingface"])
    assert _params(config, "huggingface/*")[0]["api_key"] == "os.environ/HF_TOKEN"


def test_inline_user_file_key_is_never_written(user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9000/v1\n    api_key: {REAL_KEY}\n"
                     "    headers: {X-Token: secret-header-value-99}\n")
    plan = plan_litellm_proxy(registry.load(config_path=path, environ={}), ["box"])
    text = plan.yaml()
    assert REAL_KEY not in text and "secret-header-value-99" not in text
    assert _params(plan.config, "box/*")[0]["api_key"] == "os.environ/BOX_API_KEY"
    assert any("BOX_API_KEY" in note for note in plan.notes)
    assert any("X-Token" in note for note in plan.notes)


def test_api_bases_become_deployments_of_one_group(user_file: Callable[..., Path]) -> None:
    path = user_file("version: 1\nproviders:\n  vllm:\n    api_bases: ['http://10.0.0.2:8000/v1', 'http://10.0.0.3:8000/v1']\n"
                     "    timeout: 30\n")
    config = export_litellm_proxy(registry.load(config_path=path, environ={}), ["vllm"])
    params = _params(config, "vllm/*")
    assert [p["api_base"] for p in params] == ["http://127.0.0.1:8000/v1", "http://10.0.0.2:8000/v1",
                                              "http://10.0.0.3:8000/v1"]
    assert all(p["model"] == "openai/*" and p["timeout"] == 30.0 for p in params)
    assert config["router_settings"]["num_retries"] == 2


def test_model_ids_become_explicit_groups() -> None:
    config = export_litellm_proxy(registry.load(environ={}), models=["ollama/llama3.1:8b", "moonshotai/Kimi-K2:novita"])
    assert [(e["model_name"], e["litellm_params"]["model"]) for e in config["model_list"]] == [
        ("ollama/llama3.1:8b", "openai/llama3.1:8b"),
        ("moonshotai/Kimi-K2:novita", "openai/moonshotai/Kimi-K2:novita"),
    ]


def test_text_is_yaml_that_round_trips() -> None:
    reg = registry.load(environ={})
    assert yaml.safe_load(export_litellm_proxy_text(reg)) == export_litellm_proxy(reg)


def test_unknown_provider_has_a_did_you_mean() -> None:
    with pytest.raises(registry.UnknownProviderError, match="did you mean 'ollama'"):
        export_litellm_proxy(registry.load(environ={}), ["olama"])


@pytest.mark.parametrize("bad", [-1, True, 1.5, "2"])
def test_num_retries_must_be_a_whole_number_of_zero_or_more(bad: object) -> None:
    with pytest.raises(ValueError, match=r"^num_retries must be 0 or more"):
        plan_litellm_proxy(registry.load(environ={}), num_retries=bad)  # type: ignore[arg-type]
    assert check_num_retries(0) == 0


def test_json_shape() -> None:
    plan = plan_litellm_proxy(registry.load(environ={}), ["vllm"])
    assert plan.as_dict("out.yaml") == {"format": "litellm-proxy", "output": "out.yaml", "config": plan.config,
                                        "env_vars": list(plan.env_vars), "notes": list(plan.notes)}


def test_router_settings_are_the_tuned_defaults() -> None:
    settings = export_litellm_proxy(registry.load(environ={}))["router_settings"]
    assert settings == {"routing_strategy": "simple-shuffle", "num_retries": 2, "enable_weighted_failover": True}
    assert settings == dict(ROUTER_SETTINGS)
    assert export_litellm_proxy(registry.load(environ={}), num_retries=0)["router_settings"]["num_retries"] == 0


def _router_params(model_list: list[dict], model_name: str) -> list[dict]:
    return _params({"model_list": model_list}, model_name)


def test_router_model_list_carries_the_real_key_and_headers(user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9000/v1\n"
                     f"    api_bases: [http://127.0.0.1:9001/v1]\n"
                     f"    api_key: {REAL_KEY}\n    headers: {{X-Token: secret-header-value-99}}\n    timeout: 5\n")
    model_list, notes = router_model_list(registry.load(config_path=path, environ={}), ["box"])
    assert _router_params(model_list, "box/*") == [
        {"model": "openai/*", "api_base": base, "api_key": REAL_KEY,
         "extra_headers": {"X-Token": "secret-header-value-99"}, "timeout": 5.0}
        for base in ("http://127.0.0.1:9000/v1", "http://127.0.0.1:9001/v1")]
    assert notes == ()


def test_router_model_list_takes_the_per_session_key() -> None:
    base = registry.load(environ={})
    session = base.with_keys({"huggingface": "hf_session_key_1234567890"})
    model_list, notes = router_model_list(session, ["huggingface"])
    assert [p["api_key"] for p in _router_params(model_list, "huggingface/*")] == ["hf_session_key_1234567890"]
    assert session.api_key("huggingface").reveal() == "hf_session_key_1234567890"
    assert base.api_key("huggingface") is None and not base.has_key("huggingface")


def test_router_model_list_leaves_out_a_provider_without_a_key() -> None:
    reg = registry.load(environ={})
    model_list, notes = router_model_list(reg)
    assert "huggingface/*" not in [e["model_name"] for e in model_list]
    assert "ollama/*" in [e["model_name"] for e in model_list]
    assert any(note.startswith("provider 'huggingface' is left out: provider 'huggingface' needs an API key")
               for note in notes)
    with pytest.raises(registry.MissingApiKeyError):
        router_model_list(reg, ["huggingface"])


def test_the_proxy_plan_never_holds_a_key(user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9000/v1\n"
                     f"    api_key: {REAL_KEY}\n    headers: {{X-Token: secret-header-value-99}}\n")
    plan = plan_litellm_proxy(registry.load(config_path=path, environ={}), ["box"])
    for text in (plan.yaml(), repr(plan), str(plan.as_dict())):
        assert REAL_KEY not in text and "secret-header-value-99" not in text


def test_a_failing_key_command_leaves_only_its_provider_out_of_a_router(user_file: Callable[..., Path]) -> None:
    path = user_file("version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9000/v1\n"
                     f"    api_key_command: [{json.dumps(sys.executable)}, -c, 'import sys; sys.exit(3)']\n")
    reg = registry.load(config_path=path, environ={})
    model_list, notes = router_model_list(reg)
    assert "box/*" not in [e["model_name"] for e in model_list] and "ollama/*" in [e["model_name"] for e in model_list]
    assert any(note.startswith("provider 'box' is left out:") and "exit" in note for note in notes), notes
    with pytest.raises(registry.ConfigError):
        router_model_list(reg, ["box"])
