"""Screening-layer indicators (``screening.*``, methods: screening).

- ``screening.<layer>_served``: the share of the people a side serves (or burdens) who live
  in the layer's disadvantaged communities, against their share of the comparison population
  (the Justice40 framing; the 40% goal in the details).
- ``screening.<layer>_site``: whether a housing site's neighbourhood is disadvantaged.
- ``screening.<layer>_<column>``: a burden percentile at a housing site, against the 80th.
"""

from __future__ import annotations

import re

import numpy as np

from equityplanner.analysis.baseline import Baseline
from equityplanner.analysis.indicators.make import make_indicator, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.screening import LayerOnNeighbourhoods, Screening, majority_share
from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.results import Indicator

__all__ = ["served_indicators", "site_indicators", "topic"]


def topic(*parts: str) -> str:
    """An id part from published words: ``topic("ejscreen", "P_PM25")`` is ``ejscreen_p_pm25``."""
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", "_".join(parts).lower())).strip("_")


def _population(b: Baseline) -> np.ndarray:
    out: np.ndarray = b.table["total_population"].fillna(0).to_numpy(dtype=float)
    return out


def _share(layer: LayerOnNeighbourhoods, b: Baseline, weights: np.ndarray) -> tuple[float, float]:
    """(people in disadvantaged communities, people with data) over ``weights``."""
    assert layer.disadvantaged is not None
    known = np.isfinite(layer.disadvantaged)
    people = _population(b) * weights * known
    return float(np.dot(people, np.nan_to_num(layer.disadvantaged))), float(people.sum())


def served_indicators(side: SideContext, screening: Screening) -> list[Indicator]:
    """The Justice40 share of each layer with a disadvantaged flag, on one side."""
    b = side.baseline
    thresholds = load_resource("screening.toml")["thresholds"]
    goal = float(thresholds["justice40_share"])
    band = side.params.distribution_threshold_pp
    out = []
    for kind, layer in screening.layers.items():
        if layer.disadvantaged is None:
            continue
        inside, served = _share(layer, b, side.weights)
        ref_in, ref_all = _share(layer, b, side.comparison)
        share = inside / served if served > 0 else float("nan")
        ref = ref_in / ref_all if ref_all > 0 else float("nan")
        diff = (share - ref) * 100
        prefix = "benefit" if side.is_benefit else "burden"
        if not np.isfinite(diff):
            rating = "not_assessed"
        elif abs(diff) <= band:
            rating = f"{prefix}_in_line"
        else:
            rating = f"{prefix}_more" if diff > 0 else f"{prefix}_less"
        short = layer.table.short
        verb = "served" if side.is_benefit else "burdened"
        finding = (
            f"Of the {served:,.0f} people {verb}, {share:.1%} live in {short} disadvantaged "
            f"communities, against {ref:.1%} of {side.comparison_label} ({diff:+.1f} points; "
            f"'in line' is within {band:g} points)."
            if np.isfinite(diff)
            else f"No one {verb} lives in a neighbourhood the {short} file covers."
        )
        if side.is_benefit and np.isfinite(share):
            finding += (
                f" The Justice40 goal of {goal:.0%} of the benefits is "
                f"{'met' if share >= goal else 'not met'} by this measure (people served)."
            )
        finding += f" ({layer.method}.)"
        out.append(
            make_indicator(
                id=side.indicator_id(IndicatorId(IndicatorFamily.SCREENING, topic(kind, "served"))),
                name=text("screening::served::name").format(verb=verb, layer=short),
                value=share,
                comparison=ref,
                difference=diff,
                value_unit="share",
                rating_family="screening",
                rating=rating,
                finding=finding,
                method="screening",
                details={
                    "layer": kind,
                    "release": layer.table.release,
                    "vintage": layer.table.vintage,
                    "join": layer.method,
                    "people_in_disadvantaged": inside,
                    "people_with_data": served,
                    "justice40_goal": goal,
                    "meets_justice40_goal": bool(share >= goal) if np.isfinite(share) else None,
                    "is_benefit": side.is_benefit,
                },
            )
        )
    return out


def site_indicators(b: Baseline, row: int, screening: Screening) -> list[Indicator]:
    """Each layer's flag and burden percentiles at a housing site's neighbourhood."""
    threshold = float(load_resource("screening.toml")["thresholds"]["burden_percentile"])
    site = {"site_neighbourhood": b.table["id"].iloc[row], "site_name": b.table["name"].iloc[row]}
    out = []
    for kind, layer in screening.layers.items():
        short = layer.table.short
        if layer.disadvantaged is not None and np.isfinite(layer.disadvantaged[row]):
            share = float(layer.disadvantaged[row])
            flagged = share >= majority_share() if 0 < share < 1 else share >= 1
            words = "disadvantaged" if flagged else "not disadvantaged"
            part = f" ({share:.0%} of its land in disadvantaged tracts)" if 0 < share < 1 else ""
            out.append(
                make_indicator(
                    id=IndicatorId(IndicatorFamily.SCREENING, topic(kind, "site")),
                    name=text("screening::site::name").format(layer=short),
                    value=words,
                    comparison=None,
                    difference=None,
                    value_unit="flag",
                    rating_family="screening",
                    rating="site_disadvantaged" if flagged else "site_not_disadvantaged",
                    finding=f"The site's neighbourhood is {words} under {short}{part} ({layer.method}).",
                    method="screening",
                    details={
                        **site,
                        "layer": kind,
                        "disadvantaged_share": share,
                        "release": layer.table.release,
                    },
                )
            )
        for column, values in layer.percentiles.items():
            value = float(values[row])
            if not np.isfinite(value):
                continue
            label = layer.table.labels[column]
            high = value >= threshold
            out.append(
                make_indicator(
                    id=IndicatorId(IndicatorFamily.SCREENING, topic(kind, column)),
                    name=text("screening::percentile::name").format(layer=short, label=label),
                    value=value,
                    comparison=threshold,
                    difference=value - threshold,
                    value_unit="percentile",
                    rating_family="screening",
                    rating="high_burden" if high else "below_threshold",
                    finding=(
                        f"{label} at the site's neighbourhood is at the {value:.0f}th national "
                        f"percentile ({short}, column '{column}'), "
                        f"{'at or above' if high else 'below'} the {threshold:.0f}th used to screen."
                    ),
                    method="screening",
                    details={**site, "layer": kind, "column": column, "join": layer.method},
                )
            )
    return out
