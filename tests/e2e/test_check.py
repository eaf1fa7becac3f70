"""``registry check`` and ``registry.probe`` against live servers: the LiteLLM proxy, a closed port,
a socket that never answers, and a tiny stdlib server for the replies the proxy cannot give."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

import registry
from registry.cli import main

from .conftest import MODELS, Proxy, free_port

WRONG_KEY = "sk-wrong-key-5678abcd"


def _run(argv: list[str], environ: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv, environ=environ)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def no_user_file(tmp_path: Path) -> dict[str, str]:
    """An environment whose user file is an empty, valid file in tmp_path."""
    path = tmp_path / "providers.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    return {"PROVIDER_REGISTRY_CONFIG": str(path)}


@pytest.mark.e2e
def test_check_sees_the_proxy_up_and_lists_its_models(vllm_env: dict[str, str], no_user_file: dict[str, str],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(["check", "vllm", "--json"], {**vllm_env, **no_user_file}, capsys)
    assert status == 0, err
    data = json.loads(out)
    assert data["status"] == "ok"
    (entry,) = data["probes"]
    assert entry["provider"] == "vllm" and entry["up"] is True and entry["status"] == 200
    assert entry["models"] == sorted(MODELS)
    assert vllm_env["VLLM_API_KEY"] not in out + err


@pytest.mark.e2e
def test_text_output_lists_served_models(vllm_env: dict[str, str], no_user_file: dict[str, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["check", "vllm"], {**vllm_env, **no_user_file}, capsys)
    assert status == 0
    assert "up: 2 models listed" in out
    assert "serves: other-model, test-model" in out


@pytest.mark.e2e
def test_listed_model(vllm_env: dict[str, str]) -> None:
    result = registry.probe(registry.load(config_path=None, environ=vllm_env), "vllm/test-model")
    (item,) = result.probes
    assert result.ok and item.model_listed is True and item.model == "test-model" and item.suggestion is None


@pytest.mark.e2e
def test_unlisted_model_fails_with_did_you_mean(vllm_env: dict[str, str], no_user_file: dict[str, str],
                                                capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(["check", "vllm/test-modle"], {**vllm_env, **no_user_file}, capsys)
    assert status == 1
    assert "'test-modle' is not among the 2 models the server lists (did you mean 'vllm/test-model'?)" in out
    result = registry.probe(registry.load(environ=vllm_env), "vllm/test-modle")
    assert result.probes[0].model_listed is False and result.probes[0].suggestion == "vllm/test-model"
    assert result.probes[0].up and not result.ok


@pytest.mark.e2e
def test_completion_goes_through_litellm(vllm_env: dict[str, str], no_user_file: dict[str, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(["check", "vllm/test-model", "--completion", "--json"], {**vllm_env, **no_user_file}, capsys)
    assert status == 0, out + err
    completion = json.loads(out)["probes"][0]["completion"]
    assert completion["ok"] is True and completion["model_id"] == "vllm/test-model"


@pytest.mark.e2e
def test_wrong_key_shows_server_status_and_message_and_names_the_variable(
        vllm_env: dict[str, str], no_user_file: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    environ = {**vllm_env, **no_user_file, "VLLM_API_KEY": WRONG_KEY}
    status, out, err = _run(["check", "vllm/test-model", "--completion"], environ, capsys)
    assert status == 1
    assert "HTTP 400 Bad Request: No connected db. (the key from VLLM_API_KEY was sent)" in out
    assert "completion failed: HTTP 400: No connected db." in out
    assert WRONG_KEY not in out + err
    status, out, err = _run(["check", "vllm", "--json"], environ, capsys)
    entry = json.loads(out)["probes"][0]
    assert (entry["up"], entry["status"]) == (False, 400)
    assert WRONG_KEY not in out + err


@pytest.mark.e2e
def test_missing_key_gets_the_servers_500_and_names_where_a_key_would_come_from(
        litellm_proxy: Proxy, user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  nokey:\n    api_base: {litellm_proxy.base_url}\n"
                     f"    api_key_env: NOKEY_API_KEY\n")
    (item,) = registry.probe(registry.load(config_path=path, environ={}), "nokey").probes
    assert item.status == 500 and not item.up
    assert item.reason == "HTTP 500 Internal Server Error: Internal Server Error (no key was sent; set NOKEY_API_KEY)"


def test_closed_port_is_refused(no_user_file: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()  # nothing listens there: the same as a stopped server
    environ = {**no_user_file, "VLLM_BASE_URL": f"http://127.0.0.1:{port}/v1"}
    status, out, _ = _run(["check", "vllm"], environ, capsys)
    assert status == 1
    assert f"connection refused at 127.0.0.1:{port}: is the server running?" in out


def test_silent_server_times_out() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # accepts connections in the kernel, never answers
        port = listener.getsockname()[1]
        reg = registry.load(environ={"VLLM_BASE_URL": f"http://127.0.0.1:{port}/v1"})
        (item,) = registry.probe(reg, "vllm", timeout=0.3).probes
    assert not item.up and item.reason == f"timed out after 0.3 s waiting for 127.0.0.1:{port}"


def test_unknown_target_is_a_usage_error_with_did_you_mean(no_user_file: dict[str, str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["check", "vlm"], no_user_file, capsys)
    assert status == 1
    assert "unknown provider 'vlm'" in err and "did you mean 'vllm'?" in err


# --- replies the LiteLLM proxy does not give: a stdlib server scripted per path ---------------

_REPLIES: dict[str, tuple[int, str, bytes]] = {
    "/denied/v1/models": (401, "application/json", b'{"error": {"message": "Invalid API key: sk-real-secret-key-1234"}}'),
    "/html/v1/models": (200, "text/html", b"<html>LM dashboard</html>"),
    "/ok/v1/models": (200, "application/json", b'{"object": "list", "data": [{"id": "a"}, {"id": "b"}]}'),
    "/named/v1/models": (200, "application/json", b'{"data": [{"id": "vllm-7b"}, {"id": "ollama/llama3"}]}'),
}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        status, content_type, body = _REPLIES.get(self.path, (404, "text/plain", b"Not Found"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def scripted_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _probe_path(url: str, path: str, key: str = "sk-real-secret-key-1234") -> registry.ProviderProbe:
    reg = registry.load(environ={"VLLM_BASE_URL": f"{url}{path}", "VLLM_API_KEY": key})
    (item,) = registry.probe(reg, "vllm").probes
    return item


def test_401_names_the_key_variable_and_masks_the_echoed_key(scripted_server: str) -> None:
    item = _probe_path(scripted_server, "/denied/v1")
    assert item.status == 401 and not item.up
    assert "the server refused the key (the key from VLLM_API_KEY was sent)" in item.reason
    assert "sk-real-secret-key-1234" not in item.reason and "****1234" in item.reason


def test_placeholder_keys_are_not_masked_in_what_the_server_lists(scripted_server: str) -> None:
    """Only secrets are redacted: the built-in placeholder keys ('vllm', 'ollama') are words that
    model ids use, and masking them would mangle every list."""
    reg = registry.load(environ={"VLLM_BASE_URL": f"{scripted_server}/named/v1"})
    (item,) = registry.probe(reg, "vllm").probes
    assert item.up and item.models == ("ollama/llama3", "vllm-7b")


def test_404_says_where_models_should_be(scripted_server: str) -> None:
    item = _probe_path(scripted_server, "/nothing")
    assert item.status == 404
    assert item.reason == f"HTTP 404 Not Found for GET {scripted_server}/nothing/models: no /models here; api_base usually ends in /v1"


def test_non_json_reply_is_not_an_openai_server(scripted_server: str) -> None:
    item = _probe_path(scripted_server, "/html/v1")
    assert item.status == 200 and not item.up
    assert "not with an OpenAI-style model list (text/html)" in item.reason


def test_async_twin_probes_every_base_concurrently(scripted_server: str, user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  vllm:\n    api_bases: ['{scripted_server}/nothing']\n")
    reg = registry.load(config_path=path, environ={"VLLM_BASE_URL": f"{scripted_server}/ok/v1"})
    seen: list[tuple[int, int]] = []
    result = asyncio.run(registry.aprobe(reg, "vllm", progress=lambda done, total: seen.append((done, total))))
    assert [(p.api_base, p.up) for p in result.probes] == [(f"{scripted_server}/ok/v1", True),
                                                          (f"{scripted_server}/nothing", False)]
    assert result.probes[0].models == ("a", "b")
    assert seen == [(0, 2), (1, 2), (2, 2)] and not result.ok  # (0, total) first, before any request


# --- scale: many servers that accept and never answer, and one healthy server ----------------

class _Silent:
    """A loopback server that accepts every connection and never answers (a hung process)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent_server() -> Iterator[_Silent]:
    server = _Silent()
    try:
        yield server
    finally:
        server.close()


