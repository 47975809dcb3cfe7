"""Title VI indicators: the disparate impact and disproportionate burden tests as findings.

The tests themselves (FTA C 4702.1B thresholds, margins of error) are in
:mod:`equityplanner.analysis.title_vi`; this module words their outcomes, for the people
inside a catchment (:func:`catchment_test`) and for the people whose access to opportunity
changes (:func:`access_change_test`).

A finding follows the test's direction (a benefit that reaches the group more than its share
says so), names the form that decided it and whether that form is clear of its own margin
of error, defines "rate ratio" where it is used, and ends with the step the policy then
requires (:func:`required_step`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from equityplanner.analysis.baseline import Totals
from equityplanner.analysis.indicators.make import make_indicator, reliability, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.title_vi import FORM_WORDS, TitleViOutcome, policy_words, title_vi_test
from equityplanner.model.concepts import IndicatorFamily, TitleViTest
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import Parameters, TitleViPolicy
from equityplanner.model.results import Indicator

__all__ = [
    "access_change_test",
    "access_weights",
    "catchment_test",
    "required_step",
    "routing_margin",
    "verdict_sentence",
]

GROUP_WORDS = {
    TitleViTest.DISPARATE_IMPACT: "minority",
    TitleViTest.DISPROPORTIONATE_BURDEN: "low-income",
}


def required_step(test: TitleViTest) -> str:
    """The step FTA C 4702.1B (ch. IV §7) requires after a potential finding of ``test``.

    >>> required_step(TitleViTest.DISPROPORTIONATE_BURDEN)
    'take steps to avoid, minimise or mitigate the burden where practicable'
    """
    if test is TitleViTest.DISPARATE_IMPACT:
        return (
            "show a substantial legitimate justification and that no less discriminatory "
            "alternative would meet the same goals"
        )
    return "take steps to avoid, minimise or mitigate the burden where practicable"


def _statistic_words(
    form: str, outcome: TitleViOutcome, group_word: str, is_benefit: bool, policy: TitleViPolicy
) -> str:
    """The deciding form's statistic against its boundary, in words."""
    f = outcome.by_form[form]
    if form == "absolute":
        return f"{f.statistic:+.1f} points against a threshold of {policy.threshold_pp:g} points"
    if form == "relative":
        return (
            f"a relative difference of {f.statistic:+.1%} against a threshold of "
            f"{policy.threshold_relative:.0%}"
        )
    verb = "served" if is_benefit else "affected"
    return (
        f"a rate ratio of {_ratio_text(f.statistic)} (the share of {group_word} residents {verb} "
        f"divided by the share of everyone else {verb}) against the four-fifths limit of "
        f"{f.boundary:.2f}"
    )


def _ratio_text(value: float) -> str:
    return f"{value:.2f}" if math.isfinite(value) else "infinite (nobody else is affected)"


def _margin_words(form: str, outcome: TitleViOutcome) -> str:
    moe = outcome.by_form[form].moe
    if moe is None or not math.isfinite(moe):
        return ""
    if form == "absolute":
        return f" (margin of error ±{moe:.1f} points)"
    if form == "relative":
        return f" (margin of error ±{moe:.1%})"
    return f" (margin of error ±{moe:.2f})"


