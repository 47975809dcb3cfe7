"""Reading GTFS feeds, and the service measures of routes, on a hand-made three-stop feed.

The feed in tests/data/gtfs_three_stops has one route, R1, over three stops S1 - S2 - S3,
every stop 10 minutes from the last. Its service days:

* WK: Monday to Friday, 2024-01-01 .. 2024-12-31 (calendar.txt), removed on Thursday
  2024-07-04 (calendar_dates.txt, exception_type 2);
* SU: only Sunday 2024-07-07 (calendar_dates.txt, exception_type 1).

WK trips (the last stop of a trip is an arrival, not a departure):

  direction 0, S1 -> S2 -> S3 (departures at S1 and S2)
    d0_0600  S1 06:00  S2 06:10
    d0_0650  S1 06:50  S2 07:00 (arrives 06:59)
    d0_0900  S1 09:00  S2 09:10
    d0_1200  S1 12:00  S2 empty -> interpolated halfway to S3's 12:20 = 12:10
    d0_1800  S1 18:00  S2 18:10
    d0_2350  S1 23:50  S2 24:10  (S3 24:30: the trip runs past midnight)
    d0_freq  pattern S1 +0, S2 +10 min, S3 +20 min; frequencies.txt:
             07:00-09:00 every 900 s (exact_times 1) -> starts 07:00, 07:15, ..., 08:45 = 8
             15:00-16:00 every 1800 s (exact_times 0) -> starts 15:00, 15:30 = 2
    -> 6 + 8 + 2 = 16 trips
  direction 1, S3 -> S2 -> S1 (departures at S3 and S2)
    d1_0640 S3 06:40 S2 06:50; d1_0730 S3 07:30 S2 07:40; d1_0830 S3 08:30 S2 08:40;
    d1_1600 S3 16:00 S2 16:10; d1_2200 S3 22:00 S2 22:10
    -> 5 trips
  A WK day: 21 trips, 2 departures each = 42 departures.

SU trips: su_1000 (dir 0, S1 10:00), su_1200 (dir 1, S3 12:00), su_1400 (dir 0, S1 14:00):
3 trips, 6 departures, span 10:00 -> 14:00 = 4 h, nothing in the 07:00-09:00 peak.

Peak 07:00-09:00 (end excluded) on a WK day, distinct trips leaving each stop:
  dir 0  S1: d0_freq 07:00 ... 08:45 = 8 (06:50 and 09:00 fall outside)
         S2: d0_freq 07:10 ... 08:55 = 8, plus d0_0650 at 07:00 = 9   <- busiest
  dir 1  S3: 07:30, 08:30 = 2;  S2: 07:40, 08:40 = 2 (06:50 outside)
  peak headway = 120 min / 9 = 13.333 min.
Span: first trip start 06:00 (d0_0600), last 23:50 (d0_2350) = 17 h 50 min = 17.8333 h.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from helpers import SHARED_DATA, shared_data

from equityplanner.errors import InputError
from equityplanner.io.gtfs import (
    GtfsFeed,
    active_service_ids,
    read_gtfs,
    route_service,
    transit_project_from_routes,
    trip_departures,
)
from equityplanner.io.hashing import sha256_file
from equityplanner.model.project import Mode, ServiceChange

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "gtfs_three_stops"
BJCTA = SHARED_DATA / "bjcta-gtfs-2011"

WEDNESDAY = dt.date(2024, 7, 3)  # WK; Tuesday's WK runs past midnight into it
HOLIDAY = dt.date(2024, 7, 4)  # Thursday: WK removed by calendar_dates
FRIDAY = dt.date(2024, 7, 5)  # WK; Thursday had no service, so nothing runs in
SATURDAY = dt.date(2024, 7, 6)  # nothing of its own; Friday's late trip runs in
SUNDAY = dt.date(2024, 7, 7)  # SU only (added by calendar_dates)

MIN = 60
HOUR = 3600


@pytest.fixture(scope="module")
def feed() -> GtfsFeed:
    return read_gtfs(FIXTURE)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the fixture feed that a test may break."""
    target = tmp_path / "feed"
    shutil.copytree(FIXTURE, target)
    return target


