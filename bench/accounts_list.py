"""The admins' accounts list (/admin/utilisateurs) at 300,000 accounts.

Builds a database from the migrations (SQLite file, or ``--database`` a PostgreSQL URL),
inserts the accounts in bulk and times the list's query (``User.listing``, 51 rows) for:
the first page, a page deep in the list (keyset, after the 250,000th account by name), a
search on the start of a name, one on the start of an email, and a role filter; and the
whole page answer (signed-in admin, test client, template) beside it.

The baseline, measured in the same run on the same database, is the usual offset
pagination of the same list (Flask-SQLAlchemy's ``paginate``: ``count(*)`` of the whole
filtered table plus ``ORDER BY name LIMIT 50 OFFSET n``), with a ``LIKE '%q%'`` search, for
the same page; the ratio is baseline time / query time (higher is better).

    .venv/bin/python bench/accounts_list.py [--accounts 300000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, insert, or_, select  # noqa: E402

from accelerator import create_app  # noqa: E402
from accelerator.accounts.models import Role, User  # noqa: E402
from accelerator.accounts.operations import hash_password  # noqa: E402
from accelerator.extensions import db  # noqa: E402

FIRST = ["Marie", "Jean", "Camille", "Louis", "Aïcha", "Paul", "Léa", "Hugo", "Inès", "Noah"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]


def fill(count: int, seed: int) -> None:
    rng = random.Random(seed)
    password = hash_password("bench-password-2026")
    rows = []
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows.append(
            {
                "email": f"{first.lower()}.{last.lower()}{n}@ac-{rng.choice(('paris', 'lyon'))}.fr",
                "full_name": f"{last} {first} {n}",
                "role": Role.teacher if n % 50 else Role.expert,
                "password_hash": password,
                "active": True,
            }
        )
        if len(rows) == 10_000:
            db.session.execute(insert(User), rows)
            rows = []
    if rows:
        db.session.execute(insert(User), rows)
    db.session.commit()


def timed(call, rounds: int) -> float:
    call()  # warm
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def offset_baseline(q: str | None, role: Role | None, offset: int):
    def run():
        statement = select(User)
        if role:
            statement = statement.where(User.role == role)
        if q:
            statement = statement.where(
                or_(User.email.ilike(f"%{q}%"), User.full_name.ilike(f"%{q}%"))
            )
        db.session.scalar(select(func.count()).select_from(statement.subquery()))
        db.session.scalars(
            statement.order_by(User.full_name, User.id).limit(50).offset(offset)
        ).all()
        db.session.rollback()

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database")
    args = parser.parse_args()
    url = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    with app.app_context():
        upgrade()
        fill(args.accounts, 2026)
        admin = User(
            email="admin@bench.fr",
            full_name="Admin Bench",
            role=Role.admin,
            password_hash=hash_password("bench-password-2026"),
        )
        db.session.add(admin)
        db.session.commit()
        admin_id = admin.id
        deep = db.session.scalar(
            select(User.id).order_by(User.full_name, User.id).offset(250_000).limit(1)
        )
    client = app.test_client()
    client.post("/connexion", data={"email": "admin@bench.fr", "password": "bench-password-2026"})

    def page(query: str):
        def run():
            response = client.get(f"/admin/utilisateurs{query}")
            assert response.status_code == 200, response.status_code

        return run

    def listing(q: str | None, role: Role | None, after_id: int | None):
        def run():
            viewer = db.session.get(User, admin_id)
            after = db.session.get(User, after_id) if after_id else None
            db.session.scalars(User.listing(viewer, q or "", role, after=after).limit(51)).all()
            db.session.rollback()

        return run

    cases = [
        ("first page", "", (None, None, None, 0)),
        ("page after the 250,000th", f"?after={deep}", (None, None, deep, 250_000)),
        ("name starting with 'durand marie'", "?q=durand+marie", ("durand marie", None, None, 0)),
        ("email starting with 'lea.petit1'", "?q=lea.petit1", ("lea.petit1", None, None, 0)),
        ("role expert", "?role=expert", (None, Role.expert, None, 0)),
    ]
    print(f"{args.accounts:,} accounts, {url.split(':')[0]}, median of {args.rounds} rounds")
    with app.app_context():
        for label, query, (q, role, after, offset) in cases:
            ours = timed(listing(q, role, after), args.rounds)
            base = timed(offset_baseline(q, role, offset), args.rounds)
            whole = timed(page(query), args.rounds)
            print(
                f"{label:34} query {ours:7.1f} ms  baseline {base:7.1f} ms  {base / ours:7.1f}x"
                f"  (whole page {whole:6.1f} ms)"
            )


if __name__ == "__main__":
    main()
