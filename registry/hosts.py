"""Host classification: is a base URL's host a name or an address, loopback, or a cloud metadata endpoint.

Purely textual, no DNS. Addresses go through ``ipaddress`` (already loaded by ``urllib.parse``),
with the project's own rules on top:

- WHATWG URL parsers (browsers, some HTTP clients) treat a host whose last label is a number as
  an IPv4 address and accept octal, hex and fewer than four parts. Host names never end in a
  numeric label, so any such host is an IPv4 attempt and must be a canonical dotted quad;
- the cloud metadata endpoints (link-local addresses, a short list of addresses and host names)
  are refused, also when an IPv6 address carries them. Every IPv6 form that embeds an IPv4 address
  is unwrapped first: IPv4-mapped ``::ffff:0:0/96``, IPv4-compatible ``::/96``, SIIT
  ``::ffff:0:0:0/96``, NAT64 ``64:ff9b::/96`` and local-use ``64:ff9b:1::/48`` (RFC 8215), 6to4
  ``2002::/16``, Teredo ``2001::/32`` (server and client) and ISATAP interface ids. A translator or
  relay turns such an address back into its IPv4 destination, so the IPv4 rules apply to it.
"""

from __future__ import annotations

import ipaddress
import re

from .values import Frozen

__all__ = ["Host", "UrlProblem", "bad_host", "classify_bracketed", "classify_unbracketed", "is_ipv4_attempt", "is_local_host"]

_METADATA_HINT = "base URLs may not point at cloud metadata endpoints; use the server's real address"

_LABEL_RE = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL_RE = re.compile(r"[0-9]+|0x[0-9a-f]*")

_BLOCKED_HOSTNAMES = frozenset(
    {"metadata", "metadata.google.internal", "instance-data", "instance-data.ec2.internal"}
)
# Metadata and credential endpoints outside the link-local ranges (which are refused whole).
# The IPv6 ones are unique-local addresses, so no range rule catches them:
# - fd00:ec2::254: AWS EC2 instance metadata over IPv6 (the IPv6 endpoint of IMDS, "HttpProtocolIpv6"
#   in the EC2 API reference, InstanceMetadataOptionsRequest);
# - fd00:ec2::23: AWS EKS Pod Identity Agent, which hands pods their IAM credentials
#   (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html, "IPv6");
# - fd20:ce::254: Google Compute Engine metadata server for IPv6-only instances
#   (https://cloud.google.com/compute/docs/metadata/querying-metadata);
# - fd00:42::42: Scaleway instance metadata (https://docs.cloud-init.io/en/latest/reference/datasources/scaleway.html).
# Azure's IMDS is IPv4 only (169.254.169.254, link-local). fd00:ec2::253 (the AWS DNS resolver)
# and fd00:ec2::123 (time sync) hand out no credentials and stay allowed.
_BLOCKED_ADDRESSES: dict[ipaddress.IPv4Address | ipaddress.IPv6Address, str] = {
    ipaddress.IPv4Address("100.100.100.200"): "a cloud metadata address (Alibaba Cloud)",
    ipaddress.IPv4Address("192.0.0.192"): "a cloud metadata address (Oracle Cloud)",
    ipaddress.IPv6Address("fd00:ec2::254"): "a cloud metadata address (AWS)",
    ipaddress.IPv6Address("fd00:ec2::23"): "a cloud credentials address (AWS EKS Pod Identity Agent)",
    ipaddress.IPv6Address("fd20:ce::254"): "a cloud metadata address (Google Cloud)",
    ipaddress.IPv6Address("fd00:42::42"): "a cloud metadata address (Scaleway)",
}
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # ::a.b.c.d, deprecated but still routed
_SIIT = ipaddress.IPv6Network("::ffff:0:0:0/96")  # IPv4-translated (RFC 7915 / RFC 2765)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # well-known prefix (RFC 6052)
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # local-use prefix (RFC 8215)
# RFC 6052 section 2.2: the prefix lengths below /96 that fit in the local-use /48. A /96 puts the
# IPv4 address in the last 32 bits (checked for every NAT64 form).
_RFC6052_PREFIXES = (48, 56, 64)
_ISATAP_IDS = frozenset({0x00005EFE, 0x01005EFE, 0x02005EFE, 0x03005EFE})  # RFC 5214 interface ids


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


