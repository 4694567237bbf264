"""Accounts API: registration, tokens, the caller, staff accounts, organizations."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts import operations, organizations
from accelerator.accounts.limits import credential_failures, mark_failure, per_address
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
    UserOut,
    VerificationIn,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.db import utcnow
from accelerator.core.errors import Conflict, Forbidden, Invalid, NotFound
from accelerator.core.permissions import login_required, roles_required
from accelerator.core.problems import problem
from accelerator.extensions import db

user_out = UserOut()


@api.post("/auth/register")
@per_address
def register_user():
    """Register a company member or a teacher.
    ---
    post:
      summary: Self-registration (roles company and teacher only)
      tags: [accounts]
      security: []
      responses:
        201: {description: The new user}
        422: {description: Invalid fields}
    """
    data = load(RegisterIn(), json_body())
    user = operations.register(data)
    return user_out.dump(user), 201


@api.post("/auth/token")
@credential_failures
@per_address
def create_token():
    """Exchange credentials for a bearer token.
    ---
    post:
      summary: Get a bearer token
      tags: [accounts]
      security: []
      responses:
        201: {description: "{token, expires_at}"}
        401: {description: Wrong credentials}
        429: {description: Too many failures for this account}
    """
    data = load(TokenIn(), json_body())
    user = operations.authenticate(data["email"], data["password"])
    if user is None:
        mark_failure()
        return problem(
            401,
            detail=gettext("Email address or password incorrect."),
            headers={"WWW-Authenticate": "Bearer"},
        )
    token, expires_at = operations.issue_token(user)
    return {"token": token, "expires_at": expires_at.isoformat()}, 201


@api.delete("/auth/token")
@login_required
def revoke_token():
    """Revoke the token used for this request.
    ---
    delete:
      summary: Sign out this token
      tags: [accounts]
      responses:
        204: {description: Revoked}
    """
    _, _, token = request.headers.get("Authorization", "").partition(" ")
    record = db.session.scalar(
        db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip()))
    )
    if record is not None:
        record.revoked_at = utcnow()
    return "", 204


@api.get("/me")
@login_required
def me():
    """The caller.
    ---
    get:
      summary: The authenticated user, with organization or teacher profile
      tags: [accounts]
      responses:
        200: {description: The user}
        401: {description: Not authenticated}
    """
    return user_out.dump(current_user)


@api.post("/users")
@roles_required(Role.admin)
def create_user():
    """Create a staff account.
    ---
    post:
      summary: Create an expert, trainer, manager or admin account (admin only)
      tags: [accounts]
      responses:
        201: {description: The new user}
        403: {description: Not an admin}
        422: {description: Invalid fields}
    """
    data = load(StaffUserIn(), json_body())
    user = operations.create_staff_user(
        current_user, data["email"], data["full_name"], data["role"], data["password"]
    )
    return user_out.dump(user), 201


@api.get("/users")
@roles_required(Role.admin, Role.manager)
def list_users():
    """List users.
    ---
    get:
      summary: Users, filtered by role (admin, manager)
      tags: [accounts]
      parameters:
        - {name: role, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: A page of users}
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
@login_required
def get_user(user_id: int):
    """One user.
    ---
    get:
      summary: A user the caller may see (themself; admins and managers see all)
      tags: [accounts]
      responses:
        200: {description: The user}
        404: {description: Unknown or not visible}
    """
    user = db.session.scalar(User.visible_to(current_user).where(User.id == user_id))
    if user is None:
        return problem(404)
    return user_out.dump(user)


