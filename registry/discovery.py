"""Discovery: which models each server really serves, with the context window it runs them with
and what they can do (tools, vision, reasoning), and which endpoint said so.

``check`` asks whether a server is up; discovery asks what it serves. Every server answers the
generic OpenAI list (``GET {api_base}/models``); the local servers also have native endpoints that
say more, and which one answered tells which kind of server it is:

- llama.cpp's ``llama-server``: ``GET /props`` (the running context ``n_ctx``, modalities) and the
  ``meta.n_ctx_train`` of its ``/v1/models`` entries;
- LM Studio: ``GET /api/v0/models`` (``max_context_length``, ``loaded_context_length``, ``type``,
  ``state``, ``capabilities``);
- Ollama: ``GET /api/tags`` (the models), ``POST /api/show`` per model (trained
  ``<arch>.context_length``, ``capabilities``) and ``GET /api/ps`` (the loaded models and the
  context they run with);
- vLLM: ``max_model_len`` in its ``/v1/models`` entries; any other server is ``openai``.

The native endpoints live at the server's root (``api_base`` without its ``/v1``) and are asked
at the same time as the generic list; hosted providers get the generic list only. What the server
runs with wins over what the model was trained for: ``context_window`` is the served length when
one is known, ``trained_context_window`` keeps the trained one beside it.

Bounds: at most ``PER_SERVER`` requests to one server at a time, every request of one server
within one deadline of ``timeout`` seconds (like ``check``), servers concurrent (``live.concurrency``),
at most ``MAX_MODELS`` models per server and ``live.MAX_BODY`` bytes per reply.

Server text is untrusted: every id and reason passes through ``live.Echo`` (every secret the
registry holds is masked, controls escaped); a number is kept only when it is an int in
1..``MAX_CONTEXT``, a flag only when it is a JSON boolean.

Offline by default: successful results are kept in the cache (``cache.write_json_entry``, one
signed entry per provider and base URL, never a key or a header value); ``cached_models`` reads
them without any network.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .cache import DISCOVERY_SUBDIRECTORY, read_json_entry, write_json_entry
from .live import (DEFAULT_TIMEOUT, MAX_BODY, Echo, check_timeout, concurrency, connect_reason, hostport,
                   http_reason, read_capped, redacted_logs, request_headers, run_sync, sendable, server_message,
                   unlock_key)
from .routing import MAX_MODEL_ID_LENGTH
from .text import escape_controls, quoted
from .values import EMPTY_MAPPING, Frozen, frozen_mapping

TYPE_CHECKING = False  # see values.py: the package never imports typing at run time
if TYPE_CHECKING:
    from typing import Any, TypeAlias

    from .model import Registry
    from .provider import Provider

    # One field of one model as a server stated it: field name -> (value, endpoint).
    Facts: TypeAlias = dict[str, tuple[Any, str]]

__all__ = ["CACHE_SUBDIRECTORY", "MAX_CONTEXT", "MAX_MODELS", "PER_SERVER", "SERVER_KINDS", "Discovery",
           "ProviderModels", "ServedModel", "adiscover", "cached_models", "discover", "openai_kind", "parse_llamacpp_props",
           "parse_lmstudio_models", "parse_ollama_ps", "parse_ollama_show", "parse_ollama_tags",
           "parse_openai_models"]

MAX_MODELS = 1_000  # models handled per server: a hostile list cannot make us ask /api/show forever
PER_SERVER = 4  # requests to one server at the same time
MAX_CONTEXT = 100_000_000  # tokens: any larger (or non-positive) length is not believed
SERVER_KINDS = ("ollama", "llamacpp", "lmstudio", "vllm", "openai")
CACHE_SUBDIRECTORY = DISCOVERY_SUBDIRECTORY
_CACHE_FORMAT = 1
_FLAGS = ("tools", "vision", "reasoning", "loaded")
_COUNTS = ("context_window", "trained_context_window")



class ServedModel(Frozen):
    """One model as its server serves it. None means the server did not say; ``sources`` maps
    each known field to the endpoint it came from (``"GET /api/ps"``)."""

    __slots__ = ("id", "context_window", "trained_context_window", "tools", "vision", "reasoning", "loaded",
                 "sources")
    id: str
    context_window: int | None  # what the server runs it with (served wins), else the trained length
    trained_context_window: int | None
    tools: bool | None
    vision: bool | None
    reasoning: bool | None
    loaded: bool | None
    sources: Mapping[str, str]
    _defaults = {"context_window": None, "trained_context_window": None, "tools": None, "vision": None,
                 "reasoning": None, "loaded": None, "sources": EMPTY_MAPPING}

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "context_window": self.context_window,
                "trained_context_window": self.trained_context_window, "tools": self.tools, "vision": self.vision,
                "reasoning": self.reasoning, "loaded": self.loaded, "sources": dict(self.sources)}

    @classmethod
    def from_dict(cls, data: Any) -> ServedModel | None:
        """The model stored by ``as_dict``, every value checked again; None for a bad shape."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        raw_sources = data.get("sources")
        sources = {k: v for k, v in raw_sources.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(raw_sources, dict) else {}
        values: dict[str, Any] = {name: _count(data.get(name)) for name in _COUNTS}
        values.update({name: _flag(data.get(name)) for name in _FLAGS})
        return cls(escape_controls(data["id"][:MAX_MODEL_ID_LENGTH]), sources=frozen_mapping(sources), **values)


class ProviderModels(Frozen):
    """What one provider's server serves, as found at ``fetched_at`` (epoch seconds). ``reason``
    says why nothing was found (down, timed out, an HTTP status), else None. ``from_cache``
    is True for a result read back from the cache rather than asked for now."""

    __slots__ = ("provider", "api_base", "server", "models", "fetched_at", "reason", "from_cache")
    provider: str
    api_base: str
    server: str | None  # SERVER_KINDS: which kind of server answered
    models: tuple[ServedModel, ...]
    fetched_at: float
    reason: str | None
    from_cache: bool
    _defaults = {"reason": None, "from_cache": False}

    @property
    def ok(self) -> bool:
        return self.reason is None

    def model(self, model_id: str) -> ServedModel | None:
        """The served model called ``model_id`` (exactly as the server names it), or None."""
        return next((m for m in self.models if m.id == model_id), None)

    def as_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "api_base": self.api_base, "ok": self.ok, "server": self.server,
                "fetched_at": self.fetched_at, "from_cache": self.from_cache, "reason": self.reason,
                "models": [m.as_dict() for m in self.models]}


