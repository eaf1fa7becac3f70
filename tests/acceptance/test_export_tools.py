"""``registry export --format llm|continue|opencode`` end to end: the CLI writes the file, and
each tool's own loader reads it back (llm's ``llm models list``, Continue's
``@continuedev/config-yaml`` parser and validator, ``opencode models`` / ``opencode debug
config``). No network: every tool is pointed at temp directories and runs offline.

Where the tools are: ``PROVIDER_REGISTRY_TEST_LLM`` (the ``llm`` executable, in its own venv),
``PROVIDER_REGISTRY_TEST_CONTINUE`` (the ``@continuedev/config-yaml`` package directory) and
``PROVIDER_REGISTRY_TEST_OPENCODE`` (the ``opencode`` executable); .ci/run installs them and sets
these. A test is skipped only when its variable is unset and the tool is not on PATH either.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from registry.cli import main

CANARY = "sk-canary-export-0123456789abcdef"
HEADER_CANARY = "secret-header-value-99"
ODD = "org/We:ird#1&\u00e9'"
LOADERS = Path(__file__).resolve().parent.parent / "loaders"
# Read at import: the autouse fixture removes every PROVIDER_REGISTRY_* variable from the tests.
LLM = os.environ.get("PROVIDER_REGISTRY_TEST_LLM") or shutil.which("llm")
OPENCODE = os.environ.get("PROVIDER_REGISTRY_TEST_OPENCODE") or shutil.which("opencode")


def _continue_package() -> str | None:
    given = os.environ.get("PROVIDER_REGISTRY_TEST_CONTINUE")
    if given:
        return given
    cli = shutil.which("config-yaml")  # the package's own bin, dist/cli.js
    return str(Path(cli).resolve().parent.parent) if cli else None


CONTINUE = _continue_package()
NODE = shutil.which("node")

needs_llm = pytest.mark.skipif(LLM is None, reason="llm not found: set PROVIDER_REGISTRY_TEST_LLM or put llm on PATH")
needs_continue = pytest.mark.skipif(CONTINUE is None or NODE is None, reason=(
    "@continuedev/config-yaml not found: set PROVIDER_REGISTRY_TEST_CONTINUE to its package directory "
    "(npm install @continuedev/config-yaml) and have node on PATH"))
needs_opencode = pytest.mark.skipif(OPENCODE is None, reason=(
    "opencode not found: set PROVIDER_REGISTRY_TEST_OPENCODE or put opencode on PATH (npm install opencode-ai)"))

BOX = f"""version: 1
aliases:
  quick: box/plain
providers:
  box:
    api_base: http://127.0.0.1:9000/v1
    api_bases: ['http://127.0.0.1:9001/v1']
    api_key_env: BOX_KEY
    timeout: 30
    headers: {{X-Token: {HEADER_CANARY}}}
    models:
      "{ODD}": {{context_window: 32000, max_output_tokens: 4096, tools: true, vision: true}}
      plain: {{context_window: 8192, max_output_tokens: 2048, reasoning: true}}
"""


def export(tmp_path: Path, user_file: Callable[..., Path], capsys: pytest.CaptureFixture[str], tool: str,
           name: str, *extra: str) -> tuple[Path, str, str]:
    """Run ``registry export --format tool box ... -o tmp_path/name``: the file, stdout, stderr."""
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    status = main(["export", "--format", tool, "box", "--model", "ollama/llama3.1:8b", "--config", str(user_file(BOX)),
                   "-o", str(out), *extra], environ={"BOX_KEY": CANARY})
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert CANARY not in out.read_text(encoding="utf-8") + captured.out + captured.err
    assert HEADER_CANARY not in out.read_text(encoding="utf-8") + captured.out + captured.err
    return out, captured.out, captured.err


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment with a temp home, so no tool reads or writes the real user's files."""
    home = tmp_path / "tool-home"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_CACHE_HOME": str(home / "cache"),
           "XDG_STATE_HOME": str(home / "state"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


# -- the CLI ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("tool", ["llm", "continue", "opencode"])
def test_cli_json_has_the_config_models_and_notes(tool: str, user_file: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["export", "--format", tool, "box", "--config", str(user_file(BOX)), "--json"],
                  environ={"BOX_KEY": CANARY})
    captured = capsys.readouterr()
    assert status == 0, captured.err
    data = json.loads(captured.out)
    assert data["format"] == tool and data["output"] is None and data["env_vars"] == ["BOX_KEY"]
    assert [m["id"] for m in data["models"]] == [f"box/{ODD}", "box/plain"]
    assert any("replicas" in note for note in data["notes"]) and "registry: note:" in captured.err
    assert CANARY not in captured.out + captured.err


def test_cli_text_goes_to_stdout(user_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "opencode", "box", "--config", str(user_file(BOX))], environ={}) == 0
    assert json.loads(capsys.readouterr().out)["provider"]["box"]["options"]["apiKey"] == "{env:BOX_KEY}"


def test_cli_num_retries_is_for_the_proxy_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "llm", "--num-retries", "3"], environ={}) == 2
    assert "--num-retries applies to --format litellm-proxy only" in capsys.readouterr().err


def test_cli_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "aider"], environ={}) == 2
    assert "invalid choice: 'aider'" in capsys.readouterr().err


