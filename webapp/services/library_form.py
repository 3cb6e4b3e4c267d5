"""The library's entry form (the pages' new and edit, and the editor's "Save to library"): what
a coach typed, read into the API's entry fields and checked by the API's one schema
(api/library_schemas.LibraryEntrySchema), so the pages refuse what the API refuses.

The workout comes one of three ways: as text (intervals.icu's builder text, the simplest for
a coach to write), as our JSON (what the editor posts in ``workout_json``), or as a file
written elsewhere (``workout_file``).  ``source`` says which box the coach used; without it
(the editor's post) a non-empty ``workout_json`` is the workout, else the text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from marshmallow import ValidationError

from workouts.constants import SPORTS
from workouts.formats.text import CannotWrite
from workouts.formats.text import write as write_text

from ..api.errors import flatten_messages
from ..api.library_schemas import LibraryEntrySchema
from . import importing
from . import library_messages as say

SOURCES = ("text", "json", "file")
DEFAULT_SPORT = "BIKE"


@dataclass
class EntryForm:
    """What the form shows: the values as typed, the errors by field, the reader's notes, and
    the workout when one could be read (to draw it)."""

    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    workout: dict | None = None
    data: dict | None = None  # the checked entry fields, when there are no errors

    @property
    def tag_errors(self) -> list[str]:
        return [m for path, messages in self.errors.items() if path.startswith("tags") for m in messages]

    @property
    def rule_errors(self) -> dict[str, list[str]]:
        """The workout's broken rules by step path (``steps[1].steps[0]``)."""
        return {path[len("workout."):]: messages for path, messages in self.errors.items()
                if path.startswith("workout.")}


def text_of(workout: dict | None) -> str:
    """The workout as builder text, or "" where the text has no form for it (strength, multisport)."""
    if not workout:
        return ""
    try:
        return write_text(workout).text
    except (CannotWrite, ValueError):
        return ""


def json_of(workout: dict | None) -> str:
    return json.dumps(workout, indent=2, ensure_ascii=False) if workout else ""


def values_of(entry=None) -> dict[str, str]:
    """An entry (or a new one) as the form shows it: its text where it has one, else its JSON."""
    workout = entry.workout if entry is not None else None
    text = text_of(workout)
    sport = workout.get("sport") if workout else DEFAULT_SPORT
    return {"name": entry.name if entry is not None else "", "tags": ", ".join(entry.tags) if entry is not None else "",
            "workout_text": text, "workout_json": json_of(workout), "sport": sport if sport in SPORTS else DEFAULT_SPORT,
            "source": "text" if text or workout is None else "json"}


def split_tags(text: str) -> list[str]:
    """Comma-separated tags, each trimmed; empty ones (a trailing comma) dropped."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def read(form, files=None) -> EntryForm:
    values = {key: form.get(key, "") for key in ("name", "tags", "workout_text", "workout_json", "sport", "source")}
    if values["sport"] not in SPORTS:
        values["sport"] = DEFAULT_SPORT
    upload = files.get("workout_file") if files is not None else None
    if upload is not None and upload.filename:
        values["source"] = "file"
    elif values["source"] not in SOURCES or values["source"] == "file":
        values["source"] = "json" if values["workout_json"].strip() else "text"
    result = EntryForm(values)
    result.workout = _workout(result, upload)
    try:
        result.data = LibraryEntrySchema().load({"name": values["name"], "tags": split_tags(values["tags"]),
                                                 "workout": result.workout})
    except ValidationError as error:
        for path, messages in flatten_messages(error.messages).items():
            if path == "workout" and result.errors:
                continue  # the workout was not read: its own box says why, once
            result.errors.setdefault(path, []).extend(messages)
        result.data = None
    if result.errors:
        result.data = None
    return result


def _workout(result: EntryForm, upload) -> dict | None:
    """The workout from the box the coach used; what could not be read goes to that box's errors."""
    values = result.values
    try:
        if values["source"] == "file":
            imported = importing.read_upload(upload.stream, upload.filename, None, values["sport"])
        elif values["source"] == "json":
            return _from_json(result)
        elif values["workout_text"].strip():
            imported = importing.import_workout(values["workout_text"], "text", values["sport"])
        else:
            result.errors["workout"] = [say.NO_WORKOUT]
            return None
    except importing.ImportRefused as error:
        box = "workout_file" if values["source"] == "file" else "workout_text"
        result.errors[box] = [f"{where}: {message}" for where, messages in error.fields.items() for message in messages]
        return None
    result.notes = list(imported.notes)
    if values["source"] == "file":  # the file is read once: the boxes show what it held
        values["workout_text"] = text_of(imported.workout)
        values["source"] = "text" if values["workout_text"] else "json"
    values["workout_json"] = json_of(imported.workout)
    return imported.workout


def _from_json(result: EntryForm) -> dict | None:
    try:
        workout = json.loads(result.values["workout_json"])
    except (ValueError, RecursionError) as error:
        result.errors["workout_json"] = [say.unreadable_json(error)]
        return None
    if isinstance(workout, dict):  # the text box shows the same workout, where the text can hold it
        result.values["workout_text"] = text_of(workout) or result.values["workout_text"]
    return workout
