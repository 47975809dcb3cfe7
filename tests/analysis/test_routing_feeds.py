"""Feed preparation, scenario modifications and the bad inputs of routed access.

Each preparation step is checked on a feed written here with numbers worked out by hand; each
bad input must give one InputError (or warning) naming the file and the fault.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import shapely
from routing_city import line_feed, lonlat, street_with_crossings, write_gtfs, write_pbf

from equityplanner.analysis.routing.engine import check_osm_pbf
from equityplanner.analysis.routing.feeds import check_time_zones, prepare_feed
from equityplanner.analysis.routing.network import RoutedNetwork
from equityplanner.analysis.routing.scenario import (
    add_line,
    apply_projects,
    drop_routes,
    drop_trip_share,
    match_routes,
    measured_headway_min,
    scale_headways,
)
from equityplanner.errors import InputError
from equityplanner.io.gtfs import read_gtfs
from equityplanner.model.network import NetworkSource
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject
from equityplanner.model.travel_model import TravelModelParameters

DATE = dt.date(2019, 5, 13)
H8 = 8 * 3600


def _prepared(tmp_path: Path, tables: dict, name: str = "g", prefix: str = "f0"):
    return prepare_feed(read_gtfs(write_gtfs(tmp_path / name, tables)), DATE, prefix)


def _times(feed, trip_suffix: str = "") -> list[int]:
    times = feed.stop_times
    first = times["trip_id"].iloc[0]
    return times.loc[times["trip_id"].eq(first), "arrival_s"].tolist()


# --- interpolation ------------------------------------------------------------------------


def test_blank_times_are_interpolated_by_straight_line_distance(tmp_path: Path) -> None:
    stops = [("A", 0, 0), ("B", 100, 0), ("C", 400, 0), ("D", 1000, 0)]
    feed = _prepared(tmp_path, line_feed(stops, [H8], [0, None, None, 1000]))
    # by distance 100 m and 400 m of 1,000 m; read_gtfs alone gives 333 and 667 (stop order)
    assert _times(feed) == [H8, H8 + 100, H8 + 400, H8 + 1000]
    assert feed.report.times_interpolated == 2
    assert feed.report.trips_by_interpolation == {"straight_line": 1}


def test_blank_times_follow_the_shape_when_it_detours(tmp_path: Path) -> None:
    """The bus goes round a block between B and C: 500 m to B, then 2,500 m to C."""
    stops = [("A", 0, 0), ("B", 500, 0), ("C", 1000, 0)]
    shape = [(0, 0), (500, 0), (500, 1000), (1000, 1000), (1000, 0)]
    feed = _prepared(tmp_path, line_feed(stops, [H8], [0, None, 3000], shape=shape))
    # a straight line would say 1,500; the shape, 500 (to a metre of the map's projection)
    assert _times(feed) == pytest.approx([H8, H8 + 500, H8 + 3000], abs=1)
    assert feed.report.trips_by_interpolation == {"shape_projection": 1}


def test_shape_dist_traveled_is_used_when_every_stop_has_it(tmp_path: Path) -> None:
    tables = line_feed([("A", 0, 0), ("B", 100, 0), ("C", 200, 0)], [H8], [0, None, 600])
    for row, dist in zip(tables["stop_times"], (0, 50, 200), strict=True):
        row["shape_dist_traveled"] = dist  # B is 1/4 of the way along, whatever the map says
    feed = _prepared(tmp_path, tables)
    assert _times(feed) == [H8, H8 + 150, H8 + 600]
    assert feed.report.trips_by_interpolation == {"shape_dist_traveled": 1}


# --- service day, frequencies, time zones, ids ------------------------------------------------


def test_frequencies_are_expanded(tmp_path: Path) -> None:
    frequencies = [
        {
            "trip_id": "L1-28800",
            "start_time": "08:00:00",
            "end_time": "09:00:00",
            "headway_secs": 600,
        }
    ]
    feed = _prepared(
        tmp_path,
        line_feed([("A", 0, 0), ("B", 900, 0)], [H8], [0, 300], frequencies=frequencies),
    )
    starts = feed.stop_times.groupby("trip_id")["departure_s"].min().sort_values().tolist()
    assert starts == [H8 + 600 * k for k in range(6)]  # 08:00 ... 08:50, before 09:00
    assert feed.report.trips_from_frequencies == 6


def test_an_unbounded_frequency_row_is_refused_when_the_feed_is_read(tmp_path: Path) -> None:
    """The bound is io.gtfs's: ``trip,00:00:00,999:59:59,1`` never reaches the expansion."""
    frequencies = [
        {
            "trip_id": "L1-28800",
            "start_time": "00:00:00",
            "end_time": "999:59:59",
            "headway_secs": 1,
        }
    ]
    tables = line_feed([("A", 0, 0), ("B", 900, 0)], [H8], [0, 300], frequencies=frequencies)
    with pytest.raises(InputError, match=r"frequencies\.txt"):
        read_gtfs(write_gtfs(tmp_path / "huge", tables))


