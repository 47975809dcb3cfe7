"""The council's workbook on the sample city, recalculated by LibreOffice headless.

What a board asks and what council staff check, on copies of the real sample's workbook:

- a threshold typed on the Decision sheet changes the verdicts ("and at 5 points?");
- halving the minority counts of the Route 14 catchment flips its disparate-impact verdict,
  and the banner says the assessment's sentences are out of date;
- the print set exports to at most 10 PDF pages, the Decision sheet on one;
- every printed difference is the printed value less the printed comparison, and each group
  has one comparison share in the whole run.

Each LibreOffice run has its own profile and a timeout, and its output must exist.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from helpers import SAMPLE_PROJECT
from openpyxl import load_workbook
from report_helpers import convert, same_value, soffice

from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.report.sheets import CHECK_NAME, Thresholds
from equityplanner.report.sheets.title_vi import COLUMNS as TV
from equityplanner.report.workbook import build_workbook
from equityplanner.report.writer import save_workbook

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*Data Validation extension:UserWarning"),
    pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="the sample project is missing"),
]

ROUTE_14 = "Route 14 frequency cut"


@pytest.fixture(scope="module")
def sample(qapp):
    from equityplanner.analysis.assess import assess
    from equityplanner.io.project_file import load_project

    return assess(load_project(SAMPLE_PROJECT))


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory):
    folder = tmp_path_factory.mktemp("council")
    spec = build_workbook(sample, compare=True)
    return spec, save_workbook(spec, folder / "magnolia.xlsx"), folder


@pytest.fixture(scope="module")
def recalculated(written):
    spec, path, folder = written
    copy = convert(path, "xlsx", folder / "recalc", folder / "profile_recalc")
    return spec, load_workbook(copy, data_only=True)


def _named_cell(book, name):
    sheet, ref = next(iter(book.defined_names[name].destinations))
    return book[sheet][ref.replace("$", "").split(":")[0]]


def _what_if(written, tag, change):
    """A copy of the workbook with ``change(book)`` applied, recalculated by LibreOffice."""
    _, path, folder = written
    book = load_workbook(path)
    change(book)
    book.calculation.fullCalcOnLoad = True
    edited = folder / f"what_if_{tag}.xlsx"
    book.save(edited)
    copy = convert(edited, "xlsx", folder / f"recalc_{tag}", folder / f"profile_{tag}")
    return load_workbook(copy, data_only=True)


def _decision_row(book, label):
    ws = book["Decision"]
    for row in range(1, ws.max_row + 1):
        value = ws.cell(row, 1).value
        if isinstance(value, str) and value.startswith(label):
            return row
    raise AssertionError(f"no Decision row for {label!r}")


def _tv_row(book, result_label, test):
    ws = book["Title VI tests"]
    for row in range(6, ws.max_row + 1):
        if (
            ws.cell(row, TV["result"]).value == result_label
            and ws.cell(row, TV["test"]).value.startswith(test)
            and ws.cell(row, TV["measured"]).value.startswith("People in the catchment")
        ):
            return row
    raise AssertionError(f"no Title VI row for {result_label} / {test}")


def test_the_sample_recalculates_to_the_engine_values(recalculated):
    spec, book = recalculated
    bad, count = [], 0
    for sheet in spec.sheets:
        ws = book[sheet.name]
        for (row, col), formula in sheet.formula_cells():
            count += 1
            got = ws.cell(row, col).value
            if not same_value(got, formula.expected):
                bad.append(
                    f"{sheet.name}!{ws.cell(row, col).coordinate}: {got!r} vs {formula.expected!r}"
                )
    assert count > 5000
    assert not bad, f"{len(bad)} of {count} differ:\n" + "\n".join(bad[:20])
    assert _named_cell(book, CHECK_NAME).value == "Yes"
    assert book["Decision"]["A3"].value in (None, "")  # no banner while inputs are as assessed


def test_a_threshold_typed_on_the_decision_sheet_changes_the_verdicts(written, recalculated):
    _, before = recalculated
    gtfs = "Service change between the GTFS feeds (service change): cuts"
    row = _decision_row(before, gtfs)
    was = before["Decision"].cell(row, 10).value
    assert was.startswith("Potential disproportionate burden (four-fifths test")

    def five_points(book):  # "and at 5 points?"
        _named_cell(book, Thresholds.POINTS).value = 5

    after = _what_if(written, "five_points", five_points)
    now = after["Decision"].cell(row, 10).value
    assert now.startswith("Potential disproportionate burden (percentage-point test"), now
    assert _named_cell(after, CHECK_NAME).value == "No"
    assert "Inputs changed since the assessment" in after["Decision"]["A3"].value

    def twenty_points_no_four_fifths(book):
        _named_cell(book, Thresholds.POINTS).value = 20
        _named_cell(book, Thresholds.ADOPTED_FOUR_FIFTHS).value = "No"

    lenient = _what_if(written, "twenty_points", twenty_points_no_four_fifths)
    route = _decision_row(lenient, ROUTE_14)
    assert before["Decision"].cell(route, 6).value.startswith("Potential disparate impact")
    verdict = lenient["Decision"].cell(route, 6).value
    assert verdict.startswith("No disparity found: within every adopted threshold"), verdict
    tv = _tv_row(lenient, ROUTE_14, "Disparate impact")
    assert lenient["Title VI tests"].cell(tv, TV["four_fifths"]).value == "Not adopted"
    assert "Inputs changed" in lenient["Indicators"]["A3"].value


def test_halving_the_minority_counts_of_the_route_14_catchment_flips_the_verdict(
    written, recalculated
):
    _, before = recalculated
    tv_before = _tv_row(before, ROUTE_14, "Disparate impact")
    assert before["Title VI tests"].cell(tv_before, TV["key"]).value == "finding"

    def halve(book):
        ws = book["Neighbourhoods"]
        headers = {ws.cell(4, c).value: c for c in range(1, ws.max_column + 1)}
        share = headers[f"Share in catchment: {ROUTE_14}"]
        count = headers["Minority: count"]
        halved = 0
        for row in range(5, ws.max_row + 1):
            inside = ws.cell(row, share).value
            if isinstance(inside, int | float) and inside > 0:
                ws.cell(row, count).value = ws.cell(row, count).value / 2
                halved += 1
        assert halved > 5

    after = _what_if(written, "halved", halve)
    tv = after["Title VI tests"]
    row = _tv_row(after, ROUTE_14, "Disparate impact")
    difference = tv.cell(row, TV["difference"]).value
    assert difference < -15, difference  # from +15.4 points to about -22
    assert tv.cell(row, TV["key"]).value == "no_finding"
    decision = after["Decision"].cell(_decision_row(after, ROUTE_14), 6).value
    assert decision.startswith("No disparity found: the burden falls on minority residents less")
    # The finding sentences are the assessment's: the banner says they are out of date.
    assert _named_cell(after, CHECK_NAME).value == "No"
    for sheet in ("Decision", "Summary", "Indicators"):
        assert "re-run the assessment" in after[sheet]["A3"].value, sheet


def test_a_fare_typed_on_the_fare_equity_sheet_changes_the_fare_verdicts(written, recalculated):
    _, before = recalculated
    fare_row = _decision_row(before, "2027 fare change (synthetic): minority riders")
    decision = before["Decision"]
    assert (
        decision.cell(fare_row, 6).value
        == "Potential disparate impact (four-fifths test: ratio 1.35)"
    )
    assert decision.cell(fare_row, 2).value == pytest.approx(0.53)  # +$0.53 a trip
    assert decision.cell(fare_row, 4).value == pytest.approx(0.3925)  # the others: +$0.39
    assert decision.cell(fare_row, 11).value.startswith("Disparate impact: a substantial")

    def cash_unchanged(book):  # "and if the cash fare stayed at $1.75?"
        ws = book["Fare equity"]
        row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Cash fare")
        ws.cell(row, 3).value = 1.75

    after = _what_if(written, "cash_fare", cash_unchanged)
    ws = after["Decision"]
    # Only the pass rises by $0.20: minority riders 0.4 x 0.20 = $0.08 against 0.65 x 0.20.
    assert ws.cell(fare_row, 2).value == pytest.approx(0.08)
    assert ws.cell(fare_row, 4).value == pytest.approx(0.13)
    assert ws.cell(fare_row, 6).value == "No disparity found: within every adopted threshold"
    assert ws.cell(fare_row, 11).value == "None under the Title VI policy."
    assert _named_cell(after, CHECK_NAME).value == "No"
    assert "Inputs changed since the assessment" in ws["A3"].value


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler's pdfinfo is not installed")
def test_the_council_print_set_is_at_most_ten_pages_with_the_decision_on_one(sample, tmp_path):
    from equityplanner.report.pdf import write_council_pdf

    pdf = write_council_pdf(sample, tmp_path / "council.pdf", compare=True)
    info = subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert pages <= 10, pages

    def page_text(number: int) -> str:
        return subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout

    first, second = page_text(1), page_text(2)
    assert "Decision: Magnolia City" in first and "Headlines" in first and "Checks" in first
    assert "Decision: Magnolia City" not in second and "Summary" in second
    for number in range(1, pages + 1):
        text = page_text(number)
        assert f"Page {number} of {pages}" in text, number
        assert "DRAFT" in text and "2026-11-25" in text and "SYNTHETIC" in text, number
        assert "Appendix" not in text.splitlines()[0], number
        assert "service_change" not in text and "_burdens" not in text, number


def _printed(value: float, digits: int) -> float:
    """The number as a spreadsheet prints it with ``digits`` decimals: halves away from zero
    on its shortest decimal form (LibreOffice prints 0.365 as 0.37; Python's round, on the
    binary value just below, gives 0.36)."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _decimals(number_format: str) -> tuple[int, float]:
    """Digits printed after the point and the display scale of a number format."""
    first = number_format.split(";")[0]
    scale = 100.0 if "%" in first else 1.0
    match = re.search(r"0\.(0+)", first)
    return (len(match.group(1)) if match else 0), scale


