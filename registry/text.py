"""Character classes shared by every check of untrusted text (base URLs, API keys), and the one
rule for echoing such text in a message.

Two copies of "which characters are invisible" had already drifted apart in wording, so the
classes live here once. The checks that use them choose their own order and messages.
"""

from __future__ import annotations

import unicodedata

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["ECHO_LIMIT", "LIST_LIMIT", "escape_controls", "is_control", "is_plain", "is_whitespace", "listed",
           "quoted"]

# Controls, invisible format characters (zero-width space, bidi overrides) and line/paragraph
# separators. Zs (spaces) is whitespace, not a control.
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def is_control(char: str) -> bool:
    """True for a character that is invisible or breaks a line: it has no place in a URL or a key."""
    return unicodedata.category(char) in _CONTROL_CATEGORIES


def is_whitespace(char: str) -> bool:
    """True for any space, tab or line break, including the Unicode spaces ``str.isspace`` misses."""
    return char.isspace() or unicodedata.category(char) == "Zs"


def is_plain(text: str) -> bool:
    """True when ``text`` is printable ASCII without ' ', so no character in it is a control or whitespace.

    In ASCII every control is unprintable and ' ' is the only printable whitespace, so this one C
    pass spares the per-character checks for the common case.
    """
    return text.isascii() and text.isprintable() and " " not in text


# How much of an untrusted value a message may echo. Long enough to recognise a model id or a
# path, short enough that a 10 MB value costs nothing to show.
ECHO_LIMIT = 80


def escape_controls(text: str) -> str:
    """``text`` with every control, format and separator character written as an escape
    (``\\x1b``, ``\\u200b``), so a value shown unquoted can never drive a terminal (ESC, OSC, BEL)
    or hide itself."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(repr(char)[1:-1] if is_control(char) or _is_surrogate(char) else char for char in text)


def _is_surrogate(char: str) -> bool:
    """A lone surrogate: no encoding can write it, so it is shown as its escape."""
    return "\ud800" <= char <= "\udfff"


def quoted(value: object, limit: int = ECHO_LIMIT) -> str:
    """The one way a message echoes a value it did not write: quoted like ``repr``, controls
    escaped, at most about ``limit`` characters, and the full length said when cut. Redact
    secrets *before* calling this: cutting first could leave part of a key for redaction to miss."""
    if not isinstance(value, str):
        shown = repr(value)
        return shown if len(shown) <= limit else f"a {type(value).__name__} value"
    if len(value) <= limit and len(whole := repr(value)) <= limit + 2:
        return whole
    kept, width = 0, 0
    for char in value[:limit]:  # keep characters while their escapes fit
        width += len(repr(char)) - 2
        if width > limit - 3:
            break
        kept += 1
    return repr(value[:kept]) + f"... ({len(value):,} characters)"


# How many names a message lists before it says how many more there are.
LIST_LIMIT = 10


def listed(names: Iterable[str], limit: int = LIST_LIMIT) -> str:
    """``names`` joined with ', ', cut after ``limit`` with the count of the rest ('a, b and 3,990
    more'), so a message about a table of thousands of providers stays one line. The names are
    the package's own (schema-checked); untrusted text goes through ``quoted``."""
    names = list(names)
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])} and {len(names) - limit:,} more"
