"""Who reaches which route: the access matrix, one row per endpoint of the URL map.

Each row says who passes the route's gate: everyone (``PUBLIC``), anyone signed in
(``SIGNED_IN``) or a set of roles. For every route and method, an anonymous visitor and a
signed-in user of each role make the request (path parameters filled with objects that do
not exist: gates act before any lookup) and the answer must be:

- anonymous on a gated route: 401 problem+json in the API, the sign-in page otherwise;
- a role outside the row: 403;
- anyone the row admits: neither 401 nor 403 (the handler ran: typically 404 for the
  missing object, 200, a redirect, or 422 for the empty body);
- never a 5xx.

A new route without a row fails: deciding who may reach it is part of writing it. What a
route then lets each person do with *other people's* objects is the object matrix at the
end of this file (another company's, expert's or teacher's object answers 404).
"""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from accelerator.accounts.models import Role
from accelerator.accounts.organizations import invite_member
from accelerator.audits import operations
from accelerator.audits.demo import drive_audit
from accelerator.audits.states import AuditStatus
from accelerator.catalogue.reviews.models import Review
from accelerator.certification.operations import issue_certificate
from accelerator.core.jobs import Job
from accelerator.extensions import db
from tests.audits.factories import make_framework_version, make_solution, verify_organization_row
from tests.certification.factories import enroll, make_session
from tests.factories import PASSWORD, ApiClient, make_user

PUBLIC = "public"
SIGNED_IN = "signed-in"
C, E, T, M, A, P = (
    Role.company,
    Role.expert,
    Role.trainer,
    Role.manager,
    Role.admin,
    Role.teacher,
)
#: the roles that read audits: the company (its own), experts (assigned), managers, admins
AUDIT_READERS = {C, E, M, A}
STEERING = {M, A}

