"""The task controller: one current task per kind, progress, cancel, supersede, abandon."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool

from equityplanner.app.task_controller import Task, TaskController, TaskKind
from equityplanner.progress import Progress


def _steps(progress: Progress, n: int, gate: threading.Event | None = None) -> int:
    for i in range(n):
        if gate is not None:
            gate.wait(5)
        progress.report((i + 1) / n, f"step {i + 1}")
    return n


def _broken(progress: Progress) -> None:
    raise ValueError("broken input")


class _Outcomes:
    """What the controller delivered, by callback."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.reported: list[tuple[str, str]] = []

    def task(self, kind: TaskKind, function: Any, *args: Any, subject: object = None) -> Task:
        return Task(
            kind,
            function,
            args,
            "Counting",
            "counting",
            on_success=lambda result: self.events.append(("success", result)),
            on_failure=lambda exc: self.events.append(("failure", str(exc))),
            on_cancel=lambda: self.events.append(("cancel", None)),
            subject=subject,
        )

    def report(self, exc: BaseException, action: str) -> None:
        self.reported.append((str(exc), action))


@pytest.fixture
def outcomes() -> _Outcomes:
    return _Outcomes()


@pytest.fixture
def tasks(qtbot, outcomes: _Outcomes):
    controller = TaskController(outcomes.report)
    yield controller
    controller.abandon()
    QThreadPool.globalInstance().waitForDone()


def test_progress_and_result_of_the_current_task(qtbot, tasks, outcomes) -> None:
    progress: list[tuple[float, str]] = []
    tasks.progressed.connect(lambda f, m: progress.append((f, m)))
    gate = threading.Event()
    with qtbot.waitSignal(tasks.activity_changed, timeout=5000):
        worker = tasks.start(outcomes.task(TaskKind.ASSESS, _steps, 3, gate, subject="doc"))
    assert tasks.is_running() and tasks.is_running(TaskKind.ASSESS)
    assert not tasks.is_running(TaskKind.EXPORT)
    assert tasks.current(TaskKind.ASSESS) is worker and tasks.subject(TaskKind.ASSESS) == "doc"
    gate.set()
    assert tasks.wait(10_000)
    assert outcomes.events == [("success", 3)]
    assert progress and progress[-1] == (1.0, "step 3")
    assert not tasks.is_running() and tasks.current(TaskKind.ASSESS) is None
    assert tasks.subject(TaskKind.ASSESS) is None


def test_a_new_task_supersedes_the_current_one_of_its_kind(qtbot, tasks, outcomes) -> None:
    gate = threading.Event()
    first = tasks.start(outcomes.task(TaskKind.ASSESS, _steps, 50, gate))
    export = tasks.start(outcomes.task(TaskKind.EXPORT, _steps, 1))
    second = tasks.start(outcomes.task(TaskKind.ASSESS, _steps, 2))
    assert first.is_cancelled and not second.is_cancelled and not export.is_cancelled
    gate.set()
    assert tasks.wait(10_000)
    assert sorted(outcomes.events) == [("success", 1), ("success", 2)], "nothing of the first"


def test_cancel_ends_the_current_task_with_on_cancel(qtbot, tasks, outcomes) -> None:
    gate = threading.Event()
    tasks.start(outcomes.task(TaskKind.BASELINE, _steps, 50, gate))
    with qtbot.waitSignal(tasks.cancelled, timeout=10_000) as blocker:
        tasks.cancel()
        assert tasks.running()[0].is_cancelled
        gate.set()
    assert blocker.args == ["Counting"]
    assert outcomes.events == [("cancel", None)]
    assert tasks.wait(10_000)


def test_abandon_drops_even_a_result_already_on_its_way(qtbot, tasks, outcomes) -> None:
    worker = tasks.start(outcomes.task(TaskKind.ASSESS, _steps, 1))
    QThreadPool.globalInstance().waitForDone()  # finished; its signals wait in the queue
    tasks.abandon()
    assert tasks.wait(10_000)
    assert worker.is_done and outcomes.events == []


def test_an_error_is_reported_then_handed_to_on_failure(qtbot, tasks, outcomes) -> None:
    tasks.start(outcomes.task(TaskKind.EXPORT, _broken))
    assert tasks.wait(10_000)
    assert outcomes.reported == [("broken input", "counting")]
    assert outcomes.events == [("failure", "broken input")]
