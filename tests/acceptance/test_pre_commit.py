"""The pre-commit hook (``.pre-commit-hooks.yaml``) through pre-commit itself: a good file passes, a
bad one fails with its located message, and the hook environment holds no litellm (issue 14)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRE_COMMIT = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))

pytestmark = pytest.mark.skipif(not Path(PRE_COMMIT).exists() or not (REPO / ".git").exists(),
                                reason="needs pre-commit (the test extra) and a git checkout")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci", *args], cwd=cwd,
                          capture_output=True, text=True, check=True, timeout=60)
    return done.stdout.strip()


def test_the_hook_passes_a_good_file_and_fails_a_bad_one(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "good").mkdir(parents=True)
    (project / "bad").mkdir()
    (project / "good" / "providers.yaml").write_text("version: 1\nproviders:\n  ollama:\n    timeout: 30\n")
    (project / "bad" / "providers.yaml").write_text("version: 1\nproviders:\n  ollama:\n    api_bse: x\n")
    (project / "notes.yaml").write_text("not: a providers file\n")  # not matched by the hook's 'files'
    rev = git(REPO, "rev-parse", "HEAD")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {REPO}\n    rev: {rev}\n    hooks:\n      - id: registry-validate\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "files")
    home = tmp_path / "pre-commit-home"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PRE_COMMIT_HOME": str(home),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name in ("PIP_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE", "PIP_EXTRA_INDEX_URL"):
        if name in os.environ:
            env[name] = os.environ[name]
    done = subprocess.run([PRE_COMMIT, "run", "--all-files"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=900, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "bad/providers.yaml:4:5: error: unknown key 'api_bse'" in out
    assert "good/providers.yaml" not in out and "notes.yaml" not in out
    size = sum(f.stat().st_size for f in home.rglob("*") if f.is_file() and not f.is_symlink())
    assert not list(home.rglob("litellm")), "the hook environment must not install litellm"
    assert size < 60 * 1024 * 1024, f"the hook environment takes {size / 2**20:.0f} MB"
