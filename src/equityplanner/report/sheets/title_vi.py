"""The Title VI tests sheet (an appendix): every test's numbers, margins and verdict, live.

One row per Title VI test of every project, scenario and service change (the catchment tests
and the tests of access changes); a fare change's tests compare average fares, not shares,
and are on the Fare equity sheet (:mod:`equityplanner.report.sheets.fare_equity`). The shares come from the Indicators sheet; the difference,
relative difference and rate ratio, each with its own 90% margin, are formulas; each adopted
form gets its own verdict (Finding, Within, Cannot tell, Not adopted) against the adopted
thresholds, which are input cells of the Decision sheet (:class:`Thresholds`); the combined
verdict names the form that decided it. Changing a threshold or a neighbourhood count
recalculates every verdict here, and the Indicators, Decision, Summary and Comparison sheets
show these cells.

Each formula carries the value the engine's numbers give (``Formula.expected``), computed
here by the same rules (:func:`verdict_cells`), so a recalculation can be checked cell by
cell; "Matches the assessment" compares the verdict with the engine's own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from equityplanner.analysis.indicators.make import rating_words
from equityplanner.model.concepts import IndicatorFamily, TitleViTest
from equityplanner.model.project import TitleViPolicy
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    NumberFormats,
    SheetSpec,
    TableSpec,
    a1,
    clean_number,
    excel_string,
    quote_sheet,
)
from equityplanner.report.sheets import (
    BookContext,
    Thresholds,
    excel_round,
    page_setup,
    put_banner,
    result_sides,
    shown_difference,
    shown_difference_formula,
    tone_rules,
)

__all__ = ["COLUMNS", "SHEET_NAME", "TestRow", "build_title_vi", "plan_rows", "verdict_cells"]

SHEET_NAME = "Title VI tests"
HEADER_ROW = 5
COLUMNS = {
    "result": 1,
    "effect": 2,
    "test": 3,
    "measured": 4,
    "affected": 5,
    "value": 6,
    "comparison": 7,
    "difference": 8,
    "moe_value": 9,
    "moe_comparison": 10,
    "moe_difference": 11,
    "relative": 12,
    "moe_relative": 13,
    "rate_ratio": 14,
    "moe_rate_ratio": 15,
    "points": 16,
    "relative_test": 17,
    "four_fifths": 18,
    "verdict": 19,
    "decided": 20,
    "key": 21,
    "words": 22,
    "engine": 23,
    "match": 24,
}
_HEADERS = {
    "result": "Project or scenario",
    "effect": "Effect",
    "test": "Test",
    "measured": "Who is compared",
    "affected": "Those affected (the base of the group's share)",
    "value": "Group's share of those affected",
    "comparison": "Group's share of the comparison population",
    "difference": "Difference (points)",
    "moe_value": "Margin of error of the first share (90%)",
    "moe_comparison": "Margin of error of the comparison share (90%)",
    "moe_difference": "Margin of error of the difference (90%)",
    "relative": "Relative difference",
    "moe_relative": "Its margin of error (90%)",
    "rate_ratio": "Rate ratio",
    "moe_rate_ratio": "Its margin of error (90%)",
    "points": "Percentage-point test",
    "relative_test": "Relative test",
    "four_fifths": "Four-fifths test",
    "verdict": "Verdict",
    "decided": "Decided by",
    "key": "Verdict key",
    "words": "Verdict in words",
    "engine": "Assessment's verdict key",
    "match": "Matches the assessment",
}
_WIDTHS = {
    "result": 24,
    "effect": 9,
    "test": 22,
    "measured": 26,
    "affected": 12,
    "value": 11,
    "comparison": 12,
    "difference": 10,
    "moe_value": 11,
    "moe_comparison": 11,
    "moe_difference": 11,
    "relative": 10,
    "moe_relative": 10,
    "rate_ratio": 9,
    "moe_rate_ratio": 10,
    "points": 12,
    "relative_test": 12,
    "four_fifths": 12,
    "verdict": 24,
    "decided": 18,
    "key": 16,
    "words": 50,
    "engine": 16,
    "match": 11,
}
PRINTED_COLUMNS = COLUMNS["decided"]
GROUP_WORDS = {
    TitleViTest.DISPARATE_IMPACT: "minority",
    TitleViTest.DISPROPORTIONATE_BURDEN: "low-income",
}
TEST_NAMES = {
    TitleViTest.DISPARATE_IMPACT: "Disparate impact (minority)",
    TitleViTest.DISPROPORTIONATE_BURDEN: "Disproportionate burden (low-income)",
}
FORM_NAMES = {
    "absolute": "percentage-point test",
    "relative": "relative test",
    "four_fifths": "four-fifths test",
}
_FORM_COLUMNS = {"absolute": "points", "relative": "relative_test", "four_fifths": "four_fifths"}
_ADOPTED = {
    "absolute": Thresholds.ADOPTED_POINTS,
    "relative": Thresholds.ADOPTED_RELATIVE,
    "four_fifths": Thresholds.ADOPTED_FOUR_FIFTHS,
}
INFINITE = "∞"  # the rate ratio when nobody outside the group is affected


@dataclass(frozen=True)
class TestRow:
    """A Title VI test placed on the sheet."""

    result: ProposalResult
    indicator: Indicator
    row: int

    @property
    def test(self) -> TitleViTest:
        test = self.indicator.key.title_vi_test
        assert test is not None, self.indicator.id
        return test

    @property
    def is_benefit(self) -> bool:
        return bool(self.indicator.details.get("is_benefit", True))

    def ref(self, column: str) -> str:
        """An absolute reference to one of the row's cells, with the sheet."""
        return f"{quote_sheet(SHEET_NAME)}!{a1(self.row, COLUMNS[column], absolute=True)}"


