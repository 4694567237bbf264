"""Attendance CSV imports: encodings, delimiters, every kind of bad line, and re-imports."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from accelerator.accounts.models import Role, TeacherProfile
from accelerator.extensions import db
from accelerator.training.imports import parse_yes_no
from accelerator.training.models import Enrollment, EnrollmentStatus, SessionStatus
from tests.factories import make_user
from tests.training.factories import add_enrollment, make_session, make_teacher

FRENCH_HEADER = "email;nom;prenom;academie;uai;situation;session;present;termine"
ENGLISH_HEADER = (
    "email,last_name,first_name,academy,uai,career_stage,session_reference,present,completed"
)


@pytest.fixture
def past():
    return make_session(capacity=50, starts_in=timedelta(days=-7))


def upload(api, content: bytes, user=None, filename="presences.csv"):
    """Send a file; a 202 answer is followed to its job, and its result is the answer's
    ``json`` (the suite runs jobs as soon as the request commits)."""
    user = user or make_user(Role.trainer)
    response = api.post(
        "/training/imports",
        user=user,
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    if response.status_code != 202:
        return response
    job = response.json["job"]
    assert response.headers["Location"] == job["url"]
    followed = api.get(job["url"].removeprefix("/api/v1"), user=user)
    assert followed.json["state"] == "done", followed.json
    return SimpleNamespace(status_code=202, json=followed.json["result"])


def french_file(lines: list[str], encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join([FRENCH_HEADER, *lines]) + "\r\n"
    return ("\ufeff" if bom else "").encode(encoding) + text.encode(encoding)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("oui", True),
        ("OUI", True),
        ("o", True),
        ("1", True),
        ("vrai", True),
        ("Yes", True),
        ("x", True),
        ("X", True),
        ("non", False),
        ("N", False),
        ("0", False),
        ("faux", False),
        ("no", False),
        ("", False),
        ("  ", False),
        ("peut-être", None),
        ("2", None),
    ],
)
def test_yes_no_values(value, expected):
    assert parse_yes_no(value) is expected


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-8", False), ("utf-8", True), ("cp1252", False)]
)
def test_a_french_file_imports_in_every_encoding(api, past, encoding, bom):
    content = french_file(
        [
            f"hélène.dupré@ac-créteil.fr;Dupré;Hélène;Créteil;0930001W;néotitulaire;{past.reference};oui;oui",
            f"jean.martin@ac-lyon.fr;Martin;Jean;lyon;;;{past.reference};o;n",
            f"zoe.petit@ac-lyon.fr;Petit;Zoé;;;;{past.reference.lower()};;",
        ],
        encoding,
        bom,
    ).replace("ac-créteil".encode(encoding), b"ac-creteil")
    response = upload(api, content)
    assert response.status_code == 202, response.json
    assert response.json == {"imported": 3, "unchanged": 0, "errors": []}
    helene = db.session.scalar(
        select(TeacherProfile).where(TeacherProfile.email == "hélène.dupré@ac-creteil.fr")
    ) or db.session.scalar(select(TeacherProfile).where(TeacherProfile.last_name == "Dupré"))
    assert (helene.first_name, helene.last_name, helene.academy, helene.uai) == (
        "Hélène",
        "Dupré",
        "creteil",
        "0930001W",
    )
    assert helene.career_stage == "neotitulaire"
    rows = db.session.execute(
        select(
            TeacherProfile.first_name,
            Enrollment.status,
            Enrollment.attended,
            Enrollment.completed,
            Enrollment.attendance_source,
        )
        .join(Enrollment, Enrollment.teacher_id == TeacherProfile.id)
        .order_by(TeacherProfile.first_name)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("Hélène", EnrollmentStatus.registered, True, True, "import"),
        ("Jean", EnrollmentStatus.registered, True, False, "import"),
        ("Zoé", EnrollmentStatus.registered, False, False, "import"),
    ]
    db.session.expire_all()
    assert past.registered_count == 3


def test_an_english_comma_separated_file_imports(api, past):
    content = "\n".join(
        [
            ENGLISH_HEADER,
            f"ana.lopez@ac-nice.fr,Lopez,Ana,nice,0060001U,titulaire,{past.reference},yes,yes",
            f'"marc.roux@ac-nice.fr","Roux, dit Marco",Marc,nice,,,{past.reference},1,0',
        ]
    ).encode()
    response = upload(api, content)
    assert response.json == {"imported": 2, "unchanged": 0, "errors": []}
    marc = db.session.scalar(select(TeacherProfile).where(TeacherProfile.first_name == "Marc"))
    assert marc.last_name == "Roux, dit Marco"


def test_importing_the_same_file_twice_changes_nothing(api, past):
    other = make_session(capacity=1, starts_in=timedelta(days=-3))
    content = french_file(
        [
            f"a.un@ac-paris.fr;Un;A;paris;;;{past.reference};oui;oui",
            f"b.deux@ac-paris.fr;Deux;B;;;;{past.reference};oui;non",
            f"a.un@ac-paris.fr;Un;A;paris;;;{other.reference};oui;non",
            f"c.trois@ac-paris.fr;Trois;C;;;;{other.reference};oui;non",  # full: 1 place
            "pas-un-email;;;;;;CANOPE-2099-9999;oui;oui",
        ]
    )
    first = upload(api, content).json
    assert (first["imported"], first["unchanged"], len(first["errors"])) == (3, 0, 2)
    snapshot = db.session.execute(
        select(
            Enrollment.id,
            Enrollment.status,
            Enrollment.attended,
            Enrollment.completed,
            Enrollment.completed_at,
        ).order_by(Enrollment.id)
    ).all()
    teachers = db.session.query(TeacherProfile).count()
    second = upload(api, content).json
    assert (second["imported"], second["unchanged"]) == (0, 3)
    assert second["errors"] == first["errors"]
    db.session.expire_all()
    assert (
        db.session.execute(
            select(
                Enrollment.id,
                Enrollment.status,
                Enrollment.attended,
                Enrollment.completed,
                Enrollment.completed_at,
            ).order_by(Enrollment.id)
        ).all()
        == snapshot
    )
    assert db.session.query(TeacherProfile).count() == teachers


def test_every_kind_of_bad_line_is_reported_and_good_lines_imported(api, past):
    future = make_session(starts_in=timedelta(days=5))
    cancelled = make_session(starts_in=timedelta(days=-5), status=SessionStatus.cancelled)
    full = make_session(capacity=1, starts_in=timedelta(days=-5))
    add_enrollment(full)
    ref = past.reference
    lines = [
        f"ok.un@ac-paris.fr;Un;Ok;paris;0750655E;titulaire;{ref};oui;oui",  # 2
        f"pas-un-email;X;Y;paris;;;{ref};oui;non",  # 3
        "inconnu.session@ac-paris.fr;X;Y;;;;CANOPE-1999-0001;oui;non",  # 4
        f"academie@ac-paris.fr;X;Y;Atlantide;;;{ref};oui;non",  # 5
        f"uai@ac-paris.fr;X;Y;;0750655A;;{ref};oui;non",  # 6
        f"ouinon@ac-paris.fr;X;Y;;;;{ref};peut-être;non",  # 7
        f"termine@ac-paris.fr;X;Y;;;;{ref};non;oui",  # 8
        f"situation@ac-paris.fr;X;Y;;;retraité;{ref};oui;non",  # 9
        f"plein@ac-paris.fr;X;Y;;;;{full.reference};oui;non",  # 10
        f"perso@gmail.com;X;Y;;;;{ref};oui;non",  # 11
        f"futur@ac-paris.fr;X;Y;;;;{future.reference};oui;non",  # 12
        f"annule@ac-paris.fr;X;Y;;;;{cancelled.reference};oui;non",  # 13
        f"ok.un@ac-paris.fr;Un;Ok;paris;0750655E;titulaire;{ref};oui;oui",  # 14 duplicate
        "trop;peu;de;colonnes",  # 15
        "sans.reference@ac-paris.fr;X;Y;;;;;oui;non",  # 16
        "",  # 17: blank lines are skipped
        f"ok.deux@ac-paris.fr;Deux;Ok;;;;{ref};x;",  # 18
        f"futur.inscrit@ac-paris.fr;X;Y;;;;{future.reference};non;non",  # 19: an enrolment
    ]
    response = upload(api, french_file(lines))
    assert response.status_code == 202
    body = response.json
    assert (body["imported"], body["unchanged"]) == (3, 0)
    errors = {error["line"]: error["message"] for error in body["errors"]}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    expected_words = {
        3: "pas-un-email",
        4: "CANOPE-1999-0001",
        5: "Atlantide",
        6: "0750655A",
        7: "peut-être",
        8: "non présent",
        9: "retraité",
        10: "complète",
        11: "perso@gmail.com",
        12: "pas encore commencé",
        13: "annulée",
        14: "ligne 2",
        15: "colonnes",
        16: "référence",
    }
    for line, word in expected_words.items():
        assert word.lower() in errors[line].lower(), (line, errors[line])
    db.session.expire_all()
    assert full.registered_count == 1
    assert (
        db.session.scalar(
            select(TeacherProfile.id).where(TeacherProfile.email == "perso@gmail.com")
        )
        is None
    )


def test_a_missing_column_rejects_the_file(api, past):
    content = f"email;nom;prenom;session;present\nx@ac-paris.fr;X;Y;{past.reference};oui\n"
    body = upload(api, content.encode()).json
    assert body["imported"] == 0 and [e["line"] for e in body["errors"]] == [1]
    assert "completed" in body["errors"][0]["message"]


def test_known_teachers_and_enrolments_are_updated(api, past, outbox):
    known = make_teacher(email="connu@ac-paris.fr", uai=None, career_stage=None, academy="paris")
    registered = add_enrollment(past, known)
    waiting_teacher = make_teacher(email="attente@ac-paris.fr")
    waiting = add_enrollment(past, waiting_teacher, status=EnrollmentStatus.waitlisted)
    content = french_file(
        [
            f"CONNU@ac-paris.fr;Autre;Nom;lyon;0750655E;stagiaire;{past.reference};oui;oui",
            f"attente@ac-paris.fr;;;;;;{past.reference};oui;non",
        ]
    )
    body = upload(api, content).json
    assert body == {"imported": 2, "unchanged": 0, "errors": []}
    db.session.expire_all()
    # Blanks are filled; what the teacher already has is kept.
    assert (known.academy, known.uai, known.career_stage) == ("paris", "0750655E", "stagiaire")
    assert known.last_name != "Autre"
    assert (registered.attended, registered.completed) == (True, True)
    assert waiting.status == EnrollmentStatus.registered and waiting.attended
    assert past.registered_count == 2


@pytest.mark.parametrize(
    ("content", "filename", "status"),
    [
        (b"%PDF-1.7 binary", "presences.csv", 415),
        (b"PK\x03\x04 a spreadsheet", "presences.xlsx", 415),
        (b"a\x00b", "presences.csv", 415),
    ],
)
def test_files_that_are_not_csv_are_refused(api, content, filename, status):
    assert upload(api, content, filename=filename).status_code == status


def test_no_file_answers_422(api):
    response = api.post("/training/imports", user=make_user(Role.trainer), data={})
    assert response.status_code == 422 and "file" in response.json["errors"]


@pytest.mark.parametrize("role", [Role.teacher, Role.company, Role.expert, Role.admin])
def test_only_trainers_and_managers_import(api, past, role):
    content = french_file([f"x@ac-paris.fr;X;Y;;;;{past.reference};oui;non"])
    assert upload(api, content, user=make_user(role)).status_code == 403


def test_a_large_file_is_handled_in_batches(app, api, past, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_BATCH_LINES", 7)
    sessions = [make_session(capacity=20, starts_in=timedelta(days=-1)) for _ in range(3)]
    lines = [
        f"prof{i}@ac-lille.fr;Nom{i};Prenom{i};lille;;;{sessions[i % 3].reference};oui;"
        f"{'oui' if i % 2 else 'non'}"
        for i in range(45)
    ]
    body = upload(api, french_file(lines)).json
    # 15 lines per session of 20 places: all fit.
    assert body == {"imported": 45, "unchanged": 0, "errors": []}
    again = upload(api, french_file(lines)).json
    assert again == {"imported": 0, "unchanged": 45, "errors": []}
    db.session.expire_all()
    assert [s.registered_count for s in sessions] == [15, 15, 15]


def test_the_readme_example_imports_as_documented(api):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("```csv\n", 1)[1].split("```", 1)[0]
    session = make_session(starts_in=timedelta(days=-1))
    content = example.replace("CANOPE-2026-0042", session.reference).encode("cp1252")
    assert upload(api, content).json == {"imported": 2, "unchanged": 0, "errors": []}
    helene = db.session.scalar(
        select(TeacherProfile).where(TeacherProfile.email == "helene.dupre@ac-creteil.fr")
    )
    assert (helene.academy, helene.career_stage) == ("creteil", "neotitulaire")


def test_a_refused_line_lists_every_one_of_its_errors(api, past):
    """Not only the first reason: every check a line fails, by itself and in the database,
    is in its report (``messages``, and all of them in ``message``)."""
    full = make_session(capacity=1, starts_in=timedelta(days=-5))
    add_enrollment(full)
    lines = [
        # 2: four faults of its own, and a session nobody knows
        "quatre@ac-paris.fr;X;Y;Atlantide;0750655A;retraité;CANOPE-1999-0001;peut-être;non",
        # 3: unknown teacher with a personal address, and the session is full
        f"perso@gmail.com;X;Y;;;;{full.reference};oui;non",
        # 4: a good line; 5: the same teacher and session again, with a bad UAI
        f"double@ac-paris.fr;X;Y;;;;{past.reference};oui;non",
        f"double@ac-paris.fr;X;Y;;123;;{past.reference};oui;non",
        # 6: an invalid address and no session reference
        "pas-un-email;X;Y;;;;;oui;non",
    ]
    body = upload(api, french_file(lines)).json
    assert (body["imported"], body["unchanged"]) == (1, 0)
    by_line = {error["line"]: error for error in body["errors"]}
    assert sorted(by_line) == [2, 3, 5, 6]

    def reasons(line: int) -> list[str]:
        return [message.lower() for message in by_line[line]["messages"]]

    expected = {
        2: ["atlantide", "0750655a", "retraité", "peut-être", "canope-1999-0001"],
        3: ["académique", "complète"],
        5: ["« 123 »", "ligne 4"],
        6: ["pas-un-email", "référence"],
    }
    for line, words in expected.items():
        assert len(reasons(line)) == len(words), (line, reasons(line))
        for word in words:
            assert any(word in reason for reason in reasons(line)), (line, word, reasons(line))
            assert word in by_line[line]["message"].lower()
    db.session.expire_all()
    assert full.registered_count == 1


def test_lines_refused_for_other_reasons_take_no_place(api):
    """A session with one place: a line with a bad UAI before a good one does not take it,
    and a good line after the place went is told the session is full, with its other
    faults."""
    session = make_session(capacity=1, starts_in=timedelta(days=-2))
    lines = [
        f"mauvais@ac-lyon.fr;X;Y;;0000000Z;;{session.reference};oui;oui",
        f"bon@ac-lyon.fr;X;Y;;;;{session.reference};oui;oui",
        f"tard@ac-lyon.fr;X;Y;;;;{session.reference};oui;oui",
        f"tard.aussi@ac-lyon.fr;X;Y;;;fonctionnaire;{session.reference};oui;oui",
    ]
    body = upload(api, french_file(lines)).json
    assert body["imported"] == 1
    by_line = {error["line"]: error["messages"] for error in body["errors"]}
    assert [len(by_line[line]) for line in (2, 4, 5)] == [1, 1, 2]
    assert "complète" in by_line[4][0] and "complète" in by_line[5][1]
    db.session.expire_all()
    assert session.registered_count == 1
    enrolled = db.session.scalars(
        select(TeacherProfile.email)
        .join(Enrollment, Enrollment.teacher_id == TeacherProfile.id)
        .where(Enrollment.session_id == session.id)
    ).all()
    assert enrolled == ["bon@ac-lyon.fr"]


@pytest.mark.parametrize(
    "email",
    [
        "prenom.nom@ac-paris.fr",
        "a@ac-nancy-metz.fr",
        "x@education.gouv.fr",
        "x@sub.education.gouv.fr",
        "x@mail.ac-lyon.fr",
        "perso@gmail.com",
        "a@ac-paris.fr.evil.com",
        "a@fake-ac-paris.fr",
        "a@ac-.fr",
        "pas-un-email",
        "a b@ac-paris.fr",
        "a@b@ac-paris.fr",
        "a@ac-paris.f",
        "a;b@ac-paris.fr",
        "@ac-paris.fr",
        "a@" + "x" * 250 + ".fr",
    ],
)
def test_the_import_judges_addresses_as_enrolment_does(email):
    from accelerator.training.imports import check_email
    from accelerator.training.operations.enrolments import is_academic_email, is_valid_email

    assert check_email(email) == (is_valid_email(email), is_academic_email(email))
