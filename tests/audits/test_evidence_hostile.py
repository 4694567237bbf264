"""Hostile evidence files: zip bombs refused in constant memory, text that is not a CSV.

A DOCX or ODT is a ZIP archive; its check reads only the few bytes that name the type, and
refuses, before inflating anything, an archive with more entries, larger entries or a higher
compression ratio than any office document. Memory is measured with tracemalloc (the peak
of Python allocations during the check), never with a clock.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from accelerator.audits import storage
from accelerator.audits.models import Evidence
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db

MIB = 1024 * 1024
TYPES_XML = (
    b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" ContentType="'
    + storage._DOCX_MAIN_PART.encode()
    + b'"/></Types>'
)
#: peak Python memory a check may use, whatever the archive inflates to
MEMORY_BOUND = 8 * MIB


def _write_zip(path: Path, entries: dict[str, tuple[bytes, int]]) -> Path:
    """A zip whose entries are ``prefix`` followed by ``n`` MiB of spaces, deflated as it is
    written (never held whole in memory)."""
    block = b" " * MIB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (prefix, mebibytes) in entries.items():
            with archive.open(name, "w", force_zip64=mebibytes > 1024) as entry:
                entry.write(prefix)
                for _ in range(mebibytes):
                    entry.write(block)
    return path


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bombs")
    many = folder / "many-entries.docx"
    with zipfile.ZipFile(many, "w") as archive:
        archive.writestr("[Content_Types].xml", TYPES_XML)
        for index in range(storage.MAX_ARCHIVE_ENTRIES + 1):
            archive.writestr(f"word/media/{index}.xml", b"")
    return {
        # the part the check reads inflates to 300 MiB (today read whole into memory)
        "types-xml-bomb": _write_zip(
            folder / "types.docx", {"[Content_Types].xml": (TYPES_XML, 300)}
        ),
        "mimetype-bomb": _write_zip(
            folder / "mimetype.odt",
            {"mimetype": (storage.ODT_MIMETYPE.encode(), 300), "content.xml": (b"<a/>", 0)},
        ),
        # a genuine-looking DOCX whose body is a bomb (a 1,000:1 ratio)
        "document-bomb": _write_zip(
            folder / "document.docx",
            {"[Content_Types].xml": (TYPES_XML, 0), "word/document.xml": (b"<w:document>", 60)},
        ),
        "huge-entry": _write_zip(
            folder / "huge.docx",
            {"[Content_Types].xml": (TYPES_XML, 0), "word/document.xml": (b"<w:document>", 120)},
        ),
        "many-entries": many,
    }


@pytest.mark.parametrize(
    "name", ["types-xml-bomb", "mimetype-bomb", "document-bomb", "huge-entry", "many-entries"]
)
def test_archive_bombs_are_refused_in_constant_memory(app, bombs, name):
    path = bombs[name]
    assert path.stat().st_size < 2 * MIB  # small files...
    tracemalloc.start()
    try:
        with pytest.raises(storage.UploadRefused) as refused:
            storage.detect_type(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refused.value.status == 415
    assert peak < MEMORY_BOUND, f"{peak / MIB:.1f} MiB"  # ...that inflate to far more


def test_a_bomb_uploaded_is_refused_and_nothing_is_stored(app, api, people, audit_in, bombs):
    audit = audit_in(AuditStatus.draft)
    response = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"file": (io.BytesIO(bombs["types-xml-bomb"].read_bytes()), "rapport.docx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert response.content_type == "application/problem+json"
    assert db.session.query(Evidence).count() == 0


def test_a_real_document_with_a_large_picture_is_accepted(tmp_path):
    import os

    path = tmp_path / "rapport.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", TYPES_XML)
        archive.writestr("word/document.xml", b"<w:document>" + b"<w:p/>" * 50_000)
        archive.writestr("word/media/image1.png", os.urandom(5 * MIB))  # does not compress
    assert storage.detect_type(path) == storage.DOCX_MIMETYPE


CSV_CASES = [
    # (content, accepted as CSV)
    (b"nom;prenom\nMartin;Zoe\nDurand;Luc\n", True),
    (b"a,b,c\n1,2,3\n", True),
    (b"col1\tcol2\nx\ty\n", True),
    (b'nom,commentaire\n"Martin","un, deux\ntrois"\nDurand,ok\n', True),  # quoted delimiter
    (b"nom;prenom\n", True),  # a header alone
    (b"nom;prenom\r\nMartin;Zoe\r\n\r\n", True),  # blank lines at the end
    (b'<!DOCTYPE html><html lang="fr"><body>a, b</body></html>\n', False),
    (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0,0,10,10"><script>x</script></svg>',
        False,
    ),
    (b"var a = 1, b = 2;\nfunction f(x, y) {\n  return [x, y];\n}\n", False),
    (b"a,b\n<script>alert(1)</script>,x\n", False),
    (b"nom;prenom;age\nMartin;Zoe\nDurand;Luc;40;x\n", False),  # inconsistent fields
    (b"Juste du texte, sans colonnes\nsur deux lignes.\n", False),
    (b"a;b\n\x0c;c\n", False),  # a control character
]


@pytest.mark.parametrize(("content", "accepted"), CSV_CASES)
def test_only_plausible_csv_text_is_evidence(tmp_path, content, accepted):
    path = tmp_path / "file"
    path.write_bytes(content)
    if accepted:
        assert storage.detect_type(path) == "text/csv"
    else:
        with pytest.raises(storage.UploadRefused):
            storage.detect_type(path)


def test_an_html_page_named_csv_is_refused_on_upload(app, api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    page = b"<html><body><a href='https://evil.example'>cliquez, ici</a></body></html>\n"
    response = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"file": (io.BytesIO(page), "export.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert db.session.query(Evidence).count() == 0


def _patched_zip(path: Path, *, flags: int = 0, method: int | None = None) -> Path:
    """A DOCX whose every entry says it is encrypted (``flags``) or compressed by
    ``method``, headers rewritten after a plain write (zipfile writes neither)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", TYPES_XML)
        archive.writestr("word/document.xml", b"<w:document/>")
    data = bytearray(buffer.getvalue())
    # local headers: flags at +6, method at +8; central directory: flags at +8, method at +10
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.find(signature)
        while start != -1:
            data[start + flags_at] |= flags
            if method is not None:
                data[start + flags_at + 2 : start + flags_at + 4] = method.to_bytes(2, "little")
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "damage", [{"flags": 0x1}, {"method": 98}], ids=["encrypted", "unknown-compression"]
)
def test_an_archive_no_office_document_could_be_is_refused(tmp_path, damage):
    """An encrypted entry (zipfile asks for a password) or an unknown compression method
    (PPMd) is not an office document: refused with the same message, not an error."""
    path = _patched_zip(tmp_path / "rapport.docx", **damage)
    with pytest.raises(storage.UploadRefused) as refused:
        storage.detect_type(path)
    assert refused.value.status == 415
