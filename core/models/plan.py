"""A coach's weekly plan for one athlete, and the sessions in it."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..clock import real_now
from ..db import db
from .user import User


class SessionType:
    ENDURANCE = "ENDURANCE"
    STRENGTH = "STRENGTH"
    REST = "REST"
    OTHER = "OTHER"
    ALL = (ENDURANCE, STRENGTH, REST, OTHER)


class WaitKind:
    """What a PENDING session with ``export_scheduled_for`` waits for (the badge says it)."""

    WINDOW = "WINDOW"  # its provider's delivery window to open
    RETRY = "RETRY"  # the next try after a transient failure
    QUOTA = "QUOTA"  # the provider's quota to free
    ALL = (WINDOW, RETRY, QUOTA)


class ExportStatus:
    NOT_CONNECTED = "NOT_CONNECTED"
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    ALL = (NOT_CONNECTED, PENDING, SENT, FAILED)


class WeeklyPlan(db.Model):
    __tablename__ = "weekly_plans"
    __table_args__ = (UniqueConstraint("athlete_id", "week_start", name="uq_weekly_plans_athlete_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=real_now)
    updated_at: Mapped[datetime] = mapped_column(default=real_now, onupdate=real_now)

    athlete: Mapped[User] = relationship()
    sessions: Mapped[list["TrainingSession"]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="(TrainingSession.date, TrainingSession.id)",
    )


def workout_fingerprint(workout: dict | None, day: date) -> str:
    """What the athlete's device would receive; a re-save that keeps it keeps the revision."""
    return json.dumps([workout, day.isoformat()], sort_keys=True, separators=(",", ":"))


class TrainingSession(db.Model):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("type IN ('ENDURANCE', 'STRENGTH', 'REST', 'OTHER')", name="type"),
        CheckConstraint(
            "export_status IS NULL OR export_status IN ('NOT_CONNECTED', 'PENDING', 'SENT', 'FAILED')",
            name="export_status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("weekly_plans.id", ondelete="CASCADE"), index=True)
    date: Mapped[date]
    type: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    workout: Mapped[dict | None] = mapped_column(JSON)
    # Changes only when the workout or the date really changes, so that the export
    # pipeline can tell a changed session from a re-saved one.
    revision: Mapped[int] = mapped_column(default=1)

    # The export fields of the API: read-only to clients, null unless the workout is delivered.
    export_status: Mapped[str | None] = mapped_column(String(16), index=True)
    export_provider: Mapped[str | None] = mapped_column(String(16))
    exported_at: Mapped[datetime | None]
    external_workout_id: Mapped[str | None] = mapped_column(String(64))
    last_export_error: Mapped[str | None] = mapped_column(Text)
    # Where the SENT revision lives at the provider (ids to move or remove it), the day it is
    # scheduled on, and a hash of what was sent (to tell a date move or a threshold change).
    external_refs: Mapped[dict | None] = mapped_column(JSON)
    # When the next push of a PENDING session is planned: its delivery window opens, or a
    # retry or quota wait ends (the API's exportScheduledFor).
    export_scheduled_for: Mapped[datetime | None]
    export_waiting: Mapped[str | None] = mapped_column(String(16))  # WaitKind, beside export_scheduled_for
    # Why the session was sent again without a coach's edit ("FTP changed: re-sent").
    push_reason: Mapped[str | None] = mapped_column(String(160))

    created_at: Mapped[datetime] = mapped_column(default=real_now)
    updated_at: Mapped[datetime] = mapped_column(default=real_now, onupdate=real_now)

    plan: Mapped[WeeklyPlan] = relationship(back_populates="sessions")

    # The types whose workout goes to the athlete's device.
    DELIVERED = (SessionType.ENDURANCE, SessionType.STRENGTH)

    @property
    def is_delivered(self) -> bool:
        """A session whose workout goes to the athlete's device."""
        return self.type in self.DELIVERED and self.workout is not None

    @property
    def athlete_id(self) -> int:
        return self.plan.athlete_id

    def fingerprint(self) -> str:
        return workout_fingerprint(self.workout, self.date)
