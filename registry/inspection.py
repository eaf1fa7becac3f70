"""Read-only views of the configuration as plain data: what ``registry validate``, ``list``,
``show``, ``resolve`` and ``paths`` print, computed here so that the CLI only formats.

Every function is pure over a ``Registry`` or a ``LoadReport`` (``validate_*`` and ``layer_paths``
also look at the file system, but never write). Nothing returned holds a key in clear text:
keys and header values are masked with :func:`registry.secrets.mask_secret` before they get here.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from .errors import InvalidModelIdError
from .issues import Issue, IssueReport, unreadable_in
from .loader import LAYER_NAMES, LoadReport, inspect
from .model import Registry
from .paths import (
    APP_NAME,
    builtin_providers_path,
    find_user_file,
    schema_path,
    user_cache_dir,
)
from .provider import IMPLICIT_DEFAULT, Origin, Provider
from .secrets import Secret, mask_secret
from .values import EMPTY_MAPPING, Frozen

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from typing import Any


__all__ = [
    "FieldOrigin",
    "LayerPath",
    "ProviderRow",
    "Resolution",
    "ValidationResult",
    "explain_resolve",
    "format_value",
    "highest_layer",
    "layer_paths",
    "mask_kwargs",
    "provider_fields",
    "provider_rows",
    "unknown_provider_hint",
    "validate_files",
    "validate_layers",
]

# The order ``registry show`` lists fields in: the order of the file format.
_FIELD_ORDER = (
    "name", "enabled", "prefix", "api_base", "api_bases", "api_base_env", "api_key", "api_key_env",
    "litellm_provider", "efforts", "effort_aliases", "model_format", "description", "headers", "timeout",
)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _unreadable_files(issues: Iterable[Issue]) -> tuple[str, ...]:
    """The files that could not be read at all (the reader's verdict, ``Issue.kind``): exit 2."""
    return tuple(dict.fromkeys(issue.path or "" for issue in unreadable_in(issues)))


class ValidationResult(Frozen, IssueReport):
    """The verdict of ``registry validate``: every issue, the files checked, the providers found."""

    __slots__ = ("issues", "files", "providers", "unreadable")
    issues: tuple[Issue, ...]
    files: tuple[str, ...]
    providers: tuple[str, ...]
    unreadable: tuple[str, ...]
    _defaults = {"unreadable": ()}

    @property
    def ok(self) -> bool:
        return not self.errors and not self.unreadable

    def summary(self) -> str:
        """One line: ``OK: 2 files, 7 providers`` or ``3 errors in 1 file``."""
        if self.ok:
            text = f"OK: {_plural(len(self.files), 'file')}, {_plural(len(self.providers), 'provider')}"
            if self.warnings:
                text += f" ({_plural(len(self.warnings), 'warning')})"
            return text
        places = []
        files = {i.path for i in self.errors if i.env_var is None and i.path is not None}
        if files:
            places.append(_plural(len(files), "file"))
        if any(i.env_var is not None for i in self.errors):
            places.append("the environment")
        if any(i.env_var is None and i.path is None for i in self.errors):
            places.append("the settings")
        text = _plural(len(self.errors), "error")
        if places:
            text += " in " + " and ".join(places)
        if self.warnings:
            text += f" ({_plural(len(self.warnings), 'warning')})"
        return text

    def as_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape of ``registry validate``."""
        return {
            "status": "ok" if self.ok else "fail",
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
            "files": list(self.files),
            "providers": list(self.providers),
        }


def validate_layers(app_name: str = APP_NAME, config_path: str | os.PathLike[str] | None = None,
                    environ: Mapping[str, str] | None = None) -> ValidationResult:
    """Check every layer that applies: the built-in file, the user file, and the environment."""
    report = inspect(app_name, config_path, environ)
    files = tuple(layer.source for layer in report.layers if layer.layer != "env" and layer.exists)
    providers = tuple(sorted(report.registry.providers)) if report.registry is not None else ()
    return ValidationResult(report.issues, files, providers, _unreadable_files(report.issues))


def validate_files(paths: Sequence[str | os.PathLike[str]], app_name: str = APP_NAME,
                   environ: Mapping[str, str] | None = None) -> ValidationResult:
    """Check each file as a user file over the built-ins, without the environment layer.

    Issues shared by several runs (a broken built-in file) are reported once.
    """
    issues: dict[tuple[Any, ...], Issue] = {}
    providers: set[str] = set()
    for path in paths:
        report = inspect(app_name, path, environ, apply_environment=False)
        for issue in report.issues:
            issues.setdefault((issue.path, issue.line, issue.column, issue.env_var, issue.message), issue)
        if report.registry is not None:
            providers.update(report.registry.providers)
    return ValidationResult(tuple(issues.values()), tuple(str(p) for p in paths), tuple(sorted(providers)),
                            _unreadable_files(issues.values()))


def highest_layer(origins: Iterable[Origin]) -> str:
    """The highest-precedence layer among ``origins``: the one that last changed a provider."""
    ranks = [LAYER_NAMES.index(o.layer) for o in origins if o.layer in LAYER_NAMES]
    return LAYER_NAMES[max(ranks)] if ranks else LAYER_NAMES[0]


class ProviderRow(Frozen):
    """One line of ``registry list``. ``key_source`` names where the key comes from, never the key."""

    __slots__ = ("name", "prefix", "api_base", "key_source", "layer", "fallback", "description")
    name: str
    prefix: str
    api_base: str
    key_source: str
    layer: str
    fallback: bool
    description: str
    _defaults = {"description": ""}

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "prefix": self.prefix, "api_base": self.api_base, "key_source": self.key_source,
            "layer": self.layer, "fallback": self.fallback, "description": self.description,
        }


def provider_rows(registry: Registry) -> tuple[ProviderRow, ...]:
    """Every effective provider, sorted by name."""
    return tuple(
        ProviderRow(
            name=p.name, prefix=p.prefix, api_base=p.api_base, key_source=p.key_source or "none",
            layer=highest_layer(p.origins.values()), fallback=p.name == registry.fallback,
            description=p.description,
        )
        for p in sorted(registry.providers.values(), key=lambda p: p.name)
    )


def _display(value: Any) -> Any:
    """A JSON-friendly copy of ``value`` with every Secret masked."""
    if isinstance(value, Secret):
        return value.masked
    if isinstance(value, Mapping):
        return {str(k): _display(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_display(v) for v in value]
    return value


def format_value(value: Any) -> str:
    """The one-line text form used by ``registry show``: YAML-like flow style, secrets masked."""
    value = _display(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


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


def _field_value(provider: Provider, name: str) -> Any:
    if name == "enabled":
        return True  # a disabled provider is not in the registry at all
    return _display(getattr(provider, name))


def provider_fields(registry: Registry, name: str) -> tuple[FieldOrigin, ...]:
    """Every field of provider ``name`` that some layer set, in file-format order, with its origin.

    UnknownProviderError (with a did-you-mean) when ``name`` is not an effective provider.
    """
    provider = registry.provider(name)
    known = [f for f in _FIELD_ORDER if f in provider.origins]
    extra = sorted(f for f in provider.origins if f not in _FIELD_ORDER)
    return tuple(FieldOrigin(f, _field_value(provider, f), provider.origins[f]) for f in (*known, *extra))


def unknown_provider_hint(registry: Registry, name: str) -> str:
    """The fix for a provider name that is not effective: it is disabled, a close match, or the list."""
    if name in registry.disabled.values():
        return f"provider {name!r} is disabled ('enabled: false'); remove that line to enable it"
    close = difflib.get_close_matches(name, list(registry.providers), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known providers: {', '.join(sorted(registry.providers))}"


def mask_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of resolver kwargs safe to print: ``api_key`` and every extra header value masked."""
    shown: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key == "api_key" and isinstance(value, (str, Secret)):
            shown[key] = value.masked if isinstance(value, Secret) else mask_secret(value)
        elif key == "extra_headers" and isinstance(value, Mapping):
            shown[key] = {h: (v.masked if isinstance(v, Secret) else mask_secret(str(v))) for h, v in value.items()}
        else:
            shown[key] = _display(value)
    return shown


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
        "via_fallback", "alias_of", "suggestion", "effort", "effort_sent",
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
    _defaults = {
        "origins": EMPTY_MAPPING, "via_fallback": False, "alias_of": None, "suggestion": None, "effort":
        None, "effort_sent": None,
    }

    def as_dict(self) -> dict[str, Any]:
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
            "kwargs": dict(self.kwargs),
        }


