"""The answers to the racial-equity questions round-trip through the project file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import SAMPLE_PROJECT

from equityplanner.io.project_file import (
    ProjectFileError,
    document_to_dict,
    load_project,
    save_project,
)
from equityplanner.model.equity_questions import NOT_APPLICABLE, Answer

ANSWERS = {
    "gare.1.proposal_outcomes": Answer(
        text="Frequent service for Southside; 40% affordable homes."
    ),
    "gare.4.benefits_burdens": Answer(
        text="Línea 14: más carga para residentes de minorías.\nSee Title VI."
    ),
    "iccar.8.education": Answer(NOT_APPLICABLE, reason="A city-wide programme, not this project's"),
}


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "magnolia"
    shutil.copytree(SAMPLE_PROJECT.parent, folder)
    return folder / SAMPLE_PROJECT.name


def test_answers_round_trip_through_the_project_file(sample_copy: Path):
    from dataclasses import replace

    doc = replace(load_project(sample_copy), equity_questions=dict(ANSWERS))
    save_project(doc, sample_copy)
    saved = json.loads(sample_copy.read_text(encoding="utf-8"))
    assert saved["equity_questions"] == {
        "gare.1.proposal_outcomes": {
            "status": "answered",
            "text": "Frequent service for Southside; 40% affordable homes.",
        },
        "gare.4.benefits_burdens": {
            "status": "answered",
            "text": "Línea 14: más carga para residentes de minorías.\nSee Title VI.",
        },
        "iccar.8.education": {
            "status": "not_applicable",
            "reason": "A city-wide programme, not this project's",
        },
    }
    again = load_project(sample_copy)
    assert again.equity_questions == ANSWERS
    assert list(again.equity_questions) == list(ANSWERS)
    assert again == replace(doc, path=again.path)
    assert document_to_dict(again, sample_copy) == document_to_dict(doc, sample_copy)


def test_a_project_file_without_the_key_still_reads(sample_copy: Path):
    raw = json.loads(sample_copy.read_text(encoding="utf-8"))
    assert "equity_questions" not in raw
    doc = load_project(sample_copy)
    assert doc.equity_questions == {}
    assert "equity_questions" not in document_to_dict(doc, sample_copy)  # none: not written
    raw["equity_questions"] = {}
    sample_copy.write_text(json.dumps(raw), encoding="utf-8")
    assert load_project(sample_copy).equity_questions == {}


def test_a_bare_text_is_an_answer(sample_copy: Path):
    raw = json.loads(sample_copy.read_text(encoding="utf-8"))
    raw["equity_questions"] = {"gare.2.data_gaps": "No rider survey yet."}
    sample_copy.write_text(json.dumps(raw), encoding="utf-8")
    assert load_project(sample_copy).equity_questions == {
        "gare.2.data_gaps": Answer(text="No rider survey yet.")
    }


def test_every_bad_answer_is_one_problem_naming_its_key(sample_copy: Path):
    raw = json.loads(sample_copy.read_text(encoding="utf-8"))
    raw["equity_questions"] = {
        "gare.9.unknown": {"text": "x"},
        "gare.1.proposal_outcomes": {"status": "answered", "text": "   "},
        "gare.2.data_gaps": {"status": "not_applicable", "reason": ""},
        "gare.3.root_causes": {"text": 5, "status": True},
        "gare.4.mitigation": "A good answer",
    }
    sample_copy.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(sample_copy)
    problems = caught.value.problems
    assert len(problems) == 4, problems
    assert problems[0].startswith("equity_questions.gare.9.unknown: not a question")
    assert problems[1].startswith("equity_questions.gare.1.proposal_outcomes.text: empty")
    assert problems[2].startswith("equity_questions.gare.2.data_gaps.reason: missing")
    assert problems[3].startswith("equity_questions.gare.3.root_causes.status: True")


def test_not_an_object_is_one_problem(sample_copy: Path):
    raw = json.loads(sample_copy.read_text(encoding="utf-8"))
    raw["equity_questions"] = ["gare.1.proposal_outcomes"]
    sample_copy.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ProjectFileError) as caught:
        load_project(sample_copy)
    assert caught.value.problems == [
        "equity_questions: ['gare.1.proposal_outcomes'] is not an object; give an object of "
        'answers by question id, e.g. {"gare.1.proposal_outcomes": "..."}'
    ]
