"""The managers' steering page counts and filters audits by the status people read: an
approval past its validity is expired, on the page as in the API."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from accelerator.audits.states import AuditStatus
from accelerator.extensions import db

S = AuditStatus


@pytest.fixture
def two_approvals(people, audit_in):
    """One approval in force, one whose validity ended yesterday."""
    in_force = audit_in(S.approved, name="Valide")
    lapsed = audit_in(S.approved, name="Périmée")
    lapsed.valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    return in_force, lapsed


def _listed(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/audits/(\d+)"', html)}


def _count(html: str, label: str) -> int:
    return int(re.search(rf"{label} : (\d+)</a>", html).group(1))


@pytest.mark.parametrize(
    ("status", "listed"),
    [("approved", {"in_force"}), ("expired", {"lapsed"})],
)
def test_the_page_filters_on_the_effective_status(
    client, login_as, api, people, two_approvals, status, listed
):
    audits = dict(zip(("in_force", "lapsed"), two_approvals, strict=True))
    wanted = {audits[name].id for name in listed}
    login_as(people.manager)
    response = client.get(f"/pilotage/audits?status={status}")
    assert response.status_code == 200
    assert _listed(response.get_data(as_text=True)) == wanted
    # the API answers the same question the same way
    body = api.get(f"/audits?status={status}", user=people.manager).get_json()
    assert {item["id"] for item in body["items"]} == wanted


def test_the_page_counts_expired_approvals_apart(client, login_as, people, two_approvals):
    login_as(people.manager)
    html = client.get("/pilotage/audits").get_data(as_text=True)
    assert _count(html, "Approuvé") == 1
    assert _count(html, "Expiré") == 1