class Discovery(Frozen):
    """Every provider asked, in the order asked."""

    __slots__ = ("results",)
    results: tuple[ProviderModels, ...]

    @property
    def ok(self) -> bool:
        """True when every provider asked answered."""
        return bool(self.results) and all(r.ok for r in self.results)

    def for_provider(self, name: str) -> ProviderModels | None:
        return next((r for r in self.results if r.provider == name), None)

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of ``registry models --json``."""
        return {"status": "ok" if self.ok else "fail", "results": [r.as_dict() for r in self.results]}


# -- parsers: one per documented response body; each returns None for a body of another shape ----

def _json(body: bytes | None) -> Any:
    import json

    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _count(value: Any) -> int | None:
    """A token count the server stated: an int (not a bool) in 1..MAX_CONTEXT, else None."""
    return value if type(value) is int and 1 <= value <= MAX_CONTEXT else None


def _flag(value: Any) -> bool | None:
    return value if type(value) is bool else None


def _entries(data: Any, key: str) -> list[dict[str, Any]] | None:
    """The first MAX_MODELS objects of the list ``data[key]``; None when there is no such list."""
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    return [item for item in items[:MAX_MODELS] if isinstance(item, dict)]


def _strings(value: Any) -> set[str] | None:
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else None


def _put(facts: Facts, field: str, value: Any, source: str) -> None:
    if value is not None:
        facts[field] = (value, source)


def parse_openai_models(body: bytes | None, source: str) -> list[tuple[str, Facts]] | None:
    """``GET /v1/models``: ``data[].id``, with vLLM's served ``max_model_len`` and llama.cpp's
    trained ``meta.n_ctx_train`` when present.

    OpenAI: https://platform.openai.com/docs/api-reference/models/list
    vLLM: https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html (ModelCard.max_model_len)
    llama.cpp: https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md (GET /v1/models)
    """
    items = _entries(_json(body), "data")
    if items is None:
        return None
    models = []
    for item in items:
        if not isinstance(item.get("id"), str):
            continue
        facts: Facts = {}
        _put(facts, "context_window", _count(item.get("max_model_len")), source)
        meta = item.get("meta")
        if isinstance(meta, dict):
            _put(facts, "trained_context_window", _count(meta.get("n_ctx_train")), source)
        models.append((item["id"], facts))
    return models


def openai_kind(body: bytes | None) -> str:
    """``vllm`` for a list whose entries carry ``max_model_len`` or are owned by vllm, else ``openai``."""
    items = _entries(_json(body), "data") or []
    return "vllm" if any("max_model_len" in i or i.get("owned_by") == "vllm" for i in items) else "openai"


def parse_ollama_tags(body: bytes | None) -> list[str] | None:
    """``GET /api/tags``: ``models[].name`` (or ``model``).
    https://github.com/ollama/ollama/blob/main/docs/api.md#list-local-models"""
    items = _entries(_json(body), "models")
    if items is None:
        return None
    names = (item.get("name", item.get("model")) for item in items)
    return [name for name in names if isinstance(name, str)]


