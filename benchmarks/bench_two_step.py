"""Benchmark of 2SFCA: dense matrix, sparse pairs within the catchment, and PySAL ``access``.

Part 1, interleaved rounds (default 3) on the same synthetic points and straight-line times
(binary 2SFCA, 30-minute catchment), each engine in turn within a round so that the machine's
load falls on all of them alike: CPU time (process, user + sys) and wall time, min / median /
max over the rounds, and the largest difference from the dense result.

* ``dense``: :func:`equityplanner.analysis.access.two_step_fca` on the full (n, m) matrix;
* ``sparse``: :func:`~equityplanner.analysis.access.catchment_costs` (times chunk by chunk of
  origins, only the pairs within the catchment kept) + ``two_step_fca_sparse``;
* ``pysal``: ``access.Access(...).two_stage_fca`` on the long table of the pairs within the
  catchment (its input format; building that table is counted).

Part 2: 240,000 origins x 1,000 clinics, E2SFCA (Luo & Qi bands) before and after a new line,
with the sparse path of the sketch model: wall and CPU time, peak memory of the process
(``resource.getrusage``; target < 1 GB), pairs kept.

Usage: python benchmarks/bench_two_step.py [--rounds 3] [--sizes 1000x1000,8000x1000,8000x8000]
       [--skip-large]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from equityplanner.analysis import access as acc
from equityplanner.analysis.travel_time import StraightLineModel, TransitLine
from equityplanner.model.project import Mode

CATCHMENT = 30.0


def _points(count: int, rng: np.random.Generator, span_m: float) -> np.ndarray:
    return rng.uniform(0, span_m, (count, 2))


def _timed(fn: Callable[[], np.ndarray]) -> tuple[float, float, np.ndarray]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _dense(model, o, d, demand, supply) -> np.ndarray:
    times = model.times_minutes(o, d)
    return acc.two_step_fca(demand, supply, times, CATCHMENT).access


def _sparse(model, o, d, demand, supply) -> np.ndarray:
    costs = acc.catchment_costs(
        lambda rows: model.times_minutes(o[rows], d), (len(o), len(d)), threshold=CATCHMENT
    )
    return acc.two_step_fca_sparse(demand, supply, costs).access


def _pysal(model, o, d, demand, supply) -> np.ndarray:
    from access import Access

    # the long table of the pairs within the catchment, chunk by chunk of origins
    step = max(1, 4_000_000 // max(len(d), 1))
    parts = []
    for first in range(0, len(o), step):
        block = model.times_minutes(o[first : first + step], d)
        r, c = np.nonzero(block <= CATCHMENT)
        parts.append((r + first, c, block[r, c]))
    rows = np.concatenate([p[0] for p in parts])
    columns = np.concatenate([p[1] for p in parts])
    times = np.concatenate([p[2] for p in parts])
    cost_df = pd.DataFrame({"origin": rows, "dest": columns, "cost": times})
    demand_df = pd.DataFrame({"origin": np.arange(len(o)), "pop": demand})
    supply_df = pd.DataFrame({"dest": np.arange(len(d)), "doctors": supply})
    model_access = Access(
        demand_df=demand_df,
        demand_index="origin",
        demand_value="pop",
        supply_df=supply_df,
        supply_index="dest",
        supply_value="doctors",
        cost_df=cost_df,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    result = model_access.two_stage_fca(name="2sfca", max_cost=CATCHMENT)
    column = result.columns[0]
    values = result.set_index("origin")[column] if "origin" in result else result[column]
    return values.reindex(range(len(o))).fillna(0).to_numpy(float)


def part1(rounds: int, sizes: list[tuple[int, int]]) -> None:
    rng = np.random.default_rng(1)
    model = StraightLineModel()
    print("Part 1: binary 2SFCA, 30-minute catchment, straight-line walking times")
    for n, m in sizes:
        span = 20_000.0 * np.sqrt(max(n, m) / 1000)
        o, d = _points(n, rng, span), _points(m, rng, span)
        demand = rng.integers(1, 2000, n).astype(float)
        supply = rng.integers(1, 20, m).astype(float)
        engines = {"dense": _dense, "sparse": _sparse, "pysal": _pysal}
        walls: dict[str, list[float]] = {k: [] for k in engines}
        cpus: dict[str, list[float]] = {k: [] for k in engines}
        results: dict[str, np.ndarray] = {}
        for _ in range(rounds):
            for name, fn in engines.items():
                wall, cpu, out = _timed(
                    lambda fn=fn, o=o, d=d, demand=demand, supply=supply: fn(
                        model, o, d, demand, supply
                    )
                )
                walls[name].append(wall)
                cpus[name].append(cpu)
                results[name] = out
        print(f"  {n:,} origins x {m:,} facilities:")
        for name in engines:
            w, c = walls[name], cpus[name]
            diff = float(
                np.max(
                    np.abs(results[name] - results["dense"])
                    / np.maximum(np.abs(results["dense"]), 1e-300)
                )
            )
            print(
                f"    {name:6s} CPU {min(c):6.2f} / {statistics.median(c):6.2f} / {max(c):6.2f} s"
                f"  wall {min(w):6.2f} / {statistics.median(w):6.2f} / {max(w):6.2f} s"
                f"  (min/median/max of {rounds})  max rel. diff from dense {diff:.1e}"
            )
        med = {k: statistics.median(v) for k, v in cpus.items()}
        print(
            f"    CPU ratios: dense/sparse {med['dense'] / med['sparse']:.2f}, "
            f"pysal/sparse {med['pysal'] / med['sparse']:.2f}"
        )


def part2() -> None:
    rng = np.random.default_rng(2)
    n, m = 240_000, 1_000
    span = 60_000.0
    o = _points(n, rng, span)
    d = _points(m, rng, span)
    demand = rng.integers(1, 100, n).astype(float)
    supply = rng.integers(1, 20, m).astype(float)
    line = TransitLine(
        "brt",
        "BRT",
        Mode.BRT,
        np.column_stack([np.linspace(5000, 55000, 30), np.full(30, span / 2)]),
        10.0,
    )
    before, after = StraightLineModel(), StraightLineModel([line])
    wall, cpu = time.perf_counter(), time.process_time()
    pairs = 0
    means = []
    for model in (before, after):
        costs = acc.catchment_costs(
            lambda rows, model=model: model.times_minutes(o[rows], d),
            (n, m),
            threshold=CATCHMENT,
            weights=acc.LUO_QI_WEIGHTS,
        )
        pairs = max(pairs, len(costs.rows))
        result = acc.two_step_fca_sparse(demand, supply, costs)
        means.append(float(demand @ result.access / demand.sum()))
        del costs
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"Part 2: {n:,} origins x {m:,} clinics, E2SFCA before and after: wall {wall:.1f} s, "
        f"CPU {cpu:.1f} s, peak memory {peak_mb:,.0f} MB (dense would hold "
        f"{n * m * 8 / 1e9:.1f} GB per matrix); at most {pairs:,} pairs within the catchment; "
        f"mean access {means[0]:.5f} -> {means[1]:.5f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sizes", default="1000x1000,8000x1000,8000x8000")
    ap.add_argument("--skip-large", action="store_true", help="skip part 2")
    args = ap.parse_args()
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    if not args.skip_large:
        part2()  # first, so that its peak memory is its own
    part1(args.rounds, sizes)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
