"""The map as data: neighbourhoods in scene coordinates with their classes, the projects'
catchments, lines, stations and sites, the legend and the texts around the map.

:func:`prepare_scene` turns an :class:`~equityplanner.model.results.Assessment` into a
:class:`MapScene` without Qt. The workbook draws it with
:func:`equityplanner.render.map_image.scene_to_png`; the desktop app's canvas builds the same
layers (:func:`project_layers`, :func:`catchment_layers`) from the document it edits and
draws them with the same functions of :mod:`equityplanner.render.draw`, or shows a whole
scene with ``MapCanvas.show_scene``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from equityplanner.errors import MethodError
from equityplanner.model.project import HousingProject, Project, TransitProject
from equityplanner.model.results import Assessment, ProposalResult
from equityplanner.render.classify import METHOD_WORDS, Method, classify_field
from equityplanner.render.fields import (
    field_label,
    field_values,
    map_colour,
    resolve_map_field,
    short_label,
)
from equityplanner.render.geometry import (
    LayerGeometry,
    Rings,
    SceneTransform,
    geometry_rings,
)
from equityplanner.render.legend import Legend, LegendEntry

__all__ = [
    "CatchmentLayer",
    "ClassFill",
    "LineLayer",
    "MapScene",
    "PointLayer",
    "catchment_layers",
    "prepare_scene",
    "project_layers",
    "result_catchments",
    "symbol_entries",
]


@dataclass(frozen=True)
class ClassFill:
    """One class of the choropleth: its colour, legend label and number of neighbourhoods."""

    colour: str
    label: str
    count: int


@dataclass(frozen=True, eq=False)
class CatchmentLayer:
    """A walk catchment; ``is_burden`` marks one of reduced or removed service."""

    label: str
    rings: Rings
    is_burden: bool = False


@dataclass(frozen=True, eq=False)
class LineLayer:
    """A transit alignment; ``is_burden`` lines (cuts) are drawn dashed.

    ``highlighted`` False draws it thinner and fainter (a project outside the selected
    scenario).
    """

    label: str
    parts: Rings
    colour: str
    is_burden: bool
    project_id: str = ""
    highlighted: bool = True


@dataclass(frozen=True, eq=False)
class PointLayer:
    """The stations of a line, or a housing site (``symbol`` ``"station"`` or ``"site"``).

    ``colour`` rings a station (the line's colour for a cut); ``label_kind`` (``station``,
    ``stop`` or ``site``) and ``spacing_m`` (the least distance between neighbouring
    stations) decide which names fit on the map at a given zoom. ``areas`` is the footprint
    of a site drawn as a polygon.
    """

    label: str
    xy: np.ndarray
    names: tuple[str, ...]
    symbol: str
    colour: str
    project_id: str = ""
    highlighted: bool = True
    label_kind: str = "station"
    spacing_m: float = math.inf
    areas: Rings | None = None


@dataclass(frozen=True, eq=False)
class MapScene:
    """Everything needed to draw the map, in scene coordinates (metres, y down), without Qt.

    Attributes
    ----------
    layer
        The neighbourhoods (None for projects alone).
    row_classes
        The class of each neighbourhood, in the layer's order (-1 = no data).
    classes
        The classes, lowest first: colour, legend label, count.
    no_data
        The neighbourhoods without a value (drawn grey and hatched), or None.
    catchments, lines, points
        Project layers, drawn in this order above the classes.
    legend
        Title, class and symbol entries and the note on the classification.
    title, subtitle, source
        Texts around the printed map: the source line names the data vintage and the
        software version.
    credit
        The data credit written on the map itself (on screen).
    field
        The key of the shaded field.
    """

    layer: LayerGeometry | None
    row_classes: np.ndarray
    classes: tuple[ClassFill, ...]
    no_data: ClassFill | None = None
    catchments: tuple[CatchmentLayer, ...] = ()
    lines: tuple[LineLayer, ...] = ()
    points: tuple[PointLayer, ...] = ()
    legend: Legend = field(default_factory=Legend)
    title: str = ""
    subtitle: str = ""
    source: str = ""
    credit: str = ""
    field: str = ""
    transform: SceneTransform | None = None

    def __post_init__(self) -> None:
        if self.transform is None and self.layer is not None:
            object.__setattr__(self, "transform", self.layer.transform)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the neighbourhoods (or the projects), in metres."""
        if self.layer is not None:
            return self.layer.bounds
        pieces = [c.rings for c in self.catchments] + [line.parts for line in self.lines]
        pieces += [Rings(p.xy, np.arange(len(p.xy), dtype=np.int64)) for p in self.points]
        xmin, ymin, xmax, ymax = Rings.concat(pieces).bounds()
        if math.isnan(xmin):
            return (-1000.0, -1000.0, 1000.0, 1000.0)
        return (xmin - 1500, ymin - 1500, xmax + 1500, ymax + 1500)

    @property
    def crs_name(self) -> str:
        """Name of the projected CRS the map is drawn in."""
        return self.transform.crs_name if self.transform is not None else ""

    @property
    def north_angle_deg(self) -> float:
        """Direction of true north, clockwise from the map's up direction (grid convergence)."""
        return self.transform.north_angle_deg() if self.transform is not None else 0.0

    @property
    def fill_colours(self) -> list[str]:
        """The class colours, lowest first."""
        return [c.colour for c in self.classes]


