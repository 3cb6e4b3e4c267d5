"""Accounts: creating one, finding one by email, and ending every session of one.

The ``flask users`` commands, the demo seed and the operator's page call these, so an
account is checked the same way wherever it is made.
"""

from __future__ import annotations

from sqlalchemy import select

from core.db import db
from core.models import ApiToken, Role, User
from core.models.user import normalize_email
from workouts.characters import RULE as TEXT_RULE
from workouts.characters import is_clean


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, password: str, role: str, name: str | None = None, coach: User | None = None) -> User:
    """A new account; raises ValueError with the reason when it cannot be created."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or not is_clean(email) or any(c.isspace() for c in email):
        raise ValueError(f"{email!r} is not an email address")
    if name is not None and not (1 <= len(name.strip()) <= 120):
        raise ValueError("the name must be 1 to 120 characters")
    if name is not None and not is_clean(name):
        raise ValueError(f"the name {TEXT_RULE}")
    if len(password) < 8:
        raise ValueError("the password must be at least 8 characters")
    if role not in Role.ALL:
        raise ValueError("the role must be coach, athlete or operator")
    if role == Role.ATHLETE and coach is None:
        raise ValueError("an athlete needs --coach (the email of an existing coach)")
    if role != Role.ATHLETE and coach is not None:
        raise ValueError("only athletes have a coach")
    if find_user(email) is not None:
        raise ValueError(f"there is already an account for {email}")
    user = User(email=email, name=(name or "").strip() or email.split("@")[0].replace(".", " ").title(), role=role,
                coach=coach)
    user.set_password(password)
    db.session.add(user)
    return user


def end_sessions(user: User, tokens: bool = False) -> int:
    """End every browser session and remember cookie of ``user`` (and, with ``tokens``, delete
    their API tokens); returns how many tokens were deleted.  The caller commits."""
    user.end_sessions()
    if not tokens:
        return 0
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)
