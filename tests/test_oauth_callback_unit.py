"""The connect callback with Authlib's requests mocked by `responses` (a unit test; the real
flow against the sandbox is in test_connections.py)."""

from __future__ import annotations

import re

import pytest
import responses

from tests.conftest import login


@pytest.fixture
def app_config():
    return {"SANDBOX_ENABLED": False, "GARMIN_TOKEN_URL": "https://garmin.test/oauth/token",
            "GARMIN_AUTHORIZE_URL": "https://garmin.test/oauth/authorize"}


@responses.activate
def test_a_token_endpoint_error_leaves_no_connection(client, people):
    coach = people.coach()
    people.athlete(coach, email="ana@example.test")
    login(client, "ana@example.test", "athlete-password")
    start = client.get("/connections/garmin/connect")
    assert start.status_code == 302 and start.headers["Location"].startswith("https://garmin.test/oauth/authorize")
    state = re.search(r"state=([^&]+)", start.headers["Location"]).group(1)
    assert "code_challenge_method=S256" in start.headers["Location"]
    responses.post("https://garmin.test/oauth/token", json={"error": "invalid_grant"}, status=400)
    page = client.get(f"/connections/garmin/callback?code=abc&state={state}", follow_redirects=True)
    assert "Garmin was not connected" in page.get_data(as_text=True)
    assert responses.calls[0].request.body.count("code_verifier=") == 1
    from core.db import db
    from core.models import DeviceConnection

    with client.application.app_context():
        assert db.session.query(DeviceConnection).count() == 0
