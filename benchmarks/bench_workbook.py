"""Benchmark of the Excel workbook against the floor of writing its values (prints; not a test).

A synthetic city of 2,000 neighbourhoods (a grid of 300 m squares in UTM 16N with random
ACS-like counts) and one proposed rail line of 12 stations across it is assessed once; then,
interleaved over ``--rounds`` rounds in one process, CPU time (``time.process_time``, every
thread counted: the second map is drawn on a thread) as min / median / max and each one's
ratio to the floor's:

* the floor: openpyxl's write-only mode writing the same cells' values (the formulas as
  formulas, the text as text) with nothing else: no styles, number formats, merged cells,
  tables, conditional formats, charts, pictures, comments, names or print settings. It is the
  least any openpyxl workbook holding these cells costs, so ``ours / floor`` is what the
  formats, charts, pictures and the layout add. (Its rows are prepared before it is timed.)
* a lower reference: the same values written as CSV text (Python's csv module), the cost of
  the values alone in any text format;
* ours, saving a laid-out workbook (:func:`~equityplanner.report.writer.save_workbook`, the
  maps already drawn);
* ours, all in (:func:`~equityplanner.report.workbook.write_workbook`: layout, the two maps,
  saving), what ``equityplanner assess --xlsx`` pays; and one map drawn alone, as a part.

Target (issue 14.5): the workbook of 2,000 neighbourhoods under 2 s CPU, all in.

Then the peak memory of the 240,000-polygon workbook (issue 12.3: within 2 GB): a fresh
process runs ``equityplanner assess --neighbourhoods <layer> --projects <line> --xlsx``
on ``bench_core.py``'s national layer, beside fresh processes that only read the layer
(pyogrio, the floor) and that assess it without writing anything. Its Neighbourhoods sheet is
paged (those touching a catchment listed, the others summed) and the full table written as a
CSV beside it.

Usage: python benchmarks/bench_workbook.py [--rows 40 --cols 50] [--rounds 5]
       [--big 240000 (0: skip)] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import geopandas as gpd
import numpy as np
from comparing import closing_note, interleaved, peak_memory, show
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


def floor_rows(spec) -> list[tuple[str, list[list[object]]]]:
    """Each sheet's cells as rows of plain values (formulas as their text), for the floors."""
    from equityplanner.report.layout import Formula, clean_number, clean_text

    sheets = []
    for sheet in spec.sheets:
        width = max((c for _, c in sheet.cells), default=0)
        rows: list[list[object]] = [[None] * width for _ in range(sheet.max_row)]
        for (r, c), cell in sheet.cells.items():
            value = cell.value
            if isinstance(value, Formula):
                value = value.text
            elif isinstance(value, str):
                value = clean_text(value)
            elif not isinstance(value, bool) and value is not None:
                value = clean_number(value)
            rows[r - 1][c - 1] = value
        sheets.append((sheet.name, rows))
    return sheets


