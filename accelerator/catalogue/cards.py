"""One result card of the catalogue's search page, written in Python.

Twenty cards a page, each a dozen escaped values, a loop over the domains and three
formatted texts, cost Jinja about 35 µs a card (a fifth of the page's rendering, measured),
this a fraction of it. Same HTML as the template macro it replaces; values are escaped
with markupsafe as Jinja's autoescape does, and ``t`` holds the page's words already
translated (``views.page_texts``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import url_for
from markupsafe import Markup, escape

from accelerator.core.formatting import day, number


def _rating(entry, t: dict) -> str:
    if entry.review_count == 1:
        return t["rating_one"] % {"rating": number(entry.review_rating)}
    if entry.review_count:
        return t["rating"] % {"rating": number(entry.review_rating), "count": entry.review_count}
    return t["no_rating"]


def _logo(entry) -> str:
    if not entry.logo_name:
        return ""
    src = url_for("audits.logo", solution_id=entry.solution_id, v=entry.logo_name[:12])
    return (
        f'<img class="app-logo app-card-logo" src="{escape(src)}" alt="" width="48"'
        ' height="48" loading="lazy"> '
    )


def card(entry, t: dict, href: Callable[[str], str]) -> Markup:
    """The card of ``entry`` (a row of ``queries.LISTED``); ``href(slug)``: its page's URL."""
    if entry.outcome == "approved_with_conditions":
        badge = "warning", t["with_conditions"]
    else:
        badge = "success", t["approved"]
    domains = " · ".join(
        f'<abbr title="{escape(domain.get("name", ""))}">{escape(domain.get("code", ""))}</abbr>'
        f" {domain.get('score'):.0f}"
        for domain in entry.domains
    )
    score = t["score"] % {"score": f"{entry.overall_score:.0f}"}
    valid_until = t["valid_until"] % {"date": day(entry.valid_until)}
    return Markup(  # noqa: S704  (every value above is escaped)
        '<div class="fr-card fr-enlarge-link">\n'
        '  <div class="fr-card__body">\n'
        '    <div class="fr-card__content">\n'
        f'      <h3 class="fr-card__title"><a href="{escape(href(entry.slug))}">'
        f"{escape(entry.name)}</a></h3>\n"
        f'      <p class="fr-card__desc">{_logo(entry)}{escape(entry.summary)}</p>\n'
        '      <div class="fr-card__start">\n'
        '        <ul class="fr-badges-group">\n'
        f'          <li><p class="fr-badge fr-badge--sm fr-badge--{badge[0]}">'
        f"{escape(badge[1])}</p></li>\n"
        '          <li><p class="fr-badge fr-badge--sm fr-badge--blue-france">'
        f"{escape(score)}</p></li>\n"
        "        </ul>\n"
        '        <p class="fr-card__detail fr-icon-building-line">'
        f"{escape(entry.organization_name)}</p>\n"
        "      </div>\n"
        '      <div class="fr-card__end">\n'
        f'        <p class="fr-card__detail app-wrap">{escape(t["profile"])}\n'
        f"          {domains}\n"
        "        </p>\n"
        '        <p class="fr-card__detail fr-icon-star-line">'
        f"{escape(_rating(entry, t))}</p>\n"
        '        <p class="fr-card__detail fr-icon-calendar-line">'
        f"{escape(valid_until)}</p>\n"
        "      </div>\n"
        "    </div>\n"
        "  </div>\n"
        "</div>"
    )
