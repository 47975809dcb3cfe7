"""The basemap: tiles from a local server (127.0.0.1, never the internet) drawn under the
neighbourhoods, cached on disk, attributed, switchable off; offline, the map says so once and
works without them. Also: units, names at close zoom, and the zoom to the projects after a run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QThreadPool
from PySide6.QtGui import QColor
from tile_server import TileServer

from equityplanner.app.main_window import MainWindow
from equityplanner.app.settings import AppSettings

TILE_RGB = (40, 110, 200)


@pytest.fixture
def server():
    srv = TileServer(TILE_RGB)
    yield srv
    srv.close()


def _window(qtbot, settings: AppSettings) -> MainWindow:
    w = MainWindow(settings)
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    return w


def _close(w: MainWindow) -> None:
    w.cancel_tasks()
    QThreadPool.globalInstance().waitForDone()
    w.session.undo_stack.setClean()
    w.close()
    w.deleteLater()


@pytest.fixture
def tiled(qtbot, tmp_path: Path, server: TileServer, dialogs, project_file: Path):
    """A window showing the project over tiles from the local server."""
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    settings.set_custom_tiles(server.url, "© Test tiles")
    settings.set_basemap("custom")
    settings.set_tile_cache_dir(tmp_path / "tiles")
    w = _window(qtbot, settings)
    with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
        assert w.open_project(project_file)
    yield w
    _close(w)


def _wait_for_tiles(qtbot, w: MainWindow) -> None:
    """Until every tile of the view has arrived and is drawn."""
    canvas = w.canvas
    canvas.viewport().repaint()
    while canvas.tile_loader.busy or not canvas.basemap_tiles_drawn():
        with qtbot.waitSignal(canvas.tile_loader.tile_arrived, timeout=20_000):
            pass
        canvas.viewport().repaint()


def _corner_colour(w: MainWindow) -> tuple[int, int, int]:
    """A pixel near the map's upper left corner, outside the neighbourhoods once zoomed out."""
    image = w.canvas.viewport().grab().toImage()
    colour = QColor(image.pixel(QPoint(30, 30)))
    return colour.red(), colour.green(), colour.blue()


def test_tiles_from_a_local_server_are_drawn_under_the_map(qtbot, tiled: MainWindow, server):
    canvas = tiled.canvas
    assert tiled.map_panel.basemap_combo.currentData() == "custom"
    canvas.zoom_by(0.4)  # room around the neighbourhoods
    _wait_for_tiles(qtbot, tiled)
    canvas.viewport().repaint()
    assert server.requests and all(r.endswith(".png") for r in server.requests)
    assert np.allclose(_corner_colour(tiled), TILE_RGB, atol=12)  # the tile, not the background
    # The neighbourhoods are drawn over it, translucent; the attribution is shown.
    assert canvas.choropleth is not None and canvas.choropleth.opacity() < 1.0
    assert canvas._shown_attribution() == "© Test tiles"
    # Tiles are cached on disk.
    assert any(p.is_file() for p in (tiled.settings.tile_cache_dir() or Path()).rglob("*"))


def test_basemap_switched_off(qtbot, tiled: MainWindow, server):
    canvas = tiled.canvas
    _wait_for_tiles(qtbot, tiled)
    combo = tiled.map_panel.basemap_combo
    combo.setCurrentIndex(combo.findData("none"))
    assert tiled.settings.basemap("x") == "none"
    assert canvas.basemap is None and canvas.choropleth.opacity() == 1.0
    canvas.zoom_by(0.4)
    canvas.viewport().repaint()
    asked = len(server.requests)
    canvas.pan_pixels(300, 0)
    canvas.viewport().repaint()
    assert len(server.requests) == asked and canvas.basemap_tiles_drawn() == 0
    assert canvas._shown_attribution() == ""
    assert not np.allclose(_corner_colour(tiled), TILE_RGB, atol=12)


