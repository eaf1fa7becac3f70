"""The value objects of a merged configuration: ``Origin``, ``LayerSource`` and ``Provider``.

All are ``values.Frozen``: immutable once built, so one registry can be shared by every thread of
an agent. Nothing here routes or resolves: ``routing`` and ``resolve`` query these objects.
"""

from __future__ import annotations

from types import MappingProxyType

from .errors import MissingApiKeyError, UnknownFieldError
from .issues import Issue, JsonPath, format_pointer
from .secrets import Secret, is_placeholder_key
from .values import EMPTY_MAPPING, Frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping

__all__ = ["IMPLICIT_DEFAULT", "KINDS", "OFF_FORMS", "THINKING_FORMS", "LayerSource", "ModelSpec", "Origin", "Provider",
           "accepted_levels"]


class Origin(Frozen):
    """Where an effective value came from: its layer and its source (file path or env var name).

    ``column`` only sharpens error locations (``file:line:col``); two origins on the same line
    are the same origin, so it takes no part in equality or repr.
    """

    __slots__ = ("layer", "source", "line", "column")
    layer: str
    source: str
    line: int | None
    column: int | None
    _defaults = {"line": None, "column": None}
    _hidden = frozenset({"column"})
    _uncompared = frozenset({"column"})

    @property
    def location(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source

    def __str__(self) -> str:
        return f"{self.layer}  {self.location}"

    def issue(self, pointer_path: JsonPath, message: str, hint: str | None, *, severity: str = "error",
              kind: str = "semantic", rule: str | None = None) -> Issue:
        """An Issue about the value found here: located at file:line for file layers, at the
        variable for the environment layer, and at ``pointer_path`` in the configuration."""
        pointer = format_pointer(pointer_path)
        if self.layer == "env":
            return Issue(message, env_var=self.source, pointer=pointer, hint=hint, severity=severity, kind=kind,
                         rule=rule)
        return Issue(message, path=self.source, line=self.line, column=self.column, pointer=pointer, hint=hint,
                     severity=severity, kind=kind, rule=rule)


# What a provider is (``Provider.kind``); the schema's enum lists the same words.
KINDS = ("local", "hosted")
# Where an effort level is sent (``thinking``); the schema's enum lists the same words, the first
# is the default. The forms in OFF_FORMS have an explicit "off", which effort 'none' sends.
THINKING_FORMS = ("extra_body", "reasoning_effort", "chat_template_kwargs", "think")
OFF_FORMS = frozenset({"chat_template_kwargs", "think"})


def accepted_levels(efforts: tuple[str, ...], aliases: Mapping[str, str]) -> Mapping[str, str]:
    """Each word accepted -> the level sent for it: the levels, and the aliases whose level is one."""
    accepted = {level: level for level in efforts}
    for word, level in aliases.items():
        if level in efforts:
            accepted[word] = level
        else:
            accepted.pop(word, None)
    return MappingProxyType(accepted) if accepted else EMPTY_MAPPING


class ModelSpec(Frozen):
    """What the files declare about one model of a provider (``models:``); None is "not said".
    ``efforts`` and ``thinking`` override the provider's; ``accepted_efforts`` is derived (with the
    provider's ``effort_aliases``), None when the provider's apply."""

    __slots__ = ("name", "context_window", "max_output_tokens", "tools", "vision", "reasoning", "efforts",
                 "thinking", "description", "accepted_efforts", "origins")
    name: str
    context_window: int | None
    max_output_tokens: int | None
    tools: bool | None
    vision: bool | None
    reasoning: bool | None
    efforts: tuple[str, ...] | None
    thinking: str | None
    description: str
    accepted_efforts: Mapping[str, str] | None
    origins: Mapping[str, Origin]
    _defaults = {"context_window": None, "max_output_tokens": None, "tools": None, "vision": None, "reasoning": None,
                 "efforts": None, "thinking": None, "description": "", "accepted_efforts": None,
                 "origins": EMPTY_MAPPING}
    _hidden = frozenset({"origins", "accepted_efforts"})
    _uncompared = frozenset({"accepted_efforts"})

# The origin of a field that no layer wrote (a user-added provider's derived prefix, say).
IMPLICIT_DEFAULT = Origin("default", "implicit default")


class LayerSource(Frozen):
    """One configuration layer as read: what it is, where from, and whether it was there."""

    __slots__ = ("layer", "source", "exists", "reason")
    layer: str
    source: str
    exists: bool
    reason: str
    _defaults = {"reason": ""}


class Provider(Frozen):
    """One effective provider after all layers are merged. Keys are ``Secret``s, never plain text."""

    __slots__ = (
        "name", "prefix", "api_base", "api_bases", "api_base_env", "api_key", "api_key_env", "api_key_file",
        "api_key_command", "api_key_help", "litellm_provider", "efforts", "effort_aliases", "thinking", "models",
        "model_format",
        "description", "headers", "timeout", "kind", "problems", "key_command", "key_file_paths",
        "key_file_variables", "origins", "accepted_efforts",
    )
    name: str
    prefix: str
    api_base: str
    api_bases: tuple[str, ...]
    api_base_env: tuple[str, ...]
    api_key: Secret | None
    api_key_env: tuple[str, ...]
    api_key_file: tuple[str, ...]  # path templates, as written
    api_key_command: tuple[str, ...]  # argv, as written
    api_key_help: str  # how a user gets a key: the missing-key hint
    litellm_provider: str
    efforts: tuple[str, ...]
    effort_aliases: Mapping[str, str]
    thinking: str  # THINKING_FORMS: where an effort level is sent
    models: Mapping[str, ModelSpec]  # declared per-model metadata, by model name
    model_format: str
    description: str
    headers: Mapping[str, Secret]
    timeout: float | None
    kind: str  # KINDS: "local" (a server the user runs) or "hosted" (a service over the internet)
    problems: tuple[Issue, ...]  # why the provider is unavailable (a bad environment value); () when it works
    key_command: Any  # keys.KeyCommand when the key comes from api_key_command (run on first use), else None
    key_file_paths: tuple[str, ...]  # the api_key_file chain as load expanded it, in order
    key_file_variables: tuple[str, ...]  # the variables that chain reads (HF_HOME, HOME ...)
    origins: Mapping[str, Origin]
    accepted_efforts: Mapping[str, str]  # derived: each word accepted -> the level sent for it
    _defaults = {
        "api_bases": (), "api_base_env": (), "api_key": None, "api_key_env": (), "api_key_file": (),
        "api_key_command": (), "api_key_help": "", "key_command": None, "key_file_paths": (),
        "key_file_variables": (), "litellm_provider": "openai",
        "efforts": (), "effort_aliases": EMPTY_MAPPING, "thinking": "extra_body", "models": EMPTY_MAPPING,
        "model_format": "any", "description": "",
        "headers": EMPTY_MAPPING, "timeout": None, "kind": "local", "problems": (), "origins": EMPTY_MAPPING,
        "accepted_efforts": EMPTY_MAPPING,
    }
    _hidden = frozenset({"origins", "accepted_efforts", "api_key_command"})  # the argv: key_command shows it masked
    _uncompared = frozenset({"accepted_efforts"})

    def __post_init__(self) -> None:
        # Always derived here, whatever was passed (``replace`` and pickle pass the old value):
        # it can never disagree with ``efforts`` and ``effort_aliases``. One lookup per resolve.
        object.__setattr__(self, "accepted_efforts", accepted_levels(self.efforts, self.effort_aliases))

    def model(self, name: str) -> ModelSpec | None:
        """The declared metadata of model ``name``: an exact entry, else the entry without the
        ``:tag`` ('qwen3' for 'qwen3:8b', 'org/model' for 'org/model:fastest'); None when none."""
        models = self.models
        if not models:
            return None
        spec = models.get(name)
        if spec is None and ":" in name:
            spec = models.get(name.rpartition(":")[0])
        return spec

    @property
    def available(self) -> bool:
        """False when a value this provider reads from the environment is unusable (``problems``
        say which and how to fix it): its ids route here but do not resolve."""
        return not self.problems

    @property
    def unavailable_reason(self) -> str | None:
        """The first problem on one line, located at its variable: what ``reg.unavailable`` maps to."""
        return self.problems[0].one_line() if self.problems else None

    @property
    def all_api_bases(self) -> tuple[str, ...]:
        """``api_base`` followed by the extra replicas, without repeats."""
        return tuple(dict.fromkeys((self.api_base, *self.api_bases)))

    @property
    def key_source(self) -> str | None:
        """Where the key comes from, never the key: the variable's name, ``file PATH``,
        ``command PROGRAM``, ``placeholder``, or the layer's file (``user file``); None when there
        is no key. Derived from the key's origin."""
        origin = self.origins.get("api_key")
        if self.api_key is None:
            return f"command {origin.source}" if self.key_command is not None and origin is not None else None
        if origin is not None and origin.layer == "env":
            return origin.source
        if origin is not None and origin.layer == "key-file":
            return f"file {origin.source}"
        if is_placeholder_key(self.api_key.reveal(), self.name):
            return "placeholder"
        return f"{origin.layer if origin is not None else 'user'} file"

    def missing_key_error(self, suggestion: str | None = None) -> MissingApiKeyError:
        """The error for no key at all, listing every source tried: the one wording of it."""
        return MissingApiKeyError(self.name, self.api_key_env, suggestion, key_files=self.key_file_paths,
                                  help=self.api_key_help or None)

    def origin(self, field_name: str) -> Origin:
        """Where the effective ``field_name`` came from."""
        try:
            return self.origins[field_name]
        except KeyError:
            raise UnknownFieldError(self.name, field_name, self.origins) from None

    def accepts_effort(self, level: str) -> str | None:
        """The level to send for ``level`` (after aliases), or None when it is not accepted."""
        return self.accepted_efforts.get(level)
