"""Read neighbourhood polygons and their ACS (or other) attributes, and validate them.

Polygons come from a GeoPackage, a Shapefile (or a .zip holding one), GeoJSON or FlatGeobuf;
attributes come from the same file or from a CSV / Excel table joined on the GEOID. Every
problem a user can cause is raised as :class:`~equityplanner.errors.InputError` naming the
file, the feature or row, the fault and the remedy; recoverable oddities (repaired
geometries, cells marked as not available, ids without data) become warnings.
"""

from __future__ import annotations

import os
import warnings as warnings_module
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyproj
import shapely

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.io.column_styles import apply_rates
from equityplanner.io.columns import (
    FieldSource,
    apply_user_mapping,
    describe_candidates,
    detect_mapping,
    find_id_column,
    find_name_column,
    is_truncated_acs,
    orphan_margins,
)
from equityplanner.io.crs_checks import check_layer_crs, missing_crs_remedy
from equityplanner.io.files import regular_file
from equityplanner.io.hashing import sha256_file
from equityplanner.io.sources import crs_label, parse_crs, read_polygon_arrays, read_table
from equityplanner.model.fields import field_specs
from equityplanner.progress import NullProgress, Progress

__all__ = ["Neighbourhoods", "PendingValidity", "read_neighbourhoods"]

_SHAPE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg")

# Cells that mean "no value": empty, and the annotations of census.gov downloads (see the
# Census Bureau's "Notes on ACS estimate and annotation values").
_MISSING_MARKS = frozenset({"-", "**", "***", "(X)", "N", "NA", "N/A", "NULL", "NAN"})
# In a margin column, "*****" means the estimate is controlled: no sampling error.
_CONTROLLED_MARK = "*****"
# ACS API "jam" values (-111111111 … -999999999) stand for annotations; -555555555 in a
# margin is the controlled estimate, i.e. a margin of 0.
_JAM_LIMIT = -111_111_111.0
_CONTROLLED_JAM = -555_555_555.0
# No count, median or margin of one neighbourhood comes near this (the world has 8e9 people).
_MAX_VALUE = 1e10
# A GEO_ID such as "1400000US01073000100" carries the summary level before "US".
_GEO_ID_PREFIX = r"^\d{7}US"
_POLYGON, _MULTIPOLYGON = 3, 6
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}
_EXAMPLES = 5


