"""Unit tests for registry.secrets: masks, the Secret type, key checks, placeholders, redact, and
the one rule for which fields of a document hold secrets."""

from __future__ import annotations

import copy
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import registry
from registry.secrets import (
    PLACEHOLDER_KEYS,
    Secret,
    check_secret_text,
    holds_secrets,
    is_credential_url,
    is_placeholder_key,
    is_secret_path,
    mask_secret,
    redact,
    redaction_values,
)

KEY = "sk-proj-AbCdEf0123456789XyZw"


# --- mask_secret ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        ("a", "****"),
        ("abcd", "****"),
        ("abcdefg", "****"),  # 7
        ("abcdefgh", "****gh"),  # 8
        ("abcdefghijklmno", "****no"),  # 15
        ("abcdefghijklmnop", "****mnop"),  # 16
        (KEY, "****XyZw"),
        ("*" * 20, "********"),
    ],
)
def test_mask_secret(value: str, expected: str) -> None:
    assert mask_secret(value) == expected


@given(st.text(min_size=1, max_size=200))
def test_mask_shows_at_most_the_last_quarter(value: str) -> None:
    mask = mask_secret(value)
    shown = mask[4:]
    assert mask.startswith("****")
    assert len(shown) <= 4
    assert value.endswith(shown)
    # Never more than a quarter of the key, so the start is never shown.
    assert len(shown) * 4 <= len(value)


# --- Secret --------------------------------------------------------------------------------------

def _renderings(secret: Secret) -> list[str]:
    return [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!s}",
        f"{secret!r}",
        f"{secret:>40}",
        format(secret),
        "%s" % secret,
        "%r" % (secret,),
        "{}".format(secret),
        str([secret]),
        repr({"api_key": secret}),
        str((secret,)),
        str(ValueError(secret)),
        repr(ValueError(secret)),
    ]


@pytest.mark.parametrize("index", range(15))
def test_secret_renderings_are_masked(index: int) -> None:
    rendering = _renderings(Secret(KEY))[index]
    assert KEY not in rendering
    assert "sk-proj" not in rendering
    assert KEY[:4] not in rendering
    assert "****XyZw" in rendering


def test_secret_repr_and_str() -> None:
    secret = Secret(KEY)
    assert repr(secret) == "Secret('****XyZw')"
    assert str(secret) == "****XyZw"
    assert secret.masked == "****XyZw"
    assert f"[{secret:>10}]" == "[  ****XyZw]"
    assert repr(Secret("")) == "Secret('')"
    assert repr(Secret("short")) == "Secret('****')"


def test_reveal_returns_the_value() -> None:
    assert Secret(KEY).reveal() == KEY
    assert Secret("").reveal() == ""


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(12345678, "int"), (b"sk-bytes-key-123", "bytes"), (None, "NoneType"), (["sk-list-key"], "list")],
)
def test_secret_needs_a_str(value: object, type_name: str) -> None:
    with pytest.raises(TypeError) as caught:
        Secret(value)  # type: ignore[arg-type]
    assert str(caught.value) == f"Secret needs a str, not {type_name}"  # the type, never the value


def test_secret_equality_and_hash() -> None:
    assert Secret(KEY) == Secret(KEY)
    assert Secret(KEY) != Secret(KEY + "x")
    assert Secret(KEY) != Secret(KEY[:-1] + "q")  # same mask, different value
    assert Secret(KEY) != KEY  # a Secret never equals a plain string
    assert KEY != Secret(KEY)
    assert Secret("é-key-value") == Secret("é-key-value")  # non-ASCII compares too
    assert hash(Secret(KEY)) == hash(Secret(KEY))
    assert len({Secret(KEY), Secret(KEY), Secret("other-key-value")}) == 2
    assert {Secret(KEY): 1}[Secret(KEY)] == 1


def test_secret_truthiness() -> None:
    assert Secret(KEY)
    assert Secret("x")
    assert not Secret("")


def test_secret_is_immutable() -> None:
    secret = Secret(KEY)
    with pytest.raises(AttributeError):
        secret._value = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        secret.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del secret._value
    with pytest.raises(TypeError):
        vars(secret)  # no __dict__ to smuggle state through
    assert secret.reveal() == KEY


def test_secret_pickles_and_copies_with_its_value() -> None:
    secret = Secret(KEY)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(secret, protocol=protocol)
        assert KEY.encode() not in data
        restored = pickle.loads(data)
        assert isinstance(restored, Secret)
        assert restored == secret and restored.reveal() == KEY
    assert copy.copy(secret).reveal() == KEY
    assert copy.deepcopy({"k": secret})["k"].reveal() == KEY


def test_secret_reduce_does_not_show_the_value() -> None:
    secret = Secret(KEY)
    for reduced in (secret.__reduce__(), secret.__reduce_ex__(2), secret.__reduce_ex__(4)):
        assert KEY not in repr(reduced)
        assert "sk-proj" not in repr(reduced)


