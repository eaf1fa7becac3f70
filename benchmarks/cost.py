"""Cost of hostile inputs (issue 10, class 5): thousands of bad aliases, 10 MB values; prints one table.

Run from the repository root:  LITELLM_LOCAL_MODEL_COST_MAP=True python benchmarks/cost.py
Options: --rounds N (default 5), --scale N (providers and aliases, default 4000).

Each figure is the median of the rounds, in this process, with HOME and XDG dirs in a temp dir (the
real user config and cache are never read). The loads go through ``registry.inspect``, which
reports every issue: before issue 10 the 4,000-alias unknown-prefix file took about a minute here
(a did-you-mean over every provider and a 31,000-character list of prefixes per alias); the
limit is 2 s. The 10 MB refusals must cost about what hashing the value costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any, Callable

from table import print_rows  # benchmarks/table.py: scripts run from this directory

ROOT = Path(__file__).resolve().parent.parent
BIG = 10_000_000


def scale_file(kind: str, count: int) -> str:
    """``count`` providers and ``count`` aliases, each alias wrong as ``kind`` says."""
    names = [f"p{i:04d}" for i in range(count)]
    if kind == "long-heads":  # 64-character names: the costliest for difflib
        names = [f"{'a' * 58}{i:06d}" for i in range(count)]
    target: dict[str, Callable[[int], str]] = {
        "unknown-prefix": lambda i: f"q{i}/m",
        "near-miss": lambda i: f"p{names[i]}/m",
        "long-heads": lambda i: f"{'a' * 57}{i:06d}b/m",
        "hub-fallback": lambda i: f"q{i}/a/b",
    }
    lines = ["version: 1", "fallback: huggingface" if kind == "hub-fallback" else "fallback: null", "aliases:"]
    lines += [f"  a{i}: {target[kind](i)}" for i in range(count)]
    lines.append("providers:")
    for i, name in enumerate(names):
        lines += [f"  {name}:", f"    api_base: http://10.0.{i // 256 % 256}.{i % 256}:8000/v1"]
    return "\n".join(lines) + "\n"


def median_seconds(fn: Callable[[], Any], rounds: int) -> float:
    return statistics.median(timeit.Timer(fn).repeat(repeat=rounds, number=1))


def refusing(fn: Callable[[], Any]) -> Callable[[], str]:
    """``fn`` that must raise a RegistryError; the message it got (so the echo size is shown)."""
    import registry

    def call() -> str:
        try:
            fn()
        except registry.RegistryError as exc:
            return str(exc)
        raise SystemExit("expected a refusal")

    return call


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scale", type=int, default=4_000)
    args = parser.parse_args(argv)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="registry-cost-") as tmp:
        base = Path(tmp)
        for var, sub in (("HOME", ""), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
            os.environ[var] = str(base / sub)
        os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        sys.path.insert(0, str(ROOT))
        import registry

        for kind in ("unknown-prefix", "near-miss", "long-heads", "hub-fallback"):
            path = base / f"{kind}.yaml"
            path.write_text(scale_file(kind, args.scale), encoding="utf-8")
            report = registry.inspect(config_path=path, environ={})
            seconds = median_seconds(lambda p=path: registry.inspect(config_path=p, environ={}), args.rounds)
            longest = max((len(issue.render()) for issue in report.issues), default=0)
            rows.append((f"inspect, {args.scale:,} providers + {args.scale:,} aliases, {kind}",
                         f"{seconds * 1e3:,.0f} ms",
                         f"{len(report.issues):,} issues, longest {longest:,} chars; limit 2,000 ms"))

        reg = registry.load(environ={"HF_TOKEN": "hf_benchmark_placeholder_token"})
        word, model_id = "x" * BIG, "ollama/" + "x" * (BIG - 7)
        refusals = {
            "resolve, 10 MB effort word": lambda: reg.resolve("ollama/x", reasoning_effort=word),
            "resolve, 10 MB effort word, hub provider": lambda: reg.resolve("huggingface/a/b", reasoning_effort=word),
            "resolve, 10 MB model id": lambda: reg.resolve(model_id),
            "route, 10 MB model id without a prefix": lambda: reg.route(word),
            "provider(), 10 MB name": lambda: reg.provider(word),
            "origin(), 10 MB provider name": lambda: reg.origin(word, "api_base"),
        }
        for label, fn in refusals.items():
            message = refusing(fn)()
            seconds = median_seconds(refusing(fn), args.rounds)  # the str caches its hash after round one
            rows.append((label, f"{seconds * 1e3:,.1f} ms", f"message {len(message):,} chars"))
        checked = median_seconds(lambda: reg.check_model_id(model_id), args.rounds)
        rows.append(("check_model_id, 10 MB model id", f"{checked * 1e3:,.1f} ms", "never remembered"))
        hashing = median_seconds(lambda: hash("y" + word[1:]), args.rounds)
        rows.append(("baseline: copy and hash a 10 MB string", f"{hashing * 1e3:,.1f} ms", ""))
    print_rows(rows, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
