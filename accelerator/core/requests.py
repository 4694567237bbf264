"""The application's request: how large a body it reads before refusing it (413).

A page form sent without JavaScript may carry a file over its field's limit. Refusing the
body unread (``MAX_CONTENT_LENGTH``) would lose everything typed on the page, because the
fields travel in the same body. So a multipart body sent to a page (not the API) is read
up to ``FORM_MAX_CONTENT_LENGTH``: the parser spools files to disk (never memory), the
field's own limit (``core.forms.FileWithin``) refuses the file, and the form comes back
filled in. Beyond that ceiling, and on the API, the body is refused before it is read.
"""

from __future__ import annotations

import flask
from flask import current_app


class FormRequest(flask.Request):
    @property
    def max_content_length(self) -> int | None:
        if (
            self._max_content_length is None
            and current_app
            and self.mimetype == "multipart/form-data"
            and not self.path.startswith("/api/")
        ):
            return current_app.config["FORM_MAX_CONTENT_LENGTH"]
        return flask.Request.max_content_length.fget(self)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
