"""API schemas of the cadre de confiance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validates

from accelerator.core.schemas import StrictSchema, one_of
from accelerator.criteria.diagnostic import ANSWERS
from accelerator.criteria.models import VersionStatus
from accelerator.criteria.rules import ATTRIBUTES


class VersionSummaryOut(StrictSchema):
    id = fields.Integer()
    code = fields.Function(lambda version: version.framework.code)
    version = fields.String()
    label = fields.String()
    status = fields.Enum(VersionStatus, by_value=True)
    published_at = fields.DateTime(allow_none=True)
    retired_at = fields.DateTime(allow_none=True)


class LevelOut(StrictSchema):
    value = fields.Integer()
    label = fields.String()
    descriptor = fields.String()


class CriterionOut(StrictSchema):
    code = fields.String()
    title = fields.String()
    guidance = fields.String()
    evidence_expected = fields.String()
    weight = fields.Float()
    eliminatory = fields.Boolean()
    min_level = fields.Integer()
    applies_if = fields.String(allow_none=True)
    #: the level an approved solution reached is public (catalogue, transparency JSON)
    public = fields.Boolean()
    levels = fields.List(fields.Nested(LevelOut))


class DomainOut(StrictSchema):
    code = fields.String()
    name = fields.String()
    description = fields.String()
    weight = fields.Float()
    #: minimum domain score (0..100) for an approval, or null
    floor = fields.Float(allow_none=True)
    criteria = fields.List(fields.Nested(CriterionOut))


class VersionOut(VersionSummaryOut):
    framework = fields.Function(
        lambda version: {"code": version.framework.code, "name": version.framework.name}
    )
    thresholds = fields.Dict()
    domains = fields.List(fields.Nested(DomainOut))


class DiagnosticIn(StrictSchema):
    #: solution attributes (processes_personal_data, gar_compatible, paid, uses_ai); absent is false
    attributes = fields.Dict(keys=fields.String(), values=fields.Boolean(), load_default=dict)
    #: criterion code → yes | partial | no | not_applicable
    answers = fields.Dict(
        keys=fields.String(), values=fields.String(validate=one_of(ANSWERS)), required=True
    )

    @validates("attributes")
    def check_attributes(self, value: dict, **kwargs) -> None:
        unknown = sorted(set(value) - set(ATTRIBUTES))
        if unknown:
            raise ValidationError(
                str(_l("Unknown attributes: %(names)s.", names=", ".join(unknown)))
            )


class DomainScoreOut(StrictSchema):
    code = fields.String()
    #: 0..100, or null when no criterion of the domain applies
    score = fields.Float(allow_none=True)


class GapOut(StrictSchema):
    code = fields.String()
    title = fields.String()
    domain = fields.String()
    answer = fields.String(allow_none=True)
    level = fields.Integer(allow_none=True)
    eliminatory = fields.Boolean()
    min_level = fields.Integer(allow_none=True)
    failing = fields.Boolean()
    target_level = fields.Integer()
    target_descriptor = fields.String()
    gain = fields.Float()


class DiagnosticOut(StrictSchema):
    """Scores, recommendation and gaps (eliminatory first) of a self-diagnostic."""

    framework_version_id = fields.Integer()
    overall_score = fields.Float()
    domains = fields.List(fields.Nested(DomainScoreOut))
    eliminatory_failures = fields.List(fields.String())
    domain_floor_failures = fields.List(fields.String())
    recommendation = fields.String()
    gaps = fields.List(fields.Nested(GapOut))
    counted_as_not_met = fields.List(fields.String())
    unanswered = fields.List(fields.String())
