"""Token refresh, revocation and the webhooks, against the sandbox over real HTTP.

The refresh race runs two real processes against one connection: on PostgreSQL they meet
at a row lock, on SQLite at a Redis lock on a real Redis server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import requests

from core import clients, tokens
from core.db import db
from core.models import DeviceConnection
from providers.errors import TokenRevoked
from tests.conftest import TOKEN_KEY, fresh_redis
from tests.support.pipeline import run_queued_jobs, run_scheduled_jobs_now

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_config(redis_server):
    return fresh_redis(redis_server)


@pytest.fixture
def athlete(live_athlete):
    return live_athlete


def connection_of(live, athlete_id, provider) -> DeviceConnection:
    with live.app.app_context():
        row = db.session.query(DeviceConnection).filter_by(athlete_id=athlete_id, provider=provider).one()
        db.session.expunge(row)
        return row


def sandbox_tokens(live, provider, kind="access"):
    return [t for t in live.sandbox("GET", "/_admin/tokens").json() if t["provider"] == provider and t["kind"] == kind]


def call_user_id(live, connection_id, provider):
    with live.app.app_context():
        return tokens.with_token(connection_id, clients.api(provider).user_id)


def test_a_token_near_expiry_is_refreshed_before_the_call_and_garmin_rotates_the_refresh_token(live, athlete):
    live.faults("garmin", accessTokenTtlSeconds=60)  # inside the 120 s refresh margin
    athlete.connect("garmin")
    before = connection_of(live, athlete.athlete_id, "GARMIN")
    assert call_user_id(live, before.id, "GARMIN") == before.provider_user_id
    after = connection_of(live, athlete.athlete_id, "GARMIN")
    assert after.token_version == before.token_version + 1
    refresh_tokens = sandbox_tokens(live, "garmin", "refresh")
    assert [t["revokedReason"] for t in refresh_tokens] == ["rotated", None]
    with live.app.app_context():
        assert db.session.get(DeviceConnection, after.id).refresh_token == refresh_tokens[1]["token"]


def test_a_401_refreshes_once_and_retries(live, athlete):
    athlete.connect("wahoo")
    connection = connection_of(live, athlete.athlete_id, "WAHOO")
    live.faults("wahoo", expireAccessTokens=True)
    assert call_user_id(live, connection.id, "WAHOO") == connection.provider_user_id
    assert connection_of(live, athlete.athlete_id, "WAHOO").token_version == connection.token_version + 1
    # Wahoo revokes the replaced tokens once the new access token is first used.
    reasons = [t["revokedReason"] for t in sandbox_tokens(live, "wahoo")]
    assert reasons == ["replaced", None]


def test_a_refused_refresh_marks_the_connection_for_reconnecting(live, athlete):
    athlete.connect("wahoo")
    connection = connection_of(live, athlete.athlete_id, "WAHOO")
    live.faults("wahoo", revokeUser=connection.provider_user_id)
    with pytest.raises(TokenRevoked) as caught:
        call_user_id(live, connection.id, "WAHOO")
    assert "refused the refresh token" in str(caught.value)
    row = connection_of(live, athlete.athlete_id, "WAHOO")
    assert (row.status, row.status_reason) == ("REVOKED", "TOKEN_REFUSED")
    page = athlete.get("/connections").text
    assert "Reconnect needed" in page and "Reconnect Wahoo" in page
    assert "Wahoo is connected" in athlete.connect("wahoo").text
    assert connection_of(live, athlete.athlete_id, "WAHOO").status == "ACTIVE"


RACER = textwrap.dedent("""
    import json, sys, time
    from webapp import create_app
    from core import clients, tokens

    config = json.loads(sys.argv[1])
    app = create_app(config, env="testing")
    with app.app_context():
        while time.time() < config["START_AT"]:
            time.sleep(0.001)
        token = tokens.refresh(config["CONNECTION_ID"], refused_token=config["OLD_TOKEN"])
        user = clients.api("WAHOO").user_id(token)
        print(json.dumps({"token": token, "user": user}))
