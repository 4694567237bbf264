"""French first, English available: every message has its French text."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = (
    Path(__file__).resolve().parents[2] / "accelerator/translations/fr/LC_MESSAGES/messages.po"
)


def test_every_message_has_a_french_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    missing = [
        m.id
        for m in catalog
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_pages_are_french_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "Se connecter" in html


def test_english_is_available(client):
    response = client.get("/langue/en?next=/connexion")
    assert response.status_code == 302 and response.headers["Location"] == "/connexion"
    html = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="en"' in html and "Sign in" in html
    client.get("/langue/fr")
    assert "Se connecter" in client.get("/connexion").get_data(as_text=True)


def test_language_switch_never_redirects_elsewhere(client):
    response = client.get("/langue/en?next=//evil.example")
    assert response.headers["Location"] == "/"


def test_accept_language_english(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Sign in" in html


def test_messages_of_the_shared_macros_are_extracted():
    # pybabel skips directories starting with "_" unless told otherwise (Makefile).
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    for message_id in ("The form has errors", "optional", "Pagination"):
        assert catalog.get(message_id) is not None and catalog.get(message_id).string
    assert not catalog.obsolete
