"""Non-ACS column names (GeoDa, LTDB, census SF1), rates and margins, read by the reader."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from helpers import shared_data
from shapely.geometry import box

from equityplanner.errors import InputError
from equityplanner.io.column_styles import carry_mapping, detect_styled, rate_field
from equityplanner.io.columns import detect_mapping
from equityplanner.io.neighbourhoods import read_neighbourhoods


def test_ltdb_names_with_any_year():
    found = detect_mapping(["tractid", "pop10", "nhwht10", "nhblk10", "hinc10", "npov10", "dpov10"])
    assert found["total_population"].estimate_columns == ("pop10",)
    assert found["nh_white"].found_by == "LTDB variable"
    assert found["median_household_income"].estimate_columns == ("hinc10",)
    assert found["below_poverty"].estimate_columns == ("npov10",)


def test_rate_names():
    assert rate_field("white_rt") == "nh_white"
    assert rate_field("PCTBLCK") == "nh_black"
    assert rate_field("pct_hisp") == "hispanic"
    assert rate_field("pct_error") is None and rate_field("TOT_POP") is None


def test_a_rate_is_detected_only_with_its_total():
    assert "nh_white" not in detect_styled(["white_rt"], {})
    found = detect_styled(["pop", "white_rt"], detect_mapping(["pop"]))
    assert found["nh_white"].rate_per == 0.0


def test_margin_suffixes_include_error():
    assert detect_mapping(["TOT_POP", "TOT_POP_error"])["total_population"].moe_columns == (
        "TOT_POP_error",
    )


def test_carry_mapping_to_another_year():
    carried, notes = carry_mapping(
        {"total_population": {"estimate": ["pop2010"], "moe": []}, "hispanic": None},
        ["pop2020", "hisp2020"],
    )
    assert carried == {"total_population": {"estimate": ["pop2020"], "moe": []}, "hispanic": None}
    assert notes == ["total_population: pop2010 read as pop2020"]


@pytest.fixture
def rates_file(tmp_path: Path) -> Path:
    frame = gpd.GeoDataFrame(
        {
            "GEOID": ["1", "2"],
            "pop": [1000, 2000],
            "white_rt": [55.5, 20.25],
            "anglo": [40.5, 60.25],
            "homes": [400, 700],
        },
        geometry=[box(-121.5, 38.5, -121.48, 38.52), box(-121.48, 38.5, -121.46, 38.52)],
        crs="EPSG:4326",
    )
    path = tmp_path / "rates.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def test_a_rate_mapped_as_a_count_is_refused_with_the_fix(rates_file: Path):
    with pytest.raises(InputError) as caught:
        read_neighbourhoods(rates_file, mapping={"nh_white": "white_rt"})
    error = caught.value
    assert Path(error.path) == rates_file
    assert "holds a rate or percentage (its name says so)" in error.fault
    assert '{"rate": "white_rt", "per": 100}' in (error.remedy or "")


def test_fractional_values_under_100_are_refused_as_counts(rates_file: Path):
    with pytest.raises(InputError, match="its values are fractions of 0 to 100"):
        read_neighbourhoods(rates_file, mapping={"nh_white": "anglo"})


def test_a_rate_mapping_is_converted_with_the_total(rates_file: Path):
    nb = read_neighbourhoods(rates_file, mapping={"nh_white": {"rate": "anglo", "per": 100}})
    assert nb.frame["nh_white"].tolist() == [405.0, 1205.0]
    assert "nh_white" not in nb.moe.columns
    with pytest.raises(InputError, match="cannot be given as a rate"):
        read_neighbourhoods(rates_file, mapping={"households": {"rate": "anglo"}})


def test_phoenix_reads_with_its_rates_converted():
    nb = read_neighbourhoods(shared_data("geoda-tracts", "phoenix_acs.gpkg"))
    assert len(nb.frame) == 985
    assert nb.mapping["nh_white"].rate_per == 0.0
    assert (nb.frame["nh_white"] <= nb.frame["total_population"] + 1e-6).all()
