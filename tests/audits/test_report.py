"""The audit report: the PDF (brand, embedded font, metadata, numbers in the reader's
language, kept per state) and its accessible HTML page, with the same content for the same
readers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from accelerator.audits.report import build_report, report_content
from accelerator.audits.states import AuditStatus
from accelerator.extensions import db
from tests.audits.test_pages import sign_in

DECIMAL = {"fr": r"\d+,\d / 100", "en": r"\d+\.\d / 100"}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_scores_are_written_in_the_readers_language(app, audit_in, language):
    audit = audit_in(AuditStatus.approved, level=2)
    with app.test_request_context(), force_locale(language):
        content = report_content(audit)
    # the overall score with one decimal: "66,7" in French, "66.7" in English
    assert re.search(DECIMAL[language], content.overall), content.overall
    scored = [part.score_text for part in content.domains if part.score is not None]
    assert scored and all(re.fullmatch(DECIMAL[language], text) for text in scored)


def test_the_report_embeds_its_font_and_names_itself(app, audit_in):
    audit = audit_in(AuditStatus.approved, level=3)
    with app.test_request_context(), force_locale("fr"):
        pdf = build_report(audit)
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile2" in pdf and b"/Helvetica" not in pdf
    assert b"/Lang (fr)" in pdf and b"/Author (R" in pdf
    assert b"/Outlines" in pdf  # headings are bookmarks


def test_experts_stay_anonymous_and_every_criterion_is_listed(app, audit_in, people):
    audit = audit_in(AuditStatus.approved, level=3)
    with app.test_request_context(), force_locale("fr"):
        content = report_content(audit)
    lines = [line for part in content.domains for line in part.criteria]
    assert len(lines) == len(list(audit.framework_version.criteria()))
    texts = " ".join(" ".join(line.justifications) for line in lines)
    assert "Expert A" in texts and "Expert B" in texts
    assert all(expert.full_name not in texts for expert in people.experts)
    assert content.verification_code == audit.verification_code


def test_the_report_is_kept_per_state(app, client, audit_in, people):
    audit = audit_in(AuditStatus.approved, level=3)
    sign_in(client, people.manager)
    first = client.get(f"/audits/{audit.id}/rapport.pdf").data
    kept = list(Path(app.config["UPLOAD_DIR"]).glob("pdf/audit-report/*.pdf"))
    assert kept and any(path.read_bytes() == first for path in kept)
    assert client.get(f"/audits/{audit.id}/rapport.pdf").data == first


def test_the_html_version_says_what_the_pdf_says(client, audit_in, people):
    audit = audit_in(AuditStatus.approved, level=2)
    sign_in(client, people.company)
    page = client.get(f"/audits/{audit.id}")
    html = page.get_data(as_text=True)
    assert f"/audits/{audit.id}/rapport.pdf" in html
    assert f'/audits/{audit.id}/rapport"' in html and "version accessible (HTML)" in html

    response = client.get(f"/audits/{audit.id}/rapport")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    content = report_content(db.session.get(type(audit), audit.id))
    assert content.overall in text and content.recommendation in text
    for part in content.domains:
        assert part.name in text
        for line in part.criteria:
            assert line.code in text
    assert audit.verification_code in text
    assert content.signed_line in text and content.signatory[1] in text
    assert all(expert.full_name not in text for expert in people.experts)


def test_the_html_version_has_the_pdfs_permissions(client, audit_in, people):
    pending = audit_in(AuditStatus.in_review)
    decided = audit_in(AuditStatus.approved, level=3)
    # another company: neither exists
    sign_in(client, people.other_company)
    for audit in (pending, decided):
        assert client.get(f"/audits/{audit.id}/rapport").status_code == 404
        assert client.get(f"/audits/{audit.id}/rapport.pdf").status_code == 404
    # the company itself: before the decision, refused as the PDF is
    sign_in(client, people.company)
    assert client.get(f"/audits/{pending.id}/rapport").status_code == 403
    assert client.get(f"/audits/{pending.id}/rapport.pdf").status_code == 403
    assert client.get(f"/audits/{decided.id}/rapport").status_code == 200
    # an expert not assigned: the audit does not exist for them
    sign_in(client, people.other_expert)
    assert client.get(f"/audits/{decided.id}/rapport").status_code == 404
    # a teacher: not a reader of audits at all
    sign_in(client, people.teacher)
    assert client.get(f"/audits/{decided.id}/rapport").status_code == 403
