"""A station dragged near its line's alignment snaps onto it (issue 11 item 6)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from shapely.geometry import Point

from equityplanner.app.editing import FeatureRef
from equityplanner.app.main_window import MainWindow
from equityplanner.app.map_editing import SNAP_PX
from equityplanner.model.project import TransitProject


def _line(w: MainWindow) -> TransitProject:
    return next(
        p
        for p in w.session.document.projects
        if isinstance(p, TransitProject) and p.alignment is not None
    )


def _drop(w: MainWindow, line: TransitProject, offset_px: int) -> Point:
    assert line.alignment is not None
    middle = line.alignment.interpolate(0.5, normalized=True)
    view = w.canvas.lonlat_to_view(middle.x, middle.y) + QPoint(0, offset_px)
    lon, lat = w.canvas.view_to_lonlat(view)
    w.canvas.feature_moved.emit(FeatureRef(line.id, "station", 0), lon, lat)
    moved = next(p for p in w.session.document.projects if p.id == line.id)
    assert isinstance(moved, TransitProject)
    return moved.stations[0].geometry


def test_a_station_dropped_near_the_alignment_lands_on_it(opened: MainWindow) -> None:
    w = opened
    line = _line(w)
    station = _drop(w, line, SNAP_PX // 2)
    assert line.alignment.distance(station) < 1e-9
    assert "snapped onto the alignment" in w.statusBar().currentMessage()
    assert w.commands.undo.text() == "&Undo Move station"


def test_a_station_dropped_away_from_the_alignment_stays_where_dropped(opened: MainWindow) -> None:
    w = opened
    line = _line(w)
    station = _drop(w, line, SNAP_PX * 4)
    assert line.alignment.distance(station) > 1e-6
