"""Project explorer: the neighbourhood layer, the proposed projects, the scenarios, the access
data (opportunity layers, GTFS feeds) and the project's details.

Every part of the project can be changed from here: double-click an item, or use its context
menu (or the heading's, to add one). Project commands come out as the signals they always
were; the others as :attr:`ProjectExplorer.command_requested` with a command name that
:meth:`equityplanner.app.project_editing.ProjectEditor.run_command` carries out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView, QWidget

from equityplanner import i18n
from equityplanner.app.editing import OPPORTUNITY_KINDS
from equityplanner.app.icons import icon
from equityplanner.app.state import AppState, Change
from equityplanner.i18n import _, ngettext
from equityplanner.model.project import HousingProject, ProjectDocument, TransitProject

__all__ = ["ProjectExplorer"]

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2
HEADING_ROLE = Qt.ItemDataRole.UserRole + 3
_DOUBLE_CLICK = {
    "scenario": "edit-scenario",
    "opportunity": "edit-opportunity",
    "gtfs": "edit-gtfs",
    "weights": "edit-weights",
    "network": "edit-network",
    "details": "details",
    "baseline": "details",
}


class ProjectExplorer(QTreeView):
    """Tree of the document; selecting a project or a scenario shows its results.

    Signals
    -------
    item_selected(kind, id)
        ``kind`` is ``baseline``, ``project``, ``scenario``, ``opportunity``, ``gtfs``,
        ``weights``, ``network``, ``details`` or ``""`` (a heading).
    command_requested(command, id)
        ``new-scenario``, ``edit-scenario``, ``delete-scenario``, ``details``,
        ``add-opportunity``, ``edit-opportunity``, ``remove-opportunity``, ``edit-gtfs``,
        ``remove-gtfs``, ``edit-weights``, ``remove-weights``, ``edit-network``,
        ``remove-network``; ``id`` is the scenario's id or the opportunity's kind.
    edit_requested(project_id)
        Double-click or "Properties…" on a project.
    delete_requested(project_id), zoom_requested(project_id)
        From the context menu.
    """

    item_selected = Signal(str, str)
    edit_requested = Signal(str)
    delete_requested = Signal(str)
    zoom_requested = Signal(str)
    command_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("projectExplorer")
        self.setAccessibleName(_("Project explorer"))
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
                if kind == "scenario":
                    state.select_project(None)  # Properties shows the scenario, not a project
                    if assessed:
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

        base = _heading(_("Neighbourhoods"), "neighbourhoods")
        if document.baseline is None:
            child = _item(_("No layer — File ▸ Import neighbourhoods…"), "", "", "neighbourhoods")
            child.setForeground(self.palette().placeholderText())
            base.appendRow(child)
        else:
            name = Path(document.baseline.neighbourhoods).name
            count = (
                " — "
                + ngettext("{count} area", "{count} areas", neighbourhood_count).format(
                    count=i18n.format_number(neighbourhood_count)
                )
                if neighbourhood_count is not None
                else ""
            )
            child = _item(f"{name}{count}", "baseline", "", "neighbourhoods")
            lines = [_("Polygons: {path}").format(path=document.baseline.neighbourhoods)]
            if document.baseline.table:
                lines.append(_("Table: {path}").format(path=document.baseline.table))
            if document.baseline.vintage:
                lines.append(_("Data: {vintage}").format(vintage=document.baseline.vintage))
            child.setToolTip("\n".join(lines))
            base.appendRow(child)
            vintage = document.baseline.vintage
            child = _item(
                _("Data: {vintage}").format(vintage=vintage)
                if vintage
                else _("Data vintage not stated"),
                "details",
                "vintage",
                "about",
            )
            if not vintage:
                child.setForeground(self.palette().placeholderText())
            child.setToolTip(_("The survey and years of the data; double-click to set it"))
            base.appendRow(child)
        root.appendRow(base)

        projects = _heading(
            _("Projects ({count})").format(count=i18n.format_number(len(document.projects))),
            "form",
        )
        for p in document.projects:
            if isinstance(p, HousingProject):
                homes = ngettext("{count} home", "{count} homes", p.total_units).format(
                    count=i18n.format_number(p.total_units)
                )
                text = f"{p.name}  ·  {homes}"
                tip = _("Housing: {units} units, {affordable} affordable (≤80% AMI)").format(
                    units=i18n.format_number(p.total_units),
                    affordable=i18n.format_number(p.affordable_units),
                )
                kind_icon = "project-housing"
            else:
                assert isinstance(p, TransitProject)
                n_stations = len(p.stations)
                if p.mode.value == "bus":
                    stops = ngettext("{count} stop", "{count} stops", n_stations).format(
                        count=n_stations
                    )
                else:
                    stops = ngettext("{count} station", "{count} stations", n_stations).format(
                        count=n_stations
                    )
                text = f"{p.name}  ·  {stops}"
                tip = _("Transit ({mode}, {change}): {stations}").format(
                    mode=p.mode.value.upper(), change=p.change.value, stations=stops
                )
                kind_icon = "project-transit"
            item = _item(text, "project", p.id, kind_icon)
            item.setToolTip(tip + "\n" + _("Double-click to edit its properties"))
            projects.appendRow(item)
        root.appendRow(projects)

        scenarios = _heading(
            _("Scenarios ({count})").format(count=i18n.format_number(len(document.scenarios))),
            "scenario",
            "scenarios",
        )
        names = {p.id: p.name for p in document.projects}
        for s in document.scenarios:
            count = ngettext("{count} project", "{count} projects", len(s.project_ids)).format(
                count=len(s.project_ids)
            )
            item = _item(f"{s.name}  ·  {count}", "scenario", s.id, "scenario")
            together = _("Projects assessed together: {names}").format(
                names=", ".join(names.get(i, i) for i in s.project_ids)
            )
            item.setToolTip(together + "\n" + _("Double-click to edit it"))
            scenarios.appendRow(item)
        if not document.scenarios:
            scenarios.appendRow(
                self._placeholder(_("No scenario — right-click Scenarios ▸ New scenario…"))
            )
        root.appendRow(scenarios)

        data = _heading(_("Access data"), "parameters", "data")
        for kind, source in document.opportunities.items():
            label = OPPORTUNITY_KINDS.get(kind, kind)
            item = _item(
                f"{label}: {Path(source.path).name}", "opportunity", kind, "neighbourhoods"
            )
            lines = [f"{label}: {source.path}"]
            if source.capacity_column:
                lines.append(_("Capacity: {column}").format(column=source.capacity_column))
            if source.blocks:
                lines.append(_("Block centroids: {path}").format(path=source.blocks))
            item.setToolTip("\n".join([*lines, _("Double-click to change it")]))
            data.appendRow(item)
        if document.gtfs is not None:
            g = document.gtfs
            item = _item(
                f"GTFS: {Path(g.baseline).name} → {Path(g.proposed).name}", "gtfs", "gtfs", "run"
            )
            item.setToolTip(
                "\n".join(
                    [
                        _("Baseline feed: {path}").format(path=g.baseline),
                        _("Proposed feed: {path}").format(path=g.proposed),
                        _("Service date {date}, peak {start}–{end}").format(  # noqa: RUF001
                            date=g.date, start=g.peak[0], end=g.peak[1]
                        ),
                        _("Double-click to change them"),
                    ]
                )
            )
            data.appendRow(item)
        if document.network is not None:
            n = document.network
            feeds = len(n.gtfs)
            when = (
                _("median")
                if n.percentile == 50
                else _("{percentile}th percentile").format(percentile=n.percentile)
            )
            feed_count = ngettext("{count} feed", "{count} feeds", feeds).format(count=feeds)
            item = _item(
                _("Street network: {file} · {feeds}").format(
                    file=Path(n.osm).name, feeds=feed_count
                ),
                "network",
                "network",
                "alignment",
            )
            item.setToolTip(
                "\n".join(
                    [
                        f"OpenStreetMap: {n.osm}",
                        *(f"GTFS: {feed}" for feed in n.gtfs),
                        _(
                            "{date}, departures {start}–{end} every {step} min, "  # noqa: RUF001
                            "{statistic} travel time"
                        ).format(
                            date=n.date,
                            start=n.window[0],
                            end=n.window[1],
                            step=n.step_min,
                            statistic=when,
                        ),
                        _(
                            "Access is routed on these streets and timetables. Double-click to "
                            "change them"
                        ),
                    ]
                )
            )
            data.appendRow(item)
        if document.weights is not None:
            w = document.weights
            item = _item(
                _("Population weights: {file}").format(file=Path(w.path).name),
                "weights",
                "weights",
                "table",
            )
            lines = [_("Where people live: {path}").format(path=w.path)]
            if w.count_column:
                lines.append(_("Count: {column}").format(column=w.count_column))
            if w.table:
                lines.append(_("Table: {path}").format(path=w.table))
            item.setToolTip("\n".join([*lines, _("Double-click to change them")]))
            data.appendRow(item)
        if not (document.opportunities or document.gtfs or document.weights or document.network):
            data.appendRow(
                self._placeholder(_("None — right-click Access data to add jobs, schools, GTFS…"))
            )
        root.appendRow(data)

        details = _heading(_("About this assessment"), "about", "details")
        meta = document.metadata
        who = " · ".join(x for x in (meta.author, meta.organisation, meta.date) if x)
        item = _item(meta.title, "details", "details", "form")
        item.setToolTip(
            "\n".join(
                [
                    meta.title,
                    who or _("Prepared by: not stated"),
                    _("Double-click to edit the details"),
                ]
            )
        )
        details.appendRow(item)
        by = _item(who or _("Author and organisation not stated"), "details", "details", "form")
        if not who:
            by.setForeground(self.palette().placeholderText())
        details.appendRow(by)
        root.appendRow(details)
        self.expandAll()
        self._updating = False
        if current is not None:
            self.select_item(*current, emit=False)

    def _placeholder(self, text: str) -> QStandardItem:
        item = _item(text, "", "", "about")
        item.setForeground(self.palette().placeholderText())
        item.setSelectable(False)
        return item

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
        kind, item_id = str(index.data(KIND_ROLE) or ""), str(index.data(ID_ROLE) or "")
        if kind == "project":
            self.edit_requested.emit(item_id)
        elif kind == "":  # a heading: add one
            heading = str(index.data(HEADING_ROLE) or "")
            if heading == "scenarios":
                self.command_requested.emit("new-scenario", "")
            elif heading == "data":
                self.command_requested.emit("add-opportunity", "")
            elif heading == "details":
                self.command_requested.emit("details", "")
        else:
            command = _DOUBLE_CLICK.get(kind)
            if command is not None:
                self.command_requested.emit(command, item_id)

    def context_actions(self, index: QModelIndex) -> list[QAction]:
        """The context menu's actions for the row at ``index`` (for scripts and tests)."""
        kind, item_id = str(index.data(KIND_ROLE) or ""), str(index.data(ID_ROLE) or "")
        heading = str(index.data(HEADING_ROLE) or "")
        entries: list[tuple[str, str, Callable[[], None]]] = []

        def command(name: str, target: str = "") -> Callable[[], None]:
            return lambda: self.command_requested.emit(name, target)

        if kind == "project":
            entries += [
                (_("&Properties…"), "form", lambda: self.edit_requested.emit(item_id)),
                (_("&Zoom to project"), "zoom-layer", lambda: self.zoom_requested.emit(item_id)),
                (_("&Delete project"), "delete", lambda: self.delete_requested.emit(item_id)),
            ]
        elif kind == "scenario":
            entries += [
                (_("&Edit scenario…"), "form", command("edit-scenario", item_id)),
                (_("&Delete scenario"), "delete", command("delete-scenario", item_id)),
                (_("&New scenario…"), "scenario", command("new-scenario")),
            ]
        elif heading == "scenarios":
            entries.append((_("&New scenario…"), "scenario", command("new-scenario")))
        elif kind == "opportunity":
            entries += [
                (_("&Change layer…"), "form", command("edit-opportunity", item_id)),
                (_("&Remove layer"), "delete", command("remove-opportunity", item_id)),
            ]
        elif kind == "gtfs":
            entries += [
                (_("&Change GTFS feeds…"), "form", command("edit-gtfs")),
                (_("&Remove GTFS feeds"), "delete", command("remove-gtfs")),
            ]
        elif kind == "network":
            entries += [
                (_("&Change street network…"), "form", command("edit-network")),
                (_("&Remove street network"), "delete", command("remove-network")),
            ]
        elif kind == "weights":
            entries += [
                (_("&Change population weights…"), "form", command("edit-weights")),
                (_("&Remove population weights"), "delete", command("remove-weights")),
            ]
        elif kind in ("details", "baseline"):
            entries.append((_("Edit project &details…"), "form", command("details")))
        if kind in ("opportunity", "gtfs", "weights", "network") or heading == "data":
            entries += [
                (_("Add &opportunity layer…"), "neighbourhoods", command("add-opportunity")),
                (_("Set &GTFS feeds…"), "run", command("edit-gtfs")),
                (_("Set population &weights…"), "table", command("edit-weights")),
                (_("Set street &network…"), "alignment", command("edit-network")),
            ]
        elif heading == "details":
            entries.append((_("Edit project &details…"), "form", command("details")))
        actions = []
        for text, name, slot in entries:
            action = QAction(icon(name), text, self)
            action.triggered.connect(slot)
            actions.append(action)
        return actions

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        if not index.isValid():
            return
        actions = self.context_actions(index)
        if not actions:
            return
        menu = QMenu(self)
        for action in actions:
            action.setParent(menu)
            menu.addAction(action)
        menu.exec(self.viewport().mapToGlobal(pos))


def _heading(text: str, icon_name: str, name: str = "") -> QStandardItem:
    item = QStandardItem(icon(icon_name), text)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    item.setData("", KIND_ROLE)
    item.setData("", ID_ROLE)
    item.setData(name, HEADING_ROLE)
    item.setSelectable(False)
    return item


def _item(text: str, kind: str, item_id: str, icon_name: str) -> QStandardItem:
    item = QStandardItem(icon(icon_name), text)
    item.setData(kind, KIND_ROLE)
    item.setData(item_id, ID_ROLE)
    return item
