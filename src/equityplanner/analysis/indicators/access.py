"""Access to opportunity indicators: each measure's change, by group, with Title VI tests.

The measures before and after a side's transit change come from
:mod:`equityplanner.analysis.access_measures`. For each measure this module reports the
population-weighted mean before and after, the same for each group (minority, low-income,
zero-vehicle, limited English, 65+, disability) with its share of the gain or loss, and the
Title VI tests applied to access gains as benefits and to losses as burdens
(:func:`equityplanner.analysis.indicators.title_vi.access_change_test`).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS

from equityplanner.analysis import access as acc
from equityplanner.analysis.access_measures import (
    AccessInputs,
    AccessMeasure,
    MeasureCache,
    RoutedAccess,
    measure_access,
)
from equityplanner.analysis.indicators.make import make_indicator, rating_words
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.indicators.title_vi import access_change_test, routing_margin
from equityplanner.analysis.travel_time import DESCRIPTION
from equityplanner.analysis.words import num, pct, short
from equityplanner.analysis.words import ratio as ratio_words
from equityplanner.i18n import SOURCE_LANGUAGE, _, current_language, ngettext, pgettext
from equityplanner.model.concepts import IndicatorFamily, TitleViTest
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.results import Indicator
from equityplanner.progress import Progress

__all__ = ["ACCESS_GROUPS", "access_indicators", "within_routing_noise"]

# Groups reported for access (issue: minority, low-income, zero-vehicle, limited English,
# 65+, disability).
ACCESS_GROUPS = (
    "minority",
    "low_income",
    "zero_vehicle",
    "limited_english",
    "age_65_plus",
    "disability",
)


def _group_words(gid: str) -> str:
    """A group as the access findings name it, in the current language."""
    words = {
        "minority": pgettext("access group", "minority residents"),
        "low_income": pgettext("access group", "low-income residents"),
        "zero_vehicle": pgettext("access group", "households without a vehicle"),
        "limited_english": pgettext("access group", "limited-English households"),
        "age_65_plus": pgettext("access group", "residents 65 and over"),
        "disability": pgettext("access group", "residents with a disability"),
    }
    return words.get(gid, gid)


_JOBS = re.compile(r"Jobs reachable within (?P<minutes>\S+) minutes")
_NEAREST = re.compile(r"Minutes to the nearest (?P<facility>.+)")
_E2SFCA = re.compile(
    r"Clinic capacity \((?P<field>.+)\) per 1,000 residents within (?P<minutes>\S+) minutes "
    r"\(E2SFCA\)"
)


def measure_label(label: str) -> str:
    """An access measure's label (English, as measured and cached) in the current language."""
    if match := _JOBS.fullmatch(label):
        return _("Jobs reachable within {minutes} minutes").format(**match.groupdict())
    if match := _NEAREST.fullmatch(label):
        facilities = {
            "school": _("Minutes to the nearest school"),
            "early-childhood centre": _("Minutes to the nearest early-childhood centre"),
            "clinic": _("Minutes to the nearest clinic"),
        }
        return facilities.get(match["facility"], label)
    if match := _E2SFCA.fullmatch(label):
        return _(
            "Clinic capacity ({field}) per 1,000 residents within {minutes} minutes (E2SFCA)"
        ).format(**match.groupdict())
    return label


# The Title VI test applied to each group's share of an access change, and the group's word.
_TITLE_VI_GROUPS = (
    ("minority", TitleViTest.DISPARATE_IMPACT, "minority"),
    ("low_income", TitleViTest.DISPROPORTIONATE_BURDEN, "low-income"),
)

Formatter = Callable[[float], str]


@dataclass(frozen=True)
class _People:
    """Per neighbourhood: population, group counts, median income, comparison mask."""

    population: np.ndarray
    groups: dict[str, np.ndarray]
    universes: dict[str, np.ndarray]
    income: np.ndarray | None
    comparison: np.ndarray


