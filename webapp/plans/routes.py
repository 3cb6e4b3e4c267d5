"""The plan editor's pages: the week of one athlete, and the session editor."""

from __future__ import annotations

import json
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from wtforms import SelectChoice

from core import clock, exports
from core.clock import monday_of, week_days
from core.db import db
from core.models import Role, SessionType, TrainingSession

from ..api.errors import flatten_messages
from ..api.schemas import SessionSchema
from ..athlete.badges import badge_for
from ..auth.access import coach_athlete_or_404, role_required
from ..inputs import date_arg, id_arg
from ..services import fitreport
from ..services import plans as plan_service
from ..templating import profile
from . import bp, builder
from .forms import SessionForm


@bp.get("")
@role_required(Role.COACH)
def week():
    athletes = current_user.athletes
    if not athletes:
        return render_template("plans/no_athletes.html")
    athlete = coach_athlete_or_404(id_arg("athlete") or athletes[0].id)
    week_start = monday_of(date_arg("week") or clock.today_in(athlete.timezone))
    plan = plan_service.find_plan(athlete.id, week_start)
    sessions = plan.sessions if plan else []
    days = [(day, [s for s in sessions if s.date == day]) for day in week_days(week_start)]
    badges = {s.id: badge_for(s, athlete_view=False, zone=athlete.timezone) for s in sessions}
    context = exports.Athlete.load(athlete.id)
    fit_markers = {s.id: fitreport.device_fit(s, context) for s in sessions}
    return render_template(
        "plans/week.html", athletes=athletes, athlete=athlete, week_start=week_start, days=days, badges=badges,
        fit_markers=fit_markers, thresholds_by_athlete={athlete.id: context.thresholds},
        previous_week=week_start - timedelta(days=7), next_week=week_start + timedelta(days=7),
        this_week=monday_of(clock.today_in(athlete.timezone)),
    )


@bp.route("/sessions/new", methods=["GET", "POST"])
@role_required(Role.COACH)
def new_session():
    athlete = coach_athlete_or_404(id_arg("athlete") or 0)
    day = date_arg("date") or clock.today_in(athlete.timezone)
    return _editor(athlete, monday_of(day), None, day)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@role_required(Role.COACH)
def edit_session(session_id: int):
    session = _own_session(session_id)
    return _editor(session.plan.athlete, session.plan.week_start, session, session.date)


@bp.post("/sessions/<int:session_id>/delete")
@role_required(Role.COACH)
def delete_session(session_id: int):
    session = _own_session(session_id)
    athlete_id, week_start, title = session.plan.athlete_id, session.plan.week_start, session.title
    plan_service.delete_session(session)
    db.session.commit()
    flash(f"Deleted “{title}”.", "info")
    return redirect(url_for("plans.week", athlete=athlete_id, week=week_start.isoformat()))


def _own_session(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None or not current_user.coaches(session.plan.athlete):
        abort(404)
    return session


def _editor(athlete, week_start: date, session: TrainingSession | None, day: date):
    form = SessionForm()
    form.date.choices = [SelectChoice(d.isoformat(), d.strftime("%A %-d %B")) for d in week_days(week_start)]
    errors: dict[str, list[str]] = {}
    week_url = url_for("plans.week", athlete=athlete.id, week=week_start.isoformat())

    if request.method == "GET":
        form.date.data = day.isoformat()
        form.type.data = session.type if session else SessionType.ENDURANCE
        form.title.data = session.title if session else ""
        draft = builder.from_workout(session.workout) if session and session.workout else builder.new_draft()
    else:
        draft = builder.from_form(request.form)
        if request.form.get("builder"):
            builder.apply_action(draft, request.form["builder"])
        elif request.form.get("load_json") is not None and request.form.get("workout_json", "").strip():
            draft, errors = _draft_from_json(request.form["workout_json"], draft)
        elif not form.validate_on_submit():
            errors = {f"{name}": list(messages) for name, messages in form.errors.items()}
        else:
            errors = _save(athlete, week_start, session, form, draft)
            if not errors:
                flash("Session saved.", "info")
                if request.headers.get("HX-Request"):
                    return "", 204, {"HX-Redirect": week_url}
                return redirect(week_url)

    status = 422 if errors and request.method == "POST" else 200
    workout_errors = {k[len("workout."):]: v for k, v in errors.items() if k.startswith("workout.")}
    return render_template(
        "plans/session.html", form=form, draft=draft, errors=errors, workout_errors=workout_errors,
        athlete=athlete, session=session, week_url=week_url, choices=builder.CHOICES,
        **_draft_panel(draft, athlete),
    ), status


@bp.route("/athletes/<int:athlete_id>/profile", methods=["GET", "POST"])
@role_required(Role.COACH)
def athlete_profile(athlete_id: int):
    """The coach sets an athlete's thresholds (as PUT /api/v1/athletes/<id>/profile does)."""
    from ..athlete.routes import profile_page

    athlete = coach_athlete_or_404(athlete_id)
    return profile_page(athlete, back_url=url_for("plans.week", athlete=athlete.id))


@bp.post("/sessions/fit")
@role_required(Role.COACH)
def live_fit():
    """The editor's fit panel for the workout being edited (HTMX, as the coach types)."""
    athlete = coach_athlete_or_404(id_arg("athlete") or 0)
    draft = builder.from_form(request.form)
    return render_template("plans/_fit.html", athlete=athlete, **_draft_panel(draft, athlete),
                           is_endurance=request.form.get("type", SessionType.ENDURANCE) == SessionType.ENDURANCE)


def _draft_panel(draft: dict, athlete) -> dict:
    """What the editor's panel shows for the draft: its profile and each device's fit."""
    workout, parse_errors = builder.to_workout(draft)
    if parse_errors:
        return {"fit_items": None, "drawn": None}
    context = exports.Athlete.load(athlete.id)
    return {"fit_items": fitreport.fits(workout, context),
            "drawn": profile(workout, context.thresholds, ident="draft", title=workout.get("name") or "Workout")}


def _about_unreadable_value(message: str) -> bool:
    return any(words in message for words in ("numeric value", "must be numbers", "whole number"))


def _draft_from_json(text: str, current: dict) -> tuple[dict, dict]:
    try:
        workout = json.loads(text)
        if not isinstance(workout, dict):
            raise ValueError("a workout is a JSON object")
        return builder.from_workout(workout), {}
    except (ValueError, RecursionError, TypeError, KeyError) as error:
        return current, {"workout_json": [f"Could not read that JSON: {error}"]}


def _save(athlete, week_start: date, session: TrainingSession | None, form: SessionForm, draft: dict) -> dict:
    data: dict = {"date": form.date.data, "type": form.type.data, "title": form.title.data.strip() or None}
    parse_errors: dict[str, list[str]] = {}
    if form.type.data == SessionType.ENDURANCE:
        data["workout"], parse_errors = builder.to_workout(draft)
    try:
        loaded = SessionSchema().load(data)
    except ValidationError as error:
        errors = flatten_messages(error.messages)
        # A value the coach typed that could not be read is reported once, as typed, not
        # again as the missing number the rules then see.
        for path, messages in parse_errors.items():
            rules = [m for m in errors.get(f"workout.{path}", []) if not _about_unreadable_value(m)]
            errors[f"workout.{path}"] = messages + rules
        return errors
    if parse_errors:
        return {f"workout.{path}": messages for path, messages in parse_errors.items()}
    try:
        plan = plan_service.get_or_create_plan(athlete, week_start)
        plan_service.save_session(plan, loaded, session)
    except plan_service.PlanInvalid as error:
        db.session.rollback()
        return error.fields
    db.session.commit()
    return {}
