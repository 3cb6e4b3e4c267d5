"""The coach's library (issue 20.1): the API of api.md ("The coach's library") and its pages,
the editor's "Save to library" post, and a second coach who sees none of it."""

from __future__ import annotations

import copy
import json
import re

import pytest

from tests.conftest import csrf_token, login
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE, SQUATS, SWEET_SPOT_PERCENT, workout

THRESHOLD_TEXT = """Threshold 3 x 8

Warmup
- 10m 55%

3x
- 8m 95-100%
- 2m 50%
"""


@pytest.fixture
def coach_api(people, api_as):
    coach = people.coach(name="Carla")
    athlete = people.athlete(coach, email="ana@example.test", name="Ana")
    api = api_as(coach)
    api.coach_id, api.athlete_id = coach, athlete
    return api


def keep(api, name="Sweet spot", tags=("threshold", "base"), body=None):
    response = api.post("/library", json={"name": name, "tags": list(tags), "workout": body or SWEET_SPOT_PERCENT})
    assert response.status_code == 201, response.json
    return response.json


# -- the API ------------------------------------------------------------------------------------

def test_an_entry_round_trips_through_post_get_put_and_delete(coach_api):
    created = keep(coach_api)
    assert set(created) == {"id", "name", "tags", "workout", "createdAt", "updatedAt"}
    assert created["name"] == "Sweet spot" and created["tags"] == ["threshold", "base"]
    assert created["workout"] == SWEET_SPOT_PERCENT  # kept as written: percents stay percents
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created["createdAt"])
    assert coach_api.get(f"/library/{created['id']}").json == created

    changed = dict(created, name="  Sweet spot, longer  ", tags=["Threshold", "winter"],
                   workout=workout(SWEET_SPOT_PERCENT, name="4 x 10"))
    updated = coach_api.put(f"/library/{created['id']}", json=changed)  # what GET gave, sent back changed
    assert updated.status_code == 200, updated.json
    assert updated.json["name"] == "Sweet spot, longer"  # trimmed
    assert updated.json["tags"] == ["Threshold", "winter"] and updated.json["workout"]["name"] == "4 x 10"
    assert updated.json["createdAt"] == created["createdAt"] and updated.json["updatedAt"] >= created["updatedAt"]
    assert coach_api.get("/library").json == [updated.json]

    assert coach_api.delete(f"/library/{created['id']}").status_code == 204
    assert coach_api.get(f"/library/{created['id']}").status_code == 404
    assert coach_api.get("/library").json == []


def test_the_library_is_searched_by_name_and_by_tag_ignoring_case(coach_api):
    keep(coach_api, "Sweet spot", ["Threshold"])
    keep(coach_api, "Über-Tempo", ["tempo"], EASY_RUN)
    keep(coach_api, "Straße intervals", ["Threshold", "VO2"], SPEC_EXAMPLE)
    keep(coach_api, "100% effort", [], SPEC_EXAMPLE)

    def names(query=""):
        response = coach_api.get("/library" + query)
        assert response.status_code == 200, response.json
        return [e["name"] for e in response.json]

    assert names() == ["100% effort", "Straße intervals", "Sweet spot", "Über-Tempo"]  # by name
    assert names("?q=SWEET") == ["Sweet spot"]
    assert names("?q=über") == ["Über-Tempo"]  # beyond ASCII, on SQLite too
    assert names("?q=STRASSE") == ["Straße intervals"]  # case folded, as people type it
    assert names("?q=%25") == ["100% effort"]  # a % is a percent sign, not a wildcard
    assert names("?q=_") == []
    assert names("?tag=threshold") == ["Straße intervals", "Sweet spot"]
    assert names("?tag=vo2&q=straße") == ["Straße intervals"]
    assert names("?tag=nothing") == []
    assert coach_api.get("/library?q=" + "x" * 81).status_code == 422
    assert coach_api.get("/library?colour=red").status_code == 422


def test_tags_are_short_clean_and_each_once(coach_api):
    entry = keep(coach_api, tags=["base", " Base ", "BASE", "hills "])
    assert entry["tags"] == ["base", "hills"]  # the first spelling stays, trimmed

    def fields(**body):
        response = coach_api.post("/library", json={"name": "x", "workout": EASY_RUN, **body})
        assert response.status_code == 422
        return response.json["error"]["fields"]

    assert fields(tags=["a" * 31]) == {"tags[0]": ["a tag is 1 to 30 characters"]}
    assert fields(tags=["one, two"]) == {"tags[0]": ["a tag cannot hold a comma (commas separate tags)"]}
    assert fields(tags=["ok", "bad\u202e"]) == {"tags[1]": ["must not contain control characters or bidirectional overrides"]}
    assert fields(tags=[f"t{n}" for n in range(11)]) == {"tags": ["at most 10 tags"]}
    assert fields(tags=["   "]) == {"tags[0]": ["a tag is 1 to 30 characters"]}
    assert fields(tags="base") == {"tags": ["Not a valid list."]}
    assert coach_api.post("/library", json={"name": "no tags", "workout": EASY_RUN}).json["tags"] == []


