"""The Qt-free application state: what a new layer replaces, staleness, selection, emissions."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import GRID_ROWS, grid_frame

from equityplanner.analysis.assess import assess
from equityplanner.app import editing
from equityplanner.app.editing import FeatureRef, set_parameters
from equityplanner.app.observable import Event
from equityplanner.app.state import (
    LAYER_CHANGED,
    PROJECT_CHANGED,
    RUN_FAILED,
    AppState,
    AssessmentRun,
    Change,
    Selection,
)
from equityplanner.app.tasks import BaselineOutcome, load_baseline_task
from equityplanner.io.project_file import load_project
from equityplanner.model.project import BaselineSource, ProjectDocument
from equityplanner.progress import Progress


def test_the_state_and_the_other_qt_free_modules_import_without_qt() -> None:
    modules = [
        "equityplanner.app.state",
        "equityplanner.app.observable",
        "equityplanner.app.editing",
        "equityplanner.app.tasks",
        "equityplanner.app.autosave",
        "equityplanner.app.verdicts",
    ]
    code = (
        f"import sys\nfor name in {modules!r}:\n    __import__(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(qt)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]"


def _read(document: ProjectDocument) -> BaselineOutcome:
    return load_baseline_task(Progress(), document)


def _with_layer(document: ProjectDocument, path: Path, rows: dict | None = None) -> ProjectDocument:
    grid_frame(rows).to_file(path, engine="pyogrio")
    return replace(document, baseline=BaselineSource(str(path), id_column="GEOID"))


def _run(document: ProjectDocument, baseline: BaselineOutcome) -> AssessmentRun:
    assessment = assess(document, neighbourhoods=baseline.neighbourhoods)
    return AssessmentRun(document, assessment, baseline)


@pytest.fixture
def assessed_state(grid_project: Path) -> AppState:
    """A state showing the grid (4 neighbourhoods) and a run on it."""
    document = load_project(grid_project)
    document = replace(
        document,
        baseline=replace(document.baseline, neighbourhoods=str(document.resolve("grid.gpkg"))),
    )
    state = AppState(document)
    baseline = _read(document)
    state.set_baseline(baseline)
    state.adopt_run(_run(document, baseline))
    return state


def _record(state: AppState) -> list[Change]:
    seen: list[Change] = []
    state.changed.connect(seen.append)
    return seen


def test_a_new_layer_replaces_everything_derived_from_the_old_one(
    assessed_state: AppState, tmp_path: Path
) -> None:
    state = assessed_state
    assert state.staleness is None and state.layer_result() is not None
    assert state.shade_by("share_in_catchment"), "the run offers its per-neighbourhood fields"
    state.select_row(3)
    # Another city: three neighbourhoods where there were four.
    rows = {k: v for k, v in GRID_ROWS.items() if k != "D"}
    document = _with_layer(state.document, tmp_path / "other.gpkg", rows)
    other = _read(document)
    seen = _record(state)
    with state.batch():
        state.set_baseline(other)
        state.set_document(document)

    assert len(seen) == 1, "one emission, after everything was brought up to date"
    assert seen[0] & (Change.BASELINE | Change.ROW | Change.FIELDS | Change.MAP_FIELD)
    assert state.selection.row == -1
    table = state.neighbourhood_table()
    assert table is other.table and len(table) == other.layer.count == 3
    assert state.layer_result() is None, "the old run is not drawn on the new layer"
    assert state.map_field is not None and state.map_field in state.fields
    assert all(f.source != "result" for f in state.fields)
    assert state.staleness == LAYER_CHANGED
    assert state.result() is not None, "its results stay readable, marked out of date"
    assert state.warnings() == list(other.warnings)


def test_the_shading_chosen_comes_back_with_a_field_that_offers_it(
    assessed_state: AppState,
) -> None:
    state = assessed_state
    assert state.shade_by("median_household_income")
    baseline = state.baseline
    state.set_baseline(None)
    assert state.map_field is None and state.fields == ()
    state.set_baseline(baseline)
    assert state.map_field is not None and state.map_field.key == "median_household_income"
    assert not state.shade_by("no_such_field")


def test_staleness_follows_the_document_and_the_layer(assessed_state: AppState) -> None:
    state = assessed_state
    assessed = state.document
    state.set_document(
        set_parameters(assessed, replace(assessed.parameters, distribution_threshold_pp=9.0))
    )
    assert state.staleness == PROJECT_CHANGED
    state.set_document(assessed)  # undo
    assert state.staleness is None
    state.set_document(replace(assessed, path=Path("/elsewhere/saved-as.eqp.json")))
    assert state.staleness is None, "saving under another name changes nothing assessed"
    # The same layer read again (after an undo and redo) still matches the run.
    state.set_baseline(_read(assessed))
    assert state.staleness is None and state.layer_result() is not None
    state.mark_run_failed()
    assert state.staleness == RUN_FAILED
    state.adopt_run(_run(assessed, state.baseline))
    assert state.staleness is None


def test_a_run_that_read_the_layer_itself_shows_it_and_a_unit(grid_project: Path) -> None:
    document = load_project(grid_project)
    document = replace(
        document,
        baseline=replace(document.baseline, neighbourhoods=str(document.resolve("grid.gpkg"))),
    )
    state = AppState(document)
    state.select_project("homes")
    seen = _record(state)
    baseline = _read(document)
    state.adopt_run(_run(document, baseline))
    assert state.baseline is baseline
    assert state.selection.result_id == "homes", "the project being edited"
    assert len(seen) == 1 and seen[0] & (Change.BASELINE | Change.ASSESSMENT | Change.UNIT)
    state.select_project(None)
    state.select_result("nothing")
    state.adopt_run(_run(document, baseline))
    assert state.selection.result_id == "both", "else the first scenario"


def test_selection(assessed_state: AppState) -> None:
    state = assessed_state
    seen = _record(state)
    station = FeatureRef("line", "station", 0)
    state.select_feature(station)
    assert state.selection.project_id == "line" and state.selection.feature == station
    assert state.selection.result_id == "line", "a project picked shows its results"
    assert seen[-1] & Change.PROJECT and seen[-1] & Change.UNIT
    state.select_feature(None)
    assert state.selection.project_id == "line" and state.selection.feature is None
    state.select_row(99)
    assert state.selection.row == -1, "a row the layer has not"
    state.select_row(2)
    assert seen[-1] == Change.ROW
    count = len(seen)
    state.select_row(2)
    assert len(seen) == count, "no change, no emission"
    assert state.selected_project() is not None
    # The project deleted (or its placing undone): nothing of it stays selected.
    state.select_feature(station)
    state.set_document(editing.delete_project(state.document, "line"))
    assert state.selection.project_id is None and state.selection.feature is None
    assert seen[-1] & Change.DOCUMENT and seen[-1] & Change.PROJECT
    state.reset(state.document)
    assert state.selection == Selection() and state.run is None and state.baseline is None
    assert seen[-1] & Change.RESET


def test_event_calls_each_callback_once_in_order() -> None:
    event: Event[int] = Event()
    calls: list[tuple[str, int]] = []

    def first(value: int) -> None:
        calls.append(("first", value))
        event.disconnect(second)  # takes effect from the next emission

    def second(value: int) -> None:
        calls.append(("second", value))

    event.connect(first)
    event.connect(second)
    event.connect(first)
    event.emit(1)
    event.emit(2)
    assert calls == [("first", 1), ("second", 1), ("first", 2)]
    assert len(event) == 1


def test_the_layer_read_for_the_map_is_prepared_once_for_the_assessments_too(
    grid_project: Path,
) -> None:
    from equityplanner.analysis.baseline import baseline_for

    document = load_project(grid_project)
    document = replace(
        document,
        baseline=replace(document.baseline, neighbourhoods=str(document.resolve("grid.gpkg"))),
    )
    read = _read(document)
    shared = baseline_for(read.neighbourhoods, document.parameters)
    # The map's table is the baseline the assessment will use, not a second preparation...
    assert np.shares_memory(
        read.table["total_population"].to_numpy(), shared.table["total_population"].to_numpy()
    )
    assert (
        assess(document, neighbourhoods=read.neighbourhoods).baseline["total_population"].tolist()
        == read.table["total_population"].tolist()
    )
    assert baseline_for(read.neighbourhoods, document.parameters) is shared
    # ...and a column the window adds to its table does not reach the shared baseline.
    read.table["shading"] = 1.0
    assert "shading" not in shared.table
