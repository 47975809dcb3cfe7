"""The Map sheet: the rendered map of the assessment as a picture, with its alt text."""

from __future__ import annotations

from equityplanner.render.map_image import DISPLAY_SIZE
from equityplanner.report.layout import ImageSpec, SheetSpec
from equityplanner.report.sheets import BookContext, page_setup

__all__ = ["SHEET_NAME", "build_map"]

SHEET_NAME = "Map"
# Shown at the size the picture's marks are scaled for (the PNG itself is 1600 x 1100).
MAP_WIDTH_PX, MAP_HEIGHT_PX = DISPLAY_SIZE


def build_map(ctx: BookContext) -> SheetSpec:
    """Lay out the Map sheet (a note instead of the picture when no map could be drawn)."""
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="009E73")
    # The picture spans columns A-R (18 x 64 px) and rows 5-44 (40 x 20 px): print exactly
    # that, on one page.
    page_setup(ctx, sheet, "Map", fit_height=True, area="A1:R44")
    sheet.put(1, 1, "Map", "title")
    for row in (2, 3):
        sheet.merge(row, 1, row, 18)
    if ctx.map_png:
        sheet.put(2, 1, ctx.map_description, "note")
        sheet.put(
            3,
            1,
            "Catchments are straight-line walking distances around stations, stops and sites, not "
            "walking routes. Class colours follow the legend; the Neighbourhoods sheet holds the "
            "values.",
            "note",
        )
        sheet.images.append(
            ImageSpec(ctx.map_png, "A5", MAP_WIDTH_PX, MAP_HEIGHT_PX, ctx.map_description, "Map")
        )
    else:
        sheet.put(2, 1, ctx.map_note or "No map was drawn.", "note")
    return sheet
