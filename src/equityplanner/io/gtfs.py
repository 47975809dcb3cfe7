"""Read a GTFS feed and derive the service measures of transit projects from it.

A feed is a ``.zip`` or a folder of GTFS ``.txt`` files (https://gtfs.org/schedule/reference/).
:func:`read_gtfs` reads the files this package needs into typed DataFrames
(:class:`GtfsFeed`), and every problem a user can cause becomes an
:class:`~equityplanner.errors.InputError` naming the file, the row (``row N (line M)``, where
line 1 is the header), the column, the value and the remedy. Oddities that can be worked around
(stray quotation marks, shapes no trip uses, trips on undefined service days...) become
sentences in :attr:`GtfsFeed.warnings`.

Times are seconds since the *service day's* midnight (strictly "noon minus 12 h", which equals
midnight except on days when clocks change). Times past 24:00:00 are legal: a trip of Monday's
service leaving at 25:10:00 leaves at 01:10 on Tuesday. :func:`trip_departures` therefore
returns, for a date, the departures of that date's service day *and* the departures of the
previous service day that run past midnight, moved onto the date's clock (minus 86,400 s).

Conventions used by the service measures, all vectorised over stop_times:

* a *departure* is a stop_times row a passenger can board at: the last stop of each trip
  (arrival only) and rows with ``pickup_type`` 1 (no pickup) are not departures;
* missing times at non-timepoint stops are interpolated linearly by stop order between the
  nearest given times of the same trip;
* frequency-based trips (``frequencies.txt``) are expanded to one trip per headway from
  ``start_time`` while before ``end_time``, whether ``exact_times`` is 0 or 1, using the
  trip's stop_times as the pattern of offsets from its first stop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from equityplanner.errors import InputError
from equityplanner.io.files import read_bounded, regular_file
from equityplanner.io.hashing import sha256_file
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject
from equityplanner.progress import NullProgress, Progress

__all__ = [
    "DEFAULT_PEAK",
    "MAX_DEPARTURES",
    "MAX_FREQUENCY_TRIPS",
    "GtfsFeed",
    "ServiceDay",
    "active_service_ids",
    "check_service_day",
    "read_gtfs",
    "route_service",
    "service_day",
    "transit_project_from_routes",
    "trip_departures",
]

DEFAULT_PEAK: Final[tuple[int, int]] = (7 * 3600, 9 * 3600)
"""The default AM peak window, 07:00-09:00, in seconds since midnight (end excluded)."""

DAY_S: Final[int] = 86_400

MAX_SERVICE_S: Final[int] = 48 * 3600
"""The latest end of a frequencies.txt period: a service day's times run at most a day on."""

MAX_FREQUENCY_TRIPS: Final[int] = 500_000
"""The most trips frequencies.txt may expand to (a dense network has tens of thousands)."""

MAX_DEPARTURES: Final[int] = 5_000_000
"""The most departures (trips times their stops) frequencies.txt may expand to.

About half a gigabyte once expanded; a feed beyond is refused when it is read, before any
expansion, with a message naming the row that expands most.
"""

MAX_FILE_BYTES: Final[int] = 2 * 1024**3
"""The largest GTFS file read (unpacked): a zip bomb is refused past it."""

_EXAMPLES: Final[int] = 5
_WEEKDAYS: Final[tuple[str, ...]] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# H:MM:SS or HH:MM:SS, hours may exceed 24 (trips after midnight); spaces around are tolerated.
_TIME_RE: Final[str] = r"^\s*(\d{1,3}):([0-5]\d):([0-5]\d)\s*$"
_DATE_RE: Final[str] = r"^\d{8}$"


@dataclass(frozen=True)
class _FileSpec:
    purpose: str  # what the file holds, for messages
    required: tuple[str, ...]  # columns without which the file cannot be used


_FILES: Final[dict[str, _FileSpec]] = {
    "agency.txt": _FileSpec("the transit agency and its time zone", ("agency_name",)),
    "stops.txt": _FileSpec("the stop locations", ("stop_id", "stop_lat", "stop_lon")),
    "routes.txt": _FileSpec("the routes and their modes", ("route_id", "route_type")),
    "trips.txt": _FileSpec(
        "the trips of each route and the service days they run on",
        ("route_id", "service_id", "trip_id"),
    ),
    # arrival_time or departure_time is required too: see _check_columns.
    "stop_times.txt": _FileSpec(
        "the times each trip serves each stop", ("trip_id", "stop_id", "stop_sequence")
    ),
    "calendar.txt": _FileSpec(
        "the weekly pattern of service days", ("service_id", *_WEEKDAYS, "start_date", "end_date")
    ),
    "calendar_dates.txt": _FileSpec(
        "service added or removed on particular dates", ("service_id", "date", "exception_type")
    ),
    "shapes.txt": _FileSpec(
        "the paths the vehicles follow",
        ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
    ),
    "frequencies.txt": _FileSpec(
        "headway-based service", ("trip_id", "start_time", "end_time", "headway_secs")
    ),
}
_REQUIRED_FILES: Final[tuple[str, ...]] = (
    "agency.txt",
    "stops.txt",
    "routes.txt",
    "trips.txt",
    "stop_times.txt",
)


@dataclass(frozen=True, eq=False)
class GtfsFeed:
    """A GTFS feed read into typed DataFrames (one RangeIndex row per file row).

    Text columns are ``str`` (missing optional text is ``""``); times are integer seconds since
    the service day's midnight; dates are ``datetime64``. An optional file that is absent gives
    an empty frame with the same columns, so code never needs to test for ``None``.

    Attributes
    ----------
    agency
        ``agency_id``, ``agency_name``, ``agency_url``, ``agency_timezone``.
    stops
        ``stop_id``, ``stop_name``, ``stop_lat`` and ``stop_lon`` (float64, WGS 84; NaN only
        for generic nodes and boarding areas, ``location_type`` 3 and 4), ``location_type``
        (int8, 0 = stop), ``parent_station``.
    routes
        ``route_id``, ``agency_id``, ``route_short_name``, ``route_long_name``,
        ``route_type`` (int64).
    trips
        ``trip_id``, ``route_id``, ``service_id``, ``direction_id`` (nullable Int8),
        ``shape_id``, ``trip_headsign``.
    stop_times
        ``trip_id``, ``stop_id``, ``stop_sequence`` (int64), ``arrival_s``, ``departure_s``
        (int64 seconds; interpolated where the file leaves them empty), ``time_given`` (bool:
        the time was given in the file), ``pickup_type``, ``drop_off_type`` (int8); sorted by
        trip and stop_sequence.
    calendar
        ``service_id``, ``monday`` ... ``sunday`` (bool), ``start_date``, ``end_date``.
    calendar_dates
        ``service_id``, ``date``, ``exception_type`` (int8: 1 added, 2 removed).
    shapes
        ``shape_id``, ``shape_pt_lat``, ``shape_pt_lon`` (float64), ``shape_pt_sequence``
        (int64); sorted by shape and sequence.
    frequencies
        ``trip_id``, ``start_s``, ``end_s``, ``headway_s`` (int64), ``exact_times`` (bool).
    path
        The zip file or folder read.
    sha256
        SHA-256 of the zip file; for a folder, of the names and contents of all its ``.txt``
        files (so that any change to the feed changes it).
    files
        The GTFS files read, e.g. ``("agency.txt", "calendar.txt", ...)``.
    warnings
        Problems that were worked around, one sentence each.
    """

    agency: pd.DataFrame
    stops: pd.DataFrame
    routes: pd.DataFrame
    trips: pd.DataFrame
    stop_times: pd.DataFrame
    calendar: pd.DataFrame
    calendar_dates: pd.DataFrame
    shapes: pd.DataFrame
    frequencies: pd.DataFrame
    path: Path
    sha256: str
    files: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return (
            f"GtfsFeed(path={str(self.path)!r}, routes={len(self.routes)}, "
            f"trips={len(self.trips)}, stops={len(self.stops)}, "
            f"stop_times={len(self.stop_times)}, frequencies={len(self.frequencies)}, "
            f"warnings={len(self.warnings)}, sha256={self.sha256[:12]!r}...)"
        )


