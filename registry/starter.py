"""The commented starter user file that ``registry init`` writes, and the safe way to write it.

The text activates nothing (only ``version: 1`` is live), so a fresh file changes no behaviour and
passes ``registry validate``; every field is shown commented out with one line on what it does.
The file is written atomically (``fsio.atomic_write``) with mode 0600 and never replaces an
existing file unless asked.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .fsio import atomic_write
from .paths import schema_path

__all__ = ["starter_text", "write_starter"]

_BODY = """\
# provider-registry user file: it overrides the built-in providers field by field.
# Only what you uncomment takes effect. Check it with 'registry validate';
# see the effective result with 'registry list' and 'registry show NAME'.
# Layers, lowest first: built-in < the host's defaults (app) < the operator's site file
# < this file < environment variables; 'registry paths' shows where each one lives.
# The URL policy (url_policy, allowed_hosts) belongs to the app and site files only.
version: 1

# Provider for model ids that start with no registered prefix; null rejects such ids.
# fallback: huggingface

# Short names for full model ids.
# aliases:
#   fast: ollama/llama3.1:8b

# providers:
#   ollama:  # an existing name is merged field by field; a new name adds a provider
#     enabled: true                          # false removes an inherited provider (its prefix is then refused)
#     kind: local                            # local (a server you run) or hosted (a service on the internet)
#     prefix: ollama/                        # the model-id prefix that routes here; default '<name>/'
#     api_base: http://localhost:11434/v1    # base URL of the OpenAI-compatible API
#     api_bases: [http://gpu-2:11434/v1]     # extra replicas of api_base (used by 'registry export')
#     api_base_env: [OLLAMA_BASE_URL]        # env vars that override api_base; the first one set wins
#     api_key: ollama                        # inline key: only placeholders for servers that ignore auth
#     api_key_env: [OLLAMA_API_KEY]          # env vars that hold the real key; the first one set wins
#     api_key_file: ~/.config/ollama/key     # else a file holding the key (a list: the first that exists)
#     api_key_command: [pass, show, ollama]  # else a command that prints it (run once, on first use)
#     api_key_help: ask the admin for a key  # shown when no key is found
#     litellm_provider: openai               # the model is sent to LiteLLM as '<litellm_provider>/<model>'
#     efforts: [low, medium, high]           # reasoning-effort levels the backend accepts; [] = none
#     effort_aliases: {minimal: low}         # levels mapped to another level before they are checked
#     thinking: extra_body                   # where a level is sent: extra_body, reasoning_effort,
#                                            # chat_template_kwargs (enable_thinking) or think (Ollama)
#     models: {qwen3:8b: {context_window: 32768, tools: true}}  # per model, by the name after the prefix
#     model_format: any                      # 'any', or 'hub' for '<org>/<model>[:<tag>]' ids
#     description: My Ollama box             # free text shown by 'registry list' and 'registry show'
#     headers: {X-Team: research}            # extra HTTP headers sent with every request
#     timeout: 120                           # request timeout in seconds
"""


def starter_text(schema_ref: str | None = None) -> str:
    """The starter file. Line 1 points editors at the schema (default: the installed schema file)."""
    ref = schema_ref if schema_ref is not None else schema_path().resolve().as_uri()
    return f"# yaml-language-server: $schema={ref}\n{_BODY}"


def write_starter(path: str | os.PathLike[str], *, force: bool = False, schema_ref: str | None = None) -> Path:
    """Write the starter file to ``path`` atomically with mode 0600 and return the path.

    Creates the directory (mode 0700). Raises FileExistsError when ``path`` exists and ``force`` is
    false; the check and the write are one step (a hard link), so a file that appears meanwhile is
    not clobbered either.
    """
    target = Path(os.path.expanduser(os.fsdecode(os.fspath(path))))  # Path.expanduser raises for '~nobody'
    if not force and (target.exists() or target.is_symlink()):
        raise FileExistsError(str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:  # a file sits where a directory must be: not the "target exists" case
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target.parent)) from None
    atomic_write(target, starter_text(schema_ref).encode("utf-8"), mode=0o600, replace=force)
    return target
