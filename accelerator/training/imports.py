"""Attendance imports: a CSV exported from a training platform such as M@gistère.

The format and the rules are those of README.md ("Training attendance imports"). The page, the
API and the CLI store the file and queue a job (``queue_attendance_import``); the worker runs
``import_attendance``, a set-based import in two steps:

1. Staging (idempotent): the file is streamed with the csv module (delimiter ``;`` or ``,``
   read from the header, UTF-8 with or without BOM, else Windows-1252); each line's own
   checks (email, yes/no values, académie, UAI, career stage) run in Python with caches, and
   the lines go to the ``import_line`` table in bulk (COPY on PostgreSQL, executemany on
   SQLite), by batches that each commit with the job's progress. A job run again after its
   worker died first deletes what it had staged.
2. Merge (one transaction): the checks that need the database (duplicates in the file,
   unknown, cancelled or future sessions, unknown non-academic teachers, places left) and
   the writes (new teachers, blanks of known profiles, enrolments with INSERT ... ON
   CONFLICT / UPDATE ... FROM, session counters) are SQL statements over the whole file.
   The sessions concerned are locked first (PostgreSQL; SQLite has one writer), so two
   imports into the same session are serialised and each one's report is exact. The job's
   result commits with the merge: a job marked done is an import wholly written, and a
   worker killed before leaves nothing of it in the domain tables.

Rules: a bad line is reported with its number (the header is line 1) and its reason, and the
good lines are imported. A teacher unknown so far is created from their academic email. A
line for a teacher not yet enrolled (or waitlisted, or cancelled) enrols them as registered
when the session has a place left (the file's first lines first), and is reported as
"session full" otherwise: capacity is never exceeded, even by an import. Importing the same
file again changes nothing.
"""

# ruff: noqa: S608  the merge's SQL is assembled from this module's constants (column names,
# error codes) only; every value from the file or the request is a bind parameter.
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
import tempfile
import unicodedata
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import IO

from flask import current_app
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, text

from accelerator.accounts.models import User
from accelerator.core.db import UTCDateTime, utcnow
from accelerator.core.errors import Forbidden, NotFound
from accelerator.core.jobs import Job, enqueue_job, report_progress
from accelerator.core.reference import ACADEMIES, CAREER_STAGES
from accelerator.core.textfiles import bounded_blocks, looks_like_csv_file, read_header
from accelerator.core.validators import is_valid_uai, normalize_uai
from accelerator.extensions import db
from accelerator.training.models import ImportLine, runs_sessions
from accelerator.training.operations.enrolments import is_valid_email
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

#: Bad lines reported before the import stops reading (the lines read so far are imported).
MAX_REPORTED_ERRORS = 1000
HEADER_TOO_LONG = _l(
    "The first line (the header) is longer than 8,192 characters: this is not an attendance "
    "file. Expected: email;nom;prenom;academie;uai;situation;session;present;termine."
)
LINE_TOO_LONG = _l("This line is longer than 8,192 characters: it was skipped.")

SOURCE = "import"
KIND = "attendance_import"

#: The template offered on the import page: the columns by their French names, and a line.
TEMPLATE_COLUMNS = (
    "email",
    "nom",
    "prenom",
    "academie",
    "uai",
    "situation",
    "session",
    "present",
    "termine",
)
TEMPLATE_EXAMPLE = (
    "helene.dupre@ac-creteil.fr",
    "Dupré",
    "Hélène",
    "Créteil",
    "0930001W",
    "néotitulaire",
    "CANOPE-2026-0042",
    "oui",
    "oui",
)


