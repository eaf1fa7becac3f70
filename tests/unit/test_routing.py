"""The routing table (registry.routing): a remembered answer is the answer of a table that never
saw the id, the memos are bounded and hold no key, and a registry's answers follow its providers."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import registry
from registry.routing import MAX_MODEL_ID_LENGTH, MEMO_LIMIT, Route, RouteTable

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
KEY = "sk-test-1234567890"
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


def fresh(reg: registry.Registry) -> tuple[registry.Registry, RouteTable]:
    """The same providers behind a new table, whose memos are empty."""
    table = RouteTable(reg.providers.values(), reg.fallback, reg.aliases, reg.disabled)
    return registry.Registry(table), table


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    path: Path = tmp_path_factory.mktemp("routing") / "providers.yaml"
    path.write_text(USER, encoding="utf-8")
    return registry.load(config_path=path, environ={"HF_TOKEN": "hf_test_token_0000", "KEYED_API_KEY": KEY})


@pytest.mark.parametrize("model_id", IDS)
@pytest.mark.parametrize("effort", EFFORTS)
@pytest.mark.parametrize("strict", [False, True])
def test_a_remembered_answer_is_the_first_answer(reg: registry.Registry, model_id, effort, strict) -> None:
    new, _ = fresh(reg)
    first = outcome(lambda: new.resolve(model_id, reasoning_effort=effort, strict=strict))
    again = outcome(lambda: new.resolve(model_id, reasoning_effort=effort, strict=strict))
    assert first == again == outcome(lambda: reg.resolve(model_id, reasoning_effort=effort, strict=strict))
    if first[0] == "ok":
        assert list(first[1]) == list(again[1])  # same key order too
    assert new.check_model_id(model_id) == fresh(reg)[0].check_model_id(model_id)


def test_each_call_returns_fresh_dicts(reg: registry.Registry) -> None:
    first = reg.resolve("keyed/m", reasoning_effort="high")
    first["extra_headers"]["X-Title"] = "changed"
    first["extra_body"]["reasoning_effort"] = "changed"
    second = reg.resolve("keyed/m", reasoning_effort="high")
    assert second["extra_headers"] == {"X-Title": "bench"}
    assert second["extra_body"] == {"reasoning_effort": "high"}


def test_routes_say_where_and_why(reg: registry.Registry) -> None:
    assert reg.route("ollama/x") == Route(reg.provider("ollama"), "x", "openai/x", "prefix")
    assert reg.route("org/model").via == "fallback" and reg.route("org/model").model == "org/model"
    assert reg.route("fast") == Route(reg.provider("ollama"), "llama3.1:8b", "openai/llama3.1:8b", "prefix",
                                      "ollama/llama3.1:8b")
    with pytest.raises(registry.InvalidModelIdError, match="provider 'vllm' is disabled"):
        reg.route("vllm/m")
    route = reg.route("nokey/m")  # routing knows nothing of keys; resolve refuses it
    assert route.provider.name == "nokey"
    with pytest.raises(registry.MissingApiKeyError):
        reg.resolve("nokey/m")


def test_routes_and_memos_never_show_keys(reg: registry.Registry) -> None:
    assert KEY not in repr(reg.route("keyed/m"))
    assert KEY not in repr(reg) and KEY not in repr(reg.check_model_id("keyed/m"))


def test_an_error_is_remembered_and_raised_fresh_each_time(reg: registry.Registry) -> None:
    new, table = fresh(reg)
    errors = []
    for _ in range(2):
        with pytest.raises(registry.InvalidModelIdError) as info:
            new.resolve("ollama/")
        errors.append(info.value)
    assert errors[0] is not errors[1]
    assert (str(errors[0]), errors[0].suggestion) == (str(errors[1]), errors[1].suggestion)
    assert "nothing follows the prefix" in str(errors[0]) and table.remembered == 1


def test_the_memo_is_bounded(reg: registry.Registry) -> None:
    new, table = fresh(reg)
    for index in range(MEMO_LIMIT):
        assert new.resolve(f"ollama/m{index}")["model"] == f"openai/m{index}"
    assert table.remembered == MEMO_LIMIT
    for index in range(MEMO_LIMIT, MEMO_LIMIT + 10):
        assert new.resolve(f"ollama/m{index}")["model"] == f"openai/m{index}"
    assert 0 < table.remembered <= MEMO_LIMIT
    assert new.resolve("ollama/m0")["model"] == "openai/m0"  # dropped, then answered again


def test_ids_over_the_limit_and_non_strings_are_never_remembered(reg: registry.Registry) -> None:
    new, table = fresh(reg)
    for model_id in ("ollama/" + "y" * MAX_MODEL_ID_LENGTH, "x" * 10_000, 42, ["ollama/x"]):
        assert not new.check_model_id(model_id).ok
        with pytest.raises(registry.InvalidModelIdError):
            new.resolve(model_id)
    assert table.remembered == 0


def test_check_model_id_is_remembered_per_registry(reg: registry.Registry) -> None:
    first = reg.check_model_id("olama/x")
    assert first.ok and first.suggestion == "ollama/x"
    assert reg.check_model_id("olama/x") is first  # the same immutable answer, not recomputed
    assert reg.is_valid_model_id("olama/x") and not reg.is_valid_model_id("ollama/")


# --- a registry's answers cannot disagree with its providers -------------------------------------

def test_a_registry_has_no_replace(reg: registry.Registry) -> None:
    assert not hasattr(reg, "replace")
    with pytest.raises(AttributeError):
        reg.replace(providers={})  # type: ignore[attr-defined]


def test_a_registry_built_from_changed_providers_routes_to_them(reg: registry.Registry) -> None:
    reg.resolve("ollama/x")  # fill the old table's memo
    moved = reg.provider("ollama").replace(api_base="http://changed:1/v1")
    others = [p for name, p in reg.providers.items() if name not in ("ollama", "keyed")]
    changed = registry.Registry(RouteTable([moved, *others], reg.fallback, reg.aliases, reg.disabled))
    assert changed.providers["ollama"].api_base == changed.resolve("ollama/x")["api_base"] == "http://changed:1/v1"
    assert "keyed" not in changed.providers
    assert changed.resolve("keyed/m")["model"] == "openai/keyed/m"  # now an id for the fallback provider
    assert not changed.check_model_id("nokey/m").ok and changed.check_model_id("keyed/m").provider == "huggingface"
    assert reg.resolve("ollama/x")["api_base"] == "http://localhost:11434/v1"  # the original is untouched


def test_a_table_drops_a_fallback_it_does_not_hold(reg: registry.Registry) -> None:
    table = RouteTable([reg.provider("ollama")], "huggingface")
    assert table.fallback is None
    with pytest.raises(registry.InvalidModelIdError, match="no fallback provider is set"):
        table.route("org/model")


def test_a_pickled_registry_rebuilds_its_table(reg: registry.Registry) -> None:
    copy = pickle.loads(pickle.dumps(reg))
    assert copy == reg and copy.resolve("keyed/m", reasoning_effort="minimal") == reg.resolve(
        "keyed/m", reasoning_effort="minimal")
    assert copy.route("fast").alias_of == "ollama/llama3.1:8b"
