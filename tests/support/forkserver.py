"""Starts the pipeline tests' ``rq`` processes by forking one that has already imported their
libraries.

Each pipeline test starts an ``rq worker`` and an ``rq cron`` process (some more), and each
spent about 2 s of CPU importing the same third-party libraries before it ran anything: a
large part of the suite's time on two cores.  The children are still separate processes
running RQ's own command line with the environment they are given, as production runs them
(signals, SIGKILL and all); only the imports of the libraries are shared.  Nothing of the
product is imported before the fork, so no module of ours sees another test's settings.

The server is this module run as ``python -m tests.support.forkserver``: one JSON request a
line on stdin (argv, env, cwd, log), the child's pid a line on stdout.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Third-party only: a module of ours imported here would keep the settings it read at import.
PRELOAD = (
    "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.postgresql", "psycopg", "alembic", "flask",
    "flask_sqlalchemy", "flask_migrate", "flask_login", "flask_wtf", "flask_limiter", "flask_talisman",
    "marshmallow", "redis", "rq", "rq.cli", "rq.cron", "httpx", "requests", "authlib.integrations.flask_client",
    "authlib.integrations.httpx_client", "cryptography.fernet", "limits", "limits.storage", "prometheus_client",
    "icalendar", "fit_tool", "garmin_fit_sdk", "fakeredis", "defusedxml", "werkzeug",
)


# -- the client (the test process) -------------------------------------------------------------------

class ForkedProcess:
    """What the tests use of a ``subprocess.Popen``, for a child of the fork server."""

    def __init__(self, pid: int, args: list[str]):
        self.pid, self.args, self.returncode = pid, args, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:  # the server reaps its children: gone means ended
                self.returncode = 0
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(self.args, timeout)
            time.sleep(0.02)
        return self.returncode


class ForkServer:
    """One server per test process, started on first use."""

    _lock = threading.Lock()
    _server: subprocess.Popen | None = None

    @classmethod
    def spawn(cls, argv: list[str], env: dict, log: Path) -> ForkedProcess:
        with cls._lock:
            if cls._server is None or cls._server.poll() is not None:
                cls._server = subprocess.Popen([sys.executable, "-m", "tests.support.forkserver"], cwd=ROOT,
                                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            server = cls._server
            server.stdin.write(json.dumps({"argv": argv, "env": env, "cwd": str(ROOT), "log": str(log)}) + "\n")
            server.stdin.flush()
            answer = server.stdout.readline()
        if not answer:
            raise RuntimeError("the fork server ended")
        return ForkedProcess(json.loads(answer)["pid"], argv)


# -- the server -------------------------------------------------------------------------------------------

def serve() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_child(request)
        sys.stdout.write(json.dumps({"pid": pid}) + "\n")
        sys.stdout.flush()


def _run_child(request: dict) -> None:
    """Become ``request['argv']`` (an ``rq`` command line) and never return."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.chdir(request["cwd"])
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        random.seed()  # not the server's sequence, shared by every child
        extra = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:0] = [p for p in extra if p not in sys.path]
        sys.argv = request["argv"]
        from rq.cli import main

        try:
            main()
            code = 0
        except SystemExit as end:
            code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(code)


if __name__ == "__main__":
    serve()