def explain_resolve(registry: Registry, model_id: str, *, reasoning_effort: str | None = None,
                    strict: bool = False) -> Resolution:
    """Resolve ``model_id`` and say why it went where it went; keys in the result are masked.

    Raises what ``Registry.resolve`` raises: InvalidModelIdError (with its suggestion),
    UnsupportedEffortError, MissingApiKeyError.
    """
    check = registry.check_model_id(model_id)
    if not check.ok and check.provider is None:  # routed nowhere; a routed id fails in resolve below
        raise InvalidModelIdError(check.model_id, check.reason or "invalid model id", check.suggestion)
    kwargs = registry.resolve(model_id, reasoning_effort=reasoning_effort, strict=strict)
    provider = registry.provider(check.provider or "")
    target = check.alias_of or model_id
    via_fallback = provider.name == registry.fallback and not target.startswith(provider.prefix)
    prefix_origin = provider.origins.get("prefix")
    if prefix_origin is not None and prefix_origin == IMPLICIT_DEFAULT:
        prefix_origin = provider.origins.get("name")  # '<name>/' is decided where the name is written
    decided_by = registry.settings_origins.get("fallback") if via_fallback else prefix_origin
    origins = {name: provider.origins[name] for name in ("api_base", "api_key") if name in provider.origins}
    sent = (kwargs.get("extra_body") or {}).get("reasoning_effort")
    return Resolution(
        model_id=model_id, provider=provider.name, prefix=provider.prefix, model=check.model or "",
        kwargs=MappingProxyType(mask_kwargs(kwargs)), decided_by=decided_by, origins=MappingProxyType(origins),
        via_fallback=via_fallback, alias_of=check.alias_of, suggestion=check.suggestion,
        effort=reasoning_effort, effort_sent=sent,
    )


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


def layer_paths(app_name: str = APP_NAME, config_path: str | os.PathLike[str] | None = None,
                environ: Mapping[str, str] | None = None) -> tuple[LayerPath, ...]:
    """The built-in file, the user file (and why that one), the environment, the cache and the schema."""
    env = dict(os.environ) if environ is None else environ
    builtin = builtin_providers_path()
    user = find_user_file(app_name, Path(config_path) if config_path is not None else None, env)
    user_note = {"config_path": "from --config", "default": "default location"}.get(user.reason, f"from ${user.reason}")
    if not user.path.exists() and not user.explicit:
        user_note += "; run 'registry init' to create it"
    cache = user_cache_dir(app_name)
    return (
        LayerPath("default", str(builtin), builtin.is_file(), "built-in providers"),
        LayerPath("user", str(user.path), user.path.is_file(), user_note),
        LayerPath("env", "environment", True, "variables named by api_base_env and api_key_env"),
        LayerPath("cache", str(cache), cache.is_dir(), "cache directory"),
        LayerPath("schema", str(schema_path()), schema_path().is_file(), "JSON Schema for providers files"),
    )
