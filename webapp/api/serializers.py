"""How plans, sessions and profiles look in JSON responses (api.md)."""

from __future__ import annotations

from flask import current_app

from core.clock import iso_utc
from core.models import AthleteProfile, TrainingSession, User, WeeklyPlan
from providers.compatibility import report_json
from workouts import Thresholds, WorkoutInvalid, prepare


def compatibility(session: TrainingSession, thresholds: Thresholds) -> dict | None:
    """What each provider will get for the session, with the athlete's current thresholds."""
    if not session.is_delivered:
        return None
    providers = current_app.config["PROVIDERS"]
    try:
        return report_json(prepare(session.workout, thresholds), thresholds, providers)
    except WorkoutInvalid as error:  # only when thresholds make a zone implausible
        return {provider: {"level": "UNSUPPORTED", "notes": [str(p) for p in error.problems]} for provider in providers}


def session_json(session: TrainingSession, thresholds: Thresholds | None = None) -> dict:
    delivered = session.is_delivered
    if thresholds is None and delivered:
        thresholds = session.plan.athlete.thresholds()
    return {
        "id": session.id,
        "date": session.date.isoformat(),
        "type": session.type,
        "title": session.title,
        "workout": session.workout if delivered else None,
        "exportStatus": session.export_status if delivered else None,
        "exportProvider": session.export_provider if delivered else None,
        "exportedAt": iso_utc(session.exported_at) if delivered else None,
        "externalWorkoutId": session.external_workout_id if delivered else None,
        "lastExportError": session.last_export_error if delivered else None,
        "exportScheduledFor": iso_utc(session.export_scheduled_for) if delivered else None,
        "pushReason": session.push_reason if delivered else None,
        "compatibility": compatibility(session, thresholds) if delivered else None,
    }


def plan_json(plan: WeeklyPlan) -> dict:
    thresholds = plan.athlete.thresholds()
    return {
        "id": plan.id,
        "athleteId": plan.athlete_id,
        "weekStart": plan.week_start.isoformat(),
        "sessions": [session_json(s, thresholds) for s in plan.sessions],
    }


def athlete_json(athlete: User) -> dict:
    return {"id": athlete.id, "email": athlete.email, "name": athlete.name}


def profile_json(athlete: User, profile: AthleteProfile | None) -> dict:
    return {
        "athleteId": athlete.id,
        "ftpWatts": profile.ftp_watts if profile else None,
        "maxHeartRate": profile.max_heart_rate if profile else None,
        "thresholdPaceSecPerKm": profile.threshold_pace_sec_per_km if profile else None,
        "swimThresholdPaceSecPer100m": profile.swim_threshold_pace_sec_per_100m if profile else None,
        "timezone": profile.timezone if profile else "UTC",
    }


def connection_json(connection) -> dict:
    return {
        "provider": connection.provider,
        "status": connection.status,
        "primary": connection.is_primary,
        "providerUserId": connection.provider_user_id,
        "scopes": connection.scopes.split() if connection.scopes else [],
        "connectedAt": iso_utc(connection.connected_at),
        "reconnectNeeded": not connection.is_active,
        "message": connection.reconnect_message,
    }


def library_json(entry) -> dict:
    """A library entry (api.md, "The coach's library")."""
    return {
        "id": entry.id,
        "name": entry.name,
        "tags": entry.tags,
        "workout": entry.workout,
        "createdAt": iso_utc(entry.created_at),
        "updatedAt": iso_utc(entry.updated_at),
    }


def placed_json(session: TrainingSession) -> dict:
    """A session placed from the library: where it went and how its delivery stands."""
    return {"id": session.id, "athleteId": session.plan.athlete_id, "date": session.date.isoformat(),
            "exportStatus": session.export_status}
