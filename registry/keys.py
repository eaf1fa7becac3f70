"""Keys from where users keep them: key files, read by ``load``, and key commands, run on first use.

A provider's key chain, first that yields a key wins: a per-session key (``Registry.with_keys``) >
``api_key_env`` > ``api_key_file`` > ``api_key_command`` > an inline ``api_key`` (placeholders).
Key files and commands are outside the configuration files, like the environment: a problem with
one makes only its provider unavailable (``Provider.problems``), never the whole registry.

- ``api_key_file`` entries are path templates: ``~`` and ``${VAR}`` are expanded from the
  environment the registry was loaded with, and an entry that names an unset variable is skipped
  (so the Hugging Face chain follows ``HF_TOKEN_PATH``, ``HF_HOME``, ``XDG_CACHE_HOME``). The first
  existing, non-empty file wins; its content is stripped. A missing file is no problem; one that
  cannot be read, or whose content cannot be a key, is (located at the file; the key never shown).
- ``api_key_command`` is an argv list run without a shell, stdin closed, stderr discarded, with a
  timeout and a cap on what it prints. ``load`` never runs it: ``KeyCommand.key`` runs it once
  per registry, under a lock, on the first ``resolve`` that needs the key, and keeps the key (or
  the failure) for the registry's life. A failure names the program and its exit status, never
  its output.
"""

from __future__ import annotations

import os
import re
import stat
import threading

from .errors import ConfigError
from .fsio import NOTHING_THERE_RULES, read_regular_file, shown_path
from .issues import Issue, format_pointer
from .secrets import KEY_RUN_RE, Secret, check_secret_text, is_key_like
from .text import quoted
from .values import Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    from .provider import Origin

__all__ = [
    "KEY_COMMAND_LAYER", "KEY_COMMAND_TIMEOUT", "KEY_FILE_LAYER", "MAX_COMMAND_OUTPUT", "SESSION_LAYER",
    "KeyCommand", "KeyFileResult", "expand_key_path", "find_key_file", "shown_argv",
]

# Where a key came from when no configuration layer holds it (``Origin.layer`` of ``api_key``).
KEY_FILE_LAYER = "key-file"
KEY_COMMAND_LAYER = "key-command"
SESSION_LAYER = "session"

KEY_COMMAND_TIMEOUT = 10.0  # seconds: a password manager that needs a prompt fails rather than hangs
MAX_COMMAND_OUTPUT = 64 * 1024  # bytes; a key is a few hundred at most

