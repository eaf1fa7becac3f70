"""Reading a configuration file safely and writing any file atomically: one home for each.

Reading: ``read_regular_file`` is the one verdict on whether a file can be read at all. A file
that is missing, not readable, a directory, a FIFO or a device, too large, or fails with any OS
error raises ``ConfigError`` with ``kind="unreadable"``; the CLI exits 2 for those, and 1 for a
file that was read but is wrong. Opening never blocks (a FIFO with no writer would hang ``load``)
and never reads more than ``MAX_BYTES + 1`` bytes. ``decode_text`` turns the bytes into text
under strict UTF-8; its problems are ``kind="syntax"``, like the YAML reader's.

Paths: a path given by a user (``config_path=``, ``--config``, ``PROVIDER_REGISTRY_CONFIG``, a
platformdirs directory built from ``XDG_CONFIG_HOME``) may be empty, hold a NUL byte or bytes that
are not UTF-8, be longer than the file system allows, or run through a file or a symlink loop.
``path_issue`` is the one place that turns the ``OSError`` or ``ValueError`` of a path operation
into an ``unreadable`` Issue with an errno-specific message, a hint and a ``rule``;
``shown_path`` is the one way a message shows a path (controls and undecodable bytes escaped,
a very long path cut in the middle), so printing a path can never fail or drive the terminal.

Writing: ``atomic_write`` is the only way the package writes a file. Readers see the old file or
the whole new one: the data goes to a temporary file created with ``O_EXCL`` in the same directory
(so the final rename stays on one file system), is flushed to disk, and is renamed over the target,
or hard-linked to it when the target must not be replaced. On any failure the temporary file is
removed and the error propagates.
"""

from __future__ import annotations

import errno
import os
import stat

from .errors import ConfigError
from .issues import Issue
from .text import escape_controls, quoted

__all__ = [
    "MALFORMED_PATH_RULES", "MAX_BYTES", "NOTHING_THERE_RULES", "PATH_ECHO_LIMIT", "atomic_write", "check_path",
    "check_size", "decode_text", "fs_text", "is_directory", "is_regular_file", "not_a_regular_file", "path_issue", "read_regular_file",
    "shown_path",
]

MAX_BYTES = 1024 * 1024  # a providers file is a few kilobytes; 10,000 providers fit in well under this
_CHUNK = 65536


def read_regular_file(path: str | bytes | os.PathLike[str] | os.PathLike[bytes], shown: str | None = None,
                      *, setting: str | None = None) -> bytes:
    """The bytes of the regular file ``path`` (at most MAX_BYTES); ConfigError with an
    ``unreadable`` Issue located at ``shown`` (default: ``shown_path(path)``) otherwise.

    ``setting`` names the environment variable the path came from: a path that is malformed
    in itself (see ``MALFORMED_PATH_RULES``) is then located at that variable.
    """
    target = fs_text(path)
    shown = shown_path(target) if shown is None else shown
    try:
        if not target:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), target)
        # O_NONBLOCK: opening a FIFO must not block waiting for a writer.
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as exc:
        raise ConfigError(path_issue(exc, target, shown, setting=setting)) from None
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


# --- paths -----------------------------------------------------------------------------------------

# How much of a path a message shows: a PATH_MAX path (4,096 bytes) or a 10 MB variable is cut.
PATH_ECHO_LIMIT = 512

# Rules of a path that is wrong in itself, whatever is on disk: located at the setting that gave it.
MALFORMED_PATH_RULES = frozenset({"empty-path", "nul-byte", "encoding", "name-too-long", "path-too-long", "home"})
# Rules that mean nothing is at the path (an optional file is then simply absent).
NOTHING_THERE_RULES = frozenset({"not-found", "not-a-directory"})

_NAME_MAX, _PATH_MAX = 255, 4096  # when the file system does not say (pathconf)


