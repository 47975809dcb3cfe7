"""The Methodology sheet (one printed page, in the council print set) and the Methods and
sources appendix (methods used in full, parameters, data sources, margins of error, ratings)."""

from __future__ import annotations

import re

from equityplanner.catalog import load_resource
from equityplanner.model.concepts import ResultKind
from equityplanner.model.fields import group_specs
from equityplanner.model.results import Assessment
from equityplanner.report.layout import SheetSpec, rating_style
from equityplanner.report.sheets import BookContext, page_setup

__all__ = [
    "SHEET_NAME",
    "SOURCES_SHEET_NAME",
    "build_methodology",
    "build_sources",
    "methods_used",
    "parameter_rows",
]

# The end of a summary's first sentence: not "ch. IV" or "e.g. A" (abbreviations).
_FIRST_SENTENCE = re.compile(r"(?<!\bch)(?<!\be\.g)(?<!\bi\.e)\.\s+(?=[A-Z(])")

SHEET_NAME = "Methodology"
SOURCES_SHEET_NAME = "Methods and sources"


def methods_used(assessment: Assessment) -> list[str]:
    """Ids of the methods behind the indicators, in ``methods.toml`` order."""
    used = {ind.method for result in assessment.results for ind in result.indicators}
    used |= {ind.method for ind in assessment.study_indicators}
    if any(
        ind.reliability is not None for result in assessment.results for ind in result.indicators
    ):
        used.add("acs_moe")
    order = list(load_resource("methods.toml"))
    return [m for m in order if m in used] + sorted(used - set(order))


def parameter_rows(assessment: Assessment) -> list[tuple[str, str]]:
    """The parameters that shaped the results, as (setting, value) in plain words."""
    p = assessment.parameters
    tv = p.title_vi
    forms = {
        "absolute": f"absolute difference of {tv.threshold_pp:g} percentage points",
        "relative": f"relative difference of {tv.threshold_relative:.0%}",
        "four_fifths": f"four-fifths rule (rate ratio {tv.four_fifths_ratio:g})",
    }
    comparison = p.comparison
    which = {
        "all": "every neighbourhood of the layer",
        "prefix": f"ids starting with '{comparison.prefix}'",
        "ids": f"{len(comparison.ids)} listed neighbourhoods",
    }.get(comparison.kind, comparison.kind)
    rows = [
        (f"Walk catchment, {kind}", f"{metres:,.0f} m") for kind, metres in p.catchment_m.items()
    ]
    rows += [
        ("Title VI tests applied", "; ".join(forms.get(f, f) for f in tv.forms)),
        (
            "Low-income definition",
            f"{group_specs(p.low_income_poverty_pct)['low_income'].label}, as adopted (FTA C "
            "4702.1B: the HHS poverty guidelines unless the agency adopts a higher threshold)",
        ),
        ("Title VI threshold (absolute)", f"{tv.threshold_pp:g} percentage points"),
        ("Title VI threshold (relative)", f"{tv.threshold_relative:.0%}"),
        ("Four-fifths ratio", f"{tv.four_fifths_ratio:g}"),
        (
            "Income distribution: 'broadly in line' (TAG A4.2)",
            f"within {p.distribution_threshold_pp:g} percentage points",
        ),
        ("Comparison population", f"{comparison.label} ({which})"),
        (
            "Area median income (AMI)",
            f"${p.area_median_income_usd:,.0f} a year" if p.area_median_income_usd else "Not set",
        ),
        (
            "Median household income of the comparison population",
            f"${p.comparison_median_household_income_usd:,.0f} a year (a published figure)"
            if p.comparison_median_household_income_usd
            else "Not given: the household-weighted mean of the neighbourhoods' median incomes "
            "is used, and labelled so",
        ),
        ("Reliability bands", p.reliability_bands),
        (
            "Displacement vulnerability",
            f"at least {p.displacement_min_flags} of 5 risk factors above the comparison",
        ),
        ("Significance of differences", f"z = {p.significance_z:g} (90% confidence)"),
        (
            "Projected CRS for distances and areas",
            assessment.projected_crs or (p.projected_crs or "automatic (UTM zone)"),
        ),
    ]
    if assessment.travel_model:
        rows += [("Travel-time model (access to opportunity)", assessment.travel_model)]
    routing = assessment.routing
    if routing:
        rows += [
            (
                "Routing engine and its limits",
                f"{routing.get('engine', '')} {routing.get('engine_version', '')}: walking on the "
                "street network and riding every scheduled trip of the service day (RAPTOR); no "
                "fares, bicycles, cars, real-time data or accessibility; boarding only at the "
                "origin's nearest stop (docs/json_output.md, Routed access)",
            ),
            ("Feed preparation", "; ".join(routing.get("preparation", [])) or "none needed"),
            (
                "Noise floor",
                "the unchanged network is built and routed twice; each access change is shown "
                "beside how far that alone moves it"
                if routing.get("noise_floor")
                else "not measured (network.noise_floor is false)",
            ),
        ]
    if assessment.travel_model:
        rows += [
            ("Jobs counted within", ", ".join(f"{t:g} minutes" for t in p.job_thresholds_min)),
            ("Clinic catchment (E2SFCA)", f"{p.facility_catchment_min:g} minutes"),
        ]
    if any(r.kind is ResultKind.SERVICE_CHANGE for r in assessment.results):
        rows += [
            ("GTFS major service change", f"{p.major_change_threshold:.0%} or more of trips"),
            ("Walk to stops (GTFS comparison)", f"{p.service_walk_m:,.0f} m"),
        ]
    return rows


