"""The map: a choropleth of neighbourhoods with the proposed projects drawn over it.

:class:`MapCanvas` is a QGraphicsView. The neighbourhood layer is a single
:class:`ChoroplethItem` that fills one ``QPainterPath`` per class, built from numpy arrays
(:mod:`equityplanner.app.map_layer`) at a level of detail matching the zoom, cached, and culled
to the region around the view when zoomed in. Hover and click use a shapely STRtree on the
projected polygons, not Qt's per-item hit tests. Projects (sites, stations, alignments) and
catchments are a handful of ordinary items on top.

Mouse and keys:

* drag (left or middle button) pans, the wheel zooms about the cursor, ``+``/``-`` zoom,
  arrow keys pan;
* tool ``select``: click selects a neighbourhood or a project feature, dragging a site, a
  station or an alignment vertex moves it, double-click opens the project;
* tool ``housing`` / ``station``: click places a site / a station;
* tool ``alignment``: click adds vertices, double-click or Enter finishes, Backspace removes the
  last vertex, Escape cancels.

The canvas never edits the document: it emits requests (:attr:`MapCanvas.place_requested`,
:attr:`MapCanvas.feature_moved`…) that the window turns into undoable edits.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from PySide6.QtCore import QByteArray, QDataStream, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QToolTip,
    QWidget,
)
from shapely.geometry.base import BaseGeometry

from equityplanner.app.editing import FeatureRef
from equityplanner.app.map_layer import (
    LayerGeometry,
    SceneTransform,
    class_paths,
    lines_to_pack,
    pack_path,
)
from equityplanner.app.presentation import map_colour
from equityplanner.model.project import HousingProject, Project

__all__ = ["ChoroplethItem", "LegendEntry", "MapCanvas", "path_from_packed"]

TOOLS = ("select", "housing", "station", "alignment")
_LOD_PIXELS = 1.0  # simplify to cells of about one screen pixel
_CACHE_MARGIN = 0.3  # the cached picture reaches this fraction of the view beyond each edge
_HIT_PIXELS = 9.0  # how near a click must be to a project feature
_MIN_SCALE, _MAX_SCALE = 1e-5, 20.0  # pixels per metre


def path_from_packed(data: bytes) -> QPainterPath:
    """A QPainterPath from :func:`equityplanner.app.map_layer.pack_path` bytes."""
    path = QPainterPath()
    stream = QDataStream(QByteArray(data))
    stream.setByteOrder(QDataStream.ByteOrder.LittleEndian)
    stream >> path
    return path


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: a swatch (``fill``, or a line/marker ``symbol``) and its label."""

    label: str
    fill: str = ""
    symbol: str = "box"  # box, line, dashed, station, housing, catchment


