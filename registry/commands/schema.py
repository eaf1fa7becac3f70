"""``registry schema [--write DIR]``: print the JSON Schema of providers files, or write it to
``DIR/providers.schema.json`` for editors (the copy that ``registry init`` writes beside a user file)."""

from __future__ import annotations

import argparse

from ..errors import ConfigError
from ..fsio import shown_path
from ..schema import schema_text, write_schema
from ._context import EXIT_OK, EXIT_USAGE, Context

HELP = "print the JSON Schema for providers.yaml, or write it beside your file with --write DIR"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--write", metavar="DIR",
                        help="write (or refresh) DIR/providers.schema.json instead of printing; DIR must exist")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.write is None:
        ctx.stdout.write(schema_text().rstrip("\n") + "\n")
        return EXIT_OK
    try:
        written = write_schema(args.write)
    except ConfigError as exc:
        ctx.report_issue(exc.first)
        return EXIT_USAGE
    if ctx.json:
        ctx.emit_json({"path": shown_path(written), "written": True})
    else:
        ctx.out(f"wrote {shown_path(written)}")
    return EXIT_OK
