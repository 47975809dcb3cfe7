"""Column mapping: ACS recipes, plain names, user overrides and id/name columns."""

from __future__ import annotations

import pytest

from equityplanner.errors import InputError
from equityplanner.io.columns import (
    FieldSource,
    acs_variables,
    apply_user_mapping,
    describe_candidates,
    detect_mapping,
    find_id_column,
    find_name_column,
    orphan_margins,
)


def test_acs_spellings_are_all_recognised():
    found = detect_mapping(["GEOID", "b03002_001e", "B03002_M001", "B03002_E003", "B03002_003M"])
    assert found["total_population"] == FieldSource(
        "total_population", ("b03002_001e",), ("B03002_M001",), "acs"
    )
    assert found["nh_white"] == FieldSource("nh_white", ("B03002_E003",), ("B03002_003M",), "acs")


def test_annotation_columns_are_not_variables():
    assert acs_variables(["B03002_001EA", "B03002_001MA"]) == {}


def test_shapefile_truncated_codes_are_estimates_when_unambiguous():
    # A Shapefile cuts "B03002_001E" (11 characters) to "B03002_001" (dBase's 10).
    assert acs_variables(["B03002_001EA", "B03002_001"]) == {"B03002_001": {"E": "B03002_001"}}
    found = detect_mapping(["GEOID", "B03002_001", "B03002_003"])
    assert found["total_population"].estimate_columns == ("B03002_001",)
    # With the full code present, the cut one is not the estimate; twice, it is ambiguous.
    assert acs_variables(["B03002_001E", "B03002_001"])["B03002_001"] == {"E": "B03002_001E"}
    assert acs_variables(["B03002_001", "b03002_001"]) == {}


def test_recipes_are_tried_in_order():
    found = detect_mapping(["B01003_001E", "B03002_001E"])
    assert found["total_population"].estimate_columns == ("B03002_001E",)
    found = detect_mapping(["B01003_001E", "B01003_001M"])
    assert found["total_population"].estimate_columns == ("B01003_001E",)


def test_summed_recipe_needs_every_estimate_and_margins_only_when_all_present():
    assert "nh_other" not in detect_mapping(["B03002_008E"])
    found = detect_mapping(["B03002_008E", "B03002_009E", "B03002_008M"])
    assert found["nh_other"].estimate_columns == ("B03002_008E", "B03002_009E")
    assert found["nh_other"].moe_columns == ()
    found = detect_mapping(["B03002_008E", "B03002_009E", "B03002_008M", "B03002_009M"])
    assert found["nh_other"].moe_columns == ("B03002_008M", "B03002_009M")


def test_plain_names_case_insensitive_with_margins():
    found = detect_mapping(["Population", "POPULATION_MOE", "NH_White", "nh_white_m", "Renters"])
    assert found["total_population"] == FieldSource(
        "total_population", ("Population",), ("POPULATION_MOE",), "name"
    )
    assert found["nh_white"].moe_columns == ("nh_white_m",)
    assert found["renter_households"].moe_columns == ()


def test_acs_recipe_beats_plain_name():
    found = detect_mapping(["population", "B01003_001E"])
    assert found["total_population"].origin == "acs"


def test_user_mapping_string_list_dict_and_null():
    columns = [
        "GEOID",
        "p1",
        "p2",
        "p1_moe",
        "p2_moe",
        "white",
        "w_err",
        "hh",
        "B25003_003E",
        "B25003_003M",
    ]
    detected = detect_mapping(columns)
    assert "households" in detected
    mapped = apply_user_mapping(
        columns,
        detected,
        {
            "total_population": ["p1", "p2"],
            "nh_white": {"estimate": "white", "moe": ["w_err"]},
            "renter_households": "b25003_003e",
            "households": None,
        },
    )
    assert mapped["total_population"] == FieldSource(
        "total_population", ("p1", "p2"), ("p1_moe", "p2_moe"), "user"
    )
    assert mapped["nh_white"] == FieldSource("nh_white", ("white",), ("w_err",), "user")
    # The ACS twin margin is found for a single estimate column named by the user.
    assert mapped["renter_households"].moe_columns == ("B25003_003M",)
    assert "households" not in mapped
    assert list(mapped) == ["total_population", "nh_white", "renter_households"]


def test_user_mapping_unknown_field_lists_near_matches():
    with pytest.raises(InputError) as info:
        apply_user_mapping(["a"], {}, {"total_populaton": "a"}, path="t.csv")
    message = str(info.value)
    assert "t.csv" in message and "'total_populaton' is not a known field" in message
    assert "'total_population'" in message


def test_user_mapping_unknown_column_lists_near_matches():
    with pytest.raises(InputError) as info:
        apply_user_mapping(
            ["GEOID", "pop_total"], {}, {"total_population": "pop_totl"}, path="t.csv"
        )
    message = str(info.value)
    assert "there is no column 'pop_totl'" in message and "'pop_total'" in message
    assert "total_population" in message


def test_user_mapping_margins_without_estimates():
    with pytest.raises(InputError, match="without their estimates"):
        apply_user_mapping(["m"], {}, {"total_population": {"moe": ["m"]}})


def test_user_mapping_margin_count_must_match():
    with pytest.raises(InputError, match="1 margin of error column"):
        apply_user_mapping(
            ["a", "b", "m"], {}, {"total_population": {"estimate": ["a", "b"], "moe": ["m"]}}
        )


def test_user_mapping_cannot_sum_a_median():
    with pytest.raises(InputError, match="is a median"):
        apply_user_mapping(["a", "b"], {}, {"median_household_income": ["a", "b"]})


def test_user_mapping_rejects_non_column_values():
    with pytest.raises(InputError, match="is not a column name"):
        apply_user_mapping(["a"], {}, {"total_population": 5})


def test_find_id_and_name_columns():
    assert find_id_column(["NAME", "GEO_ID"]) == "GEO_ID"
    assert find_id_column(["Geoid"]) == "Geoid"
    assert find_id_column(["x"]) is None
    assert find_id_column(["x", "Tract"], "tract") == "Tract"
    with pytest.raises(InputError) as info:
        find_id_column(["GEOID", "NAME"], "GEOIDX", path="n.gpkg")
    assert "n.gpkg" in str(info.value) and "'GEOID'" in str(info.value)
    assert find_name_column(["GEOID", "NAMELSAD"]) == "NAMELSAD"
    assert find_name_column(["GEOID"]) is None


def test_orphan_margins_and_descriptions():
    assert orphan_margins(["B03002_001M", "B01003_001E"], ["total_population"]) == {
        "total_population": ["B03002_001M"]
    }
    assert orphan_margins(["B03002_001M", "B03002_001E"], ["total_population"]) == {}
    assert "B03002_001E" in describe_candidates("total_population")
