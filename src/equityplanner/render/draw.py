"""The map's one painter: every mark on the map, drawn on any :class:`Surface`.

The desktop app's canvas and the workbook's picture call these functions: the canvas piece
by piece from its scene items (the choropleth, each catchment, line, symbol and name, the
legend and scale bar in its foreground), the picture all at once (:func:`draw_screen`, or
the printed page :func:`draw_page`, whose map frame is the same drawing at print size).
What is drawn, in what order (:data:`Z_ORDER`), with which colours and sizes, is decided
here only.

Sizes are pixels at ``MapStyle.scale`` 1 (the screen); the printed picture uses the scale
of its size in the workbook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from equityplanner.render.fields import map_colour
from equityplanner.render.geometry import (
    Affine,
    Rings,
    class_rings,
    fit_view,
    level_for_scale,
)
from equityplanner.render.labels import (
    LabelCandidate,
    Obstacles,
    PlacedLabel,
    label_wanted,
    place_labels,
    spacing_px,
)
from equityplanner.render.legend import Legend, LegendEntry
from equityplanner.render.scene import CatchmentLayer, LineLayer, MapScene, PointLayer
from equityplanner.render.shapes import circle, dashed, house, north_arrow, rect, rounded_rect
from equityplanner.render.surface import (
    Colour,
    Fill,
    FontSpec,
    Hatch,
    Pen,
    Rect,
    Surface,
    rgba,
)

__all__ = [
    "MAP_BACKGROUND",
    "Z_ORDER",
    "MapStyle",
    "ScaleBar",
    "choropleth_fills",
    "choropleth_marks",
    "draw_attribution",
    "draw_catchment",
    "draw_choropleth",
    "draw_label",
    "draw_legend",
    "draw_line",
    "draw_line_casing",
    "draw_map",
    "draw_north_arrow",
    "draw_page",
    "draw_scale_bar",
    "draw_screen",
    "draw_screen_furniture",
    "draw_selection_ring",
    "draw_site",
    "draw_site_area",
    "draw_station",
    "draw_swatch",
    "draw_vertex_handle",
    "label_candidates",
    "label_colour",
    "label_font",
    "label_obstacles",
    "legend_size",
    "network_pen",
    "outlines_visible",
    "scale_bar",
    "screen_legend_max_width",
    "screen_view",
    "site_size",
    "station_size",
]

MAP_BACKGROUND = "#f4f3ef"  # around the neighbourhoods: a warm light grey, not white paper
INK = "#1a1a1a"
SITE_RING = "#5a3500"
SITE_AREA_OUTLINE = "#7a4a00"
NO_DATA_HATCH = "#8c8c8c"
SELECTION = "#0072b2"
WHITE = "#ffffff"

Z_ORDER = {
    "choropleth": 0,
    "catchment": 10,
    "casing": 19,
    "line": 20,
    "site_area": 22,
    "station": 30,
    "site": 31,
    "label": 40,
}
"""Drawing order of the map's layers (the canvas's item z-values)."""

_OUTLINE_MIN_PX = 7.0  # neighbourhood outlines are drawn when the mean polygon is this wide


@dataclass(frozen=True)
class MapStyle:
    """Sizes of the map's marks: pixels at ``scale`` 1 (the screen), multiplied by ``scale``.

    ``units`` is the scale bar's system: ``metric`` (m, km) or ``imperial`` (ft, mi).
    """

    scale: float = 1.0
    units: Literal["metric", "imperial"] = "metric"

    def px(self, size: float) -> float:
        """A size in pixels at this scale."""
        return size * self.scale

    def font(self, size: float, *, bold: bool = False, italic: bool = False) -> FontSpec:
        """A font of ``size`` pixels at scale 1 (whole pixels, at least 7)."""
        return FontSpec(max(round(size * self.scale), 7), bold, italic)

    def colour(self, name: str, default: str = "#808080", alpha: float = 1.0) -> Colour:
        """A ``[map]`` colour of ``palettes.toml``."""
        return rgba(map_colour(name, default), alpha)


def _on_surface(surface: Surface, margin: float = 64.0) -> Rect | None:
    """The surface grown by ``margin`` pixels: where dashes are worth making."""
    width, height = surface.size
    if width <= 0 or height <= 0:
        return None
    return Rect(-margin, -margin, width + 2 * margin, height + 2 * margin)


# Neighbourhoods ------------------------------------------------------------------------


def choropleth_fills(colours: Sequence[str], style: MapStyle) -> dict[int, Fill]:
    """The fill of each class (``-1``: no data, grey and hatched), with hard edges."""
    fills = {i: Fill(rgba(c), antialias=False) for i, c in enumerate(colours)}
    hatch = Hatch(rgba(NO_DATA_HATCH), "bdiag", style.px(6), style.px(1))
    fills[-1] = Fill(style.colour("no_data", "#d9d9d9"), hatch, antialias=False)
    return fills


def outlines_visible(mean_size_m: float, pixels_per_metre: float) -> bool:
    """Whether neighbourhood outlines are worth drawing at a zoom."""
    return mean_size_m * pixels_per_metre >= _OUTLINE_MIN_PX


def choropleth_marks(
    rings_by_class: Mapping[int, Rings],
    fills: Mapping[int, Fill],
    to_px: Affine,
    style: MapStyle,
    outline: Rings | None = None,
) -> list[tuple[Rings, Fill | Pen]]:
    """What :func:`draw_choropleth` draws, in order: each class's rings with its fill (no data
    first), then the outlines with their pen (a :class:`Pen` is stroked, a :class:`Fill`
    filled). The canvas draws a large layer from this list a slice at a time."""
    marks: list[tuple[Rings, Fill | Pen]] = []
    for c in sorted(rings_by_class):
        fill = fills.get(c, fills[-1])
        if fill.hatch is not None:  # the hatch moves with the map
            fill = replace(fill, hatch=replace(fill.hatch, origin=(to_px.tx, to_px.ty)))
        marks.append((rings_by_class[c], fill))
    if outline is not None and not outline.is_empty:
        pen = Pen(
            style.colour("outline", WHITE, 0.75),
            style.px(0.8),
            cap="flat",
            join="bevel",
            antialias=False,
        )
        marks.append((outline, pen))
    return marks


def draw_choropleth(
    surface: Surface,
    rings_by_class: Mapping[int, Rings],
    fills: Mapping[int, Fill],
    to_px: Affine,
    style: MapStyle,
    outline: Rings | None = None,
) -> None:
    """Fill each class's rings (no data first), then the outlines when given."""
    for rings, paint in choropleth_marks(rings_by_class, fills, to_px, style, outline):
        if isinstance(paint, Pen):
            surface.stroke(rings, paint, to_px)
        else:
            surface.fill(rings, paint, to_px)


