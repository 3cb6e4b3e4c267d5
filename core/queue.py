"""Where jobs go: RQ on the Redis of REDIS_URL, or, without one, an in-process fakeredis.

The embedded default (``make run``) has no Redis server: fakeredis (with its Lua extra,
which RQ 3 needs) holds the queues in memory and a worker thread of the web process runs
them (jobs/worker.py).  Production points REDIS_URL at a real Redis and runs ``rq worker``
processes; the jobs are the same either way.
"""

from __future__ import annotations

import redis
from flask import Flask
from flask_rq import RQ
from redis.backoff import NoBackoff
from redis.retry import Retry

rq = RQ()

QUEUES = ("high", "default", "pings")  # saves and retries first, bulk pushes after, provider pings last


def init_queue(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    if url:
        # Short timeouts: a save must never hang on a Redis that is down (the relay
        # enqueues what could not be enqueued; see jobs/relay.py).
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=1, socket_timeout=5,
                                             health_check_interval=30, retry=Retry(NoBackoff(), 0))
        app.config["RQ_CONNECTION"] = {"connection_pool": pool}
    else:
        import fakeredis  # here: a Redis-backed process (a worker, gunicorn) need not import it (0.3 s)

        app.config["RQ_CONNECTION_CLASS"] = "fakeredis.FakeRedis"
        app.config["RQ_CONNECTION"] = {"server": fakeredis.FakeServer()}
    app.config["RQ_QUEUES"] = list(QUEUES)
    app.config["RQ_ASYNC"] = True  # never RQ's synchronous mode: it swallows errors and ignores retries
    rq.init_app(app)
