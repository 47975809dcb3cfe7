#!/usr/bin/env python3
"""Generate the synthetic "Magnolia City" sample project for equityplanner.

Run:  python sample_projects/generate_sample.py [--out DIR]      (default: sample_projects/magnolia)

Writes, into DIR:
  tracts.gpkg          180 census-tract-like polygons (layer "tracts", EPSG:4269 like TIGER/Line)
  acs_2019_2023.csv    ACS-5-year-style estimates (<var>E) and 90% margins (<var>M) per tract,
                       keyed by GEO_ID as data.census.gov writes it, plus a plain "jobs" column
  sample.eqp.json      the equityplanner project file (schema version 2)
  proposals.geojson    the proposed projects alone (for the CLI's --projects option)
  README.md            what the sample is, the calibration targets and the achieved figures

EVERYTHING IS SYNTHETIC. The geography is a fictional city laid over the Birmingham, Alabama area;
the numbers are drawn from simple models calibrated to approximate city-wide ACS 2019-2023
figures for Birmingham. No real person, household or tract is described.

The script is standalone (numpy, pandas, shapely 2, geopandas/pyogrio, pyproj) and deterministic:
fixed seeds, no timestamps, fixed column and row order. The CSV, JSON, GeoJSON and README are
byte-for-byte reproducible; the GeoPackage's attribute data and geometries are too (its
gpkg_contents timestamp is pinned with GDAL's OGR_CURRENT_DATE).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

# --------------------------------------------------------------------------------------------
# Constants
# --------------------------------------------------------------------------------------------

SEED = 20261125
N_TRACTS = 180
CENTRE_LONLAT = (-86.80, 33.52)
WORK_CRS = "EPSG:26916"  # NAD83 / UTM zone 16N (metres): all geometry is built here
OUT_CRS = "EPSG:4269"  # NAD83 geographic, as TIGER/Line files are
STATE_FIPS, COUNTY_FIPS = "01", "073"  # Alabama, Jefferson County
SEMI_AXIS_EW, SEMI_AXIS_NS = 10_000.0, 7_000.0  # ~20 km x 14 km
DOWNTOWN = (-500.0, 300.0)  # metres from the centre
AMI_USD = 85_000  # approximate HUD 4-person median family income, Birmingham-Hoover MSA
PROJECT_DATE = "2026-11-25"

# Approximate ACS 2019-2023 5-year figures for Birmingham city, AL (from memory of Census
# QuickFacts / data.census.gov; they are calibration targets, not citations).
TARGETS = {
    "population": 197_000,
    "pct_nh_black": 67.0,
    "pct_nh_white": 23.0,
    "pct_hispanic": 4.5,
    "pct_nh_asian": 1.5,
    "median_household_income": 42_000,
    "poverty_rate": 25.0,
    "pct_renter": 55.0,
    "pct_zero_vehicle": 13.0,
    "median_gross_rent": 975,
    "pct_under_18": 21.0,
    "pct_65_plus": 16.0,
    "pct_disability": 16.0,
    "pct_limited_english": 1.5,
}

# Race/ethnicity categories of B03002 and their city-wide target shares (sum to 1).
RACE_VARS = [
    "B03002_003",
    "B03002_004",
    "B03002_005",
    "B03002_006",
    "B03002_007",
    "B03002_008",
    "B03002_009",
    "B03002_012",
]
RACE_TARGET = np.array([0.230, 0.670, 0.0015, 0.015, 0.0003, 0.0035, 0.0347, 0.045])

# B01001 65+ cells: male 65-66, 67-69, 70-74, 75-79, 80-84, 85+, then female likewise.
AGE65_VARS = [f"B01001_{i:03d}" for i in (20, 21, 22, 23, 24, 25, 44, 45, 46, 47, 48, 49)]
AGE65_P = np.array(
    [0.070, 0.085, 0.115, 0.075, 0.040, 0.035, 0.080, 0.105, 0.145, 0.105, 0.070, 0.075]
)
AGE65_P = AGE65_P / AGE65_P.sum()

JAM_ESTIMATE, JAM_MOE = -666666666, -222222222

# Model strengths (tuned so that Black-White dissimilarity and the R/ECAP count look like a
# highly segregated Southern city without being extreme).
RACE_WHITE_Z, Z_NOISE = 0.8, 0.45
INC_Z, INC_WHITE, INC_NOISE = 0.16, 0.25, 0.17


# --------------------------------------------------------------------------------------------
# Small numeric helpers
# --------------------------------------------------------------------------------------------

_erf = np.vectorize(math.erf, otypes=[float])


def norm_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + _erf(np.asarray(z, dtype=float) / math.sqrt(2.0)))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def solve_shift(f, target: float, lo: float, hi: float) -> float:
    """The shift s in [lo, hi] with f(s) = target, for f increasing in s (bisection)."""
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def calibrate_logit(base: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    """Shift a logit so that the weighted mean of sigmoid(logit) equals target."""
    return base + solve_shift(
        lambda c: np.average(sigmoid(base + c), weights=weight), target, -15.0, 15.0
    )


def calibrate_share(p: np.ndarray, weight: np.ndarray, target: float) -> np.ndarray:
    """Shift probabilities on the logit scale so that their weighted mean equals target."""
    return sigmoid(calibrate_logit(np.log(p / (1 - p)), weight, target))


def mixture_median(log_medians: np.ndarray, sigma: float, weight: np.ndarray) -> float:
    """Median of a weighted mixture of lognormals with the given log-medians and common sigma."""
    return math.exp(
        solve_shift(
            lambda x: np.average(norm_cdf((x - log_medians) / sigma), weights=weight),
            0.5,
            float(log_medians.min()) - 4 * sigma,
            float(log_medians.max()) + 4 * sigma,
        )
    )


def weighted_median(values: np.ndarray, weight: np.ndarray) -> float:
    order = np.argsort(values, kind="stable")
    v, w = values[order], weight[order]
    cw = np.cumsum(w)
    return float(v[np.searchsorted(cw, 0.5 * cw[-1])])


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------


def city_boundary(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular city limit: a wobbly ellipse with an enclave-like bite on the south side."""
    theta = np.linspace(0.0, 2.0 * np.pi, 481)[:-1]
    ph = rng.uniform(0.0, 2.0 * np.pi, 5)
    wobble = (
        1.0
        + 0.070 * np.sin(2 * theta + ph[0])
        + 0.050 * np.sin(3 * theta + ph[1])
        + 0.035 * np.sin(7 * theta + ph[2])
        + 0.018 * np.sin(13 * theta + ph[3])
        + 0.008 * np.sin(29 * theta + ph[4])
    )
    a, b = SEMI_AXIS_EW, SEMI_AXIS_NS
    r = a * b / np.sqrt((b * np.cos(theta)) ** 2 + (a * np.sin(theta)) ** 2) * wobble
    outline = shapely.Polygon(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    # A neighbouring municipality biting into the southern edge ("over the mountain" suburb).
    bite = shapely.buffer(shapely.Point(2_300.0, -7_600.0), 2_400.0, quad_segs=16)
    city = shapely.difference(outline, bite)
    city = shapely.set_precision(city, 1.0)  # whole metres in the working CRS
    assert city.geom_type == "Polygon" and city.is_valid
    return city


def voronoi_cells(points: np.ndarray, boundary: shapely.Polygon) -> np.ndarray:
    """Voronoi cells of the points (in input order), clipped to the boundary. Vectorised."""
    vor = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=boundary, ordered=True)
    return shapely.intersection(shapely.get_parts(vor), boundary)


def tract_polygons(rng: np.random.Generator, boundary: shapely.Polygon) -> np.ndarray:
    """180 tract polygons: density-weighted jittered seeds, relaxed by damped Lloyd steps."""
    spacing = 700.0
    xmin, ymin, xmax, ymax = boundary.bounds
    gx, gy = np.meshgrid(np.arange(xmin, xmax, spacing), np.arange(ymin, ymax, spacing))
    cand = np.column_stack([gx.ravel(), gy.ravel()]) + spacing * 0.5
    cand += rng.uniform(-0.4, 0.4, cand.shape) * spacing
    cand = cand[shapely.contains_xy(boundary, cand[:, 0], cand[:, 1])]
    d = np.hypot(cand[:, 0] - DOWNTOWN[0], cand[:, 1] - DOWNTOWN[1])
    dens = 0.45 + np.exp(-(d**2) / (2 * 3_500.0**2))  # smaller tracts near downtown
    idx = np.sort(rng.choice(len(cand), N_TRACTS, replace=False, p=dens / dens.sum()))
    pts = cand[idx]
    for _ in range(4):  # damped Lloyd relaxation: removes slivers, keeps the density contrast
        cells = voronoi_cells(pts, boundary)
        pts = pts + 0.55 * (shapely.get_coordinates(shapely.centroid(cells)) - pts)
    cells = voronoi_cells(pts, boundary)
    assert len(cells) == N_TRACTS
    assert set(shapely.get_type_id(cells).tolist()) == {3}, "every tract must be one polygon"
    return cells


