"""Open the files neighbourhoods come from: polygon layers, attribute tables and CRS texts.

The one place that knows the supported formats, finds the Shapefile inside a .zip, lists
and chooses layers, reads a table with every cell as text (with the Windows-1252 fallback
for CSV files that are not UTF-8), and turns a user's CRS text into a CRS. Both the reader
(:mod:`equityplanner.io.neighbourhoods`) and the import wizard use it, so that they accept
the same files and report the same problems. Qt-free.

Every problem a user can cause is raised as :class:`~equityplanner.errors.InputError`.

Examples
--------
>>> crs_label(parse_crs("EPSG:4269", location="CRS"))
'NAD83 (EPSG:4269)'
>>> POLYGON_FORMATS[".zip"].description
'a zipped Shapefile'
"""

from __future__ import annotations

import codecs
import csv
import importlib.util
import io
import math
import warnings as warnings_module
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import shapely
import shapely.errors

from equityplanner.errors import InputError
from equityplanner.io.files import read_bounded, regular_file

__all__ = [
    "GIS_READ_ERRORS",
    "POINT_FORMATS",
    "POLYGON_FORMATS",
    "PREVIEW_ROWS",
    "TABLE_FORMATS",
    "FileFormat",
    "PolygonArrays",
    "check_shapefile_parts",
    "choose_layer",
    "crs_label",
    "parse_crs",
    "peek_polygons",
    "peek_table",
    "polygon_format",
    "polygon_source",
    "read_polygon_arrays",
    "read_polygons",
    "read_table",
    "spatial_layers",
    "table_format",
    "zip_shapefiles",
]

PREVIEW_ROWS = 20
"""Rows shown by :func:`peek_polygons` and :func:`peek_table` by default."""


@dataclass(frozen=True)
class FileFormat:
    """A supported file format.

    Attributes
    ----------
    name
        Short name, e.g. ``"Shapefile"``; suffixes sharing a name form one group of a
        file dialog's filter.
    description
        The format in a sentence, with its article: ``"a zipped Shapefile"``.
    """

    name: str
    description: str


POLYGON_FORMATS: Mapping[str, FileFormat] = {
    ".gpkg": FileFormat("GeoPackage", "a GeoPackage"),
    ".shp": FileFormat("Shapefile", "a Shapefile"),
    ".zip": FileFormat("Shapefile", "a zipped Shapefile"),
    ".geojson": FileFormat("GeoJSON", "a GeoJSON file"),
    ".json": FileFormat("GeoJSON", "a GeoJSON file"),
    ".fgb": FileFormat("FlatGeobuf", "a FlatGeobuf file"),
}
"""Polygon formats by lower-case suffix, in the order a file dialog lists them."""

POINT_FORMATS: Mapping[str, FileFormat] = {
    suffix: fmt for suffix, fmt in POLYGON_FORMATS.items() if suffix != ".zip"
}
"""GIS formats of point layers (opportunities, block points), read straight from their path.

The same formats as :data:`POLYGON_FORMATS` but a zipped Shapefile, which only the polygon
reader unpacks (:func:`polygon_source`).
"""

TABLE_FORMATS: Mapping[str, FileFormat] = {
    ".csv": FileFormat("CSV", "a CSV file"),
    ".xlsx": FileFormat("Excel", "an Excel workbook"),
    ".xlsm": FileFormat("Excel", "an Excel workbook"),
}
"""Attribute-table formats by lower-case suffix."""

_LAYER_ERRORS = (pyogrio.errors.DataSourceError, OSError, ValueError)
# pyogrio's Arrow path reads a layer several times faster (pyarrow is a dependency); an
# install without it still reads, slower.
_ARROW = importlib.util.find_spec("pyarrow") is not None
#: What reading a GIS file can raise (each becomes a one-line InputError naming the file).
GIS_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    OSError,
    ValueError,
)


# --- formats ---------------------------------------------------------------------------------


def polygon_format(path: Path) -> str:
    """The description of a polygon file's format, e.g. ``"a GeoPackage"``.

    Parameters
    ----------
    path
        The polygon file; only its suffix is looked at.

    Returns
    -------
    str
        :attr:`FileFormat.description` of the suffix.

    Raises
    ------
    InputError
        When the suffix is not one of :data:`POLYGON_FORMATS`.
    """
    return _format_of(
        path,
        POLYGON_FORMATS,
        "polygon",
        "Use a GeoPackage (.gpkg), a Shapefile (.shp, or a .zip holding one), "
        "GeoJSON (.geojson) or FlatGeobuf (.fgb)",
    )


