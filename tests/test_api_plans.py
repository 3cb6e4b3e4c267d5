"""The plans API of api.md: round trips, field errors, roles and conflicts."""

from __future__ import annotations

import copy

import pytest

from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, workout

MONDAY = "2026-11-23"

CONTENT_KEYS = ("date", "type", "title", "workout")


def sessions_body():
    return [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Threshold", "workout": copy.deepcopy(SPEC_EXAMPLE)},
        {"date": "2026-11-25", "type": "STRENGTH", "title": "Gym"},
        {"date": "2026-11-27", "type": "ENDURANCE", "title": "Easy", "workout": copy.deepcopy(EASY_RUN)},
    ]


def content(sessions):
    return [{k: s.get(k) for k in CONTENT_KEYS} for s in sessions]


@pytest.fixture
def coach_api(people, api_as):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test")
    api = api_as(coach)
    api.coach_id, api.athlete_id = coach, athlete
    return api


def create(api, sessions=None, week=MONDAY):
    return api.post("/plans", json={"athleteId": api.athlete_id, "weekStart": week,
                                    "sessions": sessions_body() if sessions is None else sessions})


def test_plan_round_trips_through_post_get_and_put(coach_api):
    created = create(coach_api)
    assert created.status_code == 201, created.json
    plan = created.json
    assert plan["athleteId"] == coach_api.athlete_id and plan["weekStart"] == MONDAY
    assert content(plan["sessions"]) == content(sessions_body())

    fetched = coach_api.get(f"/plans/{plan['id']}").json
    assert fetched == plan

    sent_back = [dict(s) for s in fetched["sessions"]]  # what a client read, sent back as is
    updated = coach_api.put(f"/plans/{plan['id']}", json={"sessions": sent_back})
    assert updated.status_code == 200, updated.json
    assert content(updated.json["sessions"]) == content(sessions_body())
    assert [s["id"] for s in updated.json["sessions"]] == [s["id"] for s in plan["sessions"]]


def test_put_updates_creates_and_deletes_sessions(coach_api):
    plan = create(coach_api).json
    first, strength, easy = plan["sessions"]
    changed = dict(first, title="Threshold, shorter", workout=workout(name="3x8 min threshold"))
    new = {"date": "2026-11-29", "type": "REST", "title": "Off"}
    response = coach_api.put(f"/plans/{plan['id']}", json={"sessions": [changed, strength, new]})
    assert response.status_code == 200, response.json
    sessions = response.json["sessions"]
    assert [s["title"] for s in sessions] == ["Threshold, shorter", "Gym", "Off"]
    assert sessions[0]["workout"]["name"] == "3x8 min threshold"
    assert coach_api.get(f"/sessions/{easy['id']}").status_code == 404
    assert coach_api.get(f"/sessions/{strength['id']}").json["title"] == "Gym"


def test_export_fields_exist_and_are_null_unless_endurance(coach_api):
    plan = create(coach_api).json
    endurance, strength, _ = plan["sessions"]
    export_keys = ("exportStatus", "exportProvider", "exportedAt", "externalWorkoutId", "lastExportError")
    assert all(key in strength and strength[key] is None for key in export_keys)
    assert all(key in endurance for key in export_keys)
    assert endurance["exportStatus"] == "NOT_CONNECTED"  # no device is connected
    assert endurance["exportProvider"] is None and endurance["externalWorkoutId"] is None


def test_a_workout_that_breaks_a_rule_gets_422_naming_the_step_and_nothing_is_saved(coach_api):
    bad = workout(sport="RUN")  # the spec's bike workout has a cadence target on steps[1].steps[0]
    sessions = sessions_body()
    sessions[2]["workout"] = bad
    response = create(coach_api, sessions)
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["sessions[2].workout.steps[1].steps[0]"] == ["cadence target is only allowed for BIKE"]
    assert coach_api.get("/plans").json == []


