"""The base-URL doctor: where a provider's server really answers, what server it is, and the line to fix.

Base URLs are pasted wrong all the time: with ``/chat/completions`` (or another endpoint) at the
end, ``/v1/v1``, without ``/v1``, with a trailing slash. For each provider the doctor takes the
base URL *as written* (from ``LoadReport.raw_api_bases``, so it works when ``load`` refuses the
value), derives a few candidates (:func:`candidates`), asks each ``GET {candidate}/models``, and
asks the host a few fingerprint paths to name the server (:data:`SERVER_KINDS`). The verdict says
which candidate works, whether it differs from the configured one, and the exact YAML (or
``export``) line that fixes it.

Safety and cost, as in ``live.py``: candidates only change the path, so a key is never sent to
another host than the configured one; every candidate must pass ``urls.parse_base_url`` under the
URL policy (no metadata host, no query that may hold a key); no redirect is followed; every text
from a server goes through ``live.Echo``. A provider costs at most ``MAX_CANDIDATES`` plus
``len(FINGERPRINTS)`` requests, all at once, each within the timeout; providers run concurrently
with the socket bound of ``live.concurrency``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from .errors import ConfigError, UnknownProviderError
from .live import (
    DEFAULT_TIMEOUT, CompletionCheck, Echo, acomplete, check_timeout, concurrency, connect_reason, hostport,
    import_litellm, parse_models, quiet_litellm, read_capped, redacted_logs, request_headers, run_sync, server_message,
    unlock_key,
)
from .provider import Origin
from .suggest import close_match
from .text import escape_controls
from .urls import ENDPOINT_PATHS, BaseUrl, UrlPolicy, is_quotable_url, parse_base_url, quote_url
from .values import Frozen

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any

    from .loader import LoadReport
    from .model import Registry
    from .provider import Provider

__all__ = ["FINGERPRINTS", "MAX_CANDIDATES", "SERVER_KINDS", "Attempt", "DoctorReport", "Verdict", "adiagnose",
           "candidates", "diagnose", "identify", "yaml_fix"]

MAX_CANDIDATES = 4  # the URL as written, endpoint stripped, /v1 added or removed, /v1/v1 collapsed

# Server kind -> how messages name it.
SERVER_KINDS: dict[str, str] = {
    "litellm": "LiteLLM's proxy",
    "llamacpp": "llama.cpp's llama-server",
    "lm_studio": "LM Studio",
    "ollama": "Ollama",
    "vllm": "vLLM",
}
# The kind of server a built-in provider expects, and its default port (for "the port of another server").
_EXPECTED: dict[str, tuple[str, int]] = {
    "ollama": ("ollama", 11434), "lm_studio": ("lm_studio", 1234), "vllm": ("vllm", 8000),
    "llamacpp": ("llamacpp", 8080),
}

# Paths asked at the server's root (the base URL without its /v1), in the order they decide the kind.
FINGERPRINTS: tuple[str, ...] = (
    # LiteLLM proxy: "GET /health/liveliness, auth none, returns \"I'm alive!\"" (docs.litellm.ai/docs/proxy/health).
    "/health/liveliness",
    # llama.cpp llama-server: GET /props returns default_generation_settings, total_slots, build_info ...
    # (tools/server README; https://mvysny.github.io/llama-server-endpoints/). Asked before Ollama's
    # paths: llama-server also answers an Ollama-compatible shim.
    "/props",
    # LM Studio's REST API v0: GET /api/v0/models lists models (lmstudio.ai/docs/developer/rest/endpoints).
    "/api/v0/models",
    # Ollama: GET /api/version -> {"version": "0.12.6"} (docs.ollama.com/api-reference/get-version),
    # GET /api/tags -> {"models": [{"name": ...}]} (docs.ollama.com/api).
    "/api/version",
    "/api/tags",
    # vLLM's OpenAI-compatible server: GET /version -> {"version": ...} (its custom APIs,
    # docs.vllm.ai/en/latest/serving/openai_compatible_server.html); its /v1/models entries carry max_model_len.
    "/version",
    # llama.cpp: GET /health -> {"status": "ok"} once the model is loaded (weak: asked last).
    "/health",
)
_V1_RUN = re.compile(r"(?:/v1){2,}(?=/|$)", re.IGNORECASE)
_V1_TAIL = re.compile(r"(?:/v1)+$", re.IGNORECASE)


class Attempt(Frozen):
    """One candidate base URL and what ``GET {api_base}/models`` answered."""

    __slots__ = ("api_base", "status", "models", "reason")
    api_base: str
    status: int | None
    models: tuple[str, ...] | None  # None unless the answer was an OpenAI-style model list
    reason: str

    @property
    def ok(self) -> bool:
        return self.models is not None

    def as_dict(self) -> dict[str, Any]:
        return {"api_base": self.api_base, "ok": self.ok, "status": self.status, "reason": self.reason,
                "models": list(self.models) if self.models is not None else None}


class Verdict(Frozen):
    """The doctor's verdict on one provider's base URL.

    ``configured`` is the value as written (masked when it may hold a key), ``origin`` where it
    came from; ``working`` the first candidate that listed models (None when none did);
    ``changed`` whether that differs from the base URL the registry reads from ``configured``;
    ``kind`` a key of :data:`SERVER_KINDS` (None when unknown) and ``evidence`` what showed it;
    ``fix`` the text to paste (a YAML snippet, or an ``export`` line when the value came from a
    variable); ``problem`` why the registry refuses ``configured`` (None when it accepts it).
    """

    __slots__ = ("name", "configured", "origin", "problem", "attempts", "working", "changed", "kind", "evidence",
                 "fix", "note", "completion")
    name: str
    configured: str
    origin: Origin
    problem: str | None
    attempts: tuple[Attempt, ...]
    working: str | None
    changed: bool
    kind: str | None
    evidence: str | None
    fix: str | None
    note: str | None
    completion: CompletionCheck | None
    _defaults = {"completion": None}

    @property
    def ok(self) -> bool:
        """A working base URL, the configured one, and a completion that works (when one was sent)."""
        return (self.working is not None and not self.changed
                and (self.completion is None or self.completion.ok))

    @property
    def summary(self) -> str:
        """One line: ``ok``, ``fix: ...`` or ``down: ...`` with what was tried."""
        kind = f" ({SERVER_KINDS[self.kind]})" if self.kind else ""
        if self.working is not None and not self.changed:
            head = f"ok: {self.working} answers{kind}"
        elif self.working is not None:
            head = f"fix: {self.working} answers{kind}, not the configured {quote_url(self.configured)}"
        elif not self.attempts:
            head = f"cannot try the configured base URL: {self.problem}"
        else:
            tried = ", ".join(attempt.api_base for attempt in self.attempts)
            reasons = list(dict.fromkeys(attempt.reason for attempt in self.attempts))
            said = reasons[0] if len(reasons) == 1 else "; ".join(
                f"{attempt.api_base}: {attempt.reason}" for attempt in self.attempts)
            head = f"down: nothing listed models{kind} (tried {tried}): {said}"
        if self.completion is not None and self.working is not None:
            head += ("; listing works, chat works" if self.completion.ok
                     else f"; listing works, chat fails: {self.completion.reason}")
        return head

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of one entry of ``registry doctor --json``."""
        return {
            "provider": self.name, "ok": self.ok, "configured": self.configured,
            "origin": {"layer": self.origin.layer, "source": self.origin.source, "line": self.origin.line},
            "problem": self.problem, "working": self.working, "changed": self.changed, "kind": self.kind,
            "kind_name": SERVER_KINDS.get(self.kind or ""), "evidence": self.evidence, "fix": self.fix,
            "note": self.note, "summary": self.summary, "attempts": [attempt.as_dict() for attempt in self.attempts],
            "completion": self.completion.as_dict() if self.completion else None,
        }


