"""The athlete's calendar feed (GET /calendar/<secret>.ics): read back with the icalendar
library as a phone's calendar would, sessions on their days, and a secret that can be replaced."""

from __future__ import annotations

import re
from datetime import date

import pytest
from icalendar import Calendar

from tests.conftest import csrf_token, login
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE


@pytest.fixture
def planned(people, api_as):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test", name="Ana", ftp_watts=280)
    other = people.athlete(coach, email="bo@example.test", name="Bo")
    api = api_as(coach)
    plan = api.post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Threshold", "workout": SPEC_EXAMPLE},
        {"date": "2026-11-26", "type": "ENDURANCE", "title": "Easy run", "workout": EASY_RUN},
        {"date": "2026-11-28", "type": "STRENGTH", "title": "Gym"}]}).json
    api.post("/plans", json={"athleteId": other, "weekStart": "2026-11-23", "sessions": [
        {"date": "2026-11-24", "type": "ENDURANCE", "title": "Bo's ride", "workout": SPEC_EXAMPLE}]})
    return [s["id"] for s in plan["sessions"]]


def feed_url(client) -> str:
    html = client.get("/connections").get_data(as_text=True)
    return re.search(r'id="feed-url" class="feed-url" value="([^"]+)"', html).group(1)


def test_the_feed_holds_the_week_on_its_days(client, planned):
    login(client, "ana@example.test", "athlete-password")
    url = feed_url(client)
    assert re.fullmatch(r"http://[^/]+/calendar/[A-Za-z0-9_-]{32}\.ics", url)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/week")})
    response = client.get(url[url.index("/calendar/"):])  # a calendar app: no login
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["summary"]).split(" · ")[0]: e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Threshold", "Easy run", "Gym"}  # not Bo's
    days = {title: e.decoded("dtstart") for title, e in events.items()}
    assert days == {"Threshold": date(2026, 11, 24), "Easy run": date(2026, 11, 26), "Gym": date(2026, 11, 28)}
    threshold = events["Threshold"]
    assert type(threshold.decoded("dtstart")) is date and threshold.decoded("dtend") == date(2026, 11, 25)  # all-day
    assert "4 × (8 min" in str(threshold["summary"]) and str(threshold["summary"]).count(" · ") >= 2
    assert str(threshold["url"]).endswith(f"/sessions/{planned[0]}")
    assert f"/sessions/{planned[0]}" in str(threshold["description"])
    assert "45 min" in str(events["Easy run"]["summary"])
    assert len({str(e["uid"]) for e in events.values()}) == 3


def test_replacing_the_address_stops_the_old_one(client, planned):
    login(client, "ana@example.test", "athlete-password")
    old = feed_url(client)
    assert feed_url(client) == old  # shown again, the same
    response = client.post("/connections/calendar/replace", data={"csrf_token": csrf_token(client, "/connections")})
    assert response.status_code == 302
    new = feed_url(client)
    assert new != old
    assert client.get(old[old.index("/calendar/"):]).status_code == 404
    assert client.get(new[new.index("/calendar/"):]).status_code == 200
    assert client.get("/calendar/not-a-real-secret.ics").status_code == 404