MATRIX: dict[str, object] = {
    # --- public pages and documents -------------------------------------------------------
    "core.home": PUBLIC,
    "core.accessibility": PUBLIC,
    "core.legal": PUBLIC,
    "core.personal_data": PUBLIC,
    "core.sitemap": PUBLIC,
    "core.set_language": PUBLIC,
    "core.healthz": PUBLIC,
    "core.api_docs": PUBLIC,
    "core.openapi": PUBLIC,
    "catalogue.search": PUBLIC,
    "catalogue.solution": PUBLIC,
    "catalogue.badge": PUBLIC,
    "catalogue.verify": PUBLIC,
    "catalogue.verify_form": PUBLIC,
    "catalogue.approval_credential_json": PUBLIC,
    "catalogue.open_data": PUBLIC,
    "catalogue.approval_credential_jwt": PUBLIC,
    "certification.status_list_credential": PUBLIC,
    "certification.check_credential": PUBLIC,
    # teachers' reviews: written by trained teachers, answered by the solution's company,
    # reported by anyone signed in, moderated by managers (who restore hidden ones)
    "catalogue.review_form": {P},
    "catalogue.answer_review": {C},
    "catalogue.report_review": SIGNED_IN,
    "catalogue.moderation_queue": {M},
    "catalogue.moderate_review": {M},
    "catalogue.hidden_reviews": {M},
    "catalogue.restore_review": {M},
    "criteria.framework": PUBLIC,
    "criteria.framework_pdf_in_force": PUBLIC,
    "criteria.framework_version": PUBLIC,
    "criteria.framework_version_pdf": PUBLIC,
    "criteria.self_diagnostic": PUBLIC,
    "certification.jwks": PUBLIC,
    "certification.progress_page": PUBLIC,
    "certification.verify_form": PUBLIC,
    "certification.verify_page": PUBLIC,
    # the link in the mail carries a signed token: the token is the credential
    "certification.questionnaire": PUBLIC,
    "training.sessions_list": PUBLIC,
    "training.session_detail": PUBLIC,
    # a logo is public once its solution is in the catalogue, else its readers' (predicate)
    "audits.logo": PUBLIC,
    # --- accounts ------------------------------------------------------------------------
    "accounts.login": PUBLIC,
    "accounts.logout": PUBLIC,
    "accounts.register": PUBLIC,
    "accounts.register_company": PUBLIC,
    "accounts.register_teacher": PUBLIC,
    "accounts.forgot_password": PUBLIC,
    "accounts.reset_password": PUBLIC,
    "accounts.verify_email": PUBLIC,
    "accounts.invitation": PUBLIC,
    "accounts.account": SIGNED_IN,
    "accounts.account_language": SIGNED_IN,
    "accounts.account_name": SIGNED_IN,
    "accounts.account_password": SIGNED_IN,
    "accounts.logout_everywhere": SIGNED_IN,
    "accounts.resend_verification": SIGNED_IN,
    "accounts.organization": SIGNED_IN,
    "accounts.my_organization": {C},
    "accounts.invite_member": {C},
    "accounts.revoke_invitation": {C},
    "accounts.transfer_ownership": {C},
    "accounts.leave_organization": {C},
    "accounts.decide_join_request": {C, M},
    "accounts.verify_organization": {M},
    "accounts.organizations_overview": STEERING,
    "accounts.users": {A},
    "accounts.create_user": {A},
    "accounts.failed_mail": {A},
    "accounts.retry_failed_mail": {A},
    "core.job_page": SIGNED_IN,
    "core.job_json": SIGNED_IN,
    # --- solutions and audits ------------------------------------------------------------
    "audits.my_solutions": {C},
    "audits.new_solution": {C},
    "audits.edit_solution": {C},
    "audits.start_audit": {C},
    "audits.declare_change": {C},
    "audits.self_assessment": {C},
    "audits.upload_evidence": {C},
    "audits.remove_evidence": {C},
    "audits.renew": {C},
    "audits.condition_evidence": {C},
    "audits.solution": AUDIT_READERS,
    "audits.audit": AUDIT_READERS,
    "audits.transition": AUDIT_READERS,
    "audits.download_evidence": AUDIT_READERS,
    "audits.report": AUDIT_READERS,
    "audits.report_page": AUDIT_READERS,
    "audits.my_evaluations": {E},
    "audits.conflicts": {E},
    "audits.scoring": {E},
    "audits.complete_scoring": {E},
    "audits.assign": {M},
    "audits.consolidate": {M},
    "audits.decide_change": {M},
    "audits.condition_judgement": {M},
    "audits.accept_texts": {M},
    "audits.refuse_texts": {M},
    "audits.committee": STEERING,
    "audits.steering": STEERING,
    # --- the cadre de confiance's administration ----------------------------------------
    "criteria.admin_versions": {A},
    "criteria.admin_version": {A},
    "criteria.admin_diff": {A},
    "criteria.admin_export": {A},
    "criteria.admin_create_draft": {A},
    "criteria.admin_edit_version": {A},
    "criteria.admin_publish": {A},
    "criteria.admin_retire": {A},
    "criteria.admin_delete_draft": {A},
    "criteria.admin_domain": {A},
    "criteria.admin_delete_domain": {A},
    "criteria.admin_criterion": {A},
    "criteria.admin_delete_criterion": {A},
    # --- training and attestations ---------------------------------------------------------
    "training.create_session": {T, M},
    "training.edit_session": {T, M},
    "training.cancel_session": {T, M},
    "training.enroll_teacher": {T, M},
    "training.record_attendance": {T, M},
    "training.import_file": {T, M},
    "training.import_rejections": {T, M},
    "training.import_template": {T, M},
    "training.enroll": {P},
    "training.cancel_enrollment": {P, T, M},
    "certification.my_trainings": {P},
    "certification.certificate_page": {P},
    "certification.certificate_pdf": {P},
    "certification.badge_json": {P},
    "certification.badge_jwt": {P},
    "certification.rate_session": {P},
    # training paths: public once published (drafts: their authors' roles, by predicate)
    "training.paths_list": PUBLIC,
    "training.path_detail": PUBLIC,
    "training.create_path": {T, M},
    "training.edit_path": {T, M},
    "training.delete_path": {T, M},
    "training.publish_path": {M},
    "certification.my_paths": {P},
    "certification.path_certificate_page": {P},
    "certification.path_certificate_pdf": {P},
    "certification.path_badge_json": {P},
    "certification.path_badge_jwt": {P},
    # --- steering ----------------------------------------------------------------------------
    "reporting.dashboard": STEERING,
    "reporting.table_csv": STEERING,
    "reporting.tables_xlsx": STEERING,
    "reporting.report_pdf": STEERING,
    "reporting.settings": STEERING,
    "reporting.add_target": STEERING,
    "reporting.add_population": STEERING,
    "reporting.add_partnership": STEERING,
    "reporting.partnership_document": STEERING,
    "reporting.add_paf_action": STEERING,
    "reporting.set_follow_up_delay": STEERING,
    # --- API: accounts, organizations, jobs --------------------------------------------------
    "api.register_user": PUBLIC,
    "api.create_token": PUBLIC,
    "api.accept_invitation": PUBLIC,
    "api.revoke_token": SIGNED_IN,
    "api.resend_verification": SIGNED_IN,
    "api.me": SIGNED_IN,
    "api.get_user": SIGNED_IN,
    "api.list_users": {M, A},
    "api.create_user": {A},
    "api.get_organization": SIGNED_IN,
    "api.invite_member": {C},
    "api.list_invitations": {C},
    "api.revoke_invitation": {C},
    "api.leave_organization": {C},
    "api.transfer_ownership": {C},
    "api.verify_organization": {M},
    "api.list_join_requests": SIGNED_IN,
    "api.accept_join_request": {C},
    "api.refuse_join_request": {C},
    "api.dispute_join_request": {C},
    "api.settle_dispute": {M},
    "api.get_job": SIGNED_IN,
    # --- API: cadre de confiance -------------------------------------------------------------
    "api.list_frameworks": PUBLIC,
    "api.get_framework": PUBLIC,
    "api.current_framework": PUBLIC,
    "api.diagnostic": PUBLIC,
    "api.create_draft": {A},
    "api.publish_framework": {A},
    "api.retire_framework": {A},
    # --- automated checks of a solution's site (its readers; the company edits addresses) ---
    "checks.site_checks": AUDIT_READERS,
    "checks.save_addresses": {C},
    "checks.start_check": AUDIT_READERS,
    "api.get_site_addresses": AUDIT_READERS,
    "api.put_site_addresses": {C},
    "api.start_site_check": AUDIT_READERS,
    "api.list_site_checks": AUDIT_READERS,
    "api.get_site_check": AUDIT_READERS,
    # --- API: solutions and audits -----------------------------------------------------------
    "api.create_solution": {C},
    "api.update_solution": {C},
    "api.upload_logo": {C},
    "api.declare_change": {C},
    "api.list_solutions": AUDIT_READERS,
    "api.get_solution": AUDIT_READERS,
    "api.list_changes": AUDIT_READERS,
    "api.accept_solution_texts": {M},
    "api.refuse_solution_texts": {M},
    "api.decide_change": {M},
    "api.create_audit": {C},
    "api.answer_criterion": {C},
    "api.upload_evidence": {C},
    "api.remove_evidence": {C},
    "api.renew_audit": {C},
    "api.submit_condition_evidence": {C},
    "api.list_audits": AUDIT_READERS,
    "api.get_audit": AUDIT_READERS,
    "api.list_evidence": AUDIT_READERS,
    "api.download_evidence": AUDIT_READERS,
    "api.audit_result": AUDIT_READERS,
    "api.audit_report": AUDIT_READERS,
    # the workflow's row names the actors of each action (403 for a role that never may)
    "api.transition_audit": SIGNED_IN,
    "api.record_score": {E},
    "api.complete_scoring": {E},
    "api.declare_conflict": {E},
    "api.list_conflicts": {E, M, A},
    "api.assign_expert": {M},
    "api.consolidate_criterion": {M},
    "api.judge_condition": {M},
    "api.expert_workload": STEERING,
    # --- API: catalogue, verification, open data -----------------------------------------------
    "api.catalogue_search": PUBLIC,
    "api.catalogue_solution": PUBLIC,
    "api.verify_approval": PUBLIC,
    "api.approval_credential_download": PUBLIC,
    "api.catalogue_transparency": PUBLIC,
    "api.open_data_transparency_json": PUBLIC,
    "api.open_data_transparency_schema": PUBLIC,
    "api.check_credential": PUBLIC,
    "api.list_reviews": PUBLIC,
    "api.write_review": {P},
    "api.edit_review": {P},
    "api.answer_review": {C},
    "api.report_review": SIGNED_IN,
    "api.list_reported_reviews": {M},
    "api.moderate_review": {M},
    "api.list_hidden_reviews": {M},
    "api.restore_review": {M},
    "api.verify_certificate": PUBLIC,
    "api.badge_status": PUBLIC,
    "api.training_progress": PUBLIC,
    "api.open_data_decisions_csv": PUBLIC,
    "api.open_data_decisions_json": PUBLIC,
    "api.open_data_decisions_schema": PUBLIC,
    "api.list_indicators": STEERING,
    "api.get_indicator_settings": STEERING,
    "api.put_indicator_target": STEERING,
    "api.put_indicator_population": STEERING,
    "api.put_indicator_follow_up_delay": STEERING,
    # --- API: training ---------------------------------------------------------------------------
    "api.list_training_sessions": PUBLIC,
    "api.get_training_session": PUBLIC,
    "api.create_training_session": {T, M},
    "api.update_training_session": {T, M},
    "api.cancel_training_session": {T, M},
    "api.record_attendance": {T, M},
    "api.list_enrollments": {T, M},
    "api.import_attendance_file": {T, M},
    "api.enroll": {P, T, M},
    "api.cancel_enrollment": {P, T, M},
    "api.rate_session": {P},
    "api.my_certificates": {P},
    "api.certificate_pdf": {P},
    "api.badge_json": {P},
    "api.badge_jwt": {P},
    "api.list_training_paths": PUBLIC,
    "api.get_training_path": PUBLIC,
    "api.my_paths": {P},
    "api.my_path": {P},
    "api.my_path_certificates": {P},
    "api.path_certificate_pdf": {P},
    "api.path_badge_json": {P},
    "api.path_badge_jwt": {P},
}

