"""``registry.errors``: every error has ``message``, ``hint`` and ``suggestion``, and ``str()`` stays
the one-line form with the suggestion, so the CLI can print any error the same way."""

from __future__ import annotations

import pickle

import pytest

from registry.errors import (
    InvalidApiKeyError,
    InvalidModelIdError,
    MissingApiKeyError,
    RegistryError,
    UnknownFieldError,
    UnknownProviderError,
    UnsupportedEffortError,
)


@pytest.mark.parametrize(("error", "message", "hint", "text"), [
    (InvalidModelIdError("olama/x", "'olama/' is not a registered prefix", "ollama/x"),
     "invalid model id 'olama/x': 'olama/' is not a registered prefix", "did you mean 'ollama/x'?",
     "invalid model id 'olama/x': 'olama/' is not a registered prefix (did you mean 'ollama/x'?)"),
    (InvalidModelIdError("a b", "the model id contains whitespace"),
     "invalid model id 'a b': the model id contains whitespace", None,
     "invalid model id 'a b': the model id contains whitespace"),
    (UnknownProviderError("olama", ["vllm", "ollama"], "ollama"), "unknown provider 'olama'",
     "did you mean 'ollama'?", "unknown provider 'olama' (did you mean 'ollama'?); known providers: ollama, vllm"),
    (UnknownProviderError("zzz", ["vllm", "ollama"]), "unknown provider 'zzz'", "known providers: ollama, vllm",
     "unknown provider 'zzz'; known providers: ollama, vllm"),
    (UnknownProviderError("zzz"), "unknown provider 'zzz'", None, "unknown provider 'zzz'"),
    (UnknownProviderError("vllm", ["ollama"], disabled=True), "unknown provider 'vllm'",
     "provider 'vllm' is disabled ('enabled: false'); remove that line to enable it",
     "unknown provider 'vllm'; known providers: ollama"),
    (UnsupportedEffortError("vllm", "high", ()),
     "provider 'vllm' does not accept any reasoning effort (asked for 'high')",
     "drop --effort, or add the level to the provider's 'efforts'",
     "provider 'vllm' does not accept any reasoning effort (asked for 'high')"),
    (UnsupportedEffortError("x", "hgh", (), known=("low", "high"), suggestion="high"),
     "'hgh' is not a reasoning-effort level; the levels are: low, high (did you mean 'high'?)", None,
     "'hgh' is not a reasoning-effort level; the levels are: low, high (did you mean 'high'?)"),
    (MissingApiKeyError("huggingface", ["HF_TOKEN"], "ollama/llama3"),
     "provider 'huggingface' needs an API key and none is configured; set HF_TOKEN", "did you mean 'ollama/llama3'?",
     "provider 'huggingface' needs an API key and none is configured; set HF_TOKEN"),
    (MissingApiKeyError("box", []), "provider 'box' needs an API key and none is configured; set api_key_env in "
     "the user file", None, "provider 'box' needs an API key and none is configured; set api_key_env in the user file"),
    (UnknownFieldError("ollama", "api_key"), "provider 'ollama' has no value for 'api_key' in any layer", None,
     "provider 'ollama' has no value for 'api_key' in any layer"),
    (InvalidApiKeyError("ends in a newline"), "the api_key argument ends in a newline", None,
     "the api_key argument ends in a newline"),
], ids=["model id", "model id no guess", "provider", "provider list", "provider nothing known", "provider disabled",
        "effort refused", "effort typo", "missing key typo", "missing key", "field", "api key"])
def test_message_hint_and_text(error: RegistryError, message: str, hint: str | None, text: str) -> None:
    assert (error.message, error.hint, str(error)) == (message, hint, text)


def test_suggestion_is_none_unless_there_is_a_guess() -> None:
    assert RegistryError("x").suggestion is None and RegistryError("x").hint is None
    assert UnknownProviderError("olama", (), "ollama").suggestion == "ollama"
    assert MissingApiKeyError("p", ()).suggestion is None


def test_pickling_keeps_message_and_hint() -> None:
    error = UnknownProviderError("vllm", ["ollama"], disabled=True)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.message, copy.hint, str(copy)) == (type(error), error.message, error.hint, str(error))


# --- cost: every echo of a caller's value is cut (issue 10, class 5) -----------------------------

BIG = "v" * 10_000_000
KNOWN = [f"p{i:04d}" for i in range(4_000)]


@pytest.mark.parametrize("make", [
    lambda: InvalidModelIdError(BIG, "the model id is longer than 512 characters"),
    lambda: UnknownProviderError(BIG, ["ollama", "vllm"]),
    lambda: UnknownProviderError(BIG, ["ollama"], disabled=True),
    lambda: UnknownFieldError(BIG, "api_base", ["api_base"]),
    lambda: UnknownFieldError("ollama", BIG, ["api_base"]),
    lambda: UnsupportedEffortError("ollama", BIG, [], known=["low", "high"]),
    lambda: UnsupportedEffortError("ollama", BIG, ["low"]),
    lambda: UnsupportedEffortError("ollama", BIG, []),
    lambda: MissingApiKeyError(BIG, ["X_API_KEY"]),
], ids=["model-id", "provider", "disabled-provider", "field-provider", "field", "effort-word",
        "effort-accepted", "effort-none", "missing-key"])
def test_a_10_mb_value_is_echoed_cut(make) -> None:
    error = make()
    for text in (str(error), error.message, error.hint or ""):
        assert BIG[:100] not in text and len(text) < 400
    assert "'... (10,000,000 characters)" in str(error)


def test_controls_in_an_echoed_value_are_escaped() -> None:
    error = UnknownProviderError("\x1b]0;pwned\x07", ["ollama"])
    assert "\x1b" not in str(error) and "\\x1b]0;pwned\\x07" in error.message


def test_a_list_of_thousands_of_providers_is_cut() -> None:
    error = UnknownProviderError("zzz", KNOWN)
    assert str(error).endswith("; known providers: p0000, p0001, p0002, p0003, p0004, p0005, p0006, p0007, "
                               "p0008, p0009 and 3,990 more")
    assert error.hint == "known providers: p0000, p0001, p0002, p0003, p0004, p0005, p0006, p0007, p0008, p0009 " \
                         "and 3,990 more"
    assert len(error.known) == 4_000  # the attribute keeps them all, for a program


def test_a_short_list_is_written_whole() -> None:
    names = [f"p{i}" for i in range(10)]
    assert str(UnknownProviderError("zzz", names)).endswith("known providers: " + ", ".join(sorted(names)))
