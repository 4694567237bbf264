"""Cancelling a session or an enrolment asks for confirmation in a DSFR modal (opened by the
DSFR's JavaScript through aria-controls, no inline script); without JavaScript the same
button sends the form."""

from __future__ import annotations

import re

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.training.models import EnrollmentStatus, SessionStatus
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session


def _modal(html: str, modal_id: str) -> str:
    found = re.search(rf'<dialog id="{modal_id}" class="fr-modal"[^>]*>(.*?)</dialog>', html, re.S)
    assert found is not None, modal_id
    return found.group(1)


def _opener(html: str, modal_id: str) -> str:
    return re.search(
        rf'<button [^>]*aria-controls="{modal_id}"[^>]*data-app-confirm[^>]*>', html
    ).group(0)


def test_a_teacher_confirms_the_cancellation_of_their_enrolment(client, login_as):
    session = make_session()
    teacher = make_user(Role.teacher)
    add_enrollment(session, teacher.teacher)
    login_as(teacher)
    html = client.get(f"/formations/{session.id}").get_data(as_text=True)
    opener = _opener(html, "confirm-cancel-mine")
    assert 'type="submit"' in opener
    modal = _modal(html, "confirm-cancel-mine")
    assert "Annuler votre inscription ?" in modal
    assert (
        '<button type="submit" class="fr-btn" form="cancel-mine">Oui, annuler mon inscription'
        in modal
    )
    assert '<script type="module" src="/static/js/confirm.js"></script>' in html


def test_a_trainer_confirms_cancelling_the_session_and_an_enrolment(client, login_as, outbox):
    session = make_session()
    enrollment = add_enrollment(session)
    login_as(make_user(Role.trainer))
    html = client.get(f"/formations/{session.id}").get_data(as_text=True)
    _opener(html, "confirm-cancel-session")
    assert '<button type="submit" class="fr-btn" form="cancel-session">Oui, annuler la session' in (
        _modal(html, "confirm-cancel-session")
    )
    opener = _opener(html, f"confirm-cancel-{enrollment.id}")
    assert f'form="cancel-{enrollment.id}"' in opener
    modal = _modal(html, f"confirm-cancel-{enrollment.id}")
    assert "Annuler l&#39;inscription de" in modal or "Annuler l'inscription de" in modal
    assert f'form="cancel-{enrollment.id}"' in modal
    assert not re.search(r"\son[a-z]+=", html)
    # Without JavaScript the plain buttons send their forms at once.
    cancelled = client.post(f"/formations/{session.id}/inscriptions/{enrollment.id}/annulation")
    assert cancelled.status_code == 302
    response = client.post(f"/formations/{session.id}/annulation")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(type(enrollment), enrollment.id).status == EnrollmentStatus.cancelled
    assert db.session.get(type(session), session.id).status == SessionStatus.cancelled
