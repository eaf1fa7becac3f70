"""The app and site layers and unavailable providers as the command line shows them (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from registry.cli import main

SITE_ENV = "PROVIDER_REGISTRY_SITE_CONFIG"


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return str(path)


def test_defaults_option_is_the_app_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = write(tmp_path / "app.yaml", "version: 1\nproviders:\n  openai-compat:\n    enabled: false\n"
                "  vllm:\n    description: the host's vLLM\n")
    code, out, err = run(capsys, "--defaults", app, "--json", "list")
    assert (code, err) == (0, "")
    rows = {row["name"]: row for row in json.loads(out)}
    assert "openai-compat" not in rows and rows["vllm"]["layer"] == "app"
    code, out, _ = run(capsys, "show", "vllm", "--defaults", app)  # accepted after the command too
    assert code == 0 and f"app      {app}:6" in out and "description = the host's vLLM" in out
    code, out, _ = run(capsys, "--defaults", app, "--json", "paths")
    assert {row["name"]: row for row in json.loads(out)}["app"] == {
        "name": "app", "path": app, "exists": True, "note": "the host's defaults, from defaults= / --defaults"}
    code, out, _ = run(capsys, "--defaults", app, "validate")
    assert code == 0 and out.startswith("OK: 2 files, 5 providers")


def test_a_missing_or_malformed_defaults_file_is_a_path_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--defaults", str(tmp_path / "nope.yaml"), "list")
    assert (code, out) == (2, "") and "nope.yaml: error: file not found" in err
    code, _, err = run(capsys, "--defaults", "", "list")
    assert code == 2 and "error" in err


def test_validate_checks_the_site_file_and_says_who_may_set_the_policy(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    site = write(tmp_path / "site.yaml", "version: 1\nurl_policy: strict\nallowed_hosts: [.corp.example]\n")
    user = write(tmp_path / "user.yaml", "version: 1\nurl_policy: default\n")
    code, out, _ = run(capsys, "--config", user, "validate", environ={SITE_ENV: site})
    assert code == 1
    assert out.startswith(f"{user}:2:1: error: a user file cannot set 'url_policy': only the host's defaults")
    write(tmp_path / "user.yaml", "version: 1\nproviders:\n  vllm:\n    api_base: http://gpu.corp.example/v1\n")
    code, out, _ = run(capsys, "--config", user, "validate", environ={SITE_ENV: site})
    assert code == 1 and "strict URL policy requires https" in out and f"{user}:4" in out
    code, out, _ = run(capsys, "--config", user, "--json", "paths", environ={SITE_ENV: site})
    assert {row["name"]: row for row in json.loads(out)}["site"] == {
        "name": "site", "path": site, "exists": True, "note": f"from ${SITE_ENV}"}


def test_an_unavailable_provider_in_list_show_validate_check_and_export(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"VLLM_BASE_URL": "localhost:8000"}
    code, out, err = run(capsys, "list", environ=environ)
    assert code == 0 and "env VLLM_BASE_URL: error: base URL 'localhost:8000' has no scheme" in err
    assert [line.split()[3] for line in out.splitlines() if line.startswith("vllm ")] == ["unavailable"]
    code, out, _ = run(capsys, "--json", "list", environ=environ)
    rows = {row["name"]: row for row in json.loads(out)}
    assert rows["vllm"]["available"] is False and rows["vllm"]["unavailable"].startswith("env VLLM_BASE_URL: ")
    assert rows["ollama"]["available"] is True
    code, out, _ = run(capsys, "show", "vllm", environ=environ)
    assert code == 0 and out.splitlines()[-1].startswith("unavailable: env VLLM_BASE_URL: base URL")
    code, out, _ = run(capsys, "validate", environ=environ)
    assert code == 1 and out.splitlines()[-1] == (
        "1 error in the environment; unavailable until fixed: vllm (every other provider works)")
    code, out, _ = run(capsys, "--json", "validate", environ=environ)
    assert code == 1 and json.loads(out)["unavailable"] == ["vllm"]
    code, out, _ = run(capsys, "resolve", "vllm/m", environ=environ)
    assert code == 1
    code, out, _ = run(capsys, "resolve", "ollama/m", environ=environ)
    assert code == 0
    code, out, _ = run(capsys, "--json", "check", "vllm", environ=environ)  # no request is sent: nothing to ask
    probe = json.loads(out)["probes"][0]
    assert code == 1 and probe["up"] is False and probe["reason"].startswith("not checked: unavailable: env VLLM_BASE_URL")
    code, out, _ = run(capsys, "--json", "export", environ=environ)
    exported = json.loads(out)
    assert code == 0 and not any(e["model_name"].startswith("vllm/") for e in exported["config"]["model_list"])
    assert any("'vllm' is not exported" in note for note in exported["notes"])
    code, _, err = run(capsys, "export", "vllm", environ=environ)
    assert code == 1 and "VLLM_BASE_URL" in err