class DoctorReport(Frozen):
    """Every provider diagnosed, in the order asked (default: the order of the configuration)."""

    __slots__ = ("verdicts", "timeout")
    verdicts: tuple[Verdict, ...]
    timeout: float

    @property
    def ok(self) -> bool:
        """Every provider answers at its configured base URL (and completes, when asked)."""
        return bool(self.verdicts) and all(verdict.ok for verdict in self.verdicts)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def as_dict(self) -> dict[str, Any]:
        """The stable shape of ``registry doctor --json``."""
        return {"status": "ok" if self.ok else "fail", "timeout": self.timeout,
                "verdicts": [verdict.as_dict() for verdict in self.verdicts]}


def candidates(text: str, policy: UrlPolicy | None = None, *, trusted: bool = False) -> tuple[str, ...]:
    """The base URLs worth asking for ``text`` as written, best first, at most ``MAX_CANDIDATES``:
    the URL itself, without an endpoint suffix (``/chat/completions`` ...), with ``/v1/v1``
    collapsed, with ``/v1`` added or removed. Each is in the registry's normal form (no trailing
    ``/``; ``/v1`` when the path is empty) and passes ``parse_base_url`` under ``policy``, so
    only the path ever changes and a URL the registry would refuse for another reason (a query
    that may hold a key, a metadata host) is never asked."""
    url = text.strip().rstrip("/")
    head, sep, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if not sep:
        return ()
    root = f"{head}://{authority}"
    path = (slash + path).rstrip("/")
    stripped = path
    while stripped.lower().endswith(ENDPOINT_PATHS):
        endpoint = next(e for e in ENDPOINT_PATHS if stripped.lower().endswith(e))
        stripped = stripped[: -len(endpoint)].rstrip("/")
    collapsed = _V1_RUN.sub("/v1", stripped)
    toggled = collapsed[:-3] if collapsed.lower().endswith("/v1") else collapsed + "/v1"
    found: dict[str, None] = {}
    for candidate_path in (path, stripped, collapsed, toggled):
        parsed = parse_base_url(root + candidate_path, policy or UrlPolicy(), trusted=trusted)
        if isinstance(parsed, BaseUrl):
            found.setdefault(parsed.normal, None)
    return tuple(found)[:MAX_CANDIDATES]


