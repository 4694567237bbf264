"""Benchmark of the 100,000 counter (accelerator/certification/progress.py).

Seeds (once; kept between runs) a database at the design volumes — 300,000 teachers, 20,000
sessions, 1,000,000 enrolments, 10,000 solutions of 1,000 companies — then times, in the same
run, the counter and each breakdown against the plain baseline

    SELECT COUNT(DISTINCT teacher_id) FROM enrollment WHERE completed

and prints seconds and ratios. Runs on SQLite (a file) and PostgreSQL:

    .venv/bin/python bench/training_counter.py                       # both, full size
    .venv/bin/python bench/training_counter.py --scale 0.1           # a quick run
    .venv/bin/python bench/training_counter.py --only sqlite --reseed

Uses ``bench/training_dataset.py`` (``seed(engine_url, teachers, sessions, enrollments)``)
when it exists; otherwise its own seeder below (executemany on SQLite, COPY on PostgreSQL).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SQLITE_URL = f"sqlite:///{ROOT / 'instance' / 'bench-training-counter.sqlite3'}"
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_training_bench2"
BASELINE = "SELECT COUNT(DISTINCT teacher_id) FROM enrollment WHERE completed"
ACADEMY_CODES = [
    "aix-marseille", "amiens", "besancon", "bordeaux", "clermont-ferrand", "corse", "creteil",
    "dijon", "grenoble", "lille", "limoges", "lyon", "montpellier", "nancy-metz", "nantes",
    "nice", "normandie", "orleans-tours", "paris", "poitiers", "reims", "rennes", "strasbourg",
    "toulouse", "versailles",
]  # fmt: skip


def _ensure_postgresql_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _app(url: str):
    from accelerator import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS={})


# --- Seeding -------------------------------------------------------------------------------


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _rows(teachers: int, sessions: int, enrollments: int, rng: random.Random) -> dict:
    """The dataset as lists of tuples, table by table (ids given explicitly)."""
    now = datetime(2026, 11, 1, tzinfo=UTC)
    start = date(2024, 1, 8)
    span = (date(2026, 10, 30) - start).days
    companies, solutions = 1_000, 10_000
    data: dict[str, tuple[list[str], list[tuple]]] = {}
    data["organization"] = (
        ["id", "name", "siren", "country", "created_at"],
        [
            (i, f"EdTech {i}", f"{100_000_000 + i}", "FR" if i % 10 else "BE", now)
            for i in range(1, companies + 1)
        ],
    )
    data["framework"] = (["id", "code", "name"], [(1, "bench", "Cadre de banc d'essai")])
    data["framework_version"] = (
        ["id", "framework_id", "version", "label", "status", "thresholds", "created_at"],
        [(1, 1, "2024.1", "Banc 2024.1", "published", "{}", now)],
    )
    data["solution"] = (
        ["id", "organization_id", "name", "slug", "summary", "description", "subjects",
         "levels", "processes_personal_data", "hosting_country", "gar_compatible", "pricing",
         "created_at", "updated_at"],
        [
            (i, rng.randint(1, companies), f"Solution {i}", f"solution-{i}", "", "", "[]", "[]",
             True, "FR", False, "free", now, now)
            for i in range(1, solutions + 1)
        ],
    )  # fmt: skip
    audits, decisions, events = [], [], []
    for solution_id in range(1, solutions + 1):
        if solution_id % 10 < 3:  # 30 % never approved
            continue
        decided = start + timedelta(days=rng.randint(-200, span))
        valid_until = decided + timedelta(days=730)
        audit_id = len(audits) + 1
        audits.append(
            (audit_id, solution_id, 1, "approved", now, now, _at(decided, 10), valid_until, 0, 1)
        )
        outcome = "approved_with_conditions" if solution_id % 4 == 0 else "approved"
        decisions.append(
            (audit_id, audit_id, outcome, "", valid_until, 80.0, "{}", "approve", 1,
             _at(decided, 10))
        )  # fmt: skip
        if solution_id % 50 == 0:  # 2 % suspended for two months
            suspended = decided + timedelta(days=90)
            events.append((len(events) + 1, audit_id, "suspend", _at(suspended, 9), "", "{}"))
            events.append(
                (len(events) + 1, audit_id, "reinstate", _at(suspended + timedelta(days=60), 9),
                 "", "{}")
            )  # fmt: skip
    data["audit"] = (
        ["id", "solution_id", "framework_version_id", "status", "status_changed_at",
         "created_at", "decided_at", "valid_until", "appeal_count", "lock_version"],
        audits,
    )  # fmt: skip
    data["decision"] = (
        ["id", "audit_id", "outcome", "motivation", "valid_until", "overall_score",
         "domain_scores", "recommendation", "round", "decided_at"],
        decisions,
    )  # fmt: skip
    data["audit_event"] = (["id", "audit_id", "action", "at", "comment", "data"], events)
    data["teacher_profile"] = (
        ["id", "email", "first_name", "last_name", "academy", "created_at"],
        [
            (i, f"prof{i}@ac-bench.fr", "Camille", f"Martin{i}",
             ACADEMY_CODES[i % len(ACADEMY_CODES)] if i % 50 else None, now)
            for i in range(1, teachers + 1)
        ],
    )  # fmt: skip
    session_rows, links = [], []
    for session_id in range(1, sessions + 1):
        day = start + timedelta(days=rng.randint(0, span))
        session_rows.append(
            (session_id, f"BENCH-{session_id}", f"Session {session_id}", "in_person",
             _at(day, 9), _at(day, 12), 3.0, 10_000, 0, rng.choice(ACADEMY_CODES), "", False,
             "cancelled" if session_id % 100 == 0 else "scheduled", now)
        )  # fmt: skip
        for solution_id in rng.sample(range(1, solutions + 1), rng.choice((1, 1, 2, 3))):
            links.append((session_id, solution_id))
    data["training_session"] = (
        ["id", "reference", "title", "format", "starts_at", "ends_at", "duration_hours",
         "capacity", "registered_count", "academy", "location", "in_paf", "status",
         "created_at"],
        session_rows,
    )  # fmt: skip
    data["training_session_solution"] = (["session_id", "solution_id"], links)
    per_session = enrollments // sessions
    enrollment_rows = []
    for session_id in range(1, sessions + 1):
        ends = session_rows[session_id - 1][5]
        for teacher_id in rng.sample(range(1, teachers + 1), per_session):
            completed = rng.random() < 0.7
            enrollment_rows.append(
                (len(enrollment_rows) + 1, session_id, teacher_id, "registered", now,
                 completed or rng.random() < 0.5, completed,
                 ends + timedelta(hours=2) if completed else None)
            )  # fmt: skip
    data["enrollment"] = (
        ["id", "session_id", "teacher_id", "status", "created_at", "attended", "completed",
         "completed_at"],
        enrollment_rows,
    )  # fmt: skip
    return data


def _sqlite_value(value):
    # The storage format of SQLAlchemy's SQLite DateTime (UTC, naive), so SQL date() works.
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _load(engine, data: dict) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, (columns, rows) in data.items():
            names = ", ".join(columns)
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
                for i in range(0, len(rows), 50_000):
                    cursor.executemany(
                        sql, [tuple(map(_sqlite_value, r)) for r in rows[i : i + 50_000]]
                    )
        raw.commit()
    finally:
        raw.close()


def seed_own(url: str, teachers: int, sessions: int, enrollments: int) -> None:
    engine = create_engine(url)
    _load(engine, _rows(teachers, sessions, enrollments, random.Random(2026)))
    engine.dispose()


def prepare(url: str, scale: float, reseed: bool) -> None:
    """An upgraded database holding the dataset at ``scale``; reused when already there."""
    from flask_migrate import upgrade

    from accelerator.extensions import db

    teachers, sessions = int(300_000 * scale), int(20_000 * scale)
    enrollments = int(1_000_000 * scale)
    app = _app(url)
    with app.app_context():
        present = 0
        try:
            present = db.session.scalar(text("SELECT COUNT(*) FROM enrollment")) or 0
        except Exception:
            db.session.rollback()
        if present == enrollments and not reseed:
            upgrade(directory=str(ROOT / "migrations"))  # new indexes apply to the kept data
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            dataset = ROOT / "bench" / "training_dataset.py"
            if dataset.exists():
                # seeded before the seeder verified its French companies: nobody counted
                spec = importlib.util.spec_from_file_location("training_dataset", dataset)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                if module.verify_companies(url):
                    print("  verified the French companies of the existing dataset")
            return
        db.session.remove()
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        else:
            db.engine.dispose()
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()
    started = time.perf_counter()
    dataset = ROOT / "bench" / "training_dataset.py"
    if dataset.exists():
        spec = importlib.util.spec_from_file_location("training_dataset", dataset)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.seed(url, teachers=teachers, sessions=sessions, enrollments=enrollments)
    else:
        seed_own(url, teachers, sessions, enrollments)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    print(f"  seeded in {time.perf_counter() - started:.1f} s")


# --- Timing --------------------------------------------------------------------------------


def _best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def measure(url: str, repeat: int) -> None:
    from accelerator.certification import progress
    from accelerator.extensions import db

    app = _app(url)
    with app.app_context():

        def baseline():
            return db.session.scalar(text(BASELINE))

        base_time, base_count = _best(baseline, repeat)
        print(f"  baseline COUNT(DISTINCT teacher_id) WHERE completed: {base_count:>9,}"
              f"  {base_time:7.3f} s   1.00x")  # fmt: skip
        cases = [
            ("trained_teachers()", progress.trained_teachers),
            ("by_academy()", progress.by_academy),
            ("by_month()", progress.by_month),
            ("by_solution()", progress.by_solution),
            ("summary() (all, as the API)", progress.summary),
        ]
        for label, function in cases:
            seconds, result = _best(function, repeat)
            shown = result if isinstance(result, int) else len(result)
            print(f"  {label:<50} {shown:>9,}  {seconds:7.3f} s  {seconds / base_time:5.2f}x")
        total = progress.trained_teachers()
        if total >= progress.TARGET:
            print(
                "  (the target is reached in this dataset: summary() also looks up the day it was)"
            )
        months = progress.by_month()
        assert sum(months.values()) == total, "months must sum to the total"
        assert sum(progress.by_academy().values()) == total, "académies must sum to the total"
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the design volumes")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--reseed", action="store_true", help="seed again even if present")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (best kept)")
    args = parser.parse_args()
    targets = {"sqlite": SQLITE_URL, "postgresql": POSTGRESQL_URL}
    for name, url in targets.items():
        if args.only and name != args.only:
            continue
        if name == "sqlite" and args.scale != 1.0:
            url = url.replace(".sqlite3", f"-{args.scale:g}.sqlite3")
        if name == "postgresql":
            _ensure_postgresql_database(url)
        print(f"== {name} (scale {args.scale:g}: {int(300_000 * args.scale):,} teachers, "
              f"{int(20_000 * args.scale):,} sessions, {int(1_000_000 * args.scale):,} "
              "enrolments)")  # fmt: skip
        prepare(url, args.scale, args.reseed)
        measure(url, args.repeat)
    print(f"(best of {args.repeat} runs each; ratio = time / baseline in the same run)")


if __name__ == "__main__":
    main()
