"""One generic worker: run a Qt-free function on the global thread pool.

The function receives a :class:`~equityplanner.progress.Progress` as its first argument. Its
reports arrive as the ``progressed`` signal (throttled), its return value as ``succeeded``, any
exception object as ``failed`` (never swallowed), and
:class:`~equityplanner.errors.Cancelled` as ``cancelled``. ``finished`` follows each of them.
Signals are delivered to the GUI thread through queued connections, so slots may touch widgets.

Example::

    worker = Worker(assess_task, document)
    worker.signals.succeeded.connect(self._on_assess_succeeded)
    worker.start()            # on QThreadPool.globalInstance()
    worker.cancel()           # the core stops at its next Progress check
"""

from __future__ import annotations

import importlib
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from equityplanner.errors import Cancelled
from equityplanner.progress import Progress

__all__ = ["SignalProgress", "Worker", "WorkerSignals"]

# Workers alive; a QRunnable must outlive run() and its queued signals.
_ALIVE: set[Worker] = set()
# Finished workers whose signals object awaits deletion on the GUI thread.
_RETIRING: set[Worker] = set()
# PROJ contexts created on pool threads, kept alive for the life of the process (see below).
_PROJ_CONTEXTS: list[object] = []


def _keep_proj_context() -> None:
    """Keep the PROJ context pyproj made for this pool thread alive after ``run()`` returns.

    PySide gives every ``run()`` on a pool thread a fresh Python thread state and deletes it
    afterwards, which clears the thread's ``threading.local`` objects. pyproj (3.7) owns its
    per-thread PROJ context through such a local but caches the raw pointer in OS
    thread-specific storage, so the next task on the same OS thread used a destroyed context
    ("no database context specified", then a segmentation fault). Holding a reference to the
    owner keeps the context valid; pool threads do not expire (:meth:`Worker.start`), so this
    keeps one context per thread.
    """
    try:
        context = importlib.import_module("pyproj._context")
    except ImportError:  # another pyproj layout: nothing to keep
        return
    get_context_manager = getattr(context, "get_context_manager", None)
    if get_context_manager is None:
        return
    manager = get_context_manager()
    if manager is not None and not any(m is manager for m in _PROJ_CONTEXTS):
        _PROJ_CONTEXTS.append(manager)


class WorkerSignals(QObject):
    """Signals of a :class:`Worker` (a QRunnable cannot carry signals itself)."""

    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()


class SignalProgress(Progress):
    """The core's progress protocol bridged to :attr:`WorkerSignals.progressed`.

    Emits at most every ``interval_s`` unless the message changes or the work is done, so a
    chatty loop cannot flood the GUI thread's event queue.
    """

    def __init__(
        self, signals: WorkerSignals, cancel_event: threading.Event, interval_s: float = 0.05
    ) -> None:
        super().__init__(cancel_event)
        self._signals = signals
        self._interval = interval_s
        self._last_time = 0.0
        self._last_message = ""

    def _emit(self, fraction: float, message: str) -> None:
        now = time.monotonic()
        if (
            message == self._last_message
            and fraction < 1.0
            and now - self._last_time < self._interval
        ):
            return
        self._last_time = now
        self._last_message = message
        self._signals.progressed.emit(float(fraction), message)


class Worker(QRunnable):
    """Run ``fn(progress, *args, **kwargs)`` on a pool thread.

    Parameters
    ----------
    fn
        A Qt-free function. Pass it immutable snapshots (frozen documents), never widgets.
    description
        What the task does, for status messages ("Assessing", "Exporting").
    """

    def __init__(
        self, fn: Callable[..., Any], *args: Any, description: str = "", **kwargs: Any
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it; released when finished arrives
        self.fn: Callable[..., Any] | None = fn
        self.args = args
        self.kwargs = kwargs
        self.description = description
        self.signals = WorkerSignals()
        self.cancel_event = threading.Event()
        # Set once run() has posted ``finished`` to every slot (see _release).
        self._finished_posted = threading.Event()
        self.progress = SignalProgress(self.signals, self.cancel_event)
        self.signals.finished.connect(self._release)
        self.is_done = False

    def start(self, pool: QThreadPool | None = None) -> Worker:
        """Queue the worker; connect its signals before calling this."""
        _ALIVE.add(self)
        pool = pool or QThreadPool.globalInstance()
        pool.setExpiryTimeout(-1)  # keep threads, and so their PROJ contexts, for reuse
        pool.start(self)
        return self

    def cancel(self) -> None:
        """Ask the function to stop at its next progress check."""
        self.cancel_event.set()

    @property
    def is_cancelled(self) -> bool:
        """True once cancellation was requested."""
        return self.cancel_event.is_set()

    def run(self) -> None:
        try:
            self.progress.check_cancelled()
            if self.fn is None:
                raise RuntimeError("a worker runs once")
            result = self.fn(self.progress, *self.args, **self.kwargs)
        except Cancelled:
            self.signals.cancelled.emit()
        except BaseException as exc:  # every error reaches the GUI as an object
            self.signals.failed.emit(exc)
        else:
            if self.cancel_event.is_set():
                self.signals.cancelled.emit()
            else:
                self.signals.succeeded.emit(result)
        finally:
            _keep_proj_context()
            self.signals.finished.emit()
            self._finished_posted.set()

    def _release(self) -> None:
        # On the GUI thread, after the task. The signals object is deleted here, in its own
        # thread, once the other slots of ``finished`` have run; left to Python's garbage
        # collector (the slots' closures make cycles) it could be destroyed from whichever
        # thread runs a collection. The worker stays referenced until then, and drops its
        # inputs now (documents, neighbourhood tables).
        # ``finished`` is posted to each slot in turn by the pool thread, and this slot may run
        # before the pool thread has posted it to the next ones; deleting the signals object
        # then would drop those (a task controller would never learn the task ended). The
        # pool thread is inside emit() and sets the event right after: wait for it.
        self._finished_posted.wait(5.0)
        self.is_done = True
        _ALIVE.discard(self)
        self.fn, self.args, self.kwargs = None, (), {}
        _RETIRING.add(self)
        self.signals.destroyed.connect(self._forget)
        self.signals.deleteLater()

    def _forget(self) -> None:
        _RETIRING.discard(self)


def active_workers() -> int:
    """Number of workers started and not yet finished (for tests and shutdown)."""
    return len(_ALIVE)