def parse_ollama_show(body: bytes | None, source: str) -> Facts | None:
    """``POST /api/show``: the trained length ``model_info["<arch>.context_length"]`` (``<arch>`` is
    ``general.architecture``) and ``capabilities`` ("tools", "vision", "thinking").
    https://github.com/ollama/ollama/blob/main/docs/api.md#show-model-information"""
    data = _json(body)
    if not isinstance(data, dict):
        return None
    facts: Facts = {}
    info = data.get("model_info")
    if isinstance(info, dict):
        arch = info.get("general.architecture")
        trained = _count(info.get(f"{arch}.context_length")) if isinstance(arch, str) else None
        if trained is None:  # no architecture named: the one context_length there is
            lengths = [_count(v) for k, v in info.items() if isinstance(k, str) and k.endswith(".context_length")]
            trained = lengths[0] if len(lengths) == 1 else None
        _put(facts, "trained_context_window", trained, source)
    capabilities = _strings(data.get("capabilities"))
    if capabilities is not None:
        facts["tools"] = ("tools" in capabilities, source)
        facts["vision"] = ("vision" in capabilities, source)
        facts["reasoning"] = ("thinking" in capabilities, source)
    return facts


def parse_ollama_ps(body: bytes | None) -> dict[str, int | None] | None:
    """``GET /api/ps``: the loaded models, each with the ``context_length`` it runs with (None
    from versions that do not say). https://github.com/ollama/ollama/blob/main/docs/api.md#list-running-models"""
    items = _entries(_json(body), "models")
    if items is None:
        return None
    loaded: dict[str, int | None] = {}
    for item in items:
        name = item.get("name", item.get("model"))
        if isinstance(name, str):
            loaded[name] = _count(item.get("context_length"))
    return loaded


def parse_llamacpp_props(body: bytes | None, source: str) -> Facts | None:
    """``GET /props``: ``default_generation_settings.n_ctx`` (the context the server runs with) and
    ``modalities.vision``; None without ``default_generation_settings`` (not llama-server).
    https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md (GET /props)"""
    data = _json(body)
    settings = data.get("default_generation_settings") if isinstance(data, dict) else None
    if not isinstance(settings, dict):
        return None
    facts: Facts = {}
    _put(facts, "context_window", _count(settings.get("n_ctx")), source)
    modalities = data.get("modalities")
    if isinstance(modalities, dict):
        _put(facts, "vision", _flag(modalities.get("vision")), source)
    return facts


