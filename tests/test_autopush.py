"""Auto-push end to end: a real Redis, real `rq worker` processes (our AppWorker) and the
sandbox over HTTP.  After each scenario, every session's status is checked against what
the sandbox actually holds."""

from __future__ import annotations

import copy
import signal
import time
from datetime import datetime, timedelta

import pytest
import redis as redis_lib

from tests.support.pipeline import wait_for
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, workout

pytestmark = pytest.mark.integration

MONDAY = "2026-11-23"


def endurance(day: str, base=EASY_RUN, **changes) -> dict:
    return {"date": day, "type": "ENDURANCE", "title": f"Session {day}", "workout": workout(base, **changes)}


def create_plan(athlete, sessions, week=MONDAY):
    response = athlete.coach_api.post("/plans", json={"athleteId": athlete.id, "weekStart": week, "sessions": sessions})
    assert response.status_code == 201, response.text
    return response.json()


def held(pipeline, provider="garmin"):
    return pipeline.live.held(provider)


def assert_consistent(pipeline, athlete, provider="garmin"):
    """Every SENT session is exactly one scheduled workout at the provider, of its latest
    revision, sent with the athlete's own token; nothing else is there."""
    sessions = [s for p in athlete.api.get("/plans").json() for s in p["sessions"] if s["exportStatus"] == "SENT"]
    tokens = {t["token"]: t["userId"] for t in pipeline.live.sandbox("GET", "/_admin/tokens").json()}
    store = held(pipeline, provider)
    if provider == "garmin":
        workouts = {str(w["id"]): w for w in store["workouts"]}
        scheduled = {str(s["workoutId"]): s for s in store["schedules"]}
        assert sorted(workouts) == sorted(s["externalWorkoutId"] for s in sessions), "extra or missing workouts"
        for session in sessions:
            held_workout = workouts[session["externalWorkoutId"]]
            assert scheduled[session["externalWorkoutId"]]["date"] == session["date"]
            assert held_workout["body"]["workoutName"] == session["workout"]["name"]
            assert tokens[held_workout["token"]] == tokens[scheduled[session["externalWorkoutId"]]["token"]]
        assert len(store["schedules"]) == len(sessions)
    else:
        calendar = {str(w["id"]): w for w in store["workouts"]}
        assert sorted(calendar) == sorted(s["externalWorkoutId"] for s in sessions)
        assert len(store["plans"]) == len(sessions)
        for session in sessions:
            assert calendar[session["externalWorkoutId"]]["body"]["starts"].startswith(session["date"])
    return sessions


# -- the seed's scenarios ---------------------------------------------------------------------------

def test_saving_a_plan_pushes_each_endurance_session_to_the_athletes_garmin(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24", SPEC_EXAMPLE), {"date": "2026-11-25", "type": "STRENGTH"},
                                 endurance("2026-11-27")])
    first, strength, second = plan["sessions"]
    assert first["exportStatus"] == "PENDING" and first["exportProvider"] == "GARMIN"  # at once, in the save
    for session in (first, second):
        done = pipeline.wait_status(athlete.api, session["id"], "SENT")
        assert done["exportedAt"] and done["externalWorkoutId"] and done["lastExportError"] is None
    assert pipeline.session(athlete.api, strength["id"])["exportStatus"] is None
    assert len(assert_consistent(pipeline, athlete)) == 2
    # The workout went with this athlete's own token.
    user = athlete.api.get("/connections").json()[0]["providerUserId"]
    tokens = {t["token"]: t["userId"] for t in pipeline.live.sandbox("GET", "/_admin/tokens").json()}
    assert {tokens[w["token"]] for w in held(pipeline)["workouts"]} == {user}
    logs = pipeline.workers.logs()
    assert '"event": "export attempt"' in logs and '"outcome": "SENT"' in logs


def test_wahoo_gets_a_plan_and_a_morning_workout_in_the_athletes_time_zone(pipeline):
    athlete = pipeline.athlete("wahoo", ftp_watts=250, timezone="Europe/Paris")
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24", SPEC_EXAMPLE)])
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    store = held(pipeline, "wahoo")
    assert store["workouts"][0]["body"]["starts"] == "2026-11-24T07:00:00+01:00"
    assert store["plans"][0]["key"] == f"hybridpeaks-{plan['sessions'][0]['id']}-r1"
    assert store["plans"][0]["body"]["header"]["ftp"] == 250
    assert_consistent(pipeline, athlete, "wahoo")