def access_indicators(
    side: SideContext,
    inputs: AccessInputs,
    local: CRS,
    *,
    progress: Progress | None = None,
    cache: MeasureCache | None = None,
    routed: RoutedAccess | None = None,
) -> tuple[list[Indicator], pd.DataFrame]:
    """Access indicators of one side (its transit projects) and the per-neighbourhood table.

    The table has ``id`` and ``<measure>_before``, ``_after`` and ``_change`` columns; both
    are empty when the side changes no transit or there are no opportunity layers.
    """
    measures = measure_access(
        side.baseline,
        side.projects,
        inputs,
        side.params,
        local,
        progress=progress,
        cache=cache,
        routed=routed,
    )
    if not measures:
        return [], pd.DataFrame()
    table = side.baseline.table
    people = _People(
        population=table["total_population"].fillna(0).to_numpy(dtype=float),
        groups={
            g: table[f"{g}_count"].to_numpy(dtype=float)
            for g in ACCESS_GROUPS
            if f"{g}_count" in table
        },
        universes={
            g: table[f"{g}_universe"].to_numpy(dtype=float)
            for g in ACCESS_GROUPS
            if f"{g}_universe" in table
        },
        income=(
            table["median_household_income"].to_numpy(dtype=float)
            if "median_household_income" in table
            else None
        ),
        comparison=side.baseline.comparison,
    )
    columns: dict[str, Any] = {"id": table["id"].to_numpy()}
    indicators: list[Indicator] = []
    for m in measures:
        with np.errstate(invalid="ignore"):  # unreachable before and after: no change (NaN)
            change = m.after - m.before
        columns.update(
            {
                f"{m.kind}_before": m.before,
                f"{m.kind}_after": m.after,
                f"{m.kind}_change": change,
            }
        )
        indicators.extend(_noise_checked(side, m, people))
    return indicators, pd.DataFrame(columns)


def _noise_checked(side: SideContext, m: AccessMeasure, people: _People) -> list[Indicator]:
    """A measure's indicators, each checked against a second build of the baseline."""
    indicators = _measure_indicators(side, m, people)
    second = m.against_rebuilt()
    if second is None:
        return indicators
    indicators = within_routing_noise(
        indicators, {i.id: i.rating for i in _measure_indicators(side, second, people)}
    )
    if indicators[0].rating != "within_noise":
        return indicators
    # The whole change is within the noise: so is how it falls on each group.
    return [
        _rated_within_noise(
            ind,
            _(
                "The change of the whole population's mean is within the routing engine's "
                "noise, so how it falls on this group is not taken as a finding."
            ),
            {},
        )
        if ind.key.family is IndicatorFamily.ACCESS
        and ind.key.group
        and ind.rating not in ("similar", "within_noise")
        else ind
        for ind in indicators
    ]


def within_routing_noise(
    indicators: list[Indicator], second_ratings: dict[str, str]
) -> list[Indicator]:
    """Indicators whose rating differs when measured against a second build of the unchanged
    network (``second_ratings`` by id), rated "within the routing engine's noise" instead.

    Title VI tests are left as they are: they carry the noise as a margin of error instead
    (:func:`~equityplanner.analysis.indicators.title_vi.routing_margin`), so that the
    workbook's live verdicts agree with them.
    """
    out = []
    for ind in indicators:
        key = ind.key
        other = second_ratings.get(ind.id)
        if (
            key.family is IndicatorFamily.TITLE_VI
            or ind.rating == "within_noise"  # already so (a change within the noise floor)
            or other is None
            or other == ind.rating
        ):
            out.append(ind)
            continue
        out.append(
            _rated_within_noise(
                ind,
                _(
                    "Measured against a second build of the unchanged network, the rating "
                    "differs, so this is within the routing engine's noise and is not taken as a "
                    "finding."
                ),
                {"rating_on_a_second_build": other},
            )
        )
    return out


def _rated_within_noise(ind: Indicator, why: str, details: dict[str, Any]) -> Indicator:
    """``ind`` rated "within the routing engine's noise", ``why`` added to its finding."""
    key = ind.key
    family = (
        "screening"
        if key.family is IndicatorFamily.SCREENING
        else ("served" if key.group else "access")
    )
    label, tone = rating_words(family, "within_noise")
    return dataclasses.replace(
        ind,
        rating="within_noise",
        rating_label=label,
        tone=tone,
        finding=f"{ind.finding} {why}",
        details={**ind.details, "rating_on_one_build": ind.rating, **details},
    )


