"""Live checks against running servers: the only module that imports litellm, and with
``discovery.py`` and ``doctor.py`` (which reuse its request, reason and redaction helpers) the only
ones that open sockets.

``probe`` asks each provider's server ``GET {api_base}/models`` with the key ``load`` resolved and
reports whether it is up, how fast it answered, what it serves and, for a model id, whether that
model is among them. ``completion=True`` also sends a 1-token chat completion through
``litellm.acompletion`` with exactly the kwargs ``resolve`` returns.

Scale: every server is asked at once, up to ``concurrency()`` servers at a time (bounded by the
file-descriptor limit, so 10,000 providers cannot fail with EMFILE), and each probe's timeout
starts when the probe does, never while it waits for a slot: a healthy server is never timed out
behind hanging ones, and a run of up to ``concurrency()`` servers ends within about one timeout.

Secrets: a hostile server can echo anything it was sent (now or in an earlier run) in its status
line, headers, error bodies or model ids. Every text taken from a server or an exception is
redacted with every secret the registry holds (keys, header values and each long token of a header
value, see ``Echo``) *before* it is cut, and shown with controls escaped; the same redaction
filters the records of the HTTP and LiteLLM loggers while a probe runs.

``registry.probe`` (the package attribute) imports this module on first use. httpx, litellm,
asyncio and socket are imported inside the functions that use them, so that reaching
``registry.ProbeResult`` or checking a timeout costs a few milliseconds, not a second.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import quote, urlsplit

from .errors import ConfigError, InvalidModelIdError, MissingDependencyError, RegistryError
from .routing import MAX_MODEL_ID_LENGTH
from .secrets import is_placeholder_key, redact, redaction_values
from .suggest import close_match, did_you_mean
from .text import escape_controls, quoted
from .values import Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any

    from .model import Registry
    from .provider import Provider

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY", "CompletionCheck", "Echo", "ProbeResult", "ProviderProbe", "acomplete",
           "aprobe", "check_timeout", "concurrency", "connect_reason", "hostport", "http_reason", "import_litellm",
           "parse_models",
           "probe", "quiet_litellm", "read_capped", "redacted_logs", "request_headers", "run_sync", "sendable",
           "server_message", "unlock_key"]

DEFAULT_TIMEOUT = 3.0
_MAX_MESSAGE = 160  # server text is cut here (after redaction): a reason stays one readable line
_MAX_MODELS = 10_000  # a hostile or broken server cannot make us hold an unbounded list
MAX_BODY = 2 * 1024 * 1024  # bytes read from one reply: 10,000 model ids fit, a flood does not
_MAX_SLOTS = 1024  # servers asked at the same time, whatever the descriptor limit allows
_RESERVED_FDS = 64  # descriptors left to the caller (its files, logs, DNS lookups)
# The loggers that may record a server's reply or a request's headers while a probe runs.
_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy", "openai",
            "openai._base_client", "LiteLLM", "LiteLLM Router", "LiteLLM Proxy")

Progress = Callable[[int, int], None]


class CompletionCheck(Frozen):
    """The verdict of one 1-token chat completion sent with the kwargs ``resolve`` returns."""

    __slots__ = ("model_id", "ok", "latency_ms", "reason", "status")
    model_id: str
    ok: bool
    latency_ms: float | None
    reason: str
    status: int | None
    _defaults = {"status": None}

    def as_dict(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "ok": self.ok, "latency_ms": _rounded(self.latency_ms),
                "status": self.status, "reason": self.reason}


class ProviderProbe(Frozen):
    """What one server (one base URL of one provider) answered to ``GET /models``.

    ``model_listed`` is None when no model id was asked about; ``suggestion`` is a full model id
    close to the one asked for, taken from the served list.
    """

    __slots__ = (
        "name", "api_base", "up", "latency_ms", "status", "models", "reason", "model_id", "model",
        "model_listed", "suggestion", "completion",
    )
    name: str
    api_base: str
    up: bool
    latency_ms: float | None
    status: int | None
    models: tuple[str, ...]
    reason: str
    model_id: str | None
    model: str | None
    model_listed: bool | None
    suggestion: str | None
    completion: CompletionCheck | None
    _defaults = {
        "model_id": None, "model": None, "model_listed": None, "suggestion": None, "completion":
        None,
    }

    @property
    def ok(self) -> bool:
        """Up, serving the model asked about (if any), and completing (if asked to)."""
        return (self.up and self.model_listed is not False
                and (self.completion is None or self.completion.ok))

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of one entry of ``registry check --json``."""
        return {
            "provider": self.name, "api_base": self.api_base, "ok": self.ok, "up": self.up,
            "latency_ms": _rounded(self.latency_ms), "status": self.status, "reason": self.reason,
            "models": list(self.models), "model_id": self.model_id, "model": self.model,
            "model_listed": self.model_listed, "suggestion": self.suggestion,
            "completion": self.completion.as_dict() if self.completion else None,
        }


