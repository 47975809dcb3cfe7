"""The map as a picture, without Qt: the workbook's PNG.

:func:`render_map_png` prepares the scene of an assessment and draws the printed page
(:func:`~equityplanner.render.draw.draw_page`) on a
:class:`~equityplanner.render.raster.RasterSurface`. The page's map frame is drawn by the
same functions as the desktop app's canvas, at print size: the picture is shown in the
workbook at :data:`DISPLAY_SIZE`, so its marks are scaled by its width over that size.
"""

from __future__ import annotations

from equityplanner.model.results import Assessment
from equityplanner.render.classify import Method
from equityplanner.render.draw import MapStyle, draw_page, draw_screen
from equityplanner.render.raster import RasterSurface
from equityplanner.render.scene import MapScene, prepare_scene

__all__ = ["DISPLAY_SIZE", "page_style", "render_map_png", "scene_to_png", "screen_to_png"]

DISPLAY_SIZE = (1120, 770)
"""Size in pixels at which the workbook shows the map (Map sheet)."""


def page_style(width: int, height: int) -> MapStyle:
    """The style of a picture of ``width`` x ``height`` shown at :data:`DISPLAY_SIZE`."""
    return MapStyle(scale=max(min(width / DISPLAY_SIZE[0], height / DISPLAY_SIZE[1]), 0.4))


def render_map_png(
    assessment: Assessment,
    *,
    field: str = "minority_share",
    result_id: str | None = None,
    method: Method = "quantile",
    width: int = 1600,
    height: int = 1100,
    title: str | None = None,
) -> bytes:
    """PNG bytes of the printed map of an assessment.

    Parameters
    ----------
    assessment
        The assessment (it must hold the neighbourhood geometries).
    field
        The field shading the neighbourhoods (a baseline column, a group id such as
        ``"low_income"``, or a field of the app's menu).
    result_id
        Show this project's or scenario's catchment and projects only (default: all projects).
    method
        ``"quantile"``, ``"equal"`` or ``"natural"`` class breaks (5 classes).
    width, height
        Size in pixels.
    title
        Map title (default: the field's label).
    """
    scene = prepare_scene(assessment, field=field, result_id=result_id, method=method, title=title)
    return scene_to_png(scene, width, height)


def scene_to_png(
    scene: MapScene, width: int = 1600, height: int = 1100, *, dpi: float = 150.0
) -> bytes:
    """The printed page of ``scene`` as PNG bytes of ``width`` x ``height`` pixels."""
    style = page_style(width, height)
    # A picture larger than it is shown is smoothed by its display already: 2 x 2 samples
    # per pixel look the same as 3 x 3 there, at half the time.
    surface = RasterSurface(width, height, supersample=2 if style.scale >= 1.25 else 3)
    draw_page(surface, scene, style)
    return surface.png(dpi)


def screen_to_png(scene: MapScene, width: int, height: int, *, dpi: float = 96.0) -> bytes:
    """``scene`` as the canvas shows it in a view of ``width`` x ``height`` pixels, as PNG."""
    surface = RasterSurface(width, height)
    draw_screen(surface, scene, MapStyle())
    return surface.png(dpi)
