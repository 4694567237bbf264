"""The cadre de confiance as a document: a PDF with the brand, a cover and a table of
contents whose entries are the domains and criteria, and the public page as its accessible
equivalent (the same permissions: a draft is hidden from both)."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from accelerator.criteria import operations
from accelerator.criteria.exports import framework_pdf
from accelerator.extensions import db
from tests.criteria.helpers import yaml_text


@pytest.fixture
def published():
    version = operations.import_text(yaml_text(), publish=True)
    db.session.commit()
    return version


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page[^s]", pdf))


def test_cover_and_contents_come_before_the_criteria(app, published):
    with app.test_request_context(), force_locale("fr"):
        pdf = framework_pdf(published)
    assert b"/Outlines" in pdf  # each domain and criterion is a bookmark
    # a cover page, one page of contents, then the criteria
    assert _pages(pdf) >= 3
    # the contents links to the headings it lists
    assert pdf.count(b"/Subtype /Link") >= sum(1 + len(d.criteria) for d in published.domains)
    assert b"/FontFile2" in pdf and b"/Helvetica" not in pdf
    assert b"/Lang (fr)" in pdf


def test_the_page_is_the_accessible_version_of_the_pdf(client, published):
    html = client.get("/cadre-de-confiance").get_data(as_text=True)
    assert f"/cadre-de-confiance/versions/{published.id}.pdf" in html
    assert "version accessible du PDF" in html
    # same permissions: whoever reads one reads the other
    assert client.get(f"/cadre-de-confiance/versions/{published.id}").status_code == 200
    assert client.get(f"/cadre-de-confiance/versions/{published.id}.pdf").status_code == 200


def test_weights_are_written_in_french_on_the_page(client):
    text = yaml_text().replace("weight: 2", "weight: 1.5", 1)
    operations.import_text(text, publish=True)
    db.session.commit()
    html = client.get("/cadre-de-confiance").get_data(as_text=True)
    assert "1,5" in html and "1.5" not in html
