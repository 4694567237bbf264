"""Registration through the API and the pages: good values land, bad ones change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Organization, Role, TeacherProfile, User
from accelerator.accounts.operations import make_verification_token, verify_email
from accelerator.extensions import db
from tests.factories import make_user

COMPANY = {
    "email": "Fondatrice@Exemple.fr",
    "password": "un mot de passe solide",
    "full_name": "Nadia Fondatrice",
    "role": "company",
    "organization": {"name": "Lecture Facile SAS", "siren": "732829320", "country": "FR"},
}
TEACHER = {
    "email": "camille.martin@ac-lyon.fr",
    "password": "un mot de passe solide",
    "full_name": "Camille Martin",
    "role": "teacher",
    "teacher": {
        "academy": "lyon",
        "uai": "0690026D",
        "discipline": "francais",
        "career_stage": "neotitulaire",
    },
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def with_changes(base: dict, **changes) -> dict:
    data = {**base}
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            data[outer] = {**data[outer], inner: value}
        else:
            data[key] = value
    return data


def test_company_registers_through_the_api(api):
    response = api.post("/auth/register", json=COMPANY)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["email"] == "fondatrice@exemple.fr"
    assert body["role"] == "company"
    assert body["organization"]["siren"] == "732829320"
    assert "password" not in body and "password_hash" not in body
    user = db.session.get(User, body["id"])
    assert user.organization.name == "Lecture Facile SAS"


def test_teacher_registers_through_the_api(api):
    response = api.post("/auth/register", json=TEACHER)
    assert response.status_code == 201, response.json
    # The profile waits for the address to be verified (tests/accounts/test_email_verification).
    assert response.json["teacher"] is None and response.json["email_verified"] is False
    user = db.session.get(User, response.json["id"])
    assert user.pending_teacher["academy"] == "lyon" and user.pending_teacher["uai"] == "0690026D"


def test_foreign_company_needs_no_siren(api):
    data = with_changes(COMPANY, **{"organization.siren": None, "organization.country": "DE"})
    assert api.post("/auth/register", json=data).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field_path", "french_message"),
    [
        (
            with_changes(COMPANY, **{"organization.siren": "732829321"}),
            ("organization", "siren"),
            "SIREN invalide",
        ),
        (
            with_changes(COMPANY, **{"organization.siren": "12345"}),
            ("organization", "siren"),
            "SIREN invalide",
        ),
        (
            with_changes(COMPANY, **{"organization.siren": None}),
            ("organization", "siren"),
            "SIREN est obligatoire",
        ),
        (
            with_changes(COMPANY, **{"organization.country": "XX"}),
            ("organization", "country"),
            "Pays inconnu",
        ),
        (with_changes(TEACHER, **{"teacher.uai": "0690026A"}), ("teacher", "uai"), "UAI invalide"),
        (
            with_changes(TEACHER, **{"teacher.academy": "atlantide"}),
            ("teacher", "academy"),
            "Académie inconnue",
        ),
        (
            with_changes(TEACHER, **{"teacher.career_stage": "retraite"}),
            ("teacher", "career_stage"),
            "Situation professionnelle inconnue",
        ),
        (with_changes(TEACHER, password="trop court"), ("password",), "au moins 12 caractères"),
        (with_changes(TEACHER, email="pas-une-adresse"), ("email",), "Adresse électronique"),
        (with_changes(TEACHER, role="admin"), ("role",), "entreprise et enseignant"),
        (with_changes(TEACHER, role="expert"), ("role",), "entreprise et enseignant"),
        ({k: v for k, v in TEACHER.items() if k != "teacher"}, ("teacher",), "obligatoire"),
        (with_changes(TEACHER, full_name="   "), ("full_name",), "ne peut pas être vide"),
        (with_changes(TEACHER, email="a" * 250 + "@b.fr"), ("email",), "254 caractères"),
        (with_changes(TEACHER, **{"teacher.uai": 690026}), ("teacher", "uai"), "non valide"),
    ],
)
def test_bad_registration_is_refused_in_french_and_writes_nothing(
    api, payload, field_path, french_message
):
    response = api.post("/auth/register", json=payload, headers={"Accept-Language": "fr"})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    errors = response.json["errors"]
    for key in field_path:
        errors = errors[key]
    assert any(french_message in message for message in errors), errors
    assert count(User) == 0 and count(Organization) == 0 and count(TeacherProfile) == 0


def test_duplicate_email_in_another_case_is_refused(api):
    make_user(Role.teacher, email="camille.martin@ac-lyon.fr")
    response = api.post(
        "/auth/register", json=with_changes(TEACHER, email="Camille.MARTIN@ac-lyon.fr")
    )
    assert response.status_code == 422
    assert "déjà" in response.json["errors"]["email"][0]
    assert count(User) == 1


def test_a_siren_already_registered_gives_nothing_away(api):
    # The second registrant does not take over the organization: they ask to join it.
    assert api.post("/auth/register", json=COMPANY).status_code == 201
    again = with_changes(COMPANY, email="autre@exemple.fr")
    response = api.post("/auth/register", json=again)
    assert response.status_code == 201
    assert response.json["organization"] is None
    assert count(Organization) == 1


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', ""])
def test_malformed_body_answers_400(api, body):
    response = api.post("/auth/register", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"


def test_unknown_field_is_refused(api):
    response = api.post("/auth/register", json={**TEACHER, "is_admin": True})
    assert response.status_code == 422
    assert "is_admin" in response.json["errors"]


def test_teacher_known_from_an_import_finds_their_history(api):
    profile = TeacherProfile(
        email="camille.martin@ac-lyon.fr", first_name="Camille", last_name="Martin", academy="lyon"
    )
    db.session.add(profile)
    db.session.commit()
    response = api.post("/auth/register", json=TEACHER)
    assert response.status_code == 201
    assert response.json["teacher"] is None  # not before the address is verified
    user = db.session.get(User, response.json["id"])
    verify_email(make_verification_token(user))
    db.session.commit()
    db.session.expire_all()
    assert profile.user_id == user.id
    assert count(TeacherProfile) == 1


class TestRegistrationPages:
    def test_company_page_registers_and_signs_in(self, client):
        response = client.post(
            "/inscription/entreprise",
            data={
                "full_name": "Nadia Fondatrice",
                "email": "nadia@exemple.fr",
                "password": "un mot de passe solide",
                "password_confirm": "un mot de passe solide",
                "organization_name": "Lecture Facile",
                "siren": "732 829 320",
                "country": "FR",
            },
        )
        assert response.status_code == 302
        assert client.get("/mon-compte").status_code == 200
        org = db.session.scalar(select(Organization))
        assert org.siren == "732829320"

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"siren": "732829321"}, "SIREN invalide"),
            ({"siren": ""}, "SIREN est obligatoire"),
            ({"password": "court", "password_confirm": "court"}, "au moins 12 caractères"),
            ({"password_confirm": "autre chose encore"}, "Les deux mots de passe diffèrent"),
            ({"email": "pas-une-adresse"}, "adresse électronique valide"),
        ],
    )
    def test_company_page_shows_french_errors(self, client, changes, message):
        data = {
            "full_name": "Nadia",
            "email": "nadia@exemple.fr",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
            "organization_name": "Lecture Facile",
            "siren": "732829320",
            "country": "FR",
            **changes,
        }
        response = client.post(
            "/inscription/entreprise", data=data, headers={"Accept-Language": "fr"}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert count(User) == 0 and count(Organization) == 0

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"uai": "0690026A"}, "UAI invalide"),
            ({"academy": "atlantide"}, "pas un choix valide"),
            ({"academy": ""}, "Académie inconnue"),
            ({"email": "Camille.Martin@AC-LYON.fr"}, "déjà"),
        ],
    )
    def test_teacher_page_shows_french_errors(self, client, changes, message):
        make_user(Role.teacher, email="camille.martin@ac-lyon.fr")
        data = {
            "full_name": "Camille Martin",
            "email": "nouvelle@ac-lyon.fr",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
            "academy": "lyon",
            "uai": "0690026D",
            "discipline": "francais",
            "career_stage": "titulaire",
            **changes,
        }
        response = client.post(
            "/inscription/enseignant", data=data, headers={"Accept-Language": "fr"}
        )
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
        assert count(User) == 1
