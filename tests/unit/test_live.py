"""``registry.probe`` is the function, imported on first use from ``registry.live``; the progress
line of ``registry check`` on a terminal and off it."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from registry.cli import build_parser
from registry.commands import check
from registry.commands._context import Context
from registry.live import check_timeout, concurrency


def test_probe_attribute_is_the_function_and_imports_no_network_code() -> None:
    code = ("import registry, sys; "
            "assert 'registry.live' not in sys.modules; "
            "from registry import probe; "
            "import registry.cli, registry.live; "
            "assert callable(registry.probe) and callable(registry.aprobe), registry.probe; "
            "assert registry.probe is probe is registry.live.probe; "
            "assert 'httpx' not in sys.modules and 'asyncio' not in sys.modules and 'litellm' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_litellm_errors_are_cut_to_the_servers_own_message() -> None:
    from registry.live import _litellm_message

    wrapped = Exception('litellm.BadRequestError: OpenAIException - {"error": {"message": "No connected db."}}')
    assert _litellm_message(wrapped) == "No connected db."
    plain = Exception("litellm.APIConnectionError: OpenAIException - Connection error.")
    assert _litellm_message(plain) == "Connection error."


@pytest.mark.parametrize("timeout", [0.5, 3, 30.0])
def test_check_timeout_accepts_positive_seconds(timeout: float) -> None:
    assert check_timeout(timeout) == timeout


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_check_timeout_names_the_setting(timeout: float) -> None:
    with pytest.raises(ValueError, match=r"^--timeout must be a positive number of seconds, not "):
        check_timeout(timeout, "--timeout")
    with pytest.raises(ValueError, match=r"^timeout must be a positive number of seconds"):
        check_timeout(timeout)


# --- the progress line of `registry check` ---------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_check(stderr: io.StringIO, tmp_path: Path, *extra: str) -> tuple[int, str]:
    """`registry check` on two providers whose port is closed (refused at once), with ``stderr``."""
    port = _closed_port()
    path = tmp_path / "providers.yaml"
    path.write_text(f"version: 1\nproviders:\n  one:\n    api_base: http://127.0.0.1:{port}/a/v1\n"
                    f"  two:\n    api_base: http://127.0.0.1:{port}/b/v1\n", encoding="utf-8")
    path.chmod(0o600)
    args = build_parser(("check",)).parse_args(["check", "one", "two", *extra])
    stdout = io.StringIO()
    ctx = Context(stdout=stdout, stderr=stderr, json="--json" in extra, config_path=path, environ={})
    return check.run(args, ctx), stdout.getvalue()


@pytest.mark.parametrize("done, total, timeout, line", [
    (0, 201, 3.0, "checking 201 servers, timeout 3 s"),
    (0, 1, 0.5, "checking 1 server, timeout 0.5 s"),
    (12, 201, 10.0, "checking 201 servers, timeout 10 s: 12/201 done"),
])
def test_progress_line_names_the_count_and_the_timeout(done: int, total: int, timeout: float, line: str) -> None:
    assert check.progress_line(done, total, timeout) == line


@pytest.mark.parametrize("extra", [(), ("--json",)])
def test_on_a_terminal_the_first_thing_written_is_what_is_checked(tmp_path: Path, extra: tuple[str, ...]) -> None:
    stderr = _Terminal()
    status, out = _run_check(stderr, tmp_path, "--timeout", "2", *extra)
    assert status == 1 and "connection refused" in out
    written = stderr.getvalue()
    assert written.startswith("\r\x1b[Kchecking 2 servers, timeout 2 s\r\x1b[K"), written
    assert "checking 2 servers, timeout 2 s: 2/2 done" in written
    assert written.endswith("\r\x1b[K")  # the line is gone before the table is printed


def test_without_a_terminal_nothing_is_written_to_stderr(tmp_path: Path) -> None:
    stderr = io.StringIO()
    status, out = _run_check(stderr, tmp_path)
    assert status == 1 and out.count("connection refused") == 2
    assert stderr.getvalue() == ""


def test_concurrency_is_the_job_size_up_to_a_cap() -> None:
    assert concurrency(1) == 1 and concurrency(5) == 5
    assert 1 <= concurrency(10_000) <= 1024
