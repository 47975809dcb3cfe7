"""Canonical neighbourhood fields: the names the analysis core works with.

Their labels, kinds and ACS sources are data in ``resources/fields.toml`` and
``resources/acs_preset.toml``; this module gives typed access to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError

__all__ = [
    "COUNT",
    "DEFAULT_LOW_INCOME_POVERTY_PCT",
    "MEDIAN",
    "FieldSpec",
    "GroupSpec",
    "field_specs",
    "group_specs",
    "low_income_definitions",
]

DEFAULT_LOW_INCOME_POVERTY_PCT = 200
"""The default low-income definition: below 200% of the poverty level (a common adoption)."""

COUNT = "count"
MEDIAN = "median"


@dataclass(frozen=True)
class FieldSpec:
    """One canonical field.

    ``kind`` is ``count`` (additive, apportioned by area) or ``median`` (not additive;
    combined as a mean weighted by ``weight_field``).
    """

    name: str
    label: str
    kind: str
    unit: str
    required: bool = False
    weight_field: str | None = None
    universe: str | None = None


@dataclass(frozen=True)
class GroupSpec:
    """A population group compared inside and outside catchments (e.g. minority).

    The group count is ``numerator`` minus the fields in ``subtract_from`` style: the
    numerator is a list of fields summed, ``minus`` a list of fields subtracted; the
    denominator is one field (the universe).
    """

    id: str
    label: str
    numerator: tuple[str, ...]
    minus: tuple[str, ...]
    denominator: str
    unit: str
    title_vi_test: str | None = None
    fallback_denominator: str | None = None


@cache
def field_specs() -> dict[str, FieldSpec]:
    """All canonical fields, in the order of ``resources/fields.toml``."""
    data = load_resource("fields.toml")
    return {
        name: FieldSpec(
            name=name,
            label=spec["label"],
            kind=spec["kind"],
            unit=spec["unit"],
            required=spec.get("required", False),
            weight_field=spec.get("weight_field"),
            universe=spec.get("universe"),
        )
        for name, spec in data["fields"].items()
    }


def low_income_definitions() -> dict[int, str]:
    """The low-income definitions the data can support: percent of poverty -> label."""
    options = load_resource("groups.toml")["groups"]["low_income"].get("by_poverty_pct", {})
    return {int(pct): str(option["label"]) for pct, option in options.items()}


@cache
def group_specs(
    low_income_poverty_pct: int = DEFAULT_LOW_INCOME_POVERTY_PCT,
) -> dict[str, GroupSpec]:
    """Population groups for the 'who is served' indicators (``resources/groups.toml``).

    ``low_income_poverty_pct`` is the adopted low-income definition (percent of the poverty
    level; parameter ``low_income_poverty_pct``): it chooses the low-income group's
    numerator and label.

    Raises
    ------
    InputError
        For a definition the canonical fields cannot express (the choices are listed).
    """
    data = load_resource("groups.toml")
    specs = {
        gid: GroupSpec(
            id=gid,
            label=spec["label"],
            numerator=tuple(spec["numerator"]),
            minus=tuple(spec.get("minus", [])),
            denominator=spec["denominator"],
            unit=spec["unit"],
            title_vi_test=spec.get("title_vi_test"),
            fallback_denominator=spec.get("fallback_denominator"),
        )
        for gid, spec in data["groups"].items()
    }
    options = data["groups"]["low_income"].get("by_poverty_pct", {})
    option = options.get(str(int(low_income_poverty_pct)))
    if option is None:
        raise InputError(
            f"no low-income definition at {low_income_poverty_pct:g}% of the poverty level",
            location="parameters.low_income_poverty_pct",
            remedy="Use one of: " + ", ".join(sorted(options, key=int)),
        )
    low = specs["low_income"]
    specs["low_income"] = GroupSpec(
        id=low.id,
        label=str(option["label"]),
        numerator=tuple(option["numerator"]),
        minus=low.minus,
        denominator=low.denominator,
        unit=low.unit,
        title_vi_test=low.title_vi_test,
        fallback_denominator=low.fallback_denominator,
    )
    return specs
