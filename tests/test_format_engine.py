"""The third round of the workout format in the engine: percent targets, ramps and cues
(validation, normalization, texts, profile), and the helpers converters call: ramps.ramp_steps
and simplify.simplify, held to the same work (workouts/work.py)."""

from __future__ import annotations

import copy
import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.support.strategies import thresholds, workouts_v3
from tests.support.workouts import SPEC_EXAMPLE, workout
from workouts import Thresholds, WorkoutInvalid, check_workout, normalize, prepare, totals
from workouts.profile import draw
from workouts.ramps import ramp_steps, split_ramps
from workouts.simplify import CannotSimplify, simplify
from workouts.text import target_text
from workouts.work import step_work, workload
from workouts.zones import ZONE_TABLES, resolve_percent, resolve_range, resolve_zone

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FTP = Thresholds(ftp_watts=280, max_heart_rate=190, threshold_pace_sec_per_km=240, swim_threshold_pace_sec_per_100m=100)


def one_step(sport="BIKE", **step):
    base = {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600}}
    base.update(step)
    return {"sport": sport, "name": "One step", "steps": [base]}


def problems(w):
    return [str(p) for p in check_workout(w)]


# -- validation: every new rule names the step and the rule ----------------------------------------

def test_percent_targets_of_every_type_are_valid():
    for sport, kind in (("BIKE", "POWER"), ("RUN", "HEART_RATE"), ("RUN", "PACE"), ("SWIM", "PACE")):
        assert problems(one_step(sport, target={"type": kind, "min": 80, "max": 95, "unit": "PERCENT"})) == []
    assert problems(one_step(target={"type": "POWER", "min": 250, "max": 265, "unit": "ABSOLUTE"})) == []


@pytest.mark.parametrize("kind, low, high, rule", [
    ("POWER", 0, 90, "POWER percents must be between 1 and 1,000 %"),
    ("POWER", 90, 1001, "POWER percents must be between 1 and 1,000 %"),
    ("HEART_RATE", 20, 90, "HEART_RATE percents must be between 30 and 120 %"),
    ("PACE", 80, 250, "PACE percents must be between 30 and 200 %"),
])
def test_percents_out_of_their_plausible_range_are_refused(kind, low, high, rule):
    sport = "RUN" if kind == "PACE" else "BIKE"
    assert problems(one_step(sport, target={"type": kind, "min": low, "max": high, "unit": "PERCENT"})) == [
        f"steps[0]: {rule}"]


def test_units_are_checked_and_cadence_takes_no_percent():
    assert problems(one_step(target={"type": "POWER", "min": 80, "max": 90, "unit": "FTP"})) == [
        "steps[0]: target unit must be ABSOLUTE or PERCENT"]
    assert problems(one_step(target={"type": "CADENCE", "min": 80, "max": 90, "unit": "PERCENT"})) == [
        "steps[0]: a CADENCE target takes no PERCENT unit (cadence has no threshold)"]
    assert problems(one_step(target={"type": "POWER", "zone": 2, "unit": "PERCENT"})) == [
        "steps[0]: a zone target takes no unit"]
    assert problems(one_step(target={"type": "POWER", "min": 80, "max": 90, "unit": "PERCENT", "of": "FTP"})) == [
        "steps[0]: unknown field 'of' in target"]


def test_a_ramp_is_valid_on_a_time_step_up_or_down_absolute_or_percent():
    for target in ({"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"},
                   {"type": "POWER", "from": 300, "to": 150},
                   {"type": "HEART_RATE", "from": 120, "to": 160}):
        assert problems(one_step(target=target)) == []
    assert problems(one_step("RUN", target={"type": "PACE", "from": 360, "to": 240})) == []
    assert problems(one_step("SWIM", target={"type": "PACE", "from": 130, "to": 100})) == []  # per 100 m


@pytest.mark.parametrize("duration", [{"type": "DISTANCE", "value": 2000}, {"type": "OPEN"}])
def test_a_ramp_on_a_distance_or_open_step_is_refused_naming_the_step(duration):
    w = workout(SPEC_EXAMPLE)
    w["steps"][1]["steps"][0].update(duration=duration, target={"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"})
    assert problems(w) == ["steps[1].steps[0]: a ramp needs a TIME duration"]