def plan_rows(ctx: BookContext) -> list[TestRow]:
    """Where every Title VI test goes (recorded in ``ctx.title_vi_rows``)."""
    rows = []
    row = HEADER_ROW + 1
    for result in ctx.assessment.results:
        for ind in result.indicators:
            if ind.key.fare:
                continue  # average fares, not shares: on the Fare equity sheet
            if ind.key.family is IndicatorFamily.TITLE_VI and ind.key.title_vi_test is not None:
                rows.append(TestRow(result, ind, row))
                ctx.title_vi_rows[(result.id, ind.id)] = row
                row += 1
    return rows


def build_title_vi(ctx: BookContext, rows: list[TestRow]) -> SheetSpec | None:
    """Lay out the Title VI tests sheet (None when no test was made)."""
    if not rows:
        return None
    sheet = SheetSpec(SHEET_NAME, freeze=f"E{HEADER_ROW + 1}", tab_colour="7F7F7F")
    sheet.put(1, 1, "Title VI tests, form by form", "title")
    sheet.put(
        2,
        1,
        "Each adopted form of the test is judged on its own statistic and its own 90% margin of "
        "error: the difference in percentage points (margin: root sum of squares of the two "
        "shares' margins), the relative difference (ACS ratio formula) and the rate ratio of the "
        "four-fifths rule (the share of the group affected over the share of everyone else "
        "affected; margin by the delta method). A form whose interval includes its threshold "
        "'cannot tell'. The thresholds are the input cells on the Decision sheet; margins are the "
        "assessment's (sampling and allocation error). Tests of routed access changes take the "
        "routing engine's variation as the margin of the share affected (measured against a "
        "second build of the unchanged network); sketch-model access tests have none.",
        "note",
    )
    sheet.merge(2, 1, 2, 12)
    sheet.row_heights[2] = 58
    put_banner(sheet, 3, 1, 12)
    for key, col in COLUMNS.items():
        sheet.put(HEADER_ROW, col, _HEADERS[key], "header")
        sheet.column_widths[col] = _WIDTHS[key]
    sheet.row_heights[HEADER_ROW] = 48
    policy = ctx.assessment.parameters.title_vi
    for test_row in rows:
        _test_row(ctx, sheet, test_row, policy)
    last = rows[-1].row
    verdicts = f"{a1(HEADER_ROW + 1, COLUMNS['verdict'])}:{a1(last, COLUMNS['verdict'])}"
    sheet.conditional_formats += tone_rules(verdicts, a1(HEADER_ROW + 1, COLUMNS["verdict"]))
    words = f"{a1(HEADER_ROW + 1, COLUMNS['words'])}:{a1(last, COLUMNS['words'])}"
    sheet.conditional_formats += tone_rules(words, a1(HEADER_ROW + 1, COLUMNS["words"]))
    sheet.tables.append(
        TableSpec(
            "TitleViTable",
            f"A{HEADER_ROW}:{a1(last, max(COLUMNS.values()))}",
            style="TableStyleLight1",
        )
    )
    match = COLUMNS["match"]
    ctx.check_refs.append(
        f"{quote_sheet(SHEET_NAME)}!{a1(HEADER_ROW + 1, match, absolute=True)}:"
        f"{a1(last, match, absolute=True)}"
    )
    page_setup(
        ctx,
        sheet,
        "Title VI tests, form by form",
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        area=f"A1:{a1(last, PRINTED_COLUMNS)}",
    )
    return sheet


