"""The commented starter user file that ``registry init`` writes, and the safe way to write it.

Line 1 names the schema as ``./providers.schema.json``, a copy written beside the file, so an
editor (yaml-language-server) finds it whatever becomes of the Python environment. The text
activates nothing (only ``version: 1`` is live), so a fresh file changes no behaviour and
passes ``registry validate``; every field is shown commented out with one line on what it does.
The file is written atomically (``fsio.atomic_write``) with mode 0600 and never replaces an
existing file unless asked; the schema copy beside it is always refreshed.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .errors import ConfigError
from .fsio import atomic_write
from .schema import SCHEMA_FILE_NAME, check_schema_place, write_schema

__all__ = ["SCHEMA_REF", "starter_text", "write_starter"]

SCHEMA_REF = f"./{SCHEMA_FILE_NAME}"  # relative to the file: yaml-language-server resolves it so

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


def starter_text(schema_ref: str = SCHEMA_REF) -> str:
    """The starter file. Line 1 points editors at the schema (default: the copy beside the file)."""
    return f"# yaml-language-server: $schema={schema_ref}\n{_BODY}"


def write_starter(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write the starter file to ``path`` atomically with mode 0600, and the schema beside it as
    ``providers.schema.json`` (refreshed if there), and return the starter's path.

    Creates the directory (mode 0700). Raises FileExistsError when ``path`` exists and ``force`` is
    false; the check and the write are one step (a hard link), so a file that appears meanwhile is
    not clobbered either. Raises ConfigError, before writing anything, when something other than
    a regular file stands where the schema goes.
    """
    target = Path(os.path.expanduser(os.fsdecode(os.fspath(path))))  # Path.expanduser raises for '~nobody'
    if not force and (target.exists() or target.is_symlink()):
        raise FileExistsError(str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except FileExistsError:  # a file sits where a directory must be: not the "target exists" case
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(target.parent)) from None
    problem = check_schema_place(target.parent)
    if problem is not None:
        raise ConfigError(problem)
    atomic_write(target, starter_text().encode("utf-8"), mode=0o600, replace=force)
    write_schema(target.parent)
    return target
