"""Device connections over real HTTP: the app on a port, the sandbox's consent pages and token
endpoint, and Authlib and httpx doing the work (nothing mocked)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from core.db import db
from core.models import DeviceConnection


@pytest.fixture
def athlete(live_athlete):
    return live_athlete


def api_connections(live, athlete):
    return athlete.get("/api/v1/connections", headers={"Authorization": f"Bearer {athlete.token}"}).json()


def connection(live, athlete_id, provider):
    with live.app.app_context():
        row = db.session.query(DeviceConnection).filter_by(athlete_id=athlete_id, provider=provider).one_or_none()
        if row is not None:
            db.session.expunge(row)
        return row


def test_athlete_connects_both_providers_picks_a_primary_and_disconnects_one(live, athlete):
    page = athlete.connect("garmin")
    assert "Garmin is connected and is your primary device." in page.text
    page = athlete.connect("wahoo")
    assert "Wahoo is connected." in page.text
    listed = api_connections(live, athlete)
    assert [(c["provider"], c["status"], c["primary"]) for c in listed] == [
        ("GARMIN", "ACTIVE", True), ("WAHOO", "ACTIVE", False)]

    page = athlete.submit(athlete.get("/connections"), button="Make primary")
    assert "New workouts now go to Wahoo." in page.text
    assert [c["primary"] for c in api_connections(live, athlete)] == [False, True]

    # Disconnecting the primary revokes it at Wahoo and promotes Garmin.
    response = athlete.submit(athlete.get("/connections"), button="Disconnect", action="wahoo/disconnect")
    assert "Wahoo is disconnected." in response.text
    assert [(c["provider"], c["primary"]) for c in api_connections(live, athlete)] == [("GARMIN", True)]
    tokens = live.sandbox("GET", "/_admin/tokens").json()
    assert all(t["revoked"] for t in tokens if t["provider"] == "wahoo")
    assert not any(t["revoked"] for t in tokens if t["provider"] == "garmin")


def test_the_connections_api_never_shows_a_token(live, athlete):
    athlete.connect("garmin")
    body = athlete.get("/api/v1/connections", headers={"Authorization": f"Bearer {athlete.token}"}).text
    issued = [t["token"] for t in live.sandbox("GET", "/_admin/tokens").json()]
    assert issued and not any(token in body for token in issued)
    assert not any(token in athlete.get("/connections").text for token in issued)


def test_primary_rules_through_the_api(live, athlete):
    athlete.connect("garmin")
    headers = {"Authorization": f"Bearer {athlete.token}"}
    response = athlete.session.put(f"{live.url}/api/v1/connections/primary", json={"provider": "WAHOO"},
                                   headers=headers)
    assert response.status_code == 404
    response = athlete.session.put(f"{live.url}/api/v1/connections/primary", json={"provider": "POLAR"},
                                   headers=headers)
    assert response.status_code == 422


def test_refusing_consent_leaves_no_connection(live, athlete):
    page = athlete.connect("garmin", allow=False)
    assert "Garmin was not connected: you chose not to allow it." in page.text
    assert api_connections(live, athlete) == []


def test_a_tampered_state_is_refused_and_leaves_no_connection(live, athlete):
    consent = athlete.get("/connections/garmin/connect")
    redirect = athlete.submit(consent, button="allow", allow_redirects=False)
    location = urlsplit(redirect.headers["Location"])
    query = parse_qs(location.query)
    forged = f"{location.path}?code={query['code'][0]}&state=forged-{query['state'][0][:8]}"
    page = athlete.get(forged)
    assert "that sign-in link was already used or has expired" in page.text
    assert api_connections(live, athlete) == []


def test_a_tampered_pkce_challenge_is_refused_by_the_provider(live, athlete):
    start = athlete.get("/connections/garmin/connect", allow_redirects=False)
    authorize = start.headers["Location"].replace("code_challenge=", "code_challenge=x")
    consent = athlete.get(authorize)
    page = athlete.submit(consent, button="allow")
    assert "Garmin was not connected: Garmin did not confirm the sign-in." in page.text
    assert api_connections(live, athlete) == []


def test_a_replayed_callback_adds_nothing_and_a_replayed_code_revokes_its_tokens(live, athlete):
    consent = athlete.get("/connections/garmin/connect")
    redirect = athlete.submit(consent, button="allow", allow_redirects=False)
    callback = redirect.headers["Location"]
    assert "Garmin is connected" in athlete.get(callback).text
    page = athlete.get(callback)
    assert "that sign-in link was already used or has expired" in page.text
    assert len(api_connections(live, athlete)) == 1
    # At the provider itself, the same code exchanged twice revokes what it gave.
    code = parse_qs(urlsplit(callback).query)["code"][0]
    replay = live.sandbox("POST", "/garmin/oauth/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": callback.split("?")[0],
        "code_verifier": "x" * 50, "client_id": "hybridpeaks-garmin", "client_secret": "sandbox-secret"})
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert all(t["revoked"] for t in live.sandbox("GET", "/_admin/tokens").json())


def test_the_consent_page_needs_pkce_and_state(live):
    base = "/garmin/oauth/authorize?response_type=code&client_id=hybridpeaks-garmin&redirect_uri=http://x/cb"
    for missing in ("&state=s", "&code_challenge=abc&code_challenge_method=S256"):
        response = live.sandbox("GET", base + missing)
        assert response.status_code == 400
    response = live.sandbox("GET", base + "&state=s&code_challenge=abc&code_challenge_method=plain")
    assert response.status_code == 400 and "S256" in response.text


def test_connecting_garmin_without_workout_import_is_refused_with_a_clear_message(live, athlete):
    page = athlete.connect("garmin", data={"grant": "ACTIVITY_EXPORT"}, drop=("grant",))
    assert "without the workout import permission" in page.text
    assert api_connections(live, athlete) == []


def test_reconnecting_replaces_the_tokens_and_keeps_the_primary(live, athlete):
    athlete.connect("garmin")
    first = connection(live, athlete.athlete_id, "GARMIN")
    athlete.connect("garmin")
    second = connection(live, athlete.athlete_id, "GARMIN")
    assert second.id == first.id and second.access_token_enc != first.access_token_enc and second.is_primary


def test_pages_need_the_athlete_role(live, live_people):
    coach = live.browser()
    live_people.coach(email="c2@example.test", password="coach-password")
    coach.login("c2@example.test", "coach-password")
    assert coach.get("/connections").status_code == 403
    assert coach.get("/connections/garmin/connect", allow_redirects=False).status_code == 403
    anonymous = live.browser()
    assert "/login" in anonymous.get("/connections").url
