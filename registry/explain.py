"""Why a model id goes where it goes: what ``registry resolve`` prints, computed here.

``explain_resolve`` resolves an id as ``Registry.resolve`` does and adds what decided it: the
provider, the prefix or fallback setting that chose it and the layers its base URL and key came
from. Keys in the result are masked (``display.mask_kwargs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .display import mask_kwargs
from .errors import MissingApiKeyError
from .model import Registry
from .provider import IMPLICIT_DEFAULT, Origin
from .values import EMPTY_MAPPING, Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Resolution", "explain_resolve"]


def _origin_dict(origin: Origin | None) -> dict[str, Any] | None:
    if origin is None:
        return None
    return {"layer": origin.layer, "source": origin.source, "line": origin.line}


class Resolution(Frozen):
    """What ``registry resolve`` explains: the masked kwargs, the provider, and which layers decided.

    ``decided_by`` is the origin of the provider's prefix, or of the ``fallback`` setting when the
    id went to the fallback provider. ``origins`` holds the origins of ``api_base`` and ``api_key``.
    """

    __slots__ = (
        "model_id", "provider", "prefix", "model", "kwargs", "decided_by", "origins",
        "via_fallback", "alias_of", "suggestion", "effort", "effort_sent", "note",
    )
    model_id: str
    provider: str
    prefix: str
    model: str
    kwargs: Mapping[str, Any]
    decided_by: Origin | None
    origins: Mapping[str, Origin]
    via_fallback: bool
    alias_of: str | None
    suggestion: str | None
    effort: str | None
    effort_sent: str | None
    note: str | None  # check_model_id's note: the model is missing from the cached server list
    _defaults = {
        "origins": EMPTY_MAPPING, "via_fallback": False, "alias_of": None, "suggestion": None, "effort":
        None, "effort_sent": None, "note": None,
    }

    def as_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape of ``registry resolve``."""
        return {
            "model_id": self.model_id,
            "alias_of": self.alias_of,
            "provider": self.provider,
            "prefix": self.prefix,
            "model": self.model,
            "via_fallback": self.via_fallback,
            "decided_by": _origin_dict(self.decided_by),
            "origins": {name: _origin_dict(o) for name, o in self.origins.items()},
            "effort": self.effort,
            "effort_sent": self.effort_sent,
            "suggestion": self.suggestion,
            "note": self.note,
            "kwargs": dict(self.kwargs),
        }


def explain_resolve(registry: Registry, model_id: str, *, reasoning_effort: str | None = None,
                    strict: bool = False) -> Resolution:
    """Resolve ``model_id`` and say why it went where it went; keys in the result are masked.

    Raises what ``Registry.resolve`` raises: InvalidModelIdError (with its suggestion),
    UnsupportedEffortError, MissingApiKeyError (with the suggestion when the id went to the
    fallback provider and looks like a typo of a prefixed one).
    """
    route = registry.route(model_id)  # InvalidModelIdError (with its suggestion) when it goes nowhere
    check = registry.check_model_id(model_id)
    try:
        kwargs = registry.resolve(model_id, reasoning_effort=reasoning_effort, strict=strict)
    except MissingApiKeyError:
        if not check.suggestion:
            raise
        raise route.provider.missing_key_error(check.suggestion) from None
    provider = route.provider
    via_fallback = route.via == "fallback"
    prefix_origin = provider.origins.get("prefix")
    if prefix_origin == IMPLICIT_DEFAULT:
        prefix_origin = provider.origins.get("name")  # '<name>/' is decided where the name is written
    decided_by = registry.settings_origins.get("fallback") if via_fallback else prefix_origin
    origins = {name: provider.origins[name] for name in ("api_base", "api_key") if name in provider.origins}
    sent = _effort_sent(kwargs)
    return Resolution(
        model_id=model_id, provider=provider.name, prefix=provider.prefix, model=route.model,
        kwargs=MappingProxyType(mask_kwargs(kwargs)), decided_by=decided_by, origins=MappingProxyType(origins),
        via_fallback=via_fallback, alias_of=route.alias_of, suggestion=check.suggestion,
        effort=reasoning_effort, effort_sent=sent, note=check.note,
    )


def _effort_sent(kwargs: dict[str, Any]) -> str | None:
    """What the kwargs carry for the effort, as one line: ``low`` (reasoning_effort, in the body or
    as the argument), ``chat_template_kwargs.enable_thinking=false``, ``think=true``; None: nothing."""
    body = kwargs.get("extra_body") or {}
    if "reasoning_effort" in body:
        return str(body["reasoning_effort"])
    if "reasoning_effort" in kwargs:
        return f"{kwargs['reasoning_effort']} (reasoning_effort argument)"
    if "chat_template_kwargs" in body:
        return f"chat_template_kwargs.enable_thinking={str(body['chat_template_kwargs']['enable_thinking']).lower()}"
    if "think" in body:
        return f"think={str(body['think']).lower()}"
    return None
