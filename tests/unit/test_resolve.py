"""Unit tests for Registry.resolve: built-in defaults, the environment layer, URL normalisation,
the reasoning-effort policy, API-key precedence, fresh dicts and thread safety."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Mapping

import pytest

import registry
from registry import (
    InvalidModelIdError,
    MissingApiKeyError,
    RegistryError,
    UnsupportedEffortError,
)

HF_KEY = "hf_test_token_0123456789abcdef"

# name, model id, provider-side model, default base URL, placeholder key, base-URL var, key var
BUILTINS = [
    ("ollama", "ollama/llama3.1:8b", "llama3.1:8b", "http://localhost:11434/v1", "ollama",
     "OLLAMA_BASE_URL", "OLLAMA_API_KEY"),
    ("lm_studio", "lm_studio/google/gemma-3-4b", "google/gemma-3-4b", "http://127.0.0.1:1234/v1", "lm-studio",
     "LMSTUDIO_BASE_URL", "LMSTUDIO_API_KEY"),
    ("vllm", "vllm/meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.1-8B-Instruct",
     "http://127.0.0.1:8000/v1", "vllm", "VLLM_BASE_URL", "VLLM_API_KEY"),
    ("llamacpp", "llamacpp/qwen3-4b", "qwen3-4b", "http://127.0.0.1:8080/v1", "llamacpp",
     "LLAMACPP_BASE_URL", "LLAMACPP_API_KEY"),
    ("openai-compat", "openai-compat/my-model", "my-model", "http://127.0.0.1:8000/v1", "openai-compat",
     "OPENAI_COMPAT_BASE_URL", "OPENAI_COMPAT_API_KEY"),
]
LOCAL_IDS = [pytest.param(row, id=row[0]) for row in BUILTINS]


@pytest.fixture
def load(tmp_path: Path):
    """``load(user_text, **environ)``: a registry from the built-ins, a user file and an environ."""

    def build(text: str = "", environ: Mapping[str, str] | None = None, **options: Any) -> registry.Registry:
        path = tmp_path / "user-providers.yaml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return registry.load(config_path=path, environ=dict(environ or {}), **options)

    return build


# --- built-in defaults ---------------------------------------------------------------------------

@pytest.mark.parametrize("row", LOCAL_IDS)
def test_builtin_local_provider_defaults(load, row) -> None:
    name, model_id, model, base, placeholder, _, _ = row
    assert load().resolve(model_id) == {"model": f"openai/{model}", "api_base": base, "api_key": placeholder}


@pytest.mark.parametrize(
    ("model_id", "sent"),
    [
        ("moonshotai/Kimi-K2.6:novita", "openai/moonshotai/Kimi-K2.6:novita"),
        ("moonshotai/Kimi-K2.6:fastest", "openai/moonshotai/Kimi-K2.6:fastest"),
        ("moonshotai/Kimi-K2.6:cheapest", "openai/moonshotai/Kimi-K2.6:cheapest"),
        ("meta-llama/Llama-3.1-8B-Instruct", "openai/meta-llama/Llama-3.1-8B-Instruct"),
        ("huggingface/org/model", "openai/org/model"),
        ("huggingface/moonshotai/Kimi-K2.6:novita", "openai/moonshotai/Kimi-K2.6:novita"),
    ],
)
def test_huggingface_fallback(load, model_id: str, sent: str) -> None:
    kwargs = load(environ={"HF_TOKEN": HF_KEY}).resolve(model_id)
    assert kwargs == {"model": sent, "api_base": "https://router.huggingface.co/v1", "api_key": HF_KEY}


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"HF_TOKEN": "hf_first_aaaaaaaaaaaa"}, "hf_first_aaaaaaaaaaaa"),
        ({"HUGGING_FACE_HUB_TOKEN": "hf_second_bbbbbbbbbbb"}, "hf_second_bbbbbbbbbbb"),
        ({"HF_TOKEN": "hf_first_aaaaaaaaaaaa", "HUGGING_FACE_HUB_TOKEN": "hf_second_bbbbbbbbbbb"}, "hf_first_aaaaaaaaaaaa"),
        ({"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "hf_second_bbbbbbbbbbb"}, "hf_second_bbbbbbbbbbb"),
    ],
    ids=["HF_TOKEN", "HUB_TOKEN", "both", "empty-first"],
)
def test_huggingface_key_order(load, environ, expected) -> None:
    assert load(environ=environ).resolve("org/model")["api_key"] == expected


@pytest.mark.parametrize("environ", [{}, {"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": ""}], ids=["unset", "empty"])
def test_huggingface_without_key_raises(load, environ) -> None:
    with pytest.raises(MissingApiKeyError, match="HF_TOKEN or HUGGING_FACE_HUB_TOKEN") as info:
        load(environ=environ).resolve("moonshotai/Kimi-K2.6:novita")
    assert "'huggingface' needs an API key" in str(info.value)
    assert isinstance(info.value, RegistryError)


def test_missing_key_does_not_affect_local_providers(load) -> None:
    assert load().resolve("ollama/x")["api_key"] == "ollama"


# --- environment layer ---------------------------------------------------------------------------

@pytest.mark.parametrize("row", LOCAL_IDS)
def test_env_base_url_and_key_override_each_provider(load, row) -> None:
    name, model_id, model, _, _, base_var, key_var = row
    reg = load(environ={base_var: "http://gpu-box:9999/v1", key_var: "sk-env-key-123456789"})
    assert reg.resolve(model_id) == {"model": f"openai/{model}", "api_base": "http://gpu-box:9999/v1",
                                     "api_key": "sk-env-key-123456789"}
    assert reg.origin(name, "api_base") == registry.Origin("env", base_var)
    assert reg.origin(name, "api_key") == registry.Origin("env", key_var)


@pytest.mark.parametrize("row", LOCAL_IDS)
@pytest.mark.parametrize("own", [None, ""], ids=["own-unset", "own-empty"])
def test_local_llm_fallback_vars(load, row, own) -> None:
    name, model_id, _, _, _, base_var, key_var = row
    environ = {"LOCAL_LLM_BASE_URL": "http://shared:7000/v1", "LOCAL_LLM_API_KEY": "shared-key-0000"}
    if own is not None:
        environ.update({base_var: own, key_var: own})
    reg = load(environ=environ)
    kwargs = reg.resolve(model_id)
    assert (kwargs["api_base"], kwargs["api_key"]) == ("http://shared:7000/v1", "shared-key-0000")
    assert reg.origin(name, "api_base").source == "LOCAL_LLM_BASE_URL"
    assert reg.origin(name, "api_key").source == "LOCAL_LLM_API_KEY"


@pytest.mark.parametrize("row", LOCAL_IDS)
def test_own_var_beats_local_llm_var(load, row) -> None:
    _, model_id, _, _, _, base_var, key_var = row
    reg = load(environ={"LOCAL_LLM_BASE_URL": "http://shared:7000/v1", "LOCAL_LLM_API_KEY": "shared-key-0000",
                        base_var: "http://own:7001/v1", key_var: "own-key-1111"})
    kwargs = reg.resolve(model_id)
    assert (kwargs["api_base"], kwargs["api_key"]) == ("http://own:7001/v1", "own-key-1111")


def test_local_llm_vars_do_not_reach_huggingface(load) -> None:
    reg = load(environ={"LOCAL_LLM_BASE_URL": "http://shared:7000/v1", "LOCAL_LLM_API_KEY": "shared-key-0000",
                        "HF_TOKEN": HF_KEY})
    assert reg.resolve("org/model")["api_base"] == "https://router.huggingface.co/v1"
    assert reg.resolve("org/model")["api_key"] == HF_KEY


def test_environ_is_a_snapshot(load) -> None:
    environ = {"OLLAMA_BASE_URL": "http://a:1/v1"}
    reg = load(environ=environ)
    environ["OLLAMA_BASE_URL"] = "http://b:2/v1"
    assert reg.resolve("ollama/x")["api_base"] == "http://a:1/v1"


def test_default_environ_is_os_environ_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://from-os:1/v1")
    reg = registry.load(config_path=path)
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://later:2/v1")
    assert reg.resolve("ollama/x")["api_base"] == "http://from-os:1/v1"


# --- base URL normalisation ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://gpu-box:11434", "http://gpu-box:11434/v1"),
        ("http://gpu-box:11434/", "http://gpu-box:11434/v1"),
        ("http://gpu-box:11434/v1/", "http://gpu-box:11434/v1"),
        ("http://gpu-box:11434/v1//", "http://gpu-box:11434/v1"),
        ("  http://gpu-box:11434/v1  ", "http://gpu-box:11434/v1"),
        ("HTTP://GPU-Box:11434", "http://gpu-box:11434/v1"),
        ("https://proxy.example.com/openai/v1/", "https://proxy.example.com/openai/v1"),
        ("http://[::1]:8000", "http://[::1]:8000/v1"),
    ],
)
def test_env_base_url_is_normalised(load, raw: str, expected: str) -> None:
    assert load(environ={"OLLAMA_BASE_URL": raw}).resolve("ollama/x")["api_base"] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("http://box:8000", "http://box:8000/v1"), ("http://box:8000/v1/", "http://box:8000/v1")],
)
def test_user_file_base_url_is_normalised(load, raw: str, expected: str) -> None:
    reg = load(f"version: 1\nproviders:\n  vllm:\n    api_base: {raw}\n")
    assert reg.resolve("vllm/m")["api_base"] == expected


def test_bad_env_base_url_is_a_config_error_naming_the_var(load) -> None:
    reg = load(environ={"VLLM_BASE_URL": "ftp://box/v1"})
    for call in (lambda: reg.resolve("vllm/m"), lambda: reg.resolve("vllm/m", api_key="explicit")):
        with pytest.raises(registry.ConfigError) as info:
            call()
        assert info.value.env_var == "VLLM_BASE_URL"
        assert str(info.value).startswith("env VLLM_BASE_URL: error:")
    assert reg.resolve("ollama/m")["api_base"] == "http://localhost:11434/v1"
    with pytest.raises(registry.ConfigError) as info:
        load(environ={"VLLM_BASE_URL": "ftp://box/v1"}, strict=True)
    assert info.value.env_var == "VLLM_BASE_URL"


# --- reasoning effort ----------------------------------------------------------------------------

HF_ENV = {"HF_TOKEN": HF_KEY}


@pytest.mark.parametrize(("level", "sent"), [("low", "low"), ("medium", "medium"), ("high", "high"), ("minimal", "low")])
def test_huggingface_accepted_efforts(load, level: str, sent: str) -> None:
    kwargs = load(environ=HF_ENV).resolve("org/model", reasoning_effort=level, strict=True)
    assert kwargs["extra_body"] == {"reasoning_effort": sent}


@pytest.mark.parametrize("level", ["none", "xhigh", "max"])
def test_huggingface_unaccepted_effort(load, level: str) -> None:
    reg = load(environ=HF_ENV)
    assert "extra_body" not in reg.resolve("org/model", reasoning_effort=level)
    with pytest.raises(UnsupportedEffortError, match=f"'huggingface' does not accept reasoning effort '{level}'; it accepts: low, medium, high"):
        reg.resolve("org/model", reasoning_effort=level, strict=True)


# vLLM and llama.cpp take a thinking switch through the chat template (providers.yaml cites the
# documentation); the other local servers are sent nothing unless a file grants levels.
TEMPLATE_SWITCH = {"vllm", "llamacpp"}


@pytest.mark.parametrize("row", [row for row in LOCAL_IDS if row.values[0][0] not in TEMPLATE_SWITCH])
def test_local_providers_accept_no_effort(load, row) -> None:
    name, model_id, *_ = row
    reg = load()
    assert "extra_body" not in reg.resolve(model_id, reasoning_effort="high")
    with pytest.raises(UnsupportedEffortError, match=f"provider '{name}' does not accept any reasoning effort") as info:
        reg.resolve(model_id, reasoning_effort="high", strict=True)
    assert isinstance(info.value, ValueError) and isinstance(info.value, RegistryError)
    assert (info.value.provider, info.value.level, info.value.accepted) == (name, "high", ())


@pytest.mark.parametrize("strict", [False, True])
def test_no_effort_means_no_extra_body(load, strict: bool) -> None:
    reg = load(environ=HF_ENV)
    assert "extra_body" not in reg.resolve("org/model", strict=strict)
    assert "extra_body" not in reg.resolve("ollama/x", strict=strict)


@pytest.mark.parametrize("word", ["hihg", "HIGH", "", "extreme"])
@pytest.mark.parametrize("strict", [False, True])
def test_unknown_effort_word_raises_even_when_not_strict(load, word: str, strict: bool) -> None:
    with pytest.raises(UnsupportedEffortError, match=f"^{word!r} is not a reasoning-effort level; the levels are: "
                                                     "none, minimal, low, medium, high, xhigh, max") as info:
        load(environ=HF_ENV).resolve("org/model", reasoning_effort=word, strict=strict)
    assert info.value.unknown_level and info.value.suggestion == {"hihg": "high", "HIGH": "high"}.get(word)


def test_strict_effort_is_checked_before_the_api_key(load) -> None:
    # No HF key configured: the effort problem is reported first, so a caller fixing its request
    # sees the request's own mistake before the deployment's.
    with pytest.raises(UnsupportedEffortError):
        load().resolve("org/model", reasoning_effort="max", strict=True)


def test_invalid_id_is_reported_before_effort(load) -> None:
    with pytest.raises(InvalidModelIdError):
        load().resolve("ollama/", reasoning_effort="max", strict=True)


def test_user_file_grants_efforts_to_a_local_provider(load) -> None:
    reg = load("version: 1\nproviders:\n  ollama:\n    efforts: [low, high]\n    effort_aliases: {medium: high}\n")
    assert reg.resolve("ollama/qwen3", reasoning_effort="low", strict=True)["extra_body"] == {"reasoning_effort": "low"}
    assert reg.resolve("ollama/qwen3", reasoning_effort="medium", strict=True)["extra_body"] == {"reasoning_effort": "high"}
    with pytest.raises(UnsupportedEffortError, match="it accepts: low, high"):
        reg.resolve("ollama/qwen3", reasoning_effort="minimal", strict=True)
    # other local providers are untouched
    assert "extra_body" not in reg.resolve("lm_studio/m", reasoning_effort="low")
    assert reg.origin("ollama", "efforts").layer == "user"


def test_user_file_can_remove_huggingface_efforts(load) -> None:
    reg = load("version: 1\nproviders:\n  huggingface:\n    efforts: []\n", environ=HF_ENV)
    assert "extra_body" not in reg.resolve("org/model", reasoning_effort="low")


# --- API key precedence --------------------------------------------------------------------------

KEY_FILE = "version: 1\nproviders:\n  ollama:\n    api_key: file-key-abcdefgh\n"


@pytest.mark.parametrize(
    ("text", "environ", "explicit", "expected", "layer"),
    [
        ("", {}, None, "ollama", "default"),
        (KEY_FILE, {}, None, "file-key-abcdefgh", "user"),
        ("", {"OLLAMA_API_KEY": "env-key-12345678"}, None, "env-key-12345678", "env"),
        (KEY_FILE, {"OLLAMA_API_KEY": "env-key-12345678"}, None, "env-key-12345678", "env"),
        (KEY_FILE, {"OLLAMA_API_KEY": "env-key-12345678"}, "explicit-key-999", "explicit-key-999", "env"),
        ("", {}, "explicit-key-999", "explicit-key-999", "default"),
    ],
    ids=["placeholder", "user>placeholder", "env>placeholder", "env>user", "explicit>env", "explicit>placeholder"],
)
def test_api_key_precedence(load, text, environ, explicit, expected, layer) -> None:
    reg = load(text, environ)
    assert reg.resolve("ollama/x", api_key=explicit)["api_key"] == expected
    assert reg.origin("ollama", "api_key").layer == layer


@pytest.mark.parametrize("model_id", ["org/model", "ollama/x"])
def test_empty_explicit_api_key_counts_as_not_given(load, model_id: str) -> None:
    # LiteLLM replaces a falsy key with OPENAI_API_KEY, which must never reach these servers.
    reg = load()
    if model_id == "org/model":
        with pytest.raises(MissingApiKeyError):
            reg.resolve(model_id, api_key="")
    else:
        assert reg.resolve(model_id, api_key="")["api_key"] == "ollama"


def test_explicit_api_key_satisfies_a_provider_without_key(load) -> None:
    assert load().resolve("org/model", api_key="hf_explicit_000000")["api_key"] == "hf_explicit_000000"


# --- fresh dicts, headers, timeout ---------------------------------------------------------------

HEADERS_FILE = """\
version: 1
providers:
  ollama:
    efforts: [low]
    headers: {X-Team: agents}
    timeout: 30
