"""The sandbox's memory: a small SQLite database of its own (stdlib sqlite3).

Kept on disk so that restarting ``make run`` keeps the athletes' connections working, and
shared safely by the threads of the server that mounts the sandbox.  Nothing here knows
the product's data model.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    provider TEXT, user_id TEXT, login_hint TEXT, permissions TEXT, deregistered INTEGER DEFAULT 0,
    created REAL, PRIMARY KEY (provider, user_id));
CREATE TABLE IF NOT EXISTS codes (
    code TEXT PRIMARY KEY, provider TEXT, client_id TEXT, redirect_uri TEXT, challenge TEXT,
    user_id TEXT, scope TEXT, created REAL, used INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY, provider TEXT, kind TEXT, user_id TEXT, client_id TEXT, scope TEXT,
    issued REAL, expires REAL, revoked INTEGER DEFAULT 0, revoked_reason TEXT, grant_id TEXT,
    first_used REAL, calls INTEGER DEFAULT 0);
CREATE INDEX IF NOT EXISTS tokens_user ON tokens (provider, user_id);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY AUTOINCREMENT, provider TEXT, kind TEXT, user_id TEXT, token TEXT,
    body TEXT, key TEXT, ref INTEGER, created REAL, deleted INTEGER DEFAULT 0, warnings TEXT DEFAULT '[]',
    client_id TEXT, history TEXT DEFAULT '[]');
CREATE INDEX IF NOT EXISTS records_user ON records (provider, kind, user_id);
CREATE TABLE IF NOT EXISTS faults (provider TEXT PRIMARY KEY, body TEXT);
CREATE TABLE IF NOT EXISTS hits (key TEXT, at REAL);
CREATE INDEX IF NOT EXISTS hits_key_at ON hits (key, at);
CREATE TABLE IF NOT EXISTS refreshing (provider TEXT, user_id TEXT, started REAL, PRIMARY KEY (provider, user_id));
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT, provider TEXT, method TEXT, path TEXT, status INTEGER, at REAL);
"""

TABLES = ("users", "codes", "tokens", "records", "faults", "hits", "refreshing", "requests")


class Store:
    def __init__(self, path: str):
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.connection().executescript(SCHEMA)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """A sandbox.db from an older version keeps working (``make run`` keeps its state)."""
        have = {row["name"] for row in self.query("PRAGMA table_info(records)")}
        for column, kind in (("warnings", "TEXT DEFAULT '[]'"), ("client_id", "TEXT"), ("history", "TEXT DEFAULT '[]'")):
            if column not in have:
                self.connection().execute(f"ALTER TABLE records ADD COLUMN {column} {kind}")

    def connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            # A commit lost to a crash of the machine costs a stand-in nothing, and an fsync at
            # each of the four commits of an API call (token, quota, record, request log) did.
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self):
        """One write transaction, taken at once so that check-then-write steps are atomic."""
        db = self.connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")

    def query(self, sql: str, *args) -> list[sqlite3.Row]:
        return self.connection().execute(sql, args).fetchall()

    def one(self, sql: str, *args) -> sqlite3.Row | None:
        return self.connection().execute(sql, args).fetchone()

    def forget_everything(self) -> None:
        with self.transaction() as db:
            for table in TABLES:
                db.execute(f"DELETE FROM {table}")
            db.execute("DELETE FROM sqlite_sequence")

    # -- faults -----------------------------------------------------------------------------

    def faults(self, provider: str) -> dict:
        row = self.one("SELECT body FROM faults WHERE provider = ?", provider)
        return json.loads(row["body"]) if row else {}

    def set_faults(self, provider: str, faults: dict) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO faults VALUES (?, ?)", (provider, json.dumps(faults)))

    # -- rolling windows for rate limits ---------------------------------------------------------

    @staticmethod
    def update_body(db, record_id: int, body: dict, **columns) -> None:
        """Replace a record's body, keeping the one it replaces (what was first sent stays known)."""
        row = db.execute("SELECT body, history FROM records WHERE id = ?", (record_id,)).fetchone()
        history = json.loads(row["history"] or "[]") + [json.loads(row["body"])]
        sets = ", ".join(f"{name} = ?" for name in columns)
        db.execute(f"UPDATE records SET body = ?, history = ?{', ' + sets if sets else ''} WHERE id = ?",
                   (json.dumps(body), json.dumps(history), *columns.values(), record_id))

    @staticmethod
    def window(db, key: str, seconds: float, now: float) -> tuple[int, float | None]:
        """Calls counted under ``key`` in the rolling window ending now, and when the oldest
        of them leaves it (``db``: a connection inside the caller's transaction)."""
        row = db.execute("SELECT COUNT(*), MIN(at) FROM hits WHERE key = ? AND at > ?", (key, now - seconds)).fetchone()
        return row[0], (row[1] + seconds if row[1] is not None else None)

    @staticmethod
    def hit(db, keys: list[str], now: float) -> None:
        db.executemany("INSERT INTO hits VALUES (?, ?)", [(key, now) for key in keys])

    def log_request(self, provider: str, method: str, path: str, status: int) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO requests (provider, method, path, status, at) VALUES (?, ?, ?, ?, ?)",
                       (provider, method, path, status, time.time()))
