"""Placing a library workout on several athletes' day (issue 20.2) and copying a week (20.3):
the API, the pages, and end to end with real Redis, RQ workers and the sandbox (marked
integration): each athlete's device gets its own watts, each copied session is pushed, a day
that already holds a session is named and kept, and a replace removes it from the device."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import TODAY, csrf_token, login
from tests.support.pipeline import Client, wait_for
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, SQUATS, SWEET_SPOT_PERCENT

MONDAY = TODAY - timedelta(days=TODAY.weekday())
NEXT = MONDAY + timedelta(days=7)


def iso(day: date, offset: int = 0) -> str:
    return (day + timedelta(days=offset)).isoformat()


@pytest.fixture
def squad(people, api_as):
    """A coach with two athletes of different FTPs, and another coach with one."""
    coach = people.coach(name="Carla")
    ana = people.athlete(coach, email="ana@example.test", name="Ana", ftp_watts=200)
    ben = people.athlete(coach, email="ben@example.test", name="Ben", ftp_watts=300)
    other_coach = people.coach(email="other@example.test", name="Otto")
    zoe = people.athlete(other_coach, email="zoe@example.test", name="Zoe")
    api = api_as(coach)
    api.ana, api.ben, api.zoe, api.other = ana, ben, zoe, api_as(other_coach)
    api.entry = api.post("/library", json={"name": "Sweet spot", "tags": ["ss"], "workout": SWEET_SPOT_PERCENT}).json
    return api


def schedule(api, entry_id, **body):
    return api.post(f"/library/{entry_id}/schedule", json=body)


def week_plan(api, athlete_id, week):
    plans = api.get(f"/plans?athleteId={athlete_id}&weekStart={week.isoformat()}").json
    return plans[0] if plans else None


def write_week(api, athlete_id, week, sessions):
    response = api.post("/plans", json={"athleteId": athlete_id, "weekStart": week.isoformat(), "sessions": sessions})
    assert response.status_code == 201, response.json
    return response.json


def ride(day: str, title: str = "Threshold") -> dict:
    return {"date": day, "type": "ENDURANCE", "title": title, "workout": SPEC_EXAMPLE}


# -- placing a library workout ------------------------------------------------------------------

def test_one_call_places_the_workout_on_each_athletes_day_as_written(squad):
    response = schedule(squad, squad.entry["id"], athleteIds=[squad.ana, squad.ben], date=iso(MONDAY, 2))
    assert response.status_code == 201, response.json
    placed = response.json["sessions"]
    assert [(s["athleteId"], s["date"]) for s in placed] == [(squad.ana, iso(MONDAY, 2)), (squad.ben, iso(MONDAY, 2))]
    assert {s["exportStatus"] for s in placed} == {"NOT_CONNECTED"}  # pushed like any save: no device yet
    for item in placed:
        session = squad.get(f"/sessions/{item['id']}").json
        assert session["type"] == "ENDURANCE" and session["title"] == "Sweet spot"
        assert session["workout"] == SWEET_SPOT_PERCENT  # percents kept: they resolve per athlete at export
    plan = week_plan(squad, squad.ana, MONDAY)  # its week's plan, created
    assert [s["id"] for s in plan["sessions"]] == [placed[0]["id"]]


def test_each_athletes_device_would_get_its_own_watts(squad):
    """What each provider will get, computed with each athlete's thresholds (the pipeline test
    below checks what the devices really hold)."""
    placed = schedule(squad, squad.entry["id"], athleteIds=[squad.ana, squad.ben], date=iso(MONDAY, 2)).json
    from core.models import User
    from workouts import prepare

    app = squad.client.application
    with app.app_context():
        from core.db import db

        watts = {}
        for item in placed["sessions"]:
            athlete = db.session.get(User, item["athleteId"])
            session = squad.get(f"/sessions/{item['id']}").json
            steps = prepare(session["workout"], athlete.thresholds())["steps"]
            watts[athlete.name] = (steps[1]["target"]["min"], steps[1]["target"]["max"])
    assert watts == {"Ana": (176, 188), "Ben": (264, 282)}


def test_a_plan_already_there_keeps_its_sessions(squad):
    plan = write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 2), "Morning ride")])
    placed = schedule(squad, squad.entry["id"], athleteIds=[squad.ana], date=iso(MONDAY, 2), title="Evening SS").json
    after = week_plan(squad, squad.ana, MONDAY)
    assert after["id"] == plan["id"]
    assert [s["title"] for s in after["sessions"]] == ["Morning ride", "Evening SS"]
    assert after["sessions"][1]["id"] == placed["sessions"][0]["id"]


def test_a_strength_workout_becomes_a_strength_session(squad):
    entry = squad.post("/library", json={"name": "Squats", "workout": SQUATS}).json
    placed = schedule(squad, entry["id"], athleteIds=[squad.ana], date=iso(MONDAY, 3)).json["sessions"][0]
    session = squad.get(f"/sessions/{placed['id']}").json
    assert (session["type"], session["title"], session["workout"]) == ("STRENGTH", "Squats", SQUATS)
    assert session["exportStatus"] == "NOT_CONNECTED"  # carried to the device like an endurance one


def test_an_athlete_who_is_not_the_coachs_fails_the_whole_call(squad):
    for stranger in (squad.zoe, 2**31 - 1):
        response = schedule(squad, squad.entry["id"], athleteIds=[squad.ana, stranger], date=iso(MONDAY, 2))
        assert response.status_code == 403, response.json
        assert response.json["error"]["fields"] == {"athleteIds[1]": ["not one of your athletes"]}
    assert squad.get("/plans").json == []  # nothing saved, not even Ana's
    assert squad.other.get("/plans").json == []


def test_placements_it_refuses(squad):
    def fields(**body):
        response = schedule(squad, squad.entry["id"], **body)
        assert response.status_code == 422, response.json
        return response.json["error"]["fields"]

    assert fields(athleteIds=[squad.ana, squad.ana], date=iso(MONDAY)) == {"athleteIds[1]": ["appears more than once"]}
    assert "athleteIds" in fields(athleteIds=[], date=iso(MONDAY))
    assert "athleteIds" in fields(athleteIds=list(range(1, 52)), date=iso(MONDAY))
    assert "date" in fields(athleteIds=[squad.ana], date="2026-02-30")
    assert "date" in fields(athleteIds=[squad.ana], date="2100-01-01")
    assert "title" in fields(athleteIds=[squad.ana], date=iso(MONDAY), title="bad\x00")
    assert "athleteIds[0]" in fields(athleteIds=["7"], date=iso(MONDAY))
    assert schedule(squad, 999999, athleteIds=[squad.ana], date=iso(MONDAY)).status_code == 404
    assert squad.get("/plans").json == []


# -- copying a week -----------------------------------------------------------------------------

def test_a_week_is_copied_to_the_next_week_same_weekdays(squad):
    source = write_week(squad, squad.ana, MONDAY, [
        ride(iso(MONDAY, 1), "Tuesday ride"), {"date": iso(MONDAY, 3), "type": "STRENGTH", "title": "Gym"},
        {"date": iso(MONDAY, 6), "type": "ENDURANCE", "title": "Long run", "workout": EASY_RUN}])
    response = squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT)})
    assert response.status_code == 201, response.json
    (plan,) = response.json["plans"]
    assert plan == squad.get(f"/plans/{plan['id']}").json  # the plan JSON, as GET gives it
    assert (plan["athleteId"], plan["weekStart"]) == (squad.ana, iso(NEXT))
    assert [(s["date"], s["type"], s["title"], s["workout"]) for s in plan["sessions"]] == [
        (iso(NEXT, 1), "ENDURANCE", "Tuesday ride", SPEC_EXAMPLE), (iso(NEXT, 3), "STRENGTH", "Gym", None),
        (iso(NEXT, 6), "ENDURANCE", "Long run", EASY_RUN)]
    assert plan["sessions"][0]["exportStatus"] == "NOT_CONNECTED"  # saved like any session
    assert squad.get(f"/plans/{source['id']}").json == source  # the source week is untouched


def test_a_week_is_copied_to_other_athletes(squad):
    write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 1)), ride(iso(MONDAY, 4), "Friday")])
    response = squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(MONDAY),
                                               "toAthleteIds": [squad.ben]})
    assert response.status_code == 201, response.json
    (plan,) = response.json["plans"]
    assert plan["athleteId"] == squad.ben
    assert [(s["date"], s["title"]) for s in plan["sessions"]] == [(iso(MONDAY, 1), "Threshold"),
                                                                 (iso(MONDAY, 4), "Friday")]
    both = squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT),
                                           "toAthleteIds": [squad.ana, squad.ben]})
    assert [p["athleteId"] for p in both.json["plans"]] == [squad.ana, squad.ben]


def test_a_day_that_holds_a_session_is_named_and_kept(squad):
    write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 1)), ride(iso(MONDAY, 3), "Thursday")])
    bens = write_week(squad, squad.ben, NEXT, [ride(iso(NEXT, 3), "Ben's own Thursday"), ride(iso(NEXT, 5), "Sat")])
    response = squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT),
                                               "toAthleteIds": [squad.ana, squad.ben]})
    assert response.status_code == 409, response.json
    error = response.json["error"]
    assert error["code"] == "conflict"
    assert error["fields"] == {iso(NEXT, 3): ["Ben already has “Ben's own Thursday”"]}
    assert error["conflicts"] == [{"athleteId": squad.ben, "date": iso(NEXT, 3),
                                   "sessionIds": [bens["sessions"][0]["id"]]}]
    assert "Ben already has “Ben's own Thursday” on Thu 3 Dec." in error["message"] and '"replace": true' in error["message"]
    assert squad.get(f"/plans/{bens['id']}").json == bens  # not overwritten
    assert week_plan(squad, squad.ana, NEXT) is None  # all or nothing: Ana's copy was not written either


def test_replace_deletes_that_days_sessions_and_removes_their_workouts_from_the_device(squad):
    write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 1), "Copied Tuesday")])
    target = write_week(squad, squad.ben, NEXT, [ride(iso(NEXT, 1), "Old Tuesday"), ride(iso(NEXT, 2), "Wednesday")])
    old_id = target["sessions"][0]["id"]
    app = squad.client.application
    from core.db import db
    from core.models import ExportJob, JobKind, TrainingSession

    with app.app_context():  # as if the old Tuesday were on Ben's Garmin
        session = db.session.get(TrainingSession, old_id)
        session.external_refs = {"provider": "GARMIN", "workoutId": "41", "scheduleId": "42", "day": iso(NEXT, 1)}
        session.external_workout_id, session.export_status = "41", "SENT"
        db.session.commit()
    response = squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT),
                                               "toAthleteIds": [squad.ben], "replace": True})
    assert response.status_code == 201, response.json
    (plan,) = response.json["plans"]
    assert plan["id"] == target["id"]
    assert [(s["date"], s["title"]) for s in plan["sessions"]] == [(iso(NEXT, 1), "Copied Tuesday"),
                                                                 (iso(NEXT, 2), "Wednesday")]  # the other day stays
    assert plan["sessions"][1]["id"] == target["sessions"][1]["id"]
    assert squad.get(f"/sessions/{old_id}").status_code == 404
    with app.app_context():
        removals = db.session.query(ExportJob).filter_by(kind=JobKind.REMOVE).all()
        assert [(j.provider, j.external_refs["workoutId"]) for j in removals] == [("GARMIN", "41")]


def test_copies_it_refuses(squad):
    write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 1))])

    def answer(**body):
        return squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT),
                                               **body})

    assert answer(toWeek=iso(NEXT, 1)).json["error"]["fields"] == {"toWeek": ["must be a Monday"]}
    assert answer(fromWeek=iso(MONDAY, 2)).json["error"]["fields"] == {"fromWeek": ["must be a Monday"]}
    empty = answer(fromWeek=iso(NEXT), toWeek=iso(NEXT, 7))
    assert (empty.status_code, empty.json["error"]["fields"]) == (422, {"fromWeek": ["this week has no sessions to copy"]})
    same = answer(toWeek=iso(MONDAY))
    assert same.status_code == 422 and list(same.json["error"]["fields"]) == ["toWeek"]
    assert answer(athleteId=squad.zoe).status_code == 403
    stranger = answer(toAthleteIds=[squad.ben, squad.zoe])
    assert (stranger.status_code, stranger.json["error"]["fields"]) == (403, {"toAthleteIds[1]": ["not one of your athletes"]})
    assert answer(toAthleteIds=[squad.ben, squad.ben]).status_code == 422
    assert answer(replace="perhaps").status_code == 422
    assert squad.other.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY),
                                                 "toWeek": iso(NEXT)}).status_code == 403
    assert week_plan(squad, squad.ana, NEXT) is None and week_plan(squad, squad.ben, NEXT) is None


def test_a_full_target_week_is_refused(squad):
    write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 1))])
    write_week(squad, squad.ben, NEXT, [ride(iso(NEXT, 2), f"S{n}") for n in range(50)])
    response = squad.post("/plans/copy", json={"athleteId": squad.ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT),
                                               "toAthleteIds": [squad.ben]})
    assert response.status_code == 422
    assert response.json["error"]["fields"]["toWeek"] == ["the week would hold 51 sessions; at most 50 fit in one week"]


# -- the pages ----------------------------------------------------------------------------------

@pytest.fixture
def coach_page(client, squad):
    login(client, "coach@example.test", "coach-password")
    client.token = csrf_token(client, "/library")
    return client


def test_the_place_page_ticks_athletes_and_a_day(coach_page, squad):
    path = f"/library/{squad.entry['id']}/schedule"
    page = coach_page.get(path).get_data(as_text=True)
    assert f'name="athlete" value="{squad.ana}"' in page and 'type="date"' in page
    assert f'value="{squad.zoe}"' not in page  # only the coach's own athletes
    none = coach_page.post(path, data={"csrf_token": coach_page.token, "date": iso(MONDAY, 2)})
    assert none.status_code == 422 and "choose at least one athlete" in none.get_data(as_text=True)
    no_day = coach_page.post(path, data={"csrf_token": coach_page.token, "athlete": str(squad.ana), "date": "soon"})
    assert no_day.status_code == 422 and "choose a day" in no_day.get_data(as_text=True)
    stranger = coach_page.post(path, data={"csrf_token": coach_page.token, "athlete": [str(squad.ana), str(squad.zoe)],
                                           "date": iso(MONDAY, 2)})
    assert stranger.status_code == 403
    assert squad.get("/plans").json == []

    done = coach_page.post(path, data={"csrf_token": coach_page.token, "athlete": [str(squad.ana), str(squad.ben)],
                                       "date": iso(MONDAY, 2), "title": ""})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/plans/overview?week={iso(MONDAY)}")
    overview = coach_page.get(done.headers["Location"]).get_data(as_text=True)
    assert "Placed “Sweet spot” on Wed 25 Nov for Ana and Ben" in overview
    assert [s["title"] for p in squad.get("/plans").json for s in p["sessions"]] == ["Sweet spot", "Sweet spot"]


def test_copy_this_week_from_the_week_view(coach_page, squad):
    write_week(squad, squad.ana, MONDAY, [ride(iso(MONDAY, 1), "Tuesday ride")])
    week = coach_page.get(f"/plans?athlete={squad.ana}&week={iso(MONDAY)}").get_data(as_text=True)
    assert "Copy this week" in week and f'name="to_week" value="{iso(NEXT)}"' in week
    form = {"csrf_token": coach_page.token, "athlete": str(squad.ana), "week": iso(MONDAY), "to_week": iso(NEXT),
            "to_athlete": [str(squad.ana), str(squad.ben)]}
    copied = coach_page.post("/plans/copy", data=form)
    assert copied.status_code == 303
    assert copied.headers["Location"].endswith(f"/plans?athlete={squad.ana}&week={iso(NEXT)}")
    landed = coach_page.get(copied.headers["Location"]).get_data(as_text=True)
    assert "Copied the week of Mon 23 Nov to the week of Mon 30 Nov for Ana and Ben" in landed
    assert "Tuesday ride" in landed
    assert [s["date"] for s in week_plan(squad, squad.ben, NEXT)["sessions"]] == [iso(NEXT, 1)]

    again = coach_page.post("/plans/copy", data=form)  # the days now hold sessions
    assert again.status_code == 303 and again.headers["Location"].endswith(f"week={iso(MONDAY)}")
    told = coach_page.get(again.headers["Location"]).get_data(as_text=True)
    assert "Ana already has “Tuesday ride” on Tue 1 Dec; Ben already has “Tuesday ride” on Tue 1 Dec." in told and "Tick “Replace sessions already on those days”" in told
    replaced = coach_page.post("/plans/copy", data={**form, "replace": "1"})
    assert replaced.status_code == 303 and "/plans?athlete=" in replaced.headers["Location"]
    assert len(week_plan(squad, squad.ben, NEXT)["sessions"]) == 1  # replaced, not doubled

    wrong = coach_page.post("/plans/copy", data={**form, "to_week": iso(NEXT, 1)})
    assert "a Monday" in coach_page.get(wrong.headers["Location"]).get_data(as_text=True)
    nobody = coach_page.post("/plans/copy", data={k: v for k, v in form.items() if k != "to_athlete"})
    assert "Choose at least one athlete" in coach_page.get(nobody.headers["Location"]).get_data(as_text=True)
    assert coach_page.post("/plans/copy", data={**form, "to_athlete": str(squad.zoe)}).status_code == 404
    assert coach_page.post("/plans/copy", data={**form, "athlete": str(squad.zoe)}).status_code == 404


# -- end to end: the devices ----------------------------------------------------------------------

def power_targets(steps: list) -> list[tuple[int, int]]:
    """Every POWER step's watts in a Garmin workout's steps, repeats included, in order."""
    found = []
    for step in steps:
        if step.get("steps"):
            found += power_targets(step["steps"])
        elif step.get("targetType") == "POWER":
            found.append((step["targetValueLow"], step["targetValueHigh"]))
    return found


def garmin_squad(pipeline, *athletes):
    """A coach and their athletes (name, FTP), each connected to the sandbox's Garmin."""
    coach = pipeline.people.coach(name="Carla")
    ids = []
    for name, ftp in athletes:
        email = f"{name.lower()}@example.test"
        ids.append(pipeline.people.athlete(coach, email=email, name=name, ftp_watts=ftp))
        browser = pipeline.live.browser()
        browser.login(email, "athlete-password")
        assert "is connected" in browser.connect("garmin").text
    return Client(pipeline.live.url, pipeline.people.token(coach)), ids


