"""The map: a choropleth of neighbourhoods with the proposed projects drawn over it.

:class:`MapCanvas` is a QGraphicsView that draws every mark with the map's one painter,
:mod:`equityplanner.render.draw`, through a :class:`~equityplanner.app.qt_surface.QtSurface`:
the workbook's picture is the same drawing on another surface, so the council's map and the
planner's map look alike (``tests/app/test_map_parity.py`` compares their pixels).

The neighbourhood layer is a single :class:`ChoroplethItem` that fills one path per class,
built from numpy arrays (:mod:`equityplanner.render.geometry`) at a level of detail matching
the zoom, cached, and culled to the region around the view when zoomed in; its picture is
cached too, so panning costs a copy. Hover and click use a shapely STRtree on the projected
polygons, not Qt's per-item hit tests. Catchments, lines, stations, sites and their names are
a handful of items on top, in the painter's order (:data:`~equityplanner.render.draw.Z_ORDER`);
the legend, scale bar, data credit and north arrow are drawn in the foreground.

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
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, Literal

import numpy as np
import shapely
from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPen,
    QTransform,
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

from equityplanner.app.basemap import BasemapItem, BasemapProvider, TileLoader
from equityplanner.app.editing import FeatureRef
from equityplanner.app.qt_surface import PathCache, QtSurface, qt_path
from equityplanner.i18n import _
from equityplanner.model.project import Project
from equityplanner.render.draw import (
    MAP_BACKGROUND,
    Z_ORDER,
    MapStyle,
    choropleth_fills,
    choropleth_marks,
    draw_catchment,
    draw_choropleth,
    draw_line,
    draw_line_casing,
    draw_screen_furniture,
    draw_selection_ring,
    draw_site,
    draw_site_area,
    draw_station,
    draw_vertex_handle,
    label_candidates,
    label_colour,
    label_obstacles,
    network_pen,
    outlines_visible,
    screen_view,
)
from equityplanner.render.fields import map_colour
from equityplanner.render.geometry import (
    Affine,
    LayerGeometry,
    LevelOfDetail,
    Rings,
    SceneTransform,
    class_rings,
    fit_view,
    level_for_scale,
)
from equityplanner.render.labels import PlacedLabel, place_labels
from equityplanner.render.legend import Legend, LegendEntry
from equityplanner.render.scene import (
    CatchmentLayer,
    LineLayer,
    MapScene,
    PointLayer,
    catchment_layers,
    line_geometries,
    project_layers,
)
from equityplanner.render.surface import Fill, FontSpec, Pen, Rect, rgba

__all__ = ["ChoroplethItem", "LegendEntry", "MapCanvas"]

TOOLS = ("select", "housing", "station", "alignment")
_CACHE_MARGIN = 0.3  # the cached picture reaches this fraction of the view beyond each edge
_HIT_PIXELS = 9.0  # how near a click must be to a project feature
_MIN_SCALE, _MAX_SCALE = 1e-5, 20.0  # pixels per metre
_ITEM_MARGIN_PX = 12.0  # room around a line or catchment for its pen, in pixels
_BASEMAP_OPACITY = 0.72  # of the neighbourhoods over a basemap: streets show through
_NAME_MIN_PX = 70.0  # neighbourhood names are written once the mean polygon is this wide
_MAX_NAMES = 300  # names written at most in one view


def _transparent_image(width: float, height: float, dpr: float) -> QImage:
    """A transparent image of ``width`` x ``height`` device-independent pixels at ``dpr``."""
    image = QImage(
        max(1, round(width * dpr)),
        max(1, round(height * dpr)),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    return image


def _device_view(painter: QPainter) -> Affine:
    """The painter's scene-to-device mapping as a view (the canvas never rotates)."""
    t = painter.worldTransform()
    return Affine(math.hypot(t.m11(), t.m12()), t.dx(), t.dy())


def split_rings(rings: Rings, max_vertices: int, *, at_exteriors: bool) -> list[Rings]:
    """Rings cut into pieces of about ``max_vertices`` vertices, between rings.

    With ``at_exteriors`` a piece starts only at an exterior ring (oriented with a negative
    shoelace area in scene coordinates, see :mod:`equityplanner.render.geometry`), so that a
    polygon's holes stay with it and are left unfilled.
    """
    n = int(rings.coords.shape[0])
    if n <= max_vertices or rings.starts.size <= 1:
        return [rings]
    starts = rings.starts
    candidates = starts[1:]
    if at_exteriors:
        x, y = rings.coords[:, 0], rings.coords[:, 1]
        cross = x * np.roll(y, -1) - np.roll(x, -1) * y
        ends = np.append(starts[1:], n)
        cross[ends - 1] = x[ends - 1] * y[starts] - x[starts] * y[ends - 1]  # close each ring
        area = np.add.reduceat(cross, starts)
        candidates = starts[1:][area[1:] <= 0]
    cuts: list[int] = []
    last = 0
    # The first candidate at or past each multiple of max_vertices since the last cut.
    while True:
        i = int(np.searchsorted(candidates, last + max_vertices))
        if i >= candidates.size:
            break
        cut = int(candidates[i])
        cuts.append(cut)
        last = cut
    pieces = []
    bounds = [0, *cuts, n]
    for a, b in pairwise(bounds):
        inner = starts[(starts >= a) & (starts < b)] - a
        pieces.append(Rings(rings.coords[a:b], inner))
    return pieces


@dataclass(eq=False)
class _RenderJob:
    """A picture of a large layer, prepared on a thread and drawn on the GUI thread in slices."""

    key: tuple[Any, ...]
    rect: QRectF  # scene rectangle of the picture
    width_px: int
    height_px: int
    dpr: float
    scale: float
    cancelled: bool = False
    marks: list[tuple[Rings, Any]] = field(default_factory=list)
    image: QImage | None = None
    painter: QPainter | None = None
    surface: QtSurface | None = None
    next_mark: int = 0


class _JobSignals(QObject):
    prepared = Signal(object)


