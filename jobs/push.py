"""After an athlete connects a device: push every upcoming session that was waiting for one."""

from __future__ import annotations

import logging

from core import exports
from core.db import db
from core.delivery.priority import BULK
from core.logs import log_event


def push_waiting(athlete_id: int) -> str:
    """One ExportJob per waiting session, nearest date first, in one commit: as many enqueued
    as the provider's quota has room for now, the rest parked for the periodic job to release
    as it frees (and sessions beyond the delivery window parked until it opens).  Sessions
    whose day has passed are not pushed."""
    athlete = exports.Athlete.load(athlete_id)
    if not athlete.active:
        return "no active connection"
    sessions = exports.waiting_sessions(athlete)
    budget = exports.bulk_budget()
    jobs = [exports.deliver(session, athlete, BULK, budget=budget) for session in sessions]
    db.session.commit()
    queued = sum(1 for job in jobs if job is not None and not job.parked)
    log_event(logging.getLogger(__name__), "push waiting sessions", athlete_id=athlete_id, sessions=len(sessions),
              queued=queued, parked=sum(1 for job in jobs if job is not None and job.parked))
    return f"{len(sessions)} sessions: {queued} queued, the rest waiting"
