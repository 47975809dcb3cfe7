"""Checks on real public data from ../shared/data (a failure in CI where that folder is absent).

The files are read in place and never copied into the repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from helpers import SHARED_DATA, shared_data
from shapely.geometry import Point

from equityplanner.analysis.assess import assess_projects
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.model.project import Mode, Parameters, ServiceChange, Station, TransitProject

SACRAMENTO = SHARED_DATA / "geoda-tracts" / "sacramento1.gpkg"
MAPPING = {
    "total_population": "TOT_POP",
    "nh_white": "WHITE",
    "nh_black": "BLACK",
    "hispanic": "HISP",
    "nh_asian": "ASIAN",
    "median_household_income": "HH_INC",
    "poverty_universe": "POV_POP",
    "below_poverty": "POV_TOT",
    "age_65_plus": "POP_65",
}


@pytest.fixture(autouse=True)
def _real_data_present() -> None:
    shared_data("geoda-tracts", "sacramento1.gpkg")


def test_sacramento_totals_are_conserved_on_real_polygons():
    nb = read_neighbourhoods(SACRAMENTO, mapping=MAPPING, id_column="FIPS")
    # One rail station with a catchment covering the whole MSA: every tract wholly inside.
    x0, y0, x1, y1 = nb.frame.to_crs(4326).total_bounds
    station = Station("Centre", Point((x0 + x1) / 2, (y0 + y1) / 2))
    params = Parameters(
        catchment_m={"rail": 300_000.0, "brt": 800.0, "bus": 400.0, "housing": 800.0}
    )
    line = TransitProject("r", "Everywhere", Mode.RAIL, ServiceChange.NEW, (station,))
    unit = assess_projects(nb, [line], parameters=params).result("r")
    # 1,796,857 is the published 2000 Census population of the Sacramento MSA.
    assert unit.indicator("served.population").value == pytest.approx(1_796_857)
    assert (unit.neighbourhoods["share_in_catchment"] == 1.0).all()


def test_sacramento_dissimilarity_matches_a_direct_computation():
    nb = read_neighbourhoods(SACRAMENTO, mapping=MAPPING, id_column="FIPS")
    centre = nb.frame.to_crs(4326).geometry.union_all().centroid
    line = TransitProject("b", "Bus", Mode.BUS, ServiceChange.NEW, (Station("S", centre),))
    result = assess_projects(nb, [line])
    raw = gpd.read_file(SACRAMENTO)
    black, white = raw["BLACK"].to_numpy(float), raw["WHITE"].to_numpy(float)
    direct = 50 * np.abs(black / black.sum() - white / white.sum()).sum()
    d = next(i for i in result.study_indicators if i.id == "segregation.dissimilarity.nh_black")
    assert d.value == pytest.approx(direct)
    assert 30 < d.value < 80


# A planner's own city: Seattle's GeoDa tracts (race, income, poverty; no margins of error, one
# of the five displacement risk factors) with a BRT along Rainier Avenue and a housing site.
_RAINIER = [
    (-122.3321, 47.6062),
    (-122.3120, 47.5960),
    (-122.2960, 47.5760),
    (-122.2850, 47.5540),
    (-122.2700, 47.5300),
    (-122.2610, 47.5120),
]


def _seattle_proposals(path: Path) -> Path:
    brt = {"project_id": "rainier-brt", "project_name": "Rainier Avenue BRT", "kind": "transit"}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": _RAINIER},
            "properties": {
                **brt,
                "role": "alignment",
                "mode": "brt",
                "change": "new",
                "peak_headway_min": 8,
            },
        }
    ] + [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": xy},
            "properties": {**brt, "role": "station", "name": f"Station {k}"},
        }
        for k, xy in enumerate(_RAINIER)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_seattle_without_margins_or_risk_factors_says_so(tmp_path: Path) -> None:
    tracts = shared_data("geoda-tracts", "seattle1.gpkg")
    out = tmp_path / "seattle.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "equityplanner",
            "assess",
            "--neighbourhoods",
            str(tracts),
            "--projects",
            str(_seattle_proposals(tmp_path / "rainier.geojson")),
            "--json",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())["results"][0]
    by_id = {i["id"]: i for i in result["indicators"]}
    # No margins in the data: no "±0.0 points", and no margin in the test's numbers.
    test = by_id["title_vi.disparate_impact"]
    assert "±" not in test["finding"]
    assert test["details"]["moe_difference_pp"] is None
    # One of five risk factors cannot meet the rule's three: not assessed, never "low risk".
    displacement = by_id["displacement.vulnerable_population"]
    assert displacement["rating"] == "not_assessed"
    assert displacement["finding"].startswith("Not assessed: the data has 1 of the 5")
    assert displacement["details"]["risk_factors_in_data"] == ["minority"]


def test_tampa_shapefile_without_prj_names_the_project_files_crs_key(tmp_path: Path) -> None:
    # A planner's Tampa tracts exported as a Shapefile whose .prj was lost: the error must
    # say what to put in the project file (the command line's --crs does not apply to one),
    # and that the coordinates are longitude/latitude.
    tracts = gpd.read_file(shared_data("geoda-tracts", "tampa.gpkg"))
    shp = tmp_path / "tampa.shp"
    tracts.to_file(shp, engine="pyogrio")
    shp.with_suffix(".prj").unlink()
    station = {"project_id": "neb", "project_name": "Nebraska Avenue BRT", "kind": "transit"}
    document = {
        "format": "equityplanner-project",
        "schema_version": 2,
        "metadata": {"title": "Tampa"},
        "baseline": {"neighbourhoods": "tampa.shp", "id_column": "FIPS"},
        "projects": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [-82.4513, 27.99]},
                    "properties": {**station, "role": "station", "name": "Osborne Ave",
                                   "mode": "brt", "change": "new"},
                }
            ],
        },
    }  # fmt: skip
    project = tmp_path / "tampa.eqp.json"
    project.write_text(json.dumps(document), encoding="utf-8")
    run = [sys.executable, "-m", "equityplanner", "assess", str(project), "--quiet"]
    proc = subprocess.run(run, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert f"{shp}: has no coordinate reference system" in proc.stderr
    assert "--crs" not in proc.stderr
    assert 'baseline "crs"' in proc.stderr and "longitude/latitude" in proc.stderr
    assert "EPSG:4326" in proc.stderr
    # Doing what it says works.
    document["baseline"]["crs"] = "EPSG:4326"
    project.write_text(json.dumps(document), encoding="utf-8")
    fixed = subprocess.run(run, capture_output=True, text=True, timeout=600)
    assert fixed.returncode == 0, fixed.stderr


def test_tampa_station_outside_the_tracts_is_named() -> None:
    # A Nebraska Avenue BRT whose last station was typed 95 km east of Tampa (-81.5 for
    # -82.45): the warning must say which station lies outside the tracts, not only the line.
    tampa = shared_data("geoda-tracts", "tampa.gpkg")
    nb = read_neighbourhoods(tampa, mapping=MAPPING, id_column="FIPS")
    on_the_avenue = [("Osborne Ave", 27.990), ("Sligh Ave", 28.010), ("Busch Blvd", 28.034)]
    stations = (
        *(Station(name, Point(-82.4512, lat)) for name, lat in on_the_avenue),
        Station("Fowler Ave", Point(-81.5, 28.054)),
    )
    line = TransitProject("neb", "Nebraska Avenue BRT", Mode.BRT, ServiceChange.NEW, stations)
    result = assess_projects(nb, [line])
    outside = [w for w in result.warnings if "lies outside the neighbourhood layer" in w]
    assert len(outside) == 1
    assert "Nebraska Avenue BRT" in outside[0] and "'Fowler Ave'" in outside[0]
    assert not any(name in outside[0] for name in ("Osborne", "Sligh", "Busch"))


def test_milwaukee_without_200_percent_poverty_names_the_definition_it_can_adopt() -> None:
    # GeoDa tracts count persons below the poverty level (POV_TOT), not below 200% of it: the
    # disproportionate-burden test cannot run on the default definition, and the warning must
    # say which adoptable definition the data does support and the parameter that adopts it.
    milwaukee = shared_data("geoda-tracts", "milwaukee1.gpkg")
    nb = read_neighbourhoods(milwaukee, mapping=MAPPING, id_column="FIPS")
    stop = Station("N 27th St & W North Ave", Point(-87.9466, 43.0605))
    line = TransitProject("27", "27th Street BRT", Mode.BRT, ServiceChange.NEW, (stop,))
    result = assess_projects(nb, [line])
    lacking = [w for w in result.warnings if "disproportionate-burden test needs" in w]
    assert len(lacking) == 1
    assert "parameters.low_income_poverty_pct" in lacking[0] and "100" in lacking[0]
    assert "below the poverty level" in lacking[0].split("lacks")[1]
    # Adopting it runs the test.
    adopted = assess_projects(nb, [line], parameters=Parameters(low_income_poverty_pct=100))
    assert adopted.result("27").indicator("title_vi.disproportionate_burden").value is not None
    assert not any("disproportionate-burden test needs" in w for w in adopted.warnings)
