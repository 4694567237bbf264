"""Organizations: several members, invitations by signed link, requests to join a SIREN
already registered (never a silent ownership), disputes settled by a manager, and the
manager's verification, each step a history row."""

from __future__ import annotations

import re

import pytest

from accelerator.accounts.models import (
    JoinRequest,
    JoinStatus,
    Organization,
    OrganizationAction,
    OrganizationEvent,
    OrganizationRole,
    Role,
    User,
)
from accelerator.extensions import db
from tests.factories import make_user

OWNER_SIREN = "732829320"


def _register(api, email: str, siren: str = OWNER_SIREN, name: str = "Lecture Facile SAS"):
    return api.post(
        "/auth/register",
        json={
            "email": email,
            "password": "une phrase de passe longue",
            "full_name": email.split("@")[0].title(),
            "role": "company",
            "organization": {"name": name, "siren": siren, "country": "FR"},
        },
    )


def _user(email: str) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def _actions(org: Organization) -> list[str]:
    rows = db.session.scalars(
        db.select(OrganizationEvent.action)
        .where(OrganizationEvent.organization_id == org.id)
        .order_by(OrganizationEvent.id)
    )
    return [action.value for action in rows]


@pytest.fixture
def owner(api):
    assert _register(api, "fondatrice@lecture.fr").status_code == 201
    return _user("fondatrice@lecture.fr")


def test_registering_first_makes_the_owner(owner):
    assert owner.organization.siren == OWNER_SIREN
    assert owner.organization_role == OrganizationRole.owner
    assert _actions(owner.organization) == ["created"]


def test_registering_an_existing_siren_asks_to_join_and_owns_nothing(api, owner, outbox):
    response = _register(api, "intrus@ailleurs.fr", name="Autre nom")
    assert response.status_code == 201
    assert response.json["organization"] is None
    newcomer = _user("intrus@ailleurs.fr")
    assert newcomer.organization_id is None and newcomer.organization_role is None
    assert db.session.query(Organization).count() == 1
    request = db.session.scalar(db.select(JoinRequest).where(JoinRequest.user_id == newcomer.id))
    assert request.status == JoinStatus.pending
    assert outbox[-1]["To"] == owner.email
    # Nothing of the organization is the newcomer's until the owner accepts.
    assert api.get(f"/organizations/{owner.organization_id}", user=newcomer).status_code == 404
    assert api.post(f"/join-requests/{request.id}/accept", user=newcomer).status_code == 404
    accepted = api.post(f"/join-requests/{request.id}/accept", user=owner, json={})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    db.session.expire_all()
    assert newcomer.organization_id == owner.organization_id
    assert newcomer.organization_role == OrganizationRole.member
    assert _actions(owner.organization) == ["created", "join_requested", "join_accepted"]
    again = api.post(f"/join-requests/{request.id}/accept", user=owner, json={})
    assert again.status_code == 409 and again.json["detail"]


@pytest.mark.parametrize(
    ("outcome", "status", "newcomer_role", "founder_role"),
    [
        ("grant", "granted", OrganizationRole.member, OrganizationRole.owner),
        ("transfer", "transferred", OrganizationRole.owner, OrganizationRole.member),
        ("dismiss", "dismissed", None, OrganizationRole.owner),
    ],
)
def test_a_refusal_taken_to_a_manager(api, owner, outcome, status, newcomer_role, founder_role):
    _register(api, "vraie@lecture.fr")
    newcomer = _user("vraie@lecture.fr")
    manager = make_user(Role.manager)
    request = db.session.scalar(db.select(JoinRequest).where(JoinRequest.user_id == newcomer.id))
    assert api.post(f"/join-requests/{request.id}/refuse", user=owner, json={}).status_code == 200
    # The manager settles only a disputed request.
    settle = {"outcome": outcome, "comment": "Kbis vérifié : le SIREN est à la requérante."}
    early = api.post(f"/join-requests/{request.id}/settle", user=manager, json=settle)
    assert early.status_code == 409
    disputed = api.post(
        f"/join-requests/{request.id}/dispute",
        user=newcomer,
        json={"message": "Je suis la présidente, voici notre Kbis."},
    )
    assert disputed.status_code == 200 and disputed.json["status"] == "disputed"
    assert api.post(f"/join-requests/{request.id}/settle", user=owner, json=settle).status_code in (
        403,
        404,
    )
    settled = api.post(f"/join-requests/{request.id}/settle", user=manager, json=settle)
    assert settled.status_code == 200 and settled.json["status"] == status
    db.session.expire_all()
    assert newcomer.organization_role == newcomer_role
    assert owner.organization_role == founder_role
    owners = [
        m for m in owner.organization.members if m.organization_role == OrganizationRole.owner
    ]
    assert len(owners) == 1


def _invitation_link(outbox) -> str:
    return re.search(r"/invitation/(\S+)", outbox[-1].get_content()).group(1)


def test_an_owner_invites_a_colleague_who_creates_an_account(api, owner, outbox):
    response = api.post(
        f"/organizations/{owner.organization_id}/invitations",
        user=owner,
        json={"email": "Collegue@Lecture.fr"},
    )
    assert response.status_code == 201
    token = _invitation_link(outbox)
    twice = api.post(
        f"/organizations/{owner.organization_id}/invitations",
        user=owner,
        json={"email": "collegue@lecture.fr"},
    )
    assert twice.status_code == 409
    joined = api.post(
        "/invitations/accept",
        json={
            "token": token,
            "full_name": "Claire Collègue",
            "password": "une autre phrase longue",
        },
    )
    assert joined.status_code == 201, joined.json
    assert joined.json["organization"]["id"] == owner.organization_id
    reused = api.post(
        "/invitations/accept",
        json={"token": token, "full_name": "Claire", "password": "une autre phrase longue"},
    )
    assert reused.status_code == 409
    assert _actions(owner.organization) == ["created", "invited", "joined"]


