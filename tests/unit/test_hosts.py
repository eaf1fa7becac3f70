"""Unit tests for registry.hosts: names, canonical IPv4, IPv6 and the addresses IPv6 carries.

The URL-level behaviour (messages, hints, every spelling) is pinned by test_urls.py; these tests
pin what the classification itself returns."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.hosts import Host, UrlProblem, classify_bracketed, classify_unbracketed, is_ipv4_attempt


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("GPU-Box.lan.", Host("gpu-box.lan", "GPU-Box.lan.", False, True)),
        ("localhost", Host("localhost", "localhost", True, True)),
        ("api.LOCALHOST", Host("api.localhost", "api.LOCALHOST", True, True)),
        ("127.8.9.10", Host("127.8.9.10", "127.8.9.10", True, False)),
        ("10.0.0.5", Host("10.0.0.5", "10.0.0.5", False, False)),
    ],
)
def test_unbracketed_hosts(text: str, host: Host) -> None:
    assert classify_unbracketed(text) == host


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("::1", Host("::1", "[::1]", True, False)),
        ("FD00:0::1", Host("fd00::1", "[FD00:0::1]", False, False)),
        ("::ffff:127.0.0.1", Host("::ffff:7f00:1", "[::ffff:127.0.0.1]", True, False)),
        ("2002:7f00:1::", Host("2002:7f00:1::", "[2002:7f00:1::]", False, False)),  # 6to4 goes through a gateway
        ("64:ff9b::7f00:1", Host("64:ff9b::7f00:1", "[64:ff9b::7f00:1]", False, False)),
    ],
)
def test_bracketed_hosts(text: str, host: Host) -> None:
    assert classify_bracketed(text) == host


@pytest.mark.parametrize(
    ("name", "expected"),
    [("1.2.3.4", True), ("example.123", True), ("0x", True), ("0xfe", True), ("123", True),
     ("deadbeef", False), ("1e100.net", False), ("", False), ("a.0x7g", False)],
)
def test_is_ipv4_attempt(name: str, expected: bool) -> None:
    assert is_ipv4_attempt(name) is expected


@given(st.integers(0, 2**32 - 1))
def test_ipv4_classification_matches_the_networks(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    found = classify_unbracketed(str(address))
    blocked = address.is_link_local or address in ipaddress.IPv4Network("0.0.0.0/8") or str(address) in (
        "100.100.100.200", "192.0.0.192")
    if blocked:
        assert isinstance(found, UrlProblem) and found.rule == "blocked-address"
    else:
        assert found == Host(str(address), str(address), address.is_loopback, False)


# --- issue 10: every IPv6 form that embeds an IPv4 address, and the IPv6 metadata addresses --------

@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("::ffff:0:a9fe:a9fe", "embeds the IPv4 address '169.254.169.254'"),  # SIIT ::ffff:0:0:0/96
        ("::ffff:0:169.254.169.254", "'169.254.169.254'"),
        ("::ffff:0:6464:64c8", "'100.100.100.200'"),
        ("64:ff9b:1::a9fe:a9fe", "'169.254.169.254'"),  # NAT64 local-use, /96 sub-prefix
        ("64:ff9b:1:a9fe:a9:fe00::", "'169.254.169.254'"),  # /48: bits 48-63 and 72-87
        ("64:ff9b:1:ffa9:fe:a9fe::", "'169.254.169.254'"),  # /56: bits 56-63 and 72-95
        ("64:ff9b:1:0:a9:fea9:fe00:0", "'169.254.169.254'"),  # /64: bits 72-103
        ("2001:0:4136:e378:8000:63bf:5601:5601", "'169.254.169.254'"),  # Teredo client (XOR)
        ("2001:0:a9fe:a9fe::1", "'169.254.169.254'"),  # Teredo server
        ("2001:db8::5efe:a9fe:a9fe", "'169.254.169.254'"),  # ISATAP
        ("2001:db8::200:5efe:a9fe:a9fe", "'169.254.169.254'"),
        ("fd20:ce::254", "cloud metadata address (Google Cloud)"),
        ("FD20:00CE:0::0254", "Google Cloud"),
        ("fd00:ec2::23", "AWS EKS Pod Identity Agent"),
        ("fd00:42::42", "Scaleway"),
        ("::ffff:0:0.0.0.0", "'0.0.0.0'"),  # SIIT of 'this network'
    ],
)
def test_embedded_and_ipv6_metadata_addresses_are_blocked(text: str, fragment: str) -> None:
    found = classify_bracketed(text)
    assert isinstance(found, UrlProblem) and found.rule == "blocked-address", found
    assert fragment in found.message
    assert found.hint


@pytest.mark.parametrize(
    "text",
    [
        "64:ff9b:1::a00:5",  # a real /96 translation of 10.0.0.5: the /48 position reads 0.0.0.0
        "64:ff9b:1::808:808",
        "2001:0:4136:e378:8000:63bf:f7f7:f7f7",  # Teredo, client 8.8.8.8
        "2001::1",  # Teredo server 0.0.0.0 is reached through a relay, not this machine
        "2001:db8::5efe:808:808",  # ISATAP of a public address
        "fd00:ec2::253",  # AWS DNS resolver: no credentials
        "fd20:ce::253",
        "::ffff:0:a00:5",  # SIIT of a private address
    ],
)
def test_embedded_ordinary_addresses_are_hosts(text: str) -> None:
    found = classify_bracketed(text)
    assert isinstance(found, Host) and not found.is_loopback, found


def test_only_a_mapped_loopback_is_loopback() -> None:
    for text in ("::ffff:0:127.0.0.1", "64:ff9b:1::7f00:1", "2001:0:4136:e378:8000:63bf:80ff:fffe"):
        found = classify_bracketed(text)
        assert isinstance(found, Host) and not found.is_loopback, text


@given(st.integers(0, 2**16 - 1), st.integers(0, 2**16 - 1))
def test_link_local_ipv4_is_blocked_in_every_new_wrapping(low: int, noise: int) -> None:
    v4 = (169 << 24) | (254 << 16) | low
    hi, lo = v4 >> 16, v4 & 0xFFFF
    forms = [
        f"::ffff:0:{hi:x}:{lo:x}",  # SIIT
        f"64:ff9b:1:{noise:x}::{hi:x}:{lo:x}",  # local-use NAT64, /96
        f"64:ff9b:1:{hi:x}:{lo >> 8:x}:{(lo & 0xFF) << 8:x}::",  # /48
        f"2001:0:{hi:x}:{lo:x}::{noise:x}",  # Teredo server
        f"2001:0:4136:e378:8000:{noise:x}:{hi ^ 0xFFFF:x}:{lo ^ 0xFFFF:x}",  # Teredo client
        f"2001:db8:{noise:x}::5efe:{hi:x}:{lo:x}",  # ISATAP
    ]
    for form in forms:
        found = classify_bracketed(form)
        assert isinstance(found, UrlProblem) and found.rule == "blocked-address", form
        assert f"'{ipaddress.IPv4Address(v4)}'" in found.message, form
