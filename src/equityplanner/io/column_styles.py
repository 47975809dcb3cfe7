"""Columns of non-ACS files (GeoDa, LTDB, census SF1), rates, margins and vintages.

The data is ``resources/column_styles.toml``; :mod:`equityplanner.io.columns` calls in here
to detect fields by these names (:func:`detect_styled`), to find margin columns
(:func:`margin_suffixes`), to read a ``{"rate": column}`` mapping (:func:`rate_source`), and
the reader converts rates with their universe or refuses rates mapped as counts
(:func:`apply_rates`). :func:`carry_mapping` moves a saved mapping onto the next vintage of a
file (``pop00`` to ``pop10``).

Examples
--------
>>> found = detect_styled(["FIPS", "TOT_POP", "WHITE", "HH_INC"], {})
>>> found["total_population"].estimate_columns, found["total_population"].found_by
(('TOT_POP',), 'GeoDa column name')
>>> rate_field("white_rt"), rate_field("PCTBLCK"), rate_field("WHITE")
('nh_white', 'nh_black', None)
>>> carry_mapping({"total_population": "pop00"}, ["pop10", "nhwht10"])
({'total_population': 'pop10'}, ['total_population: pop00 read as pop10'])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.io.columns import FieldSource
from equityplanner.model.fields import COUNT, field_specs

__all__ = [
    "apply_rates",
    "carry_mapping",
    "detect_styled",
    "looks_like_rates",
    "margin_suffixes",
    "rate_field",
    "rate_source",
    "style_note",
]

_RESOURCE = "column_styles.toml"
_YEAR = {"{yy}": r"\d{2}", "{yyyy}": r"\d{4}"}
_TRAILING_YEAR = re.compile(r"^(?P<stem>.*?[^\d])(?P<year>\d{2}|\d{4})$")


def _pattern(name: str) -> re.Pattern[str]:
    text = re.escape(name.lower())
    for token, digits in _YEAR.items():
        text = text.replace(re.escape(token), digits)
    return re.compile(f"^{text}$")


@cache
def _styles() -> tuple[tuple[str, str, str, dict[str, tuple[re.Pattern[str], ...]]], ...]:
    """(id, label, note, field -> name patterns) of each style, in the file's order."""
    data = load_resource(_RESOURCE)["styles"]
    return tuple(
        (
            style_id,
            str(style.get("label", style_id)),
            str(style.get("note", "")),
            {
                field: tuple(_pattern(str(name)) for name in names)
                for field, names in style.get("names", {}).items()
            },
        )
        for style_id, style in data.items()
    )


@cache
def margin_suffixes() -> tuple[str, ...]:
    """Suffixes naming a column's margin of error (``inc`` -> ``inc_error``), lower case."""
    return tuple(s.lower() for s in load_resource(_RESOURCE)["margins"]["suffixes"])


def style_note(found_by: str) -> str:
    """The caveat of the style whose label is ``found_by`` ('' when none)."""
    return next((note for _, label, note, _ in _styles() if label == found_by), "")


def _margin_of(column: str, by_lower: Mapping[str, str]) -> str | None:
    for suffix in margin_suffixes():
        margin = by_lower.get(f"{column}{suffix}".lower())
        if margin is not None:
            return margin
    return None


def detect_styled(
    columns: Iterable[str], mapped: Mapping[str, FieldSource]
) -> dict[str, FieldSource]:
    """Fields not in ``mapped`` recognised by a style's names, or as a rate of a mapped field.

    A rate is kept only when its universe (``fields.toml``) is mapped, by ``mapped`` or here,
    since it is converted with it.
    """
    names = [str(c) for c in columns]
    by_lower: dict[str, str] = {}
    for name in names:
        by_lower.setdefault(name.strip().lower(), name)
    found: dict[str, FieldSource] = {}
    for field in field_specs():
        if field in mapped:
            continue
        for _style, label, _note, fields in _styles():
            patterns = fields.get(field, ())
            column = next(
                (by_lower[k] for p in patterns for k in by_lower if p.match(k)),
                None,
            )
            if column is not None:
                margin = _margin_of(column, by_lower)
                found[field] = FieldSource(
                    field, (column,), (margin,) if margin else (), "name", found_by=label
                )
                break
    specs = field_specs()
    for name in names:
        rated = rate_field(name)
        if rated is None or rated in mapped or rated in found:
            continue
        field = rated
        universe = specs[field].universe
        if universe is not None and (universe in mapped or universe in found):
            found[field] = FieldSource(
                field,
                (name,),
                (),
                "name",
                rate_per=0.0,
                found_by=f"rate of {specs[universe].label.lower()}",
            )
    return found


@cache
def _rate_markers() -> tuple[tuple[str, ...], tuple[str, ...], dict[str, str]]:
    data = load_resource(_RESOURCE)["rates"]
    stems = {str(stem).lower(): field for field, items in data["stems"].items() for stem in items}
    suffixes = tuple(sorted((s.lower() for s in data["suffixes"]), key=len, reverse=True))
    prefixes = tuple(sorted((p.lower() for p in data["prefixes"]), key=len, reverse=True))
    return suffixes, prefixes, stems


def rate_field(column: str) -> str | None:
    """The field a column's name says it holds a rate or percentage of, or None."""
    suffixes, prefixes, stems = _rate_markers()
    name = str(column).strip().lower()
    for suffix in suffixes:
        if name.endswith(suffix) and name[: -len(suffix)].strip("_") in stems:
            return stems[name[: -len(suffix)].strip("_")]
    for prefix in prefixes:
        if name.startswith(prefix) and name[len(prefix) :].strip("_") in stems:
            return stems[name[len(prefix) :].strip("_")]
    return None