def floor_openpyxl(sheets, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in sheets:
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    book.save(path)


def floor_csv(sheets, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for _, rows in sheets:
            writer.writerows(rows)


def big_workbook(cells: int, folder: Path) -> None:
    """Peak memory of the national layer's workbook, in fresh processes."""
    from bench_core import brt_line, make_layer

    from equityplanner.io.projects import projects_to_features

    layer = folder / f"layer_{cells}.gpkg"
    if not layer.exists():
        make_layer(cells).to_file(layer, engine="pyogrio", layer="cells")
    line = folder / "brt.geojson"
    line.write_text(json.dumps(projects_to_features([brt_line()])), encoding="utf-8")
    out = folder / f"national_{cells}.xlsx"
    runs = {
        "floor: read the layer (pyogrio Arrow)": (
            f"import pyogrio\npyogrio.read_dataframe({str(layer)!r}, use_arrow=True)"
        ),
        "ours: assess, no output": (
            "from equityplanner.cli import main\n"
            f"assert main(['assess', '--neighbourhoods', {str(layer)!r}, '--projects', "
            f"{str(line)!r}, '--quiet']) == 0"
        ),
        "ours: assess --xlsx": (
            "from equityplanner.cli import main\n"
            f"assert main(['assess', '--neighbourhoods', {str(layer)!r}, '--projects', "
            f"{str(line)!r}, '--xlsx', {str(out)!r}, '--quiet']) == 0"
        ),
    }
    print(f"\n== the {cells:,}-polygon workbook: peak memory of fresh processes")
    found = {name: peak_memory(code) for name, code in runs.items()}
    base = found["floor: read the layer (pyogrio Arrow)"]["peak_mb"]
    for name, usage in found.items():
        print(
            f"  {name:<40} peak {usage['peak_mb']:8,.0f} MB ({usage['peak_mb'] / base:5.2f}x the "
            f"floor's)   CPU {usage['cpu_s']:6.1f} s"
        )
    table = out.with_name(f"{out.stem}.neighbourhoods.csv")
    peak = found["ours: assess --xlsx"]["peak_mb"]
    print(
        f"  workbook {out.stat().st_size / 1e6:.1f} MB, full table {table.stat().st_size / 1e6:.1f}"
        f" MB beside it; target: within 2 GB: {'met' if peak < 2048 else 'NOT met'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big", type=int, default=240_000, help="national layer (0: skip)")
    parser.add_argument("--keep", type=Path, help="folder to keep the layers and workbooks in")
    args = parser.parse_args(argv)

    from equityplanner.render.map_image import render_map_png
    from equityplanner.report.workbook import build_workbook, write_workbook
    from equityplanner.report.writer import save_workbook

    with tempfile.TemporaryDirectory(prefix="eqp_bench_wb_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        neighbourhoods = read_neighbourhoods(synthetic_city(folder, args.rows, args.cols))
        n = len(neighbourhoods.frame)
        assessment = assess_projects(
            neighbourhoods,
            [rail_line(args.rows, args.cols)],
            metadata=Metadata(title=f"Benchmark city, {n:,} neighbourhoods"),
            vintage="synthetic benchmark data",
        )
        png = render_map_png(assessment)  # fonts load once per process
        spec = build_workbook(assessment, map_png=png)
        sheets = floor_rows(spec)
        times = interleaved(
            {
                FLOOR: lambda: floor_openpyxl(sheets, folder / "floor.xlsx"),
                "lower reference: CSV of the values": lambda: floor_csv(sheets, folder / "v.csv"),
                "ours: save (laid out, maps drawn)": lambda: save_workbook(
                    spec, folder / "saved.xlsx"
                ),
                ALL_IN: lambda: write_workbook(assessment, folder / "bench.xlsx"),
                "part: one map drawn": lambda: render_map_png(assessment),
            },
            args.rounds,
        )
        cells = sum(len(sheet.cells) for sheet in spec.sheets)
        formulas = sum(1 for sheet in spec.sheets for _ in sheet.formula_cells())
        size = (folder / "bench.xlsx").stat().st_size / 1e6
        floor_size = (folder / "floor.xlsx").stat().st_size / 1e6
        print(
            f"\n== workbook of {n:,} neighbourhoods: {cells:,} cells ({formulas:,} formulas), "
            f"{size:.1f} MB (the floor's {floor_size:.1f} MB); {max(3, args.rounds)} "
            "interleaved rounds, CPU"
        )
        show(times, FLOOR)
        low, mid, high = times[ALL_IN].stats
        print(
            f"  all in: {mid:.2f} s CPU at the median (min {low:.2f}, max {high:.2f}); "
            f"target under 2 s: {'met' if mid < 2.0 else 'NOT met'}"
        )
        if args.big:
            big_workbook(args.big, folder)
        closing_note(
            [
                ("workbook all in / openpyxl write-only floor", times[ALL_IN], times[FLOOR], None),
                (
                    "saving the laid-out workbook / openpyxl write-only floor",
                    times["ours: save (laid out, maps drawn)"],
                    times[FLOOR],
                    None,
                ),
                (
                    "saving the laid-out workbook / CSV of the values",
                    times["ours: save (laid out, maps drawn)"],
                    times["lower reference: CSV of the values"],
                    None,
                ),
                (
                    "openpyxl write-only floor / CSV of the values",
                    times[FLOOR],
                    times["lower reference: CSV of the values"],
                    None,
                ),
                (
                    "one map drawn (the renderer's part) / openpyxl write-only floor",
                    times["part: one map drawn"],
                    times[FLOOR],
                    None,
                ),
            ]
        )
    return 0


FLOOR = "floor: openpyxl write-only, values"
ALL_IN = "ours: write_workbook, all in"


if __name__ == "__main__":
    sys.exit(main())
