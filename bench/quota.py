"""Bulk pushes at the providers' tightest published quotas, with every window compressed by
the same factor on both sides (the sandbox enforces, our quota paces):

1. Wahoo's sandbox tier, three windows at once (25 per 5 minutes, 100 per hour, 250 per
   day): athletes connect with WAHOO_SESSIONS waiting sessions between them.
2. Garmin's evaluation key (100 per minute per partner, 200 per athlete per day): one athlete
   connects with GARMIN_SESSIONS waiting, more than a day allows.

For each: calls made, 429s, sessions FAILED, the most calls that fell in any one window
(from the sandbox's own request log) against that window's limit, and the time taken.
Goal: zero 429s, nothing FAILED, every window at or under its limit.

Run: python -m bench.quota   (about six minutes; WAHOO_SCALE, GARMIN_SCALE to change the
compression, WAHOO_SESSIONS, GARMIN_SESSIONS the sizes; BENCH_SMOKE=1: a few sessions, one
worker, no window reached)
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import requests

from bench.common import size, table
from bench.harness import make_app, people, serve, servers, wait_for_workers, waiting_sessions, worker_env
from tests.support.browser import Browser
from tests.support.pipeline import Workers

WAHOO_SCALE = float(os.environ.get("WAHOO_SCALE", "0.02"))  # 5 min -> 6 s, an hour -> 72 s
GARMIN_SCALE = float(os.environ.get("GARMIN_SCALE", "0.002"))  # a day -> 173 s
WAHOO_SESSIONS = size("WAHOO_SESSIONS", 60, 3)
GARMIN_SESSIONS = size("GARMIN_SESSIONS", 120, 2)
WORKERS = size("BENCH_WORKERS", 4, 1)
CASES = {
    "WAHOO": {"scale": WAHOO_SCALE, "sessions": WAHOO_SESSIONS, "athletes": 3, "tier": "sandbox",
              "settings": {"WAHOO_QUOTA_TIER": "sandbox"}, "faults": {"tier": "sandbox"},
              "windows": [("5 minutes", 300, 25, None), ("hour", 3600, 100, None), ("day", 86400, 250, None)]},
    "GARMIN": {"scale": GARMIN_SCALE, "sessions": GARMIN_SESSIONS, "athletes": 1, "tier": "evaluation",
               "settings": {"GARMIN_QUOTA_TIER": "evaluation"}, "faults": {"tier": "evaluation"},
               "windows": [("partner minute", 60, 100, None), ("athlete day", 86400, 200, "user")]},
}


def scaled(seconds: float, scale: float) -> int:
    return max(1, round(seconds * scale))  # as both sides count compressed windows


def most_in_a_window(times: list[float], seconds: float) -> int:
    times, best, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(provider: str) -> list[list]:
    case = CASES[provider]
    scale = case["scale"]
    settings = {"GARMIN_DELIVERY_DAYS": 3650, "WAHOO_DELIVERY_DAYS": 3650, "QUOTA_TIME_SCALE": scale,
                "RELAY_INTERVAL_SECONDS": 1, **case["settings"]}
    with servers(postgres=True) as (database_url, redis):
        app = make_app(database_url, redis.url, **settings)
        server = serve(app)
        try:
            requests.put(f"{server.url}/sandbox/_admin/faults", timeout=10, json={
                "provider": provider.lower(), "windowScale": scale, **case["faults"]})
            coach_token, athletes = people(app, case["athletes"], provider=None)
            per_athlete = case["sessions"] // case["athletes"]
            monday = date.today() + timedelta(days=7 - date.today().weekday())
            for athlete, _ in athletes:
                waiting_sessions(app, coach_token, athlete, per_athlete, monday, per_plan=49)
            pool = Workers(worker_env(database_url, redis.url, server.url, **settings),
                           Path(tempfile.mkdtemp(prefix="bench-quota-")))
            pool.start(WORKERS)
            wait_for_workers(redis.url, WORKERS)
            started = time.perf_counter()
            for index in range(case["athletes"]):
                browser = Browser(server.url)
                browser.login(f"bench-athlete{index}@example.test", "athlete-password")
                assert "is connected" in browser.connect(provider.lower()).text
            total = per_athlete * case["athletes"]
            while (done := finished(app)) < total:
                time.sleep(0.5)
            elapsed = time.perf_counter() - started
            pool.stop_all()
            seen = requests.get(f"{server.url}/sandbox/_admin/requests?provider={provider.lower()}", timeout=60).json()
            failed = failed_count(app)
        finally:
            server.stop()
            with app.app_context():
                from core.db import db

                db.engine.dispose()
    rows = []
    calls = [r["at"] for r in seen]
    for name, seconds, limit, _ in case["windows"]:
        window = scaled(seconds, scale)
        most = most_in_a_window(calls, window)
        rows.append([provider.capitalize(), case["tier"], name, f"{limit} / {window} s", total, len(seen),
                     sum(1 for r in seen if r["status"] == 429), failed, most, f"{most / limit:.0%}",
                     f"{elapsed:.0f}"])
    return rows


def _count(app, status: str) -> int:
    from core.db import db
    from core.models import TrainingSession

    with app.app_context():
        count = db.session.query(TrainingSession).filter_by(export_status=status).count()
        db.session.remove()
    return count


def finished(app) -> int:
    return _count(app, "SENT") + _count(app, "FAILED")


def failed_count(app) -> int:
    return _count(app, "FAILED")


def main() -> None:
    rows = run("WAHOO") + run("GARMIN")
    print(f"Bulk pushes at the tightest published quotas, windows compressed on both sides, {WORKERS} workers, "
          "PostgreSQL\n")
    print(table(["provider", "key tier", "window", "limit (compressed)", "sessions", "calls", "429s", "FAILED",
                 "most calls in one window", "most / limit", "seconds"], rows))
    print(f"\nWahoo windows x {WAHOO_SCALE} (5 min = {scaled(300, WAHOO_SCALE)} s), Garmin x {GARMIN_SCALE} "
          f"(a day = {scaled(86400, GARMIN_SCALE)} s). A bulk push may use 80 % of an app window (the rest is "
          "kept for coaches' saves); an athlete's day has no such share.")


if __name__ == "__main__":
    main()
