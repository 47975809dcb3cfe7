"""What the map can shade: fields, their values per neighbourhood, their labels and number formats.

One set of rules for the desktop app's map and the workbook's map: the app offers
:func:`available_fields` in its menu, the workbook resolves a name given on the command
line with :func:`resolve_map_field`; both take values with :func:`field_values` and
classify them with :func:`equityplanner.render.classify.classify_field`.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.model.fields import field_specs, group_specs
from equityplanner.model.results import ProposalResult

if TYPE_CHECKING:  # tables arrive as pandas frames; the module needs no pandas to load
    import pandas as pd

__all__ = [
    "ACCESS_LABELS",
    "MapField",
    "access_fields",
    "available_fields",
    "default_field",
    "field_label",
    "field_values",
    "legend_formatter",
    "map_colour",
    "mappable_fields",
    "palette_choices",
    "resolve_field",
    "resolve_map_field",
    "short_label",
]


@dataclass(frozen=True)
class MapField:
    """Something the map can shade.

    ``kind`` drives formatting and classification: ``share`` (fraction), ``count``,
    ``currency``, ``density`` (per km²), ``quintile``, ``score`` (small integers), ``flag``
    or ``number``. ``source`` is ``baseline`` (the neighbourhood table), ``result`` (the
    selected project's or scenario's neighbourhood table) or ``access`` (its
    access-to-opportunity table).
    """

    key: str
    label: str
    kind: str
    source: str = "baseline"
    group: str = ""

    @property
    def is_categorical(self) -> bool:
        """Shaded by category (one class per value) rather than by class breaks."""
        return self.kind in ("quintile", "score", "flag")


def map_colour(name: str, default: str = "#808080") -> str:
    """A map symbol colour from ``[map]`` in ``resources/palettes.toml``."""
    return str(load_resource("palettes.toml").get("map", {}).get(name, default))


def palette_choices() -> list[tuple[str, str]]:
    """(name, label) of the map palettes, normal and reversed."""
    data = load_resource("palettes.toml")
    out: list[tuple[str, str]] = []
    for kind in ("sequential", "diverging"):
        for name, spec in data.get(kind, {}).items():
            label = spec.get("label", name)
            out.append((name, label))
            out.append((f"{name}_r", f"{label}, reversed"))
    return out


# Fields --------------------------------------------------------------------------------

_RESULT_FIELDS = (
    MapField(
        "share_in_catchment",
        "Share of the area inside the catchment",
        "share",
        "result",
        "Selected project",
    ),
    MapField(
        "total_population_in_catchment",
        "People inside the catchment",
        "count",
        "result",
        "Selected project",
    ),
)
_DERIVED = (
    MapField("quintile", "Income quintile (1 = lowest)", "quintile", group="Derived"),
    MapField("vulnerability_score", "Displacement risk factors (of 5)", "score", group="Derived"),
    MapField("is_vulnerable", "Vulnerable to displacement", "flag", group="Derived"),
    MapField(
        "is_recap", "R/ECAP (racially/ethnically concentrated poverty)", "flag", group="Derived"
    ),
)

ACCESS_LABELS = {
    "jobs_30min": "Jobs within 30 min",
    "jobs_45min": "Jobs within 45 min",
    "schools_time": "Minutes to nearest school",
    "childcare_time": "Minutes to nearest childcare",
    "clinics_time": "Minutes to nearest clinic",
    "clinics_2sfca": "Clinic capacity per 1,000 (E2SFCA)",
}


def _short(label: str) -> str:
    return label.split(" (")[0]


def access_fields(result: ProposalResult | None) -> list[MapField]:
    """The change in each access measure of a result (after minus before), for the map."""
    if result is None or result.access is None or result.access.empty:
        return []
    return [
        MapField(
            f"{kind}_change",
            f"{label}: change",
            "count",
            source="access",
            group="Access to opportunity",
        )
        for kind, label in ACCESS_LABELS.items()
        if f"{kind}_change" in result.access
    ]


def available_fields(
    table: pd.DataFrame | None, *, has_result: bool = False, result: ProposalResult | None = None
) -> list[MapField]:
    """The fields the map can shade for this neighbourhood table, grouped for a menu."""
    if table is None:
        return []
    out: list[MapField] = []
    groups = group_specs()
    for gid, group in groups.items():
        if f"{gid}_share" in table:
            out.append(
                MapField(
                    f"{gid}_share",
                    f"{_short(group.label)} (share)",
                    "share",
                    group="Population groups",
                )
            )
    if "total_population" in table:
        out.append(
            MapField(
                "population_density",
                "Population density (per km²)",
                "density",
                group="Counts and values",
            )
        )
    for name, spec in field_specs().items():
        if name not in table:
            continue
        if spec.kind == "median":
            kind = "currency" if "USD" in spec.unit else "count"
            out.append(MapField(name, spec.label, kind, group="Counts and values"))
        elif (
            spec.universe
            and spec.universe in table
            and name not in ("below_poverty", "below_200_poverty")
        ):
            out.append(
                MapField(
                    f"{name}__share",
                    f"{_short(spec.label)} (share)",
                    "share",
                    group="Race and ethnicity",
                )
            )
    for name, spec in field_specs().items():
        if name in table and spec.kind == "count":
            out.append(MapField(name, f"{spec.label} (count)", "count", group="Counts and values"))
    out += [f for f in _DERIVED if f.key in table]
    if has_result:
        out += list(_RESULT_FIELDS)
    out += access_fields(result)
    return out


def default_field(fields: list[MapField]) -> MapField | None:
    """The field shown first: the minority share when present."""
    for key in ("minority_share", "low_income_share", "population_density"):
        for f in fields:
            if f.key == key:
                return f
    return fields[0] if fields else None


_POSITIONS: dict[tuple[int, int], tuple[Any, Any, np.ndarray]] = {}


def _positions(of: pd.DataFrame, to: pd.DataFrame) -> np.ndarray:
    """For each row of ``to``, its row in ``of`` with the same ``id`` (NaN where none).

    Kept (for the last few pairs, while both frames live): the map and the table ask for it
    again and again for the same result (reshading, refilling), and matching 240,000 text
    ids costs a tenth of a second each time.
    """
    import pandas as pd

    key = (id(of), id(to))
    cached = _POSITIONS.get(key)
    if cached is not None and cached[0]() is of and cached[1]() is to:
        return cached[2]
    position = pd.Series(np.arange(len(of)), index=of["id"].astype(str).to_numpy())
    rows = position.reindex(to["id"].astype(str).to_numpy()).to_numpy(dtype=float)
    try:
        _POSITIONS[key] = (weakref.ref(of), weakref.ref(to), rows)
    except TypeError:  # not weakly referenceable: not kept
        return rows
    while len(_POSITIONS) > 8:  # the results of a few runs
        _POSITIONS.pop(next(iter(_POSITIONS)))
    return rows


def field_values(
    field: MapField,
    table: pd.DataFrame,
    *,
    areas_km2: np.ndarray | None = None,
    result: ProposalResult | None = None,
) -> np.ndarray:
    """Values of ``field`` for every row of ``table`` (NaN where unknown), as float."""
    import pandas as pd

    n = len(table)
    if field.source == "access":
        frame = result.access if result is not None else None
        if frame is None or field.key not in frame:
            return np.full(n, np.nan)
        rows = _positions(frame, table)  # the frame's row of each table row
        ok = ~np.isnan(rows)
        out = np.full(n, np.nan)
        out[ok] = frame[field.key].to_numpy(dtype=float)[rows[ok].astype(int)]
        return out
    if field.source == "result":
        out = np.zeros(n) if result is not None else np.full(n, np.nan)
        if result is not None and field.key in result.neighbourhoods:
            frame = result.neighbourhoods
            rows = _positions(table, frame)  # the table's row of each frame row
            ok = ~np.isnan(rows)
            out[rows[ok].astype(int)] = frame[field.key].to_numpy(dtype=float)[ok]
        return out
    if field.key == "population_density":
        pop = table["total_population"].to_numpy(dtype=float)
        if areas_km2 is None:
            return np.full(n, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(areas_km2 > 0, pop / areas_km2, np.nan)
    if field.key.endswith("__share"):
        name = field.key[: -len("__share")]
        universe = field_specs()[name].universe
        num = table[name].to_numpy(dtype=float)
        den = table[universe].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(den > 0, num / den, np.nan)
    values = pd.to_numeric(table[field.key].astype(float), errors="coerce").to_numpy(np.float64)
    if field.kind == "quintile":
        values = np.where(values > 0, values, np.nan)  # 0 = unranked
    return values


# Any numeric column (the workbook's --map-field) ----------------------------------------

_EXTRA_LABELS = {
    "quintile": "Income quintile (1 = lowest income, 0 = not ranked)",
    "vulnerability_score": "Displacement risk factors (of 5)",
    "is_vulnerable": "Vulnerable to displacement",
    "is_recap": "Racially or ethnically concentrated area of poverty (R/ECAP)",
    "in_comparison": "In the comparison population",
    "population_density": "Population density (people per km²)",
}


def mappable_fields(baseline: pd.DataFrame) -> list[str]:
    """Numeric columns of the baseline table that can shade the map."""
    import pandas as pd

    out = []
    for column in baseline.columns:
        if column in ("id", "name") or column.endswith("_moe"):
            continue
        dtype = baseline[column].dtype
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            out.append(str(column))
    return out


def _kind_of(name: str, values: pd.Series) -> str:
    import pandas as pd

    if name.startswith("is_") or name == "in_comparison" or pd.api.types.is_bool_dtype(values):
        return "flag"
    if name.endswith("_share"):
        return "share"
    spec = field_specs().get(name)
    if spec is not None and spec.unit.startswith("USD"):
        return "currency"
    finite = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size and np.all(finite == np.round(finite)):
        return "count"
    return "number"


def resolve_map_field(table: pd.DataFrame, name: str | None) -> MapField:
    """The map field called ``name`` (a field key, a baseline column or a group id, as
    ``low_income`` for ``low_income_share``); the minority share when ``name`` is None.

    Raises
    ------
    InputError
        When there is no such field; the message lists some that exist.
    """
    wanted = (name or "minority_share").strip()
    offered = {f.key: f for f in available_fields(table) if f.source == "baseline"}
    columns = mappable_fields(table)
    for option in (wanted, f"{wanted}_share"):
        if option in offered:
            return offered[option]
        if option in columns:
            label = _short(field_label(option))
            return MapField(option, label, _kind_of(option, table[option]), group="Other")
    shares = [c for c in columns if c.endswith("_share")]
    listed = ", ".join((shares or columns)[:12])
    raise InputError(
        f"there is no numeric neighbourhood field '{wanted}' to map",
        location="map field",
        remedy=f"Choose one of: {listed}",
    )


def resolve_field(baseline: pd.DataFrame, name: str | None) -> str:
    """The key of the map field called ``name`` (see :func:`resolve_map_field`).

    Examples
    --------
    >>> import pandas as pd
    >>> resolve_field(pd.DataFrame({"id": ["a"], "low_income_share": [0.2]}), "low_income")
    'low_income_share'
    """
    return resolve_map_field(baseline, name).key


def field_label(name: str) -> str:
    """A plain-language label of a field key or baseline column.

    Examples
    --------
    >>> field_label("low_income_share")
    'Low-income (below 200% of poverty), % of population for whom poverty status is determined'
    >>> field_label("quintile")
    'Income quintile (1 = lowest income, 0 = not ranked)'
    """
    if name in _EXTRA_LABELS:
        return _EXTRA_LABELS[name]
    groups = group_specs()
    fields = field_specs()
    if name.endswith("__share") and name[:-7] in fields:
        spec = fields[name[:-7]]
        universe = fields.get(spec.universe or "")
        of = universe.label.lower() if universe else (spec.universe or "the universe")
        return f"{spec.label}, % of {of}"
    for suffix, words in (("_share", None), ("_count", "count"), ("_universe", "universe")):
        if name.endswith(suffix) and name[: -len(suffix)] in groups:
            group = groups[name[: -len(suffix)]]
            if words is None:
                universe = fields.get(group.denominator)
                of = universe.label.lower() if universe else group.denominator
                return f"{group.label}, % of {of}"
            return f"{group.label} ({words})"
    if name in fields:
        spec = fields[name]
        return f"{spec.label} ({spec.unit})" if spec.unit.startswith("USD") else spec.label
    return name.replace("_", " ").capitalize()


def short_label(name: str) -> str:
    """A short label of a field key or baseline column, for titles and headers.

    Examples
    --------
    >>> short_label("minority_share")
    'Minority share of total population'
    >>> short_label("median_household_income")
    'Median household income'
    """
    groups = group_specs()
    if name.endswith("_share") and name[:-6] in groups:
        group = groups[name[:-6]]
        universe = field_specs().get(group.denominator)
        of = universe.label.lower() if universe else group.denominator
        return f"{group.label.split(' (')[0]} share of {of}"
    return field_label(name).split(" (")[0]


def legend_formatter(kind: str, edges: np.ndarray) -> Callable[[float], str]:
    """How the legend writes the class bounds of a field of ``kind`` (``edges`` span).

    Examples
    --------
    >>> legend_formatter("share", np.array([0.1, 0.8]))(0.25)
    '25%'
    >>> legend_formatter("currency", np.array([0, 1]))(38500)
    '$38,500'
    """
    span = float(edges[-1] - edges[0]) if edges.size else 0.0
    if kind == "share":
        digits = 0 if span >= 0.2 else 1
        return lambda v: f"{v:.{digits}%}"
    if kind == "currency":
        return lambda v: f"${v:,.0f}"
    if kind in ("count", "density"):
        return (lambda v: f"{v:,.0f}") if span >= 50 else (lambda v: f"{v:,.1f}")
    if kind == "flag":
        return lambda v: "Yes" if v >= 0.5 else "No"
    return lambda v: f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
