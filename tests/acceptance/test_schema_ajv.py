"""The schema file under Ajv's strict mode (draft 2020-12): the validator editors and JavaScript
tools use refuses unknown keywords, union types and other loose spellings that Python's
jsonschema lets pass. Ajv also agrees with the registry on which files are valid.

Needs node and npm. ``.ci/run`` installs Ajv once and names the directory in
``PROVIDER_REGISTRY_TEST_NODE_PREFIX``; without it the test installs Ajv itself with npm.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from registry.fsio import read_regular_file
from registry.paths import builtin_providers_path, schema_path
from registry.yamlfile import parse_yaml
from node_packages import node_prefix as install_node_packages


CHECK = r"""
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");
const fs = require("fs");
const [schemaFile, ...instances] = process.argv.slice(2);
const ajv = new Ajv2020({strict: true, allErrors: true});
addFormats(ajv);
let validate;
try {
  validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
} catch (e) {
  console.log(JSON.stringify({compiled: false, error: e.message}));
  process.exit(0);
}
const results = instances.map(f => validate(JSON.parse(fs.readFileSync(f, "utf8"))));
console.log(JSON.stringify({compiled: true, valid: results}));
"""


@pytest.fixture(scope="module")
def node_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_node_packages(tmp_path_factory, "ajv@8", "ajv-formats@3")


def ajv(prefix: Path, tmp_path: Path, schema: Path, *instances: object) -> dict:
    script = tmp_path / "check.js"
    script.write_text(CHECK, encoding="utf-8")
    files = []
    for index, instance in enumerate(instances):
        files.append(tmp_path / f"instance-{index}.json")
        files[-1].write_text(json.dumps(instance), encoding="utf-8")
    result = subprocess.run(["node", str(script), str(schema), *map(str, files)], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "NODE_PATH": str(prefix / "node_modules")})
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_schema_compiles_under_ajv_strict_mode(node_prefix: Path, tmp_path: Path) -> None:
    assert ajv(node_prefix, tmp_path, schema_path()) == {"compiled": True, "valid": []}


def test_ajv_strict_mode_is_really_strict(node_prefix: Path, tmp_path: Path) -> None:
    """The check can fail: the keyword this schema used to carry is refused."""
    loose = json.loads(schema_path().read_text(encoding="utf-8"))
    loose["properties"]["version"]["x-hint"] = "write 'version: 1'"
    (tmp_path / "loose.json").write_text(json.dumps(loose), encoding="utf-8")
    result = ajv(node_prefix, tmp_path, tmp_path / "loose.json")
    assert result["compiled"] is False and 'unknown keyword: "x-hint"' in result["error"]


def test_ajv_and_the_registry_agree_on_files(node_prefix: Path, tmp_path: Path) -> None:
    builtin = parse_yaml(read_regular_file(builtin_providers_path()), "builtin").data
    good = {"version": 1, "fallback": None, "providers": {"ollama": {"kind": "local", "api_key_env": "OLLAMA_API_KEY",
                                                                     "efforts": ["low"], "thinking": "think"}}}
    bad = [
        {"version": 1, "providers": {"ollama": {"kind": "locl"}}},
        {"version": 1, "providers": {"ollama": {"api_key_env": 5}}},
        {"version": 1, "providers": {"ollama": {"api_key_file": []}}},
        {"version": 1, "providers": {"ollama": {"efforts": ["hgh"]}}},
        {"version": 1, "fallback": "Bad"},
        {"version": 2},
    ]
    result = ajv(node_prefix, tmp_path, schema_path(), builtin, good, *bad)
    assert result == {"compiled": True, "valid": [True, True] + [False] * len(bad)}
