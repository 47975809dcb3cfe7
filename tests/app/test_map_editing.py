"""Editing projects on the map: place, add, draw, drag, delete, undo and redo, import."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from app_helpers import inside_point, view_point
from PySide6.QtCore import QPoint, Qt

from equityplanner.app.editing import FeatureRef
from equityplanner.app.main_window import MainWindow
from equityplanner.model.project import HousingProject, TransitProject


def _transit(w: MainWindow) -> TransitProject:
    return next(p for p in w.session.document.projects if isinstance(p, TransitProject))


def test_place_housing_site_by_clicking_then_undo_and_redo(qtbot, opened: MainWindow) -> None:
    w = opened
    before = len(w.session.document.projects)
    lon, lat = inside_point(w, 3)
    w.commands.tools["housing"].trigger()
    assert w.canvas.tool == "housing"
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, lon, lat))
    projects = w.session.document.projects
    assert len(projects) == before + 1
    site = projects[-1]
    assert isinstance(site, HousingProject)
    # The click lands within a pixel or two of the point asked for.
    assert abs(site.site.x - lon) < 1e-3 and abs(site.site.y - lat) < 1e-3
    assert w.session.is_modified and w.isWindowModified()
    assert w.canvas.tool == "select", "placing a site returns to the select tool"
    assert w.commands.undo.text().endswith("Place housing site")
    # The new project is selected in the explorer and its properties are shown.
    assert w.explorer.current_item() == ("project", site.id)
    assert w.properties.form is not None and w.properties.form.project() == site

    w.commands.undo.trigger()
    assert len(w.session.document.projects) == before
    assert not w.session.is_modified
    w.commands.redo.trigger()
    assert w.session.document.projects[-1] == site
    assert w.explorer.select_item("project", site.id), "the explorer lists it again"


def test_add_stations_to_the_selected_line_and_start_a_new_line(qtbot, opened: MainWindow) -> None:
    w = opened
    line = _transit(w)
    w.explorer.select_item("project", line.id)
    w.commands.tools["station"].trigger()
    lon, lat = inside_point(w, 5)
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, lon, lat))
    grown = next(p for p in w.session.document.projects if p.id == line.id)
    assert len(grown.stations) == len(line.stations) + 1
    # No line selected: a station starts a new one.
    w.state.select_project(None)
    count = len(w.session.document.projects)
    lon2, lat2 = inside_point(w, 7)
    qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=view_point(w, lon2, lat2))
    assert len(w.session.document.projects) == count + 1
    new = w.session.document.projects[-1]
    assert isinstance(new, TransitProject) and len(new.stations) == 1
    w.commands.undo.trigger()
    w.commands.undo.trigger()
    assert next(p for p in w.session.document.projects if p.id == line.id) == line


def test_draw_an_alignment_with_clicks_and_a_double_click(qtbot, opened: MainWindow) -> None:
    w = opened
    w.canvas.active_project_id = None
    w.state.select_project(None)
    w.commands.tools["alignment"].trigger()
    points = [inside_point(w, r) for r in (1, 4, 8)]
    pixels = [view_point(w, *p) for p in points]
    for px in pixels:
        qtbot.mouseClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=px)
    qtbot.mouseDClick(w.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pixels[-1])
    new = w.session.document.projects[-1]
    assert isinstance(new, TransitProject) and new.alignment is not None
    assert len(shapely.get_coordinates(new.alignment)) == 3
    assert [s.name for s in new.stations] == ["Terminus A", "Terminus B"]
    assert w.commands.undo.text().endswith("Draw alignment")


def test_drag_moves_a_station_in_one_undoable_step(qtbot, opened: MainWindow) -> None:
    w = opened
    line = _transit(w)
    station = line.stations[0]
    start = view_point(w, station.geometry.x, station.geometry.y)
    end = start + QPoint(40, 25)
    vp = w.canvas.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(vp, start + (end - start) * (step / 5))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=end)
    moved = next(p for p in w.session.document.projects if p.id == line.id).stations[0]
    assert moved.geometry != station.geometry
    target = w.canvas.view_to_lonlat(end)
    assert abs(moved.geometry.x - target[0]) < 1e-6 and abs(moved.geometry.y - target[1]) < 1e-6
    assert w.session.undo_stack.count() == 1
    w.commands.undo.trigger()
    assert next(p for p in w.session.document.projects if p.id == line.id).stations[0] == station


def test_click_a_station_then_delete_it(qtbot, opened: MainWindow) -> None:
    w = opened
    line = _transit(w)
    station = line.stations[-1]
    qtbot.mouseClick(
        w.canvas.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view_point(w, station.geometry.x, station.geometry.y),
    )
    assert w.canvas.selected_feature == FeatureRef(line.id, "station", len(line.stations) - 1)
    assert w.commands.delete.isEnabled()
    w.commands.delete.trigger()
    after = next(p for p in w.session.document.projects if p.id == line.id)
    assert len(after.stations) == len(line.stations) - 1
    w.commands.undo.trigger()
    assert next(p for p in w.session.document.projects if p.id == line.id) == line


def test_deleting_a_project_removes_it_from_scenarios(opened: MainWindow) -> None:
    w = opened
    doc = w.session.document
    victim = doc.projects[0]
    w.explorer.select_item("project", victim.id)
    w.canvas.set_selected_feature(None)
    w.commands.delete.trigger()
    assert all(p.id != victim.id for p in w.session.document.projects)
    assert all(victim.id not in s.project_ids for s in w.session.document.scenarios)
    w.commands.undo.trigger()
    assert w.session.document == doc


def test_property_form_edits_are_undoable(opened: MainWindow) -> None:
    w = opened
    housing = next(p for p in w.session.document.projects if isinstance(p, HousingProject))
    w.explorer.select_item("project", housing.id)
    form = w.properties.form
    assert form is not None and form.project() == housing
    from dataclasses import replace

    renamed = replace(housing, name="Renamed site")
    form.edited.emit(renamed)
    assert any(p.name == "Renamed site" for p in w.session.document.projects)
    w.commands.undo.trigger()
    assert not any(p.name == "Renamed site" for p in w.session.document.projects)


def test_import_projects_from_geojson_renames_clashing_ids(
    opened: MainWindow, project_file: Path, tmp_path: Path
) -> None:
    w = opened
    from equityplanner.io.projects import projects_to_features

    path = tmp_path / "more.geojson"
    path.write_text(json.dumps(projects_to_features(w.session.document.projects)), encoding="utf-8")
    before = w.session.document.projects
    ids = w.import_projects(path)
    assert len(ids) == len(before)
    assert not set(ids) & {p.id for p in before}
    assert len(w.session.document.projects) == 2 * len(before)
    w.commands.undo.trigger()
    assert w.session.document.projects == before


def test_import_projects_from_geopackage(opened: MainWindow, tmp_path: Path) -> None:
    import geopandas as gpd

    from equityplanner.io.projects import projects_to_features

    w = opened
    features = projects_to_features(w.session.document.projects[:1])["features"]
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    path = tmp_path / "more.gpkg"
    frame.to_file(path, engine="pyogrio")
    ids = w.import_projects(path)
    assert len(ids) == 1


def test_bad_projects_file_reports_the_problem(
    opened: MainWindow, tmp_path: Path, dialogs: dict
) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": '
        '[{"type": "Feature", "properties": {}, "geometry": null}]}',
        encoding="utf-8",
    )
    assert opened.import_projects(path) == []
    report = dialogs["errors"][-1]
    assert report.kind == "input" and "project_id" in report.text
