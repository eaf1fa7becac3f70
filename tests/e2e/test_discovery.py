"""Discovery against a real OpenAI-compatible server: LiteLLM's proxy on loopback, found through
the generic ``GET /v1/models`` path (it has none of the native endpoints)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import registry
from registry.cli import main
from registry.discovery import cached_models, discover

from .conftest import MODELS, Proxy


@pytest.mark.e2e
def test_discovery_finds_the_proxys_models_through_the_generic_list(vllm_env: dict[str, str]) -> None:
    reg = registry.load(config_path=None, environ=vllm_env)
    found = discover(reg, "vllm").for_provider("vllm")
    assert found is not None and found.ok, found
    assert found.server == "openai"  # no max_model_len, no /props, /api/v0/models or /api/tags
    assert [m.id for m in found.models] == sorted(MODELS)
    assert all(m.sources == {} for m in found.models)  # the proxy states no context window
    cached = cached_models(reg, "vllm")
    assert cached is not None and [m.id for m in cached.models] == sorted(MODELS)


@pytest.mark.e2e
def test_registry_models_for_a_user_provider_with_the_master_key(
        litellm_proxy: Proxy, user_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = user_file(f"version: 1\nproviders:\n  proxy:\n    api_base: {litellm_proxy.base_url}\n"
                     "    api_key_env: PROXY_API_KEY\n")
    environ = {"PROVIDER_REGISTRY_CONFIG": str(path), "PROXY_API_KEY": litellm_proxy.master_key}
    status = main(["models", "proxy", "--refresh", "--json"], environ=environ)
    out, err = capsys.readouterr()
    assert status == 0, out + err
    (entry,) = json.loads(out)["results"]
    assert entry["ok"] and entry["server"] == "openai"
    assert [m["id"] for m in entry["models"]] == sorted(MODELS)
    assert litellm_proxy.master_key not in out + err


@pytest.mark.e2e
def test_a_wrong_key_is_the_proxys_answer(litellm_proxy: Proxy, user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  proxy:\n    api_base: {litellm_proxy.base_url}\n"
                     "    api_key_env: PROXY_API_KEY\n")
    wrong = "sk-wrong-discovery-5678abcd"
    found = discover(registry.load(config_path=path, environ={"PROXY_API_KEY": wrong}), "proxy").results[0]
    assert not found.ok and found.reason is not None and found.reason.startswith("HTTP 4")
    assert wrong not in found.reason and "(the key from PROXY_API_KEY was sent)" in found.reason
