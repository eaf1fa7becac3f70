"""Model id -> LiteLLM kwargs, and the reasoning-effort policy. No file, env or network I/O.

Everything a call needs was computed by ``load``; a call routes the id (one dict lookup), picks the
key, and builds a fresh dict so callers may mutate what they get.
"""

from __future__ import annotations

from .errors import (
    InvalidApiKeyError,
    InvalidModelIdError,
    MissingApiKeyError,
    UnsupportedEffortError,
)
from .model_ids import _HUB_MODEL, MAX_MODEL_ID_LENGTH, route_model_id
from .secrets import check_secret_text

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Mapping

    from .model import Provider, Registry
    from .secrets import Secret

__all__ = ["EFFORT_LEVELS", "MEMO_LIMIT", "Route", "build_routes", "effort_for", "learn_model_id", "resolve_model"]

# The vocabulary of reasoning-effort levels, weakest first; each provider accepts a subset.
# The schema's "effort" enum lists the same words (a unit test keeps the two equal).
EFFORT_LEVELS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
_EFFORT_WORDS = frozenset(EFFORT_LEVELS)


def effort_for(provider: "Provider", level: str, *, strict: bool) -> str | None:
    """The level to send, None to drop it; UnsupportedEffortError when strict and not accepted.

    A word outside the vocabulary is always an error: it is a typo, not a backend limitation.
    """
    if type(level) is not str or level not in _EFFORT_WORDS:
        import difflib  # deferred: only a typo needs it

        close = difflib.get_close_matches(str(level).lower(), EFFORT_LEVELS, n=1, cutoff=0.6)
        raise UnsupportedEffortError(provider.name, str(level), provider.efforts, known=EFFORT_LEVELS,
                                     suggestion=close[0] if close else None)
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
    # An empty explicit key counts as none given: LiteLLM would replace '' with OPENAI_API_KEY and
    # send that key to this provider.
    if api_key:
        problem = check_secret_text(api_key) if type(api_key) is str else "is not a string"
        if problem is not None:
            raise InvalidApiKeyError(problem)
    else:
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


class Route:
    """What the common ``resolve`` call needs for one provider, computed once by ``load``.

    ``Registry.resolve`` tries ``kwargs`` first; it answers only the plain case (a well-formed id,
    the provider's own key, an accepted effort level or none) and returns None for anything else,
    so every error and every unusual case takes ``resolve_model``, which gives the same answer.
    The key stays a ``Secret`` here and is revealed per call, as in ``resolve_model``.
    ``whole``: the route of the fallback provider, which is sent the whole id, not the part after
    the prefix.
    """

    __slots__ = ("model_prefix", "api_base", "secret", "headers", "timeout", "hub", "efforts", "whole")

    def __init__(self, provider: "Provider", *, whole: bool) -> None:
        self.model_prefix = provider.litellm_provider + "/"
        self.api_base = provider.api_base
        self.secret: Secret = provider.api_key  # type: ignore[assignment]  # routes exist only for keyed providers
        self.headers = dict(provider.headers) or None
        self.timeout = provider.timeout
        self.hub = provider.model_format == "hub"
        self.efforts = {level: sent for level in EFFORT_LEVELS
                        if (sent := provider.accepts_effort(level)) is not None} if provider.efforts else {}
        self.whole = whole

    def __repr__(self) -> str:
        return f"Route({self.model_prefix!r}, {self.api_base!r}, whole={self.whole})"

    def model_for(self, model_id: str, rest: str) -> str | None:
        """``<litellm_provider>/<model>`` when the plain path may answer for ``model_id`` (``rest``:
        the part after the prefix), None to take the full path."""
        model = model_id if self.whole else rest
        if not model or len(model_id) > MAX_MODEL_ID_LENGTH or not model_id.isprintable() or " " in model_id \
                or (self.hub and not _HUB_MODEL.fullmatch(model)):
            return None
        return self.model_prefix + model

    def kwargs(self, model: str, effort: str | None) -> dict[str, Any] | None:
        """Fresh LiteLLM kwargs for the checked ``model`` string, or None to take the full path."""
        kwargs: dict[str, Any] = {"model": model, "api_base": self.api_base, "api_key": self.secret.reveal()}
        if self.headers is not None:
            kwargs["extra_headers"] = {name: value.reveal() for name, value in self.headers.items()}
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        if effort is not None:
            level = self.efforts.get(effort) if type(effort) is str else None
            if level is None:  # not accepted, or not a level at all: the full path says which
                return None
            kwargs["extra_body"] = {"reasoning_effort": level}
        return kwargs


# Ids the fast path has already checked, per registry; cleared when full, so an agent that sees
# endless distinct ids costs bounded memory. Entries hold no key, only the Route and model string.
MEMO_LIMIT = 4096


def learn_model_id(registry: "Registry", model_id: str) -> "tuple[Route, str] | None":
    """Check ``model_id`` once and remember the verdict for the fast path.

    Returns the Route and model string, or None when only the full path can answer (a disabled
    prefix, a provider without a key); raises InvalidModelIdError for an id no provider accepts,
    remembering the reason so that the next call raises without routing again. Aliases are
    remembered under their own name with their target's route.
    """
    wanted = registry.aliases.get(model_id, model_id)
    head, slash, rest = wanted.partition("/")
    route = registry._routes.get(head, registry._fallback_route) if slash else registry._fallback_route
    model = route.model_for(wanted, rest) if route is not None else None
    if model is None:
        try:
            route_model_id(registry, model_id)
        except InvalidModelIdError as exc:
            _remember(registry, model_id, (None, (exc.model_id, exc.reason, exc.suggestion)))
            raise
        return None
    return _remember(registry, model_id, (route, model))


def _remember(registry: "Registry", model_id: str, verdict: tuple[Any, Any]) -> tuple[Any, Any]:
    seen = registry._seen
    if len(seen) >= MEMO_LIMIT:
        seen.clear()
    seen[model_id] = verdict
    return verdict


def build_routes(providers: "list[Provider]", fallback: "Provider | None", disabled: "Mapping[str, str]",
                 aliases: "Mapping[str, str]") -> tuple[dict[str, Route | None], Route | None]:
    """The fast-path index: prefix head -> Route, or None for a head that must take the full path
    (disabled, no key). A head not in the index goes to the fallback route."""
    if any("/" in alias for alias in aliases):  # the fast path checks aliases only for ids without '/'
        return {}, None
    routes: dict[str, Route | None] = {head: None for head in disabled}
    for provider in providers:
        routes[provider.prefix[:-1]] = _route(provider, whole=False)
    return routes, (_route(fallback, whole=True) if fallback is not None else None)


def _route(provider: "Provider", *, whole: bool) -> Route | None:
    plain = provider.api_key is not None and provider.model_format in ("any", "hub")
    return Route(provider, whole=whole) if plain else None
