"""Accounts API: registration, tokens, the caller, staff accounts, organizations."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user

from accelerator.accounts import operations
from accelerator.accounts.limits import credential_failures, mark_failure, per_address
from accelerator.accounts.models import ApiToken, Organization, Role, User
from accelerator.accounts.schemas import (
    OrganizationOut,
    RegisterIn,
    StaffUserIn,
    TokenIn,
    UserOut,
)
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.db import utcnow
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
    org = db.session.scalar(
        Organization.visible_to(current_user).where(Organization.id == organization_id)
    )
    if org is None:
        return problem(404)
    return OrganizationOut().dump(org)
