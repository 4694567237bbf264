"""Redirect targets taken from a request lead to this site only (no open redirect)."""

from __future__ import annotations

import pytest

from accelerator.accounts.models import Role
from accelerator.core.redirects import safe_next
from tests.factories import PASSWORD, make_user

FALLBACK = "/fallback"

#: targets a browser would follow to another site, or that a header cannot carry
HOSTILE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "/%09/evil.example",  # a tab browsers drop: "//evil.example"
    "/%2f/evil.example",  # an encoded slash
    "/%5c/evil.example",  # an encoded backslash
    "/%252f/evil.example",  # encoded twice
    "/\t/evil.example",
    "/ /evil.example",
    "/x\r\nSet-Cookie: a=b",
    "/x%0d%0aSet-Cookie: a=b",
    "/x\x00",
    "/x%00",
    "/\u200b/evil.example",  # zero-width space
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " /mon-compte",  # not starting with the slash itself
    "evil.example",
    "mon-compte",
    "",
    None,
    "/" + "a" * 3000,  # longer than any page of ours
]

#: paths on this site, kept as given
LOCAL = [
    "/",
    "/mon-compte",
    "/catalogue?q=math%C3%A9matiques&page=2",
    "/formations/12#inscription",
    "/cadre-de-confiance/autodiagnostic",
    "/catalogue?next=https://evil.example",  # a query naming a host is still a local page
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back(target):
    assert safe_next(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", LOCAL)
def test_local_paths_are_kept(target):
    assert safe_next(target, FALLBACK) == target


# Every redirect that takes a target uses the check: the login and the language switch here,
# the audit transition buttons in tests/audits/test_redirects.py.


@pytest.mark.parametrize("target", ["//evil.example/x", "/%09/evil.example", "/\\evil.example"])
def test_login_goes_home_instead_of_a_hostile_next(client, target):
    user = make_user(Role.company)
    response = client.post(
        "/connexion",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "/%09/evil.example", "https://evil.example"]
)
def test_language_switch_goes_home_instead_of_a_hostile_next(client, target):
    response = client.get("/langue/en", query_string={"next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"