def _edit(folder: Path, name: str, change: Callable[[list[str]], list[str]]) -> None:
    """Rewrite the lines (without line ends) of one file of a feed folder."""
    path = folder / name
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


def _replace(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _zip(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, prefix + file.name)
    return target


# --- reading --------------------------------------------------------------------------------


def test_reads_the_folder_into_typed_frames(feed: GtfsFeed) -> None:
    assert feed.warnings == ()
    assert feed.files == (
        "agency.txt",
        "calendar.txt",
        "calendar_dates.txt",
        "frequencies.txt",
        "routes.txt",
        "shapes.txt",
        "stop_times.txt",
        "stops.txt",
        "trips.txt",
    )
    assert feed.path == FIXTURE
    assert len(feed.sha256) == 64
    assert list(feed.stops["stop_id"]) == ["S1", "S2", "S3"]
    assert feed.stops["stop_lat"].dtype == np.float64
    assert feed.routes["route_type"].tolist() == [3]
    assert len(feed.trips) == 15
    assert str(feed.trips["direction_id"].dtype) == "Int8"
    assert len(feed.stop_times) == 45  # 15 trips x 3 stops
    assert feed.stop_times["departure_s"].dtype == np.int64
    assert feed.calendar.loc[0, "monday"] and not feed.calendar.loc[0, "saturday"]
    assert feed.calendar_dates["exception_type"].tolist() == [2, 1]
    assert feed.frequencies[["start_s", "end_s", "headway_s"]].to_numpy().tolist() == [
        [7 * HOUR, 9 * HOUR, 900],
        [15 * HOUR, 16 * HOUR, 1800],
    ]
    assert feed.frequencies["exact_times"].tolist() == [True, False]


def test_times_past_midnight_dwell_and_interpolation(feed: GtfsFeed) -> None:
    times = feed.stop_times.set_index(["trip_id", "stop_id"])
    # 24:10:00 and 24:30:00 are legal: 87,000 and 88,200 s after the service day's midnight.
    assert times.loc[("d0_2350", "S2"), "departure_s"] == 24 * HOUR + 10 * MIN == 87_000
    assert times.loc[("d0_2350", "S3"), "arrival_s"] == 24 * HOUR + 30 * MIN
    # Dwell: arrives 06:59, departs 07:00.
    assert times.loc[("d0_0650", "S2"), "arrival_s"] == 6 * HOUR + 59 * MIN
    assert times.loc[("d0_0650", "S2"), "departure_s"] == 7 * HOUR
    # Empty times at S2 of d0_1200: halfway (by stop order) from 12:00 to 12:20.
    row = times.loc[("d0_1200", "S2")]
    assert row["departure_s"] == row["arrival_s"] == 12 * HOUR + 10 * MIN
    assert not row["time_given"]
    assert feed.stop_times["time_given"].sum() == 44


def test_reads_a_zip_like_the_folder(tmp_path: Path, feed: GtfsFeed) -> None:
    archive = _zip(FIXTURE, tmp_path / "feed.zip")
    zipped = read_gtfs(archive)
    assert zipped.sha256 == sha256_file(archive)
    pd.testing.assert_frame_equal(zipped.stop_times, feed.stop_times)
    assert route_service(zipped, "R1", WEDNESDAY) == route_service(feed, "R1", WEDNESDAY)
    # Zipped with its folder: one level of nesting is accepted.
    nested = read_gtfs(_zip(FIXTURE, tmp_path / "nested.zip", prefix="three_stops/"))
    assert len(nested.stop_times) == 45


def test_folder_hash_follows_the_content(copy: Path, feed: GtfsFeed) -> None:
    assert read_gtfs(copy).sha256 == feed.sha256
    _replace(copy, "stops.txt", "First Street", "First Avenue")
    assert read_gtfs(copy).sha256 != feed.sha256


# --- service days and departures ------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (WEDNESDAY, {"WK"}),
        (HOLIDAY, set()),  # WK removed (exception_type 2)
        (SATURDAY, set()),
        (SUNDAY, {"SU"}),  # added (exception_type 1), defined only in calendar_dates.txt
        (dt.date(2024, 7, 14), set()),  # the next Sunday: SU was added for one day only
        (dt.date(2023, 12, 29), set()),  # a Friday before start_date
        (dt.date(2025, 1, 1), set()),  # a Wednesday after end_date
        ("2024-07-08", {"WK"}),  # dates may be given as ISO text
    ],
)
def test_active_service_ids(feed: GtfsFeed, date, expected) -> None:
    assert active_service_ids(feed, date) == expected


