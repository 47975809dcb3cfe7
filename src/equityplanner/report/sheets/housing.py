"""The Housing sheet (only when a housing project is assessed), one printed page a project.

Per housing project: homes by affordability band with the highest affordable rent of each
band and the area's households in that band (who the homes can house), the homes gained and
lost and the households who must move, the neighbours within the walk catchment (measured
separately), the affordability tests and the concentration and displacement tests
(poverty, minority concentration, R/ECAP, direct and indirect displacement), housing +
transportation (H+T) for the typical household with and without transport costs, and the
screening layers at the site (Justice40 share of the people served, the site's flag, burden
percentiles). The proposal's
figures are inputs with workbook names (``HS_<project>_*``) that the Indicators sheet's
formulas use; the tests refer to the Indicators sheet's live cells.
"""

from __future__ import annotations

from collections.abc import Callable

from equityplanner.analysis.housing import max_affordable_rent
from equityplanner.catalog import load_resource
from equityplanner.model.project import AMI_BANDS, HousingProject
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    NumberFormats,
    SheetSpec,
    clean_number,
    rating_style,
)
from equityplanner.report.sheets import BookContext, indicator_format, page_setup, put_banner
from equityplanner.report.sheets.indicators import difference_format, indicator_link

__all__ = ["SHEET_NAME", "build_housing", "housing_units"]

SHEET_NAME = "Housing"
_BAND_LABELS = {
    "ami_30": "Up to 30% of AMI (extremely low income)",
    "ami_50": "31-50% of AMI (very low income)",
    "ami_80": "51-80% of AMI (low income)",
    "market": "Market rate",
}
_AFFORDABILITY = (
    "housing.affordable_share",
    "housing.market_rent_burden_site",
    "housing.market_rent_burden_city",
    "housing.band_rents",
    "housing.net_affordable_units",
)
_CONCENTRATION = (
    "housing.poverty_concentration",
    "housing.minority_concentration",
    "housing.recap",
    "housing.direct_displacement",
    "displacement.vulnerable_population",
)


def housing_units(ctx: BookContext) -> list[tuple[HousingProject, ProposalResult]]:
    """Each assessed housing project with its result."""
    out = []
    for result in ctx.assessment.results:
        project = ctx.housing_project(result)
        if project is not None:
            out.append((project, result))
    return out


def build_housing(ctx: BookContext) -> SheetSpec | None:
    """Lay out the Housing sheet, or None when no housing project was assessed."""
    pairs = housing_units(ctx)
    if not pairs:
        return None
    sheet = SheetSpec(SHEET_NAME, tab_colour="E69F00", show_gridlines=False)
    sheet.put(1, 1, "Housing", "title")
    sheet.put(
        2,
        1,
        "Homes by affordability band, homes gained and lost, and the affordability and "
        "concentration "
        "tests of each housing proposal. AMI = area median income. Figures in blue on a pale blue "
        "background are the proposal's inputs; the formulas of this sheet and of the Indicators "
        "sheet use them by name, so changing one updates the tests.",
        "note",
    )
    sheet.merge(2, 1, 2, 8)
    sheet.row_heights[2] = 32
    put_banner(sheet, 3, 1, 8)
    for col, width in zip(range(1, 9), (46, 14, 11, 11, 14, 14, 11, 150), strict=True):
        sheet.column_widths[col] = width
    row = 5
    for number, (project, result) in enumerate(pairs):
        if number:
            sheet.row_breaks.append(row - 1)  # one page a project
        row = _project_block(ctx, sheet, row, project, result) + 2
    page_setup(ctx, sheet, "Housing", pages_tall=len(pairs))
    return sheet


