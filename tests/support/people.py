"""Coaches, athletes and API tokens, created through the same code as the CLI."""

from __future__ import annotations


class People:
    """Creates coaches, athletes and API tokens through the same code as the CLI."""

    def __init__(self, app):
        self.app = app

    def coach(self, email="coach@example.test", password="coach-password", name=None):
        return self._create(email, password, "coach", name, None)

    def athlete(self, coach, email="athlete@example.test", password="athlete-password", name=None, **profile):
        user_id = self._create(email, password, "athlete", name, coach)
        if profile:
            from core.db import db
            from core.models import AthleteProfile

            with self.app.app_context():
                db.session.add(AthleteProfile(athlete_id=user_id, **profile))
                db.session.commit()
        return user_id

    def operator(self, email="operator@example.test", password="operator-password", name="Olga Ops"):
        return self._create(email, password, "operator", name, None)

    def _create(self, email, password, role, name, coach_id):
        from core.db import db
        from core.models import User
        from webapp.services.accounts import create_user

        with self.app.app_context():
            coach = db.session.get(User, coach_id) if coach_id else None
            user = create_user(email, password, role, name=name, coach=coach)
            db.session.commit()
            return user.id

    def token(self, user_id) -> str:
        from core.db import db
        from core.models import ApiToken, User

        with self.app.app_context():
            row, clear = ApiToken.issue(db.session.get(User, user_id))
            db.session.add(row)
            db.session.commit()
            return clear
