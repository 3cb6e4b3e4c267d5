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

# -- added in the third round (workout-format.md): relative targets, ramps, text cues -------------

# A min/max or from/to target says how its numbers are meant; ABSOLUTE when left out.
TARGET_UNITS = ("ABSOLUTE", "PERCENT")
# Plausible percents of the threshold that each type's zone table uses (POWER of FTP,
# HEART_RATE of max heart rate, PACE of threshold speed).  Wider than the zone tables, which
# span 0-200 %, 50-100 % and 70-110 %: sprints go far over FTP, a walk far under threshold pace.
PERCENT_LIMITS = {
    "POWER": (1, 1000),
    "HEART_RATE": (30, 120),
    "PACE": (30, 200),
}
RAMP_TYPES = ("POWER", "HEART_RATE", "PACE")  # a cadence ramp is not a thing any device plays

# Text cues: shown at a time into the step (Zwift's text events, MRC course text).
CUES_MAX = 20  # per step: one every few seconds of a short step is already too many to read
CUE_TEXT_MAX = 200  # what fits on a trainer app's banner in two lines

# -- added in the third round: strength, cardio and multisport (workout-format.md) ---------------

STRENGTH_SPORTS = ("STRENGTH", "CARDIO")  # sessions of sets and reps: exercises, weights, REPS
MULTISPORT = "MULTISPORT"
LEG_SPORTS = SPORTS + STRENGTH_SPORTS  # a multisport leg: any sport but MULTISPORT
ALL_SPORTS = LEG_SPORTS + (MULTISPORT,)
REPS = "REPS"
REPS_MIN, REPS_MAX = 1, 999
# A strength or cardio step has no power, pace or cadence: only heart rate can be a target.
STRENGTH_TARGET_TYPES = ("HEART_RATE",)
WEIGHT_UNITS = ("KG", "LB")
KG_PER_LB = 0.45359237  # the international pound
# Heavier than any lift, and within what a FIT file holds (exercise_weight: 0.01 kg, at most 655.34).
WEIGHT_MAX_KG = 600
LEGS_MIN, LEGS_MAX = 2, 25  # Garmin's MULTI_SPORT takes 25 segments
MULTISPORT_MAX_STEPS = 250  # over all legs after expansion (each leg also within its own sport's 200)
