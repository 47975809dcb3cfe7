"""The straight-line travel-time model: hand-worked times, exact vs aggregated counting."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS

from equityplanner.analysis.travel_time import (
    DESCRIPTION,
    StraightLineModel,
    TransitLine,
    TravelModelParameters,
    TravelTimeProvider,
    count_opportunities,
    lines_before_after,
)
from equityplanner.errors import Cancelled, InputError, MethodError
from equityplanner.io.project_file import load_project
from equityplanner.progress import Progress

SAMPLE_PROJECT = (
    Path(__file__).resolve().parents[2] / "sample_projects" / "magnolia" / "sample.eqp.json"
)

# Hand-worked layout (metres), route factor 1 so that distances are easy:
# walking 4.8 km/h = 80 m/min; bus 18 km/h = 300 m/min; rail 36 km/h = 600 m/min.
#
#   D3 (6000, 6300)
#   |  rail L2: R1 (6000, 0) -> R2 (6000, 6000), headway 6 -> wait 3
#   O1 (0, 400)             D1 (6000, 400)
#   S1 (0, 0) ---- S2 (3000, 0) ---- S3 (6000, 0)     bus L1, headway 10 -> wait 5
#            O2 (3000, -800) D2 (3200, -800)
ORIGINS = np.array([[0.0, 400.0], [3000.0, -800.0]])
DESTINATIONS = np.array([[6000.0, 400.0], [3200.0, -800.0], [6000.0, 6300.0]])
BUS = TransitLine("L1", "Line 1", "bus", [[0, 0], [3000, 0], [6000, 0]], headway_min=10)
RAIL = TransitLine("L2", "Line 2", "rail", [[6000, 0], [6000, 6000]], headway_min=6)


def hand_model(**overrides) -> StraightLineModel:
    return StraightLineModel([BUS, RAIL], route_factor=1.0, rail_speed_kmh=36.0, **overrides)


def test_walk_only_times() -> None:
    model = StraightLineModel(route_factor=1.0)
    times = model.times_minutes(ORIGINS, DESTINATIONS)
    # O1 -> D1: 6,000 m / 80 = 75; O2 -> D2: 200 m = 2.5; O1 -> D2: hypot(3200, 1200) / 80
    assert times[0, 0] == pytest.approx(75.0)
    assert times[1, 1] == pytest.approx(2.5)
    assert times[0, 1] == pytest.approx(math.hypot(3200, 1200) / 80)


def test_walk_time_uses_the_route_factor() -> None:
    model = StraightLineModel()  # 4.8 km/h x 1.3
    assert model.times_minutes([[0, 0]], [[800, 0]])[0, 0] == pytest.approx(800 * 1.3 / 80)


def test_transit_times_hand_worked() -> None:
    times = hand_model().times_minutes(ORIGINS, DESTINATIONS)
    # O1 -> D1: walk 400 m (5) + wait 5 + ride 6,000 m (20) + walk 400 m (5) = 35
    assert times[0, 0] == pytest.approx(35.0)
    # O2 -> D1: walk 800 m (10) + wait 5 + ride 3,000 m (10) + walk 400 m (5) = 30
    assert times[1, 0] == pytest.approx(30.0)
    # O1 -> D2: 5 + 5 + 10 + walk hypot(200, 800) from S2 = 30.31, beats walking (42.72)
    assert times[0, 1] == pytest.approx(20.0 + math.hypot(200, 800) / 80)
    # O2 -> D2: walking 200 m beats any ride
    assert times[1, 1] == pytest.approx(2.5)


def test_transfer_hand_worked() -> None:
    times = hand_model().times_minutes(ORIGINS, DESTINATIONS)
    # O1 -> D3: 5 + 5 + 20 (bus to S3) + transfer 0 m walk + 5 penalty + wait 3 + ride 10
    #           + walk 300 m (3.75) = 51.75
    assert times[0, 2] == pytest.approx(51.75)
    # O2 -> D3: 10 + 5 + 10 + 5 + 3 + 10 + 3.75 = 46.75
    assert times[1, 2] == pytest.approx(46.75)


def test_transfer_can_be_disabled() -> None:
    times = hand_model(allow_transfer=False).times_minutes(ORIGINS, DESTINATIONS)
    # D3 is beyond the egress walk of the bus, and no origin can walk to the rail: walk
    assert times[0, 2] == pytest.approx(math.hypot(6000, 5900) / 80)
    assert times[1, 2] == pytest.approx(math.hypot(3000, 7100) / 80)
    assert times[0, 0] == pytest.approx(35.0)


def test_station_minutes_hand_worked() -> None:
    station = hand_model().station_minutes
    # stations: S1, S2, S3 (bus), R1, R2 (rail)
    assert station[0, 1] == pytest.approx(15.0)  # wait 5 + 10
    assert station[0, 2] == pytest.approx(25.0)
    assert station[3, 4] == pytest.approx(13.0)  # wait 3 + 10
    assert station[0, 4] == pytest.approx(5 + 20 + 5 + 3 + 10)  # via the transfer S3 -> R1
    assert np.isinf(np.diag(station)).all()
    assert station[4, 0] == pytest.approx(3 + 10 + 5 + 5 + 20)  # rail to R1, transfer, bus to S1
    assert np.isinf(station[3, 0])  # R1 -> S1 would be a transfer without riding the rail


def test_access_walk_limit_counts_walking_distance() -> None:
    line = TransitLine("L", "L", "bus", [[0, 0], [6000, 0]], headway_min=10)
    model = StraightLineModel([line])  # 1,200 m walking = 923 m straight at route factor 1.3
    links = model.station_links([[0, 900], [0, 950]])
    assert links.point.tolist() == [0]
    assert links.minutes[0] == pytest.approx(900 * 1.3 / 80)


def test_stations_per_line_keeps_the_nearest() -> None:
    line = TransitLine("L", "L", "bus", [[0, 0], [100, 0], [200, 0], [300, 0]], headway_min=10)
    links = StraightLineModel([line], stations_per_line=2).station_links([[0, 10]])
    assert links.station.tolist() == [0, 1]


def test_description_is_plain() -> None:
    text = hand_model().description
    assert text.startswith(DESCRIPTION)
    assert "not a street or timetable router" in text
    assert "route factor 1" in text and "2 transit lines" in text


def test_the_model_is_a_travel_time_provider() -> None:
    assert isinstance(StraightLineModel(), TravelTimeProvider)


# --- parameters ------------------------------------------------------------------------------


def test_parameters_round_trip() -> None:
    params = TravelModelParameters(route_factor=1.2, allow_transfer=False, stations_per_line=2)
    data = params.to_dict()
    assert data["walk_speed_kmh"] == 4.8 and data["allow_transfer"] is False
    assert TravelModelParameters.from_dict(data) == params
    assert TravelModelParameters.from_dict({}) == TravelModelParameters()


def test_parameters_from_dict_names_every_bad_key() -> None:
    with pytest.raises(InputError) as info:
        TravelModelParameters.from_dict(
            {"walk_sped_kmh": 5, "route_factor": "high", "allow_transfer": 1}, path="p.eqp.json"
        )
    message = str(info.value)
    assert "p.eqp.json" in message and "parameters.travel_model" in message
    assert "walk_sped_kmh: unknown" in message
    assert "route_factor" in message and "allow_transfer" in message


@pytest.mark.parametrize(
    "field, value",
    [
        ("walk_speed_kmh", 0),
        ("route_factor", 0.8),
        ("stations_per_line", 0),
        ("bus_speed_kmh", -1),
        ("transfer_penalty_min", -2),
        ("max_access_walk_m", math.inf),
    ],
)
def test_bad_parameter_values(field: str, value: float) -> None:
    with pytest.raises(InputError, match=field):
        TravelModelParameters(**{field: value})


def test_unknown_model_override_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="route_factr"):
        StraightLineModel(route_factr=1.2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"stations_xy": [[0, 0]]}, "at least two stations"),
        ({"headway_min": 0}, "headway"),
        ({"mode": "tram"}, "tram"),
        ({"stations_xy": [[0, 0], [np.nan, 1]]}, "without coordinates"),
    ],
)
def test_bad_lines(kwargs: dict, match: str) -> None:
    args = {
        "id": "x",
        "name": "x",
        "mode": "bus",
        "stations_xy": [[0, 0], [1, 1]],
        "headway_min": 5,
    }
    with pytest.raises(InputError, match=match):
        TransitLine(**{**args, **kwargs})


def test_repeated_line_ids_are_refused() -> None:
    with pytest.raises(InputError, match="more than once"):
        StraightLineModel([BUS, BUS])


def test_lines_from_the_sample_project() -> None:
    doc = load_project(SAMPLE_PROJECT)
    transit = [p for p in doc.projects if p.kind == "transit"]
    crs = CRS.from_epsg(32616)
    before, after = lines_before_after(transit, crs)
    assert [(line.id, line.headway_min) for line in before] == [("route-14", 30.0)]
    assert [(line.id, line.headway_min) for line in after] == [
        ("eastside-brt", 10.0),
        ("route-14", 60.0),
    ]
    brt = after[0]
    assert len(brt.stations_xy) == 14 and brt.mode.value == "brt"
    assert 14_000 < brt.length_m < 17_000  # a 15.6 km alignment


def test_missing_headway_is_an_input_error() -> None:
    doc = load_project(SAMPLE_PROJECT)
    brt = next(p for p in doc.projects if p.id == "eastside-brt")
    with pytest.raises(InputError, match="baseline_peak_headway_min"):
        TransitLine.from_project(brt, CRS.from_epsg(32616), baseline=True)


# --- counting --------------------------------------------------------------------------------


def test_counts_hand_worked() -> None:
    weights = np.array([1.0, 10.0, 100.0])
    model = hand_model()
    for method in ("exact", "aggregated"):
        counts = model.opportunities_within(
            ORIGINS, DESTINATIONS, weights, [30, 35, 52], method=method
        )
        # O1: D2 at 30.31, D1 at 35, D3 at 51.75; O2: D2 2.5, D1 30, D3 46.75
        assert counts.tolist() == [[0, 11, 111], [11, 11, 111]]


def test_counts_refuse_bad_input() -> None:
    model = hand_model()
    with pytest.raises(MethodError, match="weights"):
        model.opportunities_within(ORIGINS, DESTINATIONS, [1, 2], 30)
    with pytest.raises(MethodError, match="zero or more"):
        model.opportunities_within(ORIGINS, DESTINATIONS, [1, -2, 3], 30)
    with pytest.raises(MethodError, match="method"):
        model.opportunities_within(ORIGINS, DESTINATIONS, [1, 2, 3], 30, method="fast")
    with pytest.raises(MethodError, match=r"\(n, 2\)"):
        model.times_minutes([1, 2, 3], DESTINATIONS)


class _Manhattan:
    """A stand-in provider: Manhattan distance at 100 m/min."""

    description = "Manhattan distance at 100 m/min"

    def times_minutes(self, origins_xy, destinations_xy):
        o, d = np.asarray(origins_xy, float), np.asarray(destinations_xy, float)
        return np.abs(o[:, None, :] - d[None, :, :]).sum(axis=2) / 100.0


def test_any_provider_is_counted_exactly() -> None:
    counts = count_opportunities(
        [_Manhattan()], [[0, 0]], [[1000, 0], [1000, 1500]], [1, 2], [10, 25]
    )
    assert counts[0].tolist() == [[1.0, 3.0]]


class _CancelAfter(Progress):
    def __init__(self, reports: int) -> None:
        super().__init__(threading.Event())
        self.left = reports
        self.fractions: list[float] = []

    def _emit(self, fraction: float, message: str) -> None:
        self.fractions.append(fraction)
        self.left -= 1
        if self.left == 0:
            self.cancel()


def test_progress_between_chunks_and_cancel() -> None:
    rng = np.random.default_rng(1)
    origins = rng.uniform(0, 5000, (50, 2))
    progress = _CancelAfter(reports=1000)
    hand_model().opportunities_within(
        origins, DESTINATIONS, [1, 1, 1], 45, chunk_size=10, progress=progress
    )
    assert len(progress.fractions) >= 5 and progress.fractions[-1] == pytest.approx(1.0)
    with pytest.raises(Cancelled):
        hand_model().opportunities_within(
            origins, DESTINATIONS, [1, 1, 1], 45, chunk_size=10, progress=_CancelAfter(reports=2)
        )


def test_walking_counts_match_brute_force_on_a_big_random_layout() -> None:
    rng = np.random.default_rng(7)
    origins = rng.uniform(-20_000, 20_000, (3000, 2))
    destinations = rng.normal(0, 6000, (5000, 2))
    weights = rng.integers(0, 50, 5000).astype(float)
    model = StraightLineModel()
    fast = model.opportunities_within(origins, destinations, weights, [10, 30, 45, 60])
    dense = model.opportunities_within(
        origins, destinations, weights, [10, 30, 45, 60], method="exact"
    )
    np.testing.assert_allclose(fast, dense, rtol=0, atol=1e-6)


# --- aggregated vs exact on random small cases -----------------------------------------------

coordinate = st.floats(0, 5000, allow_nan=False).map(lambda v: round(v, 1))
point = st.tuples(coordinate, coordinate)


@st.composite
def layouts(draw, *, max_lines: int = 3):
    lines = []
    for k in range(draw(st.integers(0, max_lines))):
        stations = draw(st.lists(point, min_size=2, max_size=6))
        lines.append(
            TransitLine(
                f"L{k}",
                f"Line {k}",
                draw(st.sampled_from(["bus", "brt", "rail"])),
                np.array(stations),
                headway_min=draw(st.sampled_from([2.0, 5.0, 10.0, 15.0, 30.0])),
            )
        )
    origins = np.array(draw(st.lists(point, min_size=1, max_size=12)))
    destinations = np.array(draw(st.lists(point, min_size=1, max_size=15)))
    weights = np.array(
        draw(st.lists(st.integers(0, 5), min_size=len(destinations), max_size=len(destinations))),
        dtype=float,
    )
    thresholds = draw(st.lists(st.integers(0, 90), min_size=1, max_size=3))
    return lines, origins, destinations, weights, [float(t) for t in thresholds]


parameters_st = st.builds(
    dict,
    route_factor=st.sampled_from([1.0, 1.3]),
    max_access_walk_m=st.sampled_from([600.0, 1200.0, 2500.0]),
    allow_transfer=st.booleans(),
    max_transfer_walk_m=st.sampled_from([0.0, 400.0, 1500.0]),
)

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(layouts(), parameters_st, st.integers(1, 5))
def test_chunked_exact_equals_the_whole_matrix(layout, params, chunk) -> None:
    lines, origins, destinations, weights, thresholds = layout
    model = StraightLineModel(lines, **params)
    times = model.times_minutes(origins, destinations)
    whole = np.column_stack([(times <= t + 1e-9) @ weights for t in thresholds])
    chunked = model.opportunities_within(
        origins, destinations, weights, thresholds, method="exact", chunk_size=chunk
    )
    np.testing.assert_allclose(chunked, whole, atol=1e-9)
    rows = model.times_minutes(origins[:chunk], destinations)
    np.testing.assert_array_equal(rows, times[:chunk])


@_SETTINGS
@given(layouts(), parameters_st, st.integers(1, 5))
def test_aggregated_equals_exact_with_one_station_per_line(layout, params, chunk) -> None:
    lines, origins, destinations, weights, thresholds = layout
    model = StraightLineModel(lines, stations_per_line=1, **params)
    exact = model.opportunities_within(origins, destinations, weights, thresholds, method="exact")
    aggregated = model.opportunities_within(
        origins, destinations, weights, thresholds, chunk_size=chunk
    )
    np.testing.assert_allclose(aggregated, exact, atol=1e-6)


@_SETTINGS
@given(layouts(), parameters_st)
def test_aggregated_is_never_above_exact(layout, params) -> None:
    lines, origins, destinations, weights, thresholds = layout
    model = StraightLineModel(lines, **params)
    exact = model.opportunities_within(origins, destinations, weights, thresholds, method="exact")
    aggregated = model.opportunities_within(origins, destinations, weights, thresholds)
    assert (aggregated <= exact + 1e-6).all()


def _nearest_station_slack(model: StraightLineModel) -> float:
    """Largest in-vehicle time between two stations of a line that one destination can use."""
    p = model.parameters
    reach = 2 * p.max_access_walk_m / p.route_factor
    slack = 0.0
    for line in model.lines:
        along = line.cumulative_m
        xy = line.stations_xy
        close = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) <= reach * (
            1 + 1e-9
        )
        ride = np.abs(along[:, None] - along[None, :]) / (p.speed_kmh(line.mode) * 1000 / 60)
        slack = max(slack, float(ride[close].max()))
    return slack


@_SETTINGS
@given(layouts(), parameters_st)
def test_aggregated_is_within_one_ride_of_exact_without_transfers(layout, params) -> None:
    lines, origins, destinations, weights, thresholds = layout
    model = StraightLineModel(lines, **{**params, "allow_transfer": False})
    slack = _nearest_station_slack(model)
    aggregated = model.opportunities_within(origins, destinations, weights, thresholds)
    earlier = [max(t - slack - 1e-6, 0.0) for t in thresholds]
    exact_earlier = model.opportunities_within(
        origins, destinations, weights, earlier, method="exact"
    )
    assert (aggregated >= exact_earlier - 1e-6).all()
