"""Every benchmark still runs: each one as `make bench` runs it (``python -m bench.<name>``, a
process of its own), at its smoke size (``BENCH_SMOKE=1``: seconds, not minutes), ends well
and prints its table.  Nothing here is timed: the numbers of a smoke run mean nothing, and
the benchmarks' own numbers are in docs/benchmarks.md.

They start their own PostgreSQL and Redis servers and ``rq worker`` processes: integration.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
# The first columns of each benchmark's table (its header line), in order.
TABLES = {
    "engine": ["steps", "validate", "normalize", "prepare", "garmin", "wahoo", "fit"],
    "plan_save": ["database", "stat", "auto-push off", "auto-push on", "added"],
    "export_job": ["provider", "job median", "job p95", "p95 / 50 ms goal", "of which HTTP", "job CPU",
                   "with RQ, per job", "empty job, per job", "with RQ / empty", "round trips PG / Redis / HTTP", "each, ms", "floor / empty"],
    "bulk_push": ["workers", "sessions", "calls", "ideal s", "actual s", "actual vs ideal"],
    "quota": ["provider", "key tier", "window", "limit (compressed)", "sessions", "calls", "429s", "FAILED"],
    "delivery": ["measure", "count", "value", "ideal"],
    "formats": ["input", "bytes", "outcome", "ms", "goal ms", "ms / goal"],
}
# The tests' own settings are not the benchmarks': the tests' clock (conftest.py) above all.
NOT_PASSED = ("CLOCK_OFFSET_SECONDS", "CLOCK_RATE", "CLOCK_ANCHOR", "APP_ENV", "DATABASE_URL", "REDIS_URL",
              "PUBLIC_URL", "SANDBOX_URL", "PYTEST_CURRENT_TEST")


def run_bench(name: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in NOT_PASSED and not key.startswith("BENCH_")}
    env["BENCH_SMOKE"] = "1"
    return subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)


def has_header(output: str, columns: list[str]) -> bool:
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if cells[:len(columns)] == columns:
            return True
    return False


@pytest.mark.parametrize("name", list(TABLES))
def test_the_benchmark_runs_and_prints_its_table(name):
    result = run_bench(name)
    assert result.returncode == 0, f"bench.{name} exited {result.returncode}:\n{result.stderr[-3000:]}"
    assert has_header(result.stdout, TABLES[name]), f"bench.{name} printed no table:\n{result.stdout[-3000:]}"


def test_every_benchmark_is_run_here():
    modules = {path.stem for path in (ROOT / "bench").glob("*.py")} - {"__init__", "common", "harness", "noop"}
    assert modules == set(TABLES)
