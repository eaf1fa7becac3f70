"""registry.version: the one version constant, equal to the package's and to pyproject.toml's."""

from __future__ import annotations

import re
from pathlib import Path

import registry
from registry.version import VERSION

REPO = Path(__file__).resolve().parents[2]


def test_version_is_the_package_version() -> None:
    assert registry.__version__ == VERSION


def test_version_matches_pyproject() -> None:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    found = re.search(r'^version = "([^"]+)"$', text, re.MULTILINE)
    assert found is not None and found.group(1) == VERSION
