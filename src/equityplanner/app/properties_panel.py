"""The properties dock: the selected project's form, or the project's description.

:class:`PropertiesPanel` observes the application state. With a project selected it shows
that project in a :class:`~equityplanner.app.dialogs.ProjectForm` (kept while the same kind of
project stays selected, so that editing is not interrupted), otherwise the project's title,
authors, data and description, with a link to edit them. Edits in the form come out as
:attr:`PropertiesPanel.edited`; the window makes them undoable edits.

A value the form cannot use is explained in a bar pinned at the top of the panel, above the
scrolling form: it stays in view however small the dock and wherever the user is typing.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from equityplanner import i18n
from equityplanner.app.state import AppState, Change
from equityplanner.i18n import _, ngettext
from equityplanner.model.project import Project, ProjectDocument, Scenario

if TYPE_CHECKING:
    from equityplanner.app.dialogs import ProjectForm

__all__ = ["PropertiesPanel"]

_DESCRIPTION_CHARS = 400


def _hint() -> str:
    return _("Select a project in the explorer or on the map to edit its properties.")


_PROBLEM_STYLE = (
    "QLabel#propertiesProblem { color: #8a3300; background: #fbdcc4; padding: 5px;"
    " border-bottom: 1px solid #d55e00; }"
)


class PropertiesPanel(QWidget):
    """The form of the selected project (scrolling, so a tall form never grows the window).

    Signals
    -------
    edited(project, old_id)
        The user changed the project shown; ``old_id`` is its id before (the form can rename).
    details_requested()
        The user chose to edit the project's details (title, authors, vintage).
    scenario_requested(scenario_id)
        The user chose to edit the scenario shown.
    """

    edited = Signal(object, str)
    details_requested = Signal()
    scenario_requested = Signal(str)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.form: ProjectForm | None = None
        self._form_project_id = ""
        self.problem_bar = QLabel()
        self.problem_bar.setObjectName("propertiesProblem")
        self.problem_bar.setWordWrap(True)
        self.problem_bar.setStyleSheet(_PROBLEM_STYLE)
        self.problem_bar.setAccessibleName(_("Problem with the value typed"))
        self.problem_bar.setVisible(False)
        holder = QWidget()
        holder.setObjectName("propertiesHolder")
        self._layout = QVBoxLayout(holder)
        self._layout.setContentsMargins(6, 6, 6, 6)
        self.hint = QLabel(_hint())
        self.hint.setWordWrap(True)
        self.hint.setObjectName("propertiesHint")
        self.hint.linkActivated.connect(self._on_link)
        self._layout.addWidget(self.hint)
        self._layout.addStretch(1)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.problem_bar)
        layout.addWidget(self.scroll_area, 1)
        self.setMinimumHeight(120)
        state.changed.connect(self._on_state_changed)

    def problem(self) -> str:
        """The message in the bar, or ``""``."""
        return self.problem_bar.text() if self.problem_bar.isVisibleTo(self) else ""

    def _on_link(self, link: str) -> None:
        if link.startswith("scenario:"):
            self.scenario_requested.emit(link.split(":", 1)[1])
        else:
            self.details_requested.emit()

    def _on_state_changed(self, change: Change) -> None:
        if change & (Change.DOCUMENT | Change.PROJECT | Change.UNIT):
            self._show(self.state.selected_project())

    def _show(self, project: Project | None) -> None:
        if project is None:
            if self.form is not None:
                self.form.setVisible(False)
            self._show_problem("")
            document = self.state.document
            result_id = self.state.selection.result_id
            scenario = next((x for x in document.scenarios if x.id == result_id), None)
            self.hint.setText(
                _scenario_html(document, scenario)
                if scenario is not None
                else _description_html(document)
            )
            self.hint.setVisible(True)
            return
        from equityplanner.app.dialogs import ProjectForm

        if self.form is None or type(self.form.project()) is not type(project):
            if self.form is not None:
                self._layout.removeWidget(self.form)
                self.form.deleteLater()
            self.form = ProjectForm(project)
            self.form.inline_messages = False
            self.form.edited.connect(self._on_form_edited)
            self.form.problem_changed.connect(self._show_problem)
            self._layout.insertWidget(0, self.form, 1)
        elif self.form.project() != project:
            self.form.set_project(project)
        self._form_project_id = project.id
        self.form.setVisible(True)
        self.hint.setVisible(False)

    def _show_problem(self, text: str) -> None:
        self.problem_bar.setText(f"⚠ {text}" if text else "")
        self.problem_bar.setVisible(bool(text))

    def _on_form_edited(self, project: Project) -> None:
        self.edited.emit(project, self._form_project_id or project.id)


def _description_html(doc: ProjectDocument) -> str:
    """Title, authors, data vintage and description of the project, and how to edit them."""
    meta = doc.metadata
    lines = [f"<p><b>{html.escape(meta.title)}</b></p>"]
    who = " · ".join(x for x in (meta.author, meta.organisation, meta.date) if x)
    not_stated = "<p><i>" + html.escape(_("Prepared by: not stated")) + "</i></p>"
    lines.append(f"<p>{html.escape(who)}</p>" if who else not_stated)
    if doc.baseline is not None:
        vintage = doc.baseline.vintage or _("vintage not stated")
        lines.append("<p>" + html.escape(_("Data: {vintage}").format(vintage=vintage)) + "</p>")
    if meta.description:
        text = meta.description
        if len(text) >= _DESCRIPTION_CHARS + 20:
            text = text[:_DESCRIPTION_CHARS].rsplit(" ", 1)[0] + "…"
        lines.append(f"<p>{html.escape(text)}</p>")
    lines.append('<p><a href="details">' + html.escape(_("Edit project details…")) + "</a></p>")
    lines.append(f"<p><i>{html.escape(_hint())}</i></p>")
    return "".join(lines)


def _scenario_html(doc: ProjectDocument, scenario: Scenario) -> str:
    """The scenario shown in Results: its projects, and how to change it."""
    names = {p.id: p.name for p in doc.projects}
    items = "".join(f"<li>{html.escape(names.get(i, i))}</li>" for i in scenario.project_ids)
    count = len(scenario.project_ids)
    title = _("Scenario: {name}").format(name=scenario.name)
    its = ngettext(
        "Its {count} project, assessed together:", "Its {count} projects, assessed together:", count
    ).format(count=i18n.format_number(count))
    edit_words = _("Edit scenario…")
    return (
        f"<p><b>{html.escape(title)}</b></p>"
        f"<p>{html.escape(its)}</p><ul>{items}</ul>"
        f'<p><a href="scenario:{html.escape(scenario.id)}">{html.escape(edit_words)}</a></p>'
        f"<p><i>{html.escape(_hint())}</i></p>"
    )
