"""Frozen value objects without the cost of ``dataclasses``.

``import registry`` and ``load()`` sit on the start-up path of every agent and every CLI call.
``dataclasses`` costs about 10 ms to import (it pulls in ``inspect``, ``ast`` and ``dis``) and about
1 ms per class to generate and compile its methods, which together were a third of a cached
``load()`` in a fresh process. ``Frozen`` keeps the part of the dataclass contract this package
relies on, with plain methods that live in the bytecode cache:

- fields are the ``__slots__`` of the class and its bases, in order; defaults live in
  ``_defaults`` (shared, so they must be immutable: tuples, ``MappingProxyType``, None);
- construction by position or keyword, ``__post_init__`` when defined;
- assigning or deleting any attribute raises ``AttributeError`` (as ``FrozenInstanceError`` does);
- equality and hashing by value over the fields not listed in ``_uncompared`` (hashing needs
  those fields to be hashable: a ``Provider`` holds read-only mappings and is not);
- ``repr`` shows the fields not listed in ``_hidden``; ``replace(**changes)`` makes a changed copy
  (so a field derived from others is recomputed in ``__post_init__``, never copied).

The same start-up budget explains the idiom at the top of the modules on the ``load()`` path::

    TYPE_CHECKING = False
    if TYPE_CHECKING:
        from typing import Any

``typing`` costs about 4 ms to import and the annotations are strings (``from __future__ import
annotations``), so only type checkers need those imports; mypy and pyright treat a bare
``TYPE_CHECKING`` name as true (platformdirs does the same). Modules off that path import
``typing`` normally.
"""

from __future__ import annotations

from types import MappingProxyType

__all__ = ["EMPTY_MAPPING", "Frozen", "frozen_mapping"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any, ClassVar, Self


# The one empty read-only mapping: the default of every mapping field, shared since it cannot change.
EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


def frozen_mapping(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only copy of ``mapping``; the shared ``EMPTY_MAPPING`` when it is empty."""
    return MappingProxyType(dict(mapping)) if mapping else EMPTY_MAPPING


class Frozen:
    """Base class of the package's immutable value objects (see the module docstring)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    _hidden: ClassVar[frozenset[str]] = frozenset()
    _uncompared: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: list[str] = []
        for klass in reversed(cls.__mro__):
            slots = klass.__dict__.get("__slots__", ())
            fields.extend((slots,) if isinstance(slots, str) else slots)
        cls._fields = tuple(fields)
        cls._compared = tuple(f for f in fields if f not in cls._uncompared)
        cls._shown = tuple(f for f in fields if f not in cls._hidden)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__}() takes {len(fields)} arguments, got {len(args)}")
        setter = object.__setattr__
        for name, value in zip(fields, args):
            setter(self, name, value)
        defaults = self._defaults
        given = len(kwargs)
        for name in fields[len(args):]:
            if name in kwargs:
                setter(self, name, kwargs[name])
                given -= 1
            elif name in defaults:
                setter(self, name, defaults[name])
            else:
                raise TypeError(f"{type(self).__name__}() missing required argument {name!r}")
        if given:  # a keyword that named no remaining field
            for name in kwargs:
                if name in fields[:len(args)]:
                    raise TypeError(f"{type(self).__name__}() got multiple values for argument {name!r}")
                if name not in fields:
                    raise TypeError(f"{type(self).__name__}() got an unexpected keyword argument {name!r}")
        post_init = getattr(self, "__post_init__", None)
        if post_init is not None:
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r}: {type(self).__name__} is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r}: {type(self).__name__} is immutable")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__name__}({shown})"

    def __copy__(self) -> Frozen:
        return self  # immutable: a copy is the same value

    def __deepcopy__(self, memo: dict[int, Any]) -> Frozen:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        values = {name: getattr(self, name) for name in self._fields}
        # Read-only mappings cannot be pickled: they travel as dicts and are wrapped again.
        proxied = tuple(name for name, value in values.items() if type(value) is MappingProxyType)
        for name in proxied:
            values[name] = dict(values[name])
        return (_rebuild, (type(self), values, proxied))

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied (the frozen equivalent of assignment)."""
        values = {name: getattr(self, name) for name in self._fields}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {sorted(unknown)[0]!r}")
        values.update(changes)
        return type(self)(**values)


def _rebuild(cls: type[Frozen], values: dict[str, Any], proxied: tuple[str, ...] = ()) -> Frozen:
    for name in proxied:
        values[name] = MappingProxyType(values[name])
    return cls(**values)
