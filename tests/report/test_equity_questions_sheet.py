"""The Equity questions sheet: answers, "Not answered", and the numbers each question concerns.

Read back with openpyxl, and recalculated by LibreOffice headless (which must open it without
errors; in CI LibreOffice must be installed, so these tests never skip there).
"""

from __future__ import annotations

import os
import re

import pytest
from openpyxl import load_workbook
from report_helpers import convert, grid_assessment, same_value, soffice

from equityplanner import i18n
from equityplanner.model.equity_questions import NOT_APPLICABLE, Answer, question, questions
from equityplanner.report.json_output import assessment_to_dict
from equityplanner.report.sheets.equity_questions import COLUMNS, HEADER_ROW, SHEET_NAME
from equityplanner.report.sheets.indicators import COLUMNS as IND
from equityplanner.report.workbook import build_workbook
from equityplanner.report.writer import save_workbook

pytestmark = [pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")]

ANSWERS = {
    "gare.4.benefits_burdens": Answer(text="The bus cut burdens minority riders; see Title VI."),
    "iccar.8.education": Answer(NOT_APPLICABLE, reason="A city-wide programme"),
    "nyc.housing.units_affordability": Answer(text="100 homes, half below 80% AMI."),
}
ROW_REF = re.compile(r" \(Indicators sheet, row (\d+)\)$")


def _needs_libreoffice() -> None:
    if soffice() is None:
        message = "LibreOffice (soffice) is not installed: cannot open the workbook"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="module")
def assessment(qapp, tmp_path_factory):
    a = grid_assessment(tmp_path_factory.mktemp("grid"))
    a.equity_questions = dict(ANSWERS)
    return a


@pytest.fixture(scope="module")
def written(assessment, tmp_path_factory):
    folder = tmp_path_factory.mktemp("questions")
    spec = build_workbook(assessment, compare=True, map_png=b"")
    path = save_workbook(spec, folder / "grid.xlsx")
    return spec, path, folder


@pytest.fixture(scope="module")
def book(written):
    return load_workbook(written[1])


def _rows_of(ws, question_id):
    """The question's row and its number rows (until the next question or heading)."""
    rows = [r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == question_id]
    assert len(rows) == 1, question_id
    first = rows[0]
    last = first
    while (
        last + 1 <= ws.max_row
        and ws.cell(last + 1, 1).value is None
        and ws.cell(last + 1, COLUMNS["numbers"]).value is not None
    ):
        last += 1
    return first, list(range(first, last + 1))


def test_every_question_is_on_the_sheet_with_its_answer_or_not_answered(book):
    ws = book[SHEET_NAME]
    assert ws.cell(HEADER_ROW, COLUMNS["answer"]).value == "Answer"
    for item in questions():
        row, _ = _rows_of(ws, item.id)
        assert ws.cell(row, COLUMNS["question"]).value.startswith(item.text("en"))
        answer = ws.cell(row, COLUMNS["answer"])
        if item.id in ANSWERS and ANSWERS[item.id].status != NOT_APPLICABLE:
            assert answer.value == ANSWERS[item.id].text
        elif item.id == "iccar.8.education":
            assert answer.value == "Not applicable: A city-wide programme"
        else:
            assert answer.value == "Not answered", item.id
            assert answer.fill.fgColor.rgb.endswith("FFEB9C") or answer.font.b, item.id
    caution = ws.cell(_rows_of(ws, "gare.2.data_gaps")[0], COLUMNS["answer"])
    answered = ws.cell(_rows_of(ws, "gare.4.benefits_burdens")[0], COLUMNS["answer"])
    assert caution.fill.fgColor.rgb != answered.fill.fgColor.rgb  # unanswered stands out
    assert "3 of 33 questions answered" in ws["A2"].value