def parse_lmstudio_models(body: bytes | None, source: str) -> list[tuple[str, Facts]] | None:
    """``GET /api/v0/models``: per model ``max_context_length`` (trained), ``loaded_context_length``
    (served, when loaded), ``state`` ("loaded"/"not-loaded"), ``type`` ("llm", "vlm", "embeddings")
    and ``capabilities`` ("tool_use"); None for a list without LM Studio's fields.
    https://lmstudio.ai/docs/developer/rest/endpoints (GET /api/v0/models)"""
    items = _entries(_json(body), "data")
    if items is None or not any(key in item for item in items for key in ("state", "max_context_length", "type")):
        return None
    models = []
    for item in items:
        if not isinstance(item.get("id"), str):
            continue
        facts: Facts = {}
        _put(facts, "trained_context_window", _count(item.get("max_context_length")), source)
        _put(facts, "context_window", _count(item.get("loaded_context_length")), source)
        state = item.get("state")
        if state in ("loaded", "not-loaded"):
            facts["loaded"] = (state == "loaded", source)
        kind = item.get("type")
        if kind in ("llm", "vlm"):
            facts["vision"] = (kind == "vlm", source)
        capabilities = _strings(item.get("capabilities"))
        if capabilities is not None:
            facts["tools"] = ("tool_use" in capabilities, source)
        models.append((item["id"], facts))
    return models


def _served(model_id: str, facts: Facts, echo: Echo) -> ServedModel | None:
    """A ServedModel from the facts about it: the id redacted and escaped (None when too long to be
    usable), the served length winning over the trained one."""
    if len(model_id) > MAX_MODEL_ID_LENGTH:
        return None
    values = {name: value for name, (value, _) in facts.items()}
    sources = {name: source for name, (_, source) in facts.items()}
    if "context_window" not in values and "trained_context_window" in values:  # nothing served known
        values["context_window"] = values["trained_context_window"]
        sources["context_window"] = sources["trained_context_window"]
    return ServedModel(escape_controls(echo.redact(model_id)), sources=frozen_mapping(sources), **values)


# -- asking one server -----------------------------------------------------------------------------

class _Reply(Frozen):
    """One answer: its status and body (None past MAX_BODY), or the exception that stood for it."""

    __slots__ = ("url", "status", "body", "content_type", "error")
    url: str
    status: int | None
    body: bytes | None
    content_type: str
    error: BaseException | None

    @property
    def good(self) -> bool:
        return self.error is None and self.status is not None and self.status < 300 and self.body is not None


class _Server:
    """The requests to one server: its headers, at most PER_SERVER at a time."""

    def __init__(self, client: Any, headers: dict[str, str]) -> None:
        import asyncio

        self.client = client
        self.headers = headers
        self.slots = asyncio.Semaphore(PER_SERVER)

    async def ask(self, method: str, url: str, payload: Any = None) -> _Reply:
        async with self.slots:
            try:
                async with self.client.stream(method, url, headers=self.headers, json=payload) as response:
                    body = await read_capped(response)
                    return _Reply(url, response.status_code, body, response.headers.get("content-type", ""), None)
            except Exception as exc:  # a failed request is an answer: the caller words it
                return _Reply(url, None, None, "", exc)


def _label(method: str, url: str) -> str:
    """``GET /v1/models``: the endpoint a value came from, as shown beside it."""
    return escape_controls(f"{method} {urlsplit(url).path or '/'}")


def _root(api_base: str) -> str:
    """Where the native endpoints live: the base URL without its OpenAI ``/v1``."""
    base = api_base.rstrip("/")
    return base[:-3] if base.endswith("/v1") else base


def _failure(reply: _Reply, provider: Provider, timeout: float, echo: Echo) -> str:
    """Why the generic list gave nothing, worded as ``check`` words it."""
    import httpx

    url = reply.url
    if reply.error is not None:
        if isinstance(reply.error, httpx.TimeoutException):
            return f"timed out after {timeout:g} s waiting for {hostport(url)}"
        if isinstance(reply.error, httpx.ConnectError):
            return connect_reason(reply.error, url, echo)
        return f"request to {hostport(url)} failed: {echo.line(reply.error) or type(reply.error).__name__}"
    assert reply.status is not None
    if reply.body is None:
        return f"GET {url} answered {reply.status} with more than {MAX_BODY // (1024 * 1024)} MiB; not a model list"
    if reply.status >= 300:
        message = server_message(reply.body)
        return http_reason(reply.status, echo.line(message) if message else None, url, provider)
    what = echo.line(reply.content_type.split(";")[0], 60) or "no content type"
    return f"GET {url} answered {reply.status} but not with an OpenAI-style model list ({what})"