def held_by_session(pipeline, api, session_ids: list[int]) -> dict[int, dict]:
    """The Garmin workout the sandbox holds for each SENT session, and its schedule's date."""
    sessions = [pipeline.wait_status(api, session_id, "SENT", "FAILED") for session_id in session_ids]
    assert all(s["exportStatus"] == "SENT" for s in sessions), sessions
    store = pipeline.live.held("garmin")  # read once every session is there
    workouts = {str(w["id"]): w for w in store["workouts"]}
    days = {str(s["workoutId"]): s["date"] for s in store["schedules"]}
    out = {}
    for session_id, session in zip(session_ids, sessions):
        held = workouts[session["externalWorkoutId"]]
        out[session_id] = {"body": held["body"], "date": days[session["externalWorkoutId"]],
                           "workoutId": session["externalWorkoutId"]}
    return out


@pytest.mark.integration
def test_a_percent_workout_placed_on_two_athletes_reaches_each_device_in_its_own_watts(pipeline):
    api, (ana, ben) = garmin_squad(pipeline, ("Ana", 200), ("Ben", 300))
    pipeline.workers.start(1)
    entry = api.post("/library", json={"name": "Sweet spot", "tags": ["ss"], "workout": SWEET_SPOT_PERCENT}).json()
    response = api.post(f"/library/{entry['id']}/schedule", json={"athleteIds": [ana, ben], "date": iso(TODAY, 2)})
    assert response.status_code == 201, response.text
    placed = {s["athleteId"]: s["id"] for s in response.json()["sessions"]}
    held = held_by_session(pipeline, api, [placed[ana], placed[ben]])
    # 50-60 %, then 3 x (88-94 %, 40-55 %) of each athlete's FTP.
    assert power_targets(held[placed[ana]]["body"]["segments"][0]["steps"]) == [(100, 120), (176, 188), (80, 110)]
    assert power_targets(held[placed[ben]]["body"]["segments"][0]["steps"]) == [(150, 180), (264, 282), (120, 165)]
    assert {h["date"] for h in held.values()} == {iso(TODAY, 2)}
    assert held[placed[ana]]["body"]["workoutName"] == held[placed[ben]]["body"]["workoutName"] == "Sweet spot 3 x 10"


