"""Unit tests for registry.cache: a hit skips the check, and no broken, stale or forged entry ever
lets an invalid file through, leaks a secret, or breaks ``load``."""

from __future__ import annotations

import json
import os
import sys
from hashlib import blake2b
from pathlib import Path

import pytest

import registry
from registry.cache import (
    MAX_ENTRIES,
    NO_CACHE_ENV,
    CachedVerdict,
    ValidationCache,
    content_key,
)
from registry.layers import read_file_layer
from registry.paths import builtin_providers_path, user_cache_dir
from registry.yamlfile import parse_yaml

VALID = """\
version: 1
providers:
  mine:
    api_base: http://127.0.0.1:9000/v1
    api_key: local
    timeout: 12.5
"""
# Valid YAML, but the schema refuses the misspelt key.
INVALID = """\
version: 1
providers:
  mine:
    api_bsae: http://127.0.0.1:9000/v1
"""
REAL_KEY = "sk-live-0123456789abcdefSECRET"


@pytest.fixture
def cache(tmp_path: Path) -> ValidationCache:
    return ValidationCache(tmp_path / "cache")


def entry_path(cache: ValidationCache, data: bytes) -> Path:
    return cache.directory / f"{content_key(data)}.entry"


def sign(cache: ValidationCache, payload: bytes) -> bytes:
    """An entry signed with the cache's own key, as ``remember`` would write it."""
    mac_key = (cache.directory / "mac.key").read_bytes()
    return blake2b(payload, key=mac_key, digest_size=32).hexdigest().encode() + b"\n" + payload


def load(path: Path) -> registry.Registry:
    return registry.load(config_path=path, environ={})


def issues_of(path: Path) -> list[str]:
    return [i.message for i in registry.inspect(config_path=path, environ={}).errors]


def test_remembered_content_is_a_hit_with_the_same_document(cache: ValidationCache) -> None:
    data = VALID.encode()
    document = parse_yaml(data, "u.yaml")
    assert cache.recall(data, "u.yaml") is None
    cache.remember(data, document)
    verdict = cache.recall(data, "u.yaml")
    assert isinstance(verdict, CachedVerdict)
    assert verdict.document == document  # data, positions, key positions and implicit scalars
    assert verdict.document.position(("providers", "mine", "timeout")) == (6, 14)


def test_a_hit_is_reported_at_the_path_asked_for(cache: ValidationCache) -> None:
    data = VALID.encode()
    cache.remember(data, parse_yaml(data, "first.yaml"))
    verdict = cache.recall(data, "second.yaml")
    assert verdict is not None and verdict.document is not None
    assert verdict.document.path == "second.yaml"


def test_load_writes_entries_and_a_second_load_uses_them(user_file) -> None:
    path = user_file(VALID)
    first = load(path)
    directory = user_cache_dir() / "validated"
    entries = sorted(p.name for p in directory.glob("*.entry"))
    assert len(entries) == 2  # the built-in file and the user file
    second = load(path)
    assert second.providers == first.providers
    assert second.resolve("mine/m") == first.resolve("mine/m")


def test_load_takes_the_document_from_a_hit(user_file) -> None:
    """Proves the hit path is used: a (properly signed) entry's document wins over parsing."""
    path = user_file(VALID)
    load(path)
    store = ValidationCache(user_cache_dir() / "validated")
    entry = entry_path(store, VALID.encode())
    payload = json.loads(entry.read_bytes().partition(b"\n")[2])
    payload["document"]["data"]["providers"]["mine"]["api_base"] = "http://127.0.0.1:9999/v1"
    entry.write_bytes(sign(store, json.dumps(payload).encode()))
    assert load(path).provider("mine").api_base == "http://127.0.0.1:9999/v1"


def test_changed_content_is_a_miss_and_is_checked_again(user_file, cache: ValidationCache) -> None:
    path = user_file(VALID)
    load(path)
    path.write_text(INVALID, encoding="utf-8")
    assert cache.recall(INVALID.encode(), str(path)) is None
    assert any("unknown key 'api_bsae'" in m for m in issues_of(path))


def test_an_invalid_file_is_never_cached(user_file) -> None:
    path = user_file(INVALID)
    assert issues_of(path)
    with pytest.raises(registry.ConfigError):
        load(path)
    store = ValidationCache(user_cache_dir() / "validated")
    assert not entry_path(store, INVALID.encode()).exists()
    assert store.recall(INVALID.encode(), str(path)) is None
    # The built-in file passed, so it alone was remembered.
    assert len(list(store.directory.glob("*.entry"))) == 1


def test_a_yaml_error_is_never_cached(user_file) -> None:
    path = user_file("version: 1\nproviders: {a: 1\n")
    assert issues_of(path)
    store = ValidationCache(user_cache_dir() / "validated")
    assert not entry_path(store, path.read_bytes()).exists()


