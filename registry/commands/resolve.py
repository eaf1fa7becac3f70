"""``registry resolve MODEL_ID``: the LiteLLM kwargs (key masked) and which provider and layers decided."""

from __future__ import annotations

import argparse

from ..display import format_value
from ..explain import explain_resolve
from ..suggest import did_you_mean
from ._context import EXIT_OK, Context

HELP = "show the LiteLLM kwargs for a model id (key masked) and where each came from"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model_id", metavar="MODEL_ID", help="e.g. ollama/llama3.1:8b or moonshotai/Kimi-K2.6:novita")
    parser.add_argument("--effort", metavar="LEVEL", help="reasoning-effort level to request")
    parser.add_argument("--strict", action="store_true",
                        help="fail when the provider does not accept the effort level instead of dropping it")


def run(args: argparse.Namespace, ctx: Context) -> int:
    registry, status = ctx.load()
    if registry is None:
        return status
    # An id that does not resolve raises; the CLI reports the error with its hint.
    result = explain_resolve(registry, args.model_id, reasoning_effort=args.effort, strict=args.strict)
    if ctx.json:
        ctx.emit_json(result.as_dict())
        return EXIT_OK
    width = max(len(key) for key in result.kwargs)
    for key, value in result.kwargs.items():
        ctx.out(f"{key:<{width}} = {format_value(value)}")
    ctx.out()
    if result.alias_of:
        ctx.out(f"alias:    {result.model_id} -> {result.alias_of}")
    how = "fallback (no registered prefix matched)" if result.via_fallback else f"prefix {result.prefix}"
    decided = f"  [{ctx.where(result.decided_by)}]" if result.decided_by else ""
    ctx.out(f"provider: {result.provider} via {how}{decided}")
    for name in ("api_base", "api_key"):
        if name in result.origins:
            ctx.out(f"{name + ':':<9} {ctx.where(result.origins[name])}")
    if result.effort is not None:
        sent = result.effort_sent if result.effort_sent is not None else "dropped (the provider does not accept it)"
        ctx.out(f"effort:   {result.effort} -> {sent}")
    if result.note:
        ctx.err(f"registry: {ctx.paint('warning', 'warning')}: {args.model_id!r} is {result.note}")
    elif result.suggestion:
        ctx.err(f"registry: {ctx.paint('warning', 'warning')}: {args.model_id!r} went to the fallback provider")
        ctx.err(f"  hint: {did_you_mean(result.suggestion)}")
    return EXIT_OK
