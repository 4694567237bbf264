"""Account pages: registration, login, logout, password reset, "Mon compte", staff accounts."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from accelerator.accounts import operations, organizations
from accelerator.accounts.forms import (
    CompanyRegistrationForm,
    DisputeForm,
    EmptyForm,
    ForgotPasswordForm,
    InvitationAccountForm,
    InvitationForm,
    LanguageForm,
    LoginForm,
    NameForm,
    PasswordChangeForm,
    RefusalForm,
    ResetPasswordForm,
    SettlementForm,
    StaffUserForm,
    TeacherRegistrationForm,
    TransferForm,
    UserSearchForm,
    VerificationForm,
)
from accelerator.accounts.limits import (
    Attempt,
    begin_attempt,
    per_address,
    reset_ceiling,
    reset_requests,
)
from accelerator.accounts.models import (
    Invitation,
    JoinRequest,
    JoinStatus,
    Organization,
    OrganizationRole,
    OrganizationVerification,
    Role,
    User,
    VerificationMethod,
)
from accelerator.core.forms import attempt, select_choices
from accelerator.core.navigation import NavItem, add_nav_item, add_workspace, workspace_url
from accelerator.core.permissions import login_required, public, roles_required
from accelerator.core.redirects import safe_next
from accelerator.core.security import no_store
from accelerator.core.unit_of_work import keep_despite_refusal
from accelerator.core.urls import public_url
from accelerator.extensions import db, limiter

bp = Blueprint("accounts", __name__)

CHECK_YOUR_MAILBOX = _l(
    "We sent you an email: follow its link to confirm your address. Until then, a company "
    "cannot submit an audit and a teacher's training record stays hidden."
)


def _sign_in(user: User, remember: bool = False) -> None:
    """Sign ``user`` in on this browser, in the server-side session opened with
    ``operations.open_session`` (committed with the request). A language chosen before
    (``/langue/<code>``) is kept, and becomes the account's stored language."""
    chosen = session.get("lang")
    session.clear()  # a fresh session at login, so a planted one cannot be reused
    login_user(user, remember=remember)
    if chosen in current_app.config["LANGUAGES"]:
        session["lang"] = chosen
        if user.locale != chosen:
            operations.set_language(user, chosen)


@bp.route("/inscription")
@public
def register():
    return render_template("accounts/register_choice.html")


@bp.route("/inscription/entreprise", methods=["GET", "POST"])
@per_address
@public
def register_company():
    form = CompanyRegistrationForm()
    if form.validate_on_submit():
        with attempt(form, aliases={"organization": {"siren": "siren"}}) as outcome:
            user = operations.register_company_member(
                form.email.data,
                form.password.data,
                form.full_name.data.strip(),
                {
                    "name": form.organization_name.data.strip(),
                    "siren": form.siren.data,
                    "country": form.country.data,
                },
            )
            operations.open_session(user)
        if outcome.ok:
            _sign_in(user)
            if user.organization_id is None:
                flash(
                    gettext(
                        "Welcome! An organization with this SIREN is already registered: "
                        "your request to join it was sent to its owner."
                    ),
                    "info",
                )
                return redirect(url_for("accounts.account"))
            flash(gettext("Welcome! Your company's account is ready."), "success")
            flash(CHECK_YOUR_MAILBOX, "info")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/register_company.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/inscription/enseignant", methods=["GET", "POST"])
@per_address
@public
def register_teacher():
    form = TeacherRegistrationForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = operations.register_teacher(
                form.email.data,
                form.password.data,
                form.full_name.data.strip(),
                {
                    "academy": form.academy.data,
                    "uai": form.uai.data,
                    "discipline": form.discipline.data,
                    "career_stage": form.career_stage.data,
                },
            )
            operations.open_session(user)
        if outcome.ok:
            _sign_in(user)
            flash(gettext("Welcome! Your teacher account is ready."), "success")
            flash(CHECK_YOUR_MAILBOX, "info")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/register_teacher.html", form=form), (
        422 if form.errors else 200
    )


def too_many_attempts(attempt: Attempt):
    """The 429 page of a refused credential attempt (the owner is told when the per-account
    ceiling trips)."""
    if attempt.ceiling_tripped:
        operations.notify_login_ceiling(attempt.email, attempt.retry_after)
        keep_despite_refusal()  # a 429 rolls the request back: the notification stays
    error = TooManyRequests(retry_after=attempt.retry_after)
    response = make_response(render_template("errors/429.html", error=error, status=429), 429)
    response.headers["Retry-After"] = str(attempt.retry_after)
    return response


