"""Access tokens for provider calls, refreshed in one place.

Every call to a provider goes through :func:`with_token`: it uses the stored access token,
refreshes it ahead of expiry or after a 401, and tries once more.  A refresh happens one
at a time per connection across processes (a row lock on PostgreSQL, a Redis lock
otherwise), re-reads the stored token after taking the lock (another process may have
refreshed it meanwhile, and the provider has then already rotated the refresh token we
hold), and commits the rotated tokens before anything uses the new access token.  A
refused refresh (``invalid_grant``) marks the connection REVOKED.

Authlib makes the refresh request (its requests-based client, like the Flask client of the
connect flow: OAuth grants go through requests, provider API calls through httpx).  It has
no lock across processes (authlib#673), which is why the lock and the re-read are ours.

Quotas: the calls made inside :func:`with_token` are the athlete's (Garmin counts a day per
athlete), and a refresh is an OAuth request, which Garmin's partner minute counts too
(jobs/quota.py).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, TypeVar

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from providers import registry
from providers.errors import TokenExpired, TokenRevoked, Transient

from . import messages, metrics, quota
from .clients import oauth_settings
from .clock import real_now
from .db import db
from .logs import log_event
from .models import ConnectionStatus, DeviceConnection, RevokedReason
from .queue import rq
from .security import cipher

T = TypeVar("T")
logger = logging.getLogger(__name__)
LOCK_SECONDS = 60


class Held:
    """The access token of a connection row its caller has just read (the export job reads
    it once, for every call it makes): :func:`with_token` uses it instead of reading the row
    again, until it is near its expiry or refused, and from then on reads the row as always.
    Decrypted once, when first used."""

    def __init__(self, connection: DeviceConnection):
        self.connection_id = connection.id
        self.athlete = connection.provider_user_id
        self._sealed = connection.access_token_enc if connection.is_active else None
        self._expires_at = connection.access_expires_at
        self._token: str | None = None

    def get(self, connection_id: int) -> tuple[str, str] | None:
        if connection_id != self.connection_id or self._sealed is None or _expiring_at(self._expires_at):
            return None
        if self._token is None:
            self._token = cipher().decrypt(self._sealed)
        return self._token, self.athlete

    def drop(self) -> None:
        self._sealed = self._token = None


def with_token(connection_id: int, action: Callable[[str], T], allow_revoked: bool = False,
               held: Held | None = None) -> T:
    """Run ``action(access_token)``; on a 401, refresh once and run it again.

    ``allow_revoked``: use a connection we stopped using (a withdrawn permission leaves the
    token valid), to ask the provider whether it may be used again.  ``held``: the token of
    the row as the caller read it, used while it is good (see :class:`Held`)."""
    token, athlete = (held.get(connection_id) if held is not None else None) or _access(connection_id, allow_revoked)
    with quota.calling(athlete=athlete):
        try:
            return action(token)
        except TokenExpired:
            if held is not None:
                held.drop()  # refused: every later call reads the row (and its refreshed token)
            token = refresh(connection_id, refused_token=token, allow_revoked=allow_revoked)
            try:
                return action(token)
            except TokenExpired as error:
                if registry.get(error.provider).refusal_after_refresh_revokes:
                    # A provider with no deauthorization ping says it this way: access withdrawn.
                    _mark_revoked(connection_id, error.provider)
                    raise TokenRevoked(error.provider, messages.revoked(error.provider, RevokedReason.TOKEN_REFUSED)) \
                        from None
                # Refused right after a successful refresh: let the next attempt refresh again;
                # a really revoked grant is then caught by the refresh itself.
                raise Transient(error.provider, "the provider refused a freshly refreshed token") from None


def _mark_revoked(connection_id: int, provider: str) -> None:
    with Session(db.engine) as session:
        connection = session.get(DeviceConnection, connection_id)
        if connection is not None and connection.is_active:
            connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.TOKEN_REFUSED
            session.commit()
    log_event(logger, "token refused after refresh", level=logging.WARNING, connection_id=connection_id,
              provider=provider, outcome="revoked")


def _access(connection_id: int, allow_revoked: bool = False) -> tuple[str, str]:
    """A usable access token and the provider's id of its athlete."""
    with Session(db.engine, expire_on_commit=False) as session:
        connection = session.get(DeviceConnection, connection_id)
        if connection is None or not (connection.is_active or allow_revoked):
            raise _revoked(connection)
        athlete = connection.provider_user_id
        if not _expiring(connection):
            return connection.access_token, athlete
    with quota.calling(athlete=athlete):
        return refresh(connection_id, refused_token=None, allow_revoked=allow_revoked), athlete


