"""The Equity questions sheet: the racial-equity questions, the project's answers, the numbers.

Per set (GARE Racial Equity Toolkit, NYC Racial Equity Report, ICCAR commitments) and step,
each question of ``resources/equity_questions.toml`` in the current language, the project's
answer (``Not answered`` in the caution style when there is none; ``Not applicable: <reason>``
when so marked), and beside it the numbers the question concerns, taken from the assessment
for each proposal: the indicator's name, value with its unit and rating words and its row on
the Indicators sheet, and beside them the value as a live reference to that row's cell. Printed portrait, fit to the page width, with the
header row repeated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from equityplanner.i18n import _, current_language, format_number, format_percent
from equityplanner.model.equity_questions import (
    NOT_APPLICABLE,
    Answer,
    Question,
    concerns_indicator,
    count_answered,
    question_sets,
    questions,
)
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.report.layout import SheetSpec, a1, clean_number
from equityplanner.report.sheets import (
    BookContext,
    indicator_format,
    page_setup,
    result_sides,
    shown_difference,
    unit_words,
)
from equityplanner.report.sheets.indicators import indicator_link

__all__ = [
    "COLUMNS",
    "HEADER_ROW",
    "MAX_NUMBERS",
    "SHEET_NAME",
    "build_equity_questions",
    "concerned_numbers",
    "number_words",
    "progress_words",
]

SHEET_NAME = "Equity questions"
HEADER_ROW = 4
COLUMNS = {"id": 1, "question": 2, "answer": 3, "numbers": 4, "value": 5}
_WIDTHS = {"id": 11, "question": 44, "answer": 40, "numbers": 46, "value": 11}
MAX_NUMBERS = 5  # numbers printed beside one question (adverse first); the rest are counted
_TONE_ORDER = {"adverse": 0, "caution": 1, "beneficial": 2, "neutral": 3, "info": 4}


def progress_words(answers: Mapping[str, Answer]) -> str:
    """``"7 of 33 questions answered"`` (a not-applicable with its reason counts)."""
    return _("{answered} of {total} questions answered").format(
        answered=count_answered(answers), total=len(questions())
    )


def _value_words(value: object, unit: str) -> str:
    if isinstance(value, str):
        return value
    if not isinstance(value, int | float) or value != value:
        return _("no value")
    number = float(value)
    if unit == "share":
        return format_percent(number)
    if unit in ("USD per year", "usd"):
        return "$" + format_number(number)
    if unit == "USD per trip":
        return ("+$" if number >= 0 else "-$") + format_number(abs(number), 2)
    if unit == "index":
        return format_number(number, 1)
    if unit in ("minutes", "physicians per 1,000"):
        return f"{format_number(number, 1)} {unit}"
    return f"{format_number(number)} {unit_words(unit)}"


def number_words(label: str, ind: Indicator) -> str:
    """An indicator in words: ``"Route 14: Title VI disparate impact (minority): 62.1%
    against 47.3% (+14.8 points): Potential disparate impact"``."""
    words = f"{label}: {ind.name}: {_value_words(ind.value, ind.value_unit)}"
    if ind.value_unit == "share" and isinstance(ind.comparison, int | float):
        words += " " + _("against {comparison}").format(
            comparison=format_percent(float(ind.comparison))
        )
        points = shown_difference(ind.value, ind.comparison)
        if points is not None:
            words += " " + _("({points} points)").format(
                points=("+" if points >= 0 else "-") + format_number(abs(points), 1)
            )
    if ind.rating_label:
        words += f": {ind.rating_label}"
    return words


def concerned_numbers(
    ctx: BookContext, item: Question
) -> list[tuple[ProposalResult | None, str, Indicator]]:
    """The indicators a question concerns, of every proposal and of the study area:
    (result, label, indicator), adverse and inconclusive first, then in the workbook's order."""
    found: list[tuple[ProposalResult | None, str, Indicator]] = []
    if not item.concerns:
        return found
    a = ctx.assessment
    for result in a.results:
        sides = result_sides(result)
        for ind in result.indicators:
            if any(concerns_indicator(c, ind.id) for c in item.concerns):
                side = next((s for s in sides if s.owns(ind)), sides[0])
                found.append((result, side.label, ind))
    for ind in a.study_indicators:
        if any(concerns_indicator(c, ind.id) for c in item.concerns):
            found.append((None, _("Study area"), ind))
    return sorted(found, key=lambda entry: _TONE_ORDER.get(entry[2].tone, 5))


