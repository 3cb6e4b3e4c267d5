"""The Suunto client against the sandbox (its WSGI app behind httpx's WSGITransport): create,
replace, remove and finding a guide again in each unknown's modes, every failure a typed
error, and the subscription key on every API call but in no error text and no log line.
A few reply shapes the sandbox does not play are read from httpx.MockTransport answers."""

from __future__ import annotations

import base64
import json
import logging
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from providers.delivery import Item
from providers.errors import (
    ApplicationRefused,
    NotFound,
    PayloadRejected,
    ProviderError,
    RateLimited,
    TokenExpired,
    Transient,
)
from providers.http import ProviderHttp
from providers.suunto import PROVIDER, convert
from providers.suunto.api import (
    STATUSES,
    DuplicateExternalId,
    GuideConflict,
    GuidesForbidden,
    SubscriptionKeyRefused,
    SuuntoApi,
    description,
    guide_id,
    retry_at,
    rows,
)
from providers.suunto.archive import guide_document
from sandbox import create_sandbox_app
from tests.support.suunto import same_guide
from tests.support.workouts import SPEC_EXAMPLE
from workouts import Thresholds, prepare

KEY = "sandbox-subscription-key"
CLIENT = ("hybridpeaks-suunto", "sandbox-secret")
API_BASE = "http://sandbox.test/suunto"
OAUTH_BASE = "http://oauth.sandbox.test/suunto/oauth"  # another host, as in production
REDIRECT = "https://app.test/connections/suunto/callback"
ATHLETE = Thresholds(ftp_watts=250, max_heart_rate=190)


class Recording(httpx.BaseTransport):
    """The sandbox's WSGI app, recording every request the client sends."""

    def __init__(self, app):
        self.inner, self.requests = httpx.WSGITransport(app=app), []

    def handle_request(self, request):
        self.requests.append(request)
        return self.inner.handle_request(request)


class FakeRun:
    """The export job's side of the conversation (as jobs/steps.py's Run): refs kept, a
    create that may have reached Suunto unanswered marked, and looked for before the next try."""

    def __init__(self, token: str):
        self.token, self.refs, self.tried = token, {}, set()

    def call(self, action):
        return action(self.token)

    def step(self, ref, create, find=None):
        if ref in self.refs:
            return self.refs[ref]
        if ref in self.tried and find is not None:
            found = self.call(find)
            if found is not None:
                self.refs[ref] = found
                return found
        self.tried.add(ref)
        try:
            value = self.call(create)
        except ProviderError as error:
            if not getattr(error, "ambiguous", False):
                self.tried.discard(ref)
            raise
        self.refs[ref] = value
        return value

    def gone(self, ref):
        self.refs.pop(ref, None)


@pytest.fixture
def sandbox(tmp_path):
    return create_sandbox_app({"SANDBOX_DATABASE": str(tmp_path / "sandbox.db")})


@pytest.fixture
def web(sandbox):
    return sandbox.test_client()


@pytest.fixture
def transport(sandbox):
    return Recording(sandbox)


@pytest.fixture
def heard():
    return {"status": [], "responses": []}


@pytest.fixture
def client(transport, heard):
    http = ProviderHttp("SUUNTO", API_BASE, timeout=5, transport=transport, statuses=STATUSES,
                        on_status=heard["status"].append, after_response=heard["responses"].append)
    return SuuntoApi(http, subscription_key=KEY, owner="HybridPeaks", url="https://hybridpeaks.test/",
                     client_id=CLIENT[0], deauthorize_url=f"{OAUTH_BASE}/deauthorize")


def connect(web, account="athlete-1") -> str:
    response = web.post("/suunto/oauth/authorize", data={
        "response_type": "code", "client_id": CLIENT[0], "redirect_uri": REDIRECT, "state": "s", "decision": "allow",
        "account": account})
    code = parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]
    auth = "Basic " + base64.b64encode(f"{CLIENT[0]}:{CLIENT[1]}".encode()).decode()
    tokens = web.post("/suunto/oauth/token", headers={"Authorization": auth},
                      data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}).get_json()
    return tokens["access_token"]


