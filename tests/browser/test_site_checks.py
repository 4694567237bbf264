"""The site checks that need a browser, against local sites the test starts: cookies set
before any consent, third-party requests and known trackers, axe-core's findings and the
EcoIndex. Tracker host names are mapped to 127.0.0.1 by Chromium's --host-resolver-rules
(``SITE_CHECK_HOST_MAP``): nothing leaves the machine."""

from __future__ import annotations

import pytest

from accelerator.checks import browser_checks
from accelerator.checks.findings import CheckKind, Outcome
from accelerator.checks.network import Settings
from accelerator.core.browser import chromium_available
from tests.checks.sites import PAGE, Authority, Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="no chromium (make browser)"),
]

SETTINGS = Settings(timeout=10, host_map={"*": "127.0.0.1"}, allow_private=True, browser=True)


def _by_kind(findings) -> dict:
    return {f.kind: f for f in findings}


def test_a_clean_page_sets_no_cookie_loads_no_third_party_and_weighs_little():
    with Site({"/": (200, {}, PAGE)}) as site:
        findings = _by_kind(browser_checks.run({"landing_url": site.url("/")}, SETTINGS))
    outcomes = {kind: f.outcome for kind, f in findings.items()}
    assert outcomes == {kind: Outcome.passed for kind in browser_checks.BROWSER_KINDS}, {
        kind.value: (f.reason, f.facts) for kind, f in findings.items()
    }
    eco = findings[CheckKind.ecoindex].facts
    assert eco["grade"] == "A" and eco["requests"] >= 1 and eco["dom"] >= 5


def test_a_tracker_and_cookies_set_at_load_are_found(tmp_path):
    authority = Authority(tmp_path)
    tracker_pages = {
        # a third party's cookie needs SameSite=None; Secure, hence HTTPS
        "/collect.js": (
            200,
            {"Set-Cookie": "_ga=GA1.1.42; SameSite=None; Secure; Path=/"},
            b"/* tracking */",
        ),
        "/pixel.gif": (200, {}, b"GIF89a"),
    }
    with Site(tracker_pages, authority.valid("www.google-analytics.com")) as tracker:
        page = (
            "<!doctype html><html lang='fr'><head><title>Accueil</title>"
            f"<script src='{tracker.url('/collect.js', 'www.google-analytics.com')}'></script>"
            "</head><body><main><h1>Bonjour</h1>"
            f"<img src='{tracker.url('/pixel.gif', 'cdn.partenaire.example')}' alt=''>"
            "</main></body></html>"
        ).encode()
        pages = {"/": (200, {"Set-Cookie": "session=abc; Path=/"}, page)}
        with Site(pages) as site:
            findings = _by_kind(
                browser_checks.run({"landing_url": site.url("/", "eleves.exemple.fr")}, SETTINGS)
            )
    trackers = findings[CheckKind.trackers]
    assert (trackers.outcome, trackers.facts["domains"]) == (
        Outcome.failed,
        ["google-analytics.com"],
    )
    third = findings[CheckKind.third_parties].facts["domains"]
    assert third == ["google-analytics.com", "partenaire.example"]
    cookies = findings[CheckKind.cookies]
    assert cookies.outcome == Outcome.failed  # a third party's cookie, before any consent
    assert cookies.facts["first_party"] == ["session"]
    assert any(name.startswith("_ga ") for name in cookies.facts["third_party"])


def test_an_inaccessible_page_has_axe_findings():
    page = b"<!doctype html><html><body><img src='/x.png'><input type='text'></body></html>"
    with Site({"/": (200, {}, page)}) as site:
        found = _by_kind(browser_checks.run({"landing_url": site.url("/")}, SETTINGS))
    accessibility = found[CheckKind.accessibility]
    assert accessibility.outcome == Outcome.failed
    assert {"image-alt", "html-has-lang"} <= set(accessibility.facts["rules"])
    assert accessibility.facts["serious"] >= 1


def test_trackers_appearing_on_an_approved_solution_are_a_regression(tmp_path):
    """The monitoring's rule, with the browser's findings: the trackers check passed on the
    previous run and fails now, so the approval's history records it and mail is queued."""
    from sqlalchemy import select

    from accelerator.accounts.models import Role
    from accelerator.audits.models import AuditEvent
    from accelerator.audits.states import AuditAction
    from accelerator.checks import operations
    from accelerator.checks.models import Trigger
    from accelerator.core.mail import OutgoingMail
    from accelerator.extensions import db
    from tests.audits.factories import make_approved_audit, make_solution
    from tests.factories import make_user

    company, manager = make_user(Role.company), make_user(Role.manager)
    approval = make_approved_audit(make_solution(company.organization))
    db.session.commit()
    with Site({}) as tracker, Site({"/": (200, {}, PAGE)}) as site:
        urls = {"landing_url": site.url("/", "eleves.exemple.fr")}
        first = operations.record_check(
            approval.solution, operations.all_checks(urls, SETTINGS), Trigger.monitoring, urls
        )
        tracked = PAGE.replace(
            b"</main>",
            f"<img src='{tracker.url('/p.gif', 'px.ads.linkedin.com')}' alt=''></main>".encode(),
        )
        site.pages["/"] = (200, {}, tracked)
        second = operations.record_check(
            approval.solution, operations.all_checks(urls, SETTINGS), Trigger.monitoring, urls
        )
        db.session.commit()
    assert first.regressions == [] and second.regressions == ["trackers"]
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == AuditAction.site_check_regression)
    )
    assert event.audit_id == approval.id and event.data["check_id"] == second.id
    recipients = set(db.session.scalars(select(OutgoingMail.recipient)))
    assert {company.email, manager.email} <= recipients


def test_the_browser_reaches_no_private_address_without_leave():
    """The address guard holds in the browser too: a page on a private address (here every
    host maps to loopback) is not loaded, and nothing is claimed about it."""
    guarded = Settings(timeout=5, host_map={"*": "127.0.0.1"}, allow_private=False, browser=True)
    with Site({"/": (200, {"Set-Cookie": "a=b"}, PAGE)}) as site:
        findings = browser_checks.run({"landing_url": site.url("/", "intranet.example")}, guarded)
    assert {f.outcome for f in findings} == {Outcome.unknown}
    assert {f.reason for f in findings} == {"unreachable"}
