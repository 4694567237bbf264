"""Path certificates: completing the last module of a published path, whichever way the
attendance is recorded (page, API, import), issues exactly one certificate; a partial path
issues none; withdrawing a completion revokes it and completing again reinstates the same
one; publishing a path certifies those who had already completed it. The certificate is a
PDF and an Open Badge signed with the attestations' key, verified by its code like them;
another teacher's progress or certificate answers 404."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from accelerator.accounts.models import Role
from accelerator.certification import badges
from accelerator.certification.models import PathCertificate
from accelerator.certification.operations import new_code, sync_path_certificates
from accelerator.extensions import db
from accelerator.training import operations
from accelerator.training.models import Enrollment
from tests.concurrency import wait_for_a_lock_wait
from tests.conftest import IS_POSTGRESQL
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_catalogue_solution, make_session


def _path(solutions, publish=True):
    manager = make_user(Role.manager)
    path = operations.create_path(
        manager,
        {"title": "Le numérique en classe", "modules": [{"solution_id": s.id} for s in solutions]},
    )
    if publish:
        operations.publish_path(manager, path)
    db.session.commit()
    return path


def _certificates(teacher=None) -> list[PathCertificate]:
    db.session.expire_all()
    statement = db.select(PathCertificate)
    if teacher is not None:
        statement = statement.where(PathCertificate.teacher_id == teacher.id)
    return list(db.session.scalars(statement))


def _by_page(client, login_as, api, session, teacher, completed: bool) -> None:
    enrollment = db.session.scalar(
        db.select(Enrollment.id).where(
            Enrollment.session_id == session.id, Enrollment.teacher_id == teacher.id
        )
    )
    login_as(make_user(Role.trainer))
    boxes = {"completed": [str(enrollment)]} if completed else {"present": [str(enrollment)]}
    assert client.post(f"/formations/{session.id}/presences", data=boxes).status_code == 302
    client.post("/deconnexion")


def _by_api(client, login_as, api, session, teacher, completed: bool) -> None:
    item = {"teacher_email": teacher.email, "attended": True, "completed": completed}
    response = api.put(
        f"/training/sessions/{session.id}/attendance", user=make_user(Role.trainer), json=[item]
    )
    assert response.status_code == 200, response.json


def _by_import(client, login_as, api, session, teacher, completed: bool) -> None:
    done = "oui" if completed else "non"
    content = (
        "email;nom;prenom;academie;uai;situation;session;present;termine\r\n"
        f"{teacher.email};;;;;;{session.reference};oui;{done}\r\n"
    )
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


RECORDERS = {"page": _by_page, "api": _by_api, "import": _by_import}


@pytest.mark.parametrize("recorder", RECORDERS)
def test_the_last_module_completed_issues_one_certificate_whichever_way(
    client, login_as, api, recorder
):
    record = RECORDERS[recorder]
    pix, lalilo = make_catalogue_solution(name="Pix"), make_catalogue_solution(name="Lalilo")
    path = _path([pix, lalilo])
    user = make_user(Role.teacher)
    teacher = user.teacher
    first = make_session([pix], starts_in=timedelta(days=-9))
    second = make_session([lalilo], starts_in=timedelta(days=-2))
    add_enrollment(first, teacher)
    add_enrollment(second, teacher)

    record(client, login_as, api, first, teacher, completed=True)
    assert _certificates() == []  # one module of two: no certificate

    record(client, login_as, api, second, teacher, completed=True)
    (issued,) = _certificates()
    assert (issued.path_id, issued.teacher_id, issued.revoked_at) == (path.id, teacher.id, None)
    record(client, login_as, api, second, teacher, completed=True)  # the same again
    assert [c.id for c in _certificates()] == [issued.id]

    record(client, login_as, api, first, teacher, completed=False)
    (revoked,) = _certificates()
    assert revoked.id == issued.id and revoked.revoked_at is not None
    assert api.get(f"/training/certificates/{issued.code}").json["revoked"] is True

    record(client, login_as, api, first, teacher, completed=True)
    (again,) = _certificates()
    assert (again.id, again.code, again.revoked_at) == (issued.id, issued.code, None)


def test_a_draft_certifies_nobody_and_publishing_certifies_those_already_done():
    pix, lalilo = make_catalogue_solution(), make_catalogue_solution()
    path = _path([pix, lalilo], publish=False)
    done, halfway = make_user(Role.teacher).teacher, make_user(Role.teacher).teacher
    for solution in (pix, lalilo):
        session = make_session([solution], starts_in=timedelta(days=-5))
        add_enrollment(session, done, attended=True, completed=True)
    add_enrollment(
        make_session([pix], starts_in=timedelta(days=-5)), halfway, attended=True, completed=True
    )
    sync_path_certificates([done.id, halfway.id])
    assert _certificates() == []
    operations.publish_path(make_user(Role.manager), path)
    db.session.commit()
    assert [c.teacher_id for c in _certificates()] == [done.id]


def test_one_session_on_two_solutions_completes_two_modules():
    pix, lalilo = make_catalogue_solution(), make_catalogue_solution()
    _path([pix, lalilo])
    teacher = make_user(Role.teacher).teacher
    add_enrollment(
        make_session([pix, lalilo], starts_in=timedelta(days=-1)),
        teacher,
        attended=True,
        completed=True,
    )
    assert sync_path_certificates([teacher.id]) == 1
    assert sync_path_certificates([teacher.id]) == 0  # idempotent
    assert len(_certificates()) == 1


def test_the_database_keeps_one_certificate_per_path_and_teacher():
    """Two requests certifying at once: the unique pair refuses the second row, and the
    sync's ON CONFLICT DO NOTHING turns that into keeping the first one."""
    pix, lalilo = make_catalogue_solution(), make_catalogue_solution()
    path = _path([pix, lalilo])
    teacher = make_user(Role.teacher).teacher
    db.session.add(PathCertificate(path_id=path.id, teacher_id=teacher.id, code=new_code()))
    db.session.commit()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(PathCertificate(path_id=path.id, teacher_id=teacher.id, code=new_code()))
    db.session.rollback()
    for solution in (pix, lalilo):
        session = make_session([solution], starts_in=timedelta(days=-1))
        add_enrollment(session, teacher, attended=True, completed=True)
    sync_path_certificates([teacher.id])
    db.session.commit()
    assert len(_certificates()) == 1


