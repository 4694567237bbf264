"""The baseline of bench/catalogue_load.py: a bare Flask + Flask-SQLAlchemy page listing
25 rows of the catalogue's table with a LIKE filter and pagination (count + one page).

``gunicorn -w 2 'bench.baseline_app:app'`` with ``DATABASE_URL`` set.
"""

from __future__ import annotations

import os

from flask import Flask, render_template_string, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import func, or_, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Catalogue</title></head>
<body><h1>{{ total }} solutions</h1>
<ul>{% for row in rows %}<li><a href="/s/{{ row.slug }}">{{ row.name }}</a> —
{{ row.organization_name }} — {{ row.summary }} ({{ row.overall_score }})</li>{% endfor %}</ul>
<p>{% if page > 1 %}<a href="?q={{ q }}&page={{ page - 1 }}">←</a>{% endif %}
page {{ page }} <a href="?q={{ q }}&page={{ page + 1 }}">→</a></p></body></html>"""


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Entry(db.Model):
    __tablename__ = "catalogue_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str]
    name: Mapped[str]
    organization_name: Mapped[str]
    summary: Mapped[str]
    overall_score: Mapped[float]


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)

    @app.route("/")
    def listing():
        q = request.args.get("q", "")
        page = max(1, request.args.get("page", 1, type=int))
        statement = select(Entry)
        if q:
            pattern = f"%{q}%"
            statement = statement.where(
                or_(Entry.name.ilike(pattern), Entry.summary.ilike(pattern))
            )
        total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = db.session.scalars(
            statement.order_by(Entry.name, Entry.id).limit(25).offset((page - 1) * 25)
        ).all()
        return render_template_string(PAGE, rows=rows, total=total, page=page, q=q)

    return app


app = create_app()
