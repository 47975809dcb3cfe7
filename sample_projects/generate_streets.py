#!/usr/bin/env python3
"""Generate the street network of the "Magnolia City" sample project (an OpenStreetMap PBF).

Run:  python sample_projects/generate_streets.py [--sample DIR] [--out DIR]
      (default: read and write sample_projects/magnolia)

Reads the sample's tracts.gpkg (the city limit) and writes:

  streets.osm.pbf   a street grid every 200 m over the city limit and 600 m around it (the grid
                    of the sample's own coordinates, UTM zone 16N), as OpenStreetMap ways:
                    every eighth street an avenue (highway=secondary, named), the others
                    residential streets. Every crossing is a node shared by both ways, so the
                    routing engine can turn there; the bus stops of gtfs_baseline.zip all lie
                    within about 150 m of a crossing.

EVERYTHING IS SYNTHETIC: the streets of Magnolia City are a plain grid, not the streets of
Birmingham. Together with gtfs_baseline.zip they let `equityplanner assess` route access to
opportunity on a street network and a timetable (the project file's "network" block).

The script needs numpy, geopandas/pyogrio, shapely, pyproj and pyosmium (`pip install osmium`,
the `sample` extra); it does not import equityplanner. It is deterministic: entities are written
in id order with no timestamps, versions or users and a fixed header, so the file is
byte-for-byte identical on every run.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import osmium
import shapely
from pyproj import Transformer

WORK_CRS = "EPSG:32616"  # WGS 84 / UTM zone 16N, metres (as generate_gtfs.py)
SPACING_M = 200.0
MARGIN_M = 600.0
AVENUE_EVERY = 8
MAX_PBF_BYTES = 400_000


def _grid(limit: shapely.Geometry) -> tuple[np.ndarray, list[tuple[str, str, list[int]]]]:
    """Grid nodes (x, y in metres) inside ``limit`` and the ways along the grid lines.

    Returns the nodes' coordinates (node id k + 1 is row k) and, per way, its highway value, its
    name and its node ids.
    """
    xmin, ymin, xmax, ymax = limit.bounds
    xs = np.arange(np.floor(xmin / SPACING_M), np.ceil(xmax / SPACING_M) + 1) * SPACING_M
    ys = np.arange(np.floor(ymin / SPACING_M), np.ceil(ymax / SPACING_M) + 1) * SPACING_M
    gx, gy = np.meshgrid(xs, ys)  # rows: y, columns: x
    inside = shapely.contains_xy(limit, gx, gy)
    ids = np.zeros(gx.shape, dtype=np.int64)
    ids[inside] = np.arange(1, int(inside.sum()) + 1)
    nodes = np.column_stack([gx[inside], gy[inside]])
    ways: list[tuple[str, str, list[int]]] = []

    def runs(line_ids: np.ndarray, kind: str, name: str) -> None:
        current: list[int] = []
        for value in [*line_ids.tolist(), 0]:
            if value:
                current.append(int(value))
                continue
            if len(current) >= 2:
                ways.append((kind, name, current))
            current = []

    for row in range(ids.shape[0]):  # east-west streets
        avenue = row % AVENUE_EVERY == 0
        name = f"{row // AVENUE_EVERY + 1} Avenue" if avenue else ""
        runs(ids[row], "secondary" if avenue else "residential", name)
    for column in range(ids.shape[1]):  # north-south streets
        avenue = column % AVENUE_EVERY == 0
        name = f"{column // AVENUE_EVERY + 1} Street" if avenue else ""
        runs(ids[:, column], "secondary" if avenue else "residential", name)
    return nodes, ways


def write_streets(sample: Path, out: Path) -> Path:
    """Write ``out/streets.osm.pbf`` for the city limit of ``sample/tracts.gpkg``."""
    tracts = gpd.read_file(sample / "tracts.gpkg", layer="tracts").to_crs(WORK_CRS)
    limit = shapely.union_all(tracts.geometry.to_numpy()).buffer(MARGIN_M)
    nodes, ways = _grid(limit)
    lon, lat = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True).transform(
        nodes[:, 0], nodes[:, 1]
    )
    path = out / "streets.osm.pbf"
    if path.exists():
        path.unlink()
    header = osmium.io.Header()
    header.set("generator", "equityplanner sample_projects/generate_streets.py")
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for k, (x, y) in enumerate(zip(lon.tolist(), lat.tolist(), strict=True), start=1):
            writer.add_node(osmium.osm.mutable.Node(id=k, location=(round(x, 7), round(y, 7))))
        for number, (kind, name, refs) in enumerate(ways, start=1):
            tags = [("highway", kind)] + ([("name", name)] if name else [])
            writer.add_way(osmium.osm.mutable.Way(id=number, nodes=refs, tags=tags))
    size = path.stat().st_size
    assert size < MAX_PBF_BYTES, f"{path} is {size:,} bytes"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    print(f"Wrote {path} ({len(nodes):,} nodes, {len(ways):,} ways, {size:,} bytes, {digest})")
    return path


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--sample", type=Path, default=here / "magnolia", help="folder with tracts.gpkg"
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: --sample)")
    args = ap.parse_args(argv)
    out = args.out or args.sample
    out.mkdir(parents=True, exist_ok=True)
    write_streets(args.sample, out)


if __name__ == "__main__":
    main()
