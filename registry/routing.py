"""The routing table: which provider a model id goes to and as what model, or why it goes nowhere.

``RouteTable`` is built once from the effective providers (prefix head -> provider, the fallback,
the disabled heads, the aliases) and is the one place that holds the model-id rules. It never
changes, so an id always gets the same answer: answers are remembered in bounded memos (an id
longer than ``MAX_MODEL_ID_LENGTH`` is refused and never remembered). What a refusal costs is
bounded too: the list of prefixes is written once per table and cut (``text.listed``), guesses come
from one ``suggest.Vocabulary`` per table, and the id is echoed through ``text.quoted``. ``resolve`` turns a ``Route``
into LiteLLM kwargs; ``check`` is the model-id validator. No I/O, no key is ever remembered.
"""

from __future__ import annotations

import re
from types import MappingProxyType

from .errors import InvalidModelIdError
from .suggest import Vocabulary
from .text import listed, quoted
from .values import EMPTY_MAPPING, Frozen, frozen_mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, Mapping

    from .provider import ModelSpec, Provider

__all__ = ["MAX_MODEL_ID_LENGTH", "MEMO_CHARS", "MEMO_LIMIT", "ModelIdCheck", "Route", "RouteTable"]

MAX_MODEL_ID_LENGTH = 512

# Answers remembered per table and memo; a full memo is emptied and fills again, so an agent that
# sees endless distinct ids costs bounded memory. Full means MEMO_LIMIT answers, or MEMO_CHARS
# characters of remembered ids (an answer holds about twice its id: the model and the LiteLLM
# string), so 4096 ids of 512 characters cannot make a memo 16 times the size of ordinary ones.
# A plain dict, not functools.lru_cache: a hit is the whole cost of a resolve call, and a dict
# lookup is about half the cost of an lru_cache hit (benchmarks/run.py); the sizes are counted
# on a miss only.
MEMO_LIMIT = 4096
MEMO_CHARS = 256 * 1024

# '<org>/<model>[:<tag>]' as on the Hugging Face Hub; the tag is a router suffix such as ':fastest'.
_HUB_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}(?::[A-Za-z0-9][A-Za-z0-9._-]{0,63})?")
_HUB_SHAPE = "'<org>/<model>[:<tag>]'"


class Route(Frozen):
    """Where one model id goes: the provider, the provider-side model name, and the model string
    LiteLLM is given (``<litellm_provider>/<model>``). ``via`` is ``prefix`` or ``fallback``;
    ``alias_of`` is the full id when the id was an alias."""

    __slots__ = ("provider", "model", "litellm_model", "via", "alias_of", "spec")
    provider: Provider
    model: str
    litellm_model: str
    via: str
    alias_of: str | None
    spec: ModelSpec | None  # what the files declare about this model (Provider.model), or None
    _defaults = {"alias_of": None, "spec": None}


class _Refusal(Frozen):
    """Why an id goes nowhere: the arguments of its InvalidModelIdError, remembered instead of it
    (an exception holds a traceback; each caller gets a fresh one)."""

    __slots__ = ("model_id", "reason", "suggestion")
    model_id: str
    reason: str
    suggestion: str | None

    def error(self) -> InvalidModelIdError:
        return InvalidModelIdError(self.model_id, self.reason, self.suggestion)


class ModelIdCheck(Frozen):
    """The verdict on one model id: ``ok`` when it is well formed and routes to an available
    provider, whether or not a key is configured now. ``key_missing`` says ``resolve`` would
    raise MissingApiKeyError without an explicit key, and ``key_hint`` is that error's
    explanation. ``suggestion`` may be set even when ``ok`` (``olama/x``)."""

    __slots__ = ("model_id", "ok", "provider", "model", "reason", "suggestion", "alias_of", "key_missing",
                 "key_hint", "note")
    model_id: str
    ok: bool
    provider: str | None
    model: str | None
    reason: str | None
    suggestion: str | None
    alias_of: str | None
    key_missing: bool
    key_hint: str | None
    note: str | None  # e.g. the model is missing from the provider's cached server list
    _defaults = {
        "provider": None, "model": None, "reason": None, "suggestion": None, "alias_of": None,
        "key_missing": False, "key_hint": None, "note": None,
    }

    def __bool__(self) -> bool:
        return self.ok


