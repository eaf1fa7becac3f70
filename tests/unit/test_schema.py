"""Unit tests for the JSON Schema and registry.schema: the schema itself, the built-in file, and
located messages with did-you-mean, quote hints and enum lists that never quote a key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

import registry
from registry.paths import builtin_providers_path, schema_path
from registry.schema import check_document, load_schema
from registry.fsio import read_regular_file
from registry.yamlfile import parse_yaml

SECRET = "sk-live-SECRETVALUE-0123456789"


def issues(body: str) -> list[registry.Issue]:
    return check_document(parse_yaml("version: 1\n" + body, "u.yaml"))


def only(body: str) -> registry.Issue:
    found = issues(body)
    assert len(found) == 1, [i.render() for i in found]
    return found[0]


def provider(field_text: str) -> str:
    return f"providers:\n  ollama:\n    {field_text}\n"


# --- the schema itself ---------------------------------------------------------------------------

def test_schema_is_valid_draft_2020_12() -> None:
    import jsonschema

    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _object_schemas(node: Any, where: str = "$") -> Iterator[tuple[str, dict]]:
    if isinstance(node, dict):
        if "properties" in node:
            yield where, node
        for key, value in node.items():
            yield from _object_schemas(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _object_schemas(value, f"{where}[{i}]")


def _choices(node: dict) -> list:
    """The values of a described choice: ``anyOf`` of ``{const, description}``."""
    return [branch["const"] for branch in node["anyOf"]]


def test_every_object_is_closed_and_every_field_documented() -> None:
    found = list(_object_schemas(load_schema()))
    assert len(found) >= 2
    for where, node in found:
        assert node.get("additionalProperties") is False, where
        for name, sub in node["properties"].items():
            assert sub.get("description"), f"{where}.{name}"  # its own, also beside a $ref


def _subschemas(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("examples", "const", "enum", "default"):
                yield from _subschemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _subschemas(value, f"{where}/{i}")


def test_every_choice_is_described_and_the_file_uses_no_bare_enum() -> None:
    choices = 0
    for where, node in _subschemas(load_schema()):
        if not isinstance(node, dict):
            continue
        assert "enum" not in node, f"{where}: write anyOf of const + description, so editors show what each means"
        if "const" in node and where.rsplit("/", 2)[-2] == "anyOf":
            choices += 1
            assert node.get("description"), where
    assert choices == 17  # url_policy 2, effort 7, kind 2, model_format 2, thinking 4


def test_no_keyword_outside_json_schema_2020_12() -> None:
    """Ajv's strict mode refuses unknown keywords (tests/acceptance/test_schema_ajv.py runs it):
    the registry's hints live in schema.py, not in the file."""
    assert "x-hint" not in schema_path().read_text(encoding="utf-8")
    assert "$id" not in load_schema()  # nothing pretends to be fetchable


def test_every_hint_names_a_node_of_the_schema() -> None:
    from registry import schema as schema_module

    hinted = schema_module._with_hints(load_schema())  # KeyError for a pointer that names nothing
    assert len(schema_module._HINTS) == 18
    assert hinted["$defs"]["base_url"]["x-hint"] == "write a full URL such as 'http://localhost:11434/v1'"


def test_every_example_passes_its_own_subschema() -> None:
    import jsonschema

    from registry import schema as schema_module

    schema = load_schema()
    inlined = schema_module._inline_refs(schema, schema["$defs"])
    del inlined["$defs"]  # kept as written; each definition is checked where it is used
    count = 0
    for where, node in _subschemas(inlined):
        if isinstance(node, dict) and "examples" in node:
            for example in node["examples"]:
                count += 1
                errors = list(jsonschema.Draft202012Validator(node).iter_errors(example))
                assert not errors, (where, example, [e.message for e in errors])
    assert count >= 40


def test_the_validated_form_is_the_compact_one() -> None:
    """The spellings for editors (anyOf of described consts, anyOf per type) reach jsonschema as
    enum and type lists, so messages and speed are those of the compact schema."""
    from registry import schema as schema_module

    validated = schema_module._validator().schema
    provider = validated["properties"]["providers"]["additionalProperties"]["properties"]
    assert provider["kind"]["enum"] == ["local", "hosted"] and "anyOf" not in provider["kind"]
    assert provider["api_key_env"]["type"] == ["string", "array"]
    assert provider["api_key_env"]["pattern"] == "^[A-Z_][A-Z0-9_]*$"
    assert validated["properties"]["fallback"]["type"] == ["string", "null"]
    assert "anyOf" not in json.dumps({key: value for key, value in validated.items() if key != "$defs"})