@pytest.mark.parametrize(
    ("token", "reason"),
    [("pas-un-jeton", "forged"), ("", "empty")],
)
def test_a_bad_invitation_link_is_refused(api, token, reason):
    body = {"token": token, "full_name": "X", "password": "une phrase de passe longue"}
    assert api.post("/invitations/accept", json=body).status_code == 409, reason


def test_only_the_owner_invites(api, owner):
    member = make_user(Role.company, organization=owner.organization)
    db.session.commit()
    assert member.organization_role == OrganizationRole.member
    response = api.post(
        f"/organizations/{owner.organization_id}/invitations",
        user=member,
        json={"email": "x@lecture.fr"},
    )
    assert response.status_code == 403
    stranger = make_user(Role.company)
    response = api.post(
        f"/organizations/{owner.organization_id}/invitations",
        user=stranger,
        json={"email": "x@lecture.fr"},
    )
    assert response.status_code == 404


def test_members_leave_and_the_owner_hands_over_first(api, owner):
    member = make_user(Role.company, organization=owner.organization)
    org_id = owner.organization_id
    refused = api.post(f"/organizations/{org_id}/leave", user=owner, json={})
    assert refused.status_code == 409 and "propriété" in refused.json["detail"]
    stranger = make_user(Role.company)
    assert (
        api.post(f"/organizations/{org_id}/owner", user=owner, json={"user_id": stranger.id})
    ).status_code == 409
    handed = api.post(f"/organizations/{org_id}/owner", user=owner, json={"user_id": member.id})
    assert handed.status_code == 200
    roles = {m["email"]: m["organization_role"] for m in handed.json["members"]}
    assert roles == {owner.email: "member", member.email: "owner"}
    left = api.post(f"/organizations/{org_id}/leave", user=owner, json={})
    assert left.status_code == 200 and left.json["organization"] is None
    org = db.session.get(Organization, org_id)
    assert _actions(org)[-2:] == ["ownership_transferred", "left"]


def test_a_manager_verifies_an_organization_once(api, owner):
    manager = make_user(Role.manager)
    org_id = owner.organization_id
    body = {"method": "sirene", "comment": "Extrait SIRENE du 1er décembre 2026."}
    assert (
        api.post(f"/organizations/{org_id}/verification", user=owner, json=body).status_code == 403
    )
    response = api.post(f"/organizations/{org_id}/verification", user=manager, json=body)
    assert response.status_code == 200
    assert response.json["verified_at"] and response.json["verified_by"] == manager.full_name
    assert response.json["verification_method"] == "sirene"
    twice = api.post(f"/organizations/{org_id}/verification", user=manager, json=body)
    assert twice.status_code == 409
    invalid = api.post(f"/organizations/{org_id}/verification", user=manager, json={"method": "x"})
    assert invalid.status_code == 422
    assert OrganizationAction.verified.value in _actions(db.session.get(Organization, org_id))


# --- Pages -----------------------------------------------------------------------------------


def test_the_invitation_page_creates_the_account_and_signs_in(client, api, owner, outbox):
    api.post(
        f"/organizations/{owner.organization_id}/invitations",
        user=owner,
        json={"email": "nouvelle@lecture.fr"},
    )
    token = _invitation_link(outbox)
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200 and "Rejoindre" in page.get_data(as_text=True)
    weak = client.post(
        f"/invitation/{token}",
        data={"full_name": "Nina", "password": "court", "password_confirm": "court"},
    )
    assert weak.status_code == 422
    assert _user("nouvelle@lecture.fr") is None
    done = client.post(
        f"/invitation/{token}",
        data={
            "full_name": "Nina Nouvelle",
            "password": "une phrase de passe longue",
            "password_confirm": "une phrase de passe longue",
        },
    )
    assert done.status_code == 302
    assert _user("nouvelle@lecture.fr").organization_id == owner.organization_id
    assert client.get(f"/invitation/{token}").status_code == 404


def test_the_manager_verifies_on_the_organization_page(client, login_as, owner):
    manager = make_user(Role.manager)
    login_as(manager)
    page = client.get(f"/organisations/{owner.organization_id}")
    assert page.status_code == 200 and "Vérifier l" in page.get_data(as_text=True)
    assert client.get("/pilotage/organisations").status_code == 200
    response = client.post(
        f"/organisations/{owner.organization_id}/verification",
        data={"method": "sirene", "comment": "Extrait consulté."},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert owner.organization.is_verified
    again = client.post(
        f"/organisations/{owner.organization_id}/verification",
        data={"method": "sirene", "comment": "Encore."},
    )
    assert again.status_code == 409


def test_the_owner_sees_requests_and_accepts_on_the_page(client, api, login_as, owner):
    _register(api, "candidate@lecture.fr")
    newcomer = _user("candidate@lecture.fr")
    request = db.session.scalar(db.select(JoinRequest).where(JoinRequest.user_id == newcomer.id))
    login_as(owner, "une phrase de passe longue")
    page = client.get(f"/organisations/{owner.organization_id}").get_data(as_text=True)
    assert "candidate@lecture.fr" in page
    response = client.post(f"/demandes-de-rattachement/{request.id}/accepter")
    assert response.status_code == 302
    db.session.expire_all()
    assert newcomer.organization_id == owner.organization_id
