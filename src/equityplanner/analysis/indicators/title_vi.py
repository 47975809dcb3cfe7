"""Title VI indicators: the disparate impact and disproportionate burden tests as findings.

The tests themselves (FTA C 4702.1B thresholds, margins of error) are in
:mod:`equityplanner.analysis.title_vi`; this module words their outcomes, for the people
inside a catchment (:func:`catchment_test`) and for the people whose access to opportunity
changes (:func:`access_change_test`).
"""

from __future__ import annotations

import math

import numpy as np

from equityplanner.analysis.baseline import Totals
from equityplanner.analysis.indicators.make import make_indicator, reliability, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.title_vi import policy_words, title_vi_test
from equityplanner.model.concepts import IndicatorFamily, TitleViTest
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import Parameters
from equityplanner.model.results import Indicator

__all__ = ["access_change_test", "catchment_test"]


def catchment_test(
    side: SideContext, test: TitleViTest, inside: Totals, reference: Totals
) -> Indicator:
    """``title_vi.<test>``: the group's share inside the transit catchment against the comparison.

    ``inside`` is measured on the side's transit catchment; ``reference`` on the comparison
    population.
    """
    policy = side.params.title_vi
    outcome = title_vi_test(
        inside.count,
        inside.universe,
        reference.count,
        reference.universe,
        is_benefit=side.is_benefit,
        policy=policy,
        moe_share_affected=inside.share_moe,
        moe_share_reference=reference.share_moe,
    )
    rating = {"finding": test.value, "no_finding": "no_finding"}.get(
        outcome.outcome, outcome.outcome
    )
    key = "finding" if outcome.outcome == "finding" else outcome.outcome
    verb = side.verb
    words = dict(
        verb_capital=verb[0].upper() + verb[1:],
        value=outcome.share_affected if math.isfinite(outcome.share_affected) else 0.0,
        comparison_value=outcome.share_reference if math.isfinite(outcome.share_reference) else 0.0,
        comparison=side.comparison_label,
        difference_pp=outcome.difference_pp,
        rate_ratio=outcome.rate_ratio,
        rules=policy_words(policy),
        reason="nobody lives inside the catchment"
        if outcome.total_affected == 0
        else "the comparison population is empty",
    )
    return make_indicator(
        id=side.indicator_id(IndicatorId(IndicatorFamily.TITLE_VI, test.value)),
        name=text(f"title_vi::{test.value}::name"),
        value=outcome.share_affected,
        comparison=outcome.share_reference,
        difference=outcome.difference_pp,
        value_unit="share",
        rating_family="title_vi",
        rating=rating,
        finding=text(f"title_vi::{test.value}::findings::{key}").format(**words),
        method="title_vi",
        reliability=reliability(inside.share, inside.share_moe, side.params.reliability_bands),
        details={
            "is_benefit": side.is_benefit,
            "forms": list(policy.forms),
            "flags": outcome.flags,
            "relative_difference": outcome.relative_difference,
            "rate_ratio": outcome.rate_ratio,
            "moe_difference_pp": outcome.moe_difference_pp,
            "threshold_pp": policy.threshold_pp,
            "threshold_relative": policy.threshold_relative,
            "four_fifths_ratio": policy.four_fifths_ratio,
            "group_affected": outcome.group_affected,
            "total_affected": outcome.total_affected,
            "group_reference": outcome.group_reference,
            "total_reference": outcome.total_reference,
        },
    )


def access_change_test(
    indicator_id: IndicatorId,
    label: str,
    group_word: str,
    counts: np.ndarray,
    population: np.ndarray,
    comparison: np.ndarray,
    gain: np.ndarray,
    improves: bool,
    params: Parameters,
    comparison_label: str,
) -> Indicator:
    """``title_vi.access.<measure>.<test>``: people weighted by the size of their gain (or loss).

    Parameters
    ----------
    indicator_id
        The id (its measure and test; on the caller's side).
    label
        The access measure in words (``"Jobs reachable within 45 minutes"``).
    group_word
        The group in words (``"minority"``, ``"low-income"``).
    counts, population
        Per neighbourhood, the group's count and the population.
    comparison
        Per neighbourhood, 1.0 inside the comparison population, else 0.0.
    gain
        Per neighbourhood, the improvement of access (negative for a loss).
    improves
        True when access improves overall (the test is then of a benefit).
    """
    test = indicator_id.title_vi_test
    assert test is not None, indicator_id
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
    rating = test.value if key == "finding" else key
    effect = "gain" if improves else "loss"
    if key == "not_assessed":
        finding = f"The test could not be applied to {label.lower()}: nobody's access changes."
    else:
        verdict = {
            "finding": f"beyond the adopted threshold ({rules}): a potential {test.words}",
            "no_finding": f"within the adopted threshold ({rules})",
            "not_distinguishable": f"too close to the threshold ({rules}) to tell",
        }[key]
        finding = (
            f"Weighted by the size of their {effect} in {label.lower()}, the people affected are "
            f"{outcome.share_affected:.1%} {group_word} against {outcome.share_reference:.1%} in "
            f"{comparison_label} ({outcome.difference_pp:+.1f} points; rate ratio {outcome.rate_ratio:.2f}): {verdict}."
        )
    return make_indicator(
        id=indicator_id,
        name=f"Title VI {test.words} in {label.lower()}",
        value=outcome.share_affected,
        comparison=outcome.share_reference,
        difference=outcome.difference_pp,
        value_unit="share",
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
