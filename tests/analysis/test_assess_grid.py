"""The assessment on the hand-worked 2 x 2 grid of tests/conftest.py.

A regular 64-gon (shapely buffer, quad_segs=16) of radius r has area 32 r^2 sin(pi/32);
the numbers below are worked from that and the grid's counts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from helpers import GRID_ROWS, grid_frame, grid_lonlat
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS
from shapely.geometry import Point

from equityplanner.analysis.assess import assess_projects
from equityplanner.analysis.catchment import catchment_shares
from equityplanner.errors import InputError
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.model.project import (
    HousingProject,
    Mode,
    Parameters,
    Scenario,
    ServiceChange,
    Station,
    TransitProject,
)

POLYGON_64_FACTOR = 32 * math.sin(math.pi / 32)  # area of the 64-gon / r^2


def _stop_project(points_m, change=ServiceChange.REDUCTION, mode=Mode.BUS, pid="route"):
    stations = tuple(Station(f"Stop {i}", Point(*grid_lonlat(*p))) for i, p in enumerate(points_m))
    return TransitProject(id=pid, name=pid.title(), mode=mode, change=change, stations=stations)


def _layer(write_grid, **kw):
    return read_neighbourhoods(write_grid(**kw))


def test_stop_inside_one_square_apportions_its_circle(write_grid):
    nb = _layer(write_grid)
    project = _stop_project([(500, 500)])  # centre of A, 400 m bus catchment
    result = assess_projects(nb, [project]).result("route")
    share = POLYGON_64_FACTOR * 400**2 / 1e6  # 0.5020...
    table = result.neighbourhoods.set_index("id")
    assert list(table.index) == ["A"]
    assert table.loc["A", "share_in_catchment"] == pytest.approx(share, rel=2e-4)
    served = result.indicator("served.population")
    assert served.value == pytest.approx(1000 * share, rel=2e-4)
    # Minority inside is A's 80%; comparison is (800+600+200+100)/4000 = 42.5%.
    minority = result.indicator("served.minority")
    assert minority.value == pytest.approx(0.8)
    assert minority.comparison == pytest.approx(0.425)
    assert minority.difference == pytest.approx(37.5)
    assert minority.rating == "burden_more"


def test_title_vi_burden_on_minority_and_low_income(write_grid):
    result = assess_projects(_layer(write_grid), [_stop_project([(500, 500)])]).result("route")
    di = result.indicator("title_vi.disparate_impact")
    assert di.rating == "disparate_impact"
    # Rate ratio: (800 s / 1700) / (200 s / 2300) = 5.4118, independent of the share s.
    assert di.details["rate_ratio"] == pytest.approx((800 / 1700) / (200 / 2300))
    assert di.details["flags"] == {"absolute": True, "four_fifths": True}
    db = result.indicator("title_vi.disproportionate_burden")
    # Low-income: A 60% inside, comparison 1300/4000 = 32.5% -> +27.5 points.
    assert db.difference == pytest.approx(27.5)
    assert db.rating == "disproportionate_burden"


def test_same_stop_as_new_service_is_a_benefit_without_disparity(write_grid):
    project = _stop_project([(500, 500)], change=ServiceChange.NEW)
    result = assess_projects(_layer(write_grid), [project]).result("route")
    assert result.indicator("title_vi.disparate_impact").rating == "no_finding"
    assert result.indicator("served.minority").rating == "progressive"


def test_income_quintiles_and_tag_ratings(write_grid):
    # Incomes 20k, 40k, 60k, 80k with equal populations: midpoints 12.5%, 37.5%, 62.5%,
    # 87.5% of the population fall in quintiles 1, 2, 4 and 5; Q3 holds nobody.
    assessment = assess_projects(_layer(write_grid), [_stop_project([(500, 500)])])
    assert assessment.baseline.set_index("id")["quintile"].to_dict() == {
        "A": 1,
        "B": 2,
        "C": 4,
        "D": 5,
    }
    q = assessment.result("route").quintiles
    assert q["population_share"].tolist() == pytest.approx([0.25, 0.25, 0.0, 0.25, 0.25])
    assert q["benefit_share"].tolist() == pytest.approx([1.0, 0.0, 0.0, 0.0, 0.0])
    # A burden borne wholly by Q1 (+75 points) is large adverse; the others bear none.
    assert q["rating"].tolist() == ["large_adverse", "neutral", "neutral", "neutral", "neutral"]


def test_overlapping_buffers_count_once(write_grid):
    nb = _layer(write_grid)
    one = assess_projects(nb, [_stop_project([(500, 500)])]).result("route")
    two = assess_projects(nb, [_stop_project([(500, 500), (510, 500)])]).result("route")
    share_two = two.neighbourhoods.set_index("id").loc["A", "share_in_catchment"]
    # Two circles 10 m apart cover a little more than one, far less than twice.
    assert (
        one.neighbourhoods.loc[0, "share_in_catchment"]
        < share_two
        < 1.05 * one.neighbourhoods.loc[0, "share_in_catchment"]
    )


def test_wholly_inside_neighbourhood_contributes_all_of_itself(write_grid):
    nb = _layer(write_grid)
    project = _stop_project([(1000, 1000)], mode=Mode.RAIL)  # centre corner; radius 3 km covers all
    params = Parameters(catchment_m={"rail": 3000.0, "brt": 800.0, "bus": 400.0, "housing": 800.0})
    result = assess_projects(nb, [project], parameters=params).result("route")
    assert result.neighbourhoods["share_in_catchment"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert result.indicator("served.population").value == 4000.0


def test_area_interpolation_toy_of_methods_section_5():
    # Source A: area 4 km^2, 1,000 people; B: 2 km^2, 600 people; the catchment overlaps each by 1 km^2.
    crs = CRS.from_epsg(32616)
    a = shapely.box(0, 0, 2000, 2000)
    b = shapely.box(2000, 0, 4000, 1000)
    geoms = np.array([a, b], dtype=object)
    catchment = shapely.union(shapely.box(1500, 0, 2000, 2000), shapely.box(2000, 0, 3000, 1000))
    shares = catchment_shares(geoms, shapely.STRtree(geoms), crs, catchment, crs)
    assert shares.share.tolist() == pytest.approx([0.25, 0.5])
    population = np.dot(shares.share, [1000, 600])
    assert population == pytest.approx(550)
    # Population-weighted poverty rate via extensive parts: (75 + 30) / 550 = 19.09%.
    assert np.dot(shares.share, [300, 60]) / population == pytest.approx(0.190909, rel=1e-5)


@pytest.mark.parametrize("crs", ["EPSG:4269", "EPSG:3857"])
def test_results_do_not_depend_on_the_source_crs(write_grid, crs):
    project = _stop_project([(900, 700), (1200, 1300)])
    reference = assess_projects(_layer(write_grid), [project]).result("route")
    other = assess_projects(
        _layer(write_grid, crs=crs, name=f"grid_{crs[5:]}.gpkg"), [project]
    ).result("route")
    for ind in reference.indicators:
        if isinstance(ind.value, float):
            assert other.indicator(ind.id).value == pytest.approx(ind.value, rel=1e-3), ind.id


def test_scenario_unions_benefits_and_reports_burdens_separately(write_grid):
    nb = _layer(write_grid)
    new = _stop_project([(1500, 1500)], change=ServiceChange.NEW, pid="new-line")
    cut = _stop_project([(500, 500)], change=ServiceChange.REDUCTION, pid="cut")
    scenario = Scenario("both", "Both", ("new-line", "cut"))
    result = assess_projects(nb, [new, cut], scenarios=[scenario]).result("both")
    assert result.is_benefit is None
    assert result.indicator("served.minority").value == pytest.approx(0.1)  # D only
    assert result.indicator("served.minority.burdens").value == pytest.approx(0.8)  # A only
    assert (
        result.indicator("title_vi.disparate_impact").rating == "disparate_impact"
    )  # benefit goes to white D
    assert result.indicator("title_vi.disparate_impact.burdens").rating == "disparate_impact"


def test_project_outside_the_study_area_is_an_input_error(write_grid):
    far = TransitProject(
        "far", "Far line", Mode.BUS, ServiceChange.NEW, (Station("X", Point(-80.0, 40.0)),)
    )
    with pytest.raises(InputError, match="outside the study area"):
        assess_projects(_layer(write_grid), [far])


def test_catchment_with_nobody_in_it_says_so(write_grid):
    rows = {k: dict(v) for k, v in GRID_ROWS.items()}
    rows["A"].update(total_population=0, nh_white=0, below_200_poverty=0)
    result = assess_projects(_layer(write_grid, rows=rows), [_stop_project([(500, 500)])])
    unit = result.result("route")
    assert unit.indicator("served.population").value == 0
    assert unit.indicator("title_vi.disparate_impact").rating == "not_assessed"
    assert any("nobody lives inside the catchment" in w for w in result.warnings)


def test_housing_site_indicators(write_grid):
    site = Point(*grid_lonlat(500, 500))
    project = HousingProject(
        id="h",
        name="Homes",
        site=site,
        total_units=100,
        units_by_band={"ami_30": 10, "ami_50": 20, "ami_80": 20, "market": 50},
        proposed_rents_usd={"market": 1500.0},
        units_demolished=30,
        affordable_units_demolished=60 - 40,
    )
    result = assess_projects(_layer(write_grid), [project]).result("h")
    net = result.indicator("housing.net_affordable_units")
    assert net.value == 50 - 20 and net.rating == "gain"
    rent = result.indicator("housing.market_rent_burden_site")
    assert rent.value == pytest.approx(1500 * 12 / 20000)  # 90% of A's median income
    assert rent.rating == "not_affordable"
    minority = result.indicator("housing.minority_concentration")
    assert minority.value == pytest.approx(0.8) and minority.rating == "concentrated"
    # FTA Title VI concerns transit service; a housing project is judged by HUD's tests.
    assert not [i.id for i in result.indicators if i.category == "title_vi"]


@settings(max_examples=25, deadline=None)
@given(
    order=st.permutations(["A", "B", "C", "D"]),
    x=st.floats(100, 1900),
    y=st.floats(100, 1900),
)
def test_row_order_does_not_change_results_and_totals_are_conserved(tmp_path_factory, order, x, y):
    folder = tmp_path_factory.mktemp("perm")
    rows = {k: GRID_ROWS[k] for k in order}
    path = folder / "grid.gpkg"
    grid_frame(rows).to_file(path, engine="pyogrio")
    project = _stop_project([(x, y)])
    base = assess_projects(read_neighbourhoods(path), [project]).result("route")
    table = base.neighbourhoods
    # Conservation: apportioned counts add up to the served total, and never exceed the sources.
    assert table["total_population_in_catchment"].sum() == pytest.approx(
        base.indicator("served.population").value
    )
    assert (table["total_population_in_catchment"] <= table["total_population"] + 1e-9).all()
    sorted_path = folder / "sorted.gpkg"
    grid_frame(GRID_ROWS).to_file(sorted_path, engine="pyogrio")
    other = assess_projects(read_neighbourhoods(sorted_path), [project]).result("route")
    for ind in base.indicators:
        if isinstance(ind.value, float):
            assert other.indicator(ind.id).value == pytest.approx(ind.value, rel=1e-9, abs=1e-12), (
                ind.id
            )


def test_the_default_comparison_label_reads_as_words_inside_sentences(write_grid):
    """Without a name for the comparison population its heading is "Study area"; a finding
    says "the study area" ("4.1% of the study area"), never "of Study area"."""
    from dataclasses import replace

    from equityplanner.i18n import language
    from equityplanner.model.project import ComparisonPopulation

    nb = _layer(write_grid)
    project = _stop_project([(500, 500)], change=ServiceChange.NEW)
    default = assess_projects(nb, [project])
    assert default.comparison_label == "Study area"
    findings = [i.finding for i in default.result("route").indicators]
    assert any("the study area" in f for f in findings)
    assert not [f for f in findings if "Study area" in f]
    named = Parameters(comparison=replace(ComparisonPopulation(), label="Grid City"))
    findings = [
        i.finding for i in assess_projects(nb, [project], parameters=named).results[0].indicators
    ]
    assert any("Grid City" in f for f in findings) and not any("study area" in f for f in findings)
    with language("es"):
        spanish = [i.finding for i in assess_projects(nb, [project]).results[0].indicators]
    assert any("la zona de estudio" in f for f in spanish)


def test_a_group_not_in_the_data_is_not_also_said_to_be_approximated(write_grid):
    """Without any disability column the group is "not assessed", and only that; with the
    count but not its universe, it is assessed on total population, and said so."""
    project = _stop_project([(500, 500)], change=ServiceChange.NEW)
    absent = assess_projects(_layer(write_grid), [project]).warnings
    about = [w for w in absent if w.startswith("People with a disability")]
    assert about == ["People with a disability: not assessed, the data has no disability."]
    rows = {gid: {**row, "disability": 100} for gid, row in GRID_ROWS.items()}
    counted = assess_projects(_layer(write_grid, rows=rows), [project])
    about = [w for w in counted.warnings if w.startswith("People with a disability")]
    assert len(about) == 1 and "(an approximation)" in about[0]
    share = counted.result("route").indicator("served.disability")
    assert share.value == pytest.approx(0.1)  # 100 of A's 1,000 people


def test_a_scenario_with_a_housing_site_says_whose_shares_its_title_vi_tests_are(write_grid):
    """The Title VI tests of a scenario joining a housing site (A) to a new stop (D) count the
    stop's catchment only: the finding says so, and its share is D's, not A's and D's."""
    nb = _layer(write_grid)
    stop = _stop_project([(1500, 1500)], change=ServiceChange.NEW, pid="new-line")
    homes = HousingProject(
        id="h",
        name="Homes",
        site=Point(*grid_lonlat(500, 500)),
        total_units=10,
        units_by_band={"market": 10},
    )
    scenario = Scenario("both", "Both", ("new-line", "h"))
    assessment = assess_projects(nb, [stop, homes], scenarios=[scenario])
    test = assessment.result("both").indicator("title_vi.disparate_impact")
    assert test.value == pytest.approx(0.1)  # D's 10% minority, A's 80% left out
    assert test.finding.startswith(
        "The people the transit projects serve (the housing site's catchment aside) are 10.0%"
    )
    alone = assessment.result("new-line").indicator("title_vi.disparate_impact")
    assert alone.finding.startswith("The people the project serves are 10.0% minority")


def test_the_datas_warnings_are_in_the_assessments_language(write_grid):
    """The warnings about what the data lacks read in Spanish in a Spanish assessment."""
    from equityplanner.i18n import language

    project = _stop_project([(500, 500)], change=ServiceChange.NEW)
    with language("es"):
        warnings = assess_projects(_layer(write_grid), [project]).warnings
    assert "Personas con discapacidad: no evaluado, los datos no tienen disability." in warnings
    assert any(w.startswith("La vulnerabilidad al desplazamiento usa ") for w in warnings)
    assert not [w for w in warnings if "not assessed" in w or "the data" in w]
