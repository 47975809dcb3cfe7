"""Service before and after a change, per neighbourhood, worked by hand on the 2 x 2 grid.

Grid of tests/conftest.py (1 km squares):   C D
                                            A B
Stops, in metres from the grid's origin, and the squares within 400 m of them:

  P (500, 500)    in A, 500 m from B and C             -> A
  Q (1100, 500)   in B, 100 m from A, 510 m from C     -> A, B
  R (1500, 1500)  in D, 500 m from B and C             -> D
  N (500, 1500)   in C, 500 m from A and D             -> C

Every trip of these feeds leaves its first stop on the hour, from 06:00, and the next stops 5
minutes apart, so the trips leaving a stop within the 07:00-09:00 peak are the 2nd and 3rd
(07:xx and 08:xx) of each pattern that has them.

Base: route 1 P -> Q -> R 8 trips (06:00-13:00) and R -> Q -> P 8 trips.
  departures  P 8, Q 8 + 8 = 16, R 8 (the last stop of a trip is not a departure)
  peak        P 2, Q 4, R 2, i.e. 1.0, 2.0 and 1.0 trips per hour
  squares     A = P + Q: 24 daily, 3.0/h;  B = Q: 16, 2.0/h;  C: 0, 0;  D = R: 8, 1.0/h

Proposed: route 1 P -> Q -> R cut to 2 trips (06:00, 07:00), R -> Q -> P 8 trips;
new route 2 N -> R 4 trips and R -> N 4 trips; new route 3 Q -> R 6 trips.
  departures  P 2;  Q 2 + 8 + 6 = 16;  R 8 + 4 = 12;  N 4
  peak        P 1 (07:00);  Q 1 (07:05) + 2 + 2 = 5;  R 2 + 2 = 4;  N 2
  squares     A = 2 + 16 = 18 daily, (1 + 5) / 2 = 3.0/h;  B = 16, 2.5/h;
              C = 4, 1.0/h;  D = 12, 2.0/h

Relative changes, daily: A 18/24 - 1 = -25% (reduction: exactly at the threshold);
B 0% (unchanged); C new service from nothing (+inf, improvement); D +50% (improvement).
Peak: A 0% (unchanged); B +25% (improvement, exactly at the threshold); C +inf; D +100%.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import grid_frame, grid_lonlat
from pyproj import CRS

from equityplanner.analysis.service_change import compare_service, stop_trip_rates
from equityplanner.errors import InputError
from equityplanner.io.gtfs import GtfsFeed, read_gtfs

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "gtfs_three_stops"
DAY = dt.date(2024, 7, 3)  # a Wednesday
UTM = CRS.from_epsg(32616)
STOPS_M = {"P": (500, 500), "Q": (1100, 500), "R": (1500, 1500), "N": (500, 1500)}

BASE = [
    ("1", 0, ["P", "Q", "R"], 8),
    ("1", 1, ["R", "Q", "P"], 8),
]
PROPOSED = [
    ("1", 0, ["P", "Q", "R"], 2),
    ("1", 1, ["R", "Q", "P"], 8),
    ("2", 0, ["N", "R"], 4),
    ("2", 1, ["R", "N"], 4),
    ("3", 0, ["Q", "R"], 6),
]


def _write_feed(folder: Path, patterns: list[tuple[str, int, list[str], int]]) -> GtfsFeed:
    """A feed of the given (route, direction, stops, trips) patterns, daily all of 2024."""
    folder.mkdir()
    used = sorted({stop for _, _, stops, _ in patterns for stop in stops})
    stops = ["stop_id,stop_name,stop_lat,stop_lon"]
    for stop in used:
        lon, lat = grid_lonlat(*STOPS_M[stop])
        stops.append(f"{stop},Stop {stop},{lat:.7f},{lon:.7f}")
    routes = ["route_id,route_short_name,route_type"]
    routes += [f"{r},{r},3" for r in sorted({p[0] for p in patterns})]
    trips = ["route_id,service_id,trip_id,direction_id"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for route, direction, pattern, count in patterns:
        for k in range(count):
            trip = f"r{route}d{direction}t{k}"
            trips.append(f"{route},ALL,{trip},{direction}")
            for sequence, stop in enumerate(pattern):
                time = f"{6 + k:02d}:{5 * sequence:02d}:00"
                times.append(f"{trip},{time},{time},{stop},{sequence + 1}")
    files = {
        "agency.txt": [
            "agency_name,agency_url,agency_timezone",
            "Grid Transit,https://example.org,America/Chicago",
        ],
        "stops.txt": stops,
        "routes.txt": routes,
        "trips.txt": trips,
        "stop_times.txt": times,
        "calendar.txt": [
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
            "start_date,end_date",
            "ALL,1,1,1,1,1,1,1,20240101,20241231",
        ],
    }
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n")
    return read_gtfs(folder)


@pytest.fixture
def feeds(tmp_path: Path) -> tuple[GtfsFeed, GtfsFeed]:
    return _write_feed(tmp_path / "base", BASE), _write_feed(tmp_path / "proposed", PROPOSED)


def _compare(base, proposed, crs: str = "EPSG:32616", **options) -> pd.DataFrame:
    grid = grid_frame(crs=crs)
    assert list(grid["GEOID"]) == ["A", "B", "C", "D"]
    return compare_service(
        base, proposed, grid.geometry.to_numpy(), grid.crs, UTM, date=DAY, **options
    )


def test_stop_trip_rates_on_the_three_stop_feed() -> None:
    # See tests/io/test_gtfs.py: peak departures S1 8, S2 9 + 2 = 11, S3 2 in 2 hours;
    # daily S1 16 (direction 0), S2 21 (both; Tuesday's late trip is not counted), S3 5.
    rates = stop_trip_rates(read_gtfs(FIXTURE), DAY)
    assert list(rates.columns) == ["stop_id", "lon", "lat", "peak_trips_per_hour", "daily_trips"]
    assert rates["stop_id"].tolist() == ["S1", "S2", "S3"]
    assert rates["peak_trips_per_hour"].tolist() == [4.0, 5.5, 1.0]
    assert rates["daily_trips"].tolist() == [16, 21, 5]
    assert rates["daily_trips"].dtype == np.int64
    assert rates.loc[2, ["lon", "lat"]].tolist() == [-86.98, 33.45]


def test_stop_trip_rates_count_trips_past_midnight_in_the_window() -> None:
    # 00:00-01:00 on Wednesday: Tuesday's d0_2350 leaves S2 at 24:10 = 00:10 -> 1 trip/h.
    rates = stop_trip_rates(read_gtfs(FIXTURE), DAY, peak=(0, 3600))
    assert rates["peak_trips_per_hour"].tolist() == [0.0, 1.0, 0.0]


def test_compare_service_on_the_grid(feeds) -> None:
    table = _compare(*feeds)
    assert list(table.index) == [0, 1, 2, 3]  # A, B, C, D by row position
    assert table["stops_before"].tolist() == [2, 1, 0, 1]
    assert table["stops_after"].tolist() == [2, 1, 1, 1]
    assert table["daily_trips_before"].tolist() == [24, 16, 0, 8]
    assert table["daily_trips_after"].tolist() == [18, 16, 4, 12]
    assert table["daily_trips_change"].tolist() == [-6, 0, 4, 4]
    relative = table["daily_trips_relative_change"].to_numpy()
    assert relative[0] == pytest.approx(-0.25)
    assert relative[1] == 0.0
    assert math.isinf(relative[2]) and relative[2] > 0
    assert relative[3] == pytest.approx(0.5)
    assert table["peak_trips_per_hour_before"].tolist() == pytest.approx([3.0, 2.0, 0.0, 1.0])
    assert table["peak_trips_per_hour_after"].tolist() == pytest.approx([3.0, 2.5, 1.0, 2.0])
    assert table["peak_trips_per_hour_change"].tolist() == pytest.approx([0.0, 0.5, 1.0, 1.0])
    assert table["classification"].tolist() == [
        "reduction",
        "unchanged",
        "improvement",
        "improvement",
    ]
    assert table.attrs["measure"] == "daily_trips"
    assert table.attrs["walk_m"] == 400.0
    assert table.attrs["base_sha256"] == feeds[0].sha256


def test_classification_on_the_peak_measure(feeds) -> None:
    table = _compare(*feeds, measure="peak_trips_per_hour")
    assert table["peak_trips_per_hour_relative_change"].tolist()[:2] == pytest.approx([0.0, 0.25])
    assert table["classification"].tolist() == [
        "unchanged",
        "improvement",
        "improvement",
        "improvement",
    ]


def test_threshold_is_the_agency_policy(feeds) -> None:
    # At 30% the -25% of A and the +25% peak change of B are no longer major changes.
    daily = _compare(*feeds, major_change_threshold=0.30)
    assert daily["classification"].tolist() == [
        "unchanged",
        "unchanged",
        "improvement",
        "improvement",
    ]
    # At 60% only the new service in C counts (D's +50% does not).
    assert _compare(*feeds, major_change_threshold=0.6)["classification"].tolist() == [
        "unchanged",
        "unchanged",
        "improvement",
        "unchanged",
    ]


def test_layer_in_degrees_gives_the_same_answer(feeds) -> None:
    projected = _compare(*feeds)
    geographic = _compare(*feeds, crs="EPSG:4326")
    pd.testing.assert_frame_equal(projected, geographic)


def test_walking_distance(feeds) -> None:
    # At 520 m every stop 500 or 510 m from a square serves it too (the diagonal ones, 707 m,
    # still do not): A = P Q (+ N after), B = P Q R, C = P Q R (+ N), D = Q R (+ N).
    #   base      A 8 + 16 = 24;       B 8 + 16 + 8 = 32;   C 32;                D 16 + 8 = 24
    #   proposed  A 2 + 16 + 4 = 22;   B 2 + 16 + 12 = 30;  C 2 + 16 + 12 + 4 = 34;
    #             D 16 + 12 + 4 = 32
    # The wider walk dilutes the changes: -8.3%, -6.25%, +6.25% and +33.3%.
    table = _compare(*feeds, walk_m=520.0)
    assert table["daily_trips_before"].tolist() == [24, 32, 32, 24]
    assert table["daily_trips_after"].tolist() == [22, 30, 34, 32]
    assert table["daily_trips_relative_change"].tolist() == pytest.approx(
        [-1 / 12, -1 / 16, 1 / 16, 1 / 3]
    )
    assert table["classification"].tolist() == [
        "unchanged",
        "unchanged",
        "unchanged",
        "improvement",
    ]


def test_loss_of_all_service_is_a_reduction(tmp_path: Path, feeds) -> None:
    # Route 1 cut back to P -> Q and Q -> P, 8 trips each: departures P 8, Q 8 (the last
    # stops are arrivals), and R, so D, loses all service.
    # A 24 -> 16 (-33%), B 16 -> 8 (-50%), C 0 -> 0, D 8 -> 0 (-100%).
    cut = _write_feed(tmp_path / "cut", [("1", 0, ["P", "Q"], 8), ("1", 1, ["Q", "P"], 8)])
    table = _compare(feeds[0], cut)
    assert table["daily_trips_after"].tolist() == [16, 8, 0, 0]
    relative = table["daily_trips_relative_change"].tolist()
    assert relative[3] == -1.0
    assert np.isnan(relative[2])  # no service before or after
    assert table["classification"].tolist() == ["reduction", "reduction", "unchanged", "reduction"]


def test_missing_geometries_get_no_service(feeds) -> None:
    grid = grid_frame()
    geometries = np.array([grid.geometry.iloc[0], None], dtype=object)
    table = compare_service(*feeds, geometries, grid.crs, UTM, date=DAY)
    assert table["daily_trips_before"].tolist() == [24, 0]
    assert table["classification"].tolist() == ["reduction", "unchanged"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"walk_m": 0.0}, "walking distance 0.0 m is not positive"),
        ({"major_change_threshold": 25}, "threshold 25 is not a fraction"),
        ({"measure": "riders"}, "'riders' is not a service measure"),
        ({"peak": (9 * 3600, 7 * 3600)}, "peak window"),
    ],
)
def test_bad_parameters(feeds, options, message) -> None:
    with pytest.raises(InputError, match=message):
        _compare(*feeds, **options)


def test_local_crs_must_be_projected(feeds) -> None:
    grid = grid_frame()
    with pytest.raises(InputError, match="is not projected"):
        compare_service(*feeds, grid.geometry.to_numpy(), grid.crs, "EPSG:4326", date=DAY)


def test_sample_project_brt_improves_and_route_14_cut_reduces() -> None:
    sample = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
    if not (sample / "gtfs_proposed.zip").is_file():
        pytest.skip("run sample_projects/generate_gtfs.py to make the sample feeds")
    base = read_gtfs(sample / "gtfs_baseline.zip")
    proposed = read_gtfs(sample / "gtfs_proposed.zip")
    tracts = gpd.read_file(sample / "tracts.gpkg")
    day = dt.date(2026, 11, 25)
    table = compare_service(base, proposed, tracts.geometry.to_numpy(), tracts.crs, UTM, date=day)
    local = tracts.to_crs(UTM).geometry.to_numpy()

    def near(feed: GtfsFeed, route_id: str) -> np.ndarray:
        trips = feed.trips.loc[feed.trips["route_id"] == route_id, "trip_id"]
        stop_ids = feed.stop_times.loc[feed.stop_times["trip_id"].isin(trips), "stop_id"]
        stops = feed.stops[feed.stops["stop_id"].isin(stop_ids)]
        points = gpd.GeoSeries.from_xy(stops["stop_lon"], stops["stop_lat"], crs=4326).to_crs(UTM)
        return shapely.dwithin(local[:, None], points.to_numpy()[None, :], 400.0).any(axis=1)

    classes = table["classification"].to_numpy()
    reductions, improvements = classes == "reduction", classes == "improvement"
    assert reductions.sum() >= 10 and improvements.sum() >= 10
    assert near(base, "14")[reductions].all()  # every reduction is on Route 14
    assert near(proposed, "EX")[improvements].all()  # every improvement is on the BRT
    # Route 14 alone serves most of them: 58 -> 30 weekday trips at each stop, -48.3%.
    assert np.isclose(table["daily_trips_relative_change"][reductions], 30 / 58 - 1).all()
