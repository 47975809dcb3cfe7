"""The Distribution sheet: who gets the benefit (or bears the burden), by income and group.

Printed on three pages at most, whatever the number of proposals:

- the income-quintile matrix: one row per project or scenario side, each quintile's share of
  the benefit or burden (live formulas over the Neighbourhoods sheet) against the
  population's share by quintile (one row, the same for every side), and the UK TAG A4.2
  seven-point rating of each quintile and of the lowest-income 40%, formulas of the two
  shares and the adopted "broadly in line" band (an input cell of the Decision sheet);
- the group matrix: each group's share inside every side's catchment against its share of
  the comparison population (live references to the Indicators sheet);
- one bar chart per side (quintile shares against population shares), four to a page.
"""

from __future__ import annotations

import math

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.results import Indicator
from equityplanner.report.layout import (
    ChartSpec,
    Formula,
    NumberFormats,
    RangeRef,
    SeriesSpec,
    SheetSpec,
    a1,
    clean_number,
    rating_style,
)
from equityplanner.report.sheets import (
    BookContext,
    ResultSide,
    has_catchment,
    page_setup,
    put_banner,
    result_sides,
    tone_rules,
)
from equityplanner.report.sheets.indicators import indicator_link, tag_rating_formula
from equityplanner.report.sheets.neighbourhoods import short_group_label

__all__ = ["SHEET_NAME", "build_distribution"]

SHEET_NAME = "Distribution"
_LAST_COL = 14  # A label, B effect, C-G quintile shares, H lowest 40%, I-M ratings, N rating
_SHARE_COL, _LOW_COL, _RATING_COL = 3, 8, 9
_CHARTS_PER_ROW, _CHART_ROWS = 2, 23  # a 10.5 cm chart covers about 20 rows of 15 pt
_CHART_WIDTH_CM, _CHART_HEIGHT_CM = 17.5, 10.5


def build_distribution(ctx: BookContext) -> SheetSpec:
    """Lay out the Distribution sheet (matrices and one chart per side)."""
    a = ctx.assessment
    sheet = SheetSpec(SHEET_NAME, tab_colour="0072B2", show_gridlines=False)
    widths = [30, 9] + [10] * 6 + [17] * 6
    for col, width in enumerate(widths, 1):
        sheet.column_widths[col] = width
    sheet.put(1, 1, "Distribution: who gets the benefit or bears the burden", "title")
    sheet.merge(1, 1, 1, _LAST_COL)
    sheet.put(
        2,
        1,
        f"Income quintiles are formed within {a.comparison_label} from median household income, "
        "weighted by population (quintile 1 = lowest incomes, each about a fifth of the "
        "population). Each quintile's share of a proposal's benefit (or burden) is set against "
        "its share of the population and rated on the UK TAG A4.2 seven-point scale; 'broadly in "
        "line' means within the band on the Decision sheet. A housing project's row counts its "
        "neighbours within the walk catchment; who the new homes house is on the Housing sheet.",
        "note",
    )
    sheet.merge(2, 1, 2, _LAST_COL)
    sheet.row_heights[2] = 44
    put_banner(sheet, 3, 1, _LAST_COL)
    sides = [side for result in a.results if has_catchment(result) for side in result_sides(result)]
    row = 5
    chart_rows: list[tuple[ResultSide, int]] = []
    if ctx.nb is not None and ctx.nb.col("quintile"):
        row, chart_rows = _quintile_matrix(ctx, sheet, row, sides)
    else:
        sheet.put(
            row,
            1,
            "The income-quintile distribution was not assessed (the data has no median household "
            "income).",
            "note",
        )
        sheet.merge(row, 1, row, _LAST_COL)
        row += 2
    row = _group_matrix(ctx, sheet, row + 1, sides)
    _charts(ctx, sheet, row + 1, chart_rows)
    page_setup(ctx, sheet, "Distribution")
    return sheet


