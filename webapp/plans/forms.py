from wtforms import SelectChoice, SelectField, StringField

from core.models import SessionType

from ..forms import PageForm


class SessionForm(PageForm):
    """The session's own fields; the workout builder's fields are read by builder.py.

    Rules are not repeated here: the whole session goes through the API's SessionSchema
    and the plan service, so the page and the API refuse the same things the same way.
    """

    date = SelectField("Day")
    type = SelectField("Type", choices=[SelectChoice(t, t.capitalize()) for t in SessionType.ALL])
    title = StringField("Title", description="Shown in the plan; defaults to the workout's name.")
