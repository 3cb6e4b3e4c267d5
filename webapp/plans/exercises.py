"""Garmin's exercise catalog as the builder offers it: search as the coach types, the
categories for a plain select, a category's names for a datalist, and what a typed name means.

The catalog itself is workouts/catalog.py (read from garmin-fit-sdk); the rule of which names
are valid is workouts.validation's (:func:`exercise_problem`), so this module only finds and
spells.  A coach types names the way people read them (``Barbell back squat``); the workout
stores Garmin's spelling (``BARBELL_BACK_SQUAT``).  No Flask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from workouts import catalog
from workouts.validation import exercise_problem

RESULTS = 12  # a short list to pick from; typing more narrows it


@dataclass(frozen=True)
class Exercise:
    category: str  # Garmin's spelling
    name: str | None

    @property
    def label(self) -> str:
        return catalog.display_name(self.name or self.category)

    @property
    def category_label(self) -> str:
        return catalog.display_name(self.category)


@lru_cache(maxsize=1)
def _entries() -> tuple[tuple[Exercise, str], ...]:
    """Every exercise with the words a search matches (its name's, then its category's)."""
    found = catalog.catalog()
    entries = []
    for category in sorted(found.names):
        for name in sorted(found.names[category]):
            exercise = Exercise(category, name)
            entries.append((exercise, f"{exercise.label} {exercise.category_label}".lower()))
    return tuple(entries)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def search(query: str, limit: int = RESULTS) -> list[Exercise]:
    """Exercises whose name or category holds every word typed (a word may be the start of
    one): those whose name holds the words as typed first, then those of a category the words
    name (``squat`` finds the squats of SQUAT before the banded one), then names starting with
    the first word, shortest first."""
    words = _words(query)[:8]
    if not words:
        return []
    phrase = " ".join(words)
    found = []
    for exercise, text in _entries():
        spoken = _words(text)
        if all(any(part.startswith(word) for part in spoken) for word in words):
            label = exercise.label.lower()
            in_category = any(part.startswith(word) for word in words for part in _words(exercise.category_label))
            found.append(((phrase not in label, not in_category, not label.startswith(words[0]), len(label), label),
                          exercise))
    found.sort(key=lambda item: item[0])
    return [exercise for _, exercise in found[:limit]]


def categories() -> list[tuple[str, str]]:
    """(Garmin's spelling, as read) of every category a coach may name, in reading order."""
    return sorted(((category, catalog.display_name(category)) for category in catalog.catalog().categories),
                  key=lambda pair: pair[1])


def names_in(category: str) -> list[str]:
    """A category's exercises as read, for the name field's datalist."""
    return sorted(catalog.display_name(name) for name in catalog.catalog().names.get(category, {}))


def spelled(text: str) -> str:
    """A name as typed (``Barbell back squat``, ``barbell_back_squat``) in Garmin's spelling."""
    return catalog.api_name("_".join(_words(text))) if text.strip() else ""


def shown(name: str | None) -> str:
    """Garmin's spelling as the name field shows it."""
    return catalog.display_name(name) if name else ""


def is_exercise(category: str, typed: str) -> bool:
    return catalog.is_exercise(category, spelled(typed))


def resolve(category: str, typed: str) -> tuple[dict | None, str | None]:
    """The step's ``exercise`` for a category and a typed name, or a problem.

    With no category, a name that belongs to exactly one category is found there; a name in
    several asks for the category; a name in none is validation's unknown exercise."""
    name = spelled(typed)
    if not name:
        return ({"category": category} if category else None), None
    if category:
        return {"category": category, "name": name}, None  # validation says if it is not in there
    homes = catalog.catalog().category_of(name)
    if len(homes) == 1:
        return {"category": homes[0], "name": name}, None
    if homes:
        return None, f"exercise: {shown(name)} is in several categories ({', '.join(homes)}): choose one"
    any_category = next(iter(catalog.catalog().names))
    return None, f"exercise: {exercise_problem(any_category, name)}"
