"""Keys never appear unmasked in any output of any ``registry`` command (stdout or stderr, text or --json)."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.cli import main

CANARY = "sk-canary-7f3a9b2c4d5e6f708192"
HEADER_CANARY = "hdr-canary-0a1b2c3d4e5f60718293"

ENVIRON = {
    "HF_TOKEN": CANARY,
    "OLLAMA_API_KEY": CANARY,
    "LOCAL_LLM_API_KEY": CANARY,
    "GPU_BOX_KEY": CANARY,
    "OPENAI_API_KEY": CANARY,
}

USER_FILE = f"""\
version: 1
aliases:
  fast: gpu-box/qwen3
providers:
  gpu-box:
    api_base: http://10.0.0.7:8000/v1
    api_key_env: GPU_BOX_KEY
    headers: {{Authorization: "Bearer {HEADER_CANARY}"}}
  inline:
    api_base: http://10.0.0.8:8000/v1
    api_key: "{CANARY}"
"""


def _argvs(config: str) -> list[list[str]]:
    commands = [
        ["validate"], ["validate", config], ["list"], ["paths"], ["schema"],
        ["resolve", "gpu-box/qwen3"], ["resolve", "fast", "--effort", "high"], ["resolve", "ollama/llama3"],
        ["resolve", "moonshotai/Kimi-K2.6:novita", "--effort", "minimal"], ["resolve", "olama/llama3"],
        ["resolve", "inline/x"], ["resolve", "vllm/x", "--effort", "high", "--strict"],
        ["show", "nope"],
    ] + [["show", name] for name in ("gpu-box", "inline", "huggingface", "ollama", "vllm")]
    return [["--config", config, *argv] for argv in commands] + [["--config", config, "--json", *argv] for argv in commands]


def test_canary_key_never_appears_unmasked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "providers.yaml"
    config.write_text(USER_FILE, encoding="utf-8")
    config.chmod(0o644)  # loose mode: the permission warning must not quote the key either
    codes = []
    for argv in _argvs(str(config)):
        codes.append(main(argv, environ=ENVIRON))
        out, err = capsys.readouterr()
        for text in (out, err):
            assert CANARY not in text, argv
            assert HEADER_CANARY not in text, argv
            assert CANARY[-12:] not in text, argv  # no long tail either: masks show 4 characters at most
    assert codes.count(0) > len(codes) // 2  # most commands succeeded, so they really printed keys' fields
    # the commands really ran and reached the keys: resolve of the env-keyed provider shows the mask
    code = main(["--config", str(config), "resolve", "gpu-box/qwen3"], environ=ENVIRON)
    out, _ = capsys.readouterr()
    assert code == 0 and "api_key       = ****8192" in out and "Authorization: ****8293" in out


def test_canary_in_a_broken_value_is_not_echoed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Keys that fail checks (whitespace, wrong type) are described, never quoted."""
    config = tmp_path / "providers.yaml"
    config.write_text(f"version: 1\nproviders:\n  vllm:\n    api_key: [\"{CANARY}\"]\n"
                      f"    headers: {{X-K: [\"{HEADER_CANARY}\"]}}\n", encoding="utf-8")
    for argv in (["validate"], ["--json", "validate"], ["list"], ["validate", str(config)]):
        code = main(["--config", str(config), *argv], environ={"HF_TOKEN": f"{CANARY} \n"})
        out, err = capsys.readouterr()
        assert code == 1, argv
        assert CANARY not in out + err and HEADER_CANARY not in out + err, argv
    code = main(["validate"], environ={"HF_TOKEN": f"{CANARY}\x07\n"})  # the newline is stripped, the BEL is not
    out, _ = capsys.readouterr()
    assert code == 1 and "env HF_TOKEN: error: API key in HF_TOKEN contains a control character" in out
    assert CANARY not in out
    code = main(["list"], environ={"HF_TOKEN": f"{CANARY}\x07"})  # only huggingface is unavailable
    out, err = capsys.readouterr()
    assert code == 0 and "huggingface" in out and "unavailable" in out and CANARY not in out + err


def test_init_output_has_no_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "providers.yaml"
    for argv in (["init"], ["init"], ["--json", "init", "--force"]):
        main(["--config", str(target), *argv], environ=ENVIRON)
        out, err = capsys.readouterr()
        assert CANARY not in out + err
    assert CANARY not in target.read_text(encoding="utf-8")
