"""Reading a workout written elsewhere (a file, or pasted text) for the API and the pages.

workouts.formats reads; this turns what it could not read into field errors a form or the
API's error shape can show, one per line or element (``{"line 3": ["..."]}``).  Nothing is
saved: the coach reviews the workout, then keeps it in the library or puts it on a day.
"""

from __future__ import annotations

from workouts.formats import MAX_BYTES, READERS, Imported, ReadError, format_for, read

from . import library_messages as say

BINARY_FORMATS = ("fit",)


class ImportRefused(Exception):
    """The workout could not be read; ``fields`` says where and why."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        first = next(iter(fields.items()))
        super().__init__(f"{first[0]}: {first[1][0]}")


def format_of(filename: str | None, given: str | None) -> str:
    """The format the caller named, else the one the file name's extension says."""
    fmt = (given or "").strip().lower() or format_for(filename or "")
    if fmt not in READERS:
        raise ImportRefused({"format": [say.unknown_format(READERS)]})
    return fmt


def import_workout(data: bytes | str, fmt: str, sport: str | None = None) -> Imported:
    """The workout in our format and the reader's notes, or ImportRefused by line or element."""
    try:
        return read(data, fmt, sport or None)
    except ReadError as error:
        fields: dict[str, list[str]] = {}
        for problem in error.problems:
            fields.setdefault(say.problem_field(problem.line, problem.element), []).append(problem.message)
        raise ImportRefused(fields) from None


def read_upload(stream, filename: str | None, given_format: str | None, sport: str | None) -> Imported:
    """An uploaded file (a werkzeug FileStorage's stream), read no further than the cap allows:
    one byte more than MAX_BYTES is enough for the reader to refuse it by its size."""
    fmt = format_of(filename, given_format)
    return import_workout(stream.read(MAX_BYTES + 1), fmt, sport)
