"""Evidence files on disk: checked by their content, content-addressed, written atomically.

Files live under ``UPLOAD_DIR/evidence/<aa>/<bb>/<sha256>`` (outside the web root, with
generated names): the same bytes are stored once whatever the audits that cite them. An
upload is first streamed to a temporary file in the same directory tree (hashing and
counting as it goes), checked, then renamed into place, so a reader never sees half a file
and a refused upload leaves nothing behind.

Accepted types, recognised by their bytes and never by their name:

- PDF (``%PDF-``), PNG (its 8-byte signature), JPEG (``FF D8 FF``);
- ODT: a ZIP archive whose ``mimetype`` entry says ``application/vnd.oasis.opendocument.text``;
- DOCX: a ZIP archive whose ``[Content_Types].xml`` declares a WordprocessingML main part;
- CSV: text in UTF-8 (BOM allowed) or Windows-1252, without NUL bytes, whose first line
  holds a delimiter (``;``, ``,``, tab or ``|``).
"""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from accelerator.core.errors import DomainError

#: largest accepted evidence file
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024

ODT_MIMETYPE = "application/vnd.oasis.opendocument.text"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCX_MAIN_PART = DOCX_MIMETYPE + ".main+xml"

#: detected MIME type → extension used for a file without a usable name
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    ODT_MIMETYPE: "odt",
    DOCX_MIMETYPE: "docx",
    "text/csv": "csv",
}

FILE_EMPTY = _l("The file is empty.")
FILE_TOO_LARGE = _l("The file is larger than 20 MB.")
FILE_TYPE_REFUSED = _l(
    "This file type is not accepted: send a PDF, PNG, JPEG, ODT, DOCX or CSV file "
    "(its content is checked, not its name)."
)
ZIP_NOT_DOCUMENT = _l(
    "This archive is not an ODT or DOCX document: send a PDF, PNG, JPEG, ODT, DOCX or CSV file."
)


class UploadRefused(DomainError):
    """The upload is refused; ``status`` is the HTTP answer (413, 415 or 422)."""

    def __init__(self, status: int, message):
        super().__init__(str(message), {"file": [str(message)]})
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    #: the temporary file; ``commit_file`` moves it into place (or drops it if present)
    temp_path: Path


def evidence_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "evidence"


def path_for(sha256: str) -> Path:
    """Where the file with this SHA-256 lives."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return evidence_root() / sha256[:2] / sha256[2:4] / sha256


def receive(stream: BinaryIO, limit: int = MAX_EVIDENCE_BYTES) -> StoredFile:
    """Stream an upload to a temporary file, hash it and check its type.

    Raises ``UploadRefused`` (and removes the temporary file) when it is empty, larger than
    ``limit`` or of a refused type.
    """
    temp_dir = evidence_root() / "tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, name = tempfile.mkstemp(dir=temp_dir, prefix="upload-")
    temp_path = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadRefused(413, FILE_TOO_LARGE)
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UploadRefused(422, FILE_EMPTY)
        content_type = detect_type(temp_path)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    return StoredFile(digest.hexdigest(), size, content_type, temp_path)


def commit_file(stored: StoredFile) -> Path:
    """Move a received file into its content-addressed place (atomic rename)."""
    target = path_for(stored.sha256)
    if target.exists():
        stored.temp_path.unlink(missing_ok=True)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(stored.temp_path, target)
    return target


def discard(stored: StoredFile) -> None:
    stored.temp_path.unlink(missing_ok=True)


def detect_type(path: Path) -> str:
    """The MIME type of the file at ``path``, from its bytes; ``UploadRefused`` (415) else."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _office_type(path)
    if _is_delimited_text(path):
        return "text/csv"
    raise UploadRefused(415, FILE_TYPE_REFUSED)


def _office_type(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            # ODF puts an uncompressed "mimetype" entry first; its content names the type.
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE.encode():
                return ODT_MIMETYPE
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml")
                if _DOCX_MAIN_PART.encode() in types:
                    return DOCX_MIMETYPE
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, KeyError):
        pass
    raise UploadRefused(415, ZIP_NOT_DOCUMENT)


def _is_delimited_text(path: Path) -> bool:
    """UTF-8 or Windows-1252 text, no NUL byte, and a delimiter on the first line."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        first_line = ""
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    if b"\x00" in chunk:
                        return False
                    text = decoder.decode(chunk)
                    if len(first_line) < 4096 and "\n" not in first_line:
                        first_line += text[: 4096 - len(first_line)]
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        first_line = first_line.split("\n", 1)[0]
        if any(unicodedata.category(c) == "Cc" and c not in "\t\r" for c in first_line):
            return False
        return any(delimiter in first_line for delimiter in ";,\t|")
    return False


def clean_filename(name: str | None, content_type: str) -> str:
    """The name the company gave, without any path, control characters or excess length."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    if not base:
        base = f"document.{EXTENSIONS.get(content_type, 'bin')}"
    if len(base) > 255:
        stem, dot, extension = base.rpartition(".")
        base = (stem[: 250 - len(extension)] + dot + extension) if dot else base[:255]
    return base


def attachment(evidence, path: Path):
    """The evidence file as a download that no browser renders or caches: an attachment,
    nosniff, and a sandboxing policy in case it is opened anyway."""
    from flask import send_file

    response = send_file(
        path,
        mimetype=evidence.content_type,
        as_attachment=True,
        download_name=evidence.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response
