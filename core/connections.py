"""An athlete's device connections: connecting, the primary rule, revoking, disconnecting.

The primary rule: exactly one primary per athlete while any connection exists; the first
connection becomes primary, the athlete may switch, and disconnecting the primary
promotes the other.  A connection that needs reconnecting keeps its primary flag, so that
reconnecting restores the athlete's choice; exports meanwhile go to the other connection
if it is active (routing.py chooses).
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, select

from providers.errors import ProviderError

from . import clients, tokens
from .db import db
from .logs import log_event
from .models import ConnectionStatus, DeliveryRoute, DeviceConnection, User

logger = logging.getLogger(__name__)


def connections_of(athlete_id: int) -> list[DeviceConnection]:
    return list(db.session.scalars(
        select(DeviceConnection).where(DeviceConnection.athlete_id == athlete_id).order_by(DeviceConnection.connected_at)
    ))


def find(athlete_id: int, provider: str) -> DeviceConnection | None:
    return db.session.scalar(select(DeviceConnection).where(
        DeviceConnection.athlete_id == athlete_id, DeviceConnection.provider == provider))


def connect(athlete: User, provider: str, token: dict, provider_user_id: str) -> DeviceConnection:
    """Store (or replace, on reconnect) the athlete's connection from an OAuth token response."""
    connection = find(athlete.id, provider)
    if connection is None:
        connection = DeviceConnection(athlete=athlete, provider=provider, is_primary=False)
        db.session.add(connection)
    connection.provider_user_id = provider_user_id
    connection.set_tokens(token["access_token"], token.get("refresh_token"), tokens.expiry(token))
    connection.scopes = token.get("scope") or ""
    connection.status, connection.status_reason = ConnectionStatus.ACTIVE, None
    db.session.flush()
    _ensure_one_primary(athlete.id)
    log_event(logger, "connection connected", athlete_id=athlete.id, provider=provider, outcome="active")
    return connection


def set_primary(athlete_id: int, provider: str) -> DeviceConnection:
    chosen = find(athlete_id, provider)
    if chosen is None:
        raise LookupError(f"{provider} is not connected")
    if not chosen.is_active:
        raise ValueError(f"{provider} needs reconnecting before it can be primary")
    for connection in connections_of(athlete_id):
        connection.is_primary = connection.id == chosen.id
    return chosen


def disconnect(athlete_id: int, provider: str) -> bool:
    """Revoke at the provider where it allows (best effort), then forget the connection."""
    connection = find(athlete_id, provider)
    if connection is None:
        return False
    if connection.is_active:
        _revoke_at_provider(connection)
    was_primary = connection.is_primary
    db.session.delete(connection)
    db.session.execute(delete(DeliveryRoute).where(DeliveryRoute.athlete_id == athlete_id,
                                                   DeliveryRoute.provider == provider))
    db.session.flush()
    if was_primary:
        _ensure_one_primary(athlete_id)
    log_event(logger, "connection disconnected", athlete_id=athlete_id, provider=provider, outcome="deleted")
    return True


def _ensure_one_primary(athlete_id: int) -> None:
    connections = connections_of(athlete_id)
    primaries = [c for c in connections if c.is_primary]
    if len(primaries) == 1 or not connections:
        return
    keep = primaries[0] if primaries else next((c for c in connections if c.is_active), connections[0])
    for connection in connections:
        connection.is_primary = connection is keep


def _revoke_at_provider(connection: DeviceConnection) -> None:
    try:
        tokens.with_token(connection.id, clients.api(connection.provider).revoke)
    except ProviderError as error:
        log_event(logger, "revoke at provider failed", level=logging.WARNING, athlete_id=connection.athlete_id,
                  provider=connection.provider, outcome=type(error).__name__)
