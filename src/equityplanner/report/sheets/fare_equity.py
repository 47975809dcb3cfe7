"""The Fare equity sheet (an appendix): the fare equity analysis of FTA C 4702.1B, live.

A fare change's quantities are average fares, not shares of people, so its two Title VI
tests live here rather than on the Title VI tests sheet. For each fare change:

- its fares, before and after, and each group's use of each fare (the share of the group's
  trips paid with it: from the rider survey as input cells, or derived from ACS commuters as
  the assessment's numbers);
- one row per test (disparate impact: minority riders against the non-minority riders;
  disproportionate burden: low-income riders against the others): each group's average fare
  before and after (each fare weighted by the group's use of it, SUMPRODUCT), its change in
  dollars and percent, and the statistic of each adopted form (the difference of the
  percentage changes in points, the relative difference and the ratio of the dollar changes,
  on the size of the effect: for a fare cut, the size of the cut);
- each form's verdict against the adopted thresholds on the Decision sheet
  (:class:`~equityplanner.report.sheets.Thresholds`), the combined verdict and the form that
  decided it, by the rules of :func:`equityplanner.analysis.fare_equity.fare_test`, and
  whether it matches the assessment's.

Typing another fare, another usage share or another threshold recalculates every verdict;
the Decision sheet shows these cells. There are no margins of error: usage shares carry none.
Each formula carries the value the engine's numbers give (:func:`fare_cells`), so a
recalculation can be checked cell by cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from equityplanner.model.concepts import ResultKind, TitleViTest
from equityplanner.model.project import TitleViPolicy
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import (
    Formula,
    NumberFormats,
    SheetSpec,
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
    shown_difference,
    shown_difference_formula,
    tone_rules,
)
from equityplanner.report.sheets.title_vi import (
    FORM_NAMES,
    INFINITE,
    TEST_NAMES,
    _fixed,
    _labels,
    _signed_pct,
)

__all__ = [
    "FARE_COLUMNS",
    "SHEET_NAME",
    "TEST_COLUMNS",
    "USD_CHANGE",
    "FareBlock",
    "FareTest",
    "build_fare_equity",
    "fare_cells",
    "fare_indicators",
    "plan_fares",
]

SHEET_NAME = "Fare equity"
USD = '"$"0.00'
USD_CHANGE = '+"$"0.00;-"$"0.00;"$"0.00'
GROUPS = ("minority", "non_minority", "low_income", "non_low_income")
PAIRS = {
    TitleViTest.DISPARATE_IMPACT: ("minority", "non_minority"),
    TitleViTest.DISPROPORTIONATE_BURDEN: ("low_income", "non_low_income"),
}
GROUP_WORDS = {
    TitleViTest.DISPARATE_IMPACT: "minority riders",
    TitleViTest.DISPROPORTIONATE_BURDEN: "low-income riders",
}
FARE_COLUMNS = {
    "fare": 1,
    "before": 2,
    "after": 3,
    "change": 4,
    "minority": 5,
    "non_minority": 6,
    "low_income": 7,
    "non_low_income": 8,
}
_FARE_HEADERS = {
    "fare": "Fare",
    "before": "Fare before (USD a trip)",
    "after": "Fare after (USD a trip)",
    "change": "Change (USD a trip)",
    "minority": "Minority riders: share of their trips",
    "non_minority": "Non-minority riders: share of their trips",
    "low_income": "Low-income riders: share of their trips",
    "non_low_income": "Riders not low-income: share of their trips",
}
TEST_COLUMNS = {
    "test": 1,
    "effect": 2,
    "group_before": 3,
    "group_after": 4,
    "group_change": 5,
    "group_pct": 6,
    "others_before": 7,
    "others_after": 8,
    "others_change": 9,
    "others_pct": 10,
    "difference": 11,
    "relative": 12,
    "ratio": 13,
    "points": 14,
    "relative_test": 15,
    "four_fifths": 16,
    "verdict": 17,
    "decided": 18,
    "key": 19,
    "words": 20,
    "engine": 21,
    "match": 22,
}
_TEST_HEADERS = {
    "test": "Test",
    "effect": "Effect",
    "group_before": "Group's average fare before",
    "group_after": "Group's average fare after",
    "group_change": "Group's change (USD a trip)",
    "group_pct": "Group's change (%)",
    "others_before": "Other riders' average fare before",
    "others_after": "Other riders' average fare after",
    "others_change": "Other riders' change (USD a trip)",
    "others_pct": "Other riders' change (%)",
    "difference": "Difference of the % changes (points)",
    "relative": "Relative difference of the USD changes",
    "ratio": "Ratio of the USD changes (group / others)",
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
_WIDTHS = (34, 12, 12, 12, 12, 12, 12, 12, 12, 12, 11, 12, 12, 12, 12, 12, 24, 18, 16, 46, 16, 11)
_ADOPTED = {
    "absolute": Thresholds.ADOPTED_POINTS,
    "relative": Thresholds.ADOPTED_RELATIVE,
    "four_fifths": Thresholds.ADOPTED_FOUR_FIFTHS,
}
_FORM_COLUMNS = {"absolute": "points", "relative": "relative_test", "four_fifths": "four_fifths"}


def fare_indicators(result: ProposalResult) -> list[Indicator]:
    """The Title VI tests of a fare change (``title_vi.fare.<test>``), in the result's order."""
    return [i for i in result.indicators if i.key.fare and i.key.title_vi_test is not None]


