"""Project explorer: the neighbourhood layer, the proposed projects and the scenarios."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView, QWidget

from equityplanner.app.icons import icon
from equityplanner.app.state import AppState, Change
from equityplanner.model.project import HousingProject, ProjectDocument, TransitProject

__all__ = ["ProjectExplorer"]

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


class ProjectExplorer(QTreeView):
    """Tree of the document; selecting a project or a scenario shows its results.

    Signals
    -------
    item_selected(kind, id)
        ``kind`` is ``baseline``, ``project``, ``scenario`` or ``""`` (a heading).
    edit_requested(project_id)
        Double-click or "Properties…" on a project.
    delete_requested(project_id), zoom_requested(project_id)
        From the context menu.
    """

    item_selected = Signal(str, str)
    edit_requested = Signal(str)
    delete_requested = Signal(str)
    zoom_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectExplorer")
        self.setAccessibleName("Project explorer")
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self.setHeaderHidden(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setUniformRowHeights(True)
        self.customContextMenuRequested.connect(self._on_context_menu)
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        self.doubleClicked.connect(self._on_double_clicked)
        self._updating = False

    def bind(self, state: AppState) -> None:
        """List the document of ``state`` and follow its selection; choices made here go there.

        Choosing a project edits it (and clears the feature picked on the map); choosing a
        project or scenario shows its results when the run has them.
        """

        def on_state_changed(change: Change) -> None:
            if change & (Change.DOCUMENT | Change.BASELINE):
                layer = state.baseline.layer if state.baseline is not None else None
                count = layer.count if layer is not None else None
                self.set_document(state.document, neighbourhood_count=count)
            selection = state.selection
            if change & Change.PROJECT and selection.project_id is not None:
                self.select_item("project", selection.project_id, emit=False)
            elif change & Change.UNIT and selection.result_id is not None:
                scenarios = {s.id for s in state.document.scenarios}
                kind = "scenario" if selection.result_id in scenarios else "project"
                self.select_item(kind, selection.result_id, emit=False)

        def on_item_selected(kind: str, item_id: str) -> None:
            assessment = state.assessment
            assessed = assessment is not None and any(r.id == item_id for r in assessment.results)
            with state.batch():
                if kind == "project":
                    state.select_project(item_id)
                if kind == "scenario" and assessed:
                    state.select_result(item_id)

        state.changed.connect(on_state_changed)
        self.item_selected.connect(on_item_selected)

    def set_document(
        self, document: ProjectDocument, *, neighbourhood_count: int | None = None
    ) -> None:
        """Rebuild the tree from ``document``, keeping the selection when possible."""
        current = self.current_item()
        self._updating = True
        self._model.clear()
        root = self._model.invisibleRootItem()

        base = _heading("Neighbourhoods", "neighbourhoods")
        if document.baseline is None:
            child = _item("No layer — File ▸ Import neighbourhoods…", "", "", "neighbourhoods")
            child.setForeground(self.palette().placeholderText())
            base.appendRow(child)
        else:
            name = Path(document.baseline.neighbourhoods).name
            count = f" — {neighbourhood_count:,} areas" if neighbourhood_count is not None else ""
            child = _item(f"{name}{count}", "baseline", "", "neighbourhoods")
            lines = [f"Polygons: {document.baseline.neighbourhoods}"]
            if document.baseline.table:
                lines.append(f"Table: {document.baseline.table}")
            if document.baseline.vintage:
                lines.append(f"Data: {document.baseline.vintage}")
            child.setToolTip("\n".join(lines))
            base.appendRow(child)
        root.appendRow(base)

        projects = _heading(f"Projects ({len(document.projects)})", "form")
        for p in document.projects:
            if isinstance(p, HousingProject):
                text = f"{p.name}  ·  {p.total_units} homes"
                tip = f"Housing: {p.total_units} units, {p.affordable_units} affordable (≤80% AMI)"
                kind_icon = "project-housing"
            else:
                assert isinstance(p, TransitProject)
                what = "stop" if p.mode.value == "bus" else "station"
                text = f"{p.name}  ·  {len(p.stations)} {what}s"
                tip = (
                    f"Transit ({p.mode.value.upper()}, {p.change.value}): {len(p.stations)} {what}s"
                )
                kind_icon = "project-transit"
            item = _item(text, "project", p.id, kind_icon)
            item.setToolTip(f"{tip}\nDouble-click to edit its properties")
            projects.appendRow(item)
        root.appendRow(projects)

        scenarios = _heading(f"Scenarios ({len(document.scenarios)})", "scenario")
        names = {p.id: p.name for p in document.projects}
        for s in document.scenarios:
            item = _item(s.name, "scenario", s.id, "scenario")
            item.setToolTip(
                "Projects assessed together: " + ", ".join(names.get(i, i) for i in s.project_ids)
            )
            scenarios.appendRow(item)
        root.appendRow(scenarios)
        self.expandAll()
        self._updating = False
        if current is not None:
            self.select_item(*current, emit=False)

    def current_item(self) -> tuple[str, str] | None:
        """(kind, id) of the selected row, or None."""
        index = self.currentIndex()
        if not index.isValid():
            return None
        return str(index.data(KIND_ROLE) or ""), str(index.data(ID_ROLE) or "")

    def select_item(self, kind: str, item_id: str, *, emit: bool = True) -> bool:
        """Select the row of a project or scenario; False when it is not in the tree."""
        for r in range(self._model.rowCount()):
            heading = self._model.item(r)
            for c in range(heading.rowCount()):
                child = heading.child(c)
                if child.data(KIND_ROLE) == kind and child.data(ID_ROLE) == item_id:
                    self._updating = not emit
                    self.setCurrentIndex(child.index())
                    self._updating = False
                    return True
        return False

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._updating:
            return
        self.item_selected.emit(
            str(current.data(KIND_ROLE) or ""), str(current.data(ID_ROLE) or "")
        )

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.data(KIND_ROLE) == "project":
            self.edit_requested.emit(str(index.data(ID_ROLE)))

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not index.isValid() or index.data(KIND_ROLE) != "project":
            return
        pid = str(index.data(ID_ROLE))
        menu = QMenu(self)
        for text, name, signal in (
            ("&Properties…", "form", self.edit_requested),
            ("&Zoom to project", "zoom-layer", self.zoom_requested),
            ("&Delete project", "delete", self.delete_requested),
        ):
            action = QAction(icon(name), text, menu)
            action.triggered.connect(lambda _=False, s=signal: s.emit(pid))
            menu.addAction(action)
        menu.exec(self.viewport().mapToGlobal(pos))


def _heading(text: str, icon_name: str) -> QStandardItem:
    item = QStandardItem(icon(icon_name), text)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    item.setData("", KIND_ROLE)
    item.setData("", ID_ROLE)
    item.setSelectable(False)
    return item


def _item(text: str, kind: str, item_id: str, icon_name: str) -> QStandardItem:
    item = QStandardItem(icon(icon_name), text)
    item.setData(kind, KIND_ROLE)
    item.setData(item_id, ID_ROLE)
    return item
