"""Readers of the published screening files, with hand-made excerpts of each (exact headers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from equityplanner.analysis.screening import join_layer
from equityplanner.errors import InputError
from equityplanner.io.screening import read_screening_layer, read_tract_relationship
from equityplanner.model.document_schema import read_document
from equityplanner.model.project import ScreeningLayer

CEJST = (
    "Census tract 2010 ID,County Name,State/Territory,Total population,"
    "Identified as disadvantaged,PM2.5 in the air (percentile),"
    "Diesel particulate matter exposure (percentile)\n"
    "01073000100,Jefferson County,Alabama,1438,True,91,85\n"
    "1073000200,Jefferson County,Alabama,931,False,40,30\n"  # leading zero lost in a spreadsheet
)
EJSCREEN = (
    "\ufeffID,ACSTOTPOP,P_PM25,P_OZONE,P_DSLPM,P_D2_PM25\n"
    "010730001001,1000,90,50,80,95\n"
    "010730001002,3000,70,50,60,75\n"
    "010730002001,500,10,20,30,5\n"
)
ETC = "trctfp,stbbr,fnlrnkp,fnlrnki\n01073000100,AL,88.5,1\n01073000200,AL,20.1,0\n"
RELATIONSHIP = (
    "OID_TRACT_20|GEOID_TRACT_20|NAMELSAD_TRACT_20|AREALAND_TRACT_20|AREAWATER_TRACT_20|"
    "MTFCC_TRACT_20|FUNCSTAT_TRACT_20|OID_TRACT_10|GEOID_TRACT_10|NAMELSAD_TRACT_10|"
    "AREALAND_TRACT_10|AREAWATER_TRACT_10|MTFCC_TRACT_10|FUNCSTAT_TRACT_10|AREALAND_PART|"
    "AREAWATER_PART\n"
    "1|01073000100|Census Tract 1|1000|0|G5020|S|1|01073000100|Census Tract 1|700|0|G5020|S|700|0\n"
    "1|01073000100|Census Tract 1|1000|0|G5020|S|2|01073000200|Census Tract 2|900|0|G5020|S|300|0\n"
    "2|01073000300|Census Tract 3|900|0|G5020|S|2|01073000200|Census Tract 2|900|0|G5020|S|600|0\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cejst_excerpt_is_read_with_its_published_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "1.0-communities.csv", CEJST)
    table = read_screening_layer(ScreeningLayer("cejst", path.name), path)
    assert list(table.ids) == ["01073000100", "01073000200"]
    assert list(table.disadvantaged) == [1.0, 0.0]
    assert table.vintage == 2010 and table.geography == "tract"
    assert list(table.percentiles["PM2.5 in the air (percentile)"]) == [91.0, 40.0]
    assert table.columns["disadvantaged"] == "Identified as disadvantaged"


def test_ejscreen_block_groups_average_within_tracts_by_population(tmp_path: Path) -> None:
    path = _write(tmp_path, "EJSCREEN_2023_BG.csv", EJSCREEN)  # with the byte-order mark
    table = read_screening_layer(ScreeningLayer("ejscreen", path.name), path)
    joined = join_layer(table, np.array(["01073000100", "01073000200"]), 2020, None)
    # (90 x 1000 + 70 x 3000) / 4000 = 75
    assert joined.percentiles["P_PM25"][0] == pytest.approx(75.0)
    assert joined.percentiles["P_D2_PM25"][1] == pytest.approx(5.0)
    assert "weighted by population" in joined.method and joined.disadvantaged is None


def test_etc_excerpt_flags_and_percentiles(tmp_path: Path) -> None:
    path = _write(tmp_path, "DOT_Index_National.csv", ETC)
    table = read_screening_layer(ScreeningLayer("etc", path.name), path)
    assert list(table.disadvantaged) == [1.0, 0.0] and table.vintage == 2020
    assert table.percentiles["fnlrnkp"][0] == pytest.approx(88.5)


def test_crosswalk_2010_to_2020_tracts_by_land_area(tmp_path: Path) -> None:
    cejst = _write(tmp_path, "cejst.csv", CEJST)
    rel = read_tract_relationship(_write(tmp_path, "tab20_tract20_tract10_natl.txt", RELATIONSHIP))
    table = read_screening_layer(ScreeningLayer("cejst", cejst.name), cejst)
    joined = join_layer(table, np.array(["01073000100", "01073000300"]), 2020, rel)
    # 2020 tract 100 = 700 m2 of disadvantaged 2010 tract 100 + 300 m2 of tract 200: 70%.
    assert joined.disadvantaged[0] == pytest.approx(0.7)
    assert joined.disadvantaged[1] == pytest.approx(0.0)
    assert joined.percentiles["PM2.5 in the air (percentile)"][0] == pytest.approx(
        0.7 * 91 + 0.3 * 40
    )
    assert "crosswalked" in joined.method


def test_vintage_mismatch_without_relationship_names_the_fix(tmp_path: Path) -> None:
    cejst = _write(tmp_path, "cejst.csv", CEJST)
    table = read_screening_layer(ScreeningLayer("cejst", cejst.name), cejst)
    with pytest.raises(InputError) as err:
        join_layer(table, np.array(["01073000100"]), 2020, None)
    message = str(err.value)
    assert (
        "cejst.csv" in message and "2010" in message and "tab20_tract20_tract10_natl.txt" in message
    )
    problems: list[str] = []
    read_document({"screening": {"cejst": "cejst.csv"}}, problems)
    assert problems and "screening.relationship" in problems[0]


def test_broken_files_answer_with_file_row_column_and_fix(tmp_path: Path) -> None:
    missing = _write(tmp_path, "cejst.csv", CEJST.replace("Identified as disadvantaged", "Flag"))
    with pytest.raises(InputError) as err:
        read_screening_layer(ScreeningLayer("cejst", missing.name), missing)
    text = str(err.value)
    assert "cejst.csv" in text and "'Identified as disadvantaged'" in text
    assert "screening.cejst.columns.disadvantaged" in text and "\n" not in text
    bad = _write(tmp_path, "bad.csv", CEJST.replace("True", "maybe"))
    with pytest.raises(InputError, match=r"row 2.*|maybe") as err:
        read_screening_layer(ScreeningLayer("cejst", bad.name), bad)
    assert "row 2" in str(err.value)
    bad_id = _write(tmp_path, "id.csv", CEJST.replace("01073000100", "tract-1"))
    with pytest.raises(InputError, match="11-digit tract GEOID"):
        read_screening_layer(ScreeningLayer("cejst", bad_id.name), bad_id)
    renamed = _write(tmp_path, "renamed.csv", CEJST.replace("Identified as disadvantaged", "Flag"))
    table = read_screening_layer(
        ScreeningLayer("cejst", renamed.name, columns={"disadvantaged": "Flag"}), renamed
    )
    assert list(table.disadvantaged) == [1.0, 0.0]
    rel = _write(tmp_path, "rel.txt", RELATIONSHIP.replace("AREALAND_PART", "LAND"))
    with pytest.raises(InputError, match="AREALAND_PART"):
        read_tract_relationship(rel)
