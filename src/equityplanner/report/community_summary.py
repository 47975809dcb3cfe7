"""The community summary: one or two pages in plain words for the residents a proposal affects.

For each proposal (project, scenario, service change, fare change) it says what is proposed,
who lives near it, who gains and who may bear costs, and what the city must consider next;
then how to comment (the project's ``metadata.comment`` and ``metadata.comment_until``), who
prepared it and when, and that the numbers are rounded survey estimates. Every sentence is
built here from the assessment's numbers (not from the planners' finding sentences) and goes
through :mod:`equityplanner.i18n`, so the same summary is written in English and in Spanish
(``resources/locale/es/summary.po``), with numbers and dates formatted per language.

Numbers are rounded for reading: counts of people to two significant figures from 1,000
(3,166 -> "about 3,200"), to tens from 100, shares as "about N in 10" (half up: 0.469 ->
"about 5 in 10"; from 0.95 "more than 9 in 10"), below 0.095 as "about N in 100" (0.0169 ->
"about 2 in 100", below 0.005 "fewer than 1 in 100"); dollars a year to tens; fares to cents.

:func:`build_community_summary` gives the neutral text (:class:`CommunitySummary`);
:func:`community_summary_html` renders it as a self-contained, print-friendly HTML page;
:func:`write_community_summaries` writes ``<stem>.summary.en.html`` and
``<stem>.summary.es.html`` beside a workbook (atomically). The workbook's own sheets are laid
out by :mod:`equityplanner.report.sheets.community`.
"""

from __future__ import annotations

import datetime as _dt
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from equityplanner.i18n import (
    _,
    current_language,
    format_date,
    format_money,
    format_number,
    language,
    ngettext,
    pgettext,
)
from equityplanner.io.atomic import atomic_write_text
from equityplanner.model.concepts import ResultKind
from equityplanner.model.project import (
    HousingProject,
    Mode,
    ServiceChange,
    Tenure,
    TransitProject,
)
from equityplanner.model.results import Assessment, Indicator, ProposalResult

__all__ = [
    "SUMMARY_LANGUAGES",
    "CommunitySummary",
    "Paragraph",
    "Section",
    "build_community_summary",
    "community_summary_html",
    "community_summary_paths",
    "date_words",
    "planner_notices",
    "rounded_count",
    "share_words",
    "write_community_summaries",
]

#: The languages the summary is written in, in the order the workbook shows them.
SUMMARY_LANGUAGES: tuple[str, ...] = ("en", "es")
_WALK_M_PER_MIN = 80.0  # 4.8 km/h, the sketch model's walking speed (docs/methods.md)
_DEFAULT_PLACE = "Study area"  # the comparison population's default label


@dataclass(frozen=True)
class Paragraph:
    """One paragraph: a bold ``lead`` (may be empty) and its sentences.

    ``kind`` is ``"body"``, ``"planner"`` (a notice for the planner, to act on before the
    summary is shared) or ``"small"`` (the footnote).
    """

    text: str
    lead: str = ""
    kind: str = "body"


@dataclass(frozen=True)
class Section:
    """A heading and its paragraphs."""

    heading: str
    paragraphs: tuple[Paragraph, ...]


