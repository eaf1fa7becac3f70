"""JSON Schema check of one parsed document -> a list of located issues; the schema file itself
(its text for ``registry schema``, a copy written beside a user file for editors).

jsonschema's own messages quote the offending value, which would print an API key, so every
message here is rebuilt from the JSON path and the rule that failed; values are quoted only for
fields that are not secret. jsonschema costs ~150 ms to import, so it is imported on first use.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import stat
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError
from .fsio import atomic_write, fs_text, is_directory, path_issue, shown_path
from .issues import Issue, JsonPath, format_pointer
from .paths import schema_path
from .secrets import is_credential_url, is_secret_key, is_secret_path
from .suggest import close_match, did_you_mean
from .text import quoted

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any

    from .yamlfile import Document

__all__ = ["SCHEMA_FILE_NAME", "check_document", "check_schema_place", "load_schema", "schema_text", "write_schema"]

# The name of the copy written beside a user file; its line 1 names it as './providers.schema.json'.
SCHEMA_FILE_NAME = "providers.schema.json"

@lru_cache(maxsize=1)
def schema_text() -> str:
    """The schema file's text, exactly as shipped (also hashed by the validation cache)."""
    return schema_path().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    return json.loads(schema_text())


def check_schema_place(directory: str | os.PathLike[str]) -> Issue | None:
    """Why ``write_schema(directory)`` cannot write, found without writing: the directory is
    missing or not one, or something other than a regular file stands at its
    ``providers.schema.json``; None when the place is free or holds a file to refresh."""
    folder = fs_text(directory)
    where = "name the directory that holds your providers.yaml"
    if not folder:
        return Issue("no directory given", path="''", hint=where, kind="unreadable", rule="empty-path")
    if not is_directory(folder):
        exists = os.path.lexists(folder)
        return Issue("not a directory" if exists else "no such directory", path=shown_path(folder),
                     hint=f"{where}, not the file itself" if exists else f"create it first, or {where}",
                     kind="unreadable", rule="not-a-directory" if exists else "not-found")
    target = os.path.join(folder, SCHEMA_FILE_NAME)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except (OSError, ValueError):
        return None  # a link loop, no permission ...: the write says why
    if mode is None and not os.path.islink(target) or mode is not None and stat.S_ISREG(mode):
        return None
    what = ("a symbolic link to a missing file" if mode is None
            else "a directory" if stat.S_ISDIR(mode) else "a FIFO, socket or device")
    return Issue(f"expected the schema file, found {what}", path=shown_path(target), kind="unreadable",
                 rule="regular-file", hint=f"move it away: {SCHEMA_FILE_NAME} is the editor's copy of the schema")


def write_schema(directory: str | os.PathLike[str]) -> Path:
    """Write (or refresh) ``directory/providers.schema.json`` atomically, mode 0644, and return
    its path. The directory must exist: nothing else is created. ConfigError with one located
    Issue when the place is wrong (``check_schema_place``) or the write fails."""
    problem = check_schema_place(directory)
    if problem is not None:
        raise ConfigError(problem)
    target = os.path.join(fs_text(directory), SCHEMA_FILE_NAME)
    try:
        atomic_write(target, schema_text().encode("utf-8"), mode=0o644, replace=True)
    except (OSError, ValueError) as exc:
        issue = path_issue(exc, target, writing=True)
        raise ConfigError(issue.replace(message=f"cannot write the file: {issue.message}")) from None
    return Path(target)


