"""Which provider gets a session: the athlete's route for its sport, else the primary, else the
only connection, else none (NOT_CONNECTED).

Most triathletes run with a Garmin watch and ride with a Wahoo computer: an athlete with both
connected routes each sport to one of them (``PUT /api/v1/connections/routing``, or the
Connections page).  A sport not routed goes to the primary.  A provider that cannot take a
sport at all (Wahoo takes bike and run workouts only) passes it to the other active
connection when there is one, so a Wahoo-first triathlete's swims still reach their watch.
"""

from __future__ import annotations

from sqlalchemy import select

from providers.compatibility import TAKES
from workouts.constants import SPORTS

from .. import connections
from ..db import db
from ..models import DeliveryRoute, DeviceConnection, Provider


class RouteRefused(Exception):
    """A routing the athlete cannot have (HTTP 409): the message says why."""


def routes_of(athlete_id: int) -> dict[str, str]:
    rows = db.session.scalars(select(DeliveryRoute).where(DeliveryRoute.athlete_id == athlete_id))
    return {row.sport: row.provider for row in rows}


def choose(sport: str, active: list[DeviceConnection], routes: dict[str, str]) -> str | None:
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
        if sport in TAKES[provider]:
            return provider
    return providers[0]


def provider_for(athlete_id: int, sport: str) -> str | None:
    active = [c for c in connections.connections_of(athlete_id) if c.is_active]
    return choose(sport, active, routes_of(athlete_id))


def set_routes(athlete_id: int, routes: dict[str, str]) -> set[str]:
    """Replace the athlete's routes; returns the sports whose provider may have changed.

    Every named provider must be connected (RouteRefused otherwise), and able to take the
    sport."""
    connected = {c.provider for c in connections.connections_of(athlete_id)}
    for sport, provider in routes.items():
        if sport not in SPORTS:
            raise ValueError(f"{sport}: not a sport ({', '.join(SPORTS)})")
        if provider not in Provider.ALL:
            raise ValueError(f"{sport}: not a provider ({', '.join(Provider.ALL)})")
        if provider not in connected:
            raise RouteRefused(f"{Provider.LABELS[provider]} is not connected: connect it before sending "
                               f"{sport.lower()} sessions there.")
        if sport not in TAKES[provider]:
            raise RouteRefused(f"{Provider.LABELS[provider]} cannot take {sport.lower()} workouts.")
    before = routes_of(athlete_id)
    for row in db.session.scalars(select(DeliveryRoute).where(DeliveryRoute.athlete_id == athlete_id)):
        db.session.delete(row)
    db.session.flush()
    for sport, provider in routes.items():
        db.session.add(DeliveryRoute(athlete_id=athlete_id, sport=sport, provider=provider))
    return {sport for sport in set(before) | set(routes) if before.get(sport) != routes.get(sport)}