def identify(replies: dict[str, tuple[int | None, tuple[str, ...], Any]],
             models_body: Any = None) -> tuple[str | None, str | None]:
    """The server kind and the evidence, from ``replies`` (fingerprint path -> status, lowercased
    header names, parsed JSON or text) and the JSON of a ``/models`` answer; (None, None) when
    nothing is recognised. Also used on the replies of the candidates (their headers)."""
    for path, (status, headers, _) in replies.items():
        if any(name.startswith("x-litellm-") for name in headers):
            return "litellm", f"GET {path} answered with x-litellm-* headers"
        if status == 401 and _litellm_auth_error(replies[path][2]):
            return "litellm", f"GET {path} answered 401 with LiteLLM's auth_error"
    for path in FINGERPRINTS:
        status, _, data = replies.get(path, (None, (), None))
        if status != 200:
            continue
        kind = _fingerprint(path, data)
        if kind is not None:
            return kind, f"GET {path} answered"
    if isinstance(models_body, dict) and isinstance(models_body.get("data"), list) and any(
            isinstance(entry, dict) and "max_model_len" in entry for entry in models_body["data"][:100]):
        return "vllm", "its /models entries carry max_model_len"
    return None, None


def _fingerprint(path: str, data: Any) -> str | None:
    """The kind a 200 answer of ``path`` shows (its shape, not only its status), or None."""
    if path == "/health/liveliness":
        return "litellm" if isinstance(data, str) and "alive" in data.lower() else None
    if not isinstance(data, dict):
        return None
    if path == "/props":
        return "llamacpp" if "default_generation_settings" in data or "total_slots" in data else None
    if path == "/api/v0/models":
        return "lm_studio" if isinstance(data.get("data"), list) else None
    if path == "/api/version":
        return "ollama" if isinstance(data.get("version"), str) and len(data) <= 3 else None
    if path == "/api/tags":
        return "ollama" if isinstance(data.get("models"), list) else None
    if path == "/version":
        return "vllm" if isinstance(data.get("version"), str) and len(data) <= 3 else None
    if path == "/health":
        return "llamacpp" if data.get("status") in ("ok", "loading model") and len(data) <= 2 else None
    return None


