"""The text format (workouts/formats/text.py): intervals.icu's workout builder text, read and
written.  Coaches' texts read into our workouts; every workout written and read back; bad and
hostile text refused by line, quickly, and never with an unexpected exception."""

from __future__ import annotations


import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.strategies import workouts, workouts_v3
from tests.support.text_strategies import text_workouts
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE
from workouts import WorkoutInvalid, check_workout
from workouts.formats import MAX_BYTES, Imported, LineProblem, ReadError, format_for, read
from workouts.formats.text import read_text, write, write_text

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

THRESHOLD = """Threshold over-unders
Stay seated on the efforts.

Warmup
- 10m ramp 50-75% 90rpm

3x
- Over 3m 95-105% 90rpm
  2x
  - 30s 150%
  - 30s 50%
- 5m 55%

Cooldown
- 10m 50%
"""

TRACK = """Track 6x800
Two laps easy between.

Warmup
- 15m Z2 HR

6x
- 800mtr 3:40/km Pace
- 400mtr Z1 HR

- 20m ramp 70-80% HR

Cooldown
- 10m Z1 HR
"""

SWIM = """Swim 10x100
Descend 1-5 and 6-10.

Warmup
- 400mtr Z2 Pace

10x
- 100mtr 1:45/100m Pace
- 20s intensity=rest

Cooldown
- 200mtr Z1 Pace
"""

CUES = """Sweet spot with prompts

- Settle in 30^Find your rhythm <!> 300^Halfway <!> 10m 88-94% 85-95rpm // Seated, hands on the tops
- Easy spin 5m 55%
- 20m freeride intensity=active
"""


def notes_of(imported):
    """Its notes but the one every text without a name line gets."""
    return [note for note in imported.notes if not note.startswith("name: the text has no name line")]


def problems_of(text, sport="BIKE"):
    with pytest.raises(ReadError) as error:
        read_text(text, sport)
    return [str(p) for p in error.value.problems]


# -- coaches' texts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, sport", [(THRESHOLD, "BIKE"), (TRACK, "RUN"), (SWIM, "SWIM")])
def test_a_coachs_text_written_the_writers_way_comes_back_unchanged(text, sport):
    read_back = read_text(text, sport)
    assert check_workout(read_back.workout) == []
    written = write(read_back.workout)
    assert written.text == text and written.notes == []


def test_the_threshold_text_reads_as_the_coach_meant():
    w = read_text(THRESHOLD).workout
    assert (w["name"], w["description"], w["sport"]) == ("Threshold over-unders", "Stay seated on the efforts.", "BIKE")
    warmup, block, cooldown = w["steps"]
    assert warmup == {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
                      "target": {"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"},
                      "cadence": {"min": 90, "max": 90}}
    assert block["repeat"] == 3
    over, inner, easy = block["steps"]
    assert over["name"] == "Over" and over["target"] == {"type": "POWER", "min": 95, "max": 105, "unit": "PERCENT"}
    assert inner["repeat"] == 2 and [s["intensity"] for s in inner["steps"]] == ["ACTIVE", "RECOVERY"]
    assert easy["intensity"] == "RECOVERY" and cooldown["intensity"] == "COOLDOWN"


def test_runs_and_swims_read_paces_heart_rates_and_distances():
    run = read_text(TRACK, "RUN").workout
    rep, jog = run["steps"][1]["steps"]
    assert rep == {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 800},
                   "target": {"type": "PACE", "min": 220, "max": 220}}
    assert jog["intensity"] == "RECOVERY" and jog["target"] == {"type": "HEART_RATE", "zone": 1}
    assert run["steps"][2]["target"] == {"type": "HEART_RATE", "from": 70, "to": 80, "unit": "PERCENT"}
    swim = read_text(SWIM, "SWIM").workout
    hundred, rest = swim["steps"][1]["steps"]
    assert hundred["target"] == {"type": "PACE", "min": 105, "max": 105}  # per 100 m, as the format stores swims
    assert rest == {"intensity": "REST", "duration": {"type": "TIME", "value": 20}}


