"""Pages of a teacher's training records ("Mes formations"), the public verification of
attestations, the public counter ("Progression") and the badge issuer's public key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_time, get_locale, get_timezone, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.audits.models import Solution
from accelerator.certification import (
    badges,
    credential_check,
    operations,
    progress,
    questionnaires,
    status_list,
)
from accelerator.certification.exports import (
    badge_json_response,
    badge_jwt_response,
    certificate_content,
    path_certificate_content,
    pdf_response,
)
from accelerator.certification.forms import (
    CheckCredentialForm,
    FollowUpForm,
    PriorUseFollowUpForm,
    PriorUseRateForm,
    RateForm,
    VerifyForm,
)
from accelerator.certification.models import PathCertificate, QuestionnaireKind
from accelerator.core.errors import NotFound
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.permissions import guarded_by, public, roles_required
from accelerator.core.reference import ACADEMIES
from accelerator.core.security import no_store
from accelerator.core.unit_of_work import attempt
from accelerator.extensions import db
from accelerator.training.operations import record_prior_use

bp = Blueprint("certification", __name__)


def _rate_form(session_id: int, formdata=None) -> RateForm:
    return RateForm(formdata=formdata, prefix=f"rate-{session_id}")


def _my_trainings_page(failed: RateForm | None = None, failed_session: int | None = None):
    coming, past = operations.training_records(current_user)
    forms = {
        record.session.id: (
            failed if record.session.id == failed_session else _rate_form(record.session.id)
        )
        for record in past + coming
        if record.can_rate
    }
    return render_template(
        "certification/my_trainings.html", coming=coming, past=past, forms=forms
    ), (422 if failed is not None else 200)


@bp.route("/mes-formations")
@roles_required(Role.teacher)
def my_trainings():
    return _my_trainings_page()


@bp.route("/mes-formations/sessions/<int:session_id>/avis", methods=["POST"])
@roles_required(Role.teacher)
def rate_session(session_id: int):
    operations.own_enrollment(current_user, session_id)  # not the caller's session: 404
    form = _rate_form(session_id, request.form)
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.rate_session(current_user, session_id, form.rating.data, form.comment.data)
        if outcome.ok:
            flash(gettext("Thank you: your rating has been recorded."), "success")
            return redirect(url_for(".my_trainings") + f"#session-{session_id}")
        if not any(field.errors for field in form):
            return redirect(url_for(".my_trainings"))  # not attended yet, or already rated
    return _my_trainings_page(failed=form, failed_session=session_id)


def _answer_of(kind: QuestionnaireKind, enrollment):
    if kind == QuestionnaireKind.satisfaction:
        return operations.feedback_of(enrollment)
    return operations.follow_up_of(enrollment)


def _questionnaire_page(kind: QuestionnaireKind, enrollment, form, status: int = 200):
    response = make_response(
        render_template(
            "certification/questionnaire.html",
            kind=kind,
            enrollment=enrollment,
            session=enrollment.session,
            solutions=", ".join(s.name for s in enrollment.session.solutions),
            answer=_answer_of(kind, enrollment),
            form=form,
        ),
        status,
    )
    return no_store(response)  # the URL holds the link's token


@bp.route("/questionnaires/<kind>/<token>", methods=["GET", "POST"])
@guarded_by("Enrollment.belongs_to")
@public
def questionnaire(kind: str, token: str):
    """The questionnaire an email links to (satisfaction, follow-up): its signed token
    names the enrolment; a bad or expired token, or another teacher signed in, answers 404."""
    try:
        kind = QuestionnaireKind(kind)
    except ValueError:
        abort(404)
    enrollment = questionnaires.enrollment_for_token(token, kind, current_user)
    if enrollment is None:
        abort(404)
    satisfaction = kind == QuestionnaireKind.satisfaction
    solutions = ", ".join(s.name for s in enrollment.session.solutions)
    # nobody asked the reinvestment indicator's first question at enrolment: ask it now
    ask_prior_use = enrollment.already_uses_in_class is None
    if satisfaction:
        form = PriorUseRateForm() if ask_prior_use else RateForm()
    else:
        form = PriorUseFollowUpForm() if ask_prior_use else FollowUpForm()
        form.used_in_class.label.text = gettext(
            "Have you used %(solutions)s in class since the training?", solutions=solutions
        )
    if ask_prior_use:
        form.already_used.label.text = gettext(
            "Before this training, were you already using %(solutions)s in class?",
            solutions=solutions,
        )
    if request.method == "POST" and _answer_of(kind, enrollment) is None:
        if form.validate_on_submit():
            with attempt(form) as outcome:
                if satisfaction:
                    operations.record_feedback(enrollment, form.rating.data, form.comment.data)
                else:
                    operations.record_follow_up(enrollment, form.used_in_class.data)
                if ask_prior_use and form.already_used.data is not None:
                    record_prior_use(enrollment, form.already_used.data)
            if outcome.ok:
                flash(gettext("Thank you: your answer has been recorded."), "success")
                return redirect(url_for(".questionnaire", kind=kind.value, token=token), 303)
        return _questionnaire_page(kind, enrollment, form, 422)
    return _questionnaire_page(kind, enrollment, form)


@bp.route("/mes-formations/attestations/<int:certificate_id>.pdf")
@roles_required(Role.teacher)
def certificate_pdf(certificate_id: int):
    return pdf_response(operations.own_certificate(current_user, certificate_id))


@dataclass(frozen=True)
class DocumentPage:
    """What differs between the accessible pages of the two documents (the template is
    ``certification/certificate_document.html``)."""

    back_endpoint: str
    back_label: str
    revoked_title: str
    #: "%(day)s" is the day of the revocation
    revoked_text: str
    pdf_endpoint: str
    pdf_label: str
    #: "%(url)s" is the verification URL (the template links it)
    check_text: str


DOCUMENT_PAGES = {
    "attestation": DocumentPage(
        back_endpoint="certification.my_trainings",
        back_label=_l("My trainings"),
        revoked_title=_l("Revoked attestation"),
        revoked_text=_l("This attestation was issued by Réseau Canopé, then revoked on %(day)s."),
        pdf_endpoint="certification.certificate_pdf",
        pdf_label=_l("The same attestation as a PDF"),
        check_text=_l("Check this attestation at %(url)s"),
    ),
    "path": DocumentPage(
        back_endpoint="certification.my_paths",
        back_label=_l("My training paths"),
        revoked_title=_l("Revoked certificate"),
        revoked_text=_l("This certificate was issued by Réseau Canopé, then revoked on %(day)s."),
        pdf_endpoint="certification.path_certificate_pdf",
        pdf_label=_l("The same certificate as a PDF"),
        check_text=_l("Check this certificate at %(url)s"),
    ),
}


def _document_page(kind: str, certificate, content):
    return render_template(
        "certification/certificate_document.html",
        page=DOCUMENT_PAGES[kind],
        certificate=certificate,
        content=content,
    )


@bp.route("/mes-formations/attestations/<int:certificate_id>")
@roles_required(Role.teacher)
def certificate_page(certificate_id: int):
    """The attestation's accessible equivalent: the same content as its PDF, for its owner
    only (404 for anyone else, as the PDF)."""
    certificate = operations.own_certificate(current_user, certificate_id)
    return _document_page("attestation", certificate, certificate_content(certificate))


@bp.route("/mes-formations/badges/<int:certificate_id>.json")
@roles_required(Role.teacher)
def badge_json(certificate_id: int):
    return badge_json_response(operations.own_certificate(current_user, certificate_id))


@bp.route("/mes-formations/badges/<int:certificate_id>.jwt")
@roles_required(Role.teacher)
def badge_jwt(certificate_id: int):
    return badge_jwt_response(operations.own_certificate(current_user, certificate_id))


@bp.route("/mes-parcours")
@roles_required(Role.teacher)
def my_paths():
    """The teacher's progress along every published path, and their path certificates."""
    return render_template(
        "certification/my_paths.html", records=operations.path_records(current_user)
    )


