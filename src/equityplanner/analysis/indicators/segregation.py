"""Segregation: the study area's indices, and where a catchment sits among neighbourhoods.

The indices (dissimilarity, isolation, HUD's bands) are computed by
:mod:`equityplanner.analysis.segregation`; this module makes their indicators.
"""

from __future__ import annotations

import math

import numpy as np

from equityplanner.analysis import segregation
from equityplanner.analysis.baseline import Baseline
from equityplanner.analysis.indicators.make import make_indicator, rating_words, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.words import comparison_in_sentence, num, pct, ratio
from equityplanner.i18n import _, pgettext
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import Parameters
from equityplanner.model.results import Indicator

__all__ = ["CATCHMENT_MINORITY_SHARE", "catchment_position_indicator", "study_area_indicators"]

CATCHMENT_MINORITY_SHARE = IndicatorId(IndicatorFamily.SEGREGATION, "catchment_minority_share")
_SEGREGATION_GROUPS = ("nh_black", "hispanic", "nh_asian")


def study_area_indicators(b: Baseline, params: Parameters) -> list[Indicator]:
    """Dissimilarity and isolation of each large enough group in the comparison population."""
    t = b.table[b.comparison]
    if "nh_white" not in t:
        return []
    labels = {
        "nh_black": pgettext("segregation group", "Black"),
        "hispanic": pgettext("segregation group", "Hispanic or Latino"),
        "nh_asian": pgettext("segregation group", "Asian"),
        "minority": pgettext("segregation group", "Minority"),
    }
    indicators = []
    white = t["nh_white"].fillna(0).to_numpy()
    total = t["total_population"].fillna(0).to_numpy()
    series = {g: t[g].fillna(0).to_numpy() for g in _SEGREGATION_GROUPS if g in t}
    if "minority_count" in t:
        series["minority"] = t["minority_count"].to_numpy()
    for gid, counts in series.items():
        if counts.sum() < max(100.0, 0.01 * total.sum()) or white.sum() <= 0:
            continue  # HUD does not report indices for very small groups (or no reference)
        d = float(segregation.dissimilarity(counts, white))
        band = str(segregation.dissimilarity_band(d))
        label = text("segregation.dissimilarity_name").format(group=labels[gid])
        band_label, _tone = rating_words("segregation", band)
        indicators.append(
            make_indicator(
                id=IndicatorId(IndicatorFamily.SEGREGATION, "dissimilarity", group=gid),
                name=label,
                value=d,
                comparison=None,
                difference=None,
                value_unit="index",
                rating_family="segregation",
                rating=band,
                finding=text("segregation.dissimilarity_finding").format(
                    value=ratio(d, 1),
                    rating_label_lower=band_label.lower(),
                    share_to_move=pct(d / 100, 0),
                    group=labels[gid],
                    comparison=comparison_in_sentence(params.comparison.label),
                ),
                method="segregation",
                details={
                    "group": gid,
                    "group_total": float(counts.sum()),
                    "white_total": float(white.sum()),
                },
            )
        )
        iso = float(segregation.isolation(counts, total))
        overall = float(counts.sum() / total.sum()) if total.sum() > 0 else float("nan")
        indicators.append(
            make_indicator(
                id=IndicatorId(IndicatorFamily.SEGREGATION, "isolation", group=gid),
                name=text("segregation.isolation_name").format(group=labels[gid]),
                value=iso,
                comparison=overall,
                difference=(iso - overall) * 100,
                value_unit="share",
                rating_family="segregation",
                rating="context",
                finding=text("segregation.isolation_finding").format(
                    value=pct(iso),
                    comparison_value=pct(overall),
                    group=labels[gid],
                    comparison=comparison_in_sentence(params.comparison.label),
                ),
                method="segregation",
                details={"group": gid},
            )
        )
    return indicators


def catchment_position_indicator(side: SideContext) -> Indicator:
    """``segregation.catchment_minority_share``: the catchment's minority share and its rank."""
    b = side.baseline
    if "minority" not in b.groups:
        return make_indicator(
            id=side.indicator_id(CATCHMENT_MINORITY_SHARE),
            name=text("segregation_position.name"),
            value=None,
            comparison=None,
            difference=None,
            value_unit="share",
            rating_family="segregation",
            rating="context",
            finding=_("Not assessed: the data has no race and ethnicity counts."),
            method="segregation",
        )
    inside = b.totals("minority", side.counted)
    reference = b.totals("minority", side.comparison)
    # Only the neighbourhoods inside are ranked, among the comparison's (sorted once).
    ranked = b.sorted_comparison("minority_share")
    rows, shares = side.sparse
    ranks = (
        np.searchsorted(ranked, np.nan_to_num(b.column("minority_share")[rows]), side="right")
        / max(ranked.size, 1)
        * 100
    )
    people = shares * np.nan_to_num(b.column("total_population")[rows])
    percentile = float(np.dot(people, ranks) / people.sum()) if people.sum() > 0 else float("nan")
    value = inside.share
    return make_indicator(
        id=side.indicator_id(CATCHMENT_MINORITY_SHARE),
        name=text("segregation_position.name"),
        value=value,
        comparison=reference.share,
        difference=(value - reference.share) * 100 if math.isfinite(value) else None,
        value_unit="share",
        rating_family="segregation",
        rating="context",
        finding=text("segregation_position.finding").format(
            value=pct(_zero(value)),
            comparison_value=pct(_zero(reference.share)),
            comparison=side.comparison_label,
            percentile=num(_zero(percentile)),
        ),
        method="segregation",
        details={"percentile": percentile},
    )


def _zero(value: float | None) -> float:
    """A missing or infinite value as 0.0 (for words)."""
    return float(value) if value is not None and math.isfinite(value) else 0.0
