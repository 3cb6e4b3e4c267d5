"""What an export badge says: one function for the athlete's week, the session page and
the coach's plan editor, so that all three say the same thing in the same words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..models import ExportJob, ExportStatus, JobKind, JobStatus, Provider, TrainingSession


@dataclass
class Badge:
    session_id: int
    status: str  # NOT_CONNECTED, PENDING, SENT, FAILED
    text: str
    detail: str | None = None  # the reason, in plain words
    can_retry: bool = False
    connect_link: bool = False

    @property
    def final(self) -> bool:
        return self.status != ExportStatus.PENDING


def local_time(moment: datetime | None, zone: str, today: datetime | None = None) -> str:
    """``07:42`` for today in the athlete's time zone, ``24 Nov 07:42`` for another day."""
    if moment is None:
        return ""
    local = moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(zone))
    now = (today or datetime.now(timezone.utc)).astimezone(ZoneInfo(zone))
    return local.strftime("%H:%M") if local.date() == now.date() else local.strftime("%-d %b %H:%M")


def badge_for(session: TrainingSession, athlete_view: bool, zone: str = "UTC") -> Badge | None:
    """The badge of an ENDURANCE session (None for other sessions); ``athlete_view`` adds the
    athlete's actions (Retry, Connect)."""
    if not session.is_endurance or not session.export_status:
        return None
    provider = Provider.LABELS.get(session.export_provider or "", "your device")
    status = session.export_status
    if status == ExportStatus.SENT:
        return Badge(session.id, status, f"On {provider} · {local_time(session.exported_at, zone)}")
    if status == ExportStatus.PENDING:
        attempt = _next_attempt(session)
        text = f"Sending to {provider}…" + (f" attempt {attempt}" if attempt > 1 else "")
        return Badge(session.id, status, text, detail=session.last_export_error if attempt > 1 else None)
    if status == ExportStatus.FAILED:
        return Badge(session.id, status, "Failed", detail=session.last_export_error or "The export failed.",
                     can_retry=athlete_view)
    detail = session.last_export_error
    if athlete_view:
        return Badge(session.id, status, "Connect to send", detail=detail, connect_link=True)
    return Badge(session.id, status, "Not connected", detail=detail)


def _next_attempt(session: TrainingSession) -> int:
    """The attempt under way (PROCESSING) or the next one (PENDING, waiting to retry)."""
    row = db.session.execute(
        select(ExportJob.attempts, ExportJob.status).where(
            ExportJob.session_id == session.id, ExportJob.kind == JobKind.EXPORT, ExportJob.status.in_(JobStatus.OPEN))
        .order_by(ExportJob.id.desc()).limit(1)).first()
    if row is None:
        return 1
    return row.attempts if row.status == JobStatus.PROCESSING else row.attempts + 1
