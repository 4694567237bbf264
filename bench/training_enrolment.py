"""Benchmark of enrolment throughput (accelerator/training/operations/enrolments.enroll_teacher).

On a database holding a background dataset (bench/training_dataset.py), times in the same run:

- baseline: a bare ``INSERT INTO enrollment`` and a commit per enrolment (one transaction
  each, as one request makes), through the same engine: the floor of one row and one commit,
  with no check, no place taken, no kept figure;
- the enrol call as the page and the API make it, one enrolment per request context and
  transaction: the caller's lookups (the acting user, ``get_session``, the teacher), the
  enrolment, the commit (with what the kept figures' tracking does before it), into sessions
  of 30 places, so a quarter of the enrolments land on the waitlist. Two paths, in
  interleaved rounds (today's first in odd rounds, so that neither always runs on a warmer
  cache or a quieter disk), each into sessions and teachers of its own:
  - reference: the enrol path as issue #17 measured it (bench/enrolment_reference.py, the
    code of a605a8d^: the earlier enrolment read, a savepoint around the place and an ORM
    flush of the row, which the tracking sees: the kept figures of the teacher and of the
    session are recomputed when the savepoint is released);
  - today's ``operations.enroll_teacher``;
  each twice: before any kept figure exists (a new installation: nothing to keep up to date)
  and once they are kept (``kept.refresh()``, as the job queue does in production: each
  enrolment keeps them exact before its commit);
- on PostgreSQL also 8 threads enrolling at once into the same sessions (contention on the
  session rows; the issue's "27x a bare INSERT"), both paths, without then with kept
  figures, against the baseline one at a time; checking
  afterwards that no session holds more than its capacity and that every count matches its
  enrolments;

and prints milliseconds per enrolment (the median of the rounds) and ratios, to the reference
and to the baseline: for the whole enrolment, and for the call alone with its commit (what
differs between the paths: the reference keeps the kept figures exact there, and on SQLite
its savepoint's release is the commit that reaches the disk). On SQLite (a file) and
PostgreSQL (test_training_bench, or ``--postgresql-url``):

    .venv/bin/python bench/training_enrolment.py                 # both
    .venv/bin/python bench/training_enrolment.py --only sqlite --count 400 --rounds 4
"""

from __future__ import annotations

import argparse
import logging
import statistics
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


def enrol_one(app, enrol, trainer_id: int, session_id: int, teacher_id: int) -> float:
    """One enrolment as a request makes it: the caller's lookups, ``enrol``, the commit;
    returns the seconds of the call and its commit (where the reference keeps the kept
    figures exact), the part that differs between the paths."""
    from accelerator.accounts.models import TeacherProfile, User
    from accelerator.extensions import db
    from accelerator.training import operations

    with app.test_request_context():
        actor = db.session.get(User, trainer_id)
        session = operations.get_session(actor, session_id)
        teacher = db.session.get(TeacherProfile, teacher_id)
        started = time.perf_counter()
        enrol(actor, session, teacher)
        db.session.commit()
        call = time.perf_counter() - started
        db.session.remove()
    return call


def operation(app, enrol, trainer_id: int, pairs: list[tuple[int, int]]) -> tuple[float, float]:
    """Seconds of the whole enrolments, and of their calls alone."""
    calls = 0.0
    started = time.perf_counter()
    for session_id, teacher_id in pairs:
        calls += enrol_one(app, enrol, trainer_id, session_id, teacher_id)
    return time.perf_counter() - started, calls