async def _explore(provider: Provider, api_base: str, server: _Server, timeout: float,
                   echo: Echo) -> tuple[str | None, list[tuple[str, Facts]], str | None]:
    """(server kind, models and their facts, reason): the generic list and, for a local server,
    the native endpoints, all asked at once; then Ollama's per-model details when it is Ollama."""
    import asyncio

    generic_url = api_base.rstrip("/") + "/models"
    root = _root(api_base)
    asks = [server.ask("GET", generic_url)]
    if provider.kind != "hosted":  # a hosted router has only the OpenAI list
        asks += [server.ask("GET", root + "/props"), server.ask("GET", root + "/api/v0/models"),
                 server.ask("GET", root + "/api/tags")]
    replies = await asyncio.gather(*asks)
    generic = replies[0]
    listed = parse_openai_models(generic.body, _label("GET", generic_url)) if generic.good else None
    props, studio, tags = replies[1:] if len(replies) == 4 else (None, None, None)

    if props is not None and props.good and listed:
        found = parse_llamacpp_props(props.body, _label("GET", props.url))
        if found is not None:
            return "llamacpp", [(model_id, {**facts, **found}) for model_id, facts in listed], None
    if studio is not None and studio.good:
        models = parse_lmstudio_models(studio.body, _label("GET", studio.url))
        if models is not None:
            return "lmstudio", models, None
    if tags is not None and tags.good:
        names = parse_ollama_tags(tags.body)
        if names is not None:
            return "ollama", await _ollama_details(root, names, server), None
    if listed is not None:
        return openai_kind(generic.body), listed, None
    return None, [], _failure(generic, provider, timeout, echo)


async def _ollama_details(root: str, names: list[str], server: _Server) -> list[tuple[str, Facts]]:
    """Each Ollama model with its /api/show facts, and the served context of the loaded ones."""
    import asyncio

    show_url, ps_url = root + "/api/show", root + "/api/ps"
    show_label, ps_label = _label("POST", show_url), _label("GET", ps_url)
    names = list(dict.fromkeys(names))[:MAX_MODELS]
    replies = await asyncio.gather(server.ask("GET", ps_url),
                                   *(server.ask("POST", show_url, {"model": name}) for name in names))
    loaded = parse_ollama_ps(replies[0].body) if replies[0].good else None
    models = []
    for name, reply in zip(names, replies[1:]):
        facts = (parse_ollama_show(reply.body, show_label) if reply.good else None) or {}
        if loaded is not None:
            facts["loaded"] = (name in loaded, ps_label)
            if loaded.get(name) is not None:
                facts["context_window"] = (loaded[name], ps_label)
        models.append((name, facts))
    return models


async def _discover_server(provider: Provider, client: Any, timeout: float, echo: Echo) -> ProviderModels:
    """Everything one server says, within one deadline of ``timeout`` seconds for all its requests."""
    import asyncio

    api_base = provider.api_base
    fetched_at = time.time()

    def failed(reason: str) -> ProviderModels:
        return ProviderModels(provider.name, api_base, None, (), fetched_at, escape_controls(echo.redact(reason)))

    headers = request_headers(provider)
    unsendable = next((name for name, value in headers.items() if not sendable(value)), None)
    if unsendable is not None:
        return failed(f"header {quoted(unsendable)} was not sent: its value has a non-ASCII or control "
                      "character, and HTTP header values are printable ASCII")
    try:
        async with asyncio.timeout(timeout):
            kind, found, reason = await _explore(provider, api_base, _Server(client, headers), timeout, echo)
    except TimeoutError:
        return failed(f"timed out after {timeout:g} s waiting for {hostport(api_base)}")
    if reason is not None:
        return failed(reason)
    models: dict[str, ServedModel] = {}
    for model_id, facts in found:
        model = _served(model_id, facts, echo)
        if model is not None:
            models.setdefault(model.id, model)
    return ProviderModels(provider.name, api_base, kind, tuple(sorted(models.values(), key=lambda m: m.id)),
                          fetched_at)