def _litellm_auth_error(data: Any) -> bool:
    """LiteLLM's 401: ``{"error": {"message": "Authentication Error, ...", "type": "auth_error", ...}}``."""
    error = data.get("error") if isinstance(data, dict) else None
    return isinstance(error, dict) and (error.get("type") == "auth_error"
                                        or str(error.get("message", "")).startswith("Authentication Error"))


def yaml_fix(name: str, api_base: str, origin: Origin) -> str:
    """The text that fixes ``name``'s base URL: ``export VAR=...`` when the value came from a
    variable (the variable wins over any file), else a YAML snippet for the user file."""
    if origin.layer == "env":
        return f"export {origin.source}={api_base}"
    key = name if re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name) else json.dumps(name)
    return f"providers:\n  {key}:\n    api_base: {api_base}"


class _Subject(Frozen):
    """One provider to diagnose: its raw base URL and what a request to its host may carry."""

    __slots__ = ("name", "text", "origin", "policy", "trusted", "provider")
    name: str
    text: str
    origin: Origin
    policy: UrlPolicy
    trusted: bool
    provider: "Provider | None"  # None when the registry did not load (then the raw key is used)


def diagnose(report: "LoadReport", providers: str | Iterable[str] | None = None, *,
             timeout: float = DEFAULT_TIMEOUT, completion: bool = False) -> DoctorReport:
    """Diagnose the base URLs of ``providers`` (default: every provider with a base URL) from an
    ``inspect`` report, which need not hold a registry: a refused base URL is what the doctor is
    for. Raises ConfigError when a file did not parse (there is no draft), UnknownProviderError
    for a name that is not configured; network failures are verdicts. Safe to call from code
    that runs an event loop (it then runs in a worker thread)."""
    return run_sync(adiagnose(report, providers, timeout=timeout, completion=completion))


