"""API schemas of the site checks: the addresses in and out, a run and its findings."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from accelerator.checks.findings import CheckKind, Outcome
from accelerator.checks.models import ADDRESS_FIELDS


def _url_field():
    return fields.String(allow_none=True, validate=validate.Length(max=500))


class AddressesIn(Schema):
    """The solution's public addresses; a field left out stays, ``null`` or "" clears it."""

    landing_url = _url_field()
    login_url = _url_field()
    privacy_url = _url_field()
    legal_notice_url = _url_field()
    accessibility_url = _url_field()


class AddressesOut(Schema):
    solution_id = fields.Integer()
    landing_url = fields.String(allow_none=True)
    login_url = fields.String(allow_none=True)
    privacy_url = fields.String(allow_none=True)
    legal_notice_url = fields.String(allow_none=True)
    accessibility_url = fields.String(allow_none=True)
    #: the date of the latest run (None before the first one)
    last_checked_at = fields.String(allow_none=True)


class FindingOut(Schema):
    kind = fields.String(metadata={"enum": CheckKind.codes()})
    title = fields.String()
    #: the criteria of the cadre de confiance the finding informs
    criteria = fields.List(fields.String())
    #: a failure of an eliminatory point (its regression on an approved solution alerts)
    eliminatory = fields.Boolean()
    outcome = fields.String(metadata={"enum": Outcome.codes()})
    url = fields.String()
    #: the code of the sentence ``message``, stable for machines
    reason = fields.String()
    message = fields.String()
    #: what was measured (versions, dates, names, counts...), by kind
    facts = fields.Dict()


class SiteCheckOut(Schema):
    id = fields.Integer()
    solution_id = fields.Integer()
    #: the audit the run is evidence for (None when the solution had none)
    audit_id = fields.Integer(allow_none=True)
    trigger = fields.String(metadata={"enum": ["requested", "monitoring"]})
    checked_at = fields.String()
    addresses = fields.Dict()
    #: outcome → number of findings
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    #: eliminatory kinds that passed on the previous run and fail on this one
    regressions = fields.List(fields.String())
    findings = fields.List(fields.Nested(FindingOut))


def addresses_out(solution_id: int, row, last_check) -> dict:
    values = {name: getattr(row, name) if row else None for name in ADDRESS_FIELDS}
    return AddressesOut().dump(
        values
        | {
            "solution_id": solution_id,
            "last_checked_at": last_check.checked_at.isoformat() if last_check else None,
        }
    )
