"""A loopback HTTP server that replays a contract fixture (``tests/fixtures/servers/<name>.json``).

No Ollama, llama.cpp, LM Studio or vLLM server can run in the tests, so each fixture holds the
bodies that server's documentation gives for the endpoints discovery asks, keyed ``"METHOD /path"``;
``POST /api/show`` is keyed by the ``model`` of the request (``by_model``); ``{"_status": 401,
"_body": ...}`` answers with that status. Anything else is a 404,
as on the real servers. Every request is recorded (method, path, headers, body) for assertions,
and ``max_active`` is the most requests it was answering at the same time (each takes ``delay`` s).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures" / "servers"


def fixture(name: str) -> dict[str, Any]:
    """The routes of fixture ``name`` (``ollama``, ``llamacpp``, ``lmstudio``, ``vllm``)."""
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return dict(data["routes"])


def body(name: str, route: str) -> bytes:
    """One documented body of fixture ``name`` as the server sends it."""
    return json.dumps(fixture(name)[route]).encode()


class ReplayServer(ThreadingHTTPServer):
    """Serves ``routes`` on 127.0.0.1 in a daemon thread: ``with ReplayServer(routes) as server``."""

    daemon_threads = True

    def __init__(self, routes: dict[str, Any], *, delay: float = 0.0) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.delay = delay
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving and free the port: afterwards the address refuses connections."""
        if self._thread.is_alive():
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: ReplayServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet test output
        pass

    def do_GET(self) -> None:
        self._answer("GET")

    def do_POST(self) -> None:
        self._answer("POST")

    def _answer(self, method: str) -> None:
        with self.server._lock:
            self.server.active += 1
            self.server.max_active = max(self.server.max_active, self.server.active)
        try:
            time.sleep(self.server.delay)
            self._reply(method)
        finally:
            with self.server._lock:
                self.server.active -= 1

    def _reply(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        sent = self.rfile.read(length) if length else b""
        self.server.requests.append((method, self.path, dict(self.headers.items()), sent))
        route = self.server.routes.get(f"{method} {self.path}")
        if isinstance(route, dict) and "by_model" in route:
            try:
                model = json.loads(sent).get("model")
            except (ValueError, AttributeError):
                model = None
            route = route["by_model"].get(model) if isinstance(model, str) else None
            if route is None:
                self._send(404, json.dumps({"error": f"model '{model}' not found"}).encode())
                return
        if route is None:
            self._send(404, b"404 page not found", "text/plain")
            return
        if isinstance(route, dict) and "_status" in route:
            self._send(route["_status"], json.dumps(route.get("_body")).encode())
            return
        self._send(200, route if isinstance(route, bytes) else json.dumps(route).encode())

    def _send(self, status: int, payload: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