# --- the container: zip or folder ---------------------------------------------------------------


class _Container:
    """The GTFS files of a zip archive or a folder, by lower-case file name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.members: dict[str, str] = {}
        self._zip: zipfile.ZipFile | None = None
        self._digests: dict[str, bytes] = {}  # SHA-256 of the folder's files already read
        if path.is_dir():
            self.is_zip = False
            self.members = {
                file.name.lower(): file.name
                for file in sorted(path.iterdir())
                if file.is_file() and file.suffix.lower() == ".txt"
            }
            return
        self.is_zip = True
        try:
            self._zip = zipfile.ZipFile(path)
            names = [info.filename for info in self._zip.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
            raise InputError(
                f"is not a readable zip archive ({exc})",
                path=path,
                remedy="Download or export the GTFS feed again, or pass the folder of its "
                ".txt files",
            ) from exc
        texts = [PurePosixPath(name) for name in names if name.lower().endswith(".txt")]
        top = [name for name in texts if len(name.parts) == 1]
        if not top and texts:
            # Feeds zipped with their folder (feed/stops.txt): accept one level of nesting.
            folders = {name.parent for name in texts if len(name.parts) == 2}
            if len(folders) == 1:
                top = [name for name in texts if name.parent in folders]
        self.members = {name.name.lower(): str(name) for name in top}

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def where(self, name: str) -> str:
        """How a member is named in messages: ``feed.zip/stops.txt`` or ``folder/stops.txt``."""
        return f"{self.path}/{self.members.get(name, name)}"

    def read(self, name: str) -> bytes:
        member = self.members[name]
        try:
            if self._zip is not None:
                return self._read_member(name, member)
            data = read_bounded(self.path / member, "GTFS file", MAX_FILE_BYTES)
            self._digests[name] = hashlib.sha256(data).digest()
            return data
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:
            raise InputError(
                f"cannot be read: the archive is damaged ({exc})"
                if self.is_zip
                else f"cannot be read ({exc})",
                path=self.where(name),
                remedy="Download or export the GTFS feed again",
            ) from exc

    def _read_member(self, name: str, member: str) -> bytes:
        """A zip member's bytes, refused past :data:`MAX_FILE_BYTES` whatever its header says."""
        assert self._zip is not None
        chunks: list[bytes] = []
        size = 0
        with self._zip.open(member) as stream:
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > MAX_FILE_BYTES:
                    raise InputError(
                        f"unpacks to more than {MAX_FILE_BYTES:,} bytes",
                        path=self.where(name),
                        remedy="Check the feed; no GTFS file of one network is that large",
                    )
                chunks.append(chunk)
        return b"".join(chunks)

    def sha256(self) -> str:
        if self.is_zip:
            return sha256_file(self.path)
        digest = hashlib.sha256()
        for name in sorted(self.members):
            if name not in self._digests:
                self.read(name)
            digest.update(name.encode() + b"\0" + self._digests[name])
        return digest.hexdigest()


# --- table helpers ------------------------------------------------------------------------------


@dataclass
class _Table:
    """One GTFS file as text columns, with what is needed to name its rows in messages."""

    name: str
    where: str
    frame: pd.DataFrame  # all str, stripped; "" for empty cells
    warnings: list[str]

    def row(self, position: int) -> str:
        return f"row {position + 1} (line {position + 2})"

    def rows(self, positions: np.ndarray | Sequence[int], column: str | None = None) -> str:
        positions = np.asarray(positions, dtype=np.int64)
        shown = []
        for position in positions[:_EXAMPLES]:
            text = self.row(int(position))
            if column is not None:
                text += f" {self.frame[column].iat[int(position)]!r}"
            shown.append(text)
        more = positions.size - _EXAMPLES
        return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")

    def text(self, column: str) -> pd.Series:
        return self.frame[column] if column in self.frame else _blank(len(self.frame))

    def error(self, fault: str, positions: np.ndarray, column: str, remedy: str) -> InputError:
        return InputError(
            fault,
            path=self.where,
            location=f"column {column!r}: {self.rows(positions, column)}",
            remedy=remedy,
        )

    def ids(self, column: str) -> pd.Series:
        """A required id column: every cell filled."""
        values = self.frame[column]
        empty = np.flatnonzero(values.eq("").to_numpy())
        if empty.size:
            raise InputError(
                f"{empty.size} row(s) have no {column}",
                path=self.where,
                location=f"column {column!r}: {self.rows(empty)}",
                remedy=f"Fill in {column} on every row",
            )
        return values

    def unique_ids(self, column: str) -> pd.Series:
        values = self.ids(column)
        duplicated = np.flatnonzero(values.duplicated(keep=False).to_numpy())
        if duplicated.size:
            raise self.error(
                f"{values.iloc[duplicated].nunique()} {column}(s) appear more than once",
                duplicated,
                column,
                f"Give every row a unique {column}",
            )
        return values

    def floats(self, column: str, *, required: bool = True) -> np.ndarray:
        values = self.text(column)
        numbers: np.ndarray = pd.to_numeric(values.mask(values.eq("")), errors="coerce").to_numpy(
            "float64", na_value=np.nan
        )
        bad = np.flatnonzero(np.isnan(numbers) & values.ne("").to_numpy())
        if bad.size:
            raise self.error(
                f"{bad.size} value(s) are not numbers", bad, column, "Correct the values"
            )
        if required:
            empty = np.flatnonzero(np.isnan(numbers))
            if empty.size:
                raise self.error(
                    f"{empty.size} row(s) have no {column}",
                    empty,
                    column,
                    f"Fill in {column} on every row",
                )
        return numbers

    def integers(
        self, column: str, *, default: int | None = None, allowed: Iterable[int] | None = None
    ) -> np.ndarray:
        """Whole numbers; empty cells take ``default`` (an error when there is none)."""
        values = self.text(column)
        codes, distinct = pd.factorize(values)
        distinct = pd.Series(distinct, dtype=str)
        numbers = pd.to_numeric(distinct.mask(distinct.eq("")), errors="coerce").to_numpy(
            "float64", na_value=np.nan
        )[codes]
        given = values.ne("").to_numpy()
        bad = np.flatnonzero(given & ~(np.isfinite(numbers) & (numbers == np.round(numbers))))
        if bad.size:
            raise self.error(
                f"{bad.size} value(s) are not whole numbers", bad, column, "Correct the values"
            )
        if allowed is not None:
            allowed = np.asarray(list(allowed))
            bad = np.flatnonzero(given & ~np.isin(numbers, allowed))
            if bad.size:
                choices = ", ".join(str(a) for a in allowed)
                raise self.error(
                    f"{bad.size} value(s) are not one of {choices}",
                    bad,
                    column,
                    "Correct the values (see the GTFS reference)",
                )
        if default is None:
            missing = np.flatnonzero(~given)
            if missing.size:
                raise self.error(
                    f"{missing.size} row(s) have no {column}",
                    missing,
                    column,
                    f"Fill in {column} on every row",
                )
            default = 0
        return np.where(given, numbers, default).astype(np.int64)

    def times(self, column: str, *, required: bool) -> np.ndarray:
        """Seconds since the service day's midnight (float, NaN where empty)."""
        values = self.text(column)
        # A feed repeats the same few thousand times: parse each distinct text once.
        codes, distinct = pd.factorize(values)
        parts = pd.Series(distinct, dtype=str).str.extract(_TIME_RE)
        numbers: np.ndarray = parts.astype("float64").to_numpy()
        seconds: np.ndarray = (numbers[:, 0] * 3600 + numbers[:, 1] * 60 + numbers[:, 2])[codes]
        given = values.ne("").to_numpy()
        bad = np.flatnonzero(given & np.isnan(seconds))
        if bad.size:
            first = int(bad[0])
            more = f" ({bad.size - 1} more value(s) in this column are not times either)" * (
                bad.size > 1
            )
            raise InputError(
                f"{values.iat[first]!r} is not a time of day (HH:MM:SS){more}",
                path=self.where,
                location=f"{self.row(first)}, column {column!r}",
                remedy="Write times as HH:MM:SS, e.g. 07:05:00; times after midnight of the "
                "service day continue past 24:00:00, e.g. 25:10:00",
            )
        if required:
            empty = np.flatnonzero(np.isnan(seconds))
            if empty.size:
                raise self.error(
                    f"{empty.size} row(s) have no {column}",
                    empty,
                    column,
                    f"Fill in {column} on every row",
                )
        return seconds

    def dates(self, column: str) -> pd.Series:
        values = self.ids(column)
        parsed = pd.to_datetime(
            values.where(values.str.match(_DATE_RE)), format="%Y%m%d", errors="coerce"
        )
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if bad.size:
            raise self.error(
                f"{bad.size} value(s) are not dates (YYYYMMDD)",
                bad,
                column,
                "Write dates as YYYYMMDD, e.g. 20240703",
            )
        return parsed


