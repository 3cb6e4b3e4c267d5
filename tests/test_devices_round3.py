"""Issue 19, the converters' half: percents, ramps and cues reach Garmin and Wahoo faithfully,
said before the save, within each device's step limit.

Must-shows: .zwo, .erg and .mrc files with ramps, as their tools write them, read, written back
with the same power second by second (within 1 % of FTP) and pushed to Garmin and Wahoo with
the same time and the same work (within 2 %), every payload passing the sandbox's rules; an ERG
of over 300 segments reaching Garmin within 100 steps, its time exact; a text workout with nested
repeats and a ramp read and written back as the same text.  Then each rule one by one.
"""

from __future__ import annotations

import math

import pytest

from providers.compatibility import ADAPTED, EXACT, UNSUPPORTED
from providers.garmin import convert as garmin
from providers.wahoo import convert as wahoo
from sandbox import garmin as garmin_rules
from sandbox import wahoo as wahoo_rules
from tests.support.garmin_steps import step_count_of
from tests.test_engine_properties import _garmin_work, _wahoo_work, garmin_played, wahoo_played
from tests.test_formats_files import _profile
from workouts import Thresholds, normalize, prepare
from workouts.formats import read, trainer_files
from workouts.formats.text import read_text, write_text
from workouts.simplify import simplify
from workouts.work import workload

FTP = Thresholds(ftp_watts=250, max_heart_rate=190, threshold_pace_sec_per_km=240)

# -- files as their tools write them ---------------------------------------------------------------

ZWO = b"""<workout_file>
    <author>Coach Ana</author>
    <name>Ramp ladder</name>
    <description>Ramps in, over-unders, ramp out.</description>
    <sportType>bike</sportType>
    <tags>
        <tag name="RAMPS"/>
    </tags>
    <workout>
        <Warmup Duration="600" PowerLow="0.40000001" PowerHigh="0.75" pace="0">
            <textevent timeoffset="30" message="Easy spin."/>
        </Warmup>
        <SteadyState Duration="300" Power="0.88" pace="0"/>
        <Ramp Duration="240" PowerLow="0.80000001" PowerHigh="1.1" pace="0">
            <textevent timeoffset="120" message="Keep building."/>
        </Ramp>
        <IntervalsT Repeat="4" OnDuration="60" OffDuration="90" OnPower="1.2" OffPower="0.55000001" pace="0"/>
        <Ramp Duration="180" PowerLow="1.05" PowerHigh="0.80000001" pace="0"/>
        <Cooldown Duration="600" PowerLow="0.69999999" PowerHigh="0.40000001" pace="0"/>
    </workout>
</workout_file>
"""

ERG = b"""[COURSE HEADER]\r
VERSION = 2\r
UNITS = ENGLISH\r
DESCRIPTION = Sloped sweet spot\r
FILE NAME = sloped_sweet_spot.erg\r
FTP = 250\r
MINUTES WATTS\r
[END COURSE HEADER]\r
[COURSE DATA]\r
0.00\t100\r
10.00\t190\r
10.00\t220\r
20.00\t230\r
20.00\t125\r
25.00\t125\r
25.00\t230\r
35.00\t220\r
35.00\t180\r
45.00\t90\r
[END COURSE DATA]\r
[COURSE TEXT]\r
0\tRamp up gently\t10\r
600\tSweet spot, drifting up\t10\r
2100\tRamp down to finish\t10\r
[END COURSE TEXT]\r
"""

MRC = b"""[COURSE HEADER]
VERSION = 2
UNITS = ENGLISH
DESCRIPTION = Pyramid of ramps
FILE NAME = pyramid.mrc
MINUTES PERCENT
[END COURSE HEADER]
[COURSE DATA]
0.00\t45
8.00\t70
8.00\t90
11.00\t110
11.00\t60
13.00\t60
13.00\t95
16.00\t115
16.00\t60
18.00\t60
18.00\t100
21.00\t120
21.00\t50
31.00\t40
[END COURSE DATA]
[COURSE TEXT]
0\tWarm up\t10
480\tFirst ramp\t10
780\tSecond ramp\t10
1080\tLast ramp, dig in\t10
[END COURSE TEXT]
"""

FILES = {"zwo": ZWO, "erg": ERG, "mrc": MRC}


def garmin_checked(normalized: dict, thresholds: Thresholds):
    made = garmin.fit(normalized, thresholds)
    if made.level != UNSUPPORTED:
        assert garmin_rules.validate_workout(made.payload) == []
    return made


def wahoo_checked(normalized: dict, thresholds: Thresholds, **limits):
    made = wahoo.fit(normalized, thresholds, **limits)
    if made.level != UNSUPPORTED:
        for counted in ("expanded", "written"):
            wahoo_rules.validate_plan(made.payload, interval_limit=limits.get("max_intervals", wahoo.MAX_INTERVALS),
                                      counted=counted)
    return made


