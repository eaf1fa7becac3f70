"""Every file the registry accepts means the same to a YAML 1.2 reader (issue 14, item 4):
booleans only as true/false, numbers only in forms both versions read alike."""

from __future__ import annotations

from pathlib import Path

import pytest

import registry
from registry import ConfigError


def load(tmp_path: Path, fields: str) -> registry.Registry:
    path = tmp_path / "p.yaml"
    path.write_text(f"version: 1\nproviders:\n  ollama:\n{fields}", encoding="utf-8")
    path.chmod(0o600)
    return registry.load(config_path=path, environ={})


@pytest.mark.parametrize(("written", "word"), [("off", "false"), ("on", "true"), ("yes", "true"), ("no", "false"),
                                                ("Off", "false"), ("YES", "true")])
def test_yaml11_only_booleans_are_refused_with_the_word_to_write(tmp_path: Path, written: str, word: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, f"    enabled: {written}\n")
    assert (info.value.line, info.value.column, info.value.first.rule) == (4, 14, "yaml-1.2")
    assert info.value.message.startswith(f"'{written}' is {word} to this reader (YAML 1.1) but text to YAML 1.2")
    assert info.value.hint == f"write {word}"


@pytest.mark.parametrize("written", ["true", "True", "TRUE", "false", "False", "FALSE"])
def test_yaml12_booleans_are_accepted(tmp_path: Path, written: str) -> None:
    load(tmp_path, f"    enabled: {written}\n")


@pytest.mark.parametrize(("written", "value"), [("1:30", "90"), ("0123", "83"), ("1_000", "1000"), ("1:30.5", "90.5"),
                                                 ("0b11", "3")])
def test_yaml11_only_numbers_are_refused_with_the_number_read(tmp_path: Path, written: str, value: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, f"    timeout: {written}\n")
    assert info.value.first.rule == "yaml-1.2" and info.value.line == 4
    assert info.value.hint == f"write a plain decimal number: {value} is what this reader sees"


@pytest.mark.parametrize(("written", "value"), [("90", 90.0), ("1.5", 1.5), ("0x10", 16.0), ("2.0e+2", 200.0), ("0.5", 0.5)])
def test_numbers_both_versions_read_alike_are_accepted(tmp_path: Path, written: str, value: float) -> None:
    assert load(tmp_path, f"    timeout: {written}\n").provider("ollama").timeout == value


def test_a_value_the_schema_refuses_gets_one_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, "    description: no\n")
    assert [issue.rule for issue in info.value.issues] == ["type"]  # the schema's "quote it", not a second error
