"""``registry show NAME``: every effective field of one provider with its origin (git --show-origin style)."""

from __future__ import annotations

import argparse

from ..errors import UnknownProviderError
from ..inspection import provider_fields, unknown_provider_hint
from ._context import EXIT_INVALID, EXIT_OK, Context

HELP = "show every effective field of one provider and the layer and line it came from"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="provider name, as in 'registry list'")


def run(args: argparse.Namespace, ctx: Context) -> int:
    registry, status = ctx.load()
    if registry is None:
        return status
    try:
        fields = provider_fields(registry, args.name)
    except UnknownProviderError:
        ctx.report_error(f"unknown provider {args.name!r}", unknown_provider_hint(registry, args.name))
        return EXIT_INVALID
    if ctx.json:
        ctx.emit_json({"name": args.name, "fallback": registry.fallback == args.name,
                       "fields": [f.as_dict() for f in fields]})
        return EXIT_OK
    ctx.table([(f.origin.layer, ctx.location(f.origin), f"{f.field} = {f.text}") for f in fields])
    return EXIT_OK
