"""The athlete's pages: the live week, a session's detail and export history, Retry."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from zoneinfo import available_timezones

from flask import Response, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core import clock, exports
from core.clock import monday_of, week_days
from core.config import ROOT
from core.connections import connections_of
from core.db import db
from core.models import ExportAttempt, Role, TrainingSession, User
from workouts import WorkoutInvalid, prepare
from workouts.constants import MULTISPORT
from workouts.formats import fit, trainer_files

from ..auth.access import role_required, safe_next
from ..inputs import date_arg
from ..services import fitreport, profile_form, profiles
from ..services import plans as plan_service
from . import bp
from .badges import badge_for, local_time
from .describe import describe


def _week_sessions(athlete: User, week_start: date) -> tuple[list[TrainingSession], str]:
    """The week's sessions and a version that changes whenever what the page shows does."""
    plan = plan_service.find_plan(athlete.id, week_start)
    sessions = plan.sessions if plan else []
    version = hashlib.sha1(repr([(s.id, s.revision, s.export_status, s.exported_at, s.title,
                                  s.export_scheduled_for, s.last_export_error) for s in sessions]).encode()).hexdigest()[:16]
    return sessions, version


def _week(athlete: User, week_start: date, sessions: list[TrainingSession], version: str) -> dict:
    zone = athlete.timezone
    badges = {s.id: badge_for(s, athlete_view=current_user.id == athlete.id, zone=zone) for s in sessions}
    context = exports.Athlete.load(athlete.id)
    fit_markers = {s.id: fitreport.device_fit(s, context) for s in sessions}
    return {"athlete": athlete, "week_start": week_start, "badges": badges, "version": version,
            "fit_markers": fit_markers, "thresholds_by_athlete": {athlete.id: context.thresholds},
            "days": [(day, [s for s in sessions if s.date == day]) for day in week_days(week_start)],
            "failed": [b for b in badges.values() if b and b.can_retry]}


@bp.get("/week")
@role_required(Role.ATHLETE)
def week():
    week_start = monday_of(date_arg("week") or clock.today_in(current_user.timezone))
    reconnect = [c for c in connections_of(current_user.id) if not c.is_active]
    return render_template(
        "athlete/week.html", **_week(current_user, week_start, *_week_sessions(current_user, week_start)),
        reconnect=reconnect,
        previous_week=week_start - timedelta(days=7), next_week=week_start + timedelta(days=7),
        this_week=monday_of(clock.today_in(current_user.timezone)),
    )


@bp.get("/week/live")
@role_required(Role.ATHLETE)
def week_live():
    """The week's sessions, only when something changed since the page's version (else 204,
    which HTMX leaves alone): new, changed or removed sessions appear without a reload."""
    week_start = monday_of(date_arg("week") or clock.today_in(current_user.timezone))
    sessions, version = _week_sessions(current_user, week_start)
    if version == request.args.get("v"):
        return "", 204  # the common case: one query, no badge built
    return render_template("athlete/_week_days.html", **_week(current_user, week_start, sessions, version))


