"""What ``rq cron -c jobs.rq_settings jobs.cron`` loads: the periodic jobs (jobs/periodic.py)
at the intervals of this environment's settings."""

from rq import cron

from core.config import load_config

from .periodic import register_all

register_all(cron.register, load_config())
