"""Shared fixtures. No test may read the real user config directory or the real environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs (via XDG_*/HOME) at a temp dir and drop registry-related env vars, so
    even code that forgets ``environ=`` cannot see the developer's own config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    # The site layer: never the machine's /etc/xdg, also where a test passes environ={}.
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(home / "etc-xdg"))
    monkeypatch.setattr("registry.paths._DEFAULT_XDG_CONFIG_DIRS", str(home / "etc-xdg-default"))
    for name in list(os.environ):
        if name.startswith("PROVIDER_REGISTRY_") or name.endswith(("_BASE_URL", "_API_KEY")) \
                or name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"):
            monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def user_file(tmp_path: Path):
    """Write a user providers.yaml in tmp_path and return its path: ``user_file("version: 1 ...")``."""

    def write(text: str, name: str = "providers.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
        return path

    return write
