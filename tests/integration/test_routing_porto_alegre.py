"""Routed access on real data: Porto Alegre's streets, EPTC buses and Trensurb trains.

Every number is held against an independent check, never against the router itself:

* walking times against our own Dijkstra on the same OSM ways (scipy.sparse.csgraph);
* station-to-station times against the Trensurb timetable read with pandas (wait + ride);
* removing Trensurb's LINHA1 and adding a new line against those checks and against the
  rebuilt-baseline noise floor (the engine moves slightly between builds).

About 400 of the 1,227 H3 cells (every third) are routed, with one departure every 10 minutes,
to keep the module to seconds.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

os.environ.setdefault("RAYON_NUM_THREADS", "1")

import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from helpers import shared_data
from scipy import sparse
from scipy.sparse import csgraph

from equityplanner.analysis import access as acc
from equityplanner.analysis.routing.feeds import haversine_m
from equityplanner.analysis.routing.network import RoutedNetwork
from equityplanner.analysis.routing.scenario import apply_projects
from equityplanner.io.gtfs import read_gtfs, trip_departures
from equityplanner.model.network import NetworkSource
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject
from equityplanner.model.travel_model import TravelModelParameters

DATE = "2019-05-13"
WALK = 1.4  # m/s, the engine's walking speed


def _poa(name: str) -> Path:
    return shared_data("porto-alegre", name)


@pytest.fixture(scope="module")
def cells() -> pd.DataFrame:
    frame = pd.read_csv(_poa("poa_hexgrid.csv"))
    return frame.iloc[::3].reset_index(drop=True).fillna(0)


def _network(**kw: object) -> RoutedNetwork:
    settings = NetworkSource(
        str(_poa("poa_osm.pbf")),
        (str(_poa("poa_eptc.zip")), str(_poa("poa_trensurb.zip"))),
        DATE,
        **kw,  # type: ignore[arg-type]
    )
    return RoutedNetwork.load(settings)


@pytest.fixture(scope="module")
def morning() -> RoutedNetwork:
    """07:00-09:00 every 10 minutes: only the trains run (EPTC's trips are 11:20-17:50)."""
    return _network(window=("07:00", "09:00"), step_min=10)


# --- walking against our own Dijkstra ---------------------------------------------------------

_FOOT = {
    "cycleway", "path", "footway", "steps", "pedestrian", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street", "road", "service", "track",
}  # fmt: skip
_NO_FOOT = {"motorway", "motorway_link", "trunk", "trunk_link"}


def _walkable(tags: list[tuple[str, str]]) -> bool:
    """The engine's rule (osm4routing): tags in file order, the last word wins."""
    foot = None
    for key, value in tags:
        if key == "highway":
            foot = True if value in _FOOT else (False if value in _NO_FOOT else foot)
        elif key in ("foot", "pedestrian"):
            foot = value != "no"
    return foot is True


def _walk_graph(path: Path):
    """Nodes (lat, lon), how many way ends or passes each has, and a CSR graph of metres."""
    ids: dict[int, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    uses: list[int] = []
    a: list[int] = []
    b: list[int] = []
    ways = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    )
    for way in ways:
        if not _walkable([(t.k, t.v) for t in way.tags]):
            continue
        refs = []
        nodes = [n for n in way.nodes if n.location.valid()]
        for j, node in enumerate(nodes):
            k = ids.setdefault(node.ref, len(lat))
            if k == len(lat):
                lat.append(node.lat)
                lon.append(node.lon)
                uses.append(0)
            uses[k] += 2 if j in (0, len(nodes) - 1) else 1
            refs.append(k)
        a += refs[:-1]
        b += refs[1:]
    la, lo = np.array(lat), np.array(lon)
    u, v = np.array(a), np.array(b)
    metres = haversine_m(la[u], lo[u], la[v], lo[v])
    graph = sparse.coo_matrix((metres, (u, v)), shape=(len(la), len(la))).tocsr()
    _, label = csgraph.connected_components(graph, directed=False)
    big = label == np.bincount(label).argmax()
    return la, lo, np.array(uses), graph, big


def test_walking_times_match_our_dijkstra_on_the_same_ways(cells: pd.DataFrame) -> None:
    lat, lon, uses, graph, big = _walk_graph(_poa("poa_osm.pbf"))
    candidates = np.flatnonzero((uses > 1) & big)  # intersections, as the engine snaps
    rng = np.random.default_rng(7)
    pairs: list[tuple[int, int]] = []
    while len(pairs) < 40:
        i, j = (int(v) for v in rng.integers(0, len(cells), 2))
        d = haversine_m(cells.lat[i], cells.lon[i], cells.lat[j], cells.lon[j])
        if 300 < d < 2000:
            pairs.append((i, j))
    used = sorted({k for p in pairs for k in p})
    # nearest intersection in raw degrees (as the engine's R-tree)
    near = np.array(
        [
            candidates[
                np.argmin(
                    (lon[candidates] - cells.lon[k]) ** 2 + (lat[candidates] - cells.lat[k]) ** 2
                )
            ]
            for k in used
        ]
    )
    node_of = dict(zip(used, near, strict=True))
    sources = np.unique(near)
    metres = csgraph.dijkstra(graph, directed=False, indices=sources)
    row = {s: r for r, s in enumerate(sources)}
    ours = np.array([metres[row[node_of[i]], node_of[j]] / WALK for i, j in pairs])

    network = _network(window=("03:00", "03:00"), max_walk_min=60, cutoff_min=240)
    points = cells.loc[used, ["lon", "lat"]].to_numpy()
    times = network.travel_times().route(points).minutes(50) * 60
    position = {k: n for n, k in enumerate(used)}
    routed = np.array([times[position[i], position[j]] for i, j in pairs])
    ok = np.isfinite(routed) & np.isfinite(ours) & (ours > 0)
    assert ok.mean() >= 0.9
    relative = routed[ok] / ours[ok] - 1
    print(
        f"walking, routed vs our Dijkstra over {ok.sum()} pairs: median {np.median(relative):+.2%}, "
        f"within 5% {np.mean(np.abs(relative) < 0.05):.0%}, range {relative.min():+.1%} to "
        f"{relative.max():+.1%}"
    )
    # The engine truncates each edge to whole seconds (about -1%) and leaves out the two legs
    # between a point and its node; the network is the same.
    assert abs(float(np.median(relative))) < 0.03, np.median(relative)
    assert float(np.mean(np.abs(relative) < 0.05)) >= 0.8, np.sort(relative)


# --- the trains against their timetable ---------------------------------------------------------


def _stations() -> pd.DataFrame:
    feed = read_gtfs(_poa("poa_trensurb.zip"))
    line = feed.trips.loc[feed.trips["route_id"].eq("LINHA1"), "trip_id"]
    used = feed.stop_times.loc[feed.stop_times["trip_id"].isin(line), "stop_id"].unique()
    return feed.stops[feed.stops["stop_id"].isin(used)].reset_index(drop=True)


def _timetable_minutes(origin: str, destination: str, window: range) -> float:
    """Median over the window of (arrival at destination - leaving time), from the GTFS alone."""
    feed = read_gtfs(_poa("poa_trensurb.zip"))
    deps = trip_departures(feed, DATE)
    at_o = deps[deps["stop_id"].eq(origin)][["trip_id", "departure_s"]]
    times = feed.stop_times[feed.stop_times["stop_id"].eq(destination)][["trip_id", "arrival_s"]]
    trips = at_o.merge(times, on="trip_id")
    trips = trips[trips["arrival_s"] > trips["departure_s"]].sort_values("departure_s")
    totals = []
    for t in window:
        later = trips[trips["departure_s"] >= t]
        totals.append(float(later["arrival_s"].min() - t) if len(later) else math.inf)
    return float(np.sort(totals)[math.ceil(0.5 * len(totals)) - 1]) / 60.0


@pytest.fixture(scope="module")
def rail_points() -> tuple[pd.DataFrame, np.ndarray]:
    """Mercado and the next three stations north, all within the street network's extract."""
    stations = _stations()
    mercado = int(stations.index[stations["stop_name"].str.contains("MERCADO")][0])
    distance = haversine_m(
        stations.stop_lat[mercado], stations.stop_lon[mercado], stations.stop_lat, stations.stop_lon
    )
    order = np.argsort(distance)[:4]  # Mercado, Rodoviaria, Sao Pedro, Farrapos
    picked = stations.loc[order].reset_index(drop=True)
    return picked, picked[["stop_lon", "stop_lat"]].to_numpy()


def _snap_minutes(points: np.ndarray) -> np.ndarray:
    """Our own walk from each point to its nearest street intersection (the engine's snap)."""
    lat, lon, uses, _, big = _walk_graph(_poa("poa_osm.pbf"))
    candidates = np.flatnonzero((uses > 1) & big)
    out = []
    for x, y in points:
        j = candidates[np.argmin((lon[candidates] - x) ** 2 + (lat[candidates] - y) ** 2)]
        out.append(float(haversine_m(y, x, lat[j], lon[j])) / WALK / 60.0)
    return np.array(out)


def test_station_to_station_times_match_the_timetable(
    morning: RoutedNetwork, rail_points: tuple[pd.DataFrame, np.ndarray]
) -> None:
    """Routed = wait + ride from the GTFS, plus the walks between the points and the streets.

    What is left (under a minute and a half) is the walk between the street node of a point
    and the node its station is attached to, and the train's dwell (25 s) at the station.
    """
    stations, points = rail_points
    window = range(7 * 3600, 9 * 3600 + 1, 600)
    times = morning.travel_times().route(points).minutes(50)
    snap = _snap_minutes(points)
    for k in range(1, len(stations)):
        timetable = _timetable_minutes(stations.stop_id[0], stations.stop_id[k], window)
        expected = timetable + snap[0] + snap[k]
        assert timetable <= times[0, k] <= expected + 1.5, (
            stations.stop_name[k],
            timetable,
            expected,
            times[0, k],
        )


def _linha1_removal() -> TransitProject:
    stations = _stations()
    return TransitProject(
        "no-linha1",
        "Trensurb LINHA1 closed",
        Mode.RAIL,
        ServiceChange.REMOVAL,
        tuple(
            Station(n, shapely.Point(x, y))
            for n, x, y in zip(
                stations.stop_name, stations.stop_lon, stations.stop_lat, strict=True
            )
        ),
        gtfs_routes=("LINHA1",),
    )


def _jobs_45(network: RoutedNetwork, feeds, cells: pd.DataFrame):
    points = cells[["lon", "lat"]].to_numpy()
    times = network.travel_times(feeds).route(points).minutes(50)
    return acc.cumulative_opportunities(times, cells["jobs"].to_numpy(float), 45.0), times


@pytest.fixture(scope="module")
def baseline_jobs(morning: RoutedNetwork, cells: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Jobs within 45 minutes from every cell, from two separate builds of the baseline."""
    return _jobs_45(morning, None, cells)[0], _jobs_45(morning, None, cells)[0]


def test_removing_linha1_costs_access_beyond_the_noise(
    morning: RoutedNetwork,
    cells: pd.DataFrame,
    rail_points: tuple[pd.DataFrame, np.ndarray],
    baseline_jobs: tuple[np.ndarray, np.ndarray],
) -> None:
    pop = cells["population"].to_numpy(float)
    base, again = baseline_jobs
    after_feeds = apply_projects(morning.feeds, [_linha1_removal()], TravelModelParameters())
    after, _ = _jobs_45(morning, after_feeds, cells)
    mean = lambda v: float(np.average(v, weights=pop))  # noqa: E731
    noise = abs(mean(again) - mean(base))
    change = mean(after) - mean(base)
    print(
        f"LINHA1 removed: jobs within 45 min {mean(base):,.0f} -> {mean(after):,.0f} "
        f"({change:+,.0f}); rebuilt baseline moves {noise:,.1f}"
    )
    assert change < 0 and abs(change) > 10 * max(noise, 1.0), (change, noise)
    # cells more than 3 km from every station of LINHA1 cannot lose more than the noise
    stations = _stations()
    distance = np.min(
        haversine_m(
            cells.lat.to_numpy()[:, None],
            cells.lon.to_numpy()[:, None],
            stations.stop_lat.to_numpy()[None, :],
            stations.stop_lon.to_numpy()[None, :],
        ),
        axis=1,
    )
    far = distance > 3000
    assert far.sum() > 20
    far_change = float(np.average(after[far] - base[far], weights=pop[far]))
    assert abs(far_change) <= max(5 * noise, 50.0), (far_change, noise)
    # and on the stations themselves: the trip the timetable gives is gone
    _, points = rail_points
    gone = morning.travel_times(after_feeds).route(points).minutes(50)
    ride = morning.travel_times().route(points).minutes(50)
    assert (gone[0, 1:] > ride[0, 1:] + 5).all()


def test_a_new_line_shortens_trips_along_it_as_its_timetable_says(
    morning: RoutedNetwork, cells: pd.DataFrame, baseline_jobs: tuple[np.ndarray, np.ndarray]
) -> None:
    """A new BRT through 6 cells, every 6 minutes, 12 minutes end to end."""
    pop = cells["population"].to_numpy(float)
    east = cells.sort_values("lon").iloc[[-40, -30, -20]]
    west = cells.sort_values("lon").iloc[[60, 80, 100]]
    stops = pd.concat([west, east]).sort_values("lon")
    project = TransitProject(
        "brt",
        "New BRT",
        Mode.BRT,
        ServiceChange.NEW,
        tuple(
            Station(f"S{k}", shapely.Point(x, y))
            for k, (x, y) in enumerate(zip(stops.lon, stops.lat, strict=True))
        ),
        peak_headway_min=6.0,
        run_time_min=12.0,
    )
    feeds = apply_projects(morning.feeds, [project], TravelModelParameters())
    ends = stops.iloc[[0, -1]][["lon", "lat"]].to_numpy()
    after = morning.travel_times(feeds).route(ends).minutes(50)
    before = morning.travel_times().route(ends).minutes(50)
    # median wait over departures every 10 minutes for a 6-minute headway is at most 6 min,
    # plus the 12-minute ride and the walks between the points and the stops (at the points)
    assert after[0, 1] <= 6 + 12 + 3
    assert after[0, 1] >= 12
    assert after[0, 1] < before[0, 1]
    base, again = baseline_jobs
    more, _ = _jobs_45(morning, feeds, cells)
    mean = lambda v: float(np.average(v, weights=pop))  # noqa: E731
    noise = abs(mean(again) - mean(base))
    print(
        f"new BRT: end to end {before[0, 1]:.1f} -> {after[0, 1]:.1f} min; jobs within 45 min "
        f"{mean(base):,.0f} -> {mean(more):,.0f}; rebuilt baseline moves {noise:,.1f}"
    )
    assert mean(more) - mean(base) > max(3 * noise, 1.0)
