"""Base URLs: one parse per URL, from which both the verdict under the policy and the normal form follow.

Base URLs of OpenAI-compatible servers come from YAML files and environment variables, so they are
untrusted text. This module decides, without any network access or DNS lookup, whether such a URL
may be handed to an agent: it must be a plain ``http``/``https`` URL whose host is written in one
unambiguous form and is not a cloud metadata endpoint (the classic SSRF target that hands out
instance credentials; :mod:`registry.hosts` classifies hosts).

The raw text is checked first (control characters, whitespace, backslash, ``@``), then split once.
``urllib.parse.urlsplit`` is not used for the split: it silently removes tab, CR and LF, drops an
empty ``?``, and raises on the very hosts (``[::1``, ``[1.2.3.4]``, ``[]``) whose messages must say
what is wrong with them; after the raw checks the split is three ``partition`` calls.

Two policies:

- ``default``: loopback, private LAN addresses, ordinary host names and public addresses are allowed;
  cloud metadata addresses and host names are refused.
- ``strict``: everything ``default`` refuses, plus every non-loopback host must use ``https`` and be
  listed in the allow-list. An empty allow-list therefore means "loopback hosts only". The caller
  says which values are trusted (``trusted=True``: written by the operator, e.g. the built-in
  file): those skip the https and allow-list rules, never the others.

No message ever echoes credentials. :func:`is_quotable_url` is the one rule for whether URL text
may be quoted (no userinfo ``@``, no query ``?``, no fragment ``#``, not a lone key-like token) and
:func:`quote_url` the one way to quote it (masked otherwise, and cut to a readable length); every
message here that shows URL or allow-list text goes through them.
"""

from __future__ import annotations

import re

from .hosts import Host, UrlProblem, bad_host, classify_bracketed, classify_unbracketed, is_ipv4_attempt
from .secrets import KEY_RUN_RE, is_key_like, url_may_hold_key
from .suggest import close_match, did_you_mean
from .text import is_control, is_plain, is_whitespace
from .values import Frozen

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "POLICY_NAMES",
    "URL_POLICY_ENV",
    "ENDPOINT_PATHS",
    "BaseUrl",
    "PolicyError",
    "UrlPolicy",
    "UrlProblem",
    "check_base_url",
    "intersect_allowed_hosts",
    "parse_allowed_host",
    "is_quotable_url",
    "parse_base_url",
    "parse_policy",
    "quote_url",
]

POLICY_NAMES: tuple[str, ...] = ("default", "strict")

MAX_URL_LENGTH = 2048
# Allow-list limits: far above any real list, low enough that a pasted file fails at once.
MAX_ALLOWED_HOSTS = 1000
MAX_ALLOWED_HOSTS_LENGTH = 65536
MAX_QUOTED_LENGTH = 100  # longer URL text is cut in messages
_MASK = "****"
# The environment variables that choose the policy (read by the loader, named in hints here).
URL_POLICY_ENV = "PROVIDER_REGISTRY_URL_POLICY"
ALLOWED_HOSTS_ENV = "PROVIDER_REGISTRY_ALLOWED_HOSTS"
_ALLOWED_SCHEMES = ("http", "https")
_EXAMPLE_URL = "http://localhost:11434/v1"
_SCHEME_HINT = f"write the full URL, e.g. {_EXAMPLE_URL!r}"

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_PORT_RE = re.compile(r"[0-9]{1,5}")
# A run of 20 or more letters, digits, '_' and '-' that mixes letters and digits is a pasted key
# (sk-..., hf_..., a hex token) far more often than a host label or a path segment.
_SPLIT_RE = re.compile(r"[,\s]+")
_MAX_SHOWN_SCHEME = 16

# OpenAI-compatible endpoints: a base URL that already ends in one would be requested twice over
# (rule ``endpoint-path``); ``registry doctor`` strips them to find the base URL that works.
ENDPOINT_PATHS = ("/chat/completions", "/completions", "/embeddings", "/models", "/responses")


