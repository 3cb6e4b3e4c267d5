"""``flask users create`` and ``flask users token``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, Role, User
from ..models.user import normalize_email

users = AppGroup("users", help="Create accounts and API tokens.")


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, password: str, role: str, name: str | None = None, coach: User | None = None) -> User:
    """A new account; raises ValueError with the reason when it cannot be created."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254:
        raise ValueError(f"{email!r} is not an email address")
    if len(password) < 8:
        raise ValueError("the password must be at least 8 characters")
    if role not in Role.ALL:
        raise ValueError("the role must be coach, athlete or operator")
    if role == Role.ATHLETE and coach is None:
        raise ValueError("an athlete needs --coach (the email of an existing coach)")
    if role != Role.ATHLETE and coach is not None:
        raise ValueError("only athletes have a coach")
    if find_user(email) is not None:
        raise ValueError(f"there is already an account for {email}")
    user = User(email=email, name=name or email.split("@")[0].replace(".", " ").title(), role=role, coach=coach)
    user.set_password(password)
    db.session.add(user)
    return user


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
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"no account for {normalize_email(email)}")
    row, clear = ApiToken.issue(user)
    db.session.add(row)
    db.session.commit()
    click.echo(clear)