def test_a_changed_session_replaces_its_workout_and_a_resave_pushes_nothing(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24"), endurance("2026-11-26")])
    for session in plan["sessions"]:
        pipeline.wait_status(athlete.api, session["id"], "SENT")
    requests_before = len(pipeline.live.sandbox("GET", "/_admin/requests?provider=garmin").json())

    current = athlete.api.get(f"/plans/{plan['id']}").json()["sessions"]
    resaved = athlete.coach_api.put(f"/plans/{plan['id']}", json={"sessions": current}).json()["sessions"]
    assert [s["exportStatus"] for s in resaved] == ["SENT", "SENT"]
    time.sleep(2)
    assert len(pipeline.live.sandbox("GET", "/_admin/requests?provider=garmin").json()) == requests_before

    changed = copy.deepcopy(current)
    changed[0]["workout"]["name"] = "Easy run, longer"
    changed[0]["workout"]["steps"][0]["duration"]["value"] = 3600
    changed[1]["date"] = "2026-11-28"  # the same workout on another day
    moved_workout = current[1]["externalWorkoutId"]
    response = athlete.coach_api.put(f"/plans/{plan['id']}", json={"sessions": changed}).json()["sessions"]
    assert [s["exportStatus"] for s in response] == ["PENDING", "PENDING"]
    for session in response:
        pipeline.wait_status(athlete.api, session["id"], "SENT")
    wait_for(lambda: len(held(pipeline)["workouts"]) == 2, message="the old version removed")
    sent = assert_consistent(pipeline, athlete)
    assert sorted(s["date"] for s in sent) == ["2026-11-24", "2026-11-28"]
    assert {w["body"]["workoutName"] for w in held(pipeline)["workouts"]} == {"Easy run, longer", "Easy run"}
    # The date move kept its workout and moved its schedule: one call, a PUT.
    assert pipeline.session(athlete.api, response[1]["id"])["externalWorkoutId"] == moved_workout
    calls = pipeline.live.sandbox("GET", "/_admin/requests?provider=garmin").json()[requests_before:]
    moves = [c for c in calls if c["path"].startswith("/garmin/training-api/schedule/") and c["method"] == "PUT"]
    assert len(moves) == 1 and moves[0]["status"] == 200


def test_deleting_a_sent_session_removes_its_workout(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24"), endurance("2026-11-25")])
    for session in plan["sessions"]:
        pipeline.wait_status(athlete.api, session["id"], "SENT")
    keep = athlete.api.get(f"/plans/{plan['id']}").json()["sessions"][:1]
    athlete.coach_api.put(f"/plans/{plan['id']}", json={"sessions": keep})
    wait_for(lambda: len(held(pipeline)["workouts"]) == 1, message="the deleted session's workout removed")
    assert_consistent(pipeline, athlete)


def test_not_connected_then_connecting_pushes_every_waiting_session(pipeline):
    athlete = pipeline.athlete(provider=None)
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24"), endurance("2026-11-25"), endurance("2026-11-26")])
    assert {(s["exportStatus"], s["exportProvider"]) for s in plan["sessions"]} == {("NOT_CONNECTED", None)}
    assert "is connected" in athlete.connect("wahoo").text
    for session in plan["sessions"]:
        pipeline.wait_status(athlete.api, session["id"], "SENT")
    assert len(assert_consistent(pipeline, athlete, "wahoo")) == 3


def test_primary_provider_wins_over_the_other_connection(pipeline):
    athlete = pipeline.athlete("garmin")
    athlete.connect("wahoo")
    athlete.api.put("/connections/primary", json={"provider": "WAHOO"})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    assert pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")["exportProvider"] == "WAHOO"
    assert held(pipeline, "garmin")["workouts"] == []


# -- failures by class --------------------------------------------------------------------------------

SWIM = {"sport": "SWIM", "name": "Swim 10 x 100", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "DISTANCE", "value": 300}},
    {"repeat": 10, "steps": [{"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100}},
                             {"intensity": "REST", "duration": {"type": "TIME", "value": 20}}]}]}


