"""The API's error shape (api.md): {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    """Raised anywhere under /api/v1; rendered as the spec's JSON error."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None, extra: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}
        self.extra = extra or {}  # more than the shape's three keys, where a client needs it (a copy's clashes)

    def response(self):
        body = {"error": {"code": self.code, "message": self.message, "fields": self.fields, **self.extra}}
        return jsonify(body), self.status


def bad_request(message: str, fields: dict | None = None) -> ApiError:
    return ApiError(400, "malformed_request", message, fields)


def unauthorized(message: str = "Send 'Authorization: Bearer <token>' with a valid API token.") -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(message: str, fields: dict | None = None) -> ApiError:
    return ApiError(403, "forbidden", message, fields)


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


def conflict(message: str, fields: dict | None = None, extra: dict | None = None) -> ApiError:
    return ApiError(409, "conflict", message, fields, extra)


def invalid(fields: dict[str, list[str]], message: str | None = None) -> ApiError:
    if message is None:
        first = next(iter(fields.items()), None)
        message = f"{first[0]}: {first[1][0]}" if first else "The request is invalid."
    return ApiError(422, "validation_error", message, fields)


def flatten_messages(messages: object, prefix: str = "") -> dict[str, list[str]]:
    """Marshmallow's nested error dict as the spec's flat paths.

    ``{"sessions": {0: {"workout": {"steps[2]": ["..."]}}}}`` becomes
    ``{"sessions[0].workout.steps[2]": ["..."]}``.
    """
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key in ("", "_schema"):
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for sub, texts in flatten_messages(value, path).items():
                out.setdefault(sub, []).extend(texts)
    elif isinstance(messages, (list, tuple)):
        texts = [str(m) for m in messages if not isinstance(m, (dict, list))]
        if texts:
            out[prefix or "_request"] = texts
        for item in messages:
            if isinstance(item, (dict, list)):
                for sub, more in flatten_messages(item, prefix).items():
                    out.setdefault(sub, []).extend(more)
    else:
        out[prefix or "_request"] = [str(messages)]
    return out