@dataclass(frozen=True)
class FareTest:
    """A fare test placed on the sheet, with the values its formulas give (``cells``)."""

    result: ProposalResult
    indicator: Indicator
    row: int
    cells: dict[str, Any]

    @property
    def test(self) -> TitleViTest:
        test = self.indicator.key.title_vi_test
        assert test is not None, self.indicator.id
        return test

    @property
    def is_benefit(self) -> bool:
        return bool(self.indicator.details.get("is_benefit", False))

    @property
    def engine_key(self) -> str:
        return "finding" if self.indicator.rating == self.test.value else self.indicator.rating

    def ref(self, column: str) -> str:
        """An absolute reference to one of the row's cells, with the sheet."""
        return f"{quote_sheet(SHEET_NAME)}!{a1(self.row, TEST_COLUMNS[column], absolute=True)}"


@dataclass
class FareBlock:
    """One fare change on the sheet: where its fares and tests go."""

    result: ProposalResult
    row: int  # its heading
    fares: list[tuple[str, float, float]]  # (name, before, after)
    usage: dict[str, dict[str, float]]  # group -> fare name -> share of the group's trips
    survey: bool
    usage_note: str
    low_income: str
    tests: list[FareTest] = field(default_factory=list)

    @property
    def fares_header(self) -> int:
        return self.row + 2

    @property
    def first_fare(self) -> int:
        return self.fares_header + 1

    @property
    def last_fare(self) -> int:
        return self.first_fare + len(self.fares) - 1

    @property
    def total_row(self) -> int:
        return self.last_fare + 1

    @property
    def tests_header(self) -> int:
        return self.total_row + 2

    @property
    def end(self) -> int:
        """The block's last row."""
        return self.tests_header + len(self.tests)


def plan_fares(ctx: BookContext) -> list[FareBlock]:
    """Where every fare change and fare test goes (tests recorded in ``ctx.fare_rows``)."""
    policy = ctx.assessment.parameters.title_vi
    blocks: list[FareBlock] = []
    row = 5
    for result in ctx.assessment.results:
        tests = fare_indicators(result)
        if result.kind is not ResultKind.FARE_CHANGE or not tests:
            continue
        first = tests[0].details
        fares = [
            (str(f["name"]), float(f["old_usd"]), float(f["new_usd"]))
            for f in first.get("fares", [])
        ]
        usage: dict[str, dict[str, float]] = {g: {} for g in GROUPS}
        for ind in tests:
            for group, shares in dict(ind.details.get("usage", {})).items():
                usage.setdefault(group, {}).update({str(k): float(v) for k, v in shares.items()})
        block = FareBlock(
            result,
            row,
            fares,
            usage,
            survey=first.get("usage_source") == "survey",
            usage_note=str(first.get("usage_note", "")),
            low_income=str(
                next(
                    (
                        i.details.get("low_income_definition", "")
                        for i in tests
                        if i.key.title_vi_test is TitleViTest.DISPROPORTIONATE_BURDEN
                    ),
                    "",
                )
            ),
        )
        test_row = block.tests_header + 1
        for ind in tests:
            test = ind.key.title_vi_test
            assert test is not None
            g, o = PAIRS[test]
            cells = fare_cells(
                fares,
                usage.get(g, {}),
                usage.get(o, {}),
                is_benefit=bool(ind.details.get("is_benefit", False)),
                policy=policy,
                test=test,
            )
            block.tests.append(FareTest(result, ind, test_row, cells))
            ctx.fare_rows[(result.id, ind.id)] = test_row
            test_row += 1
        blocks.append(block)
        row = block.end + 3
    return blocks


