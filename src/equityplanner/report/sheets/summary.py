"""The Summary sheet: the assessment on two printed pages, after the Decision sheet.

Page 1: title, status, date and authors, the comparison population and the low-income
definition, the proposals and scenarios. Page 2: the key tests (disparate impact and
disproportionate burden as live formulas of the Title VI tests sheet, so they follow the
thresholds on the Decision sheet; concentration; displacement, counting the households a
housing project makes move), the overall finding of each pillar, and three to six key
findings in plain language (adverse and inconclusive ones first). Every rating cell carries
its words as well as its colour; the words that are the assessment's own sentences are
covered by the banner that appears once an input changes. The map is on the Map sheet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from equityplanner.model.concepts import IndicatorFamily, ResultKind
from equityplanner.model.fields import group_specs
from equityplanner.model.indicator_ids import IndicatorId, base_id, is_burdens_id
from equityplanner.model.project import HousingProject, TransitProject
from equityplanner.model.results import Assessment, Indicator, ProposalResult
from equityplanner.report.layout import Formula, SheetSpec, a1, quote_sheet, rating_style
from equityplanner.report.sheets import (
    BookContext,
    has_catchment,
    page_setup,
    put_banner,
    result_sides,
    tone_rules,
)

__all__ = ["SHEET_NAME", "build_summary", "key_findings", "pillar_findings", "test_findings"]

SHEET_NAME = "Summary"
PILLARS = (
    "Housing and urban environment",
    "Transport and public services",
    "Access to jobs",
    "Access to schools and early-childhood care",
)
TESTS = (
    "Disparate impact (minority)",
    "Disproportionate burden (low-income)",
    "Concentration (housing site)",
    "Displacement",
)
_TONE_ORDER = {"adverse": 0, "caution": 1, "beneficial": 2, "neutral": 3, "info": 4}
_SHORT = {
    "title_vi.disparate_impact": "disparate impact",
    "title_vi.disproportionate_burden": "disproportionate burden",
    "title_vi.fare.disparate_impact": "disparate impact (fares)",
    "title_vi.fare.disproportionate_burden": "disproportionate burden (fares)",
    "distribution.lowest_two_quintiles": "income distribution",
    "housing.affordable_share": "affordable share against need",
    "housing.market_rent_burden_site": "market rent against site incomes",
    "housing.market_rent_burden_city": "market rent against city incomes",
    "housing.band_rents": "band rents",
    "housing.poverty_concentration": "poverty concentration",
    "housing.minority_concentration": "minority concentration",
    "housing.recap": "R/ECAP",
    "housing.net_affordable_units": "net affordable homes",
}
# The findings of the key-findings list: every test, and the income distribution's summary.
_HEADLINE_FAMILIES = frozenset(
    {IndicatorFamily.TITLE_VI, IndicatorFamily.DISPLACEMENT, IndicatorFamily.HOUSING}
)
_LOWEST_TWO = IndicatorId(IndicatorFamily.DISTRIBUTION, "lowest_two_quintiles")
_NOT_ASSESSED_JOBS = (
    "Not assessed: no transit change, or no jobs layer in the project (add LODES jobs)"
)
_NOT_ASSESSED_SCHOOLS = (
    "Not assessed: no transit change, or no school and childcare layers in the project"
)


def _worst(tones: Iterable[str]) -> str:
    return min(tones, key=lambda t: _TONE_ORDER.get(t, 5), default="info")


def _base(ind: Indicator) -> str:
    return base_id(ind.id)


def _short(ind: Indicator) -> str:
    words = _SHORT.get(_base(ind), ind.name.lower())
    return f"{words} (burdens)" if is_burdens_id(ind.id) else words


def _is_headline(ind: Indicator) -> bool:
    key = ind.key.base
    return key.family in _HEADLINE_FAMILIES or key == _LOWEST_TWO


def _is_catchment_test(ind: Indicator) -> bool:
    """A Title VI test of a catchment (not of an access change), or the income distribution."""
    key = ind.key.base
    return (key.family is IndicatorFamily.TITLE_VI and key.measure is None) or key == _LOWEST_TWO


def _measures_access_to(ind: Indicator, opportunities: tuple[str, ...]) -> bool:
    """An access indicator or Title VI test of a measure of these opportunities (``jobs``...)."""
    measure = ind.key.measure
    return measure is not None and measure.startswith(opportunities)


def _summarise(indicators: list[Indicator]) -> tuple[str, str]:
    """Words and tone for a set of tests: how many are adverse or inconclusive, and which."""
    assessed = [i for i in indicators if i.tone != "info"]
    if not assessed:
        return "Not assessed", "info"
    adverse = [i for i in assessed if i.tone == "adverse"]
    caution = [i for i in assessed if i.tone == "caution"]
    n = len(assessed)
    if adverse:
        text = f"Adverse: {len(adverse)} of {n} tests ({_listed(adverse)})"
        if caution:
            text += f"; {len(caution)} inconclusive"
        return text, "adverse"
    if caution:
        return (
            f"Needs attention: {len(caution)} of {n} tests inconclusive ({_listed(caution)})",
            "caution",
        )
    return f"No adverse finding in {n} tests", "beneficial"


def _listed(indicators: list[Indicator], limit: int = 3) -> str:
    """The first few indicators' short names; the Indicators sheet lists them all."""
    names = list(dict.fromkeys(_short(i) for i in indicators))
    more = f"; and {len(names) - limit} more on the Indicators sheet" if len(names) > limit else ""
    return "; ".join(names[:limit]) + more


