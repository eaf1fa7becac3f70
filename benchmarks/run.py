"""Benchmarks for start-up (fresh processes) and resolve (in process); prints one table.

Run from the repository root:  LITELLM_LOCAL_MODEL_COST_MAP=True python benchmarks/run.py
Options: --rounds N (default 7), --quick (fewer rounds, smaller loops).

Every figure is the median of several rounds, taken in this one run; candidates are measured
interleaved round by round, so a busy machine slows them alike and the ratios stay meaningful.
Fresh processes get a temp HOME and XDG dirs (the real user config and cache are never read) and a
temp bytecode cache (PYTHONPYCACHEPREFIX), so modules load from bytecode as in an installed wheel.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import timeit
from pathlib import Path
from typing import Any, Callable

from table import print_rows  # benchmarks/table.py: scripts run from this directory

ROOT = Path(__file__).resolve().parent.parent
SCALE_PROVIDERS = 10_000
IDS = {  # label -> (model id, resolve keyword arguments)
    "local id": ("ollama/llama3.1:8b", {}),
    "fallback id": ("moonshotai/Kimi-K2.6:novita", {}),
    "id with effort": ("huggingface/moonshotai/Kimi-K2.6", {"reasoning_effort": "high"}),
    "invalid id": ("ollama/", {}),
}
ENVIRON = {"HF_TOKEN": "hf_benchmark_placeholder_token"}
USER_FILE = """\
version: 1
aliases:
  fast: ollama/llama3.1:8b
providers:
  ollama:
    api_base: http://127.0.0.1:11434/v1
  gpu-box:
    prefix: gpu/
    api_base: http://127.0.0.1:8001/v1
    api_key_env: GPU_BOX_API_KEY
    api_key: gpu-box
    efforts: [low, high]
    timeout: 120
"""

# The resolver an agent writes by hand, for the watch() rows: prefix -> (base URL variable,
# default base URL, key variable, default key), reading the environment at every call so that it
# sees changes, as a watched registry does.
HARD_CODED = {
    "ollama": ("OLLAMA_BASE_URL", "http://localhost:11434/v1", "OLLAMA_API_KEY", "ollama"),
    "vllm": ("VLLM_BASE_URL", "http://127.0.0.1:8000/v1", "VLLM_API_KEY", "vllm"),
    "llamacpp": ("LLAMACPP_BASE_URL", "http://127.0.0.1:8080/v1", "LLAMACPP_API_KEY", "llamacpp"),
}


def hard_coded_resolve(model_id: str) -> dict[str, Any]:
    prefix, _, model = model_id.partition("/")
    base_env, base, key_env, key = HARD_CODED[prefix]
    return {"model": f"openai/{model}", "api_base": os.environ.get(base_env) or base,
            "api_key": os.environ.get(key_env) or key}


def per_call(fn: Callable[[], Any], rounds: int, number: int) -> float:
    """Median seconds per call over ``rounds`` rounds of ``number`` calls."""
    timer = timeit.Timer(fn)
    return statistics.median(t / number for t in timer.repeat(repeat=rounds, number=number))


def interleaved(candidates: dict[str, Callable[[], Any]], rounds: int, number: int) -> dict[str, float]:
    """Median seconds per call of each candidate, the candidates alternating round by round."""
    times: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            times[name].append(timeit.Timer(fn).timeit(number) / number)
    return {name: statistics.median(values) for name, values in times.items()}


def raising(fn: Callable[[], Any], errors: tuple[type[BaseException], ...]) -> Callable[[], Any]:
    def call() -> Any:
        try:
            return fn()
        except errors:
            return None

    return call


class Sandbox:
    """Temp HOME/XDG dirs and an environment for fresh processes that never see the real config."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.pyc = base / "pyc"

    def env(self, name: str, **extra: str) -> dict[str, str]:
        home = self.base / name
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PROVIDER_REGISTRY_") and not k.startswith("XDG_")
               and k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
                   XDG_DATA_HOME=str(home / "data"), PYTHONPATH=str(ROOT), PYTHONPYCACHEPREFIX=str(self.pyc),
                   LITELLM_LOCAL_MODEL_COST_MAP="True")
        env.update(extra)
        return env

    def user_file(self, name: str, text: str) -> Path:
        path = self.base / name / "config" / "provider-registry" / "providers.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return path

    def clear_cache(self, name: str) -> None:
        cache = self.base / name / "cache" / "provider-registry" / "validated"
        for entry in cache.glob("*") if cache.is_dir() else ():
            entry.unlink()