""")


@pytest.mark.dialect
def test_two_processes_refreshing_one_connection_end_with_one_valid_token(live, athlete, database_url, redis_server):
    """Wahoo is the hard case: every refresh rotates, a second concurrent refresh gets a bare
    400, and using one new token revokes the other.  Without the lock one process would end
    up holding a dead token, and its refresh would mark the connection REVOKED."""
    athlete.connect("wahoo")
    connection = connection_of(live, athlete.athlete_id, "WAHOO")
    live.faults("wahoo", expireAccessTokens=True, refreshLatencyMs=300)
    with live.app.app_context():
        old_token = db.session.get(DeviceConnection, connection.id).access_token
    config = {
        "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "racer", "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
        "REDIS_URL": redis_server.url, "PUBLIC_URL": live.url, "SANDBOX_ENABLED": False,
        "CONNECTION_ID": connection.id, "OLD_TOKEN": old_token, "START_AT": time.time() + 3,
    }
    env = {**os.environ, "INSTANCE_PATH": str(Path(live.app.instance_path))}
    racers = [subprocess.Popen([sys.executable, "-c", RACER, json.dumps(config)], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert results[0]["token"] == results[1]["token"] != old_token
    assert results[0]["user"] == results[1]["user"] == connection.provider_user_id
    row = connection_of(live, athlete.athlete_id, "WAHOO")
    assert row.status == "ACTIVE" and row.token_version == connection.token_version + 1
    assert len(sandbox_tokens(live, "wahoo")) == 2  # the original and exactly one refresh


def test_the_sandbox_refuses_two_wahoo_refreshes_at_once(live, athlete):
    """The fault the lock protects against, shown at the sandbox directly."""
    athlete.connect("wahoo")
    live.faults("wahoo", refreshLatencyMs=500)
    refresh = sandbox_tokens(live, "wahoo", "refresh")[0]["token"]
    form = {"grant_type": "refresh_token", "refresh_token": refresh, "client_id": "hybridpeaks-wahoo",
            "client_secret": "sandbox-secret"}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(f.result().status_code for f in [
            pool.submit(live.sandbox, "POST", "/wahoo/oauth/token", data=form) for _ in range(2)])
    assert statuses == [200, 400]


# -- Garmin's pings: a hint, confirmed with Garmin before anything changes --------------------------

def ping(live, kind, body, client_id="hybridpeaks-garmin"):
    headers = {"garmin-client-id": client_id} if client_id else {}
    return requests.post(f"{live.url}/webhooks/garmin/{kind}", json=body, headers=headers, timeout=10)


def deregistration(user_id):
    return {"deregistrations": [{"userId": user_id}]}


def test_a_real_deregistration_is_confirmed_with_garmin_and_revokes_the_connection(live, athlete):
    athlete.connect("garmin")
    connection = connection_of(live, athlete.athlete_id, "GARMIN")
    result = live.faults("garmin", revokeUser=connection.provider_user_id)  # Garmin revokes, then pings the app
    assert result["done"] == [f"revoked {connection.provider_user_id}"]
    run_queued_jobs(live.app)  # the check, made with the athlete's own token: refused
    row = connection_of(live, athlete.athlete_id, "GARMIN")
    assert (row.status, row.status_reason) == ("REVOKED", "DEREGISTERED")
    assert "You disconnected HybridPeaks in Garmin" in athlete.get("/connections").text
    # Idempotent, and a ping for someone we do not know changes nothing.
    body = {"deregistrations": [{"userId": connection.provider_user_id}, {"userId": "stranger"}]}
    assert ping(live, "deregistration", body).status_code == 200
    run_queued_jobs(live.app)
    assert connection_of(live, athlete.athlete_id, "GARMIN").status == "REVOKED"


def test_a_forged_deregistration_ping_is_answered_200_and_changes_nothing(live, athlete):
    """The client id is public (Garmin's Start Guide, 2.2): anyone can send this ping."""
    athlete.connect("garmin")
    connection = connection_of(live, athlete.athlete_id, "GARMIN")
    response = ping(live, "deregistration", deregistration(connection.provider_user_id))
    assert response.status_code == 200  # Garmin must not retry it; the sender learns nothing
    run_queued_jobs(live.app)  # the check: the athlete's token still works
    assert connection_of(live, athlete.athlete_id, "GARMIN").status == "ACTIVE"
    assert call_user_id(live, connection.id, "GARMIN") == connection.provider_user_id
    # Without our client id: answered 200 too, and not even checked; a malformed body is a 400.
    for attempt in (ping(live, "deregistration", deregistration(connection.provider_user_id), client_id=None),
                    ping(live, "deregistration", deregistration(connection.provider_user_id), client_id="x")):
        assert attempt.status_code == 200 and attempt.json() == {"received": 0}
    assert ping(live, "deregistration", {"deregistrations": "all"}).status_code == 400
    assert connection_of(live, athlete.athlete_id, "GARMIN").status == "ACTIVE"


def test_a_stale_deregistration_ping_after_reconnecting_changes_nothing(live, athlete):
    """Garmin retries pings for up to 7 days: one may arrive after the athlete reconnected."""
    athlete.connect("garmin")
    connection = connection_of(live, athlete.athlete_id, "GARMIN")
    live.app.extensions["sandbox_app"].config["SANDBOX_GARMIN_WEBHOOK_URL"] = None  # this ping is delayed
    live.faults("garmin", revokeUser=connection.provider_user_id)
    assert "is connected" in athlete.connect("garmin").text  # the athlete reconnects (same Garmin user id)
    assert ping(live, "deregistration", deregistration(connection.provider_user_id)).status_code == 200
    run_queued_jobs(live.app)
    assert connection_of(live, athlete.athlete_id, "GARMIN").status == "ACTIVE"


def test_a_withdrawn_workout_import_permission_asks_for_reconnecting_and_a_regrant_restores(live, athlete):
    athlete.connect("garmin")
    connection = connection_of(live, athlete.athlete_id, "GARMIN")
    live.faults("garmin", withdrawPermission={"user": connection.provider_user_id, "permission": "WORKOUT_IMPORT"})
    run_queued_jobs(live.app)  # the permissions call, with the athlete's token, shows it gone
    row = connection_of(live, athlete.athlete_id, "GARMIN")
    assert (row.status, row.status_reason) == ("REVOKED", "PERMISSION_MISSING")
    assert "allow workout import when you reconnect" in athlete.get("/connections").text
    live.faults("garmin", grantPermission={"user": connection.provider_user_id, "permission": "WORKOUT_IMPORT"})
    run_queued_jobs(live.app)
    # Within minutes of the first ping, the second is folded into the next slot's check (never lost).
    run_scheduled_jobs_now(live.app)
    assert connection_of(live, athlete.athlete_id, "GARMIN").status == "ACTIVE"


def test_a_forged_permission_ping_changes_nothing(live, athlete):
    athlete.connect("garmin")
    connection = connection_of(live, athlete.athlete_id, "GARMIN")
    body = {"userPermissionsChange": [{"userId": connection.provider_user_id, "permissions": ["ACTIVITY_EXPORT"]}]}
    assert ping(live, "permissions", body).status_code == 200
    run_queued_jobs(live.app)  # Garmin says WORKOUT_IMPORT is still granted
    assert connection_of(live, athlete.athlete_id, "GARMIN").status == "ACTIVE"
