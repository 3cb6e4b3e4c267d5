"""Provider truth end to end: the product against a sandbox that plays providers.md, over real
HTTP with a real Redis and real `rq worker` processes.  Where a fact is not published, each
plausible behaviour is played (the sandbox's switches) and the product must work with all."""

from __future__ import annotations

import pytest

from tests.support.pipeline import wait_for
from tests.support.workouts import EASY_RUN
from tests.test_autopush import create_plan, endurance, held

pytestmark = pytest.mark.integration

SWIM = {"sport": "SWIM", "name": "Threshold swim", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "DISTANCE", "value": 300}},
    {"repeat": 5, "steps": [
        {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100}, "target": {"type": "PACE", "min": 92,
                                                                                              "max": 98}},
        {"intensity": "REST", "duration": {"type": "TIME", "value": 15}}]},
    {"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 200}, "target": {"type": "PACE", "zone": 2}},
    {"intensity": "COOLDOWN", "duration": {"type": "DISTANCE", "value": 200}}]}


def device_steps(pipeline, workout_id):
    return pipeline.live.sandbox("GET", f"/_admin/device?provider=garmin&workoutId={workout_id}").json()


def test_a_swim_with_pace_targets_reaches_garmin_as_pace_zone_secondaries(pipeline):
    athlete = pipeline.athlete("garmin", swim_threshold_pace_sec_per_100m=100)
    pipeline.workers.start(1)
    session = create_plan(athlete, [endurance("2026-11-24", SWIM)])["sessions"][0]
    assert session["compatibility"]["GARMIN"]["level"] == "ADAPTED"  # the extra rest, said before the save
    sent = pipeline.wait_status(athlete.api, session["id"], "SENT")
    body = held(pipeline)["workouts"][0]
    assert held(pipeline)["workouts"][0]["warnings"] == []  # nothing the document even advises against
    payload = body["body"]
    steps = payload["segments"][0]["steps"]
    assert payload["sport"] == "LAP_SWIMMING" and payload["poolLengthUnit"] == "METER"
    pace = steps[1]["steps"][0]
    assert (pace["targetType"], pace["secondaryTargetType"]) == (None, "PACE_ZONE")
    assert (pace["secondaryTargetValueLow"], pace["secondaryTargetValueHigh"]) == (1.0204, 1.087)  # 98-92 s /100 m
    zone2 = steps[3]
    assert zone2["secondaryTargetType"] == "PACE_ZONE"  # resolved with the swim threshold pace
    # The watch skips the block's last rest; the rest after the block gives it back: five rests.
    played = device_steps(pipeline, sent["externalWorkoutId"])
    assert [s["intensity"] for s in played] == ["WARMUP"] + ["ACTIVE", "REST"] * 5 + ["ACTIVE", "COOLDOWN"]
    assert all(s["durationType"] == "FIXED_REST" for s in played if s["intensity"] == "REST")


@pytest.mark.parametrize("reply", ["id", "object"])
def test_either_schedule_reply_and_either_permissions_shape_work(pipeline, reply):
    pipeline.live.faults("garmin", scheduleReply=reply, permissionsShape="object" if reply == "id" else "array")
    athlete = pipeline.athlete("garmin")  # the connect reads the permissions
    pipeline.workers.start(1)
    session = create_plan(athlete, [endurance("2026-11-24")])["sessions"][0]
    sent = pipeline.wait_status(athlete.api, session["id"], "SENT")
    schedule = held(pipeline)["schedules"][0]
    assert str(schedule["workoutId"]) == sent["externalWorkoutId"]


def test_a_garmin_schedule_whose_answer_was_lost_is_found_again_not_doubled(pipeline):
    athlete = pipeline.athlete("garmin")
    # Garmin schedules the workout, and the answer never arrives (a gateway timeout).
    pipeline.live.faults("garmin", failNext={"path": "/training-api/schedule", "method": "POST", "status": 504,
                                             "count": 1, "after": True})
    pipeline.workers.start(1)
    session = create_plan(athlete, [endurance("2026-11-24")])["sessions"][0]
    pipeline.wait_status(athlete.api, session["id"], "SENT")
    store = held(pipeline)
    assert len(store["workouts"]) == 1 and len(store["schedules"]) == 1
    calls = pipeline.live.sandbox("GET", "/_admin/requests?provider=garmin").json()
    assert any(c["method"] == "GET" and c["path"] == "/garmin/training-api/schedule" for c in calls)  # by date


