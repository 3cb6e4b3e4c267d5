"""Delivery planning end to end (real Redis, real `rq worker` processes, the sandbox over HTTP):
delivery windows, past days, the periodic job under a moved clock, routing by sport, date
moves, threshold re-pushes, and who goes first under a quota.

The suite's today is Monday 23 November 2026 (conftest.NOW): Wahoo's window runs through
Sunday the 29th, Garmin's through Saturday 5 December."""

from __future__ import annotations

import signal

import pytest

from tests.support.pipeline import wait_for
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE
from tests.test_autopush import create_plan, endurance, held

pytestmark = pytest.mark.integration
NEXT_MONDAY, AFTER = "2026-11-30", "2026-12-07"


def requests_seen(pipeline, provider):
    return pipeline.live.sandbox("GET", f"/_admin/requests?provider={provider}").json()


def test_a_past_session_is_never_pushed_and_says_so(pipeline):
    athlete = pipeline.athlete("garmin")
    pipeline.workers.start(1)
    past = create_plan(athlete, [endurance("2026-11-22")], week="2026-11-16")["sessions"][0]
    assert (past["exportStatus"], past["lastExportError"]) == (
        "FAILED", "Not sent: Sun 22 Nov has passed in UTC.")  # one wording wherever a day passed is found
    page = athlete.get("/week?week=2026-11-16").text
    assert "Not sent · day passed" in page and "Retry</button>" not in page
    assert athlete.api.post(f"/sessions/{past['id']}/retry").json()["error"]["message"] == (
        "This session's day has passed: nothing is sent for a past session.")
    assert held(pipeline)["workouts"] == [] and requests_seen(pipeline, "garmin") == [
        c for c in requests_seen(pipeline, "garmin") if "workout" not in c["path"]]


def test_connecting_pushes_upcoming_waiting_sessions_only(pipeline):
    athlete = pipeline.athlete(None)
    pipeline.workers.start(1)
    past = create_plan(athlete, [endurance("2026-11-20")], week="2026-11-16")["sessions"][0]
    upcoming = create_plan(athlete, [endurance("2026-11-24")])["sessions"][0]
    assert past["exportStatus"] == upcoming["exportStatus"] == "NOT_CONNECTED"
    assert "is connected" in athlete.connect("garmin").text
    pipeline.wait_status(athlete.api, upcoming["id"], "SENT")
    assert pipeline.session(athlete.api, past["id"])["exportStatus"] == "NOT_CONNECTED"
    assert len(held(pipeline)["workouts"]) == 1
    assert "Not sent · day passed" in athlete.get("/week?week=2026-11-16").text


def test_a_session_beyond_wahoos_window_waits_and_says_when_it_goes(pipeline):
    athlete = pipeline.athlete("wahoo", timezone="Europe/Paris")
    pipeline.workers.start(1)
    waiting = create_plan(athlete, [endurance("2026-12-01")], week=NEXT_MONDAY)["sessions"][0]  # today + 8
    # It enters Wahoo's 7 days on 25 Nov at midnight in Paris: 23:00 UTC on the 24th.
    assert (waiting["exportStatus"], waiting["exportScheduledFor"]) == ("PENDING", "2026-11-24T23:00:00Z")
    page = athlete.get(f"/week?week={NEXT_MONDAY}").text
    assert "Goes to Wahoo on Wed 25 Nov" in page and "up to 6 days ahead, as Wahoo shows them" in page
    pipeline.live.sandbox("GET", "/_admin/requests")
    assert held(pipeline, "wahoo")["plans"] == []
    assert [c["path"] for c in requests_seen(pipeline, "wahoo")] == ["/wahoo/v1/user"]  # the connect's only


def test_moving_a_waiting_session_into_the_window_pushes_it_at_once(pipeline):
    pipeline.live.app.config["GARMIN_DELIVERY_DAYS"] = 3  # today and the next two days
    athlete = pipeline.athlete("garmin")
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-27")])
    waiting = plan["sessions"][0]
    assert (waiting["exportStatus"], waiting["exportScheduledFor"]) == ("PENDING", "2026-11-25T00:00:00Z")
    waiting["date"] = "2026-11-24"
    moved = athlete.coach_api.put(f"/plans/{plan['id']}", json={"sessions": [waiting]}).json()["sessions"][0]
    assert moved["exportScheduledFor"] is None
    sent = pipeline.wait_status(athlete.api, moved["id"], "SENT", timeout=15)
    assert held(pipeline)["schedules"][0]["date"] == "2026-11-24" == sent["date"]


