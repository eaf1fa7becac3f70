"""Read every layer, merge them with origins, apply the environment, and build the Registry.

Precedence is ``model.LAYER_NAMES``: built-in file < user file < environment. Problems are
collected, not raised one at a time: ``inspect`` returns them all (for ``registry validate``) and
``load`` raises one ConfigError holding all of them.
"""

from __future__ import annotations

import os
import stat
from types import MappingProxyType

from .cache import open_validation_cache
from .errors import ConfigError, InvalidModelIdError
from .issues import Issue, IssueReport, errors_in, warnings_in
from .layers import FileLayer, read_file_layer
from .model import LayerSource, Origin, Provider, Registry
from .model_ids import route_model_id
from .paths import APP_NAME, builtin_providers_path, find_user_file
from .secrets import Secret, check_secret_text, is_placeholder_key
from .urls import ALLOWED_HOSTS_ENV, URL_POLICY_ENV, PolicyError, UrlPolicy, UrlProblem, parse_base_url, parse_policy
from .values import EMPTY_MAPPING, Frozen
from .yamlfile import JsonPath, format_pointer

TYPE_CHECKING = False  # typing costs ~4 ms to import, and annotations are strings here
if TYPE_CHECKING:
    from typing import Any, Mapping, TypeAlias

    _Valued: TypeAlias = tuple[Any, Origin]  # a merged value and where it came from

__all__ = ["ALLOWED_HOSTS_ENV", "URL_POLICY_ENV", "LoadReport", "inspect", "load"]



# The origin of a field that no layer wrote (a user-added provider's derived prefix, say).
IMPLICIT_DEFAULT = Origin("default", "implicit default")


class LoadReport(Frozen, IssueReport):
    """Everything ``inspect`` found: the registry (None when there are errors) and every issue."""

    __slots__ = ("registry", "issues", "layers")
    registry: Registry | None
    issues: tuple[Issue, ...]
    layers: tuple[LayerSource, ...]