def _test_row(ctx: BookContext, sheet: SheetSpec, t: TestRow, policy: TitleViPolicy) -> None:
    from equityplanner.report.sheets.indicators import COLUMNS as IND
    from equityplanner.report.sheets.indicators import SHEET_NAME as INDICATORS

    c, r, ind = COLUMNS, t.row, t.indicator
    sides = result_sides(t.result)
    side = next((s for s in sides if s.owns(ind)), sides[0])
    sheet.put(r, c["result"], side.label, "wrap")
    sheet.put(r, c["effect"], "Benefit" if t.is_benefit else "Burden", "text")
    sheet.put(r, c["test"], TEST_NAMES[t.test], "wrap")
    measured = (
        "People in the catchment of the transit projects"
        if ind.key.measure is None
        else f"People whose access changes, weighted by the size of the change ({_measure(ind)})"
    )
    sheet.put(r, c["measured"], measured, "wrap")
    # The people the group's share is a share of (in the group's universe): what the Decision
    # sheet's "People affected" reads, so that its count and its shares are of the same people.
    sheet.put(
        r,
        c["affected"],
        clean_number(ind.details.get("total_affected")),
        "number",
        NumberFormats.COUNT,
    )
    ind_row = ctx.indicator_rows.get((t.result.id, ind.id))
    value, comparison = clean_number(ind.value), clean_number(ind.comparison)
    for key, engine in (("value", value), ("comparison", comparison)):
        if ind_row is None:
            sheet.put(r, c[key], engine, "number", NumberFormats.PCT)
        else:
            ref = f"{quote_sheet(INDICATORS)}!{a1(ind_row, IND[key], absolute=True)}"
            sheet.put(
                r,
                c[key],
                Formula(f'=IF(ISNUMBER({ref}),{ref},"")', engine),
                "number",
                NumberFormats.PCT,
            )
    e, f = a1(r, c["value"]), a1(r, c["comparison"])
    sheet.put(
        r,
        c["difference"],
        Formula("=" + shown_difference_formula(e, f), shown_difference(value, comparison)),
        "number",
        NumberFormats.POINTS,
    )
    sheet.differences.append(((r, c["value"]), (r, c["comparison"]), (r, c["difference"])))
    margins = [
        _points(ind.details.get("moe_share_affected")),
        _points(ind.details.get("moe_share_reference")),
    ]
    for key, margin in zip(("moe_value", "moe_comparison"), margins, strict=True):
        sheet.put(r, c[key], margin, "number", NumberFormats.MOE_POINTS)
    cells = verdict_cells(
        value,
        comparison,
        margins[0],
        margins[1],
        is_benefit=t.is_benefit,
        policy=policy,
        test=t.test,
    )
    formulas = verdict_formulas(r, t.test)
    formats = {
        "moe_difference": NumberFormats.MOE_POINTS,
        "relative": NumberFormats.PCT_SIGNED,
        "moe_relative": NumberFormats.MOE_PCT,
        "rate_ratio": NumberFormats.RATIO,
        "moe_rate_ratio": NumberFormats.MOE_RATIO,
    }
    for key, body in formulas.items():
        style = "verdict" if key in ("verdict", "words") else ("small" if key == "key" else "text")
        if key in formats:
            style = "number"
        sheet.put(r, c[key], Formula("=" + body, cells[key]), style, formats.get(key))
    engine_key = "finding" if ind.rating == t.test.value else ind.rating
    sheet.put(r, c["engine"], engine_key, "engine")
    sheet.put(
        r,
        c["match"],
        Formula(f'=IF({a1(r, c["key"])}={a1(r, c["engine"])},"Yes","No")', "Yes"),
        "check",
    )


