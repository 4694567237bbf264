"""The layout's head, banner and menu are kept rendered (``core/layout_fragments.py``):
what a visitor gets is what rendering the page afresh gives, for each language, mount
point, role and current page."""

from __future__ import annotations

import re

import pytest

from accelerator.accounts.models import Role
from tests.factories import make_user

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')


def _page(client, path: str, **options) -> str:
    return CSRF.sub("", client.get(path, **options).get_data(as_text=True))


def _fresh(app, client, path: str, **options) -> str:
    """The page with nothing kept: templates reloading turn every fragment off."""
    app.jinja_env.auto_reload = True
    try:
        return _page(client, path, **options)
    finally:
        app.jinja_env.auto_reload = False


def _menu(html: str) -> str:
    return html.split('id="navigation"', 1)[1].split("</nav>", 1)[0]


def _current(html: str) -> list[str]:
    return re.findall(r'<a class="fr-nav__link" href="([^"]+)" target="_self" aria-current', html)


@pytest.mark.parametrize("path", ["/", "/catalogue", "/formations", "/plan-du-site"])
def test_a_kept_layout_is_the_layout_rendered_afresh(app, client, path):
    kept = _page(client, path)
    _page(client, path)  # now from what was kept
    assert _page(client, path) == _fresh(app, client, path) == kept


def test_a_signed_in_trainer_gets_their_menu_and_the_same_page_as_afresh(app, client, login_as):
    anonymous = _menu(_page(client, "/formations"))
    login_as(make_user(Role.trainer))
    html = _page(client, "/formations")
    assert html == _fresh(app, client, "/formations")
    assert 'href="/formations/import"' in _menu(html)
    assert 'href="/formations/import"' not in anonymous
    client.post("/deconnexion")
    assert _menu(_page(client, "/formations")) == anonymous


def test_the_menu_marks_the_entry_of_each_page(client):
    assert _current(_page(client, "/catalogue")) == ["/catalogue"]
    assert _current(_page(client, "/formations")) == ["/formations"]
    assert _current(_page(client, "/formations/1234")) == ["/formations"]
    assert _current(_page(client, "/catalogue")) == ["/catalogue"]
    assert _current(_page(client, "/plan-du-site")) == []


def test_the_banner_and_menu_follow_the_language(client):
    french = _page(client, "/catalogue").split("</header>", 1)[0]
    assert "Accès rapide" in french and "Fermer" in french
    client.get("/langue/en")
    english = _page(client, "/catalogue").split("</header>", 1)[0]
    assert "Quick access" in english and "Close" in english
    assert "Accès rapide" not in english and "Catalogue" in _menu(english)


def test_the_head_banner_and_menu_follow_the_mount_point(client):
    mounted = _page(client, "/catalogue", base_url="http://localhost/prefixe")
    header = mounted.split("</header>", 1)[0]
    assert 'href="/prefixe/"' in header and 'href="/prefixe/catalogue"' in _menu(mounted)
    assert 'href="/prefixe/static/' in mounted.split("</head>", 1)[0]
    plain = _page(client, "/catalogue").split("</header>", 1)[0]
    assert "/prefixe" not in plain