def run_process(code: str, env: dict[str, str]) -> tuple[float, str]:
    """Wall time of a fresh ``python -c code`` (start-up included) and its stdout."""
    start = timeit.default_timer()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    elapsed = timeit.default_timer() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed:\n{code}\n{done.stderr}")
    return elapsed, done.stdout


LOAD = "import registry; registry.load()"
CLI = "from registry.cli import main; raise SystemExit(main({argv!r}))"  # what the console script runs
LOAD_BIG = "import registry; registry.load(config_path={path!r}, environ={{}})"


def startup(sandbox: Sandbox, rounds: int) -> dict[str, tuple[float, float]]:
    """Fresh-process wall times, interleaved round by round: for each case the median time and
    the median of its per-round ratio to ``python -c pass`` (this machine's speed drifts from
    second to second, so a ratio is taken between neighbours, not between two medians)."""
    sandbox.user_file("with-user", USER_FILE)
    sandbox.user_file("user-changing", USER_FILE)
    secret_file = USER_FILE.replace("api_key: gpu-box", "api_key: sk-benchmark-not-a-real-key-0123456789")
    sandbox.user_file("user-secret", secret_file)
    cases: dict[str, tuple[str, str, Callable[[int], None] | None]] = {
        "python -c pass": ("pass", "bare", None),
        "import registry": ("import registry", "bare", None),
        "load(), no user file, first run (empty cache)": (LOAD, "no-user-cold", lambda _: sandbox.clear_cache("no-user-cold")),
        "load(), no user file": (LOAD, "no-user", None),
        "load(), user file, first run (changed file)": (
            LOAD, "user-changing",
            lambda i: sandbox.user_file("user-changing", USER_FILE + f"# edit {i}\n")),
        "load(), user file, unchanged re-run": (LOAD, "with-user", None),
        "load(), user file with an inline key, unchanged": (LOAD, "user-secret", None),
        "registry --version": (CLI.format(argv=["--version"]), "with-user", None),
        "registry list": (CLI.format(argv=["list"]), "with-user", None),
    }
    for code, name, _ in cases.values():  # warm the bytecode cache and the validation cache
        run_process(code, sandbox.env(name))
    times: dict[str, list[float]] = {label: [] for label in cases}
    for i in range(rounds * 2):  # start-ups are short: twice the rounds for steadier medians
        for label, (code, name, prepare) in cases.items():
            if prepare is not None:
                prepare(i)
            times[label].append(run_process(code, sandbox.env(name))[0])
    bare = times["python -c pass"]
    return {label: (statistics.median(values), statistics.median(t / b for t, b in zip(values, bare, strict=True)))
            for label, values in times.items()}


def imported_modules(sandbox: Sandbox) -> dict[str, str]:
    code = textwrap.dedent("""
        import sys
        import registry
        after_import = {m for m in ("litellm", "jsonschema", "yaml", "platformdirs") if m in sys.modules}
        registry.load()
        after_load = {m for m in ("litellm", "jsonschema", "yaml", "platformdirs") if m in sys.modules}
        print(",".join(sorted(after_import)) or "none")
        print(",".join(sorted(after_load)) or "none")
    """)
    _, out = run_process(code, sandbox.env("no-user"))
    after_import, after_load = out.split()
    return {"import registry": after_import, "load(), cached": after_load}


