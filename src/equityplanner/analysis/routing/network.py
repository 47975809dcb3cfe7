"""A routed network: the street network and prepared feeds of one service day, and its builds.

:class:`RoutedNetwork` holds what the ``network`` block names once it is read and prepared
(:func:`equityplanner.analysis.inputs.load_network` makes one): the OSM extract, the baseline
feeds prepared for the date, the settings and the warnings found on the way. From it:

* :meth:`RoutedNetwork.travel_times` builds the engine on the baseline feeds, or on feeds a
  proposal modified (:mod:`equityplanner.analysis.routing.scenario`), and returns a
  :class:`~equityplanner.analysis.routing.provider.RoutedTravelTimes`;
* :meth:`RoutedNetwork.route_lines` gives the baseline routes as longitude/latitude lines, for
  the map (the app draws them in grey under the proposals);
* the first build counts the stops lying away from the street network and names them in a
  warning (they can be ridden through, not walked to); a feed none of whose stops is near the
  streets is refused.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from equityplanner.analysis.routing.engine import (
    WALK_SPEED_M_S,
    FerrobusEngine,
    RoutingEngine,
    check_osm_pbf,
)
from equityplanner.analysis.routing.feeds import (
    PreparedFeed,
    check_time_zones,
    prepare_feed,
    write_feed,
)
from equityplanner.analysis.routing.provider import RoutedTravelTimes, WindowTimes
from equityplanner.errors import InputError
from equityplanner.io.gtfs import GtfsFeed, read_gtfs
from equityplanner.model.network import NetworkSource
from equityplanner.progress import NullProgress, Progress

__all__ = ["OFF_NETWORK_M", "RouteLine", "RoutedNetwork"]

OFF_NETWORK_M: Final[float] = 300.0
"""A stop further than this from a street node is counted as outside the street network."""
MAX_TRANSFER_S: Final[int] = 1200
"""Footpaths between stops are at most this long (20 minutes, as the engine's default)."""
_EXAMPLES: Final[int] = 5
_CACHE_BYTES: Final[int] = 512 * 2**20
_WINDOWS: OrderedDict[str, WindowTimes] = OrderedDict()
_STOP_WARNINGS: dict[str, list[str]] = {}  # by the digest of the street network and feeds
"""Routed windows by the digest of what they were routed from (see RoutedNetwork.route_window)."""

# ferrobus logs through Python logging (pyo3_log): keep its notices off the terminal; the
# warnings that matter are ours, with the names of the stops.
for _name in ("ferrobus", "ferrobus_core"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


@dataclass(frozen=True)
class RouteLine:
    """A route of the network as a line in longitude/latitude, for the map."""

    route_id: str
    short_name: str
    long_name: str
    route_type: int
    feed: str
    geometry: BaseGeometry


@dataclass
class RoutedNetwork:
    """The street network and the baseline feeds, prepared for the date (see module docs).

    Attributes
    ----------
    settings
        The ``network`` block.
    osm
        The OSM extract (absolute path).
    feeds
        The baseline feeds, prepared (one per ``gtfs`` entry, prefixes ``f0``, ``f1``...).
    timezone
        Their common time zone.
    warnings
        Problems worked around, one sentence each (the assessment's warnings).
    engine
        The routing engine (ferrobus).
    """

    settings: NetworkSource
    osm: Path
    feeds: tuple[PreparedFeed, ...]
    timezone: str = ""
    warnings: list[str] = field(default_factory=list)
    engine: RoutingEngine = field(default_factory=FerrobusEngine)
    _stops_checked: bool = False

    @classmethod
    def load(
        cls,
        settings: NetworkSource,
        *,
        base: Path | None = None,
        read: Callable[[Path, Progress], GtfsFeed] | None = None,
        progress: Progress | None = None,
    ) -> RoutedNetwork:
        """Read the OSM extract's header and the feeds, and prepare the feeds for the date.

        Parameters
        ----------
        settings
            The ``network`` block.
        base
            The folder relative paths are resolved against (the project file's).
        read
            Reads a feed (default :func:`~equityplanner.io.gtfs.read_gtfs`; the assessment
            passes a cached reader).
        progress
            Reported after each feed.

        Raises
        ------
        InputError
            For an OSM file that is not a PBF extract, a feed that cannot be read or runs no
            trip on the date, or feeds in different time zones.
        """
        progress = progress or NullProgress()
        reader = read or (lambda path, part: read_gtfs(path, progress=part))

        def resolve(relative: str) -> Path:
            path = Path(relative)
            return path if path.is_absolute() or base is None else (base / path).resolve()

        osm = resolve(settings.osm)
        check_osm_pbf(osm)
        feeds: list[PreparedFeed] = []
        warnings: list[str] = []
        count = len(settings.gtfs)
        for number, relative in enumerate(settings.gtfs):
            part = progress.subrange(number / count, (number + 1) / count)
            feed = reader(resolve(relative), part.subrange(0.0, 0.7))
            warnings += list(feed.warnings)
            feeds.append(
                prepare_feed(
                    feed, settings.service_date, f"f{number}", where=f"network.gtfs[{number}]"
                )
            )
            part.report(1.0, f"Prepared {Path(relative).name}")
        zone = check_time_zones(feeds)
        network = cls(settings, osm, tuple(feeds), zone, warnings)
        network.warnings += network.window_warnings()
        return network

    @property
    def description(self) -> str:
        """Which engine routed what, over which window and percentile, in one line."""
        s = self.settings
        names = ", ".join(f.source.name for f in self.feeds)
        return (
            f"routed on the street network ({self.osm.name}) and every trip of {names} by "
            f"{self.engine.name} {self.engine.version}: {s.describe()}; walking "
            f"{WALK_SPEED_M_S * 3.6:.2f} km/h up to {s.max_walk_min:g} min, at most "
            f"{s.max_rides} vehicles, trips over {s.cutoff_min:g} min unreachable"
        )

    def window_warnings(self) -> list[str]:
        """A sentence for each feed with no departure in the window (or none at all)."""
        first, last = self.settings.window_s
        out = []
        for feed in self.feeds:
            if feed.departures_between(first, last) == 0:
                out.append(
                    f"{feed.source}: no trip departs between {self.settings.window[0]} and "
                    f"{self.settings.window[1]} on {self.settings.date} (network.window); "
                    "this feed adds nothing to the routed times, which may be walking only. "
                    "Choose a window in which the service runs"
                )
        return out

    def travel_times(
        self,
        feeds: Sequence[PreparedFeed] | None = None,
        *,
        crs: CRS | None = None,
        progress: Progress | None = None,
    ) -> RoutedTravelTimes:
        """Build the engine on ``feeds`` (default: the baseline) and return its travel times."""
        progress = progress or NullProgress()
        chosen = list(self.feeds if feeds is None else feeds)
        progress.report(0.0, "Writing the prepared feeds")
        with tempfile.TemporaryDirectory(prefix="equityplanner-routing-") as folder:
            dirs = [
                write_feed(feed, Path(folder) / feed.prefix, self.settings.service_date)
                for feed in chosen
                if not feed.stop_times.empty
            ]
            progress.report(0.3, "Building the street and transit network")
            model = self.engine.build(self.osm, dirs, self.settings.service_date, MAX_TRANSFER_S)
        if not self._stops_checked:
            self._check_stops(model)
        progress.report(1.0, "Network built")
        return RoutedTravelTimes(model, self.settings, crs, self.description)

    def route_window(
        self,
        lonlat: np.ndarray,
        feeds: Sequence[PreparedFeed] | None = None,
        *,
        build: int = 0,
        progress: Progress | None = None,
    ) -> WindowTimes:
        """Route ``lonlat`` over the window on ``feeds`` (default: the baseline), or recall it.

        A window routed from the same street network, prepared feeds, settings and points is
        kept (up to 512 MB, least recently used first out) and returned again, so re-running an
        assessment, or a proposal also part of a scenario, routes nothing twice. ``build`` tells
        separate builds of the same inputs apart (the rebuilt baseline of the noise floor is
        build 1): the engine is not deterministic from one build to the next.
        """
        progress = progress or NullProgress()
        chosen = list(self.feeds if feeds is None else feeds)
        key = self._digest(chosen, lonlat, build)
        hit = _WINDOWS.get(key)
        if hit is not None and not self._stops_checked:
            known = _STOP_WARNINGS.get(self._digest(self.feeds, np.empty((0, 2)), 0))
            if known is None:
                hit = None  # build once more, to check the stops
            else:
                self._stops_checked = True
                self.warnings += known
        if hit is not None:
            _WINDOWS.move_to_end(key)
            progress.report(1.0, "Routed (kept from an earlier run)")
            return hit
        provider = self.travel_times(chosen, progress=progress.subrange(0.0, 0.1))
        times = provider.route(lonlat, progress=progress.subrange(0.1, 1.0))
        _WINDOWS[key] = times
        while len(_WINDOWS) > 1 and sum(w.seconds.nbytes for w in _WINDOWS.values()) > _CACHE_BYTES:
            _WINDOWS.popitem(last=False)
        return times

    def _digest(self, feeds: Sequence[PreparedFeed], lonlat: np.ndarray, build: int) -> str:
        h = hashlib.sha256()
        stat = self.osm.stat()
        h.update(f"{self.osm}|{stat.st_size}|{stat.st_mtime_ns}|{build}|{self.settings}".encode())
        h.update(self.engine.name.encode() + self.engine.version.encode())
        for feed in feeds:
            h.update(feed.prefix.encode())
            for table in (feed.stops, feed.routes, feed.trips, feed.stop_times):
                h.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
        h.update(np.ascontiguousarray(lonlat, dtype=np.float64).tobytes())
        return h.hexdigest()

    def _check_stops(self, model: object) -> None:
        """Count the stops away from the streets, feed by feed; refuse a feed with none near."""
        self._stops_checked = True
        snap = getattr(model, "snap", None)
        if snap is None:
            return
        before = len(self.warnings)
        self._count_far_stops(snap)
        _STOP_WARNINGS[self._digest(self.feeds, np.empty((0, 2)), 0)] = self.warnings[before:]

    def _count_far_stops(self, snap: Callable[..., tuple[list[object], np.ndarray]]) -> None:
        """One warning per feed with stops away from the streets; a feed with none near fails."""
        limit_s = int(OFF_NETWORK_M / WALK_SPEED_M_S)
        for feed in self.feeds:
            stops = feed.stops
            if stops.empty:
                continue
            _, near = snap(
                stops["stop_lat"].to_numpy(float), stops["stop_lon"].to_numpy(float), limit_s
            )
            far = stops[~near]
            if far.empty:
                continue
            if len(far) == len(stops):
                raise InputError(
                    f"none of its {len(stops):,} stops lies within {OFF_NETWORK_M:g} m of the "
                    f"street network of {self.osm.name}",
                    path=feed.source,
                    location="network.gtfs",
                    remedy="Give an OSM extract that covers the feed's area (or the feed of "
                    "this city)",
                )
            names = "; ".join(
                f"{name} ({sid.split(':', 1)[-1]})"
                for sid, name in zip(
                    far["stop_id"][:_EXAMPLES], far["stop_name"][:_EXAMPLES], strict=True
                )
            )
            more = f" and {len(far) - _EXAMPLES:,} more" if len(far) > _EXAMPLES else ""
            self.warnings.append(
                f"{feed.source}: {len(far):,} of {len(stops):,} stops lie more than "
                f"{OFF_NETWORK_M:g} m from the street network of {self.osm.name} ({names}{more}); "
                "riders pass through them but cannot walk to them, and transfers there are "
                "short-circuited. Use an OSM extract covering every stop with a margin"
            )

    def route_lines(self) -> list[RouteLine]:
        """Each baseline route as a longitude/latitude line (its longest trip's shape or stops).

        For the map: the app draws them in grey under the proposals.
        """
        out: list[RouteLine] = []
        for feed in self.feeds:
            out.extend(_route_lines(feed))
        return out


def _route_lines(feed: PreparedFeed) -> list[RouteLine]:
    times = feed.stop_times
    if times.empty:
        return []
    size = times.groupby("trip_id", sort=False).size()
    trips = feed.trips.assign(stops=feed.trips["trip_id"].map(size).fillna(0))
    longest = trips.sort_values("stops", ascending=False, kind="stable").drop_duplicates("route_id")
    stops = feed.stops.set_index("stop_id")
    shapes = {sid: g for sid, g in feed.shapes.groupby("shape_id", sort=False)}
    routes = feed.routes.set_index("route_id")
    lines: list[RouteLine] = []
    for trip in longest.itertuples(index=False):
        shape = shapes.get(str(trip.shape_id))
        if shape is not None and len(shape) >= 2:
            coords = shape[["shape_pt_lon", "shape_pt_lat"]].to_numpy(float)
        else:
            visited = times.loc[times["trip_id"].eq(trip.trip_id), "stop_id"]
            coords = stops.loc[visited, ["stop_lon", "stop_lat"]].to_numpy(float)
        if len(coords) < 2:
            continue
        route = routes.loc[trip.route_id]
        lines.append(
            RouteLine(
                route_id=str(route["source_route_id"]),
                short_name=str(route["route_short_name"]),
                long_name=str(route["route_long_name"]),
                route_type=int(route["route_type"]),
                feed=feed.source.name,
                geometry=shapely.LineString(np.asarray(coords)),
            )
        )
    return lines


def route_lines_frame(lines: Sequence[RouteLine]) -> pd.DataFrame:
    """The lines as a table (one row per route), e.g. for a GeoDataFrame."""
    return pd.DataFrame([line.__dict__ for line in lines])
