"""``registry.views``: the tables of ``registry list``, ``show`` and ``paths``."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

import registry
from registry.views import describe_provider, provider_rows


def test_describe_provider_json_shape() -> None:
    reg = registry.load(environ={})
    shown = describe_provider(reg, "huggingface").as_dict()
    assert list(shown) == ["name", "fallback", "fields", "available", "unavailable"]
    assert (shown["available"], shown["unavailable"]) == (True, None)
    assert (shown["name"], shown["fallback"]) == ("huggingface", True)
    assert shown["fields"][0] == {"field": "name", "value": "huggingface", "layer": "default",
                                  "source": shown["fields"][0]["source"], "line": shown["fields"][0]["line"]}


def test_describe_unknown_provider_raises_with_the_suggestion() -> None:
    with pytest.raises(registry.UnknownProviderError) as info:
        describe_provider(registry.load(environ={}), "olama")
    assert (info.value.suggestion, info.value.hint) == ("ollama", "did you mean 'ollama'?")


def test_describe_disabled_provider_says_how_to_enable_it(user_file: Callable[..., Path]) -> None:
    path = user_file("version: 1\nproviders:\n  vllm:\n    enabled: false\n")
    with pytest.raises(registry.UnknownProviderError) as info:
        describe_provider(registry.load(config_path=path, environ={}), "vllm")
    assert info.value.hint == "provider 'vllm' is disabled ('enabled: false'); remove that line to enable it"


def test_provider_rows_are_sorted_and_name_no_key() -> None:
    rows = provider_rows(registry.load(environ={"HF_TOKEN": "hf_0123456789abcdef0123"}))
    assert [r.name for r in rows] == sorted(r.name for r in rows)
    assert {r.name: r.key_source for r in rows}["huggingface"] == "HF_TOKEN"