# Catchments, lines, sites --------------------------------------------------------------


def _catchment_paint(
    is_burden: bool, style: MapStyle, origin: tuple[float, float]
) -> tuple[Fill, Pen, tuple[float, float] | None]:
    colour = style.colour("line_burden" if is_burden else "catchment", "#cc79a7")
    hatch = Hatch(
        rgba(colour, 110 / 255), "bdiag" if is_burden else "fdiag", style.px(8), style.px(1), origin
    )
    width = style.px(2.2)
    pen = Pen(colour, width, cap="flat" if is_burden else "round")
    dash = (4 * width, 2 * width) if is_burden else None
    return Fill(rgba(colour, 38 / 255), hatch), pen, dash


def draw_catchment(surface: Surface, layer: CatchmentLayer, to_px: Affine, style: MapStyle) -> None:
    """A catchment: translucent, hatched (one way for benefits, the other for burdens) and
    outlined (dashed for burdens)."""
    fill, pen, dash = _catchment_paint(layer.is_burden, style, (to_px.tx, to_px.ty))
    surface.fill(layer.rings, fill, to_px)
    outline = layer.rings.transformed(to_px)
    surface.stroke(dashed(outline, *dash, _on_surface(surface)) if dash else outline, pen)


def _line_alpha(highlighted: bool) -> float:
    return 1.0 if highlighted else 0.55


def draw_line_casing(surface: Surface, line: LineLayer, to_px: Affine, style: MapStyle) -> None:
    """The white casing under a line, so that it reads on any class colour."""
    width = style.px(6.5 if line.highlighted else 4.5)
    pen = Pen(rgba(WHITE, 220 / 255 * _line_alpha(line.highlighted)), width)
    surface.stroke(line.parts, pen, to_px)


