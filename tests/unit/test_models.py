"""Per-model metadata declared in providers files (issue 13): schema, merge by name, origins."""

from __future__ import annotations

from pathlib import Path

import pytest

import registry
from registry import ConfigError
from registry.cli import main


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_a_declared_context_window_comes_back_with_its_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "version: 1\nproviders:\n  ollama:\n    models:\n      qwen3:8b:\n"
                 "        context_window: 32768\n        tools: true\n")
    reg = registry.load(config_path=path, environ={})
    info = reg.model_info("ollama/qwen3:8b")
    assert (info.provider, info.model, info.context_window, info.tools, info.vision) == ("ollama", "qwen3:8b", 32768, True, None)
    assert info.sources["context_window"] == f"user {path}:6"
    assert info.sources["tools"] == f"user {path}:7"
    assert info.served is None  # no cached server list
    assert info.thinking == "extra_body" and info.sources["thinking"].startswith("default ")
    spec = reg.provider("ollama").models["qwen3:8b"]
    assert spec.origins["name"] == registry.Origin("user", str(path), 5)


def test_models_merge_by_name_field_by_field_across_layers(tmp_path: Path) -> None:
    app = write(tmp_path / "app.yaml", "version: 1\nproviders:\n  vllm:\n    models:\n"
                "      qwen3-8b: {context_window: 40960, reasoning: true}\n      llama3: {tools: true}\n")
    user = write(tmp_path / "user.yaml", "version: 1\nproviders:\n  vllm:\n    models:\n"
                 "      qwen3-8b: {context_window: 16384}\n")
    reg = registry.load(config_path=user, environ={}, defaults=app)
    info = reg.model_info("vllm/qwen3-8b")
    assert (info.context_window, info.reasoning) == (16384, True)
    assert info.sources["context_window"].startswith(f"user {user}:5")
    assert info.sources["reasoning"].startswith(f"app {app}:5")
    assert reg.model_info("vllm/llama3").tools is True
    assert reg.model_info("vllm/unknown").context_window is None


def test_a_tag_falls_back_to_the_untagged_entry(tmp_path: Path) -> None:
    path = write(tmp_path / "p.yaml", "version: 1\nproviders:\n  ollama:\n    models:\n      qwen3: {vision: false}\n"
                 "  huggingface:\n    models:\n      moonshotai/Kimi-K2.6: {context_window: 262144}\n")
    reg = registry.load(config_path=path, environ={})
    assert reg.model_info("ollama/qwen3:8b").vision is False
    assert reg.model_info("moonshotai/Kimi-K2.6:novita").context_window == 262144


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("      qwen3:8b: {context_windw: 32768}\n", "unknown key 'context_windw'", "did you mean 'context_window'?"),
    ("      qwen3:8b: {context_window: 0}\n", "context_window", None),
    ("      qwen3:8b: {tools: \"yes\"}\n", "expected true or false", None),
    ("      qwen3:8b: {thinking: enable_thinking}\n", "'enable_thinking'", None),
])
def test_model_fields_are_checked_like_provider_fields(tmp_path: Path, text: str, message: str, hint: str | None) -> None:
    path = write(tmp_path / "p.yaml", "version: 1\nproviders:\n  ollama:\n    models:\n" + text)
    with pytest.raises(ConfigError) as info:
        registry.load(config_path=path, environ={})
    assert message in str(info.value) and info.value.line == 5
    if hint:
        assert info.value.hint == hint


def test_show_lists_each_declared_model_field_with_its_origin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.yaml", "version: 1\nproviders:\n  ollama:\n    models:\n      qwen3:8b:\n"
                 "        context_window: 32768\n")
    assert main(["--config", str(path), "show", "ollama"], environ={}) == 0
    out = capsys.readouterr().out
    assert f"user     {path}:6" in out and "models.qwen3:8b.context_window = 32768" in out
