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
from equityplanner.analysis.title_vi import TitleViOutcome, form_words, policy_words, title_vi_test
from equityplanner.analysis.words import pct, ratio, short, signed, signed_pct
from equityplanner.i18n import _, ngettext
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
    "title_vi_test_words",
    "verdict_sentence",
]

GROUP_WORDS = {
    TitleViTest.DISPARATE_IMPACT: "minority",
    TitleViTest.DISPROPORTIONATE_BURDEN: "low-income",
}


def title_vi_test_words(test: TitleViTest) -> str:
    """The test's name in the current language (``"disparate impact"``)."""
    if test is TitleViTest.DISPARATE_IMPACT:
        return _("disparate impact")
    return _("disproportionate burden")


def _potential(test: TitleViTest) -> str:
    if test is TitleViTest.DISPARATE_IMPACT:
        return _("a potential disparate impact")
    return _("a potential disproportionate burden")


def _none(test: TitleViTest) -> str:
    if test is TitleViTest.DISPARATE_IMPACT:
        return _("no disparate impact")
    return _("no disproportionate burden")


def required_step(test: TitleViTest) -> str:
    """The step FTA C 4702.1B (ch. IV §7) requires after a potential finding of ``test``.

    >>> required_step(TitleViTest.DISPROPORTIONATE_BURDEN)
    'take steps to avoid, minimise or mitigate the burden where practicable'
    """
    if test is TitleViTest.DISPARATE_IMPACT:
        return _(
            "show a substantial legitimate justification and that no less discriminatory "
            "alternative would meet the same goals"
        )
    return _("take steps to avoid, minimise or mitigate the burden where practicable")


def _rate_ratio_words(group_word: str, is_benefit: bool) -> str:
    """What the rate ratio divides, for the group (``"minority"`` or ``"low-income"``)."""
    if group_word == "minority":
        if is_benefit:
            return _(
                "the share of minority residents served divided by the share of everyone "
                "else served"
            )
        return _(
            "the share of minority residents affected divided by the share of everyone "
            "else affected"
        )
    if group_word == "low-income":
        if is_benefit:
            return _(
                "the share of low-income residents served divided by the share of everyone "
                "else served"
            )
        return _(
            "the share of low-income residents affected divided by the share of everyone "
            "else affected"
        )
    verb = "served" if is_benefit else "affected"  # a group without a translation
    return (
        f"the share of {group_word} residents {verb} divided by the share of everyone else {verb}"
    )


def _residents(group_word: str) -> str:
    """``"minority residents"`` in the current language."""
    if group_word == "minority":
        return _("minority residents")
    if group_word == "low-income":
        return _("low-income residents")
    return f"{group_word} residents"


def _statistic_words(
    form: str, outcome: TitleViOutcome, group_word: str, is_benefit: bool, policy: TitleViPolicy
) -> str:
    """The deciding form's statistic against its boundary, in words."""
    f = outcome.by_form[form]
    if form == "absolute":
        return _("{statistic} points against a threshold of {threshold} points").format(
            statistic=signed(f.statistic), threshold=short(policy.threshold_pp)
        )
    if form == "relative":
        return _("a relative difference of {statistic} against a threshold of {threshold}").format(
            statistic=signed_pct(f.statistic), threshold=pct(policy.threshold_relative, 0)
        )
    return _(
        "a rate ratio of {ratio} ({definition}) against the four-fifths limit of {limit}"
    ).format(
        ratio=_ratio_text(f.statistic),
        definition=_rate_ratio_words(group_word, is_benefit),
        limit=ratio(f.boundary),
    )


def _ratio_text(value: float) -> str:
    return ratio(value) if math.isfinite(value) else _("infinite (nobody else is affected)")


def _margin_words(form: str, outcome: TitleViOutcome) -> str:
    moe = outcome.by_form[form].moe
    if moe is None or not math.isfinite(moe):
        return ""
    if form == "absolute":
        return " " + _("(margin of error ±{moe} points)").format(moe=ratio(moe, 1))
    if form == "relative":
        return " " + _("(margin of error ±{moe})").format(moe=pct(moe))
    return " " + _("(margin of error ±{moe})").format(moe=ratio(moe))