def verdict_sentence(
    outcome: TitleViOutcome,
    test: TitleViTest,
    *,
    is_benefit: bool,
    policy: TitleViPolicy,
    group_word: str | None = None,
) -> str:
    """The verdict of a test in words, after the sentence giving the two shares.

    It follows the direction of the test, names the deciding form and whether it is clear
    of its margin, and ends with the step the policy requires after a finding.
    """
    group = group_word or GROUP_WORDS[test]
    rules = policy_words(policy)
    diff = outcome.difference_pp
    if outcome.outcome == "finding":
        form = outcome.deciding_form or policy.forms[0]
        clear = " and is clear of its margin of error" if outcome.by_form[form].moe else ""
        others = [f for f, o in outcome.by_form.items() if f != form and not o.fires]
        alone = (
            f" (the {' and '.join(FORM_WORDS[f] for f in others)} alone would not find it)"
            if others
            else ""
        )
        return (
            f"Under the {FORM_WORDS[form]}, {_statistic_words(form, outcome, group, is_benefit, policy)}"
            f"{_margin_words(form, outcome)} is beyond the adopted threshold{clear}: a potential "
            f"{test.words}{alone}. The policy then requires the agency to {required_step(test)}."
        )
    if outcome.outcome == "not_distinguishable":
        form = outcome.deciding_form or policy.forms[0]
        return (
            f"Under the {FORM_WORDS[form]}, {_statistic_words(form, outcome, group, is_benefit, policy)}"
            f"{_margin_words(form, outcome)}: the threshold lies within the margin of error, so "
            f"the test cannot tell whether there is a potential {test.words}; gather better data "
            "(such as a rider survey) before concluding."
        )
    favourable = diff > 0 if is_benefit else diff < 0
    if favourable:
        reach = (
            f"the benefit reaches {group} residents more than their share"
            if is_benefit
            else f"the burden falls on {group} residents less than their share"
        )
        return f"{reach[0].upper()}{reach[1:]}: no {test.words} under any adopted test ({rules})."
    reach = (
        f"The benefit reaches {group} residents less than their share"
        if is_benefit
        else f"The burden falls on {group} residents more than their share"
    )
    return f"{reach}, but within every adopted threshold ({rules}): no {test.words}."


def _opening(who: str, outcome: TitleViOutcome, group: str, comparison: str) -> str:
    """``"The people the cut affects are 92.5% minority against 77.1% in X (+15.4 points)."``"""
    margin = (
        f" ±{outcome.moe_difference_pp:.1f}"
        if outcome.moe_difference_pp is not None and math.isfinite(outcome.moe_difference_pp)
        else ""
    )
    return (
        f"{who} {outcome.share_affected:.1%} {group} against {outcome.share_reference:.1%} in "
        f"{comparison} ({outcome.difference_pp:+.1f}{margin} points)."
    )


def outcome_details(outcome: TitleViOutcome, policy: TitleViPolicy) -> dict[str, Any]:
    """The numbers behind a test for the ``details`` of its indicator (JSON-ready)."""
    return {
        "forms": list(policy.forms),
        "flags": outcome.flags,
        "relative_difference": outcome.relative_difference,
        "rate_ratio": outcome.rate_ratio,
        "moe_difference_pp": outcome.moe_difference_pp,
        "moe_relative": outcome.moe_relative,
        "moe_rate_ratio": outcome.moe_rate_ratio,
        "deciding_form": outcome.deciding_form,
        "by_form": {
            form: {
                "statistic": f.statistic,
                "boundary": f.boundary,
                "moe": f.moe,
                "fires": f.fires,
                "is_distinguishable": f.is_distinguishable,
                "verdict": f.verdict,
            }
            for form, f in outcome.by_form.items()
        },
        "threshold_pp": policy.threshold_pp,
        "threshold_relative": policy.threshold_relative,
        "four_fifths_ratio": policy.four_fifths_ratio,
        "group_affected": outcome.group_affected,
        "total_affected": outcome.total_affected,
        "group_reference": outcome.group_reference,
        "total_reference": outcome.total_reference,
    }


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
    if outcome.outcome == "not_assessed":
        reason = (
            "nobody lives inside the catchment"
            if outcome.total_affected == 0
            else "the comparison population is empty"
        )
        finding = text(f"title_vi::{test.value}::findings::not_assessed").format(reason=reason)
    else:
        who = side.verb[0].upper() + side.verb[1:]
        finding = (
            _opening(who, outcome, GROUP_WORDS[test], side.comparison_label)
            + " "
            + verdict_sentence(outcome, test, is_benefit=side.is_benefit, policy=policy)
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
        finding=finding,
        method="title_vi",
        reliability=reliability(inside.share, inside.share_moe, side.params.reliability_bands),
        details={
            "is_benefit": side.is_benefit,
            **outcome_details(outcome, policy),
            "moe_share_affected": inside.share_moe,
            "moe_share_reference": reference.share_moe,
        },
    )


