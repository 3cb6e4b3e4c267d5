"""The data model. Import models from here: ``from webapp.models import User``."""

from .user import ApiToken, AthleteProfile, Role, User
from .plan import ExportStatus, Provider, SessionType, TrainingSession, WeeklyPlan
from .connection import ConnectionStatus, DeviceConnection, RevokedReason

__all__ = [
    "ApiToken", "AthleteProfile", "ConnectionStatus", "DeviceConnection", "ExportStatus", "Provider",
    "RevokedReason", "Role", "SessionType", "TrainingSession", "User", "WeeklyPlan",
]
