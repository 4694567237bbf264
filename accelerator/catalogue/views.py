"""Public pages, no account needed: the catalogue, a solution, verification, the badge."""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from types import SimpleNamespace

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from accelerator.audits.models import Pricing
from accelerator.catalogue import cards, queries, transparency
from accelerator.catalogue.caching import (
    cacheable,
    cached_answer,
    is_personal,
    keep_answer,
    not_modified,
    state_etag,
)
from accelerator.catalogue.reviews import operations as review_operations
from accelerator.catalogue.schemas import parse_catalogue_query
from accelerator.certification import approval_credential, credential_check
from accelerator.certification.exports import credential_json_response, credential_jwt_response
from accelerator.core.errors import Invalid
from accelerator.core.formatting import number as format_number
from accelerator.core.navigation import NavItem, add_nav_item
from accelerator.core.pagination import check_last_page
from accelerator.core.permissions import public
from accelerator.core.reference import DISCIPLINES, LEVELS
from accelerator.core.urls import public_url

bp = Blueprint("catalogue", __name__)

#: choices of the minimum score selects (overall and per domain)
SCORE_STEPS = (50, 60, 70, 80, 90)
#: choices of the minimum teachers' rating select
RATING_STEPS = (2, 3, 4, 4.5)
SORT_LABELS = {
    "relevance": _l("Relevance"),
    "score": _l("Best score"),
    "recent": _l("Most recent approval"),
    "rating": _l("Best teachers' rating"),
}


FILTER_LABELS = {
    "q": _l("Search words"),
    "subject": _l("Subject"),
    "level": _l("Level"),
    "pricing": _l("Pricing"),
    "gar": _l("GAR compatibility"),
    "min_score": _l("Minimum overall score"),
    "domain_min": _l("Minimum score per domain"),
    "min_rating": _l("Minimum teachers' rating"),
    "sort": _l("Sort by"),
    "page": _l("Page"),
    "per_page": _l("Results per page"),
}


def filter_label(name: str) -> str:
    if name in FILTER_LABELS:
        return str(FILTER_LABELS[name])
    return gettext("Minimum score in “%(domain)s”", domain=name.removeprefix("min_"))


@lru_cache(maxsize=8)
def _page_texts(locale: str) -> SimpleNamespace:
    """The search page's fixed words in ``locale``, translated once per language instead of
    once per request and per row (the filters' labels, the cards' words; patterns are
    filled in the template with ``|format``). Attributes, not keys: the template reads
    ``t.any``, which Jinja looks up as an attribute first."""
    return SimpleNamespace(
        disciplines=[(code, str(label)) for code, label in DISCIPLINES.items()],
        levels=[(code, str(label)) for code, label in LEVELS.items()],
        pricings=[(pricing.value, str(pricing.label)) for pricing in Pricing],
        sorts=[(code, str(label)) for code, label in SORT_LABELS.items()],
        steps=[(str(step), gettext("%(score)s or more", score=step)) for step in SCORE_STEPS],
        any=gettext("Any"),
        domain_minimum=gettext("Minimum score in “%(domain)s”"),
        page_n=gettext("Page %(n)s"),
        approved=gettext("Approved"),
        with_conditions=gettext("Approved with conditions"),
        score=gettext("Score %(score)s/100"),
        profile=gettext("Domain profile:"),
        valid_until=gettext("Valid until %(date)s"),
        rating_steps=[
            (
                str(step),
                gettext("%(rating)s/5 or more", rating=format_number(step, 1, exact=False)),
            )
            for step in RATING_STEPS
        ],
        rating=gettext("Teachers' rating: %(rating)s/5 (%(count)s reviews)"),
        rating_one=gettext("Teachers' rating: %(rating)s/5 (1 review)"),
        no_rating=gettext("No teacher review yet"),
    )


def page_texts() -> SimpleNamespace:
    return _page_texts(str(get_locale()))


def _solution_href():
    """``href(slug)``: a solution page's URL as ``url_for`` builds it (the rule's fixed part
    once, then the slug quoted by the rule's own converter), not the URL map's builder
    once per card."""
    prefix = url_for("catalogue.solution", slug="-").removesuffix("-")
    to_url = current_app.url_map.converters["default"](current_app.url_map).to_url
    return lambda slug: prefix + to_url(slug)


