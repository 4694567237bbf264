"""The OpenAPI document, built from the API routes' docstrings (YAML after ``---``)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from flask import Flask

_PATH_PARAM = re.compile(r"<(?:(?P<converter>[a-z]+):)?(?P<name>\w+)>")


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


def build_spec(app: Flask) -> dict:
    spec = APISpec(
        title="Accélérateur pédagogique API",
        version="1.0.0",
        openapi_version="3.0.3",
        info={
            "description": "Audits of EdTech solutions against the cadre de confiance, "
            "public catalogue and teacher training (Réseau Canopé)."
        },
        servers=[{"url": "/api/v1"}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        view = app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        path = _openapi_path(rule.rule.removeprefix("/api/v1"))
        entry = paths.setdefault(path, {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = dict(operations.get(method.lower(), {}))
            operation.setdefault("summary", (view.__doc__ or rule.endpoint).strip().splitlines()[0])
            operation.setdefault("responses", {"200": {"description": "OK"}})
            operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
            operation.setdefault("operationId", f"{rule.endpoint.removeprefix('api.')}_{method}")
            parameters = _path_parameters(rule.rule)
            if parameters:
                operation["parameters"] = parameters + operation.get("parameters", [])
            entry[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
