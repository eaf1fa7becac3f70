"""A secret canary: distinctive keys are loaded from every place a key can come from, then every
CLI command and every library error path runs, and no key may show up anywhere a person or a log
collector could read it: stdout, stderr, log records, exception text or reprs.

A key may appear only as its mask (``****`` and at most its last four characters), so the check
is that no eight consecutive characters of any key appear.
"""

from __future__ import annotations

import json
import logging
import pickle
from pathlib import Path
from typing import Any

import pytest

import registry
from registry import cli

HF_KEY = "sk-canary-hf-5Hq8ZrT2wX7mLp4N"
VLLM_KEY = "sk-canary-vllm-J3kT9pWq2Zr8Xb6M"
CR_KEY = "sk-canary-cr-Vb7Qm2\r\nLx9Tz4Hp8W\r"  # pasted across two lines of a Windows-edited .env file
INLINE_KEY = "sk-canary-inline-R6nY3cK8vQ1sD5fG"
HEADER_KEY = "sk-canary-header-P2wE7uA9mX4bN6tJ"
PASTED_KEY = "sk-canary-pasted-L8qZ1xV5cR3tY7kH"  # pasted where a variable name belongs
URL_KEY = "sk-canary-url-F4gH8jK2lM6nB9vC"  # a password inside a base URL
KEYS = (HF_KEY, VLLM_KEY, CR_KEY.strip(), INLINE_KEY, HEADER_KEY, PASTED_KEY, URL_KEY)

GOOD_FILE = f"""version: 1
providers:
  box:
    api_base: https://box.example/v1
    api_key: {INLINE_KEY}
    headers:
      Authorization: Bearer {HEADER_KEY}
    efforts: [low, high]
"""
# Each bad file fails at a different stage: YAML reading, the schema, the loader's key check.
BAD_FILES = {
    "bad-yaml": f"version: 1\nproviders:\n  vllm:\n    api_key: &{VLLM_KEY}\n",
    "bad-schema": f"""version: 1
providers:
  box:
    api_base: https://box.example/v1
    api_key_env: {PASTED_KEY}
    headers:
      Authorization: "Bearer {HEADER_KEY}\\n"
  ollama:
    api_key: [{HF_KEY}]
  lm_studio:
    api_base: ftp://user:{URL_KEY}@box.example/
""",
    "bad-key": f'version: 1\nproviders:\n  box:\n    api_base: https://box.example/v1\n    api_key: "{INLINE_KEY}\\r"\n',
}
GOOD_ENV = {"HF_TOKEN": HF_KEY, "VLLM_API_KEY": VLLM_KEY}
BAD_ENV = {"HF_TOKEN": HF_KEY, "VLLM_API_KEY": VLLM_KEY, "OLLAMA_API_KEY": CR_KEY,
           "LMSTUDIO_BASE_URL": f"http://user:{URL_KEY}@127.0.0.1:1234/v1"}


def leaks(text: str) -> list[str]:
    """The keys of which any eight consecutive characters occur in ``text``."""
    found = []
    for key in KEYS:
        if any(key[i:i + 8] in text for i in range(len(key) - 7)):
            found.append(key)
    return found


def assert_no_leak(text: str, where: str) -> None:
    assert not leaks(text), f"a key leaked into {where}:\n{text}"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in (("good", GOOD_FILE), *BAD_FILES.items()):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)  # group-readable: the loose-permission warning path runs too
        paths[name] = path
    return paths


def _argv_for(command: str, config: Path, tmp_path: Path) -> list[list[str]]:
    """Invocations of one command: text and JSON, the success path and the error paths."""
    base = ["--config", str(config)]
    table = {
        "validate": [["validate", *base], ["validate", *base, "--json"], ["validate", str(config)],
                     ["validate", str(config), "--json"]],
        "list": [["list", *base], ["list", *base, "--json"]],
        "show": [["show", name, *base, *fmt] for name in ("box", "huggingface", "vllm", "ollama", "nope")
                 for fmt in ([], ["--json"])],
        "resolve": [["resolve", model, *base, *extra] for model in
                    ("box/m", "huggingface/org/model", "moonshotai/Kimi-K2:novita", "vllm/x", "lm_studio/x",
                     "nope/x", "")
                    for extra in ([], ["--json"], ["--effort", "max", "--strict"], ["--effort", "bogus"])],
        "paths": [["paths", *base], ["paths", *base, "--json"]],
        "schema": [["schema", *base]],
        "init": [["init", "--config", str(tmp_path / "new" / "providers.yaml")], ["init", *base]],
    }
    return table.get(command, [[command, *base], [command, *base, "--json"]])


@pytest.mark.parametrize("which, environ", [("good", GOOD_ENV), ("good", BAD_ENV), *((bad, GOOD_ENV) for bad in BAD_FILES)],
                         ids=["good-file", "bad-env", *BAD_FILES])
