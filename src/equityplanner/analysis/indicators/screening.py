"""Screening-layer indicators (``screening.*``, methods: screening).

- ``screening.<layer>_served``: the share of the people a side serves (or burdens) who live
  in the layer's disadvantaged communities, against their share of the comparison population
  (the Justice40 framing; the 40% goal in the details).
- ``screening.<layer>_access_<measure>``: the share of an access measure's gains (on a
  burden side, its losses), weighted by the people who gain, reaching the layer's
  disadvantaged communities, against their share of the comparison population (the
  Justice40 framing applied to access gains, issue 15.2).
- ``screening.<layer>_site``: whether a housing site's neighbourhood is disadvantaged.
- ``screening.<layer>_<column>``: a burden percentile at a housing site, against the 80th.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from equityplanner.analysis.access_measures import AccessMeasure
from equityplanner.analysis.baseline import Baseline
from equityplanner.analysis.indicators.access import measure_label
from equityplanner.analysis.indicators.make import make_indicator, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.screening import LayerOnNeighbourhoods, Screening, majority_share
from equityplanner.analysis.words import num, pct, signed, translate_label
from equityplanner.analysis.words import short as short_number
from equityplanner.catalog import load_resource
from equityplanner.i18n import _, pgettext
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.results import Indicator

__all__ = [
    "access_gain_indicators",
    "access_gain_share",
    "served_indicators",
    "site_indicators",
    "topic",
]


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


def _justice40_rating(diff_pp: float, band: float, is_benefit: bool) -> str:
    """More, in line (within ``band`` points) or less than the communities' share."""
    prefix = "benefit" if is_benefit else "burden"
    if not np.isfinite(diff_pp):
        return "not_assessed"
    if abs(diff_pp) <= band:
        return f"{prefix}_in_line"
    return f"{prefix}_more" if diff_pp > 0 else f"{prefix}_less"


def _layer_details(kind: str, layer: LayerOnNeighbourhoods) -> dict[str, Any]:
    """Which screening layer, its release and vintage, and how it was joined."""
    return {
        "layer": kind,
        "release": layer.table.release,
        "vintage": layer.table.vintage,
        "join": layer.method,
    }


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
        rating = _justice40_rating(diff, band, side.is_benefit)
        short = layer.table.short
        verb = "served" if side.is_benefit else "burdened"
        fields = {
            "served": num(served),
            "share": pct(share),
            "layer": short,
            "reference": pct(ref),
            "comparison": side.comparison_label,
            "difference": signed(diff),
            "band": short_number(band),
        }
        if np.isfinite(diff):
            finding = (
                _(
                    "Of the {served} people served, {share} live in {layer} disadvantaged "
                    "communities, against {reference} of {comparison} ({difference} points; "
                    "'in line' is within {band} points)."
                )
                if side.is_benefit
                else _(
                    "Of the {served} people burdened, {share} live in {layer} disadvantaged "
                    "communities, against {reference} of {comparison} ({difference} points; "
                    "'in line' is within {band} points)."
                )
            ).format(**fields)
        else:
            finding = (
                _("No one served lives in a neighbourhood the {layer} file covers.")
                if side.is_benefit
                else _("No one burdened lives in a neighbourhood the {layer} file covers.")
            ).format(layer=short)
        if side.is_benefit and np.isfinite(share):
            finding += " " + (
                _(
                    "The Justice40 goal of {goal} of the benefits is met by this measure "
                    "(people served)."
                )
                if share >= goal
                else _(
                    "The Justice40 goal of {goal} of the benefits is not met by this measure "
                    "(people served)."
                )
            ).format(goal=pct(goal, 0))
        finding += f" ({layer.method}.)"
        out.append(
            make_indicator(
                id=side.indicator_id(IndicatorId(IndicatorFamily.SCREENING, topic(kind, "served"))),
                name=text("screening::served::name").format(
                    verb=pgettext("people who are", verb), layer=short
                ),
                value=share,
                comparison=ref,
                difference=diff,
                value_unit="share",
                rating_family="screening",
                rating=rating,
                finding=finding,
                method="screening",
                details={
                    **_layer_details(kind, layer),
                    "people_in_disadvantaged": inside,
                    "people_with_data": served,
                    "justice40_goal": goal,
                    "meets_justice40_goal": bool(share >= goal) if np.isfinite(share) else None,
                    "is_benefit": side.is_benefit,
                },
            )
        )
    return out


def access_gain_share(
    amount: np.ndarray, population: np.ndarray, disadvantaged: np.ndarray
) -> tuple[float, float, float]:
    """(share of the amount reaching disadvantaged communities, that amount, the whole amount).

    ``amount`` is each neighbourhood's access gain (for a burden: its access loss), in the
    measure's unit; only positive, finite amounts count, so gains elsewhere do not offset a
    loss and the share stays within 0-1. ``population`` is its people (0 outside the
    comparison population) and ``disadvantaged`` the share of it in disadvantaged
    communities (0..1; NaN: not covered by the layer, left out of both sums). The share is
    ``Σ p_i d_i a_i / Σ p_i a_i``; NaN when nobody gains (or loses).

    Examples
    --------
    Two neighbourhoods of 100 and 300 people gain 10 and 2 jobs; the first is disadvantaged:

    >>> share, inside, total = access_gain_share(
    ...     np.array([10.0, 2.0]), np.array([100.0, 300.0]), np.array([1.0, 0.0]))
    >>> round(share, 4), inside, total
    (0.625, 1000.0, 1600.0)
    """
    counted = np.isfinite(disadvantaged) & np.isfinite(amount) & (amount > 0)
    weighted = population * np.where(counted, amount, 0.0)
    inside = float(np.dot(weighted, np.where(counted, disadvantaged, 0.0)))
    total = float(weighted.sum())
    return (inside / total if total > 0 else float("nan")), inside, total