@pytest.mark.parametrize(
    ("date", "own", "carried"),
    [
        # 21 trips x 2 departures; Tuesday's d0_2350 leaves S2 at 24:10 -> 00:10 Wednesday.
        (WEDNESDAY, 42, 1),
        (HOLIDAY, 0, 1),  # no service of its own; Wednesday's late departure runs in
        (FRIDAY, 42, 0),  # Thursday ran nothing
        (SATURDAY, 0, 1),
        (SUNDAY, 6, 0),  # 3 trips x 2; Saturday ran nothing
    ],
)
def test_trip_departures_counts(feed: GtfsFeed, date, own, carried) -> None:
    departures = trip_departures(feed, date)
    assert list(departures.columns) == [
        "trip_id",
        "route_id",
        "stop_id",
        "stop_sequence",
        "departure_s",
        "direction_id",
        "previous_day",
    ]
    assert (~departures["previous_day"]).sum() == own
    assert departures["previous_day"].sum() == carried
    assert departures["departure_s"].is_monotonic_increasing


def test_previous_day_trip_is_shifted_by_a_day(feed: GtfsFeed) -> None:
    departures = trip_departures(feed, WEDNESDAY)
    carried = departures[departures["previous_day"]]
    assert carried[["trip_id", "stop_id", "departure_s"]].values.tolist() == [
        ["d0_2350", "S2", 10 * MIN],  # 24:10 of Tuesday = 00:10 of Wednesday
    ]
    # Wednesday's own d0_2350 keeps its service-day time, 24:10.
    own = departures[(departures["trip_id"] == "d0_2350") & ~departures["previous_day"]]
    assert own["departure_s"].tolist() == [23 * HOUR + 50 * MIN, 24 * HOUR + 10 * MIN]
    # The last stop (S3, 24:30) is an arrival only.
    assert "S3" not in set(own["stop_id"])


def test_frequencies_are_expanded(feed: GtfsFeed) -> None:
    departures = trip_departures(feed, WEDNESDAY)
    expanded = departures[departures["trip_id"].str.startswith("d0_freq")]
    starts = [
        f"{h:02d}:{m:02d}:00"
        for h, m in [
            (7, 0),
            (7, 15),
            (7, 30),
            (7, 45),
            (8, 0),
            (8, 15),
            (8, 30),
            (8, 45),
            (15, 0),
            (15, 30),
        ]
    ]
    assert sorted(expanded["trip_id"].unique()) == sorted(f"d0_freq@{s}" for s in starts)
    at_s2 = expanded[expanded["stop_id"] == "S2"].sort_values("departure_s")
    # The pattern puts S2 10 minutes after the start: 07:10, 07:25, ... 08:55, 15:10, 15:40.
    assert at_s2["departure_s"].tolist() == [
        7 * HOUR + 10 * MIN + 15 * MIN * k for k in range(8)
    ] + [15 * HOUR + 10 * MIN, 15 * HOUR + 40 * MIN]
    assert set(expanded["route_id"]) == {"R1"} and set(expanded["direction_id"]) == {0}


# --- route service --------------------------------------------------------------------------


