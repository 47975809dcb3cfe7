"""Work-arounds for PySide6 pitfalls: a refcount defect of 6.12.0, and cross-thread collection.

PySide6 6.12.0 on Python 3.11 returns ``True``, ``False`` and ``None`` from several calls
without taking a reference (``SignalInstance.emit()`` returns ``True``; ``QObject.property()``
of a missing name returns ``None``; a failed ``disconnect()`` returns ``False``). From Python
3.12 these objects are immortal and nothing happens, but on 3.11 every such call lowers their
reference count by one, and after a few hundred signals the interpreter aborts with
"Fatal Python error: bool_dealloc" (or ``none_dealloc``). The app emits a signal on every
mouse move, so a session would crash within minutes.

:func:`protect_singletons` raises the three singletons' reference counts by 2**40 on Python
3.11. They are static objects that are never freed, so a larger count changes nothing else; it
just cannot reach zero. It does so without probing for the defect (:func:`has_refcount_defect`),
because a probe imports Qt, and ``equityplanner.app`` must import without Qt so that its Qt-free
modules (the application state, editing, tasks) can be used and tested headless. Remove this
module once the project requires Python 3.12 or a PySide6 without the defect.
"""

from __future__ import annotations

import ctypes
import sys
import time

__all__ = [
    "collect_garbage_on_gui_thread",
    "freeze_long_lived",
    "has_refcount_defect",
    "protect_singletons",
    "restore_automatic_garbage_collection",
]

_MARGIN = 1 << 40
_done = False


def has_refcount_defect() -> bool:
    """True when ``SignalInstance.emit()`` steals a reference to ``True`` (PySide6 6.12.0)."""
    if sys.version_info >= (3, 12):  # immortal singletons: the defect is harmless
        return False
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        probed = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.probed.emit()
    return sys.getrefcount(True) < before


def protect_singletons() -> bool:
    """Guard ``True``, ``False`` and ``None`` against the defect; True when applied.

    Applied on every Python before 3.12 whether or not the installed PySide6 has the defect:
    the guard is harmless, and detecting the defect would import Qt.
    """
    global _done
    if _done:
        return True
    if sys.version_info >= (3, 12):  # immortal singletons: nothing to guard
        return False
    for obj in (True, False, None):
        refcount = ctypes.c_ssize_t.from_address(id(obj))  # ob_refcnt: the object's first field
        refcount.value += _MARGIN
    _done = True
    return True


# Cyclic garbage collection on the GUI thread only ------------------------------------------


class _GuiThreadCollector:
    """Runs Python's cyclic garbage collector from a GUI-thread timer.

    A collection finalises whatever cycles it finds, Qt objects included, in the thread that
    happens to trigger it; a pool thread busy allocating (pandas, shapely) could then destroy
    widgets that live on the GUI thread, which corrupts memory. With the automatic collector
    off and this timer on, collections happen only on the GUI thread (the approach of
    pyqtgraph's ``GarbageCollector``).

    A full (generation 2) collection scans every object the app holds: over 100 ms once the
    analysis is loaded, a stall of the window each time. CPython runs one only when the
    long-lived objects grew by a quarter; here it runs at most every ``FULL_EVERY_S``
    seconds, and the modules loaded at start-up are frozen out of it
    (:func:`freeze_long_lived`).
    """

    FULL_EVERY_S = 60.0

    def __init__(self, interval_ms: int) -> None:
        import gc

        from PySide6.QtCore import QCoreApplication, QTimer

        self.threshold = gc.get_threshold()
        self.last_full = time.monotonic()
        self.timer = QTimer(QCoreApplication.instance())
        self.timer.setObjectName("guiThreadGarbageCollector")
        self.timer.timeout.connect(self.check)
        gc.disable()
        self.timer.start(interval_ms)

    def check(self) -> None:
        import gc

        counts = gc.get_count()
        if counts[0] > self.threshold[0]:
            generation = 0
            if counts[1] > self.threshold[1]:
                due = time.monotonic() - self.last_full > self.FULL_EVERY_S
                generation = 2 if counts[2] > self.threshold[2] and due else 1
            gc.collect(generation)
            if generation == 2:
                self.last_full = time.monotonic()

    def stop(self) -> None:
        import gc

        self.timer.stop()
        self.timer.deleteLater()
        gc.enable()


_collector: _GuiThreadCollector | None = None


def collect_garbage_on_gui_thread(interval_ms: int = 500) -> None:
    """Switch Python's automatic garbage collection to a GUI-thread timer (once)."""
    global _collector
    from PySide6.QtCore import QCoreApplication

    if _collector is None and QCoreApplication.instance() is not None:
        _collector = _GuiThreadCollector(interval_ms)


def freeze_long_lived() -> None:
    """Leave the objects alive now (modules, classes, resources) out of later collections.

    Call it once the app's modules are imported: they live as long as the process, and a
    full collection no longer walks them.
    """
    import gc

    gc.freeze()


def restore_automatic_garbage_collection() -> None:
    """Undo :func:`collect_garbage_on_gui_thread` (tests that share a process with others)."""
    global _collector
    if _collector is not None:
        _collector.stop()
        _collector = None
