"""Tests of the HUD AFFH segregation indices (methods.md §3.1 and §11 row 7)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equityplanner.analysis.segregation import (
    correlation_ratio,
    dissimilarity,
    dissimilarity_band,
    exposure,
    isolation,
)

MINORITY = np.array([800.0, 600.0, 200.0, 100.0])
WHITE = np.array([200.0, 400.0, 800.0, 900.0])
TOTAL = MINORITY + WHITE

counts = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=12
)


def test_dissimilarity_oracle() -> None:
    d = dissimilarity(MINORITY, WHITE)
    assert d == pytest.approx(56.27, abs=0.005)
    assert dissimilarity_band(d) == "high"


def test_isolation_exposure_and_correlation_ratio_oracle() -> None:
    assert isolation(MINORITY, TOTAL) == pytest.approx(0.6176, abs=5e-5)
    assert exposure(MINORITY, WHITE, TOTAL) == pytest.approx(0.3824, abs=5e-5)
    assert correlation_ratio(MINORITY, WHITE, TOTAL) == pytest.approx(0.3350, abs=5e-5)


def test_units_with_zero_total_are_skipped() -> None:
    m = np.append(MINORITY, 0.0)
    w = np.append(WHITE, 0.0)
    t = m + w
    assert dissimilarity(m, w) == pytest.approx(dissimilarity(MINORITY, WHITE))
    assert isolation(m, t) == pytest.approx(isolation(MINORITY, TOTAL))
    assert exposure(m, w, t) == pytest.approx(exposure(MINORITY, WHITE, TOTAL))
    assert correlation_ratio(m, w, t) == pytest.approx(0.3350, abs=5e-5)


def test_group_with_zero_total_gives_nan() -> None:
    zeros = np.zeros(4)
    assert math.isnan(dissimilarity(zeros, WHITE))
    assert math.isnan(dissimilarity(MINORITY, zeros))
    assert math.isnan(isolation(zeros, TOTAL))
    assert math.isnan(exposure(zeros, WHITE, TOTAL))
    assert math.isnan(correlation_ratio(MINORITY, zeros, MINORITY))


def test_even_and_complete_segregation() -> None:
    assert dissimilarity([10, 20, 30], [100, 200, 300]) == pytest.approx(0.0)
    assert dissimilarity([10, 0], [0, 10]) == pytest.approx(100.0)
    assert isolation([10, 0], [10, 10]) == pytest.approx(1.0)
    assert correlation_ratio([10, 0], [0, 10], [10, 10]) == pytest.approx(1.0)


def test_mismatched_lengths_rejected() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        dissimilarity([1, 2, 3], [1, 2])


@pytest.mark.parametrize(
    ("d", "band"),
    [
        (0.0, "low"),
        (39.99, "low"),
        (40.0, "moderate"),
        (54.99, "moderate"),
        (55.0, "high"),
        (100.0, "high"),
    ],
)
def test_dissimilarity_band_cut_points(d: float, band: str) -> None:
    assert dissimilarity_band(d) == band


def test_dissimilarity_band_array_and_nan() -> None:
    assert dissimilarity_band(float("nan")) is None
    result = dissimilarity_band(np.array([10.0, 45.0, 60.0, np.nan]))
    assert isinstance(result, np.ndarray)
    assert result.tolist() == ["low", "moderate", "high", None]


@given(counts)
def test_dissimilarity_symmetric_and_bounded(pairs: list[tuple[int, int]]) -> None:
    a = [p[0] for p in pairs]
    b = [p[1] for p in pairs]
    d = dissimilarity(a, b)
    if sum(a) == 0 or sum(b) == 0:
        assert math.isnan(d)
        return
    assert 0.0 - 1e-9 <= d <= 100.0 + 1e-9
    assert d == pytest.approx(dissimilarity(b, a))


@given(counts)
def test_two_group_isolation_plus_exposure_is_one(pairs: list[tuple[int, int]]) -> None:
    a = np.array([p[0] for p in pairs], dtype=float)
    b = np.array([p[1] for p in pairs], dtype=float)
    if a.sum() == 0:
        return
    total = a + b
    assert isolation(a, total) + exposure(a, b, total) == pytest.approx(1.0)
    if b.sum() > 0:
        assert -1e-9 <= correlation_ratio(a, b, total) <= 1.0 + 1e-9