def test_cues_notes_freeride_and_their_notes():
    read_back = read_text(CUES)
    first, easy, free = read_back.workout["steps"]
    assert first["name"] == "Settle in"
    assert first["cues"] == [{"at": 30, "text": "Find your rhythm"}, {"at": 300, "text": "Halfway"}]
    assert first["notes"] == "Seated, hands on the tops" and first["cadence"] == {"min": 85, "max": 95}
    assert easy["intensity"] == "RECOVERY" and easy["name"] == "Easy spin"
    assert "target" not in free and free["intensity"] == "ACTIVE"
    assert read_back.notes == ["line 5: freeride: kept as a step with no target"]
    assert write_text(read_back.workout) == CUES.replace(" freeride", "")


def test_intervals_icu_forms_read_the_same():
    forms = {
        "- 1m30 75%": {"type": "TIME", "value": 90},
        "- 1h2m30s 75%": {"type": "TIME", "value": 3750},
        "- 5' 75%": {"type": "TIME", "value": 300},
        "- 1'30\" 75%": {"type": "TIME", "value": 90},
        "- 2.5km 75%": {"type": "DISTANCE", "value": 2500},
        "- 0.4km 75%": {"type": "DISTANCE", "value": 400},
        "- 1mi 75%": {"type": "DISTANCE", "value": 1609.344},
    }
    for line, duration in forms.items():
        assert read_text(line).workout["steps"][0]["duration"] == duration, line
    step = read_text("- 5m 315w - 330w").workout["steps"][0]
    assert step["target"] == {"type": "POWER", "min": 315, "max": 330}
    step = read_text("- 5m 88%-94% 90 rpm").workout["steps"][0]
    assert step["target"]["min"] == 88 and step["cadence"] == {"min": 90, "max": 90}
    block = read_text("Warmup\n- 3x 30s 110% 100rpm\n- 3m 50%").workout["steps"]
    assert block[0]["repeat"] == 3 and block[0]["steps"][0]["intensity"] == "WARMUP"
    assert read_text("Main Set 5x\n- 3m 120%\n- 2m 50%").workout["steps"][0]["repeat"] == 5
    indented = read_text("Main Set 3x\n  - 4m 100%\n  - 2m 50%\nCooldown\n  - 10m 50%").workout["steps"]
    assert indented[0]["repeat"] == 3 and len(indented[0]["steps"]) == 2 and indented[1]["intensity"] == "COOLDOWN"
    ramp = read_text("- 10m RAMP 60-80% Pace", "RUN").workout["steps"][0]
    assert ramp["target"] == {"type": "PACE", "from": 60, "to": 80, "unit": "PERCENT"}
    pace = read_text("- 10m ramp 7:15-7:00/km Pace", "RUN").workout["steps"][0]
    assert pace["target"] == {"type": "PACE", "from": 435, "to": 420}
    mile = read_text("- 10m 8:00/mi Pace", "RUN").workout["steps"][0]
    assert mile["target"]["min"] == pytest.approx(480 / 1.609344)


def test_ambiguous_tokens_take_the_plausible_reading_and_say_so():
    swim = read_text("- 400m Z2 Pace\n- 10m Z1 Pace", "SWIM")
    assert [s["duration"] for s in swim.workout["steps"]] == [
        {"type": "DISTANCE", "value": 400}, {"type": "TIME", "value": 600}]
    assert notes_of(swim) == ["line 1: '400m' read as 400 metres (400 minutes is not a plausible swim step; "
                          "write 400mtr for metres)"]
    run = read_text("- 400m 90% Pace\n- 90m Z2 HR", "RUN")
    assert [s["duration"]["type"] for s in run.workout["steps"]] == ["DISTANCE", "TIME"]
    assert read_text("- 400m 75%").workout["steps"][0]["duration"] == {"type": "TIME", "value": 24000}  # a bike: minutes
    bare = read_text("- 10m 75%", "RUN")
    assert bare.workout["steps"][0]["target"]["type"] == "POWER"
    assert notes_of(bare) == ["line 1: '75%' read as of FTP (power); write '75% HR' or '75% Pace' to say otherwise"]
    assert read_text("- 10m 75%", "SWIM").workout["steps"][0]["target"]["type"] == "PACE"
    zones = read_text("- 10m Z2-Z3")
    assert zones.workout["steps"][0]["target"] == {"type": "POWER", "min": 56, "max": 90, "unit": "PERCENT"}
    assert notes_of(zones) == ["line 1: 'Z2-Z3' read as 56-90 % (a step takes one zone; these span those percents)"]
    lap = read_text("- 9m Z2 press lap")
    assert lap.workout["steps"][0]["duration"] == {"type": "OPEN"}
    assert notes_of(lap) == ["line 1: press lap: the step lasts until the athlete presses lap (its 9m is not kept)"]
    unnamed = read_text("- 10m 75%")
    assert unnamed.workout["name"] == "Imported workout"
    assert unnamed.notes == ["name: the text has no name line; the workout is named 'Imported workout'"]