@pytest.mark.skipif(not IS_POSTGRESQL, reason="needs PostgreSQL's concurrency")
def test_a_certificate_written_meanwhile_by_another_transaction_is_kept(app):
    """The sync reads no certificate, another transaction inserts one it has not committed
    yet; the sync's insert waits for it, then does nothing: one certificate, no error."""
    pix, lalilo = make_catalogue_solution(), make_catalogue_solution()
    path = _path([pix, lalilo])
    teacher = make_user(Role.teacher).teacher
    for solution in (pix, lalilo):
        session = make_session([solution], starts_in=timedelta(days=-1))
        add_enrollment(session, teacher, attended=True, completed=True)
    path_id, teacher_id = path.id, teacher.id
    other = db.engine.connect()
    other.execute(
        insert(PathCertificate).values(
            path_id=path_id, teacher_id=teacher_id, code=new_code(), issued_at=text("now()")
        )
    )
    outcome: list = []

    def run() -> None:
        with app.app_context():
            try:
                outcome.append(sync_path_certificates([teacher_id]))
                db.session.commit()
            except Exception as error:  # noqa: BLE001  reported by the assertion below
                outcome.append(error)

    request = threading.Thread(target=run)
    request.start()
    try:
        assert wait_for_a_lock_wait()
    finally:
        other.commit()
        other.close()
        request.join(30)
    assert outcome == [0]
    assert len(_certificates()) == 1


def _certified_teacher():
    pix, lalilo = make_catalogue_solution(name="Pix"), make_catalogue_solution(name="Lalilo")
    path = _path([pix, lalilo])
    user = make_user(Role.teacher, full_name="Camille Martin")
    for solution in (pix, lalilo):
        session = make_session([solution], starts_in=timedelta(days=-3))
        add_enrollment(session, user.teacher, attended=True, completed=True)
    sync_path_certificates([user.teacher.id])
    db.session.commit()
    (certificate,) = _certificates()
    return user, path, certificate


def test_the_teacher_downloads_the_pdf_and_a_badge_that_verifies_with_the_published_key(
    client, api, login_as
):
    user, path, certificate = _certified_teacher()
    login_as(user)
    page = client.get("/mes-parcours").get_data(as_text=True)
    assert path.title in page and certificate.code in page
    pdf = client.get(f"/mes-parcours/certificats/{certificate.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    token = api.get(f"/me/path-badges/{certificate.id}.jwt", user=user).get_data(as_text=True)
    (key,) = client.get("/.well-known/jwks.json").json["keys"]
    claims = badges.verify(token, key)
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    achievement = claims["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "LearningProgram"
    assert path.title in achievement["name"]
    own_status = [e for e in claims["credentialStatus"] if e["type"] == "AccelerateurBadgeStatus"]
    assert own_status[0]["id"].endswith(f"/training/badges/{certificate.code}/status")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(ValueError):
        badges.verify(forged, key)
    status = api.get(f"/training/badges/{certificate.code}/status").json
    assert status["status"] == "active"


def test_the_accessible_page_says_what_the_pdf_says_to_its_owner_only(client, login_as):
    user, path, certificate = _certified_teacher()
    login_as(user)
    page = client.get(f"/mes-parcours/certificats/{certificate.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert path.title in text and certificate.code in text
    for module in path.modules:
        assert module.label in text
    client.post("/deconnexion")
    login_as(make_user(Role.teacher))
    assert client.get(f"/mes-parcours/certificats/{certificate.id}").status_code == 404


def test_the_code_is_verified_like_an_attestation_showing_little(client, api):
    user, path, certificate = _certified_teacher()
    answer = api.get(f"/training/certificates/{certificate.code.lower()}").json
    assert answer["kind"] == "path" and answer["genuine"] is True
    assert answer["path"]["title"] == path.title and len(answer["modules"]) == 2
    assert answer["teacher"] == "Camille M."  # first name and initial only
    page = client.get(f"/attestations/{certificate.code}")
    assert page.status_code == 200 and path.title in page.get_data(as_text=True)


def test_another_teachers_progress_and_certificate_answer_404(client, api, login_as):
    owner, path, certificate = _certified_teacher()
    other = make_user(Role.teacher)
    assert api.get(f"/me/path-certificates/{certificate.id}.pdf", user=other).status_code == 404
    assert api.get(f"/me/path-badges/{certificate.id}.json", user=other).status_code == 404
    assert api.get("/me/path-certificates", user=other).json["total"] == 0
    mine = api.get(f"/me/paths/{path.id}", user=other).json
    assert (mine["done"], mine["total"], mine["certificate"]) == (0, 2, None)
    login_as(other)
    assert client.get(f"/mes-parcours/certificats/{certificate.id}.pdf").status_code == 404
    own = api.get(f"/me/paths/{path.id}", user=owner).json
    assert (own["done"], own["total"], own["complete"]) == (2, 2, True)
    assert own["certificate"]["code"] == certificate.code


def test_progress_of_an_unpublished_path_answers_404(api):
    path = _path([make_catalogue_solution(), make_catalogue_solution()], publish=False)
    assert api.get(f"/me/paths/{path.id}", user=make_user(Role.teacher)).status_code == 404
