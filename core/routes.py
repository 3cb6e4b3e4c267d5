"""An athlete's stored routes (which connected provider gets each sport) and the rules for
changing them; choosing a provider from them is core/delivery/routing.py."""

from __future__ import annotations

from sqlalchemy import select

from providers import registry
from workouts.constants import ALL_SPORTS as SPORTS  # routes name any sport a workout can have

from . import connections, messages
from .db import db
from .models import DeliveryRoute


class RouteRefused(Exception):
    """A routing the athlete cannot have (HTTP 409): the message says why."""


def routes_of(athlete_id: int) -> dict[str, str]:
    rows = db.session.scalars(select(DeliveryRoute).where(DeliveryRoute.athlete_id == athlete_id))
    return {row.sport: row.provider for row in rows}


def set_routes(athlete_id: int, routes: dict[str, str]) -> set[str]:
    """Replace the athlete's routes; returns the sports whose provider may have changed.

    Every named provider must be connected (RouteRefused otherwise), and able to take the
    sport."""
    connected = {c.provider for c in connections.connections_of(athlete_id)}
    for sport, provider in routes.items():
        if sport not in SPORTS:
            raise ValueError(f"{sport}: not a sport ({', '.join(SPORTS)})")
        if provider not in registry.names():
            raise ValueError(f"{sport}: not a provider ({', '.join(registry.names())})")
        if provider not in connected:
            raise RouteRefused(messages.route_not_connected(provider, sport))
        if not registry.get(provider).takes(sport):
            raise RouteRefused(messages.route_cannot_take(provider, sport))
    before = routes_of(athlete_id)
    for row in db.session.scalars(select(DeliveryRoute).where(DeliveryRoute.athlete_id == athlete_id)):
        db.session.delete(row)
    db.session.flush()
    for sport, provider in routes.items():
        db.session.add(DeliveryRoute(athlete_id=athlete_id, sport=sport, provider=provider))
    return {sport for sport in set(before) | set(routes) if before.get(sport) != routes.get(sport)}