def draw_line(surface: Surface, line: LineLayer, to_px: Affine, style: MapStyle) -> None:
    """A transit line: solid for new or improved service, dashed for a cut."""
    width = style.px(3.4 if line.highlighted else 2.0)
    colour = rgba(line.colour, _line_alpha(line.highlighted))
    if line.is_burden:
        dashes = dashed(line.parts.transformed(to_px), 4 * width, 2 * width, _on_surface(surface))
        surface.stroke(dashes, Pen(colour, width, cap="flat"))
    else:
        surface.stroke(line.parts, Pen(colour, width), to_px)


def draw_site_area(surface: Surface, areas: Rings, to_px: Affine, style: MapStyle) -> None:
    """The footprint of a housing site given as a polygon."""
    surface.fill(areas, Fill(style.colour("housing_site", "#e69f00", 150 / 255)), to_px)
    surface.stroke(areas, Pen(rgba(SITE_AREA_OUTLINE), style.px(1.5)), to_px)


# Symbols (pixels) ----------------------------------------------------------------------


def station_size(highlighted: bool, style: MapStyle) -> float:
    """Diameter of a station symbol."""
    return style.px(10.0 if highlighted else 7.5)


def site_size(highlighted: bool, style: MapStyle) -> float:
    """Width of a housing-site symbol."""
    return style.px(15.0 if highlighted else 11.0)


def network_pen(colour: str, style: MapStyle) -> Pen:
    """The thin translucent grey of the routing feeds' routes (existing service)."""
    return Pen(rgba(colour or map_colour("network", "#8c8c8c"), 0.75), style.px(1.6))


def draw_station(
    surface: Surface,
    x: float,
    y: float,
    ring: str,
    style: MapStyle,
    highlighted: bool = True,
) -> None:
    """A station or stop: a white dot ringed in ``ring``."""
    alpha = 1.0 if highlighted else 0.6
    shape = circle(x, y, station_size(highlighted, style) / 2)
    surface.fill(shape, Fill(style.colour("station", WHITE, alpha)))
    surface.stroke(shape, Pen(rgba(ring, alpha), style.px(2.4)))


def draw_site(
    surface: Surface,
    x: float,
    y: float,
    style: MapStyle,
    highlighted: bool = True,
    size: float | None = None,
) -> None:
    """A housing site: a small house (``size`` pixels wide; by default as on the map)."""
    alpha = 1.0 if highlighted else 0.6
    shape = house(x, y, size or site_size(highlighted, style))
    surface.fill(shape, Fill(style.colour("housing_site", "#e69f00", alpha)))
    surface.stroke(shape, Pen(rgba(SITE_RING, alpha), style.px(1.6), join="bevel"))


def draw_vertex_handle(surface: Surface, x: float, y: float, ring: str, style: MapStyle) -> None:
    """A handle on an alignment's vertex (while editing)."""
    h = style.px(3.0)
    shape = rect(Rect(x - h, y - h, 2 * h, 2 * h))
    surface.fill(shape, Fill(rgba(WHITE)))
    surface.stroke(shape, Pen(rgba(ring), style.px(1.4), join="bevel"))


def draw_selection_ring(surface: Surface, x: float, y: float, style: MapStyle) -> None:
    """The dashed ring around the selected station or site."""
    width = style.px(2.0)
    ring = dashed(circle(x, y, style.px(12.0)), 4 * width, 2 * width)
    surface.stroke(ring, Pen(rgba(SELECTION), width, cap="flat"))


# Names ---------------------------------------------------------------------------------


def label_font(kind: str, style: MapStyle) -> FontSpec:
    """The font of a site's or a station's name."""
    return style.font(12 if kind == "site" else 11, bold=True)


def label_colour(kind: str, style: MapStyle) -> Colour:
    """The colour of a site's or a station's name."""
    return rgba(SITE_RING) if kind == "site" else style.colour("text", INK)


def draw_label(surface: Surface, label: PlacedLabel, colour: Colour, style: MapStyle) -> None:
    """A name with a white halo."""
    halo = Pen(rgba(WHITE, 230 / 255), style.px(3.2))
    surface.text(label.x, label.baseline, label.text, label.font, colour, halo)


def _symbol_radius(layer: PointLayer, style: MapStyle) -> float:
    if layer.symbol == "site":
        return site_size(layer.highlighted, style) / 2
    return station_size(layer.highlighted, style) / 2


