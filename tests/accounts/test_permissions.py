"""Role gates on every protected page and endpoint, and what each role may see."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from tests.factories import make_user

ALL_ROLES = list(Role)

# (path, roles allowed); everyone else signed in gets 403, anonymous gets the login page.
PAGES = [
    ("/mon-compte", ALL_ROLES),
    ("/admin/utilisateurs", [Role.admin]),
    ("/admin/utilisateurs/nouveau", [Role.admin]),
]

API_READS = [
    ("/me", ALL_ROLES),
    ("/users", [Role.admin, Role.manager]),
]


@pytest.mark.parametrize(("path", "allowed"), PAGES)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_page_role_gates(client, login_as, path, allowed, role):
    assert client.get(path).status_code == 302  # anonymous: to the login page
    login_as(make_user(role))
    assert client.get(path).status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize(("path", "allowed"), API_READS)
@pytest.mark.parametrize("role", ALL_ROLES)
def test_api_role_gates(api, path, allowed, role):
    assert api.get(path).status_code == 401
    response = api.get(path, user=make_user(role))
    assert response.status_code == (200 if role in allowed else 403)
    if response.status_code == 403:
        assert response.content_type == "application/problem+json"


STAFF_USER = {
    "email": "expert@canope.fr",
    "full_name": "Émilie Experte",
    "role": "expert",
    "password": "un mot de passe solide",
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_only_admins_create_staff_accounts_through_the_api(api, role):
    response = api.post("/users", user=make_user(role), json=STAFF_USER)
    assert response.status_code == (201 if role == Role.admin else 403)


@pytest.mark.parametrize("staff_role", ["expert", "trainer", "manager", "admin"])
def test_admin_creates_each_staff_role(api, staff_role):
    admin = make_user(Role.admin)
    response = api.post("/users", user=admin, json={**STAFF_USER, "role": staff_role})
    assert response.status_code == 201
    assert response.json["role"] == staff_role


@pytest.mark.parametrize("role", ["company", "teacher", "boss"])
def test_users_endpoint_refuses_non_staff_roles(api, role):
    admin = make_user(Role.admin)
    response = api.post("/users", user=admin, json={**STAFF_USER, "role": role})
    assert response.status_code == 422
    assert "role" in response.json["errors"]


def test_admin_creates_a_staff_account_in_the_page(client, login_as):
    login_as(make_user(Role.admin))
    response = client.post(
        "/admin/utilisateurs/nouveau",
        data={
            "full_name": "Marc Pilote",
            "email": "marc@canope.fr",
            "role": "manager",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
        },
    )
    assert response.status_code == 302
    listing = client.get("/admin/utilisateurs").get_data(as_text=True)
    assert "marc@canope.fr" in listing


class TestOtherOrganizationsAreInvisible:
    def test_company_reads_its_own_organization_only(self, api):
        mine = make_user(Role.company)
        theirs = make_user(Role.company)
        own = api.get(f"/organizations/{mine.organization_id}", user=mine)
        assert own.status_code == 200 and own.json["name"] == mine.organization.name
        other = api.get(f"/organizations/{theirs.organization_id}", user=mine)
        missing = api.get("/organizations/999999", user=mine)
        assert other.status_code == missing.status_code == 404
        assert other.json == missing.json  # nothing tells that it exists

    def test_company_page_of_another_organization_is_404(self, client, login_as):
        mine = make_user(Role.company)
        theirs = make_user(Role.company)
        login_as(mine)
        assert client.get(f"/organisations/{mine.organization_id}").status_code == 200
        assert client.get(f"/organisations/{theirs.organization_id}").status_code == 404

    def test_users_see_only_themselves_unless_staff(self, api):
        mine = make_user(Role.company)
        theirs = make_user(Role.company)
        assert api.get(f"/users/{mine.id}", user=mine).status_code == 200
        assert api.get(f"/users/{theirs.id}", user=mine).status_code == 404
        assert api.get(f"/users/{theirs.id}", user=make_user(Role.manager)).status_code == 200

    def test_managers_read_every_organization(self, api):
        company = make_user(Role.company)
        response = api.get(
            f"/organizations/{company.organization_id}", user=make_user(Role.manager)
        )
        assert response.status_code == 200