class UrlPolicy(Frozen):
    """Which base URLs are acceptable.

    ``allowed_hosts`` only matters under ``strict``: lowercase host names, canonical IPv4 or
    compressed IPv6 addresses (without brackets), or ``.example.com`` for any subdomain of
    ``example.com`` (not ``example.com`` itself). Loopback hosts never need listing. Build from
    environment text with :func:`parse_policy`, which normalises entries.
    """

    __slots__ = ("name", "allowed_hosts")
    name: str
    allowed_hosts: tuple[str, ...]
    _defaults = {"name": "default", "allowed_hosts": ()}

    def __post_init__(self) -> None:
        if self.name not in POLICY_NAMES:
            raise ValueError(f"unknown URL policy {self.name!r}; expected one of {_names()}")
        if not isinstance(self.allowed_hosts, tuple):
            raise TypeError(f"allowed_hosts must be a tuple, not {type(self.allowed_hosts).__name__}")
        if len(self.allowed_hosts) > MAX_ALLOWED_HOSTS:
            raise ValueError(f"allowed_hosts has {len(self.allowed_hosts)} entries; the limit is {MAX_ALLOWED_HOSTS}")
        for entry in self.allowed_hosts:
            if not isinstance(entry, str) or parse_allowed_host(entry) != entry:
                shown = quote_url(entry) if isinstance(entry, str) else type(entry).__name__
                raise ValueError(f"allowed host {shown} is not in normal form; build the policy with parse_policy()")


_DEFAULT_POLICY = UrlPolicy()


class PolicyError(ValueError):
    """A URL policy setting that cannot be used, kept structured so callers never parse the text.

    ``setting`` is the :func:`parse_policy` argument at fault (``"name"`` or ``"allowed_hosts"``),
    so the caller can blame its own variable. ``hint`` is None when only the caller knows the fix.
    ``str()`` joins message and hint for people reading a traceback.
    """

    def __init__(self, setting: str, message: str, hint: str | None = None) -> None:
        super().__init__(setting, message, hint)  # args rebuild the error when it is pickled
        self.setting = setting
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if self.hint is None else f"{self.message}; hint: {self.hint}"


class BaseUrl(Frozen):
    """A base URL that passed every rule: its parts, from which :attr:`normal` follows."""

    __slots__ = ("scheme", "authority", "host", "path")
    scheme: str  # 'http' or 'https'
    authority: str  # host[:port], lowercased but otherwise as written
    host: Host
    path: str  # as written, without its trailing '/'s; may be empty

    @property
    def normal(self) -> str:
        """The one spelling layers compare and merge: lowercase scheme and host, no trailing ``/``,
        ``/v1`` when there is no path (OpenAI-compatible servers serve under ``/v1``)."""
        return f"{self.scheme}://{self.authority}{self.path or '/v1'}"


def parse_base_url(text: str, policy: UrlPolicy = _DEFAULT_POLICY, *, strip: bool = True,
                   trusted: bool = False) -> BaseUrl | UrlProblem:
    """Parse ``text`` once; return the URL, or the first rule it breaks under ``policy``.

    Surrounding whitespace is stripped; with ``strip=False`` it is a problem of its own, reported
    when the URL is otherwise fine (in a file it means a ``|`` block scalar or a quoted typo, so the
    value is not what the user thinks). Whitespace inside the URL is always a problem.

    ``trusted=True`` says the operator wrote the value (the built-in file, later the app and site
    layers): the strict policy's https and allow-list rules do not apply to it; every rule of the
    default policy still does, so even a trusted value never reaches a metadata endpoint.
    """
    url = text.strip()
    problem = _check_text(url)
    if problem is not None:
        return problem
    scheme, problem = _check_scheme(url)
    if problem is not None:
        return problem
    rest = url[len(scheme) + 3:]
    cut = _first_index(rest, "?#")
    if cut < len(rest):
        part = "a query string" if rest[cut] == "?" else "a fragment"
        # The query itself is never quoted: it is where keys like '?api_key=...' end up.
        return UrlProblem(
            "fragment-or-query",
            f"base URL has {part} after {rest[cut]!r} (not shown); a base URL ends at its path",
            "remove everything from the first '?' or '#', e.g. 'http://gpu-box:8000/v1'",
        )
    authority, slash, path = rest.partition("/")
    host = _check_authority(authority)
    if isinstance(host, UrlProblem):
        return host
    path = (slash + path).rstrip("/")
    lowered = path.lower()
    if lowered.endswith(ENDPOINT_PATHS):
        endpoint = next(e for e in ENDPOINT_PATHS if lowered.endswith(e))
        base = url.rstrip("/")[: -len(endpoint)]
        return UrlProblem(
            "endpoint-path",
            f"base URL ends with the endpoint {endpoint!r}, which LiteLLM appends itself",
            f"stop before it: {quote_url(base)}",
        )
    if policy.name == "strict" and not trusted:
        problem = _check_strict(scheme, host, policy)
        if problem is not None:
            return problem
    if not strip and url != text:
        return UrlProblem("whitespace", "base URL has leading or trailing whitespace",
                          "remove it; a '|' or '>' block scalar adds a newline, so write the URL on the key's line")
    return BaseUrl(scheme, authority.lower(), host, path)