def _housing_result(
    ctx: BookContext, result: ProposalResult
) -> tuple[HousingProject, ProposalResult] | None:
    """The housing project of a result and the result holding its housing tests."""
    for pid in result.project_ids:
        for project in ctx.assessment.projects:
            if project.id == pid and isinstance(project, HousingProject):
                for other in ctx.assessment.results:
                    if other.kind is ResultKind.PROJECT and other.project_ids == (pid,):
                        return project, other
    return None


def _has_transit(ctx: BookContext, result: ProposalResult) -> bool:
    if result.kind is ResultKind.SERVICE_CHANGE:
        return True
    return any(
        isinstance(p, TransitProject) and p.id in result.project_ids
        for p in ctx.assessment.projects
    )


def pillar_findings(ctx: BookContext, result: ProposalResult) -> list[tuple[str, str]]:
    """(words, tone) of each pillar in :data:`PILLARS` for a project or scenario."""
    out = []
    housing = _housing_result(ctx, result)
    if housing is None:
        out.append(("Not part of this proposal (no housing project)", "info"))
    else:
        project, housing_result = housing
        text, tone = _summarise([i for i in housing_result.indicators if i.category == "housing"])
        out.append((text if housing_result is result else f"{project.name}: {text}", tone))
    if not has_catchment(result):
        # A fare change: its fare equity tests are the transport pillar; fares do not enter
        # the travel times, so access is not measured.
        fare_tests = [i for i in result.indicators if i.key.fare]
        out.append(_summarise(fare_tests))
        out += [("Not assessed: fares do not change the travel times measured", "info")] * 2
        return out
    if _has_transit(ctx, result):
        tests = [i for i in result.indicators if _is_catchment_test(i)]
        out.append(_summarise(tests))
    else:
        out.append(("Not part of this proposal (no transit project)", "info"))
    for opportunities, missing in (
        (("jobs",), _NOT_ASSESSED_JOBS),
        (("schools", "childcare"), _NOT_ASSESSED_SCHOOLS),
    ):
        access = [i for i in result.indicators if _measures_access_to(i, opportunities)]
        out.append(_summarise(access) if access else (missing, "info"))
    return out


