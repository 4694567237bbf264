"""Benchmark of enrolment throughput (accelerator/training/operations/enrolments.enroll_teacher).

On a database holding a background dataset (bench/training_dataset.py), times in the same run:

- baseline: a bare ``INSERT INTO enrollment`` and a commit per enrolment (one transaction
  each, as one request makes);
- the operation: ``enroll_teacher`` in its own request context and transaction per enrolment
  (session and teacher looked up, the conditional UPDATE taking a place, the row, the commit),
  into sessions of 30 places, so a quarter of the enrolments land on the waitlist;
- on PostgreSQL also 8 threads enrolling at once into the same sessions (contention on the
  session rows), checking afterwards that no session holds more than its capacity;

and prints enrolments per second and ratios. On SQLite (a file) and PostgreSQL
(test_training_bench):

    .venv/bin/python bench/training_enrolment.py                 # both
    .venv/bin/python bench/training_enrolment.py --only sqlite --count 1000
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import training_dataset  # noqa: E402

SQLITE_URL = f"sqlite:///{ROOT / 'instance' / 'bench-training-enrolment.sqlite3'}"
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_training_bench"
CAPACITY = 30
PER_SESSION = 40  # enrolments per session: 30 places, then 10 on the waitlist
THREADS = 8


def make_sessions(count: int, prefix: str) -> list[int]:
    from accelerator.audits.models import Solution
    from accelerator.audits.queries import solution_ids_in_force
    from accelerator.extensions import db
    from accelerator.training.models import SessionFormat, TrainingSession

    solution = db.session.get(Solution, db.session.scalars(solution_ids_in_force()).first())
    start = datetime.now(UTC) + timedelta(days=30)
    sessions = [
        TrainingSession(
            reference=f"{prefix}-{index:05d}",
            title=f"Session {prefix} {index}",
            format=SessionFormat.in_person,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            duration_hours=3,
            capacity=CAPACITY,
            registered_count=0,
            academy="paris",
            location="Atelier Canopé 75",
            solutions=[solution],
        )
        for index in range(count)
    ]
    db.session.add_all(sessions)
    db.session.commit()
    return [session.id for session in sessions]


def make_trainer():
    from accelerator.accounts.models import Role, User
    from accelerator.extensions import db

    trainer = User(
        email="bench-enrol@reseau-canope.fr", full_name="Banc", role=Role.trainer, password_hash="-"
    )
    db.session.add(trainer)
    db.session.commit()
    return trainer.id


def teacher_ids(count: int, offset: int) -> list[int]:
    from accelerator.extensions import db

    return list(
        db.session.scalars(
            text("SELECT id FROM teacher_profile ORDER BY id LIMIT :n OFFSET :o"),
            {"n": count, "o": offset},
        )
    )


def baseline(pairs: list[tuple[int, int]]) -> float:
    """Bare INSERT + commit per enrolment, through the same engine."""
    from accelerator.extensions import db

    connection = db.engine.connect()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = (
        "INSERT INTO enrollment (session_id, teacher_id, status, created_at, attended, completed)"
        f" VALUES ({mark}, {mark}, 'registered', {mark}, {mark}, {mark})"
    )
    now = datetime.now(UTC)
    created = now.strftime("%Y-%m-%d %H:%M:%S.%f") if connection.dialect.name == "sqlite" else now
    started = time.perf_counter()
    for session_id, teacher_id in pairs:
        connection.exec_driver_sql(sql, (session_id, teacher_id, created, False, False))
        connection.commit()
    seconds = time.perf_counter() - started
    connection.close()
    return seconds


def enrol_one(app, trainer_id: int, session_id: int, teacher_id: int) -> str:
    from accelerator.accounts.models import TeacherProfile, User
    from accelerator.extensions import db
    from accelerator.training import operations

    with app.test_request_context():
        actor = db.session.get(User, trainer_id)
        session = operations.get_session(actor, session_id)
        enrollment = operations.enroll_teacher(
            actor, session, db.session.get(TeacherProfile, teacher_id)
        )
        status = enrollment.status.value
        db.session.commit()
        db.session.remove()
    return status


def operation(app, trainer_id: int, pairs: list[tuple[int, int]]) -> tuple[float, dict]:
    outcomes: dict[str, int] = {}
    started = time.perf_counter()
    for session_id, teacher_id in pairs:
        status = enrol_one(app, trainer_id, session_id, teacher_id)
        outcomes[status] = outcomes.get(status, 0) + 1
    return time.perf_counter() - started, outcomes


def concurrent(app, trainer_id: int, pairs: list[tuple[int, int]]) -> float:
    """THREADS workers share the pairs (so each session is hit by several at once)."""
    chunks = [pairs[index::THREADS] for index in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def work(chunk):
        barrier.wait()
        for session_id, teacher_id in chunk:
            try:
                enrol_one(app, trainer_id, session_id, teacher_id)
            except Exception as error:  # counted and shown: the run must have none
                errors.append(error)

    threads = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    assert not errors, errors[:3]
    return seconds


def pairs_for(session_ids: list[int], teachers: list[int]) -> list[tuple[int, int]]:
    """Enrolments spread over the sessions in turn (teacher k goes to session k % n)."""
    return [(session_ids[k % len(session_ids)], teacher) for k, teacher in enumerate(teachers)]


def run(url: str, count: int) -> None:
    from accelerator.extensions import db

    print(f"== {url.split('@')[-1]}")
    training_dataset.reset_database(url)
    started = time.perf_counter()
    training_dataset.seed(
        url,
        teachers=max(30_000, 3 * count),
        sessions=1_000,
        enrollments=50_000,
        companies=100,
        solutions=500,
    )
    print(f"  background data seeded in {time.perf_counter() - started:.1f} s")
    app = training_dataset.app_for(url)
    with app.app_context():
        trainer_id = make_trainer()
        n_sessions = max(1, count // PER_SESSION)
        base_pairs = pairs_for(make_sessions(n_sessions, "BASE"), teacher_ids(count, 0))
        op_pairs = pairs_for(make_sessions(n_sessions, "OP"), teacher_ids(count, count))
        base_s = baseline(base_pairs)
        op_s, outcomes = operation(app, trainer_id, op_pairs)
        print(f"  {count:,} enrolments into {n_sessions} sessions of {CAPACITY} places")
        print(f"  baseline bare INSERT + commit     {count / base_s:9,.0f} /s   1.00x time")
        print(
            f"  enroll_teacher (request + commit) {count / op_s:9,.0f} /s  "
            f"{op_s / base_s:5.2f}x time   {outcomes}"
        )
        if url.startswith("postgresql"):
            hot_pairs = pairs_for(make_sessions(n_sessions, "HOT"), teacher_ids(count, 2 * count))
            hot_s = concurrent(app, trainer_id, hot_pairs)
            overfull = db.session.scalar(
                text(
                    "SELECT COUNT(*) FROM training_session s WHERE s.reference LIKE 'HOT-%' AND "
                    "s.registered_count <> (SELECT COUNT(*) FROM enrollment e WHERE "
                    "e.session_id = s.id AND e.status = 'registered') OR s.registered_count > "
                    "s.capacity"
                )
            )
            print(
                f"  enroll_teacher, {THREADS} threads at once  {count / hot_s:9,.0f} /s  "
                f"{hot_s / base_s:5.2f}x time   sessions miscounted or overfull: {overfull}"
            )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--count", type=int, default=2_000, help="enrolments per measure")
    parser.add_argument("--postgresql-url", default=POSTGRESQL_URL, help="a database of your own")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.only != "postgresql":
        run(SQLITE_URL, args.count)
    if args.only != "sqlite":
        run(args.postgresql_url, args.count)


if __name__ == "__main__":
    main()
