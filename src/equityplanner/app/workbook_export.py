"""Export the results to an Excel workbook: ask for the file, write it in a worker, offer it.

:class:`WorkbookExport` exports the run of the application state, with the map field shown
(when the workbook can map it) and the pair of units chosen in the comparison view. Results
out of date are exported only once the user agrees.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from equityplanner.app.session import ProjectSession
from equityplanner.app.settings import AppSettings
from equityplanner.app.state import RUN_FAILED, staleness_words
from equityplanner.app.task_controller import Task, TaskController, TaskKind
from equityplanner.app.tasks import export_task
from equityplanner.app.workers import Worker
from equityplanner.errors import InputError
from equityplanner.i18n import _

__all__ = ["WorkbookExport"]

ReportError = Callable[[BaseException, str], object]
ShowStatus = Callable[[str, int], None]


class WorkbookExport(QObject):
    """The Export command of one window.

    Parameters
    ----------
    window
        Parent of the dialogs.
    session
        The document's file (for the workbook's default name and folder) and its state.
    settings
        The folder last exported to.
    tasks
        Where the workbook is written.
    chosen_results
        The pair of units to compare in the workbook, or None for the project's scenarios.
    report_error, show_status
        How errors and short messages reach the user.
    interactive
        False for scripted runs: nothing asks questions.

    Signals
    -------
    exported(path), failed(exception)
        After the workbook was written, or could not be (the error is reported first).
    """

    exported = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        window: QWidget,
        session: ProjectSession,
        settings: AppSettings,
        tasks: TaskController,
        *,
        chosen_results: Callable[[], tuple[str, str] | None],
        report_error: ReportError,
        show_status: ShowStatus,
        interactive: bool = True,
    ) -> None:
        super().__init__(window)
        self._window = window
        self.session = session
        self.state = session.state
        self.settings = settings
        self.tasks = tasks
        self._chosen_results = chosen_results
        self._report_error = report_error
        self._show_status = show_status
        self.interactive = interactive
        # Offer to open the workbook written (the window turns it off offscreen and in tests).
        self.offer_open = interactive

    def ask_and_export(self) -> None:
        """Ask for the workbook's file (and whether to export results out of date); export."""
        if self.state.assessment is None:
            self._report_error(_no_results(), _("exporting"))
            return
        staleness = self.state.staleness
        if staleness is not None and staleness != RUN_FAILED and self.interactive:
            answer = QMessageBox.question(
                self._window,
                _("Results out of date"),
                _(
                    "The results are out of date ({reason}), so the workbook would not match "
                    "the project. Export the last results anyway? (Choose No, then press F5 to "
                    "run again.)"
                ).format(reason=staleness_words(staleness)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        project = self.session.path
        base = project.name.split(".")[0] if project else _("assessment")
        folder = self.settings.last_folder("export") or str(
            project.parent if project else Path.home()
        )
        chosen, _chosen_filter = QFileDialog.getSaveFileName(
            self._window,
            _("Export workbook"),
            str(Path(folder) / f"{base}.xlsx"),
            _("Excel workbook") + " (*.xlsx)",
        )
        if chosen:
            self.export(Path(chosen if chosen.lower().endswith(".xlsx") else chosen + ".xlsx"))

    def export(self, path: Path) -> Worker | None:
        """Write the workbook of the current results to ``path`` in a worker."""
        assessment = self.state.assessment
        if assessment is None:
            self._report_error(_no_results(), _("exporting"))
            return None
        # The answers to the equity questions as they are now (they change no number).
        assessment = replace(assessment, equity_questions=self.session.document.equity_questions)
        from equityplanner.render.fields import mappable_fields

        field = self.state.map_field
        key = field.key if field is not None else None
        map_field = key if key in mappable_fields(assessment.baseline) else None
        self.settings.set_last_folder("export", Path(path).resolve().parent)
        pair = self._chosen_results()
        compare: bool | list[str] = list(pair) if pair is not None else True
        return self.tasks.start(
            Task(
                TaskKind.EXPORT,
                export_task,
                (assessment, Path(path), map_field, compare),
                _("Exporting"),
                _("exporting {file}").format(file=Path(path).name),
                on_success=self._on_exported,
                on_failure=self.failed.emit,
            )
        )

    def _on_exported(self, path: Path) -> None:
        self._show_status(_("Exported {file}").format(file=path.name), 10000)
        self.exported.emit(path)
        if not self.offer_open:
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            _("Workbook exported"),
            _("The workbook was saved as<br><b>{path}</b>").format(path=html.escape(str(path))),
            QMessageBox.StandardButton.Close,
            self._window,
        )
        open_file = box.addButton(_("Open workbook"), QMessageBox.ButtonRole.AcceptRole)
        open_folder = box.addButton(_("Open folder"), QMessageBox.ButtonRole.ActionRole)
        box.exec()
        if box.clickedButton() is open_file:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        elif box.clickedButton() is open_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


def _no_results() -> InputError:
    return InputError(
        _("there are no results to export yet"), remedy=_("Run the assessment first (F5)")
    )
