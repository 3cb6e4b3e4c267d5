"""What a plan save, a connect, a Retry, a threshold change or a routing change means for the
export pipeline.

Everything here runs inside the caller's transaction and never calls a provider.  Every
cause goes through :func:`deliver`, so they all follow the same rules:

- the provider is chosen by routing.py (the sport's route, else the primary...);
- the session goes only when its date is inside that provider's delivery window
  (window.py): before, it waits PENDING with ``exportScheduledFor``, its job parked for the
  periodic job; a session dated before the athlete's today is never pushed;
- a change that keeps what the device holds except the day is a move (one call); a change
  of what the device would receive is a new version, the old one removed once the new one
  is there (or at once, if the new one must wait for its window);
- interactive causes (a coach's save, an athlete's Retry) go on the high queue; the rest
  are bulk (priority.py).

The jobs themselves are jobs/export.py and jobs/removal.py; they enqueue only after the
commit (jobs/outbox.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import exists, or_, select, update

from providers.compatibility import UNSUPPORTED, Fit, fit_for
from workouts import Thresholds, WorkoutInvalid, prepare

from . import clock, connections, outbox
from .db import db
from .delivery import routing, window
from .delivery.priority import BULK, INTERACTIVE, Budget, nearest_first
from .models import (
    ConnectionStatus,
    DeviceConnection,
    ExportJob,
    ExportStatus,
    FailureKind,
    JobKind,
    JobStatus,
    Provider,
    SessionType,
    TrainingSession,
    User,
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
    was_endurance: bool


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
        return cls(user, active, routing.routes_of(athlete_id), clock.now(), user.thresholds())

    @property
    def zone(self) -> str:
        return self.user.timezone

    def provider_for(self, session: TrainingSession) -> str | None:
        return routing.choose(session.workout["sport"], self.active, self.routes)

    def today(self) -> date:
        return window.local_today(self.zone, self.now)

    def placement(self, session: TrainingSession, provider: str) -> window.Placement:
        return window.place(session.date, self.zone, window.days_for(provider, current_app.config), self.now)


# -- plan saves ------------------------------------------------------------------------------

def sessions_saved(saved: list[Saved]) -> None:
    """The sessions of one plan save (one athlete): every created or changed ENDURANCE
    session is delivered, interactively."""
    changed = []
    for item in saved:
        session = item.session
        if not session.is_endurance:
            if item.was_endurance or session.external_refs:
                _supersede_open_jobs([session])
                _remove_sent_workout(session)
            clear_export_fields(session)
        elif item.changed:  # a re-save that changes nothing pushes nothing
            changed.append(session)
    if not changed:
        return
    _supersede_open_jobs(changed)
    athlete = Athlete.load(changed[0].plan.athlete_id)
    for session in changed:
        deliver(session, athlete, INTERACTIVE)


def session_deleted(session: TrainingSession) -> None:
    """A session left the plan: its workout leaves the athlete's calendar too."""
    _supersede_open_jobs([session])
    _remove_sent_workout(session)


def deliver(session: TrainingSession, athlete: Athlete, queue: str, reason: str | None = None,
            budget: Budget | None = None) -> ExportJob | None:
    """Put one session revision on its way to the athlete's device, or say why it cannot go.
    The caller has superseded the session's open jobs; a bulk caller passes its budget."""
    session.push_reason = reason
    session.export_scheduled_for = None
    sent = session.external_refs or None
    provider = athlete.provider_for(session)
    if provider is None:
        _mark(session, ExportStatus.NOT_CONNECTED, None, _why_not_connected(athlete.user.id))
        return None
    placement = athlete.placement(session, provider)
    fit = payload_fit(session, provider, athlete.thresholds)
    if fit is not None and fit.level == UNSUPPORTED:
        _mark(session, ExportStatus.FAILED, provider, fit_failure(fit))
        return None
    if sent and sent.get("provider") == provider and fit is not None and fit.payload_hash == sent.get("payloadHash"):
        if sent.get("day") == session.date.isoformat():
            _mark(session, ExportStatus.SENT, provider, None)  # what the device holds is already right
            return None
        return start_export(session, provider, queue, window.Placement(window.INSIDE), JobKind.MOVE, sent, budget)
    if placement.where == window.PAST:
        if sent:
            _remove_sent_workout(session)  # the old version's day is wrong now
        _mark(session, ExportStatus.FAILED, provider, day_passed_text(session, athlete.zone))
        return None
    if sent and placement.where == window.LATER:
        _remove_sent_workout(session)  # the new version waits: the old one must not stay meanwhile
    return start_export(session, provider, queue, placement, budget=budget)


