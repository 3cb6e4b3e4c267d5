"""Workout files in and out (workouts/formats: zwo.py, course.py, fit.py): the writers for the
third round's ramps, percents and cues; the readers on files written the way Zwift, its editors,
TrainerRoad-era tools and Garmin's SDK write them (tests/formats/*, checked against
``*.expected.json``; ``--update-golden`` rewrites those after a deliberate change), on
malformed and hostile files; and round trips: ``read(write(w))`` is the same workout (the power
second by second within 1 % of FTP for .zwo/.erg/.mrc, step by step for .fit).
"""

from __future__ import annotations

import builtins
import io
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.workout_message import WorkoutMessage
from fit_tool.profile.messages.workout_step_message import WorkoutStepMessage
from fit_tool.profile.profile_type import (
    FileType,
    Intensity,
    Manufacturer,
    Sport,
    WorkoutStepDuration,
    WorkoutStepTarget,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.fit_decode import decode, step_summary
from tests.support.strategies import thresholds as threshold_values
from tests.support.strategies import workouts_v3
from workouts import Thresholds, normalize, prepare
from workouts.formats import MAX_BYTES, ReadError, fit, format_for, read, trainer_files
from workouts.formats.levels import EASIEST
from workouts.structure import flatten, native_tree
from workouts.zones import round_half_up, zone_percent

FILES = Path(__file__).parent / "formats"
SAMPLES = sorted(p.name for p in FILES.iterdir() if format_for(p.name) and not p.name.endswith(".json"))
FTP = Thresholds(ftp_watts=250, max_heart_rate=190, threshold_pace_sec_per_km=240)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def step(intensity, seconds, target=None, **extra):
    return {"intensity": intensity, "duration": {"type": "TIME", "value": seconds}, "target": target, **extra}


def ride(*steps, name="Ride"):
    return {"sport": "BIKE", "name": name, "steps": list(steps)}


def made(fmt, workout, thresholds=FTP):
    return trainer_files.make(fmt, prepare(workout, thresholds), thresholds)


def points(content: bytes) -> list[tuple[float, float]]:
    lines = content.decode().splitlines()
    data = lines[lines.index("[COURSE DATA]") + 1:lines.index("[END COURSE DATA]")]
    return [tuple(float(v) for v in line.split("\t")) for line in data]


def course_text(content: bytes) -> list[list[str]]:
    lines = content.decode().splitlines()
    if "[COURSE TEXT]" not in lines:
        return []
    return [line.split("\t") for line in lines[lines.index("[COURSE TEXT]") + 1:lines.index("[END COURSE TEXT]")]]


# -- the writers know ramps, percents and cues ----------------------------------------------------

RAMPS = ride(
    step("WARMUP", 600, {"type": "POWER", "from": 50, "to": 75, "unit": "PERCENT"},
         cues=[{"at": 30, "text": "Spin easy"}, {"at": 540, "text": "Nearly there"}]),
    step("ACTIVE", 300, {"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}),
    step("ACTIVE", 120, {"type": "POWER", "from": 105, "to": 80, "unit": "PERCENT"}),
    step("COOLDOWN", 300, {"type": "POWER", "from": 200, "to": 100}),
    name="Ramps and cues")


def test_zwo_ramps_up_and_down_percents_as_fractions_and_cues_as_textevents():
    root = ET.fromstring(made("zwo", RAMPS).content)
    warmup, steady, down, cooldown = root.find("workout")
    assert warmup.tag == "Warmup" and (warmup.get("PowerLow"), warmup.get("PowerHigh")) == ("0.5", "0.75")
    assert [(e.get("timeoffset"), e.get("message")) for e in warmup] == [("30", "Spin easy"), ("540", "Nearly there")]
    assert steady.tag == "SteadyState" and steady.get("Power") == "0.91"
    assert down.tag == "Ramp" and (down.get("PowerLow"), down.get("PowerHigh")) == ("1.05", "0.8")  # down, mid-workout
    assert cooldown.tag == "Cooldown" and (cooldown.get("PowerLow"), cooldown.get("PowerHigh")) == ("0.8", "0.4")


def test_zwo_intervals_carry_each_repetitions_messages_from_the_blocks_start():
    workout = ride({"repeat": 3, "steps": [
        step("ACTIVE", 60, {"type": "POWER", "min": 120, "max": 120, "unit": "PERCENT"}, name="Go",
             cues=[{"at": 30, "text": "Halfway"}]),
        step("RECOVERY", 30, {"type": "POWER", "min": 50, "max": 50, "unit": "PERCENT"})]})
    (block,) = ET.fromstring(made("zwo", workout).content).find("workout")
    assert block.tag == "IntervalsT" and block.get("Repeat") == "3"
    assert [(e.get("timeoffset"), e.get("message")) for e in block] == [
        ("0", "Go"), ("30", "Halfway"), ("90", "Go"), ("120", "Halfway"), ("180", "Go"), ("210", "Halfway")]


def test_erg_and_mrc_slope_a_ramp_and_time_their_course_text():
    erg, mrc = made("erg", RAMPS), made("mrc", RAMPS)
    assert points(erg.content)[:2] == [(0.0, 125.0), (10.0, 188.0)]  # 50 -> 75 % of 250 W
    assert points(mrc.content)[:4] == [(0.0, 50.0), (10.0, 75.0), (10.0, 91.0), (15.0, 91.0)]
    assert points(mrc.content)[4:6] == [(15.0, 105.0), (17.0, 80.0)]  # a ramp down: two points, two values
    assert points(mrc.content)[6:] == [(17.0, 80.0), (22.0, 40.0)]
    assert course_text(mrc.content) == [["30", "Spin easy", "10"], ["540", "Nearly there", "10"]]
    assert course_text(erg.content) == course_text(mrc.content)


def test_erg_needs_an_ftp_for_percents_and_mrc_does_not():
    percent_only = ride(step("ACTIVE", 600, {"type": "POWER", "min": 88, "max": 94, "unit": "PERCENT"}))
    no_ftp = Thresholds()
    erg = made("erg", percent_only, no_ftp)
    assert not erg.available and "FTP" in erg.notes[0] and "percents" in erg.notes[0]
    mrc = made("mrc", percent_only, no_ftp)
    assert mrc.available and points(mrc.content) == [(0.0, 91.0), (10.0, 91.0)]
    zwo = made("zwo", percent_only, no_ftp)
    assert ET.fromstring(zwo.content).find("workout")[0].get("Power") == "0.91"


def test_minutes_keep_whole_seconds_and_no_target_is_said():
    workout = ride(step("ACTIVE", 50, {"type": "POWER", "min": 200, "max": 200}), step("REST", 70))
    erg = made("erg", workout)
    fifty = pytest.approx(50 / 60, abs=1e-4)  # 0.8333 min: four decimals, as two would move the second
    assert [m for m, _ in points(erg.content)] == [0.0, fifty, fifty, 2.0]
    assert any("no power target" in note for note in erg.notes)


def test_fit_ramps_go_as_steps_percents_as_percent_of_ftp_and_cues_into_notes():
    data, notes = fit.write(normalize(RAMPS))  # no thresholds: the percents stay percents
    steps = [step_summary(m) for m in decode(data)["workout_step_mesgs"]]
    assert [s["duration"]["value"] for s in steps[:5]] == [120.0] * 5
    # custom power under 1000 is a percent of FTP (the profile's workout_power); fit_decode shows it less 1000
    assert [(s["target"]["min"] + 1000, s["target"]["max"] + 1000) for s in steps[:5]] == [
        (50, 55), (55, 60), (60, 65), (65, 70), (70, 75)]
    assert steps[0]["notes"] == "0:30 Spin easy" and steps[4]["notes"] == "1:00 Nearly there"
    assert (steps[5]["target"]["min"] + 1000, steps[5]["target"]["max"] + 1000) == (88, 94)
    assert any("ramp 50→75 % FTP sent as 5 steps of 2 min" in n for n in notes)
    assert any("cues are in the step's notes" in n for n in notes)
    resolved = [step_summary(m) for m in decode(fit.convert(prepare(RAMPS, FTP)))["workout_step_mesgs"]]
    assert (resolved[5]["target"]["min"], resolved[5]["target"]["max"]) == (220, 235)  # watts where FTP is known


# -- reading the files in tests/formats --------------------------------------------------------------

def _outcome(name: str) -> dict:
    data = (FILES / name).read_bytes()
    try:
        imported = read(data, format_for(name))
    except ReadError as error:
        return {"problems": [str(p) for p in error.problems]}
    return {"workout": imported.workout, "notes": imported.notes}


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_files_read_as_expected(name, request):
    expected = FILES / f"{name}.expected.json"
    got = _outcome(name)
    if request.config.getoption("--update-golden"):
        expected.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n")
    assert got == json.loads(expected.read_text()), f"{name} reads differently (see {expected.name})"


def test_zwift_style_file_reads_percents_repeats_and_cues():
    got = _outcome("zwift_builtin_style.zwo")["workout"]
    warmup, steady, block, *rest = got["steps"]
    assert warmup["target"] == {"type": "POWER", "from": 40, "to": 75, "unit": "PERCENT"}  # 0.40449998 -> 40 %
    assert steady["duration"] == {"type": "TIME", "value": 300} and steady["cadence"] == {"min": 90, "max": 90}
    assert block["repeat"] == 5  # the same messages in every repetition: one block, cues in its body
    on, off = block["steps"]
    assert on["cues"] == [{"at": 5, "text": "On!"}] and off["cues"] == [{"at": 5, "text": "Recover."}]
    assert on["cadence"] == {"min": 95, "max": 95} and off["cadence"] == {"min": 85, "max": 85}
    sprints = rest[:6]  # messages only in some repetitions: written out, each shown once
    assert [s.get("cues") for s in sprints] == [[{"at": 0, "text": "Three sprints."}], None, None, None,
                                               None, [{"at": 0, "text": "Last one!"}]]
    assert rest[-1]["intensity"] == "COOLDOWN" and rest[-1]["target"]["from"] == 65  # a rising Cooldown goes down


def test_hostile_xml_is_refused_and_nothing_is_read_from_disk(monkeypatch):
    opened = []
    real_open = builtins.open

    def watching_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    bombs = [(FILES / name).read_bytes() for name in ("billion_laughs.zwo", "external_entity.zwo")]
    bombs.append(b'<?xml version="1.0"?><!DOCTYPE workout_file SYSTEM "file:///etc/passwd"><workout_file/>')
    bombs.append(b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><w/>')
    read(b"<workout_file><workout><SteadyState Duration='1' Power='1'/></workout></workout_file>", "zwo")  # imports
    monkeypatch.setattr(builtins, "open", watching_open)
    monkeypatch.setattr(io, "open", watching_open)
    for data in bombs:  # how long a refusal takes is measured in bench/formats.py
        with pytest.raises(ReadError) as refused:
            read(data, "zwo")
        assert "DTD or entities" in str(refused.value) and "root:" not in str(refused.value)
    assert opened == []


def test_xml_problems_name_their_line():
    problems = _outcome("malformed.zwo")["problems"]
    assert problems[0].startswith("4: ") and "needs Duration" in problems[0]
    assert any(p.startswith("6: ") and "not a share of FTP" in p for p in problems)
    assert len(problems) == 7
    broken = pytest.raises(ReadError, read, b"<workout_file>\n<workout>\n<SteadyState Duration='60'\n", "zwo")
    assert str(broken.value.problems[0]).startswith("3: not well-formed XML")
    not_zwift = pytest.raises(ReadError, read, b"<html><body/></html>", "zwo")
    assert "not a Zwift workout" in str(not_zwift.value)


def test_files_over_the_cap_are_refused_before_parsing():
    big = b"<workout_file>" + b" " * MAX_BYTES + b"</workout_file>"
    for fmt in ("zwo", "erg", "mrc", "fit"):
        with pytest.raises(ReadError, match="at most"):
            read(big, fmt)
    from workouts.formats import course, zwo

    with pytest.raises(ReadError, match="at most"):
        zwo.read(big)
    with pytest.raises(ReadError, match="at most"):
        course.read_erg(big)


def test_course_file_problems_name_their_line():
    problems = _outcome("malformed.erg")["problems"]
    assert [p.split(":")[0] for p in problems[:5]] == ["7", "9", "10", "11", "13"]
    assert "FTP" in problems[-1]


def test_an_mrc_written_by_older_tools_reads_its_seconds_and_tabless_text():
    got = _outcome("spaces_and_comments.mrc")
    steps = got["workout"]["steps"]
    assert sum(s["duration"]["value"] * s.get("repeat", 1) for s in steps if "duration" in s) + sum(
        b["repeat"] * sum(s["duration"]["value"] for s in b["steps"]) for b in steps if "repeat" in b) == 600
    assert any("two decimals" in n for n in got["notes"]) and any("without tabs" in n for n in got["notes"])
    assert steps[-1]["target"] is None  # 0 %: no resistance, no target


# -- long ERG files ------------------------------------------------------------------------------------

def _erg(parts: list[tuple[float, float]], ftp: int | None = 250) -> bytes:
    lines = ["[COURSE HEADER]"] + ([f"FTP = {ftp}"] if ftp else []) + ["MINUTES WATTS", "[END COURSE HEADER]",
                                                                        "[COURSE DATA]"]
    clock = 0.0
    for seconds, watts in parts:
        lines += [f"{clock / 60:.2f}\t{watts}", f"{(clock + seconds) / 60:.2f}\t{watts}"]
        clock += seconds
    return ("\r\n".join(lines + ["[END COURSE DATA]"]) + "\r\n").encode()


def _power(workout: dict, thresholds: Thresholds) -> list[float]:
    """Watts second by second of a read workout (percents of the thresholds' FTP)."""
    out = []
    for s in normalize(workout, thresholds)["steps"]:
        out.extend(_second_by_second(s, thresholds, "BIKE"))
    return [p * thresholds.ftp_watts for p in out]


def test_a_312_segment_erg_reads_with_exact_time_and_work():
    staircase_up = [(5, 100 + i) for i in range(120)]  # a ramp drawn as 1 W steps
    intervals = [(30, w) for _ in range(40) for w in (300, 150)]
    staircase_down = [(5, 200 - i) for i in range(112)]
    parts = staircase_up + intervals + staircase_down
    assert len(parts) == 312
    imported = read(_erg(parts), "erg")
    power = _power(imported.workout, Thresholds(ftp_watts=250))
    file_power = [w for seconds, w in parts for _ in range(seconds)]
    assert len(power) == len(file_power) == 3560  # the time exact
    assert abs(sum(power) - sum(file_power)) <= 0.01 * sum(file_power)  # the work within 1 %
    assert max(abs(a - b) for a, b in zip(power, file_power)) <= 0.05 * 250
    note = next(n for n in imported.notes if "segments read as" in n)
    assert note.startswith("steps: 312 segments read as ") and "work within" in note
    steps = imported.workout["steps"]
    assert steps[0]["target"]["from"] < steps[0]["target"]["to"]  # the staircase is a ramp again
    assert any(node.get("repeat") == 40 for node in steps)  # and the intervals a repeat block


def test_a_long_erg_that_merging_would_distort_is_refused_with_the_reason():
    parts = [(10, 400 if i % 2 else 100) for i in range(450)]
    with pytest.raises(ReadError) as refused:
        read(_erg(parts), "erg")
    assert "450 segments" in str(refused.value) and "move the power" in str(refused.value)


def test_an_erg_near_the_size_cap_reads_whole():
    """Its time is measured in bench/formats.py."""
    parts = [(5, 100 + (i % 200)) for i in range(30000)]
    data = _erg(parts, ftp=None)
    assert len(data) < MAX_BYTES
    imported = read(data, "erg")
    assert sum(s["duration"]["value"] for s in flatten(native_tree(normalize(imported.workout)["steps"]))) == 150000
    assert imported.workout["steps"][0]["target"].get("unit") is None  # watts, no FTP to share them out


def test_repeated_patterns_become_blocks_without_merging():
    parts = [(600, 150)] + [(60, w) for _ in range(30) for w in (320, 150)] + [(600, 120)]
    imported = read(_erg(parts), "erg")
    assert [node.get("repeat") for node in imported.workout["steps"]] == [None, 30, None]
    assert not any("segments read as" in n for n in imported.notes)


# -- FIT workout files -----------------------------------------------------------------------------------

def _fit(steps: list[WorkoutStepMessage], sport=Sport.CYCLING, kind=FileType.WORKOUT, name="From a watch") -> bytes:
    file_id = FileIdMessage()
    file_id.type = kind
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 7
    file_id.time_created = 1_700_000_000_000
    workout = WorkoutMessage()
    workout.workout_name = name
    workout.sport = sport
    workout.num_valid_steps = len(steps)
    builder = FitFileBuilder(auto_define=True, min_string_size=16)
    builder.add(file_id)
    builder.add(workout)
    builder.add_all(steps)
    return builder.build().to_bytes()


def _fit_step(index, duration=WorkoutStepDuration.TIME, seconds=300.0, target=WorkoutStepTarget.OPEN,
              low=None, high=None, zone=None, intensity=Intensity.ACTIVE, **fields):
    message = WorkoutStepMessage()
    message.message_index = index
    message.intensity = intensity
    message.duration_type = duration
    if duration == WorkoutStepDuration.TIME:
        message.duration_time = seconds
    elif duration == WorkoutStepDuration.DISTANCE:
        message.duration_distance = seconds
    message.target_type = target
    if zone is not None:
        message.target_value = zone
    elif low is not None and target == WorkoutStepTarget.SPEED:  # fit-tool scales speeds itself (m/s)
        message.target_value = 0
        message.custom_target_speed_low = low
        message.custom_target_speed_high = high
    elif low is not None:
        message.target_value = 0
        message.custom_target_value_low = low
        message.custom_target_value_high = high
    for key, value in fields.items():
        setattr(message, key, value)
    return message


def _repeat(index, back_to, times):
    message = WorkoutStepMessage()
    message.message_index = index
    message.duration_type = WorkoutStepDuration.REPEAT_UNTIL_STEPS_CMPLT
    message.duration_step = back_to
    message.target_repeat_steps = times
    return message


def test_fit_reads_percent_of_ftp_watts_heart_rate_and_nested_repeats():
    data = _fit([
        _fit_step(0, seconds=600, target=WorkoutStepTarget.POWER, low=55, high=75, intensity=Intensity.WARMUP),
        _fit_step(1, seconds=240, target=WorkoutStepTarget.POWER, low=1300, high=1320, workout_step_name="Hard"),
        _fit_step(2, seconds=60, target=WorkoutStepTarget.HEART_RATE, low=60, high=70, intensity=Intensity.RECOVERY),
        _repeat(3, 1, 3),
        _fit_step(4, seconds=120, target=WorkoutStepTarget.HEART_RATE, low=230, high=250),
        _repeat(5, 1, 2),
        _fit_step(6, duration=WorkoutStepDuration.OPEN, target=WorkoutStepTarget.CADENCE, low=80, high=90,
                  intensity=Intensity.COOLDOWN),
    ])
    got = read(data, "fit").workout
    assert got["sport"] == "BIKE" and got["name"] == "From a watch"
    warmup, block, cooldown = got["steps"]
    assert warmup["target"] == {"type": "POWER", "min": 55, "max": 75, "unit": "PERCENT"}
    assert block["repeat"] == 2
    inner, heart = block["steps"]
    assert inner["repeat"] == 3 and inner["steps"][0]["target"] == {"type": "POWER", "min": 300, "max": 320}
    assert inner["steps"][0]["name"] == "Hard"
    assert inner["steps"][1]["target"] == {"type": "HEART_RATE", "min": 60, "max": 70, "unit": "PERCENT"}
    assert heart["target"] == {"type": "HEART_RATE", "min": 130, "max": 150}
    assert cooldown == {"intensity": "COOLDOWN", "duration": {"type": "OPEN"},
                        "target": {"type": "CADENCE", "min": 80, "max": 90}}


def test_fit_swim_paces_are_per_100_m_and_other_endings_are_lap_presses():
    data = _fit([
        _fit_step(0, duration=WorkoutStepDuration.DISTANCE, seconds=400.0, target=WorkoutStepTarget.SPEED,
                  low=1.0, high=1.25),  # m/s
        _fit_step(1, duration=WorkoutStepDuration.HR_LESS_THAN, target=WorkoutStepTarget.OPEN, intensity=Intensity.REST,
                  duration_value=120),
    ], sport=Sport.SWIMMING)
    imported = read(data, "fit")
    swim, rest = imported.workout["steps"]
    assert swim["duration"] == {"type": "DISTANCE", "value": 400}
    assert swim["target"] == {"type": "PACE", "min": 80, "max": 100}  # seconds per 100 m
    assert rest["duration"] == {"type": "OPEN"} and any("lap-press" in n for n in imported.notes)


def test_fit_files_that_are_not_workouts_are_refused_clearly():
    activity = _fit([_fit_step(0)], kind=FileType.ACTIVITY)
    with pytest.raises(ReadError, match="an activity file, not a workout"):
        read(activity, "fit")
    with pytest.raises(ReadError, match="not a FIT file"):
        read(b"hello, this is not a FIT file at all", "fit")
    workout = _fit([_fit_step(0)])
    with pytest.raises(ReadError):
        read(workout[:-9], "fit")  # truncated: the CRC no longer matches
    damaged = bytearray(workout)
    damaged[20] ^= 0xFF
    with pytest.raises(ReadError):
        read(bytes(damaged), "fit")
    until_time = _fit([_fit_step(0), _fit_step(1, duration=WorkoutStepDuration.REPEAT_UNTIL_TIME, duration_value=600)])
    with pytest.raises(ReadError, match="workout_step 1"):
        read(until_time, "fit")


# -- round trips ---------------------------------------------------------------------------------------------

def _second_by_second(s: dict, thresholds: Thresholds, sport: str) -> list[float]:
    """A normalized step's intensity each second, as a share of FTP (or of threshold speed for a
    run), the way a trainer file means it: a range at its middle, a warm-up or cool-down range as
    a ramp up or down, a zone by its percents (zone 1 from 40 %), a ramp linear."""
    seconds = int(s["duration"]["value"])
    target = s["target"]
    threshold = thresholds.ftp_watts if target["type"] == "POWER" else thresholds.threshold_pace_sec_per_km
    percent = target.get("percent")

    def share(value: float) -> float:
        return value / threshold if target["type"] == "POWER" else threshold / value

    if "from" in target or (percent and "from" in percent):
        start, end = ((percent["from"] / 100, percent["to"] / 100) if percent
                      else (share(target["from"]), share(target["to"])))
    else:
        if percent:
            low, high = percent["min"] / 100, percent["max"] / 100
        elif target.get("zone"):
            low, high = (p / 100 for p in zone_percent(target["type"], target["zone"]))
            low = max(low, EASIEST) if target["type"] == "POWER" else low
        else:
            low, high = sorted((share(target["min"]), share(target["max"])))
        start, end = ((low, high) if s["intensity"] == "WARMUP" else (high, low) if s["intensity"] == "COOLDOWN"
                      else ((low + high) / 2,) * 2)
    return [start + (end - start) * (i + 0.5) / seconds for i in range(seconds)]


def _profile(normalized: dict, thresholds: Thresholds) -> list[float]:
    out = []
    for s in normalized["steps"]:
        out.extend(_second_by_second(s, thresholds, normalized["sport"]))
    return out


def _messages(normalized: dict) -> list[tuple[int, str]]:
    clock, out = 0, []
    for s in normalized["steps"]:
        told = " — ".join(p for p in (s.get("name"), s.get("notes")) if p)
        if told:
            out.append((clock, " ".join(told.split())))
        out.extend((clock + int(c["at"]), " ".join(c["text"].split())) for c in s.get("cues") or [])
        clock += int(s["duration"]["value"])
    return sorted(out)


WORDS = st.text(alphabet="abcdefghij KLMNOP-!", min_size=1, max_size=20).map(str.strip).filter(bool)


@st.composite
def trainer_targets(draw, sport: str):
    kind = "POWER" if sport == "BIKE" else "PACE"
    shapes = ["percent", "percent ramp", "absolute", "ramp"] + (["zone"] if kind == "POWER" else [])
    shape = draw(st.sampled_from(shapes))
    if shape == "zone":
        return {"type": "POWER", "zone": draw(st.integers(1, 7))}
    if "percent" in shape:
        a, b = draw(st.integers(40, 150)), draw(st.integers(40, 150))
        extra = {"unit": "PERCENT"}
    else:
        limits = (80, 450) if kind == "POWER" else (200, 400)  # paces of 60-150 % of threshold speed
        a, b = draw(st.integers(*limits)), draw(st.integers(*limits))
        extra = {}
    if "ramp" in shape:
        return {"type": kind, "from": a, "to": b, **extra}
    return {"type": kind, "min": min(a, b), "max": max(a, b), **extra}


@st.composite
def trainer_steps(draw, sport: str):
    seconds = draw(st.integers(10, 900))
    s = step(draw(st.sampled_from(["WARMUP", "ACTIVE", "RECOVERY", "REST", "COOLDOWN"])), seconds,
             draw(trainer_targets(sport)))
    if draw(st.integers(0, 3)) == 0:
        s["name"] = draw(WORDS)
    if draw(st.integers(0, 2)) == 0:
        ats = draw(st.lists(st.integers(1, seconds - 1), min_size=1, max_size=3, unique=True))
        s["cues"] = [{"at": at, "text": draw(WORDS)} for at in ats]
    return s


@st.composite
def trainer_workouts(draw, sport: str = "BIKE"):
    items = []
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.integers(0, 3)) == 0:
            items.append({"repeat": draw(st.integers(2, 5)),
                          "steps": draw(st.lists(trainer_steps(sport), min_size=1, max_size=3))})
        else:
            items.append(draw(trainer_steps(sport)))
    return {"sport": sport, "name": draw(WORDS), "steps": items}


def _assert_same_power(fmt: str, workout: dict, thresholds: Thresholds) -> None:
    original = prepare(workout, thresholds)
    file = trainer_files.make(fmt, original, thresholds)
    assert file.available, file.notes
    imported = read(file.content, fmt, workout["sport"])
    back = prepare(imported.workout, thresholds)
    want, got = _profile(original, thresholds), _profile(back, thresholds)
    assert len(got) == len(want)  # the same time, second for second
    worst = max(abs(a - b) for a, b in zip(want, got))
    assert worst <= 0.01, (fmt, worst)  # within 1 % of FTP (of threshold speed for a run)
    assert _messages(back) == _messages(original)


@SETTINGS
@given(trainer_workouts(), st.integers(100, 450), st.sampled_from(["zwo", "erg", "mrc"]))
def test_trainer_files_read_back_the_same_power_second_by_second(workout, ftp, fmt):
    _assert_same_power(fmt, workout, Thresholds(ftp_watts=ftp))


@SETTINGS
@given(trainer_workouts("RUN"), st.integers(240, 300))
def test_zwift_runs_read_back_the_same_pace(workout, pace):
    _assert_same_power("zwo", workout, Thresholds(threshold_pace_sec_per_km=pace))


def _fit_equal(want: dict, got: dict, sport: str) -> None:
    assert got["intensity"] == want["intensity"]
    assert got["duration"]["type"] == want["duration"]["type"]
    if want["duration"]["type"] != "OPEN":
        assert math.isclose(got["duration"]["value"], want["duration"]["value"], abs_tol=0.01)
    assert got.get("name") == want.get("name") and got.get("notes") == want.get("notes")
    target, cadence = want["target"], want["cadence"]
    if target is None and cadence and sport == "BIKE":  # FIT's primary cadence, read as a CADENCE target
        target, cadence = {"type": "CADENCE", **cadence}, None
    percent = (target or {}).get("percent")
    if target is None or ("min" not in target and percent is not None and (
            target["type"] == "PACE" or round_half_up(percent["max"]) >= (1000 if target["type"] == "POWER" else 100))):
        assert got["target"] is None
    elif "min" in target and target["type"] == "PACE":
        assert math.isclose(1000 / got["target"]["max"], 1000 / target["max"], abs_tol=0.002)
        assert math.isclose(1000 / got["target"]["min"], 1000 / target["min"], abs_tol=0.002)
    elif "min" in target:
        low = round(target["min"]) or (1 if target["type"] == "POWER" and round(target["max"]) > 0 else 0)
        assert (got["target"]["min"], got["target"]["max"]) == (low, round(target["max"]))
    elif percent is not None:
        low, high = round_half_up(percent["min"]), round_half_up(percent["max"])
        low = max(low, 1) if target["type"] == "POWER" else low
        assert got["target"]["percent"] == {"min": max(low, 1) if low == 0 and high else low, "max": max(high, 1)}
    else:
        assert got["target"]["zone"] == target["zone"]
    assert got["cadence"] == ({"min": round(cadence["min"]), "max": round(cadence["max"])} if cadence else None)


@SETTINGS
@given(workouts_v3(), threshold_values)
def test_fit_reads_back_the_same_steps(workout, limits):
    """Every workout FIT holds as it is (no ramp, no cue, a percent the profile has) comes back."""
    thresholds = Thresholds(**limits)
    original = prepare(workout, thresholds)
    exact = [s for s in original["steps"]
             if not s.get("cues") and not (s["target"] and ("from" in s["target"]
                                                            or "from" in (s["target"].get("percent") or {})))]
    data, _ = fit.write(original)
    try:
        back = normalize(read(data, "fit").workout, thresholds)
    except ReadError as error:  # ramps sent as steps can take a workout past the steps it holds
        assert "at most 200 steps" in str(error), error
        return
    if len(exact) != len(original["steps"]):  # ramps came back as their steps, cues in notes
        assert len(back["steps"]) >= len(original["steps"])
        for key in ("timeSeconds", "distanceMeters", "openSteps"):
            assert math.isclose(back["totals"][key], original["totals"][key], abs_tol=0.01 * len(back["steps"]))
        return
    assert [s["path"] for s in back["steps"]] == [s["path"] for s in original["steps"]]  # the same repeats
    for want, got in zip(original["steps"], back["steps"]):
        _fit_equal(want, got, original["sport"])


def test_fit_cuts_a_text_to_the_bytes_a_fit_field_holds_and_says_so():
    """200 characters of four-byte letters are 800 bytes: a FIT string field holds 255 with its end."""
    long = "𝓢" * 200
    workout = {"sport": "RUN", "name": "𝓡" * 80, "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600}, "notes": long}]}
    data, notes = fit.write(prepare(workout))
    back = read(data, "fit").workout
    assert back["steps"][0]["notes"].endswith("…") and len(back["steps"][0]["notes"].encode()) <= 254
    assert any(n.startswith("steps[0]: a text of 800 bytes is cut") for n in notes)
    assert any(n.startswith("name: a text of 320 bytes is cut") for n in notes)
