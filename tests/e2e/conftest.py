"""A real OpenAI-compatible server for end-to-end tests: LiteLLM's own proxy, started on loopback.

One proxy serves the whole session (it takes about ten seconds to start); a test that needs a
different config starts its own with ``start_proxy``. Models carry ``mock_response``, so no
weights and no network beyond loopback are needed. Processes are stopped by their own pid.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

MASTER_KEY = "sk-master-1234-e2e"
MOCK_TEXT = "hello from mock"
MODELS = ("test-model", "other-model")
START_TIMEOUT = 90.0  # seconds; the machine may be busy, and a slow start must not look like a failure

PROXY_CONFIG: dict[str, Any] = {
    "model_list": [
        {"model_name": name,
         "litellm_params": {"model": f"openai/{name}", "mock_response": MOCK_TEXT, "api_key": "fake"}}
        for name in MODELS
    ],
}


@dataclass(frozen=True, slots=True)
class Proxy:
    """A running LiteLLM proxy: ``base_url`` ends in /v1, as an OpenAI-compatible api_base does."""

    url: str
    port: int
    master_key: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        return f"{self.url}/v1"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def litellm_executable() -> Path:
    path = Path(sys.executable).parent / "litellm"
    if not path.exists():
        pytest.fail(f"{path}: the litellm command is missing; install the test extras: pip install '.[test]'")
    return path


@contextlib.contextmanager
def start_proxy(config: Mapping[str, Any], workdir: Path, *, master_key: str = MASTER_KEY,
                env: Mapping[str, str] | None = None, port: int | None = None) -> Iterator[Proxy]:
    """Start a proxy serving ``config`` on ``port`` (default: a free one), wait until it is alive,
    stop it afterwards. A known port lets a config name a proxy before it starts."""
    workdir.mkdir(parents=True, exist_ok=True)
    config_path = workdir / "config.yaml"
    config_path.write_text(yaml.safe_dump(dict(config), sort_keys=False), encoding="utf-8")
    port = free_port() if port is None else port
    proxy_env = {name: value for name, value in os.environ.items()
                 if not name.endswith(("_API_KEY", "_BASE_URL")) and name not in ("DATABASE_URL", "HF_TOKEN")}
    proxy_env.update({"LITELLM_MASTER_KEY": master_key, "LITELLM_LOCAL_MODEL_COST_MAP": "True",
                      "HOME": str(workdir), "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    proxy_env.update(env or {})
    log = workdir / "proxy.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [str(litellm_executable()), "--config", str(config_path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log_file, stderr=subprocess.STDOUT, env=proxy_env, cwd=workdir, start_new_session=True,
        )
    proxy = Proxy(f"http://127.0.0.1:{port}", port, master_key, process, log)
    try:
        _wait_alive(proxy)
        yield proxy
    finally:
        _stop(process)


def _wait_alive(proxy: Proxy) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proxy.process.poll() is not None:
            pytest.fail(f"the LiteLLM proxy exited with {proxy.process.returncode} before it was alive:\n{_tail(proxy.log)}")
        try:
            with urllib.request.urlopen(f"{proxy.url}/health/liveliness", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    pytest.fail(f"the LiteLLM proxy did not answer /health/liveliness within {START_TIMEOUT:g} s:\n{_tail(proxy.log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the proxy's own process group (it was started in a new session, so pgid == its pid)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def litellm_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """The session's proxy, serving ``MODELS`` with mock responses and requiring ``MASTER_KEY``."""
    with start_proxy(PROXY_CONFIG, tmp_path_factory.mktemp("proxy")) as proxy:
        yield proxy


@pytest.fixture
def vllm_env(litellm_proxy: Proxy) -> dict[str, str]:
    """An environment that points the built-in ``vllm`` provider at the proxy with the right key."""
    return {"VLLM_BASE_URL": litellm_proxy.base_url, "VLLM_API_KEY": litellm_proxy.master_key}


@pytest.fixture(scope="session", autouse=True)
def _quiet_litellm() -> None:
    """LiteLLM prints a feedback banner on stdout for every failed call; keep test output readable."""
    import litellm

    litellm.suppress_debug_info = True
