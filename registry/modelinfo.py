"""What is known about one model: the files' declarations merged with what its server reported.

``Registry.model_info`` answers from memory and the discovery cache only (``registry models`` and
``registry.discover`` fill that cache); it never touches the network. Each value says where it
came from: a file and line for a declaration, the endpoint for a served value. A declaration
wins (the user wrote it on purpose); a served value fills what no file says, and the served
context window beats the trained one (a server started with a smaller window fails longer
prompts).
"""

from __future__ import annotations

from .values import EMPTY_MAPPING, Frozen, frozen_mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

    from .routing import Route

__all__ = ["DECLARED_FIELDS", "ModelInfo", "model_info"]

# The per-model facts a file may declare and a server may report.
DECLARED_FIELDS = ("context_window", "max_output_tokens", "tools", "vision", "reasoning")


class ModelInfo(Frozen):
    """Everything known about one model id. None is "nobody said". ``served`` is whether the
    cached list of the provider's server has the model (None: no cached list). ``sources`` maps
    each known field to where it came from."""

    __slots__ = ("model_id", "provider", "model", "context_window", "trained_context_window", "max_output_tokens",
                 "tools", "vision", "reasoning", "efforts", "thinking", "served", "fetched_at", "sources")
    model_id: str
    provider: str
    model: str
    context_window: int | None
    trained_context_window: int | None
    max_output_tokens: int | None
    tools: bool | None
    vision: bool | None
    reasoning: bool | None
    efforts: tuple[str, ...]
    thinking: str
    served: bool | None
    fetched_at: float | None  # when the cached server list was fetched (epoch seconds)
    sources: Mapping[str, str]
    _defaults = {"trained_context_window": None, "served": None, "fetched_at": None, "sources": EMPTY_MAPPING}

    def as_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape."""
        return {name: (list(value) if isinstance(value, tuple) else dict(value) if name == "sources" else value)
                for name in self.__slots__ for value in (getattr(self, name),)}


def model_info(model_id: str, route: Route, discovered: Any = None) -> ModelInfo:
    """The declared metadata of ``route``'s model merged with ``discovered`` (a cached
    ``discovery.ProviderModels`` of its provider, or None)."""
    provider, spec = route.provider, route.spec
    values: dict[str, Any] = dict.fromkeys(DECLARED_FIELDS)
    sources: dict[str, str] = {}
    served_model = discovered.model(route.model) if discovered is not None else None
    if served_model is not None:
        for name in DECLARED_FIELDS:
            value = getattr(served_model, name, None)
            if value is not None:
                values[name] = value
                sources[name] = f"{served_model.sources.get(name, 'the server')} (cached)"
    if spec is not None:
        for name in DECLARED_FIELDS:
            value = getattr(spec, name)
            if value is not None:
                values[name] = value
                sources[name] = _declared(spec.origins[name])
    efforts = provider.efforts if spec is None or spec.efforts is None else spec.efforts
    efforts_origin = provider.origins.get("efforts") if spec is None or spec.efforts is None else spec.origins["efforts"]
    thinking = spec.thinking if spec is not None and spec.thinking is not None else provider.thinking
    thinking_origin = spec.origins["thinking"] if spec is not None and spec.thinking is not None \
        else provider.origins.get("thinking")
    for name, origin in (("efforts", efforts_origin), ("thinking", thinking_origin)):
        if origin is not None:
            sources[name] = _declared(origin)
    trained = getattr(served_model, "trained_context_window", None) if served_model is not None else None
    return ModelInfo(
        model_id=model_id, provider=provider.name, model=route.model, **values,
        trained_context_window=trained, efforts=tuple(efforts), thinking=thinking,
        served=None if discovered is None else served_model is not None,
        fetched_at=getattr(discovered, "fetched_at", None), sources=frozen_mapping(sources),
    )


def _declared(origin: Any) -> str:
    return f"{origin.layer} {origin.location}"
