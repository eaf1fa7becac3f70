"""Unit tests for registry.yamlfile: the strict YAML rules, positions, implicit typing, encodings."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import registry
from registry import ConfigError
from registry.fsio import MAX_BYTES, read_regular_file
from registry.yamlfile import MAX_DEPTH, parse_yaml


def read_yaml_file(path: Path) -> registry.yamlfile.Document:
    """A file through the reader and the parser, as ``layers.read_file_layer`` reads it."""
    return parse_yaml(read_regular_file(path), str(path))


def fails(text: str | bytes) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_yaml(text, "f.yaml")
    return info.value


# --- refused constructs: (text, message fragment, line) ------------------------------------------

REFUSED = [
    ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first defined on line 1, again on line 3)", 3),
    ("p:\n  x:\n    k: 1\n    k: 2\n", "duplicate key 'k' (first defined on line 3, again on line 4)", 4),
    ("a: &anchor 1\n", "YAML anchors are not allowed (found '&anchor')", 1),
    ("a: 1\nb: *ref\n", "YAML aliases are not allowed (found '*ref')", 2),
    ("base: &b {x: 1}\nother: *b\n", "YAML anchors are not allowed (found '&b')", 1),
    ("a: !!str 1\n", "explicit YAML tags are not allowed (found 'tag:yaml.org,2002:str')", 1),
    ("a: !custom x\n", "explicit YAML tags are not allowed (found '!custom')", 1),
    ("a: !!map {x: 1}\n", "explicit YAML tags are not allowed", 1),
    ("x:\n  <<: {a: 1}\n", "YAML merge keys ('<<') are not allowed", 2),
    ("a: 1\n---\nb: 2\n", "more than one YAML document in the file", 2),
    ("---\na: 1\n---\n", "more than one YAML document in the file", 3),
    ("1: one\n", "mapping keys must be strings; '1' is read as int", 1),
    ("true: x\n", "mapping keys must be strings; 'true' is read as bool", 1),
    ("? [a, b]\n: 1\n", "mapping keys must be plain strings", 1),
    ("a: .nan\n", "'.nan' (NaN or infinity) is not allowed", 1),
    ("a: -.inf\n", "(NaN or infinity) is not allowed", 1),
    ("a: [1, 2\n", "YAML syntax error", None),
    ("a:\n\t- b\n", "YAML syntax error", 2),
]


@pytest.mark.parametrize(("text", "fragment", "line"), REFUSED, ids=[r[1][:40] for r in REFUSED])
def test_refused(text: str, fragment: str, line: int | None) -> None:
    error = fails(text)
    assert fragment in error.message
    assert error.path == "f.yaml"
    if line is not None:
        assert error.line == line
    assert str(error).startswith("f.yaml:")


RULES = [  # (text, the strict rule it breaks; None for YAML's own grammar)
    ("a: 1\nb: 2\na: 3\n", "unique-keys"),
    ("a: &anchor 1\n", "no-anchors"),
    ("a: 1\nb: *ref\n", "no-aliases"),
    ("a: !custom x\n", "no-tags"),
    ("a: !!map {x: 1}\n", "no-tags"),
    ("x:\n  <<: {a: 1}\n", "no-merge-keys"),
    ("a: 1\n---\nb: 2\n", "one-document"),
    ("1: one\n", "string-keys"),
    ("? [a, b]\n: 1\n", "string-keys"),
    ("a: .nan\n", "finite-numbers"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "max-depth"),
    (b"a: caf\xe9\n", "utf-8"),
    (b"a: 1\x00\n", "no-nul"),
    ("a: [1, 2\n", None),
    ("a: \x07\n", "characters"),
    ('a: "\\ud800"\n', "characters"),
    ('a: "\\0"\n', "characters"),
]


@pytest.mark.parametrize(("text", "rule"), RULES, ids=[str(r[1]) + "-" + str(i) for i, r in enumerate(RULES)])
def test_every_reader_issue_is_syntax_with_its_rule(text: str | bytes, rule: str | None) -> None:
    issue = fails(text).first
    assert (issue.kind, issue.rule) == ("syntax", rule)


def test_a_str_source_over_the_size_limit_is_refused() -> None:
    error = fails("#" * (MAX_BYTES + 1))
    assert error.message == f"file is larger than {MAX_BYTES} bytes"


def test_duplicate_key_names_both_lines_and_its_pointer() -> None:
    error = fails("version: 1\nproviders:\n  ollama:\n    api_base: http://a\n  ollama:\n    api_base: http://b\n")
    assert error.message == "duplicate key 'ollama' (first defined on line 3, again on line 5)"
    assert error.pointer == "$.providers.ollama"
    assert (error.line, error.column) == (5, 3)
    assert error.hint == "remove one of the two entries"


def test_same_key_in_different_mappings_is_fine() -> None:
    doc = parse_yaml("a: {k: 1}\nb: {k: 2}\n")
    assert doc.data == {"a": {"k": 1}, "b": {"k": 2}}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, MAX_DEPTH + 50, 5000])
def test_depth_limit(depth: int) -> None:
    error = fails("a: " + "[" * depth + "]" * depth + "\n")
    assert f"nesting is deeper than {MAX_DEPTH} levels" in error.message


def test_depth_at_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 1  # plus the top-level mapping
    doc = parse_yaml("a: " + "[" * depth + "]" * depth + "\n")
    assert isinstance(doc.data["a"], list)


def test_single_leading_document_marker_is_fine() -> None:
    assert parse_yaml("---\nversion: 1\n...\n").data == {"version": 1}


# --- implicit typing -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("no", False), ("yes", True), ("off", False), ("on", True), ("3.10", 3.1), ("0123", 83),
        ("12", 12), ("null", None), ("~", None), ("2024-01-02", datetime.date(2024, 1, 2)), ("1.5e+3", 1500.0),
    ],
)
def test_implicit_typing_is_recorded(written: str, value: object) -> None:
    doc = parse_yaml(f"a:\n  b: {written}\n")
    assert doc.data["a"]["b"] == value
    assert doc.implicit[("a", "b")] == written


@pytest.mark.parametrize("text", ["a: 'no'\n", 'a: "3.10"\n', "a: plain words\n", "a: ollama/x:8b\n"])
def test_strings_are_not_recorded_as_implicit(text: str) -> None:
    doc = parse_yaml(text)
    assert isinstance(doc.data["a"], str)
    assert ("a",) not in doc.implicit


def test_empty_value_is_null_and_recorded() -> None:
    doc = parse_yaml("a:\nb: 1\n")
    assert doc.data == {"a": None, "b": 1}
    assert doc.implicit[("a",)] == "~"


# --- positions -----------------------------------------------------------------------------------

def test_positions_of_values_and_keys() -> None:
    doc = parse_yaml("# c\nversion: 1\nproviders:\n  ollama:\n    efforts: [low, high]\n")
    assert doc.positions[("version",)] == (2, 10)
    assert doc.key_positions[("providers", "ollama")] == (4, 3)
    assert doc.positions[("providers", "ollama", "efforts", 1)] == (5, 20)
    assert doc.position(("providers", "ollama", "missing")) == doc.positions[("providers", "ollama")]
    assert doc.position(("nowhere",)) == doc.positions[()]


# --- empty files ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "\n", "# only a comment\n", "# a\n\n# b\n", "---\n", "   \n"])
def test_empty_and_comment_only_files_have_no_data(text: str) -> None:
    assert parse_yaml(text).data is None


@pytest.mark.parametrize("text", ["", "# yaml-language-server: $schema=../schema/providers.schema.json\n# nothing else\n"])
def test_empty_user_file_loads_as_no_overrides(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    reg = registry.load(config_path=path, environ={})
    assert all(reg.origin(name, "api_base").layer == "default" for name in reg.providers)


# --- encodings and files -------------------------------------------------------------------------

def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfversion: 1\nfallback: ollama\n")
    doc = read_yaml_file(path)
    assert doc.data == {"version": 1, "fallback": "ollama"}
    assert doc.positions[("fallback",)] == (2, 11)
    assert registry.load(config_path=path, environ={}).fallback == "ollama"


@pytest.mark.parametrize(
    ("data", "line", "column", "byte"),
    [
        (b"version: 1\nfallback: caf\xe9\n", 2, 14, "0xe9"),
        (b"\xff: 1\n", 1, 1, "0xff"),
        (b"a: 1\nb: 2\n# \xc3\x28\n", 3, 3, "0xc3"),
    ],
)
def test_bad_utf8_is_located(tmp_path: Path, data: bytes, line: int, column: int, byte: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as info:
        read_yaml_file(path)
    assert info.value.message == f"invalid UTF-8: byte {byte} cannot be decoded"
    assert (info.value.path, info.value.line, info.value.column) == (str(path), line, column)
    assert info.value.hint == "save the file as UTF-8"


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("version: 1\n".encode("utf-16"))
    with pytest.raises(ConfigError) as info:
        read_yaml_file(path)
    assert "not UTF-8" in info.value.message
    assert info.value.hint == "save the file as UTF-8"


def test_nul_character_is_located() -> None:
    error = fails(b"a: 1\nb: x\x00y\n")
    assert error.message == "NUL character in file"
    assert (error.line, error.column) == (2, 5)


def test_file_too_big(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    with pytest.raises(ConfigError, match=f"larger than {MAX_BYTES} bytes"):
        read_yaml_file(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected a YAML file, found a directory"):
        read_yaml_file(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        read_yaml_file(tmp_path / "absent.yaml")
    assert info.value.message == "file not found"


def test_document_is_read_only() -> None:
    doc = parse_yaml("a: 1\n")
    with pytest.raises(TypeError):
        doc.positions[("b",)] = (1, 1)  # type: ignore[index]
    with pytest.raises(AttributeError):
        doc.data = {}  # type: ignore[misc]


# --- what is not text: refused in every scalar, raw or escaped, with its position -----------------

NOT_TEXT = [  # (text, message fragment, line, column, hint fragment)
    ('a: "\\ud800"\n', "surrogate code point U+D800", 1, 5, "half of a UTF-16 pair"),
    ('a: "x\\udc00"\n', "surrogate code point U+DC00", 1, 6, "half of a UTF-16 pair"),
    ('a: "\\ud83d\\ude00"\n', "a UTF-16 pair written as two escapes", 1, 5, "\\U0001F600"),
    ('a: "\\U0000D800"\n', "surrogate code point U+D800", 1, 5, None),
    ('a: "\\U00110000"\n', "beyond the last Unicode code point", 1, 5, "digits"),
    ('a: "\\0"\n', "NUL character U+0000", 1, 5, "NUL ends the text"),
    ('a: "\\x00"\n', "NUL character U+0000", 1, 5, None),
    ('"k\\0": 1\n', "NUL character U+0000", 1, 3, None),
    ('a: [x, "\\u0000"]\n', "NUL character U+0000", 1, 9, None),
    ('a: "\\ufffe"\n', "noncharacter U+FFFE", 1, 5, None),
    ("a: x\ufdd0\n", "noncharacter U+FDD0", 1, 5, None),
    ("a: 1\n\ufeffb: 2\n", "byte-order mark (U+FEFF)", 2, 1, "joined from two files"),
    ('a: "\\ufeff"\n', "byte-order mark (U+FEFF)", 1, 5, None),
    ("a: x\x85y\n", "line break U+0085", 1, 5, "editors do not"),
    ("a: x\u2028y\n", "line break U+2028", 1, 5, None),
    ("a: x\ud800y\n", "surrogate code point U+D800", 1, 5, None),  # a str source can hold one raw
    ("a: x\x9by\n", "non-printable character U+009B", 1, 5, "control character"),
]


@pytest.mark.parametrize(("text", "fragment", "line", "column", "hint"), NOT_TEXT, ids=[r[1][:30] + str(i) for i, r in enumerate(NOT_TEXT)])
def test_what_is_not_text_is_refused_at_its_position(text: str, fragment: str, line: int, column: int, hint: str | None) -> None:
    error = fails(text)
    issue = error.first
    assert fragment in issue.message and (issue.line, issue.column) == (line, column)
    assert issue.kind == "syntax" and issue.rule == "characters"
    if hint is not None:
        assert hint in (issue.hint or "")
    issue.render().encode("utf-8")  # a refused character never reaches the message raw
    assert all(not ("\ud800" <= char <= "\udfff") for char in issue.render())


@pytest.mark.parametrize(("text", "fragment"), [(r[0], r[1]) for r in NOT_TEXT])
def test_without_libyaml_the_pure_parser_refuses_the_same(monkeypatch: pytest.MonkeyPatch, text: str, fragment: str) -> None:
    with_libyaml = fails(text).first
    import yaml

    monkeypatch.delattr(yaml, "CSafeLoader")
    without = fails(text).first
    assert fragment in without.message
    assert (without.message, without.line, without.column, without.hint) == (
        with_libyaml.message, with_libyaml.line, with_libyaml.column, with_libyaml.hint)


def test_the_pure_parsers_result_is_never_used_when_libyaml_refused() -> None:
    import yaml

    text = 'a: "\\ud800"\nb: 1\n'
    assert list(yaml.parse(text, Loader=yaml.SafeLoader))  # the pure parser alone accepts it
    assert "surrogate" in fails(text).message


@pytest.mark.parametrize(("text", "value"), [
    ('a: "\\\\ud800"\n', "\\ud800"),  # an escaped backslash, then plain letters
    ('a: "\\U0001F600"\n', "\U0001F600"),
    ('a: "\\e[31m"\n', "\x1b[31m"),  # controls are text; output escapes them (text.escape_controls)
    ('a: "tab\\there"\n', "tab\there"),
    ("a: caf\u00e9 \u2014 ok\n", "caf\u00e9 \u2014 ok"),
])
def test_text_that_is_allowed(text: str, value: str) -> None:
    assert parse_yaml(text, "f.yaml").data == {"a": value}


# --- every YAML-level error names the JSON path of its node -----------------------------------------

POINTERS = [
    ("p:\n  vllm:\n    api_key: &abc\n", "$.p.vllm.api_key"),
    ("p:\n  vllm:\n    timeout: .nan\n", "$.p.vllm.timeout"),
    ("p:\n  vllm:\n    timeout: -.inf\n", "$.p.vllm.timeout"),
    ("p:\n  vllm: !!map {a: 1}\n", "$.p.vllm"),
    ("p:\n  vllm:\n    efforts: [low, !x high]\n", "$.p.vllm.efforts[1]"),
    ("p:\n  vllm:\n    efforts: [low, *high]\n", "$.p.vllm.efforts[1]"),
    ("p:\n  vllm:\n    <<: {a: 1}\n", "$.p.vllm['<<']"),
    ("p:\n  a: 1\n  a: 2\n", "$.p.a"),
    ("p:\n  1: x\n", "$.p['1']"),
    ("p:\n  ? [a]\n  : x\n", "$.p"),
    ("p:\n  vllm:\n    d: \"\\ud800\"\n", "$.p.vllm.d"),
    ("p:\n  vllm:\n    d: \"\\U00110000\"\n", "$.p.vllm.d"),
    ("p: 1\n---\nq: 2\n", "$"),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "$" + "[0]" * MAX_DEPTH),
]


@pytest.mark.parametrize(("text", "pointer"), POINTERS, ids=[r[1] for r in POINTERS])
def test_yaml_errors_carry_the_json_path_of_their_node(text: str, pointer: str) -> None:
    issue = fails(text).first
    assert issue.pointer == pointer
    if pointer != "$":
        assert f"[at {pointer}]" in issue.render()


# --- markup in fields that may hold a key is never quoted ---------------------------------------------

KEY = "sk-live-7Qx2Vb9LmZ4pR8tW"
HIDDEN = [
    f"p:\n  vllm:\n    api_key: &{KEY}\n",
    f"p:\n  vllm:\n    api_key: *{KEY}\n",
    f"p:\n  vllm:\n    api_key: !{KEY} x\n",
    f"p:\n  vllm:\n    api_key_env: !{KEY}\n",
    f"p:\n  vllm:\n    api_base: &{KEY} http://h\n",
    "p:\n  vllm:\n    api_base: &Zk93mQpL7vX2 http://h\n",
    f"p:\n  vllm:\n    api_bases: [http://a, &{KEY} http://b]\n",
    f"p: {{vllm: {{headers: {{Authorization: *{KEY}}}}}}}\n",
    f"p:\n  vllm:\n    headers:\n      X-Keys:\n        - !{KEY} x\n",
    f"p:\n  vllm:\n    api_key:\n      deeper: {{x: &{KEY} y}}\n",
    f"p:\n  vllm:\n    headers:\n      &{KEY} X-Team: x\n",
    f'p:\n  vllm:\n    headers:\n      "Authorization: Bearer {KEY}": a\n      "Authorization: Bearer {KEY}": b\n',
    f"p:\n  vllm:\n    api_key: {{12345678901234567890{KEY[3:7]}: x, 12345678901234567890{KEY[3:7]}: y}}\n",
    "p:\n  vllm:\n    api_key: {12345678901234567890: x}\n",
]


@pytest.mark.parametrize("text", HIDDEN, ids=[str(i) for i in range(len(HIDDEN))])
def test_markup_in_secret_and_url_fields_is_never_quoted(text: str) -> None:
    issue = fails(text).first
    seen = issue.render() + repr(issue) + str(issue.as_dict())
    for secret in (KEY, "Zk93mQpL7vX2", "12345678901234567890"):
        assert secret not in seen
    assert "not shown" in issue.message
    assert issue.line is not None and issue.pointer is not None


def test_markup_elsewhere_is_quoted() -> None:
    assert "(found '&d')" in fails("p:\n  vllm:\n    description: &d x\n").message
    assert "'yes' is read as bool" in fails("p:\n  vllm:\n    headers: {yes: x}\n").message
