"""Benchmark of cumulative-opportunity access (prints figures; not a test).

Jobs within 30 and 45 minutes, before (walking only) and after a new 30-station BRT line, with
the straight-line travel model, for 240,000 synthetic origin neighbourhood centroids and 100,000
job locations. Two layouts:

* ``metro`` (default): every origin and job in one metropolitan area about 75 km across,
  origins on a jittered ~150 m lattice (block-like density), jobs clustered in a downtown,
  four sub-centres and along the line: the demanding case (about 10^8 walking pairs at 45 min).
* ``region``: origins on a 0.01° grid over 6° x 4° (as ``bench_core.py``), jobs clustered in
  the metro around the line and in four other towns.

Reports the wall and CPU time of :func:`equityplanner.analysis.access.jobs_within` (projection,
walking pairs, transit catchments, both networks), the peak memory of the process
(``resource.getrusage``), and the aggregated path's difference from the exact one on a sample
of origins near the line.

Targets (2-core machine): under 10 s and under 4 GB for either layout.

Usage: python benchmarks/bench_access.py [--layout metro|region] [--origins 240000]
       [--jobs 100000] [--check 2000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import geopandas as gpd
import numpy as np
import shapely

from equityplanner.analysis.access import jobs_within
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.analysis.travel_time import StraightLineModel, TransitLine
from equityplanner.io.opportunities import OpportunityKind, OpportunityLayer

CENTRE = (-90.0, 38.0)
KM_LON = 1 / 87.8  # degrees of longitude per km at 38° N
KM_LAT = 1 / 111.0


def metro_origins(count: int, rng: np.random.Generator) -> np.ndarray:
    """Lon/lat on a jittered square lattice about 150 m apart, centred on the metro."""
    side = int(np.ceil(np.sqrt(count)))
    spacing_km = 0.15
    i = np.arange(count)
    x = (i % side - side / 2) * spacing_km + rng.uniform(-0.05, 0.05, count)
    y = (i // side - side / 2) * spacing_km + rng.uniform(-0.05, 0.05, count)
    return np.column_stack([CENTRE[0] + x * KM_LON, CENTRE[1] + y * KM_LAT])


def region_origins(count: int) -> np.ndarray:
    """Cell centroids of a 0.01° grid of 3:2 aspect around the centre (as bench_core)."""
    ncols = int(np.ceil(np.sqrt(count * 1.5)))
    nrows = int(np.ceil(count / ncols))
    i = np.arange(count)
    lon = CENTRE[0] - ncols * 0.01 / 2 + (i % ncols + 0.5) * 0.01
    lat = CENTRE[1] - nrows * 0.01 / 2 + (i // ncols + 0.5) * 0.01
    return np.column_stack([lon, lat])


def job_points(count: int, layout: str, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat and jobs of ``count`` workplaces (lognormal sizes, mean about 20)."""
    if layout == "metro":
        centres = [
            (0, 0, 3.0, 0.30),
            (-12, 8, 2.5, 0.10),
            (14, -6, 2.5, 0.10),
            (6, 15, 2.0, 0.07),
            (-9, -13, 2.0, 0.07),
        ]
        corridor_share = 0.20
        extent_km = 36.0
    else:
        centres = [
            (0, 0, 4.0, 0.45),
            (-180, 120, 3.0, 0.08),
            (150, -90, 3.0, 0.08),
            (60, 170, 2.5, 0.06),
            (-120, -150, 2.5, 0.06),
        ]
        corridor_share = 0.20
        extent_km = 250.0
    pieces = []
    for cx, cy, sd, share in centres:
        n = int(count * share)
        pieces.append(rng.normal((cx, cy), sd, size=(n, 2)))
    n_corridor = int(count * corridor_share)
    along = rng.uniform(-13.0, 13.0, n_corridor)
    pieces.append(np.column_stack([along, rng.normal(0.0, 0.6, n_corridor)]))
    n_rest = count - sum(len(p) for p in pieces)
    pieces.append(rng.uniform(-extent_km, extent_km, size=(n_rest, 2)))  # the rest, spread out
    km = np.concatenate(pieces)[:count]
    lonlat = np.column_stack([CENTRE[0] + km[:, 0] * KM_LON, CENTRE[1] + km[:, 1] * KM_LAT])
    jobs = np.maximum(1.0, np.round(rng.lognormal(np.log(8.0), 1.3, count)))
    return lonlat, jobs


