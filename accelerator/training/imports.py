"""Attendance imports: a CSV exported from a training platform such as M@gistère.

The format is documented in README.md ("Training attendance imports"). The file is streamed
with the csv module (delimiter ``;`` or ``,`` read from the header, UTF-8 with or without BOM,
else Windows-1252); lines are checked one by one, then handled by chunks with a few bulk
queries each (teachers, sessions and enrolments looked up together, rows written with
executemany), so that 100,000 lines import in seconds.

Rules: a bad line is reported with its number (the header is line 1) and its reason, and the
good lines are imported. A teacher unknown so far is created from their academic email. A
line for a teacher not yet enrolled (or waitlisted, or cancelled) enrols them as registered
when the session has a place left, and is reported as "session full" otherwise: capacity is
never exceeded, even by an import. Importing the same file again changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import IO

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, insert, select, update

from accelerator.accounts.models import TeacherProfile, User
from accelerator.core.db import among, utcnow
from accelerator.core.errors import Forbidden
from accelerator.core.reference import ACADEMIES, CAREER_STAGES
from accelerator.core.textfiles import bounded_lines, looks_like_csv_file, read_header
from accelerator.core.validators import is_valid_uai, normalize_uai
from accelerator.extensions import db
from accelerator.training.models import (
    Enrollment,
    EnrollmentStatus,
    SessionStatus,
    TrainingSession,
    runs_sessions,
)
from accelerator.training.operations.enrolments import (
    is_academic_email,
    is_valid_email,
    normalize_email,
)
from accelerator.training.signals import attendance_changed

#: Column names accepted in the header (French and English), once accents, case and
#: separators are ignored, and the field each one fills.
HEADER_ALIASES = {
    "email": "email",
    "e_mail": "email",
    "courriel": "email",
    "mail": "email",
    "nom": "last_name",
    "last_name": "last_name",
    "prenom": "first_name",
    "first_name": "first_name",
    "academie": "academy",
    "academy": "academy",
    "uai": "uai",
    "situation": "career_stage",
    "career_stage": "career_stage",
    "session": "session_reference",
    "session_reference": "session_reference",
    "reference_session": "session_reference",
    "present": "present",
    "presente": "present",
    "attended": "present",
    "termine": "completed",
    "terminee": "completed",
    "completed": "completed",
}
REQUIRED_COLUMNS = ("email", "session_reference", "present", "completed")
OPTIONAL_COLUMNS = ("last_name", "first_name", "academy", "uai", "career_stage")

YES = frozenset({"oui", "o", "1", "vrai", "yes", "y", "x", "true"})
NO = frozenset({"non", "n", "0", "faux", "no", "", "false"})

#: Lines handled together: one round of bulk queries per chunk.
CHUNK_SIZE = 2000
#: Bad lines reported before the import stops (the lines read so far are imported).
MAX_REPORTED_ERRORS = 1000
HEADER_TOO_LONG = _l(
    "The first line (the header) is longer than 8,192 characters: this is not an attendance "
    "file. Expected: email;nom;prenom;academie;uai;situation;session;present;termine."
)
LINE_TOO_LONG = _l("This line is longer than 8,192 characters: it was skipped.")

SOURCE = "import"


def _plain(value: str) -> str:
    """Lower case, no accents, separators as ``_``: how names and codes are compared."""
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    text = "".join(char for char in decomposed if not unicodedata.combining(char))
    for separator in (" ", "-", "'", "’", "."):
        text = text.replace(separator, "_")
    return text


def _academy_lookup() -> dict[str, str]:
    lookup = {}
    for code, name in ACADEMIES.items():
        lookup[_plain(code)] = code
        lookup[_plain(name)] = code
        lookup[_plain("ac-" + code)] = code
    lookup["reunion"] = "la-reunion"
    return lookup


_ACADEMIES = _academy_lookup()
_CAREER_STAGES = {_plain(code).replace("_", ""): code for code in CAREER_STAGES}


@lru_cache(maxsize=1024)
def academy_code(value: str) -> str | None:
    """The académie's code from its code or its name (any case, with or without accents)."""
    return _ACADEMIES.get(_plain(value))


