"""API schemas of solutions and audits: what comes in (validated) and what goes out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates, validates_schema

from accelerator.accounts.models import Role
from accelerator.audits.history import event_details
from accelerator.audits.models import COMPANY_NOTICES, Answer, ChangeOutcome, Pricing
from accelerator.audits.states import DECISION_OUTCOMES, TRANSITIONS, AuditAction, AuditStatus
from accelerator.core.reference import DISCIPLINES, LEVELS
from accelerator.core.schemas import Id, StrictSchema, Trimmed, not_blank, validate_country
from accelerator.core.urls import public_url
from accelerator.criteria.schemas import DomainScoreOut

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
    hosting_provider = Trimmed(load_default="", validate=validate.Length(max=200))
    product_version = Trimmed(data_key="version", load_default="", validate=validate.Length(max=50))

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
    hosting_provider = fields.String()
    version = fields.String(attribute="product_version")
    #: an edit of the public texts after approval awaits a manager (since then)
    texts_pending_since = fields.DateTime(allow_none=True)
    #: what the catalogue shows (the texts a manager accepted)
    published_texts = fields.Method("_published")
    organization = fields.Nested(OrganizationRef)
    logo_url = fields.Method("_logo_url")
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def _published(self, solution) -> dict:
        texts = solution.published_texts()
        return {k: v for k, v in texts.items() if k != "logo_name"}

    def _logo_url(self, solution) -> str | None:
        if not solution.logo_name:
            return None
        return public_url("audits.logo", solution_id=solution.id)


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
    #: decide: the day the committee sat (default today) and the names of its members present
    committee_date = fields.Date(load_default=None, allow_none=True)
    committee_members = fields.List(
        Trimmed(validate=validate.Length(max=200)),
        load_default=list,
        validate=validate.Length(max=30),
    )

    @validates_schema
    def decision_fields(self, data: dict, **kwargs) -> None:
        if data.get("action") != "decide":
            extra = [
                key
                for key in (
                    "outcome",
                    "motivation",
                    "conditions",
                    "valid_until",
                    "committee_date",
                    "committee_members",
                )
                if data.get(key)
            ]
            if extra:
                raise ValidationError(str(_l("Only the decide action takes this field.")), extra[0])
        elif data.get("outcome") not in DECISION_OUTCOMES:
            raise ValidationError(
                str(_l("Choose approved, approved_with_conditions or rejected.")), "outcome"
            )


# What goes out. Every answer of the audits API is one of these schemas; what a reader may
# see of an audit is decided by the model's predicates (``Audit.scores_visible_to``, ...)
# before dumping, never by the schema.


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class PersonBrief(StrictSchema):
    id = fields.Integer()
    full_name = fields.String()


class PersonRef(PersonBrief):
    role = fields.Enum(Role, by_value=True)


class AuditSolutionRef(StrictSchema):
    id = fields.Integer()
    name = fields.String()
    slug = fields.String()
    organization = fields.Nested(OrganizationRef)


class AuditSummaryOut(StrictSchema):
    """The short form of an audit (lists, creation); ``status`` is the effective one."""

    id = fields.Integer()
    status = fields.Function(lambda audit: audit.effective_status().value)
    solution = fields.Nested(AuditSolutionRef)
    framework_version_id = fields.Integer()
    created_at = fields.DateTime()
    submitted_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    valid_until = fields.Date(allow_none=True)


class DecisionConditionOut(StrictSchema):
    id = fields.Integer()
    text = fields.String()
    due_date = fields.Date(allow_none=True)
    status = fields.Function(lambda condition: condition.status.value)
    overdue = fields.Function(lambda condition: condition.is_overdue())
    evidence_note = fields.String()
    evidence_id = fields.Integer(allow_none=True)
    comment = fields.String()
    fulfilled_at = fields.DateTime(allow_none=True)


class DecisionOut(StrictSchema):
    id = fields.Integer()
    round = fields.Integer()
    outcome = fields.Enum(AuditStatus, by_value=True)
    motivation = fields.String()
    valid_until = fields.Date(allow_none=True)
    decided_at = fields.DateTime()
    overall_score = fields.Function(lambda decision: _rounded(decision.overall_score))
    domain_scores = fields.Function(
        lambda decision: {
            code: _rounded(value) for code, value in (decision.domain_scores or {}).items()
        }
    )
    recommendation = fields.String()
    conditions = fields.List(fields.Nested(DecisionConditionOut))
    #: the day the committee sat and its members present (null / [] for older decisions)
    committee_date = fields.Date(allow_none=True)
    committee_members = fields.Function(lambda decision: list(decision.committee_members or []))


class EvidenceOut(StrictSchema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    content_type = fields.String()
    created_at = fields.DateTime()


class EvidenceListOut(StrictSchema):
    items = fields.List(fields.Nested(EvidenceOut))


class AssignmentOut(StrictSchema):
    id = fields.Integer()
    expert = fields.Nested(PersonRef)
    assigned_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)


def _comment(event) -> str:
    """What the actor wrote; a notice of the service (nobody wrote it: a regression found by
    the monitoring) says its facts, in the request's language."""
    if not event.comment and event.action in COMPANY_NOTICES:
        return event_details(event) or ""
    return event.comment