def test_malformed_ramps_are_refused():
    assert problems(one_step(target={"type": "POWER", "from": 50, "unit": "PERCENT"})) == [
        "steps[0]: a ramp needs both from and to"]
    assert problems(one_step(target={"type": "POWER", "from": 50, "to": 70, "min": 50, "max": 70})) == [
        "steps[0]: target needs exactly one of zone, both min and max, or both from and to (a ramp)"]
    assert problems(one_step(target={"type": "CADENCE", "from": 80, "to": 100})) == [
        "steps[0]: a ramp is only for POWER, HEART_RATE or PACE targets"]
    assert problems(one_step(target={"type": "POWER", "from": 0, "to": 100})) == [
        "steps[0]: POWER values must be greater than 0 and at most 3,000 W"]
    assert problems(one_step(target={"type": "POWER", "from": "50", "to": 100})) == [
        "steps[0]: ramp from and to must be numbers"]
    assert problems(one_step("SWIM", target={"type": "PACE", "from": 130, "to": 1000})) == [
        "steps[0]: PACE values must be between 6 and 180 s/100 m"]


def test_cues_are_checked_one_by_one_with_their_path():
    w = workout(SPEC_EXAMPLE)
    w["steps"][1]["steps"][0]["cues"] = [
        {"at": 300, "text": "Halfway"},
        {"at": 480, "text": "Past the end"},
        {"at": -1, "text": "Before the start"},
        {"at": 10, "text": "x" * 201},
        {"at": 10, "text": "bell\x07"},
        {"at": 10, "text": "   "},
        {"at": 10},
    ]
    assert problems(w) == [
        "steps[1].steps[0].cues[1]: a cue's at must be within the step's 480 s",
        "steps[1].steps[0].cues[2]: a cue's at must be a number of seconds from 0",
        "steps[1].steps[0].cues[3]: cue text must be 1 to 200 characters",
        "steps[1].steps[0].cues[4]: cue text must not contain control characters",
        "steps[1].steps[0].cues[5]: cue text must be 1 to 200 characters",
        "steps[1].steps[0].cues[6]: a cue must be {at, text}",
    ]


def test_cue_limits_and_steps_whose_length_is_unknown():
    many = [{"at": i, "text": f"cue {i}"} for i in range(21)]
    assert problems(one_step(cues=many)) == ["steps[0]: at most 20 cues per step"]
    assert problems(one_step(cues="go")) == ["steps[0]: cues must be a list of {at, text}"]
    far = [{"at": 5000, "text": "Still going"}, {"at": 0, "text": "Go"}]  # unsorted is fine
    assert problems(one_step(duration={"type": "DISTANCE", "value": 2000}, cues=far)) == []
    assert problems(one_step(duration={"type": "OPEN"}, cues=far)) == []


# -- normalization ----------------------------------------------------------------------------------