def build_fare_equity(ctx: BookContext, blocks: list[FareBlock]) -> SheetSpec | None:
    """Lay out the Fare equity sheet (None without a fare change)."""
    if not blocks:
        return None
    sheet = SheetSpec(SHEET_NAME, tab_colour="7F7F7F")
    for col, width in enumerate(_WIDTHS, 1):
        sheet.column_widths[col] = width
    sheet.put(1, 1, "Fare equity analysis (FTA C 4702.1B), test by test", "title")
    sheet.put(
        2,
        1,
        "Each group's average fare is every fare weighted by the group's share of trips paid "
        "with it; its change is compared with the other riders' on each adopted form: the "
        "difference of the percentage changes (points), the relative difference of the dollar "
        "changes, and their ratio against the four-fifths rule (for an increase, a ratio above "
        "1/0.8 = 1.25 is a disparity; for a fare cut the sizes of the cuts are compared and a "
        "ratio below 0.8 is). The thresholds are the input cells on the Decision sheet; blue "
        "cells are inputs: type another fare or usage share to see the verdicts recalculate. "
        "Usage shares carry no margin of error here, so no verdict is 'cannot tell'.",
        "note",
    )
    sheet.merge(2, 1, 2, 12)
    sheet.row_heights[2] = 58
    put_banner(sheet, 3, 1, 12)
    verdicts: list[str] = []
    last = 5
    for block in blocks:
        _block(sheet, block, verdicts)
        last = block.end
    for ref in verdicts:
        sheet.conditional_formats += tone_rules(ref, ref.split(":")[0])
    match = TEST_COLUMNS["match"]
    for block in blocks:
        top, bottom = block.tests[0].row, block.tests[-1].row
        ctx.check_refs.append(
            f"{quote_sheet(SHEET_NAME)}!{a1(top, match, absolute=True)}:"
            f"{a1(bottom, match, absolute=True)}"
        )
    page_setup(
        ctx,
        sheet,
        "Fare equity analysis",
        area=f"A1:{a1(last, TEST_COLUMNS['decided'])}",
    )
    return sheet


def _block(sheet: SheetSpec, block: FareBlock, verdicts: list[str]) -> None:
    r = block.row
    sheet.put(r, 1, f"{block.result.name} (fare change)", "heading")
    sheet.merge(r, 1, r, 12)
    source = block.usage_note or "usage by group as given"
    note = f"{source[:1].upper()}{source[1:]}."
    if block.low_income:
        words = block.low_income
        if words.startswith("Low-income (") and words.endswith(")"):
            words = f"{words[len('Low-income (') : -1]} (the adopted definition)"
        elif not block.survey:
            words += ": the ACS table's own cut, not the adopted definition"
        note += f" Low-income riders: {words}."
    sheet.put(r + 1, 1, note, "note")
    sheet.merge(r + 1, 1, r + 1, 12)
    sheet.row_heights[r + 1] = 30
    for key, col in FARE_COLUMNS.items():
        sheet.put(block.fares_header, col, _FARE_HEADERS[key], "header")
    sheet.row_heights[block.fares_header] = 45
    c = FARE_COLUMNS
    usage_style = "input" if block.survey else "number"
    for i, (name, before, after) in enumerate(block.fares):
        row = block.first_fare + i
        sheet.put(row, c["fare"], name, "text")
        sheet.put(row, c["before"], before, "input", USD)
        sheet.put(row, c["after"], after, "input", USD)
        b, a = a1(row, c["before"]), a1(row, c["after"])
        sheet.put(
            row,
            c["change"],
            Formula(f'=IF(AND(ISNUMBER({b}),ISNUMBER({a})),{a}-{b},"")', after - before),
            "number",
            USD_CHANGE,
        )
        for group in GROUPS:
            share = block.usage.get(group, {}).get(name, 0.0)
            sheet.put(row, c[group], share, usage_style, NumberFormats.PCT)
    sheet.put(block.total_row, c["fare"], "Total (each group's shares add up to 100%)", "label")
    for group in GROUPS:
        col = c[group]
        rng = f"{a1(block.first_fare, col)}:{a1(block.last_fare, col)}"
        total = sum(block.usage.get(group, {}).get(name, 0.0) for name, _, _ in block.fares)
        sheet.put(
            block.total_row, col, Formula(f"=SUM({rng})", total), "number_bold", NumberFormats.PCT
        )
    for key, col in TEST_COLUMNS.items():
        sheet.put(block.tests_header, col, _TEST_HEADERS[key], "header")
    sheet.row_heights[block.tests_header] = 45
    for t in block.tests:
        _test_row(sheet, block, t)
    first, final = block.tests[0].row, block.tests[-1].row
    for key in ("verdict", "words"):
        col = TEST_COLUMNS[key]
        verdicts.append(f"{a1(first, col)}:{a1(final, col)}")


