"""On a terminal the tables of ``list``, ``show``, ``paths`` and ``check`` fit its width; piped,
the same commands print every cell whole. The real CLI (``python -m registry``) runs under a
pseudo-terminal of 80 columns, with HOME and the XDG directories in ``tmp_path``."""

from __future__ import annotations

import errno
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pytest

import registry
from registry.layout import MIN_WIDTH, display_width
from registry.paths import builtin_providers_path
from replay_server import ReplayServer, fixture

SRC = str(Path(registry.__file__).resolve().parent.parent)
LONG = "Ollama on this machine, " + "with a description much longer than any terminal line is wide " * 2 + "模型"
USER_FILE = f"""version: 1
providers:
  ollama:
    description: "{LONG}"
"""
SGR = re.compile(r"\x1b\[[0-9;]*m|\x1b\[K")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A whole environment for the subprocess: nothing from the developer's own."""
    home = tmp_path / "home"
    config = home / ".config" / "provider-registry"
    config.mkdir(parents=True)
    (config / "providers.yaml").write_text(USER_FILE, encoding="utf-8")
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": SRC, "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_CONFIG_DIRS": str(tmp_path / "etc-xdg"), "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm"}


@pytest.fixture
def ollama() -> Iterator[ReplayServer]:
    with ReplayServer(fixture("ollama")) as server:
        yield server


def on_terminal(argv: list[str], env: dict[str, str], columns: int = 80) -> str:
    """stdout of ``registry ARGV`` written to a pseudo-terminal of ``columns`` columns."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    with subprocess.Popen([sys.executable, "-m", "registry", *argv], stdin=subprocess.DEVNULL, stdout=slave,
                          stderr=subprocess.PIPE, env=env) as process:
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError as exc:  # EIO: the child closed the terminal
                if exc.errno != errno.EIO:
                    raise
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
    os.close(master)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def piped(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-m", "registry", *argv], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    return done.stdout


def widths(text: str) -> list[int]:
    return [display_width(SGR.sub("", line)) for line in text.splitlines()]


def test_list_fits_80_columns(env: dict[str, str]) -> None:
    out = on_terminal(["list"], env)
    assert max(widths(out)) <= 80, out
    for name in ("huggingface", "ollama", "vllm", "lm_studio", "llamacpp", "openai-compat"):
        assert name in out
    whole = piped(["list"], env)
    assert "PREFIX" in whole and "ollama/" in whole and "LAYER" in whole and max(widths(whole)) > 80


def test_show_fits_80_columns_with_short_locations(env: dict[str, str]) -> None:
    out = on_terminal(["show", "ollama"], env)
    assert max(widths(out)) <= 80, out
    assert "<built-in>:" in out and "~/.config/provider-registry/providers.yaml:4" in out
    assert "name = ollama" in out and "description = Ollama on this" in out and "…" in out
    whole = piped(["show", "ollama"], env)
    assert "<built-in>" not in whole and f"{builtin_providers_path()}:" in whole and LONG in whole


def test_paths_fits_80_columns_with_home_as_tilde(env: dict[str, str]) -> None:
    out = on_terminal(["paths"], env)
    assert max(widths(out)) <= 80, out
    assert "<built-in>" in out and "~/.config/provider-registry/providers.yaml" in out
    for layer in ("default", "app", "site", "user", "env", "cache", "schema"):
        assert re.search(rf"^(\x1b\[[0-9;]*m)?{layer} ", out, re.M), layer
    whole = piped(["paths"], env)
    assert f"{env['HOME']}/.config/provider-registry/providers.yaml" in whole and "~" not in whole
    assert "run 'registry init' to create it" not in whole  # the user file exists here
    assert "the host's defaults: none given (load(defaults=PATH) or --defaults PATH)" in whole


def test_check_fits_80_columns(env: dict[str, str], ollama: ReplayServer) -> None:
    env = {**env, "OLLAMA_BASE_URL": ollama.root + "/v1"}
    out = on_terminal(["check", "ollama"], env)
    assert max(widths(out)) <= 80, out
    assert "ollama" in out and ollama.root in out and "ok" in out
    for model in ("gemma3:latest", "llama3.2:latest", "qwen3:8b"):  # the serves line wraps, whole
        assert model in out
    whole = piped(["check", "ollama"], env)
    assert "HTTP" in whole and "LATENCY" in whole
    assert f"ollama ({ollama.root}/v1) serves: gemma3:latest, llama3.2:latest, qwen3:8b" in whole


def test_columns_overrides_the_terminal_width(env: dict[str, str]) -> None:
    out = on_terminal(["show", "ollama"], {**env, "COLUMNS": "60"}, columns=200)
    assert max(widths(out)) <= 60, out
    wide = on_terminal(["list"], env, columns=200)
    assert "PREFIX" in wide and "LAYER" in wide  # a wide terminal keeps every column


def test_json_is_never_shortened(env: dict[str, str]) -> None:
    out = on_terminal(["--json", "paths"], env)
    assert "<built-in>" not in out and "…" not in out and str(builtin_providers_path()) in out


def test_a_columns_that_is_not_a_number_means_the_terminal_width(env: dict[str, str]) -> None:
    out = on_terminal(["paths"], {**env, "COLUMNS": "wide"}, columns=80)
    assert max(widths(out)) <= 80 and "<built-in>" in out


def test_a_tiny_terminal_gets_tables_cut_for_the_minimum_width(env: dict[str, str]) -> None:
    for extra, columns in (({"COLUMNS": "1"}, 200), ({}, 12)):
        out = on_terminal(["list"], {**env, **extra}, columns=columns)
        assert max(widths(out)) <= MIN_WIDTH and max(widths(out)) > MIN_WIDTH - 10, out
        assert "ollama" in out and "NAME" in out  # the names survive, not a column of ellipses
