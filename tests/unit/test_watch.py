"""Unit tests for ``registry.watch``: a LiveRegistry follows real files and the environment."""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import registry
from registry.watch import Changes, LiveRegistry

BASE = "version: 1\nproviders:\n  gpu-box:\n    prefix: gpu/\n    api_base: http://127.0.0.1:8001/v1\n    api_key: gpu-box\n"
EDITED = BASE.replace("8001", "8002")
BROKEN = "version: 1\nfallback: 3\n"
BROKEN_OTHER = "version: 1\nfallback: [1]\n"


def _write(path: Path, text: str) -> None:
    """An edit as an editor makes it, in place."""
    path.write_text(text, encoding="utf-8")


def _replace(path: Path, text: str) -> None:
    """An edit as a careful editor saves it: a new file renamed over the old one, so a reader
    never sees it half written."""
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    temp.chmod(0o600)
    os.replace(temp, path)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[registry.Registry, registry.Registry, Changes]] = []

    def __call__(self, old: registry.Registry, new: registry.Registry, changes: Changes) -> None:
        self.calls.append((old, new, changes))


# -- files -----------------------------------------------------------------------------------


def test_an_edit_is_seen_on_access_once_the_interval_has_passed(user_file: Any) -> None:
    path = user_file(BASE)
    live = registry.watch(config_path=path, environ={}, interval=0.05)
    first = live.registry
    assert first.resolve("gpu/m")["api_base"] == "http://127.0.0.1:8001/v1"
    _write(path, EDITED + "# longer\n")
    deadline = time.monotonic() + 10
    while live.registry is first and time.monotonic() < deadline:
        time.sleep(0.01)
    assert live.registry.resolve("gpu/m")["api_base"] == "http://127.0.0.1:8002/v1"
    assert live.error is None


def test_refresh_checks_now_and_says_whether_it_swapped(user_file: Any) -> None:
    path = user_file(BASE)
    live = registry.watch(config_path=path, environ={}, interval=3600)
    assert live.refresh() is False  # nothing changed
    _write(path, EDITED + "# longer\n")
    assert live.registry.resolve("gpu/m")["api_base"].endswith(":8001/v1")  # the interval has not passed
    assert live.refresh() is True
    assert live.registry.resolve("gpu/m")["api_base"].endswith(":8002/v1")
    assert live.refresh() is False


def test_an_invalid_edit_keeps_the_last_good_registry_and_fixing_it_clears_the_error(user_file: Any) -> None:
    path = user_file(BASE)
    live = registry.watch(config_path=path, environ={}, interval=3600)
    good = live.registry
    _write(path, BROKEN)
    assert live.refresh() is False
    assert live.registry is good
    assert isinstance(live.error, registry.ConfigError)
    assert "fallback" in str(live.error)
    assert live.refresh() is False  # unchanged since the failure: not retried
    assert isinstance(live.error, registry.ConfigError)
    _write(path, EDITED + "# fixed\n")
    assert live.refresh() is True
    assert live.error is None
    assert live.registry.resolve("gpu/m")["api_base"].endswith(":8002/v1")


def test_reverting_a_broken_edit_clears_the_error_without_a_swap(user_file: Any) -> None:
    path = user_file(BASE)
    calls = Recorder()
    live = registry.watch(config_path=path, environ={}, interval=3600, on_change=calls)
    good = live.registry
    _write(path, BROKEN)
    live.refresh()
    _write(path, BASE)
    assert live.refresh() is False  # the same registry as before: nothing to swap or report
    assert live.error is None and live.registry is good and calls.calls == []


def test_each_distinct_failure_is_logged_once(user_file: Any, caplog: pytest.LogCaptureFixture) -> None:
    path = user_file(BASE)
    live = registry.watch(config_path=path, environ={}, interval=3600)
    caplog.set_level(logging.WARNING, logger="registry")
    _write(path, BROKEN)
    live.refresh()
    _write(path, BROKEN + "# same error, new bytes\n")
    live.refresh()
    failures = [r for r in caplog.records if "reload failed" in r.getMessage()]
    assert len(failures) == 1
    assert failures[0].levelno == logging.WARNING and failures[0].name == "registry"
    assert str(live.error) in failures[0].getMessage()
    _write(path, BROKEN_OTHER)
    live.refresh()
    failures = [r for r in caplog.records if "reload failed" in r.getMessage()]
    assert len(failures) == 2