def faults(web, **settings):
    response = web.put("/_admin/faults", json={"provider": "suunto", **settings})
    assert response.status_code == 200, response.get_json()


def held(web, all_=False):
    return web.get(f"/_admin/workouts?provider=suunto{'&all=1' if all_ else ''}").get_json()["guides"]


def item(revision=2, day=date(2026, 11, 24), raw=SPEC_EXAMPLE) -> Item:
    normalized = prepare(raw, ATHLETE)
    made = convert.fit(normalized, ATHLETE)
    return Item(session_id=7, revision=revision, title=raw["name"], day=day,
                starts=datetime(day.year, day.month, day.day, 7, tzinfo=timezone.utc),
                updated_at=datetime(2026, 11, 20, 9, tzinfo=timezone.utc), normalized=normalized,
                payload=made.sendable())


def expected(client, delivery: Item, external="hybridpeaks-7-r2") -> dict:
    return guide_document(delivery.payload, owner=client.owner, url=client.url, external=external, day=delivery.day,
                          style=client.step_form)


# -- delivering -------------------------------------------------------------------------------------

def test_create_sends_the_zip_with_the_key_and_the_sandbox_holds_the_guide(web, client, transport):
    token = connect(web)
    run = FakeRun(token)
    client.create(run, item())
    (guide,) = held(web)
    assert run.refs == {"guideId": guide["guideId"]}
    assert guide["body"] == expected(client, item()) and guide["files"] == ["guide.json", "icon.png"]
    assert guide["warnings"] == []  # nothing even risky on the watch
    post = transport.requests[-1]
    assert (post.method, post.url.path) == ("POST", "/suunto/v2/guides/files")
    assert post.headers["Content-Type"] == "application/zip"
    assert post.headers["Ocp-Apim-Subscription-Key"] == KEY and post.headers["Authorization"] == f"Bearer {token}"


@pytest.mark.parametrize("files, form, fault", [("3-file", "transitions", {"archive": "three"}),
                                                ("2-file", "trigger", {"stepEnds": "trigger", "archive": "two"})])
def test_each_zip_form_and_step_form_is_accepted_where_suunto_would_take_only_it(web, client, files, form, fault):
    faults(web, **fault)
    client.archive_files, client.step_form = files, form
    client.create(FakeRun(connect(web)), item())
    (guide,) = held(web)
    assert guide["body"] == expected(client, item())
    assert ("manifest.json" in guide["files"]) is (files == "3-file")
    assert ("trigger" in json.dumps(guide["body"])) is (form == "trigger")


def test_a_date_move_and_a_changed_session_replace_the_same_guide_keeping_its_pin(web, client):
    token = connect(web)
    run = FakeRun(token)
    client.create(run, item())
    first = run.refs["guideId"]
    faults(web, pinGuide=first)
    client.move(run, item(day=date(2026, 11, 26)))
    changed = {**SPEC_EXAMPLE, "name": "5x6 min threshold"}
    client.replace(run, item(revision=3, day=date(2026, 11, 26), raw=changed))
    (guide,) = held(web)
    assert (guide["guideId"], guide["pinned"]) == (first, True)
    assert guide["body"] == expected(client, item(revision=3, day=date(2026, 11, 26), raw=changed), "hybridpeaks-7-r3")
    assert [earlier["localDate"] for earlier in guide["earlierBodies"]] == ["2026-11-24", "2026-11-26"]


def test_a_guide_deleted_at_suunto_is_not_found_on_replace_and_remove_is_fine_with_it(web, client):
    token = connect(web)
    run = FakeRun(token)
    client.create(run, item())
    client.delete_guide(token, run.refs["guideId"])
    with pytest.raises(NotFound):
        client.move(run, item(day=date(2026, 11, 25)))
    client.remove(run)
    assert run.refs == {}


def test_remove_deletes_the_guide_and_remembers_it_is_gone(web, client):
    run = FakeRun(connect(web))
    client.create(run, item())
    client.remove(run)
    assert run.refs == {} and held(web) == []
    client.remove(run)  # nothing left to do


