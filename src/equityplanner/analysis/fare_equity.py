"""The fare equity analysis of FTA C 4702.1B (ch. IV §7) on the adopted Title VI forms.

For each group the average fare change is the change of each fare weighted by the group's
use of it; the group's change is compared with the other riders' on each adopted form
(:mod:`equityplanner.analysis.title_vi`: the same boundaries and verdicts):

``absolute``
    the group's percentage change minus the others', in points;
``relative``
    the group's dollar change minus the others', over the others';
``four_fifths``
    the group's dollar change over the others' (a burden beyond 1 / 0.8 = 1.25, i.e. the
    others' over the group's below 0.8; a benefit below 0.8).

For a fare cut the effect is the size of the cut. Usage by group comes from a survey, or from
ACS commuters by public transportation (:func:`proxy_usage`), said so.

Examples
--------
methods.md §1: minority riders' average fare rises by 62 cents and the others' by 42.

>>> from equityplanner.model.project import TitleViPolicy
>>> a, b = GroupFare("minority", 1.00, 1.62), GroupFare("non_minority", 1.00, 1.42)
>>> out = fare_test(a, b, policy=TitleViPolicy(forms=("four_fifths",)))
>>> round(1 / out.by_form["four_fifths"].statistic, 3), out.outcome
(0.677, 'finding')
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from equityplanner.analysis.title_vi import FORMS, FormOutcome, combine_forms, form_outcome
from equityplanner.errors import InputError
from equityplanner.model.project import FareChange, FareType, TitleViPolicy

__all__ = [
    "PROXY_FIELDS",
    "FareOutcome",
    "GroupFare",
    "average_fare",
    "fare_test",
    "proxy_usage",
]

PROXY_FIELDS = (
    "transit_commuters",
    "transit_commuters_nh_white",
    "transit_commuters_below_150_poverty",
)
"""The ACS columns the rider proxies need (B08301_010, B08105H_004, B08122_014 + _015)."""


@dataclass(frozen=True)
class GroupFare:
    """A group's average fare before and after (USD a trip)."""

    group: str
    old: float
    new: float

    @property
    def change(self) -> float:
        """Dollars a trip."""
        return self.new - self.old

    @property
    def change_pct(self) -> float:
        """The change as a fraction of the old average fare."""
        return self.change / self.old if self.old > 0 else math.nan


@dataclass(frozen=True)
class FareOutcome:
    """The comparison of a group's average fare change with the other riders'."""

    group: GroupFare
    others: GroupFare
    is_benefit: bool
    by_form: dict[str, FormOutcome] = field(default_factory=dict)
    outcome: str = "not_assessed"
    deciding_form: str | None = None


def average_fare(group: str, fares: tuple[FareType, ...], usage: dict[str, float]) -> GroupFare:
    """A group's average old and new fare, weighting each fare by its share of the group's trips."""
    total = sum(usage.get(f.name, 0.0) for f in fares)
    if total <= 0:
        return GroupFare(group, math.nan, math.nan)
    old = sum(usage.get(f.name, 0.0) * f.old_usd for f in fares) / total
    new = sum(usage.get(f.name, 0.0) * f.new_usd for f in fares) / total
    return GroupFare(group, old, new)


def _ratio(a: float, b: float) -> float:
    if b == 0:
        return math.inf if a > 0 else math.nan
    return a / b


def fare_test(
    group: GroupFare, others: GroupFare, *, policy: TitleViPolicy, is_benefit: bool | None = None
) -> FareOutcome:
    """The adopted forms on the two groups' average changes (see the module).

    ``is_benefit`` is True for a fare cut; by default it follows the sign of the two changes.
    """
    if is_benefit is None:
        is_benefit = group.change + others.change < 0
    sign = -1.0 if is_benefit else 1.0
    mine, theirs = sign * group.change, sign * others.change
    if not all(math.isfinite(v) for v in (mine, theirs, group.change_pct, others.change_pct)):
        return FareOutcome(group, others, is_benefit)
    if mine == 0 and theirs == 0:
        return FareOutcome(group, others, is_benefit, outcome="no_finding")
    statistics = {
        "absolute": 100.0 * sign * (group.change_pct - others.change_pct),
        "relative": _ratio(mine - theirs, abs(theirs)) if theirs else _ratio(mine, 0.0),
        # The others bearing none of the effect, or the opposite one (their fare falls in an
        # increase), is an infinite ratio, not a negative one that no threshold would catch.
        "four_fifths": _ratio(mine, theirs) if theirs > 0 else _ratio(mine, 0.0),
    }
    by_form = {
        form: form_outcome(form, statistics[form], None, is_benefit=is_benefit, policy=policy)
        for form in FORMS
        if form in policy.forms
    }
    outcome, deciding = combine_forms(by_form)
    return FareOutcome(group, others, is_benefit, by_form, outcome, deciding)


def _usage_of(
    fares: tuple[FareType, ...], counts: dict[str, np.ndarray], ids: np.ndarray
) -> dict[str, dict[str, float]]:
    index = {str(i): n for n, i in enumerate(ids)}
    out: dict[str, dict[str, float]] = {g: {} for g in counts}
    # Each pair of complementary groups (minority and the others) sums to all riders.
    riders = np.asarray(counts["minority"] + counts["non_minority"], dtype=float)
    for fare in fares:
        rows = (
            np.array([index[i] for i in fare.neighbourhoods if i in index], dtype=int)
            if fare.neighbourhoods
            else np.arange(len(ids))
        )
        everyone = float(np.nansum(riders[rows]))
        for group, values in counts.items():
            part = float(np.nansum(values[rows])) / everyone if everyone > 0 else 0.0
            out[group][fare.name] = (fare.share or 0.0) * part
    for group, usage in out.items():
        total = sum(usage.values())
        out[group] = {k: v / total for k, v in usage.items()} if total > 0 else usage
    return out


def proxy_usage(change: FareChange, table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Each group's usage of each fare from ACS transit commuters (the proxy for riders).

    Raises
    ------
    InputError
        When the neighbourhood table lacks the ACS columns of the proxy, or a fare names an
        unknown neighbourhood.
    """
    missing = [f for f in PROXY_FIELDS if f not in table]
    if missing:
        raise InputError(
            f"the ACS rider proxies need the columns {', '.join(missing)} in the neighbourhood table",
            location="fare_change.usage",
            remedy="Add ACS tables B08301 (_010), B08105H (_004) and B08122 (_014, _015) to the "
            'table, or give usage shares from a rider survey ("usage": "survey")',
        )
    ids = table["id"].astype(str).to_numpy()
    known = set(ids)
    for n, fare in enumerate(change.fares):
        unknown = [i for i in fare.neighbourhoods if i not in known]
        if unknown:
            raise InputError(
                f"unknown neighbourhood id(s) {', '.join(unknown[:5])}",
                location=f"fare_change.fares[{n}].neighbourhoods",
                remedy="Use ids of the neighbourhood layer",
            )

    def col(name: str) -> np.ndarray:
        out: np.ndarray = (
            pd.to_numeric(table[name], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        )
        return out

    riders = col("transit_commuters")
    white = np.minimum(col("transit_commuters_nh_white"), riders)
    poor = np.minimum(col("transit_commuters_below_150_poverty"), riders)
    counts = {
        "minority": riders - white,
        "non_minority": white,
        "low_income": poor,
        "non_low_income": riders - poor,
    }
    return _usage_of(change.fares, counts, ids)
