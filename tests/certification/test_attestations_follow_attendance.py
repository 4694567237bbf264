"""Attestations follow completion, whichever way attendance is recorded: the session's page,
the API (PUT .../attendance) or an imported file. Completion issues one, withdrawal revokes it,
completion again reinstates the same one; there is never a second one."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from accelerator.accounts.models import Role
from accelerator.certification.models import Certificate
from accelerator.extensions import db
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session


def _by_page(client, login_as, api, session, enrollment, completed: bool) -> None:
    login_as(make_user(Role.trainer))
    boxes = {"completed": [str(enrollment.id)]} if completed else {"present": [str(enrollment.id)]}
    response = client.post(f"/formations/{session.id}/presences", data=boxes)
    assert response.status_code == 302
    client.post("/deconnexion")


def _by_api(client, login_as, api, session, enrollment, completed: bool) -> None:
    item = {"teacher_email": enrollment.teacher.email, "attended": True, "completed": completed}
    response = api.put(
        f"/training/sessions/{session.id}/attendance", user=make_user(Role.trainer), json=[item]
    )
    assert response.status_code == 200, response.json


def _by_import(client, login_as, api, session, enrollment, completed: bool) -> None:
    done = "oui" if completed else "non"
    line = f"{enrollment.teacher.email};;;;;;{session.reference};oui;{done}"
    content = f"email;nom;prenom;academie;uai;situation;session;present;termine\r\n{line}\r\n"
    trainer = make_user(Role.trainer)
    response = api.post(
        "/training/imports",
        user=trainer,
        data={"file": (io.BytesIO(content.encode()), "presences.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.json
    job = api.get(f"/jobs/{response.json['job']['id']}", user=trainer).json
    assert job["state"] == "done" and job["result"]["errors"] == [], job


PATHS = {"page": _by_page, "api": _by_api, "import": _by_import}


def _attestation(enrollment) -> Certificate | None:
    db.session.expire_all()
    return db.session.scalar(
        db.select(Certificate).where(Certificate.enrollment_id == enrollment.id)
    )


@pytest.mark.parametrize("path", PATHS)
def test_completion_recorded_by_any_path_issues_then_revokes_the_attestation(
    client, login_as, api, path
):
    record = PATHS[path]
    session = make_session(starts_in=timedelta(days=-2))
    enrollment = add_enrollment(session)
    record(client, login_as, api, session, enrollment, completed=True)
    issued = _attestation(enrollment)
    assert issued is not None and issued.revoked_at is None
    public = api.get(f"/training/certificates/{issued.code}")
    assert public.status_code == 200 and public.json["revoked"] is False

    record(client, login_as, api, session, enrollment, completed=False)
    assert _attestation(enrollment).revoked_at is not None
    assert api.get(f"/training/certificates/{issued.code}").json["revoked"] is True

    record(client, login_as, api, session, enrollment, completed=True)
    again = _attestation(enrollment)
    assert (again.id, again.code, again.revoked_at) == (issued.id, issued.code, None)
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 1


@pytest.mark.parametrize("path", PATHS)
def test_attendance_without_completion_issues_nothing(client, login_as, api, path):
    session = make_session(starts_in=timedelta(days=-2))
    enrollment = add_enrollment(session)
    PATHS[path](client, login_as, api, session, enrollment, completed=False)
    assert _attestation(enrollment) is None


def test_an_import_issues_one_verifiable_attestation_per_completion_with_distinct_codes(api):
    """The import issues its attestations in bulk (codes drawn by the database on
    PostgreSQL, by ``new_code`` on SQLite): one per completed line, each code in the public
    form (16 characters of Crockford's base 32, dashed every 4), all different, each one
    verifying; the same file again issues none."""
    import re

    from accelerator.certification.operations import normalize_code

    session = make_session(capacity=100, starts_in=timedelta(days=-2))
    lines = [
        f"prof{i}@ac-nantes.fr;Nom;Prenom;;;;{session.reference};oui;{'oui' if i % 3 else 'non'}"
        for i in range(60)
    ]
    content = "email;nom;prenom;academie;uai;situation;session;present;termine\r\n"
    content += "\r\n".join(lines) + "\r\n"
    trainer = make_user(Role.trainer)
    for _ in range(2):
        response = api.post(
            "/training/imports",
            user=trainer,
            data={"file": (io.BytesIO(content.encode()), "presences.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 202
        codes = db.session.scalars(db.select(Certificate.code)).all()
        assert len(codes) == 40 and len(set(codes)) == 40
    shape = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")
    for code in codes:
        assert shape.fullmatch(code) and normalize_code(code.lower()) == code
        verified = api.get(f"/training/certificates/{code}")
        assert verified.status_code == 200 and verified.json["revoked"] is False
    # 80 random bits each: over 40 codes, every character position takes several values.
    assert all(len({code[i] for code in codes}) > 5 for i in range(19) if i % 5 != 4)
