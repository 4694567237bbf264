"""A reusable, fast seeder of training data at the design volumes (DESIGN.md, "Data and scale").

``seed(engine_url, teachers=300_000, sessions=20_000, enrollments=1_000_000)`` fills a migrated
database (SQLite or PostgreSQL) with companies, solutions and their approvals (decisions,
a few suspensions), teachers, sessions on approved solutions, and enrolments in every state:
registered (within capacity, ``registered_count`` kept exact), waitlisted and cancelled, with
attendance and completion on past sessions. Rows go in with plain executemany bulk inserts
through the models' tables (so column types and defaults are the application's), in batches;
ids are given explicitly, after those already present, and PostgreSQL sequences are moved past
them. Deterministic for a given ``seed_value``.

    .venv/bin/python bench/training_dataset.py sqlite:///instance/bench.sqlite3 --scale 0.1
    .venv/bin/python bench/training_dataset.py postgresql+psycopg://postgres@127.0.0.1:5432/db

The command line migrates the database first (``flask db upgrade``) when ``--migrate`` is given.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BATCH = 20_000
CAREER_STAGES = ("stagiaire", "neotitulaire", "titulaire", "titulaire", "titulaire", "contractuel")
UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
#: Sessions start between these days (a quarter of them after ``NOW``: sessions to come).
FIRST_DAY, LAST_DAY = date(2024, 1, 8), date(2027, 6, 30)
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _uai(number: int) -> str:
    digits = f"{number % 10_000_000:07d}"
    return digits + UAI_LETTERS[int(digits) % 23]


class _Loader:
    """Inserts rows table by table, in batches, with ids after those already present."""

    def __init__(self, connection):
        self.connection = connection
        self.counts: dict[str, int] = {}

    def next_id(self, table) -> int:
        return (self.connection.scalar(select(func.max(table.c.id))) or 0) + 1

    def insert(self, table, rows) -> None:
        """executemany of plain tuples through the driver: SQLAlchemy's per-row type
        processing would triple the time, so values are converted here once."""
        batch: list[tuple] = []
        statement = None
        for row in rows:
            if statement is None:
                defaults = self._defaults(table, row)
                columns = list(row) + list(defaults)
                statement = self._statement(table, columns)
            values = {**defaults, **row}
            batch.append(tuple(self._value(values[name]) for name in columns))
            if len(batch) >= BATCH:
                self._flush(table, statement, batch)
                batch = []
        if batch:
            self._flush(table, statement, batch)

    @staticmethod
    def _defaults(table, row: dict) -> dict:
        """The models' Python-side defaults of the columns the rows leave out."""
        defaults = {}
        for column in table.columns:
            if column.name in row or column.default is None:
                continue
            default = column.default
            defaults[column.name] = default.arg(None) if default.is_callable else default.arg
        return defaults

    def _statement(self, table, columns: list[str]) -> str:
        mark = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
        names = ", ".join(columns)
        return f"INSERT INTO {table.name} ({names}) VALUES ({', '.join([mark] * len(columns))})"

    def _flush(self, table, statement: str, batch: list[tuple]) -> None:
        # psycopg 3 pipelines executemany, so this is one round trip per batch there too.
        self.connection.exec_driver_sql(statement, batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(batch)

    def _value(self, value):
        if isinstance(value, datetime):
            if self.connection.dialect.name == "sqlite":
                # SQLAlchemy's storage format for SQLite (naive UTC), as UTCDateTime writes it.
                return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            return value
        if isinstance(value, date):
            return value.isoformat() if self.connection.dialect.name == "sqlite" else value
        if isinstance(value, dict | list):
            return json.dumps(value)
        return value

    def fix_sequences(self) -> None:
        if self.connection.dialect.name != "postgresql":
            return
        for name in self.counts:
            if name == "training_session_solution":
                continue
            self.connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
            )


def _academies() -> list[str]:
    from accelerator.core.reference import ACADEMIES

    return list(ACADEMIES)


