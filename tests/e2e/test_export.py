"""``registry export --format litellm-proxy``: a second proxy started from the exported config
forwards to the first one, and ``api_bases`` become several deployments of one model group."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import litellm
import pytest
import yaml

import registry
from registry.cli import main

from .conftest import MOCK_TEXT, Proxy, start_proxy

pytestmark = pytest.mark.e2e

GATEWAY_KEY = "sk-gateway-9876-e2e"


def test_exported_config_serves_through_a_second_proxy(litellm_proxy: Proxy, user_file: Callable[..., Path],
                                                       tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Two replicas of the same upstream: by IP and by name.
    replica = f"http://localhost:{litellm_proxy.port}/v1"
    upstream = user_file(f"version: 1\nproviders:\n  vllm:\n    api_bases: ['{replica}']\n")
    environ = {"VLLM_BASE_URL": litellm_proxy.base_url, "VLLM_API_KEY": litellm_proxy.master_key}
    exported = tmp_path / "gateway" / "config.yaml"
    exported.parent.mkdir()
    status = main(["export", "--format", "litellm-proxy", "vllm", "--config", str(upstream), "-o", str(exported)],
                  environ=environ)
    captured = capsys.readouterr()
    assert status == 0, captured.err
    text = exported.read_text(encoding="utf-8")
    assert litellm_proxy.master_key not in text + captured.out + captured.err
    config = yaml.safe_load(text)
    assert [(e["model_name"], e["litellm_params"]["api_base"], e["litellm_params"]["api_key"])
            for e in config["model_list"]] == [
        ("vllm/*", litellm_proxy.base_url, "os.environ/VLLM_API_KEY"),
        ("vllm/*", replica, "os.environ/VLLM_API_KEY"),
    ]

    with start_proxy(config, tmp_path / "gateway", master_key=GATEWAY_KEY,
                     env={"VLLM_API_KEY": litellm_proxy.master_key}) as gateway:
        client_file = user_file(
            f"version: 1\nproviders:\n  gateway:\n    api_base: {gateway.base_url}\n    api_key_env: GATEWAY_KEY\n",
            name="client.yaml",
        )
        client = registry.load(config_path=client_file, environ={"GATEWAY_KEY": GATEWAY_KEY})
        kwargs = client.resolve("gateway/vllm/test-model")
        assert kwargs["model"] == "openai/vllm/test-model"
        for _ in range(4):  # the router picks a replica each time; every pick must work
            response = litellm.completion(**kwargs, messages=[{"role": "user", "content": "hi"}],
                                          max_tokens=5, num_retries=0)
            assert response.choices[0].message.content == MOCK_TEXT
        (item,) = registry.probe(client, "gateway").probes
        assert item.up and "vllm/*" not in item.reason
