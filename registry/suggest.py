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

A ``Vocabulary`` is the choices indexed once, for a caller that guesses many times against the
same names (the routing table, a build with thousands of aliases): difflib then sees at most
``MAX_COMPARED`` of them per guess, so a guess costs the same against 10 names or 10,000. Up to
``MAX_COMPARED`` choices every one is compared, exactly as before; beyond that, the choices that
share the most letter triples (trigrams, with the start and end marked) with the word. A vocabulary
also has a work budget (``WORK_BUDGET``): once spent, it guesses nothing until ``refill``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_COMPARED", "MAX_WORD_LENGTH", "WORK_BUDGET", "Vocabulary", "close_match", "did_you_mean"]

ERROR_CUTOFF = 0.6
VALID_INPUT_CUTOFF = 0.8
MAX_WORD_LENGTH = 128
# Choices difflib compares per guess, and index entries counted to pick them: together they bound a
# guess at a few thousand counts and 32 comparisons, whatever the number of names.
MAX_COMPARED = 32
_COUNT_BUDGET = 4096
# The difflib work one vocabulary may do, in characters compared (a ratio costs the product of
# the lengths, a quick filter their sum): about a quarter of a second. Thousands of misspelt
# aliases then cost a bounded time, and the guesses after the budget is spent are None.
WORK_BUDGET = 4_000_000


def close_match(word: object, choices: Iterable[str], *, valid_input: bool = False) -> str | None:
    """The choice closest to ``word``, or None when none is close enough (see the module docstring)."""
    return Vocabulary(choices).close_match(word, valid_input=valid_input)


class Vocabulary:
    """The names a word may be guessed from, indexed once (see the module docstring)."""

    __slots__ = ("names", "_grams", "_work")

    def __init__(self, choices: Iterable[str]) -> None:
        self.names: tuple[str, ...] = tuple(dict.fromkeys(c for c in choices if isinstance(c, str) and c))
        self._grams: dict[str, list[str]] | None = None  # letter triple -> names holding it, built on first use
        self._work = WORK_BUDGET

    def __len__(self) -> int:
        return len(self.names)

    def close_match(self, word: object, *, valid_input: bool = False) -> str | None:
        """The name closest to ``word``, or None when none is close enough (or the work budget is spent)."""
        if not isinstance(word, str) or not word or len(word) > MAX_WORD_LENGTH or self._work <= 0:
            return None
        cutoff = VALID_INPUT_CUTOFF if valid_input else ERROR_CUTOFF
        near = [name for name in self._candidates(word) if _may_reach(name, len(word), cutoff)]
        if not near:
            return None
        import difflib  # deferred: ~1 ms, and only a near miss needs it

        # difflib.get_close_matches(word, near, n=1, cutoff=cutoff), with each comparison charged
        # to the budget: the highest ratio wins, a tie goes to the greater name, as there.
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for name in near:
            self._work -= len(name) + len(word)
            matcher.set_seq1(name)
            if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
                self._work -= len(name) * len(word)
                score = matcher.ratio()
                if score >= cutoff and (best is None or (score, name) > best):
                    best = (score, name)
            if self._work <= 0:
                break
        return best[1] if best else None

    def refill(self) -> None:
        """A fresh work budget (the routing table calls this when it empties its memo)."""
        self._work = WORK_BUDGET

    def _candidates(self, word: str) -> Iterable[str]:
        if len(self.names) <= MAX_COMPARED:
            return self.names
        if self._grams is None:
            self._grams = {}
            for name in self.names:
                for gram in _grams(name):
                    self._grams.setdefault(gram, []).append(name)
        from collections import Counter

        # Rarest letter triples first, within a budget of counts: a triple that thousands of names
        # share tells little apart, and counting it would cost as much as comparing them all.
        holders = sorted((self._grams[gram] for gram in _grams(word) if gram in self._grams), key=len)
        shared: Counter[str] = Counter()
        budget = _COUNT_BUDGET
        for names in holders:
            if len(names) > budget:
                break
            shared.update(names)
            budget -= len(names)
        if not shared:
            return holders[0][:MAX_COMPARED] if holders else ()
        return [name for name, _ in shared.most_common(MAX_COMPARED)]


def _may_reach(choice: str, size: int, cutoff: float) -> bool:
    """Whether the lengths allow a ratio of ``cutoff``: difflib's own upper bound (its
    ``real_quick_ratio``, computed as it does, so 'n3x' may still reach 0.8 against 'n3'), a cheap
    filter that keeps difflib off names that cannot match."""
    return 2.0 * min(len(choice), size) / (len(choice) + size) >= cutoff


def _grams(text: str) -> set[str]:
    """The letter triples of ``text``, its start and end marked ('^ol', 'oll', ..., 'ma$')."""
    marked = f"^{text}$"
    return {marked[i:i + 3] for i in range(len(marked) - 2)}


def did_you_mean(match: str) -> str:
    """The hint text for a suggestion, worded the same everywhere."""
    return f"did you mean {match!r}?"
