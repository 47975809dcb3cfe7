"""Routed travel times over a departure window, behind the :class:`TravelTimeProvider` interface.

For every departure time of the window (default 07:00-09:00 every 5 minutes: 25 departures)
the engine routes a matrix from every point to every point; a time beyond the cutoff (120 min)
is unreachable, and unreachable counts as infinitely slow *before* percentiles are taken, as
Conveyal and R5 do. Over the departures, each pair's travel time has a distribution: its 25th,
50th (median) and 75th percentiles are kept (nearest rank: the ``ceil(p/100 * n)``-th fastest of
the ``n`` departures), and access measures use the percentile chosen in the project.

The engine routes a square matrix over one set of points, so origins and destinations are
routed as one set (:meth:`RoutedTravelTimes.route`) and sliced. The departures' times are held
as ``uint16`` seconds, so memory is ``2 x departures x points²`` bytes (25 departures of 4,000
points: 800 MB); the access measures keep points below that by aggregating destinations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer

from equityplanner.analysis.routing.engine import EngineModel
from equityplanner.errors import MethodError
from equityplanner.model.network import PERCENTILES, NetworkSource
from equityplanner.progress import NullProgress, Progress

__all__ = [
    "MAX_POINTS",
    "UNREACHABLE_S",
    "RoutedTravelTimes",
    "WindowTimes",
    "nearest_rank",
    "window_percentiles",
]

UNREACHABLE_S: Final[int] = 65_535
"""Seconds stored for an unreachable pair (beyond the cutoff, or no path)."""

MAX_POINTS: Final[int] = 6_000
"""Most points routed as one set (memory: 2 bytes x departures x points²)."""


def nearest_rank(percentile: float, samples: int) -> int:
    """Index (0-based) in the sorted samples of the nearest-rank percentile.

    Examples
    --------
    >>> [nearest_rank(p, 25) for p in (25, 50, 75)]
    [6, 12, 18]
    """
    if samples <= 0:
        raise MethodError("no departure to take a percentile over")
    return min(max(math.ceil(percentile / 100.0 * samples) - 1, 0), samples - 1)


def window_percentiles(
    stack: npt.NDArray[np.uint16], percentiles: Sequence[int] = PERCENTILES
) -> npt.NDArray[np.uint16]:
    """Percentiles over axis 0 (departures) of a stack of times; sorts ``stack`` in place.

    Examples
    --------
    >>> stack = np.array([[[30]], [[10]], [[65535]], [[20]]], dtype=np.uint16)
    >>> window_percentiles(stack, (25, 50, 75))[:, 0, 0].tolist()
    [10, 20, 30]
    """
    stack.sort(axis=0)
    count = stack.shape[0]
    return np.ascontiguousarray(stack[[nearest_rank(p, count) for p in percentiles]])


@dataclass(frozen=True)
class WindowTimes:
    """Percentiles of travel time over the window between every pair of a set of points.

    Attributes
    ----------
    percentiles
        The percentiles held, e.g. ``(25, 50, 75)``.
    seconds
        (len(percentiles), n, n) uint16 seconds; :data:`UNREACHABLE_S` where unreachable.
    snapped
        (n,) whether each point lies within the walking limit of the street network (a point
        that does not reaches nothing and is reached by nothing, not even itself).
    departures
        The number of departure times routed.
    """

    percentiles: tuple[int, ...]
    seconds: npt.NDArray[np.uint16]
    snapped: npt.NDArray[np.bool_]
    departures: int

    def minutes(
        self,
        percentile: int,
        rows: npt.NDArray[np.int64] | None = None,
        columns: npt.NDArray[np.int64] | None = None,
    ) -> npt.NDArray[np.float64]:
        """Minutes (float64, inf where unreachable) at a percentile, for rows and columns."""
        if percentile not in self.percentiles:
            raise MethodError(f"percentile {percentile} was not computed ({self.percentiles})")
        block = self.seconds[self.percentiles.index(percentile)]
        n = block.shape[0]
        part = block[
            np.ix_(
                np.arange(n) if rows is None else rows, np.arange(n) if columns is None else columns
            )
        ]
        out: npt.NDArray[np.float64] = part.astype(np.float64) / 60.0
        out[part == UNREACHABLE_S] = np.inf
        return out


class RoutedTravelTimes:
    """Travel times routed on a built network over a departure window.

    Parameters
    ----------
    model
        The engine's built network (:meth:`~equityplanner.analysis.routing.engine.FerrobusEngine.build`).
    settings
        Window, step, percentile, walking limit, rides and cutoff.
    crs
        The projected CRS of the coordinates given to :meth:`times_minutes` (metres); the
        engine works in longitude/latitude.
    description
        One line saying what the times are, for outputs.
    """

    def __init__(
        self, model: EngineModel, settings: NetworkSource, crs: CRS | None, description: str
    ) -> None:
        self.model = model
        self.settings = settings
        self.crs = crs
        self._description = description
        self._last: tuple[bytes, WindowTimes] | None = None

    @property
    def description(self) -> str:
        """What the times are and are not (printed in outputs)."""
        return self._description

    def route(self, lonlat: npt.ArrayLike, *, progress: Progress | None = None) -> WindowTimes:
        """Route every point to every point at each departure of the window.

        Parameters
        ----------
        lonlat
            (n, 2) longitude, latitude.
        progress
            Reported after each departure time; cancellation is checked there.
        """
        progress = progress or NullProgress()
        points = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
        if len(points) > MAX_POINTS:
            raise MethodError(
                f"{len(points):,} points are more than the {MAX_POINTS:,} routed at once; "
                "aggregate the destinations"
            )
        s = self.settings
        departures = s.departures_s
        progress.report(0.0, "Placing points on the street network")
        engine_points, snapped = self.model.snap(
            points[:, 1], points[:, 0], round(s.max_walk_min * 60)
        )
        n, m = len(points), len(engine_points)
        stack = np.full((len(departures), m, m), UNREACHABLE_S, dtype=np.uint16)
        cutoff = s.cutoff_min * 60.0
        for k, departure in enumerate(departures):
            progress.report(k / len(departures), f"Routing departures ({k + 1}/{len(departures)})")
            seconds = self.model.matrix(engine_points, departure, s.max_rides)
            inside = np.isfinite(seconds) & (seconds <= cutoff)
            stack[k][inside] = np.rint(seconds[inside]).astype(np.uint16)
        kept = window_percentiles(stack)
        del stack
        full = np.full((len(PERCENTILES), n, n), UNREACHABLE_S, dtype=np.uint16)
        index = np.flatnonzero(snapped)
        full[:, index[:, None], index[None, :]] = kept
        progress.report(1.0, "Routed")
        return WindowTimes(PERCENTILES, full, snapped, len(departures))

    def times_minutes(
        self, origins_xy: npt.ArrayLike, destinations_xy: npt.ArrayLike
    ) -> npt.NDArray[np.float64]:
        """Minutes at the chosen percentile from origins to destinations (projected metres).

        The union of the points is routed (and kept, so a second call with the same points
        costs nothing); unreachable pairs are inf.
        """
        o = np.asarray(origins_xy, dtype=np.float64).reshape(-1, 2)
        d = np.asarray(destinations_xy, dtype=np.float64).reshape(-1, 2)
        both = np.vstack([o, d])
        key = both.tobytes()
        if self._last is None or self._last[0] != key:
            self._last = (key, self.route(self._to_lonlat(both)))
        times = self._last[1]
        return times.minutes(
            self.settings.percentile, np.arange(len(o)), np.arange(len(o), len(both))
        )

    def _to_lonlat(self, xy: np.ndarray) -> np.ndarray:
        if self.crs is None:
            return xy
        to_wgs = Transformer.from_crs(self.crs, CRS.from_epsg(4326), always_xy=True)
        lon, lat = to_wgs.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])
