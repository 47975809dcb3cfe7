"""The core stays Qt-free, and long steps report progress and stop cleanly on cancel."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import SAMPLE_PROJECT

from equityplanner.analysis.assess import assess
from equityplanner.errors import Cancelled
from equityplanner.io.project_file import load_project
from equityplanner.progress import Progress


def test_core_and_report_never_import_qt():
    code = (
        "import sys\n"
        "import equityplanner.analysis.assess, equityplanner.report.json_output, equityplanner.cli\n"
        "from equityplanner.io.project_file import load_project\n"
        "from equityplanner.analysis.assess import assess\n"
        f"assess(load_project({str(SAMPLE_PROJECT)!r}))\n"
        "qt = [m for m in sys.modules if m.startswith('PySide6')]\n"
        "print(qt)\n"
        "sys.exit(1 if qt else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


class RecordingProgress(Progress):
    def __init__(self, cancel_after: int | None = None) -> None:
        super().__init__()
        self.events: list[tuple[float, str]] = []
        self.cancel_after = cancel_after

    def _emit(self, fraction: float, message: str) -> None:
        self.events.append((fraction, message))
        if self.cancel_after is not None and len(self.events) >= self.cancel_after:
            self.cancel()


def test_progress_is_monotonic_and_reaches_one():
    progress = RecordingProgress()
    assess(load_project(SAMPLE_PROJECT), progress=progress)
    fractions = [f for f, _ in progress.events]
    assert fractions == sorted(fractions)
    assert fractions[-1] == pytest.approx(1.0)
    assert any("Eastside Express BRT" in m for _, m in progress.events)


def test_cancel_stops_the_assessment_cleanly():
    progress = RecordingProgress(cancel_after=3)
    with pytest.raises(Cancelled):
        assess(load_project(SAMPLE_PROJECT), progress=progress)
    # The run stopped at the next check rather than running on to the end.
    assert progress.events[-1][0] < 1.0


def test_subranges_map_onto_the_parent():
    progress = RecordingProgress()
    progress.subrange(0.5, 1.0).subrange(0.0, 0.5).report(0.5, "quarter")
    assert progress.events == [(pytest.approx(0.625), "quarter")]


def test_every_package_is_listed_for_the_wheel():
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    listed = set(
        tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    src = root / "src"
    found = {".".join(p.parent.relative_to(src).parts) for p in src.rglob("__init__.py")}
    assert found <= listed, f"add to pyproject.toml packages: {sorted(found - listed)}"


def test_projected_crs_in_feet_is_refused():
    from equityplanner.io.project_file import parameters_from_dict

    problems: list[str] = []
    parameters_from_dict({"projected_crs": "EPSG:2285"}, problems)  # Washington North, US feet
    assert problems and "not projected in metres" in problems[0]
    assert parameters_from_dict({"projected_crs": "EPSG:26916"}).projected_crs == "EPSG:26916"


def test_gtfs_feeds_are_read_once_per_version_of_the_file(tmp_path):
    import shutil

    from equityplanner.analysis.assess import load_service_change

    folder = tmp_path / "magnolia"
    shutil.copytree(SAMPLE_PROJECT.parent, folder)
    doc = load_project(folder / SAMPLE_PROJECT.name)
    first = load_service_change(doc)
    again = load_service_change(doc)
    assert again.baseline is first.baseline and again.proposed is first.proposed
    feed = folder / "gtfs_baseline.zip"
    feed.write_bytes(feed.read_bytes() + b"\0")  # an edited file (a zip tolerates trailing bytes)
    edited = load_service_change(doc)
    assert edited.baseline is not first.baseline and edited.proposed is first.proposed
