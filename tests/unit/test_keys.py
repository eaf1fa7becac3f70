"""The key chain (variables > key files > key commands > inline placeholders) and per-session keys."""

from __future__ import annotations

import json
import os
import pickle
import sys
import threading
from pathlib import Path

import pytest

import registry
from registry import ConfigError, keys
from registry.cli import main

HF_KEY = "hf_canaryFileToken0123456789"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def user_file(tmp_path: Path, text: str) -> Path:
    return write(tmp_path / "providers.yaml", text)


# --- key files ------------------------------------------------------------------------------------

def test_the_token_of_hf_auth_login_is_found_in_hf_home(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    token = write(tmp_path / "hf" / "token", HF_KEY + "\n")
    environ = {"HF_HOME": str(tmp_path / "hf")}
    reg = registry.load(environ=environ)
    assert reg.resolve("moonshotai/Kimi-K2.6")["api_key"] == HF_KEY
    assert reg.origin("huggingface", "api_key") == registry.Origin("key-file", str(token))
    assert reg.provider("huggingface").key_source == f"file {token}"
    assert reg.check_model_id("moonshotai/Kimi-K2.6").key_missing is False
    assert main(["show", "huggingface"], environ=environ) == 0
    out = capsys.readouterr().out
    assert f"key-file  {token}" in out and HF_KEY not in out
    assert main(["--json", "list"], environ=environ) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["huggingface"]["key_source"] == f"file {token}"


@pytest.mark.parametrize("where", ["HF_TOKEN_PATH", "HF_HOME", "XDG_CACHE_HOME", "HOME"])
def test_the_hugging_face_chain_follows_huggingface_hub(tmp_path: Path, where: str) -> None:
    """huggingface_hub.constants: HF_TOKEN_PATH, else $HF_HOME/token, else
    $XDG_CACHE_HOME/huggingface/token, else ~/.cache/huggingface/token."""
    files = {
        "HF_TOKEN_PATH": tmp_path / "explicit-token",
        "HF_HOME": tmp_path / "hf-home" / "token",
        "XDG_CACHE_HOME": tmp_path / "xdg-cache" / "huggingface" / "token",
        "HOME": tmp_path / "home" / ".cache" / "huggingface" / "token",
    }
    environ = {"HF_TOKEN_PATH": str(files["HF_TOKEN_PATH"]), "HF_HOME": str(tmp_path / "hf-home"),
               "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"), "HOME": str(tmp_path / "home")}
    order = list(files)
    for name in order[order.index(where):]:  # this one and every later one exist: the first wins
        write(files[name], f"hf_from{name.replace('_', '')}12345\n")
    reg = registry.load(environ=environ)
    assert reg.resolve("org/model")["api_key"] == f"hf_from{where.replace('_', '')}12345"
    assert reg.provider("huggingface").key_file_paths == tuple(str(files[name]) for name in order)
    assert set(reg.provider("huggingface").key_file_variables) == {"HF_TOKEN_PATH", "HF_HOME", "XDG_CACHE_HOME", "HOME"}


def test_an_entry_naming_an_unset_variable_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".cache" / "huggingface" / "token", HF_KEY)
    reg = registry.load(environ={"HOME": str(tmp_path / "home"), "HF_HOME": "  "})
    assert reg.resolve("org/model")["api_key"] == HF_KEY
    assert reg.provider("huggingface").key_file_paths == (str(tmp_path / "home/.cache/huggingface/token"),)


def test_a_variable_beats_the_key_file_which_is_then_not_read(tmp_path: Path) -> None:
    (tmp_path / "hf" / "token").mkdir(parents=True)  # unreadable as a file: an error if it were read
    reg = registry.load(environ={"HF_HOME": str(tmp_path / "hf"), "HF_TOKEN": "hf_fromTheVariable123"})
    assert reg.resolve("org/model")["api_key"] == "hf_fromTheVariable123" and reg.unavailable == {}


