"""The effective URL policy: what the operator wrote, made stricter, never looser, by the request.

The operator is whoever wrote an operator layer (the built-in file, the host's ``app`` defaults,
the machine's ``site`` file): only those files may set the top-level ``url_policy`` and
``allowed_hosts``, and they merge like any other value (a higher layer replaces a lower one's).
A user file that sets either is an error that says who may. The request (``load``'s
``url_policy`` argument, else ``PROVIDER_REGISTRY_URL_POLICY`` and
``PROVIDER_REGISTRY_ALLOWED_HOSTS``) may only tighten what the operator wrote: ``strict`` wins over
``default``, and an allow-list given under an operator's ``strict`` is intersected with the
operator's. A request that would loosen is ignored, with a warning naming who set the policy.
"""

from __future__ import annotations

from .issues import Issue
from .paths import SITE_CONFIG_ENV
from .provider import Origin
from .urls import (
    ALLOWED_HOSTS_ENV, URL_POLICY_ENV, PolicyError, UrlPolicy, intersect_allowed_hosts, parse_allowed_host,
    parse_policy, quote_url,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping

__all__ = ["POLICY_SETTINGS", "check_policy_settings", "effective_policy", "normalised_hosts"]

# The top-level settings only operator layers may write.
POLICY_SETTINGS = ("url_policy", "allowed_hosts")
_WHO_MAY = "only the host's defaults (load(defaults=...), registry --defaults) and the operator's site file may set it"
_ARGUMENT = Origin("app", "url_policy argument")


def check_policy_settings(data: Mapping[str, Any], origin: Callable[..., Origin], *, operator: bool,
                          check_entries: bool = True) -> list[Issue]:
    """The problems with a file's policy settings: set in a layer that may not set them, or (with
    ``check_entries``, for a schema-valid document) an allow-list entry that is no host.
    ``origin(path, key=...)`` locates."""
    issues: list[Issue] = []
    for name in POLICY_SETTINGS:
        if name in data and not operator:
            issues.append(origin((name,), key=True).issue(
                (name,), f"a user file cannot set {name!r}: {_WHO_MAY}",
                f"remove it; to make your own registry stricter, set {URL_POLICY_ENV}=strict and "
                f"{ALLOWED_HOSTS_ENV}; an operator checks a site file with "
                f"'{SITE_CONFIG_ENV}=FILE registry validate'", rule="operator-setting"))
    if operator and check_entries:
        for index, entry in enumerate(data.get("allowed_hosts") or ()):
            try:
                parse_allowed_host(entry)
            except PolicyError as problem:
                issues.append(origin(("allowed_hosts", index)).issue(
                    ("allowed_hosts", index), problem.message, problem.hint, kind="url", rule="allowed-host"))
    return issues


def normalised_hosts(entries: Any) -> tuple[str, ...]:
    """A checked ``allowed_hosts`` list in normal form, without repeats."""
    return tuple(dict.fromkeys(parse_allowed_host(entry) for entry in entries or ()))


def effective_policy(settings: Mapping[str, tuple[Any, Origin]], argument: str | UrlPolicy | None,
                     env: Mapping[str, str], issues: list[Issue]) -> tuple[UrlPolicy, dict[str, Origin]]:
    """The policy that applies, and where its name and allow-list came from.

    ``settings`` are the merged operator settings (``url_policy``: a name, ``allowed_hosts``: a
    checked list), each with its origin. Problems and ignored loosenings are appended to ``issues``.
    """
    operator_name, operator_name_origin = settings.get("url_policy", ("default", None))
    operator_hosts_value, operator_hosts_origin = settings.get("allowed_hosts", ((), None))
    operator_hosts = normalised_hosts(operator_hosts_value)
    requested, said_hosts, (asked_origin, asked_hosts_origin) = _requested(argument, env, issues)
    if requested is None:  # the request is unusable (an error is reported): the operator's policy stands
        requested, said_hosts = UrlPolicy(), False
    origins: dict[str, Origin] = {}
    if operator_name_origin is not None and (operator_name == "strict" or requested.name == "default"):
        origins["url_policy"] = operator_name_origin
    elif requested.name == "strict" or _asked_for_default(argument, env):
        origins["url_policy"] = asked_origin
    if said_hosts:
        origins["allowed_hosts"] = asked_hosts_origin
    elif operator_hosts_origin is not None:
        origins["allowed_hosts"] = operator_hosts_origin
    if operator_name != "strict" or operator_name_origin is None:  # the request may choose freely: it only tightens
        return UrlPolicy(requested.name, requested.allowed_hosts if said_hosts else operator_hosts), origins
    if _asked_for_default(argument, env):
        issues.append(_warning(asked_origin, f"'default' cannot loosen the strict URL policy set in "
                                             f"{operator_name_origin.location}; strict applies",
                               "remove the setting; only the operator's file can change the policy"))
    if not said_hosts:
        return UrlPolicy("strict", operator_hosts), origins
    hosts, ignored = intersect_allowed_hosts(operator_hosts, requested.allowed_hosts)
    if ignored:
        shown = ", ".join(quote_url(entry) for entry in ignored[:5]) + (", ..." if len(ignored) > 5 else "")
        where = operator_hosts_origin.location if operator_hosts_origin is not None else "none: loopback only"
        issues.append(_warning(asked_hosts_origin, f"the allow-list cannot add hosts the operator's allow-list "
                                                   f"({where}) does not allow: {shown}; they are ignored",
                               "ask the operator to add them to 'allowed_hosts' in their file"))
    return UrlPolicy("strict", hosts), origins


def _requested(argument: str | UrlPolicy | None, env: Mapping[str, str],
               issues: list[Issue]) -> tuple[UrlPolicy | None, bool, tuple[Origin, Origin]]:
    """The request's policy (None when unusable), whether it names an allow-list, and the origins
    of its name and its allow-list."""
    hosts_origin = Origin("env", ALLOWED_HOSTS_ENV)
    if isinstance(argument, UrlPolicy):  # a whole policy: a strict one names its allow-list, even an empty one
        return argument, argument.name == "strict" or bool(argument.allowed_hosts), (_ARGUMENT, _ARGUMENT)
    if argument is not None and not isinstance(argument, str):
        raise TypeError(f"url_policy must be a policy name, a UrlPolicy or None, not {type(argument).__name__}")
    name_origin = _ARGUMENT if argument is not None else Origin("env", URL_POLICY_ENV)
    text = env.get(ALLOWED_HOSTS_ENV)
    try:
        policy = parse_policy(env.get(URL_POLICY_ENV) if argument is None else argument, text)
    except PolicyError as problem:
        if problem.setting == "name" and argument is not None:
            issues.append(Issue(f"url_policy argument: {problem.message}", hint="pass 'default' or 'strict'"))
        else:
            var = URL_POLICY_ENV if problem.setting == "name" else ALLOWED_HOSTS_ENV
            issues.append(Issue(problem.message, env_var=var, hint=problem.hint or f"unset {var} or fix its value"))
        return None, False, (name_origin, hosts_origin)
    return policy, bool((text or "").strip()), (name_origin, hosts_origin)


def _asked_for_default(argument: str | UrlPolicy | None, env: Mapping[str, str]) -> bool:
    """Whether the request names the 'default' policy outright (not merely leaves it unset)."""
    if isinstance(argument, UrlPolicy):
        return argument.name == "default"
    text = argument if argument is not None else env.get(URL_POLICY_ENV)
    return bool(text and text.strip().lower() == "default")


def _warning(origin: Origin, message: str, hint: str) -> Issue:
    """A warning about the request, located at its variable (or naming the argument)."""
    if origin.layer == "env":
        return Issue(message, env_var=origin.source, hint=hint, severity="warning", rule="policy-not-loosened")
    return Issue(f"{origin.source}: {message}", hint=hint, severity="warning", rule="policy-not-loosened")
