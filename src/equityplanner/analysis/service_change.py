"""Service levels before and after a change, per neighbourhood, from two GTFS feeds.

This is the input of a Title VI service-change analysis (FTA Circular 4702.1B, chapter IV
section 7; ``methods.md`` section 1). The agency's *major service change* policy defines an
adverse effect as a reduction of at least some share of the transit trips serving a
neighbourhood (King County Metro: 25% of the trips serving a census tract).
:func:`compare_service` counts the trips within walking distance of every neighbourhood in a
base and a proposed feed and classifies each neighbourhood as an ``"improvement"``, a
``"reduction"`` or ``"unchanged"``. The *affected population* of the disparate-impact and
disproportionate-burden tests (:mod:`equityplanner.analysis.title_vi`) is the population of the
neighbourhoods classified as reductions; improvements are the benefits, which the Circular
also asks to be tested.

Service is counted as *stop-trips*: the trips departing each stop, summed over the stops
within ``walk_m`` of the neighbourhood polygon (straight-line distance in the local projected
CRS). A trip that serves three stops near a neighbourhood counts three times, before and after
alike, so relative changes are those of the stops' service. Departures follow
:func:`equityplanner.io.gtfs.trip_departures` (the last stop of a trip and no-pickup stops are
not departures; frequency-based trips are expanded).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.words import num, pct
from equityplanner.errors import InputError
from equityplanner.i18n import _
from equityplanner.model.results import Notice
from equityplanner.progress import NullProgress, Progress

if TYPE_CHECKING:  # the GTFS reader is imported by the runs that compare feeds
    from equityplanner.io.gtfs import GtfsFeed

__all__ = [
    "CLASSIFICATIONS",
    "MEASURES",
    "SERVICE_DROP_NOTICE",
    "check_feeds",
    "compare_service",
    "stop_trip_rates",
]

SERVICE_DROP_NOTICE: Final[float] = 0.5
"""A proposed feed with this share fewer trips than the baseline on the date gets a notice."""

_RESULT_ID: Final[str] = "gtfs-service-change"
DEFAULT_PEAK: Final[tuple[int, int]] = (7 * 3600, 9 * 3600)
"""The default AM peak window, 07:00-09:00 (as :data:`equityplanner.io.gtfs.DEFAULT_PEAK`)."""


def check_feeds(base: GtfsFeed, proposed: GtfsFeed, date: dt.date | str) -> list[Notice]:
    """Refuse a date either feed does not serve; note a network-wide collapse of service.

    Both ``validate`` and ``assess`` call this (through :func:`compare_service`), so a date
    that one accepts the other accepts.

    Returns
    -------
    list of Notice
        A ``"blocking"`` notice when the proposed feed runs at least
        :data:`SERVICE_DROP_NOTICE` fewer trips than the baseline on the date: the cuts it
        reports are real only if the proposal really removes that much service (and not a
        feed that is incomplete, or whose calendar covers other days).

    Raises
    ------
    InputError
        When either feed runs no trip on ``date`` (see
        :func:`equityplanner.io.gtfs.check_service_day`).
    """
    from equityplanner.io.gtfs import check_service_day

    before = check_service_day(base, date, "baseline")
    after = check_service_day(proposed, date, "proposed")
    notices: list[Notice] = []
    drop = 1.0 - after.trips / before.trips
    if drop >= SERVICE_DROP_NOTICE:
        notices.append(
            Notice(
                severity="blocking",
                code="gtfs.proposed_service_drop",
                message=_(
                    "The proposed GTFS feed runs {drop} fewer trips than the baseline on {date} "
                    "({after} against {before}); the service cuts reported hold only if the "
                    "proposal really removes that much service."
                ).format(
                    drop=pct(drop, 0),
                    date=before.date.isoformat(),
                    after=num(after.trips),
                    before=num(before.trips),
                ),
                remedy=_(
                    "Check that the proposed feed is complete and that its calendar covers "
                    "the date as the baseline's does"
                ),
                result_id=_RESULT_ID,
            )
        )
    return notices


CLASSIFICATIONS: Final[tuple[str, ...]] = ("improvement", "reduction", "unchanged")
"""Values of the ``classification`` column of :func:`compare_service`."""

MEASURES: Final[tuple[str, ...]] = ("daily_trips", "peak_trips_per_hour")
"""Service measures :func:`compare_service` can classify on."""

# A relative change equal to the threshold up to rounding counts as reaching it.
_EPS: Final[float] = 1e-9
_WGS84: Final[CRS] = CRS.from_epsg(4326)


def stop_trip_rates(
    feed: GtfsFeed,
    date: dt.date | str,
    peak: tuple[float, float] = DEFAULT_PEAK,
) -> pd.DataFrame:
    """Trips departing each stop in the peak and over the day.

    Parameters
    ----------
    feed
        The feed.
    date
        The service day (a :class:`datetime.date` or ``"YYYY-MM-DD"``).
    peak
        The peak window ``(start, end)`` in seconds since midnight, end excluded.

    Returns
    -------
    pandas.DataFrame
        One row per stop (``location_type`` 0, in stops.txt order, served or not):
        ``stop_id``, ``lon``, ``lat``, ``peak_trips_per_hour`` (distinct trips departing in
        the window, including trips of the previous service day running past midnight, per
        hour of window) and ``daily_trips`` (distinct trips of the date's service day
        departing the stop; int64). A trip that serves a stop twice (a loop) counts once.

    Examples
    --------
    >>> rates = stop_trip_rates(feed, "2024-07-03")  # doctest: +SKIP
    """
    from equityplanner.io.gtfs import _check_peak, trip_departures

    start, end = _check_peak(peak)
    departures = trip_departures(feed, date)
    stops = feed.stops[feed.stops["location_type"].eq(0)]
    inside = departures[departures["departure_s"].between(start, end, inclusive="left")]
    peak_counts = inside.drop_duplicates(["stop_id", "trip_id", "previous_day"])[
        "stop_id"
    ].value_counts()
    own = departures[~departures["previous_day"]]
    daily_counts = own.drop_duplicates(["stop_id", "trip_id"])["stop_id"].value_counts()
    hours = (end - start) / 3600.0
    return pd.DataFrame(
        {
            "stop_id": stops["stop_id"].to_numpy(),
            "lon": stops["stop_lon"].to_numpy(),
            "lat": stops["stop_lat"].to_numpy(),
            "peak_trips_per_hour": stops["stop_id"].map(peak_counts).fillna(0).to_numpy("float64")
            / hours,
            "daily_trips": stops["stop_id"].map(daily_counts).fillna(0).to_numpy("int64"),
        }
    )


def compare_service(
    base: GtfsFeed,
    proposed: GtfsFeed,
    geometries: Any,
    layer_crs: Any,
    local_crs: Any,
    *,
    date: dt.date | str,
    walk_m: float = 400.0,
    peak: tuple[float, float] = DEFAULT_PEAK,
    major_change_threshold: float = 0.25,
    measure: str = "daily_trips",
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Service within walking distance of every neighbourhood, before and after, classified.

    Parameters
    ----------
    base, proposed
        The current and the proposed service.
    geometries
        Neighbourhood polygons in ``layer_crs`` (array-like of shapely geometries, e.g. a
        GeoSeries's values); missing or empty geometries get no service.
    layer_crs
        Their CRS (anything :meth:`pyproj.CRS.from_user_input` accepts).
    local_crs
        A projected CRS in metres in which distances are measured (see
        :func:`equityplanner.analysis.crs.local_projected_crs`).
    date
        The service day compared in both feeds (usually a typical weekday).
    walk_m
        Walking distance from a stop to a neighbourhood's edge, metres (400 m, a quarter
        mile, for bus stops; 800 m for rail stations).
    peak
        The peak window ``(start, end)`` in seconds since midnight, end excluded.
    major_change_threshold
        The agency's major-service-change threshold as a fraction (0.25 = 25%): a relative
        change of ``-threshold`` or less is a reduction, of ``+threshold`` or more an
        improvement.
    measure
        ``"daily_trips"`` (default; trips serving the neighbourhood over the day, as in King
        County Metro's policy) or ``"peak_trips_per_hour"``: the measure classified.
    progress
        Receives progress between the steps.

    Returns
    -------
    pandas.DataFrame
        One row per neighbourhood, indexed by row position in ``geometries``:
        ``stops_before`` and ``stops_after`` (stops within walking distance),
        ``peak_trips_per_hour_before`` / ``_after`` / ``_change`` / ``_relative_change`` and
        ``daily_trips_before`` / ``_after`` / ``_change`` / ``_relative_change``, and
        ``classification`` (one of :data:`CLASSIFICATIONS`). A relative change is
        ``after / before - 1``: ``inf`` for new service where there was none (an
        improvement), ``-1`` for the loss of all service (a reduction), NaN where there is
        service neither before nor after (unchanged). ``attrs`` records the parameters and
        the feeds' SHA-256, and ``attrs["notices"]`` the :class:`Notice` list of
        :func:`check_feeds`.

    Raises
    ------
    InputError
        For a geographic ``local_crs``, a non-positive ``walk_m``, a threshold outside
        (0, 1], an unknown ``measure``, a bad peak window, or a date either feed does not
        serve.

    Notes
    -----
    The affected population of the Title VI disparate-impact (minority) and
    disproportionate-burden (low-income) tests of a service change is the population of the
    rows classified ``"reduction"``; the rows classified ``"improvement"`` receive the
    benefits.
    """
    progress = progress or NullProgress()
    local = CRS.from_user_input(local_crs)
    layer = CRS.from_user_input(layer_crs)
    if not local.is_projected:
        raise InputError(
            f"the local CRS {local.name} is not projected",
            location="local_crs",
            remedy="Measure walking distances in a projected CRS in metres, e.g. the UTM zone",
        )
    if not walk_m > 0:
        raise InputError(
            f"the walking distance {walk_m!r} m is not positive",
            location="walk_m",
            remedy="Use e.g. 400 m for bus stops",
        )
    if not 0 < major_change_threshold <= 1:
        raise InputError(
            f"the major service change threshold {major_change_threshold!r} is not a fraction "
            "between 0 and 1",
            location="major_change_threshold",
            remedy="Give it as a fraction, e.g. 0.25 for 25%",
        )
    if measure not in MEASURES:
        raise InputError(
            f"{measure!r} is not a service measure",
            location="measure",
            remedy=f"Choose one of: {', '.join(MEASURES)}",
        )
    from equityplanner.io.gtfs import _check_peak

    _check_peak(peak)
    notices = check_feeds(base, proposed, date)

    polygons = np.asarray(geometries, dtype=object).reshape(-1)
    count = polygons.size
    local_polygons = to_crs(polygons, layer, local)
    progress.report(0.1, "Counting trips in the base service")
    before = _near(stop_trip_rates(base, date, peak), local_polygons, local, walk_m)
    progress.report(0.5, "Counting trips in the proposed service")
    after = _near(stop_trip_rates(proposed, date, peak), local_polygons, local, walk_m)
    progress.report(0.9, "Classifying")

    table = pd.DataFrame(index=pd.RangeIndex(count))
    table["stops_before"] = before["stops"]
    table["stops_after"] = after["stops"]
    for column in ("peak_trips_per_hour", "daily_trips"):
        old, new = before[column], after[column]
        table[f"{column}_before"] = old
        table[f"{column}_after"] = new
        table[f"{column}_change"] = new - old
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = np.where(
                old > 0, new / np.where(old > 0, old, 1.0) - 1.0, np.where(new > 0, np.inf, np.nan)
            )
        table[f"{column}_relative_change"] = relative
    relative = table[f"{measure}_relative_change"].to_numpy()
    with np.errstate(invalid="ignore"):
        classification = np.where(
            relative <= -major_change_threshold + _EPS,
            "reduction",
            np.where(relative >= major_change_threshold - _EPS, "improvement", "unchanged"),
        )
    table["classification"] = pd.Series(classification, dtype=str)
    table.attrs.update(
        {
            "method": "stop-trips within walking distance (straight line) of each neighbourhood",
            "date": (date.isoformat() if isinstance(date, dt.date) else str(date)),
            "walk_m": float(walk_m),
            "peak_window_s": tuple(int(p) for p in peak),
            "major_change_threshold": float(major_change_threshold),
            "measure": measure,
            "local_crs": local.to_string(),
            "base_sha256": base.sha256,
            "proposed_sha256": proposed.sha256,
            "notices": notices,
        }
    )
    progress.report(1.0, "Service compared")
    return table


def _near(
    rates: pd.DataFrame, polygons: np.ndarray, local: CRS, walk_m: float
) -> dict[str, np.ndarray]:
    """Sum the stops' trips over the stops within ``walk_m`` of each polygon."""
    count = polygons.size
    points = to_crs(shapely.points(rates["lon"].to_numpy(), rates["lat"].to_numpy()), _WGS84, local)
    tree = shapely.STRtree(points)
    polygon_index, stop_index = tree.query(polygons, predicate="dwithin", distance=walk_m)
    return {
        "stops": np.bincount(polygon_index, minlength=count).astype(np.int64),
        "peak_trips_per_hour": np.bincount(
            polygon_index,
            weights=rates["peak_trips_per_hour"].to_numpy()[stop_index],
            minlength=count,
        ),
        "daily_trips": np.bincount(
            polygon_index,
            weights=rates["daily_trips"].to_numpy("float64")[stop_index],
            minlength=count,
        ).astype(np.int64),
    }
