from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from ..extensions import db, limiter
from ..logs import log_event
from ..models import User
from ..models.user import normalize_email
from . import bp
from .access import safe_next
from .forms import LoginForm

logger = logging.getLogger(__name__)


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
        if user is not None and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            log_event(logger, "login", user_id=user.id, role=user.role, outcome="ok")
            return redirect(safe_next(form.next.data) or url_for("index"))
        log_event(logger, "login", outcome="refused", level=logging.WARNING)
        flash("That email and password do not match an account.", "error")
    return render_template("auth/login.html", form=form), (401 if request.method == "POST" else 200)


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))