def check_base_url(url: str, policy: UrlPolicy = _DEFAULT_POLICY) -> UrlProblem | None:
    """The first rule ``url`` breaks under ``policy``, or None: :func:`parse_base_url` for callers
    that only want the verdict."""
    parsed = parse_base_url(url, policy)
    return parsed if isinstance(parsed, UrlProblem) else None


def parse_policy(name: str | None, allowed_hosts: str | None) -> UrlPolicy:
    """Build a policy from environment-variable text; raise :class:`PolicyError` when it is invalid.

    ``name`` None or empty means ``default``; names are case-insensitive. ``allowed_hosts`` is
    comma- or whitespace-separated; empty entries are dropped and duplicates removed. Entries are
    kept under ``default`` too but have no effect there. The name is checked first. The cost is
    linear in the text, which may be at most ``MAX_ALLOWED_HOSTS_LENGTH`` characters and
    ``MAX_ALLOWED_HOSTS`` distinct entries.
    """
    policy_name = (name or "").strip().lower() or "default"
    if policy_name not in POLICY_NAMES:
        close = close_match(policy_name, POLICY_NAMES) if len(policy_name) <= 40 else None
        guess = f" ({did_you_mean(close)})" if close else ""
        raise PolicyError("name", f"unknown URL policy {_clip(name or '')!r}{guess}; expected one of {_names()}")
    text = allowed_hosts or ""
    if len(text) > MAX_ALLOWED_HOSTS_LENGTH:
        raise PolicyError(
            "allowed_hosts",
            f"the allow-list is {len(text)} characters long; the limit is {MAX_ALLOWED_HOSTS_LENGTH}",
            "list only the hosts base URLs use; '.example.com' covers every subdomain",
        )
    entries: dict[str, None] = {}  # insertion-ordered set: a list's 'in' made this quadratic
    for raw in _SPLIT_RE.split(text):
        if raw:
            entries[parse_allowed_host(raw)] = None
            if len(entries) > MAX_ALLOWED_HOSTS:
                raise PolicyError(
                    "allowed_hosts",
                    f"the allow-list has more than {MAX_ALLOWED_HOSTS} entries",
                    "list only the hosts base URLs use; '.example.com' covers every subdomain",
                )
    return UrlPolicy(policy_name, tuple(entries))


def is_quotable_url(text: str) -> bool:
    """Whether URL text may appear in a message as written: False when it may hold a key.

    Userinfo (``user:pw@``), a query (``?api_key=...``) and a fragment (``#access_token=...``)
    are where keys end up in URLs, with or without a scheme; a lone key-like token is a key
    pasted where the URL belongs. This is the one rule: every URL message uses :func:`quote_url`.
    """
    return not url_may_hold_key(text)


def quote_url(text: str) -> str:
    """``text`` quoted for a message: as written when :func:`is_quotable_url`, else with every part
    that may hold a key replaced by ``****`` (the query and fragment, the userinfo up to the last
    ``@``, each key-like token); cut to ``MAX_QUOTED_LENGTH`` characters after masking."""
    if not is_quotable_url(text):
        text = _masked(text)
    return repr(_clip(text))


def _masked(text: str) -> str:
    cut = _first_index(text, "?#")
    head, tail = text[:cut], (text[cut] + _MASK if cut < len(text) else "")
    if "@" in head:
        scheme = _SCHEME_RE.match(head)
        prefix = head[: scheme.end() + 2] if scheme and head.startswith("//", scheme.end()) else ""
        head = f"{prefix}{_MASK}@{head.rpartition('@')[2]}"
    return KEY_RUN_RE.sub(lambda run: _MASK if is_key_like(run[0]) else run[0], head) + tail


def _clip(text: str) -> str:
    return text if len(text) <= MAX_QUOTED_LENGTH else text[: MAX_QUOTED_LENGTH - 3] + "..."


def _names() -> str:
    return ", ".join(repr(name) for name in POLICY_NAMES)


