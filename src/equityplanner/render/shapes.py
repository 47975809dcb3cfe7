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


def _visible_spans(part: np.ndarray, along: np.ndarray, box: Rect) -> np.ndarray:
    """Arc-length intervals ``(n, 2)`` of the segments of ``part`` inside ``box``
    (Liang-Barsky clipping of every segment at once)."""
    p0, d = part[:-1], np.diff(part, axis=0)
    t0, t1 = np.zeros(len(d)), np.ones(len(d))
    keep = np.ones(len(d), dtype=bool)
    for p, q in (
        (-d[:, 0], p0[:, 0] - box.x),
        (d[:, 0], box.right - p0[:, 0]),
        (-d[:, 1], p0[:, 1] - box.y),
        (d[:, 1], box.bottom - p0[:, 1]),
    ):
        parallel = p == 0
        keep &= ~(parallel & (q < 0))
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(parallel, 0.0, q / np.where(parallel, 1.0, p))
        t0 = np.where(~parallel & (p < 0), np.maximum(t0, r), t0)
        t1 = np.where(~parallel & (p > 0), np.minimum(t1, r), t1)
    keep &= t0 <= t1
    length = np.diff(along)
    return np.column_stack([along[:-1] + t0 * length, along[:-1] + t1 * length])[keep]


def dashed(rings: Rings, on: float, off: float, within: Rect | None = None) -> Rings:
    """The dashes of each ring or part: ``on`` pixels drawn, ``off`` left out, from its start.

    With ``within``, only the dashes meeting that box are made (their phase unchanged), so
    a line zoomed far beyond the screen costs no more than the part on it.
    """
    if rings.is_empty or on <= 0:
        return rings
    period = on + off
    pieces: list[np.ndarray] = []
    for part in rings.parts():
        if part.shape[0] < 2:
            continue
        along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(part, axis=0).T))])
        total = float(along[-1])
        if total <= 0:
            continue
        if within is None:
            ks = np.arange(math.ceil(total / period))
        else:
            spans = _visible_spans(part, along, within)
            if spans.size == 0:
                continue
            first = np.floor(spans[:, 0] / period).astype(np.int64)
            count = np.floor(spans[:, 1] / period).astype(np.int64) - first + 1
            offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
            ks = np.unique(np.repeat(first, count) + offset)
        begin = ks * period
        begin = begin[begin < total]
        end = np.minimum(begin + on, total)
        xs = np.interp(np.concatenate([begin, end]), along, part[:, 0])
        ys = np.interp(np.concatenate([begin, end]), along, part[:, 1])
        inner_from = np.searchsorted(along, begin, side="right")
        inner_to = np.searchsorted(along, end, side="left")
        k = begin.size
        for i in range(k):
            inner = part[inner_from[i] : inner_to[i]]
            pieces.append(np.vstack([[xs[i], ys[i]], inner, [xs[k + i], ys[k + i]]]))
    if not pieces:
        return Rings.empty()
    sizes = np.array([p.shape[0] for p in pieces])
    return Rings(np.vstack(pieces), np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64))
