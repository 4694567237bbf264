"""Where signing in leads: staff to their workspace, everyone to a safe ``next`` first."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from tests.factories import PASSWORD, make_user

#: the page each role lands on after signing in without a ``next``
LANDINGS = [
    (Role.expert, "/mes-evaluations"),
    (Role.manager, "/pilotage/audits"),
    (Role.admin, "/admin/utilisateurs"),
    (Role.trainer, "/formations"),
    (Role.company, "/"),
    (Role.teacher, "/"),
]


@pytest.mark.parametrize(("role", "landing"), LANDINGS)
def test_staff_land_on_their_workspace(client, role, landing):
    user = make_user(role)
    response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize(
    ("next_target", "landing"),
    [
        ("/mon-compte", "/mon-compte"),  # a page of the site that asked for the sign-in
        ("//evil.example/x", "/pilotage/audits"),  # another site: the workspace instead
        ("https://evil.example/", "/pilotage/audits"),
        ("/\\evil.example", "/pilotage/audits"),
    ],
)
def test_a_safe_next_wins_over_the_workspace(client, next_target, landing):
    user = make_user(Role.manager)
    response = client.post(
        "/connexion",
        query_string={"next": next_target},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == landing