def test_field_errors_name_every_broken_rule(coach_api):
    sessions = sessions_body()
    sessions[0]["workout"]["steps"][0]["duration"]["value"] = 0
    sessions[0]["workout"]["steps"][2]["target"] = {"type": "PACE", "zone": 9}
    sessions[1]["type"] = "YOGA"
    response = create(coach_api, sessions)
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert fields["sessions[0].workout.steps[0]"] == ["TIME duration must be greater than 0"]
    assert "PACE target is not allowed for BIKE" in fields["sessions[0].workout.steps[2]"]
    assert "PACE zone must be a whole number from 1 to 5" in fields["sessions[0].workout.steps[2]"]
    assert list(fields["sessions[1].type"]) == ["Must be one of: ENDURANCE, STRENGTH, REST, OTHER."]


def test_session_dates_must_fall_within_the_plans_week(coach_api):
    sessions = sessions_body()
    sessions[1]["date"] = "2026-12-02"
    response = create(coach_api, sessions)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "sessions[1].date": ["must fall within the plan's week (2026-11-23 to 2026-11-29)"]}
    assert coach_api.get("/plans").json == []


def test_a_rejected_put_changes_nothing(coach_api):
    plan = create(coach_api).json
    sessions = copy.deepcopy(plan["sessions"])
    sessions[0]["title"] = "Renamed"
    sessions[2]["workout"]["steps"][0]["target"] = {"type": "CADENCE", "min": 80, "max": 90}  # a RUN
    response = coach_api.put(f"/plans/{plan['id']}", json={"sessions": sessions[:2] + [sessions[2]]})
    assert response.status_code == 422
    assert "sessions[2].workout.steps[0]" in response.json["error"]["fields"]
    assert coach_api.get(f"/plans/{plan['id']}").json == plan


@pytest.mark.parametrize("body, status", [
    (b"{not json", 400),
    (b"[1, 2]", 400),
    (b"\"text\"", 400),
    (b"[" * 100000, 400),
])
def test_malformed_bodies_get_400(coach_api, body, status):
    response = coach_api.client.post("/api/v1/plans", data=body, headers={**coach_api.headers(),
                                                                          "Content-Type": "application/json"})
    assert response.status_code == status
    assert response.json["error"]["code"] == "malformed_request"


def test_unknown_fields_and_wrong_types_get_422(coach_api):
    response = coach_api.post("/plans", json={"athleteId": "7", "weekStart": MONDAY, "sessions": [], "colour": "red"})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "athleteId" in fields and "colour" in fields


def test_week_start_must_be_a_monday(coach_api):
    response = create(coach_api, week="2026-11-24")
    assert response.status_code == 422
    assert response.json["error"]["fields"]["weekStart"] == ["must be a Monday"]


def test_a_second_plan_for_the_same_athlete_and_week_is_a_conflict(coach_api):
    first = create(coach_api)
    assert first.status_code == 201
    second = create(coach_api, sessions=[])
    assert second.status_code == 409
    assert str(first.json["id"]) in second.json["error"]["message"]


def test_athlete_reads_own_plan_but_gets_403_on_put(coach_api, api_as):
    plan = create(coach_api).json
    athlete = api_as(coach_api.athlete_id)
    assert athlete.get(f"/plans/{plan['id']}").json == plan
    assert athlete.get("/plans").json == [plan]
    response = athlete.put(f"/plans/{plan['id']}", json={"sessions": []})
    assert response.status_code == 403
    assert athlete.post("/plans", json={"athleteId": coach_api.athlete_id, "weekStart": "2026-11-30"}).status_code == 403
    assert coach_api.get(f"/plans/{plan['id']}").json == plan


