"""Provider clients: every documented reply shape read, every failure a typed error, no error
text carrying a token.  (Unit tests: httpx is mocked with respx; the real path, against the
sandbox over HTTP, is in test_autopush.py and test_provider_truth.py.)"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import httpx
import pytest
import respx

from providers.errors import (
    Forbidden,
    NotFound,
    PayloadRejected,
    PermissionMissing,
    RateLimited,
    TokenExpired,
    Transient,
)
from providers.garmin.api import STATUSES as GARMIN_STATUSES
from providers.garmin.api import GarminApi
from providers.http import ProviderHttp
from providers.wahoo.api import STATUSES as WAHOO_STATUSES
from providers.wahoo.api import WahooApi, rate_state

BASE = "https://provider.test"
TOKEN = "gat_Zx81kLmN0pQrStUvWxYz0123456789abcd"


@pytest.fixture
def garmin():
    return GarminApi(ProviderHttp("GARMIN", BASE, timeout=2, statuses=GARMIN_STATUSES))


@pytest.fixture
def wahoo():
    return WahooApi(ProviderHttp("WAHOO", BASE, timeout=2, statuses=WAHOO_STATUSES))


@respx.mock
@pytest.mark.parametrize("status, body, error", [
    (401, {"errorMessage": "Unauthorized"}, TokenExpired),
    (403, {"errorMessage": "Not allowed"}, Forbidden),
    (412, {"errorMessage": "User has not granted WORKOUT_IMPORT"}, PermissionMissing),
    (404, {"errorMessage": "nope"}, NotFound),
    (400, {"errorMessage": "sport 'SKIING' is not a Garmin sport."}, PayloadRejected),
    (503, {"errorMessage": "down"}, Transient),
    (500, "<html>oops</html>", Transient),
])
def test_garmin_statuses_map_to_typed_errors(garmin, status, body, error):
    kwargs = {"json": body} if isinstance(body, dict) else {"text": body}
    respx.post(f"{BASE}/workoutportal/workout/v2").mock(return_value=httpx.Response(status, **kwargs))
    with pytest.raises(error) as caught:
        garmin.create_workout(TOKEN, {"workoutName": "x"})
    assert caught.value.provider == "GARMIN" and str(caught.value).startswith("Garmin: ")


@respx.mock
def test_a_cookie_set_on_one_athletes_answer_never_rides_on_the_next_call(wahoo):
    """The client is shared by every athlete's calls: nothing one answer sets goes back."""
    route = respx.get(f"{BASE}/v1/plans").mock(side_effect=[
        httpx.Response(200, json=[], headers={"Set-Cookie": "__cf_bm=athlete-a; Path=/; HttpOnly"}),
        httpx.Response(200, json=[])])
    wahoo.http.call("GET", "/v1/plans", "token-of-a")
    wahoo.http.call("GET", "/v1/plans", "token-of-b")
    assert "cookie" not in route.calls[1].request.headers
    assert route.calls[1].request.headers["Authorization"] == "Bearer token-of-b"


@respx.mock
def test_wahoo_403_is_a_missing_scope_to_grant_by_reconnecting(wahoo):
    respx.get(f"{BASE}/v1/plans").mock(return_value=httpx.Response(403, json={"error": "Forbidden"}))
    with pytest.raises(PermissionMissing):
        wahoo.find_plan(TOKEN, "hybridpeaks-1-r1")


@respx.mock
def test_a_rejection_says_why_in_the_providers_words(garmin):
    respx.post(f"{BASE}/workoutportal/workout/v2").mock(
        return_value=httpx.Response(400, json={"errorMessage": "A workout has at most 100 steps; this one has 120."}))
    with pytest.raises(PayloadRejected, match="at most 100 steps; this one has 120"):
        garmin.create_workout(TOKEN, {})


@respx.mock
def test_an_error_body_that_echoes_the_token_is_redacted(garmin):
    respx.post(f"{BASE}/workoutportal/workout/v2").mock(return_value=httpx.Response(
        422, json={"errorMessage": f"token {TOKEN} cannot import; refresh_token=grt_secretvalue123 invalid"}))
    with pytest.raises(PayloadRejected) as caught:
        garmin.create_workout(TOKEN, {})
    assert TOKEN not in str(caught.value) and "grt_secretvalue123" not in str(caught.value)
    assert "[redacted]" in str(caught.value)


