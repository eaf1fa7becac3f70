"""Read-only tables of the configuration: what ``registry list``, ``show`` and ``paths`` print,
computed here so that the commands only format.

Every function is pure over a ``Registry`` (``layer_paths`` also looks at the file system, but
never writes). Values pass through ``display.py`` first: nothing returned holds a key in clear text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from .display import display_value, format_value
from .keys import shown_argv
from .loader import ENV_LAYER, LAYER_NAMES, locate_layers
from .model import Registry
from .provider import Origin, Provider
from .fsio import is_directory, is_regular_file, not_a_regular_file, shown_path
from .cache import cache_directory, untrusted_reason
from .paths import APP_NAME, schema_path, user_cache_dir
from .values import Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "FieldOrigin",
    "LayerPath",
    "ProviderFields",
    "ProviderRow",
    "describe_provider",
    "highest_layer",
    "layer_paths",
    "provider_rows",
]

# The order ``registry show`` lists fields in: the order of the file format.
_FIELD_ORDER = (
    "name", "enabled", "kind", "prefix", "api_base", "api_bases", "api_base_env", "api_key", "api_key_env",
    "api_key_file", "api_key_command", "api_key_help",
    "litellm_provider", "efforts", "effort_aliases", "thinking", "model_format", "description", "headers", "timeout",
)


def highest_layer(origins: Iterable[Origin]) -> str:
    """The highest-precedence layer among ``origins``: the one that last changed a provider."""
    ranks = [LAYER_NAMES.index(o.layer) for o in origins if o.layer in LAYER_NAMES]
    return LAYER_NAMES[max(ranks)] if ranks else LAYER_NAMES[0]


class ProviderRow(Frozen):
    """One line of ``registry list``. ``key_source`` names where the key comes from, never the key."""

    __slots__ = ("name", "prefix", "api_base", "key_source", "layer", "fallback", "description", "kind",
                 "unavailable")
    name: str
    prefix: str
    api_base: str
    key_source: str
    layer: str
    fallback: bool
    description: str
    kind: str
    unavailable: str | None  # why the provider cannot be used (Provider.unavailable_reason), or None
    _defaults = {"description": "", "kind": "local", "unavailable": None}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "prefix": self.prefix, "kind": self.kind, "api_base": self.api_base,
            "key_source": self.key_source, "layer": self.layer, "fallback": self.fallback,
            "description": self.description, "available": self.unavailable is None, "unavailable": self.unavailable,
        }


def provider_rows(registry: Registry) -> tuple[ProviderRow, ...]:
    """Every effective provider, sorted by name."""
    return tuple(
        ProviderRow(
            name=p.name, prefix=p.prefix, api_base=p.api_base, key_source=p.key_source or "none",
            layer=highest_layer(p.origins.values()), fallback=p.name == registry.fallback,
            description=p.description, kind=p.kind, unavailable=p.unavailable_reason,
        )
        for p in sorted(registry.providers.values(), key=lambda p: p.name)
    )


class FieldOrigin(Frozen):
    """One effective field of a provider and where it came from; ``value`` is already masked."""

    __slots__ = ("field", "value", "origin")
    field: str
    value: Any
    origin: Origin

    @property
    def text(self) -> str:
        return format_value(self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "layer": self.origin.layer,
                "source": self.origin.source, "line": self.origin.line}


class ProviderFields(Frozen):
    """What ``registry show`` prints: every field some layer set, in file-format order."""

    __slots__ = ("name", "fallback", "fields", "unavailable")
    name: str
    fallback: bool
    fields: tuple[FieldOrigin, ...]
    unavailable: str | None  # why the provider cannot be used, or None
    _defaults = {"unavailable": None}

    def as_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape of ``registry show``."""
        return {"name": self.name, "fallback": self.fallback, "fields": [f.as_dict() for f in self.fields],
                "available": self.unavailable is None, "unavailable": self.unavailable}


def _field_value(provider: Provider, name: str) -> Any:
    if name == "enabled":
        return True  # a disabled provider is not in the registry at all
    if name == "api_key" and provider.api_key is None and provider.key_command is not None:
        known = provider.key_command.known_key
        return known.masked if known is not None else "(from api_key_command, on first use)"
    if name == "api_key_command":
        return list(shown_argv(provider.api_key_command))
    return display_value(getattr(provider, name))


def describe_provider(registry: Registry, name: str) -> ProviderFields:
    """Every field of provider ``name`` that some layer set, with its origin.

    UnknownProviderError when ``name`` is not an effective provider; its hint says how to enable
    a disabled one, or suggests a close name.
    """
    provider = registry.provider(name)
    known = [f for f in _FIELD_ORDER if f in provider.origins]
    extra = sorted(f for f in provider.origins if f not in _FIELD_ORDER)
    fields = tuple(FieldOrigin(f, _field_value(provider, f), provider.origins[f]) for f in (*known, *extra))
    fields += tuple(FieldOrigin(f"models.{model}.{f}", display_value(getattr(spec, f)), spec.origins[f])
                    for model, spec in provider.models.items() for f in spec.origins if f != "name")
    return ProviderFields(provider.name, provider.name == registry.fallback, fields, provider.unavailable_reason)


class LayerPath(Frozen):
    """Where one layer (or the cache, or the schema) lives and whether it is there."""

    __slots__ = ("name", "path", "exists", "note")
    name: str
    path: str
    exists: bool
    note: str
    _defaults = {"note": ""}

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "exists": self.exists, "note": self.note}


# Why a layer is read from where it is (``LayerLocation.reason``), as ``registry paths`` says it.
_REASON_NOTES = {
    "built-in": "built-in providers",
    "not given": "the host's defaults: none given (load(defaults=PATH) or --defaults PATH)",
    "defaults": "the host's defaults, from defaults= / --defaults",
    "system": "the operator's site file, system config directory",
    "config_path": "from --config",
    "default": "default location",
    "snapshot": "variables named by api_base_env and api_key_env",
    "environ=": "variables named by api_base_env and api_key_env",
}


def layer_paths(app_name: str = APP_NAME, config_path: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None, *,
                defaults: str | os.PathLike[str] | None = None) -> tuple[LayerPath, ...]:
    """Every layer in precedence order (and why that file), then the cache and the schema."""
    rows = []
    for location in locate_layers(app_name, config_path, environ, defaults=defaults):
        note = _REASON_NOTES.get(location.reason, f"from ${location.reason}")
        if location.layer == ENV_LAYER:
            rows.append(LayerPath(location.layer, "environment", True, note))
            continue
        if location.path is None:
            rows.append(LayerPath(location.layer, "(none)", False, note))
            continue
        exists = is_regular_file(location.path)
        if location.reason == "default" and not exists:  # the user file has not been written yet
            note += "; run 'registry init' to create it"
        elif location.reason == "system" and not exists:
            note += "; optional: an operator may put one here"
        elif not exists and (problem := not_a_regular_file(location.path)) is not None:
            note += f"; {problem.message}"  # a directory, a dangling link, a path through a file ...
        rows.append(LayerPath(location.layer, shown_path(location.path), exists, note))
    cache = user_cache_dir(app_name)
    note = "cache directory"
    if (untrusted := untrusted_reason(cache_directory(app_name))) is not None:
        note += f"; not used: {untrusted.reason} ({untrusted.hint})"
    rows.append(LayerPath("cache", shown_path(cache), is_directory(cache), note))
    rows.append(LayerPath("schema", str(schema_path()), schema_path().is_file(), "JSON Schema for providers files"))
    return tuple(rows)