@pytest.mark.parametrize("damage", [
    pytest.param(lambda raw: b"", id="empty"),
    pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
    pytest.param(lambda raw: b"\x00\xff garbage \xfe", id="binary"),
    pytest.param(lambda raw: raw.partition(b"\n")[0], id="mac-only"),
    pytest.param(lambda raw: raw.replace(b'"ok":true', b'"ok":1'), id="edited-unsigned"),
])
def test_a_corrupt_entry_is_a_miss_and_load_still_works(user_file, damage) -> None:
    path = user_file(VALID)
    expected = load(path).provider("mine")
    store = ValidationCache(user_cache_dir() / "validated")
    entry = entry_path(store, VALID.encode())
    entry.write_bytes(damage(entry.read_bytes()))
    assert store.recall(VALID.encode(), str(path)) is None
    assert load(path).provider("mine") == expected
    assert store.recall(VALID.encode(), str(path)) is not None  # rewritten whole


def test_a_corrupt_key_file_is_a_miss(user_file) -> None:
    path = user_file(VALID)
    load(path)
    store = ValidationCache(user_cache_dir() / "validated")
    (store.directory / "mac.key").write_bytes(b"short")
    assert store.recall(VALID.encode(), str(path)) is None
    assert load(path).provider("mine").timeout == 12.5


def test_an_entry_copied_from_a_valid_file_does_not_pass_an_invalid_one(user_file) -> None:
    """Right signature, wrong content key: the entry vouches for other bytes."""
    path = user_file(VALID)
    load(path)
    store = ValidationCache(user_cache_dir() / "validated")
    good = entry_path(store, VALID.encode())
    bad = entry_path(store, INVALID.encode())
    bad.write_bytes(good.read_bytes())
    path.write_text(INVALID, encoding="utf-8")
    assert store.recall(INVALID.encode(), str(path)) is None
    assert any("unknown key 'api_bsae'" in m for m in issues_of(path))


def test_a_forged_verdict_for_an_invalid_file_is_refused(user_file) -> None:
    """Valid JSON with the right key claiming 'ok', signed by someone without the local key."""
    path = user_file(INVALID)
    load(user_file(VALID, "other.yaml"))  # creates the cache directory and its key
    store = ValidationCache(user_cache_dir() / "validated")
    payload = json.dumps({"format": 1, "key": content_key(INVALID.encode()), "ok": True, "document": None}).encode()
    forged_mac = blake2b(payload, key=b"k" * 32, digest_size=32).hexdigest().encode()
    for mac in (forged_mac, b"", b"0" * 64):
        entry_path(store, INVALID.encode()).write_bytes(mac + b"\n" + payload)
        assert store.recall(INVALID.encode(), str(path)) is None
        assert any("unknown key 'api_bsae'" in m for m in issues_of(path))


def test_an_entry_of_another_format_is_a_miss(cache: ValidationCache) -> None:
    data = VALID.encode()
    cache.remember(data, parse_yaml(data, "u.yaml"))
    payload = json.dumps({"format": 999, "key": content_key(data), "ok": True, "document": None}).encode()
    entry_path(cache, data).write_bytes(sign(cache, payload))
    assert cache.recall(data, "u.yaml") is None