def tract_codes(rng: np.random.Generator, order: np.ndarray, tiny: int) -> list[str]:
    """Six-digit tract codes in the Census style: base number x 100 (+ .01/.02 after splits)."""
    codes = [""] * N_TRACTS
    base, i = 1, 0
    seq = [t for t in order if t != tiny]
    while i < len(seq):
        u = rng.random()
        group = 3 if u < 0.05 else 2 if u < 0.30 else 1
        group = min(group, len(seq) - i)
        for k in range(group):
            codes[seq[i + k]] = f"{base:04d}{(k + 1) if group > 1 else 0:02d}"
        i += group
        base += 1 if rng.random() < 0.8 else 2  # numbering has gaps, as real numbering does
    codes[tiny] = "980000"  # 98xx: special land-use tract (airport / industrial park)
    return codes


def tract_name(code: str) -> str:
    base, suffix = int(code[:4]), int(code[4:])
    return f"Census Tract {base}" + (f".{suffix:02d}" if suffix else "")


# Fictional neighbourhood names (chosen to avoid real Birmingham neighbourhood names).
NAME_POOLS = {
    "central": [
        "Downtown",
        "Magnolia Square",
        "Civic Center",
        "Warehouse District",
        "Southside",
        "Lofts District",
        "Northside Commons",
        "Rail Yards",
    ],
    "north": [
        "Collins Heights",
        "Furnace Hill",
        "North Magnolia",
        "Cotton Mill",
        "Slag Hill",
        "Harmon Park",
        "Pipe Works Village",
        "Fairlane",
        "Hopewell",
        "Dunbar Heights",
        "Cedar Bluff",
        "Sherwood Heights",
        "Kingsbury",
        "Mill Creek Road",
        "Lewiston",
        "Boyd Station",
        "Ingleside",
        "Hufford Woods",
        "Pine Ridge",
        "Frog Hollow",
        "Evergreen",
        "Gate Hill",
        "Stockton",
        "Thornton",
        "Riverview",
    ],
    "east": [
        "Woodbrook",
        "Clearwater Park",
        "Redbud Springs",
        "Zion Heights",
        "Browning",
        "Pine Knoll",
        "Sycamore Hills",
        "Rosewood",
        "Gatewood",
        "Spring Lake",
        "Eastmoor",
        "Oak Ridge",
        "East Magnolia",
        "Hickory Flats",
        "Echo Hills",
        "Penfield",
        "Willow Creek",
        "Liberty Grove",
        "Red Oak",
        "Crestmoor Park",
        "Clearview",
        "Marble Hill",
        "Cahaba Crossing",
        "Sun Valley",
        "Dogwood",
    ],
    "south": [
        "Highland Terrace",
        "Shady Crest",
        "Ridgecrest",
        "Cahaba View",
        "Forest Glen",
        "Anvil Heights",
        "Red Bluff",
        "Glen Ivy",
        "Hollyberry Hills",
        "Briarwood Park",
        "Village Green",
        "Lakewood",
        "Mountain Terrace",
        "Azalea Park",
        "Oak Hill",
        "Valley View",
        "Overlook",
        "Alta Vista",
        "Briarcliff",
        "Mockingbird Hills",
        "Windsor Hills",
        "Chestnut Ridge",
        "Bluffview",
        "Laurel Ridge",
        "Hawthorne",
    ],
    "west": [
        "Ironworks",
        "Foundry Row",
        "Tuxford Park",
        "Rosemont",
        "Ensworth",
        "Grant Park",
        "Fairmont",
        "Wyland Heights",
        "Pitt Hill",
        "Westgate",
        "Linden Park",
        "Powder Mill",
        "Ochre Valley",
        "Masonville",
        "Limestone Ridge",
        "Bellmont Heights",
        "Arbor Crest",
        "Coal Valley",
        "Green Meadows",
        "Tanner",
        "Hartley",
        "Bramble Hills",
        "Smithwood Estates",
        "Commons Park",
        "Hillcrest",
    ],
}


