"""The validation cache is a trust boundary: whatever another user or a careless hand plants in
the cache directory, ``load()`` finishes, refuses an invalid file and keeps the real base URL.

Each case runs ``registry.load`` in a child process with a time limit (a FIFO or ``/dev/zero``
would hang a naive reader), after the cache was filled by a first load and then tampered with.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import registry
from registry.cache import cache_directory, untrusted_reason

GOOD = "version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9/v1\n    api_key: sk-inline-Zx8Cv7Bn6Mm5Ll4K\n"
BAD = "version: 1\nproviders:\n  box:\n    api_base: http://169.254.169.254/v1\n    api_key: sk-inline-Zx8Cv7Bn6Mm5Ll4K\n"

_CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import registry
try:
    reg = registry.load(config_path=sys.argv[2])
    print(json.dumps({"ok": True, "api_base": reg.provider("box").api_base}))
except registry.ConfigError as exc:
    print(json.dumps({"ok": False, "error": str(exc)}))
"""


def _env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"), "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def _load(home: Path, config: Path) -> dict[str, object]:
    project = Path(registry.__file__).resolve().parent.parent
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, str(project), str(config)], capture_output=True,
                              text=True, timeout=30, env=_env(home))
    except subprocess.TimeoutExpired:
        pytest.fail("load() hangs on the planted cache")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def _cache_dir(home: Path) -> Path:
    old = dict(os.environ)
    os.environ.update(_env(home))
    try:
        return cache_directory(registry.paths.APP_NAME)
    finally:
        os.environ.clear()
        os.environ.update(old)


def _plant_everywhere(directory: Path, make) -> None:  # type: ignore[no-untyped-def]
    """Replace the key file and every entry with what ``make(path)`` creates."""
    for path in list(directory.iterdir()):
        path.unlink()
        make(path)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _link_to_bad(path: Path) -> None:
    target = path.with_name(path.name + ".target")
    target.write_bytes(b"x" * 64)
    path.symlink_to(target)


def _huge(path: Path) -> None:
    path.write_bytes(b"0" * (8 * 1024 * 1024))


def _directory(path: Path) -> None:
    path.mkdir()


PLANTS = {"fifo": _fifo, "dev-zero": _dev_zero, "symlink": _link_to_bad, "huge-file": _huge, "directory": _directory}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def _files(tmp_path: Path) -> tuple[Path, Path]:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(BAD, encoding="utf-8")
    good.chmod(0o600)
    bad.chmod(0o600)
    return good, bad


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_planted_files_never_hang_and_never_change_the_answer(plant: str, home: Path, tmp_path: Path) -> None:
    good, bad = _files(tmp_path)
    assert _load(home, good)["ok"]  # fills the cache
    directory = _cache_dir(home)
    assert directory.is_dir() and any(directory.iterdir())
    _plant_everywhere(directory, PLANTS[plant])
    seen = _load(home, good)
    assert seen == {"ok": True, "api_base": "http://127.0.0.1:9/v1"}
    refused = _load(home, bad)
    assert refused["ok"] is False and "metadata" in str(refused["error"])


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757, 0o722])
def test_a_directory_others_can_write_is_not_used(mode: int, home: Path, tmp_path: Path) -> None:
    good, _ = _files(tmp_path)
    assert _load(home, good)["ok"]
    directory = _cache_dir(home)
    directory.chmod(mode)
    problem = untrusted_reason(directory)
    assert problem is not None and "writable by" in problem.reason and "chmod 700" in problem.hint
    before = {p.name: p.stat().st_mtime_ns for p in directory.iterdir()}
    assert _load(home, good) == {"ok": True, "api_base": "http://127.0.0.1:9/v1"}
    assert {p.name: p.stat().st_mtime_ns for p in directory.iterdir()} == before  # nothing written there


def test_a_foreign_owned_directory_is_not_used(home: Path, tmp_path: Path) -> None:
    good, _ = _files(tmp_path)
    assert _load(home, good)["ok"]
    directory = _cache_dir(home)
    try:
        os.chown(directory, 12345, 12345)
    except PermissionError:
        pytest.skip("cannot give the directory to another user without root")
    problem = untrusted_reason(directory)
    assert problem is not None and "owned by another user" in problem.reason
    assert _load(home, good) == {"ok": True, "api_base": "http://127.0.0.1:9/v1"}


def test_a_symlinked_cache_directory_is_not_used(home: Path, tmp_path: Path) -> None:
    good, _ = _files(tmp_path)
    directory = _cache_dir(home)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    directory.parent.mkdir(parents=True, exist_ok=True)
    directory.symlink_to(elsewhere)
    assert _load(home, good)["ok"]
    problem = untrusted_reason(directory)
    assert problem is not None and "symbolic link" in problem.reason
    assert not any(elsewhere.iterdir()), "the cache wrote through a planted link"


def test_a_forged_entry_signed_with_a_planted_key_cannot_make_a_bad_file_load(home: Path, tmp_path: Path) -> None:
    """The attacker knows the key (they planted it) and signs a 'valid' verdict for the bad file:
    the loader must still refuse it, since its URL checks run on what the file says."""
    good, bad = _files(tmp_path)
    assert _load(home, good)["ok"]
    directory = _cache_dir(home)
    entries = [p for p in directory.iterdir() if p.name.endswith(".entry")]
    key_file = directory / "mac.key"
    planted = b"k" * 32
    key_file.write_bytes(planted)
    key_file.chmod(0o600)
    from registry.cache import _sign, content_key

    for entry in entries:  # re-sign every stored verdict under the planted key, for the bad file's bytes
        payload = entry.read_bytes().partition(b"\n")[2]
        forged = directory / (content_key(bad.read_bytes()) + ".entry")
        forged.write_bytes(_sign(planted, payload) + b"\n" + payload)
        forged.chmod(0o600)
    refused = _load(home, bad)
    assert refused["ok"] is False and "metadata" in str(refused["error"])
    assert _load(home, good) == {"ok": True, "api_base": "http://127.0.0.1:9/v1"}


def test_the_cache_is_created_private(home: Path, tmp_path: Path) -> None:
    good, _ = _files(tmp_path)
    assert _load(home, good)["ok"]
    directory = _cache_dir(home)
    assert stat.S_IMODE(directory.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE((directory / "mac.key").stat().st_mode) & 0o077 == 0
    assert untrusted_reason(directory) is None


def test_registry_paths_says_the_cache_is_not_used(home: Path, tmp_path: Path) -> None:
    good, _ = _files(tmp_path)
    assert _load(home, good)["ok"]
    _cache_dir(home).chmod(0o777)
    done = subprocess.run([sys.executable, "-m", "registry", "paths"], capture_output=True, text=True, timeout=60,
                          env=dict(_env(home), PYTHONPATH=str(Path(registry.__file__).resolve().parent.parent)))
    assert done.returncode == 0, done.stderr
    assert "not used: cache directory" in done.stdout and "writable by others" in done.stdout
    assert "chmod 700" in done.stdout
