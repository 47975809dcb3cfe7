"""The Indicators sheet: every indicator of every project and scenario, traceable.

Values derived from the neighbourhood table are live formulas over the Neighbourhoods sheet
(SUMPRODUCT of share in catchment and counts, guarded against division by zero); the
engine's own values sit in grouped, hidden columns beside them, and "Matches engine" says
whether the two agree. Indicators that are not sums over neighbourhoods (segregation indices
of the study area, R/ECAP flags, band rents) carry the engine's value, labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.fields import group_specs
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject, TransitProject
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    NumberFormats,
    PrintSpec,
    SheetSpec,
    TableSpec,
    a1,
    clean_number,
    clean_text,
    quote_sheet,
    rating_style,
)
from equityplanner.report.sheets import (
    BookContext,
    ResultSide,
    effect_words,
    indicator_format,
    method_name,
    result_sides,
    unit_words,
)
from equityplanner.report.sheets.neighbourhoods import NeighbourhoodRefs

__all__ = ["COLUMNS", "SHEET_NAME", "build_indicators", "indicator_link"]

SHEET_NAME = "Indicators"
HEADER_ROW = 4
COLUMNS = {
    "unit": 1,
    "effect": 2,
    "name": 3,
    "value": 4,
    "comparison": 5,
    "difference": 6,
    "units": 7,
    "rating": 8,
    "finding": 9,
    "band": 10,
    "moe": 11,
    "cv": 12,
    "method": 13,
    "reference": 14,
    "id": 15,
    "how": 16,
    "match": 17,
    "engine_value": 18,
    "engine_comparison": 19,
    "engine_difference": 20,
}
PRINTED_COLUMNS = 12  # unit .. CV: the method, reference and check columns stay on screen
_HEADERS = {
    "unit": "Project or scenario",
    "effect": "Effect",
    "name": "Indicator",
    "value": "Value",
    "comparison": "Comparison",
    "difference": "Difference (points)",
    "units": "Unit",
    "rating": "Rating",
    "finding": "Finding",
    "moe": "Margin of error (90%)",
    "cv": "CV (%)",
    "band": "Reliability",
    "method": "Method",
    "reference": "Method reference",
    "id": "Indicator id",
    "how": "How computed",
    "match": "Formula matches engine",
    "engine_value": "Engine value",
    "engine_comparison": "Engine comparison",
    "engine_difference": "Engine difference (points)",
}
_WIDTHS = {
    "unit": 20,
    "effect": 8,
    "name": 30,
    "value": 10,
    "comparison": 11,
    "difference": 10,
    "units": 11,
    "rating": 20,
    "finding": 58,
    "band": 15,
    "moe": 10,
    "cv": 7,
    "method": 24,
    "reference": 40,
    "id": 28,
    "how": 12,
    "match": 11,
    "engine_value": 12,
    "engine_comparison": 12,
    "engine_difference": 12,
}
LIVE, ENGINE = "Live formula", "Engine value"
_KEY_NAMES = {
    "title_vi.disparate_impact": "TitleVI_DI",
    "title_vi.disproportionate_burden": "TitleVI_DB",
    "served.population": "Served_population",
    "distribution.lowest_two_quintiles": "Lowest40_share",
}


def build_indicators(ctx: BookContext) -> SheetSpec:
    """Lay out the Indicators sheet; records each indicator's row in ``ctx.indicator_rows``."""
    a = ctx.assessment
    sheet = SheetSpec(SHEET_NAME, freeze=f"D{HEADER_ROW + 1}", tab_colour="1F3864")
    sheet.put(1, 1, "Indicators", "title")
    engine_first = a1(1, COLUMNS["engine_value"])[:-1]
    engine_last = a1(1, COLUMNS["engine_difference"])[:-1]
    sheet.put(
        2,
        1,
        "Shares are % of people (or households); differences are percentage points. Where 'How "
        "computed' "
        "says 'Live formula', Value, Comparison and Difference are calculated in this workbook "
        "from the "
        "Neighbourhoods sheet. The engine's own results are in the grouped columns "
        f"{engine_first}-{engine_last} "
        "(click + above the column letters to show them) and 'Formula matches engine' compares the "
        "two. "
        f"Comparison population: {a.comparison_label}. The printout shows the columns up to CV; "
        "methods and "
        "references are also on the Methodology sheet.",
        "note",
    )
    sheet.merge(2, 1, 2, 9)
    for key, col in COLUMNS.items():
        sheet.put(HEADER_ROW, col, _HEADERS[key], "header")
        sheet.column_widths[col] = _WIDTHS[key]
    sheet.row_heights[HEADER_ROW] = 32
    row = HEADER_ROW + 1
    for result in a.results:
        sides = result_sides(result)
        for ind in result.indicators:
            side = next((s for s in sides if s.owns(ind)), sides[0])
            _indicator_row(ctx, sheet, row, result, side, ind)
            ctx.indicator_rows[(result.id, ind.id)] = row
            _key_name(ctx, sheet, row, result, side, ind)
            row += 1
    for ind in a.study_indicators:
        _indicator_row(ctx, sheet, row, None, None, ind)
        ctx.indicator_rows[("", ind.id)] = row
        row += 1
    last = max(row - 1, HEADER_ROW + 1)
    sheet.print = PrintSpec(
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        header=ctx.header,
        area=f"A1:{a1(last, PRINTED_COLUMNS)}",
    )
    sheet.tables.append(
        TableSpec(
            "IndicatorTable",
            f"A{HEADER_ROW}:{a1(last, max(COLUMNS.values()))}",
            style="TableStyleLight1",
        )
    )
    sheet.grouped_columns.append((COLUMNS["engine_value"], COLUMNS["engine_difference"], True))
    return sheet