#: routes that end the caller's session or token: the walk signs in again after them
SIGNING_OUT = {"accounts.logout", "accounts.logout_everywhere", "api.revoke_token"}


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _concrete(rule) -> str:
    # ids of objects that do not exist; other parameters a harmless word
    return re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: "999999" if m.group(1) == "int" else "x", rule.rule
    )


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule, _ in _routes(app)}
    missing = sorted(endpoints - MATRIX.keys())
    assert not missing, "routes without a row in the access matrix:\n" + "\n".join(missing)
    stale = sorted(MATRIX.keys() - endpoints)
    assert not stale, "rows of routes that no longer exist:\n" + "\n".join(stale)


def _admits(row, role: Role | None) -> bool:
    if row == PUBLIC:
        return True
    if role is None:
        return False
    return row == SIGNED_IN or role in row


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_each_role_gets_the_answer_its_row_says(app, client, role):
    api = ApiClient(client)
    user = make_user(role) if role is not None else None

    def sign_in():
        if user is not None:
            response = client.post("/connexion", data={"email": user.email, "password": PASSWORD})
            assert response.status_code == 302

    sign_in()
    wrong = []
    for rule, method in _routes(app):
        row = MATRIX.get(rule.endpoint)
        if row is None:
            continue  # reported by test_every_route_has_a_row
        is_api = rule.rule.startswith("/api/")
        url = _concrete(rule)
        if is_api:
            response = client.open(url, method=method, headers=api.headers_for(user), json={})
        else:
            response = client.open(url, method=method, data={})
        status = response.status_code
        to_sign_in = status == 302 and "/connexion" in response.headers.get("Location", "")
        if status >= 500:
            wrong.append(f"{method} {rule.rule}: {status}")
        elif not _admits(row, role):
            expected = 403 if role is not None else (401 if is_api else "sign-in page")
            if (expected == "sign-in page" and not to_sign_in) or (
                expected != "sign-in page" and status != expected
            ):
                wrong.append(f"{method} {rule.rule}: {status}, expected {expected}")
        elif status in (401, 403) or (to_sign_in and rule.endpoint not in SIGNING_OUT):
            wrong.append(f"{method} {rule.rule}: {status}, expected the handler to run")
        if rule.endpoint in SIGNING_OUT:
            sign_in()
    assert not wrong, f"as {getattr(role, 'value', 'anonymous')}:\n" + "\n".join(wrong)