def test_a_workout_the_provider_cannot_take_fails_with_the_reason_at_once(pipeline):
    athlete = pipeline.athlete("wahoo")  # Wahoo takes bike and run workouts only
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24", SWIM), endurance("2026-11-25", SPEC_EXAMPLE)])
    swim, ride = plan["sessions"]
    assert (swim["exportStatus"], swim["lastExportError"]) == (
        "FAILED", "Validation failed: sport: Wahoo takes BIKE and RUN workouts only, not SWIM")
    assert swim["compatibility"]["WAHOO"]["level"] == "UNSUPPORTED"
    # No FTP: the zones go without targets (adapted, and said so), and the ride is sent.
    assert ride["compatibility"]["WAHOO"]["level"] == "ADAPTED"
    pipeline.wait_status(athlete.api, ride["id"], "SENT")
    time.sleep(2)
    assert pipeline.session(athlete.api, swim["id"])["exportStatus"] == "FAILED"
    assert len(held(pipeline, "wahoo")["plans"]) == 1


def test_a_payload_the_provider_rejects_fails_with_its_message(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": 1,
                                             "message": "workoutName contains characters Garmin refuses."})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    failed = pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "FAILED")
    assert failed["lastExportError"].startswith("Garmin: workoutName contains characters Garmin refuses.")


def test_transient_failures_keep_retrying_until_the_sessions_day_has_passed(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", errorRate=1.0, status=503)
    workers = pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-23")])  # today: its day ends tonight
    session_id = plan["sessions"][0]["id"]
    wait_for(lambda: len(_attempts(pipeline, session_id)) >= 4, message="four attempts", timeout=40)
    pending = pipeline.session(athlete.api, session_id)
    assert pending["exportStatus"] == "PENDING" and "unavailable (503)" in pending["lastExportError"]
    assert pending["exportScheduledFor"] is not None  # when the next try is planned
    history = _attempts(pipeline, session_id)
    assert {a.outcome for a in history[:3]} == {"RETRY"}  # 1 s backoff repeats: never given up while it has time
    assert history[1].started_at - history[0].started_at >= timedelta(seconds=1)  # never before the backoff ends
    # The clock moves past midnight: the next try finds the day gone, and says what kept it away.
    pipeline.workers.kill(workers[0], signal.SIGTERM)  # a warm stop: it finishes any attempt under way
    pipeline.workers.env["CLOCK_OFFSET_SECONDS"] = str(float(pipeline.workers.env["CLOCK_OFFSET_SECONDS"]) + 86400)
    pipeline.workers.start(1)
    failed = pipeline.wait_status(athlete.api, session_id, "FAILED", timeout=40)
    assert failed["lastExportError"] == ("Garmin: the service is unavailable (503) (gave up: Mon 23 Nov has passed "
                                         "in UTC.)")


def test_a_transient_failure_then_recovery_ends_sent(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 502, "count": 1})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    assert [a.outcome for a in _attempts(pipeline, plan["sessions"][0]["id"])] == ["RETRY", "SENT"]
    assert_consistent(pipeline, athlete)


def test_a_429_parks_the_export_until_wahoos_reset_then_it_goes(pipeline):
    pipeline.workers.start(1)  # first: the connect's calls must still fill the window when the export calls
    athlete = pipeline.athlete("wahoo")
    # One call per five minutes, the windows compressed 50 times: a reset six seconds away.
    pipeline.live.faults("wahoo", limits={"5min": 1}, windowScale=0.02)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    session_id = plan["sessions"][0]["id"]
    waiting = wait_for(lambda: "429" in ((s := pipeline.session(athlete.api, session_id))["lastExportError"] or "")
                       and s, message="a 429")
    assert waiting["exportStatus"] == "PENDING" and waiting["exportScheduledFor"]
    reset = datetime.fromisoformat(waiting["exportScheduledFor"].rstrip("Z"))
    pipeline.wait_status(athlete.api, session_id, "SENT", timeout=40)
    history = _attempts(pipeline, session_id)
    assert history[-1].outcome == "SENT" and {a.outcome for a in history[:-1]} == {"RETRY"}
    assert all("429" in a.error for a in history[:-1])
    assert history[1].started_at >= reset - timedelta(seconds=1)  # not before Wahoo's reset (whole seconds)


