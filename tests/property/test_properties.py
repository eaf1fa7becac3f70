"""Properties that must hold for any input, checked with hypothesis at its default example counts.

- Any text or bytes as a user file: the only exceptions that escape are ``RegistryError``s.
- Any string as a model id: ``check_model_id`` and ``resolve`` raise nothing but
  ``RegistryError``s, and ``check_model_id(x).ok`` is true exactly when ``resolve(x)`` succeeds.
- Any text as a base URL or key in the environment: a registry that loads carries only URLs the
  policy accepts and keys that are usable, and an error never quotes the key.

``deadline=1000`` makes hypothesis fail any example that takes over a second: a bound on hangs
(the alias bombs and deep nesting a YAML parser can be fed), not a benchmark.
"""

from __future__ import annotations

import datetime
import tempfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import registry
from registry.paths import builtin_providers_path
from registry.secrets import check_secret_text
from registry.urls import UrlPolicy, check_base_url
from registry.yamlfile import parse_yaml

ONE_SECOND = settings(deadline=1000, suppress_health_check=[HealthCheck.too_slow])

# Pieces of YAML that reach the parser's interesting states far more often than random text.
_YAML_PIECES = [
    "version: 1\n", "providers:\n", "  ollama:\n", "    api_base: ", "    api_key: ", "    efforts: ",
    "aliases:\n", "fallback: ", "http://localhost:11434/v1", "[", "]", "{", "}", ", ", ": ", "- ", "? ",
    "&a ", "*a", "!!str ", "!x ", "<<: ", "---\n", "...\n", "'", '"', "|", ">", "#", "\t", "\n", "  ",
    "~", "no", "on", "3.10", "0123456", ".nan", "2024-01-02", "%YAML 1.1\n", "\\", "\ufeff", "\x85", "\u2028",
]
yaml_like_text = st.lists(st.sampled_from(_YAML_PIECES) | st.text(max_size=4), max_size=40).map("".join)


@st.composite
def mutated_builtin_file(draw: st.DrawFn) -> str:
    """The built-in providers file with one slice replaced by arbitrary text: nearly valid input."""
    text = _builtin_text()
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 40)))
    return text[:start] + draw(st.text(max_size=20) | yaml_like_text) + text[end:]


@lru_cache(maxsize=1)
def _builtin_text() -> str:
    return builtin_providers_path().read_text(encoding="utf-8")


any_file_text = st.text() | yaml_like_text | mutated_builtin_file()
any_file_bytes = st.binary() | any_file_text.map(lambda t: t.encode("utf-8", "surrogatepass")) | st.builds(
    lambda text, junk, at: (text.encode("utf-8", "surrogatepass")[:at] + junk + text.encode("utf-8", "surrogatepass")[at:]),
    yaml_like_text, st.binary(min_size=1, max_size=4), st.integers(0, 200),
)


