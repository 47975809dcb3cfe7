"""The screening layers on the neighbourhoods: each neighbourhood's disadvantaged share and
burden percentiles, joined on GEOID, aggregated or crosswalked where geographies differ.

- Same geography and vintage: joined on GEOID (a block-group neighbourhood takes its
  tract's flag).
- EJScreen block groups on tract neighbourhoods: the block groups' percentiles averaged
  within each tract, weighted by their population (``ACSTOTPOP``), stated.
- Another tract vintage (CEJST's 2010 tracts on ACS 2020 tracts): crosswalked with the Census
  relationship file, each part weighted by its land area (``AREALAND_PART``): a
  neighbourhood's disadvantaged share is the share of its land in disadvantaged tracts, and
  its people are counted in that proportion (stated: land is not people).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.i18n import _
from equityplanner.io.screening import (
    ScreeningTable,
    TractRelationship,
    read_screening_layer,
    read_tract_relationship,
)
from equityplanner.model.project import ProjectDocument

__all__ = ["LayerOnNeighbourhoods", "Screening", "join_layer", "load_screening"]


@dataclass(frozen=True)
class LayerOnNeighbourhoods:
    """A screening layer per neighbourhood (arrays aligned with the baseline table's rows).

    ``disadvantaged`` is the share (0..1) of each neighbourhood counted as disadvantaged
    (NaN: no data); ``percentiles`` national percentiles by published column; ``method``
    how the layer met the neighbourhoods, in words.
    """

    table: ScreeningTable
    disadvantaged: np.ndarray | None
    percentiles: dict[str, np.ndarray]
    method: str
    matched: int

    @property
    def kind(self) -> str:
        return self.table.kind


@dataclass
class Screening:
    """Every screening layer of an assessment, and the sources read."""

    layers: dict[str, LayerOnNeighbourhoods] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    sources: list[tuple[str, str, str]] = field(default_factory=list)  # role, path, sha256

    @property
    def is_empty(self) -> bool:
        return not self.layers


def load_screening(document: ProjectDocument, ids: np.ndarray) -> Screening:
    """Read the document's screening layers and join them to the neighbourhoods ``ids``."""
    out = Screening()
    source = document.screening
    if source is None:
        return out
    relationship = None
    if source.relationship:
        relationship = read_tract_relationship(document.resolve(source.relationship))
        out.sources.append(("screening_relationship", str(relationship.path), relationship.sha256))
    for kind, layer in source.layers.items():
        table = read_screening_layer(layer, document.resolve(layer.path))
        out.sources.append((f"screening_{kind}", str(table.path), table.sha256))
        out.warnings += table.warnings
        joined = join_layer(table, ids, source.neighbourhood_vintage, relationship)
        if joined.matched == 0:
            out.warnings.append(
                _(
                    "{file}: no neighbourhood id matches a row of the {layer} file (column "
                    "{column}); the layer is not used. Check that the file covers the study area "
                    "and the vintage of its ids (screening.neighbourhood_vintage, "
                    "screening.relationship)."
                ).format(
                    file=table.path.name,
                    layer=table.short,
                    column=repr(table.columns.get("id", "id")),
                )
            )
            continue
        out.layers[kind] = joined
        if joined.matched < len(ids):
            missing = len(ids) - joined.matched
            out.warnings.append(
                _(
                    "{file}: {missing} of {total} neighbourhoods have no row in the {layer} file "
                    "({method}); they are left out of its shares. Check that the file covers the "
                    "study area and that its vintage is right."
                ).format(
                    file=table.path.name,
                    missing=missing,
                    total=len(ids),
                    layer=table.short,
                    method=joined.method,
                )
            )
    return out


def _tract_of(ids: np.ndarray) -> np.ndarray:
    return np.array([str(i)[:11] for i in ids], dtype=object)


def _by_key(keys: np.ndarray, values: np.ndarray, weights: np.ndarray | None) -> dict[str, float]:
    """Weighted mean of ``values`` by key (finite values only)."""
    frame = pd.DataFrame({"k": keys, "v": values, "w": 1.0 if weights is None else weights})
    frame = frame[np.isfinite(frame["v"].to_numpy(dtype=float))]
    frame["w"] = frame["w"].fillna(0.0).clip(lower=0.0)
    frame.loc[frame.groupby("k")["w"].transform("sum") <= 0, "w"] = 1.0
    frame["vw"] = frame["v"] * frame["w"]
    sums = frame.groupby("k")[["vw", "w"]].sum()
    return dict(zip(sums.index, sums["vw"] / sums["w"], strict=True))


def join_layer(
    table: ScreeningTable,
    ids: np.ndarray,
    neighbourhood_vintage: int,
    relationship: TractRelationship | None,
) -> LayerOnNeighbourhoods:
    """The layer's values per neighbourhood id (see the module's rules).

    Raises
    ------
    InputError
        When the vintages differ and no relationship file is given, or when block-group
        neighbourhoods would need a crosswalk (the relationship file is of tracts).
    """
    ids = np.asarray([str(i) for i in ids], dtype=object)
    nb_digits = 12 if ids.size and all(len(i) == 12 for i in ids) else 11
    keys = table.ids
    weights = table.population
    method = (
        _("joined on GEOID ({vintage} block groups)")
        if table.geography == "block_group"
        else _("joined on GEOID ({vintage} tracts)")
        if table.geography == "tract"
        else "joined on GEOID ({vintage} " + table.geography.replace("_", " ") + "s)"
    ).format(vintage=table.vintage)
    if table.geography == "block_group" and nb_digits == 11:
        keys = _tract_of(keys)
        method = _("{vintage} block groups averaged within tracts, weighted by population").format(
            vintage=table.vintage
        )
    layer_values = {
        name: _by_key(keys, values, weights) for name, values in table.percentiles.items()
    }
    flag = _by_key(keys, table.disadvantaged, None) if table.disadvantaged is not None else None
    if table.geography == "tract" and nb_digits == 12:
        lookup_ids = _tract_of(ids)
        method = _(
            "joined on the tract GEOID ({vintage} tracts; block groups take their tract's)"
        ).format(vintage=table.vintage)
    else:
        lookup_ids = ids
    if table.vintage != neighbourhood_vintage:
        if relationship is None:
            raise InputError(
                f"its ids are {table.vintage} census tracts and the neighbourhoods' "
                f"{neighbourhood_vintage}",
                path=table.path,
                location=f"column {table.columns.get('id', 'id')!r}",
                remedy="Give screening.relationship (the Census tab20_tract20_tract10_natl.txt) "
                "to crosswalk them",
            )
        if nb_digits == 12:
            raise InputError(
                f"its ids are {table.vintage} geographies and the block-group neighbourhoods "
                f"{neighbourhood_vintage}: the tract relationship file cannot crosswalk "
                "block groups",
                path=table.path,
                remedy="Use tract neighbourhoods, or a release of the layer on the "
                "neighbourhoods' vintage",
            )
        return _crosswalk(table, ids, neighbourhood_vintage, relationship, layer_values, flag)
    percentiles = {
        name: np.array([values.get(i, np.nan) for i in lookup_ids], dtype=float)
        for name, values in layer_values.items()
    }
    disadvantaged = (
        np.array([flag.get(i, np.nan) for i in lookup_ids], dtype=float)
        if flag is not None
        else None
    )
    matched = _matched(disadvantaged, percentiles, len(ids))
    return LayerOnNeighbourhoods(table, disadvantaged, percentiles, method, matched)


def _matched(disadvantaged: np.ndarray | None, percentiles: dict[str, np.ndarray], n: int) -> int:
    known = np.zeros(n, dtype=bool)
    if disadvantaged is not None:
        known |= np.isfinite(disadvantaged)
    for values in percentiles.values():
        known |= np.isfinite(values)
    return int(known.sum())


def _crosswalk(
    table: ScreeningTable,
    ids: np.ndarray,
    neighbourhood_vintage: int,
    relationship: TractRelationship,
    layer_values: dict[str, dict[str, float]],
    flag: dict[str, float] | None,
) -> LayerOnNeighbourhoods:
    """Each neighbourhood tract from the layer's tracts of the other vintage, by land area."""
    mine, theirs = (
        (relationship.tract_2020, relationship.tract_2010)
        if neighbourhood_vintage == 2020
        else (relationship.tract_2010, relationship.tract_2020)
    )
    parts = pd.DataFrame({"mine": mine, "theirs": theirs, "land": relationship.land})
    parts = parts[parts["mine"].isin(set(ids))]

    def crosswalked(values: dict[str, float]) -> np.ndarray:
        v = parts["theirs"].map(values).to_numpy(dtype=float)
        w = np.where(np.isfinite(v), parts["land"].to_numpy(dtype=float), 0.0)
        frame = pd.DataFrame({"mine": parts["mine"], "vw": np.nan_to_num(v) * w, "w": w})
        sums = frame.groupby("mine")[["vw", "w"]].sum()
        share = (sums["vw"] / sums["w"].where(sums["w"] > 0)).to_dict()
        return np.array([share.get(i, np.nan) for i in ids], dtype=float)

    percentiles = {name: crosswalked(values) for name, values in layer_values.items()}
    disadvantaged = crosswalked(flag) if flag is not None else None
    method = _(
        "{vintage} tracts crosswalked to {neighbourhood_vintage} tracts with the Census "
        "relationship file ({file}), weighted by land area"
    ).format(
        vintage=table.vintage,
        neighbourhood_vintage=neighbourhood_vintage,
        file=Path(relationship.path).name,
    )
    matched = _matched(disadvantaged, percentiles, len(ids))
    return LayerOnNeighbourhoods(table, disadvantaged, percentiles, method, matched)


def majority_share() -> float:
    """The share of a neighbourhood's land in disadvantaged tracts that flags its site."""
    return float(load_resource("screening.toml")["relationship"]["majority_share"])
