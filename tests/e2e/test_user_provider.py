"""A provider added in the user file, with no code change, works end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import litellm
import pytest

import registry
from registry.cli import main

from .conftest import MOCK_TEXT, Proxy

pytestmark = pytest.mark.e2e


@pytest.fixture
def gpu_box(litellm_proxy: Proxy, user_file: Callable[..., Path]) -> Path:
    return user_file(
        "version: 1\n"
        "providers:\n"
        "  gpu-box:\n"
        f"    api_base: {litellm_proxy.base_url}\n"
        "    api_key_env: GPU_BOX_TOKEN\n"
        "    efforts: [low]\n"
        "    description: the team's shared GPU server\n"
    )


def test_user_provider_routes_resolves_and_completes(gpu_box: Path, litellm_proxy: Proxy) -> None:
    reg = registry.load(config_path=gpu_box, environ={"GPU_BOX_TOKEN": litellm_proxy.master_key})
    check = reg.check_model_id("gpu-box/test-model")
    assert (check.ok, check.provider, check.model) == (True, "gpu-box", "test-model")
    kwargs = reg.resolve("gpu-box/test-model", reasoning_effort="low")
    assert kwargs["model"] == "openai/test-model" and kwargs["extra_body"] == {"reasoning_effort": "low"}
    response = litellm.completion(**kwargs, messages=[{"role": "user", "content": "hi"}], max_tokens=5, num_retries=0)
    assert response.choices[0].message.content == MOCK_TEXT


def test_user_provider_is_checked_by_the_cli(gpu_box: Path, litellm_proxy: Proxy,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "gpu-box/other-model", "--config", str(gpu_box), "--json"],
                  environ={"GPU_BOX_TOKEN": litellm_proxy.master_key})
    out = capsys.readouterr().out
    assert status == 0
    (entry,) = json.loads(out)["probes"]
    assert entry["provider"] == "gpu-box" and entry["model_listed"] is True


def test_user_provider_without_its_key_says_which_variable(gpu_box: Path) -> None:
    reg = registry.load(config_path=gpu_box, environ={})
    with pytest.raises(registry.MissingApiKeyError, match="set GPU_BOX_TOKEN"):
        reg.resolve("gpu-box/test-model")
    (item,) = registry.probe(reg, "gpu-box").probes
    assert item.status == 500 and "no key was sent; set GPU_BOX_TOKEN" in item.reason
