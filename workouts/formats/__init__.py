"""Reading workouts written elsewhere (workout-format.md, "reading workouts written elsewhere").

One entry point, :func:`read`, over one reader per format.  A reader is a function
``reader(data: bytes, sport: str | None) -> Imported`` in a module of this package; it
returns a workout in our format plus notes (what it read differently from the file), or
raises :class:`ReadError` with one :class:`LineProblem` per line or element it cannot read.
It never guesses silently.  :func:`read` checks the size first and the result last, so
every reader may count on bytes of at most :data:`MAX_BYTES` and none returns an invalid
workout.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import PurePath

MAX_BYTES = 1_000_000  # a real workout file is a few kilobytes; this refuses junk before parsing it

# format name -> "module:function" in this package, imported when used (each reader is its own module).
READERS = {
    "zwo": "zwo:read",
    "erg": "course:read_erg",
    "mrc": "course:read_mrc",
    "fit": "fit:read",
    "text": "text:read",
}
EXTENSIONS = {".zwo": "zwo", ".erg": "erg", ".mrc": "mrc", ".fit": "fit", ".txt": "text"}


@dataclass(frozen=True)
class LineProblem:
    """What a reader could not read, and where: a line number (1-based) or an element's name."""

    line: int | None
    element: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.line}: {self.message}"
        if self.element:
            return f"{self.element}: {self.message}"
        return self.message


@dataclass
class Imported:
    """A workout in our format, and what the reader read differently from the file."""

    workout: dict
    notes: list[str] = field(default_factory=list)


class ReadError(ValueError):
    """The file is not a workout this reader can read; ``problems`` says where and why."""

    def __init__(self, problems: list[LineProblem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


def format_for(filename: str) -> str | None:
    """The format a file name's extension says (``.txt`` is text), or None."""
    return EXTENSIONS.get(PurePath(filename).suffix.lower())


def read(data: bytes | str, fmt: str, sport: str | None = None) -> Imported:
    """Read ``data`` as ``fmt``; ``sport`` is the session's, where the caller knows it."""
    from workouts.validation import check_workout

    if fmt not in READERS:
        raise ReadError([LineProblem(None, None, f"unknown format '{fmt}' (one of {', '.join(READERS)})")])
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > MAX_BYTES:
        raise ReadError([LineProblem(None, None, f"the file is {len(raw):,} bytes; at most {MAX_BYTES:,} are read")])
    module, function = READERS[fmt].split(":")
    reader = getattr(importlib.import_module(f"{__name__}.{module}"), function)
    imported = reader(raw, sport)
    problems = check_workout(imported.workout)
    if problems:  # a reader's bug or a file beyond our format's limits: say so, never return it
        raise ReadError([LineProblem(None, p.path or None, p.rule) for p in problems])
    return imported


WRITERS = ("fit", "zwo", "erg", "mrc", "text")


def write(fmt: str, normalized: dict, thresholds=None, created=None):
    """A normalized workout written as ``fmt``: a TrainerFile (its bytes, or None with why the
    format cannot hold it, and a note for each thing written differently)."""
    from .trainer_files import FORMATS, TrainerFile, make

    if fmt in FORMATS:
        return make(fmt, normalized, thresholds)
    if fmt == "fit":
        from .fit import write as write_fit

        content, notes = write_fit(normalized, created=created)
        return TrainerFile(fmt, content, tuple(notes), "application/vnd.ant.fit")
    if fmt == "text":
        from .text import write as write_text

        written = write_text(normalized)
        return TrainerFile(fmt, written.text.encode(), tuple(written.notes), "text/plain")
    raise ValueError(f"unknown format '{fmt}' (one of {', '.join(WRITERS)})")


def decode_text(raw: bytes) -> str:
    """UTF-8 text (a byte-order mark dropped), or a ReadError naming the first bad byte's line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ReadError([LineProblem(line, None, "the file is not UTF-8 text")]) from None


__all__ = ["EXTENSIONS", "Imported", "LineProblem", "MAX_BYTES", "READERS", "ReadError", "WRITERS", "decode_text",
           "format_for", "read", "write"]
