"""A Qt-free signal: the way the application state tells the widgets that it changed.

Qt signals need a QObject, and so Qt; the state of the app is plain Python so that it can be
used and tested headless. An :class:`Event` keeps callbacks and calls them, in the order they
were connected, on the thread that emits (the GUI thread for the app's state).

Example::

    changed: Event[int] = Event()
    changed.connect(print)
    changed.emit(3)  # prints 3
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Event"]

T = TypeVar("T")


class Event(Generic[T]):
    """Callbacks taking one value, called by :meth:`emit`."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> None:
        """Call ``callback(value)`` on every emission (once, however often it is connected)."""
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[[T], object]) -> None:
        """Stop calling ``callback``; unknown callbacks are ignored."""
        if callback in self._callbacks:
            self._callbacks.remove(callback)

    def emit(self, value: T) -> None:
        """Call every callback with ``value``.

        A callback connected or disconnected during the emission takes effect from the next
        one. Exceptions propagate to the emitter (in the app, to the error dialog).
        """
        for callback in list(self._callbacks):
            callback(value)

    def __len__(self) -> int:
        return len(self._callbacks)
