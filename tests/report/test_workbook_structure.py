"""The workbook read back with openpyxl: sheets, table, panes, names, charts, picture, print
setup, properties, styles; formula injection; atomic writing over locked targets."""

from __future__ import annotations

import os
import re
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from report_helpers import grid_assessment

from equityplanner.errors import InputError
from equityplanner.report.layout import (
    Cell,
    Formula,
    SheetSpec,
    autofit_rows,
    build_styles,
    clean_text,
    column_letter,
    defined_name,
    sheet_name,
)
from equityplanner.report.sheets.title_vi import COLUMNS as TV_COLUMNS
from equityplanner.report.workbook import build_workbook, write_comparison_workbook, write_workbook

EXPECTED_SHEETS = [
    "Decision",
    "Summary",
    "Distribution",
    "Housing",
    "Map",
    "Methodology",
    "Community summary",
    "Resumen comunitario",
    "Comparison",
    "Indicators",
    "Title VI tests",
    "Equity questions",
    "Neighbourhoods",
    "Methods and sources",
    "Audit",
]
PRINT_SET = EXPECTED_SHEETS[:6]
INJECTED_PROJECT = '=HYPERLINK("http://example.com","click")'
INJECTED_NAMES = {"A": "+1+1", "B": "@SUM(1)", "C": "-2+3"}


@pytest.fixture(autouse=True)
def _qt_application(qapp):
    """Writing renders the map: let pytest-qt's QApplication exist first (widgets need one)."""
    return qapp


@pytest.fixture(scope="module")
def assessment(tmp_path_factory):
    return grid_assessment(tmp_path_factory.mktemp("grid"))


