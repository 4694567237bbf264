"""The pages the accessibility, keyboard and reflow checks walk, found from the URL map.

``pages_for(role)`` lists, for an anonymous visitor (``None``) or a role, every page route
(GET, outside the API) its row of the access matrix admits: routes without parameters as
they are, routes with parameters through one instance of the demo world (``seed_demo_world``:
``flask seed-demo``'s accounts, audits in every state, sessions, path and catalogue, plus a
teacher's attestation and an import job). A route the walk cannot fill must be listed in
``NOT_WALKED`` with its reason, so a new page is walked from the day it exists.

Files (a route ending in .pdf, .csv, .json...) are not pages; other answers that are not HTML
are left out when the walk meets them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from accelerator.accounts.models import Role, User
from accelerator.extensions import db
from tests.core.test_access_matrix import MATRIX, PUBLIC, SIGNED_IN

DEMO_PASSWORD = "demo-canope-2026"  # noqa: S105  the demo accounts' published password
ACCOUNTS = {
    Role.company: "company@demo.edtech.fr",
    Role.expert: "expert1@demo.canope.fr",
    Role.manager: "manager@demo.canope.fr",
    Role.trainer: "trainer@demo.canope.fr",
    Role.teacher: "teacher@demo.ac-paris.fr",
    Role.admin: "admin@demo.canope.fr",
}

#: page routes with parameters that the walk does not fill, and why
NOT_WALKED = {
    "core.set_language": "a redirection (the language switch), used by the walk itself",
    "accounts.logout": "signs out",
    "audits.download_evidence": "a file download",
    "audits.report": "a PDF",
    "audits.logo": "an image",
    "catalogue.badge": "an SVG image",
    "catalogue.approval_credential_json": "a JSON credential",
    "catalogue.approval_credential_jwt": "a JWT credential",
    "certification.status_list_credential": "a JSON credential",
    "certification.certificate_pdf": "a PDF",
    "certification.badge_json": "a JSON badge",
    "certification.badge_jwt": "a JWT badge",
    "certification.path_certificate_page": "the demo teacher has not finished the path",
    "certification.path_certificate_pdf": "a PDF",
    "certification.path_badge_json": "a JSON badge",
    "certification.path_badge_jwt": "a JWT badge",
    "criteria.framework_version_pdf": "a PDF",
    "criteria.admin_export": "a YAML file",
    "reporting.table_csv": "a CSV file",
    "reporting.partnership_document": "a file download",
    "training.import_rejections": "a CSV file",
    "core.job_json": "JSON",
    # the accounts' token pages: each is walked with a token that is not valid (its page
    # for a bad link), the real ones are covered by the journey of tests/browser
}


#: a route that serves a file, not a page
FILE = re.compile(r"\.(pdf|csv|json|jwt|xlsx|yaml|svg)$")


@dataclass(frozen=True)
class World:
    """The demo world's objects the walk names in URLs."""

    ids: dict[str, object]