def _blank(n: int) -> pd.Series:
    return pd.Series([""] * n, dtype=str)


def _empty_frame(columns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


def _parse_csv(container: _Container, name: str, warnings: list[str]) -> _Table:
    where = container.where(name)
    data = container.read(name)
    options: dict[str, Any] = {
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "skipinitialspace": True,
    }
    try:
        try:
            frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", **options)
        except UnicodeDecodeError:
            warnings.append(
                f"{where}: not UTF-8 text; read as Windows-1252, and unreadable characters "
                "were replaced."
            )
            frame = pd.read_csv(
                io.BytesIO(data), encoding="cp1252", encoding_errors="replace", **options
            )
    except pd.errors.EmptyDataError as exc:
        raise InputError(
            "is empty: it has not even a header line",
            path=where,
            remedy=f"Export the feed again; {name} holds {_FILES[name].purpose}",
        ) from exc
    except pd.errors.ParserError as exc:
        raise InputError(
            f"is not valid CSV ({str(exc).strip()})",
            path=where,
            remedy="Check the quoting and the number of commas on that line",
        ) from exc
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    frame = frame.loc[:, ~pd.Index(frame.columns).duplicated()]
    table = _Table(name, where, frame.reset_index(drop=True), warnings)
    _clean_text(table)
    return table


def _clean_text(table: _Table) -> None:
    """Strip spaces, and quotation marks left over from broken CSV quoting (with a warning)."""
    frame = table.frame
    for column in frame.columns:
        # Work on the distinct values: stop_times repeats the same ids and times many times.
        codes, distinct = pd.factorize(frame[column])
        text = pd.Series(distinct, dtype=str).str.strip()
        quoted = (text.str.startswith('"') | text.str.endswith('"')).to_numpy()
        if quoted.any():
            positions = np.flatnonzero(quoted[codes])
            table.warnings.append(
                f"{table.where}: column {column!r}: {positions.size} value(s) carry stray "
                f"quotation marks (broken CSV quoting), removed: "
                f"{table.rows(positions, column)}."
            )
            text = text.str.strip('"').str.strip()
        frame[column] = pd.Series(text.to_numpy()[codes], index=frame.index, dtype=str)


def _check_columns(table: _Table) -> None:
    spec = _FILES[table.name]
    missing = [column for column in spec.required if column not in table.frame.columns]
    if table.name == "stop_times.txt" and not (
        {"arrival_time", "departure_time"} & set(table.frame.columns)
    ):
        missing.append("departure_time")
    if missing:
        found = ", ".join(table.frame.columns) or "none"
        raise InputError(
            f"has no column(s) {', '.join(repr(m) for m in missing)} (columns found: {found})",
            path=table.where,
            location="header line",
            remedy=f"Add the column(s): {table.name} holds {spec.purpose}, and GTFS requires them",
        )


def _no_rows(table: _Table) -> InputError:
    return InputError(
        "has a header but no rows",
        path=table.where,
        remedy=f"{table.name} holds {_FILES[table.name].purpose}; a feed needs at least one row",
    )


def _unknown(
    table: _Table, column: str, known: pd.Series, other: str, remedy: str | None = None
) -> None:
    """Raise when ``column`` holds ids that ``other`` does not define."""
    values = table.frame[column]
    unknown = np.flatnonzero(~values.isin(known).to_numpy())
    if unknown.size:
        names = np.asarray(pd.unique(values.iloc[unknown]), dtype=object)
        shown = ", ".join(repr(n) for n in names[:_EXAMPLES])
        shown += f" and {names.size - _EXAMPLES} more" if names.size > _EXAMPLES else ""
        raise InputError(
            f"{unknown.size} row(s) refer to {names.size} {column}(s) that {other} does not "
            f"define: {shown}",
            path=table.where,
            location=f"column {column!r}: {table.rows(unknown, column)}",
            remedy=remedy or f"Add them to {other} or correct the ids",
        )


# --- reading ------------------------------------------------------------------------------------


def read_gtfs(path: str | os.PathLike[str], *, progress: Progress | None = None) -> GtfsFeed:
    """Read and validate a GTFS feed from a ``.zip`` or a folder of ``.txt`` files.

    Parameters
    ----------
    path
        The feed: a zip archive (its files at the top level, or inside one folder) or a
        folder holding ``agency.txt``, ``stops.txt``, ``routes.txt``, ``trips.txt``,
        ``stop_times.txt`` and at least one of ``calendar.txt`` / ``calendar_dates.txt``;
        ``shapes.txt`` and ``frequencies.txt`` are read when present. Other files are ignored.
    progress
        Receives progress after each file.

    Returns
    -------
    GtfsFeed

    Raises
    ------
    InputError
        When the path is missing or not a feed, the zip is broken, a required file or column
        is missing, a required file has no rows, a value is not a number, time or date, an id
        is duplicated or refers to nothing (a trip's route_id, stop_times' trip_id and
        stop_id, frequencies' trip_id), or a trip has no time at its first or last stop.

    Examples
    --------
    >>> feed = read_gtfs("tests/data/gtfs_three_stops")  # doctest: +SKIP
    >>> sorted(feed.routes.route_id)  # doctest: +SKIP
    ['R1']
    """
    progress = progress or NullProgress()
    folder = regular_file(path, "GTFS feed", allow_folder=True)
    if not (folder.is_dir() or folder.suffix.lower() == ".zip" or zipfile.is_zipfile(folder)):
        hint = (
            " (this looks like one file of a feed: pass its folder)"
            if folder.suffix.lower() == ".txt"
            else ""
        )
        raise InputError(
            f"is neither a zip archive nor a folder{hint}",
            path=folder,
            remedy="Pass the GTFS feed as its .zip file or as the folder of its .txt files",
        )
    container = _Container(folder)
    try:
        return _read(container, progress)
    finally:
        container.close()


def _read(container: _Container, progress: Progress) -> GtfsFeed:
    present = [name for name in _FILES if name in container.members]
    if not present:
        raise InputError(
            "holds no GTFS files (agency.txt, stops.txt, routes.txt, trips.txt, "
            "stop_times.txt, calendar.txt ...)",
            path=container.path,
            remedy="Check that this is a GTFS feed; the .txt files must be at the top level of "
            "the zip or the folder",
        )
    for name in _REQUIRED_FILES:
        if name not in container.members:
            raise InputError(
                f"the feed has no {name}, which holds {_FILES[name].purpose}",
                path=container.path,
                remedy=f"Add {name}; GTFS requires it",
            )
    if "calendar.txt" not in container.members and "calendar_dates.txt" not in container.members:
        raise InputError(
            "the feed has neither calendar.txt (the weekly pattern of service days) nor "
            "calendar_dates.txt (service on particular dates), so no trip ever runs",
            path=container.path,
            remedy="Add calendar.txt or calendar_dates.txt; GTFS requires at least one",
        )
    warnings: list[str] = []
    tables: dict[str, _Table] = {}
    for number, name in enumerate(present):
        table = _parse_csv(container, name, warnings)
        _check_columns(table)
        tables[name] = table
        progress.report(0.6 * (number + 1) / len(present), f"Reading {name}")
    for name in _REQUIRED_FILES:
        if tables[name].frame.empty:
            raise _no_rows(tables[name])

    agency = _agency(tables["agency.txt"])
    stops = _stops(tables["stops.txt"])
    routes = _routes(tables["routes.txt"])
    calendar = _calendar(tables.get("calendar.txt"))
    calendar_dates = _calendar_dates(tables.get("calendar_dates.txt"))
    if calendar.empty and calendar_dates.empty:
        raise InputError(
            "calendar.txt and calendar_dates.txt define no service days (header only)",
            path=container.path,
            remedy="Add the weekly service pattern to calendar.txt or the dates of service "
            "to calendar_dates.txt",
        )
    trips = _trips(tables["trips.txt"], routes)
    progress.report(0.7, "Reading stop times")
    stop_times = _stop_times(tables["stop_times.txt"], trips, stops)
    shapes = _shapes(tables.get("shapes.txt"))
    frequencies = _frequencies(tables.get("frequencies.txt"), trips)
    if "frequencies.txt" in tables:
        _check_expansion(frequencies, stop_times, tables["frequencies.txt"].where)
    _cross_checks(container, trips, stop_times, stops, shapes, calendar, calendar_dates, warnings)
    progress.report(0.95, "Hashing the feed")
    feed = GtfsFeed(
        agency=agency,
        stops=stops,
        routes=routes,
        trips=trips,
        stop_times=stop_times,
        calendar=calendar,
        calendar_dates=calendar_dates,
        shapes=shapes,
        frequencies=frequencies,
        path=container.path,
        sha256=container.sha256(),
        files=tuple(sorted(container.members[name] for name in present)),
        warnings=tuple(warnings),
    )
    progress.report(1.0, "Feed read")
    return feed


def _agency(table: _Table) -> pd.DataFrame:
    table.ids("agency_name")
    return pd.DataFrame(
        {
            "agency_id": table.text("agency_id"),
            "agency_name": table.text("agency_name"),
            "agency_url": table.text("agency_url"),
            "agency_timezone": table.text("agency_timezone"),
        }
    )


def _stops(table: _Table) -> pd.DataFrame:
    stop_id = table.unique_ids("stop_id")
    location_type = table.integers("location_type", default=0, allowed=range(5))
    lat = table.floats("stop_lat", required=False)
    lon = table.floats("stop_lon", required=False)
    placed = location_type <= 2  # stops, stations and entrances must have coordinates
    for column, values in (("stop_lat", lat), ("stop_lon", lon)):
        missing = np.flatnonzero(placed & np.isnan(values))
        if missing.size:
            raise table.error(
                f"{missing.size} stop(s) have no {column}",
                missing,
                column,
                "Give every stop, station and entrance its coordinates",
            )
    for column, values, limit in (("stop_lat", lat, 90.0), ("stop_lon", lon, 180.0)):
        wrong = np.flatnonzero(np.abs(values) > limit)
        if wrong.size:
            raise table.error(
                f"{wrong.size} value(s) are beyond ±{limit:g} degrees",
                wrong,
                column,
                "GTFS coordinates are WGS 84 degrees: check for swapped latitude and "
                "longitude or projected coordinates",
            )
    names = table.text("stop_name")
    return pd.DataFrame(
        {
            "stop_id": stop_id,
            "stop_name": names.mask(names.eq(""), stop_id),
            "stop_lat": lat,
            "stop_lon": lon,
            "location_type": location_type.astype(np.int8),
            "parent_station": table.text("parent_station"),
        }
    )


def _routes(table: _Table) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "route_id": table.unique_ids("route_id"),
            "agency_id": table.text("agency_id"),
            "route_short_name": table.text("route_short_name"),
            "route_long_name": table.text("route_long_name"),
            "route_type": table.integers("route_type"),
        }
    )