@pytest.mark.parametrize("duplicates", ["refuse", "accept"])
def test_wahoo_finds_a_plan_after_a_timed_out_create_in_both_modes(pipeline, duplicates):
    """Whether Wahoo refuses a second plan with an external_id it holds is not published."""
    pipeline.live.faults("wahoo", duplicateExternalId=duplicates, plansFilter=False,
                         failNext={"path": "/v1/plans", "method": "POST", "status": 504, "count": 1, "after": True})
    athlete = pipeline.athlete("wahoo")
    pipeline.workers.start(1)
    session = create_plan(athlete, [endurance("2026-11-24")])["sessions"][0]
    sent = pipeline.wait_status(athlete.api, session["id"], "SENT")
    store = held(pipeline, "wahoo")
    assert len(store["plans"]) == 1 and len(store["workouts"]) == 1  # found again: no second plan
    assert str(store["workouts"][0]["planId"]) == str(store["plans"][0]["id"])
    assert sent["externalWorkoutId"] == str(store["workouts"][0]["id"])
    calls = pipeline.live.sandbox("GET", "/_admin/requests?provider=wahoo").json()
    assert any(c["method"] == "GET" and c["path"] == "/wahoo/v1/plans" and c["status"] == 200 for c in calls)


def test_wahoo_finds_a_calendar_entry_after_a_timed_out_create(pipeline):
    pipeline.live.faults("wahoo", failNext={"path": "/v1/workouts", "method": "POST", "status": 504, "count": 1,
                                            "after": True})
    athlete = pipeline.athlete("wahoo")
    pipeline.workers.start(1)
    session = create_plan(athlete, [endurance("2026-11-24")])["sessions"][0]
    pipeline.wait_status(athlete.api, session["id"], "SENT")
    assert len(held(pipeline, "wahoo")["workouts"]) == 1


# -- the sandbox answers as providers.md says ---------------------------------------------------------

def wahoo_token(live, athlete):
    athlete.connect("wahoo")
    return [t for t in live.sandbox("GET", "/_admin/tokens").json() if t["provider"] == "wahoo"
            and t["kind"] == "access"][-1]


def test_wahoo_listings_are_bare_arrays_and_every_answer_carries_the_three_windows(live, live_athlete):
    token = wahoo_token(live, live_athlete)
    assert set(token["scope"].split()) >= {"plans_read", "plans_write", "workouts_read", "workouts_write"}
    headers = {"Authorization": f"Bearer {token['token']}"}
    answers = [live.sandbox("GET", "/wahoo/v1/plans", headers=headers),
               live.sandbox("GET", "/wahoo/v1/workouts", headers=headers),
               live.sandbox("POST", "/wahoo/v1/plans", headers=headers, data={"plan[external_id]": ""}),
               live.sandbox("GET", "/wahoo/v1/plans", headers={"Authorization": "Bearer nope"})]
    assert answers[0].json() == [] and answers[1].json() == []
    assert [a.status_code for a in answers] == [200, 200, 422, 401]
    for answer in answers:
        assert len(answer.headers["X-RateLimit-Limit"].split(",")) == 3
        assert len(answer.headers["X-RateLimit-Remaining"].split(",")) == 3
        assert "X-RateLimit-Reset" in answer.headers
    assert answers[0].headers["X-RateLimit-Limit"] == "5000, 1000, 200"  # the production tier: day, hour, 5 min


