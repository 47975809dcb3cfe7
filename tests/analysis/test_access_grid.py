"""Access indicators on the hand-worked grid (tests/helpers.py), worked by hand.

A rail line runs from the centre of square A (500, 500) to a job centre 8 km east. Walking
there takes 8 km x 1.3 / 4.8 km/h = 130 min; by rail, wait 5 min (half the 10-minute
headway) + 8 km at 35 km/h = 13.7 min, so A's 1,000 jobs come within 30 and 45 minutes.
The other squares' centres are 1,000 m (1,300 m walking) from the station, beyond the
1,200 m access walk, so only A gains.
"""

from __future__ import annotations

import json

import pytest
from helpers import grid_lonlat
from shapely.geometry import Point

from equityplanner.analysis.access_measures import AccessInputs
from equityplanner.analysis.assess import assess_projects
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.opportunities import read_points
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject


@pytest.fixture
def result(write_grid, tmp_path):
    jobs_lon, jobs_lat = grid_lonlat(8500, 500)
    jobs = tmp_path / "jobs.geojson"
    jobs.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [jobs_lon, jobs_lat]},
                        "properties": {"jobs": 1000},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    line = TransitProject(
        "rail",
        "Rail",
        Mode.RAIL,
        ServiceChange.NEW,
        (Station("A", Point(*grid_lonlat(500, 500))), Station("Jobs", Point(jobs_lon, jobs_lat))),
        peak_headway_min=10.0,
    )
    access = AccessInputs(jobs=read_points(jobs, kind="jobs", capacity_column="jobs"))
    return assess_projects(read_neighbourhoods(write_grid()), [line], access=access).result("rail")


def test_only_the_square_at_the_station_gains(result):
    table = result.access.set_index("id")
    assert table["jobs_30min_before"].tolist() == [0, 0, 0, 0]
    assert table["jobs_30min_after"].to_dict() == {"A": 1000, "B": 0, "C": 0, "D": 0}
    whole = result.indicator("access.jobs_30min")
    # Population-weighted mean over four squares of 1,000 people each.
    assert (whole.comparison, whole.value, whole.difference) == (0, 250, 250)
    assert whole.rating == "improves"


def test_group_shares_of_the_gain(result):
    minority = result.indicator("access.jobs_45min.minority")
    # Minority: A holds 800 of 1,700; the mean after is 800 x 1000 / 1700.
    assert minority.value == pytest.approx(800 * 1000 / 1700)
    assert minority.details["share_of_change"] == pytest.approx(0.8)
    assert minority.details["population_share"] == pytest.approx(0.425)
    assert minority.rating == "progressive"


def test_title_vi_on_access_gains(result):
    di = result.indicator("title_vi.access.jobs_45min.disparate_impact")
    assert (di.value, di.comparison) == (pytest.approx(0.8), pytest.approx(0.425))
    assert di.rating == "no_finding"  # a benefit that reaches minority residents more
    db = result.indicator("title_vi.access.jobs_45min.disproportionate_burden")
    assert db.value == pytest.approx(0.6) and db.rating == "no_finding"
