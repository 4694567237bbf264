"""Attendance imports against hostile files: endless lines, files of bad lines, markup.

A header or a line beyond 8,192 characters is refused with a clear message (never the csv
module's field limit as a 500); a file of bad lines stops after 1,000 reported errors, with
a message saying where and why, instead of running past the worker's timeout.
"""

from __future__ import annotations

import io
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.training.models import Enrollment
from tests.factories import make_user
from tests.training.factories import make_session

HEADER = "email;nom;prenom;academie;uai;situation;session;present;termine"


@pytest.fixture
def past():
    return make_session(capacity=50, starts_in=timedelta(days=-7))


def upload(api, content: bytes, filename: str = "presences.csv"):
    """Send a file; a 202 answer is followed to its job, whose result is the ``json``."""
    user = make_user(Role.trainer)
    response = api.post(
        "/training/imports",
        user=user,
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "fr"},
    )
    if response.status_code != 202:
        return response
    job = api.get(f"/jobs/{response.json['job']['id']}", user=user).json
    assert job["state"] == "done", job
    return SimpleNamespace(status_code=202, json=job["result"])


def enrolments() -> int:
    return db.session.scalar(select(func.count()).select_from(Enrollment))


@pytest.mark.parametrize("size", [8193, 128 * 1024, 2 * 1024 * 1024])
def test_a_header_line_beyond_8192_characters_is_refused_with_a_message(api, past, size):
    header = (HEADER + ";" + "x" * size)[:size]
    content = (header + "\n" + f"a@ac-paris.fr;A;B;;;;{past.reference};oui;oui\n").encode()
    response = upload(api, content)
    assert response.status_code == 202
    body = response.json
    assert body["imported"] == 0
    assert [error["line"] for error in body["errors"]] == [1]
    assert "8 192 caractères" in body["errors"][0]["message"]
    assert enrolments() == 0


def test_a_line_beyond_8192_characters_is_skipped_and_the_others_imported(api, past):
    ref = past.reference
    lines = [
        HEADER,
        f"un@ac-paris.fr;Un;A;;;;{ref};oui;oui",  # 2
        f"long@ac-paris.fr;{'L' * 200_000};B;;;;{ref};oui;oui",  # 3
        "pas-un-email;X;Y;;;;" + ref + ";oui;non",  # 4: numbered as in the file
        f"deux@ac-paris.fr;Deux;B;;;;{ref};oui;non",  # 5
    ]
    body = upload(api, ("\n".join(lines) + "\n").encode()).json
    assert body["imported"] == 2
    errors = {error["line"]: error["message"] for error in body["errors"]}
    assert sorted(errors) == [3, 4]
    assert "8 192 caractères" in errors[3]
    assert "pas-un-email" in errors[4]


def test_a_file_of_bad_lines_stops_after_1000_errors_with_a_message(api, past):
    good = f"premier@ac-paris.fr;P;A;;;;{past.reference};oui;oui"
    bad = "pas-un-email;X;Y;;;;CANOPE-1999-0001;oui;non"
    content = "\n".join([HEADER, good] + [bad] * 5000) + "\n"
    body = upload(api, content.encode()).json
    assert len(body["errors"]) == 1001
    last = body["errors"][-1]
    assert "arrêté à la ligne" in last["message"] and "1 000" in last["message"]
    assert last["line"] < 1010  # it stopped there, not at the end of the file
    assert body["imported"] == 1  # the good line before the stop is imported


def test_a_quoted_field_never_closed_is_not_a_500(api, past):
    content = (HEADER + '\n"ouvert@ac-paris.fr;' + "x" * 5000 + "\n") * 40
    response = upload(api, content.encode())
    assert response.status_code == 202


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>email;nom</body></html>\n",
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>email;session</text></svg>\n',
        b"une phrase sans separateur\n",
    ],
)
def test_markup_or_undelimited_text_is_not_an_attendance_file(api, content):
    response = upload(api, content)
    assert response.status_code == 415
    assert response.content_type == "application/problem+json"