def test_intensity_follows_sections_then_work_then_the_explicit_word():
    steps = read_text(
        "Warm up\n- 10m 50%\n\n- 5m 40%\n- 5m 95%\n- 2m 50%\n- 2m Z1\n- 2m\n- 2m 200w\n- 2m 50% intensity=rest\n\n"
        "Cool-down\n- 5m 80%").workout["steps"]
    assert [s["intensity"] for s in steps] == [
        "WARMUP", "ACTIVE", "ACTIVE", "RECOVERY", "RECOVERY", "RECOVERY", "ACTIVE", "REST", "COOLDOWN"]


# -- refusals, with their lines -------------------------------------------------------------------

def test_each_problem_names_its_line():
    assert problems_of("Bad\n\n- 10m 75% quickly") == ["3: unknown 'quickly'"]
    assert problems_of("- Easy 75%") == ["1: a step needs a duration, such as 10m, 30s, 2km or 400mtr"]
    assert problems_of("- 10m 75% Z2") == ["1: a step takes one target; this one has 75% and Z2"]
    assert problems_of("- 10m 95% LTHR", "RUN") == [
        "1: '95% LTHR': a percent of threshold heart rate cannot be held (our heart-rate percents are of max "
        "heart rate); write it as % HR or in bpm"]
    assert problems_of("- 10m ramp 75%") == ["1: a ramp needs two values, as in 'ramp 50-75%' ('75%')"]
    assert problems_of("x\n\n- 10m 50%\n- 2km ramp 50-75%") == ["4: a ramp needs a TIME duration"]
    assert problems_of("- 10m intensity=hard") == [
        "1: 'intensity=hard': intensity= takes one of warmup, active, interval, recovery, rest, cooldown"]
    assert problems_of("3x\n- 5m 80%\n    - 1m 120%") == [
        "3: this step is indented more than the steps above it, with no repeat header (such as 2x) over it"]
    assert problems_of("- 100x 1m 120%") == ["1: repeat must be a whole number from 2 to 99"]
    assert problems_of("3x\n- 5m 80%\n  2x\n  - 1m\n    4x\n    - 1m") == ["5: repeat blocks may nest at most 2 deep"]
    assert problems_of("- 10m 250w 90rpm", "RUN") == ["1: cadence target is only allowed for BIKE"]
    assert problems_of("- 10m Z8") == ["1: 'Z8': POWER zones are Z1 to Z7"]
    assert problems_of("- 10m 250%", "SWIM") == ["1: PACE percents must be between 30 and 200 %"]
    assert problems_of("- 25h 50%") == ["1: TIME duration must be at most 24 h (86,400 s)"]
    assert problems_of("- 10m HR") == ["1: 'HR' needs a value before it, as in 'Z2 HR' or '70% HR'"]
    assert problems_of("- 10m 300w HR") == ["1: '300w hr': hr does not go with 300w"]
    assert problems_of("- Go <!> 10m 50%") == ["1: a prompt before <!> needs its time, as in '30^Spin up <!>' ('Go')"]
    assert problems_of("Name only\n\nJust some words") == [
        "the text holds no steps (a step is a line such as '- 10m 75%')"]


def test_several_problems_are_all_reported_in_line_order():
    got = problems_of("Bad\n\n- 10m 75% quickly\n- 5m\n- 10m 75% Z2\n- 3m 60% 70% 80%")
    assert got == ["3: unknown 'quickly'", "5: a step takes one target; this one has 75% and Z2",
                   "6: a step takes one target; this one has 60% and 70% and 80%"]
    assert str(LineProblem(3, None, "unknown 'x'")) == "3: unknown 'x'"
    assert str(LineProblem(None, "Workout/SteadyState[2]", "no Duration")) == "Workout/SteadyState[2]: no Duration"


