"""Benchmark of routed access on Porto Alegre, with the sketch model side by side (prints figures).

Data: ``../shared/data/porto-alegre`` (OSM extract, EPTC bus and Trensurb rail GTFS, 1,227 H3
cells with population, jobs, schools and health care). Every cell is an origin and a
destination. Steps, each timed (wall and process CPU, which includes the engine's threads):

1. read and prepare both feeds for 2019-05-13 (interpolation, ids, ...);
2. build the engine's network (3 builds: min / median / max);
3. route all 1,227 cells to all 1,227 over the window (default 07:00-09:00 every 5 minutes:
   25 departures) and take the 25th, 50th and 75th percentiles;
4. the whole routed assessment, before and after removing Trensurb's LINHA1: baseline, the
   rebuilt baseline (noise floor) and the modified network routed, and the measures (jobs
   within 30 and 45 minutes, minutes to the nearest school and health facility, E2SFCA);
5. the same measures with the straight-line sketch model (walking only, as the sketch has no
   baseline network, and a schematic LINHA1 removed).

Peak memory is the process's maximum resident set (``resource.getrusage``). Targets on the
2-core machine: the whole routed assessment (before and after) under 60 s and 2 GB.

Usage: RAYON_NUM_THREADS=2 python benchmarks/bench_routing.py [--window 07:00 09:00]
       [--step 5] [--builds 3] [--no-noise-floor]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from equityplanner.analysis import access as acc
from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.routing.network import RoutedNetwork
from equityplanner.analysis.routing.scenario import apply_projects
from equityplanner.analysis.travel_time import StraightLineModel, TransitLine
from equityplanner.model.network import NetworkSource
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject
from equityplanner.model.travel_model import TravelModelParameters

POA = Path(__file__).resolve().parents[2] / "shared" / "data" / "porto-alegre"
LOCAL = CRS.from_epsg(31982)  # SIRGAS 2000 / UTM zone 22S


class Clock:
    """Wall and CPU seconds of a block."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s wall, {self.cpu:6.2f} s CPU"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measures(times: np.ndarray, cells: pd.DataFrame) -> dict[str, float]:
    """Population-weighted means of the access measures from a cells x cells matrix."""
    pop = cells["population"].to_numpy(float)
    jobs = acc.cumulative_opportunities(times, cells["jobs"].to_numpy(float), [30.0, 45.0])
    out = {"jobs_30min": jobs[:, 0], "jobs_45min": jobs[:, 1]}
    for key in ("schools", "healthcare"):
        out[f"{key}_time"] = acc.nearest_time(times, cells[key].to_numpy(float))
    bands = {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}
    out["health_e2sfca"] = (
        acc.two_step_fca(pop, cells["healthcare"].to_numpy(float), times, 30.0, bands).access * 1000
    )
    return {
        k: float(np.average(np.where(np.isfinite(v), v, 0), weights=pop * np.isfinite(v)))
        for k, v in out.items()
    }