@bp.route("/connexion", methods=["GET", "POST"])
@per_address
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        attempt = begin_attempt(form.email.data)
        if not attempt.allowed:
            return too_many_attempts(attempt)
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            attempt.succeeded()
            operations.open_session(user, remember=form.remember.data)
            _sign_in(user, remember=form.remember.data)
            # Staff land on their workspace; a safe ``next`` (a page that asked for the
            # sign-in) wins.
            landing = workspace_url(user, url_for("core.home"))
            return redirect(safe_next(request.args.get("next"), landing))
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, failed=failed), status


@bp.route("/deconnexion", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        operations.close_session(current_user)
    logout_user()  # also deletes this browser's remember cookie
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/mon-compte/deconnexion-partout", methods=["POST"])
@login_required
def logout_everywhere():
    """End every session of the account: other browsers, remember cookies, API tokens."""
    operations.sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    flash(gettext("You are signed out on every device."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@reset_requests
@reset_ceiling
@per_address
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(
            form.email.data,
            lambda token: public_url("accounts.reset_password", token=token),
        )
        # The same answer whether or not the address has an account.
        flash(
            gettext(
                "If an account uses this address, an email with a link to choose a new "
                "password is on its way. The link is valid for one hour."
            ),
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@per_address
@public
def reset_password(token: str):
    if operations.user_for_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.reset_password(token, form.password.data)
        flash(gettext("Your password has been changed. You can sign in."), "success")
        return redirect(url_for("accounts.login"))
    # The link's token is in the URL: no cache may keep the page.
    return no_store(make_response(render_template("accounts/reset_password.html", form=form)))


@bp.route("/mon-compte")
@login_required
def account():
    return _account_page()


@bp.route("/mon-compte/langue", methods=["POST"])
@login_required
def account_language():
    """Store the account's language (the header's switch only changes this session's)."""
    form = LanguageForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.set_language(current_user, form.language.data)
        if outcome.ok:
            session["lang"] = form.language.data
            flash(gettext("Your language is saved."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, language_form=form)


@bp.route("/mon-compte/nom", methods=["POST"])
@login_required
def account_name():
    """Change the name the account goes by."""
    form = NameForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            operations.rename_user(current_user, form.full_name.data)
        if outcome.ok:
            flash(gettext("Your name is saved."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(422, name_form=form)


@bp.route("/mon-compte/mot-de-passe", methods=["POST"])
@per_address
@login_required
def account_password():
    """Choose a new password, giving the current one; the other sessions end."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        # A wrong current password counts as a failed sign-in of the account.
        tried = begin_attempt(current_user.email)
        if not tried.allowed:
            return too_many_attempts(tried)
        with attempt(form) as outcome:
            operations.change_password(current_user, form.current_password.data, form.password.data)
        if outcome.ok:
            tried.succeeded()
            flash(
                gettext(
                    "Your password is changed. Your other sessions (other browsers and "
                    "devices, API tokens) are ended; this one goes on."
                ),
                "success",
            )
            return redirect(url_for("accounts.account"))
    return _account_page(422, password_form=form)


@bp.route("/verification/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str):
    """The link of the verification email: a page with one button (a GET never writes)."""
    user = operations.user_for_verification_token(token)
    if user is None:
        return no_store(make_response(render_template("accounts/verify_invalid.html"), 404))
    if request.method == "POST" and EmptyForm().validate_on_submit():
        operations.verify_email(token)
        flash(gettext("Thank you: your email address is confirmed."), "success")
        return redirect(url_for("accounts.account"))
    return no_store(make_response(render_template("accounts/verify_email.html", user=user)))


@bp.route("/mon-compte/verification", methods=["POST"])
@login_required
@limiter.limit("5 per hour", key_func=lambda: f"verification:{current_user.id}")
def resend_verification():
    if EmptyForm().validate_on_submit():
        with attempt():
            operations.resend_verification(current_user)
            flash(
                gettext(
                    "A new confirmation link is on its way to %(email)s.", email=current_user.email
                ),
                "info",
            )
    return redirect(url_for("accounts.account"))


#: accounts per page of the admins' list
USERS_PER_PAGE = 50


@bp.route("/admin/utilisateurs")
@roles_required(Role.admin)
def users():
    """Every account, by name, USERS_PER_PAGE at a time: a search on the start of the name
    or the email and a role filter, each answered by an index; pages follow one another by
    keyset (after the last account shown), so no page counts or skips the whole table."""
    filters = UserSearchForm(request.args)
    if not filters.validate():
        abort(400)
    anchor = None
    if filters.after.data:
        anchor = db.session.get(User, filters.after.data)
        if anchor is None:
            abort(404)
    statement = User.listing(
        current_user,
        filters.q.data or "",
        Role(filters.role.data) if filters.role.data else None,
        after=anchor,
    )
    rows = db.session.scalars(statement.limit(USERS_PER_PAGE + 1)).all()
    more = len(rows) > USERS_PER_PAGE
    rows = rows[:USERS_PER_PAGE]
    args = {k: v for k, v in (("q", filters.q.data), ("role", filters.role.data)) if v}
    return render_template(
        "accounts/users.html",
        users=rows,
        filters=filters,
        next_url=url_for("accounts.users", **args, after=rows[-1].id) if more else None,
        first_url=url_for("accounts.users", **args) if filters.after.data else None,
    )


@bp.route("/admin/utilisateurs/nouveau", methods=["GET", "POST"])
@roles_required(Role.admin)
def create_user():
    form = StaffUserForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = operations.create_staff_user(
                current_user,
                form.email.data,
                form.full_name.data.strip(),
                Role(form.role.data),
                form.password.data,
            )
        if outcome.ok:
            flash(gettext("Account created for %(name)s.", name=user.full_name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form), (422 if form.errors else 200)


add_nav_item(
    NavItem(90, "accounts.users", _l("Accounts"), roles=(Role.admin,), prefix="/admin/utilisateurs")
)
add_workspace(Role.admin, "accounts.users")


# --- Organizations: members, invitations, requests to join, verification -----------------


def _visible_organization(organization_id: int) -> Organization:
    org = db.session.scalar(
        Organization.visible_to(current_user).where(Organization.id == organization_id)
    )
    if org is None:
        abort(404)
    return org


def _visible_request(request_id: int) -> JoinRequest:
    row = db.session.scalar(
        JoinRequest.visible_to(current_user).where(JoinRequest.id == request_id)
    )
    if row is None:
        abort(404)
    return row


def _organization_page(org: Organization, status: int = 200, **forms):
    members = sorted(
        org.members, key=lambda m: (m.organization_role != OrganizationRole.owner, m.full_name)
    )
    transfer = forms.get("transfer_form") or TransferForm()
    transfer.user_id.choices = select_choices(
        (m.id, m.full_name) for m in members if m.id != current_user.id
    )
    invitations = []
    if org.can_manage_members(current_user):
        invitations = db.session.scalars(
            select(Invitation)
            .where(Invitation.organization_id == org.id)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.id)
        ).all()
    requests = (
        organizations.pending_requests(org)
        if org.can_manage_members(current_user) or org.can_verify(current_user)
        else []
    )
    context = {
        "organization": org,
        "members": members,
        "invitations": invitations,
        "requests": requests,
        "events": organizations.history(org) if org.can_read_history(current_user) else [],
        "form": EmptyForm(),
        "invitation_form": forms.get("invitation_form") or InvitationForm(),
        "transfer_form": transfer,
        "refusal_form": RefusalForm(),
        "settlement_form": forms.get("settlement_form") or SettlementForm(),
        "verification_form": forms.get("verification_form") or VerificationForm(),
    }
    return render_template("accounts/organization.html", **context), status


@bp.route("/mon-entreprise")
@roles_required(Role.company)
def my_organization():
    """The company's own page (members, invitations): where "invite a colleague" lives."""
    if current_user.organization_id is None:
        flash(
            gettext(
                "You do not belong to an organization yet: your request to join is on this page."
            ),
            "info",
        )
        return redirect(url_for("accounts.account"))
    return redirect(url_for("accounts.organization", organization_id=current_user.organization_id))


add_nav_item(
    NavItem(
        25,
        "accounts.my_organization",
        _l("My company"),
        roles=(Role.company,),
        prefix="/mon-entreprise",
    )
)


@bp.route("/organisations/<int:organization_id>")
@login_required
def organization(organization_id: int):
    return _organization_page(_visible_organization(organization_id))


@bp.route("/organisations/<int:organization_id>/invitations", methods=["POST"])
@roles_required(Role.company)
def invite_member(organization_id: int):
    org = _visible_organization(organization_id)
    form = InvitationForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            organizations.invite_member(current_user, org, form.email.data)
        if outcome.ok:
            flash(gettext("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("accounts.organization", organization_id=org.id))
        status = 409 if not form.errors else 422
        return _organization_page(org, status, invitation_form=form)
    return _organization_page(org, 422, invitation_form=form)


@bp.route(
    "/organisations/<int:organization_id>/invitations/<int:invitation_id>/retirer",
    methods=["POST"],
)
@roles_required(Role.company)
def revoke_invitation(organization_id: int, invitation_id: int):
    org = _visible_organization(organization_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != org.id or not EmptyForm().validate():
        abort(404)
    with attempt() as outcome:
        organizations.revoke_invitation(current_user, invitation)
    if outcome.ok:
        flash(gettext("Invitation withdrawn."), "success")
    return redirect(url_for("accounts.organization", organization_id=org.id))


@bp.route("/organisations/<int:organization_id>/quitter", methods=["POST"])
@roles_required(Role.company)
def leave_organization(organization_id: int):
    org = _visible_organization(organization_id)
    if current_user.organization_id != org.id or not EmptyForm().validate():
        abort(404)
    with attempt() as outcome:
        organizations.leave_organization(current_user)
    if outcome.ok:
        flash(gettext("You left %(organization)s.", organization=org.name), "success")
        return redirect(url_for("accounts.account"))
    # The refusal says to hand over to a colleague: the forms to invite one and to hand
    # over are on this page.
    return redirect(url_for("accounts.organization", organization_id=org.id) + "#inviter")


@bp.route("/organisations/<int:organization_id>/proprietaire", methods=["POST"])
@roles_required(Role.company)
def transfer_ownership(organization_id: int):
    org = _visible_organization(organization_id)
    form = TransferForm()
    form.user_id.choices = select_choices(
        (m.id, m.full_name) for m in org.members if m.id != current_user.id
    )
    if form.validate_on_submit():
        new_owner = db.session.get(User, form.user_id.data)
        with attempt(form) as outcome:
            organizations.transfer_ownership(current_user, org, new_owner)
        if outcome.ok:
            flash(
                gettext("%(name)s now owns the organization.", name=new_owner.full_name), "success"
            )
            return redirect(url_for("accounts.organization", organization_id=org.id))
    return _organization_page(org, 422 if form.errors else 409, transfer_form=form)


@bp.route("/organisations/<int:organization_id>/verification", methods=["POST"])
@roles_required(Role.manager)
def verify_organization(organization_id: int):
    org = _visible_organization(organization_id)
    form = VerificationForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            organizations.verify_organization(
                current_user, org, VerificationMethod(form.method.data), form.comment.data or ""
            )
        if outcome.ok:
            flash(gettext("%(organization)s is verified.", organization=org.name), "success")
            return redirect(url_for("accounts.organization", organization_id=org.id))
        return _organization_page(org, 409, verification_form=form)
    return _organization_page(org, 422, verification_form=form)


@bp.route("/demandes-de-rattachement/<int:request_id>/<string:decision>", methods=["POST"])
@roles_required(Role.company, Role.manager)
def decide_join_request(request_id: int, decision: str):
    """The owner accepts or refuses; the requester disputes; a manager settles."""
    row = _visible_request(request_id)
    back = request.form.get("back") == "account"
    target = (
        url_for("accounts.account")
        if back
        else url_for("accounts.organization", organization_id=row.organization_id)
    )
    if decision == "accepter" and EmptyForm().validate():
        with attempt() as outcome:
            organizations.accept_join_request(current_user, row)
        if outcome.ok:
            flash(gettext("%(name)s is now a member.", name=row.user.full_name), "success")
        return redirect(target)
    if decision == "refuser":
        form = RefusalForm()
        if form.validate_on_submit():
            with attempt() as outcome:
                organizations.refuse_join_request(current_user, row, form.comment.data or "")
            if outcome.ok:
                flash(gettext("Request refused."), "success")
        return redirect(target)
    if decision == "contester":
        form = DisputeForm()
        if form.validate_on_submit():
            with attempt(form) as outcome:
                organizations.dispute_join_request(current_user, row, form.message.data)
            if outcome.ok:
                flash(gettext("A manager of Réseau Canopé will examine your request."), "success")
                return redirect(url_for("accounts.account"))
        return _account_page(422, dispute_form=form)
    if decision == "arbitrer":
        org = row.organization
        form = SettlementForm()
        if form.validate_on_submit():
            with attempt(form) as outcome:
                organizations.settle_dispute(
                    current_user, row, form.outcome.data, form.comment.data
                )
            if outcome.ok:
                flash(gettext("The dispute is settled."), "success")
                return redirect(url_for("accounts.organization", organization_id=org.id))
            return _organization_page(org, 409, settlement_form=form)
        return _organization_page(org, 422, settlement_form=form)
    abort(404)


def _account_page(status: int = 200, **forms):
    join_request = organizations.open_request_of(current_user)
    language_form = forms.get("language_form") or LanguageForm(
        language=current_user.locale or session.get("lang") or "fr"
    )
    return render_template(
        "accounts/account.html",
        user=current_user,
        join_request=join_request,
        form=EmptyForm(),
        dispute_form=forms.get("dispute_form") or DisputeForm(),
        language_form=language_form,
        name_form=forms.get("name_form") or NameForm(full_name=current_user.full_name),
        password_form=forms.get("password_form") or PasswordChangeForm(formdata=None),
    ), status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@per_address
@public
def invitation(token: str):
    """An invitation link: create the account, or join with the signed-in one."""
    found = organizations.invitation_for_token(token)
    if found is None:
        return render_template("accounts/invitation_invalid.html"), 404
    signed_in = current_user.is_authenticated
    form = EmptyForm() if signed_in else InvitationAccountForm()
    if form.validate_on_submit():
        with attempt(form) as outcome:
            user = organizations.accept_invitation(
                token,
                user=current_user if signed_in else None,
                new_account=None
                if signed_in
                else {"full_name": form.full_name.data.strip(), "password": form.password.data},
            )
        if outcome.ok:
            if not signed_in:
                _sign_in(user)
            flash(
                gettext("Welcome to %(organization)s.", organization=found.organization.name),
                "success",
            )
            return redirect(url_for("accounts.organization", organization_id=found.organization_id))
        status = 409
    else:
        status = 422 if form.errors else 200
    return render_template(
        "accounts/invitation.html", invitation=found, form=form, signed_in=signed_in
    ), status


@bp.route("/pilotage/organisations")
@roles_required(Role.manager, Role.admin)
def organizations_overview():
    """Organizations to verify and disputed SIRENs."""
    unverified = db.session.scalars(
        select(Organization)
        .outerjoin(OrganizationVerification)
        .where(OrganizationVerification.id.is_(None))
        .order_by(Organization.created_at)
        .limit(500)
    ).all()
    disputes = db.session.scalars(
        select(JoinRequest)
        .where(JoinRequest.status == JoinStatus.disputed)
        .order_by(JoinRequest.id)
    ).all()
    verified = db.session.scalars(
        select(OrganizationVerification)
        .order_by(OrganizationVerification.verified_at.desc())
        .limit(50)
    ).all()
    return render_template(
        "accounts/organizations.html", unverified=unverified, disputes=disputes, verified=verified
    )


@bp.route("/admin/courriels")
@roles_required(Role.admin)
def failed_mail():
    """The mail the worker could not send (after its retries), with a button to resend it."""
    from accelerator.core.mail import failed_mail as failed

    rows = db.session.scalars(failed().limit(500)).all()
    return render_template("accounts/failed_mail.html", mails=rows)


@bp.post("/admin/courriels/<int:mail_id>/renvoyer")
@roles_required(Role.admin)
def retry_failed_mail(mail_id: int):
    from accelerator.core.mail import resend_mail as resend

    with attempt() as outcome:
        mail = resend(current_user, mail_id)
    if outcome.ok:
        flash(gettext("The mail to %(email)s is sent again.", email=mail.recipient), "success")
    return redirect(url_for("accounts.failed_mail"))


add_nav_item(
    NavItem(
        45,
        "accounts.organizations_overview",
        _l("Organizations"),
        roles=(Role.manager,),
        prefix="/pilotage/organisations",
    )
)
add_nav_item(
    NavItem(
        91,
        "accounts.failed_mail",
        _l("Failed mail"),
        roles=(Role.admin,),
        prefix="/admin/courriels",
    )
)