@pytest.fixture(scope="module")
def book(qapp, assessment, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "grid.xlsx"
    assert write_workbook(assessment, path, compare=True) == path
    return path, load_workbook(path)


def test_sheets_in_order_with_valid_names(book):
    _, wb = book
    assert wb.sheetnames == EXPECTED_SHEETS
    for name in wb.sheetnames:
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
    assert wb.active.title == "Decision"


def test_neighbourhood_table_panes_and_formats(book, assessment):
    _, wb = book
    ws = wb["Neighbourhoods"]
    assert ws.freeze_panes == "C5"
    table = ws.tables["NeighbourhoodTable"]
    assert table.tableStyleInfo.name and table.tableStyleInfo.showRowStripes
    assert table.ref == f"A4:{column_letter(ws.max_column)}{4 + len(assessment.baseline)}"
    headers = [c.value for c in ws[4]]
    assert headers[:3] == ["ID", "Name", "In comparison population"]
    assert (
        "Share in catchment: Route 7 cut" in headers
        and "People in catchment: Everything (burdens)" in headers
    )
    assert len(set(headers)) == len(headers)
    share_col = headers.index("Minority: share") + 1
    assert ws.cell(5, share_col).number_format == "0.0%"
    assert ws.cell(5, headers.index("Total population") + 1).number_format == "#,##0"
    assert (
        len(ws.conditional_formatting) >= 2
    )  # colour scales on shares, data bars on catchment shares
    assert ws.page_setup.orientation == "landscape"


def test_indicators_have_live_formulas_and_hidden_engine_columns(book, assessment):
    _, wb = book
    ws = wb["Indicators"]
    assert ws.freeze_panes == "D5"
    headers = [c.value for c in ws[4]]
    assert headers[:6] == [
        "Project or scenario",
        "Effect",
        "Indicator",
        "Value",
        "Comparison",
        "Difference (points for shares)",
    ]
    rows = {
        ws.cell(r, 15).value: r
        for r in range(5, ws.max_row + 1)
        if ws.cell(r, 1).value == "Route 7 cut"
    }
    minority = rows["served.minority"]
    assert ws.cell(minority, 4).data_type == "f"
    assert "SUMPRODUCT(NB_share_cut,NB_minority_count)" in ws.cell(minority, 4).value
    assert ws.cell(minority, 4).number_format == "0.0%"
    assert ws.cell(minority, 6).number_format == "+0.0;-0.0;0.0"
    assert ws.cell(minority, 16).value == "Live formula"
    assert ws.cell(minority, 18).value == pytest.approx(
        assessment.result("cut").indicator("served.minority").value
    )
    assert ws.cell(rows["served.population"], 4).number_format == "#,##0"
    engine = ws.column_dimensions["R"]  # one <col> element spans the grouped columns R-T
    assert (engine.min, engine.max, engine.hidden, engine.outline_level) == (18, 20, True, 1)
    assert ws.column_dimensions["I"].width == 58


def test_every_formula_carries_the_engine_value(assessment):
    spec = build_workbook(assessment, map_png=b"")
    formulas = [(s.name, pos, f) for s in spec.sheets for pos, f in s.formula_cells()]
    assert len(formulas) > 300
    assert {name for name, _, _ in formulas} >= {
        "Indicators",
        "Neighbourhoods",
        "Distribution",
        "Housing",
    }
    assert all(f.text.startswith("=") and "nan" not in f.text.lower() for _, _, f in formulas)


def test_defined_names_for_columns_and_key_cells(book):
    _, wb = book
    names = set(wb.defined_names)
    assert {
        "NB_in_comparison",
        "NB_total_population",
        "NB_minority_count",
        "NB_share_cut",
        "NB_share_all_burdens",
        "TitleVI_DI_cut",
        "TitleVI_DI_pp_cut",
        "TitleVI_DB_rail",
        "TitleVI_DI_all_burdens",
        "HS_homes_total_units",
        "HS_homes_net_affordable",
    } <= names
    sheet, ref = next(iter(wb.defined_names["TitleVI_DI_cut"].destinations))
    assert sheet == "Indicators" and re.fullmatch(r"\$D\$\d+", ref)
    sheet, ref = next(iter(wb.defined_names["NB_minority_count"].destinations))
    assert sheet == "Neighbourhoods" and re.fullmatch(r"\$[A-Z]+\$5:\$[A-Z]+\$8", ref)


def test_native_charts_and_pictures_with_alt_text(book):
    path, wb = book
    # One quintile chart per side: cut, rail, homes, and the scenario's benefits and burdens.
    assert len(wb["Distribution"]._charts) == 5
    titles = [c.title.tx.rich.p[0].r[0].t for c in wb["Distribution"]._charts]
    assert "Route 7 cut: share of the burden by income quintile" in titles
    # A share cannot pass 100%: the homes give 90.6% of their benefit to quintile 1, and their
    # chart's axis ends at 100%, not the 120% a spreadsheet would choose; others choose.
    ends = {
        t: c.y_axis.scaling.max for t, c in zip(titles, wb["Distribution"]._charts, strict=True)
    }
    assert ends["Square A homes: share of the benefit by income quintile"] == 1.0
    assert ends["Hill line: share of the benefit by income quintile"] is None
    # The low-income map beside the minority map, both with their alt text.
    assert len(wb["Map"]._images) == 2
    with zipfile.ZipFile(path) as archive:
        drawings = [
            archive.read(n).decode("utf-8")
            for n in archive.namelist()
            if n.startswith("xl/drawings/drawing")
        ]
    assert sum(d.count('descr="Map of the minority') for d in drawings) == 1
    assert sum(d.count('descr="Map of the low-income') for d in drawings) == 1
    assert "reduced service dashed and hatched in orange" in " ".join(drawings)


def test_print_setup_header_footer_and_properties(book, assessment):
    _, wb = book
    for ws in wb.worksheets:
        if ws.title in ("Community summary", "Resumen comunitario"):
            continue  # portrait, in its own language (tests/report/test_community_summary.py)
        portrait = ws.title == "Equity questions"  # a list of questions: portrait
        assert ws.page_setup.orientation == ("portrait" if portrait else "landscape"), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.oddFooter.center.text == "Page &P of &N", ws.title
        assert ws.oddHeader.left.text == assessment.metadata.title, ws.title
        assert ws.oddHeader.right.text == "DRAFT · 2026-11-25", ws.title
        appendix = ws.title not in PRINT_SET
        assert ws.oddHeader.center.text.startswith("Appendix ") == appendix, ws.title
    assert wb["Indicators"].oddHeader.center.text == "Appendix B: Indicators"
    assert wb["Indicators"].print_title_rows == "$4:$4"
    assert wb["Indicators"].page_setup.fitToWidth == 1
    assert wb["Map"].page_setup.fitToHeight == 1
    decision = wb["Decision"].page_setup
    assert (decision.fitToWidth, decision.fitToHeight) == (1, 1)
    props = wb.properties
    assert props.title == assessment.metadata.title
    assert props.creator == "Test Planner"
    assert "Equity assessment" in props.subject


def test_print_set_hides_the_appendices(assessment, tmp_path):
    path = write_workbook(assessment, tmp_path / "council.xlsx", compare=True, print_set=True)
    wb = load_workbook(path)
    shown = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert shown == PRINT_SET
    assert wb["Neighbourhoods"].sheet_state == "hidden"


def test_fonts_are_named_and_text_never_reads_nan(book):
    _, wb = book
    for style in wb._named_styles:
        if style.name != "Normal":
            assert style.font.name == "Calibri", style.name
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "s":
                    assert not re.search(r"\bnan\b", cell.value, re.IGNORECASE), (
                        ws.title,
                        cell.coordinate,
                    )
                    assert cell.value not in ("None", "null")
                if cell.value is not None and cell.has_style and cell.font is not None:
                    assert cell.font.name == "Calibri", (ws.title, cell.coordinate)


def test_summary_states_findings_in_words(book):
    _, wb = book
    text = " ".join(
        str(c.value) for row in wb["Summary"].iter_rows() for c in row if isinstance(c.value, str)
    )
    assert "Grid town: proposals" in text and "Test Planner" in text and "Grid Town" in text
    assert "Low-income (below 200% of poverty)" in text
    # The grid project has no opportunity layers, so the access pillars say why they are empty.
    assert "Not assessed: no transit change, or no jobs layer in the project" in text
    assert "Not assessed: no transit change, or no school and childcare layers" in text
    assert "Concentration found: minority concentration" in text
    assert "25 households must move (30 homes demolished)" in text
    numbers = [
        c.value
        for c in wb["Summary"]["A"]
        if isinstance(c.value, str) and re.fullmatch(r"\d\.", c.value)
    ]
    assert 3 <= len(numbers) <= 6
    # The Title VI verdicts are formulas of the Title VI tests sheet, in words and colour.
    verdict_column = get_column_letter(TV_COLUMNS["verdict"])
    verdicts = [
        c
        for row in wb["Summary"].iter_rows()
        for c in row
        if c.data_type == "f" and f"'Title VI tests'!${verdict_column}$" in str(c.value)
    ]
    assert verdicts
    assert verdicts[0].fill.fgColor.rgb.endswith("FBDCC4") or verdicts[0].fill.fgColor.rgb


def test_comparison_sheet_and_comparison_workbooks(book, assessment, tmp_path):
    _, wb = book
    ws = wb["Comparison"]
    assert [c.value for c in ws[4]][1:] == [
        "Route 7 cut",
        "Hill line",
        "Square A homes",
        "Everything",
    ]
    labels = [ws.cell(r, 1).value for r in range(6, ws.max_row + 1)]
    assert "Disparate impact test: finding" in labels and "Net change in affordable homes" in labels
    units = [assessment.result("rail"), assessment.result("cut")]
    path = write_comparison_workbook(units, tmp_path / "alternatives.xlsx")
    other = load_workbook(path)
    assert other.sheetnames == ["Comparison", "Audit"]
    assert other["Comparison"]["B4"].value == "Hill line"


def test_formula_injection_is_written_as_text(qapp, tmp_path):
    a = grid_assessment(
        tmp_path, names=INJECTED_NAMES, cut_name=INJECTED_PROJECT, title="=1+2 & co"
    )
    path = write_workbook(a, tmp_path / "injection.xlsx", compare=True)
    wb = load_workbook(path)
    found: dict[str, int] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (INJECTED_PROJECT, "=1+2 & co", *INJECTED_NAMES.values()):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
                    found[cell.value] = found.get(cell.value, 0) + 1
                if cell.data_type == "f":
                    # User text may stand in a formula only as an escaped string literal.
                    code = re.sub(r'"(?:[^"]|"")*"', '""', cell.value)
                    assert "HYPERLINK" not in code and "+1+1" not in code, cell.value
    assert found.get(INJECTED_PROJECT, 0) >= 3  # Summary, Indicators, Comparison...
    assert all(found.get(name) for name in INJECTED_NAMES.values())
    assert wb["Summary"]["A1"].value == "=1+2 & co"
    assert wb["Indicators"].oddHeader.left.text == "=1+2 && co"  # & escaped in the header


def _old_file(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old workbook")
    return target


def test_open_in_libreoffice_or_excel_keeps_the_old_file(assessment, tmp_path):
    target = _old_file(tmp_path)
    for lock in (f".~lock.{target.name}#", f"~${target.name}"):
        (tmp_path / lock).write_text("locked")
        with pytest.raises(InputError, match="open in Excel or LibreOffice"):
            write_workbook(assessment, target)
        assert target.read_bytes() == b"old workbook"
        (tmp_path / lock).unlink()


def test_locked_target_keeps_the_old_file(assessment, tmp_path, monkeypatch):
    # On Windows, replacing a workbook that Excel holds open fails with PermissionError.
    target = _old_file(tmp_path)

    def refuse(*_args, **_kwargs):
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError, match="open in another program or read-only"):
        write_workbook(assessment, target)
    assert target.read_bytes() == b"old workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]  # no temporary file left


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores read-only permissions"
)
def test_read_only_target_keeps_the_old_file(assessment, tmp_path):
    target = _old_file(tmp_path)
    target.chmod(0o444)
    try:
        with pytest.raises(InputError):
            write_workbook(assessment, target)
        assert target.read_bytes() == b"old workbook"
    finally:
        target.chmod(0o644)


