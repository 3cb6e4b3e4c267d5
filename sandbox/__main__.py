"""Run the provider sandbox on its own: ``python -m sandbox --port 5001``.

Point the app at it with SANDBOX_URL=http://127.0.0.1:5001 (and make it send Garmin's
pings to the app with --webhook-url http://127.0.0.1:5000/webhooks/garmin).
"""

import argparse

from werkzeug.serving import run_simple

from . import DEFAULT_CLIENTS, create_sandbox_app


def client(text: str) -> tuple[str, tuple[str, str]]:
    """``garmin=ID:SECRET``: the app client a provider accepts."""
    provider, _, pair = text.partition("=")
    client_id, _, secret = pair.partition(":")
    if provider not in DEFAULT_CLIENTS or not client_id or not secret:
        raise argparse.ArgumentTypeError(f"expected PROVIDER=ID:SECRET with PROVIDER one of {sorted(DEFAULT_CLIENTS)}")
    return provider, (client_id, secret)


def setting(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if not name or not value:
        raise argparse.ArgumentTypeError("expected NAME=VALUE")
    return name, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--db", default="instance/sandbox.db", help="where the sandbox keeps its state")
    parser.add_argument("--webhook-url", help="the app's Garmin webhook base URL, for pings")
    parser.add_argument("--client", type=client, action="append", default=[],
                        help="PROVIDER=ID:SECRET, the app's client at a provider (default: the built-in one)")
    parser.add_argument("--setting", type=setting, action="append", default=[],
                        help="NAME=VALUE, an app setting the sandbox checks (e.g. SUUNTO_SUBSCRIPTION_KEY=...)")
    args = parser.parse_args()
    app = create_sandbox_app({"SANDBOX_DATABASE": args.db, "SANDBOX_GARMIN_WEBHOOK_URL": args.webhook_url,
                              "SANDBOX_CLIENTS": {**DEFAULT_CLIENTS, **dict(args.client)},
                              **{f"SANDBOX_{name}": value for name, value in args.setting}})
    print(f"Provider sandbox at http://{args.host}:{args.port}")
    run_simple(args.host, args.port, app, threaded=True)


if __name__ == "__main__":
    main()