@pytest.mark.integration
def test_a_week_copied_to_the_next_week_and_a_second_athlete_is_pushed_and_a_held_day_is_kept(pipeline):
    from workouts import Thresholds, prepare

    api, (ana, ben) = garmin_squad(pipeline, ("Ana", 250), ("Ben", 280))
    pipeline.workers.start(1)
    source = api.post("/plans", json={"athleteId": ana, "weekStart": iso(MONDAY), "sessions": [
        ride(iso(MONDAY, 1), "Tuesday ride"), {"date": iso(MONDAY, 3), "type": "ENDURANCE", "title": "Thursday run",
                                               "workout": EASY_RUN}]}).json()
    source_held = held_by_session(pipeline, api, [s["id"] for s in source["sessions"]])
    bens_own = api.post("/plans", json={"athleteId": ben, "weekStart": iso(NEXT), "sessions": [
        {"date": iso(NEXT, 3), "type": "ENDURANCE", "title": "Ben's own run", "workout": EASY_RUN}]}).json()
    bens_run = held_by_session(pipeline, api, [bens_own["sessions"][0]["id"]])[bens_own["sessions"][0]["id"]]

    body = {"athleteId": ana, "fromWeek": iso(MONDAY), "toWeek": iso(NEXT), "toAthleteIds": [ana, ben]}
    refused = api.post("/plans/copy", json=body)  # Ben's Thursday holds a session: named, nothing written
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["fields"] == {iso(NEXT, 3): ["Ben already has “Ben's own run”"]}
    assert api.get(f"/plans/{bens_own['id']}").json()["sessions"][0]["exportStatus"] == "SENT"
    assert api.get(f"/plans?athleteId={ana}&weekStart={iso(NEXT)}").json() == []

    copied = api.post("/plans/copy", json={**body, "toAthleteIds": [ana]})  # to the next week
    assert copied.status_code == 201, copied.text
    to_ben = api.post("/plans/copy", json={**body, "toWeek": iso(MONDAY), "toAthleteIds": [ben]})  # to Ben
    assert to_ben.status_code == 201, to_ben.text
    written = copied.json()["plans"] + to_ben.json()["plans"]
    held = held_by_session(pipeline, api, [s["id"] for plan in written for s in plan["sessions"]])
    assert sorted((h["date"], h["body"]["workoutName"]) for h in held.values()) == sorted(
        [(iso(NEXT, 1), SPEC_EXAMPLE["name"]), (iso(NEXT, 3), EASY_RUN["name"]),
         (iso(MONDAY, 1), SPEC_EXAMPLE["name"]), (iso(MONDAY, 3), EASY_RUN["name"])])  # each pushed, on its day
    for plan, ftp in zip(written, (250, 280)):  # the ride's zone 2 warm-up in each athlete's own watts
        warmup = prepare(SPEC_EXAMPLE, Thresholds(ftp_watts=ftp))["steps"][0]["target"]
        got = power_targets(held[plan["sessions"][0]["id"]]["body"]["segments"][0]["steps"])[0]
        assert got == (warmup["min"], warmup["max"])
    assert bens_run["workoutId"] in current_garmin_workouts(pipeline)  # Ben's own run is still on his device

    # Replacing Ben's Thursday: his own run leaves his device, Ana's Thursday run takes its day.
    replaced = api.post("/plans/copy", json={**body, "toAthleteIds": [ben], "replace": True})
    assert replaced.status_code == 201, replaced.text
    (plan,) = replaced.json()["plans"]
    assert [(s["date"], s["title"]) for s in plan["sessions"]] == [(iso(NEXT, 1), "Tuesday ride"),
                                                                 (iso(NEXT, 3), "Thursday run")]
    held = held_by_session(pipeline, api, [s["id"] for s in plan["sessions"]])
    assert sorted(h["date"] for h in held.values()) == [iso(NEXT, 1), iso(NEXT, 3)]
    wait_for(lambda: bens_run["workoutId"] not in current_garmin_workouts(pipeline), timeout=30,
             message="Ben's own run to leave his Garmin")
    # The source week stayed on Ana's device throughout.
    assert {h["workoutId"] for h in source_held.values()} <= current_garmin_workouts(pipeline)


def current_garmin_workouts(pipeline) -> set[str]:
    return {str(w["id"]) for w in pipeline.live.held("garmin")["workouts"]}
