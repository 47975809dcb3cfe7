"""The drawing surface: the few operations the map is drawn with, and their vocabulary.

Everything on the map (fills, outlines, symbols, labels, legend, scale bar) is drawn by
:mod:`equityplanner.render.draw` through a :class:`Surface`. Two surfaces implement it:
:class:`~equityplanner.render.raster.RasterSurface` (numpy and Pillow, no Qt) for the
workbook's picture, and ``equityplanner.app.qt_surface.QtSurface`` (a ``QPainter``) for the
desktop app's canvas. A surface knows nothing about maps: shapes arrive as
:class:`~equityplanner.render.geometry.Rings` in pixels (or in map units with an
:class:`~equityplanner.render.geometry.Affine` to pixels, so that the canvas can keep its
paths in scene units and reuse them at every zoom), text arrives with a baseline position,
pictures (basemap tiles, :mod:`equityplanner.render.tiles`) with the parallelogram they cover.

Dashes, circles, rounded boxes and arrows are turned into rings before they reach a surface
(:mod:`equityplanner.render.shapes`), so both surfaces draw them from the same vertices.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from equityplanner.render.geometry import Affine, Rings

__all__ = [
    "Colour",
    "Fill",
    "FontSpec",
    "Hatch",
    "Pen",
    "Rect",
    "Surface",
    "TextMetrics",
    "rgba",
]

Colour = tuple[int, int, int, int]
"""Red, green, blue and alpha, 0-255."""


def rgba(colour: str | Colour, alpha: float = 1.0) -> Colour:
    """A colour from ``#rrggbb`` (or ``#rrggbbaa``, or a tuple), its alpha multiplied by ``alpha``.

    Examples
    --------
    >>> rgba("#cc79a7", 0.5)
    (204, 121, 167, 128)
    """
    if isinstance(colour, tuple):
        r, g, b, a = colour
    else:
        text = colour.lstrip("#")
        if len(text) not in (6, 8):
            raise ValueError(f"not a #rrggbb colour: {colour!r}")
        r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
        a = int(text[6:8], 16) if len(text) == 8 else 255
    return (r, g, b, round(a * min(max(alpha, 0.0), 1.0)))


@dataclass(frozen=True)
class Rect:
    """A rectangle in pixels: left, top, width, height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        """Left plus width."""
        return self.x + self.w

    @property
    def bottom(self) -> float:
        """Top plus height."""
        return self.y + self.h

    def inset(self, dx: float, dy: float | None = None) -> Rect:
        """The rectangle shrunk by ``dx`` (and ``dy``) on every side."""
        dy = dx if dy is None else dy
        return Rect(self.x + dx, self.y + dy, self.w - 2 * dx, self.h - 2 * dy)

    def contains(self, other: Rect) -> bool:
        """True when ``other`` lies wholly inside."""
        return (
            other.x >= self.x
            and other.y >= self.y
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def intersects(self, other: Rect) -> bool:
        """True when the rectangles overlap (touching edges do not count)."""
        return (
            other.x < self.right
            and other.right > self.x
            and other.y < self.bottom
            and other.bottom > self.y
        )


@dataclass(frozen=True)
class Hatch:
    """Parallel diagonal lines over a fill, ``spacing`` pixels apart.

    ``direction`` ``"fdiag"`` runs from lower left to upper right, ``"bdiag"`` the other way.
    ``origin`` (pixels) anchors the pattern, so that it moves with the map when panned.
    """

    colour: Colour
    direction: Literal["fdiag", "bdiag"] = "fdiag"
    spacing: float = 8.0
    width: float = 1.0
    origin: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class Fill:
    """How to fill rings: a colour (possibly translucent), an optional hatch.

    Rings are filled with the non-zero winding rule (rings are oriented: exteriors one way,
    holes the other), so holes stay empty and overlapping parts stay filled.
    ``antialias`` False asks for hard edges where neighbours meet (the choropleth: no seams);
    a surface that always supersamples may ignore it.
    """

    colour: Colour
    hatch: Hatch | None = None
    antialias: bool = True


@dataclass(frozen=True)
class Pen:
    """How to stroke rings or line parts: colour, width in pixels, end caps and joins.

    ``antialias`` False asks for hard edges (the hairline outlines of many neighbourhoods,
    as fast as can be on screen); a surface that always supersamples may ignore it.
    """

    colour: Colour
    width: float = 1.0
    cap: Literal["flat", "round", "square"] = "round"
    join: Literal["round", "bevel"] = "round"
    antialias: bool = True


@dataclass(frozen=True)
class FontSpec:
    """A font: size in pixels (whole pixels, as both surfaces draw them), weight, slant."""

    size: int
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class TextMetrics:
    """Measured text: advance width, and ascent and descent from the baseline, in pixels."""

    width: float
    ascent: float
    descent: float

    @property
    def height(self) -> float:
        """Ascent plus descent: the height of a line of this font."""
        return self.ascent + self.descent


class Surface(Protocol):
    """Where the map is drawn. Coordinates are pixels, x to the right and y down."""

    @property
    def size(self) -> tuple[float, float]:
        """Width and height of the surface in pixels."""
        ...

    def fill(self, rings: Rings, fill: Fill, to_px: Affine | None = None) -> None:
        """Fill rings (non-zero winding); ``to_px`` maps their coordinates to pixels."""
        ...

    def stroke(self, rings: Rings, pen: Pen, to_px: Affine | None = None) -> None:
        """Stroke each ring or line part of ``rings`` with ``pen`` (widths stay in pixels)."""
        ...

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        font: FontSpec,
        colour: Colour,
        halo: Pen | None = None,
    ) -> None:
        """Write one line of text from ``x`` on ``baseline``; ``halo`` outlines it first."""
        ...

    def measure(self, text: str, font: FontSpec) -> TextMetrics:
        """The size of one line of text."""
        ...

    def clip(self, rect: Rect) -> AbstractContextManager[None]:
        """Within the ``with`` block, draw inside ``rect`` only."""
        ...

    def draw_image(
        self,
        image: Any,
        source: tuple[float, float, float, float],
        top_left: tuple[float, float],
        top_right: tuple[float, float],
        bottom_left: tuple[float, float],
    ) -> None:
        """Draw the ``source`` part (left, top, width, height in image pixels) of a picture
        onto the parallelogram with these three corners, in pixels (basemap tiles).

        ``image`` is the surface's own kind of picture (a ``QImage`` on the canvas, a Pillow
        image or an RGBA array on the raster surface).
        """
        ...