def _first_index(text: str, chars: str) -> int:
    """Index of the first of ``chars`` in ``text``, or ``len(text)``."""
    first = len(text)
    for char in chars:
        index = text.find(char, 0, first)
        if index >= 0:
            first = index
    return first


def _check_text(text: str) -> UrlProblem | None:
    """Rules about the raw characters; these messages quote one character, never the URL."""
    if not text:
        return UrlProblem("empty", "base URL is empty", _SCHEME_HINT)
    if len(text) > MAX_URL_LENGTH:
        return UrlProblem(
            "too-long",
            f"base URL is {len(text)} characters long; the limit is {MAX_URL_LENGTH}",
            "a base URL is scheme, host, port and a short path, e.g. 'http://gpu-box:8000/v1'",
        )
    plain = is_plain(text) and "\\" not in text
    for index, char in enumerate(() if plain else text):
        if is_control(char):
            return UrlProblem(
                "control-character",
                f"base URL contains the control character {char!r} at position {index}",
                "remove it; stray newlines and tabs usually come from copying the URL out of a file",
            )
        if is_whitespace(char):
            return UrlProblem(
                "whitespace",
                f"base URL contains whitespace {char!r} at position {index}",
                "remove the space; URLs cannot contain whitespace",
            )
        if char == "\\":
            return UrlProblem(
                "backslash",
                f"base URL contains a backslash at position {index}",
                "use forward slashes '/'; URL parsers disagree about what a backslash means",
            )
    if "@" in text:
        return UrlProblem(
            "userinfo",
            "base URL carries credentials or an '@' (user:password@host); the URL is not shown",
            "remove the part before '@' and configure the key with api_key_env instead; "
            "rotate the key if the URL was shared",
        )
    return None


def _check_scheme(text: str) -> tuple[str, UrlProblem | None]:
    match = _SCHEME_RE.match(text)
    scheme = match[1].lower() if match else ""
    if match is None or (scheme not in _ALLOWED_SCHEMES and text[match.end():][:1].isdigit()):
        return scheme, UrlProblem("scheme", f"base URL {quote_url(text)} has no scheme", _SCHEME_HINT)
    if scheme not in _ALLOWED_SCHEMES:
        # A long "scheme" is text before a ':' that is no scheme (a pasted 'key:secret', say).
        shown = f" {match[1]!r}" if len(scheme) <= _MAX_SHOWN_SCHEME and is_quotable_url(match[1]) else ""
        return scheme, UrlProblem(
            "scheme",
            f"base URL scheme{shown} is not allowed; only 'http' and 'https' are",
            _SCHEME_HINT,
        )
    if not text.startswith("//", match.end()):
        return scheme, UrlProblem(
            "scheme", f"base URL must start with '{scheme}://'; got {quote_url(text)}", _SCHEME_HINT
        )
    return scheme, None


def _check_authority(authority: str) -> Host | UrlProblem:
    """Split ``host[:port]`` / ``[v6][:port]``, check the port and classify the host."""
    bracketed = authority.startswith("[")
    if bracketed:
        host_text, close, after = authority[1:].partition("]")
        if not close:
            return bad_host(authority, "has an unclosed '['")
        if after and not after.startswith(":"):
            return bad_host(authority, f"has {after!r} after the closing ']'")
        port_text = after[1:] if after else None
    else:
        if authority.count(":") > 1:
            return UrlProblem(
                "bad-host",
                f"host {quote_url(authority)} looks like an IPv6 address without brackets",
                "put IPv6 addresses in brackets, e.g. 'http://[::1]:8000/v1'",
            )
        host_text, colon, port = authority.partition(":")
        port_text = port if colon else None
    if not host_text:
        return UrlProblem(
            "missing-host", "base URL has no host", f"name the server, e.g. {_EXAMPLE_URL!r}"
        )
    if port_text is not None and not (_PORT_RE.fullmatch(port_text) and 1 <= int(port_text) <= 65535):
        return UrlProblem(
            "bad-port",
            f"port {quote_url(port_text)} is not a number from 1 to 65535",
            "write the port in decimal after the host, e.g. 'http://gpu-box:8000/v1', or leave it out",
        )
    return classify_bracketed(host_text) if bracketed else classify_unbracketed(host_text)


