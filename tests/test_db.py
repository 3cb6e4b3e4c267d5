"""core.db: the session's transactions on one connection, for a job that commits several times."""

from __future__ import annotations

from sqlalchemy import event, select

from core.db import db, one_connection
from core.models import User


def checkouts(app) -> list:
    seen = []
    with app.app_context():
        event.listen(db.engine, "checkout", lambda *args: seen.append(1))
    return seen


def test_every_transaction_inside_one_connection_goes_on_one_checkout(app):
    seen = checkouts(app)
    with app.app_context():
        with one_connection():
            for _ in range(3):
                db.session.execute(select(User.id)).all()
                db.session.commit()
            assert len(seen) == 1
        assert db.session().bind is None  # and after it, one checkout a transaction as before
        for _ in range(2):
            db.session.execute(select(User.id)).all()
            db.session.commit()
        assert len(seen) == 3


def test_a_transaction_already_begun_is_left_as_it_is(app):
    with app.app_context():
        db.session.execute(select(User.id)).all()
        before = db.session.connection()
        with one_connection():
            assert db.session().bind is None and db.session.connection() is before
        db.session.rollback()


def test_what_the_body_left_uncommitted_is_rolled_back_before_the_connection_goes_back(app):
    with app.app_context():
        with one_connection():
            db.session.add(User(email="left@example.test", name="Left", role="coach", password_hash="x"))
            db.session.flush()
        assert db.session.scalar(select(User.id).where(User.email == "left@example.test")) is None
