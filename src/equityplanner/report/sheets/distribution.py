"""The Distribution sheet: who gets the benefit (or bears the burden), by income and group.

Per project or scenario side: the income-quintile matrix (population share, share of the
benefit or burden, difference, TAG A4.2 seven-point rating with its symbol and words) as live
formulas over the Neighbourhoods sheet, the group shares inside the catchment against the
comparison population (live references to the Indicators sheet), and two native bar charts.
"""

from __future__ import annotations

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.results import Indicator
from equityplanner.report.layout import (
    ChartSpec,
    Formula,
    NumberFormats,
    PrintSpec,
    RangeRef,
    SeriesSpec,
    SheetSpec,
    clean_number,
    rating_style,
)
from equityplanner.report.sheets import BookContext, ResultSide, result_sides
from equityplanner.report.sheets.indicators import indicator_link
from equityplanner.report.sheets.neighbourhoods import short_group_label

__all__ = ["SHEET_NAME", "build_distribution"]

SHEET_NAME = "Distribution"
_CHART_COL = "J"
_CHART_ROWS = 17  # rows a 7.5 cm chart covers, with a margin


def build_distribution(ctx: BookContext) -> SheetSpec:
    """Lay out the Distribution sheet (tables and charts for every side of every result)."""
    a = ctx.assessment
    sheet = SheetSpec(SHEET_NAME, tab_colour="0072B2", show_gridlines=False)
    sheet.print = PrintSpec(header=ctx.header)
    threshold = a.parameters.distribution_threshold_pp
    sheet.put(1, 1, "Distribution", "title")
    sheet.put(
        2,
        1,
        f"Income quintiles are formed within {a.comparison_label} from median household income, "
        "weighted by "
        "population (quintile 1 = lowest income). Each quintile's share of the benefit (or burden) "
        "is compared "
        "with its share of the population and rated on the seven-point scale of UK TAG unit A4.2; "
        "'broadly in "
        f"line' means within {threshold:g} percentage points (a project setting). Figures are live "
        "formulas "
        "over the Neighbourhoods sheet.",
        "note",
    )
    sheet.merge(2, 1, 2, 8)
    for col, width in zip(range(1, 10), (9, 31, 12, 12, 12, 12, 12, 26, 3), strict=True):
        sheet.column_widths[col] = width
    row = 4
    for result in a.results:
        for side in result_sides(result):
            if row > 4:
                sheet.row_breaks.append(row - 1)  # one project or scenario side per printed page
            row = _side_block(ctx, sheet, row, side) + 2
    return sheet


def _side_block(ctx: BookContext, sheet: SheetSpec, row: int, side: ResultSide) -> int:
    nb = ctx.nb
    effect = side.effect
    tag = load_resource("ratings.toml")["tag"]
    strong = load_resource("palettes.toml")["tones"][
        "beneficial" if side.is_benefit else "adverse"
    ]["strong"].lstrip("#")
    grey = "8C8C8C"
    sheet.put(row, 1, f"{side.label}: who gets the {effect}", "heading")
    sheet.merge(row, 1, row, 8)
    row += 1
    quintiles = [side.indicator(f"distribution.q{n}") for n in range(1, 6)]
    if nb is None or not all(quintiles) or not nb.col("quintile"):
        sheet.put(
            row,
            1,
            "The income-quintile distribution was not assessed (the data has no median household "
            "income).",
            "note",
        )
        sheet.merge(row, 1, row, 8)
        row += 2
    else:
        row = _quintile_table(
            ctx, sheet, row, side, [q for q in quintiles if q is not None], tag, strong, grey
        )
    return _group_table(ctx, sheet, row, side, strong, grey)


