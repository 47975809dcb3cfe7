"""Read opportunity locations: schools, clinics, parks, jobs and the like.

Two readers, one result type (:class:`OpportunityLayer`: points with a capacity):

* :func:`read_points` reads facility points from GeoJSON, a GeoPackage (or any vector format
  pyogrio reads) or a CSV with longitude/latitude columns. Areas (parks, campuses) become their
  centroids, with a warning. A capacity column (school seats, physicians, square metres of
  park) is optional; without one every location counts once.
* :func:`read_lodes_wac` reads a LEHD LODES *workplace area characteristics* file (jobs by
  2020 census block) and places the jobs at block points, or sums them to the neighbourhoods
  (tracts or block groups) whose GEOID prefixes the block code and places them at the
  neighbourhood centroids.

Every fault a user can cause is an :class:`~equityplanner.errors.InputError` naming the file,
the row or feature, the field and the remedy; workarounds (centroids, padded codes, unmatched
blocks) are recorded in :attr:`OpportunityLayer.warnings`.

LODES reference: LEHD Origin-Destination Employment Statistics (LODES) Technical
Documentation, version 8 (U.S. Census Bureau, Center for Economic Studies): ``w_geocode`` is
the 15-digit 2020 census block code (state 2 + county 3 + tract 6 + block 4), ``C000`` the total
number of jobs, ``CE01`` / ``CE02`` / ``CE03`` the jobs with earnings of $1,250/month or less,
$1,251 to $3,333/month, and more than $3,333/month.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from equityplanner.errors import InputError
from equityplanner.io.files import regular_file
from equityplanner.io.hashing import sha256_file
from equityplanner.io.neighbourhoods import Neighbourhoods
from equityplanner.io.sources import GIS_READ_ERRORS, POINT_FORMATS

__all__ = [
    "LODES_EARNINGS_BANDS",
    "OpportunityKind",
    "OpportunityLayer",
    "read_lodes_wac",
    "read_points",
]

LODES_EARNINGS_BANDS: dict[str, str] = {
    "CE01": "earnings $1,250/month or less",
    "CE02": "earnings $1,251 to $3,333/month",
    "CE03": "earnings more than $3,333/month",
}
"""The LODES earnings-band columns and what they count."""


class OpportunityKind(StrEnum):
    """What the opportunities are."""

    SCHOOL = "school"
    CHILDCARE = "childcare"
    CLINIC = "clinic"
    HOSPITAL = "hospital"
    GROCERY = "grocery"
    PARK = "park"
    JOBS = "jobs"

    @classmethod
    def create(cls, value: object) -> OpportunityKind:
        """Parse case-insensitively (plurals such as ``"schools"``, ``"groceries"`` too).

        Raises
        ------
        InputError
            Listing the valid kinds.
        """
        text = str(value).strip().lower().replace(" ", "").replace("-", "").replace("_", "")
        if text.endswith("ies"):
            text = text[:-3] + "y"
        for member in cls:
            if text in (member.value, member.value + "s", member.value + "es"):
                return member
        raise InputError(
            f"{value!r} is not a kind of opportunity",
            location="kind",
            remedy="Use one of: " + ", ".join(member.value for member in cls),
        )


# Capacity columns looked for, per kind, when none is named (case-insensitive, in order).
_CAPACITY_COLUMNS: dict[OpportunityKind, tuple[str, ...]] = {
    OpportunityKind.SCHOOL: ("capacity", "seats", "enrollment", "enrolment"),
    OpportunityKind.CHILDCARE: ("capacity", "seats", "slots", "licensed_capacity"),
    OpportunityKind.CLINIC: ("physicians", "doctors", "capacity", "fte"),
    OpportunityKind.HOSPITAL: ("physicians", "doctors", "beds", "capacity"),
    OpportunityKind.GROCERY: ("area_m2", "sales_area_m2", "square_metres", "sqm", "capacity"),
    OpportunityKind.PARK: ("area_m2", "square_metres", "sqm", "capacity"),
    OpportunityKind.JOBS: ("jobs", "c000", "employment", "capacity"),
}
_LON_COLUMNS = ("longitude", "lon", "lng", "long", "x", "intptlon", "intptlon20")
_LAT_COLUMNS = ("latitude", "lat", "y", "intptlat", "intptlat20")
_ID_COLUMNS = ("id", "site_id", "facility_id", "geoid", "objectid", "fid")
_NAME_COLUMNS = ("name", "facility_name", "site_name", "school_name")
_BLOCK_ID_COLUMNS = ("geoid20", "geoid", "geoid10", "blockid", "block_id", "geocode")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".txt")
_BLOCK_DIGITS = 15
_TRACT_DIGITS = 11
_BLOCK_GROUP_DIGITS = 12
_EXAMPLES = 5
_WGS84 = pyproj.CRS.from_epsg(4326)


@dataclass
class OpportunityLayer:
    """Opportunity locations with their capacity.

    Attributes
    ----------
    kind
        What the opportunities are.
    frame
        One row per location (RangeIndex): ``id`` and ``name`` (str), ``capacity``
        (float64, >= 0), for jobs also ``C000`` and, when the file has them, ``CE01``,
        ``CE02``, ``CE03`` and ``located_at`` (``block``, ``tract centroid`` or ``block group
        centroid``); the point geometry in ``crs``.
    crs
        CRS of the geometries.
    capacity_field
        The column the capacity came from, or None when every location counts once.
    sources
        ``(role, path, sha256)`` of every file read.
    warnings
        Problems that were worked around, one sentence each.
    unmatched_ids
        Codes (LODES blocks) that could not be placed and are left out.
    unmatched_capacity
        Their total capacity (jobs left out).
    """

    kind: OpportunityKind
    frame: gpd.GeoDataFrame
    crs: pyproj.CRS
    capacity_field: str | None
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmatched_ids: tuple[str, ...] = ()
    unmatched_capacity: float = 0.0

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def capacity(self) -> np.ndarray:
        """Capacity per location (float64; 1.0 each when the file gave none)."""
        return np.asarray(self.frame["capacity"].to_numpy(np.float64), dtype=np.float64)

    @property
    def total_capacity(self) -> float:
        """Sum of the capacities."""
        return float(self.capacity.sum())


# --- read_points -----------------------------------------------------------------------------


def read_points(
    path: str | os.PathLike[str],
    *,
    kind: str | OpportunityKind,
    capacity_column: str | None = None,
    lon_column: str | None = None,
    lat_column: str | None = None,
    crs: Any = None,
    layer: str | None = None,
) -> OpportunityLayer:
    """Read opportunity locations (facilities) with an optional capacity.

    Parameters
    ----------
    path
        GeoJSON (``.geojson`` / ``.json``), GeoPackage (``.gpkg``), FlatGeobuf, Shapefile, or a
        CSV (``.csv``, ``.csv.gz``) with longitude and latitude columns.
    kind
        ``school``, ``childcare``, ``clinic``, ``hospital``, ``grocery``, ``park`` or ``jobs``.
    capacity_column
        Column with the capacity (seats, physicians, square metres...). When None, the first
        column found among the kind's usual names is used (``capacity``, ``seats`` for
        schools; ``physicians``, ``doctors`` for clinics; ``area_m2`` for parks; ...); when
        there is none, every location counts once (``capacity_field`` is None).
    lon_column, lat_column
        CSV coordinate columns; by default the first of ``longitude``, ``lon``, ``lng``,
        ``long``, ``x`` (and ``latitude``, ``lat``, ``y``), in any letter case.
    crs
        CRS of the coordinates: for a CSV, default longitude/latitude (EPSG:4326); for a GIS
        file without a CRS, required. A GIS file's own CRS always wins.
    layer
        Layer of a multi-layer GeoPackage.

    Returns
    -------
    OpportunityLayer

    Raises
    ------
    InputError
        For a missing or unreadable file, an unknown kind, missing coordinate or capacity
        columns, coordinates that are not numbers or out of range, a negative or non-numeric
        capacity, and geometries that are missing or are lines.
    """
    kind = OpportunityKind.create(kind)
    file = _existing(path)
    warnings: list[str] = []
    name = file.name.lower()
    if name.endswith(_CSV_SUFFIXES):
        table, rows = _read_csv(file)
        geometry, source_crs = _csv_points(table, rows, lon_column, lat_column, crs)
        attributes = table
    elif file.suffix.lower() in POINT_FORMATS:
        frame = _read_gis(file, layer)
        rows = _Rows(file, "feature", 0)
        source_crs = _gis_crs(frame, file, crs, warnings)
        geometry = _point_geometry(frame, rows, source_crs, warnings)
        attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    else:
        raise InputError(
            f"is not a supported format ({file.suffix or 'no extension'})",
            path=file,
            remedy="Use GeoJSON (.geojson), a GeoPackage (.gpkg) or a CSV (.csv) with "
            "longitude and latitude columns",
        )
    if len(attributes) == 0:
        raise InputError("has no locations", path=file, remedy="Export the file again")
    attributes = attributes.reset_index(drop=True)
    column = _capacity_column(attributes.columns, kind, capacity_column, file)
    if column is None:
        capacity = np.ones(len(attributes), dtype=np.float64)
    else:
        capacity = _non_negative(attributes[column], column, rows, "capacity")
    ids = _text_column(attributes, _ID_COLUMNS)
    if ids is None:
        ids = pd.Series(np.arange(1, len(attributes) + 1).astype(str), dtype=object)
    names = _text_column(attributes, _NAME_COLUMNS)
    if names is None:
        names = ids
    frame = gpd.GeoDataFrame(
        {
            "id": ids.to_numpy(object),
            "name": names.to_numpy(object),
            "capacity": capacity,
        },
        geometry=gpd.GeoSeries(geometry, crs=source_crs),
    )
    return OpportunityLayer(
        kind=kind,
        frame=frame,
        crs=source_crs,
        capacity_field=column,
        sources=[(kind.value, str(file), sha256_file(file))],
        warnings=warnings,
    )


# --- read_lodes_wac --------------------------------------------------------------------------


def _read_wac(file: Path, warnings: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(15-digit block codes, jobs by column: C000 and, when all present, CE01-CE03)."""
    table, rows = _read_csv(file)
    columns = {str(c).strip().lower(): c for c in table.columns}
    for required in ("w_geocode", "c000"):
        if required not in columns:
            raise InputError(
                f"has no {required if required == 'w_geocode' else 'C000'} column",
                path=file,
                remedy="Use a LODES workplace area characteristics (WAC) file, whose columns "
                "start w_geocode, C000, CA01, ...",
            )
    codes = _block_codes(table[columns["w_geocode"]], rows, warnings)
    jobs = {"C000": _non_negative(table[columns["c000"]], "C000", rows, "job count")}
    bands = [band for band in LODES_EARNINGS_BANDS if band.lower() in columns]
    if len(bands) == len(LODES_EARNINGS_BANDS):
        for band in bands:
            jobs[band] = _non_negative(table[columns[band.lower()]], band, rows, "job count")
        parts = sum(jobs[band] for band in bands)
        off = np.flatnonzero(np.abs(parts - jobs["C000"]) > 1e-9)
        if off.size:
            warnings.append(
                f"{file}: CE01 + CE02 + CE03 differs from C000 at {off.size} rows "
                f"({rows.examples(off)}); the earnings bands are kept as read."
            )
    duplicated = np.flatnonzero(pd.Series(codes).duplicated(keep=False).to_numpy())
    if duplicated.size:
        raise InputError(
            f"repeats block codes ({rows.examples(duplicated)}), field w_geocode",
            path=file,
            location=rows.at(int(duplicated[0])),
            remedy="Use one WAC file per state, year and job type (JT00 = all jobs)",
        )
    return codes, jobs


