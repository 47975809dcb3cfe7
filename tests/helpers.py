"""Shared test data: the hand-worked grid and the sample project's path.

Import it as ``from helpers import ...`` (pytest puts tests/ on the path: see pyproject.toml);
conftest.py files are for fixtures only, since several of them exist.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

REPO = Path(__file__).resolve().parents[1]
SAMPLE_PROJECT = REPO / "sample_projects" / "magnolia" / "sample.eqp.json"
# Real public data lives beside the clone, as CI lays it out (never copied into the repository).
SHARED_DATA = REPO.parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ``../shared/data``; skipped where it is absent, but a failure in CI.

    A developer without the shared folder still runs the rest of the suite; CI (``CI=true``)
    always has it, so a missing folder there is an error, never a silent skip.
    """
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"real data not found at {path} (expected ../shared/data beside the clone)"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


# A 2 x 2 grid of 1 km squares in UTM 16N (metres), numbers worked by hand in the tests:
#   C D      A (0..1000, 0..1000)     B (1000..2000, 0..1000)
#   A B      C (0..1000, 1000..2000)  D (1000..2000, 1000..2000)
ORIGIN = (500_000.0, 3_700_000.0)
GRID_ROWS = {
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


def grid_frame(rows: dict[str, dict] | None = None, crs: str = "EPSG:32616") -> gpd.GeoDataFrame:
    """The hand-worked grid as a GeoDataFrame (plain column names), in ``crs``."""
    rows = rows or GRID_ROWS
    x0, y0 = ORIGIN
    records = []
    for gid, r in rows.items():
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
    frame = gpd.GeoDataFrame(records, crs="EPSG:32616")
    if crs != "EPSG:32616":
        frame = frame.set_geometry(frame.geometry.segmentize(10.0)).to_crs(crs)
    return frame


def grid_lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Longitude/latitude of a point given in metres from the grid's origin."""
    from pyproj import Transformer

    t = Transformer.from_crs(32616, 4326, always_xy=True)
    lon, lat = t.transform(ORIGIN[0] + x_m, ORIGIN[1] + y_m)
    return float(lon), float(lat)
