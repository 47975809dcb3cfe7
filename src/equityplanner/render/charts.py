"""Bar charts of a result, drawn through a :class:`~equityplanner.render.surface.Surface`.

The workbook's Distribution sheet charts, for every side of every project or scenario
(:mod:`equityplanner.report.sheets.distribution`), the share of the benefit (or burden) and of
the population by income quintile; beside its group table, the app also charts each group's
share inside the catchment against the comparison population. :func:`result_charts` makes
these charts as plain data — the quintile chart with the workbook's title, categories, series,
order and colours (``resources/palettes.toml``: the side's tone colour, and the workbook's grey
for the population or comparison), the group chart in the same look — and
:func:`draw_bar_chart`
draws one on any surface: the app's ``QtSurface`` on screen, the
:class:`~equityplanner.render.raster.RasterSurface` for a picture, with no Qt.

Example::

    from equityplanner.render.raster import RasterSurface
    chart = result_charts(result, "Magnolia City")[0]
    surface = RasterSurface(640, chart_height(chart, 640))
    draw_bar_chart(surface, chart)
    png = surface.png()
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily, Side
from equityplanner.model.fields import group_specs
from equityplanner.model.results import Indicator, ProposalResult
from equityplanner.render.geometry import Rings
from equityplanner.render.shapes import rect
from equityplanner.render.surface import Fill, FontSpec, Pen, Rect, Surface, rgba

__all__ = [
    "COMPARISON_GREY",
    "BarChart",
    "BarSeries",
    "chart_height",
    "draw_bar_chart",
    "group_chart",
    "quintile_chart",
    "result_charts",
]

COMPARISON_GREY = "#8c8c8c"  # the workbook's grey for the population and comparison series
_TEXT = "#303030"
_MUTED = "#595959"
_GRID = "#d9d9d9"
_AXIS = "#8c8c8c"
TITLE_FONT = FontSpec(13, bold=True)
LABEL_FONT = FontSpec(11)
SMALL_FONT = FontSpec(10)
_PAD = 10.0
_BAR_ROW = 11.0  # height of one bar of a horizontal chart
_VERTICAL_PLOT = 170.0


@dataclass(frozen=True)
class BarSeries:
    """One series of bars: its name (the legend), a value per category (None: no bar), colour."""

    title: str
    values: tuple[float | None, ...]
    colour: str


@dataclass(frozen=True)
class BarChart:
    """A clustered bar chart of shares (fractions shown as percentages).

    ``horizontal`` charts have their categories down the left (the group chart), others
    along the bottom (the quintile chart).
    """

    title: str
    categories: tuple[str, ...]
    series: tuple[BarSeries, ...]
    y_title: str = "Share"
    x_title: str = ""
    horizontal: bool = False
    description: str = ""


def _strong(side: Side) -> str:
    tones = load_resource("palettes.toml")["tones"]
    return str(tones["beneficial" if side.is_benefit else "adverse"]["strong"])


def _side_label(result: ProposalResult, side: Side, mixed: bool) -> str:
    return f"{result.name} (burdens)" if side.id_suffix(mixed=mixed) else result.name


def _indicator(result: ProposalResult, base_id: str, suffix: str) -> Indicator | None:
    try:
        return result.indicator(f"{base_id}{suffix}")
    except KeyError:
        return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def quintile_chart(result: ProposalResult, side: Side, *, mixed: bool = False) -> BarChart | None:
    """Share of the benefit (or burden) and of the population by income quintile; None when
    the quintiles were not assessed."""
    suffix = side.id_suffix(mixed=mixed)
    quintiles = [_indicator(result, f"distribution.q{n}", suffix) for n in range(1, 6)]
    if not all(quintiles):
        return None
    labels = load_resource("indicators.toml")["distribution"]["quintile_labels"]
    effect, label = side.effect, _side_label(result, side, mixed)
    title = f"{label}: share of the {effect} by income quintile"
    return BarChart(
        title=title,
        categories=tuple(f"Q{n}: {labels[n - 1]}" for n in range(1, 6)),
        series=(
            BarSeries(
                "Population share",
                tuple(_number(q.comparison) for q in quintiles if q is not None),
                COMPARISON_GREY,
            ),
            BarSeries(
                f"Share of the {effect}",
                tuple(_number(q.value) for q in quintiles if q is not None),
                _strong(side),
            ),
        ),
        y_title="Share",
        x_title="Income quintile (1 = lowest incomes)",
        description=title,
    )


def group_chart(
    result: ProposalResult, side: Side, comparison_label: str, *, mixed: bool = False
) -> BarChart | None:
    """Group shares inside the catchment against the comparison population; None if none."""
    burdens = bool(side.id_suffix(mixed=mixed))
    groups = [
        ind
        for ind in result.indicators
        if ind.category is IndicatorFamily.SERVED
        and ind.key.burdens == burdens
        and ind.value_unit == "share"
        and ind.value is not None
    ]
    if not groups:
        return None
    specs = group_specs()

    def short(ind: Indicator) -> str:
        gid = str(ind.details.get("group") or ind.key.group)
        spec = specs.get(gid)
        return spec.label.split(" (")[0] if spec else gid

    title = (
        f"{_side_label(result, side, mixed)}: each group's share inside the catchment and in "
        f"{comparison_label}"
    )
    return BarChart(
        title=title,
        categories=tuple(short(ind) for ind in groups),
        series=(
            BarSeries(
                "Inside the catchment", tuple(_number(i.value) for i in groups), _strong(side)
            ),
            BarSeries(
                comparison_label, tuple(_number(i.comparison) for i in groups), COMPARISON_GREY
            ),
        ),
        y_title="Share",
        horizontal=True,
        description=title,
    )


def result_charts(result: ProposalResult, comparison_label: str) -> list[BarChart]:
    """The workbook's charts of one result, in its order: per side, quintiles then groups."""
    mixed = len(result.sides) > 1
    charts: list[BarChart] = []
    for side in result.sides:
        for chart in (
            quintile_chart(result, side, mixed=mixed),
            group_chart(result, side, comparison_label, mixed=mixed),
        ):
            if chart is not None:
                charts.append(chart)
    return charts