def _measure_indicators(side: SideContext, m: AccessMeasure, people: _People) -> list[Indicator]:
    """The whole-population indicator, one per group, and the two Title VI tests."""
    pop = people.population * people.comparison
    mean_before, mean_after = _mean(m.before, pop), _mean(m.after, pop)
    change = mean_after - mean_before
    gain = _gain(m)
    improves = gain.sum() > 0 if np.any(gain) else None
    if improves is None or abs(change) <= 1e-9 * abs(mean_before):
        rating = "unchanged"  # a mean that cannot move (2SFCA shares out a fixed supply)
    elif m.noise_floor is not None and abs(change) <= m.noise_floor:
        rating = "within_noise"
    else:
        rating = "improves" if _better(change, m.higher_is_better) else "worsens"
    fmt = _fmt(m.unit)
    label = measure_label(m.label)
    whole = make_indicator(
        id=side.indicator_id(IndicatorId(IndicatorFamily.ACCESS, measure=m.kind)),
        name=label,
        value=mean_after,
        comparison=mean_before,
        difference=change,
        value_unit=m.unit,
        rating_family="access",
        rating=rating,
        finding=(
            _(
                "{label}, population-weighted mean across {comparison}: {before} before and "
                "{after} after ({change})."
            ).format(
                label=label,
                comparison=side.comparison_label,
                before=fmt(mean_before),
                after=fmt(mean_after),
                change=_signed(change, fmt),
            )
            + " "
            + _noise_words(m, change, fmt)
            + _("Travel times: {model}.").format(model=_travel_time_words(m.travel_times))
        ),
        method="accessibility",
        details={
            "before_mean": mean_before,
            "after_mean": mean_after,
            "people_gaining": float(pop[gain > 0].sum()),
            "people_losing": float(pop[gain < 0].sum()),
            **_routing_details(m),
        },
    )
    by_group = acc.compare_access(
        m.before,
        m.after,
        group_counts={g: c * people.comparison for g, c in people.groups.items()},
        population=pop,
        income=people.income,
        group_universes={
            g: np.nan_to_num(people.universes[g]) * people.comparison
            for g in people.groups
            if g in people.universes
        },
    ).by_group
    out = [whole]
    for gid in people.groups:
        if gid in by_group.index:
            out.append(_group_indicator(side, m, gid, by_group.loc[gid], mean_after, improves))
    if people.income is not None:
        quintiles = by_group[by_group["kind"] == "income_quintile"]
        whole.details["by_income_quintile"] = {
            str(q): {"before_mean": float(r["before_mean"]), "after_mean": float(r["after_mean"])}
            for q, r in quintiles.iterrows()
        }
    if improves is not None:
        second = m.against_rebuilt()
        second_gain = None if second is None else _gain(second)
        for gid, test, group_word in _TITLE_VI_GROUPS:
            if gid in people.groups:
                counts = people.groups[gid]
                universe = people.universes.get(gid, people.population)
                out.append(
                    access_change_test(
                        side.indicator_id(
                            IndicatorId(IndicatorFamily.TITLE_VI, test.value, measure=m.kind)
                        ),
                        label,
                        group_word,
                        counts,
                        universe,
                        people.comparison,
                        gain,
                        improves,
                        side.params,
                        side.comparison_label,
                        routing_margin=None
                        if second_gain is None
                        else routing_margin(
                            gain,
                            second_gain,
                            improves,
                            np.nan_to_num(counts),
                            np.nan_to_num(universe),
                            people.comparison,
                        ),
                    )
                )
    return out


def _gain(m: AccessMeasure) -> np.ndarray:
    """Per neighbourhood, the improvement of access (negative for a loss); 0 where unknown."""
    with np.errstate(invalid="ignore"):  # unreachable before and after: no change (NaN)
        gain = (m.after - m.before) if m.higher_is_better else (m.before - m.after)
    out: np.ndarray = np.where(np.isfinite(gain), gain, 0.0)
    return out


