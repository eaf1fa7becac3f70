"""Reading a configuration file safely and writing any file atomically: one home for each.

Reading: ``read_regular_file`` is the one verdict on whether a file can be read at all. A file
that is missing, not readable, a directory, a FIFO or a device, too large, or fails with any OS
error raises ``ConfigError`` with ``kind="unreadable"``; the CLI exits 2 for those, and 1 for a
file that was read but is wrong. Opening never blocks (a FIFO with no writer would hang ``load``)
and never reads more than ``MAX_BYTES + 1`` bytes. ``decode_text`` turns the bytes into text
under strict UTF-8; its problems are ``kind="syntax"``, like the YAML reader's.

Writing: ``atomic_write`` is the only way the package writes a file. Readers see the old file or
the whole new one: the data goes to a temporary file created with ``O_EXCL`` in the same directory
(so the final rename stays on one file system), is flushed to disk, and is renamed over the target,
or hard-linked to it when the target must not be replaced. On any failure the temporary file is
removed and the error propagates.
"""

from __future__ import annotations

import os
import stat

from .errors import ConfigError
from .issues import Issue

__all__ = ["MAX_BYTES", "atomic_write", "check_size", "decode_text", "read_regular_file"]

MAX_BYTES = 1024 * 1024  # a providers file is a few kilobytes; 10,000 providers fit in well under this
_CHUNK = 65536


def read_regular_file(path: str | os.PathLike[str], shown: str | None = None) -> bytes:
    """The bytes of the regular file ``path`` (at most MAX_BYTES); ConfigError with an
    ``unreadable`` Issue located at ``shown`` (default: the path) otherwise."""
    shown = os.fspath(path) if shown is None else shown
    try:
        # O_NONBLOCK: opening a FIFO must not block waiting for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _unreadable(shown, "file not found", "check the path, or run 'registry init' to create a starter file") from None
    except IsADirectoryError:
        raise _not_regular(shown, "a directory") from None
    except PermissionError:
        raise _unreadable(shown, "permission denied: the file cannot be read", "make the file readable by this user (chmod 600)") from None
    except OSError as exc:
        raise _unreadable(shown, f"cannot open the file: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise _not_regular(shown, "a directory")
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(shown, "a FIFO, socket or device")
        check_size(info.st_size, shown)
        chunks = []
        remaining = MAX_BYTES + 1  # one byte more than allowed: a file that grew is caught too
        while remaining > 0:
            chunk = os.read(fd, min(remaining, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        check_size(len(data), shown)
        return data
    except OSError as exc:
        raise _unreadable(shown, f"cannot read the file: {exc.strerror}") from None
    finally:
        os.close(fd)


def check_size(size: int, shown: str) -> None:
    """ConfigError (``unreadable``) when ``size`` bytes (or characters) exceed MAX_BYTES."""
    if size > MAX_BYTES:
        raise ConfigError(Issue(f"file is larger than {MAX_BYTES} bytes", path=shown, kind="unreadable", rule="max-bytes",
                                hint="a providers file is a few kilobytes; check that this is the right file"))


def _unreadable(shown: str, message: str, hint: str | None = None) -> ConfigError:
    return ConfigError(Issue(message, path=shown, hint=hint, kind="unreadable"))


def _not_regular(shown: str, what: str) -> ConfigError:
    return ConfigError(Issue(f"expected a YAML file, found {what}", path=shown, kind="unreadable", rule="regular-file",
                             hint="point the setting at a providers.yaml file"))


def decode_text(data: bytes, shown: str) -> str:
    """Strict UTF-8 (a BOM is allowed); a bad byte is reported with its line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ConfigError(Issue("the file is UTF-16 or UTF-32 (it starts with a byte-order mark), not UTF-8",
                                path=shown, line=1, column=1, hint="save the file as UTF-8", kind="syntax", rule="utf-8"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise ConfigError(Issue(
            f"invalid UTF-8: byte 0x{data[exc.start]:02x} cannot be decoded",
            path=shown, line=line, column=column,
            hint="save the file as UTF-8", kind="syntax", rule="utf-8",
        )) from None
    if "\x00" in text:
        head = text[: text.index("\x00")]
        line, column = head.count("\n") + 1, len(head) - (head.rfind("\n") + 1) + 1
        raise ConfigError(Issue("NUL character in file", path=shown, line=line, column=column, kind="syntax", rule="no-nul",
                                hint="the file looks binary or UTF-16; save it as UTF-8 text"))
    return text


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o600, replace: bool = True,
                 durable: bool = True) -> None:
    """Put ``data`` at ``path`` in one step: readers see the old file or the new one, never part.

    ``mode`` is the new file's mode, less the umask (as for ``open(2)``). With ``replace=False``
    an existing ``path`` is never clobbered, not even one that appears during the write:
    FileExistsError instead. ``durable=False`` skips the fsync, for files whose loss in a crash
    costs nothing (a torn validation-cache entry fails its MAC and is a miss).
    """
    target = os.fspath(path)
    directory, name = os.path.split(target)
    temp = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(temp, target)
        else:
            _link_no_clobber(temp, target)
    finally:
        try:
            os.unlink(temp)  # still there after a failure, or as the second name of a linked file
        except FileNotFoundError:
            pass


def _link_no_clobber(temp: str, target: str) -> None:
    """Publish ``temp`` at ``target`` only if nothing is there (FileExistsError otherwise)."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise FileExistsError(target) from None
    except OSError:
        # File systems without hard links: fall back to check-then-rename.
        if os.path.lexists(target):
            raise FileExistsError(target) from None
        os.replace(temp, target)