def test_route_service_on_a_weekday(feed: GtfsFeed) -> None:
    service = route_service(feed, "R1", WEDNESDAY)
    assert service["trips_by_direction"] == {0: 16, 1: 5}
    assert service["daily_trips"] == 21  # Tuesday's late trip is not Wednesday's
    assert service["peak_departures"] == 9  # direction 0 at S2
    assert service["peak_headway_min"] == pytest.approx(120 / 9)  # 13.333 min
    assert service["first_departure_s"] == 6 * HOUR
    assert service["last_departure_s"] == 23 * HOUR + 50 * MIN
    assert service["span_hours"] == pytest.approx(17 + 50 / 60)  # 17.8333 h


def test_route_service_on_sunday_and_on_the_holiday(feed: GtfsFeed) -> None:
    sunday = route_service(feed, ["R1"], SUNDAY)
    assert sunday["trips_by_direction"] == {0: 2, 1: 1}
    assert sunday["daily_trips"] == 3
    assert sunday["span_hours"] == pytest.approx(4.0)  # 10:00 -> 14:00
    assert sunday["peak_headway_min"] is None  # nothing between 07:00 and 09:00
    holiday = route_service(feed, "R1", HOLIDAY)
    assert holiday["daily_trips"] == 0
    assert holiday["span_hours"] is None and holiday["peak_headway_min"] is None


def test_route_service_with_another_peak_window(feed: GtfsFeed) -> None:
    # 15:00-16:00: d0_freq starts 15:00 and 15:30 -> S1 2, S2 (15:10, 15:40) 2;
    # d1_1600 leaves S3 at 16:00, outside the half-open window -> headway 60 / 2 = 30 min.
    service = route_service(feed, "R1", WEDNESDAY, peak=(15 * HOUR, 16 * HOUR))
    assert service["peak_departures"] == 2
    assert service["peak_headway_min"] == pytest.approx(30.0)


def test_route_service_rejects_unknown_routes_and_bad_windows(feed: GtfsFeed) -> None:
    with pytest.raises(InputError, match=r"'R9'.*not in routes\.txt.*'R1'"):
        route_service(feed, "R9", WEDNESDAY)
    with pytest.raises(InputError, match="peak window"):
        route_service(feed, "R1", WEDNESDAY, peak=(9 * HOUR, 7 * HOUR))


# --- projects -------------------------------------------------------------------------------


def test_transit_project_from_routes(feed: GtfsFeed) -> None:
    project = transit_project_from_routes(feed, "R1", date=WEDNESDAY, project_id="r1")
    assert project.id == "r1"
    assert project.name == "Three Stop Line"
    assert project.mode is Mode.BUS  # route_type 3
    assert project.change is ServiceChange.NEW
    assert [s.name for s in project.stations] == ["First Street", "Second Street", "Third Street"]
    assert project.stations[2].geometry.equals(shapely.Point(-86.98, 33.45))
    # The longest trips tie at 3 stops; the first in trips.txt, d0_0600, uses shape SH0.
    assert project.alignment.equals(
        shapely.LineString([(-87.0, 33.44), (-86.99, 33.44), (-86.99, 33.445), (-86.98, 33.45)])
    )
    assert project.peak_headway_min == pytest.approx(120 / 9)
    assert project.span_hours == pytest.approx(17 + 50 / 60)
    assert project.baseline_peak_headway_min is None


def test_project_alignment_without_shapes_mode_and_baseline(copy: Path, feed: GtfsFeed) -> None:
    (copy / "shapes.txt").unlink()
    (copy / "frequencies.txt").unlink()
    # Without frequencies.txt, d0_freq is one ordinary trip (S1 07:00, S2 07:10). Peak:
    # dir 0 S1 1 (07:00), S2 2 (d0_0650 07:00, d0_freq 07:10); dir 1 S3 2, S2 2 -> 120 / 2 = 60.
    baseline = read_gtfs(copy)
    assert any("shape_id(s) 'SH0', 'SH1' are not in shapes.txt" in w for w in baseline.warnings)
    assert route_service(baseline, "R1", WEDNESDAY)["daily_trips"] == 12  # 7 + 5
    project = transit_project_from_routes(
        feed,
        "R1",
        date=WEDNESDAY,
        project_id="r1",
        name="Line 1 upgrade",
        change="improvement",
        mode="brt",
        baseline=baseline,
    )
    assert project.name == "Line 1 upgrade"
    assert project.mode is Mode.BRT
    assert project.change is ServiceChange.IMPROVEMENT
    assert project.baseline_peak_headway_min == pytest.approx(60.0)
    assert project.peak_headway_min == pytest.approx(120 / 9)
    without_shapes = transit_project_from_routes(baseline, "R1", date=WEDNESDAY, project_id="b")
    # The alignment then runs through the stops of the longest trip.
    assert without_shapes.alignment.equals(
        shapely.LineString([(-87.0, 33.44), (-86.99, 33.44), (-86.98, 33.45)])
    )