def _unmatched_warning(
    file: Path, unmatched_ids: tuple[str, ...], unmatched_jobs: float, total: float, how: str
) -> str:
    """The warning about the blocks placed neither on block points nor on neighbourhoods."""
    count = len(unmatched_ids)
    share = unmatched_jobs / total if total > 0 else 0.0
    return (
        f"{file}: {count} blocks with {unmatched_jobs:,.0f} jobs "
        f"({share:.1%} of all jobs) are not in the {how} and are left out: "
        + ", ".join(unmatched_ids[:_EXAMPLES])
        + (f" and {count - _EXAMPLES} more" if count > _EXAMPLES else "")
        + "."
    )


def read_lodes_wac(
    path: str | os.PathLike[str],
    *,
    blocks: str | os.PathLike[str] | gpd.GeoDataFrame | None = None,
    neighbourhoods: Neighbourhoods | gpd.GeoDataFrame | None = None,
) -> OpportunityLayer:
    """Read a LODES workplace-area-characteristics file and place its jobs.

    Parameters
    ----------
    path
        A WAC CSV (``*_wac_S000_JT00_2021.csv`` or ``.csv.gz``) with ``w_geocode`` (15-digit
        block code) and ``C000`` (total jobs); ``CE01``, ``CE02``, ``CE03`` (jobs by earnings
        band) are kept when present. Other columns are ignored.
    blocks
        Block points: a file (GeoJSON, GeoPackage...) or a GeoDataFrame with a ``GEOID20``
        (or ``GEOID``, ``GEOID10``) column. Polygons are reduced to their internal points
        (``INTPTLON20`` / ``INTPTLAT20`` when present, else centroids, with a warning).
    neighbourhoods
        Tracts (11-digit GEOIDs) or block groups (12-digit) as read by
        :func:`~equityplanner.io.neighbourhoods.read_neighbourhoods` (or a GeoDataFrame with
        an ``id`` or ``GEOID`` column). Jobs of blocks not found in ``blocks`` are summed by
        the GEOID prefix of their block code (block to tract: first 11 digits; to block
        group: first 12) and placed at the neighbourhood's centroid.

    Returns
    -------
    OpportunityLayer
        Kind ``jobs``; ``capacity`` is ``C000``. Blocks that could be placed neither way are
        left out, listed in ``unmatched_ids`` (their jobs in ``unmatched_capacity``) and
        reported in ``warnings``.

    Raises
    ------
    InputError
        When neither ``blocks`` nor ``neighbourhoods`` is given, for missing columns, block
        codes that are not 15 digits, job counts that are negative or not numbers, repeated
        block codes, and neighbourhood ids that are not tract or block-group GEOIDs.
    """
    if blocks is None and neighbourhoods is None:
        raise InputError(
            "jobs need locations",
            path=Path(path),
            remedy="Give block points (blocks=...) or the neighbourhood layer "
            "(neighbourhoods=...) to place the jobs",
        )
    file = _existing(path)
    warnings: list[str] = []
    codes, jobs = _read_wac(file, warnings)
    sources = [("jobs", str(file), sha256_file(file))]
    placements: list[_Placement] = []
    remaining = np.arange(len(codes))
    target_crs: pyproj.CRS | None = None

    if blocks is not None:
        block_ids, block_points, block_crs, source = _block_points(blocks, warnings)
        if source is not None:
            sources.append(("blocks", str(source), sha256_file(source)))
        target_crs = block_crs
        position = pd.Index(block_ids).get_indexer(codes[remaining])
        found = position >= 0
        placements.append(
            _Placement(
                rows=remaining[found],
                group=np.arange(int(found.sum())),
                ids=codes[remaining[found]],
                geometry=block_points[position[found]],
                located_at="block",
            )
        )
        remaining = remaining[~found]

    if neighbourhoods is not None and (remaining.size or target_crs is None):
        hood_ids, centroids, hood_crs, digits = _neighbourhood_centroids(neighbourhoods)
        if target_crs is None:
            target_crs = hood_crs
        else:
            centroids = _transform(centroids, hood_crs, target_crs)
        prefixes = np.array([code[:digits] for code in codes[remaining]], dtype=object)
        position = pd.Index(hood_ids).get_indexer(prefixes)
        found = position >= 0
        groups, inverse = np.unique(position[found], return_inverse=True)
        placements.append(
            _Placement(
                rows=remaining[found],
                group=inverse,
                ids=hood_ids[groups],
                geometry=centroids[groups],
                located_at="tract centroid" if digits == _TRACT_DIGITS else "block group centroid",
            )
        )
        remaining = remaining[~found]
    if target_crs is None:
        raise AssertionError("unreachable: blocks or neighbourhoods are given")
    frame = _jobs_frame(placements, jobs, target_crs)
    unmatched_ids = tuple(str(c) for c in codes[remaining])
    unmatched_jobs = float(jobs["C000"][remaining].sum())
    if remaining.size:
        how = " or ".join(
            what
            for what, given in (("block points", blocks), ("neighbourhoods", neighbourhoods))
            if given is not None
        )
        total = float(jobs["C000"].sum())
        warnings.append(_unmatched_warning(file, unmatched_ids, unmatched_jobs, total, how))
    return OpportunityLayer(
        kind=OpportunityKind.JOBS,
        frame=frame,
        crs=target_crs,
        capacity_field="C000",
        sources=sources,
        warnings=warnings,
        unmatched_ids=unmatched_ids,
        unmatched_capacity=unmatched_jobs,
    )