@respx.mock
@pytest.mark.parametrize("reply", [123, "123", {"scheduleId": 123}, {"scheduleId": 123, "workoutId": 9,
                                                                      "date": "2026-11-24"}])
def test_a_garmin_schedule_reply_is_read_as_a_bare_id_or_the_schedule(garmin, reply):
    route = respx.post(f"{BASE}/training-api/schedule/").mock(return_value=httpx.Response(200, json=reply))
    assert garmin.schedule(TOKEN, "9", date(2026, 11, 24)) == "123"
    assert json.loads(route.calls.last.request.content) == {"workoutId": 9, "date": "2026-11-24"}


@respx.mock
def test_a_lost_garmin_schedule_is_found_again_by_date(garmin):
    route = respx.get(f"{BASE}/training-api/schedule").mock(return_value=httpx.Response(200, json=[
        {"scheduleId": 7, "workoutId": 8, "date": "2026-11-24"}, {"scheduleId": 70, "workoutId": 9, "date": "2026-11-24"}]))
    assert garmin.find_schedule(TOKEN, "9", date(2026, 11, 24)) == "70"
    assert garmin.find_schedule(TOKEN, "10", date(2026, 11, 24)) is None
    assert dict(route.calls.last.request.url.params) == {"startDate": "2026-11-24", "endDate": "2026-11-24"}


@respx.mock
@pytest.mark.parametrize("body", [["WORKOUT_IMPORT", "ACTIVITY_EXPORT"], {"permissions": ["WORKOUT_IMPORT",
                                                                                          "ACTIVITY_EXPORT"]}])
def test_garmin_permissions_are_read_as_an_array_or_an_object_holding_one(garmin, body):
    respx.get(f"{BASE}/wellness-api/rest/user/permissions").mock(return_value=httpx.Response(200, json=body))
    assert garmin.permissions(TOKEN) == ["WORKOUT_IMPORT", "ACTIVITY_EXPORT"]


@respx.mock
def test_garmin_permissions_fall_back_to_the_training_api_path(garmin):
    respx.get(f"{BASE}/wellness-api/rest/user/permissions").mock(return_value=httpx.Response(404, json={}))
    respx.get(f"{BASE}/userPermissions/").mock(return_value=httpx.Response(200, json=["WORKOUT_IMPORT"]))
    assert garmin.permissions(TOKEN) == ["WORKOUT_IMPORT"]


@respx.mock
def test_garmin_moves_a_schedule_with_one_put(garmin):
    route = respx.put(f"{BASE}/training-api/schedule/70").mock(return_value=httpx.Response(200, json={}))
    garmin.move_schedule(TOKEN, "70", "9", date(2026, 11, 27))
    assert json.loads(route.calls.last.request.content) == {"scheduleId": 70, "workoutId": 9, "date": "2026-11-27"}


@respx.mock
def test_429_from_wahoo_carries_the_reset_time(wahoo):
    respx.post(f"{BASE}/v1/plans").mock(return_value=httpx.Response(
        429, json={"error": "Rate limit exceeded."}, headers={"X-RateLimit-Reset": "300"}))
    respx.get(f"{BASE}/v1/plans").mock(return_value=httpx.Response(429, json={}, headers={"X-RateLimit-Reset": "300"}))
    before = datetime.now(timezone.utc).timestamp()
    with pytest.raises(RateLimited) as caught:
        wahoo.create_plan(TOKEN, {"plan[external_id]": "x"})
    assert 299 <= caught.value.reset_at.timestamp() - before <= 302
    assert isinstance(caught.value, Transient) and not caught.value.ambiguous


@respx.mock
def test_429_from_garmin_has_no_reset_time(garmin):
    respx.post(f"{BASE}/training-api/schedule/").mock(return_value=httpx.Response(429, json={}))
    with pytest.raises(RateLimited) as caught:
        garmin.schedule(TOKEN, "5", date(2026, 11, 24))
    assert caught.value.reset_at is None


def test_wahoo_rate_headers_give_the_three_windows():
    response = httpx.Response(200, headers={"X-RateLimit-Limit": "5000, 1000, 200",
                                            "X-RateLimit-Remaining": "4800, 800, 0", "X-RateLimit-Reset": "300"})
    state = rate_state(response)
    assert state.limits == {"day": 5000, "hour": 1000, "5min": 200}
    assert state.remaining == {"day": 4800, "hour": 800, "5min": 0}
    assert state.exhausted == ["5min"] and state.reset_seconds == 300
    assert rate_state(httpx.Response(200)) is None


