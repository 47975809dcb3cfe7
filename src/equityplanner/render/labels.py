"""Which station and site names go on the map, and where: one rule for the screen and print.

Names are placed greedily in order of importance: housing sites first (always written),
then the stations of highlighted projects, then the others; bus stops and faint projects
only when zoomed in far enough for their spacing. Each name tries eight positions around
its symbol and takes the first that stays inside the map and clear of the lines, the
symbols and the names already placed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from equityplanner.render.geometry import Affine, Rings
from equityplanner.render.surface import FontSpec, Rect, TextMetrics

__all__ = ["LabelCandidate", "Obstacles", "PlacedLabel", "label_wanted", "place_labels"]

MIN_SPACING_PX = 70.0
"""Stops (and faint projects' stations) are named when at least this far apart on screen."""


def label_wanted(kind: str, highlighted: bool, spacing_px: float) -> bool:
    """Whether a name of ``kind`` (``site``, ``station`` or ``stop``) is written at a zoom
    where neighbouring stations are ``spacing_px`` apart."""
    return kind == "site" or spacing_px >= MIN_SPACING_PX or (kind == "station" and highlighted)


@dataclass(frozen=True)
class LabelCandidate:
    """A name that would like to be written next to its symbol at pixel (x, y).

    ``gap`` keeps it off the symbol; ``force`` writes it even where it cannot fit cleanly;
    ``key`` identifies it to the caller.
    """

    key: tuple[int, int]
    text: str
    x: float
    y: float
    font: FontSpec
    gap: float
    priority: tuple[int, ...] = ()
    force: bool = False


@dataclass(frozen=True)
class PlacedLabel:
    """Where a name goes: its box, and the start of its baseline, in pixels."""

    key: tuple[int, int]
    text: str
    font: FontSpec
    box: Rect
    x: float
    baseline: float


class Obstacles:
    """What names must not cover: lines (with their width) and symbols (circles), in pixels."""

    def __init__(self) -> None:
        self._shapes: list[shapely.Geometry] = []
        self._tree: shapely.STRtree | None = None

    def add_lines(self, parts: Rings, width: float) -> None:
        """Line parts (pixels) as wide as ``width``."""
        lines = [shapely.LineString(p) for p in parts.parts() if len(p) >= 2]
        if lines:
            self._shapes.append(shapely.buffer(shapely.MultiLineString(lines), width / 2))
            self._tree = None

    def add_circles(self, xy: np.ndarray, radius: float) -> None:
        """Symbols of ``radius`` pixels at ``xy``."""
        if len(xy):
            self._shapes.extend(shapely.buffer(shapely.points(xy), radius, quad_segs=4))
            self._tree = None

    def hits(self, box: Rect) -> bool:
        """True when ``box`` touches an obstacle."""
        if not self._shapes:
            return False
        if self._tree is None:
            self._tree = shapely.STRtree(self._shapes)
        query = shapely.box(box.x, box.y, box.right, box.bottom)
        return bool(self._tree.query(query, predicate="intersects").size)


def _positions(w: float, h: float, gap: float) -> list[tuple[float, float]]:
    """Offsets of a name's top left corner from its anchor, best first."""
    return [
        (gap, -gap - h),  # upper right
        (gap, gap),  # lower right
        (-gap - w, -gap - h),  # upper left
        (-gap - w, gap),  # lower left
        (-w / 2, -2 * gap - h),  # above
        (-w / 2, 2 * gap),  # below
        (1.5 * gap, -h / 2),  # right
        (-1.5 * gap - w, -h / 2),  # left
    ]


def place_labels(
    candidates: Sequence[LabelCandidate],
    measure: Callable[[str, FontSpec], TextMetrics],
    area: Rect,
    obstacles: Obstacles,
    *,
    margin: float = 3.0,
) -> list[PlacedLabel]:
    """Place names in order of ``priority`` (lowest first), each clear of the others.

    Names whose anchor lies outside ``area`` are left out; the others go to the first free
    position, or, when ``force`` is set, to the first position even if it is not free.
    """
    placed: list[PlacedLabel] = []
    taken: list[Rect] = []
    for c in sorted(candidates, key=lambda c: c.priority):
        if not (area.x <= c.x <= area.right and area.y <= c.y <= area.bottom):
            continue
        m = measure(c.text, c.font)
        w, h = m.width, m.height
        chosen: Rect | None = None
        options = _positions(w, h, c.gap)
        for dx, dy in options:
            box = Rect(c.x + dx, c.y + dy, w, h)
            if (
                area.contains(box)
                and not obstacles.hits(box)
                and not any(box.intersects(other) for other in taken)
            ):
                chosen = box
                break
        if chosen is None:
            if not c.force:
                continue
            chosen = Rect(c.x + options[0][0], c.y + options[0][1], w, h)
        taken.append(Rect(chosen.x - margin, chosen.y - margin, w + 2 * margin, h + 2 * margin))
        placed.append(PlacedLabel(c.key, c.text, c.font, chosen, chosen.x, chosen.y + m.ascent))
    return placed


def spacing_px(spacing_m: float, view: Affine) -> float:
    """A distance in metres on screen."""
    return spacing_m * view.scale if math.isfinite(spacing_m) else math.inf