def test_schema_fields_match_the_design_contract() -> None:
    schema = load_schema()
    assert set(schema["properties"]) == {"version", "fallback", "aliases", "providers", "url_policy", "allowed_hosts"}
    assert _choices(schema["properties"]["url_policy"]) == ["default", "strict"]
    assert schema["properties"]["version"]["const"] == 1
    fields = set(schema["$defs"]["provider"]["properties"])
    assert {"prefix", "api_base", "api_base_env", "api_key", "api_key_env", "litellm_provider", "efforts",
            "effort_aliases", "description", "enabled", "headers", "timeout", "kind"} <= fields
    assert tuple(_choices(schema["$defs"]["provider"]["properties"]["kind"])) == registry.provider.KINDS
    assert schema["$defs"]["env_name"]["pattern"] == "^[A-Z_][A-Z0-9_]*$"
    assert schema["$defs"]["provider"]["properties"]["prefix"]["pattern"] == "^[a-z0-9][a-z0-9._-]*/$"


def test_effort_vocabulary_matches_the_schema() -> None:
    assert tuple(_choices(load_schema()["$defs"]["effort"])) == ("none", "minimal", "low", "medium", "high", "xhigh", "max")
    assert set(registry.EFFORT_LEVELS) == set(_choices(load_schema()["$defs"]["effort"]))


def test_builtin_file_passes_the_schema() -> None:
    document = parse_yaml(read_regular_file(builtin_providers_path()), "builtin")
    assert check_document(document) == []
    assert document.data["fallback"] == "huggingface"
    first_line = Path(builtin_providers_path()).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=./schema/providers.schema.json"
    assert (Path(builtin_providers_path()).parent / "schema" / "providers.schema.json").resolve() == schema_path().resolve()


def test_schema_file_is_json() -> None:
    assert json.loads(schema_path().read_text(encoding="utf-8"))["title"]


