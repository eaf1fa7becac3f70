"""API keys as values that stay masked everywhere except at the single call that sends them.

A key read from a file or the environment is wrapped in :class:`Secret` at once. Its ``repr``,
``str`` and ``format`` show only a mask, so a key cannot reach output, logs, exception messages or
``--json`` by accident; code that needs the value must call :meth:`Secret.reveal`. Text produced by
third-party code (HTTP errors that echo headers) goes through :func:`redact` before it is shown.

Which fields of a providers document hold secrets is decided here and nowhere else:
:func:`is_secret_path` and :func:`is_credential_url` say what a message must never quote (the YAML
reader and the schema check ask them), :func:`holds_secrets` whether a document may hold a
credential at all (the validation cache asks it before storing a document).

Masks show at most the last four characters and never the start: key prefixes such as ``sk-proj-``
are shared by every key of a vendor and tell a reader nothing, while the start of a short key is a
large part of it.
"""

from __future__ import annotations

import re

from .text import is_control, is_whitespace

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any, NoReturn

__all__ = [
    "KEY_RUN_RE",
    "PLACEHOLDER_KEYS",
    "Secret",
    "check_secret_text",
    "holds_secrets",
    "is_credential_url",
    "is_key_like",
    "is_placeholder_key",
    "is_secret_key",
    "is_secret_path",
    "is_url_path",
    "mask_secret",
    "redact",
    "redaction_values",
    "url_may_hold_key",
]

MAX_SECRET_LENGTH = 4096
_MASK = "****"
_MIN_REDACT_LENGTH = 4  # shorter values would mask ordinary words in the text

# Values local servers accept (or ignore) that are obviously not credentials; compared lowercase.
PLACEHOLDER_KEYS: frozenset[str] = frozenset(
    {
        "ollama", "lm-studio", "lmstudio", "vllm", "llamacpp", "llama.cpp", "none", "empty",
        "dummy", "placeholder", "not-needed", "no-key", "nokey", "sk-no-key-required", "x", "-",
        "key", "api-key", "changeme", "openai-compat", "local",
    }
)


def mask_secret(value: str) -> str:
    """``'****'`` plus at most the last 4 characters: enough to tell keys apart, never the start.

    Shorter values show less, since each shown character is a larger share of the key:
    fewer than 8 characters show none, 8 to 15 show the last 2, 16 or more the last 4.
    An empty value masks to ``''`` so that "no key" stays visible as such.
    """
    if not value:
        return ""
    if len(value) < 8:
        return _MASK
    if len(value) < 16:
        return _MASK + value[-2:]
    return _MASK + value[-4:]