def access_gain_indicators(
    side: SideContext, screening: Screening, measures: list[AccessMeasure]
) -> list[Indicator]:
    """For each layer with a disadvantaged flag and each access measure: the share of the
    access gains (on a burden side, the losses) reaching disadvantaged communities, against
    their share of the comparison population."""
    b = side.baseline
    goal = float(load_resource("screening.toml")["thresholds"]["justice40_share"])
    band = side.params.distribution_threshold_pp
    people = _population(b) * side.comparison
    noun = "gains" if side.is_benefit else "losses"
    out = []
    for kind, layer in screening.layers.items():
        if layer.disadvantaged is None:
            continue
        ref_in, ref_all = _share(layer, b, side.comparison)
        ref = ref_in / ref_all if ref_all > 0 else float("nan")
        short = layer.table.short
        for m in measures:
            with np.errstate(invalid="ignore"):  # unreachable before and after: no change
                gain = (m.after - m.before) if m.higher_is_better else (m.before - m.after)
            amount = gain if side.is_benefit else -gain
            share, inside, total = access_gain_share(amount, people, layer.disadvantaged)
            if not np.isfinite(share):
                continue  # nobody gains (or loses) by this measure: nothing to share out
            diff = (share - ref) * 100
            rating = _justice40_rating(diff, band, side.is_benefit)
            finding = (
                _(
                    "Of the access gains in {measure} (weighted by the people who gain), {share} "
                    "reach people in {layer} disadvantaged communities, against their "
                    "{reference} of {comparison} ({difference} points; 'in line' is within "
                    "{band} points)."
                )
                if side.is_benefit
                else _(
                    "Of the access losses in {measure} (weighted by the people who lose), "
                    "{share} fall on people in {layer} disadvantaged communities, against their "
                    "{reference} of {comparison} ({difference} points; 'in line' is within "
                    "{band} points)."
                )
            ).format(
                measure=_lower_first(measure_label(m.label)),
                share=pct(share),
                layer=short,
                reference=pct(ref),
                comparison=side.comparison_label,
                difference=signed(diff),
                band=short_number(band),
            )
            if side.is_benefit:
                finding += " " + (
                    _(
                        "The Justice40 goal of {goal} of the benefits is met by this measure "
                        "(access gains)."
                    )
                    if share >= goal
                    else _(
                        "The Justice40 goal of {goal} of the benefits is not met by this "
                        "measure (access gains)."
                    )
                ).format(goal=pct(goal, 0))
            finding += f" ({layer.method}.)"
            topic_id = f"{topic(kind)}_access_{m.kind}"
            out.append(
                make_indicator(
                    id=side.indicator_id(IndicatorId(IndicatorFamily.SCREENING, topic_id)),
                    name=text("screening::access::name").format(
                        noun=pgettext("access changes", noun),
                        measure=_lower_first(measure_label(m.label)),
                        layer=short,
                    ),
                    value=share,
                    comparison=ref,
                    difference=diff,
                    value_unit="share",
                    rating_family="screening",
                    rating=rating,
                    finding=finding,
                    method="screening",
                    details={
                        **_layer_details(kind, layer),
                        "measure": m.kind,
                        "amount_in_disadvantaged": inside,
                        "amount_total": total,
                        "amount_unit": f"{m.unit} x people",
                        "justice40_goal": goal,
                        "meets_justice40_goal": bool(share >= goal) if side.is_benefit else None,
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
            part = (
                " " + _("({share} of its land in disadvantaged tracts)").format(share=pct(share, 0))
                if 0 < share < 1
                else ""
            )
            site_finding = (
                _("The site's neighbourhood is disadvantaged under {layer}{part} ({method}).")
                if flagged
                else _(
                    "The site's neighbourhood is not disadvantaged under {layer}{part} ({method})."
                )
            ).format(layer=short, part=part, method=layer.method)
            out.append(
                make_indicator(
                    id=IndicatorId(IndicatorFamily.SCREENING, topic(kind, "site")),
                    name=text("screening::site::name").format(layer=short),
                    value=words,  # a stable flag, as "yes"/"no" elsewhere
                    comparison=None,
                    difference=None,
                    value_unit="flag",
                    rating_family="screening",
                    rating="site_disadvantaged" if flagged else "site_not_disadvantaged",
                    finding=site_finding,
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
            label = translate_label("screening.toml", layer.table.labels[column])
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
                        _(
                            "{label} at the site's neighbourhood is at the {value}th national "
                            "percentile ({layer}, column '{column}'), at or above the "
                            "{threshold}th used to screen."
                        )
                        if high
                        else _(
                            "{label} at the site's neighbourhood is at the {value}th national "
                            "percentile ({layer}, column '{column}'), below the {threshold}th "
                            "used to screen."
                        )
                    ).format(
                        label=label,
                        value=num(value),
                        layer=short,
                        column=column,
                        threshold=num(threshold),
                    ),
                    method="screening",
                    details={**site, "layer": kind, "column": column, "join": layer.method},
                )
            )
    return out


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