class ChoroplethItem(QGraphicsItem):
    """Every neighbourhood in one item: one filled path per class plus an outline path.

    A layer of more than ``PROGRESSIVE_VERTICES`` vertices is never drawn in one go on the
    GUI thread: its level of detail and class rings are computed on a thread, then the
    picture is painted a slice of ``SLICE_VERTICES`` at a time between events, the previous
    picture standing in (scaled) until the new one is complete.
    """

    PROGRESSIVE_VERTICES = 400_000
    SLICE_VERTICES = 25_000
    SLICE_MS = 30.0

    def __init__(self, layer: LayerGeometry, style: MapStyle | None = None) -> None:
        super().__init__()
        self.progressive = layer.vertex_count > self.PROGRESSIVE_VERTICES
        self._lock = threading.Lock()  # the caches below, shared with the preparing thread
        self._job: _RenderJob | None = None
        # Owned by the application (C++), deleted in dispose(): the item itself may be
        # released on the preparing thread, and Qt objects must die on their own thread.
        self._signals = _JobSignals(QCoreApplication.instance())
        self._signals.prepared.connect(self._on_prepared)
        self._slicer = QTimer(self._signals)
        self._slicer.setInterval(0)
        self._slicer.timeout.connect(self._draw_slice)
        self.layer = layer
        self.style = style or MapStyle()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        xmin, ymin, xmax, ymax = layer.bounds
        self._rect = QRectF(xmin, ymin, xmax - xmin, ymax - ymin).adjusted(-1, -1, 1, 1)
        self._classes = np.full(layer.count, -1, dtype=np.int64)
        self._k = 0
        self._fills = choropleth_fills([], self.style)
        self._version = 0
        self._lods: OrderedDict[tuple[Any, ...], LevelOfDetail] = OrderedDict()
        self._rings: OrderedDict[tuple[Any, ...], dict[int, Rings]] = OrderedDict()
        self._outlines: OrderedDict[tuple[Any, ...], Rings] = OrderedDict()
        self._paths = PathCache()
        self.last_paint_stats: dict[str, float] = {}
        self._image: QImage | None = None
        self._image_rect = QRectF()
        self._image_key: tuple[Any, ...] = ()

    def boundingRect(self) -> QRectF:
        return self._rect

    def set_classes(
        self, classes: np.ndarray, colours: Sequence[str], no_data: str | None = None
    ) -> None:
        """Shade rows by ``classes`` (0..k-1, -1 for no data) with ``colours``."""
        self._classes = np.asarray(classes, dtype=np.int64)
        self._k = len(colours)
        self._fills = choropleth_fills(colours, self.style)
        if no_data:
            self._fills[-1] = Fill(rgba(no_data), self._fills[-1].hatch, antialias=False)
        self._version += 1
        with self._lock:
            self._rings.clear()
        if not self.progressive:  # a large layer keeps its old picture until the new one
            self._image = None
        self.update()

    def invalidate_picture(self) -> None:
        """Forget the cached picture (the class rings stay cached); the next paint redraws."""
        self._image = None
        self.update()

    @property
    def drawing(self) -> bool:
        """True while a large layer's picture is being prepared or painted."""
        return self._job is not None

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

    def _lod(self, level: int, tol: float, region: tuple[int, ...] | None) -> LevelOfDetail:
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

    def rings_for(self, pixels_per_metre: float, visible: QRectF) -> tuple[dict[int, Rings], Rings]:
        """Class rings and outline rings for a zoom and a visible scene rectangle (cached)."""
        with self._lock:
            return self._rings_for(pixels_per_metre, visible)

    def _rings_for(
        self, pixels_per_metre: float, visible: QRectF
    ) -> tuple[dict[int, Rings], Rings]:
        level, tol = level_for_scale(pixels_per_metre)
        region = self._region(visible, pixels_per_metre)
        key = (level, region, self._version)
        lod = None
        if key not in self._rings:
            lod = self._lod(level, tol, region)
            self._rings[key] = class_rings(lod, self._classes, self._k)
            while len(self._rings) > 6:
                self._rings.popitem(last=False)
        else:
            self._rings.move_to_end(key)
        okey = (level, region)
        if okey not in self._outlines:
            lod = lod or self._lod(level, tol, region)
            self._outlines[okey] = lod.rings()
            while len(self._outlines) > 6:
                self._outlines.popitem(last=False)
        return self._rings[key], self._outlines[okey]

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        view = _device_view(painter)
        device = painter.device()
        # The part of the layer on screen (scene units); Qt fills it in because of
        # ItemUsesExtendedStyleOption, for widgets and for grab()/render() alike.
        visible = option.exposedRect
        if visible.isEmpty():
            return
        if painter.worldTransform().isRotating():
            painter.save()
            painter.resetTransform()
            self.draw(QtSurface(painter, paths=self._paths), view, visible)
            painter.restore()
            return
        dpr = device.devicePixelRatioF() if hasattr(device, "devicePixelRatioF") else 1.0
        key = (round(view.scale, 12), self._version, dpr)
        cached = (
            self._image is not None
            and self._image_key == key
            and self._image_rect.contains(visible)
        )
        if not cached and self.progressive:
            self._request(view.scale, visible, dpr, key)
            if self._image is not None:  # the last picture, scaled, until the new one is done
                painter.save()
                painter.drawImage(self._image_rect, self._image)
                painter.restore()
            self.last_paint_stats = {"cached": 0.0, "pending": 1.0}
            return
        if not cached:
            self._render_image(view.scale, visible, dpr, key)
        assert self._image is not None
        # Blit at a whole-pixel device offset: panning a cached picture costs a copy only.
        origin = painter.worldTransform().map(self._image_rect.topLeft())
        painter.save()
        painter.resetTransform()
        painter.drawImage(QPointF(round(origin.x()), round(origin.y())), self._image)
        painter.restore()
        self.last_paint_stats = {"cached": float(cached)}

    # Large layers: prepared on a thread, painted in slices --------------------------------

    def _picture_rect(self, scale: float, visible: QRectF) -> tuple[QRectF, int, int]:
        margin_x = visible.width() * _CACHE_MARGIN
        margin_y = visible.height() * _CACHE_MARGIN
        region = visible.adjusted(-margin_x, -margin_y, margin_x, margin_y)
        left = math.floor(region.left() * scale) / scale
        top = math.floor(region.top() * scale) / scale
        width_px = math.ceil(region.width() * scale)
        height_px = math.ceil(region.height() * scale)
        return QRectF(left, top, width_px / scale, height_px / scale), width_px, height_px

    def _request(self, scale: float, visible: QRectF, dpr: float, key: tuple[Any, ...]) -> None:
        job = self._job
        if job is not None and not job.cancelled and job.key == key and job.rect.contains(visible):
            return  # being drawn
        self._cancel_job()
        rect, width_px, height_px = self._picture_rect(scale, visible)
        job = _RenderJob(key, rect, width_px, height_px, dpr, scale)
        self._job = job
        threading.Thread(
            target=self._prepare, args=(job,), name="equityplanner-choropleth", daemon=True
        ).start()

    def dispose(self) -> None:
        """Stop drawing and release the item's Qt objects (it leaves the map)."""
        self._cancel_job()
        self._signals.deleteLater()

    def _cancel_job(self) -> None:
        job = self._job
        self._job = None
        self._slicer.stop()
        if job is not None:
            job.cancelled = True
            if job.painter is not None:
                job.painter.end()
                job.painter = None

    def _prepare(self, job: _RenderJob) -> None:
        """On a thread: the level of detail, class rings and outline, cut into slices."""
        try:
            by_class, outline = self.rings_for(job.scale, job.rect)
            if job.cancelled:
                return
            view = Affine(job.scale, -job.rect.left() * job.scale, -job.rect.top() * job.scale)
            show_outline = outlines_visible(self.layer.mean_size_m, job.scale)
            marks = choropleth_marks(
                by_class, self._fills, view, self.style, outline if show_outline else None
            )
            for rings, paint in marks:
                is_pen = isinstance(paint, Pen)
                for piece in split_rings(rings, self.SLICE_VERTICES, at_exteriors=not is_pen):
                    job.marks.append((piece, paint))
        except Exception:  # a broken picture must not take the app down: nothing is drawn
            job.cancelled = True
            return
        self._signals.prepared.emit(job)

    def _on_prepared(self, job: _RenderJob) -> None:
        if job is not self._job or job.cancelled:
            return
        image = _transparent_image(job.width_px, job.height_px, job.dpr)
        job.image = image
        job.painter = QPainter(image)
        job.surface = QtSurface(job.painter, job.width_px, job.height_px, PathCache())
        self._slicer.start()

    def _draw_slice(self) -> None:
        """Paint marks for about ``SLICE_MS``, then let the event loop run."""
        job = self._job
        if job is None or job.painter is None or job.surface is None or job.cancelled:
            self._slicer.stop()
            return
        view = Affine(job.scale, -job.rect.left() * job.scale, -job.rect.top() * job.scale)
        start = time.perf_counter()
        while job.next_mark < len(job.marks):
            rings, paint = job.marks[job.next_mark]
            job.next_mark += 1
            if isinstance(paint, Pen):
                job.surface.stroke(rings, paint, view)
            else:
                job.surface.fill(rings, paint, view)
            if (time.perf_counter() - start) * 1000 > self.SLICE_MS:
                return
        job.painter.end()
        job.painter = None
        self._slicer.stop()
        self._job = None
        self._image, self._image_rect, self._image_key = job.image, job.rect, job.key
        self.update()

    def _render_image(
        self, scale: float, visible: QRectF, dpr: float, key: tuple[Any, ...]
    ) -> None:
        """Paint the layer around ``visible`` (with a margin for panning) into an image."""
        margin_x = visible.width() * _CACHE_MARGIN
        margin_y = visible.height() * _CACHE_MARGIN
        region = visible.adjusted(-margin_x, -margin_y, margin_x, margin_y)
        # Whole device pixels, so that the blit lands exactly where direct painting would.
        left = math.floor(region.left() * scale) / scale
        top = math.floor(region.top() * scale) / scale
        width_px = math.ceil(region.width() * scale)
        height_px = math.ceil(region.height() * scale)
        image = _transparent_image(width_px, height_px, dpr)
        p = QPainter(image)
        view = Affine(scale, -left * scale, -top * scale)
        surface = QtSurface(p, width_px, height_px, self._paths)
        self.draw(surface, view, QRectF(left, top, width_px / scale, height_px / scale))
        p.end()
        self._image = image
        self._image_rect = QRectF(left, top, width_px / scale, height_px / scale)
        self._image_key = key

    def draw(self, surface: QtSurface, view: Affine, visible: QRectF) -> None:
        """Draw the classes and outlines for ``visible`` (scene units) through ``view``."""
        by_class, outline = self.rings_for(view.scale, visible)
        show_outline = outlines_visible(self.layer.mean_size_m, view.scale)
        draw_choropleth(
            surface, by_class, self._fills, view, self.style, outline if show_outline else None
        )


