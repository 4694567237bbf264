"""Account pages: registration, login, logout, password reset, "Mon compte", staff accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from accelerator.accounts import operations
from accelerator.accounts.forms import (
    CompanyRegistrationForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
    StaffUserForm,
    TeacherRegistrationForm,
)
from accelerator.accounts.limits import (
    credential_failures,
    mark_failure,
    per_address,
    reset_requests,
)
from accelerator.accounts.models import Organization, Role, User
from accelerator.core.forms import attempt
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.permissions import login_required, roles_required
from accelerator.core.redirects import safe_next
from accelerator.extensions import db

bp = Blueprint("accounts", __name__)


def _sign_in(user: User, remember: bool = False) -> None:
    session.clear()  # a fresh session at login, so a planted one cannot be reused
    login_user(user, remember=remember)


@bp.route("/inscription")
def register():
    return render_template("accounts/register_choice.html")


@bp.route("/inscription/entreprise", methods=["GET", "POST"])
@per_address
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
        if outcome.ok:
            _sign_in(user)
            flash(gettext("Welcome! Your company's account is ready."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/register_company.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/inscription/enseignant", methods=["GET", "POST"])
@per_address
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
        if outcome.ok:
            _sign_in(user)
            flash(gettext("Welcome! Your teacher account is ready."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/register_teacher.html", form=form), (
        422 if form.errors else 200
    )


@bp.route("/connexion", methods=["GET", "POST"])
@credential_failures
@per_address
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data, form.password.data)
        if user is not None:
            _sign_in(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("core.home")))
        mark_failure()
        failed = True
    status = 401 if failed else (422 if form.errors else 200)
    return render_template("accounts/login.html", form=form, failed=failed), status


@bp.route("/deconnexion", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@reset_requests
@per_address
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        operations.request_password_reset(
            form.email.data,
            lambda token: url_for("accounts.reset_password", token=token, _external=True),
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
def reset_password(token: str):
    if operations.user_for_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        operations.reset_password(token, form.password.data)
        flash(gettext("Your password has been changed. You can sign in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/mon-compte")
@login_required
def account():
    form = LanguageForm(language=current_user.locale or session.get("lang") or "fr")
    return render_template("accounts/account.html", user=current_user, language_form=form)


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
    return render_template("accounts/account.html", user=current_user, language_form=form), 422


@bp.route("/admin/utilisateurs")
@roles_required(Role.admin)
def users():
    rows = db.session.scalars(
        User.visible_to(current_user).order_by(User.role, User.full_name).limit(500)
    ).all()
    return render_template("accounts/users.html", users=rows)


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


@bp.route("/organisations/<int:organization_id>")
@login_required
def organization(organization_id: int):
    org = db.session.scalar(
        Organization.visible_to(current_user).where(Organization.id == organization_id)
    )
    if org is None:
        abort(404)
    members = db.session.scalars(select(User).where(User.organization_id == org.id)).all()
    return render_template("accounts/organization.html", organization=org, members=members)


add_nav_item(
    NavItem(90, "accounts.users", _l("Accounts"), roles=(Role.admin,), prefix="/admin/utilisateurs")
)
