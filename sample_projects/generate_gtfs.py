#!/usr/bin/env python3
"""Generate synthetic GTFS feeds for the "Magnolia City" sample project.

Run:  python sample_projects/generate_gtfs.py [--sample DIR] [--out DIR]
      (default: read and write sample_projects/magnolia)

Reads the sample's sample.eqp.json (the Eastside Express BRT's 14 stations and alignment, Route
14's 20 stops and alignment) and tracts.gpkg (the city limit), and writes:

  gtfs_baseline.zip   the current bus network: 11 routes, including Route 14 every 30 minutes
                      06:00-20:00 (a 14-hour span); other routes 05:00-23:00, three of them with
                      a last trip at 23:45 that runs past midnight; weekday, Saturday and Sunday
                      service, with Thanksgiving, Christmas and New Year's Day run to the Sunday
                      timetable (calendar_dates.txt)
  gtfs_proposed.zip   the same network plus the Eastside Express BRT at the sample's 14 station
                      points (every 10 minutes at the peaks, 05:00-23:00: an 18-hour span), and
                      Route 14 cut to every 60 minutes

EVERYTHING IS SYNTHETIC: Magnolia City and "Magnolia Area Transit" are fictional; the routes,
stops and timetables describe no real service.

The script is standalone (numpy, pandas, shapely 2, geopandas/pyogrio, pyproj; it does not import
equityplanner) and deterministic: no random numbers, fixed file order and zip timestamps, so
the zips are byte-for-byte identical on every run. Stops are about 400 m apart along each route;
times are whole minutes at an average bus speed of 17 km/h (BRT 22 km/h). At the end it reads
the zips back and prints each route's peak headway and span, measured the way a planner would
(trips leaving the busiest stop between 07:00 and 09:00 on a weekday).
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

WORK_CRS = "EPSG:32616"  # WGS 84 / UTM zone 16N, metres; GTFS itself is WGS 84 degrees
HUB_M = (517_700.0, 3_709_000.0)  # Magnolia Transit Center, downtown
STOP_SPACING_M = 400.0
BUS_SPEED_KMH, BRT_SPEED_KMH = 17.0, 22.0
CHECK_DATE = "20261125"  # a Wednesday: the sample project's date
ZIP_DATE = (2026, 11, 25, 0, 0, 0)
START_DATE, END_DATE = "20260101", "20271231"
HOLIDAYS = ("20261126", "20261225", "20270101")  # run to the Sunday timetable
MAX_ZIP_BYTES = 300_000

# Headway timetables: (from hour, until hour (exclusive), headway in minutes). A final
# entry ending at 23.01 makes 23:00 the last regular start.
FREQUENT = {
    "WKDY": [(5, 6, 30), (6, 9, 15), (9, 15, 20), (15, 18, 15), (18, 21, 30), (21, 23.01, 60)],
    "SAT": [(6, 22.01, 30)],
    "SUN": [(7, 20.01, 60)],
}
BASIC = {
    "WKDY": [(5, 6, 60), (6, 9, 30), (9, 15, 60), (15, 18, 30), (18, 23.01, 60)],
    "SAT": [(6, 21.01, 60)],
    "SUN": [(8, 19.01, 60)],
}
ROUTE_14_BASE = {"WKDY": [(6, 20.01, 30)], "SAT": [(7, 19.01, 60)], "SUN": [(8, 18.01, 60)]}
ROUTE_14_CUT = {"WKDY": [(6, 20.01, 60)], "SAT": [(7, 19.01, 60)], "SUN": [(8, 18.01, 60)]}
BRT = {
    "WKDY": [(5, 6, 20), (6, 9, 10), (9, 15, 15), (15, 18.5, 10), (18.5, 21, 20), (21, 23.01, 30)],
    "SAT": [(6, 22.01, 15)],
    "SUN": [(7, 21.01, 20)],
}
LATE_TRIP_MIN = 23 * 60 + 45  # frequent routes' last weekday trip, 23:45, ends after midnight

# Bus routes other than 14: id, name, street (for stop names), waypoints in km (UTM 16N),
# frequent or basic. "HUB" starts the route at the Magnolia Transit Center.
BUS_ROUTES = [
    (
        "1",
        "West End",
        "Tuxford Ave",
        ["HUB", (516.0, 3708.6), (513.0, 3708.0), (510.0, 3707.6)],
        True,
    ),
    ("3", "Ensley", "Ensley Rd", ["HUB", (516.4, 3710.2), (514.0, 3711.6), (511.2, 3712.6)], False),
    (
        "5",
        "Southside",
        "Forest Glen Blvd",
        ["HUB", (517.8, 3707.0), (517.2, 3705.0), (517.4, 3703.2)],
        True,
    ),
    (
        "7",
        "Five Points East",
        "Clairmont Ave",
        ["HUB", (519.5, 3707.8), (521.8, 3706.4), (524.0, 3705.0)],
        False,
    ),
    (
        "8",
        "Eastlake",
        "Lakeshore Pkwy",
        ["HUB", (519.0, 3708.6), (522.5, 3708.6), (525.5, 3708.9), (527.8, 3709.0)],
        True,
    ),
    (
        "12",
        "Airport",
        "Airport Hwy",
        ["HUB", (520.5, 3709.3), (523.0, 3711.0), (525.8, 3712.2)],
        False,
    ),
    (
        "17",
        "North Magnolia",
        "Pratt Hwy",
        ["HUB", (516.6, 3710.0), (516.2, 3712.0), (516.2, 3714.6)],
        False,
    ),
    (
        "20",
        "Crosstown South",
        "Valley Ave",
        [(510.5, 3705.8), (514.0, 3706.0), (518.0, 3706.2), (521.6, 3705.6)],
        False,
    ),
    (
        "23",
        "Crosstown East",
        "Oporto Rd",
        [(521.5, 3704.2), (521.5, 3708.6), (521.2, 3711.8)],
        False,
    ),
    (
        "25",
        "Crosstown West",
        "Wenonah Blvd",
        [(512.6, 3704.4), (512.6, 3709.0), (512.9, 3712.8)],
        False,
    ),
]


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


CROSS_STREETS = [f"{_ordinal(n)} St" for n in range(1, 80)]


@dataclass
class Route:
    """One route: its stops (ids, names, metres along the line) and its timetables."""

    route_id: str
    short_name: str
    long_name: str
    line: shapely.LineString  # in WORK_CRS, direction 0
    stop_ids: list[str]
    stop_names: list[str]
    stop_xy: np.ndarray  # (n, 2) metres
    speed_kmh: float
    timetables: dict[str, list[tuple[float, float, float]]]
    late_trip: bool = False


def _to_lonlat(xy: np.ndarray) -> np.ndarray:
    t = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    lon, lat = t.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def _to_metres(lonlat: np.ndarray) -> np.ndarray:
    t = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    x, y = t.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])


def _starts(periods: list[tuple[float, float, float]]) -> np.ndarray:
    """Trip start times in minutes after midnight."""
    return np.concatenate(
        [np.arange(round(a * 60), b * 60, h, dtype=float) for a, b, h in periods]
    ).astype(np.int64)


def _bus_route(route_id, name, street, waypoints, frequent, city) -> Route:
    points = [HUB_M if w == "HUB" else (w[0] * 1000.0, w[1] * 1000.0) for w in waypoints]
    line = shapely.LineString(points)
    inside = shapely.intersection(line, city)
    if inside.geom_type != "LineString":  # keep the longest piece inside the city
        inside = max(shapely.get_parts(inside), key=lambda g: g.length)
    line = inside
    count = max(2, round(line.length / STOP_SPACING_M)) + 1
    distances = np.linspace(0.0, line.length, count)
    xy = shapely.get_coordinates(shapely.line_interpolate_point(line, distances))
    ids = [f"{route_id}-{k:02d}" for k in range(count)]
    names = [
        f"{street} & {CROSS_STREETS[(k + 3 * int(route_id)) % len(CROSS_STREETS)]}"
        for k in range(count)
    ]
    if waypoints[0] == "HUB":
        ids[0], names[0] = "HUB", "Magnolia Transit Center"
    return Route(
        route_id,
        route_id,
        name,
        line,
        ids,
        names,
        xy,
        BUS_SPEED_KMH,
        FREQUENT if frequent else BASIC,
        late_trip=frequent,
    )


def _project_route(
    feature_group: dict, route_id: str, short: str, long: str, prefix: str, speed: float, timetables
) -> Route:
    align = np.array(feature_group["alignment"]["geometry"]["coordinates"], dtype=float)
    stations = feature_group["stations"]
    lonlat = np.array([s["geometry"]["coordinates"] for s in stations], dtype=float)
    line = shapely.LineString(_to_metres(align))
    xy = _to_metres(lonlat)
    order = np.argsort(shapely.line_locate_point(line, shapely.points(xy)), kind="stable")
    xy = xy[order]
    names = [stations[i]["properties"]["name"] for i in order]
    ids = [f"{prefix}-{k:02d}" for k in range(len(names))]
    return Route(route_id, short, long, line, ids, names, xy, speed, timetables)


def _network(sample: Path) -> tuple[list[Route], Route, Route]:
    """The bus routes (without 14), Route 14 (baseline timetable) and the BRT."""
    tracts = gpd.read_file(sample / "tracts.gpkg").to_crs(WORK_CRS)
    city = shapely.buffer(tracts.union_all(), -150.0)
    buses = [_bus_route(*spec, city) for spec in BUS_ROUTES]
    document = json.loads((sample / "sample.eqp.json").read_text())
    groups: dict[str, dict] = {}
    for feature in document["projects"]["features"]:
        props = feature["properties"]
        group = groups.setdefault(props["project_id"], {"stations": []})
        if props["role"] == "station":
            group["stations"].append(feature)
        else:
            group[props["role"]] = feature
    route14 = _project_route(
        groups["route-14"], "14", "14", "North 27th Street", "14", BUS_SPEED_KMH, ROUTE_14_BASE
    )
    brt = _project_route(
        groups["eastside-brt"], "EX", "EX", "Eastside Express", "EX", BRT_SPEED_KMH, BRT
    )
    return buses, route14, brt


def _tables(routes: list[Route]) -> dict[str, pd.DataFrame]:
    """All GTFS tables of a network of routes."""
    stops: dict[str, tuple[str, float, float]] = {}
    route_rows, trip_rows, time_parts, shape_parts = [], [], [], []
    for route in routes:
        lonlat = _to_lonlat(route.stop_xy)
        for stop_id, name, (lon, lat) in zip(route.stop_ids, route.stop_names, lonlat, strict=True):
            stops.setdefault(stop_id, (name, lat, lon))
        route_rows.append((route.route_id, "MATA", route.short_name, route.long_name, 3))
        along = shapely.line_locate_point(route.line, shapely.points(route.stop_xy))
        minutes_per_m = 60.0 / (route.speed_kmh * 1000.0)
        for direction in (0, 1):
            distance = along - along[0] if direction == 0 else along[-1] - along[::-1]
            offsets = np.round(distance * minutes_per_m).astype(np.int64)
            stop_ids = route.stop_ids if direction == 0 else route.stop_ids[::-1]
            shape_id = f"{route.route_id}_{direction}"
            coords = shapely.get_coordinates(route.line)
            coords = coords if direction == 0 else coords[::-1]
            shape_lonlat = _to_lonlat(coords)
            shape_parts.append(
                pd.DataFrame(
                    {
                        "shape_id": shape_id,
                        "shape_pt_lat": np.round(shape_lonlat[:, 1], 6),
                        "shape_pt_lon": np.round(shape_lonlat[:, 0], 6),
                        "shape_pt_sequence": np.arange(1, len(coords) + 1),
                    }
                )
            )
            for service, periods in route.timetables.items():
                starts = _starts(periods)
                if route.late_trip and service == "WKDY":
                    starts = np.append(starts, LATE_TRIP_MIN)
                trip_ids = [
                    f"{route.route_id}-{service[:2]}-{direction}-{s // 60:02d}{s % 60:02d}"
                    for s in starts
                ]
                headsign = route.stop_names[-1] if direction == 0 else route.stop_names[0]
                trip_rows += [
                    (route.route_id, service, t, headsign, direction, shape_id) for t in trip_ids
                ]
                minutes = pd.Series((starts[:, None] + offsets[None, :]).ravel())
                text = (
                    (minutes // 60).astype(str).str.zfill(2)
                    + ":"
                    + (minutes % 60).astype(str).str.zfill(2)
                    + ":00"
                ).to_numpy()
                time_parts.append(
                    pd.DataFrame(
                        {
                            "trip_id": np.repeat(trip_ids, len(stop_ids)),
                            "arrival_time": text,
                            "departure_time": text,
                            "stop_id": np.tile(stop_ids, len(starts)),
                            "stop_sequence": np.tile(np.arange(1, len(stop_ids) + 1), len(starts)),
                        }
                    )
                )
    return {
        "agency.txt": pd.DataFrame(
            [
                {
                    "agency_id": "MATA",
                    "agency_name": "Magnolia Area Transit (synthetic sample)",
                    "agency_url": "https://example.org/magnolia-transit",
                    "agency_timezone": "America/Chicago",
                    "agency_lang": "en",
                }
            ]
        ),
        "stops.txt": pd.DataFrame(
            [(sid, name, f"{lat:.6f}", f"{lon:.6f}") for sid, (name, lat, lon) in stops.items()],
            columns=["stop_id", "stop_name", "stop_lat", "stop_lon"],
        ),
        "routes.txt": pd.DataFrame(
            route_rows,
            columns=["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"],
        ),
        "trips.txt": pd.DataFrame(
            trip_rows,
            columns=[
                "route_id",
                "service_id",
                "trip_id",
                "trip_headsign",
                "direction_id",
                "shape_id",
            ],
        ),
        "stop_times.txt": pd.concat(time_parts, ignore_index=True),
        "calendar.txt": pd.DataFrame(
            [
                ("WKDY", 1, 1, 1, 1, 1, 0, 0),
                ("SAT", 0, 0, 0, 0, 0, 1, 0),
                ("SUN", 0, 0, 0, 0, 0, 0, 1),
            ],
            columns=[
                "service_id",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
            ],
        ).assign(start_date=START_DATE, end_date=END_DATE),
        "calendar_dates.txt": pd.DataFrame(
            [row for day in HOLIDAYS for row in (("WKDY", day, 2), ("SUN", day, 1))],
            columns=["service_id", "date", "exception_type"],
        ),
        "shapes.txt": pd.concat(shape_parts, ignore_index=True),
    }


def _write_zip(path: Path, tables: dict[str, pd.DataFrame], version: str) -> None:
    tables = dict(tables)
    tables["feed_info.txt"] = pd.DataFrame(
        [
            {
                "feed_publisher_name": "equityplanner sample (synthetic)",
                "feed_publisher_url": "https://example.org/equityplanner",
                "feed_lang": "en",
                "feed_start_date": START_DATE,
                "feed_end_date": END_DATE,
                "feed_version": version,
            }
        ]
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name in sorted(tables):
            buffer = io.StringIO()
            tables[name].to_csv(buffer, index=False, lineterminator="\n")
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue().encode("utf-8"), compresslevel=9)


def _check(path: Path, expected: dict[str, tuple[float, float]]) -> None:
    """Read a zip back and print the weekday peak headway and span of each route."""
    size = path.stat().st_size
    assert size < MAX_ZIP_BYTES, f"{path} is {size:,} bytes"
    with zipfile.ZipFile(path) as archive:
        trips = pd.read_csv(archive.open("trips.txt"), dtype=str)
        times = pd.read_csv(archive.open("stop_times.txt"), dtype={"trip_id": str, "stop_id": str})
    weekday = trips[trips["service_id"] == "WKDY"]
    times = times.merge(weekday[["trip_id", "route_id", "direction_id"]], on="trip_id")
    hms = times["departure_time"].str.split(":", expand=True).astype(int)
    times["s"] = hms[0] * 3600 + hms[1] * 60 + hms[2]
    last = times.groupby("trip_id")["stop_sequence"].transform("max") == times["stop_sequence"]
    departures = times[~last]
    peak = departures[(departures["s"] >= 7 * 3600) & (departures["s"] < 9 * 3600)]
    busiest = peak.groupby(["route_id", "direction_id", "stop_id"]).size().groupby("route_id").max()
    starts = departures.groupby(["route_id", "trip_id"])["s"].min().groupby("route_id")
    span = (starts.max() - starts.min()) / 3600
    print(f"{path.name}: {size:,} bytes, {len(trips):,} trips, {len(times):,} weekday stop times")
    for route_id in sorted(busiest.index, key=lambda r: (len(r), r)):
        headway = 120 / busiest[route_id]
        print(
            f"  route {route_id:>3}: peak headway {headway:5.1f} min, span {span[route_id]:5.2f} h"
        )
        if route_id in expected:
            want_headway, want_span = expected[route_id]
            assert abs(headway - want_headway) < 1e-9, (route_id, headway)
            assert abs(span[route_id] - want_span) < 1e-9, (route_id, span[route_id])


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sample",
        type=Path,
        default=here / "magnolia",
        help="folder with sample.eqp.json and tracts.gpkg",
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: --sample)")
    args = ap.parse_args(argv)
    out = args.out or args.sample
    out.mkdir(parents=True, exist_ok=True)

    buses, route14, brt = _network(args.sample)
    baseline = [*buses[:6], route14, *buses[6:]]
    cut = Route(**{**route14.__dict__, "timetables": ROUTE_14_CUT})
    proposed = [*buses[:6], cut, *buses[6:], brt]
    _write_zip(out / "gtfs_baseline.zip", _tables(baseline), "baseline")
    _write_zip(out / "gtfs_proposed.zip", _tables(proposed), "proposed")
    _check(out / "gtfs_baseline.zip", {"14": (30.0, 14.0)})
    _check(out / "gtfs_proposed.zip", {"14": (60.0, 14.0), "EX": (10.0, 18.0)})
    print(f"Wrote {out / 'gtfs_baseline.zip'} and {out / 'gtfs_proposed.zip'} (synthetic)")


if __name__ == "__main__":
    main()
