"""Strength and cardio workouts (issue 21): the format's rules, the catalog, normalization, texts
and the profile; Garmin's STRENGTH_TRAINING as the Training API V2 documents it (and as the
sandbox plays what it leaves open, both ways); the FIT file, decoded with Garmin's FIT SDK;
Wahoo, trainer files and the text format saying why they cannot."""

from __future__ import annotations

import copy

import pytest

from providers.compatibility import ADAPTED, EXACT, UNSUPPORTED, report
from providers.garmin import convert as garmin
from sandbox import exercises as sandbox_catalog
from sandbox import garmin as garmin_rules
from tests.support.fit_decode import decode
from tests.support.garmin_sandbox import GarminSandbox
from workouts import Thresholds, check_workout, normalize, prepare
from workouts import catalog
from workouts.formats import fit, read, trainer_files
from workouts.formats.text import CannotWrite, write_text
from workouts.profile import draw
from workouts.strength import set_text

SQUAT = {"intensity": "ACTIVE", "name": "Back squat", "duration": {"type": "REPS", "value": 5},
         "exercise": {"category": "SQUAT", "name": "BARBELL_BACK_SQUAT"}, "weight": {"value": 100, "unit": "KG"}}
DEADLIFT = {"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 8},
            "exercise": {"category": "DEADLIFT", "name": "BARBELL_DEADLIFT"}, "weight": {"value": 225, "unit": "LB"}}
SESSION = {"sport": "STRENGTH", "name": "Lower body", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600}, "name": "Mobility"},
    {"repeat": 4, "steps": [SQUAT, {"intensity": "REST", "duration": {"type": "TIME", "value": 180}}]},
    {"repeat": 3, "steps": [DEADLIFT, {"intensity": "REST", "duration": {"type": "TIME", "value": 150}}]},
]}


def problems(workout: dict) -> list[str]:
    return [str(p) for p in check_workout(workout)]


