"""Provider converters: each rule of providers.md they follow, and each adaptation they make
(with its note), tested one by one.  Every payload here also passes the sandbox's document
rules (the sandbox's validators, which share no code with the converters)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from providers.compatibility import ADAPTED, EXACT, UNSUPPORTED, Unsupported
from providers.garmin import convert as garmin
from providers.wahoo import convert as wahoo
from sandbox import garmin as garmin_rules
from sandbox import wahoo as wahoo_rules
from tests.support.fit_decode import decode, expanded_steps
from tests.support.workouts import SPEC_EXAMPLE, workout
from tests.test_engine_properties import assert_same_fit_step
from workouts import Thresholds, normalize, prepare
from workouts.formats import fit

GOLDEN = Path(__file__).parent / "golden"


def step(intensity="ACTIVE", kind="TIME", value=60, target=None, **extra):
    data = {"intensity": intensity, "duration": {"type": kind} if kind == "OPEN" else {"type": kind, "value": value}}
    data["target"] = target
    data.update(extra)
    return data


def garmin_fit(raw: dict, thresholds: Thresholds | None = None):
    made = garmin.fit(normalize(raw, thresholds), thresholds)
    if made.level != UNSUPPORTED:
        assert garmin_rules.validate_workout(made.payload) == []  # no document rule broken, none even advised
    return made


def wahoo_fit(raw: dict, thresholds: Thresholds | None = None):
    made = wahoo.fit(normalize(raw, thresholds), thresholds)
    if made.level != UNSUPPORTED:
        wahoo_rules.validate_plan(made.payload)
    return made


def steps_of(made) -> list[dict]:
    return made.payload["segments"][0]["steps"]


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


# -- Garmin: 3.2.1 ------------------------------------------------------------------------------

def test_garmin_counts_steps_natively_and_compacts_identical_runs_to_fit_100():
    # 101 different distances cannot fit (distance steps never merge); 120 that repeat a pattern can.
    # (Issue 19: 101 different *timed* steps now fit by merging, see test_devices_round3.py.)
    varied = {"sport": "RUN", "name": "many", "steps": [step(kind="DISTANCE", value=60 + i) for i in range(101)]}
    refused = garmin_fit(varied)
    assert refused.level == UNSUPPORTED
    assert refused.notes == ("steps: Garmin takes at most 100 steps (a repeat counts once, plus its steps); "
                             "this workout needs 101, and merging neighbours cannot get there: 101 steps remain after "
                             "merging every pair of like neighbours (101 of them distance or lap-press steps, which "
                             "cannot merge), more than the 100 the device takes",)
    with pytest.raises(Unsupported, match="at most 100 steps"):
        refused.sendable()
    ladder = {"sport": "RUN", "name": "ladder", "steps": [step(value=60), step("RECOVERY", value=30)] * 60}
    made = garmin_fit(ladder)
    assert made.level == ADAPTED and made.notes == (
        "steps: 120 steps are sent as 3: runs of identical steps become Garmin repeat steps (Garmin takes at most 100)",)
    assert [(s["type"], s.get("repeatValue")) for s in steps_of(made)] == [("WorkoutRepeatStep", 60)]
    # 99 x 2 steps expand to 198 but count 3 natively: fine, and exact.
    assert garmin_fit({"sport": "RUN", "name": "ok", "steps": [{"repeat": 99, "steps": [step(), step()]}]}).level == EXACT


def test_garmin_nested_blocks_expand_the_level_that_gives_fewer_steps():
    inner = {"repeat": 10, "steps": [step(), step("RECOVERY")]}
    outer_small = {"sport": "RUN", "name": "n", "steps": [{"repeat": 2, "steps": [step("WARMUP"), inner]}]}
    steps = steps_of(garmin_fit(outer_small))
    # expanding the outer block: 2 x (1 + 1 + 2) = 8 steps; the inner: 1 + 1 + 20 = 22
    assert [s["type"] for s in steps] == ["WorkoutStep", "WorkoutRepeatStep"] * 2
    assert steps[1]["repeatValue"] == 10
    inner_small = {"sport": "RUN", "name": "n", "steps": [{"repeat": 10, "steps": [
        step("WARMUP"), {"repeat": 2, "steps": [step()]}]}]}
    steps = steps_of(garmin_fit(inner_small))
    assert len(steps) == 1 and steps[0]["repeatValue"] == 10
    assert [s["type"] for s in steps[0]["steps"]] == ["WorkoutStep"] * 3


def test_garmin_pace_is_speed_and_cadence_never_rides_over_an_open_primary():
    run = {"sport": "RUN", "name": "pace", "steps": [step(target={"type": "PACE", "min": 240, "max": 300})]}
    first = steps_of(garmin_fit(run))[0]
    assert (first["targetType"], first["targetValueLow"], first["targetValueHigh"]) == ("PACE", 3.3333, 4.1667)
    ride = {"sport": "BIKE", "name": "spin", "steps": [
        step(cadence={"min": 100, "max": 110}),
        step(target={"type": "POWER", "min": 200, "max": 220}, cadence={"min": 85, "max": 95})]}
    spin, power = steps_of(garmin_fit(ride))
    assert (spin["targetType"], spin["targetValueLow"], spin["secondaryTargetType"]) == ("CADENCE", 100, None)
    assert (power["secondaryTargetType"], power["secondaryTargetValueLow"], power["secondaryTargetValueHigh"]) == (
        "CADENCE", 85, 95)


def test_garmin_provider_and_source_id_are_the_same_at_most_20_characters():
    payload = garmin_fit(workout()).payload
    assert payload["workoutProvider"] == payload["workoutSourceId"] == "HybridPeaks"


def test_garmin_unresolved_zones_use_the_devices_zones_or_go_without_and_say_so():
    zones = {"sport": "RUN", "name": "z", "steps": [step(target={"type": "HEART_RATE", "zone": 2}),
                                                      step(target={"type": "PACE", "zone": 3})]}
    made = garmin_fit(zones)
    hr, pace = steps_of(made)
    assert (hr["targetType"], hr["targetValue"]) == ("HEART_RATE", 2)
    assert (pace["targetType"], pace["targetValue"], pace["description"]) == ("OPEN", None, "Pace zone 3")
    assert made.level == ADAPTED and made.notes == (
        "steps[0]: heart rate zone 2 plays the athlete's own zones from Garmin Connect (the athlete's maximum heart "
        "rate is missing)",
        "steps[1]: pace zone 3 is sent without a target (the step's text names it): Garmin has no pace zones and the "
        "athlete's threshold pace is missing")
    resolved = garmin_fit(zones, Thresholds(max_heart_rate=190, threshold_pace_sec_per_km=240))
    assert resolved.level == EXACT and steps_of(resolved)[1]["targetType"] == "PACE"


def test_generic_sports_go_to_garmin_with_a_note():
    made = garmin_fit({"sport": "ROW", "name": "row", "steps": [step()]})
    assert made.payload["sport"] == "GENERIC" and made.level == ADAPTED
    assert made.notes == ("sport: Row goes to Garmin as a generic workout, which only some Garmin devices play",)


# -- Garmin: swims (3.2.1, Appendix C) --------------------------------------------------------------

SWIM = {"sport": "SWIM", "name": "swim", "steps": [
    step("WARMUP", "DISTANCE", 200),
    {"repeat": 4, "steps": [step("ACTIVE", "DISTANCE", 100, target={"type": "PACE", "min": 95, "max": 105}),
                            step("REST", "TIME", 20)]},
    step("COOLDOWN", "DISTANCE", 100),
]}


def test_a_swim_with_pace_targets_reaches_garmin_as_pace_zone_secondaries():
    made = garmin_fit(SWIM)
    payload = made.payload
    warmup, block, extra_rest, cooldown = payload["segments"][0]["steps"]
    assert payload["sport"] == "LAP_SWIMMING" and payload["poolLengthUnit"] == "METER" and payload["poolLength"] is None
    active, rest = block["steps"]
    assert all(s["targetType"] is None for s in (warmup, active, rest, extra_rest, cooldown))
    # 95-105 s per 100 m: the slower pace is the lower speed, in m/s
    assert (active["secondaryTargetType"], active["secondaryTargetValueLow"], active["secondaryTargetValueHigh"]) == (
        "PACE_ZONE", 0.9524, 1.0526)
    assert (rest["durationType"], rest["durationValue"]) == ("FIXED_REST", 20)
    assert block["skipLastRestStep"] is True
    # Garmin skips the block's last rest: one more follows it, so the swimmer rests 4 times.
    assert (extra_rest["intensity"], extra_rest["durationType"], extra_rest["durationValue"]) == ("REST", "FIXED_REST", 20)
    assert made.notes == ("steps[1]: Garmin skips the last rest of a swim repeat; one more 20 s rest follows the block, "
                          "so the swimmer rests after the last repetition too",)


def test_a_swim_in_a_yard_pool_says_so():
    yards = dict(SWIM, poolLength=25, poolLengthUnit="YARD")
    payload = garmin_fit(yards).payload
    assert (payload["poolLength"], payload["poolLengthUnit"]) == (25, "YARD")


def test_swim_targets_garmin_cannot_carry_are_written_or_translated():
    swim = {"sport": "SWIM", "name": "s", "steps": [
        step("ACTIVE", "DISTANCE", 400, target={"type": "HEART_RATE", "min": 130, "max": 145}),
        step("ACTIVE", "DISTANCE", 400, target={"type": "PACE", "zone": 4}),
    ]}
    made = garmin_fit(swim)
    heart, zone = steps_of(made)
    assert heart["secondaryTargetType"] is None and heart["description"] == "Heart rate 130–145 bpm"
    assert (zone["secondaryTargetType"], zone["secondaryTargetValueLow"]) == ("SWIM_INSTRUCTION", 5)  # HARD
    assert made.notes == (
        "steps[0]: heart rate 130–145 bpm is not a target a Garmin swim step can carry: it is written in the step's text",
        "steps[1]: pace zone 4 is sent as Garmin's swim intensity “Hard”: the athlete's swim threshold pace is missing")
    with_pace = garmin_fit(swim, Thresholds(swim_threshold_pace_sec_per_100m=100))
    assert steps_of(with_pace)[1]["secondaryTargetType"] == "PACE_ZONE"


def test_timed_swim_steps_stay_within_one_to_59_minutes():
    swim = {"sport": "SWIM", "name": "s", "steps": [
        step("ACTIVE", "TIME", 90 * 60), step("ACTIVE", "TIME", 30, target={"type": "PACE", "min": 100, "max": 100}),
        step("ACTIVE", "TIME", 45), step("REST", "TIME", 15)]}
    made = garmin_fit(swim)
    first, second, short, fast, rest = steps_of(made)
    assert [(s["durationType"], s["durationValue"]) for s in (first, second)] == [("TIME", 2700), ("TIME", 2700)]
    assert (short["durationType"], short["durationValue"]) == ("DISTANCE", 25)  # 30 s at 1:40 /100 m
    assert (fast["durationType"], fast["durationValue"]) == ("OPEN", None)  # no pace known: a lap press
    assert (rest["durationType"], rest["durationValue"]) == ("FIXED_REST", 15)  # rests may be short
    assert made.notes == (
        "steps[0]: a 1 h 30 min timed swim step is over Garmin's 59 minutes: sent as 2 steps of about 45 min",
        "steps[1]: a 30 s timed swim step is under Garmin's 1 minute: sent as 25 m (about 30 s at the target pace)",
        "steps[2]: a 45 s timed swim step is under Garmin's 1 minute: sent as a lap-press step; press lap after about "
        "45 s")
    known = garmin_fit(swim, Thresholds(swim_threshold_pace_sec_per_100m=90))
    assert steps_of(known)[3]["durationType"] == "DISTANCE" and steps_of(known)[3]["durationValue"] == 50


@pytest.mark.parametrize("seconds", [3541, 7081, 60133, 60133.5, 86400, 3540 * 17])
def test_a_long_timed_swim_step_is_split_into_parts_of_1_to_59_minutes_that_add_up(seconds):
    made = garmin_fit({"sport": "SWIM", "name": "s", "steps": [step("ACTIVE", "TIME", seconds)]})
    parts = [s["durationValue"] for s in steps_of(made)]
    assert all(60 <= part <= 59 * 60 for part in parts), parts  # 60,133 s once ended in a part of 3,541
    assert sum(parts) == seconds and max(parts) - min(parts) < 1 + 1e-9, parts


def test_garmin_schedule_body():
    assert garmin.schedule_body(123, datetime(2026, 11, 24).date()) == {"workoutId": 123, "date": "2026-11-24"}


# -- Wahoo: plan.json 1.0.0 ----------------------------------------------------------------------------

def test_wahoo_header_holds_every_required_field_and_integer_thresholds():
    made = wahoo_fit(SPEC_EXAMPLE, Thresholds(ftp_watts=250.4))
    header = made.payload["header"]
    assert header == {"name": "4x8 min threshold", "version": "1.0.0", "workout_type_family": 0,
                      "workout_type_location": 1, "description": "Stay seated on the efforts.", "ftp": 250}
    assert isinstance(header["ftp"], int)
    indoor = wahoo_fit(dict(SPEC_EXAMPLE, location="INDOOR"), Thresholds(ftp_watts=250))
    assert indoor.payload["header"]["workout_type_location"] == 0 and indoor.extra["workout_type_id"] == 61
    run = wahoo_fit({"sport": "RUN", "name": "r", "location": "INDOOR", "steps": [step()]})
    assert run.payload["header"]["workout_type_family"] == 1 and run.extra["workout_type_id"] == 5


def test_wahoo_repeats_count_the_repetitions_after_the_first_and_targets_go_primary_first():
    made = wahoo_fit(SPEC_EXAMPLE, Thresholds(ftp_watts=250))
    block = made.payload["intervals"][1]
    assert (block["exit_trigger_type"], block["exit_trigger_value"]) == ("repeat", 3)
    assert [t["type"] for t in block["intervals"][0]["targets"]] == ["watts", "rpm"]
    assert made.payload["intervals"][0]["targets"] == [{"type": "ftp", "low": 0.56, "high": 0.75}]


def test_wahoo_shows_a_second_target_in_the_interval_name():
    made = wahoo_fit(SPEC_EXAMPLE, Thresholds(ftp_watts=250))
    assert made.payload["intervals"][1]["intervals"][0]["name"] == "Active · 85–95 rpm"
    assert made.level == ADAPTED and made.notes == (
        "steps[1].steps[0]: cadence 85–95 rpm is a second target, which Wahoo bike computers do not show: it is in "
        "the interval's name",)
    # Cadence alone is the first target: shown, nothing to adapt.
    alone = wahoo_fit({"sport": "BIKE", "name": "spin", "steps": [step(cadence={"min": 95, "max": 105})]})
    assert alone.level == EXACT and alone.payload["intervals"][0]["targets"] == [{"type": "rpm", "low": 95, "high": 105}]


def test_wahoo_relative_power_needs_the_ftp_and_unresolved_zones_go_without_a_target():
    ride = {"sport": "BIKE", "name": "watts", "steps": [step(target={"type": "POWER", "min": 200, "max": 220})]}
    plan = wahoo_fit(ride).payload
    assert "ftp" not in plan["header"] and plan["intervals"][0]["targets"] == [{"type": "watts", "low": 200, "high": 220}]
    zoned = wahoo_fit({"sport": "BIKE", "name": "z", "steps": [step(target={"type": "POWER", "zone": 2})]})
    assert zoned.payload["intervals"][0]["targets"] == [] and zoned.payload["intervals"][0]["name"] == "Active · Power zone 2"
    assert zoned.notes == ("steps[0]: power zone 2 is sent without a target (the interval's name says it): the "
                           "athlete's FTP is missing",)


def test_a_lap_press_step_goes_to_wahoo_as_a_timed_step_that_says_so():
    ride = {"sport": "BIKE", "name": "open", "steps": [
        step("WARMUP", "TIME", 900), step("ACTIVE", "TIME", 1200), step("COOLDOWN", "OPEN")]}
    made = wahoo_fit(ride)
    cooldown = made.payload["intervals"][2]
    assert (cooldown["exit_trigger_type"], cooldown["exit_trigger_value"]) == ("time", 600)
    assert cooldown["name"] == "Cooldown (press lap when done)"
    assert made.notes == ("steps[2]: a lap-press step is sent as 10 min (Wahoo steps end on time or distance); press "
                          "lap to end it sooner",)
    assert made.extra["minutes"] == 45  # 15 + 20 + the 10 the device plays
    # The workout's own steps of that intensity set the length where there are some.
    run = {"sport": "RUN", "name": "open", "steps": [step("WARMUP", "TIME", 480), step("ACTIVE", "TIME", 300),
                                                     step("WARMUP", "OPEN")]}
    assert wahoo_fit(run).payload["intervals"][2]["exit_trigger_value"] == 480


def test_wahoo_takes_bike_and_run_only():
    made = wahoo_fit({"sport": "SWIM", "name": "s", "steps": [step("ACTIVE", "DISTANCE", 100)]})
    assert made.level == UNSUPPORTED and made.notes == ("sport: Wahoo takes BIKE and RUN workouts only, not SWIM",)
    with pytest.raises(Unsupported, match="Validation failed: sport: Wahoo takes BIKE and RUN workouts only"):
        made.sendable()


def test_wahoo_forms():
    made = wahoo_fit(SPEC_EXAMPLE, Thresholds(ftp_watts=250))
    external = wahoo.external_id(42, 3)
    form = wahoo.plan_form(made.payload, external, datetime(2026, 11, 24, 8, 30, tzinfo=timezone.utc))
    prefix = "data:application/json;base64,"
    assert form["plan[file]"].startswith(prefix)
    assert json.loads(base64.b64decode(form["plan[file]"][len(prefix):])) == made.payload
    assert form["plan[external_id]"] == "hybridpeaks-42-r3" != wahoo.external_id(42, 4)
    assert form["plan[provider_updated_at]"] == "2026-11-24T08:30:00+00:00"
    starts = datetime(2026, 11, 24, 7, tzinfo=timezone.utc)
    body = wahoo.workout_form(9, "4x8", starts, made.extra["minutes"], made.extra["workout_type_id"], external)
    assert body == {"workout[plan_id]": "9", "workout[name]": "4x8", "workout[starts]": "2026-11-24T07:00:00+00:00",
                    "workout[minutes]": "54", "workout[workout_type_id]": "0", "workout[workout_token]": external}
