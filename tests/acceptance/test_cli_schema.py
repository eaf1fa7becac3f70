"""``registry schema [--write DIR]``: print the schema, or write the editor's copy into DIR."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from registry.cli import main
from registry.paths import schema_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv), environ={})
    out, err = capsys.readouterr()
    return code, out, err


def test_schema_write_creates_the_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema", "--write", str(tmp_path))
    target = tmp_path / "providers.schema.json"
    assert (code, out, err) == (0, f"wrote {target}\n", "")
    assert target.read_bytes() == schema_path().read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) & 0o022 == 0
    assert os.listdir(tmp_path) == ["providers.schema.json"]  # nothing else, no temp file


def test_schema_write_refreshes_a_stale_copy_and_says_so_in_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "providers.schema.json"
    target.write_text('{"old": true}', encoding="utf-8")
    code, out, _ = run(capsys, "--json", "schema", "--write", str(tmp_path))
    assert code == 0
    assert json.loads(out) == {"path": str(target), "written": True}
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(schema_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize(("setup", "where", "message", "hint"), [
    (None, "missing", "no such directory", "create it first"),
    ("file", "file", "not a directory", "name the directory that holds your providers.yaml, not the file itself"),
    ("dir-at-target", "d/providers.schema.json", "expected the schema file, found a directory", "move it away"),
    ("dangling-link", "d/providers.schema.json", "expected the schema file, found a symbolic link to a missing file", "move it away"),
])
def test_schema_write_bad_places_are_located_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    setup: str | None, where: str, message: str, hint: str) -> None:
    given = tmp_path / "missing"
    if setup == "file":
        given = tmp_path / "file"
        given.write_text("x", encoding="utf-8")
    elif setup is not None:
        given = tmp_path / "d"
        given.mkdir()
        if setup == "dir-at-target":
            (given / "providers.schema.json").mkdir()
        else:
            (given / "providers.schema.json").symlink_to(tmp_path / "nowhere")
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code, out, err = run(capsys, "schema", "--write", str(given))
    assert (code, out) == (2, "")
    assert err.startswith(f"{tmp_path / where}: error: {message}")
    assert f"hint: {hint}" in err and "Traceback" not in err
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


def test_schema_write_empty_dir_argument(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema", "--write", "")
    assert (code, out) == (2, "")
    assert err.startswith("'': error: no directory given")
