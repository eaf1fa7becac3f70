"""The routing table (registry.routing): a remembered answer is the answer of a table that never
saw the id, the memos are bounded and hold no key, and a registry's answers follow its providers."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import registry
from registry.routing import MAX_MODEL_ID_LENGTH, MEMO_CHARS, MEMO_LIMIT, Route, RouteTable
from registry.suggest import MAX_COMPARED, Vocabulary

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
    assert changed.check_model_id("nokey/m").key_missing and changed.check_model_id("keyed/m").provider == "huggingface"
    assert not changed.check_model_id("keyed/m").key_missing
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


# --- cost: bounded by the input limits (issue 10, class 5) ---------------------------------------

SCALE = 4_000


def scale_file(path: Path, fallback: str | None) -> Path:
    """``SCALE`` providers p0000..p3999 (the count that took a minute of did-you-mean before)."""
    lines = ["version: 1", f"fallback: {fallback or 'null'}", "providers:"]
    for i in range(SCALE):
        lines += [f"  p{i:04d}:", f"    api_base: http://10.0.{i // 256}.{i % 256}:8000/v1", "    api_key: local"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    return registry.load(config_path=scale_file(tmp_path_factory.mktemp("big") / "p.yaml", None), environ={})


@pytest.fixture(scope="module")
def big_hub(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    path = scale_file(tmp_path_factory.mktemp("big-hub") / "p.yaml", "huggingface")
    return registry.load(config_path=path, environ={"HF_TOKEN": "hf_test_token_0000"})


def test_the_memo_is_bounded_in_characters(reg: registry.Registry) -> None:
    new, table = fresh(reg)
    long_ids = [f"ollama/{index:05d}" + "m" * (MAX_MODEL_ID_LENGTH - 12) for index in range(MEMO_LIMIT)]
    for model_id in long_ids:
        assert new.resolve(model_id)["model"] == "openai/" + model_id[len("ollama/"):]
        assert table.remembered_chars <= 2 * MEMO_CHARS  # two memos: routes and checks
    # 4096 ids of 512 characters would be 2 MiB of ids: the character bound empties the memo first.
    assert table.remembered < MEMO_LIMIT and table.remembered * MAX_MODEL_ID_LENGTH <= MEMO_CHARS
    assert new.resolve(long_ids[0])["model"].endswith("m")  # dropped, then answered again


def test_the_memo_counts_the_characters_of_what_it_keeps(reg: registry.Registry) -> None:
    new, table = fresh(reg)
    for model_id in ("ollama/a", "ollama/bb", "x" * 10_000, "ollama/a"):
        outcome(lambda m=model_id: new.resolve(m))
    assert table.remembered_chars == len("ollama/a") + len("ollama/bb")  # the long id is never kept
    new.check_model_id("ollama/ccc")
    assert table.remembered_chars == len("ollama/a") + len("ollama/bb") + 2 * len("ollama/ccc")


@pytest.mark.parametrize("call", ["resolve", "route", "check"])
@pytest.mark.parametrize("model_id", ["x" * 10_000_000, "ollama/" + "x" * 9_999_993, "olama/" + "y" * 9_999_994])
def test_a_10_mb_id_is_refused_and_echoed_cut(reg: registry.Registry, call: str, model_id: str) -> None:
    if call == "check":
        checked = reg.check_model_id(model_id)
        assert not checked.ok and checked.suggestion is None
        assert checked.reason == f"the model id is longer than {MAX_MODEL_ID_LENGTH} characters"
        return
    with pytest.raises(registry.InvalidModelIdError) as info:
        getattr(reg, call)(model_id)
    text = str(info.value)
    assert "(10,000,000 characters)" in text and len(text) < 300 and info.value.suggestion is None
    assert text.startswith(f"invalid model id {model_id[:20]!r}"[:-1])


def test_a_huge_non_string_id_is_named_by_its_type(reg: registry.Registry) -> None:
    with pytest.raises(registry.InvalidModelIdError) as info:
        reg.resolve(b"x" * 10_000_000)  # type: ignore[arg-type]
    assert str(info.value) == "invalid model id 'a bytes value': a model id must be a string, not bytes"


def test_a_long_unknown_head_is_echoed_cut(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: null\n", encoding="utf-8")
    head = "q" * 400
    with pytest.raises(registry.InvalidModelIdError) as info:
        registry.load(config_path=path, environ={}).resolve(f"{head}/m")
    assert "... (401 characters) is not a registered prefix" in info.value.reason and head not in str(info.value)


def test_the_prefix_list_in_a_refusal_is_cut(big: registry.Registry) -> None:
    with pytest.raises(registry.InvalidModelIdError) as info:
        big.resolve("zz/m")
    assert info.value.reason.endswith("p0000/, p0001/, p0002/, p0003/ and 3,996 more")
    assert len(str(info.value)) < 300
    with pytest.raises(registry.InvalidModelIdError) as again:
        big.resolve("no-prefix")
    assert again.value.reason.startswith("the id has no provider prefix") and "and 3,996 more" in again.value.reason


@pytest.mark.parametrize(("typo", "meant"), [
    ("pp0123/x", "p0123/x"), ("p3999x/x", "p3999/x"), ("p123/x", "p3123/x"), ("olama/x", "ollama/x"),
    ("vlm/x", "vllm/x"), ("lmstudio/x", "lm_studio/x"), ("Ollama/x", "ollama/x"), ("llamacp/x", "llamacpp/x"),
])
def test_suggestions_still_work_in_a_table_of_thousands(big: registry.Registry, big_hub: registry.Registry,
                                                        typo: str, meant: str) -> None:
    with pytest.raises(registry.InvalidModelIdError) as info:
        big.resolve(typo)
    assert info.value.suggestion == meant and info.value.hint == f"did you mean {meant!r}?"
    checked = big_hub.check_model_id(typo)  # the hub fallback accepts it; the validator still asks
    assert checked.suggestion == meant


def test_no_suggestion_for_an_unrelated_head_in_a_big_table(big: registry.Registry) -> None:
    with pytest.raises(registry.InvalidModelIdError) as info:
        big.resolve("qwerty/x")
    assert info.value.suggestion is None and info.value.hint is None


@pytest.mark.parametrize("choices", [
    ["ollama", "vllm", "lm_studio", "llamacpp", "openai-compat", "huggingface"],
    ["high", "low", "medium", "minimal", "none", "xhigh", "max"],
    [f"n{i}" for i in range(MAX_COMPARED)],
])
@pytest.mark.parametrize("cutoff", [0.6, 0.8])
def test_a_small_vocabulary_guesses_exactly_as_difflib(choices: list[str], cutoff: float) -> None:
    import difflib

    vocabulary = Vocabulary(choices)
    for word in ("olama", "vlm", "lmstudio", "hgh", "mediun", "n1", "n", "xyz", "Ollama", "ollama", "maxx", "n3x"):
        expected = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
        assert vocabulary.close_match(word, valid_input=cutoff == 0.8) == (expected[0] if expected else None)


def test_a_vocabulary_spends_a_bounded_budget_then_refills() -> None:
    names = [f"{'a' * 58}{i:06d}" for i in range(SCALE)]  # 64-character names: the costliest to compare
    vocabulary = Vocabulary(names)
    word = f"{'a' * 58}000123b"
    assert vocabulary.close_match(word) is not None
    guesses = [vocabulary.close_match(f"{'a' * 57}{i:06d}b") for i in range(1_000)]
    assert guesses[0] is not None and guesses[-1] is None  # the budget ran out on the way
    assert vocabulary.close_match(word) is None
    vocabulary.refill()
    assert vocabulary.close_match(word) is not None


def test_a_word_over_the_limit_is_never_compared() -> None:
    vocabulary = Vocabulary(["ollama"])
    assert vocabulary.close_match("ollama" + "a" * 200) is None and vocabulary.close_match("") is None
    assert vocabulary.close_match(None) is None