def template_csv() -> bytes:
    """The template file: UTF-8 with a BOM (Excel reads the accents), ``;``, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return out.getvalue().encode("utf-8-sig")


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

    def error(self, line: int, messages: list[str]) -> None:
        """A refused line and every reason why (``message``: them all, one after another)."""
        self.errors.append({"line": line, "message": " ".join(messages), "messages": messages})

    def as_dict(self) -> dict:
        return {
            "imported": self.imported,
            "unchanged": self.unchanged,
            "errors": sorted(self.errors, key=lambda error: error["line"]),
        }


def detect_encoding(stream: IO[bytes]) -> tuple[str, int]:
    """UTF-8 (a BOM is dropped) when the whole file decodes as such, else Windows-1252; and
    the number of lines (the progress bar's total).

    Reads the stream once in blocks, then rewinds it.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    encoding = "utf-8-sig"
    lines = 0
    last = b""
    while block := stream.read(1 << 16):
        lines += block.count(b"\n")
        last = block
        if encoding == "utf-8-sig":
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                encoding = "cp1252"
    if encoding == "utf-8-sig":
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            encoding = "cp1252"
    if last and not last.endswith(b"\n"):
        lines += 1
    stream.seek(0)
    return encoding, lines


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


def _columns(header: list[str], report: ImportReport) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        target = HEADER_ALIASES.get(_plain(name).lstrip("\ufeff"))
        if target is not None and target not in columns:
            columns[target] = index
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        message = gettext(
            "Header: missing columns %(columns)s. Expected: "
            "email;nom;prenom;academie;uai;situation;session;present;termine.",
            columns=", ".join(missing),
        )
        report.error(1, [message])
        return None
    return columns


#: The fields of a line, in the order ``_parse`` reads them from the header's positions.
_FIELDS = (
    "email",
    "session_reference",
    "present",
    "completed",
    "last_name",
    "first_name",
    "academy",
    "uai",
    "career_stage",
)
_YES_NO = {**dict.fromkeys(YES, True), **dict.fromkeys(NO, False)}


_UAI_CACHE: dict[str, str | None] = {}
_MISSING = object()


def _uai(value: str) -> str | None:
    """The UAI in its stored form, None when invalid (a school's UAI repeats in a file)."""
    uai = _UAI_CACHE.get(value, _MISSING)
    if uai is _MISSING:
        uai = normalize_uai(value)
        uai = uai if is_valid_uai(uai) else None
        if len(_UAI_CACHE) >= 65536:
            _UAI_CACHE.clear()
        _UAI_CACHE[value] = uai
    return uai


#: an academic domain at the end of a valid address (``is_academic_email``'s rule on the
#: domain, read on the whole address: a valid one has a single ``@``)
_ACADEMIC = re.compile(r"[@.](?:ac-[a-z-]+\.fr|education\.gouv\.fr)$")


def check_email(email: str) -> tuple[bool, bool]:
    """Whether a lower-cased address is valid, and academic (as ``is_valid_email`` and
    ``is_academic_email`` of ``operations.enrolments`` judge, in one call)."""
    if not is_valid_email(email):
        return False, False
    return True, _ACADEMIC.search(email) is not None


def _reader_of(columns: dict[str, int]):
    """The header's width and a function reading a row's cells in ``_FIELDS`` order at C
    speed (the columns absent from the header read an empty cell put after the row's)."""
    width = max(columns.values()) + 1
    return width, itemgetter(*(columns.get(name, width) for name in _FIELDS))


def _parse(row: list[str], width: int, picks) -> tuple[tuple, list[str] | None]:
    """The line's staged values (None where a value is bad) and every reason why it is bad
    by itself, or None when it has none.

    Called once per line: cells are read at once, and the few distinct values of the coded
    columns are looked up in caches."""
    if len(row) < width:
        message = gettext(
            "%(found)s columns instead of %(expected)s: check the separator.",
            found=len(row),
            expected=width,
        )
        return _EMPTY_VALUES, [message]
    cells = row[:width]
    cells.append("")
    email_raw, reference, present_raw, completed_raw, last, first, academy_raw, uai_raw, stage = (
        picks(cells)
    )
    errors = []
    email = email_raw.strip().lower()
    valid, academic = check_email(email)
    if not valid:
        errors.append(gettext("Invalid email address: “%(value)s”.", value=email_raw.strip()))
        email = academic = None
    reference = reference.strip().upper()[:100] or None
    if reference is None:
        errors.append(gettext("The session reference is missing."))
    present = _YES_NO.get(present_raw.strip().lower())
    if present is None:
        errors.append(_not_yes_no("present", present_raw))
    completed = _YES_NO.get(completed_raw.strip().lower())
    if completed is None:
        errors.append(_not_yes_no("termine", completed_raw))
    elif completed and present is False:
        errors.append(gettext("Marked as completed but not present."))
    academy = academy_raw and academy_code(academy_raw)
    if academy is None:
        errors.append(gettext("Unknown académie: “%(value)s”.", value=academy_raw.strip()))
    uai = uai_raw and _uai(uai_raw)
    if uai is None:
        errors.append(
            gettext(
                "Invalid UAI “%(value)s”: 7 digits followed by the check letter.",
                value=uai_raw.strip(),
            )
        )
    career_stage = stage and career_stage_code(stage)
    if career_stage is None:
        errors.append(
            gettext(
                "Unknown career stage “%(value)s”: stagiaire, neotitulaire, titulaire or "
                "contractuel.",
                value=stage.strip(),
            )
        )
    values = (
        email,
        reference,
        present,
        completed,
        last.strip()[:100] or None,
        first.strip()[:100] or None,
        academy or None,
        uai or None,
        career_stage or None,
        academic,
    )
    return values, errors or None


def _not_yes_no(column: str, raw: str) -> str:
    return gettext(
        "Column %(column)s: “%(value)s” is not a yes/no value (oui/non, o/n, 1/0, "
        "vrai/faux, x or empty).",
        column=column,
        value=raw.strip(),
    )


# --- queueing -------------------------------------------------------------------------


def store_upload(stream: IO[bytes]) -> tuple[str, str]:
    """Keep an uploaded file under UPLOAD_DIR/imports, named by its SHA-256 (the same file
    is kept once); returns its path relative to UPLOAD_DIR and its digest."""
    folder = os.path.join(current_app.config["UPLOAD_DIR"], "imports")
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=folder, delete=False) as scratch:
        while block := stream.read(1 << 16):
            digest.update(block)
            scratch.write(block)
    name = f"{digest.hexdigest()}.csv"
    os.replace(scratch.name, os.path.join(folder, name))
    return f"imports/{name}", digest.hexdigest()


