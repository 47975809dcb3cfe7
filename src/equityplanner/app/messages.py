"""The one place that turns errors into dialogs and status-bar text.

* :class:`~equityplanner.errors.InputError`: a dialog saying what went wrong (the fault, the
  file and the place in it) and what to do (the remedy), with copyable details.
* :class:`~equityplanner.errors.Cancelled`: a quiet status-bar note.
* anything else: an "internal error" dialog with the traceback, copyable, and a log entry.

Nothing fails silently: every path ends in a dialog or a status message.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from equityplanner import i18n
from equityplanner.errors import Cancelled, InputError
from equityplanner.i18n import _

__all__ = ["ErrorDialog", "ErrorReport", "describe_error", "show_error", "show_status"]

log = logging.getLogger("equityplanner.app")


@dataclass(frozen=True)
class ErrorReport:
    """What a dialog shows about an error: ``kind`` is ``input``, ``cancelled`` or ``internal``."""

    kind: str
    title: str
    text: str
    remedy: str
    details: str

    @property
    def one_line(self) -> str:
        """The message on one line (status bar, stderr)."""
        return " ".join(f"{self.text} {self.remedy}".split())


def describe_error(exc: BaseException, action: str = "") -> ErrorReport:
    """The words to show for ``exc``; ``action`` says what was being done ("opening …")."""
    if isinstance(exc, Cancelled):
        text = _("Cancelled while {action}.").format(action=action) if action else _("Cancelled.")
        return ErrorReport("cancelled", _("Cancelled"), text, "", "")
    if isinstance(exc, InputError):
        where = ": ".join(str(p) for p in (exc.path, exc.location) if p)
        text = exc.fault.rstrip(".") + "."
        remedy = (
            (exc.remedy.rstrip(".") + ".")
            if exc.remedy
            else _("Check the file or the value named above, then try again.")
        )
        lines = [exc.message]
        problems = getattr(exc, "problems", None)
        if problems and len(problems) > 1:
            heading = _("All {count} problems:").format(count=i18n.format_number(len(problems)))
            lines += ["", heading, *(f"  - {p}" for p in problems)]
        if where:
            text = f"{where}: {text}"  # the fault reads on from the file name, as in the CLI
        else:
            text = text[0].upper() + text[1:]
        return ErrorReport(
            "input",
            _("Problem while {action}").format(action=action)
            if action
            else _("Problem with the input"),
            text,
            remedy,
            "\n".join(lines),
        )
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    error = f"{type(exc).__name__}: {exc}"
    return ErrorReport(
        "internal",
        _("Internal error"),
        _("An internal error occurred while {action}: {error}").format(action=action, error=error)
        if action
        else _("An internal error occurred: {error}").format(error=error),
        _(
            "This is a fault in equityplanner, not in your data. Save your project, then report "
            "the details below to the developers."
        ),
        details,
    )


class ErrorDialog(QDialog):
    """A message with what went wrong, what to do, and details that can be copied."""

    def __init__(self, report: ErrorReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(f"{report.title} — equityplanner")
        self.setObjectName("errorDialog")
        icon_kind = (
            QStyle.StandardPixmap.SP_MessageBoxCritical
            if report.kind == "internal"
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(icon_kind).pixmap(48, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text_label = QLabel(f"<b>{_escape(report.text)}</b>")
        self.remedy_label = QLabel(_escape(report.remedy))
        for label in (self.text_label, self.remedy_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit(report.details)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(
            QPlainTextEdit.LineWrapMode.NoWrap
            if report.kind == "internal"
            else QPlainTextEdit.LineWrapMode.WidgetWidth
        )
        self.details.setVisible(report.kind == "internal")
        self.details.setMinimumHeight(160)
        self.details.setAccessibleName(_("Error details"))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("&Copy details"))
        self.copy_button.setToolTip(_("Copy the full message to the clipboard"))
        self.copy_button.clicked.connect(self.copy_details)
        self.toggle_button = QPushButton(
            _("Hide &details") if self.details.isVisible() else _("Show &details")
        )
        self.toggle_button.clicked.connect(self._toggle_details)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.toggle_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)

        text_box = QVBoxLayout()
        text_box.addWidget(self.text_label)
        if report.remedy:
            what = QLabel("<i>" + _escape(_("What to do")) + "</i>")
            text_box.addWidget(what)
            text_box.addWidget(self.remedy_label)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(620, 360 if self.details.isVisible() else 200)
        buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)

    def full_text(self) -> str:
        """Everything the dialog says, as plain text."""
        return "\n\n".join(
            t for t in (self.report.text, self.report.remedy, self.report.details) if t
        )

    def copy_details(self) -> None:
        """Put the full message on the clipboard (it does not close the dialog)."""
        QGuiApplication.clipboard().setText(self.full_text())

    def _toggle_details(self) -> None:
        show = not self.details.isVisible()
        self.details.setVisible(show)
        self.toggle_button.setText(_("Hide &details") if show else _("Show &details"))
        self.adjustSize()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def show_status(parent: QWidget | None, text: str, timeout_ms: int = 6000) -> None:
    """Show ``text`` in the status bar of ``parent``'s main window."""
    window = parent.window() if parent is not None else None
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, timeout_ms)


def show_error(parent: QWidget | None, exc: BaseException, action: str = "") -> ErrorReport:
    """Tell the user about ``exc`` in the way its kind calls for; returns what was shown."""
    report = describe_error(exc, action)
    if report.kind == "cancelled":
        show_status(parent, report.text)
        return report
    if report.kind == "internal":
        log.error(
            "Internal error%s",
            f" while {action}" if action else "",
            exc_info=(type(exc), exc, exc.__traceback__),
        )
    else:
        log.info("Input error: %s", report.one_line)
    show_status(parent, report.one_line, 10000)
    ErrorDialog(report, parent).exec()
    return report
