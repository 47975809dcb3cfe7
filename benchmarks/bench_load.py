"""Benchmark of loading neighbourhoods against the floor of reading them (prints; not a test).

Generates the synthetic national-scale layer of ``bench_core.py`` (240,000 square polygons
with ACS-like columns and margins) in a temporary folder, then compares, interleaved over
``--rounds`` rounds in one process (CPU time, min / median / max, and each one's ratio to the
floor's):

* the floor: pyogrio reading the same file through its Arrow path
  (``pyogrio.read_dataframe(..., use_arrow=True)``), nothing else;
* ours, as ``equityplanner assess`` reads:
  :func:`~equityplanner.io.neighbourhoods.read_neighbourhoods` with ``defer_validity=True``
  (read, ids checked and normalised, geometries checked, columns mapped, values parsed and
  checked, the file's SHA-256 for the audit trail; GEOS's validity check left to the
  polygons a catchment touches, when it touches them);
* ours with every polygon's validity checked now (``validate``, the app and the default of
  the Python API);
* two parts of ours that the floor does not do, alone: GEOS's validity check of every polygon
  (``shapely.is_valid``) and the file's SHA-256.

Target (issue 14.1): ours, as ``assess`` reads, under 1.5x the floor.

Usage: python benchmarks/bench_load.py [--cells 240000] [--rounds 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_core import make_layer
from comparing import closing_note, interleaved, show

from equityplanner.io.hashing import sha256_file
from equityplanner.io.neighbourhoods import read_neighbourhoods

FLOOR = "floor: pyogrio Arrow read"
OURS = "ours, as assess reads"
EAGER = "ours, every polygon checked"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=240_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated layer in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eqp_bench_load_") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"layer_{args.cells}.gpkg"
        if not path.exists():
            t = time.perf_counter()
            make_layer(args.cells).to_file(path, engine="pyogrio", layer="cells")
            print(f"generated {args.cells:,} polygons in {time.perf_counter() - t:.1f} s")
        geometry = np.asarray(pyogrio.read_dataframe(path, use_arrow=True).geometry.array)
        times = interleaved(
            {
                FLOOR: lambda: pyogrio.read_dataframe(path, use_arrow=True),
                OURS: lambda: read_neighbourhoods(path, defer_validity=True),
                EAGER: lambda: read_neighbourhoods(path),
                "part: validity check": lambda: shapely.is_valid(geometry),
                "part: SHA-256": lambda: sha256_file(path),
            },
            args.rounds,
        )
    print(f"\n== loading {args.cells:,} polygons, {max(3, args.rounds)} interleaved rounds, CPU")
    show(times, FLOOR)
    closing_note(
        [
            ("loading, as assess reads / pyogrio floor", times[OURS], times[FLOOR], 1.5),
            ("loading, every polygon checked / pyogrio floor", times[EAGER], times[FLOOR], None),
        ]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
