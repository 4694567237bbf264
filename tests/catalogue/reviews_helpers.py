"""A solution of the catalogue with teachers trained on it, for the reviews' tests."""

from __future__ import annotations

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.certification.factories import enroll, make_session, teacher_user
from tests.factories import make_user


def listed(name: str = "Calcul Malin"):
    """A solution with an approval in force, in the catalogue."""
    return approve(name).solution


def trained_teacher(solution, **user_fields):
    """A teacher (verified account) who completed a session on ``solution``."""
    user, profile = teacher_user(**user_fields)
    enroll(profile, make_session([solution]))
    db.session.commit()
    return user


def company_member(solution):
    """Another member of the company owning ``solution``."""
    return make_user(Role.company, organization=solution.organization)