def seed(
    engine_url: str,
    teachers: int = 300_000,
    sessions: int = 20_000,
    enrollments: int = 1_000_000,
    *,
    companies: int = 1_000,
    solutions: int = 10_000,
    seed_value: int = 2026,
) -> dict[str, int]:
    """Add the dataset to the (migrated) database at ``engine_url``; returns rows per table."""
    from accelerator.accounts.models import Organization, TeacherProfile
    from accelerator.audits.models import Audit, AuditEvent, Decision, Solution
    from accelerator.criteria.models import Framework, FrameworkVersion
    from accelerator.training.models import Enrollment, TrainingSession, session_solution

    rng = random.Random(seed_value)
    academies = _academies()
    engine = create_engine(engine_url)
    with engine.begin() as connection:
        load = _Loader(connection)
        t = {
            name: model.__table__
            for name, model in {
                "organization": Organization,
                "framework": Framework,
                "version": FrameworkVersion,
                "solution": Solution,
                "audit": Audit,
                "decision": Decision,
                "event": AuditEvent,
                "teacher": TeacherProfile,
                "session": TrainingSession,
                "enrollment": Enrollment,
            }.items()
        }
        first = {name: load.next_id(table) for name, table in t.items()}

        # Companies (one in ten abroad), a framework version, solutions, approvals.
        org0 = first["organization"]
        load.insert(
            t["organization"],
            (
                {
                    "id": org0 + i,
                    "name": f"EdTech {org0 + i}",
                    "siren": None,
                    "country": "BE" if i % 10 == 9 else "FR",
                    "created_at": NOW,
                }
                for i in range(companies)
            ),
        )
        framework_id, version_id = first["framework"], first["version"]
        load.insert(
            t["framework"],
            [{"id": framework_id, "code": f"bench-{framework_id}", "name": "Cadre (banc)"}],
        )
        load.insert(
            t["version"],
            [
                {
                    "id": version_id,
                    "framework_id": framework_id,
                    "version": "2024.1",
                    "label": "Cadre (banc) 2024.1",
                    "status": "published",
                    "thresholds": {"approve": 75, "approve_with_conditions": 55},
                    "created_at": NOW,
                    "published_at": _at(date(2023, 6, 1), 9),
                }
            ],
        )
        sol0 = first["solution"]
        load.insert(
            t["solution"],
            (
                {
                    "id": sol0 + i,
                    "organization_id": org0 + rng.randrange(companies),
                    "name": f"Solution {sol0 + i}",
                    "slug": f"bench-solution-{sol0 + i}",
                    "summary": "",
                    "description": "",
                    "subjects": ["mathematiques"],
                    "levels": ["cycle3"],
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for i in range(solutions)
            ),
        )
        audits, decisions, events, approved = [], [], [], []
        audit_id, decision_id, event_id = first["audit"], first["decision"], first["event"]
        for i in range(solutions):
            if i % 10 < 3:  # three in ten never approved
                continue
            decided = date(2023, 6, 1) + timedelta(days=rng.randrange(1250))
            valid_until = decided + timedelta(days=730)
            outcome = "approved_with_conditions" if i % 4 == 0 else "approved"
            audits.append(
                {
                    "id": audit_id,
                    "solution_id": sol0 + i,
                    "framework_version_id": version_id,
                    "status": outcome,
                    "status_changed_at": _at(decided, 10),
                    "created_at": _at(decided - timedelta(days=60), 10),
                    "decided_at": _at(decided, 10),
                    "valid_until": valid_until,
                    "verification_code": f"bench{audit_id:08d}",
                }
            )
            decisions.append(
                {
                    "id": decision_id,
                    "audit_id": audit_id,
                    "outcome": outcome,
                    "motivation": "",
                    "valid_until": valid_until,
                    "overall_score": 60.0 + rng.random() * 40,
                    "domain_scores": {},
                    "recommendation": "approve",
                    "decided_at": _at(decided, 10),
                }
            )
            if i % 50 == 5:  # two in a hundred suspended for two months, then reinstated
                for action, days in (("suspend", 90), ("reinstate", 150)):
                    events.append(
                        {
                            "id": event_id,
                            "audit_id": audit_id,
                            "action": action,
                            "at": _at(decided + timedelta(days=days), 9),
                            "comment": "",
                            "data": {},
                        }
                    )
                    event_id += 1
            approved.append(sol0 + i)
            audit_id += 1
            decision_id += 1
        load.insert(t["audit"], audits)
        load.insert(t["decision"], decisions)
        load.insert(t["event"], events)

        # Teachers: academic emails, one in fifty without académie (imports may lack it).
        teacher0 = first["teacher"]

        def teacher_rows():
            for i in range(teachers):
                academy = academies[i % len(academies)]
                yield {
                    "id": teacher0 + i,
                    "email": f"prof{teacher0 + i}@ac-{academy}.fr",
                    "first_name": "Camille",
                    "last_name": f"Martin{teacher0 + i}",
                    "academy": academy if i % 50 else None,
                    "uai": _uai(750_000 + i),
                    "career_stage": CAREER_STAGES[i % len(CAREER_STAGES)],
                    "created_at": NOW,
                }

        load.insert(t["teacher"], teacher_rows())

        # Sessions on approved solutions, and their enrolments.
        session0, enrollment0 = first["session"], first["enrollment"]
        span = (LAST_DAY - FIRST_DAY).days
        per_session = [enrollments // sessions] * sessions
        for i in range(enrollments - sum(per_session)):
            per_session[i] += 1
        session_rows, links, enrollment_rows = [], [], []
        enrollment_id = enrollment0
        for s in range(sessions):
            session_id = session0 + s
            day = FIRST_DAY + timedelta(days=rng.randrange(span))
            starts_at, ends_at = _at(day, 8), _at(day, 11)
            wanted = min(per_session[s], teachers)
            capacity = max(1, round(wanted * rng.uniform(0.85, 1.15)))
            cancelled_session = s % 100 == 99
            past = starts_at < NOW
            registered = 0
            for k in range(wanted):
                teacher_id = teacher0 + (s * 7919 + k * 104_729) % teachers
                created = starts_at - timedelta(days=30, minutes=k)
                row = {
                    "id": enrollment_id,
                    "session_id": session_id,
                    "teacher_id": teacher_id,
                    "created_at": created,
                    "waitlisted_at": None,
                    "cancelled_at": None,
                    "attended": False,
                    "completed": False,
                    "completed_at": None,
                    "attendance_source": None,
                }
                if k % 20 == 7:
                    row.update(status="cancelled", cancelled_at=created + timedelta(days=3))
                elif registered < capacity:
                    registered += 1
                    row["status"] = "registered"
                    if past and not cancelled_session:
                        attended = rng.random() < 0.9
                        completed = attended and rng.random() < 0.91  # ~82 % completed
                        row.update(
                            attended=attended,
                            completed=completed,
                            completed_at=ends_at if completed else None,
                            attendance_source="import" if k % 2 else "page",
                        )
                else:
                    row.update(status="waitlisted", waitlisted_at=created)
                enrollment_rows.append(row)
                enrollment_id += 1
            session_rows.append(
                {
                    "id": session_id,
                    "reference": f"CANOPE-{day.year}-{session_id:05d}",
                    "title": f"Prendre en main la solution (session {session_id})",
                    "format": ("in_person", "remote", "hybrid")[s % 3],
                    "starts_at": starts_at,
                    "ends_at": ends_at,
                    "duration_hours": 3.0,
                    "capacity": capacity,
                    "registered_count": registered,
                    "academy": academies[s % len(academies)],
                    "location": "Atelier Canopé",
                    "in_paf": s % 3 == 0,
                    "status": "cancelled" if cancelled_session else "scheduled",
                    "created_at": starts_at - timedelta(days=60),
                }
            )
            for solution_id in rng.sample(approved, min(len(approved), rng.choice((1, 1, 2)))):
                links.append({"session_id": session_id, "solution_id": solution_id})
            if len(enrollment_rows) >= BATCH * 5:
                load.insert(t["session"], session_rows)
                load.insert(session_solution, links)
                load.insert(t["enrollment"], enrollment_rows)
                session_rows, links, enrollment_rows = [], [], []
        load.insert(t["session"], session_rows)
        load.insert(session_solution, links)
        load.insert(t["enrollment"], enrollment_rows)
        _verify_companies(load)
        load.fix_sequences()
    engine.dispose()
    return load.counts


VERIFIER = "bench-verifier@reseau-canope.fr"


def _verify_companies(load: _Loader) -> None:
    """A manager's verification of every French company without one: the 100,000 counter
    counts only trainings on solutions of verified French companies, so without these rows
    nobody would count as trained."""
    from accelerator.accounts.models import Organization, OrganizationVerification, User

    users, organizations = User.__table__, Organization.__table__
    verifications = OrganizationVerification.__table__
    connection = load.connection
    verifier = connection.scalar(select(users.c.id).where(users.c.email == VERIFIER))
    if verifier is None:
        verifier = load.next_id(users)
        load.insert(
            users,
            [
                {
                    "id": verifier,
                    "email": VERIFIER,
                    "full_name": "Vérification (banc)",
                    "role": "manager",
                    "password_hash": "!",  # cannot sign in
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
    unverified = connection.scalars(
        select(organizations.c.id)
        .where(organizations.c.country == "FR")
        .where(~organizations.c.id.in_(select(verifications.c.organization_id)))
        .order_by(organizations.c.id)
    ).all()
    first = load.next_id(verifications)
    load.insert(
        verifications,
        (
            {
                "id": first + i,
                "organization_id": organization_id,
                "method": "sirene",
                "comment": "",
                "verified_by_id": verifier,
                "verified_at": NOW,
            }
            for i, organization_id in enumerate(unverified)
        ),
    )


def verify_companies(engine_url: str) -> int:
    """Verify the French companies of a database seeded before ``seed`` did (idempotent);
    answers how many were verified now."""
    engine = create_engine(engine_url)
    with engine.begin() as connection:
        load = _Loader(connection)
        _verify_companies(load)
        load.fix_sequences()
        verified = load.counts.get("organization_verification", 0)
    engine.dispose()
    return verified


def app_for(engine_url: str):
    """The application on ``engine_url`` (testing configuration: mails kept in memory)."""
    from accelerator import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=engine_url, SQLALCHEMY_ENGINE_OPTIONS={})


def reset_database(engine_url: str) -> None:
    """An empty, migrated database (created on PostgreSQL when missing; on SQLite a new file)."""
    if engine_url.startswith("postgresql"):
        name = engine_url.rsplit("/", 1)[1]
        admin = create_engine(
            engine_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        engine = create_engine(engine_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    else:
        Path(engine_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    migrate(engine_url)


def migrate(engine_url: str) -> None:
    """Apply the migrations to ``engine_url`` (an empty database becomes the app's schema)."""
    from flask_migrate import upgrade

    with app_for(engine_url).app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from accelerator.extensions import db

        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine_url")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 300k/20k/1M")
    parser.add_argument("--migrate", action="store_true", help="run the migrations first")
    args = parser.parse_args()
    if args.migrate:
        migrate(args.engine_url)
    started = time.perf_counter()
    counts = seed(
        args.engine_url,
        teachers=int(300_000 * args.scale),
        sessions=max(1, int(20_000 * args.scale)),
        enrollments=int(1_000_000 * args.scale),
        companies=max(1, int(1_000 * args.scale)),
        solutions=max(1, int(10_000 * args.scale)),
    )
    seconds = time.perf_counter() - started
    for table, count in counts.items():
        print(f"{table:<28} {count:>10,}")
    print(f"seeded in {seconds:.1f} s ({sum(counts.values()) / seconds:,.0f} rows/s)")


if __name__ == "__main__":
    main()
