"""Population-weighted apportionment on hand-worked grids (issue 13).

The grid is the 2 x 2 grid of 1 km squares of tests/helpers.py (UTM 16N, metres from its
origin): C D over A B, 1000 people each. Weights are points in the same CRS; every number
below is worked from the points' positions and counts.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from helpers import ORIGIN, grid_lonlat
from pyproj import CRS
from shapely.geometry import Point

from equityplanner.analysis.apportion import catchment_table, measure, weights_on
from equityplanner.analysis.assess import assess_projects
from equityplanner.analysis.baseline import layer_index
from equityplanner.analysis.weights import LayerWeights, PointGrid, weight_index
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.weights import WeightPoints
from equityplanner.model.project import (
    HousingProject,
    Mode,
    Parameters,
    Scenario,
    ServiceChange,
    Station,
    TransitProject,
)
from equityplanner.report.json_output import assessment_to_dict

UTM16 = CRS.from_epsg(32616)


def _points(spec: dict[tuple[float, float], float]) -> WeightPoints:
    """Weights at grid metres (x, y) with counts."""
    x0, y0 = ORIGIN
    geoms = [Point(x0 + x, y0 + y) for x, y in spec]
    return WeightPoints.from_points(geoms, list(spec.values()), "EPSG:32616")


def _quarters(x: float, y: float, each: float) -> dict[tuple[float, float], float]:
    """Four points at the quarter centres of the square whose lower-left corner is (x, y)."""
    return {(x + dx, y + dy): each for dx in (250, 750) for dy in (250, 750)}


def _site(x: float, y: float, pid: str = "h") -> HousingProject:
    return HousingProject(pid, pid.upper(), Point(*grid_lonlat(x, y)), 10, {"market": 10})


def _bus_stop(x: float, y: float) -> TransitProject:
    stop = Station("Stop", Point(*grid_lonlat(x, y)))
    return TransitProject("stop", "Stop", Mode.BUS, ServiceChange.NEW, (stop,))


# All of A's people in its lower-left corner; B, C and D spread over their quarters.
CORNER = {(100.0, 100.0): 1000.0, **_quarters(1000, 0, 250), **_quarters(0, 1000, 250)}
CORNER.update(_quarters(1000, 1000, 250))


def test_all_of_a_tracts_people_in_one_corner_block(write_grid):
    nb = read_neighbourhoods(write_grid())
    weights = _points(CORNER)
    # An 800 m circle around A's corner block covers about half of A and none of the others.
    by_area = assess_projects(nb, [_site(100, 100)]).result("h")
    by_people = assess_projects(nb, [_site(100, 100)], weights=weights).result("h")
    area_share = by_area.neighbourhoods.set_index("id").loc["A", "share_in_catchment"]
    assert 0.3 < area_share < 0.7
    served = by_people.indicator("served.population")
    assert by_area.indicator("served.population").value == pytest.approx(1000 * area_share)
    assert served.value == pytest.approx(1000.0)  # every one of A's people is inside
    assert served.details["apportionment"] == "population"
    assert served.details["weights_in_catchment"] == pytest.approx(1000.0)
    assert served.details["population_area_weighted"] == pytest.approx(1000 * area_share)
    assert served.details["area_weighted_difference"] == pytest.approx(1000 * (1 - area_share))
    table = by_people.neighbourhoods.set_index("id")
    assert table.loc["A", "share_in_catchment"] == 1.0
    assert table.loc["A", "area_share_in_catchment"] == pytest.approx(area_share)
    assert table.loc["A", "apportionment"] == "population"
    assert table.loc["A", "weights_total"] == 1000.0
    # Groups are apportioned with the same share: A's minority (80%) all inside.
    assert by_people.indicator("served.minority").details["count_inside"] == pytest.approx(800)
    assert by_people.indicator("served.minority").method == "apportionment_population"
    assert by_area.indicator("served.minority").method == "apportionment"


def test_the_empty_part_of_a_tract_holds_nobody(write_grid):
    nb = read_neighbourhoods(write_grid())
    # An 800 m circle at (900, 900) misses A's corner block; B and C each have 2 of 4
    # quarter points inside (at 381 m and 738 m), D 1 of 4 (at 495 m).
    result = assess_projects(nb, [_site(900, 900)], weights=_points(CORNER)).result("h")
    table = result.neighbourhoods.set_index("id")
    assert table["share_in_catchment"].to_dict() == pytest.approx(
        {"A": 0.0, "B": 0.5, "C": 0.5, "D": 0.25}
    )
    assert result.indicator("served.population").value == pytest.approx(1250.0)
    assert (table["area_share_in_catchment"] > 0.1).all()


def test_weights_outside_every_tract_are_counted_and_left_out(write_grid):
    nb = read_neighbourhoods(write_grid())
    weights = _points({**CORNER, (-300.0, 100.0): 500.0, (-3000.0, -3000.0): 70.0})
    assessment = assess_projects(nb, [_site(100, 100)], weights=weights)
    served = assessment.result("h").indicator("served.population")
    assert served.value == pytest.approx(1000.0)
    assert served.details["weights_in_catchment"] == pytest.approx(1500.0)
    assert served.details["weights_unassigned"] == pytest.approx(500.0)
    assert served.details["weights_difference"] == pytest.approx(-500.0)
    assert any(
        "1 weight point(s) inside the catchment (500 in all) lie in no neighbourhood" in w
        for w in assessment.warnings
    )


def test_tracts_without_weights_fall_back_to_area(write_grid):
    nb = read_neighbourhoods(write_grid())
    weights = _points({(100.0, 100.0): 1000.0, **_quarters(1000, 0, 250)})  # A and B only
    assessment = assess_projects(nb, [_site(900, 900)], weights=weights)
    result = assessment.result("h")
    table = result.neighbourhoods.set_index("id")
    assert table.loc[["C", "D"], "apportionment"].tolist() == ["area", "area"]
    assert table.loc["C", "share_in_catchment"] == table.loc["C", "area_share_in_catchment"]
    assert table.loc["B", "share_in_catchment"] == 0.5
    served = result.indicator("served.population")
    assert served.details["apportionment"] == "population and area"
    assert served.details["neighbourhoods_by_area"] == 2
    expected = 0 + 500 + 1000 * table.loc[["C", "D"], "area_share_in_catchment"].sum()
    assert served.value == pytest.approx(expected)
    assert any(
        "2 neighbourhood(s) in the catchment have no weight" in w for w in assessment.warnings
    )


def _blocks_in_a(people_each: float) -> dict[tuple[float, float], float]:
    """A 10 x 10 lattice of blocks 100 m apart filling square A."""
    return {(50.0 + 100 * i, 50.0 + 100 * j): people_each for i in range(10) for j in range(10)}


def test_a_one_block_catchment_is_not_rated_high_reliability(write_grid):
    # Tract A: 4,000 people with a margin of 447 (CV 6.8%, "high"), in 100 blocks of 40.
    rows = {
        gid: {
            "x": i % 2,
            "y": i // 2,
            "total_population": 4000,
            "total_population_moe": 447,
            "nh_white": 2000,
            "nh_white_moe": 300,
        }
        for i, gid in enumerate("ABCD")
    }
    nb = read_neighbourhoods(write_grid(rows))
    stop = _bus_stop(450, 450)  # on a block point; a 30 m circle holds that block alone
    weights = _points(_blocks_in_a(40.0))
    parameters = Parameters(catchment_m={**Parameters().catchment_m, "bus": 30.0})
    by_area = assess_projects(nb, [stop], parameters=parameters).result("stop")
    by_people = assess_projects(nb, [stop], parameters=parameters, weights=weights).result("stop")
    served = by_people.indicator("served.population")
    assert served.value == pytest.approx(40.0)
    # Sampling alone: the tract's CV (6.8%); allocation: sqrt(4000 * 0.01 * 0.99) = 6.3 people.
    assert served.details["moe_sampling"] == pytest.approx(447 * 0.01)
    assert served.details["moe_allocation"] == pytest.approx(1.645 * np.sqrt(4000 * 0.01 * 0.99))
    assert served.reliability.cv_percent == pytest.approx(
        100 * np.hypot(4.47 / 1.645, np.sqrt(39.6)) / 40
    )
    assert served.reliability.band != "high"
    share = by_people.indicator("served.minority")
    assert share.reliability.band != "high"
    assert share.details["margin_includes_allocation"] is True
    # Area weighting is an allocation too: its margin includes it, so a sliver of one tract is
    # not rated as reliable as the whole tract (the 91-person stop of issue 13).
    area_served = by_area.indicator("served.population")
    assert area_served.details["margin_includes_allocation"] is True
    assert area_served.details["moe_allocation"] > 0
    assert area_served.reliability.band != "high"


def test_a_whole_tract_inside_has_no_allocation_error(write_grid):
    nb = read_neighbourhoods(write_grid())
    # The 800 m circle at A's centre holds all of A (its corners are 707 m away).
    result = assess_projects(nb, [_site(500, 500)], weights=_points(CORNER)).result("h")
    table = result.neighbourhoods.set_index("id")
    assert table.loc["A", "share_in_catchment"] == 1.0
    others = table.loc[["B", "C", "D"], "share_in_catchment"].to_numpy()
    # B and C: the two quarter points nearer A lie 791 m away (inside), the others 1,275 m.
    assert others.tolist() == [0.5, 0.5, 0.0]
    served = result.indicator("served.population")
    assert served.value == pytest.approx(2000.0)
    assert served.details["moe_allocation"] == pytest.approx(
        1.645 * np.sqrt(np.sum(1000 * others * (1 - others)))
    )


def test_mixed_scenarios_and_json_carry_the_weight_columns(write_grid):
    nb = read_neighbourhoods(write_grid())
    cut = TransitProject(
        "cut",
        "Cut",
        Mode.BUS,
        ServiceChange.REDUCTION,
        (Station("S", Point(*grid_lonlat(1500, 1500))),),
    )
    assessment = assess_projects(
        nb,
        [_site(100, 100), cut],
        scenarios=[Scenario("both", "Both", ("h", "cut"))],
        weights=_points(CORNER),
    )
    both = assessment.result("both")
    assert {"apportionment", "apportionment.burdens", "weights_total.burdens"} <= set(
        both.neighbourhoods.columns
    )
    document = assessment_to_dict(assessment)
    first = document["results"][0]["neighbourhoods"][0]
    assert first["apportionment"] == "population"
    assert first["weights_total"] == 1000.0


# --- the bulk API equals single calls ---------------------------------------------------------


def _circles(points_m: list[tuple[float, float]], radius: float) -> np.ndarray:
    x0, y0 = ORIGIN
    return shapely.buffer(
        shapely.points([(x0 + x, y0 + y) for x, y in points_m]), radius, quad_segs=16
    )


def test_many_catchments_at_once_equal_one_at_a_time(write_grid):
    nb = read_neighbourhoods(write_grid(crs="EPSG:4269"))
    layer = layer_index(nb)
    rng = np.random.default_rng(3)
    points = [tuple(p) for p in rng.uniform(-500, 2500, (40, 2))]
    catchments = _circles(points, 350.0)
    catchments[5] = shapely.Polygon()  # an empty catchment among them
    for weights in (None, _points({**CORNER, (-300.0, 100.0): 500.0})):
        together = measure(layer, catchments, UTM16, weights_on(layer, weights))
        for n, catchment in enumerate(catchments):
            fresh = None
            if weights is not None:  # nothing remembered from the bulk call
                fresh = LayerWeights(weight_index(weights), layer.geometries, layer.tree, layer.crs)
            alone = measure(layer, [catchment], UTM16, fresh)[0]
            np.testing.assert_array_equal(together[n].index, alone.index)
            np.testing.assert_array_equal(together[n].share, alone.share)
            assert together[n].catchment_area_m2 == alone.catchment_area_m2
            assert together[n].covered_area_m2 == pytest.approx(alone.covered_area_m2)
            if weights is not None:
                assert together[n].weight_in_catchment == alone.weight_in_catchment
                assert together[n].unassigned_weight == alone.unassigned_weight


def test_catchment_table_equals_single_measurements(write_grid):
    nb = read_neighbourhoods(write_grid())
    sites = [Point(*grid_lonlat(x, y)) for x, y in [(100, 100), (900, 900), (1500, 400)]]
    weights = _points(CORNER)
    table = catchment_table(nb, sites, radius_m=800, weights=weights, ids=["a", "b", "c"])
    assert table["id"].tolist() == ["a", "b", "c"]
    for n, site in enumerate(sites):
        single = assess_projects(
            nb, [HousingProject("h", "H", site, 1, {"market": 1})], weights=weights
        )
        served = single.result("h").indicator("served.population")
        assert table.loc[n, "total_population"] == pytest.approx(served.value)
        assert table.loc[n, "apportionment"] == served.details["apportionment"]
    assert table.loc[0, "total_population"] == pytest.approx(1000.0)
    assert table.loc[1, "total_population"] == pytest.approx(1250.0)


# --- the grid index ---------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 7, 5000])
def test_the_point_grid_finds_exactly_the_points_in_each_box(n):
    rng = np.random.default_rng(n)
    x = rng.normal(0, 10, n) ** 3  # clustered, with outliers
    y = rng.uniform(-50, 50, n)
    grid = PointGrid(x, y)
    boxes = np.column_stack([rng.uniform(-200, 100, 60), rng.uniform(-60, 40, 60)])
    boxes = np.column_stack([boxes, boxes + rng.uniform(0, 80, (60, 2))])
    boxes[0] = [1e6, 1e6, 2e6, 2e6]  # far away
    which, position = grid.query(boxes)
    found = {(int(b), int(grid.order[p])) for b, p in zip(which, position, strict=True)}
    expected = {
        (b, i)
        for b, (x0, y0, x1, y1) in enumerate(boxes)
        for i in np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    }
    assert found == expected


def test_the_point_grid_takes_points_on_one_spot():
    grid = PointGrid(np.zeros(5), np.ones(5))
    which, _ = grid.query(np.array([[0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 2.0, 2.0]]))
    assert which.tolist() == [0] * 5
