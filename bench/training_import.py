"""Benchmark of the attendance import (accelerator/training/imports.py): 100,000 lines.

Seeds a background dataset (bench/training_dataset.py), adds 1,000 past sessions, writes a
100,000-line M@gistère-like CSV (``;``, Windows-1252, half the teachers already known, half
new), then times in the same run:

- the baseline: a ``csv.reader`` pass over the same file and a bare bulk load of its rows
  into a scratch table (COPY on PostgreSQL, executemany on SQLite), with one commit;
- the floor: the same load, then the writes the import cannot avoid, bare (the same
  teachers, enrolments and attestations inserted into the real tables, with their indexes
  and foreign keys, by three INSERT ... SELECT; rolled back);
- the import as the worker runs it (a job: staging by batches with progress, every check,
  teacher creation, enrolments with capacity, attendance, attestations, the job's result);
- the re-import of the same file (which must change nothing);

and prints seconds, lines per second and ratios to the baseline. With ``--memory`` it then
imports a file of ``--memory-lines`` lines (1,000,000 by default) and prints how much the
process' resident memory grew at its peak (VmHWM) above what it was before the import.
On SQLite (a file) and PostgreSQL (test_training_bench, or ``--postgresql-url`` /
``BENCH_POSTGRESQL_URL``: a database of its own, whose schema is dropped):

    .venv/bin/python bench/training_import.py                 # both
    .venv/bin/python bench/training_import.py --only sqlite --lines 20000 --no-background
    .venv/bin/python bench/training_import.py --only postgresql --memory
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import training_dataset  # noqa: E402

SQLITE_URL = f"sqlite:///{ROOT / 'instance' / 'bench-training-import.sqlite3'}"
POSTGRESQL_URL = os.environ.get(
    "BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_training_bench"
)
HEADER = ["email", "nom", "prenom", "academie", "uai", "situation", "session", "present", "termine"]
SESSIONS = 1_000


def add_sessions_and_trainer(capacity: int):
    """1,000 past sessions with room for the file's lines, and the trainer who imports."""
    from accelerator.accounts.models import Role, User
    from accelerator.audits.queries import solution_ids_in_force
    from accelerator.extensions import db
    from accelerator.training.models import SessionFormat, TrainingSession

    solution_id = db.session.scalars(solution_ids_in_force()).first()
    from accelerator.audits.models import Solution

    solution = db.session.get(Solution, solution_id)
    start = datetime.now(UTC) - timedelta(days=20)
    references = []
    for index in range(SESSIONS):
        reference = f"IMPORT-{index:05d}"
        db.session.add(
            TrainingSession(
                reference=reference,
                title=f"Session importée {index}",
                format=SessionFormat.remote,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                duration_hours=3,
                capacity=capacity,
                registered_count=0,
                academy="paris",
                location="M@gistère",
                solutions=[solution],
            )
        )
        references.append(reference)
    trainer = User(
        email="bench-trainer@reseau-canope.fr",
        full_name="Formateur du banc",
        role=Role.trainer,
        password_hash="-",
    )
    db.session.add(trainer)
    db.session.commit()
    return trainer, references