def access_change_test(
    indicator_id: IndicatorId,
    label: str,
    group_word: str,
    counts: np.ndarray,
    universe: np.ndarray,
    comparison: np.ndarray,
    gain: np.ndarray,
    improves: bool,
    params: Parameters,
    comparison_label: str,
    routing_margin: float | None = None,
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
    counts, universe
        Per neighbourhood, the group's count and the universe its share is taken of (the
        same denominators as every other test of the group, so the comparison share is the
        one of the catchment tests).
    comparison
        Per neighbourhood, 1.0 inside the comparison population, else 0.0.
    gain
        Per neighbourhood, the improvement of access (negative for a loss).
    improves
        True when access improves overall (the test is then of a benefit).
    routing_margin
        For routed access, the margin of the share affected that the routing engine's
        build-to-build variation gives (a fraction; see :func:`routing_margin`); the test then
        "cannot tell" when the threshold lies within it.
    """
    test = indicator_id.title_vi_test
    assert test is not None, indicator_id
    weights = access_weights(gain, improves, comparison)
    outcome = title_vi_test(
        float(np.dot(weights, counts)),
        float(np.dot(weights, universe)),
        float(np.dot(comparison, counts)),
        float(np.dot(comparison, universe)),
        is_benefit=improves,
        policy=params.title_vi,
        moe_share_affected=routing_margin,
        moe_share_reference=None if routing_margin is None else 0.0,
    )
    key = outcome.outcome
    rating = test.value if key == "finding" else key
    effect = "gain" if improves else "loss"
    if key == "not_assessed":
        finding = f"The test could not be applied to {label.lower()}: nobody's access changes."
    else:
        finding = (
            f"Weighted by the size of their {effect} in {label.lower()}, the people affected are "
            f"{outcome.share_affected:.1%} {group_word} against {outcome.share_reference:.1%} in "
            f"{comparison_label} ({outcome.difference_pp:+.1f} points). "
            + verdict_sentence(
                outcome, test, is_benefit=improves, policy=params.title_vi, group_word=group_word
            )
        )
    if routing_margin is not None and key != "not_assessed":
        finding += (
            " Its margin of error is the routing engine's variation: the share measured "
            "against a second build of the unchanged network."
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
            **outcome_details(outcome, params.title_vi),
            "weighting": f"size of the {effect} per person",
            **(
                {
                    "moe_share_affected": routing_margin,
                    "moe_share_reference": 0.0,
                    "margin_source": "routing engine noise",
                }
                if routing_margin is not None
                else {}
            ),
        },
    )


# 1.645 sigma, with sigma estimated from one pair of builds: E|d| = 2 sigma / sqrt(pi).
ROUTING_MARGIN_FACTOR = 1.645 * math.sqrt(math.pi) / 2


def access_weights(gain: np.ndarray, improves: bool, comparison: np.ndarray) -> np.ndarray:
    """Per neighbourhood, the weight of its people in an access test: the size of their gain
    (for a loss, of their loss) scaled to at most 1, inside the comparison population."""
    direction = gain > 0 if improves else gain < 0
    size = np.where(direction, np.abs(gain), 0.0)
    weights = size / size.max() if size.max() > 0 else size
    out: np.ndarray = weights * comparison
    return out


def routing_margin(
    gain: np.ndarray,
    second_gain: np.ndarray,
    improves: bool,
    counts: np.ndarray,
    universe: np.ndarray,
    comparison: np.ndarray,
) -> float:
    """The 90% margin of an access test's share affected that routing noise gives.

    ``gain`` is measured against the baseline, ``second_gain`` against a second build of the
    same baseline: two equally valid measurements, whose difference estimates the engine's
    variation (margin = 1.645 sigma, sigma = |difference| x sqrt(pi) / 2). When the second
    build reverses the direction of the change, or nobody is affected in it, the margin is
    the whole range (1.0): the test cannot tell.
    """
    second_improves = bool(second_gain.sum() > 0) if np.any(second_gain) else None
    if second_improves is None or second_improves != bool(improves):
        return 1.0
    shares = []
    for g in (gain, second_gain):
        w = access_weights(g, improves, comparison)
        total = float(np.dot(w, universe))
        if total <= 0:
            return 1.0
        shares.append(float(np.dot(w, counts)) / total)
    return ROUTING_MARGIN_FACTOR * abs(shares[0] - shares[1])