@lru_cache(maxsize=256)
def career_stage_code(value: str) -> str | None:
    return _CAREER_STAGES.get(_plain(value).replace("_", ""))


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append({"line": line, "message": message})

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "unchanged": self.unchanged,
            "errors": sorted(self.errors, key=lambda error: error["line"]),
        }


@dataclass
class Line:
    """One well-formed line, before the database is consulted."""

    number: int
    email: str
    reference: str
    present: bool
    completed: bool
    last_name: str | None
    first_name: str | None
    academy: str | None
    uai: str | None
    career_stage: str | None
    teacher_id: int | None = None
    session_id: int | None = None


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (a BOM is dropped) when the whole file decodes as such, else Windows-1252.

    Reads the stream once in blocks, then rewinds it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    try:
        while block := stream.read(1 << 16):
            decoder.decode(block)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    stream.seek(0)
    return encoding


def looks_like_csv(stream: IO[bytes]) -> bool:
    """Text without NUL bytes or markup, with a header of delimited fields (an HTML page, a
    PDF or a spreadsheet is not); the lines themselves are checked one by one."""
    return looks_like_csv_file(stream, consistent=False)


def parse_yes_no(value: str) -> bool | None:
    """French (and English) yes/no values; None when the value is neither."""
    plain = value.strip().lower()
    if plain in YES:
        return True
    if plain in NO:
        return False
    return None