def _measure(ind: Indicator) -> str:
    name = ind.name
    marker = " in "
    return name.split(marker, 1)[1] if marker in name else name


def _points(moe: Any) -> float | None:
    """A share's margin (a fraction) in percentage points; None when absent."""
    number = clean_number(moe)
    return None if number is None else number * 100.0


# ------------------------------------------------------------------------------------
# The verdict formulas and the values they give


def verdict_formulas(r: int, test: TitleViTest) -> dict[str, str]:
    """The formula bodies (without ``=``) of a test row's computed cells, by column key."""
    c = {k: a1(r, v) for k, v in COLUMNS.items()}
    e, f, h, i = c["value"], c["comparison"], c["moe_value"], c["moe_comparison"]
    j, k, m, n = c["moe_difference"], c["relative"], c["rate_ratio"], c["moe_rate_ratio"]
    lm = c["moe_relative"]
    benefit = f'${a1(r, COLUMNS["effect"]).rstrip("0123456789")}{r}="Benefit"'
    assessed = f"AND(ISNUMBER({e}),ISNUMBER({f}),{f}>0)"
    has_margin = f"OR(ISNUMBER({h}),ISNUMBER({i}))"
    out: dict[str, str] = {
        "moe_difference": f'IF(AND({assessed},{has_margin}),SQRT(N({h})^2+N({i})^2),"")',
        "relative": f'IF({assessed},({e}-{f})/{f},"")',
        "moe_relative": (
            f"IF(AND({assessed},ISNUMBER({j})),"
            f'SQRT((N({h})/100)^2+({e}/{f})^2*(N({i})/100)^2)/{f},"")'
        ),
        "rate_ratio": (
            f"IF(AND({assessed},{f}<1),IF({e}<1,{e}*(1-{f})/({f}*(1-{e})),"
            f'{excel_string(INFINITE)}),"")'
        ),
        "moe_rate_ratio": (
            f"IF(AND(ISNUMBER({j}),ISNUMBER({m}),{e}>0,{e}<1,{f}>0,{f}<1),"
            f'{m}*SQRT((N({h})/100/({e}*(1-{e})))^2+(N({i})/100/({f}*(1-{f})))^2),"")'
        ),
    }
    statistic = {"absolute": f"({e}-{f})*100", "relative": f"({e}-{f})/{f}", "four_fifths": m}
    margin = {"absolute": j, "relative": lm, "four_fifths": n}
    bound = {
        "absolute": f"IF({benefit},-{Thresholds.POINTS},{Thresholds.POINTS})",
        "relative": f"IF({benefit},-{Thresholds.RELATIVE},{Thresholds.RELATIVE})",
        "four_fifths": f"IF({benefit},{Thresholds.FOUR_FIFTHS},1/{Thresholds.FOUR_FIFTHS})",
    }
    for form, column in _FORM_COLUMNS.items():
        stat, b, moe = statistic[form], bound[form], margin[form]
        fires = f"IF({benefit},{stat}<{b}-1E-9,{stat}>{b}+1E-9)"
        clear = f"IF(ISNUMBER({moe}),OR({moe}<=0,ABS({stat}-{b})>{moe}),TRUE)"
        if form == "four_fifths":
            fires = (
                f"IF({m}={excel_string(INFINITE)},NOT({benefit}),IF(ISNUMBER({m}),{fires},FALSE))"
            )
        out[column] = (
            f'IF(NOT({assessed}),"",IF({_ADOPTED[form]}<>"Yes","Not adopted",'
            f'IF({clear},IF({fires},"Finding","Within"),"Cannot tell")))'
        )
    o, p, q = c["points"], c["relative_test"], c["four_fifths"]
    out["key"] = (
        f'IF(NOT({assessed}),"not_assessed",IF(OR({o}="Finding",{p}="Finding",{q}="Finding"),'
        f'"finding",IF(OR({o}="Cannot tell",{p}="Cannot tell",{q}="Cannot tell"),'
        f'"not_distinguishable","no_finding")))'
    )
    t = c["key"]

    def first(word: str) -> str:
        return (
            f'IF({o}="{word}","{FORM_NAMES["absolute"]}",IF({p}="{word}",'
            f'"{FORM_NAMES["relative"]}","{FORM_NAMES["four_fifths"]}"))'
        )

    out["decided"] = (
        f'IF({t}="finding",{first("Finding")},IF({t}="not_distinguishable",'
        f'{first("Cannot tell")},IF({t}="no_finding","every adopted test","")))'
    )
    labels = _labels(test)
    out["verdict"] = (
        f'IF({t}="finding",{excel_string(labels["finding"])},IF({t}="no_finding",'
        f'{excel_string(labels["no_finding"])},IF({t}="not_distinguishable",'
        f"{excel_string(labels['not_distinguishable'])},{excel_string(labels['not_assessed'])})))"
    )
    s, rv = c["decided"], c["verdict"]
    group = GROUP_WORDS[test]
    detail = (
        f'IF({s}="{FORM_NAMES["four_fifths"]}",IF(ISNUMBER({m}),": rate ratio "&TEXT({m},"0.00"),'
        f'": rate ratio {INFINITE}"),IF({s}="{FORM_NAMES["relative"]}",'
        f'": "&TEXT({k},"+0.0%;-0.0%;0.0%"),""))'
    )
    known = f'IF({s}="{FORM_NAMES["absolute"]}",ISNUMBER({j}),IF({s}="{FORM_NAMES["relative"]}",ISNUMBER({lm}),ISNUMBER({n})))'
    favourable = f"IF({benefit},{e}>{f},{e}<{f})"
    more = excel_string(f": the benefit reaches {group} residents more than their share")
    less = excel_string(f": the burden falls on {group} residents less than their share")
    out["words"] = (
        f'IF({t}="finding",{rv}&" ("&{s}&{detail}&IF({known},", clear of its margin of error","")&")",'
        f'IF({t}="not_distinguishable",{rv}&": the "&{s}&"\'s margin of error includes its threshold",'
        f'IF({t}="no_finding",{rv}&IF({favourable},IF({benefit},{more},{less}),'
        f'": within every adopted threshold"),{rv})))'
    )
    return out


