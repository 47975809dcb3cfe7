"""Indicator ids are built and read in one place: every id round-trips through IndicatorId."""

from __future__ import annotations

import pytest
from helpers import SAMPLE_PROJECT
from hypothesis import given
from hypothesis import strategies as st

from equityplanner.analysis.assess import assess
from equityplanner.io.project_file import load_project
from equityplanner.model.concepts import (
    BURDENS_SUFFIX,
    IndicatorFamily,
    ResultKind,
    Side,
    TitleViTest,
)
from equityplanner.model.indicator_ids import IndicatorId, base_id, is_burdens_id

EXAMPLES = [
    ("served.population", IndicatorId(IndicatorFamily.SERVED, "population")),
    ("served.low_income", IndicatorId(IndicatorFamily.SERVED, group="low_income")),
    ("title_vi.disparate_impact", IndicatorId(IndicatorFamily.TITLE_VI, "disparate_impact")),
    (
        "title_vi.access.jobs_45min.disproportionate_burden.burdens",
        IndicatorId(
            IndicatorFamily.TITLE_VI, "disproportionate_burden", measure="jobs_45min", burdens=True
        ),
    ),
    ("distribution.q1", IndicatorId(IndicatorFamily.DISTRIBUTION, "q1")),
    (
        "distribution.lowest_two_quintiles",
        IndicatorId(IndicatorFamily.DISTRIBUTION, "lowest_two_quintiles"),
    ),
    (
        "displacement.vulnerable_population",
        IndicatorId(IndicatorFamily.DISPLACEMENT, "vulnerable_population"),
    ),
    (
        "segregation.catchment_minority_share.burdens",
        IndicatorId(IndicatorFamily.SEGREGATION, "catchment_minority_share", burdens=True),
    ),
    (
        "segregation.dissimilarity.nh_black",
        IndicatorId(IndicatorFamily.SEGREGATION, "dissimilarity", group="nh_black"),
    ),
    ("housing.recap", IndicatorId(IndicatorFamily.HOUSING, "recap")),
    ("access.clinics_2sfca", IndicatorId(IndicatorFamily.ACCESS, measure="clinics_2sfca")),
    (
        "access.jobs_22.5min.minority",
        IndicatorId(IndicatorFamily.ACCESS, measure="jobs_22.5min", group="minority"),
    ),
]


@pytest.mark.parametrize(("text", "typed"), EXAMPLES, ids=[t for t, _ in EXAMPLES])
def test_ids_round_trip(text: str, typed: IndicatorId) -> None:
    assert str(typed) == text
    assert IndicatorId.parse(text) == typed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "served",
        "nonsense.population",
        "served.a.b",
        "housing.Recap",
        "served..population",
        "access",
        "title_vi.access.jobs_45min",
        "distribution.q1.minority",
    ],
)
def test_malformed_ids_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not an indicator id"):
        IndicatorId.parse(text)


def test_shapes_a_family_does_not_have_are_refused() -> None:
    with pytest.raises(ValueError, match="no housing indicator has this shape"):
        IndicatorId(IndicatorFamily.HOUSING, "recap", measure="jobs_45min")
    with pytest.raises(ValueError, match="lower-case"):
        IndicatorId(IndicatorFamily.SERVED, group="Low income")
    with pytest.raises(ValueError, match="reserved"):
        IndicatorId(IndicatorFamily.HOUSING, "burdens")


_PART = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(lambda p: p != "burdens")
_GROUP = _PART.filter(lambda p: p != "population")  # served.population is not a group share
_MEASURE = st.one_of(_PART, st.builds(lambda n: f"jobs_{n:g}min", st.floats(1, 120)))


@given(
    st.one_of(
        st.builds(lambda t: IndicatorId(IndicatorFamily.HOUSING, t), _PART),
        st.builds(lambda g: IndicatorId(IndicatorFamily.SERVED, group=g), _GROUP),
        st.builds(lambda t, g: IndicatorId(IndicatorFamily.SEGREGATION, t, group=g), _PART, _PART),
        st.builds(
            lambda m, g: IndicatorId(IndicatorFamily.ACCESS, measure=m, group=g),
            _MEASURE,
            st.none() | _PART,
        ),
        st.builds(
            lambda m, t: IndicatorId(IndicatorFamily.TITLE_VI, t.value, measure=m),
            _MEASURE,
            st.sampled_from(TitleViTest),
        ),
    ),
    st.booleans(),
)
def test_any_id_round_trips(typed: IndicatorId, burdens: bool) -> None:
    on_side = typed.on_side(Side.of(not burdens), mixed=True)
    assert on_side.burdens is burdens
    assert IndicatorId.parse(str(on_side)) == on_side
    assert on_side.base == typed


def test_sides_and_suffixes() -> None:
    assert Side.BURDENS.id_suffix(mixed=True) == BURDENS_SUFFIX
    assert Side.BURDENS.id_suffix(mixed=False) == ""  # a cut alone has plain ids
    assert Side.BENEFITS.id_suffix(mixed=True) == ""
    assert Side.of(True) is Side.BENEFITS and Side.BURDENS.effect == "burden"
    assert base_id("served.minority.burdens") == "served.minority"
    assert is_burdens_id("share_in_catchment.burdens") and not is_burdens_id("served.minority")


def test_enums_compare_with_the_strings_used_so_far() -> None:
    assert ResultKind.SERVICE_CHANGE == "service_change"
    assert ResultKind.SERVICE_CHANGE.label == "Service change"
    assert IndicatorFamily.TITLE_VI == "title_vi"
    assert IndicatorId.parse("distribution.q4").quintile == 4
    assert IndicatorId.parse("title_vi.disparate_impact").title_vi_test is (
        TitleViTest.DISPARATE_IMPACT
    )


@pytest.fixture(scope="module")
def sample_assessment():
    return assess(load_project(SAMPLE_PROJECT))


def test_every_id_the_assessment_emits_parses(sample_assessment) -> None:
    results = sample_assessment.results
    indicators = [i for r in results for i in r.indicators] + sample_assessment.study_indicators
    assert len(indicators) > 100
    for ind in indicators:
        key = IndicatorId.parse(ind.id)
        assert str(key) == ind.id
        assert ind.category == key.family
    kinds = {r.kind for r in results}
    assert kinds == set(ResultKind)
    assert all(isinstance(r.kind, ResultKind) for r in results)
    mixed = [r for r in results if r.is_benefit is None]
    assert mixed, "the sample has a scenario mixing new service and cuts"
    for result in mixed:
        burdens = [i for i in result.indicators if i.key.burdens]
        assert burdens and all(i.id.endswith(BURDENS_SUFFIX) for i in burdens)
