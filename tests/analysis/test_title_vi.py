"""Tests of the FTA C4702.1B Title VI tests (methods.md §1 and §11 row 6)."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equityplanner.analysis.title_vi import OUTCOMES, TitleViOutcome, title_vi_test
from equityplanner.catalog import load_resource
from equityplanner.errors import InputError, MethodError
from equityplanner.model.project import TitleViPolicy

ALL_FORMS = TitleViPolicy(forms=("absolute", "relative", "four_fifths"))


def _run(
    ga: float,
    ta: float,
    gr: float,
    tr: float,
    *,
    is_benefit: bool,
    policy: TitleViPolicy = ALL_FORMS,
    **kw: float | None,
) -> TitleViOutcome:
    return title_vi_test(ga, ta, gr, tr, is_benefit=is_benefit, policy=policy, **kw)


def test_service_cut_oracle_is_a_burden_finding() -> None:
    r = _run(6200, 10000, 420000, 1000000, is_benefit=False)
    assert r.share_affected == pytest.approx(0.62)
    assert r.share_reference == pytest.approx(0.42)
    assert r.difference_pp == pytest.approx(20.0)
    assert r.relative_difference == pytest.approx(0.476, abs=5e-4)
    assert r.rate_ratio == pytest.approx(2.253, abs=5e-4)
    assert r.flags == {"absolute": True, "relative": True, "four_fifths": True}
    assert r.is_finding
    assert r.is_distinguishable
    assert r.outcome == "finding"


def test_mirror_oracle_is_a_benefit_finding() -> None:
    # the non-minority population's view of the same catchment: it gets 20 points less
    r = _run(3800, 10000, 580000, 1000000, is_benefit=True)
    assert r.difference_pp == pytest.approx(-20.0)
    assert r.rate_ratio == pytest.approx(0.444, abs=5e-4)
    assert r.relative_difference == pytest.approx(-20.0 / 58.0)
    assert r.flags == {"absolute": True, "relative": True, "four_fifths": True}
    assert r.outcome == "finding"


def test_direction_matters() -> None:
    # a group over-represented among those who gain has no benefit disparity ...
    assert _run(6200, 10000, 420000, 1000000, is_benefit=True).outcome == "no_finding"
    # ... and a group under-represented among those who lose has no burden disparity
    r = _run(3800, 10000, 580000, 1000000, is_benefit=False)
    assert r.flags == {"absolute": False, "relative": False, "four_fifths": False}
    assert r.outcome == "no_finding"


def test_only_policy_forms_are_reported_and_decide() -> None:
    # 50% vs 42%: +8 pp (below 10), +19.0% relative (below 20%), but rate ratio 1.38 > 1.25
    policy = TitleViPolicy(forms=("absolute",))
    r = _run(5000, 10000, 420000, 1000000, is_benefit=False, policy=policy)
    assert r.flags == {"absolute": False}
    assert r.outcome == "no_finding"
    r = _run(
        5000,
        10000,
        420000,
        1000000,
        is_benefit=False,
        policy=TitleViPolicy(forms=("absolute", "four_fifths")),
    )
    assert r.flags == {"absolute": False, "four_fifths": True}
    assert r.rate_ratio == pytest.approx((5000 / 420000) / (5000 / 580000))
    assert r.outcome == "finding"


def test_threshold_is_exclusive_despite_rounding() -> None:
    # 0.52 - 0.42 = 0.10000000000000003 must not exceed a 10-point threshold
    r = _run(
        5200, 10000, 420000, 1000000, is_benefit=False, policy=TitleViPolicy(forms=("absolute",))
    )
    assert r.flags == {"absolute": False}
    r = _run(
        5201, 10000, 420000, 1000000, is_benefit=False, policy=TitleViPolicy(forms=("absolute",))
    )
    assert r.flags == {"absolute": True}


def test_relative_form_threshold() -> None:
    policy = TitleViPolicy(forms=("relative",), threshold_relative=0.50)
    assert _run(6200, 10000, 420000, 1000000, is_benefit=False, policy=policy).flags == {
        "relative": False
    }
    policy = TitleViPolicy(forms=("relative",), threshold_relative=0.40)
    assert _run(6200, 10000, 420000, 1000000, is_benefit=False, policy=policy).flags == {
        "relative": True
    }


def test_four_fifths_benefit_uses_ratio_below_threshold() -> None:
    policy = TitleViPolicy(forms=("four_fifths",))
    # rates 1% vs 1.3%: ratio 0.769 < 0.8
    r = _run(100, 1270, 10000, 100000, is_benefit=True, policy=policy)
    assert r.rate_ratio == pytest.approx(0.01 / 0.013)
    assert r.flags == {"four_fifths": True}
    # rates 1% vs 1.1%: ratio 0.909
    r = _run(100, 1090, 10000, 100000, is_benefit=True, policy=policy)
    assert r.rate_ratio == pytest.approx(0.01 / 0.011)
    assert r.flags == {"four_fifths": False}
    # the same 0.769 as a burden is not a disparity (the group bears less)
    r = _run(100, 1270, 10000, 100000, is_benefit=False, policy=policy)
    assert r.flags == {"four_fifths": False}


def test_four_fifths_burden_uses_inverse_ratio() -> None:
    policy = TitleViPolicy(forms=("four_fifths",))
    # rates 1% vs 0.9%: ratio 1.11, inside 0.8 .. 1.25, so no burden disparity
    r = _run(100, 910, 10000, 100000, is_benefit=False, policy=policy)
    assert r.rate_ratio == pytest.approx(0.01 / 0.009)
    assert r.flags == {"four_fifths": False}
    # rates 1% vs 0.8%: ratio exactly 1.25 (up to rounding) is not above it
    r = _run(100, 820, 10000, 100000, is_benefit=False, policy=policy)
    assert r.rate_ratio == pytest.approx(1.25)
    assert r.flags == {"four_fifths": False}
    # rates 1% vs 0.75%: ratio 1.33 > 1.25
    r = _run(100, 775, 10000, 100000, is_benefit=False, policy=policy)
    assert r.flags == {"four_fifths": True}


def test_margins_make_a_finding_not_distinguishable() -> None:
    r = _run(
        6200,
        10000,
        420000,
        1000000,
        is_benefit=False,
        moe_share_affected=0.05,
        moe_share_reference=0.01,
    )
    assert r.moe_difference_pp == pytest.approx(100 * math.hypot(0.05, 0.01))
    assert r.is_distinguishable
    assert r.outcome == "finding"
    r = _run(
        6200,
        10000,
        420000,
        1000000,
        is_benefit=False,
        moe_share_affected=0.12,
        moe_share_reference=0.01,
    )
    assert not r.is_distinguishable
    assert r.is_finding
    assert r.outcome == "not_distinguishable"


def test_margins_use_the_benefit_boundary_below_zero() -> None:
    # benefit: boundary is -10 pp; difference -20 pp +- 12 contains it, +- 5 does not
    points = TitleViPolicy(forms=("absolute",))
    r = _run(3800, 10000, 580000, 1000000, is_benefit=True, moe_share_affected=0.12, policy=points)
    assert r.outcome == "not_distinguishable"
    assert r.deciding_form == "absolute"
    # with every form adopted, the rate ratio 0.444 +- 0.226 is clear of 0.8 and decides
    r = _run(3800, 10000, 580000, 1000000, is_benefit=True, moe_share_affected=0.12)
    assert r.by_form["absolute"].verdict == "not_distinguishable"
    assert r.by_form["relative"].verdict == "not_distinguishable"
    assert r.by_form["four_fifths"].verdict == "finding"
    assert (r.outcome, r.deciding_form) == ("finding", "four_fifths")
    r = _run(3800, 10000, 580000, 1000000, is_benefit=True, moe_share_affected=0.05)
    assert r.outcome == "finding"
    # for a burden the same interval lies far from +10 pp
    r = _run(3800, 10000, 580000, 1000000, is_benefit=False, moe_share_affected=0.12)
    assert r.outcome == "no_finding"


def test_a_robust_four_fifths_finding_is_not_downgraded_by_the_points_margin() -> None:
    """Only the four-fifths form adopted: it is judged on the rate ratio's own margin.

    Worked by hand. The cut affects people who are 30% low-income (3,000 of 10,000) in a
    city 20% low-income (200,000 of 1,000,000); margins 4 and 1 points.
    Rate ratio = (0.30 / 0.70) / (0.20 / 0.80) = 0.428571 / 0.25 = 1.714286 > 1 / 0.8 = 1.25.
    Its margin (delta method): 1.714286 * sqrt((0.04 / (0.30 * 0.70))**2
    + (0.01 / (0.20 * 0.80))**2) = 1.714286 * sqrt(0.036281 + 0.003906) = 0.343660, so the
    interval 1.3706 .. 2.0579 is clear of 1.25: a finding. The points difference (+10.0,
    margin 100 * sqrt(0.04**2 + 0.01**2) = 4.1231) straddles 10 points, but that form is
    not adopted and must not matter.
    """
    policy = TitleViPolicy(forms=("four_fifths",))
    r = _run(
        3000,
        10000,
        200000,
        1000000,
        is_benefit=False,
        policy=policy,
        moe_share_affected=0.04,
        moe_share_reference=0.01,
    )
    assert r.rate_ratio == pytest.approx(1.714286, abs=1e-6)
    assert r.moe_rate_ratio == pytest.approx(0.343660, abs=1e-6)
    assert r.moe_difference_pp == pytest.approx(4.1231, abs=1e-4)
    assert set(r.by_form) == {"four_fifths"}
    four_fifths = r.by_form["four_fifths"]
    assert four_fifths.boundary == pytest.approx(1.25)
    assert four_fifths.fires and four_fifths.is_distinguishable
    assert (r.outcome, r.deciding_form) == ("finding", "four_fifths")
    # with the points form adopted too, the four-fifths finding still decides
    both = _run(
        3000,
        10000,
        200000,
        1000000,
        is_benefit=False,
        policy=TitleViPolicy(forms=("absolute", "four_fifths")),
        moe_share_affected=0.04,
        moe_share_reference=0.01,
    )
    assert both.by_form["absolute"].verdict == "not_distinguishable"
    assert (both.outcome, both.deciding_form) == ("finding", "four_fifths")


def test_a_borderline_rate_ratio_inside_its_margin_cannot_tell() -> None:
    """Worked by hand: 2,386 of 10,000 affected are low-income (23.86%) against 20% in the city.

    Rate ratio = (0.2386 / 0.7614) / 0.25 = 0.313370 / 0.25 = 1.253480, just above 1.25.
    Margins 2 and 0.5 points: 1.253480 * sqrt((0.02 / (0.2386 * 0.7614))**2
    + (0.005 / 0.16)**2) = 1.253480 * sqrt(0.012120 + 0.000977) = 0.143447; the interval
    1.1100 .. 1.3969 contains 1.25, so the four-fifths test cannot tell (the old test of the
    points margin alone, +3.86 +- 2.06 far from 10, asserted a finding).
    """
    r = _run(
        2386,
        10000,
        200000,
        1000000,
        is_benefit=False,
        policy=TitleViPolicy(forms=("four_fifths",)),
        moe_share_affected=0.02,
        moe_share_reference=0.005,
    )
    assert r.rate_ratio == pytest.approx(1.253480, abs=1e-6)
    assert r.moe_rate_ratio == pytest.approx(0.143447, abs=1e-6)
    assert r.flags == {"four_fifths": True}
    assert r.is_finding and not r.is_distinguishable
    assert (r.outcome, r.deciding_form) == ("not_distinguishable", "four_fifths")


def test_relative_form_has_its_own_margin() -> None:
    # 62% vs 42%: relative +47.6%; ACS ratio formula margin sqrt(0.05**2 + (0.62/0.42)**2
    # * 0.01**2) / 0.42 = 0.124128: interval 0.352 .. 0.600, clear of 0.20 but not of 0.40
    kw = dict(moe_share_affected=0.05, moe_share_reference=0.01)
    r = _run(
        6200,
        10000,
        420000,
        1000000,
        is_benefit=False,
        policy=TitleViPolicy(forms=("relative",)),
        **kw,
    )
    assert r.moe_relative == pytest.approx(0.124128, abs=1e-6)
    assert (r.outcome, r.deciding_form) == ("finding", "relative")
    r = _run(
        6200,
        10000,
        420000,
        1000000,
        is_benefit=False,
        policy=TitleViPolicy(forms=("relative",), threshold_relative=0.40),
        **kw,
    )
    assert (r.outcome, r.deciding_form) == ("not_distinguishable", "relative")


def test_no_finding_names_no_deciding_form() -> None:
    r = _run(4300, 10000, 420000, 1000000, is_benefit=False, moe_share_affected=0.01)
    assert (r.outcome, r.deciding_form) == ("no_finding", None)


def test_no_margins_is_distinguishable() -> None:
    r = _run(5200, 10000, 420000, 1000000, is_benefit=False)
    assert r.is_distinguishable
    assert r.moe_difference_pp is None


@pytest.mark.parametrize(
    ("ga", "ta", "gr", "tr"),
    [(0, 0, 420000, 1000000), (10, 100, 0, 0), (0, 100, 0, 1000)],
)
def test_empty_populations_are_not_assessed(ga: float, ta: float, gr: float, tr: float) -> None:
    r = _run(ga, ta, gr, tr, is_benefit=False)
    assert r.outcome == "not_assessed"
    assert not r.is_finding
    assert r.flags == {"absolute": False, "relative": False, "four_fifths": False}
    assert math.isnan(r.difference_pp)


def test_nobody_else_affected_gives_infinite_rate_ratio() -> None:
    r = _run(100, 100, 4200, 10000, is_benefit=False)
    assert r.rate_ratio == math.inf
    assert r.flags["four_fifths"]


def test_bad_counts_and_forms_rejected() -> None:
    with pytest.raises(MethodError, match="exceeds"):
        _run(200, 100, 10, 1000, is_benefit=False)
    with pytest.raises(MethodError, match="non-negative"):
        _run(-1, 100, 10, 1000, is_benefit=False)
    with pytest.raises(InputError, match="four_fifths"):
        _run(10, 100, 10, 1000, is_benefit=False, policy=TitleViPolicy(forms=("ratio",)))


def test_outcome_is_frozen_and_rating_keys_exist() -> None:
    r = _run(6200, 10000, 420000, 1000000, is_benefit=False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.outcome = "no_finding"  # type: ignore[misc]
    ratings = load_resource("ratings.toml")["title_vi"]
    assert {"no_finding", "not_distinguishable", "not_assessed"} <= set(ratings)
    assert set(OUTCOMES) == {"finding", "no_finding", "not_distinguishable", "not_assessed"}


@given(
    st.integers(1, 10_000),
    st.integers(0, 10_000),
    st.integers(1, 100_000),
    st.integers(0, 100_000),
    st.booleans(),
)
def test_properties(ta: int, ga_raw: int, extra_rest: int, gr_extra: int, benefit: bool) -> None:
    ga = min(ga_raw, ta)
    gr = ga + gr_extra
    tr = gr + (ta - ga) + extra_rest
    if gr == 0:
        return
    r = _run(ga, ta, gr, tr, is_benefit=benefit)
    assert r.outcome in OUTCOMES
    assert r.outcome != "not_assessed"
    assert r.difference_pp == pytest.approx((ga / ta - gr / tr) * 100.0)
    # a share-difference disparity and a rate disparity point the same way
    rest_rate = (ta - ga) / (tr - gr)
    if ga / gr > rest_rate:
        assert r.difference_pp > -1e-9
    if r.flags["absolute"]:
        assert (r.difference_pp < 0) == benefit


def test_data_without_margins_gives_no_margin_not_a_margin_of_zero() -> None:
    # A layer with no margin-of-error columns gives NaN margins: the test then has none
    # (a finding must not print "+39.2 ±0.0 points" as if the shares were exact).
    r = _run(
        6330,
        10000,
        241000,
        1000000,
        is_benefit=True,
        moe_share_affected=float("nan"),
        moe_share_reference=float("nan"),
    )
    assert r.moe_difference_pp is None
    assert all(f.moe is None for f in r.by_form.values())
    both_zero = _run(6330, 10000, 241000, 1000000, is_benefit=True, moe_share_affected=0.0)
    assert both_zero.moe_difference_pp == 0.0  # a stated margin of 0 stays one
