"""Distribution of a side's benefit or burden by income quintile (UK TAG unit A4.2).

The quintile table and the TAG rating of each quintile are computed by
:mod:`equityplanner.analysis.distribution`; this module makes one indicator per quintile and
one for the two lowest-income quintiles together.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from equityplanner.analysis import distribution
from equityplanner.analysis.indicators.make import make_indicator, rating_words, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.words import pct, signed
from equityplanner.catalog import load_resource
from equityplanner.i18n import _
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.results import Indicator

__all__ = ["LOWEST_TWO_QUINTILES", "distribution_indicators", "quintile_id"]

LOWEST_TWO_QUINTILES = IndicatorId(IndicatorFamily.DISTRIBUTION, "lowest_two_quintiles")


def quintile_id(quintile: int) -> IndicatorId:
    """``distribution.q<n>``, the indicator of income quintile ``n`` (1 = lowest incomes)."""
    return IndicatorId(IndicatorFamily.DISTRIBUTION, f"q{quintile}")


def distribution_indicators(side: SideContext) -> tuple[list[Indicator], pd.DataFrame]:
    """One indicator per quintile, then the lowest two together; and the quintile table.

    Nothing (and an empty table) when the data has no median household income.
    """
    b = side.baseline
    if "median_household_income" not in b.table:
        return [], pd.DataFrame()
    population = b.filled("total_population")
    quintile = b.values("quintile")
    # The comparison population by quintile is the layer's, summed once; the impact is summed
    # over the neighbourhoods inside only (in row order, as over the whole layer).
    key = ("quintile_population", id(side.comparison))
    if key not in b._memo:
        b._memo[key] = np.bincount(quintile, weights=population * side.comparison, minlength=6)
    rows, shares = side.sparse
    benefit = np.bincount(quintile[rows], weights=population[rows] * shares, minlength=6)
    columns = distribution.quintile_columns(b._memo[key][1:], benefit[1:])
    threshold = side.params.distribution_threshold_pp
    effect = side.effect_words
    labels = text("distribution.quintile_labels")
    ratings = []
    for n in range(len(distribution.QUINTILES)):
        ratings.append(
            "neutral"
            if side.nobody_inside
            else str(
                distribution.tag_rating(
                    columns["population_share"][n],
                    columns["benefit_share"][n],
                    is_benefit=side.is_benefit,
                    threshold_pp=threshold,
                )
            )
        )
    # The labels in the current language, the symbols as they are.
    tag = {
        key: {**entry, "label": rating_words("tag", key)[0]}
        for key, entry in load_resource("ratings.toml")["tag"].items()
    }
    # The table with its ratings framed once (not three columns added one by one).
    table = pd.DataFrame(
        {
            **columns,
            "rating": ratings,
            "rating_label": [tag[r]["label"] for r in ratings],
            "rating_symbol": [tag[r]["symbol"] for r in ratings],
        },
        index=pd.Index(distribution.QUINTILES, name="quintile"),
    )
    indicators = []
    for n, (q, rating) in enumerate(zip(table.index, ratings, strict=True)):
        row = {name: values[n] for name, values in columns.items()}
        label = tag[rating]["label"]
        indicators.append(
            make_indicator(
                id=side.indicator_id(quintile_id(q)),
                name=text("distribution.name").format(
                    quintile=q, quintile_label=labels[q - 1], effect=effect
                ),
                value=row["benefit_share"],
                comparison=row["population_share"],
                difference=row["difference_pp"],
                value_unit="share",
                rating_family="tag",
                rating=rating,
                finding=text("distribution.finding").format(
                    quintile=q,
                    quintile_label=labels[q - 1],
                    effect=effect,
                    value=pct(_zero(row["benefit_share"])),
                    comparison_value=pct(_zero(row["population_share"])),
                    difference_pp=signed(_zero(row["difference_pp"])),
                    rating_label=label.lower(),
                ),
                method="tag_a42",
                details={
                    "population": row["population"],
                    "benefit": row["benefit"],
                    "threshold_pp": threshold,
                },
            )
        )
    indicators.append(_lowest_two(side, columns))
    return indicators, table


def _lowest_two(side: SideContext, columns: dict[str, np.ndarray]) -> Indicator:
    """``distribution.lowest_two_quintiles``: the lowest-income 40% against their share."""
    threshold = side.params.distribution_threshold_pp
    effect = side.effect_words
    low_benefit = _zero(_first_two(columns["benefit_share"]))
    low_pop = _zero(_first_two(columns["population_share"]))
    diff_pp = (low_benefit - low_pop) * 100
    if side.nobody_inside:
        rating, direction = "not_assessed", _("not assessed")
    elif abs(diff_pp) <= threshold:
        rating, direction = "similar", _("broadly in line with population")
    elif side.is_benefit:
        rating = "progressive" if diff_pp > 0 else "regressive"
        direction = (
            _("progressive (tilted to lower incomes)")
            if diff_pp > 0
            else _("regressive (tilted to higher incomes)")
        )
    else:
        rating = "burden_more" if diff_pp > 0 else "burden_less"
        direction = (
            _("regressive (borne more by lower incomes)")
            if diff_pp > 0
            else _("borne less by lower incomes")
        )
    return make_indicator(
        id=side.indicator_id(LOWEST_TWO_QUINTILES),
        name=text("distribution_summary.name").format(effect=effect),
        value=low_benefit,
        comparison=low_pop,
        difference=diff_pp,
        value_unit="share",
        rating_family="served",
        rating=rating,
        finding=text("distribution_summary.finding").format(
            comparison_value=pct(low_pop),
            value=pct(low_benefit),
            effect=effect,
            direction=direction,
        ),
        method="tag_a42",
        details={"threshold_pp": threshold},
    )


def _first_two(values: np.ndarray) -> float:
    """The sum of quintiles 1 and 2, missing ones left out (NaN when both are missing), as
    pandas' ``sum(min_count=1)``."""
    first, second = float(values[0]), float(values[1])
    if math.isnan(first) and math.isnan(second):
        return float("nan")
    return (0.0 if math.isnan(first) else first) + (0.0 if math.isnan(second) else second)


def _zero(value: float | None) -> float:
    """A missing or infinite value as 0.0 (for words: "0.0% of the benefit")."""
    return float(value) if value is not None and math.isfinite(value) else 0.0