def _test_row(sheet: SheetSpec, block: FareBlock, t: FareTest) -> None:
    c, r = TEST_COLUMNS, t.row
    g, o = PAIRS[t.test]
    sheet.put(
        r, c["test"], f"{TEST_NAMES[t.test]}: {GROUP_WORDS[t.test]} against the others", "wrap"
    )
    sheet.put(r, c["effect"], "Benefit" if t.is_benefit else "Burden", "text")
    before = _range(block, "before")
    after = _range(block, "after")
    formulas = fare_formulas(r, _range(block, g), _range(block, o), before, after, t.test)
    formats = {
        "group_before": USD,
        "group_after": USD,
        "group_change": USD_CHANGE,
        "group_pct": NumberFormats.PCT_SIGNED,
        "others_before": USD,
        "others_after": USD,
        "others_change": USD_CHANGE,
        "others_pct": NumberFormats.PCT_SIGNED,
        "difference": NumberFormats.POINTS,
        "relative": NumberFormats.PCT_SIGNED,
        "ratio": NumberFormats.RATIO,
    }
    for key, body in formulas.items():
        style = "verdict" if key in ("verdict", "words") else ("small" if key == "key" else "text")
        if key in formats:
            style = "number"
        sheet.put(r, c[key], Formula("=" + body, t.cells[key]), style, formats.get(key))
    sheet.differences.append(((r, c["group_pct"]), (r, c["others_pct"]), (r, c["difference"])))
    sheet.put(r, c["engine"], t.engine_key, "engine")
    sheet.put(
        r,
        c["match"],
        Formula(f'=IF({a1(r, c["key"])}={a1(r, c["engine"])},"Yes","No")', "Yes"),
        "check",
    )


def _range(block: FareBlock, column: str) -> str:
    col = FARE_COLUMNS[column]
    return f"{a1(block.first_fare, col, absolute=True)}:{a1(block.last_fare, col, absolute=True)}"


# ------------------------------------------------------------------------------------
# The formulas and the values they give


