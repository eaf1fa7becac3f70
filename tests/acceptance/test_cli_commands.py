"""Golden output of ``registry list``, ``show``, ``resolve``, ``paths`` and ``schema``, text and --json."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from registry.cli import main
from registry.paths import builtin_providers_path, schema_path
from registry import paths

BUILTIN = str(builtin_providers_path())

USER_FILE = """\
version: 1
aliases:
  fast: ollama/llama3.1:8b
providers:
  ollama:
    api_base: http://gpu-box:11434/v1
    timeout: 30
  gpu-box:
    api_base: http://10.0.0.7:8000/v1
    api_key_env: GPU_BOX_KEY
    efforts: [low, high]
    headers: {X-Team: research-team-42}
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "providers.yaml"
    path.write_text(USER_FILE, encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def builtin_line(text: str) -> int:
    """The line of the built-in file where ``text`` first appears (so goldens survive edits there)."""
    for number, line in enumerate(Path(BUILTIN).read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(text)


def test_list_text(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, err = run(capsys, "--config", config, "list", environ={"HF_TOKEN": "hf_0123456789abcdef0123"})
    assert (code, err) == (0, "")
    assert out == (
        "NAME           PREFIX          KIND    BASE URL                          KEY          LAYER    FALLBACK\n"
        "gpu-box        gpu-box/        local   http://10.0.0.7:8000/v1           none         user\n"
        "huggingface    huggingface/    hosted  https://router.huggingface.co/v1  HF_TOKEN     env      yes\n"
        "llamacpp       llamacpp/       local   http://127.0.0.1:8080/v1          placeholder  default\n"
        "lm_studio      lm_studio/      local   http://127.0.0.1:1234/v1          placeholder  default\n"
        "ollama         ollama/         local   http://gpu-box:11434/v1           placeholder  user\n"
        "openai-compat  openai-compat/  local   http://127.0.0.1:8000/v1          placeholder  default\n"
        "vllm           vllm/           local   http://127.0.0.1:8000/v1          placeholder  default\n"
    )


def test_list_json(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, _ = run(capsys, "--config", config, "list", "--json", environ={"GPU_BOX_KEY": "sk-gpu-0123456789abcdef"})
    assert code == 0
    rows = json.loads(out)
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    assert rows[0] == {"name": "gpu-box", "prefix": "gpu-box/", "kind": "local", "api_base": "http://10.0.0.7:8000/v1",
                       "key_source": "GPU_BOX_KEY", "layer": "env", "fallback": False, "description": "",
                       "available": True, "unavailable": None}
    assert {r["name"]: r["kind"] for r in rows}["huggingface"] == "hosted"
    assert [r["name"] for r in rows if r["fallback"]] == ["huggingface"]


def test_list_with_broken_config_prints_issues_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: olama\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(path), "list")
    assert (code, out) == (1, "")
    assert err == (f"{path}:2:11: error: fallback names an unknown provider 'olama' [at $.fallback]\n"
                   "  hint: did you mean 'ollama'?\n"
                   f"registry: the configuration is invalid; run 'registry --config {path} validate' for details\n")


def test_json_commands_print_a_failure_object_when_they_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: olama\n", encoding="utf-8")
    code, out, _ = run(capsys, "--json", "--config", str(path), "list")
    failure = json.loads(out)
    assert code == 1 and failure["status"] == "fail"
    assert [(e["line"], e["column"], e["hint"]) for e in failure["errors"]] == [(2, 11, "did you mean 'ollama'?")]
    code, out, _ = run(capsys, "--json", "resolve", "ollama/")
    assert code == 1 and json.loads(out) == {"status": "fail", "errors": [{
        "path": None, "line": None, "column": None, "pointer": None, "env_var": None, "severity": "error",
        "message": "invalid model id 'ollama/': nothing follows the prefix 'ollama/'; write 'ollama/<model>'",
        "hint": None, "kind": "semantic", "rule": None}]}


def test_list_with_missing_named_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--config", str(tmp_path / "nope.yaml"), "list")
    assert (code, out) == (2, "")
    assert "nope.yaml: error: file not found" in err


def test_show_text_with_origins(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, err = run(capsys, "--config", config, "show", "ollama", environ={"OLLAMA_API_KEY": "sk-ollama-0123456789abcdef"})
    assert (code, err) == (0, "")
    b = lambda text: f"{BUILTIN}:{builtin_line(text)}"  # noqa: E731
    rows = [
        ("default", b("  ollama:"), "name = ollama"),
        ("default", f"{BUILTIN}:{builtin_line('  ollama:') + 1}", "kind = local"),
        ("default", b("prefix: ollama/"), "prefix = ollama/"),
        ("user", f"{config}:6", "api_base = http://gpu-box:11434/v1"),
        ("default", b("api_base_env: [OLLAMA_BASE_URL"), "api_base_env = [OLLAMA_BASE_URL, LOCAL_LLM_BASE_URL]"),
        ("env", "OLLAMA_API_KEY", "api_key = ****cdef"),
        ("default", b("api_key_env: [OLLAMA_API_KEY"), "api_key_env = [OLLAMA_API_KEY, LOCAL_LLM_API_KEY]"),
        ("default", b("litellm_provider: openai"), "litellm_provider = openai"),
        ("default", b("efforts: []"), "efforts = []"),
        ("default", b("thinking: extra_body"), "thinking = extra_body"),
        ("default", "implicit default", "model_format = any"),  # no layer writes it
        ("default", b("description: Ollama"), "description = Ollama's OpenAI-compatible server"),
        ("user", f"{config}:7", "timeout = 30.0"),
    ]
    width = max(len(r[1]) for r in rows)
    assert out == "".join(f"{layer:<7}  {source:<{width}}  {text}\n" for layer, source, text in rows)


def test_show_masks_headers_and_json_shape(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, _ = run(capsys, "--config", config, "show", "gpu-box", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["name"] == "gpu-box" and data["fallback"] is False
    fields = {f["field"]: f for f in data["fields"]}
    assert list(fields) == ["name", "kind", "prefix", "api_base", "api_key_env", "litellm_provider", "efforts",
                            "thinking", "model_format", "headers"]
    assert (fields["kind"]["value"], fields["kind"]["source"]) == ("local", "derived from api_base")  # 10.0.0.7
    assert data["available"] is True and data["unavailable"] is None
    assert (fields["name"]["layer"], fields["name"]["source"]) == ("user", config)
    assert (fields["prefix"]["layer"], fields["prefix"]["source"], fields["prefix"]["value"]) == \
        ("default", "implicit default", "gpu-box/")  # derived from the name, written nowhere
    assert fields["headers"] == {"field": "headers", "value": {"X-Team": "****m-42"}, "layer": "user",
                                 "source": config, "line": 12}
    assert fields["api_base"]["line"] == 9
    assert "research-team-42" not in out


def test_show_unknown_name_suggests(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, err = run(capsys, "--config", config, "show", "olama")
    assert (code, out) == (1, "")
    assert err == "registry: error: unknown provider 'olama'\n  hint: did you mean 'ollama'?\n"


def test_show_unknown_name_without_close_match_lists_names(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, _, err = run(capsys, "--config", config, "show", "zzz")
    assert code == 1
    assert err == ("registry: error: unknown provider 'zzz'\n  hint: known providers: gpu-box, huggingface, "
                   "llamacpp, lm_studio, ollama, openai-compat, vllm\n")


def test_resolve_text(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, err = run(capsys, "--config", config, "resolve", "ollama/llama3.1:8b")
    assert (code, err) == (0, "")
    assert out == (
        "model    = openai/llama3.1:8b\n"
        "api_base = http://gpu-box:11434/v1\n"
        "api_key  = ****\n"
        "timeout  = 30.0\n"
        "\n"
        f"provider: ollama via prefix ollama/  [default  {BUILTIN}:{builtin_line('prefix: ollama/')}]\n"
        f"api_base: user  {config}:6\n"
        f"api_key:  default  {BUILTIN}:{builtin_line('api_key: ollama')}\n"
    )


def test_resolve_alias_headers_effort_and_env_key(capsys: pytest.CaptureFixture[str], config: str) -> None:
    environ = {"GPU_BOX_KEY": "sk-gpu-0123456789abcdef"}
    code, out, err = run(capsys, "--config", config, "resolve", "gpu-box/qwen3", "--effort", "high", environ=environ)
    assert (code, err) == (0, "")
    assert out == (
        "model         = openai/qwen3\n"
        "api_base      = http://10.0.0.7:8000/v1\n"
        "api_key       = ****cdef\n"
        "extra_headers = {X-Team: ****m-42}\n"
        "extra_body    = {reasoning_effort: high}\n"
        "\n"
        f"provider: gpu-box via prefix gpu-box/  [user  {config}:8]\n"
        f"api_base: user  {config}:9\n"
        "api_key:  env  GPU_BOX_KEY\n"
        "effort:   high -> high\n"
    )
    code, out, _ = run(capsys, "--config", config, "resolve", "fast", environ=environ)
    assert code == 0
    assert "alias:    fast -> ollama/llama3.1:8b\n" in out


def test_resolve_fallback_json(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, _ = run(capsys, "--config", config, "--json", "resolve", "moonshotai/Kimi-K2.6:novita",
                       "--effort", "minimal", environ={"HF_TOKEN": "hf_0123456789abcdef0123"})
    assert code == 0
    assert json.loads(out) == {
        "model_id": "moonshotai/Kimi-K2.6:novita",
        "alias_of": None,
        "provider": "huggingface",
        "prefix": "huggingface/",
        "model": "moonshotai/Kimi-K2.6:novita",
        "via_fallback": True,
        "decided_by": {"layer": "default", "source": BUILTIN, "line": builtin_line("fallback:")},
        "origins": {
            "api_base": {"layer": "default", "source": BUILTIN, "line": builtin_line("router.huggingface.co")},
            "api_key": {"layer": "env", "source": "HF_TOKEN", "line": None},
        },
        "effort": "minimal",
        "effort_sent": "low",
        "suggestion": None,
        "note": None,
        "kwargs": {"model": "openai/moonshotai/Kimi-K2.6:novita", "api_base": "https://router.huggingface.co/v1",
                   "api_key": "****0123", "extra_body": {"reasoning_effort": "low"}},
    }


def test_resolve_typo_goes_to_fallback_with_a_suggestion(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, err = run(capsys, "--config", config, "resolve", "olama/llama3", environ={"HF_TOKEN": "hf_0123456789abcdef0123"})
    assert code == 0
    assert "provider: huggingface via fallback (no registered prefix matched)" in out
    assert err == "registry: warning: 'olama/llama3' went to the fallback provider\n  hint: did you mean 'ollama/llama3'?\n"


@pytest.mark.parametrize(("argv", "expected"), [
    (["resolve", "bad id"], "registry: error: invalid model id 'bad id': the model id contains whitespace\n"),
    (["resolve", "ollama/"], "registry: error: invalid model id 'ollama/': nothing follows the prefix 'ollama/'; "
                             "write 'ollama/<model>'\n"),
    (["resolve", "olama/llama3"], "registry: error: provider 'huggingface' needs an API key and none is configured; "
                                  "set HF_TOKEN or HUGGING_FACE_HUB_TOKEN, or put it in {home}/.cache/huggingface/token\n"
                                  "  hint: did you mean 'ollama/llama3'? If not: run 'hf auth login', or create a token "
                                  "at https://huggingface.co/settings/tokens\n"),
    (["resolve", "ollama/x", "--effort", "high", "--strict"],
     "registry: error: provider 'ollama' does not accept any reasoning effort (asked for 'high')\n"
     "  hint: drop --effort, or add the level to the provider's 'efforts'\n"),
    (["resolve", "gpu-box/x", "--effort", "hgh"],
     "registry: error: 'hgh' is not a reasoning-effort level; the levels are: "
     "none, minimal, low, medium, high, xhigh, max (did you mean 'high'?)\n"),
], ids=["whitespace", "empty model", "missing key", "strict effort", "effort typo"])
def test_resolve_failures_exit_1(capsys: pytest.CaptureFixture[str], config: str, argv: list[str], expected: str) -> None:
    code, out, err = run(capsys, "--config", config, *argv, environ={"GPU_BOX_KEY": "sk-gpu-0123456789abcdef"})
    # '~' of the token file comes from HOME (here the test's home: the CLI's environ has none)
    assert (code, out, err) == (1, "", expected.replace("{home}", os.environ["HOME"]))


def test_resolve_invalid_id_without_fallback_suggests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: null\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(path), "resolve", "Ollama/llama3")
    assert (code, out) == (1, "")
    assert err.startswith("registry: error: invalid model id 'Ollama/llama3': 'Ollama/' is not a registered prefix")
    assert err.endswith("\n  hint: did you mean 'ollama/llama3'?\n")


def test_resolve_unaccepted_effort_is_dropped_without_strict(capsys: pytest.CaptureFixture[str], config: str) -> None:
    code, out, _ = run(capsys, "--config", config, "resolve", "ollama/x", "--effort", "high")
    assert code == 0
    assert "extra_body" not in out
    assert out.endswith("effort:   high -> dropped (the provider does not accept it)\n")


def test_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str], isolated_user_dirs: Path) -> None:
    code, out, _ = run(capsys, "paths")
    assert code == 0
    user = isolated_user_dirs / ".config" / "provider-registry" / "providers.yaml"
    cache = isolated_user_dirs / ".cache" / "provider-registry"
    site = f"{paths._DEFAULT_XDG_CONFIG_DIRS}/provider-registry/providers.yaml"  # environ={}: conftest's /etc/xdg
    rows = [
        ("default", BUILTIN, "exists", "built-in providers"),
        ("app", "(none)", "missing", "the host's defaults: none given (load(defaults=PATH) or --defaults PATH)"),
        ("site", site, "missing", "the operator's site file, system config directory; optional: an operator may put one here"),
        ("user", str(user), "missing", "default location; run 'registry init' to create it"),
        ("env", "environment", "exists", "variables named by api_base_env and api_key_env"),
        ("cache", str(cache), "missing", "cache directory"),
        ("schema", str(schema_path()), "exists", "JSON Schema for providers files"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    assert out == "".join(
        f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}\n" for r in rows)


def test_paths_json_follows_config_and_env_var(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    named = tmp_path / "named.yaml"
    named.write_text("version: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "paths", "--json", environ={"PROVIDER_REGISTRY_CONFIG": str(named)})
    assert code == 0
    user = json.loads(out)[3]
    assert user == {"name": "user", "path": str(named), "exists": True, "note": "from $PROVIDER_REGISTRY_CONFIG"}
    code, out, _ = run(capsys, "--config", str(tmp_path / "other.yaml"), "--json", "paths",
                       environ={"PROVIDER_REGISTRY_CONFIG": str(named)})
    assert json.loads(out)[3] == {"name": "user", "path": str(tmp_path / "other.yaml"), "exists": False,
                                  "note": "from --config"}


def test_paths_app_name_selects_the_directory(capsys: pytest.CaptureFixture[str], isolated_user_dirs: Path) -> None:
    code, out, _ = run(capsys, "--app", "my-agent", "--json", "paths")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["user"]["path"] == str(isolated_user_dirs / ".config" / "my-agent" / "providers.yaml")
    assert rows["site"]["path"] == f"{paths._DEFAULT_XDG_CONFIG_DIRS}/my-agent/providers.yaml"


def test_schema_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "schema")
    assert (code, err) == (0, "")
    assert json.loads(out) == json.loads(schema_path().read_text(encoding="utf-8"))


def test_show_disabled_provider_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: null\nproviders:\n  vllm:\n    enabled: false\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(path), "show", "vllm")
    assert (code, out) == (1, "")
    assert err == ("registry: error: unknown provider 'vllm'\n"
                   "  hint: provider 'vllm' is disabled ('enabled: false'); remove that line to enable it\n")


def test_show_and_resolve_write_the_home_directory_as_tilde(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "cfg" / "providers.yaml"
    config.parent.mkdir()
    config.write_text("version: 1\nproviders:\n  ollama:\n    api_base: http://gpu-box:11434/v1\n", encoding="utf-8")
    environ = {"HOME": str(tmp_path), "OLLAMA_API_KEY": "sk-ollama-0123456789abcdef"}
    code, out, _ = run(capsys, "--config", str(config), "show", "ollama", environ=environ)
    assert code == 0
    assert "\nuser     ~/cfg/providers.yaml:4" in out
    assert "\nenv      OLLAMA_API_KEY" in out
    code, out, _ = run(capsys, "--config", str(config), "resolve", "ollama/x", environ=environ)
    assert "api_base: user  ~/cfg/providers.yaml:4\n" in out
    code, out, _ = run(capsys, "--config", str(config), "--json", "show", "ollama", environ=environ)
    api_base = next(f for f in json.loads(out)["fields"] if f["field"] == "api_base")
    assert api_base["source"] == str(config)  # JSON keeps the full path
