"""Paint a :class:`~equityplanner.render.scene.MapScene` with QtGui, and save it as PNG.

:func:`paint_map` draws on any ``QPainter`` (a ``QImage`` here, a widget in the desktop app);
:func:`render_map_png` prepares the scene of an assessment and returns PNG bytes. Only QtGui
is used; when no Qt application exists, an offscreen ``QGuiApplication`` is created (create
the app's ``QApplication`` first if the process also shows widgets).

Paths are built without per-vertex Python loops: the vertices (numpy) are serialised in the
``QDataStream`` format of ``QPainterPath`` and read back in one call.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QDataStream, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)

from equityplanner.model.results import Assessment
from equityplanner.render.classify import Method
from equityplanner.render.scene import MapScene, Rings, prepare_scene

__all__ = ["ensure_gui_application", "paint_map", "render_map_png", "scene_to_png"]

FONT_FAMILIES = ["Carlito", "Calibri", "DejaVu Sans", "Liberation Sans", "Arial"]
_APP: QGuiApplication | None = None  # keeps the offscreen application alive
_RECORD = np.dtype([("type", ">i4"), ("x", ">f8"), ("y", ">f8")])
_MOVE_TO, _LINE_TO = 0, 1
_WINDING_FILL = 1  # polygons are oriented (exterior counter-clockwise), so holes stay empty


def ensure_gui_application() -> QGuiApplication:
    """The running Qt application, or a new offscreen ``QGuiApplication``."""
    global _APP
    app = QGuiApplication.instance()
    if app is None:
        _APP = QGuiApplication(["equityplanner", "-platform", "offscreen"])
        app = _APP
    return app  # type: ignore[return-value]


def render_map_png(
    assessment: Assessment,
    *,
    field: str = "minority_share",
    unit_id: str | None = None,
    method: Method = "quantile",
    width: int = 1600,
    height: int = 1100,
    title: str | None = None,
) -> bytes:
    """PNG bytes of the map of an assessment.

    Parameters
    ----------
    assessment
        The assessment (it must hold the neighbourhood geometries).
    field
        Baseline column (or group id, e.g. ``"low_income"``) shading the neighbourhoods.
    unit_id
        Show this project's or scenario's catchment and projects only (default: all projects).
    method
        ``"quantile"``, ``"equal"`` or ``"natural"`` class breaks (5 classes).
    width, height
        Size in pixels.
    title
        Map title (default: the field's label).
    """
    ensure_gui_application()
    scene = prepare_scene(
        assessment, field=field, unit_id=unit_id, method=method, title=title, resolution_px=width
    )
    return scene_to_png(scene, width, height)


def scene_to_png(
    scene: MapScene, width: int = 1600, height: int = 1100, *, dpi: float = 150.0
) -> bytes:
    """Paint ``scene`` on a white image of ``width`` x ``height`` pixels; PNG bytes."""
    ensure_gui_application()
    image = QImage(int(width), int(height), QImage.Format.Format_ARGB32_Premultiplied)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        paint_map(painter, QRectF(0, 0, width, height), scene)
    finally:
        painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode the map as PNG")
    buffer.close()
    return bytes(data.data())


def paint_map(painter: QPainter, rect: QRectF, scene: MapScene) -> None:
    """Draw the whole map (title, map, legend, north arrow, scale bar, source) in ``rect``.

    The painter's state is restored afterwards. Sizes scale with ``rect`` (designed for
    1600 x 1100 pixels; fonts never go below 8 pixels).
    """
    painter.save()
    try:
        _MapPainter(painter, QRectF(rect), scene).paint()
    finally:
        painter.restore()


def _path(coords: np.ndarray, starts: np.ndarray, fill_rule: int = _WINDING_FILL) -> QPainterPath:
    """A QPainterPath from vertices (pixels) and ring starts, via QDataStream (no Python loop)."""
    path = QPainterPath()
    n = int(coords.shape[0])
    if n == 0:
        return path
    records = np.empty(n, dtype=_RECORD)
    records["type"] = _LINE_TO
    records["type"][starts] = _MOVE_TO
    records["x"] = coords[:, 0]
    records["y"] = coords[:, 1]
    payload = (
        np.array([n], dtype=">i4").tobytes()
        + records.tobytes()
        + np.array([int(starts[-1]), fill_rule], dtype=">i4").tobytes()
    )
    stream = QDataStream(QByteArray(payload))
    stream.setByteOrder(QDataStream.ByteOrder.BigEndian)
    stream >> path
    return path


class _MapPainter:
    """One paint of a scene: layout, then layers, then furniture."""

    def __init__(self, painter: QPainter, rect: QRectF, scene: MapScene) -> None:
        self.p = painter
        self.rect = rect
        self.scene = scene
        self.u = max(min(rect.width() / 1600.0, rect.height() / 1100.0), 0.3)
        self.colours = scene.colours
        self.text_colour = QColor(self.colours.get("text", "#1a1a1a"))
        self.muted = QColor(self.colours.get("muted_text", "#595959"))

    # ---------------------------------------------------------------- helpers
    def font(self, px: float, *, bold: bool = False, italic: bool = False) -> QFont:
        f = QFont()
        f.setFamilies(FONT_FAMILIES)
        f.setPixelSize(max(round(px * self.u), 8))
        f.setBold(bold)
        f.setItalic(italic)
        return f

    def text_block(
        self, x: float, y: float, width: float, text: str, font: QFont, colour: QColor
    ) -> float:
        """Write wrapped text from (x, y); returns the height used."""
        metrics = QFontMetricsF(font)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop) | int(
            Qt.TextFlag.TextWordWrap
        )
        bounds = metrics.boundingRect(QRectF(x, y, width, 10_000), flags, text)
        self.p.setFont(font)
        self.p.setPen(colour)
        self.p.drawText(QRectF(x, y, width, bounds.height() + 2), flags, text)
        return bounds.height()

    # ---------------------------------------------------------------- layout
    def paint(self) -> None:
        p, r, u = self.p, self.rect, self.u
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.fillRect(r, QColor("white"))
        m = 24 * u
        inner_w = r.width() - 2 * m
        y = r.top() + m
        y += self.text_block(
            r.left() + m, y, inner_w, self.scene.title, self.font(30, bold=True), self.text_colour
        )
        if self.scene.subtitle:
            subtitle = self.scene.subtitle
            y += 4 * u + self.text_block(
                r.left() + m, y + 4 * u, inner_w, subtitle, self.font(18), self.muted
            )
        top = y + 12 * u
        footer_font = self.font(14)
        footer_h = QFontMetricsF(footer_font).height()
        bottom = r.bottom() - m - footer_h - 10 * u
        legend_w = max(320 * u, 0.25 * r.width())
        map_rect = QRectF(r.left() + m, top, r.width() - 3 * m - legend_w, bottom - top)
        legend_rect = QRectF(map_rect.right() + m, top, legend_w, bottom - top)
        self.paint_map_area(map_rect)
        self.paint_legend(legend_rect)
        p.setFont(footer_font)
        p.setPen(self.muted)
        footer = QRectF(r.left() + m, r.bottom() - m - footer_h, inner_w, footer_h + 2)
        middle = Qt.AlignmentFlag.AlignVCenter
        p.drawText(footer, int(Qt.AlignmentFlag.AlignLeft | middle), self.scene.source)
        p.drawText(
            footer, int(Qt.AlignmentFlag.AlignRight | middle), f"Projection: {self.scene.crs_name}"
        )

    # ---------------------------------------------------------------- map area
    def paint_map_area(self, area: QRectF) -> None:
        p, u, scene = self.p, self.u, self.scene
        xmin, ymin, xmax, ymax = scene.bounds
        pad = 0.03 * max(xmax - xmin, ymax - ymin, 1.0)
        x0, x1, y0, y1 = xmin - pad, xmax + pad, ymin - pad, ymax + pad
        scale = min(area.width() / (x1 - x0), area.height() / (y1 - y0))
        ox = area.left() + (area.width() - (x1 - x0) * scale) / 2
        oy = area.top() + (area.height() - (y1 - y0) * scale) / 2

        def to_px(coords: np.ndarray) -> np.ndarray:
            return np.column_stack(
                ((coords[:, 0] - x0) * scale + ox, (y1 - coords[:, 1]) * scale + oy)
            )

        def path_of(rings: Rings) -> QPainterPath:
            return _path(to_px(rings.coords), rings.starts)

        p.save()
        p.setClipRect(area)
        outline = QPen(QColor(self.colours.get("outline", "#ffffff")), max(0.8 * u, 0.5))
        outline.setCosmetic(True)
        for layer in scene.classes:
            if layer.rings.is_empty:
                continue
            p.setPen(outline)
            p.setBrush(QColor(layer.colour))
            p.drawPath(path_of(layer.rings))
        if scene.no_data is not None and not scene.no_data.is_empty:
            path = path_of(scene.no_data)
            p.setPen(outline)
            p.setBrush(QColor(self.colours.get("no_data", "#d9d9d9")))
            p.drawPath(path)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(QColor("#8c8c8c"), Qt.BrushStyle.BDiagPattern))
            p.drawPath(path)
        for catchment in scene.catchments:
            path = path_of(catchment.rings)
            colour = QColor(catchment.colour)
            translucent = QColor(colour)
            translucent.setAlpha(40)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(translucent)
            p.drawPath(path)
            hatch = QColor(colour)
            hatch.setAlpha(150)
            p.setBrush(QBrush(hatch, Qt.BrushStyle.FDiagPattern))
            p.drawPath(path)
            pen = QPen(colour, 3.0 * u)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
        for line in scene.lines:
            path = _path(to_px(line.parts.coords), line.parts.starts)
            self.stroke_line(path, QColor(line.colour), dashed=line.is_burden)
        # Labels avoid each other, the lines and the symbols; sites are always labelled.
        obstacles = QPainterPath()
        obstacles.setFillRule(Qt.FillRule.WindingFill)
        stroker = QPainterPathStroker()
        stroker.setWidth(9 * u)
        for line in scene.lines:
            obstacles.addPath(
                stroker.createStroke(_path(to_px(line.parts.coords), line.parts.starts))
            )
        projected = [(layer, to_px(layer.xy)) for layer in scene.points]
        for layer, xy in projected:
            for x, y in xy:
                radius = (16 if layer.symbol == "site" else 8) * u
                obstacles.addEllipse(QPointF(x, y), radius, radius)
        placed: list[QRectF] = []
        for layer, xy in projected:
            for (x, y), _name in zip(xy, layer.names, strict=True):
                self.draw_symbol(layer.symbol, QPointF(x, y), QColor(layer.colour))
        for layer, xy in sorted(projected, key=lambda item: item[0].symbol != "site"):
            for (x, y), name, show in zip(xy, layer.names, layer.show_label, strict=True):
                if show:
                    self.place_label(
                        QPointF(x, y), name, area, placed, obstacles, force=layer.symbol == "site"
                    )
        p.restore()
        frame = QPen(QColor(self.colours.get("frame", "#4d4d4d")), max(1.2 * u, 1.0))
        p.setPen(frame)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(area)
        self.paint_north_arrow(area)
        self.paint_scale_bar(area, scale)

    def stroke_line(self, path: QPainterPath, colour: QColor, *, dashed: bool) -> None:
        p, u = self.p, self.u
        p.setBrush(Qt.BrushStyle.NoBrush)
        casing = QPen(QColor("white"), 8 * u)
        casing.setCapStyle(Qt.PenCapStyle.RoundCap)
        casing.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(casing)
        p.drawPath(path)
        pen = QPen(colour, 4.5 * u)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if dashed else Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if dashed:
            pen.setDashPattern([2.5, 1.5])
        p.setPen(pen)
        p.drawPath(path)

    def draw_symbol(self, symbol: str, at: QPointF, colour: QColor) -> None:
        p, u = self.p, self.u
        if symbol == "site":
            side = 22 * u
            p.setPen(QPen(QColor("#1a1a1a"), 2.2 * u))
            p.setBrush(colour)
            p.drawRect(QRectF(at.x() - side / 2, at.y() - side / 2, side, side))
            roof = QPolygonF(
                [
                    QPointF(at.x() - side * 0.62, at.y() - side / 2),
                    QPointF(at.x(), at.y() - side * 1.05),
                    QPointF(at.x() + side * 0.62, at.y() - side / 2),
                ]
            )
            p.drawPolygon(roof)
            return
        radius = 6.5 * u
        p.setPen(QPen(QColor("#1a1a1a"), 2.0 * u))
        p.setBrush(QColor(self.colours.get("station", "#ffffff")))
        p.drawEllipse(at, radius, radius)

    def place_label(
        self,
        at: QPointF,
        text: str,
        area: QRectF,
        placed: list[QRectF],
        obstacles: QPainterPath,
        *,
        force: bool = False,
    ) -> None:
        p, u = self.p, self.u
        font = self.font(15, bold=True)
        metrics = QFontMetricsF(font)
        w, h = metrics.horizontalAdvance(text), metrics.height()
        gap = 10 * u
        options = [
            (gap, -gap - h),
            (gap, gap),
            (-gap - w, -gap - h),
            (-gap - w, gap),
            (-w / 2, -2 * gap - h),
            (-w / 2, 2 * gap),
            (1.5 * gap, -h / 2),
            (-1.5 * gap - w, -h / 2),
        ]
        chosen = None
        for dx, dy in options:
            box = QRectF(at.x() + dx, at.y() + dy, w, h)
            if (
                area.contains(box)
                and not obstacles.intersects(box)
                and not any(box.intersects(other) for other in placed)
            ):
                chosen = box
                break
        if chosen is None:
            if not force:
                return
            chosen = QRectF(at.x() + options[0][0], at.y() + options[0][1], w, h)
        placed.append(chosen.adjusted(-3 * u, -2 * u, 3 * u, 2 * u))
        path = QPainterPath()
        path.addText(QPointF(chosen.left(), chosen.top() + metrics.ascent()), font, text)
        halo = QPen(QColor(255, 255, 255, 235), 5 * u)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(halo)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(path)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.text_colour)
        p.drawPath(path)

    def paint_north_arrow(self, area: QRectF) -> None:
        p, u = self.p, self.u
        size = 46 * u
        centre = QPointF(area.right() - 40 * u, area.top() + 58 * u)
        p.save()
        p.translate(centre)
        p.rotate(self.scene.north_angle_deg)
        p.setPen(QPen(QColor("#1a1a1a"), 1.5 * u))
        p.setBrush(QColor("white"))
        p.drawEllipse(QPointF(0, 0), size * 0.62, size * 0.62)
        left = QPolygonF(
            [QPointF(0, -size * 0.5), QPointF(-size * 0.22, size * 0.32), QPointF(0, size * 0.16)]
        )
        right = QPolygonF(
            [QPointF(0, -size * 0.5), QPointF(size * 0.22, size * 0.32), QPointF(0, size * 0.16)]
        )
        p.setBrush(QColor("#1a1a1a"))
        p.drawPolygon(left)
        p.setBrush(QColor("white"))
        p.drawPolygon(right)
        p.setFont(self.font(17, bold=True))
        p.setPen(QColor("#1a1a1a"))
        p.drawText(
            QRectF(-20 * u, -size * 0.62 - 26 * u, 40 * u, 24 * u),
            int(Qt.AlignmentFlag.AlignCenter),
            "N",
        )
        p.restore()

    def paint_scale_bar(self, area: QRectF, scale: float) -> None:
        """A bar of a round number of kilometres (1, 2, 2.5 or 5 times a power of ten)."""
        p, u = self.p, self.u
        target_m = 0.22 * area.width() / scale
        power = 10 ** math.floor(math.log10(target_m))
        length_m = max(f * power for f in (1, 2, 2.5, 5) if f * power <= target_m)
        bar_px = length_m * scale
        font = self.font(14)
        metrics = QFontMetricsF(font)
        height = 9 * u
        left = area.left() + 22 * u
        base = area.bottom() - 22 * u
        box = QRectF(
            left - 10 * u,
            base - height - metrics.height() - 16 * u,
            bar_px + 20 * u + metrics.horizontalAdvance(" km") + 10 * u,
            height + metrics.height() + 24 * u,
        )
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(255, 255, 255, 220))
        p.drawRoundedRect(box, 4 * u, 4 * u)
        segments = 4
        p.setPen(QPen(QColor("#1a1a1a"), 1.2 * u))
        for i in range(segments):
            p.setBrush(QColor("#1a1a1a") if i % 2 == 0 else QColor("white"))
            p.drawRect(
                QRectF(left + i * bar_px / segments, base - height, bar_px / segments, height)
            )
        p.setFont(font)
        p.setPen(QColor("#1a1a1a"))
        for fraction in (0.0, 0.5, 1.0):
            km = length_m * fraction / 1000.0
            label = f"{km:g}" + (" km" if fraction == 1.0 else "")
            x = left + fraction * bar_px
            width = metrics.horizontalAdvance(label)
            anchor = x - (metrics.horizontalAdvance(f"{km:g}") / 2)
            p.drawText(
                QRectF(
                    anchor, base - height - metrics.height() - 4 * u, width + 2, metrics.height()
                ),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
                label,
            )

    # ---------------------------------------------------------------- legend
    def paint_legend(self, area: QRectF) -> None:
        p, u, scene = self.p, self.u, self.scene
        x, y, width = area.left(), area.top(), area.width()
        y += (
            self.text_block(
                x, y, width, scene.legend_title, self.font(17, bold=True), self.text_colour
            )
            + 10 * u
        )
        swatch_w, swatch_h, gap = 36 * u, 22 * u, 8 * u
        label_font = self.font(16)
        row_h = max(swatch_h, QFontMetricsF(label_font).height()) + gap
        for entry in scene.legend:
            p.setPen(QPen(QColor("#8c8c8c"), 1.0 * u))
            p.setBrush(QColor(entry.colour))
            p.drawRect(QRectF(x, y, swatch_w, swatch_h))
            self.legend_text(x + swatch_w + 12 * u, y, swatch_h, entry.label, label_font)
            y += row_h
        if scene.symbols:
            y += 10 * u
            y += (
                self.text_block(
                    x, y, width, "Map symbols", self.font(17, bold=True), self.text_colour
                )
                + 8 * u
            )
            for symbol in scene.symbols:
                box = QRectF(x, y, swatch_w, swatch_h)
                self.legend_symbol(symbol.symbol, box, QColor(symbol.colour))
                text_x = x + swatch_w + 12 * u
                used = self.text_block(
                    text_x, y, width - swatch_w - 12 * u, symbol.label, label_font, self.text_colour
                )
                y += max(row_h, used + gap)
        y += 10 * u
        self.text_block(x, y, width, scene.note, self.font(14, italic=True), self.muted)

    def legend_text(self, x: float, y: float, h: float, text: str, font: QFont) -> None:
        self.p.setFont(font)
        self.p.setPen(self.text_colour)
        self.p.drawText(
            QRectF(x, y, 10_000, h),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            text,
        )

    def legend_symbol(self, symbol: str, box: QRectF, colour: QColor) -> None:
        p, u = self.p, self.u
        centre = box.center()
        if symbol == "catchment":
            translucent = QColor(colour)
            translucent.setAlpha(45)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(translucent)
            p.drawRect(box)
            p.setBrush(QBrush(colour, Qt.BrushStyle.FDiagPattern))
            p.drawRect(box)
            p.setPen(QPen(colour, 3.0 * u))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(box)
        elif symbol in ("line", "burden_line"):
            path = QPainterPath(QPointF(box.left(), centre.y()))
            path.lineTo(box.right(), centre.y())
            self.stroke_line(path, colour, dashed=symbol == "burden_line")
        elif symbol == "no_data":
            p.setPen(QPen(QColor("#8c8c8c"), 1.0 * u))
            p.setBrush(colour)
            p.drawRect(box)
            p.setBrush(QBrush(QColor("#8c8c8c"), Qt.BrushStyle.BDiagPattern))
            p.drawRect(box)
        else:
            self.draw_symbol(
                symbol, QPointF(centre.x(), centre.y() + (5 * u if symbol == "site" else 0)), colour
            )