def test_a_date_outside_the_calendar_is_refused_naming_the_feed(tmp_path: Path) -> None:
    tables = line_feed([("A", 0, 0), ("B", 900, 0)], [H8], [0, 300], start_date="20200101")
    path = write_gtfs(tmp_path / "late", tables)
    with pytest.raises(InputError) as info:
        prepare_feed(read_gtfs(path), DATE, "f0")
    message = info.value.message
    assert str(path) in message and "runs no trip on 2019-05-13" in message
    assert "2020-01-01 to 2099-12-31" in message


def test_feeds_in_different_time_zones_are_refused(tmp_path: Path) -> None:
    a = _prepared(tmp_path, line_feed([("A", 0, 0), ("B", 900, 0)], [H8], [0, 300]), "a")
    b = _prepared(
        tmp_path,
        line_feed([("A", 0, 0), ("B", 900, 0)], [H8], [0, 300], timezone="America/Chicago"),
        "b",
        "f1",
    )
    assert check_time_zones([a, a]) == "America/Sao_Paulo"
    with pytest.raises(InputError, match="America/Chicago"):
        check_time_zones([a, b])


def test_ids_are_namespaced_per_feed(tmp_path: Path) -> None:
    tables = line_feed([("S1", 0, 0), ("S2", 900, 0)], [H8], [0, 300])
    a, b = _prepared(tmp_path, tables, "a", "f0"), _prepared(tmp_path, tables, "b", "f1")
    assert set(a.stops["stop_id"]) == {"f0:S1", "f0:S2"}
    assert set(b.stops["stop_id"]) == {"f1:S1", "f1:S2"}
    assert b.routes["source_route_id"].tolist() == ["L1"]


def test_overtaking_trips_get_a_route_of_their_own(tmp_path: Path) -> None:
    tables = line_feed([("A", 0, 0), ("B", 900, 0)], [H8, H8 + 60], [0, 600])
    tables["stop_times"][3]["arrival_time"] = tables["stop_times"][3]["departure_time"] = "08:05:00"
    feed = _prepared(tmp_path, tables)  # the 08:01 trip arrives at 08:05, before the 08:00 one
    assert feed.report.trips_split_for_overtaking == 1
    assert sorted(feed.trips["route_id"]) == ["f0:L1", "f0:L1~1"]


# --- scenario modifications -------------------------------------------------------------------


@pytest.fixture
def busy(tmp_path: Path):
    return _prepared(
        tmp_path,
        line_feed([("A", 0, 0), ("B", 900, 0)], list(range(H8, H8 + 3600, 600)), [0, 300]),
    )


def test_headways_scale_and_trips_drop(busy) -> None:
    assert len(busy.trips) == 6  # 08:00 ... 08:50
    doubled = scale_headways(busy, ["f0:L1"], 0.5)
    starts = sorted(doubled.stop_times.groupby("trip_id")["departure_s"].min())
    assert starts == [H8 + 300 * k for k in range(11)]  # every 5 min over the same span
    halved = drop_trip_share(busy, ["f0:L1"], 2)
    assert sorted(halved.stop_times.groupby("trip_id")["departure_s"].min()) == [
        H8,
        H8 + 1200,
        H8 + 2400,
    ]
    assert drop_routes(busy, ["f0:L1"]).trips.empty


def test_a_route_is_found_by_id_or_short_name_and_an_unknown_one_is_refused(busy) -> None:
    assert match_routes([busy], ["L1"], "project p") == {"f0": ["f0:L1"]}
    with pytest.raises(InputError) as info:
        match_routes([busy], ["L9"], "project p")
    assert "'L9'" in info.value.message and "L1" in info.value.message
    assert measured_headway_min([busy], ["L1"], (H8, H8 + 3600), "p") == pytest.approx(10.0)


def _project(change: ServiceChange, **kw: object) -> TransitProject:
    stations = tuple(
        Station(f"S{k}", shapely.Point(*lonlat(x, 0))) for k, x in enumerate((0, 1000, 3000))
    )
    values: dict = {"peak_headway_min": 10.0, "span_hours": 2.0, **kw}
    return TransitProject("p", "Proposal", Mode.BUS, change, stations, **values)


