"""How a table fits a terminal: display widths, shorter paths, and the one fitting rule.

A table that wraps on an 80-column terminal is unreadable (``registry show`` printed a full venv
path on every row), but a script reading a pipe needs every cell whole. So the CLI fits tables
only on a terminal, and it does so here, in one place, by one rule (``fit_table``):

1. drop the columns the command declared least useful, in its order, until the table fits;
2. then shorten cells, column by column in the order the command gave (default: widest first),
   each first down to ``ROOMY`` columns, then down to one; a cut cell ends with an ellipsis;
3. as a last resort drop columns from the right, keeping the first.

A line that is not a table but must keep every word (the models a server serves) is broken at
spaces instead (``wrap``).

Widths are display columns: East Asian wide characters count two, combining marks none, and the
colour codes the CLI paints count none and are never split, nor are the ``\\x1b`` escapes the CLI
writes for control characters (a cut never emits half an escape).
"""

from __future__ import annotations

import re
import unicodedata

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["GAP", "MIN_WIDTH", "ROOMY", "display_width", "fit_table", "render_table", "shorten_path", "truncate", "wrap"]

GAP = "  "  # between two columns
MIN_WIDTH = 40  # a terminal narrower than this gets tables cut for 40 columns, and wraps them
ROOMY = 8  # a column is first shortened no further than this, so every kept column says something

# Atoms a cut may not split: a colour code (zero width), an escape written for a control or an
# undecodable character, or one character.
_ATOM = re.compile(r"\x1b\[[0-9;]*m|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}|.", re.DOTALL)
_SGR = re.compile(r"\x1b\[[0-9;]*m")
_RESET = "\x1b[0m"


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _atom_width(atom: str) -> int:
    if atom.startswith("\x1b["):
        return 0
    return len(atom) if len(atom) > 1 else _char_width(atom)


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal; colour codes take none."""
    if text.isascii():
        return len(_SGR.sub("", text)) if "\x1b[" in text else len(text)
    return sum(_char_width(char) for char in _SGR.sub("", text))


def truncate(text: str, width: int, ellipsis: str = "…") -> str:
    """``text`` cut to at most ``width`` columns, ending with ``ellipsis`` when cut; colour codes
    and escapes are kept whole, and a colour left open is reset."""
    if display_width(text) <= width:
        return text
    room = width - display_width(ellipsis)
    if room < 0:
        return ellipsis[:max(width, 0)]
    kept, used, painted = [], 0, False
    for atom in _ATOM.findall(text):
        size = _atom_width(atom)
        if used + size > room:
            break
        kept.append(atom)
        used += size
        painted = painted or size == 0 and atom.startswith("\x1b[")
    return "".join(kept) + (_RESET if painted else "") + ellipsis


def fit_table(lines: Sequence[Sequence[str]], width: int, *, drop: Sequence[int] = (),
              cut: Sequence[int] | None = None, ellipsis: str = "…") -> list[list[str]]:
    """``lines`` (the header, if any, first) with columns dropped and cells cut so that every
    rendered line is at most ``width`` columns; the rule is in the module docstring. ``drop`` and
    ``cut`` are column indices, least useful first."""
    if not lines:
        return []
    count = len(lines[0])
    natural = [max(display_width(line[i]) for line in lines) for i in range(count)]
    kept = list(range(count))

    def total(widths: dict[int, int]) -> int:
        return sum(widths[i] for i in kept) + len(GAP) * (len(kept) - 1)

    widths = dict(enumerate(natural))
    for column in drop:
        if total(widths) <= width:
            break
        if column in kept and len(kept) > 1:
            kept.remove(column)
    order = [i for i in (cut if cut is not None else sorted(kept, key=lambda i: -natural[i])) if i in kept]
    order += [i for i in sorted(kept, key=lambda i: -natural[i]) if i not in order]
    for floor in (ROOMY, 1):
        for column in order:
            excess = total(widths) - width
            if excess <= 0:
                break
            widths[column] = max(min(widths[column], floor), widths[column] - excess)
    while total(widths) > width and len(kept) > 1:
        kept.pop()
    return [[truncate(line[i], widths[i], ellipsis) for i in kept] for line in lines]


def wrap(text: str, width: int, indent: str = "  ") -> list[str]:
    """``text`` (one line, such as a list of served models) broken at spaces into lines of at most
    ``width`` columns, the later ones indented; a word too long for a line is split between
    atoms. Nothing is left out: this is for lines whose every word matters."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line.strip() else f"{line}{word}"
        if display_width(candidate) <= width:
            line = candidate
            continue
        if line.strip():
            lines.append(line)
            line = indent
        for atom in _ATOM.findall(word):  # a word longer than a line: split it, never an atom
            if display_width(line + atom) > width and line.strip():
                lines.append(line)
                line = indent
            line += atom
    lines.append(line)
    return lines


def render_table(lines: Sequence[Sequence[str]]) -> list[str]:
    """``lines`` as left-aligned columns separated by ``GAP``, trailing spaces removed."""
    if not lines:
        return []
    widths = [max(display_width(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [GAP.join(cell + " " * (size - display_width(cell)) for cell, size in zip(line, widths, strict=True)).rstrip()
            for line in lines]


def shorten_path(path: str, *, home: str | None = None, builtin: str | None = None) -> str:
    """``path`` as a terminal shows it: the package's built-in providers file as ``<built-in>``
    (``<built-in>:7`` with a line), the home directory as ``~``. A trailing ``:LINE`` is kept."""
    if builtin and (path == builtin or path.startswith(builtin + ":")):
        return "<built-in>" + path[len(builtin):]
    home = (home or "").rstrip("/")
    if home and path.startswith(home + "/"):
        return "~" + path[len(home):]
    return path
