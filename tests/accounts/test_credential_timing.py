"""An unknown address costs the same work as a known one: one password check, never a hash
computed on the spot (which doubled the time and told which addresses have an account).
The times themselves are measured in ``bench/credential_timing.py``."""

from __future__ import annotations

import pytest
import werkzeug.security

from accelerator.accounts import operations
from accelerator.accounts.models import Role
from tests.factories import make_user


@pytest.fixture
def hashing(monkeypatch):
    """Counts the password hashes computed and checked by the accounts operations."""
    counts = {"computed": 0, "checked": 0}

    def computed(*args, **kwargs):
        counts["computed"] += 1
        return werkzeug.security.generate_password_hash(*args, **kwargs)

    def checked(*args, **kwargs):
        counts["checked"] += 1
        return werkzeug.security.check_password_hash(*args, **kwargs)

    monkeypatch.setattr(operations, "generate_password_hash", computed)
    monkeypatch.setattr(operations, "check_password_hash", checked)
    return counts


@pytest.mark.parametrize(
    "email",
    ["personne@exemple.fr", "inactive@exemple.fr", "known@exemple.fr"],
    ids=["unknown", "inactive", "known, wrong password"],
)
def test_every_failed_sign_in_costs_exactly_one_check(app, client, hashing, email):
    make_user(Role.company, email="known@exemple.fr")
    make_user(Role.company, email="inactive@exemple.fr", active=False)
    client.post("/connexion", data={"email": "warm@exemple.fr", "password": "x" * 12})
    hashing.update(computed=0, checked=0)
    for _ in range(3):
        response = client.post("/connexion", data={"email": email, "password": "y" * 12})
        assert response.status_code == 401
    assert hashing == {"computed": 0, "checked": 3}


def test_the_reset_answer_is_the_same_for_known_and_unknown_addresses(client):
    make_user(Role.company, email="known@exemple.fr")
    answers = []
    for email in ("known@exemple.fr", "unknown@exemple.fr"):
        response = client.post("/mot-de-passe-oublie", data={"email": email})
        page = client.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], page.data))
    assert answers[0] == answers[1]
