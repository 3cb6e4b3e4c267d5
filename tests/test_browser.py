"""The athlete's live dashboard and the coach's editor in a real browser: Debian's Chromium
driven by Playwright, against the app on a real port with a real Redis, a real RQ worker
and the provider sandbox.  Screenshots of each step go to test-artifacts/screenshots/
(`make screenshots` regenerates them)."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import TODAY
from tests.support.pipeline import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
MONDAY = TODAY - timedelta(days=TODAY.weekday())  # the app's clock is the suite's (conftest.NOW)
PRESS_MS = 150  # how long a person holds a mouse button in a click (Playwright's default is 0)


@pytest.fixture
def shots(request):
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("test_", "").split("[")[0]
    backend = request.node.callspec.params.get("backend", "") if hasattr(request.node, "callspec") else ""

    def take(page, step: str):
        page.screenshot(path=str(SHOTS / f"{name}-{backend}-{step}.png"), full_page=True)

    return take


def wait_for_js(page, expression: str, timeout: float = 30_000) -> None:
    """Wait until ``expression`` is true in the page.  (Playwright's wait_for_function polls
    with eval, which the app's Content-Security-Policy forbids; evaluate is not affected.)"""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout / 1000:g} s waiting for {expression}")
        page.wait_for_timeout(100)


def watch_csp(context) -> None:
    """Every page of ``context`` reports what the Content-Security-Policy refused (the test then fails)."""
    from tests.conftest import CSP_VIOLATIONS

    context.on("console", lambda message: CSP_VIOLATIONS.append(message.text)
               if "Content Security Policy" in message.text else None)


def login(chromium, live_url, email, password, viewport=None):
    context = chromium.new_context(viewport=viewport or {"width": 1280, "height": 900}, base_url=live_url)
    watch_csp(context)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state()
    return page


@pytest.fixture
def people_in_browsers(pipeline, chromium):
    """A coach and a (not yet connected) athlete, each logged in to their own browser."""
    coach_id = pipeline.people.coach(name="Carla Coach")
    athlete_id = pipeline.people.athlete(coach_id, email="ana@example.test", name="Ana Lima", ftp_watts=250,
                                         max_heart_rate=190)
    pages = {}
    for who, email, password in (("coach", "coach@example.test", "coach-password"),
                                 ("athlete", "ana@example.test", "athlete-password")):
        pages[who] = login(chromium, pipeline.live.url, email, password, viewport={"width": 1200, "height": 900})
    yield pages["coach"], pages["athlete"], athlete_id, coach_id
    for page in pages.values():
        page.context.close()


def connect_garmin(page):
    page.goto("/connections")
    page.click("a:has-text('Connect Garmin')")
    page.wait_for_selector("text=sandbox")
    page.click("button:has-text('Allow')")
    page.wait_for_selector("text=Garmin is connected")


def mark_page(page):
    """Set a marker that a reload would erase: proof the page updated in place."""
    page.evaluate("window.__stillTheSamePage = true")


def same_page(page) -> bool:
    return page.evaluate("window.__stillTheSamePage === true")


def coach_writes_run_but_its_last_field(page, athlete_id: int, day: date, name: str):
    """The coach writes a 140-155 bpm run in the workout builder, all but its top heart rate."""
    page.goto(f"/plans/sessions/new?athlete={athlete_id}&date={day.isoformat()}")
    page.fill("#w-name", name)
    page.select_option("#w-sport", "RUN")
    page.fill("#w-steps-1-duration_value", "20:00")
    page.select_option("#w-steps-1-target_type", "HEART_RATE")
    page.select_option("#w-steps-1-target_mode", "range")
    page.fill("#w-steps-1-min", "140")


def coach_adds_run(page, athlete_id: int, day: date, name: str):
    """The coach adds an ENDURANCE session with the workout builder and saves it."""
    coach_writes_run_but_its_last_field(page, athlete_id, day, name)
    page.fill("#w-steps-1-max", "155")
    page.click("button:has-text('Save session')", delay=PRESS_MS)
    page.wait_for_url(re.compile(r"/plans\?athlete="))


def test_a_plan_saved_by_the_coach_reaches_the_athletes_page_live(pipeline, people_in_browsers, shots):
    coach, athlete, athlete_id, _ = people_in_browsers
    connect_garmin(athlete)
    pipeline.workers.start(1)
    pipeline.live.faults("garmin", latencyMs=2500)  # long enough to watch "Sending…"
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    mark_page(athlete)
    shots(athlete, "1-athlete-week-empty")

    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=2), "Tempo run")
    shots(coach, "2-coach-saved")

    sending = athlete.wait_for_selector(".badge-pending:has-text('Sending to Garmin')", timeout=20_000)
    assert "attempt" not in sending.inner_text()  # the first attempt is under way
    shots(athlete, "3-athlete-sending")
    athlete.wait_for_selector(".badge-sent:has-text('On Garmin')", timeout=30_000)
    shots(athlete, "4-athlete-on-garmin")
    assert same_page(athlete)
    coach.reload()
    assert coach.locator(".badge-sent:has-text('On Garmin')").count() == 1  # the coach sees it too
    shots(coach, "5-coach-sees-on-garmin")