def table_format(path: Path) -> str:
    """The description of a table's format, e.g. ``"a CSV file"``.

    Parameters
    ----------
    path
        The attribute table; only its suffix is looked at.

    Returns
    -------
    str
        :attr:`FileFormat.description` of the suffix.

    Raises
    ------
    InputError
        When the suffix is not one of :data:`TABLE_FORMATS`.
    """
    return _format_of(
        path, TABLE_FORMATS, "table", "Save the attribute table as CSV (.csv) or Excel (.xlsx)"
    )


def _format_of(path: Path, formats: Mapping[str, FileFormat], what: str, remedy: str) -> str:
    suffix = path.suffix.lower()
    found = formats.get(suffix)
    if found is None:
        raise InputError(
            f"is not a supported {what} format ({suffix or 'no extension'})",
            path=path,
            remedy=remedy,
        )
    return found.description


# --- polygon layers --------------------------------------------------------------------------


def zip_shapefiles(path: Path) -> tuple[str, ...]:
    """The Shapefiles (``.shp`` members) inside a .zip archive.

    Parameters
    ----------
    path
        The archive.

    Returns
    -------
    tuple of str
        Member names in archive order, e.g. ``("tracts/tl_2023_01_tract.shp",)``; macOS
        resource forks (``__MACOSX/``) are skipped.

    Raises
    ------
    InputError
        When the archive cannot be read or holds no Shapefile.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(
            "is not a readable .zip archive",
            path=path,
            remedy="Download or zip the Shapefile again",
        ) from exc
    members = tuple(
        name for name in names if name.lower().endswith(".shp") and not name.startswith("__MACOSX/")
    )
    if not members:
        raise InputError(
            "holds no Shapefile (.shp)",
            path=path,
            remedy="Zip the .shp together with its .shx, .dbf and .prj files",
        )
    return members


def polygon_source(path: Path, layer: str | None) -> tuple[str, str | None]:
    """The GDAL dataset and the layer to open for a polygon file and a chosen layer.

    Parameters
    ----------
    path
        The polygon file.
    layer
        The layer, or for a .zip the name (stem) of the Shapefile inside it; ``None`` to
        let :func:`choose_layer` decide (a .zip must then hold a single Shapefile).

    Returns
    -------
    tuple of (str, str or None)
        For a .zip, the ``/vsizip/`` path of the Shapefile and ``None``; otherwise the path
        and ``layer`` unchanged.

    Raises
    ------
    InputError
        For a .zip that cannot be read, holds no Shapefile, none named ``layer``, or
        several while ``layer`` is ``None``.
    """
    if path.suffix.lower() != ".zip":
        return str(path), layer
    members = zip_shapefiles(path)
    if layer is not None:
        named = [name for name in members if PurePosixPath(name).stem == layer]
        if not named:
            raise InputError(
                f"holds no Shapefile named {layer!r}",
                path=path,
                remedy="Choose one of: " + ", ".join(PurePosixPath(name).stem for name in members),
            )
        members = (named[0],)
    if len(members) > 1:
        raise InputError(
            f"holds {len(members)} Shapefiles",
            path=path,
            remedy="Choose one with the layer option: "
            + ", ".join(PurePosixPath(name).stem for name in members),
        )
    return f"/vsizip/{path.resolve().as_posix()}/{members[0]}", None


def _layers(source: str, path: Path, kind: str) -> list[tuple[str, bool]]:
    """Every layer of a GDAL dataset as ``(name, has geometries)``."""
    try:
        layers = pyogrio.list_layers(source)
    except _LAYER_ERRORS as exc:
        raise InputError(
            f"cannot be opened as {kind} ({exc})",
            path=path,
            remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
        ) from exc
    return [(str(name), geometry_type is not None) for name, geometry_type in layers]


def _no_spatial_layer(path: Path) -> InputError:
    return InputError(
        "has no layer with geometries",
        path=path,
        remedy="Export the neighbourhood polygons with their geometry",
    )


def spatial_layers(path: Path) -> tuple[str, ...]:
    """The layers a user may choose: spatial layers, or the Shapefiles inside a .zip.

    Parameters
    ----------
    path
        The polygon file.

    Returns
    -------
    tuple of str
        Layer names in file order (for a .zip, the Shapefiles' stems), never empty; each
        is a valid ``layer`` for :func:`polygon_source` and :func:`read_polygons`.

    Raises
    ------
    InputError
        For an unsupported format, a file that cannot be opened, or one without a layer
        with geometries.
    """
    kind = polygon_format(path)
    if path.suffix.lower() == ".zip":
        return tuple(PurePosixPath(member).stem for member in zip_shapefiles(path))
    spatial = tuple(name for name, spatial in _layers(str(path), path, kind) if spatial)
    if not spatial:
        raise _no_spatial_layer(path)
    return spatial


def choose_layer(source: str, layer: str | None, *, path: Path, kind: str) -> str | None:
    """The layer to read from a GDAL dataset: ``layer`` if it exists, else the only one.

    Parameters
    ----------
    source
        The dataset, as returned by :func:`polygon_source`.
    layer
        The layer asked for, or ``None``.
    path
        The file named in messages.
    kind
        Its format's description (:func:`polygon_format`), for messages.

    Returns
    -------
    str or None
        ``layer``; else the single spatial layer of a multi-layer dataset; else ``None``
        (a single-layer dataset: read its layer).

    Raises
    ------
    InputError
        When the dataset cannot be opened, has no layer ``layer``, no spatial layer, or
        several spatial layers while ``layer`` is ``None``.
    """
    layers = _layers(source, path, kind)
    spatial = [name for name, is_spatial in layers if is_spatial]
    if layer is not None:
        if layer not in [name for name, _ in layers]:
            raise InputError(
                f"has no layer {layer!r}",
                path=path,
                remedy=f"Choose one of: {', '.join(spatial) or 'no layer has geometries'}",
            )
        return layer
    if not spatial:
        raise _no_spatial_layer(path)
    if len(spatial) > 1:
        raise InputError(
            f"has {len(spatial)} layers with geometries",
            path=path,
            remedy=f"Choose one with the layer option: {', '.join(spatial)}",
        )
    return spatial[0] if len(layers) > 1 else None


def read_polygons(path: Path, layer: str | None) -> gpd.GeoDataFrame:
    """Read a whole polygon layer.

    Parameters
    ----------
    path
        A file of one of :data:`POLYGON_FORMATS`.
    layer
        See :func:`polygon_source`.

    Returns
    -------
    geopandas.GeoDataFrame
        The features as stored, in the file's CRS (``None`` when it declares none).

    Raises
    ------
    InputError
        For an unsupported format, an unknown or ambiguous layer, or an unreadable file.
    """
    kind = polygon_format(path)
    path = regular_file(path, "neighbourhood file")
    check_shapefile_parts(path)
    source, layer = polygon_source(path, layer)
    chosen = choose_layer(source, layer, path=path, kind=kind)
    try:
        return gpd.read_file(source, engine="pyogrio", layer=chosen, use_arrow=_ARROW)
    except GIS_READ_ERRORS as exc:
        raise InputError(
            f"cannot be read as {kind} ({exc})",
            path=path,
            remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
        ) from exc


_SHAPE_PARTS = {
    ".shx": "the index of its shapes",
    ".dbf": "its attribute table, which holds the ids and values",
}


@dataclass(frozen=True)
class PolygonArrays:
    """A polygon layer as read for analysis: attributes, geometries and declared CRS.

    Attributes
    ----------
    attributes
        One row per feature (RangeIndex), the file's attribute columns as pandas reads
        them from Arrow (text as ``str``, numbers as int64 or float64).
    geometry
        The features' shapely geometries (None where a feature has none).
    crs
        The CRS the file declares, as text (``"EPSG:4269"``), or None.
    notes
        What GDAL warned of while reading, one sentence each.
    """

    attributes: pd.DataFrame
    geometry: np.ndarray
    crs: str | None
    notes: tuple[str, ...] = ()


def read_polygon_arrays(path: Path, layer: str | None) -> PolygonArrays:
    """Read a whole polygon layer through pyogrio's Arrow path, without a GeoDataFrame.

    The fastest way to a layer's columns and geometries: the attributes go from Arrow to
    pandas once, and the geometries from WKB to shapely once (issue 14).

    Raises
    ------
    InputError
        As :func:`read_polygons`.
    """
    kind = polygon_format(path)
    path = regular_file(path, "neighbourhood file")
    check_shapefile_parts(path)
    source, layer = polygon_source(path, layer)
    chosen = choose_layer(source, layer, path=path, kind=kind)
    if not _ARROW:  # pragma: no cover - without pyarrow
        frame = read_polygons(path, layer)
        attributes = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        crs = frame.crs.to_string() if frame.crs is not None else None
        return PolygonArrays(attributes.reset_index(drop=True), frame.geometry.to_numpy(), crs)
    try:
        with warnings_module.catch_warnings(record=True) as caught:
            warnings_module.simplefilter("always")
            meta, table = pyogrio.read_arrow(source, layer=chosen)
        notes = _gdal_notes(caught, path)
        name = meta.get("geometry_name") or "wkb_geometry"
        if name in table.column_names:
            wkb = table[name].to_numpy(zero_copy_only=False)
            table = table.drop_columns([name])
            with np.errstate(invalid="ignore"):  # NaN coordinates: named by the reader
                geometry = shapely.from_wkb(wkb, on_invalid="ignore")
            missing = np.flatnonzero(shapely.is_missing(geometry))
            unreadable = missing[~pd.isna(wkb[missing])]
            if unreadable.size:
                shown = ", ".join(f"feature {i + 1}" for i in unreadable[:5])
                raise InputError(
                    f"{unreadable.size} feature(s) have a geometry that cannot be read (a "
                    "polygon ring that does not close, or too few points)",
                    path=path,
                    location=shown + (" and more" if unreadable.size > 5 else ""),
                    remedy="Repair the geometries (e.g. QGIS's Fix geometries) and export again",
                )
        else:
            geometry = np.full(table.num_rows, None, dtype=object)
        attributes = table.to_pandas()
    except (*GIS_READ_ERRORS, shapely.errors.GEOSException) as exc:
        raise InputError(
            f"cannot be read as {kind} ({str(exc)[:200]})",
            path=path,
            remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
        ) from exc
    attributes.columns = [str(column) for column in attributes.columns]
    return PolygonArrays(attributes.reset_index(drop=True), geometry, meta.get("crs"), notes)


def _gdal_notes(caught: list[warnings_module.WarningMessage], path: Path) -> tuple[str, ...]:
    """GDAL's warnings while reading, as sentences for the run's warnings (never stderr)."""
    notes: list[str] = []
    texts = [str(w.message) for w in caught]
    unclosed = sum("Non closed ring" in t for t in texts)
    if unclosed:
        notes.append(
            f"{path}: polygon rings that did not close were closed when read ({unclosed} "
            "warning(s) from GDAL); check those features."
        )
    notes += [f"{path}: {t}" for t in texts if "Non closed ring" not in t][:5]
    return tuple(notes)


def check_shapefile_parts(path: Path) -> None:
    """Refuse a Shapefile (or a .zip of one) without its .shx or .dbf, naming the part.

    Raises
    ------
    InputError
        Naming the missing file and what it holds.
    """
    suffix = path.suffix.lower()
    if suffix == ".shp":
        present = {
            file.suffix.lower()
            for file in path.parent.glob(f"{_glob_escape(path.stem)}.*")
            if file.stem == path.stem
        }
        missing = [part for part in _SHAPE_PARTS if part not in present]
        where = path.parent
    elif suffix == ".zip":
        members = zip_shapefiles(path)
        with zipfile.ZipFile(path) as archive:
            names = {name.lower() for name in archive.namelist()}
        missing = []
        for member in members:
            stem = member[: -len(".shp")].lower()
            missing += [part for part in _SHAPE_PARTS if stem + part not in names]
        where = path
    else:
        return
    if missing:
        part = missing[0]
        raise InputError(
            f"the Shapefile has no {path.stem}{part} beside it ({_SHAPE_PARTS[part]})",
            path=path,
            remedy=f"Copy {path.stem}{part} into {where.name or where} with the .shp, or "
            "export the layer as a GeoPackage",
        )


def _glob_escape(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def peek_polygons(
    path: Path, layer: str | None, rows: int = PREVIEW_ROWS
) -> tuple[pd.DataFrame, str | None]:
    """The first attribute rows of a polygon layer and the CRS it declares.

    Parameters
    ----------
    path
        The polygon file.
    layer
        A layer from :func:`spatial_layers` (see :func:`polygon_source`).
    rows
        How many features to read at most.

    Returns
    -------
    tuple of (pandas.DataFrame, str or None)
        The attributes (no geometry) with string column names, and the declared CRS as
        text (e.g. ``"EPSG:4269"``), ``None`` when the file declares none.

    Raises
    ------
    InputError
        When the file or layer cannot be read.
    """
    kind = polygon_format(path)
    source, name = polygon_source(path, layer)
    try:
        info = pyogrio.read_info(source, layer=name)
        frame = pyogrio.read_dataframe(source, layer=name, read_geometry=False, max_features=rows)
    except GIS_READ_ERRORS as exc:
        raise InputError(
            f"cannot be read as {kind} ({exc})",
            path=path,
            remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
        ) from exc
    frame = pd.DataFrame(frame)
    frame.columns = [str(column) for column in frame.columns]
    return frame, info.get("crs")


# --- tables ----------------------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    rows: int | None = None,
    warnings: list[str] | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """Read a CSV or Excel table with every cell as text, so leading zeros survive.

    A CSV file's encoding is sniffed (UTF-8 with or without a byte-order mark, UTF-16 with
    one; otherwise Windows-1252, unreadable bytes replaced) and so is its separator (comma,
    semicolon, tab or bar). An Excel workbook's first visible sheet is read unless ``sheet``
    names one; formulas without a saved result are refused.

    Parameters
    ----------
    path
        A file of one of :data:`TABLE_FORMATS`.
    rows
        How many data rows to read at most; ``None`` for all.
    warnings
        Receives a sentence when the Windows-1252 fallback or a separator other than the
        comma was used, or when a workbook has several visible sheets.
    sheet
        The sheet of an Excel workbook to read.

    Returns
    -------
    pandas.DataFrame
        Cells as ``str`` (missing cells of an Excel sheet as NaN, of a CSV file as ``""``),
        column names as stripped strings.

    Raises
    ------
    InputError
        For an unsupported format, an empty or unreadable file, or two columns with the same
        name (once the spaces around names are removed).
    """
    kind = table_format(path)
    path = regular_file(path, "table")
    notes: list[str] = []
    try:
        if path.suffix.lower() == ".csv":
            frame = _read_csv(path, rows, notes)
        else:
            frame = _read_excel(path, rows, notes, sheet)
    except InputError:
        raise
    except pd.errors.EmptyDataError as exc:
        raise InputError("is empty", path=path, remedy="Export the table again") from exc
    except (pd.errors.ParserError, zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise InputError(
            f"cannot be read as {kind} ({str(exc)[:200]})",
            path=path,
            remedy=f"Check that the file is {kind}, for example by opening it in a spreadsheet",
        ) from exc
    if warnings is not None:
        warnings += notes
    frame.columns = _column_names(frame.columns, path)
    return frame


def _column_names(columns: pd.Index, path: Path) -> list[str]:
    """Stripped column names; two columns with one name are refused, naming both."""
    names = [str(column).strip() for column in columns]
    seen: dict[str, int] = {}
    for number, name in enumerate(names, 1):
        if name in seen:
            raw = [str(columns[seen[name] - 1]), str(columns[number - 1])]
            spaced = " (once the spaces around names are removed)" if raw[0] != raw[1] else ""
            raise InputError(
                f"has two columns named {name!r}{spaced}: columns {seen[name]} and {number}",
                path=path,
                remedy="Rename or delete one of them, so that it is clear which one is meant",
            )
        seen[name] = number
    return names


_SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {";": "semicolons", "\t": "tabs", "|": "bars"}


def _sniff_encoding(head: bytes) -> str | None:
    """``"utf-16"`` for a UTF-16 byte-order mark (or NUL-padded ASCII), ``"utf-8-sig"``..."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    sample = head[:200]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 3:
        return "utf-16-le" if sample[1] == 0 else "utf-16-be"
    return None


