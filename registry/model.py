"""The frozen value objects: ``Origin``, ``Provider`` and the ``Registry`` with its prefix index.

Everything here is immutable once built (``values.Frozen`` objects, tuples, MappingProxyType), so
one registry can be shared by every thread of an agent. The registry holds the only list of
providers and prefixes; the resolver and the model-id validator both query it.
"""

from __future__ import annotations

from types import MappingProxyType

from .errors import InvalidModelIdError, UnknownFieldError, UnknownProviderError
from .issues import Issue
from .secrets import Secret
from .values import EMPTY_MAPPING, Frozen

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Mapping

    from .model_ids import ModelIdCheck
    from .urls import UrlPolicy

__all__ = ["LAYER_NAMES", "LayerSource", "Origin", "Provider", "Registry"]


# Precedence of the configuration layers, lowest first: a later layer overrides an earlier one.
LAYER_NAMES = ("default", "user", "env")


class Origin(Frozen):
    """Where an effective value came from: its layer and its source (file path or env var name).

    ``column`` only sharpens error locations (``file:line:col``); two origins on the same line
    are the same origin, so it takes no part in equality or repr.
    """

    __slots__ = ("layer", "source", "line", "column")
    layer: str
    source: str
    line: int | None
    column: int | None
    _defaults = {"line": None, "column": None}
    _hidden = frozenset({"column"})
    _uncompared = frozenset({"column"})

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source

    def __str__(self) -> str:
        return f"{self.layer}  {self.location}"


class LayerSource(Frozen):
    """One configuration layer as read: what it is, where from, and whether it was there."""

    __slots__ = ("layer", "source", "exists", "reason")
    layer: str
    source: str
    exists: bool
    reason: str
    _defaults = {"reason": ""}


class Provider(Frozen):
    """One effective provider after all layers are merged. Keys are ``Secret``s, never plain text."""

    __slots__ = (
        "name", "prefix", "api_base", "api_bases", "api_base_env", "api_key", "api_key_env",
        "key_source", "litellm_provider", "efforts", "effort_aliases", "model_format",
        "description", "headers", "timeout", "origins",
    )
    name: str
    prefix: str
    api_base: str
    api_bases: tuple[str, ...]
    api_base_env: tuple[str, ...]
    api_key: Secret | None
    api_key_env: tuple[str, ...]
    key_source: str | None
    litellm_provider: str
    efforts: tuple[str, ...]
    effort_aliases: Mapping[str, str]
    model_format: str
    description: str
    headers: Mapping[str, Secret]
    timeout: float | None
    origins: Mapping[str, Origin]
    _defaults = {
        "api_bases": (), "api_base_env": (), "api_key": None, "api_key_env": (), "key_source": None,
        "litellm_provider": "openai", "efforts": (), "effort_aliases": EMPTY_MAPPING, "model_format":
        "any", "description": "", "headers": EMPTY_MAPPING, "timeout": None, "origins": EMPTY_MAPPING,
    }
    _hidden = frozenset({"origins"})

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


class Registry(Frozen):
    """All effective providers, indexed by prefix. Build it with ``registry.load()``."""

    __slots__ = (
        "providers", "fallback", "aliases", "disabled", "layers", "warnings", "url_policy",
        "settings_origins", "_index", "_fallback_provider", "_routes", "_fallback_route", "_seen",
        "_checked",
    )
    providers: Mapping[str, Provider]
    fallback: str | None
    aliases: Mapping[str, str]
    disabled: Mapping[str, str]
    layers: tuple[LayerSource, ...]
    warnings: tuple[Issue, ...]
    url_policy: "UrlPolicy | None"
    settings_origins: Mapping[str, Origin]
    _index: Mapping[str, Provider]
    _fallback_provider: Provider | None
    # The resolve fast path (see resolve.Route), derived from the providers, and the memo of ids
    # it has checked (see resolve.learn_model_id): private, and excluded from equality and repr.
    _routes: Mapping[str, Any]
    _fallback_route: Any
    _seen: dict[str, Any]
    _checked: dict[str, ModelIdCheck]
    _defaults = {
        "aliases": EMPTY_MAPPING, "disabled": EMPTY_MAPPING, "layers": (), "warnings": (), "url_policy": None,
        "settings_origins": EMPTY_MAPPING, "_index": EMPTY_MAPPING, "_fallback_provider": None, "_routes": EMPTY_MAPPING,
        "_fallback_route": None, "_seen": None, "_checked": None,
    }
    _hidden = frozenset({
        "settings_origins", "_index", "_fallback_provider", "_routes", "_fallback_route", "_seen",
        "_checked",
    })
    _uncompared = frozenset({"_routes", "_fallback_route", "_seen", "_checked"})

    def __post_init__(self) -> None:
        # Each registry gets its own memos (a shared default would carry ids between registries).
        for memo in ("_seen", "_checked"):
            if getattr(self, memo) is None:
                object.__setattr__(self, memo, {})

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
            import difflib  # deferred: only near misses need it

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
        """LiteLLM kwargs for ``model_id``: a new dict each call (the rules: ``resolve.resolve_model``)."""
        # Fast path: an id seen before is one dict lookup (the memo holds its Route and model
        # string, or why it is invalid; never a key); a new one is checked once by
        # learn_model_id. A disabled prefix, a keyless provider, an explicit key or anything
        # unusual takes the full path below, which gives the same answer or the error.
        if api_key is None and type(model_id) is str:
            known = self._seen.get(model_id) or learn_model_id(self, model_id)
            if known is not None:
                if known[0] is None:  # remembered as invalid: (model id, reason, suggestion)
                    raise InvalidModelIdError(*known[1])
                kwargs = known[0].kwargs(known[1], reasoning_effort)
                if kwargs is not None:
                    return kwargs
        return resolve_model(self, model_id, reasoning_effort=reasoning_effort, strict=strict, api_key=api_key)

    def check_model_id(self, model_id: str) -> "ModelIdCheck":
        """Whether ``model_id`` routes anywhere, where, and why not (remembered: the answer for
        one id never changes in an immutable registry, and near-miss suggestions are costly)."""
        if type(model_id) is not str:
            return check_model_id(self, model_id)
        checked = self._checked.get(model_id)
        if checked is None:
            checked = check_model_id(self, model_id)
            if len(self._checked) >= MEMO_LIMIT:
                self._checked.clear()
            self._checked[model_id] = checked
        return checked

    def is_valid_model_id(self, model_id: str) -> bool:
        return self.check_model_id(model_id).ok


from .model_ids import check_model_id  # noqa: E402  (these modules query Registry; import after it)
from .resolve import MEMO_LIMIT, build_routes, learn_model_id, resolve_model  # noqa: E402
