"""The session editor without a browser: the values a coach types (values.py), the draft the
form posts (draft.py) and the workout it is (builder.py), and the text view (text_view.py)
that is the same workout as the form, both ways."""

from __future__ import annotations

import copy

import pytest

from tests.support.workouts import SPEC_EXAMPLE
from webapp.plans import builder, exercises, text_view
from webapp.plans import draft as drafts
from webapp.plans.values import (
    clock_text,
    number_text,
    read_clock,
    read_cues,
    read_distance,
    read_number,
    read_reps,
    read_whole,
)

# Nested repeats and a ramp: what the browser test types, as a workout.
NESTED = {"sport": "BIKE", "name": "Nested over-unders", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
     "target": {"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}},
    {"repeat": 3, "steps": [
        {"repeat": 2, "steps": [
            {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 30},
             "target": {"type": "POWER", "min": 115, "max": 125, "unit": "PERCENT"}},
            {"intensity": "RECOVERY", "duration": {"type": "TIME", "value": 30},
             "target": {"type": "POWER", "min": 45, "max": 55, "unit": "PERCENT"}}]},
        {"intensity": "RECOVERY", "duration": {"type": "TIME", "value": 180}, "target": {"type": "POWER", "zone": 1}}]},
    {"intensity": "COOLDOWN", "duration": {"type": "TIME", "value": 600}, "target": {"type": "POWER", "zone": 1}}]}


# -- values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "seconds"), [("600", 600), ("90.5", 90.5), ("10:00", 600), ("4:05.3", 245.3),
                                                ("1:02:03", 3723), (" 0:30 ", 30)])
def test_a_clock_reads_as_seconds_and_writes_back_as_typed(typed, seconds):
    assert read_clock(typed) == seconds
    if ":" in typed:
        assert clock_text(seconds) == typed.strip()


@pytest.mark.parametrize("typed", ["", "4:60", "2:xx", "ten", "1:2", "-5", "1e3"])
def test_a_clock_that_is_not_one_is_none(typed):
    assert read_clock(typed) is None


def test_numbers_distances_counts_reps_and_cues():
    assert read_number("137.5") == 137.5 and number_text(137.5) == "137.5"
    assert number_text(0.00001) == "0.00001" and number_text(250) == "250" and number_text(None) == ""
    assert read_number("1e3") is None and read_number("12,5") is None
    assert read_distance("2 km") == 2000 and read_distance("400 m") == 400 and read_distance("2.5km") == 2500
    assert read_distance("2 miles") is None
    assert read_whole("4") == 4 and read_whole("4.5") is None
    assert read_reps("8") == ("REPS", 8) and read_reps("0:45") == ("TIME", 45) and read_reps("eight") is None
    assert read_cues("0:30 Spin up\r\n\r\n1:00 Go  hard") == [{"at": 30, "text": "Spin up"}, {"at": 60, "text": "Go  hard"}]
    assert read_cues("Spin up") is None and read_cues("0:30") is None


# -- form -> draft -> workout, and back -----------------------------------------------------------------

def test_a_field_that_cannot_be_read_is_named_by_its_step():
    draft = drafts.new_draft()
    draft["steps"][1]["duration_value"] = "2:xx"
    draft["steps"][2].update(target_type="POWER", target_mode="range", min="250", max="lots")
    _, errors = builder.to_workout(draft)
    assert errors == {"steps[1]": ["duration: enter seconds or m:ss"], "steps[2]": ["target max: enter a number"]}


@pytest.mark.parametrize("workout", [SPEC_EXAMPLE, NESTED], ids=["spec-example", "nested-ramp"])
def test_a_workout_opened_and_saved_untouched_is_the_same_workout(workout):
    workout_back, errors = builder.to_workout(builder.from_workout(copy.deepcopy(workout)))
    assert errors == {}
    assert workout_back == workout


def test_the_posted_form_is_the_draft_and_the_buttons_change_it():
    form = {"w-sport": "BIKE", "w-name": "Ride", "w-steps-0-kind": "step", "w-steps-0-intensity": "WARMUP",
            "w-steps-0-duration_type": "TIME", "w-steps-0-duration_value": "10:00",
            "w-steps-1-kind": "repeat", "w-steps-1-repeat": "3",
            "w-steps-1-steps-0-kind": "step", "w-steps-1-steps-0-duration_value": "2:00"}
    draft = drafts.from_form(form)
    assert [n["kind"] for n in draft["steps"]] == ["step", "repeat"]
    assert draft["steps"][1]["steps"][0]["duration_value"] == "2:00"
    drafts.apply_action(draft, "add-step:w-steps-1-steps")
    drafts.apply_action(draft, "up:w-steps-1")
    assert [n["kind"] for n in draft["steps"]] == ["repeat", "step"] and len(draft["steps"][0]["steps"]) == 2
    drafts.apply_action(draft, "remove:w-steps-9")  # names nothing: nothing happens
    drafts.apply_action(draft, "add-step:w-nowhere")
    assert len(draft["steps"]) == 2


