"""Tests of ACS margin-of-error formulas against the oracles of methods.md §4 and §11."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equityplanner.analysis.moe import (
    Z90,
    cv_percent,
    moe_product,
    moe_proportion,
    moe_ratio,
    moe_scaled_sum,
    moe_sum,
    reliability_band,
    se_from_moe,
    z_difference,
)
from equityplanner.errors import InputError

finite = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)


# --- oracle 1: aggregated count (handbook ch. 8) ------------------------------------------


def test_moe_sum_matches_handbook_aggregate() -> None:
    result = moe_sum([3860.0, 2642.0, 1957.0], estimates=[135173.0, 43104.0, 24842.0])
    assert isinstance(result, float)
    assert result == pytest.approx(5070.46, abs=0.005)


def test_moe_sum_zero_estimate_rule_keeps_only_largest_zero_margin() -> None:
    moes = [30.0, 40.0, 12.0, 5.0]
    estimates = [0.0, 0.0, 100.0, 0.0]
    assert moe_sum(moes, estimates=estimates) == pytest.approx(math.sqrt(40**2 + 12**2))
    # without estimates every component counts
    assert moe_sum(moes) == pytest.approx(math.sqrt(30**2 + 40**2 + 12**2 + 5**2))


def test_moe_sum_zero_rule_with_no_zero_estimate_is_plain_sum() -> None:
    assert moe_sum([3.0, 4.0], estimates=[1.0, 2.0]) == pytest.approx(5.0)


def test_moe_sum_array_sums_along_first_axis() -> None:
    moes = np.array([[3.0, 6.0], [4.0, 8.0]])
    estimates = np.array([[0.0, 1.0], [0.0, 1.0]])
    result = moe_sum(moes, estimates=estimates)
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [4.0, 10.0])


def test_moe_sum_nan_margin_propagates() -> None:
    assert math.isnan(moe_sum([3.0, float("nan")]))
    assert math.isnan(moe_sum([3.0, float("nan")], estimates=[5.0, 0.0]))


# --- oracle 2: proportion --------------------------------------------------------------------


def test_moe_proportion_matches_handbook() -> None:
    p = 203119.0 / 630498.0
    moe = moe_proportion(203119.0, 630498.0, 5070.0, 831.0)
    assert p == pytest.approx(0.32216, abs=5e-6)
    assert moe == pytest.approx(0.00803, abs=5e-6)
    assert se_from_moe(moe) == pytest.approx(0.004881, abs=5e-7)
    assert cv_percent(p, moe) == pytest.approx(1.52, abs=0.005)


def test_moe_ratio_gives_the_contrast_value() -> None:
    assert moe_ratio(203119.0, 630498.0, 5070.0, 831.0) == pytest.approx(0.008052, abs=5e-7)


def test_moe_proportion_falls_back_to_ratio_elementwise() -> None:
    num = np.array([50.0, 203119.0])
    den = np.array([100.0, 630498.0])
    moe_num = np.array([1.0, 5070.0])
    moe_den = np.array([40.0, 831.0])  # radicand 1 - 0.25 * 1600 < 0 for the first
    result = moe_proportion(num, den, moe_num, moe_den)
    assert isinstance(result, np.ndarray)
    assert result[0] == pytest.approx(moe_ratio(50.0, 100.0, 1.0, 40.0))
    assert result[0] == pytest.approx(math.sqrt(1.0 + 0.25 * 1600.0) / 100.0)
    assert result[1] == pytest.approx(0.00803, abs=5e-6)


def test_moe_proportion_zero_denominator_is_nan() -> None:
    assert math.isnan(moe_proportion(0.0, 0.0, 5.0, 5.0))


def test_moe_product() -> None:
    assert moe_product(10.0, 2.0, 3.0, 4.0) == pytest.approx(math.sqrt(100 * 16 + 4 * 9))
    np.testing.assert_allclose(
        moe_product([10.0, 1.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]),
        [math.sqrt(1636.0), 1.0],
    )


# --- oracle 9: apportioned sum ----------------------------------------------------------------


def test_moe_scaled_sum_apportioned_catchment() -> None:
    assert moe_scaled_sum([0.25, 0.5], [120.0, 90.0]) == pytest.approx(54.08, abs=0.005)


def test_moe_scaled_sum_zero_rule_on_scaled_margins() -> None:
    # the zero-estimate rule keeps the largest *scaled* margin: 0.5 * 30 = 15 beats 0.1 * 100
    result = moe_scaled_sum([0.1, 0.5, 1.0], [100.0, 30.0, 20.0], estimates=[0.0, 0.0, 7.0])
    assert result == pytest.approx(math.sqrt(15.0**2 + 20.0**2))


def test_moe_scaled_sum_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="shape"):
        moe_scaled_sum([0.1, 0.5], [1.0, 2.0, 3.0])


# --- oracle 3: CV and reliability band --------------------------------------------------------


def test_cv_and_band_match_esri_example() -> None:
    assert se_from_moe(350.0) == pytest.approx(212.77, abs=0.005)
    cv = cv_percent(2557.0, 350.0)
    assert cv == pytest.approx(8.321, abs=5e-4)
    assert reliability_band(cv) == "high"


def test_cv_zero_estimate_is_100_and_nan_margin_is_nan() -> None:
    assert cv_percent(0.0, 25.0) == 100.0
    assert math.isnan(cv_percent(10.0, float("nan")))
    assert math.isnan(cv_percent(0.0, float("nan")))
    result = cv_percent(np.array([0.0, 1645.0]), np.array([3.0, 1645.0]))
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [100.0, 1000.0 / 1645.0 * 100.0])


@pytest.mark.parametrize(
    ("cv", "scheme", "band"),
    [
        (12.0, "esri", "high"),
        (12.01, "esri", "medium"),
        (40.0, "esri", "medium"),
        (40.01, "esri", "low"),
        (250.0, "esri", "low"),
        (15.0, "census", "high"),
        (15.01, "census", "medium"),
        (30.01, "census", "low"),
    ],
)
def test_reliability_band_edges(cv: float, scheme: str, band: str) -> None:
    assert reliability_band(cv, scheme=scheme) == band


def test_reliability_band_array_and_nan() -> None:
    assert reliability_band(float("nan")) is None
    result = reliability_band(np.array([1.0, 20.0, 50.0, np.nan]))
    assert isinstance(result, np.ndarray)
    assert result.tolist() == ["high", "medium", "low", None]


def test_reliability_band_unknown_scheme_lists_choices() -> None:
    with pytest.raises(InputError, match="census, esri"):
        reliability_band(5.0, scheme="acme")


# --- significance of a difference -------------------------------------------------------------


def test_z_difference() -> None:
    z = z_difference(120.0, 1.645 * 3.0, 100.0, 1.645 * 4.0)
    assert z == pytest.approx(20.0 / 5.0)
    assert z_difference(1.0, 0.0, 2.0, 0.0) == -math.inf
    assert z_difference(2.0, 0.0, 2.0, 0.0) == 0.0
    assert math.isnan(z_difference(2.0, float("nan"), 1.0, 1.0))
    np.testing.assert_allclose(
        z_difference(np.array([10.0, 0.0]), Z90, np.array([0.0, 10.0]), 0.0), [10.0, -10.0]
    )


# --- properties -------------------------------------------------------------------------------


@given(st.lists(finite, min_size=1, max_size=8))
def test_moe_sum_bounds(moes: list[float]) -> None:
    result = moe_sum(moes)
    assert max(moes) <= result * (1 + 1e-12) + 1e-12
    assert result <= sum(moes) * (1 + 1e-12) + 1e-12


@given(
    st.lists(st.tuples(finite, st.floats(0.0, 1.0)), min_size=1, max_size=8),
)
def test_moe_scaled_sum_equals_sum_of_scaled(pairs: list[tuple[float, float]]) -> None:
    moes = [m for m, _ in pairs]
    weights = [w for _, w in pairs]
    expected = moe_sum([w * m for w, m in zip(weights, moes, strict=True)])
    assert moe_scaled_sum(weights, moes) == pytest.approx(expected)


@given(st.floats(1.0, 1e6), st.floats(0.0, 1e5))
def test_cv_is_se_over_estimate(estimate: float, moe: float) -> None:
    assert cv_percent(estimate, moe) == pytest.approx(moe / 1.645 / estimate * 100.0)