def test_blocked_tiles_are_said_once_and_the_map_works(
    qtbot, tmp_path: Path, server, dialogs, project_file: Path
):
    server.status = 403
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    settings.set_custom_tiles(server.url, "© Test tiles")
    settings.set_basemap("custom")
    settings.set_tile_cache_dir(tmp_path / "tiles")
    w = _window(qtbot, settings)
    try:
        told: list[str] = []
        w.map_panel.notice.connect(told.append)
        with qtbot.waitSignal(w.canvas.tile_loader.unavailable, timeout=20_000):
            with qtbot.waitSignal(w.baseline_loaded, timeout=30_000):
                assert w.open_project(project_file)
        notice = w.map_panel.basemap_notice
        assert notice.isVisible()
        assert "127.0.0.1 could not be reached (HTTP 403)" in notice.text()
        assert "None in the Basemap list above the map" in notice.text()  # the fix
        asked = len(server.requests)
        for _ in range(3):  # more views: no more requests, no more messages
            w.canvas.pan_pixels(200, 0)
            w.canvas.viewport().repaint()
        assert len(server.requests) == asked and told == [notice.text()]
        assert w.canvas.choropleth is not None and w.canvas.basemap_tiles_drawn() == 0
        assert w.canvas.choropleth.opacity() == 1.0  # no tiles: the neighbourhoods stay opaque
        assert w.canvas._shown_attribution() == ""
    finally:
        _close(w)


def test_cached_tiles_are_drawn_with_the_server_gone(
    qtbot, tmp_path: Path, tiled: MainWindow, server, project_file: Path
):
    _wait_for_tiles(qtbot, tiled)
    view = tiled.canvas.view()
    server.close()
    settings = AppSettings.from_file(tmp_path / "settings.ini")
    again = _window(qtbot, settings)
    try:
        with qtbot.waitSignal(again.baseline_loaded, timeout=30_000):
            assert again.open_project(project_file, ask=False)
        again.resize(tiled.size())
        again.canvas._apply_view(view)
        again.canvas.viewport().repaint()
        _wait_for_tiles(qtbot, again)
        assert again.canvas.tile_loader.failure is None
    finally:
        _close(again)


def test_offscreen_windows_start_without_a_basemap(window: MainWindow):
    assert window.map_panel.basemap_combo.currentData() == "none"
    assert window.canvas.basemap is None


def test_imperial_units_for_the_scale_bar_and_catchments(assessed: MainWindow):
    panel, canvas = assessed.map_panel, assessed.canvas
    before = [e.label for e in canvas.overlay_legend if e.symbol == "catchment"]
    assert before and before[0].endswith(" m walk)")
    panel.units_combo.setCurrentIndex(panel.units_combo.findData("imperial"))
    assert assessed.settings.units() == "imperial"
    assert canvas.style_.units == "imperial"
    after = [
        e.label for e in canvas.overlay_legend if e.symbol in ("catchment", "burden_catchment")
    ]
    assert after and " mi" in after[0] and " m walk" not in after[0]


def test_zooms_to_the_projects_after_a_run(qtbot, opened: MainWindow):
    canvas = opened.canvas
    layer_scale = canvas.pixels_per_metre()
    with qtbot.waitSignal(opened.assessment_finished, timeout=60_000):
        opened.run_assessment()
    bounds = canvas.projects_bounds()
    assert bounds is not None
    shown = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    xmin, ymin, xmax, ymax = bounds
    assert shown.left() <= xmin and shown.right() >= xmax
    assert shown.top() <= ymin and shown.bottom() >= ymax
    assert canvas.pixels_per_metre() >= layer_scale


def test_neighbourhood_names_at_close_zoom(opened: MainWindow):
    canvas = opened.canvas
    canvas.viewport().repaint()
    assert canvas._names_item.names_drawn == 0  # the whole layer: no names
    row = 0
    xmin, ymin, xmax, ymax = canvas.layer.row_bounds(row)
    canvas.zoom_to_bounds((xmin, ymin, xmax, ymax), 1500)
    canvas.viewport().repaint()
    assert canvas._names_item.names_drawn > 0
