"""The Decision sheet: the decision at a glance, on one printed page.

What it holds, top to bottom:

- the title, the draft or final status, the date, and the SYNTHETIC mark for synthetic data;
- a banner, empty while every input is as assessed, that warns once one has changed;
- the adopted thresholds as named input cells (:class:`Thresholds`): whether each form of
  the Title VI test is adopted and its threshold, and the TAG "broadly in line" band; every
  Title VI verdict and TAG rating of the workbook is a formula of these cells;
- one row per project, scenario and service change (per side when it has new service and
  cuts), adverse findings first: what changes, the people affected, the minority and
  low-income shares of those affected against the comparison population's (its own row,
  one share per group), the difference as printed and its margin of error, the verdict of
  each test in words with the form that decided it and whether the margin of error leaves it
  indistinguishable, and the step the policy then requires;
- for a fare change, a section of its own (its quantities are average fare changes a trip,
  not shares of people): each group's change in dollars and percent against the other
  riders', the difference of the percentage changes, the relative difference and ratio of
  the dollar changes, the verdict and the step, all formulas of the Fare equity sheet;
- a headline sentence per proposal, adverse first;
- notes (how the GTFS service change and a project's cut relate) and the check cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from equityplanner.model.concepts import ResultKind, TitleViTest
from equityplanner.model.fields import group_specs
from equityplanner.model.project import HousingProject, TransitProject
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    NumberFormats,
    SheetSpec,
    a1,
    clean_number,
    excel_string,
    quote_sheet,
    rating_style,
)
from equityplanner.report.sheets import (
    CHECK_NAME,
    BookContext,
    ResultSide,
    Thresholds,
    has_catchment,
    page_setup,
    put_banner,
    result_sides,
    shown_difference,
    shown_difference_formula,
    tone_rules,
)
from equityplanner.report.sheets.title_vi import COLUMNS as TV
from equityplanner.report.sheets.title_vi import SHEET_NAME as TV_SHEET
from equityplanner.report.sheets.title_vi import TestRow

__all__ = ["SHEET_NAME", "build_decision", "required_step_words"]

SHEET_NAME = "Decision"
WIDTHS = (46, 10, 9, 9, 9, 34, 9, 9, 9, 34, 46)
LAST_COL = len(WIDTHS)
COL = {
    "proposal": 1,
    "people": 2,
    "minority": 3,
    "minority_diff": 4,
    "minority_moe": 5,
    "di": 6,
    "low_income": 7,
    "low_income_diff": 8,
    "low_income_moe": 9,
    "db": 10,
    "step": 11,
}
STEP_DI = (
    "Disparate impact: a substantial legitimate justification, and the less discriminatory "
    "alternatives considered."
)
STEP_DB = "Disproportionate burden: avoid, minimise or mitigate where practicable."
STEP_UNCLEAR = "A test cannot tell within its margin of error: gather better data first."
STEP_NONE = "None under the Title VI policy."
_SEVERITY = {"finding": 0, "not_distinguishable": 1, "no_finding": 2, "not_assessed": 3}


@dataclass
class _Row:
    """A row of the decision table: a side of a result, or a housing project."""

    result: ProposalResult
    side: ResultSide | None
    tests: dict[TitleViTest, int] = field(default_factory=dict)  # test -> Title VI sheet row
    keys: dict[TitleViTest, str] = field(default_factory=dict)  # engine verdict keys

    @property
    def severity(self) -> int:
        return min((_SEVERITY.get(k, 3) for k in self.keys.values()), default=4)


def required_step_words(keys: dict[TitleViTest, str]) -> str:
    """The step the policy requires after these verdicts (what the step formula gives)."""
    di = keys.get(TitleViTest.DISPARATE_IMPACT) == "finding"
    db = keys.get(TitleViTest.DISPROPORTIONATE_BURDEN) == "finding"
    if di and db:
        return f"{STEP_DI} {STEP_DB}"
    if di:
        return STEP_DI
    if db:
        return STEP_DB
    if "not_distinguishable" in keys.values():
        return STEP_UNCLEAR
    return STEP_NONE


def build_decision(ctx: BookContext, tv_expected: dict[int, dict[str, Any]]) -> SheetSpec:
    """Lay out the Decision sheet.

    ``tv_expected`` holds, by row of the Title VI tests sheet, the values its formulas give
    (verdict keys and words), for the formulas here that read them.
    """
    a = ctx.assessment
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="9C0006")
    for col, width in enumerate(WIDTHS, 1):
        sheet.column_widths[col] = width
    sheet.put(1, 1, f"Decision: {a.metadata.title}", "title")
    sheet.merge(1, 1, 1, LAST_COL)
    sheet.row_heights[1] = 28
    status = "FINAL" if a.metadata.is_final else "DRAFT for discussion"
    parts = [status, ctx.date, a.metadata.organisation or ""]
    if ctx.is_synthetic:
        parts.append("SYNTHETIC DATA: the figures describe no real people")
    sheet.put(2, 1, "  ·  ".join(p for p in parts if p), "status")
    sheet.merge(2, 1, 2, LAST_COL)
    put_banner(sheet, 3, 1, LAST_COL)
    row = _thresholds(ctx, sheet, 5)
    row = _table(ctx, sheet, row + 1, tv_expected)
    if ctx.fare_blocks:
        row = _fares(ctx, sheet, row + 1)
    row = _headlines(ctx, sheet, row + 1, tv_expected)
    row = _notes(ctx, sheet, row + 1)
    _checks(ctx, sheet, row + 1)
    page_setup(ctx, sheet, "Decision", fit_height=True)
    return sheet


def _thresholds(ctx: BookContext, sheet: SheetSpec, row: int) -> int:
    """The adopted thresholds as named input cells; returns the next free row."""
    p = ctx.assessment.parameters
    tv = p.title_vi
    sheet.put(
        row, 1, "Adopted thresholds: type another value to see every verdict recalculate", "heading"
    )
    sheet.merge(row, 1, row, LAST_COL)
    row += 1
    sheet.put_row(row, 1, ["Test", "Adopted?", "Threshold", "Meaning"], "header")
    sheet.merge(row, 4, row, LAST_COL)
    row += 1
    yes = {f: "Yes" if f in tv.forms else "No" for f in ("absolute", "relative", "four_fifths")}
    items = [
        (
            "Percentage-point test",
            (Thresholds.ADOPTED_POINTS, yes["absolute"]),
            (Thresholds.POINTS, tv.threshold_pp, '0.0" pts"'),
            "A group's share of those affected differs from its share of the comparison population "
            "by more than this many points, in the direction that harms it.",
        ),
        (
            "Relative test",
            (Thresholds.ADOPTED_RELATIVE, yes["relative"]),
            (Thresholds.RELATIVE, tv.threshold_relative, NumberFormats.PCT0),
            "That difference as a share of the comparison share exceeds this.",
        ),
        (
            "Four-fifths test",
            (Thresholds.ADOPTED_FOUR_FIFTHS, yes["four_fifths"]),
            (Thresholds.FOUR_FIFTHS, tv.four_fifths_ratio, NumberFormats.RATIO),
            "Rate ratio (share of the group affected / share of everyone else affected) below "
            "this for a benefit, above its inverse for a burden (EEOC four-fifths rule).",
        ),
        (
            "Income distribution (TAG A4.2)",
            None,
            (Thresholds.TAG_BAND, p.distribution_threshold_pp, '0.0" pts"'),
            "'Broadly in line': a quintile's share of the effect within this many points of its "
            "share of the population (a practitioner convention).",
        ),
    ]
    for label, adopted, threshold, meaning in items:
        sheet.put(row, 1, label, "label")
        if adopted is not None:
            sheet.put(row, 2, adopted[1], "input_bold")
            sheet.define_name(adopted[0], row, 2)
        name, value, fmt = threshold
        sheet.put(row, 3, value, "input_bold", fmt)
        sheet.define_name(name, row, 3)
        sheet.put(row, 4, meaning, "note")
        sheet.merge(row, 4, row, LAST_COL)
        sheet.row_heights[row] = 15
        row += 1
    low = group_specs(p.low_income_poverty_pct)["low_income"].label
    sheet.put(row, 1, "Low-income definition", "label")
    sheet.put(
        row,
        2,
        f"{low}: the adopted definition, a setting of the assessment. FTA C 4702.1B defines "
        "low-income by the HHS poverty guidelines unless the agency adopts a higher threshold; "
        "200% of poverty is a common adoption.",
        "note",
    )
    sheet.merge(row, 2, row, LAST_COL)
    return row + 1


def _rows(ctx: BookContext) -> list[_Row]:
    rows: list[_Row] = []
    for result in ctx.assessment.results:
        if not has_catchment(result):
            continue  # a fare change: its own section (average fares, not shares)
        housing = ctx.housing_project(result)
        sides = result_sides(result)
        added = False
        for side in sides:
            item = _Row(result, side)
            for test in TitleViTest:
                ind_id = f"title_vi.{test.value}{side.suffix}"
                tv_row = ctx.title_vi_rows.get((result.id, ind_id))
                if tv_row is not None:
                    item.tests[test] = tv_row
                    ind = side.indicator(f"title_vi.{test.value}")
                    if ind is not None:
                        item.keys[test] = "finding" if ind.rating == test.value else ind.rating
            if item.tests or housing is not None or result.kind is ResultKind.SCENARIO:
                rows.append(item)
                added = True
        if not added:
            rows.append(_Row(result, sides[0]))
    order = {id(r): i for i, r in enumerate(rows)}
    return sorted(rows, key=lambda r: (r.severity, order[id(r)]))


def _table(
    ctx: BookContext, sheet: SheetSpec, row: int, tv_expected: dict[int, dict[str, Any]]
) -> int:
    a = ctx.assessment
    sheet.put(row, 1, "Findings by proposal (adverse first)", "heading")
    sheet.merge(row, 1, row, LAST_COL)
    row += 1
    headers = [
        "Proposal and what changes",
        "People affected",
        "Minority share of those affected",
        "Difference (points)",
        "Margin of error (90%)",
        "Disparate impact (minority)",
        "Low-income share of those affected",
        "Difference (points)",
        "Margin of error (90%)",
        "Disproportionate burden (low-income)",
        "Step the policy then requires",
    ]
    sheet.put_row(row, 1, headers, "header")
    sheet.row_heights[row] = 45
    header_row = row
    row += 1
    # The comparison population: one share per group, against which every row is compared.
    comparison_row = row
    sheet.put(row, 1, f"{a.comparison_label} (the comparison population)", "label_wrap")
    population = _first_indicator(a.results, "served.population")
    if population is not None:
        sheet.put(row, 2, clean_number(population.comparison), "number", NumberFormats.COUNT)
    for test, col in ((TitleViTest.DISPARATE_IMPACT, 3), (TitleViTest.DISPROPORTIONATE_BURDEN, 7)):
        source = _first_test_row(ctx, test)
        if source is None:
            sheet.put(row, col, "Not in the data", "small")
            continue
        ref = source.ref("comparison")
        sheet.put(
            row,
            col,
            Formula(f'=IF(ISNUMBER({ref}),{ref},"")', clean_number(source.indicator.comparison)),
            "number_bold",
            NumberFormats.PCT,
        )
    sheet.put(
        row, 11, "One comparison share per group, used by every test of this assessment.", "note"
    )
    row += 1
    first = row
    for item in _rows(ctx):
        _proposal_row(ctx, sheet, row, item, comparison_row, tv_expected)
        row += 1
    last = row - 1
    for col in (COL["di"], COL["db"]):
        ref = f"{a1(first, col)}:{a1(last, col)}"
        sheet.conditional_formats += tone_rules(ref, a1(first, col))
    sheet.print = sheet.print  # set in build_decision
    sheet.differences.extend([])
    del header_row
    return row


def _first_indicator(results: list[ProposalResult], ind_id: str) -> Indicator | None:
    for result in results:
        try:
            return result.indicator(ind_id)
        except KeyError:
            continue
    return None


def _first_test_row(ctx: BookContext, test: TitleViTest) -> TestRow | None:
    for result in ctx.assessment.results:
        for ind in result.indicators:
            key = ind.key
            if key.title_vi_test is test and key.measure is None:
                row = ctx.title_vi_rows.get((result.id, ind.id))
                if row is not None:
                    return TestRow(result, ind, row)
    return None


def _tested_people(ctx: BookContext, item: _Row) -> tuple[float | None, int] | None:
    """The people the row's Title VI tests compare (the disparate-impact test's, in the total
    population's universe) and that test's row on the Title VI sheet; None without tests."""
    for test in (TitleViTest.DISPARATE_IMPACT, TitleViTest.DISPROPORTIONATE_BURDEN):
        tv_row = item.tests.get(test)
        if tv_row is None or item.side is None:
            continue
        ind = item.side.indicator(f"title_vi.{test.value}")
        if ind is not None:
            return clean_number(ind.details.get("total_affected")), tv_row
    return None


def _tv_ref(tv_row: int, column: str) -> str:
    return f"{quote_sheet(TV_SHEET)}!{a1(tv_row, TV[column], absolute=True)}"


def _proposal_row(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    item: _Row,
    comparison_row: int,
    tv_expected: dict[int, dict[str, Any]],
) -> None:
    result, side = item.result, item.side
    label = f"{row_label(result, side)}\n{_what_changes(ctx, result, side)}"
    population = side.indicator("served.population") if side is not None else None
    tested = _tested_people(ctx, item)
    if tested is not None:
        # The people the Title VI shares are of (the transit projects' catchment): a scenario
        # joining a housing site counts more people in its whole catchment, named below.
        people, base_row = tested
        affected = _tv_ref(base_row, "affected")
        sheet.put(
            row,
            2,
            Formula(f'=IF(ISNUMBER({affected}),{affected},"")', people),
            "number_center",
            NumberFormats.COUNT,
        )
        whole = clean_number(population.value) if population is not None else None
        if whole is not None and people is not None and round(whole) != round(people):
            label += (
                f"\nPeople affected: those in the transit projects' catchment, whom the Title VI "
                f"tests compare; {whole:,.0f} with every project's catchment."
            )
    elif population is not None:
        sheet.put(
            row, 2, _link(ctx, result, population, "value"), "number_center", NumberFormats.COUNT
        )
    sheet.put(row, 1, label, "cell_wrap")
    housing = ctx.housing_project(result)
    for test, (share_col, diff_col, moe_col, verdict_col) in (
        (TitleViTest.DISPARATE_IMPACT, (3, 4, 5, 6)),
        (TitleViTest.DISPROPORTIONATE_BURDEN, (7, 8, 9, 10)),
    ):
        tv_row = item.tests.get(test)
        if tv_row is None:
            words = (
                "Not applicable: the Title VI tests concern transit service changes"
                if housing is not None or not _has_transit(ctx, result)
                else "Not assessed (the data lacks this group)"
            )
            sheet.put(row, verdict_col, words, rating_style("info"))
            continue
        expected = tv_expected.get(tv_row, {})
        ind = side.indicator(f"title_vi.{test.value}") if side is not None else None
        value = clean_number(ind.value) if ind is not None else None
        value_ref = _tv_ref(tv_row, "value")
        sheet.put(
            row,
            share_col,
            Formula(f'=IF(ISNUMBER({value_ref}),{value_ref},"")', value),
            "number_center",
            NumberFormats.PCT,
        )
        comparison = clean_number(ind.comparison) if ind is not None else None
        mine, theirs = a1(row, share_col), a1(comparison_row, share_col)
        sheet.put(
            row,
            diff_col,
            Formula(
                "=" + shown_difference_formula(mine, theirs), shown_difference(value, comparison)
            ),
            "number_center",
            NumberFormats.POINTS,
        )
        sheet.differences.append(((row, share_col), (comparison_row, share_col), (row, diff_col)))
        moe_ref = _tv_ref(tv_row, "moe_difference")
        sheet.put(
            row,
            moe_col,
            Formula(f'=IF(ISNUMBER({moe_ref}),{moe_ref},"")', expected.get("moe_difference")),
            "number_center",
            NumberFormats.MOE_POINTS,
        )
        tone = "adverse" if item.keys.get(test) == "finding" else "info"
        sheet.put(
            row,
            verdict_col,
            Formula(f"={_tv_ref(tv_row, 'words')}", expected.get("words")),
            rating_style(tone),
        )
    sheet.put(row, COL["step"], _step(ctx, item, tv_expected), "cell_wrap")


def _step(ctx: BookContext, item: _Row, tv_expected: dict[int, dict[str, Any]]) -> Any:
    """The step the policy requires: a formula of the verdict keys (static for housing)."""
    housing = ctx.housing_project(item.result)
    if not item.tests:
        return _housing_step(housing) if housing is not None else STEP_NONE
    keys = {test: f"{_tv_ref(tv_row, 'key')}" for test, tv_row in item.tests.items()}
    expected_keys = {
        test: str(tv_expected.get(tv_row, {}).get("key", "")) for test, tv_row in item.tests.items()
    }
    di = keys.get(TitleViTest.DISPARATE_IMPACT, '""')
    db = keys.get(TitleViTest.DISPROPORTIONATE_BURDEN, '""')
    body = (
        f'IF(AND({di}="finding",{db}="finding"),{excel_string(STEP_DI + " " + STEP_DB)},'
        f'IF({di}="finding",{excel_string(STEP_DI)},IF({db}="finding",{excel_string(STEP_DB)},'
        f'IF(OR({di}="not_distinguishable",{db}="not_distinguishable"),{excel_string(STEP_UNCLEAR)},'
        f"{excel_string(STEP_NONE)}))))"
    )
    return Formula("=" + body, required_step_words(expected_keys))


_FARE_HEADERS = (
    "Fare change and who is compared",
    "Group's average fare change a trip",
    "Group's change (%)",
    "Other riders' change a trip",
    "Other riders' change (%)",
    "Verdict (fare equity analysis)",
    "Difference of the % changes (points)",
    "Relative difference of the changes",
    "Ratio of the changes (four-fifths test)",
    "Margin of error",
    "Step the policy then requires",
)


def _fares(ctx: BookContext, sheet: SheetSpec, row: int) -> int:
    """Each fare change's two tests: average fare changes a trip, not shares, in columns of
    their own; the verdicts and steps are formulas of the Fare equity sheet."""
    from equityplanner.report.sheets.fare_equity import (
        GROUP_WORDS,
        SHEET_NAME,
        USD_CHANGE,
        FareBlock,
    )

    sheet.put(
        row,
        1,
        "Fare changes (FTA C 4702.1B fare equity analysis): average fare changes a trip, "
        "not shares",
        "heading",
    )
    sheet.merge(row, 1, row, LAST_COL)
    row += 1
    sheet.put_row(row, 1, list(_FARE_HEADERS), "header")
    sheet.row_heights[row] = 45
    row += 1
    appendix = ctx.appendix.get(SHEET_NAME, SHEET_NAME)
    for block in ctx.fare_blocks:
        assert isinstance(block, FareBlock)
        fares = "; ".join(
            f"{name} ${before:,.2f} to ${after:,.2f}" for name, before, after in block.fares
        )
        sheet.put(
            row,
            1,
            f"{block.result.name}: {fares}. Each group's average fare weights every fare by "
            f"the group's share of trips paid with it ({block.usage_note}). Fares, usage and "
            f"each form's statistic: {appendix} (Fare equity).",
            "note",
        )
        sheet.merge(row, 1, row, LAST_COL)
        row += 1
        first = row
        for t in block.tests:
            cells = t.cells
            sheet.put(
                row,
                1,
                f"{block.result.name}: {GROUP_WORDS[t.test]} against the other riders",
                "cell_wrap",
            )
            for col, key, fmt in (
                (2, "group_change", USD_CHANGE),
                (3, "group_pct", NumberFormats.PCT_SIGNED),
                (4, "others_change", USD_CHANGE),
                (5, "others_pct", NumberFormats.PCT_SIGNED),
                (8, "relative", NumberFormats.PCT_SIGNED),
                (9, "ratio", NumberFormats.RATIO),
            ):
                ref = t.ref(key)
                expected = cells[key]
                body = f'=IF(ISNUMBER({ref}),{ref},"")'
                if key in ("relative", "ratio"):  # "∞" when the others bear none of it
                    body = f'=IF({ref}="","",{ref})'
                sheet.put(row, col, Formula(body, expected), "number_center", fmt)
            mine, theirs = a1(row, 3), a1(row, 5)
            sheet.put(
                row,
                7,
                Formula(
                    "=" + shown_difference_formula(mine, theirs),
                    shown_difference(cells["group_pct"], cells["others_pct"]),
                ),
                "number_center",
                NumberFormats.POINTS,
            )
            sheet.differences.append(((row, 3), (row, 5), (row, 7)))
            tone = "adverse" if cells["key"] == "finding" else "info"
            sheet.put(row, 6, Formula(f"={t.ref('words')}", cells["words"]), rating_style(tone))
            sheet.put(
                row,
                10,
                "None (survey shares carry none)"
                if block.survey
                else "None (ACS proxy: not carried)",
                "check",
            )
            step = STEP_DI if t.test is TitleViTest.DISPARATE_IMPACT else STEP_DB
            key_ref = t.ref("key")
            sheet.put(
                row,
                11,
                Formula(
                    f'=IF({key_ref}="finding",{excel_string(step)},{excel_string(STEP_NONE)})',
                    step if cells["key"] == "finding" else STEP_NONE,
                ),
                "cell_wrap",
            )
            row += 1
        ref = f"{a1(first, 6)}:{a1(row - 1, 6)}"
        sheet.conditional_formats += tone_rules(ref, a1(first, 6))
    return row


def _housing_step(project: HousingProject) -> str:
    if project.households_displaced > 0:
        return (
            f"Plan relocation assistance (and a right to return) for the "
            f"{project.households_displaced:,} households who must move."
        )
    return "None under the Title VI policy (no transit change); see the Housing sheet."


def row_label(result: ProposalResult, side: ResultSide | None) -> str:
    """``"All three proposals (scenario): cuts"``: the result, its kind and, when it has new
    service and cuts, the side."""
    label = f"{result.name} ({result.kind.label.lower()})"
    if side is not None and len(result.sides) > 1:
        label += ": new or better service" if side.is_benefit else ": cuts"
    return label


def _has_transit(ctx: BookContext, result: ProposalResult) -> bool:
    if result.kind is ResultKind.SERVICE_CHANGE:
        return True
    return any(
        isinstance(p, TransitProject) and p.id in result.project_ids
        for p in ctx.assessment.projects
    )


def _what_changes(ctx: BookContext, result: ProposalResult, side: ResultSide | None) -> str:
    """What the row's proposal changes, in a few words."""
    a = ctx.assessment
    if result.kind is ResultKind.SERVICE_CHANGE:
        threshold = a.parameters.major_change_threshold
        if side is not None and not side.is_benefit:
            return f"Neighbourhoods near stops losing {threshold:.0%} or more of their trips (GTFS feeds compared)."
        return f"Neighbourhoods near stops gaining {threshold:.0%} or more trips (GTFS feeds compared)."
    projects = {p.id: p for p in a.projects}
    members = [projects[pid] for pid in result.project_ids if pid in projects]
    if side is not None and len(result.sides) > 1:
        members = [p for p in members if _is_benefit(p) == side.is_benefit]
    if result.kind is ResultKind.PROJECT and len(members) == 1:
        return _project_words(ctx, members[0], named=False)
    return "; ".join(_project_words(ctx, p) for p in members)


