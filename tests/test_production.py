"""The production path end to end: gunicorn (two processes, APP_ENV=production), two `rq worker`
processes, PostgreSQL, a real Redis, and the sandbox as its own process.  /metrics, scraped
from whichever gunicorn process answers, counts exactly the exports, attempts, provider
calls and token refreshes that happened in the rq workers."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

import pytest
import redis as redis_lib
import requests
from prometheus_client.parser import text_string_to_metric_families

from core.clock import monday_of
from tests.conftest import TOKEN_KEY
from tests.support.browser import Browser
from tests.support.pipeline import Client, wait_for
from tests.support.production import Production
from tests.support.workouts import EASY_RUN

pytestmark = [pytest.mark.integration, pytest.mark.postgresql]


@pytest.fixture
def production(app, database_url, redis_server, tmp_path):
    redis_server.ensure_running()
    redis_lib.Redis.from_url(redis_server.url).flushall()
    running = Production(database_url, redis_server.url, TOKEN_KEY, tmp_path).start()
    yield running
    running.stop()


def scrape(production, token: str | None = "ok") -> dict:
    headers = {"Authorization": f"Bearer {production.metrics_token if token == 'ok' else token}"} if token else {}
    response = requests.get(f"{production.url}/metrics", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    values = defaultdict(float)
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            values[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return values


def value(metrics: dict, name: str, **labels) -> float:
    return metrics.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_count_what_the_workers_did_and_only_an_operator_reads_them(production, people):
    coach = people.coach()
    athlete = people.athlete(coach, email="ana@example.test", name="Ana")
    production.workers.start(2)
    ana = Browser(production.url)
    ana.login("ana@example.test", "athlete-password")
    assert "Garmin is connected" in ana.connect("garmin").text
    api = Client(production.url, people.token(coach))

    def plan(*offsets: int) -> list[int]:
        """New sessions ``offsets`` days from today, for real: production keeps real time (the
        tests' pinned clock is for APP_ENV=testing).  Added to the week's plan (a session
        with its id is left as it is), or in a new one."""
        new_ids = []
        for offset in offsets:
            when = date.today() + timedelta(days=offset)
            session = {"date": when.isoformat(), "type": "ENDURANCE", "title": f"Run +{offset}", "workout": EASY_RUN}
            found = api.get(f"/plans?athleteId={athlete}&weekStart={monday_of(when).isoformat()}").json()
            if found:
                kept = [{k: s[k] for k in ("id", "date", "type", "title", "workout")} for s in found[0]["sessions"]]
                response = api.put(f"/plans/{found[0]['id']}", json={"sessions": kept + [session]})
            else:
                response = api.post("/plans", json={"athleteId": athlete, "weekStart": monday_of(when).isoformat(),
                                                    "sessions": [session]})
            assert response.status_code in (200, 201), response.text
            new_ids += [s["id"] for s in response.json()["sessions"] if s["date"] == when.isoformat()]
        return new_ids

    def wait(ids, status):
        for session_id in ids:
            try:
                wait_for(lambda: api.get(f"/sessions/{session_id}").json()["exportStatus"] == status, timeout=40)
            except AssertionError:
                raise AssertionError(f"not {status}: {api.get(f'/sessions/{session_id}').json()}") from None

    # Three sessions, Garmin down for one call: one retry, then all three SENT.
    production.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 503, "count": 1})
    wait(plan(1, 2, 3), "SENT")
    # One Garmin refuses: FAILED.
    production.faults("garmin", failNext={"path": "/workoutportal/workout/v2", "status": 400, "count": 1})
    wait(plan(4), "FAILED")
    # The access token expires: the next export refreshes it first.
    production.faults("garmin", expireAccessTokens=True)
    wait(plan(5), "SENT")

    scrapes = [scrape(production) for _ in range(6)]  # two gunicorn processes: the same answer from each
    metrics = scrapes[-1]
    counted = {k: v for k, v in metrics.items() if k[0].endswith(("_total", "_count", "_sum", "_bucket"))}
    assert all({k: v for k, v in s.items() if k in counted} == counted for s in scrapes)

    assert value(metrics, "hybridpeaks_exports_total", provider="GARMIN", outcome="SENT") == 4
    assert value(metrics, "hybridpeaks_exports_total", provider="GARMIN", outcome="FAILED") == 1
    assert value(metrics, "hybridpeaks_export_attempts_total", provider="GARMIN", outcome="RETRY") == 1
    attempts = sum(v for (name, labels), v in metrics.items() if name == "hybridpeaks_export_attempts_total")
    assert attempts == 4 + 1 + 1
    assert value(metrics, "hybridpeaks_export_attempt_duration_seconds_count", provider="GARMIN") == attempts
    assert value(metrics, "hybridpeaks_export_attempt_duration_seconds_bucket", provider="GARMIN", le="+Inf") == attempts
    assert value(metrics, "hybridpeaks_provider_calls_total", provider="GARMIN", status="503") == 1
    assert value(metrics, "hybridpeaks_provider_calls_total", provider="GARMIN", status="400") == 1
    assert value(metrics, "hybridpeaks_provider_calls_total", provider="GARMIN", status="401") == 1  # the expired token
    assert value(metrics, "hybridpeaks_provider_calls_total", provider="GARMIN", status="200") >= 2 * 5
    assert value(metrics, "hybridpeaks_provider_rate_limited_total", provider="GARMIN") == 0
    assert value(metrics, "hybridpeaks_token_refreshes_total", provider="GARMIN", outcome="refreshed") == 1
    calls = sum(v for (name, labels), v in metrics.items()
                if name == "hybridpeaks_provider_calls_total" and ("provider", "GARMIN") in labels)
    limit = value(metrics, "hybridpeaks_quota_limit", provider="GARMIN", window="partner minute")
    left = value(metrics, "hybridpeaks_quota_remaining", provider="GARMIN", window="partner minute")
    assert limit == 3000 and limit - left >= calls  # every call spent from the budget (OAuth ones too)
    assert value(metrics, "hybridpeaks_sessions_failed", provider="GARMIN") == 1
    assert value(metrics, "hybridpeaks_connections_reconnect_needed", provider="GARMIN") == 0
    wait_for(lambda: value(scrape(production), "hybridpeaks_queue_depth", queue="high") == 0, timeout=10)
    assert value(metrics, "hybridpeaks_oldest_waiting_job_seconds") == 0
    assert value(metrics, "hybridpeaks_metrics_source_up", source="redis") == 1
    assert value(metrics, "hybridpeaks_metrics_source_up", source="database") == 1

    assert requests.get(f"{production.url}/metrics", timeout=10).status_code == 401
    assert requests.get(f"{production.url}/metrics", headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
    # The periodic jobs were scheduled by the workers: the relay, and the retention round.
    wait_for(lambda: "jobs.retention.trim" in production.logs(), timeout=20, message="a retention round")
    logs = production.logs()
    assert "access_token" not in logs and production.metrics_token not in logs
    access = (production.log_dir / "gunicorn.log").read_text()
    assert "/connections/garmin/callback?code=[redacted]" in access  # gunicorn's access log is redacted too
    assert not re.search(r"[?&]code=(?!\[redacted\])", access)
