"""Targets, national populations, partnership agreements and PAF actions: managers and admins
edit them on a page; each change adds a row (the history stays); bad input changes nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role
from accelerator.extensions import db
from accelerator.reporting import indicators
from accelerator.reporting.models import (
    NationalPopulation,
    PafAction,
    Partnership,
    SettingsAreAppendOnly,
    Target,
)
from accelerator.reporting.periods import Period
from tests.factories import make_user
from tests.reporting.helpers import session_on

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def target_form(**fields) -> dict:
    data = {
        "target-code": "satisfaction_rate",
        "target-value": "85",
        "target-horizon_start": "2026-09-01",
        "target-horizon_end": "2027-08-31",
        "target-note": "",
    }
    data.update({f"target-{k}": v for k, v in fields.items()})
    return data


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.manager, 200), (Role.admin, 200), (Role.trainer, 403), (Role.teacher, 403)],
)
def test_only_managers_and_admins_see_the_settings(client, login_as, role, status):
    login_as(make_user(role))
    assert client.get("/pilotage/indicateurs/parametres").status_code == status
    expected = 303 if status == 200 else 403
    response = client.post("/pilotage/indicateurs/parametres/cibles", data=target_form())
    assert response.status_code == expected


def test_a_new_target_adds_a_row_and_is_in_force(client, login_as):
    login_as(make_user(Role.manager))
    client.post("/pilotage/indicateurs/parametres/cibles", data=target_form(value="80"))
    client.post("/pilotage/indicateurs/parametres/cibles", data=target_form(value="85"))
    assert [t.value for t in db.session.scalars(select(Target).order_by(Target.id))] == [80, 85]
    period = Period(date(2026, 9, 1), date(2027, 8, 31))
    assert indicators.compute_one("satisfaction_rate", period, use_kept=False).target == 85
    page = client.get("/pilotage/indicateurs/parametres").get_data(as_text=True)
    assert "80" in page and "85" in page  # the history is shown


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"value": "-3"}, "value"),
        ({"horizon_end": "2026-01-01"}, "horizon_end"),
        ({"code": "no_such_indicator"}, "code"),
        ({"horizon_start": "soon"}, "horizon_start"),
    ],
)
def test_a_bad_target_is_refused_and_changes_nothing(client, login_as, fields, field):
    login_as(make_user(Role.manager))
    response = client.post("/pilotage/indicateurs/parametres/cibles", data=target_form(**fields))
    assert response.status_code == 422
    assert f'id="target-{field}-messages"' in response.get_data(as_text=True)
    assert count(Target) == 0


def test_settings_rows_are_never_changed_in_place():
    row = Target(
        code="paf_actions", value=2100, horizon_start=date(2026, 1, 1), horizon_end=date(2027, 1, 1)
    )
    db.session.add(row)
    db.session.commit()
    row.value = 1
    with pytest.raises(SettingsAreAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_population_form(client, login_as):
    login_as(make_user(Role.manager))
    data = {
        "population-year": "2026",
        "population-academy": "lyon",
        "population-teachers": "40000",
        "population-new_teachers": "2500",
    }
    assert client.post("/pilotage/indicateurs/parametres/populations", data=data).status_code == 303
    bad = dict(data, **{"population-new_teachers": "50000"})  # more than the teachers
    assert client.post("/pilotage/indicateurs/parametres/populations", data=bad).status_code == 422
    assert count(NationalPopulation) == 1


def test_partnership_with_its_signed_document(client, login_as):
    login_as(make_user(Role.manager))
    data = {
        "partnership-academy": "nice",
        "partnership-title": "Convention 2026",
        "partnership-starts_on": "2026-09-01",
        "partnership-ends_on": "",
        "partnership-document": (io.BytesIO(PDF), "convention.pdf"),
    }
    response = client.post(
        "/pilotage/indicateurs/parametres/partenariats",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    partnership = db.session.scalar(select(Partnership))
    assert partnership.ends_on is None and partnership.document_name == "convention.pdf"
    download = client.get(
        f"/pilotage/indicateurs/parametres/partenariats/{partnership.id}/document"
    )
    assert download.status_code == 200 and download.get_data() == PDF


def test_partnership_document_must_be_a_document(client, login_as):
    login_as(make_user(Role.manager))
    data = {
        "partnership-academy": "nice",
        "partnership-title": "Convention",
        "partnership-starts_on": "2026-09-01",
        "partnership-document": (io.BytesIO(PNG), "convention.png"),
    }
    response = client.post(
        "/pilotage/indicateurs/parametres/partenariats",
        data=data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert count(Partnership) == 0


def test_paf_action_links_sessions_by_reference(client, login_as):
    login_as(make_user(Role.manager))
    session = session_on(date(2026, 10, 1))
    data = {
        "paf-academy": "paris",
        "paf-year": "2026",
        "paf-code": "26a0150042",
        "paf-title": "Le numérique en classe",
        "paf-sessions": f"{session.reference}\n",
    }
    assert client.post("/pilotage/indicateurs/parametres/paf", data=data).status_code == 303
    action = db.session.scalar(select(PafAction))
    assert action.code == "26A0150042" and [s.id for s in action.sessions] == [session.id]
    again = client.post("/pilotage/indicateurs/parametres/paf", data=data)
    assert again.status_code == 422 and count(PafAction) == 1  # the same action twice
    unknown = dict(data, **{"paf-code": "26B", "paf-sessions": "CANOPE-1999-0001"})
    response = client.post("/pilotage/indicateurs/parametres/paf", data=unknown)
    assert response.status_code == 422 and "CANOPE-1999-0001" in response.get_data(as_text=True)
    assert count(PafAction) == 1
