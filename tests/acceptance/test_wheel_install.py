"""Acceptance: the project built as a wheel and installed non-editable finds its built-in
providers.yaml and schema inside the installed package, from any working directory."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _pip(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run([sys.executable, "-m", "pip", *args], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once. Without hatchling installed, pip builds in an isolated environment
    (fetching hatchling from the package index)."""
    out = tmp_path_factory.mktemp("wheel")
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    result = _pip("wheel", "--no-deps", *isolation, "--wheel-dir", str(out), str(REPO))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels = list(out.glob("provider_registry-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def site(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    result = _pip("install", "--no-deps", "--no-index", "--target", str(target), str(wheel))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return target


def run_installed(site: Path, cwd: Path, code: str | None = None, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed copy from ``cwd`` with only ``site`` on PYTHONPATH (never the checkout)."""
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONPATH" and not k.startswith("PROVIDER_REGISTRY_") and not k.endswith(("_BASE_URL", "_API_KEY"))}
    env.update(PYTHONPATH=str(site), LITELLM_LOCAL_MODEL_COST_MAP="True", HOME=str(cwd),
               XDG_CONFIG_HOME=str(cwd / ".config"), XDG_CACHE_HOME=str(cwd / ".cache"))
    command = [sys.executable, *(["-c", code] if code is not None else []), *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_wheel_carries_the_data_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "registry/data/providers.yaml" in names
        assert "registry/data/schema/providers.schema.json" in names
        assert archive.read("registry/data/providers.yaml") == (REPO / "providers.yaml").read_bytes()
        assert archive.read("registry/data/schema/providers.schema.json") == (REPO / "schema/providers.schema.json").read_bytes()
        assert [name for name in names if name.endswith(".schema.json")] == ["registry/data/schema/providers.schema.json"]
        assert not any(name.startswith("tests/") for name in names)


PROBE = """
import json, sys
import registry
from registry import paths
imported_litellm = 'litellm' in sys.modules or 'jsonschema' in sys.modules
empty = sys.argv[1]
reg = registry.load(config_path=empty, environ={"HF_TOKEN": "hf_probe_0123456789"})
gpu = registry.load(config_path=empty, environ={"OLLAMA_BASE_URL": "http://gpu-box:11434"})
print(json.dumps({
    "file": registry.__file__,
    "builtin": str(paths.builtin_providers_path()),
    "schema": str(paths.schema_path()),
    "imported_heavy": imported_litellm,
    "ollama": reg.resolve("ollama/llama3.1:8b"),
    "hf": reg.resolve("moonshotai/Kimi-K2.6:novita", reasoning_effort="minimal"),
    "gpu": gpu.resolve("ollama/llama3.1:8b")["api_base"],
    "origin": [reg.origin("ollama", "api_base").layer, reg.origin("ollama", "api_base").source],
    "prefixes": list(reg.prefixes),
}))
"""


def test_installed_package_loads_its_builtin_file(site: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    result = run_installed(site, tmp_path, PROBE, str(empty))
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout)
    package = site / "registry"
    assert Path(data["file"]).parent == package
    assert data["builtin"] == str(package / "data" / "providers.yaml")
    assert data["schema"] == str(package / "data" / "schema" / "providers.schema.json")
    assert data["imported_heavy"] is False
    assert data["ollama"] == {"model": "openai/llama3.1:8b", "api_base": "http://localhost:11434/v1", "api_key": "ollama"}
    assert data["hf"] == {"model": "openai/moonshotai/Kimi-K2.6:novita", "api_base": "https://router.huggingface.co/v1",
                          "api_key": "hf_probe_0123456789", "extra_body": {"reasoning_effort": "low"}}
    assert data["gpu"] == "http://gpu-box:11434/v1"
    assert data["origin"] == ["default", str(package / "data" / "providers.yaml")]
    assert data["prefixes"] == ["ollama/", "lm_studio/", "vllm/", "llamacpp/", "openai-compat/", "huggingface/"]


def test_installed_builtin_file_names_its_schema_by_a_path_that_exists(site: Path, tmp_path: Path) -> None:
    """The built-in file's editor comment resolves, relative to the file (as yaml-language-server
    resolves it), to the installed schema: the same file 'registry schema' prints."""
    import re

    builtin = site / "registry" / "data" / "providers.yaml"
    first = builtin.read_text(encoding="utf-8").splitlines()[0]
    ref = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)[1]
    assert not os.path.isabs(ref) and "://" not in ref
    resolved = (builtin.parent / ref).resolve()
    assert resolved.is_file() and resolved.is_relative_to((site / "registry").resolve())
    printed = run_installed(site, tmp_path, None, "-m", "registry", "schema")
    assert printed.returncode == 0, printed.stderr[-3000:]
    assert json.loads(printed.stdout) == json.loads(resolved.read_text(encoding="utf-8"))
    validated = run_installed(site, tmp_path, None, "-m", "registry", "--json", "validate")
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
    assert json.loads(validated.stdout)["warnings"] == []


def test_installed_package_checks_user_files_against_its_schema(site: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nproviders:\n  ollama:\n    api_bse: http://x:1/v1\n")
    code = ("import sys, registry\n"
            "try:\n    registry.load(config_path=sys.argv[1], environ={})\n"
            "except registry.ConfigError as exc:\n    print(exc)\n")
    result = run_installed(site, tmp_path, code, str(bad))
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith(f"{bad}:4:5: error: unknown key 'api_bse'")
    assert "did you mean 'api_base'?" in result.stdout


def test_installed_package_uses_the_default_user_file(site: Path, tmp_path: Path) -> None:
    config = tmp_path / ".config" / "provider-registry"
    config.mkdir(parents=True)
    (config / "providers.yaml").write_text("version: 1\nproviders:\n  vllm:\n    api_base: http://user-box:8000\n")
    code = "import registry; print(registry.load(environ={}).resolve('vllm/m')['api_base'])"
    result = run_installed(site, tmp_path, code)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "http://user-box:8000/v1"


def test_python_dash_m_registry_version(site: Path, tmp_path: Path) -> None:
    import registry

    result = run_installed(site, tmp_path, None, "-m", "registry", "--version")
    assert result.returncode == 0, result.stderr[-3000:]
    assert registry.__version__ in result.stdout + result.stderr
