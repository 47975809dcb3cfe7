"""Feed preparation for the routing engine: one service day, complete times, unique ids.

The engine (ferrobus 0.2.1, see :mod:`equityplanner.analysis.routing.engine`) reads GTFS
folders literally: it fails on a blank stop time, ignores calendar start and end dates,
``frequencies.txt`` and time zones, and merges feeds whose ids collide. So a feed is read with
:func:`equityplanner.io.gtfs.read_gtfs` (zip or folder, times past midnight, calendar and
calendar_dates) and prepared here, step by step, each step counted in a
:class:`PreparationReport`:

1. **The service day**: only the trips whose service runs on the date
   (:func:`~equityplanner.io.gtfs.active_service_ids`: weekday, start and end dates,
   calendar_dates); a date on which the feed runs nothing is refused, naming the feed's period.
2. **Blank times interpolated by distance**: :func:`~equityplanner.io.gtfs.read_gtfs` fills
   blank intermediate times by stop order; here they are filled again in proportion to the
   distance travelled, from ``shape_dist_traveled`` where a trip has it for every stop, else
   from each stop's projection onto the trip's shape (``shapes.txt``; monotone, within 150 m),
   else from the straight-line distance between consecutive stops. Times are linear from the
   departure at the timepoint before to the arrival at the timepoint after, rounded to 1 s.
3. **Frequencies expanded**: a trip of ``frequencies.txt`` becomes one trip per headway from
   ``start_time`` while before ``end_time`` (``exact_times`` 0 and 1 alike), with the template
   trip's offsets from its first stop. The expansion is bounded by
   :func:`~equityplanner.io.gtfs.read_gtfs`, which refuses a feed whose periods would expand
   beyond :data:`~equityplanner.io.gtfs.MAX_FREQUENCY_TRIPS` trips or
   :data:`~equityplanner.io.gtfs.MAX_DEPARTURES` departures (``trip,00:00:00,999:59:59,1``).
4. **Overtaking split**: trips of one route and stop pattern that overtake one another get a
   route of their own (``route~1``), because RAPTOR assumes trips of a pattern keep their order.
5. **Ids namespaced** with the feed's prefix (``f0:``), so two feeds never merge.

Writing (:func:`write_feed`) gives a folder with a ``calendar.txt`` of the one day. Feeds in
different time zones are refused by :func:`check_time_zones` (the engine reads every time on
one clock).
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from equityplanner.errors import InputError
from equityplanner.io.gtfs import GtfsFeed, active_service_ids, service_day

__all__ = [
    "PreparationReport",
    "PreparedFeed",
    "check_time_zones",
    "haversine_m",
    "prepare_feed",
    "write_feed",
]

MAX_TIME_S: Final[int] = 48 * 3600 - 1
"""The engine refuses times from 48:00:00 on: trips reaching them are left out (and counted)."""
_SHAPE_OFFSET_M: Final[float] = 150.0
_EARTH_M: Final[float] = 6_371_008.8
_DAYS: Final[tuple[str, ...]] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
SERVICE_ID: Final[str] = "day"


@dataclass
class PreparationReport:
    """What preparing one feed did, for the outputs' methodology and warnings.

    Attributes
    ----------
    feed
        The feed's path.
    prefix
        Its id prefix.
    timezone
        ``agency_timezone`` (empty when the feed gives none).
    trips_in_feed, trips_on_date
        Trips in the feed, and those running on the date (before frequency expansion).
    trips_from_frequencies
        Trips made from ``frequencies.txt`` periods.
    times_interpolated
        Stop times that were blank in the feed and were interpolated.
    trips_by_interpolation
        Trips interpolated, by the distance used: ``shape_dist_traveled``,
        ``shape_projection``, ``straight_line`` (``+stop_order`` when the distances did not
        increase and the stop order was used instead).
    trips_beyond_48h
        Trips left out because they run past 47:59:59 (the engine refuses such times).
    trips_split_for_overtaking
        Trips given a route of their own because they overtake another trip of their pattern.
    """

    feed: str
    prefix: str
    timezone: str = ""
    trips_in_feed: int = 0
    trips_on_date: int = 0
    trips_from_frequencies: int = 0
    times_interpolated: int = 0
    trips_by_interpolation: dict[str, int] = field(default_factory=dict)
    trips_beyond_48h: int = 0
    trips_split_for_overtaking: int = 0

    def describe(self) -> str:
        """One sentence for the methodology."""
        parts = [
            f"{Path(self.feed).name}: {self.trips_on_date:,} of {self.trips_in_feed:,} trips run"
        ]
        if self.trips_from_frequencies:
            parts.append(f"{self.trips_from_frequencies:,} trips made from frequencies.txt")
        if self.times_interpolated:
            methods = ", ".join(
                f"{n:,} by {m.replace('_', ' ')}"
                for m, n in sorted(self.trips_by_interpolation.items())
            )
            parts.append(f"{self.times_interpolated:,} blank stop times interpolated ({methods})")
        if self.trips_beyond_48h:
            parts.append(f"{self.trips_beyond_48h:,} trips past 47:59:59 left out")
        if self.trips_split_for_overtaking:
            parts.append(f"{self.trips_split_for_overtaking:,} overtaking trips split")
        return "; ".join(parts)


@dataclass(frozen=True, eq=False)
class PreparedFeed:
    """A feed reduced to one service day, with complete times and namespaced ids.

    ``stop_times`` holds ``trip_id``, ``stop_id``, ``stop_sequence``, ``arrival_s`` and
    ``departure_s`` (int64 seconds after the date's midnight), sorted by trip and sequence;
    ``routes`` keeps ``source_route_id`` (the feed's own id) for matching proposals.
    """

    prefix: str
    source: Path
    timezone: str
    agency: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    shapes: pd.DataFrame
    report: PreparationReport

    def with_tables(
        self,
        *,
        stops: pd.DataFrame | None = None,
        routes: pd.DataFrame | None = None,
        trips: pd.DataFrame | None = None,
        stop_times: pd.DataFrame | None = None,
    ) -> PreparedFeed:
        """A copy with some tables replaced (scenario modifications)."""
        return replace(
            self,
            stops=self.stops if stops is None else stops,
            routes=self.routes if routes is None else routes,
            trips=self.trips if trips is None else trips,
            stop_times=self.stop_times if stop_times is None else stop_times,
        )

    def departures_between(self, first_s: int, last_s: int) -> int:
        """Boardable departures (not at a trip's last stop) from ``first_s`` to ``last_s``."""
        times = self.stop_times
        if times.empty:
            return 0
        last = np.r_[times["trip_id"].to_numpy()[1:] != times["trip_id"].to_numpy()[:-1], True]
        dep = times["departure_s"].to_numpy()
        return int(((dep >= first_s) & (dep <= last_s) & ~last).sum())


# --- the pipeline ---------------------------------------------------------------------------


def prepare_feed(
    feed: GtfsFeed, date: dt.date, prefix: str, *, where: str = "network.gtfs"
) -> PreparedFeed:
    """Prepare a feed read by :func:`~equityplanner.io.gtfs.read_gtfs` for ``date``.

    Raises
    ------
    InputError
        When the feed runs no trip on ``date`` (naming its service period). (A feed whose
        frequencies would expand without bound never gets here: ``read_gtfs`` refuses it.)
    """
    report = PreparationReport(
        feed=str(feed.path),
        prefix=prefix,
        timezone=_timezone(feed),
        trips_in_feed=len(feed.trips),
    )
    services = active_service_ids(feed, date)
    trips = feed.trips[feed.trips["service_id"].isin(services)]
    trips = trips[trips["trip_id"].isin(feed.stop_times["trip_id"])]
    report.trips_on_date = len(trips)
    if trips.empty:
        period = service_day(feed, date).period
        words = (
            f"its calendar runs from {period[0].isoformat()} to {period[1].isoformat()}"
            if period
            else "its calendar defines no service day"
        )
        raise InputError(
            f"runs no trip on {date.isoformat()} ({date:%A}); {words}",
            path=feed.path,
            location=f"{where} (network.date)",
            remedy="Choose a service day inside every feed's calendar, e.g. a weekday within "
            "calendar.txt's dates",
        )
    times = feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    times = _interpolate_by_distance(feed, times, report)
    trips, times = _expand_frequencies(feed, trips, times, report)
    trips, times = _drop_beyond_48h(trips, times, report)
    routes = feed.routes[feed.routes["route_id"].isin(trips["route_id"])]
    trips, routes = _split_overtaking(trips, times, routes, report)
    return _namespace(feed, prefix, trips, times, routes, report)


def _timezone(feed: GtfsFeed) -> str:
    zones = [z for z in feed.agency["agency_timezone"].astype(str).str.strip() if z]
    return zones[0] if zones else ""


def check_time_zones(feeds: list[PreparedFeed]) -> str:
    """The feeds' common time zone; feeds in different zones are refused.

    Raises
    ------
    InputError
        Naming the feed whose ``agency_timezone`` differs from the first feed's.
    """
    zones = [(f, f.timezone) for f in feeds if f.timezone]
    if not zones:
        return ""
    first_feed, zone = zones[0]
    for other, other_zone in zones[1:]:
        if other_zone != zone:
            raise InputError(
                f"its agency_timezone {other_zone!r} differs from {zone!r} of "
                f"{first_feed.source.name}; the engine reads every time on one clock",
                path=other.source,
                location="agency.txt",
                remedy="Route feeds of one time zone together (or shift this feed's times to "
                f"{zone} and set its agency_timezone)",
            )
    return zone


# --- interpolation by distance ---------------------------------------------------------------


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in metres (mean Earth radius).

    Examples
    --------
    >>> round(float(haversine_m(0, 0, 0, 1)))
    111195
    """
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dlon = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * _EARTH_M * np.arcsin(np.sqrt(np.clip(a, 0, 1))), dtype=np.float64)


def _shape_dist_column(feed: GtfsFeed, times: pd.DataFrame) -> np.ndarray:
    """``shape_dist_traveled`` of each row of ``times`` (NaN where absent).

    :func:`~equityplanner.io.gtfs.read_gtfs` does not keep the column, so it is read here from
    stop_times.txt alone (only this column and the keys).
    """
    raw = _read_member(feed.path, "stop_times.txt")
    empty = np.full(len(times), np.nan)
    if raw is None:
        return empty
    header = raw.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
    names = [c.strip() for c in header.strip().split(",")]
    if "shape_dist_traveled" not in names:
        return empty
    wanted = [c for c in names if c in ("trip_id", "stop_sequence", "shape_dist_traveled")]
    frame = pd.read_csv(
        io.BytesIO(raw),
        usecols=lambda c: c.strip() in wanted,
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    frame.columns = [c.strip() for c in frame.columns]
    frame = frame.assign(
        trip_id=frame["trip_id"].str.strip(),
        stop_sequence=pd.to_numeric(frame["stop_sequence"], errors="coerce"),
        dist=pd.to_numeric(frame["shape_dist_traveled"].str.strip(), errors="coerce"),
    )
    keyed = frame.drop_duplicates(["trip_id", "stop_sequence"]).set_index(
        ["trip_id", "stop_sequence"]
    )["dist"]
    index = pd.MultiIndex.from_arrays(
        [times["trip_id"].to_numpy(), times["stop_sequence"].to_numpy(dtype=float)]
    )
    dist: np.ndarray = keyed.reindex(index).to_numpy(dtype=float)
    return dist


def _read_member(path: Path, name: str) -> bytes | None:
    """One file of a feed (zip, possibly inside one folder, or a folder)."""
    try:
        if path.is_dir():
            target = path / name
            return target.read_bytes() if target.exists() else None
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if Path(member).name.lower() == name:
                    return archive.read(member)
    except (OSError, zipfile.BadZipFile):
        return None
    return None


def _interpolate_by_distance(
    feed: GtfsFeed, times: pd.DataFrame, report: PreparationReport
) -> pd.DataFrame:
    """Re-interpolate the blank times of ``times`` in proportion to distance travelled."""
    times = times.reset_index(drop=True)
    blank = ~times["time_given"].to_numpy(bool)
    if not blank.any():
        return times[["trip_id", "stop_id", "stop_sequence", "arrival_s", "departure_s"]]
    stops = feed.stops.set_index("stop_id")
    lat = stops["stop_lat"].reindex(times["stop_id"]).to_numpy(float)
    lon = stops["stop_lon"].reindex(times["stop_id"]).to_numpy(float)
    shape_dist = _shape_dist_column(feed, times)
    shape_of = feed.trips.set_index("trip_id")["shape_id"]
    shapes = {
        sid: group[["shape_pt_lat", "shape_pt_lon"]].to_numpy(float)
        for sid, group in feed.shapes.groupby("shape_id", sort=False)
    }
    arrival = times["arrival_s"].to_numpy(float)
    departure = times["departure_s"].to_numpy(float)
    trip = times["trip_id"].to_numpy()
    stop_ids = times["stop_id"].to_numpy()
    bounds = np.flatnonzero(np.r_[True, trip[1:] != trip[:-1], True])
    cache: dict[tuple[str, tuple[str, ...]], np.ndarray | None] = {}
    methods: dict[str, int] = {}
    for start, stop in itertools.pairwise(bounds):
        b = blank[start:stop]
        if not b.any():
            continue
        distance, method = _trip_distances(
            shape_dist[start:stop],
            shapes.get(shape_of.get(trip[start], ""), None),
            (str(shape_of.get(trip[start], "")), tuple(stop_ids[start:stop])),
            lat[start:stop],
            lon[start:stop],
            cache,
        )
        known = np.flatnonzero(~b)
        if np.any(np.diff(distance[known]) <= 0) or np.any(np.diff(distance) < 0):
            distance, method = np.arange(stop - start, dtype=float), method + "+stop_order"
        positions = np.arange(stop - start)
        after = known[np.minimum(np.searchsorted(known, positions), len(known) - 1)]
        before = known[np.searchsorted(known, positions, side="right") - 1]
        t0 = departure[start:stop][before]
        t1 = arrival[start:stop][after]
        span = np.where(after > before, distance[after] - distance[before], 1.0)
        value = np.rint(t0 + (distance - distance[before]) / span * (t1 - t0))
        arrival[start:stop] = np.where(b, value, arrival[start:stop])
        departure[start:stop] = np.where(b, value, departure[start:stop])
        methods[method] = methods.get(method, 0) + 1
    report.times_interpolated = int(blank.sum())
    report.trips_by_interpolation = dict(sorted(methods.items()))
    return pd.DataFrame(
        {
            "trip_id": times["trip_id"],
            "stop_id": times["stop_id"],
            "stop_sequence": times["stop_sequence"],
            "arrival_s": arrival.astype(np.int64),
            "departure_s": departure.astype(np.int64),
        }
    )


def _trip_distances(
    shape_dist: np.ndarray,
    shape: np.ndarray | None,
    key: tuple[str, tuple[str, ...]],
    lat: np.ndarray,
    lon: np.ndarray,
    cache: dict[tuple[str, tuple[str, ...]], np.ndarray | None],
) -> tuple[np.ndarray, str]:
    """Distance along the trip at each stop, and which source gave it."""
    if not np.isnan(shape_dist).any():
        return shape_dist.astype(float), "shape_dist_traveled"
    if shape is not None and len(shape) >= 2:
        if key not in cache:
            cache[key] = _project_on_shape(shape, lat, lon)
        projected = cache[key]
        if projected is not None:
            return projected, "shape_projection"
    steps = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    return np.r_[0.0, np.cumsum(np.nan_to_num(steps))], "straight_line"


def _project_on_shape(shape: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray | None:
    """Distances along the shape of each stop's projection, never going backwards.

    None when a stop lies more than 150 m from the rest of the shape (then the straight line
    between stops is used).
    """
    lat0 = float(shape[:, 0].mean())
    scale = np.array([111_320.0 * math.cos(math.radians(lat0)), 110_540.0])
    line = shape[:, ::-1] * scale
    points = np.column_stack([lon, lat]) * scale
    a, d = line[:-1], np.diff(line, axis=0)
    length = np.hypot(d[:, 0], d[:, 1])
    cumulative = np.r_[0.0, np.cumsum(length)]
    out = np.empty(len(points))
    first, previous = 0, 0.0
    for k, p in enumerate(points):
        seg_a, seg_d, seg_len = a[first:], d[first:], length[first:]
        safe = np.where(seg_len > 0, seg_len * seg_len, 1.0)
        t = np.clip(((p - seg_a) * seg_d).sum(axis=1) / safe, 0.0, 1.0)
        t = np.where(seg_len > 0, t, 0.0)
        gap = np.hypot(*(seg_a + seg_d * t[:, None] - p).T)
        along = cumulative[first:-1] + t * seg_len
        gap = np.where(along + 1e-6 >= previous, gap, np.inf)
        j = int(np.argmin(gap))
        if gap[j] > _SHAPE_OFFSET_M:
            return None
        out[k] = previous = float(along[j])
        first += j
    return out


# --- frequencies, 48 h, overtaking -------------------------------------------------------------


def _expand_frequencies(
    feed: GtfsFeed, trips: pd.DataFrame, times: pd.DataFrame, report: PreparationReport
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One trip per headway of each frequencies.txt period, the template's offsets kept."""
    periods = feed.frequencies[feed.frequencies["trip_id"].isin(trips["trip_id"])]
    if periods.empty:
        return trips, times
    counts = (-((periods["start_s"] - periods["end_s"]) // periods["headway_s"])).to_numpy(np.int64)
    templates = set(periods["trip_id"])
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    starts = pd.DataFrame(
        {
            "template": np.repeat(periods["trip_id"].to_numpy(), counts),
            "start_s": np.repeat(periods["start_s"].to_numpy(), counts)
            + step * np.repeat(periods["headway_s"].to_numpy(), counts),
        }
    )
    pattern = times[times["trip_id"].isin(templates)]
    origin = pattern.groupby("trip_id", sort=False)["departure_s"].transform("first")
    pattern = pattern.assign(
        arrival_s=pattern["arrival_s"] - origin, departure_s=pattern["departure_s"] - origin
    ).rename(columns={"trip_id": "template"})
    expanded = starts.merge(pattern, on="template", sort=False)
    expanded["trip_id"] = expanded["template"] + "@" + expanded["start_s"].map(_hhmmss)
    expanded["arrival_s"] += expanded["start_s"]
    expanded["departure_s"] += expanded["start_s"]
    new_trips = starts.assign(trip_id=starts["template"] + "@" + starts["start_s"].map(_hhmmss))
    new_trips = new_trips.merge(
        trips.rename(columns={"trip_id": "template"}), on="template", sort=False
    ).drop(columns=["template", "start_s"])
    report.trips_from_frequencies = len(new_trips)
    trips = pd.concat([trips[~trips["trip_id"].isin(templates)], new_trips], ignore_index=True)
    times = pd.concat(
        [times[~times["trip_id"].isin(templates)], expanded[list(times.columns)]],
        ignore_index=True,
    ).sort_values(["trip_id", "stop_sequence"], kind="stable", ignore_index=True)
    return trips, times


def _hhmmss(seconds: int) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _drop_beyond_48h(
    trips: pd.DataFrame, times: pd.DataFrame, report: PreparationReport
) -> tuple[pd.DataFrame, pd.DataFrame]:
    late = times.loc[times["arrival_s"].gt(MAX_TIME_S) | times["departure_s"].gt(MAX_TIME_S)]
    if late.empty:
        return trips, times
    gone = set(late["trip_id"])
    report.trips_beyond_48h = len(gone)
    return trips[~trips["trip_id"].isin(gone)], times[~times["trip_id"].isin(gone)]


def _split_overtaking(
    trips: pd.DataFrame, times: pd.DataFrame, routes: pd.DataFrame, report: PreparationReport
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give each trip that overtakes another of its route and stop pattern its own route."""
    grouped = times.groupby("trip_id", sort=False)
    table = pd.DataFrame(
        {"pattern": grouped["stop_id"].agg(tuple), "deps": grouped["departure_s"].agg(list)}
    )
    table["route_id"] = trips.set_index("trip_id")["route_id"].reindex(table.index)
    moved: dict[str, str] = {}
    for (route_id, _), group in table.groupby(["route_id", "pattern"], sort=True):
        if len(group) < 2:
            continue
        order = group.assign(first=[d[0] for d in group["deps"]]).sort_values(
            ["first"], kind="stable"
        )
        chains: list[np.ndarray] = []
        for trip_id, deps in zip(order.index, order["deps"], strict=True):
            values = np.asarray(deps)
            for number, last in enumerate(chains):
                if np.all(values >= last):
                    chains[number] = values
                    break
            else:
                chains.append(values)
                number = len(chains) - 1
            if number:
                moved[str(trip_id)] = f"{route_id}~{number}"
    if not moved:
        return trips, routes
    report.trips_split_for_overtaking = len(moved)
    trips = trips.assign(
        route_id=[moved.get(t, r) for t, r in zip(trips["trip_id"], trips["route_id"], strict=True)]
    )
    extra = sorted(set(moved.values()))
    copies = routes.set_index("route_id").loc[[r.split("~")[0] for r in extra]].reset_index()
    copies["route_id"] = extra
    return trips, pd.concat([routes, copies], ignore_index=True)


def _namespace(
    feed: GtfsFeed,
    prefix: str,
    trips: pd.DataFrame,
    times: pd.DataFrame,
    routes: pd.DataFrame,
    report: PreparationReport,
) -> PreparedFeed:
    def ns(values: pd.Series) -> pd.Series:
        text = values.astype(str)
        return (prefix + ":" + text).where(text.ne(""), "")

    used = feed.stops[feed.stops["stop_id"].isin(times["stop_id"])]
    stops = pd.DataFrame(
        {
            "stop_id": ns(used["stop_id"]),
            "stop_name": used["stop_name"],
            "stop_lat": used["stop_lat"],
            "stop_lon": used["stop_lon"],
        }
    ).reset_index(drop=True)
    source_route = routes["route_id"].astype(str).str.split("~").str[0]
    out_routes = pd.DataFrame(
        {
            "route_id": ns(routes["route_id"]),
            "agency_id": ns(routes["agency_id"]),
            "route_short_name": routes["route_short_name"],
            "route_long_name": routes["route_long_name"],
            "route_type": routes["route_type"].astype(np.int64),
            "source_route_id": source_route,
        }
    ).reset_index(drop=True)
    out_trips = pd.DataFrame(
        {
            "trip_id": ns(trips["trip_id"]),
            "route_id": ns(trips["route_id"]),
            "direction_id": trips["direction_id"].astype("Int8"),
            "shape_id": ns(trips["shape_id"]),
        }
    ).reset_index(drop=True)
    out_times = pd.DataFrame(
        {
            "trip_id": ns(times["trip_id"]),
            "stop_id": ns(times["stop_id"]),
            "stop_sequence": times["stop_sequence"].astype(np.int64),
            "arrival_s": times["arrival_s"].astype(np.int64),
            "departure_s": times["departure_s"].astype(np.int64),
        }
    ).sort_values(["trip_id", "stop_sequence"], kind="stable", ignore_index=True)
    shapes = feed.shapes[feed.shapes["shape_id"].isin(trips["shape_id"])]
    agency = feed.agency.assign(agency_id=ns(feed.agency["agency_id"]))
    return PreparedFeed(
        prefix=prefix,
        source=Path(feed.path),
        timezone=report.timezone,
        agency=agency,
        stops=stops,
        routes=out_routes,
        trips=out_trips,
        stop_times=out_times,
        shapes=shapes.assign(shape_id=ns(shapes["shape_id"])).reset_index(drop=True),
        report=report,
    )


# --- writing ------------------------------------------------------------------------------------


def write_feed(feed: PreparedFeed, folder: Path, date: dt.date) -> Path:
    """Write a prepared feed as a GTFS folder the engine reads (every trip runs on ``date``).

    Returns the folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    agency = feed.agency[["agency_id", "agency_name", "agency_url", "agency_timezone"]]
    if agency.empty:
        agency = pd.DataFrame(
            [{"agency_id": "", "agency_name": feed.prefix, "agency_url": "", "agency_timezone": ""}]
        )
    _csv(agency, folder / "agency.txt")
    _csv(
        feed.stops.assign(
            stop_lat=feed.stops["stop_lat"].map("{:.7f}".format),
            stop_lon=feed.stops["stop_lon"].map("{:.7f}".format),
        ),
        folder / "stops.txt",
    )
    _csv(
        feed.routes[["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"]],
        folder / "routes.txt",
    )
    trips = feed.trips.assign(service_id=SERVICE_ID)
    _csv(trips[["route_id", "service_id", "trip_id", "direction_id"]], folder / "trips.txt")
    times = feed.stop_times
    _csv(
        pd.DataFrame(
            {
                "trip_id": times["trip_id"],
                "arrival_time": _clock(times["arrival_s"].to_numpy()),
                "departure_time": _clock(times["departure_s"].to_numpy()),
                "stop_id": times["stop_id"],
                "stop_sequence": times["stop_sequence"],
            }
        ),
        folder / "stop_times.txt",
    )
    day = date.strftime("%Y%m%d")
    _csv(
        pd.DataFrame(
            [
                {
                    "service_id": SERVICE_ID,
                    **dict.fromkeys(_DAYS, 1),
                    "start_date": day,
                    "end_date": day,
                }
            ]
        ),
        folder / "calendar.txt",
    )
    # Empty optional files, so that the engine does not log their absence.
    (folder / "calendar_dates.txt").write_text("service_id,date,exception_type\n", encoding="utf-8")
    (folder / "transfers.txt").write_text(
        "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n", encoding="utf-8"
    )
    (folder / "feed_info.txt").write_text(
        "feed_publisher_name,feed_publisher_url,feed_lang\n", encoding="utf-8"
    )
    return folder


def _clock(seconds: np.ndarray) -> list[str]:
    s = np.asarray(seconds, dtype=np.int64)
    return [f"{v // 3600:02d}:{v % 3600 // 60:02d}:{v % 60:02d}" for v in s.tolist()]


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")