# Names that only resolve inside one network (RFC 6762 .local, RFC 8375 .home.arpa, and the
# customary .lan and .internal); a name with no dot at all is a machine on the local network too.
_LOCAL_SUFFIXES = (".local", ".lan", ".internal", ".home.arpa", ".localhost")


def is_local_host(host: Host) -> bool:
    """Whether ``host`` is on this machine or its local network: loopback, a private or unique-local
    address, a single-label name ('gpu-box') or a local-only domain ('box.lan').
    The guess behind a provider's default ``kind``; no DNS."""
    if host.is_loopback:
        return True
    if host.is_name:
        return "." not in host.key or host.key.endswith(_LOCAL_SUFFIXES)
    address = ipaddress.ip_address(host.key)
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_private


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
    if embedded:
        for v4, exact in embedded:
            problem = _blocked_v4(v4, display, embedded=True, metadata_only=not exact)
            if problem is not None:
                return problem
        # Only a mapped address is the local machine; the other forms go through a translator or relay.
        mapped = address.ipv4_mapped
        return Host(address.compressed, display, mapped is not None and mapped.is_loopback, False)
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


def _embedded_v4(address: ipaddress.IPv6Address) -> list[tuple[ipaddress.IPv4Address, bool]]:
    """The IPv4 addresses an IPv6 address may reach on the wire, each with whether every IPv4 rule
    applies to it (True) or only the metadata rules (False). Empty when the address embeds none.

    A local-use NAT64 prefix may be /48 to /96 long and nothing in the address says which, so
    every RFC 6052 position is tried. Uncertain positions are only checked for metadata endpoints
    (a real /96 translation of '10.0.0.5' reads as '0.0.0.0' at the /48 position), and so are the
    Teredo server and client, which a relay reaches (so '0.0.0.0' there is not this machine).
    """
    value = int(address)
    last32 = ipaddress.IPv4Address(value & 0xFFFFFFFF)
    if address.ipv4_mapped is not None or address in _SIIT or address in _NAT64:
        return [(last32, True)]
    if address in _IPV4_COMPATIBLE:
        return [] if address.is_unspecified or address.is_loopback else [(last32, True)]
    if address in _NAT64_LOCAL:
        return [(last32, False)] + [(_rfc6052(value, length), False) for length in _RFC6052_PREFIXES]
    if address.sixtofour is not None:
        return [(address.sixtofour, True)]
    if address.teredo is not None:
        server, client = address.teredo
        return [(server, False), (client, False)]  # reached through a relay, never this machine
    if (value >> 32) & 0xFFFFFFFF in _ISATAP_IDS:
        return [(last32, True)]
    return []


def _rfc6052(value: int, prefix_length: int) -> ipaddress.IPv4Address:
    """The IPv4 address after a prefix of ``prefix_length`` (< 96) bits: the bits up to 63, then
    the rest from bit 72 on (bits 64-71 are the reserved "u" octet)."""
    high_bits = 64 - prefix_length
    low_bits = 32 - high_bits
    high = (value >> 64) & ((1 << high_bits) - 1)
    low = (value >> (56 - low_bits)) & ((1 << low_bits) - 1)
    return ipaddress.IPv4Address((high << low_bits) | low)


def _blocked_v4(address: ipaddress.IPv4Address, display: str, *, embedded: bool,
                metadata_only: bool = False) -> UrlProblem | None:
    """Why an IPv4 address may not be a base URL's host, or None. ``metadata_only`` skips the
    'this network' rule, for positions that may hold other bits of an address."""
    hint = _METADATA_HINT
    reason: str | None
    if address.is_link_local:
        reason = "a link-local / cloud metadata address"
    elif address in _THIS_NETWORK and not metadata_only:
        reason = "an unspecified ('this network') address"
        hint = "0.0.0.0 is a listen address, not a destination; use '127.0.0.1' or the server's real address"
    else:
        reason = _BLOCKED_ADDRESSES.get(address)
    if reason is None:
        return None
    what = f"embeds the IPv4 address '{address}', which is" if embedded else "is"
    return UrlProblem("blocked-address", f"host {display!r} {what} {reason}", hint)