@dataclass(frozen=True)
class _Placement:
    """WAC rows placed one way: ``rows`` of the file go to location ``group`` of ``ids``."""

    rows: np.ndarray
    group: np.ndarray
    ids: np.ndarray
    geometry: np.ndarray
    located_at: str


def _jobs_frame(
    placements: list[_Placement], jobs: dict[str, np.ndarray], crs: pyproj.CRS
) -> gpd.GeoDataFrame:
    """One row per block, or per neighbourhood with its blocks' jobs summed."""
    pieces: list[pd.DataFrame] = []
    for placed in placements:
        data = {
            column: np.bincount(
                placed.group, weights=values[placed.rows], minlength=len(placed.ids)
            )
            for column, values in jobs.items()
        }
        piece = pd.DataFrame(
            {
                "id": pd.Series(placed.ids, dtype=object),
                "name": pd.Series(placed.ids, dtype=object),
                "capacity": data["C000"],
                **data,
                "located_at": placed.located_at,
            }
        )
        piece["geometry"] = pd.Series(placed.geometry, dtype=object)
        pieces.append(piece)
    table = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
    if table.empty:
        table = pd.DataFrame(
            {
                "id": pd.Series([], dtype=object),
                "name": pd.Series([], dtype=object),
                "capacity": pd.Series([], dtype=np.float64),
                **{c: pd.Series([], dtype=np.float64) for c in jobs},
                "located_at": pd.Series([], dtype=object),
                "geometry": pd.Series([], dtype=object),
            }
        )
    return gpd.GeoDataFrame(
        table.drop(columns="geometry"),
        geometry=gpd.GeoSeries(table["geometry"].to_numpy(object), crs=crs),
    )


