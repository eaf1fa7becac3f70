"""``registry.layout``: display widths, truncation, path shortening and the table-fitting rule."""

from __future__ import annotations

import io
import random
import re

import pytest

from registry.commands._context import Context
from registry.layout import ROOMY, display_width, fit_table, render_table, shorten_path, truncate, wrap

HEADER = ["NAME", "PREFIX", "KIND", "BASE URL", "KEY", "LAYER", "FALLBACK"]
ROWS = [
    ["huggingface", "huggingface/", "hosted", "https://router.huggingface.co/v1", "none", "default", "yes"],
    ["ollama", "ollama/", "local", "http://localhost:11434/v1", "placeholder", "default", ""],
    ["模型服务", "模型服务/", "local", "http://127.0.0.1:8000/v1", "env OPENAI_KEY", "user", ""],
    ["\x1b[31;1mred\x1b[0m", "r/", "local", "http://h/v1\\x1b[2J", "file ~/.cache/huggingface/token", "user", ""],
]
LINES = [HEADER, *ROWS]
DROP = (1, 5, 2, 6, 4)


@pytest.mark.parametrize(("text", "width"), [
    ("abc", 3), ("", 0), ("模型", 4), ("e\u0301", 1), ("\x1b[1mbold\x1b[0m", 4), ("a\u200bb", 2),
])
def test_display_width_counts_columns_not_characters(text: str, width: int) -> None:
    assert display_width(text) == width


@pytest.mark.parametrize(("text", "width", "expected"), [
    ("abcdef", 6, "abcdef"),
    ("abcdef", 4, "abc…"),
    ("abcdef", 1, "…"),
    ("模型服务", 5, "模型…"),  # a wide character that would straddle the edge is left out
    ("ab\\x1b[2J", 5, "ab…"),  # the escape of a control character is never split
    ("\x1b[31;1mFAIL\x1b[0m", 3, "\x1b[31;1mFA\x1b[0m…"),  # colour kept whole and reset
])
def test_truncate_cuts_at_whole_atoms(text: str, width: int, expected: str) -> None:
    assert truncate(text, width) == expected
    assert display_width(truncate(text, width)) <= width


def test_truncate_with_an_ascii_ellipsis() -> None:
    assert truncate("abcdefgh", 6, "...") == "abc..."


def test_a_table_that_fits_is_unchanged() -> None:
    assert fit_table(LINES, 500, drop=DROP) == LINES


def _kept(fitted: list[list[str]]) -> list[int]:
    """The original column index of each fitted column, read from the header."""
    return [next(i for i, name in enumerate(HEADER) if cell == name or
                 (cell.endswith("…") and name.startswith(cell[:-1]))) for cell in fitted[0]]


@pytest.mark.parametrize("width", range(20, 201))
def test_every_line_fits_and_kept_cells_are_whole_or_cut_prefixes(width: int) -> None:
    fitted = fit_table(LINES, width, drop=DROP, cut=(3, 4, 0))
    for line in render_table(fitted):
        assert display_width(line) <= width
    kept = _kept(fitted)
    assert kept == sorted(kept) and 0 in kept  # order kept; the first column never dropped
    for original, line in zip(LINES, fitted, strict=True):
        for index, cell in zip(kept, line, strict=True):
            whole = original[index]
            assert cell == whole or (cell.endswith("…") and display_width(cell) < display_width(whole)), (cell, whole)


@pytest.mark.parametrize("width", range(20, 201))
def test_the_least_useful_columns_go_first(width: int) -> None:
    dropped = [i for i in range(len(HEADER)) if i not in _kept(fit_table(LINES, width, drop=DROP))]
    if len(dropped) <= len(DROP):
        assert set(dropped) == set(DROP[:len(dropped)])
    else:  # the last resort, once every declared column is gone: from the right
        assert set(DROP) <= set(dropped)


