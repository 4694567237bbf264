"""The API against its own OpenAPI document, fuzzed by schemathesis as every role.

For each operation of ``/api/v1/openapi.json`` and for an anonymous caller and a signed-in
user of each role, schemathesis generates requests (valid and invalid) and the answers must
hold to the contract:

- never a 5xx;
- every answer fits the documented response schema and content type (problem+json for
  errors);
- a request answered with an error changes nothing: no write of it is committed (the
  outbox included, so no mail goes out about it either).

``make test`` runs this walk on its own after the suite, timed (``make test-api``; plain
``pytest`` leaves it out). ``API_FUZZ_EXAMPLES`` sets the generated examples per operation
and role, besides schemathesis's boundary cases (default 3; raise it to dig deeper).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)
from sqlalchemy import event

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.audits.factories import make_framework_version
from tests.factories import ApiClient, make_user

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "3"))
pytestmark = pytest.mark.api_walk


def _published_document() -> dict:
    """The OpenAPI document as the service serves it (read once, from an app of its own:
    the suite's app fixture only exists once tests run)."""
    from accelerator import create_app

    return create_app("testing").test_client().get("/api/v1/openapi.json").json


schema = schemathesis.openapi.from_dict(_published_document())


@contextmanager
def committed_writes() -> Iterator[list[str]]:
    """The INSERT, UPDATE and DELETE statements that a commit made durable inside the block
    (those a rollback undid are not counted: a refused request may try, it may not keep)."""
    pending: list[str] = []
    committed: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            pending.append(statement.split("\n")[0][:120])

    def on_commit(conn):
        committed.extend(pending)
        pending.clear()

    def on_rollback(conn):
        pending.clear()

    engine = db.engine
    hooks = [("before_cursor_execute", on_execute), ("commit", on_commit)]
    hooks.append(("rollback", on_rollback))
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield committed
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


@pytest.fixture
def callers(app):
    """A signed-in user of each role (and None: anonymous), with the cadre in force."""
    make_framework_version()
    return {None: None, **{role: make_user(role) for role in Role}}


def _contract_walk(role: Role | None):
    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def test(case, app, callers):
        headers = ApiClient.headers_for(callers[role])
        db.session.commit()
        with committed_writes() as written:
            response = case.call(app=app, headers=headers)
        case.validate_response(
            response,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )
        if response.status_code >= 400:
            assert not written, f"{response.status_code} answered, yet it wrote: {written}"

    test.__doc__ = f"The API's contract holds for {getattr(role, 'value', 'anonymous')} callers."
    return test


test_api_contract_as_anonymous = _contract_walk(None)
test_api_contract_as_company = _contract_walk(Role.company)
test_api_contract_as_expert = _contract_walk(Role.expert)
test_api_contract_as_trainer = _contract_walk(Role.trainer)
test_api_contract_as_manager = _contract_walk(Role.manager)
test_api_contract_as_admin = _contract_walk(Role.admin)
test_api_contract_as_teacher = _contract_walk(Role.teacher)
