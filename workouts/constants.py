"""The vocabulary and limits of the workout format (../shared/spec/workout-format.md)."""

SPORTS = ("BIKE", "RUN", "SWIM", "ROW", "OTHER")
INTENSITIES = ("WARMUP", "ACTIVE", "RECOVERY", "REST", "COOLDOWN")
DURATION_TYPES = ("TIME", "DISTANCE", "OPEN")
TARGET_TYPES = ("POWER", "HEART_RATE", "PACE", "CADENCE")
LOCATIONS = ("INDOOR", "OUTDOOR")  # optional: where the workout is done (Wahoo's workout_type_location)
POOL_UNITS = ("METER", "YARD")  # optional, SWIM only: the pool's unit (Garmin's poolLengthUnit)
POOL_LENGTH_MAX = 1000

NAME_MAX = 80
DESCRIPTION_MAX = 1000
STEP_NAME_MAX = 50
STEP_NOTES_MAX = 200

MAX_EXPANDED_STEPS = 200
REPEAT_MIN, REPEAT_MAX = 2, 99
MAX_REPEAT_DEPTH = 2

TIME_MAX_SECONDS = 24 * 3600
DISTANCE_MAX_METERS = 1_000_000

# Plausible values of a primary target, in canonical units (PACE in s/km).
TARGET_LIMITS = {
    "POWER": (0, 3000, "W"),
    "HEART_RATE": (30, 250, "bpm"),
    "PACE": (60, 1800, "s/km"),
    "CADENCE": (20, 250, "rpm"),
}
CADENCE_LIMITS = (20, 250)

# SWIM paces are written in seconds per 100 m and stored canonically in seconds per km.
SWIM_PACE_FACTOR = 10
