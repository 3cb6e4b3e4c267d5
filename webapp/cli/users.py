"""``flask users create`` and ``flask users token``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from core.db import db
from core.models import ApiToken, Role, User
from core.models.user import normalize_email

from ..services.accounts import create_user, end_sessions, find_user

users = AppGroup("users", help="Create accounts and API tokens.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 8 characters.")
@click.option("--role", required=True, type=click.Choice(Role.ALL))
@click.option("--coach", "coach_email", help="For an athlete: their coach's email.")
@click.option("--name", help="Display name (defaults to the part of the email before @).")
def create_command(email, password, role, coach_email, name):
    """Create a coach, an athlete linked to their coach, or an operator (the operator's page)."""
    coach = None
    if coach_email:
        coach = find_user(coach_email)
        if coach is None or not coach.is_coach:
            raise click.ClickException(f"no coach with the email {normalize_email(coach_email)}")
    try:
        user = create_user(email, password, role, name=name, coach=coach)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} (id {user.id})" + (f", coached by {coach.email}" if coach else ""))


@users.command("token")
@click.argument("email")
def token_command(email):
    """Print a new API token for EMAIL (only its hash is stored)."""
    user = _user_or_fail(email)
    row, clear = ApiToken.issue(user)
    db.session.add(row)
    db.session.commit()
    click.echo(clear)


def _user_or_fail(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {normalize_email(email)}")
    return user


@users.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters.")
def set_password_command(email, password):
    """Give EMAIL a new password; every session the old one opened ends."""
    if len(password) < 8:
        raise click.ClickException("the password must be at least 8 characters")
    user = _user_or_fail(email)
    user.set_password(password)
    db.session.commit()
    click.echo(f"New password set for {user.email}; their sessions have ended.")


@users.command("end-sessions")
@click.argument("email")
@click.option("--tokens", is_flag=True, help="Delete their API tokens too.")
def end_sessions_command(email, tokens):
    """End every session and remember cookie of EMAIL (a lost phone, a shared computer)."""
    user = _user_or_fail(email)
    deleted = end_sessions(user, tokens=tokens)
    db.session.commit()
    click.echo(f"Every session of {user.email} has ended" + (f"; {deleted} API token(s) deleted." if tokens else "."))
