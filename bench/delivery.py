"""A simulated month of deliveries: 200 athletes, their coaches' plans saved on Sundays, edits,
date moves, athletes connecting mid-month, threshold changes, 2 % transient faults and a
three-hour Garmin outage, against the sandbox, with time compressed.

Time: every process reads one clock that runs CLOCK_RATE times faster than real time
(webapp/clock.py, testing only), so a simulated day lasts DAY_SECONDS real seconds.  The
retry delays follow it, and the providers' production quotas are compressed by the same
factor on both sides (QUOTA_TIME_SCALE, the sandbox's windowScale; windows last whole
seconds, at least one).  What does not compress is this machine: a job still costs ~40 ms
of its two cores, so a burst of saves drains more slowly in simulated time than it would
on a production deployment, and the save-to-device times below are upper bounds.

It prints: sessions delivered before their day (%), provider calls per delivered session
by kind (ideal: 2 for a new session, 1 for a move), calls wasted on sessions past or
outside their window (ideal 0), 429s (ideal 0), and the worst time from a save to the
device for a session inside its window.

Run: python -m bench.delivery   (about 30 minutes; BENCH_ATHLETES, BENCH_DAYS, DAY_SECONDS;
BENCH_DEBUG=1 prints each late session, BENCH_LOG_LEVEL=INFO keeps every attempt in the
workers' logs; BENCH_SMOKE=1: 6 athletes, one simulated day of 5 real seconds, one worker)
"""

from __future__ import annotations

import copy
import os
import random
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from bench.common import size, table
from bench.harness import make_app, serve, servers, wait_for_workers, worker_env
from tests.support.browser import Browser
from tests.support.people import People
from tests.support.pipeline import Workers
from tests.support.workouts import EASY_RUN, SPEC_EXAMPLE

