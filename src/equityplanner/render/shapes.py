"""Small shapes as rings, in pixels: circles, boxes, the house and station symbols, the north
arrow, dashes. Built here once so that both surfaces draw them from the same vertices."""

from __future__ import annotations

import math

import numpy as np

from equityplanner.render.geometry import Rings
from equityplanner.render.surface import Rect

__all__ = ["circle", "dashed", "house", "north_arrow", "rect", "rotate", "rounded_rect"]


def circle(cx: float, cy: float, radius: float) -> Rings:
    """A circle as a polygon fine enough to look round at its size."""
    steps = int(np.clip(math.ceil(2 * math.pi * radius / 1.2), 12, 96))
    angle = np.linspace(0.0, 2 * math.pi, steps + 1)
    return Rings.of_polygon(
        np.column_stack([cx + radius * np.cos(angle), cy - radius * np.sin(angle)])
    )


def rect(box: Rect) -> Rings:
    """A rectangle."""
    x0, y0, x1, y1 = box.x, box.y, box.right, box.bottom
    return Rings.of_polygon([(x0, y0), (x0, y1), (x1, y1), (x1, y0)])


def rounded_rect(box: Rect, radius: float) -> Rings:
    """A rectangle with rounded corners."""
    r = max(0.0, min(radius, box.w / 2, box.h / 2))
    if r == 0:
        return rect(box)
    steps = max(math.ceil(r / 1.5), 3)
    points: list[np.ndarray] = []
    corners = (  # centre of each corner's arc, and its angles (counter-clockwise on screen)
        (box.x + r, box.y + r, 0.5 * math.pi, math.pi),
        (box.x + r, box.bottom - r, math.pi, 1.5 * math.pi),
        (box.right - r, box.bottom - r, 1.5 * math.pi, 2 * math.pi),
        (box.right - r, box.y + r, 0.0, 0.5 * math.pi),
    )
    for cx, cy, start, end in corners:
        angle = np.linspace(start, end, steps + 1)
        points.append(np.column_stack([cx + r * np.cos(angle), cy - r * np.sin(angle)]))
    return Rings.of_polygon(np.vstack(points))


def house(cx: float, cy: float, size: float) -> Rings:
    """The housing-site symbol: a house of ``size`` pixels (a square with a gable roof)."""
    h = size / 2
    return Rings.of_polygon(
        [
            (cx - h, cy - 0.1 * size),
            (cx - h, cy + h),
            (cx + h, cy + h),
            (cx + h, cy - 0.1 * size),
            (cx, cy - h - 0.15 * size),
        ]
    )


def rotate(points: np.ndarray, cx: float, cy: float, degrees: float) -> np.ndarray:
    """Points turned clockwise (on screen) by ``degrees`` about (cx, cy)."""
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    centre = np.array([cx, cy])
    p = np.asarray(points, dtype=np.float64) - centre
    return np.column_stack([p[:, 0] * c - p[:, 1] * s, p[:, 0] * s + p[:, 1] * c]) + centre


def north_arrow(cx: float, cy: float, size: float, degrees: float) -> tuple[Rings, Rings]:
    """The two halves of a north arrow pointing ``degrees`` clockwise from up (dark, light)."""
    tip, tail, notch, half = (0.0, -0.5 * size), 0.32 * size, (0.0, 0.16 * size), 0.22 * size
    centre = np.array([cx, cy])
    dark = np.array([tip, (-half, tail), notch]) + centre
    light = np.array([tip, (half, tail), notch]) + centre
    return (
        Rings.of_polygon(rotate(dark, cx, cy, degrees)),
        Rings.of_polygon(rotate(light, cx, cy, degrees)),
    )


def dashed(rings: Rings, on: float, off: float) -> Rings:
    """The dashes of each ring or part: ``on`` pixels drawn, ``off`` left out, from its start."""
    if rings.is_empty or on <= 0:
        return rings
    period = on + off
    pieces: list[np.ndarray] = []
    for part in rings.parts():
        if part.shape[0] < 2:
            continue
        steps = np.hypot(*np.diff(part, axis=0).T)
        along = np.concatenate([[0.0], np.cumsum(steps)])
        total = float(along[-1])
        if total <= 0:
            continue
        begin = np.arange(0.0, total, period)
        end = np.minimum(begin + on, total)
        xs = np.interp(np.concatenate([begin, end]), along, part[:, 0])
        ys = np.interp(np.concatenate([begin, end]), along, part[:, 1])
        k = begin.size
        for i in range(k):
            inner = part[(along > begin[i]) & (along < end[i])]
            pieces.append(np.vstack([[xs[i], ys[i]], inner, [xs[k + i], ys[k + i]]]))
    if not pieces:
        return Rings.empty()
    sizes = np.array([p.shape[0] for p in pieces])
    return Rings(np.vstack(pieces), np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64))