"""


def test_resolve_returns_a_new_dict_each_call(load) -> None:
    reg = load(HEADERS_FILE)
    first = reg.resolve("ollama/x", reasoning_effort="low")
    assert first == {"model": "openai/x", "api_base": "http://localhost:11434/v1", "api_key": "ollama",
                     "extra_headers": {"X-Team": "agents"}, "timeout": 30.0,
                     "extra_body": {"reasoning_effort": "low"}}
    snapshot = {k: (dict(v) if isinstance(v, dict) else v) for k, v in first.items()}
    first["model"] = "changed"
    first["extra_body"]["reasoning_effort"] = "high"
    first["extra_headers"]["X-Team"] = "changed"
    first["extra_headers"]["X-New"] = "1"
    del first["api_key"]
    second = reg.resolve("ollama/x", reasoning_effort="low")
    assert second == snapshot
    assert second is not first
    assert second["extra_body"] is not first["extra_body"]
    assert reg.provider("ollama").headers["X-Team"].reveal() == "agents"


# --- invalid ids ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("model_id", "fragment"),
    [
        ("", "the model id is empty"),
        ("ollama/", "nothing follows the prefix 'ollama/'"),
        ("ollama/llama 3", "contains whitespace"),
        ("Kimi-K2.6", "look like '<org>/<model>[:<tag>]'"),
        ("huggingface/model", "huggingface model ids look like '<org>/<model>[:<tag>]'"),
    ],
)
def test_resolve_invalid_id_says_why(load, model_id: str, fragment: str) -> None:
    with pytest.raises(InvalidModelIdError) as info:
        load(environ=HF_ENV).resolve(model_id)
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError)
    assert f"invalid model id {model_id!r}" in str(info.value)


# --- thread safety -------------------------------------------------------------------------------

def test_concurrent_resolves_are_consistent(load) -> None:
    reg = load(environ={**HF_ENV, "VLLM_BASE_URL": "http://gpu:8000"})
    ids = ["ollama/a", "vllm/b/c", "org/model:fastest", "llamacpp/q", "lm_studio/g/h", "openai-compat/m"]
    expected = {model_id: reg.resolve(model_id, reasoning_effort="minimal") for model_id in ids}
    failures: list[str] = []
    barrier = threading.Barrier(8)

    def work(offset: int) -> None:
        barrier.wait()
        for i in range(300):
            model_id = ids[(i + offset) % len(ids)]
            got = reg.resolve(model_id, reasoning_effort="minimal")
            got["mutated"] = True  # must never leak into another thread's result
            del got["mutated"]
            if got != expected[model_id] or not reg.check_model_id(model_id).ok:
                failures.append(model_id)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.parametrize(("key", "problem"), [
    ("sk-explicit-0123456789\r", "contains"), ("sk explicit", "contains whitespace"),
    ("sk-ключ-0123", "non-ASCII"), (12345678, "is not a string"),
])
def test_an_explicit_key_that_cannot_be_a_key_is_refused_without_echoing_it(load, key: object, problem: str) -> None:
    with pytest.raises(registry.InvalidApiKeyError, match=problem) as info:
        load().resolve("ollama/x", api_key=key)  # type: ignore[arg-type]
    assert isinstance(info.value, ValueError) and str(key).strip() not in str(info.value)


@pytest.mark.parametrize("level", [["low"], 3, None.__class__])
def test_an_effort_that_is_not_a_string_is_an_unknown_level(load, level: object) -> None:
    with pytest.raises(UnsupportedEffortError, match="is not a reasoning-effort level"):
        load(environ=HF_ENV).resolve("org/model", reasoning_effort=level)  # type: ignore[arg-type]


# --- cost: a value over the limit is refused at once and echoed cut (issue 10, class 5) ----------

BIG = 10_000_000


@pytest.mark.parametrize("word", ["x" * BIG, "high" + "h" * (BIG - 4), "\x1b" * BIG, "é" * BIG])
@pytest.mark.parametrize("model_id", ["ollama/x", "huggingface/org/model"])
@pytest.mark.parametrize("strict", [False, True])
def test_a_10_mb_effort_word_is_refused_and_echoed_cut(load, word: str, model_id: str, strict: bool) -> None:
    with pytest.raises(UnsupportedEffortError) as info:
        load(environ={"HF_TOKEN": HF_KEY}).resolve(model_id, reasoning_effort=word, strict=strict)
    text = str(info.value)
    assert "... (10,000,000 characters) is not a reasoning-effort level" in text
    assert len(text) < 300 and "\x1b" not in text and info.value.suggestion is None


def test_a_huge_non_string_effort_is_named_by_its_type(load) -> None:
    with pytest.raises(UnsupportedEffortError) as info:
        load().resolve("ollama/x", reasoning_effort=[0] * 1_000_000)  # type: ignore[arg-type]
    assert str(info.value).startswith("'a list value' is not a reasoning-effort level")


@pytest.mark.parametrize(("word", "meant"), [("hgh", "high"), ("HIGH", "high"), ("mediun", "medium"),
                                             ("minimall", "minimal")])
def test_an_effort_typo_still_gets_a_guess(load, word: str, meant: str) -> None:
    with pytest.raises(UnsupportedEffortError) as info:
        load().resolve("ollama/x", reasoning_effort=word)
    assert info.value.suggestion == meant and f"did you mean {meant!r}?" in str(info.value)


@pytest.mark.parametrize("call", ["provider", "origin"])
def test_a_10_mb_provider_name_is_refused_and_echoed_cut(load, call: str) -> None:
    reg = load()
    name = "ollama" + "a" * (BIG - 6)
    with pytest.raises(registry.UnknownProviderError) as info:
        reg.provider(name) if call == "provider" else reg.origin(name, "api_base")
    text = str(info.value)
    assert text.startswith("unknown provider 'ollamaaaa") and "... (10,000,000 characters)" in text
    assert len(text) < 400 and info.value.suggestion is None


def test_a_10_mb_field_name_is_echoed_cut(load) -> None:
    with pytest.raises(registry.UnknownFieldError) as info:
        load().origin("ollama", "f" * BIG)
    assert "has no value for 'fff" in str(info.value) and "(10,000,000 characters)" in str(info.value)
    assert len(str(info.value)) < 600


def test_a_provider_typo_still_gets_a_guess(load) -> None:
    with pytest.raises(registry.UnknownProviderError) as info:
        load().provider("olama")
    assert info.value.suggestion == "ollama" and info.value.hint == "did you mean 'ollama'?"


@pytest.mark.parametrize("name", sorted(TEMPLATE_SWITCH))
@pytest.mark.parametrize(("effort", "enabled"), [("none", False), ("low", True), ("medium", True), ("high", True)])
def test_vllm_and_llamacpp_switch_thinking_through_the_chat_template(load, name: str, effort: str, enabled: bool) -> None:
    kwargs = load().resolve(f"{name}/qwen3-8b", reasoning_effort=effort, strict=True)
    assert kwargs["extra_body"] == {"chat_template_kwargs": {"enable_thinking": enabled}}
    with pytest.raises(UnsupportedEffortError):
        load().resolve(f"{name}/qwen3-8b", reasoning_effort="xhigh", strict=True)


@pytest.mark.parametrize(("thinking", "effort", "expected"), [
    ("extra_body", "high", {"extra_body": {"reasoning_effort": "high"}}),
    ("reasoning_effort", "high", {"reasoning_effort": "high"}),
    ("chat_template_kwargs", "high", {"extra_body": {"chat_template_kwargs": {"enable_thinking": True}}}),
    ("chat_template_kwargs", "none", {"extra_body": {"chat_template_kwargs": {"enable_thinking": False}}}),
    ("think", "low", {"extra_body": {"think": True}}),
    ("think", "none", {"extra_body": {"think": False}}),
])
def test_each_thinking_form_puts_the_level_where_the_server_reads_it(load, thinking: str, effort: str,
                                                                     expected: dict) -> None:  # type: ignore[type-arg]
    reg = load(f"version: 1\nproviders:\n  box:\n    api_base: http://box:1/v1\n    api_key: box\n"
               f"    thinking: {thinking}\n    efforts: [low, high]\n")
    kwargs = reg.resolve("box/m", reasoning_effort=effort, strict=True)
    assert {key: kwargs[key] for key in ("extra_body", "reasoning_effort") if key in kwargs} == expected


def test_none_is_refused_where_the_form_has_no_off_and_the_level_is_not_listed(load) -> None:
    reg = load("version: 1\nproviders:\n  box:\n    api_base: http://box:1/v1\n    api_key: box\n"
               "    thinking: extra_body\n    efforts: [low, high]\n")
    assert "extra_body" not in reg.resolve("box/m", reasoning_effort="none")
    with pytest.raises(UnsupportedEffortError, match="it accepts: low, high"):
        reg.resolve("box/m", reasoning_effort="none", strict=True)


def test_a_model_overrides_the_providers_efforts_and_thinking(load) -> None:
    reg = load("version: 1\nproviders:\n  ollama:\n    models:\n"
               "      qwen3:8b: {efforts: [none, low, high], thinking: think}\n"
               "      gpt-oss: {efforts: [low, medium, high]}\n")
    assert reg.resolve("ollama/qwen3:8b", reasoning_effort="none")["extra_body"] == {"think": False}
    assert reg.resolve("ollama/qwen3:8b", reasoning_effort="high")["extra_body"] == {"think": True}
    assert reg.resolve("ollama/gpt-oss:20b", reasoning_effort="medium")["extra_body"] == {"reasoning_effort": "medium"}
    assert "extra_body" not in reg.resolve("ollama/llama3.1:8b", reasoning_effort="high")  # the provider's: none
    with pytest.raises(UnsupportedEffortError, match="it accepts: low, medium, high"):
        reg.resolve("ollama/gpt-oss:20b", reasoning_effort="xhigh", strict=True)
