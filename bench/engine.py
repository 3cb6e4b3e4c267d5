"""The engine's cost: validate + normalize + validate + convert, per format and workout size.

Goal (issue 3): the whole pipeline for a 200-step workout under 5 ms on one core.
Run: python -m bench.engine   (BENCH_RUNS runs per stage, 300; BENCH_SMOKE=1: 3)
"""

from __future__ import annotations

from bench.common import median, sample, size, table
from providers.garmin import convert as garmin
from providers.wahoo import convert as wahoo
from workouts import Thresholds, check_workout, normalize, prepare
from workouts.formats import fit

THRESHOLDS = Thresholds(ftp_watts=250, max_heart_rate=185, threshold_pace_sec_per_km=250)
GOAL_MS = 5.0


def _step(intensity, seconds, target, cadence=None):
    step = {"intensity": intensity, "duration": {"type": "TIME", "value": seconds}, "target": target}
    if cadence:
        step["cadence"] = cadence
    return step


def workout(expanded: int) -> dict:
    """A bike workout of ``expanded`` steps: warm-up, N x (effort, recovery), cool-down."""
    pairs = (expanded - 2) // 2
    steps = [_step("WARMUP", 600, {"type": "POWER", "zone": 2})]
    block = [_step("ACTIVE", 60, {"type": "POWER", "min": 300, "max": 320}, {"min": 95, "max": 105}),
             _step("RECOVERY", 60, {"type": "POWER", "zone": 1})]
    steps.append({"repeat": pairs, "steps": block} if pairs >= 2 else block[0])
    steps.append(_step("COOLDOWN", 600, {"type": "HEART_RATE", "zone": 1}))
    result = {"sport": "BIKE", "name": f"{expanded} steps", "steps": steps}
    assert normalize(result)["totals"]["steps"] == expanded, expanded
    return result


def flat_workout(expanded: int) -> dict:
    """The same effort written out step by step, with no repeat block (the worst case)."""
    steps = [_step("ACTIVE" if i % 2 else "RECOVERY", 60, {"type": "POWER", "min": 200 + i % 50, "max": 260})
             for i in range(expanded)]
    return {"sport": "BIKE", "name": f"{expanded} flat steps", "steps": steps}


def main() -> None:
    runs = size("BENCH_RUNS", 300, 3)
    rows = []
    for label, w in (("10", workout(10)), ("100", workout(100)), ("200", workout(200)),
                     ("200 flat", flat_workout(200))):
        n = prepare(w, THRESHOLDS)
        stages = {
            "validate": lambda: check_workout(w),
            "normalize": lambda: normalize(w, THRESHOLDS),
            "prepare": lambda: prepare(w, THRESHOLDS),
            "wahoo": lambda: wahoo.plan(n, THRESHOLDS),
            "fit": lambda: fit.convert(n),
        }
        if n["totals"]["steps"] <= 100 or label != "200 flat":
            stages["garmin"] = lambda: garmin.convert(n)
        us = {name: median(sample(fn, runs, warmup=min(3, runs))) * 1e6 for name, fn in stages.items()}
        pipeline = {fmt: us["prepare"] + us[fmt] for fmt in ("garmin", "wahoo", "fit") if fmt in us}
        worst_ms = max(pipeline.values()) / 1000
        cell = lambda key, d=us: f"{d[key]:.0f}" if key in d else "refused (>100)"  # noqa: E731
        rows.append([label, cell("validate"), cell("normalize"), cell("prepare"), cell("garmin"), cell("wahoo"),
                     cell("fit"), cell("garmin", pipeline), cell("wahoo", pipeline), cell("fit", pipeline),
                     f"{worst_ms / GOAL_MS:.2f}"])
    print(f"Engine pipeline, median microseconds per call ({runs} runs each, one core)\n")
    print(table(["steps", "validate", "normalize", "prepare", "garmin", "wahoo", "fit",
                 "total garmin", "total wahoo", "total fit", "worst / 5 ms goal"], rows))
    print("\nprepare = validate + normalize + validate again; total = prepare + convert.")


if __name__ == "__main__":
    main()
