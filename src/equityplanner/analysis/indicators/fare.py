"""Fare equity indicators: ``title_vi.fare.<test>`` (FTA C 4702.1B, methods: fare_equity)."""

from __future__ import annotations

import math

import pandas as pd

from equityplanner.analysis.fare_equity import FareOutcome, average_fare, fare_test, proxy_usage
from equityplanner.analysis.indicators.make import make_indicator
from equityplanner.analysis.indicators.title_vi import required_step
from equityplanner.analysis.title_vi import FORM_WORDS, policy_words
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
        return f"a difference of {f.statistic:+.1f} points in the percentage change"
    if form == "relative":
        return f"a relative difference of {f.statistic:+.1%} in the dollar change"
    return (
        f"a ratio of {f.statistic:.2f} (the group's change over the others'; the others' over "
        f"the group's is {1 / f.statistic if f.statistic else math.inf:.2f}) against the "
        f"four-fifths limit of {f.boundary:.2f}"
    )


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
    )
    policy = params.title_vi
    out = []
    for test, (g, o, words, other_words) in _PAIRS.items():
        group = average_fare(g, change.fares, usage[g])
        others = average_fare(o, change.fares, usage[o])
        result = fare_test(group, others, policy=policy, is_benefit=not burden)
        key = result.outcome
        rating = test.value if key == "finding" else key
        direction = "rise" if burden else "fall"
        opening = (
            f"The {words} riders' average fare would {direction} by "
            f"{abs(group.change) * 100:.0f}¢ ({group.change_pct:+.1%}) against "
            f"{abs(others.change) * 100:.0f}¢ ({others.change_pct:+.1%}) for {other_words} riders."
        )
        if key == "finding":
            form = result.deciding_form or policy.forms[0]
            verdict = (
                f" Under the {FORM_WORDS[form]}, {_statistic(form, result)} is beyond the adopted "
                f"threshold: a potential {test.words}. The policy then requires the agency to "
                f"{required_step(test)}."
            )
        elif key == "not_assessed":
            verdict = " The test could not be applied (no usage for a group)."
        else:
            verdict = f" Within every adopted threshold ({policy_words(policy)}): no {test.words}."
        out.append(
            make_indicator(
                id=IndicatorId(IndicatorFamily.TITLE_VI, test.value, fare=True),
                name=f"Fare change: Title VI {test.words} ({words} riders)",
                # Cents are decimal: 0.36499999999999977 (float noise) is the fare change 0.365.
                value=round(group.change, 10),
                comparison=round(others.change, 10),
                difference=round(group.change - others.change, 10),
                value_unit="USD per trip",
                rating_family="title_vi",
                rating=rating,
                finding=opening + verdict + f" {source[:1].upper()}{source[1:]}.",
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
