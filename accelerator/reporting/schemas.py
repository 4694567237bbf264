"""API schemas of the indicators' settings: targets (value and horizon), national populations
per school year and académie, and the follow-up questionnaire's delay. What comes in is one
setting's new values; what goes out is the setting in force and its history (newest first)."""

from __future__ import annotations

from marshmallow import fields

from accelerator.core.schemas import StrictSchema, Trimmed, max_length
from accelerator.reporting.operations import FOLLOW_UP_WEEKS
from accelerator.training.schemas import sane_date


class TargetIn(StrictSchema):
    """Ranges and order are checked by ``operations.set_target`` (the page's rules)."""

    value = fields.Float(
        required=True,
        allow_none=True,
        allow_nan=False,
        metadata={"description": "The value to reach (0 or more); null withdraws the target."},
    )
    horizon_start = fields.Date(required=True, validate=sane_date)
    horizon_end = fields.Date(
        required=True, validate=sane_date, metadata={"description": "On or after horizon_start."}
    )
    note = Trimmed(load_default="", validate=max_length(1000))


class PopulationIn(StrictSchema):
    teachers = fields.Integer(strict=True, required=True, metadata={"minimum": 0})
    new_teachers = fields.Integer(
        strict=True,
        required=True,
        metadata={
            "minimum": 0,
            "description": "Stagiaires and néotitulaires among the teachers (at most teachers).",
        },
    )


class FollowUpDelayIn(StrictSchema):
    weeks = fields.Integer(
        strict=True,
        required=True,
        metadata={"minimum": FOLLOW_UP_WEEKS[0], "maximum": FOLLOW_UP_WEEKS[1]},
    )


class TargetOut(StrictSchema):
    code = fields.String()
    value = fields.Float(allow_none=True)
    horizon_start = fields.Date()
    horizon_end = fields.Date()
    note = fields.String()
    set_at = fields.DateTime()
    set_by_id = fields.Integer(allow_none=True)


class PopulationOut(StrictSchema):
    year = fields.Integer(metadata={"description": "First calendar year of the school year."})
    academy = fields.String()
    teachers = fields.Integer()
    new_teachers = fields.Integer()
    set_at = fields.DateTime()
    set_by_id = fields.Integer(allow_none=True)


class FollowUpDelayOut(StrictSchema):
    weeks = fields.Integer()
    set_at = fields.DateTime()
    set_by_id = fields.Integer(allow_none=True)


class TargetHistoryOut(StrictSchema):
    """One indicator's target: the row in force (null: none set, or withdrawn) and every
    row, newest first."""

    in_force = fields.Nested(TargetOut, allow_none=True)
    history = fields.List(fields.Nested(TargetOut))


class PopulationHistoryOut(StrictSchema):
    in_force = fields.Nested(PopulationOut, allow_none=True)
    history = fields.List(fields.Nested(PopulationOut))


class FollowUpDelayHistoryOut(StrictSchema):
    #: the delay in force (the default when nobody set one)
    weeks = fields.Integer()
    history = fields.List(fields.Nested(FollowUpDelayOut))


class SettingsHistoryOut(StrictSchema):
    targets = fields.List(fields.Nested(TargetOut))
    populations = fields.List(fields.Nested(PopulationOut))
    follow_up = fields.List(fields.Nested(FollowUpDelayOut))


class SettingsOut(StrictSchema):
    """Every setting in force, and the latest rows of each kind (at most 50, newest first)."""

    targets = fields.List(fields.Nested(TargetOut))
    populations = fields.List(fields.Nested(PopulationOut))
    follow_up_weeks = fields.Integer()
    history = fields.Nested(SettingsHistoryOut)