def label_candidates(
    points: Sequence[PointLayer], to_px: Affine, style: MapStyle
) -> list[LabelCandidate]:
    """The names that want to be written at this zoom, in order of importance.

    A candidate's key is (index of its point layer, index of the point).
    """
    out = []
    for i, layer in enumerate(points):
        kind = layer.label_kind
        if not label_wanted(kind, layer.highlighted, spacing_px(layer.spacing_m, to_px)):
            continue
        gap = _symbol_radius(layer, style) + style.px(2.0)
        font = label_font(kind, style)
        xy = to_px.apply(layer.xy)
        for j, ((x, y), name) in enumerate(zip(xy, layer.names, strict=True)):
            priority = (kind != "site", not layer.highlighted, kind == "stop", i, j)
            out.append(
                LabelCandidate(
                    (i, j), name, float(x), float(y), font, gap, priority, force=kind == "site"
                )
            )
    return out


def label_obstacles(
    lines: Sequence[LineLayer], points: Sequence[PointLayer], to_px: Affine, style: MapStyle
) -> Obstacles:
    """The lines and symbols names must keep clear of, in pixels."""
    obstacles = Obstacles()
    for line in lines:
        width = style.px(6.5 if line.highlighted else 4.5) + style.px(2.0)
        obstacles.add_lines(line.parts.transformed(to_px), width)
    for layer in points:
        obstacles.add_circles(to_px.apply(layer.xy), _symbol_radius(layer, style) + style.px(1.0))
    return obstacles


# Legend --------------------------------------------------------------------------------


def _wrap(surface: Surface, text: str, font: FontSpec, width: float) -> list[str]:
    """Greedy word wrap to ``width`` pixels (a word longer than the width keeps its line)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            trial = f"{current} {word}" if current else word
            if current and surface.measure(trial, font).width > width:
                lines.append(current)
                current = word
            else:
                current = trial
        lines.append(current)
    return lines


def _elide(surface: Surface, text: str, font: FontSpec, width: float) -> str:
    if surface.measure(text, font).width <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:  # the longest prefix that fits with an ellipsis
        mid = (lo + hi + 1) // 2
        if surface.measure(text[:mid].rstrip() + "\u2026", font).width <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + "\u2026"


@dataclass(frozen=True)
class _LegendItem:
    kind: Literal["text", "swatch", "rule"]
    x: float
    y: float  # the baseline of a text, the top of a swatch, the level of a rule
    text: str = ""
    font: FontSpec | None = None
    colour: Colour = (0, 0, 0, 255)
    entry: LegendEntry | None = None
    w: float = 0.0
    h: float = 0.0


def _legend_layout(
    surface: Surface, legend: Legend, style: MapStyle, max_width: float, boxed: bool
) -> tuple[list[_LegendItem], float, float]:
    """The legend's items relative to its top left corner, and its width and height."""
    px = style.px
    pad_x, pad_y = (px(10), px(8)) if boxed else (0.0, 0.0)
    title_font = style.font(12, bold=True)
    font = style.font(12)
    note_font = style.font(11, italic=True)
    sw_w, sw_h, sw_gap = px(22), px(12), px(8)
    text_colour = style.colour("text", INK)
    muted = style.colour("muted_text", "#595959")
    entries = [*legend.entries, *legend.symbols]
    natural = max(
        [
            surface.measure(legend.title, title_font).width if legend.title else 0.0,
            surface.measure(legend.symbols_title, title_font).width
            if legend.symbols and legend.symbols_title
            else 0.0,
            *(sw_w + sw_gap + surface.measure(e.label, font).width for e in entries),
        ]
    )
    inner = max(min(natural, max_width - 2 * pad_x), px(120))
    items: list[_LegendItem] = []
    y = pad_y
    x = pad_x

    def text_lines(text: str, f: FontSpec, colour: Colour, left: float, width: float) -> float:
        nonlocal items
        m = surface.measure("Ag", f)
        top = 0.0
        for line in _wrap(surface, text, f, width):
            items.append(_LegendItem("text", left, y + top + m.ascent, line, f, colour))
            top += m.height
        return top

    if legend.title:
        y += text_lines(legend.title, title_font, text_colour, x, inner) + px(6)
    line_h = surface.measure("Ag", font).height
    row_h = max(line_h, px(14)) + px(2)

    def rows(group: Sequence[LegendEntry]) -> None:
        nonlocal y
        label_w = inner - sw_w - sw_gap
        for entry in group:
            lines = _wrap(surface, entry.label, font, label_w)
            height = max(row_h, line_h * len(lines) + px(2))
            items.append(
                _LegendItem("swatch", x, y + (row_h - sw_h) / 2, entry=entry, w=sw_w, h=sw_h)
            )
            m = surface.measure("Ag", font)
            top = y + (row_h - line_h) / 2
            for n, line in enumerate(lines):
                baseline = top + n * line_h + m.ascent
                items.append(
                    _LegendItem("text", x + sw_w + sw_gap, baseline, line, font, text_colour)
                )
            y += height

    rows(legend.entries)
    if legend.symbols:
        if legend.symbols_title:
            y += px(10)
            y += text_lines(legend.symbols_title, title_font, text_colour, x, inner) + px(4)
        elif legend.entries:
            y += px(4)
            items.append(_LegendItem("rule", x, y, w=inner, colour=(0, 0, 0, 30)))
            y += px(4)
        rows(legend.symbols)
    if legend.note:
        y += px(8)
        y += text_lines(legend.note, note_font, muted, x, inner)
    return items, inner + 2 * pad_x, y + pad_y + (px(2) if boxed else 0.0)


