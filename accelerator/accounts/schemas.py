"""API schemas of accounts: what comes in (validated) and what goes out."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates, validates_schema

from accelerator.accounts import rules
from accelerator.accounts.models import SELF_REGISTERED_ROLES, STAFF_ROLES, Role
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


class TeacherOut(StrictSchema):
    id = fields.Integer()
    academy = fields.String()
    uai = fields.String()
    discipline = fields.String()
    career_stage = fields.String()


class UserOut(StrictSchema):
    id = fields.Integer()
    email = fields.String()
    full_name = fields.String()
    role = fields.Enum(Role, by_value=True)
    active = fields.Boolean()
    organization = fields.Nested(OrganizationOut, allow_none=True)
    teacher = fields.Nested(TeacherOut, allow_none=True)
    created_at = fields.DateTime()
