"""Text from a user file or a server never reaches the terminal raw, and no stream encoding makes
a command fail: every command's human output escapes control characters (ESC, OSC, BEL, C1, bidi
overrides, zero-width), ``--json`` is ASCII-only valid JSON, and an ASCII terminal gets escapes
instead of a ``UnicodeEncodeError``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from registry import cli

HOSTILE = {
    "osc-title": "\x1b]0;pwned\x07",
    "csi-clear": "\x1b[2J\x1b[H",
    "csi-color": "\x1b[31;1mred",
    "bell": "ring\x07",
    "c1-csi": "\x9b31m",
    "bidi-override": "abc\u202edef",
    "zero-width": "a\u200bb",
    "backspace": "abc\x08\x08\x08xyz",
    "carriage-return": "fake\rREAL",
    "del": "x\x7fy",
}
RAW = [c for text in HOSTILE.values() for c in text if c in "\x1b\x07\x9b\u202e\u200b\x08\r\x7f"]


def _yaml_escape(char: str) -> str:
    """One character of a YAML double-quoted scalar: controls and quotes as escapes, the rest raw."""
    if char in '"\\' or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
        return f"\\x{ord(char):02x}" if ord(char) <= 0xFF and char not in '"\\' else "\\" + char
    return char


def _file(tmp_path: Path, description: str) -> Path:
    path = tmp_path / "providers.yaml"
    quoted = '"' + "".join(_yaml_escape(c) for c in description) + '"'
    path.write_text(f"version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9/v1\n    api_key_env: BOX_KEY\n"
                    f"    description: {quoted}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("argv", [["list"], ["show", "box"], ["validate"], ["resolve", "box/m", "--json"], ["paths"]],
                         ids=lambda a: a[0])
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_human_output_escapes_controls(name: str, argv: list[str], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    config = _file(tmp_path, f"desc {HOSTILE[name]} end")
    status = cli.main(["--config", str(config), *argv], environ={"BOX_KEY": "box-test-key-1234"})
    out, err = capsys.readouterr()
    assert status == 0, err
    assert not any(c in out + err for c in RAW), f"a raw control reached the terminal: {out!r}"
    if argv[0] == "show":
        assert "desc " in out and " end" in out  # the value is shown, escaped, not dropped


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_json_output_is_ascii_and_valid(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _file(tmp_path, f"desc {HOSTILE[name]} caf\u00e9 \U0001F600")
    assert cli.main(["--config", str(config), "show", "box", "--json"], environ={}) == 0
    out = capsys.readouterr().out
    assert out.isascii() and all(c.isprintable() or c in "\n" for c in out)
    rows = json.loads(out)
    assert any(isinstance(row, dict) and row.get("value") == f"desc {HOSTILE[name]} caf\u00e9 \U0001F600"
               for row in (rows if isinstance(rows, list) else rows.get("fields", [])))


@pytest.mark.parametrize("text", ["caf\u00e9", "\U0001F600 emoji", "\u4e2d\u6587", "\u202eright-to-left"])
@pytest.mark.parametrize("argv", [["list"], ["show", "box"], ["validate"]], ids=lambda a: a[0])
def test_an_ascii_terminal_never_fails(text: str, argv: list[str], tmp_path: Path) -> None:
    config = _file(tmp_path, text)
    env = dict(os.environ, PYTHONIOENCODING="ascii", LITELLM_LOCAL_MODEL_COST_MAP="True")
    done = subprocess.run([sys.executable, "-m", "registry", "--config", str(config), *argv],
                          capture_output=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert b"Traceback" not in done.stderr and b"UnicodeEncodeError" not in done.stderr
    if argv[0] == "show":
        assert b"\\" in done.stdout  # written as an escape