@pytest.mark.parametrize("duplicates", ["refuse", "accept"])
@pytest.mark.parametrize("listing", ["present", "absent"])
def test_an_unanswered_create_is_found_again_not_doubled(web, client, duplicates, listing):
    faults(web, duplicateExternalId=duplicates, listingExternalId=listing,
           failNext={"path": "/v2/guides/files", "method": "POST", "status": 504, "count": 1, "after": True})
    run = FakeRun(connect(web))
    with pytest.raises(Transient) as caught:
        client.create(run, item())  # Suunto made the guide; the answer was lost
    assert caught.value.ambiguous
    client.create(run, item())  # the retry looks first
    (guide,) = held(web)
    assert run.refs == {"guideId": guide["guideId"]}


@pytest.mark.parametrize("listing", ["present", "absent"])
def test_a_409_for_our_own_external_id_is_answered_by_listing(web, client, transport, listing):
    faults(web, listingExternalId=listing)
    token = connect(web)
    client.create(FakeRun(token), item())
    run = FakeRun(token)  # a try that does not know the first one happened
    client.create(run, item())
    (guide,) = held(web)
    assert run.refs == {"guideId": guide["guideId"]}
    calls = [(r.method, r.url.path) for r in transport.requests]
    assert calls[-2:] == ([("GET", "/suunto/v2/guides/items"), ("GET", f"/suunto/v2/guides/files/{guide['guideId']}")]
                          if listing == "absent" else [("POST", "/suunto/v2/guides/files"),
                                                       ("GET", "/suunto/v2/guides/items")])


def test_a_409_for_a_guide_we_cannot_list_is_a_conflict(web, sandbox, client):
    token = connect(web)
    client.create(FakeRun(token), item())
    with sandbox.extensions["sandbox_store"].transaction() as db:  # now another application's guide
        db.execute("UPDATE records SET client_id = 'another-app' WHERE provider = 'suunto'")
    with pytest.raises(GuideConflict) as caught:
        client.create(FakeRun(token), item())
    assert isinstance(caught.value, DuplicateExternalId) and not isinstance(caught.value, Transient)


def test_finding_pages_through_the_listing(web, client):
    client.page_size = 2
    token = connect(web)
    client.create(FakeRun(token), item())
    for revision in range(3, 8):
        client.create(FakeRun(token), item(revision=revision))
    found = client.find_guide(token, "hybridpeaks-7-r2")  # the oldest: on the last page
    assert found == held(web)[0]["guideId"]
    assert client.find_guide(token, "hybridpeaks-9-r1") is None


def test_the_readback_is_the_same_guide_though_reserialised(web, client):
    token = connect(web)
    run = FakeRun(token)
    noted = {**SPEC_EXAMPLE, "steps": [{**SPEC_EXAMPLE["steps"][0], "notes": "Easy spin"}]}
    client.create(run, item(raw=noted))
    read = client.read_guide(token, run.refs["guideId"])
    sent = expected(client, item(raw=noted))
    assert json.dumps(read) != json.dumps(sent)  # 600.0, and "type": "default" in the notification
    assert same_guide(sent, read)


def test_bare_replies_and_a_204_delete_are_read_too(web, client):
    faults(web, envelope="bare", deleteStatus=204)
    token = connect(web)
    run = FakeRun(token)
    client.create(run, item())
    assert client.find_guide(token, "hybridpeaks-7-r2") == run.refs["guideId"]
    client.remove(run)
    assert held(web) == []


# -- the athlete's account -------------------------------------------------------------------------------

def test_the_user_is_the_tokens_user_claim(web, client):
    assert client.user_id(connect(web, "suunto-runner")) == "suunto-runner"
    assert client.permissions(connect(web)) == ["workout"]
    with pytest.raises(ProviderError, match="names no Suunto user"):
        client.user_id("opaque-token")


