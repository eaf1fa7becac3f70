"""The bad-input corpus (``tests/bad_inputs/cases*.yaml``): every broken file or setting must get
its message, at its location, with its hint; nothing may crash, hang or print a secret.

Each case goes through ``registry.inspect`` (every issue) and ``registry.load`` (the exception or
the logged warnings) with an explicit ``environ=`` and ``config_path=``. Resource-exhaustion cases
run in a child process under a time and memory limit, so a segfault or a hang fails the test
instead of taking the test run down with it.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import registry
from registry.fsio import MAX_BYTES, shown_path
from registry.paths import CONFIG_ENV, SITE_CONFIG_ENV, builtin_providers_path
from registry.yamlfile import MAX_NODES

CORPUS = Path(__file__).parent.parent / "bad_inputs"
# The cases live in one or more manifests, ``cases.yaml`` and ``cases-<topic>.yaml``, read in name order.
MANIFESTS = sorted(CORPUS.glob("cases*.yaml"))
CASES: list[dict[str, Any]] = [case for manifest in MANIFESTS
                               for case in yaml.safe_load(manifest.read_text(encoding="utf-8"))]

RESOURCE_TIME_LIMIT = 20  # seconds; a child still running then has hung
RESOURCE_MEMORY_LIMIT = 1 << 30  # bytes of address space for the child


def generate(kind: str) -> bytes:
    """The large inputs, built here rather than stored: each one is a known way to exhaust a parser."""
    if kind == "nested-brackets":  # segfaults libyaml's loader; RecursionError in the pure one
        return b"[" * 25_000
    if kind == "nested-flow-mappings":
        return b"{a: " * 20_000 + b"x\n"
    if kind == "nested-block-sequences":
        return b"- " * 20_000 + b"x\n"
    if kind == "oversized":
        return b"# " + b"x" * MAX_BYTES + b"\n"
    if kind == "many-keys":
        return ("version: 1\nk: [" + "1," * MAX_NODES + "1]\n").encode()  # 2 bytes a node: fits in MAX_BYTES
    if kind == "many-providers":
        return ("version: 1\nproviders:\n" + "".join(f"  p{i}: {{}}\n" for i in range(MAX_NODES // 4))).encode()
    if kind.startswith("scale-"):  # the cost cases (cases-cost.yaml): thousands of providers and aliases
        return _scale(kind[len("scale-"):])
    raise ValueError(f"unknown generator {kind!r}")


SCALE = 4_000  # providers and aliases in a scale- case: the count that took minutes before issue 10


def _scale(kind: str) -> bytes:
    """A file with ``SCALE`` providers and ``SCALE`` aliases, each alias wrong in the way ``kind``
    says; every refusal then must cost a bounded time and size (one list of prefixes, one index of
    names), or the child runs out of time."""
    head = {"unknown-prefix": "version: 1\nfallback: null\n", "long-heads": "version: 1\nfallback: null\n",
            "near-miss": "version: 1\nfallback: null\n"}.get(kind, "version: 1\n")
    lines = [head.rstrip("\n"), "aliases:"]
    names = [f"p{i:04d}" for i in range(SCALE)]
    if kind == "long-heads":  # 64-character names: the most a difflib comparison may cost
        names = [f"{'a' * 58}{i:06d}" for i in range(SCALE)]
    target = {
        "unknown-prefix": lambda i: f"q{i}/m",
        "unknown-prefix-fallback": lambda i: f"q{i}/a/b",  # not hub-shaped: the hub fallback refuses it
        "near-miss": lambda i: f"p{names[i]}/m",  # 'pp0001/m': one letter too many
        "long-heads": lambda i: f"{'a' * 57}{i:06d}b/m",
        "to-aliases": lambda i: f"a{(i + 1) % SCALE}",
        "disabled": lambda i: f"{names[i]}/m",
        "one-prefix": lambda i: f"q{i}/m",
        "unknown-fallback": lambda i: f"{names[i]}/m",
    }[kind]
    lines += [f"  a{i}: {target(i)}" for i in range(SCALE)]
    if kind == "unknown-fallback":
        lines.insert(1, "fallback: nosuch")
    lines.append("providers:")
    for i, name in enumerate(names):
        lines += [f"  {name}:", f"    api_base: http://10.0.{i // 256}.{i % 256}:8000/v1"]
        if kind == "disabled":
            lines.append("    enabled: false")
        if kind == "one-prefix":
            lines.append("    prefix: shared/")
    return ("\n".join(lines) + "\n").encode()



_TOKEN = re.compile(r"\{([^{}*]*)\*(\d+)\}|\{byte:([0-9a-f]{2})\}|\{u:([0-9a-f]{4})\}|\{(dir|xdg|home)\}")


def expand_path(template: str, places: dict[str, str]) -> str:
    """A case's ``path`` (or ``xdg_config_home``/``home``) template as a str path: ``{dir}`` and the
    other places, ``{TEXT*N}`` (N copies), ``{byte:ff}`` (a byte that is not UTF-8, as
    ``os.fsdecode`` gives it: a lone surrogate) and ``{u:d800}`` (any code point)."""
    def one(match: re.Match[str]) -> str:
        text, count, byte, code, place = match.groups()
        if count is not None:
            return text * int(count)
        if byte is not None:
            return os.fsdecode(bytes([int(byte, 16)]))
        if code is not None:
            return chr(int(code, 16))
        return places[place]
    return _TOKEN.sub(one, template)


def _put_file(path: str, data: bytes, mode: int) -> None:
    """Write the user file (and its directory); a path the file system refuses (too long, a NUL) gets none."""
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(data)
        os.chmod(path, mode)
    except (OSError, ValueError):
        pass


def prepare(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> dict[str, Any]:
    """Put the case's user file (or what stands in its place) under ``tmp_path``; the load arguments."""
    places = {"dir": str(tmp_path)}
    explicit = True
    for setting, variable in (("xdg_config_home", "XDG_CONFIG_HOME"), ("home", "HOME")):
        if setting in case:  # the default user file, under a platformdirs directory the case spoils
            assert monkeypatch is not None, "platformdirs reads os.environ: the case needs monkeypatch"
            value = expand_path(case[setting], places)
            monkeypatch.setenv(variable, value)
            if variable == "HOME":
                monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
                value = os.path.join(value, ".config")
            places["xdg"] = value
            explicit = False
    default = os.path.join(places["xdg"], "provider-registry", "providers.yaml") if "xdg" in places else None
    path = os.path.expanduser(expand_path(case["path"], places)) if "path" in case \
        else default or str(tmp_path / "providers.yaml")
    setup = case.get("setup")
    if setup == "directory":
        os.mkdir(path)
    elif setup == "fifo":
        os.mkfifo(path)
    elif setup == "dangling-link":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(os.path.join(os.path.dirname(path), "nowhere"), path)
    elif setup == "link-loop":
        os.symlink(path, path)
    elif setup == "link-to-directory":
        os.symlink(tmp_path, path)
    elif setup == "through-file":  # the path's directory is a regular file
        Path(os.path.dirname(path)).write_bytes(b"version: 1\n")
    elif setup == "no-search":  # the file is fine, its directory cannot be searched
        os.mkdir(os.path.dirname(path))
        _put_file(path, b"version: 1\n", 0o600)
        os.chmod(os.path.dirname(path), 0o600)
    elif setup != "missing":
        if "file" in case:
            data = (CORPUS / case["file"]).read_bytes()
        elif "generate" in case:
            data = generate(case["generate"])
        else:
            data = b"version: 1\n"
        _put_file(path, data, 0 if setup == "unreadable" else case.get("mode", 0o600))
    environ = {str(k): str(v) for k, v in (case.get("env") or {}).items()}
    config_path: Any = path if explicit else None
    if case.get("config_as") == "bytes":
        config_path = os.fsencode(path)
    elif case.get("config_as") == "pathlike":
        config_path = Path(path)
    if case.get("via_env"):
        environ[CONFIG_ENV] = path
        config_path = None
    if case.get("as_site"):
        environ[SITE_CONFIG_ENV] = path
        config_path = None  # the default user file: absent under the test's home
    if "site" in case:
        site = tmp_path / "site" / "providers.yaml"
        _put_file(str(site), (CORPUS / case["site"]).read_bytes(), 0o600)
        environ[SITE_CONFIG_ENV] = str(site)
    return {"config_path": config_path, "environ": environ, "url_policy": case.get("url_policy"),
            "shown": shown_path(path)}  # how messages show a path: pinned by tests/unit/test_fsio.py


