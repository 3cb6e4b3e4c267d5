"""The embedded default, as `make run` starts it (`flask serve`) and as a Flask developer
starts it (`flask run`): no Redis server, the jobs running in a worker thread of the web
process on in-memory queues, and logs a person reads in a terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests

from core.clock import monday_of
from tests.support.browser import Browser
from tests.support.pipeline import wait_for
from tests.support.servers import free_port, wait_for_port
from tests.support.workouts import EASY_RUN

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parent.parent
FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture(params=["serve", "run"], scope="module")
def served(tmp_path_factory, request):
    """The product as `make run` starts it (each test here works in its own week of the demo)."""
    tmp_path = tmp_path_factory.mktemp(f"embedded-{request.param}")
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "APP_ENV")},
           "INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": f"http://127.0.0.1:{port}", "FLASK_APP": "wsgi",
           "EXPORT_RETRY_DELAYS": "1,1", "EXPORT_RETRY_JITTER": "0"}
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([FLASK, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen([FLASK, request.param, "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    wait_for_port(port)
    env["LOG"] = str(tmp_path / "serve.log")
    yield f"http://127.0.0.1:{port}", env
    server.terminate()
    server.wait(10)


def real_days(*offsets: int) -> tuple[str, list[str]]:
    """The served app keeps real time (it is not in testing): the Monday of a week holding
    today + each offset, and those days (all inside one week, inside every delivery window)."""
    today = date.today()
    start = today if today.weekday() <= 6 - max(offsets) else today + timedelta(days=7 - today.weekday())
    return monday_of(start).isoformat(), [(start + timedelta(days=o)).isoformat() for o in offsets]


def demo_coach(url: str, env: dict) -> tuple[dict, int]:
    """The demo coach's API headers (a token from `flask users token`) and Ana's id."""
    token = subprocess.run([FLASK, "users", "token", "coach@hybridpeaks.test"], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True).stdout.strip()
    headers = {"Authorization": f"Bearer {token}"}
    return headers, requests.get(f"{url}/api/v1/athletes", headers=headers, timeout=10).json()[0]["id"]


def plan_of(url: str, headers: dict, athlete_id: int, week: str) -> int:
    """The athlete's plan of that week (the seed may have made it), created if missing."""
    found = requests.get(f"{url}/api/v1/plans?athleteId={athlete_id}&weekStart={week}", headers=headers,
                         timeout=10).json()
    if found:
        return found[0]["id"]
    return requests.post(f"{url}/api/v1/plans", headers=headers, timeout=10,
                         json={"athleteId": athlete_id, "weekStart": week, "sessions": []}).json()["id"]


def test_the_demo_coach_saves_a_plan_and_the_sandbox_holds_it_within_seconds(served):
    url, env = served
    ana = Browser(url)
    ana.login("ana@hybridpeaks.test", "ana-demo-2026")
    assert "Garmin is connected" in ana.connect("garmin").text
    headers, ana_id = demo_coach(url, env)
    week, (first, second) = real_days(0, 2)
    response = requests.put(f"{url}/api/v1/plans/{plan_of(url, headers, ana_id, week)}", headers=headers, timeout=10,
                            json={"sessions": [
                                {"date": first, "type": "ENDURANCE", "title": "Easy", "workout": EASY_RUN},
                                {"date": second, "type": "ENDURANCE", "title": "Easy again", "workout": EASY_RUN}]})
    assert response.status_code == 200, response.text
    ids = [s["id"] for s in response.json()["sessions"]]

    def sent():
        statuses = [requests.get(f"{url}/api/v1/sessions/{i}", headers=headers, timeout=10).json()["exportStatus"]
                    for i in ids]
        return statuses == ["SENT", "SENT"]

    wait_for(sent, timeout=20, message="both sessions SENT")
    schedules = requests.get(f"{url}/sandbox/_admin/workouts?provider=garmin", timeout=10).json()["schedules"]
    assert {first, second} <= {s["date"] for s in schedules}
    log = Path(env["LOG"]).read_text()
    assert "Jobs run in this process" in log  # said at start, by `flask serve` and `flask run` alike
    attempts = [line for line in log.splitlines() if " export attempt " in line and "outcome=SENT" in line
                and any(f"session_id={i} " in line for i in ids)]
    assert len(attempts) == 2, log[-3000:]
    assert not any(line.lstrip().startswith("{") for line in log.splitlines())  # text, not JSON
    assert all("provider=GARMIN" in line and "rq_job_id=export-" in line for line in attempts)
    assert "rq_job_id=[redacted]" not in log and "access_token" not in log


def test_retries_run_on_the_embedded_scheduler(served):
    url, env = served
    ana = Browser(url)
    ana.login("ana@hybridpeaks.test", "ana-demo-2026")
    ana.connect("garmin")
    requests.put(f"{url}/sandbox/_admin/faults", json={
        "provider": "garmin", "failNext": {"path": "/workoutportal/workout/v2", "status": 503, "count": 1}}, timeout=10)
    headers, ana_id = demo_coach(url, env)
    week, (first,) = real_days(1)
    session_id = requests.put(f"{url}/api/v1/plans/{plan_of(url, headers, ana_id, week)}", headers=headers,
                              timeout=10, json={"sessions": [{"date": first, "type": "ENDURANCE", "workout": EASY_RUN}]}
                              ).json()["sessions"][0]["id"]
    wait_for(lambda: requests.get(f"{url}/api/v1/sessions/{session_id}", headers=headers, timeout=10)
             .json()["exportStatus"] == "SENT", timeout=20, message="SENT after a retry")