def _indicator_row(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    result: ProposalResult | None,
    side: ResultSide | None,
    ind: Indicator,
) -> None:
    c = COLUMNS
    fmt = indicator_format(ind.unit)
    sheet.put(row, c["unit"], result.name if result else "Study area", "wrap")
    sheet.put(row, c["effect"], effect_words(side.is_benefit) if side else "Context", "text")
    sheet.put(row, c["name"], ind.name, "wrap")
    sheet.put(row, c["units"], unit_words(ind.unit), "text")
    sheet.put(row, c["rating"], ind.rating_label, rating_style(ind.tone))
    sheet.put(row, c["finding"], ind.finding, "wrap")
    rel = ind.reliability
    if rel is not None:
        sheet.put(
            row, c["moe"], rel.moe, "number", fmt if ind.unit != "count" else NumberFormats.DECIMAL
        )
        sheet.put(row, c["cv"], rel.cv_percent, "number", NumberFormats.INDEX)
        sheet.put(row, c["band"], _band_label(ctx, rel.band), "text")
    sheet.put(row, c["method"], method_name(ind.method), "wrap")
    sheet.put(row, c["reference"], ind.reference, "small")
    sheet.put(row, c["id"], ind.id, "small")
    formulas = (
        _formulas(ctx, result, side, ind, row)
        if result is not None and side is not None
        else (None, None, None)
    )
    engine = (ind.value, ind.comparison, ind.difference)
    keys = ("value", "comparison", "difference")
    live = any(f is not None for f in formulas)
    for key, formula, value in zip(keys, formulas, engine, strict=True):
        cell_fmt = NumberFormats.POINTS if key == "difference" else fmt
        if formula is not None:
            sheet.put(row, c[key], formula, "number", cell_fmt)
        elif isinstance(value, str):
            sheet.put(row, c[key], value.capitalize(), "text")
        else:
            sheet.put(row, c[key], clean_number(value), "number", cell_fmt)
        engine_value = value.capitalize() if isinstance(value, str) else clean_number(value)
        sheet.put(row, c[f"engine_{key}"], engine_value, "engine", cell_fmt)
    sheet.put(row, c["how"], LIVE if live else ENGINE, "small")
    if live:
        checks = [
            _same(a1(row, c[key]), a1(row, c[f"engine_{key}"]))
            for key, formula in zip(keys, formulas, strict=True)
            if formula is not None
        ]
        sheet.put(
            row, c["match"], Formula(f'=IF(AND({",".join(checks)}),"Yes","No")', "Yes"), "check"
        )


