"""The session editor's routes without a browser: the text read into the form (and its
problems by line), a file imported, the exercise search, a brick's .fit file per leg, every
bad input a 4xx naming what is wrong."""

from __future__ import annotations

import html
import io
import re

import pytest

from tests.conftest import csrf_token, login
from webapp.cli.seed import BRICK
from webapp.plans import messages

MONDAY = "2026-11-23"


@pytest.fixture
def coach_page(client, people, api_as):
    coach = people.coach(name="Carla")
    athlete = people.athlete(coach, email="ana@example.test", name="Ana", ftp_watts=250)
    login(client, "coach@example.test", "coach-password")
    return client, athlete, csrf_token(client, "/plans"), api_as(coach)


def new_session(client, athlete, data):
    return client.post(f"/plans/sessions/new?athlete={athlete}&date={MONDAY}", data=data,
                       content_type="multipart/form-data")


def test_the_text_is_read_into_the_form_without_javascript(coach_page):
    client, athlete, token, _ = coach_page
    text = "Over-unders\n\n3x\n  2x\n  - 30s 120%\n  - 30s 50%\n- 3m Z1\n"
    response = new_session(client, athlete, {"csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE",
                                             "w-text": text, "builder": "text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="w-steps-0-steps-0-repeat" name="w-steps-0-steps-0-repeat" value="2"' in page
    assert 'value="Over-unders"' in page and messages.TEXT_READ in page


def test_a_text_that_cannot_be_read_is_a_422_naming_its_line_and_the_text_stays(coach_page):
    client, athlete, token, _ = coach_page
    text = "Ride\n\n- 10m 75%\n- 5m 75% 250w\n"
    response = new_session(client, athlete, {"csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE",
                                             "w-text": text, "builder": "text"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "4: a step takes one target" in page and "- 5m 75% 250w" in page


def test_the_live_panel_follows_the_text_and_names_its_problem_lines(coach_page):
    client, athlete, token, _ = coach_page
    live = client.post(f"/plans/sessions/fit?athlete={athlete}", data={
        "csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE", "source": "text",
        "w-text": "Ride\n\n- 10m ramp 50-75%\n- 20m 90%\n"})
    page = live.get_data(as_text=True)
    assert live.status_code == 200
    assert 'id="workout-fields" hx-swap-oob="true"' in page and 'value="ramp_percent"' in page
    assert page.count("<rect") == 2  # the profile of the text's two steps
    bad = client.post(f"/plans/sessions/fit?athlete={athlete}", data={
        "csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE", "source": "text", "w-text": "- fast"})
    assert "<strong>line 1</strong>" in bad.get_data(as_text=True)


ZWO = b"""<workout_file><name>Zwift ride</name><sportType>bike</sportType><workout>
<Warmup Duration="600" PowerLow="0.5" PowerHigh="0.75"/>
<IntervalsT Repeat="4" OnDuration="480" OffDuration="120" OnPower="1.0" OffPower="0.5"/>
<Cooldown Duration="300" PowerLow="0.6" PowerHigh="0.4"/>
</workout></workout_file>"""


def test_a_file_is_imported_into_the_editor_with_the_readers_reading(coach_page):
    client, athlete, token, _ = coach_page
    content = ZWO
    response = new_session(client, athlete, {"csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE",
                                             "builder": "import", "workout_file": (io.BytesIO(content), "ride.zwo")})
    assert response.status_code == 200
    assert 'id="w-steps-1-repeat" name="w-steps-1-repeat" value="4"' in response.get_data(as_text=True)
    refused = new_session(client, athlete, {"csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE",
                                            "builder": "import", "workout_file": (io.BytesIO(b"x"), "ride.doc")})
    assert refused.status_code == 422 and "format" in refused.get_data(as_text=True)
    empty = new_session(client, athlete, {"csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE",
                                          "builder": "import"})
    assert empty.status_code == 422


def test_the_exercise_search_offers_garmins_names_and_refuses_a_bad_prefix(coach_page):
    client, _, _, _ = coach_page
    found = client.get("/plans/exercises?for=w-steps-0&w-steps-0-exercise_name=barbell+back+squat")
    assert found.status_code == 200
    assert 'value="pick:w-steps-0:SQUAT:BARBELL_BACK_SQUAT"' in found.get_data(as_text=True)
    none = client.get("/plans/exercises?for=w-steps-0&w-steps-0-exercise_name=qqqzzz")
    assert messages.NO_EXERCISE_FOUND in none.get_data(as_text=True)
    assert client.get("/plans/exercises?for=<script>").status_code == 400


def test_a_brick_offers_one_fit_file_a_leg_and_says_why_not_one(coach_page):
    client, athlete, _, api = coach_page
    plan = api.post("/plans", json={"athleteId": athlete, "weekStart": MONDAY, "sessions": [
        {"date": MONDAY, "type": "ENDURANCE", "title": "Brick", "workout": BRICK}]}).json
    session = plan["sessions"][0]["id"]
    page = client.get(f"/sessions/{session}").get_data(as_text=True)
    assert f"/sessions/{session}/leg-1.fit" in page and f"/sessions/{session}/leg-2.fit" in page
    for leg in (1, 2):
        response = client.get(f"/sessions/{session}/leg-{leg}.fit")
        assert response.status_code == 200 and response.data[8:12] == b".FIT"
    assert client.get(f"/sessions/{session}/leg-3.fit").status_code == 404
    ride = api.post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-30", "sessions": [
        {"date": "2026-11-30", "type": "ENDURANCE", "title": "Ride", "workout": BRICK["legs"][0] | {"name": "R"}}]}).json
    assert client.get(f"/sessions/{ride['sessions'][0]['id']}/leg-1.fit").status_code == 422
    whole = client.get(f"/sessions/{session}/workout.fit")
    assert whole.status_code == 422 and "one sport" in whole.get_data(as_text=True)


def test_a_save_without_javascript_takes_the_edited_text_over_the_form(coach_page):
    client, athlete, token, api = coach_page
    response = new_session(client, athlete, {
        "csrf_token": token, "date": MONDAY, "type": "ENDURANCE", "title": "", "w-sport": "RUN", "save": "1",
        "w-name": "Stale form", "w-steps-0-kind": "step", "w-steps-0-intensity": "ACTIVE",
        "w-steps-0-duration_type": "TIME", "w-steps-0-duration_value": "10:00",
        "w-text-base": "Stale form\n\n- 10m Z2 HR\n", "w-text": "Hill run\n\n5x\n- 1m Z5 HR\n- 2m Z1 HR\n"})
    assert response.status_code == 302
    (plan,) = api.get("/plans").json
    workout = plan["sessions"][0]["workout"]
    assert workout["name"] == "Hill run" and workout["steps"][0]["repeat"] == 5


def test_the_editors_workout_is_kept_in_the_library_as_it_is_now(coach_page):
    client, athlete, token, api = coach_page
    live = client.post(f"/plans/sessions/fit?athlete={athlete}", data={
        "csrf_token": token, "type": "ENDURANCE", "w-sport": "BIKE", "source": "text",
        "w-text": "Tempo\n\n- 10m Z2\n- 20m 85%\n"}).get_data(as_text=True)
    found = re.search(r'form="library-save" name="workout_json" value="([^"]+)"', live)
    assert found and 'form="library-save" name="name" value="Tempo"' in live
    kept = client.post("/library/new", data={"csrf_token": token, "name": "Tempo", "source": "json",
                                             "workout_json": html.unescape(found.group(1))})
    assert kept.status_code == 302
    (entry,) = api.get("/library").json
    assert entry["name"] == "Tempo" and entry["workout"]["steps"][1]["target"]["min"] == 85


def test_one_workout_is_drawn_in_the_same_zone_colours_on_the_week_the_session_page_and_the_editor(coach_page):
    from tests.support.workouts import SPEC_EXAMPLE

    client, athlete, _, api = coach_page
    plan = api.post("/plans", json={"athleteId": athlete, "weekStart": MONDAY, "sessions": [
        {"date": MONDAY, "type": "ENDURANCE", "title": "Threshold", "workout": SPEC_EXAMPLE}]}).json
    session = plan["sessions"][0]["id"]

    def zones(path: str, around: str) -> list[str]:
        page = client.get(path).get_data(as_text=True)
        svg = page[page.index(around):]
        svg = svg[svg.index("<svg"):svg.index("</svg>")]
        return re.findall(r'<rect class="(z\d)', svg)

    card = zones(f"/plans?athlete={athlete}&week={MONDAY}", 'class="card-profile')
    assert card == zones(f"/sessions/{session}", "profile-figure") == zones(f"/plans/sessions/{session}/edit", 'id="fit-panel"')
    assert card[1] == "z4"  # 250-265 W at an FTP of 250 is threshold, on every page
    assert "Z4 threshold" in client.get(f"/sessions/{session}").get_data(as_text=True)  # and the legend says so
