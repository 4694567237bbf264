"""Accounts API: registration, tokens, the caller, staff accounts, organizations."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts import operations, organizations
from accelerator.accounts.limits import begin_attempt, per_address
from accelerator.accounts.models import (
    ApiToken,
    Invitation,
    JoinRequest,
    JoinStatus,
    Organization,
    Role,
    User,
)
from accelerator.accounts.schemas import (
    CommentIn,
    DisputeIn,
    InvitationAcceptIn,
    InvitationIn,
    InvitationOut,
    JoinRequestOut,
    OrganizationDetailOut,
    OwnerIn,
    RegisterIn,
    SettlementIn,
    StaffUserIn,
    TokenIn,
    TokenOut,
    UserOut,
    UserQueryIn,
    VerificationIn,
    VerificationSentOut,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.forms import REQUIRED
from accelerator.core.openapi import documented
from accelerator.core.permissions import login_required, public, roles_required
from accelerator.core.problems import problem
from accelerator.core.security import no_store
from accelerator.core.unit_of_work import keep_despite_refusal
from accelerator.extensions import db, limiter

user_out = UserOut()


@api.post("/auth/register")
@public
@documented(body=RegisterIn, response=UserOut, status=201, errors=(429,))
@per_address
def register_user():
    """Register a company member or a teacher.

    Self-registration (roles company and teacher only)
    """
    data = load(RegisterIn(), json_body())
    user = operations.register(data)
    return user_out.dump(user), 201


@api.post("/auth/token")
@public
@documented(body=TokenIn, response=TokenOut, status=201, errors=(401, 429))
@per_address
def create_token():
    """Exchange credentials for a bearer token.

    Get a bearer token
    """
    data = load(TokenIn(), json_body())
    attempt = begin_attempt(data["email"])
    if not attempt.allowed:
        if attempt.ceiling_tripped:
            operations.notify_login_ceiling(attempt.email, attempt.retry_after)
            keep_despite_refusal()  # a 429 rolls back; the owner's notification stays
        return problem(
            429,
            detail=gettext("Too many failed attempts for this account; try again later."),
            headers={"Retry-After": str(attempt.retry_after)},
        )
    user = operations.authenticate(data["email"], data["password"])
    if user is not None:
        attempt.succeeded()
    if user is None:
        return problem(
            401,
            detail=gettext("Email address or password incorrect."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    token, expires_at = operations.issue_token(user)
    response = jsonify(TokenOut().dump({"token": token, "expires_at": expires_at}))
    response.status_code = 201
    return no_store(response)


@api.delete("/auth/token")
@documented(status=204)
@login_required
def revoke_token():
    """Revoke the token used for this request.

    Sign out this token
    """
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    record = db.session.scalar(
        db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip()))
    )
    if record is not None:
        record.revoked_at = utcnow()
    return "", 204


@api.post("/auth/verification")
@documented(response=VerificationSentOut, status=202, errors=(401, 409, 429))
@login_required
@limiter.limit("5 per hour", key_func=lambda: f"verification:{current_user.id}")
def resend_verification():
    """Send the email verification link again.

    Email the caller a new link verifying their address (409 once it is verified)
    """
    operations.resend_verification(current_user)
    return VerificationSentOut().dump(current_user), 202


@api.get("/me")
@documented(response=UserOut)
@login_required
def me():
    """The caller.

    The authenticated user, with organization or teacher profile
    """
    return user_out.dump(current_user)


@api.post("/users")
@documented(body=StaffUserIn, response=UserOut, status=201, errors=(422,))
@roles_required(Role.admin)
def create_user():
    """Create a staff account.

    Create an expert, trainer, manager or admin account (admin only)
    """
    data = load(StaffUserIn(), json_body())
    user = operations.create_staff_user(
        current_user, data["email"], data["full_name"], data["role"], data["password"]
    )
    return user_out.dump(user), 201


@api.get("/users")
@documented(response=UserOut, paginated=True, query=UserQueryIn)
@roles_required(Role.admin, Role.manager)
def list_users():
    """List users.

    Users, filtered by role (admin, manager)
    """
    statement = User.visible_to(current_user).order_by(User.id)
    role = request.args.get("role")
    if role:
        if role not in Role.codes():
            return problem(
                422, detail=gettext("Unknown role."), errors={"role": [gettext("Unknown role.")]}
            )
        statement = statement.where(User.role == Role(role))
    return paginate(statement, lambda rows: user_out.dump(rows, many=True))


@api.get("/users/<int:user_id>")
@documented(response=UserOut, errors=(404,))
@login_required
def get_user(user_id: int):
    """One user.

    A user the caller may see (themself; admins and managers see all)
    """
    user = db.session.scalar(User.visible_to(current_user).where(User.id == user_id))
    if user is None:
        return problem(404)
    return user_out.dump(user)


@api.get("/organizations/<int:organization_id>")
@documented(response=OrganizationDetailOut, errors=(404,))
@login_required
def get_organization(organization_id: int):
    """One organization.

    An organization (its members; staff)
    """
    return OrganizationDetailOut().dump(_visible_organization(organization_id))


# --- Organizations: verification, members, invitations, requests to join ----------------------


def _visible_organization(organization_id: int) -> Organization:
    org = db.session.scalar(
        Organization.visible_to(current_user).where(Organization.id == organization_id)
    )
    if org is None:
        raise NotFound(gettext("Unknown organization."))
    return org


def _visible_request(request_id: int) -> JoinRequest:
    row = db.session.scalar(
        JoinRequest.visible_to(current_user).where(JoinRequest.id == request_id)
    )
    if row is None:
        raise NotFound(gettext("Unknown request."))
    return row


@api.post("/organizations/<int:organization_id>/verification")
@documented(body=VerificationIn, response=OrganizationDetailOut, errors=(409,))
@roles_required(Role.manager)
def verify_organization(organization_id: int):
    """Verify an organization.

    A manager verifies it: {method: sirene | kbis | other, comment}
    """
    org = _visible_organization(organization_id)
    data = load(VerificationIn(), json_body())
    organizations.verify_organization(current_user, org, data["method"], data["comment"])
    return OrganizationDetailOut().dump(org)


@api.post("/organizations/<int:organization_id>/invitations")
@documented(body=InvitationIn, response=InvitationOut, status=201, errors=(409,))
@roles_required(Role.company)
def invite_member(organization_id: int):
    """Invite a colleague.

    The owner invites a colleague by email {email}: a signed link is sent
    """
    org = _visible_organization(organization_id)
    data = load(InvitationIn(), json_body())
    invitation = organizations.invite_member(current_user, org, data["email"])
    return InvitationOut().dump(invitation), 201


@api.get("/organizations/<int:organization_id>/invitations")
@documented(
    response={"type": "object", "properties": {"items": {"type": "array", "items": InvitationOut}}}
)
@roles_required(Role.company)
def list_invitations(organization_id: int):
    """The organization's invitations.

    Invitations of the organization (its owner)
    """
    org = _visible_organization(organization_id)
    if not org.can_manage_members(current_user):
        raise Forbidden(gettext("Only the owner of the organization does this."))
    rows = db.session.scalars(
        db.select(Invitation).where(Invitation.organization_id == org.id).order_by(Invitation.id)
    ).all()
    return {"items": InvitationOut(many=True).dump(rows)}


@api.delete("/organizations/<int:organization_id>/invitations/<int:invitation_id>")
@documented(status=204, errors=(409,))
@roles_required(Role.company)
def revoke_invitation(organization_id: int, invitation_id: int):
    """Withdraw an invitation.

    The owner withdraws an open invitation
    """
    org = _visible_organization(organization_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != org.id:
        raise NotFound(gettext("Unknown invitation."))
    organizations.revoke_invitation(current_user, invitation)
    return "", 204


@api.post("/invitations/accept")
@public
@documented(body=InvitationAcceptIn, response=UserOut, status=201, errors=(409, 429))
@per_address
def accept_invitation():
    """Accept an invitation.

    {token} signed in as the invited address, or {token, full_name, password}
    """
    data = load(InvitationAcceptIn(), json_body())
    user = current_user if current_user.is_authenticated else None
    new_account = None
    if user is None:
        errors = {name: [str(REQUIRED)] for name in ("full_name", "password") if not data.get(name)}
        if errors:
            raise Invalid(gettext("Some fields are invalid."), errors)
        new_account = {"full_name": data["full_name"], "password": data["password"]}
    user = organizations.accept_invitation(data["token"], user=user, new_account=new_account)
    return user_out.dump(user), 201


@api.post("/organizations/<int:organization_id>/leave")
@documented(response=UserOut, errors=(409,))
@roles_required(Role.company)
def leave_organization(organization_id: int):
    """Leave the organization.

    A member leaves (the owner hands over first)
    """
    org = _visible_organization(organization_id)
    if current_user.organization_id != org.id:
        raise NotFound(gettext("Unknown organization."))
    organizations.leave_organization(current_user)
    return user_out.dump(current_user)


@api.post("/organizations/<int:organization_id>/owner")
@documented(body=OwnerIn, response=OrganizationDetailOut, errors=(409,))
@roles_required(Role.company)
def transfer_ownership(organization_id: int):
    """Hand over the ownership.

    The owner hands the organization over to a member {user_id}
    """
    org = _visible_organization(organization_id)
    data = load(OwnerIn(), json_body())
    new_owner = db.session.get(User, data["user_id"])
    if new_owner is None or new_owner.organization_id != org.id:
        raise Conflict(gettext("Choose another member of the organization."))
    organizations.transfer_ownership(current_user, org, new_owner)
    return OrganizationDetailOut().dump(org)


@api.get("/join-requests")
@documented(response=JoinRequestOut, paginated=True)
@login_required
def list_join_requests():
    """Requests to join.

    The caller's requests, those to the organization they own; managers: all
    """
    statement = JoinRequest.visible_to(current_user).order_by(JoinRequest.id)
    status = request.args.get("status")
    if status:
        if status not in JoinStatus.codes():
            message = gettext("Unknown status.")
            raise Invalid(message, {"status": [message]})
        statement = statement.where(JoinRequest.status == JoinStatus(status))
    return paginate(statement, lambda rows: JoinRequestOut(many=True).dump(rows))


@api.post("/join-requests/<int:request_id>/accept")
@documented(response=JoinRequestOut, errors=(409,))
@roles_required(Role.company)
def accept_join_request(request_id: int):
    """Accept a request to join.

    The owner accepts a request to join
    """
    row = _visible_request(request_id)
    organizations.accept_join_request(current_user, row)
    return JoinRequestOut().dump(row)


@api.post("/join-requests/<int:request_id>/refuse")
@documented(body=CommentIn, response=JoinRequestOut, errors=(409,))
@roles_required(Role.company)
def refuse_join_request(request_id: int):
    """Refuse a request to join.

    The owner refuses a request to join {comment}
    """
    row = _visible_request(request_id)
    data = load(CommentIn(), json_body())
    organizations.refuse_join_request(current_user, row, data["comment"])
    return JoinRequestOut().dump(row)


@api.post("/join-requests/<int:request_id>/dispute")
@documented(body=DisputeIn, response=JoinRequestOut, errors=(409,))
@roles_required(Role.company)
def dispute_join_request(request_id: int):
    """Take a request to a manager.

    The requester disputes the SIREN {message}: a manager decides
    """
    row = _visible_request(request_id)
    data = load(DisputeIn(), json_body())
    organizations.dispute_join_request(current_user, row, data["message"])
    return JoinRequestOut().dump(row)


@api.post("/join-requests/<int:request_id>/settle")
@documented(body=SettlementIn, response=JoinRequestOut, errors=(409,))
@roles_required(Role.manager)
def settle_dispute(request_id: int):
    """Settle a disputed SIREN.

    A manager decides {outcome: grant | transfer | dismiss, comment}
    """
    row = _visible_request(request_id)
    data = load(SettlementIn(), json_body())
    organizations.settle_dispute(current_user, row, data["outcome"], data["comment"])
    return JoinRequestOut().dump(row)