def with_step(sport: str, **step) -> dict:
    base = {"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 5}}
    return {"sport": sport, "name": "One", "steps": [{**base, **step}]}


# -- the catalog -------------------------------------------------------------------------------------

def test_the_catalog_is_garmins_fit_profile_as_the_sdk_ships_it():
    from garmin_fit_sdk import profile

    types = profile.Profile["types"]
    found = catalog.catalog()
    assert catalog.catalog() is found  # loaded once
    fit_categories = [c for c in types["exercise_category"].values() if c != "unknown"]
    assert sorted(found.categories) == sorted(c.upper() for c in fit_categories)
    pairs = sum(len(types.get(f"{c}_exercise_name") or {}) for c in fit_categories)
    assert sum(len(names) for names in found.names.values()) == pairs
    assert found.categories["SQUAT"] == 28 and found.names["SQUAT"]["BARBELL_BACK_SQUAT"] == 6
    assert "_3_WAY_CALF_RAISE" in found.names["CALF_RAISE"]  # a leading digit gets "_", as Garmin spells it
    assert set(found.category_of("JUMPING_JACKS")) >= {"CARDIO", "BATTLE_ROPE"}  # names are unique per category only
    assert catalog.from_fit("squat", 6) == ("SQUAT", "BARBELL_BACK_SQUAT")
    assert catalog.from_fit(28, 65535) == ("SQUAT", None)
    # The sandbox reads the same profile on its own (it imports nothing of the product).
    assert {c: frozenset(n) for c, n in found.names.items()} == sandbox_catalog.catalog()


# -- the format's rules ----------------------------------------------------------------------------------

@pytest.mark.parametrize("workout, rule", [
    (with_step("STRENGTH", exercise={"category": "SQUAT", "name": "BARBELL_DEADLIFT"}),
     "steps[0]: exercise BARBELL_DEADLIFT is not in category SQUAT (it is in DEADLIFT)"),
    (with_step("STRENGTH", exercise={"category": "SQUAT", "name": "AIR_GUITAR"}),
     "steps[0]: unknown exercise 'AIR_GUITAR' (not in Garmin's exercise catalog)"),
    (with_step("STRENGTH", exercise={"category": "YODEL"}),
     "steps[0]: unknown exercise category 'YODEL' (not in Garmin's exercise catalog)"),
    (with_step("STRENGTH", exercise={"category": "squat", "name": "BARBELL_BACK_SQUAT"}),
     "steps[0]: exercise category 'squat' is spelled SQUAT"),
    (with_step("STRENGTH", exercise={"category": "SQUAT", "name": "barbell_back_squat"}),
     "steps[0]: exercise 'barbell_back_squat' is spelled BARBELL_BACK_SQUAT"),
    (with_step("STRENGTH", exercise={"category": "CALF_RAISE", "name": "3_WAY_CALF_RAISE"}),
     "steps[0]: exercise '3_WAY_CALF_RAISE' is spelled _3_WAY_CALF_RAISE"),
    (with_step("STRENGTH", exercise={"category": "SQUAT", "reps": 5}),
     "steps[0]: exercise must be {category, name} from Garmin's exercise catalog"),
    (with_step("RUN"), "steps[0]: a REPS duration is only for STRENGTH or CARDIO"),
    (with_step("RUN", duration={"type": "TIME", "value": 60}, weight={"value": 20, "unit": "KG"}),
     "steps[0]: a weight is only for STRENGTH or CARDIO"),
    (with_step("BIKE", duration={"type": "TIME", "value": 60}, exercise={"category": "SQUAT"}),
     "steps[0]: an exercise is only for STRENGTH or CARDIO"),
    (with_step("STRENGTH", duration={"type": "REPS", "value": 1000}),
     "steps[0]: a REPS duration is a whole number of repetitions from 1 to 999"),
    (with_step("STRENGTH", duration={"type": "REPS", "value": 2.5}),
     "steps[0]: a REPS duration is a whole number of repetitions from 1 to 999"),
    (with_step("STRENGTH", weight={"value": 100, "unit": "STONE"}), "steps[0]: weight must be {value, unit} with unit KG or LB"),
    (with_step("STRENGTH", weight={"value": 0, "unit": "KG"}),
     "steps[0]: weight must be more than 0 and at most 600 kg (1,323 lb)"),
    (with_step("CARDIO", target={"type": "POWER", "min": 100, "max": 200}),
     "steps[0]: POWER target is not allowed for CARDIO (only HEART_RATE)"),
    (with_step("STRENGTH", duration={"type": "LAPS", "value": 2}),
     "steps[0]: duration type must be TIME, DISTANCE, OPEN or REPS"),
])
def test_each_strength_rule_names_the_step_and_the_rule(workout, rule):
    assert rule in problems(workout)


def test_the_session_is_valid_and_normalizes_weights_to_kilograms_keeping_the_coachs_unit():
    assert problems(SESSION) == []
    normalized = prepare(SESSION)
    squat, deadlift = normalized["steps"][1], normalized["steps"][9]
    assert squat["weight"] == {"value": 100, "unit": "KG", "kg": 100.0}
    assert deadlift["weight"] == {"value": 225, "unit": "LB", "kg": 102.058}
    assert deadlift["exercise"] == {"category": "DEADLIFT", "name": "BARBELL_DEADLIFT"}
    assert normalized["totals"] == {"steps": 15, "timeSeconds": 600 + 4 * 180 + 3 * 150, "distanceMeters": 0,
                                    "openSteps": 0, "repSteps": 7, "reps": 4 * 5 + 3 * 8}
    assert normalize(normalized) == normalized
    assert "repSteps" not in prepare({"sport": "RUN", "name": "r", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}}]})["totals"]  # endurance totals as before


def test_a_set_reads_as_the_athlete_says_it():
    normalized = prepare(SESSION)
    assert set_text(normalized["steps"][1]) == "Back squat 5 × 100 kg"
    assert set_text(normalized["steps"][9]) == "Barbell deadlift 8 × 225 lb"
    assert set_text({"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 12},
                     "exercise": {"category": "PUSH_UP", "name": "PUSH_UP"}}) == "Push up 12 reps"
    assert set_text({"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60},
                     "exercise": {"category": "PLANK"}}) == "Plank 1 min"


def test_the_profile_draws_sets_by_load_labelled_with_exercise_reps_and_weight():
    profile = draw(prepare(SESSION))
    sets = [bar for bar in profile.bars if "set" in bar.css.split()]
    rests = [bar for bar in profile.bars if "rest" in bar.css.split()]
    assert [bar.label for bar in sets[:5]] == ["Mobility 10 min"] + ["Back squat 5 × 100 kg"] * 4
    assert sets[-1].label == "Barbell deadlift 8 × 225 lb"
    assert len(rests) == 7 and all(bar.css == "sport-strength rest" for bar in rests)
    assert sets[-1].height > sets[1].height  # 102 kg stands higher than 100 kg
    assert sorted(count for _, _, count in profile.brackets) == [3, 4]
    assert 'class="sport-strength set estimated"' in profile.svg and 'class="threshold"' not in profile.svg
    assert profile.summary == ("About 32 min 26 s · Mobility 10 min · 4 × (Back squat 5 × 100 kg, Rest 3 min) · "
                               "3 × (Barbell deadlift 8 × 225 lb, Rest 2 min 30 s)")


