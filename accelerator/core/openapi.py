"""The OpenAPI document, generated from the marshmallow schemas the API routes declare.

How a route is described: ``@documented`` under the route decorator names its request and
response schemas (the same classes the handler loads and dumps with), and the document is
built from them with apispec's MarshmallowPlugin::

    @api.post("/training/sessions")
    @roles_required(Role.trainer, Role.manager)
    @documented(body=SessionIn, response=SessionOut, status=201, errors=(409,))
    def create_session():
        \"\"\"Create a training session.

        The rest of the docstring becomes the operation's description.
        \"\"\"

- ``body``: the request's JSON schema (``many=True`` for an array), or a dict of content
  types for other bodies (``{"multipart/form-data": {...}}``);
- ``response``: the answer's schema; ``paginated=True`` wraps it in the list envelope
  ``{items, page, per_page, total}`` and adds ``page``/``per_page``; a content type string
  (``"application/pdf"``) describes a file; ``status=204`` an empty answer;
- ``query``: a schema whose fields are query parameters; ``parameters``: extra ones (dicts);
- ``errors``: statuses besides those deduced (400/422 with a body, 401/403 behind a role
  gate, 404 with a path parameter), each answered as problem+json;
- a route marked ``@public`` (``core.permissions``) needs no token; ``summary`` and
  ``tags`` default to the docstring's first line and the domain of the module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields

from accelerator.core.problems import PROBLEM_MIMETYPE

_PATH_PARAM = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    #: field → messages (nested for nested fields)
    errors = fields.Dict()


@dataclass
class Doc:
    body: Any = None
    response: Any = None
    status: int = 200
    query: Any = None
    parameters: list = field(default_factory=list)
    paginated: bool = False
    errors: tuple = ()
    public: bool = False
    summary: str | None = None
    tags: list | None = None
    #: other answers, e.g. {304: "Not modified"}
    responses: dict = field(default_factory=dict)


def documented(**options) -> Callable:
    """Describe an API route for the OpenAPI document (see the module's docstring)."""
    doc = Doc(**options)

    def mark(view: Callable) -> Callable:
        view.openapi = doc  # type: ignore[attr-defined]
        return view

    return mark


def _openapi_path(rule: str) -> str:
    return _PATH_PARAM.sub(lambda m: "{" + m.group("name") + "}", rule)


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for match in _PATH_PARAM.finditer(rule):
        kind = "integer" if match.group("converter") == "int" else "string"
        parameters.append(
            {"name": match.group("name"), "in": "path", "required": True, "schema": {"type": kind}}
        )
    return parameters


_PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {
        "name": "per_page",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
    },
]


def _problem(status: int) -> dict:
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_MIMETYPE: {"schema": "Problem"}},
    }


def _content(schema: Any) -> dict:
    if isinstance(schema, str):  # a content type: a file
        return {schema: {"schema": {"type": "string", "format": "binary"}}}
    if isinstance(schema, dict) and all("/" in key for key in schema):
        return schema
    return {"application/json": {"schema": schema}}


def _is_public(view: Callable) -> bool:
    from accelerator.core.permissions import PUBLIC

    return PUBLIC in getattr(view, "access", ())


def _gated(view: Callable) -> bool:
    from accelerator.core.permissions import PUBLIC

    access = getattr(view, "access", ())
    return any(mark != PUBLIC and not mark.startswith("predicate:") for mark in access)


def _operation(doc: Doc, view: Callable, endpoint: str, method: str, rule: str) -> dict:
    lines = (view.__doc__ or endpoint).strip().splitlines()
    operation: dict[str, Any] = {
        "summary": doc.summary or lines[0].strip(),
        "operationId": f"{endpoint.removeprefix('api.')}_{method}",
        "tags": doc.tags or [view.__module__.split(".")[1]],
    }
    description = "\n".join(line.strip() for line in lines[1:]).strip()
    if description:
        operation["description"] = description
    if doc.public or _is_public(view):
        operation["security"] = []
    parameters = _path_parameters(rule) + list(doc.parameters)
    if doc.query is not None:
        parameters.append({"in": "query", "schema": doc.query})
    if doc.paginated:
        parameters += _PAGE_PARAMETERS
    if parameters:
        operation["parameters"] = parameters
    if doc.body is not None:
        operation["requestBody"] = {"required": True, "content": _content(doc.body)}

    responses: dict[str, dict] = {}
    if doc.status == 204 or doc.response is None:
        responses[str(doc.status)] = {"description": HTTPStatus(doc.status).phrase}
    else:
        schema = doc.response
        if doc.paginated:
            schema = {
                "type": "object",
                "properties": {
                    "items": {"type": "array", "items": doc.response},
                    "page": {"type": "integer"},
                    "per_page": {"type": "integer"},
                    "total": {"type": "integer"},
                },
            }
        responses[str(doc.status)] = {
            "description": HTTPStatus(doc.status).phrase,
            "content": _content(schema),
        }
    for status, description in doc.responses.items():
        responses[str(status)] = {"description": description}
    errors: set[int] = set(doc.errors)
    if doc.body is not None or doc.query is not None or doc.paginated:
        errors |= {422} | ({400} if doc.body is not None else set())
    if _gated(view):
        errors |= {401, 403}
    if _PATH_PARAM.search(rule):
        errors.add(404)
    for status in sorted(errors):
        responses.setdefault(str(status), _problem(status))
    operation["responses"] = responses
    return operation


def _schema_namer() -> Callable[[Any], str]:
    """Components are named after their class; a name two domains use (``VerificationOut``
    of the catalogue and of certification) is prefixed with the domain of the second."""
    names: dict[type, str] = {}

    def name_of(schema: Any) -> str:
        cls = schema if isinstance(schema, type) else type(schema)
        if cls not in names:
            name = cls.__name__.removesuffix("Schema") or cls.__name__
            if name in names.values():
                name = cls.__module__.split(".")[1].capitalize() + name
            names[cls] = name
        return names[cls]

    return name_of


def build_spec(app: Flask, rules: Iterable | None = None) -> dict:
    spec = APISpec(
        title="Accélérateur pédagogique API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={
            "description": "Audits of EdTech solutions against the cadre de confiance, "
            "public catalogue and teacher training (Réseau Canopé)."
        },
        servers=[{"url": "/api/v1"}],
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_namer())],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemOut)
    paths: dict[str, dict] = {}
    for rule in rules if rules is not None else app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        entry = paths.setdefault(_openapi_path(rule.rule.removeprefix("/api/v1")), {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            method = method.lower()
            # An undeclared route still appears (its summary only); a test requires ``Doc``.
            entry[method] = _operation(
                doc if isinstance(doc, Doc) else Doc(), view, rule.endpoint, method, rule.rule
            )
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
