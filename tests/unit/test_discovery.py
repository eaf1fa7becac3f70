"""Unit tests for registry.discovery: the parser of each server's documented bodies (contract
fixtures in tests/fixtures/servers/), served-beats-trained, the caps, hostile replies, the cache
and its trust rules, and ``registry models`` against a replayed Ollama API."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import registry
from registry import discovery
from registry.cache import NO_CACHE_ENV, cache_directory
from registry.cli import main
from registry.discovery import (
    MAX_CONTEXT,
    Discovery,
    ProviderModels,
    ServedModel,
    cached_models,
    discover,
    openai_kind,
    parse_llamacpp_props,
    parse_lmstudio_models,
    parse_ollama_ps,
    parse_ollama_show,
    parse_ollama_tags,
    parse_openai_models,
)
from replay_server import FIXTURES, ReplayServer, body, fixture

SECRET = "sk-live-canary-0123456789abcdef"
OLLAMA_MODELS = ["gemma3:latest", "llama3.2:latest", "qwen3:8b"]


@pytest.fixture
def ollama() -> Iterator[ReplayServer]:
    with ReplayServer(fixture("ollama")) as server:
        yield server


def load_for(env: str, server: ReplayServer) -> registry.Registry:
    return registry.load(config_path=None, environ={env: server.root + "/v1"})


def entry_files() -> list[Path]:
    directory = cache_directory("provider-registry") / discovery.CACHE_SUBDIRECTORY
    return sorted(directory.glob("*.json")) if directory.exists() else []


# -- every fixture names its documentation ----------------------------------------------------------

@pytest.mark.parametrize("name", ["ollama", "llamacpp", "lmstudio", "vllm"])
def test_each_contract_fixture_cites_its_documentation(name: str) -> None:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert data["_source"] and all(url.startswith("https://") for url in data["_source"])


# -- parsers, on the documented bodies --------------------------------------------------------------

def test_ollama_tags_show_and_ps() -> None:
    assert parse_ollama_tags(body("ollama", "GET /api/tags")) == OLLAMA_MODELS
    show = fixture("ollama")["POST /api/show"]["by_model"]
    gemma = parse_ollama_show(json.dumps(show["gemma3:latest"]).encode(), "POST /api/show")
    assert gemma == {"trained_context_window": (131072, "POST /api/show"), "tools": (False, "POST /api/show"),
                     "vision": (True, "POST /api/show"), "reasoning": (False, "POST /api/show")}
    qwen = parse_ollama_show(json.dumps(show["qwen3:8b"]).encode(), "S")
    assert qwen is not None and qwen["reasoning"] == (True, "S") and qwen["tools"] == (True, "S")
    llama = parse_ollama_show(json.dumps(show["llama3.2:latest"]).encode(), "S")
    assert llama is not None and llama["trained_context_window"] == (8192, "S")
    assert parse_ollama_ps(body("ollama", "GET /api/ps")) == {"gemma3:latest": 4096}


def test_ollama_show_without_architecture_uses_the_one_context_length() -> None:
    assert parse_ollama_show(b'{"model_info": {"x.context_length": 2048}}', "S") == {
        "trained_context_window": (2048, "S")}
    assert parse_ollama_show(b'{"model_info": {"a.context_length": 1, "b.context_length": 2}}', "S") == {}
    assert parse_ollama_ps(b'{"models": [{"name": "old:latest"}]}') == {"old:latest": None}  # older Ollama


def test_llamacpp_props_and_models_meta() -> None:
    assert parse_llamacpp_props(body("llamacpp", "GET /props"), "GET /props") == {
        "context_window": (8192, "GET /props"), "vision": (False, "GET /props")}
    ((model_id, facts),) = parse_openai_models(body("llamacpp", "GET /v1/models"), "M") or []
    assert model_id.endswith("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf")
    assert facts == {"trained_context_window": (131072, "M")}
    assert parse_llamacpp_props(body("vllm", "GET /v1/models"), "P") is None  # not llama-server


def test_lmstudio_models() -> None:
    models = dict(parse_lmstudio_models(body("lmstudio", "GET /api/v0/models"), "L") or [])
    assert models["meta-llama-3.1-8b-instruct"] == {
        "trained_context_window": (131072, "L"), "context_window": (4096, "L"), "loaded": (True, "L"),
        "vision": (False, "L"), "tools": (True, "L")}
    assert models["qwen2-vl-7b-instruct"]["vision"] == (True, "L")
    assert "vision" not in models["text-embedding-nomic-embed-text-v1.5"]
    # A plain OpenAI list is not LM Studio's.
    assert parse_lmstudio_models(body("lmstudio", "GET /v1/models"), "L") is None


def test_vllm_max_model_len_is_the_served_length() -> None:
    ((model_id, facts),) = parse_openai_models(body("vllm", "GET /v1/models"), "M") or []
    assert model_id == "meta-llama/Meta-Llama-3-8B-Instruct" and facts == {"context_window": (8192, "M")}
    assert openai_kind(body("vllm", "GET /v1/models")) == "vllm"
    assert openai_kind(body("lmstudio", "GET /v1/models")) == "openai"


@pytest.mark.parametrize("text", [b"", b"not json", b"[]", b'{"data": {}}', b'{"models": "x"}', b"null"])
def test_other_shapes_are_none(text: bytes) -> None:
    assert parse_openai_models(text, "M") is None
    assert parse_ollama_tags(text) is None
    assert parse_ollama_ps(text) is None
    assert parse_llamacpp_props(text, "P") is None
    assert parse_lmstudio_models(text, "L") is None


@pytest.mark.parametrize("value", [0, -1, MAX_CONTEXT + 1, 10**30, "4096", 4096.0, True, None, [4096], {"n": 1}])
def test_a_number_is_believed_only_as_a_sane_int(value: Any) -> None:
    text = json.dumps({"data": [{"id": "m", "max_model_len": value, "meta": {"n_ctx_train": value}}]}).encode()
    assert parse_openai_models(text, "M") == [("m", {})]
    show = json.dumps({"model_info": {"general.architecture": "a", "a.context_length": value}}).encode()
    assert parse_ollama_show(show, "S") == {}


@pytest.mark.parametrize("value", ["true", 1, None, "yes"])
def test_a_flag_is_believed_only_as_a_boolean(value: Any) -> None:
    props = json.dumps({"default_generation_settings": {}, "modalities": {"vision": value}}).encode()
    assert parse_llamacpp_props(props, "P") == {}


def test_capabilities_that_are_not_a_list_of_words_say_nothing() -> None:
    assert parse_ollama_show(b'{"capabilities": "tools"}', "S") == {}
    assert parse_ollama_show(b'{"capabilities": [1, null, "vision"]}', "S") == {
        "tools": (False, "S"), "vision": (True, "S"), "reasoning": (False, "S")}


# -- discovery against the replayed servers ---------------------------------------------------------

def test_ollama_served_context_beats_the_trained_one(ollama: ReplayServer) -> None:
    result = discover(load_for("OLLAMA_BASE_URL", ollama), "ollama")
    found = result.for_provider("ollama")
    assert result.ok and found is not None and found.server == "ollama" and found.reason is None
    assert [m.id for m in found.models] == OLLAMA_MODELS
    gemma = found.model("gemma3:latest")
    assert gemma is not None
    assert (gemma.context_window, gemma.trained_context_window, gemma.loaded) == (4096, 131072, True)
    assert (gemma.tools, gemma.vision, gemma.reasoning) == (False, True, False)
    assert gemma.sources["context_window"] == "GET /api/ps"
    assert gemma.sources["trained_context_window"] == "POST /api/show"
    llama = found.model("llama3.2:latest")
    assert llama is not None and (llama.context_window, llama.loaded, llama.tools) == (8192, False, True)
    assert llama.sources["context_window"] == "POST /api/show"  # not loaded: the trained length is all there is
    assert found.model("missing") is None


@pytest.mark.parametrize(("name", "provider", "env", "kind", "model_id", "context", "trained"), [
    ("llamacpp", "llamacpp", "LLAMACPP_BASE_URL", "llamacpp", "../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
     8192, 131072),
    ("lmstudio", "lm_studio", "LMSTUDIO_BASE_URL", "lmstudio", "meta-llama-3.1-8b-instruct", 4096, 131072),
    ("vllm", "vllm", "VLLM_BASE_URL", "vllm", "meta-llama/Meta-Llama-3-8B-Instruct", 8192, None),
])
def test_each_server_kind_is_detected_and_served_wins(name: str, provider: str, env: str, kind: str, model_id: str,
                                                      context: int, trained: int | None) -> None:
    with ReplayServer(fixture(name)) as server:
        found = discover(load_for(env, server), provider).results[0]
    assert found.ok and found.server == kind
    model = found.model(model_id)
    assert model is not None and (model.context_window, model.trained_context_window) == (context, trained)


def test_a_hosted_provider_gets_the_generic_list_only(user_file) -> None:
    with ReplayServer(fixture("ollama")) as server:
        path = user_file(f"version: 1\nproviders:\n  router:\n    kind: hosted\n    api_base: {server.root}/v1\n")
        found = discover(registry.load(config_path=path, environ={}), "router").results[0]
        assert [(m, p) for m, p, _, _ in server.requests] == [("GET", "/v1/models")]
    assert found.server == "openai" and [m.id for m in found.models] == OLLAMA_MODELS
    assert all(m.context_window is None and m.tools is None for m in found.models)


def test_the_key_is_sent_as_a_bearer_token_to_every_endpoint(user_file) -> None:
    with ReplayServer(fixture("ollama")) as server:
        path = user_file(f"version: 1\nproviders:\n  mine:\n    api_base: {server.root}/v1\n"
                         "    api_key_env: MINE_API_KEY\n")
        discover(registry.load(config_path=path, environ={"MINE_API_KEY": SECRET}), "mine")
        assert server.requests and all(h.get("Authorization") == f"Bearer {SECRET}" for _, _, h, _ in server.requests)
    assert all(SECRET not in f.read_text() for f in entry_files())  # never stored


def test_a_key_echoed_back_is_redacted_and_controls_escaped(user_file) -> None:
    routes = {"GET /v1/models": {"data": [{"id": f"model-{SECRET}"}, {"id": "evil\x1b[31mred"},
                                          {"id": "x" * 600}]}}
    with ReplayServer(routes) as server:
        path = user_file(f"version: 1\nproviders:\n  mine:\n    api_base: {server.root}/v1\n"
                         "    api_key_env: MINE_API_KEY\n")
        result = discover(registry.load(config_path=path, environ={"MINE_API_KEY": SECRET}), "mine")
    ids = [m.id for m in result.results[0].models]
    assert len(ids) == 2 and not any(SECRET in i for i in ids) and not any("\x1b" in i for i in ids)
    assert "evil\\x1b[31mred" in ids
    assert SECRET not in json.dumps(result.as_dict())


def test_an_error_that_echoes_the_key_is_redacted(user_file) -> None:
    routes = {"GET /v1/models": {"_status": 401, "_body": {"error": {"message": f"bad key {SECRET}\x1b[2J"}}}}
    with ReplayServer(routes) as server:
        path = user_file(f"version: 1\nproviders:\n  mine:\n    api_base: {server.root}/v1\n"
                         "    api_key_env: MINE_API_KEY\n")
        result = discover(registry.load(config_path=path, environ={"MINE_API_KEY": SECRET}), "mine")
    (found,) = result.results
    assert not found.ok and found.reason is not None and found.reason.startswith("HTTP 401 Unauthorized: bad key ")
    assert SECRET not in found.reason and "\x1b" not in found.reason
    assert "(the key from MINE_API_KEY was sent)" in found.reason


def test_a_wrong_path_says_so() -> None:
    with ReplayServer({}) as server:
        found = discover(load_for("VLLM_BASE_URL", server), "vllm").results[0]
    assert found.reason is not None and found.reason.endswith("no /models here; api_base usually ends in /v1")


def test_caps_models_per_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(discovery, "MAX_MODELS", 5)
    tags = {"models": [{"name": f"m{i}:latest"} for i in range(50)]}
    with ReplayServer({"GET /api/tags": tags, "GET /v1/models": {"data": []}}) as server:
        found = discover(load_for("OLLAMA_BASE_URL", server), "ollama").results[0]
        shows = [p for m, p, _, _ in server.requests if m == "POST"]
    assert len(found.models) == 5 and len(shows) == 5


def test_at_most_four_requests_to_one_server_at_a_time() -> None:
    tags = {"models": [{"name": f"m{i}:latest"} for i in range(16)]}
    with ReplayServer({"GET /api/tags": tags, "GET /v1/models": {"data": []}}, delay=0.05) as server:
        found = discover(load_for("OLLAMA_BASE_URL", server), "ollama").results[0]
    assert len(found.models) == 16 and server.max_active == discovery.PER_SERVER


def test_a_body_past_the_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import registry.live

    monkeypatch.setattr(registry.live, "MAX_BODY", 1024)
    with ReplayServer({"GET /v1/models": {"data": [{"id": "x" * 100} for _ in range(40)]}}) as server:
        found = discover(load_for("VLLM_BASE_URL", server), "vllm").results[0]
    assert not found.ok and found.reason is not None and "not a model list" in found.reason


def test_one_deadline_for_all_the_requests_of_a_server() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        reg = registry.load(config_path=None, environ={"OLLAMA_BASE_URL": f"http://127.0.0.1:{silent.getsockname()[1]}/v1"})
        started = time.monotonic()
        found = discover(reg, "ollama", timeout=0.5).results[0]
        elapsed = time.monotonic() - started
    assert not found.ok and found.reason is not None and "timed out after 0.5 s" in found.reason
    assert elapsed < 2.5


def test_servers_are_asked_concurrently() -> None:
    with socket.socket() as first, socket.socket() as second:
        for silent in (first, second):
            silent.bind(("127.0.0.1", 0))
            silent.listen(16)
        environ = {"OLLAMA_BASE_URL": f"http://127.0.0.1:{first.getsockname()[1]}/v1",
                   "VLLM_BASE_URL": f"http://127.0.0.1:{second.getsockname()[1]}/v1"}
        started = time.monotonic()
        result = discover(registry.load(config_path=None, environ=environ), ["ollama", "vllm"], timeout=0.5)
        elapsed = time.monotonic() - started
    assert [r.provider for r in result.results] == ["ollama", "vllm"] and not result.ok
    assert elapsed < 0.5 * 2 + 0.5  # both deadlines ran at the same time


def test_a_stopped_server_is_a_reason_not_an_exception() -> None:
    server = ReplayServer(fixture("ollama"))
    root = server.root
    server.stop()
    found = discover(registry.load(config_path=None, environ={"OLLAMA_BASE_URL": root + "/v1"}), "ollama").results[0]
    assert not found.ok and found.server is None and found.models == ()
    assert found.reason is not None and found.reason.startswith("connection refused at 127.0.0.1:")


def test_an_unavailable_provider_is_not_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = registry.load(config_path=None, environ={"OLLAMA_BASE_URL": "not a url"})
    found = discover(reg, "ollama").results[0]
    assert not found.ok and found.reason is not None and found.reason.startswith("not checked: unavailable:")


def test_unknown_provider_raises_with_did_you_mean() -> None:
    with pytest.raises(registry.UnknownProviderError, match="ollama"):
        discover(registry.load(config_path=None, environ={}), "olama")


def test_discover_is_safe_inside_a_running_loop(ollama: ReplayServer) -> None:
    reg = load_for("OLLAMA_BASE_URL", ollama)

    async def inside() -> Discovery:
        return discover(reg, "ollama")

    assert asyncio.run(inside()).ok
    assert asyncio.run(discovery.adiscover(reg, ["ollama"])).ok


def test_bad_timeout_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="timeout"):
        discover(registry.load(config_path=None, environ={}), "ollama", timeout=0)


def test_as_dict_is_the_stable_json_shape(ollama: ReplayServer) -> None:
    data = discover(load_for("OLLAMA_BASE_URL", ollama), "ollama").as_dict()
    assert data["status"] == "ok"
    (entry,) = data["results"]
    assert set(entry) == {"provider", "api_base", "ok", "server", "fetched_at", "from_cache", "reason", "models"}
    assert set(entry["models"][0]) == {"id", "context_window", "trained_context_window", "tools", "vision",
                                       "reasoning", "loaded", "sources"}
    json.dumps(data)


# -- the cache --------------------------------------------------------------------------------------

def test_cache_round_trip_without_network(ollama: ReplayServer) -> None:
    reg = load_for("OLLAMA_BASE_URL", ollama)
    assert cached_models(reg, "ollama") is None
    fresh = discover(reg, "ollama").results[0]
    ollama.stop()
    cached = cached_models(reg, "ollama")
    assert cached is not None and cached.from_cache and cached.server == "ollama"
    assert cached.models == fresh.models and cached.fetched_at == fresh.fetched_at
    assert cached_models(reg, "no-such-provider") is None
    other = registry.load(config_path=None, environ={"OLLAMA_BASE_URL": "http://127.0.0.1:1/v1"})
    assert cached_models(other, "ollama") is None  # another base URL is another server


def test_a_failure_does_not_replace_the_last_good_entry(ollama: ReplayServer) -> None:
    reg = load_for("OLLAMA_BASE_URL", ollama)
    discover(reg, "ollama")
    ollama.stop()
    assert not discover(reg, "ollama").ok
    cached = cached_models(reg, "ollama")
    assert cached is not None and len(cached.models) == 3


def test_a_forged_or_corrupt_entry_is_a_miss(ollama: ReplayServer) -> None:
    reg = load_for("OLLAMA_BASE_URL", ollama)
    discover(reg, "ollama")
    (path,) = entry_files()
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"131072", b"999999"))  # edited without the key
    assert cached_models(reg, "ollama") is None
    mac, _, payload = raw.partition(b"\n")
    path.write_bytes(b"0" * len(mac) + b"\n" + payload)  # a made-up MAC
    assert cached_models(reg, "ollama") is None
    path.write_bytes(raw[: len(raw) // 2])  # torn
    assert cached_models(reg, "ollama") is None
    path.write_bytes(raw)
    assert cached_models(reg, "ollama") is not None


def test_an_entry_copied_to_another_name_is_a_miss(ollama: ReplayServer) -> None:
    base = ollama.root + "/v1"
    reg = registry.load(config_path=None, environ={"OLLAMA_BASE_URL": base, "VLLM_BASE_URL": base})
    discover(reg, "ollama")
    (path,) = entry_files()
    copy = path.parent / (discovery._entry_name("vllm", base) + ".json")
    copy.write_bytes(path.read_bytes())  # signed for ollama's name, not for vllm's
    assert cached_models(reg, "vllm") is None
    assert cached_models(reg, "ollama") is not None


def test_untrusted_directory_or_link_is_a_miss(ollama: ReplayServer, tmp_path: Path) -> None:
    reg = load_for("OLLAMA_BASE_URL", ollama)
    discover(reg, "ollama")
    (path,) = entry_files()
    path.parent.chmod(0o777)
    try:
        assert cached_models(reg, "ollama") is None
    finally:
        path.parent.chmod(0o700)
    moved = tmp_path / "elsewhere.json"
    path.rename(moved)
    path.symlink_to(moved)
    assert cached_models(reg, "ollama") is None


def test_no_cache_turns_reading_and_writing_off(ollama: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> None:
    reg = load_for("OLLAMA_BASE_URL", ollama)
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    discover(reg, "ollama")
    assert entry_files() == []
    monkeypatch.delenv(NO_CACHE_ENV)
    discover(reg, "ollama")
    assert cached_models(reg, "ollama") is not None
    monkeypatch.setenv(NO_CACHE_ENV, "1")
    assert cached_models(reg, "ollama") is None


def test_served_model_from_dict_checks_every_value() -> None:
    stored = {"id": "a\x07b", "context_window": 10**12, "trained_context_window": 4096, "tools": "yes",
              "vision": True, "sources": {"vision": "GET /props", "bad": 3}}
    model = ServedModel.from_dict(stored)
    assert model is not None and model.id == "a\\x07b" and model.context_window is None
    assert model.trained_context_window == 4096 and model.tools is None and model.vision is True
    assert dict(model.sources) == {"vision": "GET /props"}
    assert ServedModel.from_dict({"id": 3}) is None and ServedModel.from_dict([]) is None


def test_provider_models_value_semantics() -> None:
    empty = ProviderModels("p", "http://x/v1", None, (), 0.0, "down")
    assert not empty.ok and empty.model("m") is None
    assert Discovery(()).ok is False and Discovery((empty,)).for_provider("p") is empty


# -- registry models --------------------------------------------------------------------------------

def _run(argv: list[str], environ: dict[str, str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv, environ=environ)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_registry_models_ollama_then_offline_from_the_cache(ollama: ReplayServer, user_file,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"OLLAMA_BASE_URL": ollama.root + "/v1", "PROVIDER_REGISTRY_CONFIG": str(user_file("version: 1\n"))}
    status, out, err = _run(["models", "ollama"], environ, capsys)
    assert status == 0, err
    assert f"ollama  {ollama.root}/v1  server: ollama  (fetched just now)" in out
    lines = {line.split()[0]: line for line in out.splitlines()[2:]}
    assert lines["gemma3:latest"].split()[1:6] == ["4096", "(131072)", "no", "yes", "no"]
    assert "/api/ps: context" in lines["gemma3:latest"] and "/api/show: trained, tools, vision, reasoning" in lines[
        "gemma3:latest"]
    assert lines["llama3.2:latest"].split()[1:5] == ["8192", "yes", "no", "no"]
    assert lines["qwen3:8b"].split()[1:5] == ["40960", "yes", "no", "yes"]

    ollama.stop()
    reg = registry.load(config_path=None, environ={"OLLAMA_BASE_URL": ollama.root + "/v1"})
    cached = cached_models(reg, "ollama")
    assert cached is not None and [m.id for m in cached.models] == OLLAMA_MODELS
    status, cached_out, _ = _run(["models", "ollama"], environ, capsys)
    assert status == 0 and "(cached, fetched just now)" in cached_out
    assert cached_out.splitlines()[1:] == out.splitlines()[1:]
    status, out, _ = _run(["models", "ollama", "--refresh", "--timeout", "1"], environ, capsys)
    assert status == 1 and "connection refused at 127.0.0.1:" in out


def test_registry_models_json(ollama: ReplayServer, capsys: pytest.CaptureFixture[str]) -> None:
    environ = {"OLLAMA_BASE_URL": ollama.root + "/v1", NO_CACHE_ENV: "1"}
    status, out, _ = _run(["models", "ollama", "--json"], environ, capsys)
    assert status == 0
    data = json.loads(out)
    assert data["status"] == "ok" and data["results"][0]["server"] == "ollama"
    assert data["results"][0]["from_cache"] is False
    assert entry_files() == []  # NO_CACHE in the command's environment


def test_registry_models_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(["models", "--timeout", "-1"], {}, capsys)
    assert status == 2 and "--timeout" in err
    status, _, err = _run(["models", "olama"], {}, capsys)
    assert status == 1 and "did you mean 'ollama'" in err


def test_age_wording() -> None:
    from registry.commands.models import age

    assert [age(s) for s in (0, 59, 60, 3599, 3600, 86400 * 3)] == [
        "just now", "just now", "1 min ago", "59 min ago", "1 h ago", "3 days ago"]


def test_replay_server_stays_on_loopback() -> None:
    with ReplayServer({}) as server:
        assert server.root.startswith("http://127.0.0.1:")
    assert os.environ.get("XDG_CACHE_HOME")  # the conftest isolates the cache directory


def test_a_key_configured_after_the_entry_was_written_is_masked_in_it() -> None:
    later = "sk-later-0123456789abcdef"
    with ReplayServer({"GET /v1/models": {"data": [{"id": f"m-{later}"}]}}) as server:
        base = server.root + "/v1"
        discover(registry.load(config_path=None, environ={"OLLAMA_BASE_URL": base}), "ollama")
    reg = registry.load(config_path=None, environ={"OLLAMA_BASE_URL": base, "OLLAMA_API_KEY": later})
    cached = cached_models(reg, "ollama")
    assert cached is not None and len(cached.models) == 1 and later not in cached.models[0].id


def test_model_info_merges_the_declared_with_the_cached_discovery(ollama: ReplayServer, user_file) -> None:
    """The issue's acceptance: after one discovery, model_info answers offline, each value with its source."""
    path = user_file("version: 1\nproviders:\n  ollama:\n    models:\n      qwen3:8b: {context_window: 32768}\n")
    environ = {"OLLAMA_BASE_URL": ollama.root + "/v1"}
    reg = registry.load(config_path=path, environ=environ)
    assert reg.model_info("ollama/gemma3:latest").served is None  # nothing discovered yet
    assert discover(reg, ["ollama"], timeout=3).ok
    ollama.stop()
    reg = registry.load(config_path=path, environ=environ)
    gemma = reg.model_info("ollama/gemma3:latest")
    assert (gemma.context_window, gemma.trained_context_window, gemma.vision, gemma.served) == (4096, 131072, True, True)
    assert gemma.sources["context_window"] == "GET /api/ps (cached)" and gemma.fetched_at is not None
    qwen = reg.model_info("ollama/qwen3:8b")
    assert qwen.context_window == 32768 and qwen.sources["context_window"] == f"user {path}:5"  # declared wins
    assert qwen.reasoning is True and qwen.sources["reasoning"].endswith("(cached)")  # the server fills the rest
    assert reg.model_info("ollama/nope").served is False


def test_check_model_id_notes_a_model_the_cached_list_lacks(ollama: ReplayServer) -> None:
    environ = {"OLLAMA_BASE_URL": ollama.root + "/v1"}
    assert discover(load_for("OLLAMA_BASE_URL", ollama), ["ollama"], timeout=3).ok
    reg = registry.load(config_path=None, environ=environ)
    check = reg.check_model_id("ollama/qwen3:8B")
    assert check.ok and check.suggestion == "ollama/qwen3:8b"  # still valid: the cache may be stale
    assert check.note == ("not served by ollama at its last discovery ('registry models --refresh' to ask again); "
                          "did you mean 'ollama/qwen3:8b'?")
    served = reg.check_model_id("ollama/qwen3:8b")
    assert served.ok and served.note is None and served.suggestion is None
