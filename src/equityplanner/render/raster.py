"""The headless surface: the map drawn into a numpy image, with Pillow for the text.

:class:`RasterSurface` draws at ``supersample`` times the size and averages blocks of pixels
at the end, which antialiases every edge exactly: two neighbours that share an edge cover
each sub-pixel once, so fills meet without seams or light lines.

Fills are scan-converted with numpy (:func:`coverage`): every edge of every ring is crossed
with the rows of pixel centres at once, the crossings are summed per row with their winding
direction, and a cumulative sum along the row tells which pixel centres are inside. No
Python loop runs per ring or per vertex, so a layer of hundreds of thousands of polygons
fills in a few array operations (rows are processed in bands to bound memory). Strokes are
turned into fills: one quadrilateral per segment, plus discs at round joins and caps. Text
is rasterised by Pillow's FreeType, from the same font files as the canvas uses.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from equityplanner.render.fonts import font_files, line_metrics
from equityplanner.render.geometry import Affine, Rings
from equityplanner.render.surface import Colour, Fill, FontSpec, Hatch, Pen, Rect, TextMetrics

__all__ = ["RasterSurface", "coverage", "hatch_coverage", "stroke_rings"]

_BAND_ROWS = 256  # rows of the crossing accumulator filled at once


def coverage(
    coords: np.ndarray,
    starts: np.ndarray,
    height: int,
    width: int,
    rule: Literal["nonzero", "evenodd"] = "nonzero",
) -> tuple[int, int, np.ndarray]:
    """Which pixel centres lie inside rings: ``(top, left, mask)`` of the rings' bounding box.

    ``coords`` are pixels (``(N, 2)``, x right, y down) and ``starts`` the first vertex of
    each ring; every ring is closed (its last vertex joins its first). A pixel is inside
    when its centre is, by the non-zero winding or even-odd rule: shared edges are counted
    once, so neighbours neither overlap nor leave gaps. ``mask`` is clipped to the image.
    """
    coords = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    n = coords.shape[0]
    empty = (0, 0, np.zeros((0, 0), dtype=bool))
    if n < 3 or height <= 0 or width <= 0:
        return empty
    if not np.isfinite(coords).all():
        raise ValueError("cannot fill rings with non-finite coordinates")
    box = _axis_aligned_box(coords, starts)
    if box is not None:  # backgrounds, swatches, bar segments: no scan needed
        bx0, by0, bx1, by1 = box
        top, bottom = max(0, math.ceil(by0 - 0.5)), min(height, math.ceil(by1 - 0.5))
        left, right = max(0, math.ceil(bx0 - 0.5)), min(width, math.ceil(bx1 - 0.5))
        if bottom <= top or right <= left:
            return empty
        # A read-only view of one True: blending sees a whole box and skips the mask.
        return top, left, np.broadcast_to(np.True_, (bottom - top, right - left))
    starts = np.asarray(starts, dtype=np.int64)
    ends = np.append(starts[1:], n)
    following = np.arange(1, n + 1)
    following[ends - 1] = starts  # each ring's last vertex joins its first
    x0, y0 = coords[:, 0], coords[:, 1]
    x1, y1 = x0[following], y0[following]
    top = max(0, math.ceil(float(y0.min()) - 0.5))
    bottom = min(height, math.ceil(float(y0.max()) - 0.5))
    left = max(0, math.ceil(float(x0.min()) - 0.5))
    right = min(width, math.ceil(float(x0.max()) - 0.5))
    if bottom <= top or right <= left:
        return empty
    # Rows whose centre (r + 0.5) lies in [min(y0, y1), max(y0, y1)): half-open, so a
    # vertex shared by two edges is crossed once.
    row_lo = np.ceil(np.minimum(y0, y1) - 0.5).astype(np.int64)
    row_hi = np.ceil(np.maximum(y0, y1) - 0.5).astype(np.int64)
    live = row_hi > row_lo
    if not live.any():
        return top, left, np.zeros((bottom - top, right - left), dtype=bool)
    x0, y0, x1, y1 = x0[live], y0[live], x1[live], y1[live]
    row_lo, row_hi = row_lo[live], row_hi[live]
    slope = (x1 - x0) / (y1 - y0)
    if rule == "nonzero":
        direction = np.where(y1 > y0, 1, -1).astype(np.int16)
    else:
        direction = np.ones(x0.size, dtype=np.int16)
    cols = right - left + 1  # one spare column collects crossings right of the box
    mask = np.empty((bottom - top, right - left), dtype=bool)
    for band in range(top, bottom, _BAND_ROWS):
        band_end = min(band + _BAND_ROWS, bottom)
        lo = np.maximum(row_lo, band)
        hi = np.minimum(row_hi, band_end)
        counts = np.maximum(hi - lo, 0)
        total = int(counts.sum())
        rows = band_end - band
        if total == 0:
            mask[band - top : band_end - top] = False
            continue
        edge = np.repeat(np.arange(counts.size), counts)
        offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        row = lo[edge] + offset
        x = x0[edge] + (row + 0.5 - y0[edge]) * slope[edge]
        col = np.clip(np.ceil(x - 0.5).astype(np.int64) - left, 0, cols - 1)
        flat = (row - band) * cols + col
        # Small integers throughout: the accumulator and its running sum are the costly part.
        acc = np.zeros(rows * cols, dtype=np.int16)
        np.add.at(acc, flat, direction[edge])
        winding = np.cumsum(acc.reshape(rows, cols)[:, :-1], axis=1, dtype=np.int16)
        inside = winding != 0 if rule == "nonzero" else (winding & 1).astype(bool)
        mask[band - top : band_end - top] = inside
    return top, left, mask


def _axis_aligned_box(
    coords: np.ndarray, starts: np.ndarray
) -> tuple[float, float, float, float] | None:
    """(x0, y0, x1, y1) when the rings are one closed axis-aligned rectangle, else None."""
    if len(starts) != 1 or coords.shape[0] not in (4, 5):
        return None
    xs, ys = coords[:, 0], coords[:, 1]
    corners = coords[:4]
    if np.unique(xs).size != 2 or np.unique(ys).size != 2:
        return None
    # Consecutive corners must differ in exactly one coordinate (no bow tie).
    steps = np.diff(np.vstack([corners, corners[:1]]), axis=0)
    if not np.all((steps[:, 0] == 0) ^ (steps[:, 1] == 0)):
        return None
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def _discs(centres: np.ndarray, radius: float) -> Rings:
    """Polygons approximating circles of ``radius`` around ``centres`` (positive shoelace area,
    as the quadrilaterals of :func:`stroke_rings`)."""
    steps = int(np.clip(math.ceil(2 * math.pi * radius / 1.5), 8, 64))
    angle = np.linspace(0.0, 2 * math.pi, steps + 1)
    circle = np.column_stack([np.cos(angle), np.sin(angle)]) * radius
    coords = (centres[:, None, :] + circle[None, :, :]).reshape(-1, 2)
    return Rings(coords, np.arange(0, coords.shape[0], steps + 1, dtype=np.int64))


def stroke_rings(rings: Rings, pen_width: float, cap: str, join: str) -> Rings:
    """Fillable outlines of a stroke (pixels): a quadrilateral per segment, discs at round
    joins and caps. All turn the same way, so a non-zero fill paints their union."""
    half = pen_width / 2.0
    if rings.is_empty or half <= 0:
        return Rings.empty()
    coords, starts = rings.coords, rings.starts
    n = coords.shape[0]
    segment_start = np.ones(n, dtype=bool)
    segment_start[rings.ends - 1] = False  # the last vertex of a part starts no segment
    i = np.flatnonzero(segment_start)
    p0, p1 = coords[i], coords[i + 1]
    d = p1 - p0
    length = np.hypot(d[:, 0], d[:, 1])
    ok = length > 1e-9
    p0, p1, d, length = p0[ok], p1[ok], d[ok], length[ok]
    unit = d / length[:, None]
    if cap == "square":
        first = np.isin(i[ok], starts)
        last = np.isin(i[ok] + 1, rings.ends - 1)
        p0 = p0 - unit * (half * first)[:, None]
        p1 = p1 + unit * (half * last)[:, None]
    normal = np.column_stack([-unit[:, 1], unit[:, 0]]) * half
    quads = np.stack([p0 - normal, p1 - normal, p1 + normal, p0 + normal, p0 - normal], axis=1)
    # Orient every quadrilateral the same way (positive shoelace area, as the discs).
    x, y = quads[:, :4, 0], quads[:, :4, 1]
    area = (x * np.roll(y, -1, axis=1) - np.roll(x, -1, axis=1) * y).sum(axis=1)
    quads[area < 0] = quads[area < 0, ::-1]
    pieces = [Rings(quads.reshape(-1, 2), np.arange(0, quads.shape[0] * 5, 5, dtype=np.int64))]
    round_join = join == "round"
    round_cap = cap == "round"
    if (round_join or round_cap) and half >= 0.75:
        at = np.zeros(n, dtype=bool)
        if round_join:
            at[:] = True
            at[starts] = False
            at[rings.ends - 1] = False
        if round_cap:
            at[starts] = True
            at[rings.ends - 1] = True
        pieces.append(_discs(coords[at], half))
    return Rings.concat(pieces)


def hatch_coverage(xs: np.ndarray, ys: np.ndarray, hatch: Hatch, scale: float = 1.0) -> np.ndarray:
    """Whether the points (xs, ys) (pixels times ``scale``) fall on a hatch line."""
    ox, oy = hatch.origin
    u = xs / scale - ox
    v = ys / scale - oy
    along = (u + v) if hatch.direction == "fdiag" else (u - v)
    # Distance across the 45-degree lines is |along| / sqrt(2).
    phase = np.mod(along, hatch.spacing)
    return np.minimum(phase, hatch.spacing - phase) < hatch.width * math.sqrt(2) / 2


@lru_cache(maxsize=64)
def _font(size_px: int, bold: bool, italic: bool) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    files = font_files()
    if files is not None:
        return ImageFont.truetype(str(files.path(bold=bold, italic=italic)), size_px)
    return ImageFont.load_default(size_px)


class RasterSurface:
    """A white (or ``background``) picture of ``width`` x ``height`` pixels, no Qt needed.

    Parameters
    ----------
    width, height
        Size of the picture in pixels.
    supersample
        Drawing resolution as a multiple of the size (3: each pixel averages 9 samples).
    background
        Colour of the empty picture.
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        supersample: int = 3,
        background: Colour = (255, 255, 255, 255),
    ) -> None:
        if width < 1 or height < 1 or supersample < 1:
            raise ValueError("a picture needs a positive size and supersampling factor")
        self.width, self.height, self.ss = int(width), int(height), int(supersample)
        # RGBA samples, also seen as one uint32 per sample so that opaque fills copy one word.
        self._pixels = np.empty((self.height * self.ss, self.width * self.ss, 4), dtype=np.uint8)
        self._words = self._pixels.view(np.uint32)[..., 0]
        self._words[:] = self._word((*background[:3], 255))
        self._clips: list[tuple[int, int, int, int]] = []

    @property
    def size(self) -> tuple[float, float]:
        """Width and height in pixels."""
        return float(self.width), float(self.height)

    # Blending ---------------------------------------------------------------------------

    def _window(self, top: int, left: int, mask: np.ndarray) -> tuple[int, int, np.ndarray]:
        """The part of a mask inside the picture and the current clip."""
        if mask.size == 0:
            return top, left, mask
        ct, cl, cb, cr = self._clips[-1] if self._clips else (0, 0, *self._pixels.shape[:2])
        t, l_ = max(top, ct, 0), max(left, cl, 0)
        b = min(top + mask.shape[0], cb, self._pixels.shape[0])
        r = min(left + mask.shape[1], cr, self._pixels.shape[1])
        if b <= t or r <= l_:
            return t, l_, mask[:0, :0]
        return t, l_, mask[t - top : b - top, l_ - left : r - left]

    @staticmethod
    def _word(colour: Colour) -> np.uint32:
        return np.frombuffer(bytes((*colour[:3], 255)), dtype=np.uint32)[0]

    def _blend(self, top: int, left: int, mask: np.ndarray, colour: Colour) -> None:
        """Paint ``colour`` where ``mask`` is set (bool) or by ``mask`` as coverage (uint8)."""
        top, left, mask = self._window(top, left, mask)
        if mask.size == 0 or colour[3] == 0:
            return
        rows, cols = slice(top, top + mask.shape[0]), slice(left, left + mask.shape[1])
        whole = mask.dtype == bool and mask.strides == (0, 0)
        if mask.dtype == bool and colour[3] == 255:
            if whole:
                self._words[rows, cols] = self._word(colour)
            else:
                np.copyto(self._words[rows, cols], self._word(colour), where=mask)
            return
        region = self._pixels[rows, cols, :3]
        if mask.dtype == bool:
            # One alpha for every pixel: blend through a table per channel (no arithmetic
            # on the region, which may be most of the picture).
            alpha = colour[3]
            levels = np.arange(256, dtype=np.uint32)
            for c in range(3):
                table = ((levels * (255 - alpha) + colour[c] * alpha + 127) // 255).astype(np.uint8)
                channel = region[..., c]
                if whole:
                    channel[...] = table[channel]
                else:
                    np.copyto(channel, table[channel], where=mask)
            return
        # Coverage (text): an alpha per pixel, over a small region.
        where = (mask > 0)[..., None]
        cover = (mask.astype(np.uint32) * colour[3] // 255)[..., None]
        rgb = np.array(colour[:3], dtype=np.uint32)
        mixed = ((region * (255 - cover) + rgb * cover + 127) // 255).astype(np.uint8)
        np.copyto(region, mixed, where=where)

    # Surface ----------------------------------------------------------------------------

    def fill(self, rings: Rings, fill: Fill, to_px: Affine | None = None) -> None:
        """Fill rings with the non-zero winding rule (``fill.antialias`` is always on)."""
        if rings.is_empty:
            return
        px = to_px.apply(rings.coords) if to_px is not None else rings.coords
        top, left, mask = coverage(
            px * self.ss, rings.starts, self._pixels.shape[0], self._pixels.shape[1]
        )
        if mask.size == 0:
            return
        self._blend(top, left, mask, fill.colour)
        if fill.hatch is not None:
            rows = (np.arange(mask.shape[0]) + top + 0.5)[:, None]
            cols = (np.arange(mask.shape[1]) + left + 0.5)[None, :]
            lines = hatch_coverage(cols, rows, fill.hatch, self.ss)
            self._blend(top, left, mask & lines, fill.hatch.colour)

    def stroke(self, rings: Rings, pen: Pen, to_px: Affine | None = None) -> None:
        """Stroke each ring or part: the pen's outline, filled."""
        if rings.is_empty:
            return
        px = to_px.apply(rings.coords) if to_px is not None else rings.coords
        outline = stroke_rings(
            Rings(px * self.ss, rings.starts), pen.width * self.ss, pen.cap, pen.join
        )
        if outline.is_empty:
            return
        top, left, mask = coverage(
            outline.coords, outline.starts, self._pixels.shape[0], self._pixels.shape[1]
        )
        self._blend(top, left, mask, pen.colour)

    def _text_mask(self, text: str, font: FontSpec, stroke: int) -> tuple[int, int, np.ndarray]:
        face = _font(font.size * self.ss, font.bold, font.italic)
        l_, t, r, b = face.getbbox(text, anchor="ls", stroke_width=stroke)
        if r <= l_ or b <= t:
            return 0, 0, np.zeros((0, 0), dtype=np.uint8)
        canvas = Image.new("L", (int(r - l_), int(b - t)), 0)
        ImageDraw.Draw(canvas).text(
            (-l_, -t), text, font=face, fill=255, anchor="ls", stroke_width=stroke, stroke_fill=255
        )
        return int(t), int(l_), np.asarray(canvas)

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        font: FontSpec,
        colour: Colour,
        halo: Pen | None = None,
    ) -> None:
        """Write a line of text; a halo is the text's outline widened by the pen, underneath."""
        if not text:
            return
        ox, oy = round(x * self.ss), round(baseline * self.ss)
        if halo is not None:
            stroke = max(round(halo.width / 2 * self.ss), 1)
            t, l_, mask = self._text_mask(text, font, stroke)
            self._blend(oy + t, ox + l_, mask, halo.colour)
        t, l_, mask = self._text_mask(text, font, 0)
        self._blend(oy + t, ox + l_, mask, colour)

    def measure(self, text: str, font: FontSpec) -> TextMetrics:
        """Advance width of a line of text, and the font's ascent and descent, in pixels."""
        face = _font(font.size * self.ss, font.bold, font.italic)
        width = face.getlength(text) / self.ss if text else 0.0
        shared = line_metrics(font.size, bold=font.bold, italic=font.italic)
        if shared is not None:
            return TextMetrics(width, *shared)
        if isinstance(face, ImageFont.FreeTypeFont):
            ascent, descent = face.getmetrics()
            return TextMetrics(width, ascent / self.ss, descent / self.ss)
        return TextMetrics(width, font.size * 0.8, font.size * 0.2)  # Pillow without FreeType

    @contextmanager
    def clip(self, rect: Rect) -> Iterator[None]:
        """Draw inside ``rect`` only (nested clips intersect)."""
        s = self.ss
        box = (
            max(0, math.ceil(rect.y * s - 0.5)),
            max(0, math.ceil(rect.x * s - 0.5)),
            min(self._pixels.shape[0], math.ceil(rect.bottom * s - 0.5)),
            min(self._pixels.shape[1], math.ceil(rect.right * s - 0.5)),
        )
        if self._clips:
            ct, cl, cb, cr = self._clips[-1]
            box = (max(box[0], ct), max(box[1], cl), min(box[2], cb), min(box[3], cr))
        self._clips.append(box)
        try:
            yield
        finally:
            self._clips.pop()

    def draw_image(
        self,
        image: Any,
        source: tuple[float, float, float, float],
        top_left: tuple[float, float],
        top_right: tuple[float, float],
        bottom_left: tuple[float, float],
    ) -> None:
        """Draw part of a picture (Pillow image or RGBA array) onto a parallelogram."""
        picture = image if isinstance(image, Image.Image) else Image.fromarray(np.asarray(image))
        picture = picture.convert("RGBA")
        s = self.ss
        sx, sy, sw, sh = source
        (x0, y0), (x1, y1), (x2, y2) = top_left, top_right, bottom_left
        # Sample position -> picture position (the inverse of the parallelogram's mapping).
        a, b = (x1 - x0) * s / sw, (x2 - x0) * s / sh
        c, d = (y1 - y0) * s / sw, (y2 - y0) * s / sh
        det = a * d - b * c
        if abs(det) < 1e-12:
            return
        ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
        xs = [x0, x1, x2, x1 + x2 - x0]
        ys = [y0, y1, y2, y1 + y2 - y0]
        top = max(math.floor(min(ys) * s), 0)
        left = max(math.floor(min(xs) * s), 0)
        bottom = min(math.ceil(max(ys) * s), self._pixels.shape[0])
        right = min(math.ceil(max(xs) * s), self._pixels.shape[1])
        if bottom <= top or right <= left:
            return
        if self._clips:
            ct, cl, cb, cr = self._clips[-1]
            top, left, bottom, right = max(top, ct), max(left, cl), min(bottom, cb), min(right, cr)
            if bottom <= top or right <= left:
                return
        ox, oy = left + 0.5 - x0 * s, top + 0.5 - y0 * s
        coefficients = (
            ia,
            ib,
            ia * ox + ib * oy + sx,
            ic,
            id_,
            ic * ox + id_ * oy + sy,
        )
        warped = picture.transform(
            (right - left, bottom - top),
            Image.Transform.AFFINE,
            coefficients,
            resample=Image.Resampling.BILINEAR,
        )
        layer = np.asarray(warped, dtype=np.uint32)
        # Only inside the source rectangle (the transform repeats no edge pixels there).
        region = self._pixels[top:bottom, left:right].astype(np.uint32)
        alpha = layer[..., 3:4]
        u = (
            (np.arange(right - left)[None, :] + ox) * ia
            + (np.arange(bottom - top)[:, None] + oy) * ib
            + sx
        )
        v = (
            (np.arange(right - left)[None, :] + ox) * ic
            + (np.arange(bottom - top)[:, None] + oy) * id_
            + sy
        )
        inside = ((u >= sx) & (u <= sx + sw) & (v >= sy) & (v <= sy + sh))[..., None]
        alpha = np.where(inside, alpha, 0)
        mixed = (region[..., :3] * (255 - alpha) + layer[..., :3] * alpha + 127) // 255
        self._pixels[top:bottom, left:right, :3] = mixed.astype(np.uint8)

    # Output -----------------------------------------------------------------------------

    def pixels(self) -> np.ndarray:
        """The picture as an ``(height, width, 3)`` uint8 array (the samples averaged)."""
        return np.asarray(self.image())

    def image(self) -> Image.Image:
        """The picture as a Pillow RGB image (each pixel the mean of its samples)."""
        full = Image.fromarray(self._pixels, "RGBA")
        return (full if self.ss == 1 else full.reduce(self.ss)).convert("RGB")

    def png(self, dpi: float = 150.0) -> bytes:
        """The picture as PNG bytes (with its resolution, for printing at the right size)."""
        out = io.BytesIO()
        self.image().save(out, "PNG", dpi=(dpi, dpi), optimize=False)
        return out.getvalue()