def test_a_strength_row_is_sets_of_reps_at_a_weight_with_rests_and_reads_back_as_one_row():
    draft = drafts.reshape(drafts.new_draft("STRENGTH"), "STRENGTH")
    draft["steps"][0].update(exercise_name="Barbell back squat", sets="4", reps="5", weight_value="100", rest="2:00")
    workout, errors = builder.to_workout(draft)
    assert errors == {}
    assert workout["steps"] == [{"repeat": 4, "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "REPS", "value": 5},
         "exercise": {"category": "SQUAT", "name": "BARBELL_BACK_SQUAT"}, "weight": {"value": 100, "unit": "KG"}},
        {"intensity": "REST", "duration": {"type": "TIME", "value": 120}}]}]
    (row,) = builder.from_workout(workout)["steps"]
    assert (row["kind"], row["sets"], row["reps"], row["weight_value"], row["rest"]) == ("exercise", "4", "5", "100", "2:00")


def test_an_exercise_the_catalog_does_not_know_is_an_error_naming_the_row():
    draft = drafts.new_draft("STRENGTH")
    draft["steps"][0].update(exercise_name="Quantum squat", sets="3", reps="5")
    _, errors = builder.to_workout(draft)
    assert list(errors) == ["steps[0]"] and "exercise" in errors["steps[0]"][0]


def test_turning_a_ride_multisport_keeps_it_as_the_first_leg_and_adds_a_run():
    draft = builder.from_workout(copy.deepcopy(SPEC_EXAMPLE))
    draft["sport"] = "MULTISPORT"
    drafts.reshape(draft, "ENDURANCE")
    assert [leg["sport"] for leg in draft["legs"]] == ["BIKE", "RUN"] and draft["steps"] == []
    workout, errors = builder.to_workout(draft)
    assert errors == {} and [leg["sport"] for leg in workout["legs"]] == ["BIKE", "RUN"]
    assert workout["legs"][0]["steps"] == SPEC_EXAMPLE["steps"]


def test_the_picker_finds_garmins_exercises_as_typed():
    found = exercises.search("barbell back squat")
    assert ("SQUAT", "BARBELL_BACK_SQUAT") in [(x.category, x.name) for x in found]
    assert exercises.search("") == [] and exercises.search("zzzzqqq") == []
    assert drafts.is_prefix("w-legs-1-steps-0") and not drafts.is_prefix("w-steps-0-name")


# -- the text view -----------------------------------------------------------------------------------

def test_the_forms_workout_as_text_reads_back_as_the_same_workout():
    draft = builder.from_workout(copy.deepcopy(NESTED))
    written = text_view.written(draft)
    assert written.reason is None
    assert "3x\n  2x\n  - 30s 115-125%" in written.text and "ramp 50-75%" in written.text
    reading = text_view.read(written.text, draft)
    assert reading.problems == []
    assert builder.to_workout(reading.draft) == (NESTED, {})


def test_an_edit_of_the_text_is_an_edit_of_the_form():
    draft = builder.from_workout(copy.deepcopy(NESTED))
    text = text_view.written(draft).text.replace("3x\n", "5x\n").replace("- 3m Z1", "- 4m Z1")
    workout, _ = builder.to_workout(text_view.read(text, draft).draft)
    assert workout["steps"][1]["repeat"] == 5 and workout["steps"][1]["steps"][1]["duration"]["value"] == 240


def test_a_text_that_cannot_be_read_names_its_lines_and_gives_no_draft():
    reading = text_view.read("Nested\n\n- 10m 75%\n- 5m 75% 250w\n- fast", drafts.new_draft())
    assert reading.draft is None
    assert [p.line for p in reading.problems] == [4, 5]
    assert "one target" in reading.problems[0].message


def test_a_text_with_no_name_keeps_the_forms_name():
    draft = drafts.new_draft()
    draft["name"] = "Tuesday ride"
    workout, _ = builder.to_workout(text_view.read("- 20m Z2", draft).draft)
    assert workout["name"] == "Tuesday ride"


def test_strength_and_an_incomplete_form_say_why_there_is_no_text():
    assert text_view.written(drafts.new_draft("STRENGTH")).text is None
    assert "no text form" in text_view.written(drafts.new_draft("STRENGTH")).reason
    broken = drafts.new_draft()
    broken["steps"][0]["duration_value"] = "soon"
    assert text_view.written(broken).reason == text_view.INCOMPLETE


def test_whether_the_text_was_edited_ignores_line_ends_only():
    assert not text_view.changed("- 10m Z2\r\n", "- 10m Z2\n")
    assert text_view.changed("- 11m Z2", "- 10m Z2")