# --- check_secret_text ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("", "is empty"),
        (" ", "contains whitespace"),
        ("SECRETVALUE abc", "contains whitespace"),
        ("SECRETVALUE\n", "contains whitespace"),
        ("SECRETVALUE\r\n", "contains whitespace"),
        ("SECRETVALUE\r", "contains whitespace"),
        ("SECRETVALUE\t", "contains whitespace"),
        ("\u00a0SECRETVALUE", "contains whitespace"),
        ("SECRET\u2003VALUE", "contains whitespace"),
        ("SECRET\x00VALUE", "contains a control character"),
        ("SECRET\x7fVALUE", "contains a control character"),
        ("SECRET\x1bVALUE", "contains a control character"),
        ("SECRET\u200bVALUE", "contains a control character"),
        ("SECRET\u202eVALUE", "contains a control character"),
        ("SECRETVALUEé", "contains non-ASCII characters"),
        ("SECRETVALUE\u2013", "contains non-ASCII characters"),
        ("SECRETVALUE" + "a" * 4086, "is longer than 4096 characters"),
    ],
)
def test_check_secret_text_refuses(value: str, phrase: str) -> None:
    assert check_secret_text(value) == phrase
    if value.strip():
        assert "SECRET" not in phrase


@pytest.mark.parametrize(
    "value", [KEY, "x", "sk-ant-api03-abc_DEF-123", "a" * 4096, "Bearer-less.key+/=~!"]
)
def test_check_secret_text_accepts(value: str) -> None:
    assert check_secret_text(value) is None


@given(st.text(min_size=6, max_size=60))
def test_check_secret_text_never_contains_the_value(value: str) -> None:
    phrase = check_secret_text(value)
    if phrase is not None:
        assert phrase in {
            "is empty", "contains whitespace", "contains a control character",
            "contains non-ASCII characters", "is longer than 4096 characters",
        }


# --- placeholders --------------------------------------------------------------------------------

def test_placeholder_keys() -> None:
    assert PLACEHOLDER_KEYS == {
        "ollama", "lm-studio", "lmstudio", "vllm", "llamacpp", "llama.cpp", "none", "empty",
        "dummy", "placeholder", "not-needed", "no-key", "nokey", "sk-no-key-required", "x", "-",
        "key", "api-key", "changeme", "openai-compat", "local",
    }
    assert isinstance(PLACEHOLDER_KEYS, frozenset)


@pytest.mark.parametrize(
    ("value", "provider", "expected"),
    [
        ("ollama", None, True),
        ("OLLAMA", None, True),
        ("LM-Studio", None, True),
        ("sk-no-key-required", None, True),
        ("x", None, True),
        ("-", None, True),
        ("ChangeMe", None, True),
        (" dummy\n", None, True),
        ("sk-proj-real-key-0123456789", None, False),
        ("ollama-key-0123456789", None, False),
        ("", None, False),
        ("gpu-box", "gpu-box", True),
        ("GPU-Box", "gpu-box", True),
        ("gpu-box", "GPU-BOX", True),
        ("other", "gpu-box", False),
        ("", "", False),
        ("vllm", "gpu-box", True),
    ],
)
def test_is_placeholder_key(value: str, provider: str | None, expected: bool) -> None:
    assert is_placeholder_key(value, provider) is expected


# --- redact --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        (f"401 for key {KEY}", [KEY], "401 for key ****XyZw"),
        (f"401 for key {KEY}", [Secret(KEY)], "401 for key ****XyZw"),
        (f"{KEY} and {KEY}!", [KEY], "****XyZw and ****XyZw!"),
        ("a=abcdefgh b=ABCDEFGHIJKLMNOP", ["abcdefgh", Secret("ABCDEFGHIJKLMNOP")], "a=****gh b=****MNOP"),
        ("token=abcde;", ["abcde"], "token=****;"),
        ("ab abc", ["ab", "abc", ""], "ab abc"),  # shorter than 4: would mask ordinary words
        ("nothing to hide", [KEY], "nothing to hide"),
        ("nothing to hide", [], "nothing to hide"),
        (f"Bearer {KEY}0000", [KEY, KEY + "0000"], "Bearer ****0000"),  # longest first
        ("k=a.b*c+d? n=aXbbbc", ["a.b*c+d?"], "k=****d? n=aXbbbc"),  # regex characters are literal
        ("url?key=ab%2Fcd%2Bef%3D", ["ab/cd+ef="], "url?key=****f="),  # percent-encoded form too
        ("abcd" * 7, ["abcd" * 4], "********abcd"),  # periodic key re-formed by its own mask tail
    ],
)
def test_redact(text: str, secrets: list[Secret | str], expected: str) -> None:
    assert redact(text, secrets) == expected


def test_redact_accepts_a_generator() -> None:
    assert redact(f"key {KEY}", (s for s in [Secret(KEY)])) == "key ****XyZw"


