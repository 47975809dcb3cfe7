"""Benchmark of the assessment core (prints figures; not a test).

Generates a national-scale synthetic layer (240,000 square polygons in EPSG:4269, about the
number of US block groups) with ACS-like columns and margins, and a 30-station BRT line, then
reports the load time, the assessment time (catchment, apportionment, indicators), the peak
memory, the sample project's whole assessment time, and (when PySAL tobler is installed:
``pip install -e '.[benchmark]'``) tobler's ``area_interpolate`` on the same inputs.

Targets (2-core machine): assessment < 1 s and < 2 GB peak for 240,000 polygons; the sample
project < 0.5 s; apportionment at least 10x faster than tobler with the same numbers.

Usage: python benchmarks/bench_core.py [--cells 240000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point

from equityplanner.analysis.assess import (
    assess_projects,
    load_baseline,
    load_opportunities,
    load_service_change,
)
from equityplanner.analysis.catchment import catchment_geometry, catchment_shares
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.project_file import load_project
from equityplanner.model.project import Mode, Parameters, ServiceChange, Station, TransitProject

REPO = Path(__file__).resolve().parents[1]
CELL_DEG = 0.01  # about 1 km


def make_layer(cells: int, seed: int = 7) -> gpd.GeoDataFrame:
    """Square cells in a block of 3:2 aspect around (-90, 38), with consistent ACS-like counts."""
    ncols = int(np.ceil(np.sqrt(cells * 1.5)))
    nrows = int(np.ceil(cells / ncols))
    idx = np.arange(cells)
    x0 = -90.0 - ncols * CELL_DEG / 2 + (idx % ncols) * CELL_DEG
    y0 = 38.0 - nrows * CELL_DEG / 2 + (idx // ncols) * CELL_DEG
    geoms = shapely.box(x0, y0, x0 + CELL_DEG, y0 + CELL_DEG)
    rng = np.random.default_rng(seed)
    pop = rng.integers(300, 3000, cells)
    white = (pop * rng.beta(2, 2, cells)).astype(int)
    pov_univ = (pop * 0.97).astype(int)
    low = (pov_univ * rng.beta(2, 4, cells)).astype(int)
    pov = (low * rng.uniform(0.3, 0.6, cells)).astype(int)
    hh = (pop / 2.5).astype(int)
    renters = (hh * rng.beta(2, 2, cells)).astype(int)
    frame = gpd.GeoDataFrame(
        {
            "GEOID": np.char.zfill(idx.astype(str), 12),
            "total_population": pop,
            "total_population_moe": np.maximum(30, np.sqrt(pop) * 6).round(),
            "nh_white": white,
            "nh_white_moe": np.maximum(20, np.sqrt(white + 1) * 6).round(),
            "poverty_universe": pov_univ,
            "below_poverty": pov,
            "below_200_poverty": low,
            "households": hh,
            "renter_households": renters,
            "median_household_income": rng.lognormal(np.log(60000), 0.5, cells).round(),
        },
        geometry=geoms,
        crs="EPSG:4269",
    )
    return frame


def brt_line(stations: int = 30) -> TransitProject:
    lons = -90.15 + np.arange(stations) * 0.01
    pts = tuple(
        Station(f"Station {i + 1}", Point(lon, 38.0 + 0.002 * np.sin(i)))
        for i, lon in enumerate(lons)
    )
    return TransitProject("brt", "Benchmark BRT", Mode.BRT, ServiceChange.NEW, pts)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=240_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated layer in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="eqp_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"layer_{args.cells}.gpkg"
    if not path.exists():
        t = time.perf_counter()
        make_layer(args.cells).to_file(path, engine="pyogrio", layer="cells")
        print(f"generated {args.cells:,} polygons in {time.perf_counter() - t:.1f} s -> {path}")

    rss_before = peak_rss_mb()
    t = time.perf_counter()
    nb = read_neighbourhoods(path)
    load_s = time.perf_counter() - t
    project = brt_line()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        result = assess_projects(nb, [project])
        times.append(time.perf_counter() - t)
    unit = result.result("brt")
    served = unit.indicator("served.population").value
    print(f"\n== {len(nb.frame):,} polygons, 30-station line")
    print(f"load (read + validate + map columns): {load_s:.2f} s")
    print(
        f"assessment (catchment, apportionment, indicators): best {min(times):.3f} s, first {times[0]:.3f} s"
    )
    print(
        f"peak memory (max RSS of the process): {peak_rss_mb():,.0f} MB (before loading: {rss_before:,.0f} MB)"
    )
    print(
        f"neighbourhoods in catchment: {len(unit.neighbourhoods):,}; people served: {served:,.0f}"
    )

    # Apportionment alone, against tobler's area_interpolate on the same inputs: the layer in
    # its own CRS (EPSG:4269) and the catchment in the local UTM zone. Both timings include
    # everything needed from those inputs (our spatial index and reprojection of candidates;
    # tobler's reprojection of the layer, which it needs in the catchment's CRS).
    params = Parameters()
    local = local_projected_crs((-90.16, 37.99, -89.85, 38.01))
    geoms = nb.frame.geometry.to_numpy()
    catchment = catchment_geometry([project], params, local)
    t = time.perf_counter()
    shares = catchment_shares(geoms, shapely.STRtree(geoms), nb.crs, catchment, local)
    ours_s = time.perf_counter() - t
    ours_pop = float(np.dot(shares.share, nb.frame["total_population"].to_numpy()[shares.index]))
    print(
        f"apportionment (index + candidate query + reprojection + intersection): {ours_s * 1000:.0f} ms"
    )
    try:
        from tobler.area_weighted import area_interpolate
    except ImportError:
        print("tobler not installed: pip install -e '.[benchmark]' to compare")
    else:
        t = time.perf_counter()
        source = nb.frame[["total_population", "geometry"]].to_crs(local)
        target = gpd.GeoDataFrame({"name": ["catchment"]}, geometry=[catchment], crs=local)
        theirs = area_interpolate(
            source, target, extensive_variables=["total_population"], allocate_total=False
        )
        tobler_s = time.perf_counter() - t
        theirs_pop = float(theirs["total_population"].iloc[0])
        print(
            f"tobler area_interpolate (allocate_total=False, with reprojection): {tobler_s * 1000:.0f} ms"
        )
        print(
            f"  speed ratio: {tobler_s / ours_s:,.1f}x; people: ours {ours_pop:,.1f}, tobler {theirs_pop:,.1f} "
            f"(relative difference {abs(ours_pop - theirs_pop) / theirs_pop:.1e})"
        )

    # The sample project's whole assessment, its inputs loaded once (as the app does).
    doc = load_project(REPO / "sample_projects" / "magnolia" / "sample.eqp.json")
    t = time.perf_counter()
    sample_nb = load_baseline(doc)
    access = load_opportunities(doc, sample_nb)
    service = load_service_change(doc)
    sample_load = time.perf_counter() - t

    def run(with_access: bool) -> float:
        t = time.perf_counter()
        assess_projects(
            sample_nb,
            doc.projects,
            parameters=doc.parameters,
            scenarios=doc.scenarios,
            access=access if with_access else None,
            service_change=service if with_access else None,
        )
        return time.perf_counter() - t

    core = [run(False) for _ in range(5)]
    whole = [run(True) for _ in range(5)]
    print("\n== sample project (180 tracts, 3 projects, 2 scenarios)")
    print(f"load (neighbourhoods, opportunity layers, two GTFS feeds): {sample_load:.3f} s")
    print(
        f"assessment without access (catchments, apportionment, indicators): first {core[0]:.3f} s, best {min(core):.3f} s"
    )
    print(
        f"whole assessment with access and the GTFS comparison: first {whole[0]:.3f} s, best {min(whole):.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