def test_a_new_line_runs_both_ways_at_its_headway_and_run_time(busy) -> None:
    line = add_line(
        busy, _project(ServiceChange.NEW, run_time_min=15.0), TravelModelParameters(), "new0"
    )
    assert len(line.trips) == 2 * 13  # 05:00 to 07:00 every 10 minutes, both directions
    first = line.stop_times[line.stop_times["trip_id"].eq("new0:p:0:0")]
    assert first["arrival_s"].tolist() == [5 * 3600, 5 * 3600 + 300, 5 * 3600 + 900]
    # without a run time: 3 km at the bus speed of the travel model (18 km/h): 600 s
    line = add_line(busy, _project(ServiceChange.NEW), TravelModelParameters(), "new0")
    first = line.stop_times[line.stop_times["trip_id"].eq("new0:p:0:0")]
    assert first["arrival_s"].iloc[-1] - first["arrival_s"].iloc[0] == pytest.approx(600, abs=2)


def test_projects_modify_the_named_routes(busy) -> None:
    params = TravelModelParameters()
    removal = _project(ServiceChange.REMOVAL, gtfs_routes=("L1",))
    (after,) = apply_projects([busy], [removal], params)
    assert after.trips.empty
    cut = _project(
        ServiceChange.REDUCTION,
        gtfs_routes=("L1",),
        peak_headway_min=20.0,
        baseline_peak_headway_min=10.0,
    )
    (after,) = apply_projects([busy], [cut], params)
    assert len(after.trips) == 3
    with pytest.raises(InputError, match="names no GTFS route"):
        apply_projects([busy], [_project(ServiceChange.REMOVAL)], params)
    with pytest.raises(InputError, match="'nope'"):
        apply_projects([busy], [_project(ServiceChange.REMOVAL, gtfs_routes=("nope",))], params)


# --- bad inputs -------------------------------------------------------------------------------


def test_a_pbf_that_is_not_osm_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "city.osm.pbf"
    fake.write_bytes(b"PK\x03\x04 this is a zip, not a PBF")
    with pytest.raises(InputError) as info:
        check_osm_pbf(fake)
    assert str(fake) in info.value.message and "not an OpenStreetMap PBF" in info.value.message
    xml = tmp_path / "city.osm"
    xml.write_text("<?xml version='1.0'?><osm version='0.6'></osm>")
    with pytest.raises(InputError, match="OSM XML"):
        check_osm_pbf(xml)


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("street")
    return write_pbf(folder / "city.osm.pbf", street_with_crossings())


def _load(street: Path, tables: dict, folder: Path, **kw: object) -> RoutedNetwork:
    feed = write_gtfs(folder, tables)
    return RoutedNetwork.load(NetworkSource(str(street), (str(feed),), "2019-05-13", **kw))


def test_a_window_without_departures_is_a_warning(street: Path, tmp_path: Path) -> None:
    tables = line_feed([("A", 300, 0), ("B", 2700, 0)], [14 * 3600], [0, 300])
    network = _load(street, tables, tmp_path / "g", window=("07:00", "09:00"))
    (warning,) = network.window_warnings()
    assert "no trip departs between 07:00 and 09:00" in warning and str(tmp_path / "g") in warning


def test_stops_away_from_the_streets_are_named(street: Path, tmp_path: Path) -> None:
    tables = line_feed([("A", 300, 0), ("B", 2700, 0), ("FAR", 2700, 2000)], [H8], [0, 300, 600])
    network = _load(street, tables, tmp_path / "g")
    network.travel_times()
    (warning,) = [w for w in network.warnings if "stops lie more than" in w]
    assert "1 of 3 stops" in warning and "Stop FAR (FAR)" in warning


def test_a_feed_with_every_stop_off_the_streets_is_refused(street: Path, tmp_path: Path) -> None:
    tables = line_feed([("A", 300, 5000), ("B", 2700, 5000)], [H8], [0, 300])
    network = _load(street, tables, tmp_path / "g")
    with pytest.raises(InputError) as info:
        network.travel_times()
    assert "none of its 2 stops" in info.value.message and str(tmp_path / "g") in info.value.message


def test_route_lines_for_the_map(street: Path, tmp_path: Path) -> None:
    tables = line_feed([("A", 300, 0), ("B", 2700, 0)], [H8], [0, 300])
    (line,) = _load(street, tables, tmp_path / "g").route_lines()
    assert line.route_id == "L1" and line.geometry.geom_type == "LineString"
    assert np.allclose(line.geometry.coords[0], lonlat(300, 0), atol=1e-6)


def test_a_window_routed_again_is_kept_with_its_warnings(street: Path, tmp_path: Path) -> None:
    tables = line_feed([("A", 300, 0), ("B", 2700, 0), ("FAR", 2700, 2000)], [H8], [0, 300, 600])
    points = np.array([lonlat(0, 0), lonlat(3000, 0)])
    first = _load(street, tables, tmp_path / "g")
    a = first.route_window(points)
    again = _load(street, tables, tmp_path / "g")
    assert again.route_window(points) is a  # nothing routed twice
    assert (
        [w for w in again.warnings if "stops lie more than" in w]
        == [w for w in first.warnings if "stops lie more than" in w]
        != []
    )
    assert again.route_window(points, build=1) is not a  # a separate build for the noise floor
