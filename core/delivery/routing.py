"""Which provider gets a session: the athlete's route for its sport, else the primary, else the
only connection, else none (NOT_CONNECTED).

Most triathletes run with a Garmin watch and ride with a Wahoo computer: an athlete with both
connected routes each sport to one of them (``PUT /api/v1/connections/routing``, or the
Connections page).  A sport not routed goes to the primary.  A provider that cannot take a
sport at all (Wahoo takes bike and run workouts only) passes it to the other active
connection when there is one, so a Wahoo-first triathlete's swims still reach their watch.

A plain function of the athlete's active connections (anything with ``provider`` and
``is_primary``) and routes; the stored routes are core/routes.py.
"""

from __future__ import annotations

from typing import Mapping, Protocol, Sequence

from providers import registry


class Link(Protocol):
    provider: str
    is_primary: bool


def choose(sport: str, active: Sequence[Link], routes: Mapping[str, str]) -> str | None:
    """The provider for one sport, given the athlete's active connections and routes."""
    providers = [c.provider for c in sorted(active, key=lambda c: not c.is_primary)]
    routed = routes.get(sport)
    if routed in providers:
        return routed
    if not providers:
        return None
    primary = [c.provider for c in active if c.is_primary]
    if not primary and len(providers) > 1:
        return None  # two connections and no primary: never the case while the primary rule holds
    for provider in providers:
        if registry.get(provider).takes(sport):
            return provider
    return providers[0]
