"""The catalogue's query string (validated) and its JSON shapes (API.md, "Public catalogue")."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields, validate, validates
from werkzeug.datastructures import MultiDict

from accelerator.audits.models import Audit, Pricing
from accelerator.catalogue.models import CatalogueEntry
from accelerator.catalogue.queries import SORTS, CatalogueQuery
from accelerator.certification.schemas import CredentialCheckOut
from accelerator.core.api import MAX_PER_PAGE, load
from accelerator.core.errors import Invalid
from accelerator.core.pagination import MAX_PAGE
from accelerator.core.reference import DISCIPLINES, LEVELS
from accelerator.core.schemas import StrictSchema, iso, one_of
from accelerator.criteria.schemas import DomainScoreOut

DEFAULT_PER_PAGE = 20
#: ``min_<DOMAIN>=NN``: a minimum score in one domain of the framework
_DOMAIN_PARAM = re.compile(r"^min_(?P<code>[A-Za-z0-9_-]{1,20})$")
_DOMAIN_PAIR = re.compile(r"^(?P<code>[A-Za-z0-9_-]{1,20}):(?P<score>.+)$")

SUBJECT_UNKNOWN = _l("Unknown subject.")
LEVEL_UNKNOWN = _l("Unknown level.")
PRICING_UNKNOWN = _l("Unknown pricing: free, freemium or paid.")
GAR_INVALID = _l("Must be true or false.")
SORT_UNKNOWN = _l("Unknown sort: relevance, score, recent or rating.")
RATING_RANGE = _l("Must be a number between 1 and 5.")
SCORE_RANGE = _l("Must be a number between 0 and 100.")
DOMAIN_UNKNOWN = _l("Unknown domain.")
DOMAIN_PAIR_INVALID = _l("Write CODE:NN, a domain code and a score between 0 and 100.")


class CatalogueQueryIn(StrictSchema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    subject = fields.List(
        fields.String(validate=one_of(DISCIPLINES, SUBJECT_UNKNOWN)), load_default=list
    )
    level = fields.List(fields.String(validate=one_of(LEVELS, LEVEL_UNKNOWN)), load_default=list)
    pricing = fields.List(
        fields.String(validate=one_of(Pricing.codes(), PRICING_UNKNOWN)), load_default=list
    )
    gar = fields.String(
        load_default=None, validate=validate.OneOf(["true", "false"], error=GAR_INVALID)
    )
    min_score = fields.Float(
        load_default=None, validate=validate.Range(0, 100, error=SCORE_RANGE), allow_nan=False
    )
    domain_min = fields.List(fields.String(), load_default=list)
    #: minimum average rating of the teachers' reviews
    min_rating = fields.Float(
        load_default=None, validate=validate.Range(1, 5, error=RATING_RANGE), allow_nan=False
    )
    sort = fields.String(
        load_default="relevance", validate=validate.OneOf(SORTS, error=SORT_UNKNOWN)
    )
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(1, MAX_PAGE, error=_l("Must be between 1 and 1,000,000.")),
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(1, MAX_PER_PAGE, error=_l("Must be between 1 and 100.")),
    )

    @validates("domain_min")
    def check_pairs(self, value: list[str], **kwargs) -> None:
        for pair in value:
            _domain_pair(pair)


#: one instance for every search: a schema keeps no state between loads, and making one
#: costs more than validating a query string
_QUERY_SCHEMA = CatalogueQueryIn()


def _domain_pair(pair: str) -> tuple[str, float]:
    match = _DOMAIN_PAIR.match(pair)
    if match is None:
        raise ValidationError(str(DOMAIN_PAIR_INVALID))
    try:
        score = float(match.group("score"))
    except ValueError:
        raise ValidationError(str(DOMAIN_PAIR_INVALID)) from None
    if not 0 <= score <= 100:  # also refuses NaN
        raise ValidationError(str(DOMAIN_PAIR_INVALID))
    return match.group("code").upper(), score


def parse_catalogue_query(args: MultiDict, known_domains: set[str]) -> CatalogueQuery:
    """Validate the query string of the catalogue (page and API alike).

    Repeated parameters (``subject``, ``level``, ``pricing``, ``domain_min``) may be given
    several times; empty values count as absent (an untouched select of the form). Raises
    ``Invalid`` (422) with one message per wrong parameter.
    """
    data: dict = {}
    for name in ("subject", "level", "pricing", "domain_min"):
        values = [value for value in args.getlist(name) if value != ""]
        if values:
            data[name] = values
    for name in ("q", "gar", "min_score", "min_rating", "sort", "page", "per_page"):
        value = args.get(name, "")
        if value != "":
            data[name] = value
    per_domain = []
    for name in args:
        match = _DOMAIN_PARAM.match(name)
        if match and name not in ("min_score", "min_rating") and args.get(name, "") != "":
            per_domain.append((name, f"{match.group('code')}:{args.get(name)}"))
    errors: dict[str, list[str]] = {}
    try:
        loaded = load(_QUERY_SCHEMA, data)
    except Invalid as error:
        errors.update({name: _flatten(messages) for name, messages in error.errors.items()})
        loaded = None
    minimums: dict[str, float] = {}
    pairs = [("domain_min", pair) for pair in data.get("domain_min", [])] + per_domain
    for name, pair in pairs:
        try:
            code, score = _domain_pair(pair)
        except ValidationError:
            if name != "domain_min":
                errors.setdefault(name, []).append(str(SCORE_RANGE))
            continue
        if code not in known_domains:
            errors.setdefault(name, []).append(str(DOMAIN_UNKNOWN))
            continue
        minimums[code] = max(score, minimums.get(code, 0.0))
    if errors or loaded is None:
        raise Invalid(gettext("Some search filters are invalid."), errors)
    return CatalogueQuery(
        q=loaded["q"].strip(),
        subjects=tuple(sorted(set(loaded["subject"]))),
        levels=tuple(sorted(set(loaded["level"]))),
        pricing=tuple(sorted(set(loaded["pricing"]))),
        gar=None if loaded["gar"] is None else loaded["gar"] == "true",
        min_score=loaded["min_score"],
        domain_min=tuple(sorted(minimums.items())),
        min_rating=loaded["min_rating"],
        sort=loaded["sort"],
        page=loaded["page"],
        per_page=loaded["per_page"],
    )


def _flatten(messages) -> list[str]:
    """marshmallow nests list errors by index ({0: [...]}); one flat list reads better."""
    if isinstance(messages, dict):
        return [text for value in messages.values() for text in _flatten(value)]
    if isinstance(messages, list | tuple):
        return [text for value in messages for text in _flatten(value)]
    return [str(messages)]


class IsoDate(fields.Field):
    """A date or a datetime written as ISO 8601 (as stored: a datetime keeps its offset)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {"type": "string", "format": "date-time"})
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return iso(value)