def garmin_time(made) -> float:
    played = garmin_played(made.payload["segments"][0]["steps"], False)
    return sum(s["durationValue"] for s in played if s["durationType"] in ("TIME", "FIXED_REST"))


def assert_same_on_devices(normalized: dict, thresholds: Thresholds) -> None:
    """Garmin and Wahoo play the coach's time exactly and the same work within 2 %."""
    coach_time, coach_work = normalized["totals"]["timeSeconds"], workload(normalized["steps"])
    made = garmin_checked(normalized, thresholds)
    assert made.level in (EXACT, ADAPTED), made.notes
    assert math.isclose(garmin_time(made), coach_time, abs_tol=1e-6)
    played = garmin_played(made.payload["segments"][0]["steps"], False)
    for space, value in _garmin_work(played, False).items():
        assert value == pytest.approx(coach_work[space], rel=0.02), space
    made = wahoo_checked(normalized, thresholds)
    assert made.level in (EXACT, ADAPTED), made.notes
    played = wahoo_played(made.payload["intervals"])
    assert sum(i["exit_trigger_value"] for i in played if i["exit_trigger_type"] == "time") == pytest.approx(coach_time)
    for space, value in _wahoo_work(played, made.payload["header"]).items():
        assert value == pytest.approx(coach_work[space], rel=0.02), space


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_trainer_files_with_ramps_read_write_back_and_reach_the_devices_the_same(fmt):
    imported = read(FILES[fmt], fmt)
    normalized = prepare(imported.workout, FTP)
    assert any("from" in (s["target"] or {}) for s in normalized["steps"])  # the ramps were read as ramps
    file = trainer_files.make(fmt, normalized, FTP)
    assert file.available, file.notes
    back = prepare(read(file.content, fmt).workout, FTP)
    want, got = _profile(normalized, FTP), _profile(back, FTP)
    assert len(got) == len(want)  # the same time, second for second
    assert max(abs(a - b) for a, b in zip(want, got)) <= 0.01  # within 1 % of FTP
    assert_same_on_devices(normalized, FTP)
    assert_same_on_devices(back, FTP)


def test_ramps_reach_garmin_as_steps_the_helper_says_how():
    normalized = prepare(read(ZWO, "zwo").workout, FTP)
    made = garmin_checked(normalized, FTP)
    assert made.level == ADAPTED
    assert "steps[0]: a ramp 40→75 % FTP · 100→188 W sent as 5 steps of 2 min" in made.notes
    assert "steps[0]: its cues are in the step's description (Garmin steps have no timed messages)" in made.notes
    first = made.payload["segments"][0]["steps"][0]
    assert (first["targetType"], first["targetValueLow"], first["targetValueHigh"]) == ("POWER", 100, 118)
    assert first["description"] == "cues 0:30 Easy spin."


def test_an_erg_of_over_300_segments_reaches_garmin_within_100_steps_its_time_exact():
    # 330 segments of 20 s, each a different watts (a rolling effort no repeat can hold).
    watts = [round(200 + 45 * math.sin(i / 4) + 20 * math.sin(i * 1.7)) for i in range(330)]
    lines = ["[COURSE HEADER]", "FTP = 250", "MINUTES WATTS", "[END COURSE HEADER]", "[COURSE DATA]"]
    for i, w in enumerate(watts):
        lines += [f"{i * 20 / 60:.2f}\t{w}", f"{(i + 1) * 20 / 60:.2f}\t{w}"]
    data = ("\r\n".join(lines + ["[END COURSE DATA]"]) + "\r\n").encode()
    imported = read(data, "erg")
    normalized = prepare(imported.workout, FTP)
    assert normalized["totals"]["timeSeconds"] == 330 * 20
    assert normalized["totals"]["steps"] > 100  # still more than Garmin takes
    made = garmin_checked(normalized, FTP)
    assert made.level == ADAPTED
    assert step_count_of(made.payload) <= 100
    assert garmin_time(made) == 330 * 20  # exact
    assert any("neighbouring steps of like intensity merged" in n for n in made.notes)
    played = garmin_played(made.payload["segments"][0]["steps"], False)
    file_work = 20 * sum(watts)
    assert _garmin_work(played, False)[("POWER", "absolute")] == pytest.approx(file_work, rel=0.02)


TEXT = """Hill session
Hills with a ramp home.

Warmup
- 15m ramp 60-80% Pace

3x
- Hill 2m 105-110% Pace
  2x
  - 30s 120% Pace
  - 1m 60% Pace
- 3m 65% Pace

Cooldown
- 10m ramp 75-60% Pace
"""


