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
    share of everyone else that is affected (the *rate ratio*).

For a benefit the disparity is the group getting less; for a burden it is the group bearing
more. The same test serves disparate impact (minority) and disproportionate burden
(low-income).

Each adopted form is judged on its own statistic and its own 90% margin of error (ACS
handbook, ch. 8): the difference's margin is the root sum of squares of the shares' margins,
the relative difference's the ACS ratio formula, and the rate ratio's a delta-method margin
(:func:`equityplanner.analysis.moe.moe_rate_ratio`). A form whose 90% interval contains its
own boundary cannot tell. The combined verdict is a finding when any adopted form finds a
disparity clear of its margin; otherwise "not distinguishable" when any adopted form's
interval contains its boundary; otherwise no finding. :attr:`TitleViOutcome.deciding_form`
names the form that decided it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

from equityplanner.analysis.moe import moe_rate_ratio, moe_ratio
from equityplanner.analysis.words import pct, short
from equityplanner.errors import InputError, MethodError
from equityplanner.i18n import _
from equityplanner.model.project import TitleViPolicy

__all__ = [
    "FORMS",
    "FORM_WORDS",
    "OUTCOMES",
    "FormOutcome",
    "TitleViOutcome",
    "combine_forms",
    "form_boundary",
    "form_outcome",
    "form_words",
    "policy_words",
    "title_vi_test",
]

FORMS: Final[tuple[str, ...]] = ("absolute", "relative", "four_fifths")
"""The test forms a policy can choose."""

OUTCOMES: Final[tuple[str, ...]] = (
    "finding",
    "no_finding",
    "not_distinguishable",
    "not_assessed",
)
"""Possible values of :attr:`TitleViOutcome.outcome`."""

FORM_WORDS: Final[dict[str, str]] = {
    "absolute": "percentage-point test",
    "relative": "relative test",
    "four_fifths": "four-fifths test",
}
"""Each form's name in findings, in English (:func:`form_words` gives it translated)."""


def form_words(form: str) -> str:
    """A form's name in the current language (``"percentage-point test"``)."""
    names = {
        "absolute": _("percentage-point test"),
        "relative": _("relative test"),
        "four_fifths": _("four-fifths test"),
    }
    return names[form]


# Tolerance for "exceeds the threshold", so that a difference equal to the threshold up to
# floating-point rounding (0.52 - 0.42 = 0.10000000000000003) does not count as exceeding it.
_EPS: Final[float] = 1e-9


@dataclass(frozen=True)
class FormOutcome:
    """One adopted form of the test, judged on its own statistic and its own margin.

    ``statistic`` is signed: the difference in percentage points (``absolute``), the
    relative difference as a fraction (``relative``) or the rate ratio (``four_fifths``).
    ``boundary`` is the statistic's value at the adopted threshold on the harmful side
    (-10 points for a benefit, +10 for a burden; the four-fifths ratio 0.8 for a benefit,
    1 / 0.8 = 1.25 for a burden). ``moe`` is the statistic's 90% margin: None without
    margins, NaN where the margin is undefined (both count as no sampling error).
    """

    form: str
    statistic: float
    boundary: float
    moe: float | None
    fires: bool
    is_distinguishable: bool

    @property
    def verdict(self) -> str:
        """``finding``, ``no_finding`` or ``not_distinguishable`` for this form alone."""
        if not self.is_distinguishable:
            return "not_distinguishable"
        return "finding" if self.fires else "no_finding"