@respx.mock
@pytest.mark.parametrize("failure, ambiguous", [(httpx.ConnectError("refused"), False), (httpx.ReadTimeout("slow"), True),
                                                (httpx.RemoteProtocolError("peer closed connection"), True)])
def test_network_failures_are_transient_say_whether_the_provider_may_have_acted(garmin, failure, ambiguous):
    respx.get(f"{BASE}/wellness-api/rest/user/id").mock(side_effect=failure)
    with pytest.raises(Transient) as caught:
        garmin.user_id(TOKEN)
    assert TOKEN not in str(caught.value) and caught.value.ambiguous is ambiguous


# -- finding a Wahoo plan or workout again -------------------------------------------------------

def _plans(count, first_id=1, match_at=None):
    return [{"id": first_id + i, "external_id": "hybridpeaks-7-r2" if i == match_at else f"other-{first_id + i}",
             "deleted": False} for i in range(count)]


@respx.mock
@pytest.mark.parametrize("shape", ["array", "object"])
def test_wahoo_pages_through_plans_to_find_an_external_id(wahoo, shape):
    pages = {1: _plans(30), 2: _plans(30, 31), 3: _plans(5, 61, match_at=3)}

    def answer(request):
        page = int(request.url.params["page"])
        assert request.url.params["external_id"] == "hybridpeaks-7-r2"  # asked, whether or not Wahoo applies it
        body = pages[page] if shape == "array" else {"plans": pages[page]}
        return httpx.Response(200, json=body)

    route = respx.get(f"{BASE}/v1/plans").mock(side_effect=answer)
    assert wahoo.find_plan(TOKEN, "hybridpeaks-7-r2") == "64"
    assert route.call_count == 3
    respx.get(f"{BASE}/v1/plans").mock(return_value=httpx.Response(200, json=_plans(4)))
    assert wahoo.find_plan(TOKEN, "hybridpeaks-7-r2") is None


@respx.mock
@pytest.mark.parametrize("message", ["external_id has already been taken", "Validation failed: duplicate"])
def test_a_refused_wahoo_plan_create_looks_for_the_plan_whatever_the_message(wahoo, message):
    respx.post(f"{BASE}/v1/plans").mock(return_value=httpx.Response(422, json={"error": message}))
    respx.get(f"{BASE}/v1/plans").mock(return_value=httpx.Response(200, json=[{"id": 41, "external_id": "hybridpeaks-7-r2"}]))
    assert wahoo.create_plan(TOKEN, {"plan[external_id]": "hybridpeaks-7-r2"}) == "41"
    respx.get(f"{BASE}/v1/plans").mock(return_value=httpx.Response(200, json=[]))
    with pytest.raises(PayloadRejected, match=message):
        wahoo.create_plan(TOKEN, {"plan[external_id]": "hybridpeaks-7-r2"})


@respx.mock
def test_wahoo_finds_a_workout_by_its_token_newest_first_and_stops_past_its_day(wahoo):
    starts = datetime(2026, 11, 26, 7, tzinfo=timezone.utc)
    later = [{"id": i, "workout_token": f"x{i}", "starts": "2026-12-01T07:00:00Z"} for i in range(30)]
    ours = [{"id": 99, "workout_token": "hybridpeaks-7-r2", "starts": "2026-11-26T07:00:00Z"}]
    route = respx.get(f"{BASE}/v1/workouts").mock(side_effect=lambda request: httpx.Response(
        200, json=later if request.url.params["page"] == "1" else ours))
    assert wahoo.find_workout(TOKEN, "hybridpeaks-7-r2", starts) == "99"
    assert route.call_count == 2
    older = [{"id": i, "workout_token": f"x{i}", "starts": "2026-11-20T07:00:00Z"} for i in range(30)]
    route = respx.get(f"{BASE}/v1/workouts").mock(return_value=httpx.Response(200, json={"workouts": older}))
    calls = route.call_count
    assert wahoo.find_workout(TOKEN, "hybridpeaks-7-r2", starts) is None
    assert route.call_count - calls == 1  # past its day: no more pages


@respx.mock
def test_the_bearer_token_is_the_athletes_own(garmin):
    route = respx.get(f"{BASE}/wellness-api/rest/user/id").mock(return_value=httpx.Response(200, json={"userId": "u1"}))
    assert garmin.user_id(TOKEN) == "u1"
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
