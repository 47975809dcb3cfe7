"""Map drawing speed on synthetic neighbourhood layers (10,000 and 240,000 polygons): the
desktop app's canvas and the headless picture of the workbook, drawn by the same painter.

Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_map.py [--sizes 10000 240000]``

The layer is a jittered lattice tessellation in UTM 16N (no gaps, no overlaps), 24 vertices per
polygon, shaded in 5 quantile classes. For each size it prints:

* ``prepare``: what the baseline loader does off the GUI thread (flatten to numpy arrays, scene
  transform; the STRtree for hit tests is built on first use);
* canvas ``first draw``: on the GUI thread, adding the layer to a 1400x900 canvas, classifying
  and painting it the first time (building the class rings and their paths);
* canvas ``redraw`` after a pan of 120 px (median of 15); the layer's picture is cached with a
  margin, so this is a copy;
* canvas ``repaint``: the same with the cached picture dropped, as when a pan leaves it: the
  class paths (cached per level of detail) are filled again (median of 6);
* canvas ``zoomed pan``: the same at 8x zoom (culled region, finer level of detail);
* headless ``first``/``redraw``: the same 1400x900 view drawn by ``render.draw.draw_screen`` on
  the numpy/Pillow surface (3x supersampled), the first time and again (median of 3): the
  headless picture keeps no cache, so both include the level of detail;
* ``workbook PNG``: the workbook's 1600x1100 page of the layer, encoded as PNG.

The ratio columns compare the headless picture with the canvas (first draw, and redraw against
the canvas's full repaint). Targets (issue 4): first draw < 1 s and redraw < 50 ms for 10,000
polygons on the canvas.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import shapely
from pyproj import CRS
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from equityplanner.app.map_canvas import MapCanvas
from equityplanner.render.draw import MapStyle, draw_screen
from equityplanner.render.geometry import LayerGeometry, SceneTransform
from equityplanner.render.legend import Legend, LegendEntry
from equityplanner.render.map_image import scene_to_png
from equityplanner.render.raster import RasterSurface
from equityplanner.render.scene import ClassFill, MapScene

SIDE = 6  # lattice points per polygon side: 4 * 6 = 24 vertices per polygon


def synthetic_layer(n: int, seed: int = 0, cell_m: float = 400.0) -> np.ndarray:
    """About ``n`` polygons tiling a rectangle, each with 24 jittered boundary vertices."""
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(n * 1.5)))
    rows = int(np.ceil(n / cols))
    nx, ny = cols * SIDE + 1, rows * SIDE + 1
    gx, gy = np.meshgrid(np.arange(nx, dtype=float), np.arange(ny, dtype=float))
    step = cell_m / SIDE
    lattice = np.stack([gx * step, gy * step], axis=-1)
    lattice += rng.normal(scale=step * 0.25, size=lattice.shape)
    # Perimeter of one cell as lattice offsets (counter-clockwise), closed.
    s = SIDE
    ring = (
        [(i, 0) for i in range(s)]
        + [(s, j) for j in range(s)]
        + [(s - i, s) for i in range(s)]
        + [(0, s - j) for j in range(s)]
    )
    ring.append(ring[0])
    ring_i = np.array([p[0] for p in ring])
    ring_j = np.array([p[1] for p in ring])
    ci, cj = np.meshgrid(np.arange(cols), np.arange(rows))
    ci, cj = ci.ravel()[:n], cj.ravel()[:n]
    xi = ci[:, None] * s + ring_i[None, :]
    yj = cj[:, None] * s + ring_j[None, :]
    coords = lattice[yj, xi] + np.array([500_000.0, 3_700_000.0])
    return shapely.polygons(coords)


def paint_once(canvas: MapCanvas, image: QImage) -> float:
    """Paint the whole viewport into ``image``; seconds."""
    start = time.perf_counter()
    painter = QPainter(image)
    canvas.render(painter)
    painter.end()
    return time.perf_counter() - start


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(n: int) -> dict[str, float]:
    geoms = synthetic_layer(n)
    crs = CRS.from_epsg(32616)
    start = time.perf_counter()
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    transform = SceneTransform(crs, ((xmin + xmax) / 2, (ymin + ymax) / 2))
    layer = LayerGeometry(geoms, crs, transform)
    prepare = time.perf_counter() - start

    canvas = MapCanvas()
    canvas.resize(1400, 900)
    canvas.show()
    QApplication.processEvents()
    image = QImage(canvas.viewport().size(), QImage.Format.Format_ARGB32_Premultiplied)
    values = shapely.area(geoms) * np.random.default_rng(1).random(len(geoms))
    colours = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
    legend = [LegendEntry(f"class {i + 1}", c) for i, c in enumerate(colours)]
    start = time.perf_counter()
    canvas.set_layer(layer)
    breaks = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
    classes = np.searchsorted(breaks, values, side="right")
    canvas.set_classes(classes, colours, "Synthetic", legend)
    first_paint = paint_once(canvas, image)
    first = time.perf_counter() - start

    pans = []
    for i in range(15):
        canvas.pan_pixels(120 if i % 2 == 0 else -120, 0)
        pans.append(paint_once(canvas, image))
    far = []
    assert canvas.choropleth is not None
    for i in range(6):  # as when a pan leaves the cached picture: paths reused, fills redrawn
        canvas.pan_pixels(120 if i % 2 == 0 else -120, 0)
        canvas.choropleth.invalidate_picture()
        far.append(paint_once(canvas, image))
    canvas.zoom_by(8.0)
    paint_once(canvas, image)  # builds the culled region at the finer level
    zoomed = []
    for i in range(15):
        canvas.pan_pixels(120 if i % 2 == 0 else -120, 0)
        zoomed.append(paint_once(canvas, image))
    canvas.close()

    # The same layer and classes drawn headless, at the canvas's size, then as the workbook's
    # page.
    counts = np.bincount(classes, minlength=len(colours))
    scene = MapScene(
        layer=layer,
        row_classes=classes,
        classes=tuple(
            ClassFill(c, e.label, int(k)) for c, e, k in zip(colours, legend, counts, strict=True)
        ),
        legend=Legend("Synthetic", tuple(legend)),
        title=f"Synthetic layer of {n:,} polygons",
    )

    def headless() -> None:
        draw_screen(RasterSurface(1400, 900), scene, MapStyle())

    export_first = timed(headless)
    export_again = statistics.median(timed(headless) for _ in range(3))
    page = timed(lambda: scene_to_png(scene, 1600, 1100))
    return {
        "polygons": float(n),
        "vertices": float(layer.vertex_count),
        "prepare_s": prepare,
        "first_draw_s": first,
        "first_paint_s": first_paint,
        "redraw_pan_ms": statistics.median(pans) * 1000,
        "zoomed_pan_ms": statistics.median(zoomed) * 1000,
        "repaint_ms": statistics.median(far) * 1000,
        "export_first_s": export_first,
        "export_redraw_s": export_again,
        "page_png_s": page,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 240_000])
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"{'':>20} {'canvas':^46} {'headless picture, same view':^33} {'export/canvas':^15}")
    print(
        f"{'polygons':>9} {'prepare':>9} {'first draw':>11} {'redraw':>9} {'repaint':>9}"
        f" {'zoomed pan':>11} {'first':>9} {'redraw':>9} {'workbook PNG':>13}"
        f" {'first':>7} {'redraw':>7}"
    )
    for n in args.sizes:
        r = run(n)
        print(
            f"{int(r['polygons']):>9,} {r['prepare_s']:>8.2f}s"
            f" {r['first_draw_s']:>10.3f}s {r['redraw_pan_ms']:>7.1f}ms {r['repaint_ms']:>7.1f}ms"
            f" {r['zoomed_pan_ms']:>9.1f}ms"
            f" {r['export_first_s']:>8.3f}s {r['export_redraw_s']:>8.3f}s {r['page_png_s']:>12.3f}s"
            f" {r['export_first_s'] / r['first_draw_s']:>6.1f}x"
            f" {r['export_redraw_s'] * 1000 / r['repaint_ms']:>6.1f}x"
        )
        print(f"{'':>9} {int(r['vertices']):,} vertices")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
