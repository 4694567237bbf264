"""Adding a colleague is reachable: the company's menu leads to its organization page, where
the owner invites; the refusals that send the reader to a colleague say who and lead there."""

from __future__ import annotations

from accelerator.accounts.models import OrganizationRole, Role
from accelerator.extensions import db
from tests.factories import make_user


def test_the_menu_leads_a_company_member_to_the_organization_page(client, login_as):
    owner = login_as(make_user(Role.company))
    html = client.get("/mes-solutions").get_data(as_text=True)
    assert 'href="/mon-entreprise"' in html  # the main menu's "Mon entreprise"
    response = client.get("/mon-entreprise")
    assert response.headers["Location"] == f"/organisations/{owner.organization_id}"


def test_my_solutions_offers_to_invite_a_colleague(client, login_as):
    owner = login_as(make_user(Role.company))
    html = client.get("/mes-solutions").get_data(as_text=True)
    assert f'href="/organisations/{owner.organization_id}#inviter"' in html
    assert "Inviter un collègue" in html


def test_the_owner_finds_the_invitation_form_there(client, login_as, outbox):
    owner = login_as(make_user(Role.company))
    html = client.get(f"/organisations/{owner.organization_id}").get_data(as_text=True)
    assert 'id="inviter"' in html and 'type="email"' in html
    assert "valable 14 jours" in html
    response = client.post(
        f"/organisations/{owner.organization_id}/invitations",
        data={"email": "collegue@lecture.fr"},
    )
    assert response.status_code == 302
    assert outbox[-1]["To"] == "collegue@lecture.fr"


def test_a_member_is_told_who_invites(client, login_as):
    owner = make_user(Role.company, full_name="Alice Fondatrice")
    member = make_user(
        Role.company, organization=owner.organization, organization_role=OrganizationRole.member
    )
    login_as(member)
    html = client.get(f"/organisations/{owner.organization_id}").get_data(as_text=True)
    assert "Le propriétaire de l'organisation, Alice Fondatrice, invite les collègues" in html
    assert 'name="email"' not in html  # no invitation form for a member
    refused = client.post(
        f"/organisations/{owner.organization_id}/invitations",
        data={"email": "autre@lecture.fr"},
    )
    assert refused.status_code == 409
    assert "Seul le propriétaire de l&#39;organisation, Alice Fondatrice" in refused.get_data(
        as_text=True
    )


def test_an_owner_alone_who_leaves_is_sent_to_the_invitation_form(client, login_as):
    owner = login_as(make_user(Role.company))
    response = client.post(f"/organisations/{owner.organization_id}/quitter")
    assert response.headers["Location"] == f"/organisations/{owner.organization_id}#inviter"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "invitez un collègue sur la page de l&#39;organisation" in html
    db.session.refresh(owner)
    assert owner.organization_id is not None


def test_a_company_account_without_organization_goes_to_its_account(client, login_as):
    lone = make_user(Role.company, organization=None)
    login_as(lone)
    response = client.get("/mon-entreprise")
    assert response.headers["Location"] == "/mon-compte"