async def adiagnose(report: "LoadReport", providers: str | Iterable[str] | None = None, *,
                    timeout: float = DEFAULT_TIMEOUT, completion: bool = False) -> DoctorReport:
    """The async twin of :func:`diagnose`."""
    check_timeout(timeout)
    if completion:
        import_litellm("a completion check")  # before any request: say which extra is missing
    subjects = _subjects(report, providers)
    import asyncio

    import httpx  # deferred: only a live check pays for it

    reg = report.registry
    raw_keys = dict(report.raw_api_keys or {})
    echo = Echo(reg, raw_keys.values())
    per_provider = MAX_CANDIDATES + len(FINGERPRINTS)
    slots = asyncio.Semaphore(max(1, concurrency(len(subjects) * per_provider) // per_provider))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=0)

    async def one(subject: _Subject, client: httpx.AsyncClient) -> Verdict:
        headers = await _headers(subject, raw_keys.get(subject.name), echo)
        async with slots:  # each provider's timeout starts once it holds its slot
            verdict = await _diagnose_one(subject, client, headers, timeout, echo)
            if completion and verdict.working is not None:
                best = next(attempt for attempt in verdict.attempts if attempt.api_base == verdict.working)
                verdict = verdict.replace(completion=await _complete(subject, reg, verdict.working, best,
                                                                     headers, timeout, echo))
        return verdict

    with quiet_litellm(completion), redacted_logs(echo):
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, limits=limits) as client:
            verdicts = await asyncio.gather(*(one(subject, client) for subject in subjects))
    return DoctorReport(tuple(verdicts), timeout)


def _subjects(report: "LoadReport", providers: str | Iterable[str] | None) -> list[_Subject]:
    if report.raw_api_bases is None:
        raise ConfigError(report.errors)
    from .loader import OPERATOR_LAYERS  # deferred: loader imports the whole build

    raw = report.raw_api_bases
    reg: Registry | None = report.registry
    policy = report.url_policy or (reg.url_policy if reg is not None else UrlPolicy())
    names = list(raw) if providers is None else [providers] if isinstance(providers, str) else list(providers)
    subjects: list[_Subject] = []
    for name in dict.fromkeys(names):
        if name not in raw:
            raise UnknownProviderError(str(name), list(raw), close_match(str(name), list(raw)))
        text, origin = raw[name]
        provider = reg.providers.get(name) if reg is not None else None
        subjects.append(_Subject(name, text, origin, policy, origin.layer in OPERATOR_LAYERS, provider))
    return subjects


async def _headers(subject: _Subject, raw_key: str | None, echo: Echo) -> dict[str, str]:
    """The provider's headers and key, as ``check`` sends them; the raw key when there is no registry."""
    provider = subject.provider
    if provider is None:
        return {"Authorization": f"Bearer {raw_key}"} if raw_key else {}
    await unlock_key(provider, echo)  # a failed key command: ask without a key, as check does
    return request_headers(provider)


class _Reply(Frozen):
    """What one GET answered: status (None when nothing did), lowercased header names, parsed body."""

    __slots__ = ("status", "headers", "data", "raw", "reason")
    status: int | None
    headers: tuple[str, ...]
    data: Any  # parsed JSON, else the text, else None
    raw: bytes | None
    reason: str


async def _get(client: Any, url: str, headers: dict[str, str], timeout: float, echo: Echo) -> _Reply:
    """``GET url`` within its own deadline of ``timeout`` (connect, headers and body together)."""
    import asyncio

    import httpx

    try:
        async with asyncio.timeout(timeout):
            async with client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                names = tuple(name.lower() for name in response.headers.keys())
                body = await read_capped(response)
    except (TimeoutError, httpx.TimeoutException):
        return _Reply(None, (), None, None, f"timed out after {timeout:g} s waiting for {hostport(url)}")
    except httpx.ConnectError as exc:
        return _Reply(None, (), None, None, connect_reason(exc, url, echo))
    except Exception as exc:  # httpx's errors, and any other (a header value httpx cannot encode)
        return _Reply(None, (), None, None, f"request to {hostport(url)} failed: {echo.line(exc) or type(exc).__name__}")
    if body is None:
        return _Reply(status, names, None, None, f"answered {status} with a body too large to read")
    text = body.decode("utf-8", "replace")
    try:
        data: Any = json.loads(text)
    except ValueError:
        data = text
    return _Reply(status, names, data, body, "")


def _attempt(api_base: str, reply: _Reply, echo: Echo) -> Attempt:
    """The verdict on one candidate from its ``/models`` reply; every text through ``echo``."""
    if reply.status is None:
        return Attempt(api_base, None, None, escape_controls(echo.redact(reply.reason)))
    status = reply.status
    if reply.raw is None:
        return Attempt(api_base, status, None, escape_controls(echo.redact(reply.reason)))
    if status >= 300:
        from http import HTTPStatus

        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        message = server_message(reply.raw)
        said = f": {echo.line(message)}" if message else ""
        head = f"HTTP {status} {phrase}".rstrip()
        if status in (401, 403):
            return Attempt(api_base, status, None, f"{head}{said}; the server is here but refused the key")
        if 300 <= status < 400:
            return Attempt(api_base, status, None, f"{head}; redirects are not followed")
        return Attempt(api_base, status, None, f"{head}{said}" if status != 404 else head)
    served = parse_models(reply.raw)
    if served is None:
        return Attempt(api_base, status, None, f"answered {status}, but not with an OpenAI-style model list")
    models = echo.models(served)
    return Attempt(api_base, status, models, f"up: {len(models)} model{'s' if len(models) != 1 else ''} listed")


def _server_root(api_base: str) -> str:
    """Where the fingerprint paths live: the base URL without its trailing ``/v1`` (or ``/v1/v1``)."""
    return _V1_TAIL.sub("", api_base)


async def _diagnose_one(subject: _Subject, client: Any, headers: dict[str, str], timeout: float,
                        echo: Echo) -> Verdict:
    """Every candidate and every fingerprint asked at once; the verdict from their answers."""
    import asyncio

    text = subject.text
    shown = escape_controls(echo.redact(text if is_quotable_url(text) else quote_url(text)))
    parsed = parse_base_url(text, subject.policy, trusted=subject.trusted)
    problem = None if isinstance(parsed, BaseUrl) else parsed.message + (f"; {parsed.hint}" if parsed.hint else "")
    effective = parsed.normal if isinstance(parsed, BaseUrl) else None
    urls = candidates(text, subject.policy, trusted=subject.trusted)
    if not urls:
        return Verdict(subject.name, shown, subject.origin, escape_controls(echo.redact(problem or "not a URL")),
                       (), None, False, None, None, None, None)
    root = _server_root(urls[0] if effective is None else effective)
    requests = [f"{url}/models" for url in urls] + [root + path for path in FINGERPRINTS]
    replies = await asyncio.gather(*(_get(client, url, headers, timeout, echo) for url in requests))
    model_replies, print_replies = replies[: len(urls)], replies[len(urls):]
    attempts = tuple(_attempt(url, reply, echo) for url, reply in zip(urls, model_replies, strict=True))
    seen = {f"{url}/models": (reply.status, reply.headers, reply.data)
            for url, reply in zip(urls, model_replies, strict=True)}
    seen.update({path: (reply.status, reply.headers, reply.data)
                 for path, reply in zip(FINGERPRINTS, print_replies, strict=True)})
    working = next((attempt for attempt in attempts if attempt.ok), None)
    models_body = model_replies[attempts.index(working)].data if working is not None else None
    kind, evidence = identify(seen, models_body)
    note = _note(subject, kind, working, attempts, effective, text)
    changed = working is not None and working.api_base != effective
    fix = yaml_fix(subject.name, working.api_base, subject.origin) if working is not None and changed else None
    return Verdict(subject.name, shown, subject.origin, escape_controls(echo.redact(problem)) if problem else None,
                   attempts, working.api_base if working else None, changed, kind, evidence, fix, note)


def _note(subject: _Subject, kind: str | None, working: Attempt | None, attempts: tuple[Attempt, ...],
          effective: str | None, text: str) -> str | None:
    """What else the user should know: another server on this port, a refused key, a cosmetic difference."""
    notes = []
    expected = _EXPECTED.get(subject.name)
    if kind is not None and expected is not None and kind != expected[0]:
        notes.append(f"this is {SERVER_KINDS[kind]}, not {SERVER_KINDS[expected[0]]}: if you meant "
                     f"{SERVER_KINDS[expected[0]]}, check the port (its default is {expected[1]})")
    if working is None:
        refused = next((attempt for attempt in attempts if attempt.status in (401, 403)), None)
        if refused is not None:
            notes.append(f"{refused.api_base} is there but refused the key: check the key "
                         f"(api_key_env) before the base URL")
    elif effective is not None and working.api_base == effective and text.strip() != effective:
        notes.append(f"the registry reads it as {effective}, which works")
    return "; ".join(notes) or None


async def _complete(subject: _Subject, reg: "Registry | None", api_base: str, best: Attempt,
                    headers: dict[str, str], timeout: float, echo: Echo) -> CompletionCheck:
    """A 1-token chat completion to the first model ``api_base`` lists, through ``live.acomplete``:
    with the kwargs ``resolve`` returns when the registry loaded (the base URL replaced), else as
    an OpenAI-compatible server (the candidate answered an OpenAI-style model list)."""
    models = best.models or ()
    if not models:
        return CompletionCheck("", False, None, "no model listed to send a completion to")
    model = models[0]
    provider = subject.provider
    if reg is not None and provider is not None and provider.unavailable_reason is None:
        model_id = provider.prefix + model
        try:
            kwargs = reg.resolve(model_id)
        except Exception as exc:  # a RegistryError (a missing key): the verdict says it
            return CompletionCheck(model_id, False, None, echo.line(exc))
        kwargs["api_base"] = api_base
    else:
        model_id = f"openai/{model}"
        key = headers.get("Authorization", "").removeprefix("Bearer ") or "none"
        kwargs = {"model": model_id, "api_base": api_base, "api_key": key}
    return await acomplete(kwargs, model_id, timeout, echo)
