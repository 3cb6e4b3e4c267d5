"""The production path, started the way README's Production section starts it: gunicorn with
APP_ENV=production (several worker processes), ``rq worker`` processes, PostgreSQL and a
real Redis, and the provider sandbox as a process of its own (production never mounts it)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import requests

from .pipeline import ROOT, Workers
from .servers import free_port, wait_for_port

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
def provider_settings(base_url: str, secret: str = "a-real-looking-client-secret") -> dict[str, str]:
    """Every provider setting production needs, for providers served at ``base_url/<provider>``
    (the sandbox as its own process, standing for the real providers): a client of our own
    and, for each secret setting, a value of our own."""
    from providers import registry

    settings = {}
    for provider in registry.providers():
        base = f"{base_url}/{provider.slug}"
        settings.update({provider.setting("CLIENT_ID"): f"client-{provider.slug}",
                         provider.setting("CLIENT_SECRET"): f"{secret}-{provider.slug}",
                         provider.setting("AUTHORIZE_URL"): f"{base}/oauth/authorize",
                         provider.setting("TOKEN_URL"): f"{base}/oauth/token", provider.setting("API_BASE"): base})
        for extra in provider.extra_settings:
            if extra.secret:
                settings[provider.setting(extra.suffix)] = f"{secret}-{provider.slug}-{extra.suffix.lower()}"
            elif extra.sandbox_path:
                settings[provider.setting(extra.suffix)] = f"{base}/{extra.sandbox_path}"
    return settings


def sandbox_arguments(settings: dict[str, str]) -> list[str]:
    """The standalone sandbox's --client and --setting arguments for the clients and secrets of
    ``settings``."""
    from providers import registry

    arguments = []
    for provider in registry.providers():
        arguments += ["--client", f"{provider.slug}={settings[provider.setting('CLIENT_ID')]}:"
                                  f"{settings[provider.setting('CLIENT_SECRET')]}"]
        for extra in provider.extra_settings:
            if extra.secret:
                arguments += ["--setting", f"{provider.setting(extra.suffix)}={settings[provider.setting(extra.suffix)]}"]
    return arguments


class Production:
    def __init__(self, database_url: str, redis_url: str, token_key: str, log_dir: Path, web_workers: int = 2):
        self.port, self.sandbox_port = free_port(), free_port()
        self.url, self.sandbox_url = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.sandbox_port}"
        self.metrics_token = secrets.token_urlsafe(24)
        self.log_dir = log_dir
        drop = ("APP_ENV", "SANDBOX_ENABLED", "LOG_FORMAT")
        self.env = {**{k: v for k, v in os.environ.items() if k not in drop},
                    "APP_ENV": "production", "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                    "SECRET_KEY": secrets.token_hex(32), "TOKEN_ENCRYPTION_KEY": token_key,
                    "PUBLIC_URL": self.url, "METRICS_TOKEN": self.metrics_token,
                    **provider_settings(self.sandbox_url),
                    "EXPORT_RETRY_DELAYS": "1,1", "EXPORT_RETRY_JITTER": "0", "RELAY_INTERVAL_SECONDS": "2",
                    "RELAY_GRACE_SECONDS": "1", "LOG_LEVEL": "INFO"}
        self.processes: list[subprocess.Popen] = []
        self.workers = Workers(self.env, log_dir, fork=False)
        self.web_workers = web_workers

    def start(self) -> "Production":
        self._spawn("sandbox", [sys.executable, "-m", "sandbox", "--port", str(self.sandbox_port),
                                "--db", str(self.log_dir / "sandbox.db"),
                                "--webhook-url", f"{self.url}/webhooks/garmin", *sandbox_arguments(self.env)])
        self._spawn("gunicorn", [GUNICORN, "-w", str(self.web_workers), "-b", f"127.0.0.1:{self.port}",
                                 "--access-logfile", "-", "wsgi:app"])
        wait_for_port(self.sandbox_port)
        wait_for_port(self.port, timeout=30)
        return self

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes.append(subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))

    def faults(self, provider: str, **faults) -> dict:
        response = requests.put(f"{self.sandbox_url}/_admin/faults", json={"provider": provider, **faults}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))

    def stop(self) -> None:
        self.workers.stop_all()
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