def _page_urls():
    """``page_url(n)``: this search's URL at page ``n`` (every filter kept, repeated ones
    too). The search's part is built once, at the first link, not by the URL map for each
    of the pagination's links."""

    @cache
    def search_url() -> str:
        args = _search_args()
        args.pop("page", None)
        return url_for("catalogue.search", **args.to_dict(flat=False))

    def page_url(page: int) -> str:
        url = search_url()
        return f"{url}{'&' if '?' in url else '?'}page={int(page)}"

    return page_url


#: what the form's selects offer, as the query string writes it
_SCORE_CHOICES = frozenset(str(step) for step in SCORE_STEPS)
_RATING_CHOICES = frozenset(str(step) for step in RATING_STEPS)


def form_choices(args, domains) -> tuple | None:
    """The domains and the choices the filters' selects show (minimum score, minimum
    rating, sort, each domain's minimum), or None when one is not a value the form offers
    (typed by hand: the page echoes it, so it is not a key to keep the column's HTML under)."""
    choices = (
        args.get("min_score") or "",
        args.get("min_rating") or "",
        args.get("sort") or "",
        *(args.get(f"min_{code}") or "" for code, _ in domains),
    )
    offered = (_SCORE_CHOICES, _RATING_CHOICES, SORT_LABELS.keys())
    offered += (_SCORE_CHOICES,) * len(domains)
    if all(value == "" or value in values for value, values in zip(choices, offered, strict=True)):
        return (tuple(domains), *choices)
    return None


def _query_string() -> dict:
    """The query string for the form's fields: ``args`` (each name's first value, as
    ``MultiDict.get`` gives it) and ``arg_lists`` (every value), plain dicts, whose lookups
    of an absent name cost nothing (a MultiDict's raise an exception inside)."""
    lists = request.args.to_dict(flat=False)
    return {"args": {name: values[0] for name, values in lists.items()}, "arg_lists": lists}


def _search_args() -> MultiDict:
    """The query string less what a link to another search must not carry: names like
    ``url_for``'s own options (``_external``, ``_scheme``, ``_anchor``), which would turn
    the link into another address."""
    return MultiDict(
        [(name, value) for name, value in request.args.items(multi=True) if name[:1] != "_"]
    )


#: arguments that choose how results are shown, not which: never offered for removal
_PRESENTATION = {"page", "per_page", "sort"}


def removal_links() -> list[tuple[str, str]]:
    """(text, URL) for each search word and filter value in use, the URL being this search
    without it: what an empty result offers instead of a column of zeros."""
    pricing = {p.value: p.label for p in Pricing}
    yes_no = {"true": gettext("Compatible"), "false": gettext("Not compatible")}
    names = {"subject": DISCIPLINES, "level": LEVELS, "pricing": pricing, "gar": yes_no}
    args = _search_args().to_dict(flat=False)
    links = []
    for name, values in args.items():
        if name in _PRESENTATION:
            continue
        for value in values:
            if not value.strip():
                continue
            rest = {k: [v for v in vs if not (k == name and v == value)] for k, vs in args.items()}
            rest.pop("page", None)
            shown = str(names.get(name, {}).get(value, value))
            links.append(
                (
                    gettext("%(filter)s: %(value)s", filter=filter_label(name), value=shown),
                    url_for("catalogue.search", **{k: vs for k, vs in rest.items() if vs}),
                )
            )
    return links