def _labels(test: TitleViTest) -> dict[str, str]:
    keys = {
        "finding": test.value,
        "no_finding": "no_finding",
        "not_distinguishable": "not_distinguishable",
        "not_assessed": "not_assessed",
    }
    # In the language of the assessment, as the engine's rating words are.
    return {name: rating_words("title_vi", key)[0] for name, key in keys.items()}


def verdict_cells(
    value: float | None,
    comparison: float | None,
    moe_value: float | None,
    moe_comparison: float | None,
    *,
    is_benefit: bool,
    policy: TitleViPolicy,
    test: TitleViTest,
) -> dict[str, Any]:
    """What the formulas of :func:`verdict_formulas` give for these numbers and the policy.

    ``moe_value`` and ``moe_comparison`` are in percentage points. The rules are those of
    :func:`equityplanner.analysis.title_vi.title_vi_test`, on the two shares.
    """
    out: dict[str, Any] = dict.fromkeys(
        ("moe_difference", "relative", "moe_relative", "rate_ratio", "moe_rate_ratio"), None
    )
    labels = _labels(test)
    if value is None or comparison is None or not comparison > 0:
        out.update(
            points=None,
            relative_test=None,
            four_fifths=None,
            key="not_assessed",
            decided=None,
            verdict=labels["not_assessed"],
            words=labels["not_assessed"],
        )
        return out
    e, f = value, comparison
    h, i = moe_value, moe_comparison
    nh, ni = (h or 0.0), (i or 0.0)
    j = math.sqrt(nh**2 + ni**2) if (h is not None or i is not None) else None
    k = (e - f) / f
    lm = math.sqrt((nh / 100) ** 2 + (e / f) ** 2 * (ni / 100) ** 2) / f if j is not None else None
    m: float | str | None = None
    if f < 1:
        m = e * (1 - f) / (f * (1 - e)) if e < 1 else INFINITE
    n = None
    if j is not None and isinstance(m, float) and 0 < e < 1 and 0 < f < 1:
        n = m * math.sqrt((nh / 100 / (e * (1 - e))) ** 2 + (ni / 100 / (f * (1 - f))) ** 2)
    out.update(moe_difference=j, relative=k, moe_relative=lm, rate_ratio=m, moe_rate_ratio=n)
    sign = -1.0 if is_benefit else 1.0
    bounds = {
        "absolute": sign * policy.threshold_pp,
        "relative": sign * policy.threshold_relative,
        "four_fifths": policy.four_fifths_ratio if is_benefit else 1 / policy.four_fifths_ratio,
    }
    stats: dict[str, float | str | None] = {
        "absolute": (e - f) * 100,
        "relative": k,
        "four_fifths": m,
    }
    margins = {"absolute": j, "relative": lm, "four_fifths": n}
    results: dict[str, str] = {}
    for form, column in _FORM_COLUMNS.items():
        stat, b, moe = stats[form], bounds[form], margins[form]
        if stat == INFINITE:
            fires = not is_benefit
        elif not isinstance(stat, float):
            fires = False
        else:
            fires = stat < b - 1e-9 if is_benefit else stat > b + 1e-9
        clear = True
        if moe is not None and isinstance(stat, float):
            clear = moe <= 0 or abs(stat - b) > moe
        if form not in policy.forms:
            results[form] = "Not adopted"
        else:
            results[form] = ("Finding" if fires else "Within") if clear else "Cannot tell"
        out[column] = results[form]
    order = ("absolute", "relative", "four_fifths")
    finding = [x for x in order if results[x] == "Finding"]
    unclear = [x for x in order if results[x] == "Cannot tell"]
    if finding:
        key, decided = "finding", FORM_NAMES[finding[0]]
    elif unclear:
        key, decided = "not_distinguishable", FORM_NAMES[unclear[0]]
    else:
        key, decided = "no_finding", "every adopted test"
    label = labels[key]
    out.update(key=key, decided=decided, verdict=label)
    group = GROUP_WORDS[test]
    if key == "finding":
        form = finding[0]
        detail = ""
        if form == "four_fifths":
            detail = (
                f": rate ratio {_fixed(m, 2)}"
                if isinstance(m, float)
                else f": rate ratio {INFINITE}"
            )
        elif form == "relative":
            detail = f": {_signed_pct(k)}"
        clear_words = ", clear of its margin of error" if margins[form] is not None else ""
        words = f"{label} ({decided}{detail}{clear_words})"
    elif key == "not_distinguishable":
        words = f"{label}: the {decided}'s margin of error includes its threshold"
    else:
        favourable = e > f if is_benefit else e < f
        if favourable and is_benefit:
            words = f"{label}: the benefit reaches {group} residents more than their share"
        elif favourable:
            words = f"{label}: the burden falls on {group} residents less than their share"
        else:
            words = f"{label}: within every adopted threshold"
    out["words"] = words
    return out


def _fixed(value: float, digits: int) -> str:
    """``TEXT(value, "0.00")`` as the spreadsheet prints it."""
    return f"{excel_round(value, digits):.{digits}f}"


def _signed_pct(value: float) -> str:
    """``TEXT(value, "+0.0%;-0.0%;0.0%")``."""
    if value == 0:
        return "0.0%"
    shown = excel_round(abs(value) * 100, 1)
    return f"{'+' if value > 0 else '-'}{shown:.1f}%"
