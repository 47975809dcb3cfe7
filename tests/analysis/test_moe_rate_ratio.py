"""The margin of the four-fifths rate ratio (delta method on the odds ratio of two shares)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from equityplanner.analysis.moe import moe_rate_ratio


def test_rate_ratio_is_the_odds_ratio_of_the_shares() -> None:
    # methods.md §1: 6,200 of 10,000 affected are minority; 420,000 of 1,000,000 in the city
    counts = (6200 / 420000) / (3800 / 580000)
    odds = (0.62 / 0.38) / (0.42 / 0.58)
    assert counts == pytest.approx(odds) == pytest.approx(2.253, abs=5e-4)


def test_worked_margin() -> None:
    # 2.253133 * sqrt((0.05 / (0.62 * 0.38))**2 + (0.01 / (0.42 * 0.58))**2)
    #   = 2.253133 * sqrt(0.045039 + 0.001685) = 2.253133 * 0.216158 = 0.487033
    assert moe_rate_ratio(0.62, 0.42, 0.05, 0.01) == pytest.approx(0.487033, abs=1e-6)


def test_matches_a_numerical_derivative() -> None:
    a, r, ma, mr = 0.3, 0.2, 0.04, 0.01

    def ratio(x: float, y: float) -> float:
        return (x / (1 - x)) / (y / (1 - y))

    h = 1e-7
    da = (ratio(a + h, r) - ratio(a - h, r)) / (2 * h)
    dr = (ratio(a, r + h) - ratio(a, r - h)) / (2 * h)
    assert moe_rate_ratio(a, r, ma, mr) == pytest.approx(math.hypot(da * ma, dr * mr), rel=1e-6)


def test_undefined_at_the_edges_and_arrays() -> None:
    assert math.isnan(moe_rate_ratio(1.0, 0.4, 0.01, 0.01))
    assert math.isnan(moe_rate_ratio(0.0, 0.4, 0.01, 0.01))
    out = moe_rate_ratio(np.array([0.62, 1.0]), 0.42, np.array([0.05, 0.0]), 0.01)
    assert isinstance(out, np.ndarray)
    assert out[0] == pytest.approx(0.487033, abs=1e-6) and math.isnan(out[1])