# --- The object matrix: other people's objects answer 404 -----------------------------------

#: path parameter → the world's object it names
WORLD_PARAMETERS = {
    "audit_id",
    "solution_id",
    "evidence_id",
    "condition_id",
    "change_id",
    "organization_id",
    "invitation_id",
    "certificate_id",
    "enrollment_id",
    "session_id",
    "job_id",
    "user_id",
    "review_id",
}
#: what is private to a person of each role: another person of the same role reaching it
#: answers 404 (managers and admins read everything; trainers run every session, so only
#: their jobs are theirs; sessions themselves are public)
PRIVATE = {
    C: {"audit_id", "solution_id", "evidence_id", "condition_id", "change_id"}
    | {"organization_id", "invitation_id", "user_id", "job_id", "review_id"},
    E: {"audit_id", "solution_id", "evidence_id", "condition_id", "change_id", "user_id"},
    P: {"certificate_id", "enrollment_id", "user_id", "job_id", "review_id"},
    T: {"job_id", "user_id"},
}


#: routes whose object anyone signed in may act on: a published review is reported by
#: anyone (the reviews' tests prove a hidden one answers 404)
SHARED_OBJECT_ROUTES = {"catalogue.report_review", "api.report_review"}

#: a body that passes the route's first check for a role (the API's workflow tells a role
#: that may never take an action 403, before looking the audit up)
BODIES = {
    "api.edit_review": {P: {"rating": 5}},
    "api.answer_review": {C: {"answer": "Merci."}},
    "api.transition_audit": {
        C: {"action": "withdraw", "comment": "Retrait."},
        E: {"action": "request_info", "comment": "Précisez."},
    },
}


