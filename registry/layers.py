"""The configuration layers and their merge: each layer writes its values, with their origins,
over those of the layers below it into one ``Draft``.

A file layer is bytes -> strict YAML document -> schema-checked data; the environment layer is a
snapshot of variables. A layer never raises for content problems: it returns the issues it
found, so ``registry validate`` can report every problem in every layer at once. The order in
which layers are merged is not decided here: ``loader.PRECEDENCE`` is the one list.
"""

from __future__ import annotations

import os
import stat

from .errors import ConfigError
from .fsio import MALFORMED_PATH_RULES, NOTHING_THERE_RULES, fs_text, read_regular_file, shown_path
from .issues import Issue, JsonPath, format_pointer
from .keys import KEY_FILE_LAYER, KeyFileResult, find_key_file
from .paths import PATH_SETTINGS, SITE_CONFIG_ENV
from .policy import POLICY_SETTINGS, check_policy_settings
from .provider import LayerSource, Origin
from .secrets import is_placeholder_key
from .values import Frozen
from .yamlfile import Document, parse_yaml, yaml12_disagreements

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Mapping, TypeAlias

    from .cache import ValidationCache

    Valued: TypeAlias = tuple[Any, Origin]  # a merged value and where it came from

__all__ = ["Draft", "EnvLayer", "FileLayer", "absent_file_layer", "as_names", "read_file_layer"]


class Draft:
    """The merge in progress: raw values from the layers so far, each with its origin."""

    __slots__ = ("providers", "declared", "fallback", "aliases", "settings", "key_files", "models", "model_declared")

    def __init__(self) -> None:
        self.providers: dict[str, dict[str, Valued]] = {}
        self.declared: dict[str, Origin] = {}  # provider name -> where it was first named
        self.fallback: Valued | None = None
        self.aliases: dict[str, Valued] = {}
        self.settings: dict[str, Valued] = {}  # the operator's url_policy and allowed_hosts
        self.key_files: dict[str, KeyFileResult] = {}  # provider name -> what its api_key_file chain found
        # provider name -> model name -> field -> value and origin: models merge by name, field by field
        self.models: dict[str, dict[str, dict[str, Valued]]] = {}
        self.model_declared: dict[tuple[str, str], Origin] = {}  # (provider, model) -> where first named


