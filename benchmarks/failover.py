"""Failover between replicas (issue 15): requests lost when one replica dies or hangs; prints one table.

Run from the repository root:  LITELLM_LOCAL_MODEL_COST_MAP=True python benchmarks/failover.py
Options: --runs N (default 3), --requests N (default 100), --timeout S (the provider's timeout for
the hang, default 1).

Setups: a gateway LiteLLM proxy started from ``registry export --format litellm-proxy`` output
(``proxy``), and an in-process ``registry.router`` (``router``). Settings: the exported
``ROUTER_SETTINGS`` (``exported``: simple-shuffle, num_retries 2, enable_weighted_failover) and the
same without ``enable_weighted_failover`` (``no weighted failover``: LiteLLM's default for it, which
is what the export wrote before issue 15). Failures, after request 20: ``refused`` (one replica of
two SIGKILLed), ``hang`` (one of two SIGSTOPped; requests in waves of 10, since each pick of the
hung replica waits for the timeout), ``3 replicas`` (one of three SIGKILLed). The replicas are real
LiteLLM proxies answering with ``mock_response``; the four consumers of one failure run side by
side against the same replicas, so one kill serves all four. Latency is per request after the
failure, pooled over the runs. The table has more columns than ``table.py``'s three, so it is
printed here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the harness lives with the end-to-end tests

from tests.e2e import failover_load as load  # noqa: E402
from tests.e2e.conftest import Proxy, free_port  # noqa: E402

import httpx  # noqa: E402
import litellm  # noqa: E402

import registry  # noqa: E402

SETTINGS = {"exported": {}, "no weighted failover": {"enable_weighted_failover": False}}
FAILURES = ("refused", "hang", "3 replicas")  # the table's order
RUN_ORDER = ("hang", "3 replicas", "refused")  # the hung replica must be alive; refused kills it


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=1.0)
    args = parser.parse_args()
    litellm.suppress_debug_info = True
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(root / "home")
        results = run(root, args.runs, args.requests, args.timeout)
    print_table(results, args.runs, args.requests, args.timeout)
    return 0


def run(root: Path, runs: int, requests: int, timeout: float) -> dict[tuple[str, str, str], list[load.Outcome]]:
    ports = [free_port() for _ in range(3)]
    files = {"pair": load.user_file(root / "pair.yaml", ports[:2], timeout),
             "trio": load.user_file(root / "trio.yaml", ports, timeout)}
    results: dict[tuple[str, str, str], list[load.Outcome]] = {}
    with contextlib.ExitStack() as stack:
        specs = [(load.BACKEND_CONFIG, root / name, {"port": port}) for name, port in zip("abc", ports)]
        gateway_names = []
        for shape, path in files.items():
            for settings in SETTINGS:
                workdir = root / f"gateway-{shape}-{settings.replace(' ', '-')}"
                workdir.mkdir()
                config = load.exported_config(path, workdir / "exported.yaml", weighted_failover=settings == "exported")
                specs.append(load.gateway_spec(config, workdir))
                gateway_names.append((shape, settings))
        print(f"starting {len(specs)} proxies...", file=sys.stderr)
        started = load.start_proxies(specs, stack)
        backends, gateways = started[:3], dict(zip(gateway_names, started[3:]))
        for number in range(1, runs + 1):
            for failure in RUN_ORDER:
                shape = "trio" if failure == "3 replicas" else "pair"
                victim = backends[2] if shape == "trio" else backends[1]
                with contextlib.ExitStack() as during:
                    if failure == "hang":  # SIGCONT on the way out: the replica serves the next failure
                        fail = during.enter_context(load.stopped(victim))
                    else:
                        fail = lambda victim=victim: load.kill(victim)  # noqa: E731
                    outcomes = asyncio.run(_drive(files[shape], shape, gateways, fail, requests,
                                                  10 if failure == "hang" else 1))
                for name, outcome in outcomes.items():
                    results.setdefault((*name, failure), []).append(outcome)
                print(f"run {number} {failure}: " + ", ".join(f"{' '.join(k)} lost {o.lost}"
                                                             for k, o in outcomes.items()), file=sys.stderr)
            # The killed replicas come back on their own ports, for the next run.
            backends[1:] = _restart(root, backends[1:], stack, number)
    return results


async def _drive(path: Path, shape: str, gateways: dict[tuple[str, str], Proxy], fail: Any, requests: int,
                 concurrency: int) -> dict[tuple[str, str], load.Outcome]:
    reg = load.load(path)
    async with httpx.AsyncClient(timeout=120) as client:
        sends = {}
        for settings, overrides in SETTINGS.items():
            sends[(settings, "proxy")] = load.via_gateway(client, gateways[(shape, settings)])
            sends[(settings, "router")] = load.via_router(registry.router(reg, **overrides))
        return await load.drive(sends, fail, requests=requests, fail_after=20, concurrency=concurrency)


def _restart(root: Path, dead: list[Proxy], stack: contextlib.ExitStack, number: int) -> list[Proxy]:
    specs = []
    for proxy in dead:
        if proxy.process.poll() is None:  # still running (the run stopped early)
            load.kill(proxy)
        specs.append((load.BACKEND_CONFIG, root / f"replica-{proxy.port}-{number}", {"port": proxy.port}))
    return load.start_proxies(specs, stack)


def print_table(results: dict[tuple[str, str, str], list[load.Outcome]], runs: int, requests: int,
                timeout: float) -> None:
    print(f"Python {sys.version.split()[0]}, litellm {_litellm_version()}, {os.cpu_count()} CPUs; "
          f"{requests} requests per run, failure after request 20, {runs} runs, provider timeout {timeout:g} s")
    print()
    header = ("settings", "setup", "failure", f"lost of {requests}: mean", "max", "p50 after", "p95 after")
    rows = []
    for settings in SETTINGS:
        for setup in ("proxy", "router"):
            for failure in FAILURES:
                outcomes = results.get((settings, setup, failure), [])
                if not outcomes:
                    continue
                lost = [o.lost for o in outcomes]
                pooled = load.Outcome(after=[t for o in outcomes for t in o.after])
                rows.append((settings, setup, failure, f"{sum(lost) / len(lost):.1f}", str(max(lost)),
                             _ms(pooled.percentile(50)), _ms(pooled.percentile(95))))
    widths = [max(len(row[i]) for row in [*rows, header]) for i in range(len(header))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
    print("| " + " | ".join("-" * w if i < 3 else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |")
    for row in rows:
        cells = (c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        print("| " + " | ".join(cells) + " |")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _litellm_version() -> str:
    from importlib.metadata import version

    return version("litellm")


if __name__ == "__main__":
    raise SystemExit(main())
