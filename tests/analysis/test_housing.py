"""Tests of the fair-housing and affordability helpers (methods.md §3.2-3.4, §11 row 11)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equityplanner.analysis.housing import (
    imputed_household_size,
    is_affordable,
    is_recap,
    max_affordable_rent,
    minority_concentration,
    poverty_concentration,
    recap_threshold,
)
from equityplanner.errors import MethodError

# --- R/ECAP --------------------------------------------------------------------------------


def test_recap_oracle() -> None:
    threshold = recap_threshold([0.02, 0.08, 0.11, 0.14, 0.20])  # unweighted mean 11 %
    assert threshold == pytest.approx(0.33)
    assert is_recap(0.35, 0.62, threshold) is True
    assert is_recap(0.30, 0.62, threshold) is False
    assert is_recap(0.35, 0.48, threshold) is False


def test_recap_threshold_caps_at_40_percent_and_ignores_nan() -> None:
    assert recap_threshold([0.15, 0.25, np.nan]) == pytest.approx(0.40)
    assert math.isnan(recap_threshold([np.nan]))


def test_is_recap_boundaries_are_inclusive_despite_rounding() -> None:
    threshold = recap_threshold([0.10])  # 3 * 0.10 = 0.30000000000000004
    assert threshold > 0.30
    assert is_recap(0.30, 0.50, threshold) is True
    assert is_recap(0.2999, 0.50, threshold) is False
    assert is_recap(0.30, 0.4999, threshold) is False


def test_is_recap_vectorised_and_nan() -> None:
    result = is_recap(np.array([0.35, 0.30, np.nan]), np.array([0.62, 0.62, 0.9]), 0.33)
    assert isinstance(result, np.ndarray)
    assert result.tolist() == [True, False, False]


# --- minority concentration ----------------------------------------------------------------


def test_minority_concentration_group_test() -> None:
    r = minority_concentration(
        {"nh_black": 0.45, "hispanic": 0.05}, {"nh_black": 0.25, "hispanic": 0.10}, 0.50, 0.40
    )
    assert r["group_excess"] is True  # +20 pp exactly
    assert r["groups_in_excess"] == ("nh_black",)
    assert r["minority_excess"] is False  # +10 pp
    assert r["minority_majority"] is False  # 50 % is not more than half
    assert r["is_concentrated"] is True


def test_minority_concentration_total_and_majority_tests() -> None:
    r = minority_concentration({"hispanic": 0.30}, {"hispanic": 0.20}, 0.45, 0.25)
    assert (r["group_excess"], r["minority_excess"], r["minority_majority"]) == (False, True, False)
    assert r["is_concentrated"] is True
    r = minority_concentration({"hispanic": 0.30}, {"hispanic": 0.20}, 0.51, 0.45)
    assert (r["group_excess"], r["minority_excess"], r["minority_majority"]) == (False, False, True)
    r = minority_concentration(
        {"hispanic": 0.30}, {"hispanic": 0.20}, 0.51, 0.45, is_metropolitan=False
    )
    assert r["minority_majority"] is False
    assert r["is_concentrated"] is False


def test_minority_concentration_missing_area_group() -> None:
    with pytest.raises(MethodError, match="nh_asian"):
        minority_concentration({"nh_asian": 0.3}, {"hispanic": 0.2}, 0.4, 0.3)


# --- poverty concentration -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "area", "expected"),
    [
        (0.40, 0.20, True),  # absolute 40 %
        (0.39, 0.20, False),
        (0.30, 0.10, True),  # 3 x 10 % = 0.30000000000000004 still counts
        (0.29, 0.10, False),
        (0.0, 0.0, False),  # no poverty anywhere is not concentration
        (float("nan"), 0.1, False),
    ],
)
def test_poverty_concentration(rate: float, area: float, expected: bool) -> None:
    assert poverty_concentration(rate, area) is expected


def test_poverty_concentration_vectorised() -> None:
    result = poverty_concentration(np.array([0.45, 0.2, 0.31]), 0.10)
    assert isinstance(result, np.ndarray)
    assert result.tolist() == [True, False, True]


# --- affordability -------------------------------------------------------------------------


def test_max_affordable_rent_oracle() -> None:
    assert max_affordable_rent(0.50, 100_000.0) == pytest.approx(1250.0)
    assert max_affordable_rent(1.0, 50_000.0) == pytest.approx(1250.0)
    assert is_affordable(1250.0, 50_000.0) is True
    assert is_affordable(1250.01, 50_000.0) is False


def test_max_affordable_rent_vectorised() -> None:
    result = max_affordable_rent(np.array([0.30, 0.50, 0.80]), 100_000.0)
    assert isinstance(result, np.ndarray)
    np.testing.assert_allclose(result, [750.0, 1250.0, 2000.0])


def test_imputed_household_size() -> None:
    assert imputed_household_size(0) == 1.0
    assert imputed_household_size(1) == 1.5
    np.testing.assert_allclose(imputed_household_size([0, 2, 3]), [1.0, 3.0, 4.5])
    with pytest.raises(MethodError, match="negative"):
        imputed_household_size(-1)


def test_max_affordable_rent_by_bedrooms_interpolates_the_income_table() -> None:
    table = {1: 70_000.0, 2: 80_000.0, 3: 90_000.0, 4: 100_000.0, 5: 108_000.0}
    # studio: 1 person; 1 bedroom: 1.5 persons (75,000); 3 bedrooms: 4.5 persons (104,000)
    assert max_affordable_rent(0.50, table, bedrooms=0) == pytest.approx(0.3 * 35_000 / 12)
    assert max_affordable_rent(0.50, table, bedrooms=1) == pytest.approx(937.5)
    np.testing.assert_allclose(
        max_affordable_rent(0.60, table, bedrooms=[2, 3]),
        [0.3 * 0.6 * 90_000 / 12, 0.3 * 0.6 * 104_000 / 12],
    )


def test_max_affordable_rent_input_errors() -> None:
    with pytest.raises(MethodError, match="table"):
        max_affordable_rent(0.5, 100_000.0, bedrooms=2)
    with pytest.raises(MethodError, match="bedrooms"):
        max_affordable_rent(0.5, {1: 70_000.0, 2: 80_000.0})
    with pytest.raises(MethodError, match="outside the income table"):
        max_affordable_rent(0.5, {1: 70_000.0, 2: 80_000.0}, bedrooms=2)


def test_is_affordable_share_and_edge_cases() -> None:
    assert is_affordable(2000.0, 50_000.0, share=0.50) is True
    assert is_affordable(2000.0, 50_000.0) is False
    assert is_affordable(100.0, 0.0) is False
    assert is_affordable(float("nan"), 50_000.0) is False
    result = is_affordable(np.array([1000.0, 1500.0]), np.array([40_000.0, 40_000.0]))
    assert isinstance(result, np.ndarray)
    assert result.tolist() == [True, False]


@given(st.floats(0.05, 1.2), st.floats(1_000.0, 1e6))
def test_max_affordable_rent_is_affordable_to_its_income(fraction: float, ami: float) -> None:
    rent = max_affordable_rent(fraction, ami)
    assert is_affordable(rent, fraction * ami) is True
    assert is_affordable(rent * 1.001, fraction * ami) is False
