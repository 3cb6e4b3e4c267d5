"""One write per request, all or nothing: what the library's placements and the week copy
commit.  Anything raised inside rolls the whole request back (nothing half-placed, no job
enqueued: the outbox drops what it stashed on a rollback); two requests that create the
same week's plan at once meet the plans' unique key, and the later is told to try again."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from core.db import db

from ..services import library_messages as say
from .errors import conflict


@contextmanager
def all_or_nothing():
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise conflict(say.PLAN_RACE) from None
    except BaseException:
        db.session.rollback()
        raise