@bp.route("/mes-parcours/certificats/<int:certificate_id>.pdf")
@roles_required(Role.teacher)
def path_certificate_pdf(certificate_id: int):
    return pdf_response(operations.own_path_certificate(current_user, certificate_id))


@bp.route("/mes-parcours/certificats/<int:certificate_id>")
@roles_required(Role.teacher)
def path_certificate_page(certificate_id: int):
    """The path certificate's accessible equivalent: the same content as its PDF, for its
    owner only (404 for anyone else, as the PDF)."""
    certificate = operations.own_path_certificate(current_user, certificate_id)
    return _document_page("path", certificate, path_certificate_content(certificate))


@bp.route("/mes-parcours/badges/<int:certificate_id>.json")
@roles_required(Role.teacher)
def path_badge_json(certificate_id: int):
    return badge_json_response(operations.own_path_certificate(current_user, certificate_id))


@bp.route("/mes-parcours/badges/<int:certificate_id>.jwt")
@roles_required(Role.teacher)
def path_badge_jwt(certificate_id: int):
    return badge_jwt_response(operations.own_path_certificate(current_user, certificate_id))


@bp.route("/attestations")
@public
def verify_form():
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for(".verify_page", code=form.code.data.strip()))
    return render_template("certification/verify_form.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/attestations/<code>")