def _block_codes(values: pd.Series, rows: _Rows, warnings: list[str]) -> np.ndarray:
    text = values.astype("string").str.strip().fillna("")
    text = text.str.replace(r"\.0$", "", regex=True)  # 1073000100001001.0 from a spreadsheet
    digits = text.str.fullmatch(r"\d+").fillna(False).to_numpy(bool)
    length = text.str.len().to_numpy()
    short = digits & (length == _BLOCK_DIGITS - 1)
    if short.any():
        text = text.mask(pd.Series(short, index=text.index), "0" + text)
        warnings.append(
            f"{rows.path}: {int(short.sum())} block codes had 14 digits (a leading zero lost, "
            "as spreadsheets do) and were padded to 15."
        )
        length = text.str.len().to_numpy()
    bad = np.flatnonzero(~digits | (length != _BLOCK_DIGITS))
    if bad.size:
        shown = text.iloc[bad[0]]
        raise InputError(
            f"w_geocode {shown!r} is not a 15-digit census block code"
            + (
                f" (and {bad.size - 1} more rows: {rows.examples(bad[1:])})" if bad.size > 1 else ""
            ),
            path=rows.path,
            location=f"{rows.at(int(bad[0]))}, field w_geocode",
            remedy="Keep the block codes as text with their leading zeros "
            "(state 2 + county 3 + tract 6 + block 4 digits)",
        )
    return np.asarray(text.to_numpy(object), dtype=object)


