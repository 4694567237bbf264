"""Every route says who may reach it, and the gate it names holds.

A view's ``access`` (``core.permissions``) is its role gate (roles, or any signed-in user),
the model predicates its handler asks (``guarded_by``), or an explicit ``public`` mark. A
new route with none of them fails here: deciding who reaches it is part of writing it.
"""

from __future__ import annotations

import re

import pytest

from accelerator.core.permissions import PUBLIC

#: served by Flask itself
FRAMEWORK_ENDPOINTS = {"static"}


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint in FRAMEWORK_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, tuple(getattr(view, "access", ()) or ())


def _concrete(rule) -> str:
    """A URL of the rule (path parameters filled in: gates act before any lookup)."""
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", rule.rule)


def test_every_route_names_its_gate(app):
    table = [(method, rule.rule, access) for rule, method, access in _routes(app)]
    unguarded = [f"{method} {path}" for method, path, access in table if not access]
    assert not unguarded, "routes without a gate or a public mark:\n" + "\n".join(unguarded)
    assert len(table) > 100  # the whole URL map was read


def _gated(access: tuple) -> bool:
    return any(mark != PUBLIC and not mark.startswith("predicate:") for mark in access)


def test_role_gates_turn_anonymous_callers_away(app, client):
    """Pages send anonymous visitors to the login page; the API answers 401."""
    checked = 0
    for rule, method, access in _routes(app):
        if not _gated(access):
            continue
        response = client.open(_concrete(rule), method=method)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, (method, rule.rule)
        else:
            assert response.status_code == 302, (method, rule.rule)
            assert "/connexion" in response.headers["Location"], (method, rule.rule)
        checked += 1
    assert checked > 50


@pytest.mark.parametrize("kind", ["page", "api"])
def test_public_routes_never_ask_to_sign_in(app, client, kind):
    for rule, method, access in _routes(app):
        if (
            PUBLIC not in access
            or method != "GET"
            or rule.rule.startswith("/api/") != (kind == "api")
        ):
            continue
        response = client.get(_concrete(rule))
        assert response.status_code != 401, rule.rule
        assert "/connexion" not in response.headers.get("Location", ""), rule.rule