class FileLayer(Frozen):
    """One file layer. ``document`` is None when the file is absent, unreadable or not given
    (the ``app`` layer without ``defaults=``). ``operator`` says the layer may set the URL policy."""

    __slots__ = ("layer", "path", "exists", "document", "issues", "reason", "fs_path", "operator")
    layer: str
    path: str  # as messages show it (fsio.shown_path)
    exists: bool
    document: Document | None
    issues: tuple[Issue, ...]
    reason: str  # why this file: "built-in", "--config", "default location" ...
    fs_path: str  # as the os functions take it; "" when made without one (then ``path``)
    operator: bool
    _defaults = {"reason": "", "fs_path": "", "operator": False}
    _hidden = frozenset({"fs_path"})

    @property
    def ok(self) -> bool:
        return self.document is not None and not any(i.severity == "error" for i in self.issues)

    @property
    def source(self) -> LayerSource:
        return LayerSource(self.layer, self.path, self.exists, self.reason)

    @property
    def data(self) -> dict[str, Any]:
        data = self.document.data if self.document is not None else None
        return data if isinstance(data, dict) else {}

    def origin(self, path: JsonPath, *, key: bool = False) -> Origin:
        line, column = self.document.position(path, key=key) if self.document is not None else (None, None)
        return Origin(self.layer, self.path, line, column)

    def merge_into(self, draft: Draft) -> None:
        """Overlay this file's values on ``draft``, field by field, remembering origins."""
        data = self.data
        if "fallback" in data:
            draft.fallback = (data["fallback"], self.origin(("fallback",)))
        for setting in POLICY_SETTINGS:  # only an operator layer gets here with them (check_policy_settings)
            if setting in data:
                draft.settings[setting] = (data[setting], self.origin((setting,)))
        for alias, target in (data.get("aliases") or {}).items():
            draft.aliases[alias] = (target, self.origin(("aliases", alias)))
        for name, fields in (data.get("providers") or {}).items():
            entry = draft.providers.setdefault(name, {})
            draft.declared.setdefault(name, self.origin(("providers", name), key=True))
            for field_name, value in (fields or {}).items():
                if field_name == "models":
                    self._merge_models(draft, name, value or {})
                    continue
                entry[field_name] = (value, self.origin(("providers", name, field_name)))

    def _merge_models(self, draft: Draft, provider: str, models: Mapping[str, Any]) -> None:
        known = draft.models.setdefault(provider, {})
        for model, spec in models.items():
            fields = known.setdefault(model, {})
            draft.model_declared.setdefault((provider, model), self.origin(("providers", provider, "models", model),
                                                                           key=True))
            for field_name, value in (spec or {}).items():
                fields[field_name] = (value, self.origin(("providers", provider, "models", model, field_name)))

    def warnings(self) -> list[Issue]:
        """Inline real keys: recommend api_key_env, and flag loose file permissions."""
        if self.document is None or self.layer == "default":
            return []
        warnings: list[Issue] = []
        for name, entry in self.data.get("providers", {}).items():
            key = (entry or {}).get("api_key")
            if isinstance(key, str) and not is_placeholder_key(key, name):
                warnings.append(self.origin(("providers", name, "api_key")).issue(
                    ("providers", name, "api_key"), f"provider {name!r} has an API key written inline in the file",
                    "put the key in an environment variable and name it with 'api_key_env'", severity="warning"))
        if warnings:
            try:
                mode = os.stat(self.fs_path or self.path).st_mode
            except (OSError, ValueError):
                mode = 0
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                warnings.append(Issue(
                    f"the file holds an API key and is readable by group or others (mode {stat.S_IMODE(mode):04o})",
                    path=self.path, severity="warning", hint=f"chmod 600 {self.path}",
                ))
        return warnings


class EnvLayer(Frozen):
    """The environment layer: for each provider, the first set, non-empty variable of each
    ``*_env`` list (as merged from the layers below) overrides the value it names.

    Values are stripped of surrounding whitespace first (``$(cat file)`` and ``echo`` leave a
    newline; huggingface_hub strips its token too), and a variable holding only whitespace counts
    as unset. Whitespace or control characters inside a value are left for the checks to refuse.

    A provider that no variable gives a key and that names ``api_key_file`` then gets the key from
    the first file of that chain (``keys.find_key_file``), unless ``read_key_files`` is False
    (``registry validate FILE`` checks files without the environment)."""

    __slots__ = ("layer", "environ", "reason", "read_key_files")
    layer: str
    environ: Mapping[str, str]
    reason: str
    read_key_files: bool
    _hidden = frozenset({"environ"})  # values may be keys
    _defaults = {"read_key_files": True}
    issues: tuple[Issue, ...] = ()

    @property
    def source(self) -> LayerSource:
        return LayerSource(self.layer, "environment", True, self.reason)

    def merge_into(self, draft: Draft) -> None:
        env = self.environ
        for name, entry in draft.providers.items():
            for target, names_field in (("api_base", "api_base_env"), ("api_key", "api_key_env")):
                for var in as_names(entry.get(names_field, (None,))[0]):
                    value = env.get(var)
                    if value and (value := value.strip()):
                        entry[target] = (value, Origin(self.layer, var))
                        break
            if self.read_key_files and "api_key_file" in entry:
                key_origin = entry.get("api_key", (None, None))[1]
                from_env = key_origin is not None and key_origin.layer == self.layer
                found = find_key_file(as_names(entry["api_key_file"][0]), env, read=not from_env)
                draft.key_files[name] = found
                if found.key is not None:
                    entry["api_key"] = (found.key, Origin(KEY_FILE_LAYER, found.path or ""))

    def warnings(self) -> list[Issue]:
        return []


def as_names(raw: Any) -> tuple[str, ...]:
    """The variable names of an ``*_env`` field: the format allows one name or a list."""
    if raw is None:
        return ()
    return (raw,) if isinstance(raw, str) else tuple(raw)


