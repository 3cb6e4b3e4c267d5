"""Garmin's exercise catalog: the categories and exercise names a strength or cardio step may name.

The catalog is the FIT profile's ``exercise_category`` type and its ``<category>_exercise_name``
types, read at runtime from the profile that Garmin's FIT SDK (``garmin-fit-sdk``) ships, never
typed by hand: a newer SDK brings Garmin's newer exercises with it.  Names are spelled as
Garmin's Training API and Connect spell them: the FIT name upper-cased, with a ``_`` before a
leading digit (``3_way_calf_raise`` is ``_3_WAY_CALF_RAISE``, as Garmin's Java SDK writes it).

Names are unique only within their category (``JUMPING_JACKS`` is in CARDIO and in
BATTLE_ROPE): always look an exercise up by its (category, name) pair.  Loaded once, cached.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

CATEGORY_TYPE = "exercise_category"
NAME_TYPE = "{}_exercise_name"
NO_CATEGORY = "unknown"  # the profile's 65534: no category, not one a coach may name


def api_name(fit_name: str) -> str:
    """A FIT snake_case name in Garmin's upper-case spelling (a leading digit gets ``_``)."""
    upper = fit_name.upper()
    return "_" + upper if upper[:1].isdigit() else upper


def fit_name(api: str) -> str:
    """Garmin's spelling back to the FIT profile's name."""
    return api[1:].lower() if api[:1] == "_" and api[1:2].isdigit() else api.lower()


@dataclass(frozen=True)
class Catalog:
    categories: dict[str, int]  # API category -> FIT number
    names: dict[str, dict[str, int]]  # API category -> {API name -> FIT number}

    def category_of(self, name: str) -> list[str]:
        """The categories holding an exercise of this name (a name may be in several)."""
        return [category for category, names in self.names.items() if name in names]


@lru_cache(maxsize=1)
def catalog() -> Catalog:
    from garmin_fit_sdk import profile

    types = profile.Profile["types"]
    categories: dict[str, int] = {}
    names: dict[str, dict[str, int]] = {}
    for number, category in types[CATEGORY_TYPE].items():
        if category == NO_CATEGORY:
            continue
        categories[api_name(category)] = int(number)
        # Every category but cardio_sensors has its own name type; a category with none may be named alone.
        names[api_name(category)] = {api_name(name): int(value)
                                     for value, name in (types.get(NAME_TYPE.format(category)) or {}).items()}
    return Catalog(categories, names)


def is_exercise(category: str, name: str) -> bool:
    return name in catalog().names.get(category, {})


def fit_numbers(category: str, name: str | None) -> tuple[int, int | None]:
    """The FIT ``exercise_category`` and ``exercise_name`` numbers of a catalog exercise."""
    found = catalog()
    return found.categories[category], (found.names[category][name] if name else None)


def from_fit(category: str | int | None, number: int | None) -> tuple[str, str | None] | None:
    """A decoded FIT step's exercise (the SDK gives the category's name, or its number, and the
    name's number) in our spelling; None when the category is not in the catalog.  A name
    number outside the category is left out (None): the category alone is what it holds."""
    found = catalog()
    if isinstance(category, int):
        category = next((c for c, n in found.categories.items() if n == category), None)
    elif isinstance(category, str):
        category = api_name(category)
    if category not in found.categories:
        return None
    names = {value: name for name, value in found.names[category].items()}
    return category, names.get(number) if isinstance(number, int) else None


def display_name(name: str) -> str:
    """``BARBELL_BACK_SQUAT`` as a person reads it: ``Barbell back squat``."""
    words = name.strip("_").replace("_", " ").lower()
    return words[:1].upper() + words[1:]
