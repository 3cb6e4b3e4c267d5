"""The library's pages.  Each form works without JavaScript; the rules are the API's, through
services/library.py and services/library_form.py.

``POST /library/new`` is also where the session editor posts a draft ("Save to library"):
form fields ``name``, ``tags`` (comma-separated) and ``workout_json`` (our workout as JSON),
with the page's ``csrf_token``.  Valid: the entry is created and the coach is sent to the
library (302; 204 with ``HX-Redirect`` for an HTMX request).  Invalid: 422 with the form, the
values as posted and each error beside its field.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from core import clock
from core.clock import monday_of
from core.db import db
from core.models import LibraryWorkout, Role

from ..api.errors import flatten_messages
from ..api.library_schemas import ScheduleSchema
from ..auth.access import role_required
from ..inputs import parse_day
from ..services import library as library_service
from ..services import library_form
from ..services import library_messages as say
from ..services import plans as plan_service
from . import bp


def _own_entry(entry_id: int) -> LibraryWorkout:
    entry = library_service.entry_of(current_user, entry_id)
    if entry is None:
        abort(404)
    return entry


def _bounded(name: str, most: int) -> str:
    """A query field as a search takes it: trimmed, and no longer than any name or tag can be."""
    return request.args.get(name, "").strip()[:most]


@bp.get("")
@role_required(Role.COACH)
def index():
    q, tag = _bounded("q", 80), _bounded("tag", 30)
    return render_template("library/index.html", entries=library_service.entries(current_user, q, tag),
                           tags=library_service.tags_of(current_user), q=q, tag=tag)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.COACH)
def new():
    return _entry_page(None)


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@role_required(Role.COACH)
def edit(entry_id: int):
    return _entry_page(_own_entry(entry_id))


@bp.post("/<int:entry_id>/delete")
@role_required(Role.COACH)
def delete(entry_id: int):
    entry = _own_entry(entry_id)
    name = entry.name
    library_service.delete(entry)
    db.session.commit()
    flash(say.deleted(name), "info")
    return redirect(url_for("library.index"))


def _entry_page(entry: LibraryWorkout | None):
    if request.method == "GET":
        form = library_form.EntryForm(library_form.values_of(entry), workout=entry.workout if entry else None)
        return render_template("library/form.html", form=form, entry=entry)
    form = library_form.read(request.form, request.files)
    if form.data is not None and request.form.get("action") != "preview":
        if entry is None:
            entry = library_service.create(current_user, form.data)
        else:
            library_service.update(entry, form.data)
        db.session.commit()
        flash(say.saved(entry.name), "info")
        if request.headers.get("HX-Request"):
            return "", 204, {"HX-Redirect": url_for("library.index")}
        return redirect(url_for("library.index"))
    return render_template("library/form.html", form=form, entry=entry), 422 if form.errors else 200


@bp.route("/<int:entry_id>/schedule", methods=["GET", "POST"])
@role_required(Role.COACH)
def schedule(entry_id: int):
    """Place the entry on a day for the athletes ticked: one session each, pushed like any."""
    entry = _own_entry(entry_id)
    athletes = current_user.athletes
    today = clock.today_in(current_user.timezone)
    values = {"date": (today + timedelta(days=1)).isoformat(), "title": "", "athletes": set()}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {"date": request.form.get("date", ""), "title": request.form.get("title", ""),
                  "athletes": set(request.form.getlist("athlete"))}
        errors, placed = _place(entry, values)
        if not errors:
            flash(say.placed(entry.name, placed[0].date, [s.plan.athlete for s in placed]), "info")
            return redirect(url_for("plans.overview", week=monday_of(placed[0].date).isoformat()))
    return render_template("library/schedule.html", entry=entry, athletes=athletes, values=values,
                           errors=errors), 422 if errors else 200


def _place(entry: LibraryWorkout, values: dict) -> tuple[dict, list]:
    """The placement the form asks for, committed; or the errors by field, nothing saved."""
    ids = [int(v) for v in values["athletes"] if v.isascii() and v.isdigit() and len(v) <= 10]
    errors: dict[str, list[str]] = {}
    if not ids:
        errors["athlete"] = [say.NO_ATHLETE_CHOSEN]
    day = parse_day(values["date"])
    if day is None:
        errors["date"] = [say.CHOOSE_A_DAY]
    if errors:
        return errors, []
    try:
        data = ScheduleSchema().load({"athleteIds": sorted(ids), "date": day.isoformat(),
                                      "title": values["title"].strip() or None})
        athletes = library_service.own_athletes(current_user, data["athleteIds"], "athlete")
        placed = library_service.schedule(entry, athletes, data["date"], data["title"])
    except ValidationError as error:
        db.session.rollback()
        return {("athlete" if k.startswith("athleteIds") else k): v
                for k, v in flatten_messages(error.messages).items()}, []
    except library_service.NotYourAthletes:
        db.session.rollback()
        abort(403)
    except plan_service.PlanInvalid as error:
        db.session.rollback()
        return error.fields, []
    db.session.commit()
    return {}, placed