def test_project_stations_use_parent_stations(copy: Path) -> None:
    _edit(
        copy,
        "stops.txt",
        lambda lines: [
            *[
                line.replace(
                    "S2,Second Street,33.440000,-86.990000,0,",
                    "S2,Second Street platform 1,33.440000,-86.990000,0,P2",
                )
                for line in lines
            ],
            "P2,Second Street Station,33.440100,-86.990100,1,",
        ],
    )
    project = transit_project_from_routes(read_gtfs(copy), "R1", date=WEDNESDAY, project_id="r")
    assert [s.name for s in project.stations] == [
        "First Street",
        "Second Street Station",
        "Third Street",
    ]
    assert project.stations[1].geometry.equals(shapely.Point(-86.9901, 33.4401))


def test_project_mode_from_route_type(copy: Path) -> None:
    _replace(copy, "routes.txt", "Three Stop Line,3", "Three Stop Line,2")
    rail = transit_project_from_routes(read_gtfs(copy), "R1", date=WEDNESDAY, project_id="r")
    assert rail.mode is Mode.RAIL
    _replace(copy, "routes.txt", "Three Stop Line,2", "Three Stop Line,4")
    ferry = read_gtfs(copy)
    with pytest.raises(InputError, match=r"route_type\(s\) 4 .* give no single mode") as info:
        transit_project_from_routes(ferry, "R1", date=WEDNESDAY, project_id="r")
    assert "mode='rail', 'brt' or 'bus'" in str(info.value)
    assert (
        transit_project_from_routes(ferry, "R1", date=WEDNESDAY, project_id="r", mode=Mode.BUS).mode
        is Mode.BUS
    )


def test_project_needs_service_on_the_date(feed: GtfsFeed) -> None:
    with pytest.raises(InputError, match=r"run no trips on 2024-07-06 \(Saturday\)"):
        transit_project_from_routes(feed, "R1", date=SATURDAY, project_id="r1")


# --- bad input ------------------------------------------------------------------------------


def test_missing_stops_file(copy: Path) -> None:
    (copy / "stops.txt").unlink()
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    assert info.value.path == copy
    assert "the feed has no stops.txt, which holds the stop locations" in str(info.value)
    assert "GTFS requires it" in str(info.value)


@pytest.mark.parametrize("name", ["agency.txt", "routes.txt", "trips.txt", "stop_times.txt"])
def test_every_required_file_is_named_when_missing(copy: Path, name: str) -> None:
    (copy / name).unlink()
    with pytest.raises(InputError, match=f"the feed has no {name}, which holds"):
        read_gtfs(copy)


def test_missing_column(copy: Path) -> None:
    _edit(
        copy,
        "stops.txt",
        lambda lines: [",".join(line.split(",")[:3] + line.split(",")[4:]) for line in lines],
    )  # drop stop_lon
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    message = str(info.value)
    assert message.startswith(f"{copy}/stops.txt: header line: has no column(s) 'stop_lon'")
    assert "columns found: stop_id, stop_name, stop_lat, location_type, parent_station" in message


