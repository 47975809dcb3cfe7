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
"""

from __future__ import annotations

from dataclasses import dataclass, field

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

__all__ = [
    "AccessInputs",
    "AccessMeasure",
    "MeasureCache",
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
    ``"minutes"``, ...).
    """

    kind: str
    label: str
    before: np.ndarray
    after: np.ndarray
    unit: str
    higher_is_better: bool


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
) -> list[AccessMeasure]:
    """Every access measure before and after the change the projects' transit makes.

    Empty when no project is transit or there are no opportunity layers. ``cache`` keeps the
    measures of a set of transit projects, so that a project also part of scenarios is
    measured once.
    """
    transit = [p for p in projects if isinstance(p, TransitProject)]
    if not transit or inputs.is_empty:
        return []
    key = tuple(sorted(p.id for p in transit))
    if cache is not None and key in cache:
        return cache[key]
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
        t_before = _times(before_model, origins, dest_xy, progress)
        t_after = _times(after_model, origins, dest_xy, progress)
        measures.append(
            AccessMeasure(
                f"{key}_time",
                f"Minutes to the nearest {words}",
                acc.nearest_time(t_before),
                acc.nearest_time(t_after),
                "minutes",
                False,
            )
        )
        if key == "clinics" and layer.capacity_field is not None:
            catchment = params.facility_catchment_min
            bands = {catchment / 3: 1.0, 2 * catchment / 3: 0.68, catchment: 0.22}  # Luo & Qi 2009
            a_before = (
                acc.two_step_fca(population, layer.capacity, t_before, catchment, bands).access
                * 1000
            )
            a_after = (
                acc.two_step_fca(population, layer.capacity, t_after, catchment, bands).access
                * 1000
            )
            measures.append(
                AccessMeasure(
                    "clinics_2sfca",
                    f"Clinic capacity ({layer.capacity_field}) per 1,000 residents within {catchment:g} minutes (E2SFCA)",
                    a_before,
                    a_after,
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


def _times(
    model: StraightLineModel, origins: np.ndarray, dest_xy: np.ndarray, progress: Progress
) -> np.ndarray:
    blocks = []
    for start in range(0, len(origins), _CHUNK):
        progress.check_cancelled()
        blocks.append(model.times_minutes(origins[start : start + _CHUNK], dest_xy))
    return np.vstack(blocks) if blocks else np.empty((0, len(dest_xy)))
