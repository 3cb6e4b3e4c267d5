"""The small interface every provider client offers the export job: create, move, remove.

The job (jobs/export.py) knows no provider by name.  It hands a client an :class:`Item`
(one session revision, converted for that provider) and a :class:`Run`, its side of the
conversation, and the client does the provider's steps:

- ``create(run, item)``: put the workout on the athlete's calendar, one step at a time
  (Garmin: workout, then schedule; Wahoo: plan, then workout).  Each step goes through
  ``run.step(ref, create, find)``: the run stores the id the moment it exists, so a retry
  continues where the last try stopped, and, when an earlier try of that step may have
  reached the provider without an answer, it first calls ``find`` (the documented way
  to see what exists) instead of creating a second copy;
- ``move(run, item)``: the same workout on another day, with one call where the provider
  documents one (Garmin's schedule PUT, Wahoo's workout PUT);
- ``remove(run)``: delete what ``run.refs`` points at, telling ``run.gone(ref)`` after each;
  what is already gone is fine.

Every call with the athlete's token goes through ``run.call(action)``, which refreshes the
token as needed; clients never see the database.  Besides deliveries, a client answers for
the athlete's account: ``user_id`` (at connect), ``revoke`` (disconnect) and, where the
provider has a required permission, ``permissions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable, Protocol, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Item:
    """One session revision to deliver, as a provider client needs it."""

    session_id: int
    revision: int
    title: str
    day: date
    starts: datetime  # the day at the athlete's morning hour, aware, in the athlete's zone
    updated_at: datetime  # aware UTC: when the coach last changed the session
    normalized: dict
    payload: Any  # the converter's output for this provider
    extra: dict = field(default_factory=dict)  # converter facts a client needs (e.g. Wahoo's workout type)


class Run(Protocol):
    refs: dict

    def call(self, action: Callable[[str], T]) -> T:
        """Run ``action(access_token)`` with the athlete's own token."""

    def step(self, ref: str, create: Callable[[str], str], find: Callable[[str], str | None] | None = None) -> str:
        """The id ``ref`` of this delivery: stored, found again, or created now."""

    def gone(self, ref: str) -> None:
        """What ``ref`` named no longer exists at the provider (a retry must not delete it twice)."""


class Client(Protocol):
    provider: str

    def create(self, run: Run, item: Item) -> None: ...

    def move(self, run: Run, item: Item) -> None: ...

    def remove(self, run: Run) -> None: ...

    # -- the athlete's account (connect, disconnect, pings) --------------------------------

    def user_id(self, token: str) -> str:
        """The provider's id of the athlete the token belongs to (asked at connect)."""

    def revoke(self, token: str) -> None:
        """Withdraw our access at the provider (disconnect), where it offers a way."""

    def permissions(self, token: str) -> list[str]:
        """What the athlete granted, for a provider with a ``required_permission``."""