def test_names_and_workouts_are_checked_by_the_apis_rules(coach_api):
    def fields(body):
        response = coach_api.post("/library", json=body)
        assert response.status_code == 422, response.json
        assert response.json["error"]["code"] == "validation_error"
        return response.json["error"]["fields"]

    assert fields({"name": "", "workout": EASY_RUN}) == {"name": ["must be 1 to 80 characters"]}
    assert fields({"name": "   ", "workout": EASY_RUN}) == {"name": ["must be 1 to 80 characters"]}
    assert fields({"name": "x" * 81, "workout": EASY_RUN}) == {"name": ["must be 1 to 80 characters"]}
    assert fields({"name": "tab\there", "workout": EASY_RUN}) == {
        "name": ["must not contain control characters or bidirectional overrides"]}
    assert fields({"name": "x", "workout": workout(sport="RUN")}) == {
        "workout.steps[1].steps[0]": ["cadence target is only allowed for BIKE"]}
    assert "workout" in fields({"name": "x"})
    assert "colour" in fields({"name": "x", "workout": EASY_RUN, "colour": "red"})
    assert coach_api.get("/library").json == []  # nothing kept


def test_malformed_bodies_are_400(coach_api):
    for body in (b"{not json", b"[1]", b"\xff"):
        response = coach_api.client.post("/api/v1/library", data=body,
                                          headers={**coach_api.headers(), "Content-Type": "application/json"})
        assert response.status_code == 400 and response.json["error"]["code"] == "malformed_request"


def test_strength_and_multisport_workouts_are_kept_too(coach_api):
    assert keep(coach_api, "Squats", ["gym"], SQUATS)["workout"] == SQUATS
    brick = {"sport": "MULTISPORT", "name": "Brick", "legs": [
        {"sport": "BIKE", "steps": SPEC_EXAMPLE["steps"]}, {"sport": "RUN", "steps": EASY_RUN["steps"]}]}
    assert keep(coach_api, "Brick", [], brick)["workout"]["sport"] == "MULTISPORT"


def test_a_second_coach_sees_none_of_the_first_coachs_library(coach_api, people, api_as):
    entry = keep(coach_api)
    other = api_as(people.coach(email="other@example.test"))
    path = f"/library/{entry['id']}"
    assert other.get("/library").json == []
    assert other.get("/library?tag=threshold").json == []
    for response in (other.get(path), other.put(path, json={"name": "Mine now", "workout": EASY_RUN}),
                     other.delete(path), other.post(path + "/schedule", json={"athleteIds": [coach_api.athlete_id],
                                                                               "date": "2026-11-25"})):
        assert response.status_code == 404, response.json  # never 403: it does not exist for them
        assert response.json["error"]["code"] == "not_found"
    assert coach_api.get(path).json == entry  # untouched


def test_athletes_have_no_library(coach_api, api_as):
    entry = keep(coach_api)
    athlete = api_as(coach_api.athlete_id)
    assert athlete.get("/library").status_code == 403
    assert athlete.post("/library", json={"name": "x", "workout": EASY_RUN}).status_code == 403
    assert athlete.get(f"/library/{entry['id']}").status_code == 403
    assert athlete.delete(f"/library/{entry['id']}").status_code == 403


def test_updating_the_entry_changes_no_session_placed_from_it(coach_api):
    entry = keep(coach_api)
    placed = coach_api.post(f"/library/{entry['id']}/schedule",
                            json={"athleteIds": [coach_api.athlete_id], "date": "2026-11-25"}).json
    coach_api.put(f"/library/{entry['id']}", json={"name": "Changed", "workout": EASY_RUN})
    coach_api.delete(f"/library/{entry['id']}")
    session = coach_api.get(f"/sessions/{placed['sessions'][0]['id']}").json
    assert session["workout"] == SWEET_SPOT_PERCENT and session["title"] == "Sweet spot"


# -- the pages ----------------------------------------------------------------------------------

@pytest.fixture
def coach_page(client, coach_api):
    login(client, "coach@example.test", "coach-password")
    client.token = csrf_token(client, "/library")
    return client


