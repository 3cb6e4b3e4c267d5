"""The data model. Import models from here: ``from webapp.models import User``."""

from .user import ApiToken, AthleteProfile, Role, User
from .plan import ExportStatus, Provider, SessionType, TrainingSession, WeeklyPlan

__all__ = [
    "ApiToken", "AthleteProfile", "ExportStatus", "Provider", "Role", "SessionType",
    "TrainingSession", "User", "WeeklyPlan",
]