class Secret:
    """An API key. ``repr``, ``str`` and ``format`` are masked; only :meth:`reveal` returns it.

    Immutable and hashable. Equality with another ``Secret`` is constant-time; a ``Secret`` never
    equals a plain string, so a comparison cannot reveal the value by accident. Copies and pickles
    keep the value (a pickle is as sensitive as the key itself). Not meant to be subclassed.
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            # The type name only: the value itself may be the key in the wrong type.
            raise TypeError(f"Secret needs a str, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def reveal(self) -> str:
        """The real value; call it only where the key is handed to the client that sends it."""
        return self._value

    @property
    def masked(self) -> str:
        """The value as :func:`mask_secret` shows it."""
        return mask_secret(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.masked!r})"

    def __str__(self) -> str:
        return self.masked

    def __format__(self, format_spec: str) -> str:
        return format(self.masked, format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac  # deferred: loads OpenSSL (~5 ms), needed only to compare keys

        return hmac.compare_digest(self._value.encode("utf-8"), other._value.encode("utf-8"))

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"Secret is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"Secret is immutable; cannot delete {name!r}")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        # The value travels base64-encoded so that logging the reduce tuple (or a pickle's repr)
        # does not print the key verbatim. This is not encryption.
        import base64

        return (_restore_secret, (base64.b64encode(self._value.encode("utf-8")),))


def _restore_secret(encoded: bytes) -> Secret:
    """Inverse of :meth:`Secret.__reduce__`; module-level so that pickle can find it."""
    import base64

    return Secret(base64.b64decode(encoded).decode("utf-8"))


def check_secret_text(value: str) -> str | None:
    """None when ``value`` is usable as an API key, else the broken rule as a short phrase.

    The phrase never contains the value, so callers can put it in messages as
    ``f"{env_var} {phrase}"``. Keys go into an HTTP header, where whitespace, control characters
    and non-ASCII text either fail or split the header; a trailing newline from ``echo key > file``
    is the usual culprit and counts as whitespace.
    """
    if not value:
        return "is empty"
    if len(value) > MAX_SECRET_LENGTH:
        return f"is longer than {MAX_SECRET_LENGTH} characters"
    if value.isascii() and value.isprintable() and " " not in value:
        return None  # the usual key, in two C-speed passes (ASCII's other whitespace is not printable)
    if any(is_whitespace(char) for char in value):
        return "contains whitespace"
    if any(is_control(char) for char in value):
        return "contains a control character"
    if not value.isascii():
        return "contains non-ASCII characters"
    return None


def is_placeholder_key(value: str, provider_name: str | None = None) -> bool:
    """True for values that are obviously not a real key (``'ollama'``, ``'dummy'``, the provider's name).

    Local servers accept any key, so configs fill the field with such words; a provider that needs
    a real key must not be satisfied by one.
    """
    text = value.strip().lower()
    if text in PLACEHOLDER_KEYS:
        return True
    return provider_name is not None and bool(text) and text == provider_name.strip().lower()


# Provider fields whose values may be keys: ``api_key``; every value under ``headers`` (tokens
# travel there); ``api_key_env`` and ``api_base_env``, where pasting the key (or a URL holding
# one) instead of a variable's name is a common slip; ``api_key_command``, whose arguments may
# carry a credential (``curl -u user:password``).
SECRET_FIELDS = frozenset({"api_key", "api_key_env", "api_base_env", "headers", "api_key_command"})
# Fields holding base URLs, which carry a credential when they have a password or a query.
_URL_FIELDS = frozenset({"api_base", "api_bases"})


def is_secret_path(path: Iterable[str | int]) -> bool:
    """True when a value at the JSON path ``path`` may be a key, so no message quotes it.

    Any secret field on the path counts, not only the last one: in a file with the indentation
    wrong, a key can end up anywhere below ``api_key`` or ``headers``.
    """
    return any(part in SECRET_FIELDS for part in path)


# A run of key characters long enough to be a key (20+), as found inside URL text.
KEY_RUN_RE = re.compile(r"[A-Za-z0-9_-]{20,}")


def is_key_like(run: str) -> bool:
    """Whether a run found by ``KEY_RUN_RE`` looks like a key: letters and digits mixed."""
    return any(c.isdigit() for c in run) and any(c.isalpha() for c in run)


def url_may_hold_key(text: str) -> bool:
    """The one rule for URL text that may hold a key: userinfo (``user:pw@``), a query
    (``?api_key=...``), a fragment (``#access_token=...``), with or without a scheme, or a lone
    key-like token (a key pasted where the URL belongs). Such text is never quoted."""
    return "@" in text or "?" in text or "#" in text or any(map(is_key_like, KEY_RUN_RE.findall(text)))


def is_credential_url(path: Iterable[str | int], value: object) -> bool:
    """True for a base URL value that may hold a key (see :func:`url_may_hold_key`)."""
    return isinstance(value, str) and any(part in _URL_FIELDS for part in path) and url_may_hold_key(value)


def is_secret_key(path: Iterable[str | int], key: str) -> bool:
    """True for a mapping key, in the mapping at ``path``, that may itself hold a key, so no message
    or JSON path quotes it: any key below ``api_key``/``api_key_env``; a header name with ``:`` or
    whitespace (a header line pasted as its name, ``Authorization: Bearer ...``) or what
    :func:`url_may_hold_key` flags; any key below a URL field."""
    path = tuple(path)
    if path and path[-1] == "headers" and not is_secret_path(path[:-1]):
        return ":" in key or any(map(is_whitespace, key)) or url_may_hold_key(key)
    return is_secret_path(path) or is_url_path(path)


def is_url_path(path: Iterable[str | int]) -> bool:
    """True at or below a base URL field: YAML markup written there (an anchor, a tag) may be the
    URL itself, query and credentials included, so it is never quoted."""
    return any(part in _URL_FIELDS for part in path)


def holds_secrets(data: Any, path: tuple[str | int, ...] = ()) -> bool:
    """True when a parsed document may hold a credential: an ``api_key`` that is not a placeholder,
    any header value, or a credential URL (see :func:`is_credential_url`). ``api_key_env`` is not
    counted: in a document that passed the schema it names a variable."""
    field = path[-1] if path else None
    if field == "api_key" and data is not None:
        owner = path[-2] if len(path) >= 2 and isinstance(path[-2], str) else None
        return not (isinstance(data, str) and is_placeholder_key(data, owner))
    if field == "headers" and data:
        return True
    if isinstance(data, str):
        return is_credential_url(path, data)
    if isinstance(data, dict):
        return any(holds_secrets(value, path + (key,)) for key, value in data.items())
    if isinstance(data, list):
        return any(holds_secrets(value, path + (i,)) for i, value in enumerate(data))
    return False


def redact(text: str, secrets: Iterable[Secret | str]) -> str:
    """Replace every occurrence of each secret in ``text`` with its mask.

    A last line of defence for messages from third-party code (HTTP errors that echo a request).
    Values shorter than 4 characters are skipped: they would mask ordinary words. The
    percent-encoded form of a value is replaced too, since URLs in error text are often encoded.
    """
    from urllib.parse import quote

    masks: dict[str, str] = {}
    for secret in secrets:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if len(value) < _MIN_REDACT_LENGTH:
            continue
        masks[value] = mask_secret(value)
        masks.setdefault(quote(value, safe=""), mask_secret(value))  # as it appears inside URLs
    if not masks:
        return text
    # Longest first, so a key that contains another key is replaced whole. Repeat until nothing
    # changes: the tail a mask keeps can join the following text into a new copy of a periodic
    # key. Each change shortens the text or turns characters into '*', so the loop ends.
    pattern = re.compile("|".join(re.escape(value) for value in sorted(masks, key=len, reverse=True)))
    while True:
        redacted = pattern.sub(lambda match: masks[match.group()], text)
        if redacted == text:
            return redacted
        text = redacted


# Separators inside a header value: "Bearer TOKEN", "Basic B64", "key=TOKEN; other=TOKEN2".
_HEADER_TOKEN_SPLIT_RE = re.compile(r"[\s,;=]+")
# A header value's token this long may be a credential on its own: a server that echoes only
# "TOKEN" of "Bearer TOKEN" must be masked too. Shorter tokens are scheme words ("Bearer", "Basic").
_MIN_TOKEN_LENGTH = 8


def redaction_values(provider: Any) -> Iterator[str]:
    """Every value that text about ``provider`` must never show: the one rule for what to redact.

    ``provider`` is a :class:`registry.provider.Provider` (anything with ``api_key`` and a
    ``headers`` mapping). Yields its key, each header value, each long token of each header value
    (a server may echo ``TOKEN`` from ``Bearer TOKEN``), and a header *name* that contains ``:``
    with the long tokens after the ``:`` (someone wrote the whole ``Authorization: Bearer TOKEN``
    line as the name). Every message about a provider is cleaned with
    ``redact(text, redaction_values(provider))`` (probe reasons, server replies, errors), before
    any cutting.
    """
    command = getattr(provider, "key_command", None)  # a key command's key, once it has run
    for api_key in (getattr(provider, "api_key", None), command.known_key if command is not None else None):
        if api_key is not None:
            value = api_key.reveal() if isinstance(api_key, Secret) else str(api_key)
            if value:
                yield value
    for name, header in (getattr(provider, "headers", None) or {}).items():
        value = header.reveal() if isinstance(header, Secret) else str(header)
        if value:
            yield value
            yield from _long_tokens(value)
        if isinstance(name, str) and ":" in name:
            yield name
            yield from _long_tokens(name.partition(":")[2])


def _long_tokens(value: str) -> Iterator[str]:
    """The parts of ``value`` between separators that are long enough to be a credential."""
    for token in _HEADER_TOKEN_SPLIT_RE.split(value):
        if len(token) >= _MIN_TOKEN_LENGTH and token != value:
            yield token
