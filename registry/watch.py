"""``watch``: a registry that follows its files and environment, checked on access, no thread.

A long-running agent wants the user's edits without a restart, yet ``resolve`` sits on its hot
path. So ``LiveRegistry.registry`` costs one ``time.monotonic()`` call and a comparison; only once
``interval`` seconds have passed does one reader (the one that wins a non-blocking lock; the others
keep the current registry) compare a fingerprint: the ``os.stat`` signature of every file a layer
could be read from, and the values of every variable the registry reads. A difference reloads;
a reload that fails keeps the last good registry and says why (``error``), logged once. Values
of variables are compared, never shown. No background thread: nothing runs while nobody reads.
"""

from __future__ import annotations

import math
import os
from _thread import allocate_lock  # what threading.Lock is, without importing threading (~0.6 ms)
from time import monotonic

from .cache import NO_CACHE_ENV
from .errors import ConfigError
from .loader import load, locate_layers
from .model import Registry
from .paths import APP_NAME, CONFIG_ENV, SITE_CONFIG_ENV, USER_FILE_NAME, site_config_dirs
from .provider import Provider
from .text import quoted
from .urls import ALLOWED_HOSTS_ENV, URL_POLICY_ENV
from .values import EMPTY_MAPPING, Frozen, frozen_mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Mapping, TypeAlias

    from .urls import UrlPolicy

    PathArg: TypeAlias = str | bytes | os.PathLike[str] | os.PathLike[bytes]
    StatSignature: TypeAlias = tuple[int, int, int, int] | None
    OnChange: TypeAlias = Callable[[Registry, Registry, "Changes"], object]

__all__ = ["WATCHED_VARIABLES", "Changes", "LiveRegistry", "diff_registries", "watch"]

# The variables that decide where the layers are and how they are read, whatever the providers:
# each provider's own *_env names are watched besides these.
WATCHED_VARIABLES = (
    CONFIG_ENV, SITE_CONFIG_ENV, "XDG_CONFIG_DIRS", "XDG_CONFIG_HOME", "HOME",
    URL_POLICY_ENV, ALLOWED_HOSTS_ENV, NO_CACHE_ENV,
)

# The Provider fields whose differences ``Changes.changed`` reports: all but the bookkeeping
# (where values came from; the efforts derived from others).
_COMPARED_FIELDS = tuple(name for name in Provider.__slots__ if name not in ("origins", "accepted_efforts"))


class Changes(Frozen):
    """What a reload changed: provider names ``added`` and ``removed``; for each provider in both,
    the ``changed`` field names; whether the ``fallback`` or the ``aliases`` changed. False
    (``bool(changes)``) when nothing an agent sees differs, e.g. after a comment edit."""

    __slots__ = ("added", "removed", "changed", "fallback", "aliases")
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: Mapping[str, tuple[str, ...]]
    fallback: bool
    aliases: bool
    _defaults = {"added": (), "removed": (), "changed": EMPTY_MAPPING, "fallback": False, "aliases": False}

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.fallback or self.aliases)


def diff_registries(old: Registry, new: Registry) -> Changes:
    """The ``Changes`` from ``old`` to ``new``, provider names in ``new``'s order."""
    before, after = old.providers, new.providers
    changed = {}
    for name, provider in after.items():
        previous = before.get(name)
        if previous is not None:
            fields = tuple(f for f in _COMPARED_FIELDS if getattr(previous, f) != getattr(provider, f))
            if fields:
                changed[name] = fields
    return Changes(
        added=tuple(name for name in after if name not in before),
        removed=tuple(name for name in before if name not in after),
        changed=frozen_mapping(changed),
        fallback=old.fallback != new.fallback,
        aliases=dict(old.aliases) != dict(new.aliases),
    )


