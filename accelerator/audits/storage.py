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
- CSV: text in UTF-8 (BOM allowed) or Windows-1252, without NUL bytes, and a plausible CSV:
  no markup, the same number of fields (two or more) on each of its first lines.

Archives (ODT, DOCX) are checked in constant memory: beyond MAX_ARCHIVE_ENTRIES entries,
MAX_ENTRY_BYTES for one entry, MAX_INFLATED_BYTES in all, or a compression ratio above
MAX_COMPRESSION_RATIO (a zip bomb's is about 1,000), the file is refused without inflating
anything; only the few bytes naming the type are inflated.
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
from accelerator.core.textfiles import looks_like_csv_file

#: largest accepted evidence file
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024

#: bounds of an office document's archive, far beyond any real ODT or DOCX of 20 MB
MAX_ARCHIVE_ENTRIES = 5000
MAX_DIRECTORY_BYTES = 2 * 1024 * 1024
MAX_ENTRY_BYTES = 100 * 1024 * 1024
MAX_INFLATED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
#: entries smaller than this may compress as much as they like (a blank XML part does)
_RATIO_FLOOR_BYTES = 1024 * 1024
#: the part of [Content_Types].xml read to find the main part's type
MAX_TYPES_XML_BYTES = 64 * 1024
_EOCD_SIZE = 22

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
    if _is_csv(path):
        return "text/csv"
    raise UploadRefused(415, FILE_TYPE_REFUSED)


def _office_type(path: Path) -> str:
    """ODT or DOCX, read in constant memory: the archive's directory is bounded before it is
    read, and only the one or two small entries that name the type are (partly) inflated."""
    try:
        with path.open("rb") as handle:
            _check_directory_bounds(handle)
            with zipfile.ZipFile(handle) as archive:
                entries = {info.filename: info for info in _bounded_infolist(archive)}
                # ODF puts an uncompressed "mimetype" entry first; its content names the type.
                mimetype = entries.get("mimetype")
                if mimetype is not None and _read_head(archive, mimetype, 256) == ODT_MIMETYPE:
                    return ODT_MIMETYPE
                types = entries.get("[Content_Types].xml")
                if types is not None and _DOCX_MAIN_PART in _read_head(
                    archive, types, MAX_TYPES_XML_BYTES
                ):
                    return DOCX_MIMETYPE
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError):
        pass
    raise UploadRefused(415, ZIP_NOT_DOCUMENT)


class _ArchiveOutOfBounds(ValueError):
    """The archive has more entries, or inflates to more, than any office document."""


class _NotAnOfficeEntry(ValueError):
    """An entry no office document has: encrypted, or compressed otherwise than stored or
    deflated (zipfile would ask for a password, or not know the method)."""


#: the compression methods of ODF and OOXML packages
_OFFICE_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _check_directory_bounds(handle: BinaryIO) -> None:
    """Refuse before ``zipfile`` builds its list of entries: the end-of-directory record
    (the last 22 bytes, or up to 64 KiB more with a comment) says how many there are."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - (_EOCD_SIZE + 0xFFFF)))
    tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        raise zipfile.BadZipFile("no end of central directory")
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    directory_size = int.from_bytes(tail[at + 12 : at + 16], "little")
    # 0xFFFF / 0xFFFFFFFF mean ZIP64 sizes: no office document of 20 MB needs them.
    if entries > MAX_ARCHIVE_ENTRIES or directory_size > MAX_DIRECTORY_BYTES:
        raise _ArchiveOutOfBounds("too many entries")
    handle.seek(0)


def _bounded_infolist(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries, refused beyond the bounds of count, sizes and compression ratio."""
    infos = archive.infolist()
    if len(infos) > MAX_ARCHIVE_ENTRIES:
        raise _ArchiveOutOfBounds("too many entries")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_ENTRY_BYTES or total > MAX_INFLATED_BYTES:
            raise _ArchiveOutOfBounds("inflates too much")
        if info.file_size > _RATIO_FLOOR_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise _ArchiveOutOfBounds("compression ratio of a bomb")
    return infos


def _read_head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> str:
    """At most ``limit`` bytes of an entry, inflated in bounded steps (never the whole entry)."""
    if info.flag_bits & 0x1 or info.compress_type not in _OFFICE_COMPRESSION:
        raise _NotAnOfficeEntry(info.filename)
    with archive.open(info) as entry:
        data = entry.read(limit)
    return data.decode("utf-8", errors="replace").strip()


def _is_csv(path: Path) -> bool:
    """A plausible CSV at its start (``core.textfiles``), and text throughout: UTF-8 or
    Windows-1252 without NUL bytes (decoded in steps, in constant memory)."""
    with path.open("rb") as handle:
        if not looks_like_csv_file(handle):
            return False
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    if b"\x00" in chunk:
                        return False
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return True
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
