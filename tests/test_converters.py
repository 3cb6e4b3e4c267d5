"""Provider converters: the limits each enforces and the details each must get exactly right."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from providers import fit, garmin, wahoo
from tests.support.fit_decode import decode, expanded_steps
from tests.support.workouts import SPEC_EXAMPLE, workout
from tests.test_engine_properties import assert_same_fit_step
from workouts import Thresholds, WorkoutInvalid, normalize, prepare

GOLDEN = Path(__file__).parent / "golden"


def step(intensity="ACTIVE", kind="TIME", value=60, target=None, **extra):
    data = {"intensity": intensity, "duration": {"type": kind} if kind == "OPEN" else {"type": kind, "value": value}}
    data["target"] = target
    data.update(extra)
    return data


@pytest.mark.parametrize("case", sorted(p.name for p in GOLDEN.iterdir() if p.is_dir()))
def test_fit_files_of_the_golden_workouts_decode_to_the_same_steps(case):
    source = json.loads((GOLDEN / case / "workout.json").read_text())
    normalized = prepare(source, Thresholds(**json.loads((GOLDEN / case / "thresholds.json").read_text())))
    decoded = expanded_steps(decode(fit.convert(normalized)))
    assert len(decoded) == normalized["totals"]["steps"]
    for expected, got in zip(normalized["steps"], decoded):
        assert_same_fit_step(expected, got, normalized["sport"])


def test_fit_stores_custom_heart_rate_and_power_with_the_profile_offsets():
    run = {"sport": "BIKE", "name": "offsets", "steps": [
        step(target={"type": "HEART_RATE", "min": 140, "max": 150}),
        step(target={"type": "POWER", "min": 200, "max": 220})]}
    messages = decode(fit.convert(normalize(run)))["workout_step_mesgs"]
    assert (messages[0]["custom_target_heart_rate_low"], messages[0]["custom_target_heart_rate_high"]) == (240, 250)
    assert (messages[1]["custom_target_power_low"], messages[1]["custom_target_power_high"]) == (1200, 1220)


def test_garmin_refuses_more_than_100_steps_counted_natively():
    many = {"sport": "RUN", "name": "many", "steps": [step() for _ in range(101)][:100]
            + [{"repeat": 2, "steps": [step()]}]}
    with pytest.raises(WorkoutInvalid) as caught:
        garmin.convert(normalize(many))
    assert [str(p) for p in caught.value.problems] == [
        "steps: Garmin takes at most 100 steps (a repeat counts once, plus its steps); this workout needs 102"]
    # 99 x 2 steps expand to 198 but count 3 natively: fine.
    assert garmin.convert(normalize({"sport": "RUN", "name": "ok", "steps": [{"repeat": 99, "steps": [step(), step()]}]}))


def test_garmin_nested_blocks_expand_the_level_that_gives_fewer_steps():
    inner = {"repeat": 10, "steps": [step(), step("RECOVERY")]}
    outer_small = {"sport": "RUN", "name": "n", "steps": [{"repeat": 2, "steps": [step("WARMUP"), inner]}]}
    steps = garmin.convert(normalize(outer_small))["segments"][0]["steps"]
    # expanding the outer block: 2 x (1 + 1 + 2) = 8 steps; the inner: 1 + 1 + 20 = 22
    assert [s["type"] for s in steps] == ["WorkoutStep", "WorkoutRepeatStep"] * 2
    assert steps[1]["repeatValue"] == 10
    inner_small = {"sport": "RUN", "name": "n", "steps": [{"repeat": 10, "steps": [
        step("WARMUP"), {"repeat": 2, "steps": [step()]}]}]}
    steps = garmin.convert(normalize(inner_small))["segments"][0]["steps"]
    assert len(steps) == 1 and steps[0]["repeatValue"] == 10
    assert [s["type"] for s in steps[0]["steps"]] == ["WorkoutStep"] * 3


def test_garmin_pace_is_speed_and_cadence_never_rides_over_an_open_primary():
    run = {"sport": "RUN", "name": "pace", "steps": [step(target={"type": "PACE", "min": 240, "max": 300})]}
    first = garmin.convert(normalize(run))["segments"][0]["steps"][0]
    assert (first["targetType"], first["targetValueLow"], first["targetValueHigh"]) == ("PACE", 3.3333, 4.1667)
    ride = {"sport": "BIKE", "name": "spin", "steps": [step(cadence={"min": 100, "max": 110})]}
    first = garmin.convert(normalize(ride))["segments"][0]["steps"][0]
    assert (first["targetType"], first["targetValueLow"], first["secondaryTargetType"]) == ("CADENCE", 100, None)


def test_garmin_swim_steps_carry_no_primary_target_and_pace_zones_need_a_threshold():
    swim = {"sport": "SWIM", "name": "swim", "steps": [step(kind="DISTANCE", value=100,
                                                            target={"type": "HEART_RATE", "zone": 2})]}
    with pytest.raises(WorkoutInvalid, match=r"steps\[0\]: Garmin swim steps carry no primary target"):
        garmin.convert(normalize(swim))
    run = {"sport": "RUN", "name": "z", "steps": [step(target={"type": "PACE", "zone": 3})]}
    with pytest.raises(WorkoutInvalid, match="Garmin has no pace zones"):
        garmin.convert(normalize(run))
    assert garmin.convert(normalize(run, Thresholds(threshold_pace_sec_per_km=240)))


def test_garmin_schedule_body():
    assert garmin.schedule_body(123, datetime(2026, 11, 24).date()) == {"workoutId": 123, "date": "2026-11-24"}


def test_wahoo_repeats_count_the_repetitions_after_the_first():
    plan = wahoo.plan(prepare(SPEC_EXAMPLE, Thresholds(ftp_watts=250)), ftp=250)
    block = plan["intervals"][1]
    assert (block["exit_trigger_type"], block["exit_trigger_value"]) == ("repeat", 3)
    assert [t["type"] for t in block["intervals"][0]["targets"]] == ["watts", "rpm"]  # primary first
    assert plan["header"]["ftp"] == 250 and plan["intervals"][0]["targets"] == [{"type": "ftp", "low": 0.56, "high": 0.75}]


def test_wahoo_sends_relative_power_only_with_the_ftp_in_the_header():
    ride = {"sport": "BIKE", "name": "watts", "steps": [step(target={"type": "POWER", "min": 200, "max": 220})]}
    plan = wahoo.plan(normalize(ride))
    assert "ftp" not in plan["header"] and plan["intervals"][0]["targets"] == [{"type": "watts", "low": 200, "high": 220}]
    zoned = workout(sport="BIKE")
    with pytest.raises(WorkoutInvalid, match="Wahoo needs the athlete's FTP to send POWER zone 2"):
        wahoo.plan(normalize(zoned))


def test_wahoo_forms():
    normalized = prepare(SPEC_EXAMPLE, Thresholds(ftp_watts=250))
    plan = wahoo.plan(normalized, ftp=250)
    external = wahoo.external_id(42, 3)
    form = wahoo.plan_form(plan, external, datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc))
    prefix = "data:application/json;base64,"
    assert form["plan[file]"].startswith(prefix)
    assert json.loads(base64.b64decode(form["plan[file]"][len(prefix):])) == plan
    assert form["plan[external_id]"] == "hybridpeaks-42-r3" != wahoo.external_id(42, 4)
    assert form["plan[provider_updated_at]"] == "2026-11-24T08:30:00+00:00"
    starts = datetime(2026, 11, 24, 7, tzinfo=timezone.utc)
    body = wahoo.workout_form(9, "4x8", starts, wahoo.planned_minutes(normalized), "BIKE", external)
    assert body == {"workout[plan_id]": "9", "workout[name]": "4x8", "workout[starts]": "2026-11-24T07:00:00+00:00",
                    "workout[minutes]": "54", "workout[workout_type_id]": "0", "workout[workout_token]": external}


def test_wahoo_refuses_other_sports_and_open_steps():
    with pytest.raises(WorkoutInvalid, match="sport: Wahoo takes BIKE and RUN workouts only"):
        wahoo.plan(normalize({"sport": "ROW", "name": "row", "steps": [step()]}))
    with pytest.raises(WorkoutInvalid, match=r"steps\[0\]: Wahoo plans cannot end a step on a lap press"):
        wahoo.plan(normalize({"sport": "RUN", "name": "lap", "steps": [step(kind="OPEN")]}))