def build_methodology(ctx: BookContext) -> SheetSpec:
    """Lay out the one-page Methodology sheet: how the verdicts are reached, in brief."""
    a = ctx.assessment
    p = a.parameters
    tv = p.title_vi
    sheet = SheetSpec(SHEET_NAME, show_gridlines=False, tab_colour="7F7F7F")
    sheet.column_widths.update({1: 34, 2: 120})
    sheet.put(1, 1, "Methodology in brief", "title")
    sources = ctx.appendix.get(SOURCES_SHEET_NAME, "the Methods and sources appendix")
    sheet.put(
        2,
        1,
        f"Methods, references, every parameter and the data files are in {sources} (Methods and "
        "sources) and on the Audit sheet.",
        "note",
    )
    sheet.merge(2, 1, 2, 2)
    catchments = ", ".join(f"{k} {v:,.0f} m" for k, v in p.catchment_m.items())
    forms = {
        "absolute": f"percentage points ({tv.threshold_pp:g})",
        "relative": f"relative ({tv.threshold_relative:.0%})",
        "four_fifths": f"four-fifths rule ({tv.four_fifths_ratio:g})",
    }
    low = group_specs(p.low_income_poverty_pct)["low_income"].label
    income = (
        f"the published figure of ${p.comparison_median_household_income_usd:,.0f}"
        if p.comparison_median_household_income_usd
        else "the household-weighted mean of its neighbourhoods' median incomes (the data has "
        "no city-level figure), and labelled so"
    )
    items = [
        (
            "Who is affected",
            f"People living within walking distance of the stations, stops and sites ({catchments}; "
            "straight-line circles), counted by the share of each neighbourhood's area inside "
            "(area-weighted apportionment). A GTFS service change counts everyone in the "
            f"neighbourhoods near stops whose trips change by {p.major_change_threshold:.0%} or "
            "more.",
        ),
        (
            "Title VI (FTA C 4702.1B)",
            f"The minority (disparate impact) and {low.lower()} (disproportionate burden) shares "
            f"of those affected against {a.comparison_label}'s, in the forms the board adopted: "
            f"{'; '.join(forms[f] for f in tv.forms)}. A benefit that reaches a group less, or a "
            "burden that falls on it more, beyond a threshold is a potential finding. Each form is "
            "judged on its own 90% margin of error: the difference's (root sum of squares of the "
            "two shares' margins), the relative difference's (ACS ratio formula) and the rate "
            "ratio's (delta method); a form whose interval includes its threshold cannot tell. A "
            "potential disparate impact needs a substantial legitimate justification and the less "
            "discriminatory alternatives considered; a disproportionate burden is to be avoided, "
            "minimised or mitigated.",
        ),
        (
            "Low-income",
            f"{low}: the adopted definition. FTA C 4702.1B defines low-income by the HHS poverty "
            "guidelines unless the agency adopts a higher threshold; 200% of poverty is a common "
            "adoption.",
        ),
        (
            "Distribution by income (TAG A4.2)",
            "Neighbourhoods ranked by median household income into five quintiles of equal "
            "population; each quintile's share of the effect is compared with its population "
            f"share: within {p.distribution_threshold_pp:g} points is 'broadly in line' (a "
            "practitioner convention, not DfT guidance).",
        ),
        (
            "Housing (HUD)",
            "Rents against 30% of income; the affordable homes by income band against the "
            "households who could afford them; poverty and minority concentration at the site and "
            "R/ECAP; affordable homes gained less those demolished, and the households who must "
            f"move. The comparison population's income is {income}.",
        ),
        (
            "Displacement",
            f"Direct: homes demolished and households who must move. Indirect: neighbourhoods with "
            f"at least {p.displacement_min_flags} of 5 risk factors above the comparison (renters, "
            "low-income, rent-burdened, minority, limited English), modelled on the Portland study.",
        ),
        (
            "Margins of error",
            "American Community Survey estimates with 90% margins (U.S. Census Bureau, ACS "
            "handbook 2018, ch. 8), combined with the error of apportioning parts of "
            "neighbourhoods to catchments (allocation error). Differences within the margins are not significant and "
            "are not coloured as harm.",
        ),
    ]
    if a.travel_model:
        model = str(a.travel_model)
        items.append(("Access to opportunity", model[:1].upper() + model[1:]))
    items += _pillar_items(a)
    row = 4
    for label, text in items:
        sheet.put(row, 1, label, "label_wrap")
        sheet.put(row, 2, text, "wrap")
        row += 1
    row += 1
    sheet.put(row, 1, "Methods used", "heading")
    sheet.merge(row, 1, row, 2)
    row += 1
    methods = load_resource("methods.toml")
    for method in methods_used(a):
        entry = methods.get(method, {})
        summary = str(entry.get("summary", ""))
        first = _FIRST_SENTENCE.split(summary)[0].rstrip(".") + "." if summary else ""
        sheet.put(row, 1, entry.get("name", method), "label_wrap")
        sheet.put(row, 2, first, "wrap")
        row += 1
    page_setup(ctx, sheet, "Methodology", fit_height=True)
    return sheet


