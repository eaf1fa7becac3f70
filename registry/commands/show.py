"""``registry show NAME``: every effective field of one provider with its origin (git --show-origin style)."""

from __future__ import annotations

import argparse

from ..views import describe_provider
from ._context import EXIT_OK, Context

HELP = "show every effective field of one provider and the layer and line it came from"

# Columns: layer, location (file:line), field = value. On a narrow terminal the layer goes first
# (the location names its file); the value is cut before the location, which is what show is for.
DROP = (0,)
CUT = (2, 1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="provider name, as in 'registry list'")


def run(args: argparse.Namespace, ctx: Context) -> int:
    registry, status = ctx.load()
    if registry is None:
        return status
    provider = describe_provider(registry, args.name)  # an unknown name raises: reported with its hint
    if ctx.json:
        ctx.emit_json(provider.as_dict())
        return EXIT_OK
    ctx.table([(f.origin.layer, ctx.location(f.origin), f"{f.field} = {f.text}") for f in provider.fields],
              drop=DROP, cut=CUT)
    if provider.unavailable:
        ctx.out_wrapped(f"{ctx.paint('unavailable', 'error')}: {provider.unavailable}")
    return EXIT_OK