# Layers of the projects ----------------------------------------------------------------


def _station_spacing(xy: np.ndarray) -> float:
    if len(xy) < 2:
        return math.inf
    d = np.hypot(*np.diff(xy, axis=0).T)
    return float(d[d > 0].min()) if (d > 0).any() else 0.0


def project_layers(
    projects: Iterable[Project],
    transform: SceneTransform,
    highlighted: Collection[str] | None = None,
) -> tuple[list[LineLayer], list[PointLayer]]:
    """The alignments, stations and sites of ``projects`` in scene coordinates.

    Projects whose id is not in ``highlighted`` (all are, when None) are drawn faint.
    """
    lines: list[LineLayer] = []
    points: list[PointLayer] = []
    for project in projects:
        on = highlighted is None or project.id in highlighted
        if isinstance(project, HousingProject):
            site = project.site.representative_point()
            sx, sy = transform.lonlat_to_scene(site.x, site.y)
            xy = np.array([[float(sx), float(sy)]])
            areas = None
            if project.site.geom_type != "Point":
                areas = geometry_rings(transform, project.site)
            points.append(
                PointLayer(
                    project.name,
                    xy,
                    (project.name,),
                    "site",
                    map_colour("housing_site", "#e69f00"),
                    project.id,
                    on,
                    "site",
                    math.inf,
                    areas,
                )
            )
            continue
        if not isinstance(project, TransitProject):
            continue
        is_burden = not project.change.is_benefit
        colour = map_colour("line_burden" if is_burden else "line_benefit", "#1a1a1a")
        if project.alignment is not None and not project.alignment.is_empty:
            parts = geometry_rings(transform, project.alignment)
            lines.append(LineLayer(project.name, parts, colour, is_burden, project.id, on))
        if project.stations:
            lon = np.array([s.geometry.x for s in project.stations])
            lat = np.array([s.geometry.y for s in project.stations])
            sx, sy = transform.lonlat_to_scene(lon, lat)
            xy = np.column_stack([np.atleast_1d(sx), np.atleast_1d(sy)]).astype(float)
            points.append(
                PointLayer(
                    project.name,
                    xy,
                    tuple(s.name for s in project.stations),
                    "station",
                    colour if is_burden else map_colour("text", "#1a1a1a"),
                    project.id,
                    on,
                    "stop" if project.mode.value == "bus" else "station",
                    _station_spacing(xy),
                )
            )
    return lines, points


def result_catchments(result: ProposalResult) -> list[tuple[BaseGeometry, bool]]:
    """A result's catchments (lon/lat) with whether each is a burden's: a scenario mixing new
    service and cuts has one per side."""
    if result.catchments:
        return [(geometry, side == "burdens") for side, geometry in result.catchments.items()]
    if result.catchment is not None:
        return [(result.catchment, result.is_benefit is False)]
    return []


def catchment_layers(
    catchments: Iterable[tuple[BaseGeometry | None, bool]],
    transform: SceneTransform,
    labels: Sequence[str] | None = None,
) -> list[CatchmentLayer]:
    """Catchments (lon/lat, with a burden flag) in scene coordinates; empty ones are left out."""
    out = []
    for n, (geometry, is_burden) in enumerate(catchments):
        if geometry is None or geometry.is_empty:
            continue
        label = labels[n] if labels is not None else ""
        out.append(CatchmentLayer(label, geometry_rings(transform, geometry), is_burden))
    return out


# The assessment's map ------------------------------------------------------------------


def symbol_entries(
    results: Sequence[ProposalResult],
    catchments: Sequence[CatchmentLayer],
    projects: Sequence[Project],
) -> list[LegendEntry]:
    """The legend's map symbols: the catchments (benefit and burden apart), each project's
    line or site, and stations."""
    entries: list[LegendEntry] = []
    radii = sorted({m for r in results for m in r.catchment_m.values()})
    radius = f" ({', '.join(f'{m:,.0f} m' for m in radii)})" if radii else ""
    if any(not c.is_burden for c in catchments):
        entries.append(
            LegendEntry(f"Walk catchment{radius}", map_colour("catchment", "#cc79a7"), "catchment")
        )
    if any(c.is_burden for c in catchments):
        entries.append(
            LegendEntry(
                "Walk catchment of reduced service",
                map_colour("line_burden", "#d55e00"),
                "burden_catchment",
            )
        )
    has_station = False
    for project in projects:
        if isinstance(project, TransitProject):
            is_burden = not project.change.is_benefit
            mode = "BRT" if project.mode.value == "brt" else project.mode.value
            entries.append(
                LegendEntry(
                    f"{project.name} ({mode}, {project.change.value})",
                    map_colour("line_burden" if is_burden else "line_benefit", "#1a1a1a"),
                    "burden_line" if is_burden else "line",
                )
            )
            has_station = has_station or bool(project.stations)
        elif isinstance(project, HousingProject):
            entries.append(
                LegendEntry(
                    f"{project.name} (housing, {project.total_units:,} homes)",
                    map_colour("housing_site", "#e69f00"),
                    "site",
                )
            )
    if has_station:
        entries.append(LegendEntry("Station or stop", map_colour("station", "#ffffff"), "station"))
    return entries


