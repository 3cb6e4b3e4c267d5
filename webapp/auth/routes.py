from __future__ import annotations

import logging
import secrets

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from core.db import db
from core.logs import log_event
from core.models import User
from core.models.user import check_nobodys_password, dummy_hash, normalize_email

from ..extensions import limiter
from . import bp
from .access import safe_next
from .forms import LoginForm, PasswordForm

logger = logging.getLogger(__name__)



# Made at start, so that the first unknown email does not cost a hash more than the rest.
bp.record_once(lambda state: dummy_hash(state.app.config.get("PASSWORD_HASH_METHOD", "scrypt")))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == normalize_email(form.email.data)))
        # An unknown email costs the same hash as a known one: the time taken tells nothing.
        if user is None:
            check_nobodys_password(form.password.data)
        elif user.check_password(form.password.data):
            user.login_nonce = secrets.token_urlsafe(12)
            login_user(user, remember=form.remember.data)
            log_event(logger, "login", user_id=user.id, role=user.role, outcome="ok")
            return redirect(safe_next(form.next.data) or url_for("index"))
        log_event(logger, "login", outcome="refused", level=logging.WARNING)
        flash("That email and password do not match an account.", "error")
    return render_template("auth/login.html", form=form), (401 if request.method == "POST" else 200)


@bp.post("/logout")
@login_required
def logout():
    # Not only this browser's cookie: every copy of it, and the user's other sessions, end.
    current_user.end_sessions()
    db.session.commit()
    log_event(logger, "logout", user_id=current_user.id, outcome="sessions ended")
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A new password ends every other session and remember cookie of the user; this browser
    stays logged in with a new session."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)
            db.session.commit()
            user.login_nonce = secrets.token_urlsafe(12)
            login_user(user)
            log_event(logger, "password changed", user_id=user.id, outcome="sessions ended")
            flash("Your password is changed. Every other session of yours has ended.", "info")
            return redirect(url_for("index"))
    return render_template("auth/password.html", form=form), (422 if form.errors else 200)
