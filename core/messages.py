"""What delivery tells athletes, coaches and operators, in one place and one wording.

Each text a session's ``lastExportError``, a Retry refusal or a connection's banner can hold
is made here, from the provider's label (the registry) and the facts: so a day that passed
reads the same whether a save or a retry found it, and a new provider needs no new words.
"""

from __future__ import annotations

from datetime import date

from providers import registry


def _day(day: date) -> str:
    return day.strftime("%a %-d %b")


def day_passed_words(day: date, zone: str) -> str:
    return f"{_day(day)} has passed in {zone}"


def day_passed(day: date, zone: str) -> str:
    """A session dated before the athlete's today: never sent."""
    return f"Not sent: {day_passed_words(day, zone)}."


def gave_up(reason: str, day: date, zone: str) -> str:
    """A transient failure that lasted until the session's day had passed."""
    return f"{reason} (gave up: {day_passed_words(day, zone)}.)"


def gave_up_after(reason: str, attempts: int) -> str:
    return f"{reason} (gave up after {attempts} attempts: the session's day has passed)"


def quota_past_day(reason: str) -> str:
    return f"{reason} (the quota stays spent past the session's day)"


def refused(reason: str) -> str:
    """The provider refused what we sent (a 400, a 403): retrying the same cannot help."""
    return f"{reason} (not retried: the workout must change)"


def validation_failed(problems) -> str:
    return "Validation failed: " + "; ".join(str(p) for p in problems)


def crashed(kind: str) -> str:
    return f"internal error ({kind}); HybridPeaks will try again"


def not_connected(provider: str) -> str:
    label = registry.label(provider)
    return f"{label} is not connected: connect {label} (or another device) to receive this workout."


def reconnect(provider: str, detail: str) -> str:
    return f"Reconnect {registry.label(provider)} to receive workouts ({detail})."


def connection_removed() -> str:
    return "This device connection was removed: connect the device again to receive workouts."


# -- why a connection needs reconnecting (RevokedReason) -------------------------------------------

REVOKED = {
    "TOKEN_REFUSED": "{provider} no longer accepts HybridPeaks' access. Reconnect {provider} to keep receiving workouts.",
    "DEREGISTERED": "You disconnected HybridPeaks in {provider}. Reconnect {provider} to receive workouts again.",
    "PERMISSION_MISSING": "HybridPeaks may not send workouts to {provider}: allow workout import when you reconnect.",
}


def revoked(provider: str, reason: str | None) -> str:
    return REVOKED.get(reason or "", REVOKED["TOKEN_REFUSED"]).format(provider=registry.label(provider))


def permission_missing_at_connect(provider: str) -> str:
    spec = registry.get(provider)
    name = spec.permission_label or spec.required_permission
    return (f"{spec.label} was connected without the {name.lower()} permission. Connect again and leave “{name}” "
            "ticked, or HybridPeaks cannot send workouts.")


# -- Retry and routing refusals --------------------------------------------------------------------------

ONLY_WORKOUTS = "Only sessions with a workout are sent to a device."
UNDER_WAY = "An export of this session is already under way."
ALREADY_THERE = "This session is already on the device."
DAY_PASSED_RETRY = "This session's day has passed: nothing is sent for a past session."
CANNOT_BE_SENT = "This session cannot be sent."


def no_device(enabled: list[str]) -> str:
    return f"No device is connected: connect {' or '.join(registry.label(p) for p in enabled)} first."


def no_longer_connected(provider: str) -> str:
    label = registry.label(provider)
    return f"{label} is no longer connected: reconnect {label} first."


def now_goes_to(provider: str) -> str:
    return f"Now goes to {registry.label(provider)}: re-sent"


def route_not_connected(provider: str, sport: str) -> str:
    return f"{registry.label(provider)} is not connected: connect it before sending {sport.lower()} sessions there."


def route_cannot_take(provider: str, sport: str) -> str:
    return f"{registry.label(provider)} cannot take {sport.lower()} workouts."
