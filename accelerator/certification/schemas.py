"""API schemas of certification: feedback, certificates, verification."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from accelerator.certification.operations import COMMENT_MAX, RATING_MAX, RATING_MIN, public_name
from accelerator.core.schemas import StrictSchema, Trimmed
from accelerator.core.urls import public_url
from accelerator.training.schemas import SessionOut, SolutionRef

# marshmallow's messages are message ids, translated when the problem is answered.
RATING_RANGE = "Give a rating from 1 to 5."
COMMENT_TOO_LONG = "The comment is too long (2000 characters at most)."
CREDENTIAL_TOO_LONG = "This text is too long to be a credential."
MESSAGES = (
    _l("Give a rating from 1 to 5."),
    _l("The comment is too long (2000 characters at most)."),
    _l("This text is too long to be a credential."),
)


class FeedbackIn(StrictSchema):
    rating = fields.Integer(
        required=True,
        strict=True,
        validate=validate.Range(RATING_MIN, RATING_MAX, error=RATING_RANGE),
    )
    comment = Trimmed(
        load_default="", validate=validate.Length(max=COMMENT_MAX, error=COMMENT_TOO_LONG)
    )


class FeedbackOut(StrictSchema):
    id = fields.Integer()
    session_id = fields.Integer(attribute="enrollment.session_id")
    rating = fields.Integer()
    comment = fields.String()
    created_at = fields.DateTime()


class SessionRef(SessionOut):
    """What a certificate says of its session: training's own output, reduced."""

    class Meta(SessionOut.Meta):
        fields = (
            "id",
            "reference",
            "title",
            "format",
            "starts_at",
            "ends_at",
            "duration_hours",
            "academy",
        )


def _own_link(endpoint: str) -> fields.Function:
    """The public URL of one of the caller's files (``endpoint`` takes ``certificate_id``)."""
    return fields.Function(
        lambda c: public_url(endpoint, certificate_id=c.id),
        metadata={"type": "string", "format": "uri"},
    )


class _OwnDocumentOut(StrictSchema):
    """What a teacher's own attestation and path certificate both show."""

    id = fields.Integer()
    code = fields.String()
    issued_at = fields.DateTime()
    revoked = fields.Function(lambda c: c.revoked_at is not None, metadata={"type": "boolean"})
    verification_url = fields.Function(
        lambda c: public_url("certification.verify_page", code=c.code),
        metadata={"type": "string", "format": "uri"},
    )


class CertificateOut(_OwnDocumentOut):
    """A teacher's own certificate, with the links to its PDF and badge."""

    session = fields.Nested(SessionRef, attribute="enrollment.session")
    solutions = fields.List(fields.Nested(SolutionRef), attribute="enrollment.session.solutions")
    pdf_url = _own_link("api.certificate_pdf")
    badge_url = _own_link("api.badge_json")
    badge_jwt_url = _own_link("api.badge_jwt")


class AttestationVerificationOut(StrictSchema):
    """What anyone holding the code learns: little about the teacher (first name and the
    initial of the last name), the training, and whether it stands."""

    genuine = fields.Constant(True)
    #: "session" for an attestation; a path certificate's code answers ``PathVerificationOut``
    #: ("path")
    kind = fields.Constant("session")
    code = fields.String()
    teacher = fields.Function(
        lambda c: public_name(c.enrollment.teacher), metadata={"type": "string"}
    )
    session = fields.Nested(SessionRef, attribute="enrollment.session")
    solutions = fields.List(fields.Nested(SolutionRef), attribute="enrollment.session.solutions")
    issued_at = fields.DateTime()
    revoked = fields.Function(lambda c: c.revoked_at is not None, metadata={"type": "boolean"})
    revoked_at = fields.DateTime()


class BadgeStatusOut(StrictSchema):
    """An Open Badge's credentialStatus: active, revoked, or approval_lapsed."""

    id = fields.String()
    status = fields.String()
    revoked = fields.Boolean()
    approval_lapsed = fields.Boolean()
    message = fields.String()


class ProgressOut(StrictSchema):
    """The counter toward 100,000 trained teachers (rules in ``certification.progress``)."""

    trained_teachers = fields.Integer()
    target = fields.Integer()
    percent = fields.Float()
    by_academy = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_month = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_solution = fields.Dict(keys=fields.String(), values=fields.Integer())
    projected_date = fields.Date(allow_none=True)