def test_every_printed_difference_is_the_printed_value_less_the_printed_comparison(recalculated):
    spec, book = recalculated
    checked = 0
    for sheet in spec.sheets:
        ws = book[sheet.name]
        for value_at, comparison_at, difference_at in sheet.differences:
            value, comparison = ws.cell(*value_at).value, ws.cell(*comparison_at).value
            difference = ws.cell(*difference_at).value
            if not all(isinstance(x, int | float) for x in (value, comparison, difference)):
                continue
            digits, scale = _decimals(ws.cell(*value_at).number_format)
            diff_digits, _ = _decimals(ws.cell(*difference_at).number_format)
            shown = _printed(value * scale, digits) - _printed(comparison * scale, digits)
            assert math.isclose(
                round(difference, diff_digits), round(shown, diff_digits), abs_tol=1e-9
            ), (
                sheet.name,
                difference_at,
                value,
                comparison,
                difference,
            )
            checked += 1
    assert checked > 200


def test_each_group_has_one_comparison_share_per_run(sample, recalculated):
    shares: dict[str, set[float]] = {}
    for result in sample.results:
        for ind in result.indicators:
            key = IndicatorId.parse(ind.id)
            group = key.group
            if key.title_vi_test is not None:
                group = (
                    "minority" if key.title_vi_test.value == "disparate_impact" else "low_income"
                )
            if group is None or ind.value_unit != "share" or key.family.value == "access":
                continue
            if isinstance(ind.comparison, float):
                shares.setdefault(group, set()).add(round(ind.comparison, 12))
    assert {"minority", "low_income"} <= set(shares)
    for group, values in shares.items():
        assert len(values) == 1, (group, values)
    _, book = recalculated
    ws = book["Title VI tests"]
    printed: dict[str, set[float]] = {}
    for row in range(6, ws.max_row + 1):
        test = ws.cell(row, TV["test"]).value
        if test:
            printed.setdefault(test, set()).add(round(ws.cell(row, TV["comparison"]).value, 12))
    assert all(len(values) == 1 for values in printed.values()), printed