def fare_formulas(
    r: int, use_g: str, use_o: str, before: str, after: str, test: TitleViTest
) -> dict[str, str]:
    """The formula bodies (without ``=``) of a fare test row's computed cells, by column key.

    ``use_g`` and ``use_o`` are the ranges of the two groups' usage shares, ``before`` and
    ``after`` those of the fares.
    """
    c = {k: a1(r, v) for k, v in TEST_COLUMNS.items()}
    benefit = f'${a1(r, TEST_COLUMNS["effect"]).rstrip("0123456789")}{r}="Benefit"'
    out: dict[str, str] = {}
    for who, use in (("group", use_g), ("others", use_o)):
        for when, fares in (("before", before), ("after", after)):
            out[f"{who}_{when}"] = f'IF(SUM({use})>0,SUMPRODUCT({use},{fares})/SUM({use}),"")'
        b, a = c[f"{who}_before"], c[f"{who}_after"]
        out[f"{who}_change"] = f'IF(AND(ISNUMBER({b}),ISNUMBER({a})),{a}-{b},"")'
        change = c[f"{who}_change"]
        out[f"{who}_pct"] = f'IF(AND(ISNUMBER({change}),N({b})>0),{change}/{b},"")'
    gp, op, gc, oc = c["group_pct"], c["others_pct"], c["group_change"], c["others_change"]
    out["difference"] = shown_difference_formula(gp, op)
    assessed = f"AND(ISNUMBER({gp}),ISNUMBER({op}))"
    sign = f"IF({benefit},-1,1)"
    mine, theirs = f"({sign}*{gc})", f"({sign}*{oc})"
    inf = excel_string(INFINITE)
    out["relative"] = (
        f'IF(NOT({assessed}),"",IF({theirs}=0,IF({mine}>0,{inf},""),'
        f"({mine}-{theirs})/ABS({theirs})))"
    )
    out["ratio"] = f'IF(NOT({assessed}),"",IF({theirs}<=0,IF({mine}>0,{inf},""),{mine}/{theirs}))'
    k, m = c["relative"], c["ratio"]
    points = f"{sign}*({gp}-{op})*100"
    fires = {
        "absolute": (
            f"IF({benefit},{points}<-{Thresholds.POINTS}-1E-9,{points}>{Thresholds.POINTS}+1E-9)"
        ),
        "relative": (
            f"IF({k}={inf},NOT({benefit}),IF(ISNUMBER({k}),IF({benefit},"
            f"{k}<-{Thresholds.RELATIVE}-1E-9,{k}>{Thresholds.RELATIVE}+1E-9),FALSE))"
        ),
        "four_fifths": (
            f"IF({m}={inf},NOT({benefit}),IF(ISNUMBER({m}),IF({benefit},"
            f"{m}<{Thresholds.FOUR_FIFTHS}-1E-9,{m}>1/{Thresholds.FOUR_FIFTHS}+1E-9),FALSE))"
        ),
    }
    for form, column in _FORM_COLUMNS.items():
        out[column] = (
            f'IF(NOT({assessed}),"",IF({_ADOPTED[form]}<>"Yes","Not adopted",'
            f'IF({fires[form]},"Finding","Within")))'
        )
    o, p, q = c["points"], c["relative_test"], c["four_fifths"]
    out["key"] = (
        f'IF(NOT({assessed}),"not_assessed",IF(AND({gc}=0,{oc}=0),"no_finding",'
        f'IF(OR({o}="Finding",{p}="Finding",{q}="Finding"),"finding","no_finding")))'
    )
    t = c["key"]
    out["decided"] = (
        f'IF({t}="finding",IF({o}="Finding","{FORM_NAMES["absolute"]}",IF({p}="Finding",'
        f'"{FORM_NAMES["relative"]}","{FORM_NAMES["four_fifths"]}")),'
        f'IF({t}="no_finding","every adopted test",""))'
    )
    labels = _labels(test)
    out["verdict"] = (
        f'IF({t}="finding",{excel_string(labels["finding"])},IF({t}="no_finding",'
        f"{excel_string(labels['no_finding'])},{excel_string(labels['not_assessed'])}))"
    )
    s, rv, d = c["decided"], c["verdict"], c["difference"]
    detail = (
        f'IF({s}="{FORM_NAMES["four_fifths"]}",IF(ISNUMBER({m}),": ratio "&TEXT({m},"0.00"),'
        f'": ratio {INFINITE}"),IF({s}="{FORM_NAMES["relative"]}",IF(ISNUMBER({k}),'
        f'": "&TEXT({k},"+0.0%;-0.0%;0.0%"),": {INFINITE}"),'
        f'": "&TEXT({d},"+0.0;-0.0;0.0")&" points"))'
    )
    out["words"] = (
        f'IF({t}="finding",{rv}&" ("&{s}&{detail}&")",'
        f'IF({t}="no_finding",{rv}&": within every adopted threshold",{rv}))'
    )
    return out


def _average(fares: list[tuple[str, float, float]], use: dict[str, float]) -> tuple[Any, Any]:
    total = sum(use.get(name, 0.0) for name, _, _ in fares)
    if not total > 0:
        return None, None
    before = sum(use.get(name, 0.0) * b for name, b, _ in fares) / total
    after = sum(use.get(name, 0.0) * a for name, _, a in fares) / total
    return before, after


