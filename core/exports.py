"""What a plan save, a connect, a Retry, a threshold change or a routing change means for
delivery.

Every cause goes through :func:`deliver`: it reads the facts of one session revision, asks
the one decision (core/delivery/decision.py: which provider, whether it can take it, what
the device holds, when), and applies it here: the session's export fields, and the rows of
the outbox (core/outbox.py), which are enqueued only after the caller's commit.  Nothing
here calls a provider.

Interactive causes (a coach's save, an athlete's Retry) go on the high queue; the rest are
bulk, spread over the providers' quotas (core/delivery/priority.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import exists, or_, select

from providers import registry
from providers.compatibility import fit_for
from providers.verdict import Fit
from workouts import Thresholds, WorkoutInvalid, prepare

from . import clock, connections, messages, outbox, routes
from .db import db
from .delivery import window
from .delivery.decision import Action, Decision, Facts, Reason, Sent, decide
from .delivery.priority import BULK, INTERACTIVE, Budget, nearest_first
from .delivery.routing import choose
from .models import (
    ConnectionStatus,
    DeviceConnection,
    ExportJob,
    ExportStatus,
    FailureKind,
    JobKind,
    JobStatus,
    TrainingSession,
    User,
    WaitKind,
    WeeklyPlan,
)

THRESHOLD_NAMES = {"ftp_watts": "FTP", "max_heart_rate": "Max heart rate",
                   "threshold_pace_sec_per_km": "Threshold pace",
                   "swim_threshold_pace_sec_per_100m": "Swim threshold pace"}


class RetryRefused(Exception):
    """A Retry that cannot start; the message says why (HTTP 409)."""


@dataclass
class Saved:
    """One session written by a plan save, and whether what the device gets changed."""

    session: TrainingSession
    changed: bool
    was_delivered: bool  # it carried a workout for a device before this save


@dataclass
class Athlete:
    """What deciding one athlete's deliveries needs, read once per save, connect or change."""

    user: User
    active: list[DeviceConnection]
    routes: dict[str, str]
    now: datetime
    thresholds: Thresholds = field(default=None)  # type: ignore[assignment]

    @classmethod
    def load(cls, athlete_id: int) -> "Athlete":
        user = db.session.get(User, athlete_id)
        active = [c for c in connections.connections_of(athlete_id) if c.is_active]
        return cls(user, active, routes.routes_of(athlete_id), clock.now(), user.thresholds())

    @property
    def zone(self) -> str:
        return self.user.timezone

    def provider_for(self, session: TrainingSession) -> str | None:
        return choose(session.workout["sport"], self.active, self.routes)

    def today(self) -> date:
        return window.local_today(self.zone, self.now)


# -- plan saves ------------------------------------------------------------------------------

def sessions_saved(saved: list[Saved]) -> None:
    """The sessions of one plan save (one athlete): every created or changed session with a
    workout for a device is delivered, interactively."""
    changed = []
    for item in saved:
        session = item.session
        if not session.is_delivered:
            if item.was_delivered or session.external_refs:
                outbox.supersede_open([session.id] if session.id else [])
                remove_sent(session)
            clear_export_fields(session)
        elif item.changed:  # a re-save that changes nothing pushes nothing
            changed.append(session)
    if not changed:
        return
    outbox.supersede_open([s.id for s in changed if s.id is not None])
    athlete = Athlete.load(changed[0].plan.athlete_id)
    for session in changed:
        deliver(session, athlete, INTERACTIVE)


def session_deleted(session: TrainingSession) -> None:
    """A session left the plan: its workout leaves the athlete's calendar too."""
    outbox.supersede_open([session.id] if session.id else [])
    remove_sent(session)


# -- the one way a session goes ---------------------------------------------------------------

def deliver(session: TrainingSession, athlete: Athlete, queue: str, reason: str | None = None,
            budget: Budget | None = None) -> ExportJob | None:
    """Put one session revision on its way to the athlete's device, or say why it cannot go.
    The caller has superseded the session's open jobs; a bulk caller passes its budget."""
    session.push_reason = reason
    return apply(session, athlete, decision_for(session, athlete), queue, budget)


def decision_for(session: TrainingSession, athlete: Athlete) -> Decision:
    refs = session.external_refs or {}
    sent = Sent(refs["provider"], refs.get("payloadHash"), refs.get("day", "")) if refs.get("provider") else None
    facts = Facts(day=session.date, sport=session.workout["sport"], zone=athlete.zone, active=athlete.active,
                  routes=athlete.routes, sent=sent)
    return decide(facts, athlete.now, lambda provider: window.days_for(provider, current_app.config),
                  lambda provider: payload_fit(session, provider, athlete.thresholds),
                  lambda provider: registry.get(provider).replaces)