def write_csv(path: Path, lines: int, references: list[str]) -> None:
    from accelerator.core.reference import ACADEMIES
    from accelerator.extensions import db

    known = [
        row[0]
        for row in db.session.execute(
            text("SELECT email FROM teacher_profile ORDER BY id LIMIT :n"), {"n": lines // 2}
        )
    ]
    academies = list(ACADEMIES.values())
    stages = ["stagiaire", "néotitulaire", "titulaire", "contractuel"]
    answers = [("oui", "oui"), ("oui", "oui"), ("oui", "oui"), ("oui", "non"), ("non", "non")]
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(lines):
            email = known[i // 2] if i % 2 == 0 and i // 2 < len(known) else f"nouv{i}@ac-lyon.fr"
            present, completed = answers[i % len(answers)]
            writer.writerow(
                [
                    email,
                    f"Nom{i}",
                    "Hélène",
                    academies[i % len(academies)],
                    training_dataset._uai(100_000 + i),
                    stages[i % len(stages)],
                    references[i % len(references)],
                    present,
                    completed,
                ]
            )


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def baseline_load(path: Path, create: bool = True) -> int:
    """Read the file and bulk-load its rows as they are: COPY on PostgreSQL, executemany on
    SQLite (the same loaders the import stages with), one commit (none, into the scratch
    table already there, without ``create``)."""
    from accelerator.extensions import db

    if create:
        columns = ", ".join(f"c{i} VARCHAR(300)" for i in range(len(HEADER)))
        connection = db.session.connection()
        connection.exec_driver_sql("DROP TABLE IF EXISTS bench_scratch")
        connection.exec_driver_sql(f"CREATE TABLE bench_scratch ({columns})")
        db.session.commit()
    connection = db.session.connection()
    with path.open(encoding="cp1252", newline="") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        if connection.dialect.name == "postgresql":
            cursor = connection.connection.driver_connection.cursor()
            count = 0
            with cursor.copy("COPY bench_scratch FROM STDIN") as copy:
                for count, row in enumerate(reader, 1):  # noqa: B007 (read after)
                    copy.write_row(row)
        else:
            rows = [tuple(row) for row in reader]
            count = len(rows)
            connection.exec_driver_sql(
                f"INSERT INTO bench_scratch VALUES ({', '.join(['?'] * len(HEADER))})", rows
            )
    if create:
        db.session.commit()
        db.session.connection().exec_driver_sql("DROP TABLE bench_scratch")
        db.session.commit()
    return count


def floor_writes(path: Path) -> float:
    """The writes the import cannot avoid, bare, timed then rolled back: the file loaded as
    by ``baseline_load``, then the same teachers, enrolments and attestations written into
    the real tables (their indexes, unique constraints and foreign keys) by three INSERT ...
    SELECT joining the loaded rows to the sessions and teachers, and the attestations'
    codes drawn as the import draws them. No check, no report, no staging of faults."""
    from accelerator.certification.operations import _issue_missing
    from accelerator.core.db import UTCDateTime, utcnow
    from accelerator.extensions import db
    from accelerator.training.models import Enrollment, TrainingSession

    columns = ", ".join(f"c{i} VARCHAR(300)" for i in range(len(HEADER)))
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TABLE IF EXISTS bench_scratch")
    connection.exec_driver_sql(f"CREATE TABLE bench_scratch ({columns})")
    db.session.commit()
    started = time.perf_counter()
    baseline_load(path, create=False)
    if db.session.get_bind().dialect.name == "postgresql":  # as the import does
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))
        db.session.execute(text("ANALYZE bench_scratch"))
    now = utcnow()
    params = {"now": now}
    statement = text(
        """INSERT INTO teacher_profile (email, last_name, first_name, created_at)
        SELECT c0, c1, c2, :now FROM bench_scratch
        WHERE c0 NOT IN (SELECT email FROM teacher_profile)"""
    ).bindparams(bindparam("now", type_=UTCDateTime()))
    db.session.execute(statement, params)
    statement = text(
        """INSERT INTO enrollment (session_id, teacher_id, status, created_at, attended,
            completed, completed_at, attendance_source)
        SELECT s.id, t.id, 'registered', :now, c7 = 'oui', c8 = 'oui',
            CASE WHEN c8 = 'oui' THEN :now END, 'import'
        FROM bench_scratch JOIN training_session AS s ON s.reference = c6
        JOIN teacher_profile AS t ON t.email = c0"""
    ).bindparams(bindparam("now", type_=UTCDateTime()))
    db.session.execute(statement, params)
    sessions = select(TrainingSession.id).where(TrainingSession.reference.like("IMPORT-%"))
    completed = select(Enrollment.id).where(
        Enrollment.session_id.in_(sessions), Enrollment.completed.is_(True)
    )
    _issue_missing(completed, now, bulk=True)
    db.session.flush()
    elapsed = time.perf_counter() - started
    db.session.rollback()
    db.session.connection().exec_driver_sql("DROP TABLE bench_scratch")
    db.session.commit()
    return elapsed


def run_job(trainer, path: Path) -> dict:
    """The import as the worker runs it: a queued job, run in this process."""
    from accelerator.core.jobs import JobState, run_job_now
    from accelerator.extensions import db
    from accelerator.training.imports import queue_attendance_import

    with path.open("rb") as stream:
        job = queue_attendance_import(trainer, stream, send=False)
    db.session.commit()
    job = run_job_now(job.id)
    assert job.state == JobState.done, job.error
    return job.result


