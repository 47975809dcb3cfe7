"""Access to opportunity before and after transit proposals: the measures per neighbourhood.

For each side of a proposal that changes transit service, the proposal's lines are modelled
before and after (:func:`~equityplanner.analysis.travel_time.lines_before_after`) with the
straight-line travel-time model; other transit service is not modelled, so the change
isolates the proposal's own effect. Measured per neighbourhood (from a point inside it):

- jobs reachable within each threshold (cumulative opportunities; default 30 and 45 minutes);
- minutes to the nearest school, early-childhood centre and clinic;
- clinic capacity per 1,000 residents (enhanced two-step floating catchment, Luo & Qi
  weights within the facility catchment).

The indicators made from these measures, by group and with the Title VI tests, are in
:mod:`equityplanner.analysis.indicators.access`.

**Routed access.** With a routed network (:class:`RoutedAccess`, from the project file's
``network`` block), the times are instead routed on the street network and the whole GTFS
timetable over the departure window (:mod:`equityplanner.analysis.routing`), the proposals
modify the baseline timetable (:mod:`equityplanner.analysis.routing.scenario`), and the before
and after networks are routed with the same settings, so the difference is the proposals'
alone. The chosen percentile of travel time over the window feeds every measure. Because the
engine's results move slightly from one build to another, the baseline is routed a second time
from a fresh build and each measure carries the change between the two builds
(``noise_floor``): aggregate changes smaller than it are not the proposal's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import numpy as np
import shapely
from pyproj import CRS

from equityplanner.analysis import access as acc
from equityplanner.analysis.baseline import Baseline
from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.travel_time import DESCRIPTION, StraightLineModel, lines_before_after
from equityplanner.io.opportunities import OpportunityLayer
from equityplanner.model.project import Parameters, Project, TransitProject
from equityplanner.model.travel_model import TravelModelParameters
from equityplanner.progress import NullProgress, Progress

if TYPE_CHECKING:  # the routing modules (and the GTFS reader) load only with a network
    from equityplanner.analysis.routing.network import RoutedNetwork
    from equityplanner.analysis.routing.provider import WindowTimes

__all__ = [
    "AccessInputs",
    "AccessMeasure",
    "MeasureCache",
    "RoutedAccess",
    "measure_access",
    "travel_model_description",
    "travel_parameters",
]

_FACILITIES = (
    ("schools", "school"),
    ("childcare", "early-childhood centre"),
    ("clinics", "clinic"),
)
_CHUNK = 2000  # origins per block of the exact times matrix
_DENSE_CELLS = 4_000_000  # origins x facilities beyond this: sparse costs within the catchment


@dataclass
class AccessInputs:
    """Opportunity layers for the access indicators (any may be missing)."""

    jobs: OpportunityLayer | None = None
    facilities: dict[str, OpportunityLayer] = field(
        default_factory=dict
    )  # schools, childcare, clinics

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to measure access to."""
        return self.jobs is None and not self.facilities


def travel_parameters(params: Parameters) -> TravelModelParameters:
    """The travel model's parameters from the project's parameters."""
    return TravelModelParameters.from_dict(params.travel_model or {})


def travel_model_description(params: Parameters) -> str:
    """Which model produced the travel times, with its parameters, for every output."""
    return f"{DESCRIPTION} ({travel_parameters(params).describe()})"


@dataclass(frozen=True)
class AccessMeasure:
    """One access measure before and after, per neighbourhood.

    ``kind`` names the measure in ids and columns (``"jobs_45min"``, ``"schools_time"``,
    ``"clinics_2sfca"``), ``label`` in words; ``unit`` is what a value counts (``"jobs"``,
    ``"minutes"``, ...). ``travel_times`` says which model produced the times (empty: the
    straight-line sketch model); ``noise_floor`` is, for routed times, how much the
    population-weighted mean of the baseline moves between two builds of the engine, and
    ``rebuilt`` the baseline's values from that second build (the routing engine's results
    differ slightly from build to build, so a verdict is checked against both).
    """

    kind: str
    label: str
    before: np.ndarray
    after: np.ndarray
    unit: str
    higher_is_better: bool
    noise_floor: float | None = None
    travel_times: str = ""
    rebuilt: np.ndarray | None = None

    def against_rebuilt(self) -> AccessMeasure | None:
        """The same measure with the second build of the baseline as "before" (None when
        there is no second build)."""
        if self.rebuilt is None:
            return None
        return dataclasses.replace(self, before=self.rebuilt, rebuilt=None, noise_floor=None)


