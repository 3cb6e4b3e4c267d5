"""An athlete's sessions as an iCalendar feed (RFC 5545, written with the icalendar library), so
their plan shows in the calendar of their phone.

The feed's URL holds a secret per athlete: anyone with the URL reads the feed (calendar apps
cannot log in), so the secret is long and random, shown only to the athlete (Connections
page), stored as a hash to find the feed and sealed with the token key to show it again, and
replaceable: the old URL then stops working.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from icalendar import Calendar, Event
from sqlalchemy import select

from core import clock
from core.db import db
from core.models import CalendarFeed, ExportStatus, SessionType, TrainingSession, User, WeeklyPlan
from core.security import cipher
from workouts import WorkoutInvalid, normalize
from workouts.characters import cleaned
from workouts.profile import draw

PAST_DAYS, AHEAD_DAYS = 28, 84  # what the feed holds around today
STATES = {ExportStatus.SENT: "on your device", ExportStatus.PENDING: "being sent",
          ExportStatus.FAILED: "not sent (see HybridPeaks)", ExportStatus.NOT_CONNECTED: "not sent: no device connected"}


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_of(athlete: User) -> str:
    """The athlete's feed secret, made on first use."""
    feed = db.session.get(CalendarFeed, athlete.id)
    if feed is None:
        return replace(athlete)
    return cipher().decrypt(feed.secret_enc)


def replace(athlete: User) -> str:
    """A new secret: the feed's old URL stops working.  The caller commits."""
    secret = secrets.token_urlsafe(24)
    feed = db.session.get(CalendarFeed, athlete.id) or CalendarFeed(athlete_id=athlete.id)
    feed.secret_hash, feed.secret_enc = _hash(secret), cipher().encrypt(secret)
    feed.created_at = datetime.now(timezone.utc).replace(tzinfo=None)
    db.session.add(feed)
    return secret


def athlete_for(secret: str) -> User | None:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.secret_hash == _hash(secret)))
    return db.session.get(User, feed.athlete_id) if feed else None


def feed(athlete: User, public_url: str) -> bytes:
    today = clock.today_in(athlete.timezone)
    sessions = db.session.scalars(
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete.id,
               TrainingSession.date.between(today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS)))
        .order_by(TrainingSession.date, TrainingSession.id)).all()
    thresholds = athlete.thresholds()
    calendar = Calendar()
    calendar.add("prodid", "-//HybridPeaks//Training plan//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", cleaned(f"HybridPeaks · {athlete.name}"))
    for session in sessions:
        calendar.add_component(_event(session, thresholds, public_url))
    return calendar.to_ical()


def _event(session: TrainingSession, thresholds, public_url: str) -> Event:
    summary = _summary(session, thresholds)
    link = f"{public_url}/sessions/{session.id}"
    event = Event()
    event.add("uid", f"session-{session.id}@hybridpeaks")
    event.add("dtstamp", datetime.now(timezone.utc))
    event.add("dtstart", session.date)  # an all-day event
    event.add("dtend", session.date + timedelta(days=1))
    event.add("summary", cleaned(f"{session.title} · {summary}" if summary else session.title))
    lines = [summary] if summary else []
    if session.type == SessionType.ENDURANCE and session.export_status:
        lines.append(f"Device: {STATES.get(session.export_status, session.export_status.lower())}")
    lines.append(link)
    event.add("description", "\n".join(lines))
    event.add("url", link)
    event.add("sequence", session.revision)
    event.add("last-modified", session.updated_at.replace(tzinfo=timezone.utc))
    event.add("transp", "TRANSPARENT")
    return event


def _summary(session: TrainingSession, thresholds) -> str:
    """Duration, distance and main set: ``About 54 min · 2 km · 4 × (8 min 250–265 W; …)``."""
    if not session.workout:
        return session.type.capitalize() if session.type != SessionType.ENDURANCE else ""
    try:
        return draw(normalize(session.workout, thresholds), thresholds).summary
    except (WorkoutInvalid, KeyError, ValueError):
        return ""

