"""Workout files for indoor training apps (workouts/formats: zwo, course): the ZWO read as Zwift
reads it (elements and attributes as catalogued by h4l/zwift-workout-file-reference), ERG and
MRC by their [COURSE HEADER]/[COURSE DATA] layout, and the downloads from the session page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.conftest import login
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, workout
from workouts import Thresholds, prepare
from workouts.formats import trainer_files

FTP = Thresholds(ftp_watts=280, max_heart_rate=190, threshold_pace_sec_per_km=240)

# What Zwift reads inside <workout>: each block, the attributes it needs and those it may have.
ZWIFT_BLOCKS = {
    "Warmup": ({"Duration", "PowerLow", "PowerHigh"}, {"Cadence", "pace"}),
    "Cooldown": ({"Duration", "PowerLow", "PowerHigh"}, {"Cadence", "pace"}),
    "Ramp": ({"Duration", "PowerLow", "PowerHigh"}, {"Cadence", "pace"}),
    "SteadyState": ({"Duration", "Power"}, {"Cadence", "pace"}),
    "IntervalsT": ({"Repeat", "OnDuration", "OffDuration", "OnPower", "OffPower"}, {"Cadence", "CadenceResting", "pace"}),
    "FreeRide": ({"Duration"}, {"Cadence", "FlatRoad"}),
}
ZWIFT_HEADER = ("author", "name", "description", "sportType", "tags", "workout")


def read_zwo(content: bytes) -> list[ET.Element]:
    """The blocks of a ZWO, after checking it is one Zwift would load."""
    root = ET.fromstring(content)
    assert root.tag == "workout_file"
    assert [child.tag for child in root] == list(ZWIFT_HEADER)
    assert root.findtext("sportType") in ("bike", "run")
    blocks = list(root.find("workout"))
    for block in blocks:
        required, optional = ZWIFT_BLOCKS[block.tag]
        assert required <= set(block.attrib) <= required | optional, (block.tag, block.attrib)
        for name, value in block.attrib.items():
            number = float(value)
            assert number >= 0
            if "Power" in name:
                assert 0.2 <= number <= 3, (name, value)  # a share of FTP, not watts
            if "Duration" in name:
                assert number == int(number) and number > 0
        for event in block:
            assert event.tag == "textevent" and event.get("message") and float(event.get("timeoffset")) >= 0
    return blocks


def make(fmt, w, thresholds=FTP):
    return trainer_files.make(fmt, prepare(w, thresholds), thresholds)


def course(content: bytes) -> tuple[dict[str, str], str, list[tuple[float, float]]]:
    """ERG/MRC: the header's settings, the columns line, and the (minute, value) points."""
    lines = content.decode().splitlines()
    assert lines[0] == "[COURSE HEADER]"
    end = lines.index("[END COURSE HEADER]")
    assert lines[end + 1] == "[COURSE DATA]" and lines[-1] == "[END COURSE DATA]"
    settings = dict(line.split(" = ", 1) for line in lines[1:end] if " = " in line)
    columns = next(line for line in lines[1:end] if " = " not in line)
    points = [tuple(float(v) for v in line.split("\t")) for line in lines[end + 2:-1]]
    minutes = [m for m, _ in points]
    assert minutes == sorted(minutes), "time only moves forward"
    return settings, columns, points


def test_zwo_holds_ramps_intervals_cadence_and_messages():
    w = workout(SPEC_EXAMPLE)
    w["steps"][1]["steps"][0]["notes"] = "Stay seated"
    made = make("zwo", w)
    blocks = read_zwo(made.content)
    assert [b.tag for b in blocks] == ["Warmup", "IntervalsT", "FreeRide"]
    warmup, intervals, _ = blocks
    assert (float(warmup.get("PowerLow")), float(warmup.get("PowerHigh"))) == (0.56, 0.75)  # zone 2
    assert intervals.get("Repeat") == "4" and intervals.get("OnDuration") == "480" and intervals.get("OffDuration") == "120"
    assert float(intervals.get("OnPower")) == pytest.approx(257.5 / 280, abs=0.001)  # 250-265 W of 280
    assert intervals.get("Cadence") == "90"
    assert intervals.find("textevent").get("message") == "Stay seated"
    assert any("distance step" in note for note in made.notes)  # the 2 km cool-down is timed, and said so


