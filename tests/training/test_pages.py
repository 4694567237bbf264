"""Training pages: list and filters, a session (enrol, cancel, attendance), forms, import."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from accelerator.accounts.models import Role
from accelerator.core.db import utcnow
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
)
from tests.factories import make_user
from tests.training.factories import (
    add_enrollment,
    make_catalogue_solution,
    make_session,
    make_teacher_user,
)


def test_the_list_shows_sessions_to_come_and_filters(client):
    paris = make_session(title="Atelier à Paris", academy="paris")
    lyon = make_session(title="Atelier à Lyon", academy="lyon", format="remote")
    make_session(title="Atelier passé", starts_in=timedelta(days=-2))
    html = client.get("/formations").get_data(as_text=True)
    assert paris.title in html and lyon.title in html and "Atelier passé" not in html
    html = client.get("/formations?academy=lyon").get_data(as_text=True)
    assert lyon.title in html and paris.title not in html
    html = client.get("/formations?format=remote").get_data(as_text=True)
    assert lyon.title in html and paris.title not in html


def test_bad_filters_are_explained_not_crashing(client):
    response = client.get("/formations?academy=atlantis&date_from=hier")
    assert response.status_code == 200
    assert "fr-alert--error" in response.get_data(as_text=True)


def test_the_list_is_paginated(client):
    solution = make_catalogue_solution()
    for day in range(25):
        make_session([solution], title=f"Session {day:02d}", starts_in=timedelta(days=day + 1))
    first = client.get("/formations").get_data(as_text=True)
    second = client.get("/formations?page=2").get_data(as_text=True)
    assert "Session 00" in first and "Session 24" not in first
    assert "Session 24" in second and 'aria-label="Pagination"' in first


def test_a_teacher_enrols_and_cancels_on_the_session_page(client, login_as, outbox):
    session = make_session(capacity=1)
    teacher = login_as(make_teacher_user())
    page = client.get(f"/formations/{session.id}").get_data(as_text=True)
    assert "S’inscrire" in page or "S'inscrire" in page
    response = client.post(
        f"/formations/{session.id}/inscription",
        data={"already_uses_in_class": "no"},
        follow_redirects=True,
    )
    assert "une place vous est réservée" in response.get_data(as_text=True).lower()
    enrollment = db.session.query(Enrollment).one()
    assert enrollment.teacher_id == teacher.teacher.id
    assert enrollment.already_uses_in_class is False
    response = client.post(
        f"/formations/{session.id}/inscriptions/{enrollment.id}/annulation",
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert enrollment.status == EnrollmentStatus.cancelled


def test_a_full_session_gives_a_waitlist_rank(client, login_as):
    session = make_session(capacity=1)
    add_enrollment(session)
    add_enrollment(session, status=EnrollmentStatus.waitlisted)
    login_as(make_teacher_user())
    response = client.post(
        f"/formations/{session.id}/inscription",
        data={"already_uses_in_class": "yes"},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "2" in re.sub(r"\s+", " ", html) and "liste d’attente" in html.replace("'", "’")


def test_enrolling_twice_on_the_page_says_why(client, login_as):
    session = make_session()
    login_as(make_teacher_user())
    answer = {"already_uses_in_class": "yes"}
    client.post(f"/formations/{session.id}/inscription", data=answer)
    response = client.post(
        f"/formations/{session.id}/inscription", data=answer, follow_redirects=True
    )
    assert "fr-alert--error" in response.get_data(as_text=True)
    assert db.session.query(Enrollment).count() == 1


@pytest.mark.parametrize("answer", [None, "", "peut-être"])
def test_enrolling_on_the_page_asks_whether_the_teacher_already_uses_it(client, login_as, answer):
    session = make_session()
    login_as(make_teacher_user())
    page = client.get(f"/formations/{session.id}").get_data(as_text=True)
    assert "Utilisez-vous déjà cette solution en classe ?" in page
    data = {} if answer is None else {"already_uses_in_class": answer}
    response = client.post(f"/formations/{session.id}/inscription", data=data)
    assert response.status_code == 422
    assert "Répondez oui ou non." in response.get_data(as_text=True)
    assert db.session.query(Enrollment).count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client):
    session = make_session()
    response = client.post(f"/formations/{session.id}/inscription")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_trainer_creates_a_session(client, login_as):
    solution = make_catalogue_solution(name="Mathador")
    login_as(make_user(Role.trainer))
    assert "Mathador" in client.get("/formations/nouvelle").get_data(as_text=True)
    start = (utcnow() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() + timedelta(days=30, hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/formations/nouvelle",
        data={
            "title": "Mathador en classe",
            "solution_ids": [str(solution.id)],
            "format": "in_person",
            "starts_at": start,
            "ends_at": end,
            "duration_hours": "3",
            "capacity": "15",
            "academy": "nantes",
            "location": "Atelier Canopé 44",
            "in_paf": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    session = db.session.query(TrainingSession).one()
    assert (session.title, session.capacity, session.in_paf) == ("Mathador en classe", 15, True)
    assert session.reference.startswith("CANOPE-")


def test_the_session_form_shows_errors(client, login_as):
    login_as(make_user(Role.manager))
    response = client.post("/formations/nouvelle", data={"title": ""})
    assert response.status_code == 422
    assert "fr-input-group--error" in response.get_data(as_text=True)
    assert db.session.query(TrainingSession).count() == 0


def test_a_trainer_edits_a_session(client, login_as):
    session = make_session(capacity=5)
    login_as(make_user(Role.trainer))
    form = client.get(f"/formations/{session.id}/modifier").get_data(as_text=True)
    assert session.title in form
    local = session.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert local.strftime("%Y-%m-%dT%H:%M") in form
    data = {
        "title": "Titre changé",
        "solution_ids": [str(s.id) for s in session.solutions],
        "format": "hybrid",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "duration_hours": "2",
        "capacity": "8",
        "academy": "paris",
        "location": "",
    }
    assert client.post(f"/formations/{session.id}/modifier", data=data).status_code == 302
    db.session.expire_all()
    assert (session.title, session.capacity, session.in_paf) == ("Titre changé", 8, False)


@pytest.mark.parametrize("role", [Role.teacher, Role.company])
def test_only_staff_reach_the_forms(client, login_as, role):
    session = make_session()
    login_as(make_user(role))
    for path in (
        "/formations/nouvelle",
        f"/formations/{session.id}/modifier",
        "/formations/import",
    ):
        assert client.get(path).status_code == 403


def test_the_trainer_takes_attendance_on_the_page(client, login_as):
    session = make_session(starts_in=timedelta(hours=-3))
    present, complete, absent = (add_enrollment(session) for _ in range(3))
    add_enrollment(session, status=EnrollmentStatus.waitlisted)
    login_as(make_user(Role.trainer))
    html = client.get(f"/formations/{session.id}").get_data(as_text=True)
    assert f'id="present-{present.id}"' in html and "<caption>" in html
    response = client.post(
        f"/formations/{session.id}/presences",
        data={"present": [str(present.id)], "completed": [str(complete.id)]},
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert (present.attended, present.completed) == (True, False)
    assert (complete.attended, complete.completed, complete.attendance_source) == (
        True,
        True,
        "page",
    )
    assert (absent.attended, absent.completed) == (False, False)


def test_the_trainer_enrols_a_teacher_and_cancels_the_session(client, login_as, outbox):
    session = make_session()
    login_as(make_user(Role.trainer))
    client.post(f"/formations/{session.id}/inscrire", data={"teacher_email": "a.b@ac-amiens.fr"})
    assert db.session.query(Enrollment).count() == 1
    client.post(f"/formations/{session.id}/annulation")
    db.session.expire_all()
    assert session.status == SessionStatus.cancelled
    assert [m["To"] for m in outbox] == ["a.b@ac-amiens.fr"]


def test_the_import_page_shows_the_report(client, login_as):
    session = make_session(starts_in=timedelta(days=-1))
    login_as(make_user(Role.trainer))
    content = (
        "email;nom;prenom;academie;uai;situation;session;present;termine\n"
        f"ok@ac-paris.fr;Ok;Ana;paris;;;{session.reference};oui;oui\n"
        f"ko@ac-paris.fr;Ko;Bob;paris;;;{session.reference};peut-être;oui\n"
    ).encode("cp1252")
    response = client.post(
        "/formations/import",
        data={"file": (io.BytesIO(content), "presences.csv")},
        content_type="multipart/form-data",
    )
    # The import is a job: the page goes to the job's page, which shows the report.
    assert response.status_code == 303 and "/taches/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 ligne importée" in html and "<td>3</td>" in html and "peut-être" in html
    rejected = client.get(re.search(r'href="([^"]+rejets\.csv)"', html).group(1))
    assert rejected.mimetype == "text/csv"
    assert rejected.get_data(as_text=True).splitlines()[1].startswith("3;")


def test_the_report_lists_every_reason_of_a_refused_line(client, login_as):
    session = make_session(starts_in=timedelta(days=-1))
    login_as(make_user(Role.trainer))
    content = (
        "email;nom;prenom;academie;uai;situation;session;present;termine\n"
        f"ko@ac-paris.fr;Ko;Bob;Atlantide;0750655A;;{session.reference};peut-être;oui\n"
    ).encode()
    response = client.post(
        "/formations/import",
        data={"file": (io.BytesIO(content), "presences.csv")},
        content_type="multipart/form-data",
    )
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    row = re.search(r"<td>2</td><td>(.*?)</td>", html, re.S).group(1)
    reasons = re.findall(r"<li>(.*?)</li>", row, re.S)
    assert len(reasons) == 3
    assert "Atlantide" in reasons[1] or "Atlantide" in " ".join(reasons)
    assert all(word in " ".join(reasons) for word in ("Atlantide", "0750655A", "peut-être"))
    rejected = client.get(
        f"/formations/import/{response.headers['Location'].rsplit('/', 1)[1]}/rejets.csv"
    ).get_data(as_text=True)
    assert all(word in rejected for word in ("Atlantide", "0750655A", "peut-être"))


def test_the_import_page_offers_a_template_that_imports_as_is(client, login_as, api):
    """The template: UTF-8 with a BOM, ``;``, the columns the import reads and one example
    line, which imports once its session reference is a real one."""
    from accelerator.training.imports import HEADER_ALIASES, _plain

    trainer = make_user(Role.trainer)
    login_as(trainer)
    html = client.get("/formations/import").get_data(as_text=True)
    link = re.search(r'href="([^"]+)"[^>]*download', html).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    content = response.get_data()
    assert content.startswith(b"\xef\xbb\xbf")
    header, example, *rest = content.decode("utf-8-sig").splitlines()
    assert rest == []
    columns = header.split(";")
    assert len(columns) == len(example.split(";")) == 9
    assert {HEADER_ALIASES[_plain(name)] for name in columns} == set(HEADER_ALIASES.values())
    session = make_session(starts_in=timedelta(days=-1))
    reference = example.split(";")[columns.index("session")]
    upload = api.post(
        "/training/imports",
        user=trainer,
        data={
            "file": (
                io.BytesIO(content.replace(reference.encode(), session.reference.encode())),
                "modele.csv",
            )
        },
        content_type="multipart/form-data",
    )
    job = api.get(f"/jobs/{upload.json['job']['id']}", user=trainer).json
    assert job["result"] == {"imported": 1, "unchanged": 0, "errors": []}


def test_the_template_is_for_those_who_import(client, login_as):
    login_as(make_teacher_user())
    assert client.get("/formations/import/modele.csv").status_code in (403, 404)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            [
                "Règles du fichier",
                "Windows-1252",
                "point-virgule (;)",
                "virgule (,)",
                "Ce qui compte comme présence",
                "present = oui",
                "termine = oui",
                "attestation",
                "Limites",
                "20 Mo",
                "1\u202f000 lignes erronées",
                "8\u202f192 caractères",
                "session complète",
            ],
        ),
        (
            "en",
            [
                "Rules of the file",
                "Windows-1252",
                "semicolon (;)",
                "comma (,)",
                "What counts as attended",
                "present = yes",
                "termine = yes",
                "20 MB",
                "1,000 bad lines",
                "8,192 characters",
            ],
        ),
    ],
)
def test_the_import_page_explains_each_rule(client, login_as, language, words):
    from accelerator.training.imports import HEADER_ALIASES

    login_as(make_user(Role.trainer))
    client.get(f"/langue/{language}")
    html = client.get("/formations/import").get_data(as_text=True)
    html = html.replace("&#34;", '"').replace("&#39;", "'")
    for word in words:
        assert word in html, word
    # every column name the import accepts in the header, French and English, is shown
    shown = set(re.findall(r"<code>([a-z_]+)</code>", html))
    names = {"email", "nom", "prenom", "academie", "uai", "situation", "session", "present"}
    assert names | {"termine", "last_name", "first_name", "academy", "career_stage"} <= shown
    assert "session_reference" in shown and "completed" in shown
    assert shown <= set(HEADER_ALIASES)


def test_the_import_page_needs_a_file(client, login_as):
    login_as(make_user(Role.trainer))
    response = client.post("/formations/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_actions_need_the_csrf_token(csrf_app, client, login_as):
    session = make_session()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    login_as(make_teacher_user())
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    client.post(f"/formations/{session.id}/inscription", data={"already_uses_in_class": "no"})
    assert db.session.query(Enrollment).count() == 0


def test_a_session_whose_solution_left_the_catalogue_can_still_be_edited(client, login_as):
    from accelerator.audits.models import Audit
    from accelerator.audits.states import AuditStatus

    session = make_session()
    for audit in db.session.query(Audit).all():
        audit.status = AuditStatus.suspended
    db.session.commit()
    login_as(make_user(Role.trainer))
    local = session.starts_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    data = {
        "title": "Toujours modifiable",
        "solution_ids": [str(s.id) for s in session.solutions],
        "format": "in_person",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "duration_hours": "3",
        "capacity": "10",
        "academy": "paris",
    }
    response = client.post(f"/formations/{session.id}/modifier", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db.session.expire_all()
    assert session.title == "Toujours modifiable"