def _is_benefit(project: Any) -> bool:
    return isinstance(project, HousingProject) or project.change.is_benefit


def _project_words(ctx: BookContext, project: Any, *, named: bool = True) -> str:
    params = ctx.assessment.parameters
    name = f"{project.name}: " if named else ""
    if isinstance(project, HousingProject):
        return (
            f"{name}{project.total_units:,} homes ({project.affordable_units:,} affordable up to "
            f"80% AMI); {project.units_demolished:,} demolished, "
            f"{project.households_displaced:,} households must move"
        )
    mode = "BRT" if project.mode.value == "brt" else project.mode.value
    words = (
        f"{name}{project.change.value} {mode} service, {params.catchment_for(project):,.0f} m walk"
    )
    if project.peak_headway_min is not None:
        was = (
            f" (was {project.baseline_peak_headway_min:g})"
            if project.baseline_peak_headway_min is not None
            else ""
        )
        words += f", peak every {project.peak_headway_min:g} min{was}"
    return words[0].upper() + words[1:]


def _link(ctx: BookContext, result: ProposalResult, ind: Indicator, key: str) -> Any:
    from equityplanner.report.sheets.indicators import indicator_link

    value = {"value": ind.value, "comparison": ind.comparison}[key]
    return indicator_link(ctx, result, ind, key, value)


