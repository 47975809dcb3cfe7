"""Write the sample's SYNTHETIC screening-layer excerpts (run by generate_sample.py).

  cejst_communities_SYNTHETIC.csv        a CEJST-format excerpt (its published column names)
                                         for the sample's tracts, keyed by 2010 tract ids
  tab20_tract20_tract10_SYNTHETIC.txt    a Census-format 2020-2010 tract relationship excerpt
                                         (pipe-delimited), so that the sample shows the
                                         crosswalk between the vintages

They are made up from the sample's own (synthetic) tract table: a tract is "disadvantaged"
when its share below 200% of poverty is at or above the sample's 65th percentile, and its
burden percentiles are drawn deterministically. They describe no real place, and are not
CEJST's or the Census Bureau's data.

Usage: python sample_projects/generate_screening.py [--out sample_projects/magnolia]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261126


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "magnolia"))
    out = Path(ap.parse_args(argv).out)
    table = pd.read_csv(out / "acs_2019_2023.csv", dtype={"GEO_ID": str})
    geoid = table["GEO_ID"].str.replace("1400000US", "", regex=False).to_numpy()
    population = table["B03002_001E"].to_numpy(dtype=float)
    low = table[[f"C17002_00{n}E" for n in range(2, 8)]].sum(axis=1).to_numpy(dtype=float)
    share = np.divide(
        low,
        table["C17002_001E"].to_numpy(dtype=float),
        where=population > 0,
        out=np.zeros(len(table)),
    )
    rng = np.random.default_rng(SEED)
    rank = pd.Series(share).rank(pct=True).to_numpy()
    disadvantaged = rank >= 0.65

    def pctl(base: np.ndarray) -> np.ndarray:
        return np.clip(np.round(base * 100 + rng.normal(0, 8, len(base))), 1, 99).astype(int)

    # The 2010 tracts: each 2020 tract's own id, except that every tenth 2020 tract is split
    # from two 2010 tracts (its own id and the next one), to show the crosswalk by land area.
    cejst = pd.DataFrame(
        {
            "Census tract 2010 ID": geoid,
            "County Name": "Synthetic County",
            "State/Territory": "Synthetic (Magnolia City sample)",
            "Total population": population.astype(int),
            "Identified as disadvantaged": np.where(disadvantaged, "True", "False"),
            "Percent of individuals below 200% Federal Poverty Line": np.round(share, 2),
            "PM2.5 in the air (percentile)": pctl(0.55 + 0.3 * rank),
            "Diesel particulate matter exposure (percentile)": pctl(0.5 + 0.35 * rank),
            "Traffic proximity and volume (percentile)": pctl(0.45 + 0.4 * rank),
        }
    )
    cejst.to_csv(out / "cejst_communities_SYNTHETIC.csv", index=False, lineterminator="\n")
    rows = []
    for n, tract in enumerate(geoid):
        parts = [(tract, 1_000_000)]
        if n % 10 == 5 and n + 1 < len(geoid):
            parts = [(tract, 700_000), (geoid[n + 1], 300_000)]
        for old, land in parts:
            rows.append(
                f"{n + 1}|{tract}|Census Tract {tract[-6:]}|1000000|0|G5020|S|"
                f"{n + 1}|{old}|Census Tract {old[-6:]}|1000000|0|G5020|S|{land}|0"
            )
    header = (
        "OID_TRACT_20|GEOID_TRACT_20|NAMELSAD_TRACT_20|AREALAND_TRACT_20|AREAWATER_TRACT_20|"
        "MTFCC_TRACT_20|FUNCSTAT_TRACT_20|OID_TRACT_10|GEOID_TRACT_10|NAMELSAD_TRACT_10|"
        "AREALAND_TRACT_10|AREAWATER_TRACT_10|MTFCC_TRACT_10|FUNCSTAT_TRACT_10|AREALAND_PART|"
        "AREAWATER_PART"
    )
    (out / "tab20_tract20_tract10_SYNTHETIC.txt").write_text(
        "\n".join([header, *rows]) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
