"""Failover under load, shared by ``test_failover.py`` and ``benchmarks/failover.py``: real LiteLLM
proxies as replicas, a gateway proxy started from ``registry export`` output, an in-process
``registry.router``, and a driver that sends requests and breaks one replica part-way through.

A replica is broken by its process id: SIGKILL (connections are then refused) or SIGSTOP (the
kernel still accepts connections, nothing answers: a hung server; SIGCONT undoes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

import registry
from registry.cli import main

from .conftest import MASTER_KEY, MOCK_TEXT, Proxy, start_proxy

GATEWAY_KEY = "sk-gateway-failover-e2e"
MODEL_ID = "vllm/m"
MESSAGES = [{"role": "user", "content": "hi"}]
# A replica: any model name, answered with the mock text.
BACKEND_CONFIG: dict[str, Any] = {"model_list": [
    {"model_name": "*", "litellm_params": {"model": "openai/*", "mock_response": MOCK_TEXT, "api_key": "fake"}},
]}

Send = Callable[[], Awaitable[None]]  # one request; raises when it was lost


@dataclass
class Outcome:
    """What one consumer saw: requests lost, and the latency of each request after the failure."""

    lost: int = 0
    errors: list[str] = field(default_factory=list)
    after: list[float] = field(default_factory=list)  # seconds

    def percentile(self, q: int) -> float:
        """The ``q``-th percentile (1..99) of the latencies after the failure, in seconds."""
        if len(self.after) < 2:
            return self.after[0] if self.after else float("nan")
        return statistics.quantiles(self.after, n=100, method="inclusive")[q - 1]


def start_proxies(specs: Sequence[tuple[Mapping[str, Any], Path, dict[str, Any]]],
                  stack: contextlib.ExitStack) -> list[Proxy]:
    """Start one proxy per ``(config, workdir, start_proxy kwargs)`` in parallel (each takes about
    ten seconds); every one that started is stopped when ``stack`` closes."""
    def enter(spec: tuple[Mapping[str, Any], Path, dict[str, Any]]) -> tuple[Any, Proxy]:
        config, workdir, kwargs = spec
        manager = start_proxy(config, workdir, **kwargs)
        return manager, manager.__enter__()

    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        futures = [pool.submit(enter, spec) for spec in specs]
    proxies, failure = [], None
    for future in futures:
        try:
            manager, proxy = future.result()
        except BaseException as exc:  # pytest.fail raises an outcome, not an Exception
            failure = failure or exc
            continue
        stack.push(manager.__exit__)
        proxies.append(proxy)
    if failure is not None:
        raise failure
    return proxies


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/v1"


def user_file(path: Path, ports: Sequence[int], timeout: float | None = None) -> Path:
    """A user file whose ``vllm`` provider has the replicas on ``ports`` as ``api_base`` + ``api_bases``."""
    lines = ["version: 1", "providers:", "  vllm:", f"    api_base: {base_url(ports[0])}",
             f"    api_bases: [{', '.join(base_url(port) for port in ports[1:])}]"]
    if timeout is not None:
        lines.append(f"    timeout: {timeout}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def load(path: Path) -> registry.Registry:
    return registry.load(config_path=path, environ={"VLLM_API_KEY": MASTER_KEY})


def exported_config(path: Path, out: Path, *, weighted_failover: bool = True) -> dict[str, Any]:
    """``registry export --format litellm-proxy vllm`` for the user file ``path``, as a dict;
    ``weighted_failover=False`` removes the setting (LiteLLM's default, the export before it)."""
    status = main(["export", "--format", "litellm-proxy", "vllm", "--config", str(path), "-o", str(out)],
                  environ={"VLLM_API_KEY": MASTER_KEY})
    assert status == 0, f"registry export exited with {status}"
    config: dict[str, Any] = yaml.safe_load(out.read_text(encoding="utf-8"))
    if not weighted_failover:
        config["router_settings"].pop("enable_weighted_failover")
    return config


def gateway_spec(config: Mapping[str, Any], workdir: Path, port: int | None = None) -> tuple[Any, Path, dict[str, Any]]:
    """A ``start_proxies`` entry for a gateway serving an exported ``config``."""
    return config, workdir, {"master_key": GATEWAY_KEY, "env": {"VLLM_API_KEY": MASTER_KEY}, "port": port}


def via_gateway(client: httpx.AsyncClient, gateway: Proxy) -> Send:
    """A request for ``MODEL_ID`` through ``gateway``; lost on any status but 200 or a wrong answer."""
    async def send() -> None:
        response = await client.post(f"{gateway.base_url}/chat/completions",
                                     json={"model": MODEL_ID, "messages": MESSAGES, "max_tokens": 5},
                                     headers={"Authorization": f"Bearer {GATEWAY_KEY}"})
        if response.status_code != 200:
            raise RuntimeError(f"HTTP {response.status_code}: {response.text[:200]}")
        content = response.json()["choices"][0]["message"]["content"]
        if content != MOCK_TEXT:
            raise RuntimeError(f"unexpected answer {content!r}")
    return send


def via_router(router: Any) -> Send:
    """A request for ``MODEL_ID`` through an in-process ``registry.router``."""
    async def send() -> None:
        response = await router.acompletion(model=MODEL_ID, messages=MESSAGES, max_tokens=5)
        content = response.choices[0].message.content
        if content != MOCK_TEXT:
            raise RuntimeError(f"unexpected answer {content!r}")
    return send


async def drive(sends: Mapping[str, Send], fail: Callable[[], None], *, requests: int = 100, fail_after: int = 20,
                concurrency: int = 1) -> dict[str, Outcome]:
    """Send ``requests`` requests through every consumer in ``sends``, side by side, in waves of
    ``concurrency``; call ``fail`` once ``fail_after`` of them are done."""
    if fail_after % concurrency:
        raise ValueError("fail_after must be a multiple of concurrency")
    outcomes = {name: Outcome() for name in sends}

    async def one(name: str, send: Send, failed: bool) -> None:
        start = time.monotonic()
        try:
            await send()
        except Exception as exc:  # any failure is a lost request
            outcomes[name].lost += 1
            outcomes[name].errors.append(f"{type(exc).__name__}: {str(exc)[:300]}")
        if failed:
            outcomes[name].after.append(time.monotonic() - start)

    for first in range(0, requests, concurrency):
        if first == fail_after:
            fail()
        failed = first >= fail_after
        await asyncio.gather(*(one(name, send, failed) for name, send in sends.items()
                               for _ in range(min(concurrency, requests - first))))
    return outcomes


def kill(proxy: Proxy) -> None:
    """SIGKILL the replica by its process id: from now on its port refuses connections."""
    os.kill(proxy.process.pid, signal.SIGKILL)
    proxy.process.wait(timeout=15)


@contextlib.contextmanager
def stopped(proxy: Proxy) -> Iterator[Callable[[], None]]:
    """A ``fail`` that SIGSTOPs the replica (it hangs: connections are accepted, never answered);
    SIGCONT on the way out, so the replica serves again (and can be stopped normally)."""
    try:
        yield lambda: os.kill(proxy.process.pid, signal.SIGSTOP)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proxy.process.pid, signal.SIGCONT)


def alive(proxy: Proxy) -> bool:
    try:
        return httpx.get(f"{proxy.url}/health/liveliness", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