def apply(session: TrainingSession, athlete: Athlete, decision: Decision, queue: str,
          budget: Budget | None) -> ExportJob | None:
    """The decision's effects: the session's export fields, and the outbox rows."""
    provider, action = decision.provider, decision.action
    if action is Action.NOT_CONNECTED:
        _mark(session, ExportStatus.NOT_CONNECTED, None, _why_not_connected(athlete.user.id))
        return None
    sent_refs = session.external_refs
    if decision.remove_sent:
        remove_sent(session)
    if action is Action.FAIL:
        error = fit_failure(decision.fit) if decision.reason is Reason.CANNOT_TAKE else \
            messages.day_passed(session.date, athlete.zone)
        _mark(session, ExportStatus.FAILED, provider, error)
        return None
    if action is Action.NOTHING:
        _mark(session, ExportStatus.SENT, provider, None)
        return None
    _mark(session, ExportStatus.PENDING, provider, None)
    if action is Action.WAIT:
        session.export_scheduled_for, session.export_waiting = decision.opens_at, WaitKind.WINDOW
        return outbox.add_delivery(session, provider, queue, wait_until=decision.opens_at)
    held = budget is not None and not budget.take(provider)
    kind, refs = (JobKind.MOVE, sent_refs) if action is Action.MOVE else (JobKind.EXPORT, None)
    return outbox.add_delivery(session, provider, queue, kind, refs, held=held)


def payload_fit(session: TrainingSession, provider: str, thresholds: Thresholds) -> Fit | None:
    """What ``provider`` gets for the session now; None when the workout itself is invalid
    (the export job then fails it with the validation problems)."""
    try:
        return fit_for(provider, prepare(session.workout, thresholds), thresholds)
    except WorkoutInvalid:
        return None


def fit_failure(fit: Fit) -> str:
    return messages.validation_failed(fit.notes)


def _why_not_connected(athlete_id: int) -> str | None:
    """What the athlete can do, when a connection of theirs needs reconnecting."""
    waiting = db.session.scalars(select(DeviceConnection).where(
        DeviceConnection.athlete_id == athlete_id, DeviceConnection.status != ConnectionStatus.ACTIVE)).first()
    return waiting.reconnect_message if waiting else None


def _mark(session: TrainingSession, status: str, provider: str | None, error: str | None) -> None:
    session.export_status, session.export_provider, session.last_export_error = status, provider, error
    session.export_scheduled_for = session.export_waiting = None


def clear_export_fields(session: TrainingSession) -> None:
    session.export_status = session.export_provider = session.exported_at = None
    session.external_workout_id = session.last_export_error = session.external_refs = None
    session.export_scheduled_for = session.export_waiting = session.push_reason = None


def remove_sent(session: TrainingSession) -> None:
    """The version on the device goes (the session changed day, went away, or waits)."""
    if session.external_refs:
        outbox.add_removal(session.plan.athlete_id, session.external_refs["provider"], session.external_refs)
        session.external_refs = None
        session.external_workout_id = session.exported_at = None


# -- connects, threshold and routing changes -------------------------------------------------------

def bulk_budget() -> Budget:
    from . import quota

    return Budget(lambda provider: quota.available(provider, bulk=True))


def athlete_connected(athlete_id: int, provider: str) -> None:
    """An athlete connected (or reconnected) a device: after this commit, one background job
    pushes every upcoming session that was waiting for one."""
    outbox.after_commit(outbox.Wakeup(outbox.PUSH_WAITING, (athlete_id,), None, BULK))


def _delivered(athlete: Athlete):
    """This athlete's sessions that carry a workout for a device, from today on."""
    return (select(TrainingSession).join(WeeklyPlan)
            .where(WeeklyPlan.athlete_id == athlete.user.id, TrainingSession.type.in_(TrainingSession.DELIVERED),
                   TrainingSession.workout.is_not(None), TrainingSession.date >= athlete.today()))


def waiting_sessions(athlete: Athlete) -> list[TrainingSession]:
    """Upcoming sessions with no export under way that a connect should push: never sent for
    want of a connection, FAILED for a transient reason, or FAILED at a provider that is no
    longer the one routing chooses.  Nearest date first."""
    open_job = exists().where(ExportJob.session_id == TrainingSession.id, ExportJob.status.in_(JobStatus.OPEN))
    transient_failure = exists().where(
        ExportJob.session_id == TrainingSession.id, ExportJob.revision == TrainingSession.revision,
        ExportJob.status == JobStatus.FAILED, ExportJob.failure_kind == FailureKind.TRANSIENT)
    statement = (
        _delivered(athlete).add_columns(transient_failure.label("transient"))
        .where(~open_job, or_(TrainingSession.export_status == ExportStatus.NOT_CONNECTED,
                              TrainingSession.export_status == ExportStatus.FAILED)))
    found = [session for session, transient in db.session.execute(statement)
             if session.export_status == ExportStatus.NOT_CONNECTED or transient
             or athlete.provider_for(session) != session.export_provider]
    return nearest_first(found)