def test_an_expired_token_is_refreshed_and_the_export_goes_through_at_once(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", expireAccessTokens=True)
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    assert [a.outcome for a in _attempts(pipeline, plan["sessions"][0]["id"])] == ["SENT"]


REVOKED_TEXT = "You disconnected HybridPeaks in Garmin. Reconnect Garmin to receive workouts again."


def test_an_athlete_revoked_before_the_save_reads_not_connected_with_what_to_do(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.workers.start(1)
    user = athlete.api.get("/connections").json()[0]["providerUserId"]
    pipeline.live.faults("garmin", revokeUser=user)  # Garmin pings our webhook; a job confirms it
    wait_for(lambda: athlete.api.get("/connections").json()[0]["reconnectNeeded"], message="the ping confirmed")
    plan = create_plan(athlete, [endurance("2026-11-24")])
    session = plan["sessions"][0]
    assert (session["exportStatus"], session["exportProvider"], session["lastExportError"]) == (
        "NOT_CONNECTED", None, REVOKED_TEXT)


def test_an_athlete_revoked_before_the_export_runs_turns_not_connected_and_reconnecting_pushes_again(pipeline):
    athlete = pipeline.athlete("garmin")
    plan = create_plan(athlete, [endurance("2026-11-24")])  # queued; no worker yet
    user = athlete.api.get("/connections").json()[0]["providerUserId"]
    pipeline.live.app.extensions["sandbox_app"].config["SANDBOX_GARMIN_WEBHOOK_URL"] = None  # the ping is lost
    pipeline.live.faults("garmin", revokeUser=user)
    pipeline.workers.start(1)
    session = pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "NOT_CONNECTED")
    assert session["exportProvider"] == "GARMIN"
    assert session["lastExportError"] == ("Garmin no longer accepts HybridPeaks' access. Reconnect Garmin to keep "
                                          "receiving workouts.")
    assert athlete.api.get("/connections").json()[0]["reconnectNeeded"] is True
    assert "is connected" in athlete.connect("garmin").text
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    assert_consistent(pipeline, athlete)


def test_a_missing_workout_import_permission_asks_the_athlete_to_reconnect(pipeline):
    athlete = pipeline.athlete("garmin")
    user = athlete.api.get("/connections").json()[0]["providerUserId"]
    pipeline.live.app.extensions["sandbox_app"].config["SANDBOX_GARMIN_WEBHOOK_URL"] = None  # the ping is lost
    pipeline.live.faults("garmin", withdrawPermission={"user": user, "permission": "WORKOUT_IMPORT"})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    session = pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "NOT_CONNECTED")
    assert "allow workout import when you reconnect" in session["lastExportError"]
    assert athlete.api.get("/connections").json()[0]["reconnectNeeded"] is True


# -- retry ------------------------------------------------------------------------------------------------

def refuse_workouts(pipeline, count=10):
    """Garmin refuses the next creates (400): they fail at once, for Retry to start again."""
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": count,
                                             "message": "Refused for the test."})


def test_retry_starts_a_new_attempt_with_the_same_provider(pipeline):
    athlete = pipeline.athlete("garmin")
    refuse_workouts(pipeline)
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24"), endurance("2026-11-25")])
    ids = [s["id"] for s in plan["sessions"]]
    for session_id in ids:
        pipeline.wait_status(athlete.api, session_id, "FAILED")
    pipeline.live.faults("garmin")  # the outage is over
    response = athlete.api.post(f"/sessions/{ids[0]}/retry")
    assert response.status_code == 202 and response.json()["exportStatus"] == "PENDING"
    assert athlete.api.post(f"/sessions/{ids[0]}/retry").status_code == 409  # already under way
    assert athlete.coach_api.post(f"/sessions/{ids[0]}/retry").status_code == 403
    pipeline.wait_status(athlete.api, ids[0], "SENT")
    assert athlete.api.post(f"/sessions/{ids[0]}/retry").status_code == 409  # already sent
    everything = athlete.api.post("/sessions/retry-failed")
    assert everything.status_code == 202 and [s["id"] for s in everything.json()["retried"]] == [ids[1]]
    pipeline.wait_status(athlete.api, ids[1], "SENT")
    assert_consistent(pipeline, athlete)


