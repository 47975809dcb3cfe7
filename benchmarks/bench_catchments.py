"""Benchmark of many catchments at once and of weights layers (prints figures; not a test).

1. Phoenix (985 real tracts, ../shared/data/geoda-tracts/phoenix_acs.gpkg): an 800 m buffer
   around a point inside every tract, 985 separate catchments. Ours in bulk (one index query,
   one vectorised intersection: :func:`equityplanner.analysis.apportion.measure` and the
   public :func:`~equityplanner.analysis.apportion.catchment_table`) against a loop of single
   calls and against PySAL tobler's ``area_interpolate`` with and without a spatial-index
   prefilter, the same buffers and the same population; the people per buffer are compared.
2. A county's blocks (30,000 points in Phoenix's tracts): what they add to an assessment of a
   BRT line, reading, indexing and the first assessment once, then assessments interleaved.
3. A state's blocks (500,000 TIGER/Line-like tabulation blocks in a GeoPackage and in a zipped
   Shapefile, with POP20 and internal points): the time to read them.

CPU time (``time.process_time``), interleaved over ``--rounds`` rounds, min / median / max.

Usage: python benchmarks/bench_catchments.py [--rounds 5] [--state-blocks 500000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from bench_core import interleaved, once, show
from pyproj import CRS
from shapely.geometry import Point

from equityplanner.analysis.apportion import catchment_table, measure
from equityplanner.analysis.assess import assess_projects
from equityplanner.analysis.baseline import LayerIndex, layer_index
from equityplanner.analysis.catchment import to_crs
from equityplanner.analysis.crs import local_projected_crs
from equityplanner.io.neighbourhoods import Neighbourhoods, read_neighbourhoods
from equityplanner.io.weights import read_weights
from equityplanner.model.project import Mode, ServiceChange, Station, TransitProject

REPO = Path(__file__).resolve().parents[1]
PHOENIX = REPO.parent / "shared" / "data" / "geoda-tracts" / "phoenix_acs.gpkg"
RADIUS_M = 800.0


def phoenix_layer(folder: Path) -> Neighbourhoods:
    """Phoenix's tracts with pop as total_population (nh_white from white_rt, as the reader
    needs a race count)."""
    frame = gpd.read_file(PHOENIX)
    frame["total_population"] = frame["pop"]
    frame["nh_white"] = (frame["pop"] * frame["white_rt"] / 100).round()
    path = folder / "phoenix.gpkg"
    frame[["geoid10", "total_population", "nh_white", "geometry"]].to_file(path)
    return read_neighbourhoods(path, id_column="geoid10")


def bench_phoenix(nb: Neighbourhoods, rounds: int) -> None:
    frame = nb.frame
    sites_layer = shapely.point_on_surface(frame.geometry.to_numpy())
    sites = to_crs(sites_layer, nb.crs, _wgs84())
    xmin, ymin, xmax, ymax = shapely.total_bounds(sites)
    local = local_projected_crs((xmin, ymin, xmax, ymax))
    buffers = shapely.buffer(to_crs(sites, _wgs84(), local), RADIUS_M, quad_segs=16)
    layer = layer_index(nb)
    population = frame["total_population"].to_numpy(dtype=float)
    print(f"\n== Phoenix: {len(frame)} tracts, {len(buffers)} separate {RADIUS_M:.0f} m buffers")

    def per_buffer(shares: list) -> np.ndarray:
        return np.array([np.dot(s.share, population[s.index]) for s in shares])

    def ours_bulk() -> np.ndarray:
        return per_buffer(measure(layer, buffers, local))

    def ours_bulk_cold() -> np.ndarray:
        # A new layer index (the tree kept): no polygon reprojected by an earlier call.
        fresh = LayerIndex(layer.geometries, layer.crs, layer.tree)
        return per_buffer(measure(fresh, buffers, local))

    def ours_table() -> np.ndarray:
        table = catchment_table(nb, sites, radius_m=RADIUS_M)
        return table["total_population"].to_numpy()

    def ours_loop() -> np.ndarray:
        return per_buffer([measure(layer, [b], local)[0] for b in buffers])

    runs = {
        "ours, bulk (measure)": ours_bulk,
        "ours, bulk, nothing reprojected yet": ours_bulk_cold,
        "ours, catchment_table": ours_table,
        "ours, loop of 985 calls": ours_loop,
    }
    try:
        from tobler.area_weighted import area_interpolate
    except ImportError:
        print("tobler not installed: pip install -e '.[benchmark]' to compare")
        area_interpolate = None
    source = frame[["total_population", "geometry"]]
    source.sindex  # noqa: B018 - built once, as our tree is
    target = gpd.GeoDataFrame({"site": np.arange(len(buffers))}, geometry=buffers, crs=local)

    def tobler(prefilter: bool) -> np.ndarray:
        assert area_interpolate is not None
        near = source
        if prefilter:  # the one line: the tracts near the buffers, found in the tracts' CRS
            rows = source.sindex.query(target.to_crs(nb.crs).geometry, predicate="intersects")[1]
            near = source.iloc[np.unique(rows)]
        theirs = area_interpolate(
            near.to_crs(local),
            target,
            extensive_variables=["total_population"],
            allocate_total=False,
        )
        return theirs["total_population"].to_numpy()

    if area_interpolate is not None:
        runs["tobler, prefiltered"] = lambda: tobler(True)
        runs["tobler, all tracts"] = lambda: tobler(False)
    show(interleaved(runs, rounds), "ours, bulk (measure)")
    reference = ours_bulk()
    for name, run in runs.items():
        diff = np.max(np.abs(run() - reference) / np.maximum(reference, 1.0))
        print(
            f"  people per buffer, {name}: total {run().sum():,.1f}; largest relative difference from ours {diff:.1e}"
        )


def _wgs84() -> CRS:
    return CRS.from_epsg(4326)


def county_blocks(nb: Neighbourhoods, blocks: int, path: Path, seed: int = 3) -> Path:
    """About ``blocks`` TIGER-like block points in the tracts, each tract's people over them."""
    rng = np.random.default_rng(seed)
    frame = nb.frame
    area = shapely.area(frame.geometry.to_numpy())
    per_tract = np.maximum(1, np.round(blocks * area / area.sum()).astype(int))
    per_tract = np.maximum(per_tract, (frame["total_population"].to_numpy() // 400).astype(int))
    points, counts, ids = [], [], []
    for n, (geom, people, k) in enumerate(
        zip(frame.geometry, frame["total_population"], per_tract, strict=True)
    ):
        xmin, ymin, xmax, ymax = geom.bounds
        got: list[Point] = []
        while len(got) < k:
            xy = rng.uniform((xmin, ymin), (xmax, ymax), (2 * k, 2))
            got += [p for p in shapely.points(xy) if geom.contains(p)][: k - len(got)]
        points += got
        share = rng.dirichlet(np.ones(k) * 0.5) * people
        counts += list(np.round(share))
        ids += [f"{frame['id'].iloc[n]}{i:04d}" for i in range(k)]
    xy = shapely.get_coordinates(np.array(points, dtype=object))
    table = gpd.GeoDataFrame(
        {
            "GEOID20": ids,
            "POP20": np.array(counts, dtype=int),
            "INTPTLAT20": [f"{y:+.7f}" for y in xy[:, 1]],
            "INTPTLON20": [f"{x:+.7f}" for x in xy[:, 0]],
        },
        geometry=shapely.buffer(np.array(points, dtype=object), 0.0005, quad_segs=1),
        crs=nb.crs,
    )
    table.to_file(path)
    return path


def bench_county(nb: Neighbourhoods, folder: Path, rounds: int) -> None:
    path = folder / "county_blocks.gpkg"
    if not path.exists():
        county_blocks(nb, 30_000, path)
    line = TransitProject(
        "brt",
        "Central Avenue BRT",
        Mode.BRT,
        ServiceChange.NEW,
        tuple(Station(f"S{i}", Point(-112.074, 33.40 + 0.01 * i)) for i in range(15)),
    )
    print(f"\n== a county's blocks in Phoenix's tracts, a 15-station line, {path.name}")
    assess_projects(nb, [line])  # the baseline prepared, as in the app
    weights = once("read the blocks (read_weights)", lambda: read_weights(path))
    print(f"  {weights.description}")  # type: ignore[attr-defined]
    once(
        "first assessment with them (index the points, find their tracts)",
        lambda: assess_projects(nb, [line], weights=weights),  # type: ignore[arg-type]
    )
    show(
        interleaved(
            {
                "assessment, by area": lambda: assess_projects(nb, [line]),
                "assessment, by population": lambda: assess_projects(nb, [line], weights=weights),  # type: ignore[arg-type]
            },
            rounds,
        ),
        "assessment, by area",
    )


def state_blocks(count: int, folder: Path) -> tuple[Path, Path]:
    """A state's tabulation blocks as TIGER/Line ships them, as a GeoPackage and a zip."""
    gpkg, archive = folder / f"state_{count}.gpkg", folder / f"tl_2020_99_tabblock20_{count}.zip"
    if gpkg.exists() and archive.exists():
        return gpkg, archive
    rng = np.random.default_rng(5)
    side = int(np.ceil(np.sqrt(count)))
    i = np.arange(count)
    x0, y0 = -92.0 + (i % side) * 0.004, 34.0 + (i // side) * 0.004
    frame = gpd.GeoDataFrame(
        {
            "STATEFP20": "99",
            "GEOID20": [f"99{n:013d}" for n in i],
            "POP20": rng.poisson(40, count),
            "HOUSING20": rng.poisson(16, count),
            "INTPTLAT20": [f"{y:+.7f}" for y in y0 + 0.002],
            "INTPTLON20": [f"{x:+.7f}" for x in x0 + 0.002],
        },
        geometry=shapely.box(x0, y0, x0 + 0.004, y0 + 0.004),
        crs="EPSG:4269",
    )
    frame.to_file(gpkg)
    shp = folder / "shp"
    shp.mkdir(exist_ok=True)
    frame.to_file(shp / f"tl_2020_99_tabblock20_{count}.shp")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in shp.iterdir():
            zipped.write(file, file.name)
    return gpkg, archive


def bench_state(count: int, folder: Path, rounds: int) -> None:
    t = time.perf_counter()
    gpkg, archive = state_blocks(count, folder)
    print(f"\n== a state's {count:,} blocks (made in {time.perf_counter() - t:.0f} s)")
    times = interleaved(
        {
            "read_weights, GeoPackage": lambda: read_weights(gpkg),
            "read_weights, zipped Shapefile": lambda: read_weights(archive),
        },
        rounds,
    )
    show(times, "read_weights, GeoPackage")
    start = time.perf_counter()
    read_weights(archive)
    print(f"  wall time of one read of the zip: {time.perf_counter() - start:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--state-blocks", type=int, default=500_000)
    parser.add_argument("--keep", type=Path, help="folder to keep generated files in")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="eqp_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    if not PHOENIX.exists():
        print(f"{PHOENIX} not found (../shared/data beside the clone)")
        return 1
    nb = phoenix_layer(folder)
    bench_phoenix(nb, args.rounds)
    bench_county(nb, folder, args.rounds)
    bench_state(args.state_blocks, folder, max(3, args.rounds // 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