def _sniff_separator(text: str) -> str:
    """The separator of a CSV header line: the most frequent of comma, semicolon, tab, bar."""
    try:
        header = next(csv.reader(io.StringIO(text.splitlines()[0] if text else "")), [])
    except csv.Error:
        return ","
    if len(header) > 1:
        return ","
    counts = {sep: text.splitlines()[0].count(sep) for sep in _SEPARATORS} if text else {}
    best = max(counts, key=lambda sep: counts[sep], default=",")
    return best if counts.get(best, 0) > 0 else ","


def _read_csv(path: Path, rows: int | None, notes: list[str]) -> pd.DataFrame:
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    encoding = _sniff_encoding(head)
    if encoding is None:
        try:
            head.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sample is still UTF-8.
            encoding = "utf-8-sig" if exc.start >= len(head) - 4 else None
    errors = "strict"
    if encoding is None:
        encoding, errors = "cp1252", "replace"
        notes.append(
            f"{path}: not UTF-8 text; read as Windows-1252, and unreadable characters in "
            "names were replaced."
        )
    elif encoding.startswith("utf-16"):
        notes.append(f"{path}: UTF-16 text, read as such.")
    text = head.decode(encoding, errors="replace")
    sep = _sniff_separator(text)
    if sep != ",":
        notes.append(f"{path}: columns separated by {_SEPARATOR_NAMES[sep]}, read as such.")
    options: dict[str, Any] = {
        "dtype": str,
        "keep_default_na": False,
        "nrows": None if rows is None else rows + 1,
        "sep": sep,
        "header": None,
        "encoding": encoding,
        "encoding_errors": errors,
    }
    try:
        raw = pd.read_csv(path, **options)
    except UnicodeDecodeError:
        if encoding == "cp1252":
            raise
        notes.append(
            f"{path}: not UTF-8 text; read as Windows-1252, and unreadable characters in "
            "names were replaced."
        )
        raw = pd.read_csv(path, **{**options, "encoding": "cp1252", "encoding_errors": "replace"})
    if raw.empty:
        raise pd.errors.EmptyDataError("no header")
    header = [
        name if name.strip() else f"Unnamed: {number}"
        for number, name in enumerate(raw.iloc[0].fillna(""))
    ]
    frame = raw.iloc[1:].reset_index(drop=True)
    frame.columns = pd.Index(header, dtype=object)
    if rows is not None:
        frame = frame.iloc[:rows]
    return frame


