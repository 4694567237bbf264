"""Hostile input refused at the door, before any view, limiter or database sees it.

What no field of ours can hold is refused for every route at once, with a clear 4xx that
changes nothing, instead of a 500 deep in a driver:

- a NUL byte in the path (no object is named so: 404), in the query string or a form field
  (400): PostgreSQL text cannot hold NUL;
- JSON nested deeper than Python's parser recurses (400), and JSON strings holding a NUL or a
  lone surrogate (``\\ud800``, which no UTF-8 text can encode): 422 naming the field.

Query strings and forms are decoded by Werkzeug with replacement characters, so they never
hold lone surrogates; JSON escapes can.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, abort, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from accelerator.core.problems import is_api_request, problem

#: characters no stored text may hold: NUL, and the UTF-16 surrogates that UTF-8 cannot encode
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

UNSTORABLE_CHARACTER = _l(
    "Contains a character that is not allowed (a NUL byte or an invalid Unicode character)."
)
#: methods whose JSON body is read by the API
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where a document nested too deeply is invalid JSON (a ValueError, so
    ``get_json`` answers 400 or, with ``silent``, None) instead of a RecursionError."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def unstorable(value: str) -> bool:
    """Whether ``value`` holds a character that no database text column can store."""
    return _UNSTORABLE.search(value) is not None


def unstorable_fields(data: Any) -> dict[str, list[str]]:
    """The fields (dotted paths, list items by index) of a JSON document whose key or value
    holds an unstorable character. Iterative: the document may be deep."""
    found: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if unstorable(value):
                found[path or "_body"] = [str(UNSTORABLE_CHARACTER)]
        elif isinstance(value, dict):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if unstorable(str(key)):
                    found[_printable(child)] = [str(UNSTORABLE_CHARACTER)]
                    continue
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}.{index}" if path else str(index), item)
                for index, item in enumerate(value)
            )
    return found


def _printable(path: str) -> str:
    return _UNSTORABLE.sub("\ufffd", path)


def _refuse(status: int, detail: str, errors: dict | None = None):
    if is_api_request():
        return problem(status, detail=detail, errors=errors)
    return render_template("errors/generic.html", error=_Message(detail), status=status), status


class _Message:
    """What the generic error page shows (it reads ``message``)."""

    def __init__(self, message: str):
        self.message = message


def _reads_json_body() -> bool:
    if request.is_json:
        return True
    # The API reads bodies whatever their declared type (get_json(force=True)); files are not JSON.
    mimetype = request.mimetype or ""
    return (
        is_api_request()
        and request.method in _BODY_METHODS
        and not mimetype.startswith(("multipart/", "image/"))
        and mimetype != "application/x-www-form-urlencoded"
    )


def refuse_hostile_input():
    """``before_request``: answer 4xx for input no view can store; None lets the request on."""
    if "\x00" in request.path:
        abort(404)
    if any(unstorable(key) or unstorable(value) for key, value in request.args.items(multi=True)):
        return _refuse(
            400,
            gettext("The address contains a character that is not allowed (a NUL byte)."),
        )
    if request.method in _BODY_METHODS and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        bad = sorted(
            _printable(key)
            for key, value in request.form.items(multi=True)
            if unstorable(key) or unstorable(value)
        )
        if bad:
            return _refuse(
                422,
                gettext("Some fields are invalid."),
                {name: [str(UNSTORABLE_CHARACTER)] for name in bad},
            )
    if _reads_json_body() and request.content_length != 0:
        # Malformed or too deeply nested JSON is None here: the endpoints answer 400.
        errors = unstorable_fields(request.get_json(force=True, silent=True))
        if errors:
            return _refuse(422, gettext("Some fields are invalid."), errors)
    return None


def init_inputs(app: Flask) -> None:
    app.json = SafeJSONProvider(app)
    app.before_request(refuse_hostile_input)