MeasureCache = dict[tuple[str, ...], list[AccessMeasure]]
"""Measures by the sorted ids of the transit projects measured (one cache per assessment)."""


def measure_access(
    baseline: Baseline,
    projects: list[Project],
    inputs: AccessInputs,
    params: Parameters,
    local: CRS,
    *,
    progress: Progress | None = None,
    cache: MeasureCache | None = None,
    routed: RoutedAccess | None = None,
) -> list[AccessMeasure]:
    """Every access measure before and after the change the projects' transit makes.

    Empty when no project is transit or there are no opportunity layers. ``cache`` keeps the
    measures of a set of transit projects, so that a project also part of scenarios is
    measured once. With ``routed``, the times are routed (see the module docstring);
    otherwise the straight-line sketch model gives them.
    """
    transit = [p for p in projects if isinstance(p, TransitProject)]
    if not transit or inputs.is_empty:
        return []
    key = tuple(sorted(p.id for p in transit))
    if cache is not None and key in cache:
        return cache[key]
    if routed is not None:
        measures = routed.measure(transit, params, progress or NullProgress())
    else:
        measures = _measure(baseline, transit, inputs, params, local, progress or NullProgress())
    if cache is not None:
        cache[key] = measures
    return measures


def _measure(
    baseline: Baseline,
    transit: list[TransitProject],
    inputs: AccessInputs,
    params: Parameters,
    local: CRS,
    progress: Progress,
) -> list[AccessMeasure]:
    """Every access measure before and after the transit projects' change."""
    before_lines, after_lines = lines_before_after(transit, local)
    before_model = StraightLineModel(before_lines, parameters=travel_parameters(params), crs=local)
    after_model = before_model.with_lines(after_lines)
    origins = _origins(baseline, local)
    population = baseline.table["total_population"].fillna(0).to_numpy(dtype=float)
    measures: list[AccessMeasure] = []
    steps = max((1 if inputs.jobs is not None else 0) + len(inputs.facilities), 1)
    done = 0
    if inputs.jobs is not None:
        thresholds = tuple(float(t) for t in params.job_thresholds_min)
        dest_xy = shapely.get_coordinates(
            to_crs(inputs.jobs.frame.geometry.to_numpy(), inputs.jobs.crs, local)
        )
        weights = inputs.jobs.capacity
        sub = progress.subrange(0.0, 1.0 / steps)
        counts = [
            np.asarray(
                model.opportunities_within(origins, dest_xy, weights, thresholds, progress=part),
                dtype=float,
            ).reshape(len(origins), len(thresholds))
            for model, part in (
                (before_model, sub.subrange(0, 0.5)),
                (after_model, sub.subrange(0.5, 1)),
            )
        ]
        for k, t in enumerate(thresholds):
            measures.append(
                AccessMeasure(
                    f"jobs_{t:g}min",
                    f"Jobs reachable within {t:g} minutes",
                    counts[0][:, k],
                    counts[1][:, k],
                    "jobs",
                    True,
                )
            )
        done += 1
    for key, words in _FACILITIES:
        layer = inputs.facilities.get(key)
        if layer is None:
            continue
        progress.report(done / steps, f"Access to {key}")
        dest_xy = shapely.get_coordinates(to_crs(layer.frame.geometry.to_numpy(), layer.crs, local))
        catchment = params.facility_catchment_min
        bands = {catchment / 3: 1.0, 2 * catchment / 3: 0.68, catchment: 0.22}  # Luo & Qi 2009
        clinics = key == "clinics" and layer.capacity_field is not None
        capacity = layer.capacity if clinics else None
        nearest, e2sfca = [], []
        for model in (before_model, after_model):
            if len(origins) * len(dest_xy) <= _DENSE_CELLS:
                times = _times(model, origins, dest_xy, progress)
                nearest.append(acc.nearest_time(times))
                if capacity is not None:
                    result = acc.two_step_fca(population, capacity, times, catchment, bands)
                    e2sfca.append(result.access * 1000)
            else:  # sparse: only the pairs within the catchment are kept (issue 14)
                costs = _sparse_costs(model, origins, dest_xy, catchment, bands, progress)
                nearest.append(costs.nearest)
                if capacity is not None:
                    result = acc.two_step_fca_sparse(population, capacity, costs)
                    e2sfca.append(result.access * 1000)
        measures.append(
            AccessMeasure(
                f"{key}_time",
                f"Minutes to the nearest {words}",
                nearest[0],
                nearest[1],
                "minutes",
                False,
            )
        )
        if e2sfca:
            measures.append(
                AccessMeasure(
                    "clinics_2sfca",
                    f"Clinic capacity ({layer.capacity_field}) per 1,000 residents within {catchment:g} minutes (E2SFCA)",
                    e2sfca[0],
                    e2sfca[1],
                    f"{layer.capacity_field} per 1,000",
                    True,
                )
            )
        done += 1
    progress.report(1.0, "Access measured")
    return measures


