"""The one table format every benchmark script prints: a header line, then Markdown rows of
(what, median, beside it), so figures paste into the README unchanged."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

HEADER = ("what", "median", "beside it")


def print_rows(rows: Sequence[tuple[str, str, str]], rounds: int) -> None:
    """``rows`` as a Markdown table, medians right-aligned, under a line naming the machine."""
    widths = [max(len(r[i]) for r in [*rows, HEADER]) for i in range(3)]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {rounds} rounds")
    print()
    print(f"| {HEADER[0]:<{widths[0]}} | {HEADER[1]:>{widths[1]}} | {HEADER[2]:<{widths[2]}} |")
    print(f"| {'-' * widths[0]} | {'-' * (widths[1] - 1)}: | {'-' * widths[2]} |")
    for what, value, note in rows:
        print(f"| {what:<{widths[0]}} | {value:>{widths[1]}} | {note:<{widths[2]}} |")