def _stat(path: str) -> StatSignature:
    """What changes when a file is written, replaced, created or removed; None when it is missing
    or cannot be looked at (a malformed path: the reload says what is wrong with it)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)


class _Fingerprint(Frozen):
    """Everything a reload would read, reduced to what shows that it changed. ``variables`` holds
    values (keys among them): compared, never shown."""

    __slots__ = ("files", "variables")
    files: tuple[tuple[str, StatSignature], ...]
    variables: tuple[tuple[str, str | None], ...]
    _hidden = frozenset({"variables"})


class LiveRegistry:
    """The current good registry of a ``watch``: read ``registry`` for every call (see the module
    docstring for what an access costs and checks). ``error`` is why the last reload failed, None
    after a good one. Many threads may read while one checks."""

    __slots__ = ("_current", "_error", "_due", "_interval", "_lock", "_fingerprint", "_logged",
                 "_app_name", "_config_path", "_defaults", "_environ", "_url_policy", "_on_change")

    def __init__(self, app_name: str = APP_NAME, config_path: PathArg | None = None, *,
                 defaults: PathArg | None = None, environ: Mapping[str, str] | None = None,
                 url_policy: str | UrlPolicy | None = None, interval: float = 1.0,
                 on_change: OnChange | None = None) -> None:
        self._interval = _checked_interval(interval)
        self._app_name = app_name
        self._config_path = config_path
        self._defaults = defaults
        self._environ = environ
        self._url_policy = url_policy
        self._on_change = on_change
        self._lock = allocate_lock()
        self._error: BaseException | None = None
        self._logged: str | None = None
        env = self._snapshot()
        # The first load raises: with no good registry there is nothing to serve.
        self._current = self._load(env)
        self._fingerprint = self._take_fingerprint(env, self._current)
        self._due = monotonic() + self._interval

    @property
    def registry(self) -> Registry:
        """The current good registry; checks for changes once ``interval`` seconds have passed."""
        if monotonic() < self._due:
            return self._current
        return self._check_due()

    @property
    def error(self) -> BaseException | None:
        """Why the last reload failed (a ``ConfigError``, or what else ``load`` raised); None
        when the registry in use is the latest configuration."""
        return self._error

    @property
    def interval(self) -> float:
        return self._interval

    def refresh(self) -> bool:
        """Check now, whatever the interval (waiting for a check under way); True when a new
        registry was swapped in."""
        with self._lock:
            swap = self._check()
        if swap is None:
            return False
        self._notify(*swap)
        return True

    def __repr__(self) -> str:
        error = type(self._error).__name__ if self._error is not None else None
        return (f"LiveRegistry(app_name={self._app_name!r}, providers={len(self._current.providers)}, "
                f"interval={self._interval!r}, error={error})")

    # -- the check ----------------------------------------------------------------------------

    def _check_due(self) -> Registry:
        if not self._lock.acquire(False):  # another thread is checking: serve what there is
            return self._current
        try:
            swap = self._check() if monotonic() >= self._due else None
        finally:
            self._lock.release()
        if swap is not None:
            self._notify(*swap)
        return self._current

    def _check(self) -> tuple[Registry, Registry, Changes] | None:
        """Under the lock: compare the fingerprint, reload on a difference, swap a good result.
        The (old, new, changes) of a swap, for ``on_change`` outside the lock; None otherwise."""
        try:
            env = self._snapshot()
            old = self._current
            fingerprint = self._take_fingerprint(env, old)
            if fingerprint == self._fingerprint:
                return None
            # Remembered before loading: a failed reload is not retried until something changes.
            self._fingerprint = fingerprint
            new = self._load(env)
            # The new registry may read variables and key files the old one did not: add them,
            # from the same snapshot the load read, keeping the signatures taken before the load
            # (a file written during the load must still differ at the next check).
            self._fingerprint = self._take_fingerprint(env, new, dict(fingerprint.files))
            changes = diff_registries(old, new)
            unchanged = new == old  # a touch, a broken edit put back: nothing to swap or report
        except Exception as error:  # noqa: BLE001 - whatever load raises, the last good registry stays
            self._failed(error)
            return None
        finally:
            self._due = monotonic() + self._interval
        self._error = None
        self._logged = None
        if unchanged:
            return None
        self._current = new  # the swap: one assignment
        return old, new, changes

    def _snapshot(self) -> dict[str, str]:
        """The environment as it is now: ``os.environ`` itself, or the mapping the host passed
        (which it may change)."""
        source = os.environ if self._environ is None else self._environ
        for _ in range(2):
            try:
                return dict(source)
            except RuntimeError:  # another thread changed it while it was copied: copy again
                pass
        return dict(source)

    def _load(self, env: Mapping[str, str]) -> Registry:
        return load(self._app_name, self._config_path, env, self._url_policy, defaults=self._defaults)

    def _take_fingerprint(self, env: Mapping[str, str], registry: Registry,
                          known: Mapping[str, StatSignature] = EMPTY_MAPPING) -> _Fingerprint:
        paths = [location.path for location in
                 locate_layers(self._app_name, self._config_path, env, defaults=self._defaults)
                 if location.path is not None]
        # A site file may appear in a more important directory than the one found now.
        paths += [str(directory / USER_FILE_NAME) for directory in site_config_dirs(self._app_name, env)]
        names = list(WATCHED_VARIABLES)
        for provider in registry.providers.values():
            names += provider.api_base_env
            names += provider.api_key_env
            names += getattr(provider, "key_file_variables", ())
            paths += (str(path) for path in getattr(provider, "key_file_paths", ()))
        files = tuple((path, known[path] if path in known else _stat(path)) for path in dict.fromkeys(paths))
        return _Fingerprint(files, tuple((name, env.get(name)) for name in dict.fromkeys(names)))

    def _failed(self, error: Exception) -> None:
        """Keep the last good registry; log each distinct failure once (a ConfigError's text never
        holds a key; of any other error only its type is logged)."""
        self._error = error
        text = f"{type(error).__name__}: {error}"
        if text == self._logged:
            return
        self._logged = text
        import logging  # deferred: costs ~7 ms of start-up, needed only when a reload fails

        shown = str(error) if isinstance(error, ConfigError) else f"{type(error).__name__} (see LiveRegistry.error)"
        logging.getLogger("registry").warning("reload failed, keeping the last good registry: %s", shown)

    def _notify(self, old: Registry, new: Registry, changes: Changes) -> None:
        """``on_change`` after a swap, outside the lock (it may read ``registry`` or refresh);
        what it raises is logged, never passed to the reader that ran the check."""
        if self._on_change is None:
            return
        try:
            self._on_change(old, new, changes)
        except Exception:  # noqa: BLE001 - the host's callback must not break its own reads
            import logging

            logging.getLogger("registry").exception("on_change callback raised; the new registry is in use")


def _checked_interval(interval: object) -> float:
    """``interval`` as a float; ValueError unless it is a positive finite int or float (not a bool)."""
    seconds, shown = math.nan, None
    if isinstance(interval, (int, float)) and not isinstance(interval, bool):
        try:
            seconds = float(interval)
        except OverflowError:
            shown = "an int too large for a float"  # repr() of a huge int raises
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"interval must be a positive finite number of seconds, got {shown or quoted(interval)}")
    return seconds


def watch(app_name: str = APP_NAME, config_path: PathArg | None = None, defaults: PathArg | None = None,
          environ: Mapping[str, str] | None = None, url_policy: str | UrlPolicy | None = None,
          interval: float = 1.0, on_change: OnChange | None = None) -> LiveRegistry:
    """Load now (raising ConfigError as ``load`` does) and return a ``LiveRegistry`` that reloads
    when a layer file or a variable the registry reads changes, checked at most every ``interval``
    seconds on access. ``environ=None`` follows ``os.environ``; a mapping is read at each check.
    ``on_change(old, new, changes)`` runs after each swap; a reload equal to the current registry
    (a touch, a broken edit put back) is not swapped and reports nothing."""
    return LiveRegistry(app_name, config_path, defaults=defaults, environ=environ, url_policy=url_policy,
                        interval=interval, on_change=on_change)
