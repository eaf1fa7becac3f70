"""``registry.exports``: the llm, Continue and opencode exports built from a registry. No network
(the discovery cache is filled from a replayed Ollama on loopback)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

import registry
from registry.discovery import discover
from registry.exports import FORMATS, plan_continue, plan_export, plan_llm, plan_opencode
from registry.exports.plan import select_models
from replay_server import ReplayServer, fixture

CANARY = "sk-canary-export-0123456789abcdef"
HEADER_CANARY = "secret-header-value-99"
TOOLS = ("llm", "continue", "opencode")
ODD = "org/We:ird#1&\u00e9'"  # a slash, a colon, '#', '&', a quote and a non-ASCII letter

BOX = f"""version: 1
aliases:
  quick: box/plain
providers:
  box:
    api_base: http://127.0.0.1:9000/v1
    api_bases: ['http://127.0.0.1:9001/v1']
    api_key_env: BOX_KEY
    timeout: 30
    headers: {{X-Token: {HEADER_CANARY}}}
    models:
      "{ODD}": {{context_window: 32000, max_output_tokens: 4096, tools: true, vision: true}}
      plain: {{context_window: 8192, reasoning: true, tools: false}}
"""


@pytest.fixture
def box(user_file: Callable[..., Path]) -> registry.Registry:
    return registry.load(config_path=user_file(BOX), environ={"BOX_KEY": CANARY})


@pytest.fixture
def ollama() -> Iterator[ReplayServer]:
    with ReplayServer(fixture("ollama")) as server:
        yield server


def test_every_format_is_in_the_one_table() -> None:
    assert list(FORMATS) == ["litellm-proxy", "llm", "continue", "opencode"]


@pytest.mark.parametrize("tool", TOOLS)
def test_no_key_or_header_value_is_ever_written(box: registry.Registry, tool: str) -> None:
    plan = plan_export(box, tool, ["box"])
    dumped = plan.render() + json.dumps(plan.as_dict())
    assert CANARY not in dumped and HEADER_CANARY not in dumped
    assert plan.env_vars == ("BOX_KEY",)  # type: ignore[attr-defined]


@pytest.mark.parametrize("tool", TOOLS)
def test_replicas_and_headers_are_notes(box: registry.Registry, tool: str) -> None:
    notes = plan_export(box, tool, ["box"]).notes
    assert any("2 replicas" in note and "http://127.0.0.1:9000/v1" in note for note in notes)
    assert any("X-Token" in note and "not exported" in note for note in notes)


def test_llm_entries_carry_the_registry_ids_and_a_key_name(box: registry.Registry) -> None:
    plan = plan_llm(box, ["box"])
    assert yaml.safe_load(plan.render()) == plan.config["models"] == [
        {"model_id": f"box/{ODD}", "model_name": ODD, "api_base": "http://127.0.0.1:9000/v1",
         "api_key_name": "BOX_KEY", "supports_tools": True, "vision": True},
        {"model_id": "box/plain", "model_name": "plain", "api_base": "http://127.0.0.1:9000/v1",
         "api_key_name": "BOX_KEY", "aliases": ["quick"], "reasoning": True},
    ]
    assert any("llm keys set NAME' (BOX_KEY)" in note and "OPENAI_API_KEY" in note for note in plan.notes)


def test_continue_models_reference_secrets(box: registry.Registry) -> None:
    plan = plan_continue(box, ["box"])
    config = yaml.safe_load(plan.render())
    assert config == plan.config and (config["name"], config["schema"]) == ("provider-registry", "v1")
    assert config["models"][0] == {
        "name": f"box/{ODD}", "provider": "openai", "model": ODD, "apiBase": "http://127.0.0.1:9000/v1",
        "apiKey": "${{ secrets.BOX_KEY }}", "capabilities": ["tool_use", "image_input"],
        "defaultCompletionOptions": {"contextLength": 32000, "maxTokens": 4096}, "requestOptions": {"timeout": 30.0}}
    assert "capabilities" not in config["models"][1]  # tools: false is not a capability


def test_opencode_provider_references_the_variable(box: registry.Registry) -> None:
    plan = plan_opencode(box, ["box"])
    config = json.loads(plan.render())
    assert config == plan.config and config["$schema"] == "https://opencode.ai/config.json"
    block = config["provider"]["box"]
    assert block["npm"] == "@ai-sdk/openai-compatible"
    assert block["options"] == {"baseURL": "http://127.0.0.1:9000/v1", "apiKey": "{env:BOX_KEY}", "timeout": 30000}
    assert block["models"] == {
        ODD: {"name": f"box/{ODD}", "limit": {"context": 32000, "output": 4096}, "tool_call": True, "attachment": True},
        "plain": {"name": "box/plain", "tool_call": False, "reasoning": True},
    }
    assert any("'box/plain'" in note and "both" in note for note in plan.notes)  # a limit needs both numbers


def test_placeholder_keys_are_written_as_the_tool_needs() -> None:
    reg = registry.load(environ={})
    ids = ["ollama/llama3.1:8b"]
    assert "api_key_name" not in plan_llm(reg, models=ids).config["models"][0]  # llm then sends a dummy key
    assert plan_continue(reg, models=ids).config["models"][0]["apiKey"] == "ollama"
    assert plan_opencode(reg, models=ids).config["provider"]["ollama"]["options"]["apiKey"] == "ollama"
    assert all(plan_export(reg, tool, models=ids).env_vars == () for tool in TOOLS)  # type: ignore[attr-defined]


def test_a_key_from_another_variable_of_the_list_is_referenced_by_that_name() -> None:
    reg = registry.load(environ={"LOCAL_LLM_API_KEY": CANARY})
    config = plan_opencode(reg, models=["vllm/llama-3"]).config
    assert config["provider"]["vllm"]["options"]["apiKey"] == "{env:LOCAL_LLM_API_KEY}"
    assert plan_llm(reg, models=["vllm/llama-3"]).config["models"][0]["api_key_name"] == "LOCAL_LLM_API_KEY"


def test_inline_user_file_key_becomes_a_derived_variable(user_file: Callable[..., Path]) -> None:
    path = user_file(f"version: 1\nproviders:\n  my-box:\n    api_base: http://127.0.0.1:9000/v1\n    api_key: {CANARY}\n")
    reg = registry.load(config_path=path, environ={})
    for tool in TOOLS:
        plan = plan_export(reg, tool, models=["my-box/m"])
        assert CANARY not in plan.render() and plan.env_vars == ("MY_BOX_API_KEY",)  # type: ignore[attr-defined]
        assert any("MY_BOX_API_KEY" in note for note in plan.notes)


def test_fallback_and_alias_ids_route_like_any_id(box: registry.Registry) -> None:
    chosen = select_models(box, None, ["quick", "moonshotai/Kimi-K2:novita"], {})
    assert [(m.model_id, m.provider.name, m.model, m.source, m.aliases) for m in chosen] == [
        ("box/plain", "box", "plain", "option", ("quick",)),
        ("moonshotai/Kimi-K2:novita", "huggingface", "moonshotai/Kimi-K2:novita", "option", ()),
    ]
    assert plan_opencode(box, models=["moonshotai/Kimi-K2:novita"]).config["provider"]["huggingface"]["options"][
        "apiKey"] == "{env:HF_TOKEN}"


def test_a_provider_with_no_known_model_is_a_note_not_silence() -> None:
    reg = registry.load(environ={})
    for tool in TOOLS:
        plan = plan_export(reg, tool, ["vllm"])
        assert plan.as_dict()["models"] == []
        assert any("provider 'vllm' has no known models" in note and "--model vllm/MODEL" in note
                   for note in plan.notes)


def test_discovered_models_come_from_the_cache(ollama: ReplayServer) -> None:
    environ = {"OLLAMA_BASE_URL": ollama.root + "/v1"}
    assert discover(registry.load(config_path=None, environ=environ), "ollama").ok
    reg = registry.load(config_path=None, environ=environ)  # a new process: the cache only
    plan = plan_llm(reg, ["ollama"])
    assert [(m["id"], m["source"]) for m in plan.as_dict()["models"]] == [
        ("ollama/gemma3:latest", "discovered"), ("ollama/llama3.2:latest", "discovered"),
        ("ollama/qwen3:8b", "discovered")]
    assert all(entry["api_base"] == ollama.root + "/v1" for entry in plan.config["models"])


def test_json_shape_is_stable(box: registry.Registry) -> None:
    data = plan_export(box, "opencode", ["box"]).as_dict("opencode.json")
    assert list(data) == ["format", "output", "config", "env_vars", "notes", "models"]
    assert data["format"] == "opencode" and data["output"] == "opencode.json"
    assert data["models"][1] == {"id": "box/plain", "provider": "box", "model": "plain", "source": "declared",
                                 "aliases": ["quick"]}


@pytest.mark.parametrize("tool", TOOLS)
def test_output_is_deterministic(box: registry.Registry, tool: str) -> None:
    assert plan_export(box, tool, ["box"]).render() == plan_export(box, tool, ["box"]).render()


def test_unavailable_or_unknown_providers_raise_like_the_proxy_export() -> None:
    with pytest.raises(registry.UnknownProviderError, match="did you mean 'ollama'"):
        plan_llm(registry.load(environ={}), ["olama"])
    reg = registry.load(environ={"VLLM_BASE_URL": "ftp://nope"})
    with pytest.raises(registry.ConfigError):
        plan_continue(reg, ["vllm"])
    assert any("provider 'vllm' is not exported" in note for note in plan_opencode(reg).notes)


HOSTILE_IDS = ("{file:~/.ssh/id_rsa}", "x{ENV:AWS_SECRET_ACCESS_KEY}", "${{secrets.HF_TOKEN}}", "a${{inputs.x}}b",
               "${env:HOME}")


@pytest.mark.parametrize(("tool", "expanded"), [
    ("continue", ("${{secrets.HF_TOKEN}}", "a${{inputs.x}}b")),
    ("opencode", ("{file:~/.ssh/id_rsa}", "x{ENV:AWS_SECRET_ACCESS_KEY}", "${env:HOME}")),
])
def test_a_server_cannot_smuggle_the_tools_substitution_into_a_model_name(tool: str, expanded: tuple[str, ...]) -> None:
    """Continue and opencode expand their substitutions anywhere in the config text: a model id a
    server lists must never carry one into the export (it would read a variable or a file there
    and send it back to the server as the model name). What the tool does not expand stays."""
    listing = {"object": "list", "data": [{"id": name, "object": "model"} for name in (*HOSTILE_IDS, "good-model")]}
    with ReplayServer({"GET /v1/models": listing}) as server:
        environ = {"VLLM_BASE_URL": server.root + "/v1"}
        assert discover(registry.load(config_path=None, environ=environ), "vllm").ok
        plan = plan_export(registry.load(config_path=None, environ=environ), tool, ["vllm"])
    text = plan.render()
    kept = sorted({*HOSTILE_IDS, "good-model"} - set(expanded))
    assert sorted(m["model"] for m in plan.as_dict()["models"]) == kept
    for name in expanded:
        assert name not in text and all(name not in note for note in plan.notes), name
    assert any(note.startswith("a model of provider 'vllm' is not exported:") for note in plan.notes)


def test_llm_has_no_substitution_so_the_names_stay(tmp_path: Path) -> None:
    listing = {"object": "list", "data": [{"id": name, "object": "model"} for name in HOSTILE_IDS[:2]]}
    with ReplayServer({"GET /v1/models": listing}) as server:
        environ = {"VLLM_BASE_URL": server.root + "/v1"}
        assert discover(registry.load(config_path=None, environ=environ), "vllm").ok
        plan = plan_llm(registry.load(config_path=None, environ=environ), ["vllm"])
    assert sorted(m["model"] for m in plan.as_dict()["models"]) == sorted(HOSTILE_IDS[:2])


@pytest.mark.parametrize("tool", ["continue", "opencode"])
def test_a_description_with_the_substitution_keeps_its_provider_out(user_file: Callable[..., Path],
                                                                    tool: str) -> None:
    path = user_file("version: 1\nproviders:\n  box:\n    api_base: http://127.0.0.1:9000/v1\n    api_key_env: BOX_KEY\n"
                     "    description: 'team box {env:BOX_KEY} ${{ secrets.BOX_KEY }}'\n    models:\n      plain: {}\n")
    plan = plan_export(registry.load(config_path=path, environ={}), tool, ["box"])
    assert plan.as_dict()["models"] == []
    assert "team box" not in plan.render()