# -- hostile input --------------------------------------------------------------------------------------

def refused_quickly(data, fmt="text"):
    """How quickly is measured in bench/formats.py."""
    with pytest.raises(ReadError) as error:
        read(data, fmt)
    assert error.value.problems and all(isinstance(p, LineProblem) for p in error.value.problems)
    return [str(p) for p in error.value.problems]


def test_hostile_text_is_refused_quickly_with_a_clear_problem():
    assert refused_quickly("- 10m 75%\n" * 110_000) == [
        f"the file is 1,100,000 bytes; at most {MAX_BYTES:,} are read"]
    assert refused_quickly("- 10m 75%\n" * 10_000) == ["the text has 10,001 lines; at most 2,000 are read"]
    assert refused_quickly(b"- 10m 75%\x00\n") == ["1: a control character (U+0000) is not text"]
    assert refused_quickly(b"- 10m \xff\xfe 75%") == ["1: the file is not UTF-8 text"]
    assert refused_quickly("- " + "a" * 6000 + " 10m") == ["1: the line is 6,006 characters long; at most 5,000 are read"]
    assert refused_quickly("- 1" + "0" * 40 + "m 75%") == ["1: the number 100000000000… is too long to be one"]
    assert refused_quickly("- 99999999999h 75%") == ["1: TIME duration must be at most 24 h (86,400 s)"]
    assert refused_quickly("- 10m 9999999999%") == ["1: POWER percents must be between 1 and 1,000 %"]
    deep = "".join(" " * i + ("3x\n" if i % 2 == 0 else "- 1m\n") for i in range(1000))
    problems = refused_quickly(deep)
    assert problems[0] == "5: repeat blocks may nest at most 2 deep" and len(problems) <= 30
    bomb = "99x\n" + "".join("  " * d + "99x\n" for d in range(1, 3)) + "      - 1m 75%"
    assert refused_quickly(bomb) == ["3: repeat blocks may nest at most 2 deep"]
    wide = "99x\n- 1m 75%\n  99x\n  - 1m 75%"
    assert refused_quickly(wide) == ["steps: at most 200 steps after expanding repeats (this one has 9,900)"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300) | st.lists(st.sampled_from(
    ["- ", "10m", " ", "\n", "3x", "  ", "ramp", "75%", "-", "Z2", "HR", "Pace", "<!>", "30^", "//", "rpm", "press lap",
     "4:30/km", "1e9", "%", "w", "x", "\t", "Warmup", "intensity=rest", "0", "99999999"]), max_size=60).map("".join))
def test_any_text_reads_to_a_valid_workout_or_to_line_problems(text):
    try:
        imported = read(text, "text", "RUN")
    except ReadError as error:
        assert error.problems and all(str(problem) for problem in error.problems)
        return
    assert isinstance(imported, Imported) and check_workout(imported.workout) == []


# -- writing -------------------------------------------------------------------------------------------

@SETTINGS
@given(text_workouts())
def test_every_workout_the_text_holds_reads_back_the_same(w):
    written = write(w)
    assert written.notes == []
    assert read_text(written.text, w["sport"]).workout == w


def shape(items):
    """The structure the text keeps whatever else it adapts: repeats, intensities, kinds of duration."""
    return [("repeat", item["repeat"], shape(item["steps"])) if "repeat" in item
            else (item["intensity"], item["duration"]["type"]) for item in items]


@SETTINGS
@given(workouts_v3() | workouts())
def test_every_valid_workout_is_written_as_text_that_reads_back_valid_and_alike(w):
    written = write(w)
    imported = read(written.text, "text", w["sport"])
    assert check_workout(imported.workout) == []
    name = w["name"].strip()
    assert imported.workout["name"] == (name.lstrip("- ") or "Imported workout" if name.startswith("-") else name)
    assert shape(imported.workout["steps"]) == shape(w["steps"])