def test_empty_files_are_passed_over_and_bad_content_breaks_only_that_provider(tmp_path: Path) -> None:
    write(tmp_path / "hf" / "token", " \n")
    write(tmp_path / "home" / ".cache" / "huggingface" / "token", HF_KEY)
    environ = {"HF_HOME": str(tmp_path / "hf"), "HOME": str(tmp_path / "home")}
    assert registry.load(environ=environ).resolve("org/model")["api_key"] == HF_KEY
    bad = write(tmp_path / "hf" / "token", "hf_canary inner-space 0123\n")
    reg = registry.load(environ=environ)
    assert list(reg.unavailable) == ["huggingface"]
    assert reg.unavailable["huggingface"].startswith(f"{bad}: the key in the key file contains whitespace")
    with pytest.raises(ConfigError) as info:
        reg.resolve("org/model", api_key="hf_explicit123")
    assert info.value.path == str(bad) and "inner-space" not in str(info.value)
    assert reg.resolve("ollama/m")["api_key"] == "ollama"
    with pytest.raises(ConfigError):
        registry.load(environ=environ, strict=True)


def test_a_key_file_that_cannot_be_read_is_located_there(tmp_path: Path) -> None:
    (tmp_path / "hf" / "token").mkdir(parents=True)
    reg = registry.load(environ={"HF_HOME": str(tmp_path / "hf")})
    assert "huggingface" in reg.unavailable and "directory" in reg.unavailable["huggingface"]


def test_a_key_file_readable_by_others_is_a_warning(tmp_path: Path) -> None:
    token = write(tmp_path / "hf" / "token", HF_KEY, mode=0o644)
    report = registry.inspect(environ={"HF_HOME": str(tmp_path / "hf")})
    assert report.ok and [w.message for w in report.warnings] == [
        "the key file is readable by group or others (mode 0644)"]
    assert report.warnings[0].path == str(token) and report.warnings[0].hint == f"chmod 600 {token}"


def test_a_user_provider_reads_its_own_key_file_with_tilde_and_variables(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".config" / "box" / "key", "sk-box-key-0123456789\n")
    path = user_file(tmp_path, "version: 1\nproviders:\n  box:\n    api_base: http://box:1/v1\n"
                     "    api_key: placeholder-box\n    api_key_file: [\"${BOX_KEY_DIR}/key\", ~/.config/box/key]\n")
    reg = registry.load(config_path=path, environ={"HOME": str(tmp_path / "home")})
    assert reg.resolve("box/m")["api_key"] == "sk-box-key-0123456789"  # the file beats the inline placeholder
    reg = registry.load(config_path=path, environ={"HOME": str(tmp_path / "nowhere")})
    assert reg.resolve("box/m")["api_key"] == "placeholder-box"  # no file: the placeholder


def test_validate_files_does_not_read_key_files(tmp_path: Path) -> None:
    (tmp_path / "hf" / "token").mkdir(parents=True)
    path = user_file(tmp_path, "version: 1\n")
    report = registry.inspect(config_path=path, environ={"HF_HOME": str(tmp_path / "hf")}, apply_environment=False)
    assert report.ok


def test_missing_key_error_lists_every_source_and_how_to_get_a_key(tmp_path: Path) -> None:
    reg = registry.load(environ={"HF_HOME": str(tmp_path / "hf"), "HOME": str(tmp_path)})
    with pytest.raises(registry.MissingApiKeyError) as info:
        reg.resolve("org/model")
    assert info.value.message == (
        "provider 'huggingface' needs an API key and none is configured; set HF_TOKEN or HUGGING_FACE_HUB_TOKEN, "
        f"or put it in one of {tmp_path}/hf/token, {tmp_path}/.cache/huggingface/token")
    assert info.value.hint == "run 'hf auth login', or create a token at https://huggingface.co/settings/tokens"
    assert info.value.key_files == (f"{tmp_path}/hf/token", f"{tmp_path}/.cache/huggingface/token")


# --- key commands ---------------------------------------------------------------------------------