def _signed(value: float, digits: int) -> str:
    """``TEXT(value, "+0.0;-0.0;0.0")`` (``digits`` decimals)."""
    if value == 0:
        return f"{0:.{digits}f}"
    shown = excel_round(abs(value), digits)
    return f"{'+' if value > 0 else '-'}{shown:.{digits}f}"


def fare_cells(
    fares: list[tuple[str, float, float]],
    use_group: dict[str, float],
    use_others: dict[str, float],
    *,
    is_benefit: bool,
    policy: TitleViPolicy,
    test: TitleViTest,
) -> dict[str, Any]:
    """What the formulas of :func:`fare_formulas` give for these fares, usage and policy.

    The rules are those of :func:`equityplanner.analysis.fare_equity.fare_test`.
    """
    out: dict[str, Any] = {}
    for who, use in (("group", use_group), ("others", use_others)):
        before, after = _average(fares, use)
        change = after - before if before is not None and after is not None else None
        pct = change / before if change is not None and before is not None and before > 0 else None
        out.update(
            {
                f"{who}_before": before,
                f"{who}_after": after,
                f"{who}_change": change,
                f"{who}_pct": pct,
            }
        )
    gp, op = out["group_pct"], out["others_pct"]
    gc, oc = out["group_change"], out["others_change"]
    out["difference"] = shown_difference(gp, op)
    labels = _labels(test)
    if gp is None or op is None:
        out.update(
            relative=None,
            ratio=None,
            points=None,
            relative_test=None,
            four_fifths=None,
            key="not_assessed",
            decided=None,
            verdict=labels["not_assessed"],
            words=labels["not_assessed"],
        )
        return out
    sign = -1.0 if is_benefit else 1.0
    mine, theirs = sign * gc, sign * oc
    relative: float | str | None
    ratio: float | str | None
    if theirs == 0:
        relative = INFINITE if mine > 0 else None
    else:
        relative = (mine - theirs) / abs(theirs)
    if theirs <= 0:  # the others bear none of the effect (or the opposite one)
        ratio = INFINITE if mine > 0 else None
    else:
        ratio = mine / theirs
    out.update(relative=relative, ratio=ratio)
    points = sign * (gp - op) * 100
    bounds = {
        "absolute": -policy.threshold_pp if is_benefit else policy.threshold_pp,
        "relative": -policy.threshold_relative if is_benefit else policy.threshold_relative,
        "four_fifths": policy.four_fifths_ratio if is_benefit else 1 / policy.four_fifths_ratio,
    }
    stats: dict[str, float | str | None] = {
        "absolute": points,
        "relative": relative,
        "four_fifths": ratio,
    }
    results: dict[str, str] = {}
    for form, column in _FORM_COLUMNS.items():
        stat, b = stats[form], bounds[form]
        if stat == INFINITE:
            fires = not is_benefit
        elif isinstance(stat, float) and math.isfinite(stat):
            fires = stat < b - 1e-9 if is_benefit else stat > b + 1e-9
        else:
            fires = False
        results[form] = (
            "Not adopted" if form not in policy.forms else ("Finding" if fires else "Within")
        )
        out[column] = results[form]
    finding = [f for f in ("absolute", "relative", "four_fifths") if results[f] == "Finding"]
    if gc == 0 and oc == 0:
        key = "no_finding"
    else:
        key = "finding" if finding else "no_finding"
    decided = FORM_NAMES[finding[0]] if key == "finding" else "every adopted test"
    label = labels[key]
    out.update(key=key, decided=decided, verdict=label)
    if key == "finding":
        form = finding[0]
        if form == "four_fifths":
            detail = (
                f": ratio {_fixed(ratio, 2)}" if isinstance(ratio, float) else f": ratio {INFINITE}"
            )
        elif form == "relative":
            detail = (
                f": {_signed_pct(relative)}" if isinstance(relative, float) else f": {INFINITE}"
            )
        else:
            shown = clean_number(out["difference"])
            detail = f": {_signed(shown or 0.0, 1)} points"
        out["words"] = f"{label} ({decided}{detail})"
    else:
        out["words"] = f"{label}: within every adopted threshold"
    return out
