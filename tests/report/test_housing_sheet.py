"""The housing project on the grid: who its homes house, who must move, and its sheet."""

from __future__ import annotations

import pytest
from report_helpers import grid_assessment

from equityplanner.report.workbook import build_workbook


@pytest.fixture(scope="module")
def homes_assessment(qapp, tmp_path_factory):
    return grid_assessment(tmp_path_factory.mktemp("homes"))


def test_the_homes_are_reported_for_the_households_they_house(homes_assessment) -> None:
    homes = homes_assessment.result("homes")
    housed = homes.indicator("housing.households_by_band")
    bands = housed.details["bands"]
    assert [b["homes"] for b in bands.values()] == [10, 20, 20]
    assert housed.value == 50 and housed.rating == "context"
    # The bands add up to the households at or below 80% of AMI.
    assert sum(b["households"] for b in bands.values()) == pytest.approx(housed.comparison)
    assert "affordable homes are for households earning up to 80% of AMI" in housed.finding
    moving = homes.indicator("housing.direct_displacement")
    assert (moving.value, moving.comparison, moving.rating) == (25.0, 30.0, "displaces")
    assert moving.tone == "adverse"
    assert "25 households must move and 30 homes are demolished (20 of them" in moving.finding


def test_the_housing_sheet_separates_the_housed_from_the_neighbours(homes_assessment) -> None:
    sheet = build_workbook(homes_assessment, map_png=b"").sheet("Housing")
    text = " ".join(str(c.value) for c in sheet.cells.values() if isinstance(c.value, str))
    assert "The households the affordable homes are for" in text
    assert "Neighbours within 800 m" in text
    assert sheet.print.pages_tall == 1
    decision = build_workbook(homes_assessment, map_png=b"").sheet("Decision")
    words = " ".join(str(c.value) for c in decision.cells.values() if isinstance(c.value, str))
    assert "Plan relocation assistance (and a right to return) for the 25 households" in words


def test_the_housing_sheet_shows_h_plus_t_with_and_without_transport(homes_assessment) -> None:
    homes = homes_assessment.result("homes")
    ht = homes.indicator("affordability.h_plus_t")
    sheet = build_workbook(homes_assessment, map_png=b"").sheet("Housing")
    labels = {c.value: r for (r, col), c in sheet.cells.items() if col == 1}
    heading = labels["Housing + transportation (H+T) for the typical household"]
    total = labels["Housing + transport (H+T)"]
    housing = next(r for v, r in labels.items() if isinstance(v, str) and v.startswith("Housing: "))
    assert heading < housing < total
    # Share of income, as the formulas give it: housing alone, then with transport.
    share = sheet.cells[(housing, 3)].value
    assert share.expected == pytest.approx(ht.details["h_plus_t_without_transport"])
    assert sheet.cells[(total, 3)].value.expected == pytest.approx(ht.value)
    assert sheet.cells[(total, 4)].value == pytest.approx(0.45)  # the H+T benchmark
    assert sheet.cells[(total, 6)].value == ht.rating_label
    # The market rent is the proposal's input: a changed rent changes H+T.
    assert "HS_" in sheet.cells[(housing, 2)].value.text