def memory_kb(field: str) -> int:
    """VmRSS (now) or VmHWM (peak) of this process, in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def reset_peak() -> None:
    """Start VmHWM again from the current resident size (Linux: write 5 to clear_refs)."""
    Path("/proc/self/clear_refs").write_text("5")


def run(url: str, lines: int, background: bool, memory_lines: int | None) -> None:
    from accelerator.extensions import db

    print(f"== {url.split('@')[-1]}")
    training_dataset.reset_database(url)
    started = time.perf_counter()
    if background:
        training_dataset.seed(
            url,
            teachers=60_000,
            sessions=2_000,
            enrollments=100_000,
            companies=100,
            solutions=1_000,
        )
    else:
        training_dataset.seed(
            url, teachers=100, sessions=20, enrollments=100, companies=10, solutions=20
        )
    print(f"  background data seeded in {time.perf_counter() - started:.1f} s")
    app = training_dataset.app_for(url)
    with tempfile.TemporaryDirectory() as folder, app.test_request_context():
        app.config["UPLOAD_DIR"] = folder
        trainer, references = add_sessions_and_trainer(
            capacity=max(lines, memory_lines or 0) // SESSIONS + 10
        )
        path = Path(folder) / "presences.csv"
        write_csv(path, lines, references)
        size = path.stat().st_size / 1e6

        baseline, _ = timed(lambda: baseline_load(path))
        floor = floor_writes(path)
        import_s, first = timed(lambda: run_job(trainer, path))
        reimport_s, second = timed(lambda: run_job(trainer, path))
        assert first["errors"] == [], first["errors"][:5]
        assert (second["imported"], second["unchanged"]) == (0, lines), second
        print(f"  file: {lines:,} lines, {size:.1f} MB (Windows-1252, ';')")
        print(
            f"  baseline: csv.reader + bare {'COPY' if 'postgresql' in url else 'executemany'}"
            f"     {baseline:7.2f} s   1.00x  ({lines / baseline:,.0f} lines/s)"
        )
        print(
            f"  floor: the same load + bare writes of the teachers, enrolments, attestations"
            f" {floor:7.2f} s  {floor / baseline:5.2f}x  ({lines / floor:,.0f} lines/s)"
        )
        print(
            f"  import   (imported {first['imported']:,})        {import_s:7.2f} s  "
            f"{import_s / baseline:5.2f}x  ({lines / import_s:,.0f} lines/s; "
            f"{import_s / floor:.2f}x the floor)"
        )
        print(
            f"  re-import (unchanged {second['unchanged']:,})     {reimport_s:7.2f} s  "
            f"{reimport_s / baseline:5.2f}x  ({lines / reimport_s:,.0f} lines/s)"
        )
        if memory_lines:
            big = Path(folder) / "big.csv"
            write_csv(big, memory_lines, references)
            trainer_id = trainer.id
            db.session.remove()
            from accelerator.accounts.models import User

            trainer = db.session.get(User, trainer_id)
            before = memory_kb("VmRSS")
            reset_peak()
            big_s, result = timed(lambda: run_job(trainer, big))
            growth = (memory_kb("VmHWM") - before) / 1024
            print(
                f"  {memory_lines:,} lines ({big.stat().st_size / 1e6:.0f} MB): imported "
                f"{result['imported']:,} in {big_s:.1f} s ({memory_lines / big_s:,.0f} lines/s);"
                f" peak memory +{growth:.0f} MB over {before / 1024:.0f} MB before"
            )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument(
        "--no-background", dest="background", action="store_false", help="a tiny seed dataset"
    )
    parser.add_argument("--memory", action="store_true", help="then import --memory-lines")
    parser.add_argument("--memory-lines", type=int, default=1_000_000)
    parser.add_argument(
        "--postgresql-url", default=POSTGRESQL_URL, help="a database of its own (dropped)"
    )
    args = parser.parse_args()
    memory_lines = args.memory_lines if args.memory else None
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.only != "postgresql":
        run(SQLITE_URL, args.lines, args.background, memory_lines)
    if args.only != "sqlite":
        run(args.postgresql_url, args.lines, args.background, memory_lines)


if __name__ == "__main__":
    main()
