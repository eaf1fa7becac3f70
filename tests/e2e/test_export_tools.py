"""Tool exports end to end against a real OpenAI-compatible server (LiteLLM's proxy): llm and
opencode each complete through the exported config, their key reaching them only by reference
(llm's key store, opencode's ``{env:VAR}``). opencode fetches its own npm packages on first run
(the package index is reachable in CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from registry.cli import main

from .conftest import MOCK_TEXT, Proxy

pytestmark = pytest.mark.e2e

# Read at import: the autouse fixture removes every PROVIDER_REGISTRY_* variable from the tests.
LLM = os.environ.get("PROVIDER_REGISTRY_TEST_LLM") or shutil.which("llm")
OPENCODE = os.environ.get("PROVIDER_REGISTRY_TEST_OPENCODE") or shutil.which("opencode")


def _llm(args: list[str], user_dir: Path, home: Path) -> subprocess.CompletedProcess[str]:
    assert LLM is not None
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LLM_USER_PATH": str(user_dir),
           "LANG": "C.UTF-8"}  # no OPENAI_API_KEY: llm's fallback for a key it lacks
    return subprocess.run([LLM, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(LLM is None, reason="llm not found: set PROVIDER_REGISTRY_TEST_LLM or put llm on PATH")
def test_llm_completes_through_a_discovered_and_exported_model(litellm_proxy: Proxy, vllm_env: dict[str, str],
                                                               tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "vllm", "--refresh"], environ=vllm_env) == 0
    user_dir, home = tmp_path / "llm", tmp_path / "home"
    home.mkdir()
    out = user_dir / "extra-openai-models.yaml"
    user_dir.mkdir()
    assert main(["export", "--format", "llm", "vllm", "-o", str(out)], environ=vllm_env) == 0
    captured = capsys.readouterr()
    text = out.read_text(encoding="utf-8")
    assert litellm_proxy.master_key not in text + captured.out + captured.err
    assert "model_id: vllm/test-model" in text and "api_key_name: VLLM_API_KEY" in text
    # No key stored under the exported name yet: llm refuses rather than sending someone else's.
    refused = _llm(["-m", "vllm/test-model", "--no-log", "hi"], user_dir, home)
    assert refused.returncode != 0 and "llm keys set VLLM_API_KEY" in refused.stdout + refused.stderr
    stored = _llm(["keys", "set", "VLLM_API_KEY", "--value", litellm_proxy.master_key], user_dir, home)
    assert stored.returncode == 0, stored.stderr
    answered = _llm(["-m", "vllm/test-model", "--no-log", "--no-stream", "hi"], user_dir, home)
    assert answered.returncode == 0, answered.stderr
    assert MOCK_TEXT in answered.stdout


@pytest.mark.skipif(OPENCODE is None, reason=(
    "opencode not found: set PROVIDER_REGISTRY_TEST_OPENCODE or put opencode on PATH (npm install opencode-ai)"))
def test_opencode_runs_a_prompt_through_the_exported_provider(litellm_proxy: Proxy, vllm_env: dict[str, str],
                                                              tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "opencode.json"
    assert main(["export", "--format", "opencode", "--model", "vllm/test-model", "-o", str(out)], environ=vllm_env) == 0
    captured = capsys.readouterr()
    text = out.read_text(encoding="utf-8")
    assert litellm_proxy.master_key not in text + captured.out + captured.err and "{env:VLLM_API_KEY}" in text
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_STATE_HOME": str(home / "state"), "OPENCODE_CONFIG": str(out), "OPENCODE_DISABLE_MODELS_FETCH": "1",
           "OPENCODE_DISABLE_AUTOUPDATE": "1", "VLLM_API_KEY": litellm_proxy.master_key, "LANG": "C.UTF-8"}
    assert OPENCODE is not None
    ran = subprocess.run([OPENCODE, "run", "--pure", "-m", "vllm/test-model", "say hi"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert MOCK_TEXT in ran.stdout + ran.stderr
