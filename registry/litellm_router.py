"""An in-process ``litellm.Router`` over the registry's providers and replicas: scale-out without
a proxy.

The model list is the proxy export's groups (``export.router_model_list``): one wildcard group
``<prefix>*`` per provider, one deployment per base URL, the key ``resolve`` would send (a
per-session key of ``reg.with_keys`` included) and the headers in each deployment's
``litellm_params``, the provider's ``timeout``. The settings default to the
export's tuned ``export.ROUTER_SETTINGS`` (weighted failover on), and keyword arguments override them.

``Router.acompletion`` / ``completion`` accept every id the registry resolves: the id is routed
by the registry first (aliases, the fallback provider, the refusals of ``resolve``), then sent to
the group of its provider as ``<prefix><model>``; an effort level is placed where ``resolve``
places it. Only the async entry points use weighted failover (LiteLLM's limitation).

The module is named ``litellm_router`` and not ``router`` so that importing it never replaces the
package attribute ``registry.router`` (the function) with a module. litellm is imported on first
use; without it, MissingDependencyError names the ``[litellm]`` extra.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from functools import cache
from typing import Any

from .export import ROUTER_SETTINGS, router_model_list
from .live import import_litellm
from .model import Registry
from .suggest import close_match

__all__ = ["RESOLVED_PER_CALL", "router"]

FEATURE = "registry.router"
# What ``resolve`` adds per request on top of a deployment's litellm_params: the effort level.
RESOLVED_PER_CALL = ("extra_body", "reasoning_effort")


def router(reg: Registry, providers: Iterable[str] | None = None, **settings: Any) -> Any:
    """A ``litellm.Router`` whose model groups are ``reg``'s providers (default: every enabled one
    that has a key; ``providers`` names them, MissingApiKeyError / ConfigError when a named one
    cannot be used). ``settings`` override ``ROUTER_SETTINGS`` and are any ``litellm.Router``
    keyword; an unknown one raises TypeError with a did-you-mean. ``model_list`` is the registry's.
    ``router.registry_notes`` says which providers were left out and why."""
    litellm = import_litellm(FEATURE)
    accepted = _router_parameters(litellm.Router)
    for name in settings:
        if name not in accepted or name == "model_list":
            hint = close_match(name, sorted(accepted - {"model_list"}))
            suggestion = f"; did you mean {hint!r}?" if hint else ""
            reason = "comes from the registry" if name == "model_list" else "is not a litellm.Router setting"
            raise TypeError(f"router() setting {name!r} {reason}{suggestion}")
    model_list, notes = router_model_list(reg, providers)
    merged = {**ROUTER_SETTINGS, **settings}  # the exported router_settings, then the caller's
    return _router_class(litellm.Router)(reg, notes, model_list=model_list, **merged)


@cache
def _router_parameters(router_class: type) -> frozenset[str]:
    return frozenset(inspect.signature(router_class).parameters)


@cache
def _router_class(base: type) -> type:
    """``litellm.Router`` routing every id through the registry first (defined once litellm is
    imported, hence here)."""

    class RegistryRouter(base):  # type: ignore[valid-type, misc]  # base is litellm.Router
        """A ``litellm.Router`` for a registry: ``model`` is any id the registry resolves."""

        def __init__(self, reg: Registry, notes: tuple[str, ...], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.registry = reg
            self.registry_notes = notes  # providers left out, and why

        def group_request(self, model: str, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            """The router's model name for ``model`` and the call's kwargs with the effort placed
            as ``resolve`` places it; the errors of ``resolve`` (InvalidModelIdError,
            MissingApiKeyError, UnsupportedEffortError with ``strict``...)."""
            effort = kwargs.pop("reasoning_effort", None)
            strict = bool(kwargs.pop("strict", False))
            route = self.registry.route(model)
            resolved = self.registry.resolve(model, reasoning_effort=effort, strict=strict)
            for name in RESOLVED_PER_CALL:
                if name in resolved:
                    value = resolved[name]
                    if isinstance(value, dict) and isinstance(kwargs.get(name), dict):
                        value = {**value, **kwargs[name]}  # the caller's own entries win
                    kwargs[name] = value
            return f"{route.provider.prefix}{route.model}", kwargs

        async def acompletion(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
            name, kwargs = self.group_request(model, kwargs)
            return await super().acompletion(model=name, messages=messages, **kwargs)

        def completion(self, model: str, messages: list[dict[str, Any]], **kwargs: Any) -> Any:
            name, kwargs = self.group_request(model, kwargs)
            return super().completion(model=name, messages=messages, **kwargs)

    RegistryRouter.__qualname__ = "RegistryRouter"
    return RegistryRouter
