"""``registry validate``: every broken file gives its exact location and hint; summary, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import registry
from registry.cli import main
from registry.paths import builtin_providers_path

BUILTIN = str(builtin_providers_path())


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


# (case id, file text, the exact issue text that `registry validate FILE` prints; {path} is the file)
BROKEN_FILES = [
    ("misspelled key", "version: 1\nproviders:\n  ollama:\n    api_bse: http://gpu:11434/v1\n",
     "{path}:4:5: error: unknown key 'api_bse' [at $.providers.ollama.api_bse]\n"
     "  hint: did you mean 'api_base'?"),
    ("misspelled top-level key", "version: 1\nprovider:\n  ollama: {}\n",
     "{path}:2:1: error: unknown key 'provider' [at $.provider]\n"
     "  hint: did you mean 'providers'?"),
    ("bad prefix", "version: 1\nproviders:\n  ollama:\n    prefix: Ollama\n",
     "{path}:4:13: error: 'Ollama' is not a valid prefix [at $.providers.ollama.prefix]\n"
     "  hint: a prefix is one lowercase segment ending in '/', such as 'ollama/'"),
    ("bad env var name", "version: 1\nproviders:\n  ollama:\n    api_base_env: [OLLAMA_URL, my-url]\n",
     "{path}:4:32: error: the value is not a valid environment variable name [at $.providers.ollama.api_base_env[1]]\n"
     "  hint: environment variable names are upper-case letters, digits and '_', not starting with a digit"),
    ("YAML syntax error", "version: 1\nproviders:\n  ollama:\n    api_base: [http://x:1/v1\n    prefix: ollama/\n",
     "{path}:5:11: error: YAML syntax error: expected ',' or ']', but got ':'"),
    ("tab indentation", "version: 1\nproviders:\n\tollama: {}\n",
     "{path}:3:1: error: YAML syntax error: found character '\\t' that cannot start any token\n"
     "  hint: indent with spaces, not tabs"),
    ("duplicate key", "version: 1\nproviders:\n  vllm:\n    api_base: http://a:8000/v1\n    api_base: http://b:8000/v1\n",
     "{path}:5:5: error: duplicate key 'api_base' (first defined on line 4, again on line 5) [at $.providers.vllm.api_base]\n"
     "  hint: remove one of the two entries"),
    ("unquoted no", "version: 1\nproviders:\n  ollama:\n    description: no\n",
     "{path}:4:18: error: expected a string, got a boolean [at $.providers.ollama.description]\n"
     "  hint: YAML reads the unquoted 'no' as a boolean; quote it: \"no\""),
    ("unknown fallback provider", "version: 1\nfallback: olama\n",
     "{path}:2:11: error: fallback names an unknown provider 'olama' [at $.fallback]\n"
     "  hint: did you mean 'ollama'?"),
    ("wrong type", "version: 1\nproviders:\n  ollama:\n    timeout: soon\n",
     "{path}:4:14: error: expected a number, got a string 'soon' [at $.providers.ollama.timeout]"),
    ("string instead of list", "version: 1\nproviders:\n  ollama:\n    efforts: high\n",
     "{path}:4:14: error: expected a list, got a string 'high' [at $.providers.ollama.efforts]\n"
     "  hint: write a list: [high]"),
    ("bad effort enum", "version: 1\nproviders:\n  ollama:\n    efforts: [low, hgh]\n",
     "{path}:4:20: error: 'hgh' is not allowed here [at $.providers.ollama.efforts[1]]\n"
     "  hint: did you mean 'high'? allowed values: \"none\", \"minimal\", \"low\", \"medium\", \"high\", \"xhigh\", \"max\""),
    ("bad model_format enum", "version: 1\nproviders:\n  ollama:\n    model_format: hubb\n",
     "{path}:4:19: error: 'hubb' is not allowed here [at $.providers.ollama.model_format]\n"
     "  hint: did you mean 'hub'? allowed values: \"any\", \"hub\""),
    ("cloud metadata URL", "version: 1\nproviders:\n  vllm:\n    api_base: http://169.254.169.254/v1\n",
     "{path}:4:15: error: host '169.254.169.254' is a link-local / cloud metadata address "
     "(rule: blocked-address; layer: user) [at $.providers.vllm.api_base]\n"
     "  hint: base URLs may not point at cloud metadata endpoints; use the server's real address"),
    ("URL without scheme", "version: 1\nproviders:\n  ollama:\n    api_base: localhost:11434\n",
     "{path}:4:15: error: 'localhost:11434' is not a valid base URL [at $.providers.ollama.api_base]\n"
     "  hint: write a full URL such as 'http://localhost:11434/v1'"),
    ("missing version", "providers:\n  ollama:\n    api_base: http://gpu:11434/v1\n",
     "{path}:1:1: error: missing required key 'version'\n"
     "  hint: write 'version: 1' at the top of the file"),
    ("wrong version", "version: 2\n",
     "{path}:1:10: error: 2 is not allowed here [at $.version]\n"
     "  hint: write 'version: 1' at the top of the file"),
    ("prefix already taken", "version: 1\nproviders:\n  mybox:\n    prefix: ollama/\n    api_base: http://gpu:8000/v1\n",
     "{path}:4:13: error: prefix 'ollama/' is already used by provider 'ollama' [at $.providers.mybox.prefix]\n"
     "  hint: give each provider its own prefix, or disable one with 'enabled: false'"),
    ("new provider without api_base", "version: 1\nproviders:\n  mybox:\n    prefix: mybox/\n",
     "{path}:3:3: error: provider 'mybox' has no api_base [at $.providers.mybox]\n"
     "  hint: add 'api_base: http://HOST:PORT/v1'"),
    ("a list instead of a mapping", "- ollama\n- vllm\n",
     "{path}:1:1: error: the file must be a mapping of keys (version, fallback, aliases, providers), not a list\n"
     "  hint: start the file with 'version: 1' and a 'providers:' mapping"),
    ("YAML anchor", "version: 1\nproviders:\n  ollama: &o\n    timeout: 5\n  vllm: *o\n",
     "{path}:3:11: error: YAML anchors are not allowed (found '&o') [at $.providers.ollama]\n"
     "  hint: remove the anchor; if the value really starts with '&', quote it"),
    ("credentials in URL", "version: 1\nproviders:\n  ollama:\n    api_base: http://user:pw@gpu:8000/v1\n",
     "{path}:4:15: error: base URL carries credentials or an '@' (user:password@host); the URL is not shown "
     "(rule: userinfo; layer: user) [at $.providers.ollama.api_base]\n"
     "  hint: remove the part before '@' and configure the key with api_key_env instead; rotate the key if the URL was shared"),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in BROKEN_FILES], ids=[case[0] for case in BROKEN_FILES])
def test_broken_file_gives_exact_location_and_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   text: str, expected: str) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    assert err == ""
    assert out == expected.format(path=path) + "\n1 error in 1 file\n"


def test_all_problems_are_reported_not_only_the_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nproviders:\n  ollama:\n    api_bse: http://x:1/v1\n    prefix: Ollama\n"
                    "    efforts: [hgh]\n  vllm:\n    timeout: abc\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 1
    lines = [line for line in out.splitlines() if not line.startswith("  hint:")]
    assert lines == [
        f"{path}:4:5: error: unknown key 'api_bse' [at $.providers.ollama.api_bse]",
        f"{path}:5:13: error: 'Ollama' is not a valid prefix [at $.providers.ollama.prefix]",
        f"{path}:6:15: error: 'hgh' is not allowed here [at $.providers.ollama.efforts[0]]",
        f"{path}:8:14: error: expected a number, got a string 'abc' [at $.providers.vllm.timeout]",
        "4 errors in 1 file",
    ]


def test_errors_in_two_files_are_counted_per_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("version: 1\nfallback: olama\n", encoding="utf-8")
    second.write_text("version: 2\nextra: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(first), str(second))
    assert code == 1
    assert out.splitlines()[-1] == "3 errors in 2 files"


def test_valid_files_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nproviders:\n  gpu-box:\n    api_base: http://gpu-box:8000/v1\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", str(path))
    assert (code, out, err) == (0, "OK: 1 file, 7 providers\n", "")


def test_no_files_checks_builtin_and_user_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nproviders:\n  gpu-box:\n    api_base: http://gpu-box:8000/v1\n", encoding="utf-8")
    code, out, _ = run(capsys, "--config", str(path), "validate")
    assert (code, out) == (0, "OK: 2 files, 7 providers\n")


def test_user_file_from_environment_variable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nprovidrs: {}\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", environ={"PROVIDER_REGISTRY_CONFIG": str(path)})
    assert code == 1
    assert out == (f"{path}:2:1: error: unknown key 'providrs' [at $.providrs]\n"
                   "  hint: did you mean 'providers'?\n1 error in 1 file\n")


def test_environment_values_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"OLLAMA_BASE_URL": "http://169.254.169.254/v1", "HF_TOKEN": "hf_abc def"}
    code, out, _ = run(capsys, "--config", str(tmp_path / "absent.yaml"), "validate", environ=environ)
    # an explicitly named but absent file is an unreadable path: exit 2
    assert code == 2
    code, out, _ = run(capsys, "validate", environ=environ)  # the default user file is absent
    assert code == 1
    assert out == (
        "env OLLAMA_BASE_URL: error: host '169.254.169.254' is a link-local / cloud metadata address "
        "(rule: blocked-address; layer: env) [at $.providers.ollama.api_base]\n"
        "  hint: base URLs may not point at cloud metadata endpoints; use the server's real address\n"
        "env HF_TOKEN: error: API key in HF_TOKEN contains whitespace [at $.providers.huggingface.api_key]\n"
        "  hint: the key has stray characters inside it; copy it again from where it was issued\n"
        "2 errors in the environment; unavailable until fixed: huggingface, ollama (every other provider works)\n"
    )
    assert "abc def" not in out


def test_file_arguments_ignore_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path), environ={"OLLAMA_BASE_URL": "http://169.254.169.254/v1"})
    assert (code, out) == (0, "OK: 1 file, 6 providers\n")


def test_warnings_are_printed_and_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nproviders:\n  vllm:\n    api_key: sk-realkey-0123456789abcdef\n", encoding="utf-8")
    path.chmod(0o600)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0
    assert out == (
        f"{path}:4:14: warning: provider 'vllm' has an API key written inline in the file [at $.providers.vllm.api_key]\n"
        "  hint: put the key in an environment variable and name it with 'api_key_env'\n"
        "OK: 1 file, 6 providers (1 warning)\n"
    )
    assert "0123456789abcdef" not in out


def test_json_shape_on_failure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nproviders:\n  ollama:\n    api_bse: http://gpu:11434/v1\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", "--json", str(path))
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "status": "fail",
        "errors": [{
            "path": str(path), "line": 4, "column": 5, "pointer": "$.providers.ollama.api_bse", "env_var": None,
            "severity": "error", "message": "unknown key 'api_bse'", "hint": "did you mean 'api_base'?",
            "kind": "schema", "rule": "additionalProperties",
        }],
        "warnings": [],
        "files": [str(path)],
        "providers": [],
        "unavailable": [],
    }


def test_json_shape_on_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "--json", "--config", str(path), "validate")
    assert code == 0
    assert json.loads(out) == {
        "status": "ok", "errors": [], "warnings": [], "files": [BUILTIN, str(path)],
        "providers": ["huggingface", "llamacpp", "lm_studio", "ollama", "openai-compat", "vllm"],
        "unavailable": [],
    }


@pytest.mark.parametrize("kind", ["missing", "directory"])
def test_unreadable_named_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    path = tmp_path / "p.yaml"
    if kind == "directory":
        path.mkdir()
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 2
    expected = {
        "missing": f"{path}: error: file not found\n"
                   "  hint: check the path, or run 'registry init' to create a starter file",
        "directory": f"{path}: error: expected a YAML file, found a directory\n"
                     "  hint: point the setting at a providers.yaml file",
    }
    assert out == expected[kind] + "\n1 error in 1 file\n"


def test_unreadable_file_among_valid_ones_still_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("version: 1\n", encoding="utf-8")
    code, _, _ = run(capsys, "validate", str(good), str(tmp_path / "nope.yaml"))
    assert code == 2


def test_github_format_annotates_each_problem_on_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a,b:c.yaml"  # property separators in the name are escaped
    path.write_text("version: 1\nproviders:\n  ollama:\n    api_bse: x\n", encoding="utf-8")
    code = main(["validate", "--format", "github", str(path)], environ={})
    out = capsys.readouterr().out
    assert code == 1
    shown = str(path).replace(":", "%3A").replace(",", "%2C")
    assert out.splitlines() == [
        f"::error file={shown},line=4,col=5::unknown key 'api_bse' [at $.providers.ollama.api_bse] "
        "(hint: did you mean 'api_base'?)",
        "1 error in 1 file",
    ]
    code = main(["validate", "--format", "github"], environ={"VLLM_BASE_URL": "x"})
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("::error title=env VLLM_BASE_URL::base URL 'x' has no scheme")


def test_github_format_escapes_line_breaks_and_percent() -> None:
    from registry.inspection import github_annotation

    issue = registry.Issue("50% done\nnext line", path="f.yaml", line=1, severity="warning")
    assert github_annotation(issue) == "::warning file=f.yaml,line=1::50%25 done%0Anext line"


def _with_comment(tmp_path: Path, ref: str = "./providers.schema.json") -> Path:
    path = tmp_path / "providers.yaml"
    path.write_text(f"# yaml-language-server: $schema={ref}\nversion: 1\n", encoding="utf-8")
    return path


def test_validate_warns_when_the_schema_comment_names_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _with_comment(tmp_path)
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0  # a warning, not an error
    assert out == (f"{path}:1:33: warning: the editor's schema comment names './providers.schema.json', which does not exist\n"
                   f"  hint: run 'registry schema --write {tmp_path}' to write the installed schema there\n"
                   "OK: 1 file, 6 providers (1 warning)\n")
    assert run(capsys, "schema", "--write", str(tmp_path))[0] == 0
    assert run(capsys, "validate", str(path))[:2] == (0, "OK: 1 file, 6 providers\n")


def test_schema_comment_warning_in_json_and_github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _with_comment(tmp_path)
    (tmp_path / "providers.schema.json").write_text('{"type": "object"}', encoding="utf-8")  # another release's
    code, out, _ = run(capsys, "--json", "validate", str(path))
    assert code == 0
    data = json.loads(out)
    assert data["status"] == "ok" and data["errors"] == []
    assert data["warnings"] == [{
        "path": str(path), "line": 1, "column": 33, "pointer": None, "env_var": None, "severity": "warning",
        "message": "the schema the editor's comment names ('./providers.schema.json') differs from the installed schema",
        "hint": f"run 'registry schema --write {tmp_path}' to write the installed schema there",
        "kind": "schema", "rule": "schema-comment",
    }]
    code, out, _ = run(capsys, "validate", "--format", "github", str(path))
    assert code == 0
    assert out.splitlines()[0].startswith(f"::warning file={path},line=1,col=33::the schema the editor's comment names")


def test_validate_checks_the_schema_comment_of_the_user_layer(capsys: pytest.CaptureFixture[str], isolated_user_dirs: Path) -> None:
    assert run(capsys, "init")[0] == 0
    assert run(capsys, "validate")[:2] == (0, "OK: 2 files, 6 providers\n")  # init wrote the schema beside it
    config = isolated_user_dirs / ".config" / "provider-registry"
    (config / "providers.schema.json").unlink()
    code, out, _ = run(capsys, "validate")
    assert code == 0
    assert f"{config / 'providers.yaml'}:1:33: warning: the editor's schema comment names './providers.schema.json'" in out
    assert out.endswith("OK: 2 files, 6 providers (1 warning)\n")


def test_remote_schema_comment_is_not_fetched_or_judged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _with_comment(tmp_path, "https://json.schemastore.invalid/providers.json")
    assert run(capsys, "validate", str(path))[:2] == (0, "OK: 1 file, 6 providers\n")