def test_zwo_cooldown_ramps_down_and_nested_repeats_unroll():
    w = {"sport": "BIKE", "name": "Pyramid", "steps": [
        {"repeat": 2, "steps": [
            {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "zone": 5}},
            {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "zone": 4}},
            {"intensity": "RECOVERY", "duration": {"type": "TIME", "value": 60}, "target": {"type": "POWER", "zone": 1}}]},
        {"intensity": "COOLDOWN", "duration": {"type": "TIME", "value": 600}, "target": {"type": "POWER", "zone": 2}}]}
    blocks = read_zwo(make("zwo", w).content)
    assert [b.tag for b in blocks] == ["SteadyState"] * 6 + ["Cooldown"]
    cooldown = blocks[-1]
    assert float(cooldown.get("PowerLow")) > float(cooldown.get("PowerHigh"))  # Zwift ramps from PowerLow to PowerHigh


def test_zwo_runs_use_threshold_speed_and_swims_are_said_to_be_impossible():
    tempo = {"sport": "RUN", "name": "Tempo", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 1200}, "target": {"type": "PACE", "min": 250, "max": 260}}]}
    root = ET.fromstring(make("zwo", tempo).content)
    assert root.findtext("sportType") == "run"
    (block,) = read_zwo(make("zwo", tempo).content)
    assert float(block.get("Power")) == pytest.approx((240 / 260 + 240 / 250) / 2, abs=0.001)
    heart = make("zwo", EASY_RUN)
    assert read_zwo(heart.content)[0].tag == "FreeRide" and "heart-rate" in heart.notes[0]
    swim = {"sport": "SWIM", "name": "Swim", "steps": [{"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 400}}]}
    made = make("zwo", swim)
    assert not made.available and "swim" in made.notes[0]


def test_erg_is_watts_and_mrc_percent_of_ftp_step_by_step():
    erg = make("erg", SPEC_EXAMPLE)
    settings, columns, points = course(erg.content)
    assert columns == "MINUTES WATTS" and settings["FTP"] == "280" and settings["DESCRIPTION"] == "4x8 min threshold"
    assert points[0] == (0.0, round(0.56 * 280)) and points[1] == (10.0, round(0.75 * 280))  # the warm-up ramp
    assert points[2] == (10.0, round(257.5)) and points[3] == (18.0, round(257.5))
    assert points[-1][0] == pytest.approx(50 + 2000 / (30 / 3.6) / 60, abs=0.01)
    mrc = make("mrc", SPEC_EXAMPLE)
    settings, columns, mrc_points = course(mrc.content)
    assert columns == "MINUTES PERCENT" and "FTP" not in settings
    assert [m for m, _ in mrc_points] == [m for m, _ in points]
    assert mrc_points[2][1] == round(257.5 / 280 * 100)


def test_what_erg_and_mrc_cannot_hold_is_said():
    watts_no_ftp = make("erg", workout(SPEC_EXAMPLE, steps=[
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600}, "target": {"type": "POWER", "zone": 3}}]),
        Thresholds())
    assert not watts_no_ftp.available and "FTP" in watts_no_ftp.notes[0]
    heart_rate_ride = {"sport": "BIKE", "name": "HR ride", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 600}, "target": {"type": "HEART_RATE", "zone": 2}}]}
    made = make("mrc", heart_rate_ride)
    assert not made.available and "heart rate" in made.notes[0]
    assert not make("erg", EASY_RUN).available


@pytest.fixture
def bike_session(people, api_as):
    coach = people.coach()
    athlete = people.athlete(coach, ftp_watts=280)
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Threshold: 4 x 8'", "workout": SPEC_EXAMPLE},
        {"date": "2026-11-25", "type": "ENDURANCE", "title": "Easy", "workout": EASY_RUN}]}).json
    return [s["id"] for s in plan["sessions"]]


def test_downloads_are_named_after_the_session_and_the_page_says_what_cannot_be_had(client, bike_session):
    ride, run = bike_session
    login(client, "athlete@example.test", "athlete-password")
    for fmt in ("zwo", "erg", "mrc"):
        response = client.get(f"/sessions/{ride}/workout.{fmt}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"] == f'attachment; filename="2026-11-24-threshold-4-x-8.{fmt}"'
    read_zwo(client.get(f"/sessions/{ride}/workout.zwo").data)
    course(client.get(f"/sessions/{ride}/workout.erg").data)
    refused = client.get(f"/sessions/{run}/workout.erg")
    assert refused.status_code == 422 and b"not runs" in refused.data
    page = client.get(f"/sessions/{run}").get_data(as_text=True)
    assert 'data-format="erg" data-available="no"' in page and "not runs" in page
    assert 'data-format="zwo" data-available="yes"' in page
