"""Base URL normalisation and the safety policy every configured base URL must pass.

Base URLs of OpenAI-compatible servers come from YAML files and environment variables, so they are
untrusted text. This module decides, without any network access or DNS lookup, whether such a URL
may be handed to an agent: it must be a plain ``http``/``https`` URL whose host is written in one
unambiguous form and is not a cloud metadata endpoint (the classic SSRF target that hands out
instance credentials).

Two policies:

- ``default``: loopback, private LAN addresses, ordinary host names and public addresses are allowed;
  cloud metadata addresses and host names are refused.
- ``strict``: everything ``default`` refuses, plus every non-loopback host must use ``https`` and be
  listed in the allow-list. An empty allow-list therefore means "loopback hosts only".

No message ever echoes credentials: a URL containing ``@`` is refused before anything else quotes
it, and query strings (which may carry ``?api_key=...``) are never quoted.
"""

from __future__ import annotations

import re
import unicodedata

from .values import Frozen

TYPE_CHECKING = False  # ipaddress is imported where IPv6 needs it; annotations are strings here
if TYPE_CHECKING:
    import ipaddress

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "POLICY_NAMES",
    "URL_POLICY_ENV",
    "UrlPolicy",
    "UrlProblem",
    "check_base_url",
    "normalize_base_url",
    "parse_policy",
]

POLICY_NAMES: tuple[str, ...] = ("default", "strict")

MAX_URL_LENGTH = 2048
# The environment variables that choose the policy (read by the loader, named in hints here).
URL_POLICY_ENV = "PROVIDER_REGISTRY_URL_POLICY"
ALLOWED_HOSTS_ENV = "PROVIDER_REGISTRY_ALLOWED_HOSTS"
_ALLOWED_SCHEMES = ("http", "https")
_EXAMPLE_URL = "http://localhost:11434/v1"
_SCHEME_HINT = f"write the full URL, e.g. {_EXAMPLE_URL!r}"
_METADATA_HINT = "base URLs may not point at cloud metadata endpoints; use the server's real address"

# Categories refused anywhere in a URL: controls, invisible format characters (zero-width space,
# bidi overrides) and line/paragraph separators. Zs (spaces) is reported as whitespace instead.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})

_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_SCHEME_AUTHORITY_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)")
_PORT_RE = re.compile(r"[0-9]{1,5}")
_LABEL_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# WHATWG URL parsers (browsers, some HTTP clients) treat a host whose last label is a number as an
# IPv4 address and accept octal, hex and fewer than four parts. Host names never end in a numeric
# label, so any such host is an IPv4 attempt and must be written canonically.
_NUMERIC_LABEL_RE = re.compile(r"[0-9]+|0x[0-9a-f]*")
_CANONICAL_IPV4_RE = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}"
                                r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])")

# OpenAI-compatible endpoints: a base URL that already ends in one would be requested twice over.
_ENDPOINTS = ("/chat/completions", "/completions", "/embeddings", "/models", "/responses")

_BLOCKED_HOSTNAMES = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
)
# IPv4 is classified as integers: a file with thousands of servers would otherwise build an
# ipaddress object per URL. IPv6 literals, which are rare, use ipaddress.
_LINK_LOCAL_V4 = (0xA9FE0000, 16)  # 169.254.0.0/16
_THIS_NETWORK_V4 = (0x00000000, 8)  # 0.0.0.0/8
_LOOPBACK_V4 = (0x7F000000, 8)  # 127.0.0.0/8
_BLOCKED_V4 = {
    0x646464C8: "a cloud metadata address (Alibaba Cloud)",  # 100.100.100.200
    0xC00000C0: "a cloud metadata address (Oracle Cloud)",  # 192.0.0.192
}
_BLOCKED_V6 = {"fd00:ec2::254": "a cloud metadata address (AWS)"}  # compressed form


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
        for entry in self.allowed_hosts:
            if not isinstance(entry, str) or _parse_allowed_host(entry) != entry:
                raise ValueError(
                    f"allowed host {entry!r} is not in normal form; build the policy with parse_policy()"
                )


class UrlProblem(Frozen):
    """Why a base URL was refused: a stable ``rule`` id, a ``message`` and a ``hint`` to fix it."""

    __slots__ = ("rule", "message", "hint")
    rule: str
    message: str
    hint: str


class _Host(Frozen):
    """A host that passed the syntax and metadata checks."""

    __slots__ = ("key", "display", "is_loopback", "is_name")
    key: str  # the form compared with the allow-list
    display: str  # the form quoted in messages
    is_loopback: bool
    is_name: bool  # a host name rather than an IP literal: only names match ".domain" entries