_VARIABLE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_key_path(template: str, environ: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """``template`` with ``${VAR}`` and a leading ``~`` expanded from ``environ``, and the names
    of the variables it reads (``HOME`` for ``~``). The path is None when a variable it names is
    unset or empty: that entry of the chain does not apply."""
    names = tuple(dict.fromkeys(_VARIABLE_RE.findall(template)))
    if any(not environ.get(name, "").strip() for name in names):
        return None, names
    path = _VARIABLE_RE.sub(lambda match: environ[match[1]].strip(), template)
    if path == "~" or path.startswith("~/"):
        home = environ.get("HOME", "").strip() or os.path.expanduser("~")
        path = home.rstrip("/") + path[1:]
        names += ("HOME",)
    elif path.startswith("~"):
        path = os.path.expanduser(path)  # ~user: from the password database
    return path, names


class KeyFileResult(Frozen):
    """What the ``api_key_file`` chain of one provider found: the key and its file (or None; as
    messages show it), every candidate path in order, the variables the templates read, and the
    problems."""

    __slots__ = ("key", "path", "candidates", "variables", "issues")
    key: str | None
    path: str | None
    candidates: tuple[str, ...]
    variables: tuple[str, ...]
    issues: tuple[Issue, ...]
    _hidden = frozenset({"key"})


def find_key_file(templates: Iterable[str], environ: Mapping[str, str], *, read: bool = True) -> KeyFileResult:
    """Walk the chain: the first existing, non-empty file wins. A file that exists but cannot be
    read is an error there (the chain stops: the user meant that file); so is content that cannot
    be a key. A key file readable by group or others is a warning. With ``read=False`` (a
    variable already gave the key) only the candidates are worked out: no file is opened."""
    candidates: list[str] = []
    variables: dict[str, None] = {}
    for template in templates:
        path, names = expand_key_path(template, environ)
        variables.update(dict.fromkeys(names))
        if path is not None:
            candidates.append(path)
    for path in candidates if read else ():
        shown = shown_path(path)
        try:
            data = read_regular_file(path, shown)
        except ConfigError as exc:
            if all(issue.rule in NOTHING_THERE_RULES for issue in exc.issues):
                continue
            return KeyFileResult(None, path, tuple(candidates), tuple(variables), exc.issues)
        try:
            key = data.decode("utf-8").strip()
        except UnicodeDecodeError:
            return KeyFileResult(None, path, tuple(candidates), tuple(variables), (Issue(
                "the key file is not UTF-8 text (its content is not shown)", path=shown,
                hint="write the key alone in the file, as text", rule="key-file-content"),))
        if not key:
            continue
        problem = check_secret_text(key)
        if problem is not None:
            return KeyFileResult(None, path, tuple(candidates), tuple(variables), (Issue(
                f"the key in the key file {problem}", path=shown,
                hint="the file must hold the key alone; copy it again from where it was issued",
                rule="key-file-content"),))
        return KeyFileResult(key, shown, tuple(candidates), tuple(variables), _mode_warnings(path, shown))
    return KeyFileResult(None, None, tuple(candidates), tuple(variables), ())


def _mode_warnings(path: str, shown: str) -> tuple[Issue, ...]:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return ()
    if not mode & (stat.S_IRWXG | stat.S_IRWXO):
        return ()
    return (Issue(f"the key file is readable by group or others (mode {stat.S_IMODE(mode):04o})", path=shown,
                  severity="warning", hint=f"chmod 600 {shown}", rule="key-file-mode"),)


def shown_argv(argv: Iterable[str]) -> tuple[str, ...]:
    """An argv as output shows it: each word that may be a credential (a key-like run of 20+
    letters and digits, a ``user:password``) replaced by ``****``."""
    return tuple("****" if ":" in word or any(is_key_like(run) for run in KEY_RUN_RE.findall(word)) else word
                 for word in argv)


class KeyCommand:
    """An ``api_key_command``: run once, on first use, under a lock; its key or its failure is kept.

    Shared by every registry built from the same load (``with_keys`` copies share it), so the
    command runs once however many of them resolve. Equal when the argv is; a pickled copy runs
    the command again in its own process, with that process's environment.
    """

    __slots__ = ("argv", "origin", "_environ", "_lock", "_key", "_problem")

    def __init__(self, argv: Iterable[str], environ: Mapping[str, str] | None = None,
                 origin: Origin | None = None) -> None:
        self.argv = tuple(argv)
        self.origin = origin  # where api_key_command is written: a failure is located there
        self._environ = dict(environ) if environ is not None else None
        self._lock = threading.Lock()
        self._key: Secret | None = None
        self._problem: Issue | None = None

    @property
    def name(self) -> str:
        """The program's name, as origins and messages give it (a key-like word is never shown)."""
        name = os.path.basename(self.argv[0]) if self.argv else ""
        return name if name and not is_key_like(name) else "(not shown)"

    @property
    def shown_argv(self) -> tuple[str, ...]:
        return shown_argv(self.argv)

    @property
    def known_key(self) -> Secret | None:
        """The key, once the command has run and printed one; None before (nothing runs here)."""
        return self._key

    @property
    def problem(self) -> Issue | None:
        """Why the command gave no key, once it has run and failed; None otherwise."""
        return self._problem

    def key(self, provider: str) -> Secret:
        """The key: the command runs now if it has not run yet; ConfigError when it failed."""
        key = self._key
        if key is not None:
            return key
        with self._lock:
            if self._key is None and self._problem is None:
                self._key, self._problem = self._run(provider)
        if self._problem is not None:
            raise ConfigError(self._problem)
        assert self._key is not None
        return self._key

    def _run(self, provider: str) -> tuple[Secret | None, Issue | None]:
        import subprocess  # deferred: only a provider with a command pays for it

        what = f"the api_key_command {quoted(self.name)} of provider {quoted(provider)}"

        def failed(why: str, hint: str) -> tuple[None, Issue]:
            message = f"{what} {why} (its output is not shown)"
            if self.origin is not None:
                return None, self.origin.issue(("providers", provider, "api_key_command"), message, hint,
                                               rule="key-command")
            return None, Issue(message, pointer=format_pointer(("providers", provider, "api_key_command")), hint=hint,
                               rule="key-command")

        try:
            process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, env=self._environ, shell=False)
        except FileNotFoundError:
            return failed("was not found", "install it, or give its full path as the first word")
        except (OSError, ValueError) as exc:
            return failed(f"could not be started ({type(exc).__name__})", "check the program and its permissions")
        output = _CappedOutput(process)
        try:
            status = process.wait(timeout=KEY_COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return failed(f"did not finish within {KEY_COMMAND_TIMEOUT:g} s",
                          "run it yourself: it may be waiting for a password prompt")
        finally:
            if process.stdout is not None:
                process.stdout.close()
        text = output.result()
        if text is None:  # killed for it: its exit status says nothing more
            return failed(f"printed more than {MAX_COMMAND_OUTPUT // 1024} KiB", "make it print the key alone")
        if status != 0:
            return failed(f"exited with status {status}", "run it yourself to see why")
        try:
            key = text.decode("utf-8").strip()
        except UnicodeDecodeError:
            return failed("printed something that is not UTF-8 text", "make it print the key alone")
        if not key:
            return failed("printed nothing", "make it print the key on standard output")
        problem = check_secret_text(key)
        if problem is not None:
            return failed(f"printed a key that {problem}", "make it print the key alone, on one line")
        return Secret(key), None

    def __eq__(self, other: object) -> bool:
        return type(other) is KeyCommand and other.argv == self.argv

    def __hash__(self) -> int:
        return hash(self.argv)

    def __repr__(self) -> str:
        return f"KeyCommand({list(self.shown_argv)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (KeyCommand, (self.argv, None, self.origin))  # neither the environment nor the key travels


class _CappedOutput:
    """The command's stdout, read on a thread (so the timeout still counts) up to
    ``MAX_COMMAND_OUTPUT`` bytes; ``result()`` is None when it printed more (the process is killed)."""

    def __init__(self, process: Any) -> None:
        self._process = process
        self._chunks: list[bytes] = []
        self._too_much = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        size = 0
        stream = self._process.stdout
        try:
            while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
                size += len(chunk)
                if size > MAX_COMMAND_OUTPUT:
                    self._too_much = True
                    self._process.kill()
                    return
                self._chunks.append(chunk)
        except (OSError, ValueError):
            return

    def result(self) -> bytes | None:
        self._thread.join(timeout=1.0)
        return None if self._too_much else b"".join(self._chunks)
