"""``registry validate [FILE ...]``: every problem in every layer, located, then one summary line."""

from __future__ import annotations

import argparse

from ..inspection import github_annotation, validate_files, validate_layers
from ._context import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Context

HELP = "check the built-in, app, site and user files and the environment (or the FILEs given)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "github"), default="text",
                        help="'github': each problem as a GitHub Actions annotation on its file and line")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="check these files, each as a user file over the built-in, app and site files "
                             "(without the environment)")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.files:
        result = validate_files(args.files, ctx.app_name, ctx.environ, defaults=ctx.defaults_path)
    else:
        result = validate_layers(ctx.app_name, ctx.config_path, ctx.environ, defaults=ctx.defaults_path)
    if ctx.json:
        ctx.emit_json(result.as_dict())
    elif args.format == "github":
        for issue in result.issues:
            ctx.out(github_annotation(issue))
        ctx.out(result.summary())
    else:
        for issue in result.issues:
            ctx.out(ctx.render_issue(issue))
        ctx.out(ctx.paint(result.summary(), "ok" if result.ok else "error"))
    if result.unreadable:
        return EXIT_USAGE
    return EXIT_OK if result.ok else EXIT_INVALID
