"""The connect flow (Authlib, authorization code + PKCE) and the athlete's connections page."""

from __future__ import annotations

import logging

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from requests import RequestException

from core import clients, exports, messages, quota, routes
from core import connections as connection_service
from core.db import db
from core.delivery.routing import choose
from core.logs import log_event
from core.models import Role
from providers import registry
from providers.errors import ProviderError
from workouts.constants import ALL_SPORTS as SPORTS  # routes name any sport a workout can have

from ..auth.access import role_required
from ..services import calendar
from . import bp
from .oauth_clients import oauth_client

logger = logging.getLogger(__name__)
EXPIRED = "that sign-in link was already used or has expired. Please try again."
# RFC 6749 4.1.2.1: the codes a provider may send back; only these are ever shown.
OAUTH_ERRORS = {"access_denied": "you chose not to allow it", "invalid_request": None, "unauthorized_client": None,
                "unsupported_response_type": None, "invalid_scope": None, "server_error": None,
                "temporarily_unavailable": None}


def _provider(slug: str) -> str:
    """The enabled provider of a URL's slug (404 for any other)."""
    provider = registry.by_slug(slug)
    if provider is None or provider.name not in current_app.config["PROVIDERS"]:
        abort(404)
    return provider.name


def _pending_states(slug: str) -> list[str]:
    """The ``state`` of each sign-in to this provider this browser started and has not ended
    (Authlib keeps each in the session under ``_state_<name>_<state>``)."""
    prefix = f"_state_{slug}_"
    return [key[len(prefix):] for key in session if key.startswith(prefix)]


def callback_url(slug: str) -> str:
    # Built from PUBLIC_URL, not the request: it must match what is registered with the provider.
    return f"{current_app.config['PUBLIC_URL']}{url_for('connections.callback', slug=slug)}"


@bp.get("")
@role_required(Role.ATHLETE)
def index():
    by_provider = {c.provider: c for c in connection_service.connections_of(current_user.id)}
    active = [c for c in by_provider.values() if c.is_active]
    routed = routes.routes_of(current_user.id)
    chosen = {sport: choose(sport, active, routed) for sport in SPORTS}
    feed_url = f"{current_app.config['PUBLIC_URL']}/calendar/{calendar.secret_of(current_user)}.ics"
    db.session.commit()  # a secret made on first view is kept
    return render_template("connections/index.html", providers=clients.enabled(), labels=registry.labels(),
                           takes={p.name: p.sports for p in registry.providers()}, connections=by_provider,
                           sports=SPORTS, routes=routed, chosen=chosen, active=[c.provider for c in active],
                           feed_url=feed_url)


@bp.post("/calendar/replace")
@role_required(Role.ATHLETE)
def replace_calendar():
    """A new calendar feed URL: the old one stops working (after sharing it by mistake)."""
    calendar.replace(current_user)
    db.session.commit()
    log_event(logger, "calendar feed replaced", athlete_id=current_user.id, outcome="replaced")
    flash("Your calendar address was replaced: the old one no longer works. Subscribe again with the new one.", "info")
    return redirect(url_for("connections.index") + "#calendar")


@bp.get("/<slug>/connect")
@role_required(Role.ATHLETE)
def connect(slug: str):
    _provider(slug)
    return oauth_client(slug).authorize_redirect(callback_url(slug), login_hint=current_user.email)


@bp.get("/<slug>/callback")
@role_required(Role.ATHLETE)
def callback(slug: str):
    provider = _provider(slug)
    label = registry.label(provider)
    if request.args.get("error"):
        # The provider's words are shown only for a sign-in this browser started (a valid
        # state), and only as one of OAuth's error codes: anyone can send a link with ?error=.
        client = oauth_client(slug)
        state = request.args.get("state") or ""
        if not client.framework.get_state_data(session, state):
            flash(f"{label} was not connected: {EXPIRED}", "error")
            return redirect(url_for("connections.index"))
        client.framework.clear_state_data(session, state)
        code = request.args["error"] if request.args["error"] in OAUTH_ERRORS else "unknown_error"
        flash(f"{label} was not connected: {OAUTH_ERRORS.get(code) or f'{label} refused the sign-in ({code})'}.",
              "error")
        log_event(logger, "connection refused", athlete_id=current_user.id, provider=provider, outcome=code)
        return redirect(url_for("connections.index"))
    if request.args.get("code") and not request.args.get("state"):
        # A provider may leave ``state`` out of its answer (Suunto's is not published): the
        # sign-in this browser started, when it started exactly one, is the one answered.
        pending = _pending_states(slug)
        if len(pending) == 1:
            return redirect(url_for("connections.callback", slug=slug, code=request.args["code"], state=pending[0]))
    try:
        quota.spend(provider, oauth=True)  # Garmin's partner minute counts OAuth requests
        token = oauth_client(slug).authorize_access_token()
        api = clients.api(provider)
        provider_user_id = api.user_id(token["access_token"])
        with quota.calling(athlete=provider_user_id):
            quota.spend(provider, athlete_only=True)  # the user-id call was this athlete's too
            required = registry.get(provider).required_permission
            if required and required not in api.permissions(token["access_token"]):
                flash(messages.permission_missing_at_connect(provider), "error")
                return redirect(url_for("connections.index"))
    except MismatchingStateError:
        flash(f"{label} was not connected: {EXPIRED}", "error")
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
    db.session.flush()
    moved = exports.routes_changed(current_user.id)
    db.session.commit()
    flash(f"New workouts now go to {registry.label(provider)}." + _moved_text(moved), "info")
    return redirect(url_for("connections.index"))


@bp.post("/routing")
@role_required(Role.ATHLETE)
def set_routing():
    """Which provider gets each sport (the page's form; the API is PUT /api/v1/connections/routing)."""
    wanted = {sport: request.form.get(f"route-{sport}", "") for sport in SPORTS}
    try:
        routes.set_routes(current_user.id, {sport: p for sport, p in wanted.items() if p in registry.names()})
    except (routes.RouteRefused, ValueError) as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("connections.index"))
    db.session.flush()
    moved = exports.routes_changed(current_user.id)
    db.session.commit()
    flash("Saved which device gets each sport." + _moved_text(moved), "info")
    return redirect(url_for("connections.index"))


def _moved_text(moved: list) -> str:
    return f" {len(moved)} upcoming session(s) move to their new device." if moved else ""


@bp.post("/<slug>/disconnect")
@role_required(Role.ATHLETE)
def disconnect(slug: str):
    provider = _provider(slug)
    if connection_service.disconnect(current_user.id, provider):
        db.session.flush()
        moved = exports.routes_changed(current_user.id)
        db.session.commit()
        flash(f"{registry.label(provider)} is disconnected." + _moved_text(moved), "info")
    return redirect(url_for("connections.index"))
