"""Time the Excel workbook and the map for a synthetic city of 2,000 neighbourhoods.

Run:  .venv/bin/python benchmarks/bench_workbook.py [--rows 40 --cols 50] [--keep out.xlsx]

A grid of 300 m squares (UTM 16N) with random ACS-like counts and one proposed rail line of
12 stations across it. Prints the time to assess (for context), to render one map alone, to
lay out and save the workbook with a ready map, and to write the whole workbook (its two
maps, minority and low-income share, included: the second is drawn on a thread while the
sheets are laid out), which is what ``equityplanner assess --xlsx`` pays. Target: workbook
under 3 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point, box

from equityplanner.analysis.assess import assess_projects
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.model.project import Metadata, Mode, ServiceChange, Station, TransitProject

ORIGIN = (500_000.0, 3_700_000.0)
SIDE_M = 300.0


def synthetic_city(folder: Path, rows: int, cols: int, seed: int = 7) -> Path:
    """A GeoPackage of rows x cols squares with random, internally consistent counts."""
    rng = np.random.default_rng(seed)
    n = rows * cols
    x0, y0 = ORIGIN
    r, c = np.divmod(np.arange(n), cols)
    geometry = [
        box(x0 + j * SIDE_M, y0 + i * SIDE_M, x0 + (j + 1) * SIDE_M, y0 + (i + 1) * SIDE_M)
        for i, j in zip(r, c, strict=True)
    ]
    population = rng.integers(200, 3000, n)
    white_share = np.clip(rng.beta(2, 2, n) * (0.3 + 0.7 * c / cols), 0, 1)
    poverty_rate = np.clip(rng.beta(2, 6, n) * (1.4 - c / cols), 0, 0.9)
    households = (population / rng.uniform(2.0, 3.0, n)).astype(int)
    frame = gpd.GeoDataFrame(
        {
            "GEOID": [f"01073{i:06d}" for i in range(n)],
            "NAME": [f"Block {i // cols + 1}-{i % cols + 1}" for i in range(n)],
            "total_population": population,
            "nh_white": (population * white_share).astype(int),
            "hispanic": (population * (1 - white_share) * 0.1).astype(int),
            "nh_black": (population * (1 - white_share) * 0.8).astype(int),
            "poverty_universe": population,
            "below_poverty": (population * poverty_rate).astype(int),
            "below_200_poverty": (population * np.clip(poverty_rate * 1.8, 0, 1)).astype(int),
            "households": households,
            "renter_households": (households * rng.uniform(0.2, 0.8, n)).astype(int),
            "zero_vehicle_households": (households * rng.uniform(0.0, 0.3, n)).astype(int),
            "limited_english_households": (households * rng.uniform(0.0, 0.05, n)).astype(int),
            "under_18": (population * rng.uniform(0.15, 0.3, n)).astype(int),
            "age_65_plus": (population * rng.uniform(0.08, 0.25, n)).astype(int),
            "median_household_income": (
                90_000 * (1.1 - poverty_rate) * rng.uniform(0.7, 1.3, n)
            ).round(),
        },
        geometry=geometry,
        crs="EPSG:32616",
    )
    frame["rent_burdened_households"] = (
        frame["renter_households"] * rng.uniform(0.3, 0.6, n)
    ).astype(int)
    path = folder / "city.gpkg"
    frame.to_file(path, engine="pyogrio")
    return path


def rail_line(rows: int, cols: int) -> TransitProject:
    """A new rail line of 12 stations running diagonally across the grid."""
    to_lonlat = Transformer.from_crs(32616, 4326, always_xy=True)
    x0, y0 = ORIGIN
    xs = np.linspace(x0 + 0.1 * cols * SIDE_M, x0 + 0.9 * cols * SIDE_M, 12)
    ys = np.linspace(y0 + 0.2 * rows * SIDE_M, y0 + 0.8 * rows * SIDE_M, 12)
    points = [to_lonlat.transform(x, y) for x, y in zip(xs, ys, strict=True)]
    stations = tuple(Station(f"Station {i + 1}", Point(p)) for i, p in enumerate(points))
    return TransitProject(
        "line",
        "Crosstown rail",
        Mode.RAIL,
        ServiceChange.NEW,
        stations,
        alignment=LineString(points),
    )


def timed(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per measurement (median reported)"
    )
    parser.add_argument("--keep", type=Path, help="also save the workbook here")
    args = parser.parse_args(argv)

    from equityplanner.render.map_image import render_map_png
    from equityplanner.report.workbook import build_workbook, write_workbook
    from equityplanner.report.writer import save_workbook

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        neighbourhoods = read_neighbourhoods(synthetic_city(folder, args.rows, args.cols))
        n = len(neighbourhoods.frame)
        assess_s, assessment = timed(
            lambda: assess_projects(
                neighbourhoods,
                [rail_line(args.rows, args.cols)],
                metadata=Metadata(title=f"Benchmark city, {n:,} neighbourhoods"),
                vintage="synthetic benchmark data",
            ),
            1,
        )
        render_map_png(assessment)  # warm-up: fonts load once per process
        map_s, png = timed(lambda: render_map_png(assessment), args.repeat)
        layout_s, spec = timed(lambda: build_workbook(assessment, map_png=png), args.repeat)
        save_s, _ = timed(lambda: save_workbook(spec, folder / "layout_only.xlsx"), args.repeat)
        total_s, path = timed(
            lambda: write_workbook(assessment, folder / "bench.xlsx"), args.repeat
        )
        cells = sum(len(sheet.cells) for sheet in spec.sheets)
        formulas = sum(1 for sheet in spec.sheets for _ in sheet.formula_cells())
        size_mb = Path(path).stat().st_size / 1e6
        if args.keep:
            args.keep.write_bytes(Path(path).read_bytes())
    print(f"neighbourhoods            {n:>8,}")
    print(f"cells / formulas          {cells:>8,} / {formulas:,}")
    print(f"assess (context)          {assess_s:8.2f} s")
    print(f"one map render alone      {map_s:8.2f} s   ({len(png) / 1e3:,.0f} kB PNG, 1600 x 1100)")
    print(f"workbook layout           {layout_s:8.2f} s")
    print(f"workbook save (openpyxl)  {save_s:8.2f} s")
    print(
        f"write_workbook, all in    {total_s:8.2f} s   ({size_mb:.1f} MB, two maps; target < 3 s)"
    )
    return 0 if total_s < 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
