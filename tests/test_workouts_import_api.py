"""``POST /api/v1/workouts/import`` (api.md, "Workouts in and out"): files and text read into
our format with the reader's notes, problems by line or element in the API's error shape,
nothing saved, the 1 MB cap."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.support.workouts import SPEC_EXAMPLE
from workouts import normalize
from workouts.formats import write

FORMATS = Path(__file__).resolve().parent / "formats"


@pytest.fixture
def coach_api(people, api_as):
    coach = people.coach()
    people.athlete(coach, email="ana@example.test")
    return api_as(coach)


def upload(api, name: str, content: bytes, **form):
    return api.client.post("/api/v1/workouts/import", headers=api.headers(), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(content), name), **form})


@pytest.mark.parametrize("name", ["over_unders.erg", "spaces_and_comments.mrc", "zwift_builtin_style.zwo",
                                  "run_by_distance.zwo"])
def test_each_file_format_reads_as_the_cli_reads_it(coach_api, name):
    response = upload(coach_api, name, (FORMATS / name).read_bytes())
    assert response.status_code == 200, response.json
    expected = json.loads((FORMATS / f"{name}.expected.json").read_text())
    assert response.json["workout"] == expected["workout"]
    assert response.json["notes"] == expected.get("notes", [])


def test_a_fit_file_is_read_with_garmins_sdk(coach_api):
    content = write("fit", normalize(SPEC_EXAMPLE)).content
    response = upload(coach_api, "threshold.fit", content)
    assert response.status_code == 200, response.json
    assert response.json["workout"]["name"] == SPEC_EXAMPLE["name"]
    assert response.json["workout"]["sport"] == "BIKE"


def test_the_format_field_wins_over_the_extension(coach_api):
    content = (FORMATS / "over_unders.erg").read_bytes()
    assert upload(coach_api, "workout.bin", content).status_code == 422
    response = upload(coach_api, "workout.bin", content, format="erg")
    assert response.status_code == 200 and response.json["workout"]["name"] == "over-unders"
    unknown = upload(coach_api, "workout.bin", content)
    assert list(unknown.json["error"]["fields"]) == ["format"]


def test_text_comes_as_json(coach_api):
    text = "Tempo\n\n- 10m 60%\n3x\n- 5m 90-95%\n- 2m 55%\n"
    response = coach_api.post("/workouts/import", json={"format": "text", "text": text})
    assert response.status_code == 200, response.json
    workout = response.json["workout"]
    assert workout["name"] == "Tempo" and workout["sport"] == "BIKE"
    assert workout["steps"][1]["repeat"] == 3
    run = coach_api.post("/workouts/import", json={"format": "text", "text": "- 20m Z2 HR", "sport": "RUN"})
    assert run.status_code == 200 and run.json["workout"]["sport"] == "RUN"
    assert run.json["workout"]["steps"][0]["target"] == {"type": "HEART_RATE", "zone": 2}
    metres = coach_api.post("/workouts/import", json={"format": "text", "text": "- 400m Z4 Pace", "sport": "RUN"})
    assert any("metres" in note for note in metres.json["notes"])  # it says which reading it took
    zwo = coach_api.post("/workouts/import", json={"format": "zwo",
                                                   "text": (FORMATS / "run_by_distance.zwo").read_text()})
    assert zwo.status_code == 200


def test_what_cannot_be_read_is_422_by_line_or_element(coach_api):
    response = upload(coach_api, "malformed.erg", (FORMATS / "malformed.erg").read_bytes())
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_error"
    assert error["fields"]["line 7"] == ["'5.00\tabc' is not two numbers (minutes and a value)"]
    assert error["fields"]["line 13"] == [
        "'stray line' is outside the [COURSE HEADER], [COURSE DATA] and [COURSE TEXT] sections"]
    assert error["fields"]["file"] == ["the header's FTP 'lots' is not a number of watts"]
    assert error["message"].startswith("line 7: ")

    text = coach_api.post("/workouts/import", json={"format": "text", "text": "Broken\n\n- 10m 60%\n- 5m sideways"})
    assert text.status_code == 422 and list(text.json["error"]["fields"]) == ["line 4"]
    zwo = upload(coach_api, "bad.zwo", (FORMATS / "malformed.zwo").read_bytes())
    assert zwo.json["error"]["fields"]["line 9"] == ["<Sprint> is not a Zwift workout block"]


def test_hostile_xml_is_refused_not_expanded(coach_api):
    for name in ("billion_laughs.zwo", "external_entity.zwo"):
        response = upload(coach_api, name, (FORMATS / name).read_bytes())
        assert response.status_code == 422, name


def test_bodies_it_cannot_take(coach_api):
    headers = coach_api.headers()
    client = coach_api.client
    assert client.post("/api/v1/workouts/import", headers=headers, data="- 10m 60%",
                       content_type="text/plain").status_code == 400
    no_file = client.post("/api/v1/workouts/import", headers=headers, content_type="multipart/form-data",
                          data={"format": "erg"})
    assert no_file.status_code == 400 and "'file'" in no_file.json["error"]["message"]
    assert client.post("/api/v1/workouts/import", headers=headers, data=b"{nope",
                       content_type="application/json").status_code == 400
    for body, field in (({"format": "fit", "text": "x"}, "format"), ({"format": "docx", "text": "x"}, "format"),
                        ({"format": "text"}, "text"), ({"format": "text", "text": "- 5m", "sport": "YOGA"}, "sport"),
                        ({"format": "text", "text": "- 5m", "colour": "red"}, "colour")):
        response = coach_api.post("/workouts/import", json=body)
        assert response.status_code == 422 and field in response.json["error"]["fields"], body
    assert upload(coach_api, "a.txt", b"- 10m 60%", sport="YOGA").status_code == 422


def test_the_one_megabyte_cap_holds(coach_api):
    big = upload(coach_api, "big.txt", b"- 10m 60%\n" + b" " * (1024 * 1024))
    assert big.status_code == 413 and big.json["error"]["code"] == "payload_too_large"
    # Inside the request cap, the reader's own cap (1,000,000 bytes) still refuses it by its size.
    just_under = upload(coach_api, "big.txt", b"- 10m 60%\n" + b" " * 1_000_000)
    assert just_under.status_code == 422
    assert "at most 1,000,000 are read" in json.dumps(just_under.json)


def test_only_coaches_import_and_nothing_is_saved(coach_api, people, api_as):
    athlete = api_as(people.athlete(people.coach(email="c2@example.test"), email="zoe@example.test"))
    assert athlete.post("/workouts/import", json={"format": "text", "text": "- 10m 60%"}).status_code == 403
    assert coach_api.client.post("/api/v1/workouts/import", json={"format": "text", "text": "x"}).status_code == 401
    coach_api.post("/workouts/import", json={"format": "text", "text": "- 10m 60%"})
    assert coach_api.get("/library").json == [] and coach_api.get("/plans").json == []