def refresh(connection_id: int, refused_token: str | None, allow_revoked: bool = False) -> str:
    """A new access token, unless another process refreshed meanwhile (then theirs)."""
    started = time.perf_counter()
    with _locked(connection_id) as (session, connection):
        if connection is None or not (connection.is_active or allow_revoked):
            raise _revoked(connection)
        current = connection.access_token
        if refused_token is not None and current != refused_token:
            return current  # refreshed by someone else while we waited
        if refused_token is None and not _expiring(connection):
            return current
        provider = connection.provider
        try:
            token = _refresh_at_provider(provider, connection.refresh_token)
        except Transient:
            metrics.count(metrics.REFRESHES, provider, "failed")
            raise
        except TokenRevoked:
            metrics.count(metrics.REFRESHES, provider, "revoked")
            connection.status, connection.status_reason = ConnectionStatus.REVOKED, RevokedReason.TOKEN_REFUSED
            session.commit()
            log_event(logger, "token refresh", level=logging.WARNING, connection_id=connection_id,
                      provider=provider, outcome="revoked")
            raise
        connection.set_tokens(token["access_token"], token.get("refresh_token"), expiry(token))
        connection.refreshed_at = real_now()
        session.commit()  # persisted before anyone uses the new access token
        metrics.count(metrics.REFRESHES, provider, "refreshed")
        log_event(logger, "token refresh", connection_id=connection_id, provider=provider, outcome="refreshed",
                  duration_ms=round((time.perf_counter() - started) * 1000, 1))
        return token["access_token"]


def _refresh_at_provider(provider: str, refresh_token: str | None) -> dict:
    settings = oauth_settings(provider)
    if not refresh_token:
        raise TokenRevoked(provider, "no refresh token is stored; reconnect needed")
    quota.spend(provider, oauth=True)
    client = OAuth2Session(settings["client_id"], settings["client_secret"],
                           token_endpoint_auth_method=settings["token_auth"])
    try:
        with client:
            return dict(client.refresh_token(settings["token_url"], refresh_token=refresh_token,
                                             timeout=current_app.config["HTTP_TIMEOUT_SECONDS"]))
    except OAuthError as error:
        if error.error == "invalid_grant":
            raise TokenRevoked(provider, "the provider refused the refresh token (invalid_grant)") from None
        raise Transient(provider, f"token refresh failed ({error.error})") from None
    except requests.HTTPError as error:
        # Wahoo answers two refreshes at once with a bare 400; the other one wins, so retry.
        raise Transient(provider, f"token refresh failed ({error.response.status_code})") from None
    except (requests.RequestException, ValueError) as error:
        raise Transient(provider, f"token refresh failed ({type(error).__name__})") from None


def _expiring(connection: DeviceConnection) -> bool:
    return _expiring_at(connection.access_expires_at)


def _expiring_at(expires_at: datetime | None) -> bool:
    if expires_at is None:
        return False
    margin = timedelta(seconds=current_app.config["TOKEN_REFRESH_MARGIN_SECONDS"])
    return expires_at - margin <= real_now()


def expiry(token: dict) -> datetime | None:
    """When an OAuth token response's access token expires (naive UTC), if it says."""
    if token.get("expires_at"):
        return datetime.fromtimestamp(int(token["expires_at"]), timezone.utc).replace(tzinfo=None)
    if token.get("expires_in"):
        return real_now() + timedelta(seconds=int(token["expires_in"]))
    return None


def _revoked(connection: DeviceConnection | None) -> TokenRevoked:
    if connection is None:  # disconnected meanwhile: no provider to name
        return TokenRevoked("", messages.connection_removed())
    return TokenRevoked(connection.provider, connection.reconnect_message)


@contextmanager
def _locked(connection_id: int):
    """A session holding the connection, locked against every other refresher."""
    with Session(db.engine, expire_on_commit=False) as session:
        if session.get_bind().dialect.name == "postgresql":
            statement = select(DeviceConnection).where(DeviceConnection.id == connection_id).with_for_update()
            yield session, session.scalar(statement)
            session.rollback()  # releases the row lock if nothing was committed
            return
        connection = session.get(DeviceConnection, connection_id)
        if connection is None:
            yield session, None
            return
        lock = rq.queue.connection.lock(f"hybridpeaks:lock:connection:{connection_id}", timeout=LOCK_SECONDS,
                                        blocking_timeout=LOCK_SECONDS)
        if not lock.acquire():
            raise Transient(connection.provider, "another refresh of this connection is taking too long")
        try:
            session.refresh(connection)  # what the refresher before us stored
            yield session, connection
        finally:
            try:
                lock.release()
            except Exception:  # expired meanwhile: nothing left to release
                pass
