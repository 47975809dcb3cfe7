#!/usr/bin/env python3
"""Generate synthetic opportunity layers (jobs, schools, childcare, clinics) for Magnolia City.

Run:  python sample_projects/generate_opportunities.py [--out DIR]
      (default DIR: sample_projects/magnolia)

Reads DIR/tracts.gpkg (layer "tracts") and DIR/acs_2019_2023.csv (written by generate_sample.py)
and writes, into DIR:

  jobs_lodes_wac.csv   LEHD LODES "workplace area characteristics" style: w_geocode (15-digit
                       2020-style block code nested in the tract GEOID), C000 (all jobs), CE01 /
                       CE02 / CE03 (jobs by monthly earnings: <= $1,250, $1,251-3,333, > $3,333).
                       Per tract the jobs add up exactly to the CSV's "jobs" column.
  blocks.geojson       block points (GEOID20) for every block of the WAC file plus a few blocks
                       without jobs, as a TIGER/Line block layer would have them.
  schools.geojson      public schools (level, capacity in seats).
  childcare.geojson    licensed childcare centres (capacity in slots).
  clinics.geojson      primary-care clinics (type, physicians): fewer in the poorer north and
                       west, with a few community health centres there, as is common.

EVERYTHING IS SYNTHETIC: no real block, workplace, school, centre or clinic is described.
The script is standalone (numpy, pandas, shapely 2, geopandas, pyproj; no equityplanner import)
and deterministic: fixed seed, fixed order, coordinates rounded to 6 decimals, no timestamps;
the outputs are byte-for-byte identical on every run.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

SEED = 20261126
WORK_CRS = "EPSG:26916"  # NAD83 / UTM 16N, metres
MEDICAL_DISTRICT = "01073000700"
DOWNTOWN = ("01073001001", "01073000600", "01073000100", "01073000400")
N_SCHOOLS = {"elementary": 46, "middle": 14, "high": 9}
SCHOOL_SEATS = {"elementary": (350, 750), "middle": (550, 1000), "high": (900, 1700)}
N_CHILDCARE = 80
N_CLINICS = 22  # private and hospital-outpatient primary care
N_HEALTH_CENTRES = 3  # federally qualified health centre style, in low-income tracts
MAX_TOTAL_BYTES = 500_000


def load(folder: Path) -> gpd.GeoDataFrame:
    """Tracts with the ACS fields used here, in the working CRS, sorted by GEOID."""
    tracts = gpd.read_file(folder / "tracts.gpkg", layer="tracts")
    acs = pd.read_csv(folder / "acs_2019_2023.csv", dtype=str)
    acs["GEOID"] = acs["GEO_ID"].str[-11:]
    columns = {
        "B03002_001E": "population",
        "B09001_001E": "children",
        "B19013_001E": "median_income",
        "jobs": "jobs",
    }
    acs = acs[["GEOID", *columns]].rename(columns=columns)
    for column in columns.values():
        acs[column] = pd.to_numeric(acs[column], errors="raise").astype(float)
    frame = tracts.merge(acs, on="GEOID", how="inner", validate="one_to_one")
    if len(frame) != len(tracts):
        raise SystemExit("tracts.gpkg and acs_2019_2023.csv do not list the same tracts")
    frame["median_income"] = frame["median_income"].where(frame["median_income"] > 0)
    median = float(np.nanmedian(frame["median_income"]))
    # Jammed medians (the airport, the dormitory tract) count as the city median.
    frame["income_index"] = (frame["median_income"] / median).fillna(1.0)
    return frame.to_crs(WORK_CRS).sort_values("GEOID").reset_index(drop=True)


def points_in(polygon: shapely.Geometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` uniform random points inside a polygon, away from its edge (rejection)."""
    inner = polygon.buffer(-60.0)
    if inner.is_empty or inner.area < 0.2 * polygon.area:
        inner = polygon
    xmin, ymin, xmax, ymax = inner.bounds
    found: list[np.ndarray] = []
    total = 0
    while total < count:
        xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(4 * count + 8, 2))
        xy = xy[shapely.contains_xy(inner, xy[:, 0], xy[:, 1])]
        found.append(xy)
        total += len(xy)
    return np.concatenate(found)[:count]


