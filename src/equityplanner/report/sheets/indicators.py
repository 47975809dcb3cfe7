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

from equityplanner.analysis.indicators.make import rating_words
from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.fields import group_specs
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject, TransitProject
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    NumberFormats,
    SheetSpec,
    TableSpec,
    a1,
    clean_number,
    clean_text,
    excel_string,
    quote_sheet,
    rating_style,
)
from equityplanner.report.sheets import (
    BookContext,
    ResultSide,
    Thresholds,
    effect_words,
    excel_round,
    has_catchment,
    indicator_format,
    method_name,
    page_setup,
    put_banner,
    result_sides,
    tone_rules,
    unit_words,
)
from equityplanner.report.sheets.neighbourhoods import NeighbourhoodRefs

__all__ = ["COLUMNS", "SHEET_NAME", "build_indicators", "difference_format", "indicator_link"]

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
    "difference": "Difference (points for shares)",
    "units": "Unit",
    "rating": "Rating",
    "finding": "Finding",
    "moe": "Margin of error of the value (90%)",
    "cv": "CV (%)",
    "band": "Reliability",
    "method": "Method",
    "reference": "Method reference",
    "id": "Indicator id",
    "how": "How computed",
    "match": "Formula matches engine",
    "engine_value": "Engine value",
    "engine_comparison": "Engine comparison",
    "engine_difference": "Engine difference (unrounded)",
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
        "Shares are % of people (or of households, for household groups); differences are "
        "percentage points for shares and are the value less the comparison as printed. Where "
        "'How computed' says 'Live formula', Value, Comparison and Difference are calculated in "
        "this workbook from the Neighbourhoods sheet; the Title VI verdicts and the income "
        "ratings are formulas of these numbers and of the thresholds on the Decision sheet. The "
        f"engine's own results are in the grouped columns {engine_first}-{engine_last} (click + "
        "above the column letters to show them) and 'Formula matches engine' compares the two. "
        f"Comparison population: {a.comparison_label}. Margins of error of shares are in "
        "percentage points. The printout shows the columns up to CV; methods and references are "
        "on the Methodology sheet.",
        "note",
    )
    sheet.merge(2, 1, 2, 9)
    sheet.row_heights[2] = 62
    put_banner(sheet, 3, 1, 9)
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
    page_setup(
        ctx,
        sheet,
        "Indicators",
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        area=f"A1:{a1(last, PRINTED_COLUMNS)}",
    )
    rating = COLUMNS["rating"]
    sheet.conditional_formats += tone_rules(
        f"{a1(HEADER_ROW + 1, rating)}:{a1(last, rating)}", a1(HEADER_ROW + 1, rating)
    )
    match = COLUMNS["match"]
    ctx.check_refs.append(
        f"{quote_sheet(SHEET_NAME)}!{a1(HEADER_ROW + 1, match, absolute=True)}:"
        f"{a1(last, match, absolute=True)}"
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
    sheet.put(row, c["rating"], _rating_cell(ctx, result, side, ind, row), rating_style(ind.tone))
    sheet.put(row, c["finding"], ind.finding, "wrap")
    rel = ind.reliability
    if rel is not None:
        if ind.unit == "share":
            moe = None if rel.moe is None else rel.moe * 100.0  # in percentage points
            sheet.put(row, c["moe"], moe, "number", NumberFormats.MOE_POINTS)
        else:
            sheet.put(row, c["moe"], rel.moe, "number", NumberFormats.MOE_COUNT)
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
    shown = _display(ind.unit) if _is_value_less_comparison(ind) else None
    if not _is_value_less_comparison(ind):
        # The engine's difference is another quantity (a group's change of access, not its
        # level against everyone's): the finding gives it; the column would misread it.
        formulas = (formulas[0], formulas[1], None)
    if formulas[2] is None and shown is not None and ind.difference is not None:
        # Engine values: the printed difference is still the printed value less comparison.
        formulas = (formulas[0], formulas[1], _difference(ind, row, shown))
    engine = (
        ind.value,
        ind.comparison,
        ind.difference if _is_value_less_comparison(ind) else None,
    )
    keys = ("value", "comparison", "difference")
    live = formulas[0] is not None or formulas[1] is not None
    diff_fmt = shown[3] if shown else NumberFormats.POINTS
    for key, formula, value in zip(keys, formulas, engine, strict=True):
        cell_fmt = diff_fmt if key == "difference" else fmt
        if formula is not None:
            sheet.put(row, c[key], formula, "number", cell_fmt)
        elif isinstance(value, str):
            sheet.put(row, c[key], value.capitalize(), "text")
        else:
            sheet.put(row, c[key], clean_number(value), "number", cell_fmt)
        engine_value = value.capitalize() if isinstance(value, str) else clean_number(value)
        engine_fmt = "+0.0000;-0.0000;0.0000" if key == "difference" else cell_fmt
        sheet.put(row, c[f"engine_{key}"], engine_value, "engine", engine_fmt)
    if formulas[2] is not None:
        sheet.differences.append(
            ((row, c["value"]), (row, c["comparison"]), (row, c["difference"]))
        )
    sheet.put(row, c["how"], LIVE if live else ENGINE, "small")
    if any(f is not None for f in formulas):
        tolerance = shown[2] if shown else 1e-9
        checks = [
            _same(
                a1(row, c[key]),
                a1(row, c[f"engine_{key}"]),
                tolerance if key == "difference" else None,
            )
            for key, formula in zip(keys, formulas, strict=True)
            if formula is not None
        ]
        sheet.put(
            row, c["match"], Formula(f'=IF(AND({",".join(checks)}),"Yes","No")', "Yes"), "check"
        )


# unit -> (decimals printed, scale of the difference, its rounding tolerance, its format)
_SHOWN: dict[str, tuple[int, float, float, str]] = {
    "share": (3, 100.0, 0.1, NumberFormats.POINTS),
    "persons": (0, 1.0, 1.0, NumberFormats.COUNT_SIGNED),
    "households": (0, 1.0, 1.0, NumberFormats.COUNT_SIGNED),
    "units": (0, 1.0, 1.0, NumberFormats.COUNT_SIGNED),
    "jobs": (0, 1.0, 1.0, NumberFormats.COUNT_SIGNED),
    "usd": (0, 1.0, 1.0, NumberFormats.MONEY_SIGNED),
    "USD per year": (0, 1.0, 1.0, NumberFormats.MONEY_SIGNED),
    "USD per trip": (2, 1.0, 0.01, '+"$"0.00;-"$"0.00;"$"0.00'),
    "percentile": (0, 1.0, 1.0, "+0;-0;0"),
    "index": (1, 1.0, 0.1, "+0.0;-0.0;0.0"),
    "minutes": (1, 1.0, 0.1, "+0.0;-0.0;0.0"),
    "physicians per 1,000": (2, 1.0, 0.01, "+0.00;-0.00;0.00"),
}


def difference_format(unit: str) -> str:
    """Number format of an indicator's printed difference (points for shares)."""
    shown = _display(unit)
    return shown[3] if shown else NumberFormats.POINTS


def _is_value_less_comparison(ind: Indicator) -> bool:
    """True when the indicator's difference is its value less its comparison (scaled to
    points for shares), or it has none."""
    if ind.difference is None:
        return True
    v, c, d = clean_number(ind.value), clean_number(ind.comparison), clean_number(ind.difference)
    if v is None or c is None or d is None:
        return True
    scale = 100.0 if ind.unit == "share" else 1.0
    return abs((v - c) * scale - d) <= 1e-6 * max(1.0, abs(d))


def _display(unit: str) -> tuple[int, float, float, str] | None:
    """How a unit's value and difference print, or None when the difference is not rounded."""
    return _SHOWN.get(unit)


def shown_value_difference(unit: str, value: Any, comparison: Any) -> float | None:
    """The printed difference of an indicator: printed value less printed comparison."""
    shown = _display(unit)
    v, c = clean_number(value), clean_number(comparison)
    if shown is None or v is None or c is None:
        return None
    decimals, scale, _, _ = shown
    return (excel_round(v, decimals) - excel_round(c, decimals)) * scale


def _difference(ind: Indicator, row: int, shown: tuple[int, float, float, str]) -> Formula:
    """The printed value less the printed comparison, as a formula of the two cells."""
    decimals, scale, _, _ = shown
    e, f = a1(row, COLUMNS["value"]), a1(row, COLUMNS["comparison"])
    factor = f"*{scale:g}" if scale != 1.0 else ""
    return Formula(
        f'=IF(AND(ISNUMBER({e}),ISNUMBER({f})),(ROUND({e},{decimals})-ROUND({f},{decimals})){factor},"")',
        shown_value_difference(ind.unit, ind.value, ind.comparison),
    )


def _rating_cell(
    ctx: BookContext,
    result: ProposalResult | None,
    side: ResultSide | None,
    ind: Indicator,
    row: int,
) -> Any:
    """The rating's words: a formula where they follow the live numbers and the thresholds
    (Title VI verdicts, income-quintile ratings), else the engine's words."""
    if result is None or side is None:
        return ind.rating_label
    key = ind.key.base
    if key.family is IndicatorFamily.TITLE_VI:
        from equityplanner.report.sheets.title_vi import COLUMNS as TV
        from equityplanner.report.sheets.title_vi import SHEET_NAME as TV_SHEET

        fare_row = ctx.fare_rows.get((result.id, ind.id))
        if fare_row is not None:
            from equityplanner.report.sheets.fare_equity import SHEET_NAME as FARE_SHEET
            from equityplanner.report.sheets.fare_equity import TEST_COLUMNS as FARE

            ref = f"{quote_sheet(FARE_SHEET)}!{a1(fare_row, FARE['verdict'], absolute=True)}"
            return Formula(f"={ref}", ind.rating_label)
        tv_row = ctx.title_vi_rows.get((result.id, ind.id))
        if tv_row is None:
            return ind.rating_label
        ref = f"{quote_sheet(TV_SHEET)}!{a1(tv_row, TV['verdict'], absolute=True)}"
        return Formula(f"={ref}", ind.rating_label)
    e, f = a1(row, COLUMNS["value"]), a1(row, COLUMNS["comparison"])
    if key.quintile is not None:
        return Formula("=" + tag_rating_formula(e, f, side.is_benefit), ind.rating_label)
    if str(key) == "distribution.lowest_two_quintiles" and ind.rating != "not_assessed":
        return Formula("=" + lowest_two_formula(e, f, side.is_benefit), ind.rating_label)
    return ind.rating_label


def tag_rating_formula(share: str, population_share: str, is_benefit: bool) -> str:
    """Formula body: the TAG A4.2 rating words of a quintile from its two shares and the
    adopted band (:class:`Thresholds`), as :func:`equityplanner.analysis.distribution.tag_rating`."""
    suffix = "beneficial" if is_benefit else "adverse"
    large, moderate, slight = (
        excel_string(rating_words("tag", f"{size}_{suffix}")[0])
        for size in ("large", "moderate", "slight")
    )
    neutral = excel_string(rating_words("tag", "neutral")[0])
    diff = f"({share}-{population_share})*100"
    band = Thresholds.TAG_BAND
    return (
        f"IF(OR(NOT(ISNUMBER({share})),NOT(ISNUMBER({population_share})),{share}=0),"
        f"{neutral},IF({diff}>{band}+1E-9,{large},"
        f"IF({diff}<-{band}-1E-9,{slight},{moderate})))"
    )


def lowest_two_formula(share: str, population_share: str, is_benefit: bool) -> str:
    """Formula body: the words of the lowest-income 40%'s rating against the adopted band."""
    diff = f"({share}-{population_share})*100"
    more, less = ("progressive", "regressive") if is_benefit else ("burden_more", "burden_less")
    similar, more_words, less_words = (
        excel_string(rating_words("served", key)[0]) for key in ("similar", more, less)
    )
    return (
        f"IF(ABS({diff})<={Thresholds.TAG_BAND},{similar},IF({diff}>0,{more_words},{less_words}))"
    )


def _same(x: str, y: str, tolerance: float | None = None) -> str:
    """Formula body: x and y are both empty, or equal numbers up to 1e-9 relative (or up to
    ``tolerance``: a printed difference is of rounded values)."""
    equal = (
        f"ABS({x}-{y})<=1E-9*MAX(1,ABS({y}))"
        if tolerance is None
        else f"ABS({x}-{y})<={tolerance:g}+1E-9"
    )
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
    if ctx.nb is None or not has_catchment(result):
        return _ENGINE  # a fare change has no catchment: its tests are on the Fare equity sheet
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
        """Value less comparison in points as printed (each share to 0.1%), when both are
        numbers."""
        e, f = self.e, self.f
        return Formula(
            f'=IF(AND(ISNUMBER({e}),ISNUMBER({f}){extra}),(ROUND({e},3)-ROUND({f},3))*100,"")',
            shown_value_difference("share", self.ind.value, self.ind.comparison)
            if self.ind.difference is not None
            else None,
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
                Formula(
                    f"=(ROUND({self.e},3)-ROUND({self.f},3))*100",
                    shown_value_difference("share", ind.value, ind.comparison),
                ),
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
        elif nb.paged:  # a summed row stands for many neighbourhoods: no plain mean over rows
            return none
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
    """A live reference to an indicator's cell on this sheet (``key``: value, comparison,
    difference or rating), or the engine's value when the cell is text or the indicator has no
    row; None for a difference the sheet does not print."""
    row = ctx.indicator_rows.get((result.id, ind.id))
    if key == "rating":
        if row is None:
            return ind.rating_label
        ref = f"{quote_sheet(SHEET_NAME)}!{a1(row, COLUMNS['rating'], absolute=True)}"
        return Formula(f"={ref}", ind.rating_label)
    if isinstance(value, str):
        return clean_text(value).capitalize()
    if row is None:
        return clean_number(value)
    ref = f"{quote_sheet(SHEET_NAME)}!{a1(row, COLUMNS[key], absolute=True)}"
    expected = clean_number(value)
    if key == "difference":
        if not _is_value_less_comparison(ind):
            return None
        if _display(ind.unit) is not None and ind.difference is not None:
            expected = shown_value_difference(ind.unit, ind.value, ind.comparison)
    return Formula(f'=IF(ISNUMBER({ref}),{ref},"")', expected)
