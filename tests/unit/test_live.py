"""``registry.probe`` is the function, imported on first use from ``registry.live``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from registry.live import check_timeout


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