def _quintile_matrix(
    ctx: BookContext, sheet: SheetSpec, row: int, sides: list[ResultSide]
) -> tuple[int, list[tuple[ResultSide, int]]]:
    """The quintile matrix; returns the next row and each charted side's row."""
    nb = ctx.nb
    labels = load_resource("indicators.toml")["distribution"]["quintile_labels"]
    sheet.put(row, 1, "Share of each proposal's effect by income quintile", "heading")
    sheet.merge(row, 1, row, _LAST_COL)
    row += 1
    header = row
    names = [f"Q{n}: {labels[n - 1]}" for n in range(1, 6)]
    sheet.put_row(
        header,
        1,
        [
            "Project or scenario",
            "Effect",
            *names,
            "Lowest-income 40%",
            *(f"Q{n} rating (TAG A4.2)" for n in range(1, 6)),
            "Lowest-income 40%: rating",
        ],
        "header",
    )
    sheet.row_heights[header] = 45
    row += 1
    population_row = row
    q, m, p = nb.col("quintile"), nb.comparison, nb.population
    first_side = next((s for s in sides if s.indicator("distribution.q1") is not None), None)
    sheet.put(row, 1, f"Population of {ctx.assessment.comparison_label}", "label_wrap")
    sheet.put(row, 2, "Share", "small")
    total = f"SUMPRODUCT(--({q}>0),{m},{p})"
    for n in range(1, 6):
        ind = first_side.indicator(f"distribution.q{n}") if first_side else None
        sheet.put(
            row,
            _SHARE_COL + n - 1,
            Formula(
                f'=IF({total}>0,SUMPRODUCT(--({q}={n}),{m},{p})/{total},"")',
                clean_number(ind.comparison) if ind else None,
            ),
            "number_bold",
            NumberFormats.PCT,
        )
    low = first_side.indicator("distribution.lowest_two_quintiles") if first_side else None
    c1, c2 = a1(row, _SHARE_COL), a1(row, _SHARE_COL + 1)
    sheet.put(
        row,
        _LOW_COL,
        Formula(f'=IF(ISNUMBER({c1}),{c1}+{c2},"")', clean_number(low.comparison) if low else None),
        "number_bold",
        NumberFormats.PCT,
    )
    row += 1
    charted: list[tuple[ResultSide, int]] = []
    for side in sides:
        quintiles = [side.indicator(f"distribution.q{n}") for n in range(1, 6)]
        if not all(quintiles):
            continue
        _side_row(sheet, row, side, [i for i in quintiles if i is not None], population_row, nb)
        charted.append((side, row))
        row += 1
    if charted:
        first, last = charted[0][1], charted[-1][1]
        ref = f"{a1(first, _RATING_COL)}:{a1(last, _LAST_COL)}"
        sheet.conditional_formats += tone_rules(ref, a1(first, _RATING_COL))
    sheet.put(
        row,
        1,
        "Ratings: large = the quintile's share of the effect is more than the band above its "
        "population share; moderate = within the band; slight = more than the band below; "
        "neutral = no share. Beneficial for a benefit, adverse for a burden.",
        "note",
    )
    sheet.merge(row, 1, row, _LAST_COL)
    return row + 1, charted


def _side_row(
    sheet: SheetSpec,
    row: int,
    side: ResultSide,
    quintiles: list[Indicator],
    population_row: int,
    nb: object,
) -> None:
    q, p, s = nb.col("quintile"), nb.population, nb.share(side)  # type: ignore[attr-defined]
    sheet.put(row, 1, side.label, "label_wrap")
    sheet.put(row, 2, side.effect.capitalize(), "text")
    total = f"SUMPRODUCT(--({q}>0),{s},{p})"
    for n, ind in enumerate(quintiles, 1):
        col = _SHARE_COL + n - 1
        sheet.put(
            row,
            col,
            Formula(
                f'=IF({total}>0,SUMPRODUCT(--({q}={n}),{s},{p})/{total},"")',
                clean_number(ind.value),
            ),
            "number",
            NumberFormats.PCT,
        )
        share, population = a1(row, col), a1(population_row, col)
        sheet.put(
            row,
            _RATING_COL + n - 1,
            Formula("=" + tag_rating_formula(share, population, side.is_benefit), ind.rating_label),
            rating_style(ind.tone),
        )
    low = side.indicator("distribution.lowest_two_quintiles")
    c1, c2 = a1(row, _SHARE_COL), a1(row, _SHARE_COL + 1)
    sheet.put(
        row,
        _LOW_COL,
        Formula(f"=IF(ISNUMBER({c1}),{c1}+{c2},0)", clean_number(low.value) if low else None),
        "number",
        NumberFormats.PCT,
    )
    if low is not None:
        from equityplanner.report.sheets.indicators import lowest_two_formula

        share, population = a1(row, _LOW_COL), a1(population_row, _LOW_COL)
        words = (
            Formula("=" + lowest_two_formula(share, population, side.is_benefit), low.rating_label)
            if low.rating != "not_assessed"
            else low.rating_label
        )
        sheet.put(row, _LAST_COL, words, rating_style(low.tone))


