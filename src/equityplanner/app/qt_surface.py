"""The Qt surface: the marks of :mod:`equityplanner.render.draw` painted with a ``QPainter``.

The canvas draws the map through :class:`QtSurface`, the workbook through
:class:`~equityplanner.render.raster.RasterSurface`; both receive the same rings, pens,
fills and fonts from the same drawing code. Rings become ``QPainterPath`` objects without a
Python loop per vertex: the vertices are written in the ``QDataStream`` form of a path and
read back in one call (:func:`qt_path`, the only place that knows that form). A
:class:`PathCache` keeps the path of each :class:`~equityplanner.render.geometry.Rings` for
as long as the rings exist, so the canvas rebuilds nothing when it repaints at the same
level of detail. Text uses the same font files as the picture
(:mod:`equityplanner.render.fonts`), registered with Qt once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache

import numpy as np
from PySide6.QtCore import QByteArray, QDataStream, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
    QTransform,
)

from equityplanner.render.fonts import font_files, line_metrics
from equityplanner.render.geometry import Affine, Rings
from equityplanner.render.raster import hatch_coverage
from equityplanner.render.surface import Colour, Fill, FontSpec, Hatch, Pen, Rect, TextMetrics

__all__ = ["PathCache", "QtSurface", "qcolor", "qfont", "qt_path"]

# One QPainterPath element in QDataStream form (little endian): int32 type, float64 x, y.
_ELEMENT = np.dtype([("type", "<i4"), ("x", "<f8"), ("y", "<f8")])
_MOVE_TO, _LINE_TO = 0, 1
_WINDING_FILL = 1  # Qt::WindingFill: rings are oriented, so holes stay empty


def qt_path(rings: Rings) -> QPainterPath:
    """A ``QPainterPath`` (winding fill) of rings: a move-to at each ring start, then line-tos."""
    path = QPainterPath()
    n = int(rings.coords.shape[0])
    if n == 0:
        path.setFillRule(Qt.FillRule.WindingFill)
        return path
    elements = np.empty(n, dtype=_ELEMENT)
    elements["type"] = _LINE_TO
    elements["type"][rings.starts] = _MOVE_TO
    elements["type"][0] = _MOVE_TO
    elements["x"] = rings.coords[:, 0]
    elements["y"] = rings.coords[:, 1]
    payload = (
        np.array([n], dtype="<i4").tobytes()
        + elements.tobytes()
        + np.array([int(rings.starts[-1]), _WINDING_FILL], dtype="<i4").tobytes()
    )
    stream = QDataStream(QByteArray(payload))
    stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
    stream >> path
    return path


class PathCache:
    """The ``QPainterPath`` of each ``Rings``, kept while the rings are alive."""

    def __init__(self) -> None:
        self._paths: weakref.WeakKeyDictionary[Rings, QPainterPath] = weakref.WeakKeyDictionary()

    def path(self, rings: Rings) -> QPainterPath:
        """The path of ``rings`` (built on first use)."""
        path = self._paths.get(rings)
        if path is None:
            path = qt_path(rings)
            self._paths[rings] = path
        return path


def qcolor(colour: Colour) -> QColor:
    """A ``QColor`` of an RGBA tuple."""
    return QColor(*colour)


@cache
def _family() -> str | None:
    """The family of the map's font files, registered with Qt (None: Qt's default font)."""
    files = font_files()
    if files is None:
        return None
    families: list[str] = []
    for path in files.all():
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return families[0] if families else None


@lru_cache(maxsize=64)
def qfont(spec: FontSpec) -> QFont:
    """The ``QFont`` of a font spec, in the map's typeface, sized in pixels."""
    font = QFont()
    family = _family()
    if family:
        font.setFamilies([family])
    font.setPixelSize(spec.size)
    font.setBold(spec.bold)
    font.setItalic(spec.italic)
    font.setKerning(True)
    return font


