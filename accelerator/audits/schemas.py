"""API schemas of solutions and audits: what comes in (validated) and what goes out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from accelerator.audits.models import Answer, Pricing
from accelerator.audits.states import DECISION_OUTCOMES, TRANSITIONS, AuditStatus
from accelerator.core.reference import DISCIPLINES, LEVELS
from accelerator.core.schemas import Id, StrictSchema, Trimmed, iso, not_blank, validate_country

SUBJECT_UNKNOWN = _l("Unknown subject code.")
LEVEL_UNKNOWN = _l("Unknown school level code.")
WEBSITE_INVALID = _l("Give the address of a website, starting with http:// or https://.")
JUSTIFICATION_TOO_SHORT = _l("Explain the level in at least 20 characters.")
ACTION_UNKNOWN = _l("Unknown action.")
MIN_JUSTIFICATION = 20


def _codes(allowed: dict, message) -> validate.Validator:
    def check(values: list[str]) -> None:
        unknown = [value for value in values if value not in allowed]
        if unknown:
            raise ValidationError(f"{message} ({', '.join(unknown)})")

    return check


def _website(value: str | None) -> None:
    if value in (None, ""):
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValidationError(str(WEBSITE_INVALID))


class SolutionIn(StrictSchema):
    name = Trimmed(required=True, validate=[not_blank, validate.Length(max=200)])
    summary = Trimmed(load_default="", validate=validate.Length(max=500))
    description = Trimmed(load_default="", validate=validate.Length(max=20000))
    website = Trimmed(
        load_default=None, allow_none=True, validate=[validate.Length(max=500), _website]
    )
    subjects = fields.List(
        fields.String(), load_default=list, validate=_codes(DISCIPLINES, SUBJECT_UNKNOWN)
    )
    levels = fields.List(fields.String(), load_default=list, validate=_codes(LEVELS, LEVEL_UNKNOWN))
    processes_personal_data = fields.Boolean(load_default=True)
    hosting_country = fields.String(load_default="FR", validate=validate_country)
    gar_compatible = fields.Boolean(load_default=False)
    pricing = fields.Enum(Pricing, by_value=True, load_default=Pricing.free)
    uses_ai = fields.Boolean(load_default=False)

    def load(self, data, *args, **kwargs):  # type: ignore[override]
        result = super().load(data, *args, **kwargs)
        # An empty website means "none"; repeated codes are kept once.
        if result.get("website") == "":
            result["website"] = None
        for key in ("subjects", "levels"):
            if key in result:
                result[key] = list(dict.fromkeys(result[key]))
        return result


class OrganizationRef(StrictSchema):
    id = fields.Integer()
    name = fields.String()


class SolutionOut(StrictSchema):
    id = fields.Integer()
    slug = fields.String()
    name = fields.String()
    summary = fields.String()
    description = fields.String()
    website = fields.String(allow_none=True)
    subjects = fields.List(fields.String())
    levels = fields.List(fields.String())
    processes_personal_data = fields.Boolean()
    hosting_country = fields.String()
    gar_compatible = fields.Boolean()
    pricing = fields.Enum(Pricing, by_value=True)
    uses_ai = fields.Boolean()
    organization = fields.Nested(OrganizationRef)
    logo_url = fields.Method("_logo_url")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _logo_url(self, solution) -> str | None:
        from flask import url_for

        if not solution.logo_name:
            return None
        return url_for("audits.logo", solution_id=solution.id, _external=True)


class AuditIn(StrictSchema):
    solution_id = Id(required=True)


class SelfAssessmentIn(StrictSchema):
    answer = fields.Enum(Answer, by_value=True, required=True)
    comment = Trimmed(load_default="", validate=validate.Length(max=10000))
    evidence_ids = fields.List(Id(), load_default=list)


class ConflictIn(StrictSchema):
    organization_id = Id(required=True)
    reason = Trimmed(required=True, validate=[not_blank, validate.Length(max=5000)])


class AssignmentIn(StrictSchema):
    expert_id = Id(required=True)


class LevelIn(StrictSchema):
    level = fields.Integer(required=True, strict=True, validate=validate.Range(0, 3))
    justification = Trimmed(required=True, validate=validate.Length(max=10000))

    @validates("justification")
    def long_enough(self, value: str, **kwargs) -> None:
        if len(value) < MIN_JUSTIFICATION:
            raise ValidationError(str(JUSTIFICATION_TOO_SHORT))


class ConditionField(fields.Field):
    """A condition: a string, or ``{"text", "due_date"}``."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = {"text": value}
        if not isinstance(value, dict):
            raise ValidationError(str(_l("A condition is a text or {text, due_date}.")))
        return ConditionIn().load(value)


class ConditionIn(StrictSchema):
    text = Trimmed(required=True, validate=[not_blank, validate.Length(max=2000)])
    due_date = fields.Date(load_default=None, allow_none=True)