def linha1_removal(network: RoutedNetwork) -> TransitProject:
    feed = next(f for f in network.feeds if "trensurb" in f.source.name)
    trips = feed.trips.loc[feed.trips["route_id"].eq(f"{feed.prefix}:LINHA1"), "trip_id"]
    stops = feed.stop_times.loc[feed.stop_times["trip_id"].eq(trips.iloc[0]), "stop_id"]
    at = feed.stops.set_index("stop_id").loc[stops]
    return TransitProject(
        "no-linha1",
        "LINHA1 closed",
        Mode.RAIL,
        ServiceChange.REMOVAL,
        tuple(
            Station(str(n), shapely.Point(x, y))
            for n, x, y in zip(at.stop_name, at.stop_lon, at.stop_lat, strict=True)
        ),
        gtfs_routes=("LINHA1",),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window", nargs=2, default=["07:00", "09:00"])
    ap.add_argument("--step", type=int, default=5)
    ap.add_argument("--builds", type=int, default=3)
    ap.add_argument("--no-noise-floor", action="store_true")
    args = ap.parse_args()
    threads = os.environ.get("RAYON_NUM_THREADS", "all cores")
    print(
        f"Porto Alegre, window {args.window[0]}-{args.window[1]} every {args.step} min; "
        f"engine threads: {threads}; load average {os.getloadavg()[0]:.2f}"
    )
    cells = pd.read_csv(POA / "poa_hexgrid.csv").fillna(0)
    points = cells[["lon", "lat"]].to_numpy()
    settings = NetworkSource(
        str(POA / "poa_osm.pbf"),
        (str(POA / "poa_eptc.zip"), str(POA / "poa_trensurb.zip")),
        "2019-05-13",
        window=(args.window[0], args.window[1]),
        step_min=args.step,
        noise_floor=not args.no_noise_floor,
    )
    with Clock() as prep:
        network = RoutedNetwork.load(settings)
    print(f"1. read + prepare feeds:        {prep}")
    for feed in network.feeds:
        print(f"     {feed.report.describe()}")

    builds = []
    for _ in range(args.builds):
        with Clock() as build:
            provider = network.travel_times()
        builds.append(build)
    walls = [b.wall for b in builds]
    cpus = [b.cpu for b in builds]
    print(
        f"2. build (x{args.builds}):                  wall {min(walls):.2f} / "
        f"{statistics.median(walls):.2f} / {max(walls):.2f} s, CPU {min(cpus):.2f} / "
        f"{statistics.median(cpus):.2f} / {max(cpus):.2f} s (min / median / max)"
    )

    with Clock() as route:
        window = provider.route(points)
    p50 = window.minutes(50)
    reach = np.isfinite(p50)
    both = reach & np.isfinite(window.minutes(75))
    spread = (window.minutes(75) - np.where(both, window.minutes(25), 0))[both]
    print(
        f"3. route {len(points):,} x {len(points):,} over {window.departures} departures: {route}; "
        f"{reach.mean():.1%} of pairs reachable within {settings.cutoff_min:g} min, median "
        f"p50 {np.median(p50[reach]):.1f} min, median p75-p25 "
        f"{np.median(spread):.1f} min; "
        f"peak memory so far {peak_mb():,.0f} MB"
    )

    with Clock() as whole:
        before = measures(window.minutes(50), cells)
        rebuilt = None
        if settings.noise_floor:
            rebuilt = measures(network.travel_times().route(points).minutes(50), cells)
        feeds = apply_projects(network.feeds, [linha1_removal(network)], TravelModelParameters())
        after = measures(network.travel_times(feeds).route(points).minutes(50), cells)
    total_wall = prep.wall + builds[0].wall + route.wall + whole.wall
    total_cpu = prep.cpu + builds[0].cpu + route.cpu + whole.cpu
    print(
        f"4. rest of the assessment (noise floor {'on' if rebuilt else 'off'}, after, measures): {whole}"
    )
    print(
        f"   whole routed assessment, before and after: {total_wall:.1f} s wall, "
        f"{total_cpu:.1f} s CPU, peak memory {peak_mb():,.0f} MB"
    )
    for key in before:
        noise = f", noise {abs(rebuilt[key] - before[key]):.3g}" if rebuilt else ""
        print(f"     {key:14s} {before[key]:12,.2f} -> {after[key]:12,.2f}{noise}")

    with Clock() as sketch:
        xy = shapely.get_coordinates(to_crs(shapely.points(points), CRS.from_epsg(4326), LOCAL))
        project = linha1_removal(network)
        line = TransitLine.from_project(
            TransitProject(**{**project.__dict__, "peak_headway_min": 10.0}), LOCAL
        )
        s_before = StraightLineModel([line], crs=LOCAL)
        s_after = s_before.with_lines([])
        s_m = [measures(m.times_minutes(xy, xy), cells) for m in (s_before, s_after)]
    print(f"5. sketch model, same measures before and after: {sketch}")
    for key in s_m[0]:
        print(f"     {key:14s} {s_m[0][key]:12,.2f} -> {s_m[1][key]:12,.2f}")
    print(
        f"   routed / sketch: {total_wall / sketch.wall:.0f}x wall, {total_cpu / sketch.cpu:.0f}x CPU; "
        f"final peak memory {peak_mb():,.0f} MB"
    )


if __name__ == "__main__":
    main()
