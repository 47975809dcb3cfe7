"""The allocation error of apportioned figures (analysis/moe.py, issue 13 item 3)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equityplanner.analysis.moe import (
    Z90,
    allocation_variance,
    cv_percent,
    moe_allocation,
    moe_apportioned,
    moe_scaled_sum,
)


def test_the_issues_small_stop_is_no_longer_highly_reliable():
    # A 100 m stop holding 91 people, 1.4% of a tract of 6,500 whose CV is 6.8%.
    tract, share, cv = 6500.0, 0.014, 0.068
    moe_tract = Z90 * cv * tract
    sampling = moe_apportioned([share], [tract], [moe_tract], allocation=False)
    combined = moe_apportioned([share], [tract], [moe_tract])
    assert cv_percent(share * tract, sampling) == pytest.approx(6.8)
    # Binomial allocation: sqrt(6500 * 0.014 * 0.986) = 9.47 people, CV 10.4% on its own.
    assert moe_allocation([tract], [share]) / Z90 == pytest.approx(np.sqrt(89.726), rel=1e-6)
    assert cv_percent(share * tract, combined) == pytest.approx(
        100 * np.hypot(0.068 * 91, np.sqrt(89.726)) / 91
    )
    assert cv_percent(share * tract, combined) > 12.0  # above Esri's "high" band


def test_whole_neighbourhoods_and_none_allocate_exactly():
    assert allocation_variance(1000.0, 1.0) == 0.0
    assert allocation_variance(1000.0, 0.0) == 0.0
    assert moe_allocation([1000.0, 500.0], [1.0, 0.0]) == 0.0
    assert moe_apportioned([1.0, 1.0], [1000.0, 500.0], [30.0, 40.0]) == pytest.approx(50.0)


def test_missing_or_negative_estimates_count_as_nobody():
    assert allocation_variance(np.array([np.nan, -5.0, 100.0]), np.full(3, 0.5)).tolist() == [
        0.0,
        0.0,
        25.0,
    ]


def test_a_missing_sampling_margin_stays_missing():
    assert np.isnan(moe_apportioned([0.5], [100.0], [np.nan]))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 1e5, allow_nan=False),
            st.floats(0, 1, allow_nan=False),
            st.floats(0, 1e4, allow_nan=False),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_the_combined_margin_adds_variances(pieces):
    x, s, m = (np.array(v) for v in zip(*pieces, strict=True))
    combined = moe_apportioned(s, x, m)
    sampling = moe_scaled_sum(s, m)
    assert combined >= sampling - 1e-9
    assert combined**2 == pytest.approx(
        sampling**2 + Z90**2 * np.sum(x * s * (1 - s)), rel=1e-9, abs=1e-6
    )


def test_the_binomial_variance_matches_simulation():
    # Each of 400 people inside with probability 0.3: the count's variance is 400 * 0.21.
    rng = np.random.default_rng(5)
    draws = rng.binomial(400, 0.3, 200_000)
    assert draws.var() == pytest.approx(allocation_variance(400.0, 0.3), rel=0.02)