def _pillar_items(a: Assessment) -> list[tuple[str, str]]:
    """The brief's lines for H+T, the fare equity analysis and the screening layers, when
    the assessment has them."""
    indicators = [i for r in a.results for i in r.indicators]
    out: list[tuple[str, str]] = []
    if any(i.id == "affordability.h_plus_t" for i in indicators):
        out.append(
            (
                "Housing + transportation (H+T)",
                "In the spirit of CNT's H+T Index: a year of the home's rent and a household's "
                "modelled transport cost (vehicles, driving, transit fares, from ACS vehicle and "
                "commute tables; stated defaults where a column is missing) against the typical "
                "household's income: within 45% is affordable (housing 30%, transport 15%). A "
                "documented simplification, not CNT's model.",
            )
        )
    fares = [i for i in indicators if i.key.fare]
    if fares:
        proxy = any(i.details.get("usage_source") == "acs_proxy" for i in fares)
        usage = (
            "ACS commuters by public transportation standing in for riders (a proxy of place, "
            "not of fare media; low income there is below 150% of poverty, the ACS table's own "
            "cut, not the adopted definition)"
            if proxy
            else "the rider survey"
        )
        out.append(
            (
                "Fare changes (FTA C 4702.1B)",
                "Each group's average fare, every fare weighted by the group's share of trips "
                f"paid with it (from {usage}), before and after; its change against the other "
                "riders' on the adopted forms: the difference of the percentage changes in "
                "points, the relative difference and the ratio of the dollar changes (four-fifths "
                "rule). No margins of error are carried, so no verdict is 'cannot tell'.",
            )
        )
    screening = [i for i in indicators if i.category == "screening"]
    if screening:
        layers = sorted({str(i.details.get("layer", "")).upper() for i in screening} - {""})
        words = {"CEJST": "CEJST", "ETC": "USDOT ETC", "EJSCREEN": "EJScreen"}
        out.append(
            (
                "Disadvantaged communities (Justice40)",
                "The published federal screening files ("
                + ", ".join(words.get(x, x) for x in layers)
                + "), joined on census tract or block group GEOID and crosswalked between tract "
                "vintages by land area where needed: the share of the people served, and of the "
                "access gains (each neighbourhood's gain times its people), in disadvantaged "
                "communities against their share of the comparison population, beside the "
                "Justice40 goal of 40% of the benefits; at a housing site, its flag and burden "
                "percentiles against the 80th.",
            )
        )
    return out


