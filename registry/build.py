"""Merged draft -> checked, frozen providers and the routing table, with every problem located.

Pure: no file or environment I/O (the layers did it). Problems are appended to the caller's list
of issues, each located at the origin of the value that caused it. Each issue costs a bounded time
and size, however many providers and aliases there are: alias targets are guessed from the routing
table's one ``suggest.Vocabulary``, lists of names are cut by ``text.listed``, and names from a
file are echoed through ``text.quoted``.
"""

from __future__ import annotations


from .errors import InvalidModelIdError
from .hosts import is_local_host
from .issues import Issue
from .keys import KEY_COMMAND_LAYER, KEY_FILE_LAYER, KeyCommand
from .layers import as_names
from .provider import IMPLICIT_DEFAULT, ModelSpec, Origin, Provider, accepted_levels
from .routing import RouteTable
from .secrets import Secret, check_secret_text
from .suggest import close_match, did_you_mean
from .text import listed, quoted
from .urls import BaseUrl, UrlPolicy, UrlProblem, parse_base_url
from .values import frozen_mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from typing import Any

    from .issues import JsonPath
    from .keys import KeyFileResult
    from .layers import Draft, Valued

__all__ = ["build_table", "near_miss_warnings", "settings_origins"]


# Where a provider's kind comes from when no layer writes it.
_DERIVED_KIND = Origin("default", "derived from api_base")
# Where values come from that no file holds: a problem with one breaks only its provider.
_RUNTIME_LAYERS = frozenset({"env", KEY_FILE_LAYER})


def build_table(draft: Draft, policy: UrlPolicy, issues: list[Issue], *, trusted_layers: Collection[str],
                isolated: list[Issue] | None = None, command_environ: Mapping[str, str] | None = None) -> RouteTable:
    """Check the merged values and freeze them into a RouteTable (built even when issues exist,
    so that alias targets can be routed and every problem reported).

    Values from ``trusted_layers`` (written by the package, the host or the operator) skip the
    strict policy's https and allow-list rules. With ``isolated`` (a list), a problem with a value
    from the environment or a key file goes there instead of ``issues`` and makes only its
    provider unavailable (``Provider.problems``): the rest of the registry works. A key command
    runs, when first needed, in ``command_environ`` (default: the process's environment).
    """
    providers: list[Provider] = []
    disabled: dict[str, str] = {}
    prefix_owner: dict[str, str] = {}
    for name, entry in draft.providers.items():
        declared = draft.declared[name]
        prefix = entry.get("prefix", (f"{name}/", declared))[0]
        if entry.get("enabled", (True, declared))[0] is False:
            disabled[prefix[:-1]] = name
            continue
        runtime: list[Issue] = []
        key_file = draft.key_files.get(name)
        if key_file is not None:
            runtime += [issue for issue in key_file.issues if issue.severity == "error"]
            issues += [issue for issue in key_file.issues if issue.severity != "error"]
        provider = _build_provider(name, entry, declared, policy, issues, runtime, trusted_layers, key_file,
                                   command_environ)
        if name in draft.models:
            provider = provider.replace(models=_build_models(name, provider, draft))
        if isolated is not None and runtime:
            isolated.extend(runtime)
            provider = provider.replace(problems=tuple(runtime))
        else:
            issues.extend(runtime)
        if prefix in prefix_owner:
            origin = entry.get("prefix", (prefix, declared))[1]
            issues.append(origin.issue(("providers", name, "prefix"),
                                       f"prefix {quoted(prefix)} is already used by provider {quoted(prefix_owner[prefix])}",
                                       "give each provider its own prefix, or disable one with 'enabled: false'"))
            continue
        prefix_owner[prefix] = name
        providers.append(provider)
    fallback = _checked_fallback(draft, [p.name for p in providers], issues)
    table = RouteTable(providers, fallback, {alias: target for alias, (target, _) in draft.aliases.items()}, disabled)
    _check_aliases(draft, table, issues)
    return table


def settings_origins(draft: Draft) -> dict[str, Origin]:
    """Where the top-level settings came from: ``fallback`` and ``aliases.<name>``."""
    origins = {"fallback": draft.fallback[1]} if draft.fallback else {}
    for alias, (_, origin) in draft.aliases.items():
        origins[f"aliases.{alias}"] = origin
    return origins


