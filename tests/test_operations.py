"""Operating it, without a browser: /metrics' access rules and format, the operator's page and
its two actions (CSRF, audit log line), and logs a person can read."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core import clock, metrics
from core.clock import real_now
from core.db import db
from core.models import DeviceConnection, ExportJob, TrainingSession
from tests.conftest import csrf_token, login
from tests.support.workouts import EASY_RUN
from webapp import create_app


def families(text: str) -> dict:
    return {f.name: f for f in text_string_to_metric_families(text)}


# -- /metrics ----------------------------------------------------------------------------------

def test_metrics_are_open_in_development_and_report_what_was_counted(app, client):
    with app.app_context():
        metrics.count(metrics.EXPORTS, "WAHOO", "SENT", amount=3)
        for seconds in (0.05, 0.3, 0.3, 70):
            metrics.attempt("WAHOO", "SENT", seconds)
        metrics.provider_call("WAHOO", 429)
        metrics.provider_call("WAHOO", "network")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain; version=")
    found = families(response.get_data(as_text=True))
    exports = {(s.labels["provider"], s.labels["outcome"]): s.value
               for s in found["hybridpeaks_exports"].samples if s.name.endswith("_total")}
    assert exports == {("WAHOO", "SENT"): 3}
    buckets = {s.labels["le"]: s.value for s in found["hybridpeaks_export_attempt_duration_seconds"].samples
               if s.name.endswith("_bucket")}
    assert buckets["0.1"] == 1 and buckets["0.5"] == 3 and buckets["60.0"] == 3 and buckets["+Inf"] == 4  # cumulative
    calls = {s.labels["status"]: s.value for s in found["hybridpeaks_provider_calls"].samples if s.name.endswith("_total")}
    assert calls == {"429": 1, "network": 1}
    assert [s.value for s in found["hybridpeaks_provider_rate_limited"].samples if s.name.endswith("_total")] == [1]
    for name in ("hybridpeaks_queue_depth", "hybridpeaks_oldest_waiting_job_seconds", "hybridpeaks_quota_remaining",
                 "hybridpeaks_export_jobs_open", "hybridpeaks_connections_reconnect_needed"):
        assert name in found, name


def production_app(tmp_path, **settings):
    from cryptography.fernet import Fernet

    from tests.support.production import provider_settings

    return create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "REDIS_URL": "redis://127.0.0.1:1/0",
                       "SECRET_KEY": "s" * 32, "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                       **provider_settings("https://provider.example"), **settings},
                      env="production")


def test_in_production_metrics_need_the_token_and_are_off_without_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SANDBOX_ENABLED", raising=False)
    assert production_app(tmp_path).test_client().get("/metrics").status_code == 404
    client = production_app(tmp_path, METRICS_TOKEN="scrape-me-please").test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    assert answer.status_code == 200  # Redis and the tables are out of reach here: said, not hidden
    up = {s.labels["source"]: s.value for s in families(answer.get_data(as_text=True))["hybridpeaks_metrics_source_up"].samples}
    assert up == {"redis": 0, "database": 0, "quota": 0}


# -- the operator's page ------------------------------------------------------------------------

@pytest.fixture
def trouble(app, people, api_as):
    """A stuck job, an idle one, a retrying one, FAILED sessions and a connection to reconnect."""
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test", name="Ana")
    other = people.athlete(coach, email="bo@example.test", name="Bo")
    people.operator()
    plan = api_as(coach).post("/plans", json={"athleteId": athlete, "weekStart": "2026-11-23", "sessions": [
        {"date": f"2026-11-{d}", "type": "ENDURANCE", "title": f"Run {d}", "workout": EASY_RUN}
        for d in (24, 25, 26, 27, 28)]}).json
    ids = [s["id"] for s in plan["sessions"]]
    # The shown clock is the real one moved by a fixed offset, so "now" is read here, not at import:
    # late in a long run a constant would be many minutes old.
    with app.app_context():
        now = clock.now()
        connection = DeviceConnection(athlete_id=athlete, provider="GARMIN", provider_user_id="g1", is_primary=True)
        connection.set_tokens("access-value", "refresh-value", None)
        revoked = DeviceConnection(athlete_id=other, provider="WAHOO", provider_user_id="w1", is_primary=True,
                                   status="REVOKED", status_reason="DEREGISTERED")
        revoked.set_tokens("access-value-2", None, None)
        db.session.add_all([connection, revoked])
        db.session.query(ExportJob).delete()
        jobs = {
            "stuck": ExportJob(session_id=ids[0], athlete_id=athlete, provider="GARMIN", revision=1, status="PROCESSING",
                               attempts=1, next_attempt_at=now, lease_expires_at=real_now() - timedelta(minutes=3)),
            "idle": ExportJob(session_id=ids[1], athlete_id=athlete, provider="GARMIN", revision=1, status="PENDING",
                              next_attempt_at=now - timedelta(minutes=20)),
            "retrying": ExportJob(session_id=ids[2], athlete_id=athlete, provider="GARMIN", revision=1,
                                  status="PENDING", attempts=2, last_error="Garmin: no answer in time",
                                  next_attempt_at=now + timedelta(minutes=2)),
            "retrying, in an attempt": ExportJob(session_id=ids[1], athlete_id=athlete, provider="GARMIN", revision=1,
                                                 status="PROCESSING", attempts=3, last_error="Garmin: 503 Service Unavailable",
                                                 next_attempt_at=now - timedelta(seconds=1),
                                                 lease_expires_at=real_now() + timedelta(minutes=3)),
            "done": ExportJob(session_id=ids[2], athlete_id=athlete, provider="GARMIN", revision=1, status="COMPLETED",
                              finished_at=now),
            "refused": ExportJob(session_id=ids[3], athlete_id=athlete, provider="GARMIN", revision=1, status="FAILED",
                                 failure_kind="REJECTED", finished_at=now),
            "refused again": ExportJob(session_id=ids[4], athlete_id=athlete, provider="GARMIN", revision=1,
                                       status="FAILED", failure_kind="REJECTED", finished_at=now),
        }
        db.session.add_all(jobs.values())
        for session_id, error in ((ids[3], "Garmin: workoutName refused (not retried: the workout must change)"),
                                  (ids[4], "Garmin: workoutName refused (not retried: the workout must change)")):
            session = db.session.get(TrainingSession, session_id)
            session.export_status, session.export_provider, session.last_export_error = "FAILED", "GARMIN", error
        db.session.commit()
        return {"ids": ids, "jobs": {k: v.id for k, v in jobs.items()}}


def operator_client(client):
    login(client, "operator@example.test", "operator-password")
    return client


def test_the_operator_page_lists_what_is_stuck_failing_and_disconnected(app, client, trouble):
    page = operator_client(client).get("/operator").get_data(as_text=True)
    jobs = trouble["jobs"]
    assert re.search(rf'id="job-{jobs["stuck"]}" data-state="stuck"', page)
    assert re.search(rf'id="job-{jobs["idle"]}" data-state="not taken"', page) and "due for 20 min" in page
    assert re.search(rf'id="job-{jobs["retrying"]}" data-state="retrying"', page) and "no answer in time" in page
    # A job that failed before and is in its next attempt is still retrying: an operator sees it between attempts and in them.
    assert re.search(rf'id="job-{jobs["retrying, in an attempt"]}" data-state="retrying"', page) and "503" in page
    assert f'id="job-{jobs["done"]}"' not in page
    failed = re.search(r'<tr data-provider="GARMIN" data-kind="REJECTED">(.*?)</tr>', page, re.S).group(1)
    assert "The provider refused the workout" in failed and "<td>2</td>" in failed and "2 × Garmin: workoutName" in failed
    assert "Connections to reconnect (1)" in page and "Bo" in page and "deregistered" in page
    assert "No worker is running" in page  # the embedded test app runs none
    assert "access-value" not in page


def test_requeue_and_retry_all_failed_are_posts_with_an_audit_line(app, client, trouble, caplog):
    operator_client(client)
    jobs = trouble["jobs"]
    assert client.post(f"/operator/jobs/{jobs['stuck']}/requeue").status_code == 400  # no CSRF token
    token = csrf_token(client, "/operator")
    with caplog.at_level(logging.INFO, logger="webapp.operator.audit"):
        assert client.post(f"/operator/jobs/{jobs['stuck']}/requeue", data={"csrf_token": token}).status_code == 302
        refused = client.post(f"/operator/jobs/{jobs['done']}/requeue", data={"csrf_token": token}, follow_redirects=True)
        assert "Only an open job" in refused.get_data(as_text=True)
        answer = client.post("/operator/providers/garmin/retry-failed", data={"csrf_token": token}, follow_redirects=True)
    assert "2 FAILED Garmin sessions queued again" in answer.get_data(as_text=True)
    with app.app_context():
        stuck = db.session.get(ExportJob, jobs["stuck"])
        assert stuck.status == "PENDING" and stuck.lease_expires_at is None
        assert {db.session.get(TrainingSession, i).export_status for i in trouble["ids"][3:]} == {"PENDING"}
    lines = [r for r in caplog.records if r.name == "webapp.operator.audit"]
    assert [(r.fields["action"], r.fields["outcome"]) for r in lines] == [
        ("requeue", "requeued"), ("requeue", "refused"), ("retry failed", "retried")]
    assert lines[0].fields["export_job_id"] == jobs["stuck"] and lines[2].fields["retried"] == 2
    assert all(r.fields["operator_id"] for r in lines)


def test_an_operator_sees_no_plan_and_others_no_operator_page(client, trouble):
    login(client, "coach@example.test", "coach-password")
    assert client.get("/operator").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/plans/overview")})
    operator_client(client)
    assert client.get("/").headers["Location"].endswith("/operator")
    assert client.get(f"/sessions/{trouble['ids'][0]}").status_code in (403, 404)


# -- logs a person can read ----------------------------------------------------------------------

def test_text_and_json_logs_carry_the_same_fields_and_hide_only_secrets():
    from core.logs import configure_logging, log_event

    lines = {}
    for fmt in ("text", "json"):
        buffer = io.StringIO()
        configure_logging("INFO", stream=buffer, fmt=fmt)
        log_event(logging.getLogger("jobs.export"), "export attempt", session_id=12, provider="GARMIN",
                  rq_job_id="3f2b8c1e-9d4a-4e7b-a1c2-5b6d7e8f9a0b", worker="a91c3e5d7f2b4c6e8a0b1c3d5e7f9a1b",
                  error="refused Bearer eyJhbGciOiJIUzI1NiJ9.secret-part.sig and access_token=abc123", outcome="RETRY")
        lines[fmt] = buffer.getvalue().strip()
    configure_logging("INFO")
    entry = json.loads(lines["json"])
    text = lines["text"]
    assert re.match(r"\d\d:\d\d:\d\d INFO    export attempt  session_id=12 provider=GARMIN ", text)
    for key in ("session_id", "provider", "rq_job_id", "worker", "error", "outcome"):
        assert f"{key}=" in text and key in entry
    for line in (text, lines["json"]):
        assert "3f2b8c1e-9d4a-4e7b-a1c2-5b6d7e8f9a0b" in line and "a91c3e5d7f2b4c6e8a0b1c3d5e7f9a1b" in line
        assert "eyJhbGciOiJIUzI1NiJ9" not in line and "abc123" not in line and "[redacted]" in line
