"""One unit of work per request: one commit at the end, refusals and conflicts translated the
same way for pages (a French message, never the error page) and the API (problem+json).

Conflicts at commit are made real: a hook runs just before the request's commit and writes
what a concurrent worker would have written meanwhile (through its own connection), or adds
a row breaking a unique constraint to the request's transaction.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from accelerator.accounts.models import ApiToken, Role, User
from accelerator.core.mail import OutgoingMail
from accelerator.extensions import db
from tests.factories import make_user

CONFLICT_FR = "a modifié ces informations entre-temps"


@contextmanager
def before_request_commit(write):
    """Run ``write(session)`` just before the next commit of another session (the request's)."""
    test_session = db.session()

    def hook(session):
        if session is not test_session:
            write(session)

    event.listen(Session, "before_commit", hook)
    try:
        yield
    finally:
        event.remove(Session, "before_commit", hook)


def _duplicate_of(email: str):
    def write(session):
        session.add(User(email=email, full_name="Doublon", role=Role.company, password_hash="x"))

    return write


def _mail_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingMail))


def test_api_unique_constraint_at_commit_answers_409_and_keeps_nothing(api, outbox):
    user = make_user(Role.admin)
    taken = make_user(Role.company)
    headers = api.headers_for(user)
    tokens_before = db.session.scalar(select(func.count()).select_from(ApiToken))
    with before_request_commit(_duplicate_of(taken.email)):
        response = api.post(
            "/auth/token",
            json={"email": user.email, "password": "correct horse battery staple"},
            headers=headers,
        )
    assert response.status_code == 409, response.data
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 409
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == tokens_before


def test_api_stale_row_at_commit_answers_409(api):
    user = make_user(Role.teacher)
    headers = api.headers_for(user)
    token_hash = ApiToken.hash(headers["Authorization"].split()[1])

    def concurrent_delete(session):
        # Another worker removed the token the request is revoking.
        with db.engine.begin() as connection:
            connection.execute(delete(ApiToken).where(ApiToken.token_hash == token_hash))

    with before_request_commit(concurrent_delete):
        response = api.delete("/auth/token", headers=headers)
    assert response.status_code == 409, response.data
    assert response.mimetype == "application/problem+json"


def test_page_conflict_at_commit_flashes_in_french_and_sends_no_mail(client, outbox):
    """The reset link was queued, then the commit failed: nobody gets the email."""
    user = make_user(Role.company)
    other = make_user(Role.teacher)
    with before_request_commit(_duplicate_of(other.email)):
        response = client.post(
            "/mot-de-passe-oublie",
            data={"email": user.email},
            headers={"Referer": "http://localhost/mot-de-passe-oublie"},
        )
    assert response.status_code == 302
    assert response.headers["Location"] == "/mot-de-passe-oublie"
    page = client.get("/mot-de-passe-oublie").get_data(as_text=True)
    assert CONFLICT_FR in page
    # what the view had flashed for the success that did not happen is gone
    assert "est en route" not in page
    assert outbox == [] and _mail_rows() == 0


def test_the_same_request_without_conflict_sends_the_mail(client, outbox):
    user = make_user(Role.company)
    response = client.post("/mot-de-passe-oublie", data={"email": user.email})
    assert response.status_code == 302
    assert [m["To"] for m in outbox] == [user.email]


def test_a_refused_page_action_goes_back_with_its_reason(client, login_as):
    """A domain refusal outside a form is flashed on the page the reader came from."""
    login_as(make_user(Role.admin))
    response = client.post(
        "/admin/cadre/brouillon", headers={"Referer": "http://localhost/admin/cadre"}
    )  # no version in force to copy
    assert response.status_code == 302 and response.headers["Location"] == "/admin/cadre"
    assert "Aucune version n’est en vigueur" in client.get("/admin/cadre").get_data(as_text=True)


class TestLanguage:
    def test_the_header_switch_writes_nothing(self, client, login_as):
        user = login_as(make_user(Role.teacher))
        response = client.get("/langue/en?next=/mon-compte")
        assert response.status_code == 302 and response.headers["Location"] == "/mon-compte"
        assert 'lang="en"' in client.get("/mon-compte").get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(User, user.id).locale is None

    def test_the_account_page_stores_the_language(self, client, login_as):
        user = login_as(make_user(Role.teacher))
        response = client.post("/mon-compte/langue", data={"language": "en"})
        assert response.status_code == 302
        db.session.expire_all()
        assert db.session.get(User, user.id).locale == "en"

    def test_an_unknown_language_is_refused_on_the_form(self, client, login_as):
        user = login_as(make_user(Role.teacher))
        response = client.post("/mon-compte/langue", data={"language": "xx"})
        assert response.status_code == 422
        db.session.expire_all()
        assert db.session.get(User, user.id).locale is None
