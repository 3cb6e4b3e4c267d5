"""After an athlete connects a device: push every session that was waiting for one."""

from __future__ import annotations

import logging

from webapp.extensions import db
from webapp.logs import log_event
from webapp.services import exports
from webapp.services.connections import export_provider

logger = logging.getLogger(__name__)


def push_waiting(athlete_id: int) -> str:
    """One ExportJob per waiting session, all enqueued in one go after one commit; the
    workers then push them in parallel, within the provider's rate limit."""
    provider = export_provider(athlete_id)
    if provider is None:
        return "no active connection"
    sessions = exports.waiting_sessions(athlete_id)
    for session in sessions:
        exports.start_export(session, provider, exports.BULK)
    db.session.commit()
    log_event(logger, "push waiting sessions", athlete_id=athlete_id, provider=provider, sessions=len(sessions))
    return f"{len(sessions)} sessions queued for {provider}"