def fs_text(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """``path`` as the str the ``os`` functions take: bytes are decoded as the OS does
    (``os.fsdecode``: bytes that are not UTF-8 become lone surrogates, and encode back)."""
    return os.fsdecode(os.fspath(path))


def shown_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """How a message shows ``path``: decoded, every control character and undecodable byte
    escaped (``\\x1b``, ``\\udcff``), and cut in the middle past ``PATH_ECHO_LIMIT`` characters,
    so printing it never fails and never drives the terminal. The empty path is shown as ``''``."""
    text = fs_text(path)
    if not text:
        return "''"  # an empty path still needs something to stand at its place in a location
    if len(text) <= PATH_ECHO_LIMIT:
        return escape_controls(text)
    head, tail = text[: PATH_ECHO_LIMIT * 3 // 4], text[-(PATH_ECHO_LIMIT // 4):]
    return f"{escape_controls(head)}...{escape_controls(tail)} ({len(text):,} characters)"


def is_regular_file(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> bool:
    """``Path.is_file`` that never raises: False for a path that cannot even be looked up."""
    try:
        return stat.S_ISREG(os.stat(fs_text(path)).st_mode)
    except (OSError, ValueError):
        return False


def is_directory(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> bool:
    """``Path.is_dir`` that never raises."""
    try:
        return stat.S_ISDIR(os.stat(fs_text(path)).st_mode)
    except (OSError, ValueError):
        return False


def check_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes], *, setting: str | None = None) -> Issue | None:
    """The Issue when ``path`` is malformed in itself (``MALFORMED_PATH_RULES``: empty, a NUL
    byte, not encodable, too long, an unknown ``~user``), None otherwise; a missing file is fine.
    For a path that is about to be written (``registry init``) or shown, before anything is read."""
    target = fs_text(path)
    try:
        if not target:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), target)
        os.lstat(target)
    except (OSError, ValueError) as exc:
        issue = path_issue(exc, target, setting=setting)
        return issue if issue.rule in MALFORMED_PATH_RULES else None
    return None