def test_schema_comment_is_accepted_in_user_files(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(f"# yaml-language-server: $schema={schema_path()}\nversion: 1\nfallback: ollama\n")
    assert registry.load(config_path=path, environ={}).fallback == "ollama"


# --- messages: (body, exact message, pointer, line, hint fragment) -------------------------------

CASES = [
    # unknown keys, with did-you-mean
    (provider("api_bse: http://x/v1"), "unknown key 'api_bse'", "$.providers.ollama.api_bse", 4, "did you mean 'api_base'?"),
    (provider("efort: [low]"), "unknown key 'efort'", "$.providers.ollama.efort", 4, "did you mean 'efforts'?"),
    ("fallbak: ollama\n", "unknown key 'fallbak'", "$.fallbak", 2, "did you mean 'fallback'?"),
    ("provider: {}\n", "unknown key 'provider'", "$.provider", 2, "did you mean 'providers'?"),
    (provider("zzz: 1"), "unknown key 'zzz'", "$.providers.ollama.zzz", 4, "allowed keys: api_base,"),
    # implicit typing: quote hints
    (provider("description: no"), "expected a string, got a boolean", "$.providers.ollama.description", 4,
     "YAML reads the unquoted 'no' as a boolean; quote it: \"no\""),
    (provider("description: 3.10"), "expected a string, got a number", "$.providers.ollama.description", 4,
     "YAML reads the unquoted '3.10' as a number; quote it: \"3.10\""),
    ("fallback: no\n", "expected a string or null, got a boolean", "$.fallback", 2, "quote it: \"no\""),
    ("aliases:\n  fast: 3.10\n", "expected a string, got a number", "$.aliases.fast", 3, "quote it: \"3.10\""),
    (provider("litellm_provider: 0123"), "expected a string, got an integer", "$.providers.ollama.litellm_provider", 4,
     "quote it: \"0123\""),
    # other type errors
    (provider("enabled: 'no'"), "expected true or false, got a string 'no'", "$.providers.ollama.enabled", 4, None),
    (provider("timeout: fast"), "expected a number, got a string 'fast'", "$.providers.ollama.timeout", 4, None),
    (provider("efforts: low"), "expected a list, got a string 'low'", "$.providers.ollama.efforts", 4, "write a list: [low]"),
    ("providers: []\n", "expected a mapping, got a list", "$.providers", 2, None),
    # enums list their values
    (provider("model_format: hubb"), "'hubb' is not allowed here", "$.providers.ollama.model_format", 4,
     "did you mean 'hub'? allowed values: \"any\", \"hub\""),
    (provider("efforts: [extreme]"), "'extreme' is not allowed here", "$.providers.ollama.efforts[0]", 4,
     'allowed values: "none", "minimal", "low", "medium", "high", "xhigh", "max"'),
    (provider("efforts: [hihg]"), "'hihg' is not allowed here", "$.providers.ollama.efforts[0]", 4, "did you mean 'high'?"),
    (provider("effort_aliases: {minimal: lowest}"), "'lowest' is not allowed here",
     "$.providers.ollama.effort_aliases.minimal", 4, "did you mean 'low'?"),
    (provider("effort_aliases: {tiny: low}"), "'tiny' is not a valid effort level",
     "$.providers.ollama.effort_aliases.tiny", 4, "allowed values: none, minimal, low"),
    ("version: 2\n", None, None, None, None),  # replaced below: version appears twice
    # patterns
    (provider("prefix: Ollama/"), "'Ollama/' is not a valid prefix", "$.providers.ollama.prefix", 4, "one lowercase segment ending in '/'"),
    (provider("prefix: ollama"), "'ollama' is not a valid prefix", "$.providers.ollama.prefix", 4, "ending in '/'"),
    (provider("prefix: a/b/"), "'a/b/' is not a valid prefix", "$.providers.ollama.prefix", 4, None),
    (provider("api_base: ftp://x/v1"), "'ftp://x/v1' is not a valid base URL", "$.providers.ollama.api_base", 4, "http://localhost:11434/v1"),
    (provider("api_base: localhost:11434"), "'localhost:11434' is not a valid base URL", "$.providers.ollama.api_base", 4, None),
    (provider("api_base_env: ollama_url"), "the value is not a valid environment variable name",
     "$.providers.ollama.api_base_env", 4, "upper-case letters, digits and '_'"),
    (provider("api_base_env: [OK_NAME, 1BAD]"), "the value is not a valid environment variable name",
     "$.providers.ollama.api_base_env[1]", 4, None),
    ("providers:\n  Ollama:\n    api_key: x\n", "'Ollama' is not a valid provider name", "$.providers.Ollama", 3, "provider names are lowercase"),
    ("aliases:\n  a/b: ollama/x\n", "'a/b' is not a valid alias name", "$.aliases['a/b']", 3, "no '/'"),
    ("fallback: Hugging Face\n", "'Hugging Face' is not a valid provider name", "$.fallback", 2, None),
    # ranges, emptiness, uniqueness
    (provider("timeout: 0"), "0 must be greater than 0", "$.providers.ollama.timeout", 4, None),
    (provider("timeout: 5000"), "5000 must be at most 3600", "$.providers.ollama.timeout", 4, None),
    (provider("efforts: [low, low]"), "lists the same entry twice", "$.providers.ollama.efforts", 4, None),
    (provider("description: |\n      two\n      lines"), None, None, None, None),
]
CASES = [c for c in CASES if c[1] is not None]


@pytest.mark.parametrize(("body", "message", "pointer", "line", "hint"), CASES, ids=[c[1][:50] for c in CASES])
def test_schema_messages(body: str, message: str, pointer: str, line: int, hint: str | None) -> None:
    issue = only(body)
    assert issue.message == message
    assert issue.pointer == pointer
    assert (issue.path, issue.line) == ("u.yaml", line)
    if hint is None:
        assert issue.hint is None or isinstance(issue.hint, str)
    else:
        assert hint in issue.hint
    assert issue.render().startswith(f"u.yaml:{line}:{issue.column}: error: {message}")


@pytest.mark.parametrize(("text", "message"), [
    ("version: 2\n", "2 is not allowed here"),
    ("fallback: ollama\n", "missing required key 'version'"),
    ("- a\n", "the file must be a mapping of keys (version, fallback, aliases, providers), not a list"),
    ("just text\n", "the file must be a mapping of keys (version, fallback, aliases, providers), not a string"),
])
def test_document_level_messages(text: str, message: str) -> None:
    found = check_document(parse_yaml(text, "u.yaml"))
    assert [i.message for i in found] == [message]
    assert found[0].hint and "version: 1" in found[0].hint


def test_empty_base_url_is_refused() -> None:
    found = issues(provider("api_base: ''"))
    assert found[0].message == "must not be empty"
    assert all(i.pointer == "$.providers.ollama.api_base" for i in found)


@pytest.mark.parametrize(("body", "pointer"), [
    (provider("api_key_env: |\n      HF_TOKEN"), "$.providers.ollama.api_key_env"),
    (provider("api_base_env: \"OLLAMA_URL\\n\""), "$.providers.ollama.api_base_env"),
    (provider("prefix: |\n      ollama/"), "$.providers.ollama.prefix"),
    (provider('headers: {X-Team: "agents\\n"}'), "$.providers.ollama.headers.X-Team"),
    ("fallback: |\n  ollama\n", "$.fallback"),
    ('providers:\n  "mine\\n":\n    api_key: x\n', "$.providers['mine"),
])
def test_trailing_newline_does_not_pass_a_pattern(body: str, pointer: str) -> None:
    # Python's '$' matches before a final newline; the schema's patterns mean end of text.
    found = issues(body)
    assert len(found) == 1 and found[0].pointer.startswith(pointer)


def test_issues_are_collected_and_sorted() -> None:
    found = issues("providers:\n  vllm:\n    timeout: 0\n  ollama:\n    api_bse: x\n    efforts: [big]\n")
    assert [i.line for i in found] == [4, 6, 7]


def test_schema_errors_reach_load_as_config_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nproviders:\n  ollama:\n    api_bse: http://x/v1\n")
    with pytest.raises(registry.ConfigError) as info:
        registry.load(config_path=path, environ={})
    assert str(info.value) == (f"{path}:4:5: error: unknown key 'api_bse' [at $.providers.ollama.api_bse]\n"
                               "  hint: did you mean 'api_base'?")


# --- secrets never appear ------------------------------------------------------------------------

SECRET_BODIES = [
    provider(f"api_key: [{SECRET}]"),
    provider(f"api_key: {{k: {SECRET}}}"),
    provider(f"api_key: '{SECRET}{'x' * 5000}'"),
    provider(f"api_key_env: {SECRET}"),
    provider(f"api_key_env: [{SECRET}]"),
    provider(f"api_key_env: [OK_NAME, {SECRET}]"),
    provider(f'headers: {{Authorization: "Bearer {SECRET}\\n"}}'),
    provider(f"headers: {{Authorization: [{SECRET}]}}"),
    provider(f"headers: {{X-Key: '{SECRET}{'y' * 9000}'}}"),
    provider(f"api_base: ['https://host/v1?api_key={SECRET}']"),
    provider(f"api_key_env: |\n      {SECRET}"),
    provider(f"headers:\n      X-Key: |\n        {SECRET}\n        second"),
    provider("api_key: 12345678901234567890"),
    provider("api_key: 2024-01-02"),
]


@pytest.mark.parametrize("body", SECRET_BODIES, ids=range(len(SECRET_BODIES)))
def test_secret_values_never_appear_in_schema_messages(body: str) -> None:
    found = issues(body)
    assert found, "expected the schema to refuse this"
    for issue in found:
        text = issue.render() + json.dumps(issue.as_dict())
        for fragment in (SECRET, "SECRETVALUE", "12345678901234567890", "2024-01-02"):
            assert fragment not in text


@pytest.mark.parametrize("body", SECRET_BODIES, ids=range(len(SECRET_BODIES)))
def test_secret_values_never_appear_in_load_errors(tmp_path: Path, body: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n" + body)
    with pytest.raises(registry.ConfigError) as info:
        registry.load(config_path=path, environ={})
    assert SECRET not in str(info.value) and "SECRETVALUE" not in repr(info.value)
    assert "SECRETVALUE" not in str(info.value.args)


def test_secret_quote_hint_does_not_echo_the_value() -> None:
    issue = only(provider("api_key: 123456789"))
    assert issue.message == "expected a string, got an integer"
    assert issue.hint == "YAML reads the unquoted value as an integer; put it in quotes"


@pytest.mark.parametrize(("body", "rule"), [
    (provider("api_bse: http://x/v1"), "additionalProperties"),
    ("!fallback: ollama\n", "required"),
    (provider("timeout: fast"), "type"),
    (provider("description: no"), "type"),
    (provider("model_format: hubb"), "enum"),
    ("!version: 2\n", "const"),
    (provider("prefix: Ollama/"), "pattern"),
    ("providers:\n  Ollama:\n    api_key: x\n", "pattern"),
    (provider("effort_aliases: {tiny: low}"), "enum"),
    (provider("api_base: ''"), "minLength"),
    (provider("timeout: 0"), "exclusiveMinimum"),
    (provider("efforts: [low, low]"), "uniqueItems"),
    ("!- a\n", "type"),
])
def test_every_schema_issue_is_kind_schema_with_its_keyword(body: str, rule: str) -> None:
    text = body[1:] if body.startswith("!") else "version: 1\n" + body  # '!': the whole file
    found = check_document(parse_yaml(text, "u.yaml"))
    assert found and all((i.kind, i.rule) == ("schema", rule) for i in found[:1])
    assert all(i.kind == "schema" and i.rule for i in found)


@pytest.mark.parametrize("body", [
    "providers:\n  headers:\n    timeout: '30'\n",  # a provider named like a secret field
    provider("headers: {X-Key: {nested: sk-live-SECRETVALUE-0123456789}}"),
])
def test_any_secret_field_on_the_path_keeps_the_value_unquoted(body: str) -> None:
    for issue in issues(body):
        assert "SECRETVALUE" not in issue.render() and "'30'" not in issue.render()
