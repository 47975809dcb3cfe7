"""The Community summary sheets: the residents' summary in English and in Spanish.

One sheet a language (:data:`SHEET_NAMES`), laid out from
:func:`equityplanner.report.community_summary.build_community_summary`: the bold leads
("What is proposed:") in column A, the sentences beside them in column B, in a large font with
wrapped text, printed portrait, one page wide and at most two pages tall, with a header and a
footer in the sheet's own language. In the council print set they are hidden (the summaries
have their own files beside the workbook).
"""

from __future__ import annotations

from dataclasses import replace

from equityplanner.i18n import _, language
from equityplanner.report.community_summary import (
    SUMMARY_LANGUAGES,
    CommunitySummary,
    build_community_summary,
    date_words,
)
from equityplanner.report.layout import PrintSpec, SheetSpec, StyleSpec, header_words
from equityplanner.report.sheets import BookContext

__all__ = ["COMMUNITY_STYLES", "SHEET_NAMES", "build_community_sheets"]

#: The sheet of each language, in the workbook's order.
SHEET_NAMES: dict[str, str] = {"en": "Community summary", "es": "Resumen comunitario"}

_DARK, _GREY, _RULE, _RED = "1F3864", "404040", "8EA9C1", "9C0006"
#: The sheets' own styles (larger than the council sheets': residents read them).
COMMUNITY_STYLES: dict[str, StyleSpec] = {
    "cs_title": StyleSpec(size=18, bold=True, colour=_DARK),
    "cs_subtitle": StyleSpec(size=12, colour=_GREY, wrap=True),
    "cs_heading": StyleSpec(size=14, bold=True, colour=_DARK, border_bottom=_RULE),
    "cs_lead": StyleSpec(size=12, bold=True, wrap=True),
    "cs_body": StyleSpec(size=12, wrap=True),
    "cs_planner": StyleSpec(size=12, bold=True, colour=_RED, fill="FDECEA", wrap=True),
    "cs_small": StyleSpec(size=10, colour=_GREY, wrap=True),
}
_LEAD_WIDTH, _TEXT_WIDTH = 22.0, 86.0


def build_community_sheets(ctx: BookContext) -> list[SheetSpec]:
    """The summary sheets, English then Spanish."""
    return [
        build_community_sheet(ctx, build_community_summary(ctx.assessment, code))
        for code in SUMMARY_LANGUAGES
    ]


def build_community_sheet(ctx: BookContext, summary: CommunitySummary) -> SheetSpec:
    """Lay out one language's summary on a sheet of its own."""
    sheet = SheetSpec(SHEET_NAMES[summary.language], show_gridlines=False, tab_colour="2E7D32")
    sheet.column_widths.update({1: _LEAD_WIDTH, 2: _TEXT_WIDTH})
    with language(summary.language):
        _page(ctx, sheet, summary)
    row = 1
    sheet.put(row, 1, summary.title, "cs_title")
    sheet.row_heights[row] = 30
    row += 1
    row = _whole_row(sheet, row, summary.subtitle, "cs_subtitle")
    for paragraph in summary.intro:
        row = _whole_row(sheet, row, paragraph.text, _style(paragraph.kind))
    for section in summary.sections:
        row += 1
        if section.heading:
            sheet.put(row, 1, section.heading, "cs_heading")
            sheet.put(row, 2, None, "cs_heading")
            sheet.row_heights[row] = 22
            row += 1
        for paragraph in section.paragraphs:
            if paragraph.lead:
                sheet.put(row, 1, paragraph.lead, "cs_lead")
                sheet.put(row, 2, paragraph.text, _style(paragraph.kind))
                row += 1
            else:
                row = _whole_row(sheet, row, paragraph.text, _style(paragraph.kind))
    sheet.print = replace(sheet.print, area=f"A1:B{row - 1}")
    sheet.hidden = ctx.print_set
    return sheet


def _style(kind: str) -> str:
    return {"planner": "cs_planner", "small": "cs_small"}.get(kind, "cs_body")


def _whole_row(sheet: SheetSpec, row: int, text: str, style: str) -> int:
    sheet.put(row, 1, text, style)
    sheet.merge(row, 1, row, 2)
    return row + 1


def _page(ctx: BookContext, sheet: SheetSpec, summary: CommunitySummary) -> None:
    """Portrait, one page wide and at most two tall, with a header in the sheet's language."""
    md = ctx.assessment.metadata
    status = _("FINAL") if md.is_final else _("DRAFT")
    synthetic = _("SYNTHETIC DATA: describes no real people") if ctx.is_synthetic else ""
    sheet.print = PrintSpec(
        landscape=False,
        fit_width=True,
        pages_tall=2,
        header=header_words(summary.title),
        header_left=header_words(md.title, 60),
        header_right=header_words(f"{status} · {date_words(ctx.date)}"),
        footer=_("Page &P of &N"),
        footer_left=header_words(synthetic),
        footer_right="",
    )
