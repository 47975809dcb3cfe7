"""Proposals as modifications of the baseline timetable, like Conveyal's modifications.

Every function takes prepared feeds (:class:`~equityplanner.analysis.routing.feeds.PreparedFeed`,
one service day) and returns new ones; nothing is modified in place. :func:`apply_projects`
turns the transit projects of a proposal into these modifications:

* a **new** line (``change: new``) becomes a feed of its own: its stations in order, trips in
  both directions every ``peak_headway_min`` from 05:00 for ``span_hours`` (19 h by default,
  i.e. until midnight), taking ``run_time_min`` end to end (or the line's length at the mode's
  scheduled speed of the travel model: bus 18, BRT 25, rail 35 km/h), the time split between
  stations by distance along the alignment (or the straight line between stations);
* an **improvement** names existing routes (``gtfs_routes``: route_id or short name) and
  scales their headways by ``peak_headway_min / baseline_peak_headway_min``: each route and
  stop pattern is re-timed evenly over the span it runs, every trip a copy of the pattern's
  trip with the median run time;
* a **reduction** names routes and keeps one trip in every ``factor`` (drops the share
  ``1 - baseline / peak`` of the trips, evenly, keeping their real run times);
* a **removal** drops the named routes.

An unknown route name is refused, naming the project and the feeds' routes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.routing.feeds import PreparationReport, PreparedFeed, haversine_m
from equityplanner.errors import InputError
from equityplanner.model.project import Mode, ServiceChange, TransitProject
from equityplanner.model.travel_model import TravelModelParameters

__all__ = [
    "NEW_LINE_START_S",
    "add_line",
    "apply_projects",
    "drop_routes",
    "drop_trip_share",
    "match_routes",
    "measured_headway_min",
    "scale_headways",
]

NEW_LINE_START_S: Final[int] = 5 * 3600
"""A new line's first departure (05:00); it runs for its ``span_hours`` (default 19)."""
_DEFAULT_SPAN_H: Final[float] = 19.0
_ROUTE_TYPE: Final[dict[Mode, int]] = {Mode.RAIL: 2, Mode.BRT: 3, Mode.BUS: 3}
_WGS84 = CRS.from_epsg(4326)


def match_routes(
    feeds: Sequence[PreparedFeed], names: Sequence[str], where: str
) -> dict[str, list[str]]:
    """The namespaced route ids of each feed prefix matching ``names`` (route_id or short name).

    Raises
    ------
    InputError
        For a name no feed has, listing some of the feeds' routes.
    """
    found: dict[str, list[str]] = {}
    for name in names:
        hits = 0
        for feed in feeds:
            routes = feed.routes
            match = routes["source_route_id"].eq(name) | routes["route_short_name"].eq(name)
            ids = routes.loc[match, "route_id"].tolist()
            if ids:
                found.setdefault(feed.prefix, []).extend(ids)
                hits += len(ids)
        if not hits:
            known = sorted(
                {str(r) for feed in feeds for r in feed.routes["route_short_name"] if str(r)}
                | {str(r) for feed in feeds for r in feed.routes["source_route_id"]}
            )
            shown = ", ".join(known[:12]) + (" ..." if len(known) > 12 else "")
            files = ", ".join(feed.source.name for feed in feeds)
            raise InputError(
                f"names GTFS route {name!r}, which no feed runs on the date ({files})",
                location=where,
                remedy=f"Name a route_id or route_short_name of the feeds: {shown}",
            )
    return {prefix: list(dict.fromkeys(ids)) for prefix, ids in found.items()}


def measured_headway_min(
    feeds: Sequence[PreparedFeed], names: Sequence[str], window_s: tuple[int, int], where: str
) -> float | None:
    """The routes' peak headway in the window: its minutes over the most trips leaving one stop.

    None when none of the routes departs in the window.
    """
    matched = match_routes(feeds, names, where)
    best = 0
    for feed in feeds:
        ids = matched.get(feed.prefix)
        if not ids:
            continue
        trips = feed.trips.loc[feed.trips["route_id"].isin(ids), "trip_id"]
        times = feed.stop_times[feed.stop_times["trip_id"].isin(trips)]
        inside = times[times["departure_s"].between(window_s[0], window_s[1])]
        if not inside.empty:
            best = max(best, int(inside.groupby("stop_id")["trip_id"].nunique().max()))
    if best == 0:
        return None
    return max(window_s[1] - window_s[0], 60) / 60.0 / best