# -- Garmin ----------------------------------------------------------------------------------------------

def garmin_session():
    made = garmin.fit(prepare(SESSION), Thresholds())
    assert garmin_rules.validate_workout(made.payload) == []
    return made


def test_the_session_reaches_garmin_as_strength_training_within_the_documented_rules():
    made = garmin_session()
    assert made.level == EXACT and made.notes == ()
    payload = made.payload
    assert payload["sport"] == "STRENGTH_TRAINING" and payload["segments"][0]["sport"] == "STRENGTH_TRAINING"
    warmup, squats, deadlifts = payload["segments"][0]["steps"]
    assert (warmup["durationType"], warmup["durationValue"], warmup["exerciseCategory"]) == ("TIME", 600, None)
    assert (squats["type"], squats["repeatType"], squats["repeatValue"], squats["skipLastRestStep"]) == (
        "WorkoutRepeatStep", "REPEAT_UNTIL_STEPS_CMPLT", 4, False)
    squat, rest = squats["steps"]
    assert {k: squat[k] for k in ("durationType", "durationValue", "exerciseCategory", "exerciseName", "weightValue",
                                  "weightDisplayUnit", "targetType", "description")} == {
        "durationType": "REPS", "durationValue": 5, "exerciseCategory": "SQUAT", "exerciseName": "BARBELL_BACK_SQUAT",
        "weightValue": 100.0, "weightDisplayUnit": "KILOGRAM", "targetType": "OPEN", "description": "Back squat"}
    assert (rest["intensity"], rest["durationType"], rest["durationValue"], rest["weightValue"]) == (
        "REST", "FIXED_REST", 180, None)
    deadlift = deadlifts["steps"][0]
    assert deadlifts["repeatValue"] == 3
    assert (deadlift["exerciseCategory"], deadlift["exerciseName"], deadlift["durationValue"]) == (
        "DEADLIFT", "BARBELL_DEADLIFT", 8)
    assert (deadlift["weightValue"], deadlift["weightDisplayUnit"]) == (102.058, "POUND")  # kg, shown in pounds
    assert [s["stepOrder"] for s in (warmup, squats, squat, rest, deadlifts)] == [1, 2, 3, 4, 5]


def test_the_sandbox_keeps_the_session_and_the_watch_plays_every_set(tmp_path):
    sandbox = GarminSandbox(tmp_path)
    created = sandbox.create(garmin_session().payload)
    assert created.status_code == 200, created.get_json()
    workout_id = created.get_json()["workoutId"]
    assert sandbox.warnings(workout_id) == []
    played = sandbox.played(workout_id)
    assert [(s["exerciseName"], s["durationValue"]) for s in played if s["durationType"] == "REPS"] == (
        [("BARBELL_BACK_SQUAT", 5)] * 4 + [("BARBELL_DEADLIFT", 8)] * 3)
    assert sum(1 for s in played if s["intensity"] == "REST") == 7  # the last set's rest too


def test_a_cardio_weight_goes_in_the_steps_text_as_the_document_gives_weightvalue_to_strength_only():
    cardio = {"sport": "CARDIO", "name": "Circuit", "steps": [{"repeat": 3, "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 20},
         "exercise": {"category": "HIP_SWING", "name": "SINGLE_ARM_KETTLEBELL_SWING"}, "weight": {"value": 16, "unit": "KG"}},
        {"intensity": "REST", "duration": {"type": "TIME", "value": 30}}]}]}
    made = garmin.fit(prepare(cardio), Thresholds())
    assert garmin_rules.validate_workout(made.payload) == []
    swing = made.payload["segments"][0]["steps"][0]["steps"][0]
    assert made.payload["sport"] == "CARDIO_TRAINING" and swing["weightValue"] is None
    assert (swing["exerciseCategory"], swing["description"]) == ("HIP_SWING", "16 kg")
    assert made.level == ADAPTED and made.notes == (
        "steps[0].steps[0]: the weight (16 kg) is written in the step's text: Garmin takes a weightValue on strength "
        "workouts only (\"Used only for STRENGTH_TRAINING\")",)