def _crowd(silent: _Silent, healthy: str, count: int) -> str:
    """A user file: ``count`` providers on the silent server (one path each), then ``healthy``."""
    lines = ["version: 1", "providers:"]
    for i in range(count):
        lines += [f"  hang{i:05d}:", f"    api_base: http://127.0.0.1:{silent.port}/p{i}/v1"]
    lines += ["  healthy:", f"    api_base: {healthy}/ok/v1"]
    return "\n".join(lines) + "\n"


_CROWD_NAMES = [f"hang{i:05d}" for i in range(200)] + ["healthy"]  # 201 targets: `_crowd(..., 200)`


@pytest.mark.e2e
def test_a_healthy_server_is_up_behind_200_hanging_ones_and_the_run_takes_one_timeout(
        silent_server: _Silent, scripted_server: str, user_file: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    import time

    path = user_file(_crowd(silent_server, scripted_server, 200))
    started = time.monotonic()
    status, out, err = _run(["--config", str(path), "check", *_CROWD_NAMES, "--timeout", "2", "--json"], {}, capsys)
    elapsed = time.monotonic() - started
    assert status == 1, err
    probes = {entry["provider"]: entry for entry in json.loads(out)["probes"]}
    assert len(probes) == 201
    healthy = probes.pop("healthy")
    assert healthy["up"] is True and healthy["models"] == ["a", "b"] and healthy["reason"] == "up: 2 models listed"
    assert {entry["reason"] for entry in probes.values()} == {f"timed out after 2 s waiting for 127.0.0.1:{silent_server.port}"}
    assert elapsed < 3 * 2, f"201 servers took {elapsed:.1f} s with a 2 s timeout: probes waited for each other"
    assert len(silent_server.held) == 200  # every hanging probe really connected: none was skipped


@pytest.mark.e2e
def test_text_output_of_a_crowd_shows_the_healthy_server_and_its_models(
        silent_server: _Silent, scripted_server: str, user_file: Callable[..., Path],
        capsys: pytest.CaptureFixture[str]) -> None:
    path = user_file(_crowd(silent_server, scripted_server, 200))
    status, out, err = _run(["--config", str(path), "check", *_CROWD_NAMES, "--timeout", "1"], {}, capsys)
    assert status == 1
    assert f"healthy ({scripted_server}/ok/v1) serves: a, b" in out
    assert out.count("timed out after 1 s waiting for") == 200
    assert "checking" not in err  # stderr is not a terminal here: no progress line


_FD_SCRIPT = """
import resource, sys, registry
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
from registry.live import concurrency
print("slots", concurrency(10_000))
reg = registry.load(config_path=sys.argv[1], environ={})
result = registry.probe(reg, [name for name in reg.providers if name.startswith(("hang", "healthy"))], timeout=0.5)
for item in result.probes:
    print(item.name, item.up, item.reason, ",".join(item.models))
"""


@pytest.mark.e2e
def test_more_servers_than_descriptors_run_in_waves_without_emfile(
        silent_server: _Silent, scripted_server: str, user_file: Callable[..., Path]) -> None:
    """600 hanging servers under a 256-descriptor limit: no 'Too many open files', every server is
    really asked (in waves of at most half the limit), each times out on its own clock."""
    import subprocess
    import sys

    path = user_file(_crowd(silent_server, scripted_server, 600))
    run = subprocess.run([sys.executable, "-c", _FD_SCRIPT, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "slots 96"  # (256 - 64 reserved) // 2
    results = lines[1:]
    assert len(results) == 601
    assert results[-1] == "healthy True up: 2 models listed a,b"
    assert all(line.endswith(f"False timed out after 0.5 s waiting for 127.0.0.1:{silent_server.port} ")
               for line in results[:-1]), "\n".join(line for line in results if "timed out" not in line)[:2000]
    assert "Too many open files" not in run.stdout + run.stderr
    assert len(silent_server.held) == 600


@pytest.mark.e2e
def test_on_a_terminal_the_progress_line_says_at_once_what_is_checked(
        silent_server: _Silent, user_file: Callable[..., Path]) -> None:
    """stderr on a real pseudo-terminal: the first bytes name the count and the timeout, before
    any server has answered; the line is cleared at the end."""
    import os
    import pty
    import subprocess
    import sys

    path = user_file("version: 1\nproviders:\n" + "".join(
        f"  hang{i}:\n    api_base: http://127.0.0.1:{silent_server.port}/p{i}/v1\n" for i in range(3)))
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "registry", "--config", str(path), "check",
                                    "hang0", "hang1", "hang2", "--timeout", "1"],
                                   stdout=subprocess.PIPE, stderr=follower, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal is gone: the process closed its side
                break
            if not chunk:
                break
            seen += chunk
        out, _ = process.communicate(timeout=60)
    finally:
        os.close(leader)
    text = seen.decode()
    assert text.startswith("\r\x1b[Kchecking 3 servers, timeout 1 s"), text
    assert "checking 3 servers, timeout 1 s: 3/3 done" in text
    assert text.endswith("\r\x1b[K")
    assert process.returncode == 1 and b"timed out after 1 s" in out
