"""Benchmark of the managers' dashboard and of ``/progression`` on kept figures.

Seeds (once; kept between runs) a database with ``bench/training_dataset.py`` — 300,000
teachers, 20,000 sessions, 1,000,000 enrolments at scale 1 — plus ratings for a third of the
attended enrolments, rebuilds the kept figures (``flask reporting refresh``, timed), then
times, in the same run, with every cache off (``PROGRESS_CACHE_SECONDS=0``: each request
is cold):

- ``GET /pilotage/indicateurs`` (a school year, all académies; and one académie) and
  ``GET /progression``, through the application (test client, signed-in manager);
- the same dashboard recounting from the source tables (kept figures turned off);
- the baseline: the plain SQL aggregates those figures stand for, ``SELECT COUNT(DISTINCT
  teacher_id) FROM enrollment WHERE completed`` and ``SELECT session_id, SUM(attended),
  SUM(completed) FROM enrollment GROUP BY session_id``, run one after the other.

Each figure is the median of ``--repeat`` runs after one warm-up (no answer is cached: every
request computes its figures), printed with its ratio to the baseline.
Running it at two scales (``--scale 0.3`` and ``1``) shows the kept pages' cost does not
follow the enrolments.

    .venv/bin/python bench/reporting_dashboard.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/reporting_dashboard.py --only sqlite --scale 0.1
    .venv/bin/python bench/reporting_dashboard.py --only postgresql \\
        --postgresql-url postgresql+psycopg://postgres@127.0.0.1:5432/test_NAME
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import training_dataset  # noqa: E402

POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_reporting13_bench"
BASELINE = (
    "SELECT COUNT(DISTINCT teacher_id) FROM enrollment WHERE completed",
    "SELECT session_id, SUM(CASE WHEN attended THEN 1 ELSE 0 END), "
    "SUM(CASE WHEN completed THEN 1 ELSE 0 END) FROM enrollment GROUP BY session_id",
)
PERIOD = "from=2025-09-01&to=2026-08-31"


def sqlite_url(scale: float, enrollments: int | None = None) -> str:
    suffix = f"{scale:g}" if enrollments is None else f"{scale:g}-{enrollments}"
    return f"sqlite:///{ROOT / 'instance' / f'bench-reporting-{suffix}.sqlite3'}"


def _ratings(url: str, seed_value: int = 7) -> int:
    """Ratings (1 to 5, mostly 4 and 5) for a third of the attended enrolments."""
    engine = create_engine(url)
    rng = random.Random(seed_value)
    with engine.begin() as connection:
        ids = [
            row[0]
            for row in connection.execute(text("SELECT id FROM enrollment WHERE attended"))
            if rng.random() < 1 / 3
        ]
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        now = "2026-11-29 12:00:00.000000" if engine.dialect.name == "sqlite" else "2026-11-29"
        rows = [(i, rng.choice((2, 3, 4, 4, 5, 5, 5)), "", now) for i in ids]
        for start in range(0, len(rows), 50_000):
            connection.exec_driver_sql(
                "INSERT INTO training_feedback (enrollment_id, rating, comment, created_at) "
                f"VALUES ({mark}, {mark}, {mark}, {mark})",
                rows[start : start + 50_000],
            )
    engine.dispose()
    return len(rows)


def prepare(url: str, scale: float, reseed: bool, enrollments: int | None = None) -> bool:
    """Seed the scale's teachers, sessions and solutions with ``enrollments`` enrolments
    (default: 1,000,000 × scale); True when the data changed (kept figures to rebuild)."""
    enrollments = enrollments or int(1_000_000 * scale)
    engine = create_engine(url)
    present = 0
    try:
        with engine.connect() as connection:
            present = connection.scalar(text("SELECT COUNT(*) FROM enrollment")) or 0
    except Exception:  # no schema yet
        present = 0
    engine.dispose()
    if present == enrollments and not reseed:
        training_dataset.migrate(url)
        # a database seeded before the seeder verified the French companies counted nobody
        # as trained: verify them now (the kept figures are then rebuilt)
        verified = training_dataset.verify_companies(url)
        if verified:
            print(f"  verified {verified:,} French companies of the existing dataset")
        return bool(verified)
    training_dataset.reset_database(url)
    started = time.perf_counter()
    training_dataset.seed(
        url,
        teachers=int(300_000 * scale),
        sessions=max(1, int(20_000 * scale)),
        enrollments=enrollments,
        companies=max(1, int(1_000 * scale)),
        solutions=max(1, int(10_000 * scale)),
    )
    print(f"  seeded in {time.perf_counter() - started:.1f} s, ratings: {_ratings(url):,}")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return True


def _median(function, repeat: int) -> float:
    """Median of ``repeat`` timed calls, after one untimed call (templates and statements
    compiled: the figures are cold, the process is not)."""
    function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(url: str, repeat: int, refresh: bool = True, recount: bool = True) -> None:
    from accelerator import create_app
    from accelerator.accounts.models import Role
    from accelerator.extensions import db
    from accelerator.reporting import kept
    from accelerator.reporting.tasks import refresh_kept_figures

    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        SQLALCHEMY_ENGINE_OPTIONS={},
        PROGRESS_CACHE_SECONDS=0,
        WTF_CSRF_ENABLED=False,
        CACHE_TYPE="NullCache",
    )
    with app.app_context():
        from accelerator.accounts.models import User
        from accelerator.accounts.operations import hash_password

        manager = db.session.scalar(db.select(User).where(User.email == "bench@reseau-canope.fr"))
        if manager is None:
            manager = User(
                email="bench@reseau-canope.fr",
                full_name="Banc d'essai",
                role=Role.manager,
                password_hash=hash_password("bench-password-2026"),
            )
            db.session.add(manager)
            db.session.commit()
        if refresh or kept.state() is None:
            started = time.perf_counter()
            refresh_kept_figures()
            seconds = time.perf_counter() - started
            print(f"  refresh of the kept figures (job queue): {seconds:.2f} s")

        def baseline():
            for statement in BASELINE:
                db.session.execute(text(statement)).all()
            db.session.rollback()

        base = _median(baseline, repeat)
        print(f"  baseline (plain aggregates over enrollment): {base * 1000:8.1f} ms   1.00x")

    client = app.test_client()
    response = client.post(
        "/connexion", data={"email": "bench@reseau-canope.fr", "password": "bench-password-2026"}
    )
    assert response.status_code == 302, response.status_code

    def page(path: str):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return get

    cases = [
        ("dashboard, a school year", f"/pilotage/indicateurs?{PERIOD}"),
        ("dashboard, one académie", f"/pilotage/indicateurs?{PERIOD}&academy=lyon"),
        ("/progression", "/progression"),
        ("GET /api/v1/training/progress", "/api/v1/training/progress"),
    ]
    for label, path in cases:
        seconds = _median(page(path), repeat)
        print(f"  {label:<42} {seconds * 1000:8.1f} ms {seconds / base:7.2f}x")
    if not recount:
        return
    app.config["REPORTING_KEPT_FIGURES"] = False
    seconds = _median(page(f"/pilotage/indicateurs?{PERIOD}"), max(1, repeat // 2))
    print(f"  {'dashboard recounting (no kept figures)':<42} {seconds * 1000:8.1f} ms "
          f"{seconds / base:7.2f}x")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 300k/20k/1M")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument(
        "--enrolments",
        type=int,
        help="enrolments to seed instead of 1,000,000 × scale (the same teachers, sessions "
        "and solutions: only the enrolments grow)",
    )
    parser.add_argument(
        "--skip-recount", action="store_true", help="leave out the dashboard recounting"
    )
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="time the pages on the kept figures as they are (a previous run refreshed them)",
    )
    parser.add_argument(
        "--postgresql-url", default=POSTGRESQL_URL, help="the PostgreSQL database to seed and time"
    )
    args = parser.parse_args()
    urls = []
    if args.only != "postgresql":
        urls.append(("SQLite", sqlite_url(args.scale, args.enrolments)))
    if args.only != "sqlite":
        urls.append(("PostgreSQL", args.postgresql_url))
    enrollments = args.enrolments or int(1_000_000 * args.scale)
    for name, url in urls:
        print(f"{name} (scale {args.scale:g}: {enrollments:,} enrolments)")
        changed = prepare(url, args.scale, args.reseed, args.enrolments)
        refresh = changed or not args.no_refresh
        measure(url, args.repeat, refresh=refresh, recount=not args.skip_recount)


if __name__ == "__main__":
    main()
