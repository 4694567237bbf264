"""Every route, fed hostile values, answers below 500.

The rules of the application's URL map are swept: each path parameter gets values no row can
have (ids past the 32-bit id columns, NUL bytes), each query gets a page past any end and a
NUL byte, each API write gets JSON nested too deep and strings no database text can store.
Anonymous, then signed in as staff (pages through the session, the API through a token).
"""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from accelerator.accounts.models import Role
from tests.factories import ApiClient, make_user

HOSTILE_INTS = ("2147483648", "9223372036854775807")
HOSTILE_STRINGS = ("%00", "a%00b")
HOSTILE_QUERY = "?page=99999999999999999999&q=%00&next=/%0d%0aSet-Cookie:x"
DEEP = "[" * 50_000 + "]" * 50_000


def _paths(app) -> list[tuple[str, str, set[str]]]:
    """(rule, path with hostile values, methods) for every rule with parameters."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        for variant in range(2):
            path = rule.rule
            for name, converter in rule._converters.items():
                pool = HOSTILE_INTS if isinstance(converter, IntegerConverter) else HOSTILE_STRINGS
                path = path.replace(f"<{_spec(rule, name)}>", pool[variant])
            found.append((rule.rule, path, set(rule.methods or ()) - {"HEAD", "OPTIONS"}))
    return found


def _spec(rule, name: str) -> str:
    """The ``converter:name`` (or ``name``) text of a parameter in the rule."""
    for part in rule.rule.split("<")[1:]:
        inner = part.split(">")[0]
        if inner.split(":")[-1] == name:
            return inner
    raise AssertionError(name)


def _no_5xx(responses: list[tuple[str, int]]) -> None:
    failures = [(what, status) for what, status in responses if status >= 500]
    assert failures == []


@pytest.mark.parametrize("role", [None, Role.admin, Role.manager, Role.trainer, Role.company])
def test_every_route_with_hostile_path_values_answers_below_500(app, client, login_as, role):
    user = make_user(role) if role else None
    headers = ApiClient.headers_for(user) if user else {}
    if user:
        login_as(user)
    responses = []
    for _rule, path, methods in _paths(app):
        api = path.startswith("/api/")
        for method in sorted(methods):
            kwargs = {"headers": headers} if api else {}
            if method != "GET":
                kwargs["json"] = {"name": "x"}
            response = client.open(path, method=method, **kwargs)
            responses.append((f"{method} {path}", response.status_code))
    _no_5xx(responses)


@pytest.mark.parametrize("role", [None, Role.admin, Role.manager])
def test_every_page_and_list_with_a_hostile_query_answers_below_500(app, client, login_as, role):
    user = make_user(role) if role else None
    headers = ApiClient.headers_for(user) if user else {}
    if user:
        login_as(user)
    responses = []
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        if rule.rule in ("/deconnexion",):
            continue
        api = rule.rule.startswith("/api/")
        response = client.get(rule.rule + HOSTILE_QUERY, headers=headers if api else {})
        responses.append((rule.rule, response.status_code))
    _no_5xx(responses)


@pytest.mark.parametrize(
    "body",
    [DEEP, '{"name": "a\\u0000b", "email": "x\\ud800@y.fr"}', '{"\\udfff": 1}'],
    ids=["deep", "nul-and-surrogate", "surrogate-key"],
)
def test_every_api_write_with_a_hostile_body_answers_below_500(app, client, body):
    headers = ApiClient.headers_for(make_user(Role.admin))
    responses = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{_spec(rule, name)}>", "1")
        for method in sorted(set(rule.methods or ()) & {"POST", "PUT", "PATCH", "DELETE"}):
            response = client.open(
                path, method=method, data=body, content_type="application/json", headers=headers
            )
            responses.append((f"{method} {path}", response.status_code))
            if body != DEEP and response.status_code not in (401, 403, 404, 405):
                assert response.status_code in (400, 422), (method, path, response.json)
    _no_5xx(responses)
