"""Qt-free progress reporting and cooperative cancellation.

Long steps accept a :class:`Progress`. They call :meth:`Progress.report` between chunks of work
and :meth:`Progress.check_cancelled` to stop cleanly. The app bridges this to a progress bar in a
worker thread; the CLI draws a text bar on a terminal; the Python API defaults to
:class:`NullProgress`.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

from equityplanner.errors import Cancelled

__all__ = ["NullProgress", "Progress", "TextProgress"]


class Progress:
    """Progress sink with a cancel flag, and sub-ranges for nested steps.

    Parameters
    ----------
    cancel_event
        Set it (from any thread) to request cancellation.
    """

    def __init__(self, cancel_event: threading.Event | None = None) -> None:
        self.cancel_event = cancel_event or threading.Event()
        self._start = 0.0
        self._end = 1.0
        self._parent: Progress | None = None

    def report(self, fraction: float, message: str = "") -> None:
        """Report that ``fraction`` (0..1) of this step is done."""
        fraction = min(max(fraction, 0.0), 1.0)
        overall = self._start + (self._end - self._start) * fraction
        root = self._root()
        root._emit(overall, message)
        self.check_cancelled()

    def subrange(self, start: float, end: float) -> Progress:
        """A progress object whose 0..1 maps onto ``start..end`` of this one."""
        child = Progress(self.cancel_event)
        span = self._end - self._start
        child._start = self._start + span * start
        child._end = self._start + span * end
        child._parent = self._root()
        return child

    def cancel(self) -> None:
        """Request cancellation; the running step stops at its next check."""
        self.cancel_event.set()

    @property
    def is_cancelled(self) -> bool:
        """True once cancellation was requested."""
        return self.cancel_event.is_set()

    def check_cancelled(self) -> None:
        """Raise :class:`~equityplanner.errors.Cancelled` if cancellation was requested."""
        if self.cancel_event.is_set():
            raise Cancelled("Cancelled by the user.")

    def _root(self) -> Progress:
        return self._parent if self._parent is not None else self

    def _emit(self, fraction: float, message: str) -> None:
        """Override to display progress; ``fraction`` is overall (0..1)."""


class NullProgress(Progress):
    """Progress that shows nothing (the default for the Python API)."""


class TextProgress(Progress):
    """A one-line text progress bar for terminals; silent when the stream is not a TTY."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        super().__init__()
        self.stream = stream or sys.stderr
        self.width = width
        self._last = -1
        self._enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def _emit(self, fraction: float, message: str) -> None:
        if not self._enabled:
            return
        percent = int(fraction * 100)
        if percent == self._last:
            return
        self._last = percent
        filled = int(self.width * fraction)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}% {message[:40]:<40}")
        if percent >= 100:
            self.stream.write("\n")
        self.stream.flush()
