"""The coach's library in Chromium (as tests/test_browser.py): a workout written as text, drawn,
kept, found by tag and placed on two athletes' day, each device getting its own watts; delete
asks first; a week copied from the week view, a held day named.  Desktop and phone, and the
basics without JavaScript.  Screenshots in test-artifacts/screenshots/ (`make screenshots`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.support.pipeline import Client
from tests.test_browser import MONDAY, login, shots  # noqa: F401
from tests.test_schedule_and_copy import power_targets

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}

SWEET_SPOT_TEXT = """Sweet spot 3 x 10

Warmup
- 10m 50-60%

3x
- 10m 88-94%
- 5m 40-55%
"""


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def squad(pipeline):
    """A coach and two athletes with FTPs of 200 and 300 W, each on the sandbox's Garmin."""
    people = pipeline.people
    coach = people.coach(name="Carla Coach")
    ids = {}
    for name, ftp in (("Ana", 200), ("Ben", 300)):
        ids[name] = people.athlete(coach, email=f"{name.lower()}@example.test", name=name, ftp_watts=ftp)
        browser = pipeline.live.browser()
        browser.login(f"{name.lower()}@example.test", "athlete-password")
        assert "is connected" in browser.connect("garmin").text
    return coach, ids


def test_a_text_workout_is_kept_found_and_placed_on_two_athletes_in_their_own_watts(pipeline, chromium, squad,
                                                                                     shots):
    coach_id, ids = squad
    pipeline.workers.start(1)
    page = login(chromium, pipeline.live.url, "coach@example.test", "coach-password", viewport=DESKTOP)
    page.click("nav a:has-text('Library')")
    page.wait_for_url(re.compile("/library$"))
    shots(page, "1-empty-library")

    page.click("a:has-text('New workout')")
    page.fill("#name", "Sweet spot 3 x 10")
    page.fill("#tags", "threshold, winter")
    page.fill("#workout_text", SWEET_SPOT_TEXT)
    page.click("button:has-text('Preview')")
    figure = page.wait_for_selector("figure.profile-figure")
    assert page.locator("figure.profile-figure rect").count() == 7  # warm-up, 3 x 2
    assert "3 ×" in figure.inner_text()
    shots(page, "2-text-previewed")
    page.click("button:has-text('Save to library')")
    page.wait_for_url(re.compile("/library$"))
    assert "Saved “Sweet spot 3 x 10” to your library." in page.inner_text(".flashes")
    page.click("a.chip:has-text('winter')")
    page.wait_for_url(re.compile(r"tag=winter"))
    assert page.locator("li.library-entry").count() == 1
    shots(page, "3-found-by-tag")

    page.click("a:has-text('Place on a day')")
    day = MONDAY + timedelta(days=2)
    page.check(f"#athlete-{ids['Ana']}")
    page.check(f"#athlete-{ids['Ben']}")
    page.fill("#date", day.isoformat())
    shots(page, "4-place-on-two-athletes")
    page.click("button:has-text('Place on this day')")
    page.wait_for_url(re.compile(r"/plans/overview\?week="))
    assert "for Ana and Ben" in page.inner_text(".flashes")
    page.wait_for_selector(".badge-sent", timeout=30_000)
    for selector_count in range(300):  # both delivered (the overview is live)
        if page.locator(".badge-sent").count() == 2:
            break
        page.wait_for_timeout(100)
    assert page.locator(".badge-sent").count() == 2
    shots(page, "5-overview-both-on-garmin")

    api = Client(pipeline.live.url, pipeline.people.token(coach_id))
    sessions = {p["athleteId"]: p["sessions"][0] for p in api.get("/plans").json()}
    held = {str(w["id"]): w for w in pipeline.live.held("garmin")["workouts"]}
    watts = {name: power_targets(held[sessions[ids[name]]["externalWorkoutId"]]["body"]["segments"][0]["steps"])[1]
             for name in ids}
    assert watts == {"Ana": (176, 188), "Ben": (264, 282)}  # 88-94 % of each one's FTP

    page.set_viewport_size(PHONE)
    page.goto("/library")
    assert fits_the_phone(page)
    shots(page, "6-phone-library")
    page.click("a:has-text('Edit')")
    page.wait_for_selector("#workout_text")
    assert "88-94%" in page.input_value("#workout_text")
    assert fits_the_phone(page)
    shots(page, "7-phone-edit")

    # Delete asks first (app.js reads data-confirm): no keeps it, yes deletes it.
    page.goto("/library")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("button:has-text('Delete')")
    assert page.locator("li.library-entry").count() == 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Delete')")
    page.wait_for_selector("text=Deleted “Sweet spot 3 x 10” from your library.")
    assert page.locator("li.library-entry").count() == 0
    assert len(api.get("/plans").json()) == 2  # the sessions placed stay
    page.context.close()