def test_findings(ctx: BookContext, result: ProposalResult) -> list[tuple[Any, str]]:
    """(words, tone) of each key test in :data:`TESTS` for a project or scenario.

    The Title VI words are formulas reading the verdicts of the Title VI tests sheet.
    """
    from equityplanner.report.sheets.title_vi import COLUMNS as TV
    from equityplanner.report.sheets.title_vi import SHEET_NAME as TV_SHEET

    if not has_catchment(result):
        return _fare_test_findings(ctx, result)
    sides = result_sides(result)
    out: list[tuple[Any, str]] = []
    for test in ("title_vi.disparate_impact", "title_vi.disproportionate_burden"):
        found = [(s, i) for s in sides if (i := s.indicator(test)) is not None]
        if not found and not _has_transit(ctx, result):
            out.append(
                ("Not applicable: the Title VI tests concern transit service changes", "info")
            )
            continue
        if not found:
            out.append(("Not assessed (the data lacks this group)", "info"))
            continue
        parts, words = [], []
        for side, ind in found:
            row = ctx.title_vi_rows.get((result.id, ind.id))
            ref = (
                f"{quote_sheet(TV_SHEET)}!{a1(row, TV['verdict'], absolute=True)}"
                if row is not None
                else '"' + ind.rating_label + '"'
            )
            prefix = f"{'New service' if side.is_benefit else 'Cuts'}: " if len(found) > 1 else ""
            parts.append(f'"{prefix}"&{ref}' if prefix else ref)
            words.append(prefix + ind.rating_label)
        formula = Formula("=" + '&". "&'.join(parts), ". ".join(words))
        out.append((formula, _worst(i.tone for _, i in found)))
    housing = _housing_result(ctx, result)
    if housing is None:
        out.append(("Not applicable (no housing site)", "info"))
    else:
        project, housing_result = housing
        tests = [
            i
            for i in housing_result.indicators
            if _base(i)
            in ("housing.poverty_concentration", "housing.minority_concentration", "housing.recap")
        ]
        concentrated = [i for i in tests if i.rating == "concentrated"]
        if not tests:
            text, tone = "Not assessed (the data lacks poverty or race counts)", "info"
        elif concentrated:
            text, tone = (
                f"Concentration found: {'; '.join(_short(i) for i in concentrated)}",
                "adverse",
            )
        else:
            text, tone = f"No concentration ({len(tests)} tests)", "beneficial"
        out.append((text if housing_result is result else f"{project.name}: {text}", tone))
    displacement = (
        result_sides(result)[0].indicator("displacement.vulnerable_population")
        if result_sides(result)[0].is_benefit
        else None
    )
    moving = _households_moving(ctx, result)
    direct = (
        f"{moving[1]:,} households must move ({moving[0]:,} homes demolished). " if moving else ""
    )
    if displacement is None:
        out.append(
            (
                direct + "Indirect risk not assessed for service cuts (they add no amenity)",
                "adverse" if moving else "info",
            )
        )
    else:
        people = displacement.value if isinstance(displacement.value, int | float) else 0.0
        out.append(
            (
                f"{direct}{displacement.rating_label} ({people:,.0f} people in vulnerable "
                "neighbourhoods)",
                "adverse" if moving else displacement.tone,
            )
        )
    return out


def _fare_test_findings(ctx: BookContext, result: ProposalResult) -> list[tuple[Any, str]]:
    """A fare change's key tests: its two verdicts (formulas of the Fare equity sheet); no
    housing site, and nobody moves."""
    from equityplanner.report.sheets.fare_equity import FareBlock

    out: list[tuple[Any, str]] = []
    tests = {
        t.test.value: t
        for block in ctx.fare_blocks
        if isinstance(block, FareBlock) and block.result is result
        for t in block.tests
    }
    for test in ("disparate_impact", "disproportionate_burden"):
        t = tests.get(test)
        if t is None:
            out.append(("Not assessed (no usage for this group)", "info"))
            continue
        words = str(t.cells["verdict"])
        out.append((Formula(f"={t.ref('verdict')}", words), t.indicator.tone))
    out.append(("Not applicable (no housing site)", "info"))
    out.append(("Not applicable (a fare change moves no one)", "info"))
    return out


def _households_moving(ctx: BookContext, result: ProposalResult) -> tuple[int, int] | None:
    """(homes demolished, households that must move) by the result's housing projects."""
    demolished = moving = 0
    for project in ctx.assessment.projects:
        if project.id in result.project_ids and isinstance(project, HousingProject):
            demolished += project.units_demolished
            moving += project.households_displaced
    return (demolished, moving) if moving or demolished else None


def key_findings(ctx: BookContext, limit: int = 6, minimum: int = 3) -> list[tuple[str, str]]:
    """Three to six findings in plain language, adverse and inconclusive first.

    Taken from the indicators' own findings (Title VI, displacement, income distribution,
    housing tests), one result at a time in turn so that every proposal is represented;
    repeated sentences (a scenario equal to a project) appear once.
    """
    per_result: list[list[tuple[int, str, str]]] = []
    seen: set[str] = set()
    for result in ctx.assessment.results:
        items = []
        housing_only = result.kind is ResultKind.PROJECT and ctx.housing_project(result) is not None
        for ind in result.indicators:
            if not _is_headline(ind) or not ind.finding or ind.finding in seen:
                continue
            if housing_only and ind.key.base == _LOWEST_TWO:
                # A housing project's catchment holds its neighbours, not the households its
                # homes are for: their incomes are not "who gets the benefit".
                continue
            seen.add(ind.finding)
            items.append((_TONE_ORDER.get(ind.tone, 5), f"{result.name}: {ind.finding}", ind.tone))
        items.sort(key=lambda item: item[0])
        per_result.append(items)
    urgent: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    depth = max((len(items) for items in per_result), default=0)
    for level in range(depth):
        for items in per_result:
            if level < len(items):
                order, text, tone = items[level]
                (urgent if order <= 1 else rest).append((text, tone))
    chosen = urgent[:limit]
    if len(chosen) < minimum:
        chosen += rest[: minimum - len(chosen)]
    return chosen


