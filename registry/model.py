"""The ``Registry``: the effective providers and their routing table, and the questions agents ask.

A registry is built once from one ``RouteTable`` and never changes: the providers it reports are
the table's, so its answers cannot disagree with them. It is not a value object (the table owns
memos); there is no ``replace``: build a new registry (``registry.load``) to change anything.
"""

from __future__ import annotations

from types import MappingProxyType

from .cache import DISCOVERY_SUBDIRECTORY, has_entries
from .errors import InvalidApiKeyError, UnknownProviderError
from .keys import SESSION_LAYER
from .modelinfo import ModelInfo, model_info
from .paths import APP_NAME
from .provider import Origin
from .resolve import build_kwargs, configured_key
from .secrets import Secret, check_secret_text
from .routing import ModelIdCheck, RouteTable
from .suggest import Vocabulary, close_match
from .values import EMPTY_MAPPING, frozen_mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

    from .issues import Issue
    from .provider import LayerSource, Provider
    from .routing import Route
    from .urls import UrlPolicy

__all__ = ["Registry"]

_READ_ONLY = "a Registry never changes: build a new one with registry.load()"
_SESSION_ORIGIN = Origin(SESSION_LAYER, "with_keys")


class Registry:
    """All effective providers, routed through one table. Build it with ``registry.load()``."""

    __slots__ = ("_table", "layers", "warnings", "url_policy", "settings_origins", "app_name", "_session_keys", "_served")
    _table: RouteTable
    layers: tuple[LayerSource, ...]
    warnings: tuple[Issue, ...]
    url_policy: UrlPolicy | None
    settings_origins: Mapping[str, Origin]
    app_name: str  # the application name it was loaded for: where its cache lives
    _session_keys: Mapping[str, Secret]
    _served: dict[str, tuple[frozenset[str], Vocabulary] | None]

    def __init__(self, table: RouteTable, *, layers: tuple[LayerSource, ...] = (), warnings: tuple[Issue, ...] = (),
                 url_policy: UrlPolicy | None = None, settings_origins: Mapping[str, Origin] = EMPTY_MAPPING,
                 app_name: str = APP_NAME) -> None:
        setter = object.__setattr__
        setter(self, "_table", table)
        setter(self, "layers", tuple(layers))
        setter(self, "warnings", tuple(warnings))
        setter(self, "url_policy", url_policy)
        setter(self, "settings_origins", frozen_mapping(settings_origins))
        setter(self, "app_name", app_name)
        setter(self, "_served", {})  # provider name -> its cached served ids and their Vocabulary, or None: read once
        setter(self, "_session_keys", EMPTY_MAPPING)  # provider name -> Secret: with_keys

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to {name!r}: {_READ_ONLY}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete {name!r}: {_READ_ONLY}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not Registry:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # holds mappings

    def __repr__(self) -> str:
        return (f"Registry(providers={dict(self.providers)!r}, fallback={self.fallback!r}, "
                f"aliases={dict(self.aliases)!r}, disabled={dict(self.disabled)!r}, "
                f"unavailable={dict(self.unavailable)!r}, session_keys={sorted(self._session_keys)!r}, "
                f"layers={self.layers!r}, "
                f"warnings={self.warnings!r}, url_policy={self.url_policy!r})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._table, self.layers, self.warnings, self.url_policy, dict(self.settings_origins),
                           dict(self._session_keys), self.app_name))

    def _values(self) -> tuple[Any, ...]:
        return (self.providers, self.fallback, self.aliases, self.disabled, self.layers, self.warnings,
                self.url_policy, self.settings_origins, self._session_keys)

    # -- what the table knows, read-only -------------------------------------------------------

    @property
    def providers(self) -> Mapping[str, Provider]:
        return self._table.providers

    @property
    def fallback(self) -> str | None:
        """The provider that takes ids with no registered prefix, or None to refuse them."""
        return self._table.fallback

    @property
    def aliases(self) -> Mapping[str, str]:
        return self._table.aliases

    @property
    def disabled(self) -> Mapping[str, str]:
        """Prefix head -> name of each provider that a layer switched off."""
        return self._table.disabled

    @property
    def unavailable(self) -> Mapping[str, str]:
        """Provider name -> why it is unavailable: a value it reads from the environment is
        unusable (the reason names the variable and the fix). Its ids route to it, and
        ``resolve`` raises ConfigError for them; every other provider works."""
        return self._table.unavailable

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every registered prefix, in provider order. Derived from ``providers``: the only list."""
        return self._table.prefixes

    # -- questions ------------------------------------------------------------------------------

    def provider(self, name: str) -> Provider:
        """The provider called ``name``; UnknownProviderError otherwise, whose hint says how to
        enable a disabled one or suggests a close name."""
        try:
            return self.providers[name]
        except (KeyError, TypeError):
            names = list(self.providers)
            if name in self.disabled.values():
                raise UnknownProviderError(name, names, disabled=True) from None
            raise UnknownProviderError(str(name), names, close_match(str(name), names)) from None

    def provider_for_prefix(self, head: str) -> Provider | None:
        """The provider whose prefix is ``head`` + '/', in O(1)."""
        return self._table.provider_for_head(head)

    def origin(self, provider_name: str, field_name: str) -> Origin:
        """Where the effective ``field_name`` of ``provider_name`` came from (a per-session key:
        ``Origin('session', 'with_keys')``)."""
        provider = self.provider(provider_name)
        if field_name == "api_key" and provider.name in self._session_keys:
            return _SESSION_ORIGIN
        return provider.origin(field_name)

    def has_key(self, provider_name: str) -> bool:
        """Whether ``resolve`` has a key for ``provider_name`` without being given one: a
        per-session key, a configured key, or a key command (not run here)."""
        provider = self.provider(provider_name)
        return provider.name in self._session_keys or provider.api_key is not None \
            or provider.key_command is not None

    def api_key(self, provider_name: str) -> Secret | None:
        """The key ``resolve`` sends to ``provider_name`` when given none: a per-session key, else
        the configured one, else the key command's (run now, once, if not yet); None without any."""
        provider = self.provider(provider_name)
        session = self._session_keys.get(provider.name)
        if session is not None:
            return session
        return configured_key(provider)

    def with_keys(self, keys: Mapping[str, str]) -> Registry:
        """A registry that shares everything with this one except these per-session keys, each
        applied only to the provider it names (``{"huggingface": token}``): cheap enough per
        request. This registry is unchanged. UnknownProviderError for a name that is not an
        effective provider; InvalidApiKeyError for a key that cannot be one (never echoed)."""
        session = dict(self._session_keys)
        for name, key in keys.items():
            if name not in self._table.providers:
                self.provider(name)  # raises UnknownProviderError, with the did-you-mean
            problem = ("is empty" if not key else check_secret_text(key)) if type(key) is str else "is not a string"
            if problem is not None:
                raise InvalidApiKeyError(f"for {name!r} {problem}")
            session[name] = Secret(key)
        copy = object.__new__(Registry)
        for slot in Registry.__slots__:
            object.__setattr__(copy, slot, getattr(self, slot))
        object.__setattr__(copy, "_session_keys", MappingProxyType(session))
        return copy

    def route(self, model_id: str) -> Route:
        """Where ``model_id`` goes (provider, model, via); InvalidModelIdError when nowhere."""
        return self._table.route(model_id)

    def resolve(self, model_id: str, *, reasoning_effort: str | None = None, strict: bool = False,
                api_key: str | None = None) -> dict[str, Any]:
        """LiteLLM kwargs for ``model_id``: a new dict each call (the rules: ``resolve.build_kwargs``).
        ``api_key`` beats a per-session key (``with_keys``), which beats every configured source."""
        route = self._table.route(model_id)
        if not api_key and self._session_keys:
            session = self._session_keys.get(route.provider.name)
            if session is not None:
                api_key = session.reveal()
        return build_kwargs(route, reasoning_effort, strict, api_key)

    def check_model_id(self, model_id: str) -> ModelIdCheck:
        """Whether ``model_id`` is well formed and routes to an available provider, where, and why
        not; ``key_missing`` says whether ``resolve`` would find a key now."""
        checked = self._table.check(model_id)
        if checked.key_missing and checked.provider in self._session_keys:
            checked = checked.replace(key_missing=False, key_hint=None)
        if checked.ok and checked.provider is not None and checked.model is not None:
            served = self._served_ids(checked.provider)
            if served is not None and checked.model not in served[0]:
                checked = self._not_served(checked, served[1])
        return checked

    def _served_ids(self, provider: str) -> tuple[frozenset[str], Vocabulary] | None:
        """The ids the provider's server served at its last discovery (the cache, read once per
        registry and provider) and the vocabulary to guess from them, or None without a cached list."""
        try:
            return self._served[provider]
        except KeyError:
            discovered = self._discovered(provider)
            ids = frozenset(model.id for model in discovered.models) if discovered is not None else None
            self._served[provider] = (ids, Vocabulary(sorted(ids))) if ids is not None else None
            return self._served[provider]

    def _not_served(self, checked: ModelIdCheck, vocabulary: Vocabulary) -> ModelIdCheck:
        """``checked`` with a note that the cached server list lacks the model, and a close id (a
        bounded guess: the vocabulary has a work budget)."""
        model = checked.model or ""
        close = vocabulary.close_match(model, valid_input=True)
        provider = self.providers[checked.provider or ""]
        suggestion = checked.suggestion or (f"{provider.prefix}{close}" if close and checked.model_id.startswith(
            provider.prefix) else close)
        note = f"not served by {checked.provider} at its last discovery ('registry models --refresh' to ask again)"
        if close:
            note += f"; did you mean {suggestion!r}?"
        return checked.replace(note=note, suggestion=suggestion)

    def model_info(self, model_id: str) -> ModelInfo:
        """What is known about ``model_id``'s model: the files' declarations merged with the cached
        discovery of its server (``registry models``), each value with its source. Never touches
        the network; InvalidModelIdError when the id routes nowhere."""
        route = self._table.route(model_id)
        return model_info(model_id, route, self._discovered(route.provider.name))

    def _discovered(self, provider: str) -> Any:
        """The cached discovery of ``provider``'s server, or None (no cache, or not yet run)."""
        if not has_entries(self.app_name, DISCOVERY_SUBDIRECTORY):
            return None  # never discovered: no need to import discovery (about 10 ms)
        from .discovery import cached_models  # deferred: reads the cache only, never the network

        return cached_models(self, provider)

    def is_valid_model_id(self, model_id: str) -> bool:
        return self._table.check(model_id).ok


def _rebuild(table: RouteTable, layers: tuple[LayerSource, ...], warnings: tuple[Issue, ...],
             url_policy: UrlPolicy | None, settings_origins: dict[str, Origin],
             session_keys: dict[str, Secret] | None = None, app_name: str = APP_NAME) -> Registry:
    registry = Registry(table, layers=layers, warnings=warnings, url_policy=url_policy,
                        settings_origins=settings_origins, app_name=app_name)
    if session_keys:
        object.__setattr__(registry, "_session_keys", MappingProxyType(dict(session_keys)))
    return registry
