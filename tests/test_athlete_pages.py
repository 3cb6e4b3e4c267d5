"""The athlete's pages without a browser: badges in words, the live fragments, Retry
without JavaScript, the session page and the .fit download."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core.db import db
from core.models import DeviceConnection, ExportJob, TrainingSession
from tests.conftest import csrf_token, login
from tests.support.fit_decode import decode, expanded_steps
from tests.support.workouts import SPEC_EXAMPLE
from webapp.athlete.badges import badge_for, local_time


@pytest.fixture
def week(people, api_as):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test", ftp_watts=250)
    api = api_as(coach)
    plan = api.post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Threshold", "workout": SPEC_EXAMPLE},
        {"date": "2026-11-25", "type": "ENDURANCE", "title": "Threshold again", "workout": SPEC_EXAMPLE},
        {"date": "2026-11-26", "type": "STRENGTH", "title": "Gym"}]}).json
    return {"coach": coach, "athlete": athlete, "plan": plan, "ids": [s["id"] for s in plan["sessions"]]}


def set_export(app, session_id, **fields):
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        for key, value in fields.items():
            setattr(session, key, value)
        db.session.commit()


def badge_text(app, session_id, athlete_view=True, zone="UTC"):
    with app.app_context():
        badge = badge_for(db.session.get(TrainingSession, session_id), athlete_view, zone)
        return None if badge is None else (badge.status, badge.text, badge.detail, badge.can_retry)


def test_badges_say_the_status_in_words(app, week):
    first, second, gym = week["ids"]
    assert badge_text(app, first) == ("NOT_CONNECTED", "Connect to send", None, False)
    assert badge_text(app, first, athlete_view=False)[1] == "Not connected"
    assert badge_text(app, gym) is None
    set_export(app, first, export_status="SENT", export_provider="GARMIN",
               exported_at=datetime(2026, 11, 24, 6, 42))
    assert badge_text(app, first, zone="Europe/Paris")[1].startswith("On Garmin · ")
    assert local_time(datetime(2026, 11, 24, 6, 42), "Europe/Paris", today=datetime(2026, 11, 24, tzinfo=timezone.utc)) == "07:42"
    set_export(app, second, export_status="FAILED", export_provider="WAHOO", last_export_error="Wahoo: down (503)")
    assert badge_text(app, second) == ("FAILED", "Failed", "Wahoo: down (503)", True)
    assert badge_text(app, second, athlete_view=False)[3] is False  # the coach sees it read-only


def test_a_retrying_badge_shows_the_attempt_number(app, week):
    first = week["ids"][0]
    with app.app_context():
        db.session.add(ExportJob(session_id=first, athlete_id=week["athlete"], provider="GARMIN", revision=1,
                                 status="PENDING", attempts=1))
        db.session.commit()
    set_export(app, first, export_status="PENDING", export_provider="GARMIN", last_export_error="Garmin: timeout")
    assert badge_text(app, first) == ("PENDING", "Sending to Garmin… attempt 2", "Garmin: timeout", False)
    with app.app_context():
        db.session.query(ExportJob).update({"status": "PROCESSING", "attempts": 1})
        db.session.commit()
    assert badge_text(app, first)[1] == "Sending to Garmin…"


def test_pending_badges_poll_and_final_ones_do_not(client, app, week):
    login(client, "ana@example.test", "athlete-password")
    first, second, _ = week["ids"]
    set_export(app, first, export_status="PENDING", export_provider="GARMIN")
    pending = client.get(f"/sessions/{first}/badge").get_data(as_text=True)
    assert 'hx-trigger="load delay:2s"' in pending and "Sending to Garmin…" in pending
    set_export(app, first, export_status="SENT", exported_at=datetime(2026, 11, 24, 7, 0))
    final = client.get(f"/sessions/{first}/badge").get_data(as_text=True)
    assert "hx-trigger" not in final and "On Garmin" in final


def test_the_live_week_answers_204_until_something_changes(client, app, week):
    login(client, "ana@example.test", "athlete-password")
    html = client.get("/week?week=2026-11-23").get_data(as_text=True)
    import re

    version = re.search(r"/week/live\?week=2026-11-23&amp;v=([0-9a-f]+)", html).group(1)
    assert client.get(f"/week/live?week=2026-11-23&v={version}").status_code == 204
    set_export(app, week["ids"][0], title="Renamed")
    changed = client.get(f"/week/live?week=2026-11-23&v={version}")
    assert changed.status_code == 200 and "Renamed" in changed.get_data(as_text=True)


def test_retry_without_javascript_and_retry_all_failed(client, app, week):
    first, second, _ = week["ids"]
    with app.app_context():
        row = DeviceConnection(athlete_id=week["athlete"], provider="GARMIN", provider_user_id="g1", is_primary=True)
        row.set_tokens("access-value", "refresh-value", None)
        db.session.add(row)
        db.session.commit()
    for session_id in (first, second):
        set_export(app, session_id, export_status="FAILED", export_provider="GARMIN", last_export_error="down")
    login(client, "ana@example.test", "athlete-password")
    page = client.get("/week?week=2026-11-23").get_data(as_text=True)
    assert "Retry all failed (2)" in page
    token = csrf_token(client, "/week?week=2026-11-23")
    response = client.post(f"/sessions/{first}/retry", data={"csrf_token": token, "next": "/week?week=2026-11-23"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/week?week=2026-11-23")
    again = client.post(f"/sessions/{first}/retry", data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert again.status_code == 409 and "already under way" in again.get_data(as_text=True)
    assert client.post("/sessions/retry-failed", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert {s.export_status for s in db.session.query(TrainingSession).filter(
            TrainingSession.id.in_([first, second]))} == {"PENDING"}
    assert client.post(f"/sessions/{first}/retry", data={}).status_code == 400  # no CSRF token


def test_the_session_page_and_its_fit_file(client, app, week):
    login(client, "ana@example.test", "athlete-password")
    first = week["ids"][0]
    html = client.get(f"/sessions/{first}").get_data(as_text=True)
    assert "Z2 · 140–188 W" in html and "250–265 W" in html and "cadence 85–95 rpm" in html and "4 ×" in html
    assert "No export attempt yet." in html
    response = client.get(f"/sessions/{first}/workout.fit")
    assert response.headers["Content-Disposition"].endswith('2026-11-24-threshold.fit"')
    steps = expanded_steps(decode(response.data))
    assert len(steps) == 10 and steps[0]["target"] == {"type": "POWER", "min": 140, "max": 188}


def test_others_cannot_see_or_retry_someone_elses_session(client, people, week):
    stranger_coach = people.coach(email="other@example.test")
    people.athlete(stranger_coach, email="zoe@example.test")
    login(client, "zoe@example.test", "athlete-password")
    first = week["ids"][0]
    for path in (f"/sessions/{first}", f"/sessions/{first}/badge", f"/sessions/{first}/workout.fit"):
        assert client.get(path).status_code == 404
    token = csrf_token(client, "/week")
    assert client.post(f"/sessions/{first}/retry", data={"csrf_token": token}).status_code == 404


def test_the_coach_sees_badges_read_only(client, app, week):
    set_export(app, week["ids"][1], export_status="FAILED", export_provider="GARMIN", last_export_error="Garmin: down")
    login(client, "coach@example.test", "coach-password")
    html = client.get(f"/plans?athlete={week['athlete']}&week=2026-11-23").get_data(as_text=True)
    assert "Not connected" in html and "Garmin: down" in html and "Retry" not in html


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and "javascript" in response.content_type
    assert "data-offline-snapshot" in response.get_data(as_text=True)
