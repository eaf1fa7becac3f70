"""Host classification: is a base URL's host a name or an address, loopback, or a cloud metadata endpoint.

Purely textual, no DNS. Addresses go through ``ipaddress`` (already loaded by ``urllib.parse``),
with the project's own rules on top:

- WHATWG URL parsers (browsers, some HTTP clients) treat a host whose last label is a number as
  an IPv4 address and accept octal, hex and fewer than four parts. Host names never end in a
  numeric label, so any such host is an IPv4 attempt and must be a canonical dotted quad;
- the cloud metadata endpoints (link-local addresses, a short list of addresses and host names)
  are refused, also when an IPv6 address carries them (IPv4-mapped, IPv4-compatible, 6to4, NAT64).
"""

from __future__ import annotations

import ipaddress
import re

from .values import Frozen

__all__ = ["Host", "UrlProblem", "bad_host", "classify_bracketed", "classify_unbracketed", "is_ipv4_attempt"]

_METADATA_HINT = "base URLs may not point at cloud metadata endpoints; use the server's real address"

_LABEL_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL_RE = re.compile(r"[0-9]+|0x[0-9a-f]*")

_BLOCKED_HOSTNAMES = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
)
_BLOCKED_ADDRESSES: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, str] = {
    ipaddress.IPv4Address("100.100.100.200"): "a cloud metadata address (Alibaba Cloud)",
    ipaddress.IPv4Address("192.0.0.192"): "a cloud metadata address (Oracle Cloud)",
    ipaddress.IPv6Address("fd00:ec2::254"): "a cloud metadata address (AWS)",
}
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # ::a.b.c.d, deprecated but still routed


class UrlProblem(Frozen):
    """Why a base URL was refused: a stable ``rule`` id, a ``message`` and a ``hint`` to fix it."""

    __slots__ = ("rule", "message", "hint")
    rule: str
    message: str
    hint: str


class Host(Frozen):
    """A host that passed the syntax and metadata checks."""

    __slots__ = ("key", "display", "is_loopback", "is_name")
    key: str  # the form compared with the allow-list: lowercase name, dotted quad or compressed IPv6
    display: str  # the form quoted in messages, as written
    is_loopback: bool
    is_name: bool  # a host name rather than an IP literal: only names match ".domain" entries


def bad_host(host: str, what: str) -> UrlProblem:
    """The problem for a host that is neither a valid name nor an address, saying ``what`` is wrong."""
    return UrlProblem(
        "bad-host",
        f"host {host!r} {what}",
        "host names are letters, digits, '-' and '.' (e.g. 'gpu-box.lan'); "
        "IPv6 addresses go in brackets (e.g. '[fd00::1]')",
    )


def is_ipv4_attempt(name: str) -> bool:
    """True when ``name`` (lowercase, without a trailing dot) ends in a numeric label (see the module docstring)."""
    return _NUMERIC_LABEL_RE.fullmatch(name.rpartition(".")[2]) is not None


def classify_unbracketed(host_text: str) -> Host | UrlProblem:
    """Classify a host written without brackets: a host name or a canonical IPv4 address."""
    if not host_text.isascii():
        return UrlProblem(
            "non-ascii-host",
            f"host {host_text!r} contains non-ASCII characters",
            "write the host in its ASCII (punycode) form, e.g. 'xn--bcher-kva.example'",
        )
    host = host_text.lower()
    name = host[:-1] if host.endswith(".") else host  # one trailing dot is the DNS root
    if is_ipv4_attempt(name):
        try:
            # Only four decimal numbers from 0 to 255 without leading zeros (and no trailing dot).
            address = ipaddress.IPv4Address(host)
        except ValueError:
            return UrlProblem(
                "non-canonical-ipv4",
                f"host {host_text!r} is not a canonical dotted-quad IPv4 address",
                "write four decimal numbers from 0 to 255 without leading zeros, e.g. '192.168.1.10'",
            )
        problem = _blocked_v4(address, host_text, embedded=False)
        return problem or Host(host, host_text, address.is_loopback, False)
    if len(name) > 253 or not all(_LABEL_RE.fullmatch(label) for label in name.split(".")):
        return bad_host(host_text, "is not a valid host name")
    if name in _BLOCKED_HOSTNAMES:
        return UrlProblem("blocked-host", f"host {host_text!r} is a cloud metadata host name", _METADATA_HINT)
    return Host(name, host_text, name == "localhost" or name.endswith(".localhost"), True)


def classify_bracketed(host_text: str) -> Host | UrlProblem:
    """Classify the text between the brackets of ``[...]``: an IPv6 address."""
    display = f"[{host_text}]"
    if "%" in host_text:
        return UrlProblem(
            "ipv6-zone-id",
            f"host {display!r} has an IPv6 zone id {host_text[host_text.index('%'):]!r}",
            "remove the '%...' zone id; zone ids only mean something on one machine",
        )
    try:
        address = ipaddress.IPv6Address(host_text)
    except ValueError:
        return bad_host(display, "is not a valid IPv6 address")
    embedded = _embedded_v4(address)
    if embedded is not None:
        problem = _blocked_v4(embedded, display, embedded=True)
        # Only a mapped address is the local machine; 6to4 and NAT64 go through a gateway.
        is_loopback = embedded.is_loopback and address.ipv4_mapped is not None
        return problem or Host(address.compressed, display, is_loopback, False)
    if address.is_unspecified:
        return UrlProblem(
            "blocked-address",
            f"host {display!r} is the unspecified address",
            "'::' is a listen address, not a destination; use '[::1]' or the server's real address",
        )
    reason = "a link-local / cloud metadata address" if address.is_link_local else _BLOCKED_ADDRESSES.get(address)
    if reason is not None:
        return UrlProblem("blocked-address", f"host {display!r} is {reason}", _METADATA_HINT)
    return Host(address.compressed, display, address.is_loopback, False)


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address tunnels to, for the forms that reach it on the wire."""
    found = address.ipv4_mapped or address.sixtofour
    if found is not None:
        return found
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and not (address.is_unspecified or address.is_loopback)):
        return ipaddress.IPv4Address(address.packed[12:])
    return None


def _blocked_v4(address: ipaddress.IPv4Address, display: str, *, embedded: bool) -> UrlProblem | None:
    """Why an IPv4 address may not be a base URL's host, or None."""
    hint = _METADATA_HINT
    if address.is_link_local:
        reason = "a link-local / cloud metadata address"
    elif address in _THIS_NETWORK:
        reason = "an unspecified ('this network') address"
        hint = "0.0.0.0 is a listen address, not a destination; use '127.0.0.1' or the server's real address"
    else:
        reason = _BLOCKED_ADDRESSES.get(address)
        if reason is None:
            return None
    what = f"embeds the IPv4 address '{address}', which is" if embedded else "is"
    return UrlProblem("blocked-address", f"host {display!r} {what} {reason}", hint)
