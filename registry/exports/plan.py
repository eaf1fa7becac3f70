"""What every tool export shares: which models are exported, which variable holds each key, and
the notes for what a tool cannot take (replicas, headers, a provider with no known model).

Tools such as llm, Continue and opencode list concrete models, not the proxy's ``prefix/*``
wildcards. The models of a provider are, in this order of trust:

1. the ``models:`` it declares in the files (``declared``);
2. the models its server listed the last time ``registry models`` asked (``discovered``: the
   discovery cache; never the network);
3. every ``--model MODEL_ID`` (``option``), routed like any id: an alias exports its target,
   with the alias kept where the tool has aliases.

A provider chosen (by name, or as one of "every provider") with none of these is left out with a
note saying how to give it models. Each model's metadata (context window, output limit, tools,
vision, reasoning) is ``Registry.model_info``: declarations first, then the cached discovery.

Keys are never written, only a reference to the variable that holds one, in each tool's own
syntax. The variable is the one that supplied the key at export time, else the first of
``api_key_env``, else ``<PROVIDER>_API_KEY`` (with a note); a placeholder key (``ollama``, ...) is
not a secret and is handed to the tool as is: ``export.key_reference``, the proxy export's rule.
Which providers are exported is ``export.choose_providers``, also the proxy export's.
"""

from __future__ import annotations

import re

from collections.abc import Iterable
from typing import Any

from ..discovery import cached_models
from ..errors import InvalidModelIdError
from ..export import available, choose_providers
from ..model import Registry
from ..modelinfo import ModelInfo
from ..provider import Provider
from ..values import Frozen

__all__ = ["ExportedModel", "Substitution", "ToolExport", "note_unexported", "select_models"]

SOURCES = ("declared", "discovered", "option")


class ExportedModel(Frozen):
    """One model as exported: ``model_id`` is the registry's id (what the user types), ``model``
    the name its server knows, ``source`` one of SOURCES, ``aliases`` the registry's short names
    for it."""

    __slots__ = ("model_id", "provider", "model", "source", "info", "aliases")
    model_id: str
    provider: Provider
    model: str
    source: str
    info: ModelInfo
    aliases: tuple[str, ...]
    _defaults = {"aliases": ()}
    _hidden = frozenset({"provider", "info"})

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.model_id, "provider": self.provider.name, "model": self.model, "source": self.source,
                "aliases": list(self.aliases)}


class ToolExport(Frozen):
    """An export for one tool: its config (a dict), the text to save, the variables the config
    refers to, notes for the user, and the models exported."""

    __slots__ = ("format", "config", "text", "env_vars", "notes", "models")
    format: str
    config: dict[str, Any]
    text: str
    env_vars: tuple[str, ...]
    notes: tuple[str, ...]
    models: tuple[ExportedModel, ...]

    def render(self) -> str:
        return self.text

    def as_dict(self, output: str | None = None) -> dict[str, Any]:
        """The stable ``--json`` shape of ``registry export --format <tool>``."""
        return {"format": self.format, "output": output, "config": self.config, "env_vars": list(self.env_vars),
                "notes": list(self.notes), "models": [model.as_dict() for model in self.models]}


class Substitution(Frozen):
    """A tool's own substitution syntax, which it expands anywhere in its config text (Continue's
    ``${{ secrets.X }}``, opencode's ``{env:X}`` and ``{file:PATH}``): ``pattern`` finds its
    opener, ``shown`` names it in a note without forming a complete one."""

    __slots__ = ("tool", "pattern", "shown")
    tool: str
    pattern: re.Pattern[str]
    shown: str


def select_models(reg: Registry, providers: Iterable[str] | None, models: Iterable[str],
                  notes: dict[str, None], substitution: Substitution | None = None) -> list[ExportedModel]:
    """The models to export, grouped by provider (in the order chosen; models sorted by name
    within each), then the ``models`` ids not already among them, in the order given. Raises
    like the proxy export: UnknownProviderError / InvalidModelIdError for names that route
    nowhere, ConfigError for an unavailable provider named on purpose.

    With ``substitution``, a model whose text (its id, its name, an alias, its provider's base
    URL or description) holds that syntax is left out with a note that does not repeat it: a
    server's model list is not trusted, and the tool would replace ``{file:~/.ssh/id_rsa}`` in a
    model name with the file and send it to the server."""
    chosen = _select_models(reg, providers, models, notes, substitution)
    if substitution is None:
        return chosen
    kept = []
    for model in chosen:
        texts = (model.model_id, model.model, *model.aliases, model.provider.api_base, model.provider.description)
        if any(substitution.pattern.search(text) for text in texts):
            notes[f"a model of provider {model.provider.name!r} is not exported: its id, name, aliases, base URL "
                  f"or description hold {substitution.shown}, which {substitution.tool} would replace with a "
                  f"variable or a file"] = None
        else:
            kept.append(model)
    return kept


def _select_models(reg: Registry, providers: Iterable[str] | None, models: Iterable[str],
                   notes: dict[str, None], substitution: Substitution | None) -> list[ExportedModel]:
    model_ids = list(models)
    picked: dict[tuple[str, str], ExportedModel] = {}
    for provider in choose_providers(reg, providers, model_ids, notes):
        names: dict[str, str] = dict.fromkeys(provider.models, "declared")
        served = cached_models(reg, provider.name)
        for served_model in served.models if served is not None else ():
            names.setdefault(served_model.id, "discovered")
        if not names:
            notes[f"provider {provider.name!r} has no known models, so none is exported: declare them under "
                  f"'models:', run 'registry models {provider.name}' to list its server's, "
                  f"or pass --model {provider.prefix}MODEL"] = None
        for name in sorted(names):
            model_id = provider.prefix + name
            try:
                info = reg.model_info(model_id)
            except InvalidModelIdError as exc:
                if substitution is None or not substitution.pattern.search(name):  # else the note below
                    notes[f"model {name!r} of provider {provider.name!r} is not exported: {exc.message}"] = None
                continue
            picked[provider.name, name] = ExportedModel(model_id, provider, name, names[name], info)
    for given in dict.fromkeys(model_ids):
        route = reg.route(given)
        provider = available(route.provider)
        model_id = route.alias_of or given
        key = (provider.name, route.model)
        if key not in picked:
            picked[key] = ExportedModel(model_id, provider, route.model, "option", reg.model_info(model_id))
    aliases: dict[str, list[str]] = {}
    for alias, target in sorted(reg.aliases.items()):
        aliases.setdefault(target, []).append(alias)
    return [model.replace(aliases=tuple(aliases.get(model.model_id, ()))) for model in picked.values()]


def note_unexported(provider: Provider, tool: str, notes: dict[str, None]) -> None:
    """Notes for what ``tool`` is not given: replicas (it talks to one server) and headers."""
    if len(provider.all_api_bases) > 1:
        notes[f"provider {provider.name!r} has {len(provider.all_api_bases)} replicas; {tool} talks to one "
              f"server, so the export uses the first, {provider.api_base}: to balance between them, "
              f"run a LiteLLM proxy ('registry export --format litellm-proxy') and point {tool} at it"] = None
    if provider.headers:
        names = ", ".join(sorted(provider.headers))
        notes[f"provider {provider.name!r} sends headers ({names}); they are not exported, since their "
              f"values may be credentials: add them to the {tool} config by hand"] = None
