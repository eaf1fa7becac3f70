"""``registry list``: one row per effective provider; where its key comes from, never the key."""

from __future__ import annotations

import argparse

from ..views import provider_rows
from ._context import EXIT_OK, Context

HELP = "list the effective providers: prefix, kind, base URL, key source, layer, fallback"

HEADER = ("NAME", "PREFIX", "KIND", "BASE URL", "KEY", "LAYER", "FALLBACK")
# On a narrow terminal, dropped first: the prefix is nearly always the name and a slash, the layer
# is what 'registry show' details; then kind, fallback (one row says yes) and key source. NAME and
# BASE URL stay: they are what the list is read for. Cut, when still too wide: the URL first.
DROP = tuple(HEADER.index(name) for name in ("PREFIX", "LAYER", "KIND", "FALLBACK", "KEY"))
CUT = tuple(HEADER.index(name) for name in ("BASE URL", "KEY", "NAME"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options of its own


def run(args: argparse.Namespace, ctx: Context) -> int:
    registry, status = ctx.load()
    if registry is None:
        return status
    rows = provider_rows(registry)
    if ctx.json:
        ctx.emit_json([row.as_dict() for row in rows])
        return EXIT_OK
    ctx.table(
        [(r.name, r.prefix, r.kind, ctx.paint("unavailable", "error") if r.unavailable else r.api_base,
          r.key_source, r.layer, "yes" if r.fallback else "") for r in rows],
        header=HEADER, drop=DROP, cut=CUT,
    )
    return EXIT_OK
