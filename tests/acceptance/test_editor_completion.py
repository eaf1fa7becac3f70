"""Done-when of issue 14, with the real editor side: a file written by ``registry init`` completes
in yaml-language-server (the server behind VS Code's YAML extension), from the schema copy beside
it: nothing in the Python environment is needed, so deleting or recreating it changes nothing.

Needs node and npm. ``.ci/run`` installs the server once and names the directory in
``PROVIDER_REGISTRY_TEST_NODE_PREFIX``; without it the test installs it itself with npm.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from registry.cli import main
from node_packages import node_prefix as install_node_packages



@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Path:
    prefix = install_node_packages(tmp_path_factory, "yaml-language-server@1")
    return prefix / "node_modules" / ".bin" / "yaml-language-server"


class Client:
    """A minimal LSP client over stdio: enough for initialize, didOpen and completion."""

    def __init__(self, binary: Path) -> None:
        # No HOME of the developer's, no proxy: the schema store is off, nothing is fetched.
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(binary.parent)}
        self.proc = subprocess.Popen([str(binary), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b"\n"):
                if not line:
                    self.inbox.put(None)
                    return
                name, _, value = line.decode("ascii").partition(":")
                headers[name.strip().lower()] = value.strip()
            self.inbox.put(json.loads(stream.read(int(headers["content-length"]))))

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        data = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self.inbox.get(timeout=60)
            assert message is not None, "the server exited"
            if "method" in message and "id" in message:  # the server asks: settings, registrations
                items = message.get("params", {}).get("items", [])
                answer = [SETTINGS["yaml"]] * len(items) if message["method"] == "workspace/configuration" else None
                self.send({"id": message["id"], "result": answer})
            elif message.get("id") == self.next_id:
                assert "error" not in message, message
                return message["result"]

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


SETTINGS = {"yaml": {"schemaStore": {"enable": False}, "completion": True, "validate": True, "hover": True}}


def complete(binary: Path, path: Path, text: str, line: int, character: int) -> list[dict[str, Any]]:
    client = Client(binary)
    try:
        client.request("initialize", {"processId": os.getpid(), "rootUri": path.parent.as_uri(),
                                      "capabilities": {"textDocument": {"completion": {}}}})
        client.send({"method": "initialized", "params": {}})
        client.send({"method": "workspace/didChangeConfiguration", "params": {"settings": SETTINGS}})
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}}})
        result = client.request("textDocument/completion", {"textDocument": {"uri": path.as_uri()},
                                                            "position": {"line": line, "character": character}})
    finally:
        client.close()
    return result["items"] if isinstance(result, dict) else result


def init(tmp_path: Path) -> Path:
    target = tmp_path / "config" / "providers.yaml"
    assert main(["--config", str(target), "init"], environ={}) == 0
    return target


def test_init_file_completes_provider_fields_from_the_copy_beside_it(server: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = init(tmp_path)
    capsys.readouterr()
    text = target.read_text(encoding="utf-8") + "providers:\n  ollama:\n    \n"
    labels = {item["label"] for item in complete(server, target, text, text.count("\n") - 1, 4)}
    assert {"api_base", "api_key_env", "kind", "efforts", "thinking", "models"} <= labels
    assert "api_bse" not in labels


def test_init_file_completes_described_choices(server: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = init(tmp_path)
    capsys.readouterr()
    text = target.read_text(encoding="utf-8") + "providers:\n  ollama:\n    kind: \n"
    items = complete(server, target, text, text.count("\n") - 1, len("    kind: "))
    labels = {item["label"] for item in items}
    assert {"local", "hosted"} <= labels
    documented = json.dumps([item for item in items if item["label"] == "local"])
    assert "A server the user runs" in documented  # the const's own description reaches the editor


def test_without_the_copy_there_is_nothing_to_complete(server: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The control: the completions above come from providers.schema.json beside the file."""
    target = init(tmp_path)
    capsys.readouterr()
    (target.parent / "providers.schema.json").unlink()
    text = target.read_text(encoding="utf-8") + "providers:\n  ollama:\n    \n"
    labels = {item["label"] for item in complete(server, target, text, text.count("\n") - 1, 4)}
    assert "api_base" not in labels
