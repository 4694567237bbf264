"""Redirect targets taken from the request (``next``) only ever lead to a path of this site.

Browsers drop tabs and line breaks inside URLs and read ``\\`` as ``/``, so each of these
hostile targets would leave the site if it were echoed in ``Location``.
"""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.core.redirects import safe_next
from tests.factories import PASSWORD, make_user

HOSTILE = [
    "/%09/evil.example",  # a tab: the browser reads //evil.example
    "/%0a/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",  # CR/LF: header injection
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/%7f/evil.example",
]
LOCAL = ["/catalogue?q=cahier", "/formations", "/mon-compte#securite"]


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_refuses_to_leave_the_site(client, target):
    response = client.get(f"/langue/fr?next={target}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", LOCAL)
def test_the_language_switch_goes_back_to_a_local_page(client, target):
    response = client.get("/langue/en", query_string={"next": target})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", HOSTILE)
def test_signing_in_refuses_to_leave_the_site(client, target):
    make_user(Role.company, email="a@exemple.fr")
    response = client.post(
        f"/connexion?next={target}", data={"email": "a@exemple.fr", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/tableau", True),
        ("/a/b?c=d&e=f", True),
        ("/\t/evil.example", False),
        ("/\r\nLocation: https://evil.example", False),
        ("/\n/evil.example", False),
        ("/\x00", False),
        ("/ok\\..\\evil", False),
        ("//evil.example", False),
        ("", False),
        (None, False),
        (["/"], False),
    ],
)
def test_safe_next(target, kept):
    assert safe_next(target, "/fallback") == (target if kept else "/fallback")
