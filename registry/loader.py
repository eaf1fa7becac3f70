"""``load`` and ``inspect``: read every layer in precedence order, merge, build the Registry.

``PRECEDENCE`` is the one list of layers, lowest first: it drives the reading, the merge, the
origins and ``registry paths``; adding a layer is one entry and one reader. Problems are
collected, not raised one at a time: ``inspect`` returns them all (for ``registry validate``) and
``load`` raises one ConfigError holding all of them.
"""

from __future__ import annotations

import os

from .build import build_table, near_miss_warnings, settings_origins
from .cache import open_validation_cache
from .errors import ConfigError
from .issues import Issue, IssueReport, errors_in, warnings_in
from .layers import Draft, EnvLayer, FileLayer, absent_file_layer, read_file_layer
from .model import Registry
from .fsio import check_path
from .paths import APP_NAME, PATH_SETTINGS, builtin_providers_path, find_site_file, find_user_file, given_path
from .policy import effective_policy
from .provider import LayerSource, Origin
from .urls import ALLOWED_HOSTS_ENV, URL_POLICY_ENV, UrlPolicy
from .values import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, TypeAlias

    from .cache import ValidationCache

    Layer: TypeAlias = FileLayer | EnvLayer
    PathArg: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]

__all__ = [
    "ALLOWED_HOSTS_ENV", "ENV_LAYER", "LAYER_NAMES", "OPERATOR_LAYERS", "PRECEDENCE", "URL_POLICY_ENV", "LayerLocation", "LoadReport",
    "check_file_settings", "check_user_file_setting", "inspect", "load", "locate_layers",
]


class _Request(Frozen):
    """What the layer readers of one ``inspect`` call share."""

    __slots__ = ("app_name", "config_path", "environ", "snapshot", "apply_environment", "cache", "defaults")
    app_name: str
    config_path: PathArg | None
    environ: Mapping[str, str]
    snapshot: bool  # True when ``environ`` is a copy of os.environ, False when the caller passed it
    apply_environment: bool
    cache: ValidationCache | None
    defaults: PathArg | None  # the host's providers file: the app layer
    _hidden = frozenset({"environ"})
    _defaults = {"snapshot": False, "apply_environment": True, "cache": None, "defaults": None}


class LayerLocation(Frozen):
    """Where one layer is read from, decided before it is read. ``path`` (a str, as the ``os``
    functions take it; show it with ``fsio.shown_path``) is None for the environment and for a
    file layer that is not given (``app`` without ``defaults=``); ``required`` layers must exist
    (the built-in file, a file named on purpose). ``operator`` layers may set the URL policy,
    and the strict policy trusts the hosts they write."""

    __slots__ = ("layer", "path", "reason", "required", "operator")
    layer: str
    path: str | None
    reason: str
    required: bool
    operator: bool
    _defaults = {"operator": False}


def _locate_builtin(name: str, request: _Request, operator: bool) -> LayerLocation:
    return LayerLocation(name, str(builtin_providers_path()), "built-in", True, operator)


def _locate_app_file(name: str, request: _Request, operator: bool) -> LayerLocation:
    if request.defaults is None:
        return LayerLocation(name, None, "not given", False, operator)
    return LayerLocation(name, given_path(request.defaults), "defaults", True, operator)


def _locate_site_file(name: str, request: _Request, operator: bool) -> LayerLocation:
    found = find_site_file(request.app_name, request.environ)
    return LayerLocation(name, found.path, found.reason, found.explicit, operator)


def _locate_user_file(name: str, request: _Request, operator: bool) -> LayerLocation:
    found = find_user_file(request.app_name, request.config_path, request.environ)
    return LayerLocation(name, found.path, found.reason, found.explicit, operator)


def _locate_environment(name: str, request: _Request, operator: bool) -> LayerLocation:
    return LayerLocation(name, None, "snapshot" if request.snapshot else "environ=", False, operator)


ENV_LAYER = "env"

