"""Displacement risk: people in vulnerable neighbourhoods inside a benefit's catchment.

Which neighbourhoods are vulnerable (how many risk factors they meet) is decided by
:mod:`equityplanner.analysis.displacement` when the baseline is prepared; this module counts
the people inside the catchment who live in them and says whether the proposal adds an
amenity (a station, market-rate homes) that can raise rents there.
"""

from __future__ import annotations

import numpy as np

from equityplanner.analysis.indicators.make import make_indicator, text
from equityplanner.analysis.indicators.side import SideContext
from equityplanner.analysis.words import num, pct
from equityplanner.i18n import SOURCE_LANGUAGE, _, current_language, ngettext
from equityplanner.model.concepts import IndicatorFamily
from equityplanner.model.indicator_ids import IndicatorId
from equityplanner.model.project import HousingProject, Project
from equityplanner.model.results import Indicator

__all__ = ["VULNERABLE_POPULATION", "displacement_indicator"]

VULNERABLE_POPULATION = IndicatorId(IndicatorFamily.DISPLACEMENT, "vulnerable_population")


def displacement_indicator(side: SideContext) -> Indicator:
    """``displacement.vulnerable_population`` of a benefit side."""
    b = side.baseline
    pop_inside = side.population[0]
    # Only the neighbourhoods inside are read (rows ascending, as a full-length mask gives).
    rows, shares = side.sparse
    vulnerable = b.values("is_vulnerable")[rows].astype(bool) & (shares > 0)
    population = b.filled("total_population")[rows]
    value = float(np.dot(shares[vulnerable], population[vulnerable]))
    count = int(vulnerable.sum())
    amenity_projects = [p for p in side.projects if p.adds_amenity]
    amenity = _join([_amenity_words(p) for p in amenity_projects])
    min_flags = side.params.displacement_min_flags
    factors = len(b.displacement_factors)
    if factors < min_flags:
        # Nobody can meet the rule with fewer factors than it asks for: "low risk" would be
        # an artefact of missing data, not a finding.
        rating, key = "not_assessed", "too_few_factors"
    elif count == 0:
        rating, key = "low_risk", "none"
    elif amenity_projects:
        rating, key = "risk", "risk"
    else:
        rating, key = "low_risk", "low_risk"
    finding = text(f"displacement.findings.{key}").format(
        count=count,
        min_flags=min_flags,
        factors=factors,
        value=num(value),
        share=pct(value / pop_inside if pop_inside > 0 else 0.0),
        # English starts the clause after the semicolon with a capital (as it always has).
        amenity=amenity[0].upper() + amenity[1:] if amenity and _english() else amenity,
        amenity_none=_("adds no new amenity such as a station or market-rate homes"),
    )
    return make_indicator(
        id=side.indicator_id(VULNERABLE_POPULATION),
        name=text("displacement.name"),
        value=value,
        comparison=pop_inside,
        difference=None,
        value_unit="persons",
        rating_family="test",
        rating=rating,
        finding=finding,
        method="displacement",
        details={
            "vulnerable_neighbourhoods": b.values("id")[rows[vulnerable]].tolist(),
            "min_flags": min_flags,
            "risk_factors_in_data": list(b.displacement_factors),
            "adds_amenity": bool(amenity_projects),
        },
    )


def _amenity_words(project: Project) -> str:
    """The amenity a project adds, in words (``"new BRT service on Eastside Express"``)."""
    if isinstance(project, HousingProject):
        units = project.units_by_band.get("market", 0)
        return ngettext(
            "{count} new market-rate home at {name}",
            "{count} new market-rate homes at {name}",
            units,
        ).format(count=units, name=project.name)
    mode = project.mode.value.upper() if project.mode.value == "brt" else project.mode.value
    return _("new {mode} service on {name}").format(mode=_mode_words(mode), name=project.name)


def _mode_words(mode: str) -> str:
    """A transit mode as findings name it (``"BRT"``, ``"bus"``, ``"rail"``)."""
    words = {"BRT": _("BRT"), "bus": _("bus"), "rail": _("rail")}
    return words.get(mode, mode)


def _join(parts: list[str]) -> str:
    """``"A and B"`` (and ``"A and B and C"``) in the current language."""
    return (" " + _("and") + " ").join(parts)


def _english() -> bool:
    return current_language() == SOURCE_LANGUAGE