def test_cli_provider_without_models_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "continue", "vllm"], environ={}) == 0
    assert "provider 'vllm' has no known models" in capsys.readouterr().err


# -- each tool's own loader ---------------------------------------------------------------------------

@needs_llm
def test_llm_lists_the_exported_models_and_no_key(tmp_path: Path, user_file: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    user_dir = tmp_path / "llm"
    export(tmp_path, user_file, capsys, "llm", "llm/extra-openai-models.yaml")
    env = isolated_env(tmp_path, LLM_USER_PATH=str(user_dir), BOX_KEY=CANARY)
    assert LLM is not None
    listed = subprocess.run([LLM, "models", "list"], env=env, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stderr
    for model_id in (f"box/{ODD}", "box/plain", "ollama/llama3.1:8b"):
        assert f"OpenAI Chat: {model_id}" in listed.stdout.splitlines() \
            or any(line.startswith(f"OpenAI Chat: {model_id} ") for line in listed.stdout.splitlines())
    assert "(aliases: quick)" in listed.stdout
    tools = subprocess.run([LLM, "models", "list", "--tools"], env=env, capture_output=True, text=True, timeout=120)
    assert f"box/{ODD}" in tools.stdout and "box/plain" not in tools.stdout
    assert CANARY not in listed.stdout + listed.stderr + tools.stdout
    # The key is looked up by name in llm's store, where the user puts it: llm finds it there.
    keys = subprocess.run([LLM, "keys", "set", "BOX_KEY", "--value", CANARY], env=env, capture_output=True,
                          text=True, timeout=120)
    assert keys.returncode == 0, keys.stderr
    shown = subprocess.run([LLM, "keys", "get", "BOX_KEY"], env=env, capture_output=True, text=True, timeout=120)
    assert shown.stdout.strip() == CANARY


@needs_continue
def test_continue_parses_and_validates_the_export(tmp_path: Path, user_file: Callable[..., Path],
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out, _, _ = export(tmp_path, user_file, capsys, "continue", "config.yaml")
    assert NODE is not None and CONTINUE is not None
    loaded = subprocess.run([NODE, str(LOADERS / "continue_load.mjs"), CONTINUE, str(out)], env=isolated_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    data = json.loads(loaded.stdout)
    assert data["name"] == "provider-registry" and data["templateVariables"] == ["secrets.BOX_KEY"]
    assert [(m["name"], m["model"], m["apiBase"], m["apiKey"]) for m in data["models"]] == [
        (f"box/{ODD}", ODD, "http://127.0.0.1:9000/v1", "${{ secrets.BOX_KEY }}"),
        ("box/plain", "plain", "http://127.0.0.1:9000/v1", "${{ secrets.BOX_KEY }}"),
        ("ollama/llama3.1:8b", "llama3.1:8b", "http://localhost:11434/v1", "ollama"),
    ]
    assert data["models"][0]["capabilities"] == ["tool_use", "image_input"]
    assert data["models"][0]["defaultCompletionOptions"] == {"contextLength": 32000, "maxTokens": 4096}


@needs_continue
def test_continue_loader_rejects_a_bad_file(tmp_path: Path) -> None:
    """The loader test can fail: Continue's parser refuses a model without its required fields."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"name": "x", "version": "1", "schema": "v1", "models": [{"name": 5}]}))
    assert NODE is not None and CONTINUE is not None
    loaded = subprocess.run([NODE, str(LOADERS / "continue_load.mjs"), CONTINUE, str(bad)], env=isolated_env(tmp_path),
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 1 and "parseConfigYaml" in loaded.stderr


def _opencode(tmp_path: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = isolated_env(tmp_path, OPENCODE_CONFIG=str(config), OPENCODE_DISABLE_MODELS_FETCH="1",
                       OPENCODE_DISABLE_AUTOUPDATE="1", BOX_KEY=CANARY)
    assert OPENCODE is not None
    return subprocess.run([OPENCODE, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180)


@needs_opencode
def test_opencode_loads_the_export_and_lists_its_models(tmp_path: Path, user_file: Callable[..., Path],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out, _, _ = export(tmp_path, user_file, capsys, "opencode", "opencode.json")
    resolved = _opencode(tmp_path, out, "debug", "config")
    assert resolved.returncode == 0, resolved.stderr
    box = json.loads(resolved.stdout)["provider"]["box"]
    assert box["options"]["baseURL"] == "http://127.0.0.1:9000/v1"
    assert box["models"][ODD]["limit"] == {"context": 32000, "output": 4096}
    listed = _opencode(tmp_path, out, "models", "box")
    assert listed.returncode == 0, listed.stderr
    assert {f"box/{ODD}", "box/plain"} <= set(listed.stdout.split())
    assert "ollama/llama3.1:8b" in _opencode(tmp_path, out, "models", "ollama").stdout.split()
    assert CANARY not in resolved.stdout + resolved.stderr + listed.stdout + listed.stderr


@needs_opencode
def test_opencode_loader_rejects_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"provider": {"box": {"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": 5},
                                                    "models": {}}}}))
    rejected = _opencode(tmp_path, bad, "debug", "config")
    assert rejected.returncode != 0 and "baseURL" in rejected.stdout + rejected.stderr
