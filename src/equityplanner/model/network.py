"""The street network and timetables of routed access: the project file's ``network`` block.

With a ``network`` block, access to opportunity is measured on travel times routed on the
OpenStreetMap street network (walking) and every trip of the GTFS feeds on ``date`` (see
:mod:`equityplanner.analysis.routing`), over a departure window, as Conveyal and R5 report
them; without it, the straight-line sketch model of
:mod:`equityplanner.analysis.travel_time` is used and every output says so.

This module holds only the settings (no I/O): :class:`NetworkSource` and the table of its keys,
:data:`NETWORK_FIELDS`, read with the schema language of :mod:`equityplanner.model.schema`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Final

from equityplanner.errors import InputError
from equityplanner.model.schema import (
    INVALID,
    Boolean,
    Field,
    Number,
    Rule,
    read_object,
)

__all__ = [
    "NETWORK_FIELDS",
    "PERCENTILES",
    "NetworkBlock",
    "NetworkSource",
    "check_network",
    "clock_seconds",
    "network_from_dict",
    "network_to_dict",
]

PERCENTILES: Final[tuple[int, ...]] = (25, 50, 75)
"""The percentiles of travel time over the window every routed run computes (Conveyal's)."""

_CLOCK = re.compile(r"^\s*(\d{1,2}):([0-5]\d)(?::([0-5]\d))?\s*$")


def clock_seconds(text: str) -> int:
    """Seconds after midnight of ``"HH:MM"`` (or ``"HH:MM:SS"``; hours up to 47).

    Examples
    --------
    >>> clock_seconds("07:30")
    27000
    """
    match = _CLOCK.match(str(text))
    if match is None or int(match.group(1)) > 47:
        raise ValueError(f"{text!r} is not a time such as 07:00")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


@dataclass(frozen=True)
class NetworkSource:
    """Where the street network and the timetables are, and how the routing is run.

    Attributes
    ----------
    osm
        The OpenStreetMap extract (``.osm.pbf``), relative to the project file. It must cover
        every stop of the feeds with a margin.
    gtfs
        One or more GTFS feeds (zip or folder), relative to the project file: the baseline
        network. Proposals modify it (:mod:`equityplanner.analysis.routing.scenario`).
    date
        The service day routed, ``YYYY-MM-DD`` (a typical weekday inside every feed's calendar).
    window
        First and last departure time, ``["07:00", "09:00"]``: people leave at every
        ``step_min`` minutes from the first to the last, both included.
    step_min
        Minutes between two departure times of the window (5: 25 departures over two hours).
    percentile
        The percentile of travel time over the window's departures reported and used by every
        access measure: 50 (the median), 25 or 75.
    max_walk_min
        Longest walk from an origin or to a destination, and of a walk-only trip, in minutes.
    max_rides
        Most vehicles boarded on one trip (3: at most two transfers).
    cutoff_min
        Trips longer than this are unreachable (the engine has no limit of its own).
    noise_floor
        Route the baseline a second time from a fresh build of the engine and report how much
        the aggregate measures move between the two builds (the engine is not deterministic).
    """

    osm: str
    gtfs: tuple[str, ...]
    date: str
    window: tuple[str, str] = ("07:00", "09:00")
    step_min: int = 5
    percentile: int = 50
    max_walk_min: float = 20.0
    max_rides: int = 3
    cutoff_min: float = 120.0
    noise_floor: bool = True

    @property
    def service_date(self) -> dt.date:
        """:attr:`date` as a date."""
        return dt.date.fromisoformat(self.date)

    @property
    def window_s(self) -> tuple[int, int]:
        """The window's first and last departure, in seconds after midnight."""
        return clock_seconds(self.window[0]), clock_seconds(self.window[1])

    @property
    def departures_s(self) -> tuple[int, ...]:
        """Every departure time of the window, in seconds after midnight."""
        first, last = self.window_s
        return tuple(range(first, last + 1, int(self.step_min) * 60))

    def describe(self) -> str:
        """The window and percentile in words, for every output.

        Examples
        --------
        >>> NetworkSource("a.osm.pbf", ("g.zip",), "2019-05-13").describe()
        'median (50th percentile) travel time over departures 07:00-09:00 every 5 min (25 departures) on 2019-05-13'
        """
        words = {50: "median (50th percentile)"}.get(
            self.percentile, f"{_ordinal(self.percentile)} percentile"
        )
        count = len(self.departures_s)
        return (
            f"{words} travel time over departures {self.window[0]}-{self.window[1]} every "
            f"{self.step_min:g} min ({count} departure{'s' if count != 1 else ''}) on {self.date}"
        )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Path(Rule):
    """A non-empty path, kept as text."""

    def describe(self) -> str:
        return "a file path relative to the project file"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{where}: {value!r} is not a file path; give {self.describe()}")
            return INVALID
        return value.strip()


@dataclass(frozen=True)
class _PathList(Rule):
    """One path or a non-empty list of paths (a tuple)."""

    def describe(self) -> str:
        return 'a list of GTFS feeds (zip or folder) such as ["gtfs.zip"]'

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        items = [value] if isinstance(value, str) else value
        if (
            not isinstance(items, list | tuple)
            or not items
            or not all(isinstance(v, str) and v.strip() for v in items)
        ):
            problems.append(f"{where}: {value!r} is not {self.describe()}")
            return INVALID
        return tuple(v.strip() for v in items)


@dataclass(frozen=True)
class _IsoDate(Rule):
    """A date ``YYYY-MM-DD``, kept as text."""

    def describe(self) -> str:
        return "a date such as 2026-03-10"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            problems.append(f"{where}: {value!r} is not {self.describe()}")
            return INVALID


@dataclass(frozen=True)
class _Window(Rule):
    """Two clock times, the first not after the second."""

    def describe(self) -> str:
        return 'two times such as ["07:00", "09:00"]'

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, list | tuple) or len(value) != 2:
            problems.append(f"{where}: {value!r} is not {self.describe()}")
            return INVALID
        try:
            first, last = (clock_seconds(str(v)) for v in value)
        except ValueError:
            problems.append(f"{where}: {value!r} is not {self.describe()}")
            return INVALID
        if last < first:
            problems.append(f"{where}: {value!r} ends before it starts")
            return INVALID
        return (str(value[0]).strip(), str(value[1]).strip())


