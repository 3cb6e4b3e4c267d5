"""Run the provider sandbox on its own: ``python -m providers.sandbox --port 5001``.

Point the app at it with SANDBOX_URL=http://127.0.0.1:5001 (and make it send Garmin's
pings to the app with --webhook-url http://127.0.0.1:5000/webhooks/garmin).
"""

import argparse

from werkzeug.serving import run_simple

from . import create_sandbox_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--db", default="instance/sandbox.db", help="where the sandbox keeps its state")
    parser.add_argument("--webhook-url", help="the app's Garmin webhook base URL, for pings")
    args = parser.parse_args()
    app = create_sandbox_app({"SANDBOX_DATABASE": args.db, "SANDBOX_GARMIN_WEBHOOK_URL": args.webhook_url})
    print(f"Provider sandbox at http://{args.host}:{args.port}")
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
