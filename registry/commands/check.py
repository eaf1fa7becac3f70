"""``registry check [MODEL_ID | PROVIDER ...]``: are the servers up, and do they serve the model?"""

from __future__ import annotations

import argparse

from ..live import DEFAULT_TIMEOUT, ProbeResult, ProviderProbe, check_timeout, probe
from ..text import escape_controls
from ._context import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Context

HELP = "probe running servers: up/down, latency, served models; exit 1 if anything asked for is unreachable"

HEADER = ("", "PROVIDER", "BASE URL", "HTTP", "LATENCY", "RESULT")
# On a narrow terminal, dropped first: the HTTP status (the result says it in words), then the
# latency. Cut, when still too wide: the result text, then the base URL.
DROP = (HEADER.index("HTTP"), HEADER.index("LATENCY"))
CUT = (HEADER.index("RESULT"), HEADER.index("BASE URL"))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="MODEL_ID|PROVIDER",
                        help="provider names or model ids to check (default: every enabled provider)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"seconds to wait for each server (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--completion", action="store_true",
                        help="for model ids, also send a 1-token chat completion through litellm")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not ctx.option_is_valid(check_timeout, args.timeout, "--timeout"):
        return EXIT_USAGE
    registry, status = ctx.load()
    if registry is None:
        return status
    # On a terminal, say at once what is being checked (a run of many hanging servers takes a
    # timeout or more), then count the servers done; pipes and files get no progress at all.
    show_progress = hasattr(ctx.stderr, "isatty") and ctx.stderr.isatty()
    try:  # a target that names nothing raises: the CLI reports it with its hint
        result = probe(registry, args.targets or None, timeout=args.timeout, completion=args.completion,
                       progress=(lambda done, total: _progress(ctx, progress_line(done, total, args.timeout)))
                       if show_progress else None)
    finally:
        if show_progress:
            ctx.stderr.write("\r\x1b[K")
            ctx.stderr.flush()
    if ctx.json:
        ctx.emit_json(result.as_dict())
    else:
        _print(ctx, result)
    return EXIT_OK if result.ok else EXIT_INVALID


def progress_line(done: int, total: int, timeout: float) -> str:
    """``checking 201 servers, timeout 3 s``, then ``...: 12/201 done`` as servers finish."""
    head = f"checking {total} server{'s' if total != 1 else ''}, timeout {timeout:g} s"
    return head if done == 0 else f"{head}: {done}/{total} done"


def _progress(ctx: Context, line: str) -> None:
    ctx.stderr.write(f"\r\x1b[K{line}")
    ctx.stderr.flush()


def _print(ctx: Context, result: ProbeResult) -> None:
    rows = []
    for item in result.probes:
        state = ctx.paint("ok", "ok") if item.ok else ctx.paint("FAIL", "error")
        latency = f"{item.latency_ms:.0f} ms" if item.latency_ms is not None else "-"
        rows.append((state, item.name, item.api_base, str(item.status or "-"), latency, escape_controls(item.reason)))
    ctx.table(rows, header=HEADER, drop=DROP, cut=CUT)
    for item in result.probes:
        _print_details(ctx, item)


def _print_details(ctx: Context, item: ProviderProbe) -> None:
    if item.models and item.model_id is None:
        ctx.out_wrapped(f"{item.name} ({item.api_base}) serves: {escape_controls(', '.join(item.models))}")
    if item.model_id is not None and item.model_listed:
        ctx.out_wrapped(f"{item.model_id}: listed by {item.api_base}")
    if item.completion is not None:
        verdict = escape_controls(item.completion.reason)
        if item.completion.latency_ms is not None:
            verdict += f" ({item.completion.latency_ms:.0f} ms)"
        ctx.out_wrapped(f"{item.completion.model_id}: {verdict}")