def outcome(config_path: str | None, environ: dict[str, str], url_policy: str | None) -> dict[str, Any]:
    """Everything a user could see for one configuration: issues, the load error, logs and reprs."""
    report = registry.inspect(config_path=config_path, environ=environ, url_policy=url_policy)
    issues = [dict(issue.as_dict(), rendered=issue.render(), repr=repr(issue)) for issue in report.issues]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("registry")
    logger.addHandler(handler)
    load_error = registry_repr = strict_error = None
    unavailable: dict[str, str] = {}
    try:
        loaded = registry.load(config_path=config_path, environ=environ, url_policy=url_policy)
        registry_repr = repr(loaded)
        unavailable = dict(loaded.unavailable)
        resolve_errors = {}
        for name in unavailable:  # each one's ids must refuse to resolve, saying why
            try:
                loaded.resolve(f"{loaded.providers[name].prefix}org/model", api_key="explicit-key")
            except registry.ConfigError as exc:
                resolve_errors[name] = f"{exc}\n{exc!r}"
        unavailable = {name: f"{reason}\n{resolve_errors.get(name, 'RESOLVED')}" for name, reason in unavailable.items()}
        registry.load(config_path=config_path, environ=environ, url_policy=url_policy, strict=True)
    except registry.ConfigError as exc:
        if registry_repr is None:
            load_error = f"{exc}\n{exc!r}"
        else:
            strict_error = f"{exc}\n{exc!r}"
    finally:
        logger.removeHandler(handler)
    return {"issues": issues, "ok": report.ok, "load_error": load_error, "registry_repr": registry_repr,
            "log": stream.getvalue(), "unavailable": unavailable, "strict_error": strict_error}