def load(app_name: str = APP_NAME, config_path: str | os.PathLike[str] | None = None,
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


def inspect(app_name: str = APP_NAME, config_path: str | os.PathLike[str] | None = None,
            environ: Mapping[str, str] | None = None, url_policy: str | UrlPolicy | None = None,
            *, apply_environment: bool = True) -> LoadReport:
    """Read and check every layer; never raises ConfigError. ``apply_environment=False`` checks the
    files alone (the URL policy settings are still read from ``environ``)."""
    env = dict(os.environ) if environ is None else dict(environ)
    issues: list[Issue] = []
    policy = _policy(url_policy, env, issues)
    location = find_user_file(app_name, config_path, env)
    cache = open_validation_cache(app_name, env)  # None when PROVIDER_REGISTRY_NO_CACHE is set
    builtin = read_file_layer("default", builtin_providers_path(), required=True, cache=cache)
    user = read_file_layer("user", location.path, required=location.explicit, cache=cache)
    layers = (
        LayerSource("default", builtin.path, builtin.exists, "built-in"),
        LayerSource("user", user.path, user.exists, location.reason),
        LayerSource("env", "environment", True, "snapshot" if environ is None else "environ="),
    )
    file_issues = builtin.issues + user.issues
    issues.extend(file_issues)
    if errors_in(file_issues) or not builtin.ok:  # no merge without both files; env issues still count
        return LoadReport(None, tuple(issues), layers)
    draft = _merge((builtin, user))
    if apply_environment:
        _apply_environment(draft, env)
    issues.extend(_user_file_warnings(user))
    issues.extend(_near_miss_names(draft))
    registry = _build(draft, policy, layers, issues)
    return LoadReport(None if errors_in(issues) else registry, tuple(issues), layers)


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


class _Draft:
    """The merge in progress: raw values from the layers, each with its origin."""

    __slots__ = ("providers", "declared", "fallback", "aliases")

    def __init__(self) -> None:
        self.providers: dict[str, dict[str, _Valued]] = {}
        self.declared: dict[str, Origin] = {}
        self.fallback: _Valued | None = None
        self.aliases: dict[str, _Valued] = {}


def _merge(layers: tuple[FileLayer, ...]) -> _Draft:
    """Overlay the file layers in precedence order, field by field, remembering origins."""
    draft = _Draft()
    for layer in layers:
        data = layer.data
        if "fallback" in data:
            draft.fallback = (data["fallback"], layer.origin(("fallback",)))
        for alias, target in (data.get("aliases") or {}).items():
            draft.aliases[alias] = (target, layer.origin(("aliases", alias)))
        for name, fields in (data.get("providers") or {}).items():
            entry = draft.providers.setdefault(name, {})
            draft.declared.setdefault(name, layer.origin(("providers", name), key=True))
            for field_name, value in (fields or {}).items():
                entry[field_name] = (value, layer.origin(("providers", name, field_name)))
    return draft


def _names(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    return (raw,) if isinstance(raw, str) else tuple(raw)


def _apply_environment(draft: _Draft, env: Mapping[str, str]) -> None:
    """The environment layer: the first set, non-empty variable of each ``*_env`` list wins."""
    for entry in draft.providers.values():
        for target, names_field in (("api_base", "api_base_env"), ("api_key", "api_key_env")):
            for var in _names(entry.get(names_field, (None,))[0]):
                value = env.get(var)
                if value:
                    entry[target] = (value, Origin("env", var))
                    break


def _user_file_warnings(user: FileLayer) -> list[Issue]:
    """Inline real keys in a user file: recommend api_key_env, and flag loose file permissions."""
    document = user.document
    if document is None:
        return []
    warnings: list[Issue] = []
    inline = []
    for name, entry in user.data.get("providers", {}).items():
        key = (entry or {}).get("api_key")
        if isinstance(key, str) and not is_placeholder_key(key, name):
            inline.append(name)
            line, column = document.position(("providers", name, "api_key"))
            warnings.append(Issue(
                f"provider {name!r} has an API key written inline in the file", path=user.path, line=line, column=column,
                pointer=format_pointer(("providers", name, "api_key")), severity="warning",
                hint="put the key in an environment variable and name it with 'api_key_env'",
            ))
    if inline:
        try:
            mode = os.stat(user.path).st_mode
        except OSError:
            mode = 0
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            warnings.append(Issue(
                f"the file holds an API key and is readable by group or others (mode {stat.S_IMODE(mode):04o})",
                path=user.path, severity="warning", hint=f"chmod 600 {user.path}",
            ))
    return warnings


def _near_miss_names(draft: _Draft) -> list[Issue]:
    """A provider the user file adds whose name is one typo away from a built-in one ('olama'):
    the user almost certainly meant to change the built-in, and would otherwise get a new,
    keyless provider and an override that silently never applies."""
    builtin = [name for name, origin in draft.declared.items() if origin.layer == "default"]
    warnings = []
    for name, origin in draft.declared.items():
        if origin.layer == "default":
            continue
        # Cheap filters before difflib, which would cost seconds on a generated 10,000-provider
        # file: a ratio of 0.8 needs lengths within a quarter of each other, and a typo keeps
        # the first or the last letter ('olama', 'lmstudio', 'vlm', 'lolama').
        near = [b for b in builtin if 4 * abs(len(b) - len(name)) <= len(b) + len(name)
                and (b[0] == name[0] or b[-1] == name[-1])]
        if not near:
            continue
        import difflib  # deferred: most files add no provider that could be a typo

        close = difflib.get_close_matches(name, near, n=1, cutoff=0.8)
        if close and not name.startswith(close[0]):  # 'vllm2' or 'ollama-gpu' extend on purpose
            warnings.append(_where(origin, ("providers", name),
                                   f"provider {name!r} is new, but its name is close to the built-in {close[0]!r}",
                                   f"to change the built-in provider, name it {close[0]!r}; "
                                   "to add a provider, give it a more distinct name", severity="warning"))
    return warnings


def _where(origin: Origin, pointer_path: JsonPath, message: str, hint: str | None, severity: str = "error", *,
           kind: str = "semantic", rule: str | None = None) -> Issue:
    """An issue located at a value's origin: file:line for file layers, the variable for env."""
    pointer = format_pointer(pointer_path)
    if origin.layer == "env":
        return Issue(message, env_var=origin.source, pointer=pointer, hint=hint, severity=severity, kind=kind, rule=rule)
    return Issue(message, path=origin.source, line=origin.line, column=origin.column, pointer=pointer, hint=hint,
                 severity=severity, kind=kind, rule=rule)


def _build(draft: _Draft, policy: UrlPolicy, layers: tuple[LayerSource, ...], issues: list[Issue]) -> Registry:
    """Check the merged values and freeze them into a Registry (returned even when issues exist)."""
    providers: list[Provider] = []
    disabled: dict[str, str] = {}
    prefix_owner: dict[str, str] = {}
    for name, entry in draft.providers.items():
        declared = draft.declared[name]
        prefix = entry.get("prefix", (f"{name}/", declared))[0]
        if entry.get("enabled", (True, declared))[0] is False:
            disabled[prefix[:-1]] = name
            continue
        provider = _build_provider(name, entry, declared, policy, issues)
        if prefix in prefix_owner:
            origin = entry.get("prefix", (prefix, declared))[1]
            issues.append(_where(origin, ("providers", name, "prefix"),
                                 f"prefix {prefix!r} is already used by provider {prefix_owner[prefix]!r}",
                                 "give each provider its own prefix, or disable one with 'enabled: false'"))
            continue
        prefix_owner[prefix] = name
        providers.append(provider)
    names = [p.name for p in providers]
    fallback, fallback_origin = draft.fallback if draft.fallback else (None, None)
    if fallback is not None and fallback not in names:
        if fallback in draft.providers:
            message, hint = f"fallback provider {fallback!r} is disabled", "enable it, or set 'fallback: null'"
        else:
            import difflib  # deferred: only near misses need it

            close = difflib.get_close_matches(fallback, names, n=1, cutoff=0.6)
            message = f"fallback names an unknown provider {fallback!r}"
            hint = f"did you mean {close[0]!r}?" if close else f"known providers: {', '.join(names)}; or 'fallback: null'"
        issues.append(_where(fallback_origin or IMPLICIT_DEFAULT, ("fallback",), message, hint))
        fallback = None
    settings_origins = {"fallback": fallback_origin} if fallback_origin else {}
    for alias, (_, origin) in draft.aliases.items():
        settings_origins[f"aliases.{alias}"] = origin
    registry = Registry.build(
        providers, fallback,
        aliases={alias: target for alias, (target, _) in draft.aliases.items()},
        disabled=disabled, layers=layers,
        warnings=warnings_in(issues),
        url_policy=policy, settings_origins=settings_origins,
    )
    for alias, (target, origin) in draft.aliases.items():
        if target in registry.aliases:
            issues.append(_where(origin, ("aliases", alias), f"alias {alias!r} points at another alias {target!r}",
                                 "point it at a full model id"))
            continue
        try:  # routing only: a key that is missing now may be set when the alias is used
            route_model_id(registry, target)
        except InvalidModelIdError as exc:
            hint = f"did you mean {exc.suggestion!r}?" if exc.suggestion else \
                "point the alias at a model id that 'registry resolve' accepts"
            issues.append(_where(origin, ("aliases", alias),
                                 f"alias {alias!r} points at an invalid model id: {exc.reason}", hint))
    return registry


def _build_provider(name: str, entry: dict[str, _Valued], declared: Origin, policy: UrlPolicy,
                    issues: list[Issue]) -> Provider:
    def value(field_name: str, default: Any = None) -> Any:
        return entry[field_name][0] if field_name in entry else default

    origins = {field_name: origin for field_name, (_, origin) in entry.items()}
    origins["name"] = declared  # where the provider is named: it decides ids with its prefix
    for implicit in ("prefix", "litellm_provider", "model_format", "efforts"):
        origins.setdefault(implicit, IMPLICIT_DEFAULT)  # no layer wrote it: the format's default
    where = ("providers", name)

    api_base = ""
    if "api_base" not in entry:
        issues.append(_where(declared, where, f"provider {name!r} has no api_base",
                             "add 'api_base: http://HOST:PORT/v1'"))
    else:
        api_base = _checked_url(entry["api_base"], where + ("api_base",), policy, issues)
    api_bases = tuple(_checked_url((url, origins["api_bases"]), where + ("api_bases", i), policy, issues)
                      for i, url in enumerate(value("api_bases", ())))

    api_key = None
    key_source = None
    if "api_key" in entry:
        raw_key, key_origin = entry["api_key"]
        problem = check_secret_text(raw_key)
        if problem is not None:
            what = f"API key in {key_origin.source}" if key_origin.layer == "env" else "api_key"
            issues.append(_where(key_origin, where + ("api_key",), f"{what} {problem}",
                                 "remove the stray characters (a trailing newline is a common cause)"))
        else:
            api_key = Secret(raw_key)
            if key_origin.layer == "env":
                key_source = key_origin.source
            elif is_placeholder_key(raw_key, name):
                key_source = "placeholder"
            else:
                key_source = "user file"

    headers = {}
    for header, text in (value("headers") or {}).items():
        headers[header] = Secret(text)

    return Provider(
        name=name,
        prefix=value("prefix", f"{name}/"),
        api_base=api_base,
        api_bases=api_bases,
        api_base_env=_names(value("api_base_env")),
        api_key=api_key,
        api_key_env=_names(value("api_key_env")),
        key_source=key_source,
        litellm_provider=value("litellm_provider", "openai"),
        efforts=tuple(value("efforts", ())),
        effort_aliases=_frozen(value("effort_aliases") or {}),
        model_format=value("model_format", "any"),
        description=value("description", ""),
        headers=_frozen(headers),
        timeout=float(value("timeout")) if value("timeout") is not None else None,
        origins=_frozen(origins),
    )


def _frozen(mapping: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping)) if mapping else EMPTY_MAPPING


def _checked_url(valued: _Valued, path: JsonPath, policy: UrlPolicy, issues: list[Issue]) -> str:
    raw, origin = valued
    text = raw if isinstance(raw, str) else ""
    # Env values are stripped (shells add newlines); in a file, surrounding whitespace is a problem.
    url = parse_base_url(text, policy, strip=origin.layer == "env")
    if isinstance(url, UrlProblem):
        message = f"{url.message} (rule: {url.rule}; layer: {origin.layer})"
        issues.append(_where(origin, path, message, url.hint, kind="url", rule=url.rule))
        return text.strip()
    return url.normal
