"""Accessibility measures: methods.md §6 and §11 rows 4-5, groups, and the before/after helper."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from helpers import SHARED_DATA, shared_data
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from equityplanner.analysis.access import (
    LUO_QI_WEIGHTS,
    access_by_group,
    compare_access,
    cumulative_opportunities,
    gaussian,
    gravity,
    gravity_access,
    jobs_within,
    nearest_time,
    negative_exponential,
    step_fn,
    two_step_fca,
)
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.analysis.travel_time import StraightLineModel, lines_before_after
from equityplanner.errors import MethodError
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.opportunities import read_lodes_wac
from equityplanner.io.project_file import load_project

REPO = Path(__file__).resolve().parents[2]
MAGNOLIA = REPO / "sample_projects" / "magnolia"
CHICAGO = SHARED_DATA / "chicago-access"

# --- decay functions: pysal access doctests (methods.md §6, [published]) ---------------------


def test_gaussian_doctest_values() -> None:
    fn = gaussian(sigma=20)
    values = fn(np.array([0, 20, 40, 60]))
    np.testing.assert_allclose(
        values, [1.0, 0.6065306597126334, 0.1353352832366127, 0.011108996538242306], rtol=1e-12
    )
    assert fn(20) == pytest.approx(0.60653, abs=5e-6)


def test_gravity_doctest_values() -> None:
    fn = gravity(scale=20, alpha=-2, min_dist=1)
    values = [round(fn(t), 2) for t in (0, 1, 2, 20, 40, 60)]
    assert values == [400.0, 400.0, 100.0, 1.0, 0.25, 0.11]


def test_step_fn_doctest_values() -> None:
    fn = step_fn({20: 1, 40: 0.68, 60: 0.22})
    assert [fn(t) for t in range(0, 71, 10)] == [1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0]
    assert fn(np.arange(0, 71, 10)).tolist() == [1, 1, 1, 0.68, 0.68, 0.22, 0.22, 0]


def test_negative_exponential() -> None:
    assert negative_exponential(0.1)(np.array([0.0, 10.0])).tolist() == pytest.approx(
        [1.0, math.exp(-1)]
    )


def test_unreachable_times_weigh_nothing() -> None:
    for fn in (
        gaussian(20),
        gravity(20, -2, 1),
        step_fn(LUO_QI_WEIGHTS),
        negative_exponential(0.1),
    ):
        assert fn(np.array([np.inf, np.nan])).tolist() == [0.0, 0.0]
        assert fn.description


@pytest.mark.parametrize(
    "make",
    [
        lambda: gaussian(0),
        lambda: gravity(0, -1),
        lambda: step_fn({}),
        lambda: step_fn({10: -1}),
        lambda: negative_exponential(-0.1),
    ],
)
def test_bad_decay_parameters(make) -> None:
    with pytest.raises(MethodError):
        make()


def test_negative_times_are_refused() -> None:
    with pytest.raises(MethodError, match="zero or more"):
        gaussian(10)(-1.0)


# --- 2SFCA: the hospital example (methods.md §6, §11 row 5) ----------------------------------

POPULATION = np.array([100.0, 50.0, 10.0])
DOCTORS = np.array([15.0, 20.0, 100.0])
# Scenario 0: self 1; tract 3 <-> tracts 1, 2: 40 both ways; 1 <-> 2: 80.
COSTS = np.array([[1.0, 80.0, 40.0], [80.0, 1.0, 40.0], [40.0, 40.0, 1.0]])


def test_binary_2sfca_hospital_example() -> None:
    result = two_step_fca(POPULATION, DOCTORS, COSTS, threshold=60)
    np.testing.assert_allclose(result.catchment_demand, [110, 60, 160])
    np.testing.assert_allclose(result.supply_ratio, [0.13636, 0.33333, 0.625], atol=5e-6)
    np.testing.assert_allclose(result.access, [0.76136, 0.95833, 1.09470], atol=5e-6)
    assert result.method == "binary 2SFCA, catchment t ≤ 60"


def test_conservation_check_135() -> None:
    result = two_step_fca(POPULATION, DOCTORS, COSTS, threshold=60)
    assert POPULATION @ result.access == pytest.approx(135.0, abs=1e-9)
    assert DOCTORS.sum() == 135.0 and result.unserved_supply == 0.0


def test_gravity_2sfca_hospital_example() -> None:
    # pysal: weight_fn = gravity(1, -1) (1/cost), max_cost 61 (the reference uses cost < 61)
    result = two_step_fca(POPULATION, DOCTORS, COSTS, threshold=60, weights=gravity(1, -1))
    np.testing.assert_allclose(result.catchment_demand, [100.25, 50.25, 13.75])
    np.testing.assert_allclose(result.access, [0.33144, 0.57983, 7.28642], atol=5e-6)


def test_e2sfca_luo_qi_bands_hand_worked() -> None:
    # one facility (10 doctors); residents at 5, 15 and 25 minutes (weights 1, 0.68, 0.22)
    times = np.array([[5.0], [15.0], [25.0], [35.0]])
    result = two_step_fca([100, 100, 100, 100], [10], times, threshold=30, weights=LUO_QI_WEIGHTS)
    demand = 100 * (1 + 0.68 + 0.22)
    assert result.catchment_demand[0] == pytest.approx(demand)
    np.testing.assert_allclose(result.access, np.array([1, 0.68, 0.22, 0]) * 10 / demand)


def test_asymmetric_times_are_used_from_residence_to_facility() -> None:
    # Residents of zone 1 reach facility 2 in 10 min; residents of zone 2 need 100 min to reach
    # facility 1. Both steps use times[residence, facility].
    times = np.array([[5.0, 10.0], [100.0, 5.0]])
    result = two_step_fca([100, 50], [10, 30], times, threshold=30)
    np.testing.assert_allclose(result.catchment_demand, [100, 150])
    np.testing.assert_allclose(result.supply_ratio, [0.1, 0.2])
    np.testing.assert_allclose(result.access, [0.3, 0.2])
    assert np.array([100, 50]) @ result.access == pytest.approx(40.0)
    transposed = two_step_fca([100, 50], [10, 30], times.T, threshold=30)
    assert not np.allclose(transposed.access, result.access)


def test_unserved_supply_and_normalise() -> None:
    times = np.array([[5.0, 90.0], [5.0, 90.0]])
    result = two_step_fca([10, 30], [4, 6], times, threshold=30)
    assert result.unserved_supply == 6.0
    assert result.supply_ratio.tolist() == [0.1, 0.0]
    normal = two_step_fca([10, 30], [4, 6], times, threshold=30, normalize=True)
    assert np.array([10, 30]) @ normal.access / 40 == pytest.approx(1.0)


def test_2sfca_refuses_bad_input() -> None:
    with pytest.raises(MethodError, match="demand"):
        two_step_fca([1, 2], DOCTORS, COSTS, 60)
    with pytest.raises(MethodError, match="zero or more"):
        two_step_fca([-1, 2, 3], DOCTORS, COSTS, 60)
    with pytest.raises(MethodError, match="threshold"):
        two_step_fca(POPULATION, DOCTORS, COSTS, None)
    with pytest.raises(MethodError, match="min_dist"):
        two_step_fca(POPULATION, DOCTORS, np.zeros((3, 3)), 60, weights=gravity(1, -1))


@settings(max_examples=80, deadline=None)
@given(
    arrays(np.float64, (6,), elements=st.integers(0, 500).map(float)),
    arrays(np.float64, (5,), elements=st.integers(0, 50).map(float)),
    arrays(np.float64, (6, 5), elements=st.integers(0, 60).map(float)),
)
def test_binary_2sfca_conserves_supply(population, supply, times) -> None:
    result = two_step_fca(population, supply, times, threshold=30)
    assert population @ result.access == pytest.approx(
        supply.sum() - result.unserved_supply, abs=1e-6
    )


# --- cumulative opportunities, nearest, gravity ----------------------------------------------


def test_cumulative_opportunities_hand_worked() -> None:
    times = np.array([[10.0, 30.0, np.inf], [45.0, 20.0, 5.0]])
    jobs = np.array([100.0, 7.0, 3.0])
    assert cumulative_opportunities(times, jobs, 30).tolist() == [107.0, 10.0]
    assert cumulative_opportunities(times, jobs, [5, 45]).tolist() == [[0.0, 107.0], [3.0, 110.0]]


def test_cumulative_opportunities_agrees_with_the_model() -> None:
    rng = np.random.default_rng(3)
    origins, destinations = rng.uniform(0, 8000, (40, 2)), rng.uniform(0, 8000, (60, 2))
    jobs = rng.integers(0, 20, 60).astype(float)
    model = StraightLineModel()
    expected = cumulative_opportunities(model.times_minutes(origins, destinations), jobs, [30, 45])
    np.testing.assert_allclose(
        model.opportunities_within(origins, destinations, jobs, [30, 45]), expected
    )


def test_nearest_time_and_gravity_access() -> None:
    times = np.array([[12.0, 5.0], [8.0, np.inf]])
    assert nearest_time(times).tolist() == [5.0, 8.0]
    assert nearest_time(times, [1, 0]).tolist() == [12.0, 8.0]
    assert nearest_time(times, [0, 0]).tolist() == [math.inf, math.inf]
    np.testing.assert_allclose(gravity_access(times, [2, 4], step_fn({10: 1})), [4.0, 2.0])
    with pytest.raises(MethodError, match="columns"):
        cumulative_opportunities(times, [1, 2, 3], 10)


# --- equity by group -------------------------------------------------------------------------


def test_access_by_group_hand_worked() -> None:
    access = np.array([100.0, 300.0, 200.0, np.inf])
    table = access_by_group(
        access,
        {"minority": [30, 10, 0, 5], "white": [10, 30, 20, 0]},
        population=[40, 40, 20, 5],
    )
    # total: (4000 + 12000 + 4000) / 100 = 200; minority (3000 + 3000) / 40 = 150;
    # white (1000 + 9000 + 4000) / 60 = 233.33
    assert table.index.tolist() == ["total", "minority", "white"]
    assert table["mean_access"].tolist() == pytest.approx([200.0, 150.0, 233.3333333])
    assert table.loc["minority", "ratio_to_total"] == pytest.approx(0.75)
    assert table.loc["minority", "ratio_to_white"] == pytest.approx(150 / 233.3333333)
    assert table.loc["minority", "unreached_share"] == pytest.approx(5 / 45)
    assert table.loc["total", "population"] == 105.0


def test_access_by_income_quintile() -> None:
    access = np.arange(1.0, 11.0)
    table = access_by_group(access, {"total": np.full(10, 100.0)}, income=np.arange(10.0, 0.0, -1))
    quintiles = table[table["kind"] == "income_quintile"]
    # income falls as access rises: quintile 1 (poorest) holds units 9 and 10
    assert quintiles["mean_access"].tolist() == [9.5, 7.5, 5.5, 3.5, 1.5]
    assert table.loc["income_q1", "ratio_to_income_q5"] == pytest.approx(9.5 / 1.5)


def test_access_by_group_needs_the_population() -> None:
    with pytest.raises(MethodError, match="population"):
        access_by_group([1.0], {"a": [1]})
    with pytest.raises(MethodError, match="a: 2 values"):
        access_by_group([1.0], {"a": [1, 2]}, population=[1])


def test_compare_access() -> None:
    result = compare_access(
        [100, 200, 50],
        [150, 200, 50],
        ids=["x", "y", "z"],
        group_counts={"minority": [10, 0, 5]},
        population=[10, 30, 5],
    )
    assert result.by_neighbourhood.loc["x"].tolist() == [100, 150, 50, 0.5]
    groups = result.by_group
    # all the gain (10 people x 50) goes to minority residents: a third of people, all the gain
    assert groups.loc["minority", "change"] == pytest.approx((1500 + 250) / 15 - (1000 + 250) / 15)
    assert groups.loc["minority", "gain_share"] == pytest.approx(1.0)
    assert groups.loc["minority", "population_share"] == pytest.approx(15 / 45)
    assert compare_access([1], [2]).by_group.empty


# --- before / after on the Magnolia sample ---------------------------------------------------


@pytest.fixture(scope="module")
def magnolia():
    hoods = read_neighbourhoods(MAGNOLIA / "tracts.gpkg", table=MAGNOLIA / "acs_2019_2023.csv")
    jobs = read_lodes_wac(MAGNOLIA / "jobs_lodes_wac.csv", blocks=MAGNOLIA / "blocks.geojson")
    doc = load_project(MAGNOLIA / "sample.eqp.json")
    crs = local_projected_crs(tuple(hoods.frame.to_crs(4326).total_bounds))
    transit = [p for p in doc.projects if p.kind == "transit"]
    return hoods, jobs, transit, crs


def test_jobs_within_brt_and_route_cut(magnolia) -> None:
    hoods, jobs, transit, crs = magnolia
    before, after = lines_before_after(transit, crs)
    model = StraightLineModel(before, crs=crs)
    table = jobs_within(hoods, jobs, model, after, thresholds=(30, 45))
    assert table.index.tolist() == hoods.frame["id"].tolist()
    assert list(table.columns[:3]) == ["jobs_30min_before", "jobs_30min_after", "jobs_30min_change"]
    assert "not a street or timetable router" in table.attrs["travel_model"]
    assert (table["jobs_45min_before"] <= jobs.total_capacity).all()
    assert (table["jobs_45min_change"] > 0).sum() > 20  # the BRT helps many tracts
    # BRT alone: nobody loses; the route-14 cut alone: nobody gains
    brt_only = jobs_within(hoods, jobs, model, [after[0]], thresholds=(45,))
    assert (brt_only["jobs_45min_change"] >= 0).all() and brt_only["jobs_45min_change"].max() > 0
    cut_only = jobs_within(hoods, jobs, model, [after[1]], thresholds=(45,))
    assert (cut_only["jobs_45min_change"] <= 0).all() and cut_only["jobs_45min_change"].min() < 0
    # the aggregated counts stay within 1% of the exact ones, never above
    exact = jobs_within(hoods, jobs, model, after, thresholds=(30, 45), method="exact")
    gap = exact["jobs_45min_after"] - table["jobs_45min_after"]
    assert (gap >= -1e-6).all() and gap.sum() < 0.01 * exact["jobs_45min_after"].sum()


def test_jobs_within_removed_line_and_no_change(magnolia) -> None:
    hoods, jobs, transit, crs = magnolia
    before, _ = lines_before_after(transit, crs)
    model = StraightLineModel(before, crs=crs)
    same = jobs_within(hoods, jobs, model, [], thresholds=(30,))
    assert (same["jobs_30min_change"] == 0).all()
    removed = jobs_within(hoods, jobs, model, [], thresholds=(30,), removed_line_ids=["route-14"])
    assert (removed["jobs_30min_change"] <= 0).all() and removed["jobs_30min_change"].min() < 0


def test_jobs_within_needs_a_crs(magnolia) -> None:
    hoods, jobs, _, _ = magnolia
    with pytest.raises(MethodError, match="CRS"):
        jobs_within(hoods, jobs, StraightLineModel(), [])


# --- Chicago: real-data sanity check of 2SFCA (data for checks only, not in the repo) --------


def test_chicago_2sfca_sanity() -> None:
    shared_data("chicago-access")
    pop = gpd.read_file(CHICAGO / "chicago_metro_pop.geojson")
    doc = gpd.read_file(CHICAGO / "chicago_metro_docs_dentists.geojson")
    assert (pop["geoid"].to_numpy() == doc["geoid"].to_numpy()).all()
    xy = shapely.get_coordinates(pop.geometry.to_numpy())  # EPSG:2790, metres
    demand = pop["pop"].to_numpy(float)
    supply = doc["doc"].to_numpy(float)
    distance = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    result = two_step_fca(demand, supply, distance, threshold=10_000)

    # Conservation: every physician is shared out among the people within 10 km.
    assert demand @ result.access == pytest.approx(supply.sum() - result.unserved_supply, rel=1e-9)
    assert supply.sum() == 7254 and demand.sum() == 8_105_097
    mean = demand @ result.access / demand.sum()
    assert mean == pytest.approx(7254 / 8_105_097, rel=0.01)  # about 0.9 physicians per 1,000

    # An independent computation: sparse pairs from an STRtree, summed with bincount.
    tree = shapely.STRtree(pop.geometry.to_numpy())
    i, j = tree.query(pop.geometry.to_numpy(), predicate="dwithin", distance=10_000)
    catchment = np.bincount(j, weights=demand[i], minlength=len(pop))
    ratio = np.divide(supply, catchment, out=np.zeros_like(supply), where=catchment > 0)
    reference = np.bincount(i, weights=ratio[j], minlength=len(pop))
    np.testing.assert_allclose(result.access, reference, rtol=1e-9, atol=1e-15)

    # E2SFCA (Luo & Qi bands scaled to 5 / 10 / 15 km) shares out the same supply.
    bands = {5_000: 1.0, 10_000: 0.68, 15_000: 0.22}
    enhanced = two_step_fca(demand, supply, distance, threshold=15_000, weights=bands)
    assert (enhanced.access >= 0).all() and np.isfinite(enhanced.access).all()
    table = access_by_group(result.access * 1000, {"total": demand})
    assert table.loc["total", "mean_access"] == pytest.approx(mean * 1000)


def test_a_group_with_its_own_universe_is_shared_of_that_universe() -> None:
    # Two neighbourhoods; the group (e.g. low-income) is counted among the people whose status
    # is known (the universe), as the Title VI tests count it.
    # population [10, 30], group [4, 6], universe [8, 20]; access rises by 50 in the first only.
    # Of the universe: population share 10 / 28; gain share (4 * 50) / (8 * 50) = 0.5.
    # Of the whole population (no universe): 10 / 40 = 0.25 and (4 * 50) / (10 * 50) = 0.4.
    args = dict(group_counts={"low": [4, 6]}, population=[10, 30])
    with_universe = compare_access([100, 200], [150, 200], group_universes={"low": [8, 20]}, **args)
    row = with_universe.by_group.loc["low"]
    assert row["population_share"] == pytest.approx(10 / 28, abs=1e-12)
    assert row["gain_share"] == pytest.approx(0.5, abs=1e-12)
    plain = compare_access([100, 200], [150, 200], **args).by_group.loc["low"]
    assert plain["population_share"] == pytest.approx(0.25, abs=1e-12)
    assert plain["gain_share"] == pytest.approx(0.4, abs=1e-12)


def test_gains_and_losses_that_cancel_out_give_no_share() -> None:
    # +0.1 in one neighbourhood and -0.1 in the other: the net change is rounding noise
    # (about 1e-17), and a share of it would read as 10^15 %.
    result = compare_access([0.7, 0.2], [0.8, 0.1], group_counts={"a": [3, 0]}, population=[3, 3])
    assert abs(float(result.by_neighbourhood["change"].sum())) < 1e-15
    assert np.isnan(result.by_group.loc["a", "gain_share"])


def test_offsetting_gains_and_losses_give_no_share() -> None:
    # Gains of 30 people x 10 and losses of 20 people x 10: net 100 against a gross 500, so the
    # group holding the 20 losers would "get -200%" of the change; no share is given.
    result = compare_access([50, 50], [60, 40], group_counts={"a": [0, 20]}, population=[30, 20])
    assert np.isnan(result.by_group.loc["a", "gain_share"])
    # Gains 30 x 10 and losses 10 x 10: net 200 of a gross 400, at the limit, so shared.
    kept = compare_access([50, 50], [60, 40], group_counts={"a": [0, 10]}, population=[30, 10])
    assert kept.by_group.loc["a", "gain_share"] == pytest.approx(-100 / 200, abs=1e-12)
