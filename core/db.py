"""The database handle (Flask-SQLAlchemy), created once and bound to an app by its factory.

Named constraints, so that Alembic can alter them on SQLite and PostgreSQL alike.
"""

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))


def execute(statement, parameters=None):
    """A Core statement on the session's connection, in the session's transaction, with none
    of the ORM's work around it (no autoflush, no ORM compile state): for the few statements
    of the export job's path, where that work cost more than the round trip."""
    return db.session.connection().execute(statement, parameters)