def _trips(table: _Table, routes: pd.DataFrame) -> pd.DataFrame:
    trip_id = table.unique_ids("trip_id")
    table.ids("route_id")
    table.ids("service_id")
    _unknown(table, "route_id", routes["route_id"], "routes.txt")
    direction = table.text("direction_id")
    table.integers("direction_id", default=0, allowed=(0, 1))
    return pd.DataFrame(
        {
            "trip_id": trip_id,
            "route_id": table.frame["route_id"],
            "service_id": table.frame["service_id"],
            "direction_id": pd.to_numeric(direction.mask(direction.eq(""))).astype("Int8"),
            "shape_id": table.text("shape_id"),
            "trip_headsign": table.text("trip_headsign"),
        }
    )


def _stop_times(table: _Table, trips: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
    table.ids("trip_id")
    table.ids("stop_id")
    _unknown(table, "trip_id", trips["trip_id"], "trips.txt")
    _unknown(table, "stop_id", stops["stop_id"], "stops.txt")
    sequence = table.integers("stop_sequence")
    negative = np.flatnonzero(sequence < 0)
    if negative.size:
        raise table.error(
            f"{negative.size} value(s) are negative",
            negative,
            "stop_sequence",
            "stop_sequence must be 0 or more, increasing along the trip",
        )
    arrival = table.times("arrival_time", required=False)
    departure = table.times("departure_time", required=False)
    given = ~np.isnan(departure) | ~np.isnan(arrival)
    departure = np.where(np.isnan(departure), arrival, departure)
    arrival = np.where(np.isnan(arrival), departure, arrival)
    frame = pd.DataFrame(
        {
            "trip_id": table.frame["trip_id"],
            "stop_id": table.frame["stop_id"],
            "stop_sequence": sequence,
            "arrival_s": arrival,
            "departure_s": departure,
            "time_given": given,
            "pickup_type": table.integers("pickup_type", default=0, allowed=range(4)).astype(
                np.int8
            ),
            "drop_off_type": table.integers("drop_off_type", default=0, allowed=range(4)).astype(
                np.int8
            ),
            "_row": np.arange(len(table.frame)),
        }
    )
    frame = frame.sort_values(["trip_id", "stop_sequence"], kind="stable").reset_index(drop=True)
    repeated = frame.duplicated(["trip_id", "stop_sequence"], keep=False).to_numpy()
    if repeated.any():
        rows = np.sort(frame["_row"].to_numpy()[repeated])
        raise table.error(
            "the same stop_sequence appears twice in one trip",
            rows,
            "stop_sequence",
            "Number the stops of each trip with distinct, increasing stop_sequence values",
        )
    frame = _interpolate_times(frame, table)
    late = frame["departure_s"].to_numpy() < frame["arrival_s"].to_numpy()
    if late.any():
        rows = np.sort(frame["_row"].to_numpy()[late])
        table.warnings.append(
            f"{table.where}: {late.sum()} row(s) depart before they arrive: {table.rows(rows)}."
        )
    backwards = np.zeros(len(frame), dtype=bool)
    same_trip = frame["trip_id"].to_numpy()[1:] == frame["trip_id"].to_numpy()[:-1]
    backwards[1:] = same_trip & (
        frame["arrival_s"].to_numpy()[1:] < frame["departure_s"].to_numpy()[:-1]
    )
    if backwards.any():
        rows = np.sort(frame["_row"].to_numpy()[backwards])
        table.warnings.append(
            f"{table.where}: {backwards.sum()} stop time(s) are earlier than the stop before "
            f"them in the same trip: {table.rows(rows)}."
        )
    return frame.drop(columns="_row")


def _interpolate_times(frame: pd.DataFrame, table: _Table) -> pd.DataFrame:
    """Fill empty times linearly by stop order between the trip's nearest given times."""
    known = frame["time_given"].to_numpy()
    groups = frame.groupby("trip_id", sort=False)
    position = groups.cumcount().to_numpy().astype("float64")
    ends = (position == 0) | (groups.cumcount(ascending=False) == 0).to_numpy()
    missing_end = np.flatnonzero(ends & ~known)
    if missing_end.size:
        rows = np.sort(frame["_row"].to_numpy()[missing_end])
        trips = pd.unique(frame["trip_id"].to_numpy()[missing_end])
        raise table.error(
            f"{trips.size} trip(s) have no time at their first or last stop "
            f"(e.g. trip {trips[0]!r})",
            rows,
            "departure_time",
            "GTFS requires arrival and departure times at the first and last stop of every trip",
        )
    if known.all():
        for column in ("arrival_s", "departure_s"):
            frame[column] = frame[column].astype(np.int64)
        return frame
    trip = frame["trip_id"].to_numpy()
    known_position = pd.Series(np.where(known, position, np.nan))
    before_pos = known_position.groupby(trip, sort=False).ffill().to_numpy()
    after_pos = known_position.groupby(trip, sort=False).bfill().to_numpy()
    # From the departure at the given stop before to the arrival at the given stop after.
    before = frame["departure_s"].groupby(trip, sort=False).ffill().to_numpy()
    after = frame["arrival_s"].groupby(trip, sort=False).bfill().to_numpy()
    fraction = (position - before_pos) / np.where(known, 1.0, after_pos - before_pos)
    filled = before + (after - before) * fraction
    for column in ("arrival_s", "departure_s"):
        values = np.where(known, frame[column].to_numpy(), filled)
        frame[column] = np.round(values).astype(np.int64)
    return frame


def _calendar(table: _Table | None) -> pd.DataFrame:
    if table is None or table.frame.empty:
        return _empty_frame(
            {
                "service_id": "str",
                **dict.fromkeys(_WEEKDAYS, "bool"),
                "start_date": "datetime64[s]",
                "end_date": "datetime64[s]",
            }
        )
    data: dict[str, Any] = {"service_id": table.unique_ids("service_id")}
    for day in _WEEKDAYS:
        data[day] = table.integers(day, allowed=(0, 1)).astype(bool)
    data["start_date"] = table.dates("start_date")
    data["end_date"] = table.dates("end_date")
    frame = pd.DataFrame(data)
    reversed_ = np.flatnonzero((frame["end_date"] < frame["start_date"]).to_numpy())
    if reversed_.size:
        raise table.error(
            f"{reversed_.size} service(s) end before they start",
            reversed_,
            "end_date",
            "Swap or correct start_date and end_date",
        )
    return frame


def _calendar_dates(table: _Table | None) -> pd.DataFrame:
    if table is None or table.frame.empty:
        return _empty_frame(
            {"service_id": "str", "date": "datetime64[s]", "exception_type": "int8"}
        )
    return pd.DataFrame(
        {
            "service_id": table.ids("service_id"),
            "date": table.dates("date"),
            "exception_type": table.integers("exception_type", allowed=(1, 2)).astype(np.int8),
        }
    )


def _shapes(table: _Table | None) -> pd.DataFrame:
    if table is None or table.frame.empty:
        return _empty_frame(
            {
                "shape_id": "str",
                "shape_pt_lat": "float64",
                "shape_pt_lon": "float64",
                "shape_pt_sequence": "int64",
            }
        )
    frame = pd.DataFrame(
        {
            "shape_id": table.ids("shape_id"),
            "shape_pt_lat": table.floats("shape_pt_lat"),
            "shape_pt_lon": table.floats("shape_pt_lon"),
            "shape_pt_sequence": table.integers("shape_pt_sequence"),
        }
    )
    return frame.sort_values(["shape_id", "shape_pt_sequence"], kind="stable").reset_index(
        drop=True
    )


def _frequencies(table: _Table | None, trips: pd.DataFrame) -> pd.DataFrame:
    if table is None or table.frame.empty:
        return _empty_frame(
            {
                "trip_id": "str",
                "start_s": "int64",
                "end_s": "int64",
                "headway_s": "int64",
                "exact_times": "bool",
            }
        )
    table.ids("trip_id")
    _unknown(table, "trip_id", trips["trip_id"], "trips.txt")
    start = table.times("start_time", required=True)
    end = table.times("end_time", required=True)
    headway = table.integers("headway_secs")
    wrong = np.flatnonzero(headway <= 0)
    if wrong.size:
        raise table.error(
            f"{wrong.size} headway(s) are not positive",
            wrong,
            "headway_secs",
            "headway_secs is the time between departures, in seconds",
        )
    wrong = np.flatnonzero(end <= start)
    if wrong.size:
        raise table.error(
            f"{wrong.size} period(s) end before they start",
            wrong,
            "end_time",
            "end_time must be later than start_time",
        )
    wrong = np.flatnonzero(end > MAX_SERVICE_S)
    if wrong.size:
        raise table.error(
            f"{wrong.size} period(s) end after {MAX_SERVICE_S // 3600}:00:00, beyond any "
            "service day",
            wrong,
            "end_time",
            "A service day's times run at most a day past its midnight; correct end_time",
        )
    frame = pd.DataFrame(
        {
            "trip_id": table.frame["trip_id"],
            "start_s": start.astype(np.int64),
            "end_s": end.astype(np.int64),
            "headway_s": headway,
            "exact_times": table.integers("exact_times", default=0, allowed=(0, 1)).astype(bool),
        }
    )
    frame = _without_repeated_periods(frame, table)
    _check_overlaps(frame, table)
    return frame


def _without_repeated_periods(frame: pd.DataFrame, table: _Table) -> pd.DataFrame:
    """Drop rows repeating another row exactly (same trip, times and headway), with a warning."""
    repeated = frame.duplicated(["trip_id", "start_s", "end_s", "headway_s"], keep="first")
    if not repeated.any():
        return frame
    rows = np.flatnonzero(repeated.to_numpy())
    table.warnings.append(
        f"{table.where}: {rows.size} row(s) repeat an earlier row exactly and were ignored "
        f"(each period is counted once): {table.rows(rows)}."
    )
    return frame.loc[~repeated.to_numpy()].reset_index(drop=True)


def _check_overlaps(frame: pd.DataFrame, table: _Table) -> None:
    """Refuse periods of one trip that overlap: their departures would be counted twice."""
    order = frame.sort_values(["trip_id", "start_s"], kind="stable")
    same = order["trip_id"].to_numpy()[1:] == order["trip_id"].to_numpy()[:-1]
    overlap = same & (order["start_s"].to_numpy()[1:] < order["end_s"].to_numpy()[:-1])
    if not overlap.any():
        return
    later = order.index.to_numpy()[1:][overlap]
    earlier = order.index.to_numpy()[:-1][overlap]
    first = int(np.argmin(later))
    trip = frame["trip_id"].iat[int(later[first])]
    raise InputError(
        f"{later.size} period(s) overlap an earlier period of the same trip (e.g. trip "
        f"{trip!r}: {table.row(int(earlier[first]))} and {table.row(int(later[first]))}), so "
        "their departures would be counted twice",
        path=table.where,
        location=f"column 'start_time': {table.rows(np.sort(later), 'start_time')}",
        remedy="Make each trip's periods follow one another: a period starts at or after the "
        "end_time of the one before",
    )


def _check_expansion(frequencies: pd.DataFrame, stop_times: pd.DataFrame, where: str) -> None:
    """Refuse frequencies.txt whose trips would expand beyond the bounds of this module."""
    if frequencies.empty:
        return
    trips = -((frequencies["start_s"] - frequencies["end_s"]) // frequencies["headway_s"])
    stops = frequencies["trip_id"].map(stop_times.groupby("trip_id", sort=False).size())
    departures = trips * stops.fillna(0).astype(np.int64)
    total_trips, total_departures = int(trips.sum()), int(departures.sum())
    if total_trips > MAX_FREQUENCY_TRIPS or total_departures > MAX_DEPARTURES:
        worst = int(np.argmax(departures.to_numpy()))
        row = frequencies.iloc[worst]
        raise InputError(
            f"expands to {total_trips:,} trips and {total_departures:,} departures, more than "
            f"the {MAX_FREQUENCY_TRIPS:,} trips or {MAX_DEPARTURES:,} departures this tool "
            f"reads (row {worst + 1}: trip {row['trip_id']!r} every {int(row['headway_s'])} s "
            f"from {_clock(int(row['start_s']))} to {_clock(int(row['end_s']))})",
            path=where,
            remedy="Check headway_secs (seconds between departures) and the periods' times",
        )


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _cross_checks(
    container: _Container,
    trips: pd.DataFrame,
    stop_times: pd.DataFrame,
    stops: pd.DataFrame,
    shapes: pd.DataFrame,
    calendar: pd.DataFrame,
    calendar_dates: pd.DataFrame,
    warnings: list[str],
) -> None:
    """Problems that leave the feed usable: each becomes a warning."""

    def listed(values: Iterable[Any]) -> str:
        values = list(values)
        shown = ", ".join(repr(v) for v in values[:_EXAMPLES])
        return shown + (f" and {len(values) - _EXAMPLES} more" if len(values) > _EXAMPLES else "")

    services = pd.concat([calendar["service_id"], calendar_dates["service_id"]])
    undefined = trips.loc[~trips["service_id"].isin(services), "service_id"]
    if not undefined.empty:
        warnings.append(
            f"{container.where('trips.txt')}: {len(undefined)} trip(s) use service_id(s) "
            f"{listed(pd.unique(undefined))} that neither calendar.txt nor calendar_dates.txt "
            "defines; they never run."
        )
    unused = trips.loc[~trips["trip_id"].isin(stop_times["trip_id"]), "trip_id"]
    if not unused.empty:
        warnings.append(
            f"{container.where('trips.txt')}: {len(unused)} trip(s) have no stop times and are "
            f"ignored: {listed(unused)}."
        )
    named = trips.loc[trips["shape_id"].ne(""), "shape_id"]
    unknown_shapes = pd.unique(named[~named.isin(shapes["shape_id"])])
    if unknown_shapes.size:
        warnings.append(
            f"{container.where('trips.txt')}: shape_id(s) {listed(unknown_shapes)} are not in "
            "shapes.txt; those trips' paths are taken from their stops."
        )
    orphan_shapes = pd.unique(shapes.loc[~shapes["shape_id"].isin(named), "shape_id"])
    if orphan_shapes.size:
        warnings.append(
            f"{container.where('shapes.txt')}: no trip uses shape(s) {listed(orphan_shapes)} "
            "(trips.txt leaves shape_id empty or names others); they are ignored."
        )
    parents = stops["parent_station"]
    lost = pd.unique(parents[parents.ne("") & ~parents.isin(stops["stop_id"])])
    if lost.size:
        warnings.append(
            f"{container.where('stops.txt')}: parent_station(s) {listed(lost)} are not stops "
            "in the file; the stops are used on their own."
        )
    boarding = stops[stops["location_type"].eq(0)]
    place = pd.DataFrame(
        {
            "lat": boarding["stop_lat"].round(6),
            "lon": boarding["stop_lon"].round(6),
            "stop_id": boarding["stop_id"],
        }
    )
    shared = place[place.duplicated(["lat", "lon"], keep=False)]
    if not shared.empty:
        groups = shared.groupby(["lat", "lon"], sort=False)["stop_id"].agg(list)
        warnings.append(
            f"{container.where('stops.txt')}: {len(shared)} stops share the coordinates of "
            f"another stop ({'; '.join(' = '.join(g) for g in groups.iloc[:_EXAMPLES])}); "
            "check that each is placed where it really is."
        )


# --- service days and departures ----------------------------------------------------------------


def _as_date(date: dt.date | str) -> dt.date:
    if isinstance(date, dt.datetime):
        return date.date()
    if isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date))
    except ValueError as exc:
        raise InputError(
            f"{date!r} is not a date", location="date", remedy="Give the date as YYYY-MM-DD"
        ) from exc


