"""``registry.doctor`` and ``registry doctor``: candidate base URLs for each common mistake, the
verdict's wording, the server kind from replayed answers (a stdlib server on loopback), redaction,
and bounded costs."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from registry.cli import main
from registry.doctor import FINGERPRINTS, MAX_CANDIDATES, candidates, diagnose, identify, yaml_fix
from registry.errors import ConfigError, UnknownProviderError
from registry.loader import inspect
from registry.provider import Origin

SECRET = "sk-doctor-secret-key-0123456789abcdef"

Route = tuple[int, dict[str, str], Any]  # status, headers, JSON (or text) body


class _Server(ThreadingHTTPServer):
    """Answers each path from ``routes`` (404 otherwise) and records what it was asked."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.asked: list[tuple[str, str | None]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.asked.append((self.path, self.headers.get("Authorization")))
        status, headers, body = self.server.routes.get(self.path, (404, {}, {"detail": "Not Found"}))
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802: a chat completion, answered from the route "POST <path>"
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.asked.append((f"POST {self.path}", self.headers.get("Authorization")))
        status, headers, body = self.server.routes.get(f"POST {self.path}", (404, {}, {"detail": "Not Found"}))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def serve() -> Iterator[Any]:
    servers: list[_Server] = []

    def start(routes: dict[str, Route]) -> _Server:
        server = _Server(routes)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _models(*ids: str, **extra: Any) -> Route:
    return (200, {}, {"object": "list", "data": [{"id": model, "object": "model", **extra} for model in ids]})


def _user_file(tmp_path: Path, api_base: str, provider: str = "vllm", extra: str = "") -> dict[str, str]:
    path = tmp_path / "providers.yaml"
    path.write_text(f"version: 1\nproviders:\n  {provider}:\n    api_base: {api_base}\n{extra}", encoding="utf-8")
    return {"PROVIDER_REGISTRY_CONFIG": str(path), "HOME": str(tmp_path)}


def _run(argv: list[str], environ: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv, environ=environ)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# -- candidates ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "expected"), [
    ("http://h:8000/v1/chat/completions", ("http://h:8000/v1",)),
    ("http://h:8000/v1/completions", ("http://h:8000/v1",)),
    ("http://h:8000/v1/models", ("http://h:8000/v1",)),
    ("http://h:8000/v1/responses/", ("http://h:8000/v1",)),
    ("http://h:8000/v1/embeddings", ("http://h:8000/v1",)),
    ("http://h:8000/v1/v1", ("http://h:8000/v1/v1", "http://h:8000/v1")),
    ("http://h:8000/v1/v1/chat/completions", ("http://h:8000/v1/v1", "http://h:8000/v1")),
    ("http://h:8000", ("http://h:8000/v1",)),  # the registry reads an empty path as /v1
    ("http://h:8000/v1/", ("http://h:8000/v1",)),  # a trailing slash
    ("http://h/openai", ("http://h/openai", "http://h/openai/v1")),  # /v1 missing
    ("http://h/openai/v1", ("http://h/openai/v1", "http://h/openai")),  # /v1 too many
    ("  http://H:8000/v1  ", ("http://h:8000/v1",)),
])
def test_candidates_for_each_mistake(written: str, expected: tuple[str, ...]) -> None:
    assert candidates(written) == expected


@pytest.mark.parametrize("written", [
    "http://169.254.169.254/v1/chat/completions",  # a metadata host stays refused
    "http://h:8000/v1?api_key=sk-abc",  # a query may hold a key: never asked
    "http://user:pw@h:8000/v1",
    "h:8000/v1",
    "",
])
def test_no_candidate_for_a_url_the_registry_refuses_for_another_reason(written: str) -> None:
    assert candidates(written) == ()


def test_candidates_are_bounded_and_keep_the_host() -> None:
    for written in ("http://h:1/a/v1/v1/v1/chat/completions/models", "http://h:1/x/y/z/v1/v1/embeddings"):
        found = candidates(written)
        assert 1 <= len(found) <= MAX_CANDIDATES
        assert all(url.startswith("http://h:1/") for url in found)