def normalize_base_url(url: str) -> str:
    """Give equivalent spellings of a base URL one form, so layers compare and merge cleanly.

    Strips surrounding whitespace and every trailing ``/``, lowercases scheme and host, and appends
    ``/v1`` when there is no path (OpenAI-compatible servers serve under ``/v1``). The path is kept
    as written. Text that is not ``scheme://...`` is only stripped; :func:`check_base_url` says why
    it is wrong.
    """
    text = url.strip()
    match = _SCHEME_AUTHORITY_RE.match(text)
    if match is None:
        return text.rstrip("/")
    scheme, authority = match[1].lower(), match[2]
    userinfo, at, host_port = authority.rpartition("@")
    rest = text[match.end():]
    cut = _first_index(rest, "?#")
    path, tail = rest[:cut].rstrip("/"), rest[cut:]
    return f"{scheme}://{userinfo}{at}{host_port.lower()}{path or '/v1'}{tail}"


def check_base_url(url: str, policy: UrlPolicy = UrlPolicy()) -> UrlProblem | None:
    """Return the first rule ``url`` breaks under ``policy``, or None when it is acceptable.

    Surrounding whitespace is ignored (it is stripped by :func:`normalize_base_url`); whitespace
    inside the URL is a problem. The check is purely textual: no DNS lookups.
    """
    text = url.strip()
    problem = _check_text(text)
    if problem is not None:
        return problem
    scheme, problem = _check_scheme(text)
    if problem is not None:
        return problem
    rest = text[len(scheme) + 3:]
    cut = _first_index(rest, "?#")
    if cut < len(rest):
        part = "a query string" if rest[cut] == "?" else "a fragment"
        # The query itself is never quoted: it is where keys like '?api_key=...' end up.
        return UrlProblem(
            "fragment-or-query",
            f"base URL has {part} after {rest[cut]!r} (not shown); a base URL ends at its path",
            "remove everything from the first '?' or '#', e.g. 'http://gpu-box:8000/v1'",
        )
    authority = rest[: _first_index(rest, "/")]
    host = _check_authority(authority)
    if isinstance(host, UrlProblem):
        return host
    path = rest[len(authority):].rstrip("/")
    endpoint = next((e for e in _ENDPOINTS if path.lower().endswith(e)), None)
    if endpoint is not None:
        base = text.rstrip("/")[: -len(endpoint)]
        return UrlProblem(
            "endpoint-path",
            f"base URL ends with the endpoint {endpoint!r}, which LiteLLM appends itself",
            f"stop before it: {base!r}",
        )
    if policy.name == "strict":
        return _check_strict(scheme, host, policy)
    return None


def parse_policy(name: str | None, allowed_hosts: str | None) -> UrlPolicy:
    """Build a policy from environment-variable text; raise ValueError with a hint when it is invalid.

    ``name`` None or empty means ``default``; names are case-insensitive. ``allowed_hosts`` is
    comma- or whitespace-separated; empty entries are dropped and duplicates removed. Entries are
    kept under ``default`` too but have no effect there.
    """
    policy_name = (name or "").strip().lower() or "default"
    if policy_name not in POLICY_NAMES:
        import difflib  # deferred: only near misses need it

        close = difflib.get_close_matches(policy_name, POLICY_NAMES, n=1)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown URL policy {name!r}{guess}; expected one of {_names()}")
    entries: list[str] = []
    for raw in re.split(r"[,\s]+", allowed_hosts or ""):
        if raw:
            entry = _parse_allowed_host(raw)
            if entry not in entries:
                entries.append(entry)
    return UrlPolicy(policy_name, tuple(entries))


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
    # Fast path: in ASCII, every control character is unprintable and ' ' is the only printable
    # whitespace, so a printable ASCII text without ' ' or '\\' passes the loop below untouched.
    plain = text.isascii() and text.isprintable() and " " not in text and "\\" not in text
    for index, char in enumerate(() if plain else text):
        category = unicodedata.category(char)
        if category in _CONTROL_CATEGORIES:
            return UrlProblem(
                "control-character",
                f"base URL contains the control character {char!r} at position {index}",
                "remove it; stray newlines and tabs usually come from copying the URL out of a file",
            )
        if category == "Zs" or char.isspace():
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
        return scheme, UrlProblem("scheme", f"base URL {text!r} has no scheme", _SCHEME_HINT)
    if scheme not in _ALLOWED_SCHEMES:
        return scheme, UrlProblem(
            "scheme",
            f"base URL scheme {match[1]!r} is not allowed; only 'http' and 'https' are",
            _SCHEME_HINT,
        )
    if not text.startswith("//", match.end()):
        return scheme, UrlProblem(
            "scheme", f"base URL must start with '{scheme}://'; got {text!r}", _SCHEME_HINT
        )
    return scheme, None


