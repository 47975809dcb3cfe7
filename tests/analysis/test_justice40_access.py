"""Justice40 on access gains (issue 15.2), worked by hand on the grid of tests/helpers.py.

A rail line runs through the centres of squares A (500, 500) and B (1500, 500) to a job
centre of 1,000 jobs 8 km east of A. From A: wait 5 min (half the 10-minute headway) + 8 km
at 35 km/h = 18.7 min; from B: 5 + 7 km at 35 km/h = 17 min, so A and B each gain the
1,000 jobs within 30 and 45 minutes. C and D lie 1,000 m (1,300 m walking) from the nearest
station, beyond the 1,200 m access walk: they gain nothing.

The CEJST layer (made by hand here) counts A as disadvantaged, half of B's land in
disadvantaged tracts (0.5) and C as not; D is not covered by the file. With 1,000 people in
each square:

- share of the access gain in disadvantaged communities
  = (1000 x 1 x 1000 + 1000 x 0.5 x 1000) / (1000 x 1000 + 1000 x 1000) = 0.75;
- their share of the population (D left out: no data) = (1000 + 500 + 0) / 3000 = 0.50;
- +25 points, beyond the 5-point band: the benefit reaches them more than their share, and
  the Justice40 goal of 40% is met by this measure.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import grid_lonlat
from shapely.geometry import Point

from equityplanner.analysis.access_measures import AccessInputs
from equityplanner.analysis.assess import assess_projects
from equityplanner.analysis.indicators.screening import access_gain_share
from equityplanner.analysis.screening import LayerOnNeighbourhoods, Screening
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.opportunities import read_points
from equityplanner.io.screening import ScreeningTable
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject


def _cejst(disadvantaged: list[float]) -> Screening:
    table = ScreeningTable(
        kind="cejst",
        label="CEJST (hand-made)",
        short="CEJST",
        path=Path("cejst.csv"),
        sha256="0" * 64,
        vintage=2020,
        geography="tract",
        release="hand-made for the test",
        reference="",
        ids=np.array(["A", "B", "C"]),
        disadvantaged=np.array([1.0, 0.5, 0.0]),
        population=None,
        percentiles={},
        labels={},
        columns={},
    )
    layer = LayerOnNeighbourhoods(
        table, np.array(disadvantaged), {}, "joined by hand (test)", matched=3
    )
    return Screening(layers={"cejst": layer})


@pytest.fixture
def result(write_grid, tmp_path):
    jobs_lon, jobs_lat = grid_lonlat(8500, 500)
    jobs = tmp_path / "jobs.geojson"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [jobs_lon, jobs_lat]},
        "properties": {"jobs": 1000},
    }
    jobs.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    line = TransitProject(
        "rail",
        "Rail",
        Mode.RAIL,
        ServiceChange.NEW,
        (
            Station("A", Point(*grid_lonlat(500, 500))),
            Station("B", Point(*grid_lonlat(1500, 500))),
            Station("Jobs", Point(jobs_lon, jobs_lat)),
        ),
        peak_headway_min=10.0,
    )
    access = AccessInputs(jobs=read_points(jobs, kind="jobs", capacity_column="jobs"))
    nb = read_neighbourhoods(write_grid())
    assert nb.frame["id"].astype(str).tolist() == ["A", "B", "C", "D"]
    screening = _cejst([1.0, 0.5, 0.0, np.nan])
    return assess_projects(nb, [line], access=access, screening=screening).result("rail")


def test_the_gains_are_worked_by_hand(result):
    table = result.access.set_index("id")
    assert table["jobs_45min_after"].to_dict() == {"A": 1000, "B": 1000, "C": 0, "D": 0}
    assert table["jobs_45min_before"].tolist() == [0, 0, 0, 0]


def test_share_of_the_access_gain_reaching_disadvantaged_communities(result):
    ind = result.indicator("screening.cejst_access_jobs_45min")
    assert ind.value == pytest.approx(0.75)
    assert ind.comparison == pytest.approx(0.50)
    assert ind.difference == pytest.approx(25.0)
    assert ind.rating == "benefit_more"
    assert ind.details["amount_in_disadvantaged"] == pytest.approx(1000 * 1000 + 500 * 1000)
    assert ind.details["amount_total"] == pytest.approx(2 * 1000 * 1000)
    assert ind.details["meets_justice40_goal"] is True
    assert "75.0% reach people in CEJST disadvantaged communities" in ind.finding
    assert "Justice40 goal of 40% of the benefits is met" in ind.finding
    # Every jobs threshold that changes gets its own share (30 minutes: the same gains).
    assert result.indicator("screening.cejst_access_jobs_30min").value == pytest.approx(0.75)


def test_people_served_and_access_gains_are_both_measured(result):
    ids = {i.id for i in result.indicators if i.id.startswith("screening.")}
    assert "screening.cejst_served" in ids
    assert {"screening.cejst_access_jobs_30min", "screening.cejst_access_jobs_45min"} <= ids


def test_the_share_by_hand_counts_only_gains_and_leaves_out_missing_data():
    # A counts (d = 1), B counts (d = 0), C has no data; D loses and does not offset the gains.
    amount = np.array([10.0, 30.0, 50.0, -40.0])
    share, inside, total = access_gain_share(
        amount, np.array([100.0, 100.0, 100.0, 100.0]), np.array([1.0, 0.0, np.nan, 1.0])
    )
    assert (inside, total) == (1000.0, 4000.0)
    assert share == pytest.approx(0.25)
    # Unreachable before (an infinite gain of minutes) counts as no measured amount.
    assert access_gain_share(np.array([np.inf, 2.0]), np.ones(2), np.ones(2))[0] == 1.0
    # Nobody gains: no share.
    assert np.isnan(access_gain_share(np.zeros(2), np.ones(2), np.ones(2))[0])