def test_percent_ranges_resolve_like_zones_and_keep_their_percents():
    n = normalize(one_step(target={"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}), FTP)
    assert n["steps"][0]["target"] == {"type": "POWER", "percent": {"min": 88, "max": 94}, "min": 246, "max": 263}
    n = normalize(one_step("RUN", target={"type": "HEART_RATE", "min": 70, "max": 80, "unit": "PERCENT"}), FTP)
    assert n["steps"][0]["target"] == {"type": "HEART_RATE", "percent": {"min": 70, "max": 80}, "min": 133, "max": 152}


def test_a_faster_pace_is_a_higher_percent_of_threshold_speed():
    n = normalize(one_step("RUN", target={"type": "PACE", "min": 95, "max": 105, "unit": "PERCENT"}), FTP)
    # 240 s/km at 105 % of its speed is 229 s/km (the range's min, the faster end); at 95 %, 253 s/km.
    assert n["steps"][0]["target"] == {"type": "PACE", "percent": {"min": 95, "max": 105}, "min": 229, "max": 253}
    swim = normalize(one_step("SWIM", target={"type": "PACE", "min": 100, "max": 100, "unit": "PERCENT"}), FTP)
    assert swim["steps"][0]["target"]["min"] == swim["steps"][0]["target"]["max"] == 1000  # 1:40 /100 m, in s/km


def test_unresolved_percents_and_ramps_keep_only_their_percents():
    n = normalize(one_step(target={"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}), Thresholds())
    assert n["steps"][0]["target"] == {"type": "POWER", "percent": {"min": 88, "max": 94}}
    n = normalize(one_step(target={"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}), Thresholds())
    assert n["steps"][0]["target"] == {"type": "POWER", "percent": {"from": 50, "to": 75}}
    assert check_workout(n) == []


def test_ramps_normalize_to_canonical_units():
    n = normalize(one_step(target={"type": "POWER", "from": 75, "to": 50, "unit": "PERCENT"}), FTP)
    assert n["steps"][0]["target"] == {"type": "POWER", "percent": {"from": 75, "to": 50}, "from": 210, "to": 140}
    swim = normalize(one_step("SWIM", target={"type": "PACE", "from": 130, "to": 100}), FTP)
    assert swim["steps"][0]["target"] == {"type": "PACE", "from": 1300, "to": 1000}
    run = normalize(one_step("RUN", target={"type": "PACE", "from": 80, "to": 100, "unit": "PERCENT"}), FTP)
    assert run["steps"][0]["target"] == {"type": "PACE", "percent": {"from": 80, "to": 100}, "from": 300, "to": 240}


def test_cues_are_sorted_by_time_and_absent_when_there_are_none():
    cues = [{"at": 300, "text": "b"}, {"at": 30, "text": "a"}, {"at": 300, "text": "c"}]
    n = normalize(one_step(cues=cues))
    assert n["steps"][0]["cues"] == [{"at": 30, "text": "a"}, {"at": 300, "text": "b"}, {"at": 300, "text": "c"}]
    assert "cues" not in normalize(one_step())["steps"][0]
    assert "cues" not in normalize(one_step(cues=[]))["steps"][0]


def test_zones_resolve_exactly_as_percents_of_their_table():
    for kind, table in ZONE_TABLES.items():
        for zone, (low, high) in enumerate(table, start=1):
            for threshold in (50, 183, 240, 301, 1150):
                assert resolve_zone(kind, zone, threshold) == resolve_range(kind, low, high, threshold)
    assert resolve_percent("POWER", 50, 275) == 138  # halves round up, as a coach expects


@SETTINGS
@given(workouts_v3(), thresholds)
def test_third_round_workouts_normalize_idempotently_and_validate(w, limits):
    assert check_workout(w) == []
    th = Thresholds(**limits)
    n = prepare(w, th)
    assert normalize(n, th) == n
    assert check_workout(n) == []
    for step in n["steps"]:
        target = step["target"]
        if target and target.get("percent"):
            assert ("min" in target or "from" in target) == bool(th.for_target(target["type"], n["sport"]))


@SETTINGS
@given(workouts_v3(), thresholds)
def test_normalizing_keeps_every_ramp_and_percent_in_order(w, limits):
    n = normalize(w, Thresholds(**limits))
    flat = []

    def walk(items):
        for item in items:
            if "repeat" in item:
                for _ in range(item["repeat"]):
                    walk(item["steps"])
            else:
                flat.append(item)

    walk(w["steps"])
    assert len(flat) == len(n["steps"]) == n["totals"]["steps"]
    factor = 10 if w["sport"] == "SWIM" else 1
    for source, step in zip(flat, n["steps"]):
        target, got = source.get("target"), step["target"]
        if not target or "zone" in target:
            continue
        keys = ("from", "to") if "from" in target else ("min", "max")
        values = tuple(target[k] for k in keys)
        if target.get("unit") == "PERCENT":
            assert tuple(got["percent"][k] for k in keys) == values
        else:
            scale = factor if target["type"] == "PACE" else 1
            assert tuple(got[k] for k in keys) == tuple(v * scale for v in values)
        assert sorted(c["at"] for c in source.get("cues") or ()) == [c["at"] for c in step.get("cues", ())]


# -- texts and the profile ------------------------------------------------------------------------

def test_texts_say_percents_ramps_and_both_units_when_resolved():
    def text(sport, target, th=FTP):
        return target_text(normalize(one_step(sport, target=target), th)["steps"][0]["target"], sport)

    assert text("BIKE", {"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}) == "88–94 % FTP · 246–263 W"
    assert text("BIKE", {"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}, Thresholds()) == "88–94 % FTP"
    assert text("BIKE", {"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}) == "ramp 50→75 % FTP · 140→210 W"
    assert text("BIKE", {"type": "POWER", "from": 300, "to": 150}) == "ramp 300→150 W"
    assert text("RUN", {"type": "PACE", "from": 360, "to": 300}) == "ramp 6:00→5:00 /km"
    assert text("SWIM", {"type": "PACE", "from": 130, "to": 100}) == "ramp 2:10→1:40 /100 m"
    assert text("RUN", {"type": "HEART_RATE", "min": 70, "max": 80, "unit": "PERCENT"}, Thresholds()) == "70–80 % max HR"


def test_the_profile_draws_a_ramp_sloped_and_cues_as_ticks():
    w = workout(SPEC_EXAMPLE, steps=[
        {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
         "target": {"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"},
         "cues": [{"at": 300, "text": "Halfway: keep spinning"}]},
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600},
         "target": {"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}},
    ])
    for th in (FTP, Thresholds()):  # with or without an FTP, percents place the bars
        p = draw(normalize(w, th), th)
        ramp, flat = p.bars
        assert (ramp.height, ramp.end_height) == (pytest.approx(0.5), pytest.approx(0.75))
        assert ramp.zone == 2 and flat.zone == 4 and flat.end_height is None
        assert "ramp 50→75 % FTP" in ramp.label and "cues 5:00 Halfway: keep spinning" in ramp.label
        root = ET.fromstring(p.svg)
        svg = "{http://www.w3.org/2000/svg}"
        rects = root.findall(f"{svg}rect")
        assert len(rects) == 2 and rects[0].get("clip-path") == "url(#p-r0)" and rects[1].get("clip-path") is None
        polygon = root.find(f"{svg}clipPath/{svg}polygon").get("points").split()
        left_top, right_top = (float(pt.split(",")[1]) for pt in polygon[1:3])
        assert right_top < left_top  # the top slopes up: y grows downwards
        cue = root.find(f"{svg}path[@class='cue']")
        assert cue.find(f"{svg}title").text == "Halfway: keep spinning"
        assert float(cue.get("d").split(",")[0][1:]) == pytest.approx(160.0)  # 300 s of 1200 s, on 640 px


# -- ramps as steps ---------------------------------------------------------------------------------

@st.composite
def ramps(draw):
    sport, kind, absolute = draw(st.sampled_from([
        ("BIKE", "POWER", True), ("BIKE", "POWER", False), ("RUN", "HEART_RATE", True), ("RUN", "HEART_RATE", False),
        ("RUN", "PACE", True), ("RUN", "PACE", False), ("SWIM", "PACE", True), ("SWIM", "PACE", False)]))
    low, high = {("POWER", True): (1, 3000), ("HEART_RATE", True): (30, 250), ("PACE", True): (60, 1800),
                 ("POWER", False): (1, 1000), ("HEART_RATE", False): (30, 120), ("PACE", False): (30, 200)}[kind, absolute]
    if sport == "SWIM" and absolute:
        low, high = 6, 180
    number = st.integers(low, high) | st.floats(low, high, allow_nan=False)
    target = {"type": kind, "from": draw(number), "to": draw(number)}
    if not absolute:
        target["unit"] = "PERCENT"
    seconds = draw(st.integers(1, 86400) | st.floats(0.5, 86400))
    step = {"intensity": "WARMUP", "duration": {"type": "TIME", "value": seconds}, "target": target}
    if draw(st.booleans()):
        step["cues"] = [{"at": draw(st.floats(0, seconds, exclude_max=True)), "text": "cue"} for _ in range(3)]
    th = draw(st.sampled_from([FTP, Thresholds()]))
    normalized = normalize({"sport": sport, "name": "Ramp", "steps": [step]}, th)
    assume(check_workout(normalized) == [])  # a percent may resolve out of the plausible (prepare refuses it)
    return sport, normalized["steps"][0]


@SETTINGS
@given(ramps(), st.integers(1, 20), st.sampled_from([0, 1, 30, 60, 120, 600]))
def test_a_ramp_as_steps_keeps_its_time_and_its_work_within_1_percent(case, max_steps, min_seconds):
    sport, step = case
    split = ramp_steps(step, sport, max_steps=max_steps, min_seconds=min_seconds)
    seconds = step["duration"]["value"]
    lengths = [s["duration"]["value"] for s in split.steps]
    assert 1 <= len(lengths) <= max_steps
    if len(lengths) > 1:
        assert min(lengths) >= min(min_seconds, seconds) - 1  # whole seconds may shave one off
    if isinstance(seconds, int):
        assert sum(lengths) == seconds
    else:
        assert math.isclose(math.fsum(lengths), seconds, rel_tol=1e-12)
    (space, before), = [step_work(step)]
    after = workload(split.steps)
    assert list(after) == [space]
    assert after[space] == pytest.approx(before, rel=0.01)
    # Each step is a flat valid range, and together they keep every cue at its time.
    normalized = {"normalized": True, "sport": sport, "name": "Ramp", "steps": split.steps, "totals": totals(split.steps)}
    assert check_workout(normalized) == []
    starts = [0.0]
    for length in lengths[:-1]:
        starts.append(starts[-1] + length)
    moved = sorted(start + cue["at"] for start, s in zip(starts, split.steps) for cue in s.get("cues", ()))
    assert moved == pytest.approx(sorted(c["at"] for c in step.get("cues", ())))
    assert split.note.startswith("steps[0]: a ramp ") and f"sent as {len(lengths)} step" in split.note


def test_a_ramp_note_reads_as_the_spec_says():
    step = normalize(one_step(target={"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}), Thresholds())["steps"][0]
    split = ramp_steps(step, "BIKE", max_steps=5, min_seconds=60)
    assert split.note == "steps[0]: a ramp 50→75 % FTP sent as 5 steps of 2 min"
    assert [s["target"]["percent"] for s in split.steps] == [
        {"min": 50, "max": 55}, {"min": 55, "max": 60}, {"min": 60, "max": 65}, {"min": 65, "max": 70}, {"min": 70, "max": 75}]
    down = normalize(one_step(target={"type": "POWER", "from": 300, "to": 200}), FTP)["steps"][0]
    assert [s["target"] for s in ramp_steps(down, "BIKE", max_steps=2).steps] == [
        {"type": "POWER", "min": 250, "max": 300}, {"type": "POWER", "min": 200, "max": 250}]
    short = normalize(one_step(duration={"type": "TIME", "value": 30}, target={"type": "POWER", "from": 100, "to": 200}))
    assert ramp_steps(short["steps"][0], "BIKE").note == "steps[0]: a ramp 100→200 W sent as 1 step of 30 s"


def test_split_ramps_leaves_other_steps_alone():
    n = normalize(workout(SPEC_EXAMPLE, steps=[
        {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
         "target": {"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"}},
        SPEC_EXAMPLE["steps"][1]]), FTP)
    steps, notes = split_ramps(n["steps"], "BIKE")
    assert len(steps) == 5 + 8 and steps[5:] == n["steps"][1:]
    assert notes == ["steps[0]: a ramp 50→75 % FTP · 140→210 W sent as 5 steps of 2 min"]
    with pytest.raises(ValueError):
        ramp_steps(n["steps"][1], "BIKE")


# -- simplify to a step limit -----------------------------------------------------------------------

@SETTINGS
@given(workouts_v3(), thresholds, st.integers(1, 120))
def test_simplified_steps_fit_the_limit_with_exact_time_and_work_within_2_percent(w, limits, limit):
    n = prepare(w, Thresholds(**limits))
    steps = n["steps"]
    try:
        result = simplify(steps, limit)
    except CannotSimplify as error:
        remain = int(str(error).split()[1])
        fixed = sum(1 for s in steps if s["duration"]["type"] != "TIME")
        assert str(error).startswith(f"steps: {remain} steps remain") and remain > limit
        assert f"({fixed} of them distance or lap-press steps" in str(error)
        return
    out = result.steps
    assert len(out) <= limit
    if len(steps) <= limit:
        assert out == steps and result.notes == []
        return
    before, after = totals(steps), totals(out)
    assert after["timeSeconds"] == pytest.approx(before["timeSeconds"], rel=1e-12)
    if all(isinstance(s["duration"].get("value", 0), int) for s in steps):
        assert after["timeSeconds"] == before["timeSeconds"]
    assert after["distanceMeters"] == before["distanceMeters"] and after["openSteps"] == before["openSteps"]
    work_before, work_after = workload(steps), workload(out)
    assert set(work_after) <= set(work_before)
    for space, value in work_before.items():
        assert work_after.get(space, 0.0) == pytest.approx(value, rel=0.02)
    assert all(s["blocks"] == [] for s in out)
    assert check_workout(dict(n, steps=out, totals=after)) == []
    assert result.notes[0] == (f"steps: the workout's {len(steps)} steps are sent as {len(out)}: neighbouring steps of "
                               "like intensity merged at their time-weighted mean target (the same total time, the "
                               "same work within 2 %)")


def test_simplify_merges_like_neighbours_first():
    steps = normalize(workout(SPEC_EXAMPLE, steps=[
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "min": 200, "max": 210}},
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "min": 200, "max": 210}},
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 120}, "target": {"type": "POWER", "min": 300, "max": 310}},
        {"intensity": "RECOVERY", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "min": 100, "max": 110}},
    ]))["steps"]
    out = simplify(steps, 3).steps
    assert [s["duration"]["value"] for s in out] == [120, 120, 60]
    assert out[0]["target"] == {"type": "POWER", "min": 200, "max": 210}
    out = simplify(steps, 2).steps
    assert [s["duration"]["value"] for s in out] == [240, 60]
    assert out[0]["target"] == {"type": "POWER", "min": 250, "max": 260}  # (2 min at 205 W + 2 min at 305 W) / 4 min
    assert out[0]["path"] == "steps[0]" and out[1]["intensity"] == "RECOVERY"


def test_simplify_says_when_distance_and_lap_steps_alone_exceed_the_limit():
    steps = normalize({"sport": "RUN", "name": "Track", "steps": [{"repeat": 30, "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 400}, "target": {"type": "PACE", "zone": 4}},
        {"intensity": "RECOVERY", "duration": {"type": "OPEN"}}]}]})["steps"]
    with pytest.raises(CannotSimplify) as error:
        simplify(steps, 50)
    assert str(error.value) == ("steps: 60 steps remain after merging every pair of like neighbours (60 of them "
                                "distance or lap-press steps, which cannot merge), more than the 50 the device takes")


def test_simplify_keeps_cues_at_their_time_and_takes_the_longest_parts_texts():
    steps = normalize(workout(SPEC_EXAMPLE, steps=[
        {"intensity": "ACTIVE", "name": "Short", "duration": {"type": "TIME", "value": 60},
         "target": {"type": "POWER", "min": 200, "max": 200}, "cues": [{"at": 30, "text": "a"}]},
        {"intensity": "ACTIVE", "name": "Long", "duration": {"type": "TIME", "value": 120},
         "target": {"type": "POWER", "min": 230, "max": 230}, "cues": [{"at": 10, "text": "b"}]},
    ]))["steps"]
    out = simplify(steps, 1).steps
    assert out[0]["name"] == "Long" and out[0]["cues"] == [{"at": 30, "text": "a"}, {"at": 70, "text": "b"}]
    assert out[0]["target"] == {"type": "POWER", "min": 220, "max": 220}


def test_prepare_still_refuses_what_it_refused():
    broken = copy.deepcopy(SPEC_EXAMPLE)
    broken["steps"][0]["target"] = {"type": "POWER", "min": 500, "max": 1000, "unit": "PERCENT"}
    with pytest.raises(WorkoutInvalid) as error:
        prepare(broken, Thresholds(ftp_watts=400))  # 2,000-4,000 W for her
    assert str(error.value) == "Validation failed: steps[0]: POWER values must be greater than 0 and at most 3,000 W"
