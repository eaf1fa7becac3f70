"""The validation cache: remembers that exact file content already passed the schema check.

Importing jsonschema and running it costs far more than everything else ``load`` does, and the
built-in file never changes for an installed version; a user file rarely changes. So once a file's
bytes parse and pass the schema with no issue at all, an entry is written to the platform cache
directory, and the next ``load`` of the same bytes skips the schema check (and, when the entry
holds the parsed document, YAML parsing too).

Rules that keep the cache from ever letting an invalid file through:

- the entry is looked up by a key hashed over the file's bytes *and* everything that decides
  validity: the schema text, the package version, the name, size and modification time of every
  module of this package (no list of "the modules that decide a verdict" to forget when code
  moves), and the same stamp of the installed PyYAML and jsonschema; any change is a miss;
- an entry is written only for a file with no issue, and read back only when its MAC (keyed BLAKE2b, by a
  random per-user key kept next to the entries) verifies and the key it names is the key asked for:
  a truncated, corrupt, stale, copied or hand-edited entry is a miss, and a miss re-validates;
- any error while reading, decoding or writing is a miss or a no-op, never an exception: a
  read-only or broken cache directory must not break ``load``;
- entries are written atomically (``fsio.atomic_write``), files ``0600`` in a ``0700`` dir.

Secrets: the parsed document of a user file may hold an inline ``api_key``, header values or a
base URL with a password (``secrets.holds_secrets`` decides). Such a document is never stored: its
entry records only the verdict, so that file is parsed again on each ``load`` but not
schema-checked again (the expensive part). Placeholder keys such as ``ollama`` are not secrets
(see ``secrets.is_placeholder_key``), so the built-in file's document is stored whole. Someone who
can read *and* write your cache directory can forge an entry; they could as well edit your config
file.

Other records (what servers serve, ``discovery``) are kept as signed JSON entries in a named
subdirectory of the cache directory (``read_json_entry`` / ``write_json_entry``), under the same
rules: the directory and every file owned by this user and not writable by group or others, no
link followed, reads capped, writes atomic, each entry signed with the same per-user key (bound to
its subdirectory and name, so an entry copied to another name is a miss), and any doubt a miss.

Set ``PROVIDER_REGISTRY_NO_CACHE`` to any non-empty value to turn the cache off.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

try:  # hashlib's blake2b without hashlib, which loads OpenSSL (~5 ms at every start-up)
    from _blake2 import blake2b
    from _operator import _compare_digest as compare_digest
except ImportError:  # pragma: no cover - not CPython
    from hashlib import blake2b  # type: ignore[assignment]
    from hmac import compare_digest  # type: ignore[no-redef]

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any, Mapping


from .fsio import atomic_write
from .paths import schema_path
from .secrets import holds_secrets
from .values import Frozen
from .version import VERSION
from .yamlfile import Document

__all__ = [
    "DISCOVERY_SUBDIRECTORY", "MAX_ENTRIES", "MAX_ENTRY_BYTES", "MAX_JSON_ENTRIES", "MAX_JSON_ENTRY_BYTES", "NO_CACHE_ENV", "CachedVerdict",
    "UntrustedCache", "ValidationCache", "cache_directory", "cache_enabled", "content_key", "has_entries", "open_validation_cache",
    "read_json_entry", "untrusted_reason", "write_json_entry",
]

CACHE_FORMAT = 3  # 3: a document that holds secrets is never stored (2 stored where they lie in the file)
NO_CACHE_ENV = "PROVIDER_REGISTRY_NO_CACHE"
MAX_ENTRIES = 64  # old entries (edited files) are pruned beyond this; each is a few kilobytes
# The most bytes read from (or written to) one entry: a verdict is ~200 bytes, the built-in file's
# document ~8 KB. A larger document is stored as the verdict alone; a larger file on disk is a miss.
MAX_ENTRY_BYTES = 256 * 1024
# JSON entries (``read_json_entry``): a record of 1,000 served models is a few hundred kilobytes.
MAX_JSON_ENTRY_BYTES = 4 * 1024 * 1024
MAX_JSON_ENTRIES = 1024  # per subdirectory; the oldest are pruned beyond this
_JSON_SUFFIX = ".json"
_KEY_FILE = "mac.key"
_KEY_BYTES = 32
_SUFFIX = ".entry"
_PACKAGE_DIR = Path(__file__).resolve().parent


class CachedVerdict(Frozen):
    """A verified cache hit: this content passed. ``document`` is None when only the verdict was
    stored (the file holds secrets), so the caller parses the file but skips the schema check."""

    __slots__ = ("document",)
    document: Document | None


@lru_cache(maxsize=1)
def _checker_fingerprint() -> bytes:
    """Everything besides the file that decides whether it is valid, hashed once per process."""
    digest = blake2b(f"provider-registry validation cache {CACHE_FORMAT}\0".encode())
    digest.update(VERSION.encode() + b"\0")
    digest.update(schema_path().read_bytes() + b"\0")
    digest.update(_source_stamp(str(_PACKAGE_DIR)) + b"\0")
    for package in ("yaml", "jsonschema"):  # an upgrade of either may parse or judge differently
        digest.update(_installed_stamp(package) + b"\0")
    return digest.digest()


def _source_stamp(directory: str) -> bytes:
    """The path, size and mtime of every module under ``directory``: any edit or reinstall of any
    of them changes it. Stat'ing all (~0.1 ms) is as cheap as reading two, and needs no list of
    which modules decide a verdict; "-" for a zipped or stripped install (the version applies)."""
    stamps = []
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.endswith(".py"):
                    info = entry.stat()
                    stamps.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}\0".encode())
                elif entry.name != "__pycache__" and entry.is_dir():
                    stamps.append(_source_stamp(entry.path))
    except OSError:
        return b"-"
    return b"".join(sorted(stamps))


def _installed_stamp(package: str) -> bytes:
    """Where ``package`` is installed and its ``__init__.py``'s size and mtime, found without
    importing it (the point of the cache is not to): any reinstall or upgrade changes it."""
    for entry in sys.path:
        init = os.path.join(entry or ".", package, "__init__.py")
        try:
            info = os.stat(init)
        except OSError:
            continue
        return f"{init}:{info.st_size}:{info.st_mtime_ns}".encode()
    return b"-"


def content_key(data: bytes) -> str:
    """The cache key of a file's bytes under the current schema and checker."""
    return blake2b(_checker_fingerprint() + data, digest_size=32).hexdigest()