def _check_authority(authority: str) -> _Host | UrlProblem:
    """Split ``host[:port]`` / ``[v6][:port]`` and classify the host."""
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            return _bad_host(authority, "has an unclosed '['")
        host_text, after = authority[1:close], authority[close + 1:]
        if after and not after.startswith(":"):
            return _bad_host(authority, f"has {after!r} after the closing ']'")
        port_text = after[1:] if after else None
        bracketed = True
    else:
        if authority.count(":") > 1:
            return UrlProblem(
                "bad-host",
                f"host {authority!r} looks like an IPv6 address without brackets",
                "put IPv6 addresses in brackets, e.g. 'http://[::1]:8000/v1'",
            )
        host_text, colon, port = authority.partition(":")
        port_text = port if colon else None
        bracketed = False
    if not host_text:
        return UrlProblem(
            "missing-host", "base URL has no host", f"name the server, e.g. {_EXAMPLE_URL!r}"
        )
    if port_text is not None and not (_PORT_RE.fullmatch(port_text) and 1 <= int(port_text) <= 65535):
        return UrlProblem(
            "bad-port",
            f"port {port_text!r} is not a number from 1 to 65535",
            "write the port in decimal after the host, e.g. 'http://gpu-box:8000/v1', or leave it out",
        )
    return _classify_v6(host_text) if bracketed else _classify_unbracketed(host_text)


def _bad_host(host: str, what: str) -> UrlProblem:
    return UrlProblem(
        "bad-host",
        f"host {host!r} {what}",
        "host names are letters, digits, '-' and '.' (e.g. 'gpu-box.lan'); "
        "IPv6 addresses go in brackets (e.g. '[fd00::1]')",
    )


def _classify_unbracketed(host_text: str) -> _Host | UrlProblem:
    if not host_text.isascii():
        return UrlProblem(
            "non-ascii-host",
            f"host {host_text!r} contains non-ASCII characters",
            "write the host in its ASCII (punycode) form, e.g. 'xn--bcher-kva.example'",
        )
    host = host_text.lower()
    name = host[:-1] if host.endswith(".") else host  # one trailing dot is the DNS root
    labels = name.split(".")
    if _NUMERIC_LABEL_RE.fullmatch(labels[-1]):
        if not _CANONICAL_IPV4_RE.fullmatch(host):
            return UrlProblem(
                "non-canonical-ipv4",
                f"host {host_text!r} is not a canonical dotted-quad IPv4 address",
                "write four decimal numbers from 0 to 255 without leading zeros, e.g. '192.168.1.10'",
            )
        # Already a canonical dotted quad, so its four numbers are the address.
        a, b, c, d = (int(part) for part in host.split("."))
        return _classify_v4(a << 24 | b << 16 | c << 8 | d, host_text)
    if len(name) > 253 or not all(_LABEL_RE.fullmatch(label) for label in labels):
        return _bad_host(host_text, "is not a valid host name")
    if name in _BLOCKED_HOSTNAMES:
        return UrlProblem(
            "blocked-host", f"host {host_text!r} is a cloud metadata host name", _METADATA_HINT
        )
    is_loopback = name == "localhost" or name.endswith(".localhost")
    return _Host(name, host_text, is_loopback, is_name=True)


def _in(value: int, network: tuple[int, int]) -> bool:
    base, bits = network
    return value >> (32 - bits) == base >> (32 - bits)


def _dotted(value: int) -> str:
    return ".".join(str(value >> shift & 0xFF) for shift in (24, 16, 8, 0))


def _v4_reason(value: int) -> str | None:
    """Why an IPv4 address (as an integer) is blocked, or None."""
    if _in(value, _LINK_LOCAL_V4):
        return "a link-local / cloud metadata address"
    if _in(value, _THIS_NETWORK_V4):
        return "an unspecified ('this network') address"
    return _BLOCKED_V4.get(value)


def _blocked_v4(display: str, value: int, reason: str, embedded: bool) -> UrlProblem:
    what = f"embeds the IPv4 address '{_dotted(value)}', which is" if embedded else "is"
    hint = _METADATA_HINT
    if _in(value, _THIS_NETWORK_V4):
        hint = "0.0.0.0 is a listen address, not a destination; use '127.0.0.1' or the server's real address"
    return UrlProblem("blocked-address", f"host {display!r} {what} {reason}", hint)


def _classify_v4(value: int, display: str) -> _Host | UrlProblem:
    reason = _v4_reason(value)
    if reason is not None:
        return _blocked_v4(display, value, reason, embedded=False)
    return _Host(_dotted(value), display, _in(value, _LOOPBACK_V4), is_name=False)