def brt_line(crs, stations: int = 30) -> TransitLine:
    """The bench_core line: 30 stations 0.01° (about 880 m) apart, east-west through the centre."""
    lon = CENTRE[0] - 0.145 + np.arange(stations) * 0.01
    lat = CENTRE[1] + 0.002 * np.sin(np.arange(stations))
    points = gpd.GeoSeries(shapely.points(lon, lat), crs=4326).to_crs(crs)
    xy = shapely.get_coordinates(points.to_numpy())
    return TransitLine("bench-brt", "Benchmark BRT", "brt", xy, headway_min=10.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=("metro", "region"), default="metro")
    parser.add_argument("--origins", type=int, default=240_000)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument(
        "--check", type=int, default=2_000, help="origins compared with the exact path"
    )
    args = parser.parse_args()
    rng = np.random.default_rng(20261127)

    origins_lonlat = (
        metro_origins(args.origins, rng) if args.layout == "metro" else region_origins(args.origins)
    )
    jobs_lonlat, jobs = job_points(args.jobs, args.layout, rng)
    origins = gpd.GeoSeries(shapely.points(origins_lonlat), crs=4326)
    layer = OpportunityLayer(
        kind=OpportunityKind.JOBS,
        frame=gpd.GeoDataFrame(
            {"id": np.arange(args.jobs).astype(str), "name": "", "capacity": jobs},
            geometry=shapely.points(jobs_lonlat),
            crs=4326,
        ),
        crs=gpd.GeoSeries([], crs=4326).crs,
        capacity_field="jobs",
    )
    crs = local_projected_crs((CENTRE[0] - 0.2, CENTRE[1] - 0.2, CENTRE[0] + 0.2, CENTRE[1] + 0.2))
    line = brt_line(crs)
    model = StraightLineModel([], crs=crs)

    start, cpu_start = time.perf_counter(), time.process_time()
    table = jobs_within(origins, layer, model, [line], thresholds=(30, 45))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux

    gained = table["jobs_45min_change"] > 0
    print(
        f"layout {args.layout}: {args.origins:,} origins, {args.jobs:,} job locations "
        f"({jobs.sum():,.0f} jobs), {len(line.stations_xy)}-station BRT every "
        f"{line.headway_min:g} min"
    )
    print(
        f"jobs within 30 and 45 min, before and after: {elapsed:.2f} s wall ({cpu:.2f} s CPU), "
        f"peak memory {peak_mb:,.0f} MB (targets < 10 s, < 4,096 MB)"
    )
    print(
        f"mean jobs within 45 min: before {table['jobs_45min_before'].mean():,.0f}, after "
        f"{table['jobs_45min_after'].mean():,.0f}; {int(gained.sum()):,} origins gain, "
        f"by {table.loc[gained, 'jobs_45min_change'].mean():,.0f} jobs on average"
    )

    if args.check:
        # Exact path on origins that gain access (where the approximation can matter).
        candidates = np.flatnonzero(gained.to_numpy())
        if len(candidates) == 0:
            candidates = np.arange(args.origins)
        sample = np.sort(
            rng.choice(candidates, size=min(args.check, len(candidates)), replace=False)
        )
        start = time.perf_counter()
        exact = jobs_within(
            origins.iloc[sample], layer, model, [line], thresholds=(30, 45), method="exact"
        )
        exact_s = time.perf_counter() - start
        for column in ("jobs_30min_after", "jobs_45min_after"):
            approx = table[column].to_numpy()[sample]
            truth = exact[column].to_numpy()
            gap = truth - approx
            print(
                f"{column}: aggregated vs exact on {len(sample):,} gaining origins: mean "
                f"{gap.mean():,.1f} jobs below ({gap.sum() / truth.sum():.3%}), "
                f"max {gap.max():,.0f}, "
                f"never above: {bool((gap >= -1e-6).all())} (exact path {exact_s:.1f} s)"
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