def seed_demo_world() -> World:
    """``flask seed-demo``, then what it leaves out: an attestation of the demo teacher and
    an attendance import job of the trainer. Runs in an app context; commits."""
    from accelerator.audits.models import Audit
    from accelerator.audits.states import AuditStatus
    from accelerator.catalogue.models import CatalogueEntry
    from accelerator.catalogue.reviews.models import Review
    from accelerator.certification.operations import issue_certificate
    from accelerator.certification.questionnaires import QuestionnaireKind, token_for
    from accelerator.core.demo import run_seeders
    from accelerator.criteria.models import FrameworkVersion
    from accelerator.criteria.operations import draft_from
    from accelerator.training.imports import queue_attendance_import
    from accelerator.training.models import TrainingPath, TrainingSession
    from tests.certification.factories import enroll

    run_seeders()
    users = {role: _user(email) for role, email in ACCOUNTS.items()}
    by_status: dict = {}
    for audit in db.session.scalars(select(Audit).order_by(Audit.id)):
        by_status.setdefault(audit.status, audit)  # the first: the expired one is "approved" too
    past = db.session.scalars(
        select(TrainingSession).where(TrainingSession.reference == "CANOPE-2026-0003")
    ).one()
    teacher = users[Role.teacher]
    enrollment = next((e for e in past.enrollments if e.teacher_id == teacher.teacher.id), None)
    if enrollment is None:
        enrollment = enroll(teacher.teacher, past)
    certificate = issue_certificate(enrollment)
    job = queue_attendance_import(
        users[Role.trainer],
        io.BytesIO(
            "email;nom;prenom;academie;uai;situation;session;present;termine\r\n"
            f"ada@ac-paris.fr;Lovelace;Ada;paris;0750001A;titulaire;{past.reference};1;1\r\n".encode()
        ),
        send=False,
    )
    draft_version = draft_from(users[Role.admin])  # the administration's pages of a draft
    db.session.commit()
    draft, in_review = by_status[AuditStatus.draft], by_status[AuditStatus.in_review]
    approved = by_status[AuditStatus.approved]
    version = db.session.scalars(select(FrameworkVersion).order_by(FrameworkVersion.id)).first()
    domain = version.domains[0]
    entry = db.session.scalars(select(CatalogueEntry).order_by(CatalogueEntry.id)).first()
    review = next(
        r for r in db.session.scalars(select(Review).order_by(Review.id)) if r.is_published
    )
    hidden = _a_hidden_review(users[Role.manager], review)
    return World(
        ids={
            "draft_audit": draft.id,
            "draft_domain": draft.framework_version.domains[0].code,
            "review_audit": in_review.id,
            "review_domain": in_review.framework_version.domains[0].code,
            "committee_audit": by_status[AuditStatus.committee].id,
            "approved_audit": approved.id,
            "approved_solution": approved.solution_id,
            "organization": approved.solution.organization_id,
            "version": version.id,
            "draft_version": draft_version.id,
            "domain": domain.id,
            "criterion": domain.criteria[0].id,
            "slug": entry.slug,
            "review": review.id,
            "hidden_review": hidden.id,
            "verification_code": entry.verification_code,
            "session": db.session.scalars(
                select(TrainingSession).where(TrainingSession.reference == "CANOPE-2026-0001")
            )
            .one()
            .id,
            "past_session": past.id,
            "path": db.session.scalars(select(TrainingPath).order_by(TrainingPath.id)).first().id,
            "certificate": certificate.id,
            "certificate_code": certificate.code,
            "questionnaire_token": token_for(enrollment, QuestionnaireKind.satisfaction),
            "job": job.id,
        }
    )


def _a_hidden_review(manager: User, walked):
    """A second review of the walked one's solution, by another teacher, hidden by the
    manager: its moderation page offers to restore it."""
    from accelerator.catalogue.reviews.models import Review
    from accelerator.catalogue.reviews.operations import moderate_review
    from tests.factories import make_user

    hidden = db.session.scalars(
        select(Review).where(Review.id != walked.id, Review.solution_id == walked.solution_id)
    ).first()
    if hidden is None:
        author = make_user(Role.teacher, email="hidden.review@demo.ac-paris.fr")
        hidden = Review(
            solution_id=walked.solution_id, teacher_id=author.teacher.id, rating=1, comment="Bof."
        )
        db.session.add(hidden)
        db.session.flush()
    if hidden.is_published:
        moderate_review(manager, hidden.id, "hide", "Avis hors sujet (démonstration).")
    db.session.commit()
    return hidden


def _user(email: str) -> User:
    return db.session.scalars(select(User).where(User.email == email)).one()


