"""Headline sentences of the proposals, and the note reconciling a GTFS service change with a
project's cut, for the Decision and Summary sheets.

A headline's Title VI part is a formula of the verdict keys of the Title VI tests sheet, so it
follows a changed threshold; what follows it (displacement, housing) is the assessment's
words, covered by the banner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from equityplanner.model.concepts import ResultKind, TitleViTest
from equityplanner.model.project import HousingProject, TransitProject
from equityplanner.model.results import ProposalResult
from equityplanner.report.layout import Formula, a1, excel_string, quote_sheet
from equityplanner.report.sheets import BookContext, result_sides
from equityplanner.report.sheets.title_vi import COLUMNS as TV
from equityplanner.report.sheets.title_vi import SHEET_NAME as TV_SHEET

__all__ = ["Headline", "headline", "reconciliation"]

_DI, _DB = TitleViTest.DISPARATE_IMPACT, TitleViTest.DISPROPORTIONATE_BURDEN
STEPS = {
    "both": "a substantial legitimate justification, with the less discriminatory alternatives "
    "considered, and steps to avoid, minimise or mitigate the burden",
    "di": "a substantial legitimate justification, with the less discriminatory alternatives "
    "considered",
    "db": "steps to avoid, minimise or mitigate the burden where practicable",
}


@dataclass(frozen=True)
class Headline:
    """A headline's cell (a formula or a text) and its order (0 first: adverse)."""

    cell: Any
    severity: int


def headline(
    ctx: BookContext, result: ProposalResult, tv_expected: dict[int, dict[str, Any]]
) -> Headline:
    """The headline sentence of a project, scenario, service change or fare change."""
    keys: dict[TitleViTest, list[tuple[str, str]]] = {_DI: [], _DB: []}
    where = "under the adopted Title VI policy"
    if result.kind is ResultKind.FARE_CHANGE:
        # Its tests are on the Fare equity sheet (average fares, not shares).
        where = "in the fare equity analysis (FTA C 4702.1B) under the adopted Title VI policy"
        for block in ctx.fare_blocks:
            if block.result is result:
                for t in block.tests:
                    keys[t.test].append((t.ref("key"), str(t.cells["key"])))
        tail = ""
    else:
        for side in result_sides(result):
            for test in (_DI, _DB):
                row = ctx.title_vi_rows.get((result.id, f"title_vi.{test.value}{side.suffix}"))
                if row is not None:
                    ref = f"{quote_sheet(TV_SHEET)}!{a1(row, TV['key'], absolute=True)}"
                    keys[test].append((ref, str(tv_expected.get(row, {}).get("key", ""))))
        tail = _tail(ctx, result)
    name = f"{result.name}: "
    if not keys[_DI] and not keys[_DB]:
        housing = ctx.housing_project(result)
        severity = 1 if housing is not None and housing.households_displaced > 0 else 2
        words = tail.strip() or "no Title VI test applies (no transit change)."
        return Headline(name + words[0].upper() + words[1:], severity)

    def any_of(test: TitleViTest | None, word: str) -> tuple[str, bool]:
        pairs = keys[_DI] + keys[_DB] if test is None else keys[test]
        formula = (
            "OR(" + ",".join(f'{ref}="{word}"' for ref, _ in pairs) + ")" if pairs else "FALSE"
        )
        return formula, any(key == word for _, key in pairs)

    (a, a_now), (b, b_now) = any_of(_DI, "finding"), any_of(_DB, "finding")
    c, c_now = any_of(None, "not_distinguishable")
    both = "potential disparate impact and a potential disproportionate burden"
    adverse = (
        f'"a "&IF(AND({a},{b}),"{both}",IF({a},"potential disparate impact",'
        f'"potential disproportionate burden"))&" {where}; the policy '
        f'requires "&IF(AND({a},{b}),"{STEPS["both"]}",IF({a},"{STEPS["di"]}","{STEPS["db"]}"))&"."'
    )
    unclear = '"a Title VI test cannot tell within its margin of error; gather better data before deciding."'
    clear = (
        '"no Title VI disparity in the fare equity analysis under the adopted tests."'
        if result.kind is ResultKind.FARE_CHANGE
        else '"no Title VI disparity under the adopted tests."'
    )
    body = (
        f"={excel_string(name)}&IF(OR({a},{b}),{adverse},IF({c},{unclear},{clear}))"
        f"&{excel_string(tail)}"
    )
    if a_now or b_now:
        what = (
            both
            if a_now and b_now
            else ("potential disparate impact" if a_now else "potential disproportionate burden")
        )
        step = STEPS["both"] if a_now and b_now else STEPS["di"] if a_now else STEPS["db"]
        words = f"a {what} {where}; the policy requires {step}."
        severity = 0
    elif c_now:
        words = unclear.strip('"')
        severity = 1
    else:
        words = clear.strip('"')
        severity = 2
    return Headline(Formula(body, name + words + tail), severity)


