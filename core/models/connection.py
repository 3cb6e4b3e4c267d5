"""An athlete's connection to a provider: their own OAuth tokens, encrypted at rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from providers import registry

from .. import messages
from ..clock import real_now
from ..db import db
from ..security import cipher
from .user import User

# The providers of the registry; a new one needs a migration that widens these constraints.
PROVIDER_IN = "provider IN (" + ", ".join(f"'{name}'" for name in registry.names()) + ")"


class ConnectionStatus:
    ACTIVE = "ACTIVE"
    REVOKED = "REVOKED"  # shown as "reconnect needed"


class RevokedReason:
    """Why a connection needs reconnecting, in words an athlete can act on."""

    TOKEN_REFUSED = "TOKEN_REFUSED"
    DEREGISTERED = "DEREGISTERED"
    PERMISSION_MISSING = "PERMISSION_MISSING"  # what each means to the athlete: core/messages.py


class DeviceConnection(db.Model):
    __tablename__ = "device_connections"
    __table_args__ = (
        UniqueConstraint("athlete_id", "provider", name="uq_device_connections_athlete_provider"),
        Index("ix_device_connections_provider_user", "provider", "provider_user_id"),
        CheckConstraint(PROVIDER_IN, name="provider"),
        CheckConstraint("status IN ('ACTIVE', 'REVOKED')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_user_id: Mapped[str] = mapped_column(String(128))
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    access_expires_at: Mapped[datetime | None]
    scopes: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[str] = mapped_column(String(16), default=ConnectionStatus.ACTIVE)
    status_reason: Mapped[str | None] = mapped_column(String(32))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every refresh, so that a process can tell its token was replaced meanwhile.
    token_version: Mapped[int] = mapped_column(default=0)
    connected_at: Mapped[datetime] = mapped_column(default=real_now)
    refreshed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=real_now, onupdate=real_now)

    athlete: Mapped[User] = relationship()

    @property
    def access_token(self) -> str:
        return cipher().decrypt(self.access_token_enc)

    @property
    def refresh_token(self) -> str | None:
        return cipher().decrypt(self.refresh_token_enc) if self.refresh_token_enc else None

    def set_tokens(self, access: str, refresh: str | None, expires_at: datetime | None) -> None:
        self.access_token_enc = cipher().encrypt(access)
        if refresh:  # a provider that does not rotate keeps the refresh token it gave
            self.refresh_token_enc = cipher().encrypt(refresh)
        self.access_expires_at = expires_at
        self.token_version = (self.token_version or 0) + 1

    @property
    def is_active(self) -> bool:
        return self.status == ConnectionStatus.ACTIVE

    @property
    def reconnect_message(self) -> str | None:
        if self.is_active:
            return None
        return messages.revoked(self.provider, self.status_reason)

    def __repr__(self) -> str:  # never the tokens
        return f"<DeviceConnection {self.id} {self.provider} {self.status}>"


class DeliveryRoute(db.Model):
    """Which connected provider gets an athlete's sessions of one sport (the primary gets the rest)."""

    __tablename__ = "delivery_routes"
    __table_args__ = (
        UniqueConstraint("athlete_id", "sport", name="uq_delivery_routes_athlete_sport"),
        CheckConstraint(PROVIDER_IN, name="provider"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sport: Mapped[str] = mapped_column(String(8))
    provider: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(default=real_now, onupdate=real_now)
