"""Accounts: coaches and athletes, their API tokens, and an athlete's thresholds."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from functools import lru_cache

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workouts import Thresholds

from ..clock import real_now
from ..db import db


class Role:
    COACH = "coach"
    ATHLETE = "athlete"
    OPERATOR = "operator"  # runs the service: the operator's page, no athlete's data
    ALL = (COACH, ATHLETE, OPERATOR)


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: stored trimmed and lower-cased."""
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('coach', 'athlete', 'operator')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Every browser session and remember cookie carries this number (get_id): bumping it
    # (logout, a password change, an operator's revocation) ends all of them at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=real_now)

    coach: Mapped["User | None"] = relationship(remote_side=[id], back_populates="athletes")
    athletes: Mapped[list["User"]] = relationship(back_populates="coach", order_by="User.name")
    profile: Mapped["AthleteProfile | None"] = relationship(back_populates="athlete", uselist=False)

    # A random part per login, so that no two logins give the same remember cookie.
    login_nonce: str = ""

    def get_id(self) -> str:
        """``<id>:<session version>:<login nonce>``: what the session and remember cookie hold."""
        return f"{self.id}:{self.session_version}:{self.login_nonce}"

    def end_sessions(self) -> None:
        """Every session and remember cookie of this user stops working (the caller commits)."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_coach(self) -> bool:
        return self.role == Role.COACH

    @property
    def is_athlete(self) -> bool:
        return self.role == Role.ATHLETE

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    def set_password(self, password: str) -> None:
        """A new password, which ends every session that the old one opened."""
        if self.password_hash:
            self.end_sessions()
        self.password_hash = generate_password_hash(password, method=password_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def coaches(self, athlete: "User") -> bool:
        return self.is_coach and athlete.coach_id == self.id

    def thresholds(self) -> Thresholds:
        """The athlete's thresholds; none are known before a profile is filled in."""
        return self.profile.thresholds() if self.profile else Thresholds()

    @property
    def timezone(self) -> str:
        return self.profile.timezone if self.profile else "UTC"

    def __repr__(self) -> str:  # never the hash
        return f"<User {self.id} {self.role}>"


def password_method() -> str:
    """Werkzeug's hash method for new passwords (PASSWORD_HASH_METHOD; scrypt unless set)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


@lru_cache(maxsize=4)
def dummy_hash(method: str) -> str:
    """Made once per method; the app makes it at start (webapp/auth/routes.py), so that the
    first unknown email does not cost a hash more."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def check_nobodys_password(password: str) -> None:
    """The hash an unknown email costs (a random text's, by today's method): a login's time
    tells nothing of whether the account exists."""
    check_password_hash(dummy_hash(password_method()), password)


def hash_api_token(token: str) -> str:
    # API tokens are 256-bit random strings, so a plain SHA-256 is enough to store them:
    # no dictionary can guess one, and lookups stay a single indexed equality.
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=real_now)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        """A new token for ``user``: the row to save and the only copy of the clear text."""
        clear = "hp_" + secrets.token_urlsafe(32)
        return cls(user=user, token_hash=hash_api_token(clear)), clear


class AthleteProfile(db.Model):
    """An athlete's thresholds (workout-format.md, "Zones") and time zone."""

    __tablename__ = "athlete_profiles"

    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    ftp_watts: Mapped[int | None]
    max_heart_rate: Mapped[int | None]
    threshold_pace_sec_per_km: Mapped[int | None]
    swim_threshold_pace_sec_per_100m: Mapped[int | None]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    updated_at: Mapped[datetime] = mapped_column(default=real_now, onupdate=real_now)

    athlete: Mapped[User] = relationship(back_populates="profile")

    def thresholds(self) -> Thresholds:
        return Thresholds(
            ftp_watts=self.ftp_watts,
            max_heart_rate=self.max_heart_rate,
            threshold_pace_sec_per_km=self.threshold_pace_sec_per_km,
            swim_threshold_pace_sec_per_100m=self.swim_threshold_pace_sec_per_100m,
        )


class CalendarFeed(db.Model):
    """An athlete's calendar feed: the secret in its URL, hashed to find it and sealed (Fernet)
    to show it again on the Connections page; replacing it makes the old URL stop working."""

    __tablename__ = "calendar_feeds"

    athlete_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    secret_enc: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=real_now)
