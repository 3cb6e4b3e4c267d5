"""Rotating TOKEN_ENCRYPTION_KEY: a new key first, the old one after, then rotate-keys."""

from __future__ import annotations

from cryptography.fernet import Fernet

from core.db import db
from core.models import DeviceConnection
from tests.conftest import TOKEN_KEY, base_config
from webapp import create_app


def test_rotate_keys_re_encrypts_so_the_old_key_can_go(app, people, database_url):
    coach = people.coach()
    athlete = people.athlete(coach)
    with app.app_context():
        row = DeviceConnection(athlete_id=athlete, provider="GARMIN", provider_user_id="u1")
        row.set_tokens("access-secret-value", "refresh-secret-value", None)
        db.session.add(row)
        db.session.commit()
    new_key = Fernet.generate_key().decode()
    both = create_app(base_config(database_url, TOKEN_ENCRYPTION_KEY=f"{new_key},{TOKEN_KEY}"), env="testing")
    result = both.test_cli_runner().invoke(args=["connections", "rotate-keys"])
    assert result.exit_code == 0 and "1 connection" in result.output
    only_new = create_app(base_config(database_url, TOKEN_ENCRYPTION_KEY=new_key), env="testing")
    with only_new.app_context():
        row = db.session.query(DeviceConnection).one()
        assert (row.access_token, row.refresh_token) == ("access-secret-value", "refresh-secret-value")
        db.session.remove()
    for other in (both, only_new):
        with other.app_context():
            db.engine.dispose()
