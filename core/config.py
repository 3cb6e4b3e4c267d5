"""Settings, read from environment variables with safe defaults.

``APP_ENV`` picks a profile:

- ``development`` (the default, what ``make run`` uses): a SQLite file under ``instance/``,
  an in-process Redis stand-in and worker thread, the provider sandbox mounted at
  ``/sandbox``; ``SECRET_KEY`` and ``TOKEN_ENCRYPTION_KEY`` are generated once into
  ``instance/`` when not given.
- ``production``: PostgreSQL (``DATABASE_URL``), a real Redis (``REDIS_URL``), ``rq worker``
  processes, no sandbox; refuses to start without ``SECRET_KEY`` and ``TOKEN_ENCRYPTION_KEY``.
- ``testing``: like development, with the values the tests pass in.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from providers import registry

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


# Each provider's common settings, <PROVIDER>_CLIENT_ID and so on (README, Production).
PROVIDER_SETTINGS = ("CLIENT_ID", "CLIENT_SECRET", "AUTHORIZE_URL", "TOKEN_URL", "API_BASE")
SANDBOX_SECRET = "sandbox-secret"  # the sandbox's built-in client secret: never a real one


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names it."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return default if value is None else int(value)


def _delays(value: str) -> tuple[int, ...]:
    return tuple(int(part) for part in value.split(",") if part.strip())


def _generated_secret(filename: str, make) -> str:
    """A development secret kept in instance/ so that restarts keep sessions and tokens."""
    path = INSTANCE / filename
    if path.exists():
        return path.read_text().strip()
    INSTANCE.mkdir(parents=True, exist_ok=True)
    value = make()
    path.write_text(value)
    path.chmod(0o600)
    return value


def _database_url(url: str) -> str:
    # Hosted PostgreSQL often hands out postgres:// URLs; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def load_config(env: str | None = None, overrides: dict | None = None) -> dict:
    """Build the Flask config for a profile; ``overrides`` win over the environment."""
    env = env or _env("APP_ENV", "development")
    if env not in ("development", "production", "testing"):
        raise ConfigError(f"APP_ENV must be development, production or testing, not {env!r}")
    production = env == "production"
    overrides = dict(overrides or {})

    def setting(name: str, default: str | None = None) -> str | None:
        # An explicit override (create_app(config=...)) wins over the environment, and is
        # read here, before the settings derived from it are computed.
        value = overrides.pop(name, None)
        return value if value not in (None, "") else _env(name, default)

    secret_key = setting("SECRET_KEY")
    token_keys = setting("TOKEN_ENCRYPTION_KEY")
    if production:
        missing = [n for n, v in (("SECRET_KEY", secret_key), ("TOKEN_ENCRYPTION_KEY", token_keys)) if not v]
        if missing:
            raise ConfigError("production settings need " + " and ".join(missing) + " (see README, Production)")
    secret_key = secret_key or _generated_secret("secret_key", lambda: secrets.token_hex(32))
    token_keys = token_keys or _generated_secret("token_key", lambda: Fernet.generate_key().decode())

    database_url = setting("DATABASE_URL")
    if production and not database_url:
        raise ConfigError("production settings need DATABASE_URL (PostgreSQL)")
    if not database_url:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{INSTANCE / 'hybridpeaks.db'}"
    redis_url = setting("REDIS_URL")
    if production and not redis_url:
        raise ConfigError("production settings need REDIS_URL")

    public_url = setting("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    sandbox_enabled = _env_bool("SANDBOX_ENABLED", not production)
    sandbox_url = setting("SANDBOX_URL", f"{public_url}/sandbox").rstrip("/")

    config = {
        "APP_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "TOKEN_ENCRYPTION_KEYS": [k.strip() for k in token_keys.split(",") if k.strip()],
        "SQLALCHEMY_DATABASE_URI": _database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "PUBLIC_URL": public_url,
        # A JSON body or form over 1 MB is refused (413) before anything parses it.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # "Keep me logged in" lasts this long; logout, a new password or an operator ends it sooner.
        "REMEMBER_COOKIE_DURATION": timedelta(days=_env_int("REMEMBER_DAYS", 30)),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "10 per minute"),
        # Werkzeug's method for new passwords.  The tests, which make thousands of accounts,
        # use a cheap one (scrypt is about 0.1 s of CPU a hash); the timing test sets scrypt.
        "PASSWORD_HASH_METHOD": _env("PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000" if env == "testing" else "scrypt"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2} if redis_url else {},
        # A Redis outage must not fail requests: count in memory until it is back.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        # JSON lines for a log pipeline in production (and the tests, which read them); one
        # readable line per event on the embedded default.  The same fields either way.
        "LOG_FORMAT": _env("LOG_FORMAT", "text" if env == "development" and not redis_url else "json"),
        # /metrics: open in development; in production only with this bearer token (off without).
        "METRICS_TOKEN": setting("METRICS_TOKEN"),
        # Provider sandbox: mounted in this app and the default target of every provider call.
        "SANDBOX_ENABLED": sandbox_enabled,
        # The sandbox is not part of the product: mounted from this dotted path where enabled.
        "SANDBOX_APP": _env("SANDBOX_APP", "sandbox:create_sandbox_app"),
        "SANDBOX_DATABASE": _env("SANDBOX_DATABASE", str(INSTANCE / "sandbox.db")),
        "SANDBOX_URL": sandbox_url,
        # Export pipeline.
        "EXPORT_RETRY_DELAYS": _delays(_env("EXPORT_RETRY_DELAYS", "30,120,480,1800,7200")),
        "EXPORT_RETRY_JITTER": float(_env("EXPORT_RETRY_JITTER", "0.2")),
        # A job is killed after EXPORT_JOB_TIMEOUT; its row is taken back by the relay only
        # after EXPORT_LEASE_SECONDS, which must be longer, so a live job is never doubled.
        "EXPORT_JOB_TIMEOUT": _env_int("EXPORT_JOB_TIMEOUT", 120),
        "EXPORT_LEASE_SECONDS": _env_int("EXPORT_LEASE_SECONDS", 180),
        "EXPORT_MORNING_HOUR": _env_int("EXPORT_MORNING_HOUR", 7),
        "RELAY_INTERVAL_SECONDS": _env_int("RELAY_INTERVAL_SECONDS", 30),
        "RELAY_GRACE_SECONDS": _env_int("RELAY_GRACE_SECONDS", 20),
        "HTTP_TIMEOUT_SECONDS": float(_env("HTTP_TIMEOUT_SECONDS", "10")),
        # Garmin pings (webapp/webhooks): at most one check per connection and kind this often.
        "PING_COALESCE_SECONDS": max(1, _env_int("PING_COALESCE_SECONDS", 300)),
        "TOKEN_REFRESH_MARGIN_SECONDS": _env_int("TOKEN_REFRESH_MARGIN_SECONDS", 120),
        # Retention (jobs/retention.py): finished export jobs and their attempts are deleted
        # after EXPORT_HISTORY_DAYS, FAILED ones after EXPORT_FAILED_HISTORY_DAYS; each
        # session's latest job stays, so its page still shows how it got to the device.
        "EXPORT_HISTORY_DAYS": _env_int("EXPORT_HISTORY_DAYS", 90),
        "EXPORT_FAILED_HISTORY_DAYS": _env_int("EXPORT_FAILED_HISTORY_DAYS", 365),
        "RETENTION_BATCH": _env_int("RETENTION_BATCH", 500),
        "RETENTION_INTERVAL_SECONDS": _env_int("RETENTION_INTERVAL_SECONDS", 3600),
        "EMBEDDED_QUEUE": redis_url is None,
    }
    config.update(_provider_settings(production, sandbox_url))
    config["QUOTA_TIME_SCALE"] = float(_env("QUOTA_TIME_SCALE", "1"))
    config["QUOTA_BULK_SHARE"] = float(_env("QUOTA_BULK_SHARE", "0.8"))
    # Testing only: the pipeline's clock runs ahead, and faster (core/clock.py).
    config["CLOCK_OFFSET_SECONDS"] = float(_env("CLOCK_OFFSET_SECONDS", "0"))
    config["CLOCK_RATE"] = float(_env("CLOCK_RATE", "1"))
    config["CLOCK_ANCHOR"] = float(_env("CLOCK_ANCHOR", "0"))
    if production and sandbox_enabled:
        raise ConfigError("SANDBOX_ENABLED must be off in production")
    if config["EXPORT_LEASE_SECONDS"] <= config["EXPORT_JOB_TIMEOUT"]:
        raise ConfigError("EXPORT_LEASE_SECONDS must be longer than EXPORT_JOB_TIMEOUT")
    config.update(overrides)
    if production:
        _check_production(config)
    if config["LOG_FORMAT"] not in ("json", "text"):
        raise ConfigError(f"LOG_FORMAT must be json or text, not {config['LOG_FORMAT']!r}")
    _check_quotas(config)
    return config


def _provider_settings(production: bool, sandbox_url: str) -> dict:
    """Each provider's settings, named by its registry entry (providers/spec.py): which
    providers are on (PROVIDERS, all by default), their OAuth client and endpoints, delivery
    window, quota tier and windows, and their own extra settings.

    Outside production every endpoint and client defaults to the sandbox; production has no
    such default at all (checked in _check_production, once the overrides are in)."""
    names = registry.names()
    wanted = [n.strip().upper() for n in (_env("PROVIDERS") or ",".join(names)).split(",") if n.strip()]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        raise ConfigError(f"PROVIDERS names no such provider: {', '.join(unknown)} (known: {', '.join(names)})")
    settings: dict = {"PROVIDERS": [n for n in names if n in wanted]}
    for provider in registry.providers():
        base = f"{sandbox_url}/{provider.slug}"
        defaults = {extra.suffix: extra.default for extra in provider.extra_settings if not extra.secret}
        if not production:
            defaults.update({
                "CLIENT_ID": provider.sandbox_client_id, "CLIENT_SECRET": SANDBOX_SECRET,
                "AUTHORIZE_URL": f"{base}/oauth/authorize", "TOKEN_URL": f"{base}/oauth/token", "API_BASE": base,
                **{extra.suffix: f"{base}/{extra.sandbox_path}" if extra.sandbox_path else extra.default
                   for extra in provider.extra_settings}})
        for suffix in (*PROVIDER_SETTINGS, *(extra.suffix for extra in provider.extra_settings)):
            value = _env(provider.setting(suffix), defaults.get(suffix))
            settings[provider.setting(suffix)] = value.rstrip("/") if value and suffix == "API_BASE" else value
        # How far ahead it gets sessions (core/delivery/window.py), its quota tier and any
        # window set on its own (core/quota.py).
        settings[provider.setting("DELIVERY_DAYS")] = _env_int(provider.setting("DELIVERY_DAYS"), provider.delivery_days)
        settings[provider.setting("QUOTA_TIER")] = _env(provider.setting("QUOTA_TIER"), provider.quota_tier)
        for window in provider.quota_windows:
            settings[provider.setting(window.suffix)] = _env_int(provider.setting(window.suffix), 0) or None
    return settings


def _check_production(config: dict) -> None:
    """Production talks to the real providers only: every provider setting is given, none is
    the sandbox's (its mount under PUBLIC_URL, its built-in client), and nothing turns the
    sandbox on, an override included."""
    if config.get("SANDBOX_ENABLED"):
        raise ConfigError("SANDBOX_ENABLED must be off in production: the sandbox never runs there")
    sandbox_mount = f"{config['PUBLIC_URL']}/sandbox"
    missing, sandboxed = [], []
    for provider in registry.providers():
        if provider.name not in config["PROVIDERS"]:
            continue
        for suffix in (*PROVIDER_SETTINGS, *(extra.suffix for extra in provider.extra_settings)):
            key = provider.setting(suffix)
            value = config.get(key)
            if not value:
                missing.append(key)
            elif value in (SANDBOX_SECRET, provider.sandbox_client_id) or str(value).startswith(sandbox_mount) \
                    or any(extra.secret and value == extra.default for extra in provider.extra_settings):
                sandboxed.append(key)
    if missing:
        raise ConfigError("production settings need " + ", ".join(missing) + " (see README, Production" +
                          "".join(_documented(key) for key in missing) + ")")
    if sandboxed:
        raise ConfigError(", ".join(sandboxed) + " still point at the sandbox: set the provider's real values "
                          "(see README, Production)")


def _documented(key: str) -> str:
    """The provider's published value of an endpoint setting, to help whoever reads the error."""
    for provider in registry.providers():
        values = {"AUTHORIZE_URL": provider.oauth.authorize_url, "TOKEN_URL": provider.oauth.token_url,
                  "API_BASE": provider.oauth.api_base}
        for suffix, value in values.items():
            if key == provider.setting(suffix):
                return f"; {key} is {value} for {provider.label}"
    return ""


def _check_quotas(config: dict) -> None:
    for provider in registry.providers():
        tier, allowed = config[provider.setting("QUOTA_TIER")], tuple(provider.quota_tiers)
        if tier not in allowed:
            raise ConfigError(f"{provider.setting('QUOTA_TIER')} must be {' or '.join(allowed)}, not {tier!r}")
    if not 0 < config["QUOTA_BULK_SHARE"] <= 1:
        raise ConfigError("QUOTA_BULK_SHARE must be more than 0 and at most 1")
