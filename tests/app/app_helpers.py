"""Helpers of the GUI tests (imported by name: this folder is on sys.path under pytest)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from helpers import grid_frame, grid_lonlat
from PySide6.QtCore import QPoint, QPointF, QThreadPool

from equityplanner.app.main_window import MainWindow
from equityplanner.app.settings import AppSettings

# The hand-worked grid is shared with the other tests (tests/helpers.py).
__all__ = ["grid_frame", "grid_lonlat", "inside_point", "scene_view_point", "view_point"]


def view_point(window: MainWindow, lon: float, lat: float) -> QPoint:
    """The canvas viewport pixel of a longitude/latitude."""
    return window.canvas.lonlat_to_view(lon, lat)


def inside_point(window: MainWindow, row: int = 0) -> tuple[float, float]:
    """Longitude/latitude of a point inside neighbourhood ``row`` (visible on screen)."""
    layer = window.canvas.layer
    assert layer is not None
    geom = layer.geometries[row % layer.count]
    p = geom.representative_point()
    if row >= layer.count:  # a small layer (the grid): another point of the same polygon
        from shapely.geometry import Point

        xmin, ymin, xmax, ymax = geom.bounds
        t = 0.2 + 0.6 * ((row // layer.count) % 4) / 3
        candidate = Point(xmin + t * (xmax - xmin), ymin + (1 - t) * (ymax - ymin))
        p = candidate if geom.contains(candidate) else p
    return layer.transform.scene_to_lonlat(p.x, p.y)


def scene_view_point(window: MainWindow, x: float, y: float) -> QPoint:
    """The viewport pixel of a scene point."""
    return window.canvas.mapFromScene(QPointF(x, y))


@contextmanager
def shown_window(qtbot, settings: AppSettings) -> Iterator[MainWindow]:
    """A shown main window; tasks are cancelled and awaited when the block ends."""
    w = MainWindow(settings)
    w.workbook.offer_open = False
    w.resize(1300, 850)
    w.show()
    qtbot.waitExposed(w)
    try:
        yield w
    finally:
        w.cancel_tasks()
        QThreadPool.globalInstance().waitForDone()
        w.session.undo_stack.setClean()  # closing without a save prompt
        w.close()
        w.deleteLater()