def near_miss_warnings(draft: Draft) -> list[Issue]:
    """A provider a file adds whose name is one typo away from a built-in one ('olama'): the user
    almost certainly meant to change the built-in, and would otherwise get a new, keyless
    provider and an override that silently never applies."""
    builtin = [name for name, origin in draft.declared.items() if origin.layer == "default"]
    warnings = []
    for name, origin in draft.declared.items():
        if origin.layer == "default":
            continue
        # A typo keeps the first or the last letter ('olama', 'lmstudio', 'vlm', 'lolama'): a
        # cheap filter before difflib on a generated 10,000-provider file. The built-in names are
        # a handful (the operator's file), so each name costs a few comparisons at most.
        near = [b for b in builtin if name and (b[0] == name[0] or b[-1] == name[-1])]
        close = close_match(name, near, valid_input=True) if near else None
        if close and not name.startswith(close):  # 'vllm2' or 'ollama-gpu' extend on purpose
            warnings.append(origin.issue(("providers", name),
                                         f"provider {quoted(name)} is new, but its name is close to the built-in {close!r}",
                                         f"to change the built-in provider, name it {close!r}; "
                                         "to add a provider, give it a more distinct name", severity="warning"))
    return warnings


def _checked_fallback(draft: Draft, names: list[str], issues: list[Issue]) -> str | None:
    fallback, origin = draft.fallback if draft.fallback else (None, None)
    if fallback is None or fallback in names:
        return fallback
    if fallback in draft.providers:
        message, hint = f"fallback provider {quoted(fallback)} is disabled", "enable it, or set 'fallback: null'"
    else:
        close = close_match(fallback, names)
        message = f"fallback names an unknown provider {quoted(fallback)}"
        hint = did_you_mean(close) if close else f"known providers: {listed(names)}; or 'fallback: null'"
    issues.append((origin or IMPLICIT_DEFAULT).issue(("fallback",), message, hint))
    return None


def _check_aliases(draft: Draft, table: RouteTable, issues: list[Issue]) -> None:
    for alias, (target, origin) in draft.aliases.items():
        if target in table.aliases:
            issues.append(origin.issue(("aliases", alias), f"alias {quoted(alias)} points at another alias {quoted(target)}",
                                       "point it at a full model id"))
            continue
        try:  # routing only: a key that is missing now may be set when the alias is used
            table.route(target)
        except InvalidModelIdError as exc:
            hint = did_you_mean(exc.suggestion) if exc.suggestion else \
                "point the alias at a model id that 'registry resolve' accepts"
            issues.append(origin.issue(("aliases", alias),
                                       f"alias {quoted(alias)} points at an invalid model id: {exc.reason}", hint))