def test_a_text_workout_with_nested_repeats_and_a_ramp_reads_and_writes_back_the_same():
    imported = read_text(TEXT, "RUN")
    steps = imported.workout["steps"]
    assert steps[1]["repeat"] == 3 and steps[1]["steps"][1]["repeat"] == 2
    assert steps[0]["target"] == {"type": "PACE", "from": 60, "to": 80, "unit": "PERCENT"}
    assert write_text(imported.workout) == TEXT
    assert write_text(read(TEXT, "text", "RUN").workout) == TEXT
    assert_same_on_devices(prepare(imported.workout, FTP), FTP)


# -- percents -------------------------------------------------------------------------------------

def one(sport="BIKE", seconds=600, **target):
    return {"sport": sport, "name": "One", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": seconds}, "target": target}]}


def test_percents_go_resolved_where_the_threshold_is_known():
    for kind, sport, want in (("POWER", "BIKE", (220, 235)), ("HEART_RATE", "RUN", (167, 179))):
        workout = one(sport, type=kind, min=88, max=94, unit="PERCENT")
        made = garmin_checked(normalize(workout, FTP), FTP)
        step = made.payload["segments"][0]["steps"][0]
        assert made.level == EXACT and (step["targetValueLow"], step["targetValueHigh"]) == want
        assert step["targetValueType"] is None
        plan = wahoo_checked(normalize(workout, FTP), FTP)
        assert plan.level == EXACT and (plan.payload["intervals"][0]["targets"][0]["low"],
                                        plan.payload["intervals"][0]["targets"][0]["high"]) == want


def test_unresolved_power_percents_go_as_garmins_percent_and_without_a_target_to_wahoo():
    workout = one(type="POWER", min=88, max=94, unit="PERCENT")
    made = garmin_checked(normalize(workout), Thresholds())
    step = made.payload["segments"][0]["steps"][0]
    assert (step["targetType"], step["targetValueType"], step["targetValueLow"], step["targetValueHigh"]) == (
        "POWER", "PERCENT", 88, 94)
    assert made.notes == ("steps[0]: 88–94 % FTP goes as Garmin's percent of FTP, which the device resolves against "
                          "the athlete's FTP in Garmin Connect (the athlete's FTP is missing here)",)
    plan = wahoo_checked(normalize(workout), Thresholds())
    interval = plan.payload["intervals"][0]
    assert interval["targets"] == [] and interval["name"] == "Active · Power 88–94 % FTP"
    assert "ftp" not in plan.payload["header"]  # the header cannot hold an FTP nobody knows
    assert plan.notes == ("steps[0]: 88–94 % FTP is sent without a target (the interval's name says it): the "
                          "athlete's FTP is missing",)


def test_unresolved_heart_rate_and_pace_percents_go_without_a_target_naming_the_threshold():
    run = one("RUN", type="HEART_RATE", min=70, max=80, unit="PERCENT")
    made = garmin_checked(normalize(run), Thresholds())
    step = made.payload["segments"][0]["steps"][0]
    assert (step["targetType"], step["description"]) == ("OPEN", "Heart rate 70–80 % max HR")
    assert made.notes == ("steps[0]: 70–80 % max HR is sent without a target (the step's text says it): the "
                          "athlete's maximum heart rate is missing",)
    swim = {"sport": "SWIM", "name": "s", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 400},
         "target": {"type": "PACE", "min": 95, "max": 100, "unit": "PERCENT"}}]}
    made = garmin_checked(normalize(swim), Thresholds())
    assert made.notes == ("steps[0]: 95–100 % threshold pace is sent without a target (the step's text says it): the "
                          "athlete's swim threshold pace is missing",)
    resolved = garmin_checked(normalize(swim, Thresholds(swim_threshold_pace_sec_per_100m=100)),
                              Thresholds(swim_threshold_pace_sec_per_100m=100))
    assert resolved.level == EXACT and resolved.payload["segments"][0]["steps"][0]["secondaryTargetType"] == "PACE_ZONE"


def test_a_ramp_no_threshold_resolves_goes_as_one_step_saying_it():
    run = one("RUN", type="HEART_RATE", **{"from": 60, "to": 80}, unit="PERCENT")
    made = garmin_checked(normalize(run), Thresholds())
    (step,) = made.payload["segments"][0]["steps"]
    assert (step["targetType"], step["durationValue"], step["description"]) == (
        "OPEN", 600, "Heart rate ramp 60→80 % max HR")
    plan = wahoo_checked(normalize(run), Thresholds())
    assert len(plan.payload["intervals"]) == 1 and plan.payload["intervals"][0]["targets"] == []


# -- step limits -----------------------------------------------------------------------------------

