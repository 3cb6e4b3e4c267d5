"""gunicorn's settings for HybridPeaks, read from the working directory by `gunicorn wsgi:app`.

Its access log lines go through the redaction every other log line does
(providers/redaction.py): an OAuth callback's ``?code=`` and a calendar feed's secret URL
would otherwise be written in clear, once per request.
"""

from gunicorn.glogging import Logger

from providers.redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
