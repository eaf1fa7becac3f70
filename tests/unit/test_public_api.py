"""Unit tests for the public API surface: ``registry.__all__``, the exception tree, the documented
signatures, and what ``import registry`` pulls in."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import registry

REPO = Path(__file__).resolve().parents[2]

CONTRACT = {  # names issue 2 promises; more may exist
    "load", "Registry", "Provider", "Origin", "ModelIdCheck", "RegistryError", "ConfigError",
    "InvalidModelIdError", "UnknownProviderError", "UnsupportedEffortError", "MissingApiKeyError",
}


def test_all_is_sorted_unique_and_importable() -> None:
    assert len(registry.__all__) == len(set(registry.__all__))
    for name in registry.__all__:
        assert getattr(registry, name) is not None, name
    namespace: dict[str, object] = {}
    exec("from registry import *", namespace)
    assert set(registry.__all__) <= set(namespace)


def test_all_contains_the_contract() -> None:
    assert CONTRACT <= set(registry.__all__)


def test_all_is_complete() -> None:
    """Every public, non-module name the package exposes is listed (httpx-style)."""
    exposed = {
        name for name, value in vars(registry).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", "registry").startswith("registry")
        and name not in ("annotations",)
    }
    assert exposed - set(registry.__all__) == set()


def test_every_exception_in_errors_is_exported() -> None:
    from registry import errors

    for name in errors.__all__:
        assert name in registry.__all__, name


@pytest.mark.parametrize(
    ("name", "bases"),
    [
        ("ConfigError", (registry.RegistryError,)),
        ("InvalidModelIdError", (registry.RegistryError, ValueError)),
        ("UnknownProviderError", (registry.RegistryError, LookupError)),
        ("UnknownFieldError", (registry.RegistryError, LookupError)),
        ("UnsupportedEffortError", (registry.RegistryError, ValueError)),
        ("MissingApiKeyError", (registry.RegistryError,)),
    ],
)
def test_exception_tree(name: str, bases: tuple[type, ...]) -> None:
    cls = getattr(registry, name)
    for base in bases:
        assert issubclass(cls, base)
    assert not issubclass(cls, KeyError)
    assert issubclass(registry.RegistryError, Exception)


def test_load_signature() -> None:
    params = inspect.signature(registry.load).parameters
    assert list(params)[:3] == ["app_name", "config_path", "environ"]
    assert params["app_name"].default == "provider-registry"
    assert params["config_path"].default is None and params["environ"].default is None


def test_resolve_signature() -> None:
    params = inspect.signature(registry.Registry.resolve).parameters
    assert list(params) == ["self", "model_id", "reasoning_effort", "strict", "api_key"]
    for name in ("reasoning_effort", "strict", "api_key"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["strict"].default is False


@pytest.mark.parametrize("method", ["resolve", "check_model_id", "is_valid_model_id", "origin", "provider"])
def test_registry_methods_exist_and_are_documented(method: str) -> None:
    assert callable(getattr(registry.Registry, method))
    assert getattr(registry.Registry, method).__doc__ or method == "is_valid_model_id"


def test_model_id_check_fields() -> None:
    fields = set(registry.ModelIdCheck._fields)
    assert {"ok", "provider", "model", "reason", "suggestion"} <= fields


def test_config_error_attributes(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nfallback: 3\n")
    with pytest.raises(registry.ConfigError) as info:
        registry.load(config_path=path, environ={})
    error = info.value
    assert (error.path, error.line, error.column, error.pointer) == (str(path), 2, 11, "$.fallback")
    assert error.message == "expected a string or null, got an integer"
    assert error.hint == "YAML reads the unquoted '3' as an integer; quote it: \"3\""
    assert str(error).startswith(f"{path}:2:11: ")


def test_version_is_a_string() -> None:
    assert isinstance(registry.__version__, str) and registry.__version__.count(".") >= 1


def _fresh_python(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO)
    env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    return result.stdout


def test_import_registry_imports_neither_litellm_nor_jsonschema() -> None:
    out = _fresh_python(
        "import sys, json, registry; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('litellm', 'jsonschema', 'openai', 'httpx'))))"
    )
    assert json.loads(out) == []


def test_load_and_resolve_never_import_litellm(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("")
    out = _fresh_python(
        "import sys, registry; "
        f"r = registry.load(config_path={str(path)!r}, environ={{}}); r.resolve('ollama/x'); r.check_model_id('a/b'); "
        "print('litellm' in sys.modules)"
    )
    assert out.strip() == "False"
