"""Without litellm (a plain ``pip install provider-registry``) every command works but the
completion checks, which say which extra to install (issue 14, item 1)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# A process in which 'import litellm' fails as it does where litellm is not installed.
_RUN_WITHOUT_LITELLM = """
import importlib.abc, sys
class NoLitellm(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "litellm" or name.startswith("litellm."):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, NoLitellm())
from registry.cli import main
status = main(sys.argv[1:])
assert "litellm" not in sys.modules
raise SystemExit(status)
"""


def run(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(REPO),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "LITELLM_LOCAL_MODEL_COST_MAP": "True", "OLLAMA_BASE_URL": "http://127.0.0.1:9/v1"}
    return subprocess.run([sys.executable, "-c", _RUN_WITHOUT_LITELLM, *argv], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


@pytest.mark.parametrize("argv", [["validate"], ["list"], ["show", "ollama"], ["resolve", "ollama/x"], ["paths"],
                                  ["schema"], ["--json", "export"]])
def test_every_command_but_completions_works_without_litellm(tmp_path: Path, argv: list[str]) -> None:
    done = run(tmp_path, *argv)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


def test_check_without_completion_works_and_with_it_names_the_extra(tmp_path: Path) -> None:
    done = run(tmp_path, "--json", "check", "ollama", "--timeout", "1")
    assert done.returncode == 1 and json.loads(done.stdout)["probes"][0]["up"] is False  # refused, not a crash
    done = run(tmp_path, "check", "ollama/x", "--completion", "--timeout", "1")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "registry: error: a completion check needs litellm, which is not installed" in done.stderr
    assert "hint: pip install 'provider-registry[litellm]'" in done.stderr
    done = run(tmp_path, "doctor", "ollama", "--completion", "--timeout", "1")
    assert done.returncode == 1 and "pip install 'provider-registry[litellm]'" in done.stderr
