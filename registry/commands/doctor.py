"""``registry doctor [PROVIDER ...]``: where each server really answers, what it is, and the line that fixes it.

The logic is ``registry.doctor``; this module only formats. It works on a configuration that does
not load (a base URL ending in ``/chat/completions`` is refused by ``load``): only a file that does
not parse stops it.
"""

from __future__ import annotations

import argparse

from ..doctor import SERVER_KINDS, DoctorReport, Verdict, diagnose
from ..errors import UnknownProviderError
from ..live import DEFAULT_TIMEOUT, check_timeout
from ._context import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Context

HELP = "find the base URL each provider's server answers at, name the server, print the line that fixes it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("providers", nargs="*", metavar="PROVIDER",
                        help="providers to diagnose (default: every provider with a base URL)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"seconds to wait for each provider's server (default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--completion", action="store_true",
                        help="also send a 1-token chat completion to the base URL that works")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not ctx.option_is_valid(check_timeout, args.timeout, "--timeout"):
        return EXIT_USAGE
    report = ctx.inspect()
    if report.raw_api_bases is None:  # a file did not parse: there are no values to diagnose
        for issue in report.issues:
            ctx.err(ctx.render_issue(issue))
        if ctx.json:
            ctx.emit_json({"status": "fail", "errors": [issue.as_dict() for issue in report.errors]})
        return EXIT_INVALID
    if report.registry is None:
        ctx.err("registry: the configuration does not load; diagnosing the base URLs as written")
    for issue in report.errors:
        ctx.err(ctx.render_issue(issue))
    try:
        result = diagnose(report, args.providers or None, timeout=args.timeout, completion=args.completion)
    except UnknownProviderError as exc:
        ctx.report_error(exc)
        return EXIT_USAGE
    if ctx.json:
        ctx.emit_json(result.as_dict())
    else:
        _print(ctx, result)
    return EXIT_OK if result.ok else EXIT_INVALID


def _print(ctx: Context, result: DoctorReport) -> None:
    for number, verdict in enumerate(result.verdicts):
        if number:
            ctx.out()
        _print_verdict(ctx, verdict)


def _print_verdict(ctx: Context, verdict: Verdict) -> None:
    ctx.out(ctx.paint(f"{verdict.name}: {verdict.summary}", "ok" if verdict.ok else "error"))
    ctx.out(f"  configured: {verdict.configured}  ({ctx.where(verdict.origin)})")
    if verdict.problem:
        ctx.out(f"  refused by the registry: {verdict.problem}")
    rows = [("", attempt.api_base, attempt.reason) for attempt in verdict.attempts]
    if rows:
        width = max(len(attempt.api_base) for attempt in verdict.attempts)
        for _, api_base, reason in rows:
            ctx.out(f"  tried {api_base.ljust(width)}  {reason}")
    if verdict.kind:
        ctx.out(f"  server: {SERVER_KINDS[verdict.kind]} ({verdict.evidence})")
    if verdict.note:
        ctx.out(f"  note: {verdict.note}")
    if verdict.fix:
        ctx.out(f"  fix: {_where_to_fix(ctx, verdict)}")
        for line in verdict.fix.splitlines():
            ctx.out(f"    {line}")
    if verdict.completion is not None and verdict.working is not None:
        check = verdict.completion
        latency = f" ({check.latency_ms:.0f} ms)" if check.latency_ms is not None else ""
        said = "chat works" if check.ok else f"chat fails: {check.reason}"
        ctx.out(f"  completion: listing works, {said}{latency} [{check.model_id}]")


def _where_to_fix(ctx: Context, verdict: Verdict) -> str:
    origin = verdict.origin
    if origin.layer == "env":
        return f"the value comes from {origin.source}, which overrides every file: change the variable"
    if origin.layer == "user":
        return f"in the user file {ctx.location(origin)}, write:"
    return (f"the value comes from the {origin.layer} layer ({ctx.location(origin)}); "
            "override it in the user file ('registry paths' shows where it is):")
