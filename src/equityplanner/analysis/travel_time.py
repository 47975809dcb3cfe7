"""Ex-ante travel times: straight-line walking and a schematic transit model.

This is a *sketch-planning* model for comparing a network before and after a proposal, not a
router. It says so in :attr:`StraightLineModel.description`, which every output carries and
which starts with :data:`DESCRIPTION` ("straight-line walking times route factor; transit:
walk + half headway + scheduled speed; not a street or timetable router"). Anything with the
:class:`TravelTimeProvider` interface (a street-network or GTFS router, say) can replace it
later.

The model
---------
All coordinates are metres in one projected CRS.

* **Walking** from ``a`` to ``b``: straight-line distance times ``route_factor`` (detour, 1.3 by
  default) at ``walk_speed_kmh`` (4.8 km/h).
* **Transit**: walk to a boarding station, wait half the line's headway, ride at the mode's
  scheduled speed (bus 18, BRT 25, rail 35 km/h by default) over the distance along the line's
  station sequence (straight segments between consecutive stations), then walk from the
  alighting station. Access and egress walks are limited to ``max_access_walk_m`` of walking
  distance (1,200 m, i.e. 923 m straight with the 1.3 route factor), to the
  ``stations_per_line`` nearest stations of each line (3). One transfer between two lines is
  allowed where their stations are within ``max_transfer_walk_m`` (400 m): walk + a
  ``transfer_penalty_min`` (5 min) + half the second line's headway.
* The travel time is the minimum of walking and transit.

Computation
-----------
``times = min(walk, min_{s,t} access[o, s] + station[s, t] + egress[t, d])``: a min-plus
product of a sparse origin-to-station access matrix, a small dense station-to-station matrix
(wait + in-vehicle time, with the transfer folded in) and a sparse station-to-destination
egress matrix. :meth:`StraightLineModel.times_minutes` builds it densely and exactly: fine for
thousands of origins and destinations, chunked by the callers beyond that.

For *cumulative opportunities* (how many jobs within 45 minutes) over a whole region, with say
240,000 origins and 100,000 destinations, no origin-by-destination matrix is built:
:meth:`StraightLineModel.opportunities_within` (``method="aggregated"``) counts

* walking: exactly, from the origin-destination pairs within the walking radius of the largest
  threshold (a grid of cells as wide as that radius; chunks of origins keep memory bounded);
* transit: each destination is attached to the *nearest station of each line* within the
  egress walk (the line's station catchments); for each station the attached destinations
  are sorted by egress time with cumulative opportunity sums (the limit of infinitely narrow
  egress-time bands, so there is no banding error), and an origin's count is one binary
  search per station on the time left after riding there. A destination attached to several
  lines is counted once: the excess is removed exactly, origin by destination, for those
  destinations only;
* the overlap (destinations reachable both ways) is subtracted using the walking pairs, so
  nothing is counted twice.

Memory stays bounded by chunks of origins (about 3 million walking candidates, or 4 million
origin-by-station cells, per chunk). Time grows with the number of walking pairs (dense
destinations and long thresholds) and with the destinations near two or more lines.

*Exactness trade-off.* Origin-side times are exact, and so is the union of walking and
transit. The one approximation is that a destination alights only at the nearest station of
each line, while the exact path also tries the other ``stations_per_line - 1`` candidates.
When one of those would be quicker, the aggregated time is too long; on a trip without a
transfer, by at most the in-vehicle time between the two stations (walking is 5-9 times slower
than riding, so this happens only to destinations near the mid-point between two stations, by
a minute or two); after a transfer onto the destination's nearest station, rarely, by more. On
the Magnolia sample the mean number of jobs within 45 minutes is 0.1% below the exact count.
The aggregated count is never above the exact one, equals it when ``stations_per_line`` is 1,
and without transfers is never below the exact count at the threshold minus that in-vehicle
time (the tests check all three). ``method="exact"`` computes the dense times chunk by chunk
instead, for small cases and for checking.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any, Final, NamedTuple, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from pyproj import CRS

from equityplanner.analysis.catchment import to_crs
from equityplanner.errors import InputError, MethodError
from equityplanner.model.project import Mode, ServiceChange, TransitProject
from equityplanner.model.travel_model import TravelModelParameters
from equityplanner.progress import NullProgress, Progress

__all__ = [
    "DESCRIPTION",
    "TIME_TOLERANCE_MIN",
    "StationLinks",
    "StraightLineModel",
    "TransitLine",
    "TravelModelParameters",
    "TravelTimeProvider",
    "count_opportunities",
    "lines_before_after",
]

DESCRIPTION: Final[str] = (
    "straight-line walking × route factor; transit: walk + half headway + scheduled speed; "  # noqa: RUF001
    "not a street or timetable router"
)
"""What the straight-line model is, in one line, for every output that uses it."""

TIME_TOLERANCE_MIN: Final[float] = 1e-9
"""A time within this many minutes above a threshold counts as within (float rounding)."""

_WGS84 = CRS.from_epsg(4326)
_PAIR_BUDGET = 4_000_000  # candidate points per batch (about 100 bytes each at peak)
_CELL_BUDGET = 4_000_000  # origin x station (or origin x destination) cells per chunk
_MAX_GRID_CELLS = 16_000_000  # cells of a point index (8 bytes each)
_CELLS_PER_RADIUS = 8  # walking index: cell side = smallest walking radius / 8


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Anything that gives travel times between points in metres of one projected CRS.

    ``times_minutes`` may be called on chunks of origins: the result for a chunk equals the
    matching rows of the result for all origins.
    """

    @property
    def description(self) -> str:
        """One line saying what the times are and are not (printed in outputs)."""

    def times_minutes(
        self, origins_xy: npt.ArrayLike, destinations_xy: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Minutes from each origin (rows) to each destination (columns); inf if unreachable."""


# --- lines -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TransitLine:
    """A line of the schematic network: stations in order, a mode and a headway.

    Attributes
    ----------
    id
        Unique within a network; a line of the same id replaces it in "after" networks.
    name
        For people.
    mode
        ``bus``, ``brt`` or ``rail``: sets the scheduled speed.
    stations_xy
        (k, 2) station coordinates in metres of the model's CRS, in running order.
    headway_min
        Minutes between vehicles (the peak headway); the wait is half of it.
    """

    id: str
    name: str
    mode: Mode
    stations_xy: npt.NDArray[np.float64]
    headway_min: float

    def __post_init__(self) -> None:
        try:
            mode = Mode.create(self.mode)
        except ValueError as exc:
            raise InputError(str(exc), location=f"line {self.id!r}, mode") from exc
        xy = np.array(self.stations_xy, dtype=np.float64, copy=True)
        if xy.ndim != 2 or xy.shape[1] != 2 or xy.shape[0] < 2:
            raise InputError(
                f"has {0 if xy.ndim != 2 else xy.shape[0]} stations",
                location=f"line {self.id!r}",
                remedy="A line needs at least two stations",
            )
        if not np.isfinite(xy).all():
            raise InputError("has a station without coordinates", location=f"line {self.id!r}")
        headway = float(self.headway_min)
        if not (math.isfinite(headway) and headway > 0):
            raise InputError(
                f"headway {self.headway_min!r} min is not a positive number",
                location=f"line {self.id!r}",
                remedy="Enter the peak headway in minutes",
            )
        xy.setflags(write=False)
        object.__setattr__(self, "mode", mode)
        object.__setattr__(self, "stations_xy", xy)
        object.__setattr__(self, "headway_min", headway)

    @property
    def cumulative_m(self) -> npt.NDArray[np.float64]:
        """Distance along the station sequence from the first station to each station."""
        steps = np.hypot(*np.diff(self.stations_xy, axis=0).T)
        return np.concatenate([[0.0], np.cumsum(steps)])

    @property
    def length_m(self) -> float:
        """Distance along the station sequence from the first to the last station."""
        return float(self.cumulative_m[-1])

    @classmethod
    def from_project(
        cls, project: TransitProject, crs: CRS, *, baseline: bool = False
    ) -> TransitLine:
        """The line of a transit project, its stations projected into ``crs``.

        Parameters
        ----------
        project
            Stations in longitude/latitude, in running order.
        crs
            The model's projected CRS (metres).
        baseline
            Use ``baseline_peak_headway_min`` (the service before the change) instead of
            ``peak_headway_min``.

        Raises
        ------
        InputError
            If the headway needed is missing or the project has fewer than two stations.
        """
        headway = project.baseline_peak_headway_min if baseline else project.peak_headway_min
        field_name = "baseline_peak_headway_min" if baseline else "peak_headway_min"
        if headway is None:
            raise InputError(
                f"transit project {project.id!r} has no {field_name}",
                location=f"project {project.id}",
                remedy=f"Enter {field_name} (minutes between vehicles at the peak)",
            )
        points = np.array([station.geometry for station in project.stations], dtype=object)
        if len(points) < 2:
            raise InputError(
                f"transit project {project.id!r} has {len(points)} stations",
                location=f"project {project.id}",
                remedy="A line needs at least two stations, in running order",
            )
        local = to_crs(points, _WGS84, crs)
        xy = np.column_stack([[g.x for g in local], [g.y for g in local]])
        return cls(project.id, project.name, project.mode, xy, float(headway))


def lines_before_after(
    projects: Sequence[TransitProject], crs: CRS
) -> tuple[list[TransitLine], list[TransitLine]]:
    """The lines of transit projects before and after the change.

    A new line exists only after; a removal only before (at its baseline headway, or its peak
    headway when no baseline is given); an improvement or reduction exists in both, at
    ``baseline_peak_headway_min`` before and ``peak_headway_min`` after.
    """
    before: list[TransitLine] = []
    after: list[TransitLine] = []
    for project in projects:
        if project.change is ServiceChange.NEW:
            after.append(TransitLine.from_project(project, crs))
        elif project.change is ServiceChange.REMOVAL:
            baseline = project.baseline_peak_headway_min is not None
            before.append(TransitLine.from_project(project, crs, baseline=baseline))
        else:
            before.append(TransitLine.from_project(project, crs, baseline=True))
            after.append(TransitLine.from_project(project, crs))
    return before, after


# --- the model -------------------------------------------------------------------------------


class StationLinks(NamedTuple):
    """Walking links between points and stations, sorted by point (then line, distance).

    ``point`` indexes the points given, ``station`` the model's stations
    (:attr:`StraightLineModel.station_xy`), ``minutes`` is the walking time.
    """

    point: npt.NDArray[np.int64]
    station: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.float64]


class StraightLineModel:
    """Straight-line walking plus a schematic transit network (see the module docstring).

    Parameters
    ----------
    lines
        The transit network (may be empty: walking only).
    parameters
        The model's numbers; defaults as in :class:`TravelModelParameters`.
    crs
        The projected CRS of all coordinates (metres); needed by the helpers that take
        geographic layers (:func:`equityplanner.analysis.access.jobs_within`).
    **overrides
        Fields of :class:`TravelModelParameters` to change, e.g. ``route_factor=1.2``.

    Examples
    --------
    >>> model = StraightLineModel(route_factor=1.0)
    >>> model.times_minutes([[0.0, 0.0]], [[800.0, 0.0]]).round(3).tolist()
    [[10.0]]
    """

    def __init__(
        self,
        lines: Sequence[TransitLine] = (),
        *,
        parameters: TravelModelParameters | None = None,
        crs: CRS | None = None,
        **overrides: Any,
    ) -> None:
        base = parameters if parameters is not None else TravelModelParameters()
        if overrides:
            unknown = sorted(set(overrides) - {f.name for f in fields(TravelModelParameters)})
            if unknown:
                raise TypeError(f"unknown travel model parameters: {', '.join(unknown)}")
            base = TravelModelParameters(**{**base.to_dict(), **overrides})
        self.parameters: TravelModelParameters = base
        self.crs: CRS | None = crs
        self.lines: tuple[TransitLine, ...] = tuple(lines)
        ids = [line.id for line in self.lines]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise InputError(
                f"line ids {', '.join(map(repr, repeated))} appear more than once",
                location="transit network",
                remedy="Give every line its own id",
            )
        self._build_stations()

    # -- public ---------------------------------------------------------------------------

    @property
    def description(self) -> str:
        """What the times are (and are not), with the parameters and the network size."""
        stations = len(self.station_xy)
        network = (
            f"{len(self.lines)} transit lines, {stations} stations"
            if self.lines
            else "no transit lines"
        )
        return f"{DESCRIPTION} ({self.parameters.describe()}; {network})"

    def with_lines(self, lines: Sequence[TransitLine]) -> StraightLineModel:
        """The same model (parameters, CRS) on another network."""
        return StraightLineModel(lines, parameters=self.parameters, crs=self.crs)

    @property
    def station_xy(self) -> npt.NDArray[np.float64]:
        """(S, 2) coordinates of every station of every line, line by line."""
        return self._station_xy

    @property
    def station_line(self) -> npt.NDArray[np.int64]:
        """Index into :attr:`lines` of each station."""
        return self._station_line

    @property
    def station_minutes(self) -> npt.NDArray[np.float64]:
        """(S, S) minutes from boarding at station s to alighting at station t.

        Half the headway of the line boarded plus in-vehicle time; through one transfer when
        allowed (walk + penalty + half the second headway). inf when t cannot be reached,
        including t == s.
        """
        return self._station_minutes

    def walk_minutes(
        self, origins_xy: npt.ArrayLike, destinations_xy: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Dense walking times: straight-line distance times route factor over walking speed."""
        o = _as_xy(origins_xy, "origins")
        d = _as_xy(destinations_xy, "destinations")
        dist = np.hypot(d[None, :, 0] - o[:, None, 0], d[None, :, 1] - o[:, None, 1])
        return np.asarray(dist * self.parameters.walk_min_per_m, dtype=np.float64)

    def station_links(self, points_xy: npt.ArrayLike) -> StationLinks:
        """Walks between points and the stations they may use (access or egress).

        Stations within ``max_access_walk_m`` of walking distance, at most
        ``stations_per_line`` nearest per line.
        """
        points = _as_xy(points_xy, "points")
        empty = StationLinks(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
        if len(points) == 0 or self._station_index is None:
            return empty
        p = self.parameters
        radius = _search_radius(p.max_access_walk_m / p.route_factor)
        point, station, dist = self._station_index.pairs_within(points, radius)
        keep = dist * p.route_factor <= p.max_access_walk_m
        point, station, dist = point[keep], station[keep], dist[keep]
        line = self._station_line[station]
        order = np.lexsort((station, dist, line, point))
        point, station, dist, line = point[order], station[order], dist[order], line[order]
        new_group = np.ones(len(point), dtype=bool)
        new_group[1:] = (point[1:] != point[:-1]) | (line[1:] != line[:-1])
        group_start = np.flatnonzero(new_group)
        rank = np.arange(len(point)) - np.repeat(
            group_start, np.diff(np.append(group_start, len(point)))
        )
        keep = rank < p.stations_per_line
        return StationLinks(
            point[keep].astype(np.int64),
            station[keep].astype(np.int64),
            dist[keep] * p.walk_min_per_m,
        )

    def board_times(self, points_xy: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """(n, S) minutes from each point to arriving by vehicle at each station.

        ``min over access stations s of walk(point, s) + station_minutes[s, t]``; inf where
        no station can be reached.
        """
        points = _as_xy(points_xy, "points")
        out = np.full((len(points), len(self._station_xy)), np.inf)
        links = self.station_links(points)
        if len(links.point) == 0:
            return out
        starts = _group_starts(links.point)
        vals = links.minutes[:, None] + self._station_minutes[links.station, :]
        out[links.point[starts]] = np.minimum.reduceat(vals, starts, axis=0)
        return out

    def times_minutes(
        self, origins_xy: npt.ArrayLike, destinations_xy: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Exact (n, m) travel times in minutes: the minimum of walking and transit.

        Dense: memory is about 8 n (m + number of egress links) bytes, so call it on
        chunks of origins for large inputs (each chunk gives the same rows as a whole call).
        """
        o = _as_xy(origins_xy, "origins")
        d = _as_xy(destinations_xy, "destinations")
        times = self.walk_minutes(o, d)
        if len(self._station_xy) == 0 or times.size == 0:
            return times
        boarded = self.board_times(o)
        egress = self.station_links(d)
        if len(egress.point) == 0:
            return times
        starts = _group_starts(egress.point)
        via = np.minimum.reduceat(
            boarded[:, egress.station] + egress.minutes[None, :], starts, axis=1
        )
        columns = egress.point[starts]
        times[:, columns] = np.minimum(times[:, columns], via)
        return times

    def opportunities_within(
        self,
        origins_xy: npt.ArrayLike,
        destinations_xy: npt.ArrayLike,
        weights: npt.ArrayLike,
        thresholds_min: Sequence[float] | float,
        *,
        method: str = "aggregated",
        chunk_size: int | None = None,
        progress: Progress | None = None,
    ) -> npt.NDArray[np.float64]:
        """Opportunities reachable within each threshold (cumulative opportunities).

        Parameters
        ----------
        origins_xy, destinations_xy
            (n, 2) and (m, 2) coordinates in metres.
        weights
            (m,) opportunities at each destination (jobs, seats...), zero or more.
        thresholds_min
            One or more travel-time thresholds in minutes (a time equal to the threshold
            counts as within).
        method
            ``"aggregated"`` (default; station catchments, see the module docstring) or
            ``"exact"`` (dense times by chunks of origins).
        chunk_size
            Largest number of origins per chunk (default: set by a memory budget).
        progress
            Reported between chunks; cancellation is checked there.

        Returns
        -------
        numpy.ndarray
            (n, k) float64, one column per threshold in the order given.
        """
        return count_opportunities(
            [self],
            origins_xy,
            destinations_xy,
            weights,
            thresholds_min,
            method=method,
            chunk_size=chunk_size,
            progress=progress,
        )[0]

    # -- construction ---------------------------------------------------------------------

    def _build_stations(self) -> None:
        p = self.parameters
        if not self.lines:
            self._station_xy = np.empty((0, 2))
            self._station_line = np.empty(0, np.int64)
            self._station_minutes = np.empty((0, 0))
            self._station_index: _CellIndex | None = None
            return
        self._station_xy = np.concatenate([line.stations_xy for line in self.lines])
        self._station_line = np.concatenate(
            [np.full(len(line.stations_xy), i, np.int64) for i, line in enumerate(self.lines)]
        )
        bounds = np.cumsum([0] + [len(line.stations_xy) for line in self.lines])
        count = int(bounds[-1])
        ride = np.full((count, count), np.inf)
        for line, start, stop in zip(self.lines, bounds[:-1], bounds[1:], strict=True):
            metres_per_min = p.speed_kmh(line.mode) * 1000.0 / 60.0
            along = line.cumulative_m
            block = (
                line.headway_min / 2.0 + np.abs(along[:, None] - along[None, :]) / metres_per_min
            )
            np.fill_diagonal(block, np.inf)
            ride[start:stop, start:stop] = block
        station = ride
        if p.allow_transfer and len(self.lines) > 1 and p.max_transfer_walk_m >= 0:
            station = np.minimum(ride, self._via_transfer(ride, bounds))
        station.setflags(write=False)
        self._station_minutes = station
        self._station_index = _CellIndex(self._station_xy, p.max_access_walk_m / p.route_factor / 2)

    def _via_transfer(self, ride: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Ride one line, walk to a station of another line (+ penalty), ride that line."""
        p = self.parameters
        count = len(ride)
        radius = _search_radius(p.max_transfer_walk_m / p.route_factor)
        index = _CellIndex(self._station_xy, max(radius, 1.0))
        u, v, dist = index.pairs_within(self._station_xy, radius)
        keep = (dist * p.route_factor <= p.max_transfer_walk_m) & (
            self._station_line[u] != self._station_line[v]
        )
        u, v, dist = u[keep], v[keep], dist[keep]
        result = np.full((count, count), np.inf)
        if len(u) == 0:
            return result
        cost = dist * p.walk_min_per_m + p.transfer_penalty_min
        # to_transfer[s, v]: board at s, ride to u, walk to v (ready to board v's line).
        to_transfer = np.full((count, count), np.inf)
        order = np.argsort(v, kind="stable")
        u, v, cost = u[order], v[order], cost[order]
        step = max(1, 20_000_000 // max(count, 1))
        for first in range(0, len(u), step):
            part = slice(first, first + step)
            starts = _group_starts(v[part])
            best = np.minimum.reduceat(ride[:, u[part]] + cost[part][None, :], starts, axis=1)
            columns = v[part][starts]
            to_transfer[:, columns] = np.minimum(to_transfer[:, columns], best)
        # then ride the second line: result[s, t] = min_v to_transfer[s, v] + ride[v, t].
        for start, stop in itertools.pairwise(bounds):
            block = ride[start:stop, start:stop]
            target = result[:, start:stop]
            for k in range(stop - start):
                np.minimum(target, to_transfer[:, start + k, None] + block[k][None, :], out=target)
        return result


def count_opportunities(
    providers: Sequence[TravelTimeProvider],
    origins_xy: npt.ArrayLike,
    destinations_xy: npt.ArrayLike,
    weights: npt.ArrayLike,
    thresholds_min: Sequence[float] | float,
    *,
    method: str = "aggregated",
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> list[npt.NDArray[np.float64]]:
    """Cumulative opportunities for several travel-time providers (e.g. before and after).

    With ``method="aggregated"`` and :class:`StraightLineModel` providers that share the
    walking parameters, the walking pairs are found once per chunk of origins and used for
    every network. Other providers are counted exactly from ``times_minutes`` by chunks of
    origins. See :meth:`StraightLineModel.opportunities_within` for the parameters.

    Returns
    -------
    list of numpy.ndarray
        One (n, k) array per provider.
    """
    if method not in ("aggregated", "exact"):
        raise MethodError(f"method {method!r} is not 'aggregated' or 'exact'")
    progress = progress if progress is not None else NullProgress()
    o = _as_xy(origins_xy, "origins")
    d = _as_xy(destinations_xy, "destinations")
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != (len(d),):
        raise MethodError(f"{w.size} weights for {len(d)} destinations")
    if not np.isfinite(w).all() or (w < 0).any():
        raise MethodError("opportunity weights must be finite and zero or more")
    thresholds = np.atleast_1d(np.asarray(thresholds_min, dtype=np.float64))
    if thresholds.ndim != 1 or not np.isfinite(thresholds).all() or (thresholds < 0).any():
        raise MethodError("thresholds must be finite minutes, zero or more")
    positive = w > 0
    d, w = d[positive], w[positive]
    results = [np.zeros((len(o), len(thresholds))) for _ in providers]
    if len(o) == 0 or len(d) == 0 or len(providers) == 0:
        progress.report(1.0, "Counting opportunities")
        return results
    models = [p for p in providers if isinstance(p, StraightLineModel)]
    walking = {(m.parameters.walk_speed_kmh, m.parameters.route_factor) for m in models}
    if method == "aggregated" and len(models) == len(providers) and len(walking) == 1:
        _count_aggregated(models, o, d, w, thresholds, results, chunk_size, progress)
    else:
        for i, provider in enumerate(providers):
            sub = progress.subrange(i / len(providers), (i + 1) / len(providers))
            _count_exact(provider, o, d, w, thresholds, results[i], chunk_size, sub)
    progress.report(1.0, "Counting opportunities")
    return results


# --- counting --------------------------------------------------------------------------------


def _count_exact(
    provider: TravelTimeProvider,
    o: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    thresholds: np.ndarray,
    out: np.ndarray,
    chunk_size: int | None,
    progress: Progress,
) -> None:
    step = max(1, _CELL_BUDGET // max(len(d), 1))
    if chunk_size is not None:
        step = max(1, min(step, chunk_size))
    for first in range(0, len(o), step):
        rows = slice(first, first + step)
        times = np.asarray(provider.times_minutes(o[rows], d), dtype=np.float64)
        for j, threshold in enumerate(thresholds):
            out[rows, j] = (times <= threshold + TIME_TOLERANCE_MIN).astype(np.float64) @ w
        progress.report(min(first + step, len(o)) / len(o), "Counting opportunities (exact)")


@dataclass(frozen=True)
class _Catchments:
    """Destinations attached to the nearest station of each line within the egress walk.

    For each station, the attached destinations sorted by egress time with cumulative
    weights; ``first``/``count`` index each destination's attachments (sorted by
    destination); ``shared`` are the destinations attached to two or more lines.
    """

    att_station: np.ndarray  # per attachment: station
    att_egress: np.ndarray  # per attachment: egress minutes
    first: np.ndarray  # per destination: first attachment
    count: np.ndarray  # per destination: number of attachments (lines)
    stations: np.ndarray  # stations with something attached
    sorted_egress: list[np.ndarray]  # per entry of ``stations``: ascending egress minutes
    cumulative: list[np.ndarray]  # per entry: 0, then cumulative weights in that order
    shared: np.ndarray  # destinations with two or more attachments
    attached: np.ndarray  # destinations with at least one attachment
    attached_index: _CellIndex  # their points, for walking pairs

    @classmethod
    def build(
        cls, model: StraightLineModel, d: np.ndarray, w: np.ndarray, walk_radius: float
    ) -> _Catchments:
        links = model.station_links(d)  # sorted by point, line, distance
        line = model.station_line[links.station]
        nearest = np.ones(len(links.point), dtype=bool)
        nearest[1:] = (links.point[1:] != links.point[:-1]) | (line[1:] != line[:-1])
        point = links.point[nearest]
        att_station, att_egress = links.station[nearest], links.minutes[nearest]
        count = np.bincount(point, minlength=len(d))
        first = np.cumsum(count) - count
        by_station = np.lexsort((att_egress, att_station))
        stations, starts = np.unique(att_station[by_station], return_index=True)
        ends = np.append(starts[1:], len(by_station)) if len(starts) else starts
        sorted_egress = [att_egress[by_station[a:b]] for a, b in zip(starts, ends, strict=True)]
        cumulative = [
            np.concatenate([[0.0], np.cumsum(w[point[by_station[a:b]]])])
            for a, b in zip(starts, ends, strict=True)
        ]
        attached = np.flatnonzero(count > 0)
        return cls(
            att_station,
            att_egress,
            first,
            count,
            stations,
            sorted_egress,
            cumulative,
            np.flatnonzero(count >= 2),
            attached,
            _CellIndex(d[attached], walk_radius / 4),
        )

    def expand(self, dest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``dest``, attachment) for every attachment of every destination."""
        counts = self.count[dest]
        if len(self.shared) == 0 and (counts == 1).all():  # one line per destination
            return np.arange(len(dest)), self.first[dest]
        owner = np.repeat(np.arange(len(dest)), counts)
        offsets = np.cumsum(counts) - counts
        attachment = np.arange(int(counts.sum())) - np.repeat(offsets - self.first[dest], counts)
        return owner, attachment


def _count_aggregated(
    models: list[StraightLineModel],
    o: np.ndarray,
    d: np.ndarray,
    w: np.ndarray,
    thresholds: np.ndarray,
    results: list[np.ndarray],
    chunk_size: int | None,
    progress: Progress,
) -> None:
    per_m = models[0].parameters.walk_min_per_m
    radii = (thresholds + TIME_TOLERANCE_MIN) / per_m
    walk_radius = _search_radius(float(radii.max()))
    cell = max(float(radii.min()) / _CELLS_PER_RADIUS, walk_radius / (4 * _CELLS_PER_RADIUS), 1.0)
    walking = _CellIndex(d, cell, weights=w)
    catchments = [
        _Catchments.build(model, d, w, walk_radius) if len(model.station_xy) else None
        for model in models
    ]
    stations = max(len(model.station_xy) for model in models)
    spans = 2 * math.ceil(walk_radius / walking.cell) + 3
    step = max(1, _CELL_BUDGET // max(spans, stations, 1))
    if chunk_size is not None:
        step = max(1, min(step, chunk_size))
    for first in range(0, len(o), step):
        rows = slice(first, first + step)
        walk_counts = np.column_stack(
            [walking.sum_within(o[rows], per_m, float(t)) for t in thresholds]
        )
        for model, catchment, out in zip(models, catchments, results, strict=True):
            counts = walk_counts.copy()
            if catchment is not None and len(catchment.stations):
                _add_transit(model, catchment, o[rows], w, thresholds, walk_radius, counts)
            out[rows] = counts
        progress.report(min(first + step, len(o)) / len(o), "Counting opportunities")


def _add_transit(
    model: StraightLineModel,
    catchment: _Catchments,
    origins: np.ndarray,
    w: np.ndarray,
    thresholds: np.ndarray,
    walk_radius: float,
    counts: np.ndarray,
) -> None:
    """Add the destinations reached by transit (via their stations) and not on foot.

    Per threshold: the sum over stations of the attached destinations within the time left
    counts a destination once per line that reaches it; the excess for destinations attached
    to several lines, and the destinations also within walking time, are then taken off.
    """
    boarded = model.board_times(origins)
    reach = np.isfinite(boarded[:, catchment.stations]).any(axis=1)
    if not reach.any():
        return
    rows = np.flatnonzero(reach)
    boarded = boarded[rows]
    per_m = model.parameters.walk_min_per_m
    widest = int(catchment.count.max()) if len(catchment.count) else 1
    shared_step = max(1, _CELL_BUDGET // max(len(rows) * widest, 1))
    shared_parts = [
        (part, *catchment.expand(part))
        for part in (
            catchment.shared[first : first + shared_step]
            for first in range(0, len(catchment.shared), shared_step)
        )
    ]
    lefts = []
    for j, threshold in enumerate(thresholds):
        left = (threshold - boarded) + TIME_TOLERANCE_MIN  # minutes left for the egress walk
        lefts.append(left)
        total = counts[rows, j]
        for k, station in enumerate(catchment.stations):
            position = np.searchsorted(catchment.sorted_egress[k], left[:, station], side="right")
            total += catchment.cumulative[k][position]
        # destinations reached by h >= 2 lines were counted h times
        for shared, owner, attachment in shared_parts:
            hit = (
                catchment.att_egress[attachment][None, :]
                <= left[:, catchment.att_station[attachment]]
            )
            hits = np.add.reduceat(hit.astype(np.float64), _group_starts(owner), axis=1)
            total -= (hits - (hits > 0)) @ w[shared]
        counts[rows, j] = total
    # destinations within walking time were counted by walking already
    for p_origin, p_near, p_dist in catchment.attached_index.iter_pairs_within(
        origins[rows], walk_radius
    ):
        p_dest = catchment.attached[p_near]
        p_walk = p_dist * per_m
        p_owner, p_attachment = catchment.expand(p_dest)
        p_station = catchment.att_station[p_attachment]
        p_egress = catchment.att_egress[p_attachment]
        for j, threshold in enumerate(thresholds):
            hit = p_egress <= lefts[j][p_origin[p_owner], p_station]
            by_transit = np.bincount(p_owner, weights=hit, minlength=len(p_dest)) > 0
            both = by_transit & (p_walk <= threshold + TIME_TOLERANCE_MIN)
            counts[rows, j] -= np.bincount(
                p_origin[both], weights=w[p_dest[both]], minlength=len(rows)
            )


# --- geometry helpers ------------------------------------------------------------------------


class _CellIndex:
    """Points in a dense grid of square cells (row-major), for radius queries.

    ``pairs_within`` finds the points within a radius of each query, visiting in each row of
    cells only the span the circle crosses. ``sum_within`` adds up the weights of whole cells
    inside the circle from prefix sums and tests points one by one only in the cells the
    circle's edge crosses. Any cell size gives the same answer; about an eighth of the radius
    is quick.
    """

    def __init__(self, xy: np.ndarray, cell: float, weights: np.ndarray | None = None) -> None:
        self.lo = xy.min(axis=0) if len(xy) else np.zeros(2)
        extent = (xy.max(axis=0) - self.lo) if len(xy) else np.zeros(2)
        cell = max(float(cell), 1e-6)
        while (extent[0] // cell + 1) * (extent[1] // cell + 1) > _MAX_GRID_CELLS:
            cell *= 1.25
        self.cell = cell
        cells = np.floor((xy - self.lo) / cell).astype(np.int64)
        self.ncols = int(cells[:, 0].max()) + 1 if len(xy) else 1
        self.nrows = int(cells[:, 1].max()) + 1 if len(xy) else 1
        keys = cells[:, 1] * self.ncols + cells[:, 0]
        self.order = np.argsort(keys, kind="stable")
        self.xy = xy[self.order]
        counts = np.bincount(keys, minlength=self.ncols * self.nrows)
        self.start = np.concatenate([[0], np.cumsum(counts)])
        self.weights = np.asarray(weights, np.float64)[self.order] if weights is not None else None
        self.cumulative = (
            np.concatenate([[0.0], np.cumsum(self.weights)]) if self.weights is not None else None
        )

    def _spans(
        self, q: np.ndarray, radius: float, *, inner: bool
    ) -> Iterator[tuple[np.ndarray, ...]]:
        """Per row of cells near the queries: the columns the circle meets, and those inside.

        Yields ``row`` (per query), ``ok`` (the row meets the circle), ``c0``, ``c1`` (first
        and last column met) and, with ``inner``, ``i0``, ``i1`` (the columns wholly inside the
        circle; ``i0 > i1`` when none).
        """
        qx = (q[:, 0] - self.lo[0]) / self.cell
        qy = (q[:, 1] - self.lo[1]) / self.cell
        r_out = radius / self.cell * (1 + 1e-9) + 1e-9  # a hair wide: edge points are tested
        r_in = radius / self.cell * (1 - 1e-9)  # a hair narrow: whole cells are surely inside
        base_row = np.floor(np.clip(qy, -2.0, self.nrows + 1.0)).astype(np.int64)
        reach = math.ceil(r_out) + 1
        for offset in range(-reach, reach + 1):
            row = base_row + offset
            near = np.maximum(0.0, np.maximum(row - qy, qy - (row + 1)))
            ok = (row >= 0) & (row < self.nrows) & (near <= r_out)
            half = np.sqrt(np.maximum(r_out * r_out - near * near, 0.0))
            c0 = np.maximum(np.floor(np.clip(qx - half, -1.0, self.ncols)).astype(np.int64), 0)
            c1 = np.minimum(
                np.floor(np.clip(qx + half, -1.0, self.ncols)).astype(np.int64), self.ncols - 1
            )
            ok &= c0 <= c1
            if not inner:
                yield row, ok, c0, c1
                continue
            far = np.maximum(np.abs(row - qy), np.abs(row + 1 - qy))
            half_in = np.sqrt(np.maximum(r_in * r_in - far * far, 0.0))
            i0 = np.maximum(np.ceil(qx - half_in), c0).astype(np.int64)
            i1 = np.minimum(np.floor(qx + half_in) - 1, c1).astype(np.int64)
            i1 = np.where(far <= r_in, i1, i0 - 1)
            yield row, ok, c0, c1, i0, i1

    def pairs_within(
        self, q: np.ndarray, radius: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query index, point index, distance) of every pair within ``radius``."""
        found = list(self.iter_pairs_within(q, radius))
        if not found:
            return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
        return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))  # type: ignore[return-value]

    def iter_pairs_within(
        self, q: np.ndarray, radius: float
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The pairs of :meth:`pairs_within` in batches of bounded size."""
        if len(self.xy) == 0 or len(q) == 0:
            return
        for row, ok, c0, c1 in self._spans(q, radius, inner=False):
            where = np.flatnonzero(ok)
            key = row[where] * self.ncols
            for owner, position in _expand_batches(
                where, self.start[key + c0[where]], self.start[key + c1[where] + 1]
            ):
                dist = np.hypot(
                    self.xy[position, 0] - q[owner, 0], self.xy[position, 1] - q[owner, 1]
                )
                keep = dist <= radius
                yield owner[keep], self.order[position[keep]], dist[keep]

    def sum_within(self, q: np.ndarray, minutes_per_m: float, threshold: float) -> np.ndarray:
        """Per query, the weight of the points with ``distance * minutes_per_m <= threshold``.

        With the time tolerance, and the same arithmetic as the dense walking times.
        """
        total = np.zeros(len(q))
        if len(self.xy) == 0 or len(q) == 0 or self.weights is None or self.cumulative is None:
            return total
        limit = threshold + TIME_TOLERANCE_MIN
        for row, ok, c0, c1, i0, i1 in self._spans(q, limit / minutes_per_m, inner=True):
            key = row * self.ncols
            whole = ok & (i0 <= i1)
            at = np.flatnonzero(whole)
            total[at] += (
                self.cumulative[self.start[key[at] + i1[at] + 1]]
                - self.cumulative[self.start[key[at] + i0[at]]]
            )
            # cells the edge crosses: left of the inner columns (or all), and right of them
            for first, last, use in ((c0, np.where(whole, i0 - 1, c1), ok), (i1 + 1, c1, whole)):
                where = np.flatnonzero(use & (first <= last))
                for owner, position in _expand_batches(
                    where,
                    self.start[key[where] + first[where]],
                    self.start[key[where] + last[where] + 1],
                ):
                    dist = np.hypot(
                        self.xy[position, 0] - q[owner, 0], self.xy[position, 1] - q[owner, 1]
                    )
                    inside = dist * minutes_per_m <= limit
                    total += np.bincount(
                        owner[inside], weights=self.weights[position[inside]], minlength=len(q)
                    )
        return total


def _expand_batches(
    owner: np.ndarray, starts: np.ndarray, ends: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(owner, position) for every position of the ranges ``[starts, ends)``, in batches."""
    lengths = ends - starts
    keep = lengths > 0
    owner, starts, lengths = owner[keep], starts[keep], lengths[keep]
    cumulative = np.cumsum(lengths)
    first = 0
    while first < len(lengths):
        base = cumulative[first - 1] if first else 0
        stop = max(int(np.searchsorted(cumulative, base + _PAIR_BUDGET, side="right")), first + 1)
        part_lengths = lengths[first:stop]
        offsets = np.cumsum(part_lengths) - part_lengths
        position = np.arange(int(part_lengths.sum())) - np.repeat(
            offsets - starts[first:stop], part_lengths
        )
        yield np.repeat(owner[first:stop], part_lengths), position
        first = stop


def _search_radius(radius: float) -> float:
    """A radius grown by a hair, so that the exact tests after the search decide the edge."""
    return radius * (1 + 1e-9) + 1e-6


def _group_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Positions where a new value starts in a sorted array (for ``reduceat``)."""
    new = np.ones(len(sorted_keys), dtype=bool)
    new[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return np.flatnonzero(new)


def _as_xy(values: npt.ArrayLike, what: str) -> np.ndarray:
    xy = np.asarray(values, dtype=np.float64)
    if xy.size == 0:
        return np.empty((0, 2))
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise MethodError(f"{what} must be an (n, 2) array of x, y in metres, not {xy.shape}")
    if not np.isfinite(xy).all():
        raise MethodError(f"{what} have coordinates that are not finite numbers")
    return xy