def _origins(baseline: Baseline, local: CRS) -> np.ndarray:
    """Neighbourhood origins: a point inside each polygon, in the local CRS (metres)."""
    points = shapely.point_on_surface(baseline.geometries)
    xy: np.ndarray = shapely.get_coordinates(to_crs(points, baseline.crs, local))
    return xy


def _sparse_costs(
    model: StraightLineModel,
    origins: np.ndarray,
    dest_xy: np.ndarray,
    catchment: float,
    bands: dict[float, float],
    progress: Progress,
) -> acc.CatchmentCosts:
    """The pairs within the facility catchment, computed chunk by chunk of origins."""
    return acc.catchment_costs(
        lambda rows: model.times_minutes(origins[rows], dest_xy),
        (len(origins), len(dest_xy)),
        threshold=catchment,
        weights=bands,
        chunk=_CHUNK,
        progress=progress.subrange(0, 0),
    )


def _times(
    model: StraightLineModel, origins: np.ndarray, dest_xy: np.ndarray, progress: Progress
) -> np.ndarray:
    blocks = []
    for start in range(0, len(origins), _CHUNK):
        progress.check_cancelled()
        blocks.append(model.times_minutes(origins[start : start + _CHUNK], dest_xy))
    return np.vstack(blocks) if blocks else np.empty((0, len(dest_xy)))


# --- routed access ----------------------------------------------------------------------------

_MAX_ROUTED_POINTS: Final[int] = 4000  # destinations are aggregated on a grid beyond this
_DEST_CELL_M: Final[float] = 100.0  # the smallest aggregation cell tried


def origin_points(baseline: Baseline, local: CRS) -> np.ndarray:
    """The origin of each neighbourhood, in ``local`` (metres): a point inside its polygon.

    The seam for population-weighted origins: when the baseline carries a population weights
    layer (blocks or buildings), its weighted centre per neighbourhood belongs here.
    """
    return _origins(baseline, local)


@dataclass
class _Layer:
    """Destinations of one opportunity layer, aggregated, as positions in the routed points."""

    index: np.ndarray  # positions in RoutedAccess.lonlat
    weights: np.ndarray  # capacity (or 1 per point) per destination
    capacity_field: str | None


