"""The coach's first page: every athlete's week and its deliveries, what needs the coach first.

Needs attention, in this order: a FAILED delivery, a connection to reconnect, no device
connected, sessions a device gets adapted; then the rest, by name.  Everything is read in a
fixed number of queries whatever the number of athletes (athletes with their profiles, the
week's sessions, connections, routes, open jobs), so fifty athletes cost what five do.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import clock
from core.db import db
from core.exports import Athlete
from core.models import DeliveryRoute, DeviceConnection, ExportStatus, TrainingSession, User, WeeklyPlan
from providers import registry
from providers.compatibility import UNSUPPORTED

from ..athlete.badges import PASSED, Badge, badge_for, open_attempts
from . import fitreport

ORDER = ("failed", "reconnect", "not connected", "adapted", "fine")


@dataclass
class Row:
    athlete: User
    sessions: list[TrainingSession]
    badges: dict[int, Badge | None]
    markers: dict[int, fitreport.DeviceFit | None]
    attention: list[tuple[str, str]] = field(default_factory=list)  # (kind, what to say)

    @property
    def rank(self) -> int:
        return min((ORDER.index(kind) for kind, _ in self.attention), default=len(ORDER) - 1)

    def days(self, week_start: date) -> list[tuple[date, list[TrainingSession]]]:
        return [(week_start + timedelta(days=n), [s for s in self.sessions if s.date == week_start + timedelta(days=n)])
                for n in range(7)]


def week(coach: User, week_start: date) -> tuple[list[Row], str]:
    """Every athlete's row, attention first, and a version that changes when what shows does."""
    athletes = list(db.session.scalars(select(User).where(User.coach_id == coach.id)
                                       .options(selectinload(User.profile)).order_by(User.name)))
    ids = [a.id for a in athletes]
    sessions = list(db.session.scalars(
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id.in_(ids), WeeklyPlan.week_start == week_start)
        .options(selectinload(TrainingSession.plan))
        .order_by(TrainingSession.date, TrainingSession.id))) if ids else []
    connections = list(db.session.scalars(select(DeviceConnection).where(DeviceConnection.athlete_id.in_(ids)))) if ids else []
    routes = list(db.session.scalars(select(DeliveryRoute).where(DeliveryRoute.athlete_id.in_(ids)))) if ids else []
    attempts = open_attempts([s.id for s in sessions if s.export_status == ExportStatus.PENDING])
    now = clock.now()
    rows = []
    for athlete in athletes:
        mine = [s for s in sessions if s.plan.athlete_id == athlete.id]
        linked = [c for c in connections if c.athlete_id == athlete.id]
        context = Athlete(athlete, [c for c in linked if c.is_active],
                          {r.sport: r.provider for r in routes if r.athlete_id == athlete.id}, now, athlete.thresholds())
        row = Row(athlete, mine,
                  {s.id: badge_for(s, athlete_view=False, zone=athlete.timezone, attempts=attempts) for s in mine},
                  {s.id: fitreport.device_fit(s, context) for s in mine})
        row.attention = attention(row, linked)
        rows.append(row)
    rows.sort(key=lambda r: (r.rank, r.athlete.name.lower()))
    return rows, _version(rows)


def attention(row: Row, connections: list[DeviceConnection]) -> list[tuple[str, str]]:
    out = []
    failed = [b for b in row.badges.values() if b and b.status == ExportStatus.FAILED]
    if failed:
        out.append(("failed", f"{len(failed)} failed"))
    for connection in connections:
        if not connection.is_active:
            out.append(("reconnect", f"Must reconnect {registry.label(connection.provider)}"))
    endurance = [s for s in row.sessions if s.is_delivered]
    waiting = [b for b in row.badges.values() if b and b.status == ExportStatus.NOT_CONNECTED]
    if endurance and (not connections or waiting) and not any(k == "reconnect" for k, _ in out):
        out.append(("not connected", "No device connected"))
    adapted = [m for m in row.markers.values() if m is not None and m.fit.level != UNSUPPORTED]
    if adapted:
        out.append(("adapted", f"{len(adapted)} adapted"))
    return out


def _version(rows: list[Row]) -> str:
    """A hash of what the page shows: it changes when a badge's words, an attention marker or
    a session does, and only then."""
    state = [(r.athlete.id, r.attention,
              [(s.id, s.revision, s.title, s.date, s.type,
                (b.status, b.text, b.detail) if (b := r.badges[s.id]) else None,
                (m.provider, m.fit.level) if (m := r.markers[s.id]) else None) for s in r.sessions])
             for r in rows]
    return hashlib.sha1(repr(state).encode()).hexdigest()[:16]


__all__ = ["PASSED", "Row", "week"]
