"""Continuous monitoring: beat re-checks approved solutions; an eliminatory point that
passed and now fails is a regression, recorded in the approval's history and emailed to
the managers and the company. A failure that was already there is no news."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.audits.models import AuditEvent
from accelerator.audits.states import AuditAction
from accelerator.checks import operations
from accelerator.checks.models import SiteAddresses, SiteCheck, Trigger
from accelerator.checks.tasks import MONITOR, monitor_approved_solutions
from accelerator.core.jobs import beat_schedule
from accelerator.extensions import db
from tests.audits.factories import make_approved_audit, make_audit, make_solution
from tests.checks.sites import Authority, Site, addresses, legal_pages
from tests.factories import make_user


@pytest.fixture
def authority(app, tmp_path):
    authority = Authority(tmp_path)
    app.config["SITE_CHECK_CA_FILE"] = str(authority.ca_file)
    yield authority
    app.config["SITE_CHECK_CA_FILE"] = None


def _give(solution, urls):
    db.session.add(SiteAddresses(solution_id=solution.id, **urls))
    db.session.commit()


def _regressions(audit):
    return db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.audit_id == audit.id, AuditEvent.action == AuditAction.site_check_regression
        )
    ).all()


def test_beat_schedules_the_nightly_monitoring():
    assert MONITOR in {entry["task"] for entry in beat_schedule().values()}


def test_an_approved_solution_whose_certificate_expires_alerts(authority, outbox):
    company, manager = make_user(Role.company), make_user(Role.manager)
    approval = make_approved_audit(make_solution(company.organization))
    solution = approval.solution
    with Site(legal_pages(), authority.valid("localhost")) as site:
        _give(solution, addresses(site))
        assert monitor_approved_solutions() == 1
    first = operations.latest_check(solution.id)
    assert first.trigger == Trigger.monitoring and first.regressions == []
    assert first.audit_id == approval.id
    assert _regressions(approval) == [] and outbox == []

    # the same site, now with an expired certificate
    with Site(legal_pages(), authority.expired("localhost")) as site:
        for name, url in addresses(site).items():
            setattr(db.session.get(SiteAddresses, solution.id), name, url)
        db.session.commit()
        monitor_approved_solutions()
    second = operations.latest_check(solution.id)
    assert second.id != first.id and "tls_certificate" in second.regressions
    [event] = _regressions(approval)
    assert event.data["check_id"] == second.id
    recipients = {mail.recipient for mail in db.session.scalars(select_mail())}
    assert {company.email, manager.email} <= recipients

    # the next night the certificate is still expired: recorded, but no new alert
    with Site(legal_pages(), authority.expired("localhost")) as site:
        for name, url in addresses(site).items():
            setattr(db.session.get(SiteAddresses, solution.id), name, url)
        db.session.commit()
        monitor_approved_solutions()
    assert operations.latest_check(solution.id).regressions == []
    assert len(_regressions(approval)) == 1


def test_solutions_not_approved_are_not_monitored(authority):
    solution = make_audit().solution
    with Site(legal_pages(), authority.valid("localhost")) as site:
        _give(solution, addresses(site))
        assert monitor_approved_solutions() == 0
    assert db.session.scalars(select(SiteCheck)).all() == []


def select_mail():
    from accelerator.core.mail import OutgoingMail

    return select(OutgoingMail)


def test_the_public_page_shows_the_date_of_the_last_check(client, authority):
    from tests.catalogue.helpers import approve

    audit = approve("Lecture Vive")
    db.session.commit()
    page = client.get("/catalogue/lecture-vive").get_data(as_text=True)
    assert "pas encore été vérifié automatiquement" in page
    with Site(legal_pages(), authority.valid("localhost")) as site:
        _give(audit.solution, addresses(site))
        monitor_approved_solutions()
    checked = operations.latest_check(audit.solution_id).checked_at
    page = client.get("/catalogue/lecture-vive").get_data(as_text=True)
    assert "vérifié automatiquement le" in page
    from accelerator.core.formatting import day

    with client.application.test_request_context():
        assert day(checked) in page
