"""The data model. Import models from here: ``from core.models import User``."""

from .connection import ConnectionStatus, DeliveryRoute, DeviceConnection, RevokedReason
from .export import AttemptOutcome, ExportAttempt, ExportJob, FailureKind, JobKind, JobStatus
from .library import LibraryTag, LibraryWorkout
from .plan import ExportStatus, SessionType, TrainingSession, WaitKind, WeeklyPlan
from .user import ApiToken, AthleteProfile, CalendarFeed, Role, User

__all__ = [
    "ApiToken", "AthleteProfile", "AttemptOutcome", "CalendarFeed", "ConnectionStatus", "DeliveryRoute", "DeviceConnection", "ExportAttempt",
    "ExportJob", "ExportStatus", "FailureKind", "JobKind", "JobStatus", "LibraryTag", "LibraryWorkout", "RevokedReason", "Role",
    "SessionType", "TrainingSession", "User", "WaitKind", "WeeklyPlan",
]
