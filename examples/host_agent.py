"""How an agent embeds provider-registry: the intended integration, in one small class.

- ``load()`` once at start-up: it reads the files and the environment (a few milliseconds).
- ``resolve()`` on every call: a dict lookup, no I/O, safe from any thread.
- ``check_model_id()`` behind a ``/model`` command, so a typo is refused with a did-you-mean
  instead of failing on the next request; a valid id whose key is not set yet is accepted with
  a note (``key_missing``), since the key may come with the session.
- ``reasoning_effort`` with ``strict=True`` for a probe cascade: walk ``high -> medium -> low`` and
  keep the first level the provider accepts.
- ``reload()`` builds a new registry and swaps the reference: readers never see a half-built one.

Run it against any OpenAI-compatible server::

    VLLM_BASE_URL=http://127.0.0.1:8000/v1 python examples/host_agent.py vllm/my-model "hello"
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import registry

Completion = Callable[..., Any]

EFFORT_CASCADE = ("high", "medium", "low")


class HostAgent:
    """A minimal chat agent that routes every request through one immutable Registry."""

    def __init__(self, model_id: str, *, config_path: str | os.PathLike[str] | None = None,
                 environ: Mapping[str, str] | None = None, completion: Completion | None = None) -> None:
        self._config_path = config_path
        self._environ = environ
        self._registry = registry.load(config_path=config_path, environ=environ)  # the one start-up cost
        self._completion = completion
        check = self._registry.check_model_id(model_id)
        if not check.ok:
            raise registry.InvalidModelIdError(model_id, check.reason or "invalid", check.suggestion)
        self.model_id = model_id
        self.effort: str | None = None

    @property
    def registry(self) -> registry.Registry:
        return self._registry

    def reload(self) -> None:
        """Re-read the files and environment; one assignment swaps the reference atomically."""
        self._registry = registry.load(config_path=self._config_path, environ=self._environ)

    def handle_command(self, line: str) -> str:
        """``/model ID`` switches the model when the id routes somewhere; the reply is one line."""
        command, _, argument = line.strip().partition(" ")
        if command != "/model":
            return f"unknown command {command!r}; try /model MODEL_ID"
        argument = argument.strip()
        if not argument:
            return f"model: {self.model_id}"
        check = self._registry.check_model_id(argument)
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
                 effort: str | None = None) -> str:
        """One chat completion with the kwargs ``resolve`` returns; an unaccepted effort is dropped."""
        kwargs = self._registry.resolve(self.model_id, reasoning_effort=effort or self.effort)
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
                kwargs = self._registry.resolve(self.model_id, reasoning_effort=level, strict=True)
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
