"""A huge layer's Neighbourhoods sheet is paged (issue 12.3), and every formula still holds.

The sample city (180 tracts, 65 of them touching a catchment) is written with a limit of 20
neighbourhoods listed one by one: the sheet lists the 65 and sums the other 115 by the flags
the formulas weigh by, says so, and names the CSV beside the workbook that holds the full
table. LibreOffice recalculates the workbook and every formula cell must still give the
engine's value, as for the unpaged workbook.
"""

from __future__ import annotations

import csv

import pytest
from helpers import SAMPLE_PROJECT
from openpyxl import load_workbook
from report_helpers import convert, same_value, soffice

from equityplanner.analysis.assess import assess
from equityplanner.io.project_file import load_project
from equityplanner.report.sheets.neighbourhoods import HEADER_ROW
from equityplanner.report.workbook import build_workbook, write_workbook
from equityplanner.report.writer import save_workbook

pytestmark = pytest.mark.skipif(
    not SAMPLE_PROJECT.exists(), reason="the Magnolia sample project has not been generated"
)

LIMIT = 20


@pytest.fixture(scope="module")
def sample():
    return assess(load_project(SAMPLE_PROJECT))


def _touched(assessment) -> set[str]:
    return {str(i) for r in assessment.results for i in r.neighbourhoods["id"]}


def test_the_sheet_lists_the_touched_neighbourhoods_and_sums_the_others(sample):
    spec = build_workbook(sample, map_png=b"", neighbourhood_limit=LIMIT, full_table_name="x.csv")
    sheet = spec.sheet("Neighbourhoods")
    touched = _touched(sample)
    ids = [sheet.cells[(row, 1)].value for row in range(HEADER_ROW + 1, sheet.max_row + 1)]
    listed = [i for i in ids if not i.startswith("(others")]
    summed = [i for i in ids if i.startswith("(others")]
    assert set(listed) == touched and len(listed) == len(touched) < len(sample.baseline)
    assert 0 < len(summed) < len(sample.baseline) - len(touched)
    note = sheet.cells[(2, 1)].value
    assert f"{len(sample.baseline):,} neighbourhoods" in note
    assert f"The {len(touched):,} that touch a catchment are listed" in note
    assert "in x.csv, beside this workbook" in note
    # The summed rows add up to the neighbourhoods outside every catchment.
    population = {
        sheet.cells[(HEADER_ROW, c)].value: c
        for c in range(1, 40)
        if (HEADER_ROW, c) in sheet.cells
    }["Total population"]
    on_sheet = sum(
        sheet.cells[(row, population)].value for row in range(HEADER_ROW + 1, sheet.max_row + 1)
    )
    assert on_sheet == pytest.approx(sample.baseline["total_population"].sum())


def test_a_layer_within_the_limit_is_listed_whole(sample, tmp_path):
    path = write_workbook(sample, tmp_path / "whole.xlsx")
    spec = build_workbook(sample, map_png=b"")
    sheet = spec.sheet("Neighbourhoods")
    assert sheet.max_row == HEADER_ROW + len(sample.baseline)
    assert "more than this sheet lists" not in sheet.cells[(2, 1)].value
    assert not path.with_name("whole.neighbourhoods.csv").exists()


def test_the_full_table_is_written_beside_the_workbook(sample, tmp_path):
    path = write_workbook(sample, tmp_path / "paged.xlsx", neighbourhood_limit=LIMIT)
    table = tmp_path / "paged.neighbourhoods.csv"
    with table.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["ID"] for row in rows] == [str(i) for i in sample.baseline["id"]]
    book = load_workbook(path, read_only=True)
    ws = book["Neighbourhoods"]
    headers = [c.value for c in next(ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW))]
    assert list(rows[0]) == [h for h in headers if h is not None]
    assert "paged.neighbourhoods.csv" in ws.cell(2, 1).value
    book.close()
    # The people apportioned to the first project add up to the engine's figure.
    first = sample.results[0]
    served = first.indicator("served.population").value
    column = next(h for h in rows[0] if h.startswith("People in catchment: "))
    assert sum(float(row[column] or 0) for row in rows) == pytest.approx(served, rel=1e-9)


@pytest.mark.libreoffice
@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_every_formula_of_a_paged_workbook_recalculates_to_the_engine_value(sample, tmp_path):
    spec = build_workbook(sample, compare=True, neighbourhood_limit=LIMIT)
    path = save_workbook(spec, tmp_path / "paged.xlsx")
    copy = convert(path, "xlsx", tmp_path / "recalc", tmp_path / "profile")
    book = load_workbook(copy, data_only=True)
    count, bad = 0, []
    for sheet in spec.sheets:
        ws = book[sheet.name]
        for (row, col), formula in sheet.formula_cells():
            count += 1
            got = ws.cell(row, col).value
            if not same_value(got, formula.expected):
                bad.append(
                    f"{sheet.name}!{ws.cell(row, col).coordinate}: {formula.text[:90]} -> {got!r}, engine {formula.expected!r}"
                )
    assert count > 500
    assert not bad, f"{len(bad)} of {count} formula cells differ:\n" + "\n".join(bad[:20])