def _group_indicator(
    side: SideContext,
    m: AccessMeasure,
    gid: str,
    row: pd.Series,
    mean_after: float,
    improves: bool | None,
) -> Indicator:
    """``access.<measure>.<group>``: the group's level before and after, and its share."""
    g_before, g_after = float(row["before_mean"]), float(row["after_mean"])
    g_change = g_after - g_before
    share_of_gain = float(row["gain_share"])
    pop_share = float(row["population_share"])
    diff_pp = (share_of_gain - pop_share) * 100 if math.isfinite(share_of_gain) else float("nan")
    threshold = side.params.distribution_threshold_pp
    if improves is None or not math.isfinite(diff_pp):
        g_rating = "similar"
    elif abs(diff_pp) <= threshold:
        g_rating = "similar"
    elif improves:
        g_rating = "progressive" if diff_pp > 0 else "regressive"
    else:
        g_rating = "burden_more" if diff_pp > 0 else "burden_less"
    ratio = g_after / mean_after if mean_after else float("nan")
    fmt = _fmt(m.unit)
    words = _group_words(gid)
    return make_indicator(
        id=side.indicator_id(IndicatorId(IndicatorFamily.ACCESS, measure=m.kind, group=gid)),
        name=f"{measure_label(m.label)}: {words}",
        value=g_after,
        comparison=mean_after,
        difference=g_change,
        value_unit=m.unit,
        rating_family="served",
        rating=g_rating,
        finding=(
            _(
                "{group}: {before} before and {after} after ({change}; {ratio} times the whole "
                "population's level after)."
            ).format(
                group=_capital(words),
                before=fmt(g_before),
                after=fmt(g_after),
                change=_signed(g_change, fmt),
                ratio=ratio_words(ratio),
            )
            + " "
            + (
                _("No change.")
                if improves is None
                else (
                    _("They get {share} of the gain against {population} of the population.")
                    if improves
                    else _("They get {share} of the loss against {population} of the population.")
                ).format(share=pct(share_of_gain), population=pct(pop_share))
                if math.isfinite(share_of_gain)
                else _(
                    "Gains and losses largely offset each other, so no share of the change is given."
                )
            )
        ),
        method="accessibility",
        details={
            "before_mean": g_before,
            "after_mean": g_after,
            "share_of_change": share_of_gain,
            "population_share": pop_share,
            "ratio_to_whole_after": ratio,
        },
    )


def _noise_words(m: AccessMeasure, change: float, fmt: Formatter) -> str:
    """For routed times: the change beside the engine's rebuild noise."""
    if m.noise_floor is None:
        return ""
    within = math.isfinite(change) and abs(change) <= m.noise_floor
    return (
        _(
            "Rebuilding the unchanged network moves this mean by {noise}; the change is within "
            "that noise."
        )
        if within
        else _("Rebuilding the unchanged network moves this mean by {noise}.")
    ).format(noise=fmt(m.noise_floor)) + " "


def _travel_time_words(travel_times: str) -> str:
    """The travel-time model in words, in the current language.

    The descriptions are made (and cached with the measures) in English by the travel-time
    models; they are read back here, by their fixed wording, and said again in the language of
    the findings. A description of another shape is left as it is.
    """
    text = travel_times or DESCRIPTION
    if current_language() == SOURCE_LANGUAGE:
        return text
    if text.startswith(DESCRIPTION):
        rest = text[len(DESCRIPTION) :]
        if match := re.fullmatch(r" \((?P<parameters>.*)\)", rest):
            rest = " (" + _straight_line_parameters(match["parameters"]) + ")"
        return _straight_line_words() + rest
    if match := _ROUTED.fullmatch(text):
        window = match["window"]
        if found := _WINDOW.fullmatch(window):
            percentile = (
                _("median (50th percentile)")
                if found["median"]
                else _("{percentile}th percentile").format(percentile=found["ordinal"])
            )
            count = int(found["count"])
            window = ngettext(
                "{percentile} travel time over departures {start}-{end} every {step} min "
                "({count} departure) on {date}",
                "{percentile} travel time over departures {start}-{end} every {step} min "
                "({count} departures) on {date}",
                count,
            ).format(
                percentile=percentile,
                start=found["start"],
                end=found["end"],
                step=_decimal(found["step"]),
                count=count,
                date=found["date"],
            )
        return _(
            "routed on the street network ({osm}) and every trip of {feeds} by {engine}: "
            "{window}; walking {speed} km/h up to {walk} min, at most {rides} vehicles, trips "
            "over {cutoff} min unreachable"
        ).format(
            osm=match["osm"],
            feeds=match["feeds"],
            engine=match["engine"],
            window=window,
            speed=_decimal(match["speed"]),
            walk=_decimal(match["walk"]),
            rides=match["rides"],
            cutoff=_decimal(match["cutoff"]),
        )
    return text


