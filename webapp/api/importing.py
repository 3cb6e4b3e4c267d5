"""``POST /api/v1/workouts/import``: a workout written elsewhere, read into our format and
handed back with the reader's notes; nothing is saved (api.md, "Workouts in and out").

A multipart upload sends the file in ``file`` (its format from its extension, or a
``format`` field; ``sport`` where the file does not say).  A JSON body sends text:
``{"format": "text", "text": "...", "sport"?: "RUN"}`` (.zwo, .erg and .mrc are text too; a
FIT file is binary, so it comes as an upload).  What cannot be read is a 422 naming each
line or element; a body that is neither is a 400.  The app's 1 MB request cap holds (413),
and the readers' own cap inside it.
"""

from __future__ import annotations

from flask import jsonify, request
from marshmallow import ValidationError, fields, validate, validates_schema

from core.models import Role
from workouts.constants import SPORTS
from workouts.formats import MAX_BYTES, READERS

from ..services import importing
from ..services import library_messages as say
from . import bp
from .access import json_body, require_role
from .errors import bad_request, invalid
from .schemas import ApiSchema
from .validation import load


class TextImportSchema(ApiSchema):
    format = fields.String(required=True, validate=validate.OneOf(READERS))
    text = fields.String(required=True, validate=validate.Length(max=MAX_BYTES))
    sport = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SPORTS))

    @validates_schema(skip_on_field_errors=True)
    def text_formats_only(self, data, **kwargs):
        if data["format"] in importing.BINARY_FORMATS:
            raise ValidationError(say.BINARY_FORMAT, "format")


def _upload():
    upload = request.files.get("file")
    if upload is None:
        raise bad_request(say.IMPORT_NO_FILE)
    sport = request.form.get("sport") or None
    if sport is not None and sport not in SPORTS:
        raise invalid({"sport": [say.sport_rule(SPORTS)]})
    return importing.read_upload(upload.stream, upload.filename, request.form.get("format"), sport)


@bp.post("/workouts/import")
@require_role(Role.COACH)
def import_workout():
    try:
        if request.mimetype == "multipart/form-data":
            imported = _upload()
        elif request.is_json:
            data = load(TextImportSchema(), json_body())
            imported = importing.import_workout(data["text"], data["format"], data["sport"])
        else:
            raise bad_request(say.IMPORT_BODY)
    except importing.ImportRefused as error:
        raise invalid(error.fields) from None
    return jsonify({"workout": imported.workout, "notes": list(imported.notes)})
