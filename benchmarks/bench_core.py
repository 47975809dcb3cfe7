"""Benchmark of the assessment core against its floor and PySAL (prints figures; not a test).

Generates a national-scale synthetic layer (240,000 square polygons in EPSG:4269, about the
number of US block groups) with ACS-like columns and margins, a 30-station BRT line and a
weights layer of 5 million points (about 21 per polygon, each polygon's people crowded into a
random quarter of it), then compares, in the same run and interleaved over ``--rounds``
rounds, CPU time (``time.process_time``) as min / median / max and each one's ratio to the
reference's:

* the apportionment of the line's catchment (ours: :func:`equityplanner.analysis.apportion.
  measure`) against the floor (a query of a ready STRtree and one vectorised intersection of
  the polygons it returns, in the layer's CRS, nothing else) and against PySAL tobler's
  ``area_interpolate`` with and without a spatial-index prefilter (tobler needs the polygons in
  the catchment's CRS: without the prefilter it reprojects all 240,000);
* the whole assessment (catchment, apportionment, every indicator, the result's tables) with
  its baseline prepared (as when the app runs again), by area and by population (5 million
  points), against the same floor; the catchment alone (buffers and their union, which the
  floor is given) is timed as a part;
* the study area's segregation indices (dissimilarity and isolation of the minority group)
  against PySAL ``segregation``'s ``Dissim`` and ``Isolation`` on the same counts (values
  printed side by side: they must agree);
* the first assessment of a layer (preparing the baseline) and of a weights layer (indexing
  the points), once each.

Then the sample project's whole assessment (180 tracts: the fixed cost of building the
indicators, whatever the layer's size). Phoenix's 985 separate buffers and the loading of a
state's blocks are in ``bench_catchments.py``. The closing note quotes the ratios.

Usage: python benchmarks/bench_core.py [--cells 240000] [--points 5000000] [--rounds 5]
       [--keep DIR]     (pip install -e '.[benchmark]' for tobler and segregation)
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import comparing
import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point

from equityplanner.analysis import segregation
from equityplanner.analysis.apportion import measure, weights_on
from equityplanner.analysis.assess import (
    assess_projects,
    load_baseline,
    load_opportunities,
    load_service_change,
)
from equityplanner.analysis.baseline import layer_index
from equityplanner.analysis.catchment import catchment_geometry, to_crs
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.analysis.weights import weight_index
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.io.project_file import load_project
from equityplanner.io.weights import WeightPoints
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


def make_weights(frame: gpd.GeoDataFrame, points: int, seed: int = 11) -> WeightPoints:
    """About ``points`` points carrying each cell's people, crowded into a random quarter of it."""
    rng = np.random.default_rng(seed)
    cells = len(frame)
    per_cell = rng.poisson(points / cells, cells) + 1
    cell = np.repeat(np.arange(cells), per_cell)
    xmin, ymin, _, _ = shapely.bounds(frame.geometry.to_numpy()).T
    # Each cell's settled quarter: a half-size square at a random place inside the cell.
    qx = rng.uniform(0, CELL_DEG / 2, cells)
    qy = rng.uniform(0, CELL_DEG / 2, cells)
    x = xmin[cell] + qx[cell] + rng.uniform(0, CELL_DEG / 2, cell.size)
    y = ymin[cell] + qy[cell] + rng.uniform(0, CELL_DEG / 2, cell.size)
    people = frame["total_population"].to_numpy(dtype=float)
    count = people[cell] / per_cell[cell]
    return WeightPoints(x, y, count, frame.crs, None, "population")


def brt_line(stations: int = 30) -> TransitProject:
    lons = -90.15 + np.arange(stations) * 0.01
    pts = tuple(
        Station(f"Station {i + 1}", Point(lon, 38.0 + 0.002 * np.sin(i)))
        for i, lon in enumerate(lons)
    )
    return TransitProject("brt", "Benchmark BRT", Mode.BRT, ServiceChange.NEW, pts)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def interleaved(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, np.ndarray]:
    """CPU seconds of each function, the functions taking turns for ``rounds`` (>= 3) rounds."""
    return {
        name: np.array(timing.seconds)
        for name, timing in comparing.interleaved(runs, rounds).items()
    }


