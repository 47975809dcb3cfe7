"""Files: save, unsaved-changes prompt, autosave and recovery, errors; Excel export."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from app_helpers import inside_point
from PySide6.QtWidgets import QMessageBox

from equityplanner.app import editing
from equityplanner.app.autosave import has_newer_autosave, sidecar_path
from equityplanner.app.main_window import MainWindow
from equityplanner.io.project_file import load_project


def _edit(w: MainWindow) -> None:
    lon, lat = inside_point(w, 2)
    doc, _ = editing.add_housing_site(w.session.document, lon, lat, name="Test homes")
    w.session.apply(doc, "Place housing site")


def _answer(monkeypatch: pytest.MonkeyPatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent, title, text, *args, **kwargs):
        asked.append(title)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_save_writes_the_file_and_clears_the_modified_flag(
    opened: MainWindow, project_file: Path
) -> None:
    w = opened
    _edit(w)
    assert w.isWindowModified()
    assert w.files.save()
    assert not w.session.is_modified and not w.isWindowModified()
    saved = load_project(project_file)
    assert any(p.name == "Test homes" for p in saved.projects)
    # The neighbourhood paths stay relative to the file.
    raw = json.loads(project_file.read_text(encoding="utf-8"))
    assert not Path(raw["baseline"]["neighbourhoods"]).is_absolute()


def test_save_as_elsewhere_keeps_the_data_reachable(
    opened: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = opened
    target = tmp_path / "elsewhere" / "copy.eqp.json"
    target.parent.mkdir()
    monkeypatch.setattr(
        "equityplanner.app.project_files.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    assert w.files.save_as()
    assert w.session.path == target.resolve()
    reloaded = load_project(target)
    assert reloaded.resolve(reloaded.baseline.neighbourhoods).exists()
    # The opportunity layers and GTFS feeds too, in the file and in the window.
    for doc in (reloaded, w.session.document):
        for source in doc.opportunities.values():
            assert doc.resolve(source.path).exists()
        if doc.gtfs is not None:
            assert doc.resolve(doc.gtfs.baseline).exists()
            assert doc.resolve(doc.gtfs.proposed).exists()
    assert target.name in w.windowTitle()


def test_unsaved_changes_prompt_cancel_discard_and_save(
    opened: MainWindow, project_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = opened
    _edit(w)
    asked = _answer(monkeypatch, QMessageBox.StandardButton.Cancel)
    assert not w.close(), "Cancel keeps the window open"
    assert w.isVisible() and asked == ["Unsaved changes"]
    assert not w.new_project(), "and keeps the project"
    assert w.session.is_modified

    _answer(monkeypatch, QMessageBox.StandardButton.Save)
    assert w.files.maybe_save()
    assert not w.session.is_modified
    assert any(p.name == "Test homes" for p in load_project(project_file).projects)

    _edit(w)
    _answer(monkeypatch, QMessageBox.StandardButton.Discard)
    assert w.close()
    assert not any(
        p.name == "Test homes" and p.id.endswith("-2") for p in load_project(project_file).projects
    )


def test_autosave_sidecar_and_recovery_on_open(
    qtbot,
    opened: MainWindow,
    project_file: Path,
    settings,
    dialogs: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = opened
    _edit(w)
    sidecar = w.files.autosave()
    assert sidecar == sidecar_path(project_file) and sidecar.exists()
    future = project_file.stat().st_mtime + 5
    os.utime(sidecar, (future, future))
    assert has_newer_autosave(project_file)
    assert load_project(sidecar).projects[-1].name == "Test homes"

    other = MainWindow(settings)
    other.show()
    try:
        asked = _answer(monkeypatch, QMessageBox.StandardButton.Yes)
        with qtbot.waitSignal(other.baseline_loaded, timeout=30_000):
            assert other.open_project(project_file)
        assert asked == ["Recover unsaved changes?"]
        assert other.session.document.projects[-1].name == "Test homes"
        assert other.session.is_modified, "recovered edits are unsaved"
        assert other.commands.undo.text().endswith("Recover autosaved changes")
        assert other.files.save()
        assert not sidecar.exists(), "a clean save removes the autosave"
    finally:
        other.cancel_tasks()
        other.session.undo_stack.setClean()
        other.close()


def test_edits_are_autosaved_after_a_pause(qtbot, opened: MainWindow, project_file: Path) -> None:
    w = opened
    w.files.edit_autosave_timer.setInterval(50)
    _edit(w)
    qtbot.waitUntil(lambda: sidecar_path(project_file).exists(), timeout=3000)
    w.session.undo_stack.setClean()
    w.close()
    assert not sidecar_path(project_file).exists(), "a clean close removes the autosave"


def test_broken_project_file_shows_what_is_wrong_and_what_to_do(
    window: MainWindow, tmp_path: Path, dialogs: dict
) -> None:
    broken = tmp_path / "broken.eqp.json"
    broken.write_text(
        '{"format": "equityplanner-project", "schema_version": 1, "projects": [', encoding="utf-8"
    )
    assert not window.open_project(broken)
    report = dialogs["errors"][-1]
    assert report.kind == "input"
    assert "not valid JSON" in report.text and "broken.eqp.json" in report.text
    assert report.remedy and "line 1" in report.details
    assert window.session.path is None, "the previous project stays open"


def test_project_with_many_problems_lists_them_all(
    window: MainWindow, tmp_path: Path, dialogs: dict
) -> None:
    bad = tmp_path / "bad.eqp.json"
    bad.write_text(
        json.dumps(
            {
                "format": "equityplanner-project",
                "schema_version": 1,
                "baseline": {"neighbourhoods": "missing.gpkg"},
                "parameters": {"catchment_m": {"bus": -4}, "colour": "red"},
            }
        ),
        encoding="utf-8",
    )
    assert not window.open_project(bad)
    report = dialogs["errors"][-1]
    assert "missing.gpkg" in report.details and "catchment_m.bus" in report.details
    assert "colour" in report.details


def test_error_dialog_details_can_be_copied(qtbot, window: MainWindow) -> None:
    from PySide6.QtGui import QGuiApplication

    from equityplanner.app.messages import ErrorDialog, describe_error
    from equityplanner.errors import InputError

    dialog = ErrorDialog(
        describe_error(
            InputError("column 'POP' is empty", path="t.csv", remedy="Fill it in"), "importing"
        )
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert "column 'POP' is empty" in dialog.text_label.text()
    assert dialog.remedy_label.text() == "Fill it in."
    dialog.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert "column 'POP' is empty" in text and "Fill it in" in text
    assert dialog.isVisible(), "copying does not close the dialog"
    dialog.toggle_button.click()
    assert dialog.details.isVisible()


def test_cancelled_is_a_quiet_status_message(window: MainWindow, dialogs: dict) -> None:
    from equityplanner.errors import Cancelled

    report = window.report_error(Cancelled("Cancelled by the user."), "exporting")
    assert report.kind == "cancelled" and not dialogs["errors"]
    assert "Cancelled" in window.statusBar().currentMessage()


def test_export_workbook_in_a_worker(qtbot, assessed: MainWindow, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "out" / "review.xlsx"
    target.parent.mkdir()
    with qtbot.waitSignal(assessed.export_finished, timeout=120_000) as blocker:
        worker = assessed.export_workbook(target)
        assert worker is not None and assessed.status.progress_bar.isVisible()
    assert blocker.args[0] == target and target.exists()
    book = load_workbook(target)
    assert len(book.sheetnames) >= 3
    assert "Exported" in assessed.statusBar().currentMessage()
    assert assessed.settings.last_folder("export") == str(target.parent.resolve())


def test_export_menu_command_asks_for_a_file(
    qtbot, assessed: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "chosen"
    monkeypatch.setattr(
        "equityplanner.app.workbook_export.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    with qtbot.waitSignal(assessed.export_finished, timeout=120_000):
        assessed.commands.export.trigger()
    assert (tmp_path / "chosen.xlsx").exists()


def test_export_to_a_locked_target_reports_an_input_error(
    qtbot, assessed: MainWindow, tmp_path: Path, dialogs: dict
) -> None:
    target = tmp_path / "no-such-folder" / "x.xlsx"
    with qtbot.waitSignal(assessed.export_failed, timeout=60_000):
        assessed.export_workbook(target)
    assert dialogs["errors"][-1].kind == "input"
