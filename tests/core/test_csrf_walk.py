"""Every form refuses a request without its CSRF token, for every role.

The walk reads the URL map, so a new page that writes is covered the day it is added:
each non-API route that takes POST, PUT, PATCH or DELETE is sent a request without a token
by anonymous visitors and by a signed-in user of every role; each answer must be 400 and
nothing may change (no row added, changed or removed, no mail queued). The API is exempt
because it authenticates with bearer tokens only: a session cookie never drives it (checked
below), so a forged cross-site request has nothing to ride on.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from accelerator.accounts.models import Role
from accelerator.extensions import db
from tests.factories import PASSWORD, make_user

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _write_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", rule.rule)
        routes += [(method, url) for method in sorted(rule.methods & WRITE_METHODS)]
    return sorted(set(routes))


def _snapshot() -> dict[str, int]:
    """Row count of every table (with the outbox): what a refused request must not move."""
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
    return counts


class _Forms(HTMLParser):
    """The POST forms of a page, and whether each carries a ``csrf_token`` field."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.forms.append({"action": attrs.get("action", ""), "token": False})
        elif tag == "input" and attrs.get("name") == "csrf_token" and self.forms:
            self.forms[-1]["token"] = True


def _token(client, path: str = "/connexion") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _sign_in(client, user) -> str:
    """Sign in through the form (token included); returns where the person lands."""
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": PASSWORD, "csrf_token": _token(client)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: getattr(r, "value", "anonymous"))
def test_no_form_accepts_a_request_without_its_token(csrf_app, role):
    client = csrf_app.test_client()
    if role is not None:
        _sign_in(client, make_user(role))
    routes = _write_routes(csrf_app)
    assert len(routes) > 40  # the whole URL map was read
    before = _snapshot()
    accepted = []
    for method, url in routes:
        response = client.open(url, method=method, data={"comment": "forged"})
        if response.status_code != 400:
            accepted.append(f"{method} {url} → {response.status_code}")
    assert not accepted, "answered without a CSRF token:\n" + "\n".join(accepted)
    db.session.expire_all()
    after = _snapshot()
    # Signing in wrote its rows before the walk; the walk itself wrote nothing.
    assert after == before


def test_the_same_form_with_its_token_goes_through(csrf_app):
    """The walk's refusals come from the missing token, not from a broken form."""
    client = csrf_app.test_client()
    user = make_user(Role.company)
    _sign_in(client, user)
    token = _token(client, "/mon-compte")
    refused = client.post("/deconnexion")
    assert refused.status_code == 400
    signed_out = client.post("/deconnexion", data={"csrf_token": token})
    assert signed_out.status_code == 302
    assert client.get("/mon-compte").status_code == 302  # signed out: sent to /connexion


@pytest.mark.parametrize("role", [*Role], ids=lambda r: r.value)
def test_every_post_form_on_the_workspace_pages_carries_a_token(csrf_app, role):
    """The forms a signed-in person is shown (home, account, their workspace) each carry
    the token, so none of them breaks once protection is on."""
    client = csrf_app.test_client()
    landing = _sign_in(client, make_user(role))
    pages = sorted({"/", "/mon-compte", landing})
    checked = 0
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        missing = [form["action"] or path for form in parser.forms if not form["token"]]
        assert not missing, f"POST forms without a CSRF token on {path}: {missing}"
        checked += len(parser.forms)
    assert checked >= len(pages)  # at least the sign-out form on each page


def test_a_session_cookie_never_drives_the_api(csrf_app):
    """Why the API needs no CSRF token: a signed-in browser's cookie is not a credential
    there, so a forged request from another site is anonymous."""
    client = csrf_app.test_client()
    _sign_in(client, make_user(Role.company))
    assert client.get("/mon-compte").status_code == 200  # the cookie signs pages in
    response = client.post("/api/v1/solutions", json={"name": "Forgée"})
    assert response.status_code == 401
    assert client.get("/api/v1/me").status_code == 401
