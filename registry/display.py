"""How a configured value is shown: secrets masked, and the one-line flow style of ``registry show``.

The views (``views.py``, ``explain.py``) pass every value through here before it leaves the
library, so no key reaches output in clear text: keys and header values are masked with
:func:`registry.secrets.mask_secret`.
"""

from __future__ import annotations

from collections.abc import Mapping

from .secrets import Secret, mask_secret

TYPE_CHECKING = False  # see values.py: only type checkers need typing
if TYPE_CHECKING:
    from typing import Any

__all__ = ["display_value", "format_value", "mask_kwargs"]


def display_value(value: Any) -> Any:
    """A JSON-friendly copy of ``value`` with every Secret masked."""
    if isinstance(value, Secret):
        return value.masked
    if isinstance(value, Mapping):
        return {str(k): display_value(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [display_value(v) for v in value]
    return value


def format_value(value: Any) -> str:
    """The one-line text form used by ``registry show``: YAML-like flow style, secrets masked."""
    value = display_value(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def mask_kwargs(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of resolver kwargs safe to print: ``api_key`` and every extra header value masked."""
    shown: dict[str, Any] = {}
    for key, value in kwargs.items():
        if key == "api_key" and isinstance(value, (str, Secret)):
            shown[key] = value.masked if isinstance(value, Secret) else mask_secret(value)
        elif key == "extra_headers" and isinstance(value, Mapping):
            shown[key] = {h: (v.masked if isinstance(v, Secret) else mask_secret(str(v))) for h, v in value.items()}
        else:
            shown[key] = display_value(value)
    return shown