def command_file(tmp_path: Path, argv: list[str], extra: str = "") -> Path:
    quoted = ", ".join(json.dumps(word) for word in argv)  # a JSON string is a YAML double-quoted scalar
    return user_file(tmp_path, "version: 1\nproviders:\n  box:\n    api_base: http://box:1/v1\n"
                     f"    api_key: box\n    api_key_command: [{quoted}]\n{extra}")


def counting_command(tmp_path: Path, output: str = "sk-from-the-command-0123", status: int = 0,
                     sleep: float = 0) -> list[str]:
    counter = tmp_path / "runs"
    script = (f"import pathlib, sys, time; p = pathlib.Path({str(counter)!r}); "
              f"p.write_text(p.read_text() + 'x' if p.exists() else 'x'); time.sleep({sleep}); "
              f"sys.stdout.write({output!r}); sys.exit({status})")
    return [sys.executable, "-c", script]


def runs(tmp_path: Path) -> int:
    counter = tmp_path / "runs"
    return len(counter.read_text()) if counter.exists() else 0


def test_a_key_command_runs_once_on_first_use_never_at_load(tmp_path: Path) -> None:
    path = command_file(tmp_path, counting_command(tmp_path, "sk-from-the-command-0123\n"))
    reg = registry.load(config_path=path, environ={})
    registry.inspect(config_path=path, environ={})
    assert runs(tmp_path) == 0  # load never runs it
    check = reg.check_model_id("box/m")
    assert check.ok and not check.key_missing and runs(tmp_path) == 0
    assert reg.origin("box", "api_key") == registry.Origin("key-command", os.path.basename(sys.executable))
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(reg.resolve("box/m")["api_key"])) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["sk-from-the-command-0123"] * 8 and runs(tmp_path) == 1
    session = reg.with_keys({"ollama": "sk-other-session-key"})  # a copy shares the command and its key
    assert session.resolve("box/m")["api_key"] == "sk-from-the-command-0123" and runs(tmp_path) == 1
    assert "sk-from-the-command-0123" not in repr(reg) + repr(reg.provider("box"))


def test_a_variable_beats_the_command_which_then_never_runs(tmp_path: Path) -> None:
    path = command_file(tmp_path, counting_command(tmp_path), "    api_key_env: BOX_KEY\n")
    reg = registry.load(config_path=path, environ={"BOX_KEY": "sk-from-the-variable-01"})
    assert reg.resolve("box/m")["api_key"] == "sk-from-the-variable-01" and runs(tmp_path) == 0
    assert reg.provider("box").key_command is None


@pytest.mark.parametrize(("make", "reason"), [
    (lambda tmp: counting_command(tmp, "sk-canary-printed-secret-0123", status=3), "exited with status 3"),
    (lambda tmp: counting_command(tmp, ""), "printed nothing"),
    (lambda tmp: counting_command(tmp, "sk-canary printed-secret 0123"), "printed a key that contains whitespace"),
    (lambda tmp: [sys.executable, "-c", "import sys; sys.stdout.write('sk-canary-printed-secret-0123' * 10000)"],
     "printed more than 64 KiB"),
    (lambda tmp: [str(tmp / "no-such-program")], "was not found"),
], ids=["exit status", "nothing", "bad key", "too much", "not found"])
def test_a_failing_command_makes_only_its_provider_unavailable(tmp_path: Path, make, reason: str) -> None:  # type: ignore[no-untyped-def]
    path = command_file(tmp_path, make(tmp_path))
    reg = registry.load(config_path=path, environ={})
    with pytest.raises(ConfigError) as info:
        reg.resolve("box/m")
    text = str(info.value) + repr(info.value)
    assert reason in info.value.message and "(its output is not shown)" in info.value.message
    assert (info.value.path, info.value.line) == (str(path), 6)  # where api_key_command is written
    assert "printed-secret" not in text and "canary" not in text
    assert "box" in reg.unavailable and reason in reg.unavailable["box"]
    check = reg.check_model_id("box/m")
    assert not check.ok and reason in (check.reason or "")
    assert reg.resolve("ollama/m")["api_key"] == "ollama"
    with pytest.raises(ConfigError):  # the failure is kept: the command does not run again
        reg.resolve("box/m")


