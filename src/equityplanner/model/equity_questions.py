"""The racial-equity questions and a project's answers to them (issue 15.3).

The questions are data, in ``resources/equity_questions.toml``: three sets (the six steps of
the GARE Racial Equity Toolkit, the items of New York City's Racial Equity Report on Housing
and Opportunity, the ten commitments of the Coalition of Cities against Racism), each with its
source, its steps and its questions. A question has a stable id, its text and help in English
and Spanish, and the indicators whose numbers it concerns (:attr:`Question.concerns`).

A project's answers are a mapping of question id to :class:`Answer` (an answer, or "not
applicable" with a reason); a question without an entry is unanswered. They are saved in the
project file under ``equity_questions`` (read with :class:`AnswersRule`, written with
:func:`answers_to_dict`; see ``docs/equity_questions.md``).

Examples
--------
>>> problems: list[str] = []
>>> answers = AnswersRule().read(
...     {"gare.1.proposal_outcomes": "More homes near the new line",
...      "iccar.8.education": {"status": "not_applicable", "reason": "City-wide programme"}},
...     "equity_questions", problems, {})
>>> answers["gare.1.proposal_outcomes"].status, problems
('answered', [])
>>> count_answered(answers), len(questions())
(2, 33)
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId, base_id
from equityplanner.model.schema import (
    INVALID,
    Choice,
    Field,
    Object,
    Rule,
    Text,
    show,
)

__all__ = [
    "ANSWERED",
    "NOT_APPLICABLE",
    "STATUSES",
    "Answer",
    "AnswersRule",
    "Question",
    "QuestionSet",
    "Source",
    "Step",
    "answers_to_dict",
    "concern_is_known",
    "concerns_indicator",
    "count_answered",
    "question",
    "question_sets",
    "questions",
    "with_answer",
]

ANSWERED: Final = "answered"
NOT_APPLICABLE: Final = "not_applicable"
STATUSES: Final = (ANSWERED, NOT_APPLICABLE)
RESOURCE: Final = "equity_questions.toml"
# Id prefixes a question may name besides families and whole ids: the Title VI tests of a fare
# change (title_vi.fare.<test>) and of an access change (title_vi.access.<measure>.<test>).
_PREFIXES: Final = frozenset({"title_vi.fare", "title_vi.access"})


@dataclass(frozen=True)
class Answer:
    """A project's answer to one question.

    ``status`` is :data:`ANSWERED` (``text`` is the answer) or :data:`NOT_APPLICABLE`
    (``reason`` says why; ``text`` may keep a draft).
    """

    status: str = ANSWERED
    text: str = ""
    reason: str = ""

    @property
    def is_answered(self) -> bool:
        """True for an answer (not a not-applicable)."""
        return self.status == ANSWERED


@dataclass(frozen=True)
class Source:
    """Where a set of questions comes from."""

    title: str
    publisher: str
    year: int
    url: str
    authors: str = ""
    verify: bool = False  # a field of the source is not confirmed (see the TOML's comment)


@dataclass(frozen=True)
class Question:
    """One question: its id, words in each language, and what it concerns."""

    id: str
    set_id: str
    step_id: str
    texts: tuple[tuple[str, str], ...]  # (language, text)
    helps: tuple[tuple[str, str], ...]  # (language, help)
    concerns: tuple[str, ...] = ()
    optional: bool = False
    verify: bool = False

    def text(self, language: str = "en") -> str:
        """The question in ``language`` (English when it has none)."""
        return _in(self.texts, language)

    def help(self, language: str = "en") -> str:
        """The short help in ``language`` (English when it has none)."""
        return _in(self.helps, language)


@dataclass(frozen=True)
class Step:
    """A step of a set (GARE's six steps) or a group of its items."""

    id: str
    titles: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...]

    def title(self, language: str = "en") -> str:
        """The step's title in ``language``."""
        return _in(self.titles, language)


@dataclass(frozen=True)
class QuestionSet:
    """A set of questions with its source."""

    id: str
    titles: tuple[tuple[str, str], ...]
    source: Source
    steps: tuple[Step, ...]

    def title(self, language: str = "en") -> str:
        """The set's title in ``language``."""
        return _in(self.titles, language)

    @property
    def questions(self) -> tuple[Question, ...]:
        """Every question of the set, in order."""
        return tuple(q for step in self.steps for q in step.questions)


def _in(pairs: tuple[tuple[str, str], ...], language: str) -> str:
    words = dict(pairs)
    return words.get(language) or words.get("en", "")


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(k), str(v)) for k, v in dict(value or {}).items())


@cache
def question_sets() -> tuple[QuestionSet, ...]:
    """The question sets of ``resources/equity_questions.toml``, in order (cached)."""
    data = load_resource(RESOURCE)
    sets = []
    for raw in data["sets"]:
        steps = []
        for step in raw["steps"]:
            items = tuple(
                Question(
                    id=str(q["id"]),
                    set_id=str(raw["id"]),
                    step_id=str(step["id"]),
                    texts=_pairs(q.get("text")),
                    helps=_pairs(q.get("help")),
                    concerns=tuple(str(c) for c in q.get("concerns", ())),
                    optional=bool(q.get("optional", False)),
                    verify=bool(q.get("verify", False)),
                )
                for q in step["questions"]
            )
            steps.append(Step(str(step["id"]), _pairs(step.get("title")), items))
        src = raw["source"]
        source = Source(
            title=str(src["title"]),
            publisher=str(src["publisher"]),
            year=int(src["year"]),
            url=str(src["url"]),
            authors=str(src.get("authors", "")),
            verify=bool(src.get("verify", False)),
        )
        sets.append(QuestionSet(str(raw["id"]), _pairs(raw.get("title")), source, tuple(steps)))
    return tuple(sets)