def not_a_regular_file(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> Issue | None:
    """The Issue when something other than a regular file is at ``path`` (a directory, a FIFO,
    a dangling link, a link loop, a path through a file), None for a regular file or nothing."""
    target = fs_text(path)
    try:
        info = os.stat(target)
    except (OSError, ValueError) as exc:
        issue = path_issue(exc, target)
        return None if issue.rule == "not-found" else issue
    if stat.S_ISREG(info.st_mode):
        return None
    return _not_regular(shown_path(target), "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device").first


def path_issue(error: OSError | ValueError, path: str, shown: str | None = None, *,
               setting: str | None = None, writing: bool = False) -> Issue:
    """The one classification of a failed path operation (open, stat, mkdir) on ``path``: an
    ``unreadable`` Issue with an errno-specific message, a hint and a ``rule``. A malformed path
    given by the variable ``setting`` is located at that variable; ``writing`` says the failed
    operation was a write (a permission problem is then about the directory)."""
    message, hint, rule = _classify(error, path, writing)
    env_var = setting if setting is not None and rule in MALFORMED_PATH_RULES else None
    return Issue(message, path=shown_path(path) if shown is None else shown, hint=hint, kind="unreadable",
                 rule=rule, env_var=env_var)


def _classify(error: OSError | ValueError, path: str, writing: bool = False) -> tuple[str, str, str]:
    """(message, hint, rule) for ``error`` raised by an operation on ``path``."""
    if isinstance(error, UnicodeError):  # a lone surrogate that no byte stands for ('\\ud800')
        return ("the path cannot be encoded for the file system (it holds a lone surrogate)",
                "write the path in UTF-8; bytes from os.fsdecode() encode back, other surrogates do not",
                "encoding")
    if not isinstance(error, OSError):  # ValueError: embedded null byte
        return "path contains a NUL byte", "remove the NUL (\\x00) from the path", "nul-byte"
    code = error.errno
    if not path:
        return "the path is empty", "name a providers.yaml file, or leave the setting out for the default one", "empty-path"
    if code == errno.ENAMETOOLONG:
        return _too_long(path)
    if code == errno.ENOENT:
        if path.startswith("~"):
            user = path[1:].split(os.sep, 1)[0]
            return (f"cannot expand {quoted('~' + user)}: no such user", "write the home directory out "
                    "(or use '~/' for your own); a file really named '~...' needs a './' in front", "home")
        if os.path.islink(path):
            return ("the file is a symbolic link to a missing file", "point the link at an existing file, or remove it",
                    "dangling-link")
        return "file not found", "check the path, or run 'registry init' to create a starter file", "not-found"
    if code == errno.ENOTDIR:
        blocker = _first_non_directory(path)
        where = f"{shown_path(blocker)} is a file" if blocker else "a part of the path is a file"
        return ("a part of the path is not a directory", f"check the path: {where}, not a directory",
                "not-a-directory")
    if code in (errno.EACCES, errno.EPERM):
        closed = _first_unsearchable(path)
        if closed:
            return ("permission denied: a directory on the path cannot be searched",
                    f"make {shown_path(closed)} searchable by this user (chmod u+x)", "permission")
        if writing:
            return ("permission denied: the file or its directory cannot be written",
                    "check the directory's permissions", "permission")
        return ("permission denied: the file cannot be read", "make the file readable by this user (chmod 600)",
                "permission")
    if code == errno.ELOOP:
        return ("too many levels of symbolic links (a symbolic link loop?)",
                "check where each link on the path points (ls -l)", "symlink-loop")
    if code == errno.EISDIR:
        return "expected a YAML file, found a directory", "point the setting at a providers.yaml file", "regular-file"
    if code == errno.ENXIO:
        return ("expected a YAML file, found a FIFO, socket or device", "point the setting at a providers.yaml file",
                "regular-file")
    return (f"cannot open the file: {error.strerror or type(error).__name__}",
            "check the path and the file system it is on", "os-error")


def _too_long(path: str) -> tuple[str, str, str]:
    """Which limit ``path`` breaks: one name over NAME_MAX, or the whole over PATH_MAX (bytes)."""
    name_max, path_max = _limits(path)
    for part in path.split(os.sep):
        size = len(os.fsencode(part))
        if size > name_max:
            unit = "characters" if size == len(part) else "bytes"
            last = part == os.path.basename(path)
            hint = "use a shorter file name" if last else \
                f"use a shorter directory name than {quoted(part, 40)}"
            return (f"file name is longer than the file system allows ({size:,} {unit}; limit {name_max})",
                    hint, "name-too-long")
    size = len(os.fsencode(path))
    unit = "characters" if size == len(path) else "bytes"
    return (f"path is longer than the file system allows ({size:,} {unit}; limit {path_max})",
            "use a shorter path (a relative one, or a symbolic link to the directory)", "path-too-long")


def _limits(path: str) -> tuple[int, int]:
    """NAME_MAX and PATH_MAX of the file system the path's nearest existing directory is on."""
    directory = os.path.dirname(path) or "."
    while directory and not is_directory(directory) and os.path.dirname(directory) != directory:
        directory = os.path.dirname(directory)
    limits = []
    for name, fallback in (("PC_NAME_MAX", _NAME_MAX), ("PC_PATH_MAX", _PATH_MAX)):
        try:
            limits.append(int(os.pathconf(directory or ".", name)))
        except (OSError, ValueError, AttributeError):
            limits.append(fallback)
    return limits[0], limits[1]


def _ancestors(path: str) -> list[str]:
    """``/a/b/c`` -> ``['/a', '/a/b']``: the directories the path runs through, outermost first."""
    found, parent = [], os.path.dirname(path)
    while parent and parent != os.path.dirname(parent):
        found.append(parent)
        parent = os.path.dirname(parent)
    return found[::-1]


def _first_non_directory(path: str) -> str | None:
    for ancestor in _ancestors(path):
        try:
            if not stat.S_ISDIR(os.stat(ancestor).st_mode):
                return ancestor
        except (OSError, ValueError):
            return None
    return None


def _first_unsearchable(path: str) -> str | None:
    for ancestor in _ancestors(path):
        try:
            if not os.access(ancestor, os.X_OK):
                return ancestor
        except (OSError, ValueError):
            return None
    return None


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
