"""The properties dock: the selected project's form, or the project's description.

:class:`PropertiesPanel` observes the application state. With a project selected it shows
that project in a :class:`~equityplanner.app.dialogs.ProjectForm` (kept while the same kind of
project stays selected, so that editing is not interrupted), otherwise the project's title,
authors, data and description. Edits in the form come out as :attr:`PropertiesPanel.edited`;
the window makes them undoable edits.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from equityplanner.app.state import AppState, Change
from equityplanner.model.project import Project, ProjectDocument

if TYPE_CHECKING:
    from equityplanner.app.dialogs import ProjectForm

__all__ = ["PropertiesPanel"]

_DESCRIPTION_CHARS = 400
_HINT = "Select a project in the explorer or on the map to edit its properties."


class PropertiesPanel(QScrollArea):
    """The form of the selected project (in a scroll area, so a tall form never grows the window).

    Signals
    -------
    edited(project, old_id)
        The user changed the project shown; ``old_id`` is its id before (the form can rename).
    """

    edited = Signal(object, str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.form: ProjectForm | None = None
        self._form_project_id = ""
        holder = QWidget()
        holder.setObjectName("propertiesHolder")
        self._layout = QVBoxLayout(holder)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self.hint = QLabel(_HINT)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("propertiesHint")
        self._layout.addWidget(self.hint)
        self._layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setWidget(holder)
        self.setMinimumHeight(120)
        state.changed.connect(self._on_state_changed)

    def _on_state_changed(self, change: Change) -> None:
        if change & (Change.DOCUMENT | Change.PROJECT):
            self._show(self.state.selected_project())

    def _show(self, project: Project | None) -> None:
        if project is None:
            if self.form is not None:
                self.form.setVisible(False)
            self.hint.setText(_description_html(self.state.document))
            self.hint.setVisible(True)
            return
        from equityplanner.app.dialogs import ProjectForm

        if self.form is None or type(self.form.project()) is not type(project):
            if self.form is not None:
                self._layout.removeWidget(self.form)
                self.form.deleteLater()
            self.form = ProjectForm(project)
            self.form.edited.connect(self._on_form_edited)
            self._layout.insertWidget(0, self.form, 1)
        elif self.form.project() != project:
            self.form.set_project(project)
        self._form_project_id = project.id
        self.form.setVisible(True)
        self.hint.setVisible(False)

    def _on_form_edited(self, project: Project) -> None:
        self.edited.emit(project, self._form_project_id or project.id)


def _description_html(doc: ProjectDocument) -> str:
    """Title, authors, data vintage and description of the project."""
    meta = doc.metadata
    lines = [f"<p><b>{html.escape(meta.title)}</b></p>"]
    who = " · ".join(x for x in (meta.author, meta.organisation, meta.date) if x)
    if who:
        lines.append(f"<p>{html.escape(who)}</p>")
    if doc.baseline is not None and doc.baseline.vintage:
        lines.append(f"<p>Data: {html.escape(doc.baseline.vintage)}</p>")
    if meta.description:
        text = meta.description
        if len(text) >= _DESCRIPTION_CHARS + 20:
            text = text[:_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"
        lines.append(f"<p>{html.escape(text)}</p>")
    lines.append(f"<p><i>{_HINT}</i></p>")
    return "".join(lines)