class RouteTable:
    """Prefix head -> provider, the fallback, the disabled heads and the aliases, built once.

    Not a value object: it owns the memos. Build a new table to change anything.
    """

    __slots__ = ("providers", "fallback", "aliases", "disabled", "_unavailable", "_commands", "_by_head", "_fallback",
                 "_routes", "_checks", "_heads", "_vocabulary", "_prefix_list", "_chars")

    def __init__(self, providers: Iterable[Provider], fallback: str | None = None,
                 aliases: Mapping[str, str] = EMPTY_MAPPING, disabled: Mapping[str, str] = EMPTY_MAPPING) -> None:
        by_name = {p.name: p for p in providers}
        self.providers: Mapping[str, Provider] = MappingProxyType(by_name)
        self.fallback = fallback if fallback in by_name else None
        self.aliases: Mapping[str, str] = frozen_mapping(aliases)
        self.disabled: Mapping[str, str] = frozen_mapping(disabled)  # prefix head -> provider name
        self._unavailable: Mapping[str, str] = frozen_mapping(  # provider name -> why (Provider.problems)
            {p.name: p.unavailable_reason for p in by_name.values() if p.problems})
        # The key commands, which may fail on first use and make their provider unavailable then.
        self._commands = {p.name: p.key_command for p in by_name.values() if p.key_command is not None}
        self._by_head = {p.prefix[:-1]: p for p in by_name.values()}  # keyed without the '/': one split finds it
        self._fallback = by_name.get(self.fallback) if self.fallback is not None else None
        self._heads: dict[str, str] | None = None  # normalised head -> head, built for the first suggestion
        self._vocabulary: Vocabulary | None = None  # the heads to guess from, built for the first suggestion
        self._prefix_list: str | None = None  # the prefixes as a refusal lists them, written once
        self._routes: dict[str, Route | _Refusal] = {}  # the memos: model id -> answer
        self._checks: dict[str, ModelIdCheck] = {}
        self._chars = [0, 0]  # characters of the ids each memo holds: routes, checks

    def __reduce__(self) -> tuple[Any, ...]:
        # The memos are not pickled: a copy is built again from the same providers.
        return (RouteTable, (tuple(self.providers.values()), self.fallback, dict(self.aliases), dict(self.disabled)))

    @property
    def unavailable(self) -> Mapping[str, str]:
        """Provider name -> why it cannot be used: a bad environment value or key file (known at
        load), or a key command that failed when first run."""
        failed = {name: command.problem.one_line() for name, command in self._commands.items()
                  if command.problem is not None}
        return frozen_mapping({**self._unavailable, **failed}) if failed else self._unavailable

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Every registered prefix, in provider order."""
        return tuple(p.prefix for p in self.providers.values())

    @property
    def remembered(self) -> int:
        """How many answers the memos hold now (at most ``MEMO_LIMIT`` each)."""
        return len(self._routes) + len(self._checks)

    @property
    def remembered_chars(self) -> int:
        """How many characters of ids the memos hold now (at most ``MEMO_CHARS`` each)."""
        return sum(self._chars)

    def provider_for_head(self, head: str) -> Provider | None:
        """The provider whose prefix is ``head`` + '/', in O(1)."""
        return self._by_head.get(head)

    def route(self, model_id: str) -> Route:
        """Where ``model_id`` goes; InvalidModelIdError when nowhere. Keys play no part."""
        try:
            verdict = self._routes[model_id]
        except (KeyError, TypeError):  # not seen yet, or not even hashable
            verdict = self._remember(self._routes, 0, model_id, self._decide(model_id))
        if verdict.__class__ is _Refusal:
            raise verdict.error()  # type: ignore[union-attr]
        return verdict  # type: ignore[return-value]

    def check(self, model_id: str) -> ModelIdCheck:
        """Whether ``model_id`` routes to an available provider, where, and why not; whether a key
        is configured now is ``key_missing``, not ``ok`` (an agent checks '/model X' before the
        session's key is known)."""
        checked = self._checks.get(model_id) if type(model_id) is str else None
        if checked is None:
            checked = self._remember(self._checks, 1, model_id, self._judge(model_id))
        if self._commands and checked.ok and checked.provider in self._commands:
            problem = self._commands[checked.provider].problem  # the command ran and failed since
            if problem is not None:
                return checked.replace(ok=False, reason=problem.one_line())
        return checked

    # -- the rules (each computed once per id; see the memos in __init__) ----------------------

    def _decide(self, model_id: object) -> Route | _Refusal:
        alias_of = self.aliases.get(model_id) if type(model_id) is str else None
        wanted = alias_of if alias_of is not None else model_id
        if type(wanted) is not str or not wanted or len(wanted) > MAX_MODEL_ID_LENGTH \
                or not wanted.isprintable() or " " in wanted:
            return _Refusal(_shown(model_id), _malformed_reason(wanted), None)
        head, slash, rest = wanted.partition("/")
        if slash:
            provider = self._by_head.get(head)
            if provider is not None:
                if not rest:
                    return _Refusal(wanted, f"nothing follows the prefix '{head}/'; write '{head}/<model>'", None)
                if provider.model_format == "hub" and not _HUB_MODEL.fullmatch(rest):
                    return _Refusal(wanted, f"{provider.name} model ids look like {_HUB_SHAPE}", None)
                return Route(provider, rest, f"{provider.litellm_provider}/{rest}", "prefix", alias_of,
                             provider.model(rest))
            if head in self.disabled:
                return _Refusal(wanted, f"provider {self.disabled[head]!r} is disabled", None)
        fallback = self._fallback
        if fallback is None:
            return _Refusal(wanted, self._no_prefix_reason(head if slash else None),
                            self._suggest(head, rest) if slash else None)
        if fallback.model_format == "hub" and not _HUB_MODEL.fullmatch(wanted):
            reason = (f"no registered prefix matches, and ids for the fallback provider {fallback.name!r} "
                      f"look like {_HUB_SHAPE}")
            return _Refusal(wanted, reason, self._suggest(head, rest) if slash else None)
        return Route(fallback, wanted, f"{fallback.litellm_provider}/{wanted}", "fallback", alias_of,
                     fallback.model(wanted))

    def _judge(self, model_id: object) -> ModelIdCheck:
        try:
            route = self.route(model_id)  # type: ignore[arg-type]
        except InvalidModelIdError as exc:
            alias_of = self.aliases.get(model_id) if isinstance(model_id, str) else None
            return ModelIdCheck(exc.model_id, False, reason=exc.reason, suggestion=exc.suggestion, alias_of=alias_of)
        provider, alias_of = route.provider, route.alias_of
        wanted: str = alias_of or model_id  # type: ignore[assignment]  # a routed id is a string
        suggestion = None
        if route.via == "fallback":
            head, slash, rest = wanted.partition("/")
            if slash:  # 'olama/x' is a valid fallback id, but likely a typo
                suggestion = self._suggest(head, rest)
        shown = wanted if alias_of is None else model_id
        key_missing = provider.api_key is None and provider.key_command is None
        key_hint = str(provider.missing_key_error()) if key_missing else None
        if provider.problems:  # a bad environment value: the id routes here but cannot resolve
            return ModelIdCheck(shown, False, provider.name, route.model, provider.unavailable_reason, suggestion,
                                alias_of, key_missing, key_hint)
        return ModelIdCheck(shown, True, provider.name, route.model, None, suggestion, alias_of, key_missing, key_hint)

    def _no_prefix_reason(self, head: str | None) -> str:
        if self._prefix_list is None:  # once per table, however many ids are refused
            self._prefix_list = listed(self.prefixes) or "none"
        prefixes = self._prefix_list
        if head is None:
            return f"the id has no provider prefix and no fallback provider is set; registered prefixes: {prefixes}"
        return (f"{quoted(head + '/')} is not a registered prefix and no fallback provider is set; "
                f"registered prefixes: {prefixes}")

    def _suggest(self, head: str, rest: str) -> str | None:
        """``ollama/x`` for ``olama/x`` or ``Ollama/x``; ``lm_studio/x`` for ``lmstudio/x``."""
        if self._heads is None or self._vocabulary is None:  # built on the first near miss: most tables never need it
            self._heads = {_normal(h): h for h in self._by_head}
            self._vocabulary = Vocabulary(self._by_head)
        match = self._heads.get(_normal(head))
        if match is None:
            match = self._vocabulary.close_match(head.lower(), valid_input=True)
        if match is None or match == head or not rest:
            return None
        return f"{match}/{rest}"


    def _remember(self, memo: dict[str, Any], which: int, model_id: object, answer: Any) -> Any:
        """Keep ``answer`` for ``model_id`` when it may be kept: a plain string within the id limit
        (anything else is refused anyway, and must not fill the memo). A memo at ``MEMO_LIMIT``
        answers or ``MEMO_CHARS`` characters is emptied first, and the guesses get a fresh budget."""
        if type(model_id) is str and len(model_id) <= MAX_MODEL_ID_LENGTH:
            chars = self._chars[which] + len(model_id)
            if len(memo) >= MEMO_LIMIT or chars > MEMO_CHARS:
                memo.clear()
                chars = len(model_id)
                if self._vocabulary is not None:
                    self._vocabulary.refill()
            memo[model_id] = answer
            self._chars[which] = chars
        return answer



def _normal(text: str) -> str:
    return text.lower().replace("_", "").replace("-", "").replace(".", "")


def _shown(model_id: object) -> str:
    """What an error names for an id: the id itself, or a short repr of a non-string (``quoted``
    makes a huge object 'a bytes value' rather than repr-ing megabytes into a message)."""
    return model_id if isinstance(model_id, str) else quoted(model_id)


def _malformed_reason(model_id: object) -> str:
    if not isinstance(model_id, str):
        return f"a model id must be a string, not {type(model_id).__name__}"
    if not model_id:
        return "the model id is empty"
    if len(model_id) > MAX_MODEL_ID_LENGTH:
        return f"the model id is longer than {MAX_MODEL_ID_LENGTH} characters"
    if any(ch.isspace() for ch in model_id):
        return "the model id contains whitespace"
    return "the model id contains a control or invisible character"