def test_an_unwritable_cache_directory_never_breaks_load(user_file, isolated_user_dirs: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = isolated_user_dirs / "not-a-dir"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = user_file(VALID)
    assert load(path).provider("mine").api_base == "http://127.0.0.1:9000/v1"
    assert any("unknown key 'api_bsae'" in m for m in issues_of(user_file(INVALID, "bad.yaml")))
    assert blocker.is_file()


def test_remember_into_an_unusable_directory_is_a_no_op(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    store = ValidationCache(blocker / "cache")
    data = VALID.encode()
    store.remember(data, parse_yaml(data, "u.yaml"))  # must not raise
    assert store.recall(data, "u.yaml") is None


def test_no_cache_env_turns_the_cache_off(user_file) -> None:
    path = user_file(VALID)
    registry.load(config_path=path, environ={NO_CACHE_ENV: "1"})
    assert not (user_cache_dir() / "validated").exists()


@pytest.mark.parametrize(("text", "key"), [
    pytest.param(VALID.replace("api_key: local", f"api_key: {REAL_KEY}"), REAL_KEY, id="inline-key"),
    pytest.param(VALID.replace("api_key: local", f"api_key: '{REAL_KEY}'"), REAL_KEY, id="single-quoted-key"),
    pytest.param(VALID + f"    headers: {{X-Auth: \"{REAL_KEY}\"}}\n", REAL_KEY, id="header"),
    pytest.param(VALID.replace("http://127.0.0.1:9000/v1", f"http://u:{REAL_KEY}@127.0.0.1:9000/v1"), None, id="url-password"),
    pytest.param(VALID.replace("api_key: local", f'api_key: "{REAL_KEY}\\x41"'), REAL_KEY + "A", id="escaped-key"),
])
def test_a_document_with_secrets_keeps_only_the_verdict(user_file, text: str, key: str | None) -> None:
    """The entry never holds a key: the file is parsed again on a hit, but not checked again.
    (A URL with a password passes the schema; the loader's URL policy refuses it later, on every
    load, since that check is not cached.)"""
    path = user_file(text)
    report = registry.inspect(config_path=path, environ={})
    store = ValidationCache(user_cache_dir() / "validated")
    verdict = store.recall(text.encode(), str(path))
    assert verdict is not None and verdict.document is None  # the file is parsed again, not re-checked
    for entry in store.directory.iterdir():
        assert REAL_KEY.encode() not in entry.read_bytes() and REAL_KEY[-12:].encode() not in entry.read_bytes()
    again = registry.inspect(config_path=path, environ={})
    assert again.issues == report.issues
    assert again.registry == report.registry
    if key is not None:  # the key read from the file again is the key in the file
        mine = again.registry.providers["mine"]
        assert key in {mine.api_key.reveal(), *(v.reveal() for v in mine.headers.values())}


def test_placeholder_keys_do_not_stop_the_document_being_stored(cache: ValidationCache) -> None:
    data = builtin_providers_path().read_bytes()
    cache.remember(data, parse_yaml(data, "builtin"))
    verdict = cache.recall(data, "builtin")
    assert verdict is not None and verdict.document is not None
    assert verdict.document.data["providers"]["ollama"]["api_key"] == "ollama"


def test_read_file_layer_with_a_cache_matches_one_without(user_file, cache: ValidationCache) -> None:
    path = user_file(VALID)
    plain = read_file_layer("user", path, required=True)
    cold = read_file_layer("user", path, required=True, cache=cache)
    warm = read_file_layer("user", path, required=True, cache=cache)
    assert plain == cold == warm
    assert warm.ok and warm.origin(("providers", "mine", "timeout")).line == 6


def test_entries_are_private_and_writes_leave_no_temp_files(cache: ValidationCache) -> None:
    data = VALID.encode()
    cache.remember(data, parse_yaml(data, "u.yaml"))
    names = sorted(p.name for p in cache.directory.iterdir())
    assert names == sorted(["mac.key", f"{content_key(data)}.entry"])
    if os.name == "posix":
        assert cache.directory.stat().st_mode & 0o077 == 0
        for name in names:
            assert (cache.directory / name).stat().st_mode & 0o077 == 0


def test_old_entries_are_pruned(cache: ValidationCache) -> None:
    for i in range(MAX_ENTRIES + 5):
        data = VALID.replace("12.5", f"{i + 1}.5").encode()
        cache.remember(data, parse_yaml(data, "u.yaml"))
    assert len(list(cache.directory.glob("*.entry"))) == MAX_ENTRIES
    newest = VALID.replace("12.5", f"{MAX_ENTRIES + 5}.5").encode()
    assert cache.recall(newest, "u.yaml") is not None


def test_content_key_depends_on_every_byte() -> None:
    assert content_key(VALID.encode()) != content_key(VALID.encode() + b" ")
    assert content_key(VALID.encode()) == content_key(VALID.encode())


def test_the_key_follows_the_installed_yaml_and_jsonschema(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Upgrading PyYAML or jsonschema may change how a file parses or is judged: a new key."""
    import registry.cache as cache_module

    before = content_key(b"version: 1\n")
    shadow = tmp_path / "site"
    (shadow / "yaml").mkdir(parents=True)
    (shadow / "yaml" / "__init__.py").write_text("# another PyYAML\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(shadow), *sys.path])
    cache_module._checker_fingerprint.cache_clear()
    try:
        assert content_key(b"version: 1\n") != before
    finally:
        monkeypatch.undo()
        cache_module._checker_fingerprint.cache_clear()
    assert content_key(b"version: 1\n") == before


def test_the_key_follows_every_module_of_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No list of "the modules that decide a verdict" to keep up to date: an edit of any module,
    in any subpackage, is a new key (a move of checking code cannot leave stale entries valid)."""
    import registry.cache as cache_module

    package = tmp_path / "registry"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("A = 1\n", encoding="utf-8")
    (package / "sub" / "b.py").write_text("B = 1\n", encoding="utf-8")
    (package / "notes.txt").write_text("not a module\n", encoding="utf-8")
    monkeypatch.setattr(cache_module, "_PACKAGE_DIR", package)

    def key() -> str:
        cache_module._checker_fingerprint.cache_clear()
        return content_key(b"version: 1\n")

    try:
        first = key()
        assert key() == first
        (package / "notes.txt").write_text("edited, but not a module\n", encoding="utf-8")
        assert key() == first
        (package / "sub" / "b.py").write_text("B = 22\n", encoding="utf-8")
        second = key()
        assert second != first
        (package / "c.py").write_text("", encoding="utf-8")  # a new module
        assert key() != second
    finally:
        monkeypatch.undo()
        cache_module._checker_fingerprint.cache_clear()


def test_the_cache_does_not_import_the_package_root() -> None:
    """registry/__init__ imports the loader, which imports the cache: the version comes from below."""
    import ast

    import registry.cache as cache_module

    tree = ast.parse(Path(cache_module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            assert node.module is not None, "from . import ...: the package root"
