"""The export pipeline's rows: one ExportJob per session revision to push (or workout to
remove), and one ExportAttempt per try, for the athlete's export history.

ExportJob is written in the same transaction as the plan save that causes it (a
transactional outbox): the RQ job that runs it is only a wake-up call carrying its id, so
nothing is lost when Redis is down, a worker dies, or a job is delivered twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import real_now
from ..db import db
from .plan import TrainingSession


class JobKind:
    EXPORT = "EXPORT"  # create and schedule one revision of a session's workout
    MOVE = "MOVE"  # the workout already sent, updated in place: another day, or replaced (core/delivery/decision.py)
    REMOVE = "REMOVE"  # delete a workout we put on the provider's calendar before
    DELIVERIES = (EXPORT, MOVE)


class JobStatus:
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    SUPERSEDED = "SUPERSEDED"  # a newer revision of the session replaced it
    OPEN = (PENDING, PROCESSING)


class FailureKind:
    VALIDATION = "VALIDATION"  # the workout breaks a rule, or the provider cannot take it
    REJECTED = "REJECTED"  # the provider refused what we sent (400/422/403)
    TRANSIENT = "TRANSIENT"  # outages and quota waits until the session's day passed
    NOT_CONNECTED = "NOT_CONNECTED"
    DAY_PASSED = "DAY_PASSED"  # dated before the athlete's today: never pushed


class ExportJob(db.Model):
    __tablename__ = "export_jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('EXPORT', 'MOVE', 'REMOVE')", name="kind"),
        CheckConstraint("status IN ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'SUPERSEDED')", name="status"),
        # One job per session at a time: a second PROCESSING row of a session cannot exist.
        Index("uq_export_jobs_one_processing_per_session", "session_id", unique=True,
              sqlite_where=text("status = 'PROCESSING' AND session_id IS NOT NULL"),
              postgresql_where=text("status = 'PROCESSING' AND session_id IS NOT NULL")),
        Index("ix_export_jobs_status_next", "status", "next_attempt_at"),
        Index("ix_export_jobs_parked_next", "parked", "next_attempt_at"),
        Index("ix_export_jobs_finished_at", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default=JobKind.EXPORT)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id", ondelete="SET NULL"), index=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.PENDING)
    queue: Mapped[str] = mapped_column(String(16), default="high")
    attempts: Mapped[int] = mapped_column(default=0)
    # The RQ job that should run this row next is "export-<id>-<enqueue_seq>".
    enqueue_seq: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=real_now)
    # Waiting with no RQ job on purpose (for its delivery window, or for quota): the
    # periodic job (jobs/relay.py) releases it when due, nearest session first.
    parked: Mapped[bool] = mapped_column(default=False)
    lease_expires_at: Mapped[datetime | None]
    failure_kind: Mapped[str | None] = mapped_column(String(16))
    last_error: Mapped[str | None] = mapped_column(Text)
    # What exists at the provider for this job so far (workoutId, scheduleId, planId...):
    # stored after each step, so a retry continues instead of creating a second workout.
    external_refs: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=real_now)
    updated_at: Mapped[datetime] = mapped_column(default=real_now, onupdate=real_now)
    finished_at: Mapped[datetime | None]

    session: Mapped[TrainingSession | None] = relationship()

    @property
    def rq_job_id(self) -> str:
        return rq_job_id(self.id, self.enqueue_seq)


def rq_job_id(job_id: int, seq: int) -> str:
    return f"export-{job_id}-{seq}"


class AttemptOutcome:
    SENT = "SENT"
    RETRY = "RETRY"
    FAILED = "FAILED"
    NOT_CONNECTED = "NOT_CONNECTED"
    SUPERSEDED = "SUPERSEDED"
    REMOVED = "REMOVED"  # a removal job deleted what it was to delete
    # What a log line says of an attempt that did not end: it waits for quota, or another
    # export of the same session is under way.
    QUOTA_WAIT = "QUOTA_WAIT"
    BUSY = "BUSY"
    ABANDONED = "ABANDONED"  # its worker died mid-attempt; the relay queued the job again


class ExportAttempt(db.Model):
    __tablename__ = "export_attempts"
    __table_args__ = (Index("ix_export_attempts_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_job_id: Mapped[int] = mapped_column(ForeignKey("export_jobs.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=real_now)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int | None]