def queue_attendance_import(actor: User | None, stream: IO[bytes], send: bool = True) -> Job:
    """Store the file and queue its import (run by the worker once the request commits;
    with ``send`` false, by the caller).

    The same file sent again by the same person while its import is queued or running is
    that job: it does not run twice."""
    if not runs_sessions(actor):
        raise Forbidden(gettext("Only trainers and managers import attendance."))
    path, digest = store_upload(stream)
    locale = get_locale()
    key = hashlib.sha256(f"{KIND}:{actor.id}:{digest}".encode()).hexdigest()
    return enqueue_job(
        actor,
        KIND,
        {"path": path, "locale": locale.language if locale else "fr"},
        dedupe_key=key,
        send=send,
    )


def run_import_job(job: Job) -> dict:
    """The job's handler: import the stored file as its owner."""
    actor = db.session.get(User, job.owner_id) if job.owner_id else None
    path = os.path.join(current_app.config["UPLOAD_DIR"], job.params["path"])
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise NotFound(gettext("The imported file is no longer stored.")) from None
    from accelerator.training.schemas import ImportReportOut

    with stream:
        return ImportReportOut().dump(import_attendance(actor, stream, job=job).as_dict())


# --- the import -----------------------------------------------------------------------


def import_attendance(
    actor: User | None, stream: IO[bytes], job: Job | None = None
) -> ImportReport:
    """Import an attendance CSV; returns the counts and every bad line with its reasons.

    With ``job``, staging commits by batches (with the job's progress) and the merge is left
    for the caller to commit with the job's result; without, nothing is committed."""
    if not runs_sessions(actor):
        raise Forbidden(gettext("Only trainers and managers import attendance."))
    report = ImportReport()
    batch = f"job-{job.id}" if job is not None else uuid.uuid4().hex
    encoding, total = detect_encoding(stream)
    text_stream = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        header_line = read_header(text_stream)
        if header_line is None:
            report.error(1, [str(HEADER_TOO_LONG)])
            return report
        delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
        stager = _Stager(batch, job, total)
        blocks = bounded_blocks(text_stream, 2, stager.too_long)
        lines = itertools.chain([header_line], itertools.chain.from_iterable(blocks))
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error:
            header = None
        columns = _columns(header or [], report)
        if columns is None:
            return report
        stager.stage(reader, columns)
    finally:
        text_stream.detach()  # leave the caller's stream open
    _Merger(batch).merge(report)
    db.session.expire_all()
    return report


STAGED_COLUMNS = (
    "batch",
    "line",
    "email",
    "reference",
    "present",
    "completed",
    "last_name",
    "first_name",
    "academy",
    "uai",
    "career_stage",
    "academic",
    "detail",
)
_EMPTY_VALUES = (None,) * 10