def test_revoke_deauthorizes_on_the_oauth_host_without_the_key(web, client, transport):
    token = connect(web)
    client.revoke(token)
    call = transport.requests[-1]
    assert (call.url.host, call.url.path, call.url.params["client_id"]) == (
        "oauth.sandbox.test", "/suunto/oauth/deauthorize", CLIENT[0])
    assert "Ocp-Apim-Subscription-Key" not in call.headers  # the OAuth host needs none
    with pytest.raises(TokenExpired):
        client.guides(token)  # our access is gone
    quiet = SuuntoApi(client.http, subscription_key=KEY)
    sent = len(transport.requests)
    quiet.revoke(token)  # no deauthorize URL configured: nothing to call
    assert len(transport.requests) == sent


# -- failures, typed ---------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_subscription_key_is_not_a_token_problem(web, heard, transport, status):
    faults(web, keyRefusedStatus=status)
    http = ProviderHttp("SUUNTO", API_BASE, timeout=5, transport=transport, on_status=heard["status"].append)
    for key in (None, "wrong-key-123456"):
        with pytest.raises(SubscriptionKeyRefused) as caught:
            SuuntoApi(http, subscription_key=key).guides(connect(web))
        # Not the athlete's token: the application's key, which an operator fixes (retried meanwhile).
        assert not isinstance(caught.value, TokenExpired) and isinstance(caught.value, ApplicationRefused)
        assert caught.value.status == status and "wrong-key" not in str(caught.value)
    assert heard["status"] == [status, status]  # the hooks hear it, once each


def test_a_refused_token_is_token_expired(web, client, heard):
    with pytest.raises(TokenExpired):
        client.guides("not-a-token")
    assert heard["status"] == [401] and [r.status_code for r in heard["responses"]] == [401]


def test_no_guides_entitlement_is_a_403_of_its_own(web, client):
    faults(web, guidesEntitled=False)
    with pytest.raises(GuidesForbidden) as caught:
        client.guides(connect(web))
    assert not isinstance(caught.value, SubscriptionKeyRefused) and "SuuntoPlus Guides" in str(caught.value)


def test_a_refused_guide_says_why_in_suuntos_words(web, client):
    run = FakeRun(connect(web))
    delivery = item()
    delivery.payload["steps"][0]["fields"][0] = {"type": "targetHeartRate", "value": 260, "min": 250, "max": 270}
    with pytest.raises(PayloadRejected, match=r"Suunto: Invalid 'guide.steps.0.fields.0.value': value is larger than "
                                              r"the allowed maximum \(250.0\)") as caught:
        client.create(run, delivery)
    assert caught.value.status == 400 and run.refs == {} and not run.tried


@pytest.mark.parametrize("retry_after", [False, 30])
def test_429_with_and_without_retry_after(web, client, retry_after):
    token = connect(web)
    faults(web, tier="developer", limits={"week": 1}, retryAfter=retry_after)
    client.guides(token)
    before = datetime.now(timezone.utc)
    with pytest.raises(RateLimited) as caught:
        client.guides(token)
    assert isinstance(caught.value, Transient) and not caught.value.ambiguous
    if retry_after:
        assert timedelta(seconds=29) <= caught.value.reset_at - before <= timedelta(seconds=32)
    else:
        assert caught.value.reset_at is None


def test_a_5xx_is_transient_and_may_have_happened(web, client):
    faults(web, failNext={"path": "/v2/guides/items", "status": 503, "count": 1})
    with pytest.raises(Transient) as caught:
        client.guides(connect(web))
    assert caught.value.ambiguous and caught.value.status == 503


# -- the key in no error and no log ------------------------------------------------------------------

def test_the_key_is_in_no_error_and_no_log_line(web, client, transport, caplog):
    caplog.set_level(logging.DEBUG)
    other = ProviderHttp("SUUNTO", API_BASE, timeout=5, transport=transport)
    token = connect(web)
    errors = []
    faults(web, failNext={"path": "/v2/guides/files", "status": 400, "count": 1,
                          "message": f"bad key {KEY} for token {{token}}"})
    for action in (lambda: client.create(FakeRun(token), item()), lambda: client.guides("not-a-token"),
                   lambda: SuuntoApi(other, subscription_key=KEY + "-wrong").guides(token)):
        try:
            action()
        except ProviderError as error:
            errors.append(str(error))
    client.create(FakeRun(token), item())
    assert len(errors) == 3 and "[redacted]" in errors[0]
    for text in [*errors, caplog.text]:
        assert KEY not in text and token not in text


