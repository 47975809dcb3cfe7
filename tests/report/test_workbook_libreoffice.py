"""Recalculate the workbook with LibreOffice headless and compare every formula with the engine.

openpyxl stores formulas without results; LibreOffice computes them on loading, so a
converted copy holds the values a council officer will see. Each conversion runs in its own
LibreOffice profile with a timeout, and the output file must exist (soffice exits 0 even
when it converted nothing).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from helpers import SAMPLE_PROJECT
from openpyxl import load_workbook
from report_helpers import convert, grid_assessment, same_value, soffice

from equityplanner.report.workbook import build_workbook
from equityplanner.report.writer import save_workbook

pytestmark = [
    pytest.mark.libreoffice,
    # openpyxl cannot read back LibreOffice's own extensions (data bar details); harmless here.
    pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning"),
    pytest.mark.skipif(
        soffice() is None,
        reason="LibreOffice (soffice) is not installed: cannot recalculate the workbook",
    ),
]

INJECTED_PROJECT = '=HYPERLINK("http://example.com","click")'
INJECTED_NAMES = {"A": "+1+1", "B": "@SUM(1)", "C": "-2+3"}


@pytest.fixture(scope="module")
def written(qapp, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lo")
    assessment = grid_assessment(folder, names=INJECTED_NAMES, cut_name=INJECTED_PROJECT)
    spec = build_workbook(assessment, compare=True)
    path = save_workbook(spec, folder / "grid.xlsx")
    return spec, path, folder


@pytest.fixture(scope="module")
def recalculated(written):
    spec, path, folder = written
    copy = convert(path, "xlsx", folder / "recalc", folder / "profile_xlsx")
    return spec, load_workbook(copy, data_only=True)


def _mismatches(spec, book):
    bad = []
    count = 0
    for sheet in spec.sheets:
        ws = book[sheet.name]
        for (row, col), formula in sheet.formula_cells():
            count += 1
            got = ws.cell(row, col).value
            if not same_value(got, formula.expected):
                where = f"{sheet.name}!{ws.cell(row, col).coordinate}"
                bad.append(f"{where}: {formula.text[:90]} -> {got!r}, engine {formula.expected!r}")
    return count, bad


def test_every_formula_cell_recalculates_to_the_engine_value(recalculated):
    spec, book = recalculated
    count, bad = _mismatches(spec, book)
    assert count > 300
    assert not bad, f"{len(bad)} of {count} formula cells differ:\n" + "\n".join(bad[:20])


def test_check_column_says_yes_everywhere(recalculated):
    _, book = recalculated
    ws = book["Indicators"]
    checks = [
        ws.cell(r, 17).value
        for r in range(5, ws.max_row + 1)
        if ws.cell(r, 16).value == "Live formula"
    ]
    assert checks and set(checks) == {"Yes"}


def test_injected_text_stays_literal_text(recalculated):
    spec, book = recalculated
    literal = {INJECTED_PROJECT, *INJECTED_NAMES.values()}
    seen = 0
    for sheet in spec.sheets:
        for (row, col), cell in sheet.cells.items():
            if cell.value in literal:
                assert book[sheet.name].cell(row, col).value == cell.value, (sheet.name, row, col)
                seen += 1
    assert seen >= 6


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler's pdfinfo is not installed")
def test_pdf_has_a_sane_page_count_and_no_serif_fallback(written):
    _, path, folder = written
    pdf = convert(path, "pdf", folder / "pdf", folder / "profile_pdf")
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    # Every sheet prints and none explodes into dozens of pages: 34 before the residents'
    # summaries (two sheets, 1-2 pages each) and the 33 equity questions (about 5 pages).
    assert 9 <= pages <= 48, pages
    assert "landscape" in info or re.search(r"Page size:\s+792 x 612", info)
    if shutil.which("pdffonts"):
        fonts = subprocess.run(
            ["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60
        ).stdout
        assert "Serif" not in fonts and "Times" not in fonts, fonts


@pytest.mark.skipif(
    not SAMPLE_PROJECT.exists(), reason="the Magnolia sample project has not been generated"
)
def test_sample_city_workbook_recalculates(qapp, tmp_path):
    from equityplanner.analysis.assess import assess
    from equityplanner.io.project_file import load_project

    assessment = assess(load_project(SAMPLE_PROJECT))
    spec = build_workbook(assessment, compare=True)
    path = save_workbook(spec, tmp_path / "magnolia.xlsx")
    copy = convert(path, "xlsx", tmp_path / "recalc", tmp_path / "profile")
    count, bad = _mismatches(spec, load_workbook(copy, data_only=True))
    assert count > 1000
    assert not bad, f"{len(bad)} of {count} formula cells differ:\n" + "\n".join(bad[:20])