class PathRef(StrictSchema):
    id = fields.Integer()
    title = fields.String()
    url = fields.Function(
        lambda p: public_url("training.path_detail", path_id=p.id),
        metadata={"type": "string", "format": "uri"},
    )


class PathCertificateOut(_OwnDocumentOut):
    """A teacher's own path certificate, with the links to its PDF and Open Badge."""

    path = fields.Nested(PathRef)
    pdf_url = _own_link("api.path_certificate_pdf")
    badge_url = _own_link("api.path_badge_json")
    badge_jwt_url = _own_link("api.path_badge_jwt")


class ModuleProgressOut(StrictSchema):
    """One module of a path for the teacher: done once a session on its solution is
    completed (the first such session, by its end)."""

    position = fields.Integer(attribute="module.position")
    title = fields.String(attribute="module.label")
    solution = fields.Nested(SolutionRef, attribute="module.solution")
    done = fields.Boolean()
    session = fields.Nested(SessionRef, allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class PathProgressOut(StrictSchema):
    """The caller's progress along a published path: modules done out of the total, and
    the path certificate once every module is done."""

    path = fields.Nested(PathRef)
    done = fields.Integer(attribute="progress.done")
    total = fields.Integer(attribute="progress.total")
    complete = fields.Boolean(attribute="progress.complete")
    modules = fields.List(fields.Nested(ModuleProgressOut), attribute="progress.modules")
    certificate = fields.Nested(PathCertificateOut, allow_none=True)


class PathModuleRef(StrictSchema):
    position = fields.Integer()
    title = fields.String(attribute="label")
    solution = fields.Nested(SolutionRef)


class PathVerificationOut(StrictSchema):
    """What anyone holding a path certificate's code learns: the teacher's first name and
    initial, the path and its modules, and whether it stands."""

    genuine = fields.Constant(True)
    kind = fields.Constant("path")
    code = fields.String()
    teacher = fields.Function(lambda c: public_name(c.teacher), metadata={"type": "string"})
    path = fields.Nested(PathRef)
    modules = fields.List(fields.Nested(PathModuleRef), attribute="path.modules")
    issued_at = fields.DateTime()
    revoked = fields.Function(lambda c: c.revoked_at is not None, metadata={"type": "boolean"})
    revoked_at = fields.DateTime()


class CredentialCheckIn(StrictSchema):
    #: the signed credential, a compact JWS (the content of a .jwt download)
    jwt = fields.String(
        required=True, validate=validate.Length(min=1, max=100_000, error=CREDENTIAL_TOO_LONG)
    )


class CredentialCheckOut(StrictSchema):
    """What checking a signed credential found (``certification.credential_check``)."""

    verdict = fields.String(
        metadata={
            "enum": [
                "malformed",
                "invalid_signature",
                "revoked",
                "suspended",
                "expired",
                "not_yet_valid",
                "status_unknown",
                "valid",
            ]
        }
    )
    valid = fields.Boolean()
    #: one sentence, in the reader's language
    summary = fields.Function(lambda check: check.summary(), metadata={"type": "string"})
    #: every finding, one sentence each
    findings = fields.Function(
        lambda check: check.findings(), metadata={"type": "array", "items": {"type": "string"}}
    )
    signature_valid = fields.Boolean()
    revoked = fields.Function(
        lambda check: check.statuses.get("revocation"),
        metadata={"type": "boolean", "nullable": True},
    )
    suspended = fields.Function(
        lambda check: check.statuses.get("suspension"),
        metadata={"type": "boolean", "nullable": True},
    )
    expired = fields.Boolean()
    not_yet_valid = fields.Boolean()
    #: the credential's claims when its signature verified, else null
    credential = fields.Dict(allow_none=True)


class SignedCredentialOut(StrictSchema):
    """A credential and its signed form."""

    #: the OpenBadgeCredential (W3C VC 2.0)
    credential = fields.Dict()
    #: the same, signed: a compact JWS (VC-JWT, EdDSA; key at /.well-known/jwks.json)
    jwt = fields.String()