@dataclass
class Neighbourhoods:
    """Validated neighbourhood polygons with their canonical fields.

    Attributes
    ----------
    frame
        One row per neighbourhood (RangeIndex): ``id`` and ``name`` (str), one float64
        column per mapped canonical field in ``resources/fields.toml`` order, and the
        geometry in the source CRS.
    moe
        Same index; one float64 column per mapped field that has margins: the 90% margin of
        error of the field (of the sum, for summed ACS variables).
    crs
        The coordinate reference system of the geometries.
    mapping
        Canonical field to the columns it was read from.
    sources
        ``(role, path, sha256)`` of every file read.
    warnings
        Problems that were worked around, one sentence each.
    validity
        With ``read_neighbourhoods(defer_validity=True)``: the polygons' validity check, done
        for each polygon when an analysis first uses it (:class:`PendingValidity`); None
        when every polygon was checked (and repaired) on reading.
    """

    frame: gpd.GeoDataFrame
    moe: pd.DataFrame
    crs: pyproj.CRS
    mapping: dict[str, FieldSource]
    sources: list[tuple[str, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    validity: PendingValidity | None = None

    @property
    def fields(self) -> list[str]:
        """The mapped canonical fields, in ``resources/fields.toml`` order."""
        return [name for name in field_specs() if name in self.mapping]


def read_neighbourhoods(
    path: str | os.PathLike[str],
    *,
    table: str | os.PathLike[str] | None = None,
    layer: str | None = None,
    id_column: str | None = None,
    table_id_column: str | None = None,
    crs: Any = None,
    mapping: dict[str, Any] | None = None,
    progress: Progress | None = None,
    sheet: str | None = None,
    defer_validity: bool = False,
    crs_named_by: str = "--crs",
) -> Neighbourhoods:
    """Read and validate neighbourhood polygons and their attributes.

    Parameters
    ----------
    path
        Polygons: ``.gpkg``, ``.shp``, ``.zip`` (holding a Shapefile), ``.geojson`` / ``.json``
        or ``.fgb``.
    table
        Optional attribute table (``.csv``, ``.xlsx``) joined on the id. Its columns take
        precedence over same-named columns of the polygons. A second header row of labels
        (census.gov downloads) is dropped.
    layer
        Layer of a multi-layer GeoPackage, or the Shapefile's name inside a .zip.
    id_column
        Id column of the polygons; by default the first of ``[preset] id_columns``.
    table_id_column
        Id column of the table; by default the first of ``[preset] id_columns``.
    crs
        CRS to assume when the file has none (anything :meth:`pyproj.CRS.from_user_input`
        accepts, e.g. ``"EPSG:4269"``). A file's own CRS always wins, with a warning if the
        two differ.
    mapping
        User column mapping, see :func:`equityplanner.io.columns.apply_user_mapping`.
    progress
        Receives progress between steps.
    sheet
        The sheet of an Excel ``table``; by default the first visible one.
    defer_validity
        Check GEOS validity (and repair invalid polygons) only for the polygons an analysis
        uses, when it first uses them (the neighbourhoods a catchment touches), instead of
        every polygon now: :attr:`Neighbourhoods.validity`. Everything else about the
        geometries (missing, empty, not numbers, not polygons) is checked now. The command
        line's ``assess`` reads so: a national layer's check costs more than reading it.
    crs_named_by
        Where the user names ``crs``, for the remedy of a file without one: the command
        line's ``--crs`` by default, the project file's ``baseline "crs"`` for a project.

    Returns
    -------
    Neighbourhoods

    Raises
    ------
    InputError
        For anything wrong with the files: see the module docstring.
    """
    progress = progress if progress is not None else NullProgress()
    warnings: list[str] = []
    shapes_path = _existing(path, "neighbourhood file")

    progress.report(0.0, "Reading neighbourhood polygons")
    shapes = read_polygon_arrays(shapes_path, layer)
    warnings += shapes.notes
    sources = [("neighbourhoods", str(file), sha256_file(file)) for file in _dataset(shapes_path)]
    file_crs = pyproj.CRS.from_user_input(shapes.crs) if shapes.crs else None
    bounds = shapely.bounds(shapes.geometry)
    source_crs = _source_crs(
        file_crs, shapes_path, crs, warnings, lambda: missing_crs_remedy(bounds, crs_named_by)
    )
    if len(shapes.geometry) == 0:
        raise InputError(
            "contains no features",
            path=shapes_path,
            remedy="Export the neighbourhood polygons again, with their features",
        )
    source_crs = _check_degrees(bounds, source_crs, shapes_path, crs, warnings)
    named = parse_crs(crs, location="crs option") if crs is not None else None
    checked = check_layer_crs(
        shapes.geometry, source_crs, path=shapes_path, declared_by_file=file_crs is not None,
        alternative=named, warnings=warnings,
    )  # fmt: skip
    if checked is not source_crs:  # the file's CRS is implausible, the one named is not
        warnings[:] = [w for w in warnings if not w.startswith(f"{shapes_path}: the file's own")]
        source_crs = checked
    attributes = shapes.attributes
    shape_rows = _Rows(shapes_path, "feature", np.arange(1, len(attributes) + 1), 0)
    shape_id_column = find_id_column(attributes.columns, id_column, path=shapes_path)
    if shape_id_column is None:
        if table is not None:
            raise InputError(
                "has no id column to join the attribute table on",
                path=shapes_path,
                remedy="Name the column holding the GEOIDs (id_column); looked for "
                + _looked_for_ids(),
            )
        ids = pd.Series(shape_rows.numbers.astype(str), dtype="string")
        warnings.append(
            f"{shapes_path}: no id column (looked for {_looked_for_ids()}); neighbourhoods "
            "are identified by their feature number."
        )
    else:
        ids = _normalise_ids(attributes[shape_id_column])
        _check_ids(ids, shape_id_column, shape_rows)

    progress.report(0.2, "Reading the attribute table")
    table_path: Path | None = None
    locator = _Locator(id_series=ids, shapes=shape_rows)
    data = attributes
    if table is not None:
        table_path = _existing(table, "attribute table")
        frame, table_rows = _read_table(table_path, warnings, sheet)
        sources.append(("attributes", str(table_path), sha256_file(table_path)))
        table_id_column = find_id_column(frame.columns, table_id_column, path=table_path)
        if table_id_column is None:
            raise InputError(
                "has no id column to join on",
                path=table_path,
                remedy="Name the column holding the GEOIDs (table_id_column); looked for "
                + _looked_for_ids(),
            )
        table_ids = _normalise_ids(frame[table_id_column])
        _check_ids(table_ids, table_id_column, table_rows)
        progress.report(0.35, "Joining the attribute table")
        joined, take, matched, ids = _join(
            ids, frame, table_ids, table_rows, shapes_path, shape_id_column or "", warnings
        )
        locator = _Locator(
            id_series=ids,
            shapes=shape_rows,
            table=table_rows,
            table_row_numbers=np.where(matched, table_rows.numbers[take], 0),
            table_columns=frozenset(joined.columns),
        )
        kept = [column for column in attributes.columns if column not in joined.columns]
        data = pd.concat([attributes[kept], joined], axis=1)

    progress.report(0.5, "Checking geometries")
    geometry = _checked_geometry(
        shapes.geometry, bounds, locator, warnings, check_validity=not defer_validity
    )

    progress.report(0.65, "Mapping columns to fields")
    field_map = _field_mapping(data.columns, mapping, table_path or shapes_path)

    truncated = [
        column
        for source in field_map.values()
        if source.origin == "acs"
        for column in source.estimate_columns
        if is_truncated_acs(column)
    ]
    if truncated:
        warnings.append(
            f"{table_path or shapes_path}: {len(truncated)} column(s) such as {truncated[0]!r} "
            "were read as ACS estimates whose names a Shapefile cut to 10 characters "
            f"({truncated[0]}E); their margins of error, cut to the same name, are not "
            "available."
        )

    progress.report(0.75, "Checking values")
    estimates, margins = _field_values(data, field_map, locator, warnings)

    name_column = find_name_column(data.columns)
    # Text columns stay in pandas' own string type (no round trip through Python objects).
    id_text = ids.astype("str").set_axis(pd.RangeIndex(len(ids)))
    names = id_text
    if name_column is not None:
        text = data[name_column].astype("string").str.strip().set_axis(id_text.index)
        blank = text.isna() | text.eq("").fillna(True)
        names = text.astype("str").where(~blank, id_text)

    progress.report(0.95, "Assembling neighbourhoods")
    index = pd.RangeIndex(len(ids))
    columns: dict[str, Any] = {"id": id_text, "name": names}
    columns.update(estimates)
    result = gpd.GeoDataFrame(
        pd.DataFrame(columns, index=index),
        geometry=gpd.GeoSeries(geometry, index=index, crs=source_crs),
    )
    moe = pd.DataFrame(margins, index=index, columns=list(margins), dtype="float64")
    progress.report(1.0, "Neighbourhoods read")
    return Neighbourhoods(
        frame=result,
        moe=moe,
        crs=source_crs,
        mapping=field_map,
        sources=sources,
        warnings=warnings,
        validity=PendingValidity(locator) if defer_validity else None,
    )


class PendingValidity:
    """The validity check of a layer's polygons, done for each polygon when first used.

    :meth:`check` checks the polygons of some rows that were not checked yet and repairs the
    invalid ones in place (in the layer's geometry array, which the frame, the spatial index's
    owner and the maps share), with the messages of the check on reading: an
    :class:`~equityplanner.errors.InputError` for a polygon with no area once repaired, and
    the warning naming the repaired polygons (:meth:`warning`). A repaired polygon lies within
    the bounding box of the polygon as read, so an index of the polygons as read still finds
    it.
    """

    def __init__(self, locator: _Locator) -> None:
        self._locator = locator
        self._checked = np.zeros(len(locator.id_series), dtype=bool)
        self._repaired: list[np.ndarray] = []
        self.repairs = 0  # how many polygons were repaired so far

    @property
    def done(self) -> bool:
        """True when every polygon has been checked."""
        return bool(self._checked.all())

    def check(self, geometries: np.ndarray, rows: np.ndarray | None = None) -> None:
        """Check the polygons ``rows`` of ``geometries`` (all when None), repairing in place.

        Raises
        ------
        InputError
            For polygons with no area once repaired, as on reading.
        """
        todo = np.flatnonzero(~self._checked) if rows is None else rows[~self._checked[rows]]
        if todo.size == 0:
            return
        todo = np.unique(todo)
        invalid = todo[~shapely.is_valid(geometries[todo])]
        if invalid.size:
            geometries[invalid] = _repaired(geometries[invalid], invalid, self._locator)
            self._repaired.append(invalid)
            self.repairs += invalid.size
        self._checked[todo] = True

    def warning(self) -> str | None:
        """The warning naming every polygon repaired so far (None when none was)."""
        if not self._repaired:
            return None
        where = np.sort(np.concatenate(self._repaired))
        return _repair_warning(self._locator, where)


# --- locations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rows:
    """Row numbers of one file: ``numbers[i]`` is the 1-based feature or data row of row i."""

    path: Path
    kind: str  # "feature" or "row"
    numbers: np.ndarray
    header_lines: int

    def at(self, number: int) -> str:
        if self.kind == "feature":
            return f"feature {number}"
        return f"row {number} (line {number + self.header_lines})"


@dataclass(frozen=True)
class _Locator:
    """Names the file and the feature or row a value of the joined data comes from."""

    id_series: pd.Series  # the neighbourhoods' ids (text), by position
    shapes: _Rows
    table: _Rows | None = None
    table_row_numbers: np.ndarray | None = None  # data row per neighbourhood, 0 if unmatched
    table_columns: frozenset[str] = frozenset()

    @cached_property
    def ids(self) -> np.ndarray:
        """The ids as an array of str (made when a message first names one)."""
        ids: np.ndarray = self.id_series.to_numpy(object)
        return ids

    def is_table(self, column: str) -> bool:
        return column in self.table_columns

    def path(self, column: str) -> Path:
        if self.is_table(column) and self.table is not None:
            return self.table.path
        return self.shapes.path

    def present(self, column: str) -> np.ndarray:
        """Neighbourhoods whose value of ``column`` comes from an actual row of its file."""
        if self.is_table(column) and self.table_row_numbers is not None:
            return self.table_row_numbers > 0
        return np.ones(len(self.id_series), dtype=bool)

    def at(self, column: str, position: int) -> str:
        if self.is_table(column) and self.table is not None and self.table_row_numbers is not None:
            where = self.table.at(int(self.table_row_numbers[position]))
        else:
            where = self.shapes.at(position + 1)
        return f"{where}, id {self.ids[position]!r}"

    def examples(self, column: str, positions: np.ndarray) -> str:
        shown = "; ".join(self.at(column, int(i)) for i in positions[:_EXAMPLES])
        more = len(positions) - _EXAMPLES
        return shown + (f"; and {more} more" if more > 0 else "")


# --- reading ---------------------------------------------------------------------------------


def _existing(path: str | os.PathLike[str], role: str) -> Path:
    return regular_file(path, role)


def _dataset(path: Path) -> list[Path]:
    """The files making up a dataset: a Shapefile's sidecars are hashed with it."""
    if path.suffix.lower() != ".shp":
        return [path]
    found = {
        file.suffix.lower(): file
        for file in path.parent.iterdir()
        if file.stem == path.stem and file.suffix.lower() in _SHAPE_SIDECARS
    }
    return [path, *(found[suffix] for suffix in _SHAPE_SIDECARS if suffix in found)]


def _source_crs(
    file_crs: pyproj.CRS | None,
    path: Path,
    crs: Any,
    warnings: list[str],
    remedy: Callable[[], str],
) -> pyproj.CRS:
    """The CRS the layer is read in (``remedy`` says what to do when it has none; worked out
    only then, from every feature's bounds)."""
    given = parse_crs(crs, location="crs option") if crs is not None else None
    if file_crs is None:
        if given is None:
            raise InputError("has no coordinate reference system", path=path, remedy=remedy())
        return given
    if given is not None and not file_crs.equals(given, ignore_axis_order=True):
        warnings.append(
            f"{path}: the file's own coordinate reference system ({crs_label(file_crs)}) is "
            f"used, not {crs_label(given)} as requested."
        )
    return pyproj.CRS.from_user_input(file_crs)


def _check_degrees(
    bounds: np.ndarray, source_crs: pyproj.CRS, path: Path, crs: Any, warnings: list[str]
) -> pyproj.CRS:
    """Catch projected coordinates under a geographic CRS (GeoJSON always claims WGS84).

    ``bounds`` are the features' (xmin, ymin, xmax, ymax), NaN for a missing geometry.
    """
    if not source_crs.is_geographic:
        return source_crs
    with np.errstate(invalid="ignore"), warnings_module.catch_warnings():
        warnings_module.simplefilter("ignore", RuntimeWarning)  # all-NaN: no geometry
        xmin, ymin = np.nanmin(bounds[:, 0]), np.nanmin(bounds[:, 1])
        xmax, ymax = np.nanmax(bounds[:, 2]), np.nanmax(bounds[:, 3])
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        return source_crs  # no geometry, or coordinates that are not numbers: checked later
    if xmin >= -180.5 and xmax <= 360.5 and ymin >= -90.5 and ymax <= 90.5:
        return source_crs
    if crs is not None:
        given = parse_crs(crs, location="crs option")
        warnings.append(
            f"{path}: the coordinates are not longitude/latitude as the file claims "
            f"({crs_label(source_crs)}), so {crs_label(given)} was used as requested."
        )
        return given
    raise InputError(
        f"has coordinates such as ({xmin:.0f}, {ymin:.0f}) that are not longitude/latitude, "
        f"although the file says {crs_label(source_crs)}",
        path=path,
        remedy="Name the real CRS, e.g. --crs EPSG:26916, or re-export the file with its CRS",
    )


def _read_table(
    path: Path, warnings: list[str], sheet: str | None = None
) -> tuple[pd.DataFrame, _Rows]:
    """Read a CSV or Excel table with every cell as text, dropping blank and label rows."""
    frame = read_table(path, warnings=warnings, sheet=sheet)
    header_lines = 1
    if len(frame) and _is_label_row(frame.iloc[0]):
        frame = frame.iloc[1:]
        header_lines = 2
    numbers = np.arange(1, len(frame) + 1)
    text = frame.astype("string")
    filled = (text.notna() & text.apply(lambda column: column.str.strip().ne(""))).any(axis=1)
    keep = filled.fillna(False).to_numpy(bool)
    frame = frame.loc[keep].reset_index(drop=True)
    if frame.empty:
        raise InputError("has no data rows", path=path, remedy="Export the table again")
    return frame, _Rows(path, "row", numbers[keep], header_lines)


def _is_label_row(row: pd.Series) -> bool:
    """A second header row of labels, as in census.gov downloads.

    data.census.gov labels look like "Geography", "Estimate!!Total"; the older American
    FactFinder ones like "Estimate; Total:".
    """
    text = row.astype("string").fillna("").str.strip()
    return bool(
        text.str.contains("!!", regex=False).any()
        or text.str.lower().eq("geography").any()
        or text.str.match(r"(?i)(estimate|margin of error)\s*;").fillna(False).any()
    )


# --- ids and the join ------------------------------------------------------------------------


def _normalise_ids(values: pd.Series) -> pd.Series:
    """Ids as text: integral numbers without ".0", the GEO_ID "…US" prefix removed.

    Vectorised on the column's own string type (Arrow-backed where pandas gives one); a
    column of plain digit strings, the usual GEOID, passes untouched.
    """
    if pd.api.types.is_float_dtype(values):
        numbers = values.to_numpy("float64", na_value=np.nan)
        integral = np.isfinite(numbers) & (numbers == np.round(numbers))
        if integral[~np.isnan(numbers)].all():
            values = values.astype("Int64")
    text = values.astype("string")
    if not _all_digits(text):
        text = text.str.strip()
        text = text.str.replace(r"^\d{7}[Uu][Ss]", "", regex=True)
        text = text.mask(text.eq(""))
    return text.reset_index(drop=True)


def _all_digits(text: pd.Series) -> bool:
    """Every id (missing ones aside) is ASCII digits only, as ``str.fullmatch(r"\\d+")``
    finds on Arrow strings; on Arrow's own kernel when the column is Arrow-backed (a tenth of
    the time of the regular expression)."""
    try:
        arrow = pa.array(text.array)
    except (TypeError, pa.ArrowException):  # pragma: no cover - not Arrow-backed
        return bool(text.str.fullmatch(r"\d+").all())
    return bool(pc.all(pc.ascii_is_decimal(arrow)).as_py() is not False)


def _join_keys(ids: pd.Series) -> pd.Series:
    """Ids compared without leading zeros when numeric (spreadsheets often drop them)."""
    text = ids.astype("string")
    digits = text.str.fullmatch(r"\d+").fillna(False)
    stripped = text.str.lstrip("0").mask(lambda values: values.eq(""), "0")
    return text.where(~digits, stripped)


def _check_ids(ids: pd.Series, column: str, rows: _Rows) -> None:
    missing = np.flatnonzero(ids.isna().to_numpy())
    if missing.size:
        shown = ", ".join(rows.at(int(rows.numbers[i])) for i in missing[:_EXAMPLES])
        raise InputError(
            f"{missing.size} {rows.kind}(s) have no id",
            path=rows.path,
            location=f"column {column!r}: {shown}",
            remedy="Fill in the id of every neighbourhood",
        )
    # Ids of equal length compare the same with or without their leading zeros.
    lengths = ids.str.len().to_numpy("int64", na_value=0)
    keys = ids if lengths.min() == lengths.max() else _join_keys(ids)
    duplicated = keys.duplicated(keep=False).to_numpy()
    if duplicated.any():
        keys = _join_keys(ids)
        duplicated = keys.duplicated(keep=False).to_numpy()
        groups = pd.Series(np.flatnonzero(duplicated)).groupby(
            keys[duplicated].to_numpy(), sort=False
        )
        shown = "; ".join(
            f"{ids.iloc[int(members.iloc[0])]!r} in "
            + ", ".join(rows.at(int(rows.numbers[i])) for i in members)
            for _, members in list(groups)[:_EXAMPLES]
        )
        raise InputError(
            f"{groups.ngroups} id(s) appear more than once",
            path=rows.path,
            location=f"column {column!r}: {shown}",
            remedy="Give every neighbourhood a unique id (remove duplicate rows or features)",
        )


def _join(
    ids: pd.Series,
    frame: pd.DataFrame,
    table_ids: pd.Series,
    table_rows: _Rows,
    shapes_path: Path,
    shape_id_column: str,
    warnings: list[str],
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Series]:
    """Left-join the table onto the neighbourhoods.

    Returns the joined rows, the table position of each neighbourhood (0 when unmatched),
    whether it matched, and the ids (the longer spelling of each matched pair).
    """
    position = pd.Series(np.arange(len(frame)), index=_join_keys(table_ids).array)
    found = position.reindex(_join_keys(ids).array).to_numpy("float64")
    matched = ~np.isnan(found)
    if not matched.any():
        raise InputError(
            f"none of its ids matches an id of the {len(ids)} neighbourhoods in "
            f"{shapes_path.name} (column {shape_id_column!r})",
            path=table_rows.path,
            remedy=f"Neighbourhood ids look like {_sample(ids)}; table ids look like "
            f"{_sample(table_ids)}. Check that both files are for the same area and "
            "geography (tracts or block groups), or name the id columns",
        )
    unmatched = np.flatnonzero(~matched)
    if unmatched.size:
        warnings.append(
            f"{shapes_path}: {unmatched.size} of {len(ids)} neighbourhoods have no row in "
            f"{table_rows.path.name} and get no values: ids {_sample(ids.iloc[unmatched])}."
        )
    take = np.where(matched, found, 0).astype(np.int64)
    joined = frame.iloc[take].reset_index(drop=True)
    joined = joined.where(np.broadcast_to(matched[:, None], joined.shape))
    # Keep the longer spelling: a table may keep leading zeros the polygons lost, or vice versa.
    table_text = table_ids.to_numpy(object)[take]
    longer = matched & (
        pd.Series(table_text, dtype="string").str.len().to_numpy("float64", na_value=0)
        > ids.str.len().to_numpy("float64", na_value=0)
    )
    joined_ids = pd.Series(np.where(longer, table_text, ids.to_numpy(object)), dtype="string")
    return joined, take, matched, joined_ids


def _sample(ids: pd.Series) -> str:
    shown = ", ".join(repr(value) for value in ids.iloc[:_EXAMPLES])
    return shown + (f" … ({len(ids)} in all)" if len(ids) > _EXAMPLES else "")


def _looked_for_ids() -> str:
    return ", ".join(load_resource("acs_preset.toml")["preset"]["id_columns"])


# --- geometries ------------------------------------------------------------------------------


def _checked_geometry(
    geoms: np.ndarray,
    bounds: np.ndarray,
    locator: _Locator,
    warnings: list[str],
    *,
    check_validity: bool = True,
) -> np.ndarray:
    path = locator.shapes.path
    absent = np.zeros(len(geoms), dtype=bool)
    odd = np.flatnonzero(np.isnan(bounds).any(axis=1))  # missing, empty or NaN coordinates
    if odd.size:
        absent[odd] = shapely.is_missing(geoms[odd]) | shapely.is_empty(geoms[odd])
    if absent.any():
        where = np.flatnonzero(absent)
        raise InputError(
            f"{where.size} feature(s) have an empty or missing geometry",
            path=path,
            location=_features(locator, where),
            remedy="Draw the missing polygons or delete those features",
        )
    finite = np.isfinite(bounds).all(axis=1)
    if not finite.all():
        where = np.flatnonzero(~finite)
        raise InputError(
            f"{where.size} feature(s) have coordinates that are not numbers (NaN or infinite)",
            path=path,
            location=_features(locator, where),
            remedy="Repair or redraw those polygons",
        )
    type_ids = shapely.get_type_id(geoms)
    other = ~np.isin(type_ids, [_POLYGON, _MULTIPOLYGON])
    if other.any():
        where = np.flatnonzero(other)
        kinds = shapely.get_type_id(geoms).astype(object)
        kinds = np.array([_TYPE_NAMES.get(int(k), "unknown") for k in kinds], dtype=object)
        shown = "; ".join(
            f"{locator.shapes.at(int(i) + 1)}, id {locator.ids[i]!r}: {kinds[i]}"
            for i in where[:_EXAMPLES]
        )
        raise InputError(
            f"{where.size} feature(s) are not polygons",
            path=path,
            location=shown + (f"; and {where.size - _EXAMPLES} more" if where.size > 5 else ""),
            remedy="Neighbourhoods must be polygons; remove the points and lines, or export "
            "the polygon layer only",
        )
    geoms = geoms.copy()
    if not check_validity:
        return geoms
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        where = np.flatnonzero(invalid)
        geoms[where] = _repaired(geoms[where], where, locator)
        warnings.append(_repair_warning(locator, where))
    return geoms


def _repaired(geoms: np.ndarray, where: np.ndarray, locator: _Locator) -> np.ndarray:
    """Invalid polygons (of the rows ``where``) made valid, their polygonal parts kept.

    Raises
    ------
    InputError
        Naming the features that have no area once repaired.
    """
    repaired = _polygonal_parts(shapely.make_valid(geoms))
    lost = shapely.is_missing(repaired) | shapely.is_empty(repaired)
    if lost.any():
        raise InputError(
            f"{int(lost.sum())} feature(s) have no area once their invalid geometry is repaired",
            path=locator.shapes.path,
            location=_features(locator, where[lost]),
            remedy="Redraw those polygons",
        )
    return repaired


def _repair_warning(locator: _Locator, where: np.ndarray) -> str:
    return (
        f"{locator.shapes.path}: {where.size} invalid "
        f"geometr{'y was' if where.size == 1 else 'ies were'} repaired (only their polygonal "
        f"parts kept): {_features(locator, where)}."
    )


def _polygonal_parts(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygons of each geometry: a Polygon, a MultiPolygon or None."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    parts, sub_index = shapely.get_parts(parts, return_index=True)
    index = index[sub_index]
    keep = shapely.get_type_id(parts) == _POLYGON
    out = np.full(len(geoms), None, dtype=object)
    shapely.multipolygons(parts[keep], indices=index[keep], out=out)
    single = shapely.get_num_geometries(out) == 1
    out[single] = shapely.get_geometry(out[single], 0)
    return out


def _features(locator: _Locator, where: np.ndarray) -> str:
    shown = ", ".join(
        f"{locator.shapes.at(int(i) + 1)} (id {locator.ids[i]!r})" for i in where[:_EXAMPLES]
    )
    return shown + (f", and {where.size - _EXAMPLES} more" if where.size > _EXAMPLES else "")


# --- fields and values -----------------------------------------------------------------------


def _field_mapping(
    columns: pd.Index, mapping: dict[str, Any] | None, path: Path
) -> dict[str, FieldSource]:
    names = [str(column) for column in columns]
    field_map = apply_user_mapping(names, detect_mapping(names), mapping, path=path)
    specs = field_specs()
    unmapped = [name for name in specs if name not in field_map]
    orphans = orphan_margins(names, unmapped)
    if orphans:
        listed = "; ".join(f"{name}: {', '.join(cols)}" for name, cols in orphans.items())
        raise InputError(
            f"margin of error columns are present without their estimates ({listed})",
            path=path,
            remedy="Include the estimate columns (…E) next to the margins (…M), or map the "
            "fields explicitly",
        )
    required = [name for name, spec in specs.items() if spec.required and name not in field_map]
    if required:
        raise InputError(
            f"no column for the required field(s) {', '.join(required)}",
            path=path,
            remedy="Looked for "
            + "; ".join(describe_candidates(name) for name in required)
            + ". Add those columns or map them in the column mapping",
        )
    return field_map


@dataclass(frozen=True)
class _Parsed:
    values: np.ndarray  # float64, NaN where missing
    cells: pd.Series  # the cells as read, for the text of the few a message names
    blank: np.ndarray  # empty or annotated as not available
    jammed: np.ndarray  # ACS jam value read as missing
    coded: np.ndarray  # top- or bottom-coded ("250,000+")
    bad: np.ndarray  # not a number

    def text(self, positions: np.ndarray | int) -> list[str]:
        """The cells at ``positions`` as written (built only for the cells a message shows)."""
        chosen = self.cells.iloc[np.atleast_1d(positions)].astype("string")
        return [str(value).strip() for value in chosen.fillna("")]


def _parse_numbers(values: pd.Series, *, is_margin: bool) -> _Parsed:
    n = len(values)
    no = np.zeros(n, dtype=bool)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy("float64", na_value=np.nan)
        blank = np.isnan(numbers)
        bad = np.isinf(numbers)
        coded = no
    else:
        cells = values.astype("string").str.strip()
        blank = (cells.isna() | cells.eq("") | cells.str.upper().isin(_MISSING_MARKS)).to_numpy(
            bool, na_value=True
        )
        controlled = cells.eq(_CONTROLLED_MARK).to_numpy(bool, na_value=False) & is_margin
        parsed = pd.to_numeric(
            cells.mask(pd.Series(blank | controlled, index=cells.index)), errors="coerce"
        )
        numbers = pd.Series(parsed).to_numpy("float64", na_value=np.nan)
        coded = no
        unread = np.flatnonzero(np.isnan(numbers) & ~(blank | controlled))
        if unread.size:  # only cells plain parsing missed: "12,345", "250,000+"
            numbers, coded = _grouped_or_coded(cells, unread, numbers)
        bad = (np.isnan(numbers) & ~(blank | controlled)) | np.isinf(numbers)
        numbers[controlled] = 0.0
    jammed = numbers <= _JAM_LIMIT
    if jammed.any() or bad.any():  # the array may be the column's own: changed on a copy
        numbers = numbers.copy()
        if is_margin:
            numbers[numbers == _CONTROLLED_JAM] = 0.0
            jammed &= numbers != 0.0
        numbers[jammed | bad] = np.nan
    return _Parsed(numbers, values, blank, jammed, coded, bad)


def _grouped_or_coded(
    cells: pd.Series, unread: np.ndarray, numbers: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Read thousands separators ("12,345") and top- or bottom-coding ("250,000+")."""
    numbers = numbers.copy()
    coded = np.zeros(len(numbers), dtype=bool)
    some = cells.iloc[unread]
    grouped = some.str.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?[+-]?").fillna(False)
    some = some.mask(grouped, some.str.replace(",", "", regex=False))
    limit = some.str.fullmatch(r"\d+(?:\.\d+)?[+-]").to_numpy(bool, na_value=False)
    some = some.mask(pd.Series(limit, index=some.index), some.str[:-1])
    numbers[unread] = pd.to_numeric(some, errors="coerce").to_numpy("float64", na_value=np.nan)
    coded[unread] = limit
    return numbers, coded


def _column_values(
    data: pd.DataFrame,
    column: str,
    *,
    is_margin: bool,
    locator: _Locator,
    warnings: list[str],
) -> np.ndarray:
    parsed = _parse_numbers(data[column], is_margin=is_margin)
    present = locator.present(column)
    path = locator.path(column)
    bad = np.flatnonzero(parsed.bad & present)
    if bad.size:
        first = int(bad[0])
        more = f" ({bad.size - 1} more cells in this column are not numbers)" * (bad.size > 1)
        raise InputError(
            f"{parsed.text(first)[0]!r} is not a number{more}",
            path=path,
            location=f"column {column!r}, {locator.at(column, first)}",
            remedy="Correct the value, or leave the cell empty when it is not available",
        )
    huge = np.flatnonzero((np.abs(parsed.values) > _MAX_VALUE) & present)
    if huge.size:
        first = int(huge[0])
        raise InputError(
            f"{parsed.text(first)[0]!r} is larger than any count, median or margin of a "
            f"neighbourhood can be (more than {_MAX_VALUE:,.0f})",
            path=path,
            location=f"column {column!r}, {locator.at(column, first)}",
            remedy="Correct the value (a typing or export error?), or leave the cell empty",
        )
    negative = np.flatnonzero((parsed.values < 0) & present)
    if negative.size:
        first = int(negative[0])
        what = "margins of error" if is_margin else "counts and medians"
        raise InputError(
            f"{parsed.text(first)[0]!r} is negative, and {what} cannot be",
            path=path,
            location=f"column {column!r}, {locator.at(column, first)}",
            remedy="Correct the value, or leave the cell empty when it is not available",
        )
    blank = np.flatnonzero(parsed.blank & present)
    if blank.size:
        marks = sorted({mark for mark in parsed.text(blank) if mark})
        said = f" (marked {', '.join(repr(mark) for mark in marks)})" if marks else ""
        warnings.append(
            f"{path}: column {column!r}: {blank.size} empty or not-available value(s){said} "
            f"read as missing: {locator.examples(column, blank)}."
        )
    jammed = np.flatnonzero(parsed.jammed & present)
    if jammed.size:
        warnings.append(
            f"{path}: column {column!r}: {jammed.size} ACS 'not available' code(s) such as "
            f"{parsed.text(jammed[0])[0]} read as missing: {locator.examples(column, jammed)}."
        )
    coded = np.flatnonzero(parsed.coded & present)
    if coded.size:
        warnings.append(
            f"{path}: column {column!r}: {coded.size} top- or bottom-coded value(s) such as "
            f"{parsed.text(coded[0])[0]!r} read as the limit: {locator.examples(column, coded)}."
        )
    return parsed.values


def _field_values(
    data: pd.DataFrame,
    field_map: dict[str, FieldSource],
    locator: _Locator,
    warnings: list[str],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    cache: dict[tuple[str, bool], np.ndarray] = {}

    def values(column: str, is_margin: bool) -> np.ndarray:
        key = (column, is_margin)
        if key not in cache:
            cache[key] = _column_values(
                data, column, is_margin=is_margin, locator=locator, warnings=warnings
            )
        return cache[key]

    estimates: dict[str, np.ndarray] = {}
    margins: dict[str, np.ndarray] = {}
    for name, source in field_map.items():
        parts = np.column_stack([values(column, False) for column in source.estimate_columns])
        estimates[name] = parts.sum(axis=1)
        if source.moe_columns:
            errors = np.column_stack([values(column, True) for column in source.moe_columns])
            margins[name] = _sum_moe(parts, errors)
    apply_rates(estimates, margins, field_map, locator.path, warnings)  # rates to counts
    _check_universes(estimates, margins, field_map, locator)
    _check_populated(estimates, field_map, locator)
    for name, field_values in estimates.items():
        if len(field_values) and np.isnan(field_values).all():
            columns = field_map[name].estimate_columns
            raise InputError(
                f"field {name!r} has no value in any neighbourhood: every cell of "
                f"{' + '.join(map(repr, columns))} is empty or marked not available",
                path=locator.path(columns[0]),
                remedy="Fill in the column, or drop the field from the column mapping "
                f'("{name}": null) if the data do not have it',
            )
    return estimates, margins


def _check_populated(
    estimates: dict[str, np.ndarray], field_map: dict[str, FieldSource], locator: _Locator
) -> None:
    """Refuse a layer in which nobody lives: every share would divide by zero."""
    population = estimates.get("total_population")
    if population is None or np.nansum(population) > 0:
        return
    columns = " + ".join(field_map["total_population"].estimate_columns)
    raise InputError(
        f"every neighbourhood has a total population of 0 or none (column(s) {columns})",
        path=locator.path(field_map["total_population"].estimate_columns[0]),
        remedy="Check that the table holds the estimates (not empty cells, zeros or formulas "
        "without results) and that the population column is mapped right",
    )


def _sum_moe(estimates: np.ndarray, margins: np.ndarray) -> np.ndarray:
    """90% margin of error of a sum of ACS estimates (root sum of squares).

    Follows the Census Bureau's rule for zero estimates: of the components whose estimate is
    0, only the largest margin is included.

    Parameters
    ----------
    estimates, margins
        ``(rows, components)`` arrays.

    Returns
    -------
    numpy.ndarray
        One margin per row; NaN where any component's margin is missing.

    Examples
    --------
    >>> _sum_moe(np.array([[10.0, 20.0, 0.0, 0.0]]), np.array([[3.0, 4.0, 5.0, 7.0]]))
    array([8.60232527])
    """
    zero = estimates == 0
    squares = np.where(zero, 0.0, margins**2).sum(axis=1)
    largest_zero = np.where(zero, margins, 0.0).max(axis=1, initial=0.0)
    result: np.ndarray = np.sqrt(squares + largest_zero**2)
    result[np.isnan(margins).any(axis=1)] = np.nan
    return result


def _check_universes(
    estimates: dict[str, np.ndarray],
    margins: dict[str, np.ndarray],
    field_map: dict[str, FieldSource],
    locator: _Locator,
) -> None:
    """A part may not exceed its universe by more than the margin of the difference."""
    for name, spec in field_specs().items():
        universe = spec.universe
        if name not in estimates or universe is None or universe not in estimates:
            continue
        part, whole = estimates[name], estimates[universe]
        with np.errstate(invalid="ignore"):
            maybe = np.flatnonzero(part > whole)  # only these can exceed by the margin
        if maybe.size == 0:
            continue
        zeros = np.zeros(maybe.size)
        margin = np.hypot(
            np.nan_to_num(margins[name][maybe] if name in margins else zeros),
            np.nan_to_num(margins[universe][maybe] if universe in margins else zeros),
        )
        tolerance = 1e-9 * np.maximum(1.0, np.abs(whole[maybe]))
        over = maybe[(part[maybe] - whole[maybe]) > margin + tolerance]
        if over.size == 0:
            continue
        first = int(over[0])
        margin = np.hypot(
            np.nan_to_num(margins[name]) if name in margins else np.zeros(len(part)),
            np.nan_to_num(margins[universe]) if universe in margins else np.zeros(len(part)),
        )
        column = field_map[name].estimate_columns[0]
        more = f" ({over.size - 1} more neighbourhoods too)" if over.size > 1 else ""
        raise InputError(
            f"share above 100%: {name} ({part[first]:g}) is larger than its universe "
            f"{universe} ({whole[first]:g}) by more than the margin of error "
            f"({margin[first]:g}){more}",
            path=locator.path(column),
            location=f"{locator.at(column, first)}, fields {name!r} "
            f"({' + '.join(field_map[name].estimate_columns)}) and {universe!r} "
            f"({' + '.join(field_map[universe].estimate_columns)})",
            remedy="Check that both columns come from the same table and geography, or "
            "correct the column mapping",
        )