def _block_points(
    blocks: str | os.PathLike[str] | gpd.GeoDataFrame, warnings: list[str]
) -> tuple[np.ndarray, np.ndarray, pyproj.CRS, Path | None]:
    """Block codes, their points and CRS (and the file read, if any)."""
    source: Path | None = None
    if isinstance(blocks, gpd.GeoDataFrame):
        frame = blocks.reset_index(drop=True)
        where: Path | str = "the block points"
        rows = _Rows(Path("block points"), "feature", 0)
        if frame.crs is None:
            raise InputError(
                "the block points have no coordinate reference system",
                location="blocks",
                remedy="Set one, e.g. frame.set_crs('EPSG:4269')",
            )
        block_crs = pyproj.CRS.from_user_input(frame.crs)
    else:
        source = _existing(blocks)
        if source.suffix.lower() not in POINT_FORMATS:
            raise InputError(
                f"is not a supported format for block points ({source.suffix or 'no extension'})",
                path=source,
                remedy="Use GeoJSON (.geojson) or a GeoPackage (.gpkg) of block points or "
                "TIGER/Line tabulation blocks",
            )
        frame = _read_gis(source, None)
        where = source
        rows = _Rows(source, "feature", 0)
        block_crs = _gis_crs(frame, source, None, warnings)
    lower = {str(c).lower(): c for c in frame.columns}
    column = next((lower[c] for c in _BLOCK_ID_COLUMNS if c in lower), None)
    if column is None:
        raise InputError(
            "has no block code column",
            path=where if isinstance(where, Path) else None,
            location=None if isinstance(where, Path) else "blocks",
            remedy="Name it GEOID20 (2020 blocks, as LODES 8 uses) or GEOID",
        )
    codes = frame[column].astype("string").str.strip().fillna("").to_numpy(object)
    lon = next((lower[c] for c in ("intptlon20", "intptlon") if c in lower), None)
    lat = next((lower[c] for c in ("intptlat20", "intptlat") if c in lower), None)
    polygonal = np.isin(shapely.get_type_id(frame.geometry.to_numpy()), (3, 6))
    if lon is not None and lat is not None and np.any(polygonal):
        # TIGER/Line tabulation blocks carry an internal point: better than a centroid.
        x = pd.to_numeric(frame[lon], errors="coerce").to_numpy(np.float64)
        y = pd.to_numeric(frame[lat], errors="coerce").to_numpy(np.float64)
        points = _transform(shapely.points(x, y), pyproj.CRS.from_epsg(4269), block_crs)
        bad = ~np.isfinite(x) | ~np.isfinite(y)
        if bad.any():
            points[bad] = _point_geometry(
                frame.iloc[np.flatnonzero(bad)], rows, block_crs, warnings
            )
    else:
        points = _point_geometry(frame, rows, block_crs, warnings)
    duplicated = pd.Series(codes).duplicated().to_numpy()
    if duplicated.any():
        warnings.append(
            f"{where}: {int(duplicated.sum())} block codes appear more than once; the first "
            "point of each is used."
        )
        codes, points = codes[~duplicated], points[~duplicated]
    return codes, points, block_crs, source