def test_the_numbers_beside_a_title_vi_question_are_the_assessments(assessment, book):
    ws, indicators = book[SHEET_NAME], book["Indicators"]
    _, rows = _rows_of(ws, "gare.4.benefits_burdens")
    tests = {
        (r.id, i.id): (r, i)
        for r in assessment.results
        for i in r.indicators
        if i.id.startswith("title_vi.") or i.id == "distribution.lowest_two_quintiles"
    }
    assert len(tests) >= 4
    seen = []
    for row in rows:
        words = ws.cell(row, COLUMNS["numbers"]).value
        if words.startswith("and "):
            continue
        at = int(ROW_REF.search(words).group(1))
        ind_id = indicators.cell(at, IND["id"]).value
        result_label = indicators.cell(at, IND["unit"]).value
        result = next(r for r in assessment.results if result_label.startswith(r.name))
        _, ind = tests[(result.id, ind_id)]
        assert words.startswith(f"{result_label}: {ind.name}: "), words
        if isinstance(ind.value, float) and ind.value_unit == "share":
            assert f"{ind.value * 100:.1f}%" in words, words
            assert f"against {ind.comparison * 100:.1f}%" in words, words
        assert words.endswith(f": {ind.rating_label} (Indicators sheet, row {at})"), words
        link = ws.cell(row, COLUMNS["value"]).value
        assert link.startswith("=IF(ISNUMBER('Indicators'!$D$" + str(at)), link
        seen.append(ind_id)
    assert "title_vi.disparate_impact" in seen and "title_vi.disproportionate_burden" in seen


def test_page_setup_portrait_fit_to_width_with_the_header_row_repeated(book):
    ws = book[SHEET_NAME]
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert re.match(r"Appendix [A-L]: Equity questions", ws.oddHeader.center.text)


def test_the_summary_says_how_many_are_answered(book):
    ws = book["Summary"]
    values = [
        ws.cell(r, 2).value for r in range(1, 20) if ws.cell(r, 1).value == "Equity questions"
    ]
    assert values == ["3 of 33 questions answered; see the sheet Equity questions"]


def test_json_output_has_the_answers_and_the_count(assessment):
    out = assessment_to_dict(assessment)["equity_questions"]
    assert out["answered"] == 3 and out["total"] == len(questions()) == 33
    assert out["answers"]["iccar.8.education"] == {
        "status": "not_applicable",
        "reason": "A city-wide programme",
    }
    assert out["answers"]["gare.4.benefits_burdens"]["text"].startswith("The bus cut")


def test_the_sheet_in_spanish(assessment):
    with i18n.language("es"):
        sheet = build_workbook(assessment, map_png=b"").sheet(SHEET_NAME)
    texts = [c.value for c in sheet.cells.values() if isinstance(c.value, str)]
    assert question("gare.2.data_gaps").text("es") in texts
    assert "Sin respuesta" in texts and "Not answered" not in texts
    assert "No aplicable: A city-wide programme" in texts


@pytest.mark.libreoffice
def test_libreoffice_opens_it_and_the_live_values_are_the_engines(assessment, written):
    _needs_libreoffice()
    spec, path, folder = written
    copy = convert(path, "xlsx", folder / "recalc", folder / "profile")
    book = load_workbook(copy, data_only=True)
    ws = book[SHEET_NAME]
    sheet = spec.sheet(SHEET_NAME)
    formulas = list(sheet.formula_cells())
    assert len(formulas) > 20
    bad = [
        f"{pos}: {f.text} -> {ws.cell(*pos).value!r}, engine {f.expected!r}"
        for pos, f in formulas
        if not same_value(ws.cell(*pos).value, f.expected)
    ]
    assert not bad, bad[:10]
    row, _ = _rows_of(ws, "gare.4.benefits_burdens")
    assert ws.cell(row, COLUMNS["answer"]).value == ANSWERS["gare.4.benefits_burdens"].text
    errors = [
        (name, cell.coordinate, cell.value)
        for name in book.sheetnames
        for line in book[name].iter_rows()
        for cell in line
        if isinstance(cell.value, str)
        and re.fullmatch(r"#(REF!|NAME\?|VALUE!|DIV/0!|N/A)|Err:\d+", cell.value)
    ]
    assert not errors, errors[:10]


@pytest.mark.libreoffice
def test_libreoffice_prints_the_workbook_with_the_sheet_as_a_pdf(written):
    _needs_libreoffice()
    _, path, folder = written
    pdf = convert(path, "pdf", folder / "pdf", folder / "profile_pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