LayerPainter = Callable[[QtSurface, Affine], None]
"""Draws a layer on a surface in device pixels, given the scene-to-device view."""
SymbolPainter = Callable[[QtSurface], None]
"""Draws a fixed-size symbol centred on (0, 0), in pixels."""


def _casing_painter(line: LineLayer, style: MapStyle) -> LayerPainter:
    return lambda surface, view: draw_line_casing(surface, line, view, style)


def _line_painter(line: LineLayer, style: MapStyle) -> LayerPainter:
    return lambda surface, view: draw_line(surface, line, view, style)


def _catchment_painter(layer: CatchmentLayer, style: MapStyle) -> LayerPainter:
    return lambda surface, view: draw_catchment(surface, layer, view, style)


def _site_area_painter(areas: Rings, style: MapStyle) -> LayerPainter:
    return lambda surface, view: draw_site_area(surface, areas, view, style)


def _station_painter(ring: str, highlighted: bool, style: MapStyle) -> SymbolPainter:
    return lambda surface: draw_station(surface, 0, 0, ring, style, highlighted)


def _site_painter(highlighted: bool, style: MapStyle) -> SymbolPainter:
    return lambda surface: draw_site(surface, 0, 0, style, highlighted)


def _handle_painter(ring: str, style: MapStyle) -> SymbolPainter:
    return lambda surface: draw_vertex_handle(surface, 0, 0, ring, style)


