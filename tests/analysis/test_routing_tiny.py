"""Routed travel times on a hand-made city, checked against times worked out by hand.

The city (tests/routing_city.py) is a 3 km street along y = 0 with a cross street every
100 m, so the routing engine has a street node every 100 m; walking one 100 m edge takes
``W`` = trunc(100 m / 1.4 m/s) = 71 s. Line L1 stops at x = 300 m (S1) and x = 2,700 m (S2),
leaves S1 every 10 minutes from 08:00 and takes 300 s to S2.

From x = 0 to x = 3,000 leaving at 08:00: walk 3 edges (213 s) to S1, wait for the 08:10 bus,
ride 300 s, walk 3 edges (213 s): 600 + 300 + 213 = 1,113 s, plus the engine's 1 s from the
street node to the point: 1,114 s, to the second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from routing_city import edge_s, line_feed, lonlat, street_with_crossings, write_gtfs, write_pbf

from equityplanner.analysis.routing.network import RoutedNetwork
from equityplanner.analysis.routing.provider import UNREACHABLE_S, window_percentiles
from equityplanner.model.network import NetworkSource

H8 = 8 * 3600
W = edge_s(100)
SNAP = 1
"""The engine walks between a point and its street node in whole seconds rounded up: 1 s for a
point on the node (its detailed journeys show an egress of 1 s from a stop's node to a point
there). Walk-only trips leave both point legs out."""
DATE = "2019-05-13"


def _points(*xs: float) -> np.ndarray:
    return np.array([[round(v, 7) for v in lonlat(x, 0)] for x in xs])


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    write_pbf(folder / "city.osm.pbf", street_with_crossings())
    return folder


def _network(city: Path, tables: dict, name: str, **settings_kw: object) -> RoutedNetwork:
    feed = write_gtfs(city / name, tables)
    settings = NetworkSource(str(city / "city.osm.pbf"), (str(feed),), DATE, **settings_kw)
    return RoutedNetwork.load(settings)


def _l1(departures: list[int] | None = None) -> dict:
    return line_feed(
        [("S1", 300, 0), ("S2", 2700, 0)],
        departures if departures is not None else list(range(H8, H8 + 3601, 600)),
        [0, 300],
    )


def test_the_edge_time_is_71_seconds() -> None:
    assert W == 71


def test_walk_wait_ride_walk_to_the_second(city: Path) -> None:
    network = _network(city, _l1(), "l1", window=("08:00", "08:00"))
    times = network.travel_times().route(_points(0, 3000))
    walk = 3 * W
    expected = walk + (600 - walk) + 300 + walk  # walk, wait for 08:10, ride, walk
    assert expected == 1113
    expected += SNAP  # the egress leg from the street node to the point (the access one
    # is absorbed by the wait)
    assert times.departures == 1
    for p in (25, 50, 75):
        assert times.minutes(p)[0, 1] * 60 == pytest.approx(expected, abs=1e-9)
    # Back from x = 3,000 to x = 0 there is no bus that way, and walking 30 edges (35.5 min)
    # is beyond the 20-minute walking limit.
    assert times.minutes(50)[1, 0] == np.inf
    assert times.minutes(50)[0, 0] == 0


def test_walk_only_is_edges_on_the_street(city: Path) -> None:
    network = _network(city, _l1(), "l1walk", window=("08:00", "08:00"), max_walk_min=40)
    times = network.travel_times().route(_points(0, 500, 3000))
    assert times.minutes(50)[1, 0] * 60 == pytest.approx(5 * W)  # walk-only: no point legs
    assert times.minutes(50)[2, 0] * 60 == pytest.approx(30 * W)


def test_window_percentiles_worked_by_hand(city: Path) -> None:
    """Leaving at 08:00 + k min, k = 0..9: the 08:10 bus for k <= 6, then the 08:20 one."""
    network = _network(city, _l1(), "l1w", window=("08:00", "08:09"), step_min=1)
    times = network.travel_times().route(_points(0, 3000))
    by_hand = sorted(
        (600 - 60 * k if 60 * k + 3 * W + SNAP <= 600 else 1200 - 60 * k) + 300 + 3 * W + SNAP
        for k in range(10)
    )
    assert by_hand == [754, 814, 874, 934, 994, 1054, 1114, 1174, 1234, 1294]
    # nearest rank over 10 departures: the 3rd, 5th and 8th fastest
    assert times.minutes(25)[0, 1] * 60 == pytest.approx(by_hand[2])
    assert times.minutes(50)[0, 1] * 60 == pytest.approx(by_hand[4])
    assert times.minutes(75)[0, 1] * 60 == pytest.approx(by_hand[7])


def test_a_cutoff_makes_long_trips_unreachable(city: Path) -> None:
    network = _network(city, _l1(), "l1c", window=("08:00", "08:00"), cutoff_min=15)
    times = network.travel_times().route(_points(0, 3000, 100))
    assert times.minutes(50)[0, 1] == np.inf  # 18.55 minutes by bus, 35.5 on foot
    assert times.minutes(50)[0, 2] * 60 == pytest.approx(W)


def test_a_point_far_from_the_streets_reaches_nothing(city: Path) -> None:
    network = _network(city, _l1(), "l1f", window=("08:00", "08:00"), max_walk_min=1)
    lon, lat = lonlat(1500, 3000)
    times = network.travel_times().route(np.vstack([_points(0), [[lon, lat]]]))
    assert times.snapped.tolist() == [True, False]
    assert np.isinf(times.minutes(50)[1]).all() and np.isinf(times.minutes(50)[:, 1]).all()


def test_the_provider_interface_slices_origins_and_destinations(city: Path) -> None:
    network = _network(city, _l1(), "l1p", window=("08:00", "08:00"))
    provider = network.travel_times()
    o, d = _points(0, 100), _points(3000)
    got = provider.times_minutes(o, d)
    assert got.shape == (2, 1)
    assert got[0, 0] * 60 == pytest.approx(1114)
    assert got[1, 0] * 60 == pytest.approx(1114)  # 2 edges to S1, still the 08:10 bus


@given(
    stack=st.lists(
        st.lists(st.integers(0, 9000) | st.just(UNREACHABLE_S), min_size=4, max_size=4),
        min_size=1,
        max_size=40,
    )
)
def test_percentiles_are_ordered_for_any_window(stack: list[list[int]]) -> None:
    values = np.array(stack, dtype=np.uint16).reshape(len(stack), 2, 2)
    p25, p50, p75 = window_percentiles(values.copy())
    assert (p25 <= p50).all() and (p50 <= p75).all()
    assert (p25 >= values.min(axis=0)).all() and (p75 <= values.max(axis=0)).all()


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.integers(7 * 60, 9 * 60),
    length=st.integers(0, 60),
    step=st.integers(1, 15),
)
def test_routed_percentiles_are_ordered_for_any_window(
    city: Path, start: int, length: int, step: int
) -> None:
    window = (
        f"{start // 60:02d}:{start % 60:02d}",
        f"{(start + length) // 60:02d}:{(start + length) % 60:02d}",
    )
    network = _network(city, _l1(), "l1h", window=window, step_min=step)
    times = network.travel_times().route(_points(0, 900, 2000, 3000))
    p25, p50, p75 = (times.minutes(p) for p in (25, 50, 75))
    assert (p25 <= p50).all() and (p50 <= p75).all()


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    base=st.lists(st.integers(0, 120), min_size=1, max_size=6, unique=True),
    extra=st.lists(st.integers(0, 120), min_size=1, max_size=6, unique=True),
)
def test_adding_trips_never_lengthens_a_travel_time(
    city: Path, base: list[int], extra: list[int]
) -> None:
    """Trips added on the same stops (minutes after 07:30) can only make times shorter."""
    departures = [H8 - 1800 + 60 * m for m in base]
    more = sorted(set(departures) | {H8 - 1800 + 60 * m for m in extra})
    points = _points(0, 200, 500, 2500, 2800, 3000)
    before = _network(city, _l1(sorted(departures)), "base", window=("07:30", "08:30"), step_min=10)
    after = _network(city, _l1(more), "more", window=("07:30", "08:30"), step_min=10)
    t_before = before.travel_times().route(points)
    t_after = after.travel_times().route(points)
    for p in (25, 50, 75):
        assert (t_after.minutes(p) <= t_before.minutes(p) + 1e-9).all()


def test_settings_are_kept_by_the_provider(city: Path) -> None:
    network = _network(city, _l1(), "l1s", window=("08:00", "08:10"))
    provider = network.travel_times()
    assert provider.settings.departures_s == (H8, H8 + 300, H8 + 600)
    assert "ferrobus" in provider.description and "08:00-08:10" in provider.description
    later = replace(network.settings, percentile=75)
    assert "75th percentile" in later.describe()


def test_a_date_is_a_date() -> None:
    assert NetworkSource("a", ("b",), DATE).service_date == dt.date(2019, 5, 13)
