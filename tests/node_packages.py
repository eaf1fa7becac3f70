"""npm packages for the tests that run a JavaScript tool (Ajv, yaml-language-server): the directory
``.ci/run`` installed them into (``PROVIDER_REGISTRY_TEST_NODE_PREFIX``), else a fresh install
with npm; the test is skipped only when node or npm is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PREFIX_ENV = "PROVIDER_REGISTRY_TEST_NODE_PREFIX"


def node_prefix(tmp_path_factory: pytest.TempPathFactory, *packages: str) -> Path:
    """A directory whose ``node_modules`` holds ``packages`` (npm specs such as ``ajv@8``)."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    given = os.environ.get(PREFIX_ENV)
    if given:
        prefix = Path(given)
        for package in packages:
            name = package.rsplit("@", 1)[0] if package.rfind("@") > 0 else package
            assert (prefix / "node_modules" / name).is_dir(), f"{PREFIX_ENV}={given} holds no node_modules/{name}"
        return prefix
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed")
    prefix = tmp_path_factory.mktemp("node")
    result = subprocess.run(["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund", *packages],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return prefix
