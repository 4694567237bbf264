"""The baseline of bench/catalogue_load.py: a bare full-text search over the catalogue's
tables, doing the same match, the same filters and the same page of results as
``/catalogue`` and ``/api/v1/catalogue``, without facets.

``gunicorn -w 2 'bench.baseline_app:app'`` with ``DATABASE_URL`` set. One route, ``/``, takes
the catalogue's query string (``q``, repeated ``subject``/``level``/``pricing``, ``gar``,
``min_score``, ``min_<DOMAIN>``, ``page``, ``per_page``) and answers a small HTML page with
the total and one page of rows (name, link, company, summary, score, validity). Per request:

- the words, lower case without accents (NFKD, marks dropped), at most 8, each a prefix:
  FTS5 ``MATCH '"w1"* "w2"*'`` ranked by ``bm25`` with the application's column weights on
  SQLite; ``search_vector @@ to_tsquery('french', 'w1:* & w2:*')`` ranked by ``ts_rank`` on
  PostgreSQL (the same index structures as the application's);
- the approval in force (join on ``audit``: approved or approved with conditions, validity
  not past), the subjects and levels (``IN`` over the link tables), pricing, GAR, the
  minimum overall score and per-domain minimums;
- ``COUNT(*)`` of the matches, then the page ordered by relevance, score and id (score and
  id without words), ``LIMIT``/``OFFSET``.

What it does not do, and the application does: validation with French messages, facet
counts, the page's layout (DSFR, filters, pagination), ETag and cache headers, sessions.

Its SQLite connections get the application's settings (``accelerator.core.db.tune_sqlite``,
registered by importing the module: page cache, memory map, WAL), so the two differ by the
work they do, not by how the database file is read.
"""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import date

from flask import Flask, render_template, request
from sqlalchemy import bindparam, create_engine, text

# Imported for its effect: every SQLite connection of the process gets tune_sqlite's settings.
import accelerator.core.db  # noqa: F401

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Catalogue</title></head>
<body><h1>{{ total }} solutions</h1>
<ul>{% for row in rows %}<li><a href="/catalogue/{{ row.slug }}">{{ row.name }}</a> —
{{ row.organization_name }} — {{ row.summary }} ({{ "%.0f"|format(row.overall_score) }},
{{ row.valid_until }})</li>{% endfor %}</ul>
<p>page {{ page }}</p></body></html>"""

WORD = re.compile(r"[^\W_]+")
DOMAIN = re.compile(r"^min_([A-Za-z0-9_-]{1,20})$")


def words(query: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", query)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return WORD.findall(plain)[:8]


def create_app() -> Flask:
    app = Flask(__name__)
    engine = create_engine(os.environ["DATABASE_URL"])
    postgresql = engine.dialect.name == "postgresql"
    # compiled once, as the application's templates are (render_template_string would
    # compile it again on every request)
    page_template = app.jinja_env.from_string(PAGE)

    @app.route("/")
    def listing():
        args = request.args
        page = max(1, args.get("page", 1, type=int))
        per_page = min(100, max(1, args.get("per_page", 20, type=int)))
        joins = ["JOIN audit a ON a.id = e.audit_id"]
        where = ["a.status IN ('approved', 'approved_with_conditions')", "a.valid_until >= :today"]
        params: dict = {"today": date.today()}
        expanding = []
        rank = None
        terms = words(args.get("q", ""))
        if terms and postgresql:
            where.append("e.search_vector @@ to_tsquery('french', :q)")
            params["q"] = " & ".join(f"{term}:*" for term in terms)
            rank = "ts_rank(e.search_vector, to_tsquery('french', :q))"
        elif terms:
            joins.append(
                "JOIN (SELECT rowid AS entry_id, -bm25(catalogue_fts, 10, 4, 4, 1, 2) AS rank"
                " FROM catalogue_fts WHERE catalogue_fts MATCH :q) f ON f.entry_id = e.id"
            )
            params["q"] = " ".join(f'"{term}"*' for term in terms)
            rank = "f.rank"
        links = (("subject", "catalogue_entry_subject"), ("level", "catalogue_entry_level"))
        for name, table in links:
            if values := args.getlist(name):
                where.append(f"e.id IN (SELECT entry_id FROM {table} WHERE code IN :{name})")
                params[name] = values
                expanding.append(name)
        if values := args.getlist("pricing"):
            where.append("e.pricing IN :pricing")
            params["pricing"] = values
            expanding.append("pricing")
        if args.get("gar") in ("true", "false"):
            where.append("e.gar_compatible = :gar")
            params["gar"] = args["gar"] == "true"
        if args.get("min_score"):
            where.append("e.overall_score >= :min_score")
            params["min_score"] = float(args["min_score"])
        for n, (key, value) in enumerate(args.items()):
            if (match := DOMAIN.match(key)) and key != "min_score" and value:
                where.append(
                    f"e.id IN (SELECT entry_id FROM catalogue_entry_domain"
                    f" WHERE code = :dc{n} AND score >= :ds{n})"
                )
                params[f"dc{n}"], params[f"ds{n}"] = match.group(1), float(value)
        source = f"catalogue_entry e {' '.join(joins)} WHERE {' AND '.join(where)}"
        order = "e.overall_score DESC, e.id DESC"
        if rank:
            order = f"{rank} DESC, {order}"
        binds = [bindparam(name, expanding=True) for name in expanding]
        count = text(f"SELECT count(*) FROM {source}").bindparams(*binds)
        rows_sql = text(
            "SELECT e.slug, e.name, e.organization_name, e.summary, e.overall_score,"
            f" e.valid_until FROM {source} ORDER BY {order} LIMIT :limit OFFSET :offset"
        ).bindparams(*binds)
        with engine.connect() as connection:
            total = connection.execute(count, params).scalar_one()
            rows = connection.execute(
                rows_sql, {**params, "limit": per_page, "offset": (page - 1) * per_page}
            ).all()
        return render_template(page_template, rows=rows, total=total, page=page)

    return app


app = create_app()