@lru_cache(maxsize=32)
def _hatch_tile(colour: Colour, direction: str, spacing: int, width: float) -> QImage:
    """One period of a hatch (``spacing`` pixels square), antialiased, as a texture."""
    samples = 4
    axis = (np.arange(spacing * samples) + 0.5) / samples
    on = hatch_coverage(
        axis[None, :],
        axis[:, None],
        Hatch(colour, direction, float(spacing), width),  # type: ignore[arg-type]
    )
    cover = on.reshape(spacing, samples, spacing, samples).mean(axis=(1, 3))
    alpha = np.round(cover * colour[3]).astype(np.uint32)
    r, g, b = (np.uint32(c) for c in colour[:3])
    # Premultiplied ARGB32 words.
    words = (
        (alpha << 24) | ((r * alpha // 255) << 16) | ((g * alpha // 255) << 8) | (b * alpha // 255)
    )
    data = np.ascontiguousarray(words, dtype=np.uint32)
    image = QImage(
        data.tobytes(), spacing, spacing, 4 * spacing, QImage.Format.Format_ARGB32_Premultiplied
    )
    return image.copy()  # own the pixels (the bytes above are temporary)


class QtSurface:
    """A :class:`~equityplanner.render.surface.Surface` over a ``QPainter``.

    Pixel coordinates are the painter's coordinates when the surface is made (the canvas
    resets the transform of scene items first; fixed-size symbols keep their translation).
    ``painter`` may be None for a surface that only measures text.
    """

    def __init__(
        self,
        painter: QPainter | None,
        width: float = 0.0,
        height: float = 0.0,
        paths: PathCache | None = None,
    ) -> None:
        self.painter = painter
        self._size = (float(width), float(height))
        self.paths = paths if paths is not None else PathCache()

    @property
    def size(self) -> tuple[float, float]:
        """Width and height in pixels (as given)."""
        return self._size

    def _painter(self) -> QPainter:
        if self.painter is None:
            raise RuntimeError("this surface only measures text")
        return self.painter

    def _brush(self, fill: Fill) -> list[QBrush]:
        brushes = [QBrush(qcolor(fill.colour))]
        hatch = fill.hatch
        if hatch is not None:
            spacing = max(round(hatch.spacing), 2)
            tile = _hatch_tile(hatch.colour, hatch.direction, spacing, hatch.width)
            brush = QBrush(tile)
            # Fix the pattern to device pixels at the hatch's origin, whatever the transform.
            inverse, _ = self._painter().worldTransform().inverted()
            brush.setTransform(QTransform.fromTranslate(*hatch.origin) * inverse)
            brushes.append(brush)
        return brushes

    def fill(self, rings: Rings, fill: Fill, to_px: Affine | None = None) -> None:
        """Fill rings (winding rule), in pixels or through ``to_px``."""
        if rings.is_empty:
            return
        p = self._painter()
        p.save()
        try:
            if to_px is not None:
                p.setTransform(QTransform(to_px.scale, 0, 0, to_px.scale, to_px.tx, to_px.ty), True)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, fill.antialias)
            path = self.paths.path(rings)
            for brush in self._brush(fill):
                p.fillPath(path, brush)
        finally:
            p.restore()

    def stroke(self, rings: Rings, pen: Pen, to_px: Affine | None = None) -> None:
        """Stroke each ring or part; widths stay in pixels under ``to_px``."""
        if rings.is_empty:
            return
        p = self._painter()
        qpen = QPen(qcolor(pen.colour), pen.width)
        qpen.setCosmetic(to_px is not None)
        qpen.setCapStyle(
            {
                "flat": Qt.PenCapStyle.FlatCap,
                "round": Qt.PenCapStyle.RoundCap,
                "square": Qt.PenCapStyle.SquareCap,
            }[pen.cap]
        )
        qpen.setJoinStyle(
            Qt.PenJoinStyle.RoundJoin if pen.join == "round" else Qt.PenJoinStyle.BevelJoin
        )
        p.save()
        try:
            if to_px is not None:
                p.setTransform(QTransform(to_px.scale, 0, 0, to_px.scale, to_px.tx, to_px.ty), True)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, pen.antialias)
            p.strokePath(self.paths.path(rings), qpen)
        finally:
            p.restore()

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        font: FontSpec,
        colour: Colour,
        halo: Pen | None = None,
    ) -> None:
        """Write a line of text; with a halo, as a path, so that the halo hugs the glyphs."""
        if not text:
            return
        p = self._painter()
        p.save()
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            if halo is None:  # Qt's glyph cache: much faster than a path
                p.setFont(qfont(font))
                p.setPen(qcolor(colour))
                p.drawText(QPointF(x, baseline), text)
                return
            path = QPainterPath()
            path.addText(x, baseline, qfont(font), text)
            qpen = QPen(qcolor(halo.colour), halo.width)
            qpen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.strokePath(path, qpen)
            p.fillPath(path, qcolor(colour))
        finally:
            p.restore()

    def measure(self, text: str, font: FontSpec) -> TextMetrics:
        """Advance width, ascent and descent of a line of text."""
        metrics = QFontMetricsF(qfont(font))
        width = metrics.horizontalAdvance(text) if text else 0.0
        # Line height from the font file, as the picture measures it (Qt would use the
        # font's Windows ascent, a little taller).
        shared = line_metrics(font.size, bold=font.bold, italic=font.italic)
        if shared is not None:
            return TextMetrics(width, *shared)
        return TextMetrics(width, metrics.ascent(), metrics.descent())

    def draw_image(
        self,
        image: QImage,
        source: tuple[float, float, float, float],
        top_left: tuple[float, float],
        top_right: tuple[float, float],
        bottom_left: tuple[float, float],
    ) -> None:
        """Draw part of a ``QImage`` onto a parallelogram (an affine transform, smoothed)."""
        sx, sy, sw, sh = source
        if sw <= 0 or sh <= 0:
            return
        (x0, y0), (x1, y1), (x2, y2) = top_left, top_right, bottom_left
        m11, m12 = (x1 - x0) / sw, (y1 - y0) / sw
        m21, m22 = (x2 - x0) / sh, (y2 - y0) / sh
        transform = QTransform(
            m11, m12, m21, m22, x0 - m11 * sx - m21 * sy, y0 - m12 * sx - m22 * sy
        )
        p = self._painter()
        p.save()
        try:
            p.setTransform(transform, True)
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            # Half a tile pixel more on each side: neighbouring pieces overlap, no seams.
            target = QRectF(sx - 0.5, sy - 0.5, sw + 1.0, sh + 1.0)
            p.drawImage(target, image, target)
        finally:
            p.restore()

    @contextmanager
    def clip(self, rect: Rect) -> Iterator[None]:
        """Draw inside ``rect`` only, within the block."""
        p = self._painter()
        p.save()
        try:
            p.setClipRect(QRectF(rect.x, rect.y, rect.w, rect.h), Qt.ClipOperation.IntersectClip)
            yield
        finally:
            p.restore()