_ROUTED = re.compile(
    r"routed on the street network \((?P<osm>[^)]*)\) and every trip of (?P<feeds>.+?) by "
    r"(?P<engine>[^:]+): (?P<window>.+); walking (?P<speed>[\d.]+) km/h up to "
    r"(?P<walk>[\d.]+) min, at most (?P<rides>\d+) vehicles, trips over (?P<cutoff>[\d.]+) min "
    r"unreachable"
)
_WINDOW = re.compile(
    r"(?:(?P<median>median \(50th percentile\))|(?P<ordinal>\d+)(?:st|nd|rd|th) percentile) "
    r"travel time over departures (?P<start>[\d:]+)-(?P<end>[\d:]+) every (?P<step>[\d.]+) min "
    r"\((?P<count>\d+) departures?\) on (?P<date>.+)"
)
_STRAIGHT_LINE = re.compile(
    r"walking (?P<walk>[\d.]+) km/h × route factor (?P<factor>[\d.]+); access and egress "  # noqa: RUF001
    r"walks up to (?P<access>[\d,]+) m \((?P<stations>\d+) nearest stations per line\); wait "
    r"half the headway; scheduled speeds bus (?P<bus>[\d.]+), BRT (?P<brt>[\d.]+), rail "
    r"(?P<rail>[\d.]+) km/h; (?P<transfer>.+)"
)
_TRANSFER = re.compile(
    r"one transfer allowed \((?P<penalty>[\d.]+) min penalty, walk up to (?P<walk>[\d,]+) m\)"
)


def _straight_line_words() -> str:
    return _(
        "straight-line walking × route factor; transit: walk + half headway + scheduled "  # noqa: RUF001
        "speed; not a street or timetable router"
    )


def _straight_line_parameters(text: str) -> str:
    """The straight-line model's parameters (its ``describe()``) in the current language."""
    match = _STRAIGHT_LINE.fullmatch(text)
    if match is None:
        return text
    transfer = match["transfer"]
    if transfer == "no transfers":
        transfer = _("no transfers")
    elif found := _TRANSFER.fullmatch(transfer):
        transfer = _("one transfer allowed ({penalty} min penalty, walk up to {walk} m)").format(
            penalty=_decimal(found["penalty"]), walk=num(float(found["walk"].replace(",", "")))
        )
    return _(
        "walking {walk} km/h × route factor {factor}; access and egress walks up to {access} m "  # noqa: RUF001
        "({stations} nearest stations per line); wait half the headway; scheduled speeds bus "
        "{bus}, BRT {brt}, rail {rail} km/h; {transfer}"
    ).format(
        walk=_decimal(match["walk"]),
        factor=_decimal(match["factor"]),
        access=num(float(match["access"].replace(",", ""))),
        stations=match["stations"],
        bus=_decimal(match["bus"]),
        brt=_decimal(match["brt"]),
        rail=_decimal(match["rail"]),
        transfer=transfer,
    )


def _decimal(text: str) -> str:
    """A number written with a decimal point (``"5.04"``) in the current language."""
    return (
        short(float(text)) if "." not in text else ratio_words(float(text), len(text.split(".")[1]))
    )


def _routing_details(m: AccessMeasure) -> dict[str, Any]:
    """``travel_times`` (the model in words) and, for routed times, ``noise_floor``."""
    out: dict[str, Any] = {"travel_times": m.travel_times or DESCRIPTION}
    if m.noise_floor is not None:
        out["noise_floor"] = m.noise_floor
    return out


def _mean(values: np.ndarray, weights: np.ndarray) -> float:
    """Weighted mean over the finite values with positive weight (NaN when there are none)."""
    ok = np.isfinite(values) & (weights > 0)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else float("nan")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _better(change: float, higher_is_better: bool) -> bool:
    return change > 0 if higher_is_better else change < 0


def _fmt(unit: str) -> Formatter:
    """How a value of this unit reads in a finding."""
    if unit == "minutes":
        return lambda v: (
            _("{minutes} min").format(minutes=ratio_words(v, 1))
            if math.isfinite(v)
            else _("not reachable")
        )
    if unit == "jobs":
        return lambda v: _("{jobs} jobs").format(jobs=num(v)) if math.isfinite(v) else _("n/a")
    return lambda v: ratio_words(v) if math.isfinite(v) else _("n/a")


def _signed(change: float, fmt: Formatter) -> str:
    if not math.isfinite(change):
        return _("change not computable")
    text = fmt(abs(change))
    return ("+" if change > 0 else "-" if change < 0 else "±") + text