class ProbeResult(Frozen):
    """Every server probed, in a stable order (the order targets were given, then base URLs)."""

    __slots__ = ("probes", "timeout")
    probes: tuple[ProviderProbe, ...]
    timeout: float

    @property
    def ok(self) -> bool:
        """True when everything asked for is reachable (and listed, and completes, when asked)."""
        return bool(self.probes) and all(p.ok for p in self.probes)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.probes)

    def __len__(self) -> int:
        return len(self.probes)

    def for_provider(self, name: str) -> tuple[ProviderProbe, ...]:
        """The probes of one provider: one per base URL when it lists ``api_bases`` replicas."""
        return tuple(p for p in self.probes if p.name == name)

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of ``registry check --json``."""
        return {"status": "ok" if self.ok else "fail", "timeout": self.timeout,
                "probes": [p.as_dict() for p in self.probes]}


def check_timeout(timeout: float, name: str = "timeout") -> float:
    """``timeout`` when it is a positive, finite number of seconds; ValueError naming ``name`` otherwise."""
    if not (math.isfinite(timeout) and timeout > 0):
        raise ValueError(f"{name} must be a positive number of seconds, not {timeout!r}")
    return timeout


class _Target(Frozen):
    """One server to ask: a provider, one of its base URLs, and the model id asked about (if any)."""

    __slots__ = ("provider", "api_base", "model_id", "model", "completion")
    provider: "Provider"
    api_base: str
    model_id: str | None
    model: str | None
    completion: bool


def probe(reg: "Registry", target: str | Iterable[str] | None = None, *, timeout: float = DEFAULT_TIMEOUT,
          completion: bool = False, progress: Progress | None = None) -> ProbeResult:
    """Probe the servers behind ``target``: None (every enabled provider), a provider name, a model
    id or alias, or several of these. Raises UnknownProviderError / InvalidModelIdError for a
    target that names nothing; network failures are results, never exceptions.

    ``progress(done, total)`` is called once with ``done == 0`` before the first request, then
    after each server. Safe to call from code that already runs an event loop: the probes then
    run in a worker thread.
    """
    return run_sync(aprobe(reg, target, timeout=timeout, completion=completion, progress=progress))


def run_sync(coroutine: Any) -> Any:
    """Run ``coroutine`` to its end from synchronous code: here, or in a worker thread when the
    caller already runs an event loop (``asyncio.run`` refuses to nest). The one sync wrapper of
    ``probe``, ``discover`` and ``diagnose``."""
    import asyncio
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def aprobe(reg: "Registry", target: str | Iterable[str] | None = None, *,
                 timeout: float = DEFAULT_TIMEOUT, completion: bool = False,
                 progress: Progress | None = None) -> ProbeResult:
    """The async twin of :func:`probe`: every server is asked concurrently, ``concurrency()`` at a time."""
    check_timeout(timeout)
    if completion:
        import_litellm("a completion check")  # before any request: say which extra is missing
    targets = _targets(reg, target, completion)
    if progress is not None:
        progress(0, len(targets))  # before httpx is imported: a long run says at once what it does
    import asyncio

    import httpx  # deferred: only a live check pays for it

    echo = Echo(reg)
    slots = asyncio.Semaphore(concurrency(len(targets)))
    done = 0

    async def one(item: _Target, client: "httpx.AsyncClient") -> ProviderProbe:
        nonlocal done
        problem = await unlock_key(item.provider, echo)
        if problem is not None:  # a bad environment value or key command: there is nothing usable to ask
            result = ProviderProbe(item.provider.name, item.api_base, False, None, None, (),
                                   f"not checked: unavailable: {problem}", item.model_id, item.model)
        else:
            async with slots:  # each timeout starts here, once the probe holds its slot
                result = await _probe_server(item, client, timeout, echo)
                # A completion is only worth sending to a server that answered (with any status):
                # otherwise its error would restate the refused connection as a made-up HTTP status.
                if item.completion and item.model_id is not None and item.api_base == item.provider.api_base \
                        and result.status is not None:
                    result = _with_completion(result, await _complete(reg, item, timeout, echo))
        done += 1
        if progress is not None:
            progress(done, len(targets))
        return result

    # No pool limit of httpx's own: the semaphore is the one bound, so no probe can time out
    # waiting for a pooled connection while its clock runs.
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)
    with quiet_litellm(any(item.completion for item in targets)), redacted_logs(echo):
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, limits=limits) as client:
            probes = await asyncio.gather(*(one(item, client) for item in targets))
    return ProbeResult(tuple(probes), timeout)


async def unlock_key(provider: "Provider", echo: Echo) -> str | None:
    """Why ``provider`` cannot be asked (unavailable, or its key command failed), else None.

    A key command runs here, once per registry and off the event loop, and the key it printed
    joins ``echo``'s secrets: a server that echoes it back is redacted like any other key."""
    import asyncio

    problem = provider.unavailable_reason
    if problem is None and provider.api_key is None and provider.key_command is not None:
        try:
            echo.add((await asyncio.to_thread(provider.key_command.key, provider.name)).reveal())
        except ConfigError as exc:
            problem = exc.first.one_line()
    return problem