class ValidationCache(Frozen):
    """Entries in ``directory``, one per validated content key, each signed with the local key."""

    __slots__ = ("directory",)
    directory: Path

    def recall(self, data: bytes, shown: str) -> CachedVerdict | None:
        """The verdict for exactly these bytes, or None (a miss) for anything but a verified entry."""
        try:
            with _TrustedDirectory(self.directory) as trusted:
                mac_key = trusted.mac_key()
                if mac_key is None:
                    return None
                key = content_key(data)
                raw = trusted.read(key + _SUFFIX, MAX_ENTRY_BYTES)
            if raw is None:
                return None
            mac, newline, payload = raw.partition(b"\n")
            if not newline or not compare_digest(mac, _sign(mac_key, payload)):
                return None
            entry = json.loads(payload)
            if entry.get("format") != CACHE_FORMAT or entry.get("key") != key or entry.get("ok") is not True:
                return None
            stored = entry.get("document")
            return CachedVerdict(None if stored is None else _decode_document(stored, shown))
        except Exception:  # a cache must never break load: anything unexpected is a miss
            return None

    def remember(self, data: bytes, document: Document) -> None:
        """Record that ``data`` passed with no issue. Call only for a file with no issue at all."""
        try:
            with _TrustedDirectory(self.directory, create=True) as trusted:
                mac_key = trusted.mac_key(create=True)
            if mac_key is None:
                return
            key = content_key(data)
            entry: dict[str, Any] = {"format": CACHE_FORMAT, "key": key, "ok": True, "document": None}
            if not holds_secrets(document.data):  # keys stay out of the entry: then only the verdict
                entry["document"] = _encode_document(document)
            try:
                payload = json.dumps(entry, allow_nan=False, separators=(",", ":")).encode()
            except (TypeError, ValueError):  # a value JSON cannot hold (a date): keep the verdict only
                entry["document"] = None
                payload = json.dumps(entry, separators=(",", ":")).encode()
            if len(payload) + 65 > MAX_ENTRY_BYTES:  # a huge document: the verdict alone still skips the check
                entry["document"] = None
                payload = json.dumps(entry, separators=(",", ":")).encode()
            # No fsync: an entry torn by a crash fails its MAC and is a miss.
            atomic_write(self.directory / (key + _SUFFIX), _sign(mac_key, payload) + b"\n" + payload, durable=False)
            self._prune()
        except Exception:  # an unwritable, full or untrusted cache directory only costs speed
            return

    def _prune(self) -> None:
        _prune(self.directory, _SUFFIX, MAX_ENTRIES)


