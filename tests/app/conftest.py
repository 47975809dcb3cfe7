"""Fixtures of the GUI tests: a project file in tmp_path, a main window, blocked dialogs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from app_helpers import shown_window
from PySide6.QtWidgets import QMessageBox

from equityplanner.app.main_window import MainWindow
from equityplanner.app.messages import ErrorDialog
from equityplanner.app.settings import AppSettings

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO / "sample_projects" / "magnolia"


def _grid_project(folder: Path) -> Path:
    """A project on the hand-worked 2 x 2 grid of tests/conftest.py (sample absent)."""
    from app_helpers import grid_frame, grid_lonlat
    from shapely.geometry import LineString, Point

    from equityplanner.io.project_file import save_project
    from equityplanner.model.project import (
        BaselineSource,
        HousingProject,
        Metadata,
        Mode,
        ProjectDocument,
        Scenario,
        ServiceChange,
        Station,
        TransitProject,
    )

    grid_frame().to_file(folder / "grid.gpkg", engine="pyogrio")
    a, b, c = grid_lonlat(500, 500), grid_lonlat(1500, 1500), grid_lonlat(600, 1400)
    doc = ProjectDocument(
        metadata=Metadata(title="Grid test"),
        baseline=BaselineSource(neighbourhoods=str(folder / "grid.gpkg"), id_column="GEOID"),
        projects=(
            HousingProject(
                "homes",
                "Grid homes",
                Point(a),
                100,
                {"ami_30": 10, "ami_50": 10, "ami_80": 10, "market": 70},
            ),
            TransitProject(
                "line",
                "Grid line",
                Mode.BUS,
                ServiceChange.NEW,
                (Station("One", Point(b)), Station("Two", Point(c))),
                alignment=LineString([b, c]),
            ),
        ),
        scenarios=(Scenario("both", "Both", ("homes", "line")),),
    )
    return save_project(doc, folder / "grid.eqp.json")


@pytest.fixture(autouse=True, scope="module")
def _automatic_gc_after_module():
    """Main windows move garbage collection to a GUI timer; give it back to later tests."""
    yield
    import gc

    from equityplanner.app.pyside_compat import restore_automatic_garbage_collection

    restore_automatic_garbage_collection()
    gc.collect()


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """A copy of the Magnolia sample (or a grid project when the sample is absent)."""
    target = tmp_path / "project"
    use_grid = os.environ.get("EQUITYPLANNER_TEST_GRID") == "1"  # run the suite on the grid
    if (SAMPLE_DIR / "sample.eqp.json").exists() and not use_grid:
        shutil.copytree(SAMPLE_DIR, target, ignore=shutil.ignore_patterns("*.autosave", "*.py"))
        return target / "sample.eqp.json"
    target.mkdir()
    return _grid_project(target)


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """Error dialogs are recorded instead of shown; unexpected questions fail the test."""
    seen: dict[str, list] = {"errors": [], "questions": []}

    def record(self: ErrorDialog) -> int:
        seen["errors"].append(self.report)
        return 0

    def unexpected(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
        seen["questions"].append(args[2] if len(args) > 2 else "")
        raise AssertionError(f"unexpected question: {args[1:3]}")

    monkeypatch.setattr(ErrorDialog, "exec", record)
    monkeypatch.setattr(QMessageBox, "question", unexpected)
    return seen


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    """Preferences in an INI file of the test's own."""
    return AppSettings.from_file(tmp_path / "settings.ini")


@pytest.fixture
def window(qtbot, settings: AppSettings, dialogs: dict[str, list]):
    """A shown main window; tasks are cancelled and awaited at teardown."""
    with shown_window(qtbot, settings) as w:
        yield w


@pytest.fixture
def opened(qtbot, window: MainWindow, project_file: Path) -> MainWindow:
    """The window with the project open and its neighbourhoods loaded."""
    with qtbot.waitSignal(window.baseline_loaded, timeout=30_000):
        assert window.open_project(project_file)
    return window


@pytest.fixture
def assessed(qtbot, opened: MainWindow) -> MainWindow:
    """The window after a complete assessment."""
    with qtbot.waitSignal(opened.assessment_finished, timeout=60_000):
        opened.run_assessment()
    # The result's indicators are listed on the next turn of the event loop.
    qtbot.waitUntil(lambda: not opened.results.pending, timeout=5_000)
    return opened


@pytest.fixture
def grid_project(tmp_path: Path) -> Path:
    """A project on the 2 x 2 grid, whether or not the sample exists."""
    target = tmp_path / "grid"
    target.mkdir()
    return _grid_project(target)


@pytest.fixture(autouse=True)
def _data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Autosaves of untitled projects and window records in the test's own data folder."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("EQUITYPLANNER_DATA_DIR", str(folder))
    return folder