# Precedence of the configuration layers, lowest first: a later layer overrides an earlier one.
# Each entry is the layer's name, the function that says where it is read from, and whether an
# operator writes it (the package, the host agent, the machine's operator): those layers may set
# the URL policy, and the strict policy trusts their hosts. Reading, merging, origins, the policy
# and `registry paths` all follow this one list.
PRECEDENCE: tuple[tuple[str, Callable[[str, _Request, bool], LayerLocation], bool], ...] = (
    ("default", _locate_builtin, True),
    ("app", _locate_app_file, True),
    ("site", _locate_site_file, True),
    ("user", _locate_user_file, False),
    (ENV_LAYER, _locate_environment, False),
)
LAYER_NAMES = tuple(name for name, _, _ in PRECEDENCE)
OPERATOR_LAYERS = frozenset(name for name, _, operator in PRECEDENCE if operator)


def locate_layers(app_name: str = APP_NAME, config_path: PathArg | None = None,
                  environ: Mapping[str, str] | None = None, *, defaults: PathArg | None = None,
                  ) -> tuple[LayerLocation, ...]:
    """Where each layer would be read from, in precedence order (nothing is read)."""
    request = _Request(app_name, config_path, dict(os.environ) if environ is None else environ, environ is None,
                       defaults=defaults)
    return _locate_all(request)


def _locate_all(request: _Request) -> tuple[LayerLocation, ...]:
    return tuple(locate(name, request, operator) for name, locate, operator in PRECEDENCE)


def check_file_settings(app_name: str = APP_NAME, config_path: PathArg | None = None,
                        environ: Mapping[str, str] | None = None, *,
                        defaults: PathArg | None = None) -> Issue | None:
    """The Issue for the first file named on purpose (``defaults``, ``PROVIDER_REGISTRY_SITE_CONFIG``,
    ``config_path``, else ``PROVIDER_REGISTRY_CONFIG``) that is a malformed path (empty, a NUL
    byte, too long, ...; see ``fsio.check_path``), None otherwise. Nothing is read: the CLI checks
    ``--defaults`` and ``--config`` with this before any command runs, as it checks ``--app``;
    ``inspect`` reports the same Issue."""
    request = _Request(app_name, config_path, {} if environ is None else environ, False, defaults=defaults)
    for location in _locate_all(request):
        if location.path is not None and location.required and location.reason != "built-in":
            problem = check_path(location.path, setting=location.reason if location.reason in PATH_SETTINGS else None)
            if problem is not None:
                return problem
    return None


def check_user_file_setting(app_name: str = APP_NAME, config_path: PathArg | None = None,
                            environ: Mapping[str, str] | None = None) -> Issue | None:
    """``check_file_settings`` without a ``defaults`` file (the name before the app layer)."""
    return check_file_settings(app_name, config_path, environ)


def _read(location: LayerLocation, request: _Request) -> Layer:
    if location.layer == ENV_LAYER:
        return EnvLayer(location.layer, request.environ if request.apply_environment else {}, location.reason,
                        request.apply_environment)
    if location.path is None:
        return absent_file_layer(location.layer, location.reason, operator=location.operator)
    return read_file_layer(location.layer, location.path, required=location.required, reason=location.reason,
                           cache=request.cache, operator=location.operator)


class LoadReport(Frozen, IssueReport):
    """Everything ``inspect`` found: the registry (None when a file has errors) and every issue.

    An error in the environment layer leaves the registry built, with the providers that read
    the bad variable unavailable (``Registry.unavailable``), unless ``strict``; it is still an
    error here, so ``registry validate`` fails.

    ``raw_api_bases`` (provider name -> the merged ``api_base`` text as written, and its origin),
    ``raw_api_keys`` (provider name -> the merged key text) and ``url_policy``
    are taken from the merged draft, before any value is checked: they exist whenever every file
    parsed, even when a value was refused (a base URL ending in ``/chat/completions``), so
    ``registry doctor`` can repair what ``load`` refuses. All three are None when a file did not
    parse or pass the schema. Both raw mappings are hidden from repr: an unchecked URL may hold a
    key too (``user:KEY@host``, ``?api_key=``)."""

    __slots__ = ("registry", "issues", "layers", "raw_api_bases", "raw_api_keys", "url_policy")
    registry: Registry | None
    issues: tuple[Issue, ...]
    layers: tuple[LayerSource, ...]
    raw_api_bases: Mapping[str, tuple[str, Origin]] | None
    raw_api_keys: Mapping[str, str] | None
    url_policy: UrlPolicy | None
    _defaults = {"raw_api_bases": None, "raw_api_keys": None, "url_policy": None}
    _hidden = frozenset({"raw_api_bases", "raw_api_keys"})  # unchecked text that may hold keys
    _uncompared = frozenset({"raw_api_bases", "raw_api_keys"})


