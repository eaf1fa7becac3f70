"""Did-you-mean: the one policy for guessing which known word a misspelt one meant.

Every suggestion in the package comes from ``close_match`` and is worded by ``did_you_mean``, so
the cutoffs and the wording cannot drift apart between messages. Two cutoffs, chosen by what the
caller knows:

- an **error** (an unknown field, provider or effort word) already says the word is wrong, so a
  looser guess (ratio >= 0.6, difflib's own default) helps more than it misleads;
- a **valid input** that may be a typo (a new provider named ``olama``, an id ``olama/x`` that the
  fallback provider accepts) must not be second-guessed lightly: ratio >= 0.8.

Words longer than ``MAX_WORD_LENGTH`` get no guess: difflib's cost grows with the product of the
lengths, and no real name is that long. ``difflib`` is imported on first use (most runs need none).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_WORD_LENGTH", "close_match", "did_you_mean"]

ERROR_CUTOFF = 0.6
VALID_INPUT_CUTOFF = 0.8
MAX_WORD_LENGTH = 128


def close_match(word: object, choices: Iterable[str], *, valid_input: bool = False) -> str | None:
    """The choice closest to ``word``, or None when none is close enough (see the module docstring)."""
    if not isinstance(word, str) or not word or len(word) > MAX_WORD_LENGTH:
        return None
    cutoff = VALID_INPUT_CUTOFF if valid_input else ERROR_CUTOFF
    # A ratio of at least ``cutoff`` needs the lengths within (1 - cutoff) of their sum: a cheap
    # filter that keeps difflib off the bulk of a long list of names.
    size = len(word)
    near = [choice for choice in choices
            if isinstance(choice, str) and abs(len(choice) - size) <= (1 - cutoff) * (len(choice) + size)]
    if not near:
        return None
    import difflib  # deferred: ~1 ms, and only a near miss needs it

    found = difflib.get_close_matches(word, near, n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(match: str) -> str:
    """The hint text for a suggestion, worded the same everywhere."""
    return f"did you mean {match!r}?"
