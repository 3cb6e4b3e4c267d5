"""What a plan save means for the export pipeline.

The foundation only keeps the export fields honest: an ENDURANCE session starts
NOT_CONNECTED (there is no device connection yet) and any other session has none.
"""

from __future__ import annotations

from ..models import ExportStatus, TrainingSession


def session_saved(session: TrainingSession, changed: bool, was_endurance: bool = False) -> None:
    if not session.is_endurance:
        clear_export_fields(session)
    elif changed:
        session.export_status = ExportStatus.NOT_CONNECTED
        session.export_provider = None


def session_deleted(session: TrainingSession) -> None:
    """Nothing has been pushed yet, so nothing needs removing."""


def clear_export_fields(session: TrainingSession) -> None:
    session.export_status = session.export_provider = session.exported_at = None
    session.external_workout_id = session.last_export_error = None


def athlete_connected(athlete_id: int, provider: str) -> None:
    """An athlete connected (or reconnected) a provider: their waiting sessions will be
    pushed here once the auto-push pipeline exists."""
