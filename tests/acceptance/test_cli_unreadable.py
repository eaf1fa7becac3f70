"""A configuration file that cannot be read at all exits 2, whatever stands at its path; a file
that was read but is wrong exits 1. One verdict: the reader's ``Issue.kind == "unreadable"``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from registry.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


def unreadable(tmp_path: Path, kind: str) -> Path:
    """Something at ``tmp_path/providers.yaml`` that is not a readable regular file."""
    path = tmp_path / "providers.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "too-large":
        path.write_bytes(b"#" * (1024 * 1024 + 1))
    return path  # "missing": nothing there


MESSAGES = {
    "directory": "expected a YAML file, found a directory",
    "fifo": "expected a YAML file, found a FIFO, socket or device",
    "missing": "file not found",
    "too-large": "file is larger than 1048576 bytes",
}

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
KINDS = [pytest.param("fifo", marks=needs_fifo), "directory", "missing", "too-large"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", [("list",), ("show", "ollama"), ("resolve", "ollama/m")])
def test_config_that_cannot_be_read_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str,
                                            command: tuple[str, ...]) -> None:
    path = unreadable(tmp_path, kind)
    code, out, err = run(capsys, "--config", str(path), *command)
    assert code == 2
    assert out == ""
    assert f"{path}: error: {MESSAGES[kind]}" in err
    assert "registry: a configuration file cannot be read; see the path above" in err


@pytest.mark.parametrize("kind", KINDS)
def test_validate_of_a_file_that_cannot_be_read_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       kind: str) -> None:
    path = unreadable(tmp_path, kind)
    for argv in (("--config", str(path), "validate"), ("validate", str(path))):
        code, out, _ = run(capsys, *argv)
        assert code == 2, argv
        assert f"{path}: error: {MESSAGES[kind]}" in out


@pytest.mark.parametrize("kind", KINDS)
def test_the_json_error_says_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = unreadable(tmp_path, kind)
    code, out, _ = run(capsys, "--json", "--config", str(path), "list")
    assert code == 2
    (error,) = json.loads(out)["errors"]
    assert (error["path"], error["message"], error["kind"]) == (str(path), MESSAGES[kind], "unreadable")


def test_a_file_that_was_read_but_is_wrong_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "providers.yaml"
    path.write_bytes(b"version: 1\nproviders: {a: 1\n")
    code, _, err = run(capsys, "--config", str(path), "list")
    assert code == 1
    assert "registry: the configuration is invalid" in err
    path.write_bytes(b"version: 1\nfallback: caf\xe9\n")  # not UTF-8: read, but not text
    code, _, _ = run(capsys, "--config", str(path), "list")
    assert code == 1