def show(times: dict[str, np.ndarray], reference: str) -> None:
    """min / median / max in ms, and each one's ratio to the reference's."""
    comparing.show(
        {name: comparing.Timing(name, tuple(values)) for name, values in times.items()},
        reference,
    )


def timings(times: dict[str, np.ndarray]) -> dict[str, comparing.Timing]:
    """The arrays of :func:`interleaved` as :class:`comparing.Timing`."""
    return {name: comparing.Timing(name, tuple(values)) for name, values in times.items()}


def once(label: str, run: Callable[[], object]) -> object:
    start = time.process_time()
    result = run()
    print(f"  {label}: {(time.process_time() - start) * 1000:,.0f} ms CPU")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=240_000)
    parser.add_argument("--points", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=5)
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
    print(f"\n== {len(nb.frame):,} polygons, 30-station line")
    print(f"load (read + validate + map columns): {load_s:.2f} s wall")

    print("first assessment of the layer (prepares the baseline and its index), once:")
    result = once("assessment, by area", lambda: assess_projects(nb, [project]))
    served = result.result("brt").indicator("served.population").value  # type: ignore[attr-defined]

    t = time.perf_counter()
    weights = make_weights(nb.frame, args.points)
    print(f"generated {len(weights):,} weight points in {time.perf_counter() - t:.1f} s")
    print("first use of the weights layer (grid index of the points), once:")
    once("index the points", lambda: weight_index(weights))
    weighted = once(
        "assessment, by population (finds the nearby points' neighbourhoods)",
        lambda: assess_projects(nb, [project], weights=weights),
    )
    served_w = weighted.result("brt").indicator("served.population")  # type: ignore[attr-defined]

    params = Parameters()
    local = local_projected_crs((-90.16, 37.99, -89.85, 38.01))
    layer = layer_index(nb)
    geoms, tree = layer.geometries, layer.tree
    catchment = catchment_geometry([project], params, local)
    catchment_layer = to_crs(np.array([catchment], dtype=object), local, nb.crs)[0]
    population = nb.frame["total_population"].to_numpy(dtype=float)
    lw = weights_on(layer, weights)

    def floor() -> float:
        rows = tree.query(catchment_layer, predicate="intersects")
        parts = geoms[rows]
        share = shapely.area(shapely.intersection(parts, catchment_layer)) / shapely.area(parts)
        return float(np.dot(share, population[rows]))

    def ours_area() -> float:
        shares = measure(layer, [catchment], local)[0]
        return float(np.dot(shares.share, population[shares.index]))

    def ours_population() -> float:
        shares = measure(layer, [catchment], local, lw)[0]
        return float(np.dot(shares.share, population[shares.index]))

    runs: dict[str, Callable[[], object]] = {
        "floor (query + intersection)": floor,
        "ours, by area": ours_area,
        "ours, by population (5M pts)": ours_population,
    }
    try:
        from tobler.area_weighted import area_interpolate
    except ImportError:
        area_interpolate = None
        print("tobler not installed: pip install -e '.[benchmark]' to compare")
    target = gpd.GeoDataFrame({"name": ["catchment"]}, geometry=[catchment], crs=local)
    source = nb.frame[["total_population", "geometry"]]
    source.sindex  # noqa: B018 - built once, as our tree is

    def tobler_plain() -> float:
        assert area_interpolate is not None
        theirs = area_interpolate(
            source.to_crs(local),
            target,
            extensive_variables=["total_population"],
            allocate_total=False,
        )
        return float(theirs["total_population"].iloc[0])

    def tobler_prefiltered() -> float:
        assert area_interpolate is not None
        near = source.iloc[source.sindex.query(catchment_layer, predicate="intersects")]
        theirs = area_interpolate(
            near.to_crs(local),
            target,
            extensive_variables=["total_population"],
            allocate_total=False,
        )
        return float(theirs["total_population"].iloc[0])

    if area_interpolate is not None:
        runs["tobler, prefiltered"] = tobler_prefiltered
        runs["tobler, all polygons"] = tobler_plain
    print(f"\napportionment of the line's catchment, {args.rounds} interleaved rounds (CPU):")
    apportionment = timings(interleaved(runs, args.rounds))
    comparing.show(apportionment, "floor (query + intersection)")
    print(
        "  people in the catchment: "
        + "; ".join(f"{name} {run():,.1f}" for name, run in runs.items())
    )

    whole = {
        "floor (query + intersection)": floor,
        "assessment, by area": lambda: assess_projects(nb, [project]),
        "assessment, by population": lambda: assess_projects(nb, [project], weights=weights),
        "part: the catchment (buffers, union)": lambda: catchment_geometry(
            [project], params, local
        ),
        "part: the apportionment (ours, by area)": ours_area,
    }
    print(f"\nwhole assessment, baseline prepared, {args.rounds} interleaved rounds (CPU):")
    assessment = timings(interleaved(whole, args.rounds))
    comparing.show(assessment, "floor (query + intersection)")
    # What the assessment adds to the catchment and its apportionment: the indicators (their
    # findings, margins and reliability) and the result's tables, by difference of medians.
    rest = (
        assessment["assessment, by area"].stats[1]
        - assessment["part: the catchment (buffers, union)"].stats[1]
        - assessment["part: the apportionment (ours, by area)"].stats[1]
    )
    floor_median = assessment["floor (query + intersection)"].stats[1]
    print(
        f"  the rest (indicators and tables, by difference of medians): {rest * 1000:.1f} ms, "
        f"{rest / floor_median:.2f} x the floor"
    )
    print(
        f"  people served: by area {served:,.0f}; by population {served_w.value:,.0f} "
        f"(the points inside count {served_w.details['weights_in_catchment']:,.0f})"
    )
    print(
        f"peak memory (max RSS of the process): {peak_rss_mb():,.0f} MB "
        f"(before loading: {rss_before:,.0f} MB)"
    )

    segregation_times = _segregation(nb, args.rounds)

    # The sample project's whole assessment, its inputs loaded once (as the app does).
    doc = load_project(REPO / "sample_projects" / "magnolia" / "sample.eqp.json")
    t = time.perf_counter()
    sample_nb = load_baseline(doc)
    access = load_opportunities(doc, sample_nb)
    service = load_service_change(doc)
    sample_load = time.perf_counter() - t

    def sample(with_access: bool) -> Callable[[], object]:
        return lambda: assess_projects(
            sample_nb,
            doc.projects,
            parameters=doc.parameters,
            scenarios=doc.scenarios,
            access=access if with_access else None,
            service_change=service if with_access else None,
        )

    sample_nb_floor = layer_index(sample_nb)
    sample_local = local_projected_crs(_bounds(doc.projects), doc.parameters.projected_crs)
    sample_catchments = [
        catchment_geometry([p], doc.parameters, sample_local) for p in doc.projects
    ]
    sample_layer = [
        to_crs(np.array([c], dtype=object), sample_local, sample_nb.crs)[0]
        for c in sample_catchments
    ]

    def sample_floor() -> None:  # the floor of the three projects' apportionment
        for c in sample_layer:
            rows = sample_nb_floor.tree.query(c, predicate="intersects")
            parts = sample_nb_floor.geometries[rows]
            shapely.area(shapely.intersection(parts, c))

    print("\n== sample project (180 tracts, 3 projects, 2 scenarios)")
    print(f"load (neighbourhoods, opportunity layers, two GTFS feeds): {sample_load:.3f} s wall")
    sample_times = timings(
        interleaved(
            {
                "floor (query + intersection, 3 projects)": sample_floor,
                "without access": sample(False),
                "with access and GTFS": sample(True),
            },
            args.rounds,
        )
    )
    comparing.show(sample_times, "floor (query + intersection, 3 projects)")
    per_proposal = sample_times["without access"].stats[1] / 5 * 1000
    print(f"  without access: {per_proposal:.1f} ms per proposal (3 projects, 2 scenarios)")

    notes = [
        (
            "apportionment, by area / floor",
            apportionment["ours, by area"],
            apportionment["floor (query + intersection)"],
            1.5,
        ),
        (
            "whole assessment, by area / floor",
            assessment["assessment, by area"],
            assessment["floor (query + intersection)"],
            1.5,
        ),
        (
            "whole assessment, by population / floor",
            assessment["assessment, by population"],
            assessment["floor (query + intersection)"],
            None,
        ),
        (
            "the catchment alone (given to the floor) / floor",
            assessment["part: the catchment (buffers, union)"],
            assessment["floor (query + intersection)"],
            None,
        ),
    ]
    if "tobler, prefiltered" in apportionment:
        notes.append(
            (
                "ours, by area / tobler prefiltered",
                apportionment["ours, by area"],
                apportionment["tobler, prefiltered"],
                None,
            )
        )
        notes.append(
            (
                "ours, by area / tobler on all polygons",
                apportionment["ours, by area"],
                apportionment["tobler, all polygons"],
                None,
            )
        )
    if segregation_times is not None:
        notes.append(
            (
                "segregation indices, ours / PySAL segregation",
                segregation_times["ours: dissimilarity + isolation"],
                segregation_times["PySAL: Dissim + Isolation"],
                None,
            )
        )
    notes.append(
        (
            "sample, whole assessment without access / its floor",
            sample_times["without access"],
            sample_times["floor (query + intersection, 3 projects)"],
            None,
        )
    )
    comparing.closing_note(notes)
    return 0