def _others_words(others: list[str]) -> str:
    """`` (the relative test alone would not find it)``, or ``""`` without other forms."""
    if not others:
        return ""
    names = [form_words(f) for f in others]
    joined = names[0]
    for name in names[1:]:
        joined = _("{first} and {second}").format(first=joined, second=name)
    return " " + ngettext(
        "(the {forms} alone would not find it)", "(the {forms} alone would not find it)", len(names)
    ).format(forms=joined)


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
        clear = " " + _("and is clear of its margin of error") if outcome.by_form[form].moe else ""
        others = [f for f, o in outcome.by_form.items() if f != form and not o.fires]
        return _(
            "Under the {form}, {statistic}{margin} is beyond the adopted threshold{clear}: "
            "{potential}{alone}. The policy then requires the agency to {step}."
        ).format(
            form=form_words(form),
            statistic=_statistic_words(form, outcome, group, is_benefit, policy),
            margin=_margin_words(form, outcome),
            clear=clear,
            potential=_potential(test),
            alone=_others_words(others),
            step=required_step(test),
        )
    if outcome.outcome == "not_distinguishable":
        form = outcome.deciding_form or policy.forms[0]
        return _(
            "Under the {form}, {statistic}{margin}: the threshold lies within the margin of "
            "error, so the test cannot tell whether there is {potential}; gather better data "
            "(such as a rider survey) before concluding."
        ).format(
            form=form_words(form),
            statistic=_statistic_words(form, outcome, group, is_benefit, policy),
            margin=_margin_words(form, outcome),
            potential=_potential(test),
        )
    favourable = diff > 0 if is_benefit else diff < 0
    residents = _residents(group)
    if favourable:
        reach = (
            _("The benefit reaches {residents} more than their share")
            if is_benefit
            else _("The burden falls on {residents} less than their share")
        )
        return _("{reach}: {none} under any adopted test ({rules}).").format(
            reach=reach.format(residents=residents), none=_none(test), rules=rules
        )
    reach = (
        _("The benefit reaches {residents} less than their share")
        if is_benefit
        else _("The burden falls on {residents} more than their share")
    )
    return _("{reach}, but within every adopted threshold ({rules}): {none}.").format(
        reach=reach.format(residents=residents), none=_none(test), rules=rules
    )


def _opening(who: str, outcome: TitleViOutcome, group: str, comparison: str) -> str:
    """``"The people the cut affects are 92.5% minority against 77.1% in X (+15.4 points)."``"""
    margin = (
        " ±" + ratio(outcome.moe_difference_pp, 1)
        if outcome.moe_difference_pp is not None and math.isfinite(outcome.moe_difference_pp)
        else ""
    )
    fields = {
        "who": who,
        "share": pct(outcome.share_affected),
        "reference": pct(outcome.share_reference),
        "comparison": comparison,
        "difference": signed(outcome.difference_pp),
        "margin": margin,
    }
    if group == "minority":
        template = _(
            "{who} {share} minority against {reference} in {comparison} "
            "({difference}{margin} points)."
        )
    elif group == "low-income":
        template = _(
            "{who} {share} low-income against {reference} in {comparison} "
            "({difference}{margin} points)."
        )
    else:
        template = (
            "{who} {share} " + group + " against {reference} in {comparison} "
            "({difference}{margin} points)."
        )
    return template.format(**fields)


def _access_opening(
    improves: bool, label: str, outcome: TitleViOutcome, group: str, comparison: str
) -> str:
    """``"Weighted by the size of their gain in jobs reachable within 30 minutes, the people
    affected are 91.4% minority against 77.1% in X (+14.3 points). "``"""
    fields = {
        "label": label,
        "share": pct(outcome.share_affected),
        "reference": pct(outcome.share_reference),
        "comparison": comparison,
        "difference": signed(outcome.difference_pp),
    }
    if group == "minority":
        template = (
            _(
                "Weighted by the size of their gain in {label}, the people affected are {share} "
                "minority against {reference} in {comparison} ({difference} points)."
            )
            if improves
            else _(
                "Weighted by the size of their loss in {label}, the people affected are {share} "
                "minority against {reference} in {comparison} ({difference} points)."
            )
        )
    elif group == "low-income":
        template = (
            _(
                "Weighted by the size of their gain in {label}, the people affected are {share} "
                "low-income against {reference} in {comparison} ({difference} points)."
            )
            if improves
            else _(
                "Weighted by the size of their loss in {label}, the people affected are {share} "
                "low-income against {reference} in {comparison} ({difference} points)."
            )
        )
    else:
        effect = "gain" if improves else "loss"
        template = (
            f"Weighted by the size of their {effect} in {{label}}, the people affected are "
            f"{{share}} {group} against {{reference}} in {{comparison}} ({{difference}} points)."
        )
    return template.format(**fields) + " "


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
            _("nobody lives inside the catchment")
            if outcome.total_affected == 0
            else _("the comparison population is empty")
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
        finding = _("The test could not be applied to {label}: nobody's access changes.").format(
            label=label.lower()
        )
    else:
        finding = _access_opening(
            improves, label.lower(), outcome, group_word, comparison_label
        ) + verdict_sentence(
            outcome, test, is_benefit=improves, policy=params.title_vi, group_word=group_word
        )
    if routing_margin is not None and key != "not_assessed":
        finding += " " + _(
            "Its margin of error is the routing engine's variation: the share measured "
            "against a second build of the unchanged network."
        )
    name = (
        _("Title VI disparate impact in {label}")
        if test is TitleViTest.DISPARATE_IMPACT
        else _("Title VI disproportionate burden in {label}")
    )
    return make_indicator(
        id=indicator_id,
        name=name.format(label=label.lower()),
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