def test_formulas_keep_within_excels_limits(written):
    spec, _, _ = written
    for sheet in spec.sheets:
        for position, formula in sheet.formula_cells():
            assert len(formula.text) < 8192, (sheet.name, position)
            for literal in re.findall(r'"((?:[^"]|"")*)"', formula.text):
                assert len(literal.replace('""', '"')) <= 255, (sheet.name, position)


def test_audit_paths_are_relative(recalculated):
    _, book = recalculated
    ws = book["Audit"]
    paths = [
        ws.cell(row, 2).value
        for row in range(1, ws.max_row + 1)
        if ws.cell(row, 1).value in ("Project", "Neighbourhoods", "Attributes")
    ]
    assert paths and not any(
        str(p).startswith("/") or re.match(r"[A-Za-z]:\\", str(p)) for p in paths
    )


def test_print_set_sheet_order(written):
    spec, _, _ = written
    names = [sheet.name for sheet in spec.sheets]
    assert names[:6] == ["Decision", "Summary", "Distribution", "Housing", "Map", "Methodology"]
    assert Path(SAMPLE_PROJECT).exists()


def test_people_affected_are_the_people_the_title_vi_shares_are_of(sample, recalculated):
    """A scenario joining a housing site to a new line counts more people in its whole
    catchment than in the line's, which the Title VI shares are of: the Decision sheet's count
    is the tests' (read from the Title VI sheet), and the whole catchment's is named beside it."""
    _, book = recalculated
    scenario = sample.result("all")
    test = scenario.indicator("title_vi.disparate_impact")
    tested = test.details["total_affected"]
    whole = scenario.indicator("served.population").value
    assert whole > tested + 1000, "the housing site's catchment adds people"
    ws = book["Decision"]
    row = _decision_row(book, "All three proposals (scenario): new or better service")
    assert ws.cell(row, 2).value == pytest.approx(tested)
    assert ws.cell(row, 3).value == pytest.approx(test.value)
    assert f"{whole:,.0f} with every project's catchment" in ws.cell(row, 1).value
    tv = _tv_row(book, "All three proposals", "Disparate impact")
    assert book["Title VI tests"].cell(tv, TV["affected"]).value == pytest.approx(tested)
    # A line alone: its catchment is the tests', one count and no note.
    row = _decision_row(book, "Eastside Express BRT (project)")
    brt = sample.result("eastside-brt").indicator("served.population").value
    assert ws.cell(row, 2).value == pytest.approx(brt)
    assert "every project's catchment" not in ws.cell(row, 1).value