def test_an_outage_says_when_it_tries_again_and_a_refusal_offers_retry(pipeline, people_in_browsers, shots):
    coach, athlete, athlete_id, _ = people_in_browsers
    connect_garmin(athlete)
    pipeline.live.faults("garmin", errorRate=1.0, status=503)
    pipeline.workers.start(1)
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=3), "Hill repeats")
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    mark_page(athlete)
    retrying = athlete.wait_for_selector(".badge-pending:has-text('Garmin is not answering; trying again at')",
                                         timeout=30_000)
    assert re.search(r"trying again at \d\d:\d\d", retrying.inner_text())
    assert "the service is unavailable (503)" in athlete.inner_text(".badge-wrap")
    shots(athlete, "1-not-answering-trying-again")
    pipeline.live.faults("garmin")  # the outage is over: the next try sends it
    athlete.wait_for_selector(".badge-sent:has-text('On Garmin')", timeout=30_000)

    # A workout Garmin refuses is not retried on its own: Failed, the reason, and Retry.
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": 1,
                                             "message": "workoutName contains characters Garmin refuses."})
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=4), "Hill repeats, again")
    failed = athlete.wait_for_selector(".badge-wrap[data-status='FAILED']", timeout=30_000)
    assert "Garmin refuses" in failed.inner_text()
    shots(athlete, "2-failed-with-reason")
    athlete.click("button:has-text('Retry')")
    wait_for_js(athlete, "document.querySelectorAll('.badge-sent').length == 2", timeout=30_000)
    shots(athlete, "3-retried-on-garmin")
    assert same_page(athlete)


def test_connect_to_send_leads_through_consent_and_the_waiting_sessions_go(pipeline, people_in_browsers, shots):
    coach, athlete, athlete_id, _ = people_in_browsers
    pipeline.workers.start(1)
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=1), "Easy run")
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    shots(athlete, "1-connect-to-send")
    athlete.click("a.badge:has-text('Connect to send')")
    athlete.wait_for_url(re.compile("/connections$"))
    shots(athlete, "2-connections-page")
    athlete.click("a:has-text('Connect Garmin')")
    athlete.wait_for_selector("text=sandbox")
    shots(athlete, "3-sandbox-consent")
    athlete.click("button:has-text('Allow')")
    athlete.wait_for_selector("text=Garmin is connected and is your primary device.")
    shots(athlete, "4-connected")
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    athlete.wait_for_selector(".badge-sent:has-text('On Garmin')", timeout=30_000)
    shots(athlete, "5-waiting-session-on-garmin")


