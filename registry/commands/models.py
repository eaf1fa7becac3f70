"""``registry models [PROVIDER ...]``: what the servers really serve, from the cache unless refreshed."""

from __future__ import annotations

import argparse
import time

from ..cache import cache_enabled
from ..discovery import Discovery, ProviderModels, ServedModel, cached_models, discover
from ..live import DEFAULT_TIMEOUT, check_timeout
from ..text import escape_controls
from ._context import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Context

HELP = ("list the models each server serves, with context window, tools, vision and reasoning "
        "(cached; --refresh asks the servers); exit 1 if a provider did not answer")

# The fields a row shows, in column order, and their short names in the FROM column.
_LABELS = {"context_window": "context", "trained_context_window": "trained", "tools": "tools", "vision": "vision",
           "reasoning": "reasoning"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("providers", nargs="*", metavar="PROVIDER",
                        help="providers to list (default: every provider)")
    parser.add_argument("--refresh", action="store_true",
                        help="ask the servers now, even when a cached result exists")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"seconds for all the requests to one server (default: {DEFAULT_TIMEOUT:g})")


def run(args: argparse.Namespace, ctx: Context) -> int:
    if not ctx.option_is_valid(check_timeout, args.timeout, "--timeout"):
        return EXIT_USAGE
    registry, status = ctx.load()
    if registry is None:
        return status
    names = list(dict.fromkeys(args.providers)) or list(registry.providers)
    for name in names:
        registry.provider(name)  # an unknown name raises: the CLI prints it with its did-you-mean
    use_cache = cache_enabled(ctx.environ)
    found: dict[str, ProviderModels] = {}
    if use_cache and not args.refresh:
        for name in names:
            cached = cached_models(registry, name)
            if cached is not None:
                found[name] = cached
    missing = [name for name in names if name not in found]
    if missing:
        found.update((r.provider, r) for r in discover(registry, missing, timeout=args.timeout,
                                                       cache=use_cache).results)
    result = Discovery(tuple(found[name] for name in names))
    if ctx.json:
        ctx.emit_json(result.as_dict())
    else:
        _print(ctx, result)
    return EXIT_OK if result.ok else EXIT_INVALID


def age(seconds: float) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def _print(ctx: Context, result: Discovery) -> None:
    now = time.time()
    for number, item in enumerate(result.results):
        if number:
            ctx.out()
        when = ("cached, fetched " if item.from_cache else "fetched ") + age(max(0.0, now - item.fetched_at))
        server = item.server or "-"
        state = ctx.paint("ok", "ok") if item.ok else ctx.paint("FAIL", "error")
        ctx.out(f"{state} {ctx.paint(item.provider, 'bold')}  {item.api_base}  server: {server}  ({when})")
        if not item.ok:
            ctx.out(f"  {escape_controls(item.reason or '')}")
            continue
        if not item.models:
            ctx.out("  no models served")
            continue
        ctx.table([_row(model) for model in item.models],
                  header=("  MODEL", "CONTEXT", "TOOLS", "VISION", "REASONING", "FROM"))


def _row(model: ServedModel) -> tuple[str, ...]:
    context = "-" if model.context_window is None else str(model.context_window)
    trained = model.trained_context_window
    if trained is not None and trained != model.context_window:
        context += f" ({trained})"
    return ("  " + escape_controls(model.id), context, _yes_no(model.tools), _yes_no(model.vision),
            _yes_no(model.reasoning), _sources(model))


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def _sources(model: ServedModel) -> str:
    """``/api/ps: context; /api/show: trained, tools``: the endpoint (its path: ``--json`` has the
    method too) of each value shown, each endpoint once, in column order."""
    by_endpoint: dict[str, list[str]] = {}
    for field, label in _LABELS.items():
        endpoint = model.sources.get(field)
        if endpoint is not None:
            by_endpoint.setdefault(endpoint.split(" ", 1)[-1], []).append(label)
    return "; ".join(f"{endpoint}: {', '.join(fields)}" for endpoint, fields in by_endpoint.items()) or "-"
