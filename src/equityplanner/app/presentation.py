"""Qt-free presentation rules: how numbers read, what a tooltip says, which field shows an
indicator on the map.

Widgets ask these functions and display the answers; nothing here imports Qt, so the rules are
tested without a display. Shares are fractions in the model and become percentages here.

What the map can shade and how it is classified is shared with the workbook's map and lives
in :mod:`equityplanner.render.fields` and :mod:`equityplanner.render.classify`; those names
are re-exported here for the widgets.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from equityplanner import i18n
from equityplanner.app.translated import LazyLabels, resource_label
from equityplanner.catalog import load_resource
from equityplanner.i18n import _
from equityplanner.model.fields import group_specs
from equityplanner.model.indicator_ids import IndicatorFamily, IndicatorId, TitleViTest
from equityplanner.model.results import Assessment, Indicator, ProposalResult

if TYPE_CHECKING:  # tables arrive as pandas frames; the first window needs no pandas
    import pandas as pd
from equityplanner.render.classify import QUINTILE_WORDS, Shading, classify_field
from equityplanner.render.fields import (
    MapField,
    access_fields,
    available_fields,
    default_field,
    field_values,
    map_colour,
    palette_choices,
)

__all__ = [
    "CATEGORY_LABELS",
    "KEY_INDICATORS",
    "MISSING",
    "ComparisonRow",
    "MapField",
    "Shading",
    "TableColumn",
    "Tone",
    "access_fields",
    "available_fields",
    "classify_field",
    "comparison_rows",
    "default_field",
    "field_for_indicator",
    "field_values",
    "format_indicator",
    "format_number",
    "indicator_categories",
    "indicator_html",
    "indicator_parent",
    "map_colour",
    "neighbourhood_columns",
    "palette_choices",
    "short_indicator_name",
    "tone",
    "tooltip_html",
]

MISSING = "\u2013"  # an en dash shows a missing value

CATEGORY_LABELS = LazyLabels(
    lambda: {
        "served": _("Who is served"),
        "access": _("Access to jobs and services"),
        "title_vi": _("Title VI and environmental justice"),
        "distribution": _("Distribution by income"),
        "displacement": _("Displacement"),
        "housing": _("Housing site"),
        "segregation": _("Segregation"),
        "study": _("Study-area context"),
    }
)


@dataclass(frozen=True)
class Tone:
    """Colours of a rating tone (``resources/palettes.toml``): swatch, cell fill, text on fill."""

    strong: str
    fill: str
    text: str
    label: str


def tone(name: str) -> Tone:
    """The colours of a rating tone; neutral grey for an unknown tone."""
    tones = load_resource("palettes.toml").get("tones", {})
    entry = tones.get(name) or tones.get("neutral") or {}
    return Tone(
        strong=entry.get("strong", "#8c8c8c"),
        fill=entry.get("fill", "#ececec"),
        text=entry.get("text", "#303030"),
        label=resource_label(entry.get("label", name.title())),
    )


# Indicators shown side by side in the comparison view, in this order.
KEY_INDICATORS = (
    "served.population",
    "served.minority",
    "title_vi.disparate_impact",
    "served.low_income",
    "title_vi.disproportionate_burden",
    "distribution.lowest_two_quintiles",
    "served.zero_vehicle",
    "served.renters",
    "served.rent_burdened",
    "displacement.vulnerable_population",
    "access.jobs_30min",
    "title_vi.access.jobs_30min.disparate_impact",
    "segregation.catchment_minority_share",
)


# The neighbourhood column that shows an indicator on the map, for ids whose family and topic
# decide it (group shares and access measures are derived from the id's group or measure).
_MAP_COLUMNS_BY_TOPIC: dict[tuple[IndicatorFamily, str], tuple[str, ...]] = {
    (IndicatorFamily.SERVED, "population"): ("total_population_in_catchment", "share_in_catchment"),
    (IndicatorFamily.TITLE_VI, "disparate_impact"): ("minority_share",),
    (IndicatorFamily.TITLE_VI, "disproportionate_burden"): ("low_income_share",),
    (IndicatorFamily.SEGREGATION, "catchment_minority_share"): ("minority_share",),
    (IndicatorFamily.HOUSING, "poverty_concentration"): ("poverty_share",),
    (IndicatorFamily.HOUSING, "minority_concentration"): ("minority_share",),
    (IndicatorFamily.HOUSING, "recap"): ("is_recap",),
    (IndicatorFamily.HOUSING, "affordable_share"): ("rent_burdened_share",),
}


def _map_columns(key: IndicatorId) -> tuple[str, ...]:
    """The neighbourhood columns, in order of preference, that show an indicator."""
    if key.measure:  # an access measure, or a Title VI test of an access change
        return (f"{key.measure}_change",)
    if key.family is IndicatorFamily.DISTRIBUTION:
        return ("quintile",)
    if key.family is IndicatorFamily.DISPLACEMENT:
        return ("vulnerability_score", "is_vulnerable")
    if key.family is IndicatorFamily.HOUSING and (key.topic or "").startswith("market_rent_burden"):
        return ("median_household_income",)
    if key.family is IndicatorFamily.SERVED and key.group:
        return (f"{key.group}_share",)
    if key.family is IndicatorFamily.SEGREGATION and key.group:
        return (f"{key.group}_share", f"{key.group}__share")
    return _MAP_COLUMNS_BY_TOPIC.get((key.family, key.topic or ""), ())


def field_for_indicator(indicator_id: str, fields: list[MapField]) -> MapField | None:
    """The map field that shows an indicator per neighbourhood, or None."""
    try:
        key = IndicatorId.parse(indicator_id)
    except ValueError:
        return None
    by_key = {f.key: f for f in fields}
    return next((by_key[c] for c in _map_columns(key) if c in by_key), None)


# Numbers ------------------------------------------------------------------------------


def _signed(value: float, digits: int) -> str:
    """``+3.2`` / ``-3.2`` in the current language's marks."""
    text = i18n.format_number(value, digits)
    return text if text.startswith(("-", "\u2212")) else "+" + text