class UntrustedCache(Exception):
    """The cache directory or its key file may have been written by someone else: not used."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
_DIR_FLAGS = _READ_FLAGS | getattr(os, "O_DIRECTORY", 0)


def _euid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None  # no owners to check on Windows


def _check_owner_and_mode(info: os.stat_result, what: str, shown: str, fix: str) -> None:
    """UntrustedCache unless ``info`` is owned by this user and not writable by group or others."""
    euid = _euid()
    if euid is not None and info.st_uid != euid:
        raise UntrustedCache(f"{what} {shown} is owned by another user (uid {info.st_uid})",
                             f"remove it ({fix}); it is rebuilt, owned by you")
    if euid is not None and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        whom = "others" if info.st_mode & stat.S_IWOTH else "its group"
        raise UntrustedCache(f"{what} {shown} is writable by {whom} (mode {stat.S_IMODE(info.st_mode):04o})",
                             f"chmod {'700' if what.endswith('directory') else '600'} {shown}, or remove it ({fix})")


class _TrustedDirectory:
    """The cache directory, opened once without following a link and checked (owner, mode)
    before anything in it is read; files are then opened relative to that descriptor, so a
    directory swapped after the check is never read. Entering raises UntrustedCache for an
    untrusted directory; a missing one reads as empty (or is created with ``create``)."""

    def __init__(self, directory: Path, *, create: bool = False) -> None:
        self.directory = directory
        self.create = create
        self.fd: int | None = None

    def __enter__(self) -> _TrustedDirectory:
        shown = str(self.directory)
        try:
            self.fd = os.open(self.directory, _DIR_FLAGS)
        except FileNotFoundError:
            if not self.create:
                return self
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.fd = os.open(self.directory, _DIR_FLAGS)
        except OSError as exc:
            if os.path.islink(self.directory):
                raise UntrustedCache(f"cache directory {shown} is a symbolic link",
                                     f"remove the link (rm {shown}); the cache is rebuilt as a directory") from None
            raise UntrustedCache(f"cache directory {shown} cannot be opened ({exc.strerror})",
                                 f"remove it (rm -r {shown}); it is rebuilt") from None
        info = os.fstat(self.fd)
        if not stat.S_ISDIR(info.st_mode):
            raise UntrustedCache(f"cache directory {shown} is not a directory", f"remove it (rm {shown})")
        _check_owner_and_mode(info, "cache directory", shown, f"rm -r {shown}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)

    def read(self, name: str, limit: int) -> bytes | None:
        """The bytes of regular file ``name`` in the directory, or None when it is missing or
        larger than ``limit``; never follows a link, never blocks (a FIFO), never reads more
        than ``limit + 1`` bytes (``/dev/zero``). UntrustedCache for a planted link or non-file."""
        if self.fd is None:
            return None
        shown = str(self.directory / name)
        try:
            fd = os.open(name, _READ_FLAGS, dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UntrustedCache(f"cache file {shown} is a symbolic link", f"remove it (rm {shown})") from None
            raise
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise UntrustedCache(f"cache file {shown} is not a regular file", f"remove it (rm {shown})")
            _check_owner_and_mode(info, "cache file", shown, f"rm {shown}")
            if info.st_size > limit:
                return None
            data = os.read(fd, limit + 1)
            return data if len(data) <= limit else None
        finally:
            os.close(fd)

    def mac_key(self, *, create: bool = False) -> bytes | None:
        """The local MAC key, exactly ``_KEY_BYTES`` long, or None (nothing cached yet)."""
        secret = self.read(_KEY_FILE, _KEY_BYTES)
        if secret is None and create:
            if self.fd is None:
                return None
            try:
                atomic_write(self.directory / _KEY_FILE, os.urandom(_KEY_BYTES), replace=False)
            except FileExistsError:  # written by a concurrent load: use that one
                pass
            secret = self.read(_KEY_FILE, _KEY_BYTES)
        if secret is not None and len(secret) != _KEY_BYTES:
            shown = str(self.directory / _KEY_FILE)
            raise UntrustedCache(f"cache key file {shown} is not {_KEY_BYTES} bytes long", f"remove it (rm {shown})")
        return secret


DISCOVERY_SUBDIRECTORY = "discovered"  # what servers serve (discovery.py), beside the validation entries


def has_entries(app_name: str, subdirectory: str) -> bool:
    """Whether ``subdirectory`` of the cache exists at all: one stat, so a reader can skip
    importing what reads it when nothing was ever stored (trust is checked when it reads)."""
    return os.path.isdir(cache_directory(app_name) / subdirectory)


def cache_directory(app_name: str) -> Path:
    """Where the validation cache of ``app_name`` keeps its entries (not created)."""
    from .paths import user_cache_dir

    return user_cache_dir(app_name) / "validated"


def untrusted_reason(directory: Path) -> UntrustedCache | None:
    """Why the cache in ``directory`` is not used (owner, mode, a link or a non-file where the
    directory or key file should be), or None when it is used (or not created yet)."""
    try:
        with _TrustedDirectory(directory) as trusted:
            trusted.mac_key()
    except UntrustedCache as problem:
        return problem
    except Exception:  # an unreadable cache is only a miss, not a trust problem
        return None
    return None


def open_validation_cache(app_name: str, environ: Mapping[str, str]) -> ValidationCache | None:
    """The cache for ``app_name`` in the platform cache directory; None when turned off."""
    if not cache_enabled(environ):
        return None
    try:
        return ValidationCache(cache_directory(app_name))
    except Exception:  # no usable home directory: run without a cache
        return None


def cache_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """False when ``PROVIDER_REGISTRY_NO_CACHE`` is set (in ``environ``, default ``os.environ``)."""
    return not (os.environ if environ is None else environ).get(NO_CACHE_ENV, "").strip()


def _json_entry_path(app_name: str, subdirectory: str, name: str) -> tuple[Path, Path, str]:
    """The cache directory (which holds the key), the entry's subdirectory, and its file name.
    ValueError for a name that could leave the subdirectory: only the caller's own, safe names."""
    for part in (subdirectory, name):
        if not part or part.startswith(".") or not all(c.isascii() and (c.isalnum() or c in "-_.") for c in part):
            raise ValueError(f"not a cache entry name: {part!r}")
    top = cache_directory(app_name)
    return top, top / subdirectory, name + _JSON_SUFFIX


