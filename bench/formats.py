"""What the workout readers cost on the largest and the most hostile input they accept.

Goals, the bounds the tests once asserted (timing belongs here, not in tests): a file near the
1 MB cap reads in under 5 s; hostile XML (an entity bomb, an external entity) is refused in under
0.5 s, hostile text (100,000 lines, repeats nested on 1,000 lines) in under 2 s.
Run: python -m bench.formats   (BENCH_RUNS runs per input, 5; BENCH_SMOKE=1: 1)
"""

from __future__ import annotations

from pathlib import Path

from bench.common import median, sample, size, table
from workouts.formats import MAX_BYTES, ReadError, read

FILES = Path(__file__).resolve().parents[1] / "tests" / "formats"
GOAL_MS = {"erg": 5000.0, "zwo": 500.0, "text": 2000.0}


def erg_near_the_cap() -> bytes:
    lines = ["[COURSE HEADER]", "MINUTES WATTS", "[END COURSE HEADER]", "[COURSE DATA]"]
    clock = 0.0
    for i in range(30000):
        watts = 100 + (i % 200)
        lines += [f"{clock / 60:.2f}\t{watts}", f"{(clock + 5) / 60:.2f}\t{watts}"]
        clock += 5
    data = ("\r\n".join(lines + ["[END COURSE DATA]"]) + "\r\n").encode()
    assert len(data) < MAX_BYTES
    return data


def inputs() -> list[tuple[str, bytes, str, str]]:
    """(name, data, format, what should happen)."""
    nested = "".join(" " * i + ("3x\n" if i % 2 == 0 else "- 1m\n") for i in range(1000))
    return [
        ("erg, 30,000 segments (near 1 MB)", erg_near_the_cap(), "erg", "read"),
        ("zwo, billion laughs", (FILES / "billion_laughs.zwo").read_bytes(), "zwo", "refused"),
        ("zwo, external entity", (FILES / "external_entity.zwo").read_bytes(), "zwo", "refused"),
        ("text, 110,000 lines", ("- 10m 75%\n" * 110_000).encode(), "text", "refused"),
        ("text, repeats nested on 1,000 lines", nested.encode(), "text", "refused"),
    ]


def run_once(data: bytes, fmt: str, expected: str) -> None:
    try:
        read(data, fmt)
        outcome = "read"
    except ReadError:
        outcome = "refused"
    assert outcome == expected, (fmt, outcome)


def main() -> None:
    runs = size("BENCH_RUNS", 5, 1)
    rows = []
    for name, data, fmt, expected in inputs():
        ms = median(sample(lambda d=data, f=fmt, e=expected: run_once(d, f, e), runs, warmup=0 if runs == 1 else 1)) * 1000
        rows.append([name, f"{len(data):,}", expected, f"{ms:.1f}", f"{GOAL_MS[fmt]:.0f}", f"{ms / GOAL_MS[fmt]:.2f}"])
    print(f"Readers, median ms of {runs} run(s) each")
    print(table(["input", "bytes", "outcome", "ms", "goal ms", "ms / goal"], rows))


if __name__ == "__main__":
    main()
