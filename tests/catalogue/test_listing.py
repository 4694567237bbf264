"""Only approvals in force are public, even when the index missed a refresh."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from accelerator.audits.states import AuditStatus
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.operations import refresh_catalogue_entry
from accelerator.core.db import utcnow
from accelerator.extensions import db
from tests.catalogue.helpers import approve, audit_in


def public_slugs(api) -> set[str]:
    return {item["slug"] for item in api.get("/catalogue").json["items"]}


def visible_everywhere(api, client, slug: str) -> bool:
    """Listed, with a page, an API item and a badge; or none of them."""
    answers = {
        slug in public_slugs(api),
        client.get(f"/catalogue/{slug}").status_code == 200,
        api.get(f"/catalogue/{slug}").status_code == 200,
        client.get(f"/badges/{slug}.svg").status_code == 200,
    }
    assert len(answers) == 1, f"{slug}: listing, page, API and badge disagree"
    return answers.pop()


@pytest.mark.parametrize(
    "status",
    [
        AuditStatus.draft,
        AuditStatus.submitted,
        AuditStatus.in_review,
        AuditStatus.committee,
        AuditStatus.rejected,
        AuditStatus.withdrawn,
        AuditStatus.inadmissible,
        AuditStatus.appealed,
    ],
)
def test_no_approval_no_listing(api, client, status):
    audit_in(status, "Pas Encore")
    assert not visible_everywhere(api, client, "pas-encore")
    assert db.session.scalar(db.select(db.func.count(CatalogueEntry.id))) == 0


@pytest.mark.parametrize("outcome", [AuditStatus.approved, AuditStatus.approved_with_conditions])
def test_approvals_in_force_are_listed(api, client, outcome):
    approve("En Vigueur", outcome=outcome)
    assert visible_everywhere(api, client, "en-vigueur")


def test_last_day_of_validity_is_still_in_force(api, client):
    approve("Dernier Jour", valid_until=date.today())
    assert visible_everywhere(api, client, "dernier-jour")


@pytest.mark.parametrize("refreshed", [True, False])
def test_expired_approval_disappears(api, client, refreshed):
    audit = approve("Expiree", valid_until=date.today() + timedelta(days=3))
    audit.valid_until = date.today() - timedelta(days=1)
    db.session.commit()
    if refreshed:
        refresh_catalogue_entry(audit.solution_id)
        db.session.commit()
    assert not visible_everywhere(api, client, "expiree")


@pytest.mark.parametrize("status", [AuditStatus.suspended, AuditStatus.withdrawn])
@pytest.mark.parametrize("refreshed", [True, False])
def test_suspended_or_withdrawn_disappears(api, client, status, refreshed):
    """Even when the audits operation forgot to refresh the index."""
    approve("Reste")
    audit = approve("Suspendue")
    audit.status = status
    audit.status_changed_at = utcnow()
    db.session.commit()
    if refreshed:
        refresh_catalogue_entry(audit.solution_id)
        db.session.commit()
    assert not visible_everywhere(api, client, "suspendue")
    assert visible_everywhere(api, client, "reste")
    assert api.get("/catalogue").json["total"] == 1
    assert sum(api.get("/catalogue").json["facets"]["pricing"].values()) == 1


def test_reinstated_approval_comes_back(api, client):
    audit = approve("Retour")
    audit.status = AuditStatus.suspended
    db.session.commit()
    assert not visible_everywhere(api, client, "retour")
    audit.status = AuditStatus.approved
    audit.status_changed_at = utcnow()
    db.session.commit()
    assert visible_everywhere(api, client, "retour")


def test_renewal_shows_the_latest_approval(api):
    first = approve("Renouvelee", overall=70, decided_on=date.today() - timedelta(days=400))
    from tests.audits.factories import make_approved_audit

    second = make_approved_audit(
        first.solution, overall=88, decided_on=date.today() - timedelta(days=1)
    )
    refresh_catalogue_entry(first.solution_id)
    db.session.commit()
    item = api.get("/catalogue").json["items"][0]
    assert (item["overall_score"], item["verification_code"]) == (88.0, second.verification_code)
    assert api.get("/catalogue").json["total"] == 1