class EventOut(StrictSchema):
    """One row of the history; ``data`` (criterion codes, levels...) is left out for the
    company, which reads the transitions and the notices about its approval."""

    action = fields.Enum(AuditAction, by_value=True)
    from_ = fields.String(attribute="from_status", data_key="from", allow_none=True)
    to = fields.String(attribute="to_status", allow_none=True)
    by = fields.Nested(PersonRef, attribute="actor", allow_none=True)
    at = fields.DateTime()
    comment = fields.Function(_comment, metadata={"type": "string"})
    data = fields.Dict()


class AnswerOut(StrictSchema):
    criterion_code = fields.String()
    answer = fields.Enum(Answer, by_value=True)
    comment = fields.String()
    evidence_ids = fields.Function(lambda row: [e.id for e in row.evidence])


class AnswerDetailOut(AnswerOut):
    updated_at = fields.DateTime()


class ScoreOut(StrictSchema):
    criterion_code = fields.String()
    expert_id = fields.Integer()
    level = fields.Integer()
    justification = fields.String()
    updated_at = fields.DateTime()


class ConsolidationOut(StrictSchema):
    criterion_code = fields.String()
    level = fields.Integer()
    justification = fields.String()
    settled_at = fields.DateTime()


class AuditDetailOut(AuditSummaryOut):
    """An audit as one reader may see it (``audit_detail`` chooses what goes in)."""

    stored_status = fields.Enum(AuditStatus, by_value=True, attribute="status")
    status_changed_at = fields.DateTime()
    verification_code = fields.String(allow_none=True)
    appeal_count = fields.Integer()
    renewed_from_id = fields.Integer(allow_none=True)
    #: a partial re-audit after a substantial change: the domains audited again (null: a
    #: full audit); the other criteria keep the approval's levels
    reaudit_domains = fields.List(fields.String(), allow_none=True)
    actions = fields.List(fields.Enum(AuditAction, by_value=True))
    assignments = fields.List(fields.Nested(AssignmentOut))
    history = fields.List(fields.Nested(EventOut))
    self_assessment = fields.List(fields.Nested(AnswerDetailOut))
    evidence = fields.List(fields.Nested(EvidenceOut))
    decision = fields.Nested(DecisionOut, attribute="latest_decision", allow_none=True)
    decisions = fields.List(fields.Nested(DecisionOut))
    scores = fields.List(fields.Nested(ScoreOut))
    #: the company, once decided: criterion code → final level (None before)
    final_levels = fields.Dict(keys=fields.String(), values=fields.Integer(), allow_none=True)
    #: those who may read the results: the settled levels
    consolidations = fields.List(fields.Nested(ConsolidationOut))


class ResultOut(StrictSchema):
    #: false until some criterion has a level: the figures below are then the engine's on
    #: nothing (0, reject) and mean "not scored yet"
    scored = fields.Boolean()
    overall_score = fields.Float()
    domains = fields.List(fields.Nested(DomainScoreOut))
    eliminatory_failures = fields.List(fields.String())
    domain_floor_failures = fields.List(fields.String())
    divergences = fields.List(fields.String())
    recommendation = fields.String()
    missing = fields.List(fields.String())


class ConflictOut(StrictSchema):
    id = fields.Integer()
    expert = fields.Nested(PersonBrief)
    organization = fields.Nested(OrganizationRef)
    reason = fields.String()
    declared_at = fields.DateTime()


class ExpertRef(PersonBrief):
    email = fields.String()


class WorkloadOut(StrictSchema):
    expert = fields.Nested(ExpertRef)
    open_assignments = fields.Integer()


