"""factory_boy factories and a small API client for the tests."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from accelerator.accounts.models import Organization, OrganizationRole, Role, TeacherProfile, User
from accelerator.accounts.operations import hash_password, issue_token
from accelerator.core.db import utcnow
from accelerator.core.validators import is_valid_siren
from accelerator.extensions import db

PASSWORD = "correct horse battery staple"


def siren_for(n: int) -> str:
    """A distinct valid SIREN for each ``n``: eight digits, then the Luhn check digit."""
    base = f"{n:08d}"
    for check in "0123456789":
        if is_valid_siren(base + check):
            return base + check
    raise AssertionError("unreachable: one check digit always fits")


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class OrganizationFactory(BaseFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"EdTech {n} SAS")
    siren = factory.Sequence(lambda n: siren_for(n + 1))
    country = "FR"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.fr")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    role = Role.company
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))
    #: verified, as every account was before this was required (tests of unverified accounts
    #: pass email_verified_at=None)
    email_verified_at = factory.LazyFunction(utcnow)
    organization = factory.Maybe(
        factory.LazyAttribute(lambda o: o.role == Role.company),
        yes_declaration=factory.SubFactory(OrganizationFactory),
        no_declaration=None,
    )

    @factory.post_generation
    def organization_role(self, create, extracted, **kwargs):
        # The first member of an organization owns it; the next ones are members.
        if self.organization is None:
            return
        if extracted is not None:
            self.organization_role = extracted
        elif self.organization_role is None:
            taken = db.session.scalar(
                db.select(User.id).where(
                    User.organization_id == self.organization.id,
                    User.organization_role == OrganizationRole.owner,
                    User.id != self.id,
                )
            )
            self.organization_role = OrganizationRole.member if taken else OrganizationRole.owner
        db.session.flush()


class TeacherProfileFactory(BaseFactory):
    class Meta:
        model = TeacherProfile

    email = factory.Sequence(lambda n: f"prof{n}@ac-paris.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    academy = "paris"
    uai = "0750655E"
    discipline = "mathematiques"
    career_stage = "titulaire"


def make_user(role: Role = Role.company, **kwargs) -> User:
    user = UserFactory(role=role, **kwargs)
    if role == Role.teacher and "teacher" not in kwargs:
        TeacherProfileFactory(email=user.email, user=user)
    db.session.commit()
    return user


class ApiClient:
    """JSON requests against /api/v1 with a bearer token."""

    def __init__(self, client):
        self.client = client

    @staticmethod
    def headers_for(user: User | None) -> dict:
        if user is None:
            return {}
        token, _ = issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    def request(self, method: str, path: str, user: User | None = None, **kwargs):
        headers = {**self.headers_for(user), **kwargs.pop("headers", {})}
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path, user=None, **kwargs):
        return self.request("GET", path, user, **kwargs)

    def post(self, path, user=None, **kwargs):
        return self.request("POST", path, user, **kwargs)

    def put(self, path, user=None, **kwargs):
        return self.request("PUT", path, user, **kwargs)

    def patch(self, path, user=None, **kwargs):
        return self.request("PATCH", path, user, **kwargs)

    def delete(self, path, user=None, **kwargs):
        return self.request("DELETE", path, user, **kwargs)