_CHILD = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
from test_bad_inputs import outcome
args = json.loads(sys.argv[3])
print(json.dumps(outcome(args["config_path"], args["environ"], args["url_policy"])))
"""


def _limit_child() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (RESOURCE_MEMORY_LIMIT, RESOURCE_MEMORY_LIMIT))


def outcome_in_child(args: dict[str, Any], home: Path) -> dict[str, Any]:
    """``outcome`` in a child process with limits: a crash or a hang is a failure, not a lost run."""
    project = Path(registry.__file__).resolve().parent.parent
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "XDG_CACHE_HOME": str(home / ".cache"), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    wanted = {k: args[k] for k in ("config_path", "environ", "url_policy")}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(project), str(Path(__file__).parent), json.dumps(wanted)],
            capture_output=True, text=True, timeout=RESOURCE_TIME_LIMIT, env=env, preexec_fn=_limit_child,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no answer within {RESOURCE_TIME_LIMIT} s: the loader hangs on this input")
    assert done.returncode == 0, f"the child exited with {done.returncode} (negative: killed by a signal)\n{done.stderr[-2000:]}"
    return json.loads(done.stdout)


def located(issue: dict[str, Any], location: str, shown: str) -> bool:
    """Whether ``issue`` is where the case says: ``LINE[:COL]``, ``file``, ``builtin`` or ``env VAR``."""
    if location.startswith("env "):
        return issue["env_var"] == location[4:]
    if location == "builtin":
        return issue["path"] == str(builtin_providers_path()) and issue["line"] is not None
    if issue["path"] != shown:
        return False
    if location == "file":
        return issue["line"] is None
    line, _, column = location.partition(":")
    return issue["line"] == int(line) and issue["column"] == (int(column) if column else None)


def all_text(seen: dict[str, Any]) -> str:
    """Every string the outcome holds: what a user, a log reader or a debugger could see."""
    return json.dumps(seen, ensure_ascii=False)


def check_case(case: dict[str, Any], seen: dict[str, Any], shown: str) -> None:
    severity = case.get("severity", "error")
    rendered = "\n".join(issue["rendered"] for issue in seen["issues"]) or "(no issues)"
    candidates = [i for i in seen["issues"] if case["message"] in i["message"] and i["severity"] == severity]
    assert candidates, f"no {severity} containing {case['message']!r}; got:\n{rendered}"
    matching = [i for i in candidates
                if located(i, case["location"], shown)
                and ("hint" not in case or case["hint"] in (i["hint"] or ""))
                and ("pointer" not in case or i["pointer"] == case["pointer"])]
    assert matching, (f"{case['message']!r} found, but not at {case['location']!r} with hint "
                      f"{case.get('hint')!r} / pointer {case.get('pointer')!r}; got:\n{rendered}")
    if severity == "error" and "unavailable" in case:  # a bad variable: only the providers that read it fail
        assert not seen["ok"]
        assert seen["load_error"] is None, f"one bad variable took the whole registry down:\n{seen['load_error']}"
        assert sorted(seen["unavailable"]) == sorted(case["unavailable"]), seen["unavailable"]
        for name, reason in seen["unavailable"].items():
            assert case["message"] in reason and "RESOLVED" not in reason, (name, reason)
        assert seen["strict_error"] is not None and case["message"] in seen["strict_error"]
        assert case["message"] in seen["log"]
    elif severity == "error":
        assert not seen["ok"]
        assert seen["load_error"] is not None and case["message"] in seen["load_error"]
    else:
        assert seen["ok"], f"a warning-only case must load; got:\n{rendered}"
        assert seen["load_error"] is None and case["message"] in seen["log"]
    if "secret" in case:
        assert case["secret"] not in all_text(seen), "the case's secret appears in the output"
    if "path" in case or "xdg_config_home" in case or "home" in case:  # the path is shown escaped, never raw
        for text in [issue["rendered"] for issue in seen["issues"]] + [seen["load_error"] or ""]:
            text.encode("utf-8")  # no lone surrogate: printing it cannot fail
            assert all(char == "\n" or char.isprintable() for char in text), f"a raw control character in {text!r}"


def test_corpus_is_large_and_well_formed() -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
    categories = {case["category"] for case in CASES}
    for category in ("yaml-syntax", "document-shape", "duplicate-keys", "implicit-typing", "resource",
                     "encoding", "wrong-type", "unknown-key", "url", "env", "env-name", "effort",
                     "prefix", "fallback", "alias", "file", "secret"):
        assert category in categories
        assert sum(case["category"] == category for case in CASES) >= 2, category
    for case in CASES:
        assert case["id"][:4].rstrip("-").isdigit() and case["message"] and case["location"]
        if "file" in case:
            assert (CORPUS / case["file"]).is_file() and case["file"] == f"{case['id']}.yaml"
    stored = {p.name for p in CORPUS.glob("*.yaml")} - {m.name for m in MANIFESTS}
    used = {case[field] for case in CASES for field in ("file", "site") if field in case}
    assert stored == used, "a data file without a case, or the reverse"


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("resource")], ids=lambda c: c["id"])
def test_bad_input(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if case.get("setup") in ("unreadable", "no-search") and os.geteuid() == 0:
        pytest.skip("root reads a chmod-000 file and searches a chmod-600 directory")
    args = prepare(case, tmp_path, monkeypatch)
    seen = outcome(args["config_path"], args["environ"], args["url_policy"])
    check_case(case, seen, args["shown"])


@pytest.mark.parametrize("case", [c for c in CASES if c.get("resource")], ids=lambda c: c["id"])
def test_resource_exhaustion(case: dict[str, Any], tmp_path: Path) -> None:
    args = prepare(case, tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    seen = outcome_in_child(args, home)
    check_case(case, seen, args["shown"])

