"""Garmin's exercise catalog as the sandbox holds Garmin to it: the FIT profile's
``exercise_category`` and ``<category>_exercise_name`` types in garmin-fit-sdk, read here on
their own (the sandbox stands for Garmin and imports nothing of the product).

The Training API's valid values are in an appendix (an Excel file) we do not have; the research
notes (§5.1) give the plausible reading, which this plays: the FIT names upper-cased, a leading
digit preceded by ``_`` (``_3_WAY_CALF_RAISE``), as Garmin's Java SDK and Connect spell them.
"""

from __future__ import annotations

from functools import lru_cache


def _spelled(fit_name: str) -> str:
    upper = fit_name.upper()
    return "_" + upper if upper[:1].isdigit() else upper


@lru_cache(maxsize=1)
def catalog() -> dict[str, frozenset[str]]:
    """{category: the names in it}, in the Training API's spelling."""
    from garmin_fit_sdk import profile

    types = profile.Profile["types"]
    out = {}
    for category in types["exercise_category"].values():
        if category != "unknown":
            names = types.get(f"{category}_exercise_name") or {}
            out[_spelled(category)] = frozenset(_spelled(name) for name in names.values())
    return out