def payload_fit(session: TrainingSession, provider: str, thresholds: Thresholds) -> Fit | None:
    """What ``provider`` gets for the session now; None when the workout itself is invalid
    (the export job then fails it with the validation problems)."""
    try:
        return fit_for(provider, prepare(session.workout, thresholds), thresholds)
    except WorkoutInvalid:
        return None


def fit_failure(fit: Fit) -> str:
    return "Validation failed: " + "; ".join(fit.notes)


def day_passed_text(session: TrainingSession, zone: str) -> str:
    return f"Not sent: {session.date.strftime('%a %-d %b')} had already passed in {zone} when it was saved."


def _why_not_connected(athlete_id: int) -> str | None:
    """What the athlete can do, when a connection of theirs needs reconnecting."""
    waiting = db.session.scalars(select(DeviceConnection).where(
        DeviceConnection.athlete_id == athlete_id, DeviceConnection.status != ConnectionStatus.ACTIVE)).first()
    return waiting.reconnect_message if waiting else None


def _mark(session: TrainingSession, status: str, provider: str | None, error: str | None) -> None:
    session.export_status, session.export_provider, session.last_export_error = status, provider, error
    session.export_scheduled_for = None


def start_export(session: TrainingSession, provider: str, queue: str, placement: window.Placement,
                 kind: str = JobKind.EXPORT, refs: dict | None = None, budget: Budget | None = None) -> ExportJob:
    """An ExportJob for this revision: queued after the commit, or parked (until its window
    opens, or until a bulk push's budget has room)."""
    session.export_status, session.export_provider, session.last_export_error = ExportStatus.PENDING, provider, None
    later = placement.where == window.LATER
    held = not later and budget is not None and not budget.take(provider)
    session.export_scheduled_for = placement.opens_at if later else None
    job = ExportJob(kind=kind, session=session, athlete_id=session.plan.athlete_id, provider=provider,
                    revision=session.revision, status=JobStatus.PENDING, queue=queue,
                    next_attempt_at=placement.opens_at if later else clock.now(), parked=later or held,
                    external_refs={k: v for k, v in refs.items() if k != "provider"} if refs else None)
    db.session.add(job)
    if not job.parked:
        outbox.after_commit(job)
    return job


def schedule_removal(athlete_id: int, refs: dict, queue: str = INTERACTIVE) -> ExportJob:
    """Delete what ``refs`` points at (a workout we created) from its provider."""
    job = ExportJob(kind=JobKind.REMOVE, session_id=None, athlete_id=athlete_id, provider=refs["provider"],
                    status=JobStatus.PENDING, queue=queue, external_refs=dict(refs), next_attempt_at=clock.now())
    db.session.add(job)
    outbox.after_commit(job)
    return job


def clear_export_fields(session: TrainingSession) -> None:
    session.export_status = session.export_provider = session.exported_at = None
    session.external_workout_id = session.last_export_error = session.external_refs = None
    session.export_scheduled_for = session.push_reason = None


def _remove_sent_workout(session: TrainingSession) -> None:
    if session.external_refs:
        schedule_removal(session.plan.athlete_id, session.external_refs)
        session.external_refs = None
        session.external_workout_id = session.exported_at = None


def _supersede_open_jobs(sessions: list[TrainingSession]) -> None:
    """Pending jobs of older revisions will never run (a job in flight notices by itself);
    one that already created a workout before waiting for a retry gets it removed.

    One guarded UPDATE: a job a worker claimed meanwhile is PROCESSING and left alone."""
    ids = [s.id for s in sessions if s.id is not None]
    if not ids:
        return
    superseded = db.session.execute(
        update(ExportJob)
        .where(ExportJob.session_id.in_(ids), ExportJob.status == JobStatus.PENDING,
               ExportJob.kind.in_(JobKind.DELIVERIES))
        .values(status=JobStatus.SUPERSEDED, finished_at=clock.now(), parked=False)
        .returning(ExportJob.athlete_id, ExportJob.provider, ExportJob.kind, ExportJob.external_refs)
        .execution_options(synchronize_session=False)
    ).all()
    for athlete_id, provider, kind, refs in superseded:
        if refs and kind == JobKind.EXPORT and _created(refs):
            schedule_removal(athlete_id, {"provider": provider, **_created(refs)})


def _created(refs: dict) -> dict:
    """The provider ids among a job's refs (not our own markers)."""
    return {k: v for k, v in refs.items() if k.endswith("Id")}


# -- connects, threshold and routing changes -------------------------------------------------------

def bulk_budget() -> Budget:
    from . import quota

    return Budget(lambda provider: quota.available(provider, bulk=True))


def athlete_connected(athlete_id: int, provider: str) -> None:
    """An athlete connected (or reconnected) a device: after this commit, one background job
    pushes every upcoming session that was waiting for one."""
    outbox.after_commit(outbox.Wakeup(outbox.PUSH_WAITING, (athlete_id,), None, BULK))


