"""No lost work (issue 12): autosave per window, untitled projects autosaved, a save over a file
changed by someone else asks first, autosaves with the project's permissions."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from app_helpers import inside_point
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QMessageBox

from equityplanner.app import editing
from equityplanner.app.autosave import (
    Instance,
    find_autosaves,
    read_records,
    sidecar_path,
)
from equityplanner.app.main_window import MainWindow
from equityplanner.app.project_files import CHANGED_ON_DISK, RECOVER_UNTITLED
from equityplanner.io.project_file import load_project


def _edit(w: MainWindow, name: str = "Test homes") -> None:
    lon, lat = inside_point(w, 2)
    doc, _ = editing.add_housing_site(w.session.document, lon, lat, name=name)
    w.session.apply(doc, "Place housing site")


def _answer(monkeypatch: pytest.MonkeyPatch, *buttons: QMessageBox.StandardButton) -> list[str]:
    """Answer the next questions with ``buttons`` in turn; returns the titles asked."""
    asked: list[str] = []
    queue = list(buttons)

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return queue.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


@pytest.fixture
def second(qtbot, settings):
    """A second window of the same user, in the same process."""
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        w = MainWindow(settings)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.cancel_tasks()
        QThreadPool.globalInstance().waitForDone()
        w.session.undo_stack.setClean()
        w.close()
        w.deleteLater()


def _open(qtbot, w: MainWindow, path: Path) -> None:
    with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
        assert w.open_project(path)


def test_a_second_window_answering_no_never_deletes_the_first_windows_autosave(
    qtbot, opened: MainWindow, project_file: Path, second, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = opened
    _edit(first)
    mine = first.files.autosave()
    assert mine == sidecar_path(project_file) and mine.exists()
    future = project_file.stat().st_mtime + 5
    os.utime(mine, (future, future))

    other = second()
    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    _open(qtbot, other, project_file)
    assert asked == ["Recover unsaved changes?"]
    assert not other.session.is_modified
    _edit(other, "Other homes")
    theirs = other.files.autosave()
    assert theirs is not None and theirs != mine, "each window autosaves to its own file"
    assert theirs.exists() and mine.exists()

    other.session.undo_stack.setClean()
    other.close()
    assert mine.exists(), "closing the second window leaves the first window's autosave"
    assert not theirs.exists(), "and removes its own"
    assert load_project(mine).projects[-1].name == "Test homes"
    # The first window still owns it (its record is alive) and keeps autosaving to it.
    owners = {r.autosave: r.alive for r in read_records()}
    assert owners.get(mine.resolve()) is True
    assert first.files.autosave() == mine


def test_a_save_over_a_file_another_window_saved_asks_first(
    qtbot, opened: MainWindow, project_file: Path, second, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = opened
    other = second()
    _open(qtbot, other, project_file)
    _edit(first, "First window's homes")
    assert first.files.save()

    _edit(other, "Second window's homes")
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert not other.files.save(), "Cancel keeps the other window's version"
    assert asked == [CHANGED_ON_DISK]
    names = [p.name for p in load_project(project_file).projects]
    assert "First window's homes" in names and "Second window's homes" not in names
    assert other.session.is_modified

    asked = _answer(monkeypatch, QMessageBox.StandardButton.Save)
    assert other.files.save()
    assert asked == [CHANGED_ON_DISK]
    names = [p.name for p in load_project(project_file).projects]
    assert "Second window's homes" in names
    # Saved from here, the file is this window's again: the next save asks nothing.
    _edit(other, "More homes")
    asked = _answer(monkeypatch)
    assert other.files.save() and asked == []
    # The first window now sees the second window's save as a change.
    _edit(first, "Late homes")
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert not first.files.save() and asked == [CHANGED_ON_DISK]


def test_a_touched_but_unchanged_file_saves_without_asking(
    opened: MainWindow, project_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = opened
    future = project_file.stat().st_mtime + 60
    os.utime(project_file, (future, future))  # a backup tool, a sync client
    _edit(w)
    asked = _answer(monkeypatch)
    assert w.files.save() and asked == []


def test_an_untitled_project_is_autosaved_in_the_data_folder_privately(
    window: MainWindow, _data_folder: Path
) -> None:
    w = window
    assert w.session.path is None
    doc, _ = editing.add_housing_site(w.session.document, -86.8, 33.5, name="Untitled homes")
    w.session.apply(doc, "Place housing site")
    path = w.files.autosave()
    assert path is not None and path.parent == (_data_folder / "autosave").resolve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_project(path).projects[0].name == "Untitled homes"
    # Saving it somewhere removes the untitled autosave.
    target = _data_folder.parent / "saved.eqp.json"
    assert w.files._save_to(target, confirmed=True)
    assert not path.exists()


_CRASHING_WINDOW = textwrap.dedent(
    """
    import os, sys
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from equityplanner.app import editing
    from equityplanner.app.main_window import MainWindow
    from equityplanner.app.settings import AppSettings
    w = MainWindow(AppSettings.from_file(sys.argv[1]), interactive=False)
    doc, _ = editing.add_housing_site(w.session.document, -86.8, 33.5, name="Crash homes")
    w.session.apply(doc, "Place housing site")
    print(w.files.autosave(), flush=True)
    os._exit(3)  # a crash: no close, no clean-up
    """
)


def test_an_untitled_project_of_a_crashed_window_is_offered_at_start(
    qtbot, settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _data_folder: Path
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run(
        [sys.executable, "-c", _CRASHING_WINDOW, str(tmp_path / "crash.ini")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 3, run.stderr
    left = Path(run.stdout.strip().splitlines()[-1])
    assert left.exists() and left.parent == (_data_folder / "autosave").resolve()
    assert [r.alive for r in read_records() if r.autosave == left.resolve()] == [False]

    asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    w = MainWindow(settings)
    try:
        w.show()
        qtbot.waitUntil(lambda: asked == [RECOVER_UNTITLED], timeout=10_000)
        assert [p.name for p in w.session.document.projects] == ["Crash homes"]
        assert w.session.path is None and w.session.is_modified
        assert not left.exists(), "the recovered autosave is now this window's"
        assert w.files.own_autosave is not None and w.files.own_autosave.exists()
    finally:
        w.session.undo_stack.setClean()
        w.close()
        w.deleteLater()


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_autosaves_get_the_project_files_permissions(
    qtbot, window: MainWindow, project_file: Path, mode: int
) -> None:
    os.chmod(project_file, mode)
    _open(qtbot, window, project_file)
    old_umask = os.umask(0o022)  # a usual umask would make a new file 644
    try:
        _edit(window)
        path = window.files.autosave()
    finally:
        os.umask(old_umask)
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == mode
    # Rewritten, it keeps them.
    _edit(window, "More homes")
    assert stat.S_IMODE(window.files.autosave().stat().st_mode) == mode


def test_a_closed_windows_autosave_is_offered_and_no_deletes_it(
    qtbot, window: MainWindow, project_file: Path, tmp_path: Path, monkeypatch
) -> None:
    # A window that crashed on this project: its record is unlocked, its autosave left.
    gone = Instance()
    doc = editing.with_absolute_paths(load_project(project_file))
    left = sidecar_path(project_file, gone.id)
    from equityplanner.app.autosave import write_autosave

    write_autosave(doc, project_file, left)
    gone.claim(project_file, left)
    gone._handle.close()  # the process died: the OS drops its lock; the record stays
    gone._handle = None
    future = project_file.stat().st_mtime + 5
    os.utime(left, (future, future))
    [found] = find_autosaves(project_file)
    assert found.owner == gone.id and not found.owner_alive and found.deletable

    asked = _answer(monkeypatch, QMessageBox.StandardButton.No)
    _open(qtbot, window, project_file)
    assert asked == ["Recover unsaved changes?"]
    assert not left.exists(), "No deletes the autosave of a window that is gone"


def test_window_records_are_alive_while_the_window_runs(tmp_path: Path) -> None:
    a, b = Instance(tmp_path), Instance(tmp_path)
    assert {r.id: r.alive for r in read_records(tmp_path)} == {a.id: True, b.id: True}
    a.release()
    assert {r.id: r.alive for r in read_records(tmp_path)} == {b.id: True}
    b.release()
    assert read_records(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "chown") or os.geteuid() != 0, reason="needs root to chown")
def test_an_autosave_gets_the_project_files_group(
    qtbot, window: MainWindow, project_file: Path
) -> None:
    os.chown(project_file, -1, 4321)
    os.chmod(project_file, 0o640)
    _open(qtbot, window, project_file)
    _edit(window)
    path = window.files.autosave()
    assert path is not None
    info = path.stat()
    assert (info.st_gid, stat.S_IMODE(info.st_mode)) == (4321, 0o640)
