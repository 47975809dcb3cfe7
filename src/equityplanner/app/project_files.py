"""Project files: new, open, save, save as, unsaved-changes prompt, autosave and recovery.

:class:`ProjectFiles` carries out the File commands on a
:class:`~equityplanner.app.session.ProjectSession`: it asks for file names, reads and writes
project files, writes the window's autosave (:mod:`equityplanner.app.autosave`) on a timer and
shortly after each edit, offers to recover autosaves on open (and, at start, those of untitled
projects whose window is gone), and keeps the recent-files list. Opening or starting a project
resets the session, and with it the application state; what the new document needs (its
neighbourhood layer) the window loads when the session says so.

No lost work:

* each window autosaves to a file of its own and deletes only its own autosaves, those it
  recovered and saved, and those whose window is gone, never another running window's;
* a project never saved is autosaved in the user's data folder;
* the file's state (size, time, hash) is noted when it is opened or saved; a save over a file
  that changed since (another window, another program, a colleague) asks first;
* autosaves get the project file's permissions.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from equityplanner.app import autosave as autosaves
from equityplanner.app import editing
from equityplanner.app.autosave import AutosaveFile, Instance, sidecar_path
from equityplanner.app.session import ProjectSession
from equityplanner.app.settings import AppSettings
from equityplanner.errors import InputError
from equityplanner.i18n import _, ngettext
from equityplanner.model.project import ProjectDocument

__all__ = [
    "AUTOSAVE_AFTER_EDIT_MS",
    "AUTOSAVE_INTERVAL_MS",
    "PROJECT_FILTER",
    "DiskStamp",
    "ProjectFiles",
]

AUTOSAVE_INTERVAL_MS = 3 * 60 * 1000
AUTOSAVE_AFTER_EDIT_MS = 5000
PROJECT_FILTER = "equityplanner projects (*.eqp.json *.json);;All files (*)"  # English
# The titles of two questions (English: tests wait for them); shown in the current language.
CHANGED_ON_DISK = "Project file changed on disk"
RECOVER_UNTITLED = "Recover an unsaved project?"


def project_filter() -> str:
    """The file dialogs' filter, its descriptions in the current language."""
    return ";;".join(
        (_("equityplanner projects") + " (*.eqp.json *.json)", _("All files") + " (*)")
    )


ReportError = Callable[[BaseException, str], object]
ShowStatus = Callable[[str, int], None]