def load_file(data: bytes, environ: dict[str, str] | None = None, *, raising: bool = False,
              strict: bool = False) -> registry.Registry | None:
    """Load ``data`` as the user file; None when it is refused with a RegistryError (unless ``raising``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "providers.yaml"
        path.write_bytes(data)
        path.chmod(0o600)
        try:
            return registry.load(config_path=path, environ=environ or {}, strict=strict)
        except registry.RegistryError:
            if raising:
                raise
            return None


@ONE_SECOND
@given(any_file_bytes)
def test_any_bytes_parse_or_raise_a_registry_error(data: bytes) -> None:
    try:
        document = parse_yaml(data, "fuzz.yaml")
    except registry.RegistryError as exc:
        assert str(exc).startswith("fuzz.yaml")
        return
    assert document.data is None or isinstance(document.data, (dict, list, str, int, float, datetime.date))


@ONE_SECOND
@given(any_file_text)
def test_any_text_as_user_file_loads_or_raises_a_registry_error(text: str) -> None:
    loaded = load_file(text.encode("utf-8", "surrogatepass"))
    if loaded is not None:
        for provider in loaded.providers.values():
            policy = loaded.url_policy or UrlPolicy()
            assert provider.prefix.endswith("/") and check_base_url(provider.api_base, policy) is None


@ONE_SECOND
@given(any_file_bytes)
def test_any_bytes_as_user_file_load_or_raise_a_registry_error(data: bytes) -> None:
    load_file(data)


def _registry_with(user_text: str) -> registry.Registry:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "providers.yaml"
        path.write_text(user_text, encoding="utf-8")
        return registry.load(config_path=path, environ={"HF_TOKEN": "hf_property0test0token"})


@lru_cache(maxsize=None)
def registries() -> tuple[registry.Registry, ...]:
    """The built-in registry (hub-format fallback), and one with aliases, a disabled provider, a provider
    with no key (it routes, but resolve refuses it) and no fallback."""
    return (
        _registry_with("version: 1\n"),
        _registry_with(
            "version: 1\nfallback: null\naliases:\n  fast: ollama/llama3.1:8b\n  kimi: huggingface/moonshotai/Kimi-K2:novita\n"
            "providers:\n  vllm:\n    enabled: false\n  box:\n    api_base: http://127.0.0.1:9000/v1\n    api_key: box\n"
            "  nokey:\n    api_base: http://127.0.0.1:9001/v1\n    api_key_env: NOKEY_API_KEY\n"
        ),
    )


def _ids() -> st.SearchStrategy[str]:
    heads = sorted({p for r in registries() for p in r.prefixes} | {"olama/", "Ollama/", "vllm/", "hf/", "", "/"})
    names = sorted({a for r in registries() for a in r.aliases})
    return st.text() | st.sampled_from(names) | st.builds(str.__add__, st.sampled_from(heads), st.text()) \
        | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,8}/[A-Za-z0-9][A-Za-z0-9._-]{0,8}(:[a-z]{1,5})?", fullmatch=True)


@ONE_SECOND
@given(st.data())
def test_check_model_id_agrees_with_resolve(data: st.DataObject) -> None:
    model_id = data.draw(_ids())
    for loaded in registries():
        check = loaded.check_model_id(model_id)
        try:  # ok: resolve succeeds once a key is given; key_missing: it needs one
            kwargs = loaded.resolve(model_id, api_key="session-key")
        except registry.RegistryError:
            assert not check.ok, f"check_model_id({model_id!r}) is ok but resolve raised"
        else:
            assert check.ok and check.provider is not None and check.model is not None, \
                f"resolve({model_id!r}) succeeded but check_model_id says: {check.reason}"
            assert kwargs["model"].endswith(check.model) and kwargs["api_base"] == loaded.provider(check.provider).api_base
        try:
            loaded.resolve(model_id)
        except registry.MissingApiKeyError:
            assert check.ok and check.key_missing and check.key_hint, model_id
        except registry.RegistryError:
            assert not check.ok
        else:
            assert check.ok and not check.key_missing and check.key_hint is None


@ONE_SECOND
@given(st.data(), st.text(max_size=12) | st.sampled_from(registry.EFFORT_LEVELS), st.booleans())
def test_resolve_with_any_effort_raises_only_registry_errors(data: st.DataObject, effort: str, strict: bool) -> None:
    model_id = data.draw(_ids())
    for loaded in registries():
        try:
            kwargs = loaded.resolve(model_id, reasoning_effort=effort, strict=strict)
        except registry.RegistryError:
            continue
        sent = kwargs.get("extra_body", {}).get("reasoning_effort")
        provider = loaded.check_model_id(model_id).provider
        assert provider is not None and (sent is None or sent in loaded.provider(provider).efforts)


@ONE_SECOND
@given(st.text(max_size=80) | st.builds(str.__add__, st.sampled_from(["http://", "https://", "HTTP://", ""]), st.text(max_size=40)))
def test_any_env_base_url_is_refused_or_passes_the_policy(url: str) -> None:
    lenient = load_file(b"version: 1\n", {"OLLAMA_BASE_URL": url})  # a bad variable breaks ollama only
    assert lenient is not None and lenient.resolve("vllm/m")["api_base"] == "http://127.0.0.1:8000/v1"
    try:
        loaded = load_file(b"version: 1\n", {"OLLAMA_BASE_URL": url}, raising=True, strict=True)
    except registry.RegistryError as exc:
        assert "env OLLAMA_BASE_URL" in str(exc)
        assert list(lenient.unavailable) == ["ollama"] and lenient.unavailable["ollama"].startswith("env OLLAMA_BASE_URL")
        return
    assert not lenient.unavailable
    assert loaded is not None and check_base_url(loaded.provider("ollama").api_base) is None


@ONE_SECOND
@given(st.text(min_size=5, max_size=60))
def test_any_env_key_is_usable_or_refused_without_being_quoted(tail: str) -> None:
    key = "Zq9" + tail  # a prefix that no message contains, so any appearance is a leak
    used = key.strip()  # surrounding whitespace is stripped, as huggingface_hub strips its token
    lenient = load_file(b"version: 1\n", {"HF_TOKEN": key})
    assert lenient is not None and lenient.resolve("ollama/m")["api_key"] == "ollama"
    assert key not in repr(lenient) and used not in repr(lenient)
    try:
        loaded = load_file(b"version: 1\n", {"HF_TOKEN": key}, raising=True, strict=True)
    except registry.ConfigError as exc:
        assert key not in str(exc) and key not in repr(exc) and used not in str(exc)
        assert check_secret_text(used) is not None and "huggingface" in lenient.unavailable
        assert used not in lenient.unavailable["huggingface"]
        return
    assert loaded is not None
    secret = loaded.provider("huggingface").api_key
    assert secret is not None and secret.reveal() == used and check_secret_text(used) is None
    assert key not in repr(loaded) and key not in str(secret)


_ENTRIES = st.sampled_from(["a.example.com", ".example.com", "example.com", ".a.example.com", "b.example.com",
                            ".com", "evil.org", ".org", "10.0.0.5", "::1"])
_HOSTS = ("a.example.com", "x.a.example.com", "example.com", "b.example.com", "evil.org", "x.org", "10.0.0.5",
          "[::1]", "other.net")


@ONE_SECOND
@given(st.lists(_ENTRIES, max_size=5, unique=True), st.lists(_ENTRIES, max_size=5, unique=True))
def test_an_intersected_allow_list_allows_exactly_what_both_allow(first: list[str], second: list[str]) -> None:
    from registry.urls import intersect_allowed_hosts

    common, outside = intersect_allowed_hosts(tuple(first), tuple(second))
    for host in _HOSTS:
        url = f"https://{host}/v1"
        by_both = all(check_base_url(url, UrlPolicy("strict", tuple(hosts))) is None for hosts in (first, second))
        assert (check_base_url(url, UrlPolicy("strict", common)) is None) == by_both, (host, common)
    for entry in outside:  # an ignored entry shares no host with the first list
        assert intersect_allowed_hosts(tuple(first), (entry,))[0] == ()