def _instances(world: World) -> dict[str, str]:
    """One URL for each page route with parameters (needs a request context)."""
    i = world.ids
    audit = {"audit_id": i["approved_audit"]}
    version = {"version_id": i["version"]}
    return {
        "catalogue.solution": url_for("catalogue.solution", slug=i["slug"]),
        "catalogue.answer_review": url_for("catalogue.answer_review", review_id=i["review"]),
        "catalogue.report_review": url_for("catalogue.report_review", review_id=i["review"]),
        "catalogue.moderate_review": url_for("catalogue.moderate_review", review_id=i["review"]),
        "catalogue.review_form": url_for("catalogue.review_form", slug=i["slug"]),
        "catalogue.verify": url_for("catalogue.verify", code=i["verification_code"]),
        "certification.verify_page": url_for(
            "certification.verify_page", code=i["certificate_code"]
        ),
        "criteria.framework_version": url_for("criteria.framework_version", **version),
        "training.session_detail": url_for("training.session_detail", session_id=i["session"]),
        "training.path_detail": url_for("training.path_detail", path_id=i["path"]),
        "certification.questionnaire": url_for(
            "certification.questionnaire", kind="satisfaction", token=i["questionnaire_token"]
        ),
        "accounts.reset_password": url_for("accounts.reset_password", token="expired-link"),
        "accounts.verify_email": url_for("accounts.verify_email", token="expired-link"),
        "accounts.invitation": url_for("accounts.invitation", token="expired-link"),
        "accounts.organization": url_for(
            "accounts.organization", organization_id=i["organization"]
        ),
        "core.job_page": url_for("core.job_page", job_id=i["job"]),
        # the company's and the staff's audit pages
        "audits.solution": url_for("audits.solution", solution_id=i["approved_solution"]),
        "audits.edit_solution": url_for("audits.edit_solution", solution_id=i["approved_solution"]),
        "audits.declare_change": url_for(
            "audits.declare_change", solution_id=i["approved_solution"]
        ),
        "checks.site_checks": url_for("checks.site_checks", solution_id=i["approved_solution"]),
        "audits.audit": url_for("audits.audit", **audit),
        "audits.report_page": url_for("audits.report_page", **audit),
        "audits.self_assessment": url_for(
            "audits.self_assessment", audit_id=i["draft_audit"], domain_code=i["draft_domain"]
        ),
        "audits.scoring": url_for(
            "audits.scoring", audit_id=i["review_audit"], domain_code=i["review_domain"]
        ),
        "audits.committee": url_for("audits.committee", audit_id=i["committee_audit"]),
        # training
        "training.edit_session": url_for("training.edit_session", session_id=i["session"]),
        "training.edit_path": url_for("training.edit_path", path_id=i["path"]),
        "certification.certificate_page": url_for(
            "certification.certificate_page", certificate_id=i["certificate"]
        ),
        # the cadre's administration
        "criteria.admin_version": url_for("criteria.admin_version", **version),
        "criteria.admin_diff": url_for("criteria.admin_diff", **version),
        "criteria.admin_edit_version": url_for(
            "criteria.admin_edit_version", version_id=i["draft_version"]
        ),
        "criteria.admin_publish": url_for("criteria.admin_publish", version_id=i["draft_version"]),
        "criteria.admin_delete_draft": url_for(
            "criteria.admin_delete_draft", version_id=i["draft_version"]
        ),
        "criteria.admin_retire": url_for("criteria.admin_retire", **version),
        "criteria.admin_domain": url_for("criteria.admin_domain", domain_id=i["domain"], **version),
        "criteria.admin_criterion": url_for(
            "criteria.admin_criterion",
            domain_id=i["domain"],
            criterion_id=i["criterion"],
            **version,
        ),
    }


def _admits(row, role: Role | None) -> bool:
    if row == PUBLIC:
        return True
    if role is None:
        return False
    return row == SIGNED_IN or role in row


def pages_for(app, world: World, role: Role | None) -> list[str]:
    """The pages to walk as ``role`` (None: anonymous): the public ones for anonymous
    visitors, the role's own for a role (the public pages look alike signed in)."""
    with app.test_request_context():
        instances = _instances(world)
        pages: list[str] = []
        unfilled: list[str] = []
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            row = MATRIX.get(rule.endpoint)
            if (
                rule.endpoint == "static"
                or "GET" not in rule.methods
                or (rule.rule.startswith("/api/") and rule.endpoint != "core.api_docs")
                or rule.endpoint in NOT_WALKED
                or FILE.search(rule.rule)
                or row is None
                or not _admits(row, role)
                or (role is not None and row == PUBLIC)
            ):
                continue
            if rule.arguments:
                if rule.endpoint in instances:
                    url = instances[rule.endpoint]
                    if url not in pages:
                        pages.append(url)
                else:
                    unfilled.append(rule.endpoint)
            else:
                pages.append(url_for(rule.endpoint))
    assert not unfilled, f"page routes the walk cannot fill (add an instance): {unfilled}"
    if role is None:
        pages.append("/cette-page-n-existe-pas")  # the 404 page
    return pages


def role_views(app, world: World, role: Role | None) -> list[str]:
    """Pages that a role sees otherwise, walked again as that role: the session's page with
    its attendance table (trainer), with its enrolment form (teacher); a hidden review's
    moderation page, with its restore form (manager)."""
    with app.test_request_context():
        if role == Role.manager:
            review_id = world.ids["hidden_review"]
            return [url_for("catalogue.moderate_review", review_id=review_id)]
        if role == Role.trainer:
            return [url_for("training.session_detail", session_id=world.ids["past_session"])]
        if role == Role.teacher:
            return [url_for("training.session_detail", session_id=world.ids["session"])]
    return []


def is_html(response) -> bool:
    return response is not None and "text/html" in (response.headers.get("content-type") or "")


def sign_in(page, role: Role, language: str) -> None:
    """A fresh session in ``language``, signed in as the role's demo account."""
    page.context.clear_cookies()
    page.goto(f"/langue/{language}")
    page.goto("/connexion")
    page.locator("input[name=email]").fill(ACCOUNTS[role])
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert "/connexion" not in page.url, f"{role.value} could not sign in"


def anonymous(page, language: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/langue/{language}")


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)
