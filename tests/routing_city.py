"""A hand-made city for the routing tests: an .osm.pbf street network and GTFS feeds.

The city lies on a local metre grid around (LAT0, LON0) (Porto Alegre's latitude, no real
place). ``write_pbf`` writes ways through shared nodes with pyosmium, in id order and without
timestamps, so the file is the same on every run; ``line_feed`` writes a GTFS feed of one line.
Import it as ``from routing_city import ...``.
"""

from __future__ import annotations

import csv
import itertools
import math
from pathlib import Path
from typing import Any

import osmium

LAT0, LON0 = -30.0, -51.2
M_PER_DEG_LAT = 111_320.0 * 0.9966
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT0))


def lonlat(x_m: float, y_m: float) -> tuple[float, float]:
    """Longitude and latitude of a point ``x_m`` east and ``y_m`` north of the city's origin."""
    return LON0 + x_m / M_PER_DEG_LON, LAT0 + y_m / M_PER_DEG_LAT


def write_pbf(path: Path, ways: list[dict[str, Any]], node_spacing_m: float = 50.0) -> Path:
    """Write ``ways`` (``{"id", "xy": [(x, y), ...], "tags": [(k, v)]}``) as an .osm.pbf.

    Points along each way are placed every ``node_spacing_m``; two ways passing through the
    same point (to the centimetre) share its node, so they connect there.
    """
    if path.exists():
        path.unlink()
    node_ids: dict[tuple[int, int], int] = {}
    refs_of: list[list[int]] = []
    for way in ways:
        refs: list[int] = []
        points = way["xy"]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            n = max(1, round(math.hypot(x1 - x0, y1 - y0) / node_spacing_m))
            last = (x1, y1) == tuple(points[-1])
            for k in range(n + (1 if last else 0)):
                x, y = x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n
                key = (round(x * 100), round(y * 100))
                node = node_ids.setdefault(key, len(node_ids) + 1)
                if not refs or refs[-1] != node:
                    refs.append(node)
        refs_of.append(refs)
    header = osmium.io.Header()
    header.set("generator", "equityplanner tests")
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for (kx, ky), node in sorted(node_ids.items(), key=lambda item: item[1]):
            writer.add_node(osmium.osm.mutable.Node(id=node, location=lonlat(kx / 100, ky / 100)))
        for way, refs in sorted(zip(ways, refs_of, strict=True), key=lambda t: t[0]["id"]):
            writer.add_way(osmium.osm.mutable.Way(id=way["id"], nodes=refs, tags=list(way["tags"])))
    return path


def street_with_crossings(length_m: int = 3000, every_m: int = 100) -> list[dict[str, Any]]:
    """A street along y = 0 with cross streets every ``every_m``: a node every 100 m."""
    ways: list[dict[str, Any]] = [
        {"id": 1, "xy": [(0, 0), (length_m, 0)], "tags": [("highway", "residential")]}
    ]
    for k, x in enumerate(range(0, length_m + 1, every_m)):
        ways.append(
            {"id": 100 + k, "xy": [(x, -50), (x, 0), (x, 50)], "tags": [("highway", "residential")]}
        )
    return ways


def edge_s(metres: float) -> int:
    """The engine's time for one street edge along y = 0: trunc(haversine(R = 6,378,100) / 1.4)."""
    (lo0, la0), (lo1, _) = lonlat(0, 0), lonlat(metres, 0)
    a = math.cos(math.radians(la0)) ** 2 * math.sin(math.radians(lo1 - lo0) / 2) ** 2
    return int(2 * 6_378_100 * math.asin(math.sqrt(a)) / 1.4)


def hms(seconds: int) -> str:
    """``HH:MM:SS``."""
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def line_feed(
    stops: list[tuple[str, float, float]],
    departures: list[int],
    offsets: list[int | None],
    *,
    route_id: str = "L1",
    timezone: str = "America/Sao_Paulo",
    start_date: str = "20000101",
    end_date: str = "20991231",
    frequencies: list[dict[str, Any]] | None = None,
    shape: list[tuple[float, float]] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The tables of a one-line feed: ``stops`` are ``(id, x, y)``; a trip leaves at each of
    ``departures`` and is at stop k ``offsets[k]`` seconds later (None: a blank time)."""
    tables: dict[str, list[dict[str, Any]]] = {
        "agency": [
            {
                "agency_id": "A",
                "agency_name": "Tiny",
                "agency_url": "http://example.invalid",
                "agency_timezone": timezone,
            }
        ],
        "stops": [
            {
                "stop_id": s,
                "stop_name": f"Stop {s}",
                "stop_lat": f"{lonlat(x, y)[1]:.7f}",
                "stop_lon": f"{lonlat(x, y)[0]:.7f}",
            }
            for s, x, y in stops
        ],
        "routes": [
            {"route_id": route_id, "agency_id": "A", "route_short_name": route_id, "route_type": 3}
        ],
        "calendar": [
            {
                "service_id": "ALL",
                **dict.fromkeys(
                    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
                    1,
                ),
                "start_date": start_date,
                "end_date": end_date,
            }
        ],
        "trips": [],
        "stop_times": [],
    }
    for d in departures:
        trip = f"{route_id}-{d}"
        row: dict[str, Any] = {"route_id": route_id, "service_id": "ALL", "trip_id": trip}
        if shape is not None:
            row["shape_id"] = "S1"
        tables["trips"].append(row)
        for k, ((stop_id, _, _), offset) in enumerate(zip(stops, offsets, strict=True)):
            time = "" if offset is None else hms(d + offset)
            tables["stop_times"].append(
                {
                    "trip_id": trip,
                    "arrival_time": time,
                    "departure_time": time,
                    "stop_id": stop_id,
                    "stop_sequence": k + 1,
                }
            )
    if frequencies:
        tables["frequencies"] = frequencies
    if shape is not None:
        tables["shapes"] = [
            {
                "shape_id": "S1",
                "shape_pt_lat": f"{lonlat(x, y)[1]:.7f}",
                "shape_pt_lon": f"{lonlat(x, y)[0]:.7f}",
                "shape_pt_sequence": k + 1,
            }
            for k, (x, y) in enumerate(shape)
        ]
    return tables


def write_gtfs(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """Write the tables as a GTFS folder (one .txt per table, the union of keys as header)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    for name, rows in tables.items():
        columns = list(dict.fromkeys(k for r in rows for k in r))
        with (folder / f"{name}.txt").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return folder