def read_file_layer(layer: str, path: str | os.PathLike[str], *, required: bool, reason: str = "",
                    schema_check: bool = True, cache: ValidationCache | None = None,
                    operator: bool = False) -> FileLayer:
    """Read and check ``path`` as ``layer``. A missing optional file is an empty, valid layer.

    With a ``cache``, bytes that already passed the schema check skip it (and YAML parsing when
    the entry holds the document); bytes that pass with no issue are remembered. A path named by
    a variable (``reason`` is one of ``paths.PATH_SETTINGS``) that is malformed in itself is
    located at the variable. Only an ``operator`` layer may set the URL policy (``policy.py``).
    """
    target = fs_text(path)
    shown = shown_path(target)
    verdict = None
    try:
        data = read_regular_file(target, shown, setting=reason if reason in PATH_SETTINGS else None)
        if cache is not None and schema_check:
            verdict = cache.recall(data, shown)
        document = verdict.document if verdict is not None and verdict.document is not None else parse_yaml(data, shown)
    except ConfigError as exc:
        if not required and all(issue.rule in NOTHING_THERE_RULES for issue in exc.issues):
            return FileLayer(layer, shown, False, None, (), reason, target, operator)
        found = exc.issues
        if layer != "user":  # 'registry init' writes a user file: name the setting that chose this one instead
            hint = _MISSING_HINTS.get(reason, "check the path")
            found = tuple(issue.replace(hint=hint) if issue.rule == "not-found" else issue for issue in found)
        if reason == "default":  # the platform directory comes from XDG_CONFIG_HOME or HOME
            found = tuple(issue.replace(hint=f"{issue.hint}; the default location comes from XDG_CONFIG_HOME or HOME")
                          if issue.rule in MALFORMED_PATH_RULES else issue for issue in found)
        return FileLayer(layer, shown, os.path.exists(target), None, found, reason, target, operator)
    issues: tuple[Issue, ...] = ()
    if schema_check and verdict is None:
        from .schema import check_document  # deferred: a cached file needs no schema check

        issues = tuple(check_document(document))
        issues += _yaml12_issues(document, issues)
        if cache is not None and not issues:
            cache.remember(data, document)
    read = FileLayer(layer, shown, True, document, issues, reason, target, operator)
    # Who may set the policy is said with the schema's problems; the allow-list entries are
    # checked once the schema passed (their types are known then).
    policy_issues = check_policy_settings(read.data, read.origin, operator=operator,
                                          check_entries=schema_check and not issues)
    return read.replace(issues=issues + tuple(policy_issues)) if policy_issues else read


# What to do about a file that is named on purpose but missing, by why it was chosen
# (``LayerLocation.reason``), for the layers that 'registry init' does not create.
_MISSING_HINTS = {
    "defaults": "check the path given as defaults= or --defaults: the host's own providers file",
    SITE_CONFIG_ENV: f"check the path, or unset {SITE_CONFIG_ENV} to read the system config directory",
}


def _yaml12_issues(document: Document, schema_issues: tuple[Issue, ...]) -> tuple[Issue, ...]:
    """Values this reader and a YAML 1.2 reader (editors, check-jsonschema) see differently, as
    errors at the value (``yamlfile.yaml12_disagreements``), except where the schema already
    refused the value: one problem, one message. A file that passes is never such a file, so a
    cached verdict needs no second look."""
    refused = {issue.pointer for issue in schema_issues}
    found = []
    for path, message, hint in yaml12_disagreements(document):
        pointer = format_pointer(path)
        if pointer not in refused:
            line, column = document.position(path)
            found.append(Issue(message, path=document.path, line=line, column=column, pointer=pointer, hint=hint,
                               kind="syntax", rule="yaml-1.2"))
    return tuple(found)


def absent_file_layer(layer: str, reason: str, *, operator: bool = False) -> FileLayer:
    """A file layer with nothing to read: the ``app`` layer when no ``defaults=`` file is given."""
    return FileLayer(layer, "(none)", False, None, (), reason, "", operator)