def _project_block(
    ctx: BookContext, sheet: SheetSpec, row: int, project: HousingProject, result: ProposalResult
) -> int:
    names = ctx.housing[project.id]
    ami = ctx.assessment.parameters.area_median_income_usd
    fractions = load_resource("thresholds.toml")["affordability"]["band_ami_fraction"]
    site_id, site_name = "", ""
    for ind in result.indicators:
        if "site_neighbourhood" in ind.details:
            site_id, site_name = (
                str(ind.details["site_neighbourhood"]),
                str(ind.details.get("site_name", "")),
            )
            break
    sheet.put(row, 1, project.name, "heading")
    sheet.merge(row, 1, row, 6)
    row += 1
    sheet.put(row, 1, "Site neighbourhood (id, name)", "label")
    sheet.put(row, 2, site_id, "input")
    sheet.define_name(names.site, row, 2)
    sheet.put(row, 3, site_name, "text")
    row += 2

    sheet.put(row, 1, "Homes by affordability band", "heading")
    sheet.merge(row, 1, row, 7)
    row += 1
    sheet.put_row(
        row,
        1,
        [
            "Band",
            "Income limit (share of AMI)",
            "Homes",
            "Share of homes",
            "Proposed monthly rent ($)",
            "Highest affordable rent ($)",
            "Within the limit",
            "Households in the area with an income in this band (estimate)",
        ],
        "header",
    )
    sheet.row_heights[row] = 45
    row += 1
    band_rows = {}
    by_band = _households_by_band(result)
    for band in AMI_BANDS:
        homes = int(project.units_by_band.get(band, 0))
        rent = project.proposed_rents_usd.get(band)
        sheet.put(row, 1, _BAND_LABELS.get(band, band), "text")
        fraction = fractions.get(band)
        sheet.put(row, 2, fraction, "number", NumberFormats.PCT0)
        sheet.put(row, 3, homes, "input", NumberFormats.COUNT)
        share = homes / project.total_units if project.total_units > 0 else None
        sheet.put(
            row,
            4,
            Formula(f'=IF({names.total}>0,C{row}/{names.total},"")', share),
            "number",
            NumberFormats.PCT,
        )
        sheet.put(row, 5, rent, "input", NumberFormats.MONEY)
        if band == "market":
            sheet.put(row, 6, "No limit", "small")
            if rent is not None:
                sheet.define_name(names.market_rent, row, 5)
        elif fraction is not None:
            limit = float(max_affordable_rent(fraction, ami)) if ami else None
            sheet.put(
                row,
                6,
                Formula(f'=IF(ISNUMBER({names.ami}),0.3*B{row}*{names.ami}/12,"")', limit),
                "number",
                NumberFormats.MONEY,
            )
            within = (
                None if rent is None or limit is None else ("Yes" if rent <= limit + 0.5 else "No")
            )
            sheet.put(
                row,
                7,
                Formula(
                    f'=IF(AND(ISNUMBER(E{row}),ISNUMBER(F{row})),IF(E{row}<=F{row}+0.5,"Yes","No"),"")',
                    within,
                ),
                "check",
            )
            households = by_band.get(band, {}).get("households")
            sheet.put(row, 8, households, "number", NumberFormats.COUNT)
        band_rows[band] = row
        row += 1
    sheet.put(row, 1, "All homes (as proposed)", "label")
    sheet.put(row, 3, project.total_units, "input_bold", NumberFormats.COUNT)
    sheet.define_name(names.total, row, 3)
    row += 2

    sheet.put(row, 1, "Homes gained and lost", "heading")
    sheet.merge(row, 1, row, 7)
    row += 1
    affordable_rows = [band_rows[b] for b in AMI_BANDS if b != "market"]
    items = [
        (
            "Affordable homes (up to 80% of AMI)",
            Formula("=" + "+".join(f"C{r}" for r in affordable_rows), project.affordable_units),
            names.affordable,
        ),
        ("Homes demolished", project.units_demolished, None),
        (
            "Affordable homes demolished",
            project.affordable_units_demolished,
            names.affordable_demolished,
        ),
        ("Net change in affordable homes", None, names.net),
        ("Households that would have to move", project.households_displaced, None),
        ("Area median income used (AMI, $ a year)", ami, names.ami),
    ]
    rows_of: dict[str, int] = {}
    for label, value, name in items:
        sheet.put(row, 1, label, "label")
        if name == names.net:
            value = Formula(
                f"=C{rows_of[names.affordable]}-C{rows_of[names.affordable_demolished]}",
                project.affordable_units - project.affordable_units_demolished,
            )
        fmt = (
            NumberFormats.MONEY
            if name == names.ami
            else (
                NumberFormats.POINTS.replace(".0", "") if name == names.net else NumberFormats.COUNT
            )
        )
        sheet.put(row, 3, value, "number_bold" if isinstance(value, Formula) else "input_bold", fmt)
        if name:
            sheet.define_name(name, row, 3)
            rows_of[name] = row
        if name == names.ami and ami is None:
            sheet.put(row, 4, "Not set: band rents are not checked", "note")
        row += 1
    row = _who(ctx, sheet, row + 1, project, result)
    row += 1
    row = _tests(ctx, sheet, row, result, "Affordability tests", _AFFORDABILITY)
    row += 1
    row = _tests(ctx, sheet, row, result, "Concentration and displacement tests", _CONCENTRATION)
    return _h_plus_t(ctx, sheet, row + 1, project, result)


