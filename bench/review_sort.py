"""The catalogue sorted and filtered by teachers' rating: kept figures against a recount.

    .venv/bin/python -m bench.review_sort                       # SQLite, then PostgreSQL
    .venv/bin/python -m bench.review_sort --db sqlite --solutions 10000 --reviews 300000
    .venv/bin/python -m bench.review_sort --pg-database test_mine_bench

Seeds N approved solutions (``bench.catalogue_load.seed``: same files and databases, its
``--pg-database``), teachers and R published reviews spread unevenly over the solutions
(a third of them without a review), then ``rebuild_catalogue()``, which writes each entry's
kept figures. Then, for each minimum rating (none, 3, 4) and several pages, it times:

- kept (what the catalogue runs): the search's own page statement for ``sort=rating`` and
  ``min_rating`` (``catalogue.queries._page_statement``: live entries, ``review_rating >=
  :min``, ``ORDER BY review_rating DESC, id DESC``, a page of 20 ids) and the number of
  matches (the same conditions, ``count(*)``);
- baseline (the same answer without kept figures): the same live entries joined to the
  published reviews grouped by solution (``count``, ``avg(rating)``), ``HAVING``-like
  condition on the average, ordered by the average then id, the same page and count.

Both answer the same ids in the same order and the same total (checked on every query):
the entry's figures equal a recount of the published reviews. Printed: the median time of
each and the ratio baseline / kept (how many times faster the kept figures answer).
Not run by CI.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import date
from statistics import median

from bench.catalogue_load import database_urls, seed

PAGES = (1, 2, 10)
MINIMUMS = (None, 3.0, 4.0)


def seed_reviews(reviews: int, teachers: int) -> None:
    from sqlalchemy import func, insert, select

    from accelerator.accounts.models import TeacherProfile
    from accelerator.audits.models import Solution
    from accelerator.catalogue.operations import rebuild_catalogue
    from accelerator.catalogue.reviews.models import Review
    from accelerator.extensions import db

    rng = random.Random(11)
    db.session.execute(
        insert(TeacherProfile),
        [{"email": f"prof{n}@ac-bench.fr", "first_name": "Camille"} for n in range(teachers)],
    )
    teacher_ids = list(db.session.scalars(select(TeacherProfile.id)))
    solution_ids = list(db.session.scalars(select(Solution.id)))
    reviewed = rng.sample(solution_ids, k=len(solution_ids) * 2 // 3)
    # uneven: a few solutions gather many reviews (weights of a long tail)
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(reviewed))]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < reviews:
        for solution_id in rng.choices(reviewed, weights, k=reviews - len(pairs)):
            pairs.add((solution_id, rng.choice(teacher_ids)))
    rows = [
        {
            "solution_id": solution_id,
            "teacher_id": teacher_id,
            "rating": rng.choice((1, 2, 3, 3, 4, 4, 4, 5, 5)),
            "comment": "",
            "status": "published",
        }
        for solution_id, teacher_id in pairs
    ]
    for start in range(0, len(rows), 50_000):
        db.session.execute(insert(Review), rows[start : start + 50_000])
    db.session.commit()
    started = time.perf_counter()
    rebuild_catalogue()
    db.session.commit()
    count = db.session.scalar(select(func.count(Review.id)))
    print(f"  {count} reviews, kept figures rebuilt in {time.perf_counter() - started:.1f} s")


def _statements(minimum: float | None):
    from sqlalchemy import Date, Float, Integer, bindparam, func, select

    from accelerator.audits.models import Audit
    from accelerator.audits.queries import in_force
    from accelerator.catalogue import queries
    from accelerator.catalogue.models import CatalogueEntry
    from accelerator.catalogue.reviews.models import Review, ReviewStatus
    from accelerator.core.db import is_postgresql

    shape = queries._Shape(
        words=False,
        postgresql=is_postgresql(),
        facets=frozenset(),
        min_score=False,
        domains=0,
        min_rating=minimum is not None,
    )
    kept_page = queries._page_statement(shape, "rating")
    kept_base, _ = queries._base(shape)
    kept_count = kept_base.with_only_columns(func.count())

    figures = (
        select(
            Review.solution_id.label("solution_id"),
            func.avg(Review.rating).label("average"),
        )
        .where(Review.status == ReviewStatus.published)
        .group_by(Review.solution_id)
        .subquery()
    )
    average = func.coalesce(figures.c.average, 0.0)
    base = (
        select(CatalogueEntry.id)
        .join(Audit, Audit.id == CatalogueEntry.audit_id)
        .outerjoin(figures, figures.c.solution_id == CatalogueEntry.solution_id)
        .where(in_force(bindparam("today", type_=Date)))
    )
    if minimum is not None:
        base = base.where(average >= bindparam("min_rating", type_=Float))
    baseline_page = (
        base.order_by(average.desc(), CatalogueEntry.id.desc())
        .limit(bindparam("page_limit", type_=Integer))
        .offset(bindparam("page_offset", type_=Integer))
    )
    baseline_count = select(func.count()).select_from(base.subquery())
    return (kept_page, kept_count), (baseline_page, baseline_count)


def _timed(run, repeat: int) -> tuple[float, object]:
    times, answer = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = run()
        times.append(time.perf_counter() - started)
    return median(times), answer


def measure(repeat: int) -> list[tuple[str, float, float]]:
    from accelerator.extensions import db

    results = []
    for minimum in MINIMUMS:
        (kept_page, kept_count), (base_page, base_count) = _statements(minimum)
        for page in PAGES:
            params = {"today": date.today(), "page_limit": 20, "page_offset": (page - 1) * 20}
            if minimum is not None:
                params["min_rating"] = minimum

            def kept(params=params, kept_page=kept_page, kept_count=kept_count):
                ids = list(db.session.scalars(kept_page, params))
                return ids, db.session.scalar(kept_count, params)

            def baseline(params=params, base_page=base_page, base_count=base_count):
                ids = list(db.session.scalars(base_page, params))
                return ids, db.session.scalar(base_count, params)

            kept_time, kept_answer = _timed(kept, repeat)
            base_time, base_answer = _timed(baseline, repeat)
            assert kept_answer == base_answer, (minimum, page, kept_answer, base_answer)
            label = f"min_rating={minimum if minimum is not None else '-'} page {page}"
            results.append((label, kept_time, base_time))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--solutions", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=300_000)
    parser.add_argument("--teachers", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg-database", default="test_reviews_bench")
    args = parser.parse_args()
    for label, template in database_urls(args.db, args.pg_database):
        url = template.replace("{size}", f"reviews-{args.solutions}")
        print(f"{label}: {args.solutions} solutions, {args.reviews} reviews")
        seed(url, args.solutions)
        from accelerator import create_app
        from accelerator.extensions import db

        os.environ["DATABASE_URL"] = url
        app = create_app(
            "production", SECRET_KEY="bench", SQLALCHEMY_DATABASE_URI=url, CATALOGUE_CACHE_SIZE=0
        )
        with app.app_context():
            seed_reviews(args.reviews, args.teachers)
            if url.startswith("postgresql"):
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql("ANALYZE")
            else:
                db.session.execute(db.text("ANALYZE"))
                db.session.commit()
            rows = measure(args.repeat)
            ratios = []
            for name, kept_time, base_time in rows:
                ratios.append(base_time / kept_time)
                print(
                    f"  {name:28} kept {kept_time * 1000:8.2f} ms   recount "
                    f"{base_time * 1000:8.2f} ms   {base_time / kept_time:6.1f}x"
                )
            print(f"  median ratio (recount / kept): {median(ratios):.1f}x")
            db.engine.dispose()


if __name__ == "__main__":
    main()