def _same(x: str, y: str) -> str:
    """Formula body: x and y are both empty, or equal numbers up to 1e-9 relative."""
    equal = f"ABS({x}-{y})<=1E-9*MAX(1,ABS({y}))"
    return f"IF(ISNUMBER({x}),IF(ISNUMBER({y}),{equal},FALSE),NOT(ISNUMBER({y})))"


def _band_label(ctx: BookContext, band: str | None) -> str:
    if not band:
        return ""
    scheme = load_resource("reliability.toml")["bands"].get(
        ctx.assessment.parameters.reliability_bands, {}
    )
    for entry in scheme.get("band", []):
        if entry["name"] == band:
            return str(entry["label"])
    return band.capitalize()


def _key_name(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    result: ProposalResult,
    side: ResultSide,
    ind: Indicator,
) -> None:
    """Workbook names for the key results (e.g. ``TitleVI_DI_route_14``, ``TitleVI_DI_pp_...``)."""
    key = ind.key
    prefix = _KEY_NAMES.get(str(key.base))
    if prefix is None:
        return
    slug = ctx.result_slugs[result.id] + side.name_suffix
    sheet.define_name(ctx.name(prefix, slug), row, COLUMNS["value"])
    if key.family is IndicatorFamily.TITLE_VI:
        sheet.define_name(ctx.name(prefix, "pp", slug), row, COLUMNS["difference"])


Cells = tuple[Formula | None, Formula | None, Formula | None]
_ENGINE: Cells = (None, None, None)  # no live formula: the engine's values


def _formulas(
    ctx: BookContext, result: ProposalResult, side: ResultSide, ind: Indicator, row: int
) -> Cells:
    """Live formulas of an indicator's value, comparison and difference (None: engine value)."""
    if ctx.nb is None:
        return _ENGINE
    live = _LiveFormulas(ctx, ctx.nb, result, side, ind, row)
    key = ind.key.base
    family = {
        IndicatorFamily.SERVED: live.served,
        IndicatorFamily.TITLE_VI: live.title_vi,
        IndicatorFamily.DISTRIBUTION: live.distribution,
        IndicatorFamily.DISPLACEMENT: live.displacement,
        IndicatorFamily.SEGREGATION: live.segregation,
        IndicatorFamily.HOUSING: live.housing,
    }.get(key.family)
    return family(key) if family is not None else _ENGINE