def _read_excel(path: Path, rows: int | None, notes: list[str], sheet: str | None) -> pd.DataFrame:
    """The chosen sheet of a workbook as text; the XML is parsed by openpyxl (no entities)."""
    try:
        from openpyxl import load_workbook  # deferred: only Excel tables need it

        book = load_workbook(read_bounded_stream(path), read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types (XML, zip, key errors) for bad files
        raise InputError(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {str(exc)[:150]})",
            path=path,
            remedy="Open it in Excel or LibreOffice and save it again as .xlsx",
        ) from exc
    try:
        worksheet = _choose_sheet(book, path, notes, sheet)
        cells = list(
            worksheet.iter_rows(values_only=True, max_row=None if rows is None else rows + 1)
        )
    except InputError:
        raise
    except Exception as exc:  # as above: malformed sheet XML
        raise InputError(
            f"cannot be read as an Excel workbook ({type(exc).__name__}: {str(exc)[:150]})",
            path=path,
            remedy="Open it in Excel or LibreOffice and save it again as .xlsx",
        ) from exc
    finally:
        book.close()
    cells = [row for row in cells if row is not None]
    if not cells or all(value is None for value in cells[0]):
        raise pd.errors.EmptyDataError("no header")
    width = max(len(row) for row in cells)
    header = [_excel_text(value) for value in cells[0]] + [""] * (width - len(cells[0]))
    header = [name if name.strip() else f"Unnamed: {n}" for n, name in enumerate(header)]
    body = [
        [_excel_text(value, missing=None) for value in row] + [None] * (width - len(row))
        for row in cells[1:]
    ]
    frame = pd.DataFrame(body, columns=pd.Index(header, dtype=object), dtype=object)
    _check_formulas(path, worksheet.title, frame)
    return frame.astype(object).where(frame.notna(), np.nan)


