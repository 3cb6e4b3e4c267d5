"""``flask connections rotate-keys``: re-encrypt stored provider tokens with the newest key."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from core.db import db
from core.models import DeviceConnection
from core.security import cipher

connections = AppGroup("connections", help="Device connections.")


@connections.command("rotate-keys")
def rotate_keys():
    """Re-encrypt every token with the first key of TOKEN_ENCRYPTION_KEY (run after adding a key)."""
    rows = db.session.scalars(select(DeviceConnection)).all()
    for row in rows:
        row.access_token_enc = cipher().rotate(row.access_token_enc)
        if row.refresh_token_enc:
            row.refresh_token_enc = cipher().rotate(row.refresh_token_enc)
    db.session.commit()
    click.echo(f"Re-encrypted the tokens of {len(rows)} connection(s) with the current key.")
