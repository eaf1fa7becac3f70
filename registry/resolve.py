"""Model id -> LiteLLM kwargs, and the reasoning-effort policy. No file, env or network I/O.

Everything a call needs was computed by ``load``; a call routes the id (one dict lookup), picks the
key, and builds a fresh dict so callers may mutate what they get.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import MissingApiKeyError, UnsupportedEffortError
from .model_ids import route_model_id

if TYPE_CHECKING:
    from .model import Provider, Registry

__all__ = ["EFFORT_LEVELS", "effort_for", "resolve_model"]

# The vocabulary of reasoning-effort levels, weakest first; each provider accepts a subset.
# The schema's "effort" enum lists the same words (a unit test keeps the two equal).
EFFORT_LEVELS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
_EFFORT_WORDS = frozenset(EFFORT_LEVELS)


def effort_for(provider: "Provider", level: str, *, strict: bool) -> str | None:
    """The level to send, None to drop it; UnsupportedEffortError when strict and not accepted.

    A word outside the vocabulary is always an error: it is a typo, not a backend limitation.
    """
    if level not in _EFFORT_WORDS:
        raise UnsupportedEffortError(provider.name, str(level), EFFORT_LEVELS)
    accepted = provider.accepts_effort(level)
    if accepted is None and strict:
        raise UnsupportedEffortError(provider.name, level, provider.efforts)
    return accepted


def resolve_model(registry: "Registry", model_id: str, *, reasoning_effort: str | None = None,
                  strict: bool = False, api_key: str | None = None) -> dict[str, Any]:
    """LiteLLM kwargs for ``model_id``.

    ``api_key`` given here beats every layer (env > user file > placeholder). ``extra_body`` is
    present only when an effort level is accepted; an unaccepted one is dropped unless ``strict``.
    """
    provider, model = route_model_id(registry, model_id)
    # The effort is checked before the key: a strict caller learns about its own request first.
    level = effort_for(provider, reasoning_effort, strict=strict) if reasoning_effort is not None else None
    if api_key is None:
        secret = provider.api_key
        if secret is None:
            raise MissingApiKeyError(provider.name, provider.api_key_env)
        api_key = secret.reveal()
    kwargs: dict[str, Any] = {
        "model": f"{provider.litellm_provider}/{model}",
        "api_base": provider.api_base,
        "api_key": api_key,
    }
    if provider.headers:
        kwargs["extra_headers"] = {name: value.reveal() for name, value in provider.headers.items()}
    if provider.timeout is not None:
        kwargs["timeout"] = provider.timeout
    if level is not None:
        kwargs["extra_body"] = {"reasoning_effort": level}
    return kwargs
