"""Changing an athlete's thresholds or time zone: the rule the API and the pages share.

Thresholds decide what a device receives (zones become watts, bpm and paces), so a change
sends again every upcoming session whose payload changes, and only those
(exports.thresholds_changed); the week then says why ("FTP changed: re-sent").
"""

from __future__ import annotations

from core import exports
from core.db import db
from core.models import AthleteProfile, TrainingSession, User


def update(athlete: User, values: dict) -> tuple[AthleteProfile, list[TrainingSession]]:
    """Set the given profile columns (None clears one); the profile and the sessions sent
    again.  The caller commits."""
    before = athlete.thresholds()
    profile = athlete.profile or AthleteProfile(athlete=athlete)
    db.session.add(profile)
    for column, value in values.items():
        setattr(profile, column, value)
    db.session.flush()
    db.session.refresh(athlete)
    return profile, exports.thresholds_changed(athlete.id, before)
