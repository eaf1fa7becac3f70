"""Unit tests for registry.fsio: one verdict on whether a file can be read, strict UTF-8, and the
one atomic write (temp file with O_EXCL, fsync, rename or no-clobber link, cleanup on failure)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from registry.errors import ConfigError
from registry.fsio import (
    MALFORMED_PATH_RULES, MAX_BYTES, PATH_ECHO_LIMIT, atomic_write, check_path, check_size, decode_text, is_directory,
    is_regular_file, not_a_regular_file, path_issue, read_regular_file, shown_path,
)


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


# --- paths: one classification, one way to show them ------------------------------------------------

def test_shown_path_escapes_controls_and_undecodable_bytes() -> None:
    assert shown_path("/a/b.yaml") == "/a/b.yaml"
    assert shown_path(b"/a/\xff.yaml") == "/a/\\udcff.yaml"
    assert shown_path("/a/\x1b[31m\x07\x00.yaml") == "/a/\\x1b[31m\\x07\\x00.yaml"
    assert shown_path("/a/caf\u00e9.yaml") == "/a/caf\u00e9.yaml"  # printable non-ASCII stays
    assert shown_path(Path("/a/\ud800")) == "/a/\\ud800"
    assert shown_path("") == "''"


def test_shown_path_cuts_a_very_long_path_in_the_middle() -> None:
    path = "/" + "x" * 10_000 + "/end.yaml"
    shown = shown_path(path)
    assert len(shown) < PATH_ECHO_LIMIT + 40
    assert shown.startswith("/xxx") and shown.endswith("xx/end.yaml (10,010 characters)") and "..." in shown
    assert shown_path("/" + "y" * (PATH_ECHO_LIMIT - 1)) == "/" + "y" * (PATH_ECHO_LIMIT - 1)  # at the limit: whole


def _error_of(operation, *args) -> OSError | ValueError:
    try:
        operation(*args)
    except (OSError, ValueError) as exc:
        return exc
    raise AssertionError("no error")


@pytest.mark.parametrize(("make", "message", "hint", "rule"), [
    (lambda d: f"{d}/{'n' * 300}", "file name is longer than the file system allows (300 characters; limit 255)",
     "use a shorter file name", "name-too-long"),
    (lambda d: d + "/" + "\u00e9" * 200, "file name is longer than the file system allows (400 bytes; limit 255)",
     "use a shorter file name", "name-too-long"),
    (lambda d: f"{d}/{'p' * 256}/f.yaml", "file name is longer than the file system allows (256 characters; limit 255)",
     "use a shorter directory name than 'pppp", "name-too-long"),
    (lambda d: d + "/abcdefghi" * 500, "path is longer than the file system allows (", "use a shorter path",
     "path-too-long"),
    (lambda d: f"{d}/a\x00b", "path contains a NUL byte", "remove the NUL (\\x00) from the path", "nul-byte"),
    (lambda d: f"{d}/\ud800", "the path cannot be encoded for the file system (it holds a lone surrogate)",
     "write the path in UTF-8", "encoding"),
    (lambda d: "~no-such-user-provider-registry/f", "cannot expand '~no-such-user-provider-registry': no such user",
     "write the home directory out", "home"),
    (lambda d: f"{d}/missing.yaml", "file not found", "check the path", "not-found"),
], ids=["name", "name-in-bytes", "directory-name", "path", "nul", "surrogate", "unknown-user", "missing"])
def test_path_issue_names_the_broken_limit(tmp_path: Path, make, message: str, hint: str, rule: str) -> None:
    path = make(str(tmp_path))
    issue = path_issue(_error_of(os.stat, path), path)
    assert issue.message.startswith(message) and (issue.kind, issue.rule) == ("unreadable", rule)
    assert hint in (issue.hint or "")
    assert issue.path == shown_path(path) and issue.env_var is None
    assert path_issue(_error_of(os.open, path, os.O_RDONLY), path).rule == rule  # the same verdict for open
    located = path_issue(_error_of(os.stat, path), path, setting="PROVIDER_REGISTRY_CONFIG")
    assert located.env_var == ("PROVIDER_REGISTRY_CONFIG" if rule in MALFORMED_PATH_RULES else None)


def test_path_issue_names_the_file_a_path_runs_through(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_bytes(b"")
    path = str(tmp_path / "blocker" / "deeper" / "f.yaml")
    issue = path_issue(_error_of(os.stat, path), path)
    assert (issue.message, issue.rule) == ("a part of the path is not a directory", "not-a-directory")
    assert issue.hint == f"check the path: {tmp_path / 'blocker'} is a file, not a directory"


def test_path_issue_of_links(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    issue = path_issue(_error_of(os.stat, str(loop)), str(loop))
    assert (issue.message, issue.rule) == ("too many levels of symbolic links (a symbolic link loop?)", "symlink-loop")
    dangling = _broken_link(tmp_path)
    assert path_issue(_error_of(os.stat, str(dangling)), str(dangling)).rule == "dangling-link"


@pytest.mark.parametrize("path", ["", "a\x00b", "x" * 300, "/tmp/\ud800", "~no-such-user-provider-registry/x"])
def test_read_regular_file_refuses_a_malformed_path_without_raising_anything_else(path: str) -> None:
    issue = refusal(path).first
    assert issue.kind == "unreadable" and issue.rule in MALFORMED_PATH_RULES and issue.hint
    if "\ud800" not in path:  # the bytes form gets the same verdict
        assert refusal(os.fsencode(path)).first.rule == issue.rule  # type: ignore[arg-type]


def test_check_path_flags_only_malformed_paths(tmp_path: Path) -> None:
    assert check_path(tmp_path / "missing.yaml") is None  # missing is fine: init creates it
    assert check_path(tmp_path) is None  # a directory is the reader's business
    assert check_path("") is not None and check_path("").rule == "empty-path"  # type: ignore[union-attr]
    issue = check_path("a\x00b", setting="PROVIDER_REGISTRY_CONFIG")
    assert issue is not None and (issue.rule, issue.location) == ("nul-byte", "env PROVIDER_REGISTRY_CONFIG")


def test_the_never_raising_predicates(tmp_path: Path) -> None:
    for path in ("a\x00b", "x" * 5000, "/tmp/\ud800", str(tmp_path / "missing")):
        assert not is_regular_file(path) and not is_directory(path)
    assert is_directory(tmp_path) and not is_regular_file(tmp_path)
    assert not_a_regular_file(tmp_path / "missing") is None
    assert not_a_regular_file(tmp_path).message == "expected a YAML file, found a directory"  # type: ignore[union-attr]
