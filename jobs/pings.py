"""Checking a provider's ping with the provider before acting on it (webapp/webhooks explains
why), for the two checks a webhook can ask (providers/spec.py):

- DEREGISTRATION is real when the provider refuses the athlete's token (Garmin: after a
  deregistration "calls with that token are refused as unauthorized", and the refresh is
  refused too).  The connection then needs reconnecting, and says why.  If the token still
  works, the ping was forged or is stale (the athlete reconnected since): nothing changes.
- PERMISSIONS is read from the provider's permissions call, made with the athlete's own token
  (it keeps working after a permission change): the required permission (Garmin's
  WORKOUT_IMPORT) gone means reconnect; back (after we had stopped for want of it) restores
  the connection and pushes what waited.

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
from providers import registry
from providers.errors import TokenRevoked
from providers.spec import DEREGISTRATION, PERMISSIONS

logger = logging.getLogger(__name__)


def check(kind: str, connection_id: int) -> str:
    """Confirm a ping of ``kind`` (DEREGISTRATION or PERMISSIONS) for one connection."""
    connection = db.session.get(DeviceConnection, connection_id)
    if connection is None:
        return "no such connection"
    return (deregistration if kind == DEREGISTRATION else permissions)(connection)


def deregistration(connection: DeviceConnection) -> str:
    if not connection.is_active:
        return "already needs reconnecting"
    try:
        tokens.with_token(connection.id, clients.api(connection.provider).user_id)
    except TokenRevoked:
        db.session.refresh(connection)
        connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.DEREGISTERED
        db.session.commit()
        _log(DEREGISTRATION, connection, "CONFIRMED")
        return "confirmed: revoked"
    _log(DEREGISTRATION, connection, "NOT_CONFIRMED")
    return "not confirmed: the athlete's token still works"


def permissions(connection: DeviceConnection) -> str:
    required = registry.get(connection.provider).required_permission
    missing = connection.status_reason == RevokedReason.PERMISSION_MISSING
    if not connection.is_active and not missing:
        return "needs reconnecting anyway"
    try:
        granted = tokens.with_token(connection.id, clients.api(connection.provider).permissions, allow_revoked=missing)
    except TokenRevoked:
        return "the token is refused: reconnect needed"
    if required in granted:
        if not missing:
            _log(PERMISSIONS, connection, "NOT_CONFIRMED")
            return f"not confirmed: {required} is still granted"
        connection.status, connection.status_reason = ConnectionStatus.ACTIVE, None
        exports.athlete_connected(connection.athlete_id, connection.provider)
        outcome = f"confirmed: {required} granted again"
        _log(PERMISSIONS, connection, "RESTORED")
    elif not missing:
        connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.PERMISSION_MISSING
        outcome = f"confirmed: {required} withdrawn"
        _log(PERMISSIONS, connection, "CONFIRMED")
    else:
        outcome = f"not confirmed: {required} is still withdrawn"
    db.session.commit()
    return outcome


def _log(kind: str, connection: DeviceConnection, outcome: str) -> None:
    log_event(logger, f"{kind} ping checked", athlete_id=connection.athlete_id, provider=connection.provider,
              outcome=outcome)