def _questions_words(a: Assessment) -> str:
    """``"7 of 33 questions answered; see the sheet Equity questions"``."""
    from equityplanner.report.sheets.equity_questions import SHEET_NAME, progress_words

    return f"{progress_words(a.equity_questions)}; see the sheet {SHEET_NAME}"


def build_summary(ctx: BookContext) -> SheetSpec:
    """Lay out the Summary sheet (two printed pages)."""
    a = ctx.assessment
    md = a.metadata
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="1F3864")
    widths = (30, 32, 32, 32, 32)
    for col, width in enumerate(widths, 1):
        sheet.column_widths[col] = width
    last_col = len(widths)
    sheet.put(1, 1, md.title, "title")
    sheet.merge(1, 1, 1, last_col)
    sheet.row_heights[1] = 28
    sheet.put(
        2, 1, "Equity assessment before building: who gains and who bears the cost", "subtitle"
    )
    sheet.merge(2, 1, 2, last_col)
    put_banner(sheet, 3, 1, last_col)
    row = 4
    low = group_specs(a.parameters.low_income_poverty_pct)["low_income"].label
    facts = [
        ("Projects assessed", "; ".join(p.name for p in a.projects)),
        ("Status and date", f"{ctx.status_words.capitalize()}, {ctx.date}"),
        ("Prepared by", md.author or "Not stated"),
        ("Organisation", md.organisation or "Not stated"),
        ("Comparison population", a.comparison_label),
        ("Low-income definition", f"{low} (adopted; see the Decision sheet)"),
        ("Data", a.vintage or "Not stated"),
        ("Software", f"equityplanner {a.software_version}; assessment run {a.created}"),
        ("Equity questions", _questions_words(a)),
    ]
    if ctx.is_synthetic:
        facts.insert(
            0, ("SYNTHETIC DATA", "The figures are synthetic and describe no real people.")
        )
    for label, value in facts:
        sheet.put(row, 1, label, "label")
        sheet.put(row, 2, value, "wrap")
        sheet.merge(row, 2, row, last_col)
        row += 1
    if md.description:
        sheet.put(row, 1, "About", "label")
        sheet.put(row, 2, md.description, "wrap")
        sheet.merge(row, 2, row, last_col)
        row += 1
    row += 1

    sheet.put(row, 1, "Proposals", "heading")
    sheet.merge(row, 1, row, last_col)
    row += 1
    sheet.put_row(row, 1, ["Name", "Type", "What is proposed"], "header")
    sheet.merge(row, 3, row, last_col)
    row += 1
    for project in a.projects:
        kind, what = _describe(ctx, project)
        sheet.put(row, 1, project.name, "label_wrap")
        sheet.put(row, 2, kind, "wrap")
        sheet.put(row, 3, what, "wrap")
        sheet.merge(row, 3, row, last_col)
        row += 1
    scenarios = [r for r in a.results if r.kind is not ResultKind.PROJECT]
    if scenarios:
        row += 1
        sheet.put_row(
            row, 1, ["Scenario, service or fare change", "What is assessed together"], "header"
        )
        sheet.merge(row, 2, row, last_col)
        row += 1
        names = {p.id: p.name for p in a.projects}
        for result in scenarios:
            sheet.put(row, 1, result.name, "wrap")
            if result.kind is ResultKind.SCENARIO:
                what = "; ".join(names.get(pid, pid) for pid in result.project_ids)
            elif not has_catchment(result):
                what = _fare_words(result)
            else:
                what = "Every change of service between the baseline and the proposed GTFS feeds"
            sheet.put(row, 2, what, "wrap")
            sheet.merge(row, 2, row, last_col)
            row += 1
    sheet.row_breaks.append(row)  # the findings on a page of their own
    row += 1

    row = _matrix(sheet, row, "Key tests", TESTS, [(u, test_findings(ctx, u)) for u in a.results])
    row += 1
    row = _matrix(
        sheet,
        row,
        "Overall findings by pillar",
        PILLARS,
        [(u, pillar_findings(ctx, u)) for u in a.results],
    )
    row += 1
    sheet.put(row, 1, "Key findings", "heading")
    sheet.merge(row, 1, row, last_col)
    row += 1
    for number, (text, tone) in enumerate(key_findings(ctx), 1):
        sheet.put(row, 1, f"{number}.", "label")
        sheet.put(row, 2, text, f"finding_{tone}")
        sheet.merge(row, 2, row, last_col)
        row += 1
    row += 1
    sheet.put(row, 1, "Colours repeat the words:", "note")
    legend = (
        ("beneficial", "Beneficial"),
        ("adverse", "Adverse"),
        ("caution", "Needs attention / inconclusive"),
        ("neutral", "Neutral or similar"),
        ("info", "Context or not assessed"),
    )
    for i, (tone, words) in enumerate(legend):
        line, col = divmod(i, last_col - 1)
        sheet.put(row + line, 2 + col, words, rating_style(tone))
    page_setup(ctx, sheet, "Summary", pages_tall=2)
    return sheet