def active_service_ids(feed: GtfsFeed, date: dt.date | str) -> set[str]:
    """The service_ids that run on ``date``.

    calendar.txt's services whose weekday flag is set for the date's weekday and whose
    start_date <= date <= end_date, then calendar_dates.txt's exceptions on that date:
    ``exception_type`` 1 adds the service, 2 removes it.

    Parameters
    ----------
    feed
        The feed.
    date
        The service day (a :class:`datetime.date` or ``"YYYY-MM-DD"``).

    Returns
    -------
    set of str
    """
    day = _as_date(date)
    stamp = pd.Timestamp(day)
    calendar = feed.calendar
    running = (
        calendar[_WEEKDAYS[day.weekday()]].to_numpy(bool)
        & (calendar["start_date"] <= stamp).to_numpy()
        & (calendar["end_date"] >= stamp).to_numpy()
    )
    active = set(calendar.loc[running, "service_id"])
    exceptions = feed.calendar_dates[feed.calendar_dates["date"] == stamp]
    active |= set(exceptions.loc[exceptions["exception_type"] == 1, "service_id"])
    active -= set(exceptions.loc[exceptions["exception_type"] == 2, "service_id"])
    return active


@dataclass(frozen=True)
class ServiceDay:
    """What a feed runs on one date.

    Attributes
    ----------
    date
        The date.
    service_ids
        The services active that day (:func:`active_service_ids`).
    trips
        Trips of that service day with stop times, frequency-based trips counted once per
        departure from their first stop.
    period
        The first and last dates on which the feed defines any service (calendar.txt's
        ranges of days with a weekday set, and the dates calendar_dates.txt adds), or None.
    """

    date: dt.date
    service_ids: frozenset[str]
    trips: int
    period: tuple[dt.date, dt.date] | None