def write_big_file(path: Path, count: int) -> None:
    lines = ["version: 1", "providers:"]
    for i in range(count):
        lines += [f"  p{i:05d}:", f"    api_base: http://10.{i // 65536}.{i // 256 % 256}.{i % 256}:8000/v1",
                  "    api_key: local"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def scale(sandbox: Sandbox, rounds: int) -> dict[str, Any]:
    """10,000 providers: load (first and cached), resolve per call, memory."""
    big = sandbox.base / "big.yaml"
    write_big_file(big, SCALE_PROVIDERS)
    code = LOAD_BIG.format(path=str(big))
    env = sandbox.env("big")
    first, _ = run_process(code, env)
    warm = statistics.median(run_process(code, env)[0] for _ in range(max(3, rounds // 2)))
    memory_code = textwrap.dedent(f"""
        import tracemalloc, resource
        import registry
        tracemalloc.start()
        r = registry.load(config_path={str(big)!r}, environ={{}})
        current, peak = tracemalloc.get_traced_memory()
        print(current, peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    """)
    current, peak, maxrss = (int(x) for x in run_process(memory_code, env)[1].split())
    return {"first": first, "warm": warm, "retained": current, "peak": peak, "maxrss_kb": maxrss}


def in_process(rounds: int, number: int, big: Path) -> dict[str, Any]:
    """resolve, the dict-copy baseline and litellm.get_llm_provider, on the same ids."""
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import registry

    reg = registry.load(environ=ENVIRON)  # no user file: HOME and XDG point at the sandbox
    precomputed = {}
    for label, (model_id, kw) in IDS.items():
        try:
            precomputed[model_id] = reg.resolve(model_id, **kw)
        except registry.InvalidModelIdError:
            precomputed[model_id] = {}
    import litellm

    litellm.suppress_debug_info = True  # it prints a banner on stdout for every id it refuses
    results: dict[str, Any] = {}
    for label, (model_id, kw) in IDS.items():
        base = precomputed[model_id].get("api_base")

        def res(m: str = model_id, k: dict = kw) -> Any:
            return reg.resolve(m, **k)

        def copy(m: str = model_id) -> Any:
            return dict(precomputed[m])

        def lite(m: str = model_id, b: Any = base) -> Any:
            return litellm.get_llm_provider(m, api_base=b)

        try:
            lite()
            lite_note = ""
        except Exception as exc:  # noqa: BLE001 - litellm refuses ids it cannot route
            lite_note = f" (raises {type(exc).__name__})"
        candidates = {
            "resolve": raising(res, (registry.InvalidModelIdError,)),
            "dict copy": copy,
            "litellm": raising(lite, (Exception,)),
        }
        timed = interleaved(candidates, rounds, number)
        timed["litellm_note"] = lite_note
        results[label] = timed
    live = registry.watch(environ=ENVIRON)  # the default interval: 1 s
    local_id = IDS["local id"][0]
    assert live.registry.resolve(local_id) == hard_coded_resolve(local_id) == reg.resolve(local_id)
    watched = interleaved({
        "watch": lambda: live.registry.resolve(local_id),
        "hard-coded": lambda: hard_coded_resolve(local_id),
        "load": lambda: reg.resolve(local_id),
    }, rounds, number)
    token = "hf_benchmarkSessionToken0123456789"
    session = reg.with_keys({"huggingface": token})
    hub_id = IDS["fallback id"][0]
    assert session.resolve(hub_id)["api_key"] == token and session.resolve(local_id)["api_key"] != token
    keyed = interleaved({
        "with_keys": lambda: reg.with_keys({"huggingface": token}),
        "with_keys + resolve": lambda: reg.with_keys({"huggingface": token}).resolve(hub_id),
        "resolve(api_key=)": lambda: reg.resolve(hub_id, api_key=token),
    }, rounds, number)
    check = {label: per_call(lambda m=model_id: reg.check_model_id(m), rounds, number)
             for label, (model_id, _) in IDS.items() if "effort" not in label}
    big_reg = registry.load(config_path=big, environ={})
    big_resolve = per_call(lambda: big_reg.resolve("p05000/llama3.1:8b"), rounds, number)
    small_resolve = per_call(lambda: reg.resolve("ollama/llama3.1:8b"), rounds, number)
    return {"ids": results, "watch": watched, "keyed": keyed, "check": check, "big_resolve": big_resolve, "small_resolve": small_resolve,
            "providers": len(reg.providers), "big_providers": len(big_reg.providers)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 rounds, shorter loops")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds
    number = 2_000 if args.quick else 20_000
    with tempfile.TemporaryDirectory(prefix="registry-bench-") as tmp:
        sandbox = Sandbox(Path(tmp))
        # This process, too, must never read the real user config or cache.
        for var, sub in (("HOME", ""), ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache")):
            os.environ[var] = str(sandbox.base / "self" / sub)
        sys.path.insert(0, str(ROOT))
        start = startup(sandbox, rounds)
        modules = imported_modules(sandbox)
        big = scale(sandbox, rounds)
        inproc = in_process(rounds, number, sandbox.base / "big.yaml")
    print_table(start, modules, big, inproc, rounds)
    return 0


def print_table(start: dict[str, float], modules: dict[str, str], big: dict[str, Any],
                inproc: dict[str, Any], rounds: int) -> None:
    rows: list[tuple[str, str, str]] = []
    for label, timed in inproc["ids"].items():
        ratio = timed["litellm"] / timed["resolve"]
        rows.append((f"resolve, {label}", f"{timed['resolve'] * 1e9:,.0f} ns",
                     f"dict copy {timed['dict copy'] * 1e9:,.0f} ns; litellm.get_llm_provider "
                     f"{timed['litellm'] * 1e9:,.0f} ns{timed['litellm_note']} ({ratio:.1f}x slower)"))
    watched = inproc["watch"]
    rows.append(("watch().registry.resolve, local id", f"{watched['watch'] * 1e9:,.0f} ns",
                 f"hard-coded resolver (os.environ.get per call) {watched['hard-coded'] * 1e9:,.0f} ns "
                 f"({watched['hard-coded'] / watched['watch']:.1f}x slower); "
                 f"load().resolve {watched['load'] * 1e9:,.0f} ns"))
    keyed = inproc["keyed"]
    rows.append(("with_keys({'huggingface': token})", f"{keyed['with_keys'] * 1e9:,.0f} ns",
                 f"then resolve: {keyed['with_keys + resolve'] * 1e9:,.0f} ns together; "
                 f"resolve(api_key=) {keyed['resolve(api_key=)'] * 1e9:,.0f} ns"))
    for label, seconds in inproc["check"].items():
        rows.append((f"check_model_id, {label}", f"{seconds * 1e9:,.0f} ns", ""))
    for label, (seconds, ratio) in start.items():
        note = "baseline" if label == "python -c pass" else f"{ratio:.1f}x python -c pass (median of per-round ratios)"
        rows.append((label if label.startswith("python") else f"fresh process: {label}",
                     f"{seconds * 1e3:,.1f} ms", note))
    rows.append(("modules after `import registry`", modules["import registry"], "of litellm, jsonschema, yaml, platformdirs"))
    rows.append(("modules after a cached load()", modules["load(), cached"], ""))
    rows.append((f"{SCALE_PROVIDERS:,} providers: load, first run", f"{big['first'] * 1e3:,.0f} ms", "fresh process, one run (YAML + schema check)"))
    rows.append((f"{SCALE_PROVIDERS:,} providers: load, cached", f"{big['warm'] * 1e3:,.0f} ms", "fresh process"))
    rows.append((f"{SCALE_PROVIDERS:,} providers: resolve", f"{inproc['big_resolve'] * 1e9:,.0f} ns",
                 f"vs {inproc['small_resolve'] * 1e9:,.0f} ns with {inproc['providers']} providers"))
    rows.append((f"{SCALE_PROVIDERS:,} providers: memory", f"{big['retained'] / 2**20:,.1f} MiB",
                 f"retained (tracemalloc); peak {big['peak'] / 2**20:,.1f} MiB; max RSS {big['maxrss_kb'] / 1024:,.0f} MiB"))
    print_rows(rows, rounds)


if __name__ == "__main__":
    raise SystemExit(main())
