"""Readers of the federal screening files as users download them, and of the Census tract
relationship file that crosswalks 2010 and 2020 tracts.

- CEQ's CEJST communities list (tract CSV, "Census tract 2010 ID", "Identified as
  disadvantaged");
- EPA's EJScreen block-group CSV ("ID", "ACSTOTPOP", national percentiles "P_*");
- the USDOT ETC Explorer tract table;
- the Census ``tab20_tract20_tract10_natl.txt`` (pipe-delimited).

The published column names are data (``resources/screening.toml``); a project may name
others by role. Every fault is one line naming the file, the row or column, and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from equityplanner.catalog import load_resource
from equityplanner.errors import InputError
from equityplanner.io.files import regular_file
from equityplanner.io.hashing import sha256_file
from equityplanner.io.sources import read_table
from equityplanner.model.project import ScreeningLayer

__all__ = [
    "ScreeningTable",
    "TractRelationship",
    "layer_spec",
    "read_screening_layer",
    "read_tract_relationship",
]

_TRUE: Final = frozenset({"true", "1", "1.0", "yes", "y", "t"})
_FALSE: Final = frozenset({"false", "0", "0.0", "no", "n", "f"})
_PREFIX = re.compile(r"^\d{7}US")  # data.census.gov's GEO_ID prefix, e.g. 1400000US
_DIGITS = {"tract": 11, "block_group": 12}


def layer_spec(kind: str) -> dict[str, Any]:
    """The resource entry of a screening layer (``resources/screening.toml``)."""
    spec: dict[str, Any] = load_resource("screening.toml")["layers"][kind]
    return spec


@dataclass(frozen=True)
class ScreeningTable:
    """One screening file as read: an id per row and the values the indicators use.

    ``ids`` are GEOIDs of ``digits`` digits (tracts 11, block groups 12) of census
    ``vintage``; ``disadvantaged`` is 1.0 or 0.0 per row (None when the layer has no flag);
    ``percentiles`` are national percentiles (0-100) by published column, ``labels`` their
    words; ``columns`` the published column used for each role.
    """

    kind: str
    label: str
    short: str
    path: Path
    sha256: str
    vintage: int
    geography: str
    release: str
    reference: str
    ids: np.ndarray
    disadvantaged: np.ndarray | None
    population: np.ndarray | None
    percentiles: dict[str, np.ndarray]
    labels: dict[str, str]
    columns: dict[str, str]
    warnings: list[str] = field(default_factory=list)

    @property
    def digits(self) -> int:
        """Digits of its GEOIDs: 11 for tracts, 12 for block groups."""
        return _DIGITS[self.geography]


def normalise_geoid(value: str, digits: int) -> str | None:
    """A GEOID of ``digits`` digits from a published cell, or None when it is not one.

    The census.gov prefix (``1400000US``) is removed, and the leading zero a spreadsheet
    dropped (a 10-digit tract of Alabama) restored.

    >>> normalise_geoid("1400000US01073000100", 11), normalise_geoid("1073000100", 11)
    ('01073000100', '01073000100')
    >>> normalise_geoid("10730001.0", 11) is None
    True
    """
    text = _PREFIX.sub("", str(value).strip())
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not text.isdigit() or len(text) not in (digits - 1, digits):
        return None
    return text.zfill(digits)


def _column(frame: pd.DataFrame, name: str, role: str, path: Path, kind: str) -> pd.Series:
    if name not in frame.columns:
        raise InputError(
            f"has no column {name!r} (the {role})",
            path=path,
            location=f"header ({len(frame.columns)} columns)",
            remedy=f"Load the {layer_spec(kind)['short']} file as published, or name its "
            f"{role} column in screening.{kind}.columns.{role}",
        )
    return frame[name]


def _flags(values: pd.Series, name: str, path: Path) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for n, cell in enumerate(values.astype(str).str.strip().str.lower().to_numpy()):
        if cell in _TRUE:
            out[n] = 1.0
        elif cell in _FALSE:
            out[n] = 0.0
        elif cell not in ("", "nan", "none"):
            raise InputError(
                f"{cell!r} in column {name!r} is not true or false",
                path=path,
                location=f"row {n + 2}",
                remedy="Use the file as published (True/False or 1/0)",
            )
    return out


def _numbers(values: pd.Series, name: str, path: Path) -> np.ndarray:
    text = values.astype(str).str.strip().str.replace(",", "", regex=False)
    numbers = pd.to_numeric(
        text.where(~text.isin(["", "nan", "None", "NA", "N/A"])), errors="coerce"
    )
    bad = numbers.isna() & ~text.isin(["", "nan", "None", "NA", "N/A"])
    if bad.any():
        n = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"{text.iloc[n]!r} in column {name!r} is not a number",
            path=path,
            location=f"row {n + 2}",
            remedy="Use the file as published, or leave the cell empty",
        )
    out: np.ndarray = numbers.to_numpy(dtype=float)
    return out


def read_screening_layer(layer: ScreeningLayer, path: Path) -> ScreeningTable:
    """Read a CEJST, EJScreen or ETC file as downloaded.

    Raises
    ------
    InputError
        For an unreadable file, a missing column, an id that is not a GEOID of the layer's
        geography, a flag that is not true or false, or a value that is not a number; each
        names the file, the row or column and the fix.
    """
    spec = layer_spec(layer.kind)
    names = {**spec["columns"], **{k: str(v) for k, v in layer.columns.items()}}
    warnings: list[str] = []
    frame = read_table(regular_file(path, f"{spec['short']} file"), warnings=warnings)
    frame.columns = [str(c).lstrip("\ufeff") for c in frame.columns]
    if frame.empty:
        raise InputError(
            "has no rows", path=path, remedy=f"Download the {spec['short']} file again"
        )
    geography = str(spec["geography"])
    digits = _DIGITS[geography]
    raw_ids = _column(frame, names["id"], "id", path, layer.kind)
    ids = [normalise_geoid(v, digits) for v in raw_ids.to_numpy()]
    for n, value in enumerate(ids):
        if value is None:
            what = "tract GEOID" if geography == "tract" else "block-group GEOID"
            raise InputError(
                f"{str(raw_ids.iloc[n])!r} in column {names['id']!r} is not a {digits}-digit {what}",
                path=path,
                location=f"row {n + 2}",
                remedy=f"Use the {spec['short']} file as published (one {geography.replace('_', ' ')} a row)",
            )
    disadvantaged = None
    if "disadvantaged" in names:
        disadvantaged = _flags(
            _column(frame, names["disadvantaged"], "disadvantaged", path, layer.kind),
            names["disadvantaged"],
            path,
        )
    population = None
    if names.get("population") in frame.columns:
        population = _numbers(frame[names["population"]], names["population"], path)
    percentiles: dict[str, np.ndarray] = {}
    labels: dict[str, str] = {}
    wanted = dict(spec.get("percentiles", {}))
    if "percentile" in names:
        wanted = {names["percentile"]: "Final index percentile", **wanted}
    for column, label in wanted.items():
        if column not in frame.columns:
            continue
        values = _numbers(frame[column], column, path)
        finite = values[np.isfinite(values)]
        if finite.size and finite.max() <= 1.0:  # published as a fraction: shown as 0-100
            values = values * 100.0
        percentiles[column] = values
        labels[column] = str(label)
    if disadvantaged is None and "percentile" in names and names["percentile"] in percentiles:
        disadvantaged = np.where(
            np.isfinite(percentiles[names["percentile"]]),
            (percentiles[names["percentile"]] >= 65.0).astype(float),
            np.nan,
        )
    if disadvantaged is None and not percentiles:
        raise InputError(
            "has none of the columns the indicators use",
            path=path,
            location="header",
            remedy=f"Load the {spec['short']} file as published (resources/screening.toml lists "
            "its columns)",
        )
    if spec.get("percentiles") and not any(c in frame.columns for c in spec["percentiles"]):
        warnings.append(
            f"{path.name}: none of the burden percentiles ({', '.join(spec['percentiles'])}) "
            "is in the file; only its flag is used."
        )
    return ScreeningTable(
        kind=layer.kind,
        label=str(spec["label"]),
        short=str(spec["short"]),
        path=path,
        sha256=sha256_file(path),
        vintage=int(layer.vintage or spec["vintage"]),
        geography=geography,
        release=layer.release or str(spec["release"]),
        reference=str(spec["reference"]),
        ids=np.array(ids, dtype=object),
        disadvantaged=disadvantaged,
        population=population,
        percentiles=percentiles,
        labels=labels,
        columns={k: v for k, v in names.items() if v in frame.columns},
        warnings=warnings,
    )


@dataclass(frozen=True)
class TractRelationship:
    """The Census 2020-2010 tract relationship: one row per part of a 2020 tract in a 2010
    tract, with the land area of the part (``AREALAND_PART``, square metres)."""

    path: Path
    sha256: str
    tract_2020: np.ndarray
    tract_2010: np.ndarray
    land: np.ndarray


def read_tract_relationship(path: Path) -> TractRelationship:
    """Read ``tab20_tract20_tract10_natl.txt`` (or a state excerpt of it).

    Raises
    ------
    InputError
        For a missing column or an id or area that is not what the Census publishes.
    """
    spec = load_resource("screening.toml")["relationship"]
    columns = spec["columns"]
    path = regular_file(path, "tract relationship file")
    try:
        frame = pd.read_csv(
            path, sep=spec["delimiter"], dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            f"cannot be read as the Census tract relationship file ({exc})",
            path=path,
            remedy="Use tab20_tract20_tract10_natl.txt as downloaded (pipe-delimited)",
        ) from None
    for role in ("new", "old", "land"):
        if columns[role] not in frame.columns:
            raise InputError(
                f"has no column {columns[role]!r}",
                path=path,
                location="header",
                remedy="Use the Census 2020 tract relationship file "
                "tab20_tract20_tract10_natl.txt as downloaded (pipe-delimited)",
            )
    keep = (frame[columns["new"]].str.strip() != "") & (frame[columns["old"]].str.strip() != "")
    frame = frame[keep]
    new = [normalise_geoid(v, 11) for v in frame[columns["new"]].to_numpy()]
    old = [normalise_geoid(v, 11) for v in frame[columns["old"]].to_numpy()]
    for n, (a, b) in enumerate(zip(new, old, strict=True)):
        if a is None or b is None:
            raise InputError(
                "a tract id is not an 11-digit GEOID",
                path=path,
                location=f"row {int(np.flatnonzero(keep.to_numpy())[n]) + 2}",
                remedy="Use the Census relationship file as downloaded",
            )
    land = _numbers(frame[columns["land"]], columns["land"], path)
    return TractRelationship(
        path=path,
        sha256=sha256_file(path),
        tract_2020=np.array(new, dtype=object),
        tract_2010=np.array(old, dtype=object),
        land=np.nan_to_num(land, nan=0.0),
    )
