"""``flask workouts validate | normalize | check | export`` as api.md describes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from tests.support.fit_decode import decode, expanded_steps
from tests.support.workouts import SPEC_EXAMPLE, workout
from webapp.cli.workouts import workouts


@pytest.fixture
def files(tmp_path):
    def write(name, data):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data))
        return str(path)

    return write


def run(*args):
    return CliRunner().invoke(workouts, list(args), catch_exceptions=False)


def test_validate_the_spec_example(files):
    result = run("validate", files("w.json", SPEC_EXAMPLE))
    assert (result.exit_code, result.output) == (0, "valid\n")


def test_validate_prints_one_line_per_problem(files):
    broken = workout(sport="RUN")
    broken["steps"][0]["duration"]["value"] = 0
    result = run("validate", files("w.json", broken))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "steps[0]: TIME duration must be greater than 0",
        "steps[1].steps[0]: cadence target is only allowed for BIKE",
    ]


def test_validate_not_json_and_missing_file(files):
    result = run("validate", files("w.json", "{oops"))
    assert result.exit_code == 1 and "not valid JSON" in result.output
    result = run("validate", "/no/such/file.json")
    assert result.exit_code == 1 and "no such file" in result.output


def test_validate_for_a_provider_adds_its_limits(files):
    swim = {"sport": "SWIM", "name": "s", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100}}]}
    result = run("validate", files("s.json", swim), "--to", "wahoo")
    assert (result.exit_code, result.stdout) == (1, "sport: Wahoo takes BIKE and RUN workouts only, not SWIM\n")
    # A workout Wahoo takes adapted is valid for it; the adaptations go to standard error.
    result = run("validate", files("w.json", SPEC_EXAMPLE), "--to", "wahoo")
    assert (result.exit_code, result.stdout) == (0, "valid\n")
    assert "adapted: steps[0]: power zone 2 is sent without a target" in result.stderr


def test_normalize_resolves_zones_with_the_thresholds_given(files):
    result = run("normalize", files("w.json", SPEC_EXAMPLE), "--ftp", "250")
    assert result.exit_code == 0
    normalized = json.loads(result.output)
    assert normalized["steps"][0]["target"] == {"type": "POWER", "zone": 2, "min": 140, "max": 188}
    assert normalized["totals"] == {"steps": 10, "timeSeconds": 3000, "distanceMeters": 2000, "openSteps": 0}
    without = json.loads(run("normalize", files("w.json", SPEC_EXAMPLE)).output)
    assert without["steps"][0]["target"] == {"type": "POWER", "zone": 2}


def test_normalize_accepts_paces_as_m_ss(files):
    run_workout = {"sport": "RUN", "name": "z", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 60}, "target": {"type": "PACE", "zone": 4}}]}
    result = run("normalize", files("w.json", run_workout), "--threshold-pace", "4:00")
    assert json.loads(result.output)["steps"][0]["target"] == {"type": "PACE", "zone": 4, "min": 238, "max": 253}


def test_export_garmin_and_wahoo_write_json(files, tmp_path):
    path = files("w.json", SPEC_EXAMPLE)
    result = run("export", path, "--to", "garmin", "--date", "2026-11-24")
    assert result.exit_code == 0
    garmin = json.loads(result.stdout)
    assert garmin["sport"] == "CYCLING" and garmin["segments"][0]["steps"][1]["type"] == "WorkoutRepeatStep"
    assert '"date": "2026-11-24"' in result.stderr
    out = tmp_path / "plan.json"
    result = run("export", path, "--to", "wahoo", "--ftp", "250", "-o", str(out))
    assert result.exit_code == 0
    assert json.loads(out.read_text())["header"]["workout_type_family"] == 0


def test_export_fit_writes_a_file_garmins_sdk_reads(files, tmp_path):
    out = tmp_path / "w.fit"
    result = run("export", files("w.json", SPEC_EXAMPLE), "--to", "fit", "--ftp", "250", "-o", str(out))
    assert result.exit_code == 0
    steps = expanded_steps(decode(out.read_bytes()))
    assert len(steps) == 10 and steps[0]["target"] == {"type": "POWER", "min": 140, "max": 188}


def test_export_refuses_only_what_the_provider_cannot_take(files):
    swim = {"sport": "SWIM", "name": "s", "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100}}]}
    result = run("export", files("w.json", swim), "--to", "wahoo")
    assert (result.exit_code, result.output) == (1, "sport: Wahoo takes BIKE and RUN workouts only, not SWIM\n")


OPEN_COOLDOWN_RIDE = {"sport": "BIKE", "name": "Endurance, easy spin home", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 900}, "target": {"type": "POWER", "zone": 1}},
    {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 3600}, "target": {"type": "POWER", "zone": 2}},
    {"intensity": "COOLDOWN", "duration": {"type": "OPEN"}}]}
LAP_WARMUP_RUN = {"sport": "RUN", "name": "Tempo after a lap-press warm-up", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "OPEN"}, "notes": "Jog until warm, then press lap"},
    {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 5000}, "target": {"type": "PACE", "min": 250,
                                                                                            "max": 260}},
    {"intensity": "COOLDOWN", "duration": {"type": "TIME", "value": 600}}]}


def test_an_adapted_workout_is_written_and_its_notes_go_to_stderr(files, tmp_path):
    out = tmp_path / "plan.json"
    result = run("export", files("w.json", OPEN_COOLDOWN_RIDE), "--to", "wahoo", "--ftp", "250", "-o", str(out))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == ("adapted: steps[2]: a lap-press step is sent as 10 min (Wahoo steps end "
                                             "on time or distance); press lap to end it sooner")
    cooldown = json.loads(out.read_text())["intervals"][2]
    assert (cooldown["exit_trigger_type"], cooldown["exit_trigger_value"]) == ("time", 600)


def test_check_says_what_each_provider_gets(files):
    result = run("check", files("r.json", LAP_WARMUP_RUN))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "GARMIN exact",
        "WAHOO adapted: steps[0]: a lap-press step is sent as 10 min (Wahoo steps end on time or distance); press lap "
        "to end it sooner",
        # A lap-press step is a guide step ending on the lap button; the name is cut for the watch's list.
        "SUUNTO adapted: name: the watch's list of guides shows it as “Tempo after a lap-press” (23 characters, in "
        "the characters the watch renders)",
    ]
    swim = {"sport": "SWIM", "name": "s", "steps": [{"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100}}]}
    assert run("check", files("s.json", swim)).output.splitlines()[1] == (
        "WAHOO unsupported: sport: Wahoo takes BIKE and RUN workouts only, not SWIM")
    as_json = json.loads(run("check", files("w.json", SPEC_EXAMPLE), "--ftp", "250", "--json").output)
    assert as_json["GARMIN"] == {"level": "EXACT", "notes": []}
    assert as_json["WAHOO"]["level"] == "ADAPTED" and as_json["WAHOO"]["notes"][0].startswith("steps[1].steps[0]: ")


def test_check_of_an_invalid_workout_lists_its_problems(files):
    broken = workout(sport="RUN")
    result = run("check", files("w.json", broken))
    assert (result.exit_code, result.output) == (1, "steps[1].steps[0]: cadence target is only allowed for BIKE\n")


def test_the_real_flask_command(files, tmp_path):
    """Through `flask --app wsgi`, as a newcomer types it."""
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path / "instance")}
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    result = subprocess.run([flask, "--app", "wsgi", "workouts", "validate", files("w.json", SPEC_EXAMPLE)],
                            capture_output=True, text=True, env=env, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert (result.returncode, result.stdout) == (0, "valid\n"), result.stderr
