"""The catalogue shows the solution's logo, and only one a manager accepted: a logo the
company uploads after the approval waits for the decision, like the texts."""

from __future__ import annotations

import io

from accelerator.accounts.models import Role
from accelerator.audits.operations.changes import accept_approved_texts
from accelerator.catalogue.operations import refresh_catalogue_entry
from accelerator.extensions import db
from tests.catalogue.helpers import approve
from tests.factories import make_user

PNG_A = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 64
PNG_B = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x02" * 64


def _upload(api, user, solution, content):
    return api.put(
        f"/solutions/{solution.id}/logo",
        user=user,
        data={"file": (io.BytesIO(content), "logo.png")},
        content_type="multipart/form-data",
    )


def test_the_public_sees_the_accepted_logo_until_a_new_one_is_accepted(client, api):
    audit = approve("Calculo")
    solution = audit.solution
    owner = make_user(Role.company, organization=solution.organization)
    manager = make_user(Role.manager)
    assert _upload(api, owner, solution, PNG_A).status_code == 200
    accept_approved_texts(solution)  # the logo as it stood at the approval
    refresh_catalogue_entry(solution.id)
    db.session.commit()

    page = client.get(f"/catalogue/{solution.slug}").get_data(as_text=True)
    assert f"/solutions/{solution.id}/logo" in page
    assert client.get(f"/solutions/{solution.id}/logo").data == PNG_A

    # A new logo after the approval: the company sees it, the public keeps the accepted one.
    assert _upload(api, owner, solution, PNG_B).status_code == 200
    assert client.get(f"/solutions/{solution.id}/logo").data == PNG_A
    accepted = api.post(f"/solutions/{solution.id}/texts/accept", user=manager)
    assert accepted.status_code == 200, accepted.json
    assert client.get(f"/solutions/{solution.id}/logo").data == PNG_B


def test_a_solution_without_a_logo_shows_none(client):
    audit = approve("Sans logo")
    page = client.get(f"/catalogue/{audit.solution.slug}").get_data(as_text=True)
    assert f"/solutions/{audit.solution.id}/logo" not in page
    assert client.get(f"/solutions/{audit.solution.id}/logo").status_code == 404


def test_result_cards_show_the_accepted_logo(client, api):
    audit = approve("Lecturo")
    solution = audit.solution
    owner = make_user(Role.company, organization=solution.organization)
    assert _upload(api, owner, solution, PNG_A).status_code == 200
    accept_approved_texts(solution)
    refresh_catalogue_entry(solution.id)
    approve("Sans image")
    db.session.commit()

    page = client.get("/catalogue").get_data(as_text=True)
    results = page.split('id="results"', 1)[1]
    card = results.split("Lecturo", 1)[1].split("fr-card__end", 1)[0]
    assert f"/solutions/{solution.id}/logo?v=" in card
    assert results.count("/logo?v=") == 1  # the solution without a logo shows none
    assert client.get(f"/solutions/{solution.id}/logo").data == PNG_A
