"""Character classes shared by every check of untrusted text (base URLs, API keys).

Two copies of "which characters are invisible" had already drifted apart in wording, so the
classes live here once. The checks that use them choose their own order and messages.
"""

from __future__ import annotations

import unicodedata

__all__ = ["is_control", "is_plain", "is_whitespace"]

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
