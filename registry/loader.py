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
from .layers import Draft, EnvLayer, FileLayer, read_file_layer
from .model import Registry
from .fsio import check_path
from .paths import APP_NAME, CONFIG_ENV, builtin_providers_path, find_user_file
from .provider import LayerSource
from .urls import ALLOWED_HOSTS_ENV, URL_POLICY_ENV, PolicyError, UrlPolicy, parse_policy
from .values import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Mapping, TypeAlias

    from .cache import ValidationCache

    Layer: TypeAlias = FileLayer | EnvLayer
    PathArg: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]

__all__ = [
    "ALLOWED_HOSTS_ENV", "LAYER_NAMES", "PRECEDENCE", "URL_POLICY_ENV", "LayerLocation", "LoadReport", "check_user_file_setting",
    "inspect", "load", "locate_layers",
]


class _Request(Frozen):
    """What the layer readers of one ``inspect`` call share."""

    __slots__ = ("app_name", "config_path", "environ", "snapshot", "apply_environment", "cache")
    app_name: str
    config_path: PathArg | None
    environ: Mapping[str, str]
    snapshot: bool  # True when ``environ`` is a copy of os.environ, False when the caller passed it
    apply_environment: bool
    cache: ValidationCache | None
    _hidden = frozenset({"environ"})
    _defaults = {"snapshot": False, "apply_environment": True, "cache": None}


class LayerLocation(Frozen):
    """Where one layer is read from, decided before it is read. ``path`` (a str, as the ``os``
    functions take it; show it with ``fsio.shown_path``) is None for the environment; ``required``
    layers must exist (the built-in file, a user file named on purpose)."""

    __slots__ = ("layer", "path", "reason", "required")
    layer: str
    path: str | None
    reason: str
    required: bool


def _locate_builtin(name: str, request: _Request) -> LayerLocation:
    return LayerLocation(name, str(builtin_providers_path()), "built-in", True)


def _locate_user_file(name: str, request: _Request) -> LayerLocation:
    found = find_user_file(request.app_name, request.config_path, request.environ)
    return LayerLocation(name, found.path, found.reason, found.explicit)


def _locate_environment(name: str, request: _Request) -> LayerLocation:
    return LayerLocation(name, None, "snapshot" if request.snapshot else "environ=", False)


# Precedence of the configuration layers, lowest first: a later layer overrides an earlier one.
# Each entry is the layer's name and the function that says where it is read from; reading,
# merging, origins and `registry paths` all follow this one list.
PRECEDENCE: tuple[tuple[str, Callable[[str, _Request], LayerLocation]], ...] = (
    ("default", _locate_builtin),
    ("user", _locate_user_file),
    ("env", _locate_environment),
)
LAYER_NAMES = tuple(name for name, _ in PRECEDENCE)


def locate_layers(app_name: str = APP_NAME, config_path: PathArg | None = None,
                  environ: Mapping[str, str] | None = None) -> tuple[LayerLocation, ...]:
    """Where each layer would be read from, in precedence order (nothing is read)."""
    request = _Request(app_name, config_path, dict(os.environ) if environ is None else environ, environ is None)
    return tuple(locate(name, request) for name, locate in PRECEDENCE)


def check_user_file_setting(app_name: str = APP_NAME, config_path: PathArg | None = None,
                            environ: Mapping[str, str] | None = None) -> Issue | None:
    """The Issue when the user file named on purpose (``config_path``, else
    ``PROVIDER_REGISTRY_CONFIG``) is a malformed path (empty, a NUL byte, too long, ...; see
    ``fsio.check_path``), None otherwise. Nothing is read: the CLI checks ``--config`` with this
    before any command runs, as it checks ``--app``; ``inspect`` reports the same Issue."""
    found = find_user_file(app_name, config_path, {} if environ is None else environ)
    if not found.explicit:
        return None
    return check_path(found.path, setting=CONFIG_ENV if found.reason == CONFIG_ENV else None)