def test_a_date_move_inside_the_week_is_one_wahoo_call(pipeline):
    athlete = pipeline.athlete("wahoo")
    pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-11-24")])
    session = pipeline.wait_status(athlete.api, plan["sessions"][0]["id"], "SENT")
    before = len(requests_seen(pipeline, "wahoo"))
    session["date"] = "2026-11-26"
    athlete.coach_api.put(f"/plans/{plan['id']}", json={"sessions": [session]})
    wait_for(lambda: pipeline.session(athlete.api, session["id"])["exportStatus"] == "SENT"
             and len(requests_seen(pipeline, "wahoo")) > before, message="the move")
    calls = requests_seen(pipeline, "wahoo")[before:]
    assert [(c["method"], c["path"].rsplit("/", 1)[0]) for c in calls] == [("PUT", "/wahoo/v1/workouts")]
    store = held(pipeline, "wahoo")
    assert len(store["plans"]) == len(store["workouts"]) == 1
    assert store["workouts"][0]["body"]["starts"].startswith("2026-11-26")


@pytest.mark.postgresql
def test_the_periodic_job_pushes_a_session_as_it_enters_its_window(pipeline):
    athlete = pipeline.athlete("wahoo")
    workers = pipeline.workers.start(1)
    plan = create_plan(athlete, [endurance("2026-12-03")], week=NEXT_MONDAY)  # today + 10
    session = plan["sessions"][0]
    assert session["exportScheduledFor"] == "2026-11-27T00:00:00Z"
    pipeline.live.sandbox("GET", "/_admin/requests")  # (nothing sent yet)
    # Four days later, as the worker's clock has it: the relay finds it due and pushes it.
    pipeline.workers.kill(workers[0], signal.SIGTERM)
    pipeline.workers.env["CLOCK_OFFSET_SECONDS"] = str(float(pipeline.workers.env["CLOCK_OFFSET_SECONDS"]) + 4 * 86400)
    pipeline.workers.start(1)
    sent = pipeline.wait_status(athlete.api, session["id"], "SENT", timeout=30)
    assert sent["exportScheduledFor"] is None
    display = pipeline.live.sandbox("GET", "/_admin/display?provider=wahoo&today=2026-11-27").json()
    assert len(display) == 1


def test_routing_sends_the_ride_to_wahoo_and_the_run_to_garmin(pipeline):
    athlete = pipeline.athlete("garmin")  # primary
    assert "is connected" in athlete.connect("wahoo").text
    assert athlete.api.put("/connections/routing", json={"BIKE": "WAHOO"}).json() == {"BIKE": "WAHOO"}
    pipeline.workers.start(1)
    ride, run = create_plan(athlete, [endurance("2026-11-24", SPEC_EXAMPLE), endurance("2026-11-25", EASY_RUN)])["sessions"]
    assert pipeline.wait_status(athlete.api, ride["id"], "SENT")["exportProvider"] == "WAHOO"
    assert pipeline.wait_status(athlete.api, run["id"], "SENT")["exportProvider"] == "GARMIN"
    assert [w["body"]["name"] for w in held(pipeline, "wahoo")["workouts"]] == [ride["title"]]
    assert [w["body"]["workoutName"] for w in held(pipeline)["workouts"]] == [EASY_RUN["name"]]
    # Routing runs to Wahoo too moves the run there, and off Garmin.
    athlete.api.put("/connections/routing", json={"BIKE": "WAHOO", "RUN": "WAHOO"})
    wait_for(lambda: pipeline.session(athlete.api, run["id"])["exportProvider"] == "WAHOO"
             and pipeline.session(athlete.api, run["id"])["exportStatus"] == "SENT", message="the run moved")
    wait_for(lambda: held(pipeline)["workouts"] == [], message="the run removed from Garmin")
    assert len(held(pipeline, "wahoo")["workouts"]) == 2
    # A sport the route cannot name refuses clearly.
    refused = athlete.api.put("/connections/routing", json={"SWIM": "WAHOO"})
    assert refused.status_code == 409 and "cannot take swim" in refused.json()["error"]["message"]


