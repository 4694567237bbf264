"""Site checks: the company's addresses, a run as a job on the queue, the monitoring.

- ``save_addresses``: the company gives its solution's public URLs.
- ``request_site_check``: whoever reads the solution (its company, assigned experts,
  managers) queues a run; the same solution's run already queued or running is that job.
- ``run_site_check`` (the job's handler): every check, then one ``SiteCheck`` with its
  findings, written together and dated: the evidence of the audit in progress (else of the
  approval in force).
- ``monitor_approved_solutions`` (beat, daily): a run for each approved solution with
  addresses. A run that fails an eliminatory point the previous run passed is a
  regression: a row of the approval's history and an email to the managers and the company.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlsplit

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.audits.history import describe_with
from accelerator.audits.models import Audit, Solution
from accelerator.audits.notifications import company_emails, manager_emails, queue_mail
from accelerator.audits.operations import current_approval, record_event
from accelerator.audits.queries import solution_ids_in_force
from accelerator.audits.states import OPEN_STATES, AuditAction
from accelerator.checks import browser_checks
from accelerator.checks.findings import CheckKind, Finding, Outcome
from accelerator.checks.models import (
    ADDRESS_FIELDS,
    SiteAddresses,
    SiteCheck,
    SiteFinding,
    Trigger,
)
from accelerator.checks.network import Settings
from accelerator.checks.site import http_checks
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.jobs import Job, enqueue_job, report_progress
from accelerator.core.urls import public_url
from accelerator.extensions import db

KIND = "site_check"
REGRESSION_SUBJECT = _l("Automated check of %(solution)s: an eliminatory point regressed")
MAX_URL = 500


def not_found() -> NotFound:
    return NotFound(gettext("Nothing here, or not visible to you."))


def visible_solution(actor: User | None, solution_id: int) -> Solution:
    """The solution if ``actor`` reads it (``Solution.visible_to``); NotFound otherwise."""
    solution = db.session.scalar(Solution.visible_to(actor).where(Solution.id == solution_id))
    if solution is None:
        raise not_found()
    return solution


def addresses_of(solution: Solution) -> SiteAddresses | None:
    return db.session.get(SiteAddresses, solution.id)


def _clean_url(name: str, value: str | None, errors: dict) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    parts = urlsplit(value)
    if len(value) > MAX_URL:
        errors[name] = [gettext("%(max)s characters at most.", max=MAX_URL)]
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        errors[name] = [gettext("An address starting with https:// is expected.")]
    elif parts.username or parts.password:
        errors[name] = [gettext("An address without a user name or password is expected.")]
    return value


def save_addresses(actor: User, solution: Solution, values: dict) -> SiteAddresses:
    """The company sets its solution's public URLs (fields absent from ``values`` stay)."""
    if not (solution.organization_id == actor.organization_id and actor.role == Role.company):
        raise Forbidden(gettext("Only the solution's company gives its addresses."))
    errors: dict = {}
    cleaned = {
        name: _clean_url(name, values[name], errors) for name in ADDRESS_FIELDS if name in values
    }
    if errors:
        raise Invalid(gettext("Some addresses are not valid."), errors)
    row = addresses_of(solution)
    if row is None:
        row = SiteAddresses(solution_id=solution.id)
        db.session.add(row)
    for name, value in cleaned.items():
        setattr(row, name, value)
    db.session.flush()
    return row


def request_site_check(actor: User, solution: Solution, locale: str | None = None) -> Job:
    """Queue a run of the checks (the caller reads the solution: see ``visible_solution``)."""
    row = addresses_of(solution)
    if row is None or not row.any_given:
        raise Conflict(gettext("Give the solution's addresses before checking them."))
    return _enqueue(actor, solution, Trigger.requested, locale)


def _enqueue(actor: User | None, solution: Solution, trigger: Trigger, locale=None) -> Job:
    return enqueue_job(
        actor,
        KIND,
        {"solution_id": solution.id, "trigger": trigger.value, "locale": locale or "fr"},
        dedupe_key=f"{KIND}:{solution.id}",
    )


def audit_for_evidence(solution: Solution) -> Audit | None:
    """The audit a run informs: the one open now, else the latest approval."""
    open_audit = db.session.scalar(
        select(Audit).where(Audit.solution_id == solution.id, Audit.status.in_(OPEN_STATES))
    )
    return open_audit or current_approval(solution)


def latest_check(solution_id: int) -> SiteCheck | None:
    return db.session.scalar(
        select(SiteCheck)
        .where(SiteCheck.solution_id == solution_id)
        .order_by(SiteCheck.checked_at.desc(), SiteCheck.id.desc())
        .limit(1)
    )


