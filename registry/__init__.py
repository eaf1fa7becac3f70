"""provider-registry: tells an LLM agent where a model id goes.

Vocabulary, used the same way everywhere in this package:

- **provider**: a named backend (``ollama``, ``vllm``, ``huggingface``) with a base URL and a key.
- **prefix**: the first segment of a model id plus ``/`` (``ollama/``) that selects a provider.
- **model id**: what an agent is given: ``<prefix><model>`` (``ollama/llama3.1:8b``), or an
  unprefixed id that goes to the **fallback** provider (``moonshotai/Kimi-K2.6:novita``).
- **layer**: one source of configuration. Lowest precedence first: ``default`` (the built-in
  ``providers.yaml``), ``app`` (the host's ``defaults=`` file), ``site`` (the operator's system
  file), ``user`` (the user's ``providers.yaml``), ``env`` (environment variables).
- **kind**: ``local`` (a server the user runs) or ``hosted`` (a service reached over the internet).
- **unavailable**: a provider whose environment value is unusable; only its ids fail.
- **origin**: the layer and source (file and line, or variable name) of one effective value.

``load()`` merges the layers into an immutable ``Registry``; ``Registry.resolve`` turns a model id
into LiteLLM kwargs, ``Registry.check_model_id`` says whether and why not; ``probe`` asks the
servers themselves; ``router`` builds an in-process ``litellm.Router`` over the providers and their
replicas; ``watch`` keeps a registry in step with its files and environment, checked on
access. Importing this package imports neither litellm nor jsonschema, and the live
checks (``probe``, ``aprobe`` and their results, in ``live.py``) are imported on first use.
"""

from __future__ import annotations

from .errors import (
    ConfigError,
    InvalidApiKeyError,
    InvalidModelIdError,
    MissingApiKeyError,
    MissingDependencyError,
    RegistryError,
    UnknownFieldError,
    UnknownProviderError,
    UnsupportedEffortError,
)
from .issues import Issue
from .loader import LAYER_NAMES, LoadReport, inspect, load
from .model import Registry
from .modelinfo import ModelInfo
from .provider import LayerSource, Origin, Provider
from .resolve import EFFORT_LEVELS
from .routing import ModelIdCheck
from .secrets import Secret
from .urls import UrlPolicy
from .version import VERSION as __version__
from .watch import Changes, LiveRegistry, watch  # after the submodule: ``registry.watch`` is the function

TYPE_CHECKING = False  # type checkers see the lazy names below as plain imports
if TYPE_CHECKING:
    from .discovery import Discovery, ProviderModels, ServedModel, adiscover, cached_models, discover
    from .doctor import DoctorReport, adiagnose, diagnose
    from .litellm_router import router
    from .live import ProbeResult, ProviderProbe, aprobe, probe
del TYPE_CHECKING  # not a name of the package

# Imported on first use (``__getattr__`` below): only a live check, a discovery or the doctor
# needs them. Name -> the module that defines it.
_LAZY = {
    **dict.fromkeys(("ProbeResult", "ProviderProbe", "aprobe", "probe"), "live"),
    **dict.fromkeys(("Discovery", "ProviderModels", "ServedModel", "adiscover", "cached_models", "discover"),
                    "discovery"),
    **dict.fromkeys(("DoctorReport", "adiagnose", "diagnose"), "doctor"),
    "router": "litellm_router",
}

__all__ = [
    "EFFORT_LEVELS",
    "LAYER_NAMES",
    "Changes",
    "ConfigError",
    "Discovery",
    "DoctorReport",
    "InvalidApiKeyError",
    "InvalidModelIdError",
    "Issue",
    "LayerSource",
    "LiveRegistry",
    "LoadReport",
    "MissingApiKeyError",
    "MissingDependencyError",
    "ModelIdCheck",
    "ModelInfo",
    "Origin",
    "ProbeResult",
    "Provider",
    "ProviderModels",
    "ProviderProbe",
    "Registry",
    "RegistryError",
    "Secret",
    "ServedModel",
    "UnknownFieldError",
    "UnknownProviderError",
    "UnsupportedEffortError",
    "UrlPolicy",
    "__version__",
    "adiagnose",
    "adiscover",
    "aprobe",
    "cached_models",
    "diagnose",
    "discover",
    "inspect",
    "load",
    "probe",
    "router",
    "watch",
]


def __getattr__(name: str) -> object:
    """``registry.probe``, ``registry.discover``, ``registry.router`` and the other names in ``_LAZY``: imported once,
    then a plain attribute."""
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