@given(
    key=st.from_regex(r"[A-Za-z0-9_-]{4,40}", fullmatch=True),
    before=st.text(alphabet="abcXYZ019 -_", max_size=30),
    after=st.text(alphabet="abcXYZ019 -_", max_size=30),
)
def test_redact_removes_every_copy(key: str, before: str, after: str) -> None:
    text = f"{before}{key}{after}{key}"
    result = redact(text, [Secret(key)])
    assert key not in result
    assert mask_secret(key) in result


# --- which fields hold secrets -------------------------------------------------------------------

@pytest.mark.parametrize(("path", "secret"), [
    (("providers", "p", "api_key"), True),
    (("providers", "p", "api_key_env"), True),
    (("providers", "p", "api_key_env", 1), True),
    (("providers", "p", "headers"), True),
    (("providers", "p", "headers", "Authorization"), True),
    (("providers", "p", "headers", "X", "deeper"), True),  # wherever a mis-indented key lands
    (("providers", "api_key"), True),
    (("providers", "p", "api_base"), False),
    (("providers", "p", "api_base_env", 0), True),  # a key pasted where the variable name belongs is not quoted
    (("providers", "p", "description"), False),
    ((), False),
])
def test_is_secret_path(path: tuple, secret: bool) -> None:
    assert is_secret_path(path) is secret


@pytest.mark.parametrize(("path", "value", "credential"), [
    (("providers", "p", "api_base"), "http://u:pw@host/v1", True),
    (("providers", "p", "api_base"), "https://host/v1?api_key=x", True),
    (("providers", "p", "api_bases", 0), "http://u@host/v1", True),
    (("providers", "p", "api_base"), "http://host:1/v1", False),
    (("providers", "p", "description"), "mail me @ home?", False),
    (("providers", "p", "api_base"), 42, False),
])
def test_is_credential_url(path: tuple, value: object, credential: bool) -> None:
    assert is_credential_url(path, value) is credential


@pytest.mark.parametrize(("data", "secret"), [
    ({"providers": {"p": {"api_key": "sk-live-0123456789abcdef"}}}, True),
    ({"providers": {"p": {"api_key": 12345}}}, True),  # not a string: not a placeholder either
    ({"providers": {"p": {"headers": {"X-Team": "research"}}}}, True),
    ({"providers": {"p": {"api_base": "http://u:pw@host/v1"}}}, True),
    ({"providers": {"p": {"api_bases": ["http://ok/v1", "http://h/v1?token=x"]}}}, True),
    ({"providers": {"ollama": {"api_key": "ollama"}, "mine": {"api_key": "mine"}}}, False),  # placeholders
    ({"providers": {"p": {"api_key": None, "headers": {}}}}, False),
    ({"providers": {"p": {"api_key_env": ["HF_TOKEN"]}}}, False),  # a valid file names a variable
    ({"version": 1}, False),
    (None, False),
])
def test_holds_secrets(data: object, secret: bool) -> None:
    assert holds_secrets(data) is secret


# --- redaction_values ----------------------------------------------------------------------------

def _provider(api_key: str | None, headers: dict[str, str]) -> registry.Provider:
    return registry.Provider(name="box", prefix="box/", api_base="http://box/v1",
                             api_key=None if api_key is None else Secret(api_key),
                             headers={name: Secret(value) for name, value in headers.items()})


def test_redaction_values_cover_the_key_each_header_value_and_its_tokens() -> None:
    provider = _provider(KEY, {"Authorization": "Bearer tok-0123456789abcdef", "X-Team": "research"})
    values = list(redaction_values(provider))
    assert values[0] == KEY
    assert {"Bearer tok-0123456789abcdef", "tok-0123456789abcdef", "research"} <= set(values)
    assert "Bearer" not in values  # scheme words are too short to be tokens


def test_a_server_echoing_only_the_bearer_token_is_masked() -> None:
    provider = _provider(None, {"Authorization": "Bearer tok-0123456789abcdef"})
    shown = redact("401: invalid token tok-0123456789abcdef", redaction_values(provider))
    assert "tok-0123" not in shown and shown.endswith("****cdef")


@pytest.mark.parametrize("value", ["Basic dXNlcjpwYXNzd29yZA==", "session=tok-0123456789abcdef; path=/",
                                   "a,tok-0123456789abcdef"])
def test_each_long_token_of_a_header_value_is_masked(value: str) -> None:
    secret_part = max(value.replace("=", " ").replace(";", " ").replace(",", " ").split(), key=len)
    shown = redact(f"echo: {secret_part}", redaction_values(_provider(None, {"X-Auth": value})))
    assert secret_part[:8] not in shown


def test_a_header_name_with_a_colon_is_itself_a_secret() -> None:
    provider = _provider(None, {"Authorization: Bearer tok-0123456789abcdef": "x"})
    values = list(redaction_values(provider))
    assert "Authorization: Bearer tok-0123456789abcdef" in values and "tok-0123456789abcdef" in values
    assert "Authorization" not in values  # the ordinary word stays readable
    assert "tok-0123" not in redact("bad header tok-0123456789abcdef", values)


def test_redaction_values_of_a_provider_without_secrets_is_empty() -> None:
    assert list(redaction_values(_provider(None, {}))) == []
