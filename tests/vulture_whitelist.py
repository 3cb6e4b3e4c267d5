"""Names vulture (the dead-code check in tests/test_layers.py) cannot see being used, with who
uses them.  Everything else it reports is dead and goes."""

# ruff: noqa
_ = object()

# RQ runs jobs by their dotted name (core/outbox.py, jobs/periodic.py); rq reads its settings module.
run_export, run_removal, push_waiting  # jobs.export / jobs.removal / jobs.push
REDIS_URL  # jobs/rq_settings.py

# Flask, Flask-Login, Flask-WTF, marshmallow, prometheus_client and WSGI servers call these.
create_app  # wsgi.py, the worker's factory path
_.login_view, _.login_message  # Flask-Login's settings
_.get_id  # Flask-Login stores it in the session
_.wrap_formdata  # Flask-WTF's form meta hook
_._keep_key  # a SQLAlchemy @validates hook (core/models/library.py)
_._deserialize  # a marshmallow field
_.collect  # a prometheus_client collector
_.extract_cookies, _.set_cookie, cookie  # http.cookiejar calls them on providers/http.py's NoCookies (httpx)
_.choices  # WTForms
confirm  # a WTForms field (EqualTo reads it)
attr  # marshmallow's _deserialize signature

# Read by templates (Jinja).
_.final, connect_link, poll_seconds  # templates/partials/export_badge.html
upcoming, _.upcoming, oldest_seconds, current_job  # templates/operator/index.html
_.tag_errors, _.rule_errors  # templates/library/form.html

# The API's field names (marshmallow schemas: the JSON a client sends).
athleteId, weekStart, ftpWatts, maxHeartRate, thresholdPaceSecPerKm, swimThresholdPaceSecPer100m
exportStatus, exportProvider, exportedAt, externalWorkoutId, lastExportError, exportScheduledFor, pushReason
createdAt, updatedAt, athleteIds, fromWeek, toWeek, toAthleteIds  # the library, placing, copying

# Database columns, written for operators and support (read in SQL, not in Python).
created_at, _.created_at, refreshed_at, _.refreshed_at, duration_ms, _.duration_ms, last_used_at

# The workout format's readers, dispatched by name (workouts/formats/__init__.py READERS).
read_erg, read_mrc

# fit-tool's message fields, set by the FIT writer (workouts/formats/fit.py).
_.manufacturer, _.product, _.serial_number, _.time_created, _.workout_name, _.num_valid_steps, _.message_index
_.duration_type, _.duration_step, _.duration_time, _.duration_distance, _.target_repeat_steps, _.workout_step_name
_.target_value, _.target_power_zone, _.target_hr_zone, _.target_speed_zone, _.secondary_target_type
_.secondary_target_value, _.custom_target_power_low, _.custom_target_power_high, _.custom_target_heart_rate_low
_.custom_target_heart_rate_high, _.custom_target_speed_low, _.custom_target_speed_high
_.custom_target_cadence_low, _.custom_target_cadence_high, _.secondary_custom_target_cadence_low
_.secondary_custom_target_cadence_high, _.comment, _.sub_sport, _.duration_reps, _.exercise_category, _.exercise_name
_.exercise_weight, _.weight_display_unit

# zipfile's member attributes, set by the guide ZIP (providers/suunto/archive.py).
_.compress_type, _.external_attr

# The engine's helpers for the converters (workouts/ramps.py, simplify.py, work.py).
simplify, split_ramps, workload
DURATION_TYPES  # workouts/constants.py: the format's vocabulary


# The session editor's templates read these (templates/plans/_text.html, _exercises.html) through
# the plans blueprint's context processor, which Flask calls.
_sayings  # webapp/plans/routes.py
TEXT_PROBLEMS, NO_EXERCISE_FOUND, TYPE_TO_FIND  # webapp/plans/messages.py
_.has_form  # text_view.Written, read by templates/plans/_text.html
