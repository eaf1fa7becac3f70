"""How an agent embeds provider-registry: the intended integration, in one small class.

- ``watch(defaults=...)`` once at start-up: it loads the files and the environment (a few
  milliseconds), with the agent's own defaults (``host_defaults.yaml``, the app layer) under the
  operator's and the user's files, and follows their edits afterwards.
- ``live.registry.resolve()`` on every call: an attribute read and a dict lookup, no I/O, safe from
  any thread.
- ``with_keys()`` per request: a session's own token goes to the provider it belongs to, never to
  another one.
- ``check_model_id()`` behind a ``/model`` command, so a typo is refused with a did-you-mean
  instead of failing on the next request; a valid id whose key is not set yet is accepted with
  a note (``key_missing``), since the key may come with the session.
- ``reasoning_effort`` with ``strict=True`` for a probe cascade: walk ``high -> medium -> low`` and
  keep the first level the provider accepts.
- ``reload()`` checks for edits now; readers never see a half-built registry.

Run it against any OpenAI-compatible server::

    VLLM_BASE_URL=http://127.0.0.1:8000/v1 python examples/host_agent.py vllm/my-model "hello"
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import registry

Completion = Callable[..., Any]

EFFORT_CASCADE = ("high", "medium", "low")
DEFAULTS = Path(__file__).with_name("host_defaults.yaml")  # what this agent ships: the app layer


class HostAgent:
    """A minimal chat agent that routes every request through one immutable Registry."""

    def __init__(self, model_id: str, *, config_path: str | os.PathLike[str] | None = None,
                 defaults: str | os.PathLike[str] | None = DEFAULTS, environ: Mapping[str, str] | None = None,
                 completion: Completion | None = None, interval: float = 1.0) -> None:
        # The one start-up cost; afterwards an edit to any layer is picked up within ``interval``.
        self._live = registry.watch(config_path=config_path, defaults=defaults, environ=environ, interval=interval)
        self._completion = completion
        check = self.registry.check_model_id(model_id)
        if not check.ok:
            raise registry.InvalidModelIdError(model_id, check.reason or "invalid", check.suggestion)
        self.model_id = model_id
        self.effort: str | None = None

    @property
    def registry(self) -> registry.Registry:
        """The current good registry: read it on every call (a bad edit keeps the last good one)."""
        return self._live.registry

    @property
    def config_error(self) -> registry.ConfigError | None:
        """Why the latest edit was not taken, or None."""
        return self._live.error  # type: ignore[return-value]

    def reload(self) -> bool:
        """Check the files and the environment now; True when a new registry was swapped in."""
        return self._live.refresh()

    def handle_command(self, line: str) -> str:
        """``/model ID`` switches the model when the id routes somewhere; the reply is one line."""
        command, _, argument = line.strip().partition(" ")
        if command != "/model":
            return f"unknown command {command!r}; try /model MODEL_ID"
        argument = argument.strip()
        if not argument:
            return f"model: {self.model_id}"
        check = self.registry.check_model_id(argument)
        if not check.ok:
            hint = f" (did you mean {check.suggestion!r}?)" if check.suggestion else ""
            return f"cannot use {argument!r}: {check.reason}{hint}"
        self.model_id = argument
        self.effort = None  # the new provider may accept other levels
        note = f"; did you mean {check.suggestion!r}?" if check.suggestion else ""
        if check.key_missing:  # a valid id: its key may come later (a session's token, say)
            note += f"; no key yet: {check.key_hint}"
        return f"model: {argument} via {check.provider}{note}"

    def complete(self, messages: Sequence[Mapping[str, str]], *, max_tokens: int = 256,
                 effort: str | None = None, session_keys: Mapping[str, str] | None = None) -> str:
        """One chat completion with the kwargs ``resolve`` returns; an unaccepted effort is dropped.

        ``session_keys`` are this request's own keys by provider name (a web session's Hugging
        Face token: ``{"huggingface": token}``); each goes only to the provider it names."""
        reg = self.registry.with_keys(session_keys) if session_keys else self.registry
        kwargs = reg.resolve(self.model_id, reasoning_effort=effort or self.effort)
        response = self._call(**kwargs, messages=list(messages), max_tokens=max_tokens)
        return response.choices[0].message.content or ""

    def probe_effort(self, levels: Sequence[str] = EFFORT_CASCADE) -> str | None:
        """The first of ``levels`` the provider accepts, or None; remembered for later calls.

        ``strict=True`` makes the registry refuse a level the provider's entry does not list, so
        no request is spent on it; a level the entry lists is confirmed with a 1-token request,
        since the server has the last word.
        """
        for level in levels:
            try:
                kwargs = self.registry.resolve(self.model_id, reasoning_effort=level, strict=True)
            except registry.UnsupportedEffortError:
                continue
            if self._accepts(kwargs):
                self.effort = level
                return level
        self.effort = None
        return None

    def _accepts(self, kwargs: dict[str, Any]) -> bool:
        import litellm

        try:
            self._call(**kwargs, messages=[{"role": "user", "content": "ping"}], max_tokens=1)
        except litellm.BadRequestError:  # the server refuses this level (or the parameter)
            return False
        return True

    def _call(self, **kwargs: Any) -> Any:
        if self._completion is None:
            import litellm  # deferred: an agent that never calls a model does not pay for the import

            self._completion = litellm.completion
        return self._completion(**kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: host_agent.py MODEL_ID PROMPT", file=sys.stderr)
        return 2
    agent = HostAgent(args[0])
    level = agent.probe_effort()
    print(f"effort: {level or 'none accepted'}", file=sys.stderr)
    print(agent.complete([{"role": "user", "content": args[1]}]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