def read_bounded_stream(path: Path) -> io.BytesIO:
    """A workbook's bytes in memory (at most 512 MB), so a FIFO swapped in cannot block."""
    return io.BytesIO(read_bounded(path, "table", 512 * 1024 * 1024))


def _choose_sheet(book: Any, path: Path, notes: list[str], sheet: str | None) -> Any:
    visible = [ws for ws in book.worksheets if getattr(ws, "sheet_state", "visible") == "visible"]
    if sheet is not None:
        for ws in book.worksheets:
            if ws.title == sheet:
                return ws
        raise InputError(
            f"has no sheet {sheet!r}",
            path=path,
            remedy="Choose one of: " + ", ".join(repr(ws.title) for ws in book.worksheets),
        )
    if not visible:
        raise InputError("has no visible sheet", path=path, remedy="Name the sheet to read")
    hidden = [ws.title for ws in book.worksheets if ws not in visible]
    if len(visible) > 1 or hidden:
        others = [ws.title for ws in visible[1:]]
        said = []
        if others:
            said.append(f"other visible sheet(s) {', '.join(map(repr, others))}")
        if hidden:
            said.append(f"hidden sheet(s) {', '.join(map(repr, hidden))}")
        notes.append(
            f"{path}: read the first visible sheet, {visible[0].title!r}; "
            f"{' and '.join(said)} were not read (name the sheet to read another)."
        )
    return visible[0]