def legend_size(
    surface: Surface, legend: Legend, style: MapStyle, max_width: float, *, boxed: bool = True
) -> tuple[float, float]:
    """Width and height of the legend when drawn at most ``max_width`` pixels wide."""
    if legend.is_empty:
        return 0.0, 0.0
    _, w, h = _legend_layout(surface, legend, style, max_width, boxed)
    return w, h


def draw_legend(
    surface: Surface,
    legend: Legend,
    x: float,
    y: float,
    style: MapStyle,
    max_width: float,
    *,
    boxed: bool = True,
) -> Rect:
    """Draw the legend with its top left corner at (x, y); returns its box."""
    if legend.is_empty:
        return Rect(x, y, 0, 0)
    items, w, h = _legend_layout(surface, legend, style, max_width, boxed)
    box = Rect(x, y, w, h)
    if boxed:
        shape = rounded_rect(box, style.px(5))
        surface.fill(shape, Fill(rgba(WHITE, 235 / 255)))
        surface.stroke(shape, Pen((0, 0, 0, 40), style.px(1)))
    for item in items:
        if item.kind == "text" and item.font is not None:
            surface.text(x + item.x, y + item.y, item.text, item.font, item.colour)
        elif item.kind == "swatch" and item.entry is not None:
            draw_swatch(surface, item.entry, Rect(x + item.x, y + item.y, item.w, item.h), style)
        elif item.kind == "rule":
            level = y + item.y
            surface.stroke(
                Rings.of_line([(x + item.x, level), (x + item.x + item.w, level)]),
                Pen(item.colour, style.px(1), cap="flat"),
            )
    return box


def draw_swatch(surface: Surface, entry: LegendEntry, box: Rect, style: MapStyle) -> None:
    """The swatch of a legend entry in ``box``: the same marks as on the map."""
    cx, cy = box.x + box.w / 2, box.y + box.h / 2
    border = Pen((0, 0, 0, 60), style.px(1), join="bevel")
    if entry.symbol == "box":
        surface.fill(rect(box), Fill(rgba(entry.fill or "#888888")))
        surface.stroke(rect(box), border)
    elif entry.symbol == "no_data":
        fill = choropleth_fills([], style)[-1]
        hatch = replace(fill.hatch, origin=(box.x, box.y)) if fill.hatch else None
        surface.fill(rect(box), replace(fill, colour=rgba(entry.fill or "#d9d9d9"), hatch=hatch))
        surface.stroke(rect(box), border)
    elif entry.symbol in ("catchment", "burden_catchment"):
        fill, pen, dash = _catchment_paint(
            entry.symbol == "burden_catchment", style, (box.x, box.y)
        )
        shape = rounded_rect(box.inset(style.px(1)), style.px(3))
        surface.fill(shape, fill)
        surface.stroke(dashed(shape, *dash) if dash else shape, pen)
    elif entry.symbol in ("line", "burden_line"):
        parts = Rings.of_line([(box.x + style.px(2), cy), (box.right - style.px(2), cy)])
        line = LineLayer("", parts, entry.fill or INK, entry.symbol == "burden_line")
        draw_line_casing(surface, line, Affine(), style)
        draw_line(surface, line, Affine(), style)
    elif entry.symbol == "network_line":
        parts = Rings.of_line([(box.x + style.px(2), cy), (box.right - style.px(2), cy)])
        surface.stroke(parts, network_pen(entry.fill, style))
    elif entry.symbol == "station":
        draw_station(surface, cx, cy, INK, style)
    elif entry.symbol == "site":  # as tall as the row allows
        draw_site(surface, cx, cy + style.px(1), style, size=min(site_size(True, style), box.h))


