"""``registry schema``: print the JSON Schema of providers files (for editors and CI)."""

from __future__ import annotations

import argparse

from ..schema import schema_text
from ._context import EXIT_OK, Context

HELP = "print the JSON Schema for providers.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace, ctx: Context) -> int:
    ctx.stdout.write(schema_text().rstrip("\n") + "\n")
    return EXIT_OK