def test_the_session_page_shows_steps_targets_history_and_a_fit_download(pipeline, people_in_browsers, shots):
    coach, athlete, athlete_id, _ = people_in_browsers
    connect_garmin(athlete)
    pipeline.workers.start(1)
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=4), "Steady run")
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    athlete.wait_for_selector(".badge-sent", timeout=30_000)
    athlete.click("a:has-text('Steady run')")
    athlete.wait_for_selector("h2:has-text('Export history')")
    text = athlete.inner_text("main")
    assert "140–155 bpm" in text and "Sent" in text
    with athlete.expect_download() as download:
        athlete.click("a:has-text('Download .fit')")
    assert download.value.suggested_filename.endswith("steady-run.fit")
    shots(athlete, "1-session-detail")


def test_the_week_opens_offline_and_says_statuses_are_last_known(pipeline, people_in_browsers, shots):
    coach, athlete, athlete_id, _ = people_in_browsers
    connect_garmin(athlete)
    pipeline.workers.start(1)
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=5), "Long run")
    athlete.goto("/week")
    athlete.wait_for_selector(".badge-sent", timeout=30_000)
    athlete.evaluate("navigator.serviceWorker.ready")
    athlete.reload()  # now controlled by the service worker, which keeps this week
    athlete.wait_for_selector(".badge-sent")
    athlete.context.set_offline(True)
    try:
        athlete.reload()
        banner = athlete.wait_for_selector("#offline-banner:not([hidden])")
        assert "You are offline" in banner.inner_text()
        assert athlete.get_attribute("body", "data-offline-snapshot") is not None
        assert "(last known)" in athlete.evaluate(
            "getComputedStyle(document.querySelector('.badge'), '::after').content")
        shots(athlete, "1-offline-week")
    finally:
        athlete.context.set_offline(False)
    manifest = athlete.request.get("/static/manifest.webmanifest").json()
    assert manifest["start_url"] == "/week" and {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}


