"""Benchmark of the attendance import (accelerator/training/imports.py): 100,000 lines.

Seeds a background dataset (bench/training_dataset.py), adds 1,000 past sessions, writes a
100,000-line M@gistère-like CSV (``;``, Windows-1252, half the teachers already known, half
new), then times in the same run:

- baseline 1: a plain ``csv.reader`` pass over the same file;
- baseline 2: a bare executemany INSERT of the same rows into a scratch table;
- the import (validation, teacher creation, enrolments with capacity, attendance);
- the re-import of the same file (which must change nothing);

and prints seconds and ratios. On SQLite (a file) and PostgreSQL (test_training_bench):

    .venv/bin/python bench/training_import.py                 # both
    .venv/bin/python bench/training_import.py --only sqlite --lines 20000
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import training_dataset  # noqa: E402

SQLITE_URL = f"sqlite:///{ROOT / 'instance' / 'bench-training-import.sqlite3'}"
POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_training_bench"
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


def baseline_read(path: Path) -> int:
    with path.open(encoding="cp1252", newline="") as handle:
        return sum(1 for _ in csv.reader(handle, delimiter=";"))


def baseline_insert(path: Path) -> int:
    from accelerator.extensions import db

    with path.open(encoding="cp1252", newline="") as handle:
        rows = [tuple(row) for row in csv.reader(handle, delimiter=";")][1:]
    columns = ", ".join(f"c{i} VARCHAR(300)" for i in range(len(HEADER)))
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TABLE IF EXISTS bench_scratch")
    connection.exec_driver_sql(f"CREATE TABLE bench_scratch ({columns})")
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    connection.exec_driver_sql(
        f"INSERT INTO bench_scratch VALUES ({', '.join([mark] * len(HEADER))})", rows
    )
    db.session.commit()
    db.session.connection().exec_driver_sql("DROP TABLE bench_scratch")
    db.session.commit()
    return len(rows)


def run(url: str, lines: int) -> None:
    from accelerator.extensions import db
    from accelerator.training.imports import import_attendance

    print(f"== {url.split('@')[-1]}")
    training_dataset.reset_database(url)
    started = time.perf_counter()
    training_dataset.seed(
        url, teachers=60_000, sessions=2_000, enrollments=100_000, companies=100, solutions=1_000
    )
    print(f"  background data seeded in {time.perf_counter() - started:.1f} s")
    app = training_dataset.app_for(url)
    with tempfile.TemporaryDirectory() as folder, app.test_request_context():
        trainer, references = add_sessions_and_trainer(capacity=lines // SESSIONS + 10)
        path = Path(folder) / "presences.csv"
        write_csv(path, lines, references)
        size = path.stat().st_size / 1e6

        read_s, read_rows = timed(lambda: baseline_read(path))
        insert_s, _ = timed(lambda: baseline_insert(path))

        def do_import():
            with path.open("rb") as stream:
                report = import_attendance(trainer, stream).as_dict()
            db.session.commit()
            return report

        import_s, first = timed(do_import)
        reimport_s, second = timed(do_import)
        assert first["errors"] == [], first["errors"][:5]
        assert (second["imported"], second["unchanged"]) == (0, lines), second
        baseline = read_s + insert_s
        print(f"  file: {lines:,} lines, {size:.1f} MB (Windows-1252, ';')")
        print(f"  baseline csv.reader pass             {read_s:7.2f} s")
        print(f"  baseline bare executemany INSERT     {insert_s:7.2f} s")
        print(f"  baseline total (read + insert)       {baseline:7.2f} s   1.00x")
        print(
            f"  import   (imported {first['imported']:,})        {import_s:7.2f} s  "
            f"{import_s / baseline:5.2f}x  ({lines / import_s:,.0f} lines/s)"
        )
        print(
            f"  re-import (unchanged {second['unchanged']:,})     {reimport_s:7.2f} s  "
            f"{reimport_s / baseline:5.2f}x  ({lines / reimport_s:,.0f} lines/s)"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.only != "postgresql":
        run(SQLITE_URL, args.lines)
    if args.only != "sqlite":
        run(POSTGRESQL_URL, args.lines)


if __name__ == "__main__":
    main()