def test_retry_is_refused_when_the_original_provider_is_no_longer_connected(pipeline):
    athlete = pipeline.athlete("garmin")
    refuse_workouts(pipeline)
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "FAILED")
    athlete.submit(athlete.get("/connections"), button="Disconnect", action="garmin/disconnect")
    response = athlete.api.post(f"/sessions/{plan['sessions'][0]['id']}/retry")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "Garmin is no longer connected: reconnect Garmin first."


# -- at least once, and nothing lost ------------------------------------------------------------------------

def test_an_older_revision_is_superseded_and_only_the_newest_goes(pipeline):
    athlete = pipeline.athlete("garmin")
    plan = create_plan(athlete, [endurance("2026-11-24")])  # no worker yet: the job waits
    sessions = athlete.api.get(f"/plans/{plan['id']}").json()["sessions"]
    sessions[0]["workout"]["name"] = "Second thoughts"
    athlete.coach_api.put(f"/plans/{plan['id']}", json={"sessions": sessions})
    pipeline.workers.start(1)
    pipeline.wait_status(athlete.api, sessions[0]["id"], "SENT")
    from core.db import db
    from core.models import ExportJob

    with pipeline.live.app.app_context():
        statuses = [(j.revision, j.status) for j in db.session.query(ExportJob).order_by(ExportJob.id)]
    assert statuses == [(1, "SUPERSEDED"), (2, "COMPLETED")]
    assert [w["body"]["workoutName"] for w in held(pipeline)["workouts"]] == ["Second thoughts"]


