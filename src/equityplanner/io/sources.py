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

import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
from openpyxl.utils.exceptions import InvalidFileException

from equityplanner.errors import InputError

__all__ = [
    "POINT_FORMATS",
    "POLYGON_FORMATS",
    "PREVIEW_ROWS",
    "TABLE_FORMATS",
    "FileFormat",
    "choose_layer",
    "crs_label",
    "parse_crs",
    "peek_polygons",
    "peek_table",
    "polygon_format",
    "polygon_source",
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
_READ_ERRORS = (
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
    source, layer = polygon_source(path, layer)
    chosen = choose_layer(source, layer, path=path, kind=kind)
    try:
        return gpd.read_file(source, engine="pyogrio", layer=chosen)
    except _READ_ERRORS as exc:
        raise InputError(
            f"cannot be read as {kind} ({exc})",
            path=path,
            remedy=f"Check that the file is complete and is {kind} (open it in QGIS, say)",
        ) from exc


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
    except _READ_ERRORS as exc:
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
    path: Path, *, rows: int | None = None, warnings: list[str] | None = None
) -> pd.DataFrame:
    """Read a CSV or Excel table with every cell as text, so leading zeros survive.

    A CSV file that is not UTF-8 is read as Windows-1252, unreadable bytes replaced.

    Parameters
    ----------
    path
        A file of one of :data:`TABLE_FORMATS`.
    rows
        How many data rows to read at most; ``None`` for all.
    warnings
        Receives a sentence when the Windows-1252 fallback was used.

    Returns
    -------
    pandas.DataFrame
        Cells as ``str`` (missing cells of an Excel sheet as NaN, of a CSV file as ``""``),
        column names as stripped strings.

    Raises
    ------
    InputError
        For an unsupported format, an empty or unreadable file.
    """
    kind = table_format(path)
    try:
        if path.suffix.lower() == ".csv":
            frame = _read_csv(path, rows, warnings)
        else:
            frame = pd.read_excel(path, dtype=str, nrows=rows, engine="openpyxl")
    except pd.errors.EmptyDataError as exc:
        raise InputError("is empty", path=path, remedy="Export the table again") from exc
    except (
        pd.errors.ParserError,
        InvalidFileException,
        zipfile.BadZipFile,
        OSError,
        ValueError,
        KeyError,
    ) as exc:
        raise InputError(
            f"cannot be read as {kind} ({exc})",
            path=path,
            remedy=f"Check that the file is {kind}, for example by opening it in a spreadsheet",
        ) from exc
    frame.columns = [str(column).strip() for column in frame.columns]
    return frame


def _read_csv(path: Path, rows: int | None, warnings: list[str] | None) -> pd.DataFrame:
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False, "nrows": rows}
    try:
        return pd.read_csv(path, encoding="utf-8-sig", **options)
    except UnicodeDecodeError:
        if warnings is not None:
            warnings.append(
                f"{path}: not UTF-8 text; read as Windows-1252, and unreadable characters in "
                "names were replaced."
            )
        return pd.read_csv(path, encoding="cp1252", encoding_errors="replace", **options)


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