@dataclass(frozen=True)
class TitleViOutcome:
    """Result of one Title VI comparison.

    Shares are fractions; ``difference_pp`` is ``share_affected - share_reference`` in
    percentage points and ``relative_difference`` that difference divided by
    ``share_reference`` (a fraction), both signed. ``rate_ratio`` is the rate at which the
    group is affected over the rate for everyone else. Values that cannot be computed are
    NaN.

    ``by_form`` judges each adopted form (:class:`FormOutcome`) and ``flags`` says which
    fire. ``outcome`` is ``not_assessed`` when nobody is affected or the comparison
    population (or the group within it) is empty; ``finding`` when an adopted form finds a
    disparity clear of its own margin; ``not_distinguishable`` when, short of that, an
    adopted form's 90% interval contains its boundary; otherwise ``no_finding``.
    ``deciding_form`` is the form behind a finding or a "cannot tell" (None for no finding:
    every adopted form is clear of its boundary). ``is_finding`` is True when any adopted
    form fires, whatever the margins; ``is_distinguishable`` is False exactly for
    ``not_distinguishable``. ``moe_difference_pp``, ``moe_relative`` and ``moe_rate_ratio``
    are the 90% margins of the three statistics when margins of the shares were given
    (shares taken as independent).
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
    by_form: dict[str, FormOutcome] = field(default_factory=dict)
    deciding_form: str | None = None
    moe_relative: float | None = None
    moe_rate_ratio: float | None = None


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

    # Data without margins (NaN) gives no margin at all, not a margin of 0 ("±0.0 points").
    given = any(
        m is not None and math.isfinite(m) for m in (moe_share_affected, moe_share_reference)
    )
    ma, mr = _margin(moe_share_affected), _margin(moe_share_reference)
    moes: dict[str, float | None] = {"absolute": None, "relative": None, "four_fifths": None}
    if given:
        moes = {
            "absolute": 100.0 * math.hypot(ma, mr),
            "relative": float(moe_ratio(share_affected, share_reference, ma, mr)),
            "four_fifths": float(moe_rate_ratio(share_affected, share_reference, ma, mr)),
        }
    by_form = {
        form: _form_outcome(
            form,
            {"absolute": difference * 100.0, "relative": relative, "four_fifths": rate_ratio}[form],
            moes[form],
            is_benefit=is_benefit,
            policy=policy,
        )
        for form in policy.forms
    }
    outcome, deciding = _combine(by_form)
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
        flags={form: f.fires for form, f in by_form.items()},
        is_finding=any(f.fires for f in by_form.values()),
        is_distinguishable=outcome != "not_distinguishable",
        outcome=outcome,
        moe_difference_pp=moes["absolute"],
        by_form=by_form,
        deciding_form=deciding,
        moe_relative=moes["relative"],
        moe_rate_ratio=moes["four_fifths"],
    )


def form_boundary(form: str, *, is_benefit: bool, policy: TitleViPolicy) -> float:
    """The statistic of ``form`` at the adopted threshold, on the side that harms the group.

    Examples
    --------
    >>> form_boundary("absolute", is_benefit=True, policy=TitleViPolicy())
    -10.0
    >>> form_boundary("four_fifths", is_benefit=False, policy=TitleViPolicy())
    1.25
    """
    if form == "absolute":
        return -policy.threshold_pp if is_benefit else policy.threshold_pp
    if form == "relative":
        return -policy.threshold_relative if is_benefit else policy.threshold_relative
    return policy.four_fifths_ratio if is_benefit else 1.0 / policy.four_fifths_ratio


def _form_outcome(
    form: str, statistic: float, moe: float | None, *, is_benefit: bool, policy: TitleViPolicy
) -> FormOutcome:
    """One form judged against its boundary, in the direction that harms the group."""
    boundary = form_boundary(form, is_benefit=is_benefit, policy=policy)
    # Beyond the boundary on the harmful side: below it for a benefit, above for a burden.
    fires = statistic < boundary - _EPS if is_benefit else statistic > boundary + _EPS
    margin = moe if moe is not None and math.isfinite(moe) else 0.0
    # The 90% interval [statistic - moe, statistic + moe] contains the boundary: cannot tell.
    distinguishable = margin <= 0.0 or not abs(statistic - boundary) <= margin
    return FormOutcome(form, statistic, boundary, moe, bool(fires), distinguishable)


def _combine(by_form: dict[str, FormOutcome]) -> tuple[str, str | None]:
    """The combined verdict and the form that decided it (the first in :data:`FORMS` order:
    points, relative, four-fifths, whatever order the policy lists them in)."""
    ordered = [by_form[form] for form in FORMS if form in by_form]
    robust = [f.form for f in ordered if f.fires and f.is_distinguishable]
    if robust:
        return "finding", robust[0]
    unclear = [f.form for f in ordered if not f.is_distinguishable]
    if unclear:
        return "not_distinguishable", unclear[0]
    return "no_finding", None


def policy_words(policy: TitleViPolicy) -> str:
    """The adopted thresholds in words, e.g. "10 points, four-fifths ratio 0.8".

    Examples
    --------
    >>> policy_words(TitleViPolicy())
    '10 points, four-fifths ratio 0.8'
    """
    words = {
        "absolute": _("{threshold} points").format(threshold=short(policy.threshold_pp)),
        "relative": _("{threshold} relative").format(threshold=pct(policy.threshold_relative, 0)),
        "four_fifths": _("four-fifths ratio {ratio}").format(ratio=short(policy.four_fifths_ratio)),
    }
    return ", ".join(words[form] for form in policy.forms)


form_outcome = _form_outcome
"""One adopted form judged against its boundary (public, for the fare equity analysis)."""
combine_forms = _combine
"""The combined verdict of the adopted forms and the form that decided it."""