def test_pages_fit_a_phone_and_work_without_javascript(pipeline, chromium, shots):
    coach_id = pipeline.people.coach()
    pipeline.people.athlete(coach_id, email="ana@example.test", name="Ana")
    context = chromium.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False,
                                   base_url=pipeline.live.url)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", "coach@example.test")
    page.fill("#password", "coach-password")
    page.click("button:has-text('Log in')")
    page.wait_for_url(re.compile("/plans"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    page.goto(f"/plans/sessions/new?athlete={coach_id + 1}&date={MONDAY.isoformat()}")
    page.click("button[value='add-repeat:w-steps']")  # the builder works without JavaScript
    assert page.locator("li.repeat").count() == 1
    for field in page.locator("input:not([type=hidden]), select, textarea").all():
        field_id = field.get_attribute("id")
        assert field_id and page.locator(f"label[for='{field_id}']").count() == 1, field_id
    shots(page, "1-phone-editor-no-js")
    context.close()


def test_the_editor_says_live_what_each_device_will_get(pipeline, people_in_browsers, shots):
    """As the coach edits, the fit panel (HTMX) says what Garmin and Wahoo will really get, with
    the athlete's thresholds: a lap-press warm-up is adapted for Wahoo, and said so before saving."""
    coach, athlete, athlete_id, _ = people_in_browsers
    connect_garmin(athlete)
    coach.goto(f"/plans/sessions/new?athlete={athlete_id}&date={(MONDAY + timedelta(days=2)).isoformat()}")
    coach.fill("#w-name", "Tempo after a lap-press warm-up")
    coach.select_option("#w-sport", "RUN")
    wahoo = coach.wait_for_selector("#fit-panel li[data-provider='WAHOO']")
    assert wahoo.get_attribute("data-level") == "EXACT"
    mark_page(coach)
    coach.select_option("#w-steps-0-duration_type", "OPEN")  # "until the athlete presses lap"
    coach.wait_for_selector("#fit-panel li[data-provider='WAHOO'][data-level='ADAPTED']")
    panel = coach.inner_text("#fit-panel")
    assert "a lap-press step is sent as 10 min" in panel and "steps[0]" in panel
    assert coach.get_attribute("#fit-panel li[data-provider='GARMIN']", "data-level") == "EXACT"
    assert "(Ana Lima's device for this sport)" in coach.inner_text("#fit-panel li[data-provider='GARMIN']")
    assert same_page(coach)  # updated in place, no reload
    shots(coach, "1-wahoo-adapted-before-saving")
    coach.select_option("#w-sport", "SWIM")
    coach.wait_for_selector("#fit-panel li[data-provider='WAHOO'][data-level='UNSUPPORTED']")
    assert "Wahoo takes BIKE and RUN workouts only" in coach.inner_text("#fit-panel")
    shots(coach, "2-a-swim-wahoo-cannot-take")
    coach.select_option("#w-sport", "RUN")
    coach.wait_for_selector("#fit-panel li[data-provider='WAHOO'][data-level='ADAPTED']")
    coach.click("button:has-text('Save session')")
    coach.wait_for_url(re.compile(r"/plans\?athlete="))
    assert coach.locator(".fit-detail").count() == 0  # Garmin gets it exactly: no marker on the week
    coach.set_viewport_size({"width": 375, "height": 740})
    coach.goto(f"/plans/sessions/new?athlete={athlete_id}&date={MONDAY.isoformat()}")
    coach.fill("#w-name", "Phone check")
    coach.wait_for_selector("#fit-panel li[data-provider='GARMIN']")
    assert coach.evaluate("document.documentElement.scrollWidth") <= 375
    shots(coach, "3-phone-editor-fit-panel")


def test_a_click_is_never_lost_to_a_live_update_under_the_pointer(pipeline, people_in_browsers, shots):
    """A person's click is a press and a release ~0.1 s apart on the same element.  The fit panel
    grows when the last field's blur (the press on Save) completes the workout, and the live week
    is swapped whenever a status changes: neither may move or replace a pressed button (CI lost a
    save this way).  A swap that arrives during a press lands right after the release."""
    coach, athlete, athlete_id, _ = people_in_browsers
    connect_garmin(athlete)
    pipeline.workers.start(1)

    # A press elsewhere holds the panel's update until the release, and then it lands.
    coach_writes_run_but_its_last_field(coach, athlete_id, MONDAY + timedelta(days=3), "Press and hold")
    coach.wait_for_selector("#fit-panel:has-text('Complete the workout')")
    coach.fill("#w-steps-1-max", "155")
    coach.click("h1", delay=PRESS_MS)
    coach.wait_for_selector("#fit-panel li[data-provider='GARMIN'][data-level='EXACT']")

    # The session Garmin refuses, with its Retry; then Retry pressed while the week changes.
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": 1,
                                             "message": "workoutName contains characters Garmin refuses."})
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=4), "Refused once")  # Save pressed as a person does
    athlete.goto(f"/week?week={MONDAY.isoformat()}")
    retry = ".badge-wrap[data-status='FAILED'] button:has-text('Retry')"
    athlete.wait_for_selector(retry, timeout=30_000)
    athlete.evaluate("""document.body.addEventListener('htmx:beforeSwap', (e) => {
        if (e.detail.target.id === 'week-days') window.weekChangedDuringPress = true; })""")
    # Found afresh: a live update may have replaced the button since it was first seen.
    box = wait_for(lambda: athlete.locator(retry).first.bounding_box(), timeout=15, message="the Retry button")
    athlete.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    athlete.mouse.down()
    coach_adds_run(coach, athlete_id, MONDAY + timedelta(days=5), "Added while Retry is pressed")
    wait_for_js(athlete, "window.weekChangedDuringPress === true", timeout=15_000)
    athlete.mouse.up()
    wait_for_js(athlete, "document.querySelectorAll('.badge-sent').length == 2", timeout=30_000)
    assert athlete.locator(".badge-wrap[data-status='FAILED']").count() == 0
    shots(athlete, "1-retried-while-the-week-changed")
