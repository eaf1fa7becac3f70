"""Unit tests for registry.fsio: one verdict on whether a file can be read, strict UTF-8, and the
one atomic write (temp file with O_EXCL, fsync, rename or no-clobber link, cleanup on failure)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from registry.errors import ConfigError
from registry.fsio import MAX_BYTES, atomic_write, check_size, decode_text, read_regular_file


def refusal(path: Path | str, shown: str | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        read_regular_file(path, shown)
    return info.value


# --- reading ---------------------------------------------------------------------------------------

def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"version: 1\n")
    assert read_regular_file(path) == b"version: 1\n"
    assert read_regular_file(str(path), "shown") == b"version: 1\n"


def test_a_file_of_exactly_max_bytes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"#" * MAX_BYTES)
    assert len(read_regular_file(path)) == MAX_BYTES


def _fifo(tmp_path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


def _broken_link(tmp_path: Path) -> Path:
    link = tmp_path / "broken"
    link.symlink_to(tmp_path / "nowhere")
    return link


def _directory(tmp_path: Path) -> Path:
    return tmp_path


def _big(tmp_path: Path) -> Path:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 1))
    return path


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "missing.yaml"


def _device(tmp_path: Path) -> Path:
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    return Path("/dev/null")


@pytest.mark.parametrize(("make", "message", "hint", "rule"), [
    (_missing, "file not found", "check the path, or run 'registry init' to create a starter file", "not-found"),
    (_broken_link, "the file is a symbolic link to a missing file", "point the link at an existing file, or remove it",
     "dangling-link"),
    (_directory, "expected a YAML file, found a directory", "point the setting at a providers.yaml file", "regular-file"),
    (_fifo, "expected a YAML file, found a FIFO, socket or device", "point the setting at a providers.yaml file", "regular-file"),
    (_device, "expected a YAML file, found a FIFO, socket or device", "point the setting at a providers.yaml file", "regular-file"),
    (_big, f"file is larger than {MAX_BYTES} bytes", "a providers file is a few kilobytes; check that this is the right file", "max-bytes"),
], ids=["missing", "broken-symlink", "directory", "fifo", "device", "too-large"])
def test_whatever_cannot_be_read_is_one_unreadable_issue(tmp_path: Path, make, message: str, hint: str,
                                                         rule: str | None) -> None:
    path = make(tmp_path)
    error = refusal(path, "shown.yaml")
    (issue,) = error.issues
    assert (issue.message, issue.hint, issue.kind, issue.rule) == (message, hint, "unreadable", rule)
    assert (issue.path, issue.line, issue.column) == ("shown.yaml", None, None)


def test_the_path_is_shown_when_no_name_is_given(tmp_path: Path) -> None:
    assert refusal(tmp_path / "missing.yaml").path == str(tmp_path / "missing.yaml")


def test_opening_a_fifo_does_not_block(tmp_path: Path) -> None:
    """No writer ever opens the FIFO: a blocking open would hang the test (and ``load``)."""
    assert refusal(_fifo(tmp_path)).issues[0].kind == "unreadable"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a chmod-000 file")
def test_permission_denied_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"version: 1\n")
    path.chmod(0)
    issue = refusal(path).issues[0]
    assert (issue.message, issue.kind) == ("permission denied: the file cannot be read", "unreadable")


def test_check_size() -> None:
    check_size(MAX_BYTES, "f")
    with pytest.raises(ConfigError) as info:
        check_size(MAX_BYTES + 1, "f")
    assert (info.value.first.kind, info.value.first.rule) == ("unreadable", "max-bytes")


# --- decoding --------------------------------------------------------------------------------------

def test_decode_text_strips_a_bom() -> None:
    assert decode_text(b"\xef\xbb\xbfa: 1\n", "f") == "a: 1\n"


@pytest.mark.parametrize(("data", "message", "line", "column"), [
    (b"a: caf\xe9\n", "invalid UTF-8: byte 0xe9 cannot be decoded", 1, 7),
    ("a: 1\n".encode("utf-16"), "the file is UTF-16 or UTF-32 (it starts with a byte-order mark), not UTF-8", 1, 1),
    (b"a: 1\nb: x\x00y\n", "NUL character in file", 2, 5),
])
def test_decoding_problems_are_located_syntax_issues(data: bytes, message: str, line: int, column: int) -> None:
    with pytest.raises(ConfigError) as info:
        decode_text(data, "f.yaml")
    issue = info.value.first
    assert (issue.message, issue.path, issue.line, issue.column, issue.kind) == (message, "f.yaml", line, column, "syntax")


# --- atomic writes ---------------------------------------------------------------------------------

def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_write_creates_a_private_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "out"
    atomic_write(target, b"data")
    assert target.read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    if os.name == "posix":
        assert mode_of(target) == 0o600


def test_atomic_write_replaces_by_default(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"old")
    atomic_write(target, b"new", durable=False)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_atomic_write_mode_is_less_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "shared", b"x", mode=0o666)
    finally:
        os.umask(old)
    assert mode_of(tmp_path / "shared") == 0o644


def test_no_clobber_refuses_an_existing_file_and_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError) as info:
        atomic_write(target, b"new", replace=False)
    assert str(info.value) == str(target)
    assert target.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_no_clobber_refuses_a_dangling_symlink(tmp_path: Path) -> None:
    link = _broken_link(tmp_path)
    with pytest.raises(FileExistsError):
        atomic_write(link, b"new", replace=False)
    assert not (tmp_path / "nowhere").exists()


def test_no_clobber_writes_a_new_file(tmp_path: Path) -> None:
    target = tmp_path / "out"
    atomic_write(target, b"new", replace=False)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_no_clobber_without_hard_links_falls_back_to_a_checked_rename(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: str, dst: str) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "out"
    atomic_write(target, b"new", replace=False)
    assert target.read_bytes() == b"new"
    with pytest.raises(FileExistsError):
        atomic_write(target, b"again", replace=False)
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_write_removes_the_temp_file_and_keeps_the_old_one(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out"
    target.write_bytes(b"old")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output error"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_durable_writes_fsync_and_others_do_not(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    atomic_write(tmp_path / "a", b"x")
    assert len(synced) == 1
    atomic_write(tmp_path / "b", b"x", durable=False)
    assert len(synced) == 1


def test_a_missing_directory_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "no" / "out", b"x")


def test_a_large_write_is_complete(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024)
    atomic_write(tmp_path / "big", data, durable=False)
    assert (tmp_path / "big").read_bytes() == data
