"""The database handle (Flask-SQLAlchemy), created once and bound to an app by its factory.

Named constraints, so that Alembic can alter them on SQLite and PostgreSQL alike.
"""

from contextlib import contextmanager

from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import Connection, MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Session(FlaskSession):
    """Flask-SQLAlchemy's session, which chooses its engine by the tables' bind keys, but keeps
    to a connection it was given (:func:`one_connection`)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and isinstance(self.bind, Connection):
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING), session_options={"class_": Session})


@contextmanager
def one_connection():
    """Every transaction of the session inside on one pooled connection: one checkout (and
    its pre-ping) instead of one per transaction, for a job that commits several times.
    Inside a transaction already begun, nothing changes."""
    session = db.session()
    if session.in_transaction() or session.bind is not None:
        yield
        return
    with db.engine.connect() as connection:
        session.bind = connection
        try:
            yield
        finally:
            session.rollback()  # whatever the body left uncommitted, before the connection goes back
            session.bind = None


def execute(statement, parameters=None):
    """A Core statement on the session's connection, in the session's transaction, with none
    of the ORM's work around it (no autoflush, no ORM compile state): for the few statements
    of the export job's path, where that work cost more than the round trip."""
    return db.session.connection().execute(statement, parameters)
