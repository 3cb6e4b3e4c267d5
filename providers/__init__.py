"""Everything that speaks to Garmin and Wahoo: converters, HTTP clients, and the sandbox.

Converters (garmin.py, wahoo.py, fit.py) are pure functions of a normalized workout.
Clients (garmin_api.py, wahoo_api.py) carry the athlete's token over httpx and turn every
failure into one of the typed errors of errors.py.  The sandbox (sandbox/) stands for the
outside world and imports nothing from here.
"""
