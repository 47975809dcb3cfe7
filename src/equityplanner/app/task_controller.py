"""The window's background tasks: start, progress, cancel and supersede, in one place.

A :class:`Task` names a Qt-free function (:mod:`equityplanner.app.tasks`), its inputs and what
to do with its outcome. The :class:`TaskController` runs it in a
:class:`~equityplanner.app.workers.Worker` and keeps at most one task *current* per
:class:`TaskKind`, as Orange3's widgets keep one task each:

* starting a task **supersedes** the current one of its kind: that one is cancelled and
  whatever it still delivers (result, error, cancellation) is dropped;
* :meth:`TaskController.cancel` asks the current tasks to stop; they end with ``on_cancel``;
* :meth:`TaskController.abandon` cancels and drops them (when another project is opened).

Callbacks run on the GUI thread, for the current task only: ``on_success(result)``; on an
error the controller's ``report_error(exc, action)`` and then ``on_failure(exc)``; on a
cancellation ``on_cancel()`` and the :attr:`~TaskController.cancelled` signal.

Example::

    tasks = TaskController(window.report_error)
    tasks.start(Task(TaskKind.ASSESS, assess_task, (document, None), "Assessing",
                     "running the assessment", on_success=show_results))
    tasks.progressed.connect(progress_bar_update)   # (fraction, message)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QTimer, Signal

from equityplanner.app.workers import Worker

__all__ = ["Task", "TaskController", "TaskKind"]


class TaskKind(StrEnum):
    """What a task does; one task of each kind at a time."""

    BASELINE = "baseline"  # read the neighbourhood layer
    ASSESS = "assess"  # run the assessment
    EXPORT = "export"  # write the workbook
    NETWORK = "network"  # read the street network's routes for the map


@dataclass(frozen=True)
class Task:
    """One piece of background work and what to do with its outcome.

    Parameters
    ----------
    kind
        Starting a task supersedes the current task of the same kind.
    function, args
        ``function(progress, *args)``, Qt-free, given immutable inputs.
    description
        What it does while it runs ("Assessing"), for the status bar.
    action
        What the user asked for ("running the assessment"), for error messages.
    on_success, on_failure, on_cancel
        Called on the GUI thread with the result, the exception (already reported) or nothing.
    subject
        What the task works on (the layer source being read …), for :meth:`TaskController.subject`.
    """

    kind: TaskKind
    function: Callable[..., Any]
    args: tuple[Any, ...]
    description: str
    action: str
    on_success: Callable[[Any], None]
    on_failure: Callable[[BaseException], None] | None = None
    on_cancel: Callable[[], None] | None = None
    subject: object = None


class TaskController(QObject):
    """Runs :class:`Task` objects, one current task per kind; see the module docstring.

    Signals
    -------
    progressed(fraction, message)
        Progress of a current task.
    activity_changed()
        A task started or ended, or cancellation was requested: ask :meth:`running`.
    cancelled(description)
        A current task stopped because the user cancelled it.
    """

    progressed = Signal(float, str)
    activity_changed = Signal()
    cancelled = Signal(str)

    def __init__(
        self,
        report_error: Callable[[BaseException, str], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._report_error = report_error
        self._current: dict[TaskKind, tuple[Task, Worker]] = {}
        self._live: set[Worker] = set()  # started and not finished, superseded ones included

    def start(self, task: Task) -> Worker:
        """Run ``task``, superseding the current task of its kind; returns its worker."""
        self.abandon(task.kind)
        worker = Worker(task.function, *task.args, description=task.description)
        self._current[task.kind] = (task, worker)
        self._live.add(worker)

        def is_current() -> bool:
            entry = self._current.get(task.kind)
            return entry is not None and entry[1] is worker

        def on_progressed(fraction: float, message: str) -> None:
            if is_current():
                self.progressed.emit(fraction, message)

        def on_succeeded(result: Any) -> None:
            if is_current():
                task.on_success(result)

        def on_failed(exc: BaseException) -> None:
            if is_current():
                self._report_error(exc, task.action)
                if task.on_failure is not None:
                    task.on_failure(exc)

        def on_cancelled() -> None:
            if is_current():
                self.cancelled.emit(task.description)
                if task.on_cancel is not None:
                    task.on_cancel()

        def on_finished() -> None:
            self._live.discard(worker)
            self.activity_changed.emit()

        signals = worker.signals
        signals.progressed.connect(on_progressed)
        signals.succeeded.connect(on_succeeded)
        signals.failed.connect(on_failed)
        signals.cancelled.connect(on_cancelled)
        signals.finished.connect(on_finished)
        worker.start()
        self.activity_changed.emit()
        return worker

    def current(self, kind: TaskKind) -> Worker | None:
        """The worker of the current task of ``kind`` while it runs, else None."""
        entry = self._current.get(kind)
        return entry[1] if entry is not None and not entry[1].is_done else None

    def subject(self, kind: TaskKind) -> object:
        """The subject of the current task of ``kind`` while it runs, else None."""
        entry = self._current.get(kind)
        return entry[0].subject if entry is not None and not entry[1].is_done else None

    def is_running(self, kind: TaskKind | None = None) -> bool:
        """True while a current task (of ``kind``, or of any kind) runs."""
        return bool(self.running(kind))

    def running(self, kind: TaskKind | None = None) -> list[Worker]:
        """Workers of the current tasks still running, oldest first."""
        kinds = list(self._current) if kind is None else [kind]
        workers = (self.current(k) for k in kinds)
        return [w for w in workers if w is not None]

    def cancel(self, kind: TaskKind | None = None) -> None:
        """Ask the current tasks (of ``kind``) to stop at their next progress check."""
        for worker in self.running(kind):
            worker.cancel()
        self.activity_changed.emit()

    def abandon(self, kind: TaskKind | None = None) -> None:
        """Cancel the current tasks (of ``kind``) and drop whatever they still deliver."""
        for k in list(self._current) if kind is None else [kind]:
            entry = self._current.pop(k, None)
            if entry is not None and not entry[1].is_done:
                entry[1].cancel()

    def wait(self, timeout_ms: int = 120_000) -> bool:
        """Process events until no task runs, superseded ones included; False on timeout."""
        if self._live:
            loop = QEventLoop()
            timer = QTimer()
            timer.setSingleShot(True)
            timer.timeout.connect(loop.quit)
            poll = QTimer()
            poll.timeout.connect(lambda: None if self._live else loop.quit())
            timer.start(timeout_ms)
            poll.start(20)
            loop.exec()
            poll.stop()
            timer.stop()
        QCoreApplication.processEvents()
        return not self._live