def test_bad_time_names_file_row_column_and_value(copy: Path) -> None:
    # Line 6 of stop_times.txt is d0_0650 at S2, data row 5.
    _replace(copy, "stop_times.txt", "d0_0650,06:59:00,07:00:00", "d0_0650,06:59:00,7:6O:00")
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    error = info.value
    assert str(error.path) == f"{copy}/stop_times.txt"
    assert error.location == "row 5 (line 6), column 'departure_time'"
    assert error.fault == "'7:6O:00' is not a time of day (HH:MM:SS)"
    assert "25:10:00" in error.remedy


def test_single_digit_hours_are_times(copy: Path) -> None:
    _replace(copy, "stop_times.txt", "d0_0600,06:00:00,06:00:00", "d0_0600,6:00:00, 6:00:00")
    times = read_gtfs(copy).stop_times.set_index(["trip_id", "stop_id"])
    assert times.loc[("d0_0600", "S1"), "departure_s"] == 6 * HOUR


def test_unknown_stop_id(copy: Path) -> None:
    _replace(copy, "stop_times.txt", "d1_1600,16:10:00,16:10:00,S2", "d1_1600,16:10:00,16:10:00,S9")
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    error = info.value
    assert str(error.path) == f"{copy}/stop_times.txt"
    assert error.fault == "1 row(s) refer to 1 stop_id(s) that stops.txt does not define: 'S9'"
    assert error.location == "column 'stop_id': row 32 (line 33) 'S9'"


def test_unknown_trip_id_in_stop_times(copy: Path) -> None:
    _edit(copy, "stop_times.txt", lambda lines: [*lines, "ghost,10:00:00,10:00:00,S1,1"])
    with pytest.raises(
        InputError,
        match=r"row 46 \(line 47\) 'ghost': 1 row\(s\) refer to "
        r"1 trip_id\(s\) that trips\.txt does not define",
    ):
        read_gtfs(copy)


def test_unknown_route_id_in_trips(copy: Path) -> None:
    _replace(copy, "trips.txt", "R1,WK,d0_1800", "R7,WK,d0_1800")
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    assert str(info.value.path).endswith("trips.txt")
    assert "refer to 1 route_id(s) that routes.txt does not define: 'R7'" in info.value.fault
    assert info.value.location == "column 'route_id': row 6 (line 7) 'R7'"


def test_no_calendar_at_all(copy: Path) -> None:
    (copy / "calendar.txt").unlink()
    (copy / "calendar_dates.txt").unlink()
    with pytest.raises(InputError, match=r"neither calendar\.txt .* nor calendar_dates\.txt"):
        read_gtfs(copy)


def test_calendar_dates_alone_is_enough(copy: Path) -> None:
    (copy / "calendar.txt").unlink()
    feed = read_gtfs(copy)
    assert active_service_ids(feed, SUNDAY) == {"SU"}
    # WK now appears only as a removal on 2024-07-04, so it never runs.
    assert active_service_ids(feed, WEDNESDAY) == set()
    assert route_service(feed, "R1", WEDNESDAY)["daily_trips"] == 0


def test_undefined_service_id_is_a_warning(copy: Path) -> None:
    _replace(copy, "trips.txt", "R1,WK,d1_2200", "R1,XX,d1_2200")
    feed = read_gtfs(copy)
    assert feed.warnings == (
        f"{copy}/trips.txt: 1 trip(s) use service_id(s) 'XX' that neither calendar.txt nor "
        "calendar_dates.txt defines; they never run.",
    )
    assert route_service(feed, "R1", WEDNESDAY)["daily_trips"] == 20


def test_calendars_with_headers_only(copy: Path) -> None:
    _edit(copy, "calendar.txt", lambda lines: lines[:1])
    _edit(copy, "calendar_dates.txt", lambda lines: lines[:1])
    with pytest.raises(InputError, match="define no service days"):
        read_gtfs(copy)


def test_empty_feed(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "readme.md").write_text("not a feed")
    with pytest.raises(InputError, match="holds no GTFS files"):
        read_gtfs(folder)
    with pytest.raises(InputError, match="holds no GTFS files"):
        read_gtfs(_zip(folder, tmp_path / "empty.zip"))