def looks_like_rates(values: np.ndarray, universe: np.ndarray | None) -> bool:
    """Values of a count column that are more likely a rate: all within 0-100, some with
    fractions, while the universe's median is above 100."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0 or v.min() < 0 or v.max() > 100:
        return False
    if np.all(v == np.round(v)):
        return False
    if universe is None:
        return bool(v.max() <= 1.0)
    u = np.asarray(universe, dtype=float)
    u = u[np.isfinite(u)]
    return bool(u.size and np.median(u) > 100)


def rate_source(
    field: str, value: Mapping[str, Any], names: list[str], path: str | Path | None
) -> FieldSource:
    """A user's ``{"rate": column, "per": 100}`` mapping: ``column`` holds ``field`` per
    ``per`` of its universe (100 for percent, 1 for a proportion; omitted: from the values)."""
    from equityplanner.io.columns import _resolve_column

    location = f"column mapping for {field!r}"
    unknown = set(value) - {"rate", "per"}
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(repr(str(k)) for k in sorted(map(str, unknown)))}",
            path=path,
            location=location,
            remedy='Use {"rate": column, "per": 100} for a percentage (1 for a proportion)',
        )
    spec = field_specs()[field]
    if spec.universe is None or spec.kind != COUNT:
        raise InputError(
            f"field {field!r} cannot be given as a rate: it is not a share of another field",
            path=path,
            location=location,
            remedy="Map a column of counts (or of the median) to it",
        )
    column = value.get("rate")
    if not isinstance(column, str):
        raise InputError(
            f"{column!r} is not a column name",
            path=path,
            location=location,
            remedy='Use {"rate": column, "per": 100}',
        )
    per = value.get("per", 0.0)
    if not isinstance(per, int | float) or isinstance(per, bool) or per not in (0, 1, 100):
        raise InputError(
            f"'per' is {per!r}",
            path=path,
            location=location,
            remedy="Use 100 for a percentage and 1 for a proportion",
        )
    resolved = _resolve_column(column, names, path, location)
    return FieldSource(field, (resolved,), (), "user", rate_per=float(per))


def apply_rates(
    estimates: dict[str, np.ndarray],
    margins: dict[str, np.ndarray],
    field_map: Mapping[str, FieldSource],
    path_of: Callable[[str], Path],
    warnings: list[str],
) -> None:
    """Turn rate fields into counts with their universe; refuse rates read as counts.

    Rates have no margin of error of their own: a converted field has none.
    """
    specs = field_specs()
    for name, source in field_map.items():
        spec = specs[name]
        column = source.estimate_columns[0]
        path = path_of(column)
        universe = spec.universe
        if source.rate_per is None:
            if spec.kind != COUNT or len(source.estimate_columns) != 1:
                continue
            named = rate_field(column) is not None
            if named or looks_like_rates(
                estimates[name], estimates.get(universe) if universe else None
            ):
                why = "its name says so" if named else "its values are fractions of 0 to 100"
                raise InputError(
                    f"column {column!r} holds a rate or percentage ({why}), not a count of "
                    f"{spec.unit}: it cannot be read as {spec.label}",
                    path=path,
                    location=f"column mapping for {name!r}",
                    remedy=(
                        f'Map it as {{"rate": "{column}", "per": 100}} (1 for a proportion) '
                        f"so that it is converted with {specs[universe].label}, or choose "
                        "a column of counts"
                        if universe is not None
                        else "Choose a column of counts"
                    ),
                )
            continue
        if universe is None or universe not in estimates:
            label = specs[universe].label if universe else "its universe"
            raise InputError(
                f"column {column!r} is a rate of {label}, which is not mapped, so it cannot "
                f"be converted to a count of {spec.label}",
                path=path,
                location=f"column mapping for {name!r}",
                remedy=f"Map {label} too, or choose a column of counts",
            )
        rate = estimates[name]
        per = source.rate_per or (100.0 if np.nanmax(rate, initial=0.0) > 1.0 else 1.0)
        estimates[name] = rate / per * estimates[universe]
        margins.pop(name, None)
        kind = "percentages" if per == 100 else "proportions"
        warnings.append(
            f"{path}: column {column!r} read as {kind} of {specs[universe].label} and "
            f"converted to counts of {spec.label} (no margin of error)."
        )


def carry_mapping(
    mapping: Mapping[str, Any], columns: Iterable[str]
) -> tuple[dict[str, Any], list[str]]:
    """A saved mapping moved onto another vintage's columns.

    A column that is not there but whose name ends in a year is replaced by the column with
    the same stem and another year (``pop00`` -> ``pop10``); the notes say which.
    """
    names = [str(c) for c in columns]
    present = {n.lower(): n for n in names}
    by_stem: dict[str, list[str]] = {}
    for name in names:
        match = _TRAILING_YEAR.match(name)
        if match is not None:
            by_stem.setdefault(match["stem"].lower(), []).append(name)
    notes: list[str] = []

    def carry(field: str, column: Any) -> Any:
        if not isinstance(column, str) or column.lower() in present:
            return column
        match = _TRAILING_YEAR.match(column)
        candidates = by_stem.get(match["stem"].lower(), []) if match else []
        if len(candidates) == 1:
            notes.append(f"{field}: {column} read as {candidates[0]}")
            return candidates[0]
        return column

    out: dict[str, Any] = {}
    for field, value in mapping.items():
        if isinstance(value, str):
            out[field] = carry(field, value)
        elif isinstance(value, list):
            out[field] = [carry(field, c) for c in value]
        elif isinstance(value, Mapping):
            out[field] = {
                key: (
                    [carry(field, c) for c in item]
                    if isinstance(item, list)
                    else carry(field, item)
                )
                for key, item in value.items()
            }
        else:
            out[field] = value
    return out, notes
