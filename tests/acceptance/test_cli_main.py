"""The ``registry`` front end: global options, usage errors, internal errors, colour, ``python -m``."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import registry
from registry import cli
from registry.cli import build_parser, commands, main

COMMANDS = commands()


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--version") == (0, f"registry {registry.__version__}\n", "")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for name in COMMANDS:
        assert f"    {name} " in out, name


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_shows_its_one_line_description(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, name, "--help")
    assert code == 0
    assert " ".join(COMMANDS[name].HELP.split()) in " ".join(out.split())


@pytest.mark.parametrize("argv", [[], ["bogus"], ["show"], ["resolve"], ["list", "--nope"], ["resolve", "x", "--effort"]],
                         ids=["no command", "unknown command", "show without name", "resolve without id",
                              "unknown option", "option without value"])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("usage: registry")


def test_global_options_work_before_and_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    before = run(capsys, "--config", str(path), "--json", "validate")
    after = run(capsys, "validate", "--config", str(path), "--json")
    assert before == after
    assert before[0] == 0 and before[1].startswith("{")


def test_every_command_module_has_the_interface() -> None:
    for name, module in COMMANDS.items():
        assert isinstance(module, types.ModuleType), name
        assert isinstance(module.HELP, str) and module.HELP, name
        assert callable(module.add_arguments) and callable(module.run), name
    assert {"validate", "list", "show", "resolve", "paths", "init", "schema"} <= set(COMMANDS)
    build_parser()  # every module's add_arguments accepts a parser


def _install_exploding_command(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    """Register a command ``boom`` whose run raises, the way a command module is registered."""
    module = types.ModuleType("registry.commands.boom")
    module.HELP = "raises"
    module.add_arguments = lambda parser: None

    def run_command(args: object, ctx: object) -> int:
        raise RuntimeError(message)

    module.run = run_command
    monkeypatch.setitem(sys.modules, "registry.commands.boom", module)
    monkeypatch.setitem(cli._COMMAND_MODULES, "boom", "boom")


def test_internal_error_is_one_line_and_exit_3(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    canary = "sk-canary-7f3a9b2c4d5e6f708192"
    _install_exploding_command(monkeypatch, f"broke while holding {canary}\nsecond line")
    code, out, err = run(capsys, "boom", environ={"SOME_API_KEY": canary})
    assert (code, out) == (3, "")
    assert err == ("registry: internal error: RuntimeError: broke while holding ****8192 second line "
                   "(run with --debug for the traceback)\n")


def test_internal_error_with_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _install_exploding_command(monkeypatch, "kaput")
    code, _, err = run(capsys, "--debug", "boom")
    assert code == 3
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith("registry: internal error: RuntimeError: kaput\n")


def test_the_debug_traceback_masks_keys_from_the_environment(capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-debug-canary-0123456789abcdef"
    _install_exploding_command(monkeypatch, f"server said: bad key {key}")
    code, _, err = run(capsys, "--debug", "boom", environ={"VLLM_API_KEY": key})
    assert code == 3 and "Traceback (most recent call last):" in err
    assert key not in err and "****cdef" in err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_on_tty(monkeypatch: pytest.MonkeyPatch, argv: list[str], environ: dict[str, str]) -> str:
    stdout = _Tty()
    monkeypatch.setattr(sys, "stdout", stdout)
    main(argv, environ=environ)
    return stdout.getvalue()


def test_colour_only_on_a_tty_and_never_with_no_color(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: olama\n", encoding="utf-8")
    argv = ["validate", str(path)]
    coloured = _run_on_tty(monkeypatch, argv, {})
    assert "\x1b[31;1merror\x1b[0m" in coloured
    assert "\x1b[" not in _run_on_tty(monkeypatch, argv, {"NO_COLOR": "1"})
    assert "\x1b[" not in _run_on_tty(monkeypatch, ["--no-color", *argv], {})
    assert "\x1b[" not in _run_on_tty(monkeypatch, argv, {"TERM": "dumb"})
    plain = capsys.readouterr()
    assert "\x1b[" not in plain.out + plain.err
    monkeypatch.undo()
    code, out, _ = run(capsys, *argv)
    assert code == 1 and "\x1b[" not in out


def test_python_dash_m_registry(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(Path(cli.__file__).resolve().parent.parent)
    env["PROVIDER_REGISTRY_CONFIG"] = str(tmp_path / "absent.yaml")
    done = subprocess.run([sys.executable, "-m", "registry", "resolve", "ollama/llama3.1:8b", "--json"],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    # the named file is absent: exit 2 with the location and no traceback
    assert done.returncode == 2, done.stderr
    assert "absent.yaml: error: file not found" in done.stderr
    assert "Traceback" not in done.stderr
    del env["PROVIDER_REGISTRY_CONFIG"]
    done = subprocess.run([sys.executable, "-m", "registry", "--version"], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, f"registry {registry.__version__}\n")


@pytest.mark.parametrize("app", ["", ".", "..", "../../x", "a/b", "a\\b", "bad\nname"])
def test_an_app_name_that_is_not_one_directory_is_a_usage_error(capsys: pytest.CaptureFixture[str], app: str) -> None:
    code, out, err = run(capsys, "--app", app, "paths")
    assert (code, out) == (2, "")
    assert "argument --app: app name" in err and "must be one directory name" in err
    with pytest.raises(ValueError, match="must be one directory name"):
        registry.load(app_name=app, environ={})


@pytest.mark.parametrize("timeout", ["nan", "inf", "0", "-1"])
def test_check_refuses_a_timeout_that_is_not_a_positive_number(capsys: pytest.CaptureFixture[str], timeout: str) -> None:
    code, out, err = run(capsys, "check", "--timeout", timeout, "ollama")
    assert (code, out) == (2, "")
    assert f"--timeout must be a positive number of seconds, not {float(timeout)!r}" in err
    with pytest.raises(ValueError, match="positive number of seconds"):
        registry.probe(registry.load(environ={}), "ollama", timeout=float(timeout))


# tempfile is not listed: platformdirs imports it to find the config directory.
_NOT_ON_EVERY_RUN = ("typing", "difflib", "datetime", "traceback", "registry.starter", "registry.schema")


@pytest.mark.parametrize("argv", [["--version"], ["list"], ["--json", "resolve", "ollama/x"]])
def test_a_run_imports_only_its_command(tmp_path: Path, argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(Path(cli.__file__).resolve().parent.parent), HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    code = ("import sys, json; from registry.cli import main; status = main(sys.argv[1:]); "
            "sys.stdout = sys.__stdout__; print(json.dumps([status, sorted(sys.modules)]))")
    for _ in range(2):  # the first run fills the validation cache (a cache miss runs jsonschema)
        done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env,
                              timeout=120, check=False)
    status, modules = json.loads(done.stdout.splitlines()[-1])
    assert status == 0, done.stderr
    assert [m for m in _NOT_ON_EVERY_RUN if m in modules] == []
    ran = {"list": "listing", "resolve": "resolve"}.get(next((a for a in argv if not a.startswith("-")), ""))
    commands_imported = {m.rsplit(".", 1)[1] for m in modules if m.startswith("registry.commands.")} - {"_context"}
    assert commands_imported == ({ran} if ran else set())


@pytest.mark.parametrize(("argv", "code", "out_start"), [
    (["--help", "list"], 0, "usage: registry [-h]"),  # top-level help, listing every command
    (["list", "--help"], 0, "usage: registry list"),
    (["--version", "bogus"], 0, "registry "),
    (["list", "--version"], 2, ""),  # --version is a global option of the top level only
    (["--config", "list", "--json", "paths"], 0, "["),  # 'list' is the value of --config here
    (["--app", "list", "paths", "--json"], 0, "["),
], ids=["help first", "command help", "version first", "version after command", "value like a command",
        "app value like a command"])
def test_the_command_is_found_as_argparse_finds_it(capsys: pytest.CaptureFixture[str], argv: list[str], code: int,
                                                   out_start: str) -> None:
    status, out, err = run(capsys, *argv)
    assert status == code, err
    assert out.startswith(out_start)
    if argv[0] == "--help":
        for name in COMMANDS:
            assert f"    {name} " in out, name
    if argv[:2] == ["--config", "list"]:
        assert {row["name"]: row["path"] for row in json.loads(out)}["user"] == "list"
