"""``registry init [--force]``: write the commented starter user file, never clobbering one, and
the schema beside it (``providers.schema.json``, which line 1 of the starter names)."""

from __future__ import annotations

import argparse

from ..errors import ConfigError
from ..fsio import not_a_regular_file, path_issue, shown_path
from ..paths import find_user_file
from ..schema import SCHEMA_FILE_NAME
from ..starter import write_starter
from ._context import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Context

HELP = "write a commented starter user file and the schema beside it (refuses to overwrite without --force)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args: argparse.Namespace, ctx: Context) -> int:
    target = find_user_file(ctx.app_name, ctx.config_path, ctx.environ).path
    try:
        written = write_starter(target, force=args.force)
    except FileExistsError:
        problem = not_a_regular_file(target)
        if problem is not None:  # a directory, a dangling link, a link loop: not "a file exists"
            ctx.report_issue(problem)
            return EXIT_USAGE
        ctx.report_error(f"{shown_path(target)}: the file already exists; not overwritten",
                         "edit it, or run 'registry init --force' to replace it with the starter file; "
                         f"'registry schema --write DIR' refreshes only the {SCHEMA_FILE_NAME} beside it")
        return EXIT_INVALID
    except ConfigError as exc:  # something other than a regular file where the schema goes
        ctx.report_issue(exc.first)
        return EXIT_USAGE
    except (OSError, ValueError) as exc:  # the reader's classification of what is wrong with the path
        problem = path_issue(exc, target, writing=True)
        ctx.report_error(f"{problem.path}: cannot write the file: {problem.message}",
                         f"{problem.hint}; or pass --config PATH")
        return EXIT_USAGE
    if ctx.json:
        ctx.emit_json({"path": shown_path(written), "written": True,
                       "schema": shown_path(written.parent / SCHEMA_FILE_NAME)})
    else:
        ctx.out(f"wrote {shown_path(written)}")
        ctx.out(f"wrote {shown_path(written.parent / SCHEMA_FILE_NAME)}")
        ctx.err("next: uncomment what you need, then run 'registry validate'")
    return EXIT_OK