def _read(location: LayerLocation, request: _Request) -> Layer:
    if location.path is None:
        return EnvLayer(location.layer, request.environ if request.apply_environment else {}, location.reason)
    return read_file_layer(location.layer, location.path, required=location.required, reason=location.reason,
                           cache=request.cache)


class LoadReport(Frozen, IssueReport):
    """Everything ``inspect`` found: the registry (None when there are errors) and every issue."""

    __slots__ = ("registry", "issues", "layers")
    registry: Registry | None
    issues: tuple[Issue, ...]
    layers: tuple[LayerSource, ...]


def load(app_name: str = APP_NAME, config_path: PathArg | None = None,
         environ: Mapping[str, str] | None = None, url_policy: str | UrlPolicy | None = None) -> Registry:
    """Build the effective registry; raise ConfigError listing every problem in every layer.

    ``environ`` defaults to a snapshot of ``os.environ`` taken now; later changes to the process
    environment do not affect the returned registry (call ``load`` again to pick them up).
    """
    report = inspect(app_name, config_path, environ, url_policy)
    if report.registry is None:
        raise ConfigError(report.errors)
    if report.warnings:
        import logging  # deferred: costs ~7 ms of start-up, needed only when there is a warning

        log = logging.getLogger("registry")
        for warning in report.warnings:
            log.warning("%s", warning.render())
    return report.registry


def inspect(app_name: str = APP_NAME, config_path: PathArg | None = None,
            environ: Mapping[str, str] | None = None, url_policy: str | UrlPolicy | None = None,
            *, apply_environment: bool = True) -> LoadReport:
    """Read and check every layer; never raises ConfigError. ``apply_environment=False`` checks the
    files alone (the URL policy settings are still read from ``environ``)."""
    env = dict(os.environ) if environ is None else dict(environ)
    issues: list[Issue] = []
    policy = _policy(url_policy, env, issues)
    request = _Request(app_name, config_path, env, environ is None, apply_environment,
                       open_validation_cache(app_name, env))  # no cache when PROVIDER_REGISTRY_NO_CACHE is set
    layers = [_read(locate(name, request), request) for name, locate in PRECEDENCE]
    sources = tuple(layer.source for layer in layers)
    layer_issues = [issue for layer in layers for issue in layer.issues]
    issues.extend(layer_issues)
    if errors_in(layer_issues):  # no merge over a broken file; a bad policy variable stops nothing
        return LoadReport(None, tuple(issues), sources)
    draft = Draft()
    for layer in layers:
        layer.merge_into(draft)
    for layer in layers:
        issues.extend(layer.warnings())
    issues.extend(near_miss_warnings(draft))
    table = build_table(draft, policy, issues)
    if errors_in(issues):
        return LoadReport(None, tuple(issues), sources)
    registry = Registry(table, layers=sources, warnings=warnings_in(issues), url_policy=policy,
                        settings_origins=settings_origins(draft))
    return LoadReport(registry, tuple(issues), sources)


def _policy(url_policy: str | UrlPolicy | None, env: Mapping[str, str], issues: list[Issue]) -> UrlPolicy:
    if isinstance(url_policy, UrlPolicy):
        return url_policy
    if url_policy is not None and not isinstance(url_policy, str):
        raise TypeError(f"url_policy must be a policy name, a UrlPolicy or None, not {type(url_policy).__name__}")
    name = env.get(URL_POLICY_ENV) if url_policy is None else url_policy
    try:
        return parse_policy(name, env.get(ALLOWED_HOSTS_ENV))
    except PolicyError as problem:
        if problem.setting == "name" and url_policy is not None:
            issues.append(Issue(f"url_policy argument: {problem.message}", hint="pass 'default' or 'strict'"))
        else:
            var = URL_POLICY_ENV if problem.setting == "name" else ALLOWED_HOSTS_ENV
            issues.append(Issue(problem.message, env_var=var, hint=problem.hint or f"unset {var} or fix its value"))
        return UrlPolicy()
