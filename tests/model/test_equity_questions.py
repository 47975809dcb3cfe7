"""The racial-equity question set (resources/equity_questions.toml) is complete and usable."""

from __future__ import annotations

import re
import tomllib

import pytest

from equityplanner.catalog import load_resource, resource_path
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.equity_questions import (
    NOT_APPLICABLE,
    Answer,
    AnswersRule,
    concern_is_known,
    concerns_indicator,
    count_answered,
    question,
    question_sets,
    questions,
    with_answer,
)
from equityplanner.model.indicator_ids import IndicatorId

ID = re.compile(r"^(gare|nyc|iccar)\.[a-z0-9_]+\.[a-z0-9_]+$")


def _engine_ids() -> set[str]:
    """Every fixed indicator id the engine writes (indicators.toml and one per group)."""
    data = load_resource("indicators.toml")
    ids: set[str] = set()
    for key, table in data.items():
        if isinstance(table, dict) and "id" in table:
            ids.add(table["id"])
        for sub, inner in table.items() if isinstance(table, dict) else ():
            if (
                isinstance(inner, dict)
                and "name" in inner
                and key in {f.value for f in IndicatorFamily}
            ):
                ids.add(f"{key}.{sub}")
    groups = load_resource("groups.toml")["groups"]
    ids |= {f"served.{group}" for group in groups}
    return ids


def test_three_sets_with_their_sources():
    sets = question_sets()
    assert [s.id for s in sets] == ["gare", "nyc", "iccar"]
    for s in sets:
        assert s.title("en") and s.title("es") and s.title("es") != s.title("en")
        src = s.source
        assert src.title and src.publisher and 1990 < src.year < 2030
        assert src.url.startswith("https://")
    gare = sets[0]
    assert [step.id for step in gare.steps] == ["1", "2", "3", "4", "5", "6"]
    assert gare.source.year == 2016 and "Nelson" in gare.source.authors
    assert len(sets[2].questions) == 10  # the ten commitments


def test_every_question_is_complete_in_both_languages():
    raw = tomllib.loads(resource_path("equity_questions.toml").read_text(encoding="utf-8"))
    seen: list[str] = []
    for s in raw["sets"]:
        for step in s["steps"]:
            assert step["title"]["en"] and step["title"]["es"]
            for q in step["questions"]:
                seen.append(q["id"])
                assert ID.match(q["id"]), q["id"]
                assert q["id"].startswith(s["id"] + "."), q["id"]
                for key in ("text", "help"):
                    assert set(q[key]) == {"en", "es"}, (q["id"], key)
                    assert q[key]["en"].strip() and q[key]["es"].strip(), (q["id"], key)
                    assert q[key]["en"] != q[key]["es"], (q["id"], key)
                assert q["text"]["en"].rstrip().endswith("?"), q["id"]
                assert q["text"]["es"].rstrip().endswith("?") and "¿" in q["text"]["es"], q["id"]
                assert isinstance(q["concerns"], list), q["id"]
                assert set(q) <= {"id", "text", "help", "concerns", "optional", "verify"}, q["id"]
    assert len(seen) == len(set(seen)), "question ids are not unique"
    assert seen == [q.id for q in questions()]


def test_concerns_name_real_families_or_indicator_ids():
    families = {f.value for f in IndicatorFamily}
    engine = _engine_ids()
    for q in questions():
        for concern in q.concerns:
            assert concern_is_known(concern), (q.id, concern)
            if concern in families or concern in {"title_vi.fare", "title_vi.access"}:
                continue
            IndicatorId.parse(concern)
            assert concern in engine, (q.id, concern, "no indicator has this id")
    assert not concern_is_known("fares") and not concern_is_known("housing.nothing.at.all")


def test_questions_in_each_language():
    q = question("gare.4.benefits_burdens")
    assert q.text("en").startswith("Given the data")
    assert q.text("es").startswith("A la luz")
    assert q.text("fr") == q.text("en")  # no French: English
    assert "title_vi" in q.concerns
    optional = [q.id for q in questions() if q.optional]
    assert optional and all(i.startswith("iccar.") for i in optional)


def test_concerns_match_either_side_and_whole_parts_only():
    assert concerns_indicator("title_vi", "title_vi.disparate_impact")
    assert concerns_indicator("title_vi.fare", "title_vi.fare.disparate_impact")
    assert concerns_indicator("served.minority", "served.minority.burdens")
    assert not concerns_indicator("served.minority", "served.minority_share")
    assert not concerns_indicator("housing", "housing_extra.x")


def test_answers_keep_the_questions_order_and_drop_empty_ones():
    answers = with_answer({}, "iccar.8.education", Answer(NOT_APPLICABLE, reason="City-wide"))
    answers = with_answer(answers, "gare.1.proposal_outcomes", Answer(text="Homes near transit"))
    assert list(answers) == ["gare.1.proposal_outcomes", "iccar.8.education"]
    assert count_answered(answers) == 2
    assert with_answer(answers, "gare.1.proposal_outcomes", Answer(text="  ")) == {
        "iccar.8.education": Answer(NOT_APPLICABLE, reason="City-wide")
    }
    assert with_answer(answers, "iccar.8.education", None) == {
        "gare.1.proposal_outcomes": Answer(text="Homes near transit")
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["x"], "equity_questions: ['x'] is not an object; give an object of answers"),
        (
            {"gare.9.nothing": "yes"},
            "equity_questions.gare.9.nothing: not a question of resources/equity_questions.toml",
        ),
        (
            {"gare.1.proposal_outcome": "yes"},
            "did you mean gare.1.proposal_outcomes?",
        ),
        (
            {"gare.1.proposal_outcomes": {"status": "answered", "text": ""}},
            "equity_questions.gare.1.proposal_outcomes.text: empty, but the status is answered",
        ),
        (
            {"gare.1.proposal_outcomes": {"status": "not_applicable"}},
            "equity_questions.gare.1.proposal_outcomes.reason: missing; say why",
        ),
        (
            {"gare.1.proposal_outcomes": {"status": "maybe", "text": "x"}},
            "equity_questions.gare.1.proposal_outcomes.status: 'maybe'; use one of answered, "
            "not_applicable",
        ),
        (
            {"gare.1.proposal_outcomes": {"text": ["a"]}},
            "equity_questions.gare.1.proposal_outcomes.text: ['a'] is not a text",
        ),
        (
            {"gare.1.proposal_outcomes": 12.5},
            "equity_questions.gare.1.proposal_outcomes: 12.5 is not an object",
        ),
        (
            {"gare.1.proposal_outcomes": {"text": "x", "answer": "y"}},
            "equity_questions.gare.1.proposal_outcomes.answer: unknown (known: reason, status, "
            "text)",
        ),
    ],
)
def test_each_bad_value_is_one_clear_problem(raw, expected):
    problems: list[str] = []
    AnswersRule().read(raw, "equity_questions", problems, {})
    assert len(problems) == 1, problems
    assert expected in problems[0], problems[0]
