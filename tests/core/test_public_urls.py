"""Every absolute URL the service hands out names its public address (PUBLIC_BASE_URL),
whatever ``Host`` header the request carried; production refuses unknown hosts."""

from __future__ import annotations

import re

import pytest

from accelerator import create_app
from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.factories import make_user

PUBLIC = "https://accelerateur.example"
EVIL = {"Host": "evil.example"}
#: ways of building a URL from the request's Host header
HOST_DERIVED = r"\b_external\s*=\s*True|request\.host_url|request\.url_root"


@pytest.fixture
def public_base(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC + "/")
    return PUBLIC


def _urls(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>&]+", text)


def test_the_reset_link_ignores_a_forged_host(client, outbox, public_base):
    make_user(Role.company, email="victime@exemple.fr")
    response = client.post(
        "/mot-de-passe-oublie", data={"email": "victime@exemple.fr"}, headers=EVIL
    )
    assert response.status_code == 302
    [mail] = outbox
    links = _urls(mail.get_content())
    assert links and all(link.startswith(f"{PUBLIC}/mot-de-passe/") for link in links)


def test_api_urls_ignore_a_forged_host(api, public_base):
    from accelerator.certification import operations as records
    from tests.certification.factories import approved_solution, enroll, make_session

    user = make_user(Role.teacher, email="camille@ac-paris.fr")
    records.issue_certificate(
        enroll(user.teacher, make_session([approved_solution(name="Lalilo")]))
    )
    db.session.commit()
    body = api.get("/me/certificates", user=user, headers=EVIL).get_json()
    [item] = body["items"]
    for key in ("verification_url", "pdf_url", "badge_url", "badge_jwt_url"):
        assert item[key].startswith(PUBLIC + "/"), key


def test_the_badge_and_embed_code_ignore_a_forged_host(client, public_base):
    from tests.catalogue.helpers import approve

    audit = approve("Cahier Vivant")
    svg = client.get("/badges/cahier-vivant.svg", headers=EVIL).get_data(as_text=True)
    page = client.get("/catalogue/cahier-vivant", headers=EVIL).get_data(as_text=True)
    for text in (svg, page):
        assert "evil.example" not in text
    assert f"{PUBLIC}/verify/{audit.verification_code}" in page


def test_the_report_qr_code_ignores_a_forged_host(app, public_base):
    from accelerator.audits.report import verification_url

    with app.test_request_context("/", headers=EVIL):
        assert verification_url("ABC123") == f"{PUBLIC}/verify/ABC123"


def test_no_url_is_built_from_the_request_host():
    """``url_for(..., _external=True)`` takes the request's Host: public_url replaces it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("accelerator", "templates")
        for path in (root / folder).rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".svg"}
        and re.search(HOST_DERIVED, path.read_text())
    ]
    assert offenders == []


def test_production_answers_only_its_trusted_hosts(monkeypatch):
    import config

    monkeypatch.setattr(
        config.ProductionConfig, "TRUSTED_HOSTS", ["accelerateur.example", "localhost"]
    )
    production = create_app("production", SECRET_KEY="x" * 32, SQLALCHEMY_DATABASE_URI="sqlite://")
    client = production.test_client()
    assert client.get("/accessibilite", headers=EVIL).status_code == 400
    good = client.get("/accessibilite", headers={"Host": "accelerateur.example"})
    assert good.status_code == 200
