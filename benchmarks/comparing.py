"""What the benchmarks share: CPU time of rivals taking turns, and peak memory of fresh processes.

The machine is shared and noisy, so a figure is never one timing: every contender (ours, the
floor, a peer library) runs once untimed, then they take turns for ``rounds`` rounds, and each
is reported as min / median / max CPU seconds of this process (``time.process_time``, which
counts every thread, so a map drawn on a thread is paid for), with the ratio of each of the
three to the reference's. Peak memory is the largest resident set (``ru_maxrss``) of a fresh
Python process doing one thing, so that nothing measured before inflates it.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Timing", "closing_note", "cpu_seconds", "interleaved", "peak_memory", "show"]


def cpu_seconds(run: Callable[[], object]) -> float:
    """CPU seconds of one call (the garbage of earlier calls collected first)."""
    gc.collect()
    start = time.process_time()
    run()
    return time.process_time() - start


@dataclass(frozen=True)
class Timing:
    """CPU seconds of one contender over the rounds."""

    name: str
    seconds: tuple[float, ...]

    @property
    def stats(self) -> tuple[float, float, float]:
        """(min, median, max)."""
        values = self.seconds
        return min(values), statistics.median(values), max(values)

    def ratio(self, reference: Timing) -> tuple[float, float, float]:
        """min / median / max over the reference's min / median / max."""
        mine, theirs = self.stats, reference.stats
        return tuple(m / t if t > 0 else float("nan") for m, t in zip(mine, theirs, strict=True))  # type: ignore[return-value]


def interleaved(runs: dict[str, Callable[[], object]], rounds: int) -> dict[str, Timing]:
    """Each contender once untimed, then all taking turns for ``rounds`` (at least 3) rounds."""
    rounds = max(3, rounds)
    for run in runs.values():  # imports, caches of the run itself, GDAL's and the OS's
        run()
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            seconds[name].append(cpu_seconds(run))
    return {name: Timing(name, tuple(values)) for name, values in seconds.items()}


def show(times: dict[str, Timing], reference: str, *, unit: str = "ms") -> None:
    """A table: min / median / max CPU and each one's ratio to the reference's."""
    scale = 1000.0 if unit == "ms" else 1.0
    width = max(len(name) for name in times)
    base = times[reference]
    print(
        f"  {'':<{width}}  {'min':>9} {'median':>9} {'max':>9} {unit:<3}   "
        f"ratio to '{reference}' (min / median / max)"
    )
    for name, timing in times.items():
        low, mid, high = (v * scale for v in timing.stats)
        r = timing.ratio(base)
        print(
            f"  {name:<{width}}  {low:9.1f} {mid:9.1f} {high:9.1f}       "
            f"{r[0]:6.2f} / {r[1]:6.2f} / {r[2]:6.2f}"
        )


def closing_note(lines: list[tuple[str, Timing, Timing, float | None]]) -> None:
    """The ratios that matter, one per line: (what, ours, reference, target or None)."""
    print("\n== closing note: ratios in this run (min / median / max), not seconds")
    for what, ours, reference, target in lines:
        r = ours.ratio(reference)
        verdict = ""
        if target is not None:
            verdict = (
                f"  target < {target:g}: {'met' if r[1] < target else 'NOT met'} at the median"
            )
        print(f"  {what}: {r[0]:.2f} / {r[1]:.2f} / {r[2]:.2f}{verdict}")


def peak_memory(code: str, *, timeout: float = 1800) -> dict[str, float]:
    """Run ``code`` in a fresh Python process; its peak memory (MB) and CPU seconds.

    The code runs as the body of a script; the process then reports its own ``ru_maxrss``
    and CPU time (user + system), so that nothing of this process counts.
    """
    script = (
        "import json, resource, sys, time\n"
        + code
        + "\nusage = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print('@@' + json.dumps({'peak_mb': usage.ru_maxrss / 1024, "
        "'cpu_s': usage.ru_utime + usage.ru_stime}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(f"the measured process failed: {done.stderr[-2000:]}")
    line = next(s for s in done.stdout.splitlines() if s.startswith("@@"))
    found: dict[str, float] = json.loads(line[2:])
    return found