def test_wahoo_reads_need_their_scopes(live, live_athlete):
    live_athlete.connect("wahoo")
    # A token granted only what a write needs cannot read plans back.
    from tests.support.browser import pkce_token

    token = pkce_token(live, "wahoo", scope="user_read plans_write workouts_write")
    answer = live.sandbox("GET", "/wahoo/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 403 and "plans_read" in answer.json()["error"]


def test_garmin_tells_401_403_and_412_apart(live, live_athlete, live_people):
    live_athlete.connect("garmin")
    tokens = [t for t in live.sandbox("GET", "/_admin/tokens").json() if t["provider"] == "garmin"
              and t["kind"] == "access"]
    mine = {"Authorization": f"Bearer {tokens[-1]['token']}"}
    created = live.sandbox("POST", "/garmin/workoutportal/workout/v2", headers=mine, json={
        "workoutName": "x", "sport": "RUNNING", "segments": [{"segmentOrder": 1, "sport": "RUNNING", "steps": [
            {"type": "WorkoutStep", "stepOrder": 1, "intensity": "ACTIVE", "durationType": "OPEN"}]}]})
    assert created.status_code == 200
    assert live.sandbox("GET", "/garmin/training-api/workout/v2/1", headers={"Authorization": "Bearer nope"}
                        ).status_code == 401
    other = live.browser()
    live_people.athlete(live_people.coach(email="c2@example.test"), email="ben@example.test")
    other.login("ben@example.test", "athlete-password")
    other.connect("garmin")
    theirs = [t for t in live.sandbox("GET", "/_admin/tokens").json() if t["provider"] == "garmin"
              and t["kind"] == "access"][-1]
    assert live.sandbox("GET", f"/garmin/training-api/workout/v2/{created.json()['workoutId']}",
                        headers={"Authorization": f"Bearer {theirs['token']}"}).status_code == 403
    live.faults("garmin", withdrawPermission={"user": theirs["userId"], "permission": "WORKOUT_IMPORT"})
    assert live.sandbox("GET", "/garmin/training-api/schedule?startDate=2026-11-23&endDate=2026-11-29",
                        headers={"Authorization": f"Bearer {theirs['token']}"}).status_code == 412


# -- quotas: the documented windows, spent without a single 429 ---------------------------------------------

def compress(pipeline, scale: float, **settings) -> None:
    """Both sides' windows shorter by ``scale``: the sandbox's and the product's (web and workers)."""
    pipeline.workers.env.update({"QUOTA_TIME_SCALE": str(scale), "RELAY_INTERVAL_SECONDS": "1",
                                 **{k: str(v) for k, v in settings.items()}})
    pipeline.live.app.config.update(QUOTA_TIME_SCALE=scale, **settings)


def assert_no_429_and_every_session_sent(pipeline, clients_and_ids, timeout=120):
    for client, ids in clients_and_ids:
        for session_id in ids:
            pipeline.wait_status(client.api, session_id, "SENT", timeout=timeout)
    seen = pipeline.live.sandbox("GET", "/_admin/requests").json()
    assert [c for c in seen if c["status"] == 429] == []
    return seen


DAYS = [f"2026-11-{23 + n}" for n in range(7)]


@pytest.mark.postgresql
def test_a_bulk_push_at_wahoos_sandbox_tier_gets_no_429_and_fails_nothing(pipeline):
    """Wahoo's sandbox tier (25 / 5 min, 100 / h, 250 / day), windows 100 times shorter on both
    sides: 14 sessions are 28 calls, more than one 5-minute window holds."""
    scale = 0.01
    pipeline.live.faults("wahoo", tier="sandbox", windowScale=scale)
    compress(pipeline, scale, WAHOO_QUOTA_TIER="sandbox")
    athlete = pipeline.athlete(None)
    ids = [s["id"] for s in create_plan(athlete, [endurance(d, EASY_RUN) for d in DAYS] * 2)["sessions"]]
    pipeline.workers.start(2)
    assert "is connected" in athlete.connect("wahoo").text
    seen = assert_no_429_and_every_session_sent(pipeline, [(athlete, ids)])
    calls = [c["at"] for c in seen if c["provider"] == "wahoo"]
    assert max(calls) - min(calls) > 300 * scale  # the 5-minute window really bound


@pytest.mark.postgresql
def test_a_bulk_push_past_garmins_athlete_day_waits_for_it_and_fails_nothing(pipeline):
    """Garmin's athlete day at 12 calls (a day 5,000 times shorter, 17 s): 7 sessions are 14 calls,
    and the connect 2 more; the rest waits for the day window to free, never FAILED."""
    scale = 0.0002
    pipeline.live.faults("garmin", limits={"userPerDay": 12}, windowScale=scale)
    compress(pipeline, scale, GARMIN_QUOTA_ATHLETE_PER_DAY=12)
    athlete = pipeline.athlete(None)
    ids = [s["id"] for s in create_plan(athlete, [endurance(d, EASY_RUN) for d in DAYS])["sessions"]]
    pipeline.workers.start(2)
    assert "is connected" in athlete.connect("garmin").text
    waiting = wait_for(lambda: [s for s in athlete.api.get("/plans").json()[0]["sessions"]
                                if s["exportStatus"] == "PENDING" and s["exportScheduledFor"]], message="a day wait")
    assert waiting  # said: "Garmin's quota is used up for now; sending at ..."
    seen = assert_no_429_and_every_session_sent(pipeline, [(athlete, ids)])
    calls = [c["at"] for c in seen if c["provider"] == "garmin"]
    assert max(calls) - min(calls) > 86400 * scale - 1  # it waited for the athlete's day to free