class _Stager:
    """Writes the file's lines to ``import_line`` in bulk, by batches."""

    def __init__(self, batch: str, job: Job | None, total: int):
        self.batch = batch
        self.job = job
        self.total = total
        self.size = current_app.config["IMPORT_BATCH_LINES"]
        self.postgresql = db.session.get_bind().dialect.name == "postgresql"
        #: lines waiting to be written, and lines refused so far
        self.rows: list[tuple] = []
        self.refused = 0
        #: numbers of the lines refused as too long (never staged a second time)
        self.too_long_lines: set[int] = set()

    def refuse(self, number: int, message: str) -> None:
        self.rows.append((self.batch, number, *_EMPTY_VALUES, message))
        self.refused += 1

    def too_long(self, number: int) -> None:
        """A line beyond the bound: refused with its number (the reader sees a blank)."""
        self.refuse(number, str(LINE_TOO_LONG))
        self.too_long_lines.add(number)

    def stage(self, reader, columns: dict[str, int]) -> None:
        # A run after a worker died starts again from nothing.
        db.session.execute(
            ImportLine.__table__.delete().where(ImportLine.__table__.c.batch == self.batch)
        )
        width, picks = _reader_of(columns)
        rows = self.rows
        batch = self.batch
        too_long_lines = self.too_long_lines
        while True:
            if self.refused >= MAX_REPORTED_ERRORS:
                # A file this wrong is not the attendance export: stop reading it.
                message = gettext(
                    "Import stopped at line %(line)s: more than 1,000 bad lines. The lines "
                    "before were imported; check the file (separator, columns) and import it "
                    "again.",
                    line=reader.line_num,
                )
                self.refuse(reader.line_num + 1, message)
                break
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if reader.line_num not in too_long_lines:
                    self.refuse(
                        reader.line_num, gettext("Unreadable line: %(error)s", error=str(error))
                    )
                continue
            number = reader.line_num
            if number in too_long_lines:
                continue  # a quoted field ended on the skipped line: already refused
            values, errors = _parse(row, width, picks)
            if errors is None:
                rows.append((batch, number, *values, None))
            elif any(cell.strip() for cell in row):
                rows.append((batch, number, *values, "\n".join(errors)))
                self.refused += 1
            # else: blank lines (often at the end of an export) are not errors
            if len(rows) >= self.size:
                self._write(rows, number)
                rows.clear()
        self._write(rows, self.total)
        if self.postgresql:
            # The planner learns the staged rows' number and values: without it, the merge's
            # joins over a table it believes empty run as nested loops (minutes, not seconds).
            db.session.execute(text("ANALYZE import_line (batch, line, email, reference)"))

    def _write(self, rows: list[tuple], done: int) -> None:
        if rows:
            if self.postgresql:
                cursor = db.session.connection().connection.driver_connection.cursor()
                names = ", ".join(STAGED_COLUMNS)
                with cursor.copy(f"COPY import_line ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(STAGED_COLUMNS))
                db.session.connection().exec_driver_sql(
                    f"INSERT INTO import_line ({', '.join(STAGED_COLUMNS)}) VALUES ({marks})",
                    rows,
                )
        if self.job is not None:
            report_progress(self.job, min(done, self.total), self.total, commit=True)


#: the checks made in SQL, by the letter ``import_line.error`` collects for each one failed
#: (in this order in the report; their messages: ``_message``)
DUPLICATE = "D"
UNKNOWN_SESSION = "U"
CANCELLED = "C"
NOT_STARTED = "S"
NOT_ACADEMIC = "A"
FULL = "F"
_CODES = (DUPLICATE, UNKNOWN_SESSION, CANCELLED, NOT_STARTED, NOT_ACADEMIC, FULL)
#: a line of this import that passed every check (``t``: import_line's name in the statement)
GOOD = "{t}.batch = :batch AND {t}.detail IS NULL AND {t}.error IS NULL"
#: the actions that take a place: an enrolment not registered, or a new one
PLACES = "'place', 'enrol'"


def _message(code: str, first_line: int | None, reference: str | None, email: str | None):
    if code == DUPLICATE:
        return gettext("This teacher and session already appear on line %(line)s.", line=first_line)
    if code == UNKNOWN_SESSION:
        return gettext("Unknown session reference: “%(ref)s”.", ref=reference)
    if code == CANCELLED:
        return gettext("Session %(ref)s is cancelled.", ref=reference)
    if code == NOT_STARTED:
        return gettext(
            "Session %(ref)s has not started yet: attendance cannot be recorded.", ref=reference
        )
    if code == NOT_ACADEMIC:
        return gettext(
            "Unknown teacher whose email “%(email)s” is not an academic "
            "address (such as prenom.nom@ac-paris.fr).",
            email=email,
        )
    return gettext("Session %(ref)s is full: no place left to enrol this teacher.", ref=reference)


_PROFILE_FIELDS = ("first_name", "last_name", "academy", "uai", "career_stage")


class _Merger:
    """Checks the staged lines against the database and writes them, in SQL."""

    def __init__(self, batch: str):
        self.batch = batch
        self.now = utcnow()
        self.postgresql = db.session.get_bind().dialect.name == "postgresql"

    def run(self, sql: str, **params) -> None:
        statement = text(sql)
        values = {"batch": self.batch, **params}
        for name, value in params.items():
            if isinstance(value, list):  # IN :name
                statement = statement.bindparams(bindparam(name, expanding=True))
        if ":now" in sql:
            statement = statement.bindparams(bindparam("now", type_=UTCDateTime()))
            values["now"] = self.now
        db.session.execute(statement, values)

    def _first(self, name: str) -> str:
        """The value of ``name`` on the first line giving one (per group): the minimum of
        the line number, padded, followed by the value."""
        if self.postgresql:
            packed = f"lpad(CAST(line AS TEXT), 10, '0') || {name}"
        else:
            packed = f"printf('%010d', line) || {name}"
        return f"substr(MIN({packed}), 11)"

    def merge(self, report: ImportReport) -> None:
        if self.postgresql:
            # The merge's sorts and hashes (a whole file's lines) stay in memory.
            db.session.execute(text("SET LOCAL work_mem = '64MB'"))
            # Two imports into one session take turns from here: what each reads next is
            # what the other committed, so both reports are exact.
            self.run(
                """SELECT id FROM training_session WHERE reference IN (
                    SELECT DISTINCT reference FROM import_line
                    WHERE batch = :batch AND reference IS NOT NULL)
                ORDER BY id FOR UPDATE"""
            )
        # (On SQLite this write is the transaction's first statement: it takes the write
        # lock before any read.)
        self._check()
        self._teachers()
        self._enrolments()
        self._report(report)
        db.session.execute(
            ImportLine.__table__.delete().where(ImportLine.__table__.c.batch == self.batch)
        )

    def _check(self) -> None:
        """Every check needing the database, for every line, in three statements: each
        line's session, teacher and enrolment are looked up once (a failed check is a letter
        in ``error``, the line's ``action`` is same, update, place or enrol); then the
        duplicates; then the places, given in the file's order.

        A line needing a new enrolment gets its id now (PostgreSQL: from the enrolments'
        sequence, a refused line leaving a gap in it; SQLite: after the largest, as SQLite
        would number them, under the write lock this statement takes): the listeners of the
        merge find the changed enrolments on their lines without writing every line again."""
        blanks = " OR ".join(
            f"(t.{name} IS NULL AND l.{name} IS NOT NULL)" for name in _PROFILE_FIELDS
        )
        if self.postgresql:
            sequence = db.session.scalar(text("SELECT pg_get_serial_sequence('enrollment', 'id')"))
            drawn = f"nextval('{sequence}')"
        else:
            drawn = """(SELECT COALESCE(MAX(id), 0) FROM enrollment)
                + ROW_NUMBER() OVER (PARTITION BY e.id IS NULL ORDER BY l.line)"""
        new_id = f"CASE WHEN e.id IS NULL THEN {drawn} ELSE e.id END"
        letters = " || ".join(
            f"CASE WHEN {condition} THEN '{code}' ELSE '' END"
            for condition, code in (
                ("l.reference IS NOT NULL AND s.id IS NULL", UNKNOWN_SESSION),
                ("s.status = 'cancelled'", CANCELLED),
                ("l.present AND s.starts_at > :now", NOT_STARTED),
                ("l.email IS NOT NULL AND t.id IS NULL AND NOT l.academic", NOT_ACADEMIC),
            )
        )
        self.run(
            f"""UPDATE import_line SET session_id = c.session_id, teacher_id = c.teacher_id,
                enrollment_id = c.enrollment_id, action = c.action,
                error = NULLIF(c.letters, ''), filled = c.fills = 1
            FROM (SELECT l.line, s.id AS session_id, t.id AS teacher_id,
                    {new_id} AS enrollment_id, {letters} AS letters,
                    CASE WHEN e.id IS NULL THEN 'enrol'
                         WHEN e.status <> 'registered' THEN 'place'
                         WHEN e.attended = l.present AND e.completed = l.completed THEN 'same'
                         ELSE 'update' END AS action,
                    CASE WHEN t.id IS NOT NULL AND ({blanks}) THEN 1 ELSE 0 END AS fills
                FROM import_line AS l
                LEFT JOIN training_session AS s ON s.reference = l.reference
                LEFT JOIN teacher_profile AS t ON t.email = l.email
                LEFT JOIN enrollment AS e ON e.session_id = s.id AND e.teacher_id = t.id
                WHERE l.batch = :batch) AS c
            WHERE import_line.batch = :batch AND import_line.line = c.line"""
        )
        if self.postgresql:
            # The planner learns the lines' sessions, teachers and actions, which the next
            # statements group and join on (else nested loops over the whole file).
            db.session.execute(
                text("ANALYZE import_line (session_id, teacher_id, action, error, detail)")
            )
        # The same teacher and session again: the first line without faults of its own counts.
        self.run(
            f"""UPDATE import_line SET error = COALESCE(error, '') || '{DUPLICATE}',
                first_line = d.first
            FROM (SELECT email, reference, MIN(CASE WHEN detail IS NULL THEN line END) AS first
                  FROM import_line WHERE batch = :batch AND email IS NOT NULL
                    AND reference IS NOT NULL
                  GROUP BY email, reference HAVING COUNT(*) > 1) AS d
            WHERE import_line.batch = :batch AND import_line.email = d.email
              AND import_line.reference = d.reference AND import_line.line > d.first"""
        )
        # Places: a line needing one in an open session is "full" when the good lines before
        # it took those left (a refused line takes none). Only the sessions where the good
        # lines take every place left are ranked (usually none).
        tight = db.session.scalars(
            text(
                f"""SELECT g.session_id FROM (
                    SELECT l.session_id,
                        SUM(CASE WHEN {GOOD.format(t="l")} THEN 1 ELSE 0 END) AS good
                    FROM import_line AS l WHERE l.batch = :batch AND l.action IN ({PLACES})
                      AND l.session_id IS NOT NULL
                    GROUP BY l.session_id) AS g
                JOIN training_session AS s ON s.id = g.session_id
                WHERE g.good >= s.capacity - s.registered_count"""
            ),
            {"batch": self.batch},
        ).all()
        for start in range(0, len(tight), 500):
            self.run(
                f"""UPDATE import_line SET error = COALESCE(error, '') || '{FULL}'
                FROM (SELECT l.line, s.capacity - s.registered_count AS free,
                        COALESCE(SUM(CASE WHEN {GOOD.format(t="l")} THEN 1 ELSE 0 END) OVER (
                            PARTITION BY l.session_id ORDER BY l.line
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS taken
                      FROM import_line AS l JOIN training_session AS s ON s.id = l.session_id
                      WHERE l.batch = :batch AND l.action IN ({PLACES}) AND l.email IS NOT NULL
                        AND s.status <> 'cancelled'
                        AND (l.error IS NULL OR l.error NOT LIKE '%{DUPLICATE}%')
                        AND l.session_id IN :sessions) AS r
                WHERE import_line.batch = :batch AND import_line.line = r.line
                  AND r.taken >= r.free""",
                sessions=tight[start : start + 500],
            )

    def _teachers(self) -> None:
        good = GOOD.format(t="import_line")
        names = ", ".join(_PROFILE_FIELDS)
        # New teachers: from the first of their lines, then (below) the blanks it leaves
        # from the next lines giving a value.
        if self.postgresql:
            firsts = f"""SELECT DISTINCT ON (email) email, {names}, :now FROM import_line
                WHERE {good} AND teacher_id IS NULL ORDER BY email, line"""
        else:
            # SQLite: the other columns of a MIN() aggregate come from the row of the minimum.
            firsts = f"""SELECT email, {names}, :now FROM (
                    SELECT email, {names}, MIN(line) FROM import_line
                    WHERE {good} AND teacher_id IS NULL GROUP BY email) WHERE true"""
        self.run(
            f"""INSERT INTO teacher_profile (email, {names}, created_at) {firsts}
            ON CONFLICT (email) DO NOTHING"""
        )
        self.run(
            f"""UPDATE import_line SET teacher_id = t.id, new_teacher = true
            FROM teacher_profile AS t
            WHERE {good} AND import_line.teacher_id IS NULL AND t.email = import_line.email"""
        )
        # Known teachers: only empty fields are filled (what a teacher entered is kept).
        firsts = ", ".join(f"{self._first(n)} AS {n}" for n in _PROFILE_FIELDS)
        fill = ", ".join(f"{n} = COALESCE(teacher_profile.{n}, v.{n})" for n in _PROFILE_FIELDS)
        self.run(
            f"""UPDATE teacher_profile SET {fill}
            FROM (SELECT teacher_id, {firsts} FROM import_line
                  WHERE {good} AND teacher_id IN (
                      SELECT teacher_id FROM import_line WHERE {good} AND filled
                      UNION ALL
                      SELECT teacher_id FROM import_line WHERE {good} AND new_teacher
                      GROUP BY teacher_id HAVING COUNT(*) > 1)
                  GROUP BY teacher_id) AS v
            WHERE teacher_profile.id = v.teacher_id"""
        )

    def _enrolments(self) -> None:
        self.run(
            f"""UPDATE training_session SET registered_count = registered_count + g.taken
            FROM (SELECT session_id, COUNT(*) AS taken FROM import_line
                  WHERE batch = :batch AND action IN ({PLACES})
                    AND {GOOD.format(t="import_line")}
                  GROUP BY session_id) AS g
            WHERE training_session.id = g.session_id"""
        )
        self.run(
            f"""UPDATE enrollment SET status = 'registered', waitlisted_at = NULL,
                cancelled_at = NULL, attended = l.present, completed = l.completed,
                completed_at = CASE WHEN NOT l.completed THEN NULL
                    WHEN enrollment.completed AND enrollment.completed_at IS NOT NULL
                    THEN enrollment.completed_at ELSE :now END,
                attendance_source = '{SOURCE}'
            FROM import_line AS l
            WHERE l.batch = :batch AND l.action IN ('update', 'place') AND {GOOD.format(t="l")}
              AND enrollment.id = l.enrollment_id"""
        )
        # New enrolments, with the ids their lines hold (``_check``), in the order of their
        # indexes (each index page written once).
        self.run(
            f"""INSERT INTO enrollment (id, session_id, teacher_id, status, created_at,
                attended, completed, completed_at, attendance_source)
            SELECT enrollment_id, session_id, teacher_id, 'registered', :now, present, completed,
                CASE WHEN completed THEN :now END, '{SOURCE}'
            FROM import_line WHERE batch = :batch AND action = 'enrol'
              AND {GOOD.format(t="import_line")}
            ORDER BY session_id, teacher_id
            ON CONFLICT (session_id, teacher_id) DO NOTHING"""
        )
        # Completions recorded by the file give (or withdraw) their attestations at once:
        # the listeners get the changed enrolments as a select, for set-based statements.
        lines = ImportLine.__table__.c
        changed = select(lines.enrollment_id).where(
            lines.batch == self.batch,
            lines.action.in_(["update", "place", "enrol"]),
            lines.detail.is_(None),
            lines.error.is_(None),
        )
        attendance_changed.send(None, enrollments=changed)

    def _report(self, report: ImportReport) -> None:
        good = GOOD.format(t="import_line")
        filled = f"SELECT teacher_id FROM import_line WHERE batch = :batch AND {good} AND filled"
        counts = db.session.execute(
            text(
                f"""SELECT
                    COUNT(CASE WHEN action IN ('update', 'place', 'enrol') OR new_teacher
                               OR teacher_id IN ({filled}) THEN 1 END),
                    COUNT(CASE WHEN action = 'same' AND NOT new_teacher
                               AND teacher_id NOT IN ({filled}) THEN 1 END)
                FROM import_line WHERE batch = :batch AND {good}"""
            ),
            {"batch": self.batch},
        ).one()
        report.imported += counts[0]
        report.unchanged += counts[1]
        refused = db.session.execute(
            text(
                "SELECT line, detail, error, first_line, reference, email FROM import_line "
                "WHERE batch = :batch AND (detail IS NOT NULL OR error IS NOT NULL) "
                "ORDER BY line"
            ),
            {"batch": self.batch},
        )
        for line, detail, codes, first_line, reference, email in refused:
            messages = detail.split("\n") if detail else []
            messages += [
                _message(code, first_line, reference, email)
                for code in _CODES
                if codes and code in codes
            ]
            report.error(line, messages)
