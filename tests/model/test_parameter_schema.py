"""The parameter table: complete, every field round-trips, every fault names its key and fix."""

from __future__ import annotations

from dataclasses import fields

import pytest

from equityplanner.errors import InputError
from equityplanner.io.project_file import parameters_from_dict, parameters_to_dict
from equityplanner.model.parameter_schema import PARAMETER_FIELDS
from equityplanner.model.project import ComparisonPopulation, Parameters, TitleViPolicy
from equityplanner.model.schema import Choice, Number, Object
from equityplanner.model.travel_model import TRAVEL_MODEL_FIELDS, TravelModelParameters

# A valid value other than the default, for every key of the table.
CHANGED = {
    "catchment_m": {"bus": 300.0},
    "title_vi": {"forms": ["relative"], "threshold_relative": 0.25},
    "distribution_threshold_pp": 7.5,
    "comparison": {"kind": "prefix", "prefix": "01073", "label": "Jefferson County"},
    "projected_crs": "EPSG:26916",
    "area_median_income_usd": 68_000.0,
    "reliability_bands": "census",
    "displacement_min_flags": 2,
    "significance_z": 1.96,
    "travel_model": {"walk_speed_kmh": 4.5, "allow_transfer": False},
    "job_thresholds_min": [20.0, 60.0],
    "facility_catchment_min": 20.0,
    "major_change_threshold": 0.3,
    "service_walk_m": 800.0,
    "low_income_poverty_pct": 100,
    "comparison_median_household_income_usd": 52_000.0,
    "transport_cost": {"mode_shift_share": 0.1},
}


def test_the_table_has_every_parameter_with_its_default() -> None:
    defaults = Parameters()
    assert [f.key for f in PARAMETER_FIELDS] == [f.name for f in fields(Parameters)]
    for spec in PARAMETER_FIELDS:
        assert spec.default == getattr(defaults, spec.key), spec.key
        assert spec.doc, f"document {spec.key} in the table"
    model = TravelModelParameters()
    assert [f.key for f in TRAVEL_MODEL_FIELDS] == [f.name for f in fields(TravelModelParameters)]
    for spec in TRAVEL_MODEL_FIELDS:
        assert spec.default == getattr(model, spec.key), spec.key


def test_the_defaults_round_trip() -> None:
    assert parameters_from_dict(parameters_to_dict(Parameters())) == Parameters()
    assert parameters_from_dict({}) == Parameters()


@pytest.mark.parametrize("spec", PARAMETER_FIELDS, ids=lambda s: s.key)
def test_every_field_round_trips(spec) -> None:
    assert set(CHANGED) == {f.key for f in PARAMETER_FIELDS}, "give every new field a value"
    changed = parameters_from_dict({spec.key: CHANGED[spec.key]})
    assert getattr(changed, spec.key) != spec.default
    assert parameters_from_dict(parameters_to_dict(changed)) == changed


def test_nested_values_are_built() -> None:
    params = parameters_from_dict(CHANGED)
    assert params.catchment_m == {"rail": 800.0, "brt": 800.0, "bus": 300.0, "housing": 800.0}
    assert params.title_vi == TitleViPolicy(forms=("relative",), threshold_relative=0.25)
    assert params.comparison == ComparisonPopulation("prefix", "Jefferson County", "01073")
    assert params.travel_model == {"walk_speed_kmh": 4.5, "allow_transfer": False}
    assert params.job_thresholds_min == (20.0, 60.0)


def _wrong_type(spec) -> object:
    return {"a": "b"} if not isinstance(spec.rule, Object) else "not an object"


@pytest.mark.parametrize(
    "spec",
    [s for s in PARAMETER_FIELDS if isinstance(s.rule, Number | Choice | Object)],
    ids=lambda s: s.key,
)
def test_a_wrong_type_names_the_key_and_the_fix(spec) -> None:
    problems: list[str] = []
    result = parameters_from_dict({spec.key: _wrong_type(spec)}, problems)
    assert len(problems) == 1, problems
    key, _, fault = problems[0].partition(": ")
    assert key == f"parameters.{spec.key}"
    assert "give" in fault or "use" in fault or "must be" in fault, fault
    assert getattr(result, spec.key) == spec.default  # a bad value keeps the default
    with pytest.raises(InputError, match=f"parameters.{spec.key}"):
        parameters_from_dict({spec.key: _wrong_type(spec)})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"significance_z": "high"}, "'high' is not a number; give a number greater than zero"),
        ({"displacement_min_flags": 2.5}, "is not a whole number; give a whole number from 1 to 5"),
        ({"displacement_min_flags": 9}, "9 must be from 1 to 5"),
        (
            {"catchment_m": {"bus": 20_000}},
            "parameters.catchment_m.bus: 20000 m is more than 10 km",
        ),
        ({"title_vi": {"four_fifths_ratio": 1.25}}, "must be below 1 (e.g. 0.8)"),
        ({"comparison": {"kind": "ids"}}, "parameters.comparison.ids: needed when kind is 'ids'"),
        ({"projected_crs": "EPSG:4326"}, "is not projected in metres"),
        (
            {"travel_model": {"route_factor": "high"}},
            "parameters.travel_model.route_factor: 'high' is not a number; give a number from 1",
        ),
        (
            {"travel_model": {"allow_transfer": 1}},
            "parameters.travel_model.allow_transfer: 1 is not true or false; give true or false",
        ),
        ({"job_thresholds_min": [30, -5]}, "parameters.job_thresholds_min: -5 must be greater"),
    ],
)
def test_faults_are_one_line_naming_the_key(raw: dict, expected: str) -> None:
    problems: list[str] = []
    parameters_from_dict(raw, problems)
    assert any(expected in p for p in problems), problems
    assert all("\n" not in p and p.startswith("parameters.") for p in problems)


def test_text_numbers_are_read_as_the_command_line_gives_them() -> None:
    params = parameters_from_dict({"catchment_m": {"bus": "350"}, "significance_z": "1.96"})
    assert params.catchment_m["bus"] == 350.0 and params.significance_z == 1.96
