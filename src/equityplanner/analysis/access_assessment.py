"""Access to opportunity before and after transit proposals, by group: the indicators.

For each side of a unit that changes transit service, the proposal's lines are modelled
before and after (:func:`~equityplanner.analysis.travel_time.lines_before_after`) with the
straight-line travel-time model; other transit service is not modelled, so the change
isolates the proposal's own effect. Reported, for the whole population and by group
(population-weighted means), with the Title VI tests applied to access gains as benefits and
to losses as burdens:

- jobs reachable within each threshold (cumulative opportunities; default 30 and 45 minutes);
- minutes to the nearest school, early-childhood centre and clinic;
- clinic capacity per 1,000 residents (enhanced two-step floating catchment, Luo & Qi
  weights within the facility catchment).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis import access as acc
from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.indicators import make_indicator
from equityplanner.analysis.title_vi import policy_words, title_vi_test
from equityplanner.analysis.travel_time import (
    DESCRIPTION,
    StraightLineModel,
    TravelModelParameters,
    lines_before_after,
)
from equityplanner.io.opportunities import OpportunityLayer
from equityplanner.model.project import Parameters, TransitProject
from equityplanner.model.results import Indicator
from equityplanner.progress import NullProgress, Progress

__all__ = ["ACCESS_GROUPS", "AccessInputs", "access_indicators", "travel_model_description"]

# Groups reported for access (issue: minority, low-income, zero-vehicle, limited English,
# 65+, disability).
ACCESS_GROUPS = (
    "minority",
    "low_income",
    "zero_vehicle",
    "limited_english",
    "age_65_plus",
    "disability",
)
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
class _Measure:
    """One access measure before and after, per neighbourhood."""

    kind: str
    label: str
    before: np.ndarray
    after: np.ndarray
    unit: str
    higher_is_better: bool


def access_indicators(
    baseline: Any,
    projects: list[Any],
    inputs: AccessInputs,
    params: Parameters,
    local: CRS,
    *,
    suffix: str = "",
    comparison_label: str,
    progress: Progress | None = None,
    cache: dict[tuple[str, ...], list[_Measure]] | None = None,
) -> tuple[list[Indicator], pd.DataFrame]:
    """Access indicators of one side (its transit projects) and the per-neighbourhood table.

    ``cache`` (one dict per assessment) keeps the measures of a set of transit projects, so
    that a project also part of scenarios is measured once.
    """
    progress = progress or NullProgress()
    transit = [p for p in projects if isinstance(p, TransitProject)]
    if not transit or inputs.is_empty:
        return [], pd.DataFrame()
    key = tuple(sorted(p.id for p in transit))
    if cache is not None and key in cache:
        measures = cache[key]
    else:
        measures = _measure(baseline, transit, inputs, params, local, progress)
        if cache is not None:
            cache[key] = measures
    table = baseline.table
    population = table["total_population"].fillna(0).to_numpy(dtype=float)
    groups = {
        g: table[f"{g}_count"].to_numpy(dtype=float) for g in ACCESS_GROUPS if f"{g}_count" in table
    }
    income = (
        table["median_household_income"].to_numpy(dtype=float)
        if "median_household_income" in table
        else None
    )
    model_note = f"Travel times: {DESCRIPTION}."
    columns: dict[str, Any] = {"id": table["id"].to_numpy()}
    indicators: list[Indicator] = []
    for m in measures:
        columns.update(
            {
                f"{m.kind}_before": m.before,
                f"{m.kind}_after": m.after,
                f"{m.kind}_change": m.after - m.before,
            }
        )
        indicators.extend(
            _indicators_for(
                m.kind,
                m.label,
                m.before,
                m.after,
                m.unit,
                m.higher_is_better,
                population,
                groups,
                income,
                baseline.comparison,
                params,
                suffix,
                comparison_label,
                model_note,
            )
        )
    return indicators, pd.DataFrame(columns)


def _measure(
    baseline: Any,
    transit: list[TransitProject],
    inputs: AccessInputs,
    params: Parameters,
    local: CRS,
    progress: Progress,
) -> list[_Measure]:
    """Every access measure before and after the transit projects' change."""
    before_lines, after_lines = lines_before_after(transit, local)
    before_model = StraightLineModel(before_lines, parameters=travel_parameters(params), crs=local)
    after_model = before_model.with_lines(after_lines)
    origins = _origins(baseline, local)
    population = baseline.table["total_population"].fillna(0).to_numpy(dtype=float)
    measures: list[_Measure] = []
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
                _Measure(
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
            _Measure(
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
                _Measure(
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


def _origins(baseline: Any, local: CRS) -> np.ndarray:
    """Neighbourhood origins: a point inside each polygon, in the local CRS (metres)."""
    points = shapely.point_on_surface(baseline.geometries)
    return shapely.get_coordinates(to_crs(points, baseline.crs, local))


def _times(
    model: StraightLineModel, origins: np.ndarray, dest_xy: np.ndarray, progress: Progress
) -> np.ndarray:
    blocks = []
    for start in range(0, len(origins), _CHUNK):
        progress.check_cancelled()
        blocks.append(model.times_minutes(origins[start : start + _CHUNK], dest_xy))
    return np.vstack(blocks) if blocks else np.empty((0, len(dest_xy)))


def _mean(values: np.ndarray, weights: np.ndarray) -> float:
    ok = np.isfinite(values) & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else float("nan")


def _indicators_for(
    kind: str,
    label: str,
    before: np.ndarray,
    after: np.ndarray,
    unit: str,
    higher_is_better: bool,
    population: np.ndarray,
    groups: dict[str, np.ndarray],
    income: np.ndarray | None,
    comparison: np.ndarray,
    params: Parameters,
    suffix: str,
    comparison_label: str,
    model_note: str,
) -> list[Indicator]:
    """The whole-population indicator, one per group, and the two Title VI tests."""
    pop = population * comparison
    mean_before, mean_after = _mean(before, pop), _mean(after, pop)
    change = mean_after - mean_before
    gain = (after - before) if higher_is_better else (before - after)
    gain = np.where(np.isfinite(gain), gain, 0.0)
    improves = gain.sum() > 0 if np.any(gain) else None
    rating = (
        "unchanged"
        if improves is None
        else ("improves" if _better(change, higher_is_better) else "worsens")
    )
    fmt = _fmt(unit)
    out = [
        make_indicator(
            id=f"access.{kind}{suffix}",
            name=label,
            category="access",
            value=mean_after,
            comparison=mean_before,
            difference=change,
            unit=unit,
            rating_family="access",
            rating=rating,
            finding=(
                f"{label}, population-weighted mean across {comparison_label}: "
                f"{fmt(mean_before)} before and {fmt(mean_after)} after ({_signed(change, fmt)}). {model_note}"
            ),
            method="accessibility",
            details={
                "before_mean": mean_before,
                "after_mean": mean_after,
                "people_gaining": float(pop[gain > 0].sum()),
                "people_losing": float(pop[gain < 0].sum()),
            },
        )
    ]
    by_group = acc.compare_access(
        before,
        after,
        group_counts={g: c * comparison for g, c in groups.items()},
        population=pop,
        income=income,
    )
    threshold = params.distribution_threshold_pp
    table = by_group.by_group
    for gid in groups:
        if gid not in table.index:
            continue
        row = table.loc[gid]
        g_before, g_after = float(row["before_mean"]), float(row["after_mean"])
        g_change = g_after - g_before
        share_of_gain = float(row["gain_share"])
        pop_share = float(row["population_share"])
        diff_pp = (
            (share_of_gain - pop_share) * 100 if math.isfinite(share_of_gain) else float("nan")
        )
        if improves is None or not math.isfinite(diff_pp):
            g_rating = "similar"
        elif abs(diff_pp) <= threshold:
            g_rating = "similar"
        elif improves:
            g_rating = "progressive" if diff_pp > 0 else "regressive"
        else:
            g_rating = "burden_more" if diff_pp > 0 else "burden_less"
        ratio = g_after / mean_after if mean_after else float("nan")
        out.append(
            make_indicator(
                id=f"access.{kind}.{gid}{suffix}",
                name=f"{label}: {_GROUP_WORDS.get(gid, gid)}",
                category="access",
                value=g_after,
                comparison=mean_after,
                difference=g_change,
                unit=unit,
                rating_family="served",
                rating=g_rating,
                finding=(
                    f"{_capital(_GROUP_WORDS.get(gid, gid))}: {fmt(g_before)} before and {fmt(g_after)} after "
                    f"({_signed(g_change, fmt)}; {ratio:.2f} times the whole population's level after). "
                    + (
                        f"They get {share_of_gain:.1%} of the {'gain' if improves else 'loss'} against "
                        f"{pop_share:.1%} of the population."
                        if improves is not None and math.isfinite(share_of_gain)
                        else "No change."
                    )
                ),
                method="accessibility",
                details={
                    "before_mean": g_before,
                    "after_mean": g_after,
                    "share_of_change": share_of_gain,
                    "population_share": pop_share,
                    "ratio_to_whole_after": ratio,
                },
            )
        )
    if income is not None:
        quintiles = table[table["kind"] == "income_quintile"]
        out[0].details["by_income_quintile"] = {
            str(q): {"before_mean": float(r["before_mean"]), "after_mean": float(r["after_mean"])}
            for q, r in quintiles.iterrows()
        }
    if improves is not None:
        for gid, test in (
            ("minority", "disparate_impact"),
            ("low_income", "disproportionate_burden"),
        ):
            if gid in groups:
                out.append(
                    _title_vi(
                        kind,
                        label,
                        gid,
                        test,
                        groups[gid],
                        population,
                        comparison,
                        gain,
                        improves,
                        params,
                        suffix,
                        comparison_label,
                    )
                )
    return out


_GROUP_WORDS = {
    "minority": "minority residents",
    "low_income": "low-income residents",
    "zero_vehicle": "households without a vehicle",
    "limited_english": "limited-English households",
    "age_65_plus": "residents 65 and over",
    "disability": "residents with a disability",
}


def _title_vi(
    kind: str,
    label: str,
    gid: str,
    test: str,
    counts: np.ndarray,
    population: np.ndarray,
    comparison: np.ndarray,
    gain: np.ndarray,
    improves: bool,
    params: Parameters,
    suffix: str,
    comparison_label: str,
) -> Indicator:
    """Title VI test on access changes: people weighted by the size of their gain (or loss)."""
    direction = gain > 0 if improves else gain < 0
    size = np.where(direction, np.abs(gain), 0.0)
    weights = size / size.max() if size.max() > 0 else size
    weights = weights * comparison
    outcome = title_vi_test(
        float(np.dot(weights, counts)),
        float(np.dot(weights, population)),
        float(np.dot(comparison, counts)),
        float(np.dot(comparison, population)),
        is_benefit=improves,
        policy=params.title_vi,
    )
    rules = policy_words(params.title_vi)
    key = outcome.outcome
    rating = test if key == "finding" else key
    group_word = "minority" if gid == "minority" else "low-income"
    effect = "gain" if improves else "loss"
    if key == "not_assessed":
        finding = f"The test could not be applied to {label.lower()}: nobody's access changes."
    else:
        verdict = {
            "finding": f"beyond the adopted threshold ({rules}): a potential {test.replace('_', ' ')}",
            "no_finding": f"within the adopted threshold ({rules})",
            "not_distinguishable": f"too close to the threshold ({rules}) to tell",
        }[key]
        finding = (
            f"Weighted by the size of their {effect} in {label.lower()}, the people affected are "
            f"{outcome.share_affected:.1%} {group_word} against {outcome.share_reference:.1%} in "
            f"{comparison_label} ({outcome.difference_pp:+.1f} points; rate ratio {outcome.rate_ratio:.2f}): {verdict}."
        )
    return make_indicator(
        id=f"title_vi.access.{kind}.{test}{suffix}",
        name=f"Title VI {test.replace('_', ' ')} in {label.lower()}",
        category="title_vi",
        value=outcome.share_affected,
        comparison=outcome.share_reference,
        difference=outcome.difference_pp,
        unit="share",
        rating_family="title_vi",
        rating=rating,
        finding=finding,
        method="title_vi",
        details={
            "is_benefit": improves,
            "flags": outcome.flags,
            "rate_ratio": outcome.rate_ratio,
            "relative_difference": outcome.relative_difference,
            "weighting": f"size of the {effect} per person",
        },
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _better(change: float, higher_is_better: bool) -> bool:
    return change > 0 if higher_is_better else change < 0


def _fmt(unit: str) -> Any:
    if unit == "minutes":
        return lambda v: f"{v:.1f} min" if math.isfinite(v) else "not reachable"
    if unit == "jobs":
        return lambda v: f"{v:,.0f} jobs" if math.isfinite(v) else "n/a"
    return lambda v: f"{v:.2f}" if math.isfinite(v) else "n/a"


def _signed(change: float, fmt: Any) -> str:
    if not math.isfinite(change):
        return "change not computable"
    text = fmt(abs(change))
    return ("+" if change > 0 else "-" if change < 0 else "±") + text
