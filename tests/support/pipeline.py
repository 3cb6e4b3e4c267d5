"""The export pipeline as it runs in production, for the integration tests: the app and its
sandbox on a real port, a real Redis server, and real ``rq worker`` processes running our
AppWorker, with the settings passed the way an operator passes them (environment)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.forkserver import ForkServer

ROOT = Path(__file__).resolve().parents[2]
RQ = str(Path(sys.executable).with_name("rq"))


class Workers:
    """``rq worker`` and ``rq cron`` processes with ``env``.  Forked from a server that has
    imported their libraries (tests/support/forkserver.py) unless ``fork`` is off, as the
    production tests have it: there each is started from nothing, as an operator starts it."""

    def __init__(self, env: dict, log_dir: Path, fork: bool = True):
        self.env, self.log_dir, self.fork = env, log_dir, fork
        self.processes: list = []

    def _spawn(self, command: list[str], log_name: str):
        if self.fork:
            return ForkServer.spawn(command, dict(self.env), self.log_dir / log_name)
        log = open(self.log_dir / log_name, "ab")
        return subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start(self, count: int = 1, burst: bool = False) -> list[subprocess.Popen]:
        started = []
        for _ in range(count):
            index = len(self.processes)
            command = [RQ, "worker", "-c", "jobs.rq_settings", "--worker-class", "jobs.worker.AppWorker",
                       "--with-scheduler", "--maintenance-interval", "5", "--name", f"test-worker-{os.getpid()}-{index}",
                       "--url", self.env["REDIS_URL"], "high", "default", "pings"]
            if burst:
                command.append("--burst")
            process = self._spawn(command, f"worker-{index}.log")
            self.processes.append(process)
            started.append(process)
        if not burst and not any(p.args[1] == "cron" for p in self.processes):
            self.start_cron()
        return started

    def start_cron(self) -> subprocess.Popen:
        """RQ's cron scheduler with our periodic jobs (the relay, the retention), as production runs it."""
        process = self._spawn([RQ, "cron", "-c", "jobs.rq_settings", "--url", self.env["REDIS_URL"], "jobs.cron"],
                              "cron.log")
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        process.send_signal(sig)
        process.wait(10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("worker-*.log")))


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message} (last: {last!r})")


class Client:
    """The JSON API over HTTP with one user's token."""

    def __init__(self, base: str, token: str):
        self.base, self.headers = base + "/api/v1", {"Authorization": f"Bearer {token}"}

    def get(self, path):
        return requests.get(self.base + path, headers=self.headers, timeout=30)

    def post(self, path, json=None):
        return requests.post(self.base + path, json=json, headers=self.headers, timeout=30)

    def put(self, path, json=None):
        return requests.put(self.base + path, json=json, headers=self.headers, timeout=30)

    def delete(self, path):
        return requests.delete(self.base + path, headers=self.headers, timeout=30)


def run_queued_jobs(app) -> None:
    """Run every job queued so far with our AppWorker, in this process (burst mode): for tests
    whose app uses a real Redis but starts no worker processes."""
    from core.queue import QUEUES, rq
    from jobs.worker import AppWorker

    with app.app_context():
        queues = [rq.get_queue(name) for name in QUEUES]
        AppWorker(queues, connection=queues[0].connection, app=app).work(burst=True)


def run_scheduled_jobs_now(app) -> int:
    """Queue every job RQ's scheduler holds for later as if its time had come, and run them all
    (a coalesced ping check waits for the next slot, a retry for its delay); how many moved."""
    from rq import Queue

    from core.queue import QUEUES, rq

    moved = 0
    with app.app_context():
        connection = rq.get_queue(QUEUES[0]).connection
        for name in QUEUES:
            queue = Queue(name, connection=connection)
            registry = queue.scheduled_job_registry
            for job_id in registry.get_job_ids():
                job = queue.fetch_job(job_id)
                registry.remove(job_id)
                if job is not None:
                    queue.enqueue_job(job)
                    moved += 1
    run_queued_jobs(app)
    return moved
