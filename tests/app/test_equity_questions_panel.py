"""The Equity questions dock, with real offscreen widgets: answers typed are saved with the
project, reopened, undone, autosaved, and change no result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from equityplanner.io.project_file import load_project
from equityplanner.model.equity_questions import NOT_APPLICABLE, Answer

QID = "gare.1.proposal_outcomes"


def _shown(qtbot, window, question_id: str):
    window.questions_dock.show()
    window.questions_dock.raise_()
    editor = window.questions.show_question(question_id)
    qtbot.waitUntil(editor.isVisible, timeout=5_000)
    return editor


def _typed(qtbot, window, question_id: str, text: str) -> None:
    editor = _shown(qtbot, window, question_id)
    qtbot.keyClicks(editor.answer, text)
    qtbot.waitUntil(lambda: question_id in window.session.document.equity_questions, timeout=5_000)


def test_the_dock_shows_every_question_and_the_progress(opened):
    panel = opened.questions
    assert opened.questions_dock.windowTitle() == "Equity questions"
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == [
        "GARE Racial Equity Toolkit",
        "NYC Racial Equity Report on Housing and Opportunity",
        "ICCAR: the ten commitments of the Coalition of Cities against Racism",
    ]
    assert len(panel.editors) == 33
    assert panel.progress.text() == "0 of 33 answered"
    editor = panel.editors[QID]
    assert editor.label.text().startswith("What are the desired results")
    assert editor.help.text().startswith("State the results")
    assert panel.editors["iccar.8.education"].label.text().endswith("(optional)")
    assert opened.questions_dock.toggleViewAction() in opened.commands.window_menu.actions()


def test_typing_an_answer_marks_the_project_modified_and_saves_with_it(
    qtbot, opened, project_file: Path
):
    assert not opened.session.is_modified
    _typed(qtbot, opened, QID, "More affordable homes near frequent transit")
    assert opened.session.is_modified and opened.isWindowModified()
    assert opened.questions.progress.text() == "1 of 33 answered"
    assert opened.session.undo_stack.count() == 1  # the keystrokes merged into one edit
    assert opened.files.save()
    assert not opened.session.is_modified
    saved = json.loads(project_file.read_text(encoding="utf-8"))
    assert saved["equity_questions"] == {
        QID: {"status": "answered", "text": "More affordable homes near frequent transit"}
    }
    # Reopened: the answer is there again.
    opened.new_project()
    assert opened.questions.editors[QID].answer.toPlainText() == ""
    with qtbot.waitSignal(opened.baseline_loaded, timeout=30_000):
        assert opened.open_project(project_file)
    editor = opened.questions.editors[QID]
    assert editor.answer.toPlainText() == "More affordable homes near frequent transit"
    assert opened.questions.progress.text() == "1 of 33 answered"
    assert not opened.session.is_modified


def test_not_applicable_needs_a_reason_and_round_trips(qtbot, opened, project_file: Path):
    editor = _shown(qtbot, opened, "iccar.10.hate_crimes")
    assert opened.questions.tabs.currentIndex() == 2
    assert not editor.reason.isEnabled()
    box = editor.not_applicable  # clicked on its box, as a user does (its centre may be blank)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert editor.reason.isEnabled()
    assert "iccar.10.hate_crimes" not in opened.session.document.equity_questions  # no reason
    qtbot.keyClicks(editor.reason, "A city-wide programme covers it")
    qtbot.waitUntil(
        lambda: "iccar.10.hate_crimes" in opened.session.document.equity_questions, timeout=5_000
    )
    assert opened.questions.progress.text() == "1 of 33 answered (1 not applicable)"
    assert opened.files.save()
    assert load_project(project_file).equity_questions == {
        "iccar.10.hate_crimes": Answer(NOT_APPLICABLE, reason="A city-wide programme covers it")
    }


def test_undo_takes_the_answer_back_and_redo_restores_it(qtbot, opened):
    _typed(qtbot, opened, QID, "First thoughts")
    editor = opened.questions.editors[QID]
    opened.session.undo_stack.undo()
    assert opened.session.document.equity_questions == {}
    assert editor.answer.toPlainText() == ""
    assert not opened.session.is_modified
    opened.session.undo_stack.redo()
    assert editor.answer.toPlainText() == "First thoughts"


def test_an_answer_is_autosaved(qtbot, opened):
    _typed(qtbot, opened, "gare.2.data_gaps", "No rider survey yet")
    path = opened.files.autosave()
    assert path is not None
    recovered = load_project(path)
    assert recovered.equity_questions == {"gare.2.data_gaps": Answer(text="No rider survey yet")}


@pytest.mark.filterwarnings("ignore:.*extension is not supported:UserWarning")
def test_answers_change_no_result_and_reach_the_exported_workbook(qtbot, assessed, tmp_path):
    from openpyxl import load_workbook

    _typed(qtbot, assessed, "gare.4.benefits_burdens", "Route 14 burdens minority riders")
    assert assessed.state.staleness is None  # the results still match the project
    target = tmp_path / "out.xlsx"
    with qtbot.waitSignal(assessed.export_finished, timeout=120_000):
        assessed.export_workbook(target)
    ws = load_workbook(target)["Equity questions"]
    row = next(
        r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "gare.4.benefits_burdens"
    )
    assert ws.cell(row, 3).value == "Route 14 burdens minority riders"
    assert ws.cell(row + 0, 4).value  # the numbers it concerns
