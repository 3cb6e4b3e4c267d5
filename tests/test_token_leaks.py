"""Tokens never leave in clear: not in the database's bytes, not in any log line (at DEBUG),
not on any page or API response."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from core import clients, tokens
from core.db import db
from core.logs import configure_logging
from core.models import DeviceConnection


@pytest.fixture
def captured_logs():
    buffer = io.StringIO()
    configure_logging("DEBUG", stream=buffer)
    for name in ("httpx", "httpcore", "urllib3", "authlib", "werkzeug"):
        logging.getLogger(name).setLevel("DEBUG")
    yield buffer
    configure_logging("INFO")


def database_bytes(live, database_url) -> bytes:
    with live.app.app_context():
        if database_url.startswith("sqlite"):
            db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
            path = Path(database_url.replace("sqlite:///", ""))
            files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
        else:
            db.session.execute(text("CHECKPOINT"))
            db.session.commit()
            data_dir = Path(db.session.execute(text("SHOW data_directory")).scalar())
            files = [p for p in data_dir.rglob("*") if p.is_file()]
    return b"".join(p.read_bytes() for p in files)


def test_no_token_code_or_secret_leaks(live, live_people, database_url, captured_logs):
    coach = live_people.coach()
    athlete_id = live_people.athlete(coach, email="ana@example.test")
    browser = live.browser()
    browser.login("ana@example.test", "athlete-password")
    codes = []
    for provider in ("garmin", "wahoo"):
        consent = browser.get(f"/connections/{provider}/connect")
        redirect = browser.submit(consent, button="allow", allow_redirects=False)
        codes.append(parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0])
        assert "is connected" in browser.get(redirect.headers["Location"]).text
    # Refresh both, so that rotated tokens are in play too.
    for provider in ("garmin", "wahoo"):
        live.faults(provider, expireAccessTokens=True)
    with live.app.app_context():
        for row in db.session.query(DeviceConnection).filter_by(athlete_id=athlete_id):
            tokens.with_token(row.id, clients.api(row.provider).user_id)

    secrets = [t["token"] for t in live.sandbox("GET", "/_admin/tokens").json()] + codes + ["sandbox-secret"]
    assert len(secrets) >= 9
    api_token = live_people.token(athlete_id)
    surfaces = {
        "logs": captured_logs.getvalue(),
        "connections page": browser.get("/connections").text,
        "week page": browser.get("/week").text,
        "connections API": browser.get("/api/v1/connections", headers={"Authorization": f"Bearer {api_token}"}).text,
    }
    assert "refresh" in surfaces["logs"]  # the logs did capture the flow
    for name, content in surfaces.items():
        leaked = [s[:8] for s in secrets if s in content]
        assert not leaked, f"{name} shows {leaked}"
    stored = database_bytes(live, database_url)
    leaked = [s[:8] for s in secrets[:-1] if s.encode() in stored]
    assert not leaked, f"the database holds {leaked} in clear"