def format_number(value: Any, kind: str) -> str:
    """A value as a planner reads it: ``42.1%``, ``$38,500``, ``12,345``; a dash when missing.

    Numbers follow the current language (``42,1%`` and ``12.345`` in Spanish).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    if isinstance(value, str):
        return value.capitalize()
    if isinstance(value, bool | np.bool_):
        return _("Yes") if value else _("No")
    v = float(value)
    if kind == "share":
        return i18n.format_percent(v, 1)
    if kind == "currency":
        return i18n.format_money(v)
    if kind == "density":
        return i18n.format_number(v) + " /km²"
    if kind in ("quintile", "score", "units", "count"):
        return i18n.format_number(v)
    if kind == "flag":
        return _("Yes") if v else _("No")
    if kind == "index":
        return i18n.format_number(v, 1)
    if kind == "pp":
        return _("{value} pts").format(value=_signed(v, 1))
    if kind == "minutes":
        return _("{value} min").format(value=i18n.format_number(v, 1))
    if abs(v) >= 100 or v == int(v):
        return i18n.format_number(v)
    return i18n.format_number(v, 2)


def format_indicator(indicator: Indicator, which: str = "value") -> str:
    """An indicator's ``value``, ``comparison`` or ``difference`` formatted for its unit."""
    value = getattr(indicator, which)
    if which == "difference":
        if value is None:
            return ""
        if indicator.value_unit == "share":
            return format_number(value, "pp")
        if indicator.value_unit == "minutes":
            return _("{value} min").format(value=_signed(value, 1))
        return _signed(value, 0) if abs(value) >= 10 else _signed(value, 2)
    unit = indicator.value_unit
    if unit == "share":
        return format_number(value, "share")
    if unit in ("persons", "households"):
        return format_number(value, "count")
    if unit == "units":
        return format_number(value, "units")
    if unit == "index":
        return format_number(value, "index")
    if unit == "jobs":
        return format_number(value, "count")
    if unit == "minutes":
        return format_number(value, "minutes")
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 100:
        return i18n.format_number(value, 2)
    return format_number(value, unit)


def indicator_categories(
    result: ProposalResult, study: list[Indicator]
) -> list[tuple[str, list[Indicator]]]:
    """A result's indicators grouped by category in reading order, with study-area context last."""
    order = [
        "served",
        "title_vi",
        "access",
        "distribution",
        "displacement",
        "housing",
        "segregation",
    ]
    groups: dict[str, list[Indicator]] = {}
    for ind in result.indicators:
        groups.setdefault(ind.category, []).append(ind)
    out = [(CATEGORY_LABELS.get(c, c.title()), groups[c]) for c in order if c in groups]
    out += [(CATEGORY_LABELS.get(c, c.title()), v) for c, v in groups.items() if c not in order]
    if study:
        out.append((CATEGORY_LABELS["study"], list(study)))
    return out


# Comparison ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    """One key indicator for two units; an indicator may be missing on either side."""

    indicator_id: str
    name: str
    a: Indicator | None
    b: Indicator | None

    @property
    def difference(self) -> str:
        """B minus A, formatted (points for shares)."""
        if self.a is None or self.b is None:
            return ""
        va, vb = self.a.value, self.b.value
        if not isinstance(va, int | float) or not isinstance(vb, int | float):
            return ""
        if self.a.value_unit == "share":
            return format_number((vb - va) * 100, "pp")
        return _signed(vb - va, 0)