def _selection_painter(style: MapStyle) -> SymbolPainter:
    return lambda surface: draw_selection_ring(surface, 0, 0, style)


class _LayerItem(QGraphicsItem):
    """A catchment, a line's casing or stroke, or a site's footprint, in scene units.

    ``draw`` receives a surface in device pixels and the scene-to-device view. The bounding
    box grows by a few pixels for the pen, recomputed at each zoom (:meth:`set_zoom`).
    """

    def __init__(
        self,
        rings: Rings,
        draw: LayerPainter,
        z: float,
        paths: PathCache,
        viewport: Callable[[], tuple[float, float]],
    ) -> None:
        super().__init__()
        xmin, ymin, xmax, ymax = rings.bounds()
        self._bounds = QRectF(xmin, ymin, xmax - xmin, ymax - ymin)
        self._margin = 0.0
        self._draw = draw
        self._paths = paths
        self._viewport = viewport
        self.setZValue(z)

    def set_zoom(self, pixels_per_metre: float) -> None:
        """Keep room for the pen at this zoom."""
        self.prepareGeometryChange()
        self._margin = _ITEM_MARGIN_PX / max(pixels_per_metre, 1e-12)

    def boundingRect(self) -> QRectF:
        m = self._margin
        return self._bounds.adjusted(-m, -m, m, m)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        view = _device_view(painter)
        painter.save()
        painter.resetTransform()
        self._draw(QtSurface(painter, *self._viewport(), self._paths), view)
        painter.restore()


class _MarkerItem(QGraphicsItem):
    """A fixed-size symbol (site, station, vertex handle, selection ring) that ignores zoom."""

    def __init__(self, draw: SymbolPainter, half_size: float) -> None:
        super().__init__()
        self._draw = draw
        self._half = half_size
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)

    def boundingRect(self) -> QRectF:
        h = self._half
        return QRectF(-h, -h, 2 * h, 2 * h)

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self._draw(QtSurface(painter))


_STAMPS: OrderedDict[tuple[Any, ...], tuple[QImage, float, float]] = OrderedDict()
_MAX_STAMPS = 2048


def _text_stamp(
    text: str, font: FontSpec, colour: tuple[int, int, int, int], halo: Pen | None, dpr: float
) -> tuple[QImage, float, float]:
    """A line of text (with its halo) drawn once into an image, kept for later paints.

    Returns the image and the offset of its top left corner from the text's origin on its
    baseline. Names with a halo are outlined paths, about 2 ms each: a map repainted while
    panning drew dozens of them every frame.
    """
    key = (text, font, colour, halo, dpr)
    stamp = _STAMPS.get(key)
    if stamp is not None:
        _STAMPS.move_to_end(key)
        return stamp
    metrics = QtSurface(None).measure(text, font)
    margin = math.ceil((halo.width if halo is not None else 0.0) + 2)
    width = math.ceil(metrics.width) + 2 * margin
    height = math.ceil(metrics.ascent + metrics.descent) + 2 * margin
    image = _transparent_image(width, height, dpr)
    painter = QPainter(image)
    QtSurface(painter).text(margin, margin + metrics.ascent, text, font, colour, halo)
    painter.end()
    stamp = (image, -float(margin), -(margin + metrics.ascent))
    _STAMPS[key] = stamp
    while len(_STAMPS) > _MAX_STAMPS:
        _STAMPS.popitem(last=False)
    return stamp


def _device_ratio(painter: QPainter) -> float:
    device = painter.device()
    return device.devicePixelRatioF() if hasattr(device, "devicePixelRatioF") else 1.0


class _LabelItem(QGraphicsItem):
    """A name with a white halo, fixed size, where the label placement put it."""

    def __init__(self, kind: str, style: MapStyle) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations, True)
        self.kind = kind
        self.style = style
        self.placed: PlacedLabel | None = None
        self._rect = QRectF()

    def place(self, placed: PlacedLabel, anchor: tuple[float, float]) -> None:
        """Show the name as placed (pixels), relative to its anchor's pixel."""
        self.prepareGeometryChange()
        ax, ay = anchor
        box = placed.box
        self.placed = PlacedLabel(
            placed.key,
            placed.text,
            placed.font,
            type(box)(box.x - ax, box.y - ay, box.w, box.h),
            placed.x - ax,
            placed.baseline - ay,
        )
        pad = self.style.px(3)
        self._rect = QRectF(box.x - ax - pad, box.y - ay - pad, box.w + 2 * pad, box.h + 2 * pad)

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        placed = self.placed
        if placed is not None:
            colour = label_colour(self.kind, self.style)
            halo = Pen(rgba("#ffffff", 230 / 255), self.style.px(3.2))  # as draw_label's
            image, dx, dy = _text_stamp(
                placed.text, placed.font, colour, halo, _device_ratio(painter)
            )
            painter.drawImage(QPointF(placed.x + dx, placed.baseline + dy), image)