def _tail(ctx: BookContext, result: ProposalResult) -> str:
    """What follows the Title VI part: displacement and the housing project, in words."""
    parts = []
    side = result_sides(result)[0]
    displacement = side.indicator("displacement.vulnerable_population") if side.is_benefit else None
    housing = _housing(ctx, result)
    if housing is not None and (housing.households_displaced or housing.units_demolished):
        net = housing.affordable_units - housing.affordable_units_demolished
        prefix = "" if (housing.id,) == result.project_ids else f"{housing.name}: "
        parts.append(
            f"{prefix}{housing.units_demolished:,} homes demolished "
            f"({housing.affordable_units_demolished:,} affordable) and "
            f"{housing.households_displaced:,} households must move: plan relocation assistance; "
            f"{housing.affordable_units:,} affordable homes added (net {net:+,}) for households "
            "earning up to 80% of AMI."
        )
    if displacement is not None and displacement.rating == "risk":
        people = displacement.value if isinstance(displacement.value, int | float) else 0.0
        parts.append(
            f"About {people:,.0f} people inside the catchment live in neighbourhoods vulnerable to "
            "displacement: plan anti-displacement measures."
        )
    return (" " + " ".join(parts)) if parts else ""


def _housing(ctx: BookContext, result: ProposalResult) -> HousingProject | None:
    for pid in result.project_ids:
        for project in ctx.assessment.projects:
            if project.id == pid and isinstance(project, HousingProject):
                return project
    return None


def reconciliation(ctx: BookContext) -> list[str]:
    """How a GTFS service change relates to the transit projects of the same side.

    Both can describe the same cut (or new service) measured two ways: the GTFS comparison
    counts everyone in the whole neighbourhoods near stops whose service changes by the
    major-change threshold; a project counts the people within its walk catchment,
    apportioned by area.
    """
    a = ctx.assessment
    notes = []
    changes = [r for r in a.results if r.kind is ResultKind.SERVICE_CHANGE]
    projects = [r for r in a.results if r.kind is ResultKind.PROJECT]
    threshold = a.parameters.major_change_threshold
    for change in changes:
        for side in result_sides(change):
            ids = _ids_inside(change.neighbourhoods, "share_in_catchment" + side.suffix)
            if not ids:
                continue
            for project_result in projects:
                project = next(
                    (p for p in a.projects if (p.id,) == project_result.project_ids), None
                )
                if (
                    not isinstance(project, TransitProject)
                    or project.change.is_benefit != side.is_benefit
                ):
                    continue
                mine = _ids_inside(project_result.neighbourhoods, "share_in_catchment")
                shared = len(ids & mine)
                if shared == 0:
                    continue
                verb = "losing" if not side.is_benefit else "gaining"
                overlap = (
                    f"all {len(ids)} neighbourhoods {verb} {threshold:.0%} or more of their trips "
                    f"lie in its catchment"
                    if shared == len(ids)
                    else f"{shared} of the {len(ids)} neighbourhoods {verb} {threshold:.0%} or more "
                    "of their trips lie in its catchment (the others change on other routes)"
                )
                notes.append(
                    f"{change.name} ({side.effect}s) and {project.name}: {overlap}. Their numbers "
                    f"differ by design: the GTFS comparison counts everyone in those whole "
                    f"neighbourhoods ({_people(change, side.suffix)}); the project counts the people "
                    f"within {a.parameters.catchment_for(project):,.0f} m of its stops, apportioned "
                    f"by area ({_people(project_result, '')})."
                )
    return notes


def _ids_inside(frame: pd.DataFrame, column: str) -> set[str]:
    if column not in frame:
        return set()
    share = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return set(frame["id"].astype(str).to_numpy()[share > 0])


def _people(result: ProposalResult, suffix: str) -> str:
    words = []
    for ind_id, what in (
        ("served.population", "{:,.0f} people"),
        ("title_vi.disparate_impact", "{:.1%} minority"),
        ("title_vi.disproportionate_burden", "{:.1%} low-income"),
    ):
        try:
            value = result.indicator(ind_id + suffix).value
        except KeyError:
            continue
        if isinstance(value, int | float) and np.isfinite(value):
            words.append(what.format(value))
    return ", ".join(words)
