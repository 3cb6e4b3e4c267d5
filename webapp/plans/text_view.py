"""The editor's second view of the workout: its text, as intervals.icu's workout builder
writes it (workouts/formats/text.py), and workouts read into the builder from elsewhere.

The form and the text are two views of one draft.  :func:`written` is the text of the form's
workout (or why there is none: a strength or multisport workout has no text form, and a form
with a problem has no workout yet).  :func:`read` is the draft a coach's text describes, or
the problems of its lines; :func:`imported` the same for an uploaded file.  A text or file that
cannot be read gives no draft, so the caller keeps the form's last good workout.  What the text
cannot hold the form keeps: the location and the pool stay the form's.  No Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workouts import check_workout
from workouts.constants import SPORTS
from workouts.formats import EXTENSIONS, LineProblem, ReadError
from workouts.formats.text import DEFAULT_NAME, CannotWrite, read_text, write

from ..services import importing
from .builder import from_workout, to_workout

ACCEPTED = ",".join(EXTENSIONS)  # what the upload offers
INCOMPLETE = "The text follows the form once the form's workout is complete."
NOT_WRITTEN = ("location", "poolLength", "poolLengthUnit")  # the form keeps them: no need to say so


@dataclass(frozen=True)
class Written:
    text: str | None  # None: no text for this draft (``reason`` says why)
    notes: list[str] = field(default_factory=list)
    reason: str | None = None
    has_form: bool = True  # False: this sport has no text at all (strength, multisport)


@dataclass(frozen=True)
class Reading:
    draft: dict | None  # None: nothing could be read; the form stays as it was
    problems: list[LineProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def has_text_form(sport: str) -> bool:
    return sport in SPORTS


def written(draft: dict) -> Written:
    if not has_text_form(draft["sport"]):
        return Written(None, reason=no_text_reason(draft["sport"]), has_form=False)
    workout, errors = to_workout(draft)
    if errors or check_workout(workout):
        return Written(None, reason=INCOMPLETE)
    try:
        text = write(workout)
    except CannotWrite as error:  # pragma: no cover - every endurance sport has a text form
        return Written(None, reason=str(error))
    return Written(text.text, [note for note in text.notes if not note.startswith(NOT_WRITTEN)])


def no_text_reason(sport: str) -> str:
    if sport == "MULTISPORT":
        return "A multisport workout has no text form: edit each leg in the form."
    return f"A {sport.lower()} workout has no text form (the text is intervals.icu's, for endurance workouts)."


def read(text: str, draft: dict) -> Reading:
    """The draft of a coach's text, read with the form's sport; the form keeps its name when
    the text gives none, and its location and pool."""
    if not has_text_form(draft["sport"]):
        return Reading(None, [LineProblem(None, "sport", no_text_reason(draft["sport"]))])
    try:
        found = read_text(text, draft["sport"])
    except ReadError as error:
        return Reading(None, error.problems)
    notes = list(found.notes)
    unnamed = found.workout["name"] == DEFAULT_NAME and not any(line.strip() == DEFAULT_NAME
                                                                for line in text.splitlines())
    if unnamed and draft["name"].strip():
        found.workout["name"] = draft["name"]
        notes = [note for note in notes if not note.startswith("name: the text has no name line")]
    return Reading(_keeping_the_forms(from_workout(found.workout), draft), notes=notes)


def imported(stream, filename: str | None, draft: dict) -> Reading:
    """The draft of an uploaded workout file (its format from its extension), with the reader's
    notes, or the problems naming the file's lines or elements.  The reading is the import
    API's (webapp/services/importing.py), so the page and POST /api/v1/workouts/import agree."""
    sport = draft["sport"] if has_text_form(draft["sport"]) else None
    try:
        found = importing.read_upload(stream, filename, None, sport)
    except importing.ImportRefused as refused:
        return Reading(None, [LineProblem(None, where, message) for where, messages in refused.fields.items()
                              for message in messages])
    return Reading(from_workout(found.workout), notes=list(found.notes))


def _keeping_the_forms(new: dict, draft: dict) -> dict:
    new["location"], new["pool"], new["was"] = draft["location"], draft["pool"], draft.get("was") or draft["sport"]
    return new


def changed(text: str, base: str) -> bool:
    """Whether the coach edited the text since it was last written or read (line ends aside)."""
    return text.replace("\r\n", "\n").strip() != base.replace("\r\n", "\n").strip()