def _neighbourhood_centroids(
    neighbourhoods: Neighbourhoods | gpd.GeoDataFrame,
) -> tuple[np.ndarray, np.ndarray, pyproj.CRS, int]:
    """Ids, centroids (in the layer's CRS), the CRS and the GEOID length of a layer."""
    if isinstance(neighbourhoods, Neighbourhoods):
        frame = neighbourhoods.frame
        ids = frame["id"].astype("string")
    else:
        frame = neighbourhoods.reset_index(drop=True)
        lower = {str(c).lower(): c for c in frame.columns}
        column = next((lower[c] for c in ("id", "geoid", "geoid20", "geoid10") if c in lower), None)
        if column is None:
            raise InputError(
                "the neighbourhood layer has no id column",
                location="neighbourhoods",
                remedy="Give it an id or GEOID column of tract or block-group GEOIDs",
            )
        ids = frame[column].astype("string")
    if frame.crs is None:
        raise InputError(
            "the neighbourhood layer has no coordinate reference system",
            location="neighbourhoods",
            remedy="Read it with read_neighbourhoods, or set its CRS",
        )
    ids = ids.str.strip().fillna("")
    lengths = set(ids.str.len().tolist())
    is_digits = bool(ids.str.fullmatch(r"\d+").fillna(False).all())
    if (
        not is_digits
        or len(lengths) != 1
        or lengths.pop() not in (_TRACT_DIGITS, _BLOCK_GROUP_DIGITS)
    ):
        example = ids[~ids.str.fullmatch(r"\d{11}|\d{12}").fillna(False)]
        shown = example.iloc[0] if len(example) else ids.iloc[0]
        raise InputError(
            f"neighbourhood ids such as {shown!r} are not all tract (11-digit) or all "
            "block-group (12-digit) GEOIDs, so jobs cannot be summed by block code",
            location="neighbourhoods",
            remedy="Use census tracts or block groups, or give block points (blocks=...)",
        )
    digits = int(ids.str.len().iloc[0])
    crs = pyproj.CRS.from_user_input(frame.crs)
    return ids.to_numpy(object), _centroids(frame.geometry.to_numpy(), crs), crs, digits


# --- files, rows and values ------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Names rows of a file: ``feature 3`` or ``row 3 (line 4)`` (0-based position in)."""

    path: Path
    kind: str  # "feature" or "row"
    header_lines: int

    def at(self, position: int) -> str:
        number = position + 1
        if self.kind == "feature":
            return f"feature {number}"
        return f"row {number} (line {number + self.header_lines})"

    def examples(self, positions: np.ndarray) -> str:
        shown = ", ".join(self.at(int(p)) for p in positions[:_EXAMPLES])
        more = len(positions) - _EXAMPLES
        return shown + (f" and {more} more" if more > 0 else "")


def _existing(path: str | os.PathLike[str]) -> Path:
    return regular_file(path, "file")


def _read_csv(path: Path) -> tuple[pd.DataFrame, _Rows]:
    """Every cell as text, so that codes keep their leading zeros."""
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False}
    try:
        try:
            table = pd.read_csv(path, encoding="utf-8-sig", **options)
        except UnicodeDecodeError:
            table = pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **options)
    except pd.errors.EmptyDataError as exc:
        raise InputError("is empty", path=path, remedy="Export the table again") from exc
    except (pd.errors.ParserError, OSError, ValueError, EOFError) as exc:
        raise InputError(
            f"cannot be read as a CSV file ({exc})",
            path=path,
            remedy="Check that the file is comma-separated text, e.g. by opening it in a "
            "spreadsheet",
        ) from exc
    table.columns = [str(column).strip() for column in table.columns]
    if table.empty:
        raise InputError("has no data rows", path=path, remedy="Export the table again")
    return table, _Rows(path, "row", 1)


