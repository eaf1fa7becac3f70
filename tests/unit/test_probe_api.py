"""``registry.probe`` is the function even after the submodule of the same name is imported."""

from __future__ import annotations

import subprocess
import sys


def test_probe_attribute_stays_the_function_after_the_cli_imports_the_submodule() -> None:
    code = ("import registry.cli, registry.probe, registry, sys; "
            "assert callable(registry.probe) and callable(registry.aprobe), registry.probe; "
            "assert 'httpx' not in sys.modules and 'asyncio' not in sys.modules and 'litellm' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_litellm_errors_are_cut_to_the_servers_own_message() -> None:
    from registry.probe import _litellm_message

    wrapped = Exception('litellm.BadRequestError: OpenAIException - {"error": {"message": "No connected db."}}')
    assert _litellm_message(wrapped) == "No connected db."
    plain = Exception("litellm.APIConnectionError: OpenAIException - Connection error.")
    assert _litellm_message(plain) == "Connection error."