# -- wording -----------------------------------------------------------------------------------------

def test_yaml_fix_is_a_pasteable_snippet_or_an_export_line() -> None:
    in_file = yaml_fix("vllm", "http://127.0.0.1:8000/v1", Origin("user", "/home/u/providers.yaml", 4))
    assert in_file == "providers:\n  vllm:\n    api_base: http://127.0.0.1:8000/v1"
    from_env = yaml_fix("vllm", "http://127.0.0.1:8000/v1", Origin("env", "VLLM_BASE_URL"))
    assert from_env == "export VLLM_BASE_URL=http://127.0.0.1:8000/v1"


def test_a_pasted_endpoint_is_fixed_and_the_line_printed(serve: Any, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": _models("m1"), "/version": (200, {}, {"version": "0.9.1"})})
    env = _user_file(tmp_path, f"{server.url}/v1/chat/completions")
    status, out, err = _run(["doctor", "vllm"], env, capsys)
    assert status == 1
    assert "the configuration does not load" in err and "endpoint-path" in err
    assert f"fix: {server.url}/v1 answers (vLLM), not the configured" in out
    assert "in the user file ~/providers.yaml:4, write:" in out
    assert f"    providers:\n      vllm:\n        api_base: {server.url}/v1\n" in out
    assert "server: vLLM (GET /version answered)" in out


def test_a_working_base_url_exits_0(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": _models("m1", max_model_len=4096)})
    status, out, _ = _run(["doctor", "vllm"], _user_file(tmp_path, f"{server.url}/v1/"), capsys)
    assert status == 0, out
    assert f"vllm: ok: {server.url}/v1 answers (vLLM)" in out
    assert "max_model_len" in out
    assert f"the registry reads it as {server.url}/v1, which works" in out


def test_a_value_from_a_variable_says_to_change_the_variable(serve: Any, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": _models("m1"), "/version": (200, {}, {"version": "0.9.1"})})
    env = {**_user_file(tmp_path, "http://127.0.0.1:9/v1"), "VLLM_BASE_URL": f"{server.url}/v1/v1"}
    status, out, _ = _run(["doctor", "vllm", "--json"], env, capsys)
    assert status == 1
    (verdict,) = json.loads(out)["verdicts"]
    assert verdict["working"] == f"{server.url}/v1" and verdict["changed"] is True
    assert verdict["origin"] == {"layer": "env", "source": "VLLM_BASE_URL", "line": None}
    assert verdict["fix"] == f"export VLLM_BASE_URL={server.url}/v1"
    assert verdict["kind"] == "vllm"  # the fingerprints are asked at the root, not under /v1/v1
    status, out, _ = _run(["doctor", "vllm"], env, capsys)
    assert "the value comes from VLLM_BASE_URL, which overrides every file: change the variable" in out


def test_nothing_answers_names_what_was_tried(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    status, out, _ = _run(["doctor", "vllm"], _user_file(tmp_path, f"http://127.0.0.1:{port}/x/v1"), capsys)
    assert status == 1
    assert (f"vllm: down: nothing listed models (tried http://127.0.0.1:{port}/x/v1, "
            f"http://127.0.0.1:{port}/x): connection refused at 127.0.0.1:{port}") in out


def test_a_refused_key_is_told_apart(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": (401, {}, {"error": {"message": "Authentication Error, bad key",
                                                      "type": "auth_error", "code": "401"}})})
    status, out, _ = _run(["doctor", "vllm"], _user_file(tmp_path, f"{server.url}/v1/chat/completions"), capsys)
    assert status == 1
    assert "HTTP 401 Unauthorized: Authentication Error, bad key; the server is here but refused the key" in out
    assert "server: LiteLLM's proxy (GET " in out
    assert "refused the key: check the key" in out