def test_the_writer_says_what_the_text_cannot_hold():
    w = {"sport": "BIKE", "name": " Odd one ", "location": "INDOOR", "description": "- first line\n\n",
         "steps": [
             {"intensity": "ACTIVE", "name": "Z2 effort", "duration": {"type": "TIME", "value": 600},
              "target": {"type": "CADENCE", "min": 85, "max": 95}},
             {"intensity": "REST", "duration": {"type": "OPEN"}, "notes": "Line one\nline two",
              "cues": [{"at": 5, "text": "wait <!> here"}]},
         ]}
    written = write(w)
    assert written.text == ("Odd one\n– first line\n\n"
                            "- 10m 85-95rpm // Z2 effort\n"
                            "- 5^wait < !> here <!> 5m press lap intensity=rest // Line one line two\n")
    assert written.notes == [
        "name: written without its surrounding spaces",
        "description: line 1 written with '–' for its leading '-', which would read as a step",
        "description: written without its blank edges, trailing spaces or carriage returns",
        "steps[0]: its name 'Z2 effort' is written as its notes: in the text it would read as more than a name",
        "steps[0]: its CADENCE target is written as the step's cadence (the text has no cadence target)",
        "steps[1]: its notes are written on one line, without surrounding spaces or '<!>'",
        "steps[1]: a cue is written without '<!>' and surrounding spaces, which end a prompt",
        "location: not written: the text has no place for it",
    ]
    back = read_text(written.text).workout
    assert back["steps"][1]["duration"] == {"type": "OPEN"} and back["steps"][1]["intensity"] == "REST"


def test_the_spec_example_and_easy_run_as_text():
    assert write_text(SPEC_EXAMPLE) == (
        "4x8 min threshold\nStay seated on the efforts.\n\n"
        "Warmup\n- 10m Z2\n\n"
        "4x\n- 8m 250-265w 85-95rpm\n- 2m Z1\n\n"
        "Cooldown\n- 2km\n")
    assert read_text(write_text(SPEC_EXAMPLE)).workout == {
        **{k: v for k, v in SPEC_EXAMPLE.items() if k != "steps"},
        "steps": [SPEC_EXAMPLE["steps"][0], SPEC_EXAMPLE["steps"][1],
                  {"intensity": "COOLDOWN", "duration": {"type": "DISTANCE", "value": 2000}}]}
    assert write_text(EASY_RUN) == "Easy run\n\n- 45m 130-145bpm\n"


def with_sorted_cues(items):
    out = []
    for item in items:
        item = dict(item)
        if "repeat" in item:
            item["steps"] = with_sorted_cues(item["steps"])
        elif "cues" in item:
            item["cues"] = sorted(item["cues"], key=lambda cue: cue["at"])
        out.append(item)
    return out


@SETTINGS
@given(text_workouts(sports=("BIKE", "RUN", "ROW", "OTHER")))
def test_a_normalized_workout_is_written_as_the_coach_wrote_it(w):
    from workouts import Thresholds, normalize

    normalized = normalize(w, Thresholds(ftp_watts=250, max_heart_rate=190, threshold_pace_sec_per_km=300))
    assert write_text(normalized) == write_text(dict(w, steps=with_sorted_cues(w["steps"])))  # the normalizer sorts cues


def test_a_normalized_swim_is_written_per_100_m():
    from workouts import Thresholds, normalize

    swim = read_text(SWIM, "SWIM").workout
    assert write_text(normalize(swim, Thresholds(swim_threshold_pace_sec_per_100m=100))) == SWIM


def test_the_writer_refuses_an_invalid_workout():
    with pytest.raises(WorkoutInvalid):
        write({"sport": "BIKE", "name": "x", "steps": []})


# -- the shared interface --------------------------------------------------------------------------------

def test_formats_read_dispatches_by_name_and_extension():
    assert format_for("tuesday.TXT") == "text" and format_for("a.zwo") == "zwo" and format_for("a.pdf") is None
    imported = read(THRESHOLD.encode(), "text")
    assert imported.workout == read_text(THRESHOLD).workout
    assert read("\ufeff" + THRESHOLD, "text").workout["name"] == "Threshold over-unders"  # a byte-order mark
    with pytest.raises(ReadError) as error:
        read(b"x", "docx")
    assert str(error.value) == "unknown format 'docx' (one of zwo, erg, mrc, fit, text)"
    with pytest.raises(ReadError) as error:
        read(THRESHOLD, "text", "SKI")
    assert str(error.value) == "sport: must be one of BIKE, RUN, SWIM, ROW, OTHER"