def _excel_text(value: Any, missing: Any = "") -> Any:
    """A cell as text, as a spreadsheet shows it: 1073000100, not 1073000100.0."""
    if value is None:
        return missing
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _check_formulas(path: Path, title: str, frame: pd.DataFrame) -> None:
    """Refuse formulas whose result the file does not hold (read as empty, they would lie).

    A file written by a program that does not calculate (a script, some exporters) keeps
    ``=A2*2`` without its value; only the empty cells are looked at again.
    """
    empty = frame.isna().to_numpy()
    if not empty.any():
        return
    from openpyxl import load_workbook

    book = load_workbook(read_bounded_stream(path), read_only=True, data_only=False)
    try:
        sheet = book[title]
        for r, row in enumerate(sheet.iter_rows(min_row=2, values_only=True)):
            if r >= len(frame):
                break
            for c, value in enumerate(row[: frame.shape[1]]):
                if empty[r, c] and isinstance(value, str) and value.startswith("="):
                    from openpyxl.utils import get_column_letter

                    raise InputError(
                        f"cell {get_column_letter(c + 1)}{r + 2} of sheet {title!r} holds the "
                        f"formula {value[:40]!r} without its result (column "
                        f"{frame.columns[c]!r})",
                        path=path,
                        remedy="Open the file in Excel or LibreOffice and save it, so that the "
                        "results are stored, or export the sheet as CSV",
                    )
    finally:
        book.close()