def test_the_nav_has_a_library_for_coaches_only(coach_page, client, coach_api):
    html = coach_page.get("/plans").get_data(as_text=True)
    assert 'href="/library">Library</a>' in html
    assert "Your library is empty" in coach_page.get("/library").get_data(as_text=True)


def test_a_coach_writes_a_workout_as_text_sees_it_drawn_and_keeps_it(coach_page, coach_api):
    form = {"csrf_token": coach_page.token, "name": "Threshold 3 x 8", "tags": "threshold, winter,", "source": "text",
            "sport": "BIKE", "workout_text": THRESHOLD_TEXT, "workout_json": ""}
    preview = coach_page.post("/library/new", data={**form, "action": "preview"})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "<svg" in html and "profile-figure" in html  # drawn before it is kept
    assert coach_api.get("/library").json == []

    saved = coach_page.post("/library/new", data={**form, "action": "save"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/library")
    (entry,) = coach_api.get("/library").json
    assert entry["name"] == "Threshold 3 x 8" and entry["tags"] == ["threshold", "winter"]
    assert entry["workout"]["steps"][1]["repeat"] == 3
    assert entry["workout"]["steps"][1]["steps"][0]["target"] == {"type": "POWER", "min": 95, "max": 100,
                                                                  "unit": "PERCENT"}
    listing = coach_page.get("/library").get_data(as_text=True)
    assert "Saved “Threshold 3 x 8” to your library." in listing
    assert "Threshold 3 x 8" in listing and 'href="/library?tag=winter"' in listing
    assert "data-confirm=" in listing and "onclick" not in listing  # the CSP runs no inline handler


def test_text_that_cannot_be_read_is_422_naming_its_line_and_keeps_what_was_typed(coach_page, coach_api):
    text = "Broken\n\n- 10m 60%\n- 5m sideways\n"
    response = coach_page.post("/library/new", data={
        "csrf_token": coach_page.token, "name": "Broken", "tags": "", "source": "text", "sport": "BIKE",
        "workout_text": text, "workout_json": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "line 4:" in html and "Not saved." in html
    assert "- 5m sideways" in html  # the coach's text, as typed
    assert coach_api.get("/library").json == []


def test_the_editor_posts_a_draft_as_json_and_lands_on_the_library(coach_page, coach_api):
    """The contract of POST /library/new for the session editor's "Save to library"."""
    draft = {"csrf_token": coach_page.token, "name": "From the editor", "tags": "tempo, run",
             "workout_json": json.dumps(EASY_RUN),
             # the editor's own fields come along and are ignored
             "date": "2026-11-24", "type": "ENDURANCE", "w-name": "Easy run"}
    response = coach_page.post("/library/new", data=draft)
    assert response.status_code == 302 and response.headers["Location"].endswith("/library")
    (entry,) = coach_api.get("/library").json
    assert (entry["name"], entry["tags"], entry["workout"]) == ("From the editor", ["tempo", "run"], EASY_RUN)

    htmx = coach_page.post("/library/new", data=dict(draft, name="Again"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == "/library"

    bad = coach_page.post("/library/new", data=dict(draft, workout_json=json.dumps(workout(sport="RUN")), tags="a,b"))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "steps[1].steps[0]: cadence target is only allowed for BIKE" in html
    assert 'value="From the editor"' in html and 'value="a,b"' in html  # nothing the coach wrote is lost
    unreadable = coach_page.post("/library/new", data=dict(draft, workout_json="{nope"))
    assert unreadable.status_code == 422 and "Could not read that JSON" in unreadable.get_data(as_text=True)
    nameless = coach_page.post("/library/new", data=dict(draft, name=""))
    assert nameless.status_code == 422 and "must be 1 to 80 characters" in nameless.get_data(as_text=True)
    assert len(coach_api.get("/library").json) == 2


def test_a_file_is_read_into_the_form(coach_page, coach_api):
    import io

    zwo = (b"<workout_file><name>Zwift one</name><sportType>bike</sportType><workout>"
           b"<SteadyState Duration=\"600\" Power=\"0.75\"/></workout></workout_file>")
    response = coach_page.post("/library/new", content_type="multipart/form-data", data={
        "csrf_token": coach_page.token, "name": "From Zwift", "tags": "", "source": "text", "sport": "BIKE",
        "workout_text": "", "workout_json": "", "workout_file": (io.BytesIO(zwo), "one.zwo")})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (entry,) = coach_api.get("/library").json
    assert entry["workout"]["steps"][0]["target"] == {"type": "POWER", "min": 75, "max": 75, "unit": "PERCENT"}


def test_a_coach_edits_searches_and_deletes_an_entry(coach_page, coach_api):
    entry = keep(coach_api, "Sweet spot", ["threshold"])
    keep(coach_api, "Easy", ["base"], EASY_RUN)
    edit = coach_page.get(f"/library/{entry['id']}/edit").get_data(as_text=True)
    assert "88-94%" in edit  # the workout as text, percents as the coach wrote them
    assert 'value="threshold"' in edit
    saved = coach_page.post(f"/library/{entry['id']}/edit", data={
        "csrf_token": coach_page.token, "name": "Sweet spot 3 x 10", "tags": "threshold, sweet spot",
        "source": "json", "workout_json": json.dumps(SWEET_SPOT_PERCENT), "workout_text": "", "sport": "BIKE"})
    assert saved.status_code == 302
    assert coach_api.get(f"/library/{entry['id']}").json["tags"] == ["threshold", "sweet spot"]

    found = coach_page.get("/library?q=sweet").get_data(as_text=True)
    assert "Sweet spot 3 x 10" in found and ">Easy<" not in found
    by_tag = coach_page.get("/library?tag=base").get_data(as_text=True)
    assert ">Easy<" in by_tag and "Sweet spot 3 x 10" not in by_tag
    assert "No workout in your library matches" in coach_page.get("/library?q=zzz").get_data(as_text=True)

    gone = coach_page.post(f"/library/{entry['id']}/delete", data={"csrf_token": coach_page.token})
    assert gone.status_code == 302
    assert [e["name"] for e in coach_api.get("/library").json] == ["Easy"]


def test_strength_entries_edit_as_json(coach_page, coach_api):
    entry = keep(coach_api, "Squats", ["gym"], SQUATS)
    html = coach_page.get(f"/library/{entry['id']}/edit").get_data(as_text=True)
    assert "BARBELL_BACK_SQUAT" in html and '<option value="json" selected>' in html


def test_another_coachs_pages_are_404_and_athletes_403(client, coach_api, people):
    entry = keep(coach_api)
    people.coach(email="other@example.test")
    login(client, "other@example.test", "coach-password")
    token = csrf_token(client, "/library")
    assert "Sweet spot" not in client.get("/library").get_data(as_text=True)
    for path in (f"/library/{entry['id']}/edit", f"/library/{entry['id']}/schedule"):
        assert client.get(path).status_code == 404
    for path in (f"/library/{entry['id']}/edit", f"/library/{entry['id']}/delete", f"/library/{entry['id']}/schedule"):
        assert client.post(path, data={"csrf_token": token, "name": "x", "workout_json": json.dumps(EASY_RUN),
                                       "athlete": str(coach_api.athlete_id), "date": "2026-11-25"}).status_code == 404
    assert coach_api.get(f"/library/{entry['id']}").json == entry
    athlete = client.application.test_client()
    login(athlete, "ana@example.test", "athlete-password")
    assert athlete.get("/library").status_code == 403


def test_the_pages_hold_no_inline_script_or_style(coach_page, coach_api):
    entry = keep(coach_api)
    for path in ("/library", "/library/new", f"/library/{entry['id']}/edit", f"/library/{entry['id']}/schedule"):
        html = coach_page.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and " on" + "click" not in html, path
        assert "css/library.css" in html


def test_a_workout_copy_is_not_shared_between_entries(coach_api):
    body = copy.deepcopy(SWEET_SPOT_PERCENT)
    first, second = keep(coach_api, "One", [], body), keep(coach_api, "Two", [], body)
    coach_api.put(f"/library/{first['id']}", json={"name": "One", "workout": workout(body, name="changed")})
    assert coach_api.get(f"/library/{second['id']}").json["workout"] == SWEET_SPOT_PERCENT


@pytest.mark.dialect  # PostgreSQL refuses a NUL in a query: neither the API nor the page may send one
def test_a_search_with_control_characters_finds_nothing_and_breaks_nothing(coach_api, client):
    keep(coach_api)
    for query in ("q=%00", "tag=%00", "q=a%0Ab"):
        assert coach_api.get("/library?" + query).status_code == 422, query
    assert coach_api.get("/library?q=%ED%A0%80").json == []  # a lone surrogate arrives as U+FFFD
    login(client, "coach@example.test", "coach-password")
    for query in ("q=%00", "tag=%00", "q=%ED%A0%80"):
        page = client.get("/library?" + query)
        assert page.status_code == 200 and "No workout in your library matches" in page.get_data(as_text=True)