@pytest.fixture
def world(app):
    """One company's approved solution (audit with evidence, a condition and a declared
    change, two assigned experts), a teacher's completed training with its attestation and a
    trainer's import job; and, beside them, another person of each role."""
    make_framework_version()
    owner, manager = make_user(C), make_user(M)
    verify_organization_row(owner.organization, by=manager)
    experts = [make_user(E), make_user(E)]
    solution = make_solution(owner.organization)
    audit = operations.start_audit(owner, solution)
    evidence, _ = operations.add_evidence(owner, audit, BytesIO(b"%PDF-1.4\n%%EOF\n"), "notice.pdf")
    drive_audit(audit, AuditStatus.approved_with_conditions, owner, manager, experts)
    change = operations.declare_change(owner, solution, "Nouvelle version.", {"uses_ai": True})
    invitation = invite_member(owner, owner.organization, "collegue@exemple.fr")
    teacher, trainer = make_user(P), make_user(T)
    session = make_session([solution])
    enrollment = enroll(teacher.teacher, session)
    certificate = issue_certificate(enrollment)
    review = Review(
        solution_id=solution.id, teacher_id=teacher.teacher.id, rating=4, comment="Utile."
    )
    db.session.add(review)
    job = Job(kind="attendance_import", owner_id=trainer.id, params={})
    db.session.add(job)
    db.session.commit()
    ids = {
        "audit_id": audit.id,
        "solution_id": solution.id,
        "evidence_id": evidence.id,
        "condition_id": audit.latest_decision.conditions[0].id,
        "change_id": change.id,
        "organization_id": owner.organization_id,
        "invitation_id": invitation.id,
        "certificate_id": certificate.id,
        "enrollment_id": enrollment.id,
        "session_id": session.id,
        "job_id": job.id,
        "user_id": owner.id,
        "review_id": review.id,
    }
    others = {C: make_user(C), E: make_user(E), P: make_user(P), T: make_user(T)}
    words = {
        "domain_code": audit.framework_version.domains[0].code,
        "criterion_code": audit.framework_version.criteria()[0].code,
        "action": "submit",
        "decision": "accept",
    }
    return ids, words, others


def _private_routes(app, ids, words):
    for rule, method in _routes(app):
        names = set(rule.arguments)
        row = MATRIX.get(rule.endpoint)
        if not names or row in (None, PUBLIC) or not names <= (WORLD_PARAMETERS | words.keys()):
            continue

        def fill(match, ids=ids, words=words):
            name = match.group(2)
            return str(ids[name] if name in ids else words[name])

        yield rule, method, names, re.sub(r"<(?:(\w+):)?(\w+)>", fill, rule.rule)


#: the object routes each walk reaches at least (the URL map's, as written today)
MIN_OBJECT_ROUTES = {C: 40, E: 15, P: 8, T: 3}


@pytest.mark.parametrize("role", [C, E, P, T], ids=lambda r: r.value)
def test_another_persons_object_answers_404(app, client, world, role):
    ids, words, others = world
    other = others[role]
    api = ApiClient(client)
    response = client.post("/connexion", data={"email": other.email, "password": PASSWORD})
    assert response.status_code == 302
    checked, wrong = 0, []
    for rule, method, names, url in _private_routes(app, ids, words):
        if not _admits(MATRIX[rule.endpoint], role) or not names & PRIVATE[role]:
            continue
        if rule.endpoint in SHARED_OBJECT_ROUTES:
            continue
        body = BODIES.get(rule.endpoint, {}).get(role, {})
        if rule.rule.startswith("/api/"):
            response = client.open(url, method=method, headers=api.headers_for(other), json=body)
        else:
            response = client.open(url, method=method, data=body)
        if response.status_code != 404:
            wrong.append(f"{method} {url} ({rule.endpoint}): {response.status_code}")
        checked += 1
    assert checked >= MIN_OBJECT_ROUTES[role], f"the walk reached {checked} object routes only"
    assert not wrong, f"another {role.value}'s object reached:\n" + "\n".join(wrong)