def test_another_coach_gets_403_or_404_on_every_path_of_the_plan(coach_api, people, api_as):
    plan = create(coach_api).json
    session_id = plan["sessions"][0]["id"]
    other = api_as(people.coach(email="other@example.test"))
    other_athlete = api_as(people.athlete(people.coach(email="third@example.test"), email="zoe@example.test"))
    for intruder in (other, other_athlete):
        assert intruder.get(f"/plans/{plan['id']}").status_code in (403, 404)
        assert intruder.put(f"/plans/{plan['id']}", json={"sessions": []}).status_code in (403, 404)
        assert intruder.delete(f"/plans/{plan['id']}").status_code in (403, 404)
        assert intruder.get(f"/sessions/{session_id}").status_code in (403, 404)
        assert intruder.get(f"/athletes/{coach_api.athlete_id}/profile").status_code in (403, 404)
        assert intruder.get("/plans").json == []
    assert other.post("/plans", json={"athleteId": coach_api.athlete_id, "weekStart": "2026-11-30",
                                      "sessions": []}).status_code in (403, 404)
    assert coach_api.get(f"/plans/{plan['id']}").json == plan


def test_no_or_bad_token_gets_401(client):
    assert client.get("/api/v1/plans").status_code == 401
    response = client.get("/api/v1/plans", headers={"Authorization": "Bearer hp_not-a-token"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_plans_can_be_filtered(coach_api):
    create(coach_api)
    create(coach_api, sessions=[], week="2026-11-30")
    assert [p["weekStart"] for p in coach_api.get("/plans").json] == [MONDAY, "2026-11-30"]
    assert [p["weekStart"] for p in coach_api.get("/plans?weekStart=2026-11-30").json] == ["2026-11-30"]
    assert coach_api.get(f"/plans?athleteId={coach_api.athlete_id + 100}").json == []
    assert coach_api.get("/plans?weekStart=someday").status_code == 422


def test_athletes_and_profiles(coach_api, api_as):
    assert coach_api.get("/athletes").json == [{"id": coach_api.athlete_id, "email": "ana@example.test", "name": "Ana"}]
    path = f"/athletes/{coach_api.athlete_id}/profile"
    assert coach_api.get(path).json["ftpWatts"] is None
    response = coach_api.put(path, json={"ftpWatts": 260, "maxHeartRate": 190, "timezone": "Europe/Paris"})
    assert response.status_code == 200
    assert response.json["ftpWatts"] == 260 and response.json["timezone"] == "Europe/Paris"
    assert coach_api.put(path, json={"ftpWatts": 5000}).json["error"]["fields"] == {"ftpWatts": ["must be from 20 to 2000 W"]}
    assert coach_api.put(path, json={"timezone": "Mars/Olympus"}).status_code == 422
    athlete = api_as(coach_api.athlete_id)
    assert athlete.get(path).json["ftpWatts"] == 260
    assert athlete.put(path, json={"ftpWatts": 300}).status_code == 403
    assert athlete.get("/athletes").status_code == 403


def test_a_session_without_title_takes_the_workouts_name(coach_api):
    response = create(coach_api, [{"date": "2026-11-24", "type": "ENDURANCE", "workout": SPEC_EXAMPLE},
                                   {"date": "2026-11-25", "type": "REST"}])
    assert [s["title"] for s in response.json["sessions"]] == ["4x8 min threshold", "Rest"]


def test_workout_and_type_must_agree(coach_api):
    response = create(coach_api, [{"date": "2026-11-24", "type": "ENDURANCE"},
                                   {"date": "2026-11-25", "type": "STRENGTH", "workout": EASY_RUN},
                                   {"date": "2026-11-26", "type": "REST", "workout": EASY_RUN}])
    fields = response.json["error"]["fields"]
    assert fields["sessions[0].workout"] == ["an ENDURANCE session needs a workout"]
    # A STRENGTH session may carry a workout (third round), a strength or cardio one.
    assert fields["sessions[1].workout"] == ["a STRENGTH session's workout is a STRENGTH or CARDIO one"]
    assert fields["sessions[2].workout"] == ["only ENDURANCE and STRENGTH sessions carry a workout"]


def test_a_body_over_one_megabyte_is_refused(coach_api):
    huge = b'{"sessions": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = coach_api.client.post("/api/v1/plans", data=huge, headers={**coach_api.headers(),
                                                                         "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