def _embedded_v4(address: ipaddress.IPv6Address) -> int | None:
    """The IPv4 address an IPv6 address tunnels to, for the forms that reach it on the wire."""
    value = int(address)
    if address.ipv4_mapped is not None or address.sixtofour is not None:
        return int(address.ipv4_mapped or address.sixtofour)  # type: ignore[arg-type]
    if value >> 32 == 0x0064FF9B << 64:  # NAT64 64:ff9b::/96
        return value & 0xFFFFFFFF
    if value >> 32 == 0 and value > 1:  # IPv4-compatible ::a.b.c.d (not :: or ::1)
        return value
    return None


def _classify_v6(host_text: str) -> _Host | UrlProblem:
    display = f"[{host_text}]"
    if "%" in host_text:
        return UrlProblem(
            "ipv6-zone-id",
            f"host {display!r} has an IPv6 zone id {host_text[host_text.index('%'):]!r}",
            "remove the '%...' zone id; zone ids only mean something on one machine",
        )
    import ipaddress  # only IPv6 literals need it

    try:
        address = ipaddress.IPv6Address(host_text)
    except ValueError:
        return _bad_host(display, "is not a valid IPv6 address")
    embedded = _embedded_v4(address)
    if embedded is not None:
        reason = _v4_reason(embedded)
        if reason is not None:
            return _blocked_v4(display, embedded, reason, embedded=True)
        # Only a mapped address is the local machine; 6to4 and NAT64 go through a gateway.
        is_loopback = _in(embedded, _LOOPBACK_V4) and address.ipv4_mapped is not None
        return _Host(address.compressed, display, is_loopback, is_name=False)
    if address.is_unspecified:
        return UrlProblem(
            "blocked-address",
            f"host {display!r} is the unspecified address",
            "'::' is a listen address, not a destination; use '[::1]' or the server's real address",
        )
    reason = _BLOCKED_V6.get(address.compressed)
    if int(address) >> 118 == 0xFE80 >> 6:  # fe80::/10
        reason = "a link-local / cloud metadata address"
    if reason is not None:
        return UrlProblem("blocked-address", f"host {display!r} is {reason}", _METADATA_HINT)
    return _Host(address.compressed, display, address.is_loopback, is_name=False)


def _check_strict(scheme: str, host: _Host, policy: UrlPolicy) -> UrlProblem | None:
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
    listed = "is empty" if not policy.allowed_hosts else f"is {', '.join(policy.allowed_hosts)}"
    return UrlProblem(
        "strict-allow-list",
        f"host {host.display!r} is not in the strict URL policy's allow-list (which {listed})",
        f"add it to {ALLOWED_HOSTS_ENV} (comma-separated; '.example.com' allows its subdomains)",
    )


def _parse_allowed_host(raw: str) -> str:
    """Normalise one allow-list entry; raise ValueError when it is not a host, IP or '.domain'."""
    entry = raw.strip().lower()

    def fail(why: str, hint: str = "") -> ValueError:
        hint = hint or (
            "list host names, IP addresses or '.domain' entries separated by commas, "
            "e.g. 'api.example.com,.corp.example,10.0.0.5'"
        )
        return ValueError(f"allowed host {raw!r} {why}; hint: {hint}")

    if "/" in entry or "@" in entry:
        raise fail("looks like a URL, not a host", "write only the host, e.g. 'api.example.com'")
    if entry.startswith("[") and entry.endswith("]"):
        entry = entry[1:-1]
    if ":" in entry:
        if "%" in entry:
            raise fail("has an IPv6 zone id")
        import ipaddress  # only IPv6 literals need it

        try:
            address = ipaddress.IPv6Address(entry)
        except ValueError:
            raise fail("is not a host name or IP address", "ports do not belong in the allow-list") from None
        found = _classify_v6(address.compressed)
    else:
        is_domain = entry.startswith(".")
        body = entry[1:] if is_domain else entry
        body = body[:-1] if body.endswith(".") else body
        if is_domain and (not body or _NUMERIC_LABEL_RE.fullmatch(body.split(".")[-1])):
            raise fail("is not a '.domain' entry")
        found = _classify_unbracketed(body)
        if isinstance(found, _Host) and is_domain:
            return "." + found.key
    if isinstance(found, UrlProblem):
        if found.rule in ("blocked-address", "blocked-host"):
            raise fail(
                "is a cloud metadata endpoint, which no policy allows",
                "remove it; base URLs may never point at cloud metadata endpoints",
            )
        raise fail("is not a host name, IP address or '.domain'")
    return found.key