def _h_plus_t(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    project: HousingProject,
    result: ProposalResult,
) -> int:
    """Housing + transportation (CNT H+T) with and without transport costs, and the screening
    layers at the site (``affordability.*`` and ``screening.*`` indicators)."""
    try:
        ht = result.indicator("affordability.h_plus_t")
    except KeyError:
        ht = None
    shown = {"affordability.h_plus_t", "affordability.transport_cost"} if ht is not None else set()
    if ht is not None:
        row = _h_plus_t_table(ctx, sheet, row, project, result, ht)
    affordability = tuple(
        i.id for i in result.indicators if i.category == "affordability" and i.id not in shown
    )
    if affordability:
        row = _tests(ctx, sheet, row, result, "Household transport costs", affordability) + 1
    screening = tuple(i.id for i in result.indicators if i.category == "screening")
    if screening:
        row = _tests(
            ctx,
            sheet,
            row,
            result,
            "Disadvantaged communities and environmental burden at the site",
            screening,
            finding=_screening_words,
        )
    return row


def _screening_words(ind: Indicator) -> str:
    """A burden percentile's source in a line (its finding repeats the row's numbers)."""
    column = ind.details.get("column")
    if column is None:
        return ind.finding
    layer = {"cejst": "CEJST", "ejscreen": "EJScreen", "etc": "USDOT ETC"}.get(
        str(ind.details.get("layer", "")), str(ind.details.get("layer", ""))
    )
    return f"{layer} column '{column}'; the 80th national percentile is used to screen."


def _h_plus_t_table(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    project: HousingProject,
    result: ProposalResult,
    ht: Indicator,
) -> int:
    """The typical household's housing and transport costs a year against its income, each
    against its benchmark (30%, 15%, 45% together); live where the market rent is an input."""
    d = ht.details
    income = clean_number(d.get("income_usd"))
    rent = clean_number(d.get("rent_usd_per_month"))
    transport = clean_number(d.get("transport_usd_per_year"))
    if income is None or rent is None or transport is None:
        return row
    label = ctx.assessment.comparison_label
    sheet.put(row, 1, "Housing + transportation (H+T) for the typical household", "heading")
    sheet.merge(row, 1, row, 8)
    row += 1
    sheet.put(row, 1, f"Typical household income of {label} (USD a year)", "label_wrap")
    sheet.put(row, 2, income, "number_bold", NumberFormats.MONEY)
    sheet.put(row, 3, f"{d.get('income_source', '')}", "note")
    sheet.merge(row, 3, row, 8)
    income_ref = f"$B${row}"
    row += 1
    sheet.put_row(
        row,
        1,
        ["Cost", "USD a year", "Share of income", "Benchmark", "Within the benchmark"],
        "header",
    )
    sheet.put(row, 6, "Rating", "header")
    sheet.merge(row, 6, row, 7)
    sheet.row_heights[row] = 30
    row += 1
    names = ctx.housing[project.id]
    market = d.get("housing_cost_source") == "the proposed market rent" and (
        project.proposed_rents_usd.get("market") is not None
    )
    housing_usd: object = Formula(f"=12*{names.market_rent}", 12 * rent) if market else 12 * rent
    transport_ind = _indicator(result, "affordability.transport_cost")
    transport_usd: object = (
        indicator_link(ctx, result, transport_ind, "value", transport)
        if transport_ind is not None and not d.get("with_transit_projects")
        else transport
    )
    first = row
    items = (
        (
            f"Housing: {d.get('housing_cost_source', 'rent')} (${rent:,.0f} a month)",
            housing_usd,
            12 * rent,
            d.get("housing_benchmark"),
        ),
        (
            "Transport: a household of the site's neighbourhood (modelled)",
            transport_usd,
            transport,
            d.get("transport_benchmark"),
        ),
    )
    for text, cell, usd, bench in items:
        sheet.put(row, 1, text, "wrap")
        sheet.put(row, 2, cell, "number", NumberFormats.MONEY)
        _share_cells(sheet, row, usd / income, income_ref, clean_number(bench))
        row += 1
    total = 12 * rent + transport
    sheet.put(row, 1, "Housing + transport (H+T)", "label")
    sheet.put(row, 2, Formula(f"=B{first}+B{first + 1}", total), "number_bold", NumberFormats.MONEY)
    _share_cells(sheet, row, total / income, income_ref, clean_number(ht.comparison))
    sheet.put(row, 6, ht.rating_label, rating_style(ht.tone))
    sheet.merge(row, 6, row, 7)
    row += 1
    moderate = clean_number(d.get("moderate_h_plus_t"))
    words = (
        f"Without transport costs the home takes {12 * rent / income:.1%} of income; with them "
        f"{total / income:.1%}."
    )
    if moderate is not None:
        words += (
            f" A moderate-income household (80% of the typical income) would spend "
            f"{moderate:.1%} on H+T."
        )
    words += (
        " Transport costs are modelled from the ACS with stated defaults where columns are "
        "missing (Methods and sources; Audit warnings)."
    )
    sheet.put(row, 1, words, "note")
    sheet.merge(row, 1, row, 8)
    sheet.row_heights[row] = 30
    return row + 2


