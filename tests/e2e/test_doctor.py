"""``registry doctor`` against LiteLLM's real proxy: a base URL pasted with ``/chat/completions``
(which ``load`` refuses) is fixed to the proxy's ``/v1``, the proxy is named, and a completion works."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.cli import main

from .conftest import Proxy


def _env(tmp_path: Path, proxy: Proxy) -> dict[str, str]:
    path = tmp_path / "providers.yaml"
    path.write_text("version: 1\nproviders:\n  vllm:\n"
                    f"    api_base: http://127.0.0.1:{proxy.port}/v1/chat/completions\n"
                    "    api_key_env: DOCTOR_PROXY_KEY\n", encoding="utf-8")
    return {"PROVIDER_REGISTRY_CONFIG": str(path), "DOCTOR_PROXY_KEY": proxy.master_key, "HOME": str(tmp_path)}


@pytest.mark.e2e
def test_doctor_fixes_a_pasted_endpoint_and_names_the_proxy(litellm_proxy: Proxy, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["doctor", "vllm", "--timeout", "10"], environ=_env(tmp_path, litellm_proxy))
    out, err = capsys.readouterr()
    assert status == 1, out + err
    assert f"api_base: http://127.0.0.1:{litellm_proxy.port}/v1" in out
    assert f"    providers:\n      vllm:\n        api_base: http://127.0.0.1:{litellm_proxy.port}/v1\n" in out
    assert "server: LiteLLM's proxy" in out
    assert "in the user file ~/providers.yaml:4, write:" in out
    assert "endpoint-path" in err
    assert litellm_proxy.master_key not in out + err


@pytest.mark.e2e
def test_doctor_completion_reports_that_chat_works(litellm_proxy: Proxy, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    env = _env(tmp_path, litellm_proxy)
    status = main(["doctor", "vllm", "--completion", "--timeout", "20"], environ=env)
    out, err = capsys.readouterr()
    assert status == 1, out + err  # the base URL still needs the fix
    assert "listing works, chat works" in out
    assert litellm_proxy.master_key not in out + err
    status = main(["doctor", "vllm", "--completion", "--json", "--timeout", "20"], environ=env)
    (verdict,) = json.loads(capsys.readouterr().out)["verdicts"]
    assert verdict["kind"] == "litellm" and verdict["completion"]["ok"] is True
    assert verdict["working"] == f"http://127.0.0.1:{litellm_proxy.port}/v1"


@pytest.mark.e2e
def test_doctor_with_a_wrong_key_names_the_proxy_and_quotes_its_answer(litellm_proxy: Proxy, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    env = {**_env(tmp_path, litellm_proxy), "DOCTOR_PROXY_KEY": "sk-wrong-doctor-key-98765"}
    status = main(["doctor", "vllm", "--timeout", "10"], environ=env)
    out, err = capsys.readouterr()
    assert status == 1
    # Without a database the proxy answers a key it does not know with 400, not 401 (see test_check).
    assert "vllm: down: nothing listed models (LiteLLM's proxy)" in out
    assert "HTTP 400 Bad Request: No connected db." in out
    assert "server: LiteLLM's proxy" in out
    assert "sk-wrong-doctor-key-98765" not in out + err