def prepare_scene(
    assessment: Assessment,
    *,
    field: str | None = "minority_share",
    result_id: str | None = None,
    method: Method = "quantile",
    k: int = 5,
    palette_name: str | None = None,
    title: str | None = None,
) -> MapScene:
    """Prepare the map of an assessment.

    Parameters
    ----------
    assessment
        The assessment; its ``baseline_geometries`` (in ``baseline_crs``) are required.
    field
        The field that shades the neighbourhoods: a baseline column, a group id
        (``low_income``) or a field of the app's menu (``population_density``).
    result_id
        Draw this project's or scenario's catchments and projects only; by default every
        project's catchment and every project.
    method, k, palette_name
        Classification (see :func:`~equityplanner.render.classify.classify_field`) and the
        palette of ``resources/palettes.toml`` (default: its ``default_sequential``).
    title
        Map title; by default the field's label.

    Raises
    ------
    MethodError
        When the assessment holds no neighbourhood geometries.
    InputError
        When ``field`` is not a numeric field, or ``result_id`` is unknown.
    """
    geometries = assessment.baseline_geometries
    if geometries is None or assessment.baseline_crs is None or len(geometries) == 0:
        raise MethodError("the assessment holds no neighbourhood geometries to map")
    baseline = assessment.baseline
    map_field = resolve_map_field(baseline, field)
    layer = LayerGeometry(np.asarray(geometries, dtype=object), assessment.baseline_crs)
    values = field_values(map_field, baseline, areas_km2=layer.areas_km2)
    shading = classify_field(values, map_field, method=method, k=k, palette_name=palette_name)
    counts = shading.counts()
    classes = tuple(
        ClassFill(e.fill, e.label, n) for e, n in zip(shading.entries, counts, strict=True)
    )
    no_data_entry = shading.no_data_entry()
    no_data = (
        ClassFill(no_data_entry.fill, no_data_entry.label, shading.no_data_count)
        if no_data_entry is not None
        else None
    )

    results = (
        [assessment.result(result_id)]
        if result_id
        else [r for r in assessment.results if r.kind == "project"]
    )
    catchments: list[CatchmentLayer] = []
    for result in results:
        sides = result_catchments(result)
        radii = sorted({f"{m:,.0f} m" for m in result.catchment_m.values()})
        for geometry, is_burden in sides:
            name = result.name
            if len(sides) > 1:
                name = f"{result.name} ({'burdens' if is_burden else 'benefits'})"
            label = (
                f"{name}: walk catchment ({', '.join(radii)})" if radii else f"{name}: catchment"
            )
            catchments += catchment_layers([(geometry, is_burden)], layer.transform, [label])

    wanted = {pid for result in results for pid in result.project_ids} if result_id else None
    projects = [p for p in assessment.projects if wanted is None or p.id in wanted]
    lines, points = project_layers(projects, layer.transform)

    entries = list(shading.entries)
    if no_data_entry is not None:
        entries.append(no_data_entry)
    n_classes = len(shading.colours)
    if map_field.is_categorical:
        note = "Classes: one per category"
    else:
        n_word = f"{n_classes} class" + ("" if n_classes == 1 else "es")
        note = f"Classes: {METHOD_WORDS.get(method, method)}, {n_word}"
    legend = Legend(
        title=field_label(map_field.key),
        entries=tuple(entries),
        symbols=tuple(symbol_entries(results, catchments, projects)),
        symbols_title="Map symbols",
        note=note,
    )
    vintage = assessment.vintage or "neighbourhood data (vintage not stated)"
    return MapScene(
        layer=layer,
        row_classes=shading.classes,
        classes=classes,
        no_data=no_data,
        catchments=tuple(catchments),
        lines=tuple(lines),
        points=tuple(points),
        legend=legend,
        title=title or f"{short_label(map_field.key)}, by neighbourhood",
        subtitle=assessment.metadata.title,
        source=f"Source: {vintage}; equityplanner {assessment.software_version}",
        credit=f"Data: {assessment.vintage}" if assessment.vintage else "",
        field=map_field.key,
    )


def points_xy(points: Sequence[PointLayer]) -> np.ndarray:
    """All point positions (scene) of point layers, in order."""
    if not points:
        return np.empty((0, 2))
    return np.vstack([p.xy for p in points]).reshape(-1, 2)


def line_geometries(lines: Sequence[LineLayer]) -> list[tuple[str, BaseGeometry]]:
    """Each line's project id and its parts as one shapely geometry (for hit tests)."""
    out = []
    for line in lines:
        parts = [shapely.LineString(p) for p in line.parts.parts() if len(p) >= 2]
        if parts:
            out.append((line.project_id, shapely.MultiLineString(parts)))
    return out
