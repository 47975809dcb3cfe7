"""Read a weights layer: where people live inside neighbourhoods, as points with a count.

A weights layer refines how a neighbourhood's counts are shared out to a catchment (population-
weighted instead of area-weighted apportionment, :mod:`equityplanner.analysis.weights`). It is
one of:

* **Census blocks** with their 2020 Decennial (PL 94-171) population: a TIGER/Line
  tabulation-block file (``tl_2020_<state>_tabblock20.zip``, which carries ``POP20`` and the
  internal point ``INTPTLAT20`` / ``INTPTLON20``), or block polygons or points joined on the
  block GEOID to the table downloaded from data.census.gov (``GEO_ID`` and ``P1_001N``) or the
  Census API (``P0010001``, the 2010 name).
* **Any point layer with a count**: address points, parcels with dwelling units, building
  footprints with a population estimate. Areas are taken at a point inside them
  (:func:`shapely.point_on_surface`).
* A CSV or Excel table of points with longitude/latitude columns and a count column.

Formats are those of :mod:`equityplanner.io.sources` (GeoPackage, Shapefile or a .zip holding
one, GeoJSON, FlatGeobuf; CSV and Excel tables). Population rasters (GHSL, WorldPop) are not
read: convert them to points first (QGIS "Raster pixels to points"), see
``docs/project_file.md``.

:func:`peek_weights` gives the import wizard a preview (columns, first rows, the guessed count
and id columns); :func:`read_weights` reads the whole layer into :class:`WeightPoints`, a few
numpy arrays, so that a state's 500,000 blocks or millions of address points stay light.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely

from equityplanner.errors import InputError
from equityplanner.io.hashing import sha256_file
from equityplanner.io.sources import (
    GIS_READ_ERRORS,
    POLYGON_FORMATS,
    PREVIEW_ROWS,
    TABLE_FORMATS,
    choose_layer,
    parse_crs,
    polygon_format,
    polygon_source,
    read_table,
)

__all__ = [
    "COUNT_COLUMNS",
    "ID_COLUMNS",
    "WeightPoints",
    "WeightsPreview",
    "peek_weights",
    "read_weights",
]

COUNT_COLUMNS: tuple[str, ...] = (
    "P1_001N",  # 2020 PL 94-171 total population (data.census.gov)
    "P0010001",  # the same in the 2010 files and the Census API
    "POP20",  # TIGER/Line 2020 tabulation blocks
    "POP100",
    "POP10",
    "population",
    "pop",
    "total_population",
    "persons",
    "people",
    "count",
    "dwelling_units",
    "housing_units",
    "units",
    "HOUSING20",
)
"""Count columns looked for, in this order, when none is named (any letter case)."""

ID_COLUMNS: tuple[str, ...] = (
    "GEOID20",
    "GEOID",
    "GEO_ID",
    "GEOID10",
    "GEOCODE",
    "BLOCKID",
    "BLOCK_ID",
    "id",
)
"""Id columns looked for, in this order, when none is named (any letter case)."""

_LON_COLUMNS = ("INTPTLON20", "INTPTLON", "longitude", "lon", "lng", "long", "x")
_LAT_COLUMNS = ("INTPTLAT20", "INTPTLAT", "latitude", "lat", "y")
_INTERNAL_POINT = (("INTPTLON20", "INTPTLAT20"), ("INTPTLON", "INTPTLAT"))
_NAD83 = pyproj.CRS.from_epsg(4269)  # TIGER/Line internal points
_WGS84 = pyproj.CRS.from_epsg(4326)
_GEO_ID_PREFIX = r"^\d{7}US"  # "1000000US" of data.census.gov block GEO_IDs
_BLOCK_DIGITS = 15


@dataclass
class WeightPoints:
    """Points that say where a neighbourhood's people live, each with a count.

    Attributes
    ----------
    x, y
        Coordinates (float64) in :attr:`crs`.
    count
        People (or homes) at each point, float64, zero or more.
    crs
        The CRS of ``x`` and ``y``.
    ids
        The points' ids as text (block GEOIDs for census blocks), or None.
    count_column
        The column the counts came from, e.g. ``"P1_001N"``.
    id_column
        The id column, or None.
    sources
        ``(role, path, sha256)`` of every file read.
    warnings
        Problems that were worked around, one sentence each.
    """

    x: np.ndarray
    y: np.ndarray
    count: np.ndarray
    crs: pyproj.CRS
    ids: np.ndarray | None = None
    count_column: str = "count"
    id_column: str | None = None
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.count)

    @property
    def total(self) -> float:
        """The sum of the counts."""
        return float(self.count.sum())

    @property
    def are_blocks(self) -> bool:
        """True when every id is a 15-digit census block code."""
        if self.ids is None or len(self.ids) == 0:
            return False
        text = pd.Series(self.ids, dtype="string")
        return bool(text.str.fullmatch(r"\d{15}").fillna(False).all())

    @property
    def description(self) -> str:
        """In words: ``"12,345 census blocks (P1_001N, 1,234,567 in all)"``."""
        what = "census blocks" if self.are_blocks else "points"
        return f"{len(self):,} {what} ({self.count_column}, {self.total:,.0f} in all)"

    def frame(self, rows: int | None = None) -> pd.DataFrame:
        """The points as a table: ``id``, ``count``, ``x``, ``y`` (the first ``rows``)."""
        stop = len(self) if rows is None else min(rows, len(self))
        ids = self.ids[:stop] if self.ids is not None else np.arange(1, stop + 1).astype(str)
        return pd.DataFrame(
            {"id": ids, "count": self.count[:stop], "x": self.x[:stop], "y": self.y[:stop]}
        )

    @classmethod
    def from_points(
        cls,
        geometries: Any,
        count: Any,
        crs: Any,
        *,
        ids: Any = None,
        count_column: str = "count",
    ) -> WeightPoints:
        """Weights from shapely points (areas are taken at a point inside them).

        Raises
        ------
        InputError
            For a missing CRS, missing geometries, or counts that are not numbers or negative.
        """
        if crs is None:
            raise InputError(
                "the weights have no coordinate reference system",
                location="weights",
                remedy="Give one, e.g. EPSG:4326",
            )
        geoms = np.asarray(geometries, dtype=object)
        x, y = _coordinates(geoms, Path("weights"))
        counts = _counts(pd.Series(np.asarray(count)), count_column, Path("weights"), [])
        id_text = None if ids is None else pd.Series(np.asarray(ids)).astype(str).to_numpy(object)
        return cls(
            x, y, counts, pyproj.CRS.from_user_input(crs), id_text, count_column, None, [], []
        )


@dataclass(frozen=True)
class WeightsPreview:
    """What the import wizard shows before reading a weights layer.

    Attributes
    ----------
    columns
        Every attribute column, in file order.
    rows
        The first rows (attributes only, every cell as read).
    count_column, id_column
        The columns :func:`read_weights` would use when none is named (None when not found).
    crs
        The CRS the file declares as text (``"EPSG:4269"``), None for a table or a file without
        one.
    geometry
        ``"points"``, ``"polygons"`` (taken at a point inside them), ``"internal points"`` (the
        TIGER/Line ``INTPTLAT`` / ``INTPTLON`` columns) or ``"longitude/latitude columns"``.
    """

    columns: tuple[str, ...]
    rows: pd.DataFrame
    count_column: str | None
    id_column: str | None
    crs: str | None
    geometry: str


def peek_weights(
    path: str | os.PathLike[str], *, layer: str | None = None, rows: int = PREVIEW_ROWS
) -> WeightsPreview:
    """A preview of a weights file for the import wizard (reads only the first rows).

    Raises
    ------
    InputError
        For a missing file, an unsupported format or an unreadable file.
    """
    file = _existing(path)
    if file.suffix.lower() in TABLE_FORMATS:
        frame = read_table(file, rows=rows)
        columns = tuple(frame.columns)
        has_lonlat = _find(columns, None, _LON_COLUMNS) and _find(columns, None, _LAT_COLUMNS)
        return WeightsPreview(
            columns=columns,
            rows=frame,
            count_column=_find(columns, None, COUNT_COLUMNS),
            id_column=_find(columns, None, ID_COLUMNS),
            crs=None,
            geometry="longitude/latitude columns" if has_lonlat else "none (join to a layer)",
        )
    source, chosen, kind = _gis_source(file, layer)
    try:
        info = pyogrio.read_info(source, layer=chosen)
        frame = pd.DataFrame(
            pyogrio.read_dataframe(source, layer=chosen, read_geometry=False, max_features=rows)
        )
    except GIS_READ_ERRORS as exc:
        raise _unreadable(file, kind, exc) from exc
    columns = tuple(str(c) for c in info["fields"])
    frame.columns = [str(c) for c in frame.columns]
    geometry_type = str(info.get("geometry_type") or "").lower()
    if _internal_point(columns) is not None and "polygon" in geometry_type:
        shape = "internal points"
    elif "point" in geometry_type:
        shape = "points"
    else:
        shape = "polygons"
    return WeightsPreview(
        columns=columns,
        rows=frame,
        count_column=_find(columns, None, COUNT_COLUMNS),
        id_column=_find(columns, None, ID_COLUMNS),
        crs=info.get("crs"),
        geometry=shape,
    )


def read_weights(
    path: str | os.PathLike[str],
    *,
    count_column: str | None = None,
    id_column: str | None = None,
    layer: str | None = None,
    table: str | os.PathLike[str] | None = None,
    table_id_column: str | None = None,
    crs: Any = None,
) -> WeightPoints:
    """Read a weights layer.

    Parameters
    ----------
    path
        Points or areas (GeoPackage, Shapefile or a .zip holding one, GeoJSON, FlatGeobuf), or
        a CSV / Excel table with longitude and latitude columns.
    count_column
        The count (people, homes); by default the first of :data:`COUNT_COLUMNS` found, in
        ``table`` when one is given.
    id_column
        The points' id column (block GEOIDs); by default the first of :data:`ID_COLUMNS`.
        Needed to join ``table``.
    layer
        Layer of a multi-layer GeoPackage, or the Shapefile's name inside a .zip.
    table
        A table of counts (the PL 94-171 download: ``GEO_ID``, ``P1_001N``) joined on the id to
        the points or areas of ``path``; its ``GEO_ID`` prefix (``1000000US``) is dropped.
    table_id_column
        The table's id column; by default the first of :data:`ID_COLUMNS`.
    crs
        CRS of a file that has none, or of a table's coordinates (default longitude/latitude,
        EPSG:4326). A file's own CRS always wins.

    Returns
    -------
    WeightPoints

    Raises
    ------
    InputError
        For a missing or unreadable file, missing count, id or coordinate columns, counts that
        are not numbers or negative, ids that match nothing, and a layer without points.
    """
    file = _existing(path)
    warnings: list[str] = []
    sources = [("weights", str(file), sha256_file(file))]
    if file.suffix.lower() in TABLE_FORMATS:
        if table is not None:
            raise InputError(
                "is a table; the counts table joins to a layer of points or areas",
                path=file,
                remedy="Give the block points or polygons as the weights file and this table as "
                "its table",
            )
        weights = _read_table_points(file, count_column, id_column, crs, warnings)
    else:
        weights = _read_gis_points(file, layer, count_column, id_column, table, crs, warnings)
        if table is not None:
            table_file = _existing(table)
            sources.append(("weights_table", str(table_file), sha256_file(table_file)))
            weights = _join_table(
                weights, table_file, count_column, table_id_column, file, warnings
            )
    weights.sources = sources
    weights.warnings = warnings + weights.warnings
    if len(weights) == 0:
        raise InputError("has no points", path=file, remedy="Export the layer again")
    if weights.total <= 0:
        raise InputError(
            f"has no one in it: every {weights.count_column} is 0",
            path=file,
            remedy="Choose the count column with the people (e.g. P1_001N or POP20)",
        )
    return weights


# --- GIS layers ------------------------------------------------------------------------------


def _gis_source(file: Path, layer: str | None) -> tuple[str, str | None, str]:
    if file.suffix.lower() not in POLYGON_FORMATS:
        raise InputError(
            f"is not a supported format for weights ({file.suffix or 'no extension'})",
            path=file,
            remedy="Use a GeoPackage, a Shapefile (or a .zip holding one), GeoJSON or FlatGeobuf, "
            "or a CSV with longitude and latitude columns",
        )
    kind = polygon_format(file)
    source, chosen = polygon_source(file, layer)
    return source, choose_layer(source, chosen, path=file, kind=kind), kind


def _unreadable(file: Path, kind: str, exc: Exception) -> InputError:
    return InputError(
        f"cannot be read as {kind} ({exc})",
        path=file,
        remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
    )


def _read_gis_points(
    file: Path,
    layer: str | None,
    count_column: str | None,
    id_column: str | None,
    table: Any,
    crs: Any,
    warnings: list[str],
) -> WeightPoints:
    source, chosen, kind = _gis_source(file, layer)
    try:
        info = pyogrio.read_info(source, layer=chosen)
    except GIS_READ_ERRORS as exc:
        raise _unreadable(file, kind, exc) from exc
    columns = tuple(str(c) for c in info["fields"])
    ids = _find(columns, id_column, ID_COLUMNS)
    if id_column is not None and ids is None:
        raise _no_column(file, "id", id_column, columns)
    if table is not None and ids is None:
        raise InputError(
            "has no block id column to join the table on",
            path=file,
            remedy=f"Name it with the id column option (looked for {', '.join(ID_COLUMNS)})",
        )
    count = None
    if table is None:
        count = _find(columns, count_column, COUNT_COLUMNS)
        if count is None:
            raise _no_column(file, "count", count_column, columns)
    wanted = [c for c in dict.fromkeys((ids, count)) if c is not None]
    internal = _internal_point(columns)
    geometry_type = str(info.get("geometry_type") or "").lower()
    use_internal = internal is not None and "point" not in geometry_type
    try:
        if use_internal and internal is not None:
            frame = pd.DataFrame(
                pyogrio.read_dataframe(
                    source, layer=chosen, columns=[*wanted, *internal], read_geometry=False
                )
            )
        else:
            frame = pyogrio.read_dataframe(source, layer=chosen, columns=wanted)
    except GIS_READ_ERRORS as exc:
        raise _unreadable(file, kind, exc) from exc
    if use_internal and internal is not None:
        # TIGER/Line's internal point lies inside the block: better than a centroid.
        x = pd.to_numeric(frame[internal[0]], errors="coerce").to_numpy(np.float64)
        y = pd.to_numeric(frame[internal[1]], errors="coerce").to_numpy(np.float64)
        bad = np.flatnonzero(~np.isfinite(x) | ~np.isfinite(y))
        if bad.size:
            raise InputError(
                f"has {bad.size} features without an internal point",
                path=file,
                location=f"feature {bad[0] + 1}, fields {internal[0]}/{internal[1]}",
                remedy="Fill in the internal point or remove the features",
            )
        points_crs = _NAD83
    else:
        x, y = _coordinates(np.asarray(frame.geometry.to_numpy(), dtype=object), file)
        points_crs = _file_crs(frame.crs, crs, file, warnings)
    _check_degrees(x, y, points_crs, file)
    counts = (
        _counts(frame[count], count, file, warnings) if count is not None else np.zeros(len(frame))
    )
    id_values = _ids(frame[ids]) if ids is not None else None
    return WeightPoints(x, y, counts, points_crs, id_values, count or "count", ids)


def _internal_point(columns: tuple[str, ...]) -> tuple[str, str] | None:
    for lon, lat in _INTERNAL_POINT:
        found_lon, found_lat = _find(columns, lon, ()), _find(columns, lat, ())
        if found_lon is not None and found_lat is not None:
            return found_lon, found_lat
    return None


def _coordinates(geoms: np.ndarray, file: Path) -> tuple[np.ndarray, np.ndarray]:
    """Points as they are; areas at a point inside them; lines and blanks are errors."""
    if len(geoms) == 0:
        return np.zeros(0), np.zeros(0)
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if missing.size:
        raise InputError(
            f"has {missing.size} features without a geometry",
            path=file,
            location=f"feature {missing[0] + 1}",
            remedy="Give every feature a point or an area, or remove it",
        )
    types = shapely.get_type_id(geoms)
    lines = np.flatnonzero(np.isin(types, (1, 2, 5)))
    if lines.size:
        raise InputError(
            "is a line; weights are points or areas",
            path=file,
            location=f"feature {lines[0] + 1}",
            remedy="Use points (blocks, addresses) or areas (blocks, parcels, buildings)",
        )
    points = geoms
    if not np.all(types == 0):
        points = geoms.copy()
        other = types != 0
        points[other] = shapely.point_on_surface(geoms[other])
    xy = shapely.get_coordinates(points)
    if len(xy) != len(geoms):
        raise InputError(
            "has multi-part features that are not areas",
            path=file,
            remedy="Split multi-points into single points",
        )
    return np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])


def _file_crs(own: Any, given: Any, file: Path, warnings: list[str]) -> pyproj.CRS:
    chosen = parse_crs(given, location="crs option") if given is not None else None
    if own is None:
        if chosen is None:
            raise InputError(
                "has no coordinate reference system",
                path=file,
                remedy="Name one with the crs option, e.g. EPSG:4269",
            )
        return chosen
    crs = pyproj.CRS.from_user_input(own)
    if chosen is not None and not crs.equals(chosen, ignore_axis_order=True):
        warnings.append(f"{file}: the file's own CRS ({crs.name}) is used, not {chosen.name}.")
    return crs


def _check_degrees(x: np.ndarray, y: np.ndarray, crs: pyproj.CRS, file: Path) -> None:
    if not crs.is_geographic or len(x) == 0:
        return
    bad = np.flatnonzero((np.abs(x) > 180) | (np.abs(y) > 90))
    if bad.size:
        raise InputError(
            f"has coordinates such as ({x[bad[0]]:.0f}, {y[bad[0]]:.0f}) that are not "
            f"longitude/latitude, although it says {crs.name}",
            path=file,
            location=f"feature or row {bad[0] + 1}",
            remedy="Name the real CRS with the crs option, or fix the coordinates",
        )


# --- tables ----------------------------------------------------------------------------------


def _read_table_points(
    file: Path,
    count_column: str | None,
    id_column: str | None,
    crs: Any,
    warnings: list[str],
) -> WeightPoints:
    frame = _drop_label_row(read_table(file, warnings=warnings))
    columns = tuple(frame.columns)
    count = _find(columns, count_column, COUNT_COLUMNS)
    if count is None:
        raise _no_column(file, "count", count_column, columns)
    lon, lat = _find(columns, None, _LON_COLUMNS), _find(columns, None, _LAT_COLUMNS)
    if lon is None or lat is None:
        raise InputError(
            "has no longitude and latitude columns",
            path=file,
            remedy="Add them (e.g. INTPTLON20 / INTPTLAT20 of the blocks), or give the block "
            "points or polygons as the weights file and this table as its table",
        )
    points_crs = parse_crs(crs, location="crs option") if crs is not None else _WGS84
    x = _numbers(frame[lon], lon, file)
    y = _numbers(frame[lat], lat, file)
    _check_degrees(x, y, points_crs, file)
    ids = _find(columns, id_column, ID_COLUMNS)
    if id_column is not None and ids is None:
        raise _no_column(file, "id", id_column, columns)
    counts = _counts(frame[count], count, file, warnings)
    id_values = _ids(frame[ids]) if ids is not None else None
    return WeightPoints(x, y, counts, points_crs, id_values, count, ids)


def _join_table(
    weights: WeightPoints,
    table_file: Path,
    count_column: str | None,
    table_id_column: str | None,
    layer_file: Path,
    warnings: list[str],
) -> WeightPoints:
    """Counts from a table (PL 94-171) joined on the block id to the layer's points."""
    frame = _drop_label_row(read_table(table_file, warnings=warnings))
    columns = tuple(frame.columns)
    key = _find(columns, table_id_column, ID_COLUMNS)
    if key is None:
        raise _no_column(table_file, "id", table_id_column, columns)
    count = _find(columns, count_column, COUNT_COLUMNS)
    if count is None:
        raise _no_column(table_file, "count", count_column, columns)
    table_ids = pd.Series(_ids(frame[key]))
    counts = pd.Series(_counts(frame[count], count, table_file, warnings))
    duplicated = table_ids.duplicated()
    if duplicated.any():
        raise InputError(
            f"id {table_ids[duplicated].iloc[0]!r} appears more than once",
            path=table_file,
            location=f"column {key!r}",
            remedy="Keep one row per block",
        )
    assert weights.ids is not None  # checked by the reader
    position = pd.Index(table_ids).get_indexer(pd.Series(weights.ids))
    matched = position >= 0
    if not matched.any():
        raise InputError(
            f"no {key} matches the ids of {layer_file.name} (such as {table_ids.iloc[0]!r} and "
            f"{weights.ids[0]!r})",
            path=table_file,
            remedy="Join tables and layers of the same geography and vintage (2020 blocks)",
        )
    joined = np.where(matched, counts.to_numpy()[np.maximum(position, 0)], 0.0)
    unplaced = np.ones(len(table_ids), dtype=bool)
    unplaced[position[matched]] = False
    if unplaced.any():
        warnings.append(
            f"{table_file}: {int(unplaced.sum())} rows ({counts[unplaced].sum():,.0f} in "
            f"{count}) match no feature of {layer_file.name} and are left out."
        )
    if not matched.all():
        warnings.append(
            f"{layer_file}: {int((~matched).sum())} features have no row in {table_file.name}; "
            "they count 0."
        )
    return WeightPoints(
        weights.x,
        weights.y,
        np.asarray(joined, dtype=np.float64),
        weights.crs,
        weights.ids,
        count,
        weights.id_column,
    )


