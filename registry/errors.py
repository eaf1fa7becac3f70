"""The exception tree. ``ConfigError`` carries the located ``Issue``s (``issues.py``) it was built from.

Every error says what went wrong in ``message`` and how to fix it in ``hint`` (None when there is
nothing to add), and names what was probably meant in ``suggestion`` where there is a guess: the
CLI prints every error from these three, and a program can show them the same way. ``str()`` is
the message with the suggestion, for a log line or a traceback.

This module imports nothing else from the package but ``suggest.did_you_mean`` (a leaf module that
words every guess) and ``text`` (the one rule for echoing untrusted text), so every other module can
raise these. Every value a caller passed is echoed through ``text.quoted`` (a 10 MB model id shows
as its first 80 characters and its length), and every list of names through ``text.listed``.

    RegistryError                      root: catch this to catch everything the package raises
     +-- ConfigError                   a layer (file or environment) is invalid; carries Issues
     +-- InvalidModelIdError           also ValueError: a model id that no provider accepts
     +-- UnknownProviderError          also LookupError: a provider name that is not registered
     +-- UnknownFieldError             also LookupError: a provider field with no value in any layer
     +-- UnsupportedEffortError        also ValueError: a reasoning-effort level a provider refuses
     +-- MissingApiKeyError            a provider that needs a key has none configured
     +-- InvalidApiKeyError            also ValueError: an api_key= argument that cannot be a key

No class derives from KeyError: its ``str()`` wraps the message in quotes.
"""

from __future__ import annotations

from .suggest import did_you_mean
from .text import listed, quoted

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable

    from .issues import Issue

__all__ = [
    "ConfigError",
    "InvalidApiKeyError",
    "InvalidModelIdError",
    "MissingApiKeyError",
    "MissingDependencyError",
    "RegistryError",
    "UnknownFieldError",
    "UnknownProviderError",
    "UnsupportedEffortError",
]


class RegistryError(Exception):
    """Root of every exception this package raises on purpose (``message``, ``hint``, ``suggestion``:
    see the module docstring)."""

    suggestion: str | None = None

    @property
    def message(self) -> str:
        """What went wrong, without the hint."""
        return str(self)

    @property
    def hint(self) -> str | None:
        """How to fix it; None when the message says all there is."""
        return None

    def __reduce__(self) -> tuple[object, ...]:
        # The subclasses' constructors take structured arguments, not the message that ends up in
        # ``args``: pickle (multiprocessing, process pools) restores the attributes instead.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[RegistryError], args: tuple[object, ...], state: dict[str, object]) -> RegistryError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ConfigError(RegistryError):
    """A configuration layer is invalid. Holds every issue found, not only the first.

    The attributes ``path``, ``line``, ``column``, ``pointer``, ``message`` and ``hint`` describe
    the first issue, which is what most callers print; ``issues`` holds them all.
    """

    def __init__(self, issues: Iterable[Issue] | Issue) -> None:
        if hasattr(issues, "render"):  # one Issue (duck-typed: this module imports no Issue)
            issues = (issues,)  # type: ignore[assignment]
        self.issues: tuple[Issue, ...] = tuple(issues)  # type: ignore[arg-type]
        if not self.issues:
            raise ValueError("ConfigError needs at least one issue")
        super().__init__(self.__str__())

    @property
    def first(self) -> Issue:
        return self.issues[0]

    @property
    def path(self) -> str | None:
        return self.first.path

    @property
    def line(self) -> int | None:
        return self.first.line

    @property
    def column(self) -> int | None:
        return self.first.column

    @property
    def pointer(self) -> str | None:
        return self.first.pointer

    @property
    def message(self) -> str:
        return self.first.message

    @property
    def hint(self) -> str | None:
        return self.first.hint

    @property
    def env_var(self) -> str | None:
        return self.first.env_var

    def __str__(self) -> str:
        return "\n".join(issue.render() for issue in self.issues)


class InvalidModelIdError(RegistryError, ValueError):
    """A model id that the registry cannot route; the message says why."""

    def __init__(self, model_id: str, reason: str, suggestion: str | None = None) -> None:
        self.model_id = model_id
        self.reason = reason
        self.suggestion = suggestion
        super().__init__(f"{self.message} ({did_you_mean(suggestion)})" if suggestion else self.message)

    @property
    def message(self) -> str:
        return f"invalid model id {quoted(self.model_id)}: {self.reason}"

    @property
    def hint(self) -> str | None:
        return did_you_mean(self.suggestion) if self.suggestion else None


