"""Public catalogue API (API.md, "Public catalogue"): no token needed."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext

from accelerator.catalogue import queries
from accelerator.catalogue.caching import (
    cacheable,
    cached_answer,
    keep_answer,
    not_modified,
    state_etag,
)
from accelerator.catalogue.schemas import (
    dump_detail,
    dump_entry,
    dump_verification,
    parse_catalogue_query,
)
from accelerator.core.api import api
from accelerator.core.errors import NotFound


@api.get("/catalogue")
def catalogue_search():
    """Search the solutions whose approval is in force.
    ---
    get:
      summary: Search the public catalogue
      tags: [catalogue]
      security: []
      description: |
        Only solutions with an approval in force are listed (approved, or approved with
        conditions, and not past their validity). Words of `q` are searched, as prefixes and
        insensitive to case and accents, in the name, company, summary and description.
        Repeat `subject`, `level` and `pricing` to accept any of several values. Per-domain
        minimum scores: `min_<DOMAIN>=NN` (e.g. `min_RGPD=80`) or `domain_min=CODE:NN`
        (repeatable). The answer has `facets`: counts per subject, level, pricing and GAR
        compatibility over the results (each ignoring its own filter). Answers carry an ETag;
        send If-None-Match to get a 304 when nothing changed.
      parameters:
        - {name: q, in: query, schema: {type: string, maxLength: 200}}
        - name: subject
          in: query
          schema: {type: array, items: {type: string}}
        - name: level
          in: query
          schema: {type: array, items: {type: string}}
        - name: pricing
          in: query
          schema: {type: array, items: {type: string, enum: [free, freemium, paid]}}
        - {name: gar, in: query, schema: {type: string, enum: ["true", "false"]}}
        - {name: min_score, in: query, schema: {type: number, minimum: 0, maximum: 100}}
        - name: domain_min
          in: query
          schema: {type: array, items: {type: string, example: "RGPD:80"}}
        - {name: sort, in: query, schema: {type: string, enum: [relevance, score, recent]}}
        - {name: page, in: query, schema: {type: integer, minimum: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 100}}
      responses:
        200: {description: "{items, page, per_page, total, sort, facets}"}
        304: {description: Not modified}
        422: {description: Invalid filter values}
    """
    state = queries.fingerprint()
    etag = state_etag(state, personal=False)
    unchanged = not_modified(etag, personal=False)
    if unchanged is not None:
        return unchanged
    kept = cached_answer(etag, personal=False)
    if kept is not None:
        return kept
    domains = queries.domain_codes(state)
    query = parse_catalogue_query(request.args, {code for code, _ in domains})
    result = queries.search_catalogue(query, state=state)
    response = jsonify(
        {
            "items": [dump_entry(entry) for entry in result.entries],
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
def catalogue_solution(slug: str):
    """One solution of the catalogue, its conditions and its training sessions to come.
    ---
    get:
      summary: A solution of the public catalogue
      tags: [catalogue]
      security: []
      responses:
        200:
          description: >-
            The item's fields, plus description, website, motivation,
            conditions [{text, due_date, fulfilled}] and training_sessions (to come)
        404: {description: Unknown solution, or no approval in force}
    """
    entry = queries.entry_in_force(slug)
    if entry is None:
        raise NotFound(gettext("No solution with an approval in force has this address."))
    body = dump_detail(
        entry, queries.decision_of(entry), queries.sessions_to_come(entry.solution_id)
    )
    return cacheable(jsonify(body), personal=False)


@api.get("/verify/<code>")
def verify_approval(code: str):
    """Whether an approval is genuine and in force.
    ---
    get:
      summary: Verify an approval by its code
      tags: [catalogue]
      security: []
      responses:
        200:
          description: >-
            {genuine, in_force, status, solution {slug, name, organization},
            decided_at, valid_until}
        404: {description: No approval has this code}
    """
    audit = queries.audit_by_code(code)
    if audit is None:
        raise NotFound(gettext("No approval has this verification code."))
    return cacheable(jsonify(dump_verification(audit)), personal=False)
