"""``registry export --format litellm-proxy``: the providers as a LiteLLM proxy config.yaml."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..export import DEFAULT_NUM_RETRIES, FORMATS, check_num_retries, plan_litellm_proxy
from ..fsio import atomic_write, path_issue, shown_path
from ._context import EXIT_OK, EXIT_USAGE, Context

HELP = "write the providers as a LiteLLM proxy config.yaml (keys as os.environ/VAR references)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("providers", nargs="*", metavar="PROVIDER",
                        help="providers to export (default: every enabled provider, or none with --model)")
    parser.add_argument("--format", choices=FORMATS, default=FORMATS[0], help="output format (default: %(default)s)")
    parser.add_argument("--model", action="append", default=[], metavar="MODEL_ID", dest="models",
                        help="also export this model id as its own model group (repeatable)")
    parser.add_argument("--num-retries", type=int, default=DEFAULT_NUM_RETRIES, metavar="N",
                        help="router retries on another replica (default: %(default)s)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not ctx.option_is_valid(check_num_retries, args.num_retries, "--num-retries"):
        return EXIT_USAGE
    registry, status = ctx.load()
    if registry is None:
        return status
    plan = plan_litellm_proxy(registry, args.providers or None, models=args.models, num_retries=args.num_retries)
    for note in plan.notes:
        ctx.err(f"registry: note: {note}")
    text = plan.yaml()
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
    """Write atomically, so a reader (a proxy watching the file) never sees half a config. The
    config holds no keys (only ``os.environ/VAR`` references): an ordinary file mode, less the umask."""
    atomic_write(path, text.encode("utf-8"), mode=0o666)
