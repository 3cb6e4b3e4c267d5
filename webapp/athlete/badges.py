"""What an export badge says: one function for the athlete's week, the session page, the coach's
week and overview, so that all of them say the same thing in the same words.

- SENT: "On Garmin · 07:42", and why it was re-sent when no one edited it ("FTP changed").
- PENDING: "Sending to Garmin…" (with the attempt while retrying); waiting for the delivery
  window: "Goes to Wahoo on Tue 1 Dec" (why, in the provider's terms); waiting for a retry:
  "Garmin is not answering; trying again at 14:05"; for quota: "Garmin's quota is used up for
  now; sending at 14:05".  What it waits for is the session's ``export_waiting``, never a
  guess from the error's text.
- FAILED: "Failed", the reason, and Retry (for the athlete).
- NOT_CONNECTED: "Connect to send" (the athlete) or "Not connected" (the coach).
- A session whose day has passed and that is not on the device: "Not sent · day passed".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from core import clock
from core.db import db
from core.delivery import window
from core.models import ExportJob, ExportStatus, JobKind, JobStatus, TrainingSession, WaitKind
from providers import registry

PASSED = "PASSED"  # not an export status: the badge of a session whose day passed unsent


@dataclass
class Badge:
    session_id: int
    status: str  # NOT_CONNECTED, PENDING, SENT, FAILED (PASSED for a day passed unsent)
    text: str
    detail: str | None = None  # the reason, in plain words
    can_retry: bool = False
    connect_link: bool = False
    poll_seconds: int = 2  # how soon a PENDING badge looks again

    @property
    def final(self) -> bool:
        return self.status != ExportStatus.PENDING


def local_time(moment: datetime | None, zone: str, today: datetime | None = None) -> str:
    """``07:42`` for today in the athlete's time zone, ``24 Nov 07:42`` for another day."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))
    now = (today or clock.now().replace(tzinfo=timezone.utc)).astimezone(ZoneInfo(zone))
    return local.strftime("%H:%M") if local.date() == now.date() else local.strftime("%-d %b %H:%M")


def badge_for(session: TrainingSession, athlete_view: bool, zone: str = "UTC",
              attempts: dict[int, int] | None = None) -> Badge | None:
    """The badge of an ENDURANCE session (None for other sessions); ``athlete_view`` adds the
    athlete's actions (Retry, Connect); ``attempts``: the attempt numbers of open jobs by
    session, read once for a whole page (:func:`open_attempts`)."""
    if not session.is_delivered or not session.export_status:
        return None
    provider = registry.label(session.export_provider)
    status = session.export_status
    if status == ExportStatus.SENT:
        return Badge(session.id, status, f"On {provider} · {local_time(session.exported_at, zone)}",
                     detail=session.push_reason)
    if window.day_passed(session.date, zone, clock.now()):
        return Badge(session.id, PASSED, "Not sent · day passed",
                     detail=session.last_export_error if status == ExportStatus.FAILED else None)
    if status == ExportStatus.PENDING:
        return _pending(session, provider, zone, attempts)
    if status == ExportStatus.FAILED:
        return Badge(session.id, status, "Failed", detail=session.last_export_error or "The export failed.",
                     can_retry=athlete_view)
    detail = session.last_export_error
    if athlete_view:
        return Badge(session.id, status, "Connect to send", detail=detail, connect_link=True)
    return Badge(session.id, status, "Not connected", detail=detail)


def _pending(session: TrainingSession, provider: str, zone: str, attempts: dict[int, int] | None) -> Badge:
    at = session.export_scheduled_for
    if at is not None:
        when = local_time(at, zone)
        poll = 30 if (at - clock.now()).total_seconds() > 120 else 5
        if session.export_waiting == WaitKind.WINDOW and session.export_provider:
            return Badge(session.id, ExportStatus.PENDING, f"Goes to {provider} on {_day(at, zone)}",
                         detail=_window_detail(session.export_provider), poll_seconds=300)
        if session.export_waiting == WaitKind.RETRY:
            return Badge(session.id, ExportStatus.PENDING, f"{provider} is not answering; trying again at {when}",
                         detail=session.last_export_error, poll_seconds=poll)
        return Badge(session.id, ExportStatus.PENDING, f"{provider}'s quota is used up for now; sending at {when}",
                     detail=session.push_reason, poll_seconds=poll)
    attempt = attempts.get(session.id, 1) if attempts is not None else _next_attempt(session)
    text = f"Sending to {provider}…" + (f" attempt {attempt}" if attempt > 1 else "")
    return Badge(session.id, ExportStatus.PENDING, text,
                 detail=session.last_export_error if attempt > 1 else session.push_reason)


def _window_detail(provider: str) -> str:
    """Why a session waits for its provider's delivery window, in the provider's own terms."""
    spec, days = registry.get(provider), window.days_for(provider, current_app.config)
    reason = f", {spec.window_reason}" if spec.window_reason else ""
    return f"HybridPeaks sends {spec.label} sessions up to {days - 1} days ahead{reason}."


def _day(moment: datetime, zone: str) -> str:
    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone)).strftime("%a %-d %b")


def _next_attempt(session: TrainingSession) -> int:
    """The attempt under way (PROCESSING) or the next one (PENDING, waiting to retry)."""
    return open_attempts([session.id]).get(session.id, 1)


def open_attempts(session_ids: list[int]) -> dict[int, int]:
    """For each session with an open export job: the attempt under way or the next one."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(ExportJob.session_id, ExportJob.attempts, ExportJob.status).where(
            ExportJob.session_id.in_(session_ids), ExportJob.kind.in_(JobKind.DELIVERIES),
            ExportJob.status.in_(JobStatus.OPEN))
        .order_by(ExportJob.id)).all()
    return {row.session_id: row.attempts if row.status == JobStatus.PROCESSING else row.attempts + 1 for row in rows}
