"""Edits made on the map and in the properties panel, as undoable edits of the document.

:class:`MapEditor` turns what the user does with the map tools (place a housing site, add a
station, draw an alignment, drag a feature), the Delete command, a new project started from
the dialog and the property form's changes into :mod:`equityplanner.app.editing` calls pushed
on the session's undo stack, and selects what was made in the application state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from equityplanner.app import editing
from equityplanner.app.map_panel import MapPanel
from equityplanner.app.session import ProjectSession
from equityplanner.app.translated import LazyLabels
from equityplanner.errors import InputError
from equityplanner.i18n import _
from equityplanner.model.project import Project, ProjectDocument, TransitProject

if TYPE_CHECKING:
    from equityplanner.app.dialogs import NewProjectSpec

__all__ = ["SNAP_PX", "MapEditor"]

ReportError = Callable[[BaseException, str], object]
ShowStatus = Callable[[str, int], None]
SNAP_PX = 16  # a station dropped this close to its line's alignment lands on it
_ROLE_WORDS = LazyLabels(
    lambda: {"site": _("housing site"), "station": _("station"), "alignment": _("alignment vertex")}
)
_DELETE_WORDS = LazyLabels(
    lambda: {
        "site": _("Delete site"),
        "station": _("Delete station"),
        "alignment": _("Delete alignment"),
    }
)


class MapEditor(QObject):
    """Undoable edits from the map tools, Delete, the new-project dialog and the form.

    Parameters
    ----------
    session
        Where edits are pushed; its state holds the selection edits start from.
    map_panel
        The map whose tool signals are edits.
    report_error, show_status
        How problems and hints reach the user.
    """

    def __init__(
        self,
        session: ProjectSession,
        map_panel: MapPanel,
        *,
        report_error: ReportError,
        show_status: ShowStatus,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.state = session.state
        self.map_panel = map_panel
        self.canvas = canvas = map_panel.canvas
        self._report_error = report_error
        self._show_status = show_status
        # A project named in the new-project dialog, waiting for its first click on the map.
        self.pending: NewProjectSpec | None = None
        canvas.place_requested.connect(self.place)
        canvas.alignment_drawn.connect(self.draw_alignment)
        canvas.feature_moved.connect(self.move_feature)

    def start_new_project(self, spec: NewProjectSpec) -> None:
        """Place the project ``spec`` names with the next click: choose the tool that does."""
        self.pending = spec
        self.state.select_project(None)
        self.canvas.set_tool("housing" if spec.kind == "housing" else "station")

    def place(self, tool: str, lon: float, lat: float) -> None:
        """A click with the housing or station tool: a site, or a station of the line selected."""
        doc = self.session.document
        spec = self.pending
        try:
            if tool == "housing":
                name = spec.name if spec is not None and spec.kind == "housing" else None
                doc, pid = editing.add_housing_site(doc, lon, lat, name=name)
                self.pending = None
                self._apply_and_select(doc, _("Place housing site"), pid)
                self.canvas.set_tool("select")
                return
            target = self._selected_transit()
            doc, pid, _n = editing.add_station(doc, target.id if target else None, lon, lat)
            if target is None and spec is not None and spec.kind == "transit":
                project = next(p for p in doc.projects if p.id == pid)
                assert isinstance(project, TransitProject)
                named = replace(
                    project,
                    name=spec.name,
                    mode=spec.mode or project.mode,
                    change=spec.change or project.change,
                )
                doc = editing.replace_project(doc, named)
                self.pending = None
        except (ValueError, KeyError) as exc:
            self._report_error(
                InputError(str(exc), remedy=_("Select a transit project first")), _("editing")
            )
            return
        text = _("Start a new line") if target is None else _("Add station")
        self._apply_and_select(doc, text, pid)

    def draw_alignment(self, coords: list[tuple[float, float]]) -> None:
        """An alignment drawn: the selected line's, or a new line's."""
        target = self._selected_transit()
        doc, pid = editing.set_alignment(
            self.session.document, target.id if target else None, coords
        )
        self._apply_and_select(doc, _("Draw alignment"), pid)

    def move_feature(self, ref: editing.FeatureRef, lon: float, lat: float) -> None:
        """A site, station or vertex dragged to ``lon``, ``lat``.

        A station dropped within :data:`SNAP_PX` pixels of its line's alignment lands on it
        (hold Alt while dropping to place it freely).
        """
        snapped = False
        if ref.role == "station" and not self._free_placement():
            lon, lat, snapped = self.snap_station(ref.project_id, lon, lat)
        try:
            doc = editing.move_feature(self.session.document, ref, lon, lat)
        except (ValueError, KeyError, IndexError) as exc:
            self._report_error(exc, _("moving a feature"))
            return
        what = _ROLE_WORDS.get(ref.role, ref.role)
        if not self.session.apply(doc, _("Move {feature}").format(feature=what)):
            self.map_panel.draw_overlays()  # dropped where it was: put the symbol back
        elif snapped:
            self._show_status(
                _(
                    "Station snapped onto the alignment (hold Alt while dropping to place it "
                    "freely)."
                ),
                6000,
            )

    def snap_station(self, project_id: str, lon: float, lat: float) -> tuple[float, float, bool]:
        """(lon, lat) moved onto the line's alignment when it is within SNAP_PX pixels."""
        project = next((p for p in self.session.document.projects if p.id == project_id), None)
        if not isinstance(project, TransitProject) or not editing.is_line(project.alignment):
            return lon, lat, False
        assert project.alignment is not None
        x, y = editing.nearest_on_line(project.alignment, lon, lat)
        try:
            dropped = self.canvas.lonlat_to_view(lon, lat)
            nearest = self.canvas.lonlat_to_view(x, y)
        except RuntimeError:  # no map yet: nothing to measure pixels on
            return lon, lat, False
        distance = ((dropped.x() - nearest.x()) ** 2 + (dropped.y() - nearest.y()) ** 2) ** 0.5
        if distance > SNAP_PX:
            return lon, lat, False
        return x, y, True

    @staticmethod
    def _free_placement() -> bool:
        from PySide6.QtWidgets import QApplication

        return bool(QApplication.keyboardModifiers() & Qt.KeyboardModifier.AltModifier)

    def delete_selected(self) -> None:
        """Delete the feature selected on the map, or else the project selected."""
        doc = self.session.document
        selection = self.state.selection
        try:
            if selection.feature is not None:
                new = editing.delete_feature(doc, selection.feature)
                role = selection.feature.role
                text = _DELETE_WORDS.get(role) or _("Delete {feature}").format(feature=role)
            elif selection.project_id is not None:
                new = editing.delete_project(doc, selection.project_id)
                text = _("Delete project")
            else:
                self._show_status(
                    _("Select a station, site, alignment or project to delete."), 5000
                )
                return
        except (ValueError, KeyError, IndexError) as exc:
            self._report_error(exc, _("deleting"))
            return
        with self.state.batch():  # a project deleted is unselected by the state itself
            self.session.apply(new, text)
            self.state.select_feature(None)

    def delete_project(self, project_id: str) -> None:
        """Delete a project (and its place in scenarios)."""
        doc = editing.delete_project(self.session.document, project_id)
        self.session.apply(doc, _("Delete project"))

    def apply_form_edit(self, project: Project, old_id: str) -> None:
        """The property form changed a project (perhaps its id)."""
        try:
            doc = editing.replace_project(self.session.document, project, old_id=old_id)
        except KeyError:
            return
        with self.state.batch():
            self.session.apply(doc, _("Edit {name}").format(name=project.name))
            if project.id != old_id:
                self.state.select_project(project.id)

    def _apply_and_select(self, doc: ProjectDocument, text: str, project_id: str) -> None:
        # One change for the observers: the form shows the edited project without a flicker.
        with self.state.batch():
            self.session.apply(doc, text)
            self.state.select_project(project_id)

    def _selected_transit(self) -> TransitProject | None:
        project = self.state.selected_project()
        return project if isinstance(project, TransitProject) else None
