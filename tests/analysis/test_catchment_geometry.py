"""The fast paths of the catchment geometry give GEOS's plain answers, on real tract outlines.

A long line's catchment (hundreds of vertices) is clipped to each tract's bounding box before
the overlay, and a line's buffers are made as one multipoint buffer rather than a union of
circles. Both are checked here against the plain operations on Seattle's census tracts
(../shared/data/geoda-tracts, GeoDa's copy of the 2010 tracts).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from helpers import shared_data
from pyproj import CRS
from shapely.geometry import Point

from equityplanner.analysis.catchment import (
    _CLIP_ABOVE_VERTICES,
    _intersection_areas,
    catchment_geometry,
    to_crs,
)
from equityplanner.model.project import Mode, Parameters, ServiceChange, Station, TransitProject

UTM10 = CRS.from_epsg(32610)
WGS84 = CRS.from_epsg(4326)


@pytest.fixture(scope="module")
def seattle_tracts() -> np.ndarray:
    frame = gpd.read_file(shared_data("geoda-tracts", "seattle1.gpkg"))
    return to_crs(frame.geometry.to_numpy(), WGS84, UTM10)


def _line(stations: int, radius_step: float = 0.004) -> TransitProject:
    """A wavy line north through central Seattle, ``stations`` stops about 450 m apart."""
    stops = tuple(
        Station(
            f"S{i}",
            Point(-122.335 + 0.006 * np.sin(i / 3), 47.55 + i * radius_step),
        )
        for i in range(stations)
    )
    return TransitProject("line", "Line", Mode.BRT, ServiceChange.NEW, stops)


def test_a_line_buffered_as_one_multipoint_equals_the_union_of_its_circles():
    line = _line(40)
    ours = catchment_geometry([line], Parameters(), UTM10)
    stops = to_crs(np.array([s.geometry for s in line.stations], dtype=object), WGS84, UTM10)
    plain = shapely.union_all(shapely.buffer(stops, 800, quad_segs=16))
    assert ours.area == pytest.approx(plain.area, rel=1e-12)
    assert shapely.symmetric_difference(ours, plain).area < 1e-6 * plain.area


def test_clipped_overlay_areas_equal_the_plain_intersection_on_real_tracts(seattle_tracts):
    catchment = catchment_geometry([_line(40)], Parameters(), UTM10)
    assert shapely.get_num_coordinates(catchment) > _CLIP_ABOVE_VERTICES  # the clipped path
    touching = seattle_tracts[shapely.intersects(seattle_tracts, catchment)]
    assert len(touching) > 30
    pairs = np.full(len(touching), catchment, dtype=object)
    ours = _intersection_areas(touching, pairs)
    plain = shapely.area(shapely.intersection(touching, pairs))
    np.testing.assert_allclose(ours, plain, rtol=1e-9, atol=1e-6)
    # Tracts cut by the catchment's edge and tracts wholly inside both occur.
    share = plain / shapely.area(touching)
    assert (share < 0.99).sum() > 10
    assert (share > 0.999).sum() > 0


def test_small_catchments_take_the_plain_path_with_the_same_areas(seattle_tracts):
    one_stop = catchment_geometry([_line(1)], Parameters(), UTM10)
    assert shapely.get_num_coordinates(one_stop) <= _CLIP_ABOVE_VERTICES
    touching = seattle_tracts[shapely.intersects(seattle_tracts, one_stop)]
    pairs = np.full(len(touching), one_stop, dtype=object)
    np.testing.assert_array_equal(
        _intersection_areas(touching, pairs),
        shapely.area(shapely.intersection(touching, pairs)),
    )