class UnknownProviderError(RegistryError, LookupError):
    """A provider name that is not in the registry, with close matches when there are some.

    ``disabled`` says the name is a provider that a layer disabled (``enabled: false``): the hint
    then says how to enable it instead of guessing another name.
    """

    def __init__(self, name: str, known: Iterable[str] = (), suggestion: str | None = None, *,
                 disabled: bool = False) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        self.suggestion = suggestion
        self.disabled = disabled
        text = self.message
        if suggestion:
            text += f" ({did_you_mean(suggestion)})"
        if self.known:
            text += f"; known providers: {listed(self.known)}"
        super().__init__(text)

    @property
    def message(self) -> str:
        return f"unknown provider {quoted(self.name)}"

    @property
    def hint(self) -> str | None:
        if self.disabled:
            return f"provider {quoted(self.name)} is disabled ('enabled: false'); remove that line to enable it"
        if self.suggestion:
            return did_you_mean(self.suggestion)
        return f"known providers: {listed(self.known)}" if self.known else None


class UnknownFieldError(RegistryError, LookupError):
    """``origin(provider, field)`` for a field that no layer sets (e.g. a key nobody configured)."""

    def __init__(self, provider: str, field: str, known: Iterable[str] = ()) -> None:
        self.provider = provider
        self.field = field
        text = f"provider {quoted(provider)} has no value for {quoted(field)} in any layer"
        known = sorted(known)
        if known:
            text += f"; fields with a value: {', '.join(known)}"  # the schema's fields: a short list
        super().__init__(text)


class UnsupportedEffortError(RegistryError, ValueError):
    """A reasoning-effort level that the provider does not accept (raised in strict mode), or a
    word that is no effort level at all (``known`` lists the vocabulary; raised always)."""

    def __init__(self, provider: str, level: str, accepted: Iterable[str], *,
                 known: Iterable[str] | None = None, suggestion: str | None = None) -> None:
        self.provider = provider
        self.level = level
        self.accepted = tuple(accepted)
        self.unknown_level = known is not None
        self.suggestion = suggestion
        if known is not None:
            text = f"{quoted(level)} is not a reasoning-effort level; the levels are: {', '.join(known)}"
            if suggestion:
                text += f" ({did_you_mean(suggestion)})"
        elif self.accepted:
            allowed = ", ".join(self.accepted)
            text = f"provider {quoted(provider)} does not accept reasoning effort {quoted(level)}; it accepts: {allowed}"
        else:
            text = f"provider {quoted(provider)} does not accept any reasoning effort (asked for {quoted(level)})"
        super().__init__(text)

    @property
    def hint(self) -> str | None:
        # An unknown word: the message already lists the levels and the guess.
        return None if self.unknown_level else "drop --effort, or add the level to the provider's 'efforts'"


class MissingApiKeyError(RegistryError):
    """The provider needs an API key and no layer supplies one.

    Raised instead of sending no key, because LiteLLM would then fall back to ``OPENAI_API_KEY``
    and send that key to a server it was never meant for. ``suggestion`` is the model id that was
    probably meant, when a typo sent the id to the fallback provider.
    """

    def __init__(self, provider: str, env_vars: Iterable[str], suggestion: str | None = None, *,
                 key_files: Iterable[str] = (), help: str | None = None) -> None:
        self.provider = provider
        self.env_vars = tuple(env_vars)
        self.suggestion = suggestion
        self.key_files = tuple(key_files)  # the key files looked for, in order (none existed)
        self.help = help  # how to get a key, from the provider's api_key_help
        text = f"provider {quoted(provider)} needs an API key and none is configured"
        if self.env_vars:
            text += f"; set {' or '.join(self.env_vars)}"
        elif not self.key_files:
            text += "; set api_key_env in the user file"
        if self.key_files:
            files = ", ".join(self.key_files[:4]) + (", ..." if len(self.key_files) > 4 else "")
            some = "one of " if len(self.key_files) > 1 else ""
            text += f"{', or' if self.env_vars else ';'} put it in {some}{files}"
        super().__init__(text)

    @property
    def hint(self) -> str | None:
        if self.suggestion:
            guess = did_you_mean(self.suggestion)
            return f"{guess} If not: {self.help}" if self.help else guess
        return self.help


class MissingDependencyError(RegistryError, ImportError):
    """A feature needs an optional dependency that is not installed; the hint names the extra."""

    def __init__(self, feature: str, module: str, extra: str) -> None:
        self.feature = feature
        self.module = module
        self.extra = extra
        super().__init__(f"{feature} needs {module}, which is not installed")

    @property
    def hint(self) -> str | None:
        return f"pip install 'provider-registry[{self.extra}]'"


class InvalidApiKeyError(RegistryError, ValueError):
    """An explicit ``api_key=`` that cannot be a key (a trailing newline, a non-string...).

    Keys from the configuration layers are checked by ``load``; this covers the one a caller
    passes per call, before an HTTP library echoes it in an error. The message never holds it.
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"the api_key argument {problem}")
