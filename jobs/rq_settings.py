"""Settings for ``rq worker -c jobs.rq_settings``: the same Redis and queues as the app."""

import os

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
QUEUES = ["high", "default", "pings"]