def test_ramps_are_split_only_as_finely_as_the_whole_workout_fits():
    ramps = {"sport": "BIKE", "name": "Ramps", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600},
         "target": {"type": "POWER", "from": 50 + i, "to": 90 + i, "unit": "PERCENT"}} for i in range(30)]}
    made = garmin_checked(normalize(ramps, FTP), FTP)
    assert step_count_of(made.payload) == 90  # 3 pieces each: 5 would be 150, 4 would be 120
    assert "steps[0]: a ramp 50→90 % FTP · 125→225 W sent as 3 steps of 3 min 20 s" in made.notes
    plan = wahoo_checked(normalize(ramps, FTP), FTP)
    assert len(wahoo_played(plan.payload["intervals"])) == 150  # Wahoo takes 200
    tight = wahoo_checked(normalize(ramps, FTP), FTP, max_intervals=50)
    assert len(wahoo_played(tight.payload["intervals"])) == 30  # one step per ramp, spanning its range


def test_many_timed_steps_merge_into_100_for_garmin_with_the_time_exact():
    varied = {"sport": "RUN", "name": "many", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60 + i}, "target": None} for i in range(101)]}
    made = garmin_checked(normalize(varied), Thresholds())
    assert made.level == ADAPTED and step_count_of(made.payload) <= 100
    assert made.notes == ("steps: the workout's 101 steps are sent as 100: neighbouring steps of like intensity "
                          "merged at their time-weighted mean target (the same total time, the same work within 2 %)",)
    assert garmin_time(made) == sum(60 + i for i in range(101))


def test_a_lower_wahoo_limit_is_played_by_the_sandbox_and_met_by_the_converter():
    steps = [{"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60 + i},
              "target": {"type": "POWER", "min": 150 + i, "max": 160 + i}} for i in range(120)]
    normalized = normalize({"sport": "BIKE", "name": "many", "steps": steps})
    plan = wahoo.fit(normalized, FTP).payload
    assert len(plan["intervals"]) == 120
    with pytest.raises(wahoo_rules.Invalid, match="at most 100 intervals"):
        wahoo_rules.validate_plan(plan, interval_limit=100)
    fitted = wahoo_checked(normalized, FTP, max_intervals=100)
    assert len(fitted.payload["intervals"]) == 100
    block = {"sport": "BIKE", "name": "blocks", "steps": [{"repeat": 60, "steps": steps[:3]}]}
    written = wahoo.fit(normalize(block), FTP).payload
    wahoo_rules.validate_plan(written, interval_limit=100, counted="written")  # 1 + 3 as written
    with pytest.raises(wahoo_rules.Invalid, match="180"):
        wahoo_rules.validate_plan(written, interval_limit=100, counted="expanded")


def test_garmin_percent_modifier_is_held_to_the_document():
    made = garmin_checked(normalize(one(type="POWER", min=88, max=94, unit="PERCENT")), Thresholds())
    step = made.payload["segments"][0]["steps"][0]
    for bad in ({"targetValueType": "WATTS"}, {"targetType": "CADENCE"},
                {"targetValue": 3, "targetValueLow": None, "targetValueHigh": None}):
        broken = {**made.payload, "segments": [{**made.payload["segments"][0], "steps": [{**step, **bad}]}]}
        with pytest.raises(garmin_rules.Invalid, match="ValueType"):
            garmin_rules.validate_workout(broken)


def test_cues_fold_into_wahoo_names_within_the_limit():
    cues = [{"at": i * 20, "text": "x" * 150} for i in range(4)]
    workout = {"sport": "BIKE", "name": "cues", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600}, "target": None, "cues": cues}]}
    made = wahoo_checked(normalize(workout), Thresholds())
    name = made.payload["intervals"][0]["name"]
    assert len(name) == wahoo.INTERVAL_NAME_MAX and name.endswith("…")
    assert made.notes == ("steps[0]: its cues are in the interval's name (Wahoo intervals have no timed messages)",
                          f"steps[0]: the interval's name is cut to {wahoo.INTERVAL_NAME_MAX} characters")
    long = garmin_checked(normalize(workout), Thresholds())
    description = long.payload["segments"][0]["steps"][0]["description"]
    assert len(description) == 512 and "steps[0]: the step's description is cut to Garmin's 512 characters" in long.notes


def test_simplify_never_lets_a_step_without_target_pass_for_a_merged_one():
    """The regression behind c549be5: a merged part's target is rebuilt, not None."""
    steps = normalize({"sport": "BIKE", "name": "r", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "min": 100, "max": 100}},
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "min": 300, "max": 300}},
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600}, "target": None},
    ]})["steps"]
    out = simplify(steps, 2).steps
    assert [s["duration"]["value"] for s in out] == [120, 600]
    assert out[1]["target"] is None and workload(out) == workload(steps)