def _json_mac(mac_key: bytes, subdirectory: str, name: str, payload: bytes) -> bytes:
    """The MAC of a JSON entry, bound to where it lives: never equal to a verdict entry's MAC."""
    return _sign(mac_key, f"json entry\0{subdirectory}\0{name}\0".encode() + payload)


def read_json_entry(app_name: str, subdirectory: str, name: str, *,
                    environ: Mapping[str, str] | None = None) -> Any | None:
    """The JSON value stored as ``name`` in ``subdirectory`` of ``app_name``'s cache, or None (a miss)
    for anything but an entry signed with this user's key in a trusted directory; never raises
    (but ValueError for a malformed ``name``). None as well when the cache is turned off."""
    top, directory, file_name = _json_entry_path(app_name, subdirectory, name)
    if not cache_enabled(environ):
        return None
    try:
        with _TrustedDirectory(top) as trusted:
            mac_key = trusted.mac_key()
        if mac_key is None:
            return None
        with _TrustedDirectory(directory) as trusted:
            raw = trusted.read(file_name, MAX_JSON_ENTRY_BYTES)
        if raw is None:
            return None
        mac, newline, payload = raw.partition(b"\n")
        if not newline or not compare_digest(mac, _json_mac(mac_key, subdirectory, name, payload)):
            return None
        return json.loads(payload)
    except Exception:  # untrusted, unreadable or corrupt: a miss, never an error
        return None


