"""Shared pieces of the fuzz tests: the CLI run in-process, and a small project to break.

The CLI runs in this process (no interpreter per example), with its stdout and stderr
captured; an exception escaping :func:`equityplanner.cli.main` is the failure the fuzz tests
look for, so it is re-raised with the arguments that caused it.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers import SAMPLE_PROJECT, grid_frame, grid_lonlat

from equityplanner.cli import main

GTFS_FIXTURE = Path(__file__).resolve().parents[1] / "data" / "gtfs_three_stops"
WEDNESDAY = "2024-07-03"  # a day the fixture feed runs


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str) -> Run:
    """``equityplanner ARGS`` in this process: exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code) if isinstance(exc.code, int) else 2
    return Run(code, out.getvalue(), err.getvalue())


def assert_clean(run: Run, *, allowed: tuple[int, ...] = (0, 2)) -> None:
    """Exit 0 or 2, and an error is one line naming a fault, never a traceback."""
    assert run.code in allowed, f"exit {run.code}: {run.err[-2000:]}"
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err[-2000:]
    if run.code == 2 and "problem(s):" not in run.err:
        lines = run.err.strip().splitlines()
        assert lines and lines[-1].startswith("equityplanner: error: "), run.err[-2000:]


def small_project(folder: Path) -> Path:
    """A fast project: the 2 x 2 grid, a housing site, a bus stop and the fixture feeds."""
    folder.mkdir(parents=True, exist_ok=True)
    grid_frame().to_file(folder / "grid.gpkg", engine="pyogrio", layer="grid")
    for role in ("baseline", "proposed"):
        shutil.copytree(GTFS_FIXTURE, folder / f"gtfs_{role}")
    site = grid_lonlat(500, 500)
    stop = grid_lonlat(1500, 1500)
    document: dict[str, Any] = {
        "format": "equityplanner-project",
        "schema_version": 1,
        "metadata": {"title": "Small fuzz project", "author": "tests"},
        "baseline": {"neighbourhoods": "grid.gpkg", "layer": "grid", "id_column": "GEOID"},
        "parameters": {"catchment_m": {"bus": 400, "housing": 500}},
        "projects": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {
                        "project_id": "h1",
                        "project_name": "Housing",
                        "kind": "housing",
                        "role": "site",
                        "total_units": 100,
                        "units_ami_30": 10,
                        "units_ami_50": 20,
                        "units_ami_80": 20,
                        "units_market": 50,
                    },
                    "geometry": {"type": "Point", "coordinates": list(site)},
                },
                {
                    "type": "Feature",
                    "properties": {
                        "project_id": "b1",
                        "project_name": "Bus",
                        "kind": "transit",
                        "role": "station",
                        "mode": "bus",
                        "change": "new",
                        "name": "Stop",
                    },
                    "geometry": {"type": "Point", "coordinates": list(stop)},
                },
            ],
        },
        "scenarios": [{"id": "both", "name": "Both", "projects": ["h1", "b1"]}],
        "gtfs": {"baseline": "gtfs_baseline", "proposed": "gtfs_proposed", "date": WEDNESDAY},
    }
    path = folder / "small.eqp.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return path


def sample_copy(folder: Path) -> Path:
    """A copy of the sample project's folder; returns its project file."""
    shutil.copytree(SAMPLE_PROJECT.parent, folder)
    return folder / SAMPLE_PROJECT.name