def build_sources(ctx: BookContext) -> SheetSpec:
    """Lay out the Methods and sources appendix (methods in full, parameters, data, ratings)."""
    a = ctx.assessment
    sheet = SheetSpec(SOURCES_SHEET_NAME, show_gridlines=False, tab_colour="7F7F7F")
    page_setup(ctx, sheet, "Methods and sources")
    for col, width in enumerate((34, 90, 60), 1):
        sheet.column_widths[col] = width
    sheet.put(1, 1, "Methods and sources", "title")
    row = 3
    sheet.put(row, 1, "Methods used", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    sheet.put_row(row, 1, ["Method", "What it does and what it assumes", "Reference"], "header")
    row += 1
    methods = load_resource("methods.toml")
    for method in methods_used(a):
        entry = methods.get(method, {})
        sheet.put(row, 1, entry.get("name", method), "label_wrap")
        sheet.put(row, 2, entry.get("summary", ""), "wrap")
        sheet.put(row, 3, entry.get("reference", ""), "wrap")
        row += 1
    row += 1
    sheet.put(row, 1, "Parameters used", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    sheet.put_row(row, 1, ["Setting", "Value"], "header")
    row += 1
    for label, value in parameter_rows(a):
        sheet.put(row, 1, label, "text")
        sheet.put(row, 2, value, "wrap")
        row += 1
    row += 1
    sheet.put(row, 1, "Data sources and vintage", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    sheet.put(row, 1, "Neighbourhood data", "label")
    sheet.put(row, 2, a.vintage or "Vintage not stated in the project file", "wrap")
    row += 1
    for item in a.inputs:
        sheet.put(row, 1, item.role.capitalize(), "text")
        sheet.put(row, 2, item.path.replace("\\", "/").rsplit("/", 1)[-1], "wrap")
        sheet.put(row, 3, "SHA-256 on the Audit sheet", "small")
        row += 1
    row += 1
    sheet.put(row, 1, "Margins of error", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    note = (
        "American Community Survey figures are estimates from a sample. Margins of error (MOE) are "
        "given at the "
        "90% confidence level. They combine the survey's sampling error with the error of "
        "apportioning parts of neighbourhoods to catchments (allocation error); they cannot "
        "include the bias of assuming that people are spread evenly within a neighbourhood when "
        "no weights layer says where they live. Margins of sums and shares use the Census Bureau's approximations, which "
        "assume "
        "independent estimates. The reliability band comes from the coefficient of variation (CV = "
        "MOE / 1.645 "
        "/ estimate):"
    )
    sheet.put(row, 1, note, "wrap")
    sheet.merge(row, 1, row, 3)
    row += 1
    scheme = load_resource("reliability.toml")["bands"].get(a.parameters.reliability_bands, {})
    sheet.put_row(row, 1, ["Band", "Coefficient of variation"], "header")
    row += 1
    lower = 0.0
    for band in scheme.get("band", []):
        upper = float(band["max_cv"])
        words = f"above {lower:g}%" if upper == float("inf") else f"{lower:g}% to {upper:g}%"
        sheet.put(row, 1, band["label"], "text")
        sheet.put(row, 2, words, "text")
        lower = upper
        row += 1
    if scheme.get("source"):
        sheet.put(row, 1, f"Source of the bands: {scheme['source']}", "note")
        sheet.merge(row, 1, row, 3)
        row += 1
    row += 1
    sheet.put(row, 1, "Ratings", "heading")
    sheet.merge(row, 1, row, 3)
    row += 1
    sheet.put_row(row, 1, ["Rating (TAG A4.2 seven-point scale)", "Meaning"], "header")
    row += 1
    threshold = a.parameters.distribution_threshold_pp
    meanings = {
        "large": f"the quintile's share of the impact is more than {threshold:g} points above "
        "its share of the population",
        "moderate": f"within {threshold:g} points of its share of the population (broadly in line)",
        "slight": f"more than {threshold:g} points below its share of the population",
        "neutral": "the quintile has no share of the impact",
    }
    for key, entry in load_resource("ratings.toml")["tag"].items():
        size = key.split("_")[0]
        effect = "benefit" if key.endswith("beneficial") else "burden"
        meaning = meanings["neutral"] if key == "neutral" else f"{meanings[size]} ({effect})"
        sheet.put(row, 1, f"{entry['symbol']}  {entry['label']}", rating_style(entry["tone"]))
        sheet.put(row, 2, meaning.capitalize(), "wrap")
        row += 1
    row += 1
    sheet.put(
        row,
        1,
        "Every rating cell shows its words as well as its colour. Colours are colour-blind safe: "
        "blue for "
        "beneficial, orange for adverse, yellow for inconclusive or needing attention, grey for "
        "neutral "
        "and purple for context or not assessed.",
        "note",
    )
    sheet.merge(row, 1, row, 3)
    return sheet
