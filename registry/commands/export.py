"""``registry export --format FORMAT``: the providers as another tool's config (``exports.FORMATS``)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..export import DEFAULT_NUM_RETRIES, check_num_retries
from ..exports import DEFAULT_FORMAT, FORMATS, plan_export
from ..fsio import atomic_write, path_issue, shown_path
from ._context import EXIT_OK, EXIT_USAGE, Context

HELP = "write the providers as another tool's config: " + ", ".join(FORMATS) + " (keys only as references)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("providers", nargs="*", metavar="PROVIDER",
                        help="providers to export (default: every enabled provider, or none with --model)")
    parser.add_argument("--format", choices=list(FORMATS), default=DEFAULT_FORMAT,
                        help="; ".join(f"{f.name}: {f.summary}" for f in FORMATS.values()).replace("%", "%%")
                        + " (default: %(default)s)")
    parser.add_argument("--model", action="append", default=[], metavar="MODEL_ID", dest="models",
                        help="also export this model id (repeatable); the tool formats other than litellm-proxy "
                             "export concrete models: declared ones, cached discovered ones, and these")
    parser.add_argument("--num-retries", type=int, default=None, metavar="N",
                        help=f"router retries on another replica (litellm-proxy only; default: {DEFAULT_NUM_RETRIES})")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace, ctx: Context) -> int:
    chosen = FORMATS[args.format]
    if args.num_retries is not None and not chosen.retries:
        ctx.report_error(f"--num-retries applies to --format litellm-proxy only, not {args.format!r}",
                         f"{args.format} talks to one server: drop --num-retries")
        return EXIT_USAGE
    num_retries = DEFAULT_NUM_RETRIES if args.num_retries is None else args.num_retries
    if not ctx.option_is_valid(check_num_retries, num_retries, "--num-retries"):
        return EXIT_USAGE
    registry, status = ctx.load()
    if registry is None:
        return status
    plan = plan_export(registry, args.format, args.providers or None, models=args.models, num_retries=num_retries)
    for note in plan.notes:
        ctx.err(f"registry: note: {note}")
    text = plan.render()
    if args.output is not None:
        try:
            _write(args.output, text)
        except (OSError, ValueError) as exc:  # the one classification of a bad path (fsio.path_issue)
            problem = path_issue(exc, str(args.output), writing=True)
            ctx.report_error(f"{problem.path}: cannot write: {problem.message}", problem.hint)
            return EXIT_USAGE
        ctx.err(f"registry: wrote {shown_path(args.output)}")
    if ctx.json:
        ctx.emit_json(plan.as_dict(shown_path(args.output) if args.output else None))
    elif args.output is None:
        ctx.stdout.write(text)
    return EXIT_OK


def _write(path: Path, text: str) -> None:
    """Write atomically, so a reader (a proxy or editor watching the file) never sees half a
    config. The config holds no keys (only references to variables): an ordinary file mode,
    less the umask."""
    atomic_write(path, text.encode("utf-8"), mode=0o666)