@dataclass
class _LiveFormulas:
    """The formulas of one indicator's row, by family (each returns :data:`_ENGINE` when the
    Neighbourhoods sheet lacks what it needs)."""

    ctx: BookContext
    nb: NeighbourhoodRefs
    result: ProposalResult
    side: ResultSide
    ind: Indicator
    row: int

    def __post_init__(self) -> None:
        self.e = a1(self.row, COLUMNS["value"])
        self.f = a1(self.row, COLUMNS["comparison"])
        self.s, self.m, self.p = self.nb.share(self.side), self.nb.comparison, self.nb.population

    def diff(self, extra: str = "") -> Formula:
        """Value less comparison, in points, when both are numbers."""
        e, f = self.e, self.f
        return Formula(
            f'=IF(AND(ISNUMBER({e}),ISNUMBER({f}){extra}),({e}-{f})*100,"")', self.ind.difference
        )

    def served(self, key: IndicatorId) -> Cells:
        nb, ind, s, m, p = self.nb, self.ind, self.s, self.m, self.p
        if key.group is None:  # served.population
            return (
                Formula(f"=SUMPRODUCT({s},{p})", ind.value),
                Formula(f"=SUMPRODUCT({m},{p})", ind.comparison),
                None,
            )
        gid = key.group
        if not nb.has_group(gid):
            return _ENGINE
        u = nb.columns[f"{gid}_universe"]
        c = nb.columns[f"{gid}_count"]
        value = Formula(
            f'=IF(AND(SUMPRODUCT({s},{u})>0,SUMPRODUCT({m},{u})>0),SUMPRODUCT({s},{c})/SUMPRODUCT({s},{u}),"")',
            ind.value,
        )
        return value, Formula("=" + nb.pooled_share(m, gid), ind.comparison), self.diff()

    def title_vi(self, key: IndicatorId) -> Cells:
        test = key.title_vi_test
        if key.measure is not None or test is None:  # a test of an access change
            return _ENGINE
        nb, ind, m = self.nb, self.ind, self.m
        gid = next((g for g, spec in group_specs().items() if spec.title_vi_test == test), None)
        transit = _transit_share(self.ctx, self.result, self.side)
        if gid is None or not nb.has_group(gid) or transit is None:
            return _ENGINE
        c = nb.columns[f"{gid}_count"]
        return (
            Formula("=" + nb.pooled_share(transit, gid), ind.value),
            Formula("=" + nb.pooled_share(m, gid), ind.comparison),
            self.diff(f",SUMPRODUCT({m},{c})>0"),
        )

    def distribution(self, key: IndicatorId) -> Cells:
        q, ind, s, m, p = self.nb.col("quintile"), self.ind, self.s, self.m, self.p
        if not q:
            return _ENGINE
        n = key.quintile
        if n is not None:

            def quintile_share(weights: str) -> str:
                total = f"SUMPRODUCT(--({q}>0),{weights},{p})"
                return f'=IF({total}>0,SUMPRODUCT(--({q}={n}),{weights},{p})/{total},"")'

            return (
                Formula(quintile_share(s), ind.value),
                Formula(quintile_share(m), ind.comparison),
                self.diff(),
            )
        if key.topic == "lowest_two_quintiles":

            def lowest_two(weights: str) -> str:
                total = f"SUMPRODUCT(--({q}>0),{weights},{p})"
                return f"=IF({total}>0,SUMPRODUCT(--({q}>=1),--({q}<=2),{weights},{p})/{total},0)"

            return (
                Formula(lowest_two(s), ind.value),
                Formula(lowest_two(m), ind.comparison),
                Formula(f"=({self.e}-{self.f})*100", ind.difference),
            )
        return _ENGINE

    def displacement(self, key: IndicatorId) -> Cells:
        v, ind, s, p = self.nb.col("is_vulnerable"), self.ind, self.s, self.p
        if key.topic != "vulnerable_population" or not v:
            return _ENGINE
        return (
            Formula(f"=SUMPRODUCT({s},{v},{p})", ind.value),
            Formula(f"=SUMPRODUCT({s},{p})", ind.comparison),
            None,
        )

    def segregation(self, key: IndicatorId) -> Cells:
        nb, ind = self.nb, self.ind
        if (
            key.topic != "catchment_minority_share"
            or not nb.has_group("minority")
            or ind.value is None
        ):
            return _ENGINE
        return (
            Formula("=" + nb.pooled_share(self.s, "minority"), ind.value),
            Formula("=" + nb.pooled_share(self.m, "minority"), ind.comparison),
            self.diff(),
        )

    def housing(self, key: IndicatorId) -> Cells:
        return _housing_formulas(self.ctx, self.result, self.ind, str(key), self.diff)


def _is_benefit(project: Any) -> bool:
    return isinstance(project, HousingProject) or project.change.is_benefit