def test_a_slow_command_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keys, "KEY_COMMAND_TIMEOUT", 0.5)
    reg = registry.load(config_path=command_file(tmp_path, counting_command(tmp_path, sleep=30)), environ={})
    with pytest.raises(ConfigError, match=r"did not finish within 0.5 s"):
        reg.resolve("box/m")


def test_show_masks_a_command_argument_that_may_be_a_credential(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = command_file(tmp_path, ["curl", "-u", "me:hunter2", "-H", "X-Key: sk0123456789abcdefghij0123"])
    assert main(["--config", str(path), "show", "box"], environ={}) == 0
    out = capsys.readouterr().out
    assert "api_key_command = [curl, -u, ****, -H, ****]" in out and "hunter2" not in out
    assert "api_key = (from api_key_command, on first use)" in out


# --- per-session keys -----------------------------------------------------------------------------

def test_with_keys_applies_each_key_only_to_its_provider() -> None:
    reg = registry.load(environ={})
    session = reg.with_keys({"huggingface": "hf_sessionToken0123"})
    assert session.resolve("moonshotai/Kimi-K2.6")["api_key"] == "hf_sessionToken0123"
    assert session.resolve("ollama/llama3")["api_key"] == "ollama"  # never the session's token
    assert session.origin("huggingface", "api_key") == registry.Origin("session", "with_keys")
    assert session.check_model_id("org/model").key_missing is False
    assert reg.check_model_id("org/model").key_missing is True  # the original is unchanged
    with pytest.raises(registry.MissingApiKeyError):
        reg.resolve("org/model")
    assert session.resolve("org/model", api_key="hf_explicit0123")["api_key"] == "hf_explicit0123"
    again = session.with_keys({"ollama": "sk-ollama-session-01"})
    assert again.resolve("org/model")["api_key"] == "hf_sessionToken0123"
    assert again.resolve("ollama/m")["api_key"] == "sk-ollama-session-01"
    assert pickle.loads(pickle.dumps(again)) == again and again != reg
    assert "hf_sessionToken0123" not in repr(session)


def test_with_keys_refuses_unknown_providers_and_bad_keys() -> None:
    reg = registry.load(environ={})
    with pytest.raises(registry.UnknownProviderError, match="did you mean 'huggingface'"):
        reg.with_keys({"hugingface": "hf_token0123"})
    for bad in ("", "hf_token with space", "hf_token\n", 42):
        with pytest.raises(registry.InvalidApiKeyError) as info:
            reg.with_keys({"huggingface": bad})  # type: ignore[dict-item]
        assert "with space" not in str(info.value)


def test_a_session_key_does_not_revive_an_unavailable_provider() -> None:
    reg = registry.load(environ={"VLLM_BASE_URL": "localhost:8000"}).with_keys({"vllm": "sk-session-vllm-01"})
    with pytest.raises(ConfigError):
        reg.resolve("vllm/m")


def test_has_key_never_runs_the_command_and_api_key_runs_it_once(tmp_path: Path) -> None:
    reg = registry.load(config_path=command_file(tmp_path, counting_command(tmp_path)), environ={})
    assert reg.has_key("box") and runs(tmp_path) == 0
    secret = reg.api_key("box")
    assert secret is not None and secret.reveal() == "sk-from-the-command-0123" and runs(tmp_path) == 1
    assert "sk-from-the-command-0123" not in repr(secret) + str(secret)
    assert reg.resolve("box/m")["api_key"] == "sk-from-the-command-0123" and runs(tmp_path) == 1
    session = reg.with_keys({"box": "sk-session-key-abcdef12"})
    assert session.api_key("box").reveal() == "sk-session-key-abcdef12"  # type: ignore[union-attr]
    assert not reg.has_key("huggingface") and reg.api_key("huggingface") is None
    with pytest.raises(registry.UnknownProviderError):
        reg.has_key("bxo")