def peek_table(path: Path, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first rows of a CSV or Excel table, every cell as text.

    Parameters
    ----------
    path
        A file of one of :data:`TABLE_FORMATS`.
    rows
        How many data rows to read at most.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_table`.

    Raises
    ------
    InputError
        As :func:`read_table`.
    """
    return read_table(path, rows=rows)


# --- coordinate reference systems ------------------------------------------------------------


def parse_crs(text: Any, *, location: str) -> pyproj.CRS:
    """A CRS from what a user gave.

    Parameters
    ----------
    text
        Anything :meth:`pyproj.CRS.from_user_input` accepts, e.g. ``"EPSG:4269"``; text is
        stripped of surrounding blanks first.
    location
        Where the text was given (``"crs option"``, ``"CRS"``), for the message.

    Returns
    -------
    pyproj.CRS

    Raises
    ------
    InputError
        When it is not a coordinate reference system.

    Examples
    --------
    >>> parse_crs(" EPSG:4326 ", location="CRS").to_epsg()
    4326
    """
    given = text.strip() if isinstance(text, str) else text
    try:
        return pyproj.CRS.from_user_input(given)
    except pyproj.exceptions.CRSError as exc:
        raise InputError(
            f"{given!r} is not a coordinate reference system",
            location=location,
            remedy="Give an EPSG code, e.g. EPSG:4269 for TIGER/Line files",
        ) from exc


def crs_label(crs: pyproj.CRS) -> str:
    """A CRS for people: its name and, when it has one, its authority code.

    Parameters
    ----------
    crs
        Any CRS.

    Returns
    -------
    str
        ``"Name (AUTHORITY:CODE)"``, or the name alone for a CRS without a code.

    Examples
    --------
    >>> crs_label(pyproj.CRS.from_epsg(32616))
    'WGS 84 / UTM zone 16N (EPSG:32616)'
    """
    code = crs.to_authority()
    return f"{crs.name} ({code[0]}:{code[1]})" if code else crs.name