def _side_projects(ctx: BookContext, result: ProposalResult, side: ResultSide) -> list[Any]:
    projects = {p.id: p for p in ctx.assessment.projects}
    members = [projects[pid] for pid in result.project_ids if pid in projects]
    return [p for p in members if _is_benefit(p) == side.is_benefit]


def _transit_share(ctx: BookContext, result: ProposalResult, side: ResultSide) -> str | None:
    """The share column the Title VI tests of a side are measured on.

    The tests concern transit service, so a side mixing housing and transit is measured on the
    catchment of its transit projects alone, which the Neighbourhoods sheet carries as its own
    share column.
    """
    members = _side_projects(ctx, result, side)
    transit = {p.id for p in members if isinstance(p, TransitProject)}
    if not transit:
        return None
    if len(transit) == len(members):
        return ctx.nb.share(side)
    return ctx.nb.transit_share.get((result.id, side.suffix))


def _housing_formulas(
    ctx: BookContext, result: ProposalResult, ind: Indicator, base: str, diff: Any
) -> tuple[Formula | None, Formula | None, Formula | None]:
    nb = ctx.nb
    project = ctx.housing_project(result)
    none: tuple[None, None, None] = (None, None, None)
    if project is None or project.id not in ctx.housing:
        return none
    h = ctx.housing[project.id]
    m = nb.comparison
    if base == "housing.affordable_share" and nb.has_group("rent_burdened"):
        return (
            Formula(f'=IF({h.total}>0,{h.affordable}/{h.total},"")', ind.value),
            Formula("=" + nb.site_value("rent_burdened_share", h.site), ind.comparison),
            diff(),
        )
    income = nb.col("median_household_income")
    if base == "housing.market_rent_burden_site" and income:
        site_income = f"INDEX({income},MATCH({h.site},{nb.columns['id']},0))"
        return Formula(f"={h.market_rent}*12/{site_income}", ind.value), None, diff()
    if base == "housing.market_rent_burden_city" and income:
        households = nb.col("households")
        if households:
            weights = f"SUMPRODUCT({m},{households},--ISNUMBER({income}))"
            average = f"(SUMPRODUCT({m},{households},{income})/{weights})"
        else:
            average = f"(SUMPRODUCT({m},{income})/SUMPRODUCT({m},--ISNUMBER({income})))"
        return Formula(f"={h.market_rent}*12/{average}", ind.value), None, diff()
    if base == "housing.poverty_concentration" and nb.has_group("poverty"):
        return (
            Formula("=" + nb.site_value("poverty_share", h.site), ind.value),
            Formula("=" + nb.pooled_share(m, "poverty"), ind.comparison),
            diff(),
        )
    if base == "housing.minority_concentration" and nb.has_group("minority"):
        population = f"INDEX({nb.population},MATCH({h.site},{nb.columns['id']},0))"
        share = f"INDEX({nb.columns['minority_share']},MATCH({h.site},{nb.columns['id']},0))"
        return (
            Formula(f"=IF({population}>0,{share},0)", ind.value),
            Formula("=" + nb.pooled_share(m, "minority"), ind.comparison),
            diff(),
        )
    if base == "housing.net_affordable_units":
        return (
            Formula(f"={h.net}", ind.value),
            Formula(f"={h.affordable_demolished}", ind.comparison),
            None,
        )
    return none


def indicator_link(
    ctx: BookContext, result: ProposalResult, ind: Indicator, key: str, value: Any
) -> Any:
    """A live reference to an indicator's cell on this sheet (``key``: value, comparison or
    difference), or the engine's value when the cell is text or the indicator has no row."""
    if isinstance(value, str):
        return clean_text(value).capitalize()
    row = ctx.indicator_rows.get((result.id, ind.id))
    if row is None:
        return clean_number(value)
    ref = f"{quote_sheet(SHEET_NAME)}!{a1(row, COLUMNS[key], absolute=True)}"
    return Formula(f'=IF(ISNUMBER({ref}),{ref},"")', clean_number(value))