def test_columns_are_dropped_before_any_cell_is_cut() -> None:
    natural = len(render_table(LINES)[1])
    fitted = fit_table(LINES, 80, drop=DROP)
    assert len(fitted[0]) < len(HEADER) and natural > 80
    if not any(cell.endswith("…") for line in fitted for cell in line):
        return
    assert len(fitted[0]) == len(HEADER) - len(DROP)  # cutting started only once all were dropped


def test_the_cut_order_is_followed_down_to_roomy_first() -> None:
    lines = [["a" * 30, "b" * 30, "c" * 30]]
    fitted = fit_table(lines, 60, cut=(2, 1))  # 94 columns: 34 too many
    assert [display_width(cell) for cell in fitted[0]] == [30, 30 - (34 - (30 - ROOMY)), ROOMY]
    assert fitted[0][1] == "b" * (30 - (34 - (30 - ROOMY)) - 1) + "…"


@pytest.mark.parametrize("seed", range(30))
def test_random_tables_fit_every_width(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "abcdefghij 模型é\u0301-/:"
    count = rng.randint(1, 7)
    lines = [["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(count)]
             for _ in range(rng.randint(1, 8))]
    drop = rng.sample(range(count), rng.randint(0, count))
    for width in range(max(20, 3 * count), 201, 7):
        for line in render_table(fit_table(lines, width, drop=drop)):
            assert display_width(line) <= width


@pytest.mark.parametrize(("path", "expected"), [
    ("/pkg/registry/data/providers.yaml", "<built-in>"),
    ("/pkg/registry/data/providers.yaml:7", "<built-in>:7"),
    ("/home/ann/.config/provider-registry/providers.yaml", "~/.config/provider-registry/providers.yaml"),
    ("/home/annex/x.yaml", "/home/annex/x.yaml"),  # not inside the home directory
    ("/etc/xdg/provider-registry/providers.yaml", "/etc/xdg/provider-registry/providers.yaml"),
])
def test_shorten_path(path: str, expected: str) -> None:
    assert shorten_path(path, home="/home/ann/", builtin="/pkg/registry/data/providers.yaml") == expected


@pytest.mark.parametrize("width", range(20, 121))
def test_wrap_keeps_every_word_and_fits(width: int) -> None:
    text = "ollama (http://127.0.0.1:43210/v1) serves: " + ", ".join(f"model-{n}:latest" for n in range(12)) \
        + " 模型服务 " + "x" * 130
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join(line.removeprefix("  ") if n else line for n, line in enumerate(lines)).replace(" ", "") \
        == text.replace(" ", "")


def test_wrap_leaves_a_short_line_alone() -> None:
    assert wrap("ollama serves: a, b", 80) == ["ollama serves: a, b"]


class _AsciiOut(io.StringIO):
    encoding = "ascii"


@pytest.mark.parametrize("color", [True, False])
def test_context_table_fits_after_escaping_and_keeps_colour_whole(color: bool) -> None:
    out = _AsciiOut()
    ctx = Context(stdout=out, stderr=io.StringIO(), color=color, width=30)
    ctx.table([(ctx.paint("FAIL", "error"), "name\x1b]0;evil\x07" + "x" * 40, "http://h/v1")],
              header=("", "NAME", "URL"), drop=(2,))
    lines = out.getvalue().splitlines()
    plain = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]
    assert all(len(line) <= 30 for line in plain) and "URL" not in plain[0]
    assert "\x1b]" not in out.getvalue() and "\x07" not in out.getvalue()  # the control is escaped
    assert "name\\x1b]0;evil\\x07" in plain[1] and plain[1].endswith("...")  # ASCII stdout: '...'
    assert ("\x1b[31;1mFAIL\x1b[0m" in lines[1]) is color


def test_context_table_without_a_width_is_whole() -> None:
    out = io.StringIO()
    Context(stdout=out, stderr=io.StringIO()).table([("a", "b" * 300)], drop=(1,))
    assert out.getvalue() == "a  " + "b" * 300 + "\n"
