"""Provider clients: every failure becomes a typed error, and no error text carries a token.
(Unit tests: httpx is mocked with respx; Authlib's requests with responses.)"""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest
import respx

from providers.errors import NotFound, PayloadRejected, PermissionMissing, RateLimited, TokenExpired, Transient
from providers.garmin_api import GarminApi
from providers.http import ProviderHttp
from providers.wahoo_api import WahooApi

BASE = "https://provider.test"
TOKEN = "gat_Zx81kLmN0pQrStUvWxYz0123456789abcd"


@pytest.fixture
def garmin():
    return GarminApi(ProviderHttp("GARMIN", BASE, timeout=2))


@pytest.fixture
def wahoo():
    return WahooApi(ProviderHttp("WAHOO", BASE, timeout=2))


@respx.mock
@pytest.mark.parametrize("status, body, error", [
    (401, {"errorMessage": "Unauthorized"}, TokenExpired),
    (412, {"errorMessage": "User has not granted WORKOUT_IMPORT"}, PermissionMissing),
    (404, {"errorMessage": "nope"}, NotFound),
    (400, {"errorMessage": "sport 'SKIING' is not a Garmin sport."}, PayloadRejected),
    (503, {"errorMessage": "down"}, Transient),
    (500, "<html>oops</html>", Transient),
])
def test_statuses_map_to_typed_errors(garmin, status, body, error):
    kwargs = {"json": body} if isinstance(body, dict) else {"text": body}
    respx.post(f"{BASE}/workoutportal/workout/v2").mock(return_value=httpx.Response(status, **kwargs))
    with pytest.raises(error) as caught:
        garmin.create_workout(TOKEN, {"workoutName": "x"})
    assert caught.value.provider == "GARMIN" and str(caught.value).startswith("Garmin: ")


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
def test_429_from_wahoo_carries_the_reset_time(wahoo):
    reset = int(datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp())
    respx.post(f"{BASE}/v1/plans").mock(return_value=httpx.Response(
        429, json={"error": "Rate limit exceeded."}, headers={"X-RateLimit-Reset": str(reset)}))
    with pytest.raises(RateLimited) as caught:
        wahoo.create_plan(TOKEN, {"plan[external_id]": "x"})
    assert caught.value.reset_at == datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert caught.value.retryable


@respx.mock
def test_429_from_garmin_has_no_reset_time(garmin):
    respx.post(f"{BASE}/training-api/schedule/").mock(return_value=httpx.Response(429, json={}))
    with pytest.raises(RateLimited) as caught:
        garmin.schedule(TOKEN, "5", datetime(2026, 11, 24).date())
    assert caught.value.reset_at is None


@respx.mock
@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"),
                                     httpx.RemoteProtocolError("peer closed connection")])
def test_network_failures_are_transient_and_name_no_url_secret(garmin, failure):
    respx.get(f"{BASE}/wellness-api/rest/user/id").mock(side_effect=failure)
    with pytest.raises(Transient) as caught:
        garmin.user_id(TOKEN)
    assert TOKEN not in str(caught.value)


@respx.mock
def test_wahoo_recovers_a_plan_a_previous_attempt_already_created(wahoo):
    respx.post(f"{BASE}/v1/plans").mock(return_value=httpx.Response(
        422, json={"error": "external_id has already been taken"}))
    respx.get(f"{BASE}/v1/plans").mock(return_value=httpx.Response(
        200, json={"plans": [{"id": 41, "external_id": "hybridpeaks-7-r2"}]}))
    assert wahoo.create_plan(TOKEN, {"plan[external_id]": "hybridpeaks-7-r2"}) == "41"


@respx.mock
def test_the_bearer_token_is_the_athletes_own(garmin):
    route = respx.get(f"{BASE}/wellness-api/rest/user/id").mock(return_value=httpx.Response(200, json={"userId": "u1"}))
    assert garmin.user_id(TOKEN) == "u1"
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {TOKEN}"