@public
def verify_page(code: str):
    try:
        certificate = operations.verify_any_certificate(code)
    except NotFound:
        form = VerifyForm(data={"code": code})
        return render_template("certification/verify_form.html", form=form, unknown=True), 404
    if isinstance(certificate, PathCertificate):
        return render_template(
            "certification/verify_path.html",
            certificate=certificate,
            teacher_name=operations.public_name(certificate.teacher),
            status=badges.status(certificate),
        )
    return render_template(
        "certification/verify.html",
        certificate=certificate,
        teacher_name=operations.public_name(certificate.enrollment.teacher),
        status=badges.status(certificate),
    )


def figures_time(moment: datetime) -> str:
    """When the figures were computed, in Paris time: "Chiffres arrêtés le 1er décembre 2026
    à 10 h 15" (French ordinal and hours), "Figures as of 1 December 2026 at 10:15"."""
    local = moment.astimezone(get_timezone())
    locale = get_locale()
    if locale is not None and locale.language == "fr":
        day = format_date(local.date(), "d MMMM yyyy")
        if local.day == 1:
            day = "1er " + format_date(local.date(), "MMMM yyyy")
        time = f"{local.hour}\u00a0h\u00a0{local.minute:02d}"
    else:
        day = format_date(local.date(), "d MMMM yyyy")
        time = format_time(local.time(), "HH:mm")
    return gettext("Figures as of %(day)s at %(time)s", day=day, time=time)


def _month_label(key: str) -> str:
    return format_date(date(int(key[:4]), int(key[5:7]), 1), "MMMM yyyy")


#: Solutions listed on ``/progression`` (the most trained teachers first).
TOP_SOLUTIONS = 50


@bp.route("/progression")
@public
def progress_page():
    figures = progress.cached_summary()
    # the page lists the solutions with the most trained teachers (thousands of rows would
    # weigh on every visit and every screen reader); the API answers all of them
    top_solutions = sorted(figures["by_solution"].items(), key=lambda item: (-item[1], item[0]))[
        :TOP_SOLUTIONS
    ]
    names = dict(
        db.session.execute(
            select(Solution.slug, Solution.name).where(
                Solution.slug.in_([slug for slug, _ in top_solutions])
            )
        ).all()
    )
    return render_template(
        "certification/progress.html",
        figures=figures,
        academies=ACADEMIES,
        solution_names=names,
        top_solutions=top_solutions,
        top_count=TOP_SOLUTIONS,
        month_labels={key: _month_label(key) for key in figures["by_month"]},
        pace_from=_month_label(figures["pace_months"][0]),
        pace_to=_month_label(figures["pace_months"][-1]),
        figures_time=figures_time(figures["as_of"]),
    )


@bp.route("/.well-known/jwks.json")
@public
def jwks():
    """The public key that verifies the service's Open Badges (VC-JWT, EdDSA)."""
    response = jsonify(badges.jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


#: list numbers beyond this one would index more credentials than the service will issue
MAX_LIST_NUMBER = 9_999


@bp.route("/credentials/status/<purpose>/<int:number>")
@public
def status_list_credential(purpose: str, number: int):
    """A Bitstring Status List of the service's credentials, signed (VC-JWT): the URL every
    credential's ``statusListCredential`` names."""
    if purpose not in status_list.PURPOSES or number > MAX_LIST_NUMBER:
        abort(404)
    response = make_response(status_list.signed_list(purpose, number))
    response.mimetype = "application/vc+jwt"
    response.headers["Cache-Control"] = f"public, max-age={status_list.TTL_SECONDS}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # verifiers run in browsers too
    response.add_etag()
    return response.make_conditional(request)


@bp.route("/credentials/check", methods=["GET", "POST"])
@public
def check_credential():
    """Paste a signed credential (an approval's, an attestation's, a path certificate's):
    its signature, dates and status are checked. The POST writes nothing."""
    form = CheckCredentialForm()
    check = None
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("certification/check_credential.html", form=form), 422
        check = credential_check.check_credential(form.jwt.data)
    return render_template("certification/check_credential.html", form=form, check=check)


add_nav_item(
    NavItem(
        45,
        "certification.my_trainings",
        _l("My trainings"),
        roles=(Role.teacher,),
        prefix="/mes-formations",
    )
)
add_nav_item(
    NavItem(
        46,
        "certification.my_paths",
        _l("My training paths"),
        roles=(Role.teacher,),
        prefix="/mes-parcours",
    )
)
add_nav_item(NavItem(80, "certification.progress_page", _l("Progress"), prefix="/progression"))
