"""The Title VI tests sheet's verdict rules against the engine's (no LibreOffice needed).

The sheet's formulas carry the values :func:`verdict_cells` gives; these tests check that
those values are the engine's verdict, form by form, for any counts, margins and policy, so
that a recalculated workbook and the JSON output agree.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from equityplanner.analysis.title_vi import title_vi_test
from equityplanner.model.concepts import TitleViTest
from equityplanner.model.project import TitleViPolicy
from equityplanner.report.sheets.title_vi import FORM_NAMES, verdict_cells, verdict_formulas

FORMS = ("absolute", "relative", "four_fifths")


@settings(max_examples=300, deadline=None)
@given(
    ta=st.integers(1, 20_000),
    ga_share=st.floats(0.0, 1.0),
    rest=st.integers(1, 200_000),
    gr_share=st.floats(0.01, 0.99),
    benefit=st.booleans(),
    forms=st.lists(st.sampled_from(FORMS), min_size=1, max_size=3, unique=True),
    points=st.floats(1.0, 30.0),
    relative=st.floats(0.05, 0.6),
    ratio=st.floats(0.5, 0.95),
    moe_a=st.one_of(st.none(), st.floats(0.0, 0.2)),
    moe_r=st.one_of(st.none(), st.floats(0.0, 0.05)),
)
def test_sheet_verdicts_are_the_engines(
    ta, ga_share, rest, gr_share, benefit, forms, points, relative, ratio, moe_a, moe_r
):
    ga = round(ta * ga_share)
    others = rest
    gr = ga + round(others * gr_share)
    tr = ta + others
    if gr == 0 or gr >= tr:
        return
    policy = TitleViPolicy(
        forms=tuple(forms),
        threshold_pp=points,
        threshold_relative=relative,
        four_fifths_ratio=ratio,
    )
    engine = title_vi_test(
        ga,
        ta,
        gr,
        tr,
        is_benefit=benefit,
        policy=policy,
        moe_share_affected=moe_a,
        moe_share_reference=moe_r,
    )
    cells = verdict_cells(
        engine.share_affected,
        engine.share_reference,
        None if moe_a is None else moe_a * 100,
        None if moe_r is None else moe_r * 100,
        is_benefit=benefit,
        policy=policy,
        test=TitleViTest.DISPARATE_IMPACT,
    )
    # Ties at a boundary (up to rounding) may fall either way; they are not verdicts to check.
    near = [
        f
        for f in engine.by_form.values()
        if math.isfinite(f.statistic)
        and (
            abs(f.statistic - f.boundary) < 1e-7 * max(1.0, abs(f.boundary))
            or (f.moe and abs(abs(f.statistic - f.boundary) - f.moe) < 1e-7)
        )
    ]
    if near:
        return
    assert cells["key"] == engine.outcome
    if engine.deciding_form is not None:
        assert cells["decided"] == FORM_NAMES[engine.deciding_form]
    for form, column in (
        ("absolute", "points"),
        ("relative", "relative_test"),
        ("four_fifths", "four_fifths"),
    ):
        if form not in policy.forms:
            assert cells[column] == "Not adopted"
            continue
        expected = {
            "finding": "Finding",
            "no_finding": "Within",
            "not_distinguishable": "Cannot tell",
        }[engine.by_form[form].verdict]
        assert cells[column] == expected, (form, engine.by_form[form])


def test_words_name_the_form_and_the_direction():
    policy = TitleViPolicy()
    cells = verdict_cells(
        0.59,
        0.494,
        0.3,
        0.2,
        is_benefit=False,
        policy=policy,
        test=TitleViTest.DISPROPORTIONATE_BURDEN,
    )
    assert cells["words"] == (
        "Potential disproportionate burden (four-fifths test: rate ratio 1.47, clear of its "
        "margin of error)"
    )
    cells = verdict_cells(
        0.887, 0.771, 1.0, 0.5, is_benefit=True, policy=policy, test=TitleViTest.DISPARATE_IMPACT
    )
    assert cells["words"] == (
        "No disparity found: the benefit reaches minority residents more than their share"
    )
    cells = verdict_cells(
        0.30,
        0.20,
        4.0,
        1.0,
        is_benefit=False,
        policy=TitleViPolicy(forms=("absolute",)),
        test=TitleViTest.DISPARATE_IMPACT,
    )
    assert cells["words"] == (
        "Not distinguishable from the threshold: the percentage-point test's margin of error "
        "includes its threshold"
    )


def test_the_formulas_read_the_threshold_names():
    formulas = verdict_formulas(7, TitleViTest.DISPARATE_IMPACT)
    assert "Threshold_points" in formulas["points"] and "Adopted_points_test" in formulas["points"]
    assert "Four_fifths_ratio" in formulas["four_fifths"]
    assert "Threshold_relative" in formulas["relative_test"]
    assert all(not body.startswith("=") for body in formulas.values())