class NamedDomainScoreOut(DomainScoreOut):
    name = fields.String()


class CatalogueEntryOut(StrictSchema):
    """One catalogue item (API.md)."""

    slug = fields.String()
    name = fields.String()
    organization = fields.String(attribute="organization_name")
    summary = fields.String()
    subjects = fields.List(fields.String())
    levels = fields.List(fields.String())
    pricing = fields.String()
    gar_compatible = fields.Boolean()
    overall_score = fields.Float(allow_none=True)
    domains = fields.List(fields.Nested(DomainScoreOut))
    outcome = fields.String()
    decided_at = IsoDate(metadata={"type": "string", "format": "date-time"})
    valid_until = IsoDate(metadata={"type": "string", "format": "date"})
    verification_code = fields.String()
    #: what checking the approval's signed credential found (null: no approval)
    credential = fields.Nested(CredentialCheckOut, allow_none=True)
    #: the company declared a change that a manager has not decided yet
    change_under_review = fields.Boolean()
    teacher_rating = fields.Function(
        lambda entry: _teacher_rating(entry),
        metadata={
            "type": "object",
            "description": "The teachers' published reviews: their number and average "
            "rating from 1 to 5 (null without a review).",
            "properties": {
                "count": {"type": "integer"},
                "average": {"type": "number", "nullable": True},
            },
        },
    )


def _teacher_rating(entry) -> dict:
    count = entry.review_count or 0
    return {"count": count, "average": round(entry.review_rating, 2) if count else None}


