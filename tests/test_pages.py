"""The server-rendered pages: login, roles, and the coach's plan editor with its builder."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token, login


@pytest.fixture
def coach_and_athlete(people):
    coach = people.coach(name="Carla")
    athlete = people.athlete(coach, email="ana@example.test", name="Ana", ftp_watts=250)
    return coach, athlete


def builder_form(token, **overrides):
    """A minimal valid session as the editor posts it."""
    data = {
        "csrf_token": token, "date": "2026-11-24", "type": "ENDURANCE", "title": "",
        "w-sport": "BIKE", "w-name": "Over-unders", "w-description": "",
        "w-steps-0-kind": "step", "w-steps-0-intensity": "WARMUP", "w-steps-0-duration_type": "TIME",
        "w-steps-0-duration_value": "10:00", "w-steps-0-target_type": "POWER", "w-steps-0-target_mode": "zone",
        "w-steps-0-zone": "2", "w-steps-0-min": "", "w-steps-0-max": "", "w-steps-0-cadence_min": "",
        "w-steps-0-cadence_max": "", "w-steps-0-name": "", "w-steps-0-notes": "",
        "w-steps-1-kind": "repeat", "w-steps-1-repeat": "3",
        "w-steps-1-steps-0-kind": "step", "w-steps-1-steps-0-intensity": "ACTIVE",
        "w-steps-1-steps-0-duration_type": "TIME", "w-steps-1-steps-0-duration_value": "2:00",
        "w-steps-1-steps-0-target_type": "POWER", "w-steps-1-steps-0-target_mode": "range",
        "w-steps-1-steps-0-zone": "", "w-steps-1-steps-0-min": "260", "w-steps-1-steps-0-max": "280",
        "w-steps-1-steps-0-cadence_min": "90", "w-steps-1-steps-0-cadence_max": "100",
        "w-steps-1-steps-0-name": "Over", "w-steps-1-steps-0-notes": "",
        "w-steps-2-kind": "step", "w-steps-2-intensity": "COOLDOWN", "w-steps-2-duration_type": "DISTANCE",
        "w-steps-2-duration_value": "2 km", "w-steps-2-target_type": "", "w-steps-2-target_mode": "zone",
        "w-steps-2-zone": "", "w-steps-2-min": "", "w-steps-2-max": "", "w-steps-2-cadence_min": "",
        "w-steps-2-cadence_max": "", "w-steps-2-name": "", "w-steps-2-notes": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_pages_need_a_login(client):
    for path in ("/plans", "/week", "/plans/sessions/new?athlete=1&date=2026-11-24"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/").headers["Location"].endswith("/login")


def test_wrong_password_is_refused_without_saying_which_part(client, coach_and_athlete):
    token = csrf_token(client)
    response = client.post("/login", data={"email": "coach@example.test", "password": "nope-nope",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client, coach_and_athlete):
    response = client.post("/login", data={"email": "coach@example.test", "password": "coach-password"})
    assert response.status_code in (400, 401)
    assert client.get("/plans").status_code == 302


def test_login_is_case_insensitive_and_lands_on_the_role_page(client, coach_and_athlete):
    login(client, "COACH@Example.test", "coach-password")
    assert client.get("/").headers["Location"].endswith("/plans/overview")


def test_login_never_redirects_off_site(client, coach_and_athlete):
    token = csrf_token(client)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post("/login", data={"email": "coach@example.test", "password": "coach-password",
                                               "csrf_token": token, "next": target})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]
        client.post("/logout", data={"csrf_token": csrf_token(client, "/plans")})


def test_athlete_cannot_open_the_plan_editor_and_coach_sees_only_own_athletes(client, people, coach_and_athlete):
    coach, athlete = coach_and_athlete
    stranger = people.athlete(people.coach(email="other@example.test"), email="zoe@example.test")
    login(client, "ana@example.test", "athlete-password")
    assert client.get("/plans").status_code == 403
    assert client.get("/week").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/week")})
    login(client, "coach@example.test", "coach-password")
    assert client.get(f"/plans?athlete={stranger}").status_code == 404
    assert client.get(f"/plans/sessions/new?athlete={stranger}&date=2026-11-24").status_code == 404
    assert client.get("/week").status_code == 403


def test_coach_creates_an_endurance_session_through_the_builder_and_sees_it_after_reload(client, coach_and_athlete):
    coach, athlete = coach_and_athlete
    login(client, "coach@example.test", "coach-password")
    page = client.get(f"/plans/sessions/new?athlete={athlete}&date=2026-11-24")
    assert page.status_code == 200
    token = csrf_token(client, f"/plans?athlete={athlete}&week=2026-11-23")
    response = client.post(f"/plans/sessions/new?athlete={athlete}&date=2026-11-24", data=builder_form(token))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    week = client.get(f"/plans?athlete={athlete}&week=2026-11-23").get_data(as_text=True)
    assert "Over-unders" in week and "Not connected" in week

    from core.db import db
    from core.models import TrainingSession

    with client.application.app_context():
        session = db.session.query(TrainingSession).one()
        assert session.workout == {
            "sport": "BIKE", "name": "Over-unders",
            "steps": [
                {"intensity": "WARMUP", "duration": {"type": "TIME", "value": 600},
                 "target": {"type": "POWER", "zone": 2}},
                {"repeat": 3, "steps": [
                    {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 120},
                     "target": {"type": "POWER", "min": 260, "max": 280},
                     "cadence": {"min": 90, "max": 100}, "name": "Over"}]},
                {"intensity": "COOLDOWN", "duration": {"type": "DISTANCE", "value": 2000}, "target": None},
            ],
        }
        session_id = session.id
    edit = client.get(f"/plans/sessions/{session_id}/edit").get_data(as_text=True)
    assert 'value="10:00"' in edit and 'value="260"' in edit and 'value="2000"' in edit


def test_a_refused_save_keeps_the_coachs_input_and_shows_the_error_beside_the_step(client, coach_and_athlete):
    coach, athlete = coach_and_athlete
    login(client, "coach@example.test", "coach-password")
    token = csrf_token(client, "/plans")
    form = builder_form(token, **{"w-sport": "RUN", "w-steps-1-steps-0-duration_value": "2:xx"})
    response = client.post(f"/plans/sessions/new?athlete={athlete}&date=2026-11-24", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The session was not saved" in html
    assert 'value="2:xx"' in html  # the coach's typing is kept as typed
    assert "duration: enter seconds or m:ss" in html
    # The rule's error sits inside the fieldset of the step it names.
    step = re.search(r'data-path="steps\[1\]\.steps\[0\]">(.*?)</fieldset>', html, re.S).group(1)
    assert "cadence target is only allowed for BIKE" in step
    from core.db import db
    from core.models import TrainingSession

    with client.application.app_context():
        assert db.session.query(TrainingSession).count() == 0


def test_builder_buttons_add_and_remove_steps_without_saving(client, coach_and_athlete):
    coach, athlete = coach_and_athlete
    login(client, "coach@example.test", "coach-password")
    token = csrf_token(client, "/plans")
    url = f"/plans/sessions/new?athlete={athlete}&date=2026-11-24"
    form = builder_form(token, builder="add-step:w-steps-1-steps")
    form.pop("save")
    html = client.post(url, data=form, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'name="w-steps-1-steps-1-kind"' in html
    form = builder_form(token, builder="remove:w-steps-0")
    form.pop("save")
    html = client.post(url, data=form).get_data(as_text=True)
    assert 'name="w-steps-2-kind"' not in html and 'value="Over"' in html


def test_htmx_save_answers_with_a_client_redirect(client, coach_and_athlete):
    coach, athlete = coach_and_athlete
    login(client, "coach@example.test", "coach-password")
    token = csrf_token(client, "/plans")
    response = client.post(f"/plans/sessions/new?athlete={athlete}&date=2026-11-24", data=builder_form(token),
                           headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/plans?athlete=")


def test_coach_edits_and_deletes_a_session(client, coach_and_athlete, api_as):
    coach, athlete = coach_and_athlete
    api = api_as(coach)
    plan = api.post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-25", "type": "STRENGTH", "title": "Gym"}]}).json
    session_id = plan["sessions"][0]["id"]
    login(client, "coach@example.test", "coach-password")
    token = csrf_token(client, "/plans")
    response = client.post(f"/plans/sessions/{session_id}/edit",
                           data={"csrf_token": token, "date": "2026-11-26", "type": "STRENGTH", "title": "Gym, upper",
                                 "w-sport": "BIKE", "w-name": "", "w-description": "", "save": "1"})
    assert response.status_code == 302
    assert api.get(f"/sessions/{session_id}").json["title"] == "Gym, upper"
    assert api.get(f"/sessions/{session_id}").json["date"] == "2026-11-26"
    assert client.post(f"/plans/sessions/{session_id}/delete", data={"csrf_token": token}).status_code == 302
    assert api.get(f"/sessions/{session_id}").status_code == 404


def test_week_navigation(client, coach_and_athlete):
    coach, athlete = coach_and_athlete
    login(client, "coach@example.test", "coach-password")
    html = client.get(f"/plans?athlete={athlete}&week=2026-11-25").get_data(as_text=True)
    assert "Week of 23 November 2026" in html
    assert "week=2026-11-16" in html and "week=2026-11-30" in html


def test_an_athlete_sets_their_thresholds_and_the_rules_are_the_apis(client, people):
    coach = people.coach()
    people.athlete(coach, email="ana@example.test")
    login(client, "ana@example.test", "athlete-password")
    page = client.get("/profile")
    assert page.status_code == 200 and "Thresholds" in page.get_data(as_text=True)
    token = csrf_token(client, "/profile")
    bad = client.post("/profile", data={"csrf_token": token, "ftpWatts": "5000", "thresholdPaceSecPerKm": "four"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "must be from 20 to 2000 W" in text and "enter m:ss" in text
    saved = client.post("/profile", data={"csrf_token": token, "ftpWatts": "260", "thresholdPaceSecPerKm": "4:15",
                                          "timezone": "Europe/Paris"}, follow_redirects=True)
    assert "Saved." in saved.get_data(as_text=True)
    api = client.get("/profile").get_data(as_text=True)
    assert 'value="260"' in api and 'value="4:15"' in api and "<option selected>Europe/Paris</option>" in api