# Drawing ---------------------------------------------------------------------------------


def _wrap(surface: Surface, text: str, font: FontSpec, width: float) -> list[str]:
    """Greedy word wrap to ``width`` pixels (a word longer than the width gets a line)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and surface.measure(candidate, font).width > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines or [""]


def _line_height(surface: Surface, font: FontSpec) -> float:
    return math.ceil(surface.measure("Ag", font).height * 1.2)


def _nice_top(top: float) -> tuple[float, float]:
    """An axis end at or above ``top`` (a share) and the step of its ticks."""
    for step in (0.05, 0.1, 0.2, 0.25):
        if top <= step * 5 + 1e-9:
            end = max(step, math.ceil(top / step - 1e-9) * step)
            return end, step
    return max(1.0, math.ceil(top * 4) / 4), 0.25


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def _layout_top(surface: Surface, chart: BarChart, width: float) -> tuple[list[str], float]:
    title = _wrap(surface, chart.title, TITLE_FONT, width - 2 * _PAD)
    height = _PAD + len(title) * _line_height(surface, TITLE_FONT)
    return title, height + _line_height(surface, LABEL_FONT) + 6  # the legend's row


def chart_height(chart: BarChart, width: float, surface: Surface | None = None) -> int:
    """The height in pixels that ``chart`` needs at ``width`` (``surface`` measures text)."""
    measure = surface if surface is not None else _measurer()
    _title, top = _layout_top(measure, chart, width)
    small = _line_height(measure, SMALL_FONT)
    if chart.horizontal:
        rows = len(chart.categories) * (len(chart.series) * _BAR_ROW + 10)
        return int(top + small + rows + 2 * small + _PAD)
    labels = max(
        (
            len(_wrap(measure, c, SMALL_FONT, _category_width(chart, width)))
            for c in chart.categories
        ),
        default=1,
    )
    return int(top + 2 * small + _VERTICAL_PLOT + (labels + 1) * small + _PAD * 2)


def _measurer() -> Surface:
    from equityplanner.render.raster import RasterSurface

    return RasterSurface(1, 1, supersample=1)


def _category_width(chart: BarChart, width: float) -> float:
    return max((width - 2 * _PAD - 44) / max(len(chart.categories), 1) - 6, 30)


def _box(surface: Surface, x: float, y: float, w: float, h: float, colour: str) -> None:
    if w > 0 and h > 0:
        surface.fill(rect(Rect(x, y, w, h)), Fill(rgba(colour), antialias=False))


def _line(surface: Surface, points: list[tuple[float, float]], colour: str) -> None:
    surface.stroke(Rings.of_line(points), Pen(rgba(colour), 1.0, cap="flat", antialias=False))


def _text(
    surface: Surface, x: float, y_top: float, text: str, font: FontSpec, colour: str = _TEXT
) -> None:
    """Write ``text`` with its top at ``y_top``."""
    surface.text(x, y_top + surface.measure(text, font).ascent, text, font, rgba(colour))


def draw_bar_chart(surface: Surface, chart: BarChart, box: Rect | None = None) -> None:
    """Draw ``chart`` in ``box`` (the whole surface by default): title, legend, axis, bars."""
    if box is None:
        w, h = surface.size
        box = Rect(0.0, 0.0, w, h)
    title, top = _layout_top(surface, chart, box.w)
    y = box.y + _PAD
    for line in title:
        _text(surface, box.x + _PAD, y, line, TITLE_FONT)
        y += _line_height(surface, TITLE_FONT)
    _legend(surface, chart, box.x + _PAD, y + 2)
    plot = Rect(box.x + _PAD, box.y + top, box.w - 2 * _PAD, box.h - top - _PAD)
    values = [v for s in chart.series for v in s.values if v is not None]
    end, step = _nice_top(max(values, default=0.0))
    if chart.horizontal:
        _horizontal(surface, chart, plot, end, step)
    else:
        _vertical(surface, chart, plot, end, step)


def _legend(surface: Surface, chart: BarChart, x: float, y: float) -> None:
    size = surface.measure("Ag", LABEL_FONT).height
    for series in chart.series:
        _box(surface, x, y + 1, size - 2, size - 2, series.colour)
        _text(surface, x + size + 3, y, series.title, LABEL_FONT, _MUTED)
        x += size + 3 + surface.measure(series.title, LABEL_FONT).width + 14


def _vertical(surface: Surface, chart: BarChart, plot: Rect, end: float, step: float) -> None:
    small = _line_height(surface, SMALL_FONT)
    axis_w = max(surface.measure(_percent(end), SMALL_FONT).width, 24) + 6
    cat_w = _category_width(chart, plot.w + 2 * _PAD)
    labels = [_wrap(surface, c, SMALL_FONT, cat_w) for c in chart.categories]
    label_lines = max((len(lines) for lines in labels), default=1)
    x0 = plot.x + axis_w
    y_top = plot.y + 2 * small  # room for the y title and the tallest value label
    y0 = plot.bottom - (label_lines + 1) * small - 4
    height = max(y0 - y_top, 10.0)
    _text(surface, plot.x, plot.y - 2, chart.y_title, SMALL_FONT, _MUTED)
    ticks = round(end / step)
    for n in range(ticks + 1):
        tick = n * step
        y = y0 - tick / end * height
        _line(surface, [(x0, y), (plot.right, y)], _GRID if n else _AXIS)
        label = _percent(tick)
        lw = surface.measure(label, SMALL_FONT).width
        _text(surface, x0 - lw - 4, y - small / 2, label, SMALL_FONT, _MUTED)
    count = max(len(chart.categories), 1)
    group_w = (plot.right - x0) / count
    bar_w = min(group_w * 0.8 / max(len(chart.series), 1), 40.0)
    for i, lines in enumerate(labels):
        left = x0 + i * group_w + (group_w - bar_w * len(chart.series)) / 2
        for k, series in enumerate(chart.series):
            value = series.values[i] if i < len(series.values) else None
            if value is None:
                continue
            bar_h = max(value, 0.0) / end * height
            bx = left + k * bar_w
            _box(surface, bx + 1, y0 - bar_h, bar_w - 2, bar_h, series.colour)
            label = _percent(value)
            lw = surface.measure(label, SMALL_FONT).width
            _text(surface, bx + (bar_w - lw) / 2, y0 - bar_h - small, label, SMALL_FONT, _MUTED)
        centre = x0 + (i + 0.5) * group_w
        for n, line in enumerate(lines):
            lw = surface.measure(line, SMALL_FONT).width
            _text(surface, centre - lw / 2, y0 + 4 + n * small, line, SMALL_FONT)
    if chart.x_title:
        tw = surface.measure(chart.x_title, SMALL_FONT).width
        _text(
            surface,
            x0 + (plot.right - x0 - tw) / 2,
            y0 + 4 + label_lines * small,
            chart.x_title,
            SMALL_FONT,
            _MUTED,
        )


def _horizontal(surface: Surface, chart: BarChart, plot: Rect, end: float, step: float) -> None:
    small = _line_height(surface, SMALL_FONT)
    label_w = min(
        max((surface.measure(c, SMALL_FONT).width for c in chart.categories), default=0) + 8,
        plot.w * 0.4,
    )
    x0 = plot.x + label_w
    value_room = surface.measure("100%", SMALL_FONT).width + 6
    width = max(plot.right - x0 - value_room, 10.0)
    y = plot.y + small
    group_h = len(chart.series) * _BAR_ROW + 10
    bottom = y + group_h * len(chart.categories)
    ticks = round(end / step)
    for n in range(ticks + 1):
        tick = n * step
        x = x0 + tick / end * width
        _line(surface, [(x, y - 2), (x, bottom)], _GRID if n else _AXIS)
        label = _percent(tick)
        lw = surface.measure(label, SMALL_FONT).width
        _text(surface, x - lw / 2, bottom + 3, label, SMALL_FONT, _MUTED)
    _text(surface, x0, bottom + 3 + small, chart.y_title, SMALL_FONT, _MUTED)
    for i, category in enumerate(chart.categories):
        top = y + i * group_h + 5
        text = category
        while text and surface.measure(text, SMALL_FONT).width > label_w - 8:
            text = text[:-2] + "…"
        lw = surface.measure(text, SMALL_FONT).width
        centre = top + group_h / 2 - 5
        _text(surface, x0 - lw - 6, centre - small / 2, text, SMALL_FONT)
        for k, series in enumerate(chart.series):
            value = series.values[i] if i < len(series.values) else None
            if value is None:
                continue
            by = top + k * _BAR_ROW
            bar = max(value, 0.0) / end * width
            _box(surface, x0 + 1, by, bar, _BAR_ROW - 1, series.colour)
            label = _percent(value)
            metrics = surface.measure(label, SMALL_FONT)
            _text(
                surface,
                x0 + bar + 4,
                by + (_BAR_ROW - metrics.height) / 2,
                label,
                SMALL_FONT,
                _MUTED,
            )