# Scale bar and north arrow -------------------------------------------------------------


@dataclass(frozen=True)
class ScaleBar:
    """A scale bar: its length in pixels, its segments and the labels of its ticks."""

    length_px: float
    segments: int
    ticks: tuple[tuple[float, str], ...]


_FEET_PER_METRE = 1 / 0.3048
_FEET_PER_MILE = 5280.0


def _nice(target: float) -> float:
    """The largest of 1, 2, 2.5 and 5 times a power of ten not above ``target``."""
    power = 10 ** math.floor(math.log10(target))
    return max(f * power for f in (1, 2, 2.5, 5) if f * power <= target * (1 + 1e-12))


def scale_bar(
    pixels_per_metre: float,
    target_px: float,
    units: Literal["metric", "imperial"] = "metric",
) -> ScaleBar | None:
    """A bar of a round length at most ``target_px`` long (None when the zoom is unknown).

    Metric bars read in metres below a kilometre, imperial bars in feet below a quarter mile.

    Examples
    --------
    >>> scale_bar(0.1, 130).ticks
    ((0.0, '0'), (50.0, '0.5'), (100.0, '1 km'))
    >>> scale_bar(0.1, 130, "imperial").ticks[-1]
    (80.4672, '0.5 mi')
    """
    if not (pixels_per_metre > 0 and target_px > 0 and math.isfinite(pixels_per_metre)):
        return None
    target_m = target_px / pixels_per_metre
    if units == "imperial":
        target_ft = target_m * _FEET_PER_METRE
        if target_ft >= _FEET_PER_MILE / 4:
            length = _nice(target_ft / _FEET_PER_MILE)
            metres, unit, factor = length * _FEET_PER_MILE / _FEET_PER_METRE, "mi", 1.0
        else:
            length = _nice(target_ft)
            metres, unit, factor = length / _FEET_PER_METRE, "ft", 1.0
    else:
        length = _nice(target_m)
        metres = length
        unit, factor = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    bar_px = metres * pixels_per_metre
    segments = 4 if bar_px >= 100 else 2
    fractions = (0.0, 0.5, 1.0) if segments == 4 else (0.0, 1.0)
    ticks = []
    for f in fractions:
        value = length * f / factor
        text = f"{value:g}" + (f" {unit}" if f == 1.0 else "")
        ticks.append((round(bar_px * f, 6), text))
    return ScaleBar(bar_px, segments, tuple(ticks))


def draw_scale_bar(
    surface: Surface,
    bar: ScaleBar,
    anchor_x: float,
    bottom: float,
    style: MapStyle,
    *,
    align: Literal["left", "right"] = "left",
) -> Rect:
    """Draw ``bar`` on a light box whose lower edge is ``bottom`` and whose left (or right)
    edge is ``anchor_x``; returns the box."""
    px = style.px
    font = style.font(11)
    m = surface.measure("0", font)
    pad, height = px(7), px(5)
    last_value = bar.ticks[-1][1].split(" ")[0]
    tail = (
        surface.measure(bar.ticks[-1][1], font).width - surface.measure(last_value, font).width / 2
    )
    first_half = surface.measure(bar.ticks[0][1], font).width / 2
    width = first_half + bar.length_px + tail + 2 * pad
    box_h = m.height + px(3) + height + 2 * pad
    left = anchor_x if align == "left" else anchor_x - width
    box = Rect(left, bottom - box_h, width, box_h)
    surface.fill(rounded_rect(box, px(4)), Fill(rgba(WHITE, 215 / 255)))
    x0 = left + pad + first_half
    base = bottom - pad
    ink = rgba(INK)
    step = bar.length_px / bar.segments
    for i in range(bar.segments):
        cell = rect(Rect(x0 + i * step, base - height, step, height))
        surface.fill(cell, Fill(ink if i % 2 == 0 else rgba(WHITE)))
    surface.stroke(
        rect(Rect(x0, base - height, bar.length_px, height)), Pen(ink, px(1), join="bevel")
    )
    baseline = base - height - px(3) - m.descent
    for at, text in bar.ticks:
        number = text.split(" ")[0]
        surface.text(x0 + at - surface.measure(number, font).width / 2, baseline, text, font, ink)
    return box


