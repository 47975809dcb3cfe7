"""The per-neighbourhood table of a proposal: who lives in the part of each neighbourhood inside.

One row per neighbourhood touching a catchment (the ``neighbourhoods`` of a result and of the
JSON output). The burden side of a proposal with both sides adds its own
``share_in_catchment.burdens`` column (:data:`~equityplanner.model.indicator_ids.BURDENS_SUFFIX`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from equityplanner.analysis.baseline import Baseline
from equityplanner.model.indicator_ids import is_burdens_id

__all__ = ["merge_sides", "neighbourhood_table"]


def neighbourhood_table(
    b: Baseline, index: np.ndarray, share: np.ndarray, suffix: str
) -> pd.DataFrame:
    """The rows ``index`` of the baseline with the share of each inside the catchment.

    ``suffix`` is the side's id suffix: the burden side of a proposal with both sides gets
    only its ``share_in_catchment.burdens`` column (the rest is in the benefit side's table).
    """
    t = b.table.iloc[index]
    out = pd.DataFrame({"id": t["id"].to_numpy(), "name": t["name"].to_numpy()})
    out["share_in_catchment" + suffix] = share
    if suffix:
        return out
    for field in ("total_population", "households"):
        if field in t:
            out[field] = t[field].to_numpy()
            out[f"{field}_in_catchment"] = share * t[field].fillna(0).to_numpy()
    for gid in b.groups:
        out[f"{gid}_count"] = t[f"{gid}_count"].to_numpy()
        out[f"{gid}_universe"] = t[f"{gid}_universe"].to_numpy()
        out[f"{gid}_in_catchment"] = share * t[f"{gid}_count"].to_numpy()
    for col in ("quintile", "vulnerability_score", "is_vulnerable", "is_recap", "in_comparison"):
        out[col] = t[col].to_numpy()
    return out.reset_index(drop=True)


def merge_sides(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The first side's table with the burden columns of the others joined on ``id``."""
    merged = tables[0]
    for extra in tables[1:]:
        merged = merged.merge(
            extra[["id", *[c for c in extra if is_burdens_id(c)]]], on="id", how="outer"
        )
    return merged
