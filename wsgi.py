"""The WSGI entry point: ``gunicorn wsgi:app`` in production, ``flask --app wsgi ...`` for commands."""

from webapp import create_app

app = create_app()
