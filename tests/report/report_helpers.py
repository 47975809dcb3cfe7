"""Small assessments on the hand-worked 2 x 2 grid of tests/conftest.py, for the report tests.

The grid gets a few more columns (households, poverty, renters, rent burden, vehicles) so that
every indicator family appears: a bus cut over A and B, a new rail line through C and D, a
housing development in A, and a scenario with all three (benefits and burdens).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

from helpers import GRID_ROWS, grid_frame, grid_lonlat
from shapely.geometry import LineString, Point

from equityplanner.analysis.assess import assess_projects
from equityplanner.io.neighbourhoods import read_neighbourhoods
from equityplanner.model.project import (
    HousingProject,
    Metadata,
    Mode,
    Parameters,
    Scenario,
    ServiceChange,
    Station,
    TransitProject,
)
from equityplanner.model.results import Assessment

EXTRA = {
    "A": dict(
        households=400,
        below_poverty=350,
        renter_households=300,
        rent_burdened_households=200,
        zero_vehicle_households=120,
    ),
    "B": dict(
        households=420,
        below_poverty=200,
        renter_households=250,
        rent_burdened_households=120,
        zero_vehicle_households=60,
    ),
    "C": dict(
        households=380,
        below_poverty=90,
        renter_households=150,
        rent_burdened_households=50,
        zero_vehicle_households=20,
    ),
    "D": dict(
        households=410,
        below_poverty=40,
        renter_households=100,
        rent_burdened_households=30,
        zero_vehicle_households=10,
    ),
}


def grid_rows(names: dict[str, str] | None = None) -> dict[str, dict]:
    """The grid's rows with the extra columns and optional neighbourhood names."""
    rows = {}
    for key, row in GRID_ROWS.items():
        rows[key] = {**row, **EXTRA[key]}
        if names:
            rows[key]["NAME"] = names.get(key, f"Square {key}")
    return rows


def grid_assessment(
    folder: Path,
    *,
    names: dict[str, str] | None = None,
    cut_name: str = "Route 7 cut",
    with_housing: bool = True,
    with_scenario: bool = True,
    title: str = "Grid town: proposals",
) -> Assessment:
    """Assess a bus cut (A, B), a new rail line (C to D) and housing in A on the grid."""
    path = folder / "grid.gpkg"
    grid_frame(grid_rows(names)).to_file(path, engine="pyogrio")
    nb = read_neighbourhoods(path)
    stops = (
        Station("West stop", Point(*grid_lonlat(500, 500))),
        Station("East stop", Point(*grid_lonlat(1500, 500))),
    )
    cut = TransitProject(
        "cut",
        cut_name,
        Mode.BUS,
        ServiceChange.REDUCTION,
        stops,
        alignment=LineString([grid_lonlat(500, 500), grid_lonlat(1500, 500)]),
    )
    stations = (
        Station("North West", Point(*grid_lonlat(400, 1500))),
        Station("North East", Point(*grid_lonlat(1600, 1500))),
    )
    rail = TransitProject(
        "rail",
        "Hill line",
        Mode.RAIL,
        ServiceChange.NEW,
        stations,
        alignment=LineString([grid_lonlat(400, 1500), grid_lonlat(1600, 1500)]),
    )
    projects: list = [cut, rail]
    if with_housing:
        projects.append(
            HousingProject(
                id="homes",
                name="Square A homes",
                site=Point(*grid_lonlat(300, 300)),
                total_units=100,
                units_by_band={"ami_30": 10, "ami_50": 20, "ami_80": 20, "market": 50},
                proposed_rents_usd={
                    "ami_30": 500.0,
                    "ami_50": 900.0,
                    "ami_80": 1500.0,
                    "market": 1500.0,
                },
                units_demolished=30,
                affordable_units_demolished=20,
                households_displaced=25,
            )
        )
    scenarios = (
        [Scenario("all", "Everything", tuple(p.id for p in projects))] if with_scenario else []
    )
    params = Parameters(area_median_income_usd=60000.0)
    return assess_projects(
        nb,
        projects,
        parameters=params,
        scenarios=scenarios,
        metadata=Metadata(
            title=title, author="Test Planner", organisation="Grid Town", date="2026-11-25"
        ),
        vintage="Hand-made grid (tests)",
    )


def soffice() -> str | None:
    """The LibreOffice executable, or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(source: Path, target_format: str, outdir: Path, profile: Path) -> Path:
    """Convert with LibreOffice headless in its own profile; the output must exist."""
    outdir.mkdir(parents=True, exist_ok=True)
    command = [
        "timeout",
        "180",
        soffice() or "soffice",
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--convert-to",
        target_format,
        "--outdir",
        str(outdir),
        str(source),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=200)
    extension = target_format.split(":")[0]
    output = outdir / f"{source.stem}.{extension}"
    assert output.exists(), (
        f"LibreOffice wrote no {extension} (exit {result.returncode}): {result.stderr[-500:]}"
    )
    return output


def same_value(got: object, expected: object) -> bool:
    """A recalculated cell against the engine's value (None: an empty result)."""
    if expected is None:
        return got in (None, "")
    if isinstance(expected, str):
        return got == expected
    return (
        isinstance(got, int | float)
        and not isinstance(got, bool)
        and math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=1e-9)
    )