def test_redirects_are_not_followed(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = serve({"/v1/models": _models("m1")})
    server = serve({"/v1/models": (302, {"Location": f"{target.url}/v1/models"}, "")})
    status, out, _ = _run(["doctor", "vllm"], _user_file(tmp_path, f"{server.url}/v1"), capsys)
    assert status == 1
    assert "HTTP 302 Found; redirects are not followed" in out
    assert target.asked == []


# -- server kinds ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("routes", "kind", "evidence"), [
    ({"/health/liveliness": (200, {}, "I'm alive!")}, "litellm", "GET /health/liveliness answered"),
    ({"/v1/models": (200, {"x-litellm-version": "1.0"}, {"data": []})}, "litellm", "x-litellm-* headers"),
    ({"/api/version": (200, {}, {"version": "0.12.6"}), "/api/tags": (200, {}, {"models": []})}, "ollama",
     "GET /api/version answered"),
    ({"/api/tags": (200, {}, {"models": [{"name": "llama3"}]})}, "ollama", "GET /api/tags answered"),
    ({"/props": (200, {}, {"default_generation_settings": {}, "total_slots": 1}),
      "/api/tags": (200, {}, {"models": []}), "/health": (200, {}, {"status": "ok"})}, "llamacpp",
     "GET /props answered"),
    ({"/health": (200, {}, {"status": "ok"})}, "llamacpp", "GET /health answered"),
    ({"/api/v0/models": (200, {}, {"object": "list", "data": []})}, "lm_studio", "GET /api/v0/models answered"),
    ({"/version": (200, {}, {"version": "0.9.1"})}, "vllm", "GET /version answered"),
    ({"/health": (200, {}, ""), "/version": (200, {}, "not json")}, None, None),  # shapes, not statuses
])
def test_server_kind_from_replayed_answers(serve: Any, tmp_path: Path, routes: dict[str, Route], kind: str | None,
                                           evidence: str | None) -> None:
    server = serve({"/v1/models": _models("m1"), **routes})
    report = inspect(environ=_user_file(tmp_path, f"{server.url}/v1/chat/completions"))
    (verdict,) = diagnose(report, "vllm", timeout=2)
    assert verdict.working == f"{server.url}/v1"
    assert verdict.kind == kind
    assert (verdict.evidence is None) if evidence is None else (evidence in (verdict.evidence or ""))
    asked = {path for path, _ in server.asked}
    assert set(FINGERPRINTS) <= asked and len(server.asked) <= MAX_CANDIDATES + len(FINGERPRINTS)


def test_identify_is_pure() -> None:
    assert identify({}) == (None, None)
    assert identify({}, {"data": [{"id": "m", "max_model_len": 8192}]})[0] == "vllm"


def test_another_server_on_the_port_is_named(serve: Any, tmp_path: Path) -> None:
    server = serve({"/v1/models": _models("m1"), "/api/tags": (200, {}, {"models": []})})
    report = inspect(environ=_user_file(tmp_path, f"{server.url}/v1", provider="vllm"))
    (verdict,) = diagnose(report, ["vllm"], timeout=2)
    assert verdict.kind == "ollama" and verdict.ok
    assert "this is Ollama, not vLLM: if you meant vLLM, check the port (its default is 8000)" in (verdict.note or "")


# -- secrets and bounds --------------------------------------------------------------------------------

def test_server_text_is_redacted_and_the_key_only_goes_to_the_configured_host(
        serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": (401, {}, {"error": {"message": f"bad key {SECRET}"}}),
                    "/models": _models(f"echo-{SECRET}")})
    env = {**_user_file(tmp_path, f"{server.url}/v1/chat/completions",
                        extra="    api_key_env: DOCTOR_TEST_KEY\n"), "DOCTOR_TEST_KEY": SECRET}
    for argv in (["doctor", "vllm"], ["doctor", "vllm", "--json"]):
        _, out, err = _run(argv, env, capsys)
        assert SECRET not in out + err
        assert "bad key ****" in out
    assert {auth for _, auth in server.asked} == {f"Bearer {SECRET}"}  # sent, to this host only


