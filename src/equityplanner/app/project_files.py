"""Project files: new, open, save, save as, unsaved-changes prompt, autosave and recovery.

:class:`ProjectFiles` carries out the File commands on a
:class:`~equityplanner.app.session.ProjectSession`: it asks for file names, reads and writes
project files, writes the autosave sidecar (:mod:`equityplanner.app.autosave`) on a timer and
shortly after each edit, offers to recover it on open, and keeps the recent-files list.
Opening or starting a project resets the session, and with it the application state; what the
new document needs (its neighbourhood layer) the window loads when the session says so.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from equityplanner.app import editing
from equityplanner.app.autosave import (
    has_newer_autosave,
    remove_autosave,
    sidecar_path,
    write_autosave,
)
from equityplanner.app.session import ProjectSession
from equityplanner.app.settings import AppSettings
from equityplanner.errors import InputError
from equityplanner.model.project import ProjectDocument

__all__ = ["AUTOSAVE_AFTER_EDIT_MS", "AUTOSAVE_INTERVAL_MS", "PROJECT_FILTER", "ProjectFiles"]

AUTOSAVE_INTERVAL_MS = 3 * 60 * 1000
AUTOSAVE_AFTER_EDIT_MS = 5000
PROJECT_FILTER = "equityplanner projects (*.eqp.json *.json);;All files (*)"

ReportError = Callable[[BaseException, str], object]
ShowStatus = Callable[[str, int], None]


class ProjectFiles(QObject):
    """The File commands of one window.

    Parameters
    ----------
    window
        Parent of the file dialogs and questions.
    session
        The document's file and undo history.
    settings
        Recent files and last folders.
    report_error, show_status
        How errors and short messages reach the user.
    interactive
        False for scripted runs: nothing asks questions and the preferences are left alone.
    """

    def __init__(
        self,
        window: QWidget,
        session: ProjectSession,
        settings: AppSettings,
        *,
        report_error: ReportError,
        show_status: ShowStatus,
        interactive: bool = True,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.session = session
        self.settings = settings
        self._report_error = report_error
        self._show_status = show_status
        self.interactive = interactive
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()
        self.edit_autosave_timer = QTimer(self)
        self.edit_autosave_timer.setSingleShot(True)
        self.edit_autosave_timer.setInterval(AUTOSAVE_AFTER_EDIT_MS)
        self.edit_autosave_timer.timeout.connect(self.autosave)
        session.undo_stack.indexChanged.connect(lambda _index: self.edit_autosave_timer.start())

    # Commands ------------------------------------------------------------------------------

    def new(self) -> bool:
        """Start an empty project (asks to save changes first)."""
        if not self.maybe_save():
            return False
        remove_autosave(self.session.path)
        self.session.reset(editing.new_document(), None)
        self._show_status(
            "New project. Import neighbourhoods, then place or import projects.", 8000
        )
        return True

    def ask_open(self) -> None:
        """Ask for a project file and open it."""
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Open project", self.settings.last_folder("project"), PROJECT_FILTER
        )
        if path:
            self.open(Path(path))

    def open(self, path: str | Path, *, ask: bool = True) -> bool:
        """Open a project file; errors are reported. Returns True when it was opened."""
        path = Path(path)
        if ask and not self.maybe_save():
            return False
        from equityplanner.io.project_file import load_project

        try:
            document = load_project(path)
        except InputError as exc:
            self._report_error(exc, f"opening {path.name}")
            return False
        recovered = self._recover_autosave(path)
        if self.session.path != path.resolve():
            remove_autosave(self.session.path)
        self.session.reset(document, path)
        if recovered is not None:
            self.session.apply(recovered, "Recover autosaved changes")
        if self.interactive:  # scripted runs (screenshots) leave the preferences alone
            self.settings.add_recent_file(path)
            self.settings.set_last_folder("project", path.resolve().parent)
        self._show_status(f"Opened {path.name}", 5000)
        return True

    def save(self) -> bool:
        """Save to the project's file (asks for a name the first time)."""
        if self.session.path is None:
            return self.save_as()
        return self._save_to(self.session.path)

    def save_as(self) -> bool:
        """Save under a new name."""
        start = str(
            self.session.path
            or Path(self.settings.last_folder("project") or Path.home()) / "project.eqp.json"
        )
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Save project as", start, PROJECT_FILTER
        )
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".eqp.json"
        return self._save_to(Path(path))

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False when the user cancels."""
        if not self.session.is_modified or not self.interactive:
            return True
        name = self.session.path.name if self.session.path else "the new project"
        answer = QMessageBox.question(
            self._window,
            "Unsaved changes",
            f"Save the changes to {name} before closing it?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def autosave(self) -> Path | None:
        """Write the sidecar autosave when there are unsaved edits; returns its path."""
        path = self.session.path
        if path is None or not self.session.is_modified:
            return None
        try:
            return write_autosave(self.session.document, path)
        except InputError as exc:
            self._show_status(f"Autosave failed: {exc.message}", 10000)
            return None

    def close(self) -> None:
        """The window closes (its changes saved or discarded): stop autosaving, remove it."""
        self.autosave_timer.stop()
        self.edit_autosave_timer.stop()
        remove_autosave(self.session.path)

    def fill_recent_menu(self, menu: QMenu) -> None:
        """List the recent projects in ``menu`` (before it shows)."""
        menu.clear()
        files = self.settings.recent_files()
        for n, path in enumerate(files, start=1):
            action = menu.addAction(f"&{n} {path.name}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open(p))
        if not files:
            none = menu.addAction("No recent projects")
            none.setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("&Clear list")
        clear.setToolTip("Forget the recent projects")
        clear.triggered.connect(self.settings.clear_recent_files)

    # Internals -----------------------------------------------------------------------------

    def _save_to(self, path: Path) -> bool:
        from equityplanner.io.project_file import save_project

        old = self.session.path
        try:
            save_project(self.session.document, path)
        except InputError as exc:
            self._report_error(exc, f"saving {path.name}")
            return False
        self.session.mark_saved(path)
        remove_autosave(path)
        if old is not None and old != path.resolve():
            remove_autosave(old)
        self.settings.add_recent_file(path)
        self.settings.set_last_folder("project", path.resolve().parent)
        self._show_status(f"Saved {path.name}", 5000)
        return True

    def _recover_autosave(self, path: Path) -> ProjectDocument | None:
        if not self.interactive or not has_newer_autosave(path):
            return None
        sidecar = sidecar_path(path)
        answer = QMessageBox.question(
            self._window,
            "Recover unsaved changes?",
            f"<p><b>{html.escape(path.name)}</b> has changes that were autosaved but never saved "
            f"(autosave of {_mtime(sidecar)}).</p><p>Recover them? They open as an unsaved "
            "edit you can undo; choose No to open the file as last saved.</p>",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        from equityplanner.io.project_file import load_project

        try:
            return editing.with_absolute_paths(load_project(sidecar))
        except InputError as exc:
            self._report_error(exc, "recovering the autosaved changes")
            return None


def _mtime(path: Path) -> str:
    return dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%d %b %Y %H:%M")
