"""Fare equity indicators: ``title_vi.fare.<test>`` (FTA C 4702.1B, methods: fare_equity)."""

from __future__ import annotations

import math

import pandas as pd

from equityplanner.analysis.fare_equity import (
    FareOutcome,
    GroupFare,
    average_fare,
    fare_test,
    proxy_usage,
)
from equityplanner.analysis.indicators.make import make_indicator
from equityplanner.analysis.indicators.title_vi import required_step
from equityplanner.analysis.title_vi import form_words, policy_words
from equityplanner.analysis.words import num, ratio, signed, signed_pct
from equityplanner.i18n import _
from equityplanner.model.concepts import IndicatorFamily, TitleViTest
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import FareChange, Parameters
from equityplanner.model.results import Indicator

__all__ = ["fare_indicators", "is_fare_increase"]

_PAIRS = {
    TitleViTest.DISPARATE_IMPACT: ("minority", "non_minority", "minority", "other"),
    TitleViTest.DISPROPORTIONATE_BURDEN: ("low_income", "non_low_income", "low-income", "other"),
}


def is_fare_increase(change: FareChange, usage: dict[str, dict[str, float]]) -> bool:
    """True when the riders' overall average fare rises (the change is then a burden)."""
    both = {
        f.name: usage["minority"].get(f.name, 0.0) + usage["non_minority"].get(f.name, 0.0)
        for f in change.fares
    }
    return average_fare("all", change.fares, both).change >= 0


def _statistic(form: str, out: FareOutcome) -> str:
    f = out.by_form[form]
    if form == "absolute":
        return _("a difference of {statistic} points in the percentage change").format(
            statistic=signed(f.statistic)
        )
    if form == "relative":
        return _("a relative difference of {statistic} in the dollar change").format(
            statistic=signed_pct(f.statistic)
        )
    return _(
        "a ratio of {ratio} (the group's change over the others'; the others' over the "
        "group's is {inverse}) against the four-fifths limit of {limit}"
    ).format(
        ratio=ratio(f.statistic),
        inverse=ratio(1 / f.statistic if f.statistic else math.inf),
        limit=ratio(f.boundary),
    )


def _opening(test: TitleViTest, burden: bool, group: GroupFare, others: GroupFare) -> str:
    """``"The minority riders' average fare would rise by 36¢ (+14.6%) against 25¢ (+10.0%)
    for other riders."``"""
    if test is TitleViTest.DISPARATE_IMPACT:
        template = (
            _(
                "The minority riders' average fare would rise by {group} ({group_pct}) against "
                "{others} ({others_pct}) for other riders."
            )
            if burden
            else _(
                "The minority riders' average fare would fall by {group} ({group_pct}) against "
                "{others} ({others_pct}) for other riders."
            )
        )
    else:
        template = (
            _(
                "The low-income riders' average fare would rise by {group} ({group_pct}) against "
                "{others} ({others_pct}) for other riders."
            )
            if burden
            else _(
                "The low-income riders' average fare would fall by {group} ({group_pct}) against "
                "{others} ({others_pct}) for other riders."
            )
        )
    return template.format(
        group=_cents(group.change),
        group_pct=signed_pct(group.change_pct),
        others=_cents(others.change),
        others_pct=signed_pct(others.change_pct),
    )


def _cents(change: float) -> str:
    return _("{cents}¢").format(cents=num(abs(change) * 100))