def waiting_sessions(athlete: Athlete) -> list[TrainingSession]:
    """Upcoming ENDURANCE sessions with no export under way that a connect should push:
    never sent for want of a connection, FAILED for a transient reason, or FAILED at a
    provider that is no longer the one routing chooses.  Nearest date first."""
    open_job = exists().where(ExportJob.session_id == TrainingSession.id, ExportJob.status.in_(JobStatus.OPEN))
    transient_failure = exists().where(
        ExportJob.session_id == TrainingSession.id, ExportJob.revision == TrainingSession.revision,
        ExportJob.status == JobStatus.FAILED, ExportJob.failure_kind == FailureKind.TRANSIENT)
    statement = (
        select(TrainingSession, transient_failure.label("transient")).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete.user.id, TrainingSession.type == SessionType.ENDURANCE, ~open_job,
               TrainingSession.date >= athlete.today(),
               or_(TrainingSession.export_status == ExportStatus.NOT_CONNECTED,
                   TrainingSession.export_status == ExportStatus.FAILED))
    )
    found = [session for session, transient in db.session.execute(statement)
             if session.export_status == ExportStatus.NOT_CONNECTED or transient
             or athlete.provider_for(session) != session.export_provider]
    return nearest_first(found)


def upcoming_sent(athlete: Athlete) -> list[TrainingSession]:
    return list(db.session.scalars(
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete.user.id, TrainingSession.type == SessionType.ENDURANCE,
               TrainingSession.date >= athlete.today(), TrainingSession.export_status == ExportStatus.SENT)))


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
    for session in nearest_first(upcoming_sent(athlete)):
        refs = session.external_refs or {}
        fit = payload_fit(session, refs.get("provider", session.export_provider), athlete.thresholds)
        if fit is None or fit.payload_hash == refs.get("payloadHash"):
            continue
        session.revision += 1
        _supersede_open_jobs([session])
        deliver(session, athlete, BULK, reason=reason, budget=budget)
        resent.append(session)
    return resent


def routes_changed(athlete_id: int) -> list[TrainingSession]:
    """Upcoming sessions whose provider the routing now chooses differently move there (and
    leave the other): a new revision at the new provider, the old workout removed."""
    athlete = Athlete.load(athlete_id)
    statement = (
        select(TrainingSession).join(WeeklyPlan)
        .where(WeeklyPlan.athlete_id == athlete_id, TrainingSession.type == SessionType.ENDURANCE,
               TrainingSession.date >= athlete.today(), TrainingSession.export_provider.is_not(None))
    )
    moved, budget = [], bulk_budget()
    for session in nearest_first(list(db.session.scalars(statement))):
        provider = athlete.provider_for(session)
        if provider is None or provider == session.export_provider:
            continue
        session.revision += 1
        _supersede_open_jobs([session])
        deliver(session, athlete, BULK, reason=f"Now goes to {Provider.LABELS[provider]}: re-sent", budget=budget)
        moved.append(session)
    return moved


# -- Retry ------------------------------------------------------------------------------------------

def retry(session: TrainingSession, queue: str = INTERACTIVE, athlete: Athlete | None = None,
          budget: Budget | None = None) -> ExportJob:
    """A new attempt; RetryRefused says why not."""
    if not session.is_endurance:
        raise RetryRefused("Only ENDURANCE sessions are sent to a device.")
    if db.session.scalar(select(ExportJob.id).where(ExportJob.session_id == session.id,
                                                    ExportJob.status.in_(JobStatus.OPEN)).limit(1)):
        raise RetryRefused("An export of this session is already under way.")
    if session.export_status == ExportStatus.SENT:
        raise RetryRefused("This session is already on the device.")
    athlete = athlete or Athlete.load(session.plan.athlete_id)
    if session.date < athlete.today():
        raise RetryRefused("This session's day has passed: nothing is sent for a past session.")
    provider = athlete.provider_for(session)
    previous = session.export_provider
    if previous and previous != provider:
        # The session's provider needs reconnecting (its connection is kept until then);
        # a provider the athlete disconnected no longer counts, and routing chooses again.
        connection = connections.find(athlete.user.id, previous)
        if connection is not None and not connection.is_active or provider is None:
            label = Provider.LABELS[previous]
            raise RetryRefused(f"{label} is no longer connected: reconnect {label} first.")
    if provider is None:
        raise RetryRefused("No device is connected: connect Garmin or Wahoo first.")
    job = deliver(session, athlete, queue, budget=budget)
    if job is None and session.export_status == ExportStatus.FAILED:
        raise RetryRefused(session.last_export_error or "This session cannot be sent.")
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