def _quintile_table(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    side: ResultSide,
    quintiles: list[Indicator],
    tag: dict,
    strong: str,
    grey: str,
) -> int:
    nb = ctx.nb
    effect = side.effect
    labels = load_resource("indicators.toml")["distribution"]["quintile_labels"]
    header = row
    sheet.put_row(
        header,
        1,
        [
            "Quintile",
            "Income group",
            "Population",
            "Population share",
            "People in catchment",
            f"Share of the {effect}",
            "Difference (points)",
            "Rating (TAG A4.2)",
        ],
        "header",
    )
    sheet.row_heights[header] = 32
    first, last = header + 1, header + 5
    q, m, p, s = nb.col("quintile"), nb.comparison, nb.population, nb.share(side)
    for n, ind in enumerate(quintiles, 1):
        r = header + n
        sheet.put(r, 1, n, "check", NumberFormats.INT)
        sheet.put(r, 2, labels[n - 1].capitalize(), "text")
        sheet.put(
            r,
            3,
            Formula(
                f"=SUMPRODUCT(--({q}={n}),{m},{p})", clean_number(ind.details.get("population"))
            ),
            "number",
            NumberFormats.COUNT,
        )
        sheet.put(
            r,
            4,
            Formula(
                f'=IF(SUM(C${first}:C${last})>0,C{r}/SUM(C${first}:C${last}),"")',
                clean_number(ind.comparison),
            ),
            "number",
            NumberFormats.PCT,
        )
        sheet.put(
            r,
            5,
            Formula(f"=SUMPRODUCT(--({q}={n}),{s},{p})", clean_number(ind.details.get("benefit"))),
            "number",
            NumberFormats.COUNT,
        )
        sheet.put(
            r,
            6,
            Formula(
                f'=IF(SUM(E${first}:E${last})>0,E{r}/SUM(E${first}:E${last}),"")',
                clean_number(ind.value),
            ),
            "number",
            NumberFormats.PCT,
        )
        sheet.put(
            r,
            7,
            Formula(
                f'=IF(AND(ISNUMBER(F{r}),ISNUMBER(D{r})),(F{r}-D{r})*100,"")',
                clean_number(ind.difference),
            ),
            "number",
            NumberFormats.POINTS,
        )
        symbol = tag.get(ind.rating, {}).get("symbol", "")
        sheet.put(r, 8, f"{symbol}  {ind.rating_label}".strip(), rating_style(ind.tone))
    total = header + 6
    populations = [clean_number(i.details.get("population")) or 0.0 for i in quintiles]
    benefits = [clean_number(i.details.get("benefit")) or 0.0 for i in quintiles]
    sheet.put(total, 2, "All ranked neighbourhoods", "label")
    sheet.put(
        total,
        3,
        Formula(f"=SUM(C{first}:C{last})", float(sum(populations))),
        "number_bold",
        NumberFormats.COUNT,
    )
    sheet.put(
        total,
        5,
        Formula(f"=SUM(E{first}:E{last})", float(sum(benefits))),
        "number_bold",
        NumberFormats.COUNT,
    )
    chart_title = f"Share of the {effect} and of the population by income quintile: {side.label}"
    sheet.charts.append(
        ChartSpec(
            title=chart_title,
            anchor=f"{_CHART_COL}{header}",
            categories=RangeRef(SHEET_NAME, 2, first, 2, last),
            series=(
                SeriesSpec(RangeRef(SHEET_NAME, 4, first, 4, last), "Population share", grey),
                SeriesSpec(
                    RangeRef(SHEET_NAME, 6, first, 6, last), f"Share of the {effect}", strong
                ),
            ),
            y_title="Share",
            x_title="Income quintile (1 = lowest income)",
            description=chart_title,
        )
    )
    return header + _CHART_ROWS


def _group_table(
    ctx: BookContext, sheet: SheetSpec, row: int, side: ResultSide, strong: str, grey: str
) -> int:
    a = ctx.assessment
    groups = [
        ind
        for ind in side.result.indicators
        if ind.category is IndicatorFamily.SERVED
        and side.owns(ind)
        and ind.value_unit == "share"
        and ind.value is not None
    ]
    if not groups:
        return row
    header = row
    sheet.put_row(
        header,
        1,
        ["", "Group", "Inside the catchment", a.comparison_label, "Difference (points)", "Rating"],
        "header",
    )
    sheet.merge(header, 6, header, 8)
    sheet.row_heights[header] = 32
    first = header + 1
    for i, ind in enumerate(groups):
        r = first + i
        gid = ind.details.get("group") or ind.key.group
        sheet.put(r, 2, short_group_label(str(gid)), "text")
        sheet.put(
            r,
            3,
            indicator_link(ctx, side.result, ind, "value", ind.value),
            "number",
            NumberFormats.PCT,
        )
        sheet.put(
            r,
            4,
            indicator_link(ctx, side.result, ind, "comparison", ind.comparison),
            "number",
            NumberFormats.PCT,
        )
        sheet.put(
            r,
            5,
            indicator_link(ctx, side.result, ind, "difference", ind.difference),
            "number",
            NumberFormats.POINTS,
        )
        sheet.put(r, 6, ind.rating_label, rating_style(ind.tone))
        sheet.merge(r, 6, r, 8)
    last = first + len(groups) - 1
    title = f"Group shares inside the catchment and in {a.comparison_label}: {side.label}"
    sheet.charts.append(
        ChartSpec(
            title=title,
            anchor=f"{_CHART_COL}{header}",
            categories=RangeRef(SHEET_NAME, 2, first, 2, last),
            series=(
                SeriesSpec(RangeRef(SHEET_NAME, 3, first, 3, last), "Inside the catchment", strong),
                SeriesSpec(RangeRef(SHEET_NAME, 4, first, 4, last), a.comparison_label, grey),
            ),
            y_title="Share",
            horizontal=True,
            height_cm=max(7.5, 0.75 * len(groups) + 2.5),
            description=title,
        )
    )
    chart_rows = int(max(7.5, 0.75 * len(groups) + 2.5) / 0.5) + 2
    return header + max(len(groups) + 2, chart_rows)
