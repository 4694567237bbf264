"""API schemas of accounts: what comes in (validated) and what goes out."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates, validates_schema

from accelerator.accounts import rules
from accelerator.accounts.models import (
    SELF_REGISTERED_ROLES,
    STAFF_ROLES,
    JoinStatus,
    OrganizationAction,
    OrganizationRole,
    Role,
    VerificationMethod,
)
from accelerator.accounts.organizations import SETTLEMENTS
from accelerator.core.reference import ACADEMIES, CAREER_STAGES, DISCIPLINES
from accelerator.core.schemas import (
    StrictSchema,
    Trimmed,
    max_length,
    not_blank,
    one_of,
    validate_country,
)


class PasswordMixin:
    password = fields.String(required=True)

    @validates("password")
    def check_password(self, value: str, **kwargs) -> None:
        error = rules.password_error(value)
        if error:
            raise ValidationError(error)


class OrganizationIn(StrictSchema):
    name = Trimmed(required=True, validate=[not_blank, max_length(200)])
    siren = fields.String(load_default=None, allow_none=True)
    country = fields.String(load_default="FR", validate=validate_country)

    @validates_schema
    def check_siren(self, data: dict, **kwargs) -> None:
        siren, error = rules.clean_siren(data.get("siren"))
        if error:
            raise ValidationError(error, "siren")
        if siren is None and data.get("country") == "FR":
            raise ValidationError(str(rules.SIREN_REQUIRED), "siren")
        data["siren"] = siren


class TeacherIn(StrictSchema):
    academy = fields.String(required=True, validate=one_of(ACADEMIES, rules.ACADEMY_UNKNOWN))
    uai = fields.String(required=True)
    discipline = fields.String(
        required=True, validate=one_of(DISCIPLINES, rules.DISCIPLINE_UNKNOWN)
    )
    career_stage = fields.String(
        required=True, validate=one_of(CAREER_STAGES, rules.CAREER_STAGE_UNKNOWN)
    )

    @validates_schema
    def check_uai(self, data: dict, **kwargs) -> None:
        if "uai" in data:
            uai, error = rules.clean_uai(data["uai"])
            if error:
                raise ValidationError(error, "uai")
            data["uai"] = uai


class RegisterIn(PasswordMixin, StrictSchema):
    email = fields.Email(required=True, validate=max_length(254))
    full_name = Trimmed(required=True, validate=[not_blank, max_length(200)])
    role = fields.Enum(Role, by_value=True, required=True)
    organization = fields.Nested(OrganizationIn)
    teacher = fields.Nested(TeacherIn)

    @validates("role")
    def check_role(self, value: Role, **kwargs) -> None:
        if value not in SELF_REGISTERED_ROLES:
            raise ValidationError(str(rules.ROLE_NOT_SELF_REGISTERED))

    @validates_schema
    def check_profile(self, data: dict, **kwargs) -> None:
        role = data.get("role")
        if role == Role.company and "organization" not in data:
            raise ValidationError("Missing data for required field.", "organization")
        if role == Role.teacher and "teacher" not in data:
            raise ValidationError("Missing data for required field.", "teacher")


class StaffUserIn(PasswordMixin, StrictSchema):
    email = fields.Email(required=True, validate=max_length(254))
    full_name = Trimmed(required=True, validate=[not_blank, max_length(200)])
    role = fields.Enum(Role, by_value=True, required=True)

    @validates("role")
    def check_role(self, value: Role, **kwargs) -> None:
        if value not in STAFF_ROLES:
            raise ValidationError("Choose expert, trainer, manager or admin.")


class TokenIn(StrictSchema):
    email = fields.String(required=True, validate=max_length(254))
    password = fields.String(required=True, validate=max_length(1024))


class OrganizationOut(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    siren = fields.String()
    country = fields.String()
    verified_at = fields.Function(
        lambda o: o.verification.verified_at.isoformat() if o.verification else None
    )
    verified_by = fields.Function(
        lambda o: o.verification.verified_by.full_name if o.verification else None
    )
    verification_method = fields.Function(
        lambda o: o.verification.method.value if o.verification else None
    )


class TeacherOut(StrictSchema):
    id = fields.Integer()
    academy = fields.String()
    uai = fields.String()
    discipline = fields.String()
    career_stage = fields.String()


class UserOut(StrictSchema):
    id = fields.Integer()
    email = fields.String()
    email_verified = fields.Boolean()
    full_name = fields.String()
    role = fields.Enum(Role, by_value=True)
    active = fields.Boolean()
    organization = fields.Nested(OrganizationOut, allow_none=True)
    organization_role = fields.Enum(OrganizationRole, by_value=True, allow_none=True)
    teacher = fields.Nested(TeacherOut, allow_none=True)
    created_at = fields.DateTime()


# --- Organizations: members, invitations, requests to join, verification -----------------


class VerificationIn(StrictSchema):
    method = fields.Enum(VerificationMethod, by_value=True, required=True)
    comment = Trimmed(load_default="", validate=max_length(2000))


class InvitationIn(StrictSchema):
    email = fields.Email(required=True, validate=max_length(254))


class InvitationAcceptIn(StrictSchema):
    token = fields.String(required=True, validate=max_length(2000))
    #: for a new account only (the invited address, not signed in)
    full_name = Trimmed(load_default=None, validate=[not_blank, max_length(200)])
    password = fields.String(load_default=None)

    @validates("password")
    def check_password(self, value: str | None, **kwargs) -> None:
        if value is not None:
            error = rules.password_error(value)
            if error:
                raise ValidationError(error)


class OwnerIn(StrictSchema):
    user_id = fields.Integer(required=True, strict=True)


class CommentIn(StrictSchema):
    comment = Trimmed(load_default="", validate=max_length(5000))


class DisputeIn(StrictSchema):
    message = Trimmed(required=True, validate=[not_blank, max_length(5000)])


SETTLEMENT_UNKNOWN = rules.SETTLEMENT_UNKNOWN


class SettlementIn(StrictSchema):
    outcome = fields.String(required=True, validate=one_of(SETTLEMENTS, SETTLEMENT_UNKNOWN))
    comment = Trimmed(required=True, validate=[not_blank, max_length(5000)])


class MemberOut(StrictSchema):
    id = fields.Integer()
    full_name = fields.String()
    email = fields.String()
    organization_role = fields.Enum(OrganizationRole, by_value=True)


class InvitationOut(StrictSchema):
    id = fields.Integer()
    email = fields.String()
    created_at = fields.DateTime()
    accepted_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class JoinRequestOut(StrictSchema):
    id = fields.Integer()
    organization = fields.Function(
        lambda r: {
            "id": r.organization.id,
            "name": r.organization.name,
            "siren": r.organization.siren,
        }
    )
    user = fields.Function(lambda r: {"id": r.user.id, "full_name": r.user.full_name})
    status = fields.Enum(JoinStatus, by_value=True)
    message = fields.String()
    created_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)


class OrganizationEventOut(StrictSchema):
    action = fields.Enum(OrganizationAction, by_value=True)
    by = fields.Function(lambda e: e.actor.full_name if e.actor else None)
    subject = fields.Function(lambda e: e.subject.full_name if e.subject else None)
    comment = fields.String()
    at = fields.DateTime(attribute="created_at")


class OrganizationDetailOut(OrganizationOut):
    """The organization with its members; the history for members and staff who manage."""

    members = fields.Method("_members")
    history = fields.Method("_history")

    def _members(self, organization) -> list[dict]:
        members = sorted(
            organization.members,
            key=lambda m: (m.organization_role != OrganizationRole.owner, m.id),
        )
        return MemberOut(many=True).dump(members)

    def _history(self, organization) -> list[dict] | None:
        from flask_login import current_user

        from accelerator.accounts.organizations import history

        if not organization.can_read_history(current_user):
            return None
        return OrganizationEventOut(many=True).dump(history(organization))


class VerificationSentOut(StrictSchema):
    """``POST /auth/verification``: where the new link went."""

    email = fields.String()
    email_verified = fields.Boolean()


class TokenOut(StrictSchema):
    token = fields.String()
    expires_at = fields.DateTime()


class UserQueryIn(StrictSchema):
    """Filters of the user list (documentation of its query string)."""

    role = fields.Enum(Role, by_value=True)
