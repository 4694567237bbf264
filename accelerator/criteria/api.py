"""Criteria API: the versions of the cadre de confiance, the one in force, the
self-diagnostic, and the administrators' lifecycle actions."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from accelerator.accounts.models import Role
from accelerator.core.api import api, json_body, load, paginate
from accelerator.core.errors import Invalid, NotFound
from accelerator.core.openapi import documented
from accelerator.core.permissions import public, roles_required
from accelerator.criteria import operations
from accelerator.criteria.diagnostic import diagnose
from accelerator.criteria.models import FrameworkVersion, VersionStatus
from accelerator.criteria.schemas import (
    DiagnosticIn,
    DiagnosticOut,
    VersionOut,
    VersionSummaryOut,
)
from accelerator.extensions import db

version_out = VersionOut()


def visible_version(version_id: int) -> FrameworkVersion:
    """A version the caller may read, with its content loaded; 404 otherwise."""
    version = db.session.scalar(
        FrameworkVersion.visible_to(current_user)
        .where(FrameworkVersion.id == version_id)
        .options(FrameworkVersion.with_content())
    )
    if version is None:
        raise NotFound(gettext("Unknown framework version."))
    return version


def version_in_force() -> FrameworkVersion:
    version = FrameworkVersion.in_force()
    if version is None:
        raise NotFound(gettext("No version of the cadre de confiance is in force."))
    return db.session.scalar(
        select(FrameworkVersion)
        .where(FrameworkVersion.id == version.id)
        .options(FrameworkVersion.with_content())
    )


def _public_cache(body: dict, version: FrameworkVersion, max_age: int):
    """Published versions never change: let browsers and a CDN keep them."""
    from flask import jsonify

    response = jsonify(body)
    if version.status != VersionStatus.draft:
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        response.add_etag()
        response.make_conditional(request)
    return response


@api.get("/frameworks")
@public
@documented(response=VersionSummaryOut, paginated=True)
def list_frameworks():
    """Versions of the cadre de confiance (published and retired; drafts for admins and
    managers)."""
    statement = FrameworkVersion.visible_to(current_user).order_by(FrameworkVersion.id.desc())
    return paginate(statement, lambda rows: VersionSummaryOut().dump(rows, many=True))


@api.get("/frameworks/current")
@public
@documented(response=VersionOut, errors=(404,), responses={304: "Not modified"})
def current_framework():
    """The published version in force, whole (domains, criteria, levels)."""
    version = version_in_force()
    return _public_cache(version_out.dump(version), version, max_age=300)


@api.get("/frameworks/<int:version_id>")
@public
@documented(response=VersionOut, responses={304: "Not modified"})
def get_framework(version_id: int):
    """A framework version, whole (drafts for admins and managers only)."""
    version = visible_version(version_id)
    return _public_cache(version_out.dump(version), version, max_age=3600)


@api.post("/frameworks/current/diagnostic")
@public
@documented(body=DiagnosticIn, response=DiagnosticOut, errors=(404,))
def diagnostic():
    """Self-diagnostic against the version in force; nothing is stored."""
    data = load(DiagnosticIn(), json_body())
    version = version_in_force()
    codes = {criterion.code for criterion in version.criteria()}
    unknown = sorted(set(data["answers"]) - codes)
    if unknown:
        message = gettext("Unknown criterion codes: %(codes)s.", codes=", ".join(unknown))
        raise Invalid(message, {"answers": [message]})
    result = diagnose(version, data["attributes"], data["answers"])
    return DiagnosticOut().dump(
        {
            "framework_version_id": version.id,
            "overall_score": round(result.result.overall, 1),
            "domains": [
                {"code": code, "score": None if value is None else round(value, 1)}
                for code, value in result.result.domains.items()
            ],
            "eliminatory_failures": result.result.eliminatory_failures,
            "domain_floor_failures": result.result.domain_floor_failures,
            "recommendation": result.result.recommendation,
            "gaps": [
                {
                    "code": gap.code,
                    "title": gap.title,
                    "domain": gap.domain_code,
                    "answer": gap.answer,
                    "level": gap.level,
                    "eliminatory": gap.eliminatory,
                    "min_level": gap.min_level,
                    "failing": gap.failing,
                    "target_level": gap.target_level,
                    "target_descriptor": gap.target_descriptor,
                    "gain": round(gap.gain, 1),
                }
                for gap in result.gaps
            ],
            "counted_as_not_met": result.counted_as_not_met,
            "unanswered": result.unanswered,
        }
    )


@api.post("/frameworks/drafts")
@documented(response=VersionOut, status=201, errors=(409,))
@roles_required(Role.admin)
def create_draft():
    """Draft a new version from the one in force (admin)."""
    draft = operations.draft_from(current_user)
    return version_out.dump(visible_version(draft.id)), 201


@api.post("/frameworks/<int:version_id>/publish")
@documented(response=VersionOut, errors=(409, 422))
@roles_required(Role.admin)
def publish_framework(version_id: int):
    """Publish a draft (admin); the version in force is retired."""
    version = operations.publish_version(current_user, visible_version(version_id))
    return version_out.dump(visible_version(version.id))


@api.post("/frameworks/<int:version_id>/retire")
@documented(response=VersionOut, errors=(409,))
@roles_required(Role.admin)
def retire_framework(version_id: int):
    """Retire a published version (admin), when another stays in force."""
    version = operations.retire_version(current_user, visible_version(version_id))
    return version_out.dump(visible_version(version.id))