def test_an_error_that_is_not_a_config_error_keeps_the_registry(user_file: Any, monkeypatch: pytest.MonkeyPatch,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    path = user_file(BASE)
    live = registry.watch(config_path=path, environ={}, interval=0.01)
    good = live.registry

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    # ``registry.watch`` is the function; the module is in sys.modules.
    monkeypatch.setattr(sys.modules["registry.watch"], "load", boom)
    _write(path, EDITED + "# longer\n")
    time.sleep(0.02)
    assert live.registry is good  # does not raise
    assert isinstance(live.error, RuntimeError)
    logged = [r.getMessage() for r in caplog.records if "reload failed" in r.getMessage()]
    assert logged == ["reload failed, keeping the last good registry: RuntimeError (see LiveRegistry.error)"]


def test_a_site_file_named_by_the_variable_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site.yaml"
    live = registry.watch(interval=3600)
    assert "gpu-box" not in live.registry.providers
    site.write_text(BASE, encoding="utf-8")
    monkeypatch.setenv("PROVIDER_REGISTRY_SITE_CONFIG", str(site))
    assert live.refresh() is True
    assert "gpu-box" in live.registry.providers


def test_a_site_file_appearing_in_a_more_important_xdg_directory_is_picked_up(tmp_path: Path) -> None:
    first, second = tmp_path / "xdg-a", tmp_path / "xdg-b"
    env = {"XDG_CONFIG_DIRS": f"{first}{os.pathsep}{second}"}
    (second / "provider-registry").mkdir(parents=True)
    (second / "provider-registry" / "providers.yaml").write_text(BASE, encoding="utf-8")
    live = registry.watch(environ=env, interval=3600)
    assert live.registry.resolve("gpu/m")["api_base"].endswith(":8001/v1")
    (first / "provider-registry").mkdir(parents=True)
    (first / "provider-registry" / "providers.yaml").write_text(EDITED, encoding="utf-8")
    assert live.refresh() is True
    assert live.registry.resolve("gpu/m")["api_base"].endswith(":8002/v1")


def test_a_user_file_appearing_at_the_default_location_is_picked_up(isolated_user_dirs: Path) -> None:
    live = registry.watch(interval=3600)
    assert "gpu-box" not in live.registry.providers
    default = isolated_user_dirs / ".config" / "provider-registry" / "providers.yaml"
    default.parent.mkdir(parents=True)
    default.write_text(BASE, encoding="utf-8")
    default.chmod(0o600)
    assert live.refresh() is True
    assert "gpu-box" in live.registry.providers


# -- the environment -------------------------------------------------------------------------


def test_os_environ_is_followed_when_environ_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    live = registry.watch(interval=3600)
    monkeypatch.setenv("OLLAMA_BASE_URL", "http://127.0.0.1:9999/v1")
    assert live.refresh() is True
    assert live.registry.resolve("ollama/m")["api_base"] == "http://127.0.0.1:9999/v1"
    os.environ["OLLAMA_BASE_URL"] = "http://127.0.0.1:9998/v1"  # plain assignment too
    assert live.refresh() is True
    assert live.registry.resolve("ollama/m")["api_base"] == "http://127.0.0.1:9998/v1"


def test_a_mapping_the_host_mutates_is_read_at_each_check() -> None:
    env: dict[str, str] = {}
    live = registry.watch(environ=env, interval=0.01)
    first = live.registry
    env["VLLM_BASE_URL"] = "http://127.0.0.1:8123/v1"  # a variable that was not set at all
    time.sleep(0.02)
    assert live.registry is not first
    assert live.registry.resolve("vllm/m")["api_base"] == "http://127.0.0.1:8123/v1"
    del env["VLLM_BASE_URL"]
    assert live.refresh() is True
    assert live.registry.resolve("vllm/m")["api_base"] == "http://127.0.0.1:8000/v1"


def test_a_new_key_is_picked_up_and_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    live = registry.watch(interval=3600)
    with pytest.raises(registry.MissingApiKeyError):
        live.registry.resolve("huggingface/org/model")
    key = "hf_watchtestkey0123456789abcdef"
    monkeypatch.setenv("HF_TOKEN", key)
    assert live.refresh() is True
    assert live.registry.resolve("huggingface/org/model")["api_key"] == key
    assert key not in repr(live)
    assert key not in repr(live._fingerprint)


def test_a_variable_of_a_provider_added_by_a_reload_is_watched_from_then_on(user_file: Any) -> None:
    path = user_file("version: 1\n")
    env: dict[str, str] = {}
    live = registry.watch(config_path=path, environ=env, interval=3600)
    _write(path, BASE.replace("    api_key: gpu-box\n", "    api_key: gpu-box\n    api_base_env: GPU_BOX_URL\n"))
    assert live.refresh() is True
    env["GPU_BOX_URL"] = "http://127.0.0.1:8555/v1"
    assert live.refresh() is True
    assert live.registry.resolve("gpu/m")["api_base"] == "http://127.0.0.1:8555/v1"


def test_a_bad_variable_makes_only_its_provider_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    live = registry.watch(interval=3600)
    monkeypatch.setenv("OLLAMA_BASE_URL", "not a url")
    assert live.refresh() is True
    assert "ollama" in live.registry.unavailable and live.error is None


def test_key_files_and_their_variables_are_watched(user_file: Any, tmp_path: Path) -> None:
    """A key file appearing (or its variable moving it) reloads: the key is picked up without a restart."""
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    path = user_file("version: 1\nproviders:\n  gpu-box:\n    api_base: http://127.0.0.1:9000/v1\n"
                     '    api_key_file: "${GPU_BOX_KEY_DIR}/gpu.key"\n')
    env = {"GPU_BOX_KEY_DIR": str(keys_dir)}
    live = registry.watch(config_path=path, environ=env, interval=3600)
    assert live.registry.check_model_id("gpu-box/m").key_missing
    assert live.refresh() is False  # nothing changed: no reload
    (keys_dir / "gpu.key").write_text("sk-gpu-from-the-file-0123\n", encoding="utf-8")
    (keys_dir / "gpu.key").chmod(0o600)
    assert live.refresh() is True
    assert live.registry.resolve("gpu-box/m")["api_key"] == "sk-gpu-from-the-file-0123"
    other = tmp_path / "other"
    other.mkdir()
    (other / "gpu.key").write_text("sk-gpu-other-file-4567\n", encoding="utf-8")
    (other / "gpu.key").chmod(0o600)
    env["GPU_BOX_KEY_DIR"] = str(other)
    assert live.refresh() is True
    assert live.registry.resolve("gpu-box/m")["api_key"] == "sk-gpu-other-file-4567"


# -- on_change -------------------------------------------------------------------------------


def test_on_change_gets_added_removed_and_changed(user_file: Any) -> None:
    path = user_file(BASE)
    calls = Recorder()
    live = registry.watch(config_path=path, environ={}, interval=3600, on_change=calls)
    other = "  other:\n    prefix: other/\n    api_base: http://127.0.0.1:7000/v1\n    api_key: other\n"
    _write(path, BASE + other)
    assert live.refresh()
    old, new, changes = calls.calls[-1]
    assert new is live.registry and "other" not in old.providers
    assert changes == Changes(added=("other",))
    assert changes

    _write(path, "version: 1\nproviders:\n" + other)
    assert live.refresh()
    assert calls.calls[-1][2] == Changes(removed=("gpu-box",))

    _write(path, "version: 1\nproviders:\n" + other.replace("7000", "7001").replace("api_key: other", "api_key: dummy"))
    assert live.refresh()
    changes = calls.calls[-1][2]
    assert dict(changes.changed) == {"other": ("api_base", "api_key")}
    assert (changes.added, changes.removed, changes.fallback, changes.aliases) == ((), (), False, False)
    assert len(calls.calls) == 3


def test_on_change_reports_fallback_and_aliases(user_file: Any) -> None:
    path = user_file(BASE)
    calls = Recorder()
    live = registry.watch(config_path=path, environ={}, interval=3600, on_change=calls)
    _write(path, BASE + "fallback: gpu-box\naliases:\n  fast: gpu/m\n")
    assert live.refresh()
    changes = calls.calls[-1][2]
    assert changes.fallback and changes.aliases and not changes.changed


def test_a_comment_edit_swaps_with_empty_changes(user_file: Any) -> None:
    path = user_file(BASE)
    calls = Recorder()
    live = registry.watch(config_path=path, environ={}, interval=3600, on_change=calls)
    _write(path, "# a comment moves every line down\n" + BASE)
    assert live.refresh() is True  # the origins moved
    assert calls.calls[-1][2] == Changes() and not calls.calls[-1][2]


def test_a_callback_that_raises_breaks_nothing(user_file: Any, caplog: pytest.LogCaptureFixture) -> None:
    path = user_file(BASE)

    def bad(old: registry.Registry, new: registry.Registry, changes: Changes) -> None:
        raise ValueError("host bug")

    live = registry.watch(config_path=path, environ={}, interval=0.01, on_change=bad)
    _write(path, EDITED + "# longer\n")
    time.sleep(0.02)
    assert live.registry.resolve("gpu/m")["api_base"].endswith(":8002/v1")
    assert live.error is None
    assert any(r.name == "registry" and "on_change" in r.getMessage() for r in caplog.records)


def test_a_callback_may_read_and_refresh(user_file: Any) -> None:
    path = user_file(BASE)
    seen: list[registry.Registry] = []

    def reentrant(old: registry.Registry, new: registry.Registry, changes: Changes) -> None:
        seen.append(live.registry)
        live.refresh()

    live = registry.watch(config_path=path, environ={}, interval=3600, on_change=reentrant)
    _write(path, EDITED + "# longer\n")
    assert live.refresh() is True
    assert seen == [live.registry]


# -- construction ----------------------------------------------------------------------------


def test_a_first_load_that_fails_raises(user_file: Any) -> None:
    path = user_file(BROKEN)
    with pytest.raises(registry.ConfigError):
        registry.watch(config_path=path, environ={})


@pytest.mark.parametrize("interval", [0, -1, -0.0, math.inf, math.nan, "1", None, True, 10**400])
def test_the_interval_must_be_a_positive_finite_number(interval: Any) -> None:
    with pytest.raises(ValueError, match="interval"):
        registry.watch(environ={}, interval=interval)


def test_the_interval_may_be_an_int_or_a_float() -> None:
    assert registry.watch(environ={}, interval=1).interval == 1.0
    assert registry.watch(environ={}, interval=0.25).interval == 0.25


def test_the_public_names() -> None:
    import registry.watch  # noqa: F401 - importing the module keeps ``registry.watch`` the function
    from registry.watch import watch

    assert callable(registry.watch) and watch is registry.watch
    assert sys.modules["registry.watch"].LiveRegistry is registry.LiveRegistry
    live = registry.watch(environ={}, interval=2)
    assert isinstance(live, registry.LiveRegistry) and registry.LiveRegistry is LiveRegistry
    assert live.interval == 2.0 and live.error is None
    assert repr(live).startswith("LiveRegistry(app_name='provider-registry', providers=")
    assert live.registry == registry.load(environ={})  # the same configuration as a plain load


# -- threads ---------------------------------------------------------------------------------


def test_many_readers_while_one_thread_edits_and_refreshes(user_file: Any) -> None:
    path = user_file(BASE)
    live = registry.watch(config_path=path, environ={}, interval=0.005)
    stop = threading.Event()
    failures: list[BaseException] = []
    seen: set[str] = set()

    def read() -> None:
        try:
            while not stop.is_set():
                reg = live.registry
                base = reg.resolve("gpu/m")["api_base"]  # every registry seen is a complete good one
                assert reg.check_model_id("ollama/llama3").ok
                seen.add(base)
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)

    def edit() -> None:
        try:
            for i in range(20):
                port = 8100 + i
                text = BROKEN if i % 5 == 4 else BASE.replace("8001", str(port)) + "#" * i + "\n"
                _replace(path, text)
                live.refresh()
        except BaseException as error:  # noqa: BLE001
            failures.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    editor = threading.Thread(target=edit)
    editor.start()
    editor.join(60)
    stop.set()
    for thread in readers:
        thread.join(60)
    assert failures == []
    assert len(seen) > 1
    assert all(base.startswith("http://127.0.0.1:8") for base in seen)
