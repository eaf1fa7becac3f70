"""The registry as an opencode ``opencode.json``: one custom provider per registry provider.

Each provider becomes ``provider.<id>`` with ``npm: "@ai-sdk/openai-compatible"``; ``<id>`` is
its prefix without the slash, so opencode's ``<id>/<model>`` is the registry's id.
``options.baseURL`` is the provider's first base URL (opencode has no replicas) and
``options.timeout`` its timeout in milliseconds. Each model becomes ``models.<model>`` with
``name`` the registry's id, ``limit.context`` / ``limit.output`` from the context window and
output limit (opencode needs both: only when both are known, else a note), and ``tool_call`` /
``attachment`` / ``reasoning`` from tools, vision and reasoning (each only when known). Headers
are left out (their values may be credentials).

A real key is ``options.apiKey: "{env:VAR}"``, opencode's reference to a variable; a placeholder
key is written as is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..export import key_text
from ..model import Registry
from .plan import Substitution, ToolExport, note_unexported, select_models

__all__ = ["FORMAT", "NPM_PACKAGE", "SCHEMA_URL", "plan_opencode"]

FORMAT = "opencode"
# What opencode expands anywhere in the text: a model name must not hold it (plan.select_models).
SUBSTITUTION = Substitution("opencode", re.compile(r"\{(?:env|file):", re.IGNORECASE), "opencode's substitution opener '{env:' or '{file:'")
NPM_PACKAGE = "@ai-sdk/openai-compatible"
SCHEMA_URL = "https://opencode.ai/config.json"


def env_reference(variable: str) -> str:
    """opencode's substitution of a variable: ``{env:VAR}``."""
    return "{env:" + variable + "}"


def plan_opencode(reg: Registry, providers: Iterable[str] | None = None, *,
                  models: Iterable[str] = ()) -> ToolExport:
    """The opencode config for ``providers`` (default: every enabled one, unless ``models`` is
    given) and the ids in ``models``; raises like ``select_models``."""
    notes: dict[str, None] = {}
    chosen = select_models(reg, providers, models, notes, SUBSTITUTION)
    blocks: dict[str, dict[str, Any]] = {}
    env_vars: dict[str, None] = {}
    for model in chosen:
        provider, info = model.provider, model.info
        provider_id = provider.prefix.rstrip("/")
        block = blocks.get(provider_id)
        if block is None:
            options: dict[str, Any] = {"baseURL": provider.api_base,
                                       "apiKey": key_text(provider, notes, env_vars, env_reference)}
            if provider.timeout is not None:
                options["timeout"] = round(provider.timeout * 1000)
            block = blocks[provider_id] = {"npm": NPM_PACKAGE, "name": provider.description or provider.name,
                                           "options": options, "models": {}}
            note_unexported(provider, FORMAT, notes)
        entry: dict[str, Any] = {"name": model.model_id}
        if info.context_window is not None and info.max_output_tokens is not None:
            entry["limit"] = {"context": info.context_window, "output": info.max_output_tokens}
        elif info.context_window is not None or info.max_output_tokens is not None:
            notes[f"model {model.model_id!r}: opencode takes a limit only with both a context window and an "
                  f"output limit, and one is unknown: declare context_window and max_output_tokens"] = None
        for field, value in (("tool_call", info.tools), ("attachment", info.vision), ("reasoning", info.reasoning)):
            if value is not None:
                entry[field] = value
        block["models"][model.model] = entry
    config: dict[str, Any] = {"$schema": SCHEMA_URL, "provider": blocks}
    text = json.dumps(config, indent=2, ensure_ascii=False) + "\n"
    return ToolExport(FORMAT, config, text, tuple(env_vars), tuple(notes), tuple(chosen))