def test_a_key_echoed_in_a_reply_is_redacted():
    key = "k3y-" + "s" * 28

    def answer(request):
        return httpx.Response(400, json={"error": {"description": f"subscription {key} rejected for this guide"}})

    api = SuuntoApi(ProviderHttp("SUUNTO", "https://cloudapi.test", transport=httpx.MockTransport(answer)),
                    subscription_key=key)
    with pytest.raises(PayloadRejected) as caught:
        api.guides("tok")
    assert key not in str(caught.value) and "[redacted]" in str(caught.value)


def test_the_hooks_are_installed_once_per_http():
    http = ProviderHttp("SUUNTO", "https://cloudapi.test", transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    SuuntoApi(http, subscription_key="one-key-123")
    SuuntoApi(http, subscription_key="two-key-456")
    assert [len(hooks) for hooks in http.client.event_hooks.values()] == [1, 1]


# -- reply shapes the sandbox does not play ---------------------------------------------------------------

@pytest.mark.parametrize("body, found", [
    ({"error": None, "payload": {"id": "oxrgorwo"}, "metadata": {"ts": "1"}}, "oxrgorwo"),
    ({"id": "oxrgorwo", "name": "x"}, "oxrgorwo"),
    ({"error": None, "payload": {"guideId": 12}}, "12"),
    ({"error": None, "payload": None}, None),
])
def test_a_guide_id_from_any_plausible_reply(body, found):
    assert guide_id(body) == found


@pytest.mark.parametrize("body", [[{"id": "a"}], {"payload": [{"id": "a"}]}, {"payload": {"items": [{"id": "a"}]}},
                                  {"guides": [{"id": "a"}], "total": 1}])
def test_a_listing_from_any_plausible_reply(body):
    assert rows(body) == [{"id": "a"}]


@pytest.mark.parametrize("body, text", [
    ({"error": {"description": "Conflict"}}, "Conflict"),
    ({"error": {"message": "Bad"}}, "Bad"),
    ({"error": "Plain"}, "Plain"),
    ({"statusCode": 401, "message": "Access denied"}, "Access denied"),
    ("text", "text"),
])
def test_an_error_description_from_any_plausible_reply(body, text):
    assert description(body) == text


def test_a_non_201_create_is_checked_by_listing():
    answers = iter([httpx.Response(200, json={"error": None, "payload": None}),
                    httpx.Response(200, json={"error": None, "payload": [{"id": "found123", "externalId": "x-1"}]})])
    api = SuuntoApi(ProviderHttp("SUUNTO", "https://cloudapi.test",
                                 transport=httpx.MockTransport(lambda request: next(answers))), subscription_key="k")
    assert api.create_guide("tok", b"zip", "x-1") == "found123"


def test_retry_after_as_an_http_date():
    response = httpx.Response(429, headers={"Retry-After": "Wed, 25 Nov 2026 07:00:00 GMT"})
    assert retry_at(response) == datetime(2026, 11, 25, 7, tzinfo=timezone.utc)


def test_the_declaration():
    assert (PROVIDER.name, PROVIDER.label, PROVIDER.order, PROVIDER.delivery_days) == ("SUUNTO", "Suunto", 3, 7)
    assert PROVIDER.oauth.token_auth == "client_secret_basic" and PROVIDER.client is SuuntoApi
    assert PROVIDER.quota_tiers == {"developer": (200,), "production": (100_000,)}
    assert PROVIDER.quota_windows[0].seconds == 7 * 86400 and PROVIDER.sandbox_client_id == CLIENT[0]
    key = next(s for s in PROVIDER.extra_settings if s.suffix == "SUBSCRIPTION_KEY")
    assert key.secret and key.default == KEY
    assert PROVIDER.statuses == {403: GuidesForbidden, 409: DuplicateExternalId}
    from providers import registry

    assert registry.get("SUUNTO") is PROVIDER and registry.names()[-1] == "SUUNTO"
