"""modeline: finding the editor's schema comment and judging what it names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from registry.modeline import RULE, check_schema_comment, find_schema_comment
from registry.paths import schema_path

SCHEMA = schema_path().read_text(encoding="utf-8")


@pytest.mark.parametrize(("text", "found"), [
    ("# yaml-language-server: $schema=./s.json\nversion: 1\n", ("./s.json", 1, 33)),
    ("version: 1\n  #   yaml-language-server :  $schema=a b $schema=c\n", ("a", 2, 39)),
    ("# yaml-language-server: $schema=one\n# yaml-language-server: $schema=two\n", ("one", 1, 33)),
    ("#yaml-language-server: $schema=x\n", None),  # yaml-language-server wants a space after '#'
    ("key: 1 # yaml-language-server: $schema=x\n", None),  # a comment after a value is no modeline
    ("# yaml-language-server: nothing here\n", None),
    ("", None),
])
def test_find_schema_comment(text: str, found: tuple[str, int, int] | None) -> None:
    assert find_schema_comment(text) == found


def _file(tmp_path: Path, ref: str) -> str:
    path = tmp_path / "providers.yaml"
    path.write_text(f"# yaml-language-server: $schema={ref}\nversion: 1\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("ref", ["https://example.invalid/s.json", "http://x/s.json", "urn:x:y", "vscode://schemas/x"])
def test_remote_refs_are_left_alone(tmp_path: Path, ref: str) -> None:
    path = _file(tmp_path, ref)
    assert check_schema_comment(Path(path).read_bytes(), path) is None


def test_a_copy_with_the_same_json_is_fine_whatever_its_bytes(tmp_path: Path) -> None:
    (tmp_path / "providers.schema.json").write_text(json.dumps(json.loads(SCHEMA)), encoding="utf-8")  # one line
    for ref in ("./providers.schema.json", "providers.schema.json", str(tmp_path / "providers.schema.json"),
                (tmp_path / "providers.schema.json").as_uri(), "./providers.schema.json#/$defs/provider"):
        path = _file(tmp_path, ref)
        assert check_schema_comment(Path(path).read_bytes(), path) is None, ref


@pytest.mark.parametrize(("content", "ref", "message", "hint"), [
    (None, "./providers.schema.json", "the editor's schema comment names './providers.schema.json', which does not exist",
     "run 'registry schema --write {dir}' to write the installed schema there"),
    ('{"properties": {}}', "./providers.schema.json",
     "the schema the editor's comment names ('./providers.schema.json') differs from the installed schema",
     "run 'registry schema --write {dir}' to write the installed schema there"),
    ("not json", "./providers.schema.json",
     "the schema the editor's comment names ('./providers.schema.json') differs from the installed schema",
     "run 'registry schema --write {dir}' to write the installed schema there"),
    (None, "file:///gone/venv/lib/registry/data/providers.schema.json",
     "the editor's schema comment names 'file:///gone/venv/lib/registry/data/providers.schema.json', which does not exist",
     "run 'registry schema --write {dir}' and change the comment to '$schema=./providers.schema.json'"),
    (None, "../schema/other.json", "the editor's schema comment names '../schema/other.json', which does not exist",
     "run 'registry schema --write {dir}' and change the comment to '$schema=./providers.schema.json'"),
])
def test_missing_or_stale_schema_is_a_located_warning(tmp_path: Path, content: str | None, ref: str,
                                                      message: str, hint: str) -> None:
    if content is not None:
        (tmp_path / "providers.schema.json").write_text(content, encoding="utf-8")
    path = _file(tmp_path, ref)
    issue = check_schema_comment(Path(path).read_bytes(), path)
    assert issue is not None
    assert (issue.severity, issue.kind, issue.rule, issue.line, issue.column) == ("warning", "schema", RULE, 1, 33)
    assert issue.message == message
    assert issue.hint == hint.format(dir=tmp_path)


def test_a_directory_where_the_schema_should_be(tmp_path: Path) -> None:
    (tmp_path / "providers.schema.json").mkdir()
    path = _file(tmp_path, "./providers.schema.json")
    issue = check_schema_comment(Path(path).read_bytes(), path)
    assert issue is not None
    assert issue.message == "the editor's schema comment names './providers.schema.json', which is not a regular file"


def test_relative_file_path_gives_a_relative_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _file(tmp_path, "./providers.schema.json")
    issue = check_schema_comment(Path("providers.yaml").read_bytes(), "providers.yaml")
    assert issue is not None and issue.path == "providers.yaml"
    assert issue.hint == "run 'registry schema --write .' to write the installed schema there"
    assert os.listdir(tmp_path) == ["providers.yaml"]  # checking writes nothing
