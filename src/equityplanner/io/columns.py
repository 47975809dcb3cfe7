"""Map the columns of a neighbourhood table onto the canonical fields.

Detection follows ``resources/acs_preset.toml``: ACS 5-year variables first (each field has
alternative recipes of variables that are summed), then plain column names. A user mapping,
for example from the project file, can then override, add or remove fields.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.model.fields import MEDIAN, field_specs

__all__ = [
    "FieldSource",
    "Origin",
    "acs_variables",
    "apply_user_mapping",
    "describe_candidates",
    "detect_mapping",
    "find_id_column",
    "find_name_column",
    "is_truncated_acs",
    "orphan_margins",
]

Origin = Literal["acs", "name", "user"]

# "B03002_001E" (API and most tools) or "B03002_E001" (some census.gov downloads); the table id
# may carry a race/iteration suffix ("B17001A", "B05003PR"). Annotation columns such as
# "B03002_001EA" do not match.
_ACS_COLUMN = re.compile(
    r"^(?P<table>[A-Z]\d{5}[A-Z]{0,3})_"
    r"(?:(?P<line>\d{3})(?P<kind>[EM])|(?P<kind2>[EM])(?P<line2>\d{3}))$",
    re.IGNORECASE,
)
# "B03002_001": the 11-character "B03002_001E" cut to a Shapefile's 10 (dBase field names).
_TRUNCATED_ACS = re.compile(r"^[A-Z]\d{5}_\d{3}$", re.IGNORECASE)
_ESTIMATE = "E"
_MARGIN = "M"


@dataclass(frozen=True)
class FieldSource:
    """Where the values of one canonical field come from.

    Parameters
    ----------
    field
        Canonical field name (``resources/fields.toml``).
    estimate_columns
        Columns whose values are summed to give the estimate.
    moe_columns
        The 90% margin-of-error column of each estimate column, in the same order, or empty
        when the table has no margins for this field.
    origin
        ``"acs"`` (an ACS recipe), ``"name"`` (a plain column name) or ``"user"`` (mapped by
        the user).
    rate_per
        ``None`` when the column holds the field itself; else it holds a rate of the field's
        universe per ``rate_per`` (100: percent, 1: proportion, 0: decided from the values),
        converted when read (:mod:`equityplanner.io.column_styles`).
    found_by
        The naming style a column was recognised by (``"GeoDa column name"``), if any.
    """

    field: str
    estimate_columns: tuple[str, ...]
    moe_columns: tuple[str, ...] = ()
    origin: Origin = "user"
    rate_per: float | None = None
    found_by: str = ""

    @property
    def has_moe(self) -> bool:
        """True when every estimate column has a margin column."""
        return bool(self.moe_columns)


def acs_variables(columns: Iterable[str]) -> dict[str, dict[str, str]]:
    """Index the ACS variable columns of a table.

    Parameters
    ----------
    columns
        Column names of the table.

    Returns
    -------
    dict
        Upper-case variable (``"B03002_001"``) to ``{"E": column, "M": column}`` with the
        columns present; the first spelling found wins when a variable appears twice. A
        column named like the variable itself (``"B03002_001"``, a Shapefile's 10-character
        cut of ``"B03002_001E"``) is its estimate when no other column is.

    Examples
    --------
    >>> acs_variables(["GEOID", "b03002_001e", "B03002_M001"])
    {'B03002_001': {'E': 'b03002_001e', 'M': 'B03002_M001'}}
    """
    index: dict[str, dict[str, str]] = {}
    truncated: dict[str, list[str]] = {}
    for column in columns:
        text = str(column).strip()
        match = _ACS_COLUMN.match(text)
        if match is None:
            if _TRUNCATED_ACS.match(text):
                truncated.setdefault(text.upper(), []).append(column)
            continue
        line = match["line"] or match["line2"]
        kind = (match["kind"] or match["kind2"]).upper()
        variable = f"{match['table'].upper()}_{line}"
        index.setdefault(variable, {}).setdefault(kind, column)
    # A Shapefile cuts "B03002_001E" to "B03002_001": an estimate when it is the only one.
    for variable, found in truncated.items():
        if len(found) == 1 and _ESTIMATE not in index.get(variable, {}):
            index.setdefault(variable, {})[_ESTIMATE] = found[0]
    return index


def is_truncated_acs(column: str) -> bool:
    """Whether ``column`` is an ACS variable code a Shapefile cut to 10 characters.

    Examples
    --------
    >>> is_truncated_acs("B03002_001"), is_truncated_acs("B03002_001E")
    (True, False)
    """
    return _TRUNCATED_ACS.match(str(column).strip()) is not None


def detect_mapping(columns: Iterable[str]) -> dict[str, FieldSource]:
    """Recognise canonical fields among a table's columns.

    For each field (in ``resources/fields.toml`` order) the ACS recipes are tried in order; a
    recipe matches when every variable has an estimate column, and its margins are attached
    only when every variable also has a margin column. Otherwise the plain names are tried,
    case-insensitively, with a margin column ``<name>_moe`` or ``<name>_m`` when present.

    Parameters
    ----------
    columns
        Column names of the table.

    Returns
    -------
    dict
        Canonical field name to :class:`FieldSource`, for the fields found only.

    Examples
    --------
    >>> found = detect_mapping(["GEOID", "B03002_001E", "B03002_001M", "Renters"])
    >>> found["total_population"].estimate_columns, found["total_population"].moe_columns
    (('B03002_001E',), ('B03002_001M',))
    >>> found["renter_households"].origin
    'name'
    """
    names = [str(column) for column in columns]
    variables = acs_variables(names)
    by_lower = _lower_index(names)
    preset = load_resource("acs_preset.toml")["fields"]
    mapping: dict[str, FieldSource] = {}
    for field in field_specs():
        entry = preset.get(field, {})
        source = _match_recipes(field, entry.get("acs", []), variables)
        if source is None:
            source = _match_names(field, entry.get("names", []), by_lower)
        if source is not None:
            mapping[field] = source
    from equityplanner.io.column_styles import detect_styled  # GeoDa, LTDB … names, rates

    mapping.update(detect_styled(names, mapping))
    return {field: mapping[field] for field in field_specs() if field in mapping}


def apply_user_mapping(
    columns: Iterable[str],
    detected: Mapping[str, FieldSource],
    user_mapping: Mapping[str, Any] | None,
    *,
    path: str | Path | None = None,
) -> dict[str, FieldSource]:
    """Override detected fields with the user's mapping.

    Parameters
    ----------
    columns
        Column names of the table.
    detected
        The result of :func:`detect_mapping`.
    user_mapping
        Canonical field name to one of: a column name; a list of column names (summed); a
        dict ``{"estimate": [...], "moe": [...]}``; or ``None`` to drop the field. For a
        column name or list, margins are attached when every column has an ACS ``…M`` twin or
        a ``<column>_moe`` / ``<column>_m`` column.
    path
        The table the columns belong to, named in error messages.

    Returns
    -------
    dict
        Canonical field name to :class:`FieldSource`, in ``resources/fields.toml`` order.

    Raises
    ------
    InputError
        For an unknown field, a column not in the table, margins without estimates, margins
        whose count differs from the estimates', or several columns summed into a median.

    Examples
    --------
    >>> columns = ["GEOID", "pop_a", "pop_b", "wnh"]
    >>> mapped = apply_user_mapping(columns, {}, {"total_population": ["pop_a", "pop_b"]})
    >>> mapped["total_population"].estimate_columns
    ('pop_a', 'pop_b')
    """
    names = [str(column) for column in columns]
    specs = field_specs()
    result = dict(detected)
    for field, value in (user_mapping or {}).items():
        if field not in specs:
            near = difflib.get_close_matches(str(field), list(specs), n=3, cutoff=0.5)
            hint = f"Did you mean {_quoted(near)}? " if near else ""
            raise InputError(
                f"{field!r} is not a known field",
                path=path,
                location="column mapping",
                remedy=f"{hint}Known fields are: {', '.join(specs)}",
            )
        if value is None:
            result.pop(field, None)
            continue
        result[field] = _user_source(field, value, names, path)
    for field, source in result.items():
        if specs[field].kind == MEDIAN and len(source.estimate_columns) > 1:
            raise InputError(
                f"field {field!r} is a median and cannot be the sum of "
                f"{_quoted(source.estimate_columns)}",
                path=path,
                location="column mapping",
                remedy="Map a single column holding the median",
            )
    return {field: result[field] for field in specs if field in result}


def find_id_column(
    columns: Iterable[str],
    preferred: str | None = None,
    *,
    path: str | Path | None = None,
) -> str | None:
    """The column holding neighbourhood identifiers (GEOIDs).

    Parameters
    ----------
    columns
        Column names of the table.
    preferred
        A column named by the user; matched exactly, then case-insensitively.
    path
        The table, named in error messages.

    Returns
    -------
    str or None
        The column, or ``None`` when none of ``[preset] id_columns`` is present.

    Raises
    ------
    InputError
        When ``preferred`` is not a column of the table.

    Examples
    --------
    >>> find_id_column(["NAME", "GEO_ID", "B01003_001E"])
    'GEO_ID'
    """
    names = [str(column) for column in columns]
    if preferred is not None:
        return _resolve_column(preferred, names, path, "id column")
    return _first_present(load_resource("acs_preset.toml")["preset"]["id_columns"], names)


def find_name_column(columns: Iterable[str]) -> str | None:
    """The column holding neighbourhood names, or ``None`` (``[preset] name_columns``).

    Examples
    --------
    >>> find_name_column(["GEOID", "NAMELSAD"])
    'NAMELSAD'
    """
    names = [str(column) for column in columns]
    return _first_present(load_resource("acs_preset.toml")["preset"]["name_columns"], names)


def describe_candidates(field: str) -> str:
    """Say which columns would have been recognised as ``field`` (for error messages).

    Examples
    --------
    >>> describe_candidates("nh_white")
    'nh_white: B03002_003E, or a column named nh_white, white_nh, nhwhite, white_non_hispanic'
    """
    entry = load_resource("acs_preset.toml")["fields"].get(field, {})
    recipes = [" + ".join(f"{variable}E" for variable in recipe) for recipe in entry.get("acs", [])]
    names = entry.get("names", [])
    options = [*recipes]
    if names:
        options.append(f"a column named {', '.join(names)}")
    return f"{field}: " + (", or ".join(options) if options else "no automatic source")


def orphan_margins(columns: Iterable[str], fields: Iterable[str]) -> dict[str, list[str]]:
    """Margin columns of a field's ACS recipes that are present without their estimates.

    Parameters
    ----------
    columns
        Column names of the table.
    fields
        The canonical fields to check (usually the ones left unmapped).

    Returns
    -------
    dict
        Field to the margin columns whose estimate column is missing, for fields that have
        any.

    Examples
    --------
    >>> orphan_margins(["B03002_001M"], ["total_population"])
    {'total_population': ['B03002_001M']}
    """
    variables = acs_variables(str(column) for column in columns)
    preset = load_resource("acs_preset.toml")["fields"]
    found: dict[str, list[str]] = {}
    for field in fields:
        orphans = [
            variables[variable][_MARGIN]
            for recipe in preset.get(field, {}).get("acs", [])
            for variable in recipe
            if _MARGIN in variables.get(variable, {}) and _ESTIMATE not in variables[variable]
        ]
        if orphans:
            found[field] = list(dict.fromkeys(orphans))
    return found


def _match_recipes(
    field: str, recipes: list[list[str]], variables: dict[str, dict[str, str]]
) -> FieldSource | None:
    for recipe in recipes:
        found = [variables.get(variable.upper(), {}) for variable in recipe]
        if not all(_ESTIMATE in entry for entry in found):
            continue
        estimates = tuple(entry[_ESTIMATE] for entry in found)
        has_margins = all(_MARGIN in entry for entry in found)
        margins = tuple(entry[_MARGIN] for entry in found) if has_margins else ()
        return FieldSource(field, estimates, margins, "acs")
    return None


def _match_names(field: str, names: list[str], by_lower: dict[str, str]) -> FieldSource | None:
    for name in names:
        column = by_lower.get(name.lower())
        if column is None:
            continue
        margin = _plain_margin(column, by_lower)
        return FieldSource(field, (column,), (margin,) if margin else (), "name")
    return None


def _plain_margin(column: str, by_lower: dict[str, str]) -> str | None:
    from equityplanner.io.column_styles import margin_suffixes  # _moe, _m, _error …

    for suffix in margin_suffixes():
        margin = by_lower.get(f"{column}{suffix}".lower())
        if margin is not None:
            return margin
    return None


def _twin_margin(column: str, names: list[str], by_lower: dict[str, str]) -> str | None:
    """The ACS ``…M`` twin of an estimate column, else a ``<column>_moe`` / ``_m`` column."""
    match = _ACS_COLUMN.match(column.strip())
    if match is not None and (match["kind"] or match["kind2"]).upper() == _ESTIMATE:
        line = match["line"] or match["line2"]
        variable = f"{match['table'].upper()}_{line}"
        margin = acs_variables(names).get(variable, {}).get(_MARGIN)
        if margin is not None:
            return margin
    return _plain_margin(column, by_lower)


def _user_source(field: str, value: Any, names: list[str], path: str | Path | None) -> FieldSource:
    location = f"column mapping for {field!r}"
    by_lower = _lower_index(names)
    if isinstance(value, Mapping) and "rate" in value:
        from equityplanner.io.column_styles import rate_source

        return rate_source(field, value, names, path)
    if isinstance(value, Mapping):
        unknown = set(value) - {"estimate", "moe"}
        if unknown:
            raise InputError(
                f"unknown key(s) {_quoted(sorted(map(str, unknown)))}",
                path=path,
                location=location,
                remedy='Use {"estimate": [columns], "moe": [columns]}',
            )
        estimates = _column_list(value.get("estimate"), names, path, location)
        margins = _column_list(value.get("moe"), names, path, location)
        if margins and not estimates:
            raise InputError(
                f"margin of error columns {_quoted(margins)} are mapped without their estimates",
                path=path,
                location=location,
                remedy='Add the estimate columns under "estimate", in the same order',
            )
        if margins and len(margins) != len(estimates):
            raise InputError(
                f"{len(margins)} margin of error column(s) for {len(estimates)} estimate column(s)",
                path=path,
                location=location,
                remedy="Give one margin column per estimate column, in the same order, or none",
            )
        if not estimates:
            raise InputError(
                "no estimate columns given",
                path=path,
                location=location,
                remedy="Name at least one column, or map the field to null to drop it",
            )
        return FieldSource(field, tuple(estimates), tuple(margins), "user")
    estimates = _column_list(value, names, path, location)
    if not estimates:
        raise InputError(
            "no columns given",
            path=path,
            location=location,
            remedy="Name at least one column, or map the field to null to drop it",
        )
    twins = [_twin_margin(column, names, by_lower) for column in estimates]
    twin_margins = tuple(twin for twin in twins if twin is not None)
    return FieldSource(
        field,
        tuple(estimates),
        twin_margins if len(twin_margins) == len(estimates) else (),
        "user",
    )


def _column_list(value: Any, names: list[str], path: str | Path | None, location: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        raise InputError(
            f"{value!r} is not a column name or a list of column names",
            path=path,
            location=location,
            remedy='Give a column name, a list of column names, or {"estimate": [...], '
            '"moe": [...]}',
        )
    return [_resolve_column(item, names, path, location) for item in items]


def _resolve_column(wanted: str, names: list[str], path: str | Path | None, location: str) -> str:
    if wanted in names:
        return wanted
    folded = [name for name in names if name.lower() == wanted.strip().lower()]
    if len(folded) == 1:
        return folded[0]
    lowered = {name.lower(): name for name in names}
    near = [
        lowered[hit]
        for hit in difflib.get_close_matches(wanted.lower(), list(lowered), n=5, cutoff=0.6)
    ]
    hint = f"Near matches: {_quoted(near)}" if near else f"Columns: {_preview(names)}"
    raise InputError(
        f"there is no column {wanted!r}",
        path=path,
        location=location,
        remedy=hint,
    )


def _first_present(candidates: list[str], names: list[str]) -> str | None:
    for candidate in candidates:
        if candidate in names:
            return candidate
    by_lower = _lower_index(names)
    for candidate in candidates:
        if candidate.lower() in by_lower:
            return by_lower[candidate.lower()]
    return None


def _lower_index(names: list[str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for name in names:
        index.setdefault(name.strip().lower(), name)
    return index


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(repr(item) for item in items)


def _preview(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")