# The hints of the located messages, by JSON pointer into the schema file. They live here, not in
# the file, so that the file holds only standard keywords (Ajv's strict mode refuses others);
# ``_validator`` puts each one on its node as "x-hint", where ``_describe`` reads it.
_HINTS = {
    "/properties/version": "write 'version: 1' at the top of the file",
    "/properties/fallback": "name a provider from 'providers', or write 'fallback: null'",
    "/properties/url_policy": "write 'url_policy: strict' or 'url_policy: default'",
    "/properties/allowed_hosts/items": "one host per item, e.g. 'api.example.com', '.corp.example' or '10.0.0.5'",
    "/properties/aliases/propertyNames": "an alias is one word of letters, digits, '.', '_', ':' or '-' (no '/')",
    "/properties/providers/propertyNames":
        "provider names are lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
    "/$defs/env_names": "environment variable names are upper-case letters, digits and '_', not starting with a digit",
    "/$defs/env_name": "environment variable names are upper-case letters, digits and '_', not starting with a digit",
    "/$defs/base_url": "write a full URL such as 'http://localhost:11434/v1'",
    "/$defs/provider/properties/kind": "write 'kind: local' or 'kind: hosted'",
    "/$defs/provider/properties/prefix": "a prefix is one lowercase segment ending in '/', such as 'ollama/'",
    "/$defs/provider/properties/api_key_file": "a path such as '~/.config/my-service/token', or a list of paths",
    "/$defs/provider/properties/api_key_command": "a list: the program, then its arguments, e.g. [pass, show, my-service]",
    "/$defs/provider/properties/litellm_provider": "a LiteLLM provider name such as 'openai'",
    "/$defs/provider/properties/headers/propertyNames": "header names are letters, digits and '-'",
    "/$defs/provider/properties/headers/additionalProperties": "header values are one line",
    "/$defs/provider/properties/models/propertyNames": "a model name as the id has it after the prefix, e.g. 'qwen3:8b'",
    "/$defs/thinking": "one of extra_body, reasoning_effort, chat_template_kwargs, think",
}

# Keywords that only describe: they may sit beside a "$ref" and be merged into what it names.
_ANNOTATIONS = frozenset({"description", "title", "examples", "default", "$comment", "x-hint"})
# Keywords that apply to one JSON type only (JSON Schema 2020-12, validation vocabulary).
_TYPE_KEYWORDS = {
    "string": frozenset({"pattern", "minLength", "maxLength", "format"}),
    "array": frozenset({"items", "prefixItems", "contains", "minItems", "maxItems", "uniqueItems"}),
    "null": frozenset(),
}


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = _with_hints(load_schema())
    cls = jsonschema.validators.validator_for(schema)
    # Local "$ref"s are inlined: following a reference costs a third of the check on a file with
    # thousands of providers, and this schema has no recursion, so inlining is exact. Then the
    # alternatives the file spells for editors (see _as_validated) get their compact form back.
    inlined = _as_validated(_inline_refs(schema, schema.get("$defs", {})))
    return jsonschema.validators.extend(cls, {"pattern": _pattern_rule})(inlined)


