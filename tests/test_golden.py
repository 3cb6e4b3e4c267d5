"""Golden files: real-looking workouts converted for Garmin, Wahoo and FIT, asserted exactly.

Each folder under tests/golden holds a workout, the athlete's thresholds, and what each
converter must produce: the payload and, when the provider needs the workout adapted, one
note per change (``*.notes.txt``), or why the provider cannot take it (``*.refused.txt``).
The files were checked by eye against providers.md; `pytest tests/test_golden.py
--update-golden` rewrites them after a deliberate change.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from providers.compatibility import UNSUPPORTED, fit_for
from tests.support.fit_decode import decode, step_summary
from workouts import Thresholds, prepare
from workouts.formats import fit

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
CREATED = datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)


def outputs(case: str) -> dict[str, object]:
    folder = GOLDEN / case
    workout = json.loads((folder / "workout.json").read_text())
    thresholds = Thresholds(**json.loads((folder / "thresholds.json").read_text()))
    normalized = prepare(workout, thresholds)
    result: dict[str, object] = {"normalized.json": normalized}
    for provider in ("GARMIN", "WAHOO"):
        name = provider.lower()
        made = fit_for(provider, normalized, thresholds)
        if made.level == UNSUPPORTED:
            result[f"{name}.refused.txt"] = "\n".join(made.notes) + "\n"
            continue
        result[f"{name}.json"] = made.payload
        if made.notes:
            result[f"{name}.notes.txt"] = "\n".join(made.notes) + "\n"
    messages = decode(fit.convert(normalized, created=CREATED))
    result["fit.json"] = {"workout": messages["workout_mesgs"][0],
                          "steps": [step_summary(m) for m in messages["workout_step_mesgs"]]}
    return result


def render(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=False) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_golden(case, request):
    folder = GOLDEN / case
    produced = outputs(case)
    if request.config.getoption("--update-golden"):
        for stale in folder.glob("*"):
            if stale.name not in ("workout.json", "thresholds.json"):
                stale.unlink()
        for name, value in produced.items():
            (folder / name).write_text(render(value))
    expected = {p.name for p in folder.iterdir()} - {"workout.json", "thresholds.json"}
    assert expected == set(produced), f"{case}: outputs changed kind (run with --update-golden after checking)"
    for name, value in produced.items():
        assert render(value) == (folder / name).read_text(), f"{case}/{name} differs from the golden file"
