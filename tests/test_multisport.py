"""Multisport workouts (issue 21): the format's rules and normalized shape, the profile's legs;
Garmin's MULTI_SPORT as the Training API V2 documents it (and the unpublished facts the sandbox
plays both ways); Wahoo, FIT, trainer files saying what they do with a brick."""

from __future__ import annotations

import copy

import pytest

from providers.compatibility import ADAPTED, EXACT, UNSUPPORTED, report
from providers.garmin import convert as garmin
from sandbox import garmin as garmin_rules
from tests.support.fit_decode import decode
from tests.support.garmin_sandbox import GarminSandbox
from tests.support.garmin_steps import step_count_of
from workouts import Thresholds, check_workout, normalize, prepare
from workouts.formats import fit, trainer_files
from workouts.profile import draw

FTP = Thresholds(ftp_watts=250, threshold_pace_sec_per_km=270)


def timed(seconds, intensity="ACTIVE", target=None):
    return {"intensity": intensity, "duration": {"type": "TIME", "value": seconds}, "target": target}


BIKE = [timed(900, "WARMUP", {"type": "POWER", "zone": 2}),
        {"repeat": 3, "steps": [timed(600, target={"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}),
                                timed(180, "RECOVERY", {"type": "POWER", "zone": 1})]}]
RUN = [timed(1200, target={"type": "PACE", "min": 95, "max": 100, "unit": "PERCENT"})]
BRICK = {"sport": "MULTISPORT", "name": "Bike-run brick", "legs": [{"sport": "BIKE", "steps": BIKE},
                                                                   {"sport": "RUN", "steps": RUN}]}
SWIM = [{"intensity": "WARMUP", "duration": {"type": "DISTANCE", "value": 300}},
        {"repeat": 6, "steps": [{"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100}},
                                {"intensity": "REST", "duration": {"type": "TIME", "value": 15}}]}]
TRIATHLON = {"sport": "MULTISPORT", "name": "Sprint rehearsal", "poolLength": 25, "poolLengthUnit": "METER",
             "legs": [{"sport": "SWIM", "steps": SWIM}, {"sport": "BIKE", "steps": BIKE}, {"sport": "RUN", "steps": RUN}]}


def problems(workout: dict) -> list[str]:
    return [str(p) for p in check_workout(workout)]


def garmin_checked(workout: dict, thresholds: Thresholds = FTP):
    made = garmin.fit(prepare(workout, thresholds), thresholds)
    assert made.level != UNSUPPORTED, made.notes
    assert garmin_rules.validate_workout(made.payload) == []
    return made


# -- the format --------------------------------------------------------------------------------------

@pytest.mark.parametrize("change, rule", [
    (lambda w: w["legs"].pop(), "legs: a multisport workout has 2 to 25 legs (this one has 1)"),
    (lambda w: w.update(legs=w["legs"] * 13), "legs: a multisport workout has 2 to 25 legs (this one has 26)"),
    (lambda w: w["legs"][1].update(sport="MULTISPORT"),
     "legs[1].sport: a leg is one sport: MULTISPORT holds legs, it is not one"),
    (lambda w: w["legs"][1].update(sport="SKI"),
     "legs[1].sport: must be one of BIKE, RUN, SWIM, ROW, OTHER, STRENGTH, CARDIO"),
    (lambda w: w["legs"][1]["steps"][0].update(duration={"type": "REPS", "value": 10}),
     "legs[1].steps[0]: a REPS duration is only for STRENGTH or CARDIO"),
    (lambda w: w["legs"][1]["steps"][0].update(weight={"value": 10, "unit": "KG"}),
     "legs[1].steps[0]: a weight is only for STRENGTH or CARDIO"),
    (lambda w: w["legs"][1]["steps"][0].update(cadence={"min": 170, "max": 180}),
     "legs[1].steps[0]: cadence target is only allowed for BIKE"),  # each leg under its own sport's rules
    (lambda w: w["legs"][0]["steps"][1].update(repeat=100), "legs[0].steps[1]: repeat must be a whole number from 2 to 99"),
    (lambda w: w.update(legs=[{"sport": "RUN", "steps": [{"repeat": 99, "steps": [timed(60), timed(60)]}]}] * 2),
     "legs: at most 250 steps over all legs after expanding repeats (this one has 396)"),
    (lambda w: w.update(poolLength=25), "poolLength: a pool is only for a multisport workout with a SWIM leg"),
    (lambda w: w.update(steps=[]), "unknown field 'steps'"),
    (lambda w: w["legs"][0].update(name="Bike"), "legs[0]: unknown field 'name' in a leg"),
    (lambda w: w["legs"][0].update(steps=[]), "legs[0].steps: at least one step is required"),
])
def test_each_multisport_rule_names_the_leg_and_the_rule(change, rule):
    broken = copy.deepcopy(BRICK)
    change(broken)
    assert rule in problems(broken)


def test_a_leg_holds_its_own_sports_200_steps():
    many = {"repeat": 99, "steps": [timed(30), timed(30), timed(30)]}
    workout = {"sport": "MULTISPORT", "name": "m", "legs": [{"sport": "RUN", "steps": [many]}, {"sport": "BIKE",
                                                                                              "steps": BIKE}]}
    assert "legs[0].steps: at most 200 steps after expanding repeats (this one has 297)" in problems(workout)


def test_the_normalized_shape_is_legs_with_their_totals_and_the_workouts():
    normalized = prepare(BRICK, FTP)
    assert set(normalized) == {"normalized", "sport", "name", "description", "legs", "totals"}
    bike, run = normalized["legs"]
    assert (bike["sport"], run["sport"]) == ("BIKE", "RUN")
    assert [s["path"] for s in bike["steps"]][:3] == ["legs[0].steps[0]", "legs[0].steps[1].steps[0]",
                                                      "legs[0].steps[1].steps[1]"]
    assert bike["steps"][1]["blocks"] == [{"path": "legs[0].steps[1]", "repeat": 3, "iteration": 1}]
    assert bike["steps"][1]["target"] == {"type": "POWER", "percent": {"min": 88, "max": 94}, "min": 220, "max": 235}
    assert run["steps"][0]["target"]["min"] == 270  # resolved with the run's threshold pace
    assert bike["totals"] == {"steps": 7, "timeSeconds": 900 + 3 * 780, "distanceMeters": 0, "openSteps": 0}
    assert normalized["totals"] == {"steps": 8, "timeSeconds": 900 + 3 * 780 + 1200, "distanceMeters": 0,
                                    "openSteps": 0, "legs": 2}
    assert normalize(normalized, FTP) == normalized and check_workout(normalized) == []


def test_the_profile_draws_each_leg_in_its_sports_colour():
    profile = draw(prepare(BRICK, FTP))
    assert profile.legs == ((0.0, 3240.0, "BIKE"), (3240.0, 4440.0, "RUN"))
    assert {bar.css.split()[0] for bar in profile.bars} == {"sport-bike", "sport-run"}
    assert '<rect class="leg sport-bike"' in profile.svg and '<rect class="leg sport-run"' in profile.svg
    assert profile.svg.count('class="transition"') == 1 and '>Run</text>' in profile.svg
    assert profile.summary == "1 h 14 min · Bike 54 min → Run 20 min"


# -- Garmin ----------------------------------------------------------------------------------------------

def test_a_brick_reaches_garmin_as_one_multisport_workout_with_a_cycling_and_a_running_segment():
    made = garmin_checked(BRICK)
    payload = made.payload
    assert (payload["sport"], payload["isSessionTransitionEnabled"]) == ("MULTI_SPORT", True)
    assert (payload["poolLength"], payload["poolLengthUnit"]) == (None, None)
    cycling, running = payload["segments"]
    assert [(s["segmentOrder"], s["sport"]) for s in payload["segments"]] == [(1, "CYCLING"), (2, "RUNNING")]
    warmup, block = cycling["steps"]
    assert (warmup["stepOrder"], block["stepOrder"], [c["stepOrder"] for c in block["steps"]]) == (1, 2, [3, 4])
    assert running["steps"][0]["stepOrder"] == 5  # numbered on from segment to segment, as Garmin's example
    assert (block["steps"][0]["targetValueLow"], block["steps"][0]["targetValueHigh"]) == (220, 235)
    run = running["steps"][0]
    assert (run["targetType"], run["targetValueLow"], run["targetValueHigh"]) == ("PACE", 3.5211, 3.7037)
    assert made.level == EXACT


def test_the_sandbox_keeps_the_brick_and_the_watch_plays_both_legs(tmp_path):
    sandbox = GarminSandbox(tmp_path)
    created = sandbox.create(garmin_checked(BRICK).payload)
    assert created.status_code == 200, created.get_json()
    workout_id = created.get_json()["workoutId"]
    assert sandbox.warnings(workout_id) == []
    played = sandbox.played(workout_id)
    assert [s["intensity"] for s in played] == ["WARMUP"] + ["ACTIVE", "RECOVERY"] * 3 + ["ACTIVE"]


def test_a_swim_legs_pool_is_the_workouts_and_its_rests_are_kept_however_garmin_plays_the_skip(tmp_path):
    made = garmin_checked(TRIATHLON)
    payload = made.payload
    swim, bike, run = payload["segments"]
    assert (payload["poolLength"], payload["poolLengthUnit"]) == (25, "METER")
    assert (swim["sport"], swim["poolLength"], swim["poolLengthUnit"]) == ("LAP_SWIMMING", 25, "METER")
    assert (bike["poolLength"], bike["poolLengthUnit"], run["poolLength"]) == (None, None, None)
    assert swim["steps"][1]["skipLastRestStep"] is True and swim["steps"][2]["intensity"] == "REST"
    assert made.notes == ("legs[0].steps[1]: Garmin skips the last rest of a swim repeat; one more 15 s rest follows "
                          "the block, so the swimmer rests after the last repetition too",)
    sandbox = GarminSandbox(tmp_path)
    for skips in (False, True):  # whether Garmin forces skipLastRestStep on a multisport swim segment
        sandbox.plays(multisportSwimSkipsLastRest=skips)
        workout_id = sandbox.create(payload).get_json()["workoutId"]
        kept = sandbox.kept(workout_id)["segments"][0]["steps"][1]
        assert kept["skipLastRestStep"] is True
        rests = [s for s in sandbox.played(workout_id)[:14] if s["intensity"] == "REST"]
        assert len(rests) == 6  # six rests, as the coach wrote
    broken = copy.deepcopy(payload)
    broken["segments"][0]["poolLength"] = 50
    with pytest.raises(garmin_rules.Invalid, match="pool is the workout's pool"):
        garmin_rules.validate_workout(broken)


def test_a_strength_leg_goes_as_a_strength_training_segment():
    circuit = {"sport": "MULTISPORT", "name": "Run and lift", "legs": [
        {"sport": "RUN", "steps": RUN},
        {"sport": "STRENGTH", "steps": [{"repeat": 3, "steps": [
            {"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 10},
             "exercise": {"category": "LUNGE", "name": "DUMBBELL_LUNGE"}, "weight": {"value": 35, "unit": "LB"}},
            {"intensity": "REST", "duration": {"type": "TIME", "value": 60}}]}]}]}
    made = garmin_checked(circuit)
    strength = made.payload["segments"][1]
    lunge = strength["steps"][0]["steps"][0]
    assert strength["sport"] == "STRENGTH_TRAINING"
    assert (lunge["exerciseName"], lunge["durationType"], lunge["weightValue"], lunge["weightDisplayUnit"]) == (
        "DUMBBELL_LUNGE", "REPS", 15.876, "POUND")


def test_legs_needing_more_than_250_steps_share_them_and_each_segment_stays_within_100():
    # 3 legs of 50 ramps: each alone would go as 100 steps (2 per ramp), 300 together.
    ramps = [timed(600, target={"type": "POWER", "from": 50 + i, "to": 90 + i, "unit": "PERCENT"}) for i in range(50)]
    workout = {"sport": "MULTISPORT", "name": "Long day", "legs": [{"sport": "BIKE", "steps": ramps}] * 3}
    assert problems(workout) == []
    made = garmin_checked(workout)
    counts = [step_count_of({"segments": [s]}) for s in made.payload["segments"]]
    assert counts == [50, 50, 50]  # each leg's share is 83: one step per ramp
    assert made.level == ADAPTED and made.notes[0] == (
        "legs: the legs need 300 steps together, more than the 250 Garmin takes over all segments: each leg gets a "
        "share in proportion to its steps")
    assert "legs[0].steps[0]: a ramp 50→90 % FTP · 125→225 W sent as 1 step of 10 min" in made.notes
    for plays in ({"segmentStepLimit": None}, {"segmentStepLimit": 100}):
        assert garmin_rules.validate_workout(made.payload, plays) == []
    too_big = copy.deepcopy(made.payload)
    too_big["segments"][0]["steps"] = [copy.deepcopy(s) for s in too_big["segments"][0]["steps"] * 3]  # 150+50+50
    for index, step in enumerate(s for segment in too_big["segments"] for s in _all(segment["steps"])):
        step["stepOrder"] = index + 1
    assert garmin_rules.validate_workout(too_big) == []  # 250 overall is the documented cap...
    with pytest.raises(garmin_rules.Invalid, match="a segment has at most 100"):
        garmin_rules.validate_workout(too_big, {"segmentStepLimit": 100})  # ...a segment's own, if Garmin has one


def _all(steps):
    for step in steps:
        yield step
        if step["type"] == "WorkoutRepeatStep":
            yield from _all(step["steps"])


def test_transitions_are_a_boolean_refused_or_ignored_on_a_single_sport_as_played():
    made = garmin_checked(BRICK)
    broken = dict(made.payload, isSessionTransitionEnabled="yes")
    with pytest.raises(garmin_rules.Invalid, match="true or false"):
        garmin_rules.validate_workout(broken)
    assert garmin_rules.validate_workout(dict(made.payload, isSessionTransitionEnabled=False)) == [
        "A MULTI_SPORT workout without isSessionTransitionEnabled true has no transitions: it \"must be set to true "
        "if workouts should have transitions\"."]
    single = dict(garmin.fit(prepare({"sport": "RUN", "name": "r", "steps": RUN}, FTP), FTP).payload,
                  isSessionTransitionEnabled=True)
    assert garmin_rules.validate_workout(single) == []  # ignored, by default
    with pytest.raises(garmin_rules.Invalid, match="for multisport workouts"):
        garmin_rules.validate_workout(single, {"transitionOnSingleSport": "refuse"})
    assert "isSessionTransitionEnabled" not in garmin.fit(prepare({"sport": "RUN", "name": "r", "steps": RUN}, FTP),
                                                          FTP).payload  # we never send it on a single sport


def test_the_sandbox_holds_multisport_to_25_segments_and_250_steps():
    made = garmin_checked(BRICK)
    many = dict(made.payload, segments=[dict(made.payload["segments"][1], segmentOrder=i + 1) for i in range(26)])
    with pytest.raises(garmin_rules.Invalid, match="at most 25 segment"):
        garmin_rules.validate_workout(many)
    single = garmin.fit(prepare({"sport": "RUN", "name": "r", "steps": RUN}, FTP), FTP).payload
    two = dict(single, segments=single["segments"] * 2)
    with pytest.raises(garmin_rules.Invalid, match="at most 1 segment"):
        garmin_rules.validate_workout(two)


def test_25_legs_fit_garmin():
    legs = [{"sport": "RUN" if i % 2 else "BIKE", "steps": [timed(300)]} for i in range(25)]
    made = garmin_checked({"sport": "MULTISPORT", "name": "Duathlon ladder", "legs": legs})
    assert len(made.payload["segments"]) == 25 and made.level == EXACT


# -- what else does with a brick -----------------------------------------------------------------------------

def test_wahoo_says_a_brick_cannot_go_and_which_legs_could_alone():
    wahoo = report(prepare(BRICK, FTP), FTP)["WAHOO"]
    assert wahoo.level == UNSUPPORTED and wahoo.notes == (
        "sport: a Wahoo plan is one bike or run workout and plan.json has no multisport form (no legs, no "
        "transitions); only legs[0] (bike), legs[1] (run) could go, each alone as its own workout, which is not the "
        "workout the coach wrote",)


def test_fit_refuses_a_brick_and_offers_each_leg_as_its_own_file():
    normalized = prepare(TRIATHLON, FTP)
    with pytest.raises(fit.Unwritable, match="one file per leg"):
        fit.write(normalized)
    legs = fit.write_legs(normalized)
    assert [path for path, _, _ in legs] == ["legs[0]", "legs[1]", "legs[2]"]
    path, data, notes = legs[0]
    assert notes[0] == "legs[0]: this file is the swim leg alone, not the multisport workout"
    assert decode(data)["workout_mesgs"][0]["sport"] == "swimming"


def test_trainer_files_hold_the_bike_leg_only_said_so():
    files = trainer_files.all_files(prepare(TRIATHLON, FTP), FTP)
    for fmt, made in files.items():
        assert made.available
        assert made.notes[0] == f"legs[1]: the bike leg only: a .{fmt} file holds one ride, so legs[0], legs[2] are left out"
    no_bike = {"sport": "MULTISPORT", "name": "Aquathlon", "legs": [{"sport": "SWIM", "steps": SWIM},
                                                                    {"sport": "RUN", "steps": RUN}]}
    made = trainer_files.make("erg", prepare(no_bike, FTP), FTP)
    assert not made.available and made.notes == ("sport: a .erg file holds a ride: this multisport workout has no "
                                                 "bike leg",)