def neighbourhood_names(rng: np.random.Generator, cxy: np.ndarray, k: int = 70) -> list[str]:
    """Group tracts into k neighbourhoods (k-means on centroids) and name them by area."""
    centres = cxy[rng.choice(len(cxy), k, replace=False)]
    for _ in range(30):
        lab = np.argmin(((cxy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        counts = np.bincount(lab, minlength=k)
        sums = np.zeros_like(centres)
        np.add.at(sums, lab, cxy)
        nonempty = counts > 0
        centres[nonempty] = sums[nonempty] / counts[nonempty, None]
    used = np.unique(lab)
    rel = centres[used] - np.array(DOWNTOWN)
    ang = np.degrees(np.arctan2(rel[:, 1], rel[:, 0]))
    dist = np.hypot(rel[:, 0], rel[:, 1])
    region = np.where(
        dist < 2_000,
        "central",
        np.where(
            (ang >= 45) & (ang < 135),
            "north",
            np.where(
                (ang >= -45) & (ang < 45),
                "east",
                np.where((ang >= -150) & (ang < -45), "south", "west"),
            ),
        ),
    )
    # Within a region, hand out names in order of angle then distance (deterministic).
    name_of = {}
    for reg, pool in NAME_POOLS.items():
        sel = np.flatnonzero(region == reg)
        sel = sel[np.lexsort((dist[sel], ang[sel]))]
        assert len(sel) <= len(pool), f"too few names for region {reg}"
        for j, s in enumerate(sel):
            name_of[int(used[s])] = pool[j]
    return [name_of[int(c)] for c in lab]


# --------------------------------------------------------------------------------------------
# Synthetic ACS table
# --------------------------------------------------------------------------------------------


class Moe:
    """Margins of error shaped like ACS 5-year tract margins (90% level)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.design = rng.uniform(2.0, 4.0, N_TRACTS)  # design factor per tract
        self.zero = {}  # per-table margin reported for a zero estimate

    def _zero_for(self, var: str) -> int:
        table = var.split("_")[0]
        if table not in self.zero:
            self.zero[table] = int(self.rng.choice([12, 13, 14, 15, 17, 19]))
        return self.zero[table]

    def count(
        self,
        var: str,
        est: np.ndarray,
        universe: np.ndarray,
        universe_moe: np.ndarray | None = None,
    ) -> np.ndarray:
        """Sampling error of a part of a universe, 1.645 x sqrt(design x n p (1 - p)), plus the
        universe's own uncertainty carried in proportion (delta method); small-count floor."""
        p = np.clip(est / np.maximum(universe, 1), 0.0, 1.0)
        v = (1.645**2) * self.design * est * (1.0 - p)
        if universe_moe is not None:
            v = v + (p * universe_moe) ** 2
        return np.maximum(np.rint(np.sqrt(v)), self._zero_for(var)).astype(np.int64)

    def total(self, var: str, est: np.ndarray, scale: float = 1.3) -> np.ndarray:
        m = 1.645 * np.sqrt(self.design * est) * scale * self.rng.uniform(0.85, 1.15, N_TRACTS)
        return np.maximum(np.rint(m), self._zero_for(var)).astype(np.int64)

    def median(self, est: np.ndarray, n: np.ndarray) -> np.ndarray:
        rel = 0.07 + 2.2 / np.sqrt(np.maximum(n, 1)) + self.rng.uniform(0.0, 0.06, N_TRACTS)
        return np.maximum(np.rint(est * np.clip(rel, 0.08, 0.45)), 1).astype(np.int64)


def synthesize(
    rng: np.random.Generator, cxy: np.ndarray, area_km2: np.ndarray, tiny: int, campus: int
) -> tuple[pd.DataFrame, dict]:
    """Draw all tract attributes. Returns (columns by ACS variable, diagnostics)."""
    n = N_TRACTS
    xk = (cxy[:, 0] - DOWNTOWN[0]) / 1000.0  # km east of downtown
    yk = (cxy[:, 1] - DOWNTOWN[1]) / 1000.0  # km north of downtown
    d_dt = np.hypot(xk, yk)

    # --- latent "advantage" surface: south of a WSW-ENE ridge and east of the south-west valley
    ridge_y = -1.5 + 0.12 * xk
    over_ridge = sigmoid((ridge_y - yk) / 0.45)
    not_sw = sigmoid((xk + 2.0) / 1.0)
    core = np.exp(-(xk**2 + (yk + 0.7) ** 2) / (2 * 1.1**2))  # downtown / Southside mix
    se = np.clip((xk * 0.25 - yk * 0.95) / 8.0, -1, 1)
    z = 3.3 * over_ridge * not_sw + 1.4 * core + 0.8 * se + rng.normal(0.0, Z_NOISE, n)

    # --- population, group quarters
    pop = np.rint(np.exp(rng.normal(0.0, 0.28, n)) * (1.0 + 0.25 * np.exp(-d_dt / 3.0)) * 1000)
    pop[campus] = 0
    pop[tiny] = 0
    pop = np.rint(pop * (TARGETS["population"] - 2_650 - 31) / pop.sum()).astype(np.int64)
    pop[campus] = 2_650
    pop[tiny] = 31
    gq_college = np.zeros(n, np.int64)
    gq_college[campus] = 2_180
    p_inst = np.where(
        rng.random(n) < 0.05,
        rng.uniform(0.03, 0.08, n),  # a few nursing homes
        rng.uniform(0.0, 0.012, n),
    )
    p_inst[[tiny, campus]] = 0.0
    gq_inst = rng.binomial(pop, p_inst)
    gq = gq_college + gq_inst
    hh_pop = pop - gq

    # --- race / ethnicity: multinomial logit calibrated to the city-wide targets
    hisp_cluster = np.exp(-((xk - 7.0) ** 2 + (yk - 1.0) ** 2) / (2 * 1.8**2)) + 0.8 * np.exp(
        -((xk + 4.5) ** 2 + (yk + 4.0) ** 2) / (2 * 1.5**2)
    )
    slopes = np.column_stack(
        [
            RACE_WHITE_Z * z,  # NH white
            -0.35 * z,  # NH Black
            0.2 * z,  # NH AIAN
            0.9 * z + 1.6 * core,  # NH Asian (university, medical district)
            0.0 * z,  # NH NHPI
            0.2 * z + 0.8 * hisp_cluster,  # NH some other race
            0.6 * z + 0.6 * core,  # NH two or more races
            0.25 * z + 2.2 * hisp_cluster + 0.3 * rng.normal(0, 1, n),  # Hispanic
        ]
    )
    intercept = np.log(RACE_TARGET)
    for _ in range(200):
        util = slopes + intercept
        share = np.exp(util - util.max(axis=1, keepdims=True))
        share /= share.sum(axis=1, keepdims=True)
        achieved = (share * pop[:, None]).sum(axis=0) / pop.sum()
        intercept += np.log(RACE_TARGET / achieved)
    race = rng.multinomial(pop, share)  # parts sum exactly to pop

    white_sh = race[:, 0] / np.maximum(pop, 1)
    asian_sh = race[:, 3] / np.maximum(pop, 1)
    hisp_sh = race[:, 7] / np.maximum(pop, 1)

    # --- income: tract log-median (shape now, level calibrated once households are known);
    #     within-tract household incomes are lognormal(mu, sigma_inc)
    sigma_inc = 0.85
    north_industrial = np.exp(-((xk - 0.5) ** 2 + (yk - 4.0) ** 2) / (2 * 2.0**2))
    mu = (
        INC_Z * z
        + INC_WHITE * white_sh
        + rng.normal(0.0, INC_NOISE, n)
        - 0.20 * np.exp(-d_dt / 1.5)
        - 0.12 * north_industrial
    )
    w0 = np.maximum(hh_pop, 1).astype(float)
    mu_std = (mu - np.average(mu, weights=w0)) / np.sqrt(np.cov(mu, aweights=w0))

    # --- age: under 18 (in households), 65+ by sex and age
    p_u18 = np.clip(
        0.215 - 0.030 * mu_std + 0.07 * hisp_sh - 0.09 * core + rng.normal(0, 0.025, n), 0.02, 0.40
    )
    p_u18 = calibrate_share(p_u18, hh_pop, 0.212 * pop.sum() / hh_pop.sum())
    p_u18[campus] = 0.01
    u18 = rng.binomial(hh_pop, p_u18)
    p65 = np.clip(
        0.16
        + 0.02 * over_ridge
        + 0.015 * np.tanh(d_dt / 3 - 1)
        - 0.08 * core
        + rng.normal(0, 0.03, n),
        0.03,
        0.35,
    )
    p65 = calibrate_share(p65, hh_pop, 0.158 * pop.sum() / hh_pop.sum())
    p65[campus] = 0.02
    n65_hh = rng.binomial(hh_pop - u18, np.clip(p65 / np.maximum(1 - p_u18, 0.5), 0, 0.6))
    n65_gq = np.rint(0.6 * gq_inst).astype(np.int64)
    n65 = n65_hh + n65_gq
    age65 = rng.multinomial(n65, AGE65_P)

    # --- households, tenure, vehicles, language, housing units
    hh_size = np.clip(1.55 + 3.0 * p_u18 + rng.normal(0, 0.08, n), 1.35, 3.4)
    hh = np.maximum(np.rint(hh_pop / hh_size), 0).astype(np.int64)
    hh[tiny] = 12
    hh[campus] = 185
    mu = mu + solve_shift(
        lambda c: mixture_median(mu + c, sigma_inc, hh),
        TARGETS["median_household_income"],
        5.0,
        15.0,
    )
    renter_logit = calibrate_logit(-0.85 * mu_std + 1.6 * core + rng.normal(0, 0.35, n), hh, 0.55)
    p_rent = sigmoid(renter_logit)
    p_rent[campus] = 0.96
    renters = rng.binomial(hh, p_rent)
    # One established owner-occupied tract with too few renters for a median gross rent.
    few_renters = int(np.argmax(np.where(np.arange(n) == campus, -np.inf, mu)))
    renters[few_renters] = min(renters[few_renters], 6)

    burden = sigmoid(calibrate_logit(-0.55 * mu_std + rng.normal(0, 0.25, n), renters, 0.52))
    burden_split = np.array([0.17, 0.12, 0.18, 0.53])
    pb = np.column_stack([burden[:, None] * burden_split, 1 - burden])
    rent_burden = rng.multinomial(renters, pb)[:, :4]

    pov_index = -mu_std
    zv_logit = calibrate_logit(
        0.75 * pov_index + 1.4 * (p_rent - 0.55) + 0.9 * core + rng.normal(0, 0.3, n), hh, 0.13
    )
    zero_veh = rng.binomial(hh, sigmoid(zv_logit))

    lep_base = np.column_stack(
        [0.30 * hisp_sh, 0.0012 + 0 * hisp_sh, 0.20 * asian_sh, 0.0009 + 0 * hisp_sh]
    )
    scale = 0.015 / np.average(lep_base.sum(axis=1), weights=hh)
    lep_p = np.clip(lep_base * scale, 0, 0.3)
    lep = rng.binomial(hh[:, None], lep_p)

    vac_logit = calibrate_logit(0.6 * pov_index + rng.normal(0, 0.3, n), hh, 0.165)
    units = np.rint(hh / (1 - sigmoid(vac_logit))).astype(np.int64)
    units[tiny] = 14

    # --- poverty: income-to-poverty ratio lognormal per tract, bins of C17002
    pov_univ = np.maximum(pop - gq - rng.binomial(pop, 0.004), 0)
    pov_univ[campus] = hh_pop[campus] + 40
    sigma_r = 1.0
    edges = np.log(np.array([0.5, 1.0, 1.25, 1.5, 1.85, 2.0]))
    # log income-to-poverty ratio follows log income; shift it so the city-wide share below
    # 1.0 (below poverty) is the target
    m_r = (
        mu
        - 10.7
        + solve_shift(
            lambda c: (
                -np.average(norm_cdf((edges[1] - (mu - 10.7 + c)) / sigma_r), weights=pov_univ)
            ),
            -TARGETS["poverty_rate"] / 100,
            -5.0,
            5.0,
        )
    )
    m_r[campus] -= 0.6  # off-campus students: low measured incomes
    cdf = norm_cdf((edges[None, :] - m_r[:, None]) / sigma_r)
    pbins = np.diff(np.column_stack([np.zeros(n), cdf, np.ones(n)]), axis=1)
    pov = rng.multinomial(pov_univ, pbins)[:, :6]  # C17002_002..007 (008 = 2.00+ not written)

    # --- disability (civilian noninstitutionalized population)
    civ = pop - gq_inst
    n1864 = civ - u18 - n65_hh
    assert (n1864 >= 0).all()
    dis_mult = 1.0
    lowinc = np.clip(0.35 * pov_index, -0.4, 0.8)
    for _ in range(40):
        r_u18 = np.clip(0.050 * dis_mult * (1 + lowinc), 0, 0.5)
        r_1864 = np.clip(0.130 * dis_mult * (1 + lowinc), 0, 0.6)
        r_65 = np.clip(0.360 * dis_mult * (1 + 0.5 * lowinc), 0, 0.9)
        rate = (r_u18 * u18 + r_1864 * n1864 + r_65 * n65_hh).sum() / civ.sum()
        dis_mult *= TARGETS["pct_disability"] / 100 / rate
    d_u18 = rng.multinomial(u18, np.column_stack([0.8 * r_u18, 0.2 * r_u18, 1 - r_u18]))[:, :2]
    d_1864 = rng.multinomial(n1864, np.column_stack([0.55 * r_1864, 0.45 * r_1864, 1 - r_1864]))[
        :, :2
    ]
    d_65 = rng.multinomial(n65_hh, np.column_stack([0.45 * r_65, 0.55 * r_65, 1 - r_65]))[:, :2]

    # --- medians
    med_inc = np.rint(np.exp(mu)).astype(np.int64)
    sigma_rent = 0.38
    log_rent = 0.26 * (mu - np.average(mu, weights=hh)) + 0.25 * core + rng.normal(0, 0.09, n)
    rent_w = np.maximum(renters, 0.1)
    log_rent = log_rent + solve_shift(
        lambda c: mixture_median(log_rent + c, sigma_rent, rent_w),
        TARGETS["median_gross_rent"],
        4.0,
        10.0,
    )
    med_rent = np.rint(np.exp(log_rent)).astype(np.int64)

    # --- jobs located in the tract: downtown, medical district, corridors, industry, airport
    def gauss(cx, cy, s):
        return np.exp(-((xk - cx) ** 2 + (yk - cy) ** 2) / (2 * s**2))

    pts = shapely.points(xk, yk)
    corridors = np.array(
        [
            shapely.LineString(c)
            for c in [
                [
                    (-9.0, -3.2),
                    (-4.0, -1.2),
                    (0.0, 0.0),
                    (4.5, 1.6),
                    (9.0, 3.0),
                ],  # interstate, SW-NE
                [(0.0, 0.0), (1.8, -2.5), (4.5, -4.8), (6.5, -6.0)],  # south-east parkway
                [(-8.5, 0.2), (-4.5, 0.1), (0.0, 0.0)],  # west avenue
                [(0.0, 0.0), (0.3, 3.0), (0.2, 6.0)],  # north highway
            ]
        ]
    )
    d_corr = np.min(shapely.distance(pts[:, None], corridors[None, :]), axis=1)
    job_density = (
        26_000 * gauss(0.0, 0.0, 0.8)
        + 17_000 * gauss(0.4, -1.1, 0.55)
        + 1_600 * np.exp(-(d_corr**2) / (2 * 0.45**2))
        + 900 * north_industrial
        + 120
    )
    jobs_exp = job_density * area_km2 * 0.55 + 0.07 * pop
    jobs = np.rint(jobs_exp * np.exp(rng.normal(0, 0.30, n))).astype(np.int64)
    jobs[tiny] = 5_870
    jobs[campus] = max(int(jobs[campus]), 9_400)

    cols = {"B03002_001": pop}
    for v, j in zip(RACE_VARS, range(8), strict=True):
        cols[v] = race[:, j]
    cols["B11001_001"] = hh
    cols["C17002_001"] = pov_univ
    for j in range(6):
        cols[f"C17002_{j + 2:03d}"] = pov[:, j]
    cols["B19013_001"] = med_inc
    cols["B25003_001"] = hh
    cols["B25003_003"] = renters
    cols["B25070_001"] = renters  # universe: renter-occupied units (equals B25003_003, as in ACS)
    for j, v in enumerate(["B25070_007", "B25070_008", "B25070_009", "B25070_010"]):
        cols[v] = rent_burden[:, j]
    cols["B08201_001"] = hh
    cols["B08201_002"] = zero_veh
    cols["C16002_001"] = hh
    for j, v in enumerate(["C16002_004", "C16002_007", "C16002_010", "C16002_013"]):
        cols[v] = lep[:, j]
    cols["B09001_001"] = u18
    for j, v in enumerate(AGE65_VARS):
        cols[v] = age65[:, j]
    cols["C18108_001"] = civ
    cols["C18108_003"], cols["C18108_004"] = d_u18[:, 0], d_u18[:, 1]
    cols["C18108_007"], cols["C18108_008"] = d_1864[:, 0], d_1864[:, 1]
    cols["C18108_011"], cols["C18108_012"] = d_65[:, 0], d_65[:, 1]
    cols["B25001_001"] = units
    cols["B25064_001"] = med_rent
    est = pd.DataFrame({k: np.asarray(v, dtype=np.int64) for k, v in cols.items()})

    diag = {
        "mu": mu,
        "sigma_inc": sigma_inc,
        "log_rent": log_rent,
        "sigma_rent": sigma_rent,
        "few_renters": few_renters,
        "p_u18": p_u18,
        "jobs": jobs,
    }
    return est, diag


def margins(
    rng: np.random.Generator, est: pd.DataFrame, jam_income: list[int], jam_rent: list[int]
) -> pd.DataFrame:
    """ACS-like 90% margins for every estimate, and jam values where medians are unavailable."""
    moe = Moe(rng)
    m = {}
    hh = est["B11001_001"].to_numpy()
    pop = est["B03002_001"].to_numpy()
    m["B03002_001"] = moe.total("B03002_001", pop)
    for v in RACE_VARS:
        m[v] = moe.count(v, est[v].to_numpy(), pop, m["B03002_001"])
    hh_moe = moe.total("B11001_001", hh, 1.1)
    for v in ("B11001_001", "B25003_001", "B08201_001", "C16002_001"):
        m[v] = hh_moe  # the same household total is published in each of these tables
    renters = est["B25003_003"].to_numpy()
    m["B25003_003"] = moe.count("B25003_003", renters, hh, hh_moe)
    m["B25070_001"] = m["B25003_003"]  # same universe (renter-occupied units), same margin
    for v in ("B25070_007", "B25070_008", "B25070_009", "B25070_010"):
        m[v] = moe.count(v, est[v].to_numpy(), renters, m["B25003_003"])
    m["B08201_002"] = moe.count("B08201_002", est["B08201_002"].to_numpy(), hh, hh_moe)
    for v in ("C16002_004", "C16002_007", "C16002_010", "C16002_013"):
        m[v] = moe.count(v, est[v].to_numpy(), hh, hh_moe)
    m["C17002_001"] = moe.total("C17002_001", est["C17002_001"].to_numpy())
    for j in range(2, 8):
        v = f"C17002_{j:03d}"
        m[v] = moe.count(v, est[v].to_numpy(), est["C17002_001"].to_numpy(), m["C17002_001"])
    m["B09001_001"] = moe.count("B09001_001", est["B09001_001"].to_numpy(), pop, m["B03002_001"])
    for v in AGE65_VARS:
        m[v] = moe.count(v, est[v].to_numpy(), pop, m["B03002_001"])
    m["C18108_001"] = moe.total("C18108_001", est["C18108_001"].to_numpy())
    for v in ("C18108_003", "C18108_004", "C18108_007", "C18108_008", "C18108_011", "C18108_012"):
        m[v] = moe.count(v, est[v].to_numpy(), est["C18108_001"].to_numpy(), m["C18108_001"])
    m["B25001_001"] = moe.total("B25001_001", est["B25001_001"].to_numpy(), 0.8)
    m["B19013_001"] = moe.median(est["B19013_001"].to_numpy(), hh)
    m["B25064_001"] = moe.median(est["B25064_001"].to_numpy(), est["B25003_003"].to_numpy())
    out = pd.DataFrame(m)[list(est.columns)]
    est = est.copy()
    for t in jam_income:
        est.loc[t, "B19013_001"], out.loc[t, "B19013_001"] = JAM_ESTIMATE, JAM_MOE
    for t in jam_rent:
        est.loc[t, "B25064_001"], out.loc[t, "B25064_001"] = JAM_ESTIMATE, JAM_MOE
    return est, out


# --------------------------------------------------------------------------------------------
# Proposals
# --------------------------------------------------------------------------------------------

BRT_STATIONS = [
    "Westgate Transit Center",
    "Foundry Row",
    "Tuxford Avenue",
    "Rosemont",
    "Ensworth",
    "Grant Park",
    "Civic Center",
    "Central Station",
    "Magnolia Square",
    "Sycamore Street",
    "Woodbrook",
    "Pine Knoll",
    "Clearwater Park",
    "Eastgate Transit Center",
]
BRT_FRACTIONS = [
    0.0,
    0.075,
    0.15,
    0.225,
    0.30,
    0.375,
    0.435,
    0.475,
    0.52,
    0.60,
    0.69,
    0.79,
    0.895,
    1.0,
]


def brt_alignment_km() -> list[tuple[float, float]]:
    """East-west BRT: western neighbourhoods -> downtown -> eastern neighbourhoods (km from DT)."""
    return [
        (-7.6, -0.7),
        (-6.3, -0.4),
        (-4.9, -0.45),
        (-3.4, -0.05),
        (-2.0, 0.05),
        (-0.9, 0.0),
        (0.0, 0.15),
        (0.9, 0.35),
        (2.1, 0.75),
        (3.6, 1.0),
        (5.0, 1.15),
        (6.4, 1.05),
        (7.7, 1.35),
    ]


# Route 14 runs on a street grid: N <street> St runs north-south, <avenue> Ave runs east-west.
STREET0, STREET_M, AVENUE_M = 20, 160.0, 140.0


def grid_xy(street: int, avenue: int) -> tuple[float, float]:
    return ((street - STREET0) * STREET_M / 1000.0, avenue * AVENUE_M / 1000.0)


def route14_stops() -> list[tuple[int, int]]:
    up1 = [(27, a) for a in (2, 5, 8, 11, 14, 17, 20, 23, 26, 29, 31)]
    east = [(s, 31) for s in (30, 33, 36, 39, 42, 45, 48)]
    up2 = [(48, a) for a in (33, 36)]
    return up1 + east + up2


def km_to_work(xy: np.ndarray) -> np.ndarray:
    return np.asarray(xy, dtype=float) * 1000.0 + np.array(DOWNTOWN)


def line_with_stations(vertices_km, fractions=None, stops_km=None):
    """A line in working metres whose vertices include the stations exactly (so that after
    rounding the stations still lie on the line). Returns (line coords, station coords)."""
    base = shapely.LineString(km_to_work(vertices_km))
    if stops_km is not None:
        st = km_to_work(stops_km)
    else:
        st = shapely.get_coordinates(
            shapely.line_interpolate_point(base, np.asarray(fractions) * base.length)
        )
    pos_v = shapely.line_locate_point(base, shapely.points(shapely.get_coordinates(base)))
    pos_s = shapely.line_locate_point(base, shapely.points(st))
    allc = np.vstack([shapely.get_coordinates(base), st])
    allp = np.concatenate([pos_v, pos_s])
    order = np.argsort(allp, kind="stable")
    allc, allp = allc[order], allp[order]
    keep = np.concatenate([[True], np.diff(allp) > 1e-6])  # drop vertices duplicated by stations
    return allc[keep], st


def make_lonlat(transformer: Transformer, origin: tuple[float, float]):
    """Working metres (relative to the centre) -> [[lon, lat], ...] rounded to 6 decimals.

    The output is NAD83 longitude/latitude; NAD83 and WGS84 agree within about a metre here
    and are treated as identical, as GIS software and TIGER/GeoJSON workflows usually do."""

    def lonlat(xy: np.ndarray) -> list[list[float]]:
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        lon, lat = transformer.transform(xy[:, 0] + origin[0], xy[:, 1] + origin[1])
        return [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]

    return lonlat


def feature(props: dict, geom: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geom}


def build_projects(lonlat, site_xy: np.ndarray) -> tuple[dict, dict]:
    feats = []
    housing = {
        "project_id": "southside-commons",
        "project_name": "Southside Commons (mixed-income)",
        "kind": "housing",
        "role": "site",
    }
    # Rents: 30% of a 2-person household's income at each band's ceiling (AMI x 0.8 for 2 people).
    two_person = AMI_USD * 0.8
    rents = {
        b: int(round(two_person * f * 0.30 / 12 / 10.0) * 10)
        for b, f in (("ami_30", 0.30), ("ami_50", 0.50), ("ami_80", 0.80))
    }
    housing.update(
        {
            "total_units": 240,
            "units_ami_30": 24,
            "units_ami_50": 48,
            "units_ami_80": 48,
            "units_market": 120,
            "tenure": "rental",
            "rent_ami_30": rents["ami_30"],
            "rent_ami_50": rents["ami_50"],
            "rent_ami_80": rents["ami_80"],
            "rent_market": 1450,
            "units_demolished": 60,
            "affordable_units_demolished": 48,
            "households_displaced": 52,
        }
    )
    feats.append(feature(housing, {"type": "Point", "coordinates": lonlat(site_xy)[0]}))

    brt_line, brt_st = line_with_stations(brt_alignment_km(), fractions=BRT_FRACTIONS)
    brt = {"project_id": "eastside-brt", "project_name": "Eastside Express BRT", "kind": "transit"}
    feats.append(
        feature(
            {
                **brt,
                "role": "alignment",
                "mode": "brt",
                "change": "new",
                "peak_headway_min": 10,
                "span_hours": 18,
                "fare_usd": 1.5,
            },
            {"type": "LineString", "coordinates": lonlat(brt_line)},
        )
    )
    for name, c in zip(BRT_STATIONS, lonlat(brt_st), strict=True):
        feats.append(
            feature({**brt, "role": "station", "name": name}, {"type": "Point", "coordinates": c})
        )

    stops = route14_stops()
    stops_km = np.array([grid_xy(s, a) for s, a in stops])
    r14_line, r14_st = line_with_stations(
        [grid_xy(27, 0), grid_xy(27, 31), grid_xy(48, 31), grid_xy(48, 37)], stops_km=stops_km
    )
    r14 = {"project_id": "route-14", "project_name": "Route 14 frequency cut", "kind": "transit"}
    feats.append(
        feature(
            {
                **r14,
                "role": "alignment",
                "mode": "bus",
                "change": "reduction",
                "peak_headway_min": 60,
                "baseline_peak_headway_min": 30,
                "span_hours": 14,
                "fare_usd": 1.5,
                "gtfs_routes": ["14"],
            },
            {"type": "LineString", "coordinates": lonlat(r14_line)},
        )
    )
    for (s, a), c in zip(stops, lonlat(r14_st), strict=True):
        name = f"N {ordinal(s)} St & {ordinal(a)} Ave"
        feats.append(
            feature({**r14, "role": "station", "name": name}, {"type": "Point", "coordinates": c})
        )
    work = {
        "brt_line": brt_line,
        "r14_line": r14_line,
        "rents": rents,
        "brt_km": shapely.LineString(brt_line).length / 1000.0,
        "r14_km": shapely.LineString(r14_line).length / 1000.0,
    }
    return {"type": "FeatureCollection", "features": feats}, work


# --------------------------------------------------------------------------------------------
# Summary figures
# --------------------------------------------------------------------------------------------


def dissimilarity(a: np.ndarray, b: np.ndarray) -> float:
    return 50.0 * float(np.abs(a / a.sum() - b / b.sum()).sum())


def city_figures(
    est: pd.DataFrame, diag: dict, valid_inc: np.ndarray, valid_rent: np.ndarray
) -> dict:
    e = {k: est[k].to_numpy() for k in est.columns}
    pop = e["B03002_001"].sum()
    hh = e["B11001_001"].sum()
    pov = e["C17002_002"] + e["C17002_003"]
    tract_pov = pov / np.maximum(e["C17002_001"], 1)
    nonwhite = 1 - e["B03002_003"] / np.maximum(e["B03002_001"], 1)
    recap = (tract_pov >= 0.40) & (nonwhite > 0.50) & (e["B03002_001"] >= 50)
    age65 = sum(e[v] for v in AGE65_VARS)
    dis = sum(
        e[v]
        for v in (
            "C18108_003",
            "C18108_004",
            "C18108_007",
            "C18108_008",
            "C18108_011",
            "C18108_012",
        )
    )
    burden = sum(e[v] for v in ("B25070_007", "B25070_008", "B25070_009", "B25070_010"))
    lep = sum(e[v] for v in ("C16002_004", "C16002_007", "C16002_010", "C16002_013"))
    black_sh = e["B03002_004"] / np.maximum(e["B03002_001"], 1)
    white_sh = e["B03002_003"] / np.maximum(e["B03002_001"], 1)
    return {
        "population": int(pop),
        "households": int(hh),
        "pct_nh_black": 100 * e["B03002_004"].sum() / pop,
        "pct_nh_white": 100 * e["B03002_003"].sum() / pop,
        "pct_hispanic": 100 * e["B03002_012"].sum() / pop,
        "pct_nh_asian": 100 * e["B03002_006"].sum() / pop,
        "median_household_income": mixture_median(
            diag["mu"][valid_inc], diag["sigma_inc"], e["B11001_001"][valid_inc]
        ),
        "median_household_income_tract_weighted": weighted_median(
            e["B19013_001"][valid_inc].astype(float), e["B11001_001"][valid_inc].astype(float)
        ),
        "poverty_rate": 100 * pov.sum() / e["C17002_001"].sum(),
        "pct_renter": 100 * e["B25003_003"].sum() / hh,
        "pct_zero_vehicle": 100 * e["B08201_002"].sum() / hh,
        "median_gross_rent": mixture_median(
            diag["log_rent"][valid_rent], diag["sigma_rent"], e["B25003_003"][valid_rent]
        ),
        "median_gross_rent_tract_weighted": weighted_median(
            e["B25064_001"][valid_rent].astype(float), e["B25003_003"][valid_rent].astype(float)
        ),
        "pct_under_18": 100 * e["B09001_001"].sum() / pop,
        "pct_65_plus": 100 * age65.sum() / pop,
        "pct_disability": 100 * dis.sum() / e["C18108_001"].sum(),
        "pct_limited_english": 100 * lep.sum() / hh,
        "pct_rent_burdened": 100 * burden.sum() / e["B25070_001"].sum(),
        "pct_vacant": 100 * (1 - hh / e["B25001_001"].sum()),
        "dissimilarity_black_white": dissimilarity(e["B03002_004"], e["B03002_003"]),
        "recap_tracts": int(recap.sum()),
        "recap_mask": recap,
        "majority_black_tracts": int((black_sh > 0.5).sum()),
        "majority_white_tracts": int((white_sh > 0.5).sum()),
    }


FIGURE_ROWS = [
    ("Population", "population", "{:,.0f}"),
    ("Non-Hispanic Black, %", "pct_nh_black", "{:.1f}"),
    ("Non-Hispanic White, %", "pct_nh_white", "{:.1f}"),
    ("Hispanic or Latino, %", "pct_hispanic", "{:.1f}"),
    ("Non-Hispanic Asian, %", "pct_nh_asian", "{:.1f}"),
    ("Median household income, $", "median_household_income", "{:,.0f}"),
    ("Persons below poverty, %", "poverty_rate", "{:.1f}"),
    ("Renter-occupied households, %", "pct_renter", "{:.1f}"),
    ("Households with no vehicle, %", "pct_zero_vehicle", "{:.1f}"),
    ("Median gross rent, $/month", "median_gross_rent", "{:,.0f}"),
    ("Under 18, %", "pct_under_18", "{:.1f}"),
    ("65 and over, %", "pct_65_plus", "{:.1f}"),
    ("With a disability, %", "pct_disability", "{:.1f}"),
    ("Limited-English households, %", "pct_limited_english", "{:.1f}"),
]


def figures_table(fig: dict) -> str:
    lines = ["| Figure | Approximate target | Achieved |", "|---|---:|---:|"]
    for label, key, fmt in FIGURE_ROWS:
        tgt = TARGETS[key]
        tgt_s = ("~" + fmt.format(tgt)) if key != "median_household_income" else "~41,000-43,000"
        if key == "median_gross_rent":
            tgt_s = "~950-1,000"
        lines.append(f"| {label} | {tgt_s} | {fmt.format(fig[key])} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent / "magnolia"),
        help="output folder (default: sample_projects/magnolia)",
    )
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rng_geo = np.random.default_rng(SEED)
    rng_data = np.random.default_rng(SEED + 1)
    rng_moe = np.random.default_rng(SEED + 2)

    to_work = Transformer.from_crs("EPSG:4326", WORK_CRS, always_xy=True)
    cx, cy = to_work.transform(*CENTRE_LONLAT)
    to_geo = Transformer.from_crs(WORK_CRS, OUT_CRS, always_xy=True)

    # ---- geography (working coordinates are metres relative to the centre)
    boundary = city_boundary(rng_geo)
    cells = tract_polygons(rng_geo, boundary)
    cxy = shapely.get_coordinates(shapely.centroid(cells))
    area_km2 = shapely.area(cells) / 1e6
    rel = cxy - np.array(DOWNTOWN)
    dist = np.hypot(rel[:, 0], rel[:, 1])
    ang = np.mod(90.0 - np.degrees(np.arctan2(rel[:, 1], rel[:, 0])), 360.0)  # clockwise from N
    order = np.lexsort((ang, np.floor(dist / 1_800.0)))  # numbered in rings out from downtown

    def nearest_tract(dx: float, dy: float) -> int:
        return int(np.argmin(np.hypot(rel[:, 0] - dx, rel[:, 1] - dy)))

    tiny = nearest_tract(5_600, 2_600)  # airport / industrial park, north-east of downtown
    campus = nearest_tract(400, -1_200)  # university and medical district, south of downtown
    assert tiny != campus
    codes = tract_codes(rng_geo, order, tiny)
    hoods = neighbourhood_names(rng_geo, cxy)
    hoods[tiny] = "Airport Industrial Park"
    hoods[campus] = "University Medical District"

    # ---- attributes
    est, diag = synthesize(rng_data, cxy, area_km2, tiny, campus)
    jam_income = [tiny, campus]
    jam_rent = [tiny, diag["few_renters"]]
    est_out, moe_out = margins(rng_moe, est, jam_income, jam_rent)
    valid_inc = np.ones(N_TRACTS, bool)
    valid_inc[jam_income] = False
    valid_rent = np.ones(N_TRACTS, bool)
    valid_rent[jam_rent] = False

    geoid = np.array([STATE_FIPS + COUNTY_FIPS + c for c in codes])
    names = [tract_name(c) for c in codes]

    # ---- tracts.gpkg (sorted by GEOID)
    geo_cells = shapely.transform(
        cells, lambda xy: np.column_stack(to_geo.transform(xy[:, 0] + cx, xy[:, 1] + cy))
    )
    geo_cells = shapely.set_precision(geo_cells, 1e-6)
    tracts = gpd.GeoDataFrame(
        {"GEOID": geoid, "NAME": names, "NEIGHBORHOOD": hoods}, geometry=geo_cells, crs=OUT_CRS
    )
    srt = np.argsort(geoid, kind="stable")
    tracts = tracts.iloc[srt].reset_index(drop=True)
    gpkg = out / "tracts.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{PROJECT_DATE}T00:00:00.000Z"})
    tracts.to_file(gpkg, layer="tracts", driver="GPKG", engine="pyogrio")

    # ---- acs_2019_2023.csv
    table = pd.DataFrame(
        {
            "GEO_ID": ["1400000US" + g for g in geoid],
            "NAME": [f"{nm}; Jefferson County; Alabama" for nm in names],
        }
    )
    cols = {}
    for var in sorted(est_out.columns):
        cols[var + "E"] = est_out[var].to_numpy()
        cols[var + "M"] = moe_out[var].to_numpy()
    table = pd.concat([table, pd.DataFrame(cols)], axis=1)
    # jobs: fictional LEHD-WAC-like count of jobs located in the tract (no margin)
    table["jobs"] = diag["jobs"]
    table = table.iloc[srt].reset_index(drop=True)
    table.to_csv(out / "acs_2019_2023.csv", index=False, lineterminator="\n")

    # ---- proposals
    site_tract = choose_site_tract(est, cxy, {tiny, campus, diag["few_renters"]})
    site_xy = shapely.get_coordinates(shapely.point_on_surface(cells[site_tract]))[0]
    fc, work = build_projects(make_lonlat(to_geo, (cx, cy)), site_xy)
    write_json(out / "proposals.geojson", fc)
    doc = project_document(fc)
    write_json(out / "sample.eqp.json", doc)

    # ---- checks on the working geometry
    inside = shapely.contains_xy(boundary, *np.vstack([work["brt_line"], work["r14_line"]]).T)
    assert inside.all(), "transit alignments must stay inside the city"

    fig = city_figures(est, diag, valid_inc, valid_rent)
    fig["jobs"] = int(table["jobs"].sum())
    fig["site_tract"] = (str(geoid[site_tract]), hoods[site_tract])
    special = {
        "tiny": str(geoid[tiny]),
        "tiny_pop": int(est.loc[tiny, "B03002_001"]),
        "tiny_jobs": int(diag["jobs"][tiny]),
        "campus": str(geoid[campus]),
        "few_renters": str(geoid[diag["few_renters"]]),
        "recaps": sorted(str(g) for g in geoid[fig["recap_mask"]]),
    }
    write_readme(out, fig, special, work)
    verify(out, str(geoid[site_tract]))
    print_summary(out, fig)

    # The transit feeds and the opportunity layers are generated from these outputs.
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate_gtfs
    import generate_opportunities
    import generate_screening
    import generate_streets

    generate_gtfs.main(["--sample", str(out)])
    generate_opportunities.main(["--out", str(out)])
    generate_streets.main(["--sample", str(out)])
    generate_screening.main(["--out", str(out)])


def first_recipe_variables() -> list[str] | None:
    """The first ACS recipe of every field in resources/acs_preset.toml, if the file is there."""
    preset = Path(__file__).resolve().parent.parent / "resources" / "acs_preset.toml"
    if not preset.exists():
        return None
    import tomllib

    fields = tomllib.loads(preset.read_text(encoding="utf-8"))["fields"]
    # Fields marked optional (vehicles, commuting) are left out of the sample: it shows the
    # stated defaults of the transport-cost model.
    return sorted(
        {v for f in fields.values() if f.get("acs") and not f.get("optional") for v in f["acs"][0]}
    )


def verify(out: Path, site_geoid: str) -> None:
    """Read the written files back and check the rules the sample promises."""
    g = gpd.read_file(out / "tracts.gpkg", layer="tracts", engine="pyogrio")
    t = pd.read_csv(out / "acs_2019_2023.csv", dtype={"GEO_ID": str})
    assert len(g) == N_TRACTS and g.crs.to_epsg() == 4269
    assert list(g.columns) == ["GEOID", "NAME", "NEIGHBORHOOD", "geometry"]
    assert g.GEOID.str.fullmatch(r"01073\d{6}").all() and g.GEOID.is_unique
    assert g.geometry.is_valid.all() and (g.geom_type == "Polygon").all()
    area_sum = shapely.area(g.geometry.values).sum()
    area_union = shapely.union_all(g.geometry.values).area
    assert abs(area_sum - area_union) / area_union < 1e-6, "tracts overlap"
    assert list(t.GEO_ID.str[9:]) == list(g.GEOID), "table and layer ids differ"
    assert t.GEO_ID.str.fullmatch(r"1400000US01073\d{6}").all()
    wanted = first_recipe_variables()
    if wanted is not None:
        missing = [v for v in wanted for s in "EM" if v + s not in t.columns]
        assert not missing, f"missing ACS columns {missing}"
    num = t.drop(columns=["GEO_ID", "NAME"])
    assert all(str(d).startswith("int") for d in num.dtypes), "all values must be integers"
    e = {c[:-1]: t[c].to_numpy() for c in t.columns if c.endswith("E") and "_" in c}
    m = {c[:-1]: t[c].to_numpy() for c in t.columns if c.endswith("M") and "_" in c}
    medians = {"B19013_001", "B25064_001"}
    for v in e:
        if v in medians:
            ok = e[v] > 0
            assert ((e[v] == JAM_ESTIMATE) == ~ok).all() and ((m[v] == JAM_MOE) == ~ok).all()
            assert (m[v][ok] > 0).all()
        else:
            assert (e[v] >= 0).all() and (m[v] >= 10).all(), v
    assert (sum(e[v] for v in RACE_VARS) == e["B03002_001"]).all()
    assert (sum(e[f"C17002_{j:03d}"] for j in range(2, 8)) <= e["C17002_001"]).all()
    burden = sum(e[v] for v in ("B25070_007", "B25070_008", "B25070_009", "B25070_010"))
    assert (burden <= e["B25070_001"]).all()
    assert (e["B25070_001"] <= e["B25003_003"]).all()
    assert (e["B25003_003"] <= e["B25003_001"]).all()
    for v in ("B25003_001", "B08201_001", "C16002_001"):
        assert (e[v] == e["B11001_001"]).all()
    assert (e["B08201_002"] <= e["B08201_001"]).all()
    lep = sum(e[v] for v in ("C16002_004", "C16002_007", "C16002_010", "C16002_013"))
    assert (lep <= e["C16002_001"]).all()
    assert (e["B09001_001"] + sum(e[v] for v in AGE65_VARS) <= e["B03002_001"]).all()
    dis = sum(
        e[v]
        for v in (
            "C18108_003",
            "C18108_004",
            "C18108_007",
            "C18108_008",
            "C18108_011",
            "C18108_012",
        )
    )
    assert (dis <= e["C18108_001"]).all() and (e["C18108_001"] <= e["B03002_001"]).all()
    assert (e["B25001_001"] >= e["B11001_001"]).all()
    assert (e["C17002_001"] <= e["B03002_001"]).all()
    assert (t["jobs"] >= 0).all()
    assert (e["B03002_001"] < 50).sum() == 1
    assert ((e["B19013_001"] == JAM_ESTIMATE) | (e["B25064_001"] == JAM_ESTIMATE)).sum() in (2, 3)

    doc = json.loads((out / "sample.eqp.json").read_text(encoding="utf-8"))
    fc = json.loads((out / "proposals.geojson").read_text(encoding="utf-8"))
    assert doc["projects"] == fc and doc["schema_version"] == 2
    city = shapely.union_all(g.geometry.values)
    geoms = {}
    for f in fc["features"]:
        p = f["properties"]
        assert {"project_id", "project_name", "kind", "role"} <= set(p)
        geom = shapely.geometry.shape(f["geometry"])
        assert city.contains(geom), f"{p['project_id']} {p['role']} outside the city"
        geoms.setdefault((p["project_id"], p["role"]), []).append(geom)
    for pid, n_st in (("eastside-brt", 14), ("route-14", 20)):
        (line,) = geoms[(pid, "alignment")]
        assert len(geoms[(pid, "station")]) == n_st
        assert all(line.distance(s) < 1e-9 for s in geoms[(pid, "station")]), "station off line"
    (site,) = geoms[("southside-commons", "site")]
    assert g.loc[g.GEOID == site_geoid].geometry.iloc[0].contains(site)
    ids = {f["properties"]["project_id"] for f in fc["features"]}
    assert all(set(sc["projects"]) <= ids for sc in doc["scenarios"])


def choose_site_tract(est: pd.DataFrame, cxy: np.ndarray, exclude: set[int]) -> int:
    """A moderate-income tract 1-3 km south of downtown whose median is closest to the city's."""
    rel = cxy - np.array(DOWNTOWN)
    d = np.hypot(rel[:, 0], rel[:, 1])
    inc = est["B19013_001"].to_numpy().astype(float)
    ok = (
        (d > 1_000)
        & (d < 3_000)
        & (rel[:, 1] < -800)
        & (np.abs(rel[:, 0]) < 1_500)
        & ~np.isin(np.arange(N_TRACTS), list(exclude))
    )
    score = np.where(ok, np.abs(np.log(inc / 45_000.0)), np.inf)
    return int(np.argmin(score))


def project_document(fc: dict) -> dict:
    return {
        "format": "equityplanner-project",
        "schema_version": 2,
        "metadata": {
            "title": "Magnolia City: Eastside BRT, Southside Commons and Route 14 changes",
            "author": "Sample Planner",
            "organisation": "Magnolia City Planning Department (fictional)",
            "date": PROJECT_DATE,
            "description": (
                "SYNTHETIC sample assessment for a fictional city laid over the Birmingham, "
                "Alabama area. Three proposals: Southside Commons, a 240-unit mixed-income "
                "rental development that demolishes 60 older units; the Eastside Express BRT, a "
                "new east-west bus rapid transit line with 14 stations; and a cut to Route 14 "
                "on the north side from a 30- to a 60-minute peak headway. The tract data are "
                "generated by generate_sample.py and calibrated to approximate ACS 2019-2023 "
                "figures for Birmingham; they describe no real people."
            ),
        },
        "baseline": {
            "neighbourhoods": "tracts.gpkg",
            "layer": "tracts",
            "table": "acs_2019_2023.csv",
            "id_column": "GEOID",
            "table_id_column": "GEO_ID",
            "crs": None,
            "mapping": {},
            "vintage": "ACS 2019-2023 5-year (synthetic sample calibrated to Birmingham, AL)",
        },
        "parameters": {
            "catchment_m": {"rail": 800, "brt": 800, "bus": 400, "housing": 800},
            "title_vi": {
                "forms": ["absolute", "four_fifths"],
                "threshold_pp": 10,
                "threshold_relative": 0.2,
                "four_fifths_ratio": 0.8,
            },
            "distribution_threshold_pp": 5,
            "comparison": {"kind": "all", "label": "Magnolia City"},
            "projected_crs": None,
            "area_median_income_usd": AMI_USD,
            "reliability_bands": "esri",
            "displacement_min_flags": 3,
        },
        "projects": fc,
        "scenarios": [
            {
                "id": "all",
                "name": "All three proposals",
                "projects": ["southside-commons", "eastside-brt", "route-14"],
            },
            {"id": "brt-only", "name": "BRT only", "projects": ["eastside-brt"]},
        ],
        # Written by generate_opportunities.py and generate_gtfs.py (run by main()).
        "opportunities": {
            "jobs": {"path": "jobs_lodes_wac.csv", "blocks": "blocks.geojson"},
            "schools": {"path": "schools.geojson", "capacity_column": "capacity"},
            "childcare": {"path": "childcare.geojson", "capacity_column": "capacity"},
            "clinics": {"path": "clinics.geojson", "capacity_column": "physicians"},
        },
        "gtfs": {
            "baseline": "gtfs_baseline.zip",
            "proposed": "gtfs_proposed.zip",
            "date": "2026-11-25",
            "peak": ["07:00", "09:00"],
        },
        # Written by generate_screening.py: SYNTHETIC excerpts in the published formats.
        "screening": {
            "cejst": {
                "path": "cejst_communities_SYNTHETIC.csv",
                "vintage": 2010,
                "release": "SYNTHETIC excerpt in the CEJST communities-list format",
            },
            "neighbourhood_vintage": 2020,
            "relationship": "tab20_tract20_tract10_SYNTHETIC.txt",
        },
        # A SYNTHETIC fare change with made-up survey shares (FTA C 4702.1B fare equity).
        "fare_change": {
            "name": "2027 fare change (synthetic)",
            "usage": "survey",
            "survey": "SYNTHETIC on-board survey shares, made up for the sample",
            "fares": [
                {
                    "name": "Cash fare",
                    "old_usd": 1.75,
                    "new_usd": 2.50,
                    "usage": {
                        "minority": 0.6,
                        "non_minority": 0.35,
                        "low_income": 0.65,
                        "non_low_income": 0.3,
                    },
                },
                {
                    "name": "Monthly pass (per trip)",
                    "old_usd": 1.00,
                    "new_usd": 1.20,
                    "usage": {
                        "minority": 0.4,
                        "non_minority": 0.65,
                        "low_income": 0.35,
                        "non_low_income": 0.7,
                    },
                },
            ],
        },
        # Routed access: the street grid of generate_streets.py and the baseline bus network,
        # routed over the morning peak (written by main()).
        "network": {
            "osm": "streets.osm.pbf",
            "gtfs": ["gtfs_baseline.zip"],
            "date": "2026-11-25",
            "window": ["07:00", "09:00"],
            "step_min": 5,
            "percentile": 50,
            "max_walk_min": 20,
            "max_rides": 3,
            "cutoff_min": 120,
            "noise_floor": True,
        },
    }


def write_json(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_readme(out: Path, fig: dict, special: dict, proj: dict) -> None:
    rents = proj["rents"]
    text = f"""# Magnolia City sample project (SYNTHETIC DATA)

**Everything in this folder is synthetic.** Magnolia City is a fictional city laid over the
Birmingham, Alabama area (centre about 86.80 W, 33.52 N; about 20 km east-west by 14 km
north-south). The 180 "census tracts", their ACS-style estimates and margins, the job counts and
the three proposals were all generated by `generate_sample.py` with fixed random seeds. The
numbers are calibrated so that city-wide totals resemble published ACS 2019-2023 5-year figures for
Birmingham city, but **no row describes a real tract, neighbourhood, household or person**, and
the tract codes, names and boundaries are not the real Census geography. Do not use these files
for any real decision.

## Files

* `sample.eqp.json`: the equityplanner project file (schema version 1) with metadata, baseline
  data sources, parameters, the three proposals and two scenarios. Open it in the desktop app
  or pass it to the CLI.
* `tracts.gpkg`: layer `tracts`, 180 tract polygons in EPSG:4269 (NAD83, as TIGER/Line files
  are). Columns `GEOID` (11 characters: `01073` + 6-digit tract code), `NAME`
  (`Census Tract 12.01` style) and `NEIGHBORHOOD` (a friendly name shared by 1-5 tracts).
* `acs_2019_2023.csv`: one row per tract, keyed by `GEO_ID` as data.census.gov writes it
  (`1400000US01073000100`), with `NAME` (`Census Tract 1; Jefferson County; Alabama`), an
  estimate `<var>E` and a 90% margin of error `<var>M` for every ACS variable in the first
  recipe of each field in `resources/acs_preset.toml`, and a plain `jobs` column (jobs located
  in the tract, no margin).
* `proposals.geojson`: the same proposals as the project file's `projects` member, for the
  CLI's `--projects` option.
* `gtfs_baseline.zip`, `gtfs_proposed.zip`: a baseline bus network (11 routes, Route 14 every
  30 minutes at the peak) and the proposal (plus the Eastside Express BRT every 10 minutes,
  Route 14 cut to every 60), written by `../generate_gtfs.py`; the project compares them on
  Wednesday 25 November 2026.
* `jobs_lodes_wac.csv` (LODES workplace-area style, by 15-digit block) with `blocks.geojson`
  (block centroids), `schools.geojson` (seats), `childcare.geojson` (places) and
  `clinics.geojson` (physicians), written by `../generate_opportunities.py`, for the access
  indicators. Also synthetic.
* `../generate_sample.py`: the generator.

The CSV has a single header row; real data.census.gov downloads add a second row of labels
("Estimate!!Total:"), which you would delete or skip before importing.

## The three proposals

All geometries are GeoJSON longitude/latitude with 6 decimals (NAD83 and WGS84 agree within
about a metre here).

1. **Southside Commons (mixed-income)**, `southside-commons`, housing: one site point in
   tract {fig["site_tract"][0]} ({fig["site_tract"][1]}), a moderate-income tract just south of
   downtown. 240 rental units: 24 at 30% AMI, 48 at 50% AMI, 48 at 80% AMI and 120 at market
   rate. Monthly gross rents ${rents["ami_30"]:,} / ${rents["ami_50"]:,} / ${rents["ami_80"]:,} /
   $1,450 (the affordable rents are 30% of the income ceiling of a two-person household at each
   band, using an area median income of ${AMI_USD:,}). It demolishes 60 existing units, 48 of
   them affordable, and displaces 52 households.
2. **Eastside Express BRT**, `eastside-brt`, transit (mode `brt`, change `new`): a
   {proj["brt_km"]:.1f} km east-west alignment from the western neighbourhoods through downtown
   to the eastern neighbourhoods (mostly majority-Black, lower-income tracts, as Birmingham's
   real BRT corridor is), with 14 named stations lying on the alignment; 10-minute peak
   headway, 18-hour span, $1.50 fare.
3. **Route 14 frequency cut**, `route-14`, transit (mode `bus`, change `reduction`): a
   {proj["r14_km"]:.1f} km bus route on the north side's street grid with 20 stops named like
   `N 27th St & 31st Ave`; peak headway goes from 30 to 60 minutes; 14-hour span, $1.50 fare.

Scenarios: `all` (all three proposals) and `brt-only` (the BRT alone).

Parameters worth knowing: walk catchments 800 m (BRT, rail, housing) and 400 m (bus); Title VI
tests `absolute` (10 percentage points) and `four_fifths` (0.8); the comparison population is the
whole city; `area_median_income_usd` is {AMI_USD:,}, an **approximate** HUD-style 4-person median
family income for the Birmingham-Hoover MSA (check HUD's current income limits before any real use).

## How the data were made

* **Geography.** An irregular city limit (a wobbly ellipse with a neighbouring municipality
  biting into its southern edge) is filled with jittered seed points, denser near downtown, and
  cut into tracts with shapely's vectorised `voronoi_polygons` after a few damped Lloyd
  relaxation steps; cells are clipped to the city limit. Tracts are numbered in rings out from
  downtown; some base numbers are split (`.01`, `.02`, `.03`) and numbering has gaps, as real
  numbering does.
* **Who lives where.** A smooth "advantage" surface (high south of a WSW-ENE ridge and toward the
  south-east, mixed in the downtown / Southside core, low in the west, north and east) plus noise
  drives a multinomial model of race and ethnicity, tract median income, tenure, vehicles, age,
  disability and vacancy. Intercepts are calibrated so that the city-wide figures hit the
  targets below, then integer counts are drawn (multinomial / binomial), so parts add up:
  B03002 race parts sum exactly to B03002_001; C17002_002..007 never exceed C17002_001;
  B25070_007..010 <= B25070_001 = B25003_003 <= B25003_001 = B11001_001 = B08201_001 =
  C16002_001 (households); housing units >= households.
* **Margins of error** imitate ACS tract margins: 1.645 x sqrt(design factor x n p (1 - p)) with a
  design factor of 2-4 per tract, plus the universe's own margin carried in proportion, floored
  at the value the ACS publishes for a zero estimate (12-19, one value per table). Medians carry
  margins of roughly 15-40%.
* **Medians.** Household incomes in each tract are lognormal around the tract median; the city
  median below is the median of that mixture. Gross rents likewise.
* **Jobs** are concentrated downtown and in the medical district, along four highway / arterial
  corridors and in the north-side industrial area, plus a small local-services share.

## Calibration targets and achieved figures

The targets are **approximate**, from memory of Census QuickFacts / ACS 2019-2023 5-year tables
for Birmingham city, AL; they are not checked citations.

{figures_table(fig)}

Other city-wide figures: {fig["households"]:,} households; {fig["pct_rent_burdened"]:.1f}% of
renter households pay 30% or more of income on rent; {fig["pct_vacant"]:.1f}% of housing units
are vacant; {fig["jobs"]:,} jobs. The household-weighted median of the tract median incomes is
${fig["median_household_income_tract_weighted"]:,.0f}, lower than the city median (as with real
data); the renter-weighted median of tract median rents is
${fig["median_gross_rent_tract_weighted"]:,.0f}.

Segregation: Black-White dissimilarity index {fig["dissimilarity_black_white"]:.1f};
{fig["majority_black_tracts"]} majority-Black and {fig["majority_white_tracts"]} majority-White
tracts; {fig["recap_tracts"]} tracts have poverty of 40% or more and are more than 50% non-white
(R/ECAP-like): {", ".join(special["recaps"])}.

## Edge cases you will meet

* **Tract {special["tiny"]}** ("Census Tract 9800", Airport Industrial Park): a special land-use
  tract with {special["tiny_pop"]} residents and {special["tiny_jobs"]:,} jobs. Both its medians are
  ACS "jam" values: `-666666666` with margin `-222222222` (too few sample cases).
* **Tract {special["campus"]}** (University Medical District): most residents live in college
  dormitories (group quarters), so it has few households, a small poverty universe and a jammed
  median household income.
* **Tract {special["few_renters"]}**: an owner-occupied, high-income tract with too few renters for
  a median gross rent (jammed).
* Zero estimates carry non-zero margins (12-19), as the ACS publishes them; many small counts have
  margins larger than the estimate.

## Regenerate

```
.venv/bin/python sample_projects/generate_sample.py              # writes sample_projects/magnolia
.venv/bin/python sample_projects/generate_sample.py --out /tmp/x # anywhere else
```

The generator needs only numpy, pandas, shapely 2, geopandas/pyogrio and pyproj (it does not
import equityplanner). It uses fixed seeds and writes no timestamps: the CSV, JSON, GeoJSON and
this README are byte-for-byte identical on every run, and the GeoPackage holds identical
attributes and geometries (with the same GDAL version it is byte-identical too, because its
`gpkg_contents` date is pinned to the project date). At the end of a run it reads the files
back, checks the consistency rules above and prints the achieved city-wide figures.
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def print_summary(out: Path, fig: dict) -> None:
    print(f"Wrote the Magnolia City sample to {out}")
    print("City-wide figures (approximate target -> achieved):")
    for label, key, fmt in FIGURE_ROWS:
        print(f"  {label:<32} {fmt.format(TARGETS[key]):>10}  ->  {fmt.format(fig[key]):>10}")
    print(
        f"  {'(HH-weighted median of tract medians)':<32} {'':>10}      "
        f"{fig['median_household_income_tract_weighted']:>10,.0f}"
    )
    print(
        f"  {'(renter-weighted median of tract rents)':<32} {'':>10}      "
        f"{fig['median_gross_rent_tract_weighted']:>10,.0f}"
    )
    print(
        f"  Households {fig['households']:,}; "
        f"rent-burdened renters {fig['pct_rent_burdened']:.1f}%; "
        f"vacant units {fig['pct_vacant']:.1f}%; jobs {fig['jobs']:,}"
    )
    print(f"  Dissimilarity index, Black-White: {fig['dissimilarity_black_white']:.1f}")
    print(
        f"  Majority-Black tracts {fig['majority_black_tracts']}, majority-White tracts "
        f"{fig['majority_white_tracts']}; R/ECAP-like tracts (poverty >= 40%, > 50% non-white): "
        f"{fig['recap_tracts']}"
    )
    print(f"  Southside Commons site tract: {fig['site_tract'][0]} ({fig['site_tract'][1]})")
    print(
        "Read-back checks passed (ids, geometry, integer counts, parts <= universes, jam values,"
        " stations on alignments)."
    )


if __name__ == "__main__":
    main()