ATHLETES = size("BENCH_ATHLETES", 200, 6)
DAYS = size("BENCH_DAYS", 28, 1)
DAY_SECONDS = size("DAY_SECONDS", 60.0, 5.0)
RATE = 86400 / DAY_SECONDS
WORKERS = size("BENCH_WORKERS", 4, 1)
# The month starts this long after its clock is made: a day of a few seconds would be half over
# before a worker has started.
LEAD_SECONDS = size("BENCH_LEAD_SECONDS", 0.0, 8.0)
ZONES = ("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
SWIM = {"sport": "SWIM", "name": "Swim 8 x 100", "steps": [
    {"intensity": "WARMUP", "duration": {"type": "DISTANCE", "value": 300}},
    {"repeat": 8, "steps": [{"intensity": "ACTIVE", "duration": {"type": "DISTANCE", "value": 100},
                             "target": {"type": "PACE", "zone": 3}},
                            {"intensity": "REST", "duration": {"type": "TIME", "value": 20}}]}]}
OPEN_RIDE = {"sport": "BIKE", "name": "Endurance, spin home", "steps": [
    {"intensity": "ACTIVE", "duration": {"type": "TIME", "value": 5400}, "target": {"type": "POWER", "zone": 2}},
    {"intensity": "COOLDOWN", "duration": {"type": "OPEN"}}]}
WORKOUTS = {"BIKE": (SPEC_EXAMPLE, OPEN_RIDE), "RUN": (EASY_RUN,), "SWIM": (SWIM,)}


class Clock:
    """The simulation's clock, as every process computes it (core/clock.py), from the moment
    it is made, or ``lead`` real seconds later (time for the workers to start): the month
    starts then, at ``start``."""

    def __init__(self, start: datetime, lead: float = 0.0):
        self.anchor = time.time() + lead
        self.offset = start.timestamp() - self.anchor

    @property
    def env(self) -> dict:
        return {"CLOCK_RATE": RATE, "CLOCK_ANCHOR": self.anchor, "CLOCK_OFFSET_SECONDS": self.offset}

    def now(self) -> datetime:
        real = time.time()
        return datetime.fromtimestamp(real + self.offset + (real - self.anchor) * (RATE - 1), timezone.utc)

    def sim(self, real_epoch: float) -> datetime:
        return datetime.fromtimestamp(real_epoch + self.offset + (real_epoch - self.anchor) * (RATE - 1), timezone.utc)

    def wait_until(self, moment: datetime) -> None:
        while (ahead := (moment - self.now()).total_seconds()) > 0:
            time.sleep(min(ahead / RATE, 0.5))


class Month:
    def __init__(self, server_url: str, app, clock: Clock, start: datetime, rng: random.Random):
        self.url, self.app, self.clock, self.start, self.rng = server_url, app, clock, start, rng
        self.athletes: list[dict] = []
        # (session id, sim time of the save, the date it was saved for): the date as saved, not as
        # it ends the month, decides whether the save was inside its provider's window.
        self.saves: list[tuple[int, datetime, date]] = []
        self.events: list[tuple[datetime, str, object]] = []

    # -- people ------------------------------------------------------------------------------

    def create_people(self) -> None:
        crowd = People(self.app)
        coaches = []
        for index in range(max(1, ATHLETES // 20)):
            coach = crowd.coach(email=f"coach{index}@example.test")
            coaches.append({"id": coach, "token": crowd.token(coach), "hour": 6 + 14 * index / max(1, ATHLETES // 20)})
        for index in range(ATHLETES):
            kind = ("wahoo", "garmin", "garmin", "wahoo", "garmin", "both")[index % 6]
            coach = coaches[index % len(coaches)]
            zone = ZONES[index % len(ZONES)]
            athlete = crowd.athlete(coach["id"], email=f"a{index}@example.test", ftp_watts=200 + index % 100,
                                    max_heart_rate=180 + index % 15, threshold_pace_sec_per_km=240 + index % 60,
                                    swim_threshold_pace_sec_per_100m=95 + index % 20, timezone=zone)
            self.athletes.append({"id": athlete, "index": index, "kind": kind, "coach": coach, "zone": zone,
                                  "connect_day": 0 if index % 5 else 2 + index % 8})

    def connect(self, athlete: dict) -> None:
        browser = Browser(self.url)
        browser.login(f"a{athlete['index']}@example.test", "athlete-password")
        for provider in (("garmin", "wahoo") if athlete["kind"] == "both" else (athlete["kind"],)):
            for _ in range(5):  # the 2 % faults hit the connect's own calls too: the athlete tries again
                if "is connected" in browser.connect(provider).text:
                    break
            else:
                raise AssertionError(f"{provider} would not connect for athlete {athlete['index']}")
        if athlete["kind"] == "both":
            headers = {"Authorization": f"Bearer {People(self.app).token(athlete['id'])}"}
            requests.put(f"{self.url}/api/v1/connections/routing", json={"BIKE": "WAHOO"}, headers=headers, timeout=30)

    # -- what coaches do ----------------------------------------------------------------------

    def sports(self, athlete: dict) -> list[str]:
        return ["BIKE", "RUN"] if athlete["kind"] == "wahoo" else ["BIKE", "RUN", "SWIM"]

    def week_sessions(self, athlete: dict, monday: date) -> list[dict]:
        days = sorted(self.rng.sample(range(7), 5))
        out = []
        for n, offset in enumerate(days):
            sport = self.rng.choice(self.sports(athlete))
            workout = copy.deepcopy(self.rng.choice(WORKOUTS[sport]))
            workout["name"] = f"{workout['name']} #{athlete['index']}-{monday.isoformat()}-{n}"
            out.append({"date": (monday + timedelta(days=offset)).isoformat(), "type": "ENDURANCE", "workout": workout})
        return out

    def api(self, athlete: dict, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {athlete['coach']['token']}"}
        return requests.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=60, **kwargs)

    def save_week(self, athlete: dict, monday: date) -> None:
        sessions = self.week_sessions(athlete, monday)
        response = self.api(athlete, "POST", "/plans", json={"athleteId": athlete["id"], "weekStart": monday.isoformat(),
                                                             "sessions": sessions})
        if response.status_code == 409:  # planned two weeks ahead already: the coach re-plans the week
            plan_id = self.api(athlete, "GET", f"/plans?athleteId={athlete['id']}&weekStart={monday}").json()[0]["id"]
            response = self.api(athlete, "PUT", f"/plans/{plan_id}", json={"sessions": sessions})
        assert response.status_code in (200, 201), response.text[:300]
        now = self.clock.now()
        athlete.setdefault("plans", []).append(response.json()["id"])
        self.saves += [(s["id"], now, date.fromisoformat(s["date"])) for s in response.json()["sessions"]]

    def change_one(self, athlete: dict, move: bool) -> None:
        """A coach edits one upcoming session of this week or next (a date move, or new content)."""
        today = self.clock.now().astimezone(ZoneInfo(athlete["zone"])).date()
        for plan_id in reversed(athlete.get("plans", [])):
            plan = self.api(athlete, "GET", f"/plans/{plan_id}").json()
            upcoming = [s for s in plan["sessions"] if date.fromisoformat(s["date"]) > today]
            if not upcoming:
                continue
            session = self.rng.choice(upcoming)
            # Every recorded save changes something: a save that changes nothing sends nothing, and
            # its "save to device" would run to the session's next real change, days later.
            monday, current = date.fromisoformat(plan["weekStart"]), date.fromisoformat(session["date"])
            days = [monday + timedelta(days=d) for d in range(7)]
            free = [day for day in days if day > today and day != current]
            if move and free:
                session["date"] = self.rng.choice(free).isoformat()
            else:
                step = session["workout"]["steps"][0]
                value = 900 + self.rng.randrange(600)
                if step.get("duration") == {"type": "TIME", "value": value}:
                    value += 1
                step["duration"] = {"type": "TIME", "value": value}
            response = self.api(athlete, "PUT", f"/plans/{plan_id}", json={"sessions": plan["sessions"]})
            assert response.status_code == 200, response.text[:300]
            self.saves.append((session["id"], self.clock.now(), date.fromisoformat(session["date"])))
            return

    def change_ftp(self, athlete: dict) -> None:
        self.api(athlete, "PUT", f"/athletes/{athlete['id']}/profile", json={"ftpWatts": 210 + athlete["index"] % 90})

    # -- the month ------------------------------------------------------------------------------

    def connect_first(self) -> None:
        """Before the month: athletes connected from the start (set up in real time)."""
        for athlete in self.athletes:
            if athlete["connect_day"] == 0:
                self.connect(athlete)

    def plan_events(self) -> None:
        at = lambda day, hour: self.start + timedelta(days=day, hours=hour)  # noqa: E731
        for athlete in self.athletes:
            if athlete["connect_day"]:
                self.events.append((at(athlete["connect_day"], 1 + athlete["index"] % 5), "connect", athlete))
        for week in range(0, DAYS, 7):  # Sundays: the coach saves the coming week (and a quarter the one after)
            for athlete in self.athletes:
                monday = (self.start + timedelta(days=week + 1)).date()
                hour = athlete["coach"]["hour"]
                self.events.append((at(week, hour), "save", (athlete, monday)))
                if week == 0 and athlete["index"] % 4 == 0:
                    self.events.append((at(week, hour), "save", (athlete, monday + timedelta(days=7))))
        for day in range(1, DAYS):
            if day % 7 == 0:
                continue
            for athlete in self.rng.sample(self.athletes, max(1, ATHLETES // 10)):
                self.events.append((at(day, 12), "edit", athlete))
            for athlete in self.rng.sample(self.athletes, max(1, ATHLETES // 10)):
                self.events.append((at(day, 13), "move", athlete))
        for athlete in self.rng.sample(self.athletes, max(1, ATHLETES // 20)):
            self.events.append((at(12, 9), "ftp", athlete))
        self.events += [(at(15, 14), "outage", True), (at(15, 17), "outage", False)]
        # A shorter month (BENCH_DAYS) ends before the FTP changes or the outage: it has none of them.
        self.events = sorted((e for e in self.events if e[0] < at(DAYS, 0)), key=lambda e: (e[0], e[1]))

    def run(self) -> None:
        for moment, kind, subject in self.events:
            self.clock.wait_until(moment)
            if kind == "connect":
                self.connect(subject)
            elif kind == "save":
                athlete, monday = subject
                self.save_week(athlete, monday)
            elif kind in ("edit", "move"):
                self.change_one(subject, move=kind == "move")
            elif kind == "ftp":
                self.change_ftp(subject)
            elif kind == "outage":
                faults("garmin", self.url, 1.0 if subject else 0.02)


def faults(provider: str, url: str, error_rate: float) -> None:
    requests.put(f"{url}/sandbox/_admin/faults", timeout=30, json={
        "provider": provider, "errorRate": error_rate, "status": 503, "windowScale": 1 / RATE})


# -- the numbers ------------------------------------------------------------------------------------

CREATE = {("POST", "/garmin/workoutportal/workout/v2"), ("POST", "/garmin/training-api/schedule/"),
          ("POST", "/wahoo/v1/plans"), ("POST", "/wahoo/v1/workouts")}


def kind_of(method: str, path: str) -> str:
    if (method, path) in CREATE:
        return "create"
    if method == "PUT":
        return "move"
    if method == "DELETE":
        return "remove"
    if method == "GET" and ("schedule" in path or path in ("/wahoo/v1/plans", "/wahoo/v1/workouts")):
        return "find"
    return "account"  # user ids, permissions, the pings' checks


def report(month: Month, seen: list[dict], held: dict) -> list[list]:
    from sqlalchemy import select

    from core.db import db
    from core.models import AthleteProfile, DeviceConnection, ExportAttempt, ExportJob, TrainingSession, WeeklyPlan

    end = (month.start + timedelta(days=DAYS)).date()
    with month.app.app_context():
        month.app.config.update(CLOCK_RATE=1, CLOCK_OFFSET_SECONDS=0)
        zones = {p.athlete_id: p.timezone for p in db.session.scalars(select(AthleteProfile))}
        sessions = {s.id: (s, plan_athlete) for s, plan_athlete in db.session.execute(
            select(TrainingSession, WeeklyPlan.athlete_id).join(WeeklyPlan))}
        jobs = {j.id: j for j in db.session.scalars(select(ExportJob))}
        sent_attempts = [a for a in db.session.scalars(select(ExportAttempt).where(ExportAttempt.outcome == "SENT"))]
        user_zone = {c.provider_user_id: zones.get(c.athlete_id, "UTC") for c in db.session.scalars(select(DeviceConnection))}
        # connected_at is bookkeeping, in real time: the month's clock reads it as it happened
        connected_at = {c.athlete_id: month.clock.sim(c.connected_at.replace(tzinfo=timezone.utc).timestamp())
                        .replace(tzinfo=None) for c in db.session.scalars(select(DeviceConnection))}
        db.session.remove()

    def day_start(day: date, zone: str) -> datetime:
        return datetime.combine(day, datetime.min.time(), ZoneInfo(zone)).astimezone(timezone.utc).replace(tzinfo=None)

    # Delivered before their day: sessions of the month whose last save and connect came before their day.
    last_save = {}
    for session_id, moment, _ in month.saves:
        last_save[session_id] = max(moment.replace(tzinfo=None), last_save.get(session_id, datetime.min))
    sent_by_revision, sent_times = {}, {}
    for attempt in sent_attempts:
        job = jobs[attempt.export_job_id]
        key = (attempt.session_id, job.revision)
        sent_by_revision[key] = min(attempt.finished_at, sent_by_revision.get(key, datetime.max))
        sent_times.setdefault(attempt.session_id, []).append(attempt.finished_at)
    # A revision is born with its first job: a coach's save, or a threshold change re-sending it
    # (which may come on the session's own day).  Job rows keep real time: read on the month's clock.
    born = {}
    for job in jobs.values():
        if job.kind == "EXPORT" and job.session_id is not None:
            at = month.clock.sim(job.created_at.replace(tzinfo=timezone.utc).timestamp()).replace(tzinfo=None)
            key = (job.session_id, job.revision)
            born[key] = min(at, born.get(key, datetime.max))
    eligible = delivered = 0
    worst = timedelta(0)
    for session_id, (session, athlete_id) in sessions.items():
        zone = zones.get(athlete_id, "UTC")
        starts = day_start(session.date, zone)
        saved = last_save.get(session_id)
        if saved is not None and (session_id, session.revision) in born:
            saved = max(saved, born[(session_id, session.revision)])
        if not (month.start.date() < session.date <= end) or saved is None or saved >= starts:
            continue
        if connected_at.get(athlete_id) is None or connected_at[athlete_id] >= starts:
            continue
        eligible += 1
        sent = sent_by_revision.get((session_id, session.revision))
        if session.export_status == "SENT" and sent is not None and sent < starts:
            delivered += 1
        elif os.environ.get("BENCH_DEBUG"):
            print("LATE", session.id, session.date, zone, session.export_status, session.export_provider,
                  (session.last_export_error or "")[:80], "saved", saved, "sent", sent, "starts", starts,
                  "connected", connected_at.get(athlete_id))
    # Worst save-to-device time, for saves of a session inside its provider's window, the athlete connected.
    worst_case = None
    for session_id, saved, day in month.saves:
        session, athlete_id = sessions.get(session_id, (None, None))
        at = saved.replace(tzinfo=None)
        if session is None or connected_at.get(athlete_id) is None or connected_at[athlete_id] > at:
            continue
        zone = zones.get(athlete_id, "UTC")
        window = 14 if session.export_provider == "GARMIN" else 7
        today = saved.astimezone(ZoneInfo(zone)).date()
        if not today <= day < today + timedelta(days=window):
            continue  # saved for a day outside the window: it waits by design (a later move may bring it in)
        # Every SENT attempt counts: a date move keeps the revision, and its one call is its delivery.
        first = min((t for t in sent_times.get(session_id, ()) if t >= at), default=None)
        if first is not None and first - at > worst:
            worst = first - at
            worst_case = (session_id, day, session.export_provider, zone, saved, first)
    if os.environ.get("BENCH_DEBUG") and worst_case:
        print("WORST session %s for %s on %s (%s): saved %s, first sent after it %s" % worst_case)

    kinds = Counter(kind_of(r["method"], r["path"]) for r in seen)
    completed = Counter(j.kind for j in jobs.values() if j.status == "COMPLETED")
    wasted = wasted_calls(month, seen, user_zone)
    return [
        ["sessions delivered before their day", f"{delivered} / {eligible}", f"{delivered / max(1, eligible):.1%}", "100 %"],
        ["calls per new session (create)", f"{kinds['create']} / {completed['EXPORT']}",
         f"{kinds['create'] / max(1, completed['EXPORT']):.2f}", "2"],
        ["calls per date move", f"{kinds['move']} / {completed['MOVE']}", f"{kinds['move'] / max(1, completed['MOVE']):.2f}", "1"],
        ["calls per removal", f"{kinds['remove']} / {completed['REMOVE']}",
         f"{kinds['remove'] / max(1, completed['REMOVE']):.2f}", "1-2"],
        ["look-ups (after an unanswered create)", kinds["find"], "", "few"],
        ["calls wasted (past, or outside the window)", wasted, "", "0"],
        ["429s", sum(1 for r in seen if r["status"] == 429), "", "0"],
        ["worst save to device, inside the window", f"{worst.total_seconds() / 60:.0f} sim min",
         f"{worst.total_seconds() / RATE:.1f} real s", "seconds"],
        ["provider calls, all kinds", sum(kinds.values()), dict(kinds), ""],
        ["injected 5xx", sum(1 for r in seen if r["status"] >= 500), "", ""],
    ]


def wasted_calls(month: Month, seen: list[dict], user_zone: dict) -> int:
    """Creates and moves whose session date was past, or outside its window, when the call was made."""
    created_for = []  # (provider, the date first scheduled, when, who): removed ones too
    for provider in ("garmin", "wahoo"):
        body = requests.get(f"{month.url}/sandbox/_admin/workouts?provider={provider}&all=1", timeout=60).json()
        for item in body.get("schedules", []) + body.get("workouts", []):
            first = (item["earlierBodies"] or [item["body"]])[0]
            day = first.get("date") or first.get("starts", "")[:10]
            if day:
                created_for.append((provider, day, item["createdAt"], item["userId"]))
    wasted = 0
    for provider, day, created, user in created_for:
        zone = user_zone.get(user, "UTC")
        at = month.clock.sim(created).astimezone(ZoneInfo(zone)).date()
        window = 14 if provider == "garmin" else 7
        if not at <= date.fromisoformat(day) < at + timedelta(days=window):
            wasted += 1
    return wasted


def main() -> None:
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    sunday = (now + timedelta(days=(6 - now.weekday()) % 7 + 7)).replace(hour=0, minute=0, second=0, microsecond=0)
    settings = {"QUOTA_TIME_SCALE": 1 / RATE, "RELAY_INTERVAL_SECONDS": 1, "RELAY_GRACE_SECONDS": 2,
                "EXPORT_JOB_TIMEOUT": 60, "EXPORT_LEASE_SECONDS": 90}
    with servers(postgres=True) as (database_url, redis):
        app = make_app(database_url, redis.url, **settings)
        server = serve(app)
        try:
            # Set up in real time: people, and the athletes connected from the start.
            month = Month(server.url, app, None, sunday, rng)
            month.create_people()
            month.connect_first()
            for provider in ("garmin", "wahoo"):
                faults(provider, server.url, 0.02)
            # The month begins: one clock, sped up, for the app and the workers.
            month.clock = clock = Clock(sunday, lead=LEAD_SECONDS)
            app.config.update(clock.env)
            pool = Workers(worker_env(database_url, redis.url, server.url, **settings, **clock.env),
                           Path(tempfile.mkdtemp(prefix="bench-delivery-")))
            month.plan_events()
            pool.start(WORKERS)
            wait_for_workers(redis.url, WORKERS)
            clock.wait_until(sunday)
            started = time.perf_counter()
            month.run()
            clock.wait_until(sunday + timedelta(days=DAYS, hours=1))
            elapsed = time.perf_counter() - started
            pool.stop_all()
            seen = requests.get(f"{server.url}/sandbox/_admin/requests", timeout=120).json()
            rows = report(month, seen, {})
        finally:
            server.stop()
            with app.app_context():
                from core.db import db

                db.engine.dispose()
    print(f"A simulated month: {ATHLETES} athletes, {DAYS} days, a day = {DAY_SECONDS:g} real s (x{RATE:.0f}), "
          f"{WORKERS} workers, 2 % transient faults, a 3 h Garmin outage, production quotas compressed alike; "
          f"{elapsed / 60:.1f} real min\n")
    print(table(["measure", "count", "value", "ideal"], rows))


if __name__ == "__main__":
    main()
