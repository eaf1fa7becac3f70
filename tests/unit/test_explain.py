"""``registry.explain``: why a model id goes where it goes, and errors that carry their fix."""

from __future__ import annotations

import pytest

import registry
from registry.explain import explain_resolve


def test_missing_key_on_a_fallback_typo_carries_the_suggestion() -> None:
    reg = registry.load(environ={})
    with pytest.raises(registry.MissingApiKeyError) as info:
        explain_resolve(reg, "olama/llama3")
    assert info.value.suggestion == "ollama/llama3"
    assert info.value.hint == (f"did you mean 'ollama/llama3'? If not: {HF_HELP}")


HF_HELP = "run 'hf auth login', or create a token at https://huggingface.co/settings/tokens"


def test_missing_key_without_a_typo_hints_how_to_get_one() -> None:
    with pytest.raises(registry.MissingApiKeyError) as info:
        explain_resolve(registry.load(environ={}), "huggingface/org/model")
    assert info.value.hint == HF_HELP


def test_an_id_routed_nowhere_is_invalid_with_its_suggestion(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: null\n", encoding="utf-8")
    with pytest.raises(registry.InvalidModelIdError) as info:
        explain_resolve(registry.load(config_path=path, environ={}), "Ollama/llama3")
    assert info.value.hint == "did you mean 'ollama/llama3'?"


def test_resolution_masks_the_key_and_names_the_layers() -> None:
    result = explain_resolve(registry.load(environ={"HF_TOKEN": "hf_0123456789abcdef0123"}),
                             "moonshotai/Kimi-K2:novita")
    assert result.via_fallback and result.provider == "huggingface"
    assert result.kwargs["api_key"] == "****0123"
    assert result.as_dict()["origins"]["api_key"] == {"layer": "env", "source": "HF_TOKEN", "line": None}