def _read_gis(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    known = POINT_FORMATS.get(path.suffix.lower())
    kind = known.description if known is not None else "a GIS file"
    try:
        return gpd.read_file(path, engine="pyogrio", layer=layer)
    except GIS_READ_ERRORS as exc:
        raise InputError(
            f"cannot be read as {kind} ({exc})",
            path=path,
            remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
        ) from exc


def _gis_crs(frame: gpd.GeoDataFrame, path: Path, crs: Any, warnings: list[str]) -> pyproj.CRS:
    given = _user_crs(crs)
    if frame.crs is None:
        if given is None:
            raise InputError(
                "has no coordinate reference system",
                path=path,
                remedy="Name one with the crs option, e.g. EPSG:4326",
            )
        return given
    own = pyproj.CRS.from_user_input(frame.crs)
    if given is not None and not own.equals(given, ignore_axis_order=True):
        warnings.append(f"{path}: the file's own CRS ({own.name}) is used, not {given.name}.")
    return own


def _user_crs(crs: Any) -> pyproj.CRS | None:
    if crs is None:
        return None
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(
            f"{crs!r} is not a coordinate reference system",
            location="crs option",
            remedy="Give an EPSG code, e.g. EPSG:4326 for longitude/latitude",
        ) from exc


def _find_column(
    columns: Sequence[str], wanted: str | None, candidates: tuple[str, ...]
) -> str | None:
    lower = {str(c).strip().lower(): str(c) for c in columns}
    if wanted is not None:
        return lower.get(wanted.strip().lower())
    return next((lower[c] for c in candidates if c in lower), None)


def _csv_points(
    table: pd.DataFrame,
    rows: _Rows,
    lon_column: str | None,
    lat_column: str | None,
    crs: Any,
) -> tuple[np.ndarray, pyproj.CRS]:
    found = []
    for wanted, candidates, role in (
        (lon_column, _LON_COLUMNS, "longitude"),
        (lat_column, _LAT_COLUMNS, "latitude"),
    ):
        column = _find_column(table.columns, wanted, candidates)
        if column is None:
            looked = repr(wanted) if wanted is not None else ", ".join(candidates)
            raise InputError(
                f"has no {role} column (looked for {looked})",
                path=rows.path,
                remedy=f"Name the {role} column with the {'lon' if role == 'longitude' else 'lat'}"
                f"_column option; columns are: {', '.join(map(str, table.columns))}",
            )
        found.append(column)
    lon_name, lat_name = found
    source_crs = _user_crs(crs) or _WGS84
    lon = _numbers(table[lon_name], lon_name, rows, "coordinate")
    lat = _numbers(table[lat_name], lat_name, rows, "coordinate")
    if source_crs.is_geographic:
        _check_range(lon, -180.0, 180.0, lon_name, rows, lat, "longitude")
        _check_range(lat, -90.0, 90.0, lat_name, rows, lon, "latitude")
    return shapely.points(lon, lat), source_crs


def _check_range(
    values: np.ndarray,
    low: float,
    high: float,
    column: str,
    rows: _Rows,
    other: np.ndarray,
    role: str,
) -> None:
    bad = np.flatnonzero((values < low) | (values > high))
    if not bad.size:
        return
    swapped = role == "latitude" and bool(
        np.all(np.abs(other) <= 90) and np.all(np.abs(values) <= 180)
    )
    remedy = (
        "The longitude and latitude columns look swapped; name them with lon_column and lat_column"
        if swapped
        else "Fix the coordinates, or give the crs option if they are projected (e.g. "
        "EPSG:26916 for metres in UTM zone 16N)"
    )
    raise InputError(
        f"{role} {values[bad[0]]:g} is out of range ({low:g} to {high:g})"
        + (f"; also at {rows.examples(bad[1:])}" if bad.size > 1 else ""),
        path=rows.path,
        location=f"{rows.at(int(bad[0]))}, field {column!r}",
        remedy=remedy,
    )


def _numbers(values: pd.Series, column: str, rows: _Rows, what: str) -> np.ndarray:
    """Parse numbers (text with thousands separators allowed); blanks and words are errors."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(np.float64, na_value=np.nan)
        text = pd.Series(np.where(np.isnan(numbers), "", "0"), dtype=object)
    else:
        text = values.astype("string").str.strip().fillna("")
        numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy(
            np.float64, na_value=np.nan
        )
    bad = np.flatnonzero(~np.isfinite(numbers))
    if bad.size:
        shown = str(text.iloc[bad[0]])
        fault = f"the {what} is empty" if shown == "" else f"the {what} {shown!r} is not a number"
        raise InputError(
            fault + (f"; also at {rows.examples(bad[1:])}" if bad.size > 1 else ""),
            path=rows.path,
            location=f"{rows.at(int(bad[0]))}, field {column!r}",
            remedy=f"Enter a number in every row of {column!r}, or remove the rows",
        )
    return np.asarray(numbers, dtype=np.float64)


def _non_negative(values: pd.Series, column: str, rows: _Rows, what: str) -> np.ndarray:
    numbers = _numbers(values, column, rows, what)
    bad = np.flatnonzero(numbers < 0)
    if bad.size:
        raise InputError(
            f"the {what} {numbers[bad[0]]:g} is negative"
            + (f"; also at {rows.examples(bad[1:])}" if bad.size > 1 else ""),
            path=rows.path,
            location=f"{rows.at(int(bad[0]))}, field {column!r}",
            remedy=f"A {what} is zero or more",
        )
    return numbers


def _capacity_column(
    columns: pd.Index, kind: OpportunityKind, wanted: str | None, path: Path
) -> str | None:
    column = _find_column(list(columns), wanted, _CAPACITY_COLUMNS[kind])
    if wanted is not None and column is None:
        raise InputError(
            f"has no capacity column {wanted!r}",
            path=path,
            remedy="Choose one of: " + ", ".join(map(str, columns)),
        )
    return column


def _text_column(frame: pd.DataFrame, candidates: tuple[str, ...]) -> pd.Series | None:
    column = _find_column(list(frame.columns), None, candidates)
    if column is None:
        return None
    values = frame[column]
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(np.float64, na_value=np.nan)
        if np.all(np.isnan(numbers) | (numbers == np.round(numbers))):
            values = values.astype("Int64")
    text = values.astype("string").str.strip().fillna("")
    return pd.Series(text.to_numpy(object), dtype=object)


def _point_geometry(
    frame: gpd.GeoDataFrame, rows: _Rows, crs: pyproj.CRS, warnings: list[str]
) -> np.ndarray:
    """Points of a layer: areas become centroids (with a warning); lines are errors."""
    geometry = np.asarray(frame.geometry.to_numpy(), dtype=object)
    if len(geometry) == 0:
        return geometry
    missing = np.flatnonzero(shapely.is_missing(geometry) | shapely.is_empty(geometry))
    if missing.size:
        raise InputError(
            "has no geometry" + (f"; nor {rows.examples(missing[1:])}" if missing.size > 1 else ""),
            path=rows.path,
            location=rows.at(int(missing[0])),
            remedy="Give every location a point, or remove the rows",
        )
    types = shapely.get_type_id(geometry)
    lines = np.flatnonzero(np.isin(types, (1, 2, 5)))
    if lines.size:
        raise InputError(
            "is a line; opportunities are points (or areas, taken at their centroid)"
            + (f"; also {rows.examples(lines[1:])}" if lines.size > 1 else ""),
            path=rows.path,
            location=rows.at(int(lines[0])),
            remedy="Use the facility's point or its area",
        )
    other = np.flatnonzero(~np.isin(types, (0, 3, 4, 6)))
    if other.size:
        raise InputError(
            f"is a {geometry[other[0]].geom_type}, not a point or an area",
            path=rows.path,
            location=rows.at(int(other[0])),
            remedy="Use points (or polygons)",
        )
    single = shapely.get_num_geometries(geometry) == 1
    needs_centroid = np.flatnonzero((types != 0) & ~((types == 4) & single))
    points = geometry.copy()
    multipoint = np.flatnonzero((types == 4) & single)
    if multipoint.size:
        points[multipoint] = shapely.get_geometry(geometry[multipoint], 0)
    if needs_centroid.size:
        points[needs_centroid] = _centroids(geometry[needs_centroid], crs)
        warnings.append(
            f"{rows.path}: {needs_centroid.size} areas or multi-points "
            f"({rows.examples(needs_centroid)}) were replaced by their centroids."
        )
    xy = shapely.get_coordinates(points)
    bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
    if bad.size:
        raise InputError(
            "has coordinates that are not numbers",
            path=rows.path,
            location=rows.at(int(bad[0])),
            remedy="Fix or remove the feature",
        )
    if crs.is_geographic:
        lon, lat = xy[:, 0], xy[:, 1]
        for values, low, high, role in (
            (lon, -180.0, 180.0, "longitude"),
            (lat, -90.0, 90.0, "latitude"),
        ):
            out = np.flatnonzero((values < low) | (values > high))
            if out.size:
                raise InputError(
                    f"{role} {values[out[0]]:g} is out of range ({low:g} to {high:g}) although "
                    f"the file says {crs.name}",
                    path=rows.path,
                    location=rows.at(int(out[0])),
                    remedy="Name the real CRS with the crs option, or fix the coordinates",
                )
    return points


def _centroids(geometry: np.ndarray, crs: pyproj.CRS) -> np.ndarray:
    """Centroids computed in metres (the local UTM zone) when ``crs`` is geographic."""
    if not crs.is_geographic or len(geometry) == 0:
        return np.asarray(shapely.centroid(geometry), dtype=object)
    series = gpd.GeoSeries(geometry, crs=crs)
    utm = series.estimate_utm_crs()
    return np.asarray(series.to_crs(utm).centroid.to_crs(crs).to_numpy(), dtype=object)


def _transform(points: np.ndarray, source: pyproj.CRS, target: pyproj.CRS) -> np.ndarray:
    if source.equals(target):
        return points
    return np.asarray(gpd.GeoSeries(points, crs=source).to_crs(target).to_numpy(), dtype=object)