def earnings_shares(income_index: float, geoid: str) -> np.ndarray:
    """Shares of jobs in CE01 / CE02 / CE03: lower-wage work where incomes are lower."""
    low = float(np.clip(0.27 - 0.10 * np.log(income_index), 0.12, 0.45))
    high = float(np.clip(0.38 + 0.14 * np.log(income_index), 0.18, 0.62))
    if geoid == MEDICAL_DISTRICT or geoid in DOWNTOWN:
        low, high = 0.16, 0.52
    return np.array([low, 1.0 - low - high, high])


def make_blocks(
    tracts: gpd.GeoDataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """WAC rows and block points: a few blocks per tract, jobs split among all but one."""
    wac_rows = []
    block_rows = []
    for tract in tracts.itertuples():
        jobs = int(tract.jobs)
        job_blocks = int(np.clip(round(1 + np.log2(1 + jobs / 300)), 2, 6))
        n_blocks = job_blocks + 1  # one block with no jobs (homes only)
        xy = points_in(tract.geometry, n_blocks, rng)
        codes = [f"{tract.GEOID}{1 + k % 2}{k // 2 + 1:03d}" for k in range(n_blocks)]
        share = rng.dirichlet(np.full(job_blocks, 1.2))
        counts = 1 + rng.multinomial(jobs - job_blocks, share)
        shares = earnings_shares(tract.income_index, tract.GEOID)
        for k in range(n_blocks):
            block_rows.append((codes[k], xy[k, 0], xy[k, 1]))
            if k < job_blocks:
                bands = rng.multinomial(int(counts[k]), shares)
                wac_rows.append((codes[k], int(counts[k]), *map(int, bands)))
    wac = pd.DataFrame(wac_rows, columns=["w_geocode", "C000", "CE01", "CE02", "CE03"])
    blocks = pd.DataFrame(block_rows, columns=["GEOID20", "x", "y"])
    return wac.sort_values("w_geocode", ignore_index=True), blocks.sort_values(
        "GEOID20", ignore_index=True
    )


def unique_names(bases: list[str], suffix: str) -> list[str]:
    """``"<base> <suffix>"``, numbered when a base repeats (Glen Ivy Elementary II)."""
    seen: dict[str, int] = {}
    names = []
    for base in bases:
        seen[base] = seen.get(base, 0) + 1
        number = seen[base]
        roman = {1: "", 2: "II", 3: "III", 4: "IV", 5: "V"}.get(number, str(number))
        names.append(" ".join(part for part in (base, suffix, roman) if part))
    return names


def choose_tracts(weights: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Tract positions drawn in proportion to ``weights`` (with replacement), sorted."""
    p = np.asarray(weights, dtype=float)
    return np.sort(rng.choice(len(p), size=count, replace=True, p=p / p.sum()))


def make_schools(tracts: gpd.GeoDataFrame, rng: np.random.Generator) -> list[dict]:
    rows = []
    for level, count in N_SCHOOLS.items():
        weight = tracts["children"].to_numpy() + 20.0
        picks = choose_tracts(weight, count, rng)
        names = unique_names([tracts.NEIGHBORHOOD[i] for i in picks], f"{level.title()} School")
        low, high = SCHOOL_SEATS[level]
        for i, name in zip(picks, names, strict=True):
            xy = points_in(tracts.geometry[i], 1, rng)[0]
            seats = int(rng.integers(low // 10, high // 10 + 1)) * 10
            rows.append(
                {
                    "level": level,
                    "name": name,
                    "capacity": seats,
                    "tract": tracts.GEOID[i],
                    "xy": xy,
                }
            )
    for k, row in enumerate(rows, start=1):
        row["id"] = f"SCH-{k:03d}"
    return rows


def make_childcare(tracts: gpd.GeoDataFrame, rng: np.random.Generator) -> list[dict]:
    # Centres follow children and paying parents (and workplaces): fewer in poor areas.
    weight = (
        tracts["children"].to_numpy() * np.clip(tracts["income_index"].to_numpy(), 0.3, 2.5) ** 1.2
    )
    weight = weight + tracts["jobs"].to_numpy() / 60.0
    picks = choose_tracts(weight, N_CHILDCARE, rng)
    styles = ("Child Development Center", "Early Learning Academy", "Kids' Place", "Day Nursery")
    bases = [tracts.NEIGHBORHOOD[i] for i in picks]
    kinds = [styles[int(s)] for s in rng.integers(0, len(styles), size=len(picks))]
    rows = []
    seen: dict[tuple[str, str], int] = {}
    for i, base, style in zip(picks, bases, kinds, strict=True):
        seen[(base, style)] = seen.get((base, style), 0) + 1
        number = seen[(base, style)]
        name = f"{base} {style}" + ("" if number == 1 else f" {number}")
        slots = int(
            rng.choice(
                [12, 18, 24, 36, 48, 60, 75, 90, 120, 150],
                p=[0.08, 0.1, 0.14, 0.16, 0.16, 0.13, 0.1, 0.06, 0.04, 0.03],
            )
        )
        rows.append(
            {
                "name": name,
                "capacity": slots,
                "tract": tracts.GEOID[i],
                "xy": points_in(tracts.geometry[i], 1, rng)[0],
            }
        )
    for k, row in enumerate(rows, start=1):
        row["id"] = f"CC-{k:03d}"
    return rows


def make_clinics(tracts: gpd.GeoDataFrame, rng: np.random.Generator) -> list[dict]:
    rows = []
    medical = int(np.flatnonzero(tracts.GEOID == MEDICAL_DISTRICT)[0])
    # Hospital outpatient practices cluster in the medical district.
    for k in range(4):
        rows.append(
            {
                "type": "hospital outpatient",
                "name": f"University Hospital Primary Care {('North', 'South', 'East', 'West')[k]}",
                "physicians": int(rng.integers(8, 19)),
                "tract": tracts.GEOID[medical],
                "xy": points_in(tracts.geometry[medical], 1, rng)[0],
            }
        )
    # Private practices follow population and, strongly, income.
    weight = (
        tracts["population"].to_numpy()
        * np.clip(tracts["income_index"].to_numpy(), 0.3, 3.0) ** 2.5
    )
    weight[medical] = 0.0
    for i in choose_tracts(weight, N_CLINICS - 4, rng):
        rows.append(
            {
                "type": "primary care",
                "name": f"{tracts.NEIGHBORHOOD[i]} Family Medicine",
                "physicians": int(rng.choice([1, 2, 2, 3, 3, 4, 5, 6, 8])),
                "tract": tracts.GEOID[i],
                "xy": points_in(tracts.geometry[i], 1, rng)[0],
            }
        )
    # A few community health centres in the poorest populous tracts.
    populous = tracts["population"].to_numpy() > 1000
    order = np.argsort(np.where(populous, tracts["income_index"].to_numpy(), np.inf), kind="stable")
    chosen: list[int] = []
    for i in order:
        far = all(
            tracts.geometry[i].centroid.distance(tracts.geometry[j].centroid) > 3000 for j in chosen
        )
        if far:
            chosen.append(int(i))
        if len(chosen) == N_HEALTH_CENTRES:
            break
    for i in chosen:
        rows.append(
            {
                "type": "community health center",
                "name": f"{tracts.NEIGHBORHOOD[i]} Community Health Center",
                "physicians": int(rng.integers(3, 8)),
                "tract": tracts.GEOID[i],
                "xy": points_in(tracts.geometry[i], 1, rng)[0],
            }
        )
    names = unique_names([row["name"] for row in rows], "")
    for k, (row, name) in enumerate(zip(rows, names, strict=True), start=1):
        row["id"] = f"CL-{k:03d}"
        row["name"] = name
    return rows


def write_geojson(path: Path, name: str, rows: list[dict], properties: list[str]) -> None:
    """A FeatureCollection in longitude/latitude (RFC 7946), one feature per line."""
    to_lonlat = Transformer.from_crs(WORK_CRS, "EPSG:4326", always_xy=True)
    lines = []
    for row in rows:
        lon, lat = to_lonlat.transform(row["xy"][0], row["xy"][1])
        feature = {
            "type": "Feature",
            "properties": {key: row[key] for key in properties},
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    text = (
        '{"type":"FeatureCollection","name":'
        + json.dumps(name)
        + ',"features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )
    path.write_text(text, encoding="utf-8")


def check(folder: Path, tracts: gpd.GeoDataFrame) -> None:
    """Read the outputs back and check the rules stated in the module docstring."""
    wac = pd.read_csv(folder / "jobs_lodes_wac.csv", dtype={"w_geocode": str})
    assert wac["w_geocode"].str.fullmatch(r"\d{15}").all()
    assert (wac[["CE01", "CE02", "CE03"]].sum(axis=1) == wac["C000"]).all()
    per_tract = wac.groupby(wac["w_geocode"].str[:11])["C000"].sum()
    expected = tracts.set_index("GEOID")["jobs"].astype(int)
    assert per_tract.reindex(expected.index).fillna(0).astype(int).equals(expected), "tract totals"
    blocks = gpd.read_file(folder / "blocks.geojson")
    assert set(wac["w_geocode"]) <= set(blocks["GEOID20"]), "every WAC block has a point"
    total = sum((folder / f).stat().st_size for f in OUTPUTS)
    assert total < MAX_TOTAL_BYTES, f"outputs are {total:,} bytes"


OUTPUTS = (
    "jobs_lodes_wac.csv",
    "blocks.geojson",
    "schools.geojson",
    "childcare.geojson",
    "clinics.geojson",
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "magnolia")
    folder = parser.parse_args(argv).out
    rng = np.random.default_rng(SEED)
    tracts = load(folder)

    wac, blocks = make_blocks(tracts, rng)
    wac.to_csv(folder / "jobs_lodes_wac.csv", index=False, lineterminator="\n")
    block_rows = [{"GEOID20": r.GEOID20, "xy": (r.x, r.y)} for r in blocks.itertuples()]
    write_geojson(folder / "blocks.geojson", "blocks", block_rows, ["GEOID20"])
    schools = make_schools(tracts, rng)
    write_geojson(
        folder / "schools.geojson", "schools", schools, ["id", "name", "level", "capacity", "tract"]
    )
    childcare = make_childcare(tracts, rng)
    write_geojson(
        folder / "childcare.geojson", "childcare", childcare, ["id", "name", "capacity", "tract"]
    )
    clinics = make_clinics(tracts, rng)
    write_geojson(
        folder / "clinics.geojson",
        "clinics",
        clinics,
        ["id", "name", "type", "physicians", "tract"],
    )
    check(folder, tracts)

    # Summary: clinics by income half of the tracts (the medical district apart).
    income = tracts.set_index("GEOID")["income_index"]
    population = tracts.set_index("GEOID")["population"]
    lower = set(income.index[income <= income.median()]) - {MEDICAL_DISTRICT}
    upper = set(income.index[income > income.median()]) - {MEDICAL_DISTRICT}
    physicians = pd.Series([c["physicians"] for c in clinics], index=[c["tract"] for c in clinics])

    def per_10k(tract_ids: set[str]) -> float:
        return (
            physicians[physicians.index.isin(tract_ids)].sum()
            / population[list(tract_ids)].sum()
            * 1e4
        )

    in_lower = sum(c["tract"] in lower for c in clinics)
    in_upper = sum(c["tract"] in upper for c in clinics)
    sizes = {name: (folder / name).stat().st_size for name in OUTPUTS}
    print(
        f"jobs_lodes_wac.csv: {len(wac)} blocks, {wac['C000'].sum():,} jobs "
        f"(CE01 {wac['CE01'].sum():,}, CE02 {wac['CE02'].sum():,}, CE03 {wac['CE03'].sum():,})"
    )
    print(f"blocks.geojson: {len(blocks)} block points")
    print(f"schools.geojson: {len(schools)} schools, {sum(s['capacity'] for s in schools):,} seats")
    print(
        f"childcare.geojson: {len(childcare)} centres, "
        f"{sum(c['capacity'] for c in childcare):,} slots"
    )
    print(
        f"clinics.geojson: {len(clinics)} clinics, {physicians.sum()} physicians; outside the "
        f"medical district {in_lower} clinics ({per_10k(lower):.1f} physicians per 10,000 "
        f"residents) in the lower-income half of tracts, {in_upper} ({per_10k(upper):.1f}) "
        "in the upper"
    )
    print(f"total size: {sum(sizes.values()):,} bytes")


if __name__ == "__main__":
    main()