@api.get("/organizations/<int:organization_id>")
@login_required
def get_organization(organization_id: int):
    """One organization.
    ---
    get:
      summary: An organization (its members; staff)
      tags: [accounts]
      responses:
        200: {description: The organization}
        404: {description: Unknown or not visible}
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
@roles_required(Role.manager)
def verify_organization(organization_id: int):
    """Verify an organization.
    ---
    post:
      summary: "A manager verifies it: {method: sirene | kbis | other, comment}"
      tags: [accounts]
      responses:
        200: {description: The organization, with verified_at and verified_by}
        409: {description: Already verified}
    """
    org = _visible_organization(organization_id)
    data = load(VerificationIn(), json_body())
    organizations.verify_organization(current_user, org, data["method"], data["comment"])
    db.session.commit()
    return OrganizationDetailOut().dump(org)


@api.post("/organizations/<int:organization_id>/invitations")
@roles_required(Role.company)
def invite_member(organization_id: int):
    """Invite a colleague.
    ---
    post:
      summary: "The owner invites a colleague by email {email}: a signed link is sent"
      tags: [accounts]
      responses:
        201: {description: The invitation}
        403: {description: Not the owner}
        409: {description: Already a member, or an invitation is open}
    """
    org = _visible_organization(organization_id)
    data = load(InvitationIn(), json_body())
    invitation = organizations.invite_member(current_user, org, data["email"])
    db.session.commit()
    return InvitationOut().dump(invitation), 201


@api.get("/organizations/<int:organization_id>/invitations")
@roles_required(Role.company)
def list_invitations(organization_id: int):
    """The organization's invitations.
    ---
    get:
      summary: Invitations of the organization (its owner)
      tags: [accounts]
      responses:
        200: {description: The invitations}
    """
    org = _visible_organization(organization_id)
    if not org.can_manage_members(current_user):
        raise Forbidden(gettext("Only the owner of the organization does this."))
    rows = db.session.scalars(
        db.select(Invitation).where(Invitation.organization_id == org.id).order_by(Invitation.id)
    ).all()
    return {"items": InvitationOut(many=True).dump(rows)}


@api.delete("/organizations/<int:organization_id>/invitations/<int:invitation_id>")
@roles_required(Role.company)
def revoke_invitation(organization_id: int, invitation_id: int):
    """Withdraw an invitation.
    ---
    delete:
      summary: The owner withdraws an open invitation
      tags: [accounts]
      responses:
        204: {description: Withdrawn}
        409: {description: Already accepted or withdrawn}
    """
    org = _visible_organization(organization_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organization_id != org.id:
        raise NotFound(gettext("Unknown invitation."))
    organizations.revoke_invitation(current_user, invitation)
    db.session.commit()
    return "", 204


@api.post("/invitations/accept")
@per_address
def accept_invitation():
    """Accept an invitation.
    ---
    post:
      summary: "{token} signed in as the invited address, or {token, full_name, password}"
      tags: [accounts]
      security: []
      responses:
        201: {description: The user, now a member}
        409: {description: Invalid, expired or used link; address already has an account}
        422: {description: Invalid fields}
    """
    data = load(InvitationAcceptIn(), json_body())
    user = current_user if current_user.is_authenticated else None
    new_account = None
    if user is None:
        errors = {
            name: [gettext("This field is required.")]
            for name in ("full_name", "password")
            if not data.get(name)
        }
        if errors:
            raise Invalid(gettext("Some fields are invalid."), errors)
        new_account = {"full_name": data["full_name"], "password": data["password"]}
    user = organizations.accept_invitation(data["token"], user=user, new_account=new_account)
    db.session.commit()
    return user_out.dump(user), 201


@api.post("/organizations/<int:organization_id>/leave")
@roles_required(Role.company)
def leave_organization(organization_id: int):
    """Leave the organization.
    ---
    post:
      summary: A member leaves (the owner hands over first)
      tags: [accounts]
      responses:
        200: {description: The caller, without organization}
        409: {description: The owner cannot leave}
    """
    org = _visible_organization(organization_id)
    if current_user.organization_id != org.id:
        raise NotFound(gettext("Unknown organization."))
    organizations.leave_organization(current_user)
    db.session.commit()
    return user_out.dump(current_user)


@api.post("/organizations/<int:organization_id>/owner")
@roles_required(Role.company)
def transfer_ownership(organization_id: int):
    """Hand over the ownership.
    ---
    post:
      summary: "The owner hands the organization over to a member {user_id}"
      tags: [accounts]
      responses:
        200: {description: The organization}
        409: {description: Not a member of the organization}
    """
    org = _visible_organization(organization_id)
    data = load(OwnerIn(), json_body())
    new_owner = db.session.get(User, data["user_id"])
    if new_owner is None or new_owner.organization_id != org.id:
        raise Conflict(gettext("Choose another member of the organization."))
    organizations.transfer_ownership(current_user, org, new_owner)
    db.session.commit()
    return OrganizationDetailOut().dump(org)


@api.get("/join-requests")
@login_required
def list_join_requests():
    """Requests to join.
    ---
    get:
      summary: "The caller's requests, those to the organization they own; managers: all"
      tags: [accounts]
      responses:
        200: {description: A page of requests}
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
@roles_required(Role.company)
def accept_join_request(request_id: int):
    """Accept a request to join.
    ---
    post:
      summary: The owner accepts a request to join
      tags: [accounts]
      responses:
        200: {description: The request}
        409: {description: Not pending}
    """
    row = _visible_request(request_id)
    organizations.accept_join_request(current_user, row)
    db.session.commit()
    return JoinRequestOut().dump(row)


@api.post("/join-requests/<int:request_id>/refuse")
@roles_required(Role.company)
def refuse_join_request(request_id: int):
    """Refuse a request to join.
    ---
    post:
      summary: "The owner refuses a request to join {comment}"
      tags: [accounts]
      responses:
        200: {description: The request}
        409: {description: Not pending}
    """
    row = _visible_request(request_id)
    data = load(CommentIn(), json_body())
    organizations.refuse_join_request(current_user, row, data["comment"])
    db.session.commit()
    return JoinRequestOut().dump(row)


@api.post("/join-requests/<int:request_id>/dispute")
@roles_required(Role.company)
def dispute_join_request(request_id: int):
    """Take a request to a manager.
    ---
    post:
      summary: "The requester disputes the SIREN {message}: a manager decides"
      tags: [accounts]
      responses:
        200: {description: The request}
        409: {description: Neither pending nor refused}
    """
    row = _visible_request(request_id)
    data = load(DisputeIn(), json_body())
    organizations.dispute_join_request(current_user, row, data["message"])
    db.session.commit()
    return JoinRequestOut().dump(row)


@api.post("/join-requests/<int:request_id>/settle")
@roles_required(Role.manager)
def settle_dispute(request_id: int):
    """Settle a disputed SIREN.
    ---
    post:
      summary: "A manager decides {outcome: grant | transfer | dismiss, comment}"
      tags: [accounts]
      responses:
        200: {description: The request}
        409: {description: Not disputed}
    """
    row = _visible_request(request_id)
    data = load(SettlementIn(), json_body())
    organizations.settle_dispute(current_user, row, data["outcome"], data["comment"])
    db.session.commit()
    return JoinRequestOut().dump(row)