def test_the_connections_page_routes_without_javascript(pipeline):
    athlete = pipeline.athlete("garmin")
    athlete.connect("wahoo")
    page = athlete.submit(athlete.get("/connections"), button="Save", data={"route-BIKE": "WAHOO"})
    assert "Saved which device gets each sport." in page.text
    assert athlete.api.get("/connections/routing").json() == {"BIKE": "WAHOO"}


def test_a_changed_ftp_re_sends_the_power_session_and_not_the_heart_rate_one(pipeline):
    athlete = pipeline.athlete("garmin", ftp_watts=250, max_heart_rate=190)
    pipeline.workers.start(1)
    power, heart = create_plan(athlete, [endurance("2026-11-24", SPEC_EXAMPLE), endurance("2026-11-25", EASY_RUN)])["sessions"]
    for session in (power, heart):
        pipeline.wait_status(athlete.api, session["id"], "SENT")
    before = {s["id"]: s["externalWorkoutId"] for s in (pipeline.session(athlete.api, power["id"]),
                                                         pipeline.session(athlete.api, heart["id"]))}
    response = athlete.coach_api.put(f"/athletes/{athlete.id}/profile", json={"ftpWatts": 270})
    assert response.status_code == 200
    resent = pipeline.wait_status(athlete.api, power["id"], "SENT")
    wait_for(lambda: pipeline.session(athlete.api, power["id"])["externalWorkoutId"] != before[power["id"]],
             message="the power session re-sent")
    resent = pipeline.session(athlete.api, power["id"])
    assert resent["pushReason"] == "FTP changed: re-sent"
    assert pipeline.session(athlete.api, heart["id"])["externalWorkoutId"] == before[heart["id"]]
    wait_for(lambda: len(held(pipeline)["workouts"]) == 2, message="the old version removed")
    warmup = [w for w in held(pipeline)["workouts"] if str(w["id"]) == resent["externalWorkoutId"]][0]
    first = warmup["body"]["segments"][0]["steps"][0]
    assert (first["targetValueLow"], first["targetValueHigh"]) == (151, 203)  # zone 2 of 270 W (56-75 %, halves up)
    assert "FTP changed: re-sent" in athlete.get("/week?week=2026-11-23").text


@pytest.mark.postgresql
def test_under_a_tight_quota_the_nearest_sessions_go_first_and_a_coachs_save_is_not_stuck(pipeline):
    """A bulk push under Garmin's partner minute (10 calls, a 3 s minute): nearest dates first,
    and a coach's save made meanwhile is sent before the bulk push is done."""
    scale = 0.05
    pipeline.live.faults("garmin", limits={"partnerPerMinute": 10}, windowScale=scale)
    pipeline.workers.env.update(QUOTA_TIME_SCALE=str(scale), GARMIN_QUOTA_PARTNER_PER_MINUTE="10",
                                RELAY_INTERVAL_SECONDS="1")
    pipeline.live.app.config.update(QUOTA_TIME_SCALE=scale, GARMIN_QUOTA_PARTNER_PER_MINUTE=10)
    athlete = pipeline.athlete(None)
    days = ["2026-11-29", "2026-11-28", "2026-11-27", "2026-11-26", "2026-11-25", "2026-11-24"]
    waiting = create_plan(athlete, [endurance(d) for d in days])["sessions"]
    pipeline.workers.start(1)
    athlete.connect("garmin")
    late = create_plan(athlete, [endurance("2026-12-01")], week=NEXT_MONDAY)["sessions"][0]  # the coach's save
    pipeline.wait_status(athlete.api, late["id"], "SENT", timeout=60)
    for session in waiting:
        pipeline.wait_status(athlete.api, session["id"], "SENT", timeout=60)
    schedules = sorted(held(pipeline)["schedules"], key=lambda s: s["id"])
    bulk = [s["date"] for s in schedules if s["date"] != "2026-12-01"]
    assert bulk == sorted(bulk)  # nearest first
    assert [s["date"] for s in schedules].index("2026-12-01") < len(schedules) - 1  # not behind the whole push
    assert [c for c in requests_seen(pipeline, "garmin") if c["status"] == 429] == []
