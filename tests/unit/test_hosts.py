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
