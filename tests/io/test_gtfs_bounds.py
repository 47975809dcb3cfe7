"""GTFS feeds that would give a wrong verdict or exhaust memory (issue 12, item 2).

A feed without service on the analysis date, a date outside a feed, overlapping
frequencies.txt periods and a one-line frequencies "bomb" are each refused, or noted, by
name; the bomb within a memory bound.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from equityplanner.analysis.service_change import check_feeds
from equityplanner.errors import InputError
from equityplanner.io.gtfs import (
    MAX_DEPARTURES,
    check_service_day,
    read_gtfs,
    service_day,
    trip_departures,
)

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "gtfs_three_stops"
WEDNESDAY = dt.date(2024, 7, 3)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "feed"
    shutil.copytree(FIXTURE, target)
    return target


def _write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


CALENDAR_HEADER = "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
CALENDAR_HEADER += "start_date,end_date\n"


def test_service_day_counts_trips_and_expanded_frequencies() -> None:
    day = service_day(read_gtfs(FIXTURE), WEDNESDAY)
    # 11 scheduled WK trips plus d0_freq: 8 departures 07:00-09:00 and 2 15:00-16:00.
    assert day.trips == 11 + 8 + 2
    assert day.period == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_a_calendar_of_zeros_is_no_service_on_the_date(copy: Path) -> None:
    _write(copy, "calendar.txt", CALENDAR_HEADER + "WK,0,0,0,0,0,0,0,20240101,20241231\n")
    feed = read_gtfs(copy)
    with pytest.raises(InputError) as info:
        check_service_day(feed, WEDNESDAY, "proposed")
    message = info.value.message
    # The only day of service left is the Sunday calendar_dates.txt adds.
    assert "the proposed feed has no service on 2024-07-03 (Wednesday)" in message
    assert "runs from 2024-07-07 to 2024-07-07" in message
    assert "gtfs.date" in message and str(copy) in message
    assert "\n" not in message


def test_a_day_every_service_is_removed_from_is_no_service() -> None:
    feed = read_gtfs(FIXTURE)
    with pytest.raises(InputError) as info:
        check_service_day(feed, dt.date(2024, 7, 4), "proposed")  # WK removed that day
    assert "the proposed feed runs no trip on 2024-07-04 (Thursday)" in info.value.message
    assert "calendar_dates.txt removes it" in info.value.message


def test_an_expired_feed_names_its_period(copy: Path) -> None:
    feed = read_gtfs(copy)
    with pytest.raises(InputError, match=r"runs from 2024-01-01 to 2024-12-31, so the date"):
        check_service_day(feed, dt.date(2026, 3, 10), "baseline")


def test_check_feeds_refuses_either_feed_without_service(copy: Path) -> None:
    good = read_gtfs(FIXTURE)
    _write(copy, "calendar.txt", CALENDAR_HEADER + "WK,0,0,0,0,0,0,0,20240101,20241231\n")
    empty = read_gtfs(copy)
    with pytest.raises(InputError, match="proposed feed has no service"):
        check_feeds(good, empty, WEDNESDAY)
    with pytest.raises(InputError, match="baseline feed has no service"):
        check_feeds(empty, good, WEDNESDAY)
    assert check_feeds(good, good, WEDNESDAY) == []


def test_a_collapse_of_service_is_a_blocking_notice(copy: Path) -> None:
    # Keep one WK trip of the proposed feed: the others move to a service that never runs.
    trips = (copy / "trips.txt").read_text(encoding="utf-8").splitlines()
    kept = [trips[0], trips[1], *(line.replace(",WK,", ",OFF,") for line in trips[2:])]
    _write(copy, "trips.txt", "\n".join(kept) + "\n")
    notices = check_feeds(read_gtfs(FIXTURE), read_gtfs(copy), WEDNESDAY)
    assert [n.severity for n in notices] == ["blocking"]
    assert notices[0].code == "gtfs.proposed_service_drop"
    assert notices[0].result_id == "gtfs-service-change"
    assert "95% fewer trips" in notices[0].message


def test_overlapping_frequency_periods_are_refused(copy: Path) -> None:
    _write(
        copy,
        "frequencies.txt",
        "trip_id,start_time,end_time,headway_secs,exact_times\n"
        "d0_freq,07:00:00,09:00:00,900,1\n"
        "d0_freq,08:00:00,10:00:00,900,1\n",
    )
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    message = info.value.message
    assert "frequencies.txt" in message and "overlap" in message
    assert "trip 'd0_freq': row 1 (line 2) and row 2 (line 3)" in message
    assert "counted twice" in message


def test_repeated_frequency_rows_are_counted_once_with_a_warning(copy: Path) -> None:
    row = "d0_freq,07:00:00,09:00:00,900,1\n"
    header = "trip_id,start_time,end_time,headway_secs,exact_times\n"
    _write(copy, "frequencies.txt", header + row * 3)
    feed = read_gtfs(copy)
    assert len(feed.frequencies) == 1
    assert any("repeat an earlier row exactly" in w for w in feed.warnings)
    departures = trip_departures(feed, WEDNESDAY)
    expanded = departures[departures["trip_id"].str.startswith("d0_freq@")]
    assert expanded["trip_id"].nunique() == 8  # 07:00 to 08:45 every 15 min, once


def _bomb(folder: Path, target: Path) -> Path:
    """The fuzzed feed: one frequencies.txt line from 00:00 to 999:59:59 every second."""
    _write(
        folder,
        "frequencies.txt",
        "trip_id,start_time,end_time,headway_secs\nd0_freq,00:00:00,999:59:59,1\n",
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.iterdir()):
            archive.write(file, file.name)
    return target


def test_the_one_line_frequencies_bomb_is_refused_within_a_memory_bound(
    copy: Path, tmp_path: Path
) -> None:
    bomb = _bomb(copy, tmp_path / "bomb.zip")
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as info:
            read_gtfs(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, f"{peak / 1e6:.0f} MB traced while refusing"
    assert "end after 48:00:00" in info.value.message


def test_a_frequencies_expansion_past_the_bound_is_refused(copy: Path) -> None:
    # Within a service day but every second for 47 hours: 169,200 trips of 3 stops each.
    _write(
        copy,
        "frequencies.txt",
        "trip_id,start_time,end_time,headway_secs\n"
        + "".join(f"d0_freq,{h:02d}:00:00,{h + 1:02d}:00:00,1\n" for h in range(0, 47)),
    )
    trips = (copy / "trips.txt").read_text(encoding="utf-8")
    copies = "".join(f"R1,WK,x{n},0,SH0,X\n" for n in range(10))
    _write(copy, "trips.txt", trips + copies)
    times = (copy / "stop_times.txt").read_text(encoding="utf-8").splitlines()
    pattern = [line for line in times[1:] if line.startswith("d0_freq,")]
    extra = [line.replace("d0_freq,", f"x{n},", 1) for n in range(10) for line in pattern]
    freq = (copy / "frequencies.txt").read_text(encoding="utf-8").splitlines()
    more = [line.replace("d0_freq,", f"x{n},", 1) for n in range(10) for line in freq[1:]]
    _write(copy, "stop_times.txt", "\n".join([*times, *extra]) + "\n")
    _write(copy, "frequencies.txt", "\n".join([*freq, *more]) + "\n")
    with pytest.raises(InputError) as info:
        read_gtfs(copy)
    assert f"{MAX_DEPARTURES:,} departures this tool reads" in info.value.message
    assert "every 1 s" in info.value.message
