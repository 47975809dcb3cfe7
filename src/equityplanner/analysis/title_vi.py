"""Title VI disparate-impact and disproportionate-burden tests (FTA Circular 4702.1B).

Source: FTA Circular 4702.1B (1 Oct 2012), chapter IV section 7, "Requirement to Evaluate
Service and Fare Changes". The Circular leaves the thresholds to the agency's board; the
adopted policy is a :class:`~equityplanner.model.project.TitleViPolicy`. Three forms of the
test are supported:

``absolute``
    difference of the group's share among the affected and in the comparison population,
    in percentage points;
``relative``
    that difference as a fraction of the comparison share;
``four_fifths``
    the EEOC four-fifths rule on rates: the share of the group that is affected against the
    share of everyone else that is affected.

For a benefit the disparity is the group getting less; for a burden it is the group bearing
more. The same test serves disparate impact (minority) and disproportionate burden
(low-income).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from equityplanner.errors import InputError, MethodError
from equityplanner.model.project import TitleViPolicy

__all__ = ["FORMS", "OUTCOMES", "TitleViOutcome", "policy_words", "title_vi_test"]

FORMS: Final[tuple[str, ...]] = ("absolute", "relative", "four_fifths")
"""The test forms a policy can choose."""

OUTCOMES: Final[tuple[str, ...]] = (
    "finding",
    "no_finding",
    "not_distinguishable",
    "not_assessed",
)
"""Possible values of :attr:`TitleViOutcome.outcome`."""

# Tolerance for "exceeds the threshold", so that a difference equal to the threshold up to
# floating-point rounding (0.52 - 0.42 = 0.10000000000000003) does not count as exceeding it.
_EPS: Final[float] = 1e-9


@dataclass(frozen=True)
class TitleViOutcome:
    """Result of one Title VI comparison.

    Shares are fractions; ``difference_pp`` is ``share_affected - share_reference`` in
    percentage points and ``relative_difference`` that difference divided by
    ``share_reference`` (a fraction), both signed. ``rate_ratio`` is the rate at which the
    group is affected over the rate for everyone else. Values that cannot be computed are
    NaN.

    ``outcome`` is ``not_assessed`` when nobody is affected or the comparison population
    (or the group within it) is empty; ``not_distinguishable`` when the 90% interval of the
    share difference contains the threshold of the absolute form; otherwise ``finding`` or
    ``no_finding``. ``moe_difference_pp`` is the 90% margin of ``difference_pp`` when
    margins of the shares were given (root sum of squares, assuming independence).
    """

    group_affected: float
    total_affected: float
    group_reference: float
    total_reference: float
    share_affected: float
    share_reference: float
    difference_pp: float
    relative_difference: float
    rate_ratio: float
    flags: dict[str, bool]
    is_finding: bool
    is_distinguishable: bool
    outcome: str
    moe_difference_pp: float | None = None


def _ratio(num: float, den: float) -> float:
    """``num / den``; ``inf`` for a positive numerator over 0, NaN for 0 / 0."""
    if den == 0.0:
        return math.inf if num > 0.0 else math.nan
    return num / den


def _check_counts(group: float, total: float, what: str) -> None:
    if not (group >= 0.0 and total >= 0.0):
        raise MethodError(f"{what} counts must be non-negative numbers, got {group} of {total}")
    if group > total * (1.0 + _EPS) + _EPS:
        raise MethodError(f"{what} group count {group} exceeds the total {total}")


def _check_forms(forms: tuple[str, ...]) -> None:
    unknown = [f for f in forms if f not in FORMS]
    if unknown:
        raise InputError(
            f"unknown Title VI test form {unknown[0]!r}",
            location="parameters.title_vi.forms",
            remedy="Use one or more of: " + ", ".join(FORMS),
        )


def _margin(moe: float | None) -> float:
    """A missing margin (None or NaN) counts as no sampling error."""
    if moe is None or math.isnan(moe):
        return 0.0
    return float(moe)


def title_vi_test(
    group_affected: float,
    total_affected: float,
    group_reference: float,
    total_reference: float,
    *,
    is_benefit: bool,
    policy: TitleViPolicy,
    moe_share_affected: float | None = None,
    moe_share_reference: float | None = None,
) -> TitleViOutcome:
    """Compare a group's share among the affected with its share in the comparison population.

    Parameters
    ----------
    group_affected, total_affected
        Group count and total count of the affected population (e.g. the catchment of a
        changed route).
    group_reference, total_reference
        Group count and total count of the comparison population (e.g. the service area).
        The affected population is assumed to be part of it, as the four-fifths rate of
        "everyone else" subtracts one from the other.
    is_benefit
        True for a benefit (new or improved service: the disparity is the group getting
        less), False for a burden (a cut or a fare rise: the group bearing more).
    policy
        The adopted thresholds and the forms of the test that apply.
    moe_share_affected, moe_share_reference
        90% margins of the two shares (fractions). Without them the result counts as
        distinguishable; a missing one counts as 0.

    Returns
    -------
    TitleViOutcome
        Shares, differences, the flag of each applied form and the outcome.

    Raises
    ------
    MethodError
        If a count is negative or a group exceeds its total.
    InputError
        If the policy names an unknown form.

    Examples
    --------
    >>> r = title_vi_test(6200, 10000, 420000, 1000000, is_benefit=False,
    ...                   policy=TitleViPolicy())
    >>> round(r.difference_pp, 1), round(r.rate_ratio, 3), r.outcome
    (20.0, 2.253, 'finding')
    """
    _check_forms(policy.forms)
    ga, ta = float(group_affected), float(total_affected)
    gr, tr = float(group_reference), float(total_reference)
    _check_counts(ga, ta, "affected")
    _check_counts(gr, tr, "reference")

    nan = math.nan
    if ta == 0.0 or tr == 0.0 or gr == 0.0:
        return TitleViOutcome(
            group_affected=ga,
            total_affected=ta,
            group_reference=gr,
            total_reference=tr,
            share_affected=ga / ta if ta > 0.0 else nan,
            share_reference=gr / tr if tr > 0.0 else nan,
            difference_pp=nan,
            relative_difference=nan,
            rate_ratio=nan,
            flags={form: False for form in policy.forms},
            is_finding=False,
            is_distinguishable=True,
            outcome="not_assessed",
        )

    share_affected = ga / ta
    share_reference = gr / tr
    difference = share_affected - share_reference
    relative = difference / share_reference
    rate_group = ga / gr
    rate_rest = _ratio(ta - ga, tr - gr)
    rate_ratio = _ratio(rate_group, rate_rest)

    # Disparity measured in the direction that harms the group.
    if is_benefit:
        disparity_pp = -difference * 100.0
        disparity_rel = -relative
        four_fifths = rate_ratio < policy.four_fifths_ratio - _EPS
    else:
        disparity_pp = difference * 100.0
        disparity_rel = relative
        four_fifths = rate_ratio > 1.0 / policy.four_fifths_ratio + _EPS
    tests = {
        "absolute": disparity_pp > policy.threshold_pp + _EPS,
        "relative": disparity_rel > policy.threshold_relative + _EPS,
        "four_fifths": bool(four_fifths),
    }
    flags = {form: tests[form] for form in policy.forms}
    is_finding = any(flags.values())

    moe_difference_pp: float | None = None
    is_distinguishable = True
    if moe_share_affected is not None or moe_share_reference is not None:
        moe_difference_pp = 100.0 * math.hypot(
            _margin(moe_share_affected), _margin(moe_share_reference)
        )
        boundary_pp = -policy.threshold_pp if is_benefit else policy.threshold_pp
        low = difference * 100.0 - moe_difference_pp
        high = difference * 100.0 + moe_difference_pp
        is_distinguishable = not (low <= boundary_pp <= high)

    if not is_distinguishable:
        outcome = "not_distinguishable"
    elif is_finding:
        outcome = "finding"
    else:
        outcome = "no_finding"

    return TitleViOutcome(
        group_affected=ga,
        total_affected=ta,
        group_reference=gr,
        total_reference=tr,
        share_affected=share_affected,
        share_reference=share_reference,
        difference_pp=difference * 100.0,
        relative_difference=relative,
        rate_ratio=rate_ratio,
        flags=flags,
        is_finding=is_finding,
        is_distinguishable=is_distinguishable,
        outcome=outcome,
        moe_difference_pp=moe_difference_pp,
    )


def policy_words(policy: TitleViPolicy) -> str:
    """The adopted thresholds in words, e.g. "10 points, four-fifths ratio 0.8".

    Examples
    --------
    >>> policy_words(TitleViPolicy())
    '10 points, four-fifths ratio 0.8'
    """
    words = {
        "absolute": f"{policy.threshold_pp:g} points",
        "relative": f"{policy.threshold_relative:.0%} relative",
        "four_fifths": f"four-fifths ratio {policy.four_fifths_ratio:g}",
    }
    return ", ".join(words[form] for form in policy.forms)
