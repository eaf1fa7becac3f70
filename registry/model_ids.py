"""Parsing and checking model ids against the registry, with suggestions for near misses.

``route_model_id`` is the single routing rule: the resolver calls it too, so an id passes
``check_model_id`` exactly when ``resolve`` can route it. The common case (a registered prefix, or a
well-formed fallback id) is one ``partition`` and one dict lookup; suggestions are computed only
when a caller asks for a full check.
"""

from __future__ import annotations

import re

from .errors import InvalidModelIdError, MissingApiKeyError
from .values import Frozen

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from .model import Provider, Registry

__all__ = ["MAX_MODEL_ID_LENGTH", "ModelIdCheck", "check_model_id", "route_model_id"]

MAX_MODEL_ID_LENGTH = 512

# '<org>/<model>[:<tag>]' as on the Hugging Face Hub; the tag is a router suffix such as ':fastest'.
_HUB_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}(?::[A-Za-z0-9][A-Za-z0-9._-]{0,63})?")
_HUB_SHAPE = "'<org>/<model>[:<tag>]'"


class ModelIdCheck(Frozen):
    """The verdict on one model id. ``suggestion`` may be set even when ``ok`` (``olama/x``)."""

    __slots__ = ("model_id", "ok", "provider", "model", "reason", "suggestion", "alias_of")
    model_id: str
    ok: bool
    provider: str | None
    model: str | None
    reason: str | None
    suggestion: str | None
    alias_of: str | None
    _defaults = {
        "provider": None, "model": None, "reason": None, "suggestion": None, "alias_of": None,
    }

    def __bool__(self) -> bool:
        return self.ok


def route_model_id(registry: "Registry", model_id: str) -> tuple["Provider", str]:
    """The provider and the provider-side model name for ``model_id``; InvalidModelIdError if none."""
    target = registry.aliases.get(model_id) if type(model_id) is str else None
    wanted = target if target is not None else model_id
    if type(wanted) is not str or not wanted or len(wanted) > MAX_MODEL_ID_LENGTH \
            or not wanted.isprintable() or " " in wanted:
        raise InvalidModelIdError(_shown(model_id), _malformed_reason(wanted))
    head, slash, rest = wanted.partition("/")
    if slash:
        provider = registry.provider_for_prefix(head)
        if provider is not None:
            if not rest:
                raise InvalidModelIdError(wanted, f"nothing follows the prefix '{head}/'; write '{head}/<model>'")
            if provider.model_format == "hub" and not _HUB_MODEL.fullmatch(rest):
                raise InvalidModelIdError(wanted, f"{provider.name} model ids look like {_HUB_SHAPE}")
            return provider, rest
        if head in registry.disabled:
            raise InvalidModelIdError(wanted, f"provider {registry.disabled[head]!r} is disabled", None)
    fallback = registry._fallback_provider
    if fallback is None:
        raise InvalidModelIdError(wanted, _no_prefix_reason(registry, head if slash else None), _suggest(registry, head, rest) if slash else None)
    if fallback.model_format == "hub" and not _HUB_MODEL.fullmatch(wanted):
        reason = (f"no registered prefix matches, and ids for the fallback provider {fallback.name!r} "
                  f"look like {_HUB_SHAPE}")
        raise InvalidModelIdError(wanted, reason, _suggest(registry, head, rest) if slash else None)
    return fallback, wanted


def check_model_id(registry: "Registry", model_id: str) -> ModelIdCheck:
    """Check ``model_id`` without raising: ok, provider, model part, reason and suggestion."""
    alias_of = registry.aliases.get(model_id) if isinstance(model_id, str) else None
    try:
        provider, model = route_model_id(registry, model_id)
    except InvalidModelIdError as exc:
        return ModelIdCheck(_shown(model_id), False, reason=exc.reason, suggestion=exc.suggestion, alias_of=alias_of)
    suggestion = None
    wanted = alias_of or model_id
    head, slash, rest = wanted.partition("/")
    if provider.name == registry.fallback and slash and registry.provider_for_prefix(head) is None:
        suggestion = _suggest(registry, head, rest)  # 'olama/x' is a valid fallback id, but likely a typo
    shown = wanted if alias_of is None else model_id
    if provider.api_key is None:
        # The id routes, but resolve() would refuse it; the validator must say so, so that
        # `ok` is true exactly when resolve() succeeds (an agent's /model check relies on it).
        reason = str(MissingApiKeyError(provider.name, provider.api_key_env))
        return ModelIdCheck(shown, False, provider.name, model, reason, suggestion, alias_of)
    return ModelIdCheck(shown, True, provider.name, model, None, suggestion, alias_of)


def _shown(model_id: object) -> str:
    return model_id if isinstance(model_id, str) else repr(model_id)


def _malformed_reason(model_id: object) -> str:
    if not isinstance(model_id, str):
        return f"a model id must be a string, not {type(model_id).__name__}"
    if not model_id:
        return "the model id is empty"
    if len(model_id) > MAX_MODEL_ID_LENGTH:
        return f"the model id is longer than {MAX_MODEL_ID_LENGTH} characters"
    if any(ch.isspace() for ch in model_id):
        return "the model id contains whitespace"
    return "the model id contains a control or invisible character"


def _no_prefix_reason(registry: "Registry", head: str | None) -> str:
    prefixes = ", ".join(registry.prefixes) or "none"
    if head is None:
        return f"the id has no provider prefix and no fallback provider is set; registered prefixes: {prefixes}"
    return f"'{head}/' is not a registered prefix and no fallback provider is set; registered prefixes: {prefixes}"


def _normal(text: str) -> str:
    return text.lower().replace("_", "").replace("-", "").replace(".", "")


def _suggest(registry: "Registry", head: str, rest: str) -> str | None:
    """``ollama/x`` for ``olama/x`` or ``Ollama/x``; ``lm_studio/x`` for ``lmstudio/x``."""
    heads = [p[:-1] for p in registry.prefixes]
    normal = {_normal(h): h for h in heads}
    match = normal.get(_normal(head))
    if match is None:
        import difflib  # deferred: only near misses need it

        close = difflib.get_close_matches(head.lower(), heads, n=1, cutoff=0.75)
        match = close[0] if close else None
    if match is None or match == head or not rest:
        return None
    return f"{match}/{rest}"