def _headlines(
    ctx: BookContext, sheet: SheetSpec, row: int, tv_expected: dict[int, dict[str, Any]]
) -> int:
    from equityplanner.report.sheets.headlines import headline

    sheet.put(row, 1, "Headlines", "heading")
    sheet.merge(row, 1, row, LAST_COL)
    row += 1
    items = [headline(ctx, result, tv_expected) for result in ctx.assessment.results]
    items.sort(key=lambda item: item.severity)
    first = row
    for item in items:
        sheet.put(row, 1, item.cell, "headline")
        sheet.merge(row, 1, row, LAST_COL)
        row += 1
    sheet.conditional_formats += tone_rules(f"A{first}:A{row - 1}", f"A{first}")
    return row


def _notes(ctx: BookContext, sheet: SheetSpec, row: int) -> int:
    from equityplanner.report.sheets.headlines import reconciliation

    fares = bool(ctx.fare_blocks)
    sheets = (
        "Title VI tests, Fare equity and Indicators" if fares else "Title VI tests and Indicators"
    )
    notes = [
        "Verdicts are formulas of the shares above"
        + (" (of the average fares, for a fare change)" if fares else "")
        + " and the adopted thresholds; each names the form of the test that decided it. "
        "Margins of error are 90% margins: the survey's sampling error and the error of "
        f"apportioning parts of neighbourhoods to catchments. Every number and test is on the "
        f"{sheets} sheets (appendices).",
        *reconciliation(ctx),
    ]
    for note in notes:
        sheet.put(row, 1, note, "note")
        sheet.merge(row, 1, row, LAST_COL)
        row += 1
    return row