def draw_north_arrow(
    surface: Surface, cx: float, cy: float, degrees: float, style: MapStyle
) -> None:
    """A north arrow centred on (cx, cy), pointing ``degrees`` clockwise from up."""
    size = style.px(30)
    ink = rgba(INK)
    ring = circle(cx, cy, 0.62 * size)
    surface.fill(ring, Fill(rgba(WHITE)))
    surface.stroke(ring, Pen(ink, style.px(1.2)))
    dark, light = north_arrow(cx, cy, size, degrees)
    surface.fill(dark, Fill(ink))
    surface.fill(light, Fill(rgba(WHITE)))
    surface.stroke(Rings.concat([dark, light]), Pen(ink, style.px(1), join="bevel"))
    font = style.font(12, bold=True)
    m = surface.measure("N", font)
    surface.text(cx - m.width / 2, cy - 0.62 * size - style.px(4) - m.descent, "N", font, ink)


# The map -------------------------------------------------------------------------------


def draw_map(surface: Surface, scene: MapScene, view: Affine, area: Rect, style: MapStyle) -> None:
    """The map inside ``area``: background, neighbourhoods, catchments, lines, sites,
    stations and names, in the canvas's order (:data:`Z_ORDER`)."""
    with surface.clip(area):
        surface.fill(rect(area), Fill(rgba(MAP_BACKGROUND)))
        layer = scene.layer
        if layer is not None and len(scene.row_classes) == layer.count:
            _, tolerance = level_for_scale(view.scale)
            lod = layer.level_of_detail(tolerance)
            by_class = class_rings(lod, scene.row_classes, len(scene.classes))
            outline = lod.rings() if outlines_visible(layer.mean_size_m, view.scale) else None
            fills = choropleth_fills(scene.fill_colours, style)
            draw_choropleth(surface, by_class, fills, view, style, outline)
        for catchment in scene.catchments:
            draw_catchment(surface, catchment, view, style)
        for line in scene.lines:
            draw_line_casing(surface, line, view, style)
        for line in scene.lines:
            draw_line(surface, line, view, style)
        for point in scene.points:
            if point.areas is not None:
                draw_site_area(surface, point.areas, view, style)
        for symbol in ("station", "site"):
            for point in scene.points:
                if point.symbol != symbol:
                    continue
                for x, y in view.apply(point.xy):
                    if symbol == "site":
                        draw_site(surface, x, y, style, point.highlighted)
                    else:
                        draw_station(surface, x, y, point.colour, style, point.highlighted)
        candidates = label_candidates(scene.points, view, style)
        obstacles = label_obstacles(scene.lines, scene.points, view, style)
        for placed in place_labels(candidates, surface.measure, area, obstacles):
            kind = scene.points[placed.key[0]].label_kind
            draw_label(surface, placed, label_colour(kind, style), style)


def screen_legend_max_width(width: float) -> float:
    """The widest the on-screen legend may be in a view ``width`` pixels wide."""
    return width * 0.45


def screen_view(
    surface: Surface,
    scene_bounds: tuple[float, float, float, float],
    legend: Legend,
    width: float,
    height: float,
    style: MapStyle,
) -> Affine:
    """The view fitting the map in a screen of ``width`` x ``height``, leaving room on the
    left for half the legend (it sits in the lower left corner, which irregular areas rarely
    fill)."""
    legend_w, _ = legend_size(surface, legend, style, screen_legend_max_width(width))
    return fit_view(scene_bounds, width, height, reserve_left=legend_w * 0.5)


def draw_screen_furniture(
    surface: Surface,
    width: float,
    height: float,
    style: MapStyle,
    *,
    legend: Legend,
    pixels_per_metre: float,
    credit: str = "",
    north_angle_deg: float | None = None,
    attribution: str = "",
) -> None:
    """What the screen shows over the map: the legend (lower left), the scale bar and the
    data credit (lower right), the north arrow (upper right) and, when a basemap is drawn,
    its provider's attribution along the lower right edge (never shortened)."""
    px = style.px
    if not legend.is_empty:
        w, h = legend_size(surface, legend, style, screen_legend_max_width(width))
        draw_legend(surface, legend, px(12), height - h - px(12), style, w)
    bottom = height - px(14)
    if attribution:
        bottom = draw_attribution(surface, attribution, width, height, style).y - px(4)
    bar = scale_bar(pixels_per_metre, min(0.2 * width, px(160)), style.units)
    top = bottom
    if bar is not None:
        box = draw_scale_bar(surface, bar, width - px(16), bottom, style, align="right")
        top = box.y
    if credit:
        font = style.font(10)
        m = surface.measure(credit, font)
        limit = width * 0.45
        text = _elide(surface, credit, font, limit)
        w = min(m.width, limit)
        surface.text(
            width - px(16) - w,
            top - px(3) - m.descent,
            text,
            font,
            style.colour("muted_text", "#595959"),
        )
    if north_angle_deg is not None:
        draw_north_arrow(surface, width - px(34), px(48), north_angle_deg, style)