def comparison_rows(
    assessment: Assessment, result_a: str, result_b: str, *, all_indicators: bool = False
) -> list[ComparisonRow]:
    """Rows comparing two units on the key indicators (or on every indicator)."""
    a = {i.id: i for i in assessment.result(result_a).indicators}
    b = {i.id: i for i in assessment.result(result_b).indicators}
    if all_indicators:
        ids = list(dict.fromkeys([*a, *b]))
    else:
        ids = [i for i in KEY_INDICATORS if i in a or i in b]
        ids += [i for i in dict.fromkeys([*a, *b]) if i.startswith("housing.") and i not in ids]
    rows = []
    for ind_id in ids:
        ref = a.get(ind_id) or b.get(ind_id)
        assert ref is not None
        rows.append(ComparisonRow(ind_id, ref.name, a.get(ind_id), b.get(ind_id)))
    return rows


# Tooltip ------------------------------------------------------------------------------


def _tooltip_fields() -> tuple[tuple[str, str, str], ...]:
    return (
        ("total_population", _("Population"), "count"),
        ("minority_share", _("Minority"), "share"),
        ("low_income_share", _("Low-income"), "share"),
        ("median_household_income", _("Median household income"), "currency"),
        ("renters_share", _("Renter households"), "share"),
        ("zero_vehicle_share", _("Households without a car"), "share"),
    )


def tooltip_html(
    table: pd.DataFrame,
    row: int,
    *,
    field: MapField | None = None,
    value: float | None = None,
    result: ProposalResult | None = None,
    catchment_share: float | None = None,
) -> str:
    """Key figures of one neighbourhood as rich text for a tooltip."""
    r = table.iloc[row]
    name = html.escape(str(r.get("name", "")))
    ident = html.escape(str(r.get("id", "")))
    lines = [
        f"<b>{name}</b><br><span style='color:#555'>{ident}</span>",
        "<table cellspacing=0 cellpadding=1>",
    ]

    def add(label: str, text: str, bold: bool = False) -> None:
        t = f"<b>{html.escape(text)}</b>" if bold else html.escape(text)
        lines.append(f"<tr><td>{html.escape(label)}&nbsp;&nbsp;</td><td align=right>{t}</td></tr>")

    if field is not None:
        add(resource_label(field.label), format_number(value, field.kind), bold=True)
    for key, label, kind in _tooltip_fields():
        if key in r.index and (field is None or key != field.key):
            add(label, format_number(r[key], kind))
    if "quintile" in r.index and int(r["quintile"] or 0) > 0:
        add(_("Income quintile"), _("{n} of 5").format(n=int(r["quintile"])))
    if "vulnerability_score" in r.index:
        score = _("{n} of 5").format(n=int(r["vulnerability_score"] or 0))
        if bool(r.get("is_vulnerable", False)):
            score = _("{score} (vulnerable)").format(score=score)
        add(_("Displacement risk factors"), score)
    if result is not None and catchment_share is not None:
        add(
            _("Inside catchment of {name}").format(name=result.name),
            format_number(catchment_share, "share"),
        )
    lines.append("</table>")
    return "".join(lines)


# Neighbourhood table ------------------------------------------------------------------


@dataclass(frozen=True)
class TableColumn:
    """One column of the neighbourhood table: raw values (for sorting) and how to show them."""

    key: str
    label: str
    kind: str
    values: np.ndarray


def _table_fields() -> tuple[tuple[str, str, str], ...]:
    return (
        ("total_population", _("Population"), "count"),
        ("minority_share", _("Minority"), "share"),
        ("low_income_share", _("Low-income"), "share"),
        ("median_household_income", _("Median income"), "currency"),
        ("renters_share", _("Renters"), "share"),
        ("zero_vehicle_share", _("No car"), "share"),
        ("quintile", _("Income quintile"), "quintile"),
        ("vulnerability_score", _("Risk factors"), "score"),
        ("is_recap", "R/ECAP", "flag"),  # the HUD acronym, in Spanish too
    )


def neighbourhood_columns(
    table: pd.DataFrame,
    *,
    areas_km2: np.ndarray | None = None,
    result: ProposalResult | None = None,
    map_field: MapField | None = None,
) -> list[TableColumn]:
    """Columns of the neighbourhood table: ids, key figures, the mapped field, the result's share."""
    cols = [
        TableColumn("id", _("Id"), "text", table["id"].astype(str).to_numpy()),
        TableColumn("name", _("Name"), "text", table["name"].astype(str).to_numpy()),
    ]
    if result is not None:
        for key, label, kind in (
            ("share_in_catchment", _("In catchment"), "share"),
            ("total_population_in_catchment", _("People in catchment"), "count"),
        ):
            f = MapField(key, label, kind, "result")
            cols.append(TableColumn(key, label, kind, field_values(f, table, result=result)))
    keys = {c.key for c in cols}
    if (
        map_field is not None
        and map_field.key not in keys
        and map_field.key not in {k for k, _label, _kind in _table_fields()}
    ):
        cols.append(
            TableColumn(
                map_field.key,
                _short(resource_label(map_field.label)),
                map_field.kind,
                field_values(map_field, table, areas_km2=areas_km2, result=result),
            )
        )
    for key, label, kind in _table_fields():
        if key in table:
            values = table[key].to_numpy(dtype=float)
            if kind == "quintile":
                values = np.where(values > 0, values, np.nan)
            cols.append(TableColumn(key, label, kind, values))
    return cols