def _fare_words(result: ProposalResult) -> str:
    """A fare change in words: its fares before and after, and where the usage comes from."""
    tests = [i for i in result.indicators if i.key.fare]
    if not tests:
        return "A change of fares"
    details = tests[0].details
    fares = "; ".join(
        f"{f['name']} ${float(f['old_usd']):,.2f} to ${float(f['new_usd']):,.2f}"
        for f in details.get("fares", [])
    )
    source = "a rider survey" if details.get("usage_source") == "survey" else "ACS commuters"
    return f"A change of fares ({fares}), tested with each group's use of them from {source}"


def _matrix(
    sheet: SheetSpec,
    row: int,
    title: str,
    columns: tuple[str, ...],
    rows: list[tuple[ProposalResult, list[tuple[str, str]]]],
) -> int:
    last_col = len(columns) + 1
    sheet.put(row, 1, title, "heading")
    sheet.merge(row, 1, row, last_col)
    row += 1
    sheet.put_row(row, 1, ["Project or scenario", *columns], "header")
    sheet.row_heights[row] = 32
    row += 1
    for result, cells in rows:
        sheet.put(row, 1, f"{result.name} ({result.kind.label.lower()})", "row_label")
        for col, (text, tone) in enumerate(cells, 2):
            sheet.put(row, col, text, rating_style(tone))
            if isinstance(text, Formula):  # the colour follows the recalculated words
                cell = a1(row, col)
                sheet.conditional_formats += tone_rules(f"{cell}:{cell}", cell, anywhere=True)
        row += 1
    return row


def _describe(ctx: BookContext, project: object) -> tuple[str, str]:
    params = ctx.assessment.parameters
    if isinstance(project, HousingProject):
        bands = ", ".join(
            f"{n:,} {b.replace('ami_', '')}% AMI" if b != "market" else f"{n:,} market rate"
            for b, n in project.units_by_band.items()
            if n
        )
        what = (
            f"{project.total_units:,} homes ({bands}); {project.affordable_units:,} affordable at "
            "or below 80% AMI; "
            f"{project.units_demolished:,} homes demolished "
            f"({project.affordable_units_demolished:,} affordable); "
            f"{project.households_displaced:,} households would move. Catchment "
            f"{params.catchment_for(project):,.0f} m."
        )
        return f"Housing ({project.tenure.value})", what
    if isinstance(project, TransitProject):
        mode = "BRT" if project.mode.value == "brt" else project.mode.value
        parts = [
            f"{project.change.value.capitalize()} {mode} service",
            f"{len(project.stations)} stations or stops",
            f"catchment {params.catchment_for(project):,.0f} m",
        ]
        if project.peak_headway_min is not None:
            was = (
                f" (was {project.baseline_peak_headway_min:g})"
                if project.baseline_peak_headway_min is not None
                else ""
            )
            parts.append(f"peak headway {project.peak_headway_min:g} min{was}")
        return f"Transit ({mode}, {project.change.value})", "; ".join(parts) + "."
    return "Project", ""
