"""The per-neighbourhood table of a proposal: who lives in the part of each neighbourhood inside.

One row per neighbourhood touching a catchment (the ``neighbourhoods`` of a result and of the
JSON output). The burden side of a proposal with both sides adds its own
``share_in_catchment.burdens`` column (:data:`~equityplanner.model.indicator_ids.BURDENS_SUFFIX`).
"""

from __future__ import annotations

from typing import Any

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
    # Built as a dict of arrays read from the baseline's remembered columns and framed once:
    # the same table as setting columns one by one on a slice of the baseline, at a fraction
    # of pandas' cost per column.
    columns: dict[str, Any] = {
        "id": b.table["id"].array.take(index),  # pandas' own strings: nothing to infer
        "name": b.table["name"].array.take(index),
        "share_in_catchment" + suffix: np.asarray(share),
    }
    if not suffix:
        for field in ("total_population", "households"):
            if field in b.table:
                columns[field] = b.column(field)[index]
                columns[f"{field}_in_catchment"] = share * b.filled(field)[index]
        for gid in b.groups:
            count = b.column(f"{gid}_count")[index]
            columns[f"{gid}_count"] = count
            columns[f"{gid}_universe"] = b.column(f"{gid}_universe")[index]
            columns[f"{gid}_in_catchment"] = share * count
        for col in (
            "quintile",
            "vulnerability_score",
            "is_vulnerable",
            "is_recap",
            "in_comparison",
        ):
            columns[col] = b.values(col)[index]
    return pd.DataFrame(columns)


def merge_sides(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The first side's table with the burden columns of the others joined on ``id``."""
    merged = tables[0]
    for extra in tables[1:]:
        merged = merged.merge(
            extra[["id", *[c for c in extra if is_burdens_id(c)]]], on="id", how="outer"
        )
    return merged