def drop_routes(feed: PreparedFeed, route_ids: Sequence[str]) -> PreparedFeed:
    """The feed without the routes (their trips and stop times)."""
    trips = feed.trips[~feed.trips["route_id"].isin(route_ids)]
    return feed.with_tables(
        routes=feed.routes[~feed.routes["route_id"].isin(route_ids)],
        trips=trips,
        stop_times=feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])],
    )


def _patterns(feed: PreparedFeed, route_ids: Sequence[str]) -> pd.DataFrame:
    """One row per trip of the routes: route, stop pattern, first departure, run time."""
    trips = feed.trips[feed.trips["route_id"].isin(route_ids)]
    times = feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    grouped = times.groupby("trip_id", sort=False)
    table = pd.DataFrame(
        {
            "pattern": grouped["stop_id"].agg(tuple),
            "first": grouped["departure_s"].first(),
            "run": grouped["arrival_s"].last() - grouped["departure_s"].first(),
        }
    )
    return table.join(trips.set_index("trip_id")[["route_id"]])


def drop_trip_share(
    feed: PreparedFeed, route_ids: Sequence[str], keep_every: float
) -> PreparedFeed:
    """Keep one trip in every ``keep_every`` of each route and stop pattern, evenly in time.

    ``keep_every`` 2 keeps trips 1, 3, 5...; 1.5 keeps two in three. Each pattern keeps at
    least one trip.
    """
    if not keep_every >= 1:
        raise InputError(f"keeps one trip in every {keep_every:g}; that must be 1 or more")
    table = _patterns(feed, route_ids)
    kept: list[str] = []
    for _, group in table.groupby(["route_id", "pattern"], sort=True):
        order = group.sort_values("first", kind="stable").index.to_numpy()
        count = max(1, round(len(order) / keep_every))
        chosen = np.unique(np.floor(np.arange(count) * keep_every).astype(np.int64))
        kept.extend(order[chosen[chosen < len(order)]].tolist())
    gone = set(table.index) - set(kept)
    trips = feed.trips[~feed.trips["trip_id"].isin(gone)]
    return feed.with_tables(
        trips=trips, stop_times=feed.stop_times[~feed.stop_times["trip_id"].isin(gone)]
    )


def scale_headways(
    feed: PreparedFeed, route_ids: Sequence[str], factor: float, *, min_headway_s: int = 60
) -> PreparedFeed:
    """Multiply the headway of each route and stop pattern by ``factor`` over its span.

    Departures are re-spaced evenly from the pattern's first to its last departure, each new
    trip a copy of the pattern's trip with the median run time (``factor`` 0.5 doubles the
    frequency). A pattern with a single trip is left as it is.
    """
    if not (math.isfinite(factor) and factor > 0):
        raise InputError(f"headway factor {factor!r} must be a number greater than zero")
    table = _patterns(feed, route_ids)
    times = feed.stop_times
    trips_by_id = feed.trips.set_index("trip_id")
    new_trips: list[pd.DataFrame] = []
    new_times: list[pd.DataFrame] = []
    old: set[str] = set()
    for number, ((route_id, _), group) in enumerate(
        table.groupby(["route_id", "pattern"], sort=True)
    ):
        group = group.sort_values("first", kind="stable")
        span = float(group["first"].iloc[-1] - group["first"].iloc[0])
        if len(group) < 2 or span <= 0:
            continue
        old |= set(group.index)
        headway = max(span / (len(group) - 1) * factor, float(min_headway_s))
        starts = group["first"].iloc[0] + np.arange(math.floor(span / headway + 1e-9) + 1) * headway
        template = str(
            (group["run"] - group["run"].median()).abs().sort_values(kind="stable").index[0]
        )
        pattern = times[times["trip_id"].eq(template)]
        offset_a = pattern["arrival_s"].to_numpy() - pattern["departure_s"].iloc[0]
        offset_d = pattern["departure_s"].to_numpy() - pattern["departure_s"].iloc[0]
        ids = [f"{route_id}~h{number}~{k}" for k in range(len(starts))]
        row = trips_by_id.loc[[template]].reset_index()
        new_trips.append(pd.concat([row] * len(ids), ignore_index=True).assign(trip_id=ids))
        start = np.rint(starts).astype(np.int64)
        new_times.append(
            pd.DataFrame(
                {
                    "trip_id": np.repeat(ids, len(pattern)),
                    "stop_id": np.tile(pattern["stop_id"].to_numpy(), len(ids)),
                    "stop_sequence": np.tile(pattern["stop_sequence"].to_numpy(), len(ids)),
                    "arrival_s": (start[:, None] + offset_a[None, :]).ravel(),
                    "departure_s": (start[:, None] + offset_d[None, :]).ravel(),
                }
            )
        )
    if not old:
        return feed
    trips = pd.concat([feed.trips[~feed.trips["trip_id"].isin(old)], *new_trips], ignore_index=True)
    stop_times = pd.concat(
        [times[~times["trip_id"].isin(old)], *new_times], ignore_index=True
    ).sort_values(["trip_id", "stop_sequence"], kind="stable", ignore_index=True)
    return feed.with_tables(trips=trips, stop_times=stop_times)


