"""Role checks for pages: a coach sees only their athletes, an athlete only themself."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required

from core.db import db
from core.models import User

from ..extensions import login_manager
from ..inputs import MAX_ID


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session or remember cookie names (``User.get_id``), while its session
    version is still the user's: an ended session (logout, a new password, an operator's
    revocation) loads nobody."""
    user_id, version, nonce = (session_id.split(":") + ["", ""])[:3]
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()) \
            or len(user_id) > len(str(MAX_ID)) or int(user_id) > MAX_ID:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version:
        return None
    user.login_nonce = nonce
    return user


def role_required(role: str):
    """Log in first, then 403 unless the user has ``role``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def coach_athlete_or_404(athlete_id: int) -> User:
    """One of the current coach's athletes; anything else does not exist for them."""
    athlete = db.session.get(User, athlete_id)
    if athlete is None or not current_user.coaches(athlete):
        abort(404)
    return athlete


def safe_next(target: str | None) -> str | None:
    """A redirect target only if it stays on this site (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
