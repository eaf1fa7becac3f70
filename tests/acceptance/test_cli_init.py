"""``registry init``: a commented starter file that validates, written atomically, never clobbering."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

import registry
from registry.schema import load_schema
from registry.cli import main
from registry.paths import schema_path
from registry.starter import starter_text, write_starter


def run(capsys: pytest.CaptureFixture[str], *argv: str, environ: dict[str, str] | None = None) -> tuple[int, str, str]:
    code = main(list(argv), environ={} if environ is None else environ)
    out, err = capsys.readouterr()
    return code, out, err


def test_init_writes_starter_to_the_default_user_path(capsys: pytest.CaptureFixture[str], isolated_user_dirs: Path) -> None:
    target = isolated_user_dirs / ".config" / "provider-registry" / "providers.yaml"
    code, out, err = run(capsys, "init")
    assert code == 0
    schema = target.parent / "providers.schema.json"
    assert out == f"wrote {target}\nwrote {schema}\n"
    assert err == "next: uncomment what you need, then run 'registry validate'\n"
    assert target.read_text(encoding="utf-8") == starter_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert schema.read_bytes() == schema_path().read_bytes()
    assert sorted(p.name for p in target.parent.iterdir()) == ["providers.schema.json", "providers.yaml"], \
        "temp file left behind"


def test_starter_file_shape(tmp_path: Path) -> None:
    text = starter_text()
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=./providers.schema.json"
    assert [line for line in lines if line and not line.startswith("#")] == ["version: 1"]
    # every provider field of the schema appears, commented out, with an explanation
    fields = load_schema()["$defs"]["provider"]["properties"]
    for name in fields:
        shown = [line for line in lines if line.lstrip("# ").startswith(f"{name}:")]
        assert shown, name
        assert all("  # " in line for line in shown), name
    for top in ("fallback", "aliases", "providers"):
        assert any(line.startswith(f"# {top}:") for line in lines), top


def test_starter_file_passes_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cfg" / "providers.yaml"
    code, _, _ = run(capsys, "--config", str(target), "init")
    assert code == 0
    code, out, _ = run(capsys, "validate", str(target))
    assert (code, out) == (0, "OK: 1 file, 6 providers\n")


def test_uncommented_starter_examples_are_valid(tmp_path: Path) -> None:
    """The commented examples are themselves correct: uncommenting them gives a valid file."""
    lines = [line[2:] if re.match(r"# (\s*[a-z_]+:(\s|$))", line) else line for line in starter_text().splitlines()]
    assert sum(1 for line in lines if re.match(r"    [a-z_]+: ", line)) == 20  # every provider field is now live
    path = tmp_path / "full.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = registry.inspect(config_path=path, environ={}, apply_environment=False)
    assert report.errors == (), [i.render() for i in report.errors]
    ollama = report.registry.provider("ollama")
    assert ollama.api_bases == ("http://gpu-2:11434/v1",)
    assert ollama.timeout == 120 and ollama.kind == "local"
    assert report.registry.aliases["fast"] == "ollama/llama3.1:8b"


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "providers.yaml"
    target.write_text("version: 1\n# mine\n", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(target), "init")
    assert (code, out) == (1, "")
    assert err == (f"registry: error: {target}: the file already exists; not overwritten\n"
                   "  hint: edit it, or run 'registry init --force' to replace it with the starter file; "
                   "'registry schema --write DIR' refreshes only the providers.schema.json beside it\n")
    assert target.read_text(encoding="utf-8") == "version: 1\n# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["providers.yaml"]


def test_init_refuses_to_follow_a_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    link = tmp_path / "providers.yaml"
    link.symlink_to(victim)
    code, _, _ = run(capsys, "--config", str(link), "init")
    assert code == 1
    assert victim.read_text(encoding="utf-8") == "keep me"
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "nowhere")
    code, _, err = run(capsys, "--config", str(dangling), "init")
    assert code == 2  # not "the file already exists": a link to nothing, located like any bad path
    assert f"{dangling}: error: the file is a symbolic link to a missing file" in err
    assert not (tmp_path / "nowhere").exists()


def test_init_force_replaces_atomically(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "providers.yaml"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    code, out, _ = run(capsys, "--config", str(target), "init", "--force", "--json")
    assert code == 0
    assert json.loads(out) == {"path": str(target), "written": True, "schema": str(tmp_path / "providers.schema.json")}
    assert target.read_text(encoding="utf-8") == starter_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["providers.schema.json", "providers.yaml"]


def test_init_follows_provider_registry_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "deep" / "er" / "p.yaml"
    code, _, _ = run(capsys, "init", environ={"PROVIDER_REGISTRY_CONFIG": str(target)})
    assert code == 0
    assert target.is_file()
    assert stat.S_IMODE(target.parent.stat().st_mode) & 0o077 == 0


def test_init_into_a_directory_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, out, err = run(capsys, "--config", str(blocker / "providers.yaml"), "init")
    assert (code, out) == (2, "")
    assert err.startswith(f"registry: error: {blocker / 'providers.yaml'}: cannot write the file:")


def test_write_starter_does_not_clobber_a_file_that_appears(tmp_path: Path) -> None:
    target = tmp_path / "providers.yaml"
    write_starter(target)
    with pytest.raises(FileExistsError):
        write_starter(target)
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_starter(target)
    assert target.read_text(encoding="utf-8") == "mine"
    assert sorted(os.listdir(tmp_path)) == ["providers.schema.json", "providers.yaml"]


def test_init_refreshes_a_stale_schema_beside_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "providers.schema.json").write_text("{}", encoding="utf-8")
    code, _, _ = run(capsys, "--config", str(tmp_path / "providers.yaml"), "init")
    assert code == 0
    assert (tmp_path / "providers.schema.json").read_bytes() == schema_path().read_bytes()
    assert stat.S_IMODE((tmp_path / "providers.schema.json").stat().st_mode) & 0o022 == 0


def test_init_refuses_when_the_schema_place_is_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "providers.schema.json").mkdir()
    code, out, err = run(capsys, "--config", str(tmp_path / "providers.yaml"), "init")
    assert (code, out) == (2, "")
    assert err.startswith(f"{tmp_path / 'providers.schema.json'}: error: ")
    assert "directory" in err and "hint: move it away" in err and "Traceback" not in err
    assert not (tmp_path / "providers.yaml").exists()  # nothing written


def test_init_file_keeps_its_schema_when_the_environment_goes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Done-when of issue 14: the schema that line 1 names resolves relative to the file (as
    yaml-language-server resolves it) to a file in the config directory, outside any Python
    environment, with the installed schema's content."""
    import sys

    target = tmp_path / "cfg" / "providers.yaml"
    assert run(capsys, "--config", str(target), "init")[0] == 0
    first = target.read_text(encoding="utf-8").splitlines()[0]
    ref = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)[1]
    assert not os.path.isabs(ref) and "://" not in ref
    resolved = (target.parent / ref).resolve()
    assert resolved.is_file() and resolved.parent == target.parent.resolve()
    for environment in {sys.prefix, sys.base_prefix, str(Path(registry.__file__).parent)}:
        assert not resolved.is_relative_to(Path(environment).resolve())
    assert json.loads(resolved.read_text(encoding="utf-8")) == load_schema()