def test_a_crash_between_create_and_schedule_schedules_the_same_workout_on_retry(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", failNext={"path": "/training-api/schedule", "status": 503, "count": 1})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    store = held(pipeline)
    assert len(store["workouts"]) == 1 and len(store["schedules"]) == 1
    assert_consistent(pipeline, athlete)


def test_a_save_while_redis_is_down_succeeds_and_is_pushed_once_redis_is_back(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.redis.stop()
    started = time.perf_counter()
    plan = create_plan(athlete, [endurance("2026-11-24"), endurance("2026-11-25")])
    assert time.perf_counter() - started < 5  # Redis' connect timeout is 1 s, once
    assert {s["exportStatus"] for s in plan["sessions"]} == {"PENDING"}
    pipeline.redis.start()
    pipeline.workers.start(1)  # the relay finds the rows no RQ job carries
    for session in plan["sessions"]:
        pipeline.wait_status(athlete.api, session["id"], "SENT", timeout=45)
    assert_consistent(pipeline, athlete)


def test_a_worker_outlives_redis_going_away_at_the_end_of_a_job(pipeline, tmp_path):
    """RQ's own worker quits ("found an unhandled exception") when Redis is gone as it records
    a job's end; ours stays up and runs the next job once Redis is back."""
    from rq import Queue

    worker = pipeline.workers.start(1)[0]
    queue = Queue("high", connection=redis_lib.Redis.from_url(pipeline.redis.url))
    queue.enqueue("tests.support.worker_jobs.shut_redis_down")
    wait_for(lambda: pipeline.redis.process.poll() is not None, message="Redis to stop")
    time.sleep(1)  # the worker has ended the job against a Redis that is not there
    pipeline.redis.stop()
    pipeline.redis.start()
    marker = tmp_path / "second-job"
    Queue("high", connection=redis_lib.Redis.from_url(pipeline.redis.url)).enqueue(
        "tests.support.worker_jobs.touch", str(marker))
    wait_for(marker.exists, timeout=30, message="the next job to run")
    assert worker.poll() is None
    assert "redis lost during a job" in pipeline.workers.logs()


@pytest.mark.dialect
def test_two_workers_racing_one_session_leave_one_workout(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", latencyMs=300)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    session_id = plan["sessions"][0]["id"]
    # Deliver the same job twice (as RQ may after a lost acknowledgement) to two workers.
    from rq import Queue

    from core.db import db
    from core.models import ExportJob

    with pipeline.live.app.app_context():
        job_id = db.session.query(ExportJob).filter_by(session_id=session_id).one().id
    queue = Queue("high", connection=redis_lib.Redis.from_url(pipeline.redis.url))
    queue.enqueue("jobs.export.run_export", job_id, 0, job_id=f"duplicate-{job_id}")
    pipeline.workers.start(2)
    pipeline.wait_status(athlete.api, session_id, "SENT")
    time.sleep(2)
    assert len(held(pipeline)["workouts"]) == 1
    assert_consistent(pipeline, athlete)


def _kill_mid_create(pipeline, athlete, provider):
    """SIGKILL the worker while the provider is creating the workout (its answer never
    arrives), then let the relay hand the abandoned job to a fresh worker."""
    pipeline.workers.env.update(EXPORT_JOB_TIMEOUT="3", EXPORT_LEASE_SECONDS="4")
    pipeline.live.faults(provider, latencyMs=1500)
    victim = pipeline.workers.start(1)[0]
    plan = create_plan(athlete, [endurance("2026-11-24")])
    session_id = plan["sessions"][0]["id"]
    from core.db import db
    from core.models import ExportJob

    def processing():
        with pipeline.live.app.app_context():
            return db.session.query(ExportJob).filter_by(session_id=session_id, status="PROCESSING").count()

    wait_for(processing, message="the export to start")
    time.sleep(0.5)
    pipeline.workers.kill(victim, signal.SIGKILL)
    pipeline.live.faults(provider)
    pipeline.workers.start(1)
    pipeline.wait_status(athlete.api, session_id, "SENT", timeout=60)
    time.sleep(1)
    return session_id


def test_a_worker_killed_mid_create_is_recovered_without_a_second_wahoo_plan(pipeline):
    athlete = pipeline.athlete("wahoo")
    _kill_mid_create(pipeline, athlete, "wahoo")
    # The dead worker's plan was created; the recovered job found it by its external_id.
    assert len(held(pipeline, "wahoo")["plans"]) == 1
    assert_consistent(pipeline, athlete, "wahoo")


def test_a_worker_killed_mid_create_at_garmin_leaves_one_workout_on_the_calendar(pipeline):
    """Garmin's API has no idempotency key and no list of workouts, so a create whose answer
    is lost can leave one unscheduled copy in the athlete's library (never on the calendar);
    what the athlete trains from, the calendar, holds exactly one."""
    athlete = pipeline.athlete("garmin")
    session_id = _kill_mid_create(pipeline, athlete, "garmin")
    store = held(pipeline)
    assert len(store["schedules"]) == 1
    scheduled = str(store["schedules"][0]["workoutId"])
    assert scheduled == pipeline.session(athlete.api, session_id)["externalWorkoutId"]
    orphans = [w for w in store["workouts"] if str(w["id"]) != scheduled]
    assert len(orphans) <= 1


# -- helpers --------------------------------------------------------------------------------------------------

def _attempts(pipeline, session_id):
    from core.db import db
    from core.models import ExportAttempt

    with pipeline.live.app.app_context():
        rows = db.session.query(ExportAttempt).filter_by(session_id=session_id).order_by(ExportAttempt.id).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def test_a_provider_error_that_echoes_the_token_never_reaches_last_export_error(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 422, "count": 1,
                                             "message": "Bearer {token} may not import this workout"})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    failed = pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "FAILED")
    issued = [t["token"] for t in pipeline.live.sandbox("GET", "/_admin/tokens").json()]
    assert "may not import this workout" in failed["lastExportError"]
    assert not any(token in failed["lastExportError"] for token in issued)
    assert not any(token in pipeline.workers.logs() for token in issued)


def test_an_export_that_fails_after_creating_the_workout_removes_it(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.live.faults("garmin", failNext={"path": "/training-api/schedule", "status": 400, "count": 1,
                                             "message": "Refused for the test."})
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "FAILED")
    wait_for(lambda: held(pipeline)["workouts"] == [], message="the unscheduled workout removed")
    pipeline.live.faults("garmin")
    assert athlete.api.post(f"/sessions/{plan['sessions'][0]['id']}/retry").status_code == 202
    pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    assert_consistent(pipeline, athlete)