def test_a_hanging_server_costs_one_timeout(tmp_path: Path) -> None:
    with socket.socket() as sock:  # accepts connections (backlog) and never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port = sock.getsockname()[1]
        report = inspect(environ=_user_file(tmp_path, f"http://127.0.0.1:{port}/v1/chat/completions"))
        started = time.monotonic()
        (verdict,) = diagnose(report, "vllm", timeout=0.5)
        assert time.monotonic() - started < 2.5
    assert verdict.working is None and "timed out after 0.5 s" in verdict.summary


def test_every_provider_by_default_and_concurrently(tmp_path: Path) -> None:
    report = inspect(environ=_user_file(tmp_path, "http://127.0.0.1:9/v1"))
    started = time.monotonic()
    result = diagnose(report, [name for name in (report.raw_api_bases or {}) if name != "huggingface"], timeout=0.5)
    assert time.monotonic() - started < 2.5
    assert [v.name for v in result] == ["ollama", "lm_studio", "vllm", "llamacpp", "openai-compat"]
    assert not result.ok


# -- what stops the doctor -------------------------------------------------------------------------------

def test_a_file_that_does_not_parse_stops_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text("version: 1\nproviders: [\n", encoding="utf-8")
    env = {"PROVIDER_REGISTRY_CONFIG": str(path)}
    status, out, err = _run(["doctor"], env, capsys)
    assert status == 1 and out == "" and "providers.yaml" in err
    with pytest.raises(ConfigError):
        diagnose(inspect(environ=env))


def test_an_unknown_provider_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["doctor", "vlm"], _user_file(tmp_path, "http://127.0.0.1:9/v1"), capsys)
    assert status == 2 and "unknown provider 'vlm'" in err and "vllm" in err
    with pytest.raises(UnknownProviderError):
        diagnose(inspect(environ=_user_file(tmp_path, "http://127.0.0.1:9/v1")), "nope")


def test_a_bad_timeout_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["doctor", "--timeout", "0"], {}, capsys)
    assert status == 2 and "--timeout" in err


def test_a_url_holding_a_key_is_never_asked_nor_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env = _user_file(tmp_path, f"http://user:{SECRET}@127.0.0.1:9/v1/chat/completions")
    report = inspect(environ=env)
    assert SECRET not in repr(report)  # the raw mappings are hidden from repr
    (verdict,) = diagnose(report, "vllm", timeout=0.5)
    assert verdict.attempts == () and verdict.working is None
    assert verdict.summary.startswith("cannot try the configured base URL: ")
    for argv in (["doctor", "vllm"], ["doctor", "vllm", "--json"]):
        status, out, err = _run(argv, env, capsys)
        assert status == 1 and SECRET not in out + err


_CHAT = {"id": "c1", "object": "chat.completion", "created": 1, "model": "m1",
         "choices": [{"index": 0, "message": {"role": "assistant", "content": "p"}, "finish_reason": "length"}],
         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def test_completion_goes_to_the_working_base_url(serve: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": _models("m1"), "POST /v1/chat/completions": (200, {}, _CHAT)})
    env = _user_file(tmp_path, f"{server.url}/v1/v1")  # loads: the registry's own kwargs are used
    status, out, _ = _run(["doctor", "vllm", "--completion", "--timeout", "10"], env, capsys)
    assert status == 1  # chat works, but the base URL still needs the fix
    assert "listing works, chat works" in out and "[vllm/m1]" in out
    assert ("POST /v1/chat/completions", "Bearer vllm") in server.asked


def test_listing_works_chat_fails_is_reported_separately(serve: Any, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    server = serve({"/v1/models": _models("m1"),
                    "POST /v1/chat/completions": (500, {}, {"error": {"message": "model is loading"}})})
    status, out, _ = _run(["doctor", "vllm", "--completion", "--timeout", "10"],
                          _user_file(tmp_path, f"{server.url}/v1/chat/completions"), capsys)
    assert status == 1
    assert "listing works, chat fails: completion failed: HTTP 500: model is loading" in out
