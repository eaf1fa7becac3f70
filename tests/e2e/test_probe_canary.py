"""The secret canary for live checks: a loopback server echoes everything it is sent (request
line, headers, body) back in every place a reply can carry text: its status line, its headers,
error bodies, ``/v1/models`` ids, Ollama-style ``/api/tags`` names, a broken status line, a flood,
and, from memory, the keys other providers sent it earlier. Canary keys are configured as an
inline ``api_key``, a key from the environment (a built-in provider's and a user provider's
``api_key_env``), an ``Authorization: Bearer TOKEN`` header and custom headers. ``registry check``
(text, ``--json``, ``--completion``) and the library probe must show none of them: no eight
consecutive characters of a canary in stdout, stderr, log records, results or their reprs, and no
raw control character from the server.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest

import registry
from registry.cli import main

INLINE_KEY = "sk-canary-inline-Q7wE2rT9yU4iO1pA"
ENV_KEY = "sk-canary-env-Z3xC6vB8nM1kL5jH"  # PROBE_CANARY_KEY, a user provider's api_key_env
VLLM_KEY = "sk-canary-vllm-env-D4fG7hJ1kL9zX2cV"  # VLLM_API_KEY, a built-in provider's variable
BEARER_TOKEN = "tok-canary-bearer-G5hJ8kL2mN4bV7cX"  # in "Authorization: Bearer TOKEN"
CUSTOM_KEY = "cst-canary-custom-W9eR3tY6uI2oP8aS"  # a whole custom header value
TRACE_TOKEN = "trc-canary-trace-M1nB4vC7xZ3aS6dF"  # in "X-Trace: Token TRACE_TOKEN"
KEYS = (INLINE_KEY, ENV_KEY, VLLM_KEY, BEARER_TOKEN, CUSTOM_KEY, TRACE_TOKEN)

# Server text that would drive a terminal: ESC (CSI, OSC title), BEL, the C1 CSI, a bidi override.
HOSTILE_CONTROLS = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e"
# The server's sequences as sent (LiteLLM's own debug lines carry colour codes of their own).
RAW_CONTROLS = ("\x1b[2J", "\x1b]0;", "\x07", "\x9b", "\u202e")

# Each route is the first path segment of a base URL; the server answers by it.
ROUTES = ("models", "tags", "e401", "e403", "e500", "e404", "e302", "html", "long", "longer", "esc", "escmodels",
          "broken", "big", "complete")


def leaks(text: str) -> list[str]:
    """The canaries of which any eight consecutive characters occur in ``text``."""
    return [key for key in KEYS if any(key[i:i + 8] in text for i in range(len(key) - 7))]


def assert_clean(text: str, where: str) -> None:
    assert not leaks(text), f"a key leaked into {where}:\n{text[:3000]}"
    raw = [sequence for sequence in RAW_CONTROLS if sequence in text]
    assert not raw, f"raw control characters {raw!r} reached {where}:\n{text[:3000]!r}"


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.seen: list[str] = []  # every header value received, in order: the server's memory
        self.lock = threading.Lock()


class _EchoHandler(BaseHTTPRequestHandler):
    server: _EchoServer

    def _received(self) -> tuple[str, list[str]]:
        """The whole request as text, and the header values and their tokens one by one."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        values = [value for name, value in self.headers.items() if name.lower() not in ("host", "content-length")]
        with self.server.lock:
            self.server.seen += values
        pieces = values + [token for value in values for token in value.split()]
        text = "\n".join([self.requestline, *(f"{k}: {v}" for k, v in self.headers.items()), body])
        return text, pieces

    def _reply(self, status: int, body: bytes, content_type: str = "application/json", phrase: str | None = None,
               extra: dict[str, str] | None = None) -> None:
        self.send_response(status, phrase)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        self._answer()

    def do_POST(self) -> None:  # noqa: N802
        self._answer()

    def _answer(self) -> None:
        text, pieces = self._received()
        route = self.path.split("/")[1]
        said = " | ".join(pieces)  # one line: fits a status line and a header
        echo_headers = {"X-Echo": said}
        models = [{"id": value} for value in (text, *pieces)]
        if route == "memory":  # what other providers sent earlier, from the server's memory
            with self.server.lock:
                remembered = list(self.server.seen)
            self._reply(200, json.dumps({"data": [{"id": v} for v in remembered]}).encode())
        elif route == "models" or (route == "complete" and self.command == "GET"):
            self._reply(200, json.dumps({"object": "list", "data": [*models, {"id": "m"}]}).encode(),
                        phrase=said, extra=echo_headers)
        elif route == "complete":  # POST .../chat/completions
            self._reply(401, json.dumps({"error": {"message": f"bad key: {text}", "type": "auth"}}).encode(),
                        phrase=said, extra=echo_headers)
        elif route == "tags":  # Ollama's /api/tags shape
            self._reply(200, json.dumps({"models": [{"name": v["id"]} for v in models]}).encode(), extra=echo_headers)
        elif route == "e401":
            self._reply(401, json.dumps({"error": {"message": f"Invalid API key: {text}"}}).encode(), phrase=said,
                        extra=echo_headers)
        elif route == "e403":
            self._reply(403, f"forbidden for {said}".encode(), "text/plain", phrase=said)
        elif route == "e500":
            self._reply(500, json.dumps({"detail": text}).encode(), phrase=said)
        elif route == "e404":
            self._reply(404, text.encode(), "text/plain", phrase=said)
        elif route == "e302":
            self._reply(302, text.encode(), "text/plain", extra={"Location": f"http://elsewhere/?k={said}"})
        elif route == "html":  # the content type is shown in the reason: put the keys there
            self._reply(200, f"<html>{text}</html>".encode(), content_type=f"{said}/html; charset=utf-8")
        elif route in ("long", "longer"):  # a key straddles the point where server text is cut
            credentials = [self.headers[name] for name in ("Authorization", "X-Api-Token") if name in self.headers]
            padding = "x" * (140 if route == "long" else 178)  # the cut today (160), and before (200)
            self._reply(500, json.dumps({"error": {"message": padding + " ".join(credentials)}}).encode())
        elif route == "esc":
            self._reply(401, json.dumps({"error": {"message": HOSTILE_CONTROLS + text}}).encode())
        elif route == "escmodels":
            self._reply(200, json.dumps({"data": [{"id": HOSTILE_CONTROLS + v["id"]} for v in models]}).encode())
        elif route == "broken":  # not HTTP at all: the client's parser error quotes the line
            self.wfile.write(b"HTTP/1.1 2OO " + said.encode() + b"\r\n\r\n")
        elif route == "big":
            self._reply(200, (json.dumps({"data": models}) + " " * (3 * 1024 * 1024)).encode())
        else:
            self._reply(404, b"no route")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def echo_server() -> Iterator[_EchoServer]:
    server = _EchoServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _url(server: _EchoServer, route: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/{route}/v1"


def _user_file(server: _EchoServer) -> str:
    """For each route: ``k_`` (inline api_key + a custom header), ``h_`` (Bearer and custom
    headers, no key) and ``e_`` (a key from the environment); ``m_memory`` holds no secret of its own."""
    lines = ["version: 1", "providers:"]
    for route in ROUTES:
        url = _url(server, route)
        lines += [f"  k_{route}:", f"    api_base: {url}", f"    api_key: {INLINE_KEY}",
                  "    headers:", f"      X-Api-Token: {CUSTOM_KEY}"]
        lines += [f"  h_{route}:", f"    api_base: {url}", "    headers:",
                  f"      Authorization: Bearer {BEARER_TOKEN}", f"      X-Trace: Token {TRACE_TOKEN}"]
        lines += [f"  e_{route}:", f"    api_base: {url}", "    api_key_env: [PROBE_CANARY_KEY]"]
    lines += ["  m_memory:", f"    api_base: {_url(server, 'memory')}"]
    lines += ["  u_badheader:", f"    api_base: {_url(server, 'models')}", "    headers:",
              f'      X-Bad: "Bearer {BEARER_TOKEN} caf\\u00e9"', f'      X-Esc: "{CUSTOM_KEY}\\u001b[31m"']
    return "\n".join(lines) + "\n"


@pytest.fixture
def canary(echo_server: _EchoServer, user_file: Callable[..., Path]) -> tuple[Path, dict[str, str]]:
    path = user_file(_user_file(echo_server))
    environ = {"PROBE_CANARY_KEY": ENV_KEY, "VLLM_API_KEY": VLLM_KEY, "VLLM_BASE_URL": _url(echo_server, "models")}
    return path, environ


def _texts(result: registry.ProbeResult) -> str:
    """Everything a caller could print: reprs, the JSON shape, each reason, model and completion."""
    parts = [repr(result), str(result), json.dumps(result.as_dict(), ensure_ascii=False)]
    for item in result.probes:
        parts += [repr(item), item.reason, *item.models, str(item.suggestion)]
        if item.completion is not None:
            parts += [repr(item.completion), item.completion.reason]
    return "\n".join(parts)


def _logs(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


def _masks_of(*keys: str) -> list[str]:
    return ["****" + key[-4:] for key in keys]


# What each route must produce (beyond the absence of every key), for the k_ provider.
EXPECTED: dict[str, Callable[[registry.ProviderProbe], bool]] = {
    "models": lambda p: p.up and "m" in p.models and len(p.models) > 2,
    "tags": lambda p: p.up and len(p.models) > 2,
    "e401": lambda p: p.status == 401 and p.reason.startswith("HTTP 401 Unauthorized: Invalid API key: GET /e401")
    and "the server refused the key (the key written in the user file was sent)" in p.reason,
    "e403": lambda p: p.status == 403 and p.reason.startswith("HTTP 403 Forbidden: forbidden for "),
    "e500": lambda p: p.status == 500 and p.reason.startswith("HTTP 500 Internal Server Error: GET /e500/v1/models"),
    "e404": lambda p: p.status == 404 and "no /models here" in p.reason,
    "e302": lambda p: p.status == 302 and "the server redirects" in p.reason,
    "html": lambda p: p.status == 200 and not p.up and "not with an OpenAI-style model list (" in p.reason,
    "long": lambda p: p.status == 500 and "x" * 100 in p.reason and "…" in p.reason,
    "longer": lambda p: p.status == 500 and "x" * 100 in p.reason and "…" in p.reason,
    "esc": lambda p: p.status == 401 and "\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202e" in p.reason,
    "escmodels": lambda p: p.up and any(m.startswith("\\x1b[2J") for m in p.models),
    "broken": lambda p: not p.up and p.status is None and p.reason.startswith("request to 127.0.0.1:"),
    "big": lambda p: p.status == 200 and not p.up and "with more than 2 MiB; not a model list" in p.reason,
    "complete": lambda p: p.up and "m" in p.models,
}


@pytest.mark.parametrize("route", ROUTES)
def test_library_probe_shows_no_key_whatever_the_server_echoes(
        route: str, canary: tuple[Path, dict[str, str]], echo_server: _EchoServer,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    path, environ = canary
    reg = registry.load(config_path=path, environ=environ)
    result = registry.probe(reg, [f"k_{route}", f"h_{route}", f"e_{route}"], timeout=5)
    k_probe, h_probe, e_probe = result.probes
    assert EXPECTED[route](k_probe), k_probe
    texts = _texts(result)
    assert_clean(texts, f"the probe result of route {route}")
    assert_clean(_logs(caplog), f"the log of route {route}")
    if route != "broken":  # the canary is live: the keys reached the server, and their masks came back
        assert {f"Bearer {INLINE_KEY}", CUSTOM_KEY, f"Bearer {BEARER_TOKEN}", f"Bearer {ENV_KEY}"} <= set(echo_server.seen)
    if route in ("models", "tags", "escmodels", "complete"):
        served = "\n".join(k_probe.models + h_probe.models + e_probe.models)
        for mask in _masks_of(INLINE_KEY, CUSTOM_KEY, BEARER_TOKEN, TRACE_TOKEN, ENV_KEY):
            assert mask in served, f"{mask} missing: the echo was not seen"


def test_a_token_echoed_alone_is_masked_like_the_whole_header(canary: tuple[Path, dict[str, str]]) -> None:
    """``Bearer TOKEN`` is a secret, and so is ``TOKEN``: the server lists each token as a model id."""
    path, environ = canary
    (item,) = registry.probe(registry.load(config_path=path, environ=environ), "h_models", timeout=5).probes
    assert "****" + BEARER_TOKEN[-4:] in item.models  # the token alone, as a model id of its own
    assert "****" + TRACE_TOKEN[-4:] in item.models
    assert not leaks("\n".join(item.models))


def test_keys_other_providers_sent_earlier_are_masked_too(canary: tuple[Path, dict[str, str]],
                                                          echo_server: _EchoServer) -> None:
    """A server remembers what it was sent: ``m_memory`` holds no secret, yet its server lists the
    keys the other providers sent it before. Every configured secret is redacted, not only the
    probed provider's own."""
    path, environ = canary
    reg = registry.load(config_path=path, environ=environ)
    registry.probe(reg, ["k_models", "h_models", "e_models", "vllm"], timeout=5)
    (item,) = registry.probe(reg, "m_memory", timeout=5).probes
    assert item.up and not reg.provider("m_memory").api_key and not reg.provider("m_memory").headers
    assert {*_masks_of(INLINE_KEY, CUSTOM_KEY, VLLM_KEY, ENV_KEY)} <= {m[-8:] for m in item.models}
    assert_clean(_texts(registry.ProbeResult((item,), 5.0)), "the remembered keys")


def test_a_header_value_that_cannot_be_sent_is_a_result_not_a_crash(canary: tuple[Path, dict[str, str]],
                                                                    echo_server: _EchoServer) -> None:
    """Non-ASCII made httpx raise (a crash of `registry check`); a control character made h11 quote
    the whole value in its error. Neither is sent: the reason names the header, never its value."""
    path, environ = canary
    before = len(echo_server.seen)
    (item,) = registry.probe(registry.load(config_path=path, environ=environ), "u_badheader", timeout=5).probes
    assert not item.up and item.status is None
    assert item.reason == ("header 'X-Bad' was not sent: its value has a non-ASCII or control character, "
                           "and HTTP header values are printable ASCII")
    assert len(echo_server.seen) == before  # nothing reached the server
    assert_clean(_texts(registry.ProbeResult((item,), 5.0)), "the reason")


def _everyone() -> list[str]:
    return ["vllm", "m_memory", "u_badheader", *(f"{kind}_{route}" for route in ROUTES for kind in "khe")]


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["text", "json"])
def test_registry_check_prints_no_key(extra: list[str], canary: tuple[Path, dict[str, str]],
                                      capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    path, environ = canary
    status = main(["--config", str(path), "check", *_everyone(), "--timeout", "5", *extra], environ=environ)
    out, err = capsys.readouterr()
    assert status == 1
    assert_clean(out, f"stdout of check {extra}")
    assert_clean(err, f"stderr of check {extra}")
    assert_clean(_logs(caplog), "the log")
    shown = out if not extra else json.dumps(json.loads(out))
    assert "****" + INLINE_KEY[-4:] in shown and "****" + BEARER_TOKEN[-4:] in shown  # the echoes arrived, masked


@pytest.mark.parametrize("extra", [[], ["--json"]], ids=["text", "json"])
def test_registry_check_completion_prints_no_key(extra: list[str], canary: tuple[Path, dict[str, str]],
                                                 capsys: pytest.CaptureFixture[str],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """``--completion`` goes through litellm and the OpenAI SDK, whose errors quote the server's
    body and whose debug logs hold the request's headers."""
    caplog.set_level(logging.DEBUG)
    path, environ = canary
    targets = ["k_complete/m", "h_complete/m", "e_complete/m", "vllm/m", "k_e401/m"]
    status = main(["--config", str(path), "check", *targets, "--completion", "--timeout", "10", *extra],
                  environ=environ)
    out, err = capsys.readouterr()
    assert status == 1
    assert_clean(out, f"stdout of check --completion {extra}")
    assert_clean(err, f"stderr of check --completion {extra}")
    assert_clean(_logs(caplog), "the log of --completion")
    if extra:
        # With the root logger at DEBUG (caplog), LiteLLM's own handler writes its debug lines on
        # stdout before the JSON: the document starts at its first line.
        document = json.loads(out[out.index('{\n  "status"'):])
        completions = {p["provider"]: p["completion"] for p in document["probes"]}
        k_complete = completions["k_complete"]
        assert k_complete["ok"] is False and k_complete["status"] == 401
        assert k_complete["reason"].startswith("completion failed: HTTP 401: bad key: POST /complete/v1/chat/completions")
        assert "(the key written in the user file was sent)" in k_complete["reason"]
    else:
        assert "k_complete/m: completion failed: HTTP 401: bad key: POST /complete/v1/chat/completions" in out


def test_async_probe_shows_no_key(canary: tuple[Path, dict[str, str]], caplog: pytest.LogCaptureFixture) -> None:
    import asyncio

    caplog.set_level(logging.DEBUG)
    path, environ = canary
    reg = registry.load(config_path=path, environ=environ)
    result = asyncio.run(registry.aprobe(reg, _everyone(), timeout=5))
    assert len(result) == len(_everyone())
    assert_clean(_texts(result), "the aprobe result")
    assert_clean(_logs(caplog), "the aprobe log")


def _record_filter_left_behind() -> list[Any]:
    from registry.live import _LOGGERS, _RedactingFilter

    return [f for name in _LOGGERS for f in logging.getLogger(name).filters if isinstance(f, _RedactingFilter)]


def test_the_log_filter_is_removed_after_the_run(canary: tuple[Path, dict[str, str]]) -> None:
    path, environ = canary
    registry.probe(registry.load(config_path=path, environ=environ), "k_models", timeout=5)
    assert _record_filter_left_behind() == []