def service_day(feed: GtfsFeed, date: dt.date | str) -> ServiceDay:
    """What ``feed`` runs on ``date``: its services, trips and the feed's service period."""
    day = _as_date(date)
    active = active_service_ids(feed, day)
    trips = feed.trips.loc[feed.trips["service_id"].isin(active), "trip_id"]
    trips = trips[trips.isin(feed.stop_times["trip_id"])]
    frequencies = feed.frequencies[feed.frequencies["trip_id"].isin(trips)]
    expanded = -((frequencies["start_s"] - frequencies["end_s"]) // frequencies["headway_s"])
    count = int((~trips.isin(frequencies["trip_id"])).sum()) + int(expanded.sum())
    return ServiceDay(day, frozenset(active), count, _service_period(feed))


def _service_period(feed: GtfsFeed) -> tuple[dt.date, dt.date] | None:
    calendar = feed.calendar
    running = calendar[calendar[list(_WEEKDAYS)].any(axis=1)] if not calendar.empty else calendar
    added = feed.calendar_dates.loc[feed.calendar_dates["exception_type"].eq(1), "date"]
    starts = pd.concat([running["start_date"], added]) if len(running) else added
    ends = pd.concat([running["end_date"], added]) if len(running) else added
    if starts.empty:
        return None
    return (pd.Timestamp(starts.min()).date(), pd.Timestamp(ends.max()).date())


def check_service_day(feed: GtfsFeed, date: dt.date | str, role: str) -> ServiceDay:
    """:func:`service_day`, refused when the feed runs no trip on ``date``.

    Parameters
    ----------
    feed
        The feed.
    date
        The service day compared.
    role
        The feed's role in messages (``"proposed"``).

    Raises
    ------
    InputError
        Naming the feed, ``gtfs.date`` and the fault: the date outside the feed's service
        period (an expired feed, or one for another season), or no trip on that day (a
        calendar of zeros, or every service removed that day).
    """
    day = service_day(feed, date)
    if day.trips:
        return day
    when = f"{day.date.isoformat()} ({day.date:%A})"
    period = day.period
    shown = f"{period[0].isoformat()} to {period[1].isoformat()}" if period else "no day"
    if period is None or not period[0] <= day.date <= period[1]:
        fault = (
            f"the {role} feed has no service on {when}: its calendar runs from {shown}, so the "
            "date is outside it (an expired feed, or one for other dates)"
        )
    else:
        fault = (
            f"the {role} feed runs no trip on {when}, although its calendar runs from {shown} "
            "(calendar.txt has no service on that weekday, or calendar_dates.txt removes it)"
        )
    raise InputError(
        fault,
        path=feed.path,
        location="gtfs.date",
        remedy="Choose a service day both feeds run, or fix the feed's calendar; comparing a "
        "day without service would report every stop's service as cut",
    )


def _hhmmss(seconds: pd.Series) -> pd.Series:
    values = seconds.astype(np.int64)
    hours = (values // 3600).astype(str).str.zfill(2)
    minutes = (values % 3600 // 60).astype(str).str.zfill(2)
    secs = (values % 60).astype(str).str.zfill(2)
    return hours + ":" + minutes + ":" + secs


def _departure_events(feed: GtfsFeed, services: set[str]) -> pd.DataFrame:
    """Every boardable departure of the trips of ``services``, on their own service day."""
    trips = feed.trips[feed.trips["service_id"].isin(services)]
    times = feed.stop_times[feed.stop_times["trip_id"].isin(trips["trip_id"])]
    last = (times.groupby("trip_id", sort=False).cumcount(ascending=False) == 0).to_numpy()
    first_departure = times.groupby("trip_id", sort=False)["departure_s"].transform("first")
    events = pd.DataFrame(
        {
            "trip_id": times["trip_id"],
            "stop_id": times["stop_id"],
            "stop_sequence": times["stop_sequence"],
            "departure_s": times["departure_s"],
            "offset_s": times["departure_s"] - first_departure,
        }
    )
    events = events[~last & times["pickup_type"].ne(1).to_numpy()]

    frequencies = feed.frequencies[feed.frequencies["trip_id"].isin(trips["trip_id"])]
    scheduled = events[~events["trip_id"].isin(frequencies["trip_id"])]
    parts = [scheduled.assign(pattern=scheduled["trip_id"])]
    if not frequencies.empty:
        # One trip per headway from start_time while before end_time.
        counts = -((frequencies["start_s"] - frequencies["end_s"]) // frequencies["headway_s"])
        counts = counts.to_numpy(np.int64)
        repeated = frequencies.loc[frequencies.index.repeat(counts)]
        step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        starts = pd.DataFrame(
            {
                "pattern": repeated["trip_id"].to_numpy(),
                "start_s": repeated["start_s"].to_numpy() + step * repeated["headway_s"].to_numpy(),
            }
        )
        expanded = starts.merge(events.rename(columns={"trip_id": "pattern"}), on="pattern")
        expanded["departure_s"] = expanded["start_s"] + expanded["offset_s"]
        expanded["trip_id"] = expanded["pattern"] + "@" + _hhmmss(expanded["start_s"])
        parts.append(expanded)
    columns = ["trip_id", "pattern", "stop_id", "stop_sequence", "departure_s"]
    table = pd.concat([part[columns] for part in parts], ignore_index=True)
    info = trips.set_index("trip_id")[["route_id", "service_id", "direction_id"]]
    return table.join(info, on="pattern").drop(columns="pattern")


def trip_departures(feed: GtfsFeed, date: dt.date | str) -> pd.DataFrame:
    """Every departure on ``date``, in seconds from that date's midnight.

    The departures of the date's own service day keep their times (after-midnight ones
    exceed 86,400); the departures of the previous service day that run past 24:00:00 are
    added, shifted by -86,400 s and flagged ``previous_day`` (a 25:10:00 departure of
    yesterday appears at 01:10, i.e. 4,200 s). The last stop of each trip and stops with
    ``pickup_type`` 1 are not departures. Frequency-based trips are expanded, one trip per
    headway from ``start_time`` while before ``end_time`` (for ``exact_times`` 0 as for 1);
    their trip_id is the pattern trip's id plus ``@HH:MM:SS`` of the start.

    Parameters
    ----------
    feed
        The feed.
    date
        The day (a :class:`datetime.date` or ``"YYYY-MM-DD"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``trip_id``, ``route_id``, ``stop_id`` (str), ``stop_sequence``,
        ``departure_s`` (int64), ``direction_id`` (Int8) and ``previous_day`` (bool), sorted by
        departure time. A trip of one service day is identified by ``(trip_id,
        previous_day)``: the same trip_id can appear for both days.
    """
    day = _as_date(date)
    today = active_service_ids(feed, day)
    yesterday = active_service_ids(feed, day - dt.timedelta(days=1))
    own = _departure_events(feed, today).assign(previous_day=False)
    carried = _departure_events(feed, yesterday)
    carried = carried[carried["departure_s"] >= DAY_S]
    carried = carried.assign(departure_s=carried["departure_s"] - DAY_S, previous_day=True)
    table = pd.concat([own, carried], ignore_index=True)
    table = table[
        [
            "trip_id",
            "route_id",
            "stop_id",
            "stop_sequence",
            "departure_s",
            "direction_id",
            "previous_day",
        ]
    ]
    table = table.astype(
        {
            "stop_sequence": np.int64,
            "departure_s": np.int64,
            "direction_id": "Int8",
            "previous_day": bool,
        }
    )
    return table.sort_values(
        ["departure_s", "trip_id", "stop_sequence"], kind="stable", ignore_index=True
    )


# --- routes -------------------------------------------------------------------------------------


def _route_list(feed: GtfsFeed, route_ids: str | Iterable[str]) -> list[str]:
    ids = [route_ids] if isinstance(route_ids, str) else [str(r) for r in route_ids]
    if not ids:
        raise InputError(
            "no route_id given", location="route_ids", remedy="Name at least one route of the feed"
        )
    unknown = [r for r in ids if r not in set(feed.routes["route_id"])]
    if unknown:
        known = feed.routes["route_id"].tolist()
        shown = ", ".join(repr(r) for r in known[:10]) + (" ..." if len(known) > 10 else "")
        raise InputError(
            f"route_id(s) {', '.join(repr(r) for r in unknown)} are not in routes.txt",
            path=f"{feed.path}/routes.txt",
            location="route_ids",
            remedy=f"Choose among the feed's routes: {shown}",
        )
    return list(dict.fromkeys(ids))


def _check_peak(peak: tuple[float, float]) -> tuple[int, int]:
    start, end = (round(float(p)) for p in peak)
    if not 0 <= start < end:
        raise InputError(
            f"the peak window {peak!r} is not a period of time",
            location="peak",
            remedy="Give the peak as (start, end) in seconds since midnight, start < end, e.g. "
            "(25200, 32400) for 07:00-09:00",
        )
    return start, end


def _peak_counts(departures: pd.DataFrame, peak: tuple[int, int]) -> pd.DataFrame:
    """Distinct trips departing each (direction, stop) within the peak window."""
    start, end = peak
    inside = departures[departures["departure_s"].between(start, end, inclusive="left")]
    inside = inside.drop_duplicates(["trip_id", "previous_day", "stop_id"])
    direction = inside["direction_id"].astype("float64").fillna(-1).astype(np.int64)
    return (
        inside.groupby([direction.rename("direction"), inside["stop_id"]])
        .size()
        .rename("trips")
        .reset_index()
    )


def route_service(
    feed: GtfsFeed,
    route_ids: str | Iterable[str],
    date: dt.date | str,
    peak: tuple[float, float] = DEFAULT_PEAK,
) -> dict[str, Any]:
    """Trips, peak headway and span of one or more routes on a date.

    Parameters
    ----------
    feed
        The feed.
    route_ids
        One route_id or several (measured together, e.g. the branches of a line).
    date
        The service day.
    peak
        The peak window ``(start, end)`` in seconds since midnight, end excluded.

    Returns
    -------
    dict
        ``route_ids`` (list), ``date`` (ISO text), ``trips_by_direction`` ({direction_id or
        None: trips}), ``daily_trips`` (trips of the date's service day), ``peak_window_s``,
        ``peak_departures`` (the most trips leaving any one stop in one direction within the
        window), ``peak_headway_min`` (window length in minutes / peak_departures; None without
        peak service), ``first_departure_s`` and ``last_departure_s`` (earliest and latest trip
        start, i.e. departure from the trip's first stop), ``span_hours`` (last minus first
        trip start, hours; None without trips).

    Notes
    -----
    Counting at the busiest stop of one direction gives the headway a rider sees on the
    trunk of a route whose trips start at different points; trips of the previous service
    day that run into the window count too.
    """
    ids = _route_list(feed, route_ids)
    window = _check_peak(peak)
    day = _as_date(date)
    departures = trip_departures(feed, day)
    departures = departures[departures["route_id"].isin(ids)]
    own = departures[~departures["previous_day"]]
    by_direction = own.groupby("direction_id", dropna=False, sort=True)["trip_id"].nunique()
    trips_by_direction = {(None if pd.isna(k) else int(k)): int(v) for k, v in by_direction.items()}
    starts = own.groupby("trip_id")["departure_s"].min()
    counts = _peak_counts(departures, window)
    busiest = int(counts["trips"].max()) if not counts.empty else 0
    minutes = (window[1] - window[0]) / 60.0
    return {
        "route_ids": ids,
        "date": day.isoformat(),
        "trips_by_direction": trips_by_direction,
        "daily_trips": int(starts.size),
        "peak_window_s": window,
        "peak_departures": busiest,
        "peak_headway_min": minutes / busiest if busiest else None,
        "first_departure_s": int(starts.min()) if starts.size else None,
        "last_departure_s": int(starts.max()) if starts.size else None,
        "span_hours": (int(starts.max()) - int(starts.min())) / 3600.0 if starts.size else None,
    }


_RAIL_TYPES: Final[frozenset[int]] = frozenset({0, 1, 2, 5, 7, 12})
_BUS_TYPES: Final[frozenset[int]] = frozenset({3, 11})


def _mode_of(route_type: int) -> Mode | None:
    """Basic and extended GTFS route types to a mode; None for ferries, aerial lifts..."""
    if route_type in _RAIL_TYPES or 100 <= route_type < 200 or 400 <= route_type < 500:
        return Mode.RAIL
    if 900 <= route_type < 1000:  # tram services
        return Mode.RAIL
    if route_type in _BUS_TYPES or 200 <= route_type < 300 or 700 <= route_type < 900:
        return Mode.BUS
    return None


def _longest_trips(feed: GtfsFeed, ids: list[str]) -> pd.Series:
    """The trip with the most stops of each route (first in trips.txt on ties), by route."""
    trips = feed.trips[feed.trips["route_id"].isin(ids)]
    sizes = feed.stop_times.groupby("trip_id", sort=False).size()
    trips = trips.assign(stops=trips["trip_id"].map(sizes).fillna(0).astype(np.int64))
    trips = trips[trips["stops"] > 0]
    order = trips.sort_values("stops", ascending=False, kind="stable")
    chosen = order.drop_duplicates("route_id")
    route_order = {r: i for i, r in enumerate(ids)}
    chosen = chosen.sort_values("route_id", key=lambda s: s.map(route_order), kind="stable")
    return chosen.set_index("route_id")["trip_id"]


def _stations(feed: GtfsFeed, ids: list[str], longest: pd.Series) -> tuple[Station, ...]:
    """Stops of the routes (their parent stations where given), in the longest trips' order."""
    trips = feed.trips.loc[feed.trips["route_id"].isin(ids), ["trip_id", "route_id"]]
    times = feed.stop_times[["trip_id", "stop_id", "stop_sequence"]].merge(trips, on="trip_id")
    rank_route = times["route_id"].map({r: i for i, r in enumerate(ids)})
    is_longest = times["trip_id"].isin(longest.to_numpy())
    trip_rank = pd.Series(np.arange(len(feed.trips)), index=feed.trips["trip_id"])
    times = times.assign(
        _longest=~is_longest, _route=rank_route, _trip=times["trip_id"].map(trip_rank)
    )
    times = times.sort_values(["_longest", "_route", "_trip", "stop_sequence"], kind="stable")
    stops = feed.stops.set_index("stop_id")
    parent = times["stop_id"].map(stops["parent_station"])
    has_parent = parent.ne("") & parent.isin(stops.index)
    place = times["stop_id"].where(~has_parent, parent)
    place = pd.unique(place.to_numpy())
    chosen = stops.loc[place]
    return tuple(
        Station(str(name), shapely.Point(float(lon), float(lat)))
        for name, lon, lat in zip(
            chosen["stop_name"], chosen["stop_lon"], chosen["stop_lat"], strict=True
        )
    )


def _alignment(feed: GtfsFeed, longest: pd.Series) -> BaseGeometry | None:
    """Each route's longest trip as a line: its shape if shapes.txt has it, else its stops."""
    lines = []
    shape_of = feed.trips.set_index("trip_id")["shape_id"]
    stops = feed.stops.set_index("stop_id")
    for trip_id in longest:
        shape_id = shape_of[trip_id]
        points = feed.shapes[feed.shapes["shape_id"].eq(shape_id)] if shape_id else None
        if points is not None and len(points) >= 2:
            coords = points[["shape_pt_lon", "shape_pt_lat"]].to_numpy()
        else:
            visited = feed.stop_times.loc[feed.stop_times["trip_id"].eq(trip_id), "stop_id"]
            coords = stops.loc[visited, ["stop_lon", "stop_lat"]].to_numpy()
        if len(coords) >= 2:
            lines.append(shapely.LineString(coords))
    if not lines:
        return None
    return lines[0] if len(lines) == 1 else shapely.MultiLineString(lines)


def transit_project_from_routes(
    feed: GtfsFeed,
    route_ids: str | Iterable[str],
    *,
    date: dt.date | str,
    project_id: str,
    name: str | None = None,
    change: ServiceChange | str = ServiceChange.NEW,
    mode: Mode | str | None = None,
    baseline: GtfsFeed | None = None,
    peak: tuple[float, float] = DEFAULT_PEAK,
) -> TransitProject:
    """A :class:`~equityplanner.model.project.TransitProject` built from routes of a feed.

    Parameters
    ----------
    feed
        The feed holding the (proposed) service.
    route_ids
        The route or routes that make up the project.
    date
        The service day whose headway and span are measured (a typical weekday).
    project_id
        Id of the project.
    name
        Its name; by default the routes' long names (or "Route <short name>"), joined.
    change
        The kind of change (new, improvement, reduction, removal).
    mode
        Overrides the mode taken from route_type (0, 1, 2 and other rail types give rail, 3 and
        other bus types bus). Pass ``"brt"`` for bus rapid transit, which GTFS cannot tell
        from a bus.
    baseline
        The feed of the current service: its peak headway for the same routes becomes
        ``baseline_peak_headway_min``.
    peak
        The peak window, seconds since midnight.

    Returns
    -------
    TransitProject
        Stations are the routes' stops (their parent stations where given) with stop_name and
        lon/lat, in the order of each route's longest trip, then any others; the alignment is
        each route's longest trip, from shapes.txt when the trip has a shape, else through
        its stops; peak headway and span come from :func:`route_service`.

    Raises
    ------
    InputError
        For unknown routes, routes that run no trip on ``date``, or a route type with no
        mode (ferries, aerial lifts...) when ``mode`` is not given.
    """
    ids = _route_list(feed, route_ids)
    day = _as_date(date)
    routes = feed.routes.set_index("route_id").loc[ids]
    if mode is None:
        modes = {_mode_of(int(t)) for t in routes["route_type"]}
        if None in modes or len(modes) != 1:
            types = ", ".join(str(int(t)) for t in pd.unique(routes["route_type"]))
            raise InputError(
                f"route_type(s) {types} of route(s) {', '.join(ids)} give no single mode",
                path=f"{feed.path}/routes.txt",
                location="route_type",
                remedy="Pass mode='rail', 'brt' or 'bus'",
            )
        chosen_mode = next(m for m in modes if m is not None)  # the only one: checked above
    else:
        chosen_mode = mode if isinstance(mode, Mode) else Mode.create(mode)
    chosen_change = change if isinstance(change, ServiceChange) else ServiceChange.create(change)
    service = route_service(feed, ids, day, peak)
    if service["daily_trips"] == 0:
        raise InputError(
            f"route(s) {', '.join(ids)} run no trips on {day.isoformat()} ({day:%A})",
            path=feed.path,
            location="date",
            remedy="Choose a day the service runs, e.g. a weekday within calendar.txt's dates",
        )
    baseline_headway = None
    if baseline is not None:
        before = route_service(baseline, ids, day, peak)
        baseline_headway = before["peak_headway_min"]
    if name is None:
        labels = [
            long or (f"Route {short}" if short else rid)
            for rid, short, long in zip(
                ids, routes["route_short_name"], routes["route_long_name"], strict=True
            )
        ]
        name = " + ".join(labels)
    longest = _longest_trips(feed, ids)
    return TransitProject(
        id=project_id,
        name=name,
        mode=chosen_mode,
        change=chosen_change,
        stations=_stations(feed, ids, longest),
        alignment=_alignment(feed, longest),
        peak_headway_min=service["peak_headway_min"],
        baseline_peak_headway_min=baseline_headway,
        span_hours=service["span_hours"],
    )