def draw_attribution(
    surface: Surface, text: str, width: float, height: float, style: MapStyle
) -> Rect:
    """A basemap's attribution on a light band in the lower right corner; returns its box."""
    px = style.px
    font = style.font(10)
    m = surface.measure(text, font)
    box = Rect(
        width - m.width - px(8), height - m.height - px(4), m.width + px(8), m.height + px(4)
    )
    surface.fill(rect(box), Fill(rgba(WHITE, 200 / 255)))
    surface.text(box.x + px(4), box.bottom - px(2) - m.descent, text, font, rgba(INK, 0.8))
    return box


def draw_screen(
    surface: Surface, scene: MapScene, style: MapStyle | None = None, view: Affine | None = None
) -> Affine:
    """The map as the canvas shows it, filling the surface; returns the view used.

    By default the view fits the map as the canvas's "zoom to layer" does.
    """
    style = style or MapStyle()
    width, height = surface.size
    legend = scene.legend
    if view is None:
        view = screen_view(surface, scene.bounds, legend, width, height, style)
    area = Rect(0, 0, width, height)
    draw_map(surface, scene, view, area, style)
    draw_screen_furniture(
        surface,
        width,
        height,
        style,
        legend=legend,
        pixels_per_metre=view.scale,
        credit=scene.credit,
        north_angle_deg=scene.north_angle_deg,
    )
    return view


def draw_page(surface: Surface, scene: MapScene, style: MapStyle | None = None) -> Affine:
    """The printed map: title and subtitle, the map in a frame with its north arrow and
    scale bar, the legend beside it and the source and projection below; returns the view.

    The map frame is :func:`draw_map`, the same drawing as on screen, at print size.
    """
    style = style or MapStyle()
    px = style.px
    width, height = surface.size
    surface.fill(rect(Rect(0, 0, width, height)), Fill(rgba(WHITE)))
    margin = px(17)
    inner = width - 2 * margin
    text = style.colour("text", INK)
    muted = style.colour("muted_text", "#595959")
    y = margin
    for line_text, font, colour in (
        (scene.title, style.font(21, bold=True), text),
        (scene.subtitle, style.font(13), muted),
    ):
        if not line_text:
            continue
        m = surface.measure("Ag", font)
        for line in _wrap(surface, line_text, font, inner):
            surface.text(margin, y + m.ascent, line, font, colour)
            y += m.height
        y += px(3)
    top = y + px(6)
    footer_font = style.font(10)
    fm = surface.measure("Ag", footer_font)
    bottom = height - margin - fm.height - px(7)
    legend_w = max(px(224), 0.25 * width)
    area = Rect(margin, top, width - 3 * margin - legend_w, max(bottom - top, px(50)))
    fitted = fit_view(scene.bounds, area.w, area.h)
    view = Affine(fitted.scale, fitted.tx + area.x, fitted.ty + area.y)
    draw_map(surface, scene, view, area, style)
    surface.stroke(rect(area), Pen(style.colour("frame", "#4d4d4d"), px(1.0), join="bevel"))
    draw_north_arrow(surface, area.right - px(30), area.y + px(44), scene.north_angle_deg, style)
    bar = scale_bar(view.scale, min(0.22 * area.w, px(180)), style.units)
    if bar is not None:
        draw_scale_bar(surface, bar, area.x + px(12), area.bottom - px(12), style)
    draw_legend(surface, scene.legend, area.right + margin, top, style, legend_w, boxed=False)
    baseline = height - margin - fm.descent
    surface.text(margin, baseline, scene.source, footer_font, muted)
    if scene.crs_name:
        note = f"Projection: {scene.crs_name}"
        w = surface.measure(note, footer_font).width
        surface.text(width - margin - w, baseline, note, footer_font, muted)
    return view
