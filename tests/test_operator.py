"""The operator's page in Chromium (as tests/test_browser.py), on the real pipeline: a Garmin
outage leaves one session retrying, Garmin refuses another, an athlete must reconnect; the
operator sees all of it, with the real workers by name, and retries the provider's FAILED
sessions once the outage is over.  Screenshots at desktop and phone widths."""

from __future__ import annotations

import re

import pytest

from core.db import db
from core.models import DeviceConnection
from tests.conftest import day
from tests.support.pipeline import wait_for
from tests.support.workouts import EASY_RUN
from tests.test_browser import login, shots  # noqa: F401
from tests.test_browser_views import PHONE, fits_the_phone

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_the_operator_sees_trouble_and_retries_a_providers_failed_sessions(pipeline, chromium, shots):
    ana = pipeline.athlete("garmin", name="Ana Lima")
    bo = pipeline.athlete("garmin", email="bo@example.test", coach_email="coach2@example.test", name="Bo Berg")
    with pipeline.live.app.app_context():
        connection = db.session.query(DeviceConnection).filter_by(athlete_id=bo.id).one()
        connection.status, connection.status_reason = "REVOKED", "DEREGISTERED"
        db.session.commit()
    pipeline.people.operator()
    pipeline.workers.start(1)

    def plan(session_day: str, title: str) -> int:
        response = ana.coach_api.post("/plans", json={"athleteId": ana.id, "weekStart": day(0) if session_day < day(7) else day(7),
                                                      "sessions": [{"date": session_day, "type": "ENDURANCE",
                                                                    "title": title, "workout": EASY_RUN}]})
        assert response.status_code == 201, response.text
        return response.json()["sessions"][0]["id"]

    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": 1,
                                             "message": "workoutName contains characters Garmin refuses."})
    refused = plan(day(2), "Refused run")
    pipeline.wait_status(ana.api, refused, "FAILED")
    pipeline.live.faults("garmin", errorRate=1.0, status=503)  # Garmin's outage begins
    retrying = plan(day(8), "Run in the outage")
    wait_for(lambda: pipeline.session(ana.api, retrying)["lastExportError"], message="a first retry")

    page = login(chromium, pipeline.live.url, "operator@example.test", "operator-password")
    assert page.url.endswith("/operator")
    workers = page.inner_text(".workers")
    assert re.search(r"test-worker-\d+-0", workers) and "[redacted]" not in workers
    row = page.locator("tr[data-state='retrying']")
    assert row.count() == 1 and "Garmin" in row.inner_text() and "503" in row.inner_text()
    failed = page.inner_text("#failed")
    assert "The provider refused the workout" in failed and "Garmin refuses" in failed
    assert "Bo Berg" in page.inner_text("#reconnect") and "deregistered" in page.inner_text("#reconnect")
    shots(page, "1-operator-page")

    pipeline.live.faults("garmin")  # the outage is over
    pipeline.wait_status(ana.api, retrying, "SENT", timeout=40)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Retry all failed for Garmin')")
    page.wait_for_selector(".flash-info")
    assert "1 FAILED Garmin session queued again" in page.inner_text(".flash-info")
    pipeline.wait_status(ana.api, refused, "SENT", timeout=30)  # the coach changed nothing: Garmin takes it now
    page.reload()
    assert "No FAILED session." in page.inner_text("#failed")
    shots(page, "2-after-retry-all")
    page.set_viewport_size(PHONE)
    assert fits_the_phone(page)
    shots(page, "3-phone-operator-page")
    page.context.close()
