"""Evidence uploads: checked by content, limited to 20 MB, deduplicated, stored once, and
downloaded as attachments by those who may see the audit."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from accelerator.audits import storage
from accelerator.audits.models import Evidence
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
CSV_UTF8 = "nom;prénom;académie\nMartin;Zoé;Créteil\n".encode()
CSV_CP1252 = "nom,prénom\nDupré,Hélène\n".encode("cp1252")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODT = _zip({"mimetype": storage.ODT_MIMETYPE.encode(), "content.xml": b"<office/>"})
DOCX = _zip(
    {
        "[Content_Types].xml": (
            b'<Types><Override PartName="/word/document.xml" ContentType="'
            + storage._DOCX_MAIN_PART.encode()
            + b'"/></Types>'
        ),
        "word/document.xml": b"<w:document/>",
    }
)
PLAIN_ZIP = _zip({"notes.txt": b"hello"})
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _upload(api, audit, user, data: bytes, name: str):
    return api.post(
        f"/audits/{audit.id}/evidence",
        user=user,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"]) / "evidence"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(autouse=True)
def _empty_upload_dir(app):
    for path in _stored_files(app):
        path.unlink()


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (PDF, "politique.pdf", "application/pdf"),
        (PNG, "capture.png", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (ODT, "registre.odt", storage.ODT_MIMETYPE),
        (DOCX, "contrat.docx", storage.DOCX_MIMETYPE),
        (CSV_UTF8, "export.csv", "text/csv"),
        (CSV_CP1252, "export-excel.csv", "text/csv"),
        # The name does not matter, the content does.
        (PDF, "sans-extension", "application/pdf"),
    ],
)
def test_accepted_types(app, api, people, audit_in, data, name, content_type):
    audit = audit_in(AuditStatus.draft)
    response = _upload(api, audit, people.company, data, name)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert (body["size"], body["filename"], body["content_type"]) == (
        len(data),
        name,
        content_type,
    )
    stored = storage.path_for(body["sha256"])
    assert stored.read_bytes() == data
    assert stored.name == body["sha256"]  # a generated name, never the company's
    assert Path(app.config["UPLOAD_DIR"]) in stored.parents


@pytest.mark.parametrize(
    ("data", "name", "status", "words"),
    [
        (EXE, "rapport.pdf", 415, "PDF, PNG, JPEG, ODT, DOCX"),
        (b"", "vide.pdf", 422, "vide"),
        (b"nom;age\x00\nA;1\n", "donnees.csv", 415, "PDF, PNG, JPEG, ODT, DOCX"),
        (PLAIN_ZIP, "document.docx", 415, "ODT"),
        (b"Juste du texte sans separateur\n", "notes.csv", 415, "PDF"),
        (b"%PDF-" + b"0" * (storage.MAX_EVIDENCE_BYTES - 4), "gros.pdf", 413, "20"),
    ],
    ids=["exe-as-pdf", "empty", "nul-in-csv", "zip-not-office", "text-no-delimiter", "too-big"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    app, api, people, audit_in, data, name, status, words
):
    audit = audit_in(AuditStatus.draft)
    response = _upload(api, audit, people.company, data, name)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    assert words in response.json["detail"]
    assert "file" in response.json["errors"]
    assert db.session.query(Evidence).count() == 0
    assert _stored_files(app) == []
    assert not [p for p in (Path(app.config["UPLOAD_DIR"]) / "evidence").rglob("upload-*")]


def test_exactly_20_mb_is_accepted(api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    data = b"%PDF-" + b"0" * (storage.MAX_EVIDENCE_BYTES - 5)
    assert _upload(api, audit, people.company, data, "limite.pdf").status_code == 201


def test_missing_file_field(api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    response = api.post(
        f"/audits/{audit.id}/evidence",
        user=people.company,
        data={"other": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.json["errors"]


def test_same_file_twice_is_kept_once(app, api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    first = _upload(api, audit, people.company, PDF, "a.pdf")
    second = _upload(api, audit, people.company, PDF, "b.pdf")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["id"] == first.json["id"]
    assert second.json["filename"] == "a.pdf"
    # Another audit citing the same bytes gets its own row but shares the stored file.
    other = audit_in(AuditStatus.draft)
    third = _upload(api, other, people.company, PDF, "c.pdf")
    assert third.status_code == 201 and third.json["id"] != first.json["id"]
    assert db.session.query(Evidence).count() == 2
    assert len(_stored_files(app)) == 1


def test_file_names_are_cleaned(api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    response = _upload(api, audit, people.company, PDF, "../../etc/Politique\x07 RGPD.pdf")
    assert response.json["filename"] == "Politique RGPD.pdf"


def test_uploads_only_while_the_company_edits(api, people, audit_in):
    audit = audit_in(AuditStatus.submitted)
    assert _upload(api, audit, people.company, PDF, "a.pdf").status_code == 409
    assert _upload(api, audit, people.manager, PDF, "a.pdf").status_code == 403


def test_download_as_attachment_for_those_who_see_the_audit(api, people, audit_in):
    audit = audit_in(AuditStatus.draft)
    evidence_id = _upload(api, audit, people.company, PDF, "Politique é.pdf").json["id"]
    from accelerator.audits.operations import apply_transition
    from tests.audits.test_states import _answer_all

    _answer_all(audit, people)
    apply_transition(people.company, audit, "submit")
    for expert in people.experts:
        from accelerator.audits.operations import assign_expert

        assign_expert(people.manager, audit, expert)
    db.session.commit()
    path = f"/audits/{audit.id}/evidence/{evidence_id}"
    for user in (people.company, people.manager, people.experts[0], people.admin):
        response = api.get(path, user=user)
        assert response.status_code == 200
        assert response.data == PDF
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    for user in (people.other_company, people.other_expert):
        assert api.get(path, user=user).status_code == 404
    assert api.get(path, user=people.teacher).status_code == 403
    assert api.get(f"/audits/{audit.id}/evidence/999999", user=people.company).status_code == 404