class RoutedAccess:
    """Routed travel times shared by every proposal of one assessment (see the module docs).

    The origins (one per neighbourhood) and every opportunity layer's destinations are routed
    as one set of points; the baseline is routed once (and once more from a fresh build for the
    noise floor), each proposal's network once.

    Parameters
    ----------
    network
        The street network and the baseline feeds.
    baseline
        The neighbourhoods (origins and population).
    inputs
        The opportunity layers.
    local
        The projected CRS of the assessment (metres).
    """

    def __init__(
        self, network: RoutedNetwork, baseline: Baseline, inputs: AccessInputs, local: CRS
    ) -> None:
        self.network = network
        self.population = baseline.table["total_population"].fillna(0).to_numpy(dtype=float)
        origins = origin_points(baseline, local)
        layers: dict[str, tuple[np.ndarray, np.ndarray, str | None]] = {}
        if inputs.jobs is not None:
            layers["jobs"] = (
                _xy(inputs.jobs, local),
                inputs.jobs.capacity,
                inputs.jobs.capacity_field,
            )
        for key, _ in _FACILITIES:
            layer = inputs.facilities.get(key)
            if layer is not None:
                capacity = (
                    layer.capacity
                    if layer.capacity_field is not None
                    else np.ones(len(layer.frame))
                )
                layers[key] = (_xy(layer, local), capacity, layer.capacity_field)
        total = len(origins) + sum(len(xy) for xy, _, _ in layers.values())
        cell = 0.0
        while total > _MAX_ROUTED_POINTS:
            cell = _DEST_CELL_M if cell == 0 else cell * 1.5
            total = len(origins) + sum(
                len(_aggregate(xy, w, cell)[0]) for xy, w, _ in layers.values()
            )
        self.aggregation_m = cell
        parts = [origins]
        self.layers: dict[str, _Layer] = {}
        start = len(origins)
        for key, (xy, weights, capacity_field) in layers.items():
            points, summed = _aggregate(xy, weights, cell) if cell else (xy, weights)
            parts.append(points)
            self.layers[key] = _Layer(np.arange(start, start + len(points)), summed, capacity_field)
            start += len(points)
        self.origins = np.arange(len(origins))
        xy_all = np.vstack(parts) if parts else np.empty((0, 2))
        self.lonlat = (
            shapely.get_coordinates(to_crs(shapely.points(xy_all), local, CRS.from_epsg(4326)))
            if len(xy_all)
            else np.empty((0, 2))
        )
        self._baseline: WindowTimes | None = None
        self._rebuilt: WindowTimes | None = None

    @property
    def description(self) -> str:
        """The travel-time model in one line (which engine, window and percentile)."""
        return self.network.description

    def baseline_times(self, progress: Progress) -> WindowTimes:
        """The baseline routed over the window (once per assessment)."""
        if self._baseline is None:
            self._baseline = self.network.route_window(self.lonlat, progress=progress)
        return self._baseline

    def rebuilt_times(self, progress: Progress) -> WindowTimes | None:
        """The baseline routed again from a fresh build (once; None without a noise floor)."""
        if not self.network.settings.noise_floor:
            return None
        if self._rebuilt is None:
            self._rebuilt = self.network.route_window(self.lonlat, build=1, progress=progress)
        return self._rebuilt

    def measure(
        self, transit: list[TransitProject], params: Parameters, progress: Progress
    ) -> list[AccessMeasure]:
        """Every access measure before and after the projects modify the baseline timetable."""
        from equityplanner.analysis.routing.scenario import apply_projects, measured_headway_min

        settings = self.network.settings
        headways = {}
        for project in transit:
            if project.gtfs_routes and project.baseline_peak_headway_min is None:
                measured = measured_headway_min(
                    self.network.feeds,
                    project.gtfs_routes,
                    settings.window_s,
                    f"project {project.id}",
                )
                if measured is not None:
                    headways[project.id] = measured
        feeds = apply_projects(self.network.feeds, transit, travel_parameters(params), headways)
        before = self.baseline_times(progress.subrange(0.0, 0.35))
        rebuilt = self.rebuilt_times(progress.subrange(0.35, 0.6))
        after = self.network.route_window(self.lonlat, feeds, progress=progress.subrange(0.6, 0.95))
        measures = self.measures_from(before, after, rebuilt, params)
        progress.report(1.0, "Access measured")
        return measures

    def measures_from(
        self,
        before: WindowTimes,
        after: WindowTimes,
        rebuilt: WindowTimes | None,
        params: Parameters,
    ) -> list[AccessMeasure]:
        """The access measures from routed times before and after (and the rebuilt baseline)."""
        percentile = self.network.settings.percentile
        pop = self.population

        def times_of(window: WindowTimes) -> Callable[[np.ndarray], np.ndarray]:
            return lambda columns: window.minutes(percentile, self.origins, columns)

        sides = [times_of(before), times_of(after)]
        if rebuilt is not None:
            sides.append(times_of(rebuilt))
        values = [_routed_values(get, self.layers, pop, params) for get in sides]
        measures = []
        for kind, (label, unit, higher) in values[0][1].items():
            b, a = values[0][0][kind], values[1][0][kind]
            noise, second = None, None
            if rebuilt is not None:
                second = values[2][0][kind]
                noise = abs(_weighted_mean(second, pop) - _weighted_mean(b, pop))
            measures.append(
                AccessMeasure(kind, label, b, a, unit, higher, noise, self.description, second)
            )
        return measures


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else 0.0


