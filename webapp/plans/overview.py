"""The coach's first page: all their athletes' week at once, whose deliveries need them first
(services/overview.py decides the order), live like the athlete's week."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request
from flask_login import current_user

from core import clock
from core.clock import monday_of
from core.models import Role

from ..auth.access import role_required
from ..inputs import date_arg
from ..services import overview as overview_service
from . import bp


def _context(week_start):
    rows, version = overview_service.week(current_user, week_start)
    return {"rows": rows, "version": version, "week_start": week_start,
            "days": [week_start + timedelta(days=n) for n in range(7)],
            "attention": sum(1 for row in rows if row.rank < overview_service.ORDER.index("fine"))}


def _week_start():
    return monday_of(date_arg("week") or clock.today_in(current_user.timezone))


@bp.get("/overview")
@role_required(Role.COACH)
def overview():
    week_start = _week_start()
    this_week = monday_of(clock.today_in(current_user.timezone))
    return render_template("plans/overview.html", previous_week=week_start - timedelta(days=7),
                           next_week=week_start + timedelta(days=7), this_week=this_week, **_context(week_start))


@bp.get("/overview/live")
@role_required(Role.COACH)
def overview_live():
    """The rows, only when something changed since the page's version (else 204, and HTMX
    leaves the page as it is)."""
    context = _context(_week_start())
    if context["version"] == request.args.get("v"):
        return "", 204
    return render_template("plans/_overview_rows.html", **context)