def test_a_heart_rate_target_rides_on_a_set():
    workout = with_step("STRENGTH", exercise={"category": "CARRY", "name": "FARMERS_WALK"},
                        duration={"type": "TIME", "value": 60}, target={"type": "HEART_RATE", "min": 140, "max": 160})
    step = garmin.fit(prepare(workout), Thresholds()).payload["segments"][0]["steps"][0]
    assert (step["targetType"], step["targetValueLow"], step["targetValueHigh"]) == ("HEART_RATE", 140, 160)


# -- the sandbox: what the document says, and what it leaves open played both ways ---------------------

def payload_with(**changes):
    payload = copy.deepcopy(garmin_session().payload)
    payload["segments"][0]["steps"][1]["steps"][0].update(changes)
    return payload


@pytest.mark.parametrize("change, message", [
    ({"weightDisplayUnit": "STONE"}, "weightDisplayUnit must be KILOGRAM or POUND"),
    ({"weightValue": -5}, "weightValue must be a weight in kilograms"),
    ({"durationValue": 0}, "durationValue must be the number of repetitions"),
])
def test_the_sandbox_refuses_what_the_document_refuses(change, message):
    with pytest.raises(garmin_rules.Invalid, match=message):
        garmin_rules.validate_workout(payload_with(**change))


def test_the_sandbox_refuses_strength_fields_outside_strength():
    run = garmin.fit(prepare({"sport": "RUN", "name": "r", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}}]}), Thresholds()).payload
    step = run["segments"][0]["steps"][0]
    for extra, message in (({"weightValue": 20.0}, "used only for STRENGTH_TRAINING"),
                           ({"exerciseCategory": "SQUAT"}, "for STRENGTH_TRAINING, CARDIO_TRAINING, YOGA and PILATES"),
                           ({"durationType": "REPS", "durationValue": 5}, "REPS is for strength and cardio")):
        broken = copy.deepcopy(run)
        broken["segments"][0]["steps"][0] = {**step, **extra}
        with pytest.raises(garmin_rules.Invalid, match=message):
            garmin_rules.validate_workout(broken)


def test_an_unknown_exercise_name_is_dropped_or_refused_as_played(tmp_path):
    sandbox = GarminSandbox(tmp_path)
    unknown = payload_with(exerciseName="AIR_SQUAT_TO_THE_MOON")
    stored = sandbox.create(unknown)  # default: stored without the name, as Connect does
    assert stored.status_code == 200
    kept = sandbox.kept(stored.get_json()["workoutId"])["segments"][0]["steps"][1]["steps"][0]
    assert (kept["exerciseCategory"], kept["exerciseName"]) == ("SQUAT", None)
    assert any("is not one of SQUAT: the name is dropped" in w for w in sandbox.warnings(stored.get_json()["workoutId"]))
    sandbox.plays(unknownExerciseName="refuse")
    refused = sandbox.create(unknown)
    assert refused.status_code == 400 and "Invalid exercise name" in refused.get_json()["errorMessage"]
    wrong_category = payload_with(exerciseName="BARBELL_DEADLIFT")  # a real name, in another category
    assert sandbox.create(wrong_category).status_code == 400
    assert sandbox.create(garmin_session().payload).status_code == 200  # what we send passes either way


def test_an_unknown_exercise_category_is_refused_or_dropped_as_played(tmp_path):
    sandbox = GarminSandbox(tmp_path)
    unknown = payload_with(exerciseCategory="UNASSIGNED", exerciseName=None)
    refused = sandbox.create(unknown)  # default: 400 "Invalid category", as Connect answers
    assert refused.status_code == 400 and "Invalid category" in refused.get_json()["errorMessage"]
    sandbox.plays(unknownExerciseCategory="drop")
    stored = sandbox.create(unknown)
    assert stored.status_code == 200
    kept = sandbox.kept(stored.get_json()["workoutId"])["segments"][0]["steps"][1]["steps"][0]
    assert kept["exerciseCategory"] is None
    assert sandbox.create(garmin_session().payload).status_code == 200


def test_a_weight_on_cardio_is_ignored_or_refused_as_played(tmp_path):
    sandbox = GarminSandbox(tmp_path)
    cardio = copy.deepcopy(garmin_session().payload)
    cardio["sport"] = cardio["segments"][0]["sport"] = "CARDIO_TRAINING"
    stored = sandbox.create(cardio)
    assert stored.status_code == 200
    kept = sandbox.kept(stored.get_json()["workoutId"])["segments"][0]["steps"][1]["steps"][0]
    assert kept["weightValue"] is None  # ignored
    sandbox.plays(weightOnCardio="refuse")
    assert sandbox.create(cardio).status_code == 400
    ours = garmin.fit(prepare(dict(SESSION, sport="CARDIO")), Thresholds()).payload  # the weight in the text
    assert sandbox.create(ours).status_code == 200


