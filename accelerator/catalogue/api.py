"""Public catalogue API (API.md, "Public catalogue"): no token needed."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext

from accelerator.catalogue import queries, transparency
from accelerator.catalogue.caching import (
    cacheable,
    cached_answer,
    keep_answer,
    not_modified,
    state_etag,
)
from accelerator.catalogue.schemas import (
    CatalogueDetailOut,
    CataloguePageOut,
    CatalogueQueryIn,
    TransparencyOut,
    VerificationOut,
    dump_detail,
    dump_entries,
    dump_verification,
    parse_catalogue_query,
)
from accelerator.certification import approval_credential, credential_check
from accelerator.certification.schemas import SignedCredentialOut
from accelerator.core.api import api
from accelerator.core.errors import NotFound
from accelerator.core.openapi import documented
from accelerator.core.permissions import public


@api.get("/catalogue")
@public
@documented(
    response=CataloguePageOut,
    query=CatalogueQueryIn,
    responses={304: "Not modified"},
)
def catalogue_search():
    """Search the solutions whose approval is in force.

    Only solutions with an approval in force are listed (approved, or approved with
    conditions, and not past their validity). Words of `q` are searched, as prefixes and
    insensitive to case and accents, in the name, company, summary and description.
    Repeat `subject`, `level` and `pricing` to accept any of several values. Per-domain
    minimum scores: `min_<DOMAIN>=NN` (e.g. `min_RGPD=80`) or `domain_min=CODE:NN`
    (repeatable). The answer has `facets`: counts per subject, level, pricing and GAR
    compatibility over the results (each ignoring its own filter). Answers carry an ETag;
    send If-None-Match to get a 304 when nothing changed.
    """
    catalogue = queries.catalogue_state()
    state = catalogue.fingerprint
    etag = state_etag(state, personal=False)
    unchanged = not_modified(etag, personal=False)
    if unchanged is not None:
        return unchanged
    kept = cached_answer(etag, personal=False)
    if kept is not None:
        return kept
    domains = catalogue.domains()
    query = parse_catalogue_query(request.args, {code for code, _ in domains})
    result = queries.search_catalogue(query, state=state)
    response = jsonify(
        {
            "items": dump_entries(result.entries),
            "page": result.page,
            "per_page": result.per_page,
            "total": result.total,
            "sort": result.sort,
            "facets": result.facets,
        }
    )
    keep_answer(etag, False, response)
    return cacheable(response, etag, personal=False)


@api.get("/catalogue/<slug>")
@public
@documented(response=CatalogueDetailOut, responses={304: "Not modified"})
def catalogue_solution(slug: str):
    """One solution of the catalogue, its conditions and its training sessions to come."""
    entry = queries.entry_in_force(slug)
    if entry is None:
        raise NotFound(gettext("No solution with an approval in force has this address."))
    body = dump_detail(
        entry, queries.decision_of(entry), queries.sessions_to_come(entry.solution_id)
    )
    return cacheable(jsonify(body), personal=False)


@api.get("/catalogue/<slug>/transparency")
@public
@documented(response=TransparencyOut, responses={304: "Not modified"})
def catalogue_transparency(slug: str):
    """What the solution's page shows for purchasers and data protection officers.

    The level reached on each criterion the framework marks public, the declarations frozen
    at submission (hosting, personal data, AI use, GAR), the conditions and their state, the
    date of the last automated check: the record the page renders (a stable URL, listed on
    the open data page, licence etalab-2.0).
    """
    entry = queries.entry_in_force(slug)
    if entry is None:
        raise NotFound(gettext("No solution with an approval in force has this address."))
    return cacheable(
        jsonify(TransparencyOut().dump(transparency.transparency_of(entry))), personal=False
    )


@api.get("/verify/<code>")
@public
@documented(response=VerificationOut, responses={304: "Not modified"})
def verify_approval(code: str):
    """Whether an approval is genuine and in force.

    `credential` is what checking the approval's signed Open Badge found (its signature
    with the key of /.well-known/jwks.json, its dates, its revocation and suspension bits in
    the status lists), with the findings in French; null for an audit without approval.
    """
    audit = queries.audit_by_code(code)
    if audit is None:
        raise NotFound(gettext("No approval has this verification code."))
    check = None
    if approval_credential.has_credential(audit):
        check = credential_check.check_credential(approval_credential.signed_credential(audit))
    return cacheable(jsonify(dump_verification(audit, check=check)), personal=False)


@api.get("/verify/<code>/credential")
@public
@documented(response=SignedCredentialOut)
def approval_credential_download(code: str):
    """The approval's Open Badges 3.0 credential, unsigned and signed (VC-JWT, EdDSA).

    The same credential as `/verify/{code}/credential.json` and `.jwt` on the pages; its
    `credentialStatus` names its bits in the Bitstring Status Lists at
    `/credentials/status/{purpose}/{number}`.
    """
    audit = queries.audit_by_code(code)
    if audit is None or not approval_credential.has_credential(audit):
        raise NotFound(gettext("No approval has this verification code."))
    body = {
        "credential": approval_credential.credential(audit),
        "jwt": approval_credential.signed_credential(audit),
    }
    return SignedCredentialOut().dump(body)


from accelerator.catalogue.reviews import api as _reviews_api  # noqa: E402,F401  (its routes)