def _group_matrix(ctx: BookContext, sheet: SheetSpec, row: int, sides: list[ResultSide]) -> int:
    """Each group's share inside every side's catchment, against the comparison population."""
    a = ctx.assessment
    groups: dict[str, dict[int, Indicator]] = {}
    for i, side in enumerate(sides):
        for ind in side.result.indicators:
            if (
                ind.category is IndicatorFamily.SERVED
                and side.owns(ind)
                and ind.value_unit == "share"
                and ind.key.group is not None
            ):
                groups.setdefault(ind.key.group, {})[i] = ind
    if not groups:
        return row
    shown = sides[: _LAST_COL - 2]
    sheet.put(row, 1, f"Who is inside each catchment, against {a.comparison_label}", "heading")
    sheet.merge(row, 1, row, _LAST_COL)
    row += 1
    sheet.put_row(row, 1, ["Group", a.comparison_label, *(s.label for s in shown)], "header")
    sheet.row_heights[row] = 58
    row += 1
    for gid, by_side in groups.items():
        sheet.put(row, 1, short_group_label(gid), "text")
        some = next(iter(by_side.values()))
        first_side = sides[next(iter(by_side))]
        sheet.put(
            row,
            2,
            indicator_link(ctx, first_side.result, some, "comparison", some.comparison),
            "number_bold",
            NumberFormats.PCT,
        )
        for col, side in enumerate(shown, 3):
            found = by_side.get(sides.index(side))
            if found is None:
                continue
            sheet.put(
                row,
                col,
                indicator_link(ctx, side.result, found, "value", found.value),
                rating_style(found.tone),
                NumberFormats.PCT,
            )
        row += 1
    sheet.put(
        row,
        1,
        "Colours follow each share's rating on the Indicators sheet: reaching a group more than "
        "its share (blue) or less (orange) for a benefit, the reverse for a burden; grey where "
        "the difference is small or not significant at 90%. Household groups are shares of "
        "households.",
        "note",
    )
    sheet.merge(row, 1, row, _LAST_COL)
    return row + 1


def _charts(
    ctx: BookContext, sheet: SheetSpec, row: int, charted: list[tuple[ResultSide, int]]
) -> None:
    """One chart per side, two across and two down to a printed page."""
    if not charted:
        return
    strong = load_resource("palettes.toml")["tones"]
    grey = "8C8C8C"
    header_row = charted[0][1] - 2
    population_row = charted[0][1] - 1
    sheet.row_breaks.append(row - 1)
    for i, (side, side_row) in enumerate(charted):
        line, across = divmod(i, _CHARTS_PER_ROW)
        if line and not across and line % 2 == 0:
            sheet.row_breaks.append(row + line * _CHART_ROWS - 1)
        anchor_col = "A" if across == 0 else "I"
        anchor = f"{anchor_col}{row + line * _CHART_ROWS}"
        colour = strong["beneficial" if side.is_benefit else "adverse"]["strong"].lstrip("#")
        title = f"{side.label}: share of the {side.effect} by income quintile"
        shares = [
            value
            for n in range(1, 6)
            if (ind := side.indicator(f"distribution.q{n}")) is not None
            for value in (ind.value, ind.comparison)
            if isinstance(value, float) and math.isfinite(value)
        ]
        sheet.charts.append(
            ChartSpec(
                title=title,
                anchor=anchor,
                categories=RangeRef(SHEET_NAME, _SHARE_COL, header_row, _SHARE_COL + 4, header_row),
                series=(
                    SeriesSpec(
                        RangeRef(
                            SHEET_NAME, _SHARE_COL, population_row, _SHARE_COL + 4, population_row
                        ),
                        "Population share",
                        grey,
                    ),
                    SeriesSpec(
                        RangeRef(SHEET_NAME, _SHARE_COL, side_row, _SHARE_COL + 4, side_row),
                        f"Share of the {side.effect}",
                        colour,
                    ),
                ),
                y_title="Share",
                x_title="Income quintile (1 = lowest incomes)",
                width_cm=_CHART_WIDTH_CM,
                height_cm=_CHART_HEIGHT_CM,
                description=title,
                # A share cannot pass 100%: a quintile with (nearly) all of it would otherwise
                # get an axis to 120%.
                y_max=1.0 if max(shares, default=0.0) > 0.8 else None,
            )
        )
