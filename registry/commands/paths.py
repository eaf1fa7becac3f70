"""``registry paths``: where each layer is read from, and whether it is there."""

from __future__ import annotations

import argparse

from ..views import layer_paths
from ._context import EXIT_OK, Context

HELP = "show where each layer, the cache and the schema live, and whether they exist"

# Columns: layer, path, exists/missing, note. No column is dropped: each says what no other does.
# On a narrow terminal the note is cut first, then the path (shortened already: ~, <built-in>).
DROP: tuple[int, ...] = ()
CUT = (3, 1)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace, ctx: Context) -> int:
    rows = layer_paths(ctx.app_name, ctx.config_path, ctx.environ, defaults=ctx.defaults_path)
    if ctx.json:
        ctx.emit_json([row.as_dict() for row in rows])
        return EXIT_OK
    ctx.table([(r.name, ctx.path(r.path), "exists" if r.exists else "missing", r.note) for r in rows],
              drop=DROP, cut=CUT)
    return EXIT_OK
