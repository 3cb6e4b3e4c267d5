"""Checking a Garmin ping with Garmin before acting on it (webapp/webhooks explains why).

- A deregistration is real when Garmin refuses the athlete's token: after a deregistration
  "calls with that token are refused as unauthorized", and the refresh is refused too.  The
  connection then needs reconnecting, and says why.  If the token still works, the ping was
  forged or is stale (the athlete reconnected since): nothing changes.
- A permission change is read from Garmin's permissions call, made with the athlete's own
  token (it keeps working after a permission change): WORKOUT_IMPORT gone means reconnect;
  WORKOUT_IMPORT back (after we had stopped for want of it) restores the connection and
  pushes what waited.

Each job checks one connection (the webhook found it, coalesced and queued it on the low
``pings`` queue).  A transient failure lets RQ retry the check (jobs/outbox.py enqueues it
with a Retry).
"""

from __future__ import annotations

import logging

from core import clients, exports, tokens
from core.db import db
from core.logs import log_event
from core.models import ConnectionStatus, DeviceConnection, RevokedReason
from providers.errors import TokenRevoked

logger = logging.getLogger(__name__)
GARMIN = "GARMIN"


def verify_deregistration(connection_id: int) -> str:
    connection = db.session.get(DeviceConnection, connection_id)
    if connection is None:
        return "no such connection"
    if not connection.is_active:
        return "already needs reconnecting"
    try:
        tokens.with_token(connection.id, clients.api(GARMIN).user_id)
    except TokenRevoked:
        db.session.refresh(connection)
        connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.DEREGISTERED
        db.session.commit()
        _log("deregistration", connection, "CONFIRMED")
        return "confirmed: revoked"
    _log("deregistration", connection, "NOT_CONFIRMED")
    return "not confirmed: the athlete's token still works"


def verify_permissions(connection_id: int) -> str:
    connection = db.session.get(DeviceConnection, connection_id)
    if connection is None:
        return "no such connection"
    missing = connection.status_reason == RevokedReason.PERMISSION_MISSING
    if not connection.is_active and not missing:
        return "needs reconnecting anyway"
    try:
        granted = tokens.with_token(connection.id, clients.api(GARMIN).permissions, allow_revoked=missing)
    except TokenRevoked:
        return "the token is refused: reconnect needed"
    if "WORKOUT_IMPORT" in granted:
        if not missing:
            _log("permissions", connection, "NOT_CONFIRMED")
            return "not confirmed: WORKOUT_IMPORT is still granted"
        connection.status, connection.status_reason = ConnectionStatus.ACTIVE, None
        exports.athlete_connected(connection.athlete_id, GARMIN)
        outcome = "confirmed: WORKOUT_IMPORT granted again"
        _log("permissions", connection, "RESTORED")
    elif not missing:
        connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.PERMISSION_MISSING
        outcome = "confirmed: WORKOUT_IMPORT withdrawn"
        _log("permissions", connection, "CONFIRMED")
    else:
        outcome = "not confirmed: WORKOUT_IMPORT is still withdrawn"
    db.session.commit()
    return outcome


def _log(kind: str, connection: DeviceConnection, outcome: str) -> None:
    log_event(logger, f"garmin {kind} ping checked", athlete_id=connection.athlete_id, provider=GARMIN,
              outcome=outcome)