def add_line(
    template: PreparedFeed,
    project: TransitProject,
    parameters: TravelModelParameters,
    prefix: str,
) -> PreparedFeed:
    """A feed holding the new line of ``project`` (both directions), on ``template``'s clock.

    Raises
    ------
    InputError
        When the project has no peak headway, fewer than two stations, or a run time that is
        not positive.
    """
    where = f"project {project.id}"
    if project.peak_headway_min is None:
        raise InputError(
            f"new line {project.name!r} has no peak_headway_min",
            location=where,
            remedy="Enter the peak headway in minutes: the routed network runs the line at it",
        )
    if len(project.stations) < 2:
        raise InputError(
            f"new line {project.name!r} has {len(project.stations)} station(s)",
            location=where,
            remedy="A line needs at least two stations, in running order",
        )
    lon = np.array([s.geometry.x for s in project.stations])
    lat = np.array([s.geometry.y for s in project.stations])
    along = _distances_along(project, lon, lat)
    if project.run_time_min is not None:
        run_s = float(project.run_time_min) * 60.0
    else:
        run_s = along[-1] / (parameters.speed_kmh(project.mode) / 3.6)
    if not (math.isfinite(run_s) and run_s > 0):
        raise InputError(f"new line {project.name!r} takes no time end to end", location=where)
    headway_s = float(project.peak_headway_min) * 60.0
    span_s = float(project.span_hours if project.span_hours else _DEFAULT_SPAN_H) * 3600.0
    starts = NEW_LINE_START_S + np.arange(math.floor(span_s / headway_s + 1e-9) + 1) * headway_s
    fraction = along / along[-1] if along[-1] > 0 else np.linspace(0.0, 1.0, len(along))
    route_id = f"{prefix}:{project.id}"
    stop_ids = [f"{route_id}:{k}" for k in range(len(lon))]
    trip_rows: list[dict[str, object]] = []
    time_parts: list[pd.DataFrame] = []
    for direction in (0, 1):
        order = np.arange(len(lon)) if direction == 0 else np.arange(len(lon))[::-1]
        offsets = (fraction if direction == 0 else 1.0 - fraction)[order] * run_s
        ids = [f"{route_id}:{direction}:{k}" for k in range(len(starts))]
        trip_rows += [
            {"trip_id": t, "route_id": route_id, "direction_id": direction, "shape_id": ""}
            for t in ids
        ]
        clock = np.rint(starts[:, None] + offsets[None, :]).astype(np.int64).ravel()
        time_parts.append(
            pd.DataFrame(
                {
                    "trip_id": np.repeat(ids, len(order)),
                    "stop_id": np.tile(np.array(stop_ids)[order], len(ids)),
                    "stop_sequence": np.tile(np.arange(1, len(order) + 1), len(ids)),
                    "arrival_s": clock,
                    "departure_s": clock,
                }
            )
        )
    trips = pd.DataFrame(trip_rows).astype({"direction_id": "Int8"})
    stops = pd.DataFrame(
        {
            "stop_id": stop_ids,
            "stop_name": [s.name for s in project.stations],
            "stop_lat": lat,
            "stop_lon": lon,
        }
    )
    routes = pd.DataFrame(
        [
            {
                "route_id": route_id,
                "agency_id": f"{prefix}:proposal",
                "route_short_name": project.id,
                "route_long_name": project.name,
                "route_type": _ROUTE_TYPE[project.mode],
                "source_route_id": project.id,
            }
        ]
    )
    agency = pd.DataFrame(
        [
            {
                "agency_id": f"{prefix}:proposal",
                "agency_name": "Proposal",
                "agency_url": "",
                "agency_timezone": template.timezone,
            }
        ]
    )
    report = PreparationReport(
        feed=f"proposal {project.id}", prefix=prefix, timezone=template.timezone
    )
    report.trips_in_feed = report.trips_on_date = len(trips)
    return replace(
        template,
        prefix=prefix,
        agency=agency,
        stops=stops,
        routes=routes,
        trips=trips,
        stop_times=pd.concat(time_parts, ignore_index=True).sort_values(
            ["trip_id", "stop_sequence"], kind="stable", ignore_index=True
        ),
        shapes=template.shapes.iloc[0:0],
        report=report,
    )


