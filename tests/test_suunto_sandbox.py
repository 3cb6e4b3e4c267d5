"""The sandbox's Suunto: the guide rules both ways (each unknown played each way), the API
behind its subscription-key gateway, the OAuth it runs, and what _admin shows.  The sandbox
stands for Suunto: these tests hold it to suunto-research.md, not to the product."""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import struct
import zipfile
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest

from sandbox import create_sandbox_app
from sandbox.suunto import DEFAULT_KEYS, guide_id, row_id
from sandbox.suunto_rules import Refused, Rules, check_guide, png_size, read_archive

KEY = DEFAULT_KEYS[0]
CLIENT = ("hybridpeaks-suunto", "sandbox-secret")
REDIRECT = "https://app.test/connections/suunto/callback"


def _icon(size: int = 300) -> bytes:
    """A PNG written here, not by the product (the sandbox checks what the product sends)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = (b"\x00" + b"\x10\x20\x30" * size) * size
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def fields(seconds=60, **extra):
    return {"type": "fields", "title": "Run", "transitions": [{"condition": {"type": "stepDuration", "value": seconds}}],
            "fields": [{"type": "targetHeartRate", "value": 150, "min": 145, "max": 155}, {"type": "heartRate"},
                       {"type": "stepDurationCountdown", "value": seconds}], **extra}


def guide(**changes) -> dict:
    base = {"type": "sequence", "usage": "workout", "name": "Tempo", "description": "A tempo run",
            "shortDescription": "Tempo", "owner": "HybridPeaks", "url": "https://hybridpeaks.test/",
            "activities": [1], "localDate": "2026-11-24", "externalId": "hybridpeaks-1-r1", "steps": [fields()]}
    base.update(changes)
    return base


def zipped(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data if isinstance(data, bytes) else json.dumps(data))
    return buffer.getvalue()


def package(document: dict | None = None, manifest: bool = False, icon: bytes | None = b"default") -> bytes:
    document = document or guide()
    files = {}
    if manifest:
        files["manifest.json"] = {k: document[k] for k in ("name", "type", "owner", "description")}
    files["guide.json"] = document
    if icon is not None:
        files["icon.png"] = _icon() if icon == b"default" else icon
    return zipped(files)


def problems(document, **rules):
    return check_guide(document, Rules(**rules)).problems


def warnings(document, **rules):
    return check_guide(document, Rules(**rules)).warnings


# -- the guide's rules --------------------------------------------------------------------------

# Suunto's published sample (S1; the part S1's stored copy cuts from MCP-A's verbatim fixture).
SAMPLE = {
    "name": "Pyramid interval", "description": "Hard session which impacts an-aerobic threshold pace",
    "shortDescription": "Hard session", "localDate": "2021-05-28", "type": "sequence", "activities": [3],
    "usage": "workout", "owner": "CoachingPlatform",
    "url": "https://www.coachingplatform.com/planwebsitetoreadmore/123456789", "externalId": "123456789",
    "steps": [
        {"type": "fields", "trigger": {"type": "stepDuration", "value": 600}, "title": "10 min warmup",
         "fields": [{"type": "targetHeartRate", "value": 111, "min": 104, "max": 148}, {"type": "heartRate"},
                    {"type": "power"}, {"type": "stepDurationCountdown", "value": 600}]},
        {"type": "notification", "createManualLap": True, "fields": [{"type": "text", "value": "Interval #1 5min @ 90%"}]},
        {"type": "fields", "trigger": {"type": "stepDuration", "value": 300},
         "fields": [{"type": "targetHeartRate", "value": 150, "min": 145, "max": 155},
                    {"type": "heartRate", "window": "manualLap", "aggregate": "average"}, {"type": "power"},
                    {"type": "stepDurationCountdown", "value": 300}]},
        {"type": "notification", "fields": [{"type": "text", "value": "Interval set 3x1min / 1min"}]},
        {"type": "repeat", "times": 3, "steps": [
            {"type": "fields", "trigger": {"type": "stepDuration", "value": 60}, "createManualLap": True,
             "title": "1 min int", "fields": [{"type": "targetHeartRate", "value": 180, "min": 170, "max": 185},
                                              {"type": "heartRate"}, {"type": "power"},
                                              {"type": "stepDurationCountdown", "value": 60}]},
            {"type": "notification", "createManualLap": True, "fields": [{"type": "text", "value": "Rest"}]},
            {"type": "fields", "trigger": {"type": "stepDuration", "value": 60}, "title": "1 min rest",
             "fields": [{"type": "targetHeartRate", "value": 140, "min": 130, "max": 145}, {"type": "heartRate"},
                        {"type": "power"}, {"type": "cadence"}, {"type": "stepDurationCountdown", "value": 60}]}]},
        {"type": "fields", "trigger": {"type": "stepDuration", "value": 600}, "createManualLap": True,
         "title": "Cooldown", "fields": [{"type": "targetHeartRate", "value": 140, "min": 130, "max": 145},
                                         {"type": "heartRate", "window": "manualLap", "aggregate": "average"},
                                         {"type": "power"}, {"type": "stepDurationCountdown", "value": 600}]},
        {"type": "fields", "title": "Good Job", "fields": []},
    ],
}


def test_suuntos_own_sample_is_accepted_in_the_2021_form_and_its_activity_3_is_flagged():
    assert problems(SAMPLE) == [] and problems(SAMPLE, step_ends="trigger") == []
    assert problems(SAMPLE, step_ends="transitions") == [
        "Invalid parameter 'guide.steps.0.trigger'", "Invalid parameter 'guide.steps.2.trigger'", "Invalid parameter 'guide.steps.4.steps.0.trigger'",
        "Invalid parameter 'guide.steps.4.steps.2.trigger'", "Invalid parameter 'guide.steps.5.trigger'"]
    assert warnings(SAMPLE) == ["guide.activities: [3] are not on the published activity lists"]


def test_the_newer_transitions_form_with_a_lap_press_or_condition_is_accepted():
    lap = fields(transitions=[{"condition": {"type": "or", "conditions": [
        {"type": "stepDuration", "value": 60}, {"type": "manualLap"}]}}], createManualLap=True,
        notification={"title": "Run", "text": "Go"})
    assert problems(guide(steps=[lap])) == [] == warnings(guide(steps=[lap]))
    assert problems(guide(steps=[lap]), step_ends="trigger") == ["Invalid parameter 'guide.steps.0.transitions'"]
    runna = fields(transitions=None)
    del runna["transitions"]
    runna["trigger"] = {"type": "or", "triggers": [{"type": "stepDistance", "value": 400}, {"type": "manualLap"}]}
    runna["fields"][-1] = {"type": "stepDistanceCountdown", "value": 400}
    assert problems(guide(steps=[runna])) == [] == warnings(guide(steps=[runna]))


def test_a_step_ends_by_trigger_or_by_transitions_not_both():
    both = fields(trigger={"type": "stepDuration", "value": 60})
    assert problems(guide(steps=[both])) == ["Invalid 'guide.steps.0': a step ends by trigger or by transitions, not both"]


@pytest.mark.parametrize("where", ["repeat", "child"])
def test_step_ids_inside_a_repeat_are_refused_as_observed_or_accepted(where):
    child = fields(id="a") if where == "child" else fields()
    repeat = {"type": "repeat", "times": 3, "steps": [child]}
    if where == "repeat":
        repeat["id"] = "r"
    document = guide(steps=[fields(id="warmup"), repeat])
    assert problems(document) == ["Step id not allowed inside repeat"]
    assert problems(document, ids_in_repeats="accept") == []
    assert problems(guide(steps=[fields(id="warmup")])) == []  # a standalone id is fine


def test_a_heart_rate_over_250_is_refused_with_the_observed_message():
    high = fields()
    high["fields"][0] = {"type": "targetHeartRate", "value": 251, "min": 130, "max": 148}
    assert problems(guide(steps=[high])) == [
        "Invalid 'guide.steps.0.fields.0.value': value is larger than the allowed maximum (250.0)"]
    in_repeat = guide(steps=[{"type": "repeat", "times": 2, "steps": [copy.deepcopy(high)]}])
    assert problems(in_repeat) == [
        "Invalid 'guide.steps.0.steps.0.fields.0.value': value is larger than the allowed maximum (250.0)"]
    fraction = fields()
    fraction["fields"][0] = {"type": "targetHeartRate", "min": 140.5, "max": 150}
    assert problems(guide(steps=[fraction])) == ["Invalid 'guide.steps.0.fields.0.min': heart rate must be a whole number"]


@pytest.mark.parametrize("target, message", [
    ({"type": "targetPower", "min": 300, "max": 250}, "Invalid 'guide.steps.0.fields.0': min must not be larger than max"),
    ({"type": "targetPower", "value": 100, "min": 250, "max": 300},
     "Invalid 'guide.steps.0.fields.0.value': must be between min and max"),
    ({"type": "targetPower", "min": 250}, "Invalid 'guide.steps.0.fields.0': a target takes value, or min and max"),
    ({"type": "targetPace", "value": -3}, "Invalid 'guide.steps.0.fields.0.value': must be a positive number"),
    ({"type": "targetGrade", "value": 3}, "Invalid field type: 'targetGrade'"),
])
def test_targets_are_checked(target, message):
    step = fields()
    step["fields"][0] = target
    assert problems(guide(steps=[step])) == [message]
    value_only = fields()
    value_only["fields"][0] = {"type": "targetPower", "value": 250}
    assert problems(guide(steps=[value_only])) == []


def test_units_that_look_wrong_are_warned_about():
    step = fields()
    step["fields"][0] = {"type": "targetPace", "min": 255, "max": 265}  # s/km, not m/s
    assert warnings(guide(steps=[step])) == ["guide.steps.0.fields.0: 265 m/s is not a plausible speed (is it a pace "
                                             "in s/km?)"]
    step["fields"][0] = {"type": "targetCadence", "min": 85, "max": 95}  # rpm, not Hz
    assert warnings(guide(steps=[step])) == ["guide.steps.0.fields.0: 95 Hz is 5700 rpm (is it in rpm?)"]


@pytest.mark.parametrize("steps, message", [
    ([{"type": "notfication", "fields": []}], "Invalid step type: 'notfication'"),
    ([{"type": "repeat", "times": 0, "steps": [fields()]}], "Invalid repeat count"),
    ([{"type": "repeat", "times": 101, "steps": [fields()]}], "Invalid repeat count"),
    ([{"type": "repeat", "times": 2, "steps": [{"type": "repeat", "times": 2, "steps": [fields()]}]}],
     "Invalid 'guide.steps.0.steps.0': a repeat cannot hold a repeat"),
    ([fields(transitions=[{"condition": {"type": "heartRate", "value": 150}}])], "Invalid condition type: 'heartRate'"),
    ([fields(transitions=[{"condition": {"type": "manualLap"}, "stepId": "nowhere"}])],
     "Invalid 'guide.steps.0.transitions.0.stepId': no step with id 'nowhere'"),
    ([fields(title="A title far too long")], "Invalid 'guide.steps.0.title': must be text of 1 to 13 characters on one line"),
    ([fields(notification={"text": "x" * 55})],
     "Invalid 'guide.steps.0.notification.text': must be text of 1 to 54 characters in at most 6 lines"),
    ([], "Invalid 'guide.steps': must be a list of 1 to 1000 steps"),
])
def test_steps_are_checked(steps, message):
    assert problems(guide(steps=steps)) == [message]


@pytest.mark.parametrize("changes, message", [
    ({"type": "route"}, "Invalid 'guide.type': must be 'sequence'"),
    ({"usage": "race"}, "Invalid 'guide.usage': must be 'workout'"),
    ({"name": "N" * 61}, "Invalid 'guide.name': must be text of 1 to 60 characters"),
    ({"shortDescription": "S" * 24}, "Invalid 'guide.shortDescription': must be text of 1 to 23 characters"),
    ({"description": None}, "Missing parameter 'guide.description'"),
    ({"url": "not a url"}, "Invalid 'guide.url': must be an http(s) URL of at most 256 characters"),
    ({"activities": ["1"]}, "Invalid 'guide.activities': must be a list of at most 100 activity ids"),
    ({"localDate": "24.11.2026"}, "Invalid 'guide.localDate': must be a date as yyyy-MM-dd"),
    ({"externalId": "x" * 65}, "Invalid 'guide.externalId': must be text of 1 to 64 characters"),
    ({"owner": "SomeoneElse"}, "Invalid 'guide.owner': must match the application name in the OAuth settings"),
])
def test_top_level_fields_are_checked(changes, message):
    document = {k: v for k, v in guide(**changes).items() if v is not None}
    assert problems(document, owner="HybridPeaks") == [message]


def test_1000_steps_counted_either_way():
    document = guide(steps=[{"type": "repeat", "times": 100, "steps": [fields()] * 11}])
    assert problems(document, step_count="once") == []
    assert problems(document, step_count="expanded") == ["Invalid 'guide.steps': at most 1000 steps (1100)"]


def test_what_only_risks_the_display_is_a_warning():
    crowded = fields()
    crowded["fields"] = [{"type": "text", "value": "Hold it ✓"}, {"type": "heartRate"}, {"type": "power"},
                         {"type": "pace"}, {"type": "cadence"}, {"type": "stepDurationCountdown", "value": 30}]
    assert problems(guide(steps=[crowded, fields()])) == []
    assert warnings(guide(steps=[crowded, fields()])) == [
        "guide.steps.0: 6 fields; a screen shows four or five",
        "guide.steps.0.fields.0.value: '✓' may not show on the watch (outside its character set)",
        "guide.steps.0.fields.1: a number after a text field may be hidden on the watch",
        "guide.steps.0.fields.2: a number after a text field may be hidden on the watch",
        "guide.steps.0.fields.3: a number after a text field may be hidden on the watch",
        "guide.steps.0.fields.4: a number after a text field may be hidden on the watch",
        "guide.steps.0.fields.5: a number after a text field may be hidden on the watch",
        "guide.steps.0.fields.5: the countdown (30) is not the step's end"]
    endless = {"type": "fields", "title": "Hold", "fields": [{"type": "heartRate"}]}
    assert warnings(guide(steps=[endless, fields()])) == [
        "guide.steps.0: the step has no end before the last step: the guide stays on it"]


# -- the ZIP ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, two, three", [("either", True, True), ("two", True, False), ("three", False, True)])
def test_two_and_three_file_zips_either_way(mode, two, three):
    for data, accepted in ((package(), two), (package(manifest=True), three)):
        if accepted:
            assert read_archive(data, Rules(archive=mode)).guide == guide()
        else:
            with pytest.raises(Refused):
                read_archive(data, Rules(archive=mode))


@pytest.mark.parametrize("data, message", [
    (b"PK not a zip", "Invalid guide file: not a ZIP archive"),
    (zipped({"icon.png": _icon()}), "Invalid guide file: guide.json is missing"),
    (zipped({"guide.json": guide(), "icon.png": _icon(), "notes.txt": "x"}), "Invalid guide file: unexpected file 'notes.txt'"),
    (zipped({"guide/guide.json": guide()}), "Invalid guide file: files must be at the top of the archive, not in folders"),
    (zipped({"guide.json": guide(), "icon.png": _icon(64)}), "Invalid 'icon.png': must be a 300x300 PNG image"),
    (zipped({"guide.json": guide(), "icon.png": _icon(), "manifest.json": {"name": "Other", "type": "sequence",
                                                                         "owner": "HybridPeaks",
                                                                         "description": "A tempo run"}}),
     "Invalid 'manifest.json': 'name' does not match guide.json"),
    (zipped({"guide.json": b"{not json", "icon.png": _icon()}), "Invalid 'guide.json': not valid JSON"),
])
def test_a_zip_is_refused_for_what_it_holds(data, message):
    with pytest.raises(Refused, match=f"^{re.escape(message)}$"):
        read_archive(data)


def test_the_icon_required_or_optional():
    with pytest.raises(Refused, match="icon.png is missing"):
        read_archive(package(icon=None))
    assert read_archive(package(icon=None), Rules(icon="optional")).icon is None
    assert png_size(_icon()) == (300, 300)


# -- the API behind the gateway ------------------------------------------------------------------------

@pytest.fixture
def sandbox(tmp_path):
    app = create_sandbox_app({"SANDBOX_DATABASE": str(tmp_path / "sandbox.db")})
    return app


@pytest.fixture
def web(sandbox):
    return sandbox.test_client()


def basic(client=CLIENT):
    return {"Authorization": "Basic " + base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()}


def consent(web, account="athlete-1", state="s1", **extra):
    response = web.post("/suunto/oauth/authorize", data={
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT, "decision": "allow",
        "account": account, **({"state": state} if state else {}), **extra})
    assert response.status_code == 302, response.get_data(as_text=True)
    return parse_qs(urlsplit(response.headers["Location"]).query)


def connect(web, account="athlete-1", **extra) -> dict:
    code = consent(web, account, **extra)["code"][0]
    response = web.post("/suunto/oauth/token", headers=basic(),
                        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def faults(web, **settings):
    response = web.put("/_admin/faults", json={"provider": "suunto", **settings})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def api(web, method, path, token, key=KEY, **kwargs):
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    if key:
        headers["Ocp-Apim-Subscription-Key"] = key
    return web.open(f"/suunto{path}", method=method, headers=headers, **kwargs)


def upload(web, token, data=None, method="POST", path="/v2/guides/files", **kwargs):
    return api(web, method, path, token, data=data if data is not None else package(),
               content_type="application/zip", **kwargs)


def test_without_the_subscription_key_the_gateway_refuses_before_the_token(web):
    token = connect(web)["access_token"]
    for key, word in ((None, "missing"), ("wrong-key", "invalid")):
        response = api(web, "GET", "/v2/guides/items", token, key=key)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("AzureApiManagementKey")
        assert response.get_json() == {"statusCode": 401, "message": f"Access denied due to {word} subscription key. "
                                       "Make sure to provide a valid key for an active subscription."}
    assert api(web, "GET", "/v2/guides/items", "no-token", key=None).get_json()["statusCode"] == 401  # key first
    assert api(web, "GET", "/v2/guides/items", token, key=DEFAULT_KEYS[1]).status_code == 200  # the secondary key
    faults(web, keyRefusedStatus=403)
    assert api(web, "GET", "/v2/guides/items", token, key=None).status_code == 403


def test_a_bad_token_is_a_401_with_an_error_envelope(web):
    response = api(web, "GET", "/v2/guides/items", "not-a-token")
    assert response.status_code == 401 and "statusCode" not in response.get_json()
    assert response.get_json()["error"] == {"description": "Unknown access token."}


def test_create_list_read_replace_delete(web):
    token = connect(web)["access_token"]
    created = upload(web, token)
    assert created.status_code == 201
    body = created.get_json()
    assert body["error"] is None and set(body) == {"error", "payload", "metadata"}
    info = body["payload"]
    assert len(info["id"]) == 8 and info["id"].isalpha() and info["id"].islower()
    assert (info["username"], info["externalId"], info["pinned"], info["localDate"]) == (
        "athlete-1", "hybridpeaks-1-r1", False, "2026-11-24")
    assert api(web, "GET", "/v2/guides/items", token).get_json()["payload"] == [info]
    faults(web, pinGuide=info["id"])
    changed = guide(name="Tempo, moved", localDate="2026-11-26", externalId="hybridpeaks-1-r2")
    replaced = upload(web, token, package(changed), method="PUT", path=f"/v2/guides/files/{info['id']}")
    assert replaced.status_code == 200
    after = replaced.get_json()["payload"]
    assert (after["id"], after["pinned"], after["name"], after["localDate"]) == (info["id"], True, "Tempo, moved",
                                                                                 "2026-11-26")
    held = web.get("/_admin/workouts?provider=suunto").get_json()["guides"]
    assert held[0]["body"] == changed and held[0]["earlierBodies"] == [guide()] and held[0]["guideId"] == info["id"]
    assert api(web, "DELETE", f"/v2/guides/files/{info['id']}", token).status_code == 200
    assert api(web, "DELETE", f"/v2/guides/files/{info['id']}", token).status_code == 404
    assert upload(web, token, package(changed), method="PUT", path=f"/v2/guides/files/{info['id']}").status_code == 404


def test_a_guide_is_refused_with_one_description(web):
    token = connect(web)["access_token"]
    high = fields()
    high["fields"][0]["value"] = 251
    refused = upload(web, token, package(guide(steps=[high])))
    assert refused.status_code == 400
    assert refused.get_json()["error"] == {
        "description": "Invalid 'guide.steps.0.fields.0.value': value is larger than the allowed maximum (250.0)"}
    multipart = api(web, "POST", "/v2/guides/files", token, data={"file": (io.BytesIO(package()), "guide.zip")})
    assert multipart.status_code == 400 and "application/zip" in multipart.get_json()["error"]["description"]


@pytest.mark.parametrize("mode", ["reserialise", "verbatim"])
def test_readback_reserialises_or_returns_what_was_sent(web, mode):
    faults(web, readback=mode)
    token = connect(web)["access_token"]
    sent = guide(steps=[fields(notification={"title": "Run", "text": "Go"})])
    data = package(sent, manifest=True)
    guide_id_ = upload(web, token, data).get_json()["payload"]["id"]
    read = api(web, "GET", f"/v2/guides/files/{guide_id_}", token)
    assert read.status_code == 200 and read.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(read.data)) as archive:
        names = archive.namelist()
        back = json.loads(archive.read("guide.json"))
    if mode == "verbatim":
        assert names == ["manifest.json", "guide.json", "icon.png"] and back == sent
    else:
        assert names == ["guide.json", "icon.png"]  # no manifest
        step = back["steps"][0]
        assert step["fields"][0]["value"] == 150.0 and isinstance(step["fields"][0]["value"], float)
        assert step["notification"] == {"title": "Run", "text": "Go", "type": "default"}


@pytest.mark.parametrize("mode", ["refuse", "accept"])
def test_a_repeated_external_id_is_a_409_with_no_id_or_a_second_guide(web, mode):
    faults(web, duplicateExternalId=mode)
    token = connect(web)["access_token"]
    assert upload(web, token).status_code == 201
    second = upload(web, token)
    if mode == "refuse":
        assert second.status_code == 409 and second.get_json()["error"] == {"description": "Conflict"}
    else:
        assert second.status_code == 201
    assert len(api(web, "GET", "/v2/guides/items", token).get_json()["payload"]) == (1 if mode == "refuse" else 2)


@pytest.mark.parametrize("scope, conflict", [("user", True), ("app", False), ("global", True)])
def test_whose_external_ids_conflict_is_played(web, sandbox, scope, conflict):
    faults(web, externalIdScope=scope)
    token = connect(web, "athlete-1")["access_token"]
    assert upload(web, token).status_code == 201
    store = sandbox.extensions["sandbox_store"]
    with store.transaction() as db:  # the same externalId in another application's guide of the same athlete
        db.execute("UPDATE records SET client_id = 'another-app' WHERE provider = 'suunto'")
    assert api(web, "GET", "/v2/guides/items", token).get_json()["payload"] == []  # the list shows ours only
    assert upload(web, token).status_code == (409 if conflict else 201)
    other = connect(web, "athlete-2")["access_token"]
    assert upload(web, other).status_code == (409 if scope == "global" else 201)


def test_the_listing_pages_newest_first_and_filters_by_file_time(web):
    token = connect(web)["access_token"]
    ids = [upload(web, token, package(guide(externalId=f"e{i}"))).get_json()["payload"]["id"] for i in range(5)]
    listed = api(web, "GET", "/v2/guides/items?limit=2&offset=1", token).get_json()["payload"]
    assert [row["id"] for row in listed] == [ids[3], ids[2]]
    everything = api(web, "GET", "/v2/guides/items", token).get_json()["payload"]
    middle = everything[2]["fileModificationTime"]
    since = api(web, "GET", f"/v2/guides/items?fileSince={middle}", token).get_json()["payload"]
    assert all(row["fileModificationTime"] >= middle for row in since) and ids[4] in [row["id"] for row in since]
    faults(web, listingExternalId="absent", envelope="bare")
    bare = api(web, "GET", "/v2/guides/items", token).get_json()
    assert isinstance(bare, list) and all("externalId" not in row for row in bare)
    other = connect(web, "athlete-2")["access_token"]
    assert api(web, "GET", "/v2/guides/items", other).get_json() == []
    assert api(web, "GET", f"/v2/guides/files/{ids[0]}", other).status_code == 404  # another user's: not found


def test_delete_answers_200_or_204_and_entitlement_403(web):
    token = connect(web)["access_token"]
    faults(web, deleteStatus=204)
    first = upload(web, token).get_json()["payload"]["id"]
    assert api(web, "DELETE", f"/v2/guides/files/{first}", token).status_code == 204
    faults(web, guidesEntitled=False)
    refused = api(web, "GET", "/v2/guides/items", token)
    assert refused.status_code == 403 and "description" in refused.get_json()["error"]


@pytest.mark.parametrize("retry_after, header", [(False, None), (True, "auto"), (30, "30")])
def test_429_on_the_developer_quota_with_and_without_retry_after(web, retry_after, header):
    token = connect(web)["access_token"]
    faults(web, tier="developer", limits={"week": 2}, retryAfter=retry_after)
    assert api(web, "GET", "/v2/guides/items", token).status_code == 200
    assert api(web, "GET", "/v2/guides/items", token).status_code == 200
    limited = api(web, "GET", "/v2/guides/items", token)
    assert limited.status_code == 429 and limited.get_json()["statusCode"] == 429
    if header is None:
        assert "Retry-After" not in limited.headers
    elif header == "auto":
        assert 7 * 86400 - 60 <= int(limited.headers["Retry-After"]) <= 7 * 86400
    else:
        assert limited.headers["Retry-After"] == header
    assert web.get("/_admin/limits?provider=suunto").get_json()["limits"] == {"week": 2}


def test_production_has_no_limit_and_developer_200_a_week(web):
    assert web.get("/_admin/limits?provider=suunto").get_json()["limits"] == {}
    faults(web, tier="developer")
    assert web.get("/_admin/limits?provider=suunto").get_json()["limits"] == {"week": 200}


def test_ids_are_8_letters_and_map_back():
    assert [row_id(guide_id(n)) for n in (1, 2, 999, 123456)] == [1, 2, 999, 123456]
    assert len({guide_id(n) for n in range(1, 500)}) == 499


# -- OAuth ------------------------------------------------------------------------------------------------

def claims(jwt: str) -> dict:
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_token_is_a_jwt_naming_the_user_with_basic_auth_only(web):
    tokens = connect(web, "athlete-7")
    assert (tokens["token_type"], tokens["expires_in"], tokens["scope"], tokens["user"]) == (
        "bearer", 86400, "workout", "athlete-7")
    access = claims(tokens["access_token"])
    assert (access["user"], access["scope"], access["authorities"], access["client_id"]) == (
        "athlete-7", ["workout"], ["PARTNER"], CLIENT[0])
    refresh = claims(tokens["refresh_token"])
    assert refresh["ati"] == access["jti"] and refresh["exp"] - access["exp"] == 179 * 86400
    code = consent(web)["code"][0]
    in_form = web.post("/suunto/oauth/token", data={"grant_type": "authorization_code", "code": code,
                                                    "redirect_uri": REDIRECT, "client_id": CLIENT[0],
                                                    "client_secret": CLIENT[1]})
    assert in_form.status_code == 401 and in_form.get_json()["error"] == "invalid_client"


def test_token_parameters_may_come_as_a_query_string(web):
    code = consent(web)["code"][0]
    response = web.post(f"/suunto/oauth/token?grant_type=authorization_code&code={code}&redirect_uri={REDIRECT}",
                        headers=basic())
    assert response.status_code == 200


def test_state_is_echoed_or_dropped_and_not_required(web):
    assert consent(web)["state"] == ["s1"]
    faults(web, oauthState="drop")
    assert "state" not in consent(web)
    faults(web)
    assert "state" not in consent(web, state=None)  # the published flow has none: not required


def test_pkce_ignored_or_verified(web):
    code = consent(web, code_challenge="abc", code_challenge_method="plain")["code"][0]
    ignored = web.post("/suunto/oauth/token", headers=basic(), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": "wrong"})
    assert ignored.status_code == 200
    faults(web, pkce="verify")
    code = consent(web, code_challenge="abc", code_challenge_method="plain")["code"][0]
    checked = web.post("/suunto/oauth/token", headers=basic(), data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": "wrong"})
    assert checked.status_code == 400 and checked.get_json()["error"] == "invalid_grant"


def refresh(web, token):
    return web.post("/suunto/oauth/token", headers=basic(), data={"grant_type": "refresh_token", "refresh_token": token})


@pytest.mark.parametrize("rotation, new, old_works", [("new", True, True), ("same", False, True), ("rotate", True, False)])
def test_refresh_rotation_played_each_way(web, rotation, new, old_works):
    faults(web, refreshRotation=rotation)
    first = connect(web)["refresh_token"]
    answer = refresh(web, first).get_json()
    assert ("refresh_token" in answer) is new and "access_token" in answer
    assert (refresh(web, first).status_code == 200) is old_works


@pytest.mark.parametrize("mode", ["refused", "issued"])
def test_after_a_revocation_api_calls_are_refused_and_a_refresh_may_still_work(web, mode):
    faults(web, revokedRefresh=mode)
    tokens = connect(web, "athlete-9")
    faults(web, revokedRefresh=mode, revokeUser="athlete-9")
    assert api(web, "GET", "/v2/guides/items", tokens["access_token"]).status_code == 401
    again = refresh(web, tokens["refresh_token"])
    if mode == "refused":
        assert again.status_code == 400
    else:  # a new access token, which Suunto's API still refuses: a 401 that survives a refresh
        assert api(web, "GET", "/v2/guides/items", again.get_json()["access_token"]).status_code == 401


def test_a_bare_token_is_refused_or_accepted(web):
    token = connect(web)["access_token"]
    bare = {"Authorization": token, "Ocp-Apim-Subscription-Key": KEY}
    assert web.get("/suunto/v2/guides/items", headers=bare).status_code == 401
    faults(web, authorizationScheme="either")
    assert web.get("/suunto/v2/guides/items", headers=bare).status_code == 200


def test_deauthorize_ends_our_access(web):
    token = connect(web)["access_token"]
    assert web.get("/suunto/oauth/deauthorize?client_id=other", headers={"Authorization": f"Bearer {token}"}
                   ).status_code == 400
    assert web.get(f"/suunto/oauth/deauthorize?client_id={CLIENT[0]}",
                   headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert api(web, "GET", "/v2/guides/items", token).status_code == 401


def test_the_consent_page_names_suunto(web):
    page = web.get(f"/suunto/oauth/authorize?response_type=code&client_id={CLIENT[0]}&redirect_uri={REDIRECT}")
    assert page.status_code == 200 and "Suunto" in page.get_data(as_text=True)
    refused = web.get(f"/suunto/oauth/authorize?response_type=token&client_id=nobody&redirect_uri={REDIRECT}")
    assert refused.status_code == 400


def test_unknown_suunto_faults_are_refused(web):
    assert web.put("/_admin/faults", json={"provider": "suunto", "nonsense": 1}).status_code == 400
    assert web.get("/").get_json()["providers"] == ["garmin", "wahoo", "suunto"]
