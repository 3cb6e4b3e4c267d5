"""The coach's overview (/plans/overview): every athlete's week, whose deliveries need the
coach first, in a fixed number of queries, live like the athlete's week."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from core.db import db
from core.models import DeviceConnection, TrainingSession
from tests.conftest import login
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE

WEEK = "2026-11-23"


# Garmin takes a swim without its heart-rate target: an adaptation the coach is told of.
SWIM_BY_HEART_RATE = {"sport": "SWIM", "name": "Swim", "steps": [
    {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 400}, "target": {"type": "HEART_RATE", "zone": 2}}]}


def plan_week(api, athlete_id, first=SPEC_EXAMPLE):
    plan = api.post("/plans", json={"athleteId": athlete_id, "weekStart": WEEK, "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Threshold", "workout": first},
        {"date": "2026-11-26", "type": "ENDURANCE", "title": "Easy", "workout": EASY_RUN},
        {"date": "2026-11-27", "type": "STRENGTH", "title": "Gym"}]})
    assert plan.status_code == 201, plan.json
    return [s["id"] for s in plan.json["sessions"]]


def connect(app, athlete_id, provider="GARMIN", status="ACTIVE"):
    with app.app_context():
        row = DeviceConnection(athlete_id=athlete_id, provider=provider, provider_user_id=f"u{athlete_id}",
                               is_primary=True, status=status, status_reason="TOKEN_REFUSED" if status != "ACTIVE" else None)
        row.set_tokens("access-value", "refresh-value", None)
        db.session.add(row)
        db.session.commit()


def set_sessions(app, ids, **fields):
    with app.app_context():
        for session_id in ids:
            session = db.session.get(TrainingSession, session_id)
            for key, value in fields.items():
                setattr(session, key, value)
        db.session.commit()


@pytest.fixture
def squad(app, people, api_as):
    """Four athletes, named so that alphabetical order is the opposite of who needs the coach."""
    coach = people.coach(name="Carla")
    api = api_as(coach)
    names = {"fine": "Abel Fine", "adapted": "Bea Adapted", "unconnected": "Cy Unconnected",
             "revoked": "Dee Revoked", "failed": "Zed Failed"}
    ids, sessions = {}, {}
    for key, name in names.items():
        ids[key] = people.athlete(coach, email=f"{key}@example.test", name=name, ftp_watts=280, max_heart_rate=190)
        sessions[key] = plan_week(api, ids[key], SWIM_BY_HEART_RATE if key == "adapted" else SPEC_EXAMPLE)
    for key in ("fine", "failed", "adapted"):
        connect(app, ids[key])
    connect(app, ids["revoked"], status="REVOKED")
    set_sessions(app, sessions["fine"][:2], export_status="SENT", export_provider="GARMIN")
    set_sessions(app, sessions["failed"][:1], export_status="FAILED", export_provider="GARMIN",
                 last_export_error="Garmin refused the workout: sport not allowed")
    set_sessions(app, sessions["adapted"][:2], export_status="SENT", export_provider="GARMIN")
    return {"coach": coach, "ids": ids, "sessions": sessions}


def rows_in_order(html: str) -> list[str]:
    return re.findall(r'<tr class="athlete-row[^"]*" id="athlete-(\d+)"', html)


def test_the_coach_lands_on_the_overview_with_who_needs_them_first(client, app, squad):
    login(client, "coach@example.test", "coach-password")
    assert client.get("/").headers["Location"].endswith("/plans/overview")
    html = client.get(f"/plans/overview?week={WEEK}").get_data(as_text=True)
    ids = squad["ids"]
    order = rows_in_order(html)
    assert order == [str(ids[k]) for k in ("failed", "revoked", "unconnected", "adapted", "fine")]
    assert "4 of 5 athletes need your attention." in html
    failed_row = html[html.index(f'id="athlete-{ids["failed"]}"'):html.index(f'id="athlete-{ids["revoked"]}"')]
    assert "1 failed" in failed_row and "Garmin refused the workout: sport not allowed" in failed_row
    assert f'/plans?athlete={ids["failed"]}&amp;week={WEEK}' in failed_row  # to the athlete's week
    revoked_row = html[html.index(f'id="athlete-{ids["revoked"]}"'):html.index(f'id="athlete-{ids["unconnected"]}"')]
    assert "Must reconnect Garmin" in revoked_row
    assert "No device connected" in html[html.index(f'id="athlete-{ids["unconnected"]}"'):]
    adapted_row = html[html.index(f'id="athlete-{ids["adapted"]}"'):html.index(f'id="athlete-{ids["fine"]}"')]
    assert "1 adapted" in adapted_row and "Adapted for Garmin" in adapted_row
    fine_row = html[html.index(f'id="athlete-{ids["fine"]}"'):]
    assert "On Garmin" in fine_row and 'class="attention"' in fine_row and "<li" not in fine_row.split("</ul>")[0]


def test_the_overview_is_live_and_quiet_when_nothing_changed(client, app, squad):
    login(client, "coach@example.test", "coach-password")
    html = client.get(f"/plans/overview?week={WEEK}").get_data(as_text=True)
    version = re.search(r"/plans/overview/live\?week=2026-11-23&amp;v=([0-9a-f]+)", html).group(1)
    assert client.get(f"/plans/overview/live?week={WEEK}&v={version}").status_code == 204
    set_sessions(app, squad["sessions"]["fine"][:1], export_status="FAILED", last_export_error="Wahoo is down")
    changed = client.get(f"/plans/overview/live?week={WEEK}&v={version}")
    assert changed.status_code == 200
    assert rows_in_order(changed.get_data(as_text=True))[:2] == [str(squad["ids"]["fine"]), str(squad["ids"]["failed"])]


def test_another_coachs_athletes_are_not_in_the_overview(client, app, people, api_as, squad):
    other = people.coach(email="other@example.test", name="Olga")
    stranger = people.athlete(other, email="stranger@example.test", name="Aaron Stranger")
    plan_week(api_as(other), stranger)
    login(client, "coach@example.test", "coach-password")
    html = client.get(f"/plans/overview?week={WEEK}").get_data(as_text=True)
    assert "Aaron Stranger" not in html and str(stranger) not in rows_in_order(html)


@contextmanager
def counted(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_fifty_athletes_cost_the_queries_of_five(client, app, people, api_as):
    coach = people.coach()
    api = api_as(coach)
    login(client, "coach@example.test", "coach-password")

    def squad_of(size):
        for n in range(size):
            athlete = people.athlete(coach, email=f"a{size}-{n}@example.test", name=f"Athlete {size}-{n}")
            plan_week(api, athlete)
            if n % 3 == 0:
                connect(app, athlete)
        with counted(app) as statements:
            html = client.get(f"/plans/overview?week={WEEK}").get_data(as_text=True)
        return len(statements), html

    five, _ = squad_of(5)
    fifty_five, html = squad_of(50)
    assert len(rows_in_order(html)) == 55
    assert fifty_five == five, f"{five} queries for 5 athletes, {fifty_five} for 55"