def _distances_along(project: TransitProject, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Metres from the first station to each station, along the alignment when there is one."""
    straight: np.ndarray = np.r_[0.0, np.cumsum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))]
    alignment = project.alignment
    if alignment is None or alignment.geom_type != "LineString":
        return straight
    lon0, lat0 = float(lon.mean()), float(lat.mean())
    local = CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +units=m")
    line = to_crs(np.array([alignment], dtype=object), _WGS84, local)[0]
    points = to_crs(shapely.points(np.column_stack([lon, lat])), _WGS84, local)
    along: np.ndarray = np.asarray(shapely.line_locate_point(line, points), dtype=np.float64)
    offset = shapely.distance(line, points)
    if np.all(np.diff(along) > 0) and np.all(offset < 200.0):
        result: np.ndarray = along - along[0]
        return result
    return straight


def apply_projects(
    feeds: Sequence[PreparedFeed],
    projects: Sequence[TransitProject],
    parameters: TravelModelParameters,
    headway_of: dict[str, float] | None = None,
) -> list[PreparedFeed]:
    """The feeds after the projects' changes (new lines added as feeds of their own).

    ``headway_of`` gives, by project id, the baseline peak headway measured in the feeds, used
    when a project has no ``baseline_peak_headway_min``.

    Raises
    ------
    InputError
        For a change that names no GTFS route or an unknown one, or that lacks the headways
        needed to scale it.
    """
    out = list(feeds)
    added: list[PreparedFeed] = []
    for project in projects:
        where = f"project {project.id}"
        if project.change is ServiceChange.NEW:
            added.append(add_line(out[0], project, parameters, f"new{len(added)}"))
            continue
        if not project.gtfs_routes:
            raise InputError(
                f"{project.change.value} {project.name!r} names no GTFS route of the network",
                location=where,
                remedy="List the routes it changes in gtfs_routes (route_id or short name), e.g. "
                '"gtfs_routes": ["14"]',
            )
        matched = match_routes(out, project.gtfs_routes, where)
        factor = 1.0
        if project.change is not ServiceChange.REMOVAL:
            factor = _headway_factor(project, (headway_of or {}).get(project.id), where)
        for index, feed in enumerate(out):
            ids = matched.get(feed.prefix)
            if not ids:
                continue
            if project.change is ServiceChange.REMOVAL:
                out[index] = drop_routes(feed, ids)
            elif project.change is ServiceChange.REDUCTION and factor >= 1:
                out[index] = drop_trip_share(feed, ids, factor)
            else:
                out[index] = scale_headways(feed, ids, factor)
    return out + added


def _headway_factor(project: TransitProject, measured: float | None, where: str) -> float:
    baseline = project.baseline_peak_headway_min or measured
    if project.peak_headway_min is None or not baseline:
        raise InputError(
            f"{project.change.value} {project.name!r} needs peak_headway_min (and "
            "baseline_peak_headway_min, unless the routes run in the window)",
            location=where,
            remedy="Enter the peak headway before and after the change, in minutes",
        )
    return float(project.peak_headway_min) / float(baseline)