def _share_cells(
    sheet: SheetSpec, row: int, share: float, income_ref: str, bench: float | None
) -> None:
    """Share of income (a formula of the row's USD and the income), benchmark, within it."""
    sheet.put(
        row,
        3,
        Formula(f'=IF(N({income_ref})>0,B{row}/{income_ref},"")', share),
        "number",
        NumberFormats.PCT,
    )
    sheet.put(row, 4, bench, "number", NumberFormats.PCT0)
    within = None if bench is None else ("Yes" if share <= bench + 1e-9 else "No")
    sheet.put(
        row,
        5,
        Formula(
            f'=IF(AND(ISNUMBER(C{row}),ISNUMBER(D{row})),IF(C{row}<=D{row}+1E-9,"Yes","No"),"")',
            within,
        ),
        "check",
    )


def _indicator(result: ProposalResult, ind_id: str) -> Indicator | None:
    try:
        return result.indicator(ind_id)
    except KeyError:
        return None


def _tests(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    result: ProposalResult,
    title: str,
    ids: tuple[str, ...],
    *,
    finding: Callable[[Indicator], str] | None = None,
) -> int:
    sheet.put(row, 1, title, "heading")
    sheet.merge(row, 1, row, 8)
    row += 1
    sheet.put_row(
        row,
        1,
        ["Test", "Value", "Compared with", "Difference (points for shares)", "Rating"],
        "header",
    )
    sheet.put(row, 8, "Finding", "header")
    sheet.merge(row, 5, row, 7)
    row += 1
    for ind_id in ids:
        try:
            ind = result.indicator(ind_id)
        except KeyError:
            continue
        sheet.put(row, 1, ind.name, "wrap")
        for col, key, value in (
            (2, "value", ind.value),
            (3, "comparison", ind.comparison),
            (4, "difference", ind.difference),
        ):
            fmt = difference_format(ind.unit) if key == "difference" else indicator_format(ind.unit)
            sheet.put(
                row,
                col,
                indicator_link(ctx, result, ind, key, value),
                "number" if not isinstance(value, str) else "wrap",
                fmt,
            )
        sheet.put(row, 5, ind.rating_label, rating_style(ind.tone))
        sheet.merge(row, 5, row, 7)
        sheet.put(row, 8, finding(ind) if finding else ind.finding, "wrap")
        row += 1
    return row


def _households_by_band(result: ProposalResult) -> dict[str, dict[str, float]]:
    try:
        bands = result.indicator("housing.households_by_band").details.get("bands", {})
    except KeyError:
        return {}
    return dict(bands)


def _who(
    ctx: BookContext, sheet: SheetSpec, row: int, project: HousingProject, result: ProposalResult
) -> int:
    """Who the homes house, and the neighbours, measured separately."""
    sheet.put(row, 1, "Who the homes house, and who lives near them", "heading")
    sheet.merge(row, 1, row, 8)
    row += 1
    try:
        housed = result.indicator("housing.households_by_band").finding
    except KeyError:
        housed = (
            "Not estimated: set the area median income (AMI) and give the neighbourhoods' "
            "households and median household incomes."
        )
    sheet.put(row, 1, "The households the affordable homes are for", "label_wrap")
    sheet.put(row, 2, housed, "wrap")
    sheet.merge(row, 2, row, 8)
    row += 1
    radius = ctx.assessment.parameters.catchment_for(project)
    try:
        people = result.indicator("served.population").value
        near = f"About {people:,.0f} people" if isinstance(people, int | float) else "The people"
    except KeyError:
        near = "The people"
    sheet.put(row, 1, f"Neighbours within {radius:,.0f} m", "label_wrap")
    sheet.put(
        row,
        2,
        f"{near} live within {radius:,.0f} m of the site. The effects on them (new amenity, "
        "rents, displacement pressure) are measured on the Distribution and Indicators sheets, "
        "separately from who the homes house: a mixed-income development can serve low-income "
        "households while its neighbours are better off.",
        "wrap",
    )
    sheet.merge(row, 2, row, 8)
    return row + 1
