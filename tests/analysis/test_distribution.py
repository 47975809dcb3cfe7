"""Tests of income quintiles and TAG A4.2 ratings (methods.md §2 and §11 row 10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from equityplanner.analysis.distribution import (
    QUINTILES,
    TAG_RATINGS,
    income_quintiles,
    quintile_table,
    tag_rating,
)
from equityplanner.catalog import load_resource
from equityplanner.errors import MethodError

# Hand-worked: sorted by income (ties in original order) the units are
# u1 (15, 90), u4 (15, 60), u3 (25, 110), u7 (30, 140), u0 (40, 120), u6 (50, 200),
# u2 (60, 150), u5 (80, 130); cumulative population 90, 150, 260, 400, 520, 720, 870, 1000;
# midpoints 45, 120, 205, 330, 460, 620, 795, 935 of 1000 -> quintiles 1 1 2 2 3 4 4 5.
INCOME = [40.0, 15.0, 60.0, 25.0, 15.0, 80.0, 50.0, 30.0]
POPULATION = [120.0, 90.0, 150.0, 110.0, 60.0, 130.0, 200.0, 140.0]
EXPECTED = [3, 1, 4, 2, 1, 5, 4, 2]


def test_income_quintiles_hand_worked() -> None:
    result = income_quintiles(INCOME, POPULATION)
    assert result.dtype == np.int64
    assert result.tolist() == EXPECTED


def test_unranked_units_get_zero_and_do_not_move_the_others() -> None:
    income = [*INCOME, np.nan, 5.0]
    population = [*POPULATION, 500.0, 0.0]
    assert income_quintiles(income, population).tolist() == [*EXPECTED, 0, 0]


def test_ties_keep_original_order() -> None:
    # midpoints 50 and 150 of 200: the first listed unit is ranked lower
    assert income_quintiles([10.0, 10.0], [100.0, 100.0]).tolist() == [2, 4]


def test_midpoint_on_a_boundary_goes_to_the_upper_quintile() -> None:
    # midpoints 10, 40, 80 of 100: 0.4 is the start of quintile 3
    assert income_quintiles([1.0, 2.0, 3.0], [20.0, 40.0, 40.0]).tolist() == [1, 3, 5]


def test_income_quintiles_all_unranked_and_errors() -> None:
    assert income_quintiles([np.nan, 3.0], [10.0, 0.0]).tolist() == [0, 0]
    with pytest.raises(MethodError, match="negative"):
        income_quintiles([1.0, 2.0], [10.0, -1.0])
    with pytest.raises(MethodError, match="populations"):
        income_quintiles([1.0, 2.0], [10.0])


def test_methods_example_table_and_ratings() -> None:
    table = quintile_table([1, 2, 3, 4, 5], [30, 25, 20, 15, 10], [12, 18, 20, 25, 25])
    assert list(table.index) == list(QUINTILES)
    assert list(table.columns) == [
        "population",
        "population_share",
        "benefit",
        "benefit_share",
        "difference_pp",
    ]
    np.testing.assert_allclose(table["difference_pp"], [-18.0, -7.0, 0.0, 10.0, 15.0], atol=1e-9)
    ratings = tag_rating(
        table["population_share"].to_numpy(),
        table["benefit_share"].to_numpy(),
        is_benefit=True,
        threshold_pp=5.0,
    )
    assert list(ratings) == [
        "slight_beneficial",
        "slight_beneficial",
        "moderate_beneficial",
        "large_beneficial",
        "large_beneficial",
    ]


def test_quintile_table_sums_units_and_skips_unranked() -> None:
    q = income_quintiles(INCOME, POPULATION)
    table = quintile_table([*q, 0], [*POPULATION, 999.0], [1, 2, 3, 4, 5, 6, 7, 8, 1000])
    assert table.loc[1, "population"] == 150.0
    assert table.loc[4, "population"] == 350.0
    assert table.loc[4, "benefit"] == 3.0 + 7.0
    assert table["benefit"].sum() == 36.0
    assert table.loc[2, "population_share"] == pytest.approx(250.0 / 1000.0)
    assert table.loc[5, "benefit_share"] == pytest.approx(6.0 / 36.0)


def test_quintile_table_empty_quintile_and_zero_benefit() -> None:
    table = quintile_table([1, 1, 5], [10.0, 10.0, 20.0], [0.0, 0.0, 0.0])
    assert table.loc[3, "population"] == 0.0
    assert table.loc[3, "population_share"] == 0.0
    assert table["benefit_share"].isna().all()
    with pytest.raises(MethodError, match="quintile numbers"):
        quintile_table([6], [1.0], [1.0])


@pytest.mark.parametrize(
    ("pop", "ben", "is_benefit", "expected"),
    [
        (0.20, 0.25, True, "moderate_beneficial"),  # +5 pp
        (0.15, 0.20, True, "moderate_beneficial"),  # +5 pp computed as 5.000000000000002
        (0.20, 0.2501, True, "large_beneficial"),
        (0.20, 0.15, True, "moderate_beneficial"),  # -5 pp computed as -5.000000000000002
        (0.20, 0.1499, True, "slight_beneficial"),
        (0.20, 0.30, False, "large_adverse"),
        (0.20, 0.20, False, "moderate_adverse"),
        (0.20, 0.05, False, "slight_adverse"),
        (0.20, 0.0, True, "neutral"),
        (0.20, 0.0, False, "neutral"),
        (0.20, float("nan"), True, "neutral"),
    ],
)
def test_tag_rating_rules(pop: float, ben: float, is_benefit: bool, expected: str) -> None:
    result = tag_rating(pop, ben, is_benefit=is_benefit, threshold_pp=5.0)
    assert isinstance(result, str)
    assert result == expected


def test_tag_rating_threshold_is_a_parameter() -> None:
    assert tag_rating(0.15, 0.25, is_benefit=True, threshold_pp=10.0) == "moderate_beneficial"
    assert tag_rating(0.15, 0.25, is_benefit=True, threshold_pp=9.0) == "large_beneficial"


def test_rating_keys_are_those_of_the_resource() -> None:
    assert set(TAG_RATINGS) == set(load_resource("ratings.toml")["tag"])


@given(
    st.lists(
        st.tuples(
            st.floats(0.0, 1e6, allow_nan=False),
            st.floats(0.0, 1e4, allow_nan=False),
            st.floats(0.0, 1e3, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_quintile_properties(units: list[tuple[float, float, float]]) -> None:
    income = [u[0] for u in units]
    population = [u[1] for u in units]
    benefit = [u[2] for u in units]
    q = income_quintiles(income, population)
    ranked = np.asarray(population) > 0
    assert set(q[ranked]) <= set(QUINTILES)
    assert (q[~ranked] == 0).all()
    # richer units never sit in a lower quintile
    order = np.argsort(np.asarray(income)[ranked], kind="stable")
    assert (np.diff(q[ranked][order]) >= 0).all()
    table = quintile_table(q, population, benefit)
    assert isinstance(table, pd.DataFrame)
    if np.asarray(population)[ranked].sum() > 0:
        assert table["population_share"].sum() == pytest.approx(1.0)
    if table["benefit"].sum() > 0:
        assert table["benefit_share"].sum() == pytest.approx(1.0)
        assert table["difference_pp"].sum() == pytest.approx(0.0, abs=1e-6)
        ratings = tag_rating(
            table["population_share"].to_numpy(),
            table["benefit_share"].to_numpy(),
            is_benefit=True,
            threshold_pp=5.0,
        )
        assert set(ratings) <= set(TAG_RATINGS)