def questions() -> tuple[Question, ...]:
    """Every question of every set, in printed order."""
    return tuple(q for s in question_sets() for q in s.questions)


@cache
def _by_id() -> dict[str, Question]:
    return {q.id: q for q in questions()}


def question(question_id: str) -> Question:
    """The question with this id (KeyError if there is none)."""
    return _by_id()[question_id]


def concern_is_known(concern: str) -> bool:
    """True when ``concern`` names an indicator family, an indicator id or a known id prefix."""
    if concern in {f.value for f in IndicatorFamily} or concern in _PREFIXES:
        return True
    try:
        IndicatorId.parse(concern)
    except ValueError:
        return False
    return True


def concerns_indicator(concern: str, indicator_id: str) -> bool:
    """True when the indicator (either side) is what ``concern`` names, or within it.

    >>> concerns_indicator("title_vi", "title_vi.disparate_impact.burdens")
    True
    >>> concerns_indicator("housing.recap", "housing.recap_share")
    False
    """
    base = base_id(indicator_id)
    return base == concern or base.startswith(concern + ".")


def count_answered(answers: Mapping[str, Answer]) -> int:
    """How many questions have a response (an answer or a reasoned "not applicable")."""
    known = _by_id()
    return sum(1 for qid in answers if qid in known)


def with_answer(
    answers: Mapping[str, Answer], question_id: str, answer: Answer | None
) -> dict[str, Answer]:
    """The answers with ``question_id``'s replaced (None, or an empty answer: unanswered).

    The result keeps the questions' printed order, so that the saved file reads in order.
    """
    out = dict(answers)
    if answer is None or not (answer.text.strip() or answer.status == NOT_APPLICABLE):
        out.pop(question_id, None)
    else:
        out[question_id] = answer
    order = {q.id: n for n, q in enumerate(questions())}
    return dict(sorted(out.items(), key=lambda item: order.get(item[0], len(order))))


def answers_to_dict(answers: Mapping[str, Answer]) -> dict[str, dict[str, str]]:
    """The JSON form of the answers, as the project file keeps them."""
    out: dict[str, dict[str, str]] = {}
    for qid, answer in answers.items():
        entry = {"status": answer.status}
        if answer.text:
            entry["text"] = answer.text
        if answer.reason:
            entry["reason"] = answer.reason
        out[qid] = entry
    return out


ANSWER_FIELDS: Final[tuple[Field, ...]] = (
    Field(
        "status",
        Choice(STATUSES),
        ANSWERED,
        "answered, or not_applicable (with a reason); a question left out is unanswered.",
        True,
    ),
    Field("text", Text(), "", "The answer.", True),
    Field("reason", Text(), "", "Why the question does not apply to this project.", True),
)
"""The keys of one answer (a text alone may stand for an answer)."""


def _answer(values: dict[str, Any], where: str, problems: list[str]) -> Any:
    status = values.get("status", ANSWERED)
    text, reason = values.get("text", ""), values.get("reason", "")
    if any(p.startswith(f"{where}.") for p in problems):
        return INVALID  # a key of this answer had a fault, already said
    if status == ANSWERED and not text.strip():
        problems.append(
            f"{where}.text: empty, but the status is answered; write the answer, or remove "
            "the question's entry to leave it unanswered"
        )
        return INVALID
    if status == NOT_APPLICABLE and not reason.strip():
        problems.append(
            f"{where}.reason: missing; say why the question does not apply to this project"
        )
        return INVALID
    return Answer(status=status, text=text, reason=reason)


_ANSWER = Object(
    ANSWER_FIELDS,
    _answer,
    unknown="unknown",
    fix='an object such as {"status": "answered", "text": "..."}',
    shorthand="text",
)


@dataclass(frozen=True)
class AnswersRule(Rule):
    """The ``equity_questions`` object: answers by question id (ids of the TOML only)."""

    max_items: int = 1_000

    def describe(self) -> str:
        return 'an object of answers by question id, e.g. {"gare.1.proposal_outcomes": "..."}'

    def read(self, value: Any, where: str, problems: list[str], example: Any) -> Any:
        if not isinstance(value, Mapping):
            problems.append(f"{where}: {show(value)} is not an object; give {self.describe()}")
            return INVALID
        if len(value) > self.max_items:
            problems.append(f"{where}: {len(value):,} answers (at most {self.max_items:,})")
            return INVALID
        known = _by_id()
        out: dict[str, Answer] = {}
        for key, item in value.items():
            at = f"{where}.{key}"
            if key not in known:
                close = difflib.get_close_matches(str(key), list(known), n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                problems.append(
                    f"{at}: not a question of resources/{RESOURCE}; {hint}use a question's id "
                    "(docs/equity_questions.md lists them), or remove the entry"
                )
                continue
            count = len(problems)
            answer = _ANSWER.read(item, at, problems, None)
            if answer is not INVALID and len(problems) == count:
                out[key] = answer
        return with_answer(out, "", None)  # in the questions' order