def _short(label: str) -> str:
    return label.split(" (")[0]


def short_indicator_name(indicator: Indicator) -> str:
    """A name short enough for a table cell (the full name goes in the tooltip)."""
    key = indicator.key
    suffix = " " + _("(burden)") if key.burdens else ""
    if key.family is IndicatorFamily.SERVED and key.group:
        spec = group_specs().get(key.group)
        if spec is not None:
            return _short(resource_label(spec.label)) + suffix
    if key.quintile is not None:
        words = resource_label(QUINTILE_WORDS[key.quintile - 1])
        return _("Quintile {n} ({words})").format(n=key.quintile, words=words) + suffix
    test = key.title_vi_test
    if test is not None:
        words = (
            _("Disparate impact")
            if test is TitleViTest.DISPARATE_IMPACT
            else _("Disproportionate burden")
        )
        if key.measure and " in " in indicator.name:  # a Title VI test of an access measure
            return f"{words}: {indicator.name.split(' in ', 1)[1]}{suffix}"
        group = _("minority") if test is TitleViTest.DISPARATE_IMPACT else _("low-income")
        return f"{words} ({group}){suffix}"
    if key.family is IndicatorFamily.ACCESS and key.group and ": " in indicator.name:
        group = indicator.name.rsplit(": ", 1)[1]
        return group[0].upper() + group[1:] + suffix
    return indicator.name + suffix


def indicator_parent(indicator: Indicator) -> str | None:
    """The id of the indicator this one breaks down by group (access measures), or None."""
    key = indicator.key
    if key.family is IndicatorFamily.ACCESS and key.group:
        return str(replace(key, group=None))
    return None


def indicator_html(indicator: Indicator, comparison_label: str = "") -> str:
    """The finding of an indicator as rich text: name, rating chip, finding, method."""
    t = tone(indicator.tone)
    parts = [
        f"<p style='margin-bottom:4px'><b>{html.escape(indicator.name)}</b></p>",
        f"<p><span style='background-color:{t.fill}; color:{t.text}; padding:2px 6px;'>"
        f"&nbsp;<span style='color:{t.strong}'>●</span> "
        f"{html.escape(indicator.rating_label)}&nbsp;</span></p>",
        f"<p>{html.escape(indicator.finding)}</p>",
    ]
    figures = []
    if indicator.value is not None:
        value = html.escape(format_indicator(indicator, "value"))
        figures.append(html.escape(_("Value:")) + f" <b>{value}</b>")
    if indicator.comparison is not None:
        where = (
            f" ({html.escape(comparison_label)})"
            if comparison_label and indicator.value_unit == "share"
            else ""
        )
        figures.append(
            html.escape(_("Comparison"))
            + f"{where}: "
            + html.escape(format_indicator(indicator, "comparison"))
        )
    if indicator.difference is not None:
        difference = html.escape(format_indicator(indicator, "difference"))
        figures.append(html.escape(_("Difference:")) + f" {difference}")
    if figures:
        parts.append("<p style='color:#404040'>" + " &nbsp;·&nbsp; ".join(figures) + "</p>")
    rel = indicator.reliability
    if rel is not None and rel.band:
        cv = (
            _("CV {cv}, ").format(cv=i18n.format_percent(rel.cv_percent / 100, 0))
            if rel.cv_percent is not None
            else ""
        )
        reliability = _("Reliability: {band} ({cv}90% margin ±{moe})").format(
            band=resource_label(rel.band), cv=cv, moe=_moe_text(indicator, rel.moe)
        )
        parts.append(f"<p style='color:#404040'>{html.escape(reliability)}</p>")
    if indicator.reference:
        method = _("Method: {reference}").format(reference=indicator.reference)
        parts.append(f"<p style='color:#595959'><small>{html.escape(method)}</small></p>")
    return "".join(parts)


def _moe_text(indicator: Indicator, moe: float | None) -> str:
    if moe is None:
        return MISSING
    if indicator.value_unit == "share":
        return _("{value} pts").format(value=i18n.format_number(moe * 100, 1))
    return i18n.format_number(moe)
