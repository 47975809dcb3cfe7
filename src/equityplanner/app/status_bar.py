"""The permanent widgets of the main window's status bar.

:class:`StatusWidgets` shows the running task (what it does, its progress, a Cancel button)
from the :class:`~equityplanner.app.task_controller.TaskController`; from the application
state, whether the results are out of date (a button that runs the assessment again; the
results panel may be closed) and the data warnings of the layer or run shown; and the
coordinates under the cursor.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QStatusBar, QToolButton, QWidget

from equityplanner import i18n
from equityplanner.app.state import AppState, Change, staleness_words
from equityplanner.app.task_controller import TaskController
from equityplanner.app.workers import Worker
from equityplanner.i18n import _, ngettext, pgettext

__all__ = ["StatusWidgets"]


class StatusWidgets:
    """Task progress, data warnings and cursor coordinates, added to ``status_bar``.

    Parameters
    ----------
    status_bar
        The window's status bar.
    state, tasks
        What is shown.
    cancel_action, run_action
        The actions the Cancel and "Results out of date" buttons trigger.
    """

    def __init__(
        self,
        status_bar: QStatusBar,
        state: AppState,
        tasks: TaskController,
        cancel_action: QAction,
        run_action: QAction,
    ) -> None:
        self._status_bar = status_bar
        self._state = state
        self._tasks = tasks
        self._newest: Worker | None = None
        self.coords_label = QLabel()
        self.coords_label.setToolTip(_("Longitude and latitude under the cursor"))
        self.coords_label.setMinimumWidth(150)
        self.task_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setAccessibleName(_("Task progress"))
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(cancel_action)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setAutoRaise(True)
        self.stale_button = QToolButton()
        self.stale_button.setObjectName("staleResults")
        self.stale_button.setAutoRaise(True)
        self.stale_button.setText("⚠ " + _("Results out of date"))
        self.stale_button.clicked.connect(run_action.trigger)
        self.stale_button.setVisible(False)
        self.warnings_button = QToolButton()
        self.warnings_button.setAutoRaise(True)
        self.warnings_button.setToolTip(
            _("Data warnings of the neighbourhood layer and the assessment")
        )
        self.warnings_button.clicked.connect(self.show_warnings)
        self.warnings_button.setVisible(False)
        widgets: list[QWidget] = [self.task_label, self.progress_bar, self.cancel_button]
        for widget in widgets:
            widget.setVisible(False)
            status_bar.addPermanentWidget(widget)
        status_bar.addPermanentWidget(self.stale_button)
        status_bar.addPermanentWidget(self.warnings_button)
        status_bar.addPermanentWidget(self.coords_label)

        tasks.progressed.connect(self._on_progressed)
        tasks.activity_changed.connect(self._on_activity_changed)
        tasks.cancelled.connect(
            lambda description: status_bar.showMessage(
                _("{task} cancelled.").format(task=description), 6000
            )
        )
        state.changed.connect(self._on_state_changed)

    def show_coordinates(self, lon: float, lat: float) -> None:
        """Show the longitude and latitude under the cursor."""
        ns = pgettext("compass", "N") if lat >= 0 else pgettext("compass", "S")
        ew = pgettext("compass", "E") if lon >= 0 else pgettext("compass", "W")
        self.coords_label.setText(
            f"{i18n.format_number(abs(lat), 5)}°{ns}  {i18n.format_number(abs(lon), 5)}°{ew}"
        )

    def show_warnings(self) -> None:
        """List the data warnings in a dialog."""
        warnings = self._state.warnings()
        box = QMessageBox(
            QMessageBox.Icon.Information,
            _("Data warnings"),
            ngettext(
                "{count} problem was worked around. It does not stop the assessment, but read "
                "it before relying on the results.",
                "{count} problems were worked around. They do not stop the assessment, but read "
                "them before relying on the results.",
                len(warnings),
            ).format(count=i18n.format_number(len(warnings))),
            QMessageBox.StandardButton.Close,
            self._status_bar.window(),
        )
        box.setDetailedText("\n\n".join(f"• {w}" for w in warnings))
        box.exec()

    def _on_progressed(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 100))
        if message:
            self.task_label.setText(message)

    def _on_activity_changed(self) -> None:
        running = self._tasks.running()
        for widget in (self.task_label, self.progress_bar, self.cancel_button):
            widget.setVisible(bool(running))
        if not running:
            self._newest = None
            return
        newest = running[-1]
        if newest is not self._newest:  # another task started: its progress starts at 0
            self._newest = newest
            self.progress_bar.setValue(0)
        if all(w.is_cancelled for w in running):
            self.task_label.setText(_("Cancelling…"))
        else:
            self.task_label.setText(newest.description + "…")

    def _on_state_changed(self, change: Change) -> None:
        if change & Change.STALENESS:
            reason = self._state.staleness
            self.stale_button.setVisible(reason is not None)
            self.stale_button.setToolTip(
                _(
                    "The results shown are out of date: {reason}. Click (or press F5) to run the "
                    "assessment again."
                ).format(reason=staleness_words(reason))
                if reason
                else ""
            )
        if change & (Change.BASELINE | Change.ASSESSMENT):
            count = len(self._state.warnings())
            words = ngettext("{count} data warning", "{count} data warnings", count)
            self.warnings_button.setText("⚠ " + words.format(count=i18n.format_number(count)))
            self.warnings_button.setVisible(bool(count))
