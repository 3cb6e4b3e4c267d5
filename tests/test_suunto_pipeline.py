"""Suunto end to end, on the provider registry: an athlete connects through the sandbox's
consent page, the coach's saves reach Suunto as SuuntoPlus Guides through real RQ workers, a
moved or changed session replaces its guide (one guide per session, on its day), a removed
one's guide is deleted, and each unpublished behaviour the sandbox plays is met both ways."""

from __future__ import annotations

import pytest

from tests.support.pipeline import wait_for
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, workout

pytestmark = pytest.mark.integration

MONDAY = "2026-11-23"


def guides(pipeline) -> list[dict]:
    return [g for g in pipeline.live.held("suunto")["guides"] if not g["deleted"]]


def plan(athlete, sessions):
    response = athlete.coach_api.post("/plans", json={"athleteId": athlete.id, "weekStart": MONDAY,
                                                      "sessions": sessions})
    assert response.status_code == 201, response.text
    return response.json()


def session(day, base, **changes):
    return {"date": day, "type": "ENDURANCE", "title": f"{base['name']} {day}", "workout": workout(base, **changes)}


def suunto_athlete(pipeline, env: dict | None = None, **faults):
    """An athlete connected to Suunto, and a worker with ``env`` (the Suunto settings it sends by)."""
    if faults:
        pipeline.live.faults("suunto", **faults)
    athlete = pipeline.athlete("suunto", ftp_watts=250, max_heart_rate=190, threshold_pace_sec_per_km=270)
    pipeline.workers.env.update(env or {})
    pipeline.workers.start(1)
    return athlete


def suunto_user(pipeline, athlete) -> str:
    from core.connections import find

    with pipeline.live.app.app_context():
        return find(athlete.id, "SUUNTO").provider_user_id


def test_a_run_and_a_ride_reach_suunto_as_guides_and_follow_every_change(pipeline):
    athlete = suunto_athlete(pipeline)
    saved = plan(athlete, [session("2026-11-24", EASY_RUN), session("2026-11-25", SPEC_EXAMPLE)])
    ids = [s["id"] for s in saved["sessions"]]
    for session_id in ids:
        pipeline.wait_status(athlete.api, session_id, "SENT")
    held = guides(pipeline)
    assert len(held) == 2 and {g["body"]["localDate"] for g in held} == {"2026-11-24", "2026-11-25"}
    assert {tuple(g["body"]["activities"])[0] for g in held} == {1, 2}  # running, cycling
    assert all(not g["warnings"] for g in held)
    first = athlete.api.get(f"/sessions/{ids[0]}").json()
    assert first["exportProvider"] == "SUUNTO" and first["externalWorkoutId"] in {g["guideId"] for g in held}

    # A date move and a changed workout replace the same guide; one guide per session, on its day.
    sessions = athlete.coach_api.get(f"/plans/{saved['id']}").json()["sessions"]
    sessions[0]["date"] = "2026-11-26"
    sessions[1]["workout"] = workout(SPEC_EXAMPLE, name="Threshold, longer")
    assert athlete.coach_api.put(f"/plans/{saved['id']}", json={"sessions": sessions}).status_code == 200
    wait_for(lambda: {g["body"]["localDate"]: g["body"]["name"] for g in guides(pipeline)} == {
        "2026-11-26": EASY_RUN["name"], "2026-11-25": "Threshold, longer"}, message="both guides replaced")
    after = guides(pipeline)
    assert sorted(g["guideId"] for g in after) == sorted(g["guideId"] for g in held)  # the same guides, replaced
    assert all(g["earlierBodies"] for g in after)

    # A removed session's guide is deleted.
    assert athlete.coach_api.put(f"/plans/{saved['id']}", json={"sessions": sessions[1:]}).status_code == 200
    wait_for(lambda: [g["body"]["localDate"] for g in guides(pipeline)] == ["2026-11-25"], message="guide deleted")


@pytest.mark.parametrize("faults", [
    {"archive": "three"}, {"archive": "two"},
    {"stepEnds": "trigger"}, {"stepEnds": "transitions"},
    {"envelope": "bare"}, {"readback": "verbatim"},
    {"oauthState": "drop"},
    {"deleteStatus": 204},
], ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()))
def test_every_unpublished_behaviour_the_sandbox_plays_still_delivers(pipeline, faults):
    # Where Suunto takes one form only, the settings say which we send (README, Production).
    env = {"SUUNTO_GUIDE_ARCHIVE": "3-file" if faults.get("archive") == "three" else "2-file",
           "SUUNTO_GUIDE_STEP_FORM": "trigger" if faults.get("stepEnds") == "trigger" else "transitions"}
    athlete = suunto_athlete(pipeline, env, **faults)
    saved = plan(athlete, [session("2026-11-24", SPEC_EXAMPLE)])
    pipeline.wait_status(athlete.api, saved["sessions"][0]["id"], "SENT")
    assert len(guides(pipeline)) == 1
    assert athlete.coach_api.put(f"/plans/{saved['id']}", json={"sessions": []}).status_code == 200
    wait_for(lambda: guides(pipeline) == [], message="guide deleted")


def test_a_repeated_external_id_is_found_again_by_listing_not_doubled(pipeline):
    # The create's answer is lost once: the retry's create meets the 409 and finds the guide.
    athlete = suunto_athlete(pipeline, duplicateExternalId="refuse",
                             failNext={"path": "/v2/guides/files", "status": 504, "count": 1, "after": True})
    saved = plan(athlete, [session("2026-11-24", EASY_RUN)])
    pipeline.wait_status(athlete.api, saved["sessions"][0]["id"], "SENT")
    assert len(guides(pipeline)) == 1


def test_a_401_that_survives_a_refresh_turns_the_session_not_connected(pipeline):
    athlete = suunto_athlete(pipeline, revokedRefresh="issued")  # a refresh still works; the API refuses
    pipeline.live.faults("suunto", revokedRefresh="issued", revokeUser=suunto_user(pipeline, athlete))
    saved = plan(athlete, [session("2026-11-24", EASY_RUN)])
    found = pipeline.wait_status(athlete.api, saved["sessions"][0]["id"], "NOT_CONNECTED")
    assert "Reconnect Suunto" in found["lastExportError"] or "Suunto no longer accepts" in found["lastExportError"]


@pytest.mark.parametrize("retry_after", [False, 3])
def test_a_429_waits_with_or_without_retry_after_then_goes(pipeline, retry_after):
    # Without Retry-After the wait is a minute at most, here compressed (QUOTA_TIME_SCALE) to three seconds.
    athlete = suunto_athlete(pipeline, {"QUOTA_TIME_SCALE": "0.05"}, retryAfter=retry_after,
                             failNext={"path": "/v2/guides/files", "status": 429, "count": 1})
    saved = plan(athlete, [session("2026-11-24", EASY_RUN)])
    pipeline.wait_status(athlete.api, saved["sessions"][0]["id"], "SENT", timeout=40)
    assert len(guides(pipeline)) == 1
