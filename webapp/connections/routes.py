"""The connect flow (Authlib, authorization code + PKCE) and the athlete's connections page."""

from __future__ import annotations

import logging

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from requests import RequestException

from providers.errors import ProviderError

from ..auth.access import role_required
from ..extensions import db
from ..logs import log_event
from ..models import Provider, Role
from ..services import connections as connection_service
from ..services import exports, providers
from . import bp
from .oauth_clients import oauth_client

logger = logging.getLogger(__name__)
SLUGS = {"garmin": Provider.GARMIN, "wahoo": Provider.WAHOO}


def _provider(slug: str) -> str:
    if slug not in SLUGS:
        abort(404)
    return SLUGS[slug]


def callback_url(slug: str) -> str:
    # Built from PUBLIC_URL, not the request: it must match what is registered with the provider.
    return f"{current_app.config['PUBLIC_URL']}{url_for('connections.callback', slug=slug)}"


@bp.get("")
@role_required(Role.ATHLETE)
def index():
    by_provider = {c.provider: c for c in connection_service.connections_of(current_user.id)}
    return render_template("connections/index.html", providers=Provider.ALL, labels=Provider.LABELS,
                           connections=by_provider)


@bp.get("/<slug>/connect")
@role_required(Role.ATHLETE)
def connect(slug: str):
    _provider(slug)
    return oauth_client(slug).authorize_redirect(callback_url(slug), login_hint=current_user.email)


@bp.get("/<slug>/callback")
@role_required(Role.ATHLETE)
def callback(slug: str):
    provider = _provider(slug)
    label = Provider.LABELS[provider]
    if request.args.get("error"):
        reason = "you chose not to allow it" if request.args["error"] == "access_denied" else request.args["error"]
        flash(f"{label} was not connected: {reason}.", "error")
        log_event(logger, "connection refused", athlete_id=current_user.id, provider=provider,
                  outcome=request.args["error"][:40])
        return redirect(url_for("connections.index"))
    try:
        token = oauth_client(slug).authorize_access_token()
        api = providers.api(provider)
        provider_user_id = api.user_id(token["access_token"])
        if provider == Provider.GARMIN and "WORKOUT_IMPORT" not in api.permissions(token["access_token"]):
            flash("Garmin was connected without the workout import permission. Connect again and leave "
                  "“Workout import” ticked, or HybridPeaks cannot send workouts.", "error")
            return redirect(url_for("connections.index"))
    except MismatchingStateError:
        flash(f"{label} was not connected: that sign-in link was already used or has expired. Please try again.", "error")
        return redirect(url_for("connections.index"))
    except (OAuthError, ProviderError, RequestException, KeyError) as error:
        log_event(logger, "connection failed", level=logging.WARNING, athlete_id=current_user.id, provider=provider,
                  outcome=type(error).__name__)
        flash(f"{label} was not connected: {label} did not confirm the sign-in. Please try again.", "error")
        return redirect(url_for("connections.index"))
    connection = connection_service.connect(current_user, provider, token, provider_user_id)
    exports.athlete_connected(current_user.id, provider)
    db.session.commit()
    flash(f"{label} is connected" + (" and is your primary device." if connection.is_primary else "."), "info")
    return redirect(url_for("connections.index"))


@bp.post("/<slug>/primary")
@role_required(Role.ATHLETE)
def make_primary(slug: str):
    provider = _provider(slug)
    try:
        connection_service.set_primary(current_user.id, provider)
    except (LookupError, ValueError) as error:
        flash(str(error), "error")
        return redirect(url_for("connections.index"))
    db.session.commit()
    flash(f"New workouts now go to {Provider.LABELS[provider]}.", "info")
    return redirect(url_for("connections.index"))


@bp.post("/<slug>/disconnect")
@role_required(Role.ATHLETE)
def disconnect(slug: str):
    provider = _provider(slug)
    if connection_service.disconnect(current_user.id, provider):
        db.session.commit()
        flash(f"{Provider.LABELS[provider]} is disconnected.", "info")
    return redirect(url_for("connections.index"))