def import_attendance(actor: User | None, stream: IO[bytes]) -> ImportReport:
    """Import an attendance CSV; returns the counts and every bad line with its reason."""
    if not runs_sessions(actor):
        raise Forbidden(gettext("Only trainers and managers import attendance."))
    report = ImportReport()
    encoding = detect_encoding(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        header_line = read_header(text)
        if header_line is None:
            report.error(1, str(HEADER_TOO_LONG))
            return report
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
        lines = bounded_lines(text, 2, lambda number: report.error(number, str(LINE_TOO_LONG)))
        reader = csv.reader(itertools.chain([header_line], lines), delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error:
            header = None
        columns = _columns(header or [], report)
        if columns is None:
            return report
        _import_rows(reader, columns, report)
    finally:
        text.detach()  # leave the caller's stream open
    db.session.expire_all()
    return report


def _columns(header: list[str], report: ImportReport) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        target = HEADER_ALIASES.get(_plain(name).lstrip("\ufeff"))
        if target is not None and target not in columns:
            columns[target] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        report.error(
            1,
            gettext(
                "Header: missing columns %(columns)s. Expected: "
                "email;nom;prenom;academie;uai;situation;session;present;termine.",
                columns=", ".join(missing),
            ),
        )
        return None
    return columns


def _import_rows(reader, columns: dict[str, int], report: ImportReport) -> None:
    importer = _ChunkImporter(report)
    seen: dict[tuple[str, str], int] = {}
    chunk: list[Line] = []
    width = max(columns.values()) + 1
    while True:
        if len(report.errors) >= MAX_REPORTED_ERRORS:
            # A file this wrong is not the attendance export: stop before the worker's timeout.
            report.error(
                reader.line_num,
                gettext(
                    "Import stopped at line %(line)s: more than 1,000 bad lines. The lines "
                    "before were imported; check the file (separator, columns) and import it "
                    "again.",
                    line=reader.line_num,
                ),
            )
            break
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.error(reader.line_num, gettext("Unreadable line: %(error)s", error=str(error)))
            continue
        number = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank lines (often at the end of an export) are not errors
        line = _parse(row, number, columns, width, report)
        if line is None:
            continue
        key = (line.email, line.reference)
        if key in seen:
            report.error(
                number,
                gettext(
                    "This teacher and session already appear on line %(line)s.", line=seen[key]
                ),
            )
            continue
        seen[key] = number
        chunk.append(line)
        if len(chunk) >= CHUNK_SIZE:
            importer.run(chunk)
            chunk = []
    if chunk:
        importer.run(chunk)


def _parse(
    row: list[str], number: int, columns: dict[str, int], width: int, report: ImportReport
) -> Line | None:
    """A Line, or None after reporting why the line is bad."""
    if len(row) < width:
        report.error(
            number,
            gettext(
                "%(found)s columns instead of %(expected)s: check the separator.",
                found=len(row),
                expected=width,
            ),
        )
        return None

    def cell(name: str) -> str:
        return row[columns[name]].strip() if name in columns else ""

    email = normalize_email(cell("email"))
    if not is_valid_email(email):
        report.error(number, gettext("Invalid email address: “%(value)s”.", value=cell("email")))
        return None
    reference = cell("session_reference").upper()
    if not reference:
        report.error(number, gettext("The session reference is missing."))
        return None
    present = parse_yes_no(cell("present"))
    completed = parse_yes_no(cell("completed"))
    for value, raw, column in (
        (present, cell("present"), "present"),
        (completed, cell("completed"), "termine"),
    ):
        if value is None:
            report.error(
                number,
                gettext(
                    "Column %(column)s: “%(value)s” is not a yes/no value (oui/non, o/n, 1/0, "
                    "vrai/faux, x or empty).",
                    column=column,
                    value=raw,
                ),
            )
            return None
    if completed and not present:
        report.error(number, gettext("Marked as completed but not present."))
        return None
    academy = None
    if cell("academy"):
        academy = academy_code(cell("academy"))
        if academy is None:
            report.error(number, gettext("Unknown académie: “%(value)s”.", value=cell("academy")))
            return None
    uai = None
    if cell("uai"):
        uai = normalize_uai(cell("uai"))
        if not is_valid_uai(uai):
            report.error(
                number,
                gettext(
                    "Invalid UAI “%(value)s”: 7 digits followed by the check letter.",
                    value=cell("uai"),
                ),
            )
            return None
    career_stage = None
    if cell("career_stage"):
        career_stage = career_stage_code(cell("career_stage"))
        if career_stage is None:
            report.error(
                number,
                gettext(
                    "Unknown career stage “%(value)s”: stagiaire, neotitulaire, titulaire or "
                    "contractuel.",
                    value=cell("career_stage"),
                ),
            )
            return None
    return Line(
        number=number,
        email=email,
        reference=reference,
        present=present,
        completed=completed,
        last_name=cell("last_name")[:100] or None,
        first_name=cell("first_name")[:100] or None,
        academy=academy,
        uai=uai,
        career_stage=career_stage,
    )


def _insert_ignoring_duplicates(table):
    """``INSERT ... ON CONFLICT DO NOTHING`` (a concurrent import may create the same row)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table).on_conflict_do_nothing()


_PROFILE_FIELDS = ("first_name", "last_name", "academy", "uai", "career_stage")


class _ChunkImporter:
    """Writes chunks of good lines; keeps the sessions it has looked up."""

    def __init__(self, report: ImportReport):
        self.report = report
        #: reference → (id, status, starts_at)
        self.sessions: dict[str, tuple[int, SessionStatus, datetime]] = {}
        self.now = utcnow()

    def run(self, lines: list[Line]) -> None:
        lines = self._match_sessions(lines)
        changed_teachers = self._match_teachers(lines)
        lines = [line for line in lines if line.teacher_id is not None]
        changed = self._write_enrollments(lines, changed_teachers)
        # Completions recorded by the file give (or withdraw) their attestations at once.
        attendance_changed.send(None, enrollment_ids=changed)

    def _error(self, line: Line, message: str) -> None:
        self.report.error(line.number, message)

    def _match_sessions(self, lines: list[Line]) -> list[Line]:
        wanted = {line.reference for line in lines} - self.sessions.keys()
        if wanted:
            # References are generated in upper case; the file's are upper-cased when read,
            # so the unique index on the reference answers.
            rows = db.session.execute(
                select(
                    TrainingSession.reference,
                    TrainingSession.id,
                    TrainingSession.status,
                    TrainingSession.starts_at,
                ).where(among(TrainingSession.reference, wanted))
            ).all()
            for reference, session_id, status, starts_at in rows:
                self.sessions[reference] = (session_id, status, starts_at)
        kept = []
        for line in lines:
            known = self.sessions.get(line.reference)
            if known is None:
                self._error(
                    line, gettext("Unknown session reference: “%(ref)s”.", ref=line.reference)
                )
            elif known[1] == SessionStatus.cancelled:
                self._error(line, gettext("Session %(ref)s is cancelled.", ref=line.reference))
            elif line.present and known[2] > self.now:
                self._error(
                    line,
                    gettext(
                        "Session %(ref)s has not started yet: attendance cannot be recorded.",
                        ref=line.reference,
                    ),
                )
            else:
                line.session_id = known[0]
                kept.append(line)
        return kept

    def _profiles(self, emails) -> dict[str, tuple]:
        table = TeacherProfile.__table__
        rows = db.session.execute(
            select(table.c.email, table.c.id, *(table.c[name] for name in _PROFILE_FIELDS)).where(
                among(table.c.email, emails)
            )
        ).all()
        return {row[0]: tuple(row[1:]) for row in rows}

    def _match_teachers(self, lines: list[Line]) -> set[int]:
        """Set ``teacher_id`` on each line, creating unknown teachers; fill in the blanks of
        known profiles. Returns the ids of the teachers whose profile changed."""
        if not lines:
            return set()
        emails = {line.email for line in lines}
        profiles = self._profiles(emails)
        new_rows: dict[str, dict] = {}
        fill_rows: dict[int, dict] = {}
        for line in lines:
            known = profiles.get(line.email)
            values = {name: getattr(line, name) for name in _PROFILE_FIELDS}
            if known is None:
                if not is_academic_email(line.email):
                    self._error(
                        line,
                        gettext(
                            "Unknown teacher whose email “%(email)s” is not an academic "
                            "address (such as prenom.nom@ac-paris.fr).",
                            email=line.email,
                        ),
                    )
                    continue
                row = new_rows.setdefault(
                    line.email,
                    {"email": line.email, "created_at": self.now, **dict.fromkeys(values)},
                )
                for name, value in values.items():
                    if row[name] is None:
                        row[name] = value
                continue
            teacher_id, current = known[0], dict(zip(_PROFILE_FIELDS, known[1:], strict=True))
            blanks = {
                name: value
                for name, value in values.items()
                if value is not None and current[name] is None
            }
            filled = fill_rows.setdefault(teacher_id, {}) if blanks else {}
            for name, value in blanks.items():
                filled.setdefault(name, value)  # the first line giving a value wins
        if new_rows:
            db.session.execute(
                _insert_ignoring_duplicates(TeacherProfile.__table__), list(new_rows.values())
            )
            profiles.update(self._profiles(set(new_rows)))
        self._fill_profiles(fill_rows)
        for line in lines:
            known = profiles.get(line.email)
            line.teacher_id = known[0] if known is not None else None
        return set(fill_rows) | {profiles[email][0] for email in new_rows if email in profiles}

    def _fill_profiles(self, fill_rows: dict[int, dict]) -> None:
        """Only empty fields are filled: a registered teacher's own answers are kept."""
        if not fill_rows:
            return
        table = TeacherProfile.__table__
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                {
                    name: func.coalesce(table.c[name], bindparam(f"b_{name}"))
                    for name in _PROFILE_FIELDS
                }
            )
        )
        db.session.execute(
            statement,
            [
                {"b_id": teacher_id, **{f"b_{n}": values.get(n) for n in _PROFILE_FIELDS}}
                for teacher_id, values in fill_rows.items()
            ],
        )

    def _write_enrollments(self, lines: list[Line], changed_teachers: set[int]) -> list[int]:
        """Write the chunk's enrolments; returns the ids of those whose attendance changed."""
        if not lines:
            return []
        table = Enrollment.__table__
        rows = db.session.execute(
            select(
                table.c.session_id,
                table.c.teacher_id,
                table.c.id,
                table.c.status,
                table.c.attended,
                table.c.completed,
                table.c.completed_at,
            )
            # By teacher only: the (teacher_id, completed) index finds a teacher's few
            # enrolments, where "session IN (...) AND teacher IN (...)" makes SQLite scan.
            .where(among(table.c.teacher_id, {line.teacher_id for line in lines}))
        ).all()
        existing = {(row[0], row[1]): row for row in rows}
        updates: list[dict] = []
        inserts: list[dict] = []
        needing_place: dict[int, list[Line]] = {}
        for line in lines:
            row = existing.get((line.session_id, line.teacher_id))
            if row is not None and row.status == EnrollmentStatus.registered:
                if row.attended == line.present and row.completed == line.completed:
                    if line.teacher_id in changed_teachers:
                        self.report.imported += 1
                    else:
                        self.report.unchanged += 1
                    continue
                updates.append(self._update_values(row, line))
                self.report.imported += 1
            else:
                needing_place.setdefault(line.session_id, []).append(line)
        grants = self._take_places({sid: len(lines) for sid, lines in needing_place.items()})
        for session_id, waiting in needing_place.items():
            granted = grants[session_id]
            for line in waiting[:granted]:
                row = existing.get((line.session_id, line.teacher_id))
                if row is None:
                    inserts.append(
                        {
                            "session_id": line.session_id,
                            "teacher_id": line.teacher_id,
                            "status": EnrollmentStatus.registered,
                            "created_at": self.now,
                            "attended": line.present,
                            "completed": line.completed,
                            "completed_at": self.now if line.completed else None,
                            "attendance_source": SOURCE,
                        }
                    )
                else:
                    updates.append(self._update_values(row, line))
                self.report.imported += 1
            for line in waiting[granted:]:
                self._error(
                    line,
                    gettext(
                        "Session %(ref)s is full: no place left to enrol this teacher.",
                        ref=line.reference,
                    ),
                )
        changed = [values["b_id"] for values in updates]
        if inserts:
            changed += db.session.scalars(insert(table).returning(table.c.id), inserts).all()
        if updates:
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(
                    status=EnrollmentStatus.registered,
                    waitlisted_at=None,
                    cancelled_at=None,
                    attended=bindparam("b_attended"),
                    completed=bindparam("b_completed"),
                    completed_at=bindparam("b_completed_at"),
                    attendance_source=SOURCE,
                ),
                updates,
            )
        return changed

    def _update_values(self, row, line: Line) -> dict:
        completed_at = None
        if line.completed:
            completed_at = row.completed_at if row.completed and row.completed_at else self.now
        return {
            "b_id": row.id,
            "b_attended": line.present,
            "b_completed": line.completed,
            "b_completed_at": completed_at,
        }

    def _take_places(self, wanted: dict[int, int]) -> dict[int, int]:
        """Places for each session (as many as wanted, or as are left): the session rows are
        locked in a fixed order (no deadlock between two imports), then updated at once."""
        if not wanted:
            return {}
        table = TrainingSession.__table__
        rows = db.session.execute(
            select(table.c.id, table.c.registered_count, table.c.capacity)
            .where(among(table.c.id, wanted))
            .order_by(table.c.id)
            .with_for_update()
        ).all()
        grants = {
            row.id: max(0, min(wanted[row.id], row.capacity - row.registered_count)) for row in rows
        }
        taken = [{"b_id": sid, "b_taken": n} for sid, n in grants.items() if n]
        if taken:
            db.session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(registered_count=table.c.registered_count + bindparam("b_taken")),
                taken,
            )
        return grants
