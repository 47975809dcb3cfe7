"""`equityplanner assess --weights`: population-weighted apportionment from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from helpers import SAMPLE_PROJECT
from test_cli import run_cli

from equityplanner.io.hashing import sha256_file


def _weights(tmp_path: Path) -> Path:
    """Nine points in each sample tract (its people spread over them), as address points."""
    tracts = gpd.read_file(SAMPLE_PROJECT.parent / "tracts.gpkg").to_crs(4326)
    rng = np.random.default_rng(1)
    points, counts = [], []
    for polygon in tracts.geometry:
        xmin, ymin, xmax, ymax = polygon.bounds
        inside = []
        while len(inside) < 9:
            candidate = shapely.Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax))
            if polygon.contains(candidate):
                inside.append(candidate)
        points += inside
        counts += list(rng.integers(0, 300, 9))
    path = tmp_path / "addresses.gpkg"
    gpd.GeoDataFrame({"residents": counts}, geometry=points, crs=4326).to_file(path)
    return path


def test_assess_with_weights(tmp_path: Path) -> None:
    weights = _weights(tmp_path)
    out = tmp_path / "weighted.json"
    proc = run_cli(
        "assess",
        str(SAMPLE_PROJECT),
        "--weights",
        str(weights),
        "--weights-count",
        "residents",
        "--json",
        str(out),
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    inputs = {i["role"]: i for i in data["inputs"]}
    assert inputs["weights"]["sha256"] == sha256_file(weights)
    first = data["results"][0]
    served = next(i for i in first["indicators"] if i["id"] == "served.population")
    assert served["details"]["apportionment"] in ("population", "population and area")
    assert served["details"]["margin_includes_allocation"] is True
    assert served["details"]["weights_in_catchment"] > 0
    groups = [
        i
        for i in first["indicators"]
        if i["id"].startswith("served.") and i["id"] != "served.population"
    ]
    assert {i["method"] for i in groups} == {"apportionment_population"}
    assert {"apportionment", "area_share_in_catchment", "weights_total"} <= set(
        first["neighbourhoods"][0]
    )


def test_a_missing_count_column_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("assess", str(SAMPLE_PROJECT), "--weights", str(_weights(tmp_path)), "--quiet")
    assert proc.returncode == 2
    assert "has no count column" in proc.stderr and "residents" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_validate_and_assess_a_project_file_with_weights(tmp_path: Path) -> None:
    import dataclasses

    from equityplanner.io.project_file import load_project, save_project
    from equityplanner.model.project import WeightsSource

    weights = _weights(tmp_path)
    document = load_project(SAMPLE_PROJECT)
    document = dataclasses.replace(
        document, weights=WeightsSource(path=str(weights), count_column="residents")
    )
    project = save_project(document, tmp_path / "weighted.eqp.json")
    saved = json.loads(project.read_text(encoding="utf-8"))
    assert saved["weights"] == {"path": "addresses.gpkg", "count_column": "residents"}
    checked = run_cli("validate", str(project))
    assert checked.returncode == 0, checked.stderr
    assert "weights: 1,620 points (residents," in checked.stdout
    out = tmp_path / "o.json"
    proc = run_cli("assess", str(project), "--json", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "weights" in {i["role"] for i in data["inputs"]}