def load(app_name: str = APP_NAME, config_path: PathArg | None = None,
         environ: Mapping[str, str] | None = None, url_policy: str | UrlPolicy | None = None, *,
         defaults: PathArg | None = None, strict: bool = False) -> Registry:
    """Build the effective registry; raise ConfigError listing every problem in every file.

    ``defaults`` is the host's own providers file (the ``app`` layer, between the built-in file
    and the site file). ``environ`` defaults to a snapshot of ``os.environ`` taken now; later
    changes to the process environment do not affect the returned registry (call ``load`` again
    to pick them up). A bad value in the environment makes only the providers that read it
    unavailable (logged as a warning; ``reg.unavailable`` says why); ``strict=True`` raises for it.
    """
    report = inspect(app_name, config_path, environ, url_policy, defaults=defaults, strict=strict)
    if report.registry is None:
        raise ConfigError(report.errors)
    registry = report.registry
    if registry.warnings or registry.unavailable:
        import logging  # deferred: costs ~7 ms of start-up, needed only when there is a warning

        log = logging.getLogger("registry")
        for warning in registry.warnings:
            log.warning("%s", warning.render())
        for name, reason in registry.unavailable.items():
            log.warning("provider %r is unavailable: %s", name, reason)
    return registry


def inspect(app_name: str = APP_NAME, config_path: PathArg | None = None,
            environ: Mapping[str, str] | None = None, url_policy: str | UrlPolicy | None = None,
            *, apply_environment: bool = True, defaults: PathArg | None = None, strict: bool = False) -> LoadReport:
    """Read and check every layer; never raises ConfigError. ``apply_environment=False`` checks the
    files alone (the URL policy settings are still read from ``environ``)."""
    env = dict(os.environ) if environ is None else dict(environ)
    issues: list[Issue] = []
    request = _Request(app_name, config_path, env, environ is None, apply_environment,
                       open_validation_cache(app_name, env),  # no cache when PROVIDER_REGISTRY_NO_CACHE is set
                       defaults)
    layers = [_read(location, request) for location in _locate_all(request)]
    sources = tuple(layer.source for layer in layers)
    layer_issues = [issue for layer in layers for issue in layer.issues]
    issues.extend(layer_issues)
    if errors_in(layer_issues):  # no merge over a broken file
        effective_policy({}, url_policy, env, issues)  # a bad policy request is reported too
        return LoadReport(None, tuple(issues), sources)
    draft = Draft()
    for layer in layers:
        layer.merge_into(draft)
    policy, policy_origins = effective_policy(draft.settings, url_policy, env, issues)
    for layer in layers:
        issues.extend(layer.warnings())
    issues.extend(near_miss_warnings(draft))
    raw = _raw_values(draft, policy)
    isolated: list[Issue] = []
    table = build_table(draft, policy, issues, trusted_layers=OPERATOR_LAYERS, isolated=None if strict else isolated,
                        command_environ=env)
    if errors_in(issues):
        return LoadReport(None, tuple(issues + isolated), sources, **raw)
    registry = Registry(table, layers=sources, warnings=warnings_in(issues), url_policy=policy,
                        settings_origins={**settings_origins(draft), **policy_origins}, app_name=app_name)
    return LoadReport(registry, tuple(issues + isolated), sources, **raw)


def _raw_values(draft: Draft, policy: UrlPolicy) -> dict[str, Any]:
    """The ``LoadReport`` fields taken from the merged draft, unchecked (see ``LoadReport``)."""
    from types import MappingProxyType

    bases: dict[str, tuple[str, Origin]] = {}
    keys: dict[str, str] = {}
    for name, entry in draft.providers.items():
        base, origin = entry.get("api_base", (None, None))
        if isinstance(base, str) and origin is not None:
            bases[name] = (base, origin)
        key = entry.get("api_key", (None, None))[0]
        if isinstance(key, str) and key:
            keys[name] = key
    return {"raw_api_bases": MappingProxyType(bases), "raw_api_keys": MappingProxyType(keys), "url_policy": policy}
