"""What the library, placing a workout, copying a week and importing a workout say to
coaches: every sentence of the API's errors and of the pages' notices, in one place and one
wording, so a refusal reads the same from a script and from a form."""

from __future__ import annotations

from datetime import date

from core.models.library import NAME_MAX, TAG_MAX, TAGS_MAX


def day_words(day: date) -> str:
    return day.strftime("%a %-d %b")


def names(people) -> str:
    """Ana, Ben and Carla."""
    listed = [person.name for person in people]
    return listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]


# -- fields ----------------------------------------------------------------------------------------

NOT_YOUR_ATHLETE = "not one of your athletes"
NO_ATHLETE_CHOSEN = "choose at least one athlete"
TWICE = "appears more than once"
NAME_RULE = f"must be 1 to {NAME_MAX} characters"
TAG_RULE = f"a tag is 1 to {TAG_MAX} characters"
TAG_COMMA = "a tag cannot hold a comma (commas separate tags)"
TAGS_RULE = f"at most {TAGS_MAX} tags"
NOTHING_TO_COPY = "this week has no sessions to copy"
SAME_WEEK = "is the week copied from: choose another week, or other athletes"
CHOOSE_A_DAY = "choose a day"
NO_WORKOUT = "write the workout as text, paste it as JSON, or upload a file"
TOO_MANY = "the week would hold {count} sessions; at most {most} fit in one week"


def too_many(count: int, most: int) -> str:
    return TOO_MANY.format(count=count, most=most)


def unreadable_json(error: Exception) -> str:
    return f"Could not read that JSON: {error}"


# -- importing -------------------------------------------------------------------------------------

IMPORT_BODY = ("Send the workout as a multipart upload (its 'file' field, the format from its extension or a "
               "'format' field) or as a JSON object {\"format\": \"text\", \"text\": \"...\"}.")
IMPORT_NO_FILE = "Send the workout file in the 'file' field of the upload."
BINARY_FORMAT = "a FIT file is binary: upload it as a file"
NOT_A_PROBLEM_LINE = "file"  # the field a problem with no line or element is put under


def unknown_format(known) -> str:
    return f"give a format from the file's extension or the 'format' field: one of {', '.join(known)}"


def sport_rule(sports) -> str:
    return f"must be one of {', '.join(sports)}"


def problem_field(line: int | None, element: str | None) -> str:
    """Where an import problem is: ``line 3``, an element's name, or the file as a whole."""
    if line is not None:
        return f"line {line}"
    return element or NOT_A_PROBLEM_LINE


# -- placing and copying -------------------------------------------------------------------------

def not_your_athletes(count: int) -> str:
    return "Not one of your athletes." if count == 1 else f"{count} of these are not your athletes."


def clash(athlete_name: str, titles: list[str]) -> str:
    return f"{athlete_name} already has " + " and ".join(f"“{t}”" for t in titles)


def clashes_message(clashes, hint: str) -> str:
    """A copy would land on days that hold sessions: which days, whose, and how to go on."""
    parts = [f"{clash(c.athlete.name, c.titles)} on {day_words(c.day)}" for c in clashes]
    return "Nothing was copied: " + "; ".join(parts) + ". " + hint


COPY_WEEKS = "Choose the week to copy to: a Monday (the week copied from is the one shown)."


def copy_refused(fields: dict[str, list[str]]) -> str:
    """A copy the session rules refused, for a page's notice."""
    where, messages = next(iter(fields.items()))
    if where in ("fromWeek", "toWeek"):  # the page's own weeks: the rule says it all
        return f"Nothing was copied: {messages[0]}."
    return f"Nothing was copied: {where}: {messages[0]}."


REPLACE_HINT_API = 'Send "replace": true to replace them.'
REPLACE_HINT_PAGE = "Tick “Replace sessions already on those days” to replace them."
PLAN_RACE = "Another change to the same week came first; try again."


def placed(entry_name: str, day: date, athletes) -> str:
    return f"Placed “{entry_name}” on {day_words(day)} for {names(athletes)}."


def copied(week_start: date, to_week: date, athletes) -> str:
    return f"Copied the week of {day_words(week_start)} to the week of {day_words(to_week)} for {names(athletes)}."


# -- the library's pages ---------------------------------------------------------------------------

def saved(name: str) -> str:
    return f"Saved “{name}” to your library."


def deleted(name: str) -> str:
    return f"Deleted “{name}” from your library."
