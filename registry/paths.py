"""Where the built-in file, the schema, the site and user files and the cache live. No other I/O
(the site file is looked for with ``lexists``).

An installed wheel carries ``providers.yaml`` and ``schema/providers.schema.json`` in
``registry/data/``; a source checkout (editable install, or tests run from the repo) finds them at
the repository root. Both places lay them out alike, so the built-in file's schema comment
(``./schema/providers.schema.json``) resolves in either.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .values import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping


__all__ = [
    "APP_NAME",
    "CONFIG_ENV",
    "PATH_SETTINGS",
    "SITE_CONFIG_ENV",
    "USER_FILE_NAME",
    "FileLocation",
    "UserFileLocation",
    "builtin_providers_path",
    "check_app_name",
    "find_site_file",
    "find_user_file",
    "given_path",
    "schema_path",
    "site_config_dirs",
    "user_cache_dir",
    "user_config_dir",
]

APP_NAME = "provider-registry"
CONFIG_ENV = "PROVIDER_REGISTRY_CONFIG"
SITE_CONFIG_ENV = "PROVIDER_REGISTRY_SITE_CONFIG"
# The variables that name a file: a malformed path in one is located at the variable.
PATH_SETTINGS = (CONFIG_ENV, SITE_CONFIG_ENV)
USER_FILE_NAME = "providers.yaml"  # also the site file's name, in the system config directory
_DEFAULT_XDG_CONFIG_DIRS = "/etc/xdg"
MAX_SITE_DIRS = 32  # of XDG_CONFIG_DIRS: each costs a stat, and real lists hold two or three

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_file(installed: str, in_checkout: str) -> Path:
    packaged = _PACKAGE_DIR / "data" / installed
    if packaged.is_file():
        return packaged
    return _PACKAGE_DIR.parent / in_checkout


def builtin_providers_path() -> Path:
    """The built-in ``providers.yaml`` shipped with the package."""
    return _data_file("providers.yaml", "providers.yaml")


def schema_path() -> Path:
    """The JSON Schema for providers files."""
    return _data_file("schema/providers.schema.json", "schema/providers.schema.json")


def check_app_name(app_name: str) -> str:
    """``app_name`` when it can name one directory; ValueError otherwise.

    It is joined to the platform's config and cache directories, so '', '..', a separator or a
    control character would point the registry somewhere else entirely.
    """
    if not isinstance(app_name, str) or app_name in ("", ".", "..") or not app_name.isprintable() \
            or any(char in app_name for char in "/\\"):
        raise ValueError(f"app name {app_name!r} must be one directory name "
                         "(not empty, '.' or '..'; no '/', '\\' or control characters)")
    return app_name


def user_config_dir(app_name: str = APP_NAME) -> Path:
    """The platform's per-user config directory for ``app_name`` (not created)."""
    import platformdirs  # deferred: costs a few ms at import

    return platformdirs.user_config_path(check_app_name(app_name))


def user_cache_dir(app_name: str = APP_NAME) -> Path:
    """The platform's per-user cache directory for ``app_name`` (not created)."""
    import platformdirs

    return platformdirs.user_cache_path(check_app_name(app_name))


class FileLocation(Frozen):
    """Which file a layer reads and why: ``reason`` is ``config_path``, the env var name, ``default``
    (the user config directory) or ``system`` (the system config directory).

    ``path`` is the path as the ``os`` functions take it (a str; bytes that were not UTF-8 are
    lone surrogates, as ``os.fsdecode`` makes them), with ``~`` expanded where it can be. It is
    kept exactly as given otherwise, even when empty or malformed: reading it says what is wrong.
    """

    __slots__ = ("path", "reason")
    path: str
    reason: str

    @property
    def explicit(self) -> bool:
        """A file named on purpose must exist; one found in a platform directory may be absent."""
        return self.reason not in ("default", "system")


UserFileLocation = FileLocation  # the name before the site layer shared it


def find_user_file(app_name: str = APP_NAME,
                   config_path: str | bytes | os.PathLike[str] | os.PathLike[bytes] | None = None,
                   environ: Mapping[str, str] | None = None) -> FileLocation:
    """Pick the user file: explicit ``config_path`` > ``PROVIDER_REGISTRY_CONFIG`` > platform default."""
    if config_path is not None:
        return FileLocation(given_path(config_path), "config_path")
    named = (environ or {}).get(CONFIG_ENV, "")
    if named.strip():
        return FileLocation(_expanded(named.strip()), CONFIG_ENV)
    return FileLocation(str(user_config_dir(app_name) / USER_FILE_NAME), "default")


def site_config_dirs(app_name: str = APP_NAME, environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """The system config directories for ``app_name``, most important first (not created).

    On Linux and other XDG systems they come from ``XDG_CONFIG_DIRS`` in ``environ`` (default
    ``/etc/xdg``; relative entries are ignored, as the XDG spec says, and only the first
    ``MAX_SITE_DIRS`` are looked at); elsewhere from platformdirs
    (``/Library/Application Support`` on macOS, ``C:\\ProgramData`` on Windows).
    """
    name = check_app_name(app_name)
    if sys.platform in ("win32", "darwin"):
        import platformdirs

        return (platformdirs.site_config_path(name),)
    raw = (environ or {}).get("XDG_CONFIG_DIRS", "").strip() or _DEFAULT_XDG_CONFIG_DIRS
    entries = [entry for entry in raw.split(os.pathsep) if os.path.isabs(entry)][:MAX_SITE_DIRS]
    dirs = tuple(Path(entry) / name for entry in entries)
    return dirs or (Path(_DEFAULT_XDG_CONFIG_DIRS) / name,)


def find_site_file(app_name: str = APP_NAME, environ: Mapping[str, str] | None = None) -> FileLocation:
    """Pick the operator's site file: ``PROVIDER_REGISTRY_SITE_CONFIG`` > the first system config
    directory holding ``providers.yaml`` > the first system config directory (absent)."""
    named = (environ or {}).get(SITE_CONFIG_ENV, "")
    if named.strip():
        return FileLocation(_expanded(named.strip()), SITE_CONFIG_ENV)
    candidates = [directory / USER_FILE_NAME for directory in site_config_dirs(app_name, environ)]
    found = next((path for path in candidates if os.path.lexists(path)), candidates[0])
    return FileLocation(str(found), "system")


def given_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A path an API caller passed, as the ``os`` functions take it: decoded, ``~`` expanded."""
    return _expanded(os.fsdecode(os.fspath(path)))


def _expanded(path: str) -> str:
    """``~`` and ``~user`` expanded; unchanged when there is no such user (``Path.expanduser``
    raises then) or the path holds a NUL byte: the reader reports it."""
    if not path.startswith("~") or "\x00" in path:
        return path
    return os.path.expanduser(path)
