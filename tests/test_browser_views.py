"""What coaches and athletes see of a workout, in Chromium (as tests/test_browser.py): the
intensity profile on the session page, on every week card and live in the editor; the trainer
files; and the coach's overview of all athletes, live, failed deliveries first.  Desktop
and phone widths, with screenshots in test-artifacts/screenshots/ (`make screenshots`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support.pipeline import Client
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE
from tests.test_browser import (  # noqa: F401
    MONDAY,
    connect_garmin,
    login,
    mark_page,
    people_in_browsers,
    same_page,
    shots,
    wait_for_js,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PHONE = {"width": 375, "height": 740}


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def rects(page, selector: str) -> int:
    return page.locator(f"{selector} rect").count()


def test_the_workout_is_drawn_on_every_page_and_live_in_the_editor(pipeline, people_in_browsers, shots):
    coach, athlete, athlete_id, coach_id = people_in_browsers
    connect_garmin(athlete)
    pipeline.workers.start(1)
    api = Client(pipeline.live.url, pipeline.people.token(coach_id))
    plan = api.post("/plans", json={"athleteId": athlete_id, "weekStart": MONDAY.isoformat(), "sessions": [
        {"date": (MONDAY + timedelta(days=1)).isoformat(), "type": "ENDURANCE", "title": "Threshold 4 x 8'",
         "workout": SPEC_EXAMPLE},
        {"date": (MONDAY + timedelta(days=3)).isoformat(), "type": "ENDURANCE", "title": "Easy run", "workout": EASY_RUN},
        {"date": (MONDAY + timedelta(days=4)).isoformat(), "type": "STRENGTH", "title": "Gym"}]}).json()
    ride = plan["sessions"][0]["id"]

    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    athlete.wait_for_selector(f"#session-{ride} .badge-sent", timeout=30_000)
    assert athlete.locator(".card-profile svg").count() == 2  # the two workouts, not the gym
    assert rects(athlete, f"#session-{ride} .card-profile") == 10  # warm-up, 4 x 2, cool-down
    shots(athlete, "1-athlete-week")

    athlete.click("a:has-text('Threshold 4 x 8')")
    figure = athlete.wait_for_selector("figure.profile-figure")
    assert rects(athlete, "figure.profile-figure") == 10
    caption = figure.inner_text()
    assert "4 × (8 min 250–265 W" in caption
    assert athlete.get_attribute("figure.profile-figure svg", "role") == "img"
    assert athlete.text_content("figure.profile-figure svg text.bracket-label") == "4×"  # the repeat is bracketed
    for fmt in ("zwo", "erg", "mrc"):
        assert athlete.get_attribute(f"li[data-format='{fmt}']", "data-available") == "yes"
    with athlete.expect_download() as download:
        athlete.click("a:has-text('Download .zwo')")
    assert download.value.suggested_filename.endswith("threshold-4-x-8.zwo")
    assert b"<IntervalsT" in open(download.value.path(), "rb").read()
    shots(athlete, "2-session-profile-and-files")
    athlete.set_viewport_size(PHONE)
    assert fits_the_phone(athlete)
    shots(athlete, "3-phone-session-profile")
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    assert fits_the_phone(athlete)
    shots(athlete, "4-phone-athlete-week")
    athlete.goto("/connections")  # the calendar address, and its Replace button
    old = athlete.input_value("#feed-url")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/calendar/[\w-]{32}\.ics", old)
    assert "BEGIN:VCALENDAR" in athlete.request.get(old).text()
    athlete.click("button:has-text('Replace the address')")
    athlete.wait_for_selector("text=the old one no longer works")
    assert athlete.input_value("#feed-url") != old and athlete.request.get(old).status == 404
    assert fits_the_phone(athlete)
    shots(athlete, "4b-phone-connections-calendar")

    coach.goto(f"/plans?athlete={athlete_id}&week={MONDAY.isoformat()}")
    assert coach.locator(".card-profile svg").count() == 2
    shots(coach, "5-coach-week")
    coach.goto(f"/plans/sessions/{ride}/edit")
    coach.wait_for_selector("#fit-panel figure.profile-figure")
    assert rects(coach, "#fit-panel figure") == 10
    mark_page(coach)
    coach.fill("#w-steps-1-repeat", "6")  # the coach types: the profile follows
    wait_for_js(coach, "document.querySelectorAll('#fit-panel figure rect').length === 14")
    assert "6 × (8 min" in coach.inner_text("#fit-panel figcaption")
    assert same_page(coach)
    shots(coach, "6-editor-profile-follows-the-edit")
    coach.set_viewport_size(PHONE)
    assert fits_the_phone(coach)
    shots(coach, "7-phone-editor-profile")


def test_the_coach_overview_puts_another_athletes_failed_delivery_first_live(pipeline, chromium, shots):
    people = pipeline.people
    coach_id = people.coach(name="Carla Coach")
    athletes = {}
    for key, name in (("abel", "Abel Fine"), ("zed", "Zed Refused"), ("cy", "Cy Unconnected")):
        athletes[key] = people.athlete(coach_id, email=f"{key}@example.test", name=name, ftp_watts=260)
        if key != "cy":
            browser = pipeline.live.browser()
            browser.login(f"{key}@example.test", "athlete-password")
            assert "is connected" in browser.connect("garmin").text
    pipeline.workers.start(1)
    api = Client(pipeline.live.url, people.token(coach_id))

    def plan(key, day, title, workout=SPEC_EXAMPLE):
        response = api.post("/plans", json={"athleteId": athletes[key], "weekStart": MONDAY.isoformat(), "sessions": [
            {"date": (MONDAY + timedelta(days=day)).isoformat(), "type": "ENDURANCE", "title": title, "workout": workout}]})
        assert response.status_code == 201, response.text
        return response.json()["sessions"][0]["id"]

    def wait_status(session_id, status):
        page.wait_for_selector(f"#ov-session-{session_id} .badge-{status}", timeout=30_000)

    abel_ride = plan("abel", 1, "Abel's threshold")
    plan("cy", 2, "Cy's tempo", EASY_RUN)
    page = login(chromium, pipeline.live.url, "coach@example.test", "coach-password")
    assert page.url.endswith("/plans/overview")
    wait_status(abel_ride, "sent")
    mark_page(page)

    # Garmin refuses Zed's workout for good: the overview brings Zed to the top, in place.
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": 1,
                                             "message": "workoutName contains characters Garmin refuses."})
    zed_ride = plan("zed", 2, "Zed's intervals")
    wait_status(zed_ride, "failed")
    order = page.eval_on_selector_all("tr.athlete-row th a", "links => links.map(a => a.textContent)")
    assert order == ["Zed Refused", "Cy Unconnected", "Abel Fine"]
    zed_row = page.inner_text(f"#athlete-{athletes['zed']}")
    assert "1 failed" in zed_row and "Garmin refuses" in zed_row
    assert "No device connected" in page.inner_text(f"#athlete-{athletes['cy']}")
    assert "2 of 3 athletes need your attention." in page.inner_text(".overview-count")
    assert same_page(page)
    shots(page, "1-overview-failed-first")
    page.click("a:has-text('Zed Refused')")
    page.wait_for_url(re.compile(rf"/plans\?athlete={athletes['zed']}"))
    assert page.locator(".badge-failed").count() == 1
    page.go_back()  # the page the browser kept catches up by itself
    wait_for_js(page, "document.querySelector('tr.athlete-row th a').textContent === 'Zed Refused'")
    page.set_viewport_size(PHONE)
    assert fits_the_phone(page)
    shots(page, "2-phone-overview")
    page.context.close()
