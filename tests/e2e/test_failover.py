"""Failover between real replicas: one of them dies (SIGKILL) or hangs (SIGSTOP) after request
20 of 100, behind a gateway proxy started from ``registry export`` output and behind an
in-process ``registry.router``. With the exported router settings no request is lost.

Four proxies start in parallel for the module (three replicas and the gateway); the tests run in
file order, since the last two each kill a replica for good. ``benchmarks/failover.py`` measures
the same setups with LiteLLM's defaults for comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import registry

from . import failover_load as load
from .conftest import MOCK_TEXT, Proxy, free_port

pytestmark = pytest.mark.e2e

TIMEOUT = 1.0  # the provider's timeout: how long a request waits for a hung replica


@dataclass(frozen=True)
class Replicas:
    a: Proxy
    b: Proxy
    c: Proxy
    gateway: Proxy  # the export of vllm with replicas a and b
    pair: Path  # the user file: vllm on a and b, TIMEOUT
    trio: Path  # the user file: vllm on a, b and c, TIMEOUT


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    root = tmp_path_factory.mktemp("failover")
    ports = [free_port() for _ in range(3)]
    pair = load.user_file(root / "pair.yaml", ports[:2], TIMEOUT)
    trio = load.user_file(root / "trio.yaml", ports, TIMEOUT)
    (root / "gateway").mkdir()
    gateway_config = load.exported_config(pair, root / "gateway" / "exported.yaml")
    assert gateway_config["router_settings"]["enable_weighted_failover"] is True
    specs = [(load.BACKEND_CONFIG, root / name, {"port": port}) for name, port in zip("abc", ports)]
    with contextlib.ExitStack() as stack:
        a, b, c, gateway = load.start_proxies([*specs, load.gateway_spec(gateway_config, root / "gateway")], stack)
        yield Replicas(a, b, c, gateway, pair, trio)


def _report(outcomes: dict[str, load.Outcome]) -> str:
    return "; ".join(f"{name}: lost {o.lost}, p50 {o.percentile(50) * 1000:.0f} ms, "
                     f"p95 {o.percentile(95) * 1000:.0f} ms{' ' + repr(o.errors[:2]) if o.errors else ''}"
                     for name, o in outcomes.items())


async def _drive_both(replicas: Replicas, user_file: Path, fail, **options) -> dict[str, load.Outcome]:
    router = registry.router(load.load(user_file))
    async with httpx.AsyncClient(timeout=60) as client:
        sends = {"router": load.via_router(router)}
        if user_file == replicas.pair:
            sends["proxy"] = load.via_gateway(client, replicas.gateway)
        return await load.drive(sends, fail, **options)


def test_router_serves_both_replicas_sync_and_async(replicas: Replicas) -> None:
    router = registry.router(load.load(replicas.pair))
    bases = {d["litellm_params"]["api_base"] for d in router.get_model_list() if d["model_name"] == "vllm/*"}
    assert bases == {replicas.a.base_url, replicas.b.base_url}
    response = router.completion(model=load.MODEL_ID, messages=load.MESSAGES, max_tokens=5)
    assert response.choices[0].message.content == MOCK_TEXT
    asyncio.run(load.via_router(router)())


def test_a_hung_replica_costs_latency_not_requests(replicas: Replicas) -> None:
    with load.stopped(replicas.b) as hang:
        # In waves of 20: a wave waits for the timeouts of its picks of the hung replica.
        outcomes = asyncio.run(_drive_both(replicas, replicas.pair, hang, concurrency=20))
    print(_report(outcomes))
    assert {name: o.lost for name, o in outcomes.items()} == {"router": 0, "proxy": 0}, _report(outcomes)
    assert load.alive(replicas.b)  # SIGCONT: it serves again, for the next tests


def test_one_of_three_replicas_dies(replicas: Replicas) -> None:
    outcomes = asyncio.run(_drive_both(replicas, replicas.trio, lambda: load.kill(replicas.c)))
    print(_report(outcomes))
    assert outcomes["router"].lost == 0, _report(outcomes)


def test_one_of_two_replicas_dies(replicas: Replicas) -> None:
    assert load.alive(replicas.b)
    outcomes = asyncio.run(_drive_both(replicas, replicas.pair, lambda: load.kill(replicas.b)))
    print(_report(outcomes))
    assert {name: o.lost for name, o in outcomes.items()} == {"router": 0, "proxy": 0}, _report(outcomes)
    assert not load.alive(replicas.b)
