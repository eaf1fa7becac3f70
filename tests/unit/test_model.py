"""Unit tests for registry.model: immutability of Registry, Provider and Origin, the derived
prefix list, provider lookup, and masked secrets in reprs."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

import registry
from registry import Origin, Provider, Registry, UnknownProviderError

ENV = {"HF_TOKEN": "hf_SECRET_token_0123456789", "OLLAMA_API_KEY": "sk-ollama-SECRET-abcdef"}
USER = """\
version: 1
aliases:
  fast: ollama/llama3.1:8b
providers:
  ollama:
    efforts: [low]
    effort_aliases: {minimal: low}
    headers: {X-Team: agents}
"""


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    path = tmp_path_factory.mktemp("model") / "providers.yaml"
    path.write_text(USER, encoding="utf-8")
    return registry.load(config_path=path, environ=ENV)


# --- assigning attributes raises -----------------------------------------------------------------
# values.Frozen raises AttributeError for every name, field or not; the object is unchanged.
ASSIGN_ERRORS = AttributeError

@pytest.mark.parametrize("attr", ["providers", "fallback", "aliases", "disabled", "layers", "warnings", "new_attr"])
def test_registry_attributes_cannot_be_assigned(reg: Registry, attr: str) -> None:
    with pytest.raises(ASSIGN_ERRORS):
        setattr(reg, attr, None)
    assert not hasattr(reg, "new_attr")


@pytest.mark.parametrize("attr", ["name", "prefix", "api_base", "api_key", "efforts", "headers", "timeout", "new_attr"])
def test_provider_attributes_cannot_be_assigned(reg: Registry, attr: str) -> None:
    with pytest.raises(ASSIGN_ERRORS):
        setattr(reg.provider("ollama"), attr, None)
    assert reg.provider("ollama").api_base == "http://localhost:11434/v1"


@pytest.mark.parametrize("attr", ["layer", "source", "line"])
def test_origin_attributes_cannot_be_assigned(reg: Registry, attr: str) -> None:
    with pytest.raises(AttributeError):
        setattr(reg.origin("ollama", "api_base"), attr, "x")


def test_attributes_cannot_be_deleted(reg: Registry) -> None:
    with pytest.raises(AttributeError):
        del reg.fallback
    with pytest.raises(AttributeError):
        del reg.provider("ollama").api_base


def test_prefixes_cannot_be_assigned(reg: Registry) -> None:
    with pytest.raises(ASSIGN_ERRORS):
        reg.prefixes = ()  # type: ignore[misc]
    assert reg.prefixes


# --- mutating mappings raises --------------------------------------------------------------------

MUTATIONS = [
    ("providers-set", lambda r: r.providers.__setitem__("evil", r.provider("ollama"))),
    ("providers-del", lambda r: r.providers.__delitem__("ollama")),
    ("providers-clear", lambda r: r.providers.clear()),
    ("aliases-set", lambda r: r.aliases.__setitem__("fast", "evil/x")),
    ("aliases-update", lambda r: r.aliases.update({"x": "y"})),
    ("disabled-set", lambda r: r.disabled.__setitem__("ollama", "ollama")),
    ("headers-set", lambda r: r.provider("ollama").headers.__setitem__("X-Team", "evil")),
    ("headers-pop", lambda r: r.provider("ollama").headers.pop("X-Team")),
    ("effort-aliases-set", lambda r: r.provider("ollama").effort_aliases.__setitem__("minimal", "high")),
    ("origins-set", lambda r: r.provider("ollama").origins.__setitem__("api_base", None)),
    ("settings-origins-set", lambda r: r.settings_origins.__setitem__("fallback", None)),
    ("efforts-append", lambda r: r.provider("ollama").efforts.append("high")),
    ("prefixes-append", lambda r: r.prefixes.append("evil/")),
    ("layers-append", lambda r: r.layers.append(None)),
    ("env-names-append", lambda r: r.provider("ollama").api_key_env.append("EVIL")),
]


@pytest.mark.parametrize("mutate", [m[1] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_mappings_and_sequences_cannot_be_mutated(reg: Registry, mutate) -> None:
    before = repr(reg)
    with pytest.raises((TypeError, AttributeError)):
        mutate(reg)
    assert repr(reg) == before
    assert reg.resolve("ollama/x", reasoning_effort="minimal")["extra_headers"] == {"X-Team": "agents"}


def test_replace_makes_a_new_object_and_leaves_the_original(reg: Registry) -> None:
    ollama = reg.provider("ollama")
    changed = ollama.replace(api_base="http://other:1/v1")
    assert changed.api_base == "http://other:1/v1"
    assert reg.provider("ollama").api_base == "http://localhost:11434/v1"


def test_value_objects_are_hashable_where_they_hold_no_mappings(reg: Registry) -> None:
    origin = reg.origin("ollama", "api_base")
    assert {origin: 1}[Origin(origin.layer, origin.source, origin.line)] == 1


def test_deepcopy_and_pickle_round_trip(reg: Registry) -> None:
    origin = reg.origin("ollama", "api_key")
    assert copy.deepcopy(origin) == origin
    assert pickle.loads(pickle.dumps(origin)) == origin


# --- derived data --------------------------------------------------------------------------------

def test_prefixes_derive_from_providers(reg: Registry) -> None:
    assert reg.prefixes == tuple(p.prefix for p in reg.providers.values())
    assert reg.prefixes == ("ollama/", "lm_studio/", "vllm/", "llamacpp/", "openai-compat/", "huggingface/")
    assert isinstance(reg.prefixes, tuple)


def test_provider_for_prefix(reg: Registry) -> None:
    assert reg.provider_for_prefix("lm_studio") is reg.provider("lm_studio")
    assert reg.provider_for_prefix("lm_studio/") is None
    assert reg.provider_for_prefix("nope") is None


def test_many_providers_route_correctly(tmp_path: Path) -> None:
    lines = ["version: 1", "fallback: null", "providers:"]
    for i in range(300):
        lines += [f"  p{i}:", f"    api_base: http://10.0.{i // 250}.{i % 250 + 1}:8000", "    api_key: local"]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n")
    big = registry.load(config_path=path, environ={})
    assert len(big.prefixes) == 306
    assert big.resolve("p299/m")["api_base"] == "http://10.0.1.50:8000/v1"
    assert big.check_model_id("p0/m").provider == "p0"


def test_provider_lookup_suggests(reg: Registry) -> None:
    with pytest.raises(UnknownProviderError) as info:
        reg.provider("olama")
    assert "unknown provider 'olama' (did you mean 'ollama'?)" in str(info.value)
    assert isinstance(info.value, LookupError) and isinstance(info.value, registry.RegistryError)
    assert not isinstance(info.value, KeyError)


def test_provider_fields(reg: Registry) -> None:
    hf = reg.provider("huggingface")
    assert isinstance(hf, Provider)
    assert hf.efforts == ("low", "medium", "high")
    assert dict(hf.effort_aliases) == {"minimal": "low"}
    assert hf.api_key_env == ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
    assert hf.accepts_effort("minimal") == "low"
    assert hf.accepts_effort("xhigh") is None
    assert hf.key_source == "HF_TOKEN"
    assert reg.provider("vllm").key_source == "placeholder"


# --- secrets stay masked -------------------------------------------------------------------------

def test_reprs_and_strs_never_show_keys(reg: Registry) -> None:
    texts = [repr(reg), str(reg), repr(reg.provider("ollama")), repr(reg.provider("huggingface")),
             repr(dict(reg.providers)), str(reg.provider("ollama").api_key), f"{reg.provider('huggingface').api_key}"]
    for text in texts:
        assert "SECRET" not in text
    assert reg.provider("ollama").api_key.reveal() == ENV["OLLAMA_API_KEY"]
    assert reg.resolve("ollama/x")["api_key"] == ENV["OLLAMA_API_KEY"]


def test_registry_and_errors_survive_pickle(reg: Registry) -> None:
    """Process pools pickle what they send: a registry and the errors must round-trip."""
    copy = pickle.loads(pickle.dumps(reg))
    assert copy == reg and copy.resolve("ollama/x") == reg.resolve("ollama/x")
    assert type(copy.providers).__name__ == "mappingproxy"
    errors = [
        registry.ConfigError(registry.Issue("bad", path="f.yaml", line=1, column=2, hint="fix it")),
        registry.InvalidModelIdError("ollama/", "nothing follows", "ollama/x"),
        registry.UnknownProviderError("olama", ["ollama"], "ollama"),
        registry.UnsupportedEffortError("vllm", "high", ()),
        registry.MissingApiKeyError("huggingface", ["HF_TOKEN"]),
        registry.InvalidApiKeyError("contains whitespace"),
    ]
    for error in errors:
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and vars(back) == vars(error)