def page_numbers(current: int, last: int) -> list[int | None]:
    """Page links to show: first, last, and two around the current one (None is a gap)."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    numbers: list[int | None] = []
    for number in shown:
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@bp.route("/catalogue")
@public
def search():
    catalogue = queries.catalogue_state()
    state = catalogue.fingerprint
    etag = state_etag(state)
    unchanged = not_modified(etag)
    if unchanged is not None:
        return unchanged
    personal = is_personal()
    kept = cached_answer(etag, personal)
    if kept is not None:
        return kept
    domains = catalogue.domains()
    context = {
        "domains": domains,
        "score_steps": SCORE_STEPS,
        **_query_string(),
        "form_choices": form_choices(request.args, domains),
        "page_url": _page_urls(),
        "page_numbers": page_numbers,
        "filter_label": filter_label,
        "removal_links": removal_links,
        "t": page_texts(),
    }
    context["card"] = cards.card_renderer(context["t"], _solution_href())
    try:
        query = parse_catalogue_query(request.args, {code for code, _ in domains})
    except Invalid as error:
        return render_template(
            "catalogue/search.html", query=None, result=None, errors=error.errors, **context
        ), 422
    result = queries.search_catalogue(query, state=state, columns=queries.CARD_ROW)
    check_last_page(query.page, result.pages)
    response = make_response(
        render_template(
            "catalogue/search.html",
            query=query,
            result=result,
            errors={},
            **context,
        )
    )
    keep_answer(etag, personal, response)
    return cacheable(response, etag)


@bp.route("/catalogue/<slug>")
@public
def solution(slug: str):
    entry = queries.entry_in_force(slug)
    if entry is None:
        abort(404)
    decision = queries.decision_of(entry)
    sessions = queries.sessions_to_come(entry.solution_id)
    record = transparency.transparency_of(entry)
    response = make_response(
        render_template(
            "catalogue/solution.html",
            entry=entry,
            decision=decision,
            record=record,
            declaration_rows=transparency.declaration_rows(record["declarations"]),
            sessions=sessions,
            disciplines=DISCIPLINES,
            levels=LEVELS,
            pricing_labels={p.value: p.label for p in Pricing},
            **review_operations.page_context(current_user, entry),
        )
    )
    return cacheable(response)


@bp.route("/verify")
@public
def verify_form():
    """A form to type a code; a typed code goes to its page (spaces dropped)."""
    code = queries.clean_code(request.args.get("code"))
    if code and len(code) <= 32 and code.isprintable():
        return redirect(url_for("catalogue.verify", code=code))
    error = (
        gettext("Type the verification code shown on the badge or the report.")
        if ("code" in request.args)
        else None
    )
    return render_template("catalogue/verify_form.html", error=error), 422 if error else 200


@bp.route("/verify/<code>")
@public
def verify(code: str):
    audit = queries.audit_by_code(code)
    if audit is None:
        return render_template("catalogue/verify.html", audit=None, code=code), 404
    status = audit.effective_status()
    check = None
    if approval_credential.has_credential(audit):
        check = credential_check.check_credential(approval_credential.signed_credential(audit))
    response = make_response(
        render_template(
            "catalogue/verify.html",
            audit=audit,
            code=code,
            status=status,
            in_force=status.value in ("approved", "approved_with_conditions"),
            today=date.today(),
            check=check,
        )
    )
    return cacheable(response)


def _credential_audit(code: str):
    audit = queries.audit_by_code(code)
    if audit is None or not approval_credential.has_credential(audit):
        abort(404)
    return audit


@bp.route("/verify/<code>/credential.json")
@public
def approval_credential_json(code: str):
    """The approval's Open Badges 3.0 credential (JSON-LD), to keep or to check elsewhere."""
    audit = _credential_audit(code)
    return credential_json_response(
        approval_credential.credential(audit), f"agrement-{audit.verification_code}.json"
    )


@bp.route("/verify/<code>/credential.jwt")
@public
def approval_credential_jwt(code: str):
    """The same credential, signed (VC-JWT, EdDSA; key at /.well-known/jwks.json)."""
    audit = _credential_audit(code)
    return credential_jwt_response(
        approval_credential.signed_credential(audit), f"agrement-{audit.verification_code}.jwt"
    )


@bp.route("/badges/<slug>.svg")
@public
def badge(slug: str):
    entry = queries.entry_in_force(slug)
    if entry is None:
        abort(404)
    svg = render_template(
        "catalogue/badge.svg",
        entry=entry,
        verify_url=public_url("catalogue.verify", code=entry.verification_code),
        title=gettext("%(name)s: approved under the cadre de confiance", name=entry.name),
    )
    response = make_response(svg)
    response.mimetype = "image/svg+xml"
    return cacheable(response, personal=False)


@bp.route("/donnees-ouvertes")
@public
def open_data():
    """The open data the service publishes, with their schemas (licence etalab-2.0)."""
    return cacheable(make_response(render_template("catalogue/open_data.html")))


add_nav_item(NavItem(5, "catalogue.search", _l("Catalogue"), prefix="/catalogue"))

from accelerator.catalogue.reviews import views as _reviews_pages  # noqa: E402,F401  (on bp)