def _drop_label_row(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the second header row of census.gov downloads ("Geography", "!!Total")."""
    if len(frame) == 0:
        return frame
    first = frame.iloc[0].astype("string").fillna("").str.strip()
    if first.str.contains("!!", regex=False).any() or first.str.lower().eq("geography").any():
        return frame.iloc[1:].reset_index(drop=True)
    return frame


# --- columns and values ----------------------------------------------------------------------


def _existing(path: str | os.PathLike[str]) -> Path:
    file = Path(path)
    if not file.is_file():
        raise InputError(
            "file not found" if not file.exists() else "is not a file",
            path=file,
            remedy="Check the path",
        )
    return file


def _find(columns: tuple[str, ...], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    if wanted is not None:
        return lower.get(wanted.strip().lower())
    return next((lower[c.lower()] for c in candidates if c.lower() in lower), None)


def _no_column(file: Path, role: str, wanted: str | None, columns: tuple[str, ...]) -> InputError:
    looked = (
        repr(wanted)
        if wanted is not None
        else ", ".join(COUNT_COLUMNS if role == "count" else ID_COLUMNS)
    )
    return InputError(
        f"has no {role} column (looked for {looked})",
        path=file,
        remedy=f"Name the {role} column; columns are: {', '.join(columns) or 'none'}",
    )


def _ids(values: pd.Series) -> np.ndarray:
    """Ids as text: integral numbers without ".0", the GEO_ID prefix ("1000000US") removed."""
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy(np.float64, na_value=np.nan)
        if np.all(np.isnan(numbers) | (numbers == np.round(numbers))):
            values = values.astype("Int64")
    text = values.astype("string").str.strip().fillna("")
    text = text.str.replace(_GEO_ID_PREFIX, "", regex=True, case=False)
    return np.asarray(text.to_numpy(object), dtype=object)


def _numbers(values: pd.Series, column: str, file: Path) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(np.float64, na_value=np.nan)
        text = pd.Series(np.where(np.isnan(numbers), "", "0"), dtype=object)
    else:
        text = values.astype("string").str.strip().fillna("")
        numbers = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce").to_numpy(
            np.float64, na_value=np.nan
        )
    bad = np.flatnonzero(~np.isfinite(numbers) & text.ne("").to_numpy(bool))
    if bad.size:
        raise InputError(
            f"{text.iloc[bad[0]]!r} is not a number"
            + (f" (and {bad.size - 1} more)" if bad.size > 1 else ""),
            path=file,
            location=f"row or feature {bad[0] + 1}, field {column!r}",
            remedy=f"Enter a number in every row of {column!r}",
        )
    return np.asarray(numbers, dtype=np.float64)


def _counts(values: pd.Series, column: str, file: Path, warnings: list[str]) -> np.ndarray:
    """Non-negative counts; blanks count 0 (with a warning), words and negatives are errors."""
    numbers = _numbers(values, column, file)
    blank = np.isnan(numbers)
    if blank.any():
        warnings.append(f"{file}: {int(blank.sum())} blank {column} values are taken as 0.")
        numbers = np.where(blank, 0.0, numbers)
    negative = np.flatnonzero(numbers < 0)
    if negative.size:
        raise InputError(
            f"the count {numbers[negative[0]]:g} is negative",
            path=file,
            location=f"row or feature {negative[0] + 1}, field {column!r}",
            remedy="A count is zero or more",
        )
    return numbers
