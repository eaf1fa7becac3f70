"""Unit tests for check_model_id: one table of ids with the verdict and the exact reason fragment,
and the invariant that check_model_id(x).ok exactly when resolve(x) succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest

import registry
from registry import InvalidModelIdError, ModelIdCheck

ENV = {"HF_TOKEN": "hf_test_token_0123456789abcdef"}
USER = """\
version: 1
aliases:
  fast: ollama/llama3.1:8b
  kimi: huggingface/moonshotai/Kimi-K2.6:novita
providers:
  llamacpp:
    enabled: false
"""

# model id, ok, provider, model part, reason fragment (or None), suggestion
TABLE = [
    # well-formed prefixed ids
    ("ollama/llama3.1:8b", True, "ollama", "llama3.1:8b", None, None),
    ("lm_studio/google/gemma-3-4b", True, "lm_studio", "google/gemma-3-4b", None, None),
    ("vllm/meta-llama/Llama-3.1-8B-Instruct", True, "vllm", "meta-llama/Llama-3.1-8B-Instruct", None, None),
    ("openai-compat/my-model", True, "openai-compat", "my-model", None, None),
    ("ollama/a", True, "ollama", "a", None, None),
    # Hugging Face fallback: <org>/<model>[:<tag>]
    ("moonshotai/Kimi-K2.6:novita", True, "huggingface", "moonshotai/Kimi-K2.6:novita", None, None),
    ("moonshotai/Kimi-K2.6:fastest", True, "huggingface", "moonshotai/Kimi-K2.6:fastest", None, None),
    ("moonshotai/Kimi-K2.6", True, "huggingface", "moonshotai/Kimi-K2.6", None, None),
    ("huggingface/org/model", True, "huggingface", "org/model", None, None),
    ("huggingface/org/model:cheapest", True, "huggingface", "org/model:cheapest", None, None),
    ("Kimi-K2.6", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    ("org/", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    ("/model", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    ("org/model:", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    (":tag", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    ("org/model/extra", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    ("org/model:a:b", False, None, None, "look like '<org>/<model>[:<tag>]'", None),
    ("huggingface/model", False, None, None, "huggingface model ids look like '<org>/<model>[:<tag>]'", None),
    ("huggingface/", False, None, None, "nothing follows the prefix 'huggingface/'", None),
    # empty, whitespace, control characters
    ("", False, None, None, "the model id is empty", None),
    (" ", False, None, None, "contains whitespace", None),
    (" ollama/x", False, None, None, "contains whitespace", None),
    ("ollama/x ", False, None, None, "contains whitespace", None),
    ("ollama/llama 3", False, None, None, "contains whitespace", None),
    ("ollama/x\t", False, None, None, "contains whitespace", None),
    ("ollama/x\n", False, None, None, "contains whitespace", None),
    ("ollama/\u00a0x", False, None, None, "contains whitespace", None),
    ("ollama/x\x00", False, None, None, "control or invisible character", None),
    ("ollama/x\x1b[31m", False, None, None, "control or invisible character", None),
    ("ollama/x\u200b", False, None, None, "control or invisible character", None),
    ("ollama/x\u202e", False, None, None, "control or invisible character", None),
    ("ollama/" + "x" * 600, False, None, None, "longer than 512 characters", None),
    # registered prefix with nothing after it
    ("ollama/", False, None, None, "nothing follows the prefix 'ollama/'; write 'ollama/<model>'", None),
    ("vllm/", False, None, None, "nothing follows the prefix 'vllm/'", None),
    # disabled provider
    ("llamacpp/qwen3-4b", False, None, None, "provider 'llamacpp' is disabled", None),
    # near misses: valid hub-shaped ids for the fallback, but probably typos
    ("olama/x", True, "huggingface", "olama/x", None, "ollama/x"),
    ("lmstudio/x", True, "huggingface", "lmstudio/x", None, "lm_studio/x"),
    ("Ollama/x", True, "huggingface", "Ollama/x", None, "ollama/x"),
    ("vlm/x", True, "huggingface", "vlm/x", None, "vllm/x"),
    ("olama/a/b", False, None, None, "look like '<org>/<model>[:<tag>]'", "ollama/a/b"),
    ("lmstudio/google/gemma-3-4b", False, None, None, "look like '<org>/<model>[:<tag>]'", "lm_studio/google/gemma-3-4b"),
    # aliases
    ("fast", True, "ollama", "llama3.1:8b", None, None),
    ("kimi", True, "huggingface", "moonshotai/Kimi-K2.6:novita", None, None),
]


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    path = tmp_path_factory.mktemp("ids") / "providers.yaml"
    path.write_text(USER, encoding="utf-8")
    return registry.load(config_path=path, environ=ENV)


@pytest.fixture(scope="module")
def strict_reg(tmp_path_factory: pytest.TempPathFactory) -> registry.Registry:
    """The same registry with ``fallback: null``."""
    path = tmp_path_factory.mktemp("ids-null") / "providers.yaml"
    path.write_text("fallback: null\n" + USER, encoding="utf-8")
    return registry.load(config_path=path, environ=ENV)


def _id(row: tuple) -> str:
    return repr(row[0])[:40]


@pytest.mark.parametrize("row", TABLE, ids=_id)
def test_check_model_id_table(reg: registry.Registry, row: tuple) -> None:
    model_id, ok, provider, model, fragment, suggestion = row
    check = reg.check_model_id(model_id)
    assert isinstance(check, ModelIdCheck)
    assert check.ok is ok
    assert bool(check) is ok
    assert reg.is_valid_model_id(model_id) is ok
    assert check.provider == provider
    assert check.model == model
    assert check.suggestion == suggestion
    if fragment is None:
        assert check.reason is None
    else:
        assert fragment in check.reason


@pytest.mark.parametrize("row", TABLE, ids=_id)
def test_check_agrees_with_resolve(reg: registry.Registry, row: tuple) -> None:
    model_id = row[0]
    check = reg.check_model_id(model_id)
    try:
        kwargs = reg.resolve(model_id)
    except InvalidModelIdError as exc:
        assert not check.ok
        assert exc.reason == check.reason
        assert exc.suggestion == check.suggestion
        assert str(exc).startswith("invalid model id ")
    else:
        assert check.ok
        assert kwargs["model"] == f"openai/{check.model}"
        assert kwargs["api_base"] == reg.provider(check.provider).api_base


@pytest.mark.parametrize("row", TABLE, ids=_id)
def test_check_agrees_with_resolve_without_fallback(strict_reg: registry.Registry, row: tuple) -> None:
    model_id = row[0]
    check = strict_reg.check_model_id(model_id)
    try:
        strict_reg.resolve(model_id)
    except InvalidModelIdError as exc:
        assert not check.ok and exc.reason == check.reason
    else:
        assert check.ok


@pytest.mark.parametrize(
    ("model_id", "fragment", "suggestion"),
    [
        ("moonshotai/Kimi-K2.6:novita", "'moonshotai/' is not a registered prefix and no fallback provider is set", None),
        ("Kimi-K2.6", "the id has no provider prefix and no fallback provider is set", None),
        ("olama/x", "'olama/' is not a registered prefix", "ollama/x"),
        ("lmstudio/x", "'lmstudio/' is not a registered prefix", "lm_studio/x"),
    ],
)
def test_no_fallback_table(strict_reg: registry.Registry, model_id: str, fragment: str, suggestion: str | None) -> None:
    check = strict_reg.check_model_id(model_id)
    assert not check.ok
    assert fragment in check.reason
    assert "registered prefixes: ollama/, lm_studio/, vllm/, openai-compat/, huggingface/" in check.reason
    assert check.suggestion == suggestion


def test_invalid_model_id_error_names_the_suggestion(strict_reg: registry.Registry) -> None:
    with pytest.raises(InvalidModelIdError) as info:
        strict_reg.resolve("olama/llama3")
    assert str(info.value).endswith("(did you mean 'ollama/llama3'?)")
    assert info.value.model_id == "olama/llama3"


def test_alias_check_reports_the_target(reg: registry.Registry) -> None:
    check = reg.check_model_id("fast")
    assert check.alias_of == "ollama/llama3.1:8b"
    assert check.model_id == "fast"


@pytest.mark.parametrize("value", [None, 42, b"ollama/x", ["ollama/x"]])
def test_non_string_ids_are_invalid_not_crashes(reg: registry.Registry, value: object) -> None:
    check = reg.check_model_id(value)  # type: ignore[arg-type]
    assert not check.ok
    assert f"must be a string, not {type(value).__name__}" in check.reason
    with pytest.raises(InvalidModelIdError):
        reg.resolve(value)  # type: ignore[arg-type]


def test_added_provider_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: null\nproviders:\n  mlx:\n    api_base: http://127.0.0.1:8090\n    api_key: local\n")
    reg = registry.load(config_path=path, environ={})
    assert reg.check_model_id("mlx/qwen").provider == "mlx"
    assert reg.check_model_id("mlxx/qwen").suggestion == "mlx/qwen"
    assert not reg.check_model_id("mlx/").ok


# --- the invariant over generated ids ------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from registry.routing import RouteTable  # noqa: E402


def _unremembered(reg: registry.Registry) -> registry.Registry:
    """The same providers behind a new table, whose memos are empty."""
    return registry.Registry(RouteTable(reg.providers.values(), reg.fallback, reg.aliases, reg.disabled))

_PIECES = st.sampled_from(["ollama", "olama", "huggingface", "vllm", "llamacpp", "lm_studio", "org", "Kimi-K2.6",
                           "fast", "kimi", "/", "/", ":", ":novita", ".", "-", "_", " ", "\t", "\x00", "\u200b", "é", ""])
_IDS = st.one_of(st.lists(_PIECES, max_size=6).map("".join), st.text(max_size=12))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model_id=_IDS, effort=st.sampled_from([None, "low", "minimal", "high", "max", "bogus"]))
def test_generated_ids_check_agrees_with_resolve(reg: registry.Registry, model_id: str, effort: str | None) -> None:
    check = reg.check_model_id(model_id)
    try:
        kwargs = reg.resolve(model_id, reasoning_effort=effort)
    except InvalidModelIdError as exc:
        assert not check.ok and exc.reason == check.reason
        return
    except registry.UnsupportedEffortError:
        assert check.ok and effort == "bogus"
        return
    assert check.ok
    # a remembered answer is the answer a table that never saw the id gives
    assert kwargs == _unremembered(reg).resolve(model_id, reasoning_effort=effort)
    assert kwargs["model"] == "openai/" + check.model
