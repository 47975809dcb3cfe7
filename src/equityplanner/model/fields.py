"""Canonical neighbourhood fields: the names the analysis core works with.

Their labels, kinds and ACS sources are data in ``resources/fields.toml`` and
``resources/acs_preset.toml``; this module gives typed access to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from equityplanner.catalog import load_resource

__all__ = ["COUNT", "MEDIAN", "FieldSpec", "GroupSpec", "field_specs", "group_specs"]

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


@cache
def group_specs() -> dict[str, GroupSpec]:
    """Population groups for the 'who is served' indicators (``resources/groups.toml``)."""
    data = load_resource("groups.toml")
    return {
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