class ChoroplethItem(QGraphicsItem):
    """Every neighbourhood in one item: one filled path per class plus an outline path."""

    def __init__(self, layer: LayerGeometry) -> None:
        super().__init__()
        self.layer = layer
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        xmin, ymin, xmax, ymax = layer.bounds
        self._rect = QRectF(xmin, ymin, xmax - xmin, ymax - ymin).adjusted(-1, -1, 1, 1)
        self._classes = np.full(layer.count, -1, dtype=np.int64)
        self._k = 0
        self._brushes: dict[int, QBrush] = {-1: QBrush(QColor(map_colour("no_data", "#d9d9d9")))}
        self._version = 0
        self._lods: OrderedDict[tuple, object] = OrderedDict()
        self._paths: OrderedDict[tuple, dict[int, QPainterPath]] = OrderedDict()
        self._outlines: OrderedDict[tuple, QPainterPath] = OrderedDict()
        outline = QColor(map_colour("outline", "#ffffff"))
        outline.setAlphaF(0.75)
        self._outline_pen = QPen(outline, 0.8)
        self._outline_pen.setCosmetic(True)
        # Mean polygon size in metres decides when outlines are worth drawing.
        area = float(np.nansum(layer.areas_km2)) * 1e6
        self._mean_size_m = math.sqrt(area / max(layer.count, 1))
        self.last_paint_stats: dict[str, float] = {}
        self._image: QImage | None = None
        self._image_rect = QRectF()
        self._image_key: tuple = ()

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_classes(
        self, classes: np.ndarray, colours: list[str], no_data: str | None = None
    ) -> None:
        """Shade rows by ``classes`` (0..k-1, -1 for no data) with ``colours``."""
        self._classes = np.asarray(classes, dtype=np.int64)
        self._k = len(colours)
        self._brushes = {c: QBrush(QColor(col)) for c, col in enumerate(colours)}
        self._brushes[-1] = QBrush(QColor(no_data or map_colour("no_data", "#d9d9d9")))
        self._version += 1
        self._paths.clear()
        self._image = None
        self.update()

    def invalidate_picture(self) -> None:
        """Forget the cached picture (the class paths stay cached); the next paint redraws."""
        self._image = None
        self.update()

    def _level(self, pixels_per_metre: float) -> tuple[int, float]:
        metres_per_pixel = 1.0 / max(pixels_per_metre, 1e-12)
        level = math.floor(math.log2(metres_per_pixel * _LOD_PIXELS))
        return level, 2.0**level

    def _region(self, visible: QRectF, pixels_per_metre: float) -> tuple[int, ...] | None:
        """Whole layer (None) when it fits in a few screens, else a grid-aligned neighbourhood."""
        layer_px = max(self._rect.width(), self._rect.height()) * pixels_per_metre
        view_px = max(visible.width(), visible.height()) * pixels_per_metre
        if layer_px <= 4 * max(view_px, 1):
            return None
        cell = 2.0 ** math.ceil(math.log2(max(visible.width(), visible.height(), 1e-6)))
        x0 = math.floor(visible.left() / cell) - 1
        y0 = math.floor(visible.top() / cell) - 1
        x1 = math.floor(visible.right() / cell) + 1
        y1 = math.floor(visible.bottom() / cell) + 1
        return (int(x0), int(y0), int(x1), int(y1), int(math.log2(cell)))

    def _lod(self, level: int, tol: float, region: tuple[int, ...] | None):
        key = (level, region)
        if key in self._lods:
            self._lods.move_to_end(key)
            return self._lods[key]
        rows = None
        if region is not None:
            x0, y0, x1, y1, log_cell = region
            cell = 2.0**log_cell
            rows = self.layer.rows_in(x0 * cell, y0 * cell, (x1 + 1) * cell, (y1 + 1) * cell)
        lod = self.layer.level_of_detail(tol, rows)
        self._lods[key] = lod
        while len(self._lods) > 6:
            self._lods.popitem(last=False)
        return lod

    def paths_for(
        self, pixels_per_metre: float, visible: QRectF
    ) -> tuple[dict[int, QPainterPath], QPainterPath]:
        """Class paths and outline path for a zoom and a visible scene rectangle (cached)."""
        level, tol = self._level(pixels_per_metre)
        region = self._region(visible, pixels_per_metre)
        key = (level, region, self._version)
        lod = None
        if key not in self._paths:
            lod = self._lod(level, tol, region)
            packed = class_paths(lod, self._classes, self._k)
            self._paths[key] = {c: path_from_packed(data) for c, data in packed.items()}
            while len(self._paths) > 6:
                self._paths.popitem(last=False)
        else:
            self._paths.move_to_end(key)
        okey = (level, region)
        if okey not in self._outlines:
            lod = lod or self._lod(level, tol, region)
            self._outlines[okey] = path_from_packed(pack_path(lod.xy, lod.first))
            while len(self._outlines) > 6:
                self._outlines.popitem(last=False)
        return self._paths[key], self._outlines[okey]

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = painter.worldTransform()
        scale = math.hypot(t.m11(), t.m12())
        device = painter.device()
        if device is None or t.isRotating():
            self._draw_paths(painter, scale, option.exposedRect)
            return
        dpr = device.devicePixelRatioF() if hasattr(device, "devicePixelRatioF") else 1.0
        # The part of the layer on screen (scene units); Qt fills it in because of
        # ItemUsesExtendedStyleOption, for widgets and for grab()/render() alike.
        visible = option.exposedRect
        if visible.isEmpty():
            return
        key = (round(scale, 12), self._version, dpr)
        cached = (
            self._image is not None
            and self._image_key == key
            and self._image_rect.contains(visible)
        )
        if not cached:
            self._render_image(scale, visible, dpr, key)
        # Blit at a whole-pixel device offset: panning a cached picture costs a copy only.
        origin = t.map(self._image_rect.topLeft())
        painter.save()
        painter.resetTransform()
        painter.drawImage(QPointF(round(origin.x()), round(origin.y())), self._image)
        painter.restore()
        self.last_paint_stats = {"cached": float(cached)}

    def _render_image(self, scale: float, visible: QRectF, dpr: float, key: tuple) -> None:
        """Paint the layer around ``visible`` (with a margin for panning) into an image."""
        margin_x = visible.width() * _CACHE_MARGIN
        margin_y = visible.height() * _CACHE_MARGIN
        region = visible.adjusted(-margin_x, -margin_y, margin_x, margin_y)
        # Whole device pixels, so that the blit lands exactly where direct painting would.
        left = math.floor(region.left() * scale) / scale
        top = math.floor(region.top() * scale) / scale
        width_px = math.ceil(region.width() * scale)
        height_px = math.ceil(region.height() * scale)
        image = QImage(
            max(1, round(width_px * dpr)),
            max(1, round(height_px * dpr)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(dpr)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.scale(scale, scale)
        p.translate(-left, -top)
        self._draw_paths(p, scale, QRectF(left, top, width_px / scale, height_px / scale))
        p.end()
        self._image = image
        self._image_rect = QRectF(left, top, width_px / scale, height_px / scale)
        self._image_key = key

    def _draw_paths(self, painter: QPainter, scale: float, visible: QRectF) -> None:
        paths, outline = self.paths_for(scale, visible)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for c in sorted(paths):
            painter.fillPath(paths[c], self._brushes.get(c, self._brushes[-1]))
        if self._mean_size_m * scale >= 7:
            painter.setPen(self._outline_pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline)
        painter.restore()


class _MarkerItem(QGraphicsItem):
    """A fixed-size symbol (house, station, vertex) that ignores zoom."""

    def __init__(self, kind: str, fill: QColor, ring: QColor, size: float = 11.0) -> None:
        super().__init__()
        self.kind = kind
        self.fill = fill
        self.ring = ring
        self.size = size
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)

    def boundingRect(self) -> QRectF:
        s = self.size + 4
        return QRectF(-s / 2, -s / 2, s, s)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        s = self.size
        if self.kind == "house":
            pen = QPen(self.ring, 1.6)
            painter.setPen(pen)
            painter.setBrush(self.fill)
            h = s / 2
            poly = QPolygonF(
                [
                    QPointF(-h, -0.1 * s),
                    QPointF(0, -h - 0.15 * s),
                    QPointF(h, -0.1 * s),
                    QPointF(h, h),
                    QPointF(-h, h),
                ]
            )
            painter.drawPolygon(poly)
        elif self.kind == "vertex":
            painter.setPen(QPen(self.ring, 1.4))
            painter.setBrush(self.fill)
            painter.drawRect(QRectF(-s / 2, -s / 2, s, s))
        elif self.kind == "selection":
            pen = QPen(self.ring, 2.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(QRectF(-s / 2, -s / 2, s, s))
        else:
            painter.setPen(QPen(self.ring, 2.4))
            painter.setBrush(self.fill)
            painter.drawEllipse(QRectF(-s / 2, -s / 2, s, s))


class _LabelItem(QGraphicsItem):
    """A text label with a white halo, fixed size, offset to the upper right of its anchor."""

    def __init__(self, text: str, font: QFont, colour: QColor) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.text = text
        self.colour = colour
        self._path = QPainterPath()
        self._path.addText(QPointF(7, -6), font, text)
        self._rect = self._path.boundingRect().adjusted(-3, -3, 3, 3)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.strokePath(
            self._path,
            QPen(
                QColor(255, 255, 255, 230),
                3.2,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
                Qt.PenJoinStyle.RoundJoin,
            ),
        )
        painter.fillPath(self._path, self.colour)


@dataclass
class _Feature:
    ref: FeatureRef
    x: float
    y: float
    item: QGraphicsItem | None


class MapCanvas(QGraphicsView):
    """Neighbourhood choropleth, projects, catchments, legend and scale bar."""

    row_clicked = Signal(int)
    row_hovered = Signal(int)
    place_requested = Signal(str, float, float)
    alignment_drawn = Signal(object)
    feature_selected = Signal(object)
    feature_activated = Signal(object)
    feature_moved = Signal(object, float, float)
    cursor_moved = Signal(float, float)
    tool_changed = Signal(str)
    view_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setObjectName("mapCanvas")
        self.setAccessibleName("Map")
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(QColor("#f4f3ef"))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)

        self.transform_: SceneTransform | None = None
        self.layer: LayerGeometry | None = None
        self.choropleth: ChoroplethItem | None = None
        self.tool = "select"
        self.tooltip_provider: Callable[[int], str] | None = None
        self.feature_tooltip_provider: Callable[[FeatureRef], str] | None = None
        self.legend_title = ""
        self.legend_entries: list[LegendEntry] = []
        self.overlay_legend: list[LegendEntry] = []
        self.credit = ""
        self.placeholder = (
            "No neighbourhood layer. Open a project or import neighbourhoods "
            "(File ▸ Import neighbourhoods…)."
        )
        self.selected_row = -1
        self.selected_feature: FeatureRef | None = None
        self.active_project_id: str | None = None
        self._hover_row = -1
        self._hover_feature: FeatureRef | None = None
        self._features: list[_Feature] = []
        self._feature_xy = np.empty((0, 2))
        self._line_geoms: list[tuple[str, BaseGeometry]] = []
        self._labels: list[tuple[_LabelItem, str, str]] = []
        self._highlighted: set[str] = set()
        self._label_spacing: dict[str, float] = {}
        self._project_items: list[QGraphicsItem] = []
        self._catchment_items: list[QGraphicsItem] = []
        self._selection_item: QGraphicsPathItem | None = None
        self._feature_marker: _MarkerItem | None = None
        self._press_pos: QPointF | None = None
        self._last_pos: QPointF | None = None
        self._moved = False
        self._grab: _Feature | None = None
        self._drawing: list[QPointF] = []
        self._fitted = False
        self._rubber = QGraphicsPathItem()
        pen = QPen(QColor(map_colour("line_burden", "#d55e00")), 2.0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self._rubber.setPen(pen)
        self._rubber.setZValue(60)
        self.scene().addItem(self._rubber)

    # Layer and shading -----------------------------------------------------------------

    def set_layer(self, layer: LayerGeometry | None, *, zoom: bool = True) -> None:
        """Show a neighbourhood layer (None clears the map)."""
        if self.choropleth is not None:
            self.scene().removeItem(self.choropleth)
            self.choropleth = None
        self.layer = layer
        self.selected_row = -1
        self._set_selection_path(None)
        if layer is None:
            self.viewport().update()
            return
        self.transform_ = layer.transform
        self.choropleth = ChoroplethItem(layer)
        self.choropleth.setZValue(0)
        self.scene().addItem(self.choropleth)
        xmin, ymin, xmax, ymax = layer.bounds
        w, h = xmax - xmin, ymax - ymin
        span = max(w, h, 1000.0)
        self.scene().setSceneRect(
            QRectF(xmin - 20 * span, ymin - 20 * span, w + 40 * span, h + 40 * span)
        )
        if zoom:
            self.zoom_to_layer()

    def set_transform(self, transform: SceneTransform) -> None:
        """Use a scene transform without a layer (a project with no neighbourhood data yet)."""
        self.transform_ = transform
        self.scene().setSceneRect(QRectF(-200_000, -200_000, 400_000, 400_000))

    def set_classes(
        self,
        classes: np.ndarray,
        colours: list[str],
        legend_title: str,
        legend: list[LegendEntry],
        no_data: str | None = None,
    ) -> None:
        """Shade the layer and set the legend."""
        if self.choropleth is not None:
            self.choropleth.set_classes(classes, colours, no_data)
        self.legend_title = legend_title
        self.legend_entries = legend
        self.viewport().update()

    # Projects and catchments -------------------------------------------------------------

    def set_projects(
        self, projects: tuple[Project, ...], highlighted: set[str] | None = None
    ) -> None:
        """Draw the projects' sites, stations, alignments and station labels."""
        scene = self.scene()
        for item in self._project_items:
            scene.removeItem(item)
        self._project_items = []
        self._features = []
        self._line_geoms = []
        self._labels = []
        self._label_spacing = {}
        if self.transform_ is None:
            self._feature_xy = np.empty((0, 2))
            return
        highlighted = highlighted if highlighted is not None else {p.id for p in projects}
        self._highlighted = set(highlighted)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7.5))
        text_colour = QColor(map_colour("text", "#1a1a1a"))
        for project in projects:
            on = project.id in highlighted
            if isinstance(project, HousingProject):
                self._add_housing(project, on)
                continue
            burden = not project.change.is_benefit
            colour = QColor(map_colour("line_burden" if burden else "line_benefit", "#1a1a1a"))
            if project.alignment is not None:
                geom = self.transform_.geometry_to_scene(project.alignment)
                self._line_geoms.append((project.id, geom))
                path = path_from_packed(lines_to_pack(geom))
                casing = QGraphicsPathItem(path)
                cpen = QPen(
                    QColor(255, 255, 255, 220),
                    6.5 if on else 4.5,
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
                cpen.setCosmetic(True)
                casing.setPen(cpen)
                casing.setZValue(19)
                line = QGraphicsPathItem(path)
                lpen = QPen(
                    colour,
                    3.4 if on else 2.0,
                    Qt.PenStyle.DashLine if burden else Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
                lpen.setCosmetic(True)
                line.setPen(lpen)
                line.setZValue(20)
                line.setOpacity(1.0 if on else 0.55)
                casing.setOpacity(1.0 if on else 0.55)
                for item in (casing, line):
                    scene.addItem(item)
                    self._project_items.append(item)
                coords = shapely.get_coordinates(geom)
                if project.id == self.active_project_id and self.tool in ("select", "alignment"):
                    for n, (x, y) in enumerate(coords):
                        vertex = _MarkerItem("vertex", QColor("white"), colour, 6)
                        vertex.setPos(x, y)
                        vertex.setZValue(25)
                        scene.addItem(vertex)
                        self._project_items.append(vertex)
                        self._features.append(
                            _Feature(
                                FeatureRef(project.id, "alignment", n), float(x), float(y), vertex
                            )
                        )
            lon = np.array([s.geometry.x for s in project.stations])
            lat = np.array([s.geometry.y for s in project.stations])
            sx, sy = self.transform_.lonlat_to_scene(lon, lat)
            sx, sy = np.atleast_1d(sx), np.atleast_1d(sy)
            ring = colour if burden else QColor("#1a1a1a")
            for n, station in enumerate(project.stations):
                marker = _MarkerItem(
                    "station", QColor(map_colour("station", "#ffffff")), ring, 10.0 if on else 7.5
                )
                marker.setPos(float(sx[n]), float(sy[n]))
                marker.setZValue(30)
                marker.setOpacity(1.0 if on else 0.6)
                scene.addItem(marker)
                self._project_items.append(marker)
                self._features.append(
                    _Feature(
                        FeatureRef(project.id, "station", n), float(sx[n]), float(sy[n]), marker
                    )
                )
                label = _LabelItem(station.name, font, text_colour)
                label.setPos(float(sx[n]), float(sy[n]))
                label.setZValue(40)
                scene.addItem(label)
                self._project_items.append(label)
                self._labels.append(
                    (label, project.id, "stop" if project.mode.value == "bus" else "station")
                )
            if len(sx) > 1:
                d = np.hypot(np.diff(sx), np.diff(sy))
                self._label_spacing[project.id] = float(np.min(d[d > 0])) if (d > 0).any() else 0.0
            else:
                self._label_spacing[project.id] = math.inf
        self._feature_xy = np.array([(f.x, f.y) for f in self._features], dtype=float).reshape(
            -1, 2
        )
        self._update_labels()
        self._update_feature_marker()

    def _add_housing(self, project: HousingProject, on: bool) -> None:
        assert self.transform_ is not None
        scene = self.scene()
        fill = QColor(map_colour("housing_site", "#e69f00"))
        if project.site.geom_type != "Point":
            geom = self.transform_.geometry_to_scene(project.site)
            item = QGraphicsPathItem(path_from_packed(lines_to_pack(geom)))
            pen = QPen(QColor("#7a4a00"), 1.5)
            pen.setCosmetic(True)
            item.setPen(pen)
            c = QColor(fill)
            c.setAlpha(150)
            item.setBrush(c)
            item.setZValue(22)
            scene.addItem(item)
            self._project_items.append(item)
        c = project.site.centroid
        sx, sy = self.transform_.lonlat_to_scene(c.x, c.y)
        marker = _MarkerItem("house", fill, QColor("#5a3500"), 15.0 if on else 11.0)
        marker.setPos(float(sx), float(sy))
        marker.setZValue(31)
        marker.setOpacity(1.0 if on else 0.6)
        scene.addItem(marker)
        self._project_items.append(marker)
        self._features.append(
            _Feature(FeatureRef(project.id, "site"), float(sx), float(sy), marker)
        )
        font = QFont(self.font())
        font.setBold(True)
        label = _LabelItem(project.name, font, QColor("#5a3500"))
        label.setPos(float(sx), float(sy))
        label.setZValue(41)
        scene.addItem(label)
        self._project_items.append(label)
        self._labels.append((label, project.id, "housing"))
        self._label_spacing[project.id] = math.inf

    def set_catchments(self, catchments: list[tuple[BaseGeometry, bool]]) -> None:
        """Outline catchments (lon/lat); the flag says whether it is a burden's."""
        scene = self.scene()
        for item in self._catchment_items:
            scene.removeItem(item)
        self._catchment_items = []
        if self.transform_ is None:
            return
        for geometry, is_burden in catchments:
            if geometry is None or geometry.is_empty:
                continue
            geom = self.transform_.geometry_to_scene(geometry)
            item = QGraphicsPathItem(path_from_packed(lines_to_pack(geom)))
            colour = QColor(map_colour("line_burden" if is_burden else "catchment", "#cc79a7"))
            pen = QPen(colour, 2.2, Qt.PenStyle.DashLine if is_burden else Qt.PenStyle.SolidLine)
            pen.setCosmetic(True)
            item.setPen(pen)
            fill = QColor(colour)
            fill.setAlpha(38)
            item.setBrush(fill)
            item.setZValue(10)
            scene.addItem(item)
            self._catchment_items.append(item)
        self.viewport().update()

    # Selection ---------------------------------------------------------------------------

    def set_selected_row(self, row: int, *, centre: bool = False) -> None:
        """Outline one neighbourhood (-1 clears); ``centre`` pans to it."""
        self.selected_row = row
        if self.layer is None or row < 0 or row >= self.layer.count:
            self._set_selection_path(None)
            return
        xy, first = self.layer.row_outline(row)
        self._set_selection_path(path_from_packed(pack_path(xy, first)))
        if centre:
            xmin, ymin, xmax, ymax = self.layer.row_bounds(row)
            rect = self.mapToScene(self.viewport().rect()).boundingRect()
            if not rect.contains(QRectF(xmin, ymin, xmax - xmin, ymax - ymin)):
                self.centerOn((xmin + xmax) / 2, (ymin + ymax) / 2)

    def _set_selection_path(self, path: QPainterPath | None) -> None:
        if self._selection_item is not None:
            self.scene().removeItem(self._selection_item)
            self._selection_item = None
        if path is not None:
            item = QGraphicsPathItem(path)
            pen = QPen(QColor("#111111"), 2.6)
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setZValue(50)
            self.scene().addItem(item)
            self._selection_item = item
        self.viewport().update()

    def set_selected_feature(self, ref: FeatureRef | None) -> None:
        """Mark a project feature as selected (for Delete)."""
        self.selected_feature = ref
        self._update_feature_marker()

    def _update_feature_marker(self) -> None:
        if self._feature_marker is not None:
            self.scene().removeItem(self._feature_marker)
            self._feature_marker = None
        ref = self.selected_feature
        if ref is None:
            return
        for f in self._features:
            if f.ref == ref:
                marker = _MarkerItem("selection", QColor(), QColor("#0072b2"), 24)
                marker.setPos(f.x, f.y)
                marker.setZValue(55)
                self.scene().addItem(marker)
                self._feature_marker = marker
                return

    # Tools -------------------------------------------------------------------------------

    def set_tool(self, tool: str) -> None:
        """Switch the mouse tool: ``select``, ``housing``, ``station`` or ``alignment``."""
        if tool not in TOOLS:
            raise ValueError(f"unknown tool {tool!r}; use one of {', '.join(TOOLS)}")
        self._cancel_drawing()
        self.tool = tool
        self.viewport().setCursor(
            Qt.CursorShape.ArrowCursor if tool == "select" else Qt.CursorShape.CrossCursor
        )
        self.tool_changed.emit(tool)

    def _cancel_drawing(self) -> None:
        self._drawing = []
        self._rubber.setPath(QPainterPath())

    def _finish_drawing(self) -> None:
        if len(self._drawing) >= 2 and self.transform_ is not None:
            coords = [self.transform_.scene_to_lonlat(p.x(), p.y()) for p in self._drawing]
            self._cancel_drawing()
            self.alignment_drawn.emit(coords)
        else:
            self._cancel_drawing()

    def _update_rubber(self, cursor: QPointF | None = None) -> None:
        path = QPainterPath()
        points = list(self._drawing) + ([cursor] if cursor is not None and self._drawing else [])
        if points:
            path.moveTo(points[0])
            for p in points[1:]:
                path.lineTo(p)
        self._rubber.setPath(path)

    # Geometry helpers --------------------------------------------------------------------

    def lonlat_to_view(self, lon: float, lat: float) -> QPoint:
        """The viewport pixel showing a longitude/latitude (for tests and scripts)."""
        if self.transform_ is None:
            raise RuntimeError("the map has no coordinate system yet")
        sx, sy = self.transform_.lonlat_to_scene(lon, lat)
        return self.mapFromScene(QPointF(float(sx), float(sy)))

    def view_to_lonlat(self, pos: QPointF | QPoint) -> tuple[float, float] | None:
        """Longitude/latitude under a viewport pixel."""
        if self.transform_ is None:
            return None
        scene = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
        return self.transform_.scene_to_lonlat(scene.x(), scene.y())

    def pixels_per_metre(self) -> float:
        """Current zoom."""
        t = self.transform()
        return math.hypot(t.m11(), t.m12())

    def _feature_at(self, pos: QPointF) -> _Feature | None:
        if not self._features and not self._line_geoms:
            return None
        scene = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
        tol = _HIT_PIXELS / max(self.pixels_per_metre(), 1e-12)
        if len(self._feature_xy):
            d = np.hypot(self._feature_xy[:, 0] - scene.x(), self._feature_xy[:, 1] - scene.y())
            # Prefer stations and sites over alignment vertices at equal distance.
            best = int(
                np.argmin(
                    d
                    + np.array(
                        [0.0 if f.ref.role != "alignment" else tol * 0.1 for f in self._features]
                    )
                )
            )
            if d[best] <= tol:
                return self._features[best]
        point = shapely.Point(scene.x(), scene.y())
        for pid, geom in self._line_geoms:
            if shapely.distance(geom, point) <= tol:
                return _Feature(FeatureRef(pid, "alignment", -1), scene.x(), scene.y(), None)
        return None

    # View --------------------------------------------------------------------------------

    def zoom_to_layer(self) -> None:
        """Fit the neighbourhood layer (or the projects) in the view."""
        rect: QRectF | None = None
        if self.layer is not None:
            xmin, ymin, xmax, ymax = self.layer.bounds
            rect = QRectF(xmin, ymin, xmax - xmin, ymax - ymin)
        elif len(self._feature_xy):
            xmin, ymin = self._feature_xy.min(axis=0)
            xmax, ymax = self._feature_xy.max(axis=0)
            rect = QRectF(xmin, ymin, xmax - xmin, ymax - ymin).adjusted(-1500, -1500, 1500, 1500)
        if rect is None:
            return
        margin = 0.03 * max(rect.width(), rect.height())
        rect = rect.adjusted(-margin, -margin, margin, margin)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        # Shift the layer right by part of the legend's width: the legend sits in the lower
        # left corner of the layer's box, which irregular layers rarely fill.
        legend_px = (
            self._legend_size()[0] * 0.5 if (self.legend_entries or self.overlay_legend) else 0
        )
        if legend_px and self.viewport().width() > 4 * legend_px:
            extra = legend_px / max(self.pixels_per_metre(), 1e-12)
            self.fitInView(rect.adjusted(-extra, 0, 0, 0), Qt.AspectRatioMode.KeepAspectRatio)
        self._after_zoom()
        self._fitted = True  # refit on resize until the user zooms or pans

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        """Zoom in (factor > 1) or out about ``anchor`` (viewport pixels) or the centre."""
        self._fitted = False
        current = self.pixels_per_metre()
        target = min(max(current * factor, _MIN_SCALE), _MAX_SCALE)
        factor = target / current if current > 0 else 1.0
        if factor == 1.0:
            return
        if anchor is None:
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(factor, factor)
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        else:
            before = self.mapToScene(QPoint(int(anchor.x()), int(anchor.y())))
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
            self.scale(factor, factor)
            after = self.mapToScene(QPoint(int(anchor.x()), int(anchor.y())))
            delta = after - before
            self.translate_scene(-delta.x(), -delta.y())
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self._after_zoom()

    def translate_scene(self, dx: float, dy: float) -> None:
        """Move the view by a scene distance (positive dx shows what lies to the east)."""
        s = self.pixels_per_metre()
        self.pan_pixels(dx * s, dy * s)

    def pan_pixels(self, dx: float, dy: float) -> None:
        """Pan by viewport pixels (the content moves the other way)."""
        self._fitted = False
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(dx))
        v.setValue(v.value() + round(dy))
        self.view_changed.emit()

    def _after_zoom(self) -> None:
        self._update_labels()
        self.view_changed.emit()
        self.viewport().update()

    def _update_labels(self) -> None:
        """Place labels greedily without overlaps: sites, then highlighted lines, then others.

        Bus stops and dimmed projects are labelled only when zoomed in far enough for their
        spacing; rail and BRT stations of the highlighted projects are labelled whenever there
        is room.
        """
        s = self.pixels_per_metre()
        placed: list[QRectF] = []
        order = sorted(
            self._labels,
            key=lambda entry: (
                entry[2] != "housing",
                entry[1] not in self._highlighted,
                entry[2] == "stop",
            ),
        )
        for item, pid, kind in order:
            spacing_px = self._label_spacing.get(pid, math.inf) * s
            wanted = (
                kind == "housing"
                or spacing_px >= 70
                or (kind == "station" and pid in self._highlighted)
            )
            if not wanted:
                item.setVisible(False)
                continue
            anchor = self.mapFromScene(item.pos())
            rect = item.boundingRect().translated(anchor.x(), anchor.y()).adjusted(-3, -2, 3, 2)
            free = not any(rect.intersects(other) for other in placed)
            item.setVisible(free)
            if free:
                placed.append(rect)

    # Events ------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.25**steps, event.position())
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self._press_pos = event.position()
            self._last_pos = event.position()
            self._moved = False
            self._grab = None
            if event.button() == Qt.MouseButton.LeftButton and self.tool == "select":
                hit = self._feature_at(event.position())
                if hit is not None and hit.item is not None:
                    self._grab = hit
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        scene = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
        if self.transform_ is not None:
            self.cursor_moved.emit(*self.transform_.scene_to_lonlat(scene.x(), scene.y()))
        if self._press_pos is not None and event.buttons() & (
            Qt.MouseButton.LeftButton | Qt.MouseButton.MiddleButton
        ):
            if (
                not self._moved
                and (pos - self._press_pos).manhattanLength() >= QApplication.startDragDistance()
            ):
                self._moved = True
                QToolTip.hideText()
                if self._grab is None:
                    self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            if self._moved:
                if self._grab is not None and self._grab.item is not None:
                    self._grab.item.setPos(scene)
                else:
                    assert self._last_pos is not None
                    delta = pos - self._last_pos
                    self.pan_pixels(-delta.x(), -delta.y())
            self._last_pos = pos
            event.accept()
            return
        if self.tool == "alignment" and self._drawing:
            self._update_rubber(scene)
        self._hover(event)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if (
            event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton)
            or self._press_pos is None
        ):
            super().mouseReleaseEvent(event)
            return
        pos = event.position()
        grab, moved = self._grab, self._moved
        self._press_pos = None
        self._grab = None
        self._moved = False
        self.viewport().setCursor(
            Qt.CursorShape.ArrowCursor if self.tool == "select" else Qt.CursorShape.CrossCursor
        )
        if event.button() == Qt.MouseButton.LeftButton:
            if grab is not None and moved and self.transform_ is not None:
                scene = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
                lon, lat = self.transform_.scene_to_lonlat(scene.x(), scene.y())
                self.feature_moved.emit(grab.ref, lon, lat)
            elif not moved:
                self._click(pos)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if self.tool == "alignment":
            self._finish_drawing()
        elif self.tool == "select":
            hit = self._feature_at(event.position())
            if hit is not None:
                self.feature_activated.emit(hit.ref)
        event.accept()

    def _click(self, pos: QPointF) -> None:
        if self.transform_ is None:
            return
        scene = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
        lon, lat = self.transform_.scene_to_lonlat(scene.x(), scene.y())
        if self.tool == "select":
            hit = self._feature_at(pos)
            if hit is not None:
                self.set_selected_feature(hit.ref)
                self.feature_selected.emit(hit.ref)
                return
            if self.selected_feature is not None:
                self.set_selected_feature(None)
                self.feature_selected.emit(None)
            row = self.layer.row_at(scene.x(), scene.y()) if self.layer is not None else -1
            self.set_selected_row(row)
            self.row_clicked.emit(row)
        elif self.tool in ("housing", "station"):
            self.place_requested.emit(self.tool, lon, lat)
        elif self.tool == "alignment":
            self._drawing.append(scene)
            self._update_rubber()

    def _hover(self, event: QMouseEvent) -> None:
        pos = event.position()
        feature = self._feature_at(pos)
        if feature is not None:
            if feature.ref != self._hover_feature:
                self._hover_feature = feature.ref
                self._hover_row = -1
                if self.feature_tooltip_provider is not None:
                    QToolTip.showText(
                        event.globalPosition().toPoint(),
                        self.feature_tooltip_provider(feature.ref),
                        self.viewport(),
                    )
            return
        self._hover_feature = None
        if self.layer is None:
            return
        scene = self.mapToScene(QPoint(int(pos.x()), int(pos.y())))
        row = self.layer.row_at(scene.x(), scene.y())
        if row != self._hover_row:
            self._hover_row = row
            self.row_hovered.emit(row)
            if row >= 0 and self.tooltip_provider is not None:
                QToolTip.showText(
                    event.globalPosition().toPoint(), self.tooltip_provider(row), self.viewport()
                )
            else:
                QToolTip.hideText()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        step = 60
        if key == Qt.Key.Key_Escape:
            if self._drawing:
                self._cancel_drawing()
            elif self.tool != "select":
                self.set_tool("select")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.tool == "alignment":
            self._finish_drawing()
        elif key == Qt.Key.Key_Backspace and self._drawing:
            self._drawing.pop()
            self._update_rubber()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1.5)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(1 / 1.5)
        elif key == Qt.Key.Key_Left:
            self.pan_pixels(-step, 0)
        elif key == Qt.Key.Key_Right:
            self.pan_pixels(step, 0)
        elif key == Qt.Key.Key_Up:
            self.pan_pixels(0, -step)
        elif key == Qt.Key.Key_Down:
            self.pan_pixels(0, step)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def leaveEvent(self, event) -> None:
        self._hover_row = -1
        self._hover_feature = None
        self.row_hovered.emit(-1)
        super().leaveEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.zoom_to_layer()
        self.view_changed.emit()

    # Legend, scale bar -------------------------------------------------------------------

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        vp = self.viewport().rect()
        if self.layer is None and not self._features:
            painter.setPen(QColor("#595959"))
            painter.drawText(
                QRectF(vp).adjusted(40, 40, -40, -40),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.placeholder,
            )
            painter.restore()
            return
        self._draw_legend(painter, vp)
        self._draw_scale_bar(painter, vp)
        painter.restore()

    def _draw_legend(self, painter: QPainter, vp) -> None:
        entries = list(self.legend_entries)
        overlays = list(self.overlay_legend)
        if not entries and not overlays:
            return
        font = QFont(self.font())
        title_font = QFont(font)
        title_font.setBold(True)
        fm = QFontMetricsF(font)
        tfm = QFontMetricsF(title_font)
        line_h = max(fm.height(), 14.0) + 1
        sw = 22.0
        title = self.legend_title
        width, height = self._legend_size()
        box = QRectF(12, vp.height() - height - 12, width, height)
        painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(box, 5, 5)
        x = box.left() + 10
        y = box.top() + 8
        painter.setPen(QColor(map_colour("text", "#1a1a1a")))
        if title:
            painter.setFont(title_font)
            painter.drawText(
                QRectF(x, y, width - 20, tfm.height()),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                tfm.elidedText(title, Qt.TextElideMode.ElideRight, width - 20),
            )
            y += tfm.height() + 6
        painter.setFont(font)
        for n, entry in enumerate(entries + overlays):
            if n == len(entries) and entries:
                y += 4
                painter.setPen(QPen(QColor(0, 0, 0, 30), 1))
                painter.drawLine(QPointF(x, y), QPointF(box.right() - 10, y))
                y += 4
            self._draw_swatch(painter, QRectF(x, y + 2, sw, line_h - 6), entry)
            painter.setPen(QColor(map_colour("text", "#1a1a1a")))
            painter.drawText(
                QRectF(x + sw + 8, y, width - sw - 28, line_h),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                fm.elidedText(entry.label, Qt.TextElideMode.ElideRight, width - sw - 28),
            )
            y += line_h

    def _legend_size(self) -> tuple[float, float]:
        entries = list(self.legend_entries)
        overlays = list(self.overlay_legend)
        font = QFont(self.font())
        title_font = QFont(font)
        title_font.setBold(True)
        fm = QFontMetricsF(font)
        tfm = QFontMetricsF(title_font)
        line_h = max(fm.height(), 14.0) + 1
        title = self.legend_title
        width = (
            max(
                [
                    tfm.horizontalAdvance(title) if title else 0.0,
                    *(fm.horizontalAdvance(e.label) + 32 for e in entries + overlays),
                ]
            )
            + 20
        )
        width = min(width, self.viewport().width() * 0.45)
        height = (
            (tfm.height() + 6 if title else 0)
            + line_h * len(entries)
            + (8 + line_h * len(overlays) if overlays else 0)
            + 14
        )
        return width, height

    def _draw_swatch(self, painter: QPainter, r: QRectF, entry: LegendEntry) -> None:
        c = QColor(entry.fill or "#888888")
        mid = r.center()
        if entry.symbol == "box":
            painter.setPen(QPen(QColor(0, 0, 0, 60), 1))
            painter.setBrush(c)
            painter.drawRect(r)
        elif entry.symbol in ("line", "dashed"):
            painter.setPen(
                QPen(QColor(255, 255, 255), 6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
            )
            painter.drawLine(QPointF(r.left() + 2, mid.y()), QPointF(r.right() - 2, mid.y()))
            painter.setPen(
                QPen(
                    c,
                    3,
                    Qt.PenStyle.DashLine if entry.symbol == "dashed" else Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                )
            )
            painter.drawLine(QPointF(r.left() + 2, mid.y()), QPointF(r.right() - 2, mid.y()))
        elif entry.symbol == "station":
            painter.setPen(QPen(c, 2.2))
            painter.setBrush(QColor("white"))
            painter.drawEllipse(mid, 4.5, 4.5)
        elif entry.symbol == "housing":
            painter.setPen(QPen(QColor("#5a3500"), 1.4))
            painter.setBrush(c)
            h = 6.0
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(mid.x() - h, mid.y() - 1),
                        QPointF(mid.x(), mid.y() - h - 1.5),
                        QPointF(mid.x() + h, mid.y() - 1),
                        QPointF(mid.x() + h, mid.y() + h),
                        QPointF(mid.x() - h, mid.y() + h),
                    ]
                )
            )
        elif entry.symbol == "catchment":
            fill = QColor(c)
            fill.setAlpha(60)
            painter.setPen(QPen(c, 2))
            painter.setBrush(fill)
            painter.drawRoundedRect(r.adjusted(1, 1, -1, -1), 4, 4)

    def _draw_scale_bar(self, painter: QPainter, vp) -> None:
        s = self.pixels_per_metre()
        if s <= 0:
            return
        target_m = 130.0 / s
        magnitude = 10 ** math.floor(math.log10(target_m))
        nice = (
            max(m * magnitude for m in (1, 2, 5) if m * magnitude <= target_m)
            if target_m >= magnitude
            else magnitude
        )
        px = nice * s
        text = f"{nice / 1000:g} km" if nice >= 1000 else f"{nice:g} m"
        font = QFont(self.font())
        fm = QFontMetricsF(font)
        right = vp.width() - 16
        bottom = vp.height() - 14
        box = QRectF(
            right - px - 18 - fm.horizontalAdvance(text),
            bottom - 26,
            px + 26 + fm.horizontalAdvance(text),
            30,
        )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 215))
        painter.drawRoundedRect(box, 4, 4)
        left = right - px - fm.horizontalAdvance(text) - 8
        y = bottom - 10
        half = px / 2
        painter.setPen(QPen(QColor("#1a1a1a"), 1))
        painter.setBrush(QColor("#1a1a1a"))
        painter.drawRect(QRectF(left, y, half, 5))
        painter.setBrush(QColor("white"))
        painter.drawRect(QRectF(left + half, y, half, 5))
        painter.setFont(font)
        painter.drawText(QPointF(left, y - 3), "0")
        painter.drawText(QPointF(left + px + 6, y + 6), text)
        if self.credit:  # data source, small, above the scale bar
            small = QFont(font)
            small.setPointSizeF(max(font.pointSizeF() - 1.5, 6.5))
            sfm = QFontMetricsF(small)
            width = min(vp.width() * 0.45, sfm.horizontalAdvance(self.credit))
            painter.setFont(small)
            painter.setPen(QColor(map_colour("muted_text", "#595959")))
            credit = sfm.elidedText(self.credit, Qt.TextElideMode.ElideRight, width)
            painter.drawText(
                QRectF(right - width, box.top() - sfm.height() - 3, width, sfm.height()),
                Qt.AlignmentFlag.AlignRight,
                credit,
            )
