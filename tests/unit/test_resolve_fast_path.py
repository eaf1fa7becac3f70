"""The resolve fast path (resolve.Route, used by Registry.resolve) gives exactly the answer, or
the error, of the full path ``resolve_model`` for every id and option."""

from __future__ import annotations

from pathlib import Path

import pytest

import registry
from registry.resolve import resolve_model

USER = """\
version: 1
aliases:
  fast: ollama/llama3.1:8b
providers:
  vllm:
    enabled: false
  keyed:
    api_base: http://127.0.0.1:9000/v1
    api_key_env: KEYED_API_KEY
    headers: {X-Title: bench}
    timeout: 30
    efforts: [low, high]
    effort_aliases: {minimal: low}
  nokey:
    api_base: http://127.0.0.1:9001/v1
"""
IDS = [
    "ollama/llama3.1:8b", "ollama/", "ollama", "fast", "moonshotai/Kimi-K2.6:novita", "gpt-4",
    "huggingface/org/model:tag", "huggingface/not a hub id", "huggingface/x", "vllm/m", "keyed/m",
    "nokey/m", "olama/llama3.1:8b", "a/b/c", "/x", "", " ollama/x", "ollama/x\n", "ollama/\u200bx",
    "x" * 600, "ollama/" + "y" * 510, "keyed/" + "z" * 505, 42, None,
]
EFFORTS = [None, "high", "low", "minimal", "medium", "none", "turbo"]


def outcome(call):
    try:
        return ("ok", call())
    except registry.RegistryError as exc:
        return (type(exc).__name__, str(exc))


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    path: Path = tmp_path_factory.mktemp("fast") / "providers.yaml"
    path.write_text(USER, encoding="utf-8")
    return registry.load(config_path=path, environ={"HF_TOKEN": "hf_test_token_0000", "KEYED_API_KEY": "sk-test-1234567890"})


@pytest.mark.parametrize("model_id", IDS)
@pytest.mark.parametrize("effort", EFFORTS)
@pytest.mark.parametrize("strict", [False, True])
def test_fast_path_matches_full_path(reg: registry.Registry, model_id, effort, strict) -> None:
    fast = outcome(lambda: reg.resolve(model_id, reasoning_effort=effort, strict=strict))
    full = outcome(lambda: resolve_model(reg, model_id, reasoning_effort=effort, strict=strict))
    assert fast == full
    if fast[0] == "ok":
        assert list(fast[1]) == list(full[1])  # same key order too


def test_each_call_returns_fresh_dicts(reg: registry.Registry) -> None:
    first = reg.resolve("keyed/m", reasoning_effort="high")
    first["extra_headers"]["X-Title"] = "changed"
    first["extra_body"]["reasoning_effort"] = "changed"
    second = reg.resolve("keyed/m", reasoning_effort="high")
    assert second["extra_headers"] == {"X-Title": "bench"}
    assert second["extra_body"] == {"reasoning_effort": "high"}


def test_routes_never_show_keys(reg: registry.Registry) -> None:
    assert "sk-test-1234567890" not in repr(reg._routes)
    assert "sk-test-1234567890" not in repr(reg)


def test_the_fast_path_answers_the_common_ids(reg: registry.Registry) -> None:
    """Without this, the comparison above would pass even if every call took the full path."""
    assert reg._routes["ollama"].model_for("ollama/x", "x") == "openai/x"
    assert reg._fallback_route.model_for("org/model", "model") == "openai/org/model"
    assert reg._routes["keyed"].kwargs("openai/m", "minimal")["extra_body"] == {"reasoning_effort": "low"}
    assert reg._routes["vllm"] is None and reg._routes["nokey"] is None
    reg.resolve("ollama/fast-path-probe")
    assert reg._seen["ollama/fast-path-probe"] == (reg._routes["ollama"], "openai/fast-path-probe")
    messages = []
    for _ in range(2):  # the second call is answered from the memo, with the same error
        with pytest.raises(registry.InvalidModelIdError) as info:
            reg.resolve("ollama/")
        messages.append((str(info.value), info.value.reason, info.value.suggestion))
    assert messages[0] == messages[1] and "nothing follows the prefix" in messages[0][0]
    assert reg._seen["ollama/"][0] is None


def test_the_memo_is_bounded_and_never_holds_a_key(reg: registry.Registry) -> None:
    from registry.resolve import MEMO_LIMIT

    for index in range(MEMO_LIMIT + 10):
        assert reg.resolve(f"ollama/m{index}")["model"] == f"openai/m{index}"
    assert 0 < len(reg._seen) <= MEMO_LIMIT
    keys = {p.api_key.reveal() for p in reg.providers.values() if p.api_key is not None}
    assert not any(key in repr(entry) or key in entry[1] for entry in reg._seen.values() for key in keys)


def test_check_model_id_is_remembered_per_registry(reg: registry.Registry) -> None:
    first = reg.check_model_id("olama/x")
    assert first.ok and first.suggestion == "ollama/x"
    assert reg.check_model_id("olama/x") is first  # the same immutable answer, not recomputed
    assert reg.is_valid_model_id("olama/x") and not reg.is_valid_model_id("ollama/")