def _build_provider(name: str, entry: dict[str, Valued], declared: Origin, policy: UrlPolicy,
                    issues: list[Issue], runtime: list[Issue], trusted_layers: Collection[str],
                    key_file: KeyFileResult | None, command_environ: Mapping[str, str] | None) -> Provider:
    """One provider; each problem goes to ``runtime`` when its value came from outside the files
    (``_RUNTIME_LAYERS``), to ``issues`` otherwise."""
    def value(field_name: str, default: Any = None) -> Any:
        return entry[field_name][0] if field_name in entry else default

    def sink(origin: Origin) -> list[Issue]:
        return runtime if origin.layer in _RUNTIME_LAYERS else issues

    origins = {field_name: origin for field_name, (_, origin) in entry.items()}
    origins["name"] = declared  # where the provider is named: it decides ids with its prefix
    for implicit in ("prefix", "litellm_provider", "model_format", "efforts", "thinking"):
        origins.setdefault(implicit, IMPLICIT_DEFAULT)  # no layer wrote it: the format's default
    where = ("providers", name)

    api_base = ""
    if "api_base" not in entry:
        issues.append(declared.issue(where, f"provider {quoted(name)} has no api_base", "add 'api_base: http://HOST:PORT/v1'"))
    else:
        api_base = _checked_url(entry["api_base"], where + ("api_base",), policy, sink(entry["api_base"][1]),
                                trusted_layers)
    api_bases = tuple(_checked_url((url, origins["api_bases"]), where + ("api_bases", i), policy, issues, trusted_layers)
                      for i, url in enumerate(value("api_bases", ())))
    kind = value("kind")
    if kind is None:
        kind = _derived_kind(api_base)
        origins["kind"] = _DERIVED_KIND

    api_key = None
    key_command = None
    key_origin = entry["api_key"][1] if "api_key" in entry else None
    if "api_key_command" in entry and (key_origin is None or key_origin.layer not in _RUNTIME_LAYERS):
        # No variable and no key file gave the key: the command will, on first use (before any
        # inline placeholder).
        key_command = KeyCommand(value("api_key_command"), command_environ, entry["api_key_command"][1])
        origins["api_key"] = Origin(KEY_COMMAND_LAYER, key_command.name)
    elif "api_key" in entry:
        raw_key, key_origin = entry["api_key"]
        problem = check_secret_text(raw_key)
        if problem is not None:
            if key_origin.layer == "env":  # surrounding whitespace was stripped (layers.EnvLayer)
                what, hint = f"API key in {key_origin.source}", \
                    "the key has stray characters inside it; copy it again from where it was issued"
            else:
                what, hint = "api_key", "remove the stray characters (a trailing newline is a common cause)"
            sink(key_origin).append(key_origin.issue(where + ("api_key",), f"{what} {problem}", hint))
        else:
            api_key = Secret(raw_key)

    headers = {header: Secret(text) for header, text in (value("headers") or {}).items()}
    return Provider(
        name=name,
        prefix=value("prefix", f"{name}/"),
        api_base=api_base,
        api_bases=api_bases,
        api_base_env=as_names(value("api_base_env")),
        api_key=api_key,
        api_key_env=as_names(value("api_key_env")),
        api_key_file=as_names(value("api_key_file")),
        api_key_command=tuple(value("api_key_command", ())),
        api_key_help=value("api_key_help", ""),
        key_command=key_command,
        key_file_paths=key_file.candidates if key_file is not None else (),
        key_file_variables=key_file.variables if key_file is not None else (),
        litellm_provider=value("litellm_provider", "openai"),
        efforts=tuple(value("efforts", ())),
        effort_aliases=frozen_mapping(value("effort_aliases") or {}),
        thinking=value("thinking", "extra_body"),
        model_format=value("model_format", "any"),
        description=value("description", ""),
        headers=frozen_mapping(headers),
        timeout=float(value("timeout")) if value("timeout") is not None else None,
        kind=kind,
        origins=frozen_mapping(origins),
    )


def _build_models(name: str, provider: Provider, draft: Draft) -> Mapping[str, ModelSpec]:
    """The declared models of provider ``name``, each with its fields' origins."""
    models = {}
    for model, fields in draft.models[name].items():
        origins = {field_name: origin for field_name, (_, origin) in fields.items()}
        origins["name"] = draft.model_declared[(name, model)]
        efforts = tuple(fields["efforts"][0]) if "efforts" in fields else None
        models[model] = ModelSpec(
            name=model,
            **{field_name: fields[field_name][0] if field_name in fields else None
               for field_name in ("context_window", "max_output_tokens", "tools", "vision", "reasoning", "thinking")},
            efforts=efforts,
            description=fields["description"][0] if "description" in fields else "",
            accepted_efforts=accepted_levels(efforts, provider.effort_aliases) if efforts is not None else None,
            origins=frozen_mapping(origins),
        )
    return frozen_mapping(models)


def _derived_kind(api_base: str) -> str:
    """``local`` when ``api_base`` names this machine or its network (``hosts.is_local_host``),
    else ``hosted``; ``hosted`` too when there is no usable URL, the careful answer."""
    url = parse_base_url(api_base) if api_base else None
    return "local" if isinstance(url, BaseUrl) and is_local_host(url.host) else "hosted"


def _checked_url(valued: Valued, path: JsonPath, policy: UrlPolicy, issues: list[Issue],
                 trusted_layers: Collection[str]) -> str:
    """The normal form of a base URL, or "" after appending why it is refused."""
    raw, origin = valued
    text = raw if isinstance(raw, str) else ""
    # Env values are stripped (shells add newlines); in a file, surrounding whitespace is a problem.
    # Operator layers are trusted: strict's allow-list and https rule are for the user's values.
    url = parse_base_url(text, policy, strip=origin.layer == "env", trusted=origin.layer in trusted_layers)
    if isinstance(url, UrlProblem):
        message = f"{url.message} (rule: {url.rule}; layer: {origin.layer})"
        issues.append(origin.issue(path, message, url.hint, kind="url", rule=url.rule))
        return ""
    return url.normal