def _visible_session(session_id: int) -> TrainingSession:
    """A session its athlete or their coach may see; anyone else is told it does not exist."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    athlete = session.plan.athlete
    if current_user.id != athlete.id and not current_user.coaches(athlete):
        abort(404)
    return session


@bp.get("/sessions/<int:session_id>/badge")
@login_required
def badge(session_id: int):
    session = _visible_session(session_id)
    athlete = session.plan.athlete
    return render_template("partials/export_badge.html", s=session,
                           b=badge_for(session, athlete_view=current_user.id == athlete.id, zone=athlete.timezone))


@bp.post("/sessions/<int:session_id>/retry")
@role_required(Role.ATHLETE)
def retry(session_id: int):
    session = _visible_session(session_id)
    try:
        exports.retry(session)
        db.session.commit()
        message = None
    except exports.RetryRefused as error:
        db.session.rollback()
        message = str(error)
    if request.headers.get("HX-Request"):
        response = render_template("partials/export_badge.html", s=session, refused=message,
                                   b=badge_for(session, athlete_view=True, zone=current_user.timezone))
        return response, (409 if message else 200)
    flash(message or "Sending again…", "error" if message else "info")
    return redirect(_back())


@bp.post("/sessions/retry-failed")
@role_required(Role.ATHLETE)
def retry_failed():
    retried, refused = exports.retry_all_failed(current_user.id)
    db.session.commit()
    flash(f"Sending {len(retried)} session(s) again." + (f" {len(refused)} could not be retried: "
                                                          + "; ".join(sorted(set(refused.values()))) if refused else ""),
          "info" if not refused else "error")
    return redirect(_back())


@bp.get("/sessions/<int:session_id>")
@login_required
def session_detail(session_id: int):
    session = _visible_session(session_id)
    athlete = session.plan.athlete
    thresholds = athlete.thresholds()
    attempts = db.session.scalars(select(ExportAttempt).where(ExportAttempt.session_id == session.id)
                                  .order_by(ExportAttempt.started_at.desc(), ExportAttempt.id.desc())).all()
    context = exports.Athlete.load(athlete.id)
    return render_template(
        "athlete/session.html", s=session, athlete=athlete, zone=athlete.timezone, local_time=local_time,
        b=badge_for(session, athlete_view=current_user.id == athlete.id, zone=athlete.timezone),
        workout=describe(session.workout, thresholds) if session.workout else None, attempts=attempts,
        fit_items=fitreport.fits(session.workout, context) if session.workout else None,
        files=_trainer_files(session, thresholds), thresholds=thresholds,
    )


def _trainer_files(session: TrainingSession, thresholds) -> dict:
    if not session.workout:
        return {}
    try:
        return trainer_files.all_files(prepare(session.workout, thresholds), thresholds)
    except WorkoutInvalid:
        return {}


@bp.get("/sessions/<int:session_id>/workout.<any(fit, zwo, erg, mrc):fmt>")
@login_required
def download(session_id: int, fmt: str):
    """The session's workout as a file, for a device or trainer app by hand; 422 with the reason
    when that format cannot hold it."""
    session = _visible_session(session_id)
    if not session.workout:
        abort(404)
    athlete = session.plan.athlete
    thresholds = athlete.thresholds()
    try:
        normalized = prepare(session.workout, thresholds)
    except WorkoutInvalid as error:
        return Response(error.message, status=422, mimetype="text/plain")
    if fmt == "fit":
        if normalized["sport"] == MULTISPORT:  # one file a leg (leg_download): say so, not fail
            return Response(fit.MULTISPORT_REASON, status=422, mimetype="text/plain")
        content, media_type = fit.convert(normalized), "application/vnd.ant.fit"
    else:
        made = trainer_files.make(fmt, normalized, thresholds)
        if not made.available:
            return Response("; ".join(made.notes), status=422, mimetype="text/plain")
        content, media_type = made.content, made.media_type
    name = re.sub(r"[^A-Za-z0-9]+", "-", session.title).strip("-").lower() or "workout"
    return Response(content, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{session.date.isoformat()}-{name}.{fmt}"'})


NOT_MULTISPORT = "legs: only a multisport workout has legs; download this workout's .fit instead"


@bp.get("/sessions/<int:session_id>/leg-<int:leg>.fit")
@login_required
def leg_download(session_id: int, leg: int):
    """One leg of a multisport session as a .fit file of its own (fit.write_legs): a watch's
    workout file holds one sport, so a brick comes as one file a leg."""
    session = _visible_session(session_id)
    if not session.workout:
        abort(404)
    if session.workout.get("sport") != MULTISPORT:
        return Response(NOT_MULTISPORT, status=422, mimetype="text/plain")
    try:
        legs = fit.write_legs(prepare(session.workout, session.plan.athlete.thresholds()))
    except WorkoutInvalid as error:
        return Response(error.message, status=422, mimetype="text/plain")
    if not 1 <= leg <= len(legs):
        abort(404)
    name = re.sub(r"[^A-Za-z0-9]+", "-", session.title).strip("-").lower() or "workout"
    return Response(legs[leg - 1][1], mimetype="application/vnd.ant.fit", headers={
        "Content-Disposition": f'attachment; filename="{session.date.isoformat()}-{name}-leg-{leg}.fit"'})


@bp.route("/profile", methods=["GET", "POST"])
@role_required(Role.ATHLETE)
def profile():
    """The athlete's own thresholds and time zone (the coach's API and page change them too)."""
    return profile_page(current_user, back_url=url_for("athlete.week"))


def profile_page(athlete: User, back_url: str | None):
    errors: dict[str, list[str]] = {}
    values = profile_form.values_of(athlete)
    if request.method == "POST":
        columns, errors = profile_form.read(request.form)
        values = {key: request.form.get(key, "") for key in values}
        if not errors:
            _, resent = profiles.update(athlete, columns)
            db.session.commit()
            flash("Saved." + (f" {len(resent)} upcoming session(s) are sent again with the new thresholds."
                              if resent else ""), "info")
            return redirect(request.path)
    return render_template("athlete/profile.html", athlete=athlete, values=values, errors=errors,
                           zones=sorted(available_timezones()), back_url=back_url), 422 if errors else 200


@bp.get("/sw.js")
def service_worker():
    # Served from the root so that its scope covers the athlete's pages.
    response = send_from_directory(ROOT / "static" / "js", "sw.js", mimetype="application/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _back() -> str:
    """Where a form without JavaScript returns: the page it came from, if it is ours."""
    return safe_next(request.form.get("next")) or url_for("athlete.week")
