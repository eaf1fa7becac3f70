"""Exports of the registry to the tools that users run over the same servers.

One table, ``FORMATS``, maps each ``registry export --format`` name to its planner; the command
consumes only this table. ``litellm-proxy`` is ``registry.export`` (the proxy's own router, with
``prefix/*`` wildcards); the others list concrete models (``plan.select_models``):

| format | file | module |
| --- | --- | --- |
| ``litellm-proxy`` | LiteLLM proxy ``config.yaml`` | ``registry.export`` |
| ``llm`` | simonw/llm ``extra-openai-models.yaml`` | ``exports.llm`` |
| ``continue`` | Continue ``config.yaml`` | ``exports.continue_`` |
| ``opencode`` | opencode ``opencode.json`` | ``exports.opencode`` |

Every planned export has ``notes``, ``render()`` (the text to save) and ``as_dict(output)``
(the ``--json`` shape). None holds a key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from ..export import DEFAULT_NUM_RETRIES, ProxyExport, plan_litellm_proxy
from ..export import FORMAT as PROXY_FORMAT
from ..model import Registry
from ..values import Frozen
from .continue_ import plan_continue
from .llm import plan_llm
from .opencode import plan_opencode
from .plan import ExportedModel, ToolExport

__all__ = ["DEFAULT_FORMAT", "FORMATS", "ExportFormat", "ExportedModel", "PlannedExport", "ToolExport",
           "plan_continue", "plan_export", "plan_llm", "plan_opencode"]


class PlannedExport(Protocol):
    """What the command needs of any export."""

    @property
    def notes(self) -> tuple[str, ...]: ...

    def render(self) -> str: ...

    def as_dict(self, output: str | None = None) -> dict[str, Any]: ...


class _ProxyPlan(Frozen):
    """The proxy export seen through ``PlannedExport``; its shape is the proxy's own."""

    __slots__ = ("export",)
    export: ProxyExport

    @property
    def notes(self) -> tuple[str, ...]:
        return self.export.notes

    def render(self) -> str:
        return self.export.yaml()

    def as_dict(self, output: str | None = None) -> dict[str, Any]:
        return self.export.as_dict(output)


Planner = Callable[[Registry, "Iterable[str] | None", "Iterable[str]", int], PlannedExport]


class ExportFormat(Frozen):
    """One ``--format``: its name, a line of help, whether it takes ``--num-retries``, its planner."""

    __slots__ = ("name", "summary", "retries", "plan")
    name: str
    summary: str
    retries: bool
    plan: Planner


def _proxy(reg: Registry, providers: Iterable[str] | None, models: Iterable[str], num_retries: int) -> PlannedExport:
    return _ProxyPlan(plan_litellm_proxy(reg, providers, models=models, num_retries=num_retries))


def _tool(planner: Callable[..., ToolExport]) -> Planner:
    def plan(reg: Registry, providers: Iterable[str] | None, models: Iterable[str], num_retries: int) -> PlannedExport:
        return planner(reg, providers, models=models)
    return plan


FORMATS: dict[str, ExportFormat] = {entry.name: entry for entry in (
    ExportFormat(PROXY_FORMAT, "a LiteLLM proxy config.yaml (keys as os.environ/VAR)", True, _proxy),
    ExportFormat("llm", "simonw/llm extra-openai-models.yaml (keys as llm key names)", False, _tool(plan_llm)),
    ExportFormat("continue", "a Continue config.yaml (keys as ${{ secrets.VAR }})", False, _tool(plan_continue)),
    ExportFormat("opencode", "an opencode.json (keys as {env:VAR})", False, _tool(plan_opencode)),
)}
DEFAULT_FORMAT = PROXY_FORMAT


def plan_export(reg: Registry, format: str, providers: Iterable[str] | None = None, *, models: Iterable[str] = (),
                num_retries: int = DEFAULT_NUM_RETRIES) -> PlannedExport:
    """The export of ``reg`` in ``format`` (a key of FORMATS; KeyError otherwise)."""
    return FORMATS[format].plan(reg, providers, models, num_retries)