class WorkloadListOut(StrictSchema):
    items = fields.List(fields.Nested(WorkloadOut))


solution_out = SolutionOut()
audit_summary_out = AuditSummaryOut()
evidence_out = EvidenceOut()
assignment_out = AssignmentOut()
conflict_out = ConflictOut()
answer_out = AnswerOut()
score_out = ScoreOut()
consolidation_out = ConsolidationOut()
result_out = ResultOut()


class _AuditAsSeen:
    """An audit with what one reader may see of it in place of its lists."""

    def __init__(self, audit, **seen) -> None:
        self._audit = audit
        self.__dict__.update(seen)

    def __getattr__(self, name: str):
        return getattr(self._audit, name)


#: the company never reads the history's details nor the settled levels; the final levels
#: are the company's view of the result
_COMPANY_VIEW = AuditDetailOut(exclude=("consolidations", "history.data"))
_RESULTS_VIEW = AuditDetailOut(exclude=("final_levels",))
_REVIEW_VIEW = AuditDetailOut(exclude=("final_levels", "consolidations"))


def audit_detail(actor, audit) -> dict:
    """The audit as ``actor`` may see it, every choice made by the model's predicates.

    Everyone who sees the audit reads its status, solution, assignments, self-assessment,
    evidence, decisions and history (``Audit.events_visible_to``: transitions and notices
    for the company, which never reads the history's raw facts). Individual scores follow
    ``Audit.can_see_scores_of`` (blind scoring; never the company). The company reads the
    final level of each criterion once decided; those who may read the results read the
    settled levels.
    """
    from accelerator.audits import operations
    from accelerator.audits.results import final_levels

    seen = _AuditAsSeen(
        audit,
        actions=operations.available_actions(actor, audit),
        history=audit.events_visible_to(actor),
        self_assessment=sorted(audit.answers, key=lambda a: a.criterion_code),
        scores=sorted(
            audit.scores_visible_to(actor), key=lambda s: (s.criterion_code, s.expert_id)
        ),
        consolidations=sorted(audit.consolidations, key=lambda c: c.criterion_code),
    )
    if actor.role == Role.company:
        seen.final_levels = final_levels(audit) if audit.latest_decision else None
        return _COMPANY_VIEW.dump(seen)
    return (_RESULTS_VIEW if audit.can_read_results(actor) else _REVIEW_VIEW).dump(seen)


class DeclarationsIn(StrictSchema):
    """The decisive declarations as they will be after a substantial change."""

    processes_personal_data = fields.Boolean()
    gar_compatible = fields.Boolean()
    uses_ai = fields.Boolean()
    hosting_country = fields.String(validate=validate_country)
    hosting_provider = Trimmed(validate=validate.Length(max=200))
    pricing = fields.Enum(Pricing, by_value=True)
    product_version = Trimmed(data_key="version", validate=validate.Length(max=50))


class ChangeIn(StrictSchema):
    description = Trimmed(required=True, validate=[not_blank, validate.Length(max=10000)])
    declarations = fields.Nested(DeclarationsIn, load_default=dict)


class ChangeDecisionIn(StrictSchema):
    outcome = fields.Enum(ChangeOutcome, by_value=True, required=True)
    comment = Trimmed(required=True, validate=[not_blank, validate.Length(max=10000)])
    domains = fields.List(fields.String(validate=validate.Length(max=20)), load_default=list)


class ChangeCommentIn(StrictSchema):
    comment = Trimmed(load_default="", validate=validate.Length(max=10000))


class ChangeOut(StrictSchema):
    id = fields.Integer()
    solution_id = fields.Integer()
    audit_id = fields.Integer()
    description = fields.String()
    declarations = fields.Dict()
    declared_at = fields.DateTime()
    status = fields.Function(lambda c: c.outcome.value if c.outcome else "under_review")
    domains = fields.List(fields.String())
    comment = fields.String()
    decided_at = fields.DateTime(allow_none=True)
    reaudit_id = fields.Integer(allow_none=True)


def condition_out(condition) -> dict:
    return DecisionConditionOut().dump(condition)


class ConditionEvidenceIn(StrictSchema):
    note = Trimmed(required=True, validate=[not_blank, validate.Length(max=10000)])
    evidence_id = Id(load_default=None, allow_none=True)


class ConditionJudgementIn(StrictSchema):
    met = fields.Boolean(required=True)
    comment = Trimmed(load_default="", validate=validate.Length(max=10000))