def test_copy_this_week_on_a_phone_without_javascript(pipeline, chromium, squad, shots):
    coach_id, ids = squad
    api = Client(pipeline.live.url, pipeline.people.token(coach_id))
    ride = {"sport": "BIKE", "name": "Tempo", "steps": [{"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 1800},
                                                          "target": {"type": "POWER", "zone": 3}}]}
    api.post("/plans", json={"athleteId": ids["Ana"], "weekStart": MONDAY.isoformat(), "sessions": [
        {"date": (MONDAY + timedelta(days=1)).isoformat(), "type": "ENDURANCE", "title": "Tuesday tempo", "workout": ride}]})
    next_week = MONDAY + timedelta(days=7)
    api.post("/plans", json={"athleteId": ids["Ben"], "weekStart": next_week.isoformat(), "sessions": [
        {"date": (next_week + timedelta(days=1)).isoformat(), "type": "REST", "title": "Ben rests"}]})

    context = chromium.new_context(viewport=PHONE, java_script_enabled=False, base_url=pipeline.live.url)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", "coach@example.test")
    page.fill("#password", "coach-password")
    page.click("button:has-text('Log in')")
    page.goto(f"/plans?athlete={ids['Ana']}&week={MONDAY.isoformat()}")
    page.click("summary:has-text('Copy this week')")
    page.check(f"#copy-to-{ids['Ben']}")
    assert fits_the_phone(page)
    for field in page.locator("#copy-week input:not([type=hidden])").all():
        assert page.locator(f"label[for='{field.get_attribute('id')}']").count() == 1
    shots(page, "1-phone-copy-form")
    page.click("button:has-text('Copy the week')")
    text = page.inner_text(".flashes")
    assert "Ben already has “Ben rests” on Tue 1 Dec" in text and "Replace sessions already on those days" in text  # named, not overwritten
    shots(page, "2-phone-day-held")
    page.click("summary:has-text('Copy this week')")
    page.check(f"#copy-to-{ids['Ben']}")
    page.check("#copy-replace")
    page.click("button:has-text('Copy the week')")
    assert "Copied the week of Mon 23 Nov to the week of Mon 30 Nov for Ana and Ben" in page.inner_text(".flashes")
    assert "Tuesday tempo" in page.inner_text("main")
    assert fits_the_phone(page)
    shots(page, "3-phone-copied")
    bens = api.get(f"/plans?athleteId={ids['Ben']}&weekStart={next_week.isoformat()}").json()[0]["sessions"]
    assert [s["title"] for s in bens] == ["Tuesday tempo"]

    # The library's basics without JavaScript: write, keep, delete (no confirm to ask).
    page.goto("/library/new")
    page.fill("#name", "Easy spin")
    page.fill("#workout_text", "- 45m 55-65%")
    page.click("button:has-text('Save to library')")
    assert page.locator("li.library-entry").count() == 1
    assert fits_the_phone(page)
    shots(page, "4-phone-library-no-js")
    page.click("button:has-text('Delete')")
    assert page.locator("li.library-entry").count() == 0
    context.close()