class _NamesItem(QGraphicsItem):
    """Neighbourhood names written on their polygons when zoomed in close.

    A name is written where its polygon is wide enough on screen to hold it and no other name
    is in the way (the widest polygons first), at a point inside the polygon, in grey with a
    white halo; never more than ``_MAX_NAMES`` at once.
    """

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__()
        self._canvas = canvas
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.layer: LayerGeometry | None = None
        self.names: Sequence[Any] | None = None
        self._label: Callable[[str], str] = str
        self._labels: dict[int, str] = {}
        self._anchors: dict[int, tuple[float, float, float]] = {}
        self.names_drawn = 0

    def set_names(
        self,
        layer: LayerGeometry | None,
        names: Sequence[Any] | None,
        label: Callable[[str], str] | None = None,
    ) -> None:
        self.layer = layer
        self.names = names
        self._label = label or str
        self._labels = {}
        self._anchors = {}
        self.update()

    def _text(self, row: int) -> str:
        text = self._labels.get(row)
        if text is None and self.names is not None:
            text = self._label(str(self.names[row]))
            self._labels[row] = text
        return text or ""

    def boundingRect(self) -> QRectF:
        return QRectF(-5e6, -5e6, 1e7, 1e7)

    def _anchors_of(self, rows: np.ndarray) -> None:
        layer = self.layer
        missing = [int(r) for r in rows if int(r) not in self._anchors]
        if layer is None or not missing:
            return
        geoms = layer.geometries[missing]
        xy = shapely.get_coordinates(shapely.point_on_surface(geoms))
        bounds = shapely.bounds(geoms)
        for row, (x, y), box in zip(missing, xy, bounds, strict=True):
            self._anchors[row] = (float(x), float(y), float(box[2] - box[0]))

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        self.names_drawn = 0
        layer, names = self.layer, self.names
        if layer is None or names is None or len(names) != layer.count:
            return
        view = _device_view(painter)
        if layer.mean_size_m * view.scale < _NAME_MIN_PX:
            return
        visible = option.exposedRect
        rows = layer.rows_in(visible.left(), visible.top(), visible.right(), visible.bottom())
        if rows.size == 0 or rows.size > 4 * _MAX_NAMES:
            return
        self._anchors_of(rows)
        style = self._canvas.style_
        font = style.font(11, italic=True)
        colour = style.colour("muted_text", "#404040")
        halo = Pen(rgba("#ffffff", 0.85), style.px(3.0))
        order = sorted((int(r) for r in rows), key=lambda r: -self._anchors[r][2])
        placed: list[Rect] = self._canvas.project_label_boxes(view)  # names keep clear
        painter.save()
        painter.resetTransform()
        surface = QtSurface(painter)
        dpr = _device_ratio(painter)
        drawn = 0
        for row in order:
            x, y, width_m = self._anchors[row]
            text = self._text(row)
            if not text:
                continue
            m = surface.measure(text, font)
            if m.width > 0.9 * width_m * view.scale:
                continue
            px, py = view.point(x, y)
            box = Rect(px - m.width / 2 - 2, py - m.height / 2 - 1, m.width + 4, m.height + 2)
            if any(box.intersects(other) for other in placed):
                continue
            placed.append(box)
            drawn += 1
            image, dx, dy = _text_stamp(text, font, colour, halo, dpr)
            painter.drawImage(
                QPointF(round(px - m.width / 2 + dx), round(py - m.height / 2 + m.ascent + dy)),
                image,
            )
            if drawn >= _MAX_NAMES:
                break
        painter.restore()
        self.names_drawn = drawn


@dataclass
class _Feature:
    ref: FeatureRef
    x: float
    y: float
    item: QGraphicsItem | None


