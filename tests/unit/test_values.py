"""values.Frozen: the dataclass contract the package relies on, without dataclasses."""

from __future__ import annotations

import copy
import pickle
from types import MappingProxyType

import pytest

from registry.values import Frozen


class Point(Frozen):
    __slots__ = ("x", "y", "note", "cache")
    _defaults = {"y": 0, "note": "", "cache": None}
    _hidden = frozenset({"cache"})
    _uncompared = frozenset({"cache", "note"})


class Checked(Frozen):
    __slots__ = ("level",)

    def __post_init__(self) -> None:
        if self.level < 0:
            raise ValueError(f"level must be >= 0, got {self.level!r}")


def test_positional_keyword_and_defaults() -> None:
    assert (Point(1).x, Point(1).y, Point(1, 2).y, Point(x=3, y=4).y) == (1, 0, 2, 4)


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        ((), {}, "missing required argument 'x'"),
        ((1,), {"x": 2}, "multiple values for argument 'x'"),
        ((1,), {"z": 2}, "unexpected keyword argument 'z'"),
        ((1, 2, 3, 4, 5), {}, "takes 4 arguments, got 5"),
    ],
)
def test_bad_construction_is_a_type_error(args: tuple, kwargs: dict, fragment: str) -> None:
    with pytest.raises(TypeError, match=fragment):
        Point(*args, **kwargs)


@pytest.mark.parametrize("name", ["x", "cache", "new"])
def test_frozen(name: str) -> None:
    point = Point(1)
    with pytest.raises(AttributeError, match="immutable"):
        setattr(point, name, 5)
    with pytest.raises(AttributeError, match="immutable"):
        delattr(point, "x")
    assert point.x == 1 and not hasattr(point, "new")


def test_equality_and_hash_skip_uncompared_fields() -> None:
    assert Point(1, 2, note="a", cache=[1]) == Point(1, 2, note="b")
    assert Point(1, 2) != Point(1, 3)
    assert hash(Point(1, 2, note="a")) == hash(Point(1, 2))
    assert Point(1) != (1, 0) and Checked(1) != Point(1)


def test_repr_hides_hidden_fields() -> None:
    assert repr(Point(1, 2, "n", cache="secret-ish")) == "Point(x=1, y=2, note='n')"


def test_post_init_runs() -> None:
    with pytest.raises(ValueError, match="level must be >= 0"):
        Checked(-1)


def test_replace_copy_and_pickle() -> None:
    point = Point(1, 2, cache=MappingProxyType({}))
    moved = point.replace(x=5)
    assert (moved.x, moved.y, point.x) == (5, 2, 1)
    with pytest.raises(TypeError, match="no field 'z'"):
        point.replace(z=1)
    assert copy.copy(point) is point and copy.deepcopy(point) is point
    assert pickle.loads(pickle.dumps(Point(1, 2, "n"))) == Point(1, 2, "n")
