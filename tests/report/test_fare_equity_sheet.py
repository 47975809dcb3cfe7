"""The fare change in the workbook: its own Decision section and the live Fare equity sheet.

What the formulas of the Fare equity sheet give (``fare_cells``) must be the engine's
verdict (``analysis.fare_equity.fare_test``) for every adopted form, increase or cut; the
sample's fare change is laid out in columns of its own, never in the share columns. The
LibreOffice recalculation of these formulas is in test_council_print_set.py.
"""

from __future__ import annotations

import pytest
from helpers import SAMPLE_PROJECT

from equityplanner.analysis.fare_equity import average_fare, fare_test
from equityplanner.model.concepts import TitleViTest
from equityplanner.model.project import FareType, TitleViPolicy
from equityplanner.report.sheets.fare_equity import SHEET_NAME, TEST_COLUMNS, fare_cells
from equityplanner.report.sheets.title_vi import FORM_NAMES
from equityplanner.report.workbook import build_workbook

pytestmark = pytest.mark.skipif(not SAMPLE_PROJECT.exists(), reason="the sample is missing")

FARES = [("Cash", 1.75, 2.50), ("Pass", 1.00, 1.20)]

CASES = [
    # (fares, group usage, others' usage, is_benefit)
    (FARES, {"Cash": 0.6, "Pass": 0.4}, {"Cash": 0.35, "Pass": 0.65}, False),
    (FARES, {"Cash": 0.3, "Pass": 0.7}, {"Cash": 0.65, "Pass": 0.35}, False),
    ([("Cash", 2.0, 1.9), ("Pass", 1.5, 1.2)], {"Cash": 0.9, "Pass": 0.1}, {"Pass": 1.0}, True),
    ([("Cash", 2.0, 1.9), ("Pass", 1.5, 1.2)], {"Pass": 1.0}, {"Cash": 0.9, "Pass": 0.1}, True),
    # The group's fare rises, the others' falls: the ratio is infinite.
    ([("Cash", 2.0, 2.2), ("Pass", 1.5, 1.4)], {"Cash": 1.0}, {"Pass": 1.0}, False),
    # Nobody's fare changes.
    ([("Cash", 2.0, 2.0)], {"Cash": 1.0}, {"Cash": 1.0}, False),
]
POLICIES = [
    TitleViPolicy(),
    TitleViPolicy(forms=("four_fifths",)),
    TitleViPolicy(forms=("absolute", "relative", "four_fifths"), threshold_pp=5.0),
    TitleViPolicy(forms=("relative",), threshold_relative=0.5),
]


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize(("fares", "group", "others", "is_benefit"), CASES)
def test_the_sheet_formulas_give_the_engine_verdict(fares, group, others, is_benefit, policy):
    types = tuple(FareType(name, old, new) for name, old, new in fares)
    engine = fare_test(
        average_fare("g", types, group),
        average_fare("o", types, others),
        policy=policy,
        is_benefit=is_benefit,
    )
    cells = fare_cells(
        fares,
        group,
        others,
        is_benefit=is_benefit,
        policy=policy,
        test=TitleViTest.DISPARATE_IMPACT,
    )
    assert cells["key"] == engine.outcome
    if engine.outcome == "finding":
        assert cells["decided"] == FORM_NAMES[engine.deciding_form]
    assert cells["group_change"] == pytest.approx(engine.group.change)
    assert cells["others_change"] == pytest.approx(engine.others.change)


def test_worked_case_of_the_sample_fare_change():
    cells = fare_cells(
        FARES,
        {"Cash": 0.6, "Pass": 0.4},
        {"Cash": 0.35, "Pass": 0.65},
        is_benefit=False,
        policy=TitleViPolicy(),
        test=TitleViTest.DISPARATE_IMPACT,
    )
    # Minority riders: 0.6 x $1.75 + 0.4 x $1.00 = $1.45 before, +$0.53 (+36.6%); the others
    # $1.2625, +$0.3925 (+31.1%): 5.5 points apart (within 10), ratio 0.53 / 0.3925 = 1.35
    # beyond 1 / 0.8 = 1.25.
    assert cells["group_before"] == pytest.approx(1.45)
    assert cells["group_pct"] == pytest.approx(0.53 / 1.45)
    assert cells["difference"] == pytest.approx(36.6 - 31.1)
    assert cells["ratio"] == pytest.approx(0.53 / 0.3925)
    assert (cells["points"], cells["relative_test"], cells["four_fifths"]) == (
        "Within",
        "Not adopted",
        "Finding",
    )
    assert cells["words"] == "Potential disparate impact (four-fifths test: ratio 1.35)"


@pytest.fixture(scope="module")
def workbook():
    from equityplanner.analysis.assess import assess
    from equityplanner.io.project_file import load_project

    return build_workbook(assess(load_project(SAMPLE_PROJECT)))


def test_the_fare_change_has_a_section_of_its_own_on_the_decision_sheet(workbook):
    decision = next(s for s in workbook.sheets if s.name == "Decision")
    text = {pos: c.value for pos, c in decision.cells.items()}
    rows = [r for (r, c), v in text.items() if c == 1 and isinstance(v, str)]
    fare_rows = [r for r in rows if str(text[(r, 1)]).endswith("against the other riders")]
    assert len(fare_rows) == 2
    header = next(r for r in rows if text[(r, 1)] == "Fare change and who is compared")
    assert text[(header, 2)] == "Group's average fare change a trip"
    assert text[(header, 6)] == "Verdict (fare equity analysis)"
    assert text[(header, 10)] == "Margin of error"
    findings = next(r for r in rows if text[(r, 1)] == "Proposal and what changes")
    assert findings < header  # below the share table, not inside it
    for row in fare_rows:
        for col in range(2, 12):
            assert (row, col) in text, (row, col)  # no empty cell in a fare row
        assert (row, 3) in {d[0] for d in decision.differences}


def test_the_fare_equity_sheet_and_no_catchment_columns(workbook):
    names = [s.name for s in workbook.sheets]
    assert names.index("Title VI tests") < names.index(SHEET_NAME) < names.index("Neighbourhoods")
    title_vi = next(s for s in workbook.sheets if s.name == "Title VI tests")
    assert not any(
        isinstance(c.value, str) and "fare change" in c.value for c in title_vi.cells.values()
    )
    fares = next(s for s in workbook.sheets if s.name == SHEET_NAME)
    keys = [
        c.value.expected
        for (r, col), c in fares.cells.items()
        if col == TEST_COLUMNS["key"] and hasattr(c.value, "expected")
    ]
    assert keys == ["finding", "finding"]
    neighbourhoods = next(s for s in workbook.sheets if s.name == "Neighbourhoods")
    assert not any(
        isinstance(c.value, str) and "2027 fare change" in c.value
        for c in neighbourhoods.cells.values()
    )
