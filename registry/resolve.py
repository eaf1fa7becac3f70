"""A ``Route`` -> LiteLLM kwargs, with the reasoning-effort policy. No file, env or network I/O.

``build_kwargs`` is the one kwargs builder: every resolve path ends here. Everything it needs was
computed by ``load`` and by the routing table; it picks the key and the effort level, and builds a
fresh dict each call so callers may mutate what they get.
"""

from __future__ import annotations

from .errors import ConfigError, InvalidApiKeyError, UnsupportedEffortError
from .provider import OFF_FORMS
from .secrets import check_secret_text
from .suggest import MAX_WORD_LENGTH, close_match
from .text import quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .provider import Provider
    from .routing import Route
    from .secrets import Secret

__all__ = ["EFFORT_LEVELS", "build_kwargs", "configured_key"]

# The vocabulary of reasoning-effort levels, weakest first; each provider accepts a subset.
# The schema's "effort" enum lists the same words (a unit test keeps the two equal).
EFFORT_LEVELS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
_EFFORT_WORDS = frozenset(EFFORT_LEVELS)


def _unaccepted_effort(provider: str, efforts: tuple[str, ...], level: object, strict: bool) -> None:
    """The effort policy for a level the provider does not accept: dropped (None), or
    UnsupportedEffortError when ``strict``. A word outside the vocabulary is always an error: it
    is a typo, not a backend limitation. The cost is bounded by ``MAX_WORD_LENGTH`` whatever the
    size of ``level``: a longer word is no typo of 'high', and the error echoes it cut."""
    if type(level) is not str or level not in _EFFORT_WORDS:
        word = level if isinstance(level, str) else quoted(level)  # a short repr, never megabytes
        guess = close_match(word.lower(), EFFORT_LEVELS) if len(word) <= MAX_WORD_LENGTH else None
        raise UnsupportedEffortError(provider, word, efforts, known=EFFORT_LEVELS, suggestion=guess)
    if strict:
        raise UnsupportedEffortError(provider, level, efforts)


def build_kwargs(route: Route, reasoning_effort: str | None = None, strict: bool = False,
                 api_key: str | None = None) -> dict[str, Any]:
    """LiteLLM kwargs for a routed id.

    ``api_key`` given here beats every key source (see ``keys.py`` for the chain). An accepted effort
    level is sent where the provider's (or the model's) ``thinking`` says; an unaccepted one is
    dropped unless ``strict``.
    An unavailable provider (a bad environment value) raises ConfigError naming the variable.
    """
    provider = route.provider
    if provider.problems:
        raise ConfigError(provider.problems)
    # A model's declared efforts and thinking form beat the provider's.
    spec = route.spec
    accepted = provider.accepted_efforts if spec is None or spec.accepted_efforts is None else spec.accepted_efforts
    thinking = spec.thinking if spec is not None and spec.thinking is not None else provider.thinking
    # The effort is checked before the key: a strict caller learns about its own request first.
    # Every accepted word is in the vocabulary (the schema's enum), so one lookup answers the
    # common case; anything else takes the policy above. 'none' is the explicit "off" of a form
    # that has one, whatever the levels listed.
    level = None
    if reasoning_effort is not None:
        level = accepted.get(reasoning_effort) if type(reasoning_effort) is str else None
        if level is None and reasoning_effort == "none" and thinking in OFF_FORMS:
            level = "none"
        if level is None:
            efforts = provider.efforts if spec is None or spec.efforts is None else spec.efforts
            _unaccepted_effort(provider.name, efforts, reasoning_effort, strict)
    # An empty explicit key counts as none given: LiteLLM would replace '' with OPENAI_API_KEY and
    # send that key to this provider.
    if api_key:
        problem = check_secret_text(api_key) if type(api_key) is str else "is not a string"
        if problem is not None:
            raise InvalidApiKeyError(problem)
    else:
        secret = configured_key(provider)
        if secret is None:
            raise provider.missing_key_error()
        api_key = secret.reveal()
    kwargs: dict[str, Any] = {"model": route.litellm_model, "api_base": provider.api_base, "api_key": api_key}
    if provider.headers:
        kwargs["extra_headers"] = {name: value.reveal() for name, value in provider.headers.items()}
    if provider.timeout is not None:
        kwargs["timeout"] = provider.timeout
    if level is not None:
        _send_effort(kwargs, thinking, level)
    return kwargs


def configured_key(provider: Provider) -> Secret | None:
    """The provider's own key (``keys.py`` has the chain): the one set by ``load``, else its key
    command's, which runs once, on first use (ConfigError if it fails); None without either."""
    if provider.api_key is not None:
        return provider.api_key
    return provider.key_command.key(provider.name) if provider.key_command is not None else None


def _send_effort(kwargs: dict[str, Any], thinking: str, level: str) -> None:
    """Put ``level`` where the server reads it (``provider.THINKING_FORMS``)."""
    if thinking == "chat_template_kwargs":  # vLLM, llama.cpp, SGLang: Qwen3-style chat templates
        kwargs["extra_body"] = {"chat_template_kwargs": {"enable_thinking": level != "none"}}
    elif thinking == "think":  # Ollama's own switch
        kwargs["extra_body"] = {"think": level != "none"}
    elif thinking == "reasoning_effort":  # LiteLLM's argument, which it maps per provider
        kwargs["reasoning_effort"] = level
    else:
        kwargs["extra_body"] = {"reasoning_effort": level}
