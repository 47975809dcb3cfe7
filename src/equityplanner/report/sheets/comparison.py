"""The Comparison sheet: alternatives side by side on the key indicators.

Alternatives are projects or scenarios (ProposalResults). When they belong to the workbook's
assessment, their numbers are live references to the Indicators sheet; alternatives from
other assessments carry the engine's values.
"""

from __future__ import annotations

from dataclasses import dataclass

from equityplanner.model.concepts import BURDENS_SUFFIX, ResultKind
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    PrintSpec,
    SheetSpec,
    a1,
    clean_number,
    rating_style,
)
from equityplanner.report.sheets import (
    BookContext,
    has_catchment,
    indicator_format,
    page_setup,
    put_banner,
    result_sides,
    tone_rules,
)
from equityplanner.report.sheets.indicators import indicator_link

__all__ = ["KEY_ROWS", "SHEET_NAME", "Alternative", "build_comparison"]

SHEET_NAME = "Comparison"
KEY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("served.population", "People inside the catchment", "value"),
    ("served.minority", "Minority share inside the catchment", "value"),
    ("served.minority", "Minority share in the comparison population", "comparison"),
    ("served.low_income", "Low-income share inside the catchment", "value"),
    ("served.low_income", "Low-income share in the comparison population", "comparison"),
    ("title_vi.disparate_impact", "Disparate impact test: difference (points)", "difference"),
    ("title_vi.disparate_impact", "Disparate impact test: finding", "rating"),
    (
        "title_vi.disproportionate_burden",
        "Disproportionate burden test: difference (points)",
        "difference",
    ),
    ("title_vi.disproportionate_burden", "Disproportionate burden test: finding", "rating"),
    ("distribution.lowest_two_quintiles", "Share going to the lowest-income 40%", "value"),
    (
        "distribution.lowest_two_quintiles",
        "Lowest-income 40%: share of the population",
        "comparison",
    ),
    ("distribution.lowest_two_quintiles", "Income distribution: finding", "rating"),
    (
        "displacement.vulnerable_population",
        "People in displacement-vulnerable neighbourhoods",
        "value",
    ),
    ("displacement.vulnerable_population", "Displacement: finding", "rating"),
    ("housing.net_affordable_units", "Net change in affordable homes", "value"),
    ("housing.affordable_share", "Affordable share of the new homes", "value"),
    ("housing.affordable_share", "Affordable share against local need: finding", "rating"),
    ("housing.poverty_concentration", "Poverty concentration at the site: finding", "rating"),
    ("housing.minority_concentration", "Minority concentration at the site: finding", "rating"),
    ("housing.recap", "R/ECAP at the site: finding", "rating"),
)


@dataclass(frozen=True)
class Alternative:
    """One column of the comparison: a label and a result; ``linked`` when its indicators are on
    this workbook's Indicators sheet."""

    label: str
    result: ProposalResult
    linked: bool


def build_comparison(
    alternatives: list[Alternative],
    header: str,
    ctx: BookContext | None = None,
    comparison_label: str = "the comparison population",
) -> SheetSpec:
    """Lay out the Comparison sheet for two or more alternatives (a fare change has none of
    its key indicators and is left out: its tests are on the Decision and Fare equity
    sheets)."""
    alternatives = [alt for alt in alternatives if has_catchment(alt.result)]
    sheet = SheetSpec(SHEET_NAME, freeze="B6", show_gridlines=False, tab_colour="CC79A7")
    if ctx is not None:
        page_setup(ctx, sheet, "Comparison of alternatives", title_rows="4:5")
    else:
        sheet.print = PrintSpec(title_rows="4:5", header=header)
    sheet.column_widths[1] = 46
    sheet.put(1, 1, "Comparison of alternatives", "title")
    sheet.put(
        2,
        1,
        "Key indicators side by side. Shares are % of people; differences are percentage points "
        "against "
        f"{comparison_label}. For a service cut, the people inside the catchment are those who "
        "bear the "
        "burden.",
        "note",
    )
    sheet.merge(2, 1, 2, max(2, len(alternatives) + 1))
    if ctx is not None:
        put_banner(sheet, 3, 1, max(2, len(alternatives) + 1))
    sheet.put(4, 1, "Key indicator", "header")
    sheet.put(5, 1, "Effect", "header")
    for col, alt in enumerate(alternatives, 2):
        sheet.put(4, col, alt.label, "header")
        effect = {True: "Benefit", False: "Burden", None: "Benefits and burdens"}[
            alt.result.is_benefit
        ]
        sheet.put(5, col, f"{ResultKind(alt.result.kind).label}: {effect}", "header")
        sheet.column_widths[col] = 28
    sheet.row_heights[4] = 32
    row = 6
    has_burdens = any(len(result_sides(alt.result)) > 1 for alt in alternatives)
    sections = [("", "Benefits" if has_burdens else "")]
    if has_burdens:
        sections.append((BURDENS_SUFFIX, "Burdens of scenarios that mix new service and cuts"))
    for suffix, title in sections:
        if title:
            sheet.put(row, 1, title, "heading")
            sheet.merge(row, 1, row, len(alternatives) + 1)
            row += 1
        for base, label, key in KEY_ROWS:
            found = [_indicator(alt.result, base + suffix) for alt in alternatives]
            if not any(found):
                continue
            sheet.put(row, 1, label, "wrap")
            for col, (alt, ind) in enumerate(zip(alternatives, found, strict=True), 2):
                _cell(sheet, row, col, alt, ind, key, ctx)
            row += 1
        row += 1
    return sheet


def _indicator(result: ProposalResult, indicator_id: str) -> Indicator | None:
    try:
        return result.indicator(indicator_id)
    except KeyError:
        return None


def _cell(
    sheet: SheetSpec,
    row: int,
    col: int,
    alt: Alternative,
    ind: Indicator | None,
    key: str,
    ctx: BookContext | None,
) -> None:
    if ind is None:
        sheet.put(row, col, "Not applicable", "small")
        return
    if key == "rating":
        words = ind.rating_label
        if alt.linked and ctx is not None:
            words = indicator_link(ctx, alt.result, ind, "rating", ind.rating_label)
        sheet.put(row, col, words, rating_style(ind.tone))
        if isinstance(words, Formula):  # the colour follows the recalculated words
            cell = a1(row, col)
            sheet.conditional_formats += tone_rules(f"{cell}:{cell}", cell)
        return
    value = {"value": ind.value, "comparison": ind.comparison, "difference": ind.difference}[key]
    fmt = "+0.0;-0.0;0.0" if key == "difference" else indicator_format(ind.unit)
    if key == "difference" and alt.linked and ctx is not None:
        link = indicator_link(ctx, alt.result, ind, key, value)
        if link is None:
            return
        sheet.put(row, col, link, "number", fmt)
        return
    if isinstance(value, str):
        sheet.put(row, col, value.capitalize(), "text")
    elif alt.linked and ctx is not None:
        sheet.put(row, col, indicator_link(ctx, alt.result, ind, key, value), "number", fmt)
    else:
        sheet.put(row, col, clean_number(value), "number", fmt)
