"""Helpers of the GUI tests (imported by name: this folder is on sys.path under pytest)."""

from __future__ import annotations

import geopandas as gpd
from PySide6.QtCore import QPoint, QPointF
from shapely.geometry import box

from equityplanner.app.main_window import MainWindow

# The hand-worked grid of tests/conftest.py: four 1 km squares in UTM 16N.
ORIGIN = (500_000.0, 3_700_000.0)
GRID = {
    "A": dict(
        x=0,
        y=0,
        total_population=1000,
        nh_white=200,
        below_200_poverty=600,
        median_household_income=20000,
    ),
    "B": dict(
        x=1,
        y=0,
        total_population=1000,
        nh_white=400,
        below_200_poverty=400,
        median_household_income=40000,
    ),
    "C": dict(
        x=0,
        y=1,
        total_population=1000,
        nh_white=800,
        below_200_poverty=200,
        median_household_income=60000,
    ),
    "D": dict(
        x=1,
        y=1,
        total_population=1000,
        nh_white=900,
        below_200_poverty=100,
        median_household_income=80000,
    ),
}


def grid_frame() -> gpd.GeoDataFrame:
    """The grid as a GeoDataFrame in EPSG:32616."""
    x0, y0 = ORIGIN
    records = []
    for gid, r in GRID.items():
        rec = {k: v for k, v in r.items() if k not in ("x", "y")}
        rec["GEOID"] = gid
        rec["poverty_universe"] = rec["total_population"]
        rec["geometry"] = box(
            x0 + r["x"] * 1000,
            y0 + r["y"] * 1000,
            x0 + (r["x"] + 1) * 1000,
            y0 + (r["y"] + 1) * 1000,
        )
        records.append(rec)
    return gpd.GeoDataFrame(records, crs="EPSG:32616")


def grid_lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Longitude/latitude of a point in metres from the grid's origin."""
    from pyproj import Transformer

    t = Transformer.from_crs(32616, 4326, always_xy=True)
    lon, lat = t.transform(ORIGIN[0] + x_m, ORIGIN[1] + y_m)
    return float(lon), float(lat)


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