class MapCanvas(QGraphicsView):
    """Neighbourhood choropleth, projects, catchments, legend, scale bar and north arrow."""

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
        self.setAccessibleName(_("Map"))
        self.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(QColor(MAP_BACKGROUND))
        self.setFrameShape(QGraphicsView.Shape.NoFrame)

        self.style_ = MapStyle()
        self.transform_: SceneTransform | None = None
        self.layer: LayerGeometry | None = None
        self.choropleth: ChoroplethItem | None = None
        self.tool = "select"
        self.tooltip_provider: Callable[[int], str] | None = None
        self.feature_tooltip_provider: Callable[[FeatureRef], str] | None = None
        self.legend_title = ""
        self.legend_entries: list[LegendEntry] = []
        self.overlay_legend: list[LegendEntry] = []
        self.network_legend: list[LegendEntry] = []  # the routes of the routing feeds, if drawn
        self.legend_symbols_title = ""
        self.legend_note = ""
        self.credit = ""
        self.placeholder = _(
            "No neighbourhood layer. Open a project or import neighbourhoods "
            "(File ▸ Import neighbourhoods…)."
        )
        self.selected_row = -1
        self.selected_feature: FeatureRef | None = None
        self.active_project_id: str | None = None
        self._paths = PathCache()
        self._north: tuple[SceneTransform, float] | None = None
        self._furniture_cache: tuple[tuple[Any, ...], QImage] | None = None
        self._hover_row = -1
        self._hover_feature: FeatureRef | None = None
        self._features: list[_Feature] = []
        self._feature_xy = np.empty((0, 2))
        self._line_geoms: list[tuple[str, BaseGeometry]] = []
        self._lines: list[LineLayer] = []
        self._points: list[PointLayer] = []
        self._labels: dict[tuple[int, int], _LabelItem] = {}
        self._project_items: list[QGraphicsItem] = []
        self._catchments: list[CatchmentLayer] = []
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
        # Basemap tiles under the neighbourhoods (see app/basemap.py), names above them.
        self.tile_loader = TileLoader(parent=self)
        self.tile_loader.tile_arrived.connect(self._on_tile_arrived)
        self._tiles_seen = (
            False  # a tile of the basemap arrived (the neighbourhoods go translucent)
        )
        self.basemap: BasemapProvider | None = None
        self.attribution = ""
        self._basemap_items: list[BasemapItem] = []
        self._names_item = _NamesItem(self)
        self._names_item.setZValue(Z_ORDER["choropleth"] + 6)
        self.scene().addItem(self._names_item)

    # Layer and shading -----------------------------------------------------------------

    def set_layer(self, layer: LayerGeometry | None, *, zoom: bool = True) -> None:
        """Show a neighbourhood layer (None clears the map)."""
        if self.choropleth is not None:
            self.choropleth.dispose()
            self.scene().removeItem(self.choropleth)
            self.choropleth = None
        self.layer = layer
        self.selected_row = -1
        self._set_selection_path(None)
        if layer is None:
            self.viewport().update()
            return
        self.transform_ = layer.transform
        self.choropleth = ChoroplethItem(layer, self.style_)
        self.choropleth.setZValue(Z_ORDER["choropleth"])
        self.choropleth.setOpacity(self._choropleth_opacity())
        self._names_item.set_names(layer, None)
        self.scene().addItem(self.choropleth)
        xmin, ymin, xmax, ymax = layer.bounds
        w, h = xmax - xmin, ymax - ymin
        span = max(w, h, 1000.0)
        self.scene().setSceneRect(
            QRectF(xmin - 20 * span, ymin - 20 * span, w + 40 * span, h + 40 * span)
        )
        if zoom:
            self.zoom_to_layer()

    # Basemap, names, units ---------------------------------------------------------------

    def set_basemap(self, provider: BasemapProvider | None) -> None:
        """Draw ``provider``'s tiles under the neighbourhoods (None: no basemap).

        With a basemap the neighbourhoods are drawn translucent, so that streets show
        through; a provider's label layer goes above them.
        """
        if provider == self.basemap:
            return
        self.basemap = provider
        self.tile_loader.set_provider(provider)
        for item in self._basemap_items:
            self.scene().removeItem(item)
        self._basemap_items = []
        if provider is not None:
            under = BasemapItem(self.tile_loader, lambda: self.transform_)
            under.setZValue(Z_ORDER["choropleth"] - 10)
            self._basemap_items.append(under)
            if provider.labels_url:
                over = BasemapItem(self.tile_loader, lambda: self.transform_, labels=True)
                over.setZValue(Z_ORDER["choropleth"] + 5)
                self._basemap_items.append(over)
            for item in self._basemap_items:
                self.scene().addItem(item)
        self._tiles_seen = False
        if self.choropleth is not None:
            self.choropleth.setOpacity(self._choropleth_opacity())
        self.viewport().update()

    def _choropleth_opacity(self) -> float:
        """Translucent over basemap tiles, so that streets show through; opaque without
        (no basemap, or none of its tiles arrived)."""
        return _BASEMAP_OPACITY if self.basemap is not None and self._tiles_seen else 1.0

    def basemap_tiles_drawn(self) -> int:
        """How many basemap tiles the last paint drew (their own or a coarser one's)."""
        return sum(item.tiles_drawn for item in self._basemap_items)

    def _on_tile_arrived(self) -> None:
        if not self._tiles_seen:
            self._tiles_seen = True
            if self.choropleth is not None:
                self.choropleth.setOpacity(self._choropleth_opacity())
        self.viewport().update()

    def set_names(
        self, names: Sequence[Any] | None, label: Callable[[str], str] | None = None
    ) -> None:
        """Names of the layer's neighbourhoods, written on them (as ``label`` makes them
        shorter) when zoomed in close; only the names in view are ever made."""
        self._names_item.set_names(self.layer, names, label)

    def project_label_boxes(self, view: Affine) -> list[Rect]:
        """Device boxes of the project names shown and of the project symbols, for the
        neighbourhood names to keep clear of."""
        boxes = []
        for item in self._labels.values():
            placed = item.placed
            if item.isVisible() and placed is not None:
                x, y = view.point(item.pos().x(), item.pos().y())
                box = placed.box
                boxes.append(Rect(x + box.x, y + box.y, box.w, box.h))
        for fx, fy in self._feature_xy:
            x, y = view.point(float(fx), float(fy))
            boxes.append(Rect(x - 10, y - 10, 20, 20))
        return boxes

    def set_units(self, units: str) -> None:
        """``metric`` (m, km) or ``imperial`` (ft, mi) for the scale bar."""
        wanted: Literal["metric", "imperial"] = "imperial" if units == "imperial" else "metric"
        if wanted != self.style_.units:
            self.style_ = replace(self.style_, units=wanted)
            self.viewport().update()

    def zoom_to_bounds(
        self, bounds: tuple[float, float, float, float], margin_m: float = 0
    ) -> None:
        """Fit a scene rectangle (grown by ``margin_m``) in the view, leaving the legend room."""
        xmin, ymin, xmax, ymax = bounds
        if not all(math.isfinite(v) for v in bounds):
            return
        grown = (xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m)
        width, height = self._viewport_size()
        if width < 2 or height < 2:
            return
        legend = self.legend
        if legend.entries or legend.symbols:
            view = screen_view(QtSurface(None), grown, legend, width, height, self.style_)
        else:
            view = fit_view(grown, width, height)
        if view.scale > _MAX_SCALE:
            view = fit_view(grown, width, height)
        self._fitted = False
        self._apply_view(view)
        self._after_zoom()

    def projects_bounds(self) -> tuple[float, float, float, float] | None:
        """Scene bounds of the projects drawn and the catchments shown, or None."""
        boxes = [item.sceneBoundingRect() for item in self._catchment_items]
        for line in self._lines:
            if not line.parts.is_empty:
                x0, y0, x1, y1 = line.parts.bounds()
                boxes.append(QRectF(x0, y0, x1 - x0, y1 - y0))
        if len(self._feature_xy):
            (x0, y0), (x1, y1) = self._feature_xy.min(axis=0), self._feature_xy.max(axis=0)
            boxes.append(QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0)))
        if not boxes:
            return None
        united = boxes[0]
        for box in boxes[1:]:
            united = united.united(box)
        return (united.left(), united.top(), united.right(), united.bottom())

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
        self.legend_entries = list(legend)
        self.viewport().update()

    @property
    def legend(self) -> Legend:
        """What the legend shows: the classes, then the map symbols."""
        return Legend(
            self.legend_title,
            tuple(self.legend_entries),
            (*self.overlay_legend, *self.network_legend),
            self.legend_symbols_title,
            self.legend_note,
        )

    def show_scene(self, scene: MapScene) -> None:
        """Show a whole prepared map (the workbook's scene): layer, classes, catchments,
        projects, legend and credit, fitted to the view."""
        if scene.layer is not None:
            self.set_layer(scene.layer, zoom=False)
        elif scene.transform is not None:
            self.set_layer(None)
            self.set_transform(scene.transform)
        self.set_classes(
            scene.row_classes, scene.fill_colours, scene.legend.title, list(scene.legend.entries)
        )
        self.overlay_legend = list(scene.legend.symbols)
        self.legend_symbols_title = scene.legend.symbols_title
        self.legend_note = scene.legend.note
        self.credit = scene.credit
        self._set_catchment_layers(list(scene.catchments))
        self._set_project_layers(list(scene.lines), list(scene.points))
        self.zoom_to_layer()

    # Projects and catchments -------------------------------------------------------------

    def set_projects(
        self, projects: tuple[Project, ...], highlighted: set[str] | None = None
    ) -> None:
        """Draw the projects' sites, stations, alignments and station names."""
        if self.transform_ is None:
            self._set_project_layers([], [])
            return
        wanted = highlighted if highlighted is not None else {p.id for p in projects}
        lines, points = project_layers(projects, self.transform_, wanted)
        self._set_project_layers(lines, points)

    def _layer_item(self, rings: Rings, draw: LayerPainter, z: float) -> _LayerItem:
        item = _LayerItem(rings, draw, z, self._paths, self._viewport_size)
        item.set_zoom(self.pixels_per_metre())
        self.scene().addItem(item)
        return item

    def _viewport_size(self) -> tuple[float, float]:
        size = self.viewport().size()
        return float(size.width()), float(size.height())

    def _set_project_layers(self, lines: list[LineLayer], points: list[PointLayer]) -> None:
        scene = self.scene()
        for item in self._project_items:
            scene.removeItem(item)
        self._project_items = []
        self._features = []
        self._labels = {}
        self._lines, self._points = lines, points
        self._line_geoms = line_geometries(lines)
        style = self.style_
        items: list[QGraphicsItem] = []
        for line in lines:
            items.append(
                self._layer_item(
                    line.parts,
                    _casing_painter(line, style),
                    Z_ORDER["casing"],
                )
            )
            items.append(
                self._layer_item(
                    line.parts,
                    _line_painter(line, style),
                    Z_ORDER["line"],
                )
            )
            if line.project_id == self.active_project_id and self.tool in ("select", "alignment"):
                for n, (x, y) in enumerate(line.parts.coords):
                    vertex = _MarkerItem(
                        _handle_painter(line.colour, style),
                        style.px(6),
                    )
                    vertex.setPos(float(x), float(y))
                    vertex.setZValue(Z_ORDER["site_area"] + 3)  # above the lines, under the symbols
                    items.append(vertex)
                    scene.addItem(vertex)
                    ref = FeatureRef(line.project_id, "alignment", n)
                    self._features.append(_Feature(ref, float(x), float(y), vertex))
        for i, point in enumerate(points):
            if point.areas is not None:
                items.append(
                    self._layer_item(
                        point.areas,
                        _site_area_painter(point.areas, style),
                        Z_ORDER["site_area"],
                    )
                )
            for j, (x, y) in enumerate(point.xy):
                if point.symbol == "site":
                    marker = _MarkerItem(
                        _site_painter(point.highlighted, style),
                        style.px(12),
                    )
                    ref = FeatureRef(point.project_id, "site")
                else:
                    marker = _MarkerItem(
                        _station_painter(point.colour, point.highlighted, style),
                        style.px(8),
                    )
                    ref = FeatureRef(point.project_id, "station", j)
                marker.setPos(float(x), float(y))
                marker.setZValue(Z_ORDER[point.symbol])
                scene.addItem(marker)
                items.append(marker)
                self._features.append(_Feature(ref, float(x), float(y), marker))
                label = _LabelItem(point.label_kind, style)
                label.setPos(float(x), float(y))
                label.setZValue(Z_ORDER["label"] + (1 if point.symbol == "site" else 0))
                label.setVisible(False)
                scene.addItem(label)
                items.append(label)
                self._labels[(i, j)] = label
        self._project_items = items
        self._feature_xy = np.array([(f.x, f.y) for f in self._features], dtype=float).reshape(
            -1, 2
        )
        self._update_labels()
        self._update_feature_marker()

    def set_catchments(self, catchments: list[tuple[BaseGeometry, bool]]) -> None:
        """Draw catchments (lon/lat); the flag says whether it is a burden's."""
        if self.transform_ is None:
            self._set_catchment_layers([])
            return
        self._set_catchment_layers(catchment_layers(catchments, self.transform_))

    def _set_catchment_layers(self, layers: list[CatchmentLayer]) -> None:
        scene = self.scene()
        for item in self._catchment_items:
            scene.removeItem(item)
        self._catchments = layers
        style = self.style_
        self._catchment_items = [
            self._layer_item(
                layer.rings,
                _catchment_painter(layer, style),
                Z_ORDER["catchment"],
            )
            for layer in layers
        ]
        self.viewport().update()

    # The routed network (issue 10) -------------------------------------------------------

    def set_network_lines(self, lines: Sequence[BaseGeometry]) -> None:
        """Draw the routes of the street network's feeds (lon/lat lines) in grey, over the
        catchments and under the proposals; an empty list clears them."""
        from equityplanner.render.geometry import geometry_rings

        scene = self.scene()
        for item in getattr(self, "_network_items", []):
            scene.removeItem(item)
        self._network_items: list[QGraphicsItem] = []
        rings = (
            Rings.concat([geometry_rings(self.transform_, line) for line in lines])
            if self.transform_ is not None and lines
            else Rings.empty()
        )
        self.network_legend = []
        if not rings.is_empty:
            colour = map_colour("network")
            pen = network_pen(colour, self.style_)
            self.network_legend = [
                LegendEntry(_("Existing transit routes"), colour, "network_line")
            ]
            z = (Z_ORDER["catchment"] + Z_ORDER["casing"]) / 2
            self._network_items = [
                self._layer_item(rings, lambda surface, view: surface.stroke(rings, pen, view), z)
            ]
        self.viewport().update()

    def network_line_count(self) -> int:
        """How many network items are drawn (for tests)."""
        return len(getattr(self, "_network_items", []))

    # Selection ---------------------------------------------------------------------------

    def set_selected_row(self, row: int, *, centre: bool = False) -> None:
        """Outline one neighbourhood (-1 clears); ``centre`` pans to it."""
        self.selected_row = row
        if self.layer is None or row < 0 or row >= self.layer.count:
            self._set_selection_path(None)
            return
        self._set_selection_path(qt_path(self.layer.row_outline(row)))
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
        style = self.style_
        for f in self._features:
            if f.ref == ref:
                marker = _MarkerItem(_selection_painter(style), style.px(14))
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
    # View --------------------------------------------------------------------------------

    def view(self) -> Affine:
        """The current scene-to-viewport mapping."""
        t = self.viewportTransform()
        return Affine(math.hypot(t.m11(), t.m12()), t.dx(), t.dy())

    def _apply_view(self, view: Affine) -> None:
        """Show the scene through ``view`` (scale and whole-pixel offset)."""
        self.setTransform(QTransform.fromScale(view.scale, view.scale))
        # A scrolled view maps scene x to x * scale - scroll bar value.
        self.horizontalScrollBar().setValue(round(-view.tx))
        self.verticalScrollBar().setValue(round(-view.ty))

    def zoom_to_layer(self) -> None:
        """Fit the neighbourhood layer (or the projects) in the view, as the picture does."""
        bounds: tuple[float, float, float, float] | None = None
        if self.layer is not None:
            bounds = self.layer.bounds
        elif len(self._feature_xy):
            xmin, ymin = self._feature_xy.min(axis=0)
            xmax, ymax = self._feature_xy.max(axis=0)
            bounds = (xmin - 1500, ymin - 1500, xmax + 1500, ymax + 1500)
        if bounds is None:
            return
        width, height = self._viewport_size()
        if width < 2 or height < 2:
            return
        legend = self.legend
        if legend.entries or legend.symbols:
            view = screen_view(QtSurface(None), bounds, legend, width, height, self.style_)
        else:
            view = fit_view(bounds, width, height)
        self._apply_view(view)
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
        self._update_labels()
        self.view_changed.emit()

    def _after_zoom(self) -> None:
        scale = self.pixels_per_metre()
        for item in (*self._project_items, *self._catchment_items):
            if isinstance(item, _LayerItem):
                item.set_zoom(scale)
        self._update_labels()
        self.view_changed.emit()
        self.viewport().update()

    def _update_labels(self) -> None:
        """Place the names as the picture does (:func:`~equityplanner.render.labels.place_labels`):
        sites, then highlighted stations, then the others; stops only when zoomed in enough."""
        if not self._labels:
            return
        view = self.view()
        width, height = self._viewport_size()
        style = self.style_
        candidates = label_candidates(self._points, view, style)
        obstacles = label_obstacles(self._lines, self._points, view, style)
        surface = QtSurface(None)
        placed = {
            p.key: p
            for p in place_labels(candidates, surface.measure, Rect(0, 0, width, height), obstacles)
        }
        for key, item in self._labels.items():
            spot = placed.get(key)
            item.setVisible(spot is not None)
            if spot is not None:
                x, y = self._points[key[0]].xy[key[1]]
                item.place(spot, view.point(float(x), float(y)))

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
        else:
            self._update_labels()  # names stay inside the view
        self.view_changed.emit()

    # Legend, scale bar, north arrow ------------------------------------------------------

    def north_angle_deg(self) -> float | None:
        """Direction of true north on the map (None without a coordinate system)."""
        if self.transform_ is None:
            return None
        if self._north is None or self._north[0] is not self.transform_:
            self._north = (self.transform_, self.transform_.north_angle_deg())
        return self._north[1]

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        vp = self.viewport().rect()
        if self.layer is None and not self._features:
            painter.setPen(QColor(map_colour("muted_text", "#595959")))
            painter.drawText(
                QRectF(vp).adjusted(40, 40, -40, -40),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.placeholder,
            )
            painter.restore()
            return
        painter.drawImage(QPointF(0, 0), self._furniture(painter))
        painter.restore()

    def _shown_attribution(self) -> str:
        """The basemap's attribution while its tiles are on the map."""
        if self.basemap is None or not self.basemap_tiles_drawn():
            return ""
        return self.basemap.attribution

    def _furniture(self, painter: QPainter) -> QImage:
        """The legend, scale bar, credit and north arrow as a picture, redrawn only when one of
        them or the view's size or zoom changes (panning reuses it)."""
        vp = self.viewport().rect()
        dpr = painter.device().devicePixelRatioF()
        legend = self.legend
        key = (
            vp.width(),
            vp.height(),
            dpr,
            legend,
            round(self.pixels_per_metre(), 12),
            self.credit,
            self.north_angle_deg(),
            self.style_.units,
            self._shown_attribution(),
        )
        if self._furniture_cache is not None and self._furniture_cache[0] == key:
            return self._furniture_cache[1]
        image = _transparent_image(vp.width(), vp.height(), dpr)
        p = QPainter(image)
        draw_screen_furniture(
            QtSurface(p, vp.width(), vp.height(), self._paths),
            vp.width(),
            vp.height(),
            self.style_,
            legend=legend,
            pixels_per_metre=self.pixels_per_metre(),
            credit=self.credit,
            north_angle_deg=self.north_angle_deg(),
            attribution=self._shown_attribution(),
        )
        p.end()
        self._furniture_cache = (key, image)
        return image
