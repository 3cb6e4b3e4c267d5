"""Copying a week: ``POST /api/v1/plans/copy`` (api.md, "The coach's library").  201 with
the plans written; 409 naming the days (and whose) where a copy would replace a session,
unless ``"replace": true``; 403 for an athlete who is not the caller's."""

from __future__ import annotations

from flask import jsonify

from core.models import Role

from ..services import copying
from ..services import library as library_service
from ..services import library_messages as say
from ..services import plans as plan_service
from . import bp
from .access import current_user, json_body, require_role
from .errors import conflict, forbidden, invalid
from .library_schemas import CopyWeekSchema
from .saving import all_or_nothing
from .serializers import plan_json
from .validation import load


def clash_fields(clashes: list[copying.Clash]) -> tuple[dict, list[dict]]:
    """The clashes by day (the error's fields) and one by one (its ``conflicts``)."""
    fields: dict[str, list[str]] = {}
    for clash in clashes:
        fields.setdefault(clash.day.isoformat(), []).append(say.clash(clash.athlete.name, clash.titles))
    listed = [{"athleteId": c.athlete.id, "date": c.day.isoformat(), "sessionIds": [s.id for s in c.sessions]}
              for c in clashes]
    return fields, listed


@bp.post("/plans/copy")
@require_role(Role.COACH)
def copy_week():
    data = load(CopyWeekSchema(), json_body())
    coach = current_user()
    with all_or_nothing():
        try:
            athlete = library_service.own_athlete(coach, data["athleteId"], "athleteId")
            targets = (library_service.own_athletes(coach, data["toAthleteIds"], "toAthleteIds")
                       if data["toAthleteIds"] else [athlete])
            plans = copying.copy_week(athlete, data["fromWeek"], data["toWeek"], targets, data["replace"])
        except library_service.NotYourAthletes as error:
            raise forbidden(str(error), error.fields) from None
        except copying.CopyConflict as error:
            fields, listed = clash_fields(error.clashes)
            raise conflict(str(error), fields, {"conflicts": listed}) from None
        except plan_service.PlanInvalid as error:
            raise invalid(error.fields) from None
    return jsonify({"plans": [plan_json(plan) for plan in plans]}), 201
