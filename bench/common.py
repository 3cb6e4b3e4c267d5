"""Small helpers shared by the benchmarks: timing loops, table printing, and the smoke size.

``BENCH_SMOKE=1`` runs every benchmark at a tiny size (seconds, not minutes): the numbers
mean nothing, but the bench still runs end to end and prints its table, so it cannot rot
(tests/test_benchmarks.py runs each one that way).
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Callable

SMOKE = os.environ.get("BENCH_SMOKE", "") not in ("", "0")


def size(name: str, full, smoke):
    """A bench's size: the environment variable ``name`` if set, else ``smoke`` under
    BENCH_SMOKE, else ``full`` (converted to the type of ``full``)."""
    value = os.environ.get(name)
    if value is not None and value != "":
        return type(full)(value)
    return smoke if SMOKE else full


def sample(fn: Callable[[], object], runs: int, warmup: int = 3) -> list[float]:
    """Seconds per call, for ``runs`` calls after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def table(headers: list[str], rows: list[list[object]]) -> str:
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [" | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