def _routed_values(
    times: Callable[[np.ndarray], np.ndarray],
    layers: dict[str, _Layer],
    population: np.ndarray,
    params: Parameters,
) -> tuple[dict[str, np.ndarray], dict[str, tuple[str, str, bool]]]:
    """Every measure's values per neighbourhood from one routed network, and their labels."""
    values: dict[str, np.ndarray] = {}
    labels: dict[str, tuple[str, str, bool]] = {}
    jobs = layers.get("jobs")
    if jobs is not None:
        thresholds = [float(t) for t in params.job_thresholds_min]
        counts = acc.cumulative_opportunities(times(jobs.index), jobs.weights, thresholds)
        for k, t in enumerate(thresholds):
            values[f"jobs_{t:g}min"] = counts[:, k]
            labels[f"jobs_{t:g}min"] = (f"Jobs reachable within {t:g} minutes", "jobs", True)
    for key, words in _FACILITIES:
        layer = layers.get(key)
        if layer is None:
            continue
        minutes = times(layer.index)
        values[f"{key}_time"] = acc.nearest_time(minutes)
        labels[f"{key}_time"] = (f"Minutes to the nearest {words}", "minutes", False)
        if key == "clinics" and layer.capacity_field is not None:
            catchment = params.facility_catchment_min
            bands = {catchment / 3: 1.0, 2 * catchment / 3: 0.68, catchment: 0.22}
            values["clinics_2sfca"] = (
                acc.two_step_fca(population, layer.weights, minutes, catchment, bands).access * 1000
            )
            labels["clinics_2sfca"] = (
                f"Clinic capacity ({layer.capacity_field}) per 1,000 residents within "
                f"{catchment:g} minutes (E2SFCA)",
                f"{layer.capacity_field} per 1,000",
                True,
            )
    return values, labels


def _xy(layer: OpportunityLayer, local: CRS) -> np.ndarray:
    xy: np.ndarray = shapely.get_coordinates(
        to_crs(layer.frame.geometry.to_numpy(), layer.crs, local)
    )
    return xy


def _aggregate(xy: np.ndarray, weights: np.ndarray, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Points summed into square cells of ``cell`` metres (weighted centres, summed weights)."""
    if cell <= 0 or len(xy) == 0:
        return xy, weights
    keys = np.floor(xy / cell).astype(np.int64)
    _, group = np.unique(keys, axis=0, return_inverse=True)
    group = group.ravel()
    count = int(group.max()) + 1
    w = np.asarray(weights, dtype=float)
    total = np.bincount(group, weights=w, minlength=count)
    plain = np.bincount(group, minlength=count).astype(float)
    use = np.where(total[group] > 0, w, 1.0)
    norm = np.bincount(group, weights=use, minlength=count)
    centre = np.column_stack(
        [np.bincount(group, weights=use * xy[:, i], minlength=count) / norm for i in (0, 1)]
    )
    del plain
    return centre, total