def changed_thresholds(before: Thresholds, after: Thresholds) -> list[str]:
    return [label for name, label in THRESHOLD_NAMES.items() if getattr(before, name) != getattr(after, name)]


def thresholds_changed(athlete_id: int, before: Thresholds) -> list[TrainingSession]:
    """Every upcoming SENT session whose payload changes with the new thresholds is sent again
    (a new revision, the old one removed), and only those."""
    athlete = Athlete.load(athlete_id)
    what = changed_thresholds(before, athlete.thresholds)
    if not what:
        return []
    reason = " and ".join(what) + " changed: re-sent"
    resent, budget = [], bulk_budget()
    sent = db.session.scalars(_delivered(athlete).where(TrainingSession.export_status == ExportStatus.SENT))
    for session in nearest_first(list(sent)):
        refs = session.external_refs or {}
        fit = payload_fit(session, refs.get("provider", session.export_provider), athlete.thresholds)
        if fit is None or fit.payload_hash == refs.get("payloadHash"):
            continue
        _new_revision(session)
        deliver(session, athlete, BULK, reason=reason, budget=budget)
        resent.append(session)
    return resent


def routes_changed(athlete_id: int) -> list[TrainingSession]:
    """Upcoming sessions whose provider the routing now chooses differently move there (and
    leave the other): a new revision at the new provider, the old workout removed."""
    athlete = Athlete.load(athlete_id)
    statement = _delivered(athlete).where(TrainingSession.export_provider.is_not(None))
    moved, budget = [], bulk_budget()
    for session in nearest_first(list(db.session.scalars(statement))):
        provider = athlete.provider_for(session)
        if provider is None or provider == session.export_provider:
            continue
        _new_revision(session)
        deliver(session, athlete, BULK, reason=messages.now_goes_to(provider), budget=budget)
        moved.append(session)
    return moved


def _new_revision(session: TrainingSession) -> None:
    session.revision += 1
    outbox.supersede_open([session.id])


# -- Retry ------------------------------------------------------------------------------------------

def retry(session: TrainingSession, queue: str = INTERACTIVE, athlete: Athlete | None = None,
          budget: Budget | None = None) -> ExportJob:
    """A new attempt; RetryRefused says why not."""
    if not session.is_delivered:
        raise RetryRefused(messages.ONLY_WORKOUTS)
    if db.session.scalar(select(ExportJob.id).where(ExportJob.session_id == session.id,
                                                    ExportJob.status.in_(JobStatus.OPEN)).limit(1)):
        raise RetryRefused(messages.UNDER_WAY)
    if session.export_status == ExportStatus.SENT:
        raise RetryRefused(messages.ALREADY_THERE)
    athlete = athlete or Athlete.load(session.plan.athlete_id)
    if window.day_passed(session.date, athlete.zone, athlete.now):
        raise RetryRefused(messages.DAY_PASSED_RETRY)
    provider = athlete.provider_for(session)
    previous = session.export_provider
    if previous and previous != provider:
        # The session's provider needs reconnecting (its connection is kept until then);
        # a provider the athlete disconnected no longer counts, and routing chooses again.
        connection = connections.find(athlete.user.id, previous)
        if connection is not None and not connection.is_active or provider is None:
            raise RetryRefused(messages.no_longer_connected(previous))
    if provider is None:
        raise RetryRefused(messages.no_device(current_app.config["PROVIDERS"]))
    job = deliver(session, athlete, queue, budget=budget)
    if job is None and session.export_status == ExportStatus.FAILED:
        raise RetryRefused(session.last_export_error or messages.CANNOT_BE_SENT)
    return job


def retry_all_failed(athlete_id: int) -> tuple[list[TrainingSession], dict[int, str]]:
    """Retry every upcoming FAILED session of the athlete (bulk, nearest first); returns those
    retried and why others were not."""
    athlete = Athlete.load(athlete_id)
    failed = db.session.scalars(
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete_id, TrainingSession.export_status == ExportStatus.FAILED)
        .order_by(TrainingSession.date, TrainingSession.id)
    ).all()
    retried, refused, budget = [], {}, bulk_budget()
    for session in failed:
        try:
            retry(session, BULK, athlete, budget)
            retried.append(session)
        except RetryRefused as error:
            refused[session.id] = str(error)
    return retried, refused
