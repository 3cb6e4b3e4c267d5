"""The plan editor's pages: the week of one athlete, and the session editor."""

from __future__ import annotations

import io
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
from workouts.constants import LEG_SPORTS

from ..api.errors import flatten_messages
from ..api.schemas import SessionSchema
from ..athlete.badges import badge_for
from ..auth.access import coach_athlete_or_404, role_required
from ..inputs import date_arg, id_arg
from ..services import fitreport
from ..services import plans as plan_service
from ..templating import profile
from . import bp, builder, exercises, messages, text_view
from . import draft as drafts
from .forms import SessionForm
from .messages import TEXT_NOT_READ, TEXT_READ


@bp.context_processor
def _sayings() -> dict:
    return {"say": messages}


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
    notes: list[str] = []
    week_url = url_for("plans.week", athlete=athlete.id, week=week_start.isoformat())
    found: dict = {}

    if request.method == "GET":
        form.date.data = day.isoformat()
        form.type.data = session.type if session else SessionType.ENDURANCE
        form.title.data = session.title if session else ""
        draft = builder.from_workout(session.workout) if session and session.workout else drafts.new_draft()
    else:
        draft = drafts.reshape(drafts.from_form(request.form), request.form.get("type", ""))
        action = request.form.get("builder", "")
        text, base = request.form.get("w-text", ""), request.form.get("w-text-base", "")
        if action == "import":
            draft, errors, notes = _read_into(text_view.imported(*_upload(), draft), draft, "import")
        elif action == "text" or (not action and text_view.changed(text, base) and text.strip()):
            # Without JavaScript the form follows the text when the coach asks (or saves).
            draft, errors, notes = _read_into(text_view.read(text, draft), draft, "text")
        elif action:
            drafts.apply_action(draft, action)
            found = builder.suggestions(draft)
        elif request.form.get("load_json") is not None and request.form.get("workout_json", "").strip():
            draft, errors = _draft_from_json(request.form["workout_json"], draft)
        if not action and not errors and request.form.get("load_json") is None:
            if not form.validate_on_submit():
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
    panel = _draft_panel(draft, athlete)
    if errors.get("text"):
        panel["text_value"] = request.form.get("w-text", "")  # the coach's text stays, beside its problems
    return render_template(
        "plans/session.html", form=form, draft=draft, errors=errors, workout_errors=workout_errors,
        athlete=athlete, session=session, week_url=week_url, choices=_choices(draft), found=found,
        read_notes=notes, **panel,
    ), status


def _choices(draft: dict) -> dict:
    return {**builder.CHOICES, "pools": builder.pool_choices(draft.get("pool", "")),
            "categories": exercises.categories, "names_in": exercises.names_in, "leg_sports": LEG_SPORTS,
            "family": drafts.form_family}


def _upload():
    upload = request.files.get("workout_file")
    if upload is None or not upload.filename:
        return io.BytesIO(b""), ""
    return upload.stream, upload.filename


def _read_into(reading, draft: dict, field: str) -> tuple[dict, dict, list[str]]:
    """The draft a text or file gave, or the form's draft kept and the lines that could not be read."""
    if reading.draft is None:
        return draft, {field: [TEXT_NOT_READ] + [str(problem) for problem in reading.problems]}, []
    return reading.draft, {}, [TEXT_READ] + reading.notes


@bp.get("/exercises")
@role_required(Role.COACH)
def exercise_search():
    """The exercises a typed name may be (HTMX, as the coach types), each a button that picks it."""
    prefix = request.args.get("for", "")
    if not drafts.is_prefix(prefix):
        abort(400)
    typed = request.args.get(f"{prefix}-exercise_name", request.args.get("q", ""))[:80]
    return render_template("plans/_exercises.html", prefix=prefix, matches=exercises.search(typed), typed=typed)


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
    """The editor's fit panel for the workout being edited (HTMX, as the coach types).

    From the form (``source`` absent) it also sends the form's workout as text; from the text
    (``source=text``) the form's steps as the text describes them, or the text's problems by
    line (the form then keeps its last good workout)."""
    athlete = coach_athlete_or_404(id_arg("athlete") or 0)
    draft = drafts.reshape(drafts.from_form(request.form), request.form.get("type", ""))
    from_text = request.form.get("source") == "text"
    problems, notes, readable = [], [], True
    if from_text:
        reading = text_view.read(request.form.get("w-text", ""), draft)
        if reading.draft is None:
            problems, readable = reading.problems, False
        else:
            draft, notes = reading.draft, reading.notes
    panel = _draft_panel(draft, athlete)  # unreadable text: the form's last good workout stays drawn
    return render_template("plans/_fit.html", athlete=athlete, live=True, from_text=from_text, readable=readable,
                           problems=problems, read_notes=notes, draft=draft, choices=_choices(draft), found={},
                           workout_errors={}, errors={}, **{**panel, **({"text_value": request.form.get("w-text", "")}
                                                                       if from_text else {})},
                           is_endurance=request.form.get("type", SessionType.ENDURANCE) in drafts.WORKOUT_TYPES)


def _draft_panel(draft: dict, athlete) -> dict:
    """What the editor's panel shows for the draft: its profile, each device's fit, its text."""
    written = text_view.written(draft)
    said = {"written": written, "text_value": written.text or "", "accepted": text_view.ACCEPTED}
    workout, parse_errors = builder.to_workout(draft)
    if parse_errors or not draft["sport"]:
        return {"fit_items": None, "drawn": None, **said}
    context = exports.Athlete.load(athlete.id)
    fit_items = fitreport.fits(workout, context)
    return {"fit_items": fit_items,
            "drawn": profile(workout, context.thresholds, ident="draft", title=workout.get("name") or "Workout"),
            # A valid workout can be kept in the library (POST /library/new takes it as JSON).
            "library_json": json.dumps(workout) if fit_items is not None else None, **said}


def _about_unreadable_value(message: str) -> bool:
    return any(words in message for words in ("numeric value", "must be numbers", "whole number"))


def _draft_from_json(text: str, current: dict) -> tuple[dict, dict]:
    try:
        workout = json.loads(text)
        if not isinstance(workout, dict):
            raise TypeError("a workout is a JSON object")
        return builder.from_workout(workout), {}
    except (ValueError, RecursionError, TypeError, KeyError) as error:
        return current, {"workout_json": [f"Could not read that JSON: {error}"]}


def _save(athlete, week_start: date, session: TrainingSession | None, form: SessionForm, draft: dict) -> dict:
    data: dict = {"date": form.date.data, "type": form.type.data, "title": form.title.data.strip() or None}
    parse_errors: dict[str, list[str]] = {}
    if builder.carries_workout(draft, form.type.data):
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