def request_headers(provider: "Provider") -> dict[str, str]:
    """The headers every request to ``provider``'s server carries: its configured headers and the
    key as a bearer token (after ``unlock_key``). Plain text: never log or store them."""
    headers = {name: value.reveal() for name, value in provider.headers.items()}
    key = _sent_key(provider)
    if key is not None:
        headers["Authorization"] = f"Bearer {key.reveal()}"
    return headers


def concurrency(count: int) -> int:
    """How many of ``count`` servers are asked at the same time: all of them, up to 1,024 and up to
    half the descriptors the process may still open (each probe holds one socket). Beyond that the
    probes run in waves, each with its own full timeout, so a run takes about
    ``ceil(count / concurrency(count))`` timeouts when every server hangs."""
    soft = 512  # without the resource module (Windows), what its select() loop handles
    try:
        import resource  # deferred: only a live check needs it

        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        soft = 2 * _MAX_SLOTS + _RESERVED_FDS if limit == resource.RLIM_INFINITY else limit
    except (ImportError, OSError, ValueError):
        pass
    return max(1, min(count, _MAX_SLOTS, (soft - _RESERVED_FDS) // 2))


class Echo:
    """The one path from server text to output: redact every secret the registry holds, then
    put the text on one line with controls escaped, then cut it.

    A hostile server may have been sent any provider's key (in this run or an earlier one), so
    the secrets are ``secrets.redaction_values`` of every provider (placeholder keys excepted).
    They are gathered once per run; each text is first searched for the few secrets it holds, so
    a registry with thousands of keys costs one substring test per key and text, not one regex.
    Without a registry (``registry doctor`` on a configuration that does not load), ``secrets``
    are the raw keys the caller knows; they are masked in addition to the registry's.
    """

    __slots__ = ("_forms",)

    def __init__(self, reg: "Registry | None" = None, secrets: Iterable[str] = ()) -> None:
        values: dict[str, None] = dict.fromkeys(value for value in secrets if value)
        for provider in (reg.providers.values() if reg is not None else ()):
            # Placeholder keys ("ollama", "vllm") are no secret, and masking them would mangle
            # every model id and message that names the server.
            key = provider.api_key.reveal() if provider.api_key else None
            placeholder = key if key and is_placeholder_key(key, provider.name) else None
            for value in redaction_values(provider):
                if value != placeholder:
                    values[value] = None
        # Each value with its percent-encoded form, which redact() masks too.
        self._forms = tuple((value, quote(value, safe="")) for value in values if value)

    def add(self, value: str) -> None:
        """One more secret: a key that a key command printed during this run."""
        if value and all(value != known for known, _ in self._forms):
            self._forms += ((value, quote(value, safe="")),)

    def hits(self, text: str) -> list[str]:
        """The secrets that occur in ``text`` (raw or percent-encoded): usually none."""
        return [value for value, encoded in self._forms if value in text or encoded in text]

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        found = self.hits(text)
        return redact(text, found) if found else text

    def line(self, text: object, limit: int = _MAX_MESSAGE) -> str:
        """Server text for a reason: redacted, on one line, controls escaped, at most ``limit``."""
        shown = escape_controls(" ".join(self.redact(str(text)).split()))
        return shown if len(shown) <= limit else shown[: limit - 1] + "…"

    def models(self, ids: list[str]) -> tuple[str, ...]:
        """Served model ids, redacted and with controls escaped; ids longer than any usable model
        id are dropped."""
        ids = [value for value in ids if len(value) <= MAX_MODEL_ID_LENGTH]
        found = self.hits("\n".join(ids))
        if found:
            ids = [redact(value, found) for value in ids]
        return tuple(sorted({escape_controls(value) for value in ids}))


class _RedactingFilter:
    """A logging filter that masks the secrets in records of the HTTP and LiteLLM loggers:
    httpx logs the server's status line, httpcore its headers, openai the request's headers."""

    def __init__(self, echo: Echo) -> None:
        self._echo = echo

    def filter(self, record: Any) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted is the logger's problem, not a leak
            return True
        cleaned = self._echo.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


@contextlib.contextmanager
def redacted_logs(echo: Echo) -> Iterator[None]:
    """While a run lasts, every record of ``_LOGGERS`` passes through a ``_RedactingFilter``.
    Each run adds and removes its own filter object, so concurrent runs do not undo each other."""
    import logging

    loggers = [logging.getLogger(name) for name in _LOGGERS]
    guard = _RedactingFilter(echo)
    for logger in loggers:
        logger.addFilter(guard)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(guard)


def import_litellm(feature: str) -> Any:
    """The litellm module, or MissingDependencyError naming the extra that installs it: a plain
    ``pip install provider-registry`` has no litellm, and only completions need it."""
    try:
        import litellm  # deferred: importing litellm costs about a second
    except ImportError:
        raise MissingDependencyError(feature, "litellm", "litellm") from None
    return litellm


@contextlib.contextmanager
def quiet_litellm(active: bool) -> Iterator[None]:
    """Without LiteLLM's 'Give Feedback' banner, which it prints on stdout for every failed call:
    a failed completion is a result here, and a caller's stdout may be data (``registry check``)."""
    if not active:
        yield
        return
    litellm = import_litellm("a completion check")
    before = litellm.suppress_debug_info
    litellm.suppress_debug_info = True
    try:
        yield
    finally:
        litellm.suppress_debug_info = before


def _targets(reg: "Registry", target: str | Iterable[str] | None, completion: bool) -> list[_Target]:
    """Expand the targets into servers: one per base URL of each provider, without repeats."""
    if target is None:
        names: list[str] = list(reg.providers)
    elif isinstance(target, str):
        names = [target]
    else:
        names = list(target)
    seen: set[tuple[str, str, str | None]] = set()
    targets: list[_Target] = []
    for name in names:
        provider, model_id, model = _classify(reg, name)
        for base in provider.all_api_bases:
            key = (provider.name, base, model_id)
            if key not in seen:
                seen.add(key)
                targets.append(_Target(provider, base, model_id, model, completion and model_id is not None))
    return targets


def _classify(reg: "Registry", name: str) -> tuple["Provider", str | None, str | None]:
    """A provider name, an alias or a model id -> the provider, the model id and its model part."""
    if not isinstance(name, str):
        raise InvalidModelIdError(repr(name), f"a target must be a string, not {type(name).__name__}")
    if name in reg.providers:
        return reg.providers[name], None, None
    if name in reg.aliases or "/" in name:
        route = reg.route(name)
        return route.provider, name, route.model
    return reg.provider(name), None, None  # raises UnknownProviderError with a did-you-mean


def _sent_key(provider: "Provider") -> Any:
    """The key a probe sends: the configured one, or what the key command printed (it has run by
    then, in ``aprobe``); None when there is none."""
    if provider.api_key is not None:
        return provider.api_key
    return provider.key_command.known_key if provider.key_command is not None else None


def _key_note(provider: "Provider") -> str:
    """Which key was sent and where it came from, or which variables would supply one. Never the key."""
    names = " or ".join(provider.api_key_env)
    source = provider.key_source
    if _sent_key(provider) is None:
        return f"no key was sent; set {names}" if names else "no key was sent; set api_key_env in the user file"
    if source == "placeholder":
        return (f"the placeholder key from the provider config was sent; set {names} to a real key"
                if names else "the placeholder key from the provider config was sent")
    if source == "user file":
        return "the key written in the user file was sent"
    return f"the key from {source} was sent"


def hostport(url: str) -> str:
    """``host:port`` of ``url`` (``[v6]:port``), the port made explicit: how reasons name a server."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def server_message(body: bytes) -> str | None:
    """The server's own error text, unredacted: ``error.message`` (or ``detail``) from JSON, else
    the text. The whole body is read (it is capped at ``MAX_BODY``), so nothing is cut before
    the caller redacts it."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text or None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
        if isinstance(error, str) and error:
            return error
        for key in ("detail", "message"):
            if data.get(key):
                return str(data[key])
    return text or None


def connect_reason(exc: BaseException, url: str, echo: Echo) -> str:
    """Refused, unresolvable, or another socket error: found by walking the exception chain,
    since httpx words a refusal differently depending on how many addresses it tried."""
    import socket

    where = hostport(url)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return f"connection refused at {where}: is the server running?"
        if isinstance(seen, socket.gaierror):
            return f"cannot resolve host {urlsplit(url).hostname!r}: check api_base and DNS"
        seen = seen.__cause__ or seen.__context__
    return f"cannot connect to {where}: {echo.line(exc) or type(exc).__name__}"


def http_reason(status: int, message: str | None, url: str, provider: "Provider") -> str:
    """One line for an HTTP error status of ``GET url``: the status, the server's (redacted)
    message, and what to do, naming which key was sent (never the key)."""
    try:
        from http import HTTPStatus  # deferred: only a failed answer needs the phrase

        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    head = f"HTTP {status} {phrase}".rstrip()
    said = f": {message}" if message else ""
    if status in (401, 403):
        return f"{head}{said}; the server refused the key ({_key_note(provider)})"
    if status == 404:
        return f"{head} for GET {url}: no /models here; api_base usually ends in /v1"
    if 300 <= status < 400:
        return f"{head}{said}; the server redirects: set api_base to the final URL"
    return f"{head}{said} ({_key_note(provider)})"


def parse_models(body: bytes) -> list[str] | None:
    """Model ids, as served, from an OpenAI-style ``{"data": [{"id": ...}]}`` (or Ollama's
    ``{"models": [{"name": ...}]}``); None when the shape is different."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    items = data.get("data") if isinstance(data, dict) else None
    if items is None and isinstance(data, dict):
        items = data.get("models")  # some servers use {"models": [{"name": ...}]}
    if not isinstance(items, list):
        return None
    ids = []
    for item in items[:_MAX_MODELS]:
        if isinstance(item, dict):
            value = item.get("id", item.get("name", item.get("model")))
            if isinstance(value, str):
                ids.append(value)
        elif isinstance(item, str):
            ids.append(item)
    return ids


def sendable(value: str) -> bool:
    """Whether a header value can go on the wire: printable ASCII, spaces and tabs."""
    return value.isascii() and all(char == "\t" or char.isprintable() for char in value)


async def read_capped(response: Any) -> bytes | None:
    """The decoded body, or None once it passes ``MAX_BODY`` (a flood, or a compression bomb)."""
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _probe_server(item: _Target, client: Any, timeout: float, echo: Echo) -> ProviderProbe:
    """``GET {api_base}/models`` within one deadline of ``timeout`` seconds from the start (connect,
    headers and body together: a server that trickles bytes cannot stretch it); every failure
    becomes a one-line reason."""
    import asyncio

    import httpx

    provider = item.provider
    url = item.api_base.rstrip("/") + "/models"
    headers = request_headers(provider)

    def down(reason: str, status: int | None = None, latency: float | None = None) -> ProviderProbe:
        return ProviderProbe(provider.name, item.api_base, False, latency, status, (),
                             escape_controls(echo.redact(reason)), item.model_id, item.model)

    unsendable = next((name for name, value in headers.items() if not sendable(value)), None)
    if unsendable is not None:  # httpx would raise, or h11 would quote the whole value in its error
        return down(f"header {quoted(unsendable)} was not sent: its value has a non-ASCII or control "
                    "character, and HTTP header values are printable ASCII")
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                content_type = response.headers.get("content-type", "")
                body = await read_capped(response)
    except (TimeoutError, httpx.TimeoutException):
        return down(f"timed out after {timeout:g} s waiting for {hostport(url)}")
    except httpx.ConnectError as exc:
        return down(connect_reason(exc, url, echo))
    except Exception as exc:  # httpx's errors, and any other (a header value httpx cannot encode)
        return down(f"request to {hostport(url)} failed: {echo.line(exc) or type(exc).__name__}")
    latency = (time.perf_counter() - started) * 1000
    if body is None:
        return down(f"GET {url} answered {status} with more than {MAX_BODY // (1024 * 1024)} MiB; "
                    "not a model list", status, latency)
    if status >= 300:
        message = server_message(body)
        return down(http_reason(status, echo.line(message) if message else None, url, provider), status, latency)
    served = parse_models(body)
    if served is None:
        what = echo.line(content_type.split(";")[0], 60) or "no content type"
        return down(f"GET {url} answered {status} but not with an OpenAI-style model list ({what}); "
                    "is this an OpenAI-compatible server?", status, latency)
    models = echo.models(served)
    listed, suggestion = None, None
    if item.model is not None:
        listed = item.model in models
        if not listed:
            suggestion = _suggest(item, models)
    count = f"{len(models)} model{'s' if len(models) != 1 else ''}"
    reason = f"up: {count} listed"
    if listed is False:
        reason = f"up, but {quoted(item.model)} is not among the {count} the server lists"
        if suggestion:
            reason += f" ({did_you_mean(suggestion)})"
    return ProviderProbe(provider.name, item.api_base, True, latency, status, models,
                         escape_controls(echo.redact(reason)), item.model_id, item.model, model_listed=listed,
                         suggestion=suggestion)


def _suggest(item: _Target, models: tuple[str, ...]) -> str | None:
    """The served model closest to the one asked for, as a full model id."""
    assert item.model is not None and item.model_id is not None
    folded = {m.lower(): m for m in models}
    match = folded.get(item.model.lower())
    if match is None:
        match = close_match(item.model, models)
    if match is None:
        return None
    prefix = item.provider.prefix
    return prefix + match if item.model_id.startswith(prefix) else match


def _with_completion(result: ProviderProbe, check: CompletionCheck) -> ProviderProbe:
    return result.replace(completion=check)


async def _complete(reg: "Registry", item: _Target, timeout: float, echo: Echo) -> CompletionCheck:
    """A 1-token chat completion through ``litellm.acompletion`` with the kwargs ``resolve`` returns."""
    assert item.model_id is not None
    try:
        kwargs = reg.resolve(item.model_id)
    except RegistryError as exc:
        return CompletionCheck(item.model_id, False, None, echo.line(exc))
    return await acomplete(kwargs, item.model_id, timeout, echo, _key_note(item.provider))


async def acomplete(kwargs: dict[str, Any], model_id: str, timeout: float, echo: Echo,
                    key_note: str | None = None) -> CompletionCheck:
    """A 1-token chat completion through ``litellm.acompletion(**kwargs)`` within its own deadline
    of ``timeout`` seconds; every failure is a verdict whose text went through ``echo``.
    ``key_note`` (which key was sent, never the key) is added to a refused key's reason."""
    import asyncio

    kwargs = {**kwargs, "timeout": timeout}
    litellm = import_litellm("a completion check")

    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            await litellm.acompletion(**kwargs, messages=[{"role": "user", "content": "ping"}],
                                      max_tokens=1, num_retries=0)
    except TimeoutError:
        return CompletionCheck(model_id, False, None, f"completion timed out after {timeout:g} s")
    except Exception as exc:  # litellm raises its own tree; any failure is a verdict, not a crash
        status = getattr(exc, "status_code", None)
        status = status if isinstance(status, int) else None
        head = f"HTTP {status}: " if status else ""
        reason = f"completion failed: {head}{echo.line(_litellm_message(exc))}"
        if status in (401, 403) and key_note:
            reason += f" ({key_note})"
        return CompletionCheck(model_id, False, None, escape_controls(echo.redact(reason)), status)
    latency = (time.perf_counter() - started) * 1000
    return CompletionCheck(model_id, True, latency, "completion ok", 200)


def _litellm_message(exc: Exception) -> str:
    """LiteLLM's message without its boilerplate (``litellm.XError: OpenAIException - ``)."""
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = str(text)
    for marker in ("Exception - ", "Error - "):
        if marker in text:
            text = text.split(marker, 1)[1]
    if text.startswith("{"):
        text = server_message(text.encode("utf-8")) or text
    return text.split(". Received Model Group")[0].strip() or type(exc).__name__


def _rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None
