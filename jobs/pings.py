"""Checking a Garmin ping with Garmin before acting on it (webapp/webhooks explains why).

- A deregistration is real when Garmin refuses the athlete's token: after a deregistration
  "calls with that token are refused as unauthorized", and the refresh is refused too.  The
  connection then needs reconnecting, and says why.  If the token still works, the ping was
  forged or is stale (the athlete reconnected since): nothing changes.
- A permission change is read from Garmin's permissions call, made with the athlete's own
  token (it keeps working after a permission change): WORKOUT_IMPORT gone means reconnect;
  WORKOUT_IMPORT back (after we had stopped for want of it) restores the connection and
  pushes what waited.

A transient failure lets RQ retry the check (jobs/queueing.py enqueues it with a Retry).
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from providers.errors import TokenRevoked
from webapp.extensions import db
from webapp.logs import log_event
from webapp.models import ConnectionStatus, DeviceConnection, RevokedReason
from webapp.services import exports, providers, tokens

logger = logging.getLogger(__name__)
GARMIN = "GARMIN"


def _connections(provider_user_id: str) -> list[DeviceConnection]:
    return list(db.session.scalars(select(DeviceConnection).where(
        DeviceConnection.provider == GARMIN, DeviceConnection.provider_user_id == provider_user_id)))


def verify_deregistration(provider_user_id: str) -> str:
    outcomes = []
    for connection in _connections(provider_user_id):
        if not connection.is_active:
            outcomes.append("already needs reconnecting")
            continue
        try:
            tokens.with_token(connection.id, providers.api(GARMIN).user_id)
        except TokenRevoked:
            db.session.refresh(connection)
            connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.DEREGISTERED
            db.session.commit()
            outcomes.append("confirmed: revoked")
            _log("deregistration", connection, "CONFIRMED")
            continue
        outcomes.append("not confirmed: the athlete's token still works")
        _log("deregistration", connection, "NOT_CONFIRMED")
    return "; ".join(outcomes) or "no such athlete"


def verify_permissions(provider_user_id: str) -> str:
    outcomes = []
    for connection in _connections(provider_user_id):
        missing = connection.status_reason == RevokedReason.PERMISSION_MISSING
        if not connection.is_active and not missing:
            outcomes.append("needs reconnecting anyway")
            continue
        try:
            granted = tokens.with_token(connection.id, providers.api(GARMIN).permissions, allow_revoked=missing)
        except TokenRevoked:
            outcomes.append("the token is refused: reconnect needed")
            continue
        if "WORKOUT_IMPORT" in granted:
            if missing:
                connection.status, connection.status_reason = ConnectionStatus.ACTIVE, None
                exports.athlete_connected(connection.athlete_id, GARMIN)
                outcomes.append("confirmed: WORKOUT_IMPORT granted again")
                _log("permissions", connection, "RESTORED")
            else:
                outcomes.append("not confirmed: WORKOUT_IMPORT is still granted")
                _log("permissions", connection, "NOT_CONFIRMED")
        elif not missing:
            connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.PERMISSION_MISSING
            outcomes.append("confirmed: WORKOUT_IMPORT withdrawn")
            _log("permissions", connection, "CONFIRMED")
        db.session.commit()
    return "; ".join(outcomes) or "no such athlete"


def _log(kind: str, connection: DeviceConnection, outcome: str) -> None:
    log_event(logger, f"garmin {kind} ping checked", athlete_id=connection.athlete_id, provider=GARMIN,
              outcome=outcome)
