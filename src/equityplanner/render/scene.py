"""The map as data: projected, simplified geometry with classes, colours, symbols and labels.

:func:`prepare_scene` turns an :class:`~equityplanner.model.results.Assessment` into a
:class:`MapScene` without Qt, so the workbook writer and the desktop app draw the same map:
the writer through :func:`equityplanner.render.map_image.render_map_png`, the app by calling
:func:`equityplanner.render.map_image.paint_map` in a widget's ``paintEvent`` (or by turning
the same arrays into ``QGraphicsPathItem`` objects).

Coordinates are metres in a local projected CRS (the UTM zone of the study area, so shapes
are true to scale and the scale bar is right), with y pointing north. Every geometry is held
as :class:`Rings`: one ``(N, 2)`` float64 array of vertices and the index where each ring or
line part begins, so a painter can build its paths with numpy and no per-vertex Python loop.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError, MethodError
from equityplanner.model.fields import field_specs, group_specs
from equityplanner.model.project import HousingProject, TransitProject
from equityplanner.model.results import Assessment
from equityplanner.render.classify import (
    LegendEntry,
    Method,
    assign_classes,
    class_breaks,
    legend_entries,
    palette,
)

__all__ = [
    "CatchmentLayer",
    "ClassLayer",
    "LineLayer",
    "MapScene",
    "PointLayer",
    "Rings",
    "SymbolEntry",
    "field_label",
    "mappable_fields",
    "prepare_scene",
    "resolve_field",
    "rings_of",
    "short_label",
    "value_formatter",
]

_WGS84 = CRS.from_epsg(4326)
_METHOD_WORDS = {
    "quantile": "quantiles (about as many neighbourhoods in each class)",
    "equal": "equal intervals",
    "natural": "natural breaks (Jenks)",
}
_EXTRA_LABELS = {
    "quintile": "Income quintile (1 = lowest income, 0 = not ranked)",
    "vulnerability_score": "Displacement risk factors (of 5)",
    "is_vulnerable": "Vulnerable to displacement",
    "is_recap": "Racially or ethnically concentrated area of poverty (R/ECAP)",
    "in_comparison": "In the comparison population",
}
_MAX_STATION_LABELS = 5


@dataclass(frozen=True)
class Rings:
    """Polygon rings or line parts: all vertices in one array.

    ``coords`` is ``(N, 2)`` float64 (x, y in metres); ``starts`` holds the index in
    ``coords`` where each ring (or line part) begins, increasing. A polygon ring repeats its
    first vertex at the end.
    """

    coords: np.ndarray
    starts: np.ndarray

    @property
    def is_empty(self) -> bool:
        """True when there is no vertex."""
        return self.coords.shape[0] == 0


def rings_of(geometries: Any) -> Rings:
    """The rings (polygons) or parts (lines) of shapely geometries, vectorised.

    Examples
    --------
    >>> r = rings_of(shapely.box(0, 0, 1, 1))
    >>> r.coords.shape, r.starts.tolist()
    ((5, 2), [0])
    """
    geoms = np.atleast_1d(np.asarray(geometries, dtype=object))
    geoms = geoms[~shapely.is_missing(geoms)]
    if geoms.size == 0:
        return Rings(np.empty((0, 2)), np.empty(0, dtype=np.int64))
    parts = shapely.get_parts(geoms)
    polygon = shapely.get_type_id(parts) == 3
    pieces = []
    if polygon.any():
        pieces.append(shapely.get_rings(_oriented(parts[polygon])))
    if (~polygon).any():
        pieces.append(parts[~polygon])
    pieces_arr = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
    coords, index = shapely.get_coordinates(pieces_arr, return_index=True)
    if coords.shape[0] == 0:
        return Rings(np.empty((0, 2)), np.empty(0, dtype=np.int64))
    starts = np.flatnonzero(np.concatenate([[True], index[1:] != index[:-1]])).astype(np.int64)
    return Rings(np.ascontiguousarray(coords, dtype=np.float64), starts)


def _oriented(polygons: np.ndarray) -> np.ndarray:
    # Exterior counter-clockwise, holes clockwise: a winding fill leaves the holes empty and
    # still fills slivers where simplified neighbours overlap.
    orient = getattr(shapely, "orient_polygons", None)  # shapely >= 2.1
    if orient is not None:
        return np.asarray(orient(polygons))
    from shapely.geometry.polygon import orient as orient_one

    return np.array([orient_one(p) for p in polygons], dtype=object)


@dataclass(frozen=True)
class ClassLayer:
    """The neighbourhoods of one class, filled with one colour."""

    colour: str
    label: str
    rings: Rings
    count: int


@dataclass(frozen=True)
class CatchmentLayer:
    """A walk catchment (outlined and hatched)."""

    label: str
    rings: Rings
    colour: str


@dataclass(frozen=True)
class LineLayer:
    """A transit alignment; ``is_burden`` lines (cuts) are drawn dashed."""

    label: str
    parts: Rings
    colour: str
    is_burden: bool


@dataclass(frozen=True)
class PointLayer:
    """Stations of a line, or a housing site (``symbol`` ``"station"`` or ``"site"``).

    ``show_label`` marks the few points whose name is written on the map.
    """

    label: str
    xy: np.ndarray
    names: tuple[str, ...]
    show_label: np.ndarray
    symbol: str
    colour: str


@dataclass(frozen=True)
class SymbolEntry:
    """A legend line for a map symbol: ``catchment``, ``line``, ``burden_line``,
    ``station``, ``site`` or ``no_data``."""

    symbol: str
    label: str
    colour: str


@dataclass(frozen=True)
class MapScene:
    """Everything needed to draw the map, in projected metres, without Qt.

    Attributes
    ----------
    bounds
        (xmin, ymin, xmax, ymax) of the neighbourhoods, in metres.
    crs_name
        Name of the projected CRS of the coordinates (for the map's note).
    north_angle_deg
        Direction of true north, clockwise from the map's up direction (grid convergence).
    classes
        One layer per class, lowest first, with its fill colour and legend label.
    no_data
        Neighbourhoods without a value (drawn grey and hatched), or None.
    catchments, lines, points
        Project layers, drawn in this order above the classes.
    legend_title, legend
        The field's plain-language label and one entry per class.
    symbols
        Legend lines for the project symbols.
    title, subtitle, source, note
        Texts around the map: the source line names the data vintage and the software
        version; the note says how the classes were made.
    colours
        The ``[map]`` colours of ``resources/palettes.toml``.
    """

    bounds: tuple[float, float, float, float]
    crs_name: str
    north_angle_deg: float
    classes: tuple[ClassLayer, ...]
    no_data: Rings | None
    catchments: tuple[CatchmentLayer, ...]
    lines: tuple[LineLayer, ...]
    points: tuple[PointLayer, ...]
    legend_title: str
    legend: tuple[LegendEntry, ...]
    symbols: tuple[SymbolEntry, ...]
    title: str
    subtitle: str
    source: str
    note: str
    field: str
    colours: dict[str, str] = field(default_factory=dict)


def mappable_fields(baseline: pd.DataFrame) -> list[str]:
    """Numeric columns of the baseline table that can shade the map."""
    out = []
    for column in baseline.columns:
        if column in ("id", "name") or column.endswith("_moe"):
            continue
        dtype = baseline[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            out.append(str(column))
    return out


def resolve_field(baseline: pd.DataFrame, name: str | None) -> str:
    """The baseline column for a map field or a group id (``low_income`` → ``low_income_share``).

    Raises
    ------
    InputError
        When there is no such numeric column; the message lists some that exist.
    """
    candidates = mappable_fields(baseline)
    wanted = (name or "minority_share").strip()
    for option in (wanted, f"{wanted}_share"):
        if option in candidates:
            return option
    shares = [c for c in candidates if c.endswith("_share")]
    listed = ", ".join((shares or candidates)[:12])
    raise InputError(
        f"there is no numeric neighbourhood field '{wanted}' to map",
        location="map field",
        remedy=f"Choose one of: {listed}",
    )


def field_label(name: str) -> str:
    """A plain-language label of a baseline column.

    Examples
    --------
    >>> field_label("low_income_share")
    'Low-income (below 200% of poverty), % of population for whom poverty status is determined'
    >>> field_label("quintile")
    'Income quintile (1 = lowest income, 0 = not ranked)'
    """
    if name in _EXTRA_LABELS:
        return _EXTRA_LABELS[name]
    groups = group_specs()
    fields = field_specs()
    for suffix, words in (("_share", None), ("_count", "count"), ("_universe", "universe")):
        if name.endswith(suffix) and name[: -len(suffix)] in groups:
            spec = groups[name[: -len(suffix)]]
            if words is None:
                universe = fields.get(spec.denominator)
                of = universe.label.lower() if universe else spec.denominator
                return f"{spec.label}, % of {of}"
            return f"{spec.label} ({words})"
    if name in fields:
        spec = fields[name]
        return f"{spec.label} ({spec.unit})" if spec.unit.startswith("USD") else spec.label
    return name.replace("_", " ").capitalize()


def short_label(name: str) -> str:
    """A short label of a baseline column for titles and headers.

    Examples
    --------
    >>> short_label("minority_share")
    'Minority share of total population'
    >>> short_label("median_household_income")
    'Median household income'
    """
    groups = group_specs()
    if name.endswith("_share") and name[:-6] in groups:
        spec = groups[name[:-6]]
        universe = field_specs().get(spec.denominator)
        of = universe.label.lower() if universe else spec.denominator
        return f"{spec.label.split(' (')[0]} share of {of}"
    return field_label(name).split(" (")[0]


def value_formatter(name: str, values: np.ndarray) -> Callable[[float], str]:
    """How to write values of a column in a legend (percent, dollars, counts, yes/no)."""
    finite = values[np.isfinite(values)]
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    if name.startswith("is_") or name == "in_comparison":
        return lambda v: "Yes" if v >= 0.5 else "No"
    if name.endswith("_share"):
        digits = 1 if spread < 0.1 else 0
        return lambda v: f"{v:.{digits}%}"
    spec = field_specs().get(name)
    if spec is not None and spec.unit.startswith("USD"):
        return lambda v: f"${v:,.0f}"
    if finite.size and np.all(finite == np.round(finite)):
        return lambda v: f"{v:,.0f}"
    return lambda v: f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def prepare_scene(
    assessment: Assessment,
    *,
    field: str | None = "minority_share",
    unit_id: str | None = None,
    method: Method = "quantile",
    k: int = 5,
    palette_name: str | None = None,
    title: str | None = None,
    resolution_px: float = 2000.0,
) -> MapScene:
    """Prepare the map of an assessment.

    Parameters
    ----------
    assessment
        The assessment; its ``baseline_geometries`` (in ``baseline_crs``) are required.
    field
        Baseline column (or group id) that shades the neighbourhoods.
    unit_id
        Draw this project's or scenario's catchment and projects only; by default every
        project's catchment and every project.
    method, k, palette_name
        Classification (see :func:`~equityplanner.render.classify.class_breaks`) and the
        palette of ``resources/palettes.toml`` (default: its ``default_sequential``).
    title
        Map title; by default the field's label.
    resolution_px
        The width in pixels the geometry is simplified for (half a pixel tolerance).

    Raises
    ------
    MethodError
        When the assessment holds no neighbourhood geometries.
    InputError
        When ``field`` is not a numeric column, or ``unit_id`` is unknown.
    """
    geometries = assessment.baseline_geometries
    if geometries is None or assessment.baseline_crs is None or len(geometries) == 0:
        raise MethodError("the assessment holds no neighbourhood geometries to map")
    baseline = assessment.baseline
    column = resolve_field(baseline, field)
    source_crs = CRS.from_user_input(assessment.baseline_crs)
    geoms = np.asarray(geometries, dtype=object)
    to_lonlat = Transformer.from_crs(source_crs, _WGS84, always_xy=True)
    bounds_lonlat = to_lonlat.transform_bounds(*shapely.total_bounds(geoms))
    local = local_projected_crs(tuple(float(b) for b in bounds_lonlat))
    local_geoms = to_crs(geoms, source_crs, local)
    xmin, ymin, xmax, ymax = (float(b) for b in shapely.total_bounds(local_geoms))
    tolerance = max(xmax - xmin, ymax - ymin, 1.0) / max(resolution_px, 100.0) * 0.5
    display = shapely.simplify(local_geoms, tolerance, preserve_topology=True)

    values = pd.to_numeric(baseline[column].astype(float), errors="coerce").to_numpy(np.float64)
    settings = load_resource("palettes.toml")
    colours = dict(settings["map"])
    edges = class_breaks(values, method, k)
    n_classes = max(edges.size - 1, 0)
    fmt = value_formatter(column, values)
    classes_of = assign_classes(values, edges)
    legend: list[LegendEntry] = []
    class_layers: list[ClassLayer] = []
    if n_classes:
        fills = palette(palette_name or settings["default_sequential"], n_classes)
        if (
            edges.size >= 2
            and edges[0] == edges[1]
            and np.unique(values[np.isfinite(values)]).size == n_classes
        ):
            # One class per distinct value: label the values themselves.
            legend = [
                LegendEntry(c, float(v), float(v), fmt(float(v)))
                for c, v in zip(fills, edges[1:], strict=True)
            ]
        else:
            legend = legend_entries(edges, fills, fmt)
        for i, entry in enumerate(legend):
            members = classes_of == i
            class_layers.append(
                ClassLayer(
                    entry.colour, entry.label, rings_of(display[members]), int(members.sum())
                )
            )
    missing = classes_of < 0
    no_data = rings_of(display[missing]) if missing.any() else None

    units = (
        [assessment.result(unit_id)]
        if unit_id
        else [r for r in assessment.results if r.kind == "project"]
    )
    catchments = []
    for unit in units:
        # A scenario mixing new service and cuts has a catchment per side.
        sides = unit.catchments or ({"": unit.catchment} if unit.catchment is not None else {})
        radii = sorted({f"{m:,.0f} m" for m in unit.catchment_m.values()})
        for side, geometry in sides.items():
            if geometry is None or geometry.is_empty:
                continue
            shape = to_crs(np.array([geometry], dtype=object), _WGS84, local)
            name = f"{unit.name} ({side})" if len(sides) > 1 else unit.name
            label = (
                f"{name}: walk catchment ({', '.join(radii)})" if radii else f"{name}: catchment"
            )
            catchments.append(CatchmentLayer(label, rings_of(shape), colours["catchment"]))

    wanted = {pid for unit in units for pid in unit.project_ids} if unit_id else None
    projects = [p for p in assessment.projects if wanted is None or p.id in wanted]
    lines, points, symbols = _project_layers(projects, local, colours)
    if catchments:
        symbols.insert(
            0, SymbolEntry("catchment", "Walk catchment of a project", colours["catchment"])
        )
    if no_data is not None:
        symbols.append(SymbolEntry("no_data", "No data", colours["no_data"]))

    legend_title = field_label(column)
    vintage = assessment.vintage or "neighbourhood data (vintage not stated)"
    n_word = f"{n_classes} class" + ("" if n_classes == 1 else "es")
    return MapScene(
        bounds=(xmin, ymin, xmax, ymax),
        crs_name=local.name,
        north_angle_deg=_north_angle(bounds_lonlat, local),
        classes=tuple(class_layers),
        no_data=no_data,
        catchments=tuple(catchments),
        lines=tuple(lines),
        points=tuple(points),
        legend_title=legend_title,
        legend=tuple(legend),
        symbols=tuple(symbols),
        title=title or f"{short_label(column)}, by neighbourhood",
        subtitle=assessment.metadata.title,
        source=f"Source: {vintage}; equityplanner {assessment.software_version}",
        note=f"Classes: {_METHOD_WORDS.get(method, method)}, {n_word}",
        field=column,
        colours=colours,
    )


def _project_layers(
    projects: Sequence[Any], local: CRS, colours: dict[str, str]
) -> tuple[list[LineLayer], list[PointLayer], list[SymbolEntry]]:
    lines: list[LineLayer] = []
    points: list[PointLayer] = []
    symbols: list[SymbolEntry] = []
    has_station = False
    for project in projects:
        if isinstance(project, TransitProject):
            is_burden = not project.change.is_benefit
            colour = colours["line_burden"] if is_burden else colours["line_benefit"]
            mode = "BRT" if project.mode.value == "brt" else project.mode.value
            words = f"{mode}, {project.change.value}"
            if project.alignment is not None and not project.alignment.is_empty:
                shape = to_crs(np.array([project.alignment], dtype=object), _WGS84, local)
                lines.append(LineLayer(project.name, rings_of(shape), colour, is_burden))
            symbols.append(
                SymbolEntry(
                    "burden_line" if is_burden else "line", f"{project.name} ({words})", colour
                )
            )
            if project.stations:
                xy = shapely.get_coordinates(
                    to_crs(
                        np.array([s.geometry for s in project.stations], dtype=object),
                        _WGS84,
                        local,
                    )
                )
                n = len(project.stations)
                show = np.zeros(n, dtype=bool)
                show[
                    np.unique(
                        np.linspace(0, n - 1, min(n, _MAX_STATION_LABELS)).round().astype(int)
                    )
                ] = True
                names = tuple(s.name for s in project.stations)
                points.append(PointLayer(project.name, xy, names, show, "station", colour))
                has_station = True
        elif isinstance(project, HousingProject):
            site = to_crs(
                np.array([project.site.representative_point()], dtype=object), _WGS84, local
            )
            colour = colours["housing_site"]
            xy = shapely.get_coordinates(site)
            points.append(
                PointLayer(project.name, xy, (project.name,), np.array([True]), "site", colour)
            )
            label = f"{project.name} (housing, {project.total_units:,} homes)"
            symbols.append(SymbolEntry("site", label, colour))
    if has_station:
        symbols.append(SymbolEntry("station", "Station or stop", colours["station"]))
    return lines, points, symbols


def _north_angle(bounds_lonlat: Sequence[float], local: CRS) -> float:
    """Clockwise angle of true north from grid north at the centre of the area, degrees."""
    west, south, east, north = bounds_lonlat
    lon, lat = (west + east) / 2, (south + north) / 2
    t = Transformer.from_crs(_WGS84, local, always_xy=True)
    x0, y0 = t.transform(lon, lat)
    x1, y1 = t.transform(lon, min(lat + 0.01, 89.99))
    return math.degrees(math.atan2(x1 - x0, y1 - y0))