class ConditionOut(StrictSchema):
    text = fields.String()
    due_date = IsoDate(metadata={"type": "string", "format": "date"})
    fulfilled = fields.Function(lambda condition: condition.fulfilled_at is not None)
    #: open | evidence_submitted | met | not_met
    status = fields.Function(lambda condition: condition.status.value)
    overdue = fields.Function(lambda condition: condition.is_overdue())


class SessionBriefOut(StrictSchema):
    """A training session to come on the solution."""

    id = fields.Integer()
    title = fields.String()
    format = fields.Function(lambda session: session.format.value)
    starts_at = IsoDate()
    ends_at = IsoDate()
    academy = fields.String(allow_none=True)
    location = fields.String(allow_none=True)
    places_left = fields.Integer()


class CatalogueDetailOut(CatalogueEntryOut):
    """A solution's page: the item, plus description, website, the decision's motivation and
    conditions, and the training sessions to come."""

    description = fields.String()
    website = fields.String()
    domains = fields.List(fields.Nested(NamedDomainScoreOut))
    motivation = fields.String()
    conditions = fields.List(fields.Nested(ConditionOut))
    training_sessions = fields.List(fields.Nested(SessionBriefOut))


class CataloguePageOut(StrictSchema):
    """A page of search results, with the facet counts over all of them."""

    items = fields.List(fields.Nested(CatalogueEntryOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    sort = fields.String()
    #: facet → value → count (each facet ignoring its own filter)
    facets = fields.Dict(keys=fields.String(), values=fields.Dict())


class VerifiedSolutionOut(StrictSchema):
    slug = fields.String()
    name = fields.String()
    organization = fields.String()


class VerificationOut(StrictSchema):
    genuine = fields.Boolean()
    in_force = fields.Boolean()
    status = fields.String()
    solution = fields.Nested(VerifiedSolutionOut)
    decided_at = IsoDate()
    valid_until = IsoDate(metadata={"type": "string", "format": "date"})
    verification_code = fields.String()
    #: what checking the approval's signed credential found (null: no approval)
    credential = fields.Nested(CredentialCheckOut, allow_none=True)


class _Detail:
    """An entry seen with its decision and sessions, for ``CatalogueDetailOut``."""

    def __init__(self, entry: CatalogueEntry, decision, sessions: list):
        self._entry = entry
        self.motivation = decision.motivation if decision else ""
        self.conditions = decision.conditions if decision else []
        self.training_sessions = sessions

    def __getattr__(self, name: str):
        return getattr(self._entry, name)


def _text(value) -> str | None:
    return None if value is None else str(value)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _flag(value) -> bool | None:
    return None if value is None else bool(value)


def _texts(values) -> list | None:
    return None if values is None else [_text(value) for value in values]


def _domain(domain: dict) -> dict:
    # DomainScoreOut's fields, each only when the stored domain has it (as marshmallow does)
    out = {}
    if "code" in domain:
        out["code"] = _text(domain["code"])
    if "score" in domain:
        out["score"] = _number(domain["score"])
    return out


def _item(entry) -> dict:
    """``CatalogueEntryOut().dump(entry)`` written out field by field (``credential``: an
    index entry has none, so the key is left out as marshmallow leaves it)."""
    domains = entry.domains
    return {
        "slug": _text(entry.slug),
        "name": _text(entry.name),
        "organization": _text(entry.organization_name),
        "summary": _text(entry.summary),
        "subjects": _texts(entry.subjects),
        "levels": _texts(entry.levels),
        "pricing": _text(entry.pricing),
        "gar_compatible": _flag(entry.gar_compatible),
        "overall_score": _number(entry.overall_score),
        "domains": None if domains is None else [_domain(domain) for domain in domains],
        "outcome": _text(entry.outcome),
        "decided_at": iso(entry.decided_at),
        "valid_until": iso(entry.valid_until),
        "verification_code": _text(entry.verification_code),
        "change_under_review": _flag(entry.change_under_review),
        "teacher_rating": _teacher_rating(entry),
    }


def dump_entries(entries: list) -> list[dict]:
    """The items of a page of results (rows of ``queries.LISTED``), exactly as
    ``CatalogueEntryOut`` (the documented shape) dumps them, without marshmallow's walk
    over fields and nested schemas: it cost the API more than the search's queries."""
    return [_item(entry) for entry in entries]


def dump_detail(entry: CatalogueEntry, decision, sessions: list) -> dict:
    return CatalogueDetailOut().dump(_Detail(entry, decision, sessions))


def dump_verification(audit: Audit, today: date | None = None, check=None) -> dict:
    status = audit.effective_status(today)
    solution = audit.solution
    return VerificationOut().dump(
        {
            "genuine": True,
            "in_force": status.value in ("approved", "approved_with_conditions"),
            "status": status.value,
            "solution": {
                "slug": solution.slug,
                "name": solution.name,
                "organization": solution.organization.name,
            },
            "decided_at": audit.decided_at,
            "valid_until": audit.valid_until,
            "verification_code": audit.verification_code,
            "credential": check,
        }
    )


# --- Transparency (``catalogue.transparency``): the values are dumped as they are built ------


class TransparencySolutionOut(StrictSchema):
    slug = fields.String()
    name = fields.String()
    organization = fields.String()
    url = fields.String(metadata={"format": "uri"})


class TransparencyApprovalOut(StrictSchema):
    outcome = fields.String(metadata={"enum": ["approved", "approved_with_conditions"]})
    decided_at = fields.String(metadata={"format": "date-time"})
    valid_until = fields.String(metadata={"format": "date"})
    verification_code = fields.String()
    verification_url = fields.String(metadata={"format": "uri"})
    #: the approval's Open Badges 3.0 credential (JSON-LD)
    credential_url = fields.String(metadata={"format": "uri"})


class TransparencyCriterionOut(StrictSchema):
    code = fields.String()
    title = fields.String()
    domain = fields.String()
    #: the criterion applies to the solution (its ``applies_if`` holds)
    applicable = fields.Boolean()
    #: the final level reached, 0..max_level; null where it does not apply or was not scored
    level = fields.Integer(allow_none=True)
    level_label = fields.String(allow_none=True)
    max_level = fields.Integer()


class TransparencyDeclarationsOut(StrictSchema):
    """The declarations frozen when the audit was submitted."""

    hosting_country = fields.String(allow_none=True, metadata={"description": "ISO 3166-1"})
    hosting_provider = fields.String(allow_none=True)
    processes_personal_data = fields.Boolean(allow_none=True)
    uses_ai = fields.Boolean(allow_none=True)
    gar_compatible = fields.Boolean(allow_none=True)
    pricing = fields.String(allow_none=True, metadata={"enum": [p.value for p in Pricing]})
    version = fields.String(allow_none=True)


class TransparencyConditionOut(StrictSchema):
    text = fields.String()
    due_date = fields.String(allow_none=True, metadata={"format": "date"})
    status = fields.String(metadata={"enum": ["open", "evidence_submitted", "met", "not_met"]})
    status_label = fields.String()
    fulfilled_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    overdue = fields.Boolean()


class TransparencyOut(StrictSchema):
    """What the public solution page shows beyond the description (its "Transparency")."""

    solution = fields.Nested(TransparencySolutionOut)
    approval = fields.Nested(TransparencyApprovalOut)
    #: the framework version the approval was scored on
    framework_version = fields.String()
    overall_score = fields.Float()
    domains = fields.List(fields.Nested(NamedDomainScoreOut))
    #: the criteria the framework marks public, in its order
    criteria = fields.List(fields.Nested(TransparencyCriterionOut))
    #: null when no declaration was frozen (an approval recorded before freezing existed)
    declarations = fields.Nested(TransparencyDeclarationsOut, allow_none=True)
    conditions = fields.List(fields.Nested(TransparencyConditionOut))
    #: when the solution's public site was last checked automatically (null: never)
    last_automated_check = fields.String(allow_none=True, metadata={"format": "date-time"})


class TransparencyListOut(StrictSchema):
    """Open data: every solution's transparency record (``GET /open-data/transparency.json``)."""

    items = fields.List(fields.Nested(TransparencyOut))
    total = fields.Integer()
    #: the licence of the data (etalab-2.0)
    license = fields.String()
    #: the JSON Schema of one record
    schema = fields.String(metadata={"format": "uri"})
