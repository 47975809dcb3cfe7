"""Tests of the displacement vulnerability index (methods.md §7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equityplanner.analysis.displacement import (
    default_indicators,
    is_vulnerable,
    vulnerability_flags,
    vulnerability_score,
)
from equityplanner.errors import MethodError

INDICATORS = ["renters", "low_income", "rent_burdened", "minority", "limited_english"]
REFERENCE = pd.Series(
    {
        "renters": 0.45,
        "low_income": 0.30,
        "rent_burdened": 0.40,
        "minority": 0.42,
        "limited_english": 0.05,
    }
)
SHARES = pd.DataFrame(
    {
        "renters": [0.70, 0.50, 0.30, np.nan],
        "low_income": [0.45, 0.31, 0.20, 0.60],
        "rent_burdened": [0.55, 0.35, 0.10, 0.60],
        "minority": [0.80, 0.40, 0.20, 0.60],
        "limited_english": [0.02, 0.06, 0.01, 0.00],
    },
    index=pd.Index(["t1", "t2", "t3", "t4"], name="geoid"),
)
MOES = pd.DataFrame(
    {
        "renters": [0.05, 0.10, 0.05, 0.05],
        "low_income": [0.05, 0.05, 0.05, np.nan],
        "rent_burdened": [0.05, 0.05, 0.05, 0.05],
        "minority": [0.05, 0.05, 0.05, 0.05],
        "limited_english": [0.01, 0.02, 0.01, 0.01],
    },
    index=SHARES.index,
)


def test_indicators_come_from_the_resource() -> None:
    assert default_indicators() == tuple(INDICATORS)


def test_flags_compare_with_the_reference_share() -> None:
    flags = vulnerability_flags(SHARES, REFERENCE)
    assert list(flags.columns) == INDICATORS
    assert flags.index.equals(SHARES.index)
    assert flags.dtypes.eq(bool).all()
    assert flags.loc["t1"].tolist() == [True, True, True, True, False]
    assert flags.loc["t2"].tolist() == [True, True, False, False, True]
    assert not flags.loc["t3"].any()
    # NaN share is not flagged
    assert flags.loc["t4"].tolist() == [False, True, True, True, False]


def test_score_and_vulnerability() -> None:
    flags = vulnerability_flags(SHARES, REFERENCE)
    score = vulnerability_score(flags)
    assert score.tolist() == [4, 3, 0, 3]
    assert score.name == "vulnerability_score"
    assert is_vulnerable(flags).tolist() == [True, True, False, True]
    assert is_vulnerable(flags, min_flags=4).tolist() == [True, False, False, False]


def test_conservative_uses_lower_bound() -> None:
    flags = vulnerability_flags(SHARES, REFERENCE, MOES, conservative=True)
    # t2: renters 0.50 - 0.10 < 0.45, low-income 0.31 - 0.05 < 0.30, LEP 0.06 - 0.02 < 0.05
    assert flags.loc["t2"].tolist() == [False, False, False, False, False]
    # t1 keeps its flags: every lower bound is still above the comparison
    assert flags.loc["t1"].tolist() == [True, True, True, True, False]
    # t4: a NaN margin is not flagged in conservative mode
    assert flags.loc["t4"].tolist() == [False, False, True, True, False]
    assert vulnerability_score(flags).tolist() == [4, 0, 0, 2]


def test_equal_to_reference_is_not_flagged() -> None:
    shares = pd.DataFrame({"renters": [0.45]})
    flags = vulnerability_flags(shares, REFERENCE, indicators=["renters"])
    assert not flags.iloc[0, 0]


def test_missing_data_is_reported() -> None:
    with pytest.raises(MethodError, match="limited_english"):
        vulnerability_flags(SHARES.drop(columns="limited_english"), REFERENCE)
    with pytest.raises(MethodError, match=r"comparison share.*minority"):
        vulnerability_flags(SHARES, REFERENCE.drop("minority"))
    with pytest.raises(MethodError, match="margins of error"):
        vulnerability_flags(SHARES, REFERENCE, conservative=True)
    with pytest.raises(MethodError, match=r"no margins.*renters"):
        vulnerability_flags(SHARES, REFERENCE, MOES.drop(columns="renters"), conservative=True)


def test_custom_indicator_subset() -> None:
    flags = vulnerability_flags(SHARES, REFERENCE, indicators=["renters", "minority"])
    assert list(flags.columns) == ["renters", "minority"]
    assert vulnerability_score(flags).tolist() == [2, 1, 0, 1]