def concurrent(app, enrol, trainer_id: int, pairs: list[tuple[int, int]]) -> float:
    """THREADS workers share the pairs (so each session is hit by several at once)."""
    chunks = [pairs[index::THREADS] for index in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def work(chunk):
        barrier.wait()
        for session_id, teacher_id in chunk:
            try:
                enrol_one(app, enrol, trainer_id, session_id, teacher_id)
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


class Fresh:
    """New sessions and unused teachers for each measure (every enrolment a first one)."""

    def __init__(self, count: int):
        self.count = count
        self.used = 0
        self.measures = 0

    def pairs(self, count: int | None = None) -> list[tuple[int, int]]:
        count = count or self.count
        self.measures += 1
        sessions = make_sessions(max(1, count // PER_SESSION), f"M{self.measures:03d}")
        teachers = teacher_ids(count, self.used)
        assert len(teachers) == count, "the dataset has too few teachers"
        self.used += count
        return pairs_for(sessions, teachers)


def miscounted(prefixes: list[str]) -> int:
    """Sessions of these measures over capacity or whose count is not their enrolments'."""
    from accelerator.extensions import db

    chosen = " OR ".join(f"s.reference LIKE '{prefix}-%'" for prefix in prefixes)
    return db.session.scalar(
        text(
            f"SELECT COUNT(*) FROM training_session s WHERE ({chosen}) AND "
            "(s.registered_count <> (SELECT COUNT(*) FROM enrollment e WHERE "
            "e.session_id = s.id AND e.status = 'registered') OR s.registered_count > "
            "s.capacity)"
        )
    )


def paths() -> dict:
    import enrolment_reference

    from accelerator.training import operations

    return {"reference": enrolment_reference.enroll_teacher, "today": operations.enroll_teacher}


def compare(app, trainer_id: int, fresh: Fresh, rounds: int) -> dict[str, tuple[float, float]]:
    """Per path, the median over interleaved rounds of the seconds per enrolment, whole and
    of the call alone (the baseline is both); after one untimed session of each path, which
    compiles their statements."""
    enrols = paths()
    for enrol in enrols.values():
        operation(app, enrol, trainer_id, fresh.pairs(PER_SESSION))

    def bare(pairs):
        seconds = baseline(pairs)
        return seconds, seconds

    measures = {"baseline": bare} | {
        name: lambda pairs, enrol=enrol: operation(app, enrol, trainer_id, pairs)
        for name, enrol in enrols.items()
    }
    per_round: dict[str, list[tuple[float, float]]] = {name: [] for name in measures}
    for number in range(rounds):
        order = list(measures) if number % 2 else list(reversed(measures))
        for name in order:
            whole, call = measures[name](fresh.pairs())
            per_round[name].append((whole / fresh.count, call / fresh.count))
    return {
        name: (
            statistics.median(whole for whole, _ in values),
            statistics.median(call for _, call in values),
        )
        for name, values in per_round.items()
    }


def show(label: str, measured: dict[str, tuple[float, float]], calls: bool = True) -> None:
    base = measured["baseline"][0]
    (reference, reference_call), (today, today_call) = measured["reference"], measured["today"]
    line = (
        f"  {label:<26} baseline {base * 1000:5.2f} ms | whole enrolment: reference"
        f" {reference * 1000:6.2f} ms ({reference / base:5.1f}x), today {today * 1000:6.2f} ms"
        f" ({today / base:5.1f}x), today/reference {today / reference:5.3f}x"
    )
    if calls:
        line += (
            f" | the call and its commit: reference {reference_call * 1000:6.2f} ms, today"
            f" {today_call * 1000:6.2f} ms, today/reference {today_call / reference_call:5.3f}x"
        )
    print(line)


def crowd(app, trainer_id: int, fresh: Fresh, label: str) -> None:
    """Both paths from THREADS threads at once, against the baseline one at a time; then
    whether any of their sessions is over capacity or miscounted."""
    hot = {"baseline": (baseline(fresh.pairs()) / fresh.count,) * 2}
    first = fresh.measures + 1
    for name, enrol in paths().items():
        # the whole enrolments only: the threads' calls overlap
        seconds = concurrent(app, enrol, trainer_id, fresh.pairs()) / fresh.count
        hot[name] = (seconds, seconds)
    show(f"{THREADS} threads, {label}", hot, calls=False)
    wrong = miscounted([f"M{number:03d}" for number in range(first, fresh.measures + 1)])
    print(f"  sessions miscounted or overfull: {wrong}")


def run(url: str, count: int, rounds: int) -> None:
    from accelerator.extensions import db
    from accelerator.reporting import kept
    from accelerator.reporting.models import KeptState

    print(f"== {url.split('@')[-1]}")
    training_dataset.reset_database(url)
    started = time.perf_counter()
    # every measure uses teachers of its own: the baseline and 2 paths, rounds times, with
    # and without kept figures; their warm-ups; on PostgreSQL twice 3 concurrent measures
    needed = count * (6 * rounds + 6) + 4 * PER_SESSION
    training_dataset.seed(
        url,
        teachers=max(30_000, needed),
        sessions=1_000,
        enrollments=50_000,
        companies=100,
        solutions=500,
    )
    print(f"  background data seeded in {time.perf_counter() - started:.1f} s")
    app = training_dataset.app_for(url)
    with app.app_context():
        trainer_id = make_trainer()
        fresh = Fresh(count)
        db.session.execute(KeptState.__table__.delete())
        db.session.commit()
        print(
            f"  {count:,} enrolments per measure into sessions of {CAPACITY} places, "
            f"{rounds} interleaved rounds"
        )
        show("no kept figures", compare(app, trainer_id, fresh, rounds))
        postgresql = url.startswith("postgresql")
        if postgresql:
            crowd(app, trainer_id, fresh, "no kept figures")
        started = time.perf_counter()
        kept.refresh()
        db.session.commit()
        print(f"  kept figures refreshed in {time.perf_counter() - started:.1f} s")
        show("kept figures kept exact", compare(app, trainer_id, fresh, rounds))
        if postgresql:
            crowd(app, trainer_id, fresh, "kept")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--count", type=int, default=400, help="enrolments per measure")
    parser.add_argument("--rounds", type=int, default=4, help="measures per path")
    parser.add_argument("--postgresql-url", default=POSTGRESQL_URL, help="a database of your own")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.only != "postgresql":
        run(SQLITE_URL, args.count, args.rounds)
    if args.only != "sqlite":
        run(args.postgresql_url, args.count, args.rounds)


if __name__ == "__main__":
    main()