class TransitionIn(StrictSchema):
    action = fields.String(
        required=True, validate=validate.OneOf(list(TRANSITIONS), error=str(ACTION_UNKNOWN))
    )
    comment = Trimmed(load_default="", validate=validate.Length(max=10000))
    outcome = fields.Enum(AuditStatus, by_value=True, load_default=None, allow_none=True)
    motivation = Trimmed(load_default="", validate=validate.Length(max=20000))
    conditions = fields.List(ConditionField(), load_default=list)
    valid_until = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def decision_fields(self, data: dict, **kwargs) -> None:
        if data.get("action") != "decide":
            extra = [
                key
                for key in ("outcome", "motivation", "conditions", "valid_until")
                if data.get(key)
            ]
            if extra:
                raise ValidationError(str(_l("Only the decide action takes this field.")), extra[0])
        elif data.get("outcome") not in DECISION_OUTCOMES:
            raise ValidationError(
                str(_l("Choose approved, approved_with_conditions or rejected.")), "outcome"
            )


# What goes out. Audits are dumped by functions, because what a reader sees depends on them.

solution_out = SolutionOut()


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "full_name": user.full_name, "role": user.role.value}


def audit_summary(audit) -> dict:
    """The short form of an audit (lists, creation)."""
    return {
        "id": audit.id,
        "status": audit.effective_status().value,
        "solution": {
            "id": audit.solution.id,
            "name": audit.solution.name,
            "slug": audit.solution.slug,
            "organization": {
                "id": audit.solution.organization.id,
                "name": audit.solution.organization.name,
            },
        },
        "framework_version_id": audit.framework_version_id,
        "created_at": iso(audit.created_at),
        "submitted_at": iso(audit.submitted_at),
        "decided_at": iso(audit.decided_at),
        "valid_until": iso(audit.valid_until),
    }


def decision_out(decision) -> dict:
    return {
        "id": decision.id,
        "round": decision.round,
        "outcome": decision.outcome.value,
        "motivation": decision.motivation,
        "valid_until": iso(decision.valid_until),
        "decided_at": iso(decision.decided_at),
        "overall_score": round(decision.overall_score, 1),
        "domain_scores": {
            code: None if value is None else round(value, 1)
            for code, value in (decision.domain_scores or {}).items()
        },
        "recommendation": decision.recommendation,
        "conditions": [
            {"id": c.id, "text": c.text, "due_date": iso(c.due_date)} for c in decision.conditions
        ],
    }


def evidence_out(evidence) -> dict:
    return {
        "id": evidence.id,
        "filename": evidence.filename,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "content_type": evidence.content_type,
        "created_at": iso(evidence.created_at),
    }


def assignment_out(assignment) -> dict:
    return {
        "id": assignment.id,
        "expert": _person(assignment.expert),
        "assigned_at": iso(assignment.assigned_at),
        "completed_at": iso(assignment.completed_at),
    }


def audit_detail(actor, audit) -> dict:
    """The audit as ``actor`` may see it.

    Everyone who sees the audit reads its status, solution, assignments, self-assessment,
    evidence, decisions and transitions. Individual scores follow
    ``Audit.can_see_scores_of`` (blind scoring; never to the company). The company reads
    the history's transitions only (scores and settlements are the review's inner work) and,
    once decided, the final level of each criterion.
    """
    from accelerator.accounts.models import Role
    from accelerator.audits import operations
    from accelerator.audits.results import final_levels

    is_company = actor.role == Role.company
    events = audit.events_visible_to(actor)
    body = audit_summary(audit)
    decision = audit.latest_decision
    body.update(
        {
            "stored_status": audit.status.value,
            "status_changed_at": iso(audit.status_changed_at),
            "verification_code": audit.verification_code,
            "appeal_count": audit.appeal_count,
            "renewed_from_id": audit.renewed_from_id,
            "actions": operations.available_actions(actor, audit),
            "assignments": [assignment_out(a) for a in audit.assignments],
            "history": [
                {
                    "action": e.action,
                    "from": e.from_status,
                    "to": e.to_status,
                    "by": _person(e.actor),
                    "at": iso(e.at),
                    "comment": e.comment,
                    **({} if is_company else {"data": e.data or {}}),
                }
                for e in events
            ],
            "self_assessment": [
                {
                    "criterion_code": a.criterion_code,
                    "answer": a.answer.value,
                    "comment": a.comment,
                    "evidence_ids": [e.id for e in a.evidence],
                    "updated_at": iso(a.updated_at),
                }
                for a in sorted(audit.answers, key=lambda a: a.criterion_code)
            ],
            "evidence": [evidence_out(e) for e in audit.evidence],
            "decision": decision_out(decision) if decision else None,
            "decisions": [decision_out(d) for d in audit.decisions],
            "scores": [
                {
                    "criterion_code": s.criterion_code,
                    "expert_id": s.expert_id,
                    "level": s.level,
                    "justification": s.justification,
                    "updated_at": iso(s.updated_at),
                }
                for s in sorted(
                    audit.scores_visible_to(actor),
                    key=lambda s: (s.criterion_code, s.expert_id),
                )
            ],
        }
    )
    if is_company:
        body["final_levels"] = final_levels(audit) if decision else None
    elif audit.can_read_results(actor):
        body["consolidations"] = [
            {
                "criterion_code": c.criterion_code,
                "level": c.level,
                "justification": c.justification,
                "settled_at": iso(c.settled_at),
            }
            for c in sorted(audit.consolidations, key=lambda c: c.criterion_code)
        ]
    return body