# -- the public pair -------------------------------------------------------------------------------

def discover(reg: Registry, providers: str | Iterable[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT,
             cache: bool = True) -> Discovery:
    """Ask the servers of ``providers`` (None: every provider; a name; or several) what they serve.
    UnknownProviderError for a name that is not a provider; network failures are results. With
    ``cache``, each successful result is stored for ``cached_models``. Safe to call from code that
    already runs an event loop: the requests then run in a worker thread."""
    return run_sync(adiscover(reg, providers, timeout=timeout, cache=cache))


async def adiscover(reg: Registry, providers: str | Iterable[str] | None = None, *,
                    timeout: float = DEFAULT_TIMEOUT, cache: bool = True) -> Discovery:
    """The async twin of :func:`discover`: servers are asked concurrently, each within its own deadline."""
    import asyncio

    import httpx  # deferred: only a live discovery pays for it

    check_timeout(timeout)
    if providers is None:
        names = list(reg.providers)
    else:
        names = list(dict.fromkeys([providers] if isinstance(providers, str) else providers))
    targets = [reg.provider(name) for name in names]  # raises UnknownProviderError with a did-you-mean
    echo = Echo(reg)
    servers = asyncio.Semaphore(max(1, concurrency(len(targets) * PER_SERVER) // PER_SERVER))

    async def one(provider: Provider, client: httpx.AsyncClient) -> ProviderModels:
        problem = await unlock_key(provider, echo)
        if problem is not None:
            return ProviderModels(provider.name, provider.api_base, None, (), time.time(),
                                  escape_controls(echo.redact(f"not checked: unavailable: {problem}")))
        async with servers:  # each deadline starts once the server holds its slot
            return await _discover_server(provider, client, timeout, echo)

    limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
    with redacted_logs(echo):
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, limits=limits) as client:
            results = await asyncio.gather(*(one(provider, client) for provider in targets))
    if cache:
        await asyncio.to_thread(_store, reg.app_name, [r for r in results if r.ok])
    return Discovery(tuple(results))


# -- the cache -------------------------------------------------------------------------------------

def _entry_name(provider: str, api_base: str) -> str:
    from hashlib import blake2b

    return blake2b(f"{provider}\0{api_base}".encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _store(app_name: str, results: list[ProviderModels]) -> None:
    """One signed entry per provider and base URL: ids, numbers, flags and endpoints, no key."""
    for result in results:
        entry = {"format": _CACHE_FORMAT, "provider": result.provider, "api_base": result.api_base,
                 "server": result.server, "fetched_at": result.fetched_at,
                 "models": [m.as_dict() for m in result.models]}
        write_json_entry(app_name, CACHE_SUBDIRECTORY, _entry_name(result.provider, result.api_base), entry)


def cached_models(reg: Registry, provider_name: str) -> ProviderModels | None:
    """The last successful discovery of ``provider_name``'s server (at its current ``api_base``),
    read from the cache only, never the network; None when there is none (or no such provider,
    or the cache is off, or the entry is not trusted)."""
    provider = reg.providers.get(provider_name)
    if provider is None:
        return None
    entry = read_json_entry(reg.app_name, CACHE_SUBDIRECTORY, _entry_name(provider.name, provider.api_base))
    if not isinstance(entry, dict) or entry.get("format") != _CACHE_FORMAT or entry.get("provider") != provider.name \
            or entry.get("api_base") != provider.api_base:
        return None
    fetched_at, server, stored = entry.get("fetched_at"), entry.get("server"), entry.get("models")
    if not isinstance(fetched_at, (int, float)) or isinstance(fetched_at, bool) or not isinstance(stored, list):
        return None
    echo = Echo(reg)  # a key configured since the entry was written is masked too
    models = tuple(m.replace(id=echo.redact(m.id)) for m in (ServedModel.from_dict(item) for item in stored[:MAX_MODELS])
                   if m is not None)
    return ProviderModels(provider.name, provider.api_base, server if server in SERVER_KINDS else None, models,
                          float(fetched_at), from_cache=True)
