"""The frozen value objects: ``Origin``, ``Provider`` and the ``Registry`` with its prefix index.

Everything here is immutable once built (frozen slotted dataclasses, tuples, MappingProxyType), so
one registry can be shared by every thread of an agent. The registry holds the only list of
providers and prefixes; the resolver and the model-id validator both query it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Mapping

from .errors import Issue, UnknownFieldError, UnknownProviderError
from .secrets import Secret

if TYPE_CHECKING:
    from .model_ids import ModelIdCheck
    from .urls import UrlPolicy

__all__ = ["LAYER_NAMES", "LayerSource", "Origin", "Provider", "Registry"]

# Precedence of the configuration layers, lowest first: a later layer overrides an earlier one.
LAYER_NAMES = ("default", "user", "env")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an effective value came from: its layer and its source (file path or env var name)."""

    layer: str
    source: str
    line: int | None = None

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source

    def __str__(self) -> str:
        return f"{self.layer}  {self.location}"


@dataclass(frozen=True, slots=True)
class LayerSource:
    """One configuration layer as read: what it is, where from, and whether it was there."""

    layer: str
    source: str
    exists: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Provider:
    """One effective provider after all layers are merged. Keys are ``Secret``s, never plain text."""

    name: str
    prefix: str
    api_base: str
    api_bases: tuple[str, ...] = ()
    api_base_env: tuple[str, ...] = ()
    api_key: Secret | None = None
    api_key_env: tuple[str, ...] = ()
    key_source: str | None = None
    litellm_provider: str = "openai"
    efforts: tuple[str, ...] = ()
    effort_aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    model_format: str = "any"
    description: str = ""
    headers: Mapping[str, Secret] = field(default_factory=lambda: MappingProxyType({}))
    timeout: float | None = None
    origins: Mapping[str, Origin] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def all_api_bases(self) -> tuple[str, ...]:
        """``api_base`` followed by the extra replicas, without repeats."""
        return tuple(dict.fromkeys((self.api_base, *self.api_bases)))

    def origin(self, field_name: str) -> Origin:
        """Where the effective ``field_name`` came from."""
        try:
            return self.origins[field_name]
        except KeyError:
            raise UnknownFieldError(self.name, field_name, self.origins) from None

    def accepts_effort(self, level: str) -> str | None:
        """The level to send for ``level`` (after aliases), or None when it is not accepted."""
        level = self.effort_aliases.get(level, level)
        return level if level in self.efforts else None


@dataclass(frozen=True, slots=True)
class Registry:
    """All effective providers, indexed by prefix. Build it with ``registry.load()``."""

    providers: Mapping[str, Provider]
    fallback: str | None
    aliases: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    disabled: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    layers: tuple[LayerSource, ...] = ()
    warnings: tuple[Issue, ...] = ()
    url_policy: "UrlPolicy | None" = None
    settings_origins: Mapping[str, Origin] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    _index: Mapping[str, Provider] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    _fallback_provider: Provider | None = field(default=None, repr=False)
    # The resolve fast path (see resolve.Route), derived from the providers: a plain dict because
    # it is private and read on every call; excluded from equality.
    _routes: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _fallback_route: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, providers: list[Provider], fallback: str | None, **extra: Any) -> "Registry":
        """The one factory: freezes the mappings and derives the prefix index from the providers."""
        by_name = {p.name: p for p in providers}
        index = {p.prefix[:-1]: p for p in providers}  # keyed without the '/': one split finds it
        fallback_provider = by_name.get(fallback) if fallback else None
        routes, fallback_route = build_routes(providers, fallback_provider, extra.get("disabled") or {},
                                              extra.get("aliases") or {})
        return cls(
            providers=MappingProxyType(by_name),
            fallback=fallback,
            _index=MappingProxyType(index),
            _fallback_provider=fallback_provider,
            _routes=routes,
            _fallback_route=fallback_route,
            **{k: (MappingProxyType(dict(v)) if isinstance(v, dict) else v) for k, v in extra.items()},
        )

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every registered prefix, in provider order. Derived from ``providers``: the only list."""
        return tuple(p.prefix for p in self.providers.values())

    def provider(self, name: str) -> Provider:
        """The provider called ``name``; UnknownProviderError with a did-you-mean otherwise."""
        try:
            return self.providers[name]
        except (KeyError, TypeError):
            names = list(self.providers)
            close = difflib.get_close_matches(str(name), names, n=1, cutoff=0.6)
            raise UnknownProviderError(str(name), names, close[0] if close else None) from None

    def provider_for_prefix(self, head: str) -> Provider | None:
        """The provider whose prefix is ``head`` + '/', in O(1)."""
        return self._index.get(head)

    def origin(self, provider_name: str, field_name: str) -> Origin:
        """Where the effective ``field_name`` of ``provider_name`` came from."""
        return self.provider(provider_name).origin(field_name)

    def resolve(self, model_id: str, *, reasoning_effort: str | None = None, strict: bool = False,
                api_key: str | None = None) -> dict[str, Any]:
        """LiteLLM kwargs for ``model_id``: a new dict each call. See ``registry.resolve``."""
        # Fast path: one partition, one dict lookup, one precomputed resolve.Route. An unknown
        # head goes to the fallback; a disabled one, an alias (never has '/') or anything unusual
        # takes the full path below, which gives the same answer or the error.
        if api_key is None and type(model_id) is str:
            head, slash, rest = model_id.partition("/")
            route = self._routes.get(head, self._fallback_route) if slash else \
                (None if model_id in self.aliases else self._fallback_route)
            if route is not None:
                kwargs = route.kwargs(model_id, rest, reasoning_effort)
                if kwargs is not None:
                    return kwargs
        return resolve_model(self, model_id, reasoning_effort=reasoning_effort, strict=strict, api_key=api_key)

    def check_model_id(self, model_id: str) -> "ModelIdCheck":
        """Whether ``model_id`` routes anywhere, where, and why not."""
        return check_model_id(self, model_id)

    def is_valid_model_id(self, model_id: str) -> bool:
        return check_model_id(self, model_id).ok


from .model_ids import check_model_id  # noqa: E402  (these modules query Registry; import after it)
from .resolve import build_routes, resolve_model  # noqa: E402