def test_reps_are_checked_loosely_or_strictly_as_played():
    half = payload_with(durationValue=5.5)
    assert garmin_rules.validate_workout(half) == []
    with pytest.raises(garmin_rules.Invalid, match="whole number of repetitions from 1 to 999"):
        garmin_rules.validate_workout(half, {"repsCheck": "strict"})
    assert garmin_rules.validate_workout(garmin_session().payload, {"repsCheck": "strict"}) == []


def test_a_display_unit_with_no_weight_is_only_advised_against():
    assert garmin_rules.validate_workout(payload_with(weightValue=None)) == [
        "segments[0].steps[1].steps[0]: weightDisplayUnit with no weightValue displays nothing."]


# -- FIT -------------------------------------------------------------------------------------------------

def test_the_sessions_fit_file_decodes_with_garmins_sdk_to_the_same_exercises():
    data, notes = fit.write(prepare(SESSION))
    assert notes == ()
    messages = decode(data)
    assert {k: messages["workout_mesgs"][0][k] for k in ("sport", "sub_sport")} == {
        "sport": "training", "sub_sport": "strength_training"}
    steps = messages["workout_step_mesgs"]
    squat, rest, squats = steps[1], steps[2], steps[3]
    assert {k: squat[k] for k in ("duration_type", "duration_reps", "exercise_category", "exercise_name",
                                  "exercise_weight", "weight_display_unit", "wkt_step_name")} == {
        "duration_type": "reps", "duration_reps": 5, "exercise_category": "squat", "exercise_name": 6,
        "exercise_weight": 100.0, "weight_display_unit": "kilogram", "wkt_step_name": "Back squat"}
    assert (rest["intensity"], rest["duration_time"]) == ("rest", 180.0)
    assert (squats["duration_type"], squats["duration_step"], squats["repeat_steps"]) == (
        "repeat_until_steps_cmplt", 1, 4)
    deadlift = steps[4]
    assert (deadlift["exercise_category"], deadlift["exercise_name"], deadlift["duration_reps"]) == ("deadlift", 0, 8)
    assert (deadlift["exercise_weight"], deadlift["weight_display_unit"]) == (102.06, "pound")
    from garmin_fit_sdk import profile

    names = profile.Profile["types"]
    assert names["squat_exercise_name"][squat["exercise_name"]] == "barbell_back_squat"
    assert names["deadlift_exercise_name"][deadlift["exercise_name"]] == "barbell_deadlift"


def test_the_fit_reader_reads_a_strength_file_back():
    data = fit.convert(prepare(SESSION))
    imported = read(data, "fit")
    assert imported.notes == []
    back = imported.workout
    assert back["sport"] == "STRENGTH"
    squats, deadlifts = back["steps"][1], back["steps"][2]
    assert squats["repeat"] == 4 and squats["steps"][0]["exercise"] == SQUAT["exercise"]
    assert squats["steps"][0]["weight"] == {"value": 100, "unit": "KG"} and squats["steps"][0]["duration"] == {
        "type": "REPS", "value": 5}
    assert deadlifts["steps"][0]["weight"] == {"value": 225, "unit": "LB"}  # pounds again, as the coach wrote
    assert prepare(back)["totals"] == prepare(SESSION)["totals"]


# -- what cannot take a strength workout, and why ---------------------------------------------------------

def test_wahoo_trainer_files_and_text_say_why_they_cannot():
    normalized = prepare(SESSION)
    wahoo = report(normalized)["WAHOO"]
    assert wahoo.level == UNSUPPORTED and wahoo.notes == (
        "sport: a Wahoo plan is a bike or run workout (plan.json's workout_type_family: 0 biking, 1 running); Wahoo "
        "devices have no strength workouts of sets and reps",)
    for fmt, made in trainer_files.all_files(normalized, Thresholds(ftp_watts=250)).items():
        assert not made.available
        assert made.notes == (f"sport: a .{fmt} file is a ride on a trainer: a strength workout of sets and reps has none",)
    with pytest.raises(CannotWrite, match="not STRENGTH"):
        write_text(SESSION)
