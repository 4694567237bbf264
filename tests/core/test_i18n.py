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


def test_pages_stay_french_for_an_english_browser(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Se connecter" in html


def test_api_messages_follow_accept_language(client):
    french = client.get("/api/v1/me")
    english = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert french.json["detail"] != english.json["detail"]
    assert english.json["detail"].startswith("Authentication is required")


def test_texts_outside_a_request_are_french(app):
    from flask_babel import gettext

    assert gettext("Sign in") == "Se connecter"


def test_the_catalogue_covers_every_text_of_the_code():
    """Fails when a text was added without `make extract-messages` and its translation."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

    root = CATALOG.parents[4]
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    method_map = [
        ("accelerator/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]

    def directory_filter(path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        return not name.startswith(".") and name not in {"node_modules", "instance", "static"}

    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    untranslated = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, keywords=keywords, directory_filter=directory_filter
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid and msgid not in translated:
            untranslated.add(f"{filename}: {msgid}")
    assert sorted(untranslated) == []