def _checks(ctx: BookContext, sheet: SheetSpec, row: int) -> None:
    """The check cells behind the banners: thresholds as adopted, formulas as assessed."""
    p = ctx.assessment.parameters
    tv = p.title_vi
    yes = {f: "Yes" if f in tv.forms else "No" for f in ("absolute", "relative", "four_fifths")}
    same = [
        f'{Thresholds.ADOPTED_POINTS}="{yes["absolute"]}"',
        f'{Thresholds.ADOPTED_RELATIVE}="{yes["relative"]}"',
        f'{Thresholds.ADOPTED_FOUR_FIFTHS}="{yes["four_fifths"]}"',
        f"ABS({Thresholds.POINTS}-{tv.threshold_pp!r})<1E-9",
        f"ABS({Thresholds.RELATIVE}-{tv.threshold_relative!r})<1E-9",
        f"ABS({Thresholds.FOUR_FIFTHS}-{tv.four_fifths_ratio!r})<1E-9",
        f"ABS({Thresholds.TAG_BAND}-{p.distribution_threshold_pp!r})<1E-9",
    ]
    sheet.put(row, 1, "Checks", "label")
    sheet.put(row, 2, "Thresholds as adopted", "small")
    sheet.merge(row, 2, row, 3)
    sheet.put(row, 4, Formula(f'=IF(AND({",".join(same)}),"Yes","No")', "Yes"), "check")
    thresholds = a1(row, 4)
    sheet.put(row, 5, "Formulas match the assessment", "small")
    sheet.merge(row, 5, row, 6)
    counts = "+".join(f'COUNTIF({ref},"No")' for ref in ctx.check_refs) or "0"
    sheet.put(row, 7, Formula(f'=IF({counts}=0,"Yes","No")', "Yes"), "check")
    formulas = a1(row, 7)
    sheet.put(row, 8, "Inputs as assessed", "small")
    sheet.merge(row, 8, row, 9)
    sheet.put(
        row,
        10,
        Formula(f'=IF(AND({thresholds}="Yes",{formulas}="Yes"),"Yes","No")', "Yes"),
        "check",
    )
    sheet.define_name(CHECK_NAME, row, 10)