@dataclass(frozen=True)
class DiskStamp:
    """What a project file was when this window last read or wrote it."""

    mtime_ns: int
    size: int
    digest: str

    @classmethod
    def of(cls, path: Path) -> DiskStamp | None:
        """The file's stamp, or None when it cannot be read."""
        try:
            info = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return None
        return cls(info.st_mtime_ns, info.st_size, digest)

    def changed(self, path: Path) -> bool:
        """True when the file's content is no longer what it was (a touch alone is not)."""
        try:
            info = path.stat()
        except OSError:
            return False  # deleted or moved away: saving puts it back, overwriting nothing
        if (info.st_mtime_ns, info.st_size) == (self.mtime_ns, self.size):
            return False
        now = DiskStamp.of(path)
        return now is not None and now.digest != self.digest


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
    data_folder
        Where untitled projects are autosaved and windows are recorded
        (:func:`~equityplanner.app.autosave.user_data_folder` by default).
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
        data_folder: Path | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.session = session
        self.settings = settings
        self._report_error = report_error
        self._show_status = show_status
        self.interactive = interactive
        try:
            self.instance: Instance | None = Instance(data_folder)
        except OSError:  # no data folder: autosave beside saved projects only
            self.instance = None
        self.own_autosave: Path | None = None  # this window's autosave, when written
        self.adopted: list[AutosaveFile] = []  # autosaves recovered here, deleted once saved
        self.disk_stamp: DiskStamp | None = None
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
        self._drop_autosaves()
        self.session.reset(editing.new_document(), None)
        self.disk_stamp = None
        self._claim()
        self._show_status(
            _("New project. Import neighbourhoods, then place or import projects."), 8000
        )
        return True

    def ask_open(self) -> None:
        """Ask for a project file and open it."""
        path, _chosen = QFileDialog.getOpenFileName(
            self._window, _("Open project"), self.settings.last_folder("project"), project_filter()
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
            self._report_error(exc, _("opening {file}").format(file=path.name))
            return False
        stamp = DiskStamp.of(path.resolve())
        self._drop_autosaves()
        recovered = self._recover_autosave(path)
        self.session.reset(document, path)
        self.disk_stamp = stamp
        self._claim()
        if recovered is not None:
            self.session.apply(recovered, _("Recover autosaved changes"))
        if self.interactive:  # scripted runs (screenshots) leave the preferences alone
            self.settings.add_recent_file(path)
            self.settings.set_last_folder("project", path.resolve().parent)
        others = (
            autosaves.others_with_project(path, self.instance.id, self.instance.data_folder)
            if self.instance is not None
            else []
        )
        if others:
            self._show_status(
                _(
                    "Opened {file}. It is open in another equityplanner window too: a save "
                    "over changes saved there asks first."
                ).format(file=path.name),
                10000,
            )
        else:
            self._show_status(_("Opened {file}").format(file=path.name), 5000)
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
        path, _chosen = QFileDialog.getSaveFileName(
            self._window, _("Save project as"), start, project_filter()
        )
        if not path:
            return False
        if not path.endswith(".json"):
            path += ".eqp.json"
        return self._save_to(Path(path), confirmed=True)

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False when the user cancels."""
        if not self.session.is_modified or not self.interactive:
            return True
        name = self.session.path.name if self.session.path else _("the new project")
        answer = QMessageBox.question(
            self._window,
            _("Unsaved changes"),
            _("Save the changes to {name} before closing it?").format(name=name),
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def autosave_path(self) -> Path | None:
        """Where this window autosaves the document now (None: nowhere).

        A saved project: the plain sidecar beside it, unless another window's autosave is
        there, then this window's own sidecar. A project never saved: the data folder.
        """
        path = self.session.path
        if self.own_autosave is not None:  # dropped whenever the project changes file
            return self.own_autosave
        if path is None:
            return self.instance.untitled_path if self.instance is not None else None
        plain = sidecar_path(path)
        if not plain.exists() or self.instance is None:
            return plain
        return sidecar_path(path, self.instance.id)

    def autosave(self) -> Path | None:
        """Write this window's autosave when there are unsaved edits; returns its path."""
        if not self.session.is_modified:
            return None
        target = self.autosave_path()
        if target is None:
            return None
        try:
            path = self.session.path
            written = autosaves.write_private(
                self.session.document,
                target,
                autosaves.project_mode(path),
                autosaves.project_group(path),
            )
        except (InputError, OSError) as exc:
            message = exc.message if isinstance(exc, InputError) else str(exc)
            self._show_status(
                _(
                    "Autosave to {path} failed: {problem}. Save the project (Ctrl+S) to keep "
                    "your changes."
                ).format(path=target, problem=message),
                10000,
            )
            return None
        self.own_autosave = written
        self._claim()
        return written

    def close(self) -> None:
        """The window closes (its changes saved or discarded): stop autosaving, remove its own.

        Autosaves recovered here are removed when their window is gone; a running window
        keeps its own.
        """
        self.autosave_timer.stop()
        self.edit_autosave_timer.stop()
        self._drop_autosaves()
        if self.instance is not None:
            self.instance.release()

    def offer_untitled_recovery(self) -> bool:
        """Offer the newest autosave of an untitled project whose window is gone.

        Yes opens it as an unsaved new project; Discard deletes it; Ignore asks again next
        time. True when it was recovered.
        """
        instance = self.instance
        if not self.interactive or instance is None or not instance.alive:
            return False
        if self.session.is_modified or self.session.path is not None:
            return False  # the user started on something already
        found = autosaves.find_untitled_autosaves(instance.data_folder)
        if not found:
            return False
        newest = found[0]
        from equityplanner.io.project_file import load_project

        try:
            document = editing.with_absolute_paths(load_project(newest.path))
        except InputError as exc:
            self._report_error(exc, _("recovering an unsaved project"))
            return False
        meta = document.metadata
        older = len(found) - 1
        more = (
            " ("
            + ngettext(
                "{count} older one is kept for later",
                "{count} older ones are kept for later",
                older,
            ).format(count=older)
            + ")"
            if older
            else ""
        )
        projects = ngettext("{count} project", "{count} projects", len(document.projects))
        scenarios = ngettext("{count} scenario", "{count} scenarios", len(document.scenarios))
        answer = QMessageBox.question(
            self._window,
            _("Recover an unsaved project?"),
            _(
                "<p>A window closed without saving the project <b>{title}</b> ({projects}, "
                "{scenarios}), autosaved {when} in {folder}{more}.</p>"
                "<p><b>Yes</b> opens it as a new, unsaved project: save it to keep it. "
                "<b>Discard</b> deletes the autosave. <b>Ignore</b> asks again next time.</p>"
            ).format(
                title=html.escape(meta.title),
                projects=projects.format(count=len(document.projects)),
                scenarios=scenarios.format(count=len(document.scenarios)),
                when=newest.when,
                folder=html.escape(str(newest.path.parent)),
                more=more,
            ),
            QMessageBox.StandardButton.Yes
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Ignore,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.Discard:
            newest.path.unlink(missing_ok=True)
            return False
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self.session.reset(editing.new_document(), None)
        self.session.apply(document, _("Recover autosaved changes"))
        self.disk_stamp = None
        self.autosave()  # safe in this window's own autosave before the old one goes
        newest.path.unlink(missing_ok=True)
        self._show_status(_("Recovered the unsaved project: save it to keep it (Ctrl+S)."), 10000)
        return True

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
            none = menu.addAction(_("No recent projects"))
            none.setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction(_("&Clear list"))
        clear.setToolTip(_("Forget the recent projects"))
        clear.triggered.connect(self.settings.clear_recent_files)

    # Internals -----------------------------------------------------------------------------

    def _save_to(self, path: Path, *, confirmed: bool = False) -> bool:
        from equityplanner.io.project_file import save_project

        old = self.session.path
        same_file = old is not None and old == path.resolve()
        if same_file and not confirmed and not self._may_overwrite(path):
            return False
        try:
            save_project(self.session.document, path)
        except InputError as exc:
            self._report_error(exc, _("saving {file}").format(file=path.name))
            return False
        self.session.mark_saved(path)
        self.disk_stamp = DiskStamp.of(path.resolve())
        # The edits are in the file now: this window's autosave and those it recovered go.
        self._drop_autosaves(saved=True)
        self._claim()
        self.settings.add_recent_file(path)
        self.settings.set_last_folder("project", path.resolve().parent)
        self._show_status(_("Saved {file}").format(file=path.name), 5000)
        return True

    def _may_overwrite(self, path: Path) -> bool:
        """False when the file changed since it was read and the user does not replace it."""
        stamp = self.disk_stamp
        if stamp is None or not stamp.changed(path):
            return True
        fault = _(
            "{file} was changed on disk since this window opened or saved it (by another "
            "equityplanner window, another program or a colleague)"
        ).format(file=path.name)
        if not self.interactive:
            self._report_error(
                InputError(
                    fault,
                    path=path,
                    remedy=_("Save under another name (File ▸ Save As…), then compare the two"),
                ),
                _("saving {file}").format(file=path.name),
            )
            return False
        answer = QMessageBox.question(
            self._window,
            _("Project file changed on disk"),
            f"<p>{html.escape(fault)}.</p>"
            + _(
                "<p><b>Save</b> replaces that version with yours, and its changes are lost. "
                "<b>Cancel</b> keeps it: then use File ▸ Save As… to save yours under another "
                "name and compare the two.</p>"
            )
            + f"<p>{html.escape(str(path))}</p>",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Save

    def _claim(self) -> None:
        if self.instance is not None:
            self.instance.claim(self.session.path, self.own_autosave)

    def _drop_autosaves(self, *, saved: bool = False) -> None:
        """Delete this window's autosave, and the recovered ones: all once their edits are
        saved, else those whose window is gone."""
        if self.own_autosave is not None:
            self.own_autosave.unlink(missing_ok=True)
            self.own_autosave = None
        for found in self.adopted:
            if saved or found.deletable:
                found.path.unlink(missing_ok=True)
        self.adopted = []
        self._claim()

    def _recover_autosave(self, path: Path) -> ProjectDocument | None:
        if not self.interactive:
            return None
        instance = self.instance
        own = (self.own_autosave,) if self.own_autosave is not None else ()
        found = autosaves.find_autosaves(
            path, data_folder=instance.data_folder if instance else None, exclude=own
        )
        if not found:
            return None
        newest = found[0]
        whose = (
            _("by another equityplanner window that still has it open")
            if newest.owner_alive
            else _("by a window that closed without saving them")
        )
        keep = (
            _("the other window keeps its autosave")
            if not newest.deletable
            else _("the autosave is then deleted")
        )
        answer = QMessageBox.question(
            self._window,
            _("Recover unsaved changes?"),
            _(
                "<p><b>{file}</b> has changes that were autosaved but never saved (autosave of "
                "{when}, {whose}).</p><p>Recover them? They open as an unsaved edit you can "
                "undo; choose No to open the file as last saved ({keep}).</p>"
            ).format(file=html.escape(path.name), when=newest.when, whose=whose, keep=keep),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            if newest.deletable:
                newest.path.unlink(missing_ok=True)
            return None
        from equityplanner.io.project_file import load_project

        try:
            recovered = editing.with_absolute_paths(load_project(newest.path))
        except InputError as exc:
            self._report_error(exc, _("recovering the autosaved changes"))
            return None
        self.adopted.append(newest)
        return recovered
