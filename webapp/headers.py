"""The security headers of every response, set by Flask-Talisman.

- A Content-Security-Policy that runs only our own files: the vendored HTMX and app.js, our
  stylesheet, no inline script or style, no eval (HTMX is told so in base.html's htmx-config);
  ``frame-ancestors 'none'`` (with X-Frame-Options for older browsers) so that no other site
  can frame a page and trick a click on Disconnect or "Replace the address".
- ``X-Content-Type-Options: nosniff``, a Referrer-Policy that never sends a path elsewhere
  (a calendar feed's secret is in one), and HSTS in production.

Talisman's HTTPS redirect stays off: TLS ends at the proxy in front of gunicorn, and HSTS is
what keeps browsers on HTTPS.  The mounted sandbox (development and tests) is another app and
keeps its own pages.
"""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def init_headers(app: Flask) -> None:
    # One Talisman per app: it keeps its settings on itself, and the tests build many apps.
    production = app.config["APP_ENV"] == "production"
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,
        strict_transport_security=production,
        strict_transport_security_max_age=365 * 24 * 3600,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        # The cookie settings stay config.py's (Secure in production only).
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
    )
