"""Every self-registered account proves its address with a signed, expiring link (built from
PUBLIC_BASE_URL) before it reaches anything that needs it: a teacher's imported record, a
company's audit submission. Unverified accounts are deleted after 7 days."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from accelerator.accounts.models import Organization, Role, TeacherProfile, User
from accelerator.accounts.operations import make_reset_token, purge_unverified_accounts
from accelerator.audits.models import Answer
from accelerator.audits.operations import answer_criterion
from accelerator.audits.results import applicable_codes
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.audits.factories import make_audit, make_solution
from tests.factories import PASSWORD, OrganizationFactory, TeacherProfileFactory, make_user

PUBLIC = "https://accelerateur.example"

COMPANY = {
    "email": "fondatrice@edtech.fr",
    "password": PASSWORD,
    "full_name": "Fanny Fondatrice",
    "role": "company",
    "organization": {"name": "Classe Agile", "siren": "732829320", "country": "FR"},
}
TEACHER = {
    "email": "helene.dupre@ac-creteil.fr",
    "password": PASSWORD,
    "full_name": "Hélène Dupré",
    "role": "teacher",
    "teacher": {
        "academy": "lyon",
        "uai": "0690026D",
        "discipline": "francais",
        "career_stage": "titulaire",
    },
}


@pytest.fixture(autouse=True)
def public_base(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC)


def _link(mail) -> str:
    [link] = re.findall(r"https?://\S+/verification/\S+", mail.get_content())
    return link


def _path(link: str) -> str:
    return link.removeprefix(PUBLIC)


def _register(api, body):
    response = api.post("/auth/register", json=body, headers={"Host": "evil.example"})
    assert response.status_code == 201, response.json
    return response


def _token_headers(api, email):
    token = api.post("/auth/token", json={"email": email, "password": PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("body", [COMPANY, TEACHER], ids=["company", "teacher"])
def test_registration_sends_a_link_to_the_public_address(api, outbox, body):
    response = _register(api, body)
    assert response.json["email_verified"] is False
    [mail] = outbox
    assert mail["To"] == body["email"]
    assert _link(mail).startswith(f"{PUBLIC}/verification/")


@pytest.mark.parametrize("body", [COMPANY, TEACHER], ids=["company", "teacher"])
def test_the_link_opens_a_page_whose_button_verifies(api, client, outbox, body):
    _register(api, body)
    path = _path(_link(outbox[0]))
    page = client.get(path)
    assert page.status_code == 200 and "Confirmer mon adresse" in page.get_data(as_text=True)
    assert page.cache_control.no_store
    user = db.session.scalar(select(User).where(User.email == body["email"]))
    assert user.email_verified_at is None  # opening the page changes nothing
    assert client.post(path).status_code == 302
    db.session.expire_all()
    assert user.email_verified_at is not None
    me = api.get("/me", headers=_token_headers(api, body["email"]))
    assert me.json["email_verified"] is True


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
        lambda token: URLSafeTimedSerializer("another key", salt="email-verification").dumps(
            {"id": 1, "e": COMPANY["email"]}
        ),
    ],
    ids=["altered", "garbage", "other key"],
)
def test_a_forged_link_verifies_nothing(api, client, outbox, tamper):
    _register(api, COMPANY)
    token = _link(outbox[0]).rsplit("/", 1)[1]
    assert client.get(f"/verification/{tamper(token)}").status_code == 404
    assert client.post(f"/verification/{tamper(token)}").status_code == 404
    assert db.session.scalar(select(User.email_verified_at)) is None


def test_an_expired_link_verifies_nothing(app, api, client, outbox, monkeypatch):
    _register(api, COMPANY)
    monkeypatch.setitem(app.config, "EMAIL_VERIFICATION_MAX_AGE", -1)
    assert client.post(_path(_link(outbox[0]))).status_code == 404
    assert db.session.scalar(select(User.email_verified_at)) is None


def test_the_link_is_resent_from_the_account_page_and_the_api(api, client, outbox):
    _register(api, COMPANY)
    client.post("/connexion", data={"email": COMPANY["email"], "password": PASSWORD})
    assert "Renvoyer le lien" in client.get("/mon-compte").get_data(as_text=True)
    assert client.post("/mon-compte/verification").status_code == 302
    headers = _token_headers(api, COMPANY["email"])
    resent = api.post("/auth/verification", headers=headers)
    assert resent.status_code == 202
    assert len(outbox) == 3 and all(_link(mail) for mail in outbox)
    client.post(_path(_link(outbox[-1])))
    again = api.post("/auth/verification", headers=headers)
    assert again.status_code == 409 and again.content_type == "application/problem+json"
    assert "Renvoyer le lien" not in client.get("/mon-compte").get_data(as_text=True)


def test_resending_needs_a_signed_in_caller(api):
    assert api.post("/auth/verification").status_code == 401


class TestImportedTeacher:
    """Registering with the academic email of a teacher known from an import attaches
    nothing until the address is verified, and never overwrites what the import holds."""

    @pytest.fixture
    def imported(self):
        from accelerator.certification import operations as certification
        from tests.certification.factories import approved_solution, enroll, make_session

        profile = TeacherProfileFactory(
            email=TEACHER["email"],
            first_name="Hélène",
            last_name="Dupré",
            academy="creteil",
            uai="0930001W",
            discipline=None,
            career_stage="neotitulaire",
        )
        certification.issue_certificate(
            enroll(profile, make_session([approved_solution(name="Lalilo")]))
        )
        db.session.commit()
        return profile

    def test_an_unverified_registration_sees_nothing_and_changes_nothing(self, api, imported):
        response = _register(api, TEACHER)
        assert response.json["teacher"] is None
        headers = _token_headers(api, TEACHER["email"])
        assert api.get("/me/certificates", headers=headers).json["total"] == 0
        assert api.get("/me", headers=headers).json["teacher"] is None
        db.session.expire_all()
        assert imported.user_id is None
        assert (imported.academy, imported.uai) == ("creteil", "0930001W")

    def test_verifying_attaches_the_record_and_keeps_the_imported_values(
        self, api, client, outbox, imported
    ):
        _register(api, TEACHER)
        client.post(_path(_link(outbox[0])))
        db.session.expire_all()
        assert imported.user.email == TEACHER["email"]
        # Imported values stay; only what the import left empty takes the registration's.
        assert (imported.academy, imported.uai, imported.career_stage) == (
            "creteil",
            "0930001W",
            "neotitulaire",
        )
        assert imported.discipline == "francais"
        me = api.get("/me", headers=_token_headers(api, TEACHER["email"])).json
        assert me["teacher"]["id"] == imported.id

    def test_a_new_teacher_gets_a_profile_from_the_registration_once_verified(
        self, api, client, outbox
    ):
        _register(api, TEACHER)
        assert db.session.scalar(select(func.count(TeacherProfile.id))) == 0
        client.post(_path(_link(outbox[0])))
        profile = db.session.scalar(select(TeacherProfile))
        assert (profile.academy, profile.uai, profile.first_name) == ("lyon", "0690026D", "Hélène")

    def test_a_password_reset_proves_the_address_too(self, api, client, imported):
        _register(api, TEACHER)
        user = db.session.scalar(select(User).where(User.email == TEACHER["email"]))
        client.post(
            f"/mot-de-passe/{make_reset_token(user)}",
            data={
                "password": "une toute nouvelle phrase",
                "password_confirm": "une toute nouvelle phrase",
            },
        )
        db.session.expire_all()
        assert user.email_verified_at is not None and imported.user_id == user.id


def test_an_unverified_company_cannot_submit_an_audit(api, client, outbox):
    _register(api, COMPANY)
    user = db.session.scalar(select(User).where(User.email == COMPANY["email"]))
    audit = make_audit(make_solution(user.organization))
    for code in applicable_codes(audit):
        answer_criterion(user, audit, code, Answer.yes)
    db.session.commit()
    headers = _token_headers(api, COMPANY["email"])
    refused = api.post(
        f"/audits/{audit.id}/transitions", json={"action": "submit"}, headers=headers
    )
    assert refused.status_code == 409
    assert "Confirmez votre adresse" in refused.json["detail"]
    assert api.get(f"/audits/{audit.id}", headers=headers).json["status"] == "draft"
    client.post(_path(_link(outbox[0])))
    done = api.post(f"/audits/{audit.id}/transitions", json={"action": "submit"}, headers=headers)
    assert done.status_code == 200 and done.json["status"] == "submitted"


class TestPurge:
    @staticmethod
    def _aged(user: User, days: int) -> User:
        user.created_at = utcnow() - timedelta(days=days)
        db.session.commit()
        return user

    @pytest.mark.parametrize(
        ("role", "verified", "age_days", "deleted"),
        [
            (Role.teacher, False, 8, True),
            (Role.company, False, 8, True),
            (Role.teacher, False, 6, False),  # still within its 7 days
            (Role.company, True, 30, False),
            (Role.teacher, True, 30, False),
            (Role.expert, False, 30, False),  # staff accounts are not self-registered
        ],
    )
    def test_which_accounts_expire(self, role, verified, age_days, deleted):
        user = make_user(role, email_verified_at=utcnow() if verified else None)
        user_id = self._aged(user, age_days).id
        assert purge_unverified_accounts() == int(deleted)
        db.session.commit()
        assert (db.session.get(User, user_id) is None) is deleted

    def test_the_address_is_free_again_and_the_lone_organization_goes(self, api):
        _register(api, COMPANY)
        user = db.session.scalar(select(User).where(User.email == COMPANY["email"]))
        self._aged(user, 8)
        assert purge_unverified_accounts() == 1
        db.session.commit()
        assert db.session.scalar(select(func.count(Organization.id))) == 0
        assert api.post("/auth/register", json=COMPANY).status_code == 201

    def test_an_organization_with_other_members_or_solutions_stays(self):
        shared, with_solution = OrganizationFactory(), OrganizationFactory()
        make_user(Role.company, organization=shared)
        make_solution(with_solution)
        for organization in (shared, with_solution):
            user = make_user(Role.company, organization=organization, email_verified_at=None)
            self._aged(user, 8)
        assert purge_unverified_accounts() == 2
        db.session.commit()
        assert db.session.scalar(select(func.count(Organization.id))) == 2

    def test_the_cli_command_purges(self, app):
        self._aged(make_user(Role.teacher, email_verified_at=None), 8)
        result = app.test_cli_runner().invoke(args=["users", "purge-unverified"])
        assert result.exit_code == 0 and "Deleted 1 unverified account" in result.output
