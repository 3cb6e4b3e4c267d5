"""The Suunto converter: each rule of suunto-research.md it follows and each adaptation it makes
(with its note), one by one; then over generated workouts.  Every guide here also passes the
sandbox's rules for Suunto (sandbox/suunto_rules.py, which shares no code with the converter),
in both step forms and both ZIP forms."""

from __future__ import annotations

import copy
import json
import zipfile
from datetime import date
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings

from providers.suunto import PROVIDER
from providers.suunto import convert as suunto
from providers.suunto.archive import (
    THREE_FILES,
    TRIGGER,
    TWO_FILES,
    archive,
    external_id,
    guide_document,
    icon_png,
    read_archive,
)
from providers.verdict import ADAPTED, EXACT, UNSUPPORTED
from sandbox.suunto_rules import Rules, check_guide, png_size
from sandbox.suunto_rules import read_archive as sandbox_read
from tests.support.strategies import thresholds, workouts, workouts_v3
from tests.support.suunto import same_guide
from tests.support.workouts import SPEC_EXAMPLE
from tests.test_engine_properties import raw_paths
from workouts import Thresholds, prepare

OWNER = "HybridPeaks"
DAY = date(2026, 11, 24)
ATHLETE = Thresholds(ftp_watts=250, max_heart_rate=190, threshold_pace_sec_per_km=270,
                     swim_threshold_pace_sec_per_100m=100)


def step(intensity="ACTIVE", kind="TIME", value=60, target=None, **extra):
    data = {"intensity": intensity, "duration": {"type": kind} if kind == "OPEN" else {"type": kind, "value": value}}
    if target is not None:
        data["target"] = target
    data.update(extra)
    return data


def run(*steps, sport="RUN", **extra):
    return {"sport": sport, "name": "Session", "steps": list(steps), **extra}


def document(made, style="transitions"):
    return guide_document(made.payload, owner=OWNER, url="https://hybridpeaks.test/", external="hybridpeaks-1-r1",
                          day=DAY, style=style)


def suunto_fit(raw: dict, th: Thresholds | None = None):
    """The verdict, its guide checked against the sandbox's rules in both forms: no problem,
    no warning."""
    th = th or Thresholds()
    made = suunto.fit(prepare(raw, th), th)
    if made.level != UNSUPPORTED:
        for style, rules in (("transitions", Rules(owner=OWNER)), (TRIGGER, Rules(owner=OWNER, step_ends="trigger"))):
            checked = check_guide(document(made, style), rules)
            assert (checked.problems, checked.warnings) == ([], []), made.notes
    return made


def fields_steps(steps):
    """Every fields step in the order the watch plays them (repeats written out)."""
    out = []
    for guide_step in steps:
        if guide_step["type"] == "repeat":
            out.extend(fields_steps(guide_step["steps"]) * guide_step["times"])
        elif guide_step["type"] == "fields":
            out.append(guide_step)
    return out


def keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(keys(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(keys(item) for item in value))
    return set()


def field(guide_step, kind):
    return next(f for f in guide_step["fields"] if f["type"] == kind)


def ending(guide_step):
    return guide_step["transitions"][0]["condition"]


# -- the guide ------------------------------------------------------------------------------------

def test_the_spec_example_is_exact_with_a_native_repeat_and_absolute_targets():
    made = suunto_fit(SPEC_EXAMPLE, ATHLETE)
    assert made.level == EXACT and made.notes == ()
    guide = made.payload
    assert (guide["type"], guide["usage"], guide["name"], guide["shortDescription"]) == (
        "sequence", "workout", "4x8 min threshold", "4x8 min threshold")
    assert guide["description"] == "Stay seated on the efforts."
    assert guide["activities"] == [2, 10, 52]  # cycling, mountain biking, indoor cycling: never 3 (skiing)
    warmup, repeat, cooldown = guide["steps"]
    assert field(warmup, "targetPower") == {"type": "targetPower", "value": 164, "min": 140, "max": 188}  # zone 2
    assert repeat["type"] == "repeat" and repeat["times"] == 4 and len(repeat["steps"]) == 2
    effort = repeat["steps"][0]
    assert field(effort, "targetPower") == {"type": "targetPower", "value": 257.5, "min": 250, "max": 265}
    assert field(effort, "targetCadence") == {"type": "targetCadence", "value": 1.5, "min": 1.4167, "max": 1.5833}
    assert ending(effort) == {"type": "or", "conditions": [{"type": "stepDuration", "value": 480},
                                                          {"type": "manualLap"}]}
    assert field(effort, "stepDurationCountdown")["value"] == 480 and effort["createManualLap"] is True
    assert ending(cooldown)["conditions"][0] == {"type": "stepDistance", "value": 2000}
    assert field(cooldown, "stepDistanceCountdown")["value"] == 2000
    assert "id" not in keys(guide)  # no step ids anywhere (Suunto refuses them inside repeats)


def test_the_targets_first_then_a_measurement_then_the_countdown():
    made = suunto_fit(run(step(target={"type": "HEART_RATE", "min": 140.4, "max": 151.6}),
                          step(kind="OPEN")))
    hr, lap = made.payload["steps"]
    assert [f["type"] for f in hr["fields"]] == ["targetHeartRate", "heartRate", "stepDurationCountdown"]
    assert field(hr, "targetHeartRate") == {"type": "targetHeartRate", "value": 146, "min": 140, "max": 152}
    assert ending(lap) == {"type": "manualLap"}  # a lap-press step
    assert [f["type"] for f in lap["fields"]] == ["pace", "heartRate", "duration"]


def test_a_pace_is_a_speed_in_metres_per_second_and_its_range_inverts():
    made = suunto_fit(run(step(target={"type": "PACE", "min": 255, "max": 265})))
    assert field(made.payload["steps"][0], "targetPace") == {"type": "targetPace", "value": 3.8476,
                                                              "min": 3.7736, "max": 3.9216}


def test_a_swim_is_pool_swimming_and_its_pace_per_100_m_is_a_speed_too():
    made = suunto_fit(run(step(kind="DISTANCE", value=100, target={"type": "PACE", "min": 95, "max": 100}),
                          sport="SWIM"))
    assert made.payload["activities"] == [21]
    assert field(made.payload["steps"][0], "targetPace")["min"] == 1.0  # 1:40 /100 m


@pytest.mark.parametrize("location, ids", [("INDOOR", [53]), ("OUTDOOR", [1, 22]), (None, [1, 22, 53])])
def test_activities_follow_the_location(location, ids):
    raw = run(step())
    if location:
        raw["location"] = location
    assert suunto_fit(raw).payload["activities"] == ids


def test_rowing_goes_with_rowing_ids_and_other_is_unsupported():
    assert suunto_fit(run(step(), sport="ROW")).payload["activities"] == [15, 57]
    made = suunto_fit(run(step(), sport="OTHER"))
    assert made.level == UNSUPPORTED and made.payload is None
    assert made.notes[0].startswith("sport: Suunto shows a guide in the sport modes it names")
    assert "OTHER" not in PROVIDER.sports and PROVIDER.takes("SWIM")


# -- targets the athlete's thresholds resolve ------------------------------------------------------

def test_zones_and_percents_resolve_against_the_athletes_thresholds():
    made = suunto_fit(run(step(target={"type": "HEART_RATE", "zone": 3}),
                          step(target={"type": "PACE", "min": 95, "max": 105, "unit": "PERCENT"})), ATHLETE)
    assert made.level == EXACT
    zone3, percent = made.payload["steps"]
    assert (field(zone3, "targetHeartRate")["min"], field(zone3, "targetHeartRate")["max"]) == (133, 152)
    assert field(percent, "targetPace")["max"] == round(1000 / 257, 4)  # 105 % of threshold speed


@pytest.mark.parametrize("target, missing", [
    ({"type": "HEART_RATE", "zone": 2}, "maximum heart rate"),
    ({"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}, "FTP"),
    ({"type": "PACE", "zone": 4}, "threshold pace"),
])
def test_without_the_threshold_a_step_goes_without_a_target_its_notification_naming_it(target, missing):
    sport = "BIKE" if target["type"] == "POWER" else "RUN"
    made = suunto_fit(run(step(target=target), sport=sport))
    assert made.level == ADAPTED
    guide_step = made.payload["steps"][0]
    assert not any(f["type"].startswith("target") for f in guide_step["fields"])
    assert made.notes == (f"steps[0]: {made.notes[0].split(': ', 1)[1]}",)
    assert made.notes[0].endswith(f"the athlete's {missing} is missing")
    shown = guide_step["notification"]["text"]
    assert ("zone" in shown) or ("% FTP" in shown)


def test_a_swim_pace_zone_names_the_swim_threshold():
    made = suunto_fit(run(step(kind="DISTANCE", value=100, target={"type": "PACE", "zone": 2}), sport="SWIM"))
    assert made.notes[0].endswith("the athlete's swim threshold pace is missing")


def test_a_heart_rate_over_250_is_capped_at_what_suunto_takes():
    normalized = prepare(run(step(target={"type": "HEART_RATE", "min": 200, "max": 210})))
    normalized["steps"][0]["target"] = {"type": "HEART_RATE", "min": 240, "max": 262}  # as a resolved zone could be
    made = suunto.fit(normalized)
    assert field(made.payload["steps"][0], "targetHeartRate") == {"type": "targetHeartRate", "value": 245,
                                                                   "min": 240, "max": 250}
    assert made.notes == ("steps[0]: a heart rate of 262 bpm is over the 250 Suunto takes: the target ends at 250",)


# -- ramps, cues, repeats ----------------------------------------------------------------------------

def test_a_ramp_is_sent_as_steps_with_the_same_time():
    made = suunto_fit(run(step(value=600, target={"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}),
                          sport="BIKE"), ATHLETE)
    assert made.level == ADAPTED
    assert made.notes == ("steps[0]: a ramp 50→75 % FTP · 125→188 W sent as 5 steps of 2 min (a guide step holds no ramp)",)
    slices = made.payload["steps"]
    assert [field(s, "stepDurationCountdown")["value"] for s in slices] == [120] * 5
    assert field(slices[0], "targetPower")["min"] == 125 and field(slices[-1], "targetPower")["max"] == 188


def test_a_ramp_without_the_threshold_goes_without_a_target():
    made = suunto_fit(run(step(value=600, target={"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}),
                          sport="BIKE"))
    assert len(made.payload["steps"]) == 1
    assert made.notes == ("steps[0]: a ramp 50→75 % FTP is sent without a target (the step's notification names it): "
                          "the athlete's FTP is missing",)
    assert made.payload["steps"][0]["notification"]["text"] == "ramp 50>75 % FTP"


def test_cues_pop_up_at_their_time_the_timed_step_split_there():
    made = suunto_fit(run(step(value=600, name="Tempo", cues=[{"at": 0, "text": "Go"}, {"at": 300, "text": "Halfway"}])))
    first, second = made.payload["steps"]
    assert [field(s, "stepDurationCountdown")["value"] for s in (first, second)] == [300, 300]
    assert first["notification"] == {"title": "Tempo", "text": "Go"}
    assert second["notification"] == {"title": "Tempo", "text": "Halfway"}
    assert first["createManualLap"] is True and "createManualLap" not in second  # one lap for the coach's step
    assert made.notes == ("steps[0]: its cues pop up at 5:00: the step is shown as 2 screens split there, each "
                          "counting down its own part (a lap press ends only the current one)",)


def test_a_cue_at_the_start_is_exact_and_cues_of_a_distance_step_are_folded():
    assert suunto_fit(run(step(cues=[{"at": 0, "text": "Go"}]))).level == EXACT
    made = suunto_fit(run(step(kind="DISTANCE", value=1000, cues=[{"at": 60, "text": "Relax"}])))
    assert made.payload["steps"][0]["notification"]["text"] == "1:00 Relax"
    assert made.notes == ("steps[0]: its cues are in the notification at the start of the step (Suunto shows a "
                          "notification when a step starts, and this step is not timed)",)


def test_a_repeat_in_a_repeat_is_sent_one_level_deep():
    inner = {"repeat": 3, "steps": [step(value=30), step("RECOVERY", value=30)]}
    made = suunto_fit(run({"repeat": 2, "steps": [inner, step("REST", value=120)]}))
    assert made.notes == ("steps[0]: a repeat holding a repeat is sent with the inner repeat written out (Suunto's "
                          "repeats do not nest)",)
    (repeat,) = made.payload["steps"]
    assert repeat["times"] == 2 and all(s["type"] == "fields" for s in repeat["steps"]) and len(repeat["steps"]) == 7
    many = {"repeat": 10, "steps": [step(value=30)]}
    made = suunto_fit(run({"repeat": 2, "steps": [many]}))
    assert [s["type"] for s in made.payload["steps"]] == ["repeat", "repeat"]  # the outer written out: fewer steps
    assert "its 2 repetitions written out" in made.notes[0]


def test_fractions_of_a_second_are_rounded_keeping_the_whole():
    made = suunto_fit(run(step(value=90.5)))
    assert field(made.payload["steps"][0], "stepDurationCountdown")["value"] == 91
    assert made.notes == ("steps[0]: a 90.5 s step is sent as 91 s (Suunto steps count whole seconds)",)


def test_a_guide_over_1000_steps_folds_its_cues_and_cuts_its_ramps():
    ramp = step(value=600, notes="n", target={"type": "POWER", "from": 50, "to": 90, "unit": "PERCENT"},
                cues=[{"at": 100, "text": "a"}, {"at": 200, "text": "b"}])
    made = suunto_fit({"sport": "BIKE", "name": "Big", "steps": [{"repeat": 50, "steps": [ramp] * 4}]}, ATHLETE)
    assert suunto.played(made.payload["steps"]) <= suunto.MAX_STEPS
    assert made.notes[-1].startswith("steps: the guide would be over Suunto's 1000 steps: cues are folded")


# -- texts -------------------------------------------------------------------------------------------

def test_a_long_name_is_the_title_cut_and_the_whole_name_in_the_notification():
    made = suunto_fit(run(step(name="Steady climb to the top", notes="Stay seated")))
    guide_step = made.payload["steps"][0]
    assert guide_step["title"] == "Steady climb"
    assert guide_step["notification"] == {"title": "Steady climb", "text": "Steady climb to the top\nStay seated"}
    assert made.level == EXACT  # nothing is lost


def test_the_notification_is_cut_to_54_characters_said_so():
    made = suunto_fit(run(step(notes="Keep the cadence high and the shoulders loose, breathe out on every stroke")))
    text = made.payload["steps"][0]["notification"]["text"]
    assert len(text) <= 54
    assert made.notes == (f"steps[0]: its notification shows “{text}” (a notification holds 54 characters and six "
                          "lines)",)


def test_the_watch_texts_keep_to_its_character_set():
    made = suunto_fit(run(step(name="Côte ½", notes="Zügig – ruhig"), name="Hügel ✓"))
    guide = made.payload
    assert guide["name"] == "Hügel ✓"  # the app shows it as written
    assert guide["shortDescription"] == "Hugel"
    assert guide["steps"][0]["title"] == "Cote 1/2" and guide["steps"][0]["notification"]["text"] == "Zugig - ruhig"
    assert set(made.notes) == {
        "name: the watch's list of guides shows it as “Hugel” (23 characters, in the characters the watch renders)",
        "steps[0]: its name is shown as “Cote 1/2” (the watch renders only basic Latin letters, digits and punctuation)",
        "steps[0]: its texts are shown in other characters (the watch renders only basic Latin letters, digits and "
        "punctuation)"}


def test_a_name_the_watch_cannot_show_falls_back_to_the_intensity_and_the_sport():
    made = suunto_fit(run(step("WARMUP", name="热身"), name="跑步"))
    assert made.payload["steps"][0]["title"] == "Warm-up" and made.payload["shortDescription"] == "Run"


def test_top_level_limits_name_60_description_256():
    made = suunto_fit(run(step(), name="N" * 70, description="D" * 300))
    assert len(made.payload["name"]) == 60 and len(made.payload["description"]) == 256
    assert "name: the name is cut to Suunto's 60 characters" in made.notes[0]
    assert "description: the description is cut to Suunto's 256 characters" in made.notes
    assert suunto_fit(run(step())).payload["description"] == "Session"  # required: the name when there is none


# -- the document and the ZIP -----------------------------------------------------------------------

def test_the_document_adds_owner_url_day_and_the_revisions_external_id_without_touching_the_payload():
    made = suunto_fit(SPEC_EXAMPLE, ATHLETE)
    kept = copy.deepcopy(made.payload)
    doc = guide_document(made.payload, owner=OWNER, url="https://hybridpeaks.test/", external=external_id(7, 3),
                         day=DAY)
    assert (doc["owner"], doc["localDate"], doc["externalId"]) == (OWNER, "2026-11-24", "hybridpeaks-7-r3")
    assert made.payload == kept
    with pytest.raises(ValueError, match="owner"):
        guide_document(made.payload, owner="", url="https://x.test/", external="x", day=DAY)
    with pytest.raises(ValueError, match="url"):
        guide_document(made.payload, owner=OWNER, url="ftp://x", external="x", day=DAY)


def test_the_2021_form_has_triggers_and_notification_steps():
    made = suunto_fit(run(step(name="Tempo", notes="Easy"), {"repeat": 2, "steps": [step(notes="Hard"), step("REST")]},
                          step(kind="OPEN")))
    steps = document(made, TRIGGER)["steps"]
    assert [s["type"] for s in steps] == ["notification", "fields", "repeat", "fields"]
    assert steps[0] == {"type": "notification", "fields": [{"type": "text", "value": "Easy"}]}
    assert steps[1]["trigger"] == {"type": "or", "triggers": [{"type": "stepDuration", "value": 60},
                                                             {"type": "manualLap"}]}
    assert "transitions" not in steps[1] and "notification" not in steps[1]
    assert [s["type"] for s in steps[2]["steps"]] == ["notification", "fields", "fields"]
    assert steps[3]["trigger"] == {"type": "manualLap"}
    assert check_guide(document(made, TRIGGER), Rules(step_ends="transitions")).problems  # each form, its rules


@pytest.mark.parametrize("files, names", [(TWO_FILES, ["guide.json", "icon.png"]),
                                          (THREE_FILES, ["manifest.json", "guide.json", "icon.png"])])
def test_the_zip_in_either_form_the_same_bytes_each_time(files, names):
    doc = document(suunto_fit(SPEC_EXAMPLE, ATHLETE))
    data = archive(doc, files)
    assert data == archive(doc, files)  # fixed timestamps
    with zipfile.ZipFile(BytesIO(data)) as zipped:
        assert zipped.namelist() == names
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in zipped.infolist())
        if files == THREE_FILES:
            assert json.loads(zipped.read("manifest.json")) == {"name": doc["name"], "type": "sequence",
                                                               "owner": OWNER, "description": doc["description"]}
    assert read_archive(data) == doc
    held = sandbox_read(data, Rules(archive="three" if files == THREE_FILES else "two"))
    assert held.guide == doc and png_size(held.icon) == (300, 300) == png_size(icon_png())


def test_a_readback_with_floats_and_default_notification_types_is_the_same_guide():
    doc = document(suunto_fit(run(step(notes="x", target={"type": "POWER", "min": 200, "max": 220}), sport="BIKE")))
    read = json.loads(json.dumps(doc).replace(": 200,", ": 200.0,"))
    read["steps"][0]["notification"]["type"] = "default"
    assert same_guide(doc, read)
    read["steps"][0]["fields"][0]["min"] = 201
    assert not same_guide(doc, read)


# -- every valid workout ------------------------------------------------------------------------------

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same_work(normalized: dict, guide: dict) -> None:
    """The guide plays the coach's durations: the total time (each step to the second) and
    distance, and every lap-press step."""
    played = fields_steps(guide["steps"])
    time = sum(ending(s)["conditions"][0]["value"] for s in played
               if ending(s)["type"] == "or" and ending(s)["conditions"][0]["type"] == "stepDuration")
    distance = sum(ending(s)["conditions"][0]["value"] for s in played
                   if ending(s)["type"] == "or" and ending(s)["conditions"][0]["type"] == "stepDistance")
    laps = sum(1 for s in played if ending(s) == {"type": "manualLap"})
    steps = normalized["steps"]
    timed = [s["duration"]["value"] for s in steps if s["duration"]["type"] == "TIME"]
    assert abs(time - sum(timed)) <= 0.5 * len(timed) + 1e-9
    assert abs(distance - sum(s["duration"]["value"] for s in steps if s["duration"]["type"] == "DISTANCE")) \
        <= 0.5 * len(steps)
    assert laps == sum(1 for s in steps if s["duration"]["type"] == "OPEN")


@SETTINGS
@given(workouts() | workouts_v3(), thresholds)
def test_every_valid_workout_is_exact_adapted_or_unsupported_and_every_guide_passes_suuntos_rules(workout, limits):
    th = Thresholds(**limits)
    normalized = prepare(workout, th)
    kept = copy.deepcopy(normalized)
    made = suunto.fit(normalized, th)
    assert normalized == kept  # the converter never changes the caller's workout
    assert made.level in (EXACT, ADAPTED, UNSUPPORTED)
    assert (made.level == EXACT) == (not made.notes)
    paths = raw_paths(workout["steps"]) | {"sport", "steps", "name", "description"}
    for note in made.notes:
        assert note.split(": ", 1)[0] in paths, note  # every note names a real step of the coach's workout
    if made.level == UNSUPPORTED:
        assert made.payload is None and workout["sport"] not in suunto.SPORTS
        return
    assert suunto.played(made.payload["steps"]) <= suunto.MAX_STEPS
    assert_same_work(normalized, made.payload)
    for style, files, rules in (("transitions", TWO_FILES, Rules(owner=OWNER, archive="two")),
                                (TRIGGER, THREE_FILES, Rules(owner=OWNER, archive="three", step_ends="trigger",
                                                             step_count="expanded"))):
        doc = document(made, style)
        held = sandbox_read(archive(doc, files), rules)
        checked = check_guide(held.guide, rules)
        assert (checked.problems, checked.warnings) == ([], []), made.notes
