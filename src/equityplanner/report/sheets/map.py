"""The Map sheet: the rendered map of the assessment as a picture, with its alt text."""

from __future__ import annotations

from equityplanner.render.map_image import DISPLAY_SIZE
from equityplanner.report.layout import ImageSpec, SheetSpec, column_letter
from equityplanner.report.sheets import BookContext, page_setup

__all__ = ["SHEET_NAME", "build_map"]

SHEET_NAME = "Map"
# Shown at the size the picture's marks are scaled for (the PNG itself is 1600 x 1100).
MAP_WIDTH_PX, MAP_HEIGHT_PX = DISPLAY_SIZE


def build_map(ctx: BookContext) -> SheetSpec:
    """Lay out the Map sheet: the maps side by side on one printed page (a note instead of
    the picture when no map could be drawn)."""
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="009E73")
    maps = ([(ctx.map_png, ctx.map_description)] if ctx.map_png else []) + ctx.extra_maps
    # Each picture spans 18 columns of 64 px and 40 rows of 20 px from row 5: print exactly
    # the pictures, on one page.
    last_col = _MAP_COLUMNS * max(1, len(maps))
    page_setup(ctx, sheet, "Map", fit_height=True, area=f"A1:{column_letter(last_col)}{_LAST_ROW}")
    sheet.put(1, 1, "Map" if len(maps) < 2 else "Maps: minority and low-income residents", "title")
    sheet.row_heights[1] = 28
    for row in (2, 3):
        sheet.merge(row, 1, row, last_col)
    if maps:
        sheet.put(
            2,
            1,
            ("The two groups of the Title VI tests, side by side. " if len(maps) > 1 else "")
            + " ".join(description for _, description in maps[:1]),
            "note",
        )
        sheet.put(
            3,
            1,
            "Walk catchments of new or better service are pink and hatched; those of reduced "
            "service are orange, dashed and hatched the other way. Catchments are straight-line "
            "walking distances around stations, stops and sites, not walking routes. Class colours "
            "follow each map's legend; the Neighbourhoods sheet holds the values.",
            "note",
        )
        for number, (png, description) in enumerate(maps):
            anchor = f"{column_letter(1 + number * _MAP_COLUMNS)}5"
            sheet.images.append(
                ImageSpec(
                    png,
                    anchor,
                    MAP_WIDTH_PX,
                    MAP_HEIGHT_PX,
                    description,
                    "Map" if number == 0 else f"Map {number + 1}",
                )
            )
    else:
        sheet.put(2, 1, ctx.map_note or "No map was drawn.", "note")
    return sheet


_MAP_COLUMNS = 18  # columns of 64 px a picture of 1,120 px spans, with a margin
_LAST_ROW = 44