def checks_of(solution_id: int):
    """The runs of a solution, newest first (a query: pages and the API paginate it)."""
    return (
        select(SiteCheck)
        .where(SiteCheck.solution_id == solution_id)
        .order_by(SiteCheck.checked_at.desc(), SiteCheck.id.desc())
    )


def all_checks(addresses: dict, settings: Settings) -> list[Finding]:
    """Every check on the addresses: over HTTP and TLS, then in the browser."""
    return http_checks(addresses, settings) + browser_checks.run(addresses, settings)


def record_check(
    solution: Solution,
    findings: list[Finding],
    trigger: Trigger,
    addresses: dict,
    requested_by: User | None = None,
    job: Job | None = None,
) -> SiteCheck:
    """Write the run and its findings at once; flag and announce regressions."""
    previous = latest_check(solution.id)
    audit = audit_for_evidence(solution)
    check = SiteCheck(
        solution_id=solution.id,
        audit_id=audit.id if audit else None,
        job_id=job.id if job else None,
        requested_by_id=requested_by.id if requested_by else None,
        trigger=trigger,
        addresses=addresses,
        summary=dict(Counter(f.outcome.value for f in findings)),
        findings=[
            SiteFinding(
                kind=f.kind, outcome=f.outcome, url=f.url[:MAX_URL], reason=f.reason, facts=f.facts
            )
            for f in findings
        ],
    )
    failing = {f.kind.value for f in findings if f.kind.eliminatory and f.outcome == Outcome.failed}
    if previous is not None:
        check.regressions = sorted(failing - previous.failing_eliminatory())
    db.session.add(check)
    db.session.flush()
    if check.regressions:
        _announce_regression(solution, check)
    return check


def _announce_regression(solution: Solution, check: SiteCheck) -> None:
    """Only an approved solution's regression is news: before approval the company is
    preparing, and its own page shows the failures."""
    approval = current_approval(solution)
    if approval is None:
        return
    # The row keeps the codes: it is read in the reader's language (``regression_details``).
    record_event(
        approval, None, AuditAction.site_check_regression, kinds=check.regressions,
        check_id=check.id,
    )  # fmt: skip
    with force_locale("fr"):
        points = [str(CheckKind(code).label) for code in check.regressions]
    url = public_url("checks.site_checks", solution_id=solution.id)
    context = {"solution": solution.name, "points": points, "url": url, "check": check}
    recipients = manager_emails() + company_emails(solution.organization_id)
    queue_mail(recipients, REGRESSION_SUBJECT, "site_check_regression", **context)


def regression_details(data: dict) -> str | None:
    """A regression row of the approval's history in words: the check and its points."""
    labels = []
    for code in data.get("kinds") or []:
        try:
            labels.append(str(CheckKind(code).label))
        except ValueError:  # a kind no longer checked: its code
            labels.append(code)
    points = ", ".join(labels) or ", ".join(data.get("points") or [])  # rows before the codes
    if data.get("check_id") is None:
        return points or None
    return gettext("check no. %(id)s: %(points)s", id=data["check_id"], points=points or "—")


describe_with(AuditAction.site_check_regression, regression_details)


def run_site_check(job: Job) -> dict:
    """The job's handler: check the solution's addresses as they are now."""
    params = job.params or {}
    solution = db.session.get(Solution, params.get("solution_id"))
    if solution is None:
        raise NotFound(gettext("This solution no longer exists."))
    row = addresses_of(solution)
    addresses = row.as_dict() if row else {}
    if not any(addresses.values()):
        raise Conflict(gettext("The solution has no address to check."))
    report_progress(job, 0, 2, commit=True)
    findings = all_checks(addresses, Settings.from_app())
    report_progress(job, 1, 2)
    check = record_check(
        solution,
        findings,
        Trigger(params.get("trigger", Trigger.requested.value)),
        addresses,
        requested_by=job.owner,
        job=job,
    )
    report_progress(job, 2, 2)
    return {"check_id": check.id, "summary": check.summary, "regressions": check.regressions}


def monitor_approved_solutions() -> list[Job]:
    """Queue a run for every solution in the catalogue that gave addresses (a solution's run
    already queued is not queued twice)."""
    solutions = db.session.scalars(
        select(Solution)
        .join(SiteAddresses, SiteAddresses.solution_id == Solution.id)
        .where(Solution.id.in_(solution_ids_in_force()))
        .order_by(Solution.id)
    ).all()
    return [_enqueue(None, solution, Trigger.monitoring) for solution in solutions]