def test_stop_times_with_a_header_only(copy: Path) -> None:
    _edit(copy, "stop_times.txt", lambda lines: lines[:1])
    with pytest.raises(InputError, match=r"stop_times\.txt: has a header but no rows"):
        read_gtfs(copy)


def test_empty_file(copy: Path) -> None:
    (copy / "routes.txt").write_text("")
    with pytest.raises(InputError, match=r"routes\.txt: is empty"):
        read_gtfs(copy)


def test_corrupt_zip(tmp_path: Path) -> None:
    archive = _zip(FIXTURE, tmp_path / "feed.zip")
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[:2000])
    with pytest.raises(InputError) as info:
        read_gtfs(truncated)
    assert info.value.path == truncated
    assert "is not a readable zip archive" in info.value.fault
    # A damaged member: flip bytes inside the compressed data of stop_times.txt.
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info_ = z.getinfo("stop_times.txt")
    start = info_.header_offset + 30 + len(info_.filename) + len(info_.extra)
    data[start + 20 : start + 40] = bytes(20)
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(bytes(data))
    with pytest.raises(
        InputError,
        match=r"damaged\.zip/stop_times\.txt: cannot be read: the "
        "archive is damaged",
    ):
        read_gtfs(damaged)


def test_not_a_feed(tmp_path: Path, copy: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_gtfs(tmp_path / "nowhere.zip")
    with pytest.raises(InputError, match="looks like one file of a feed: pass its folder"):
        read_gtfs(copy / "stops.txt")


def test_first_stop_without_a_time(copy: Path) -> None:
    _replace(copy, "stop_times.txt", "d1_2200,22:00:00,22:00:00,S3", "d1_2200,,,S3")
    with pytest.raises(
        InputError,
        match=r"no time at their first or last stop "
        r"\(e\.g\. trip 'd1_2200'\)",
    ):
        read_gtfs(copy)


def test_duplicate_stop_id(copy: Path) -> None:
    _edit(copy, "stops.txt", lambda lines: [*lines, "S2,Second Street again,33.5,-87.1,0,"])
    with pytest.raises(
        InputError,
        match=r"row 2 \(line 3\) 'S2'; row 4 \(line 5\) 'S2': 1 "
        r"stop_id\(s\) appear more than once",
    ):
        read_gtfs(copy)


def test_projected_coordinates(copy: Path) -> None:
    _replace(
        copy,
        "stops.txt",
        "S3,Third Street,33.450000,-86.980000",
        "S3,Third Street,3701000.0,517000.0",
    )
    with pytest.raises(
        InputError,
        match=r"'stop_lat': row 3 \(line 4\) '3701000.0': 1 value\(s\) "
        r"are beyond ±90 degrees",
    ):
        read_gtfs(copy)


# --- a real feed with real defects ----------------------------------------------------------


@pytest.fixture(scope="module")
def bjcta() -> GtfsFeed:
    return read_gtfs(shared_data("bjcta-gtfs-2011"))


def test_bjcta_reads_with_warnings(bjcta: GtfsFeed) -> None:
    # Broken quoting (""Central Station"") leaves stray quotes: they are removed, with a
    # warning naming the file, the column, the rows and the values.
    names = dict(zip(bjcta.stops["stop_id"], bjcta.stops["stop_name"], strict=True))
    assert names["central"] == "Central Station"
    assert names["colonnade"] == "Colonnade"
    assert not bjcta.stops["stop_name"].str.contains('"').any()
    warnings = "\n".join(bjcta.warnings)
    assert (
        "stops.txt: column 'stop_name': 16 value(s) carry stray quotation marks (broken "
        "CSV quoting), removed: row 1 (line 2) 'Central Station\"\"'"
    ) in warnings
    # Two stops at one point (the FIXME stop); a shape no trip uses.
    assert "2 stops share the coordinates of another stop (westlake = walmartbessemer)" in warnings
    assert "no trip uses shape(s) 'HWY280_SHP'" in warnings
    # calendar_dates.txt is header-only: calendar.txt alone defines the service days.
    assert bjcta.calendar_dates.empty
    assert active_service_ids(bjcta, dt.date(2012, 3, 7)) == {"WD"}
    assert active_service_ids(bjcta, dt.date(2012, 3, 10)) == {"S"}
    assert active_service_ids(bjcta, dt.date(2012, 3, 11)) == set()


def test_bjcta_non_timepoints_are_interpolated(bjcta: GtfsFeed) -> None:
    # 98 stop_times rows (HWY280 downtown stops) leave both times empty: legal, interpolated.
    assert (~bjcta.stop_times["time_given"]).sum() == 98
    trip = bjcta.stop_times[bjcta.stop_times["trip_id"] == "hwy280WD0"].set_index("stop_sequence")
    # central 04:50 (seq 1), two empty stops, summit 05:15 (seq 4): 04:58:20 and 05:06:40.
    assert trip.loc[2, "departure_s"] == 4 * HOUR + 58 * MIN + 20
    assert trip.loc[3, "departure_s"] == 5 * HOUR + 6 * MIN + 40


def test_bjcta_route_service(bjcta: GtfsFeed) -> None:
    weekday = route_service(bjcta, "hwy280", dt.date(2012, 3, 7))
    assert weekday["daily_trips"] == 17
    # Every trip of this feed has direction_id 0, even the returns (a real defect): the
    # direction split cannot be trusted, but the counts can.
    assert weekday["trips_by_direction"] == {0: 17}
    assert weekday["peak_headway_min"] == pytest.approx(30.0)
    saturday = route_service(bjcta, "hwy280", dt.date(2012, 3, 10))
    assert saturday["daily_trips"] == 8
    project = transit_project_from_routes(
        bjcta, "hwy280", date=dt.date(2012, 3, 7), project_id="hwy280"
    )
    assert project.name == "Route HWY280"
    assert project.stations[0].name == "Central Station"
    assert len(project.stations) == 8


# --- the sample project's feeds (sample_projects/generate_gtfs.py) ---------------------------

SAMPLE = Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia"
SAMPLE_DAY = dt.date(2026, 11, 25)  # a Wednesday, the sample project's date


@pytest.fixture(scope="module")
def sample_feeds() -> tuple[GtfsFeed, GtfsFeed]:
    paths = [SAMPLE / "gtfs_baseline.zip", SAMPLE / "gtfs_proposed.zip"]
    if not all(path.is_file() for path in paths):
        pytest.skip("run sample_projects/generate_gtfs.py to make the sample feeds")
    return read_gtfs(paths[0]), read_gtfs(paths[1])


def test_sample_feeds_reproduce_the_sample_projects(sample_feeds) -> None:
    baseline, proposed = sample_feeds
    assert baseline.warnings == () and proposed.warnings == ()
    route14 = transit_project_from_routes(
        proposed,
        "14",
        date=SAMPLE_DAY,
        project_id="route-14",
        change="reduction",
        baseline=baseline,
    )
    assert route14.mode is Mode.BUS
    assert route14.baseline_peak_headway_min == pytest.approx(30.0)
    assert route14.peak_headway_min == pytest.approx(60.0)
    assert route14.span_hours == pytest.approx(14.0)
    assert len(route14.stations) == 20
    assert route14.stations[0].name == "N 27th St & 2nd Ave"
    brt = transit_project_from_routes(
        proposed, "EX", date=SAMPLE_DAY, project_id="eastside-brt", mode="brt"
    )
    assert brt.name == "Eastside Express"
    assert brt.peak_headway_min == pytest.approx(10.0)
    assert brt.span_hours == pytest.approx(18.0)
    assert [s.name for s in brt.stations][::13] == [
        "Westgate Transit Center",
        "Eastgate Transit Center",
    ]
    assert "EX" not in set(baseline.routes["route_id"])
    # Thanksgiving runs to the Sunday timetable; frequent routes have a trip past midnight.
    assert active_service_ids(baseline, dt.date(2026, 11, 26)) == {"SUN"}
    late = trip_departures(baseline, dt.date(2026, 11, 26))
    assert late["previous_day"].any()