@dataclass(frozen=True)
class CommunitySummary:
    """The community summary in one language (``language``: ``"en"`` or ``"es"``)."""

    language: str
    title: str
    subtitle: str
    intro: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    notices: tuple[str, ...] = ()

    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph, in reading order."""
        return [*self.intro, *(p for s in self.sections for p in s.paragraphs)]


# ------------------------------------------------------------------------------------
# Rounding and words


def _half_up(value: float) -> int:
    return math.floor(value + 0.5)


def rounded_count(value: float) -> int:
    """A count rounded for reading: two significant figures from 1,000, tens from 100.

    >>> rounded_count(3165.9), rounded_count(28279.4), rounded_count(843), rounded_count(47.4)
    (3200, 28000, 840, 47)
    """
    n = abs(float(value))
    if n >= 1000:
        scale = 10 ** (len(str(int(n))) - 2)
        rounded = _half_up(n / scale) * scale
    elif n >= 100:
        rounded = _half_up(n / 10) * 10
    else:
        rounded = _half_up(n)
    return int(math.copysign(rounded, value)) if rounded else 0


def share_words(share: float, noun: str = "people") -> str:
    """A share as "about N in 10" (or "in 100" below 0.095), in the current language.

    ``noun`` is ``"people"`` or ``"households"``: Spanish agrees with it (unas / unos).
    """
    share = max(0.0, float(share))
    if noun == "households":
        if share >= 0.95:
            return pgettext("households", "more than 9 in 10")
        if _half_up(share * 10) >= 1:
            return pgettext("households", "about {n} in 10").format(n=_half_up(share * 10))
        if _half_up(share * 100) >= 1:
            return pgettext("households", "about {n} in 100").format(n=_half_up(share * 100))
        return pgettext("households", "fewer than 1 in 100")
    if share >= 0.95:
        return pgettext("people", "more than 9 in 10")
    if _half_up(share * 10) >= 1:
        return pgettext("people", "about {n} in 10").format(n=_half_up(share * 10))
    if _half_up(share * 100) >= 1:
        return pgettext("people", "about {n} in 100").format(n=_half_up(share * 100))
    return pgettext("people", "fewer than 1 in 100")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(value: float) -> str:
    return format_number(rounded_count(value))


def _minutes(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1)


def date_words(text: str) -> str:
    """An ISO date in words in the current language (other text is kept as it is)."""
    try:
        return format_date(_dt.date.fromisoformat(str(text)[:10]))
    except ValueError:
        return str(text)


def _join(items: Sequence[str]) -> str:
    from babel.lists import format_list

    return str(format_list(list(items), locale=current_language()))


def _indicator(result: ProposalResult, indicator_id: str) -> Indicator | None:
    try:
        return result.indicator(indicator_id)
    except KeyError:
        return None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


# ------------------------------------------------------------------------------------
# The groups of the tests


@dataclass(frozen=True)
class _Group:
    key: str  # "minority" or "low_income"
    test: str  # "disparate_impact" or "disproportionate_burden"
    words: Callable[[], str]
    others: Callable[[], str]


def _groups(riders: bool) -> tuple[_Group, _Group]:
    if riders:
        return (
            _Group(
                "minority",
                "disparate_impact",
                lambda: _("riders of color"),
                lambda: _("other riders"),
            ),
            _Group(
                "low_income",
                "disproportionate_burden",
                lambda: _("riders with low incomes"),
                lambda: _("riders with higher incomes"),
            ),
        )
    return (
        _Group(
            "minority",
            "disparate_impact",
            lambda: _("people of color"),
            lambda: _("other residents"),
        ),
        _Group(
            "low_income",
            "disproportionate_burden",
            lambda: _("people with low incomes"),
            lambda: _("other residents"),
        ),
    )


def _verdict_branch(indicator: Indicator, is_benefit: bool) -> str:
    difference = indicator.difference or 0.0
    if indicator.rating == "not_distinguishable":
        return "uncertain"
    if indicator.rating in ("disparate_impact", "disproportionate_burden"):
        return "finding"
    if is_benefit:
        return "fair" if difference >= 0 else "within"
    return "fair" if difference <= 0 else "within"


def _verdict_sentence(
    indicator: Indicator, group: _Group, is_benefit: bool, both: str | None = None
) -> str:
    """Who gains or bears the cost, as the test says it, in plain words (``both``: the two
    groups' words, when they share the verdict)."""
    words = {"group": both or group.words(), "others": group.others()}
    difference = indicator.difference or 0.0
    rating = indicator.rating
    if rating == "not_distinguishable":
        if is_benefit:
            text = _(
                "For {group}, the numbers are too uncertain to tell whether they would gain "
                "as much as {others}."
            )
        else:
            text = _(
                "For {group}, the numbers are too uncertain to tell whether they would bear "
                "more of the cost than {others}."
            )
    elif rating in ("disparate_impact", "disproportionate_burden"):
        if is_benefit:
            text = _("{group} would gain less than {others}, beyond the limit the city has set.")
        else:
            text = _(
                "{group} would bear more of the cost than {others}, beyond the limit the city has set."
            )
    elif is_benefit:
        if difference >= 0:
            text = _("{group} would gain at least as much as {others}.")
        else:
            text = _(
                "{group} would gain a little less than {others}, but within the limit the city "
                "has set."
            )
    elif difference <= 0:
        text = _("{group} would not bear more of the cost than {others}.")
    else:
        text = _(
            "{group} would bear a little more of the cost than {others}, but within the limit "
            "the city has set."
        )
    return _capital(text.format(**words))


def _next_steps(verdicts: list[tuple[Indicator, _Group]]) -> list[str]:
    steps: list[str] = []
    for indicator, group in verdicts:
        if indicator.rating == "disparate_impact":
            steps.append(
                _(
                    "The city must show a strong, legitimate reason for it and look at other "
                    "options that would be fairer to {group}."
                ).format(group=group.words())
            )
        elif indicator.rating == "disproportionate_burden":
            steps.append(
                _("The city must avoid, reduce or make up for the harm to {group}.").format(
                    group=group.words()
                )
            )
        elif indicator.rating == "not_distinguishable":
            steps.append(
                _(
                    "The numbers are too uncertain to tell whether this is fair to {group}. The "
                    "city should look more closely before it decides."
                ).format(group=group.words())
            )
    return steps


# ------------------------------------------------------------------------------------
# One proposal


@dataclass
class _Proposal:
    what: list[str]
    near: list[str]
    gains: list[str]
    next: list[str]
    short: bool = False  # a scenario that repeats one project: what is proposed only


def _project(assessment: Assessment, project_id: str) -> Any:
    for project in assessment.projects:
        if project.id == project_id:
            return project
    return None


def _place(assessment: Assessment) -> str:
    label = assessment.comparison_label or _DEFAULT_PLACE
    return _("the study area") if label == _DEFAULT_PLACE else label


def _walk_minutes(result: ProposalResult) -> int | None:
    radii = set(result.catchment_m.values())
    if len(radii) != 1:
        return None
    return max(1, _half_up(radii.pop() / _WALK_M_PER_MIN))


def _what_transit(project: TransitProject) -> list[str]:
    rail = project.mode is Mode.RAIL
    vehicle = _("train") if rail else _("bus")
    stops = len(project.stations)
    out: list[str] = []
    headway = project.peak_headway_min
    before = project.baseline_peak_headway_min
    if project.change is ServiceChange.NEW:
        mode = {Mode.RAIL: _("rail"), Mode.BRT: _("rapid bus"), Mode.BUS: _("bus")}[project.mode]
        if rail:
            line = ngettext(
                "A new {mode} line with {n} station.", "A new {mode} line with {n} stations.", stops
            )
        else:
            line = ngettext(
                "A new {mode} line with {n} stop.", "A new {mode} line with {n} stops.", stops
            )
        out.append(line.format(mode=mode, n=format_number(stops)))
        if headway:
            out.append(
                _("A {vehicle} would come every {minutes} minutes at busy times.").format(
                    vehicle=vehicle, minutes=_minutes(headway)
                )
            )
        return out
    if project.change is ServiceChange.REMOVAL:
        out.append(_("Service on this line would end."))
    elif headway and before:
        more = project.change is ServiceChange.IMPROVEMENT
        text = (
            _(
                "More frequent service: a {vehicle} every {minutes} minutes at busy times, instead of every {before}."
            )
            if more
            else _(
                "Less frequent service: a {vehicle} every {minutes} minutes at busy times, instead of every {before}."
            )
        )
        out.append(text.format(vehicle=vehicle, minutes=_minutes(headway), before=_minutes(before)))
    elif project.change is ServiceChange.IMPROVEMENT:
        out.append(_("Better service on this line."))
    else:
        out.append(_("Less service on this line."))
    if rail:
        out.append(ngettext("It has {n} station.", "It has {n} stations.", stops).format(n=stops))
    else:
        out.append(ngettext("It has {n} stop.", "It has {n} stops.", stops).format(n=stops))
    return out


def _what_housing(project: HousingProject) -> list[str]:
    total = project.total_units
    rental = project.tenure is Tenure.RENTAL
    out = [
        (
            ngettext("{n} new home for rent.", "{n} new homes for rent.", total)
            if rental
            else ngettext("{n} new home for sale.", "{n} new homes for sale.", total)
        ).format(n=format_number(total))
    ]
    affordable = project.affordable_units
    if affordable:
        out.append(
            ngettext(
                "{n} of them would be for households with low incomes.",
                "{n} of them would be for households with low incomes.",
                affordable,
            ).format(n=format_number(affordable))
        )
    else:
        out.append(_("None of them would be set aside for households with low incomes."))
    rents = [
        project.proposed_rents_usd[b]
        for b in ("ami_30", "ami_50", "ami_80")
        if project.units_by_band.get(b) and b in project.proposed_rents_usd
    ]
    if rental and rents:
        low, high = min(rents), max(rents)
        if low == high:
            out.append(
                _("Their rent would be about {rent} a month.").format(rent=format_money(low))
            )
        else:
            out.append(
                _("Their rents would be {low} to {high} a month.").format(
                    low=format_money(low), high=format_money(high)
                )
            )
    demolished = project.units_demolished
    if demolished:
        out.append(
            ngettext(
                "{n} existing home would be torn down.",
                "{n} existing homes would be torn down.",
                demolished,
            ).format(n=format_number(demolished))
        )
    moving = project.households_displaced
    if moving:
        out.append(
            ngettext(
                "{n} household would have to move.", "{n} households would have to move.", moving
            ).format(n=format_number(moving))
        )
    return out


def _near(
    assessment: Assessment, result: ProposalResult, suffix: str, who: str, groups: bool = True
) -> list[str]:
    """Who lives near one side: the people, and the groups against the comparison."""
    people = _indicator(result, f"served.population{suffix}")
    total = _number(people.value) if people is not None else None
    if total is None:
        return []
    count = rounded_count(total)
    out = [who.format(n=format_number(count))]
    if not groups:
        return out
    place = _place(assessment)
    shares: dict[str, tuple[float, float]] = {}
    for key in ("minority", "low_income", "limited_english"):
        ind = _indicator(result, f"served.{key}{suffix}")
        if ind is None:
            continue
        value, city = _number(ind.value), _number(ind.comparison)
        if value is not None and city is not None:
            shares[key] = (value, city)
    words = {
        f"{key}{'_city' if n else ''}": share_words(pair[n])
        for key, pair in shares.items()
        for n in (0, 1)
        if key != "limited_english"
    }
    if "minority" in shares and "low_income" in shares:
        out.append(
            _(
                "Of them, {minority} are people of color (in all of {place}: {minority_city}) "
                "and {low_income} have low incomes ({low_income_city})."
            ).format(place=place, **words)
        )
    elif "minority" in shares:
        out.append(
            _(
                "Of them, {minority} are people of color (in all of {place}: {minority_city})."
            ).format(place=place, **words)
        )
    elif "low_income" in shares:
        out.append(
            _(
                "Of them, {low_income} have low incomes (in all of {place}: {low_income_city})."
            ).format(place=place, **words)
        )
    if "limited_english" in shares:
        value, city = shares["limited_english"]
        out.append(
            _capital(
                _("{share} households speak limited English ({city} in {place}).").format(
                    share=share_words(value, "households"),
                    city=share_words(city, "households"),
                    place=place,
                )
            )
        )
    return out


def _side_gains(
    result: ProposalResult, suffix: str, is_benefit: bool, riders: bool
) -> tuple[list[str], list[tuple[Indicator, _Group]]]:
    out: list[str] = []
    verdicts: list[tuple[Indicator, _Group]] = []
    for group in _groups(riders):
        test_id = f"title_vi.fare.{group.test}" if riders else f"title_vi.{group.test}{suffix}"
        ind = _indicator(result, test_id)
        if ind is None or ind.rating == "not_assessed":
            continue
        out.append(_verdict_sentence(ind, group, is_benefit))
        verdicts.append((ind, group))
    if len(verdicts) == 2:
        branches = {_verdict_branch(ind, is_benefit) for ind, _g in verdicts}
        if len(branches) == 1:  # one sentence for both groups
            (first, group), (_second, other) = verdicts
            both = _("{first} and {second}").format(first=group.words(), second=other.words())
            out = [_verdict_sentence(first, group, is_benefit, both)]
    return out, verdicts


def _displacement(result: ProposalResult) -> tuple[list[str], list[str]]:
    ind = _indicator(result, "displacement.vulnerable_population")
    if ind is None:
        return [], []
    vulnerable, inside = _number(ind.value), _number(ind.comparison)
    if ind.rating == "risk" and vulnerable and inside:
        return (
            [
                _capital(
                    _(
                        "{share} people near it live in areas where rising rents could force "
                        "people to move."
                    ).format(share=share_words(vulnerable / inside))
                )
            ],
            [_("The city should plan ways to help people stay in their homes if rents go up.")],
        )
    if ind.rating == "low_risk":
        return [_("No area near it is at high risk of rising rents forcing people to move.")], []
    return [], []


def _access(assessment: Assessment, result: ProposalResult) -> list[str]:
    thresholds = assessment.parameters.job_thresholds_min
    if not thresholds:
        return []
    minutes = _half_up(thresholds[0])
    ind = _indicator(result, f"access.jobs_{minutes}min")
    if ind is None:
        return []
    before = _number(ind.details.get("before_mean"))
    after = _number(ind.details.get("after_mean"))
    if before is None or after is None:
        return []
    floor = _number(ind.details.get("noise_floor")) or 0.0
    change = after - before
    words = {
        "place": _place(assessment),
        "minutes": format_number(minutes),
        "before": _count(before),
        "after": _count(after),
    }
    if change > floor and rounded_count(after) != rounded_count(before):
        return [
            _(
                "On average, people in {place} could reach about {after} jobs within {minutes} "
                "minutes by transit and on foot, up from about {before}."
            ).format(**words)
        ]
    if change < -floor and rounded_count(after) != rounded_count(before):
        return [
            _(
                "On average, people in {place} could reach about {after} jobs within {minutes} "
                "minutes by transit and on foot, down from about {before}."
            ).format(**words)
        ]
    return [
        _(
            "It would not clearly change how many jobs people can reach within {minutes} minutes."
        ).format(**words)
    ]


def _transport_cost(result: ProposalResult) -> list[str]:
    ind = _indicator(result, "affordability.transport_cost_change")
    difference = _number(ind.difference) if ind is not None else None
    if difference is None:
        return []
    amount = _half_up(abs(difference) / 10) * 10
    if amount < 10:
        return []
    text = (
        _("A household near it would spend about {amount} a year less on getting around.")
        if difference < 0
        else _("A household near it would spend about {amount} a year more on getting around.")
    )
    return [text.format(amount=format_money(amount))]


def _housing_gains(result: ProposalResult, project: HousingProject) -> tuple[list[str], list[str]]:
    gains: list[str] = []
    steps: list[str] = []
    net = _indicator(result, "housing.net_affordable_units")
    value = _number(net.value) if net is not None else None
    if value is not None:
        n = round(value)
        if n > 0:
            gains.append(
                ngettext(
                    "Overall, there would be {n} more home for households with low incomes.",
                    "Overall, there would be {n} more homes for households with low incomes.",
                    n,
                ).format(n=format_number(n))
            )
        elif n < 0:
            gains.append(
                ngettext(
                    "Overall, there would be {n} fewer home for households with low incomes.",
                    "Overall, there would be {n} fewer homes for households with low incomes.",
                    -n,
                ).format(n=format_number(-n))
            )
        else:
            gains.append(
                _("Overall, the number of homes for households with low incomes would not change.")
            )
    share = _indicator(result, "housing.affordable_share")
    if share is not None and share.rating == "falls_short":
        gains.append(_("The share of homes for low incomes is below the need in the area."))
    elif share is not None and share.rating == "meets":
        gains.append(_("The share of homes for low incomes meets the need in the area."))
    rent = _indicator(result, "housing.market_rent_burden_site")
    if rent is not None and project.units_by_band.get("market"):
        if rent.rating == "not_affordable":
            gains.append(_("A typical household nearby could not afford the market-price homes."))
        elif rent.rating == "affordable":
            gains.append(_("A typical household nearby could afford the market-price homes."))
    moving = project.households_displaced
    if moving:
        steps.append(
            ngettext(
                "The city should help the {n} household that must move, and give it the right "
                "to come back.",
                "The city should help the {n} households that must move, and give them the "
                "right to come back.",
                moving,
            ).format(n=format_number(moving))
        )
    return gains, steps


def _fare(result: ProposalResult) -> _Proposal:
    first = _indicator(result, "title_vi.fare.disparate_impact") or _indicator(
        result, "title_vi.fare.disproportionate_burden"
    )
    details = first.details if first is not None else {}
    what = [_("Fares would change.")]
    for fare in details.get("fares", ()):
        what.append(
            _("{fare}: from {old} to {new}.").format(
                fare=str(fare.get("name", "")),
                old=format_money(float(fare["old_usd"]), digits=2),
                new=format_money(float(fare["new_usd"]), digits=2),
            )
        )
    near = [
        _(
            "The city compared riders of color with other riders, and riders with low incomes "
            "with riders with higher incomes."
        ),
        _("It used a survey of riders.")
        if details.get("usage_source") == "survey"
        else _(
            "There was no survey of riders, so it used census counts of people who ride transit to work."
        ),
    ]
    gains: list[str] = []
    verdicts: list[tuple[Indicator, _Group]] = []
    for group in _groups(True):
        ind = _indicator(result, f"title_vi.fare.{group.test}")
        if ind is None:
            continue
        d = ind.details
        changes = [
            _number(d.get(f"{who}_new_usd")) is not None
            and _number(d.get(f"{who}_old_usd")) is not None
            and float(d[f"{who}_new_usd"]) - float(d[f"{who}_old_usd"])
            for who in ("group", "others")
        ]
        if all(isinstance(c, float) for c in changes):
            mine, theirs = (float(c) for c in changes)
            text = (
                _(
                    "{group} would pay on average {change} more a trip; {others}, {other_change} more."
                )
                if mine >= 0 and theirs >= 0
                else _(
                    "{group} would pay on average {change} less a trip; {others}, "
                    "{other_change} less."
                )
                if mine <= 0 and theirs <= 0
                else _(
                    "On average, the fare a trip would change by {change} for {group} and by "
                    "{other_change} for {others}."
                )
            )
            signed = mine * theirs < 0
            gains.append(
                _capital(
                    text.format(
                        group=group.words(),
                        others=group.others(),
                        change=_fare_money(mine, signed),
                        other_change=_fare_money(theirs, signed),
                    )
                )
            )
        is_benefit = str(d.get("is_benefit")) == "True"
        gains.append(_verdict_sentence(ind, group, is_benefit))
        verdicts.append((ind, group))
    return _Proposal(what, near, gains, _next_steps(verdicts))


def _fare_money(change: float, signed: bool) -> str:
    amount = format_money(abs(change), digits=2)
    return ("+" if change >= 0 else "-") + amount if signed else amount


def _proposal(assessment: Assessment, result: ProposalResult) -> _Proposal:
    if result.kind is ResultKind.FARE_CHANGE:
        return _fare(result)
    what: list[str] = []
    project = None
    if result.kind is ResultKind.PROJECT and len(result.project_ids) == 1:
        project = _project(assessment, result.project_ids[0])
    own_projects = {r.project_ids for r in assessment.results if r.kind is ResultKind.PROJECT}
    if result.kind is ResultKind.SCENARIO:
        names = [getattr(_project(assessment, pid), "name", pid) for pid in result.project_ids]
        if len(names) == 1:
            what.append(_("This option is {name} alone.").format(name=names[0]))
            if result.project_ids in own_projects:
                what.append(_("Its numbers are the same as above."))
                return _Proposal(what, [], [], [], short=True)
        else:
            what.append(
                _("This option puts these proposals together: {names}.").format(names=_join(names))
            )
    elif result.kind is ResultKind.SERVICE_CHANGE:
        what.append(_("Some bus stops would get more buses and others fewer."))
    elif isinstance(project, TransitProject):
        what += _what_transit(project)
    elif isinstance(project, HousingProject):
        what += _what_housing(project)

    sides = (
        [(True, ""), (False, ".burdens")]
        if result.is_benefit is None
        else [(result.is_benefit, "")]
    )
    mixed = len(sides) > 1
    near: list[str] = []
    gains: list[str] = []
    verdicts: list[tuple[Indicator, _Group]] = []
    steps: list[str] = []
    for is_benefit, suffix in sides:
        who = _who_phrase(result, project, is_benefit, mixed)
        near += _near(assessment, result, suffix, who, groups=not mixed)
        side_gains, side_verdicts = _side_gains(result, suffix, is_benefit, riders=False)
        if side_gains and mixed:  # "From the cuts: people of color would ..."
            lead = _("From the new or better service:") if is_benefit else _("From the cuts:")
            side_gains[0] = f"{lead} {side_gains[0][:1].lower()}{side_gains[0][1:]}"
        gains += side_gains
        verdicts += side_verdicts
        if is_benefit or not mixed:  # what the whole proposal does, after its first side
            if isinstance(project, HousingProject):
                housing_gains, steps = _housing_gains(result, project)
                gains += housing_gains
            elif result.kind is not ResultKind.SCENARIO:  # a scenario's: its projects'
                gains += _access(assessment, result)
                gains += _transport_cost(result)
            if result.kind is not ResultKind.SCENARIO:
                risk, risk_steps = _displacement(result)
                gains += risk
                steps += risk_steps
    steps = _next_steps(verdicts) + steps
    if not steps:
        steps.append(
            _(
                "The numbers do not show that people of color or people with low incomes would "
                "be treated unfairly. The city will still listen to what residents say."
            )
        )
    return _Proposal(what, near, gains, steps)


def _who_phrase(result: ProposalResult, project: Any, is_benefit: bool, mixed: bool) -> str:
    """The sentence saying how many people live near a side (``{n}``: the rounded count)."""
    if result.kind is ResultKind.SERVICE_CHANGE:
        return (
            _("About {n} people live near stops that would get more buses.")
            if is_benefit
            else _("About {n} people live near stops that would get fewer buses.")
        )
    if mixed:
        return (
            _("About {n} people live within a short walk of the new or better service.")
            if is_benefit
            else _("About {n} people live within a short walk of the cuts.")
        )
    minutes = _walk_minutes(result)
    if minutes is None:
        return _("About {n} people live within a short walk of these proposals.")
    if isinstance(project, HousingProject):
        return _("About {n} people live within a {minutes}-minute walk of the site.").replace(
            "{minutes}", format_number(minutes)
        )
    if isinstance(project, TransitProject) and project.mode is Mode.RAIL:
        return _("About {n} people live within a {minutes}-minute walk of a station.").replace(
            "{minutes}", format_number(minutes)
        )
    return _("About {n} people live within a {minutes}-minute walk of a stop.").replace(
        "{minutes}", format_number(minutes)
    )


# ------------------------------------------------------------------------------------
# The whole summary


def planner_notices(assessment: Assessment) -> list[str]:
    """What the planner must fill in before sharing the summary (in the current language)."""
    md = assessment.metadata
    notices: list[str] = []
    project_file = any(source.role == "project" for source in assessment.inputs)
    if not md.comment.strip() and not project_file:
        # Assessed from files given on the command line: there is no project file to fill in.
        notices.append(
            _(
                "Note for the planner: before you share this summary, say how to comment: an "
                "assessment without a project file has nowhere to say it; write one "
                "(docs/project_file.md) with metadata.comment and metadata.comment_until, or "
                "fill them in the app's Project details…."
            )
        )
    elif not md.comment.strip():
        notices.append(
            _(
                "Note for the planner: before you share this summary, say how to comment: fill "
                "in metadata.comment and metadata.comment_until in the project file."
            )
        )
    elif not md.comment_until:
        notices.append(
            _(
                "Note for the planner: before you share this summary, give the last day for "
                "comments: fill in metadata.comment_until in the project file."
            )
        )
    return notices


def _comment_section(assessment: Assessment) -> Section:
    md = assessment.metadata
    paragraphs: list[Paragraph] = []
    if md.comment.strip():
        paragraphs.append(Paragraph(md.comment.strip()))
        if md.comment_until:
            paragraphs.append(
                Paragraph(
                    _("You can comment until {date}.").format(date=date_words(md.comment_until))
                )
            )
        else:
            paragraphs.append(Paragraph(_("The city has not yet set a last day for comments.")))
    else:
        paragraphs.append(
            Paragraph(_("The city has not yet said how to comment on these proposals."))
        )
    paragraphs += [Paragraph(n, kind="planner") for n in planner_notices(assessment)]
    return Section(_("How to comment"), tuple(paragraphs))


def build_community_summary(assessment: Assessment, code: str = "en") -> CommunitySummary:
    """The community summary of ``assessment`` in the language ``code``."""
    with language(code):
        return _build(assessment, code)


def _build(assessment: Assessment, code: str) -> CommunitySummary:
    md = assessment.metadata
    shown = list(assessment.results)
    intro: list[Paragraph] = []
    n = sum(r.kind in (ResultKind.PROJECT, ResultKind.FARE_CHANGE) for r in shown) or len(shown)
    intro.append(
        Paragraph(
            ngettext(
                "The city is studying {n} proposal.", "The city is studying {n} proposals.", n
            ).format(n=format_number(n))
            + " "
            + _("Here is what is proposed, who would gain and who may bear costs.")
        )
    )
    who = ", ".join(part for part in (md.author.strip(), md.organisation.strip()) if part)
    when = date_words(md.date or assessment.created[:10])
    prepared = (
        _("Prepared on {date} by {who}.").format(who=who, date=when)
        if who
        else _("Prepared on {date}.").format(date=when)
    )
    if not md.is_final:
        prepared += " " + _("This is a draft. It may change.")
    prepared += " " + _(
        "The numbers about people are estimates from census surveys, which have margins of "
        "error, so we rounded them."
    )
    intro.append(Paragraph(prepared))
    words = " ".join((md.title, md.description, assessment.vintage or "")).lower()
    if "synthetic" in words:
        intro.append(
            Paragraph(
                _("Sample data: the numbers are made up for testing and describe no real people."),
                kind="planner",
            )
        )

    sections: list[Section] = []
    for result in shown:
        proposal = _proposal(assessment, result)
        heading = _result_heading(result)
        paragraphs = [Paragraph(" ".join(proposal.what), _("What is proposed:"))]
        if not proposal.short:
            if proposal.near:
                lead = (
                    _("Who rides:")
                    if result.kind is ResultKind.FARE_CHANGE
                    else _("Who lives near it:")
                )
                paragraphs.append(Paragraph(" ".join(proposal.near), lead))
            if proposal.gains:
                paragraphs.append(
                    Paragraph(" ".join(proposal.gains), _("Who gains and who may bear costs:"))
                )
            paragraphs.append(
                Paragraph(" ".join(proposal.next), _("What the city must consider next:"))
            )
        sections.append(Section(heading, tuple(paragraphs)))
    sections.append(_comment_section(assessment))
    pct = assessment.parameters.low_income_poverty_pct
    sections.append(
        Section(
            "",
            (
                Paragraph(
                    _(
                        '"Low income" means below {pct}% of the federal poverty level; "people '
                        "of color\", everyone but non-Hispanic white people. Based on the city's "
                        "equity assessment: Title VI tests (FTA Circular 4702.1B), American "
                        "Community Survey estimates with 90% margins of error (MOE), walking "
                        "areas (catchments)."
                    ).format(pct=format_number(pct)),
                    kind="small",
                ),
            ),
        )
    )
    return CommunitySummary(
        language=code,
        title=_("A summary for residents"),
        subtitle=md.title,
        intro=tuple(intro),
        sections=tuple(sections),
        notices=tuple(planner_notices(assessment)),
    )


def _result_heading(result: ProposalResult) -> str:
    if result.kind is ResultKind.SCENARIO:
        return _("Option: {name}").format(name=result.name)
    if result.kind is ResultKind.SERVICE_CHANGE:
        return _("Bus timetable changes")
    return result.name


# ------------------------------------------------------------------------------------
# HTML

_CSS = """
@page { size: auto; margin: 10mm 12mm; }
html { font-size: 10.5pt; }
body { font-family: Calibri, Carlito, "Liberation Sans", Arial, sans-serif; color: #111;
  font-size: 10.5pt; line-height: 1.12; max-width: 192mm; margin: 0 auto; padding: 0; }
h1 { font-family: Calibri, Carlito, "Liberation Sans", Arial, sans-serif; font-size: 17pt;
  color: #1F3864; margin: 0 0 1pt; }
.subtitle { font-size: 11.5pt; color: #404040; margin: 0 0 4pt; }
h2 { font-family: Calibri, Carlito, "Liberation Sans", Arial, sans-serif; font-size: 13pt;
  color: #1F3864; border-bottom: 1px solid #8EA9C1; margin: 5pt 0 1pt;
  page-break-after: avoid; break-after: avoid; }
p { margin: 0 0 2pt; }
.lead { font-weight: bold; }
.planner { border: 1.5pt solid #9C0006; color: #9C0006; padding: 3pt 5pt; font-weight: bold; }
.small { font-size: 9.5pt; color: #404040; }
section { page-break-inside: avoid; break-inside: avoid; }
@media print { body { max-width: none; padding: 0; } }
"""


def community_summary_html(summary: CommunitySummary) -> str:
    """The summary as a self-contained HTML page (inline CSS, no external resource)."""
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(summary.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(summary.title)}: {esc(summary.subtitle)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(summary.title)}</h1>",
        f'<p class="subtitle">{esc(summary.subtitle)}</p>',
    ]
    out += [_html_paragraph(p) for p in summary.intro]
    out.append("</header>")
    for section in summary.sections:
        out.append("<section>")
        if section.heading:
            out.append(f"<h2>{esc(section.heading)}</h2>")
        out += [_html_paragraph(p) for p in section.paragraphs]
        out.append("</section>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _html_paragraph(paragraph: Paragraph) -> str:
    css = "" if paragraph.kind == "body" else f' class="{paragraph.kind}"'
    lead = f'<span class="lead">{html.escape(paragraph.lead)}</span> ' if paragraph.lead else ""
    return f"<p{css}>{lead}{html.escape(paragraph.text)}</p>"


def community_summary_paths(workbook: str | Path, extension: str = "html") -> dict[str, Path]:
    """Where the summaries of a workbook go: ``<stem>.summary.<language>.<extension>``."""
    target = Path(workbook)
    return {
        code: target.with_name(f"{target.stem}.summary.{code}.{extension}")
        for code in SUMMARY_LANGUAGES
    }


def write_community_summaries(
    assessment: Assessment,
    workbook: str | Path,
    summaries: Sequence[CommunitySummary] | None = None,
) -> list[Path]:
    """Write the English and Spanish summaries beside ``workbook`` as HTML (atomically).

    Returns the paths written, English first.
    """
    built = {s.language: s for s in summaries or ()}
    written = []
    for code, path in community_summary_paths(workbook).items():
        summary = built.get(code) or build_community_summary(assessment, code)
        written.append(atomic_write_text(path, community_summary_html(summary)))
    return written
