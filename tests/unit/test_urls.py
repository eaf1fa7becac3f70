"""Unit tests for registry.urls: the one parse, its normal form, the default and strict policies, parse_policy."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.hosts import Host
from registry.urls import (
    POLICY_NAMES,
    BaseUrl,
    PolicyError,
    UrlPolicy,
    UrlProblem,
    check_base_url,
    parse_base_url,
    parse_policy,
    quote_url,
)

KNOWN_RULES = {
    "scheme", "whitespace", "control-character", "backslash", "userinfo", "missing-host",
    "bad-port", "bad-host", "non-ascii-host", "ipv6-zone-id", "non-canonical-ipv4",
    "blocked-address", "blocked-host", "strict-https", "strict-allow-list", "empty", "too-long",
    "fragment-or-query", "endpoint-path",
}
METADATA_HINT = "base URLs may not point at cloud metadata endpoints; use the server's real address"


def problem_text(problem: UrlProblem) -> str:
    return f"{problem.message}\n{problem.hint}"


def normal(url: str) -> str:
    parsed = parse_base_url(url)
    assert isinstance(parsed, BaseUrl), parsed
    return parsed.normal


# --- normalisation -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("http://gpu-box:11434", "http://gpu-box:11434/v1"),
        ("http://h:8000/v1/", "http://h:8000/v1"),
        ("http://h/custom/path/", "http://h/custom/path"),
        ("http://h/custom/path", "http://h/custom/path"),
        ("http://h/", "http://h/v1"),
        ("http://h///", "http://h/v1"),
        ("http://h/v1///", "http://h/v1"),
        ("  http://h:8000/v1 \n", "http://h:8000/v1"),
        ("\thttp://h\r\n", "http://h/v1"),
        ("HTTP://GPU-Box.LAN:8000/V1/Chat", "http://gpu-box.lan:8000/V1/Chat"),
        ("HTTPS://Example.COM", "https://example.com/v1"),
        ("https://[FD00::1]:8443", "https://[fd00::1]:8443/v1"),
        ("http://h/openai/v1/", "http://h/openai/v1"),
        ("http://[fd00:0:0::1]:08000/", "http://[fd00:0:0::1]:08000/v1"),  # as written, not compressed
    ],
)
def test_normal_form(raw: str, expected: str) -> None:
    assert normal(raw) == expected
    assert normal(expected) == expected  # idempotent


@pytest.mark.parametrize("text", ["localhost:11434/", "", "  ", "http://h/v1?x=1"])
def test_text_that_is_not_a_base_url_has_no_normal_form(text: str) -> None:
    assert isinstance(parse_base_url(text), UrlProblem)


def test_parse_gives_the_parts() -> None:
    parsed = parse_base_url("HTTPS://GPU-Box.LAN.:8443/Open/v1//")
    assert parsed == BaseUrl("https", "gpu-box.lan.:8443", Host("gpu-box.lan", "GPU-Box.LAN.", False, True), "/Open/v1")
    assert parsed.normal == "https://gpu-box.lan.:8443/Open/v1"
    v6 = parse_base_url("http://[::FFFF:127.0.0.1]/")
    assert isinstance(v6, BaseUrl) and v6.host == Host("::ffff:7f00:1", "[::FFFF:127.0.0.1]", True, False)
    assert v6.path == "" and v6.normal == "http://[::ffff:127.0.0.1]/v1"


def test_check_base_url_is_the_verdict_of_parse_base_url() -> None:
    assert check_base_url("http://h/v1") is None
    assert check_base_url("ftp://h/") == parse_base_url("ftp://h/")


@pytest.mark.parametrize("text", ["  http://h/v1", "http://h/v1\n", "\thttp://h/v1 "])
def test_surrounding_whitespace_is_a_problem_unless_stripped(text: str) -> None:
    assert isinstance(parse_base_url(text), BaseUrl)
    problem = parse_base_url(text, strip=False)
    assert isinstance(problem, UrlProblem) and problem.rule == "whitespace"
    assert "leading or trailing whitespace" in problem.message and "block scalar" in problem.hint


def test_other_problems_come_before_surrounding_whitespace() -> None:
    problem = parse_base_url(" ftp://h/ ", strip=False)
    assert isinstance(problem, UrlProblem) and problem.rule == "scheme"
    strict = parse_base_url(" http://gpu-box/v1\n", UrlPolicy("strict"), strip=False)
    assert isinstance(strict, UrlProblem) and strict.rule == "strict-https"


# --- accepted under the default policy -----------------------------------------------------------

@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:11434/v1",
        "http://LOCALHOST:11434",
        "http://localhost.:8000/v1",
        "http://api.localhost/v1",
        "http://127.0.0.1:8000/v1",
        "http://127.255.0.1/",
        "http://[::1]:8000/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://10.0.0.5:8000/v1",
        "http://172.16.0.1/",
        "http://172.31.255.254/v1",
        "http://192.168.1.10:1234/v1",
        "http://100.64.0.1/",
        "http://100.100.100.201/",
        "http://[fd00::1]/v1",
        "http://[fc00::2]/",
        "http://[fd00:ec2::253]/",
        "http://[::ffff:10.0.0.1]/",
        "http://[2002:808:808::]/",  # 6to4 of a public address
        "https://api.openai.com/v1",
        "https://router.huggingface.co/v1",
        "http://gpu_box:8000/v1",
        "http://gpu-box.lan./v1",
        "http://8.8.8.8/",
        "http://1.0.0.0/",
        "http://169.253.255.255/",
        "http://169.255.0.1/",
        "http://deadbeef/",  # hex-looking but no 0x: an ordinary host name
        "http://1e100.net/",
        "http://h:1/",
        "http://h:65535/",
        "HTTPS://Example.COM/v1",
        "  http://h/v1\n",  # surrounding whitespace is stripped, not a problem
        "http://h/v1/caf%C3%A9",
        "http://h/v1/café",  # non-ASCII is only refused in the host
        "http://metadata.example.com/",
        "http://my-metadata/",
        "http://" + "a" * 63 + ".example/",
    ],
)
def test_accepted_by_default(url: str) -> None:
    assert check_base_url(url) is None


def test_length_limit_is_inclusive() -> None:
    url = "http://h/" + "a" * (2048 - len("http://h/"))
    assert len(url) == 2048
    assert check_base_url(url) is None


# --- refused under the default policy ------------------------------------------------------------

REFUSED = [
    # scheme
    ("file:///etc/passwd", "scheme", "'file'"),
    ("ftp://h/", "scheme", "'ftp'"),
    ("gopher://h:70/", "scheme", "'gopher'"),
    ("gopher:x", "scheme", "'gopher'"),
    ("javascript:alert(1)", "scheme", "'javascript'"),
    ("localhost:11434", "scheme", "'localhost:11434' has no scheme"),
    ("localhost:11434/v1", "scheme", "has no scheme"),
    ("gpu-box/v1", "scheme", "has no scheme"),
    ("//h/v1", "scheme", "has no scheme"),
    ("http:/h/v1", "scheme", "must start with 'http://'"),
    ("https:h", "scheme", "must start with 'https://'"),
    # empty and length
    ("", "empty", "base URL is empty"),
    ("   ", "empty", "base URL is empty"),
    ("\n", "empty", "base URL is empty"),
    ("http://h/" + "a" * 2040, "too-long", "2049 characters"),
    # whitespace and control characters inside
    ("http://h /v1", "whitespace", "' ' at position 8"),
    ("http://h/v 1", "whitespace", "' '"),
    ("http://h/\u00a0v1", "whitespace", "'\\xa0'"),
    ("http://h/v1\u3000x", "whitespace", "'\\u3000'"),
    ("http://h: 80/", "whitespace", "' '"),
    ("http://h/v1\nx", "control-character", "'\\n' at position 11"),
    ("http://h/\rv1", "control-character", "'\\r'"),
    ("http://h\t/v1", "control-character", "'\\t'"),
    ("http://h/\x00", "control-character", "'\\x00'"),
    ("http://h/\x7f", "control-character", "'\\x7f'"),
    ("http://h/\x85v1", "control-character", "'\\x85'"),
    ("http://h/\u200bv1", "control-character", "'\\u200b'"),
    ("http://h/\u202ev1", "control-character", "'\\u202e'"),
    ("http://h/\u2028v1", "control-character", "'\\u2028'"),
    ("http://h/\u2029v1", "control-character", "'\\u2029'"),
    ("http://h\x00.evil.com/", "control-character", "'\\x00'"),
    # backslash
    ("http://h\\v1", "backslash", "position 8"),
    ("http:\\\\h\\v1", "backslash", "forward slashes"),
    ("http://evil.com\\@localhost/", "backslash", "backslash"),
    # userinfo
    ("http://user:hunter2@h/v1", "userinfo", "credentials"),
    ("http://user@h/", "userinfo", "credentials"),
    ("http://@h/", "userinfo", "credentials"),
    ("http://:pw@h/", "userinfo", "credentials"),
    ("http://localhost:8000@169.254.169.254/", "userinfo", "credentials"),
    ("user:pw@h:8000/v1", "userinfo", "credentials"),
    # host and port
    ("http:///v1", "missing-host", "no host"),
    ("http://", "missing-host", "no host"),
    ("http://:8080/v1", "missing-host", "no host"),
    ("https://[]/", "missing-host", "no host"),
    ("http://h:0/", "bad-port", "port '0'"),
    ("http://h:65536/", "bad-port", "port '65536'"),
    ("http://h:123456/", "bad-port", "port '123456'"),
    ("http://h:/v1", "bad-port", "port ''"),
    ("http://h:80a/", "bad-port", "port '80a'"),
    ("http://h:-1/", "bad-port", "port '-1'"),
    ("http://h:0x50/", "bad-port", "port '0x50'"),
    ("http://h:\uff18\uff10/", "bad-port", "from 1 to 65535"),
    ("http://h:8000v1", "bad-port", "port '8000v1'"),
    ("http://::1/", "bad-host", "without brackets"),
    ("http://fe80::1/", "bad-host", "without brackets"),
    ("http://[::1/", "bad-host", "unclosed '['"),
    ("http://[::1]x/", "bad-host", "'x' after the closing ']'"),
    ("http://[1.2.3.4]/", "bad-host", "not a valid IPv6 address"),
    ("http://[zz::1]/", "bad-host", "not a valid IPv6 address"),
    ("http://[v1.fe]/", "bad-host", "not a valid IPv6 address"),
    ("http://a..b/", "bad-host", "'a..b' is not a valid host name"),
    ("http://.h/", "bad-host", "not a valid host name"),
    ("http://h../", "bad-host", "not a valid host name"),
    ("http://-h/", "bad-host", "not a valid host name"),
    ("http://ex%61mple.com/", "bad-host", "not a valid host name"),
    ("http://" + "a" * 64 + ".example/", "bad-host", "not a valid host name"),
    ("http://bücher.de/", "non-ascii-host", "'bücher.de' contains non-ASCII"),
    ("http://\uff11\uff12\uff17.0.0.1/", "non-ascii-host", "punycode"),
    ("http://gpu\u2010box/", "non-ascii-host", "punycode"),
    ("http://[fe80::1%eth0]/", "ipv6-zone-id", "'%eth0'"),
    ("http://[fe80::1%25eth0]/", "ipv6-zone-id", "zone id"),
    # query strings and fragments
    ("http://h/v1?x=1", "fragment-or-query", "query string"),
    ("http://h/v1?", "fragment-or-query", "query string"),
    ("http://h?x", "fragment-or-query", "query string"),
    ("http://h/v1#frag", "fragment-or-query", "fragment"),
    ("http://h#x", "fragment-or-query", "fragment"),
    # non-canonical IPv4: every form a WHATWG parser would still turn into an address
    ("http://2852039166/", "non-canonical-ipv4", "'2852039166'"),
    ("http://0xa9fea9fe/", "non-canonical-ipv4", "'0xa9fea9fe'"),
    ("http://0XA9FEA9FE/", "non-canonical-ipv4", "'0XA9FEA9FE'"),
    ("http://0251.0376.0251.0376/", "non-canonical-ipv4", "'0251.0376.0251.0376'"),
    ("http://169.254.43518/", "non-canonical-ipv4", "'169.254.43518'"),
    ("http://127.1/", "non-canonical-ipv4", "'127.1'"),
    ("http://1.2.3/", "non-canonical-ipv4", "'1.2.3'"),
    ("http://01.2.3.4/", "non-canonical-ipv4", "'01.2.3.4'"),
    ("http://127.0.0.01/", "non-canonical-ipv4", "'127.0.0.01'"),
    ("http://127.000.000.001/", "non-canonical-ipv4", "dotted-quad"),
    ("http://0x7f.0.0.1/", "non-canonical-ipv4", "dotted-quad"),
    ("http://169.254.169.0xfe/", "non-canonical-ipv4", "dotted-quad"),
    ("http://256.1.1.1/", "non-canonical-ipv4", "dotted-quad"),
    ("http://1.2.3.4.5/", "non-canonical-ipv4", "dotted-quad"),
    ("http://1.2.3.4./", "non-canonical-ipv4", "dotted-quad"),
    ("http://0x/", "non-canonical-ipv4", "dotted-quad"),
    ("http://example.123/", "non-canonical-ipv4", "'example.123'"),
    ("http://%31%32%37.0.0.1/", "non-canonical-ipv4", "dotted-quad"),
    # blocked IPv4 addresses
    ("http://169.254.169.254/", "blocked-address",
     "host '169.254.169.254' is a link-local / cloud metadata address"),
    ("http://169.254.169.254:80/latest/meta-data", "blocked-address", "link-local / cloud metadata"),
    ("http://169.254.0.1/", "blocked-address", "link-local / cloud metadata"),
    ("http://169.254.255.255/", "blocked-address", "link-local / cloud metadata"),
    ("http://100.100.100.200/", "blocked-address", "'100.100.100.200' is a cloud metadata address"),
    ("http://192.0.0.192/", "blocked-address", "'192.0.0.192' is a cloud metadata address"),
    ("http://0.0.0.0:8000/", "blocked-address", "'0.0.0.0' is an unspecified"),
    ("http://0.1.2.3/", "blocked-address", "unspecified ('this network')"),
    # blocked IPv6 addresses
    ("http://[fe80::1]/", "blocked-address", "'[fe80::1]' is a link-local"),
    ("http://[FE80::a9fe:a9fe]/", "blocked-address", "link-local"),
    ("http://[febf::1]/", "blocked-address", "link-local"),
    ("http://[fd00:ec2::254]/", "blocked-address", "'[fd00:ec2::254]' is a cloud metadata address"),
    ("http://[fd00:ec2:0::254]:80/", "blocked-address", "cloud metadata address"),
    ("http://[::]/", "blocked-address", "unspecified address"),
    ("http://[0:0:0:0:0:0:0:0]/", "blocked-address", "unspecified address"),
    # IPv6 forms that carry a blocked IPv4 address
    ("http://[::ffff:169.254.169.254]/", "blocked-address", "embeds the IPv4 address '169.254.169.254'"),
    ("http://[::ffff:a9fe:a9fe]/", "blocked-address", "embeds the IPv4 address '169.254.169.254'"),
    ("http://[0:0:0:0:0:ffff:a9fe:a9fe]/", "blocked-address", "'169.254.169.254'"),
    ("http://[::169.254.169.254]/", "blocked-address", "embeds the IPv4 address '169.254.169.254'"),
    ("http://[::a9fe:a9fe]/", "blocked-address", "'169.254.169.254'"),
    ("http://[2002:a9fe:a9fe::]/", "blocked-address", "embeds the IPv4 address '169.254.169.254'"),
    ("http://[2002:a9fe:a9fe:1::1]/", "blocked-address", "'169.254.169.254'"),
    ("http://[64:ff9b::169.254.169.254]/", "blocked-address", "'169.254.169.254'"),
    ("http://[64:ff9b::a9fe:a9fe]/", "blocked-address", "embeds the IPv4 address '169.254.169.254'"),
    ("http://[::ffff:100.100.100.200]/", "blocked-address", "'100.100.100.200'"),
    ("http://[::ffff:192.0.0.192]/", "blocked-address", "'192.0.0.192'"),
    ("http://[::ffff:0.0.0.0]/", "blocked-address", "'0.0.0.0'"),
    ("http://[64:ff9b::6464:64c8]/", "blocked-address", "'100.100.100.200'"),
    # blocked host names
    ("http://metadata.google.internal/", "blocked-host",
     "'metadata.google.internal' is a cloud metadata host name"),
    ("http://METADATA.Google.Internal/computeMetadata/v1", "blocked-host", "cloud metadata host name"),
    ("http://metadata.google.internal./", "blocked-host", "'metadata.google.internal.'"),
    ("http://metadata.google.internal:80/", "blocked-host", "cloud metadata host name"),
    ("http://metadata/", "blocked-host", "'metadata'"),
    ("http://Metadata./", "blocked-host", "cloud metadata host name"),
    ("http://instance-data/", "blocked-host", "'instance-data'"),
    ("http://instance-data.ec2.internal/", "blocked-host", "'instance-data.ec2.internal'"),
    ("http://INSTANCE-DATA.ec2.internal./", "blocked-host", "cloud metadata host name"),
]


@pytest.mark.parametrize(("url", "rule", "fragment"), REFUSED)
def test_refused_by_default(url: str, rule: str, fragment: str) -> None:
    problem = check_base_url(url)
    assert problem is not None
    assert problem.rule == rule
    assert fragment in problem_text(problem)
    assert problem.hint  # every problem says how to fix it


@pytest.mark.parametrize(("url", "rule", "fragment"), REFUSED)
def test_refused_by_strict_too(url: str, rule: str, fragment: str) -> None:
    # Strict adds rules; it never relaxes one, even for a host on its allow-list.
    policy = UrlPolicy("strict", ("h", ".google.internal", ".ec2.internal"))
    problem = check_base_url(url, policy)
    assert problem is not None
    assert problem.rule == rule


@pytest.mark.parametrize(
    "url", ["localhost:11434", "ftp://h/", "file:///etc/passwd", "gopher:x", "//h/v1"]
)
def test_scheme_hint_shows_a_full_url(url: str) -> None:
    problem = check_base_url(url)
    assert problem is not None and problem.rule == "scheme"
    assert problem.hint == "write the full URL, e.g. 'http://localhost:11434/v1'"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://[::ffff:169.254.169.254]/",
        "http://metadata.google.internal/",
        "http://instance-data/",
    ],
)
def test_metadata_hint(url: str) -> None:
    problem = check_base_url(url)
    assert problem is not None
    assert problem.hint == METADATA_HINT


@pytest.mark.parametrize("url", ["http://0.0.0.0:8000/", "http://[::]:8000/"])
def test_unspecified_address_hint_names_loopback(url: str) -> None:
    problem = check_base_url(url)
    assert problem is not None and problem.rule == "blocked-address"
    assert "listen address" in problem.hint


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        ("http://alice:hunter2@h/v1", ("alice", "hunter2")),
        ("https://sk-live-0123456789abcdef@api.example.com/v1", ("sk-live-0123456789abcdef",)),
        ("http://admin:s3cr3t-PASS@169.254.169.254/", ("admin", "s3cr3t-PASS")),
        ("ftp://ftpuser:ftppass99@h/", ("ftpuser", "ftppass99")),
        ("user:pw-secret-1@h:8000/v1", ("pw-secret-1",)),
        ("http://tok3n-value@h:bad/", ("tok3n-value",)),
        ("http://u:pa55word@[::1%eth0]/", ("pa55word",)),
    ],
)
def test_userinfo_is_never_echoed(url: str, secrets: tuple[str, ...]) -> None:
    problem = check_base_url(url)
    assert problem is not None
    assert problem.rule == "userinfo"
    for secret in secrets:
        assert secret not in problem.message
        assert secret not in problem.hint


def test_query_string_is_never_echoed() -> None:
    problem = check_base_url("http://h/v1?api_key=sk-abc-123456")
    assert problem is not None and problem.rule == "fragment-or-query"
    assert "sk-abc-123456" not in problem_text(problem)
    assert "api_key" not in problem_text(problem)


# --- strict policy -------------------------------------------------------------------------------

STRICT = UrlPolicy("strict", ("api.example.com", ".corp.example", "10.0.0.5", "fd00::1"))


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:11434/v1",
        "http://LOCALHOST./v1",
        "http://api.localhost/",
        "http://127.0.0.1:8000",
        "http://127.8.9.10/",
        "http://[::1]:8000/v1",
        "http://[::ffff:127.0.0.1]/",
        "https://localhost:8443/v1",
        "https://api.example.com/v1",
        "https://API.Example.com./v1",
        "https://api.example.com:8443/v1",
        "https://gpu.corp.example/v1",
        "https://a.b.corp.example/",
        "https://10.0.0.5:8443/v1",
        "https://[fd00::1]/v1",
        "https://[fd00:0:0::1]/",
    ],
)
def test_strict_accepts(url: str) -> None:
    assert check_base_url(url, STRICT) is None


@pytest.mark.parametrize(
    ("url", "rule", "fragment"),
    [
        ("http://api.example.com/v1", "strict-https", "'api.example.com'"),
        ("http://10.0.0.5/", "strict-https", "requires https"),
        ("http://gpu.corp.example/", "strict-https", "requires https"),
        ("http://[fd00::1]/", "strict-https", "'[fd00::1]'"),
        ("http://192.168.1.10:8000/v1", "strict-https", "requires https"),
        ("http://[2002:7f00:1::]/", "strict-https", "requires https"),  # 6to4 is not loopback
        ("https://corp.example/", "strict-allow-list", "'corp.example' is not in"),
        ("https://evilcorp.example/", "strict-allow-list", "'evilcorp.example'"),
        ("https://api.example.com.evil.net/", "strict-allow-list", "allow-list"),
        ("https://other.example.com/", "strict-allow-list", "allow-list"),
        ("https://example.com/", "strict-allow-list", "allow-list"),
        ("https://10.0.0.6/", "strict-allow-list", "'10.0.0.6'"),
        ("https://[fd00::2]/", "strict-allow-list", "'[fd00::2]'"),
        ("https://[::ffff:10.0.0.5]/", "strict-allow-list", "allow-list"),
        ("https://[2002:7f00:1::]/", "strict-allow-list", "allow-list"),
        ("https://gpu-box/v1", "strict-allow-list", "PROVIDER_REGISTRY_ALLOWED_HOSTS"),
    ],
)
def test_strict_refuses(url: str, rule: str, fragment: str) -> None:
    problem = check_base_url(url, STRICT)
    assert problem is not None
    assert problem.rule == rule
    assert fragment in problem_text(problem)


def test_strict_https_hint_offers_https_or_loopback() -> None:
    problem = check_base_url("http://api.example.com/v1", STRICT)
    assert problem is not None
    assert "https://" in problem.hint and "localhost" in problem.hint


def test_strict_allow_list_hint_names_the_env_var() -> None:
    problem = check_base_url("https://gpu-box/v1", STRICT)
    assert problem is not None
    assert "PROVIDER_REGISTRY_ALLOWED_HOSTS" in problem.hint


@pytest.mark.parametrize(
    ("url", "expected_rule"),
    [
        ("http://localhost:11434/v1", None),
        ("http://127.0.0.1:8000/v1", None),
        ("http://[::1]/v1", None),
        ("https://api.openai.com/v1", "strict-allow-list"),
        ("https://router.huggingface.co/v1", "strict-allow-list"),
        ("https://10.0.0.1/v1", "strict-allow-list"),
        ("http://api.openai.com/v1", "strict-https"),
    ],
)
def test_strict_with_empty_allow_list_means_loopback_only(url: str, expected_rule: str | None) -> None:
    problem = check_base_url(url, UrlPolicy("strict"))
    assert (problem.rule if problem else None) == expected_rule
    if problem is not None and problem.rule == "strict-allow-list":
        assert "is empty" in problem.message


def test_strict_never_unblocks_metadata_via_allow_list() -> None:
    policy = UrlPolicy("strict", (".google.internal", ".internal"))
    problem = check_base_url("https://metadata.google.internal/", policy)
    assert problem is not None and problem.rule == "blocked-host"


def test_default_policy_ignores_allow_list() -> None:
    policy = UrlPolicy("default", ("a.example",))
    assert check_base_url("http://b.example/v1", policy) is None


# --- parse_policy and UrlPolicy ------------------------------------------------------------------

def test_policy_names() -> None:
    assert POLICY_NAMES == ("default", "strict")
    assert UrlPolicy() == UrlPolicy("default", ())


@pytest.mark.parametrize(
    ("name", "expected"),
    [(None, "default"), ("", "default"), ("  ", "default"), ("default", "default"),
     ("Default", "default"), ("STRICT", "strict"), (" strict\n", "strict")],
)
def test_parse_policy_names(name: str | None, expected: str) -> None:
    assert parse_policy(name, None) == UrlPolicy(expected, ())


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("strcit", "did you mean 'strict'?"), ("paranoid", "'paranoid'"), ("off", "'off'"),
     ("defaults", "did you mean 'default'?")],
)
def test_parse_policy_unknown_name(name: str, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_policy(name, None)
    assert "'default', 'strict'" in str(caught.value)
    assert fragment in str(caught.value)
    assert isinstance(caught.value, PolicyError)
    assert caught.value.setting == "name" and caught.value.hint is None
    assert str(caught.value) == caught.value.message


def test_parse_policy_blames_the_name_before_the_hosts() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("bogus", "https://x/")
    assert caught.value.setting == "name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ()),
        ("", ()),
        (" ,, \n", ()),
        ("api.example.com", ("api.example.com",)),
        ("API.Example.COM.", ("api.example.com",)),
        ("a.example,b.example", ("a.example", "b.example")),
        ("a.example b.example\tc.example\n", ("a.example", "b.example", "c.example")),
        ("a.example, ,a.example,,b.example", ("a.example", "b.example")),
        (".Corp.Example", (".corp.example",)),
        ("10.0.0.5", ("10.0.0.5",)),
        ("[FD00::1]", ("fd00::1",)),
        ("fd00:0:0::1", ("fd00::1",)),
        ("gpu_box", ("gpu_box",)),
        ("localhost", ("localhost",)),
    ],
)
def test_parse_policy_allowed_hosts(text: str | None, expected: tuple[str, ...]) -> None:
    assert parse_policy("strict", text).allowed_hosts == expected


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ("https://api.example.com", "looks like a URL"),
        ("api.example.com/v1", "looks like a URL"),
        ("user@api.example.com", "looks like a URL"),
        ("api.example.com:8443", "ports do not belong"),
        ("1.2.3", "not a host name, IP address or '.domain'"),
        ("0x7f000001", "not a host name"),
        ("169.254.169.254", "cloud metadata"),
        ("metadata.google.internal", "cloud metadata"),
        ("instance-data", "cloud metadata"),
        ("[::ffff:169.254.169.254]", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("[fe80::1%eth0]", "zone id"),
        ("a..b", "not a host name"),
        ("-bad", "not a host name"),
        (".", "not a '.domain' entry"),
        (".123", "not a '.domain' entry"),
        ("*.example.com", "not a host name"),
        ("bücher.de", "not a host name"),
    ],
)
def test_parse_policy_bad_allowed_host(entry: str, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_policy("strict", f"good.example,{entry}")
    # Quoted as written unless it may hold a key (issue 10: 'user@...' is masked, see below).
    assert quote_url(entry) in str(caught.value)
    assert fragment in str(caught.value)
    assert "hint:" in str(caught.value)
    error = caught.value
    assert isinstance(error, PolicyError) and error.setting == "allowed_hosts"
    assert error.message.startswith(f"allowed host {quote_url(entry)} ") and "hint:" not in error.message
    assert error.hint and str(error) == f"{error.message}; hint: {error.hint}"


def test_policy_error_pickles() -> None:
    import pickle

    error = PolicyError("allowed_hosts", "allowed host 'x' is bad", "fix it")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.setting, copy.message, copy.hint, str(copy)) == (error.setting, error.message, error.hint, str(error))


def test_parsed_policy_drives_check() -> None:
    policy = parse_policy("strict", "api.example.com .corp.example")
    assert check_base_url("https://x.corp.example/v1", policy) is None
    problem = check_base_url("https://evil.example/v1", policy)
    assert problem is not None and problem.rule == "strict-allow-list"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"name": "Strict"}, ValueError),
        ({"name": "lenient"}, ValueError),
        ({"name": "strict", "allowed_hosts": ["a.example"]}, TypeError),
        ({"name": "strict", "allowed_hosts": ("A.example",)}, ValueError),
        ({"name": "strict", "allowed_hosts": ("[::1]",)}, ValueError),
        ({"name": "strict", "allowed_hosts": ("a.example.",)}, ValueError),
        ({"name": "strict", "allowed_hosts": ("",)}, ValueError),
        ({"name": "strict", "allowed_hosts": ("169.254.169.254",)}, ValueError),
    ],
)
def test_url_policy_validates(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        UrlPolicy(**kwargs)  # type: ignore[arg-type]


def test_value_objects_are_frozen() -> None:
    with pytest.raises(AttributeError):
        UrlPolicy().name = "strict"  # type: ignore[misc]
    problem = check_base_url("ftp://h/")
    assert problem is not None
    with pytest.raises(AttributeError):
        problem.rule = "other"  # type: ignore[misc]


# --- properties ----------------------------------------------------------------------------------

_hosts = st.sampled_from(
    ["localhost", "gpu-box", "GPU-Box.lan", "127.0.0.1", "10.1.2.3", "[::1]", "[FD00::7]", "api.example.com"]
)
_paths = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True), max_size=3).map(
    lambda parts: "".join("/" + part for part in parts)
)


@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=_hosts,
    port=st.none() | st.integers(1, 65535),
    path=_paths,
    trailing=st.sampled_from(["", "/", "//"]),
)
def test_normalised_valid_url_stays_valid_and_is_stable(
    scheme: str, host: str, port: int | None, path: str, trailing: str
) -> None:
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}{trailing}"
    assert check_base_url(url) is None
    normal_form = normal(url)
    assert check_base_url(normal_form) is None
    assert normal(normal_form) == normal_form
    assert not normal_form.endswith("/")
    assert normal_form.endswith(path or "/v1")


@given(st.text(max_size=80))
def test_check_never_raises_and_uses_known_rules(text: str) -> None:
    problem = check_base_url(text)
    assert problem is None or problem.rule in KNOWN_RULES
    strict = check_base_url(text, STRICT)
    assert strict is None or strict.rule in KNOWN_RULES


@given(st.integers(0, 2**32 - 1))
def test_every_ipv4_is_canonical_or_refused(value: int) -> None:
    address = ipaddress.IPv4Address(value)
    dotted = check_base_url(f"http://{address}/")
    blocked = address in ipaddress.IPv4Network("169.254.0.0/16") or address in ipaddress.IPv4Network(
        "0.0.0.0/8"
    ) or str(address) in ("100.100.100.200", "192.0.0.192")
    assert (dotted.rule if dotted else None) == ("blocked-address" if blocked else None)
    for spelling in (str(value), hex(value), f"{value >> 16}.{value & 0xFFFF}"):
        problem = check_base_url(f"http://{spelling}/")
        assert problem is not None and problem.rule == "non-canonical-ipv4"


@given(st.integers(0, 2**16 - 1))
def test_every_link_local_ipv4_is_blocked_in_every_ipv6_wrapping(low: int) -> None:
    v4 = ipaddress.IPv4Address((169 << 24) | (254 << 16) | low)
    packed = int(v4)
    forms = [
        f"::ffff:{v4}",
        f"::ffff:{packed >> 16:x}:{packed & 0xFFFF:x}",
        f"::{v4}",
        f"2002:{packed >> 16:x}:{packed & 0xFFFF:x}::1",
        f"64:ff9b::{v4}",
    ]
    for form in forms:
        problem = check_base_url(f"http://[{form}]/")
        assert problem is not None and problem.rule == "blocked-address", form
        assert f"'{v4}'" in problem.message


@given(st.from_regex(r"[A-Za-z0-9._~!$&'()*+,;=-]{1,24}", fullmatch=True))
def test_password_never_echoed(password: str) -> None:
    # The userinfo problem is the same text whatever the URL, so nothing of it can leak.
    problem = check_base_url(f"http://someone:{password}@gpu-box:8000/v1")
    assert problem == check_base_url("http://@h/")
    assert problem is not None and problem.rule == "userinfo"


# --- through the loader: the rule is a field of the Issue, and the policy errors blame their variable

def test_loader_url_issue_has_kind_url_and_the_rule(user_file) -> None:
    import registry

    path = user_file("version: 1\nproviders:\n  ollama:\n    api_base: 'http://169.254.169.254/v1'\n")
    report = registry.inspect(config_path=path, environ={})
    (issue,) = [i for i in report.errors if i.pointer == "$.providers.ollama.api_base"]
    assert (issue.kind, issue.rule) == ("url", "blocked-address")
    assert issue.message.endswith("(rule: blocked-address; layer: user)")  # the text stays as it was
    assert issue.as_dict()["rule"] == "blocked-address"


def test_loader_env_url_issue_has_kind_url_and_surrounding_whitespace_is_stripped(user_file) -> None:
    import registry

    report = registry.inspect(config_path=user_file(""), environ={"OLLAMA_BASE_URL": " ftp://h/\n"})
    (issue,) = report.errors
    assert (issue.env_var, issue.kind, issue.rule) == ("OLLAMA_BASE_URL", "url", "scheme")
    fine = registry.inspect(config_path=user_file(""), environ={"OLLAMA_BASE_URL": " http://h:1\n"})
    assert fine.ok and fine.registry is not None and fine.registry.provider("ollama").api_base == "http://h:1/v1"


@pytest.mark.parametrize(
    ("environ", "env_var", "message", "hint"),
    [
        ({"PROVIDER_REGISTRY_URL_POLICY": "strcit", "PROVIDER_REGISTRY_ALLOWED_HOSTS": "http://x/"},
         "PROVIDER_REGISTRY_URL_POLICY",
         "unknown URL policy 'strcit' (did you mean 'strict'?); expected one of 'default', 'strict'",
         "unset PROVIDER_REGISTRY_URL_POLICY or fix its value"),
        ({"PROVIDER_REGISTRY_URL_POLICY": "strict", "PROVIDER_REGISTRY_ALLOWED_HOSTS": "ok.example,a:1"},
         "PROVIDER_REGISTRY_ALLOWED_HOSTS", "allowed host 'a:1' is not a host name or IP address",
         "ports do not belong in the allow-list"),
    ],
)
def test_loader_policy_issue_blames_its_variable(user_file, environ: dict[str, str], env_var: str,
                                                 message: str, hint: str) -> None:
    import registry

    (issue,) = registry.inspect(config_path=user_file(""), environ=environ).errors
    assert (issue.env_var, issue.message, issue.hint) == (env_var, message, hint)


# --- issue 10: strict trusts the operator's values -------------------------------------------------

@pytest.mark.parametrize("url", ["https://router.huggingface.co/v1", "http://gpu-box.lan:8000/v1", "http://10.0.0.1/"])
def test_trusted_values_skip_only_the_strict_rules(url: str) -> None:
    assert isinstance(parse_base_url(url, UrlPolicy("strict")), UrlProblem)
    assert isinstance(parse_base_url(url, UrlPolicy("strict"), trusted=True), BaseUrl)


@pytest.mark.parametrize(
    ("url", "rule"),
    [("http://169.254.169.254/", "blocked-address"), ("http://[fd20:ce::254]/", "blocked-address"),
     ("http://metadata.google.internal/", "blocked-host"), ("ftp://h/", "scheme"), ("http://h/v1?x=1", "fragment-or-query")],
)
def test_trusted_values_still_obey_every_other_rule(url: str, rule: str) -> None:
    problem = parse_base_url(url, UrlPolicy("strict"), trusted=True)
    assert isinstance(problem, UrlProblem) and problem.rule == rule


def test_strict_with_an_empty_allow_list_loads_the_builtin_providers(user_file) -> None:
    import registry

    loaded = registry.load(config_path=user_file(""), environ={}, url_policy="strict")
    assert loaded.provider("huggingface").api_base == "https://router.huggingface.co/v1"
    env = registry.load(config_path=user_file(""), environ={"PROVIDER_REGISTRY_URL_POLICY": "strict"})
    assert env.url_policy.name == "strict"


def test_strict_still_checks_a_user_override_of_a_builtin_url(user_file) -> None:
    import registry

    path = user_file("version: 1\nproviders:\n  huggingface:\n    api_base: https://evil.example/v1\n")
    (issue,) = registry.inspect(config_path=path, environ={}, url_policy="strict").errors
    assert (issue.rule, issue.pointer) == ("strict-allow-list", "$.providers.huggingface.api_base")
    assert "layer: user" in issue.message


# --- issue 10: text that may hold a key is never quoted --------------------------------------------

SECRET = "sk-canary-7Qx2Vb9LmZ4pR8tW"


@pytest.mark.parametrize(
    ("text", "quotable", "quoted"),
    [
        ("http://gpu-box:8000/v1", True, "'http://gpu-box:8000/v1'"),
        ("localhost:11434", True, "'localhost:11434'"),
        ("my-inference-server", True, "'my-inference-server'"),  # no digit: a name, not a key
        (f"gpu-box:8000/v1?api_key={SECRET}", False, "'gpu-box:8000/v1?****'"),
        (f"gpu-box/v1#{SECRET}", False, "'gpu-box/v1#****'"),
        (f"http://u:{SECRET}@h/v1", False, "'http://****@h/v1'"),
        (f"u:{SECRET}@h:8000/v1", False, "'****@h:8000/v1'"),
        (f"a@b@h/v1?{SECRET}", False, "'****@h/v1?****'"),
        (SECRET, False, "'****'"),
        ("0123456789abcdef0123456789abcdef", False, "'****'"),
        ("http://h/" + "a" * 200, True, "'http://h/" + "a" * 88 + "...'"),
        (f"admin:{SECRET}:x", False, "'admin:****:x'"),  # each key-like run is masked, not the whole text
        ("gpu-box.lan:12345678901234567890", True, "'gpu-box.lan:12345678901234567890'"),  # digits only
        ("ip-10-0-0-5.ec2.internal:8000", True, "'ip-10-0-0-5.ec2.internal:8000'"),
    ],
)
def test_quoting_rule(text: str, quotable: bool, quoted: str) -> None:
    from registry.urls import is_quotable_url

    assert is_quotable_url(text) is quotable
    assert quote_url(text) == quoted
    assert SECRET not in quote_url(text)


@pytest.mark.parametrize(
    ("text", "rule", "fragment"),
    [
        (f"gpu-box:8000/v1?api_key={SECRET}", "scheme", "base URL 'gpu-box:8000/v1?****' has no scheme"),
        (f"gpu-box:8000/v1#{SECRET}", "scheme", "'gpu-box:8000/v1#****'"),
        (f"localhost/v1?k={SECRET}", "scheme", "has no scheme"),
        (SECRET, "scheme", "base URL '****' has no scheme"),
        (f"http:h?k={SECRET}", "scheme", "got 'http:h?****'"),
        (f"https:/h/v1#{SECRET}", "scheme", "must start with 'https://'"),
        (f"{SECRET}:x", "scheme", "base URL scheme is not allowed"),
        (f"gopher://h/?{SECRET}", "scheme", "scheme 'gopher' is not allowed"),
        (f"http://h:bad/?k={SECRET}", "fragment-or-query", "(not shown)"),
        (f"http://[fd20:ce::254]/?k={SECRET}", "fragment-or-query", "query string"),
        (f"http://h/v1/chat/completions?k={SECRET}", "fragment-or-query", "query string"),
        (f"user:{SECRET}@h", "userinfo", "credentials"),
    ],
)
def test_no_message_quotes_a_key_whichever_rule_fails_first(text: str, rule: str, fragment: str) -> None:
    for policy in (UrlPolicy(), UrlPolicy("strict")):
        problem = check_base_url(text, policy)
        assert problem is not None and problem.rule == rule
        assert fragment in problem.message
        assert SECRET not in problem_text(problem)


@given(
    prefix=st.sampled_from(["", "http://", "http:", "ftp://", "gpu-box:8000/v1", "http://h:x", "HTTP://[::1"]),
    mark=st.sampled_from(["?api_key=", "#", "@", "?", "/x?y=1&token="]),
    secret=st.from_regex(r"[A-Za-z0-9_-]{12,40}", fullmatch=True),
)
def test_a_key_after_query_fragment_or_userinfo_never_appears(prefix: str, mark: str, secret: str) -> None:
    text = f"{prefix}{mark}{secret}"
    for policy in (UrlPolicy(), STRICT):
        problem = check_base_url(text, policy)
        assert problem is not None
        assert secret not in problem_text(problem)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (f"user:{SECRET}@api.example.com", "allowed host '****@api.example.com' looks like a URL"),
        (f"api.example.com?k={SECRET}", "allowed host 'api.example.com?****' looks like a URL"),
        (f"api.example.com#{SECRET}", "allowed host 'api.example.com#****' looks like a URL"),
        (f"https://{SECRET}@h/", "allowed host 'https://****@h/' looks like a URL"),
    ],
)
def test_allowed_host_entries_with_credentials_are_masked(entry: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("strict", f"ok.example {entry}")
    assert caught.value.message.startswith(message)
    assert SECRET not in str(caught.value)


def test_the_allow_list_in_a_message_masks_key_like_entries_and_is_capped() -> None:
    problem = check_base_url("https://gpu-box/v1", parse_policy("strict", f"a.example {SECRET}"))
    assert problem is not None and "(which is a.example, ****)" in problem.message
    many = parse_policy("strict", " ".join(f"h{i}.example" for i in range(50)))
    problem = check_base_url("https://gpu-box/v1", many)
    assert problem is not None and "h4.example, ... (50 entries)" in problem.message and "h5.example" not in problem.message


def test_a_long_policy_name_is_echoed_cut() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("x" * 10_000, None)
    assert len(caught.value.message) < 200 and "..." in caught.value.message


# --- issue 10: the allow-list costs linear time and has limits -------------------------------------

def test_allow_list_parsing_is_linear() -> None:
    import time

    text = ",".join(f"h{i}.example" for i in range(1000))
    start = time.perf_counter()
    policy = parse_policy("strict", text)
    assert len(policy.allowed_hosts) == 1000
    duplicates = parse_policy("strict", "a.example," * 6000)  # 60 KB of one entry
    assert duplicates.allowed_hosts == ("a.example",)
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (",".join(f"h{i}.example" for i in range(1001)), "the allow-list has more than 1000 entries"),
        ("a" * 65537, "the allow-list is 65537 characters long; the limit is 65536"),
        ("a.example " * 10_000, "characters long"),
    ],
)
def test_allow_list_limits(text: str, fragment: str) -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("strict", text)
    assert caught.value.setting == "allowed_hosts" and fragment in caught.value.message
    assert caught.value.hint and "'.example.com' covers every subdomain" in caught.value.hint


def test_allow_list_limit_through_the_loader(user_file) -> None:
    import registry

    environ = {"PROVIDER_REGISTRY_URL_POLICY": "strict", "PROVIDER_REGISTRY_ALLOWED_HOSTS": "a" * 70_000}
    (issue,) = registry.inspect(config_path=user_file(""), environ=environ).errors
    assert issue.env_var == "PROVIDER_REGISTRY_ALLOWED_HOSTS" and "the limit is 65536" in issue.message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [(f"http://gpu-box:{SECRET}/v1", "port '****' is not a number"),
     (f"http://admin:{SECRET}:x/v1", "looks like an IPv6 address without brackets"),
     ("http://h:80a/", "port '80a'")],
)
def test_port_and_authority_text_go_through_the_quoting_rule(url: str, fragment: str) -> None:
    problem = check_base_url(url)
    assert problem is not None and fragment in problem.message
    assert SECRET not in problem_text(problem)


@pytest.mark.parametrize(("operator", "requested", "common", "outside"), [
    ((".example.com", "10.0.0.5"), ("api.example.com",), ("api.example.com",), ()),
    (("api.example.com",), (".example.com",), ("api.example.com",), ()),
    ((".example.com",), (".a.example.com", "example.com"), (".a.example.com",), ("example.com",)),
    ((".example.com",), (".com", "evil.org"), (".example.com",), ("evil.org",)),
    (("10.0.0.5", "::1"), ("10.0.0.5", "10.0.0.6"), ("10.0.0.5",), ("10.0.0.6",)),
    ((), ("a.example",), (), ("a.example",)),
])
def test_allow_lists_intersect_to_the_hosts_both_allow(operator: tuple[str, ...], requested: tuple[str, ...],
                                                       common: tuple[str, ...], outside: tuple[str, ...]) -> None:
    from registry.urls import intersect_allowed_hosts

    assert intersect_allowed_hosts(operator, requested) == (common, outside)
    both = UrlPolicy("strict", common)
    for host in ("api.example.com", "example.com", "x.a.example.com", "evil.org", "10.0.0.5", "10.0.0.6"):
        allowed_by_both = all(check_base_url(f"https://{host}/v1", UrlPolicy("strict", hosts)) is None
                              for hosts in (operator, requested))
        assert (check_base_url(f"https://{host}/v1", both) is None) == allowed_by_both, host
