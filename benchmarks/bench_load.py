"""Benchmark of loading neighbourhoods against the floor of reading them (prints; not a test).

Generates the synthetic national-scale layer of ``bench_core.py`` (240,000 square polygons
with ACS-like columns and margins) in a temporary folder, then times, interleaved over
several rounds in one process:

* the floor: pyogrio reading the same file through its Arrow path
  (``pyogrio.read_dataframe(..., use_arrow=True)``), nothing else;
* ours: :func:`equityplanner.io.neighbourhoods.read_neighbourhoods` on the same file (read,
  ids checked and normalised, geometries checked, columns mapped, values parsed and checked).

Times are CPU seconds of this process (``time.process_time``), min / median / max over the
rounds, and the ratio ours / floor of each statistic. Target (issue 14): ours under 1.5x the
floor. Two parts of ours that the floor does not do are timed alone for reference: GEOS's
validity check of every polygon (``shapely.is_valid``) and the file's SHA-256.

Usage: python benchmarks/bench_load.py [--cells 240000] [--rounds 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import make_layer

from equityplanner.io.hashing import sha256_file
from equityplanner.io.neighbourhoods import read_neighbourhoods


def cpu_seconds(task: Callable[[], object]) -> float:
    gc.collect()
    start = time.process_time()
    task()
    return time.process_time() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=240_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated layer in")
    args = parser.parse_args()
    rounds = max(3, args.rounds)
    with tempfile.TemporaryDirectory(prefix="eqp_bench_load_") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"layer_{args.cells}.gpkg"
        if not path.exists():
            t = time.perf_counter()
            make_layer(args.cells).to_file(path, engine="pyogrio", layer="cells")
            print(f"generated {args.cells:,} polygons in {time.perf_counter() - t:.1f} s")

        def floor() -> object:
            return pyogrio.read_dataframe(path, use_arrow=True)

        def ours() -> object:
            return read_neighbourhoods(path)

        geometry = np.asarray(floor().geometry.array)

        def validity() -> object:  # part of ours: GEOS's check of every polygon
            return shapely.is_valid(geometry)

        def digest() -> object:  # part of ours: the file's SHA-256 for the audit trail
            return sha256_file(path)

        # One untimed call of each: imports, GDAL's and the file's caches.
        floor()
        ours()
        timings: dict[str, list[float]] = {
            "floor (pyogrio Arrow read)": [],
            "ours": [],
            "  of which: validity check": [],
            "  of which: SHA-256": [],
        }
        for _ in range(rounds):
            timings["floor (pyogrio Arrow read)"].append(cpu_seconds(floor))
            timings["ours"].append(cpu_seconds(ours))
            timings["  of which: validity check"].append(cpu_seconds(validity))
            timings["  of which: SHA-256"].append(cpu_seconds(digest))

    print(f"\n== {args.cells:,} polygons, {rounds} interleaved rounds, CPU seconds")
    print(f"{'':28} {'min':>7} {'median':>7} {'max':>7}")
    stats = {}
    for name, values in timings.items():
        stats[name] = (min(values), statistics.median(values), max(values))
        low, mid, high = stats[name]
        print(f"{name:28} {low:7.3f} {mid:7.3f} {high:7.3f}")
    base, mine = stats["floor (pyogrio Arrow read)"], stats["ours"]
    ratio = [m / b for m, b in zip(mine, base, strict=True)]
    print(f"{'ratio ours / floor':28} {ratio[0]:7.2f} {ratio[1]:7.2f} {ratio[2]:7.2f}")
    print(f"target: under 1.5 ({'met' if ratio[1] < 1.5 else 'NOT met'} at the median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