def _with_hints(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` with each of ``_HINTS`` as "x-hint" on its node (KeyError for a
    pointer that names no node: a hint must not silently stop showing)."""
    copy = json.loads(json.dumps(schema))
    for pointer, hint in _HINTS.items():
        node = copy
        for part in pointer.split("/")[1:]:
            node = node[part]
        node["x-hint"] = hint
    return copy


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/NAME"}`` replaced by (an inlined copy of) NAME;
    annotations written beside the "$ref" (its own description) win over NAME's."""
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/") and set(node) - {"$ref"} <= _ANNOTATIONS:
        named = _inline_refs(defs[ref[len("#/$defs/"):]], defs)
        return {**named, **{key: value for key, value in node.items() if key != "$ref"}}
    return {key: (value if key == "$defs" else _inline_refs(value, defs)) for key, value in node.items()}


def _as_validated(node: Any) -> Any:
    """``node`` with two spellings the file uses for editors (and Ajv's strict mode) turned back
    into the compact form that the messages of ``_describe`` are written for; both rewrites are
    exact:

    - ``anyOf`` of ``{"const": C, "description": ...}`` (a described choice) -> ``enum``;
    - ``anyOf`` of one branch per JSON type (``{"type": "string", "pattern": ...}``,
      ``{"type": "array", "items": ...}``), whose keywords each apply to its own type only ->
      one node with ``"type": [...]`` and all the keywords.
    Any other ``anyOf`` is kept as written."""
    if isinstance(node, list):
        return [_as_validated(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _as_validated(value) for key, value in node.items()}
    branches = node.get("anyOf")
    if not isinstance(branches, list) or not branches or not all(isinstance(b, dict) for b in branches):
        return node
    rest = {key: value for key, value in node.items() if key != "anyOf"}
    if all("const" in b and set(b) - {"const"} <= _ANNOTATIONS for b in branches):
        return {**rest, "enum": [b["const"] for b in branches]}
    types = [b.get("type") for b in branches]
    if all(isinstance(t, str) and t in _TYPE_KEYWORDS for t in types) and len(set(types)) == len(types) \
            and "type" not in rest:
        merged: dict[str, Any] = {}
        for kind, branch in zip(types, branches):
            keywords = set(branch) - _ANNOTATIONS - {"type"}
            if not keywords <= _TYPE_KEYWORDS[kind] or keywords & set(merged):
                return node
            merged.update({key: branch[key] for key in keywords})
        return {**merged, **rest, "type": types}
    return node


def _pattern_rule(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    """``pattern`` with ECMA-262's ``$`` (end of text): Python's ``$`` also matches before a final
    newline, which would let a '|' block scalar's ``HF_TOKEN\\n`` or a header value ending in a
    newline through."""
    import jsonschema

    if validator.is_type(instance, "string") and not re.search(_end_anchored(pattern), instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


@lru_cache(maxsize=64)
def _end_anchored(pattern: str) -> str:
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") else pattern


def check_document(document: Document) -> list[Issue]:
    """Every schema violation in ``document``, sorted by position. An empty file has none."""
    if document.data is None:
        return []
    if not isinstance(document.data, dict):
        line, column = document.position(())
        return [Issue(
            f"the file must be a mapping of keys (version, fallback, aliases, providers), not {_type_name(document.data)}",
            path=document.path, line=line, column=column, pointer="$",
            hint="start the file with 'version: 1' and a 'providers:' mapping", kind="schema", rule="type",
        )]
    issues: list[Issue] = []
    seen: set[tuple[str | None, str]] = set()
    for error in _validator().iter_errors(document.data):
        for issue in _describe(document, error):
            key = (issue.pointer, issue.message)
            if key not in seen:
                seen.add(key)
                issues.append(issue)
    issues.sort(key=lambda i: (i.line or 0, i.column or 0, i.pointer or ""))
    return issues


def _issue(document: Document, path: JsonPath, message: str, hint: str | None, rule: str, *, key: bool = False) -> Issue:
    """A schema Issue at ``path``; ``rule`` is the JSON Schema keyword that failed."""
    line, column = document.position(path, key=key)
    return Issue(message, path=document.path, line=line, column=column, pointer=format_pointer(path), hint=hint,
                 kind="schema", rule=rule)


def _describe(document: Document, error: Any) -> list[Issue]:
    path: JsonPath = tuple(error.absolute_path)
    rule = error.validator
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    secret = is_secret_path(path) or is_credential_url(path, value)
    shown = "the value" if secret else _show(value)
    hint = schema.get("x-hint")

    # jsonschema reports a bad mapping key (propertyNames) as a pattern/enum error on the parent
    # mapping, with the key as the instance: name the key and point at it instead.
    if len(error.schema_path) >= 2 and list(error.schema_path)[-2] == "propertyNames":
        return [_bad_name(document, path, error, rule)]
    if rule == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        issues = []
        for extra in sorted(set(value) - set(allowed)):
            match = close_match(extra, allowed)
            extra_hint = did_you_mean(match) if match else f"allowed keys: {', '.join(allowed)}"
            shown_key = "'...' (not shown: it may hold a key)" if is_secret_key(path, extra) else quoted(extra)
            issues.append(_issue(document, path + (extra,), f"unknown key {shown_key}", extra_hint, rule, key=True))
        return issues
    if rule == "required":
        missing = [name for name in error.validator_value if name not in value]
        return [_issue(document, path, f"missing required key {name!r}",
                       hint or schema.get("properties", {}).get(name, {}).get("x-hint") or f"add '{name}:'", rule)
                for name in missing]
    if rule == "propertyNames":
        return [_bad_name(document, path, sub, rule) for sub in (error.context or [error])][:1]
    if rule == "type":
        return [_type_issue(document, path, error.validator_value, value, secret)]
    if rule in ("enum", "const"):
        allowed = error.validator_value if rule == "enum" else [error.validator_value]
        match = close_match(value, [str(a) for a in allowed]) if not secret else None
        choices = ", ".join(json.dumps(a) for a in allowed)
        text = f"{did_you_mean(match)} allowed values: {choices}" if match else f"allowed values: {choices}"
        if rule == "const" and hint:
            text = hint
        return [_issue(document, path, f"{shown} is not allowed here", text, rule)]
    if rule == "pattern":
        field = _field_name(path)
        if "api_key_env" in path:
            hint = f"{hint}; api_key_env names the variable that holds the key (e.g. HF_TOKEN), not the key itself"
        return [_issue(document, path, f"{shown} is not a valid {field}", hint, rule)]
    if rule in ("minLength", "minItems"):
        return [_issue(document, path, "must not be empty", hint, rule)]
    if rule == "maxLength":
        return [_issue(document, path, f"is longer than {error.validator_value} characters", hint, rule)]
    if rule == "maxItems":
        return [_issue(document, path, f"has more than {error.validator_value} entries", hint, rule)]
    if rule == "uniqueItems":
        return [_issue(document, path, "lists the same entry twice", "remove the repeated entry", rule)]
    if rule in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {"minimum": "at least", "exclusiveMinimum": "greater than", "maximum": "at most", "exclusiveMaximum": "less than"}
        return [_issue(document, path, f"{shown} must be {words[rule]} {error.validator_value}", hint, rule)]
    return [_issue(document, path, f"{shown} breaks the schema rule {rule!r}", hint, rule)]


def _bad_name(document: Document, path: JsonPath, sub: Any, rule: str) -> Issue:
    name = sub.instance
    schema = sub.schema if isinstance(sub.schema, dict) else {}
    hint = schema.get("x-hint")
    if sub.validator == "enum":
        hint = f"allowed values: {', '.join(sub.validator_value)}"
    if not isinstance(name, str):
        return _issue(document, path, "key is not a string", "quote the key", rule)
    field = _field_name(path, key=True)
    if is_secret_key(path, name):  # a header line pasted as a header name: 'Authorization: Bearer ...'
        return _issue(document, path + (name,), f"this {field} is not valid (not shown: it may hold a key)",
                      f"{hint}; the value goes after the name, not in it" if hint else None, rule, key=True)
    return _issue(document, path + (name,), f"{quoted(name)} is not a valid {field}", hint, rule, key=True)


def _field_name(path: JsonPath, *, key: bool = False) -> str:
    """A human name for what lives at ``path``: 'prefix', 'environment variable name', ..."""
    names = {
        "api_base_env": "environment variable name", "api_key_env": "environment variable name",
        "api_base": "base URL", "api_bases": "base URL", "prefix": "prefix", "fallback": "provider name",
        "litellm_provider": "LiteLLM provider name", "headers": "header value",
    }
    if key:
        parent = path[-1] if path else ""
        return {"providers": "provider name", "aliases": "alias name", "headers": "header name",
                "effort_aliases": "effort level"}.get(str(parent), "key")
    for part in reversed(path):
        if isinstance(part, str) and part in names:
            return names[part]
    return "value"


def _type_issue(document: Document, path: JsonPath, expected: Any, value: Any, secret: bool) -> Issue:
    expected_list = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in expected_list)
    got = _type_name(value)
    written = document.implicit.get(path)
    if "string" in expected_list and written is not None:
        hint: str | None = f"YAML reads the unquoted {written!r} as {got}; quote it: \"{written}\""
        if secret:
            hint = f"YAML reads the unquoted value as {got}; put it in quotes"
        return _issue(document, path, f"expected {wanted}, got {got}", hint, "type")
    if "object" in expected_list:
        # Never quoted: text where a mapping belongs is often a pasted key or header line. The
        # usual cause is indentation: the fields ended up beside their key instead of under it.
        hint = ("write this key's fields on the lines below it, indented two more spaces"
                if value is None or isinstance(value, str) else None)
        return _issue(document, path, f"expected {wanted}, got {got}", hint, "type")
    if secret or isinstance(value, (dict, list)) or value is None:
        return _issue(document, path, f"expected {wanted}, got {got}", None, "type")
    hint = None
    if "array" in expected_list and isinstance(value, str):
        hint = f"write a list: [{value}]"
    return _issue(document, path, f"expected {wanted}, got {got} {_show(value)}", hint, "type")


_TYPE_WORDS = {
    "string": "a string", "array": "a list", "object": "a mapping", "number": "a number",
    "integer": "an integer", "boolean": "true or false", "null": "null",
}


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return type(value).__name__


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 80 else value[:77] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _type_name(value)
    return repr(value) if not isinstance(value, (datetime.date, datetime.datetime)) else value.isoformat()