def _link(
    ctx: BookContext, result: ProposalResult | None, ind: Indicator
) -> tuple[Any, int | None]:
    """The indicator's value as a live reference to its cell on the Indicators sheet (the
    engine's value when it has no row there), and that row."""
    row = ctx.indicator_rows.get((result.id if result is not None else "", ind.id))
    if result is None:
        return clean_number(ind.value), row
    return indicator_link(ctx, result, ind, "value", ind.value), row


def _answer_cell(answer: Answer | None) -> tuple[str, str]:
    """The answer's words and style."""
    if answer is None:
        return _("Not answered"), "rating_caution"
    if answer.status == NOT_APPLICABLE:
        return _("Not applicable: {reason}").format(reason=answer.reason), "rating_neutral"
    return answer.text, "wrap"


def build_equity_questions(ctx: BookContext) -> SheetSpec:
    """Lay out the Equity questions sheet (after the Indicators sheet, whose rows it links)."""
    language = current_language()
    answers = ctx.assessment.equity_questions
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="7F7F7F")
    last_col = max(COLUMNS.values())
    for key, col in COLUMNS.items():
        sheet.column_widths[col] = _WIDTHS[key]
    sheet.put(1, 1, _("Equity questions"), "title")
    sheet.merge(1, 1, 1, last_col)
    note = _(
        "The racial-equity questions of the GARE Racial Equity Toolkit, the NYC Racial Equity "
        "Report on Housing and Opportunity and the ICCAR commitments, answered for this "
        'project: {progress}. A question without an answer reads "Not answered". Beside each '
        "question are the numbers it concerns, as the assessment computed them, with their row "
        "on the Indicators sheet; the last column reads the value from that row. Questions marked (optional) concern the "
        "city's policies rather than one project."
    ).format(progress=progress_words(answers))
    sheet.put(2, 1, note, "note")
    sheet.merge(2, 1, 2, last_col)
    sheet.row_heights[2] = 58
    headers = {
        "id": _("Question id"),
        "question": _("Question"),
        "answer": _("Answer"),
        "numbers": _("Numbers it concerns"),
        "value": _("Value (live)"),
    }
    for key, col in COLUMNS.items():
        sheet.put(HEADER_ROW, col, headers[key], "header")
    row = HEADER_ROW + 1
    for qset in question_sets():
        sheet.put(row, 1, qset.title(language), "heading")
        sheet.merge(row, 1, row, last_col)
        row += 1
        src = qset.source
        by = f"{src.authors}, " if src.authors else ""
        sheet.put(
            row,
            1,
            _("Source: {by}{title} ({publisher}, {year}), {url}").format(
                by=by, title=src.title, publisher=src.publisher, year=src.year, url=src.url
            ),
            "note",
        )
        sheet.merge(row, 1, row, last_col)
        row += 1
        for step in qset.steps:
            sheet.put(row, 1, step.title(language), "label_wrap")
            sheet.merge(row, 1, row, last_col)
            row += 1
            for item in step.questions:
                row = _question_rows(ctx, sheet, row, item, answers.get(item.id), language)
    last = max(row - 1, HEADER_ROW + 1)
    page_setup(
        ctx,
        sheet,
        _("Equity questions"),
        landscape=False,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        area=f"A1:{a1(last, last_col)}",
    )
    return sheet


def _question_rows(
    ctx: BookContext,
    sheet: SheetSpec,
    row: int,
    item: Question,
    answer: Answer | None,
    language: str,
) -> int:
    """The question's row (and one more row per further number); returns the next free row."""
    text = item.text(language)
    if item.optional:
        text += " " + _("(optional)")
    sheet.put(row, COLUMNS["id"], item.id, "small")
    sheet.put(row, COLUMNS["question"], text, "wrap")
    words, style = _answer_cell(answer)
    sheet.put(row, COLUMNS["answer"], words, style)
    numbers = concerned_numbers(ctx, item)
    if not numbers:
        if item.concerns:
            sheet.put(row, COLUMNS["numbers"], _("No number of this assessment"), "note")
        return row + 1
    for n, (result, label, ind) in enumerate(numbers[:MAX_NUMBERS]):
        link, at = _link(ctx, result, ind)
        words = number_words(label, ind)
        if at is not None:
            words += " " + _("(Indicators sheet, row {row})").format(row=at)
        sheet.put(row + n, COLUMNS["numbers"], words, "wrap")
        if link is not None:
            sheet.put(row + n, COLUMNS["value"], link, "number", indicator_format(ind.value_unit))
    row += min(len(numbers), MAX_NUMBERS)
    if len(numbers) > MAX_NUMBERS:
        more = _("and {count} more on the Indicators sheet").format(
            count=len(numbers) - MAX_NUMBERS
        )
        sheet.put(row, COLUMNS["numbers"], more, "note")
        row += 1
    return row