def _bounds(projects: object) -> tuple[float, float, float, float]:
    points = []
    for p in projects:  # type: ignore[attr-defined]
        points += [p.site] if hasattr(p, "site") else [s.geometry for s in p.stations]
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array(points, dtype=object))
    return float(xmin), float(ymin), float(xmax), float(ymax)


def _segregation(nb: object, rounds: int) -> dict[str, comparing.Timing] | None:
    """The minority group's dissimilarity (against non-Hispanic white) and isolation: ours
    (:mod:`equityplanner.analysis.segregation`, as the study area's indicators compute them)
    and PySAL ``segregation``'s on the same counts, in the same run."""
    try:
        import pandas as pd
        from segregation.singlegroup import Dissim, Isolation
    except ImportError:
        print("\nsegregation (PySAL) not installed: pip install -e '.[benchmark]' to compare")
        return None
    frame = nb.frame  # type: ignore[attr-defined]
    total = frame["total_population"].fillna(0).to_numpy()
    white = frame["nh_white"].fillna(0).to_numpy()
    minority = np.clip(total - white, 0, None)
    # PySAL's single-group dissimilarity is the group against the rest of the total: with the
    # total minority + white, the rest is the white population, as in HUD's two-group index.
    counts = pd.DataFrame({"minority": minority, "pair": minority + white, "total": total})

    def ours() -> tuple[float, float]:
        return segregation.dissimilarity(minority, white), segregation.isolation(minority, total)

    def pysal() -> tuple[float, float]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = Dissim(counts, "minority", "pair").statistic * 100
            return d, Isolation(counts, "minority", "total").statistic

    print(f"\nsegregation indices of {len(total):,} neighbourhoods, {rounds} rounds (CPU):")
    times = timings(
        interleaved(
            {"PySAL: Dissim + Isolation": pysal, "ours: dissimilarity + isolation": ours}, rounds
        )
    )
    comparing.show(times, "PySAL: Dissim + Isolation")
    (d1, i1), (d2, i2) = ours(), pysal()
    print(
        f"  values: dissimilarity ours {d1:.6f}, PySAL {d2:.6f}; isolation ours {i1:.6f}, "
        f"PySAL {i2:.6f} ({'the same' if np.isclose([d1, i1], [d2, i2]).all() else 'DIFFER'})"
    )
    return times


if __name__ == "__main__":
    sys.exit(main())
