"""Paths never crash the CLI (issue 10, class 3): a ``--config`` (or ``PROVIDER_REGISTRY_CONFIG``)
that is too long, holds a NUL or a byte that is not UTF-8, is empty, runs through a file or a link
loop, ... gets a located error with a hint and exit 2 from every command, never a traceback, and
the path is shown escaped (printing it cannot fail or drive the terminal).

A path malformed in itself is a usage error of the global option, checked before any command runs
(like ``--app``); a well-formed path to something that is not a readable file is reported by every
command that reads the file (and by ``init``, which writes it); ``paths`` and ``schema`` read no
user file and only ``paths`` describes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import registry
from registry.cli import main

COMMANDS = [("validate",), ("list",), ("show", "ollama"), ("resolve", "ollama/m"), ("paths",), ("schema",),
            ("init",), ("export",), ("check",)]
READERS = [("validate",), ("list",), ("show", "ollama"), ("resolve", "ollama/m"), ("export",), ("check",)]


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    for text in (out, err):
        text.encode("utf-8")  # no lone surrogate reached the streams
        assert all(char in "\n\r\t" or char.isprintable() for char in text), f"raw control character in {text!r}"
        assert "Traceback" not in text and "internal error" not in text
    return code, out, err


# name -> (the path under tmp_path, the message fragment, the hint fragment)
MALFORMED = {
    "name-too-long": ("{dir}/" + "a" * 300 + ".yaml",
                      "file name is longer than the file system allows (305 characters; limit 255)", "shorter file name"),
    "directory-name-too-long": ("{dir}/" + "d" * 256 + "/providers.yaml",
                                "file name is longer than the file system allows (256 characters; limit 255)",
                                "shorter directory name"),
    "path-too-long": ("{dir}/" + "b" * 10 + "/b" * 2100 + ".yaml", "path is longer than the file system allows",
                      "shorter path"),
    "nul-byte": ("{dir}/pro\x00viders.yaml", "path contains a NUL byte", "remove the NUL"),
    "lone-surrogate": ("{dir}/\ud800.yaml", "the path cannot be encoded for the file system", "UTF-8"),
    "empty": ("", "the path is empty", "name a providers.yaml file"),
    "unknown-user": ("~no-such-user-provider-registry/p.yaml",
                     "cannot expand '~no-such-user-provider-registry': no such user", "home directory"),
}


def _path(template: str, tmp_path: Path) -> str:
    return template.replace("{dir}", str(tmp_path))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_malformed_config_is_a_located_usage_error_for_every_command(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: tuple[str, ...]) -> None:
    template, message, hint = MALFORMED[kind]
    path = _path(template, tmp_path)
    code, out, err = run(capsys, "--config", path, *command)
    assert (code, out) == (2, "")
    assert f": error: {message}" in err and "  hint: " in err and hint in err
    assert not err.startswith("env ")  # located at the path (escaped), not at a variable
    assert list(tmp_path.iterdir()) == []  # init wrote nothing, nothing was created on the way


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("kind", [kind for kind in MALFORMED if kind != "empty"])  # empty = unset: see below
def test_a_malformed_config_variable_is_located_at_the_variable(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, command: tuple[str, ...]) -> None:
    template, message, hint = MALFORMED[kind]
    code, out, err = run(capsys, *command, environ={"PROVIDER_REGISTRY_CONFIG": _path(template, tmp_path)})
    assert (code, out) == (2, "")
    assert err.startswith(f"env PROVIDER_REGISTRY_CONFIG: error: {message}")
    assert hint in err


def test_an_empty_config_variable_means_the_default_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--json", "paths", environ={"PROVIDER_REGISTRY_CONFIG": "  "})
    assert code == 0
    assert [row["note"] for row in json.loads(out) if row["name"] == "user"][0].startswith("default location")


def test_the_config_option_beats_a_malformed_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "providers.yaml"
    good.write_text("version: 1\n", encoding="utf-8")
    code, _, _ = run(capsys, "--config", str(good), "list", environ={"PROVIDER_REGISTRY_CONFIG": "x\x00y"})
    assert code == 0


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_the_json_error_names_the_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    template, message, _ = MALFORMED[kind]
    code, out, _ = run(capsys, "--json", "--config", _path(template, tmp_path), "list")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert error["kind"] == "unreadable" and message in error["message"] and error["hint"]
    assert error["rule"] in ("name-too-long", "path-too-long", "nul-byte", "encoding", "empty-path", "home")


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_validate_of_a_malformed_file_argument_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      kind: str) -> None:
    template, message, hint = MALFORMED[kind]
    code, out, _ = run(capsys, "validate", _path(template, tmp_path))
    assert code == 2
    assert f": error: {message}" in out and hint in out
    assert out.rstrip().endswith("1 error in 1 file")


# --- well-formed paths to something that is not a readable file -----------------------------------

def _through_file(tmp_path: Path) -> Path:
    (tmp_path / "afile").write_text("version: 1\n", encoding="utf-8")
    return tmp_path / "afile" / "providers.yaml"


def _dangling(tmp_path: Path) -> Path:
    link = tmp_path / "providers.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    return link


def _loop(tmp_path: Path) -> Path:
    link = tmp_path / "providers.yaml"
    link.symlink_to(link)
    return link


def _directory(tmp_path: Path) -> Path:
    (tmp_path / "providers.yaml").mkdir()
    return tmp_path / "providers.yaml"


FILE_LEVEL = {
    "through-a-file": (_through_file, "a part of the path is not a directory", "afile is a file, not a directory"),
    "dangling-link": (_dangling, "the file is a symbolic link to a missing file", "point the link"),
    "link-loop": (_loop, "too many levels of symbolic links", "ls -l"),
    "directory": (_directory, "expected a YAML file, found a directory", "providers.yaml file"),
}


@pytest.mark.parametrize("command", [*READERS, ("init",)], ids=lambda c: c[0])
@pytest.mark.parametrize("kind", list(FILE_LEVEL))
def test_a_config_that_is_not_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
                                            command: tuple[str, ...]) -> None:
    make, message, hint = FILE_LEVEL[kind]
    path = make(tmp_path)
    for argv, environ in ((("--config", str(path), *command), {}),
                          (command, {"PROVIDER_REGISTRY_CONFIG": str(path)})):
        code, out, err = run(capsys, *argv, environ=environ)
        assert code == 2, argv
        shown = out if command == ("validate",) else err
        assert f"{path}" in shown and message in shown and hint in shown, shown
    assert not (tmp_path / "nowhere.yaml").exists()  # init did not write through the dangling link


@pytest.mark.parametrize("kind", list(FILE_LEVEL))
def test_paths_says_why_a_named_file_is_not_there(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  kind: str) -> None:
    make, message, _ = FILE_LEVEL[kind]
    path = make(tmp_path)
    code, out, _ = run(capsys, "--json", "--config", str(path), "paths")
    assert code == 0
    (user,) = [row for row in json.loads(out) if row["name"] == "user"]
    assert (user["path"], user["exists"]) == (str(path), False)
    assert user["note"].startswith(f"from --config; {message}")


@pytest.mark.parametrize("name", ["\udcff.yaml", "caf\udce9.yaml", "\x1b[31mred\x1b[0m\x07.yaml", "tab\there.yaml"])
def test_an_odd_but_valid_name_is_shown_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = os.path.join(str(tmp_path), name)
    escaped = os.path.join(str(tmp_path), name.encode("unicode_escape").decode("ascii") if not name.isprintable()
                           else name)
    code, _, err = run(capsys, "--config", path, "list")
    assert code == 2
    assert err.startswith(f"{escaped}: error: file not found")
    code, out, _ = run(capsys, "--config", path, "init")  # a name the file system takes is written
    assert code == 0 and out == f"wrote {escaped}\nwrote {os.path.join(str(tmp_path), 'providers.schema.json')}\n"
    assert os.path.isfile(path)
    code, out, _ = run(capsys, "--config", path, "validate")
    assert (code, out) == (0, "OK: 2 files, 6 providers\n")


def test_a_file_with_an_odd_name_reports_its_errors_at_the_escaped_path(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = os.path.join(str(tmp_path), "\udcff\x1b.yaml")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write("version: 1\nprovidrs: {}\n")
    code, out, _ = run(capsys, "--config", path, "validate")
    assert code == 1
    assert f"{tmp_path}/\\udcff\\x1b.yaml:2:1: error: unknown key 'providrs'" in out
    code, out, _ = run(capsys, "validate", path)
    assert code == 1 and f"{tmp_path}/\\udcff\\x1b.yaml:2:1:" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root searches a chmod-600 directory")
def test_a_directory_without_search_permission_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "providers.yaml").write_text("version: 1\n", encoding="utf-8")
    closed.chmod(0o600)
    try:
        code, _, err = run(capsys, "--config", str(closed / "providers.yaml"), "list")
    finally:
        closed.chmod(0o700)
    assert code == 2
    assert "permission denied: a directory on the path cannot be searched" in err and "chmod u+x" in err


# --- the default user file under a spoiled XDG_CONFIG_HOME or HOME ---------------------------------

@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_default_location_that_is_too_long_never_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           command: tuple[str, ...]) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ("x" * 300)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ("c" * 300)))
    code, out, err = run(capsys, *command)
    if command in (("paths",), ("schema",)):  # they read no user file: the default one may be absent
        assert code == 0
        return
    assert code == 2
    shown = out if command == ("validate",) else err
    assert "file name is longer than the file system allows (300 characters; limit 255)" in shown


def test_a_home_that_is_too_long_is_named_in_the_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / ("h" * 300)))
    monkeypatch.delenv("XDG_CONFIG_HOME")
    code, _, err = run(capsys, "list")
    assert code == 2
    assert "XDG_CONFIG_HOME or HOME" in err


def test_inspect_never_raises_for_any_of_them(tmp_path: Path) -> None:
    """The library side of the same promise, for each malformed path as str, bytes and Path."""
    for template, message, _ in MALFORMED.values():
        path = _path(template, tmp_path)
        forms: list[object] = [path]
        if "\ud800" not in path:
            forms += [os.fsencode(path)] + ([Path(path)] if path else [])
        for given in forms:
            report = registry.inspect(config_path=given, environ={})  # type: ignore[arg-type]
            assert report.registry is None
            (issue,) = report.errors
            assert message in issue.message and issue.kind == "unreadable" and issue.hint, given
            with pytest.raises(registry.ConfigError):
                registry.load(config_path=given, environ={})  # type: ignore[arg-type]


def test_real_argv_bytes_that_are_not_utf8_reach_a_utf8_terminal_escaped(tmp_path: Path) -> None:
    """A real process: argv bytes that are not UTF-8, printed on a strict UTF-8 stream."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(Path(registry.__file__).resolve().parent.parent), PYTHONIOENCODING="utf-8:strict",
               LC_ALL="C.UTF-8")
    target = os.fsencode(tmp_path) + b"/\xff\x1b[2J.yaml"
    for argv in ([b"--config", target, b"list"], [b"validate", target], [b"--config", b"a" * 300, b"show", b"vllm"]):
        done = subprocess.run([sys.executable.encode(), b"-m", b"registry", *argv], capture_output=True, env=env,
                              timeout=120, check=False)
        assert done.returncode == 2, done.stderr
        text = (done.stdout + done.stderr).decode("utf-8")  # strict: the output is valid UTF-8
        assert "Traceback" not in text and "\x1b" not in text
        assert "\\udcff\\x1b[2J.yaml" in text or "limit 255" in text


@pytest.mark.parametrize("kind", ["name-too-long", "nul-byte", "lone-surrogate", "directory-name-too-long"])
def test_export_to_a_malformed_output_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  kind: str) -> None:
    template, message, hint = MALFORMED[kind]
    code, out, err = run(capsys, "export", "-o", _path(template, tmp_path))
    assert (code, out) == (2, "")
    assert "cannot write: " + message in err and hint in err
    assert list(tmp_path.iterdir()) == []