def write_json_entry(app_name: str, subdirectory: str, name: str, value: Any, *,
                     environ: Mapping[str, str] | None = None) -> bool:
    """Store ``value`` (plain JSON: never a key or a header value) as ``name``; True when written.
    A read-only, full or untrusted cache directory, or a turned-off cache, only returns False."""
    top, directory, file_name = _json_entry_path(app_name, subdirectory, name)
    if not cache_enabled(environ):
        return False
    try:
        payload = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=True).encode()
        if len(payload) + 65 > MAX_JSON_ENTRY_BYTES:
            return False
        with _TrustedDirectory(top, create=True) as trusted:
            mac_key = trusted.mac_key(create=True)
        if mac_key is None:
            return False
        with _TrustedDirectory(directory, create=True):  # checks owner and mode before writing into it
            pass
        atomic_write(directory / file_name, _json_mac(mac_key, subdirectory, name, payload) + b"\n" + payload,
                     durable=False)
        _prune(directory, _JSON_SUFFIX, MAX_JSON_ENTRIES)
        return True
    except Exception:
        return False


def _prune(directory: Path, suffix: str, keep: int) -> None:
    """Delete the oldest files ending in ``suffix`` beyond ``keep``."""
    with os.scandir(directory) as found:
        entries = [e for e in found if e.name.endswith(suffix) and e.is_file(follow_symlinks=False)]
    if len(entries) <= keep:
        return
    entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
    for entry in entries[: len(entries) - keep]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _sign(mac_key: bytes, payload: bytes) -> bytes:
    """A keyed BLAKE2b MAC: BLAKE2 takes a key directly, so no HMAC construction is needed."""
    return blake2b(payload, key=mac_key, digest_size=32).hexdigest().encode()


def _encode_document(document: Document) -> dict[str, Any]:
    return {
        "data": document.data,
        "positions": [[list(p), line, column] for p, (line, column) in document.positions.items()],
        "key_positions": [[list(p), line, column] for p, (line, column) in document.key_positions.items()],
        "implicit": [[list(p), text] for p, text in document.implicit.items()],
    }


def _decode_document(stored: dict[str, Any], shown: str) -> Document:
    return Document(
        path=shown,
        data=stored["data"],
        positions=MappingProxyType({tuple(p): (line, column) for p, line, column in stored["positions"]}),
        key_positions=MappingProxyType({tuple(p): (line, column) for p, line, column in stored["key_positions"]}),
        implicit=MappingProxyType({tuple(p): text for p, text in stored["implicit"]}),
    )
