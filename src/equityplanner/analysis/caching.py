"""Values computed once per live object: a prepared layer, an index of a weights layer.

Layers are read once and not changed afterwards, but they are dataclasses (not hashable) and
can be large, so they are remembered by identity and held weakly: a value is dropped when its
layer is, and a layer replaced by a new one (a re-import) gets new values.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["IdentityCache"]

K = TypeVar("K")
V = TypeVar("V")


class IdentityCache(Generic[K, V]):
    """Values computed once per live object (compared by identity, held weakly), newest kept.

    Parameters
    ----------
    size
        How many objects' values are kept at most (the oldest is dropped first).
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[int, tuple[weakref.ref[K], Hashable, V]] = {}

    def get(self, key: K, make: Callable[[], V], version: Hashable = None) -> V:
        """The value for ``key``, made with ``make()`` the first time.

        ``version`` describes the state of ``key`` the value was made from (for example the
        identity and length of a layer's table); a different version makes the value anew.
        """
        found = self._items.get(id(key))
        if found is not None and found[0]() is key and found[1] == version:
            return found[2]
        value = make()
        for stale in [k for k, (ref, _, _) in self._items.items() if ref() is None]:
            del self._items[stale]
        self._items.pop(id(key), None)
        while len(self._items) >= self.size:
            self._items.pop(next(iter(self._items)))
        self._items[id(key)] = (weakref.ref(key), version, value)
        return value

    def clear(self) -> None:
        """Forget every value."""
        self._items.clear()

    def __len__(self) -> int:
        return sum(1 for ref, _, _ in self._items.values() if ref() is not None)