def test_new_workbook_is_readable_and_replacing_keeps_the_mode(assessment, tmp_path):
    target = tmp_path / "shared.xlsx"
    write_workbook(assessment, target)
    assert target.stat().st_mode & 0o777 == 0o666 & ~_umask()
    target.chmod(0o640)
    write_workbook(assessment, target)
    assert target.stat().st_mode & 0o777 == 0o640


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_folder_target_or_missing_folder_is_an_input_error(assessment, tmp_path):
    folder = tmp_path / "a_folder.xlsx"
    folder.mkdir()
    (folder / "keep.txt").write_text("x")
    with pytest.raises(InputError, match="is a folder"):
        write_workbook(assessment, folder)
    assert (folder / "keep.txt").read_text() == "x"
    with pytest.raises(InputError, match="folder does not exist"):
        write_workbook(assessment, tmp_path / "missing" / "out.xlsx")


def test_unknown_map_field_fails_before_writing(assessment, tmp_path):
    with pytest.raises(InputError, match="no numeric neighbourhood field 'shoe_size'"):
        write_workbook(assessment, tmp_path / "never.xlsx", map_field="shoe_size")
    assert not (tmp_path / "never.xlsx").exists()


def test_layout_helpers():
    assert sheet_name("A/B: [draft]?") == "A-B- -draft--"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("Audit", ["audit", "Audit (2)"]) == "Audit (3)"
    used: set[str] = set()
    assert defined_name("NB", "share", "route 14", used=used) == "NB_share_route_14"
    assert defined_name("NB", "share", "route-14", used=used) == "NB_share_route_14_2"
    assert defined_name("1st") == "_1st"
    assert (
        clean_text(float("nan")) == "" and clean_text(None) == "" and clean_text("a\x00b") == "ab"
    )
    with pytest.raises(ValueError, match="starts with '='"):
        Formula("SUM(A1)", 1)
    sheet = SheetSpec("S", column_widths={1: 10})
    sheet.cells[(1, 1)] = Cell("word " * 40, "wrap")
    autofit_rows(sheet, build_styles())
    assert sheet.row_heights[1] > 60


