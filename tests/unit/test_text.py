"""Unit tests for registry.text: the character classes the URL and API key checks share."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.secrets import check_secret_text
from registry.text import ECHO_LIMIT, escape_controls, quoted, is_control, is_plain, is_whitespace
from registry.urls import UrlProblem, parse_base_url


@pytest.mark.parametrize("char", ["\x00", "\n", "\t", "\x7f", "\x85", "\u200b", "\u202e", "\u2028", "\u2029", "\ufeff"])
def test_controls(char: str) -> None:
    assert is_control(char)


@pytest.mark.parametrize("char", ["a", " ", "\u00a0", "é", "/", "\u3000"])
def test_not_controls(char: str) -> None:
    assert not is_control(char)


@pytest.mark.parametrize("char", [" ", "\t", "\n", "\u00a0", "\u3000", "\u2028", "\x1c"])
def test_whitespace(char: str) -> None:
    assert is_whitespace(char)


@given(st.text(max_size=20))
def test_plain_text_has_no_control_or_whitespace(text: str) -> None:
    if is_plain(text):
        assert not any(is_control(c) or is_whitespace(c) for c in text)


@given(st.characters())
def test_urls_and_keys_refuse_the_same_characters(char: str) -> None:
    # One home for the classes: a character the URL check calls a control or whitespace is one the
    # key check refuses too (and the other way round, for the characters allowed in both).
    url_problem = parse_base_url(f"http://h/v1{char}x")
    key_problem = check_secret_text(f"sk-{char}x")
    shared = is_control(char) or is_whitespace(char)
    assert (isinstance(url_problem, UrlProblem) and url_problem.rule in ("control-character", "whitespace")) == shared
    assert (key_problem in ("contains whitespace", "contains a control character")) == shared
    assert unicodedata.category(char) != "Zs" or is_whitespace(char)


@given(st.text())
def test_escaped_text_is_safe_for_any_terminal_and_encoding(text: str) -> None:
    shown = escape_controls(text)
    assert not any(is_control(c) for c in shown)
    shown.encode("utf-8")  # no lone surrogate survives, so no stream can fail on it
    if text.isascii() and text.isprintable():
        assert shown == text


@pytest.mark.parametrize("text, shown", [("a\x1b[31mred", "a\\x1b[31mred"), ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
                                         ("zero\u200bwidth", "zero\\u200bwidth"), ("lone \ud800", "lone \\ud800"),
                                         ("caf\u00e9 ok", "caf\u00e9 ok")])
def test_escape_controls_writes_escapes(text: str, shown: str) -> None:
    assert escape_controls(text) == shown


@given(st.text())
def test_quoted_echo_is_bounded_and_escaped(text: str) -> None:
    echo = quoted(text)
    assert len(echo) <= ECHO_LIMIT + 40
    assert not any(is_control(c) for c in echo)
    echo.encode("utf-8")
    if len(text) > ECHO_LIMIT:
        assert f"({len(text):,} characters)" in echo


def test_quoted_echo_of_a_huge_value_costs_nothing() -> None:
    echo = quoted("x" * 10_000_000)
    assert echo.endswith("... (10,000,000 characters)") and len(echo) < 120
