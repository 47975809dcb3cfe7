"""Validity checked for the polygons a catchment touches, when it touches them (issue 14.1).

``read_neighbourhoods(defer_validity=True)`` (what ``equityplanner assess`` reads with) skips
GEOS's validity check of every polygon; an assessment checks and repairs the polygons its
catchments touch, with the messages of the check on reading, and gives the results of a layer
checked whole.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Point, Polygon, box

from equityplanner.analysis.assess import assess_projects
from equityplanner.analysis.baseline import layer_index
from equityplanner.errors import InputError
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject

GEOIDS = ["01073000100", "01073000200", "01073000300"]
BOWTIE = Polygon([(-87.0, 33.0), (-86.9, 33.1), (-86.9, 33.0), (-87.0, 33.1)])
# A "polygon" that is a line drawn back and forth: nothing of it is left once repaired.
FLAT = Polygon([(-86.4, 33.2), (-86.2, 33.2), (-86.4, 33.2), (-86.2, 33.2)])


def _layer(tmp_path: Path, first: Polygon, second: Polygon | None = None) -> Path:
    shapes = [box(-87.0 + 0.5 * i, 33.0, -86.5 + 0.5 * i, 33.5) for i in range(3)]
    shapes[0] = first
    if second is not None:
        shapes[1] = second
    frame = gpd.GeoDataFrame(
        {
            "GEOID": GEOIDS,
            "total_population": [1000, 2000, 500],
            "nh_white": [600, 800, 100],
            "poverty_universe": [990, 1950, 480],
            "below_poverty": [30, 20, 50],
            "below_200_poverty": [300, 400, 200],
            "median_household_income": [52000, 61000, 40000],
        },
        geometry=shapes,
        crs="EPSG:4269",
    )
    path = tmp_path / "tracts.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def _line(*points: tuple[float, float]) -> TransitProject:
    stations = tuple(Station(f"S{i}", Point(p)) for i, p in enumerate(points))
    return TransitProject("line", "Line", Mode.BRT, ServiceChange.NEW, stations)


NEAR_BOWTIE = _line((-86.95, 33.05), (-86.94, 33.06))
FAR_AWAY = _line((-85.75, 33.25), (-85.74, 33.26))


def _served(assessment) -> float:
    return assessment.results[0].indicator("served.population").value


def test_reading_defers_the_check(tmp_path):
    path = _layer(tmp_path, BOWTIE)
    eager = read_neighbourhoods(path)
    deferred = read_neighbourhoods(path, defer_validity=True)
    assert eager.validity is None and deferred.validity is not None
    assert not deferred.frame.geometry.iloc[0].is_valid
    assert not any("invalid" in w for w in deferred.warnings)
    assert any("1 invalid geometry was repaired" in w for w in eager.warnings)


def test_a_catchment_touching_an_invalid_polygon_repairs_it_with_the_same_warning(tmp_path):
    path = _layer(tmp_path, BOWTIE)
    eager = read_neighbourhoods(path)
    deferred = read_neighbourhoods(path, defer_validity=True)
    expected = next(w for w in eager.warnings if "invalid" in w)
    by_eager = assess_projects(eager, [NEAR_BOWTIE])
    by_deferred = assess_projects(deferred, [NEAR_BOWTIE])
    assert expected in by_deferred.warnings and GEOIDS[0] in expected
    repaired = deferred.frame.geometry.iloc[0]
    assert repaired.is_valid and repaired.equals(eager.frame.geometry.iloc[0])
    assert _served(by_deferred) == pytest.approx(_served(by_eager), rel=1e-12)
    pd.testing.assert_frame_equal(
        by_deferred.results[0].neighbourhoods, by_eager.results[0].neighbourhoods
    )


def test_a_catchment_elsewhere_leaves_the_polygon_unchecked(tmp_path):
    deferred = read_neighbourhoods(_layer(tmp_path, BOWTIE), defer_validity=True)
    eager = read_neighbourhoods(_layer(tmp_path, BOWTIE))
    by_deferred = assess_projects(deferred, [FAR_AWAY])
    assert not any("invalid" in w for w in by_deferred.warnings)
    assert not deferred.frame.geometry.iloc[0].is_valid
    assert _served(by_deferred) == pytest.approx(_served(assess_projects(eager, [FAR_AWAY])))


def test_a_polygon_with_no_area_once_repaired_is_the_same_error_when_touched(tmp_path):
    path = _layer(tmp_path, box(-87.0, 33.0, -86.5, 33.5), FLAT)
    with pytest.raises(InputError) as on_reading:
        read_neighbourhoods(path)
    deferred = read_neighbourhoods(path, defer_validity=True)
    assess_projects(deferred, [FAR_AWAY])  # elsewhere: not checked, no error
    with pytest.raises(InputError) as on_use:
        assess_projects(deferred, [_line((-86.3, 33.2), (-86.29, 33.21))])
    assert str(on_use.value) == str(on_reading.value)
    assert "no area once their invalid geometry is repaired" in str(on_use.value)
    assert "feature 2" in str(on_use.value) and GEOIDS[1] in str(on_use.value)


def test_the_index_query_is_the_query_of_the_repaired_polygons(tmp_path):
    """A shell with a hole lying outside it: as read, a point in the hole is in no polygon;
    repaired (the hole becomes a polygon of its own), it is. The deferred layer's query
    must give what the repaired layer's gives."""
    shell = [(-87.0, 33.0), (-86.9, 33.0), (-86.9, 33.1), (-87.0, 33.1)]
    outside = [(-86.8, 33.0), (-86.7, 33.0), (-86.7, 33.1), (-86.8, 33.1)]
    odd = Polygon(shell, [outside])
    path = _layer(tmp_path, odd)
    eager = layer_index(read_neighbourhoods(path))
    deferred = layer_index(read_neighbourhoods(path, defer_validity=True))
    probe = Point(-86.75, 33.05)
    assert list(deferred.query(probe)) == list(eager.query(probe))
    many = np.array([probe, Point(-86.95, 33.05), Point(-86.25, 33.25)], dtype=object)
    assert np.array_equal(deferred.query(many), eager.query(many))
    assert shapely.is_valid(deferred.geometries).all()  # every polygon it met was repaired
