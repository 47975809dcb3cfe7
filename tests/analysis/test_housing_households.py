"""Who the affordable homes can house: households by income band, estimated (methods.md §3.3)."""

from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from equityplanner.analysis.housing import households_below_income
from equityplanner.errors import MethodError


def test_households_below_income_worked_by_hand() -> None:
    # Gini 0.48 -> sigma = sqrt(2) * Phi^-1(0.74) = 1.41421 * 0.64335 = 0.90983.
    sigma = math.sqrt(2) * NormalDist().inv_cdf(0.74)
    assert sigma == pytest.approx(0.90983, abs=1e-5)
    # 1,000 households with a median of $40,000: at or below $25,500 are
    # Phi(ln(25500 / 40000) / 0.90983) = Phi(-0.49482) = 0.31036 of them.
    got = households_below_income([1000.0], [40000.0], 25500.0, gini=0.48)
    assert got == pytest.approx(310.36, abs=0.01)
    # Areas without a median income are left out; the limit at the median gives half.
    assert households_below_income(
        [1000.0, 500.0], [50000.0, float("nan")], 50000.0, gini=0.48
    ) == pytest.approx(500.0)
    with pytest.raises(MethodError, match="Gini"):
        households_below_income([1.0], [1.0], 1.0, gini=1.2)