def fare_indicators(
    change: FareChange, table: pd.DataFrame, params: Parameters, low_income_label: str
) -> tuple[list[Indicator], bool]:
    """The two tests of a fare change, and whether it is a burden (an increase overall)."""
    usage = (
        proxy_usage(change, table)
        if change.uses_proxy
        else {g: {f.name: f.usage.get(g, 0.0) for f in change.fares} for g in _GROUPS}
    )
    burden = is_fare_increase(change, usage)
    source = (
        "ACS commuters by public transportation stand in for riders (B08301, B08105H, B08122; "
        "low income below 150% of poverty): a proxy, not a survey, showing differences of "
        "place rather than of fare media"
        if change.uses_proxy
        else f"usage by group from the rider survey{': ' + change.survey if change.survey else ''}"
    )  # the details' note (English, stable); the finding's words follow
    source_words = (
        _(
            "ACS commuters by public transportation stand in for riders (B08301, B08105H, "
            "B08122; low income below 150% of poverty): a proxy, not a survey, showing "
            "differences of place rather than of fare media"
        )
        if change.uses_proxy
        else _("usage by group from the rider survey: {survey}").format(survey=change.survey)
        if change.survey
        else _("usage by group from the rider survey")
    )
    policy = params.title_vi
    out = []
    for test, (g, o, _words, _other_words) in _PAIRS.items():
        group = average_fare(g, change.fares, usage[g])
        others = average_fare(o, change.fares, usage[o])
        result = fare_test(group, others, policy=policy, is_benefit=not burden)
        key = result.outcome
        rating = test.value if key == "finding" else key
        opening = _opening(test, burden, group, others)
        if key == "finding":
            form = result.deciding_form or policy.forms[0]
            verdict = " " + (
                _(
                    "Under the {form}, {statistic} is beyond the adopted threshold: a potential "
                    "disparate impact. The policy then requires the agency to {step}."
                )
                if test is TitleViTest.DISPARATE_IMPACT
                else _(
                    "Under the {form}, {statistic} is beyond the adopted threshold: a potential "
                    "disproportionate burden. The policy then requires the agency to {step}."
                )
            ).format(
                form=form_words(form), statistic=_statistic(form, result), step=required_step(test)
            )
        elif key == "not_assessed":
            verdict = " " + _("The test could not be applied (no usage for a group).")
        else:
            verdict = " " + (
                _("Within every adopted threshold ({rules}): no disparate impact.")
                if test is TitleViTest.DISPARATE_IMPACT
                else _("Within every adopted threshold ({rules}): no disproportionate burden.")
            ).format(rules=policy_words(policy))
        out.append(
            make_indicator(
                id=IndicatorId(IndicatorFamily.TITLE_VI, test.value, fare=True),
                name=(
                    _("Fare change: Title VI disparate impact (minority riders)")
                    if test is TitleViTest.DISPARATE_IMPACT
                    else _("Fare change: Title VI disproportionate burden (low-income riders)")
                ),
                # Cents are decimal: 0.36499999999999977 (float noise) is the fare change 0.365.
                value=round(group.change, 10),
                comparison=round(others.change, 10),
                difference=round(group.change - others.change, 10),
                value_unit="USD per trip",
                rating_family="title_vi",
                rating=rating,
                finding=opening + verdict + f" {source_words[:1].upper()}{source_words[1:]}.",
                method="fare_equity",
                details={
                    "is_benefit": not burden,
                    "usage_source": "acs_proxy" if change.uses_proxy else "survey",
                    "usage_note": source,
                    "group": g,
                    "group_old_usd": group.old,
                    "group_new_usd": group.new,
                    "group_change_pct": group.change_pct,
                    "others_old_usd": others.old,
                    "others_new_usd": others.new,
                    "others_change_pct": others.change_pct,
                    "usage": {g: usage[g], o: usage[o]},
                    "fares": [
                        {"name": f.name, "old_usd": f.old_usd, "new_usd": f.new_usd}
                        for f in change.fares
                    ],
                    "forms": list(policy.forms),
                    "deciding_form": result.deciding_form,
                    "by_form": {
                        form: {
                            "statistic": f.statistic,
                            "boundary": f.boundary,
                            "fires": f.fires,
                            "verdict": f.verdict,
                        }
                        for form, f in result.by_form.items()
                    },
                    "threshold_pp": policy.threshold_pp,
                    "threshold_relative": policy.threshold_relative,
                    "four_fifths_ratio": policy.four_fifths_ratio,
                    "low_income_definition": "below 150% of poverty (ACS B08122)"
                    if change.uses_proxy
                    else low_income_label,
                },
            )
        )
    return out, burden


_GROUPS = ("minority", "non_minority", "low_income", "non_low_income")