def _check_strict(scheme: str, host: Host, policy: UrlPolicy) -> UrlProblem | None:
    if host.is_loopback:
        return None
    if scheme != "https":
        return UrlProblem(
            "strict-https",
            f"the strict URL policy requires https for the non-loopback host {host.display!r}",
            "use 'https://', or a loopback host ('localhost', '127.0.0.1', '[::1]')",
        )
    for entry in policy.allowed_hosts:
        if entry == host.key or (host.is_name and entry.startswith(".") and host.key.endswith(entry)):
            return None
    listed = "is empty" if not policy.allowed_hosts else f"is {_listed(policy.allowed_hosts)}"
    return UrlProblem(
        "strict-allow-list",
        f"host {host.display!r} is not in the strict URL policy's allow-list (which {listed})",
        f"add it to {ALLOWED_HOSTS_ENV} (comma-separated; '.example.com' allows its subdomains), or, "
        "where an operator's file sets the policy, to 'allowed_hosts' in that file",
    )


def intersect_allowed_hosts(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The normalised allow-list entries that allow exactly the hosts both lists allow (an entry
    of one list that the other covers: 'api.example.com' under '.example.com'), in order; and
    the entries of ``second`` that share no host with ``first``. Linear in the entries (times
    their labels): two lists of 1,000 cost a few milliseconds."""
    first_set, second_set = frozenset(first), frozenset(second)
    both = [entry for entry in second if _covered(entry, first_set)]
    both += [entry for entry in first if _covered(entry, second_set)]
    parents = {parent for entry in first for parent in _parents(entry)} | first_set
    outside = tuple(entry for entry in second if entry not in parents and not _covered(entry, first_set))
    return tuple(dict.fromkeys(both)), outside


def _parents(entry: str) -> list[str]:
    """The '.domain' entries that would cover ``entry`` ('.example.com' and '.com' for
    'api.example.com' or '.api.example.com'; 'example.com' is not under '.example.com')."""
    labels = entry.lstrip(".").split(".")
    return ["." + ".".join(labels[i:]) for i in range(1, len(labels))]


def _covered(entry: str, entries: frozenset[str]) -> bool:
    """Whether every host ``entry`` allows is allowed by one of ``entries``: the entry itself or
    a parent '.domain' entry."""
    return entry in entries or any(parent in entries for parent in _parents(entry))


def _listed(entries: tuple[str, ...], limit: int = 5) -> str:
    """The allow-list as a message shows it: a few entries, a key-like one (a pasted key is a valid
    host name) masked."""
    shown = [entry if is_quotable_url(entry) else _MASK for entry in entries[:limit]]
    more = f", ... ({len(entries)} entries)" if len(entries) > limit else ""
    return ", ".join(shown) + more


def parse_allowed_host(raw: str) -> str:
    """Normalise one allow-list entry; raise PolicyError when it is not a host, IP or '.domain'."""
    entry = raw.strip().lower()

    def fail(why: str, hint: str = "") -> PolicyError:
        hint = hint or (
            "list host names, IP addresses or '.domain' entries separated by commas, "
            "e.g. 'api.example.com,.corp.example,10.0.0.5'"
        )
        return PolicyError("allowed_hosts", f"allowed host {quote_url(raw)} {why}", hint)

    if "/" in entry or "@" in entry or "?" in entry or "#" in entry:
        raise fail("looks like a URL, not a host", "write only the host, e.g. 'api.example.com'")
    if entry.startswith("[") and entry.endswith("]"):
        entry = entry[1:-1]
    if ":" in entry:
        found = classify_bracketed(entry)
        if isinstance(found, UrlProblem) and found.rule == "ipv6-zone-id":
            raise fail("has an IPv6 zone id")
        if isinstance(found, UrlProblem) and found.rule == "bad-host":
            raise fail("is not a host name or IP address", "ports do not belong in the allow-list")
    else:
        is_domain = entry.startswith(".")
        body = entry[1:] if is_domain else entry
        body = body[:-1] if body.endswith(".") else body
        if is_domain and (not body or is_ipv4_attempt(body)):
            raise fail("is not a '.domain' entry")
        found = classify_unbracketed(body)
        if isinstance(found, Host) and is_domain:
            return "." + found.key
    if isinstance(found, UrlProblem):
        if found.rule in ("blocked-address", "blocked-host"):
            raise fail(
                "is a cloud metadata endpoint, which no policy allows",
                "remove it; base URLs may never point at cloud metadata endpoints",
            )
        raise fail("is not a host name, IP address or '.domain'")
    return found.key