def test_compare_chosen_units_and_unknown_unit(assessment):
    spec = build_workbook(assessment, compare=["cut", "rail"], map_png=b"")
    comparison = spec.sheet("Comparison")
    assert [comparison.cells[(4, c)].value for c in (2, 3)] == ["Route 7 cut", "Hill line"]
    assert (4, 4) not in comparison.cells
    with pytest.raises(InputError, match=r"no project or scenario 'tram'.*cut, rail, homes, all"):
        build_workbook(assessment, compare=["tram"], map_png=b"")
    assert "Comparison" not in [s.name for s in build_workbook(assessment, map_png=b"").sheets]


def test_without_housing_there_is_no_housing_sheet(tmp_path):
    plain = grid_assessment(tmp_path, with_housing=False, with_scenario=False)
    names = [s.name for s in build_workbook(plain, map_png=b"").sheets]
    assert names == [
        "Decision",
        "Summary",
        "Distribution",
        "Map",
        "Methodology",
        "Community summary",
        "Resumen comunitario",
        "Indicators",
        "Title VI tests",
        "Equity questions",
        "Neighbourhoods",
        "Methods and sources",
        "Audit",
    ]
    assert (
        build_workbook(plain, map_png=b"").sheet("Map").cells[(2, 1)].value == "No map was drawn."
    )


def test_one_assessment_compared_gives_the_full_workbook(assessment, tmp_path):
    path = write_comparison_workbook(assessment, tmp_path / "compare.xlsx")
    assert load_workbook(path).sheetnames == EXPECTED_SHEETS


def test_every_chart_and_picture_has_alt_text(book):
    import zipfile

    path, wb = book
    charts = sum(len(ws._charts) for ws in wb.worksheets)
    with zipfile.ZipFile(path) as archive:
        drawings = [
            archive.read(n).decode()
            for n in archive.namelist()
            if re.match(r"xl/drawings/drawing\d+\.xml$", n)
        ]
    frames = [m for d in drawings for m in re.findall(r"<cNvPr [^>]*>", d)]
    assert charts > 0 and len(frames) >= charts
    for frame in frames:
        alt = re.search(r'descr="([^"]+)"', frame)
        assert alt and len(alt.group(1)) > 10, frame
