"""The base of every page form: read from the submitted form fields only.

Flask-WTF also reads a JSON body into a form, and fails on one that is not an object (a
500 for ``false``); a page is posted by a browser's form, so a JSON body is simply no data,
and the form says which fields are missing.
"""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import CombinedMultiDict


class PageForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto:
                return formdata
            if not _is_submitted():
                return None
            return CombinedMultiDict((request.files, request.form)) if request.files else request.form