@dataclass(frozen=True)
class _Percentile(Rule):
    """One of :data:`PERCENTILES`."""

    def describe(self) -> str:
        return "25, 50 (the median) or 75"

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if isinstance(value, bool) or value not in PERCENTILES:
            problems.append(f"{where}: {value!r}; give {self.describe()}")
            return INVALID
        return int(value)


_N = NetworkSource  # its class attributes are the defaults

NETWORK_FIELDS: tuple[Field, ...] = (
    Field("osm", _Path(), None, "The OpenStreetMap extract (.osm.pbf) covering every stop."),
    Field("gtfs", _PathList(), None, "The baseline GTFS feeds (zip or folder)."),
    Field("date", _IsoDate(), None, "The service day routed, YYYY-MM-DD."),
    Field(
        "window",
        _Window(),
        _N.window,
        "First and last departure time of the window.",
        blank_is_default=True,
    ),
    Field(
        "step_min",
        Number(whole=True, minimum=1, maximum=60, range_words="from 1 to 60"),
        _N.step_min,
        "Minutes between departure times of the window.",
    ),
    Field(
        "percentile",
        _Percentile(),
        _N.percentile,
        "Percentile of travel time over the window used by every access measure.",
    ),
    Field(
        "max_walk_min",
        Number(minimum=1, maximum=60, range_words="from 1 to 60"),
        _N.max_walk_min,
        "Longest walk from an origin or to a destination, and of a walk-only trip, in minutes.",
    ),
    Field(
        "max_rides",
        Number(whole=True, minimum=1, maximum=6, range_words="from 1 to 6"),
        _N.max_rides,
        "Most vehicles boarded on one trip (3: two transfers).",
    ),
    Field(
        "cutoff_min",
        Number(minimum=10, maximum=240, range_words="from 10 to 240"),
        _N.cutoff_min,
        "Trips longer than this many minutes count as unreachable.",
    ),
    Field(
        "noise_floor",
        Boolean(),
        _N.noise_floor,
        "Route the baseline twice and report how much the engine's results move between builds.",
    ),
)
"""Every key of the project file's ``network`` block: its rule, default and meaning."""

_REQUIRED: Final[tuple[str, ...]] = ("osm", "gtfs", "date")


def network_from_dict(
    raw: Any, problems: list[str], where: str = "network"
) -> NetworkSource | None:
    """The ``network`` block of a project file; None when absent (the sketch model runs).

    Every fault adds one problem ``"network.<key>: <fault>"`` and None is returned.
    """
    if raw in (None, {}):
        return None
    if not isinstance(raw, dict):
        problems.append(
            f'{where}: must be an object such as {{"osm": "city.osm.pbf", "gtfs": ["gtfs.zip"], '
            '"date": "2026-03-10"}'
        )
        return None
    before = len(problems)
    values = read_object(raw, NETWORK_FIELDS, where, problems)
    for key in _REQUIRED:
        if key not in raw:
            spec = next(f for f in NETWORK_FIELDS if f.key == key)
            problems.append(f"{where}.{key}: missing ({spec.doc[:1].lower()}{spec.doc[1:-1]})")
    if len(problems) > before:
        return None
    if not NetworkSource(**values).departures_s:  # not reached: the window rule checks order
        problems.append(f"{where}.window: has no departure time")
        return None
    return NetworkSource(**values)


@dataclass(frozen=True)
class NetworkBlock(Rule):
    """The ``network`` block as a rule of the document's table (``model/document_schema.py``)."""

    def describe(self) -> str:
        return (
            'an object such as {"osm": "city.osm.pbf", "gtfs": ["gtfs.zip"], "date": "2026-03-10"}'
        )

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        before = len(problems)
        network = network_from_dict(value, problems, where)
        return INVALID if network is None and len(problems) > before else network


def network_to_dict(network: NetworkSource) -> dict[str, Any]:
    """The JSON form of the block (every key written, so the file shows every assumption)."""
    return {
        "osm": network.osm,
        "gtfs": list(network.gtfs),
        "date": network.date,
        "window": list(network.window),
        "step_min": network.step_min,
        "percentile": network.percentile,
        "max_walk_min": network.max_walk_min,
        "max_rides": network.max_rides,
        "cutoff_min": network.cutoff_min,
        "noise_floor": network.noise_floor,
    }


def check_network(network: NetworkSource) -> None:
    """Raise :class:`InputError` if ``network`` was built by hand with a bad value."""
    problems: list[str] = []
    network_from_dict(network_to_dict(network), problems)
    if problems:
        raise InputError("; ".join(problems), location="network")