@pytest.mark.parametrize("command", sorted(cli.commands()))
def test_no_cli_command_prints_a_key(command: str, which: str, environ: dict[str, str], files: dict[str, Path],
                                     tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    statuses = []
    for argv in _argv_for(command, files[which], tmp_path):
        statuses.append(cli.main(argv, environ=environ))
        out, err = capsys.readouterr()
        assert_no_leak(out, f"stdout of {argv}")
        assert_no_leak(err, f"stderr of {argv}")
    assert_no_leak("\n".join(r.getMessage() for r in caplog.records), "the log")
    assert 3 not in statuses, "an internal error: its message is printed raw"
    if command == "validate":
        assert statuses[0] == (0 if (which, environ) == ("good", GOOD_ENV) else 1)


def test_the_canary_keys_really_reach_the_commands(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """The canary is live: the keys are loaded, and resolve shows their masks, so silence is not luck."""
    assert cli.main(["resolve", "box/m", "--config", str(files["good"]), "--json"], environ=GOOD_ENV) == 0
    shown = json.loads(capsys.readouterr().out)
    assert INLINE_KEY[-4:] in json.dumps(shown) and "****" in json.dumps(shown)
    loaded = registry.load(config_path=files["good"], environ=GOOD_ENV)
    assert loaded.resolve("box/m")["api_key"] == INLINE_KEY
    assert loaded.resolve("huggingface/org/model")["api_key"] == HF_KEY
    assert loaded.resolve("vllm/x")["api_key"] == VLLM_KEY
    assert loaded.resolve("box/m")["extra_headers"] == {"Authorization": f"Bearer {HEADER_KEY}"}


def _texts_of(value: Any) -> str:
    """``str``, ``repr`` and, for issues, the rendered and JSON forms."""
    parts = [str(value), repr(value)]
    for issue in getattr(value, "issues", ()):
        parts += [issue.render(), repr(issue), json.dumps(issue.as_dict())]
    return "\n".join(parts)


def test_no_library_error_path_shows_a_key(files: dict[str, Path], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []

    for bad in BAD_FILES:
        with pytest.raises(registry.ConfigError) as bad_file:
            registry.load(config_path=files[bad], environ=GOOD_ENV)
        seen.append(_texts_of(bad_file.value))
    with pytest.raises(registry.ConfigError) as bad_env:
        registry.load(config_path=files["good"], environ=BAD_ENV, strict=True)
    seen.append(_texts_of(bad_env.value))
    isolated = registry.load(config_path=files["good"], environ=BAD_ENV)  # the bad variables break their readers only
    assert set(isolated.unavailable) == {"ollama", "lm_studio"}
    seen += [_texts_of(isolated), _texts_of(dict(isolated.unavailable)), _texts_of(isolated.provider("ollama"))]
    for model_id in ("ollama/m", "lm_studio/m"):
        with pytest.raises(registry.ConfigError) as unavailable:
            isolated.resolve(model_id, api_key="explicit-session-key")
        seen.append(_texts_of(unavailable.value))
        seen.append(_texts_of(isolated.check_model_id(model_id)))
    assert {"OLLAMA_API_KEY", "LMSTUDIO_BASE_URL"} <= {i.env_var for i in bad_env.value.issues}
    for environ in (GOOD_ENV, BAD_ENV):
        for path in files.values():
            seen.append(_texts_of(registry.inspect(config_path=path, environ=environ)))

    loaded = registry.load(config_path=files["good"], environ=GOOD_ENV)  # logs the inline-key warnings
    assert loaded.warnings, "the inline key and the loose mode must be warned about"
    seen += [_texts_of(loaded), _texts_of(loaded.provider("box")), _texts_of(loaded.provider("box").headers)]
    seen += [f"{loaded.provider('vllm').api_key}", f"{loaded.provider('box').api_key!r:>40}", repr(pickle.dumps(loaded.provider("box").api_key))]
    seen.append("\n".join(_texts_of(w) for w in loaded.warnings))

    failures = [
        lambda: loaded.resolve("huggingface/org/model", reasoning_effort="max", strict=True),
        lambda: loaded.resolve("box/m", reasoning_effort="bogus"),
        lambda: loaded.resolve("nope/x y"),
        lambda: loaded.resolve(""),
        lambda: loaded.provider("nope"),
        lambda: loaded.origin("box", "nope"),
        lambda: registry.load(config_path=files["good"], environ={}).resolve("huggingface/org/model"),
    ]
    for failure in failures:
        with pytest.raises(registry.RegistryError) as info:
            failure()
        seen.append(_texts_of(info.value))
    seen.append(_texts_of(loaded.check_model_id("huggingface/bad id")))

    assert_no_leak("\n".join(seen), "an exception, repr or warning")
    assert_no_leak("\n".join(r.getMessage() for r in caplog.records), "the log")
