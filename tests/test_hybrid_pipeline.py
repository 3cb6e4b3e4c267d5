"""Hybrid sessions end to end (issue 21): a strength session and a bike-run brick saved through
the coach's API, pushed by a real `rq worker` to the sandbox over HTTP; the strength session's
.fit read back with Garmin's FIT SDK; a Wahoo-only athlete told before the save, never
surprised after it."""

from __future__ import annotations

import pytest

from tests.support.fit_decode import decode
from tests.test_multisport import BRICK
from tests.test_strength import SESSION as STRENGTH

pytestmark = pytest.mark.integration

MONDAY = "2026-11-23"


def save(athlete, sessions):
    response = athlete.coach_api.post("/plans", json={"athleteId": athlete.id, "weekStart": MONDAY,
                                                      "sessions": sessions})
    assert response.status_code == 201, response.text
    return response.json()["sessions"]


def hybrid_week():
    return [{"date": "2026-11-24", "type": "STRENGTH", "title": "Lower body", "workout": STRENGTH},
            {"date": "2026-11-25", "type": "ENDURANCE", "title": "Brick", "workout": BRICK}]


def test_a_strength_session_and_a_brick_reach_garmin_as_the_training_api_documents(pipeline):
    athlete = pipeline.athlete("garmin", ftp_watts=250, threshold_pace_sec_per_km=270)
    pipeline.workers.start(1)
    strength, brick = save(athlete, hybrid_week())
    for session in (strength, brick):
        sent = pipeline.wait_status(athlete.api, session["id"], "SENT")
        assert sent["exportProvider"] == "GARMIN"
    held = {str(w["id"]): w["body"] for w in pipeline.live.held("garmin")["workouts"]}
    lifted = held[pipeline.session(athlete.api, strength["id"])["externalWorkoutId"]]
    assert lifted["sport"] == "STRENGTH_TRAINING"
    sets = [s for s in lifted["segments"][0]["steps"] if s["type"] == "WorkoutRepeatStep"]
    assert [(s["repeatValue"], s["steps"][0]["exerciseName"], s["steps"][0]["durationValue"]) for s in sets] == [
        (4, "BARBELL_BACK_SQUAT", 5), (3, "BARBELL_DEADLIFT", 8)]
    squat, deadlift = (s["steps"][0] for s in sets)
    assert (squat["weightValue"], squat["weightDisplayUnit"]) == (100.0, "KILOGRAM")
    assert (deadlift["weightValue"], deadlift["weightDisplayUnit"]) == (102.058, "POUND")  # kilograms, shown in pounds
    assert [s["steps"][1]["durationType"] for s in sets] == ["FIXED_REST", "FIXED_REST"]
    multisport = held[pipeline.session(athlete.api, brick["id"])["externalWorkoutId"]]
    assert multisport["sport"] == "MULTI_SPORT"
    assert [segment["sport"] for segment in multisport["segments"]] == ["CYCLING", "RUNNING"]
    assert len(pipeline.live.held("garmin")["schedules"]) == 2
    # The athlete's .fit of the strength session, as a watch reads it.
    fit = athlete.get(f"/sessions/{strength['id']}/workout.fit")
    assert fit.status_code == 200
    steps = decode(fit.content)["workout_step_mesgs"]
    assert [(s.get("exercise_category"), s.get("duration_reps")) for s in steps if s.get("duration_type") == "reps"] == [
        ("squat", 5), ("deadlift", 8)]


def test_a_wahoo_only_athlete_is_told_before_the_save_and_nothing_fails_for_another_reason(pipeline):
    athlete = pipeline.athlete("wahoo")
    pipeline.workers.start(1)
    sessions = save(athlete, hybrid_week())
    for session in sessions:
        told = session["compatibility"]["WAHOO"]
        assert told["level"] == "UNSUPPORTED" and told["notes"]
        # Refused at the save with the very reason the editor showed; no call is made.
        stored = pipeline.wait_status(athlete.api, session["id"], "FAILED")
        assert all(note.split(": ", 1)[-1] in stored["lastExportError"] for note in told["notes"]), stored
    assert "no strength workouts of sets and reps" in " ".join(sessions[0]["compatibility"]["WAHOO"]["notes"])
    assert "multisport" in " ".join(sessions[1]["compatibility"]["WAHOO"]["notes"])
    assert pipeline.live.held("wahoo")["plans"] == []
